/*
 * send.c: one record to one chat completion.
 *
 * The request is the record less orkit's reserved keys; the answer is
 * added as "response" exactly as it came, with "send" saying how it went.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "jvx.h"
#include "record.h"
#include "send.h"
#include "util.h"

static const char *reserved[] = {
	"prompt", "system", "id", "meta", "routed", "response", "send",
	"cost", "error", "task", "priority", "log", NULL
};

/* "line 17", or the record's own id when it has one. */
static jv
where(const struct rec *rec)
{
	jv id = rec_get(rec, "id");

	if (jv_get_kind(id) == JV_KIND_STRING)
		return id;
	if (jv_get_kind(id) == JV_KIND_NUMBER)
		return jv_dump_string(id, 0);
	jv_free(id);
	if (rec->lineno == 0)
		return jv_string("prompt");
	return jv_string_fmt("line %ld", rec->lineno);
}

static void
complain(const struct rec *rec, jv err)
{
	jv w = where(rec);
	jv msg = jvx_get(jv_copy(err), "message");

	warnx_("%s: %s", jv_string_value(w), jv_get_kind(msg) ==
	    JV_KIND_STRING ? jv_string_value(msg) : "failed");
	jv_free(w);
	jv_free(msg);
	jv_free(err);
}

static void
fail(struct rec *rec, const char *type, const char *msg)
{
	jv err = rec_errobj(type, msg, 0);

	complain(rec, jv_copy(err));
	rec_add(rec, "error", err);
}

static int
has_system_message(jv msgs)
{
	int found = 0;

	jv_array_foreach(msgs, i, m) {
		jv role = jvx_get(m, "role");

		if (jv_get_kind(role) == JV_KIND_STRING &&
		    strcmp(jv_string_value(role), "system") == 0)
			found = 1;
		jv_free(role);
	}
	return found;
}

static jv
message(const char *role, jv content)
{
	return JV_OBJECT(jv_string("role"), jv_string(role),
	    jv_string("content"), content);
}

/* system first, then the record's messages, then its prompt. */
static jv
build_messages(struct sender *s, jv rec, const char **why)
{
	jv msgs = jvx_get(jv_copy(rec), "messages");
	jv prompt = jvx_get(jv_copy(rec), "prompt");
	jv sys = jvx_get(jv_copy(rec), "system");
	jv out = jv_array();

	if (!jv_is_valid(msgs))
		msgs = jv_array();
	if (jv_get_kind(msgs) != JV_KIND_ARRAY)
		*why = "\"messages\" is not an array";
	else if (jv_is_valid(prompt) && jv_get_kind(prompt) !=
	    JV_KIND_STRING && jv_get_kind(prompt) != JV_KIND_ARRAY)
		*why = "\"prompt\" is not a string or an array of parts";
	else if (jv_is_valid(sys) && jv_get_kind(sys) != JV_KIND_STRING)
		*why = "\"system\" is not a string";
	if (*why) {
		jv_free(msgs), jv_free(prompt), jv_free(sys), jv_free(out);
		return jv_invalid();
	}
	if (!jv_is_valid(sys) && s->system && !has_system_message(msgs))
		sys = jv_string(s->system);
	if (jv_is_valid(sys))
		out = jv_array_append(out, message("system", sys));
	else
		jv_free(sys);
	out = jv_array_concat(out, msgs);
	if (jv_is_valid(prompt))
		out = jv_array_append(out, message("user", prompt));
	else
		jv_free(prompt);
	if (jv_array_length(jv_copy(out)) == 0)
		*why = "no \"prompt\" and no \"messages\"";
	return out;
}

static jv
build_body(struct sender *s, jv rec, const char **why)
{
	jv body = jv_copy(rec), msgs;
	int i;

	msgs = build_messages(s, rec, why);
	if (*why) {
		jv_free(body);
		jv_free(msgs);
		return jv_invalid();
	}
	for (i = 0; reserved[i]; i++)
		body = jv_object_delete(body, jv_string(reserved[i]));
	body = jv_object_set(body, jv_string("messages"), msgs);
	if (s->model && !jvx_has(body, "model") && !jvx_has(body, "models"))
		body = jv_object_set(body, jv_string("model"),
		    jv_string(s->model));
	jv_object_foreach(s->opts, k, v) {
		if (!jv_object_has(jv_copy(body), jv_copy(k)))
			body = jv_object_set(body, k, v);
		else {
			jv_free(k);
			jv_free(v);
		}
	}
	return body;
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
	return e;
}

