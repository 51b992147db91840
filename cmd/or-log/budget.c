/*
 * budget.c: or-log budget, what the log says was spent against each
 * limit in its period, and how near the limit it is.
 *
 * The limits are lib/budget's, from budget.json and then the flags;
 * the figures are the ledger's picodollars, compared and divided as
 * integers, so a level changes exactly at its percent of the limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "budget.h"
#include "jvx.h"
#include "money.h"
#include "query.h"
#include "record.h"
#include "table.h"
#include "util.h"

#define BAR_PIPED	20	/* a bar's cells when stdout is no terminal */
#define BAR_MIN		10
#define BAR_MAX		60
#define HOUR_MS		3600000LL
#define DAY_MS		86400000LL
#define MICRO		1000000LL	/* picodollars in a microdollar */

/* spent x limit products exceed 64 bits long before money does. */
__extension__ typedef __int128 wide;

/* One limit's standing. */
struct standing {
	const struct budget_limit *l;
	char		 key[16];	/* the period: "2026-12-04" */
	int64_t		 spent, projected;
	const char	*level;
};

/*
 * Tenths of a percent, rounded down, so that the figure shown never
 * reaches a level before the level is reached: 79.99 % is 79.9.
 */
static int
percent_text(const struct standing *s, char out[32])
{
	int64_t tenths;

	if (s->l->pico == 0) {
		snprintf(out, 32, "null");
		return 0;
	}
	/* A refund can leave a period below 0: it counts as 0 here. */
	tenths = s->spent > 0 ? (int64_t)((wide)s->spent * 1000 /
	    s->l->pico) : 0;
	if (tenths % 10 == 0)
		snprintf(out, 32, "%lld", (long long)(tenths / 10));
	else
		snprintf(out, 32, "%lld.%lld", (long long)(tenths / 10),
		    (long long)(tenths % 10));
	return 1;
}

static const char *
level(const struct budget *b, int64_t spent, int64_t limit)
{
	if (spent >= limit)
		return "over";
	if ((wide)spent * 100 >= (wide)b->critical * limit)
		return "critical";
	if ((wide)spent * 100 >= (wide)b->warn * limit)
		return "warn";
	return "ok";
}

/*
 * Spent x the period's length / the time gone in it, to the picodollar.
 * The time gone counts as at least an hour of a day and a day of a
 * month, about a 24th of either: a rate read from the first minutes
 * would make one early request look like a period's ruin (a cent at
 * 00:01 is $14.40 a day), while an hour's spend is a rate worth
 * projecting, and no more than 24 or 31 times what was spent.
 */
static int64_t
project(enum budget_period per, int64_t spent, int64_t since,
    int64_t until, int64_t now)
{
	int64_t least = per == BUDGET_MONTH ? DAY_MS : HOUR_MS;
	int64_t gone = now - since > least ? now - since : least;
	wide p = ((wide)spent * (until - since) + gone / 2) / gone;

	return p > INT64_MAX ? INT64_MAX : (int64_t)p;
}

static int
stand(struct store *st, const struct budget *b, const struct budget_limit *l,
    int64_t now, struct standing *s)
{
	int64_t since, until;

	s->l = l;
	budget_window(l->period, now, &since, &until, s->key);
	s->spent = 0;
	if (st != NULL && budget_ledger(st, l, now, &s->spent) == -1) {
		warnx_("budget: %s", store_errmsg(st));
		return -1;
	}
	s->projected = project(l->period, s->spent, since, until, now);
	s->level = level(b, s->spent, l->pico);
	return 0;
}

/* --- output ------------------------------------------------------------ */

static void
put_record(const struct standing *s)
{
	struct buf o = { 0 };
	char usd[40], pct[32], *name = jvx_dump(jv_string(s->l->name));
	int64_t left = s->l->pico - s->spent;

	buf_adds(&o, "{\"limit\":");
	buf_adds(&o, name);
	buf_adds(&o, ",\"period\":\"");
	buf_adds(&o, s->key);
	budget_fmt(s->l->pico, usd);
	buf_adds(&o, "\",\"usd\":");
	buf_adds(&o, usd);
	budget_fmt(s->spent, usd);
	buf_adds(&o, ",\"spent\":");
	buf_adds(&o, usd);
	budget_fmt(left > 0 ? left : 0, usd);
	buf_adds(&o, ",\"remaining\":");
	buf_adds(&o, usd);
	percent_text(s, pct);
	buf_adds(&o, ",\"percent\":");
	buf_adds(&o, pct);
	budget_fmt(s->projected, usd);
	buf_adds(&o, ",\"projected\":");
	buf_adds(&o, usd);
	buf_adds(&o, ",\"level\":\"");
	buf_adds(&o, s->level);
	buf_adds(&o, "\"}\n");
	out_put(o.buf, o.len);
	out_end();
	buf_free(&o);
	free(name);
}

#define NCOLS	8
static const char *heads[NCOLS + 1] = { "LIMIT", "PERIOD", "USD", "SPENT",
    "REMAINING", "PERCENT", "PROJECTED", "LEVEL", "" };

static void
cells_of(const struct standing *s, char c[NCOLS][80])
{
	int64_t left = s->l->pico - s->spent;

	snprintf(c[0], 80, "%s", s->l->name);
	snprintf(c[1], 80, "%s", s->key);
	money_fmt(s->l->pico, c[2]);
	money_fmt(s->spent, c[3]);
	money_fmt(left > 0 ? left : 0, c[4]);
	if (!percent_text(s, c[5]))
		snprintf(c[5], 80, "-");
	/* an estimate: to the microdollar, 6 places as the columns beside */
	money_fmt((s->projected + MICRO / 2) / MICRO * MICRO, c[6]);
	snprintf(c[7], 80, "%s", s->level);
}

