/*
 * chat.c: POST /chat/completions.  The answer is a deterministic echo of
 * the last user message ("Echo: ..."), so tests can assert on it; its
 * tokens are bytes/4 and its cost comes from the catalog's prices, so
 * every figure can be checked by hand.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fakeor.h"

/* 11 bytes, one per keep-alive tick while the model runs (§1.4). */
#define PAD	"\n         \n"

static const struct prov provs[] = {
	{ "openai", "OpenAI", "openai", "Azure", "azure" },
	{ "anthropic", "Anthropic", "anthropic", "Amazon Bedrock",
	    "amazon-bedrock" },
	{ "google", "Google AI Studio", "google-ai-studio", "Google Vertex",
	    "google-vertex" },
	{ "meta-llama", "DeepInfra", "deepinfra", "Together", "together" },
	{ "deepseek", "DeepSeek", "deepseek", "DeepInfra", "deepinfra" },
	{ "mistralai", "Mistral", "mistral", "Together", "together" },
	{ NULL, "Fake", "fake", "DeepInfra", "deepinfra" },
};

static const char *variants[] = {
	":nitro", ":floor", ":online", ":exacto", ":thinking", ":extended",
	NULL
};

const struct prov *
prov_of(const char *model)
{
	const struct prov *p;
	size_t n;

	for (p = provs; p->author != NULL; p++) {
		n = strlen(p->author);
		if (strncmp(model, p->author, n) == 0 && model[n] == '/')
			break;
	}
	return p;
}

const char *
provider_of(const char *model)
{
	return prov_of(model)->name;
}

/*
 * Whether the model is in the catalog, and its prices (pr[0] prompt,
 * pr[1] completion; 0 when it is not).  Routing variants price and
 * route as their base model.
 */
static int
find_model(const char *id, double pr[2])
{
	const char **v;
	const char *colon;
	char *base;
	int found;

	found = catalog_prices(id, &pr[0], &pr[1]);
	if (found || (colon = strrchr(id, ':')) == NULL)
		return found;
	for (v = variants; *v != NULL; v++)
		if (strcmp(colon, *v) == 0)
			break;
	if (*v == NULL)
		return 0;
	base = xstrndup(id, (size_t)(colon - id));
	found = catalog_prices(base, &pr[0], &pr[1]);
	free(base);
	return found;
}

static void
add_jstr(struct buf *b, jv s)
{
	if (jv_get_kind(s) == JV_KIND_STRING)
		buf_add(b, jv_string_value(s),
		    (size_t)jv_string_length_bytes(jv_copy(s)));
}

/* A content string, or the concatenated "text" parts of an array. */
static void
content_text(jv content, struct buf *b)
{
	jv type, text;

	if (jv_get_kind(content) != JV_KIND_ARRAY) {
		add_jstr(b, content);
		return;
	}
	jv_array_foreach(content, i, part) {
		type = jget(part, "type");
		text = jget(part, "text");
		if (jstr(type) != NULL && strcmp(jstr(type), "text") == 0)
			add_jstr(b, text);
		jv_free(type);
		jv_free(text);
		jv_free(part);
	}
}

static int
is_user(jv msg)
{
	jv role;
	int yes;

	role = jget(msg, "role");
	yes = jstr(role) != NULL && strcmp(jstr(role), "user") == 0;
	jv_free(role);
	return yes;
}

/* What is echoed: the last user message, else a legacy "prompt". */
static void
last_user_text(jv req, struct buf *b)
{
	jv msgs, last = jv_invalid(), prompt;

	msgs = jget(req, "messages");
	if (jv_get_kind(msgs) == JV_KIND_ARRAY) {
		jv_array_foreach(msgs, i, m) {
			if (is_user(m)) {
				jv_free(last);
				last = jget(m, "content");
			}
			jv_free(m);
		}
	}
	jv_free(msgs);
	if (jv_is_valid(last))
		content_text(last, b);
	else {
		prompt = jget(req, "prompt");
		add_jstr(b, prompt);
		jv_free(prompt);
	}
	jv_free(last);
}

