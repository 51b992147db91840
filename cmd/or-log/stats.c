/*
 * stats.c: requests, failures, tokens, USD and latency per group.
 *
 * The groups are counted by lib/store (store_group_by), with the same
 * definitions as the named reads other tools use; here they are only
 * printed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jv.h>
#include <sqlite3.h>

#include "jvx.h"
#include "money.h"
#include "query.h"
#include "record.h"
#include "table.h"
#include "util.h"

/* --by's names for lib/store's keys. */
static const struct {
	const char	*by;
	enum store_key	 key;
} keys[] = {
	{ "model", STORE_KEY_MODEL },
	{ "provider", STORE_KEY_PROVIDER },
	{ "job", STORE_KEY_JOB },
	{ "day", STORE_KEY_DAY },
	{ "hour", STORE_KEY_HOUR },
	{ NULL, 0 }
};

static jv
group_record(const char *by, struct store_group *g)
{
	jv o = JV_OBJECT(jv_string(by), g->key[0] ? jv_string(g->key) :
	    jv_null(),
	    jv_string("requests"), jv_number((double)g->requests),
	    jv_string("failures"), jv_number((double)g->failures),
	    jv_string("prompt_tokens"), jv_number((double)g->tokens[0]),
	    jv_string("completion_tokens"), jv_number((double)g->tokens[1]),
	    jv_string("reasoning_tokens"), jv_number((double)g->tokens[2]),
	    jv_string("cached_tokens"), jv_number((double)g->tokens[3]),
	    jv_string("usd"), jv_number(money_usd(g->usd_pico)));

	if (g->nlatency == 0)
		return o;
	o = jv_object_set(o, jv_string("latency_mean_ms"),
	    jv_number(round(g->latency_mean)));
	o = jv_object_set(o, jv_string("latency_p50_ms"),
	    jv_number(g->latency_p50));
	return jv_object_set(o, jv_string("latency_p95_ms"),
	    jv_number(g->latency_p95));
}

/* Money in plain decimal: 0.00001155, never 1.155e-05. */
static void
put_json(jv o)
{
	char *s = jvx_dump(o);

	out_put(s, strlen(s));
	out_put("\n", 1);
	out_end();
	free(s);
}

static void
add_num(struct table *t, jv o, const char *key, const char *fmt)
{
	jv v = jvx_get(jv_copy(o), key);
	char cell[64] = "";

	if (jv_get_kind(v) == JV_KIND_NUMBER)
		snprintf(cell, sizeof(cell), fmt, jv_number_value(v));
	jv_free(v);
	tab_cell(t, cell);
}

/* The words or-cost --total -t heads the same figures with. */
static const char *heads[] = { "REQUESTS", "FAILURES", "PROMPT",
    "COMPLETION", "USD", "MEAN MS", "P50 MS", "P95 MS" };

static void
table_row(struct table *t, jv o, const struct store_group *g)
{
	char usd[40];

	add_num(t, o, "requests", "%.0f");
	add_num(t, o, "failures", "%.0f");
	add_num(t, o, "prompt_tokens", "%.0f");
	add_num(t, o, "completion_tokens", "%.0f");
	money_fmt(g->usd_pico, usd);
	tab_cell(t, usd);
	add_num(t, o, "latency_mean_ms", "%.0f");
	add_num(t, o, "latency_p50_ms", "%.0f");
	add_num(t, o, "latency_p95_ms", "%.0f");
}

/*
 * Horizontal bars of USD, or of requests when nothing was spent. On a
 * terminal the bars are Unicode blocks with eighths; piped, or with
 * NO_COLOR set, they are plain '#'.
 */
static void
chart(struct store_groups *gs)
{
	static const char *eighth[] = { "", "\u258f", "\u258e", "\u258d",
	    "\u258c", "\u258b", "\u258a", "\u2589" };
	const char *nc = getenv("NO_COLOR");
	int fancy = isatty(STDOUT_FILENO) && !(nc && *nc);
	double max = 0, total = 0, v;
	size_t i, w = 0, k, cells;
	char num[64];
	int usd;

	for (i = 0; i < gs->n; i++)
		total += gs->g[i].usd;
	usd = total > 0;
	for (i = 0; i < gs->n; i++) {
		v = usd ? gs->g[i].usd : (double)gs->g[i].requests;
		max = v > max ? v : max;
		k = gs->g[i].key[0] ? strlen(gs->g[i].key) : 1;
		w = k > w ? k : w;
	}
	for (i = 0; i < gs->n; i++) {
		const char *key = gs->g[i].key[0] ? gs->g[i].key : "-";

		v = usd ? gs->g[i].usd : (double)gs->g[i].requests;
		cells = max > 0 ? (size_t)llround(v / max * 40 * 8) : 0;
		out_put(key, strlen(key));
		for (k = strlen(key); k < w + 2; k++)
			out_put(" ", 1);
		for (k = 0; k < cells / 8; k++)
			out_put(fancy ? "\u2588" : "#", fancy ? 3 : 1);
		if (fancy)
			out_put(eighth[cells % 8], strlen(eighth[cells % 8]));
		else if (cells % 8 >= 4)
			out_put("#", 1);
		if (usd)
			snprintf(num, sizeof(num), max < 0.01 ? " $%.6f\n" :
			    " $%.4f\n", v);
		else
			snprintf(num, sizeof(num), " %.0f\n", v);
		out_put(num, strlen(num));
	}
	out_end();
}

static void
report(struct store_groups *gs, const char *by, struct qopts *o)
{
	struct table *t = NULL;
	size_t i;
	char head[16];
	int k;
	jv rec;

	if (o->chart) {
		chart(gs);
		return;
	}
	if (o->table) {
		t = query_table(9);
		for (k = 0; k < 15 && by[k]; k++)
			head[k] = (char)(by[k] - 'a' + 'A');
		head[k] = '\0';
		for (tab_cell(t, head), k = 0; k < 8; k++)
			tab_cell(t, heads[k]);
		/* A long model id, not a figure, is cut; but only once the
		   figures a narrow terminal does without are left out, so
		   that ids compared side by side (openai/gpt-4o and
		   openai/gpt-4o-mini) stay whole up to 32 columns. */
		tab_shrink(t, 0);
		tab_drop(t, 6), tab_drop(t, 4), tab_drop(t, 3);
		tab_drop(t, 8), tab_drop(t, 2), tab_drop(t, 7);
	}
	for (i = 0; i < gs->n; i++) {
		rec = group_record(by, &gs->g[i]);
		if (t) {
			tab_cell(t, gs->g[i].key[0] ? gs->g[i].key : "-");
			table_row(t, rec, &gs->g[i]);
			jv_free(rec);
		} else
			put_json(rec);
	}
	if (t)
		tab_print(t, term_width());
}

int
cmd_stats(struct store *s, struct qopts *o, int argc, char **argv)
{
	struct store_groups gs;
	const char *by = o->by ? o->by : "model";
	char *w;
	int i, rc;

	(void)argc, (void)argv;
	for (i = 0; keys[i].by && strcmp(keys[i].by, by) != 0; i++)
		;
	if (keys[i].by == NULL)
		qusage("--by wants model, provider, job, day or hour");
	w = qfilter(o);
	rc = store_group_by(s, keys[i].key, o->since >= 0 ? o->since :
	    INT64_MIN, o->until >= 0 ? o->until : INT64_MAX, w, &gs);
	sqlite3_free(w);
	if (rc == -1) {
		warnx_("stats: %s", store_errmsg(s));
		return 2;
	}
	report(&gs, by, o);
	store_groups_free(&gs);
	return 0;
}
