/*
 * storecheck: runs one of lib/store's named reads over a log and
 * prints its groups, so tests can hold them against sqlite3's own
 * answer over the same file.
 *
 *	storecheck db models|day|month|model|job [since until [prefix]]
 *	storecheck -c db
 *
 * -c holds the figures lib/store takes from its per-day sums against
 * those it counts from the rows, for every read and stats key, over
 * all time, over whole days inside the log and over windows that end
 * inside a day (the sums and that day's rows): they must be equal, the
 * percentiles within the histogram's bound (exact below 64 ms, 1/64
 * above). It prints each difference, and exits 1 if there was one.
 *
 * since and until are epoch ms (default: all time); prefix is the job
 * prefix for "job". One line a group, tab-separated: key, requests,
 * failures, USD and USD per 1k tokens (%.9f), then the number of
 * latencies, their p50 and p95, the number of TTFTs and their p50.
 *
 * Exit 0, or 2 on misuse or a failed read.
 */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "util.h"

static const char *names[] = {
	[STORE_MODELS] = "models", [STORE_SPEND_DAY] = "day",
	[STORE_SPEND_MONTH] = "month", [STORE_SPEND_MODEL] = "model",
	[STORE_SPEND_JOB] = "job"
};

static void
print(const struct store_group *g)
{
	printf("%s\t%ld\t%ld\t%.9f\t%.9f\t%zu\t%.0f\t%.0f\t%zu\t%.0f\n",
	    g->key, g->requests, g->failures, g->usd, g->usd_per_1k,
	    g->nlatency, g->latency_p50, g->latency_p95, g->nttft,
	    g->ttft_p50);
}

static int
run(struct store *s, enum store_read r, int64_t since, int64_t until,
    const char *prefix, int show)
{
	struct store_groups gs;
	size_t i;

	if (store_read(s, r, since, until, prefix, &gs) == -1) {
		warnx_("%s: %s", s->path, store_errmsg(s));
		return 2;
	}
	for (i = 0; show && i < gs.n; i++)
		print(&gs.g[i]);
	store_groups_free(&gs);
	return 0;
}

static int
near(double sums, double rows)
{
	return rows < 64 ? sums == rows : fabs(sums - rows) <= rows / 64;
}

static int
same(const struct store_groups *a, const struct store_groups *b)
{
	size_t i;
	int j;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++) {
		const struct store_group *x = &a->g[i], *y = &b->g[i];

		for (j = 0; j < 4; j++)
			if (x->tokens[j] != y->tokens[j])
				return 0;
		if (strcmp(x->key, y->key) != 0 || x->requests != y->requests ||
		    x->failures != y->failures || x->usd_pico != y->usd_pico ||
		    x->nlatency != y->nlatency || x->nttft != y->nttft ||
		    x->latency_mean != y->latency_mean ||
		    !near(x->latency_p50, y->latency_p50) ||
		    !near(x->latency_p95, y->latency_p95) ||
		    !near(x->ttft_p50, y->ttft_p50))
			return 0;
	}
	return 1;
}

/* One read or key both ways: 0 the same, 1 not, 2 failed. */
static int
both(struct store *s, int r, int k, int64_t since, int64_t until,
    const char *prefix)
{
	struct store_groups a, b;
	int rc, ra, rb;
	size_t i;

	s->exact = 0;
	ra = r >= 0 ? store_read(s, r, since, until, prefix, &a) :
	    store_group_by(s, k, since, until, NULL, &a);
	s->exact = LONG_MAX;
	rb = r >= 0 ? store_read(s, r, since, until, prefix, &b) :
	    store_group_by(s, k, since, until, NULL, &b);
	if (ra == -1 || rb == -1) {
		warnx_("%s: %s", s->path, store_errmsg(s));
		return 2;
	}
	rc = !same(&a, &b);
	if (rc) {
		printf("differ: read %d key %d [%" PRId64 ", %" PRId64 ")"
		    " %s\n", r, k, since, until, prefix ? prefix : "");
		for (i = 0; i < a.n; i++)
			printf("sums "), print(&a.g[i]);
		for (i = 0; i < b.n; i++)
			printf("rows "), print(&b.g[i]);
	}
	store_groups_free(&a);
	store_groups_free(&b);
	return rc;
}

