/*
 * select.c: which models of the catalog to print, and in what order.
 *
 * The filters combine with AND. --where is a jq program, compiled once
 * by libjq before anything is fetched, so a bad one costs no request.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jq.h>
#include <jv.h>

#include "jvx.h"
#include "models.h"
#include "util.h"

static jq_state	*jq;
static struct buf where_err;
static size_t	 where_fails;
static char	 where_first[256];

/* jq's own words, less its "jq: " and its closing count of errors. */
static void
on_jq_error(void *arg, jv msg)
{
	const char *s;

	(void)arg;
	msg = jq_format_error(msg);
	s = jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "";
	if (strncmp(s, "jq: ", 4) == 0)
		s += 4;
	if (strstr(s, " compile error") == NULL || strncmp(s, "error", 5) == 0)
		buf_adds(&where_err, s), buf_addc(&where_err, '\n');
	jv_free(msg);
}

/* Exits 2 with jq's message when the program does not compile. */
void
sel_prepare(const struct opts *o)
{
	if (o->where == NULL)
		return;
	if ((jq = jq_init()) == NULL)
		die(2, "cannot start libjq");
	jq_set_error_cb(jq, on_jq_error, NULL);
	if (!jq_compile(jq, o->where)) {
		if (where_err.len > 0 && where_err.buf[where_err.len - 1] == '\n')
			where_err.buf[--where_err.len] = '\0';
		warnx_("--where: %s", where_err.len ? where_err.buf :
		    "does not compile");
		buf_free(&where_err);
		jq_teardown(&jq);
		exit(2);
	}
}

void
sel_finish(void)
{
	if (where_fails > 0)
		warnx_("--where: an error on %zu model%s (kept none of them), "
		    "the first on %s", where_fails, where_fails == 1 ? "" : "s",
		    where_first);
	if (jq)
		jq_teardown(&jq);
	buf_free(&where_err);
}

/* Kept when the program yields a value other than false or null. */
static int
where_ok(const struct model *m)
{
	jv r;
	int keep = 0;

	jq_start(jq, cat_val(m), 0);
	while (!keep && jv_is_valid(r = jq_next(jq))) {
		keep = jv_get_kind(r) != JV_KIND_FALSE &&
		    jv_get_kind(r) != JV_KIND_NULL;
		jv_free(r);
	}
	if (!keep && jv_invalid_has_msg(jv_copy(r))) {
		jv msg = jv_invalid_get_msg(r);

		if (where_fails++ == 0)
			snprintf(where_first, sizeof(where_first), "%s: %s",
			    *m->id ? m->id : "a model without an id",
			    jv_get_kind(msg) == JV_KIND_STRING ?
			    jv_string_value(msg) : "error");
		jv_free(msg);
	} else if (!keep)
		jv_free(r);
	return keep;
}

static int
text_has(jv m, const char *key, const char *q)
{
	jv s = jvx_get(m, key);
	int yes = jv_get_kind(s) == JV_KIND_STRING &&
	    ci_find(jv_string_value(s), q) != NULL;

	jv_free(s);
	return yes;
}

static int
search_ok(const struct model *m, const char *q)
{
	return ci_find(m->id, q) != NULL || text_has(cat_val(m), "name", q) ||
	    text_has(cat_val(m), "description", q);
}

static int
keep(const struct opts *o, const struct model *m)
{
	return filter_why(&o->f, m) == NULL &&
	    (o->search == NULL || search_ok(m, o->search)) &&
	    (o->where == NULL || where_ok(m));
}

int
sel_check(const struct opts *o, const struct catalog *c)
{
	return filter_check(&o->f, c);
}

void
sel_run(const struct opts *o, const struct catalog *c, struct picked *p)
{
	size_t i;

	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	p->m = xmalloc((c->n ? c->n : 1) * sizeof(*p->m));
	p->n = 0;
	for (i = 0; i < c->n; i++)
		if (keep(o, &c->models[i]))
			p->m[p->n++] = &c->models[i];
	sort_models(o, p);
	if (o->limit >= 0 && (size_t)o->limit < p->n)
		p->n = (size_t)o->limit;
}
