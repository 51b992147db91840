/*
 * duration.c: the time and money flags' parsers (lib/util's durations
 * and dates, lib/budget's USD, limits and warn levels) over the bytes
 * as text, and lib/budget's file (budget.json) over them as a file.
 */
#include <jv.h>

#include "budget.h"
#include "fuzz.h"
#include "util.h"

static void
texts(const char *s)
{
	struct budget b = BUDGET_INIT;
	const char *why;
	char err[256];
	int64_t t, pico;
	size_t i;

	if (parse_duration(s, &t) == 0 && t < 0)
		abort();	/* no sign is read */
	(void)parse_when(s, &t);
	(void)iso8601_parse(s);
	if (budget_usd(s, &pico, &why) == 0 && (pico < 0 ||
	    pico > (int64_t)BUDGET_MAX_USD * 1000000000000))
		abort();
	if (budget_add(&b, s, err, sizeof(err)) == 0)
		for (i = 0; i < b.n; i++)
			(void)budget_applies(&b.v[i], "a/b:free", "job-1");
	(void)budget_levels(&b, s, err, sizeof(err));
	if (b.warn > b.critical)
		abort();
	budget_free(&b);
}

static void
file(const uint8_t *data, size_t size)
{
	struct budget b = BUDGET_INIT;
	int fd = fuzz_memfd(data, size);
	int64_t since, until;
	char path[64], key[16];
	size_t i;

	fuzz_fd_path(fd, path);
	if (budget_load(&b, path) == 0)
		for (i = 0; i < b.n; i++) {
			(void)budget_applies(&b.v[i], "a/b", NULL);
			budget_window(b.v[i].period, 1764842400000, &since,
			    &until, key);
		}
	budget_free(&b);
	close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);

	progname = "fuzz-duration";
	texts(s);
	free(s);
	file(data, size);
	return 0;
}
