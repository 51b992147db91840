/*
 * cache.c: a route decided once for every record that asks the same.
 *
 * Without --spread, what or-route adds to a record depends on nothing
 * of the record but its ask: the task and the rule that named it, the
 * priority, what the body needs of a model, and the estimate's figures
 * (prompt tokens, images, caching, the output bound), from which the
 * context it needs follows. The table, the catalog and the log's
 * figures are read once, before the first record. So the text of the
 * keys is kept by the ask, and a record that asks the same gets the
 * same bytes without its candidates judged again. A warning about a
 * model missing from the catalog is said when a route is first
 * decided, as it was before.
 *
 * The table is bounded: when full it is emptied, so that memory stays
 * flat whatever the input. --spread draws anew for every record.
 */
#include <stdlib.h>
#include <string.h>

#include "route.h"
#include "util.h"

#define SLOTS	1024		/* a power of two */
#define MAXUSED	(SLOTS / 2)	/* emptied past this */

struct entry {
	size_t		 hash;
	char		*task, *rule;	/* owned; rule may be NULL */
	int		 prio, cache, failed, needs;
	long		 images;
	double		 ptok, max_out;
	struct buf	 text;		/* ,"model":... */
};

struct route_cache {
	struct entry	*slot[SLOTS];
	size_t		 used;
	struct buf	 drawn;		/* --spread's text, record by record */
};

static size_t
mix(size_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n--)
		h = (h ^ *s++) * 1099511628211ULL;
	return h;
}

static size_t
hash_ask(const struct ask *a)
{
	size_t h = 1469598103934665603ULL;

	h = mix(h, a->task, strlen(a->task) + 1);
	if (a->rule)
		h = mix(h, a->rule, strlen(a->rule) + 1);
	h = mix(h, &a->prio, sizeof(a->prio));
	h = mix(h, &a->needs, sizeof(a->needs));
	h = mix(h, &a->est.prompt_tokens, sizeof(a->est.prompt_tokens));
	h = mix(h, &a->est.images, sizeof(a->est.images));
	h = mix(h, &a->est.cache, sizeof(a->est.cache));
	return mix(h, &a->est.max_out, sizeof(a->est.max_out));
}

static int
same(const struct entry *e, size_t h, const struct ask *a)
{
	return e->hash == h && e->prio == a->prio && e->needs == a->needs &&
	    e->ptok == a->est.prompt_tokens && e->images == a->est.images &&
	    e->cache == a->est.cache && e->max_out == a->est.max_out &&
	    strcmp(e->task, a->task) == 0 && (e->rule == NULL ?
	    a->rule == NULL : a->rule != NULL && strcmp(e->rule, a->rule) == 0);
}

static void
empty(struct route_cache *c)
{
	size_t i;

	for (i = 0; i < SLOTS; i++) {
		if (c->slot[i] == NULL)
			continue;
		free(c->slot[i]->task);
		free(c->slot[i]->rule);
		buf_free(&c->slot[i]->text);
		free(c->slot[i]);
		c->slot[i] = NULL;
	}
	c->used = 0;
}

static struct entry *
decided(struct router *r, struct ask *a, size_t h)
{
	struct entry *e = xmalloc(sizeof(*e));

	memset(e, 0, sizeof(*e));
	e->hash = h;
	e->task = xstrdup(a->task);
	e->rule = a->rule ? xstrdup(a->rule) : NULL;
	e->prio = a->prio;
	e->needs = a->needs;
	e->ptok = a->est.prompt_tokens;
	e->images = a->est.images;
	e->cache = a->est.cache;
	e->max_out = a->est.max_out;
	e->failed = route_ask(r, a, &e->text);
	buf_str(&e->text);
	return e;
}

const struct buf *
routed_text(struct router *r, struct ask *a, int *failed)
{
	struct route_cache *c = r->cache;
	size_t h, i;

	if (c == NULL) {
		c = r->cache = xmalloc(sizeof(*c));
		memset(c, 0, sizeof(*c));
	}
	r->seq++;
	if (r->o->spread > 0) {
		buf_reset(&c->drawn);
		*failed = route_ask(r, a, &c->drawn);
		return &c->drawn;
	}
	h = hash_ask(a);
	for (i = h & (SLOTS - 1); c->slot[i]; i = (i + 1) & (SLOTS - 1))
		if (same(c->slot[i], h, a)) {
			*failed = c->slot[i]->failed;
			return &c->slot[i]->text;
		}
	if (c->used == MAXUSED) {
		empty(c);
		i = h & (SLOTS - 1);
	}
	c->slot[i] = decided(r, a, h);
	c->used++;
	*failed = c->slot[i]->failed;
	return &c->slot[i]->text;
}

void
cache_free(struct router *r)
{
	if (r->cache == NULL)
		return;
	empty(r->cache);
	buf_free(&r->cache->drawn);
	free(r->cache);
	r->cache = NULL;
}
