/* jvx.h: libjv accessors that check kinds instead of asserting. */
#ifndef ORKIT_JVX_H
#define ORKIT_JVX_H

#include <jv.h>

jv	 jvx_get(jv, const char *);	/* consumes obj; owned value, or invalid if absent or obj not an object */
int	 jvx_has(jv, const char *);	/* borrows obj */
jv	 jvx_path(jv, const char *);	/* consumes obj; "a.b.0.c" walk, invalid when absent */
char	*jvx_strdup(jv, const char *);	/* borrows obj; malloc'd copy of a string member, or NULL */
int	 jvx_num(jv, const char *, double *);	/* borrows obj; 1 if a number member */
jv	 jvx_parse(const char *, size_t);	/* one JSON text; invalid+msg when bad */
char	*jvx_dump(jv);			/* consumes; malloc'd compact JSON */

#endif
