/* route.h: what or-route's files share. */
#ifndef OR_ROUTE_H
#define OR_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include <jv.h>

#include "catalog.h"
#include "estimate.h"
#include "filter.h"
#include "store.h"

enum prio { P_COST, P_SPEED, P_QUALITY, P_BALANCED, NPRIO };
extern const char *const prio_names[NPRIO];
int	 prio_of(const char *);		/* enum prio, or -1 */

/* rules.c: the installed table, the user's, then --rules FILE. */
jv	 rules_load(const char *file);	/* owned; exits 2 on a bad file */

/* A model's measured figures over --history, and its health now. */
struct health {
	const char	*id;		/* borrowed from the store's group */
	long		 requests, failures;
	double		 p50_ms;	/* 0 when not measured */
	long		 recent, recent_failures;	/* in the cool-down */
};

struct route_opts {
	const char	*task, *priority;	/* flags; NULL: not given */
	struct cat_filter f;
	int		 fallbacks;
	int		 force, automatic, no_context;
	double		 max_failure_rate;	/* 0.2 */
	double		 spread;		/* tolerance; 0: off */
	uint64_t	 seed;
	long		 min_requests;		/* 10 */
	/* provider preferences */
	const char	*sort;
	char		**only, **ignore;
	int		 deny_data, zdr;
};

/* pick.c: one record's model, and why. */
struct router {
	const struct route_opts	*o;
	const struct catalog	*cat;
	jv			 rules;		/* borrowed */
	struct health		*h;		/* sorted by id */
	size_t			 nh;
	long			 seq;		/* records routed */
	char			**warned;	/* ids said missing */
	size_t			 nwarned;
	/* the catalog, looked up by id, and its rates, read once */
	size_t			*slot;		/* open hash: index + 1 */
	size_t			 nslot;
	struct est_rates	*rates;
	char			*rated;		/* rates[i] is read */
};

/* The keys to add to a record (consumed): model, models, provider and
   routed, or an "error" (no_route, bad_input) alone. */
jv	 route_keys(struct router *, jv rec);
void	 router_sort_health(struct router *);	/* after h is filled */
void	 router_free(struct router *);

/* task.c: the first of the rules' "auto" list (borrowed) that the body
   (borrowed) fires, or -1. */
int	 task_auto(jv autos, jv body, double prompt_tokens);

/* suggest.c: `or-route suggest [-t] [-d db] [--since age] [--until when]`. */
int	 suggest_main(int argc, char **argv);	/* exit status */

#endif
