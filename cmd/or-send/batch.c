/*
 * batch.c: or-send's hooks for lib/xfer, which runs many records at once
 * over one curl multi handle and writes them out in input order.
 *
 * What is or-send's here: a record becomes a request (send.c), the body
 * of a stream goes to the assembler and its text out as it comes, an
 * answer becomes the record or a retry, the progress line, how answers
 * are written as text.
 *
 * SIGINT or SIGTERM: nothing more is started; the transfers in flight
 * end, and every other record, those still to be read too, goes out with
 * error.type "interrupted": the input is read to its end, streaming, so
 * the output has every record and --retry finishes the batch. A second
 * one abandons the transfers in flight and stops reading, after the whole
 * lines already read; a line on stderr says where the input is to be
 * taken up again. A prompt in argv answered on a terminal is abandoned
 * at the first.
 *
 * A server that cannot be reached at all (XFER_UNREACHABLE_AFTER
 * requests in a row never reached it) stops the starts the same way:
 * the rest go out at once as "network" errors, retryable, with one line
 * on stderr.
 */
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "jvx.h"
#include "log.h"
#include "record.h"
#include "send.h"
#include "stream.h"
#include "util.h"
#include "xfer.h"

struct batch {
	struct sender		*s;
	const struct batch_opts	*o;
	int			 stopping;	/* signals seen */
	unsigned long		 ninterrupted;
	unsigned long		 nunreached;	/* not sent: no server */
	char			 unreached[256];	/* the last such error */
	int			 unreached_code;	/* and its curl code */
	long			 lineno;	/* the last input line read */
	unsigned long		 nanswers;	/* text answers written */
	/* progress */
	int			 progress;	/* drawn at all */
	int64_t			 t_begin, t_drawn;
	unsigned long		 ndone, nfailed;
	double			 usd;
	int			 tty;		/* stderr is a terminal */
	int			 shared;	/* and stdout is on it too */
	size_t			 drawn;		/* columns of it on screen */
	int			 midline;	/* text or reasoning is half
						   a line on that terminal */
};

/* --- progress --------------------------------------------------------- */

/*
 * On a terminal the line is redrawn in place with a carriage return and
 * spaces, no escape sequence (no colour either, so NO_COLOR and a dumb
 * TERM need nothing), and never while an answer or its reasoning is
 * half a line there: a terminal has one cursor. Anything else written
 * to that terminal erases it first.
 */

static struct batch *progress_of;	/* for before_msg and on_text */

static void
progress_erase(struct batch *b)
{
	if (b == NULL || b->drawn == 0)
		return;
	fprintf(stderr, "\r%*s\r", (int)b->drawn, "");
	fflush(stderr);
	b->drawn = 0;
}

static void
progress_clear(void)
{
	progress_erase(progress_of);
}

/* The same terminal: stdout's text and stderr's line share a cursor. */
static int
same_terminal(int a, int b)
{
	struct stat sa, sb;

	return isatty(a) && isatty(b) && fstat(a, &sa) == 0 &&
	    fstat(b, &sb) == 0 && sa.st_rdev == sb.st_rdev;
}

/* A line that wraps could not be redrawn in place: cut to the width. */
static size_t
fit_width(size_t n)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 &&
	    n >= ws.ws_col)
		return (size_t)ws.ws_col - 1;
	return n;
}

static void
progress_put(struct batch *b, const char *line, int last)
{
	size_t n = strlen(line), was = b->drawn;

	if (!b->tty) {
		fprintf(stderr, "%s\n", line);
		return;
	}
	if (last && b->shared) {
		progress_erase(b);	/* the text stays, alone */
		return;
	}
	if (!last)	/* the summary stays, whole, and may wrap */
		n = fit_width(n);
	fprintf(stderr, "\r%.*s%*s%s", (int)n, line, was > n ?
	    (int)(was - n) : 0, "", last ? "\n" : "");
	b->drawn = last ? 0 : was > n ? was : n;
}

static void
progress_draw(struct batch *b, const struct xfer_stats *st, int last)
{
	int64_t now = mono_ms(), secs = (now - b->t_begin) / 1000;
	char line[256], rate[32] = "-";

	if (!b->progress || (b->tty && b->midline) || (!last &&
	    now - b->t_drawn < (b->tty ? 250 : 1000)))
		return;
	b->t_drawn = now;
	/* a rate before any request is done measures only the start */
	if (b->ndone + b->nfailed > 0 && now > b->t_begin)
		snprintf(rate, sizeof(rate), "%.1f", st->started * 1000.0 /
		    (double)(now - b->t_begin));
	snprintf(line, sizeof(line), "or-send: %lu done, %lu failed, %zu in "
	    "flight, %s req/s, %d:%02d, $%.6f", b->ndone, b->nfailed,
	    st->inflight, rate, (int)(secs / 60), (int)(secs % 60), b->usd);
	progress_put(b, line, last);
	fflush(stderr);
}

