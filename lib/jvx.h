/* jvx.h: libjv accessors that check kinds instead of asserting. */
#ifndef ORKIT_JVX_H
#define ORKIT_JVX_H

#include <jv.h>

#include "util.h"

jv	 jvx_get(jv, const char *);	/* consumes obj; owned value, or invalid if absent or obj not an object */
int	 jvx_has(jv, const char *);	/* borrows obj */
jv	 jvx_path(jv, const char *);	/* consumes obj; "a.b.0.c" walk, invalid when absent */
char	*jvx_strdup(jv, const char *);	/* borrows obj; malloc'd copy of the string at a key or path, or NULL */
int	 jvx_num(jv, const char *, double *);	/* borrows obj; 1 if a number at a key or path */
jv	 jvx_parse(const char *, size_t);	/* one JSON text; invalid+msg when bad */
jv	 jvx_parse_sized(const char *, size_t);	/* jv_parse_sized, less libjv
					   1.6's leak on ["a" "b"] */
void	 jvx_write(jv, struct buf *);	/* consumes; appends compact JSON,
					   numbers in plain decimal */
char	*jvx_dump(jv);			/* consumes; the same, malloc'd */

/* Where a value lies in a JSON text: its bytes as they came. */
struct jspan {
	const char	*p;
	size_t		 n;
};

/*
 * The elements of the array at a dotted path of object keys ("" is
 * the text itself) in a valid JSON text: *out (malloc'd)
 * gets their spans; returns how many, or -1 when there is no array.
 */
long	 jvx_elements(const char *, size_t, const char *path,
	    struct jspan **out);

/* The same kind of reading, for a text jvx_valid has passed. */
int	 jvx_valid(const char *, size_t);	/* one JSON text (RFC 8259) */
const char *jvx_end(const char *p, const char *e);	/* of the value at p,
						   or NULL when cut */
const char *jvx_ws(const char *p, const char *e);	/* past whitespace */
long	 jvx_ctl_at(const char *, size_t);	/* offset of a raw control
						   byte in a string, or -1 */
void	 jvx_members(const char *obj, const char *e, const char *const *keys,
	    size_t nkeys, const char **out);	/* each value, or NULL */
const char *jvx_member(const char *obj, const char *e, const char *key);
int	 jvx_array_has(const char *arr, const char *e, const char *s);
					/* the string s is an element */
void	 jvx_compact(const char *, size_t, struct buf *);	/* appends */

#endif
