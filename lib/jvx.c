/* jvx.c: libjv accessors that check kinds instead of asserting. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
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
			/* strtol, not atoi: too many digits is past the end */
			long i = strtol(part, NULL, 10);

			if (i >= jv_array_length(jv_copy(v))) {
				jv_free(v);
				return jv_invalid();
			}
			v = jv_array_get(v, (int)i);
		} else
			v = jvx_get(v, part);
	}
	return v;
}

char *
jvx_strdup(jv obj, const char *key)
{
	jv s = jvx_path(jv_copy(obj), key);
	char *r = NULL;

	if (jv_get_kind(s) == JV_KIND_STRING)
		r = xstrdup(jv_string_value(s));
	jv_free(s);
	return r;
}

int
jvx_num(jv obj, const char *key, double *d)
{
	jv n = jvx_path(jv_copy(obj), key);
	int ok = jv_get_kind(n) == JV_KIND_NUMBER;

	if (ok)
		*d = jv_number_value(n);
	jv_free(n);
	return ok;
}

/* --- libjv 1.6's leak on a missing separator ----------------------------- */

static int
unhex4(const char *p)
{
	int i, r = 0, d;

	for (i = 0; i < 4; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'f')
			d = (p[i] | 0x20) - 'a' + 10;
		else
			return -1;
		r = r << 4 | d;
	}
	return r;
}

/* A string's inside (between its quotes) that libjv 1.6 takes. */
static int
libjv_takes(const char *p, const char *e)
{
	int u;

	for (; p < e; p++) {
		/* its test: (char)c > 0 && c < 0x1f; NUL, 0x1f pass */
		if (*p >= 1 && *p <= 0x1e)
			return 0;
		if (*p != '\\')
			continue;
		if (++p >= e)
			return 0;
		if (strchr("\\\"/bfnrt", *p) != NULL && *p != '\0')
			continue;
		if (*p != 'u' || e - p < 5 || (u = unhex4(p + 1)) < 0)
			return 0;
		p += 4;
		if (u < 0xD800 || u > 0xDBFF)
			continue;
		if (e - p < 7 || p[1] != '\\' || p[2] != 'u' ||
		    (u = unhex4(p + 3)) < 0xDC00 || u > 0xDFFF)
			return 0;
		p += 6;
	}
	return 1;
}

/*
 * libjv 1.6 loses a string that follows a value with no separator
 * inside an array or object (["a" "b"], {"a":1 "b":2}): value() says
 * "Expected separator between values" and drops it unfreed (jq 1.7
 * frees it). Its tokenizer, followed here, finds the first such string
 * that libjv would take (one it rejects is never allocated): 1 and its
 * quotes' offsets, else 0. After an error libjv reads no further, so
 * where this reading goes astray past one does not matter.
 */
static int
leaky_string(const char *s, size_t n, size_t *open, size_t *close,
    long *deep)
{
	size_t i, o = 0;
	long depth = 0;
	int next = 0, lit = 0, str = 0, esc = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\036') {
			/* RS (RFC 7464): it ends the text or starts anew */
			depth = next = lit = str = esc = 0;
			continue;
		}
		if (str) {
			if (esc || s[i] == '\\') {
				esc = !esc;
				continue;
			}
			if (s[i] != '"')
				continue;
			str = 0;
			if (next) {
				*open = o;
				*close = i;
				*deep = depth;
				return libjv_takes(s + o + 1, s + i);
			}
			next = depth > 0;
			continue;
		}
		if (!strchr(" \t\r\n\"[]{},:", s[i]) || s[i] == '\0') {
			lit = 1;
			continue;
		}
		if (lit) {
			lit = 0;
			if (next)
				return 0;	/* its error, and no string */
			next = depth > 0;
		}
		switch (s[i]) {
		case '"':
			str = 1;
			o = i;
			break;
		case '[': case '{':
			depth++;
			next = 0;
			break;
		case ']': case '}':
			if (--depth < 0)
				return 0;
			next = depth > 0;
			break;
		case ',': case ':':
			next = 0;
			break;
		}
	}
	return 0;
}

/*
 * The text to give libjv: s, or (in *copy, malloc'd) s with the first
 * leaky string replaced by what fails there in the same words at the
 * same column but holds nothing: a blank, a number ("000") ended by a
 * blank; for "" a number alone when no literal is before it to join,
 * else '[' (whose depth check, at 256 stack entries, cannot fire less
 * than 128 brackets deep: deeper, the leak is left).
 */
