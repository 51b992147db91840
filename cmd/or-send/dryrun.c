/*
 * dryrun.c: or-send --dry-run, what each record would send and what it
 * could cost at most, with no request made.
 *
 * Each record goes through send_prepare, as a real run's does, so the
 * body shown is the one that would go out, byte for byte, and a record
 * that would go out unsent says so. One line a record on stdout:
 *
 *	{"line":N,"id":..,"request":BODY,"estimate":{"usd":..,...}}
 *	{"line":N,"id":..,"request":null,"why":..[,"error":{..}]}
 *
 * The estimate is lib/estimate's worst case, priced from or-models'
 * cached catalog only: a dry run does not go to the network, not even
 * for prices. A summary line goes to stderr. Two or more -m: a line
 * for each model, as the real run sends one request for each.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "estimate.h"
#include "jvx.h"
#include "record.h"
#include "send.h"
#include "util.h"

struct tally {
	unsigned long	 sent, unsent, unpriced;
	double		 usd;
};

static jv
estimate(const struct catalog *cat, jv body, struct tally *t)
{
	struct estimate e;
	jv out, why;

	if (cat == NULL) {
		jv_free(body);
		t->unpriced++;
		return JV_OBJECT(jv_string("usd"), jv_null(), jv_string("why"),
		    jv_string("no model catalog cached (or-models fetches "
		    "one)"));
	}
	est_price(cat, body, &e);
	out = JV_OBJECT(jv_string("usd"), e.status == EST_OK ?
	    jv_number(e.usd) : jv_null(), jv_string("model"),
	    jv_is_valid(e.model) ? jv_copy(e.model) : jv_null());
	if (e.status == EST_OK) {
		out = jv_object_set(out, jv_string("prompt_tokens"),
		    jv_number(e.prompt_tokens));
		out = jv_object_set(out, jv_string("completion_tokens"),
		    jv_number(e.completion_tokens));
		t->usd += e.usd;
	} else {
		why = est_why(&e);
		out = jv_object_set(out, jv_string("why"), why);
		t->unpriced++;
	}
	est_free(&e);
	return out;
}

/* Why a record send_prepare kept back goes out unsent. */
static jv
unsent(struct rec *rec, jv line)
{
	jv err = rec_get(rec, "error");

	if (rec_has(rec, "response"))
		line = jv_object_set(line, jv_string("why"), jv_string("it has "
		    "a response: passed on unsent"));
	else if (jv_is_valid(err)) {
		line = jv_object_set(line, jv_string("why"), jv_string("it "
		    "carries an error: passed on unsent"));
		return jv_object_set(line, jv_string("error"), err);
	}
	jv_free(err);
	return line;
}

static int
dry_one(struct sender *s, const struct catalog *cat, struct rec *rec,
    struct tally *t)
{
	struct job *j = xmalloc(sizeof(*j));
	jv line = jv_object(), id = rec_get(rec, "id"), text;
	int status;

	memset(j, 0, sizeof(*j));
	j->rec = rec;
	if (rec->lineno > 0)
		line = jv_object_set(line, jv_string("line"),
		    jv_number(rec->lineno));
	if (jv_is_valid(id))
		line = jv_object_set(line, jv_string("id"), id);
	else
		jv_free(id);
	if (send_prepare(s, j)) {
		line = jv_object_set(line, jv_string("request"),
		    jv_copy(j->body));
		line = jv_object_set(line, jv_string("estimate"),
		    estimate(cat, jv_copy(j->body), t));
		t->sent++;
	} else {
		line = unsent(rec, jv_object_set(line, jv_string("request"),
		    jv_null()));
		t->unsent++;
	}
	status = rec->failed || rec->kind == REC_BAD ? 1 : 0;
	text = jv_dump_string(line, 0);
	out_put(jv_string_value(text),
	    (size_t)jv_string_length_bytes(jv_copy(text)));
	out_put("\n", 1);
	out_end();
	jv_free(text);
	send_job_free(j);
	return status;
}

/*
 * A record as many times as a real run sends it: to each -m of two or
 * more, through the same models_fan as batch.c's, so each copy shows
 * its own model, job id and worst case.
 */
static int
dry_record(struct sender *s, const struct catalog *cat, struct rec *rec,
    struct tally *t)
{
	int i, n = models_copies(s, rec), status = 0;
	struct rec *copy;

	for (i = 0; i < n - 1; i++) {
		copy = rec_dup(rec);
		models_fan(s, copy, i);
		status |= dry_one(s, cat, copy, t);
	}
	if (n > 1)
		models_fan(s, rec, n - 1);
	return status | dry_one(s, cat, rec, t);
}

/* The summary: what is priced is summed, what is not is said. */
static void
dry_summary(const struct tally *t)
{
	char cost[128];

	if (t->unpriced == 0)
		snprintf(cost, sizeof(cost), "at most $%.6f", t->usd);
	else if (t->unpriced == t->sent)
		snprintf(cost, sizeof(cost), "%s priced", t->sent == 1 ?
		    "not" : "none of them");
	else
		snprintf(cost, sizeof(cost), "%lu of them not priced, the "
		    "other %lu at most $%.6f", t->unpriced,
		    t->sent - t->unpriced, t->usd);
	warnx_("dry run, nothing sent: %lu to send, %s; %lu to pass on "
	    "unsent", t->sent, cost, t->unsent);
}

int
dry_run(struct sender *s, struct reader *in, struct rec *one)
{
	char *path = cat_path();
	struct catalog *cat = cat_read(path);
	struct tally t = { 0, 0, 0, 0 };
	struct rec *rec;
	int status = 0;

	free(path);
	if (one)
		status = dry_record(s, cat, one, &t);
	while (in && (rec = rec_next(in)) != NULL)
		status |= dry_record(s, cat, rec, &t);
	dry_summary(&t);
	cat_free(cat);
	return status;
}
