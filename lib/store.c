/*
 * store.c: the request log's database: open, pragmas, migrations, inserts.
 *
 * The schema is the list of migrations below, applied in order, one
 * transaction each, with PRAGMA user_version saying how far a file
 * has come. A step is never edited once released; a change is a new
 * step at the end.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "config.h"
#include "store.h"
#include "util.h"

static const char *migrations[] = {
	/* 1: one row a request, the record whole, its prompt and answer
	 * indexed for full-text search. */
	"CREATE TABLE requests("
	"  id INTEGER PRIMARY KEY,"
	"  ts INTEGER NOT NULL,"		/* epoch ms: send.started_at */
	"  job TEXT,"				/* the record's id */
	"  model TEXT,"				/* asked for */
	"  served TEXT,"			/* answered as */
	"  provider TEXT,"
	"  gen_id TEXT,"
	"  status TEXT NOT NULL,"		/* ok, or error.type */
	"  http INTEGER,"
	"  prompt_tokens INTEGER,"
	"  completion_tokens INTEGER,"
	"  reasoning_tokens INTEGER,"
	"  cached_tokens INTEGER,"
	"  usd REAL,"
	"  usd_source TEXT,"
	"  latency_ms INTEGER,"
	"  ttft_ms INTEGER,"
	"  req_hash TEXT,"
	"  cached INTEGER NOT NULL DEFAULT 0,"
	"  prompt TEXT,"
	"  answer TEXT,"
	"  record TEXT NOT NULL);"
	"CREATE INDEX requests_ts ON requests(ts);"
	"CREATE INDEX requests_job ON requests(job, status);"
	"CREATE INDEX requests_gen ON requests(gen_id);"
	"CREATE INDEX requests_hash ON requests(req_hash, status, ts);"
	"CREATE VIRTUAL TABLE requests_fts USING fts5(prompt, answer,"
	"  content='requests', content_rowid='id');"
	"CREATE TRIGGER requests_ai AFTER INSERT ON requests BEGIN"
	"  INSERT INTO requests_fts(rowid, prompt, answer)"
	"  VALUES (new.id, new.prompt, new.answer);"
	"END;"
	"CREATE TRIGGER requests_ad AFTER DELETE ON requests BEGIN"
	"  INSERT INTO requests_fts(requests_fts, rowid, prompt, answer)"
	"  VALUES ('delete', old.id, old.prompt, old.answer);"
	"END;"
	"CREATE TRIGGER requests_au AFTER UPDATE OF prompt, answer"
	"  ON requests BEGIN"
	"  INSERT INTO requests_fts(requests_fts, rowid, prompt, answer)"
	"  VALUES ('delete', old.id, old.prompt, old.answer);"
	"  INSERT INTO requests_fts(rowid, prompt, answer)"
	"  VALUES (new.id, new.prompt, new.answer);"
	"END;",

	/* 2: stats reads only this index, never the wide rows. */
	"DROP INDEX requests_ts;"
	"CREATE INDEX requests_stats ON requests(ts, model, served,"
	"  provider, job, status, usd, prompt_tokens, completion_tokens,"
	"  reasoning_tokens, cached_tokens, latency_ms);",
};

const int store_version = sizeof(migrations) / sizeof(migrations[0]);

static const char insert_sql[] =
    "INSERT INTO requests(ts, job, model, served, provider, gen_id,"
    " status, http, prompt_tokens, completion_tokens, reasoning_tokens,"
    " cached_tokens, usd, usd_source, latency_ms, ttft_ms, req_hash,"
    " cached, prompt, answer, record)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

char *
store_default_path(void)
{
	const char *env = getenv("ORKIT_DB");

	if (env && *env)
		return xstrdup(env);
	return cfg_path("XDG_DATA_HOME", ".local/share", "log.db");
}

const char *
store_errmsg(const struct store *s)
{
	if (s->err[0])
		return s->err;
	return s->db ? sqlite3_errmsg(s->db) : "cannot open";
}

static int
exec(struct store *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	sqlite3_free(msg);
	return -1;
}

static int
user_version(struct store *s)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The parent folder of the default path may not exist yet. */
static void
make_parent(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');

	if (slash && slash != dir) {
		*slash = '\0';
		make_parent(dir);
		if (mkdir(dir, 0700) == -1 && errno != EEXIST)
			warnx_("%s: %s", dir, strerror(errno));
	}
	free(dir);
}

/*
 * The file is made 0600 before SQLite sees it: it holds prompts and
 * answers, and SQLite gives its -wal and -shm files the same mode.
 */
