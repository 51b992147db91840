/*
 * stats.c: requests, failures, tokens, USD and latency per group.
 *
 * One pass over the columns that the requests_stats index covers, so a
 * big log is read from its index and never from its wide rows; groups
 * are summed here, where the latency percentiles can be had too.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jv.h>
#include <sqlite3.h>

#include "jvx.h"
#include "query.h"
#include "record.h"
#include "table.h"
#include "util.h"

char	*time_filter(struct qopts *);

struct group {
	char	*key;
	long	 requests, failures;
	int64_t	 tok[4];		/* prompt, completion, reasoning, cached */
	double	 usd;
	int64_t	*lat;
	size_t	 nlat, caplat;
	double	 latsum;
};

struct groups {
	struct group	*g;
	size_t		 n, cap;
	size_t		*slot;		/* open hash of indexes + 1 */
	size_t		 nslot;
	struct group	*last;		/* the previous row's */
};

/*
 * Days and hours are grouped by their number since the epoch, which
 * neighbouring rows share, and named once per group at the end.
 */
static const struct {
	const char	*by, *expr;
	int64_t		 unit;		/* ms in a time group, else 0 */
	int		 namelen;	/* of 2026-11-20T10:00:00.000Z */
} keys[] = {
	{ "model", "coalesce(served, model)", 0, 0 },
	{ "provider", "provider", 0, 0 },
	{ "job", "job", 0, 0 },
	{ "day", "ts / 86400000", 86400000, 10 },
	{ "hour", "ts / 3600000", 3600000, 13 },
	{ NULL, NULL, 0, 0 }
};

static size_t
hash_str(const char *s)
{
	size_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void
rehash(struct groups *gs)
{
	size_t i, j;

	free(gs->slot);
	gs->nslot = gs->nslot ? gs->nslot * 2 : 64;
	gs->slot = xmalloc(gs->nslot * sizeof(*gs->slot));
	memset(gs->slot, 0, gs->nslot * sizeof(*gs->slot));
	for (i = 0; i < gs->n; i++) {
		j = hash_str(gs->g[i].key) & (gs->nslot - 1);
		while (gs->slot[j])
			j = (j + 1) & (gs->nslot - 1);
		gs->slot[j] = i + 1;
	}
}

static struct group *
group_of(struct groups *gs, const char *key)
{
	size_t j;

	if (gs->n * 2 >= gs->nslot)
		rehash(gs);
	j = hash_str(key) & (gs->nslot - 1);
	for (; gs->slot[j]; j = (j + 1) & (gs->nslot - 1))
		if (strcmp(gs->g[gs->slot[j] - 1].key, key) == 0)
			return &gs->g[gs->slot[j] - 1];
	if (gs->n == gs->cap) {
		gs->cap = gs->cap ? gs->cap * 2 : 16;
		gs->g = xrealloc(gs->g, gs->cap * sizeof(*gs->g));
	}
	memset(&gs->g[gs->n], 0, sizeof(gs->g[0]));
	gs->g[gs->n].key = xstrdup(key);
	gs->slot[j] = ++gs->n;
	return &gs->g[gs->n - 1];
}

static void
count_row(struct groups *gs, sqlite3_stmt *st)
{
	const char *key = (const char *)sqlite3_column_text(st, 0);
	struct group *g;
	int64_t lat;

	if (key == NULL)
		key = "";
	/* Rows come in time order; neighbours often share a group. */
	if (gs->last && strcmp(gs->last->key, key) == 0)
		g = gs->last;
	else
		g = gs->last = group_of(gs, key);
	int i;

	g->requests++;
	g->failures += sqlite3_column_int(st, 1);
	for (i = 0; i < 4; i++)
		g->tok[i] += sqlite3_column_int64(st, 3 + i);
	g->usd += sqlite3_column_double(st, 2);
	if ((lat = sqlite3_column_int64(st, 7)) < 0)
		return;
	if (g->nlat == g->caplat) {
		g->caplat = g->caplat ? g->caplat * 2 : 64;
		g->lat = xrealloc(g->lat, g->caplat * sizeof(*g->lat));
	}
	g->lat[g->nlat++] = lat;
	g->latsum += (double)lat;
}

/* The k-th smallest of v[0..n), in place: Hoare's selection. */
static int64_t
select_kth(int64_t *v, size_t n, size_t k)
{
	long lo = 0, hi = (long)n - 1, i, j, kk = (long)k;
	int64_t pivot, t;

	while (lo < hi) {
		pivot = v[lo + (hi - lo) / 2];
		for (i = lo, j = hi; i <= j;) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				t = v[i], v[i] = v[j], v[j] = t;
				i++, j--;
			}
		}
		if (kk <= j)
			hi = j;
		else if (kk >= i)
			lo = i;
		else
			break;
	}
	return v[k];
}

/* Nearest rank: the smallest value with q of them at or below it. */
static double
percentile(struct group *g, double q)
{
	size_t rank = (size_t)ceil(q * (double)g->nlat);

	return (double)select_kth(g->lat, g->nlat, rank ? rank - 1 : 0);
}