/* Before stdout is written: the line is erased if they share a screen. */
static void
before_out(struct batch *b)
{
	if (b->shared)
		progress_erase(b);
}

/* --- output ----------------------------------------------------------- */

/*
 * -t over more than one record: each answer after the first written
 * has a blank line and "== NAME ==" before it, NAME as error messages
 * say it (the id, else "line N"); with --unordered the first one too,
 * since the order no longer tells, and with -m repeated, since each
 * answer is a model's. -z: no names, a NUL after each.
 */
static void
print_name(struct batch *b, struct job *j)
{
	jv w;
	char *p;

	if (j->named++ || b->o->nul || (b->nanswers == 0 &&
	    !b->o->unordered && b->s->nmodels < 2))
		return;
	w = rec_where(j->rec);
	p = xstrdup(jv_string_value(w));
	jv_free(w);
	for (char *c = p; *c; c++)
		if ((unsigned char)*c < ' ')
			*c = ' ';	/* the name stays one line */
	out_put(b->nanswers ? "\n== " : "== ", b->nanswers ? 4 : 3);
	out_put(p, strlen(p));
	out_put(" ==\n", 4);
	free(p);
}

static void
print_text(struct batch *b, struct job *j)
{
	char *text = rec_text(j->rec);
	size_t n = strlen(text);

	errno = 0;
	before_out(b);
	print_name(b, j);
	if (j->printed > n)
		j->printed = n;
	out_put_part(&j->held, text + j->printed, n - j->printed, 1);
	out_put(b->o->nul ? "" : "\n", 1);	/* "" is its NUL */
	free(text);
	out_end();
	b->nanswers++;
	b->midline = 0;
}

static int
emit(void *ctx, void *req, const struct xfer_task *t)
{
	struct batch *b = ctx;
	struct job *j = req;
	int status = j->refused ? 3 : j->rec->failed ? 1 : 0;

	(void)t;
	if (status)
		b->nfailed++;
	b->ndone++;
	b->usd += j->usd;
	if (j->reasoned) {
		send_reasoning_end(j);
		b->midline = 0;
	}
	if (b->s->textmode) {
		if (!j->rec->failed || j->printed)
			print_text(b, j);
	} else {
		before_out(b);
		rec_emit(j->rec);
	}
	send_job_free(j);
	return status;
}

static void
tick(void *ctx, const struct xfer_stats *st, int last)
{
	progress_draw(ctx, st, last);
}

/* --- transfers -------------------------------------------------------- */

static void
on_text(void *arg, const char *p, size_t n)
{
	struct job *j = arg;

	if (j->ttft < 0)
		j->ttft = mono_ms() - j->xf->t0;
	if (j->live) {
		send_reasoning_end(j);	/* before the answer starts */
		before_out(progress_of);
		errno = 0;
		print_name(progress_of, j);
		out_put_part(&j->held, p, n, 0);
		out_end();
		j->printed += n;
		progress_of->midline = progress_of->shared;
	}
}

static void
on_reasoning(void *arg, const char *p, size_t n)
{
	struct job *j = arg;

	if (j->ttft < 0)
		j->ttft = mono_ms() - j->xf->t0;
	if (j->live == 2) {
		progress_erase(progress_of);
		progress_of->midline = 1;
		/* the key masked, even in two pieces */
		(void)put_hidden_part(stderr, &j->rheld, p, n, 0);
		fflush(stderr);
		j->reasoned = 1;
	}
}

/*
 * The body goes to the stream parser when it is one, else to xfer's:
 * by its Content-Type, so a server that streams unasked is assembled
 * too, never parsed as JSON and sent again.
 */
static int
data(void *ctx, void *req, const struct xfer_task *t, const char *p,
    size_t n)
{
	struct job *j = req;
	const char *ct;

	(void)ctx;
	if (j->is_sse == -1) {
		ct = xfer_content_type(t);
		j->is_sse = ct && strncmp(ct, "text/event-stream", 17) == 0;
		if (j->is_sse && j->st == NULL)
			j->st = stream_new(on_text, on_reasoning, j);
	}
	if (!j->is_sse)
		return 1;
	stream_feed(j->st, p, n);
	return 0;
}