static const char *
libjv_safe(const char *s, size_t n, char **copy)
{
	size_t o, c;
	long deep;

	*copy = NULL;
	if (!leaky_string(s, n, &o, &c, &deep))
		return s;
	*copy = xmalloc(n);
	memcpy(*copy, s, n);
	if (c - o >= 2) {
		memset(*copy + o, '0', c - o);
		(*copy)[o] = ' ';
		(*copy)[c] = ' ';
	} else if (strchr(" \t\r\n\"[]{},:", s[o - 1]) && s[o - 1] != '\0') {
		(*copy)[o] = '0';
		(*copy)[c] = ' ';
	} else if (deep < 128) {
		(*copy)[o] = ' ';
		(*copy)[c] = '[';
	}
	return *copy;
}

/*
 * jv_parse_sized, less libjv 1.6's leak: the same value or message,
 * which quotes the text (the caller's, not the copy parsed).
 */
jv
jvx_parse_sized(const char *s, size_t n)
{
	const char *m, *at;
	char *copy;
	jv v, msg;

	if (n > INT_MAX)
		return jv_invalid_with_msg(jv_string("text too long"));
	v = jv_parse_sized(libjv_safe(s, n, &copy), (int)n);
	if (copy == NULL)
		return v;
	free(copy);
	if (jv_is_valid(v) || !jv_invalid_has_msg(jv_copy(v)))
		return v;
	msg = jv_invalid_get_msg(v);
	m = jv_string_value(msg);
	at = strstr(m, " (while parsing '");
	v = jv_invalid_with_msg(jv_string_fmt("%.*s (while parsing '%.*s')",
	    at ? (int)(at - m) : (int)strlen(m), m, (int)n, s));
	jv_free(msg);
	return v;
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
	char *copy;
	jv v, extra;

	if (n > INT_MAX)
		return jv_invalid_with_msg(jv_string("line too long"));
	p = jv_parser_new(0);
	jv_parser_set_buf(p, libjv_safe(s, n, &copy), (int)n, 0);
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
	free(copy);
	return v;
}

/*
 * A number as plain decimal digits, the shortest that reads back as the
 * same double: 0.00001155, never libjv's 1.155e-05, so that money and
 * every other figure orkit writes reads as people write it.
 */
/*
 * A string with nothing to escape, as libjv would write it; 0 when it
 * has a quote, a backslash or a control character, left to libjv.
 */
static int
put_plain_string(struct buf *b, jv v)
{
	const unsigned char *p = (const unsigned char *)jv_string_value(v);
	int n = jv_string_length_bytes(jv_copy(v)), i;

	for (i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] == '"' || p[i] == '\\' || p[i] == 0x7f)
			return 0;
	buf_addc(b, '"');
	buf_add(b, (const char *)p, (size_t)n);
	buf_addc(b, '"');
	return 1;
}

static void
put_number(struct buf *b, double d)
{
	char e[40], digits[24];
	int prec, exp, nd = 0, i;
	const char *p;

	if (isnan(d)) {		/* as libjv: NaN is null, inf the largest */
		buf_adds(b, "null");
		return;
	}
	if (isinf(d))
		d = d < 0 ? -DBL_MAX : DBL_MAX;
	if (d == 0) {
		buf_addc(b, '0');
		return;
	}
	/* Integers, most of what is written, need no search. */
	if (fabs(d) < 9007199254740992.0 && d == floor(d)) {
		snprintf(e, sizeof(e), "%.0f", d);
		buf_adds(b, e);
		return;
	}
	/*
	 * The fewest digits that read back: a decimal of 15 digits or
	 * fewer that reads back as d is d rounded to 15 digits with its
	 * trailing zeros (stripped below), so 15 is tried first.
	 */
	for (prec = 15; prec < 17; prec++) {
		snprintf(e, sizeof(e), "%.*e", prec - 1, d);
		if (strtod(e, NULL) == d)
			break;
	}
	snprintf(e, sizeof(e), "%.*e", prec - 1, d);
	p = e;
	if (*p == '-')
		buf_addc(b, *p++);
	for (; *p != 'e'; p++)
		if (*p != '.')
			digits[nd++] = *p;
	exp = atoi(p + 1);	/* NOLINT(cert-err34-c): %e's own exponent */
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (exp < 0) {
		buf_adds(b, "0.");
		for (i = -1; i > exp; i--)
			buf_addc(b, '0');
		buf_add(b, digits, (size_t)nd);
		return;
	}
	for (i = 0; i < nd || i <= exp; i++) {
		if (i == exp + 1)
			buf_addc(b, '.');
		buf_addc(b, i < nd ? digits[i] : '0');
	}
}

