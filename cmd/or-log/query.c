/*
 * query.c: recent, search, show, export, sql, prune, merge.
 *
 * Readers open the log read-only and never take the write lock, so a
 * query over a big log does not hold up the writers appending to it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "jvx.h"
#include "money.h"
#include "query.h"
#include "record.h"
#include "table.h"
#include "util.h"

static void
put_text(sqlite3_stmt *st, int i)
{
	out_put((const char *)sqlite3_column_text(st, i),
	    (size_t)sqlite3_column_bytes(st, i));
	out_put("\n", 1);
	out_end();
}

static int
step_done(struct store *s, sqlite3_stmt *st, int rc)
{
	if (rc != SQLITE_DONE) {
		warnx_("%s: %s", s->path, store_errmsg(s));
		sqlite3_finalize(st);
		return 2;
	}
	sqlite3_finalize(st);
	return 0;
}

/* Dollars as stats -t writes them, in plain decimal, or nothing. */
static void
add_usd(struct table *t, sqlite3_stmt *st, int i)
{
	char usd[40] = "";

	if (sqlite3_column_type(st, i) != SQLITE_NULL)
		money_fmt(money_pico(sqlite3_column_double(st, i)), usd);
	tab_cell(t, usd);
}

/* An ISO time for a table cell from epoch ms. */
static void
add_time(struct table *t, sqlite3_stmt *st, int i)
{
	char iso[64];

	iso8601_ms(sqlite3_column_int64(st, i), iso);
	iso[19] = '\0';
	tab_cell(t, iso);
}

static char	*time_filter(struct qopts *);

static const char recent_cols[] =
    "id, ts, coalesce(served, model), status,"
    " prompt_tokens + completion_tokens,"
    " usd, latency_ms, cid, substr(prompt, 1, 40), record";

/*
 * Which rows recent shows, in which order: the last logged (by row id)
 * or the last started (--sort time), oldest first as a log reads; the
 * costliest or the slowest first, rows without the figure last.
 */
static char *
recent_sql(struct qopts *o)
{
	char *w = time_filter(o), *sql;
	/* a conversation is shown whole unless -n says otherwise */
	long n = o->count > 0 ? o->count : o->cid ? -1L : 10L;
	const char *by = o->sort ? o->sort : "";

	if (o->cid) {
		sql = sqlite3_mprintf("%s AND cid = ?1", w);
		sqlite3_free(w);
		w = sql;
	}

	if (strcmp(by, "cost") == 0 || strcmp(by, "latency") == 0)
		sql = sqlite3_mprintf("SELECT %s FROM requests WHERE %s"
		    " ORDER BY %s IS NULL, %s DESC, id LIMIT %ld", recent_cols,
		    w, by[0] == 'c' ? "usd" : "latency_ms", by[0] == 'c' ?
		    "usd" : "latency_ms", n);
	else
		sql = sqlite3_mprintf("SELECT * FROM (SELECT %s FROM requests"
		    " WHERE %s ORDER BY %s DESC LIMIT %ld) ORDER BY %s",
		    recent_cols, w, by[0] ? "ts DESC, id" : "id", n,
		    by[0] ? "ts, id" : "id");
	sqlite3_free(w);
	return sql;
}

/*
 * recent -t's columns. On a narrow terminal the prompt is cut first,
 * then the model and the status, then the figures are left out, the
 * least read first; the conversation id goes before the time, since
 * it is what or-send --cid wants.
 */
static struct table *
recent_table(void)
{
	static const char *h[] = { "ID", "TIME", "MODEL", "STATUS",
	    "TOKENS", "USD", "MS", "CID", "PROMPT" };
	struct table *t = query_table(9);
	size_t i;

	for (i = 0; i < 9; i++)
		tab_cell(t, h[i]);
	tab_shrink(t, 8), tab_shrink(t, 2), tab_shrink(t, 3);
	tab_keep(t, 8, 12), tab_keep(t, 2, 20), tab_keep(t, 3, 12);
	tab_drop(t, 6), tab_drop(t, 4), tab_drop(t, 5), tab_drop(t, 7);
	tab_drop(t, 1);
	return t;
}

