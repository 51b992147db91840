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

#include "curlx.h"
#include "http.h"
#include "jvx.h"
#include "models.h"
#include "record.h"
#include "table.h"
#include "util.h"

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

struct tx {
	CURL		*easy;
	struct http_resp r;
	size_t		 idx;
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

static void
tx_start(struct http *h, CURLM *multi, struct tx *t, const char *id)
{
	if ((t->easy = http_handle(h)) == NULL)
		die(2, "cannot start libcurl");
	endpoints_path(id, &t->path);
	http_setup(h, t->easy, t->path.buf, NULL, 0, &t->r);
	curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
	if (curl_multi_add_handle(multi, t->easy) != CURLM_OK)
		die(2, "curl_multi_add_handle failed");
}

static size_t
tx_reap(CURLM *multi, double *out, size_t *failed)
{
	struct CURLMsg *msg;
	struct tx *t;
	size_t done = 0;
	int left;

	while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
		http_done(t->easy, msg->data.result, &t->r);
		out[t->idx] = best_throughput(&t->r);
		*failed += t->r.code != CURLE_OK || t->r.status != 200;
		curl_multi_remove_handle(multi, t->easy);
		curl_easy_cleanup(t->easy);
		t->easy = NULL;
		done++;
	}
	return done;
}

void
throughput_fetch(const struct opts *o, struct picked *p, double *out)
{
	struct http *h = http_new(&o->cfg, progname);
	struct tx *tx = xmalloc((p->n ? p->n : 1) * sizeof(*tx));
	CURLM *multi = curl_multi_init();
	size_t next = 0, active = 0, failed = 0, known = 0, i;
	int running;

	if (multi == NULL)
		die(2, "cannot start libcurl");
	memset(tx, 0, (p->n ? p->n : 1) * sizeof(*tx));
	for (i = 0; i < p->n; i++)
		out[i] = NAN;
	while (next < p->n || active > 0) {
		for (; active < PARALLEL && next < p->n; next++, active++) {
			tx[next].idx = next;
			tx_start(h, multi, &tx[next], p->m[next]->id);
		}
		curl_multi_perform(multi, &running);
		active -= tx_reap(multi, out, &failed);
		if (active > 0)
			curl_multi_poll(multi, NULL, 0, 1000, NULL);
	}
	for (i = 0; i < p->n; i++) {
		known += !isnan(out[i]);
		http_resp_free(&tx[i].r);
		buf_free(&tx[i].path);
	}
	if (failed > 0)
		warnx_("--sort throughput: no endpoints for %zu of %zu models",
		    failed, p->n);
	if (known == 0 && p->n > failed)
		warnx_("--sort throughput: no throughput figures (the API "
		    "gives them only to a request with an API key)");
	curl_multi_cleanup(multi);
	free(tx);
	http_free(h);
}
