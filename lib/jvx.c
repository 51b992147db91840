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

/* --- where values lie in the text ----------------------------------- */

static const char *
skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* p is at a quote; the byte after the closing one, or NULL. */
static const char *
str_end(const char *p, const char *e)
{
	for (p++; p < e; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* The end of the value at p; the text is known to be valid JSON. */
static const char *
val_end(const char *p, const char *e)
{
	int depth = 0;

	if (p >= e)
		return NULL;
	if (*p == '"')
		return str_end(p, e);
	if (*p != '{' && *p != '[') {
		while (p < e && strchr(",]} \t\r\n", *p) == NULL)
			p++;
		return p;
	}
	for (; p < e; p++) {
		switch (*p) {
		case '"':
			if ((p = str_end(p, e)) == NULL)
				return NULL;
			p--;
			break;
		case '{': case '[':
			depth++;
			break;
		case '}': case ']':
			if (--depth == 0)
				return p + 1;
			break;
		}
	}
	return NULL;
}

/*
 * The value of key in the object at p: the last one, as libjv keeps
 * the last of duplicate keys. A key written with escapes is not seen;
 * the caller then finds the count wrong and does without the bytes.
 */
static const char *
member(const char *p, const char *e, const char *key, size_t klen)
{
	const char *k, *found = NULL;
	int match;

	if (p >= e || *p != '{')
		return NULL;
	for (p = skip_ws(p + 1, e); p < e && *p == '"'; ) {
		k = p;
		if ((p = str_end(p, e)) == NULL)
			return NULL;
		match = (size_t)(p - k) == klen + 2 &&
		    memcmp(k + 1, key, klen) == 0;
		p = skip_ws(p, e);
		if (p >= e || *p != ':')
			return NULL;
		p = skip_ws(p + 1, e);
		if (match)
			found = p;
		if ((p = val_end(p, e)) == NULL)
			return NULL;
		p = skip_ws(p, e);
		if (p < e && *p == ',')
			p = skip_ws(p + 1, e);
	}
	return found;
}

long
jvx_elements(const char *s, size_t n, const char *path, struct jspan **out)
{
	const char *p = skip_ws(s, s + n), *e = s + n, *end, *dot;
	struct jspan *sp = NULL;
	long count = 0;
	size_t klen;

	*out = NULL;
	for (; p != NULL && *path; path = dot ? dot + 1 : path + klen) {
		dot = strchr(path, '.');
		klen = dot ? (size_t)(dot - path) : strlen(path);
		p = member(p, e, path, klen);
	}
	if (p == NULL || p >= e || *p != '[')
		return -1;
	for (p = skip_ws(p + 1, e); p < e && *p != ']'; ) {
		if ((end = val_end(p, e)) == NULL) {
			free(sp);
			return -1;
		}
		sp = xrealloc(sp, (size_t)(count + 1) * sizeof(*sp));
		sp[count].p = p;
		sp[count++].n = (size_t)(end - p);
		p = skip_ws(end, e);
		if (p < e && *p == ',')
			p = skip_ws(p + 1, e);
	}
	*out = sp;
	return count;
}

/* The text less the whitespace outside its strings: one line. */
void
jvx_compact(const char *p, size_t n, struct buf *b)
{
	const char *e = p + n, *s;

	while (p < e) {
		if (*p == '"') {
			s = str_end(p, e);
			s = s ? s : e;
			buf_add(b, p, (size_t)(s - p));
			p = s;
		} else if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		else
			buf_addc(b, *p++);
	}
}