static size_t
prompt_bytes(jv req)
{
	struct buf b = { NULL, 0, 0 };
	jv msgs, content, prompt;
	size_t n;

	msgs = jget(req, "messages");
	if (jv_get_kind(msgs) == JV_KIND_ARRAY) {
		jv_array_foreach(msgs, i, m) {
			content = jget(m, "content");
			content_text(content, &b);
			jv_free(content);
			jv_free(m);
		}
	}
	jv_free(msgs);
	prompt = jget(req, "prompt");
	add_jstr(&b, prompt);
	jv_free(prompt);
	n = b.len;
	buf_free(&b);
	return n;
}

static long
tokens(size_t bytes)
{
	return bytes == 0 ? 1 : (long)((bytes + 3) / 4);
}

static long
max_tokens(jv req)
{
	jv v;
	long n = 0;

	v = jget(req, "max_completion_tokens");
	if (jv_get_kind(v) != JV_KIND_NUMBER) {
		jv_free(v);
		v = jget(req, "max_tokens");
	}
	if (jv_get_kind(v) == JV_KIND_NUMBER && jv_number_value(v) >= 1)
		n = (long)jv_number_value(v);
	jv_free(v);
	return n;
}

/*
 * A value of a JSON schema, as a model bound by it would write one:
 * each property of an object (required or not), an enum's first value,
 * strings the echo, numbers its length in bytes, booleans true, an
 * array one item. Depth is bounded: a schema that refers to itself
 * ($ref) or nests past 8 levels gives null.
 */
static jv
schema_value(jv schema, const char *echo, int depth)
{
	jv type = jget(schema, "type"), en = jget(schema, "enum"), v;
	const char *t = jv_get_kind(type) == JV_KIND_STRING ?
	    jv_string_value(type) : "string";

	if (jv_get_kind(en) == JV_KIND_ARRAY && jv_array_length(jv_copy(en)))
		v = jv_array_get(jv_copy(en), 0);
	else if (depth > 8)
		v = jv_null();	/* NOLINT(bugprone-branch-clone): not a "null" type */
	else if (strcmp(t, "object") == 0) {
		jv props = jget(schema, "properties");

		v = jv_object();
		if (jv_get_kind(props) == JV_KIND_OBJECT)
			jv_object_foreach(props, k, sub) {
				v = jv_object_set(v, k, schema_value(sub, echo,
				    depth + 1));
				jv_free(sub);
			}
		jv_free(props);
	} else if (strcmp(t, "array") == 0) {
		jv items = jget(schema, "items");

		v = JV_ARRAY(schema_value(items, echo, depth + 1));
		jv_free(items);
	} else if (strcmp(t, "integer") == 0 || strcmp(t, "number") == 0)
		v = jv_number((double)strlen(echo));
	else if (strcmp(t, "boolean") == 0)
		v = jv_true();
	else if (strcmp(t, "null") == 0)
		v = jv_null();
	else
		v = jv_string(echo);
	jv_free(type);
	jv_free(en);
	return v;
}

/*
 * response_format: json_object's answer is an object holding the echo
 * ({"text": ...}); json_schema's a value of json_schema.schema. The
 * content is the JSON as text, as the API gives it.
 */
static void
structured(jv req, struct buf *b)
{
	jv rf = jget(req, "response_format"), type = jget(rf, "type"), v;
	const char *t = jv_get_kind(type) == JV_KIND_STRING ?
	    jv_string_value(type) : "";

	if (strcmp(t, "json_object") == 0)
		v = JV_OBJECT(jv_string("text"), jv_string(b->p));
	else if (strcmp(t, "json_schema") == 0) {
		jv js = jget(rf, "json_schema"), sch = jget(js, "schema");

		v = schema_value(sch, b->p, 0);
		jv_free(sch);
		jv_free(js);
	} else
		v = jv_invalid();
	jv_free(type);
	jv_free(rf);
	if (!jv_is_valid(v))
		return;
	b->len = 0;
	buf_addjv(b, v);
}

