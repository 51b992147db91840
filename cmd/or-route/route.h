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
#include "util.h"

enum prio { P_COST, P_SPEED, P_QUALITY, P_BALANCED, NPRIO };
extern const char *const prio_names[NPRIO];
int	 prio_of(const char *);		/* enum prio, or -1 */

/* rules.c: the installed table, the user's, then --rules FILE. */
jv	 rules_load(const char *file);	/* owned; exits 2 on a bad file */
/* One file's text, checked: its value (owned), or invalid with why
   (replaced) saying "file: key: what is wrong". */
jv	 rules_check(const char *file, const char *text, size_t len,
	    struct buf *why);

/* A model's measured figures over --history, and its health now. */
struct health {
	char		*id;		/* owned */
	long		 requests, failures;
	double		 p50_ms;	/* 0 when not measured */
	long		 nlatency;	/* the requests p50_ms is of */
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
	char		**order, **only, **ignore;
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
	struct route_cache	*cache;		/* cache.c's */
	struct buf		 text;		/* line.c's: the ask's text */
	unsigned long		 refused, said;	/* records given an error */
};

/* The keys to add to a record (consumed): model, models, provider and
   routed, or an "error" (no_route, bad_input) alone. */
jv	 route_keys(struct router *, jv rec);
void	 router_sort_health(struct router *);	/* after h is filled */
void	 router_free(struct router *);

/*
 * What a record's own body needs of a model, as or-models --need names
 * it: function tools, response_format json_object (json) or json_schema
 * (structured), an image part.
 */
enum {
	NEED_TOOLS = 1, NEED_JSON = 2, NEED_STRUCTURED = 4, NEED_IMAGE = 8
};
#define NNEEDS	4
extern const char *const need_words[NNEEDS];	/* by NEED_* bit */
int	 needs_of_tools(jv tools);	/* consumed; NEED_TOOLS or 0 */
int	 needs_of_format(jv response_format);	/* consumed */

/* What a record asks, worked out once: all that its route depends on. */
struct ask {
	jv		 body;		/* the request, model-less; invalid
					   when read from the line */
	const char	*text;		/* else its messages' text, for
					   --task auto; borrowed */
	struct est_ask	 est;
	double		 ptok;		/* estimated prompt tokens */
	double		 need;		/* ptok + max_tokens */
	int		 needs;		/* NEED_* of the body */
	int		 prio;
	char		*task, *rule;
};

/*
 * An ask made without libjv: the record's task (owned, or NULL when it
 * has none), with a->est, a->prio and a->text set; the task and rule
 * are then the table's. route_ask appends the keys route_keys would
 * give, as text, and returns 1 when they are an "error".
 */
void	 ask_task(struct router *, struct ask *, char *task);
int	 route_ask(struct router *, struct ask *, struct buf *);
void	 ask_free(struct ask *);

/* line.c: a record routed from its line's bytes, when it can be. */
enum line_way {
	LINE_SLOW,		/* libjv's reading is needed: rec_of_line */
	LINE_PASS,		/* goes by as it came */
	LINE_ROUTE		/* the ask is made */
};
enum line_way line_ask(struct router *, const char *, size_t,
	    struct ask *, int *failed);

/* cache.c: the keys for an ask, decided once per kind of ask. */
const struct buf *routed_text(struct router *, struct ask *, int *failed);
void	 cache_free(struct router *);

/* task.c: the first of the rules' "auto" list (borrowed) that the body
   (borrowed), or the text of its messages, fires, or -1. */
int	 task_auto(jv autos, jv body, double prompt_tokens);
int	 task_auto_text(jv autos, const char *text, long images,
	    double prompt_tokens);

/* suggest.c: `or-route suggest [-t] [-d db] [--since age] [--until when]`. */
int	 suggest_main(int argc, char **argv);	/* exit status */

#endif
