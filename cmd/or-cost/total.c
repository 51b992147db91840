/*
 * total.c: --total, one summary of the records instead of the records.
 *
 * Dollars are summed in integer picodollars (lib/money): each figure
 * is rounded to that once, and the sums are exact, where adding doubles
 * would drift in the last places.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "jvx.h"
#include "money.h"
#include "record.h"
#include "table.h"
#include "util.h"

struct agg {
	char	*name;
	long	 records, requests, failures;
	int64_t	 ptok, ctok, rtok, cached;
	int64_t	 usd[SRC_N];	/* picodollars, by source */
};

struct aggs {
	struct agg	*a;
	size_t		 n;
};

struct totals {
	struct agg	 all;
	struct aggs	 models, providers;
};

struct totals *
total_new(void)
{
	struct totals *t = xmalloc(sizeof(*t));

	memset(t, 0, sizeof(*t));
	return t;
}

static void
aggs_free(struct aggs *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->a[i].name);
	free(s->a);
}

void
total_free(struct totals *t)
{
	aggs_free(&t->models);
	aggs_free(&t->providers);
	free(t);
}

static struct agg *
agg_of(struct aggs *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->a[i].name, name) == 0)
			return &s->a[i];
	s->a = xrealloc(s->a, (s->n + 1) * sizeof(*s->a));
	memset(&s->a[s->n], 0, sizeof(*s->a));
	s->a[s->n].name = xstrdup(name);
	return &s->a[s->n++];
}

/* One record's part: what it says it cost, in picodollars. */
struct part {
	int	 request, failed, src;
	int64_t	 ptok, ctok, rtok, cached, usd;
};

static int64_t
count(jv cost, const char *key)
{
	double d;

	return jvx_num(cost, key, &d) && d > 0 ? (int64_t)llround(d) : 0;
}

static void
add(struct agg *a, const struct part *p)
{
	a->records++;
	a->requests += p->request;
	a->failures += p->failed;
	a->ptok += p->ptok;
	a->ctok += p->ctok;
	a->rtok += p->rtok;
	a->cached += p->cached;
	if (p->src >= 0)
		a->usd[p->src] += p->usd;
}

static int
source_of(jv cost)
{
	jv s = jvx_get(jv_copy(cost), "source");
	int i, found = -1;

	for (i = 0; i < SRC_N && jv_get_kind(s) == JV_KIND_STRING; i++)
		if (strcmp(jv_string_value(s), source_name[i]) == 0)
			found = i;
	jv_free(s);
	return found;
}

/* The first string of: cost.key, response.key2, the record's key. */
static jv
name_of(jv val, jv cost, const char *key, const char *key2)
{
	jv v = jvx_get(jv_copy(cost), key);

	if (jv_get_kind(v) != JV_KIND_STRING) {
		jv_free(v);
		v = jvx_path(jv_copy(val), key2);
	}
	if (jv_get_kind(v) != JV_KIND_STRING && strcmp(key, "model") == 0) {
		jv_free(v);
		v = jvx_get(jv_copy(val), "model");
	}
	if (jv_get_kind(v) != JV_KIND_STRING) {
		jv_free(v);
		v = jv_string("(none)");
	}
	return v;
}

void
total_add(struct totals *t, const struct rec *rec)
{
	jv cost = rec_get(rec, "cost");
	jv model = name_of(rec->val, cost, "model", "response.model");
	jv prov = name_of(rec->val, cost, "provider", "response.provider");
	struct part p;
	double usd;

	memset(&p, 0, sizeof(p));
	p.failed = rec->failed;
	p.src = source_of(cost);
	p.request = p.src != SRC_CACHED && (rec_has(rec, "response") ||
	    jv_get_kind(cost) == JV_KIND_OBJECT);
	p.ptok = count(cost, "prompt_tokens");
	p.ctok = count(cost, "completion_tokens");
	p.rtok = count(cost, "reasoning_tokens");
	p.cached = count(cost, "cached_tokens");
	if (jvx_num(cost, "usd", &usd))
		p.usd = money_pico(usd);
	add(&t->all, &p);
	add(agg_of(&t->models, jv_string_value(model)), &p);
	add(agg_of(&t->providers, jv_string_value(prov)), &p);
	jv_free(model);
	jv_free(prov);
	jv_free(cost);
}

