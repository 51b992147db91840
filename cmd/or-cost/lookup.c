/*
 * lookup.c: GET /generation for many records at once, as lib/xfer's
 * hooks, written out in input order.
 *
 * /generation answers 404 for a while after a request completes: a 404
 * is looked up again after a backoff (the base doubling, at most
 * BACKOFF_MAX_MS), requeued with a due time and never slept on, until
 * the record's --wait is spent; then the response's own usage.cost is
 * used, with a warning. --wait bounds each lookup too: one that connects
 * and never answers ends when what is left of it is spent. Input is read
 * only while fewer than 2N records are held, so memory stays bounded.
 *
 * A lookup that never reached the server (refused, DNS, TLS) is not
 * made again: its record takes the usage's figure at once, and after
 * XFER_UNREACHABLE_AFTER in a row lib/xfer starts no more, so every
 * record left takes it too, with one line on stderr.
 *
 * SIGINT or SIGTERM ends the lookups: every record held, and every one
 * still to come (an or-send before us writes every record too), goes out
 * with its usage.cost, so none is lost. A second one stops reading too,
 * after the whole lines already read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "http.h"
#include "jvx.h"
#include "record.h"
#include "util.h"
#include "xfer.h"

#define STOPPED		"/generation: interrupted"
#define UNREACHED	"/generation: not asked, the API could not be reached"

/* One record's lookups: written here only; the transfer is xfer's. */
struct job {
	struct rec	*rec;
	const struct xfer_task *xf;	/* its transfer: read only */
	char		*id;		/* the generation id */
	int		 tries;
	int64_t		 first;		/* monotonic ms of the first lookup */
};

struct lookups {
	struct run	*r;
	int		 stopped;	/* signals seen */
	unsigned long	 nstopped;	/* records costed without lookup */
	unsigned long	 nunreached;	/* the same, the API unreachable */
	char		 unreached[256];	/* the last such error */
};

static int
emit(void *ctx, void *req, const struct xfer_task *t)
{
	struct job *j = req;
	int status = j->rec->failed ? 1 : 0;

	(void)t;
	put(((struct lookups *)ctx)->r, j->rec);
	free(j->id);
	free(j);
	return status;
}

/* The response's own figure, and a line saying why. */
static void
fall_back(struct job *j, const char *why)
{
	jv w = rec_where(j->rec);
	jv lead = jv_string_fmt("/generation: %s", why);
	jv c = cost_from_usage(j->rec, jv_string_value(lead));
	jv note = jvx_get(jv_copy(c), "note");

	warnx_("%s: %s: %s", jv_string_value(w), j->id,
	    jv_string_value(note));
	rec_add(j->rec, "cost", c);
	jv_free(note);
	jv_free(lead);
	jv_free(w);
}

static int
prepare(void *ctx, struct rec *rec, const struct xfer_task *t, void **req)
{
	struct lookups *l = ctx;
	struct job *j = xmalloc(sizeof(*j));
	int send = 0;

	memset(j, 0, sizeof(*j));
	j->rec = rec;
	j->xf = t;
	*req = j;
	if (cost_wanted(l->r, rec)) {
		if (cost_is_cached(rec))
			rec_add(rec, "cost", cost_from_cache(rec));
		else if ((j->id = cost_gen_id(rec)) == NULL)
			rec_add(rec, "cost", cost_from_usage(rec,
			    "no response.id to look up"));
		else if (l->stopped) {
			rec_add(rec, "cost", cost_from_usage(rec, STOPPED));
			l->nstopped++;
		} else
			send = 1;
	}
	return send ? XFER_SEND : XFER_DONE;
}

static void
setup(void *ctx, void *req, struct xfer_task *t)
{
	struct lookups *l = ctx;
	struct job *j = req;
	char *esc, *path;
	size_t n;

	esc = http_escape(j->id);
	n = strlen(esc) + sizeof("/generation?id=");
	path = xmalloc(n);
	snprintf(path, n, "/generation?id=%s", esc);
	free(esc);
	xfer_request(t, path, NULL, 0);
	free(path);
	if (j->tries++ == 0)
		j->first = mono_ms();
	/* a server that never answers costs no more than --wait */
	xfer_deadline(t, l->r->wait_ms - (mono_ms() - j->first));
}