void
jvx_write(jv v, struct buf *b)
{
	jv s;
	int first = 1;

	switch (jv_get_kind(v)) {
	case JV_KIND_NUMBER:
		put_number(b, jv_number_value(v));
		break;
	case JV_KIND_ARRAY:
		buf_addc(b, '[');
		jv_array_foreach(v, i, x) {
			if (i > 0)
				buf_addc(b, ',');
			jvx_write(x, b);
		}
		buf_addc(b, ']');
		break;
	case JV_KIND_OBJECT:
		buf_addc(b, '{');
		jv_object_foreach(v, k, x) {
			if (!first)
				buf_addc(b, ',');
			first = 0;
			jvx_write(k, b);
			buf_addc(b, ':');
			jvx_write(x, b);
		}
		buf_addc(b, '}');
		break;
	case JV_KIND_STRING:
		if (put_plain_string(b, v))
			break;
		/* FALLTHROUGH */
	default:		/* true, false, null, and escapes */
		s = jv_dump_string(jv_copy(v), 0);
		buf_add(b, jv_string_value(s),
		    (size_t)jv_string_length_bytes(jv_copy(s)));
		jv_free(s);
		break;
	}
	jv_free(v);
}

char *
jvx_dump(jv v)
{
	struct buf b = { 0 };

	jvx_write(v, &b);
	buf_addc(&b, '\0');
	return b.buf;
}

/* --- where values lie in the text ----------------------------------- */

const char *
jvx_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* p is at a quote; the byte after the closing one, or NULL. */
static const char *
str_end(const char *p, const char *e)
{
	const char *q;
	size_t bs;

	/* A quote ends the string unless an odd run of backslashes escapes it. */
	for (p++; (q = memchr(p, '"', (size_t)(e - p))) != NULL; p = q + 1) {
		for (bs = 0; q - bs > p && q[-1 - (long)bs] == '\\'; bs++)
			;
		if (bs % 2 == 0)
			return q + 1;
	}
	return NULL;
}

long
jvx_ctl_at(const char *s, size_t n)
{
	const char *p, *e = s + n;
	int in = 0;

	for (p = s; p < e; p++) {
		if (in && *p == '\\')
			p++;
		else if (*p == '"')
			in = !in;
		else if (in && (unsigned char)*p < 0x20)
			return (long)(p - s);
	}
	return -1;
}

const char *
jvx_end(const char *p, const char *e)
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
 * The values of keys in the object at p, in one pass: the last of each,
 * as libjv keeps the last of duplicate keys; NULL when absent. A key
 * written with escapes is not seen.
 */
void
jvx_members(const char *p, const char *e, const char *const *keys,
    size_t nkeys, const char **out)
{
	const char *k;
	size_t i, n;

	for (i = 0; i < nkeys; i++)
		out[i] = NULL;
	if (p == NULL || p >= e || *p != '{')
		return;
	for (p = jvx_ws(p + 1, e); p < e && *p == '"'; ) {
		k = p + 1;
		if ((p = str_end(p, e)) == NULL)
			return;
		n = (size_t)(p - k - 1);
		p = jvx_ws(p, e);
		if (p >= e || *p != ':')
			return;
		p = jvx_ws(p + 1, e);
		for (i = 0; i < nkeys; i++)
			if (strncmp(keys[i], k, n) == 0 && keys[i][n] == '\0')
				out[i] = p;
		if ((p = jvx_end(p, e)) == NULL)
			return;
		p = jvx_ws(p, e);
		if (p < e && *p == ',')
			p = jvx_ws(p + 1, e);
	}
}

const char *
jvx_member(const char *p, const char *e, const char *key)
{
	const char *v;

	jvx_members(p, e, &key, 1, &v);
	return v;
}

/* The string from p to end is s: compared as bytes, or decoded if escaped. */
static int
string_is(const char *p, const char *end, const char *s)
{
	size_t n = (size_t)(end - p);
	int yes;
	jv v;

	if (memchr(p, '\\', n) == NULL)
		return n == strlen(s) + 2 && memcmp(p + 1, s, n - 2) == 0;
	v = jvx_parse(p, n);
	yes = jv_get_kind(v) == JV_KIND_STRING && strcmp(jv_string_value(v),
	    s) == 0;
	jv_free(v);
	return yes;
}

