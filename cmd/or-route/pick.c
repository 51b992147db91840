/*
 * pick.c: one record's model.
 *
 * The rule's candidates for the record's task and priority are taken
 * in their order, each kept or dropped with the reason (missing from
 * the catalog, a constraint, the context the request needs, unhealthy
 * in the log); priority speed puts the kept ones measured fastest
 * first. When the rule keeps none, the whole catalog is searched under
 * the same constraints. What decided is written in "routed".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "estimate.h"
#include "jvx.h"
#include "record.h"
#include "request.h"
#include "route.h"
#include "util.h"

struct cand {
	const struct model	*m;
	const char		*id;
	const char		*why;	/* NULL: kept */
	double			 usd;	/* -1: not known */
	const struct health	*h;
	int			 order;
};

static int
cmp_health(const void *a, const void *b)
{
	return strcmp(((const struct health *)a)->id,
	    ((const struct health *)b)->id);
}

static const struct health *
health_of(const struct router *r, const char *id)
{
	struct health key = { 0 };

	if (r->nh == 0)
		return NULL;
	key.id = (char *)id;	/* only compared */
	return bsearch(&key, r->h, r->nh, sizeof(*r->h), cmp_health);
}

void
router_sort_health(struct router *r)
{
	if (r->nh > 1)	/* a log with no rows leaves h NULL */
		qsort(r->h, r->nh, sizeof(*r->h), cmp_health);
}

static int
unhealthy(const struct router *r, const struct health *h)
{
	return h && h->recent >= r->o->min_requests && h->recent > 0 &&
	    (double)h->recent_failures / (double)h->recent >
	    r->o->max_failure_rate;
}

static void
warn_missing(struct router *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->nwarned; i++)
		if (strcmp(r->warned[i], id) == 0)
			return;
	warnx_("%s: not in the model catalog; skipped where a rule names "
	    "it", id);
	r->warned = xrealloc(r->warned, (r->nwarned + 1) * sizeof(char *));
	r->warned[r->nwarned++] = xstrdup(id);
}

