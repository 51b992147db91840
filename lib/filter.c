/* filter.c: the catalog constraints or-models and or-route share. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "filter.h"
#include "util.h"

void
filter_init(struct cat_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->max_prompt = f->max_completion = NAN;
}

void
filter_free(struct cat_filter *f)
{
	filter_list_free(f->providers);
	filter_list_free(f->need);
	f->providers = f->need = NULL;
}

char **
filter_list(char **list, const char *s)
{
	size_t n = 0;
	const char *p, *comma;

	while (list && list[n])
		n++;
	for (p = s; *p; p = *comma ? comma + 1 : comma) {
		if ((comma = strchr(p, ',')) == NULL)
			comma = p + strlen(p);
		if (comma == p)
			continue;
		list = xrealloc(list, (n + 2) * sizeof(*list));
		list[n++] = xstrndup(p, (size_t)(comma - p));
		list[n] = NULL;
	}
	if (n == 0) {
		filter_list_free(list);
		return NULL;
	}
	return list;
}

void
filter_list_free(char **list)
{
	size_t i;

	for (i = 0; list && list[i]; i++)
		free(list[i]);
	free(list);
}

int
filter_count(const char *s, int64_t *out)
{
	char *end;
	double d = strtod(s, &end);

	if (*end == 'k' || *end == 'K')
		d *= 1e3, end++;
	else if (*end == 'm' || *end == 'M')
		d *= 1e6, end++;
	if (end == s || *end || d < 0 || d > 1e15 || isnan(d))
		return -1;
	*out = (int64_t)d;
	return 0;
}

/* [s, e) as a price; NAN when empty, -2 when not a price. */
static double
price_of(const char *s, const char *e)
{
	char *end;
	double d;

	if (s == e)
		return NAN;
	d = strtod(s, &end);
	if (end != e || d < 0 || isnan(d))
		return -2;
	return d;
}

int
filter_max_price(struct cat_filter *f, const char *s)
{
	const char *slash = strchr(s, '/');
	double p, c;

	p = price_of(s, slash ? slash : s + strlen(s));
	c = slash ? price_of(slash + 1, slash + strlen(slash)) : NAN;
	if (p == -2 || c == -2 || (isnan(p) && isnan(c)))
		return -1;
	f->max_prompt = p;
	f->max_completion = c;
	return 0;
}

/* "anthropic" is an author; "openai/gpt-4" the start of an id. */
static int
provider_ok(const struct model *m, char *const *prov)
{
	const char *slash = strchr(m->id, '/');
	size_t alen = slash ? (size_t)(slash - m->id) : strlen(m->id), n;

	for (; *prov; prov++) {
		n = strlen(*prov);
		if (strchr(*prov, '/') != NULL) {
			if (strncasecmp(m->id, *prov, n) == 0)
				return 1;
		} else if (n == alen && strncasecmp(m->id, *prov, n) == 0)
			return 1;
	}
	return 0;
}

int
filter_is_free(const struct model *m)
{
	return (m->prompt == 0 && m->completion == 0) ||
	    cat_is_free_id(m->id);
}

/* Limits are per 1M tokens, as given; a price not known is over it. */
static int
under(double usd_per_token, double max_per_m)
{
	if (isnan(max_per_m))
		return 1;
	return price_known(usd_per_token) &&
	    usd_per_token * 1e6 <= max_per_m + 1e-9;
}

static int
need_ok(const struct model *m, char *const *need)
{
	for (; *need; need++)
		if (!cat_has(m, *need))
			return 0;
	return 1;
}

/* "in->out", "->image", "text+image->", or one name either way. */
static int
modality_ok(const struct model *m, const char *spec)
{
	const char *arrow = strstr(spec, "->");
	char *in;
	int ok;

	if (arrow == NULL)
		return cat_modality(m, spec, NULL) ||
		    cat_modality(m, NULL, spec);
	in = xstrndup(spec, (size_t)(arrow - spec));
	ok = cat_modality(m, *in ? in : NULL, arrow[2] ? arrow + 2 : NULL);
	free(in);
	return ok;
}

const char *
filter_why(const struct cat_filter *f, const struct model *m)
{
	if (f->providers && !provider_ok(m, f->providers))
		return "provider";
	if (f->free && !filter_is_free(m))
		return "free";
	if (f->paid && filter_is_free(m))
		return "paid";
	if (!under(m->prompt, f->max_prompt) ||
	    !under(m->completion, f->max_completion))
		return "price";
	if (f->min_context > 0 && m->context < f->min_context)
		return "context";
	if (f->need && !need_ok(m, f->need))
		return "capability";
	if (f->modality && !modality_ok(m, f->modality))
		return "modality";
	return NULL;
}

int
filter_check(const struct cat_filter *f, const struct catalog *c)
{
	char *const *n;
	size_t i;

	for (n = f->need; n && *n; n++) {
		if (cat_is_cap(*n))
			continue;
		for (i = 0; i < c->n && !cat_has_param(&c->models[i], *n); i++)
			;
		if (i == c->n) {
			warnx_("--need: unknown capability '%s'; known: tools, "
			    "json, structured, reasoning, image, file, audio, "
			    "video, image-out, audio-out, embeddings, cache, web, "
			    "or a name from supported_parameters", *n);
			return -1;
		}
	}
	return 0;
}