static void
answer_init(struct answer *a, const struct call *c, const char *id,
    const double pr[2])
{
	struct buf b = { NULL, 0, 0 };
	long most;

	memset(a, 0, sizeof(*a));
	new_gen_id(a->id, sizeof(a->id));
	a->created = time(NULL);
	a->model = xstrdup(id);
	a->provider = provider_of(id);
	a->pprice = pr[0];
	a->cprice = pr[1];
	buf_addstr(&b, "Echo: ");
	last_user_text(c->json, &b);
	structured(c->json, &b);
	a->finish = "stop";
	most = max_tokens(c->json);
	if (most > 0 && b.len > (size_t)most * 4) {
		b.len = utf8_floor(b.p, (size_t)most * 4);
		b.p[b.len] = '\0';
		a->finish = "length";
	}
	a->text = b.p;
	a->textlen = b.len;
	a->ptok = tokens(prompt_bytes(c->json));
	a->ctok = tokens(a->textlen);
}

/* big N: an answer of N bytes, the echo over and over, cut at a char. */
static void
answer_grow(struct answer *a, size_t n)
{
	size_t have = a->textlen;

	if (have == 0 || n <= have)
		return;
	a->text = xrealloc(a->text, n + 1);
	while (a->textlen < n) {
		memcpy(a->text + a->textlen, a->text, have <
		    n - a->textlen ? have : n - a->textlen);
		a->textlen += have < n - a->textlen ? have : n - a->textlen;
	}
	a->textlen = utf8_floor(a->text, n);
	a->text[a->textlen] = '\0';
	a->ctok = tokens(a->textlen);
}

/* What the upstream provider charged, at the catalog's prices. */
double
chat_upstream(const struct answer *a, long ctok)
{
	return money(money(a->ptok * a->pprice) + money(ctok * a->cprice));
}

/*
 * What OpenRouter bills: the upstream price, or with the user's own
 * key (BYOK) its 5% fee, the upstream charge going to the user's key.
 */
double
chat_cost(const struct answer *a, long ctok)
{
	double up = chat_upstream(a, ctok);

	return a->byok ? money(up * 0.05) : up;
}

jv
chat_usage(const struct answer *a, long ctok)
{
	double pc = money(a->ptok * a->pprice), cc = money(ctok * a->cprice);

	return JV_OBJECT(jv_string("prompt_tokens"), jv_number(a->ptok),
	    jv_string("completion_tokens"), jv_number(ctok),
	    jv_string("total_tokens"), jv_number(a->ptok + ctok),
	    jv_string("cost"), jv_number(chat_cost(a, ctok)),
	    jv_string("is_byok"), jv_bool(a->byok),
	    jv_string("prompt_tokens_details"), JV_OBJECT(
	    jv_string("cached_tokens"), jv_number(0),
	    jv_string("cache_write_tokens"), jv_number(0),
	    jv_string("audio_tokens"), jv_number(0),
	    jv_string("video_tokens"), jv_number(0)),
	    jv_string("cost_details"), JV_OBJECT(
	    jv_string("upstream_inference_cost"), a->byok ?
	    jv_number(chat_upstream(a, ctok)) : jv_null(),
	    jv_string("upstream_inference_prompt_cost"), jv_number(pc),
	    jv_string("upstream_inference_completions_cost"), jv_number(cc)),
	    jv_string("completion_tokens_details"), JV_OBJECT(
	    jv_string("reasoning_tokens"), jv_number(0),
	    jv_string("image_tokens"), jv_number(0),
	    jv_string("audio_tokens"), jv_number(0)));
}

