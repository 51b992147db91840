/*
 * endpoints.c: GET /models/{author}/{slug}/endpoints, the providers
 * that serve a model: for `endpoints ID`, and for --sort throughput,
 * which asks for every model it sorts, a few at a time.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "http.h"
#include "jvx.h"
#include "models.h"
#include "record.h"
#include "table.h"
#include "util.h"
#include "xfer.h"

#define PARALLEL	8	/* requests in flight for --sort throughput */

/* "/models/ID/endpoints", the id %-encoded but for its slashes. */
static void
endpoints_path(const char *id, struct buf *b)
{
	static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789-._~/:@+";
	char hex[4];

	buf_reset(b);
	buf_adds(b, "/models/");
	for (; *id; id++) {
		if (strchr(ok, *id) != NULL)
			buf_addc(b, *id);
		else {
			snprintf(hex, sizeof(hex), "%%%02X", (unsigned char)*id);
			buf_adds(b, hex);
		}
	}
	buf_adds(b, "/endpoints");
}

/* The endpoints array of a good answer (owned), else invalid. */
static jv
endpoints_of(const struct http_resp *r, const char **json, size_t *len)
{
	jv body, list;

	*json = http_json(r, len);
	if (r->code != CURLE_OK || r->status != 200)
		return jv_invalid();
	body = jvx_parse(*json, *len);
	list = jvx_path(body, "data.endpoints");
	if (jv_get_kind(list) != JV_KIND_ARRAY) {
		jv_free(list);
		return jv_invalid();
	}
	return list;
}

static double
pct(jv e, const char *path)
{
	jv v = jvx_path(jv_copy(e), path);
	double d = jv_get_kind(v) == JV_KIND_NUMBER ? jv_number_value(v) : NAN;

	jv_free(v);
	return d;
}

/* --- endpoints ID ------------------------------------------------------ */

static char *
cell(jv e, const char *path)
{
	jv v = jvx_path(jv_copy(e), path);
	char *s;

	if (jv_get_kind(v) == JV_KIND_STRING)
		s = xstrdup(jv_string_value(v));
	else if (jv_get_kind(v) == JV_KIND_NUMBER)
		s = jvx_dump(jv_copy(v));
	else
		s = xstrdup("-");
	jv_free(v);
	return s;
}

static char *
price_cell(jv e, const char *key)
{
	char s[32];

	fmt_price(cat_price_in(e, key), s);
	return xstrdup(s);
}

static void
endpoint_row(struct table *t, jv e)
{
	static const char *const paths[] = { "provider_name", "tag", "status",
	    "uptime_last_30m", "latency_last_30m.p50",
	    "throughput_last_30m.p50", NULL, NULL, "quantization",
	    "context_length" };
	char *row[10];
	size_t i;

	for (i = 0; i < 10; i++)
		row[i] = paths[i] ? cell(e, paths[i]) : NULL;
	row[6] = price_cell(e, "prompt");
	row[7] = price_cell(e, "completion");
	tab_row(t, (const char *const *)row);
	for (i = 0; i < 10; i++)
		free(row[i]);
}

static void
endpoints_table(jv list)
{
	static const char *const head[] = { "PROVIDER", "TAG", "STATUS",
	    "UPTIME", "LATENCY", "TOK/S", "$/M IN", "$/M OUT", "QUANT",
	    "CONTEXT" };
	struct table *t = tab_new(10);
	size_t i;

	for (i = 2; i < 8; i++)
		tab_right(t, i);
	tab_right(t, 9);
	tab_shrink(t, 1), tab_shrink(t, 0);
	/* A narrow terminal does without these first: not what is chosen
	   by (the status is 0 for all but a few, the tag a lower-case
	   provider name). */
	tab_drop(t, 8), tab_drop(t, 2), tab_drop(t, 1), tab_drop(t, 9);
	tab_row(t, head);
	jv_array_foreach(list, j, e) {
		endpoint_row(t, e);
		jv_free(e);
	}
	tab_print(t, term_width());
}

/* Each endpoint's bytes as they came, one a line. */
static void
endpoints_records(const char *json, size_t len, jv list)
{
	struct jspan *sp;
	long n = jvx_elements(json, len, "data.endpoints", &sp), i;

	if (n != jv_array_length(jv_copy(list))) {
		jv_array_foreach(list, j, e) {
			char *s = jvx_dump(e);

			out_put(s, strlen(s));
			out_put("\n", 1);
			free(s);
		}
	} else
		for (i = 0; i < n; i++) {
			out_put(sp[i].p, sp[i].n);
			out_put("\n", 1);
		}
	free(sp);
}

/* 0; 1 when the API does not know the model; 2 when it failed. */
int
endpoints_cmd(const struct opts *o, const char *id)
{
	struct http *h = http_new(&o->cfg, progname);
	struct http_resp r = { 0 };
	struct buf path = { 0 };
	const char *json;
	size_t len;
	int status = 0;
	jv list, body, msg;

	endpoints_path(id, &path);
	http_get(h, path.buf, &r);
	list = endpoints_of(&r, &json, &len);
	if (jv_is_valid(list) && o->table)
		endpoints_table(list);
	else if (jv_is_valid(list))
		endpoints_records(json, len, list);
	else if (r.code == CURLE_OK && r.status == 404)
		status = 1;
	else {
		msg = jvx_get(http_error(&r, &body), "message");
		warnx_("%s: cannot list endpoints: %s", id,
		    jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) :
		    "unexpected answer");
		jv_free(msg);
		jv_free(body);
		status = 2;
		list = jv_invalid();
	}
	jv_free(list);
	buf_free(&path);
	http_resp_free(&r);
	http_free(h);
	return status;
}

