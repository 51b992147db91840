/*
 * fill.c: a record's "cost", from the response's own usage or from
 * GET /generation's data.
 *
 * usage.cost is what OpenRouter billed. With the user's own provider key
 * (BYOK), cost_details.upstream_inference_cost is what the provider
 * charged that key: a different bill, never added to the first.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "cost.h"
#include "jvx.h"
#include "record.h"
#include "util.h"

const char *const source_name[SRC_N] = { "generation", "usage", "estimate",
    "cached" };

/* Records that get a cost; the rest go on as they came. */
int
cost_wanted(const struct run *r, const struct rec *rec)
{
	jv resp;
	int yes;

	if (rec->kind == REC_BAD || rec_has(rec, "cost"))
		return 0;
	if (r->source == SRC_ESTIMATE)
		return !rec->failed;
	resp = rec_get(rec, "response");
	yes = jv_get_kind(resp) == JV_KIND_OBJECT;
	jv_free(resp);
	return yes;
}

static jv
num(jv v)
{
	if (jv_get_kind(v) == JV_KIND_NUMBER)
		return v;
	jv_free(v);
	return jv_null();
}

static jv
str(jv v)
{
	if (jv_get_kind(v) == JV_KIND_STRING)
		return v;
	jv_free(v);
	return jv_null();
}

/* a, or b when a is null; consumes both. */
static jv
either(jv a, jv b)
{
	if (jv_get_kind(a) != JV_KIND_NULL) {
		jv_free(b);
		return a;
	}
	jv_free(a);
	return b;
}

char *
cost_gen_id(const struct rec *rec)
{
	jv id = jvx_path(rec_get(rec, "response"), "id");
	char *s = NULL;

	if (jv_get_kind(id) == JV_KIND_STRING && jv_string_value(id)[0])
		s = xstrdup(jv_string_value(id));
	jv_free(id);
	return s;
}

static int
is_free_model(jv model)
{
	return jv_get_kind(model) == JV_KIND_STRING &&
	    cat_is_free_id(jv_string_value(model));
}

/* The model asked for, when the response does not say. */
static jv
model_of(const struct rec *rec, jv resp)
{
	jv m = str(jvx_get(jv_copy(resp), "model"));

	if (jv_get_kind(m) == JV_KIND_NULL)
		m = either(m, str(rec_get(rec, "model")));
	return m;
}

/* "free": a :free model, or a bill of exactly 0. */
static jv
finish(jv c, jv usd, jv model)
{
	int free = is_free_model(model) || (jv_get_kind(usd) ==
	    JV_KIND_NUMBER && jv_number_value(usd) == 0);

	if (jv_get_kind(usd) == JV_KIND_NULL && is_free_model(model)) {
		jv_free(usd);
		usd = jv_number(0);
	}
	c = jv_object_set(c, jv_string("usd"), usd);
	c = jv_object_set(c, jv_string("free"), jv_bool(free));
	jv_free(model);
	return c;
}

static jv
base(const struct rec *rec, jv resp, jv usd)
{
	jv u = jvx_get(jv_copy(resp), "usage");
	jv byok = jvx_get(jv_copy(u), "is_byok");
	jv c = jv_object();

	c = finish(c, usd, model_of(rec, resp));
	c = jv_object_set(c, jv_string("prompt_tokens"),
	    num(jvx_get(jv_copy(u), "prompt_tokens")));
	c = jv_object_set(c, jv_string("completion_tokens"),
	    num(jvx_get(jv_copy(u), "completion_tokens")));
	c = jv_object_set(c, jv_string("reasoning_tokens"),
	    num(jvx_path(jv_copy(u), "completion_tokens_details."
	    "reasoning_tokens")));
	c = jv_object_set(c, jv_string("cached_tokens"),
	    num(jvx_path(jv_copy(u), "prompt_tokens_details.cached_tokens")));
	c = jv_object_set(c, jv_string("cache_write_tokens"),
	    num(jvx_path(jv_copy(u), "prompt_tokens_details."
	    "cache_write_tokens")));
	c = jv_object_set(c, jv_string("cache_discount"), jv_null());
	c = jv_object_set(c, jv_string("upstream_usd"),
	    jv_get_kind(byok) == JV_KIND_TRUE ? num(jvx_path(jv_copy(u),
	    "cost_details.upstream_inference_cost")) : jv_null());
	c = jv_object_set(c, jv_string("provider"),
	    str(jvx_get(jv_copy(resp), "provider")));
	c = jv_object_set(c, jv_string("model"), model_of(rec, resp));
	c = jv_object_set(c, jv_string("generation_id"),
	    str(jvx_get(jv_copy(resp), "id")));
	c = jv_object_set(c, jv_string("latency_ms"),
	    num(jvx_path(rec_get(rec, "send"), "latency_ms")));
	c = jv_object_set(c, jv_string("generation_time_ms"), jv_null());
	jv_free(byok);
	jv_free(u);
	return c;
}

/*
 * The note: why the usage's figure stands (NULL: it was the one asked
 * for), then what it was; a missing usage.cost is said so, never
 * passed off as used.
 */