static int timeline;

static void
name_times(struct groups *gs, int64_t unit, int namelen)
{
	char iso[64];
	size_t i;

	for (i = 0; i < gs->n; i++) {
		iso8601_ms(strtoll(gs->g[i].key, NULL, 10) * unit, iso);
		iso[namelen] = '\0';
		free(gs->g[i].key);
		gs->g[i].key = xstrdup(iso);
	}
}

static int
cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (!timeline && x->usd != y->usd)
		return x->usd < y->usd ? 1 : -1;
	if (!timeline && x->requests != y->requests)
		return x->requests < y->requests ? 1 : -1;
	return strcmp(x->key, y->key);
}

static jv
group_record(const char *by, struct group *g)
{
	jv o = JV_OBJECT(jv_string(by), g->key[0] ? jv_string(g->key) :
	    jv_null(),
	    jv_string("requests"), jv_number((double)g->requests),
	    jv_string("failures"), jv_number((double)g->failures),
	    jv_string("prompt_tokens"), jv_number((double)g->tok[0]),
	    jv_string("completion_tokens"), jv_number((double)g->tok[1]),
	    jv_string("reasoning_tokens"), jv_number((double)g->tok[2]),
	    jv_string("cached_tokens"), jv_number((double)g->tok[3]),
	    jv_string("usd"), jv_number(round(g->usd * 1e9) / 1e9));

	if (g->nlat == 0)
		return o;
	o = jv_object_set(o, jv_string("latency_mean_ms"),
	    jv_number(round(g->latsum / (double)g->nlat)));
	o = jv_object_set(o, jv_string("latency_p50_ms"),
	    jv_number(percentile(g, 0.5)));
	return jv_object_set(o, jv_string("latency_p95_ms"),
	    jv_number(percentile(g, 0.95)));
}

static void
put_json(jv o)
{
	jv s = jv_dump_string(o, 0);

	out_put(jv_string_value(s), strlen(jv_string_value(s)));
	out_put("\n", 1);
	out_end();
	jv_free(s);
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

static const char *heads[] = { "REQUESTS", "FAILED", "TOKENS_IN",
    "TOKENS_OUT", "USD", "MEAN_MS", "P50_MS", "P95_MS" };

static void
table_row(struct table *t, jv o)
{
	add_num(t, o, "requests", "%.0f");
	add_num(t, o, "failures", "%.0f");
	add_num(t, o, "prompt_tokens", "%.0f");
	add_num(t, o, "completion_tokens", "%.0f");
	add_num(t, o, "usd", "%.6f");
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
chart(struct groups *gs)
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
report(struct groups *gs, const char *by, struct qopts *o)
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
		for (k = 0; by[k] && k < 15; k++)
			head[k] = (char)(by[k] - 'a' + 'A');
		head[k] = '\0';
		for (tab_cell(t, head), k = 0; k < 8; k++)
			tab_cell(t, heads[k]);
	}
	for (i = 0; i < gs->n; i++) {
		rec = group_record(by, &gs->g[i]);
		if (t) {
			tab_cell(t, gs->g[i].key[0] ? gs->g[i].key : "-");
			table_row(t, rec);
			jv_free(rec);
		} else
			put_json(rec);
	}
	if (t)
		tab_print(t, term_width());
}

static void
groups_free(struct groups *gs)
{
	size_t i;

	for (i = 0; i < gs->n; i++) {
		free(gs->g[i].key);
		free(gs->g[i].lat);
	}
	free(gs->g);
	free(gs->slot);
}

int
cmd_stats(struct store *s, struct qopts *o, int argc, char **argv)
{
	struct groups gs = { 0 };
	const char *by = o->by ? o->by : "model";
	sqlite3_stmt *st;
	char *w, *sql;
	int i, rc;

	(void)argc, (void)argv;
	for (i = 0; keys[i].by && strcmp(keys[i].by, by) != 0; i++)
		;
	if (keys[i].by == NULL)
		qusage("--by wants model, provider, job, day or hour");
	timeline = keys[i].unit > 0;
	w = time_filter(o);
	sql = sqlite3_mprintf("SELECT %s, status <> 'ok', usd,"
	    " prompt_tokens, completion_tokens, reasoning_tokens,"
	    " cached_tokens, coalesce(latency_ms, -1)"
	    " FROM requests WHERE %s", keys[i].expr, w);
	sqlite3_free(w);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		warnx_("stats: %s", sqlite3_errmsg(s->db));
		sqlite3_free(sql);
		return 2;
	}
	sqlite3_free(sql);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		count_row(&gs, st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		warnx_("stats: %s", sqlite3_errmsg(s->db));
		groups_free(&gs);
		return 2;
	}
	if (timeline)
		name_times(&gs, keys[i].unit, keys[i].namelen);
	qsort(gs.g, gs.n, sizeof(*gs.g), cmp_group);
	report(&gs, by, o);
	groups_free(&gs);
	return 0;
}
