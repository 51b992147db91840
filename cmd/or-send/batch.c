/*
 * batch.c: many records in flight at once over one curl multi handle,
 * written out in input order.
 *
 * No threads: one poll waits on the transfers, on stdin (read only while
 * fewer than 2N records are held, so memory stays bounded) and on a
 * self-pipe the signal handler writes to. A retry is requeued with a due
 * time and never slept on, so one 429 does not stall the other transfers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "curlx.h"
#include "http.h"
#include "record.h"
#include "send.h"
#include "sigwake.h"
#include "stream.h"
#include "util.h"

struct batch {
	struct sender		*s;
	const struct batch_opts	*o;
	CURLM			*multi;
	struct reader		*in;
	struct job		*head, *tail;	/* held, in input order */
	size_t			 held, inflight;
	CURL			**idle;		/* handles to reuse */
	size_t			 nidle;
	int64_t			 next_start;	/* --rate: monotonic ms */
	int64_t			 hold_until;	/* a 429 slows everyone */
	int			 stopping;	/* signals seen */
	int			 wake;		/* sigwake's fd */
	int			 status;
	/* progress */
	int64_t			 t_begin, t_drawn;
	unsigned long		 ndone, nfailed, nreq, ninterrupted;
	double			 usd;
	int			 tty;
};

/* --- progress --------------------------------------------------------- */

static struct batch *progress_of;	/* for before_msg */

static void
progress_clear(void)
{
	if (progress_of && progress_of->tty)
		fputs("\r\033[K", stderr);
}

static void
progress_draw(struct batch *b, int last)
{
	int64_t now = mono_ms(), secs = (now - b->t_begin) / 1000;
	double rate;

	if (!b->o->progress || (!last && now - b->t_drawn <
	    (b->tty ? 250 : 1000)))
		return;
	b->t_drawn = now;
	rate = now > b->t_begin ? b->nreq * 1000.0 / (double)(now -
	    b->t_begin) : 0;
	fprintf(stderr, "%sor-send: %lu done, %lu failed, %zu in flight, "
	    "%.1f req/s, %d:%02d, $%.6f%s", b->tty ? "\r\033[K" : "",
	    b->ndone, b->nfailed, b->inflight, rate, (int)(secs / 60),
	    (int)(secs % 60), b->usd, b->tty && !last ? "" : "\n");
	fflush(stderr);
}

/* --- output ----------------------------------------------------------- */

static void
print_text(struct batch *b, struct job *j)
{
	char *text = send_text(j->rec);
	size_t n = strlen(text);

	(void)b;
	errno = 0;
	if (j->printed < n)
		out_put(text + j->printed, n - j->printed);
	out_put("\n", 1);
	free(text);
	out_end();
}

static void
emit(struct batch *b, struct job *j)
{
	if (j->rec->failed)
		b->status = 1, b->nfailed++;
	b->ndone++;
	b->usd += j->usd;
	if (j->reasoned)
		fputc('\n', stderr);	/* the reasoning ends its line */
	if (b->s->textmode) {
		if (!j->rec->failed || j->printed)
			print_text(b, j);
	} else
		rec_emit(j->rec);
	if (j->prev)
		j->prev->next = j->next;
	else
		b->head = j->next;
	if (j->next)
		j->next->prev = j->prev;
	else
		b->tail = j->prev;
	b->held--;
	send_job_free(j);
}

static void
emit_done(struct batch *b)
{
	struct job *j, *next;

	for (j = b->head; j; j = next) {
		next = j->next;
		if (j->state == JOB_DONE)
			emit(b, j);
		else if (!b->o->unordered)
			break;
	}
}

/* --- transfers -------------------------------------------------------- */

static void
on_text(void *arg, const char *p, size_t n)
{
	struct job *j = arg;

	if (j->ttft < 0)
		j->ttft = mono_ms() - j->t0;
	if (j->live) {
		errno = 0;
		out_put(p, n);
		out_end();
		j->printed += n;
	}
}

static void
on_reasoning(void *arg, const char *p, size_t n)
{
	struct job *j = arg;

	if (j->ttft < 0)
		j->ttft = mono_ms() - j->t0;
	if (j->live == 2) {
		fwrite(p, 1, n, stderr);
		fflush(stderr);
		j->reasoned = 1;
	}
}

/* The body goes to the stream parser when it is one, else to a buffer. */
static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct job *j = arg;
	char *ct = NULL;

	j->last_byte = mono_ms();
	if (j->is_sse == -1) {
		curl_easy_getinfo(j->easy, CURLINFO_CONTENT_TYPE, &ct);
		j->is_sse = j->st && ct &&
		    strncmp(ct, "text/event-stream", 17) == 0;
	}
	if (j->is_sse)
		stream_feed(j->st, p, size * n);
	else
		buf_add(&j->resp.body, p, size * n);
	return size * n;
}

