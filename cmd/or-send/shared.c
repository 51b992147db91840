/*
 * shared.c: --budget-shared, the day, month, model and job limits of
 * several or-send processes counted in one place: a SQLite file beside
 * the ledger (LEDGER-budget, mode 0600), written only by or-send, under
 * one BEGIN IMMEDIATE for each weighing and each settling, so that no
 * two processes reserve the same room.
 *
 * For each limit and period it keeps the ledger's committed spend as
 * the first shared process of the period read it (the baseline, read
 * once: the rows or-log commits later are what the processes here were
 * billed, already counted), and each process's reservations in flight
 * and billed spend. Spent = baseline + everyone's billed + the
 * reservations of every process still running; a process that died
 * with reservations has them counted as billed, since nothing smaller
 * is known. What a process without --budget-shared spends after the
 * baseline was read is not seen.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "shared.h"
#include "store.h"
#include "util.h"

#define SHARED_WAIT_MS	60000

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS baseline(lim TEXT NOT NULL,"
    "  period TEXT NOT NULL, pico INTEGER NOT NULL,"
    "  PRIMARY KEY(lim, period));"
    "CREATE TABLE IF NOT EXISTS spend(lim TEXT NOT NULL,"
    "  period TEXT NOT NULL, pid INTEGER NOT NULL, start INTEGER NOT NULL,"
    "  reserved INTEGER NOT NULL DEFAULT 0,"
    "  billed INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY(lim, period, pid, start));";

struct shared {
	sqlite3		*db;
	char		*path;
	long		 pid;
	long long	 start;		/* this process's start, in ticks */
	sqlite3_stmt	*get_base, *put_base, *sums, *add, *live, *reap;
};

/* A process's start time (field 22 of /proc/PID/stat), or -1. */
static long long
start_of(long pid)
{
	char path[64], buf[1024], *p;
	long long start = -1;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) != NULL &&
	    (p = strrchr(buf, ')')) != NULL) {
		/* past the name, which may hold spaces: field 3 on */
		for (i = 3; i < 22 && p; i++)
			p = strchr(p + 1, ' ');
		if (p)
			/* NOLINTNEXTLINE(cert-err34-c): the kernel's digits */
			start = atoll(p + 1);
	}
	(void)fclose(f);
	return start;
}

static sqlite3_stmt *
prep(struct shared *sh, const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(sh->db, sql, -1, &st, NULL) != SQLITE_OK)
		die(2, "%s: %s", sh->path, sqlite3_errmsg(sh->db));
	return st;
}

static int
fail(struct shared *sh)
{
	warnx_("%s: %s", sh->path, sqlite3_errmsg(sh->db));
	return -1;
}

