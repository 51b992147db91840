/*
 * report.c: or-log report --html, a week's spending on one page to mail.
 *
 * The page stands alone: its style inline, its charts inline SVG, no
 * script, nothing fetched, so a mail reader shows it as it is. It is
 * well-formed XML as well as HTML (every element closed, every text
 * escaped), so a test can parse it, and each figure sits in a data-
 * attribute beside the text a person reads. The figures are lib/store's
 * groups, the very ones `or-log stats` prints: the two cannot differ.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "budget.h"
#include "money.h"
#include "query.h"
#include "record.h"
#include "store.h"
#include "util.h"

#define WEEK_MS		(7 * 86400000LL)
#define TOP_ROWS	10	/* the costliest requests, unless -n */
#define CHART_W		640
#define CHART_H		160
#define CHART_DAYS	92	/* a longer window: only its days with rows */
#define SLOT_MAX	48.0	/* a day's room at most, in pixels */
#define DAY_MS		86400000LL
#define BAR_W		160	/* a model's bar at its widest */

static const char style[] =
    "body{font-family:sans-serif;color:#222;max-width:60em;margin:1em}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}"
    "th,td{padding:.2em .6em;border-bottom:1px solid #ddd;"
    "text-align:left;vertical-align:top}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    "svg rect{fill:#4a7ab5}"
    "svg text{font-size:10px;fill:#555}"
    "code{font-size:90%}";

/* Text of ours, formatted; text from the log goes through put_escaped. */
static void
put(const char *fmt, ...)
{
	char buf[512], *big;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(buf)) {
		out_put(buf, (size_t)n);
		return;
	}
	big = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	out_put(big, (size_t)n);
	free(big);
}

