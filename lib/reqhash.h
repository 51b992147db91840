/* reqhash.h: a request's identity, for caches and resumed batches. */
#ifndef ORKIT_REQHASH_H
#define ORKIT_REQHASH_H

#include <stddef.h>

#include <jv.h>

jv	 req_canonical(jv);	/* borrows the record; owned request, or
				   invalid when it holds no request */
int	 req_hash(jv, char [65]);	/* borrows; 1 and hex SHA-256, or 0 */

#endif