/* The typed error_type that goes with an HTTP-style code (§5.3). */
static const char *
type_for(long code)
{
	switch (code) {
	case 400: return "invalid_request";
	case 401: return "authentication";
	case 402: return "payment_required";
	case 403: return "permission_denied";
	case 404: return "not_found";
	case 408: case 504: case 524: return "timeout";
	case 413: return "payload_too_large";
	case 422: return "unprocessable";
	case 429: return "rate_limit_exceeded";
	case 529: return "provider_overloaded";
	case 502: case 503: return "provider_unavailable";
	default: return "server";
	}
}

/*
 * The "error" object of a failure after the status line went out; a
 * typed error_type only where the real one had it (typed is non-zero).
 */
jv
chat_error(const struct action *act, int code, const char *msg, int typed)
{
	const char *type;
	jv e;

	code = (int)action_num(act, "code", code);
	if (action_opt(act, "message") != NULL)
		msg = action_opt(act, "message");
	type = typed ? type_for(code) : NULL;
	if (action_opt(act, "type") != NULL)
		type = action_opt(act, "type");
	e = JV_OBJECT(jv_string("code"), jv_number(code),
	    jv_string("message"), jv_string(msg));
	if (type != NULL)
		e = jv_object_set(e, jv_string("metadata"),
		    JV_OBJECT(jv_string("error_type"), jv_string(type)));
	return e;
}

/*
 * The one real mid-stream error seen (2025-11): code 400, "Token limit
 * reached", no metadata.  Another code gets the generic provider text.
 */
jv
chat_midstream_error(const struct action *act)
{
	if (action_opt(act, "code") == NULL)
		return chat_error(act, 400, "Token limit reached", 0);
	return chat_error(act, 400, "Provider returned error", 0);
}

static jv
choice(const char *text, size_t len, const char *finish)
{
	return JV_OBJECT(jv_string("index"), jv_number(0),
	    jv_string("logprobs"), jv_null(),
	    jv_string("finish_reason"), jv_string(finish),
	    jv_string("native_finish_reason"), jv_string(finish),
	    jv_string("message"), JV_OBJECT(
	    jv_string("role"), jv_string("assistant"),
	    jv_string("content"), jv_string_sized(text, (int)len),
	    jv_string("refusal"), jv_null(),
	    jv_string("reasoning"), jv_null()));
}

static jv
completion(const struct answer *a, jv ch, long ctok)
{
	jv o;

	o = JV_OBJECT(jv_string("id"), jv_string(a->id),
	    jv_string("object"), jv_string("chat.completion"),
	    jv_string("created"), jv_number((double)a->created),
	    jv_string("model"), jv_string(a->model),
	    jv_string("provider"), jv_string(a->provider),
	    jv_string("system_fingerprint"), jv_null(),
	    jv_string("service_tier"), jv_string("default"),
	    jv_string("choices"), JV_ARRAY(ch));
	return jv_object_set(o, jv_string("usage"), chat_usage(a, ctok));
}

/* choiceerror: output began, then the provider failed (§5.4). */
static jv
choice_error_body(const struct answer *a, const struct action *act,
    long *ctok)
{
	size_t half;
	jv ch;

	half = utf8_floor(a->text, a->textlen / 2);
	*ctok = tokens(half);
	ch = choice(a->text, half, "error");
	ch = jv_object_set(ch, jv_string("error"), chat_error(act, 502,
	    "Provider returned error", 1));
	return completion(a, ch, *ctok);
}

