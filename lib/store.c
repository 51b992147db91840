/*
 * store.c: the request log's database: open, pragmas, migrations, inserts.
 *
 * The schema is the list of migrations below, applied in order, all
 * that a file lacks in one transaction, with PRAGMA user_version
 * saying how far a file has come. A step is never edited once
 * released; a change is a new step at the end.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "config.h"
#include "money.h"
#include "reqhash.h"
#include "store.h"
#include "util.h"

/* What a row is known by: its generation, else its record's bytes. */
#define STORE_ONCE \
	"coalesce(CASE WHEN cached = 0 THEN gen_id END, record_hash)"

/*
 * Migration 4's sums: one row a (UTC day, model that answered,
 * provider, job prefix), kept by triggers in the transaction of every
 * insert, delete or update of a row, whoever writes it (or-log, prune,
 * merge, or sqlite3 by hand). The job prefix is the job id up to its
 * first ASCII digit ("nightly-2026-11-20.3" is "nightly-"), so that
 * numbered jobs share a row; rows without a job have their own (nojob
 * 1).
 */
#define SUM_DAY(r)	r ".ts / 86400000"
#define SUM_MODEL(r)	"coalesce(" r ".served, " r ".model, '')"
#define SUM_PROV(r)	"coalesce(" r ".provider, '')"
#define DIGIT(r, d)	"ifnull(nullif(instr(" r ".job, '" d "'), 0), 1000000000)"
#define SUM_JOBP(r)	"coalesce(substr(" r ".job, 1, min(" DIGIT(r, "0") \
	", " DIGIT(r, "1") ", " DIGIT(r, "2") ", " DIGIT(r, "3") ", " \
	DIGIT(r, "4") ", " DIGIT(r, "5") ", " DIGIT(r, "6") ", " \
	DIGIT(r, "7") ", " DIGIT(r, "8") ", " DIGIT(r, "9") ") - 1), '')"
#define SUM_KEY(r)	SUM_DAY(r) ", " SUM_MODEL(r) ", " SUM_PROV(r) ", " \
	SUM_JOBP(r) ", " r ".job IS NULL"
#define SUM_WHERE(r)	"day = " SUM_DAY(r) " AND model = " SUM_MODEL(r) \
	" AND provider = " SUM_PROV(r) " AND jobp = " SUM_JOBP(r) \
	" AND nojob = (" r ".job IS NULL)"
/* money_pico exactly: llround of usd * 1e12, a missing usd 0. */
#define PICO_R(r)	"(coalesce(" r ".usd, 0) * 1e12)"
#define PICO_T(r)	"CAST(" PICO_R(r) " AS INTEGER)"
#define PICO(r)		"(CASE WHEN " PICO_R(r) " >= 0 THEN " PICO_T(r) \
	" + (" PICO_R(r) " - " PICO_T(r) " >= 0.5) ELSE " PICO_T(r) \
	" - (" PICO_T(r) " - " PICO_R(r) " >= 0.5) END)"
#define NONNEG(v)	"(CASE WHEN " v " >= 0 THEN " v " ELSE 0 END)"
#define HAS(v)		"coalesce(" v " >= 0, 0)"
/*
 * A latency's histogram bucket: exact below 64 ms, then 32 buckets to
 * each power of two, so that a bucket is at most 1/32 of its values
 * wide; 2^31 ms and more share the last. bucket_value() reads it.
 */
#define BUCKET(v) "CASE WHEN " v " < 64 THEN " v \
	" WHEN " v " < 128 THEN 32 + (" v " >> 1)" \
	" WHEN " v " < 256 THEN 64 + (" v " >> 2)" \
	" WHEN " v " < 512 THEN 96 + (" v " >> 3)" \
	" WHEN " v " < 1024 THEN 128 + (" v " >> 4)" \
	" WHEN " v " < 2048 THEN 160 + (" v " >> 5)" \
	" WHEN " v " < 4096 THEN 192 + (" v " >> 6)" \
	" WHEN " v " < 8192 THEN 224 + (" v " >> 7)" \
	" WHEN " v " < 16384 THEN 256 + (" v " >> 8)" \
	" WHEN " v " < 32768 THEN 288 + (" v " >> 9)" \
	" WHEN " v " < 65536 THEN 320 + (" v " >> 10)" \
	" WHEN " v " < 131072 THEN 352 + (" v " >> 11)" \
	" WHEN " v " < 262144 THEN 384 + (" v " >> 12)" \
	" WHEN " v " < 524288 THEN 416 + (" v " >> 13)" \
	" WHEN " v " < 1048576 THEN 448 + (" v " >> 14)" \
	" WHEN " v " < 2097152 THEN 480 + (" v " >> 15)" \
	" WHEN " v " < 4194304 THEN 512 + (" v " >> 16)" \
	" WHEN " v " < 8388608 THEN 544 + (" v " >> 17)" \
	" WHEN " v " < 16777216 THEN 576 + (" v " >> 18)" \
	" WHEN " v " < 33554432 THEN 608 + (" v " >> 19)" \
	" WHEN " v " < 67108864 THEN 640 + (" v " >> 20)" \
	" WHEN " v " < 134217728 THEN 672 + (" v " >> 21)" \
	" WHEN " v " < 268435456 THEN 704 + (" v " >> 22)" \
	" WHEN " v " < 536870912 THEN 736 + (" v " >> 23)" \
	" WHEN " v " < 1073741824 THEN 768 + (" v " >> 24)" \
	" WHEN " v " < 2147483648 THEN 800 + (" v " >> 25)" \
	" ELSE 864 END"
/* The columns a row adds (sign "") or takes away (sign "-"). */
#define SUM_VALS(r, sg) sg "1, " sg "(" r ".status <> 'ok'), " \
	sg "coalesce(" r ".prompt_tokens, 0), " \
	sg "coalesce(" r ".completion_tokens, 0), " \
	sg "coalesce(" r ".reasoning_tokens, 0), " \
	sg "coalesce(" r ".cached_tokens, 0), " sg PICO(r) ", " \
	sg HAS(r ".latency_ms") ", " sg NONNEG(r ".latency_ms") ", " \
	sg HAS(r ".ttft_ms") ", " sg NONNEG(r ".ttft_ms")
#define SUM_ADD(r, sg) \
	"INSERT INTO requests_sums VALUES (" SUM_KEY(r) ", " SUM_VALS(r, sg) \
	") ON CONFLICT DO UPDATE SET requests = requests + excluded.requests," \
	" failures = failures + excluded.failures," \
	" ptok = ptok + excluded.ptok, ctok = ctok + excluded.ctok," \
	" rtok = rtok + excluded.rtok, ktok = ktok + excluded.ktok," \
	" usd_pico = usd_pico + excluded.usd_pico," \
	" nlat = nlat + excluded.nlat, latsum = latsum + excluded.latsum," \
	" nttft = nttft + excluded.nttft," \
	" ttftsum = ttftsum + excluded.ttftsum;"
