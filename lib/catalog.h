/*
 * catalog.h: OpenRouter's model catalog (GET /models), fetched, cached
 * at $XDG_CACHE_HOME/orkit/models.json and looked up.
 *
 * The cache is the API's body as received, byte for byte; its fetch time
 * is the file's mtime. A model's bytes are kept as they came, so a tool
 * that prints one prints the API's own numbers.
 */
#ifndef ORKIT_CATALOG_H
#define ORKIT_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include <jv.h>

#include "config.h"
#include "util.h"

#define CAT_TTL_MS	(60 * 60 * 1000)	/* a cache younger is used */
#define CAT_PATH	"/models?output_modalities=all"	/* every model */

/* Prices are USD per token, as the API gives them. */
#define PRICE_DYNAMIC	(-1.0)		/* "-1": decided per request */
int	 price_known(double);		/* neither NAN nor dynamic */

/* A model id naming a free variant: "...:free". */
int	 cat_is_free_id(const char *);
/*
 * The length of the model a served id is an instance of: the id less a
 * ":variant", else less a dated snapshot's "-2024-08-06", "-20250522" or
 * "-0528" (a '-', then only digits and '-', 4 digits or more), else the
 * whole id. "openai/gpt-4o-mini" is not openai/gpt-4o, nor
 * "google/gemini-2.0-flash-001" google/gemini-2.0-flash.
 */
size_t	 cat_base_len(const char *served);
/* served is the model id, one of its variants or a dated snapshot. */
int	 cat_same_model(const char *id, const char *served);

struct model {
	const char	*json;		/* the object's bytes; borrowed */
	size_t		 len;
	const char	*id;		/* "" when it has none; owned */
	double		 prompt;	/* USD per token; NAN when unknown */
	double		 completion;
	int64_t		 context;	/* tokens; -1 when unknown */
	int64_t		 created;	/* unix seconds; 0 when unknown */
	jv		 val;		/* parsed by cat_val, when asked */
	int		 parsed;
};

struct catalog {
	char		*raw;		/* the body as received */
	size_t		 rawlen;
	char		*dumps;		/* models of a multi-line body, compacted */
	struct model	*models;	/* in the API's order */
	size_t		 n;
	size_t		 skipped;	/* entries that are not objects */
	int64_t		 fetched_ms;	/* epoch ms: the cache's mtime */
	int		 stale;		/* too old, but the fetch failed */
	int		 fetched;	/* came from the API in this run */
};

struct cat_opts {
	int64_t		 max_age_ms;	/* an older cache is refetched */
	int		 refresh;	/* fetch, whatever the cache's age */
};

char		*cat_path(void);	/* malloc'd path of the cache */

/*
 * The cache when young enough, else the API's catalog (cached on the
 * way), else a stale cache with a one-line warning. NULL, after a
 * message, when there is neither cache nor answer. Owned.
 */
struct catalog	*cat_load(const struct cfg *, const struct cat_opts *);
/* The same, but with neither, why goes to *nothing (appended) instead
   of a message: for a caller that says what it does instead. */
struct catalog	*cat_load_why(const struct cfg *, const struct cat_opts *,
		    struct buf *nothing);

/* The cache alone, whatever its age; NULL, silently, when unusable. */
struct catalog	*cat_read(const char *path);

void		 cat_free(struct catalog *);

/* The model parsed (once, then kept): owned, a reference to it. */
jv		 cat_val(const struct model *);

/* A pricing key (USD per unit); NAN when absent, PRICE_DYNAMIC for "-1". */
double		 cat_price(const struct model *, const char *key);
double		 cat_price_in(jv, const char *key);	/* borrows obj */

const struct model *cat_find(const struct catalog *, const char *id);

/* Up to max ids close to an unknown one, best first; returns how many. */
size_t		 cat_suggest(const struct catalog *, const char *id,
		    const struct model **, size_t max);

/*
 * Capabilities, read from the model's own data: "tools", "json",
 * "reasoning", "image" (input), "image-out" ... (cat_caps lists them).
 * Any other name is looked up in supported_parameters.
 */
extern const char *const cat_caps[];	/* NULL-terminated */
int		 cat_is_cap(const char *);
int		 cat_has(const struct model *, const char *cap);
int		 cat_has_param(const struct model *, const char *);
int		 cat_modality(const struct model *, const char *in,
		    const char *out);	/* each NULL or a "+" list */

#endif
