/*
 * append.c: records in, stored, then written on.
 *
 * Records are stored in batches, many to a transaction, and a record
 * is written on only once the transaction holding it has committed:
 * whatever came out of or-log is in the database, even if it is killed
 * the next moment. A batch ends at BATCH_MAX records, BATCH_BYTES of
 * text, or BATCH_MS after its first record arrived, so a slow trickle
 * is still written on promptly. The lock is taken only to insert a
 * batch already read and parsed, so parallel writers wait little.
 * Reading and parsing is one thread, storing and writing on another:
 * the next batch is parsed while the last one is stored, which on two
 * cores is what makes or-log faster than sqlite3's own .import.
 *
 * A batch that cannot be stored (a full disk, the lock held past
 * ORKIT_LOG_WAIT_MS, a log that would not open) is written on all the
 * same, each record marked "log": {"stored": false, "reason": ...},
 * and the next batch tries again: when the disk has room or the lock
 * is let go, storing resumes. A request already stored (a re-fed
 * record) is written on and not stored again.
 *
 * With -t (text) a record goes on not as itself but as its answer's
 * text, as or-send -t writes it, and an error record as one line on
 * stderr: or-send never writes the log, so `or-send "hi" | or-log -t`
 * is a conversation a person holds at a terminal, each turn stored
 * for the next -c. The text too goes out only once the record is
 * committed, and a record not stored says so on stderr.
 *
 * Ctrl-C reaches the whole pipeline, and so does the SIGTERM of
 * timeout(1) or of a service manager: an or-send before us then writes
 * what it had in flight, answers already billed, so the first SIGINT or
 * SIGTERM commits what is read and goes on reading to the end; a second
 * one, or SIGHUP, stops (as the first does when a person types the
 * records).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "append.h"
#include "extract.h"
#include "record.h"
#include "util.h"

#define BATCH_MAX	2000
#define BATCH_BYTES	(8 << 20)
#define BATCH_MS	200

static volatile sig_atomic_t interrupts, terminated;

static void
on_signal(int sig)
{
	if (sig == SIGINT || sig == SIGTERM)
		interrupts++;
	else
		terminated = 1;
}

struct batch {
	struct entry	*e[BATCH_MAX];
	int		 n;
};

/*
 * The reader thread owns the batch it fills; the writer thread owns
 * the store and everything below it, and the reader sees them only
 * once it has joined it. handed passes one batch between them.
 */
struct appender {
	/* the writer's */
	struct store	 st;
	int		 open;		/* st can take rows */
	int		 status;
	long		 unstored;	/* records written on unstored */
	int		 failing;	/* the last batch was not stored */
	char		*first;		/* the first unstored one, named */
	/* the reader's */
	struct batch	*fill;
	size_t		 bytes;
	int64_t		 since;		/* mono_ms of the batch's first */
	long		 seen;		/* records read */
	int		 stopped;	/* the rest of the input not read */
	/* both's, read-only */
	char		*path;
	int		 receipt;
	int		 text;		/* -t: answers, not records */
	unsigned long	 nanswers;	/* -t: answers written (writer's) */
	/* between them */
	pthread_t	 writer;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct batch	*handed;	/* the next one to store */
	int		 done;		/* no more batches come */
};

static int
insert_all(struct appender *a, struct batch *b)
{
	const struct store_row *rows[BATCH_MAX];
	int64_t ids[BATCH_MAX];
	char dup[BATCH_MAX];
	int i;

	if (store_begin(&a->st) == -1)
		return -1;
	for (i = 0; i < b->n; i++)
		rows[i] = &b->e[i]->row;
	if (store_insert(&a->st, rows, (size_t)b->n, ids, dup) == -1) {
		store_rollback(&a->st);
		return -1;
	}
	if (store_commit(&a->st) == -1)
		return -1;
	for (i = 0; i < b->n; i++) {
		b->e[i]->id = ids[i];
		b->e[i]->dup = dup[i] != 0;
	}
	return 0;
}

/* A record as a person finds it again: its id, or its place. */
static char *
name_of(const struct entry *e)
{
	char buf[96];

	if (e->row.job)
		snprintf(buf, sizeof(buf), "job \"%.60s\"", e->row.job);
	else
		snprintf(buf, sizeof(buf), "input record %ld", e->seq);
	return xstrdup(buf);
}

/*
 * One line when storing stops (not one a batch), naming the first
 * record left out; the summary at the end says how to store them all.
 */
static void
not_stored(struct appender *a, struct batch *b, const char *why)
{
	int i;

	for (i = 0; i < b->n; i++)
		b->e[i]->id = -1;
	if (a->first == NULL)
		a->first = name_of(b->e[0]);
	if (!a->failing) {
		char *name = name_of(b->e[0]);

		warnx_("%s: not storing, from %s on: %s; %s", a->path,
		    name, why, a->text ? "each record left out is named"
		    " here" : "each record left out is marked \"log\":"
		    " {\"stored\": false}");
		free(name);
	}
	a->failing = 1;
	a->unstored += b->n;
	a->status = 1;
}