static int
precreate(const char *path)
{
	int fd;

	if (strncmp(path, "file:", 5) == 0)
		return 0;
	make_parent(path);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1) {
		warnx_("%s: %s", path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* Each step checks the version again: another or-log may have run it. */
static int
migrate(struct store *s)
{
	char *bump;
	int v;

	for (;;) {
		if (store_begin(s) == -1)
			return -1;
		if ((v = user_version(s)) < 0 || v >= store_version) {
			store_rollback(s);
			if (v >= 0)
				s->err[0] = '\0';
			return v < 0 ? -1 : 0;
		}
		bump = sqlite3_mprintf("PRAGMA user_version = %d", v + 1);
		if (exec(s, migrations[v]) == -1 || exec(s, bump) == -1 ||
		    store_commit(s) == -1) {
			warnx_("%s: cannot upgrade to schema version %d: %s",
			    s->path, v + 1, sqlite3_errmsg(s->db));
			store_rollback(s);
			sqlite3_free(bump);
			return -1;
		}
		sqlite3_free(bump);
	}
}

static int
set_wal(struct store *s)
{
	sqlite3_stmt *st;
	int wal = 0;

	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		wal = strcmp((const char *)sqlite3_column_text(st, 0),
		    "wal") == 0;
	sqlite3_finalize(st);
	return wal ? 0 : exec(s, "PRAGMA journal_mode = WAL");
}

static int
open_db(struct store *s, int flags)
{
	flags |= SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(s->path, &s->db, flags, NULL) != SQLITE_OK)
		return -1;
	sqlite3_busy_timeout(s->db, 10000);
	sqlite3_extended_result_codes(s->db, 1);
	return exec(s, "PRAGMA synchronous = NORMAL");
}

/*
 * A file newer than us is refused by everyone; an older one only by
 * readers, since only a writer may upgrade it.
 */
int
store_check_version(const char *path, int version, int writer)
{
	if (version > store_version) {
		warnx_("%s: schema version %d is newer than this or-log's (%d);"
		    " use a newer orkit", path, version, store_version);
		return -2;
	}
	if (version < store_version && !writer) {
		warnx_("%s: log schema v%d is older than this orkit's v%d; run"
		    " 'or-log -d %s </dev/null' once to upgrade it", path,
		    version, store_version, path);
		return -2;
	}
	return 0;
}

static int
open_append(struct store *s)
{
	if (precreate(s->path) == -1)
		return -1;
	if (open_db(s, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) == -1 ||
	    (s->version = user_version(s)) < 0)
		goto fail;
	if (store_check_version(s->path, s->version, 1))
		return -2;
	if (set_wal(s) == -1 || migrate(s) == -1)
		goto fail;
	s->version = store_version;
	if (sqlite3_prepare_v2(s->db, insert_sql, -1, &s->ins, NULL) !=
	    SQLITE_OK)
		goto fail;
	return 0;
fail:
	warnx_("%s: %s", s->path, store_errmsg(s));
	return -1;
}

/*
 * Readers open read-only and never write, not even to upgrade an old
 * file: they may run where the log cannot be written, and a query that
 * changed the file behind a reader's back would surprise. A writer
 * (or-log appending, merging or pruning) upgrades it.
 */
static int
open_read(struct store *s, enum store_mode mode)
{
	struct stat sb;

	if (strncmp(s->path, "file:", 5) != 0 && stat(s->path, &sb) == -1) {
		if (mode == STORE_MAYBE && errno == ENOENT)
			return 1;
		warnx_("%s: %s", s->path, strerror(errno));
		return -1;
	}
	if (open_db(s, SQLITE_OPEN_READONLY) == -1 ||
	    (s->version = user_version(s)) < 0) {
		warnx_("%s: %s", s->path, store_errmsg(s));
		return -1;
	}
	return store_check_version(s->path, s->version, 0);
}

int
store_open(struct store *s, const char *path, enum store_mode mode)
{
	memset(s, 0, sizeof(*s));
	s->path = xstrdup(path);
	if (mode == STORE_APPEND)
		return open_append(s);
	return open_read(s, mode);
}

void
store_close(struct store *s)
{
	sqlite3_finalize(s->ins);
	if (s->db && sqlite3_close(s->db) != SQLITE_OK)
		warnx_("%s: %s", s->path, sqlite3_errmsg(s->db));
	free(s->path);
	memset(s, 0, sizeof(*s));
}

/*
 * busy_timeout covers BEGIN IMMEDIATE; a writer that still finds the
 * lock taken after it tries again a few times before giving up.
 */
int
store_begin(struct store *s)
{
	int i, rc = SQLITE_BUSY;

	for (i = 0; i < 6 && (rc == SQLITE_BUSY || (rc & 0xff) ==
	    SQLITE_BUSY); i++)
		rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK) {
		s->err[0] = '\0';
		return 0;
	}
	snprintf(s->err, sizeof(s->err), "%s", sqlite3_errmsg(s->db));
	return -1;
}

int
store_commit(struct store *s)
{
	int i, rc = SQLITE_BUSY;

	for (i = 0; i < 6 && (rc & 0xff) == SQLITE_BUSY; i++)
		rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		return 0;
	store_rollback(s);
	return -1;
}

/* ROLLBACK would overwrite the message that says why. */
void
store_rollback(struct store *s)
{
	snprintf(s->err, sizeof(s->err), "%s", sqlite3_errmsg(s->db));
	if (!sqlite3_get_autocommit(s->db))
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static void
bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void
bind_int(sqlite3_stmt *st, int i, int64_t v)
{
	if (v == STORE_NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

int64_t
store_insert(struct store *s, const struct store_row *r)
{
	sqlite3_stmt *st = s->ins;
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, r->ts);
	bind_text(st, 2, r->job);
	bind_text(st, 3, r->model);
	bind_text(st, 4, r->served);
	bind_text(st, 5, r->provider);
	bind_text(st, 6, r->gen_id);
	bind_text(st, 7, r->status);
	bind_int(st, 8, r->http);
	bind_int(st, 9, r->ptok);
	bind_int(st, 10, r->ctok);
	bind_int(st, 11, r->rtok);
	bind_int(st, 12, r->ctok_cached);
	if (r->has_usd)
		sqlite3_bind_double(st, 13, r->usd);
	else
		sqlite3_bind_null(st, 13);
	bind_text(st, 14, r->usd_source);
	bind_int(st, 15, r->latency);
	bind_int(st, 16, r->ttft);
	bind_text(st, 17, r->hash[0] ? r->hash : NULL);
	sqlite3_bind_int(st, 18, r->cached);
	bind_text(st, 19, r->prompt);
	bind_text(st, 20, r->answer);
	sqlite3_bind_text(st, 21, r->record, (int)r->reclen, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	return sqlite3_last_insert_rowid(s->db);
}

sqlite3_stmt *
store_prepare(struct store *s, const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		die(2, "%s", sqlite3_errmsg(s->db));
	return st;
}
