/*
 * filter.h: the constraints a model of the catalog must meet, as
 * or-models lists and or-route chooses by them: --provider, --free,
 * --max-price, --min-context, --need and --modality, parsed and applied
 * in one way.
 */
#ifndef ORKIT_FILTER_H
#define ORKIT_FILTER_H

#include <stdint.h>

#include "catalog.h"

struct cat_filter {
	char		**providers;	/* NULL-terminated, or NULL */
	char		**need;		/* NULL-terminated, or NULL */
	int		 free;
	int		 paid;		/* not free: the complement of free */
	double		 max_prompt;	/* USD per 1M tokens; NAN: no limit */
	double		 max_completion;
	int64_t		 min_context;	/* tokens; 0: no limit */
	const char	*modality;	/* "in->out", or one name; borrowed */
};

/* Every constraint off. */
void		 filter_init(struct cat_filter *);
void		 filter_free(struct cat_filter *);

/*
 * Parsers for the flags' arguments: 0, or -1 when the text is not one
 * (the caller says so, with FILTER_*_HELP).
 */
#define FILTER_PRICE_HELP "a price per 1M tokens: p, p/c or /c"
#define FILTER_COUNT_HELP "a number of tokens: 100000 or 100k"
int		 filter_max_price(struct cat_filter *, const char *);
int		 filter_count(const char *, int64_t *);	/* k, M allowed */
/* "a,b,,c" appended to a NULL-terminated list; NULL when it holds none
   (the list is then freed). */
char		**filter_list(char **, const char *);
void		 filter_list_free(char **);

/*
 * The first constraint m fails: "provider", "free", "paid", "price",
 * "context", "capability" or "modality"; NULL when it meets them all.
 */
const char	*filter_why(const struct cat_filter *, const struct model *);
int		 filter_is_free(const struct model *);

/*
 * A --need name that is neither a capability nor a parameter any model
 * of c takes is a typo, not a filter that matches nothing: said, -1.
 */
int		 filter_check(const struct cat_filter *, const struct catalog *);

#endif
