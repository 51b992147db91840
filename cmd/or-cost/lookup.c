/*
 * lookup.c: GET /generation for many records at once over one curl
 * multi handle, written out in input order.
 *
 * /generation answers 404 for a while after a request completes: a 404
 * is looked up again after a backoff (the base doubling, at most
 * BACKOFF_MAX_MS), requeued with a due time and never slept on, until
 * the record's --wait is spent; then the response's own usage.cost is
 * used, with a warning. Input is read only while fewer than 2N records
 * are held, so memory stays bounded.
 *
 * SIGINT or SIGTERM ends the lookups: every record held, and every one
 * still to come (an or-send before us writes what it held), goes out
 * with its usage.cost, so none is lost. A second one stops reading too,
 * after the whole lines already read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cost.h"
#include "curlx.h"
#include "http.h"
#include "jvx.h"
#include "record.h"
#include "sigwake.h"
#include "util.h"

enum { J_READY, J_FLIGHT, J_DONE };

#define STOPPED	"/generation: interrupted; usage.cost used"

struct job {
	struct rec	*rec;
	char		*id;		/* the generation id */
	int		 state;
	int		 tries;
	int64_t		 first;		/* monotonic ms of the first lookup */
	int64_t		 due;		/* monotonic ms: not before */
	CURL		*easy;
	struct http_resp resp;
	struct job	*next;
};

struct lookups {
	struct run	*r;
	CURLM		*multi;
	struct reader	*in;
	struct job	*head, *tail;
	size_t		 held, inflight;
	CURL		**idle;
	size_t		 nidle;
	int		 stopped;	/* signals seen */
	int		 wake;		/* sigwake's fd */
	unsigned long	 nstopped;	/* records costed without lookup */
};

static void
job_free(struct job *j)
{
	free(j->id);
	http_resp_free(&j->resp);
	free(j);
}

static void
emit_done(struct lookups *l)
{
	struct job *j;

	while ((j = l->head) != NULL && j->state == J_DONE) {
		l->head = j->next;
		if (l->head == NULL)
			l->tail = NULL;
		l->held--;
		put(l->r, j->rec);
		job_free(j);
	}
}

/* The response's own figure, and a line saying why. */
static void
fall_back(struct job *j, const char *why)
{
	jv w = rec_where(j->rec);
	jv note = jv_string_fmt("/generation: %s; usage.cost used", why);

	warnx_("%s: %s: %s", jv_string_value(w), j->id,
	    jv_string_value(note));
	rec_add(j->rec, "cost", cost_from_usage(j->rec,
	    jv_string_value(note)));
	jv_free(note);
	jv_free(w);
	j->state = J_DONE;
}

static void
hold(struct lookups *l, struct rec *rec)
{
	struct job *j = xmalloc(sizeof(*j));

	memset(j, 0, sizeof(*j));
	j->rec = rec;
	j->state = J_DONE;
	if (cost_wanted(l->r, rec)) {
		if (cost_is_cached(rec))
			rec_add(rec, "cost", cost_from_cache(rec));
		else if ((j->id = cost_gen_id(rec)) == NULL)
			rec_add(rec, "cost", cost_from_usage(rec,
			    "no response.id to look up; usage.cost used"));
		else if (l->stopped) {
			rec_add(rec, "cost", cost_from_usage(rec, STOPPED));
			l->nstopped++;
		} else
			j->state = J_READY;
	}
	if (l->tail)
		l->tail->next = j;
	else
		l->head = j;
	l->tail = j;
	l->held++;
}

static void
start(struct lookups *l, struct job *j)
{
	char *esc, *path;
	size_t n;

	if (l->nidle > 0)
		j->easy = l->idle[--l->nidle];
	else if ((j->easy = http_handle(l->r->http)) == NULL)
		die(2, "cannot start libcurl");
	esc = curl_easy_escape(j->easy, j->id, 0);
	if (esc == NULL)
		die(2, "out of memory");
	n = strlen(esc) + sizeof("/generation?id=");
	path = xmalloc(n);
	snprintf(path, n, "/generation?id=%s", esc);
	curl_free(esc);
	http_setup(l->r->http, j->easy, path, NULL, 0, &j->resp);
	free(path);
	curl_easy_setopt(j->easy, CURLOPT_PRIVATE, j);
	if (j->tries++ == 0)
		j->first = mono_ms();
	j->state = J_FLIGHT;
	if (curl_multi_add_handle(l->multi, j->easy) != CURLM_OK)
		die(2, "curl_multi_add_handle failed");
	l->inflight++;
}

