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
 *
 * Ctrl-C reaches the whole pipeline: an or-send before us then writes
 * what it had in flight, so the first SIGINT commits what is read and
 * goes on reading to the end; a second one, or SIGTERM, stops (as
 * the first does when a person types the records).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "append.h"
#include "extract.h"
#include "record.h"
#include "util.h"

#define BATCH_MAX	500
#define BATCH_BYTES	(8 << 20)
#define BATCH_MS	200

static volatile sig_atomic_t interrupts, terminated;

static void
on_signal(int sig)
{
	if (sig == SIGINT)
		interrupts++;
	else
		terminated = 1;
}

struct appender {
	struct store	 st;
	int		 open;		/* st can take rows */
	int		 receipt;
	int		 status;
	struct entry	*batch[BATCH_MAX];
	int		 n;
	size_t		 bytes;
	int64_t		 first;		/* mono_ms of the batch's first */
};

static int
insert_all(struct appender *a)
{
	int i;

	if (store_begin(&a->st) == -1)
		return -1;
	for (i = 0; i < a->n; i++)
		if ((a->batch[i]->id = store_insert(&a->st,
		    &a->batch[i]->row)) == -1) {
			store_rollback(&a->st);
			return -1;
		}
	return store_commit(&a->st);
}

static void
not_stored(struct appender *a)
{
	int i;

	warnx_("%s: %d record%s not stored: %s", a->st.path, a->n,
	    a->n == 1 ? "" : "s", store_errmsg(&a->st));
	for (i = 0; i < a->n; i++)
		a->batch[i]->id = -1;
	a->status = 1;
}

static void
add_receipt(struct appender *a, struct entry *e)
{
	rec_add(e->rec, "log", JV_OBJECT(jv_string("db"),
	    jv_string(a->st.path), jv_string("id"),
	    jv_number((double)e->id)));
}

static void
flush(struct appender *a)
{
	struct entry *e;
	int i;

	if (a->n == 0)
		return;
	if (!a->open || insert_all(a) == -1) {
		if (a->open)
			not_stored(a);
		else
			a->status = 1;
	}
	for (i = 0; i < a->n; i++) {
		e = a->batch[i];
		if (a->receipt && e->id >= 0)
			add_receipt(a, e);
		if (e->rec->failed)
			a->status = 1;
		rec_emit(e->rec);
		entry_free(e);
	}
	a->n = 0;
	a->bytes = 0;
}

static void
add(struct appender *a, struct rec *rec)
{
	if (a->n == 0)
		a->first = mono_ms();
	a->bytes += rec->len;
	a->batch[a->n++] = entry_new(rec);
	if (a->n == BATCH_MAX || a->bytes >= BATCH_BYTES)
		flush(a);
}

/* How long poll may wait: until the open batch is due, or for ever. */
static int
wait_ms(struct appender *a)
{
	int64_t left;

	if (a->n == 0)
		return -1;
	left = a->first + BATCH_MS - mono_ms();
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
		if (a->n && wait_ms(a) == 0) {
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
			a->status = 1;
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

int
append_run(const char *path, int receipt)
{
	struct appender *a = xmalloc(sizeof(*a));
	struct reader *r;
	int status, rc;

	memset(a, 0, sizeof(*a));
	a->receipt = receipt;
	/* A file size limit is a full disk: a failed write, not a kill. */
	signal(SIGXFSZ, SIG_IGN);
	catch_signals();
	rc = store_open(&a->st, path, STORE_APPEND);
	if (rc == -2) {
		store_close(&a->st);
		free(a);
		return 2;
	}
	if (rc == -1)
		warnx_("%s: records will be written on but not stored",
		    path);
	a->open = rc == 0;
	out_init();
	r = rec_reader(STDIN_FILENO);
	run(a, r);
	rec_reader_free(r);
	status = a->status || !a->open;
	store_close(&a->st);
	free(a);
	return status;
}
