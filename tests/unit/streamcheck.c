/*
 * streamcheck: feeds an SSE file to stream.c (with -e, to sse.c alone)
 * whole and in pieces, and checks that every way of cutting the bytes
 * gives the same result as the whole.  The ways:
 *
 *	- one byte at a time;
 *	- two pieces, cut after k bytes for every k from 0 to the size:
 *	  through sse.c, comparing the events and the comment count;
 *	- every byte position as a cut through stream.c as well, in
 *	  "comb" runs: run (p, j) cuts every other line (p = 0 or 1) at
 *	  offsets j, j + 128, j + 256 ..., so the line after a cut one is
 *	  fed whole, and 256 runs at most put a cut at every byte.  Two
 *	  pieces at every k through stream.c would parse the file's JSON
 *	  once per byte: over a minute for each 50 KB fixture;
 *	- with -a, also that: two pieces at every k through stream.c.
 *
 * With -w it only feeds the file whole, checking nothing.
 *
 * Then it prints what the whole feed gave:
 *
 *	(default)	the response, one JSON line with sorted keys;
 *			"error: " and the error, when there is one;
 *			"done: false" when no [DONE] came
 *	-j		the same, the response as or-send writes it
 *			(stream_response_json: keys in order, usage's bytes)
 *	-t		the bytes on_text got, as it got them
 *	-r		the bytes on_reasoning got
 *	-e		each event's data as a JSON string, one a line,
 *			then "comments: N"
 *
 * Exit 0 when all agree, 1 (saying where) when not, 2 on misuse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jv.h>

#include "sse.h"
#include "stream.h"
#include "util.h"

static int	 mode;		/* 0, 't', 'r' or 'e' */
static int	 aflag, wflag;

/* What one way of feeding gave, all of it compared. */
struct result {
	struct buf	 out;		/* response, error, done lines */
	struct buf	 text;		/* on_text's bytes */
	struct buf	 reasoning;	/* on_reasoning's bytes */
	struct buf	 events;	/* sse.c: "len:data" each, comments */
};

/* Where to cut: after each of these byte counts, ascending. */
struct cuts {
	size_t		*at;
	size_t		 n;
	char		 how[64];	/* said when the result differs */
};

static void
on_text(void *arg, const char *p, size_t n)
{
	buf_add(&((struct result *)arg)->text, p, n);
}

static void
on_reasoning(void *arg, const char *p, size_t n)
{
	buf_add(&((struct result *)arg)->reasoning, p, n);
}

static void
on_event(void *arg, const char *p, size_t n)
{
	struct result *r = arg;
	char len[32];

	snprintf(len, sizeof(len), "%zu:", n);
	buf_adds(&r->events, len);
	buf_add(&r->events, p, n);
}

static void
add_json(struct buf *b, const char *prefix, jv v)
{
	jv s = jv_dump_string(v, JV_PRINT_SORTED);

	buf_adds(b, prefix);
	buf_adds(b, jv_string_value(s));
	buf_addc(b, '\n');
	jv_free(s);
}

typedef void feed_fn(void *, const char *, size_t);

static void
feed_stream(void *h, const char *p, size_t n)
{
	stream_feed(h, p, n);
}

static void
feed_sse(void *h, const char *p, size_t n)
{
	sse_feed(h, p, n);
}

/* No cuts: whole; NULL: a byte at a time. */
static void
feed(feed_fn *fn, void *h, const char *p, size_t n, const struct cuts *c)
{
	size_t i, from = 0;

	if (c == NULL) {
		for (i = 0; i < n; i++)
			fn(h, p + i, 1);
		return;
	}
	for (i = 0; i < c->n; i++) {
		fn(h, p + from, c->at[i] - from);
		from = c->at[i];
	}
	fn(h, p + from, n - from);
}

static void
run_stream(struct result *r, const char *p, size_t n, const struct cuts *c)
{
	struct stream *st = stream_new(on_text, on_reasoning, r);
	jv e;

	feed(feed_stream, st, p, n, c);
	if (mode == 'j') {
		stream_response_json(st, &r->out);
		buf_addc(&r->out, '\n');
	} else
		add_json(&r->out, "", stream_response(st));
	e = stream_error(st);
	if (jv_is_valid(e))
		add_json(&r->out, "error: ", e);
	else
		jv_free(e);
	if (!stream_done(st))
		buf_adds(&r->out, "done: false\n");
	stream_free(st);
}

static void
run_sse(struct result *r, const char *p, size_t n, const struct cuts *c)
{
	struct sse *s = sse_new(on_event, r);
	char line[64];

	feed(feed_sse, s, p, n, c);
	snprintf(line, sizeof(line), "comments: %zu\n", sse_comments(s));
	buf_adds(&r->events, line);
	sse_free(s);
}

static void
run(struct result *r, int layer, const char *p, size_t n,
    const struct cuts *c)
{
	memset(r, 0, sizeof(*r));
	if (layer == 'e')
		run_sse(r, p, n, c);
	else
		run_stream(r, p, n, c);
}

static void
result_free(struct result *r)
{
	buf_free(&r->out);
	buf_free(&r->text);
	buf_free(&r->reasoning);
	buf_free(&r->events);
}

static int
same_buf(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && (a->len == 0 ||
	    memcmp(a->buf, b->buf, a->len) == 0);
}

static int
same(const struct result *a, const struct result *b)
{
	return same_buf(&a->out, &b->out) && same_buf(&a->text, &b->text) &&
	    same_buf(&a->reasoning, &b->reasoning) &&
	    same_buf(&a->events, &b->events);
}