static CURL *
get_handle(struct batch *b)
{
	CURL *c;

	if (b->nidle > 0)
		return b->idle[--b->nidle];
	if ((c = http_handle(b->s->http)) == NULL)
		die(2, "cannot start libcurl");
	return c;
}

static void
put_handle(struct batch *b, CURL *c)
{
	b->idle[b->nidle++] = c;
}

static void
start(struct batch *b, struct job *j)
{
	struct sender *s = b->s;

	j->easy = get_handle(b);
	http_setup(s->http, j->easy, "/chat/completions", j->req, j->reqlen,
	    &j->resp);
	curl_easy_setopt(j->easy, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(j->easy, CURLOPT_WRITEDATA, j);
	curl_easy_setopt(j->easy, CURLOPT_PRIVATE, j);
	/*
	 * As curl --parallel: wait to multiplex rather than open more
	 * connections. Only over TLS, where ALPN tells HTTP/2 at once; on
	 * plain HTTP it would wait for the first whole answer.
	 */
	if (strncmp(s->cfg.base_url, "https:", 6) == 0)
		curl_easy_setopt(j->easy, CURLOPT_PIPEWAIT, 1L);
	if (s->stream) {
		if (j->st)
			stream_free(j->st);
		j->st = stream_new(on_text, on_reasoning, j);
		j->is_sse = -1;
		/* the oldest record held stays so until written: its
		   text may go out as it comes, in order */
		j->live = s->textmode && j->prev == NULL ?
		    1 + s->reasoning : 0;
	}
	j->attempts++;
	j->tries++;
	j->t0 = j->last_byte = mono_ms();
	j->state = JOB_FLIGHT;
	if (curl_multi_add_handle(b->multi, j->easy) != CURLM_OK)
		die(2, "curl_multi_add_handle failed");
	b->inflight++;
	b->nreq++;
}

static void
finish(struct batch *b, struct job *j, CURLcode code)
{
	int64_t wait;

	curl_multi_remove_handle(b->multi, j->easy);
	http_done(j->easy, code, &j->resp);
	put_handle(b, j->easy);
	j->easy = NULL;
	b->inflight--;
	if (send_result(b->s, j, &wait)) {
		j->state = JOB_READY;
		j->due = mono_ms() + wait;
		j->printed = 0;
		if (j->waited > 0 && j->resp.status == 429 &&
		    j->due > b->hold_until)
			b->hold_until = j->due;
	} else
		j->state = JOB_DONE;
}

static void
collect(struct batch *b)
{
	CURLMsg *m;
	int left, running;
	char *j;

	if (curl_multi_perform(b->multi, &running) != CURLM_OK)
		die(2, "curl_multi_perform failed");
	while ((m = curl_multi_info_read(b->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &j);
		finish(b, (struct job *)j, m->data.result);
	}
}

/*
 * A stream quiet this long, keep-alives and all, is dead. curl's own
 * low-speed check averages over seconds and would wait far longer.
 */
static void
end_stalled(struct batch *b)
{
	int64_t now = mono_ms();
	struct job *j, *next;

	if (!b->s->stream)
		return;
	for (j = b->head; j; j = next) {
		next = j->next;
		if (j->state == JOB_FLIGHT && now - j->last_byte >=
		    b->s->stall_ms)
			finish(b, j, CURLE_OPERATION_TIMEDOUT);
	}
}

/* Starts what may start now; returns ms until something may, or -1. */
static int64_t
start_ready(struct batch *b)
{
	int64_t now = mono_ms(), next = -1, t;
	struct job *j;

	for (j = b->head; j && b->inflight < (size_t)b->o->parallel;
	    j = j->next) {
		if (j->state != JOB_READY)
			continue;
		t = j->due > b->hold_until ? j->due : b->hold_until;
		if (b->o->rate_ms > 0 && b->next_start > t)
			t = b->next_start;
		if (t > now) {
			if (next == -1 || t - now < next)
				next = t - now;
			continue;
		}
		start(b, j);
		if (b->o->rate_ms > 0)
			b->next_start = now + (int64_t)b->o->rate_ms;
	}
	return next;
}

/* --- input ------------------------------------------------------------ */

static void
hold(struct batch *b, struct rec *rec)
{
	struct job *j = xmalloc(sizeof(*j));

	memset(j, 0, sizeof(*j));
	j->rec = rec;
	j->state = send_prepare(b->s, j) ? JOB_READY : JOB_DONE;
	j->due = 0;
	j->prev = b->tail;
	if (b->tail)
		b->tail->next = j;
	else
		b->head = j;
	b->tail = j;
	b->held++;
}

static int
want_input(struct batch *b)
{
	return b->in && !b->stopping && !rec_reader_eof(b->in) &&
	    b->held < 2 * (size_t)b->o->parallel;
}

static void
take_input(struct batch *b)
{
	struct rec *rec;

	while (want_input(b) && (rec = rec_take(b->in)) != NULL)
		hold(b, rec);
}

/* --- stopping --------------------------------------------------------- */

static void
interrupt(struct batch *b)
{
	struct job *j;
	struct rec *rec;

	if (sigwake_count() > b->stopping)
		b->stopping = sigwake_count();
	for (j = b->head; j; j = j->next) {
		if (j->state == JOB_READY) {
			send_interrupt(j, 0);
			j->state = JOB_DONE;
			b->ninterrupted++;
		} else if (j->state == JOB_FLIGHT && b->stopping > 1) {
			curl_multi_remove_handle(b->multi, j->easy);
			put_handle(b, j->easy);
			j->easy = NULL;
			b->inflight--;
			send_interrupt(j, 1);
			j->state = JOB_DONE;
			b->ninterrupted++;
		}
	}
	/* Whole lines already read are records too: none is lost. */
	while (b->in && (rec = rec_take(b->in)) != NULL) {
		hold(b, rec);
		if (b->tail->state == JOB_READY) {
			send_interrupt(b->tail, 0);
			b->tail->state = JOB_DONE;
			b->ninterrupted++;
		}
	}
}

/* --- the loop --------------------------------------------------------- */

static void
wait_for_work(struct batch *b, int64_t timeout)
{
	struct curl_waitfd fds[2];
	unsigned n = 0;
	int r;

	fds[n].fd = b->wake;
	fds[n].events = CURL_WAIT_POLLIN;
	fds[n++].revents = 0;
	if (want_input(b)) {
		fds[n].fd = rec_reader_fd(b->in);
		fds[n].events = CURL_WAIT_POLLIN;
		fds[n++].revents = 0;
	}
	if (b->o->progress && (timeout < 0 || timeout > 250))
		timeout = 250;
	if (b->s->stream && b->inflight > 0 && (timeout < 0 || timeout > 100))
		timeout = 100;	/* to notice a stall */
	if (timeout < 0 || timeout > 1000)
		timeout = 1000;
	if (curl_multi_poll(b->multi, fds, n, (int)timeout, &r) != CURLM_OK)
		die(2, "curl_multi_poll failed");
	if (fds[0].revents)
		sigwake_drain();
	if (n > 1 && fds[1].revents)
		rec_fill(b->in);
}

static int
busy(struct batch *b)
{
	return b->held > 0 || (b->in && !b->stopping &&
	    !rec_reader_eof(b->in));
}

int
batch_run(struct sender *s, const struct batch_opts *o, struct reader *in,
    struct rec *one)
{
	struct batch b;
	int64_t next;

	memset(&b, 0, sizeof(b));
	b.s = s;
	b.o = o;
	b.in = in;
	b.idle = xmalloc(sizeof(*b.idle) * (size_t)o->parallel);
	b.t_begin = b.t_drawn = mono_ms();
	b.tty = isatty(STDERR_FILENO);
	if ((b.multi = curl_multi_init()) == NULL)
		die(2, "cannot start libcurl");
	curl_multi_setopt(b.multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    (long)o->parallel);
	curl_multi_setopt(b.multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	b.wake = sigwake_catch();
	if (o->progress) {
		progress_of = &b;
		before_msg = progress_clear;
	}
	if (one)
		hold(&b, one);
	while (busy(&b)) {
		if (sigwake_count() > b.stopping || b.stopping)
			interrupt(&b);
		emit_done(&b);
		take_input(&b);
		next = b.stopping ? -1 : start_ready(&b);
		emit_done(&b);
		progress_draw(&b, 0);
		if (!busy(&b))
			break;
		if (want_input(&b) && rec_reader_ready(b.in))
			continue;
		if (b.inflight == 0 && next == -1 && want_input(&b) &&
		    !b.stopping) {
			rec_fill(b.in);	/* nothing else to wait for */
			continue;
		}
		wait_for_work(&b, next);
		collect(&b);
		end_stalled(&b);
	}
	progress_draw(&b, 1);
	if (b.stopping)
		warnx_("interrupted: %lu records written with error.type "
		    "\"interrupted\"; or-send --retry sends them again",
		    b.ninterrupted);
	before_msg = NULL;
	progress_of = NULL;
	while (b.nidle > 0)
		curl_easy_cleanup(b.idle[--b.nidle]);
	free(b.idle);
	curl_multi_cleanup(b.multi);
	sigwake_close();
	return b.status;
}
