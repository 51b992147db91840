/*
 * stream.c: a chat completion stream assembled into the non-streamed
 * shape.  The joined strings grow in struct bufs and become jvs only
 * when the response is built, so a long answer costs no quadratic
 * copying; everything else is kept as the few jvs it ends up as.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "jvx.h"
#include "sse.h"
#include "stream.h"
#include "util.h"

/* A string joined from deltas. */
struct text {
	struct buf	 b;
	int		 key;		/* the key came, if only as null */
	int		 str;		/* a string came */
};

/* A tool call or a reasoning_details item, merged from its pieces. */
struct part {
	int		 index;		/* -1: the pieces carry none */
	jv		 type;		/* reasoning_details: told apart by it */
	jv		 obj;		/* the fields, first non-null wins */
	struct text	 cat;		/* arguments, or the text/summary/data */
};

struct parts {
	struct part	*v;
	size_t		 n, cap;
};

struct choice {
	int		 index;
	struct text	 content, refusal, reasoning;
	struct parts	 calls, details;
	jv		 delta;		/* other delta keys: role, annotations */
	jv		 rest;		/* finish_reason, logprobs, ... */
};

/* A top-level object that came whole in one chunk, as its bytes. */
struct raw {
	char		*key;
	struct buf	 json;
};

struct stream {
	struct sse	*sse;
	struct raw	*raw;		/* usage, and any such object */
	size_t		 nraw;
	stream_text_fn	*on_text, *on_reasoning;
	void		*arg;
	jv		 top;		/* top-level keys but the three below */
	jv		 usage;		/* invalid until a chunk carries one */
	jv		 error;		/* the first API error, or invalid */
	const char	*bad;		/* why the first odd event was no chunk */
	struct choice	*choices;	/* sorted by index */
	size_t		 nchoices, capchoices;
	int		 done;
};

typedef jv rule_fn(jv, jv);

/* Last non-null wins: a finish_reason once sent stays. */
static jv
keep_last(jv old, jv new)
{
	if (jv_get_kind(new) == JV_KIND_NULL && jv_is_valid(old)) {
		jv_free(new);
		return old;
	}
	jv_free(old);
	return new;
}

/* First non-null wins: a tool call's id, type and name. */
static jv
keep_first(jv old, jv new)
{
	if (jv_is_valid(old) && jv_get_kind(old) != JV_KIND_NULL) {
		jv_free(new);
		return old;
	}
	jv_free(old);
	return new;
}

static int
is_placeholder(jv v)
{
	return !jv_is_valid(v) || jv_get_kind(v) == JV_KIND_NULL ||
	    (jv_get_kind(v) == JV_KIND_STRING && jv_string_value(v)[0] == '\0');
}

/*
 * The first real value wins, and an empty one holds its place until it
 * comes: Anthropic's first thinking piece says "signature": "", a later
 * one carries the signature itself.
 */
static jv
keep_filled(jv old, jv new)
{
	if (!is_placeholder(old) || (jv_is_valid(old) &&
	    jv_get_kind(new) == JV_KIND_NULL)) {
		jv_free(new);
		return old;
	}
	if (jv_is_valid(old) && is_placeholder(new) &&
	    jv_get_kind(old) == JV_KIND_STRING) {
		jv_free(new);
		return old;
	}
	jv_free(old);
	return new;
}

/* Arrays sent piece by piece (annotations) are joined. */
static jv
append(jv old, jv new)
{
	if (jv_get_kind(old) == JV_KIND_ARRAY &&
	    jv_get_kind(new) == JV_KIND_ARRAY)
		return jv_array_concat(old, new);
	return keep_last(old, new);
}

/*
 * Takes obj[key] out, leaving a null in its place (so the key keeps its
 * position), so that the value is no longer shared and grows in place.
 */
static jv
take(jv *obj, jv key)
{
	jv old;

	old = jv_object_get(jv_copy(*obj), jv_copy(key));
	*obj = jv_object_set(*obj, key, jv_null());
	return old;
}

/* obj[key] = rule(obj[key], v); obj must be an object. */
static jv
put(jv obj, jv key, jv v, rule_fn *rule)
{
	jv old = take(&obj, jv_copy(key));

	return jv_object_set(obj, key, rule(old, v));
}

/* logprobs: {"content": [...], "refusal": [...]} per chunk, joined. */
static jv
merge(jv old, jv new)
{
	if (jv_get_kind(old) != JV_KIND_OBJECT ||
	    jv_get_kind(new) != JV_KIND_OBJECT)
		return append(old, new);
	jv_object_foreach(new, k, v)
		old = put(old, k, v, append);
	jv_free(new);
	return old;
}