/* A row's own ts, not on a day's start: an end that must be exact. */
static int64_t
row_ts(struct store *s, const char *agg, const char *cond, int64_t at)
{
	char sql[128];
	sqlite3_stmt *st;
	int64_t ts = at;

	snprintf(sql, sizeof(sql), "SELECT %s FROM requests WHERE %s AND"
	    " ts %% 86400000 <> 0", agg, cond);
	st = store_prepare(s, sql);
	sqlite3_bind_int64(st, 1, at);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		ts = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return ts;
}

static int
compare(struct store *s)
{
	static const char *prefixes[] = { "", "job-", "JOB", "j", "b-",
	    "x", "job-1", NULL };
	static const int skeys[] = { STORE_KEY_MODEL, STORE_KEY_PROVIDER,
	    STORE_KEY_DAY, STORE_KEY_MONTH };
	sqlite3_stmt *st = store_prepare(s, "SELECT min(ts) / 86400000,"
	    " max(ts) / 86400000 FROM requests");
	int64_t d0 = 0, d1 = 0, w[7][2];
	int rc = 0, r, i, k, p;

	if (sqlite3_step(st) == SQLITE_ROW) {
		d0 = sqlite3_column_int64(st, 0);
		d1 = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	w[0][0] = INT64_MIN, w[0][1] = INT64_MAX;
	w[1][0] = (d0 + 1) * 86400000, w[1][1] = d1 * 86400000;
	w[2][0] = (d0 + (d1 - d0) / 2) * 86400000, w[2][1] = INT64_MAX;
	/* Ends inside a day: its rows with the whole days' sums. */
	w[3][0] = (d0 + 1) * 86400000 + 12345678;
	w[3][1] = row_ts(s, "max(ts)", "ts < ?1", d1 * 86400000);
	w[4][0] = row_ts(s, "min(ts)", "ts > ?1", w[2][0]);
	w[4][1] = INT64_MAX;
	w[5][0] = INT64_MIN, w[5][1] = w[2][0] + 43200000;
	/* Within one day: its rows alone. */
	w[6][0] = w[2][0] + 1000, w[6][1] = w[2][0] + 50000000;
	for (i = 0; i < 7; i++) {
		for (r = 0; r < STORE_NREADS; r++)
			for (p = 0; prefixes[p] && (p == 0 ||
			    r == STORE_SPEND_JOB); p++)
				rc |= both(s, r, 0, w[i][0], w[i][1],
				    r == STORE_SPEND_JOB ? prefixes[p] : NULL);
		for (k = 0; k < 4; k++)
			rc |= both(s, -1, skeys[k], w[i][0], w[i][1], NULL);
	}
	return rc;
}

int
main(int argc, char **argv)
{
	struct store s;
	int64_t since = INT64_MIN, until = INT64_MAX;
	const char *prefix = argc == 6 ? argv[5] : NULL;
	int r, rc;

	progname = "storecheck";
	if (argc == 3 && strcmp(argv[1], "-c") == 0) {
		if (store_open(&s, argv[2], STORE_READ) != 0)
			return 2;
		rc = compare(&s);
		store_close(&s);
		return rc;
	}
	if (argc != 3 && argc != 5 && argc != 6)
		die(2, "usage: storecheck db read [since until [prefix]]");
	for (r = 0; r < STORE_NREADS && strcmp(names[r], argv[2]) != 0; r++)
		;
	if (r == STORE_NREADS)
		die(2, "no read \"%s\"", argv[2]);
	if (argc >= 5) {
		since = strtoll(argv[3], NULL, 10);
		until = strtoll(argv[4], NULL, 10);
	}
	if (store_open(&s, argv[1], STORE_READ) != 0) {
		store_close(&s);
		return 2;
	}
	/* Twice: the second run finds the statement prepared, and reused. */
	if ((rc = run(&s, r, since, until, prefix, 0)) == 0)
		rc = run(&s, r, since, until, prefix, 1);
	store_close(&s);
	return rc;
}
