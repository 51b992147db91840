/*
 * budget.c: the limits of budget.h, read from --budget text and from
 * budget.json, and what the ledger holds against each.
 *
 * Amounts are read digit by digit into picodollars, never through a
 * double: "0.1" is 100000000000 exactly, and a limit compares with a
 * ledger sum (also picodollars) without rounding on either side.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jv.h>
#include <sqlite3.h>

#include "budget.h"
#include "catalog.h"
#include "config.h"
#include "money.h"
#include "util.h"

#define DAY_MS		86400000LL

static const char *periods[] = { "run", "day", "month" };

static const char usd_syntax[] = "wants USD, a plain decimal like 5 or 0.25";
static const char usd_places[] = "USD to at most 12 decimal places";
static const char usd_most[] = "at most 9000000 USD";

/* --- amounts and names ---------------------------------------------- */

int
budget_usd(const char *s, int64_t *pico, const char **why)
{
	int64_t whole = 0, frac = 0, scale = 1000000000000LL;
	const char *p = s;

	*why = usd_syntax;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > BUDGET_MAX_USD) {
			*why = usd_most;
			return -1;
		}
	}
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -1;
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if ((scale /= 10) == 0) {
				*why = usd_places;
				return -1;
			}
			frac += (*p - '0') * scale;
		}
	}
	if (*p != '\0')
		return -1;
	if (whole == BUDGET_MAX_USD && frac > 0) {
		*why = usd_most;
		return -1;
	}
	*pico = whole * 1000000000000LL + frac;
	return 0;
}

void
budget_fmt(int64_t pico, char out[40])
{
	size_t n;

	money_fmt(pico, out);
	n = strlen(out);
	while (out[n - 1] == '0')
		out[--n] = '\0';
	if (out[n - 1] == '.')
		out[n - 1] = '\0';
}

static int
period_named(const char *s, enum budget_period *p)
{
	int i;

	for (i = 0; i < 3; i++)
		if (strcmp(s, periods[i]) == 0) {
			*p = (enum budget_period)i;
			return 0;
		}
	return -1;
}

const char *
budget_period_name(enum budget_period p)
{
	return periods[p];
}

/* "day", "model:x/day", "job:nightly-/month". */
static char *
limit_name(enum budget_scope scope, const char *match,
    enum budget_period period)
{
	size_t n;
	char *s;

	if (scope == BUDGET_ALL)
		return xstrdup(periods[period]);
	n = strlen(match) + 16;
	s = xmalloc(n);
	snprintf(s, n, "%s:%s/%s", scope == BUDGET_MODEL ? "model" : "job",
	    match, periods[period]);
	return s;
}

int
budget_set(struct budget *b, enum budget_scope scope, const char *match,
    enum budget_period period, int64_t pico)
{
	struct budget_limit *l;
	size_t i;

	if (pico < 0)
		return -1;
	for (i = 0; i < b->n; i++) {
		l = &b->v[i];
		if (l->scope == scope && l->period == period &&
		    (scope == BUDGET_ALL || strcmp(l->match, match) == 0)) {
			l->pico = pico;
			return 0;
		}
	}
	b->v = xrealloc(b->v, (b->n + 1) * sizeof(*b->v));
	l = &b->v[b->n++];
	l->scope = scope;
	l->period = period;
	l->match = scope == BUDGET_ALL ? NULL : xstrdup(match);
	l->name = limit_name(scope, match, period);
	l->pico = pico;
	return 0;
}

void
budget_free(struct budget *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->v[i].match);
		free(b->v[i].name);
	}
	free(b->v);
	b->v = NULL;
	b->n = 0;
}

/* --- --budget text --------------------------------------------------- */

static int
part_error(const char *part, char *err, size_t errsz, const char *why)
{
	snprintf(err, errsz, "--budget \"%s\": %s", part, why);
	return -1;
}

/* "run", "day", "month", "model:ID" or "job:PREFIX", up to scope_end. */
static int
part_scope(char *scope, enum budget_scope *sc, const char **match,
    enum budget_period *period, const char **why)
{
	if (strncmp(scope, "model:", 6) == 0 || strncmp(scope, "job:", 4) ==
	    0) {
		*sc = scope[0] == 'm' ? BUDGET_MODEL : BUDGET_JOB;
		*match = strchr(scope, ':') + 1;
		if (**match == '\0') {
			*why = *sc == BUDGET_MODEL ? "wants a model id after "
			    "model:" : "wants a job-id prefix after job:";
			return -1;
		}
		return 0;
	}
	*sc = BUDGET_ALL;
	*match = NULL;
	if (period_named(scope, period) == 0)
		return 0;
	*why = "not a scope: run, day, month, model:ID or job:PREFIX";
	return -1;
}