struct shared *
shared_open(const char *ledger)
{
	struct shared *sh = xmalloc(sizeof(*sh));
	size_t n = strlen(ledger);
	int fd;

	memset(sh, 0, sizeof(*sh));
	sh->path = xmalloc(n + sizeof("-budget"));
	memcpy(sh->path, ledger, n);
	memcpy(sh->path + n, "-budget", sizeof("-budget"));
	/*
	 * Made 0600 before SQLite opens it: it names models and jobs. On a
	 * fresh install the ledger's folder is not there yet: made as
	 * or-log makes it for the log.
	 */
	store_make_parent(sh->path);
	if ((fd = open(sh->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1 ||
	    close(fd) == -1) {
		warnx_("%s: cannot be made: %s", sh->path, strerror(errno));
		shared_close(sh);
		return NULL;
	}
	if (sqlite3_open_v2(sh->path, &sh->db, SQLITE_OPEN_READWRITE,
	    NULL) != SQLITE_OK) {
		warnx_("%s: %s", sh->path, sh->db ? sqlite3_errmsg(sh->db) :
		    "out of memory");
		shared_close(sh);
		return NULL;
	}
	sqlite3_busy_timeout(sh->db, SHARED_WAIT_MS);
	if (sqlite3_exec(sh->db, "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = NORMAL;", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(sh->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		fail(sh);
		shared_close(sh);
		return NULL;
	}
	sh->pid = (long)getpid();
	sh->start = start_of(sh->pid);
	sh->get_base = prep(sh, "SELECT pico FROM baseline WHERE lim = ?1 "
	    "AND period = ?2");
	sh->put_base = prep(sh, "INSERT INTO baseline VALUES (?1, ?2, ?3)");
	sh->sums = prep(sh, "SELECT coalesce(sum(billed), 0), "
	    "coalesce(sum(reserved), 0) FROM spend WHERE lim = ?1 AND "
	    "period = ?2");
	sh->add = prep(sh, "INSERT INTO spend VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
	    "ON CONFLICT DO UPDATE SET reserved = reserved + excluded.reserved,"
	    " billed = billed + excluded.billed");
	sh->live = prep(sh, "SELECT DISTINCT pid, start FROM spend WHERE "
	    "reserved != 0 AND NOT (pid = ?1 AND start = ?2)");
	sh->reap = prep(sh, "UPDATE spend SET billed = billed + reserved, "
	    "reserved = 0 WHERE pid = ?1 AND start = ?2");
	return sh;
}

void
shared_close(struct shared *sh)
{
	if (sh == NULL)
		return;
	sqlite3_finalize(sh->get_base);
	sqlite3_finalize(sh->put_base);
	sqlite3_finalize(sh->sums);
	sqlite3_finalize(sh->add);
	sqlite3_finalize(sh->live);
	sqlite3_finalize(sh->reap);
	if (sh->db)
		sqlite3_close(sh->db);
	free(sh->path);
	free(sh);
}

/* What processes that are gone held in flight counts as billed. */
static int
reap(struct shared *sh)
{
	long pids[64];
	long long starts[64];
	int i, n = 0, rc;

	sqlite3_bind_int64(sh->live, 1, sh->pid);
	sqlite3_bind_int64(sh->live, 2, sh->start);
	while ((rc = sqlite3_step(sh->live)) == SQLITE_ROW && n < 64) {
		pids[n] = (long)sqlite3_column_int64(sh->live, 0);
		starts[n] = sqlite3_column_int64(sh->live, 1);
		if (start_of(pids[n]) != starts[n])
			n++;
	}
	sqlite3_reset(sh->live);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(sh);
	for (i = 0; i < n; i++) {
		sqlite3_bind_int64(sh->reap, 1, pids[i]);
		sqlite3_bind_int64(sh->reap, 2, starts[i]);
		rc = sqlite3_step(sh->reap);
		sqlite3_reset(sh->reap);
		if (rc != SQLITE_DONE)
			return fail(sh);
	}
	return 0;
}

int
shared_begin(struct shared *sh)
{
	if (sqlite3_exec(sh->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return fail(sh);
	if (reap(sh) == -1) {
		shared_end(sh);
		return -1;
	}
	return 0;
}

int
shared_end(struct shared *sh)
{
	if (sqlite3_exec(sh->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	(void)sqlite3_exec(sh->db, "ROLLBACK", NULL, NULL, NULL);
	return fail(sh);
}

int
shared_baseline(struct shared *sh, const char *lim, const char *period,
    int64_t *pico)
{
	int rc;

	sqlite3_bind_text(sh->get_base, 1, lim, -1, SQLITE_STATIC);
	sqlite3_bind_text(sh->get_base, 2, period, -1, SQLITE_STATIC);
	rc = sqlite3_step(sh->get_base);
	if (rc == SQLITE_ROW)
		*pico = sqlite3_column_int64(sh->get_base, 0);
	sqlite3_reset(sh->get_base);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : fail(sh);
}

int
shared_set_baseline(struct shared *sh, const char *lim, const char *period,
    int64_t pico)
{
	int rc;

	sqlite3_bind_text(sh->put_base, 1, lim, -1, SQLITE_STATIC);
	sqlite3_bind_text(sh->put_base, 2, period, -1, SQLITE_STATIC);
	sqlite3_bind_int64(sh->put_base, 3, pico);
	rc = sqlite3_step(sh->put_base);
	sqlite3_reset(sh->put_base);
	return rc == SQLITE_DONE ? 0 : fail(sh);
}

int
shared_sums(struct shared *sh, const char *lim, const char *period,
    int64_t *billed, int64_t *reserved)
{
	int rc;

	sqlite3_bind_text(sh->sums, 1, lim, -1, SQLITE_STATIC);
	sqlite3_bind_text(sh->sums, 2, period, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(sh->sums)) == SQLITE_ROW) {
		*billed = sqlite3_column_int64(sh->sums, 0);
		*reserved = sqlite3_column_int64(sh->sums, 1);
	}
	sqlite3_reset(sh->sums);
	return rc == SQLITE_ROW ? 0 : fail(sh);
}

int
shared_add(struct shared *sh, const char *lim, const char *period,
    int64_t reserved, int64_t billed)
{
	int rc;

	sqlite3_bind_text(sh->add, 1, lim, -1, SQLITE_STATIC);
	sqlite3_bind_text(sh->add, 2, period, -1, SQLITE_STATIC);
	sqlite3_bind_int64(sh->add, 3, sh->pid);
	sqlite3_bind_int64(sh->add, 4, sh->start);
	sqlite3_bind_int64(sh->add, 5, reserved);
	sqlite3_bind_int64(sh->add, 6, billed);
	rc = sqlite3_step(sh->add);
	sqlite3_reset(sh->add);
	return rc == SQLITE_DONE ? 0 : fail(sh);
}
