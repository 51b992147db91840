/*
 * route.c: the MHD access handler.  It gathers the upload, logs the
 * request, takes the script's line for this path, and either lets the
 * line replace the response or routes the request normally.
 */

#include <err.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fakeor.h"

typedef enum MHD_Result serve_fn(struct call *, const struct action *);

static const struct route {
	const char	*pattern;
	const char	*method;
	int		 auth;
	serve_fn	*serve;
} routes[] = {
	{ "/chat/completions",	"POST",	1, chat_serve },
	{ "/models",		"GET",	0, models_serve },
	{ "/models/*/endpoints", "GET",	0, endpoints_serve },
	{ "/generation",	"GET",	1, generation_serve },
	{ "/key",		"GET",	1, key_serve },
	{ "/auth/key",		"GET",	1, key_serve },
	{ "/credits",		"GET",	1, credits_serve },
};

/* Actions that shape a chat answer rather than replace it. */
static const char *chat_actions[] = {
	"ok", "delay", "error200", "choiceerror", "keepalive",
	"midstream-error", "stall", "cut", "byok", "truncated", "big",
	"badutf8", NULL
};

static struct call *
call_new(struct MHD_Connection *conn, const char *url, const char *method)
{
	struct call *c;

	c = xmalloc(sizeof(*c));
	memset(c, 0, sizeof(*c));
	c->conn = conn;
	c->method = xstrdup(method);
	c->url = xstrdup(url);
	/* Clients may be pointed at .../api/v1 or at the bare host. */
	c->path = c->url;
	if (strncmp(c->url, "/api/v1", 7) == 0 &&
	    (c->url[7] == '/' || c->url[7] == '\0'))
		c->path = c->url[7] == '\0' ? "/" : c->url + 7;
	c->json = jv_invalid();
	c->seed = new_seed();
	return c;
}

static void
call_free(struct call *c)
{
	if (c == NULL)
		return;
	free(c->method);
	free(c->url);
	buf_free(&c->body);
	jv_free(c->json);
	action_clear(&c->act);
	free(c);
}

static enum auth
auth_of(struct MHD_Connection *conn)
{
	const char *h, *key = api_key();

	h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return AUTH_MISSING;
	h += 7;
	h += strspn(h, " ");
	if (*h == '\0')
		return AUTH_MISSING;
	return key == NULL || strcmp(h, key) == 0 ? AUTH_OK : AUTH_BAD;
}

static int
method_is(const struct call *c, const char *m)
{
	return strcmp(c->method, m) == 0 ||
	    (strcmp(m, "GET") == 0 && strcmp(c->method, "HEAD") == 0);
}

static enum MHD_Result
route(struct call *c, const struct action *a)
{
	const struct route *r;
	size_t i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		r = &routes[i];
		if (fnmatch(r->pattern, c->path, 0) != 0)
			continue;
		if (!method_is(c, r->method))
			return reply_error(c, 405, "Method Not Allowed", 0);
		if (r->auth && c->auth != AUTH_OK)
			return reply_auth(c);
		return r->serve(c, a);
	}
	return reply_error(c, 404, "Not Found", 0);
}

static int
is_chat_action(const struct action *a)
{
	const char **n;

	for (n = chat_actions; *n != NULL; n++)
		if (action_is(a, *n))
			return 1;
	return 0;
}

/* A script line that replaces the response, or the normal route. */
static enum MHD_Result
apply(struct call *c, const struct action *a)
{
	if (a->name == NULL)
		return route(c, a);
	if (action_is(a, "reset"))
		return MHD_NO;
	if (action_is(a, "status"))
		return reply_status(c, a);
	if (action_is(a, "garbage"))
		return reply_garbage(c);
	if (action_is(a, "fixture"))
		return reply_fixture(c, a);
	if (action_is(a, "error200") &&
	    strcmp(c->path, "/chat/completions") != 0)
		return reply_error200(c, a);
	if (!is_chat_action(a))
		warnx("script: unknown action \"%s\"", a->name);
	return route(c, a);
}

long chat_delay_ms;
long gen_delay_ms;

static long
delay_of(const struct action *a)
{
	if (action_is(a, "delay") && a->arg != NULL)
		return atol(a->arg);
	return action_num(a, "delay", 0);
}

/*
 * The first call logs the request and takes its script line, then, with
 * a delay, suspends the connection; MHD calls again once it is resumed,
 * and that call answers.
 */
static enum MHD_Result
serve(struct call *c)
{
	if (c->held)
		return apply(c, &c->act);
	c->held = 1;
	c->t0 = now_ms();
	if (c->body.len > 0)
		c->json = parse_json(c->body.p, c->body.len);
	c->auth = auth_of(c->conn);
	reqlog_write(c);
	if (c->toobig)
		return reply_error(c, 413, "Request payload too large", 0);
	script_take(c->path, c->body.p, c->body.len, &c->act);
	if (wake_after(c->conn, delay_of(&c->act) +
	    (strcmp(c->path, "/chat/completions") == 0 ? chat_delay_ms :
	    strcmp(c->path, "/generation") == 0 ? gen_delay_ms : 0)))
		return MHD_YES;
	return apply(c, &c->act);
}

enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *data, size_t *size,
    void **ctx)
{
	struct call *c = *ctx;

	(void)cls;
	(void)version;
	if (c == NULL) {
		*ctx = call_new(conn, url, method);
		return MHD_YES;
	}
	if (*size > 0) {
		/* Bodies arrive in pieces; a 10 MB prompt is fine. */
		if (c->body.len + *size > BODY_MAX)
			c->toobig = 1;
		else
			buf_add(&c->body, data, *size);
		*size = 0;
		return MHD_YES;
	}
	return serve(c);
}

void
on_done(void *cls, struct MHD_Connection *conn, void **ctx,
    enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	call_free(*ctx);
	*ctx = NULL;
}
