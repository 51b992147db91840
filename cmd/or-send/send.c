/*
 * send.c: one record to one chat completion.
 *
 * The request is the record as lib/request builds it, with or-send's
 * defaults; the answer is added as "response" exactly as it came, with
 * "send" saying how it went.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "config.h"
#include "http.h"
#include "jvx.h"
#include "log.h"
#include "money.h"
#include "record.h"
#include "reqhash.h"
#include "request.h"
#include "send.h"
#include "stream.h"
#include "util.h"

/* Where lib/config took the key from, by the same rule; never the key. */
static jv
key_source(void)
{
	const char *env = getenv("OPENROUTER_API_KEY");
	const char *file = getenv("OPENROUTER_API_KEY_FILE");
	char *path;
	jv s;

	if (env && *env)
		return jv_string("OPENROUTER_API_KEY");
	if (file && *file)
		return jv_string_fmt("the file %s (OPENROUTER_API_KEY_FILE)",
		    file);
	path = cfg_path("XDG_CONFIG_HOME", ".config", "key");
	s = jv_string_fmt("the file %s", path);
	free(path);
	return s;
}

/* "; did you mean a, b?" from or-models' cache, or invalid. */
static jv
did_you_mean(jv model)
{
	const struct model *near[3];
	struct catalog *c;
	char *path;
	size_t i, n = 0;
	jv s = jv_invalid();

	if (jv_get_kind(model) != JV_KIND_STRING) {
		jv_free(model);
		return s;
	}
	path = cat_path();
	c = cat_read(path);
	free(path);
	if (c)
		n = cat_suggest(c, jv_string_value(model), near, 3);
	for (i = 0; i < n; i++)
		s = jv_string_append_str(jv_is_valid(s) ?
		    jv_string_append_str(s, ", ") : jv_string("did you mean "),
		    near[i]->id);
	if (n > 0)
		s = jv_string_append_str(s, "?");
	cat_free(c);
	jv_free(model);
	return s;
}

/*
 * What a user can do about an error, as error.hint (the API's own
 * message stays as it came): a refused key and where it came from, a
 * URL that is not the API, a model id near a real one.
 */
static jv
add_hint(const struct sender *s, jv err, jv model)
{
	jv st = jvx_get(jv_copy(err), "status");
	jv msg = jvx_get(jv_copy(err), "message");
	long status = jv_get_kind(st) == JV_KIND_NUMBER ?
	    (long)jv_number_value(st) : 0;
	const char *m = jv_get_kind(msg) == JV_KIND_STRING ?
	    jv_string_value(msg) : "";
	jv hint = jv_invalid(), src;

	if (status == 401) {
		src = key_source();
		hint = jv_string_fmt("the API key was refused (the key from "
		    "%s)", jv_string_value(src));
		jv_free(src);
	} else if (status == 404 && !strstr(m, "No endpoints"))
		hint = jv_string_fmt("%s/chat/completions is not the chat "
		    "API: is OPENROUTER_BASE_URL right?", s->cfg.base_url);
	else if (status == 400 && strstr(m, "not a valid model"))
		hint = did_you_mean(jv_copy(model));
	if (jv_is_valid(hint))
		err = jv_object_set(err, jv_string("hint"), hint);
	jv_free(st);
	jv_free(msg);
	jv_free(model);
	return err;
}

static void
fail(struct rec *rec, const char *type, const char *msg)
{
	jv err = rec_errobj(type, msg, 0);

	rec_complain(rec, jv_copy(err));
	rec_add(rec, "error", err);
}

/* A 200 can still be a failure: an error in its first choice, or none. */
static jv
chat_error(jv body)
{
	jv choices = jvx_get(jv_copy(body), "choices");
	jv cerr = jvx_path(jv_copy(choices), "0.error");
	jv e = jv_invalid();

	if (jv_get_kind(cerr) == JV_KIND_OBJECT)
		e = http_api_error(200, jv_copy(cerr));
	else if (jv_get_kind(choices) != JV_KIND_ARRAY ||
	    jv_array_length(jv_copy(choices)) == 0)
		e = rec_errobj("bad_response", "response has no choices", 1);
	jv_free(cerr);
	jv_free(choices);
	jv_free(body);
	return e;
}