static jv
usage_note(const char *why, int had, jv usd)
{
	const char *what;
	jv note;

	if (had)
		what = why ? "usage.cost used" : NULL;
	else if (jv_get_kind(usd) == JV_KIND_NUMBER)
		what = why ? "no usage.cost in the response either: 0, a "
		    ":free model" : NULL;
	else
		what = why ? "no usage.cost in the response either: usd "
		    "unknown" : "no usage.cost in the response: usd unknown";
	jv_free(usd);
	if (what == NULL)
		return jv_invalid();
	note = why ? jv_string_fmt("%s; %s", why, what) : jv_string(what);
	return note;
}

jv
cost_from_usage(const struct rec *rec, const char *why)
{
	jv resp = rec_get(rec, "response");
	jv usd = num(jvx_path(jv_copy(resp), "usage.cost"));
	int had = jv_get_kind(usd) == JV_KIND_NUMBER;
	jv c = base(rec, resp, usd);
	jv note = usage_note(why, had, jvx_get(jv_copy(c), "usd"));

	c = jv_object_set(c, jv_string("source"), jv_string("usage"));
	if (jv_is_valid(note))
		c = jv_object_set(c, jv_string("note"), note);
	jv_free(resp);
	return c;
}

/* send.cached: or-log answered it from its log; nothing was sent. */
int
cost_is_cached(const struct rec *rec)
{
	jv c = jvx_get(rec_get(rec, "send"), "cached");
	int yes = jv_get_kind(c) == JV_KIND_TRUE;

	jv_free(c);
	return yes;
}

/*
 * The answer was billed once, when it was first made: counting it again
 * would charge a replayed batch twice. No tokens were spent either.
 */
jv
cost_from_cache(const struct rec *rec)
{
	static const char *const zero[] = { "prompt_tokens",
	    "completion_tokens", "reasoning_tokens", "cached_tokens",
	    "cache_write_tokens" };
	jv resp = rec_get(rec, "response");
	jv c = base(rec, resp, jv_number(0));
	jv model = model_of(rec, resp);
	size_t i;

	for (i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		c = jv_object_set(c, jv_string(zero[i]), jv_number(0));
	c = jv_object_set(c, jv_string("upstream_usd"), jv_null());
	c = jv_object_set(c, jv_string("free"), jv_bool(is_free_model(model)));
	c = jv_object_set(c, jv_string("source"), jv_string("cached"));
	c = jv_object_set(c, jv_string("note"), jv_string("answered from "
	    "or-log's cache: not billed again"));
	jv_free(model);
	jv_free(resp);
	return c;
}

/* A field of the generation, else what the usage said. */
static jv
over(jv c, const char *key, jv v)
{
	jv old = jvx_get(jv_copy(c), key);

	return jv_object_set(c, jv_string(key), either(v, jv_is_valid(old) ?
	    old : jv_null()));
}

jv
cost_from_generation(const struct rec *rec, jv d)
{
	jv resp = rec_get(rec, "response");
	jv c = base(rec, resp, either(num(jvx_get(jv_copy(d), "total_cost")),
	    num(jvx_path(jv_copy(resp), "usage.cost"))));
	jv byok = jvx_get(jv_copy(d), "is_byok");

	c = over(c, "prompt_tokens", num(either(num(jvx_get(jv_copy(d),
	    "native_tokens_prompt")), num(jvx_get(jv_copy(d),
	    "tokens_prompt")))));
	c = over(c, "completion_tokens", num(either(num(jvx_get(jv_copy(d),
	    "native_tokens_completion")), num(jvx_get(jv_copy(d),
	    "tokens_completion")))));
	c = over(c, "reasoning_tokens",
	    num(jvx_get(jv_copy(d), "native_tokens_reasoning")));
	c = over(c, "cached_tokens",
	    num(jvx_get(jv_copy(d), "native_tokens_cached")));
	c = jv_object_set(c, jv_string("cache_discount"),
	    num(jvx_get(jv_copy(d), "cache_discount")));
	if (jv_get_kind(byok) == JV_KIND_TRUE)
		c = jv_object_set(c, jv_string("upstream_usd"),
		    num(jvx_get(jv_copy(d), "upstream_inference_cost")));
	else if (jv_get_kind(byok) == JV_KIND_FALSE)
		c = jv_object_set(c, jv_string("upstream_usd"), jv_null());
	c = over(c, "provider", str(jvx_get(jv_copy(d), "provider_name")));
	c = over(c, "model", str(jvx_get(jv_copy(d), "model")));
	c = over(c, "generation_id", str(jvx_get(jv_copy(d), "id")));
	c = over(c, "latency_ms", num(jvx_get(jv_copy(d), "latency")));
	c = over(c, "generation_time_ms",
	    num(jvx_get(jv_copy(d), "generation_time")));
	c = jv_object_set(c, jv_string("source"), jv_string("generation"));
	jv_free(byok);
	jv_free(resp);
	jv_free(d);
	return c;
}

void
put(struct run *r, struct rec *rec)
{
	if (rec->failed)
		r->status = 1;
	if (r->tot)
		total_add(r->tot, rec);
	else
		rec_emit(rec);
	rec_free(rec);
}
