/*
 * xfer.c: one scheduler for curl multi (xfer.h).
 *
 * Every turn: a new signal asks the tool what it stops, the stops are
 * applied, finished records go out, input is taken while there is room,
 * what is due starts, and one poll waits for the next thing to happen.
 *
 * After a stop that leaves reading on, each record read is cancelled as
 * it comes, so it is done at once and goes out in its turn: the batch
 * streams through at the speed of reading, 2N records held at most.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "curlx.h"
#include "http.h"
#include "record.h"
#include "sigwake.h"
#include "util.h"
#include "xfer.h"

struct xfer {
	struct http		*http;
	const struct xfer_opts	*o;
	const struct xfer_hooks	*h;
	void			*ctx;
	CURLM			*multi;
	struct reader		*in;
	struct xfer_task	*head, *tail;	/* held, in input order */
	struct xfer_stats	 st;
	CURL			**idle;		/* handles to reuse */
	size_t			 nidle;
	int64_t			 next_start;	/* rate_ms: monotonic ms */
	int64_t			 hold_until;	/* a 429 slows everyone */
	int			 signals;	/* seen so far */
	int			 stop;		/* XFER_STOP_* given */
	int			 why;		/* XFER_WHY_*: the first stop's */
	int			 unreached;	/* in a row, none reached */
	int			 wake;		/* sigwake's fd */
	int			 watch_out;	/* stdout's reader may go */
	int			 status;
};

/* --- output ----------------------------------------------------------- */

static void
emit(struct xfer *x, struct xfer_task *t)
{
	int status = x->h->emit(x->ctx, t->req, t);

	if (status > x->status)
		x->status = status;
	if (t->prev)
		t->prev->next = t->next;
	else
		x->head = t->next;
	if (t->next)
		t->next->prev = t->prev;
	else
		x->tail = t->prev;
	x->st.held--;
	http_resp_free(&t->resp);
	free(t);
}

static void
emit_done(struct xfer *x)
{
	struct xfer_task *t, *next;

	for (t = x->head; t; t = next) {
		next = t->next;
		if (t->state == XFER_ST_DONE)
			emit(x, t);
		else if (!x->o->unordered)
			break;
	}
}

/* --- transfers -------------------------------------------------------- */

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct xfer_task *t = arg;
	struct xfer *x = t->x;

	t->last_byte = mono_ms();
	if (x->h->data == NULL || x->h->data(x->ctx, t->req, t, p, size * n))
		buf_add(&t->resp.body, p, size * n);
	return size * n;
}

static CURL *
get_handle(struct xfer *x)
{
	CURL *c;

	if (x->nidle > 0)
		return x->idle[--x->nidle];
	if ((c = http_handle(x->http)) == NULL)
		die(2, "cannot start libcurl");
	return c;
}

/* Out of the multi, and (code >= 0) what it told; back to the pool. */
static void
release(struct xfer *x, struct xfer_task *t, int code)
{
	curl_multi_remove_handle(x->multi, t->easy);
	if (code >= 0)
		http_done(t->easy, (CURLcode)code, &t->resp);
	x->idle[x->nidle++] = t->easy;
	t->easy = NULL;
	x->st.inflight--;
}

void
xfer_request(struct xfer_task *t, const char *path, const char *body,
    size_t len)
{
	http_setup(t->x->http, t->easy, path, body, len, &t->resp);
}

int
xfer_first(const struct xfer_task *t)
{
	return t->prev == NULL;
}

void
xfer_deadline(struct xfer_task *t, int64_t ms)
{
	t->deadline = mono_ms() + (ms > 0 ? ms : 1);
}

void
xfer_stall(struct xfer_task *t, int64_t ms)
{
	t->stall_ms = ms;
}

int
xfer_unreachable(const struct xfer_task *t)
{
	if (t->resp.status != 0)
		return 0;
	switch (t->resp.code) {
	case CURLE_COULDNT_RESOLVE_PROXY: case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT: case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM: case CURLE_SSL_CIPHER:
	case CURLE_PEER_FAILED_VERIFICATION: case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR: case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return 1;
	default:
		return 0;
	}
}

const char *
xfer_error(const struct xfer_task *t)
{
	if (t->resp.errbuf[0])
		return t->resp.errbuf;
	if (t->resp.code != CURLE_OK)
		return curl_easy_strerror(t->resp.code);
	return "no error";
}