static void
announce_retry(const struct rec *rec, jv err, int attempt, int retries,
    int64_t wait)
{
	jv w = rec_where(rec), msg = jvx_get(jv_copy(err), "message");
	jv status = jvx_get(jv_copy(err), "status");
	char st[32] = "";

	if (!log_on(LV_WARN)) {	/* ORKIT_LOG_LEVEL=error */
		jv_free(w), jv_free(msg), jv_free(status), jv_free(err);
		return;
	}
	/* a body that is not the API's envelope says "HTTP N" already */
	if (jv_get_kind(status) == JV_KIND_NUMBER &&
	    (jv_get_kind(msg) != JV_KIND_STRING ||
	    strncmp(jv_string_value(msg), "HTTP ", 5) != 0))
		snprintf(st, sizeof(st), "HTTP %.0f: ",
		    jv_number_value(status));
	warnx_("%s: %s%s; retry %d of %d in %.1fs", jv_string_value(w), st,
	    jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "",
	    attempt, retries, (double)wait / 1000);
	jv_free(w);
	jv_free(msg);
	jv_free(status);
	jv_free(err);
}

/*
 * The model a body asks for: "model", else the first of "models", else
 * null (the API's default model). Borrows the body.
 */
static jv
body_model(jv body)
{
	jv m = jvx_get(jv_copy(body), "model");

	if (jv_get_kind(m) == JV_KIND_STRING)
		return m;
	jv_free(m);
	m = jvx_path(jv_copy(body), "models.0");
	if (jv_get_kind(m) == JV_KIND_STRING)
		return m;
	jv_free(m);
	return jv_null();
}

static jv
send_info(struct job *j)
{
	const struct http_resp *resp = &j->xf->resp;
	jv info;
	char iso[64];

	iso8601_ms(j->started, iso);
	info = JV_OBJECT(jv_string("status"),
	    resp->status ? jv_number(resp->status) : jv_null(),
	    jv_string("attempts"), jv_number(j->attempts),
	    jv_string("latency_ms"), jv_number((double)resp->latency_ms),
	    jv_string("backoff_ms"), jv_number((double)j->backoff),
	    jv_string("started_at"), jv_string(iso));
	if (j->ttft >= 0)
		info = jv_object_set(info, jv_string("ttft_ms"),
		    jv_number((double)j->ttft));
	if (jv_is_valid(j->tried))
		info = jv_object_set(info, jv_string("models_tried"),
		    jv_copy(j->tried));
	info = jv_object_set(info, jv_string("model"), body_model(j->body));
	if (j->hash[0])
		info = jv_object_set(info, jv_string("request_hash"),
		    jv_string(j->hash));
	if (j->cid)
		info = jv_object_set(info, jv_string("cid"),
		    jv_string(j->cid));
	return info;
}

/*
 * A completion-shaped body is kept even when it failed: it may be billed.
 * json is its text as received (NULL: dump it); a stream that gave no
 * chunk leaves no shell.
 */
static void
add_response(struct job *j, jv body, const char *json, size_t n)
{
	jv cost;

	if (jv_get_kind(body) != JV_KIND_OBJECT || !(jvx_has(body, "id") ||
	    (j->is_sse != 1 && jvx_has(body, "choices")))) {
		jv_free(body);
		return;
	}
	cost = jvx_path(jv_copy(body), "usage.cost");
	if (jv_get_kind(cost) == JV_KIND_NUMBER)
		j->usd += jv_number_value(cost);
	jv_free(cost);
	if (json && utf8_valid(json, n))
		rec_add_raw(j->rec, "response", body, json, n);
	else
		rec_add(j->rec, "response", body);
}

static int
is_free(jv model)
{
	return jv_get_kind(model) == JV_KIND_STRING &&
	    cat_is_free_id(jv_string_value(model));
}

static void
set_model(struct job *j, jv model)
{
	jv text;

	j->body = jv_object_delete(j->body, jv_string("models"));
	j->body = jv_object_set(j->body, jv_string("model"), model);
	free(j->req);
	text = jv_dump_string(jv_copy(j->body), 0);
	j->reqlen = (size_t)jv_string_length_bytes(jv_copy(text));
	j->req = xstrdup(jv_string_value(text));
	jv_free(text);
	j->tries = 0;
}

