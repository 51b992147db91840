/*
 * jobs.c: pending and cache, the log read back into a batch of jobs.
 *
 * pending passes on only the jobs the log has no successful row for:
 * by "id" when the job has one, by request hash otherwise. cache fills
 * "response" from the newest successful row with the same request
 * hash, so or-send passes the job on unsent.
 *
 * The hash looked up is that of the body or-send will send: with the
 * -m, -s and -o defaults it is given, taken as or-send takes them, so
 * a prompt answered by one model is not an answer for another.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jv.h>
#include <sqlite3.h>

#include "extract.h"
#include "jvx.h"
#include "prefs.h"
#include "query.h"
#include "record.h"
#include "reqhash.h"
#include "util.h"

/* or-send's defaults: -m, -s and -o over config.json's; exits 2 on a
   bad config.json, as or-send does. */
static struct req_defaults
defaults_of(const struct qopts *o, struct prefs *p)
{
	struct req_defaults d;

	if (prefs_load(p, NULL) == -1)
		exit(2);
	memset(&d, 0, sizeof(d));
	d.model = prefs_model(p, o->model ? o->model : p->model);
	d.system = o->system;
	d.opts = prefs_options(p, jv_copy(o->opts));
	return d;
}

static void
defaults_free(struct req_defaults *d, struct prefs *p)
{
	jv_free(d->opts);
	prefs_free(p);
}

static int
done_before(sqlite3_stmt *by_job, sqlite3_stmt *by_hash, struct rec *rec,
    const struct req_defaults *d)
{
	char *job = rec_job(rec->val), hash[65];
	sqlite3_stmt *st = job ? by_job : by_hash;
	int found;

	if (job == NULL && !req_hash(rec->val, d, hash))
		return 0;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, job ? job : hash, -1, SQLITE_TRANSIENT);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	free(job);
	return found;
}

int
cmd_pending(struct store *s, struct qopts *o, int argc, char **argv)
{
	sqlite3_stmt *by_job = NULL, *by_hash = NULL;
	struct reader *r = rec_reader(STDIN_FILENO);
	struct prefs p;
	struct req_defaults d = defaults_of(o, &p);
	struct rec *rec;
	int status = 0;

	(void)argc, (void)argv;
	if (s) {
		by_job = store_prepare(s, "SELECT 1 FROM requests WHERE"
		    " job = ?1 AND status = 'ok' AND ts >= ?2 LIMIT 1");
		by_hash = store_prepare(s, "SELECT 1 FROM requests WHERE"
		    " req_hash = ?1 AND status = 'ok' AND ts >= ?2 LIMIT 1");
		sqlite3_bind_int64(by_job, 2, o->max_age);
		sqlite3_bind_int64(by_hash, 2, o->max_age);
	}
	while ((rec = rec_next(r)) != NULL) {
		if (rec->kind == REC_BAD || s == NULL ||
		    !done_before(by_job, by_hash, rec, &d)) {
			if (rec->failed)
				status = 1;
			rec_emit(rec);
		}
		rec_free(rec);
	}
	sqlite3_finalize(by_job);
	sqlite3_finalize(by_hash);
	rec_reader_free(r);
	defaults_free(&d, &p);
	return status;
}

static void
fill(struct store *s, struct rec *rec, sqlite3_stmt *st)
{
	const char *text = (const char *)sqlite3_column_text(st, 1);
	size_t n = (size_t)sqlite3_column_bytes(st, 1);
	jv resp = jvx_parse(text, n);

	if (jv_get_kind(resp) != JV_KIND_OBJECT) {
		jv_free(resp);
		return;
	}
	rec_add_raw(rec, "response", resp, text, n);
	rec_add(rec, "send", JV_OBJECT(jv_string("cached"), jv_true(),
	    jv_string("log"), JV_OBJECT(jv_string("db"),
	    jv_string(s->path), jv_string("id"),
	    jv_number((double)sqlite3_column_int64(st, 0)))));
}

int
cmd_cache(struct store *s, struct qopts *o, int argc, char **argv)
{
	sqlite3_stmt *st = NULL;
	struct reader *r = rec_reader(STDIN_FILENO);
	struct prefs p;
	struct req_defaults d = defaults_of(o, &p);
	struct rec *rec;
	char hash[65];
	int status = 0;

	(void)argc, (void)argv;
	if (s) {
		st = store_prepare(s, "SELECT id, json_extract(record,"
		    " '$.response') FROM requests WHERE req_hash = ?1"
		    " AND status = 'ok' AND ts >= ?2"
		    " ORDER BY ts DESC, id DESC LIMIT 1");
		sqlite3_bind_int64(st, 2, o->max_age);
	}
	while ((rec = rec_next(r)) != NULL) {
		if (st && rec->kind != REC_BAD && !rec->failed &&
		    !rec_has(rec, "response") && req_hash(rec->val, &d, hash)) {
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
			if (sqlite3_step(st) == SQLITE_ROW &&
			    sqlite3_column_type(st, 1) == SQLITE_TEXT)
				fill(s, rec, st);
			sqlite3_reset(st);
		}
		if (rec->failed)
			status = 1;
		rec_emit(rec);
		rec_free(rec);
	}
	sqlite3_finalize(st);
	rec_reader_free(r);
	defaults_free(&d, &p);
	return status;
}
