/*
 * plan.c: a response body laid out in advance, with pauses at chosen
 * offsets, then handed out by an MHD content reader.  A pause suspends
 * the connection (wake.c) and the reader returns 0; MHD calls it again
 * when the pause is over, so pacing holds up no other connection.
 * With chop set, bytes go out in pieces of random length, so that a
 * client sees SSE events split anywhere: inside "data:", inside a
 * multi-byte character, between the two newlines.
 */

#include <stdlib.h>
#include <string.h>

#include "fakeor.h"

#define SMALL_BODY	(256 * 1024)	/* pace every piece below this */

struct mark {
	size_t	at;
	long	ms;
};

struct plan {
	struct buf	 b;
	struct mark	*marks;
	size_t		 nmarks, next;
	size_t		 off;
	int		 chop;
	unsigned	 seed;
	enum plan_end	 end;
	long		 endms, total;
	long		 drip;		/* every pause this long instead */
	int		 rested;	/* the pause before off is over */
	struct MHD_Connection *conn;
};

struct plan *
plan_new(unsigned seed, int chop)
{
	struct plan *p;

	p = xmalloc(sizeof(*p));
	memset(p, 0, sizeof(*p));
	p->seed = seed;
	p->chop = chop;
	p->end = END_OK;
	return p;
}

void
plan_add(struct plan *p, const char *s, size_t n)
{
	buf_add(&p->b, s, n);
}

void
plan_addstr(struct plan *p, const char *s)
{
	buf_add(&p->b, s, strlen(s));
}

/* drip=MS: a slow answer that never stalls, every pause MS long. */
void
plan_drip(struct plan *p, long ms)
{
	p->drip = ms;
}

void
plan_pause(struct plan *p, long ms)
{
	if (ms <= 0)
		return;
	if (p->drip > 0)
		ms = p->drip;
	p->total += ms;
	if (p->nmarks > 0 && p->marks[p->nmarks - 1].at == p->b.len) {
		p->marks[p->nmarks - 1].ms += ms;
		return;
	}
	p->marks = xrealloc(p->marks, (p->nmarks + 1) * sizeof(*p->marks));
	p->marks[p->nmarks].at = p->b.len;
	p->marks[p->nmarks++].ms = ms;
}

/* How the body ends once every byte is out: cleanly, cut, or late. */
void
plan_end(struct plan *p, enum plan_end how, long ms)
{
	p->end = how;
	p->endms = ms;
	if (how == END_STALL)
		p->total += ms;
}

long
plan_ms(const struct plan *p)
{
	return p->total;
}

static void
plan_free(void *cls)
{
	struct plan *p = cls;

	buf_free(&p->b);
	free(p->marks);
	free(p);
}

static ssize_t
plan_finish(struct plan *p)
{
	if (p->end == END_CUT)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (p->end == END_STALL) {
		p->end = END_OK;
		if (wake_after(p->conn, p->endms))
			return 0;
	}
	return MHD_CONTENT_READER_END_OF_STREAM;
}

static size_t
piece_len(struct plan *p)
{
	size_t most;

	most = p->b.len / 2048;
	if (most < 48)
		most = 48;
	return 1 + (size_t)rand_r(&p->seed) % most;
}

/* The pause due before the byte at off: a chopped piece's, the marks'. */
static long
pause_due(struct plan *p)
{
	long ms = 0;

	if (p->chop && p->off > 0 && p->b.len <= SMALL_BODY)
		ms = 1;
	while (p->next < p->nmarks && p->marks[p->next].at == p->off)
		ms += p->marks[p->next++].ms;
	return ms;
}

static ssize_t
plan_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct plan *p = cls;
	size_t n, k, lim;

	(void)pos;
	if (!p->rested) {
		p->rested = 1;
		if (!stopping && wake_after(p->conn, pause_due(p)))
			return 0;
	}
	if (stopping)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (p->off == p->b.len)
		return plan_finish(p);
	lim = p->next < p->nmarks ? p->marks[p->next].at : p->b.len;
	n = lim - p->off;
	if (p->chop && (k = piece_len(p)) < n)
		n = k;
	if (n > max)
		n = max;
	memcpy(out, p->b.p + p->off, n);
	p->off += n;
	p->rested = 0;
	return (ssize_t)n;
}

struct MHD_Response *
plan_response(struct plan *p, struct MHD_Connection *conn)
{
	p->conn = conn;
	return MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024,
	    plan_read, p, plan_free);
}
