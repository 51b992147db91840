/*
 * http.h: requests to the OpenRouter API, and what their failures mean.
 *
 * Only lib/http.c and lib/xfer.c call libcurl (through lib/curlx, which
 * loads it on the first call); the tools make their requests through
 * these two, so libcurl's rules (lifetimes, NOSIGNAL, the key kept out
 * of verbose output) are kept in one place.
 */
#ifndef ORKIT_HTTP_H
#define ORKIT_HTTP_H

#include <stdint.h>

#include <jv.h>

#include "config.h"
#include "curlx.h"
#include "util.h"

struct http_resp {
	CURLcode	 code;		/* CURLE_OK when an answer came */
	long		 status;	/* HTTP status, 0 when none */
	struct buf	 body;
	char		 errbuf[CURL_ERROR_SIZE];
	int64_t		 retry_after_ms;	/* Retry-After, or -1 */
	int64_t		 reset_ms;	/* X-RateLimit-Reset (epoch ms), or 0 */
	int64_t		 latency_ms;
	char		 gen_id[128];	/* X-Generation-Id, or "" */
};

struct http;

int		 http_global_init(void);	/* once, first: -1 failed */
void		 http_global_cleanup(void);

struct http	*http_new(const struct cfg *, const char *tool);
void		 http_free(struct http *);
void		 http_get(struct http *, const char *path, struct http_resp *);

/* The same in pieces, for transfers run by a multi handle. */
CURL		*http_handle(struct http *);
void		 http_setup(struct http *, CURL *, const char *path,
		    const char *body, size_t len, struct http_resp *);
void		 http_done(CURL *, CURLcode, struct http_resp *);
void		 http_resp_free(struct http_resp *);
char		*http_escape(const char *);	/* malloc'd, URL-encoded */

/* The body without the whitespace OpenRouter pads it with; borrowed. */
const char	*http_json(const struct http_resp *, size_t *len);

/*
 * The error a response carries, as a record's "error" object (owned),
 * or an invalid jv when it succeeded. *body gets the parsed body
 * (owned; invalid when it is not JSON). A 200 whose body was cut or is
 * not JSON may be billed: its error keeps "generation_id" (the
 * X-Generation-Id header, else the id in the partial body) and
 * "received" (the first HTTP_KEPT bytes); a POST that got one is not
 * to be resent on its own (http_should_retry leaves that to the caller:
 * a GET may be).
 */
#define HTTP_KEPT	1024
jv		 http_error(const struct http_resp *, jv *body);
jv		 http_api_error(long status, jv apierr);	/* consumes apierr */
int		 http_should_retry(jv err);		/* borrows */
int64_t		 http_retry_wait(const struct cfg *, const struct http_resp *,
		    int attempt);

#endif
