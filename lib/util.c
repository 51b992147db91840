/* util.c: allocation that dies, time, UTF-8, growable buffers. */
#define _XOPEN_SOURCE 700	/* strptime */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

const char *progname = "orkit";

void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n ? n : 1)) == NULL)
		die(2, "out of memory (%zu bytes)", n);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n ? n : 1)) == NULL)
		die(2, "out of memory (%zu bytes)", n);
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
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void (*before_msg)(void);

/*
 * The API key, borrowed from the configuration, so that no text orkit
 * writes carries it, whatever a server (or a proxy echoing the
 * Authorization header) put into a message or a body. A key shorter
 * than SECRET_MIN is not looked for: masking every "x" would help no one.
 * Its start is masked too, from SECRET_STEM bytes on, as a text cut
 * short (an excerpt, a stream that broke off) would hold it; a shorter
 * one gives nothing away ("sk-or-v1-" starts every key).
 */
#define SECRET_MIN	8
#define SECRET_STEM	16
#define SECRET_MASK	"[REDACTED]"
static const char *secret;
static size_t secretlen, secretstem;

void
secret_hide(const char *key)
{
	secretlen = key ? strlen(key) : 0;
	secret = secretlen >= SECRET_MIN ? key : NULL;
	secretstem = secretlen < SECRET_STEM ? secretlen : SECRET_STEM;
}

/* memmem is GNU's; this is C's. */
static const char *
find(const char *p, const char *e, const char *s, size_t n)
{
	for (; (size_t)(e - p) >= n && (p = memchr(p, *s, (size_t)(e - p -
	    (ptrdiff_t)n) + 1)) != NULL; p++)
		if (memcmp(p, s, n) == 0)
			return p;
	return NULL;
}

/* The next key, or start of one, in p..e; *m its length there. */
static const char *
find_key(const char *p, const char *e, size_t *m)
{
	const char *k;

	if (secret == NULL || (k = find(p, e, secret, secretstem)) == NULL)
		return NULL;
	for (*m = secretstem; *m < secretlen && k + *m < e &&
	    k[*m] == secret[*m]; (*m)++)
		;
	return k;
}

size_t
put_hidden(FILE *f, const char *p, size_t n)
{
	const char *k, *e = p + n;
	size_t done = 0, m;

	while ((k = find_key(p, e, &m)) != NULL) {
		done += fwrite(p, 1, (size_t)(k - p), f);
		if (fputs(SECRET_MASK, f) == EOF)
			return done;
		done += m;
		p = k + m;
	}
	return done + fwrite(p, 1, (size_t)(e - p), f);
}

/*
 * Text that comes in pieces, as a stream's deltas do: a key split
 * between two pieces is in neither. What may be the key's start is held
 * back until the next piece, or the end, tells.
 */
int
put_hidden_part(FILE *f, struct buf *held, const char *p, size_t n, int end)
{
	const char *s, *e, *k, *from;
	size_t keep = 0, i = 0, m;
	int r = 0;

	if (n > 0)
		buf_add(held, p, n);
	if (held->len == 0)
		return 0;
	s = from = held->buf;
	e = s + held->len;
	while (keep == 0 && (k = find_key(from, e, &m)) != NULL) {
		if (k + m == e && m < secretlen)
			keep = (size_t)(e - k);	/* it may go on */
		from = k + m;
	}
	if (secret && keep == 0)
		i = (size_t)(e - from) < secretstem ? (size_t)(e - from) :
		    secretstem - 1;
	for (; keep == 0 && i > 0; i--)
		if (memcmp(e - i, secret, i) == 0)
			keep = i;
	if (end)
		keep = 0;
	if (put_hidden(f, s, held->len - keep) != held->len - keep)
		r = -1;
	memmove(held->buf, e - keep, keep);
	held->len = keep;
	return r;
}

void
buf_hide_secret(struct buf *b)
{
	struct buf out = { 0 };
	const char *p, *e, *k;
	size_t m;

	if (b->buf == NULL)
		return;
	p = b->buf;
	e = b->buf + b->len;
	if ((k = find_key(p, e, &m)) == NULL)
		return;
	do {
		buf_add(&out, p, (size_t)(k - p));
		buf_adds(&out, SECRET_MASK);
		p = k + m;
	} while ((k = find_key(p, e, &m)) != NULL);
	buf_add(&out, p, (size_t)(e - p));
	explicit_bzero(b->buf, b->len);
	buf_free(b);
	*b = out;
}

static void
vmsg(const char *fmt, va_list ap)
{
	char small[1024], *m = small;
	va_list again;
	int n;

	if (before_msg)
		before_msg();
	va_copy(again, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n >= (int)sizeof(small)) {
		m = xmalloc((size_t)n + 1);
		(void)vsnprintf(m, (size_t)n + 1, fmt, again);
	}
	va_end(again);
	fprintf(stderr, "%s: ", progname);
	if (n > 0)
		(void)put_hidden(stderr, m, (size_t)n);
	fputc('\n', stderr);
	if (m != small)
		free(m);
}

void
die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(status);
}

