/*
 * sse.c: the SSE parser (lib/sse) and or-send's stream assembler over
 * any bytes.  The first byte picks how the rest is cut into feeds; the
 * assembled response, error and [DONE] must not depend on the cut
 * (the header of cmd/or-send/stream.h promises "any split"), so a
 * difference aborts.
 */
#include <jv.h>

#include "fuzz.h"
#include "jvx.h"
#include "sse.h"
#include "stream.h"
#include "util.h"

struct seen {
	struct buf	 out;
};

static void
on_bytes(void *arg, const char *p, size_t n)
{
	struct seen *s = arg;

	buf_add(&s->out, p, n);
	buf_addc(&s->out, '\n');
}

/* Feeds of 1 to step bytes, the sizes cycling from the seed. */
static void
feed_cut(void (*feed)(void *, const char *, size_t), void *x,
    const uint8_t *p, size_t n, unsigned seed)
{
	size_t step = seed % 7 + 1, k;

	while (n > 0) {
		k = step < n ? step : n;
		feed(x, (const char *)p, k);
		p += k;
		n -= k;
		step = step % (seed % 13 + 1) + 1;
	}
}

static void
on_reason(void *arg, const char *p, size_t n)
{
	buf_adds(&((struct seen *)arg)->out, "reasoning: ");
	on_bytes(arg, p, n);
}

static void
sse_feed_(void *x, const char *p, size_t n)
{
	sse_feed(x, p, n);
}

static void
stream_feed_(void *x, const char *p, size_t n)
{
	stream_feed(x, p, n);
}

/* What a stream gave, as text to compare. */
static void
result(struct stream *st, struct buf *b)
{
	jv err = stream_error(st), resp;
	char *s;

	stream_response_json(st, b);
	buf_addc(b, '\n');
	resp = stream_response(st);
	s = jvx_dump(resp);
	buf_adds(b, s);
	free(s);
	if (jv_is_valid(err)) {
		s = jvx_dump(err);
		buf_adds(b, s);
		free(s);
	} else
		jv_free(err);
	buf_adds(b, stream_done(st) ? "\ndone" : "\nnot done");
}

/* The events sse.c gives, and its comment count, for one cut. */
static void
events(const uint8_t *p, size_t n, unsigned seed, struct buf *b)
{
	struct seen s = { { 0 } };
	struct sse *x = sse_new(on_bytes, &s);
	char line[64];

	if (seed == 0)
		sse_feed(x, (const char *)p, n);
	else
		feed_cut(sse_feed_, x, p, n, seed);
	snprintf(line, sizeof(line), "comments %zu\n", sse_comments(x));
	buf_adds(b, line);
	buf_add(b, s.out.buf, s.out.len);
	buf_free(&s.out);
	sse_free(x);
}

/* What the assembler gives, callbacks' bytes too, for one cut. */
static void
assembled(const uint8_t *p, size_t n, unsigned seed, struct buf *b)
{
	struct seen text = { { 0 } };
	struct stream *st = stream_new(on_bytes, on_reason, &text);

	if (seed == 0)
		stream_feed(st, (const char *)p, n);
	else
		feed_cut(stream_feed_, st, p, n, seed);
	result(st, b);
	buf_adds(b, "\ntext\n");
	buf_add(b, text.out.buf, text.out.len);
	buf_free(&text.out);
	stream_free(st);
}

static void
same(const struct buf *a, const struct buf *b, const char *what)
{
	if (a->len != b->len || (a->len > 0 && memcmp(a->buf, b->buf,
	    a->len) != 0)) {
		fprintf(stderr, "%s differs when cut:\n%.*s\n--- vs ---\n"
		    "%.*s\n", what, (int)a->len, a->buf, (int)b->len, b->buf);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf whole = { 0 }, cut = { 0 };
	unsigned seed;

	progname = "fuzz-sse";
	if (size < 1)
		return 0;
	seed = data[0] | 1;
	data++, size--;
	events(data, size, 0, &whole);
	events(data, size, seed, &cut);
	same(&whole, &cut, "sse events");
	buf_reset(&whole);
	buf_reset(&cut);
	assembled(data, size, 0, &whole);
	assembled(data, size, seed, &cut);
	same(&whole, &cut, "assembled stream");
	buf_free(&whole);
	buf_free(&cut);
	return 0;
}
