/*
 * storecheck: runs one of lib/store's named reads over a log and
 * prints its groups, so tests can hold them against sqlite3's own
 * answer over the same file.
 *
 *	storecheck db models|day|month|model|job [since until [prefix]]
 *
 * since and until are epoch ms (default: all time); prefix is the job
 * prefix for "job". One line a group, tab-separated: key, requests,
 * failures, USD and USD per 1k tokens (%.9f), then the number of
 * latencies, their p50 and p95, the number of TTFTs and their p50.
 *
 * Exit 0, or 2 on misuse or a failed read.
 */
#include <inttypes.h>
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

int
main(int argc, char **argv)
{
	struct store s;
	int64_t since = INT64_MIN, until = INT64_MAX;
	const char *prefix = argc == 6 ? argv[5] : NULL;
	int r, rc;

	progname = "storecheck";
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
