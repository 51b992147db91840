/*
 * estimate.c: what a request would cost at most, from catalog prices.
 *
 * Each image part costs the catalog's per-image price, and a request
 * its per-request one. Reasoning is billed as output: completion
 * tokens take the dearer of the completion and internal_reasoning
 * prices; a prompt that asks for caching takes the dearer of the
 * prompt and input_cache_write prices.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "estimate.h"
#include "jvx.h"
#include "util.h"

#define MSG_OVERHEAD	4	/* tokens per message: role and framing */

struct size {
	size_t	 bytes;
	long	 messages, images;
	int	 cache;		/* cache_control asked for */
};

static void
add_str(struct size *z, jv s)
{
	if (jv_get_kind(s) == JV_KIND_STRING)
		z->bytes += (size_t)jv_string_length_bytes(jv_copy(s));
	jv_free(s);
}

static void
part(struct size *z, jv p)
{
	jv type = jvx_get(jv_copy(p), "type");
	const char *t = jv_get_kind(type) == JV_KIND_STRING ?
	    jv_string_value(type) : "";

	if (jvx_has(p, "cache_control"))
		z->cache = 1;
	if (strcmp(t, "image_url") == 0)
		z->images++;
	else if (strcmp(t, "file") == 0)
		add_str(z, jvx_path(jv_copy(p), "file.file_data"));
	else if (strcmp(t, "input_audio") == 0)
		add_str(z, jvx_path(jv_copy(p), "input_audio.data"));
	else
		add_str(z, jvx_get(jv_copy(p), "text"));
	jv_free(type);
	jv_free(p);
}

static void
content(struct size *z, jv c)
{
	z->messages++;
	if (jv_get_kind(c) == JV_KIND_ARRAY) {
		jv_array_foreach(c, i, p)
			part(z, p);
		jv_free(c);
	} else
		add_str(z, c);
}

/* A "system" or "prompt" left in (a record not built) is a message too. */
static void
measure(jv val, struct size *z)
{
	jv msgs = jvx_get(jv_copy(val), "messages");
	jv tools = jvx_get(jv_copy(val), "tools");

	memset(z, 0, sizeof(*z));
	if (jv_get_kind(msgs) == JV_KIND_ARRAY) {
		jv_array_foreach(msgs, i, m) {
			if (jvx_has(m, "cache_control"))
				z->cache = 1;
			content(z, jvx_get(m, "content"));
		}
	}
	jv_free(msgs);
	if (jvx_has(val, "system"))
		content(z, jvx_get(jv_copy(val), "system"));
	if (jvx_has(val, "prompt"))
		content(z, jvx_get(jv_copy(val), "prompt"));
	if (jv_is_valid(tools))
		add_str(z, jv_dump_string(tools, 0));
	else
		jv_free(tools);
}

double
est_tokens(size_t bytes, long messages)
{
	return ceil((double)bytes / 4) + MSG_OVERHEAD * (double)messages;
}

static double
tokens_of(const struct size *z)
{
	return est_tokens(z->bytes, z->messages);
}

double
est_prompt_tokens(jv body)
{
	struct size z;

	measure(body, &z);
	return tokens_of(&z);
}

long
est_images(jv body)
{
	struct size z;

	measure(body, &z);
	return z.images;
}

static jv
model_name(jv val)
{
	jv m = jvx_get(jv_copy(val), "model");

	if (jv_get_kind(m) != JV_KIND_STRING) {
		jv_free(m);
		m = jvx_path(jv_copy(val), "models.0");
	}
	return m;
}

/* The model, or the one a routing variant (":nitro") prices as. */
static const struct model *
find(const struct catalog *c, const char *id)
{
	const struct model *m = cat_find(c, id);
	const char *colon = strrchr(id, ':');
	char *base;

	if (m || colon == NULL || strcmp(colon, ":free") == 0)
		return m;
	base = xstrndup(id, (size_t)(colon - id));
	m = cat_find(c, base);
	free(base);
	return m;
}

static double
dearer(double a, double b)
{
	return price_known(b) && b > a ? b : a;
}

static double
or_zero(double d)
{
	return price_known(d) && d > 0 ? d : 0;
}

