/* account.c: GET /credits and GET /key as one object. */
#include <math.h>
#include <string.h>

#include "account.h"
#include "http.h"
#include "jvx.h"
#include "record.h"

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

jv
account_read(struct http *h, jv *cerr, jv *kerr)
{
	jv c = get_data(h, "/credits", cerr);
	jv k = get_data(h, "/key", kerr);

	return from_key(from_credits(jv_object(), c), k);
}

/* Below the floor: the credit left, or the key's limit left. */
int
account_below(jv o, double min, double *left, const char **what)
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