static int
is_key(jv k, const char *name)
{
	return strcmp(jv_string_value(k), name) == 0;
}

/* The "index" member, or -1 when it is missing or not a small integer. */
static int
index_of(jv obj)
{
	double d;

	if (!jvx_num(obj, "index", &d) || !(d >= 0 && d <= INT_MAX) ||
	    d != (double)(int)d)
		return -1;
	return (int)d;
}

static void
text_add(struct text *t, jv v)
{
	t->key = 1;
	if (jv_get_kind(v) == JV_KIND_STRING) {
		buf_add(&t->b, jv_string_value(v),
		    (size_t)jv_string_length_bytes(jv_copy(v)));
		t->str = 1;
	}
	jv_free(v);
}

/* The joined string; when none came, "" if empty is set, else null. */
static jv
text_jv(struct text *t, int empty)
{
	if (!t->str && !empty)
		return jv_null();
	if (t->b.len > INT_MAX)
		die(2, "stream: a text over 2 GiB");
	return jv_string_sized(buf_str(&t->b), (int)t->b.len);
}

static void
text_free(struct text *t)
{
	buf_free(&t->b);
}

static void
say(stream_text_fn *fn, void *arg, jv v)
{
	int n;

	if (fn == NULL || jv_get_kind(v) != JV_KIND_STRING)
		return;
	if ((n = jv_string_length_bytes(jv_copy(v))) > 0)
		fn(arg, jv_string_value(v), (size_t)n);
}

/* --- tool calls and reasoning_details ------------------------------ */

static struct part *
part_new(struct parts *ps, int index, jv type)
{
	struct part *p;

	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 4;
		ps->v = xrealloc(ps->v, ps->cap * sizeof(*ps->v));
	}
	p = &ps->v[ps->n++];
	memset(p, 0, sizeof(*p));
	p->index = index;
	p->type = type;
	p->obj = jv_object();
	return p;
}

static void
parts_free(struct parts *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++) {
		jv_free(ps->v[i].type);
		jv_free(ps->v[i].obj);
		text_free(&ps->v[i].cat);
	}
	free(ps->v);
}

static int
same_string(jv a, jv b)
{
	if (jv_get_kind(a) != JV_KIND_STRING ||
	    jv_get_kind(b) != JV_KIND_STRING)
		return jv_get_kind(a) == jv_get_kind(b);
	return strcmp(jv_string_value(a), jv_string_value(b)) == 0;
}

/* A piece with a new id but no index starts another call. */
static int
new_id(struct part *p, jv d)
{
	jv a = jvx_get(jv_copy(p->obj), "id"), b = jvx_get(jv_copy(d), "id");
	int r;

	r = jv_get_kind(a) == JV_KIND_STRING &&
	    jv_get_kind(b) == JV_KIND_STRING && !same_string(a, b);
	jv_free(a);
	jv_free(b);
	return r;
}

static struct part *
call_for(struct parts *ps, jv d)
{
	int index = index_of(d);
	size_t i;

	if (index >= 0) {
		for (i = 0; i < ps->n; i++)
			if (ps->v[i].index == index)
				return &ps->v[i];
	} else if (ps->n > 0 && !new_id(&ps->v[ps->n - 1], d))
		return &ps->v[ps->n - 1];
	return part_new(ps, index, jv_invalid());
}

static jv
merge_function(struct part *p, jv fn, jv v)
{
	if (jv_get_kind(fn) != JV_KIND_OBJECT) {
		jv_free(fn);
		fn = jv_object();
	}
	jv_object_foreach(v, k, x) {
		if (is_key(k, "arguments")) {
			text_add(&p->cat, x);
			fn = jv_object_set(fn, k, jv_null());	/* its place */
		} else
			fn = put(fn, k, x, keep_first);
	}
	jv_free(v);
	return fn;
}

/* The first piece has id, type and name; the others more arguments. */
static void
merge_call(struct parts *ps, jv d)
{
	struct part *p = call_for(ps, d);
	jv fn;

	jv_object_foreach(d, k, v) {
		if (is_key(k, "function") &&
		    jv_get_kind(v) == JV_KIND_OBJECT) {
			fn = take(&p->obj, jv_copy(k));
			p->obj = jv_object_set(p->obj, k,
			    merge_function(p, fn, v));
		} else
			p->obj = put(p->obj, k, v, keep_filled);
	}
	jv_free(d);
}

