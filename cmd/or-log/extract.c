/*
 * extract.c: a record's columns, for the requests table.
 *
 * Figures come from or-cost's "cost" when it is there (the
 * authoritative one) and from the response's own usage otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "extract.h"
#include "jvx.h"
#include "reqhash.h"
#include "util.h"

static const char *
keep(struct entry *e, char *s)
{
	if (s == NULL)
		return NULL;
	if (e->nowned == (int)(sizeof(e->owned) / sizeof(e->owned[0]))) {
		free(s);
		return NULL;
	}
	return e->owned[e->nowned++] = s;
}

/* The first of the paths that holds a number, as an integer. */
static int64_t
first_int(jv v, const char *a, const char *b)
{
	double d;

	/* a number past int64_t is no integer (and its cast undefined) */
	if ((jvx_num(v, a, &d) || (b && jvx_num(v, b, &d))) &&
	    d > -9.2e18 && d < 9.2e18)
		return (int64_t)d;
	return STORE_NULL;
}

static char *
first_str(jv v, const char *a, const char *b)
{
	char *s = jvx_strdup(v, a);

	return s || b == NULL ? s : jvx_strdup(v, b);
}

static void
add_content(struct buf *b, jv content)
{
	if (jv_get_kind(content) == JV_KIND_STRING) {
		if (b->len)
			buf_addc(b, '\n');
		buf_adds(b, jv_string_value(content));
	} else if (jv_get_kind(content) == JV_KIND_ARRAY) {
		jv_array_foreach(content, i, part) {
			add_content(b, jvx_get(part, "text"));
		}
	}
	jv_free(content);
}

static char *
text_of(struct buf *b)
{
	if (b->len == 0) {
		buf_free(b);
		return NULL;
	}
	buf_str(b);
	return b->buf;
}

/* What was asked: the canonical messages' text, for search. */
static char *
prompt_text(jv req)
{
	struct buf b = { 0 };
	jv msgs;

	msgs = jvx_get(req, "messages");
	if (jv_get_kind(msgs) == JV_KIND_ARRAY) {
		jv_array_foreach(msgs, i, m) {
			add_content(&b, jvx_get(m, "content"));
		}
	}
	jv_free(msgs);
	return text_of(&b);
}

/* What came back, or why nothing did. */
static char *
answer_text(jv rec)
{
	struct buf b = { 0 };

	add_content(&b, jvx_path(jv_copy(rec),
	    "response.choices.0.message.content"));
	add_content(&b, jvx_path(jv_copy(rec), "error.message"));
	return text_of(&b);
}

static void
extract_cost(struct entry *e, jv v)
{
	struct store_row *r = &e->row;
	double usd;
	jv cached = jvx_path(jv_copy(v), "send.cached");

	r->cached = jv_get_kind(cached) == JV_KIND_TRUE;
	jv_free(cached);
	r->ptok = first_int(v, "cost.prompt_tokens",
	    "response.usage.prompt_tokens");
	r->ctok = first_int(v, "cost.completion_tokens",
	    "response.usage.completion_tokens");
	r->rtok = first_int(v, "cost.reasoning_tokens",
	    "response.usage.completion_tokens_details.reasoning_tokens");
	r->ctok_cached = first_int(v, "cost.cached_tokens",
	    "response.usage.prompt_tokens_details.cached_tokens");
	if (r->cached) {
		/* Answered from the log: nothing was spent this time. */
		r->usd = 0, r->has_usd = 1;
		r->usd_source = "cached";
	} else if (jvx_num(v, "cost.usd", &usd)) {
		r->usd = usd, r->has_usd = 1;
		r->usd_source = keep(e, jvx_strdup(v, "cost.source"));
	} else if (jvx_num(v, "response.usage.cost", &usd)) {
		r->usd = usd, r->has_usd = 1;
		r->usd_source = "usage";
	}
}

static void
extract_status(struct entry *e, jv v)
{
	struct store_row *r = &e->row;
	char *type;

	r->status = "ok";
	if (jvx_has(v, "error")) {
		type = jvx_strdup(v, "error.type");
		r->status = type ? keep(e, type) : "error";
	}
	r->http = first_int(v, "send.status", "error.status");
	r->latency = first_int(v, "send.latency_ms", NULL);
	r->ttft = first_int(v, "send.ttft_ms", NULL);
}

/* The model asked for: the record's, else the one or-send sent. */
static char *
model_of(jv v)
{
	char *m = first_str(v, "model", "send.model");

	return m ? m : jvx_strdup(v, "models.0");
}

/*
 * The request's hash: or-send's, over the body with the defaults it
 * was sent with, when it says; else over the record alone (req, its
 * canonical request, taken).
 */
static void
hash_of(jv v, jv req, char hash[65])
{
	char *h = jvx_strdup(v, "send.request_hash");

	if (h && strlen(h) == 64 && strspn(h, "0123456789abcdef") == 64) {
		memcpy(hash, h, 65);
		jv_free(req);
	} else
		req_hash_canonical(req, hash);
	free(h);
}

static void
extract(struct entry *e, jv v)
{
	struct store_row *r = &e->row;
	char *started = jvx_strdup(v, "send.started_at");
	jv req = req_canonical(v, NULL);

	r->ts = started ? iso8601_parse(started) : -1;
	free(started);
	if (r->ts < 0)
		r->ts = now_ms();
	r->job = keep(e, rec_job(v));
	r->model = keep(e, model_of(v));
	r->served = keep(e, first_str(v, "response.model", "cost.model"));
	r->provider = keep(e, first_str(v, "response.provider",
	    "cost.provider"));
	r->gen_id = keep(e, first_str(v, "response.id",
	    "cost.generation_id"));
	extract_status(e, v);
	extract_cost(e, v);
	hash_of(v, jv_copy(req), r->hash);
	r->prompt = keep(e, prompt_text(req));
	r->answer = keep(e, answer_text(v));
	r->cid = keep(e, jvx_strdup(v, "send.cid"));
}

/* The text stored is the text written on: the line, unless rewritten. */
struct entry *
entry_new(struct rec *rec)
{
	struct entry *e = xmalloc(sizeof(*e));

	memset(e, 0, sizeof(*e));
	e->rec = rec;
	e->id = -1;
	e->err = jv_invalid();
	e->row.http = e->row.ptok = e->row.ctok = STORE_NULL;
	e->row.rtok = e->row.ctok_cached = STORE_NULL;
	e->row.latency = e->row.ttft = STORE_NULL;
	extract(e, rec->val);
	if (rec->kind == REC_OBJECT && !rec->rewrite && rec->ext.len == 0) {
		e->row.record = rec->line;
		e->row.reclen = rec->len;
		/*
		 * What goes out is the line and the "log" key spliced in,
		 * so the parsed record is let go of now, while the batch
		 * waits; one that has a "log" key of its own is rewritten.
		 */
		if (!rec_has(rec, "log")) {
			jv_free(rec->val);
			rec->val = jv_object();
		}
	} else {
		e->dumped = jvx_dump(jv_copy(rec->val));
		e->row.record = e->dumped;
		e->row.reclen = strlen(e->dumped);
	}
	return e;
}

void
entry_free(struct entry *e)
{
	int i;

	if (e == NULL)
		return;
	for (i = 0; i < e->nowned; i++)
		free(e->owned[i]);
	free(e->dumped);
	free(e->name);
	free(e->text);
	jv_free(e->err);
	rec_free(e->rec);
	free(e);
}
