/*
 * models.c: which model a record goes to, and to several at once.
 *
 * One -m (or ORKIT_MODEL, or config.json's "model") is a default: a
 * record that names its own model keeps it, as it is: a record is data
 * that another machine may send, and its config.json has other aliases
 * or none. Every model given to or-send (each -m, ORKIT_MODEL,
 * config.json's "model", --fallback, ORKIT_FREE_MODEL) may be an alias.
 * Two or more -m compare:
 * each new record (no "response", no "error" yet) goes out once for
 * each, in -m order, with "model" set to it and "id" suffixed with
 * "@model" (its line number when it has no id; an argv prompt is line
 * 1), so each answer is a record of its own that or-cost, or-log and
 * --retry take as any other. A record that already has an answer or an
 * error is an earlier run's output and goes through once, as itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jvx.h"
#include "prefs.h"
#include "record.h"
#include "send.h"
#include "util.h"

/* --fallback's list with its aliases taken. */
static jv
fallback_ids(const struct prefs *p, jv list)
{
	jv out = jv_array();

	jv_array_foreach(list, i, m) {
		out = jv_array_append(out, jv_string(prefs_model(p,
		    jv_string_value(m))));
		jv_free(m);
	}
	jv_free(list);
	return out;
}

void
models_setup(struct sender *s, const char **flags, int n)
{
	int i;

	s->fallback = fallback_ids(&s->prefs, s->fallback);

	s->models = xmalloc(sizeof(*s->models) * (size_t)(n ? n : 1));
	for (i = 0; i < n; i++)
		s->models[i] = prefs_model(&s->prefs, flags[i]);
	s->nmodels = n;
	if (n == 1)
		s->model = s->models[0];
	else if (n == 0)
		s->model = prefs_model(&s->prefs, s->prefs.model);
}

int
models_copies(const struct sender *s, const struct rec *rec)
{
	if (s->nmodels < 2 || rec->kind == REC_BAD || rec_has(rec,
	    "response") || rec_has(rec, "error"))
		return 1;
	return s->nmodels;
}

/* copy of ncopies: its model, and its job id made its own. */
void
models_fan(const struct sender *s, struct rec *rec, int copy)
{
	const char *model = s->models[copy];
	char *job = rec_job(rec->val), line[32];
	jv id;

	if (job == NULL)
		snprintf(line, sizeof(line), "%ld", rec->lineno > 0 ?
		    rec->lineno : 1);
	id = jv_string_fmt("%s@%s", job ? job : line, model);
	free(job);
	rec_del(rec, "models");
	rec_del(rec, "model");
	rec_del(rec, "id");
	rec_add(rec, "id", id);
	rec_add(rec, "model", jv_string(model));
}