#define HIST_ADD(r, sg, kind, col) \
	"INSERT INTO requests_hist SELECT " SUM_KEY(r) ", " kind ", " \
	BUCKET(r "." col) ", " sg "1 WHERE " r "." col " >= 0" \
	" ON CONFLICT DO UPDATE SET n = n + excluded.n;"
#define ROW_ADD(r) SUM_ADD(r, "") HIST_ADD(r, "", "0", "latency_ms") \
	HIST_ADD(r, "", "1", "ttft_ms")
#define ROW_SUB(r) SUM_ADD(r, "-") HIST_ADD(r, "-", "0", "latency_ms") \
	HIST_ADD(r, "-", "1", "ttft_ms") \
	"DELETE FROM requests_sums WHERE " SUM_WHERE(r) " AND requests = 0;" \
	"DELETE FROM requests_hist WHERE " SUM_WHERE(r) " AND n = 0;"
#define SUM_COLS "day INTEGER NOT NULL, model TEXT NOT NULL," \
	" provider TEXT NOT NULL, jobp TEXT NOT NULL, nojob INTEGER NOT NULL,"
#define SUM_PK "PRIMARY KEY(day, model, provider, jobp, nojob"

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

	/* 3: a request is stored once, and a row id never names another
	 * row. A generation is known by its id, any other row (errors,
	 * answers from the cache) by its record's bytes: the first row of
	 * each is kept, the later ones moved to requests_doubles (a ledger
	 * loses no row, and counts none twice). AUTOINCREMENT needs the
	 * table made anew. */
	"CREATE TABLE requests_v3("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  ts INTEGER NOT NULL,"
	"  job TEXT,"
	"  model TEXT,"
	"  served TEXT,"
	"  provider TEXT,"
	"  gen_id TEXT,"
	"  status TEXT NOT NULL,"
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
	"  record TEXT NOT NULL,"
	"  record_hash TEXT);"		/* SHA-256 of record */
	/* Every row first, so that no id it had is used again. */
	"INSERT INTO requests_v3 SELECT *, orkit_sha256(record)"
	"  FROM requests ORDER BY id;"
	"CREATE TABLE requests_doubles AS SELECT * FROM requests_v3"
	"  WHERE id NOT IN (SELECT min(id) FROM requests_v3"
	"  GROUP BY " STORE_ONCE ");"
	/* From the old table, so that its trigger updates the index. */
	"DELETE FROM requests WHERE id NOT IN (SELECT min(id)"
	"  FROM requests_v3 GROUP BY " STORE_ONCE ");"
	"DELETE FROM requests_v3 WHERE id NOT IN (SELECT id FROM requests);"
	"DROP TABLE requests;"
	"ALTER TABLE requests_v3 RENAME TO requests;"
	"CREATE INDEX requests_job ON requests(job, status);"
	"CREATE INDEX requests_gen ON requests(gen_id);"
	"CREATE INDEX requests_hash ON requests(req_hash, status, ts);"
	"CREATE INDEX requests_stats ON requests(ts, model, served,"
	"  provider, job, status, usd, prompt_tokens, completion_tokens,"
	"  reasoning_tokens, cached_tokens, latency_ms);"
	"CREATE UNIQUE INDEX requests_once ON requests(" STORE_ONCE ");"
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

	/* 4: the sums stats and the named reads answer from (above),
	 * built here for the rows already stored. */
	"CREATE TABLE requests_sums(" SUM_COLS
	"  requests INTEGER NOT NULL, failures INTEGER NOT NULL,"
	"  ptok INTEGER NOT NULL, ctok INTEGER NOT NULL,"
	"  rtok INTEGER NOT NULL, ktok INTEGER NOT NULL,"
	"  usd_pico INTEGER NOT NULL,"
	"  nlat INTEGER NOT NULL, latsum INTEGER NOT NULL,"
	"  nttft INTEGER NOT NULL, ttftsum INTEGER NOT NULL,"
	"  " SUM_PK ")) WITHOUT ROWID;"
	"CREATE TABLE requests_hist(" SUM_COLS
	"  kind INTEGER NOT NULL,"	/* 0 latency, 1 TTFT */
	"  bucket INTEGER NOT NULL, n INTEGER NOT NULL,"
	"  " SUM_PK ", kind, bucket)) WITHOUT ROWID;"
	"CREATE TRIGGER requests_sums_ai AFTER INSERT ON requests BEGIN "
	ROW_ADD("new") " END;"
	"CREATE TRIGGER requests_sums_ad AFTER DELETE ON requests BEGIN "
	ROW_SUB("old") " END;"
	"CREATE TRIGGER requests_sums_au AFTER UPDATE OF ts, model, served,"
	"  provider, job, status, prompt_tokens, completion_tokens,"
	"  reasoning_tokens, cached_tokens, usd, latency_ms, ttft_ms"
	"  ON requests BEGIN " ROW_SUB("old") ROW_ADD("new") " END;"
	"INSERT INTO requests_sums SELECT " SUM_KEY("r") ","
	"  count(*), sum(r.status <> 'ok'), sum(coalesce(r.prompt_tokens, 0)),"
	"  sum(coalesce(r.completion_tokens, 0)),"
	"  sum(coalesce(r.reasoning_tokens, 0)),"
	"  sum(coalesce(r.cached_tokens, 0)), sum(" PICO("r") "),"
	"  sum(" HAS("r.latency_ms") "), sum(" NONNEG("r.latency_ms") "),"
	"  sum(" HAS("r.ttft_ms") "), sum(" NONNEG("r.ttft_ms") ")"
	"  FROM requests r GROUP BY 1, 2, 3, 4, 5;"
	"INSERT INTO requests_hist SELECT " SUM_KEY("r") ", 0,"
	"  " BUCKET("r.latency_ms") ", count(*) FROM requests r"
	"  WHERE r.latency_ms >= 0 GROUP BY 1, 2, 3, 4, 5, 6, 7;"
	"INSERT INTO requests_hist SELECT " SUM_KEY("r") ", 1,"
	"  " BUCKET("r.ttft_ms") ", count(*) FROM requests r"
	"  WHERE r.ttft_ms >= 0 GROUP BY 1, 2, 3, 4, 5, 6, 7;",

	/* 5: the conversation a request is a turn of (send.cid), its
	 * turns read in order by or-send -c and or-log recent --cid. No
	 * trigger reads it: the sums of 4 are as they were. */
	"ALTER TABLE requests ADD COLUMN cid TEXT;"
	"UPDATE requests SET cid = json_extract(record, '$.send.cid')"
	"  WHERE json_valid(record)"
	"  AND json_type(record, '$.send.cid') = 'text';"
	"CREATE INDEX requests_cid ON requests(cid, id)"
	"  WHERE cid IS NOT NULL;",
};