/*
 * --help and --version: the text on stdout, then exit 0 only if it got
 * there, as a full disk or a closed pipe is a failure like any other.
 */
void
text_exit(const char *text)
{
	if (fputs(text, stdout) == EOF || fflush(stdout) == EOF ||
	    ferror(stdout))
		die(2, "write error: %s", strerror(errno));
	exit(0);
}

void
version_exit(void)
{
	char v[128];

	snprintf(v, sizeof(v), "%s %s\n", progname, VERSION);
	text_exit(v);
}

void
warnx_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
sleep_ms(int64_t ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

void
iso8601_ms(int64_t ms, char out[64])
{
	struct tm tm;
	time_t t = (time_t)(ms / 1000);

	gmtime_r(&t, &tm);
	snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

/* 2026-11-01, 2026-11-01T10:00:00, either with .123 and Z; UTC. */
int64_t
iso8601_parse(const char *s)
{
	struct tm tm;
	const char *p;
	int ms = 0, scale = 100;

	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL && (p = strptime(s, "%Y-%m-%d", &tm)) == NULL)
		return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			ms += (*p - '0') * scale;
	if (*p == 'Z')
		p++;
	if (*p)
		return -1;
	return (int64_t)timegm(&tm) * 1000 + ms;
}

int
parse_duration(const char *s, int64_t *ms)
{
	static const struct { char unit; double ms; } units[] = {
		{ 's', 1e3 }, { 'm', 60e3 }, { 'h', 3600e3 },
		{ 'd', 86400e3 }, { 'w', 604800e3 }, { 0, 0 }
	};
	char *end;
	double n, unit = 1e3;
	int i;

	/* strtod would take "inf", "nan" and hex: digits only. */
	if (!(*s >= '0' && *s <= '9') && !(*s == '.' && s[1] >= '0' &&
	    s[1] <= '9'))
		return -1;
	n = strtod(s, &end);
	for (i = 0; *end && units[i].unit; i++)
		if (*end == units[i].unit) {
			unit = units[i].ms;
			end++;
			break;
		}
	if (*end || n * unit > 1e15)	/* past 30,000 years is a typo */
		return -1;
	*ms = (int64_t)(n * unit);
	return 0;
}

int
parse_when(const char *s, int64_t *epoch_ms)
{
	int64_t t;

	if (parse_duration(s, &t) == 0) {
		*epoch_ms = now_ms() - t;
		return 0;
	}
	if ((t = iso8601_parse(s)) < 0)
		return -1;
	*epoch_ms = t;
	return 0;
}

/* Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF. */
long
utf8_bad_at(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n, *at;
	unsigned c, need;
	uint32_t cp, min;

	while (p < e) {
		at = p;
		c = *p++;
		if (c < 0x80)
			continue;
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, cp = c & 0x1f, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, cp = c & 0x0f, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, cp = c & 0x07, min = 0x10000;
		else
			return (long)(at - (const unsigned char *)s);
		if ((size_t)(e - p) < need)
			return (long)(at - (const unsigned char *)s);
		while (need--) {
			if ((*p & 0xc0) != 0x80)
				return (long)(at - (const unsigned char *)s);
			cp = cp << 6 | (*p++ & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return (long)(at - (const unsigned char *)s);
	}
	return -1;
}

int
utf8_valid(const char *s, size_t n)
{
	return utf8_bad_at(s, n) < 0;
}

char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

const char *
ci_find(const char *hay, const char *needle)
{
	size_t i;

	for (; *hay; hay++) {
		for (i = 0; needle[i] && lower(hay[i]) == lower(needle[i]); i++)
			;
		if (needle[i] == '\0')
			return hay;
	}
	return *needle == '\0' ? hay : NULL;
}

int
is_blank(const char *s, size_t n)
{
	for (; n--; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return 0;
	return 1;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->buf = xrealloc(b->buf, cap);
		b->cap = cap;
	}
	if (n)
		memcpy(b->buf + b->len, p, n);
	b->len += n;
	/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): buf NULL, cap 0 */
	b->buf[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->buf)
		b->buf[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->buf);
	b->buf = NULL;
	b->len = b->cap = 0;
}

const char *
buf_str(struct buf *b)
{
	if (b->buf == NULL)
		buf_add(b, "", 0);
	return b->buf;
}

char *
base64(const void *in, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = in;
	char *out = xmalloc((n + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		*o++ = tab[p[i] >> 2];
		*o++ = tab[(p[i] & 3) << 4 | p[i + 1] >> 4];
		*o++ = tab[(p[i + 1] & 15) << 2 | p[i + 2] >> 6];
		*o++ = tab[p[i + 2] & 63];
	}
	if (i < n) {
		*o++ = tab[p[i] >> 2];
		if (i + 1 < n) {
			*o++ = tab[(p[i] & 3) << 4 | p[i + 1] >> 4];
			*o++ = tab[(p[i + 1] & 15) << 2];
		} else {
			*o++ = tab[(p[i] & 3) << 4];
			*o++ = '=';
		}
		*o++ = '=';
	}
	*o = '\0';
	return out;
}
