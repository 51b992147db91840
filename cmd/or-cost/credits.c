/*
 * credits.c: "or-cost credits", the account's credit and the key's limit
 * as one record, from GET /credits and GET /key.
 *
 * /credits takes a management key since 2026 (403 otherwise): without
 * it the record has the key's figures alone, and says why.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cost.h"
#include "http.h"
#include "jvx.h"
#include "record.h"
#include "util.h"

/* data of a GET, or invalid with *err set (owned). */
static jv
get_data(struct http *h, const char *path, jv *err)
{
	struct http_resp resp;
	jv body, data;

	memset(&resp, 0, sizeof(resp));
	http_get(h, path, &resp);
	*err = http_error(&resp, &body);
	data = jvx_get(body, "data");
	http_resp_free(&resp);
	if (!jv_is_valid(*err) && jv_get_kind(data) != JV_KIND_OBJECT) {
		jv_free(*err);
		*err = rec_errobj("bad_response", "no \"data\" object", 1);
	}
	if (jv_is_valid(*err)) {
		jv_free(data);
		return jv_invalid();
	}
	return data;
}

static jv
num(jv obj, const char *key)
{
	jv v = jvx_get(obj, key);

	if (jv_get_kind(v) == JV_KIND_NUMBER || jv_get_kind(v) ==
	    JV_KIND_TRUE || jv_get_kind(v) == JV_KIND_FALSE ||
	    jv_get_kind(v) == JV_KIND_STRING)
		return v;
	jv_free(v);
	return jv_null();
}

static jv
from_credits(jv o, jv c)
{
	double tc, tu;

	if (!jv_is_valid(c)) {
		o = jv_object_set(o, jv_string("total_credits"), jv_null());
		o = jv_object_set(o, jv_string("total_usage"), jv_null());
		return jv_object_set(o, jv_string("remaining"), jv_null());
	}
	o = jv_object_set(o, jv_string("total_credits"),
	    num(jv_copy(c), "total_credits"));
	o = jv_object_set(o, jv_string("total_usage"),
	    num(jv_copy(c), "total_usage"));
	o = jv_object_set(o, jv_string("remaining"), jvx_num(c,
	    "total_credits", &tc) && jvx_num(c, "total_usage", &tu) ?
	    jv_number((double)llround((tc - tu) * 1e12) / 1e12) : jv_null());
	jv_free(c);
	return o;
}

static jv
from_key(jv o, jv k)
{
	static const char *keys[] = { "limit", "limit_remaining",
	    "limit_reset", "usage", "usage_daily", "usage_weekly",
	    "usage_monthly", "byok_usage", "byok_usage_daily",
	    "byok_usage_weekly", "byok_usage_monthly", "is_free_tier", NULL };
	int i;

	for (i = 0; keys[i]; i++)
		o = jv_object_set(o, jv_string(keys[i]), jv_is_valid(k) ?
		    num(jv_copy(k), keys[i]) : jv_null());
	jv_free(k);
	return o;
}

static void
complain(const char *path, jv err)
{
	jv msg = jvx_get(jv_copy(err), "message");

	warnx_("%s: %s", path, jv_get_kind(msg) == JV_KIND_STRING ?
	    jv_string_value(msg) : "failed");
	jv_free(msg);
	jv_free(err);
}

/* Below the floor: the credit left, or the key's limit left. */
static int
below(jv o, double min, double *left, const char **what)
{
	if (jvx_num(o, "remaining", left) && *left < min) {
		*what = "remaining credit";
		return 1;
	}
	if (jvx_num(o, "limit_remaining", left) && *left < min) {
		*what = "key limit remaining";
		return 1;
	}
	return 0;
}

int
credits(struct run *r, double min)
{
	jv cerr, kerr, c, k, o;
	const char *what;
	double left;
	int status = 0;

	out_init();
	http_global_init();
	r->http = http_new(&r->cfg, progname);
	c = get_data(r->http, "/credits", &cerr);
	k = get_data(r->http, "/key", &kerr);
	http_free(r->http);
	http_global_cleanup();
	o = from_key(from_credits(jv_object(), c), k);
	if (jv_is_valid(cerr))
		complain("/credits", jv_copy(cerr));
	if (jv_is_valid(kerr))
		complain("/key", jv_copy(kerr));
	if (jv_is_valid(cerr) && jv_is_valid(kerr)) {
		o = jv_object_set(o, jv_string("error"), kerr);
		status = 1;
	} else {
		if (jv_is_valid(cerr))
			o = jv_object_set(o, jv_string("credits_error"),
			    jvx_get(jv_copy(cerr), "message"));
		if (jv_is_valid(kerr))
			o = jv_object_set(o, jv_string("key_error"),
			    jvx_get(jv_copy(kerr), "message"));
		jv_free(kerr);
	}
	jv_free(cerr);
	if (status == 0 && min >= 0 && below(o, min, &left, &what)) {
		warnx_("%s $%.2f is below --min $%.2f", what, left, min);
		status = 3;
	}
	o = jv_dump_string(o, 0);
	out_put(jv_string_value(o), strlen(jv_string_value(o)));
	out_put("\n", 1);
	out_end();
	jv_free(o);
	return status;
}