const int store_version = sizeof(migrations) / sizeof(migrations[0]);

/*
 * The append statement for 2^k rows at once (k < STORE_CHUNKS): one
 * statement a chunk, not one a row, because FTS5 (before SQLite 3.45)
 * writes its pending terms out at every statement of a transaction,
 * and a segment a row made appending three times as slow as it is.
 */
#define INSERT_COLS \
    "INSERT INTO requests(ts, job, model, served, provider, gen_id," \
    " status, http, prompt_tokens, completion_tokens, reasoning_tokens," \
    " cached_tokens, usd, usd_source, latency_ms, ttft_ms, req_hash," \
    " cached, prompt, answer, record, record_hash, cid) VALUES "
#define INSERT_ROW	"(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
#define INSERT_NCOLS	23
#define INSERT_END	" ON CONFLICT DO NOTHING RETURNING id, " STORE_ONCE

static const char once_sql[] =
    "SELECT id FROM requests WHERE " STORE_ONCE " = ?1";

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

/* orkit_sha256(text): what migration 3 fills record_hash with. */
static void
sql_sha256(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	char hex[65];

	(void)argc;
	sha256_hex(sqlite3_value_blob(argv[0]),
	    (size_t)sqlite3_value_bytes(argv[0]), hex);
	sqlite3_result_text(cx, hex, 64, SQLITE_TRANSIENT);
}

/*
 * How long a writer waits for the lock, ORKIT_LOG_WAIT_MS: past it, a
 * batch is not stored (and said so), and the next batch tries again.
 */
