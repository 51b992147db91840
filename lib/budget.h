/*
 * budget.h: spending limits in USD, in the one format that or-send
 * --budget, or-log budget and $XDG_CONFIG_HOME/orkit/budget.json share,
 * and what the ledger (or-log's database, read through lib/store) says
 * was spent against each.
 *
 * A limit is a scope (everything, one model, the jobs whose id starts
 * with a prefix) over a period (this process's run, the UTC day, the
 * UTC month) and an amount, held in picodollars (lib/money) so that
 * spent and limit compare exactly:
 *
 *	run=2  day=5  month=100
 *	model:anthropic/claude-opus-4=10/day
 *	job:nightly-=3/day
 *
 * The same in budget.json:
 *
 *	{ "run": 2, "day": 5, "month": 100,
 *	  "model": { "anthropic/claude-opus-4": { "day": 10 } },
 *	  "job": { "nightly-": { "day": 3 } },
 *	  "warn": [80, 95], "unbounded": "refuse" }
 *
 * A limit given again (the same scope, match and period) replaces the
 * earlier: the command line's, added after the file, win.
 */
#ifndef ORKIT_BUDGET_H
#define ORKIT_BUDGET_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

enum budget_scope { BUDGET_ALL, BUDGET_MODEL, BUDGET_JOB };
enum budget_period { BUDGET_RUN, BUDGET_DAY, BUDGET_MONTH };

struct budget_limit {
	enum budget_scope	 scope;
	enum budget_period	 period;
	char			*match;		/* the model id or job prefix;
						   NULL for BUDGET_ALL; owned */
	char			*name;		/* as written: "day",
						   "model:x/day"; owned */
	int64_t			 pico;		/* the limit */
};

struct budget {
	struct budget_limit	*v;
	size_t			 n;
	int			 warn, critical;	/* percent; 80, 95 */
	int			 unbounded;	/* 1: "unbounded": "allow" */
};

#define BUDGET_INIT	{ NULL, 0, 80, 95, 0 }

/* The most a limit may be: picodollars stay inside int64_t. */
#define BUDGET_MAX_USD	9000000

/*
 * USD as a plain decimal ("5", "0.25"; no sign, exponent or "$"), read
 * digit by digit into exact picodollars. 0, or -1 with *why (static
 * text) saying what is wrong with it.
 */
int	 budget_usd(const char *, int64_t *pico, const char **why);
const char *budget_period_name(enum budget_period);	/* "day" */
/*
 * Picodollars as every budget message and or-log budget's records write
 * them: lib/money's plain decimal with no trailing zeros, as the JSON
 * figures beside them read: 5, 0.25, 0.0000399.
 */
void	 budget_fmt(int64_t pico, char out[40]);

/*
 * "day=5,month=100" or "model:x=10/day": adds (or replaces) each limit.
 * 0, or -1 with why in err (one line, naming the part that is wrong).
 */
int	 budget_add(struct budget *, const char *arg, char *err, size_t);
/* One limit by its parts, as or-log budget --day gives it. */
int	 budget_set(struct budget *, enum budget_scope, const char *match,
	    enum budget_period, int64_t pico);
/* "80,95": the warn and critical percents. 0, or -1 with why in err. */
int	 budget_levels(struct budget *, const char *arg, char *err, size_t);
/*
 * The file, or when path is NULL $XDG_CONFIG_HOME/orkit/budget.json if
 * it exists. 0; -1 with a message said naming the file and the key.
 */
int	 budget_load(struct budget *, const char *path);
void	 budget_free(struct budget *);

/*
 * The clock budgets are counted by: epoch ms, or ORKIT_NOW (an ISO 8601
 * UTC time or epoch ms) for tests only.
 */
int64_t	 budget_now_ms(void);
/*
 * The period that now falls in, as [*since, *until) in epoch ms; run is
 * all time. *key is "2026-12-04", "2026-12" or "run".
 */
void	 budget_window(enum budget_period, int64_t now, int64_t *since,
	    int64_t *until, char key[16]);
/*
 * The limit counts a request for this model (the id asked for, or
 * served: the limit's id, that id with a ":variant", or a dated
 * "id-2024-08-06") with this job id (NULL when none).
 */
int	 budget_applies(const struct budget_limit *, const char *model,
	    const char *job);
/*
 * What the ledger holds against the limit over the period now is in:
 * 0 for run limits. 0, or -1 with store_errmsg saying why.
 */
int	 budget_ledger(struct store *, const struct budget_limit *,
	    int64_t now, int64_t *pico);

/*
 * A ledger another process holds locked (an exclusive lock: or-log's
 * own writes leave readers be) is waited for up to ORKIT_LOG_WAIT_MS,
 * said once: at once when the opening finds it locked, or when a read
 * has waited a second. The struct is the caller's, and must outlive
 * the store: the store's busy handler points at it.
 */
struct budget_wait {
	struct store	*st;
	const char	*pre;		/* before the path: "budget: " */
	const char	*post;		/* after the message */
	int		 said;
};
/* store_open's STORE_MAYBE, the lock said: 0, 1 none there, <0 said. */
int	 budget_open_ledger(struct store *, const char *path,
	    struct budget_wait *);

#endif
