/*
 * models.c: which model a record goes to, and to several at once.
 *
 * One -m (or ORKIT_MODEL, or config.json's "model") is a default: a
 * record that names its own model keeps it. Two or more -m compare:
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

void
models_setup(struct sender *s, const char **flags, int n)
{
	int i;

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
