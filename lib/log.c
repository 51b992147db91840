/* log.c: how much a tool says on stderr about its own work. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

int log_level = LV_WARN;

static const char *const names[] = { "error", "warn", "info", "debug" };

int
log_init(int verbose)
{
	const char *env = getenv("ORKIT_LOG_LEVEL");
	int i;

	if (env && *env) {
		for (i = 0; i <= LV_DEBUG && strcmp(env, names[i]) != 0; i++)
			;
		if (i > LV_DEBUG) {
			warnx_("ORKIT_LOG_LEVEL: wants debug, info, warn or "
			    "error, not %s", env);
			return -1;
		}
		log_level = i;
	}
	log_level += verbose;
	if (log_level > LV_DEBUG)
		log_level = LV_DEBUG;
	return 0;
}

int
log_on(int level)
{
	return level <= log_level;
}

void
logx(int level, const char *fmt, ...)
{
	char small[1024], *m = small;
	va_list ap;
	int n;

	if (!log_on(level))
		return;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n >= (int)sizeof(small)) {
		m = xmalloc((size_t)n + 1);
		va_start(ap, fmt);
		(void)vsnprintf(m, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	warnx_("%s", m);
	if (m != small)
		free(m);
}