static void
announce_retry(const struct rec *rec, jv err, int attempt, int retries,
    int64_t wait)
{
	jv w = where(rec), msg = jvx_get(jv_copy(err), "message");
	jv status = jvx_get(jv_copy(err), "status");
	char st[32] = "";

	if (jv_get_kind(status) == JV_KIND_NUMBER)
		snprintf(st, sizeof(st), "HTTP %d: ",
		    (int)jv_number_value(status));
	warnx_("%s: %s%s; retry %d of %d in %.1fs", jv_string_value(w), st,
	    jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "",
	    attempt, retries, (double)wait / 1000);
	jv_free(w);
	jv_free(msg);
	jv_free(status);
}

static jv
send_info(long status, int attempts, int64_t latency, int64_t started,
    int64_t backoff)
{
	char iso[64];

	iso8601_ms(started, iso);
	return JV_OBJECT(jv_string("status"),
	    status ? jv_number(status) : jv_null(),
	    jv_string("attempts"), jv_number(attempts),
	    jv_string("latency_ms"), jv_number((double)latency),
	    jv_string("backoff_ms"), jv_number((double)backoff),
	    jv_string("started_at"), jv_string(iso));
}

/* A completion-shaped body is kept even when it failed: it may be billed. */
static void
add_response(struct rec *rec, struct http_resp *r, jv body)
{
	const char *json;
	size_t n;

	if (jv_get_kind(body) != JV_KIND_OBJECT || !(jvx_has(body, "id") ||
	    jvx_has(body, "choices"))) {
		jv_free(body);
		return;
	}
	json = http_json(r, &n);
	if (utf8_valid(json, n))
		rec_add_raw(rec, "response", body, json, n);
	else
		rec_add(rec, "response", body);
}

static void
transact(struct sender *s, struct rec *rec, const char *text, size_t len)
{
	struct http_resp r = { 0 };
	int64_t started = now_ms(), backoff = 0, wait;
	int attempt;
	jv err, body;

	for (attempt = 1;; attempt++) {
		http_post(s->http, "/chat/completions", text, len, &r);
		err = http_error(&r, &body);
		if (!jv_is_valid(err))
			err = chat_error(body);
		if (!jv_is_valid(err) || attempt > s->cfg.retries ||
		    !http_should_retry(err))
			break;
		wait = http_retry_wait(&s->cfg, &r, attempt);
		announce_retry(rec, err, attempt, s->cfg.retries, wait);
		jv_free(err);
		jv_free(body);
		sleep_ms(wait);
		backoff += wait;
	}
	add_response(rec, &r, body);
	rec_add(rec, "send", send_info(r.status, attempt, r.latency_ms,
	    started, backoff));
	if (jv_is_valid(err)) {
		complain(rec, jv_copy(err));
		rec_add(rec, "error", err);
	} else
		jv_free(err);
	http_resp_free(&r);
}

void
send_record(struct sender *s, struct rec *rec)
{
	const char *why = NULL;
	jv body, text;

	if (rec->kind == REC_BAD) {
		complain(rec, rec_get(rec, "error"));
		return;
	}
	if (rec_has(rec, "error")) {
		if (s->textmode)	/* else the record itself says it */
			complain(rec, rec_get(rec, "error"));
		return;
	}
	if (rec_has(rec, "response"))
		return;
	body = build_body(s, rec->val, &why);
	if (why) {
		fail(rec, "bad_input", why);
		return;
	}
	text = jv_dump_string(body, 0);
	transact(s, rec, jv_string_value(text),
	    (size_t)jv_string_length_bytes(jv_copy(text)));
	jv_free(text);
}

static void
append_parts(struct buf *b, jv parts)
{
	jv_array_foreach(parts, i, part) {
		jv t = jvx_get(part, "text");

		if (jv_get_kind(t) == JV_KIND_STRING)
			buf_adds(b, jv_string_value(t));
		jv_free(t);
	}
}

char *
send_text(struct rec *rec)
{
	jv content = jvx_path(rec_get(rec, "response"),
	    "choices.0.message.content");
	struct buf b = { 0 };

	if (jv_get_kind(content) == JV_KIND_STRING)
		buf_adds(&b, jv_string_value(content));
	else if (jv_get_kind(content) == JV_KIND_ARRAY)
		append_parts(&b, content);
	jv_free(content);
	buf_str(&b);
	return b.buf;
}
