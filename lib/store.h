/*
 * store.h: the request log's SQLite file: its one schema (the
 * migrations), opening it (default path, WAL, busy_timeout, the version
 * check), prepared statements, and the insert.
 *
 * or-log is the only tool that writes the log: only it opens it with
 * STORE_APPEND and calls store_begin, store_insert and store_commit.
 * struct store is the caller's; store_close frees what store_open put in
 * it.
 */
#ifndef ORKIT_STORE_H
#define ORKIT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#define STORE_NULL	INT64_MIN	/* an integer column left NULL */

/*
 * STORE_APPEND upgrades an older file in place, every step it lacks
 * in one transaction. The read-only modes never write: an older file is
 * refused with a line that says to run or-log once to upgrade it.
 * A file newer than this orkit is refused in every mode.
 */
enum store_mode {
	STORE_APPEND,		/* read-write, created 0600 when missing */
	STORE_READ,		/* read-only; it must exist */
	STORE_MAYBE,		/* read-only; a missing one is not an error */
	STORE_APPEND_QUIET,	/* STORE_APPEND, and why it failed only in
				   store_errmsg: for a writer that tries
				   again */
	STORE_GLANCE		/* STORE_MAYBE that waits for a lock only
				   STORE_GLANCE_MS and says why it could
				   not open only in store_errmsg: for
				   history that is a hint, not a need */
};

/*
 * Below this many rows, stats and the named reads count the rows
 * themselves (a few ms), and their percentiles are exact; above it,
 * they read the per-day sums, whose percentiles come from a histogram
 * (exact below 64 ms, within 1/64 above).
 */
#define STORE_EXACT	10000

/* How long a writer waits for the lock by default: ORKIT_LOG_WAIT_MS. */
#define STORE_WAIT_MS	60000
/* How long a glance waits: a pipeline's stage must not stall on one. */
#define STORE_GLANCE_MS	200

/*
 * The named reads: the figures other tools take from the log, each over
 * a window [since, until) of send.started_at in epoch ms (STORE_EVER
 * for all of it). Every one yields groups of struct store_group.
 */
enum store_read {
	STORE_MODELS,		/* per model that answered: requests,
				   failures, latency, TTFT, USD per 1k;
				   reads the rows, not only the index */
	STORE_SPEND_DAY,	/* per UTC day, key "2026-11-20" */
	STORE_SPEND_MONTH,	/* per UTC month, key "2026-11" */
	STORE_SPEND_MODEL,	/* per model that answered */
	STORE_SPEND_JOB,	/* the jobs whose id starts with a prefix:
				   one group, or none */
	STORE_NREADS
};
#define STORE_EVER	INT64_MIN, INT64_MAX	/* since, until */

#define STORE_CHUNKS	10	/* an append statement takes <= 512 rows */

struct store {
	sqlite3		*db;
	char		*path;		/* as given; owned */
	sqlite3_stmt	*ins[STORE_CHUNKS];	/* appending 2^k rows */
	sqlite3_stmt	*once;		/* the row a request is stored as */
	sqlite3_stmt	*reads[STORE_NREADS];	/* prepared when first used */
	int		 version;
	int		 quiet;		/* STORE_APPEND_QUIET */
	int64_t		 wait;		/* ms, for the write lock */
	long		 exact;		/* a window of at most this many
					   rows is counted from its rows,
					   not the sums: STORE_EXACT */
	char		 err[256];	/* why the last write failed */
};

/* One request's columns. Strings are borrowed until the insert. */
struct store_row {
	int64_t		 ts;		/* epoch ms */
	const char	*job, *model, *served, *provider, *gen_id;
	const char	*status, *usd_source, *prompt, *answer;
	const char	*cid;		/* send.cid: a conversation's, or NULL */
	int64_t		 http, ptok, ctok, rtok, ctok_cached;
	int64_t		 latency, ttft;
	double		 usd;
	int		 has_usd, cached;
	char		 hash[65];	/* "" when the record holds no request */
	const char	*record;
	size_t		 reclen;
};

/*
 * One group of rows, as every named read and `or-log stats` count it.
 * requests counts rows; failures the rows whose status is not "ok";
 * usd sums the usd column in picodollars (lib/money), exactly, a row
 * without one counting 0.
 * Latency and TTFT percentiles are by nearest rank (the smallest value
 * with that share of the rows at or below it) over the rows that have
 * one; they and the means are 0 when there are none (nlatency, nttft).
 */