static void
remember(const struct call *c, const struct answer *a, int streamed,
    const char *finish, long ctok, const struct plan *p)
{
	const char *h;
	struct gen g;
	jv user;

	memset(&g, 0, sizeof(g));
	snprintf(g.id, sizeof(g.id), "%s", a->id);
	g.model = xstrdup(a->model);
	g.provider = xstrdup(a->provider);
	g.finish = finish ? xstrdup(finish) : NULL;
	user = jget(c->json, "user");
	g.user = jstr(user) ? xstrdup(jstr(user)) : NULL;
	jv_free(user);
	h = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND,
	    "User-Agent");
	g.agent = h ? xstrdup(h) : NULL;
	h = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND,
	    "HTTP-Referer");
	g.referer = h ? xstrdup(h) : NULL;
	g.ptok = a->ptok;
	g.ctok = ctok;
	g.cost = chat_cost(a, ctok);
	g.byok = a->byok;
	g.upstream = a->byok ? chat_upstream(a, ctok) : 0;
	clock_gettime(CLOCK_REALTIME, &g.created);
	g.streamed = streamed;
	g.cancelled = finish == NULL;
	g.gentime = plan_ms(p);
	g.latency = (long)(now_ms() - c->t0) + g.gentime;
	gen_remember(&g);
}

/*
 * The ticks go out while the model runs; under -d the delay is that run,
 * so the usual ticks go out at its end without pauses of their own (a
 * bench's latency is then the -d it asked for).  A scripted keepalive N
 * keeps its pauses.
 */
static void
pad(struct plan *p, const struct action *act, unsigned *seed)
{
	long i, n, ms;
	int paced = chat_delay_ms <= 0;

	n = 1 + rand_r(seed) % 3;
	if (action_is(act, "keepalive") && act->arg != NULL) {
		n = atol(act->arg);
		paced = 1;
	}
	for (i = 0; i < n; i++) {
		if (i > 0) {
			ms = 2 + rand_r(seed) % 4;
			plan_pause(p, paced ? ms : 0);
		}
		plan_addstr(p, PAD);
	}
}

static void
plan_addjv(struct plan *p, jv v)
{
	struct buf b = { NULL, 0, 0 };

	buf_addjv(&b, v);
	plan_add(p, b.p, b.len);
	buf_free(&b);
}

/*
 * truncated: the first half of the answer's JSON, then a clean end, as
 * when a proxy gives up on a body; it was generated, so it is billed.
 */
static void
plan_addhalf(struct plan *p, jv v)
{
	struct buf b = { NULL, 0, 0 };

	buf_addjv(&b, v);
	plan_add(p, b.p, b.len / 2);
	buf_free(&b);
}

/*
 * badutf8: bytes that are not UTF-8 (0xff 0xfe) at the head of the
 * content, as a provider that cuts a character in two may send them;
 * a jv string cannot hold them, so they go into the dumped text.
 */
static void
plan_addbad(struct plan *p, jv v)
{
	static const char at[] = "\"content\":\"";
	struct buf b = { NULL, 0, 0 };
	const char *c;
	size_t n;

	buf_addjv(&b, v);
	c = strstr(b.p, at);
	n = c == NULL ? b.len : (size_t)(c - b.p) + sizeof(at) - 1;
	plan_add(p, b.p, n);
	plan_addstr(p, "\xff\xfe");
	plan_add(p, b.p + n, b.len - n);
	buf_free(&b);
}

/* The JSON body after the padding, or how the body breaks instead. */
static void
json_body(const struct call *c, const struct answer *a,
    const struct action *act, struct plan *p)
{
	const char *finish = a->finish;
	long ctok = a->ctok;

	if (action_is(act, "stall") || action_is(act, "cut")) {
		plan_end(p, action_is(act, "cut") ? END_CUT : END_STALL,
		    act->arg ? atol(act->arg) : 1000);
		finish = NULL;
	} else if (action_is(act, "error200"))
		plan_addjv(p, JV_OBJECT(jv_string("error"), chat_error(act, 502,
		    "Provider returned error", 1),
		    jv_string("user_id"), jv_string(FAKE_USER)));
	else if (action_is(act, "midstream-error"))
		plan_addjv(p, JV_OBJECT(jv_string("error"),
		    chat_midstream_error(act),
		    jv_string("user_id"), jv_string(FAKE_USER)));
	else if (action_is(act, "choiceerror")) {
		plan_addjv(p, choice_error_body(a, act, &ctok));
		finish = "error";
	} else if (action_is(act, "truncated")) {
		plan_addhalf(p, completion(a, choice(a->text, a->textlen,
		    a->finish), a->ctok));
		finish = NULL;
	} else if (action_is(act, "badutf8"))
		plan_addbad(p, completion(a, choice(a->text, a->textlen,
		    a->finish), a->ctok));
	else
		plan_addjv(p, completion(a, choice(a->text, a->textlen,
		    a->finish), a->ctok));
	if (!action_is(act, "error200") && !action_is(act, "midstream-error"))
		remember(c, a, 0, finish, ctok, p);
}