const char *
xfer_content_type(const struct xfer_task *t)
{
	char *ct = NULL;

	if (t->easy == NULL || curl_easy_getinfo(t->easy,
	    CURLINFO_CONTENT_TYPE, &ct) != CURLE_OK)
		return NULL;
	return ct;
}

static void
start(struct xfer *x, struct xfer_task *t)
{
	t->easy = get_handle(x);
	t->deadline = 0;
	t->stall_ms = 0;
	x->h->setup(x->ctx, t->req, t);
	curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
	/*
	 * As curl --parallel: wait to multiplex rather than open more
	 * connections. Only over TLS, where ALPN tells HTTP/2 at once; on
	 * plain HTTP it would wait for the first whole answer.
	 */
	curl_easy_setopt(t->easy, CURLOPT_PIPEWAIT, x->o->pipewait ? 1L : 0L);
	t->t0 = t->last_byte = mono_ms();
	t->state = XFER_ST_FLIGHT;
	if (curl_multi_add_handle(x->multi, t->easy) != CURLM_OK)
		die(2, "curl_multi_add_handle failed");
	x->st.inflight++;
	x->st.started++;
}

/*
 * A server that refuses every connection would cost each record its
 * whole backoff: after enough failures in a row, with no answer of any
 * kind in between, nothing more is started.
 */
static void
count_unreached(struct xfer *x, const struct xfer_task *t)
{
	if (!xfer_unreachable(t)) {
		x->unreached = 0;
		return;
	}
	if (++x->unreached < x->o->unreachable_after ||
	    x->o->unreachable_after <= 0)
		return;
	if (!(x->stop & XFER_STOP_STARTS))
		x->why = XFER_WHY_UNREACHABLE;
	x->stop |= XFER_STOP_STARTS;
}

static void
finish(struct xfer *x, struct xfer_task *t, CURLcode code)
{
	int64_t wait = 0;
	int hold = 0;

	release(x, t, (int)code);
	if (x->h->finish(x->ctx, t->req, t, &wait, &hold) == XFER_LATER) {
		t->state = XFER_ST_READY;
		t->due = mono_ms() + wait;
		if (hold && t->due > x->hold_until)
			x->hold_until = t->due;
	} else
		t->state = XFER_ST_DONE;
	count_unreached(x, t);
}