/* Which field of a reasoning_details item comes in pieces. */
static const char *
joined_field(jv type)
{
	const char *s;

	if (jv_get_kind(type) != JV_KIND_STRING)
		return NULL;
	s = jv_string_value(type);
	if (strcmp(s, "reasoning.text") == 0)
		return "text";
	if (strcmp(s, "reasoning.summary") == 0)
		return "summary";
	if (strcmp(s, "reasoning.encrypted") == 0)
		return "data";
	return NULL;
}

/* A summary and an encrypted item may share an index: match both. */
static struct part *
detail_for(struct parts *ps, jv d)
{
	int index = index_of(d);
	jv type = jvx_get(jv_copy(d), "type");
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (ps->v[i].index == index && same_string(ps->v[i].type,
		    type)) {
			jv_free(type);
			return &ps->v[i];
		}
	return part_new(ps, index, type);
}

static void
merge_detail(struct parts *ps, jv d)
{
	struct part *p = detail_for(ps, d);
	const char *field = joined_field(p->type);

	jv_object_foreach(d, k, v) {
		if (field && is_key(k, field)) {
			text_add(&p->cat, v);
			p->obj = jv_object_set(p->obj, k, jv_null());
		} else
			p->obj = put(p->obj, k, v, keep_filled);
	}
	jv_free(d);
}

static void
merge_parts(struct parts *ps, jv a, void (*merge1)(struct parts *, jv))
{
	if (jv_get_kind(a) == JV_KIND_ARRAY) {
		jv_array_foreach(a, i, x) {
			if (jv_get_kind(x) == JV_KIND_OBJECT)
				merge1(ps, x);
			else
				jv_free(x);
		}
	}
	jv_free(a);
}

/* --- choices -------------------------------------------------------- */

static struct choice *
choice_at(struct stream *st, int index)
{
	struct choice *c;
	size_t i;

	for (i = 0; i < st->nchoices && st->choices[i].index < index; i++)
		;
	if (i < st->nchoices && st->choices[i].index == index)
		return &st->choices[i];
	if (st->nchoices == st->capchoices) {
		st->capchoices = st->capchoices ? st->capchoices * 2 : 1;
		st->choices = xrealloc(st->choices,
		    st->capchoices * sizeof(*st->choices));
	}
	c = &st->choices[i];
	memmove(c + 1, c, (st->nchoices - i) * sizeof(*c));
	st->nchoices++;
	memset(c, 0, sizeof(*c));
	c->index = index;
	c->delta = jv_object();
	c->rest = jv_object();
	return c;
}

static void
choice_free(struct choice *c)
{
	text_free(&c->content);
	text_free(&c->refusal);
	text_free(&c->reasoning);
	parts_free(&c->calls);
	parts_free(&c->details);
	jv_free(c->delta);
	jv_free(c->rest);
}

static void
merge_delta(struct stream *st, struct choice *c, jv d)
{
	void *arg = st->arg;
	int first = c->index == 0;

	if (jv_get_kind(d) != JV_KIND_OBJECT) {
		jv_free(d);
		return;
	}
	jv_object_foreach(d, k, v) {
		if (is_key(k, "content")) {
			if (first)
				say(st->on_text, arg, v);
			text_add(&c->content, v);
		} else if (is_key(k, "reasoning")) {
			if (first)
				say(st->on_reasoning, arg, v);
			text_add(&c->reasoning, v);
		} else if (is_key(k, "refusal"))
			text_add(&c->refusal, v);
		else if (is_key(k, "tool_calls"))
			merge_parts(&c->calls, v, merge_call);
		else if (is_key(k, "reasoning_details"))
			merge_parts(&c->details, v, merge_detail);
		else {
			c->delta = put(c->delta, k, v, append);
			continue;
		}
		jv_free(k);
	}
	jv_free(d);
}

static void
merge_choice(struct stream *st, jv ch)
{
	int index = index_of(ch);
	struct choice *c = choice_at(st, index < 0 ? 0 : index);

	jv_object_foreach(ch, k, v) {
		if (is_key(k, "delta")) {
			merge_delta(st, c, v);
			jv_free(k);
		} else if (is_key(k, "index") || is_key(k, "message")) {
			/* A whole message in a chunk is not OpenRouter's. */
			jv_free(k);
			jv_free(v);
		} else
			c->rest = put(c->rest, k, v,
			    is_key(k, "logprobs") ? merge : keep_last);
	}
	jv_free(ch);
}