/* A log that would not open, or went wrong, is opened again. */
static int
reopen(struct appender *a)
{
	if (a->open)
		return 0;
	store_close(&a->st);
	if (store_open(&a->st, a->path, STORE_APPEND_QUIET) == 0)
		a->open = 1;
	return a->open ? 0 : -1;
}

static void
mark(struct appender *a, struct entry *e, const char *why)
{
	if (e->id < 0)
		rec_add(e->rec, "log", JV_OBJECT(jv_string("stored"),
		    jv_false(), jv_string("reason"), jv_string(why)));
	else if (a->receipt && e->dup)
		rec_add(e->rec, "log", JV_OBJECT(jv_string("db"),
		    jv_string(a->path), jv_string("id"),
		    jv_number((double)e->id), jv_string("duplicate"),
		    jv_true()));
	else if (a->receipt)
		rec_add(e->rec, "log", JV_OBJECT(jv_string("db"),
		    jv_string(a->path), jv_string("id"),
		    jv_number((double)e->id)));
}

/*
 * -t: the answer's text as or-send -t writes it (after the first, a
 * blank line and "== NAME ==" before each; before the first too when
 * it is one of a comparison's, as or-send -t names every answer when
 * -m is repeated), an error on stderr.
 */
static void
emit_text(struct appender *a, struct entry *e)
{
	if (e->id < 0)
		warnx_("%s: not stored", e->name);
	if (jv_is_valid(e->err)) {
		rec_complain_as(e->name, e->err);
		e->err = jv_invalid();
	} else if (e->text == NULL) {
		warnx_("%s: no answer to write: it was not sent", e->name);
	} else {
		if (a->nanswers++ || e->compared) {
			if (a->nanswers > 1)
				out_put("\n", 1);
			out_put("== ", 3);
			out_put(e->name, strlen(e->name));
			out_put(" ==\n", 4);
		}
		out_put(e->text, strlen(e->text));
		out_put("\n", 1);
		out_end();
	}
}

/*
 * Whether the record is one model's answer in a comparison: or-send
 * with -m repeated suffixes each copy's id with "@" and the model it
 * sets. or-log cannot know whether more records follow the first, so
 * this is what it names the first by.
 */
static int
compared(const struct rec *rec, const char *name)
{
	jv m = rec_get(rec, "model");
	size_t n, k = strlen(name);
	int yes = 0;

	if (jv_get_kind(m) == JV_KIND_STRING) {
		n = strlen(jv_string_value(m));
		yes = n > 0 && k > n + 1 && name[k - n - 1] == '@' &&
		    strcmp(name + k - n, jv_string_value(m)) == 0;
	}
	jv_free(m);
	return yes;
}

/*
 * What -t writes, taken while the record is parsed: entry_new lets go
 * of the parse to keep the batch small.
 */
static struct entry *
text_entry(struct rec *rec)
{
	jv w = rec_where(rec), err = jv_invalid();
	char *text = NULL, *name = xstrdup(jv_string_value(w));
	struct entry *e;
	int yes;

	jv_free(w);
	for (char *c = name; *c; c++)
		if ((unsigned char)*c < ' ')
			*c = ' ';	/* the name stays one line */
	if (rec->failed)
		err = rec_get(rec, "error");
	else if (rec_has(rec, "response"))
		text = rec_text(rec);
	yes = compared(rec, name);
	e = entry_new(rec);
	e->compared = yes;
	e->name = name;
	e->text = text;
	e->err = err;
	return e;
}

/* The writer: a batch stored, then written on. */
static void
store_batch(struct appender *a, struct batch *b)
{
	struct entry *e;
	char why[256] = "";
	int i;

	if (reopen(a) == -1 || insert_all(a, b) == -1) {
		snprintf(why, sizeof(why), "%s", store_errmsg(&a->st));
		not_stored(a, b, why);
		a->open = 0;	/* the next batch starts afresh */
	} else if (a->failing) {
		char *name = name_of(b->e[0]);

		warnx_("%s: storing again, from %s on", a->path, name);
		free(name);
		a->failing = 0;
	}
	for (i = 0; i < b->n; i++) {
		e = b->e[i];
		if (e->rec->failed)
			a->status = 1;
		if (a->text) {
			emit_text(a, e);
		} else {
			mark(a, e, why);
			rec_emit(e->rec);
		}
		entry_free(e);
	}
	free(b);
}

static void *
writer(void *arg)
{
	struct appender *a = arg;
	struct batch *b;

	for (;;) {
		pthread_mutex_lock(&a->mu);
		while (a->handed == NULL && !a->done)
			pthread_cond_wait(&a->cv, &a->mu);
		b = a->handed;
		a->handed = NULL;
		pthread_cond_signal(&a->cv);
		pthread_mutex_unlock(&a->mu);
		if (b == NULL)
			return NULL;
		store_batch(a, b);
	}
}