static void
collect(struct xfer *x)
{
	CURLMsg *m;
	int left, running;
	char *t;

	if (curl_multi_perform(x->multi, &running) != CURLM_OK)
		die(2, "curl_multi_perform failed");
	while ((m = curl_multi_info_read(x->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &t);
		finish(x, (struct xfer_task *)t, m->data.result);
	}
}

/*
 * A transfer quiet this long, keep-alives and all, is dead. curl's own
 * low-speed check averages over seconds and would wait far longer. One
 * past the deadline its tool gave is ended too.
 */
static void
end_stalled(struct xfer *x)
{
	int64_t now = mono_ms(), quiet;
	struct xfer_task *t, *next;

	for (t = x->head; t; t = next) {
		next = t->next;
		if (t->state != XFER_ST_FLIGHT)
			continue;
		quiet = t->stall_ms > 0 ? t->stall_ms : x->o->stall_ms;
		if ((quiet > 0 && now - t->last_byte >= quiet) ||
		    (t->deadline > 0 && now >= t->deadline))
			finish(x, t, CURLE_OPERATION_TIMEDOUT);
	}
}

/* A transfer in flight is watched for silence: its own or the run's. */
static int
watching(const struct xfer *x)
{
	const struct xfer_task *t;

	if (x->st.inflight == 0)
		return 0;
	if (x->o->stall_ms > 0)
		return 1;
	for (t = x->head; t; t = t->next)
		if (t->state == XFER_ST_FLIGHT && t->stall_ms > 0)
			return 1;
	return 0;
}

/* ms until the first deadline of a transfer in flight, or -1. */
static int64_t
next_deadline(const struct xfer *x)
{
	int64_t now = mono_ms(), next = -1;
	const struct xfer_task *t;

	for (t = x->head; t; t = t->next)
		if (t->state == XFER_ST_FLIGHT && t->deadline > 0 &&
		    (next == -1 || t->deadline - now < next))
			next = t->deadline > now ? t->deadline - now : 0;
	return next;
}

/* The gate, when the tool has one: 1 to start now. */
static int
may_start(struct xfer *x, struct xfer_task *t, int64_t now)
{
	int64_t wait = 0;

	if (x->h->gate == NULL)
		return 1;
	switch (x->h->gate(x->ctx, t->req, t, &wait)) {
	case XFER_SEND:
		return 1;
	case XFER_LATER:
		/* 0: when a transfer ends, if one can */
		t->due = now + (wait > 0 ? wait : x->st.inflight ? 0 : 100);
		return 0;
	default:
		t->state = XFER_ST_DONE;
		return 0;
	}
}

/* Starts what may start now; returns ms until something may, or -1. */
static int64_t
start_ready(struct xfer *x)
{
	int64_t now = mono_ms(), next = -1, t;
	struct xfer_task *k;

	for (k = x->head; k && x->st.inflight < (size_t)x->o->parallel;
	    k = k->next) {
		if (k->state != XFER_ST_READY)
			continue;
		t = k->due > x->hold_until ? k->due : x->hold_until;
		if (x->o->rate_ms > 0 && x->next_start > t)
			t = x->next_start;
		if (t <= now && !may_start(x, k, now)) {
			if (k->state != XFER_ST_READY || k->due <= now)
				continue;	/* done, or asks again when a
						   transfer ends */
			t = k->due;
		}
		if (t > now) {
			if (next == -1 || t - now < next)
				next = t - now;
			continue;
		}
		start(x, k);
		if (x->o->rate_ms > 0)
			x->next_start = now + (int64_t)x->o->rate_ms;
	}
	return next;
}

/* --- input ------------------------------------------------------------ */

static void	cancel(struct xfer *, struct xfer_task *, int);

static void
hold_copy(struct xfer *x, struct rec *rec, int copy, int ncopies)
{
	struct xfer_task *t = xmalloc(sizeof(*t));

	memset(t, 0, sizeof(*t));
	t->x = x;
	t->copy = copy;
	t->ncopies = ncopies;
	t->state = x->h->prepare(x->ctx, rec, t, &t->req) == XFER_SEND ?
	    XFER_ST_READY : XFER_ST_DONE;
	t->prev = x->tail;
	if (x->tail)
		x->tail->next = t;
	else
		x->head = t;
	x->tail = t;
	x->st.held++;
	/* after a stop: done now, or it would wait a poll for apply_stop */
	if (t->state == XFER_ST_READY && (x->stop & XFER_STOP_STARTS))
		cancel(x, t, x->why);
}

/* A record, as many times as the tool sends it. */
static void
hold(struct xfer *x, struct rec *rec)
{
	int i, n = x->h->copies ? x->h->copies(x->ctx, rec) : 1;

	if (n < 1)
		n = 1;
	for (i = 0; i < n - 1; i++)
		hold_copy(x, rec_dup(rec), i, n);
	hold_copy(x, rec, n - 1, n);
}

static int
reading(const struct xfer *x)
{
	return x->in && !(x->stop & XFER_STOP_READING) &&
	    !rec_reader_eof(x->in);
}

static int
want_input(const struct xfer *x)
{
	return reading(x) && x->st.held < 2 * (size_t)x->o->parallel;
}

static void
take_input(struct xfer *x)
{
	struct rec *rec;

	while (want_input(x) && (rec = rec_take(x->in)) != NULL)
		hold(x, rec);
}

/* --- stopping --------------------------------------------------------- */

static void
cancel(struct xfer *x, struct xfer_task *t, int why)
{
	x->h->cancel(x->ctx, t->req, t, why);
	t->state = XFER_ST_DONE;
}

static void
apply_stop(struct xfer *x)
{
	struct xfer_task *t;
	struct rec *rec;

	for (t = x->head; t; t = t->next) {
		if (t->state == XFER_ST_READY && (x->stop & XFER_STOP_STARTS))
			cancel(x, t, x->why);
		else if (t->state == XFER_ST_FLIGHT &&
		    (x->stop & XFER_CANCEL_FLIGHT)) {
			release(x, t, -1);
			cancel(x, t, XFER_WHY_INFLIGHT);
		}
	}
	if (!(x->stop & XFER_STOP_READING))
		return;
	/* Whole lines already read are records too: none is lost. */
	while (x->in && (rec = rec_take(x->in)) != NULL)
		hold(x, rec);
}

/* --- the loop --------------------------------------------------------- */

static void
wait_for_work(struct xfer *x, int64_t timeout)
{
	struct curl_waitfd fds[3];
	unsigned n = 0, in = 0;
	int64_t d;
	int r;

	if (x->wake >= 0) {
		fds[n].fd = x->wake;
		fds[n].events = CURL_WAIT_POLLIN;
		fds[n++].revents = 0;
	}
	if (want_input(x)) {
		in = n;
		fds[n].fd = rec_reader_fd(x->in);
		fds[n].events = CURL_WAIT_POLLIN;
		fds[n++].revents = 0;
	}
	/* No events asked: poll still wakes on POLLERR, a reader gone. */
	if (x->watch_out) {
		fds[n].fd = STDOUT_FILENO;
		fds[n].events = 0;
		fds[n++].revents = 0;
	}
	if (x->o->tick_ms > 0 && (timeout < 0 || timeout > x->o->tick_ms))
		timeout = x->o->tick_ms;
	if (watching(x) && (timeout < 0 || timeout > 100))
		timeout = 100;	/* to notice a stall */
	if ((d = next_deadline(x)) >= 0 && (timeout < 0 || timeout > d))
		timeout = d;
	if (timeout < 0 || timeout > 1000)
		timeout = 1000;
	if (curl_multi_poll(x->multi, fds, n, (int)timeout, &r) != CURLM_OK)
		die(2, "curl_multi_poll failed");
	if (x->watch_out)
		out_check_reader();
	if (x->wake >= 0 && fds[0].revents)
		sigwake_drain();
	if (want_input(x) && fds[in].revents)
		rec_fill(x->in);
}

static int
busy(const struct xfer *x)
{
	return x->st.held > 0 || reading(x);
}

static void
tick(struct xfer *x, int last)
{
	if (x->h->tick)
		x->h->tick(x->ctx, &x->st, last);
}

static void
loop(struct xfer *x)
{
	int64_t next;
	int stop;

	while (busy(x)) {
		if (x->h->signal && sigwake_count() > x->signals) {
			x->signals = sigwake_count();
			stop = x->h->signal(x->ctx, x->signals);
			if (!(x->stop & XFER_STOP_STARTS))
				x->why = XFER_WHY_SIGNAL;
			x->stop |= stop;
		}
		if (x->stop)
			apply_stop(x);
		emit_done(x);
		take_input(x);
		next = x->stop & XFER_STOP_STARTS ? -1 : start_ready(x);
		emit_done(x);
		tick(x, 0);
		if (!busy(x))
			break;
		if (want_input(x) && rec_reader_ready(x->in))
			continue;
		/* Nothing else to wait for: unless stdout's reader may go,
		 * or a signal come, which a blocking read would not notice
		 * (signals restart it: see sigwake_catch). */
		if (x->st.inflight == 0 && next == -1 && want_input(x) &&
		    !x->watch_out && x->wake < 0) {
			rec_fill(x->in);
			continue;
		}
		wait_for_work(x, next);
		collect(x);
		end_stalled(x);
	}
	tick(x, 1);
}

int
xfer_run(struct http *http, const struct xfer_opts *o,
    const struct xfer_hooks *h, void *ctx, struct reader *in,
    struct rec **recs, size_t nrecs)
{
	struct xfer x;
	size_t i;

	memset(&x, 0, sizeof(x));
	x.http = http;
	x.o = o;
	x.h = h;
	x.ctx = ctx;
	x.in = in;
	x.idle = xmalloc(sizeof(*x.idle) * (size_t)o->parallel);
	if ((x.multi = curl_multi_init()) == NULL)
		die(2, "cannot start libcurl");
	curl_multi_setopt(x.multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    (long)o->parallel);
	curl_multi_setopt(x.multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	x.wake = h->signal ? sigwake_catch() : -1;
	/* Only a filter writes records as it goes (or-models's endpoints
	 * collect theirs first). */
	x.watch_out = in != NULL && out_watchable();
	for (i = 0; i < nrecs; i++)
		hold(&x, recs[i]);
	loop(&x);
	while (x.nidle > 0)
		curl_easy_cleanup(x.idle[--x.nidle]);
	free(x.idle);
	curl_multi_cleanup(x.multi);
	if (h->signal)
		sigwake_close();
	return x.status;
}