int64_t
store_wait_ms(void)
{
	const char *env = getenv("ORKIT_LOG_WAIT_MS");
	char *end;
	long long v;

	if (env == NULL || *env == '\0')
		return STORE_WAIT_MS;
	v = strtoll(env, &end, 10);
	if (*end || v < 0 || v > INT32_MAX) {
		warnx_("ORKIT_LOG_WAIT_MS wants milliseconds: %s", env);
		return STORE_WAIT_MS;
	}
	return v;
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

/*
 * The parent folder of the default path may not exist yet: made 0700,
 * since what is kept there holds prompts and answers.
 */
void
store_make_parent(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');

	if (slash && slash != dir) {
		*slash = '\0';
		store_make_parent(dir);
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
precreate(struct store *s)
{
	int fd;

	if (strncmp(s->path, "file:", 5) == 0)
		return 0;
	store_make_parent(s->path);
	fd = open(s->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1) {
		/* The reason a record not stored carries: the cause,
		 * such as a read-only file system, not "cannot open". */
		snprintf(s->err, sizeof(s->err), "%s", strerror(errno));
		if (!s->quiet)
			warnx_("%s: %s", s->path, s->err);
		return -1;
	}
	close(fd);
	return 0;
}

static int
upgrade_failed(struct store *s, int to)
{
	if (!s->quiet)
		warnx_("%s: cannot upgrade to schema version %d: %s",
		    s->path, to, store_errmsg(s));
	return -1;
}

/*
 * Every step a file lacks is applied in one transaction, so a reader
 * that opens it meanwhile sees the file as it was (version 0: no log
 * yet) or as it will be, never half way. The version is read inside
 * the transaction: another or-log may have upgraded it first.
 */
static int
migrate(struct store *s)
{
	char *bump;
	int v, from;

	if (store_begin(s) == -1)
		return -1;
	if ((from = v = user_version(s)) < 0) {
		store_rollback(s);
		return -1;
	}
	for (; v < store_version; v++) {
		bump = sqlite3_mprintf("PRAGMA user_version = %d", v + 1);
		if (exec(s, migrations[v]) == -1 || exec(s, bump) == -1) {
			sqlite3_free(bump);
			store_rollback(s);
			return upgrade_failed(s, v + 1);
		}
		sqlite3_free(bump);
	}
	if (v == from) {
		store_rollback(s);
		s->err[0] = '\0';
		return 0;
	}
	return store_commit(s) == 0 ? 0 : upgrade_failed(s, v);
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
	sqlite3_busy_timeout(s->db, (int)s->wait);
	sqlite3_extended_result_codes(s->db, 1);
	return exec(s, "PRAGMA synchronous = NORMAL");
}

/*
 * A file newer than us is refused by everyone; an older one only by
 * readers, since only a writer may upgrade it.
 */
static int
version_refused(char *buf, size_t n, const char *path, int version,
    int writer)
{
	if (version > store_version) {
		snprintf(buf, n, "%s: schema version %d is newer than this"
		    " orkit's (%d); use a newer orkit", path, version,
		    store_version);
		return -2;
	}
	if (version < store_version && !writer) {
		snprintf(buf, n, "%s: log schema v%d is older than this"
		    " orkit's v%d; run 'or-log -d %s </dev/null' once to"
		    " upgrade it", path, version, store_version, path);
		return -2;
	}
	return 0;
}

int
store_check_version(const char *path, int version, int writer)
{
	char msg[1024];

	if (version_refused(msg, sizeof(msg), path, version, writer) == 0)
		return 0;
	warnx_("%s", msg);
	return -2;
}

static int
open_append(struct store *s)
{
	if (precreate(s) == -1)
		return -1;
	if (open_db(s, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) == -1 ||
	    (s->version = user_version(s)) < 0)
		goto fail;
	if (store_check_version(s->path, s->version, 1))
		return -2;
	if (sqlite3_create_function(s->db, "orkit_sha256", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, NULL, sql_sha256, NULL, NULL) != SQLITE_OK ||
	    set_wal(s) == -1 || migrate(s) == -1)
		goto fail;
	s->version = store_version;
	if (sqlite3_prepare_v2(s->db, once_sql, -1, &s->once, NULL) !=
	    SQLITE_OK)
		goto fail;
	return 0;
fail:
	if (!s->quiet)
		warnx_("%s: %s", s->path, store_errmsg(s));
	return -1;
}

/* A reader's refusal: said, or kept in err when it is quiet. */
static int
read_refused(struct store *s, int rc, const char *why)
{
	char msg[sizeof(s->err)];

	snprintf(msg, sizeof(msg), "%s: %s", s->path, why);
	if (s->quiet)
		memcpy(s->err, msg, sizeof(s->err));
	else
		warnx_("%s", msg);
	return rc;
}

/*
 * A WAL file's reader needs its -shm beside it, which SQLite makes when
 * no connection has: on a read-only file system, or in a folder we may
 * not write, it cannot, and the log could not be read at all (a backup,
 * a mounted archive). There no writer can be at work either (a writer
 * keeps the -shm while it is open), so the file is read as immutable:
 * without locks, as the unchanging file it is. 0, or -1.
 */
static int
open_immutable(struct store *s)
{
	char *dir = xstrdup(s->path), *slash = strrchr(dir, '/');
	struct buf uri = { 0 };
	const char *p;
	int cant;

	if (slash)
		slash[slash == dir ? 1 : 0] = '\0';
	cant = access(slash ? dir : ".", W_OK) == -1;
	free(dir);
	if (!cant || strncmp(s->path, "file:", 5) == 0)
		return -1;
	buf_adds(&uri, "file:");
	for (p = s->path; *p; p++) {
		if (*p == '?' || *p == '#' || *p == '%') {
			char hex[4];

			snprintf(hex, sizeof(hex), "%%%02X", (unsigned char)*p);
			buf_adds(&uri, hex);
		} else
			buf_addc(&uri, *p);
	}
	buf_adds(&uri, "?immutable=1");
	sqlite3_close(s->db);
	s->db = NULL;
	if (sqlite3_open_v2(buf_str(&uri), &s->db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		buf_free(&uri);
		return -1;
	}
	buf_free(&uri);
	sqlite3_extended_result_codes(s->db, 1);
	return 0;
}

static int
cannot_open(const struct store *s)
{
	return s->db != NULL &&
	    (sqlite3_extended_errcode(s->db) & 0xff) == SQLITE_CANTOPEN;
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
	int maybe = mode == STORE_MAYBE || mode == STORE_GLANCE;

	if (strncmp(s->path, "file:", 5) != 0 && stat(s->path, &sb) == -1) {
		if (maybe && errno == ENOENT)
			return 1;
		return read_refused(s, -1, strerror(errno));
	}
	if ((open_db(s, SQLITE_OPEN_READONLY) == -1 ||
	    (s->version = user_version(s)) < 0) &&
	    (!cannot_open(s) || open_immutable(s) == -1 ||
	    (s->version = user_version(s)) < 0))
		return read_refused(s, -1, store_errmsg(s));
	/* One that or-log is making right now holds nothing yet. */
	if (s->version == 0 && maybe)
		return 1;
	if (!s->quiet)
		return store_check_version(s->path, s->version, 0);
	return version_refused(s->err, sizeof(s->err), s->path, s->version,
	    0);
}

int
store_open(struct store *s, const char *path, enum store_mode mode)
{
	memset(s, 0, sizeof(*s));
	s->path = xstrdup(path);
	s->exact = STORE_EXACT;
	s->err[0] = '\0';
	s->wait = store_wait_ms();
	if (mode == STORE_APPEND_QUIET) {
		s->quiet = 1;
		mode = STORE_APPEND;
	}
	if (mode == STORE_GLANCE) {
		s->quiet = 1;
		if (s->wait > STORE_GLANCE_MS)
			s->wait = STORE_GLANCE_MS;
	}
	if (mode == STORE_APPEND)
		return open_append(s);
	return open_read(s, mode);
}

void
store_close(struct store *s)
{
	int i;

	for (i = 0; i < STORE_CHUNKS; i++)
		sqlite3_finalize(s->ins[i]);
	sqlite3_finalize(s->once);
	for (i = 0; i < STORE_NREADS; i++)
		sqlite3_finalize(s->reads[i]);
	if (s->db && sqlite3_close(s->db) != SQLITE_OK)
		warnx_("%s: %s", s->path, sqlite3_errmsg(s->db));
	free(s->path);
	memset(s, 0, sizeof(*s));
}

/*
 * busy_timeout covers BEGIN IMMEDIATE; SQLite returns some kinds of
 * busy at once (a snapshot gone stale, WAL recovery), and those are
 * tried again, within the same bound.
 */
static int
busy_exec(struct store *s, const char *sql)
{
	int64_t end = mono_ms() + s->wait;
	int rc;

	do
		rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	while ((rc & 0xff) == SQLITE_BUSY && mono_ms() < end);
	return rc;
}

int
store_begin(struct store *s)
{
	int rc = busy_exec(s, "BEGIN IMMEDIATE");

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
	int rc = busy_exec(s, "COMMIT");

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

/* The row already stored for a request: a re-fed record's. */
static int64_t
stored_id(struct store *s, const char *key)
{
	sqlite3_stmt *st = s->once;
	int64_t id = -1;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return id;
}

/* The statement that appends 2^k rows, made when first wanted. */
static sqlite3_stmt *
insert_stmt(struct store *s, int k)
{
	struct buf b = { 0 };
	int i;

	if (s->ins[k])
		return s->ins[k];
	buf_adds(&b, INSERT_COLS);
	for (i = 0; i < 1 << k; i++)
		buf_adds(&b, i ? "," INSERT_ROW : INSERT_ROW);
	buf_adds(&b, INSERT_END);
	buf_str(&b);
	if (sqlite3_prepare_v2(s->db, b.buf, (int)b.len, &s->ins[k], NULL) !=
	    SQLITE_OK)
		s->ins[k] = NULL;
	buf_free(&b);
	return s->ins[k];
}

static void
bind_row(sqlite3_stmt *st, int i, const struct store_row *r,
    const char *hex)
{
	i *= INSERT_NCOLS;
	sqlite3_bind_int64(st, i + 1, r->ts);
	bind_text(st, i + 2, r->job);
	bind_text(st, i + 3, r->model);
	bind_text(st, i + 4, r->served);
	bind_text(st, i + 5, r->provider);
	bind_text(st, i + 6, r->gen_id);
	bind_text(st, i + 7, r->status);
	bind_int(st, i + 8, r->http);
	bind_int(st, i + 9, r->ptok);
	bind_int(st, i + 10, r->ctok);
	bind_int(st, i + 11, r->rtok);
	bind_int(st, i + 12, r->ctok_cached);
	if (r->has_usd)
		sqlite3_bind_double(st, i + 13, r->usd);
	else
		sqlite3_bind_null(st, i + 13);
	bind_text(st, i + 14, r->usd_source);
	bind_int(st, i + 15, r->latency);
	bind_int(st, i + 16, r->ttft);
	bind_text(st, i + 17, r->hash[0] ? r->hash : NULL);
	sqlite3_bind_int(st, i + 18, r->cached);
	bind_text(st, i + 19, r->prompt);
	bind_text(st, i + 20, r->answer);
	sqlite3_bind_text(st, i + 21, r->record, (int)r->reclen,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, i + 22, hex, 64, SQLITE_STATIC);
	bind_text(st, i + 23, r->cid);
}

/*
 * The row RETURNING names (id, key) is the first of n still without
 * one that has its key; rows come back in order, so *next is tried
 * first.
 */
static void
claim(int64_t id, const char *key, const char **keys, int64_t *ids,
    size_t n, size_t *next)
{
	size_t i, j;

	for (j = 0; j < n; j++) {
		i = (*next + j) % n;
		if (ids[i] == -1 && strcmp(keys[i], key) == 0) {
			ids[i] = id;
			*next = i + 1;
			return;
		}
	}
}

/* Rows [0, n), n a power of two, in one statement. */
static int
insert_chunk(struct store *s, int k, const struct store_row *const *rows,
    int64_t *ids, char *dup)
{
	sqlite3_stmt *st = insert_stmt(s, k);
	size_t i, n = (size_t)1 << k, next = 0;
	char (*hex)[65];
	const char **keys;	/* cppcheck-suppress shadowVariable ; keys[] is not in scope yet */
	int rc;

	if (st == NULL)
		return -1;
	hex = xmalloc(n * sizeof(*hex));
	keys = xmalloc(n * sizeof(*keys));
	for (i = 0; i < n; i++) {
		/* What the row is known by, as STORE_ONCE says. */
		sha256_hex(rows[i]->record, rows[i]->reclen, hex[i]);
		keys[i] = !rows[i]->cached && rows[i]->gen_id ?
		    rows[i]->gen_id : hex[i];
		bind_row(st, (int)i, rows[i], hex[i]);
		ids[i] = -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		claim(sqlite3_column_int64(st, 0),
		    (const char *)sqlite3_column_text(st, 1), keys, ids, n,
		    &next);
	sqlite3_reset(st);
	/* Those not inserted were stored already, here or before. */
	for (i = 0; rc == SQLITE_DONE && i < n; i++)
		if ((dup[i] = ids[i] == -1))
			ids[i] = stored_id(s, keys[i]);
	sqlite3_clear_bindings(st);
	free(keys);
	free(hex);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_insert(struct store *s, const struct store_row *const *rows,
    size_t n, int64_t *ids, char *dup)
{
	size_t done = 0;
	int k;

	for (k = STORE_CHUNKS - 1; k >= 0; k--)
		while (n - done >= (size_t)1 << k) {
			if (insert_chunk(s, k, rows + done, ids + done,
			    dup + done) == -1)
				return -1;
			done += (size_t)1 << k;
		}
	return 0;
}

sqlite3_stmt *
store_prepare(struct store *s, const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		die(2, "%s", sqlite3_errmsg(s->db));
	return st;
}

/*
 * The named reads are a table of statements, not views: a view would
 * be a migration, and every reader of a log made before it would then
 * have to stop until a writer upgraded the file; and SQL has no
 * percentile, so the counting is C either way. Each read is one
 * SELECT of the same columns (below) with its own key and condition
 * over a bound window, prepared the first time it is asked for and
 * kept until store_close;
 * `or-log stats` builds its statement from the same pieces, so a
 * figure has one definition. Rows are counted here, in the order the
 * requests_stats index gives them, which is the order stats has always
 * summed USD in.
 */
#define READ_COLS \
	"status <> 'ok', usd, prompt_tokens, completion_tokens," \
	" reasoning_tokens, cached_tokens, coalesce(latency_ms, -1)"
#define WINDOW	"ts >= ?1 AND ts < ?2"

/* Days and hours are grouped by their number since the epoch. */
static const struct {
	const char	*expr;
	int64_t		 unit;		/* ms in a numbered time key, else 0 */
	int		 namelen;	/* of 2026-11-20T10:00:00.000Z */
	int		 timeline;	/* ordered by key, oldest first */
} keys[] = {
	[STORE_KEY_MODEL] = { "coalesce(served, model)", 0, 0, 0 },
	[STORE_KEY_PROVIDER] = { "provider", 0, 0, 0 },
	[STORE_KEY_JOB] = { "job", 0, 0, 0 },
	[STORE_KEY_DAY] = { "ts / 86400000", 86400000, 10, 1 },
	[STORE_KEY_HOUR] = { "ts / 3600000", 3600000, 13, 1 },
	[STORE_KEY_MONTH] = { "strftime('%Y-%m', ts / 1000, 'unixepoch')",
	    0, 0, 1 },
};

static const struct {
	enum store_key	 key;
	const char	*sql;		/* after the key column */
} reads[] = {
	[STORE_MODELS] = { STORE_KEY_MODEL, ", " READ_COLS ","
	    " coalesce(ttft_ms, -1) FROM requests WHERE " WINDOW },
	[STORE_SPEND_DAY] = { STORE_KEY_DAY, ", " READ_COLS
	    " FROM requests WHERE " WINDOW },
	[STORE_SPEND_MONTH] = { STORE_KEY_MONTH, ", " READ_COLS
	    " FROM requests WHERE " WINDOW },
	[STORE_SPEND_MODEL] = { STORE_KEY_MODEL, ", " READ_COLS
	    " FROM requests WHERE " WINDOW },
	/* One group, keyed by the prefix as asked (?3). */
	[STORE_SPEND_JOB] = { STORE_KEY_JOB, ", " READ_COLS
	    " FROM requests WHERE " WINDOW " AND job LIKE ?4 ESCAPE '\\'" },
};

/* A group as it is counted: its latencies kept for the percentiles. */
struct acc {
	struct store_group	 g;
	int64_t			*lat, *ttft;
	size_t			 caplat, capttft;
	double			 latsum;
	int			 sums;		/* counted from the sums */
	size_t			 nttft_sum;	/* the sums' TTFTs */
	size_t			 cum[2];	/* histogram counts so far */
};

struct accs {
	struct acc	*a;
	size_t		 n, cap;
	size_t		*slot;		/* open hash of indexes + 1 */
	size_t		 nslot;
	size_t		 last;		/* the previous row's, + 1 */
};

static size_t
hash_str(const char *s)
{
	size_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void
rehash(struct accs *as)
{
	size_t i, j;

	free(as->slot);
	as->nslot = as->nslot ? as->nslot * 2 : 64;
	as->slot = xmalloc(as->nslot * sizeof(*as->slot));
	memset(as->slot, 0, as->nslot * sizeof(*as->slot));
	for (i = 0; i < as->n; i++) {
		j = hash_str(as->a[i].g.key) & (as->nslot - 1);
		while (as->slot[j])
			j = (j + 1) & (as->nslot - 1);
		as->slot[j] = i + 1;
	}
}

static struct acc *
acc_of(struct accs *as, const char *key)
{
	size_t j;

	/* Rows come in time order; neighbours often share a group. */
	if (as->last && strcmp(as->a[as->last - 1].g.key, key) == 0)
		return &as->a[as->last - 1];
	if (as->n * 2 >= as->nslot)
		rehash(as);
	j = hash_str(key) & (as->nslot - 1);
	for (; as->slot[j]; j = (j + 1) & (as->nslot - 1))
		/* A slot is non-zero only once a[] holds its entry. */
		/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): rehash zeroes slot[] */
		if (strcmp(as->a[as->slot[j] - 1].g.key, key) == 0)
			return &as->a[(as->last = as->slot[j]) - 1];
	if (as->n == as->cap) {
		as->cap = as->cap ? as->cap * 2 : 16;
		as->a = xrealloc(as->a, as->cap * sizeof(*as->a));
	}
	memset(&as->a[as->n], 0, sizeof(as->a[0]));
	as->a[as->n].g.key = xstrdup(key);
	as->slot[j] = as->last = ++as->n;
	return &as->a[as->n - 1];
}

static void
keep(int64_t **v, size_t *n, size_t *cap, int64_t x)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[(*n)++] = x;
}

/* key, failed, usd, four token counts, latency[, ttft] (-1: none). */
static void
count_row(struct accs *as, sqlite3_stmt *st, int ttft)
{
	const char *key = (const char *)sqlite3_column_text(st, 0);
	struct acc *a = acc_of(as, key ? key : "");
	int64_t v;
	int i;

	a->g.requests++;
	a->g.failures += sqlite3_column_int(st, 1);
	for (i = 0; i < 4; i++)
		a->g.tokens[i] += sqlite3_column_int64(st, 3 + i);
	a->g.usd_pico += money_pico(sqlite3_column_double(st, 2));
	if ((v = sqlite3_column_int64(st, 7)) >= 0) {
		keep(&a->lat, &a->g.nlatency, &a->caplat, v);
		a->latsum += (double)v;
	}
	if (ttft && (v = sqlite3_column_int64(st, 8)) >= 0)
		keep(&a->ttft, &a->g.nttft, &a->capttft, v);
}

/* The k-th smallest of v[0..n), in place: Hoare's selection. */
static int64_t
select_kth(int64_t *v, size_t n, size_t k)
{
	long lo = 0, hi = (long)n - 1, i, j, kk = (long)k;
	int64_t pivot, t;

	while (lo < hi) {
		pivot = v[lo + (hi - lo) / 2];
		for (i = lo, j = hi; i <= j;) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				t = v[i], v[i] = v[j], v[j] = t;
				i++, j--;
			}
		}
		if (kk <= j)
			hi = j;
		else if (kk >= i)
			lo = i;
		else
			break;
	}
	return v[k];
}

/* Nearest rank: the smallest value with q of them at or below it. */
static double
percentile(int64_t *v, size_t n, double q)
{
	size_t rank = (size_t)ceil(q * (double)n);

	if (n == 0)
		return 0;
	return (double)select_kth(v, n, rank ? rank - 1 : 0);
}

static void
finish(struct acc *a, enum store_key k)
{
	struct store_group *g = &a->g;
	char iso[64];
	int64_t tok = g->tokens[0] + g->tokens[1];

	if (keys[k].unit) {
		iso8601_ms(strtoll(g->key, NULL, 10) * keys[k].unit, iso);
		iso[keys[k].namelen] = '\0';
		free(g->key);
		g->key = xstrdup(iso);
	}
	g->usd = money_usd(g->usd_pico);
	g->usd_per_1k = tok > 0 ? g->usd * 1000 / (double)tok : -1;
	if (a->sums) {
		if (g->nlatency)
			g->latency_mean = a->latsum / (double)g->nlatency;
		g->nttft = a->nttft_sum;
		return;
	}
	if (g->nlatency) {
		g->latency_mean = a->latsum / (double)g->nlatency;
		g->latency_p50 = percentile(a->lat, g->nlatency, 0.5);
		g->latency_p95 = percentile(a->lat, g->nlatency, 0.95);
	}
	g->ttft_p50 = percentile(a->ttft, g->nttft, 0.5);
	free(a->lat);
	free(a->ttft);
}

static int
cmp_key(const void *a, const void *b)
{
	const struct store_group *x = a, *y = b;

	return strcmp(x->key, y->key);
}

static int
cmp_spend(const void *a, const void *b)
{
	const struct store_group *x = a, *y = b;

	if (x->usd_pico != y->usd_pico)
		return x->usd_pico < y->usd_pico ? 1 : -1;
	if (x->requests != y->requests)
		return x->requests < y->requests ? 1 : -1;
	return strcmp(x->key, y->key);
}

/* The groups counted, finished and in their order; as freed. */
static int
publish(struct accs *as, enum store_key k, int ttft, int failed,
    struct store_groups *out)
{
	size_t i;

	out->g = xmalloc((as->n ? as->n : 1) * sizeof(*out->g));
	for (i = 0; i < as->n; i++) {
		if (!ttft)
			as->a[i].nttft_sum = 0;
		finish(&as->a[i], k);
		out->g[out->n++] = as->a[i].g;
	}
	free(as->a);
	free(as->slot);
	if (failed) {
		store_groups_free(out);
		return -1;
	}
	qsort(out->g, out->n, sizeof(*out->g), keys[k].timeline ? cmp_key :
	    cmp_spend);
	return 0;
}

/* Counts every row of st into *out, st left reset. */
static int
collect(struct store *s, sqlite3_stmt *st, enum store_key k,
    struct store_groups *out)
{
	struct accs as = { 0 };
	int rc, ttft;

	out->g = NULL;
	out->n = 0;
	ttft = sqlite3_column_count(st) > 8;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		count_row(&as, st, ttft);
	if (rc != SQLITE_DONE)
		snprintf(s->err, sizeof(s->err), "%s", sqlite3_errmsg(s->db));
	sqlite3_reset(st);
	return publish(&as, k, ttft, rc != SQLITE_DONE, out);
}

/*
 * Reading the sums (migration 4). They answer a window whose ends fall
 * on UTC days, grouped by a key they hold; anything else, and a window
 * of at most s->exact rows, is counted from the rows. The sums' counts,
 * tokens, USD and means are the rows' exactly; their percentiles come
 * from the histogram, the middle of the bucket the rank falls in:
 * exact below 64 ms, and within 1/64 of the value above.
 */
#define DAY_MS	86400000

static const char *sum_keys[] = {
	[STORE_KEY_MODEL] = "model",
	[STORE_KEY_PROVIDER] = "provider",
	[STORE_KEY_JOB] = NULL,
	[STORE_KEY_DAY] = "day",
	[STORE_KEY_HOUR] = NULL,
	[STORE_KEY_MONTH] = "strftime('%Y-%m', day * 86400, 'unixepoch')",
};

/* The jobs a prefix names, as LIKE prefix || '%' would (?3). */
#define JOB_COND " AND nojob = 0 AND length(jobp) >= length(?3) AND" \
	" lower(substr(jobp, 1, length(?3))) = lower(?3)"
/* A prefix row that may hold jobs both in and out of it. */
#define JOB_SPLIT "SELECT 1 FROM requests_sums WHERE day >= ?1 AND" \
	" day < ?2 AND nojob = 0 AND length(jobp) < length(?3) AND" \
	" lower(jobp) = lower(substr(?3, 1, length(jobp))) LIMIT 1"

/*
 * A window as the sums take it: the whole UTC days [d0, d1) from the
 * sums, and the rows of the parts of a day at either end, [e[0], e[1])
 * and [e[2], e[3]), counted one by one with them.
 */
struct days {
	int64_t	d0, d1;
	int64_t	e[4];
	int	edges;
};

/* 0, or -1 when the window holds no whole day (its rows are few). */
static int
day_window(int64_t since, int64_t until, struct days *w)
{
	memset(w, 0, sizeof(*w));
	if ((since != INT64_MIN && (since < 0 ||
	    since > INT64_MAX - DAY_MS)) || (until != INT64_MAX && until < 0))
		return -1;
	w->d0 = since == INT64_MIN ? INT64_MIN : (since + DAY_MS - 1) / DAY_MS;
	w->d1 = until == INT64_MAX ? INT64_MAX : until / DAY_MS;
	if (w->d0 >= w->d1)
		return -1;
	if (since != INT64_MIN && since % DAY_MS) {
		w->e[0] = since, w->e[1] = w->d0 * DAY_MS;
		w->edges = 1;
	}
	if (until != INT64_MAX && until % DAY_MS) {
		w->e[2] = w->d1 * DAY_MS, w->e[3] = until;
		w->edges = 1;
	}
	return 0;
}

/* The sums of [d0, d1), with the edges' rows as sums of their own. */
#define EDGES	"(r.ts >= ?4 AND r.ts < ?5 OR r.ts >= ?6 AND r.ts < ?7)"
#define SUMS_DAYS "requests_sums WHERE day >= ?1 AND day < ?2"
#define SUMS_EDGES "(SELECT * FROM " SUMS_DAYS " UNION ALL SELECT " \
	SUM_KEY("r") ", " SUM_VALS("r", "") " FROM requests r WHERE " EDGES \
	") WHERE 1"
#define HIST_DAYS "requests_hist WHERE day >= ?1 AND day < ?2"
#define HIST_EDGE(kind, col) " UNION ALL SELECT " SUM_KEY("r") ", " kind \
	", " BUCKET("r." col) ", 1 FROM requests r WHERE " EDGES " AND r." \
	col " >= 0"
#define HIST_EDGES "(SELECT * FROM " HIST_DAYS HIST_EDGE("0", "latency_ms") \
	HIST_EDGE("1", "ttft_ms") ") WHERE 1"

/* A bucket's middle value (the value itself below 64 ms). */
static double
bucket_value(int64_t b)
{
	int64_t e, lo, w;

	if (b < 64)
		return (double)b;
	e = b / 32 + 4;
	lo = (b - (e - 5) * 32) << (e - 5);
	w = (int64_t)1 << (e - 5);
	/* NOLINTNEXTLINE(bugprone-integer-division): the values are integers */
	return (double)(lo + (w - 1) / 2);
}

static sqlite3_stmt *
sums_stmt(struct store *s, const char *fmt, const char *key,
    const char *from, const char *cond, const struct days *w,
    const char *prefix)
{
	sqlite3_stmt *st;
	char *sql = sqlite3_mprintf(fmt, key, from, cond);
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL), i;

	sqlite3_free(sql);
	if (rc != SQLITE_OK) {
		snprintf(s->err, sizeof(s->err), "%s", sqlite3_errmsg(s->db));
		return NULL;
	}
	sqlite3_bind_int64(st, 1, w->d0);
	sqlite3_bind_int64(st, 2, w->d1);
	if (prefix)
		sqlite3_bind_text(st, 3, prefix, -1, SQLITE_STATIC);
	for (i = 0; w->edges && i < 4; i++)
		sqlite3_bind_int64(st, 4 + i, w->e[i]);
	return st;
}

static void
sum_row(struct accs *as, sqlite3_stmt *st)
{
	const char *key = (const char *)sqlite3_column_text(st, 0);
	struct acc *a = acc_of(as, key ? key : "");
	int i;

	a->sums = 1;
	a->g.requests += sqlite3_column_int64(st, 1);
	a->g.failures += sqlite3_column_int64(st, 2);
	for (i = 0; i < 4; i++)
		a->g.tokens[i] += sqlite3_column_int64(st, 3 + i);
	a->g.usd_pico += sqlite3_column_int64(st, 7);
	a->g.nlatency += (size_t)sqlite3_column_int64(st, 8);
	a->latsum += (double)sqlite3_column_int64(st, 9);
	a->nttft_sum += (size_t)sqlite3_column_int64(st, 10);
}

static size_t
rank_of(size_t n, double q)
{
	size_t r = (size_t)ceil(q * (double)n);

	return r ? r : 1;
}

/* key, kind, bucket, n: in bucket order within a key and kind. */
static void
hist_row(struct accs *as, sqlite3_stmt *st, int ttft)
{
	const char *key = (const char *)sqlite3_column_text(st, 0);
	struct acc *a = acc_of(as, key ? key : "");
	int kind = sqlite3_column_int(st, 1);
	double v = bucket_value(sqlite3_column_int64(st, 2));
	size_t before = a->cum[kind & 1], n;

	n = a->cum[kind & 1] += (size_t)sqlite3_column_int64(st, 3);
	if (kind == 0) {
		if (before < rank_of(a->g.nlatency, 0.5) &&
		    n >= rank_of(a->g.nlatency, 0.5))
			a->g.latency_p50 = v;
		if (before < rank_of(a->g.nlatency, 0.95) &&
		    n >= rank_of(a->g.nlatency, 0.95))
			a->g.latency_p95 = v;
	} else if (ttft && before < rank_of(a->nttft_sum, 0.5) &&
	    n >= rank_of(a->nttft_sum, 0.5))
		a->g.ttft_p50 = v;
}

static int
step_all(struct store *s, sqlite3_stmt *st, struct accs *as,
    void (*fn)(struct accs *, sqlite3_stmt *, int), int ttft)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(as, st, ttft);
	if (rc != SQLITE_DONE)
		snprintf(s->err, sizeof(s->err), "%s", sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
sum_row3(struct accs *as, sqlite3_stmt *st, int ttft)
{
	(void)ttft;
	sum_row(as, st);
}

/* Whether the sums can answer a job prefix: 1 yes, 0 no, -1 error. */
static int
job_whole(struct store *s, int64_t d0, int64_t d1, const char *prefix)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, JOB_SPLIT, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, d0);
	sqlite3_bind_int64(st, 2, d1);
	sqlite3_bind_text(st, 3, prefix, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 1 : rc == SQLITE_ROW ? 0 : -1;
}

/*
 * The groups from the sums: 0, 1 when the sums cannot answer (or the
 * window is small enough to count its rows), -1 on error.
 */
static int
from_sums(struct store *s, enum store_key k, int64_t since, int64_t until,
    const char *prefix, int ttft, struct store_groups *out)
{
	struct accs as = { 0 };
	struct days w;
	sqlite3_stmt *st;
	const char *key = prefix ? "?3" : sum_keys[k];
	const char *cond = prefix ? JOB_COND : "";
	long total = 0;
	size_t i;
	int rc;

	if (s->version < 4 || key == NULL ||
	    day_window(since, until, &w) == -1 || (prefix && w.edges))
		return 1;
	if (prefix && (rc = job_whole(s, w.d0, w.d1, prefix)) != 1)
		return rc == 0 ? 1 : -1;
	if ((st = sums_stmt(s, "SELECT %s, sum(requests), sum(failures),"
	    " sum(ptok), sum(ctok), sum(rtok), sum(ktok), sum(usd_pico),"
	    " sum(nlat), sum(latsum), sum(nttft) FROM %s%s GROUP BY 1", key,
	    w.edges ? SUMS_EDGES : SUMS_DAYS, cond, &w, prefix)) == NULL ||
	    step_all(s, st, &as, sum_row3, ttft) == -1)
		goto fail;
	for (i = 0; i < as.n; i++)
		total += as.a[i].g.requests;
	if (total <= s->exact) {
		rc = 1;
		goto done;
	}
	if ((st = sums_stmt(s, "SELECT %s, kind, bucket, sum(n) FROM %s%s"
	    " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3", key,
	    w.edges ? HIST_EDGES : HIST_DAYS, cond, &w, prefix)) == NULL ||
	    step_all(s, st, &as, hist_row, ttft) == -1)
		goto fail;
	return publish(&as, k, ttft, 0, out);
fail:
	rc = -1;
done:
	for (i = 0; i < as.n; i++)
		free(as.a[i].g.key);
	free(as.a);
	free(as.slot);
	return rc;
}

/* LIKE's %, _ and the escape itself, taken literally. */
static char *
like_prefix(const char *prefix)
{
	char *p = xmalloc(2 * strlen(prefix) + 2), *q = p;

	for (; *prefix; prefix++) {
		if (*prefix == '%' || *prefix == '_' || *prefix == '\\')
			*q++ = '\\';
		*q++ = *prefix;
	}
	*q++ = '%';
	*q = '\0';
	return p;
}

static int
prepare_read(struct store *s, enum store_read r)
{
	char *sql;
	int rc;

	if (s->reads[r])
		return 0;
	sql = sqlite3_mprintf("SELECT %s%s", r == STORE_SPEND_JOB ? "?3" :
	    keys[reads[r].key].expr, reads[r].sql);
	rc = sqlite3_prepare_v2(s->db, sql, -1, &s->reads[r], NULL);
	sqlite3_free(sql);
	if (rc == SQLITE_OK)
		return 0;
	snprintf(s->err, sizeof(s->err), "%s", sqlite3_errmsg(s->db));
	return -1;
}

int
store_read(struct store *s, enum store_read r, int64_t since,
    int64_t until, const char *prefix, struct store_groups *out)
{
	sqlite3_stmt *st;
	char *like = NULL;
	int rc;

	out->g = NULL;
	out->n = 0;
	rc = from_sums(s, reads[r].key, since, until, r == STORE_SPEND_JOB ?
	    (prefix ? prefix : "") : NULL, r == STORE_MODELS, out);
	if (rc != 1)
		return rc;
	if (prepare_read(s, r) == -1)
		return -1;
	st = s->reads[r];
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, until);
	if (r == STORE_SPEND_JOB) {
		like = like_prefix(prefix ? prefix : "");
		sqlite3_bind_text(st, 3, prefix ? prefix : "", -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(st, 4, like, -1, SQLITE_STATIC);
	}
	rc = collect(s, st, reads[r].key, out);
	sqlite3_clear_bindings(st);
	free(like);
	return rc;
}

/*
 * An open end of the window is left out of the statement rather than
 * bound as INT64_MIN or INT64_MAX: testing ts on every row of a big
 * log costs stats a tenth of its time.
 */
int
store_group_by(struct store *s, enum store_key k, int64_t since,
    int64_t until, const char *where, struct store_groups *out)
{
	sqlite3_stmt *st;
	char *sql;
	int rc;

	out->g = NULL;
	out->n = 0;
	if (where == NULL && (rc = from_sums(s, k, since, until, NULL, 0,
	    out)) != 1)
		return rc;
	sql = sqlite3_mprintf("SELECT %s, " READ_COLS " FROM requests"
	    " WHERE %s%s AND (%s)", keys[k].expr,
	    since > INT64_MIN ? "ts >= ?1" : "1",
	    until < INT64_MAX ? " AND ts < ?2" : "", where ? where : "1");
	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	sqlite3_free(sql);
	if (rc != SQLITE_OK) {
		snprintf(s->err, sizeof(s->err), "%s", sqlite3_errmsg(s->db));
		return -1;
	}
	if (since > INT64_MIN)
		sqlite3_bind_int64(st, 1, since);
	if (until < INT64_MAX)
		sqlite3_bind_int64(st, 2, until);
	rc = collect(s, st, k, out);
	sqlite3_finalize(st);
	return rc;
}

void
store_groups_free(struct store_groups *gs)
{
	size_t i;

	for (i = 0; i < gs->n; i++)
		free(gs->g[i].key);
	free(gs->g);
	gs->g = NULL;
	gs->n = 0;
}

/* --- conversations ---------------------------------------------------- */

char *
store_last_cid(struct store *s)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT cid FROM requests"
	    " WHERE cid IS NOT NULL ORDER BY id DESC LIMIT 1");
	char *cid = NULL;

	if (sqlite3_step(st) == SQLITE_ROW)
		cid = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return cid;
}

long
store_turns(struct store *s, const char *cid,
    void (*fn)(void *, const char *, size_t), void *arg)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT status = 'ok', record"
	    " FROM requests WHERE cid = ?1 ORDER BY id");
	long n = 0;
	int rc;

	sqlite3_bind_text(st, 1, cid, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		if (sqlite3_column_int(st, 0))
			fn(arg, (const char *)sqlite3_column_text(st, 1),
			    (size_t)sqlite3_column_bytes(st, 1));
	}
	if (rc != SQLITE_DONE) {
		warnx_("%s: %s", s->path, store_errmsg(s));
		n = -1;
	}
	sqlite3_finalize(st);
	return n;
}