/* --- -v ---------------------------------------------------------------- */

static void
log_start(const struct sender *s, const struct job *j)
{
	jv w, model;

	if (!log_on(LV_INFO))
		return;
	w = rec_where(j->rec);
	model = jvx_get(jv_copy(j->body), "model");
	logx(LV_INFO, "%s: POST %s/chat/completions (%s, %zu bytes%s), "
	    "attempt %d", jv_string_value(w), s->cfg.base_url,
	    jv_get_kind(model) == JV_KIND_STRING ? jv_string_value(model) :
	    "no model", j->reqlen, j->wants_sse ? ", streamed" : "",
	    j->attempts);
	jv_free(w);
	jv_free(model);
}

static void
log_end(const struct job *j, const struct xfer_task *t)
{
	jv w;
	char ttft[48] = "";

	if (!log_on(LV_INFO))
		return;
	w = rec_where(j->rec);
	if (j->ttft >= 0)
		snprintf(ttft, sizeof(ttft), ", first token at %lld ms",
		    (long long)j->ttft);
	if (t->resp.status)
		logx(LV_INFO, "%s: HTTP %ld in %lld ms%s%s%s",
		    jv_string_value(w), t->resp.status,
		    (long long)(mono_ms() - t->t0), ttft,
		    t->resp.gen_id[0] ? ", " : "", t->resp.gen_id);
	else
		logx(LV_INFO, "%s: no answer after %lld ms: %s",
		    jv_string_value(w), (long long)(mono_ms() - t->t0),
		    xfer_error(t));
	jv_free(w);
}

static int
prepare(void *ctx, struct rec *rec, const struct xfer_task *t, void **req)
{
	struct batch *b = ctx;
	struct job *j = xmalloc(sizeof(*j));

	memset(j, 0, sizeof(*j));
	j->rec = rec;
	j->xf = t;
	*req = j;
	if (rec->lineno > b->lineno)
		b->lineno = rec->lineno;
	if (t->ncopies > 1)
		models_fan(b->s, rec, t->copy);
	return send_prepare(b->s, j) ? XFER_SEND : XFER_DONE;
}

static int
copies(void *ctx, const struct rec *rec)
{
	return models_copies(((struct batch *)ctx)->s, rec);
}

static void
setup(void *ctx, void *req, struct xfer_task *t)
{
	struct sender *s = ((struct batch *)ctx)->s;
	struct job *j = req;

	xfer_request(t, "/chat/completions", j->req, j->reqlen);
	if (j->st)
		stream_free(j->st);
	j->st = NULL;
	j->is_sse = -1;
	if (j->wants_sse) {
		/* a record's own "stream": true is watched as --stream is */
		if (s->stall_ms > 0)
			xfer_stall(t, s->stall_ms);
		j->st = stream_new(on_text, on_reasoning, j);
		/* the oldest record held stays so until written: its
		   text may go out as it comes, in order */
		j->live = s->textmode && xfer_first(t) ? 1 + s->reasoning : 0;
	}
	j->attempts++;
	j->tries++;
	log_start(s, j);
}

static int
finish(void *ctx, void *req, const struct xfer_task *t, int64_t *wait,
    int *hold)
{
	struct batch *b = ctx;
	struct job *j = req;
	int again;

	if (xfer_unreachable(t)) {
		snprintf(b->unreached, sizeof(b->unreached), "%s",
		    xfer_error(t));
		b->unreached_code = (int)t->resp.code;
	}
	log_end(j, t);
	again = send_result(b->s, j, wait);
	/* an error status, or no server: nothing was billed */
	gate_settle(b->s->gate, j, j->cost, !(xfer_unreachable(t) ||
	    t->resp.status >= 400));
	if (!again)
		return XFER_DONE;
	j->printed = 0;
	buf_reset(&j->held);	/* the next attempt's text is printed whole */
	*hold = j->waited > 0 && t->resp.status == 429;
	return XFER_LATER;
}

/* --- stopping --------------------------------------------------------- */

static void
cancel(void *ctx, void *req, const struct xfer_task *t, int why)
{
	struct batch *b = ctx;
	jv msg, err;

	(void)t;
	gate_settle(b->s->gate, req, -1, 1);	/* in flight: maybe billed */
	if (why != XFER_WHY_UNREACHABLE) {
		send_interrupt(req, why == XFER_WHY_INFLIGHT, b->s->asked);
		b->ninterrupted++;
		return;
	}
	msg = jv_string_fmt("not sent: the API could not be reached, %d "
	    "requests in a row (%s)", XFER_UNREACHABLE_AFTER, b->unreached);
	err = rec_errobj("network", jv_string_value(msg), 1);
	send_unsent(req, jv_object_set(err, jv_string("curl_code"),
	    jv_number(b->unreached_code)));
	jv_free(msg);
	b->nunreached++;
}

