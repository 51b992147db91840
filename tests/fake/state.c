/*
 * state.c: what all connections share: the catalog, the generations served
 * and the money spent.  The catalog is read-only after state_init(); the
 * rest is behind one mutex.
 */

#include <err.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fakeor.h"

volatile sig_atomic_t stopping;

struct model {
	char	*id;
	char	*json;		/* the model object, dumped */
	double	 pprice, cprice;	/* USD per token, for every chat */
};

static pthread_mutex_t	 mu = PTHREAD_MUTEX_INITIALIZER;
static char		*catalog;
static size_t		 cataloglen;
static struct model	*models;
static size_t		 nmodels;
static char		*fixdir;
static char		*key;
static struct gen	*ring;
static size_t		 ringnext;
static double		 spent;
static uint64_t		 rng;

/* USD per token; "-1" (dynamic price) and missing count as free. */
static double
price(jv model, const char *kind)
{
	jv pricing, s;
	double d = 0;

	pricing = jget(model, "pricing");
	s = jget(pricing, kind);
	if (jstr(s) != NULL)
		d = strtod(jstr(s), NULL);
	jv_free(s);
	jv_free(pricing);
	return d > 0 ? d : 0;
}

static void
index_model(jv m)
{
	jv id, dump;

	id = jget(m, "id");
	if (jstr(id) != NULL) {
		dump = jv_dump_string(jv_copy(m), 0);
		models = xrealloc(models, (nmodels + 1) * sizeof(*models));
		models[nmodels].id = xstrdup(jstr(id));
		models[nmodels].json = xstrdup(jv_string_value(dump));
		models[nmodels].pprice = price(m, "prompt");
		models[nmodels].cprice = price(m, "completion");
		nmodels++;
		jv_free(dump);
	}
	jv_free(id);
}

static void
load_catalog(const char *path)
{
	jv all, data;

	if ((catalog = slurp(path, &cataloglen)) == NULL)
		err(2, "%s", path);
	all = parse_json(catalog, cataloglen);
	data = jget(all, "data");
	if (jv_get_kind(data) != JV_KIND_ARRAY)
		errx(2, "%s: no \"data\" array", path);
	jv_array_foreach(data, i, m) {
		if (jv_get_kind(m) == JV_KIND_OBJECT)
			index_model(m);
		jv_free(m);
	}
	jv_free(data);
	jv_free(all);
}

void
state_init(const char *modelsfile, const char *fixtures)
{
	const char *k;

	load_catalog(modelsfile);
	fixdir = xstrdup(fixtures);
	if ((k = getenv("FAKEOR_KEY")) != NULL && *k != '\0')
		key = xstrdup(k);
	ring = calloc(GEN_MAX, sizeof(*ring));
	if (ring == NULL)
		err(2, "calloc");
	rng = (uint64_t)now_ms() ^ ((uint64_t)getpid() << 32);
}

void
state_free(void)
{
	size_t i;

	for (i = 0; i < nmodels; i++) {
		free(models[i].id);
		free(models[i].json);
	}
	free(models);
	for (i = 0; i < GEN_MAX; i++)
		gen_clear(&ring[i]);
	free(ring);
	free(catalog);
	free(fixdir);
	free(key);
}

const char *
catalog_raw(size_t *len)
{
	*len = cataloglen;
	return catalog;
}

jv
catalog_find(const char *id)
{
	size_t i;

	for (i = 0; i < nmodels; i++)
		if (strcmp(models[i].id, id) == 0)
			return parse_json(models[i].json,
			    strlen(models[i].json));
	return jv_invalid();
}

/* A chat needs only the prices: no model to parse for each one. */
int
catalog_prices(const char *id, double *prompt, double *completion)
{
	size_t i;

	for (i = 0; i < nmodels; i++)
		if (strcmp(models[i].id, id) == 0) {
			*prompt = models[i].pprice;
			*completion = models[i].cprice;
			return 1;
		}
	*prompt = *completion = 0;
	return 0;
}

const char *
fixtures_dir(void)
{
	return fixdir;
}

const char *
api_key(void)
{
	return key;
}

/* xorshift64: ids need to be unique, not unpredictable. */
static uint64_t
next_rand(void)
{
	uint64_t x;

	pthread_mutex_lock(&mu);
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	x = rng;
	pthread_mutex_unlock(&mu);
	return x;
}

unsigned
new_seed(void)
{
	return (unsigned)next_rand();
}

/* gen-<unix>-<20 alnum>, the shape of every real id. */
void
new_gen_id(char *id, size_t size)
{
	static const char set[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	char tail[21];
	uint64_t x = 0;
	int i;

	for (i = 0; i < 20; i++) {
		if (i % 8 == 0)
			x = next_rand();
		tail[i] = set[x % 62];
		x /= 62;
	}
	tail[20] = '\0';
	snprintf(id, size, "gen-%lld-%s", (long long)time(NULL), tail);
}

void
gen_remember(struct gen *g)
{
	g->at_ms = now_ms();
	g->lookups = 0;
	pthread_mutex_lock(&mu);
	gen_clear(&ring[ringnext]);
	ring[ringnext] = *g;
	ringnext = (ringnext + 1) % GEN_MAX;
	spent = money(spent + g->cost);
	pthread_mutex_unlock(&mu);
}

static char *
dup_or_null(const char *s)
{
	return s == NULL ? NULL : xstrdup(s);
}

int
gen_lookup(const char *id, struct gen *out)
{
	size_t i;
	int found = 0;

	pthread_mutex_lock(&mu);
	for (i = 0; i < GEN_MAX && !found; i++) {
		if (ring[i].model == NULL || strcmp(ring[i].id, id) != 0)
			continue;
		ring[i].lookups++;
		*out = ring[i];
		out->model = dup_or_null(ring[i].model);
		out->provider = dup_or_null(ring[i].provider);
		out->finish = dup_or_null(ring[i].finish);
		out->user = dup_or_null(ring[i].user);
		out->agent = dup_or_null(ring[i].agent);
		out->referer = dup_or_null(ring[i].referer);
		found = 1;
	}
	pthread_mutex_unlock(&mu);
	return found;
}

void
gen_clear(struct gen *g)
{
	free(g->model);
	free(g->provider);
	free(g->finish);
	free(g->user);
	free(g->agent);
	free(g->referer);
	memset(g, 0, sizeof(*g));
}

double
usage_total(void)
{
	double d;

	pthread_mutex_lock(&mu);
	d = spent;
	pthread_mutex_unlock(&mu);
	return d;
}
