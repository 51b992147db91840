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

#include <stdint.h>

#include <sqlite3.h>

#define STORE_NULL	INT64_MIN	/* an integer column left NULL */

/*
 * STORE_APPEND upgrades an older file in place, one migration per
 * transaction. The read-only modes never write: an older file is
 * refused with a line that says to run or-log once to upgrade it.
 * A file newer than this orkit is refused in every mode.
 */
enum store_mode {
	STORE_APPEND,		/* read-write, created 0600 when missing */
	STORE_READ,		/* read-only; it must exist */
	STORE_MAYBE		/* read-only; a missing one is not an error */
};

struct store {
	sqlite3		*db;
	char		*path;		/* as given; owned */
	sqlite3_stmt	*ins;		/* the append statement */
	int		 version;
	char		 err[256];	/* why the last write failed */
};

/* One request's columns. Strings are borrowed until the insert. */
struct store_row {
	int64_t		 ts;		/* epoch ms */
	const char	*job, *model, *served, *provider, *gen_id;
	const char	*status, *usd_source, *prompt, *answer;
	int64_t		 http, ptok, ctok, rtok, ctok_cached;
	int64_t		 latency, ttft;
	double		 usd;
	int		 has_usd, cached;
	char		 hash[65];	/* "" when the record holds no request */
	const char	*record;
	size_t		 reclen;
};

extern const int store_version;

char	*store_default_path(void);		/* malloc'd */
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
int64_t	 store_insert(struct store *, const struct store_row *);
					/* the row id, or -1 */
const char *store_errmsg(const struct store *);
sqlite3_stmt *store_prepare(struct store *, const char *);	/* dies */

#endif
