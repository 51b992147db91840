/* reqhash.h: a request's identity, for caches and resumed batches. */
#ifndef ORKIT_REQHASH_H
#define ORKIT_REQHASH_H

#include <stddef.h>

#include <jv.h>

#include "request.h"

/* Both borrow the record; the defaults (may be NULL) as req_build's. */
jv	 req_canonical(jv, const struct req_defaults *);
				/* owned request, or invalid when the
				   record holds no request */
int	 req_hash(jv, const struct req_defaults *, char [65]);
				/* 1 and hex SHA-256, or 0 */
int	 req_hash_canonical(jv, char [65]);
				/* req_hash of req_canonical's request,
				   which it takes */
void	 sha256_hex(const void *, size_t, char [65]);
				/* of any bytes (lib/store's record hash) */

#endif