static int64_t
usd_all(const struct agg *a)
{
	int64_t s = 0;
	int i;

	for (i = 0; i < SRC_N; i++)
		s += a->usd[i];
	return s;
}

static jv
agg_val(const struct agg *a, int sources)
{
	jv o = JV_OBJECT(jv_string("records"), jv_number(a->records),
	    jv_string("requests"), jv_number(a->requests),
	    jv_string("failures"), jv_number(a->failures),
	    jv_string("prompt_tokens"), jv_number((double)a->ptok),
	    jv_string("completion_tokens"), jv_number((double)a->ctok),
	    jv_string("reasoning_tokens"), jv_number((double)a->rtok),
	    jv_string("cached_tokens"), jv_number((double)a->cached),
	    jv_string("usd"), jv_number(money_usd(usd_all(a))));
	jv by = jv_object();
	int i;

	for (i = 0; i < SRC_N; i++)
		if (a->usd[i] != 0 || sources)
			by = jv_object_set(by, jv_string(source_name[i]),
			    jv_number(money_usd(a->usd[i])));
	return jv_object_set(o, jv_string("usd_by_source"), by);
}

static jv
aggs_val(const struct aggs *s)
{
	jv o = jv_object();
	size_t i;

	for (i = 0; i < s->n; i++)
		o = jv_object_set(o, jv_string(s->a[i].name),
		    agg_val(&s->a[i], 0));
	return o;
}

static void
table_row(struct table *t, const char *name, const struct agg *a)
{
	char req[24], fail[24], ptok[24], ctok[24], usd[40];
	const char *row[] = { name, req, fail, ptok, ctok, usd };

	snprintf(req, sizeof(req), "%ld", a->requests);
	snprintf(fail, sizeof(fail), "%ld", a->failures);
	snprintf(ptok, sizeof(ptok), "%lld", (long long)a->ptok);
	snprintf(ctok, sizeof(ctok), "%lld", (long long)a->ctok);
	money_fmt(usd_all(a), usd);
	tab_row(t, row);
}

static void
table_part(struct table *t, const char *title, const struct aggs *s)
{
	const char *head[] = { title, "REQUESTS", "FAILURES", "PROMPT",
	    "COMPLETION", "USD" };
	size_t i;

	tab_row(t, head);
	for (i = 0; i < s->n; i++)
		table_row(t, s->a[i].name, &s->a[i]);
}

/* Models, then providers, then the total, in columns shared by all. */
static void
total_table(struct totals *tot)
{
	static const char *const blank[6];
	struct table *t = tab_new(6);
	size_t c;

	for (c = 1; c < 6; c++)
		tab_right(t, c);
	tab_shrink(t, 0);
	table_part(t, "MODEL", &tot->models);
	tab_row(t, blank);
	table_part(t, "PROVIDER", &tot->providers);
	tab_row(t, blank);
	table_row(t, "total", &tot->all);
	tab_print(t, term_width());
}

void
total_write(struct totals *t, int table)
{
	jv o, s;

	if (table) {
		total_table(t);
		return;
	}
	o = agg_val(&t->all, 1);
	o = jv_object_set(o, jv_string("models"), aggs_val(&t->models));
	o = jv_object_set(o, jv_string("providers"), aggs_val(&t->providers));
	s = jv_dump_string(jv_object_set(jv_object(), jv_string("total"), o),
	    0);
	out_put(jv_string_value(s), strlen(jv_string_value(s)));
	out_put("\n", 1);
	out_end();
	jv_free(s);
}