/* Strips what an earlier or-send run added, for --retry. */
static int
strip_retryable(struct rec *rec)
{
	static const char *old[] = { "error", "send", "response", "cost",
	    "log", NULL };
	jv r = jvx_path(rec_get(rec, "error"), "retryable");
	int yes = jv_get_kind(r) == JV_KIND_TRUE;
	int i;

	jv_free(r);
	if (!yes)
		return 0;
	for (i = 0; old[i]; i++)
		rec_del(rec, old[i]);
	rec->failed = 0;
	return 1;
}

/*
 * A turn's request hash is of what it sent, the earlier turns too, so
 * that or-log cache never answers it with what the same words got
 * alone or in another conversation.
 */
static int
conversation_hash(const struct sender *s, const struct rec *rec,
    const struct req_defaults *d, char hash[65])
{
	jv req = req_canonical(rec->val, d);

	if (jv_is_valid(req))
		req = convo_body(s, req);
	return req_hash_canonical(req, hash);
}

int
send_prepare(struct sender *s, struct job *j)
{
	struct rec *rec = j->rec;
	struct req_defaults d = { s->model, s->system, s->opts,
	    s->free ? s->free_model : NULL, s->stream, s->attach };
	const char *why = NULL;
	jv text;

	j->tried = jv_invalid();
	j->body = jv_invalid();
	j->ttft = -1;
	j->gated = j->cost = -1;
	j->is_sse = -1;
	if (rec->kind == REC_BAD)
		return 0;	/* lib/record said so */
	if (rec_has(rec, "error") && !(s->retry && strip_retryable(rec))) {
		if (s->textmode)	/* else the record itself says it */
			rec_complain(rec, rec_get(rec, "error"));
		return 0;
	}
	if (rec_has(rec, "response"))
		return 0;
	j->body = req_build(jv_copy(rec->val), &d, REQ_STRICT, &why);
	if (why) {
		fail(rec, "bad_input", why);
		return 0;
	}
	if ((j->cid = s->cid) != NULL)
		j->body = convo_body(s, j->body);
	if (!(j->cid ? conversation_hash(s, rec, &d, j->hash) :
	    req_hash(rec->val, &d, j->hash)))
		j->hash[0] = '\0';
	if (jv_array_length(jv_copy(s->fallback)) > 0 || s->on402free)
		j->tried = jv_array();
	text = jv_dump_string(jv_copy(j->body), 0);
	j->reqlen = (size_t)jv_string_length_bytes(jv_copy(text));
	j->req = xstrdup(jv_string_value(text));
	jv_free(text);
	text = jvx_get(jv_copy(j->body), "stream");
	j->wants_sse = jv_get_kind(text) == JV_KIND_TRUE;
	jv_free(text);
	j->started = now_ms();
	return 1;
}

/* The model failed, not the request: another model may do. */
static int
model_failed(jv err)
{
	static const char *types[] = { "context_length_exceeded",
	    "not_found", "provider_unavailable", "max_tokens_exceeded",
	    "token_limit_exceeded", NULL };
	jv st = jvx_get(jv_copy(err), "status");
	jv type = jvx_get(jv_copy(err), "type");
	jv msg = jvx_get(jv_copy(err), "message");
	long status = jv_get_kind(st) == JV_KIND_NUMBER ?
	    (long)jv_number_value(st) : 0;
	const char *m = jv_get_kind(msg) == JV_KIND_STRING ?
	    jv_string_value(msg) : "";
	int i, yes = status == 404 || status == 503 ||
	    (status == 400 && (strstr(m, "not a valid model") ||
	    strstr(m, "not supported") || strstr(m, "unsupported") ||
	    strstr(m, "context length") || strstr(m, "No endpoints")));

	for (i = 0; !yes && types[i] && jv_get_kind(type) ==
	    JV_KIND_STRING; i++)
		yes = strcmp(jv_string_value(type), types[i]) == 0;
	jv_free(st);
	jv_free(type);
	jv_free(msg);
	jv_free(err);
	return yes;
}

static void
note_tried(struct job *j, jv err)
{
	jv t, msg;

	if (!jv_is_valid(j->tried)) {
		jv_free(err);
		return;
	}
	t = JV_OBJECT(jv_string("model"), body_model(j->body),
	    jv_string("status"), j->xf->resp.status ?
	    jv_number(j->xf->resp.status) : jv_null());
	if (jv_is_valid(err)) {
		msg = jvx_get(jv_copy(err), "message");
		t = jv_object_set(t, jv_string("error"), jv_is_valid(msg) ?
		    msg : jv_null());
	}
	jv_free(err);
	j->tried = jv_array_append(j->tried, t);
}