static enum MHD_Result
send_json(struct call *c, const struct answer *a, const struct action *act)
{
	struct MHD_Response *r;
	struct plan *p;

	p = plan_new(c->seed, 0);
	plan_drip(p, action_num(act, "drip", 0));
	pad(p, act, &c->seed);
	json_body(c, a, act, p);
	r = plan_response(p, c->conn);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "application/json");
	MHD_add_response_header(r, "X-Generation-Id", a->id);
	return reply_queue(c, 200, r);
}

static const char *
stream_finish(const struct answer *a, const struct action *act)
{
	if (action_is(act, "stall") || action_is(act, "cut") ||
	    action_is(act, "truncated"))
		return NULL;
	if (action_is(act, "midstream-error") || action_is(act, "error200") ||
	    action_is(act, "choiceerror"))
		return "error";
	return a->finish;
}

static enum MHD_Result
send_sse(struct call *c, const struct answer *a, const struct action *act)
{
	struct MHD_Response *r;
	struct plan *p;
	size_t sent;

	p = plan_new(c->seed, 1);
	plan_drip(p, action_num(act, "drip", 0));
	sent = sse_plan(p, a, act, &c->seed);
	remember(c, a, 1, stream_finish(a, act), sent == a->textlen ?
	    a->ctok : (long)((sent + 3) / 4), p);
	r = plan_response(p, c->conn);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/event-stream");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	MHD_add_response_header(r, "X-Generation-Id", a->id);
	return reply_queue(c, 200, r);
}

static int
has_input(jv req)
{
	jv msgs;
	int ok;

	msgs = jget(req, "messages");
	ok = jv_get_kind(msgs) == JV_KIND_ARRAY &&
	    jv_array_length(jv_copy(msgs)) > 0;
	jv_free(msgs);
	return ok || prompt_bytes(req) > 0;
}

static void
v_string_to(jv v, char *out, size_t size)
{
	snprintf(out, size, "%s", jstr(v) != NULL ? jstr(v) : "");
	jv_free(v);
}

/* "models" without "model": the first of them that exists serves. */
static void
first_of_models(jv req, char *id, size_t size, int *given)
{
	jv list = jget(req, "models");
	double pr[2];
	int i, n;

	if (jv_get_kind(list) != JV_KIND_ARRAY) {
		jv_free(list);
		return;
	}
	n = jv_array_length(jv_copy(list));
	for (i = 0; i < n; i++) {
		v_string_to(jv_array_get(jv_copy(list), i), id, size);
		*given = 1;
		if (find_model(id, pr))
			break;
	}
	if (i == n && n > 0)
		v_string_to(jv_array_get(jv_copy(list), 0), id, size);
	jv_free(list);
}

/* The model asked for (or the default): in the catalog?  Its prices. */
static int
lookup(jv req, char *id, size_t size, int *given, double pr[2])
{
	jv v;

	v = jget(req, "model");
	*given = jv_is_valid(v) && jv_get_kind(v) != JV_KIND_NULL;
	snprintf(id, size, "%s", jstr(v) != NULL ? jstr(v) :
	    *given ? "" : DEFAULT_MODEL);
	jv_free(v);
	if (!*given)
		first_of_models(req, id, size, given);
	/* The auto router answers as the model it picked. */
	if (strcmp(id, "openrouter/auto") == 0)
		snprintf(id, size, "%s", DEFAULT_MODEL);
	return find_model(id, pr);
}

