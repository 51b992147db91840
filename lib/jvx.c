/* jvx.c: libjv accessors that check kinds instead of asserting. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "jvx.h"
#include "util.h"

jv
jvx_get(jv obj, const char *key)
{
	if (jv_get_kind(obj) != JV_KIND_OBJECT) {
		jv_free(obj);
		return jv_invalid();
	}
	return jv_object_get(obj, jv_string(key));
}

int
jvx_has(jv obj, const char *key)
{
	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return 0;
	return jv_object_has(jv_copy(obj), jv_string(key));
}

/* Walks a dotted path; numeric components index arrays. */
jv
jvx_path(jv v, const char *path)
{
	char part[128];
	const char *p = path, *dot;
	size_t n;

	while (jv_is_valid(v) && *p) {
		dot = strchr(p, '.');
		n = dot ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof(part))
			n = sizeof(part) - 1;
		memcpy(part, p, n);
		part[n] = '\0';
		p += dot ? n + 1 : n;
		if (jv_get_kind(v) == JV_KIND_ARRAY && part[0] >= '0' &&
		    part[0] <= '9') {
			int i = atoi(part);

			if (i >= jv_array_length(jv_copy(v))) {
				jv_free(v);
				return jv_invalid();
			}
			v = jv_array_get(v, i);
		} else
			v = jvx_get(v, part);
	}
	return v;
}

char *
jvx_strdup(jv obj, const char *key)
{
	jv s = jvx_get(jv_copy(obj), key);
	char *r = NULL;

	if (jv_get_kind(s) == JV_KIND_STRING)
		r = xstrdup(jv_string_value(s));
	jv_free(s);
	return r;
}

int
jvx_num(jv obj, const char *key, double *d)
{
	jv n = jvx_get(jv_copy(obj), key);
	int ok = jv_get_kind(n) == JV_KIND_NUMBER;

	if (ok)
		*d = jv_number_value(n);
	jv_free(n);
	return ok;
}

/*
 * A fresh parser per text: jv_parse_sized would copy the whole input
 * into its error message, and a long-lived parser drops what follows
 * an error (STYLE.md, libjv pitfalls 4 and 5).
 */
jv
jvx_parse(const char *s, size_t n)
{
	struct jv_parser *p;
	jv v, extra;

	if (n > INT_MAX)
		return jv_invalid_with_msg(jv_string("line too long"));
	p = jv_parser_new(0);
	jv_parser_set_buf(p, s, (int)n, 0);
	v = jv_parser_next(p);
	if (!jv_is_valid(v) && !jv_invalid_has_msg(jv_copy(v))) {
		jv_free(v);
		v = jv_invalid_with_msg(jv_string("empty input"));
	} else if (jv_is_valid(v)) {
		extra = jv_parser_next(p);
		if (jv_is_valid(extra) || jv_invalid_has_msg(jv_copy(extra))) {
			jv_free(v);
			v = jv_invalid_with_msg(jv_string(
			    "unexpected extra JSON values"));
		}
		jv_free(extra);
	}
	jv_parser_free(p);
	return v;
}

char *
jvx_dump(jv v)
{
	jv s = jv_dump_string(v, 0);
	char *r = xstrdup(jv_string_value(s));

	jv_free(s);
	return r;
}