/* The next wait, or -1 when it would go past --wait. */
static int64_t
backoff(struct lookups *l, struct job *j, int server)
{
	int64_t w, left;

	if (server)
		w = http_retry_wait(&l->r->cfg, &j->resp, j->tries);
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

static void
requeue(struct job *j, int64_t wait)
{
	j->state = J_READY;
	j->due = mono_ms() + wait;
}

static void
result(struct lookups *l, struct job *j)
{
	jv body, err = http_error(&j->resp, &body);
	jv data = jvx_get(jv_copy(body), "data");
	jv msg;
	int64_t wait;
	char why[256];

	if (!jv_is_valid(err) && jv_get_kind(data) == JV_KIND_OBJECT) {
		rec_add(j->rec, "cost", cost_from_generation(j->rec, data));
		j->state = J_DONE;
		jv_free(body);
		return;
	}
	jv_free(data);
	jv_free(body);
	if (!jv_is_valid(err))
		err = rec_errobj("bad_response", "no \"data\" object", 1);
	if (j->resp.status == 404 && (wait = backoff(l, j, 0)) >= 0)
		requeue(j, wait);
	else if (j->resp.status != 404 && http_should_retry(err) &&
	    (wait = backoff(l, j, 1)) >= 0)
		requeue(j, wait);
	else {
		msg = jvx_get(jv_copy(err), "message");
		if (j->resp.status == 404)
			snprintf(why, sizeof(why), "not found after %.1fs",
			    (double)(mono_ms() - j->first) / 1000);
		else
			snprintf(why, sizeof(why), "%s%.200s", j->resp.status ?
			    "HTTP error: " : "", jv_get_kind(msg) ==
			    JV_KIND_STRING ? jv_string_value(msg) : "failed");
		jv_free(msg);
		fall_back(j, why);
	}
	jv_free(err);
}

static void
collect(struct lookups *l)
{
	CURLMsg *m;
	int left, running;
	char *p;
	struct job *j;

	if (curl_multi_perform(l->multi, &running) != CURLM_OK)
		die(2, "curl_multi_perform failed");
	while ((m = curl_multi_info_read(l->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &p);
		j = (struct job *)p;
		curl_multi_remove_handle(l->multi, j->easy);
		http_done(j->easy, m->data.result, &j->resp);
		l->idle[l->nidle++] = j->easy;
		j->easy = NULL;
		l->inflight--;
		result(l, j);
	}
}

/* Starts what may start now; returns ms until something may, or -1. */
static int64_t
start_ready(struct lookups *l)
{
	int64_t now = mono_ms(), next = -1;
	struct job *j;

	for (j = l->head; j && l->inflight < (size_t)l->r->parallel;
	    j = j->next) {
		if (j->state != J_READY)
			continue;
		if (j->due > now) {
			if (next == -1 || j->due - now < next)
				next = j->due - now;
			continue;
		}
		start(l, j);
	}
	return next;
}

static int
want_input(struct lookups *l)
{
	return !rec_reader_eof(l->in) && l->held < 2 * (size_t)l->r->parallel;
}

static void
take_input(struct lookups *l)
{
	struct rec *rec;

	while (want_input(l) && (rec = rec_take(l->in)) != NULL)
		hold(l, rec);
}

static void
wait_for_work(struct lookups *l, int64_t timeout)
{
	struct curl_waitfd fds[2];
	unsigned n = 1;
	int r;

	fds[0].fd = l->wake;
	fds[0].events = CURL_WAIT_POLLIN;
	fds[0].revents = 0;
	if (want_input(l)) {
		fds[1].fd = rec_reader_fd(l->in);
		fds[1].events = CURL_WAIT_POLLIN;
		fds[1].revents = 0;
		n = 2;
	}
	if (timeout < 0 || timeout > 1000)
		timeout = 1000;
	if (curl_multi_poll(l->multi, fds, n, (int)timeout, &r) != CURLM_OK)
		die(2, "curl_multi_poll failed");
	if (fds[0].revents)
		sigwake_drain();
	if (n > 1 && fds[1].revents)
		rec_fill(l->in);
}

/* A signal: what is held goes out with the usage's figure. */
static void
stop(struct lookups *l)
{
	struct job *j;

	for (j = l->head; j; j = j->next) {
		if (j->state == J_FLIGHT) {
			curl_multi_remove_handle(l->multi, j->easy);
			l->idle[l->nidle++] = j->easy;
			j->easy = NULL;
			l->inflight--;
		}
		if (j->state != J_DONE) {
			rec_add(j->rec, "cost", cost_from_usage(j->rec,
			    STOPPED));
			j->state = J_DONE;
			l->nstopped++;
		}
	}
}

/* A second signal: the whole lines read are the last records. */
static void
stop_reading(struct lookups *l)
{
	struct rec *rec;

	while ((rec = rec_take(l->in)) != NULL)
		hold(l, rec);
	emit_done(l);
}

void
lookup_run(struct run *r, struct reader *in)
{
	struct lookups l;
	int64_t next;

	memset(&l, 0, sizeof(l));
	l.r = r;
	l.in = in;
	l.idle = xmalloc(sizeof(*l.idle) * (size_t)r->parallel);
	if ((l.multi = curl_multi_init()) == NULL)
		die(2, "cannot start libcurl");
	curl_multi_setopt(l.multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    (long)r->parallel);
	curl_multi_setopt(l.multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	l.wake = sigwake_catch();
	while (l.held > 0 || !rec_reader_eof(in)) {
		if (sigwake_count() > l.stopped) {
			if (l.stopped == 0)
				stop(&l);
			l.stopped = sigwake_count();
		}
		if (l.stopped > 1) {
			stop_reading(&l);
			break;
		}
		take_input(&l);
		next = start_ready(&l);
		emit_done(&l);
		if (l.held == 0 && rec_reader_eof(in))
			break;
		if (want_input(&l) && rec_reader_ready(in))
			continue;
		if (l.inflight == 0 && next == -1 && want_input(&l)) {
			rec_fill(in);	/* nothing else to wait for */
			continue;
		}
		wait_for_work(&l, next);
		collect(&l);
	}
	if (l.stopped)
		warnx_("interrupted: %lu records costed from usage.cost, "
		    "without /generation", l.nstopped);
	while (l.nidle > 0)
		curl_easy_cleanup(l.idle[--l.nidle]);
	free(l.idle);
	curl_multi_cleanup(l.multi);
	sigwake_close();
}
