/*
 * sort.c: --sort and -r.
 *
 * Each key has the direction people want first (cheapest, largest
 * context, newest, A to Z, fastest); -r turns it around. Models with
 * no figure for the key come last either way, and ties go by id, so
 * the same catalog always prints in the same order.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "jvx.h"
#include "models.h"
#include "util.h"

struct item {
	const struct model	*m;
	double			 key;	/* NAN: no figure */
	const char		*name;	/* for SORT_NAME; borrowed */
};

static enum sortkey	 bykey;
static int		 dir;

static int
cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = 0, xu = isnan(x->key), yu = isnan(y->key);

	if (bykey == SORT_NAME)
		c = strcmp(x->name, y->name);
	else if (xu != yu)
		return xu - yu;
	else if (!xu)
		c = (x->key > y->key) - (x->key < y->key);
	c *= dir;
	return c ? c : strcmp(x->m->id, y->m->id);
}

/* Prompt and completion blended, PRICE_RATIO prompt tokens to one. */
static double
blended(const struct model *m)
{
	if (!price_known(m->prompt) || !price_known(m->completion))
		return NAN;
	return (PRICE_RATIO * m->prompt + m->completion) / (PRICE_RATIO + 1);
}

/* The display name; the id when there is none. */
static const char *
name_of(const struct model *m)
{
	jv n = jvx_get(cat_val(m), "name");
	const char *s = m->id;

	/* The object holds the string, so the pointer outlives n. */
	if (jv_get_kind(n) == JV_KIND_STRING)
		s = jv_string_value(n);
	jv_free(n);
	return s;
}

static void
fill_keys(const struct opts *o, struct item *it, size_t n,
    const double *tput)
{
	const struct model *m;
	size_t i;

	for (i = 0; i < n; i++) {
		m = it[i].m;
		it[i].name = "";
		switch (o->sort) {
		case SORT_PRICE: it[i].key = blended(m); break;
		case SORT_CONTEXT:
			it[i].key = m->context > 0 ? (double)m->context : NAN;
			break;
		case SORT_CREATED:
			it[i].key = m->created > 0 ? (double)m->created : NAN;
			break;
		case SORT_THROUGHPUT: it[i].key = tput[i]; break;
		case SORT_NAME: it[i].key = 0; it[i].name = name_of(m); break;
		case SORT_NONE: it[i].key = (double)i; break;
		}
	}
}

void
sort_models(const struct opts *o, struct picked *p)
{
	struct item *it;
	double *tput = NULL;
	size_t i;

	if (o->sort == SORT_NONE && !o->reverse)
		return;
	it = xmalloc((p->n ? p->n : 1) * sizeof(*it));
	for (i = 0; i < p->n; i++)
		it[i].m = p->m[i];
	if (o->sort == SORT_THROUGHPUT) {
		tput = xmalloc((p->n ? p->n : 1) * sizeof(*tput));
		throughput_fetch(o, p, tput);
	}
	fill_keys(o, it, p->n, tput);
	bykey = o->sort;
	dir = o->sort == SORT_CONTEXT || o->sort == SORT_CREATED ||
	    o->sort == SORT_THROUGHPUT ? -1 : 1;
	if (o->reverse)
		dir = -dir;
	qsort(it, p->n, sizeof(*it), cmp);
	for (i = 0; i < p->n; i++)
		p->m[i] = it[i].m;
	free(tput);
	free(it);
}