/* SCOPE=USD[/PERIOD], split at the last '=': an id may hold one. */
static int
add_part(struct budget *b, char *part, char *err, size_t errsz)
{
	char *eq = strrchr(part, '='), *slash, *copy, why2[160];
	enum budget_period period = BUDGET_RUN, per = BUDGET_RUN;
	enum budget_scope sc;
	const char *match, *why;
	int64_t pico;
	int rc = -1;

	if (eq == NULL)
		return part_error(part, err, errsz, "wants SCOPE=USD, like "
		    "day=5 or model:ID=10/day");
	copy = xstrdup(part);
	eq = copy + (eq - part);
	*eq++ = '\0';
	if ((slash = strchr(eq, '/')) != NULL)
		*slash++ = '\0';
	if (part_scope(copy, &sc, &match, &period, &why) == -1 ||
	    budget_usd(eq, &pico, &why) == -1)
		goto bad;
	why = "wants a period after the /: run, day or month";
	if (slash != NULL && period_named(slash, &per) == -1)
		goto bad;
	if (sc == BUDGET_ALL && slash != NULL && per != period) {
		snprintf(why2, sizeof(why2), "%s is a period of its own: "
		    "write %s=%s", copy, copy, eq);
		why = why2;
		goto bad;
	}
	if (sc != BUDGET_ALL && slash == NULL) {
		snprintf(why2, sizeof(why2), "a %s limit needs a period: "
		    "%.60s=%.20s/day, /month or /run", sc == BUDGET_MODEL ?
		    "model" : "job", copy, eq);
		why = why2;
		goto bad;
	}
	budget_set(b, sc, match, sc == BUDGET_ALL ? period : per, pico);
	rc = 0;
bad:
	if (rc == -1)
		part_error(part, err, errsz, why);
	free(copy);
	return rc;
}

int
budget_add(struct budget *b, const char *arg, char *err, size_t errsz)
{
	char *s = xstrdup(arg), *p = s, *part;
	int rc = 0;

	while (rc == 0 && (part = strsep(&p, ",")) != NULL) {
		if (*part == '\0') {
			snprintf(err, errsz, "--budget \"%s\": an empty part; "
			    "parts are separated by one comma", arg);
			rc = -1;
		} else
			rc = add_part(b, part, err, errsz);
	}
	free(s);
	return rc;
}

/* --- levels ------------------------------------------------------------ */

static int
percent(const char *s, char **end)
{
	long n;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtol(s, end, 10);
	return errno || n < 1 || n > 100 ? -1 : (int)n;
}

/*
 * W,C; or W alone, with no critical level: critical is then 100, where
 * "over" is reached first.
 */
static int
levels(const char *s, int *warn, int *critical)
{
	char *end;
	int w, c = 100;

	if ((w = percent(s, &end)) == -1)
		return -1;
	if (*end == ',') {
		if ((c = percent(end + 1, &end)) == -1 || w >= c)
			return -1;
	}
	if (*end != '\0')
		return -1;
	*warn = w;
	*critical = c;
	return 0;
}

int
budget_levels(struct budget *b, const char *arg, char *err, size_t errsz)
{
	if (levels(arg, &b->warn, &b->critical) == 0)
		return 0;
	snprintf(err, errsz, "--warn \"%s\": wants W or W,C, whole percents "
	    "from 1 to 100, W below C, like 80,95", arg);
	return -1;
}

/* --- budget.json ------------------------------------------------------ */

static int
file_error(const char *file, const char *key, const char *what)
{
	warnx_("%s: %s: %s", file, key, what);
	return -1;
}

static int
file_usd(const char *file, const char *key, jv v, int64_t *pico)
{
	double d;

	if (jv_get_kind(v) != JV_KIND_NUMBER || (d = jv_number_value(v)) <
	    0 || d != d)
		return file_error(file, key, "wants USD (a number >= 0)");
	if (d > BUDGET_MAX_USD)
		return file_error(file, key, usd_most);
	/* the flags' rule: a picodollar is the finest amount */
	*pico = money_pico(d);
	if (fabs(money_usd(*pico) - d) > d * 1e-15)
		return file_error(file, key, usd_places);
	return 0;
}

