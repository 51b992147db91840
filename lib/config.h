/* config.h: settings from the environment, the API key from env or file. */
#ifndef ORKIT_CONFIG_H
#define ORKIT_CONFIG_H

#include <stddef.h>

#include <jv.h>

struct cfg {
	char	*key;			/* secret: never printed */
	char	*base_url;		/* no trailing slash */
	char	*referer, *title;	/* attribution headers, or NULL */
	long	 timeout_ms;		/* whole request */
	long	 connect_timeout_ms;
	long	 stall_ms;		/* a stream silent this long is dead */
	int	 retries;		/* retries after the first attempt */
	long	 retry_base_ms;		/* first backoff step */
	long	 retry_max_ms;		/* cap on any one wait */
};

#define CFG_KEY_IF_ANY	2	/* needkey: the key when there is one */

int	 cfg_load(struct cfg *, int needkey);	/* 0, or -1 with a message */
/* No core dumps of this process, and not dumpable: it holds the key
   (cfg_load does this), or its environment does (the _if_key form). */
void	 cfg_no_dumps(void);
void	 cfg_no_dumps_if_key(void);
void	 cfg_free(struct cfg *);
char	*cfg_path(const char *xdgvar, const char *fallback, const char *name);
					/* malloc'd $XDG_x/orkit/name */
/*
 * A settings file (config.json, budget.json): its JSON object in *out.
 * 0; 1 not there and !must; -1 said why in one line naming the file
 * (unreadable, over max bytes, not JSON, not an object: "wants a JSON
 * object, like <like>").
 */
int	 cfg_read_object(const char *path, int must, size_t max,
	    const char *like, jv *out);

#endif
