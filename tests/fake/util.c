/* util.c: allocation, time, files, JSON and buffer helpers. */

#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fakeor.h"

void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		err(2, "malloc");
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n == 0 ? 1 : n)) == NULL)
		err(2, "realloc");
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;

	p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *
slurp(const char *path, size_t *lenp)
{
	struct buf b = { NULL, 0, 0 };
	char chunk[65536];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return NULL;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_add(&b, chunk, (size_t)n);
	close(fd);
	if (n == -1) {
		buf_free(&b);
		return NULL;
	}
	buf_add(&b, "", 1);
	*lenp = b.len - 1;
	return b.p;
}

/* A fresh parser per buffer: a shared one drops data after an error. */
jv
parse_json(const char *s, size_t len)
{
	struct jv_parser *p;
	jv v, extra;

	if (len > INT_MAX)
		return jv_invalid_with_msg(jv_string("too long"));
	p = jv_parser_new(0);
	jv_parser_set_buf(p, s, (int)len, 0);
	v = jv_parser_next(p);
	if (jv_is_valid(v)) {
		extra = jv_parser_next(p);
		if (jv_is_valid(extra) || jv_invalid_has_msg(jv_copy(extra))) {
			jv_free(v);
			v = jv_invalid_with_msg(jv_string("extra data"));
		}
		jv_free(extra);
	}
	jv_parser_free(p);
	return v;
}

/* obj[key] without consuming obj and without libjv's kind asserts. */
jv
jget(jv obj, const char *key)
{
	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return jv_invalid();
	return jv_object_get(jv_copy(obj), jv_string(key));
}

const char *
jstr(jv v)
{
	if (jv_get_kind(v) != JV_KIND_STRING)
		return NULL;
	return jv_string_value(v);
}

/* The largest n' <= n that does not split a UTF-8 sequence of s. */
size_t
utf8_floor(const char *s, size_t n)
{
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/* Real figures are short decimals, not products with float noise. */
double
money(double usd)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.12g", usd);
	return strtod(buf, NULL);
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = b->cap ? b->cap : 256;
		while (b->len + n + 1 > b->cap)
			b->cap *= 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
buf_addstr(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addjv(struct buf *b, jv v)
{
	jv s;

	s = jv_dump_string(v, 0);
	buf_add(b, jv_string_value(s),
	    (size_t)jv_string_length_bytes(jv_copy(s)));
	jv_free(s);
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