struct store_group {
	char	*key;		/* owned; "" when the column is NULL */
	long	 requests, failures;
	int64_t	 tokens[4];	/* prompt, completion, reasoning, cached */
	int64_t	 usd_pico;	/* the sum */
	double	 usd;		/* the same in dollars */
	double	 usd_per_1k;	/* usd per 1000 prompt + completion tokens;
				   -1 with no tokens */
	size_t	 nlatency;
	double	 latency_mean, latency_p50, latency_p95;	/* ms */
	size_t	 nttft;
	double	 ttft_p50;	/* ms; STORE_MODELS only */
};

/*
 * Groups in their order: time keys oldest first, others the costliest
 * first (then the most requests, then by key). The caller owns g and
 * frees it, with every key, by store_groups_free.
 */
struct store_groups {
	struct store_group	*g;
	size_t			 n;
};

/* What `or-log stats` groups by; the named reads use the same keys. */
enum store_key {
	STORE_KEY_MODEL,	/* coalesce(served, model) */
	STORE_KEY_PROVIDER,
	STORE_KEY_JOB,
	STORE_KEY_DAY,		/* UTC, "2026-11-20" */
	STORE_KEY_HOUR,		/* UTC, "2026-11-20T10" */
	STORE_KEY_MONTH		/* UTC, "2026-11" */
};

extern const int store_version;

char	*store_default_path(void);		/* malloc'd */
void	 store_make_parent(const char *path);	/* its missing folders,
					   0700, as or-log makes the log's;
					   a failure is said */
int	 store_open(struct store *, const char *, enum store_mode);
					/* 0; 1 nothing there (STORE_MAYBE);
					   -1 cannot (message said);
					   -2 newer than us, or older and
					   opened read-only (message said) */
void	 store_close(struct store *);
int	 store_check_version(const char *path, int version, int writer);
					/* 0, or -2 refused (message said) */
int	 store_begin(struct store *);		/* BEGIN IMMEDIATE; 0 or -1 */
int	 store_commit(struct store *);		/* 0, or -1 rolled back */
void	 store_rollback(struct store *);	/* keeps the error message */
int	 store_insert(struct store *, const struct store_row *const *,
	    size_t n, int64_t *ids, char *dup);
					/* 0, ids[i] each row's id; or -1.
					   A request already stored (its
					   generation id, else the record's
					   bytes), before or earlier in the
					   rows, is not stored again: ids[i]
					   its row's, dup[i] set */
int64_t	 store_wait_ms(void);		/* ORKIT_LOG_WAIT_MS, or the default */
const char *store_errmsg(const struct store *);
sqlite3_stmt *store_prepare(struct store *, const char *);	/* dies */

/*
 * Conversations (send.cid, or-send -c): the one most recently added
 * to, malloc'd, or NULL when the log has none; and one's turns in the
 * order they were stored, fn called with the record of each that went
 * through (status "ok"), borrowed for the call: how many turns it has,
 * failed ones too, or -1 (message said).
 */
char	*store_last_cid(struct store *);
long	 store_turns(struct store *, const char *cid,
	    void (*fn)(void *, const char *, size_t), void *arg);

/*
 * A named read into *out (which the caller then owns). prefix is for
 * STORE_SPEND_JOB, matched as job LIKE prefix || '%' with LIKE's own
 * wildcards in it taken literally (and, as LIKE does, ASCII letters in
 * either case); NULL elsewhere. 0, or -1 with store_errmsg saying why.
 */
int	 store_read(struct store *, enum store_read, int64_t since,
	    int64_t until, const char *prefix, struct store_groups *out);
/*
 * The same counts grouped by any key, for `or-log stats`: where is an
 * SQL expression over the requests table ANDed to the window, or NULL.
 * Reads only the requests_stats index unless where needs more. 0, or
 * -1 with store_errmsg saying why.
 */
int	 store_group_by(struct store *, enum store_key, int64_t since,
	    int64_t until, const char *where, struct store_groups *out);
void	 store_groups_free(struct store_groups *);

#endif