/* "model": { "ID": { "day": 10 } }, or the same under "job". */
static int
file_scoped(struct budget *b, const char *file, const char *top, jv obj)
{
	enum budget_scope sc = top[0] == 'm' ? BUDGET_MODEL : BUDGET_JOB;
	enum budget_period per;
	char key[512];
	int64_t pico;
	int rc = 0;

	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return file_error(file, top, sc == BUDGET_MODEL ? "wants an "
		    "object of model ids, like {\"openai/gpt-4o\": {\"day\": "
		    "10}}" : "wants an object of job-id prefixes, like "
		    "{\"nightly-\": {\"day\": 3}}");
	jv_object_foreach(obj, id, lims) {
		snprintf(key, sizeof(key), "%s.%s", top, jv_string_value(id));
		if (rc == 0 && *jv_string_value(id) == '\0')
			rc = file_error(file, key, sc == BUDGET_MODEL ?
			    "wants a model id, not \"\"" :
			    "wants a job-id prefix, not \"\"");
		else if (rc == 0 && jv_get_kind(lims) != JV_KIND_OBJECT)
			rc = file_error(file, key, "wants an object of "
			    "periods, like {\"day\": 10}");
		if (rc == 0)
			jv_object_foreach(lims, p, amount) {
				snprintf(key, sizeof(key), "%s.%s.%s", top,
				    jv_string_value(id), jv_string_value(p));
				if (rc == 0 && period_named(jv_string_value(p),
				    &per) == -1)
					rc = file_error(file, key, "not a "
					    "period (run, day, month)");
				if (rc == 0 && (rc = file_usd(file, key,
				    amount, &pico)) == 0)
					budget_set(b, sc, jv_string_value(id),
					    per, pico);
				jv_free(p);
				jv_free(amount);
			}
		jv_free(id);
		jv_free(lims);
	}
	return rc;
}

/* [80, 95], [80] or 80. */
static int
file_warn(struct budget *b, const char *file, jv v)
{
	char text[64];
	double w, c = 100;
	int n = jv_get_kind(v) == JV_KIND_ARRAY ? jv_array_length(jv_copy(v))
	    : 0;
	jv x;

	if (jv_get_kind(v) == JV_KIND_NUMBER)
		w = jv_number_value(v), n = 1;
	else if (n == 1 || n == 2) {
		x = jv_array_get(jv_copy(v), 0);
		w = jv_get_kind(x) == JV_KIND_NUMBER ? jv_number_value(x) : -1;
		jv_free(x);
		if (n == 2) {
			x = jv_array_get(jv_copy(v), 1);
			c = jv_get_kind(x) == JV_KIND_NUMBER ?
			    jv_number_value(x) : -1;
			jv_free(x);
		}
	} else
		w = -1;
	if (w >= 1 && w <= 100 && c >= 1 && c <= 100 && w == (int)w &&
	    c == (int)c) {
		snprintf(text, sizeof(text), n == 2 ? "%d,%d" : "%d", (int)w,
		    (int)c);
		if (levels(text, &b->warn, &b->critical) == 0)
			return 0;
	}
	return file_error(file, "warn", "wants [warn, critical], whole "
	    "percents from 1 to 100, warn below critical, like [80, 95]");
}

static int
file_key(struct budget *b, const char *file, const char *k, jv v)
{
	enum budget_period per;
	const char *s;
	int64_t pico;

	if (period_named(k, &per) == 0) {
		if (file_usd(file, k, v, &pico) == -1)
			return -1;
		return budget_set(b, BUDGET_ALL, NULL, per, pico);
	}
	if (strcmp(k, "model") == 0 || strcmp(k, "job") == 0)
		return file_scoped(b, file, k, v);
	if (strcmp(k, "warn") == 0)
		return file_warn(b, file, v);
	if (strcmp(k, "unbounded") == 0) {
		s = jv_get_kind(v) == JV_KIND_STRING ? jv_string_value(v) : "";
		if (strcmp(s, "refuse") == 0 || strcmp(s, "allow") == 0) {
			b->unbounded = s[0] == 'a';
			return 0;
		}
		return file_error(file, k, "wants \"refuse\" or \"allow\"");
	}
	return file_error(file, k, "not a budget key (run, day, month, model, "
	    "job, warn, unbounded)");
}

/* The file's keys, each checked; the first mistake is said. */
static int
file_limits(struct budget *b, const char *file, jv v)
{
	int rc = 0;

	jv_object_foreach(v, k, x) {
		if (rc == 0)
			rc = file_key(b, file, jv_string_value(k), x);
		jv_free(k);
		jv_free(x);
	}
	jv_free(v);
	return rc;
}

static int
load_file(struct budget *b, const char *path, int must)
{
	jv v;
	int rc = cfg_read_object(path, must, 1 << 24, "{\"day\": 5}", &v);

	if (rc == 0)
		return file_limits(b, path, v);
	return rc == 1 ? 0 : -1;
}

int
budget_load(struct budget *b, const char *path)
{
	char *p;
	int rc;

	if (path != NULL)
		return load_file(b, path, 1);
	p = cfg_path("XDG_CONFIG_HOME", ".config", "budget.json");
	rc = load_file(b, p, 0);
	free(p);
	return rc;
}