static void
merge_choices(struct stream *st, jv a)
{
	if (jv_get_kind(a) == JV_KIND_ARRAY) {
		jv_array_foreach(a, i, ch) {
			if (jv_get_kind(ch) == JV_KIND_OBJECT)
				merge_choice(st, ch);
			else
				jv_free(ch);
		}
	}
	jv_free(a);
}

/* --- events --------------------------------------------------------- */

static jv
error_object(jv e)
{
	if (jv_get_kind(e) == JV_KIND_OBJECT)
		return e;
	if (jv_get_kind(e) != JV_KIND_STRING)
		e = jv_dump_string(e, 0);
	return JV_OBJECT(jv_string("message"), e,
	    jv_string("code"), jv_null());
}

static void
note_error(struct stream *st, jv e)
{
	if (jv_is_valid(st->error) || jv_get_kind(e) == JV_KIND_NULL)
		jv_free(e);
	else
		st->error = error_object(e);
}

/*
 * libjv would write the API's numbers its own way (0.00001155 as
 * 1.155e-05): an object value keeps the bytes it came in, the last
 * non-null one as for the value itself.
 */
static void
keep_raw(struct stream *st, jv k, jv v, const char *data, size_t len)
{
	const char *key = jv_string_value(k), *p, *e;
	size_t i;

	if (jv_get_kind(v) == JV_KIND_NULL)
		return;
	for (i = 0; i < st->nraw && strcmp(st->raw[i].key, key) != 0; i++)
		;
	if (jv_get_kind(v) != JV_KIND_OBJECT ||
	    (p = jvx_member(data, data + len, key)) == NULL ||
	    (e = jvx_end(p, data + len)) == NULL) {
		if (i < st->nraw)	/* not an object now: the value says */
			st->raw[i].json.len = 0;
		return;
	}
	if (i == st->nraw) {
		st->raw = xrealloc(st->raw, (st->nraw + 1) * sizeof(*st->raw));
		st->raw[i].key = xstrdup(key);
		memset(&st->raw[i].json, 0, sizeof(st->raw[i].json));
		st->nraw++;
	}
	buf_reset(&st->raw[i].json);
	jvx_compact(p, (size_t)(e - p), &st->raw[i].json);
}

static void
merge_chunk(struct stream *st, jv chunk, const char *data, size_t len)
{
	jv_object_foreach(chunk, k, v) {
		keep_raw(st, k, v, data, len);
		if (is_key(k, "choices"))
			merge_choices(st, v);
		else if (is_key(k, "usage"))
			st->usage = keep_last(st->usage, v);
		else if (is_key(k, "error"))
			note_error(st, v);
		else {
			st->top = put(st->top, k, v, keep_last);
			continue;
		}
		jv_free(k);
	}
	jv_free(chunk);
}

static void
on_event(void *arg, const char *data, size_t len)
{
	struct stream *st = arg;
	jv v;

	if (st->done)
		return;
	if (len == 6 && memcmp(data, "[DONE]", 6) == 0) {
		st->done = 1;
		return;
	}
	v = jvx_parse(data, len);
	if (jv_get_kind(v) == JV_KIND_OBJECT) {
		merge_chunk(st, v, data, len);
		return;
	}
	if (st->bad == NULL)
		st->bad = jv_is_valid(v) ?
		    "stream: data that is not a JSON object" :
		    "stream: data that is not JSON";
	jv_free(v);
}

/* --- the response ---------------------------------------------------- */

/* A tool call's arguments are a string even when none came. */
static jv
build_call(struct part *p)
{
	jv o = jv_copy(p->obj), fn = jvx_get(jv_copy(o), "function");

	if (jv_get_kind(fn) != JV_KIND_OBJECT) {
		jv_free(fn);
		return o;
	}
	fn = jv_object_set(fn, jv_string("arguments"), text_jv(&p->cat, 1));
	return jv_object_set(o, jv_string("function"), fn);
}

static jv
build_detail(struct part *p)
{
	jv o = jv_copy(p->obj);
	const char *field = joined_field(p->type);

	if (field && p->cat.key)
		o = jv_object_set(o, jv_string(field), text_jv(&p->cat, 0));
	return o;
}

static jv
build_parts(struct parts *ps, jv (*build1)(struct part *))
{
	jv a = jv_array();
	size_t i;

	for (i = 0; i < ps->n; i++)
		a = jv_array_append(a, build1(&ps->v[i]));
	return a;
}