static enum MHD_Result
bad_model(struct call *c, const char *id)
{
	char msg[600];

	snprintf(msg, sizeof(msg), "%s is not a valid model ID", id);
	return reply_error(c, 400, msg, 1);
}

static int
wants_stream(jv req)
{
	jv v;
	int yes;

	v = jget(req, "stream");
	yes = jv_get_kind(v) == JV_KIND_TRUE;
	jv_free(v);
	return yes;
}

/* An "image_url" part in any message's content. */
static int
has_image(jv req)
{
	jv msgs, content, type;
	int yes = 0;

	msgs = jget(req, "messages");
	if (jv_get_kind(msgs) == JV_KIND_ARRAY) {
		jv_array_foreach(msgs, i, m) {
			content = jget(m, "content");
			if (jv_get_kind(content) == JV_KIND_ARRAY) {
				jv_array_foreach(content, k, part) {
					type = jget(part, "type");
					yes |= jstr(type) != NULL &&
					    strcmp(jstr(type), "image_url") == 0;
					jv_free(type);
					jv_free(part);
				}
			}
			jv_free(content);
			jv_free(m);
		}
	}
	jv_free(msgs);
	return yes;
}

/*
 * The catalog says the model reads images (architecture.
 * input_modalities); a routing variant as its base model.  A model the
 * catalog lacks is let through: the default model does.
 */
static int
takes_images(const char *id)
{
	jv m, mods;
	const char *colon;
	char *base;
	int yes = 1;

	m = catalog_find(id);
	if (!jv_is_valid(m) && (colon = strrchr(id, ':')) != NULL) {
		jv_free(m);
		base = xstrndup(id, (size_t)(colon - id));
		m = catalog_find(base);
		free(base);
	}
	if (jv_is_valid(m)) {
		mods = jv_getpath(jv_copy(m), JV_ARRAY(jv_string(
		    "architecture"), jv_string("input_modalities")));
		yes = 0;
		if (jv_get_kind(mods) == JV_KIND_ARRAY)
			jv_array_foreach(mods, i, x) {
				yes |= jstr(x) != NULL &&
				    strcmp(jstr(x), "image") == 0;
				jv_free(x);
			}
		jv_free(mods);
	}
	jv_free(m);
	return yes;
}

/* Refusals first, as the real API makes them before it commits to 200. */
enum MHD_Result
chat_serve(struct call *c, const struct action *act)
{
	struct answer a;
	enum MHD_Result r;
	char id[512];
	double pr[2];
	int given;

	if (c->auth != AUTH_OK)
		return reply_auth(c);
	if (jv_get_kind(c->json) != JV_KIND_OBJECT)
		return reply_error(c, 400, jv_is_valid(c->json) ?
		    "Invalid request body: expected a JSON object" :
		    "Invalid request body: not JSON", 1);
	if (!has_input(c->json))
		return reply_error(c, 400,
		    "Input required: specify \"prompt\" or \"messages\"", 1);
	if (!lookup(c->json, id, sizeof(id), &given, pr) && given)
		return bad_model(c, id);
	/* as OpenRouter answers an image to a text-only model */
	if (has_image(c->json) && !takes_images(id))
		return reply_error(c, 404,
		    "No endpoints found that support image input", 0);
	answer_init(&a, c, id, pr);
	a.byok = action_is(act, "byok");
	if (action_is(act, "big") && act->arg != NULL)
		answer_grow(&a, (size_t)atol(act->arg));
	if (wants_stream(c->json))
		r = send_sse(c, &a, act);
	else
		r = send_json(c, &a, act);
	free(a.model);
	free(a.text);
	return r;
}