/* The reader: the batch filled goes to the writer, once it is free. */
static void
flush(struct appender *a)
{
	if (a->fill->n == 0)
		return;
	pthread_mutex_lock(&a->mu);
	while (a->handed)
		pthread_cond_wait(&a->cv, &a->mu);
	a->handed = a->fill;
	pthread_cond_signal(&a->cv);
	pthread_mutex_unlock(&a->mu);
	a->fill = xmalloc(sizeof(*a->fill));
	a->fill->n = 0;
	a->bytes = 0;
}

static void
add(struct appender *a, struct rec *rec)
{
	struct batch *b = a->fill;

	if (b->n == 0)
		a->since = mono_ms();
	a->bytes += rec->len;
	b->e[b->n] = a->text ? text_entry(rec) : entry_new(rec);
	b->e[b->n++]->seq = ++a->seen;
	if (b->n == BATCH_MAX || a->bytes >= BATCH_BYTES)
		flush(a);
}

/* How long poll may wait: until the open batch is due, or for ever. */
static int
wait_ms(struct appender *a)
{
	int64_t left;

	if (a->fill->n == 0)
		return -1;
	left = a->since + BATCH_MS - mono_ms();
	return left > 0 ? (int)left : 0;
}

static void
run(struct appender *a, struct reader *r)
{
	struct pollfd pfd = { rec_reader_fd(r), POLLIN, 0 };
	struct rec *rec;
	sig_atomic_t seen = 0;
	int n;

	for (;;) {
		while ((rec = rec_take(r)) != NULL)
			add(a, rec);
		if (rec_reader_eof(r))
			break;
		if (a->fill->n && wait_ms(a) == 0) {
			flush(a);
			continue;
		}
		n = poll(&pfd, 1, wait_ms(a));
		if (n == -1 && errno != EINTR)
			die(2, "poll: %s", strerror(errno));
		if (interrupts != seen || terminated) {
			flush(a);
			seen = interrupts;
		}
		if (interrupts > 1 || terminated || (interrupts &&
		    isatty(pfd.fd))) {
			warnx_("stopped; the rest of the input was not read");
			a->stopped = 1;
			break;
		}
		if (n == 0)
			flush(a);
		else if (n > 0)
			rec_fill(r);
	}
	flush(a);
}

/* No SA_RESTART: poll returns, and the loop sees the signal. */
static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* The signals caught are the reader's: its poll must see them. */
static void
start_writer(struct appender *a)
{
	sigset_t caught, was;
	int err;

	a->fill = xmalloc(sizeof(*a->fill));
	a->fill->n = 0;
	if ((err = pthread_mutex_init(&a->mu, NULL)) != 0 ||
	    (err = pthread_cond_init(&a->cv, NULL)) != 0)
		die(2, "pthread: %s", strerror(err));
	sigemptyset(&caught);
	sigaddset(&caught, SIGINT);
	sigaddset(&caught, SIGTERM);
	sigaddset(&caught, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &caught, &was);
	err = pthread_create(&a->writer, NULL, writer, a);
	pthread_sigmask(SIG_SETMASK, &was, NULL);
	if (err != 0)
		die(2, "pthread_create: %s", strerror(err));
}

/* Once the writer has stored and written on the last batch. */
static void
stop_writer(struct appender *a)
{
	pthread_mutex_lock(&a->mu);
	a->done = 1;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->writer, NULL);
	pthread_cond_destroy(&a->cv);
	pthread_mutex_destroy(&a->mu);
}

/* The one line that says how to store what was left out. */
static void
summary(struct appender *a)
{
	if (a->unstored == 0)
		return;
	if (a->text) {
		warnx_("%s: %ld record%s not stored, the first %s; to keep"
		    " them, tee the records to a file before or-log -t",
		    a->path, a->unstored, a->unstored == 1 ? "" : "s",
		    a->first);
		return;
	}
	warnx_("%s: %ld record%s not stored, the first %s; to store them,"
	    " feed the output back: jq -c 'select(.log.stored == false) |"
	    " del(.log)' out.jsonl | or-log", a->path, a->unstored,
	    a->unstored == 1 ? "" : "s", a->first);
}

int
append_run(const char *path, int receipt, int text)
{
	struct appender *a = xmalloc(sizeof(*a));
	struct reader *r;
	int status, rc;

	memset(a, 0, sizeof(*a));
	a->receipt = receipt;
	a->text = text;
	a->path = xstrdup(path);
	/* A file size limit is a full disk: a failed write, not a kill. */
	signal(SIGXFSZ, SIG_IGN);
	catch_signals();
	/* Why it would not open is said with the first record left out. */
	rc = store_open(&a->st, path, STORE_APPEND_QUIET);
	if (rc == -2) {
		store_close(&a->st);
		free(a->path);
		free(a);
		return 2;
	}
	a->open = rc == 0;
	out_init();
	start_writer(a);
	r = rec_reader(STDIN_FILENO);
	run(a, r);
	rec_reader_free(r);
	stop_writer(a);
	if (!a->open && a->seen == 0)
		warnx_("%s: %s", path, store_errmsg(&a->st));
	summary(a);
	status = a->status || a->stopped || !a->open;
	store_close(&a->st);
	free(a->fill);
	free(a->first);
	free(a->path);
	free(a);
	return status;
}
