/*
 * reply.c: responses and OpenRouter's error envelope, including the
 * script actions that replace a response wholesale (status, garbage,
 * fixture, error200).
 */

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakeor.h"

/* What a proxy in the way might send: a 200 that is not JSON. */
static const char garbage[] = "<html><body>502 Bad Gateway</body></html>";

static const char no_credits[] =
    "This request requires more credits, or fewer max_tokens. You "
    "requested up to 64000 tokens, but can only afford 2666. To increase, "
    "visit https://openrouter.ai/settings/credits and upgrade to a paid "
    "account";

static const struct {
	int		 code;
	const char	*msg;
} messages[] = {
	{ 400, "Provider returned error" },
	{ 401, "User not found." },
	{ 402, no_credits },
	{ 403, "Key limit exceeded (total limit). Manage it using "
	    "https://openrouter.ai/settings/keys" },
	{ 408, "Operation timed out. Please try again later." },
	{ 413, "Request payload too large" },
	{ 429, "Rate limit exceeded: free-models-per-min." },
	{ 500, "Internal Server Error" },
	{ 502, "Provider returned error" },
	{ 503, "No allowed providers are available for the selected model." },
	{ 524, "Request timed out. Please try again later." },
	{ 529, "Provider returned error" },
};

enum MHD_Result
reply_queue(struct call *c, unsigned status, struct MHD_Response *r)
{
	enum MHD_Result ret;

	ret = MHD_queue_response(c->conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

enum MHD_Result
reply_bytes(struct call *c, unsigned status, const char *ctype,
    const char *p, size_t n)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(n, (void *)p,
	    MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	return reply_queue(c, status, r);
}

enum MHD_Result
reply_json(struct call *c, unsigned status, jv body)
{
	struct buf b = { NULL, 0, 0 };
	enum MHD_Result ret;

	buf_addjv(&b, body);
	ret = reply_bytes(c, status, "application/json", b.p, b.len);
	buf_free(&b);
	return ret;
}

/* {"error":{"message","code","metadata"?},"user_id"?}; consumes meta. */
jv
error_body(int code, const char *msg, jv meta, int user)
{
	jv e, body;

	e = JV_OBJECT(jv_string("message"), jv_string(msg),
	    jv_string("code"), jv_number(code));
	if (jv_get_kind(meta) == JV_KIND_OBJECT &&
	    jv_object_length(jv_copy(meta)) > 0)
		e = jv_object_set(e, jv_string("metadata"), meta);
	else
		jv_free(meta);
	body = JV_OBJECT(jv_string("error"), e);
	if (user)
		body = jv_object_set(body, jv_string("user_id"),
		    jv_string(FAKE_USER));
	return body;
}

enum MHD_Result
reply_error(struct call *c, unsigned status, const char *msg, int user)
{
	return reply_json(c, status, error_body((int)status, msg,
	    jv_object(), user));
}

/* The two real 401s: no key at all, and a key nobody owns. */
enum MHD_Result
reply_auth(struct call *c)
{
	return reply_error(c, 401, c->auth == AUTH_MISSING ?
	    "No auth credentials found" : "User not found.", 0);
}

static const char *
model_of(const struct call *c, char *buf, size_t size)
{
	jv m;

	m = jget(c->json, "model");
	snprintf(buf, size, "%s", jstr(m) ? jstr(m) : DEFAULT_MODEL);
	jv_free(m);
	return buf;
}

static const char *
default_message(const struct call *c, int code, char *buf, size_t size)
{
	const char *id;
	char model[256];
	size_t i;

	if (code == 404 && strcmp(c->path, "/generation") == 0) {
		id = MHD_lookup_connection_value(c->conn,
		    MHD_GET_ARGUMENT_KIND, "id");
		snprintf(buf, size, "Generation %s not found", id ? id : "");
		return buf;
	}
	if (code == 404) {
		snprintf(buf, size, "No endpoints found for %s.",
		    model_of(c, model, sizeof(model)));
		return buf;
	}
	for (i = 0; i < sizeof(messages) / sizeof(messages[0]); i++)
		if (messages[i].code == code)
			return messages[i].msg;
	if (strcmp(MHD_get_reason_phrase_for((unsigned)code), "Unknown") != 0)
		return MHD_get_reason_phrase_for((unsigned)code);
	snprintf(buf, size, "HTTP error %d", code);
	return buf;
}

struct ratelimit {
	char	limit[32], remaining[32], reset[32];
};

/* X-RateLimit-Reset is epoch ms; real 429s reset on a minute boundary. */
static void
ratelimit_of(const struct action *a, struct ratelimit *rl)
{
	const char *v;
	long long reset;

	v = action_opt(a, "ratelimit-reset");
	if (v == NULL)
		reset = (now_ms() / 60000 + 1) * 60000;
	else if (v[0] == '+')
		reset = now_ms() + atoll(v + 1);
	else
		reset = atoll(v);
	snprintf(rl->reset, sizeof(rl->reset), "%lld", reset);
	snprintf(rl->limit, sizeof(rl->limit), "%ld",
	    action_num(a, "ratelimit-limit", 20));
	snprintf(rl->remaining, sizeof(rl->remaining), "%ld",
	    action_num(a, "ratelimit-remaining", 0));
}

static jv
status_meta(const struct call *c, int code, const struct ratelimit *rl)
{
	char model[256];

	if (code == 429)
		return JV_OBJECT(jv_string("headers"), JV_OBJECT(
		    jv_string("X-RateLimit-Limit"), jv_string(rl->limit),
		    jv_string("X-RateLimit-Remaining"),
		    jv_string(rl->remaining),
		    jv_string("X-RateLimit-Reset"), jv_string(rl->reset)),
		    jv_string("provider_name"), jv_null());
	if (code == 402)
		return JV_OBJECT(jv_string("provider_name"), jv_null());
	if (code == 502 || code == 400 || code == 529)
		return JV_OBJECT(jv_string("raw"), jv_string(code == 400 ?
		    "ERROR" : "upstream connect error or disconnect/reset "
		    "before headers"), jv_string("provider_name"),
		    jv_string(provider_of(model_of(c, model,
		    sizeof(model)))));
	return jv_object();
}

static void
status_headers(struct MHD_Response *r, const struct action *a, int code,
    const struct ratelimit *rl)
{
	const char *v;

	if (code == 429) {
		MHD_add_response_header(r, "X-RateLimit-Limit", rl->limit);
		MHD_add_response_header(r, "X-RateLimit-Remaining",
		    rl->remaining);
		MHD_add_response_header(r, "X-RateLimit-Reset", rl->reset);
	}
	if ((v = action_opt(a, "retry-after")) != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, v);
}

/*
 * status CODE html=1: the page a proxy in front of the API (Cloudflare)
 * serves for a 5xx of its own, HTML, not the API's JSON envelope.
 */
static enum MHD_Result
reply_html_status(struct call *c, const struct action *a, int code)
{
	struct MHD_Response *r;
	struct ratelimit rl;
	char page[512];
	const char *why;
	int n;

	why = MHD_get_reason_phrase_for((unsigned)code);
	n = snprintf(page, sizeof(page), "<html>\r\n<head><title>%d %s"
	    "</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>"
	    "\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n",
	    code, why, code, why);
	r = MHD_create_response_from_buffer((size_t)n, page,
	    MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/html");
	ratelimit_of(a, &rl);
	status_headers(r, a, code, &rl);
	return reply_queue(c, (unsigned)code, r);
}

/* The script's "status CODE": the real envelope for that status. */
enum MHD_Result
reply_status(struct call *c, const struct action *a)
{
	struct MHD_Response *r;
	struct ratelimit rl;
	struct buf b = { NULL, 0, 0 };
	char msgbuf[512];
	const char *msg, *type;
	jv meta;
	int code;

	code = a->arg ? atoi(a->arg) : 500;
	if (code < 100 || code > 599)
		code = 500;
	if (action_num(a, "html", 0))
		return reply_html_status(c, a, code);
	ratelimit_of(a, &rl);
	meta = status_meta(c, code, &rl);
	if ((type = action_opt(a, "type")) != NULL)
		meta = jv_object_set(meta, jv_string("error_type"),
		    jv_string(type));
	if ((msg = action_opt(a, "message")) == NULL)
		msg = default_message(c, code, msgbuf, sizeof(msgbuf));
	buf_addjv(&b, error_body(code, msg, meta, code != 401));
	r = MHD_create_response_from_buffer(b.len, b.p, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "application/json");
	status_headers(r, a, code, &rl);
	return reply_queue(c, (unsigned)code, r);
}

enum MHD_Result
reply_garbage(struct call *c)
{
	return reply_bytes(c, 200, "text/html", garbage, sizeof(garbage) - 1);
}

static int
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

/* A real body byte for byte; a stream in arbitrary pieces. */
enum MHD_Result
reply_fixture(struct call *c, const struct action *a)
{
	struct MHD_Response *r;
	struct plan *p;
	char path[4096], *data;
	size_t len;
	int sse;

	snprintf(path, sizeof(path), "%s/%s", fixtures_dir(),
	    a->arg ? a->arg : "");
	if (a->arg == NULL || (data = slurp(path, &len)) == NULL) {
		warn("fixture %s", path);
		return reply_error(c, 500, "fakeor: no such fixture", 0);
	}
	sse = ends_with(path, ".sse");
	p = plan_new(c->seed, sse);
	plan_add(p, data, len);
	free(data);
	r = plan_response(p, c->conn);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    sse ? "text/event-stream" : "application/json");
	if (sse)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
		    "no-cache");
	return reply_queue(c, 200, r);
}

/* error200 outside /chat/completions: the body without padding. */
enum MHD_Result
reply_error200(struct call *c, const struct action *a)
{
	return reply_json(c, 200, JV_OBJECT(jv_string("error"),
	    chat_error(a, 502, "Provider returned error",
	    1), jv_string("user_id"),
	    jv_string(FAKE_USER)));
}
