/*
 * info.c: the read-only endpoints: GET /models, the endpoints of one
 * model, GET /generation, GET /key and GET /credits.
 */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fakeor.h"

double total_credits = 10;
double key_limit = -1;

#define ENDPOINT_ID	"fa4e0000-0000-4000-8000-00000000000"

enum MHD_Result
models_serve(struct call *c, const struct action *a)
{
	struct MHD_Response *r;
	const char *raw;
	size_t len;

	(void)a;
	raw = catalog_raw(&len);
	/* The catalog outlives the daemon, so MHD need not copy it. */
	r = MHD_create_response_from_buffer(len, (void *)raw,
	    MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "application/json");
	return reply_queue(c, 200, r);
}

/* /models/AUTHOR/SLUG/endpoints -> AUTHOR/SLUG */
static int
model_of_path(const char *path, char *id, size_t size)
{
	const char *s = path + strlen("/models/");
	size_t n = strlen(s), tail = strlen("/endpoints");

	if (n <= tail)
		return 0;
	n -= tail;
	if (memchr(s, '/', n) == NULL || n >= size)
		return 0;
	memcpy(id, s, n);
	id[n] = '\0';
	return 1;
}

static int
fixture_is_for(const char *path, const char *id)
{
	char *data;
	size_t len;
	jv v, d, did;
	int yes;

	if ((data = slurp(path, &len)) == NULL)
		return 0;
	v = parse_json(data, len);
	d = jget(v, "data");
	did = jget(d, "id");
	yes = jstr(did) != NULL && strcmp(jstr(did), id) == 0;
	jv_free(did);
	jv_free(d);
	jv_free(v);
	free(data);
	return yes;
}