/* [#########...........]: the share of the limit spent, full when over. */
static void
bar(const struct standing *s, size_t w, char *out)
{
	size_t i, n = w;

	if (s->spent <= 0 && s->l->pico > 0)
		n = 0;
	else if (s->spent < s->l->pico)
		n = (size_t)((wide)s->spent * w / s->l->pico);
	out[0] = '[';
	for (i = 0; i < w; i++)
		out[i + 1] = i < n ? '#' : '.';
	out[w + 1] = ']';
	out[w + 2] = '\0';
}

/*
 * The bar's cells: what the terminal has left after the other columns,
 * at most BAR_MAX; 0, no bar, when that is under BAR_MIN: the bar goes
 * before any figure does. Piped, a fixed width.
 */
static size_t
bar_width(char (*c)[NCOLS][80], size_t n, int width)
{
	size_t used = 0, w, i, k, m;

	if (width <= 0)
		return BAR_PIPED;
	for (k = 0; k < NCOLS; k++) {
		for (m = strlen(heads[k]), i = 0; i < n; i++)
			m = strlen(c[i][k]) > m ? strlen(c[i][k]) : m;
		used += m + 2;
	}
	w = (size_t)width > used + 2 ? (size_t)width - used - 2 : 0;
	return w < BAR_MIN ? 0 : w > BAR_MAX ? BAR_MAX : w;
}

/*
 * Too narrow even without the bar, the figures one can do without go,
 * in this order: REMAINING (USD less SPENT), PROJECTED, PERIOD (the
 * limit's name says day or month), PERCENT (LEVEL says how near); then
 * LIMIT is cut. LIMIT, USD, SPENT and LEVEL stay.
 */
static const size_t drops[] = { 4, 6, 1, 5 };

static void
put_table(const struct standing *s, size_t n)
{
	char (*c)[NCOLS][80] = xmalloc((n ? n : 1) * sizeof(*c));
	int width = term_width();
	struct table *t;
	size_t i, k, w;
	char *b;

	for (i = 0; i < n; i++)
		cells_of(&s[i], c[i]);
	w = bar_width(c, n, width);
	t = query_table(NCOLS + (w > 0));
	b = xmalloc(w + 3);
	tab_row(t, heads);
	for (i = 0; i < n; i++) {
		for (k = 0; k < NCOLS; k++)
			tab_cell(t, c[i][k]);
		if (w > 0) {
			bar(&s[i], w, b);
			tab_cell(t, b);
		}
	}
	tab_right(t, 5);	/* "-" with the numbers */
	tab_shrink(t, 0);
	for (i = 0; i < sizeof(drops) / sizeof(drops[0]); i++)
		tab_drop(t, drops[i]);
	tab_print(t, width);
	free(b);
	free(c);
}

/* --- the limits -------------------------------------------------------- */

/*
 * budget.json's, then the flags': a flag's limit replaces the file's.
 * A run limit is what one or-send may spend; the log has no runs, so
 * it is left out here, with a line when a flag asked for it (a file's
 * run limits are there for or-send, and cron would mail the line).
 */
static int
gather(struct budget *b, struct qopts *o)
{
	const struct budget_limit *l;
	struct buf runs = { 0 };
	char err[256];
	size_t i, j;

	if (budget_load(b, o->config) == -1)
		return -1;
	for (i = 0; i < o->limits.n; i++) {
		l = &o->limits.v[i];
		budget_set(b, l->scope, l->match, l->period, l->pico);
		if (l->period == BUDGET_RUN) {
			buf_adds(&runs, runs.len ? ", " : "");
			buf_adds(&runs, l->name);
		}
	}
	if (o->warn && budget_levels(b, o->warn, err, sizeof(err)) == -1)
		qusage(err);
	for (i = j = 0; i < b->n; i++) {
		if (b->v[i].period != BUDGET_RUN) {
			b->v[j++] = b->v[i];
			continue;
		}
		free(b->v[i].match);
		free(b->v[i].name);
	}
	b->n = j;
	if (runs.len)
		warnx_("budget: a run limit is what one or-send may spend; "
		    "left out: %s", buf_str(&runs));
	buf_free(&runs);
	return 0;
}

/* For the log's busy handler: as long as the store is open. */
static struct budget_wait wait = { NULL, "budget: ", "", 0 };

int
budget_open(struct store *st, const char *path)
{
	return budget_open_ledger(st, path, &wait);
}

static void
no_ledger(struct qopts *o)
{
	char *path = o->db ? xstrdup(o->db) : store_default_path();

	warnx_("budget: %s: no log there yet; counting nothing spent", path);
	free(path);
}

int
cmd_budget(struct store *st, struct qopts *o, int argc, char **argv)
{
	struct budget b = BUDGET_INIT;
	struct standing *s = NULL;
	int64_t now;
	int status = 0;
	size_t i;

	(void)argc, (void)argv;
	if (gather(&b, o) == -1)
		return 2;
	if (b.n == 0) {
		warnx_("budget: no limits: give --day USD, --month USD or "
		    "--budget SPEC, or write them in budget.json (orkit(7))");
		budget_free(&b);
		return 2;
	}
	now = budget_now_ms();
	if (st == NULL)
		no_ledger(o);
	s = xmalloc(b.n * sizeof(*s));
	for (i = 0; i < b.n && status == 0; i++)
		if (stand(st, &b, &b.v[i], now, &s[i]) == -1)
			status = 2;
	for (i = 0; i < b.n && status != 2; i++) {
		if (!o->table)
			put_record(&s[i]);
		if (strcmp(s[i].level, "over") == 0)
			status = 3;
	}
	if (o->table && status != 2)
		put_table(s, b.n);
	free(s);
	budget_free(&b);
	return status;
}