/* --- the clock and the periods ---------------------------------------- */

int64_t
budget_now_ms(void)
{
	const char *s = getenv("ORKIT_NOW");
	int64_t t;

	if (s == NULL || *s == '\0')
		return now_ms();
	if (strspn(s, "0123456789") == strlen(s) && strlen(s) <= 15)
		return strtoll(s, NULL, 10);
	if ((t = iso8601_parse(s)) < 0)
		die(2, "ORKIT_NOW \"%s\": wants a UTC time like "
		    "2026-12-04T10:00:00Z, or epoch ms", s);
	return t;
}

/* Howard Hinnant's civil calendar arithmetic, days from 1970-01-01. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

void
budget_window(enum budget_period p, int64_t now, int64_t *since,
    int64_t *until, char key[16])
{
	int64_t day = (now >= 0 ? now : now - DAY_MS + 1) / DAY_MS, y;
	int m, d;

	civil_from_days(day, &y, &m, &d);
	y = y < 0 ? 0 : y > 9999 ? 9999 : y;	/* the key's four digits */
	switch (p) {
	case BUDGET_RUN:
		*since = INT64_MIN;
		*until = INT64_MAX;
		snprintf(key, 16, "run");
		break;
	case BUDGET_DAY:
		*since = day * DAY_MS;
		*until = *since + DAY_MS;
		snprintf(key, 16, "%04d-%02d-%02d", (int)y, m, d);
		break;
	case BUDGET_MONTH:
		*since = days_from_civil(y, m, 1) * DAY_MS;
		*until = days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 :
		    m + 1, 1) * DAY_MS;
		snprintf(key, 16, "%04d-%02d", (int)y, m);
		break;
	}
}

/* --- what counts against a limit -------------------------------------- */

int
budget_applies(const struct budget_limit *l, const char *model,
    const char *job)
{
	switch (l->scope) {
	case BUDGET_MODEL:
		return cat_same_model(l->match, model);
	case BUDGET_JOB:
		return job != NULL && strncmp(job, l->match,
		    strlen(l->match)) == 0;
	default:
		return 1;
	}
}

int
budget_ledger(struct store *s, const struct budget_limit *l, int64_t now,
    int64_t *pico)
{
	struct store_groups gs;
	enum store_read r;
	int64_t since, until;
	char key[16];
	size_t i;

	*pico = 0;
	if (l->period == BUDGET_RUN)
		return 0;
	budget_window(l->period, now, &since, &until, key);
	if (l->scope == BUDGET_MODEL)
		r = STORE_SPEND_MODEL;
	else if (l->scope == BUDGET_JOB)
		r = STORE_SPEND_JOB;
	else
		r = l->period == BUDGET_DAY ? STORE_SPEND_DAY :
		    STORE_SPEND_MONTH;
	if (store_read(s, r, since, until, l->match, &gs) == -1)
		return -1;
	for (i = 0; i < gs.n; i++)
		if (l->scope != BUDGET_MODEL ||
		    cat_same_model(l->match, gs.g[i].key))
			*pico += gs.g[i].usd_pico;
	store_groups_free(&gs);
	return 0;
}

/* A locked ledger: how often it is tried, and when the wait is said. */
#define BUSY_STEP_MS	20
#define LOCK_SAY_MS	1000

static void
say_locked(struct budget_wait *w, const char *path)
{
	if (w->said++)
		return;
	warnx_("%s%s: the ledger is locked by another process; waiting for "
	    "it, up to %gs (ORKIT_LOG_WAIT_MS)%s", w->pre, path,
	    (double)store_wait_ms() / 1000, w->post);
}

static int
ledger_busy(void *arg, int n)
{
	struct budget_wait *w = arg;
	int64_t waited = (int64_t)n * BUSY_STEP_MS;

	if (waited >= store_wait_ms())
		return 0;
	if (waited >= LOCK_SAY_MS)
		say_locked(w, w->st->path);
	sqlite3_sleep(BUSY_STEP_MS);
	return 1;
}

/* A glance first, so that a lock is said before it is waited out. */
int
budget_open_ledger(struct store *st, const char *path,
    struct budget_wait *w)
{
	int rc = store_open(st, path, STORE_GLANCE);

	w->st = st;
	if (rc == -1 && st->db != NULL &&
	    (sqlite3_extended_errcode(st->db) & 0xff) == SQLITE_BUSY) {
		store_close(st);
		say_locked(w, path);
		rc = store_open(st, path, STORE_MAYBE);
	} else if (rc < 0)
		warnx_("%s", store_errmsg(st));	/* a glance is quiet */
	if (rc == 0)
		sqlite3_busy_handler(st->db, ledger_busy, w);
	return rc;
}