/* The next wait, or -1 when it would go past --wait. */
static int64_t
backoff(struct lookups *l, struct job *j, int server)
{
	int64_t w, left;

	if (server)
		w = http_retry_wait(&l->r->cfg, &j->xf->resp, j->tries);
	else {
		w = l->r->cfg.retry_base_ms << (j->tries < 20 ? j->tries - 1 :
		    19);
		if (w > BACKOFF_MAX_MS)
			w = BACKOFF_MAX_MS;
	}
	left = l->r->wait_ms - (mono_ms() - j->first);
	if (left <= 0)
		return -1;
	return w < left ? w : left;
}

static int
finish(void *ctx, void *req, const struct xfer_task *t, int64_t *wait,
    int *hold)
{
	struct lookups *l = ctx;
	struct job *j = req;
	jv body, err = http_error(&t->resp, &body);
	jv data = jvx_get(jv_copy(body), "data");
	jv msg;
	int again = 0;
	char why[256];

	(void)hold;
	if (!jv_is_valid(err) && jv_get_kind(data) == JV_KIND_OBJECT) {
		rec_add(j->rec, "cost", cost_from_generation(j->rec, data));
		jv_free(body);
		return XFER_DONE;
	}
	jv_free(data);
	jv_free(body);
	if (!jv_is_valid(err))
		err = rec_errobj("bad_response", "no \"data\" object", 1);
	if (xfer_unreachable(t)) {
		snprintf(l->unreached, sizeof(l->unreached), "%s",
		    xfer_error(t));
		snprintf(why, sizeof(why), "the API could not be reached "
		    "(%.200s)", l->unreached);
		fall_back(j, why);
	} else if (t->resp.status == 0 && t->resp.code ==
	    CURLE_OPERATION_TIMEDOUT) {
		snprintf(why, sizeof(why), "no answer after %.1fs",
		    (double)(mono_ms() - j->first) / 1000);
		fall_back(j, why);
	} else if (t->resp.status == 404 && (*wait = backoff(l, j, 0)) >= 0)
		again = 1;	/* NOLINT(bugprone-branch-clone): each its backoff */
	else if (t->resp.status != 404 && http_should_retry(err) &&
	    (*wait = backoff(l, j, 1)) >= 0)
		again = 1;
	else {
		msg = jvx_get(jv_copy(err), "message");
		if (t->resp.status == 404)
			snprintf(why, sizeof(why), "not found after %.1fs",
			    (double)(mono_ms() - j->first) / 1000);
		else
			snprintf(why, sizeof(why), "%s%.200s", t->resp.status ?
			    "HTTP error: " : "", jv_get_kind(msg) ==
			    JV_KIND_STRING ? jv_string_value(msg) : "failed");
		jv_free(msg);
		fall_back(j, why);
	}
	jv_free(err);
	return again ? XFER_LATER : XFER_DONE;
}

/* A stop: what is held goes out with the usage's figure. */
static void
cancel(void *ctx, void *req, const struct xfer_task *t, int why)
{
	struct lookups *l = ctx;
	struct job *j = req;

	(void)t;
	if (why == XFER_WHY_UNREACHABLE) {
		rec_add(j->rec, "cost", cost_from_usage(j->rec, UNREACHED));
		l->nunreached++;
		return;
	}
	rec_add(j->rec, "cost", cost_from_usage(j->rec, STOPPED));
	l->nstopped++;
}

/* The first signal ends the lookups; a second one the reading too. */
static int
on_signal(void *ctx, int count)
{
	((struct lookups *)ctx)->stopped = count;
	return XFER_STOP_STARTS | XFER_CANCEL_FLIGHT |
	    (count > 1 ? XFER_STOP_READING : 0);
}

static const struct xfer_hooks hooks = {
	.prepare = prepare,
	.setup = setup,
	.finish = finish,
	.cancel = cancel,
	.signal = on_signal,
	.emit = emit,
};

int
lookup_run(struct run *r, struct reader *in)
{
	struct lookups l;
	struct xfer_opts o;
	int status;

	memset(&l, 0, sizeof(l));
	l.r = r;
	memset(&o, 0, sizeof(o));
	o.parallel = r->parallel;
	o.unreachable_after = XFER_UNREACHABLE_AFTER;
	status = xfer_run(r->http, &o, &hooks, &l, in, NULL, 0);
	if (l.nunreached > 0)
		warnx_("the API could not be reached, %d lookups in a row "
		    "(%s): %lu more records costed from usage.cost, without "
		    "/generation", XFER_UNREACHABLE_AFTER, l.unreached,
		    l.nunreached);
	if (l.stopped)
		warnx_("interrupted: %lu records costed from usage.cost, "
		    "without /generation", l.nstopped);
	return status;
}
