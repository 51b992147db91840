/*
 * estimate.h: what a request would cost at most, offline, from the
 * catalog's prices.
 *
 * It prices the body as lib/request builds it. Prompt tokens are
 * ceil(bytes/4) of the text sent (message contents, text parts, tool
 * definitions, file and audio data) plus 4 a message; completion
 * tokens are the body's max_completion_tokens or max_tokens, else the
 * model's top_provider.max_completion_tokens, else its context less
 * the prompt. A "system" or "prompt" still in the body (a record the
 * builder refused) counts as a message, as or-cost always counted it.
 * est_price reads only its arguments and the catalog, and keeps
 * nothing: it is cheap enough to call before every request.
 */
#ifndef ORKIT_ESTIMATE_H
#define ORKIT_ESTIMATE_H

#include <jv.h>

#include "catalog.h"

enum est_status {
	EST_OK,
	EST_NO_MODEL,		/* neither "model" nor "models" names one */
	EST_UNKNOWN,		/* the model is not in the catalog */
	EST_DYNAMIC,		/* it has no fixed price ("-1" or none) */
	EST_UNBOUNDED		/* nothing bounds its output */
};

struct estimate {
	enum est_status	 status;
	jv		 model;		/* the body's model name; owned,
					   invalid when EST_NO_MODEL */
	const struct model *m;		/* the catalog's; borrowed, NULL
					   unless found */
	double		 prompt_tokens;
	double		 completion_tokens;
	long		 images;
	int		 bounded;	/* the body's own limit is the
					   completion bound */
	double		 prompt_price;	/* USD a token, as billed: cache */
	double		 completion_price;	/* writes, reasoning */
	double		 image_price;	/* USD an image, 0 when none */
	double		 request_price;	/* USD a request, 0 when none */
	double		 usd;		/* the worst case, to 1e-12 */
};

/*
 * Fills *e (the figures are 0 but for what was known when it is not
 * EST_OK) and returns e->status == EST_OK. Consumes the body; the
 * catalog must outlive *e. est_free frees what *e owns.
 */
int	 est_price(const struct catalog *, jv body, struct estimate *e);
/*
 * est_price in two halves, for a caller that prices one body on many
 * models: a model's rates, read once, and what a body asks (borrowed).
 * est_usd is est_price's figure, or -1 when the model has no fixed
 * price or nothing bounds the output.
 */
struct est_rates {
	int	 priced;		/* fixed prompt and completion prices */
	double	 prompt, prompt_cache_write, completion, image, request;
	double	 max_out;		/* the model's output limit, or -1 */
	int64_t	 context;
};
struct est_ask {
	double	 prompt_tokens;
	long	 images;
	int	 cache;			/* cache_control asked for */
	double	 max_out;		/* the body's max tokens, or -1 */
};
void	 est_rates(const struct model *, struct est_rates *);
void	 est_ask(jv, struct est_ask *);
double	 est_usd(const struct est_rates *, const struct est_ask *);
/* The body's prompt tokens and image parts, as est_price counts them;
   both borrow the body. */
double	 est_prompt_tokens(jv);
long	 est_images(jv);
/* The prompt tokens of so many bytes of text in so many messages. */
double	 est_tokens(size_t bytes, long messages);
jv	 est_why(const struct estimate *);	/* owned message, or invalid
						   when EST_OK */
void	 est_free(struct estimate *);

#endif
