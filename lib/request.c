/*
 * request.c: a record to the chat request it stands for.
 *
 * The steps run in the order or-send has always taken them, so the
 * body's keys come out in the same order, byte for byte.
 */
#include <string.h>

#include "catalog.h"
#include "jvx.h"
#include "request.h"

/* orkit(7) says who writes each. */
const char *const req_reserved[] = {
	"prompt", "system", "id", "meta", "routed", "response", "send",
	"cost", "error", "task", "priority", "log", NULL
};

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

/* A shorthand of the wrong kind: *why when strict, else left out. */
static jv
check(jv v, int ok, int mode, const char *msg, const char **why)
{
	if (!jv_is_valid(v) || ok)
		return v;
	jv_free(v);
	if (mode == REQ_STRICT && *why == NULL)
		*why = msg;
	return jv_invalid();
}

static int
is_content(jv v)
{
	return jv_get_kind(v) == JV_KIND_STRING ||
	    jv_get_kind(v) == JV_KIND_ARRAY;
}

static int
has_parts(jv attach)
{
	return jv_get_kind(attach) == JV_KIND_ARRAY &&
	    jv_array_length(jv_copy(attach)) > 0;
}

/*
 * The prompt as a content array, its text first, then the attached
 * parts (the order OpenRouter advises: text, then images). Consumes
 * the prompt; borrows the parts.
 */
static jv
with_parts(jv prompt, jv attach)
{
	if (jv_get_kind(prompt) == JV_KIND_STRING)
		prompt = JV_ARRAY(JV_OBJECT(jv_string("type"),
		    jv_string("text"), jv_string("text"), prompt));
	return jv_array_concat(prompt, jv_copy(attach));
}

/* system first, then the record's messages, then its prompt. */
static jv
build_messages(const struct req_defaults *d, jv rec, int mode,
    const char **why)
{
	jv msgs = jvx_get(jv_copy(rec), "messages");
	jv prompt = jvx_get(jv_copy(rec), "prompt");
	jv sys = jvx_get(rec, "system");
	jv out = jv_array();

	msgs = check(msgs, jv_get_kind(msgs) == JV_KIND_ARRAY, mode,
	    "\"messages\" is not an array", why);
	prompt = check(prompt, is_content(prompt), mode,
	    "\"prompt\" is not a string or an array of parts", why);
	sys = check(sys, jv_get_kind(sys) == JV_KIND_STRING, mode,
	    "\"system\" is not a string", why);
	if (!jv_is_valid(msgs))
		msgs = jv_array();
	if (d && has_parts(d->attach) && !jv_is_valid(prompt) &&
	    mode == REQ_STRICT && *why == NULL)
		*why = "-a attaches to a record's \"prompt\", and this one "
		    "has none";
	if (*why) {
		jv_free(msgs), jv_free(prompt), jv_free(sys), jv_free(out);
		return jv_invalid();
	}
	if (!jv_is_valid(sys) && d && d->system && !has_system_message(msgs))
		sys = jv_string(d->system);
	if (jv_is_valid(sys))
		out = jv_array_append(out, message("system", sys));
	else
		jv_free(sys);
	out = jv_array_concat(out, msgs);
	if (jv_is_valid(prompt) && d && has_parts(d->attach))
		prompt = with_parts(prompt, d->attach);
	if (jv_is_valid(prompt))
		out = jv_array_append(out, message("user", prompt));
	else
		jv_free(prompt);
	if (jv_array_length(jv_copy(out)) == 0) {
		*why = "no \"prompt\" and no \"messages\"";
		jv_free(out);
		return jv_invalid();
	}
	return out;
}

/* What the defaults fill in, then what they impose. */
static jv
apply(const struct req_defaults *d, jv body)
{
	jv model;

	if (d->model && !jvx_has(body, "model") && !jvx_has(body, "models"))
		body = jv_object_set(body, jv_string("model"),
		    jv_string(d->model));
	if (jv_get_kind(d->opts) == JV_KIND_OBJECT) {
		jv_object_foreach(d->opts, k, v) {
			if (!jv_object_has(jv_copy(body), jv_copy(k)))
				body = jv_object_set(body, k, v);
			else {
				jv_free(k);
				jv_free(v);
			}
		}
	}
	model = jvx_get(jv_copy(body), "model");
	if (d->free_model && !(jv_get_kind(model) == JV_KIND_STRING &&
	    cat_is_free_id(jv_string_value(model))))
		body = jv_object_set(jv_object_delete(body,
		    jv_string("models")), jv_string("model"),
		    jv_string(d->free_model));
	jv_free(model);
	if (d->stream)
		body = jv_object_set(body, jv_string("stream"), jv_true());
	return body;
}

jv
req_build(jv rec, const struct req_defaults *d, int mode, const char **why)
{
	jv msgs;
	int i;

	*why = NULL;
	if (jv_get_kind(rec) != JV_KIND_OBJECT) {
		jv_free(rec);
		*why = "not a JSON object";
		return jv_invalid();
	}
	msgs = build_messages(d, jv_copy(rec), mode, why);
	if (*why) {
		jv_free(rec);
		return jv_invalid();
	}
	for (i = 0; req_reserved[i]; i++)
		rec = jv_object_delete(rec, jv_string(req_reserved[i]));
	rec = jv_object_set(rec, jv_string("messages"), msgs);
	return d ? apply(d, rec) : rec;
}

jv
req_option(jv opts, const char *arg)
{
	const char *eq = strchr(arg, '=');
	jv v;

	if (eq == NULL || eq == arg) {
		jv_free(opts);
		return jv_invalid();
	}
	v = jvx_parse(eq + 1, strlen(eq + 1));
	if (!jv_is_valid(v)) {
		jv_free(v);
		v = jv_string(eq + 1);
	}
	if (!jv_is_valid(opts))
		opts = jv_object();
	return jv_object_set(opts, jv_string_sized(arg, (int)(eq - arg)), v);
}
