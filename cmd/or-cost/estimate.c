/*
 * estimate.c: --estimate, what a record would cost at most, offline,
 * from the catalog's prices (the cache or-models keeps).
 *
 * lib/estimate prices the request lib/request builds from the record
 * (or-cost has no defaults to add); this writes the figure as "cost",
 * or the reason there is none as an error. A record the builder
 * refuses is priced as it stands, as or-cost always priced it.
 */
#include "cost.h"
#include "estimate.h"
#include "record.h"
#include "request.h"
#include "util.h"

static void
fail(struct rec *rec, jv msg)
{
	jv w = rec_where(rec);

	warnx_("%s: %s", jv_string_value(w), jv_string_value(msg));
	rec_add(rec, "error", rec_errobj("bad_input", jv_string_value(msg),
	    0));
	jv_free(msg);
	jv_free(w);
}

void
estimate(struct run *r, struct rec *rec)
{
	struct req_defaults d = { prefs_model(&r->prefs, r->prefs.model),
	    NULL, jv_copy(r->prefs.options), NULL, 0, jv_invalid() };
	struct estimate e;
	const char *why;
	jv body = req_build(jv_copy(rec->val), &d, REQ_STRICT, &why);

	jv_free(d.opts);
	if (!jv_is_valid(body)) {
		jv_free(body);
		body = jv_copy(rec->val);
	}
	if (!est_price(r->cat, body, &e))
		fail(rec, est_why(&e));
	else
		rec_add(rec, "cost", JV_OBJECT(jv_string("usd"),
		    jv_number(e.usd), jv_string("prompt_tokens"),
		    jv_number(e.prompt_tokens), jv_string("completion_tokens"),
		    jv_number(e.completion_tokens), jv_string("images"),
		    jv_number((double)e.images), jv_string("model"),
		    jv_copy(e.model), jv_string("upper_bound"),
		    jv_bool(e.bounded), jv_string("source"),
		    jv_string("estimate")));
	est_free(&e);
}