int
jvx_array_has(const char *p, const char *e, const char *s)
{
	const char *end;

	if (p == NULL || p >= e || *p != '[')
		return 0;
	for (p = jvx_ws(p + 1, e); p < e && *p != ']'; ) {
		if ((end = jvx_end(p, e)) == NULL)
			return 0;
		if (*p == '"' && string_is(p, end, s))
			return 1;
		p = jvx_ws(end, e);
		if (p < e && *p == ',')
			p = jvx_ws(p + 1, e);
	}
	return 0;
}

long
jvx_elements(const char *s, size_t n, const char *path, struct jspan **out)
{
	const char *p = jvx_ws(s, s + n), *e = s + n, *end, *dot;
	struct jspan *sp = NULL;
	char key[128];
	long count = 0;
	size_t klen;

	*out = NULL;
	for (; p != NULL && *path; path = dot ? dot + 1 : path + klen) {
		dot = strchr(path, '.');
		klen = dot ? (size_t)(dot - path) : strlen(path);
		if (klen >= sizeof(key))
			return -1;
		memcpy(key, path, klen);
		key[klen] = '\0';
		p = jvx_member(p, e, key);
	}
	if (p == NULL || p >= e || *p != '[')
		return -1;
	for (p = jvx_ws(p + 1, e); p < e && *p != ']'; ) {
		if ((end = jvx_end(p, e)) == NULL) {
			free(sp);
			return -1;
		}
		sp = xrealloc(sp, (size_t)(count + 1) * sizeof(*sp));
		sp[count].p = p;
		sp[count++].n = (size_t)(end - p);
		p = jvx_ws(end, e);
		if (p < e && *p == ',')
			p = jvx_ws(p + 1, e);
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

/* --- validation: RFC 8259, no allocation --------------------------------- */

#define MAX_DEPTH	200	/* under libjv's own limit, 256 */

static const char *valid_value(const char *, const char *, int);

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static const char *
valid_string(const char *p, const char *e)
{
	for (p++; p < e; p++) {
		if (*p == '"')
			return p + 1;
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p != '\\')
			continue;
		if (++p >= e)
			return NULL;
		if (*p == 'u') {
			if (e - p < 5 || !is_hex(p[1]) || !is_hex(p[2]) ||
			    !is_hex(p[3]) || !is_hex(p[4]))
				return NULL;
			p += 4;
		} else if (strchr("\"\\/bfnrt", *p) == NULL || *p == '\0')
			return NULL;
	}
	return NULL;
}

static const char *
digits(const char *p, const char *e)
{
	const char *s = p;

	while (p < e && is_digit(*p))
		p++;
	return p > s ? p : NULL;
}

static const char *
valid_number(const char *p, const char *e)
{
	if (p < e && *p == '-')
		p++;
	if (p < e && *p == '0')
		p++;
	else if ((p = digits(p, e)) == NULL)
		return NULL;
	if (p < e && *p == '.' && (p = digits(p + 1, e)) == NULL)
		return NULL;
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		p = digits(p, e);
	}
	return p;
}

static const char *
valid_word(const char *p, const char *e, const char *w)
{
	size_t n = strlen(w);

	return (size_t)(e - p) >= n && memcmp(p, w, n) == 0 ? p + n : NULL;
}

/* An object or an array: p is at its opening bracket. */
static const char *
valid_items(const char *p, const char *e, int depth)
{
	char close = *p == '{' ? '}' : ']';

	if (depth > MAX_DEPTH)
		return NULL;
	p = jvx_ws(p + 1, e);
	if (p < e && *p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			if (p >= e || *p != '"' || (p = valid_string(p, e)) == NULL)
				return NULL;
			p = jvx_ws(p, e);
			if (p >= e || *p != ':')
				return NULL;
			p = jvx_ws(p + 1, e);
		}
		if ((p = valid_value(p, e, depth + 1)) == NULL)
			return NULL;
		p = jvx_ws(p, e);
		if (p < e && *p == close)
			return p + 1;
		if (p >= e || *p != ',')
			return NULL;
		p = jvx_ws(p + 1, e);
	}
}

static const char *
valid_value(const char *p, const char *e, int depth)
{
	if (p >= e)
		return NULL;
	switch (*p) {
	case '{': case '[': return valid_items(p, e, depth);
	case '"': return valid_string(p, e);
	case 't': return valid_word(p, e, "true");
	case 'f': return valid_word(p, e, "false");
	case 'n': return valid_word(p, e, "null");
	default: return valid_number(p, e);
	}
}

int
jvx_valid(const char *s, size_t n)
{
	const char *e = s + n, *p = valid_value(jvx_ws(s, e), e, 0);

	return p != NULL && jvx_ws(p, e) == e;
}