static void
recent_row(struct table *t, sqlite3_stmt *st)
{
	int i;

	for (i = 0; i < 9; i++)
		if (i == 1)
			add_time(t, st, 1);
		else if (i == 5)
			add_usd(t, st, 5);
		else
			tab_cell(t, (const char *)sqlite3_column_text(st, i));
}

/* --cid naming no conversation is said, as show's missing row is. */
static int
no_conversation(struct store *s, struct qopts *o)
{
	warnx_("no conversation \"%s\" in %s%s", o->cid, s->path,
	    o->since >= 0 || o->until >= 0 ? " in that time" : "");
	return 1;
}

int
cmd_recent(struct store *s, struct qopts *o, int argc, char **argv)
{
	struct table *t = NULL;
	char *sql = recent_sql(o);
	sqlite3_stmt *st;
	long n = 0;
	int rc;

	(void)argc, (void)argv;
	st = store_prepare(s, sql);
	sqlite3_free(sql);
	if (o->cid)
		sqlite3_bind_text(st, 1, o->cid, -1, SQLITE_STATIC);
	/* No table when there are no rows: a headed table for a conversation
	   there is not would say there is one. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		if (o->table && t == NULL)
			t = recent_table();
		if (t)
			recent_row(t, st);
		else
			put_text(st, 9);
	}
	if (t)
		tab_print(t, term_width());
	else if (o->table && o->cid == NULL && rc == SQLITE_DONE)
		tab_print(recent_table(), term_width());
	if ((rc = step_done(s, st, rc)) == 0 && o->cid && n == 0)
		return no_conversation(s, o);
	return rc;
}

/*
 * A plain SQLITE_ERROR from MATCH is the query's own fault (FTS5's
 * "syntax error near", "unterminated string", "no such column"):
 * said as such, with the query, rather than as a fault of the log.
 */
static int
bad_query(sqlite3_stmt *st, const char *query)
{
	warnx_("search: not a valid full-text query (SQLite FTS5 syntax:"
	    " words, \"a phrase\", AND, OR, NOT, prefix*): %s", query);
	sqlite3_finalize(st);
	return 2;
}

int
cmd_search(struct store *s, struct qopts *o, int argc, char **argv)
{
	struct table *t = NULL;
	sqlite3_stmt *st;
	char *sql;
	int rc, i;

	(void)argc;
	sql = sqlite3_mprintf("SELECT r.id AS id,"
	    " strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', r.ts / 1000, 'unixepoch')"
	    " AS time, coalesce(r.served, r.model) AS model,"
	    " r.status AS status,"
	    " snippet(requests_fts, -1, '[', ']', '...', 12) AS snippet"
	    " FROM requests_fts JOIN requests r ON r.id = requests_fts.rowid"
	    " WHERE requests_fts MATCH ?1 ORDER BY rank LIMIT %ld",
	    o->count > 0 ? o->count : 20L);
	st = store_prepare(s, sql);
	sqlite3_free(sql);
	sqlite3_bind_text(st, 1, argv[0], -1, SQLITE_STATIC);
	/* The query is parsed at the first step: before any output. */
	if ((rc = sqlite3_step(st)) == SQLITE_ERROR)
		return bad_query(st, argv[0]);
	if (o->table) {
		/* Headed as recent's and every tool's tables are. */
		static const char *h[] = { "ID", "TIME", "MODEL", "STATUS",
		    "SNIPPET" };

		t = query_table(5);
		for (i = 0; i < 5; i++)
			tab_cell(t, h[i]);
		tab_shrink(t, 4), tab_shrink(t, 2);
	}
	for (; rc == SQLITE_ROW; rc = sqlite3_step(st)) {
		if (t == NULL) {
			put_row_json(st);
			continue;
		}
		for (i = 0; i < 5; i++)
			tab_cell(t, (const char *)sqlite3_column_text(st, i));
	}
	if (t)
		tab_print(t, term_width());
	return step_done(s, st, rc);
}

int
cmd_show(struct store *s, struct qopts *o, int argc, char **argv)
{
	const char *key = argv[0];
	sqlite3_stmt *st;
	int rc, found = 0;

	(void)o, (void)argc;
	if (key[0] && strspn(key, "0123456789") == strlen(key)) {
		st = store_prepare(s, "SELECT record FROM requests"
		    " WHERE id = ?1");
		sqlite3_bind_int64(st, 1, strtoll(key, NULL, 10));
	} else {
		st = store_prepare(s, "SELECT record FROM requests"
		    " WHERE gen_id = ?1 ORDER BY id DESC LIMIT 1");
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		put_text(st, 0);
		found = 1;
	}
	if ((rc = step_done(s, st, rc)) != 0)
		return rc;
	if (!found)
		warnx_("no record %s in %s", key, s->path);
	return !found;
}

/* The condition of --model and --where, or NULL; malloc'd. */
char *
qfilter(struct qopts *o)
{
	char *w = NULL, *more;

	if (o->model)
		w = sqlite3_mprintf("(model = %Q OR served = %Q)", o->model,
		    o->model);
	if (o->where) {
		more = sqlite3_mprintf("%s%s(%s)", w ? w : "", w ? " AND " :
		    "", o->where);
		sqlite3_free(w), w = more;
	}
	return w;
}

/* The WHERE clause of --since, --until, --model and --where; malloc'd. */
static char *
time_filter(struct qopts *o)
{
	char *w = sqlite3_mprintf("1"), *more, *f;

	if (o->since >= 0) {
		more = sqlite3_mprintf("%s AND ts >= %" PRId64, w, o->since);
		sqlite3_free(w), w = more;
	}
	if (o->until >= 0) {
		more = sqlite3_mprintf("%s AND ts < %" PRId64, w, o->until);
		sqlite3_free(w), w = more;
	}
	if ((f = qfilter(o)) != NULL) {
		more = sqlite3_mprintf("%s AND %s", w, f);
		sqlite3_free(w), w = more;
		sqlite3_free(f);
	}
	return w;
}

static void
csv_field(const char *s, int len)
{
	int i, quote = 0;

	for (i = 0; i < len && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' ||
		    s[i] == '\r';
	if (!quote) {
		out_put(s, (size_t)len);
		return;
	}
	out_put("\"", 1);
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			out_put("\"", 1);
		out_put(s + i, 1);
	}
	out_put("\"", 1);
}

/* SQLite's text of a REAL may be 6.0e-07: dollars read as written. */
static void
csv_number(double d)
{
	struct buf b = { 0 };

	jvx_write(jv_number(d), &b);
	out_put(b.buf, b.len);
	buf_free(&b);
}

static void
put_csv(sqlite3_stmt *st, int header)
{
	int i, n = sqlite3_column_count(st);

	for (i = 0; i < n; i++) {
		if (i)
			out_put(",", 1);
		if (header)
			csv_field(sqlite3_column_name(st, i),
			    (int)strlen(sqlite3_column_name(st, i)));
		else if (sqlite3_column_type(st, i) == SQLITE_FLOAT)
			csv_number(sqlite3_column_double(st, i));
		else
			csv_field((const char *)sqlite3_column_text(st, i),
			    sqlite3_column_bytes(st, i));
	}
	out_put("\r\n", 2);
	out_end();
}

static const char csv_cols[] =
    "id, strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', ts / 1000.0, 'unixepoch')"
    " AS time, job, model, served, provider, gen_id, status, http,"
    " prompt_tokens, completion_tokens, reasoning_tokens, cached_tokens,"
    " usd, usd_source, latency_ms, ttft_ms, req_hash, cached, prompt,"
    " answer";

/*
 * The records as stored (--jsonl, the default), or their columns, the
 * prompt's and the answer's text among them, as CSV or JSON.
 */
int
cmd_export(struct store *s, struct qopts *o, int argc, char **argv)
{
	char *w = time_filter(o), *sql, *cols;
	int columns = o->csv || o->json, rc;
	sqlite3_stmt *st;

	(void)argc, (void)argv;
	cols = columns ? sqlite3_mprintf(csv_cols) : sqlite3_mprintf("record");
	sql = sqlite3_mprintf("SELECT %s FROM requests WHERE %s ORDER BY id",
	    cols, w);
	sqlite3_free(cols);
	sqlite3_free(w);
	st = store_prepare(s, sql);
	sqlite3_free(sql);
	if (o->csv)
		put_csv(st, 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (o->csv)
			put_csv(st, 0);
		else if (o->json)
			put_row_plain(st);
		else
			put_text(st, 0);
	return step_done(s, st, rc);
}

/*
 * A field as sqlite3's .mode csv writes it: quoted when it holds a
 * comma, a quote, a blank, a control or a non-ASCII byte, or is empty
 * (so '' and NULL differ: NULL is nothing at all); a quote doubled.
 */
static void
sql_csv_field(sqlite3_stmt *st, int i, const char *s, int len)
{
	int k, quote = len == 0;

	if (s == NULL || (st && sqlite3_column_type(st, i) == SQLITE_NULL))
		return;
	for (k = 0; k < len && !quote; k++) {
		unsigned char c = (unsigned char)s[k];

		quote = c <= ' ' || c == '"' || c == '\'' || c == ',' ||
		    c >= 0x7f;
	}
	if (!quote) {
		out_put(s, (size_t)len);
		return;
	}
	out_put("\"", 1);
	for (k = 0; k < len; k++) {
		if (s[k] == '"')
			out_put("\"", 1);
		out_put(s + k, 1);
	}
	out_put("\"", 1);
}

/* A row, or the header, of sql --csv: RFC 4180's CRLF ends it. */
static void
put_sql_csv(sqlite3_stmt *st, int header)
{
	int i, n = sqlite3_column_count(st);
	const char *s;

	for (i = 0; i < n; i++) {
		if (i)
			out_put(",", 1);
		if (header) {
			s = sqlite3_column_name(st, i);
			sql_csv_field(NULL, i, s, (int)strlen(s));
		} else {
			s = (const char *)sqlite3_column_text(st, i);
			sql_csv_field(st, i, s, sqlite3_column_bytes(st, i));
		}
	}
	out_put("\r\n", 2);
	out_end();
}

/*
 * One statement that reads, or nothing runs: the log is open read-only
 * anyway, but a write (or a temporary table) is better refused before
 * it starts, and a second statement is not silently left out.
 */
static sqlite3_stmt *
sql_prepare(struct store *s, const char *text)
{
	sqlite3_stmt *st;
	const char *tail;

	if (sqlite3_prepare_v2(s->db, text, -1, &st, &tail) != SQLITE_OK ||
	    st == NULL) {
		warnx_("sql: %s", st ? sqlite3_errmsg(s->db) :
		    sqlite3_errmsg(s->db)[0] ? sqlite3_errmsg(s->db) :
		    "no statement");
		return NULL;
	}
	tail += strspn(tail, " \t\r\n;");
	if (*tail)
		warnx_("sql: one statement at a time; this one goes on"
		    " after it: %.60s", tail);
	else if (!sqlite3_stmt_readonly(st))
		warnx_("sql: the log is opened read-only; this statement"
		    " would write: %.60s", text);
	else
		return st;
	sqlite3_finalize(st);
	return NULL;
}

int
cmd_sql(struct store *s, struct qopts *o, int argc, char **argv)
{
	struct table *t = NULL;
	sqlite3_stmt *st;
	int rc, i;

	(void)argc;
	if ((st = sql_prepare(s, argv[0])) == NULL)
		return 2;
	if (o->table) {
		t = query_table(sqlite3_column_count(st));
		put_header(t, st);
		for (i = 0; i < sqlite3_column_count(st); i++)
			tab_shrink(t, (size_t)i);
	}
	if (o->csv)
		put_sql_csv(st, 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (t)
			put_row_cells(t, st);
		else if (o->csv)
			put_sql_csv(st, 0);
		else
			put_row_json(st);
	if (t)
		tab_print(t, term_width());
	return step_done(s, st, rc);
}

int
cmd_prune(struct store *s, struct qopts *o, int argc, char **argv)
{
	sqlite3_stmt *st;
	int rc, n;

	(void)argc, (void)argv;
	if (store_begin(s) == -1)
		return step_done(s, NULL, SQLITE_ERROR);
	st = store_prepare(s, "DELETE FROM requests WHERE ts < ?1");
	sqlite3_bind_int64(st, 1, o->before);
	rc = sqlite3_step(st);
	n = sqlite3_changes(s->db);
	if (rc != SQLITE_DONE || store_commit(s) == -1) {
		store_rollback(s);
		return step_done(s, st, rc == SQLITE_DONE ? SQLITE_ERROR : rc);
	}
	sqlite3_finalize(st);
	warnx_("pruned %d record%s", n, n == 1 ? "" : "s");
	if (o->vacuum && sqlite3_exec(s->db, "VACUUM", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return step_done(s, NULL, SQLITE_ERROR);
	return 0;
}

static int
other_version(struct store *s)
{
	sqlite3_stmt *st = store_prepare(s, "PRAGMA other.user_version");
	int v = -1;

	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/*
 * A row is already here when a row has the same time and the same
 * generation id (the same request, or with none the same request
 * hash, or with neither the same record): merging twice adds nothing.
 * And as for every insert, a generation already stored, or a row
 * without one whose record is already stored, is not stored again
 * (lib/store's requests_once).
 */
static const char merge_sql[] =
    "INSERT OR IGNORE INTO main.requests(ts, job, model, served, provider,"
    " gen_id, status, http, prompt_tokens, completion_tokens,"
    " reasoning_tokens, cached_tokens, usd, usd_source, latency_ms,"
    " ttft_ms, req_hash, cached, prompt, answer, record, record_hash, cid)"
    " SELECT ts, job, model, served, provider, gen_id,"
    " status, http, prompt_tokens, completion_tokens, reasoning_tokens,"
    " cached_tokens, usd, usd_source, latency_ms, ttft_ms, req_hash,"
    " cached, prompt, answer, record, record_hash, cid"
    " FROM other.requests o"
    " WHERE NOT EXISTS (SELECT 1 FROM main.requests m WHERE m.ts = o.ts"
    " AND coalesce(m.gen_id, m.req_hash, m.record) ="
    " coalesce(o.gen_id, o.req_hash, o.record)) ORDER BY o.id";

int
cmd_merge(struct store *s, struct qopts *o, int argc, char **argv)
{
	char *attach;
	int v, n, rc;

	(void)o, (void)argc;
	attach = sqlite3_mprintf("ATTACH 'file:' || %Q || '?mode=ro'"
	    " AS other", argv[0]);
	rc = sqlite3_exec(s->db, attach, NULL, NULL, NULL);
	sqlite3_free(attach);
	if (rc != SQLITE_OK || (v = other_version(s)) < 0) {
		warnx_("%s: %s", argv[0], sqlite3_errmsg(s->db));
		return 2;
	}
	/* The other log is only read: an old one is not upgraded here. */
	if (store_check_version(argv[0], v, 0) != 0)
		return 2;
	if (store_begin(s) == -1 || sqlite3_exec(s->db, merge_sql, NULL,
	    NULL, NULL) != SQLITE_OK) {
		warnx_("%s: %s", argv[0], sqlite3_errmsg(s->db));
		store_rollback(s);
		return 2;
	}
	n = sqlite3_changes(s->db);
	if (store_commit(s) == -1) {
		warnx_("%s: %s", s->path, sqlite3_errmsg(s->db));
		return 2;
	}
	warnx_("merged %d record%s from %s", n, n == 1 ? "" : "s", argv[0]);
	return 0;
}
