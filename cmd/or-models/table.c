/*
 * table.c: -t, the catalog for a person to read (lib/table lays it
 * out). Prices are per 1M tokens, the unit people quote.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jv.h>

#include "jvx.h"
#include "models.h"
#include "record.h"
#include "table.h"
#include "util.h"

/* USD per token as USD per 1M tokens: "15", "0.075"; "var", "-". */
void
fmt_price(double d, char out[32])
{
	char *e;

	if (isnan(d)) {
		snprintf(out, 32, "-");
		return;
	}
	if (d < 0) {
		snprintf(out, 32, "var");
		return;
	}
	d *= 1e6;
	snprintf(out, 32, d > 0 && d < 0.00005 ? "%.2g" : "%.4f", d);
	if (strchr(out, '.') != NULL && strchr(out, 'e') == NULL) {
		for (e = out + strlen(out); e[-1] == '0'; e--)
			;
		if (e[-1] == '.')
			e--;
		*e = '\0';
	}
}

static void
fmt_count(int64_t n, char out[32])
{
	if (n < 0)
		snprintf(out, 32, "-");
	else
		snprintf(out, 32, "%lld", (long long)n);
}

static char *
caps_of(const struct model *m)
{
	struct buf b = { 0 };
	size_t i;

	for (i = 0; cat_caps[i]; i++)
		if (cat_has(m, cat_caps[i])) {
			if (b.len)
				buf_addc(&b, ',');
			buf_adds(&b, cat_caps[i]);
		}
	buf_add(&b, "", 0);
	return b.buf;
}

void
list_table(const struct picked *p)
{
	static const char *const head[] = { "ID", "CONTEXT", "$/M IN",
	    "$/M OUT", "CAPABILITIES" };
	struct table *t = tab_new(5);
	char ctx[32], in[32], out[32], *caps;
	const char *row[5];
	size_t i;

	tab_right(t, 1), tab_right(t, 2), tab_right(t, 3);
	tab_shrink(t, 4), tab_shrink(t, 0);
	tab_row(t, head);
	for (i = 0; i < p->n; i++) {
		fmt_count(p->m[i]->context, ctx);
		fmt_price(p->m[i]->prompt, in);
		fmt_price(p->m[i]->completion, out);
		caps = caps_of(p->m[i]);
		row[0] = p->m[i]->id, row[1] = ctx, row[2] = in, row[3] = out;
		row[4] = caps;
		tab_row(t, row);
		free(caps);
	}
	tab_print(t, term_width());
}

/* --- compare and show -t --------------------------------------------- */

enum fkind { F_TEXT, F_PRICE, F_CONTEXT, F_CREATED, F_CAPS };

static const struct field {
	const char	*label;
	enum fkind	 kind;
	const char	*path;	/* in the model, or in its pricing */
} fields[] = {
	{ "name",		F_TEXT,		"name" },
	{ "created",		F_CREATED,	NULL },
	{ "context",		F_CONTEXT,	NULL },
	{ "max output",		F_TEXT,	"top_provider.max_completion_tokens" },
	{ "$/M in",		F_PRICE,	"prompt" },
	{ "$/M out",		F_PRICE,	"completion" },
	{ "$/M cache read",	F_PRICE,	"input_cache_read" },
	{ "$/M reasoning",	F_PRICE,	"internal_reasoning" },
	{ "modality",		F_TEXT,		"architecture.modality" },
	{ "capabilities",	F_CAPS,		NULL },
	{ "tokenizer",		F_TEXT,		"architecture.tokenizer" },
	{ "moderated",		F_TEXT,		"top_provider.is_moderated" },
	{ "knowledge cutoff",	F_TEXT,		"knowledge_cutoff" },
	{ "expires",		F_TEXT,		"expiration_date" },
};

/* A scalar as a person reads it; NULL when absent, empty or odd. */
static char *
text_at(const struct model *m, const char *path)
{
	jv v = jvx_path(cat_val(m), path);
	char *s = NULL;

	if (jv_get_kind(v) == JV_KIND_STRING && *jv_string_value(v))
		s = xstrdup(jv_string_value(v));
	else if (jv_get_kind(v) == JV_KIND_NUMBER)
		s = jvx_dump(jv_copy(v));
	else if (jv_get_kind(v) == JV_KIND_TRUE)
		s = xstrdup("yes");
	else if (jv_get_kind(v) == JV_KIND_FALSE)
		s = xstrdup("no");
	jv_free(v);
	return s;
}

static char *
date_of(int64_t secs)
{
	time_t t = (time_t)secs;
	struct tm tm;
	char s[32];

	if (secs <= 0 || gmtime_r(&t, &tm) == NULL)
		return NULL;
	strftime(s, sizeof(s), "%Y-%m-%d", &tm);
	return xstrdup(s);
}

static char *
field_value(const struct field *f, const struct model *m)
{
	char s[32], *caps;
	double d;

	switch (f->kind) {
	case F_TEXT:
		return text_at(m, f->path);
	case F_PRICE:
		if (isnan(d = cat_price(m, f->path)))
			return NULL;
		fmt_price(d, s);
		return xstrdup(s);
	case F_CONTEXT:
		fmt_count(m->context, s);
		return m->context < 0 ? NULL : xstrdup(s);
	case F_CREATED:
		return date_of(m->created);
	case F_CAPS:
		if (*(caps = caps_of(m)) != '\0')
			return caps;
		free(caps);
	}
	return NULL;
}

/* One row per field, one column per model; a field none has is left out. */
static void
field_row(struct table *t, const struct field *f,
    const struct model *const *m, size_t n)
{
	const char **row = xmalloc((n + 1) * sizeof(*row));
	char **vals = xmalloc(n * sizeof(*vals));
	size_t i, any = 0;

	row[0] = f->label;
	for (i = 0; i < n; i++) {
		vals[i] = field_value(f, m[i]);
		any += vals[i] != NULL;
		row[i + 1] = vals[i] ? vals[i] : "-";
	}
	if (any)
		tab_row(t, row);
	for (i = 0; i < n; i++)
		free(vals[i]);
	free(vals);
	free(row);
}

void
compare_table(const struct model *const *m, size_t n)
{
	struct table *t = tab_new(n + 1);
	const char **row = xmalloc((n + 1) * sizeof(*row));
	size_t i;

	row[0] = "id";
	for (i = 0; i < n; i++) {
		row[i + 1] = m[i]->id;
		tab_shrink(t, i + 1);
	}
	tab_row(t, row);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		field_row(t, &fields[i], m, n);
	tab_print(t, term_width());
	free(row);
}
