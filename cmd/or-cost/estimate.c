/*
 * estimate.c: --estimate, what a record would cost at most, offline,
 * from the catalog's prices (the cache or-models keeps).
 *
 * The rule, in or-cost(1): prompt tokens are ceil(bytes/4) of the text
 * that is sent (message contents, text parts, tool definitions, file and
 * audio data) plus 4 per message; each image part costs the catalog's
 * per-image price. Completion tokens are the record's
 * max_completion_tokens or max_tokens, else the model's
 * top_provider.max_completion_tokens, else its context less the prompt.
 * Reasoning is billed as output: completion tokens take the dearer of
 * the completion and internal_reasoning prices; a prompt that asks for
 * caching takes the dearer of the prompt and input_cache_write prices.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "cost.h"
#include "jvx.h"
#include "record.h"
#include "util.h"

#define MSG_OVERHEAD	4	/* tokens per message: role and framing */

struct size {
	size_t	 bytes;
	long	 messages, images;
	int	 cache;		/* cache_control asked for */
};

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

/* The output bound: the record's, else the model's; *given if the record's. */
static double
bound(jv val, const struct model *m, double ptok, int *given)
{
	double d;
	jv top;

	*given = 1;
	if ((jvx_num(val, "max_completion_tokens", &d) ||
	    jvx_num(val, "max_tokens", &d)) && d >= 1)
		return floor(d);
	*given = 0;
	top = jvx_path(jv_copy(cat_val(m)), "top_provider");
	if (jvx_num(top, "max_completion_tokens", &d) && d >= 1) {
		jv_free(top);
		return floor(d);
	}
	jv_free(top);
	if (m->context > 0 && (double)m->context > ptok)
		return (double)m->context - ptok;
	return -1;
}

void
estimate(struct run *r, struct rec *rec)
{
	jv name = model_name(rec->val), c;
	const struct model *m;
	struct size z;
	double ptok, ctok, pp, cp, usd;
	int given;

	if (jv_get_kind(name) != JV_KIND_STRING) {
		jv_free(name);
		fail(rec, jv_string("no \"model\" to estimate for"));
		return;
	}
	if ((m = find(r->cat, jv_string_value(name))) == NULL) {
		fail(rec, jv_string_fmt("%s is not in the model catalog",
		    jv_string_value(name)));
		jv_free(name);
		return;
	}
	if (!price_known(m->prompt) || !price_known(m->completion)) {
		fail(rec, jv_string_fmt("%s has no fixed price: it is "
		    "decided per request", jv_string_value(name)));
		jv_free(name);
		return;
	}
	measure(rec->val, &z);
	ptok = ceil((double)z.bytes / 4) + MSG_OVERHEAD * (double)z.messages;
	if ((ctok = bound(rec->val, m, ptok, &given)) < 0) {
		fail(rec, jv_string_fmt("%s has no output limit to estimate "
		    "with: set max_tokens", jv_string_value(name)));
		jv_free(name);
		return;
	}
	pp = z.cache ? dearer(m->prompt, cat_price(m, "input_cache_write")) :
	    m->prompt;
	cp = dearer(m->completion, cat_price(m, "internal_reasoning"));
	usd = ptok * pp + ctok * cp + (double)z.images *
	    or_zero(cat_price(m, "image")) + or_zero(cat_price(m, "request"));
	c = JV_OBJECT(jv_string("usd"), jv_number(round(usd * 1e12) / 1e12),
	    jv_string("prompt_tokens"), jv_number(ptok),
	    jv_string("completion_tokens"), jv_number(ctok),
	    jv_string("images"), jv_number((double)z.images),
	    jv_string("model"), name,
	    jv_string("upper_bound"), jv_bool(given),
	    jv_string("source"), jv_string("estimate"));
	rec_add(rec, "cost", c);
}