/* U+FFFE and U+FFFF: JSON can carry them, XML 1.0 forbids them. */
static int
non_character(const char *s)
{
	return (unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbf &&
	    ((unsigned char)s[2] == 0xbe || (unsigned char)s[2] == 0xbf);
}

/*
 * Text from the log, escaped for HTML and XML alike: & < > " ' as
 * entities, and the characters XML 1.0 forbids (controls, U+FFFE,
 * U+FFFF) as U+FFFD.
 */
static void
put_escaped(const char *s)
{
	const char *run = s;

	for (; s && *s; s++) {
		const char *e = NULL;
		unsigned char c = (unsigned char)*s;

		if (non_character(s)) {
			out_put(run, (size_t)(s - run));
			out_put("\xef\xbf\xbd", 3);
			s += 2;
			run = s + 1;
			continue;
		}
		if (c == '&')
			e = "&amp;";
		else if (c == '<')
			e = "&lt;";
		else if (c == '>')
			e = "&gt;";
		else if (c == '"')
			e = "&quot;";
		else if (c == '\'')
			e = "&#39;";
		else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			e = "\xef\xbf\xbd";
		else
			continue;
		out_put(run, (size_t)(s - run));
		out_put(e, strlen(e));
		run = s + 1;
	}
	if (s)
		out_put(run, (size_t)(s - run));
}

static void
put_usd(int64_t pico)
{
	char usd[40];

	money_fmt(pico, usd);
	put("%s", usd);
}

/* The window's two ends, as dates and times a reader takes in. */
static void
put_window(int64_t since, int64_t until)
{
	char a[64], b[64];

	iso8601_ms(since, a);
	iso8601_ms(until, b);
	a[16] = b[16] = '\0';
	a[10] = b[10] = ' ';
	put("<p>From <time datetime=\"%.10sT%sZ\">%s</time> to <time"
	    " datetime=\"%.10sT%sZ\">%s</time> UTC.</p>\n", a, a + 11, a,
	    b, b + 11, b);
}

static void
put_head(int64_t since, int64_t until)
{
	char a[64], b[64];

	iso8601_ms(since, a);
	iso8601_ms(until, b);
	put("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\" />\n"
	    "<title>orkit spend, %.10s to %.10s</title>\n", a, b);
	put("<style>%s</style>\n</head>\n<body>\n", style);
	put("<h1>orkit spend, %.10s to %.10s</h1>\n", a, b);
	put_window(since, until);
}

static void
put_totals(const struct store_groups *models)
{
	long requests = 0, failures = 0;
	int64_t pico = 0;
	size_t i;

	for (i = 0; i < models->n; i++) {
		requests += models->g[i].requests;
		failures += models->g[i].failures;
		pico += models->g[i].usd_pico;
	}
	put("<p id=\"total\" data-requests=\"%ld\" data-failures=\"%ld\""
	    " data-usd=\"", requests, failures);
	put_usd(pico);
	put("\"><strong>$");
	put_usd(pico);
	put("</strong> over %ld request%s, %ld failed.</p>\n", requests,
	    requests == 1 ? "" : "s", failures);
}

/* A group's figure a chart measures: dollars, or requests if none. */
static double
measure(const struct store_group *g, int by_usd)
{
	return by_usd ? (double)g->usd_pico : (double)g->requests;
}

static int
any_spent(const struct store_groups *gs)
{
	size_t i;

	for (i = 0; i < gs->n; i++)
		if (gs->g[i].usd_pico > 0)
			return 1;
	return 0;
}

static double
largest(const struct store_groups *gs, int by_usd)
{
	double max = 0;
	size_t i;

	for (i = 0; i < gs->n; i++)
		if (measure(&gs->g[i], by_usd) > max)
			max = measure(&gs->g[i], by_usd);
	return max;
}

/* The UTC day of a time, as a count of days since 1970. */
static int64_t
day_of(int64_t ms)
{
	return ms >= 0 ? ms / DAY_MS : -((-ms + DAY_MS - 1) / DAY_MS);
}

/* A day's bar, its height the day's share of the most; g NULL: none. */
static void
put_day_bar(size_t i, double slot, const char *day,
    const struct store_group *g, int by_usd, double max, int label)
{
	double h = g && max > 0 ? measure(g, by_usd) / max * CHART_H : 0;

	put("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
	    "<title>%s: ", i * slot + 1, CHART_H - h, slot > 3 ? slot - 2 :
	    slot, h, day);
	if (g) {
		put("$");
		put_usd(g->usd_pico);
		put(", %ld request%s", g->requests, g->requests == 1 ? "" :
		    "s");
	} else
		put("no requests");
	put("</title></rect>\n");
	if (label)
		put("<text x=\"%.1f\" y=\"%d\">%s</text>\n", i * slot + 1,
		    CHART_H + 12, day + 5);
}

/*
 * A bar for every day of the window, those without requests empty, so
 * the gaps show; a window of more than CHART_DAYS, only its days with
 * requests.
 */
static void
put_day_chart(const struct store_groups *days, int64_t since, int64_t end)
{
	int by_usd = any_spent(days);
	double max = largest(days, by_usd), slot;
	int64_t first = day_of(since), last = day_of(end - 1);
	int every = last >= first && last - first < CHART_DAYS;
	size_t n, i, k = 0;
	char iso[64];

	if (days->n == 0)
		return;
	n = every ? (size_t)(last - first + 1) : days->n;
	slot = (double)CHART_W / (double)n;
	slot = slot > SLOT_MAX ? SLOT_MAX : slot;
	put("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\""
	    " height=\"%d\" role=\"img\" aria-label=\"%s per day\">\n",
	    slot * (double)n + 2, CHART_H + 14, by_usd ? "USD" : "requests");
	for (i = 0; i < n; i++) {
		const struct store_group *g = NULL;

		if (!every) {
			g = &days->g[i];
			snprintf(iso, sizeof(iso), "%s", g->key);
		} else {
			iso8601_ms((first + (int64_t)i) * DAY_MS, iso);
			iso[10] = '\0';
			while (k < days->n && strcmp(days->g[k].key, iso) < 0)
				k++;
			if (k < days->n && strcmp(days->g[k].key, iso) == 0)
				g = &days->g[k++];
		}
		put_day_bar(i, slot, iso, g, by_usd, max, n <= 14 || i == 0 ||
		    i + 1 == n);
	}
	put("</svg>\n");
}

static void
put_days(const struct store_groups *days, int64_t since, int64_t end)
{
	size_t i;

	put("<h2>Spend per day</h2>\n");
	put_day_chart(days, since, end);
	put("<table id=\"days\">\n<tr><th>Day</th><th class=\"n\">Requests"
	    "</th><th class=\"n\">Failed</th><th class=\"n\">USD</th></tr>\n");
	for (i = 0; i < days->n; i++) {
		const struct store_group *g = &days->g[i];

		put("<tr data-day=\"%s\" data-requests=\"%ld\""
		    " data-failures=\"%ld\" data-usd=\"", g->key, g->requests,
		    g->failures);
		put_usd(g->usd_pico);
		put("\"><td>%s</td><td class=\"n\">%ld</td><td class=\"n\">"
		    "%ld</td><td class=\"n\">", g->key, g->requests,
		    g->failures);
		put_usd(g->usd_pico);
		put("</td></tr>\n");
	}
	put("</table>\n");
}

static void
put_bar(const struct store_group *g, int by_usd, double max)
{
	double w = max > 0 ? measure(g, by_usd) / max * BAR_W : 0;

	put("<td><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
	    " height=\"12\"><rect width=\"%.1f\" height=\"12\" /></svg></td>",
	    BAR_W, w);
}

/* A figure of latency, or a dash where no row had one. */
static void
put_ms(const struct store_group *g, const char *attr, double ms)
{
	if (attr) {
		if (g->nlatency)
			put(" data-%s=\"%.0f\"", attr, ms);
	} else if (g->nlatency)
		put("<td class=\"n\">%.0f</td>", ms);
	else
		put("<td class=\"n\">\xe2\x80\x93</td>");
}

static void
put_model_row(const struct store_group *g, int by_usd, double max)
{
	put("<tr data-model=\"");
	put_escaped(g->key);
	put("\" data-requests=\"%ld\" data-failures=\"%ld\" data-usd=\"",
	    g->requests, g->failures);
	put_usd(g->usd_pico);
	put("\"");
	put_ms(g, "p50", g->latency_p50);
	put_ms(g, "p95", g->latency_p95);
	put("><td>");
	put_escaped(g->key[0] ? g->key : "-");
	put("</td><td class=\"n\">%ld</td><td class=\"n\">%.1f %%</td>"
	    "<td class=\"n\">", g->requests, g->requests ?
	    100.0 * (double)g->failures / (double)g->requests : 0.0);
	put_usd(g->usd_pico);
	put("</td>");
	put_ms(g, NULL, g->latency_p50);
	put_ms(g, NULL, g->latency_p95);
	put_bar(g, by_usd, max);
	put("</tr>\n");
}

static void
put_models(const struct store_groups *models)
{
	int by_usd = any_spent(models);
	double max = largest(models, by_usd);
	size_t i;

	put("<h2>Per model</h2>\n<table id=\"models\">\n<tr><th>Model</th>"
	    "<th class=\"n\">Requests</th><th class=\"n\">Failure rate</th>"
	    "<th class=\"n\">USD</th><th class=\"n\">P50 ms</th>"
	    "<th class=\"n\">P95 ms</th><th>%s</th></tr>\n",
	    by_usd ? "Share of spend" : "Share of requests");
	for (i = 0; i < models->n; i++)
		put_model_row(&models->g[i], by_usd, max);
	put("</table>\n");
}

static const char top_sql[] =
    "SELECT id, ts, coalesce(served, model), status, usd,"
    " latency_ms, substr(prompt, 1, 80), job FROM requests"
    " WHERE ts >= ?1 AND ts < ?2 AND usd > 0"
    " ORDER BY usd DESC, id LIMIT ?3";

static const char *
column(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

static void
put_top_row(sqlite3_stmt *st)
{
	int64_t pico = money_pico(sqlite3_column_double(st, 4));
	char when[64];

	iso8601_ms(sqlite3_column_int64(st, 1), when);
	when[10] = ' ', when[16] = '\0';
	put("<tr data-id=\"%" PRId64 "\" data-usd=\"",
	    sqlite3_column_int64(st, 0));
	put_usd(pico);
	put("\"><td class=\"n\">%" PRId64 "</td><td>%s</td><td>",
	    sqlite3_column_int64(st, 0), when);
	put_escaped(column(st, 7));
	put("</td><td>");
	put_escaped(column(st, 2));
	put("</td><td>");
	put_escaped(column(st, 3));
	put("</td><td class=\"n\">");
	put_usd(pico);
	put("</td><td class=\"n\">%s</td><td>", column(st, 5));
	put_escaped(column(st, 6));
	put("</td></tr>\n");
}

static int
put_top(struct store *s, int64_t since, int64_t until, long n)
{
	sqlite3_stmt *st = store_prepare(s, top_sql);
	int rc;

	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, until);
	sqlite3_bind_int64(st, 3, n);
	put("<h2>The costliest requests</h2>\n<table id=\"top\">\n<tr>"
	    "<th class=\"n\">Row</th><th>Time</th><th>Job</th><th>Model</th>"
	    "<th>Status</th><th class=\"n\">USD</th><th class=\"n\">ms</th>"
	    "<th>Prompt</th></tr>\n");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		put_top_row(st);
	put("</table>\n");
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	warnx_("report: %s", store_errmsg(s));
	return -1;
}

static void
put_foot(void)
{
	put("<p><small>Made by <code>or-log report --html</code>; the"
	    " figures are those of <code>or-log stats</code> over the same"
	    " window.</small></p>\n</body>\n</html>\n");
	out_end();
}

int
cmd_report(struct store *s, struct qopts *o, int argc, char **argv)
{
	/* ORKIT_NOW's clock, as budget's, so a test can fix the week. */
	int64_t end = o->until >= 0 ? o->until : budget_now_ms();
	int64_t since = o->since >= 0 ? o->since : end - WEEK_MS;
	/* Open-ended as stats is without --until: the same rows. */
	int64_t until = o->until >= 0 ? o->until : INT64_MAX;
	struct store_groups days = { 0 }, models = { 0 };
	int rc = 0;

	(void)argc, (void)argv;
	if (store_group_by(s, STORE_KEY_DAY, since, until, NULL,
	    &days) == -1 || store_group_by(s, STORE_KEY_MODEL, since, until,
	    NULL, &models) == -1) {
		warnx_("report: %s", store_errmsg(s));
		rc = 2;
	} else {
		put_head(since, end);
		put_totals(&models);
		put_days(&days, since, end);
		put_models(&models);
		if (put_top(s, since, until, o->count > 0 ? o->count :
		    TOP_ROWS) == -1)
			rc = 2;
		put_foot();
	}
	store_groups_free(&days);
	store_groups_free(&models);
	return rc;
}
