/*
 * log.h: how much a tool says on stderr about its own work.
 *
 * Four levels, as ORKIT_LOG_LEVEL names them: error (a record that
 * failed), warn (the default: also retries and what a person should
 * know), info (also each request made, its status and timings), debug
 * (also the HTTP headers, the Authorization value never shown). A
 * tool's -v raises the level one step a time over the environment's.
 * Every line goes through warnx_, so the API key is masked in it too.
 */
#ifndef ORKIT_LOG_H
#define ORKIT_LOG_H

enum { LV_ERROR, LV_WARN, LV_INFO, LV_DEBUG };

extern int log_level;		/* LV_WARN until log_init */

/* ORKIT_LOG_LEVEL, then verbose steps up: 0, or -1 (said) when the
   variable names no level. */
int	 log_init(int verbose);
int	 log_on(int level);
void	 logx(int level, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