/* The real capture for this model, if there is one (the newest name). */
static char *
endpoints_fixture(const char *id)
{
	char dir[4096], path[4096 + 256], *best = NULL;
	struct dirent *de;
	size_t n;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/endpoints", fixtures_dir());
	if ((d = opendir(dir)) == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n < 5 || strcmp(de->d_name + n - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (fixture_is_for(path, id) &&
		    (best == NULL || strcmp(path, best) > 0)) {
			free(best);
			best = xstrdup(path);
		}
	}
	closedir(d);
	return best;
}

/* Percentiles are null for anonymous callers, as the spec says. */
static jv
percentiles(double p50, double p75, double p90, double p99, int authed)
{
	if (!authed)
		return jv_null();
	return JV_OBJECT(jv_string("p50"), jv_number(p50),
	    jv_string("p75"), jv_number(p75), jv_string("p90"),
	    jv_number(p90), jv_string("p99"), jv_number(p99));
}

static jv
pricing_of(jv m)
{
	jv p;

	p = jget(m, "pricing");
	if (jv_get_kind(p) != JV_KIND_OBJECT) {
		jv_free(p);
		p = JV_OBJECT(jv_string("prompt"), jv_string("0"),
		    jv_string("completion"), jv_string("0"));
	}
	return jv_object_set(p, jv_string("discount"), jv_number(0));
}

static jv
or_null(jv v)
{
	if (jv_is_valid(v))
		return v;
	jv_free(v);
	return jv_null();
}

static jv
endpoint(jv m, const char *id, const char *prov, const char *tag, int n,
    int authed)
{
	jv e, top, slug;

	top = jget(m, "top_provider");
	slug = jget(m, "canonical_slug");
	e = JV_OBJECT(jv_string("name"), jv_string_fmt("%s | %s", prov, id),
	    jv_string("model_id"), jstr(slug) ? jv_copy(slug) : jv_string(id),
	    jv_string("model_name"), or_null(jget(m, "name")),
	    jv_string("context_length"), or_null(jget(m, "context_length")),
	    jv_string("pricing"), pricing_of(m),
	    jv_string("provider_name"), jv_string(prov),
	    jv_string("tag"), jv_string(tag),
	    jv_string("quantization"), n == 0 ? jv_null() : jv_string("fp8"),
	    jv_string("max_completion_tokens"),
	    or_null(jget(top, "max_completion_tokens")));
	e = jv_object_set(e, jv_string("max_prompt_tokens"), jv_null());
	e = jv_object_set(e, jv_string("supported_parameters"),
	    or_null(jget(m, "supported_parameters")));
	e = jv_object_set(e, jv_string("status"), jv_number(0));
	e = jv_object_set(e, jv_string("uptime_last_5m"), jv_number(100));
	e = jv_object_set(e, jv_string("uptime_last_30m"),
	    jv_number(n == 0 ? 99.5 : 98.1));
	e = jv_object_set(e, jv_string("uptime_last_1d"),
	    jv_number(n == 0 ? 99.8 : 97.4));
	e = jv_object_set(e, jv_string("latency_last_30m"),
	    percentiles(0.25 + n, 0.35 + n, 0.48 + n, 0.85 + n, authed));
	e = jv_object_set(e, jv_string("throughput_last_30m"),
	    percentiles(45.2 - 10 * n, 38.5 - 10 * n, 28.3 - 10 * n,
	    15.1 - 10 * n, authed));
	e = jv_object_set(e, jv_string("supports_implicit_caching"),
	    n == 0 ? jv_true() : jv_false());
	jv_free(top);
	jv_free(slug);
	return e;
}

static jv
endpoints_of(jv m, const char *id, int authed)
{
	const struct prov *p = prov_of(id);

	return JV_OBJECT(jv_string("data"), JV_OBJECT(
	    jv_string("id"), jv_string(id),
	    jv_string("name"), or_null(jget(m, "name")),
	    jv_string("created"), or_null(jget(m, "created")),
	    jv_string("description"), or_null(jget(m, "description")),
	    jv_string("architecture"), or_null(jget(m, "architecture")),
	    jv_string("endpoints"), JV_ARRAY(
	    endpoint(m, id, p->name, p->tag, 0, authed),
	    endpoint(m, id, p->name2, p->tag2, 1, authed))));
}

enum MHD_Result
endpoints_serve(struct call *c, const struct action *a)
{
	char id[1024], *fix;
	struct action fa;
	enum MHD_Result r;
	jv m;

	(void)a;
	if (!model_of_path(c->path, id, sizeof(id)))
		return reply_error(c, 404, "Not Found", 0);
	if ((fix = endpoints_fixture(id)) != NULL) {
		memset(&fa, 0, sizeof(fa));
		fa.arg = fix + strlen(fixtures_dir()) + 1;
		r = reply_fixture(c, &fa);
		free(fix);
		return r;
	}
	m = catalog_find(id);
	if (!jv_is_valid(m)) {
		jv_free(m);
		return reply_error(c, 404, "Model not found", 0);
	}
	r = reply_json(c, 200, endpoints_of(m, id, c->auth == AUTH_OK));
	jv_free(m);
	return r;
}

static jv
str_or_null(const char *s)
{
	return s != NULL ? jv_string(s) : jv_null();
}

static jv
iso_time(const struct timespec *ts)
{
	struct tm tm;
	char buf[64];

	gmtime_r(&ts->tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	return jv_string_fmt("%s.%06ld+00:00", buf, ts->tv_nsec / 1000);
}

static jv
set(jv o, const char *k, jv v)
{
	return jv_object_set(o, jv_string(k), v);
}

static jv
gen_money(const struct gen *g)
{
	jv d;

	d = JV_OBJECT(jv_string("id"), jv_string(g->id),
	    jv_string("upstream_id"), jv_null(),
	    jv_string("total_cost"), jv_number(g->cost),
	    jv_string("usage"), jv_number(g->cost),
	    jv_string("cache_discount"), jv_null(),
	    jv_string("upstream_inference_cost"), jv_number(g->upstream),
	    jv_string("created_at"), iso_time(&g->created),
	    jv_string("model"), jv_string(g->model),
	    jv_string("app_id"), jv_null());
	d = set(d, "streamed", jv_bool(g->streamed));
	d = set(d, "cancelled", jv_bool(g->cancelled));
	d = set(d, "provider_name", jv_string(g->provider));
	d = set(d, "latency", jv_number(g->latency));
	d = set(d, "moderation_latency", jv_null());
	d = set(d, "generation_time", jv_number(g->gentime));
	d = set(d, "finish_reason", str_or_null(g->finish));
	d = set(d, "native_finish_reason", str_or_null(g->finish));
	return set(d, "service_tier", jv_string("default"));
}

static jv
gen_tokens(const struct gen *g, jv d)
{
	d = set(d, "tokens_prompt", jv_number(g->ptok));
	d = set(d, "tokens_completion", jv_number(g->ctok));
	d = set(d, "native_tokens_prompt", jv_number(g->ptok));
	d = set(d, "native_tokens_completion", jv_number(g->ctok));
	d = set(d, "native_tokens_completion_images", jv_number(0));
	d = set(d, "native_tokens_reasoning", jv_number(0));
	d = set(d, "native_tokens_cached", jv_number(0));
	d = set(d, "num_media_prompt", jv_number(0));
	d = set(d, "num_input_audio_prompt", jv_number(0));
	d = set(d, "num_media_completion", jv_number(0));
	d = set(d, "num_search_results", jv_number(0));
	return set(d, "num_fetches", jv_number(0));
}

static jv
gen_request(const struct gen *g, jv d)
{
	d = set(d, "web_search_engine", jv_null());
	d = set(d, "origin", jv_string(g->referer ? g->referer : ""));
	d = set(d, "is_byok", jv_bool(g->byok));
	d = set(d, "external_user", str_or_null(g->user));
	d = set(d, "api_type", jv_string("completions"));
	d = set(d, "preset_id", jv_null());
	d = set(d, "router", jv_null());
	d = set(d, "provider_responses", JV_ARRAY(JV_OBJECT(
	    jv_string("endpoint_id"), jv_string(ENDPOINT_ID "1"),
	    jv_string("id"), jv_null(),
	    jv_string("is_byok"), jv_bool(g->byok),
	    jv_string("latency"), jv_number(g->latency),
	    jv_string("model_permaslug"), jv_string(g->model),
	    jv_string("provider_name"), jv_string(g->provider),
	    jv_string("status"), jv_number(200))));
	d = set(d, "user_agent", str_or_null(g->agent));
	d = set(d, "http_referer", str_or_null(g->referer));
	d = set(d, "data_region", jv_string("global"));
	d = set(d, "workspace_id", jv_null());
	d = set(d, "request_id", jv_null());
	return set(d, "session_id", jv_null());
}

long gen_lag_lookups, gen_lag_ms;

enum MHD_Result
generation_serve(struct call *c, const struct action *a)
{
	enum MHD_Result r;
	struct gen g;
	const char *id;
	char msg[512];
	jv d;

	(void)a;
	memset(&g, 0, sizeof(g));
	id = MHD_lookup_connection_value(c->conn, MHD_GET_ARGUMENT_KIND, "id");
	if (id == NULL || *id == '\0')
		return reply_error(c, 400, "Missing required parameter: id",
		    1);
	/* Found, but not yet queryable: the lag after a request (§6.1). */
	if (!gen_lookup(id, &g) || g.lookups <= gen_lag_lookups ||
	    now_ms() - g.at_ms < gen_lag_ms) {
		gen_clear(&g);
		snprintf(msg, sizeof(msg), "Generation %s not found", id);
		return reply_error(c, 404, msg, 0);
	}
	d = gen_request(&g, gen_tokens(&g, gen_money(&g)));
	r = reply_json(c, 200, JV_OBJECT(jv_string("data"), d));
	gen_clear(&g);
	return r;
}

/* The label never shows any part of the real key. */
enum MHD_Result
key_serve(struct call *c, const struct action *a)
{
	double u = usage_total();
	jv d;

	(void)a;
	d = JV_OBJECT(jv_string("label"), jv_string("sk-or-v1-fak...e00"),
	    jv_string("limit"), key_limit < 0 ? jv_null() :
	    jv_number(key_limit),
	    jv_string("limit_remaining"), key_limit < 0 ? jv_null() :
	    jv_number(key_limit - u),
	    jv_string("limit_reset"), jv_null(),
	    jv_string("include_byok_in_limit"), jv_false(),
	    jv_string("usage"), jv_number(u),
	    jv_string("usage_daily"), jv_number(u),
	    jv_string("usage_weekly"), jv_number(u),
	    jv_string("usage_monthly"), jv_number(u));
	d = set(d, "byok_usage", jv_number(0));
	d = set(d, "byok_usage_daily", jv_number(0));
	d = set(d, "byok_usage_weekly", jv_number(0));
	d = set(d, "byok_usage_monthly", jv_number(0));
	d = set(d, "is_free_tier", jv_false());
	d = set(d, "is_management_key", jv_false());
	d = set(d, "is_provisioning_key", jv_false());
	d = set(d, "creator_user_id", jv_string(FAKE_USER));
	d = set(d, "rate_limit", JV_OBJECT(jv_string("requests"),
	    jv_number(-1), jv_string("interval"), jv_string("10s"),
	    jv_string("note"), jv_string("This field is deprecated and "
	    "safe to ignore.")));
	d = set(d, "expires_at", jv_null());
	return reply_json(c, 200, JV_OBJECT(jv_string("data"), d));
}

enum MHD_Result
credits_serve(struct call *c, const struct action *a)
{
	(void)a;
	return reply_json(c, 200, JV_OBJECT(jv_string("data"), JV_OBJECT(
	    jv_string("total_credits"), jv_number(total_credits),
	    jv_string("total_usage"), jv_number(usage_total()))));
}
