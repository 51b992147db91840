/*
 * account.h: the account's credit and the key's limit, from GET /credits
 * and GET /key, as one object (or-cost credits prints it, or-send
 * --min-credits checks it).
 *
 * /credits takes a management key since 2026 (403 otherwise): without
 * it the object has the key's figures alone.
 */
#ifndef ORKIT_ACCOUNT_H
#define ORKIT_ACCOUNT_H

#include <jv.h>

#include "http.h"

/*
 * total_credits, total_usage, remaining, then the key's limit, usage
 * and byok figures, null where not known; *cerr and *kerr the errors of
 * /credits and /key (owned), invalid when none.
 */
jv	 account_read(struct http *, jv *cerr, jv *kerr);
/*
 * Below the floor: 1 with the credit left (or the key's limit left) in
 * *left and which it is in *what. Borrows the object.
 */
int	 account_below(jv, double min, double *left, const char **what);

#endif