/* Resent on its own: what a retry may cure and was surely not billed. */
static int
resend(jv err)
{
	return http_should_retry(err) && !jvx_has(err, "received");
}

/*
 * Worth another model once this one's retries are spent: what a retry
 * may cure, and a timeout before any byte came (the model is slow or
 * down, not the request wrong).
 */
static int
transient(const struct job *j, jv err)
{
	jv t = jvx_get(jv_copy(err), "type");
	int yes = resend(err) || (j->xf->resp.status == 0 &&
	    jv_get_kind(t) == JV_KIND_STRING &&
	    strcmp(jv_string_value(t), "timeout") == 0);

	jv_free(t);
	jv_free(err);
	return yes;
}

/* The wait a 429 asks for is longer than ORKIT_MAX_WAIT. */
static int
too_long(const struct sender *s, const struct http_resp *resp)
{
	int64_t w = -1;

	if (resp->status != 429)
		return 0;
	if (resp->retry_after_ms >= 0)
		w = resp->retry_after_ms;
	else if (resp->reset_ms > 0)
		w = resp->reset_ms - now_ms();
	return w > s->max_wait_ms;
}

static int
has_fallback(const struct sender *s, const struct job *j)
{
	return j->nextmodel < jv_array_length(jv_copy(s->fallback));
}

/* Another model to try after this failure, or invalid. */
static jv
next_model(struct sender *s, struct job *j, jv err)
{
	jv st = jvx_get(jv_copy(err), "status");
	jv model = body_model(j->body);
	int pay = jv_get_kind(st) == JV_KIND_NUMBER &&
	    jv_number_value(st) == 402;
	jv next = jv_invalid();

	if (pay && s->on402free && !is_free(model))
		next = jv_string(s->free_model);
	else if (!pay && model_failed(jv_copy(err)) && has_fallback(s, j))
		next = jv_array_get(jv_copy(s->fallback), j->nextmodel++);
	jv_free(st);
	jv_free(model);
	jv_free(err);
	return next;
}

/*
 * A stream ended by curl's clock: silent for ORKIT_STALL_MS (xfer's
 * watch), or still coming when OPENROUTER_TIMEOUT_MS ran out.
 */
static int
stalled(const struct sender *s, const struct job *j)
{
	return (s->stream || j->wants_sse) && s->stall_ms > 0 &&
	    mono_ms() - j->xf->last_byte >= s->stall_ms;
}

static jv
stream_timeout(struct sender *s, struct job *j)
{
	jv msg, e;

	if (stalled(s, j))
		msg = jv_string_fmt("stream stalled: no bytes for %.1fs "
		    "(ORKIT_STALL_MS)", (double)s->stall_ms / 1000);
	else
		msg = jv_string_fmt("stream timed out after %.1fs "
		    "(OPENROUTER_TIMEOUT_MS), still receiving",
		    (double)s->cfg.timeout_ms / 1000);
	e = rec_errobj("stream", jv_string_value(msg), 1);
	jv_free(msg);
	return e;
}

/* An error event inside a stream: the API's code and message. */
static jv
stream_api_error(jv apierr)
{
	jv e = http_api_error(200, apierr);

	return jv_object_set(e, jv_string("type"), jv_string("stream"));
}

/*
 * What the answer was: the parsed response (or invalid), its text as
 * received in *json (reset first), and the error.
 */
static jv
outcome(struct sender *s, struct job *j, jv *body, struct buf *json)
{
	const struct http_resp *resp = &j->xf->resp;
	const char *p;
	size_t n;
	jv err;

	buf_reset(json);
	if (j->st && j->is_sse == 1) {
		*body = stream_response(j->st);
		stream_response_json(j->st, json);
		err = stream_error(j->st);
		if (jv_is_valid(err))
			return stream_api_error(err);
		jv_free(err);
		if (resp->code == CURLE_OPERATION_TIMEDOUT)
			return stream_timeout(s, j);
		if (resp->code != CURLE_OK || !stream_done(j->st))
			return rec_errobj("stream", "stream cut before "
			    "data: [DONE]", 1);
		return chat_error(jv_copy(*body));
	}
	if (resp->code == CURLE_OPERATION_TIMEDOUT && stalled(s, j)) {
		*body = jv_invalid();	/* not a byte of the body came */
		return stream_timeout(s, j);
	}
	err = http_error(resp, body);
	p = http_json(resp, &n);
	buf_add(json, p, n);
	if (!jv_is_valid(err))
		err = chat_error(jv_copy(*body));
	return err;
}