void
est_rates(const struct model *m, struct est_rates *r)
{
	double d;
	jv top;

	memset(r, 0, sizeof(*r));
	r->priced = price_known(m->prompt) && price_known(m->completion);
	r->prompt = m->prompt;
	r->prompt_cache_write = dearer(m->prompt,
	    cat_price(m, "input_cache_write"));
	r->completion = dearer(m->completion,
	    cat_price(m, "internal_reasoning"));
	r->image = or_zero(cat_price(m, "image"));
	r->request = or_zero(cat_price(m, "request"));
	r->max_out = -1;
	top = jvx_path(cat_val(m), "top_provider");
	if (jvx_num(top, "max_completion_tokens", &d) && d >= 1)
		r->max_out = floor(d);
	jv_free(top);
	r->context = m->context;
}

void
est_ask(jv body, struct est_ask *a)
{
	struct size z;
	double d;

	measure(body, &z);
	a->prompt_tokens = tokens_of(&z);
	a->images = z.images;
	a->cache = z.cache;
	a->max_out = -1;
	if ((jvx_num(body, "max_completion_tokens", &d) ||
	    jvx_num(body, "max_tokens", &d)) && d >= 1)
		a->max_out = floor(d);
}

/* The output bound: the body's, else the model's; -1 for none. */
static double
bound(const struct est_rates *r, const struct est_ask *a)
{
	if (a->max_out >= 1)
		return a->max_out;
	if (r->max_out >= 1)
		return r->max_out;
	if (r->context > 0 && (double)r->context > a->prompt_tokens)
		return (double)r->context - a->prompt_tokens;
	return -1;
}

double
est_usd(const struct est_rates *r, const struct est_ask *a)
{
	double ctok = bound(r, a), usd;

	if (!r->priced || ctok < 0)
		return -1;
	usd = a->prompt_tokens * (a->cache ? r->prompt_cache_write :
	    r->prompt) + ctok * r->completion + (double)a->images * r->image +
	    r->request;
	return round(usd * 1e12) / 1e12;
}

/* The model, or why it has none; 1 when found with fixed prices. */
static int
prices(const struct catalog *c, struct estimate *e, struct est_rates *r)
{
	const struct model *m;

	if (jv_get_kind(e->model) != JV_KIND_STRING) {
		jv_free(e->model);
		e->model = jv_invalid();
		e->status = EST_NO_MODEL;
		return 0;
	}
	if ((m = e->m = find(c, jv_string_value(e->model))) == NULL) {
		e->status = EST_UNKNOWN;
		return 0;
	}
	est_rates(m, r);
	if (!r->priced) {
		e->status = EST_DYNAMIC;
		return 0;
	}
	e->completion_price = r->completion;
	e->image_price = r->image;
	e->request_price = r->request;
	return 1;
}

int
est_price(const struct catalog *c, jv body, struct estimate *e)
{
	struct est_rates r;
	struct est_ask a;

	memset(e, 0, sizeof(*e));
	e->status = EST_OK;
	e->model = model_name(body);
	if (!prices(c, e, &r)) {
		jv_free(body);
		return 0;
	}
	est_ask(body, &a);
	jv_free(body);
	e->images = a.images;
	e->prompt_tokens = a.prompt_tokens;
	e->prompt_price = a.cache ? r.prompt_cache_write : r.prompt;
	e->completion_tokens = bound(&r, &a);
	e->bounded = a.max_out >= 1;
	if (e->completion_tokens < 0) {
		e->completion_tokens = 0;
		e->status = EST_UNBOUNDED;
		return 0;
	}
	e->usd = est_usd(&r, &a);
	return 1;
}

jv
est_why(const struct estimate *e)
{
	const char *name = jv_is_valid(e->model) ?
	    jv_string_value(e->model) : "";

	switch (e->status) {
	case EST_NO_MODEL:
		return jv_string("no \"model\" to estimate for");
	case EST_UNKNOWN:
		return jv_string_fmt("%s is not in the model catalog", name);
	case EST_DYNAMIC:
		return jv_string_fmt("%s has no fixed price: it is decided "
		    "per request", name);
	case EST_UNBOUNDED:
		return jv_string_fmt("%s has no output limit to estimate "
		    "with: set max_tokens", name);
	case EST_OK:
		break;
	}
	return jv_invalid();
}

void
est_free(struct estimate *e)
{
	jv_free(e->model);
	e->model = jv_invalid();
}