static size_t
hash_id(const char *s)
{
	size_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* cat_find, by a hash made on first use: every record asks again. */
static const struct model *
find(struct router *r, const char *id)
{
	size_t i, j;

	if (r->slot == NULL) {
		for (r->nslot = 64; r->nslot < 2 * r->cat->n + 1; r->nslot *= 2)
			;
		r->slot = xmalloc(r->nslot * sizeof(*r->slot));
		memset(r->slot, 0, r->nslot * sizeof(*r->slot));
		for (i = 0; i < r->cat->n; i++) {
			j = hash_id(r->cat->models[i].id) & (r->nslot - 1);
			while (r->slot[j])
				j = (j + 1) & (r->nslot - 1);
			r->slot[j] = i + 1;
		}
	}
	for (j = hash_id(id) & (r->nslot - 1); r->slot[j];
	    j = (j + 1) & (r->nslot - 1))
		if (strcmp(r->cat->models[r->slot[j] - 1].id, id) == 0)
			return &r->cat->models[r->slot[j] - 1];
	return NULL;
}

/* m's rates, read from the catalog once. */
static const struct est_rates *
rates_of(struct router *r, const struct model *m)
{
	size_t i = (size_t)(m - r->cat->models);

	if (r->rates == NULL) {
		r->rates = xmalloc((r->cat->n ? r->cat->n : 1) *
		    sizeof(*r->rates));
		r->rated = xmalloc(r->cat->n ? r->cat->n : 1);
		memset(r->rated, 0, r->cat->n ? r->cat->n : 1);
	}
	if (!r->rated[i]) {
		est_rates(m, &r->rates[i]);
		r->rated[i] = 1;
	}
	return &r->rates[i];
}

static double
usd_of(struct router *r, const struct ask *a, const struct model *m)
{
	return est_usd(rates_of(r, m), &a->est);
}

/* The request asks for more output than m can write, as far as known. */
static int
too_long(struct router *r, const struct ask *a, const struct model *m)
{
	double most;

	if (a->est.max_out < 1)
		return 0;
	most = rates_of(r, m)->max_out;
	return most >= 1 && a->est.max_out > most;
}

const char *const need_words[NNEEDS] = { "tools", "json", "structured",
	"image" };

/*
 * A tool that is not a function (OpenRouter's own server tools, such as
 * "openrouter:web_search") works with any model; a function tool needs
 * a model that takes tools.
 */
int
needs_of_tools(jv tools)
{
	int need = 0;

	if (jv_get_kind(tools) == JV_KIND_ARRAY)
		jv_array_foreach(tools, i, t) {
			jv type = jvx_get(t, "type");

			if (jv_get_kind(type) != JV_KIND_STRING ||
			    strncmp(jv_string_value(type), "openrouter:",
			    11) != 0)
				need = NEED_TOOLS;
			jv_free(type);
		}
	jv_free(tools);
	return need;
}

int
needs_of_format(jv rf)
{
	jv type = jvx_get(rf, "type");
	int need = 0;

	if (jv_get_kind(type) == JV_KIND_STRING) {
		if (strcmp(jv_string_value(type), "json_object") == 0)
			need = NEED_JSON;
		else if (strcmp(jv_string_value(type), "json_schema") == 0)
			need = NEED_STRUCTURED;
	}
	jv_free(type);
	return need;
}

/* m has every capability the body needs. */
static int
meets_needs(const struct model *m, int needs)
{
	int i;

	for (i = 0; i < NNEEDS; i++)
		if ((needs & (1 << i)) && !cat_has(m, need_words[i]))
			return 0;
	return 1;
}

/* Why m cannot take this request, or NULL. */
static const char *
judge(struct router *r, const struct ask *a, const struct model *m,
    const struct health **hp)
{
	const char *why = filter_why(&r->o->f, m);

	*hp = health_of(r, m->id);
	if (why)
		return why;
	if (a->needs && !meets_needs(m, a->needs))
		return "capability";
	if (!r->o->no_context && m->context > 0 && a->need > (double)m->context)
		return "context";
	if (!r->o->no_context && too_long(r, a, m))
		return "output";
	if (unhealthy(r, *hp))
		return "unhealthy";
	return NULL;
}

static void
consider(struct router *r, const struct ask *a, const char *id,
    struct cand *c, int order)
{
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->order = order;
	c->usd = -1;
	if ((c->m = find(r, id)) == NULL) {
		warn_missing(r, id);
		c->why = "missing";
		return;
	}
	c->why = judge(r, a, c->m, &c->h);
	if (c->why == NULL || (strcmp(c->why, "context") != 0 &&
	    strcmp(c->why, "output") != 0))
		c->usd = usd_of(r, a, c->m);
}

static double
p50(const struct cand *c)
{
	return c->h && c->h->p50_ms > 0 ? c->h->p50_ms : INFINITY;
}

/* Kept first; then by priority's figure; then rule order, then id. */
static int prio_now;
static int
cmp_cand(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;
	double fa, fb;

	if ((a->why == NULL) != (b->why == NULL))
		return a->why == NULL ? -1 : 1;
	if (prio_now == P_SPEED) {
		fa = p50(a), fb = p50(b);
		if (fa != fb)
			return fa < fb ? -1 : 1;
	} else if (prio_now == P_COST && a->order < 0) {
		fa = a->usd < 0 ? INFINITY : a->usd;
		fb = b->usd < 0 ? INFINITY : b->usd;
		if (fa != fb)
			return fa < fb ? -1 : 1;
	}
	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	return strcmp(a->id, b->id);
}

/* n of d, to three places. */
static jv
share(long n, long d)
{
	return jv_number(round(1000.0 * (double)n / (double)d) / 1000.0);
}

static jv
cand_json(const struct cand *c)
{
	jv o = JV_OBJECT(jv_string("model"), jv_string(c->id),
	    jv_string("kept"), jv_bool(c->why == NULL));

	if (c->why)
		o = jv_object_set(o, jv_string("why"), jv_string(c->why));
	if (c->usd >= 0)
		o = jv_object_set(o, jv_string("usd"), jv_number(c->usd));
	if (c->h && c->h->p50_ms > 0)
		o = jv_object_set(o, jv_string("p50_ms"),
		    jv_number(c->h->p50_ms));
	if (c->h && c->h->requests > 0) {
		o = jv_object_set(o, jv_string("requests"),
		    jv_number((double)c->h->requests));
		o = jv_object_set(o, jv_string("failure_rate"),
		    share(c->h->failures, c->h->requests));
	}
	/* The figures health was judged by: the cool-down's, not the
	   history's, which may hold far more requests of long ago. */
	if (c->h && c->h->recent > 0)
		o = jv_object_set(o, jv_string("health"), JV_OBJECT(
		    jv_string("requests"), jv_number((double)c->h->recent),
		    jv_string("failures"),
		    jv_number((double)c->h->recent_failures),
		    jv_string("failure_rate"),
		    share(c->h->recent_failures, c->h->recent)));
	return o;
}

static jv
ids_of(jv list)
{
	return jv_get_kind(list) == JV_KIND_ARRAY ? list :
	    (jv_free(list), jv_array());
}

/* The rule's list for the task and priority (balanced if it has none). */
static jv
rule_list(const struct router *r, const struct ask *a)
{
	jv t = jvx_get(jvx_get(jv_copy(r->rules), "tasks"), a->task), l;

	if (jv_get_kind(t) != JV_KIND_OBJECT) {
		jv_free(t);
		return jv_invalid();
	}
	l = jvx_get(jv_copy(t), prio_names[a->prio]);
	if (jv_get_kind(l) != JV_KIND_ARRAY) {
		jv_free(l);
		l = jvx_get(jv_copy(t), "balanced");
	}
	jv_free(t);
	return ids_of(l);
}

/*
 * Ids in the rules' lists for a priority (quality, speed), task by
 * task, in their order: the catalog's rank, for want of a figure (the
 * catalog has no measure of quality, nor of speed).
 */
static int
list_rank(const struct router *r, const char *prio, const char *id)
{
	jv tasks = jvx_get(jv_copy(r->rules), "tasks");
	int rank = -1, n = 0;

	if (jv_get_kind(tasks) == JV_KIND_OBJECT) {
		jv_object_foreach(tasks, k, t) {
			jv l = ids_of(jvx_get(t, prio));

			jv_array_foreach(l, i, x) {
				if (rank < 0 && strcmp(jv_string_value(x), id) == 0)
					rank = n;
				n++;
				jv_free(x);
			}
			jv_free(l);
			jv_free(k);
		}
	}
	jv_free(tasks);
	return rank;
}

static const char *const stages[] = { "provider", "free", "price",
	"context", "capability", "modality", "request context", "output",
	"unhealthy" };
#define NSTAGES	(sizeof(stages) / sizeof(stages[0]))

/* The constraint that left no model at all, for no_route's message. */
static const char *
emptied_by(const size_t *left)
{
	size_t i;

	for (i = 0; i < NSTAGES; i++)
		if (left[i] == 0)
			return stages[i];
	return "nothing";
}

static int
stage_of(const char *why)
{
	size_t i;

	if (strcmp(why, "context") == 0)
		return 3;
	for (i = 0; i < NSTAGES; i++)
		if (strcmp(stages[i], why) == 0)
			return (int)i;
	return 0;
}

/* Every model of the catalog that fits, best first; *n of them. */
static struct cand *
from_catalog(struct router *r, const struct ask *a, size_t *n,
    const char **empty)
{
	struct cand *c = xmalloc((r->cat->n ? r->cat->n : 1) * sizeof(*c));
	size_t left[NSTAGES] = { 0 }, i, k;
	const struct health *h;
	const char *why;
	int s;

	*n = 0;
	for (i = 0; i < r->cat->n; i++) {
		const struct model *m = &r->cat->models[i];

		/* A router (openrouter/auto) prices each request as it
		   goes, and a model with no price cannot be weighed: the
		   catalog's choice is among models, at prices known. */
		if (!price_known(m->prompt) || !price_known(m->completion))
			continue;
		why = judge(r, a, m, &h);
		/* judge says "context" for --min-context and the request's. */
		if (why && strcmp(why, "context") == 0 && filter_why(&r->o->f,
		    m) == NULL)
			why = "request context";
		s = why ? stage_of(why) : (int)NSTAGES;
		for (k = 0; k < (size_t)s; k++)
			left[k]++;
		if (why)
			continue;
		memset(&c[*n], 0, sizeof(c[0]));
		c[*n].m = m;
		c[*n].id = m->id;
		c[*n].h = h;
		c[*n].usd = usd_of(r, a, m);
		c[*n].order = -1;
		if (a->prio == P_QUALITY || a->prio == P_BALANCED) {
			int q = list_rank(r, "quality", m->id);

			/* Ranked ones first, then the largest context. */
			c[*n].order = q >= 0 ? q : 1000000 - (int)(m->context /
			    1000 > 999999 ? 999999 : m->context / 1000);
		} else if (a->prio == P_SPEED) {
			int q = list_rank(r, "speed", m->id);

			/* After the measured: ranked ones, then by id. */
			c[*n].order = q >= 0 ? q : 1000000;
		}
		(*n)++;
	}
	*empty = emptied_by(left);
	prio_now = a->prio;
	qsort(c, *n, sizeof(*c), cmp_cand);
	return c;
}

static char *
with_variant(const struct router *r, const struct ask *a, const char *id)
{
	jv v = jvx_get(jvx_get(jv_copy(r->rules), "variants"),
	    prio_names[a->prio]);
	char *s;
	size_t n;

	if (jv_get_kind(v) != JV_KIND_STRING || strchr(id, ':') ||
	    jv_string_value(v)[0] == '\0') {
		jv_free(v);
		return xstrdup(id);
	}
	n = strlen(id) + strlen(jv_string_value(v)) + 1;
	s = xmalloc(n);
	snprintf(s, n, "%s%s", id, jv_string_value(v));
	jv_free(v);
	return s;
}

/* Whether list holds id, with or without a variant after it. */
static int
listed(jv list, const char *id)
{
	size_t n = strlen(id);
	int yes = 0;

	jv_array_foreach(list, i, x) {
		const char *s = jv_string_value(x);

		yes |= strncmp(s, id, n) == 0 && (s[n] == '\0' || s[n] == ':');
		jv_free(x);
	}
	return yes;
}

/* The chosen one, then its chain's kept models, then the other kept. */
static jv
fallback_list(struct router *r, const struct ask *a, const struct cand *c,
    size_t n)
{
	jv out = jv_array(), chain;
	char *s;
	int want = r->o->fallbacks, have = 0;
	size_t i;

	chain = ids_of(jvx_get(jvx_get(jv_copy(r->rules), "fallbacks"),
	    c[0].id));
	jv_array_foreach(chain, i2, id) {
		const struct model *m = find(r, jv_string_value(id));
		const struct health *h;

		if (m == NULL)
			warn_missing(r, jv_string_value(id));
		if (have < want && m && !listed(out, m->id) &&
		    strcmp(m->id, c[0].id) != 0 &&
		    judge(r, a, m, &h) == NULL) {
			s = with_variant(r, a, m->id);
			out = jv_array_append(out, jv_string(s));
			free(s);
			have++;
		}
		jv_free(id);
		(void)i2;
	}
	jv_free(chain);
	for (i = 1; i < n && have < want && c[i].why == NULL; i++) {
		if (listed(out, c[i].id))
			continue;
		s = with_variant(r, a, c[i].id);
		out = jv_array_append(out, jv_string(s));
		free(s);
		have++;
	}
	return out;
}

/* A provider list, when the flag gave one. */
static jv
set_list(jv p, const char *key, char **list)
{
	jv l;
	size_t i;

	if (list == NULL)
		return p;
	for (i = 0, l = jv_array(); list[i]; i++)
		l = jv_array_append(l, jv_string(list[i]));
	return jv_object_set(p, jv_string(key), l);
}

static jv
provider_prefs(const struct router *r)
{
	const struct route_opts *o = r->o;
	jv p = jv_object(), l;

	p = set_list(p, "order", o->order);
	if (o->sort)
		p = jv_object_set(p, jv_string("sort"), jv_string(o->sort));
	p = set_list(p, "only", o->only);
	p = set_list(p, "ignore", o->ignore);
	if (o->deny_data)
		p = jv_object_set(p, jv_string("data_collection"),
		    jv_string("deny"));
	if (o->zdr)
		p = jv_object_set(p, jv_string("zdr"), jv_true());
	if (!isnan(o->f.max_prompt) || !isnan(o->f.max_completion)) {
		l = jv_object();
		if (!isnan(o->f.max_prompt))
			l = jv_object_set(l, jv_string("prompt"),
			    jv_number(o->f.max_prompt));
		if (!isnan(o->f.max_completion))
			l = jv_object_set(l, jv_string("completion"),
			    jv_number(o->f.max_completion));
		p = jv_object_set(p, jv_string("max_price"), l);
	}
	return p;
}

static jv
constraints(const struct router *r, const struct ask *a)
{
	const struct cat_filter *f = &r->o->f;
	jv c = jv_object(), l;
	size_t i;

	if (f->free)
		c = jv_object_set(c, jv_string("free"), jv_true());
	if (!isnan(f->max_prompt))
		c = jv_object_set(c, jv_string("max_prompt_per_m"),
		    jv_number(f->max_prompt));
	if (!isnan(f->max_completion))
		c = jv_object_set(c, jv_string("max_completion_per_m"),
		    jv_number(f->max_completion));
	if (f->min_context > 0)
		c = jv_object_set(c, jv_string("min_context"),
		    jv_number((double)f->min_context));
	for (i = 0, l = jv_array(); f->need && f->need[i]; i++)
		l = jv_array_append(l, jv_string(f->need[i]));
	if (f->need)
		c = jv_object_set(c, jv_string("need"), l);
	else
		jv_free(l);
	if (f->modality)
		c = jv_object_set(c, jv_string("modality"),
		    jv_string(f->modality));
	if (!r->o->no_context)
		c = jv_object_set(c, jv_string("context"),
		    jv_number(a->need));
	if (!r->o->no_context && a->est.max_out >= 1)
		c = jv_object_set(c, jv_string("output"),
		    jv_number(a->est.max_out));
	if (a->needs) {
		for (i = 0, l = jv_array(); i < NNEEDS; i++)
			if (a->needs & (1 << i))
				l = jv_array_append(l,
				    jv_string(need_words[i]));
		c = jv_object_set(c, jv_string("request_needs"), l);
	}
	return c;
}

static jv
no_route(const char *msg)
{
	return JV_OBJECT(jv_string("error"), rec_errobj("no_route", msg, 0));
}

/* The task: the record's (t, owned; NULL when it has none), the
   flag's, the table's default; "auto" read from the prompt. */
void
ask_task(struct router *r, struct ask *a, char *t)
{
	jv autos, hit;
	int i;

	if (t == NULL)
		t = xstrdup(r->o->task ? r->o->task : "");
	if (*t == '\0') {
		free(t);
		t = jvx_strdup(r->rules, "default_task");
		if (t == NULL)
			t = xstrdup("chat");
	}
	a->task = t;
	a->rule = NULL;
	if (strcmp(t, "auto") != 0)
		return;
	autos = jvx_get(jv_copy(r->rules), "auto");
	i = jv_is_valid(a->body) ? task_auto(autos, a->body, a->ptok) :
	    task_auto_text(autos, a->text, a->est.images, a->ptok);
	free(a->task);
	if (i >= 0) {
		hit = jv_array_get(autos, i);
		a->task = jvx_strdup(hit, "task");
		a->rule = jvx_strdup(hit, "rule");
		jv_free(hit);
	} else {
		jv_free(autos);
		a->task = jvx_strdup(r->rules, "default_task");
		if (a->task == NULL)
			a->task = xstrdup("chat");
		a->rule = xstrdup("default");
	}
}

static jv
bad_input(const char *msg)
{
	return JV_OBJECT(jv_string("error"), rec_errobj("bad_input", msg, 0));
}

/* A hint that is there, not null, and not a string. */
static int
not_string(jv rec, const char *key)
{
	jv v = jvx_get(jv_copy(rec), key);
	int bad = jv_is_valid(v) && jv_get_kind(v) != JV_KIND_NULL &&
	    jv_get_kind(v) != JV_KIND_STRING;

	jv_free(v);
	return bad;
}

/* 0, or an error object when the record cannot be routed at all. */
static jv
read_ask(struct router *r, jv rec, struct ask *a)
{
	char *p = jvx_strdup(rec, "priority");
	const char *why;

	memset(a, 0, sizeof(*a));
	a->prio = prio_of(p ? p : r->o->priority ? r->o->priority :
	    "balanced");
	a->body = jv_invalid();
	free(p);
	if (a->prio < 0 || not_string(rec, "priority"))
		return bad_input("priority wants cost, speed, quality or "
		    "balanced");
	if (not_string(rec, "task"))
		return bad_input("task wants a task of the routing table, or "
		    "auto");
	jv_free(a->body);
	a->body = req_build(jv_copy(rec), NULL, REQ_LENIENT, &why);
	if (!jv_is_valid(a->body))
		return bad_input("no prompt or messages to route");
	a->body = jv_object_delete(a->body, jv_string("model"));
	est_ask(a->body, &a->est);
	a->needs = needs_of_tools(jvx_get(jv_copy(a->body), "tools")) |
	    needs_of_format(jvx_get(jv_copy(a->body), "response_format")) |
	    (a->est.images > 0 ? NEED_IMAGE : 0);
	a->ptok = a->est.prompt_tokens;
	a->need = a->ptok + (a->est.max_out > 0 ? a->est.max_out : 0);
	ask_task(r, a, jvx_strdup(rec, "task"));
	return jv_null();
}

void
ask_free(struct ask *a)
{
	jv_free(a->body);
	free(a->task);
	free(a->rule);
}

/* splitmix64: the same seed and record, the same draw. */
static double
draw(uint64_t seed, uint64_t seq)
{
	uint64_t z = seed * 0x9e3779b97f4a7c15ULL + seq + 0x632be59bd9b4e5d5ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0;
}

/* The figure the priority ranks by, for the tolerance; -1: none. */
static double
figure_of(const struct ask *a, const struct cand *c)
{
	if (a->prio == P_SPEED)
		return c->h && c->h->p50_ms > 0 ? c->h->p50_ms : -1;
	return c->usd;
}

/* A candidate's weight in the draw: its share of requests that
   succeeded in the log, never below 5%. */
static double
weight(const struct cand *c)
{
	double w = 1;

	if (c->h && c->h->requests > 0)
		w = 1 - (double)c->h->failures / (double)c->h->requests;
	return w < 0.05 ? 0.05 : w;
}

/* Is c in the draw: kept, and its figure within tol of best's? With
   no figure known for any, only the first is. */
static int
in_draw(const struct ask *a, const struct cand *c, size_t i, double best,
    double tol)
{
	double f = figure_of(a, c);

	if (c->why != NULL)
		return 0;
	if (best < 0)
		return i == 0;
	return f >= 0 && f <= best * (1 + tol);
}

/*
 * --spread: the kept candidates whose figure is within the tolerance
 * of the best one's (the least of them all, not the first in the
 * rule's order), one drawn for this record, weighted by its success
 * rate in the log; it is moved to the front of c. What it chose
 * among, said, in c's order.
 */
static jv
spread_pick(struct router *r, const struct ask *a, struct cand *c,
    size_t n)
{
	double best = -1, f, sum = 0, x, tol = r->o->spread;
	size_t i, pick = 0;
	jv among = jv_array();
	struct cand t;

	for (i = 0; i < n; i++)
		if (c[i].why == NULL && (f = figure_of(a, &c[i])) >= 0 &&
		    (best < 0 || f < best))
			best = f;
	for (i = 0; i < n; i++)
		if (in_draw(a, &c[i], i, best, tol)) {
			sum += weight(&c[i]);
			among = jv_array_append(among, jv_string(c[i].id));
		}
	x = draw(r->o->seed, (uint64_t)r->seq) * sum;
	for (i = 0; i < n; i++) {
		if (!in_draw(a, &c[i], i, best, tol))
			continue;
		pick = i;
		if (x < weight(&c[i]))
			break;
		x -= weight(&c[i]);
	}
	if (pick > 0) {
		t = c[pick];
		memmove(&c[1], &c[0], pick * sizeof(*c));
		c[0] = t;
	}
	return JV_OBJECT(jv_string("among"), among,
	    jv_string("tolerance"), jv_number(tol),
	    jv_string("seed"), jv_number((double)r->o->seed));
}

static jv
decide(struct router *r, struct ask *a)
{
	jv list = rule_list(r, a), routed, out, cands, spread;
	struct cand *c = NULL;
	const char *strategy = "rules", *empty = NULL;
	size_t n = 0, i;
	char *model, msg[256];

	if (!jv_is_valid(list)) {
		/* Only a record's own task can be: the table's are checked. */
		snprintf(msg, sizeof(msg), "task '%.200s' is not in the "
		    "routing table", a->task);
		return bad_input(msg);
	}
	n = (size_t)jv_array_length(jv_copy(list));
	c = xmalloc((n ? n : 1) * sizeof(*c));
	jv_array_foreach(list, k, id) {
		consider(r, a, jv_string_value(id), &c[k], k);
		jv_free(id);
	}
	/* Said in the rule's order; chosen in the priority's. */
	cands = jv_array();
	for (i = 0; i < n; i++)
		cands = jv_array_append(cands, cand_json(&c[i]));
	prio_now = a->prio;
	qsort(c, n, sizeof(*c), cmp_cand);
	if (n == 0 || c[0].why != NULL) {
		free(c);
		strategy = "catalog";
		c = from_catalog(r, a, &n, &empty);
		if (n > 0)
			cands = jv_array_append(cands, cand_json(&c[0]));
	}
	if (n == 0) {
		snprintf(msg, sizeof(msg), "no model fits: the %s constraint "
		    "left none of the %zu in the catalog", empty, r->cat->n);
		free(c);
		jv_free(cands);
		jv_free(list);
		return no_route(msg);
	}
	spread = r->o->spread > 0 ? spread_pick(r, a, c, n) : jv_invalid();
	model = with_variant(r, a, c[0].id);
	out = JV_OBJECT(jv_string("model"), jv_string(model));
	if (r->o->fallbacks > 0)
		out = jv_object_set(out, jv_string("models"),
		    jv_array_concat(JV_ARRAY(jv_string(model)),
		    fallback_list(r, a, c, n)));
	routed = JV_OBJECT(jv_string("strategy"), jv_string(strategy),
	    jv_string("task"), jv_string(a->task),
	    jv_string("priority"), jv_string(prio_names[a->prio]));
	if (a->rule)
		routed = jv_object_set(routed, jv_string("task_rule"),
		    jv_string(a->rule));
	routed = jv_object_set(routed, jv_string("constraints"),
	    constraints(r, a));
	routed = jv_object_set(routed, jv_string("candidates"), cands);
	if (jv_is_valid(spread))
		routed = jv_object_set(routed, jv_string("spread"), spread);
	out = jv_object_set(out, jv_string("routed"), routed);
	free(model);
	free(c);
	jv_free(list);
	return out;
}

/*
 * The flags' preferences added to the record's own provider object
 * (own, consumed; invalid when it has none), key by key: the record's
 * value for a key wins, as its task and priority win over the flags.
 * Invalid when there is nothing to add.
 */
static jv
merged_prefs(jv prefs, jv own)
{
	int added = 0;

	if (!jv_is_valid(own))
		return jv_object_length(jv_copy(prefs)) > 0 ? prefs :
		    (jv_free(prefs), jv_invalid());
	if (jv_get_kind(own) != JV_KIND_OBJECT) {
		/* Not an object to add to: the record's stands. */
		jv_free(prefs);
		jv_free(own);
		return jv_invalid();
	}
	jv_object_foreach(prefs, k, v) {
		if (!jv_object_has(jv_copy(own), jv_copy(k))) {
			own = jv_object_set(own, k, v);
			added = 1;
		} else {
			jv_free(k);
			jv_free(v);
		}
	}
	jv_free(prefs);
	if (!added) {
		jv_free(own);
		return jv_invalid();
	}
	return own;
}

/* Provider preferences go with a model, not with an error. */
static jv
with_prefs(const struct router *r, jv out, jv own)
{
	jv prefs;

	if (jvx_has(out, "error")) {
		jv_free(own);
		return out;
	}
	prefs = merged_prefs(provider_prefs(r), own);
	if (jv_is_valid(prefs))
		out = jv_object_set(out, jv_string("provider"), prefs);
	return out;
}

int
route_ask(struct router *r, struct ask *a, struct buf *ext)
{
	jv out = with_prefs(r, decide(r, a), jv_invalid());
	int failed = jvx_has(out, "error");

	jv_object_foreach(out, k, v) {
		rec_ext_add(ext, jv_string_value(k), v);
		jv_free(k);
	}
	jv_free(out);
	return failed;
}

/*
 * With --auto a record's task and priority choose nothing, but one that
 * could not be read is as much a mistake as without it: bad_input, as
 * read_ask and decide say it; else null.
 */
static jv
auto_hints(const struct router *r, jv rec)
{
	char *p = jvx_strdup(rec, "priority"), *t = jvx_strdup(rec, "task");
	jv tasks, out = jv_null();
	char msg[256];

	if ((p && prio_of(p) < 0) || not_string(rec, "priority"))
		out = bad_input("priority wants cost, speed, quality or "
		    "balanced");
	else if (not_string(rec, "task"))
		out = bad_input("task wants a task of the routing table, or "
		    "auto");
	else if (t && *t && strcmp(t, "auto") != 0) {
		tasks = jvx_get(jv_copy(r->rules), "tasks");
		if (!jvx_has(tasks, t)) {
			snprintf(msg, sizeof(msg), "task '%.200s' is not in "
			    "the routing table", t);
			out = bad_input(msg);
		}
		jv_free(tasks);
	}
	free(p);
	free(t);
	return out;
}

jv
route_keys(struct router *r, jv rec)
{
	struct ask a;
	jv out, own = jv_invalid();

	if (jvx_has(rec, "provider"))
		own = jvx_get(jv_copy(rec), "provider");
	if (r->o->automatic) {
		out = auto_hints(r, rec);
		jv_free(rec);
		if (jv_get_kind(out) != JV_KIND_NULL) {
			jv_free(own);
			return out;
		}
		return with_prefs(r, JV_OBJECT(jv_string("model"),
		    jv_string("openrouter/auto"), jv_string("routed"),
		    JV_OBJECT(jv_string("strategy"), jv_string("auto"))), own);
	}
	r->seq++;
	out = read_ask(r, rec, &a);
	jv_free(rec);
	if (jv_get_kind(out) == JV_KIND_NULL)
		out = decide(r, &a);
	ask_free(&a);
	return with_prefs(r, out, own);
}

void
router_free(struct router *r)
{
	size_t i;

	for (i = 0; i < r->nwarned; i++)
		free(r->warned[i]);
	free(r->warned);
	for (i = 0; i < r->nh; i++)
		free(r->h[i].id);
	free(r->h);
	free(r->slot);
	free(r->rates);
	free(r->rated);
	cache_free(r);
	buf_free(&r->text);
}