/* usage.cost of an answer, in picodollars; -1 when it says none. */
static int64_t
attempt_cost(jv body)
{
	double usd;

	if (jv_get_kind(body) != JV_KIND_OBJECT ||
	    !jvx_num(body, "usage.cost", &usd))
		return -1;
	return money_pico(usd);
}

/*
 * One request of the job's finished. 1 when it is to be sent again,
 * not before *wait ms; 0 when the record is complete.
 */
int
send_result(struct sender *s, struct job *j, int64_t *wait)
{
	const struct http_resp *resp = &j->xf->resp;
	struct buf json = { 0 };
	jv err, body, next;

	*wait = 0;
	j->waited = -1;
	send_reasoning_end(j);	/* its line ends before any message */
	err = outcome(s, j, &body, &json);
	j->cost = attempt_cost(body);
	if (jv_is_valid(err) && jv_is_valid(next = next_model(s, j, jv_copy(err)))) {
		note_tried(j, jv_copy(err));
		jv_free(err);
		jv_free(body);
		set_model(j, next);
		buf_free(&json);
		return 1;
	}
	if (jv_is_valid(err) && j->tries <= s->cfg.retries &&
	    resend(err) && !(has_fallback(s, j) &&
	    too_long(s, resp))) {
		note_tried(j, jv_copy(err));
		*wait = http_retry_wait(&s->cfg, resp, j->tries);
		if (resp->retry_after_ms >= 0 || resp->reset_ms > 0)
			j->waited = *wait;
		announce_retry(j->rec, jv_copy(err), j->tries,
		    s->cfg.retries, *wait);
		j->backoff += *wait;
		jv_free(err);
		jv_free(body);
		buf_free(&json);
		return 1;
	}
	if (jv_is_valid(err) && has_fallback(s, j) &&
	    transient(j, jv_copy(err))) {
		/* this model's retries are spent: the next, with its own */
		note_tried(j, jv_copy(err));
		jv_free(err);
		jv_free(body);
		buf_free(&json);
		set_model(j, jv_array_get(jv_copy(s->fallback),
		    j->nextmodel++));
		return 1;
	}
	note_tried(j, jv_copy(err));
	add_response(j, body, json.buf, json.len);
	buf_free(&json);
	rec_add(j->rec, "send", send_info(j));
	if (jv_is_valid(err)) {
		err = add_hint(s, err, body_model(j->body));
		rec_complain(j->rec, jv_copy(err));
		rec_add(j->rec, "error", err);
	} else
		jv_free(err);
	return 0;
}

/*
 * SIGINT: the record goes on unsent, or with what was in flight; said
 * on stderr too when asked (a batch says it once for all).
 */
void
send_interrupt(struct job *j, int inflight, int say)
{
	jv err = rec_errobj("interrupted", inflight ?
	    "interrupted while in flight; it may have been billed" :
	    "interrupted before it was sent", 1);

	if (say)
		rec_complain(j->rec, jv_copy(err));
	if (j->attempts > 0)
		rec_add(j->rec, "send", send_info(j));
	rec_add(j->rec, "error", err);
}

/* A stop other than a signal: the record goes on unsent, with err. */
void
send_unsent(struct job *j, jv err)
{
	if (j->attempts > 0)
		rec_add(j->rec, "send", send_info(j));
	rec_add(j->rec, "error", err);
}

/* What reasoning is held goes out, and its line ends. */
void
send_reasoning_end(struct job *j)
{
	if (!j->reasoned)
		return;
	(void)put_hidden_part(stderr, &j->rheld, NULL, 0, 1);
	fputc('\n', stderr);
	j->reasoned = 0;
}

void
send_job_free(struct job *j)
{
	if (j == NULL)
		return;
	buf_free(&j->held);
	buf_free(&j->rheld);
	rec_free(j->rec);
	jv_free(j->body);
	jv_free(j->tried);
	free(j->req);
	free(j->gmodel);
	if (j->st)
		stream_free(j->st);
	free(j);
}
