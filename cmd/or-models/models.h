/* models.h: what or-models' files share. */
#ifndef OR_MODELS_H
#define OR_MODELS_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "config.h"
#include "filter.h"

enum sortkey { SORT_NONE, SORT_PRICE, SORT_CONTEXT, SORT_CREATED, SORT_NAME,
	SORT_THROUGHPUT };

/* What --sort price weighs: prompt tokens per completion token. */
#define PRICE_RATIO	3

struct opts {
	/* filters, all of which a model must pass */
	struct cat_filter f;
	const char	*search;
	const char	*where;		/* a jq program */
	/* order and output */
	enum sortkey	 sort;
	int		 reverse;
	long		 limit;		/* -1: all */
	int		 table, ids;
	/* the catalog */
	struct cat_opts	 cat;
	struct cfg	 cfg;
};

/* select.c */
struct picked {
	const struct model	**m;
	size_t			  n;
};
void	 sel_prepare(const struct opts *);	/* compiles --where */
int	 sel_check(const struct opts *, const struct catalog *);
void	 sel_run(const struct opts *, const struct catalog *,
	    struct picked *);	/* filters, sorts, limits; owned list */
void	 sel_finish(void);

/* sort.c */
void	 sort_models(const struct opts *, struct picked *);

/* table.c */
void	 fmt_price(double usd_per_token, char out[32]);	/* per 1M */
void	 list_table(const struct picked *);
void	 compare_table(const struct model *const *, size_t);

/* endpoints.c */
int	 endpoints_cmd(const struct opts *, const char *id);
void	 throughput_fetch(const struct opts *, struct picked *, double *);

#endif