/* --- --sort throughput ------------------------------------------------ */

/* The lookups of --sort throughput, over lib/xfer. */
struct tput {
	struct picked	*p;
	double		*out;
	size_t		 next;		/* the model the next record is */
	size_t		 failed;
	char		 why[160];	/* the first failure, in words */
	int		 refused;	/* a 401 or 403: the key's fault */
	struct buf	 path;
};

/* The best median throughput among the model's endpoints. */
static double
best_throughput(const struct http_resp *r)
{
	const char *json;
	size_t len;
	double best = NAN, d;
	jv list = endpoints_of(r, &json, &len);

	if (!jv_is_valid(list)) {
		jv_free(list);
		return NAN;
	}
	jv_array_foreach(list, i, e) {
		d = pct(e, "throughput_last_30m.p50");
		if (!isnan(d) && (isnan(best) || d > best))
			best = d;
		jv_free(e);
	}
	jv_free(list);
	return best;
}

/* Why a lookup failed: HTTP status and the API's message, or curl's. */
static void
failure_words(const struct http_resp *r, char *out, size_t size)
{
	jv body, msg = jvx_get(http_error(r, &body), "message");
	const char *s = jv_get_kind(msg) == JV_KIND_STRING ?
	    jv_string_value(msg) : "unexpected answer";

	if (r->code == CURLE_OK)
		snprintf(out, size, "HTTP %ld: %.120s", r->status, s);
	else
		snprintf(out, size, "%.140s", s);
	jv_free(msg);
	jv_free(body);
}

static int
refused(const struct http_resp *r)
{
	return r->code == CURLE_OK && (r->status == 401 || r->status == 403);
}

/* Each model's record only holds its place: the index says which. */
static int
tp_prepare(void *ctx, struct rec *rec, const struct xfer_task *t, void **req)
{
	struct tput *tp = ctx;
	size_t *idx = xmalloc(sizeof(*idx));

	(void)t;
	rec_free(rec);
	*idx = tp->next++;
	*req = idx;
	return XFER_SEND;
}

static void
tp_setup(void *ctx, void *req, struct xfer_task *t)
{
	struct tput *tp = ctx;

	endpoints_path(tp->p->m[*(size_t *)req]->id, &tp->path);
	xfer_request(t, tp->path.buf, NULL, 0);
}

static int
tp_finish(void *ctx, void *req, const struct xfer_task *t, int64_t *wait,
    int *hold)
{
	struct tput *tp = ctx;

	(void)wait, (void)hold;
	tp->out[*(size_t *)req] = best_throughput(&t->resp);
	if (refused(&t->resp)) {
		/* the key's fault, said instead of any other */
		if (tp->refused++ == 0)
			failure_words(&t->resp, tp->why, sizeof(tp->why));
	} else if (t->resp.code != CURLE_OK || t->resp.status != 200)
		if (tp->failed++ == 0 && !tp->refused)
			failure_words(&t->resp, tp->why, sizeof(tp->why));
	return XFER_DONE;
}

static int
tp_emit(void *ctx, void *req, const struct xfer_task *t)
{
	(void)ctx, (void)t;
	free(req);
	return 0;
}

/*
 * Endpoints answered, none with a throughput: the API hides the figures
 * from a request without a key, and has none for endpoints that served
 * nothing in the last 30 minutes (or the 2025 API, before it had them).
 */
static void
no_figures(const struct opts *o, size_t answered)
{
	if (o->cfg.key == NULL)
		warnx_("--sort throughput: no throughput figures: the API "
		    "gives them only to a request with an API key, and "
		    "none is set (OPENROUTER_API_KEY)");
	else
		warnx_("--sort throughput: no throughput figures: the "
		    "endpoints of the %zu model%s that answered have none "
		    "for the last 30 minutes", answered,
		    answered == 1 ? "" : "s");
}

/* 1 when GET /key says the key is refused, why in words. */
static int
key_refused(struct http *h, char *why, size_t size)
{
	struct http_resp r = { 0 };
	int yes;

	http_get(h, "/key", &r);
	if ((yes = refused(&r)))
		failure_words(&r, why, size);
	http_resp_free(&r);
	return yes;
}

void
throughput_fetch(const struct opts *o, struct picked *p, double *out)
{
	static const struct xfer_hooks hooks = { .prepare = tp_prepare,
	    .setup = tp_setup, .finish = tp_finish, .emit = tp_emit };
	struct xfer_opts xo = { .parallel = PARALLEL };
	struct tput tp = { .p = p, .out = out };
	struct http *h = http_new(&o->cfg, progname);
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	struct rec **recs = xmalloc((p->n ? p->n : 1) * sizeof(*recs));
	size_t known = 0, i;

	for (i = 0; i < p->n; i++) {
		out[i] = NAN;
		recs[i] = rec_from_prompt(p->m[i]->id);
	}
	(void)xfer_run(h, &xo, &hooks, &tp, NULL, recs, p->n);
	for (i = 0; i < p->n; i++)
		known += !isnan(out[i]);
	/* Figures hidden may be a key the API did not take: asked. */
	if (!tp.refused && known == 0 && p->n > tp.failed && o->cfg.key)
		tp.refused = key_refused(h, tp.why, sizeof(tp.why));
	buf_free(&tp.path);
	free(recs);
	http_free(h);
	if (tp.refused)
		die(2, "--sort throughput: the API refused the key (%s);"
		    " check OPENROUTER_API_KEY", tp.why);
	if (tp.failed > 0)
		warnx_("--sort throughput: no endpoints for %zu of %zu models "
		    "(the first: %s)", tp.failed, p->n, tp.why);
	if (known == 0 && p->n > tp.failed)
		no_figures(o, p->n - tp.failed);
}
