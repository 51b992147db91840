/*
 * sse.c: the streamed answer, framed as the real API frames it (§4):
 * keep-alive comments, "data: {chunk}\n\n" events, the finish chunk sent
 * twice (the second time with usage, 2026 style), then "data: [DONE]".
 * The script can break the stream after some content deltas.
 */

#include <stdlib.h>
#include <string.h>

#include "fakeor.h"

#define KEEPALIVE	": OPENROUTER PROCESSING\n\n"
#define DONE		"data: [DONE]\n\n"

static void
emit(struct plan *p, jv chunk)
{
	struct buf b = { NULL, 0, 0 };

	buf_addstr(&b, "data: ");
	buf_addjv(&b, chunk);
	buf_addstr(&b, "\n\n");
	plan_add(p, b.p, b.len);
	buf_free(&b);
}

static jv
head(const struct answer *a)
{
	return JV_OBJECT(jv_string("id"), jv_string(a->id),
	    jv_string("object"), jv_string("chat.completion.chunk"),
	    jv_string("created"), jv_number((double)a->created),
	    jv_string("model"), jv_string(a->model),
	    jv_string("provider"), jv_string(a->provider));
}

static jv
delta(const char *s, size_t n)
{
	return JV_OBJECT(jv_string("role"), jv_string("assistant"),
	    jv_string("content"), jv_string_sized(s, (int)n));
}

static jv
chunk(const struct answer *a, jv d, const char *finish)
{
	jv fr, ch;

	fr = finish ? jv_string(finish) : jv_null();
	ch = JV_OBJECT(jv_string("index"), jv_number(0), jv_string("delta"), d,
	    jv_string("finish_reason"), jv_copy(fr),
	    jv_string("native_finish_reason"), fr);
	return jv_object_set(head(a), jv_string("choices"), JV_ARRAY(ch));
}

/* Real deltas are a few tokens each; a huge echo still takes ~48. */
static size_t
next_piece(const struct answer *a, size_t off)
{
	size_t step, end;

	step = a->textlen / 48;
	if (step < 6)
		step = 6;
	if ((end = off + step) >= a->textlen)
		return a->textlen;
	end = utf8_floor(a->text, end);
	return end > off ? end : a->textlen;
}

static int
breaks(const struct action *act)
{
	return action_is(act, "midstream-error") ||
	    action_is(act, "error200") || action_is(act, "choiceerror") ||
	    action_is(act, "stall") || action_is(act, "cut") ||
	    action_is(act, "truncated");
}

/* truncated: half the next event, then a clean end: no [DONE]. */
static void
half_event(struct plan *p, const struct answer *a, size_t off)
{
	struct buf b = { NULL, 0, 0 };
	size_t end;

	buf_addstr(&b, "data: ");
	if (off < a->textlen) {
		end = next_piece(a, off);
		buf_addjv(&b, chunk(a, delta(a->text + off, end - off), NULL));
	} else
		buf_addjv(&b, chunk(a, delta("", 0), a->finish));
	plan_add(p, b.p, b.len / 2);
	buf_free(&b);
}

/* The observed mid-stream error: top-level error, finish null, usage. */
static void
midstream_error(struct plan *p, const struct answer *a,
    const struct action *act, size_t sent)
{
	jv c;

	if (action_is(act, "error200"))
		c = jv_object_set(head(a), jv_string("error"), chat_error(act,
		    502, "Provider returned error", 1));
	else
		c = jv_object_set(head(a), jv_string("error"),
		    chat_midstream_error(act));
	c = jv_object_set(c, jv_string("choices"), JV_ARRAY(JV_OBJECT(
	    jv_string("index"), jv_number(0),
	    jv_string("delta"), delta("", 0),
	    jv_string("finish_reason"), jv_null(),
	    jv_string("native_finish_reason"), jv_null())));
	c = jv_object_set(c, jv_string("usage"), chat_usage(a,
	    sent == 0 ? 0 : (long)((sent + 3) / 4)));
	emit(p, c);
	plan_addstr(p, DONE);
}

/* The documented form: finish_reason "error", and the stream just ends. */
static void
documented_error(struct plan *p, const struct answer *a,
    const struct action *act)
{
	jv c;

	c = jv_object_set(head(a), jv_string("error"), chat_error(act, 502,
	    "Provider returned error", 1));
	c = jv_object_set(c, jv_string("choices"), JV_ARRAY(JV_OBJECT(
	    jv_string("index"), jv_number(0),
	    jv_string("delta"), JV_OBJECT(jv_string("content"),
	    jv_string("")),
	    jv_string("finish_reason"), jv_string("error"))));
	emit(p, c);
}

static void
fail(struct plan *p, const struct answer *a, const struct action *act,
    size_t sent)
{
	if (action_is(act, "stall"))
		plan_end(p, END_STALL, act->arg ? atol(act->arg) : 1000);
	else if (action_is(act, "cut"))
		plan_end(p, END_CUT, 0);
	else if (action_is(act, "truncated"))
		half_event(p, a, sent);
	else if (action_is(act, "choiceerror"))
		documented_error(p, a, act);
	else
		midstream_error(p, a, act, sent);
}

static void
finish(struct plan *p, const struct answer *a)
{
	jv c;

	c = chunk(a, delta("", 0), a->finish);
	emit(p, jv_copy(c));
	emit(p, jv_object_set(c, jv_string("usage"),
	    chat_usage(a, a->ctok)));
	plan_addstr(p, DONE);
}

static void
keepalives(struct plan *p, long n, unsigned *seed)
{
	long i;

	for (i = 0; i < n; i++) {
		plan_addstr(p, KEEPALIVE);
		plan_pause(p, 2 + rand_r(seed) % 4);
	}
}

size_t
sse_plan(struct plan *p, const struct answer *a, const struct action *act,
    unsigned *seed)
{
	long n, failat = -1;
	size_t off, end;
	int ka;

	ka = action_is(act, "keepalive");
	keepalives(p, ka && act->arg ? atol(act->arg) : 1, seed);
	if (breaks(act))
		failat = action_is(act, "error200") ? 0 :
		    action_num(act, "after", 2);
	for (off = 0, n = 0; off < a->textlen; off = end, n++) {
		if (n == failat) {
			fail(p, a, act, off);
			return off;
		}
		end = next_piece(a, off);
		emit(p, chunk(a, delta(a->text + off, end - off), NULL));
		plan_pause(p, 1 + rand_r(seed) % 3);
		if (ka)
			keepalives(p, 1, seed);
	}
	if (failat >= 0) {
		fail(p, a, act, off);
		return off;
	}
	finish(p, a);
	return off;
}