/* As a non-streamed message: content, refusal, reasoning always there. */
static jv
build_message(struct choice *c)
{
	jv m = jv_object(), role = jvx_get(jv_copy(c->delta), "role");
	int has_role = jv_get_kind(role) == JV_KIND_STRING;

	if (jv_is_valid(role))
		m = jv_object_set(m, jv_string("role"), role);
	m = jv_object_set(m, jv_string("content"),
	    text_jv(&c->content, has_role));
	m = jv_object_set(m, jv_string("refusal"), text_jv(&c->refusal, 0));
	m = jv_object_set(m, jv_string("reasoning"),
	    text_jv(&c->reasoning, 0));
	if (c->calls.n > 0)
		m = jv_object_set(m, jv_string("tool_calls"),
		    build_parts(&c->calls, build_call));
	if (c->details.n > 0)
		m = jv_object_set(m, jv_string("reasoning_details"),
		    build_parts(&c->details, build_detail));
	jv_object_foreach(c->delta, k, v) {
		if (is_key(k, "role")) {
			jv_free(k);
			jv_free(v);
		} else
			m = jv_object_set(m, k, v);
	}
	return m;
}

/*
 * The keys a non-streamed choice always has are there, null or not,
 * in its order: logprobs, finish_reason, the rest, index, message.
 */
static jv
build_choice(struct choice *c)
{
	jv o;

	o = JV_OBJECT(jv_string("logprobs"), jv_null(),
	    jv_string("finish_reason"), jv_null());
	jv_object_foreach(c->rest, k, v)
		o = jv_object_set(o, k, v);
	o = jv_object_set(o, jv_string("index"), jv_number(c->index));
	return jv_object_set(o, jv_string("message"), build_message(c));
}

jv
stream_response(struct stream *st)
{
	jv r = jv_copy(st->top), a = jv_array();
	size_t i;

	for (i = 0; i < st->nchoices; i++)
		a = jv_array_append(a, build_choice(&st->choices[i]));
	r = jv_object_set(r, jv_string("object"),
	    jv_string("chat.completion"));
	r = jv_object_set(r, jv_string("choices"), a);
	if (jv_is_valid(st->usage) && jv_get_kind(st->usage) != JV_KIND_NULL)
		r = jv_object_set(r, jv_string("usage"), jv_copy(st->usage));
	return r;
}

void
stream_response_json(struct stream *st, struct buf *out)
{
	jv r = stream_response(st), s;
	size_t i, n;

	for (i = 0; i < st->nraw; i++)
		if (st->raw[i].json.len > 0)
			r = jv_object_delete(r, jv_string(st->raw[i].key));
	s = jv_dump_string(r, 0);
	n = (size_t)jv_string_length_bytes(jv_copy(s));
	buf_add(out, jv_string_value(s), n - 1);	/* all but the } */
	jv_free(s);
	for (i = 0; i < st->nraw; i++) {
		if (st->raw[i].json.len == 0)
			continue;
		s = jv_dump_string(jv_string(st->raw[i].key), 0);
		buf_addc(out, ',');
		buf_adds(out, jv_string_value(s));
		buf_addc(out, ':');
		buf_add(out, st->raw[i].json.buf, st->raw[i].json.len);
		jv_free(s);
	}
	buf_addc(out, '}');
}

/* The API's own error first: the odd event is likely its echo. */
jv
stream_error(struct stream *st)
{
	if (jv_is_valid(st->error))
		return jv_copy(st->error);
	if (st->bad)
		return JV_OBJECT(jv_string("message"), jv_string(st->bad),
		    jv_string("code"), jv_null());
	return jv_invalid();
}

/* --- life ------------------------------------------------------------- */

struct stream *
stream_new(stream_text_fn *on_text, stream_text_fn *on_reasoning, void *arg)
{
	struct stream *st = xmalloc(sizeof(*st));

	memset(st, 0, sizeof(*st));
	st->sse = sse_new(on_event, st);
	st->on_text = on_text;
	st->on_reasoning = on_reasoning;
	st->arg = arg;
	st->top = jv_object();
	st->usage = jv_invalid();
	st->error = jv_invalid();
	return st;
}

void
stream_feed(struct stream *st, const char *p, size_t n)
{
	sse_feed(st->sse, p, n);
}

int
stream_done(const struct stream *st)
{
	return st->done;
}

void
stream_free(struct stream *st)
{
	size_t i;

	if (st == NULL)
		return;
	sse_free(st->sse);
	for (i = 0; i < st->nraw; i++) {
		free(st->raw[i].key);
		buf_free(&st->raw[i].json);
	}
	free(st->raw);
	jv_free(st->top);
	jv_free(st->usage);
	jv_free(st->error);
	for (i = 0; i < st->nchoices; i++)
		choice_free(&st->choices[i]);
	free(st->choices);
	free(st);
}