static int
gate(void *ctx, void *req, const struct xfer_task *t, int64_t *wait)
{
	(void)t;
	return gate_check(((struct batch *)ctx)->s->gate, req, wait);
}

/*
 * A batch finishes what is in flight at the first signal; a question a
 * person typed is given up at once, as curl and every prompt do.
 */
static int
on_signal(void *ctx, int count)
{
	struct batch *b = ctx;

	b->stopping = count;
	return XFER_STOP_STARTS | (count > 1 || b->s->asked ?
	    XFER_STOP_READING | XFER_CANCEL_FLIGHT : 0);
}

/* The input's name for the resume line, when it is a file that has one. */
static const char *
input_name(char *path, size_t size)
{
	struct stat st;
	ssize_t n;

	if (fstat(STDIN_FILENO, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (n = readlink("/proc/self/fd/0", path, size - 1)) <= 0)
		return "INPUT";
	path[n] = '\0';	/* readlink does not end it */
	if (path[0] != '/' || strchr(path, ' ') || strchr(path, '\''))
		return "INPUT";
	return path;
}

/* What a stop left undone, and how to finish it. */
static void
report_stop(struct batch *b, struct reader *in)
{
	char path[PATH_MAX];

	gate_report(b->s->gate);
	if (b->nunreached > 0)
		warnx_("the API could not be reached, %d requests in a row "
		    "(%s): %lu records written unsent with error.type "
		    "\"network\"; or-send --retry sends them again",
		    XFER_UNREACHABLE_AFTER, b->unreached, b->nunreached);
	/* A question's error said it all. */
	if (!b->stopping || b->s->asked)
		return;
	if (b->stopping > 1 && in && !rec_reader_eof(in))
		warnx_("interrupted twice: input read up to line %ld; the "
		    "rest: tail -n +%ld %s | or-send ...", b->lineno,
		    b->lineno + 1, input_name(path, sizeof(path)));
	if (b->ninterrupted > 0)
		warnx_("interrupted: %lu records written with error.type "
		    "\"interrupted\"; or-send --retry sends them again",
		    b->ninterrupted);
}

static const struct xfer_hooks hooks = {
	.copies = copies,
	.prepare = prepare,
	.setup = setup,
	.data = data,
	.finish = finish,
	.cancel = cancel,
	.signal = on_signal,
	.emit = emit,
	.tick = tick,
};

int
batch_run(struct sender *s, const struct batch_opts *o, struct reader *in,
    struct rec *one)
{
	struct batch b;
	struct xfer_opts xo;
	struct xfer_hooks h = hooks;
	int status;

	memset(&b, 0, sizeof(b));
	b.s = s;
	b.o = o;
	b.t_begin = b.t_drawn = mono_ms();
	b.tty = isatty(STDERR_FILENO);
	b.shared = same_terminal(STDOUT_FILENO, STDERR_FILENO);
	/*
	 * Unasked, only into a file (or /dev/null): a terminal is where
	 * the text goes, and a pipe's next stage may well print there too
	 * (or-send <jobs.jsonl | or-log -t), which or-send cannot know;
	 * its line would glue itself to the first answer and be left
	 * between the others. Nor for a prompt given as arguments: a
	 * person's one question, whose summary would stay on the screen.
	 */
	b.progress = o->progress == -1 ? b.tty && !isatty(STDOUT_FILENO) &&
	    !out_watchable() && one == NULL : o->progress;
	memset(&xo, 0, sizeof(xo));
	xo.parallel = o->parallel;
	xo.rate_ms = o->rate_ms;
	xo.unordered = o->unordered;
	xo.stall_ms = s->stream ? s->stall_ms : 0;
	xo.tick_ms = b.progress ? 250 : 0;
	xo.pipewait = strncmp(s->cfg.base_url, "https:", 6) == 0;
	xo.unreachable_after = XFER_UNREACHABLE_AFTER;
	progress_of = &b;	/* the text's hooks know only the job */
	if (b.progress)
		before_msg = progress_clear;
	if (s->gate)
		h.gate = gate;
	status = xfer_run(s->http, &xo, &h, &b, in, one ? &one : NULL,
	    one ? 1 : 0);
	report_stop(&b, in);
	before_msg = NULL;
	progress_of = NULL;
	return status;
}
