/* cost.h: what each request cost, and where the figure came from. */
#ifndef OR_COST_H
#define OR_COST_H

#include <stdint.h>

#include <jv.h>

#include "catalog.h"
#include "config.h"
#include "prefs.h"
#include "http.h"
#include "record.h"

enum source { SRC_GENERATION, SRC_USAGE, SRC_ESTIMATE, SRC_CACHED, SRC_N };
extern const char *const source_name[SRC_N];

#define WAIT_MS		10000	/* --wait: /generation's lag, at most */
#define BACKOFF_MAX_MS	2000	/* one wait between lookups, at most */

struct totals;

struct run {
	struct cfg	 cfg;
	struct http	*http;
	struct catalog	*cat;		/* --estimate */
	struct prefs	 prefs;		/* --estimate: config.json */
	enum source	 source;
	int		 parallel;	/* -P */
	int64_t		 wait_ms;	/* --wait */
	struct totals	*tot;		/* --total: NULL writes the records */
	int		 status;
};

/* fill.c */
int	 cost_wanted(const struct run *, const struct rec *);
jv	 cost_from_usage(const struct rec *, const char *why);	/* owned */
int	 cost_is_cached(const struct rec *);
jv	 cost_from_cache(const struct rec *);			/* owned */
jv	 cost_from_generation(const struct rec *, jv data);	/* consumes data */
char	*cost_gen_id(const struct rec *);	/* malloc'd response.id, or NULL */
void	 put(struct run *, struct rec *);	/* out, or into the totals;
						   frees the record */

/* lookup.c */
int	 lookup_run(struct run *, struct reader *);	/* exit status */

/* estimate.c */
void	 estimate(struct run *, struct rec *);

/* total.c */
struct totals	*total_new(void);
void		 total_add(struct totals *, const struct rec *);
void		 total_write(struct totals *, int table);
void		 total_free(struct totals *);

/* credits.c */
int	 credits(struct run *, double min);	/* exit status */

#endif
