/*
 * budgetcheck: lib/budget's parsing, periods and matching, printed, so
 * tests/budget.bats can hold each against exact text.
 *
 *	budgetcheck add spec ...	each limit: name, match, period, pico
 *	budgetcheck load [file]		the same, then warn, critical and
 *					unbounded (no file: budget.json)
 *	budgetcheck levels arg		warn and critical
 *	budgetcheck usd text		picodollars
 *	budgetcheck window run|day|month time	key, since and until
 *	budgetcheck applies spec model [job]	1 or 0
 *	budgetcheck now			budget_now_ms()
 *
 * A time is ISO 8601 or epoch ms. What budget_add, budget_levels or
 * budget_usd say is wrong goes to stdout, exit 1; misuse is exit 2.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "util.h"

static void
print_limits(const struct budget *b)
{
	const struct budget_limit *l;
	size_t i;

	for (i = 0; i < b->n; i++) {
		l = &b->v[i];
		printf("%s\t%s\t%s\t%" PRId64 "\n", l->name, l->match ?
		    l->match : "-", budget_period_name(l->period), l->pico);
	}
}

static int
add(int argc, char **argv)
{
	struct budget b = BUDGET_INIT;
	char err[256];
	int i, rc = 0;

	for (i = 0; i < argc && rc == 0; i++)
		if ((rc = budget_add(&b, argv[i], err, sizeof(err))) == -1)
			printf("%s\n", err);
	if (rc == 0)
		print_limits(&b);
	budget_free(&b);
	return rc ? 1 : 0;
}

static int
load(int argc, char **argv)
{
	struct budget b = BUDGET_INIT;
	int rc;

	if ((rc = budget_load(&b, argc ? argv[0] : NULL)) == 0) {
		print_limits(&b);
		printf("warn %d critical %d unbounded %s\n", b.warn,
		    b.critical, b.unbounded ? "allow" : "refuse");
	}
	budget_free(&b);
	return rc ? 1 : 0;
}

static int
levels(const char *arg)
{
	struct budget b = BUDGET_INIT;
	char err[256];

	if (budget_levels(&b, arg, err, sizeof(err)) == -1) {
		printf("%s\n", err);
		return 1;
	}
	printf("%d %d\n", b.warn, b.critical);
	return 0;
}

static int
usd(const char *arg)
{
	const char *why;
	int64_t pico;

	if (budget_usd(arg, &pico, &why) == -1) {
		printf("%s\n", why);
		return 1;
	}
	printf("%" PRId64 "\n", pico);
	return 0;
}

static int64_t
when(const char *s)
{
	if (strspn(s, "-0123456789") == strlen(s))
		return strtoll(s, NULL, 10);
	return iso8601_parse(s);
}

static int
window(const char *period, const char *t)
{
	static const char *names[] = { "run", "day", "month" };
	char key[16], a[64], b[64];
	int64_t since, until;
	int p;

	for (p = 0; p < 3 && strcmp(names[p], period) != 0; p++)
		;
	if (p == 3)
		return 2;
	budget_window((enum budget_period)p, when(t), &since, &until, key);
	if (p == BUDGET_RUN)
		printf("%s\t%" PRId64 "\t%" PRId64 "\n", key, since, until);
	else {
		iso8601_ms(since, a);
		iso8601_ms(until, b);
		printf("%s\t%s\t%s\n", key, a, b);
	}
	return 0;
}

static int
applies(int argc, char **argv)
{
	struct budget b = BUDGET_INIT;
	char err[256];
	int rc = 2;

	if (argc >= 2 && budget_add(&b, argv[0], err, sizeof(err)) == 0 &&
	    b.n == 1) {
		printf("%d\n", budget_applies(&b.v[0], argv[1], argc > 2 ?
		    argv[2] : NULL));
		rc = 0;
	}
	budget_free(&b);
	return rc;
}

int
main(int argc, char **argv)
{
	progname = "budgetcheck";
	if (argc < 2)
		return 2;
	if (strcmp(argv[1], "add") == 0)
		return add(argc - 2, argv + 2);
	if (strcmp(argv[1], "load") == 0)
		return load(argc - 2, argv + 2);
	if (strcmp(argv[1], "levels") == 0 && argc == 3)
		return levels(argv[2]);
	if (strcmp(argv[1], "usd") == 0 && argc == 3)
		return usd(argv[2]);
	if (strcmp(argv[1], "window") == 0 && argc == 4)
		return window(argv[2], argv[3]);
	if (strcmp(argv[1], "applies") == 0)
		return applies(argc - 2, argv + 2);
	if (strcmp(argv[1], "now") == 0) {
		printf("%" PRId64 "\n", budget_now_ms());
		return 0;
	}
	return 2;
}