/* Runs one way of feeding; 0 and a message when it differs. */
static int
check(const char *file, int layer, struct result *whole,
    const char *p, size_t n, const struct cuts *c)
{
	struct result r;
	int ok;

	run(&r, layer, p, n, c);
	if (!(ok = same(whole, &r))) {
		fprintf(stderr, "streamcheck: %s: %s: the result differs\n",
		    file, c ? c->how : "fed a byte at a time");
		fprintf(stderr, "whole:\n%s%s\ncut:\n%s%s\n",
		    buf_str(&whole->out),
		    buf_str(&whole->events),
		    buf_str(&r.out), buf_str(&r.events));
	}
	result_free(&r);
	return ok;
}

static int
every_split(const char *file, int layer, struct result *whole,
    const char *p, size_t n)
{
	struct cuts c;
	size_t k;

	c.at = &k;
	c.n = 1;
	for (k = 0; k <= n; k++) {
		snprintf(c.how, sizeof(c.how), "cut after %zu bytes", k);
		if (!check(file, layer, whole, p, n, &c))
			return 0;
	}
	return 1;
}

/*
 * The cuts of comb run (phase, j): every other line (even ones for
 * phase 0), at offsets j, j + STRIDE, j + 2 STRIDE ...; none when no
 * line is j bytes long.  STRIDE runs per phase put a cut at every byte.
 */
#define STRIDE	128

static int
comb(struct cuts *c, const char *p, size_t n, int phase, size_t j)
{
	size_t start, len, line, off;
	const char *lf;

	c->n = 0;
	for (start = 0, line = 0; start < n; line++) {
		lf = memchr(p + start, '\n', n - start);
		len = lf ? (size_t)(lf - (p + start)) : n - start;
		if ((int)(line % 2) == phase)
			for (off = j; off <= len && start + off < n;
			    off += STRIDE)
				c->at[c->n++] = start + off;
		start += len + 1;
	}
	if (phase == 0 && j == 0)
		c->at[c->n++] = n;
	snprintf(c->how, sizeof(c->how), "cut %s lines at %zu mod %d",
	    phase ? "odd" : "even", j, STRIDE);
	return c->n > 0;
}

static int
every_comb(const char *file, struct result *whole, const char *p,
    size_t n)
{
	struct cuts c;
	size_t j;
	int phase, ok = 1;

	c.at = xmalloc((n + 1) * sizeof(*c.at));
	for (phase = 0; ok && phase < 2; phase++)
		for (j = 0; ok && j < STRIDE && comb(&c, p, n, phase, j); j++)
			ok = check(file, 's', whole, p, n, &c);
	free(c.at);
	return ok;
}

static void
slurp(const char *file, struct buf *b)
{
	char chunk[65536];
	size_t n;
	FILE *f;

	if ((f = fopen(file, "rb")) == NULL)
		die(2, "%s: cannot open", file);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(b, chunk, n);
	if (ferror(f))
		die(2, "%s: read error", file);
	(void)fclose(f);
	buf_str(b);
}

static void
print_events(const struct buf *b)
{
	const char *p = b->buf, *e = b->buf + b->len;
	char *colon;
	size_t n;
	jv s;

	while (p < e && strncmp(p, "comments: ", 10) != 0) {
		n = strtoul(p, &colon, 10);
		s = jv_dump_string(jv_string_sized(colon + 1, (int)n), 0);
		printf("%s\n", jv_string_value(s));
		jv_free(s);
		p = colon + 1 + n;
	}
	fwrite(p, 1, (size_t)(e - p), stdout);
}

static void
print(const struct result *r)
{
	const struct buf *b = &r->out;

	if (mode == 'e') {
		print_events(&r->events);
		return;
	}
	if (mode == 't')
		b = &r->text;
	else if (mode == 'r')
		b = &r->reasoning;
	fwrite(b->buf ? b->buf : "", 1, b->len, stdout);
}

static _Noreturn void
usage(void)
{
	die(2, "usage: streamcheck [-a | -w] [-e | -j | -r | -t] file");
}

static int
check_file(const char *file, const char *p, size_t n, struct result *whole)
{
	struct result sse;
	int layer = mode == 'e' ? 'e' : 's', ok;

	run(whole, layer, p, n, &(struct cuts){ NULL, 0, "" });
	if (wflag)
		return 1;
	if (!check(file, layer, whole, p, n, NULL))
		return 0;
	run(&sse, 'e', p, n, &(struct cuts){ NULL, 0, "" });
	ok = every_split(file, 'e', &sse, p, n);
	result_free(&sse);
	if (ok && layer == 's')
		ok = every_comb(file, whole, p, n);
	if (ok && layer == 's' && aflag)
		ok = every_split(file, 's', whole, p, n);
	return ok;
}

int
main(int argc, char *argv[])
{
	struct buf in = { NULL, 0, 0 };
	struct result whole;
	int c, ok;

	progname = "streamcheck";
	while ((c = getopt(argc, argv, "aejrtw")) != -1) {
		if (c == 'a')
			aflag = 1;
		else if (c == 'w')
			wflag = 1;
		else if (c == '?')
			usage();
		else
			mode = c;
	}
	if (argc - optind != 1)
		usage();
	slurp(argv[optind], &in);
	if ((ok = check_file(argv[optind], in.buf, in.len, &whole)))
		print(&whole);
	result_free(&whole);
	buf_free(&in);
	if (fflush(stdout) != 0 || ferror(stdout))
		die(2, "write error");
	return ok ? 0 : 1;
}
