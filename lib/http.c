/*
 * http.c: requests to the OpenRouter API, and what their failures mean.
 *
 * One easy handle is reused for serial work so the connection stays
 * open between records.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "curlx.h"
#include "http.h"
#include "jvx.h"
#include "log.h"
#include "record.h"
#include "util.h"

struct http {
	CURL			*curl;
	struct curl_slist	*headers;
	const struct cfg	*cfg;
	struct buf		 url;
	char			 ua[128];
};

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	buf_add(arg, p, size * n);
	return size * n;
}

static struct curl_slist *
add_header(struct curl_slist *l, const char *name, const char *value)
{
	struct buf b = { 0 };
	struct curl_slist *r;

	buf_adds(&b, name);
	buf_adds(&b, ": ");
	buf_adds(&b, value);
	if ((r = curl_slist_append(l, b.buf)) == NULL)
		die(2, "out of memory");
	explicit_bzero(b.buf, b.len);
	buf_free(&b);
	return r;
}

static struct curl_slist *
make_headers(const struct cfg *c)
{
	struct curl_slist *l = NULL;
	struct buf auth = { 0 };

	l = add_header(l, "Content-Type", "application/json");
	l = add_header(l, "Expect", "");	/* no 100-continue round trip */
	if (c->key) {
		buf_adds(&auth, "Bearer ");
		buf_adds(&auth, c->key);
		l = add_header(l, "Authorization", auth.buf);
		explicit_bzero(auth.buf, auth.len);
		buf_free(&auth);
	}
	if (c->referer)
		l = add_header(l, "HTTP-Referer", c->referer);
	if (c->title)
		l = add_header(l, "X-Title", c->title);
	return l;
}

int
http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void
http_global_cleanup(void)
{
	curl_global_cleanup();
}

struct http *
http_new(const struct cfg *c, const char *tool)
{
	struct http *h = xmalloc(sizeof(*h));

	memset(h, 0, sizeof(*h));
	h->cfg = c;
	h->headers = make_headers(c);
	snprintf(h->ua, sizeof(h->ua), "orkit/%s %s", VERSION, tool);
	if ((h->curl = http_handle(h)) == NULL)
		die(2, "cannot start libcurl");
	return h;
}

/* One header or text line of curl's, at debug level; the key never. */
static void
debug_line(char mark, const char *p, size_t n)
{
	while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == '\n'))
		n--;
	if (n == 0)
		return;
	if (mark == '>' && n >= 14 && strncasecmp(p, "Authorization:", 14) == 0)
		logx(LV_DEBUG, "> Authorization: Bearer [hidden]");
	else
		logx(LV_DEBUG, "%c %.*s", mark, (int)n, p);
}

/* CURLOPT_DEBUGFUNCTION: headers out and in, curl's notes; no bodies. */
static int
on_debug(CURL *curl, curl_infotype type, char *p, size_t n, void *arg)
{
	char mark = type == CURLINFO_HEADER_OUT ? '>' :
	    type == CURLINFO_HEADER_IN ? '<' : type == CURLINFO_TEXT ? '*' : 0;
	const char *q = p, *e = p + n, *nl;

	(void)curl;
	(void)arg;
	if (mark == 0 || n > INT_MAX)
		return 0;
	for (; q < e; q = nl + 1) {
		if ((nl = memchr(q, '\n', (size_t)(e - q))) == NULL)
			nl = e - 1;
		debug_line(mark, q, (size_t)(nl - q + 1));
	}
	return 0;
}

/* A handle set up for the API: for a multi, or for serial use. */
CURL *
http_handle(struct http *h)
{
	const struct cfg *c = h->cfg;
	CURL *curl;

	if ((curl = curl_easy_init()) == NULL)
		return NULL;
	curl_easy_setopt(curl, CURLOPT_USERAGENT, h->ua);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
	    c->connect_timeout_ms);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	if (log_on(LV_DEBUG)) {
		curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, on_debug);
		curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
	}
	return curl;
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	curl_easy_cleanup(h->curl);
	curl_slist_free_all(h->headers);
	buf_free(&h->url);
	free(h);
}

void
http_resp_free(struct http_resp *r)
{
	buf_free(&r->body);
}

/*
 * As curl_easy_escape: all but RFC 3986's unreserved bytes as %XX. Done
 * here so that the lazy loader needs no more of libcurl for it.
 */
char *
http_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b = { 0 };
	unsigned char c;

	for (; (c = (unsigned char)*s) != '\0'; s++) {
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			buf_addc(&b, (char)c);
		else {
			buf_addc(&b, '%');
			buf_addc(&b, hex[c >> 4]);
			buf_addc(&b, hex[c & 15]);
		}
	}
	buf_str(&b);
	return b.buf;
}

static void
read_headers(CURL *curl, struct http_resp *r)
{
	struct curl_header *hd;
	curl_off_t ra = -1;

	r->retry_after_ms = -1;
	r->reset_ms = 0;
	/* libcurl says 0 for no header too: "Retry-After: 0" is "now". */
	if (curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK &&
	    ra >= 0 && (ra > 0 || curl_easy_header(curl, "Retry-After", 0,
	    CURLH_HEADER, -1, &hd) == CURLHE_OK))
		r->retry_after_ms = (int64_t)ra * 1000;
	if (curl_easy_header(curl, "X-RateLimit-Reset", 0, CURLH_HEADER, -1,
	    &hd) == CURLHE_OK)
		r->reset_ms = strtoll(hd->value, NULL, 10);
	r->gen_id[0] = '\0';
	if (curl_easy_header(curl, "X-Generation-Id", 0, CURLH_HEADER, -1,
	    &hd) == CURLHE_OK)
		snprintf(r->gen_id, sizeof(r->gen_id), "%s", hd->value);
}

/* Where the answer goes; the body and r must outlive the transfer. */
void
http_setup(struct http *h, CURL *curl, const char *path, const char *body,
    size_t len, struct http_resp *r)
{
	buf_reset(&h->url);
	buf_adds(&h->url, h->cfg->base_url);
	buf_adds(&h->url, path);
	buf_reset(&r->body);
	r->errbuf[0] = '\0';
	r->status = 0;
	curl_easy_setopt(curl, CURLOPT_URL, h->url.buf);	/* copied */
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, r->errbuf);
	if (body) {
		curl_easy_setopt(curl, CURLOPT_POST, 1L);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)len);
	} else
		curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
}

/* What a finished transfer tells beyond its body. */
void
http_done(CURL *curl, CURLcode code, struct http_resp *r)
{
	curl_off_t us = 0;

	r->code = code;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME_T, &us);
	r->latency_ms = (int64_t)(us / 1000);
	read_headers(curl, r);
}

void
http_get(struct http *h, const char *path, struct http_resp *r)
{
	http_setup(h, h->curl, path, NULL, 0, r);
	http_done(h->curl, curl_easy_perform(h->curl), r);
}

const char *
http_json(const struct http_resp *r, size_t *len)
{
	const char *p = r->body.buf, *e;

	if (p == NULL) {
		*len = 0;
		return "";
	}
	e = p + r->body.len;
	while (p < e && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	while (e > p && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\r' ||
	    e[-1] == '\t'))
		e--;
	*len = (size_t)(e - p);
	return p;
}

static int
http_retryable_status(long s)
{
	switch (s) {
	case 408: case 429: case 500: case 502: case 503: case 504:
	case 522: case 524: case 529:
		return 1;
	}
	return 0;
}

/* Failures before an answer came: which ones sending again may cure. */
static jv
curl_error(const struct http_resp *r)
{
	const char *msg = r->errbuf[0] ? r->errbuf : curl_easy_strerror(r->code);
	int retry = 0;
	jv e;

	switch (r->code) {
	case CURLE_OPERATION_TIMEDOUT:
		e = rec_errobj("timeout", msg, 1);
		break;
	case CURLE_COULDNT_RESOLVE_HOST: case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT: case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR: case CURLE_RECV_ERROR:
	case CURLE_SSL_CONNECT_ERROR: case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2: case CURLE_HTTP2_STREAM:
		retry = 1;
		/* FALLTHROUGH */
	default:
		e = rec_errobj("network", msg, retry);
		break;
	}
	return jv_object_set(e, jv_string("curl_code"),
	    jv_number(r->code));
}

/* Where tag (lowercase, "<title>") starts in p, case folded; or NULL. */
static const char *
find_tag(const char *p, size_t n, const char *tag)
{
	size_t i, m = strlen(tag);

	for (i = 0; i + m <= n; i++)
		if (strncasecmp(p + i, tag, m) == 0)
			return p + i;
	return NULL;
}

/*
 * The text of an HTML page (a proxy's error page, such as Cloudflare's
 * "502 Bad Gateway"): its title, else its text less the tags, white
 * space squeezed, so the message says what happened, not the markup.
 */
static void
html_text(const char *p, size_t n, struct buf *b)
{
	const char *t, *e = p + n;
	int tag = 0, space = 0;

	if ((t = find_tag(p, n, "<title>")) != NULL) {
		p = t + strlen("<title>");
		if ((t = find_tag(p, (size_t)(e - p), "</")) != NULL)
			e = t;
	}
	for (; p < e && b->len < 120; p++) {
		if (*p == '<' || *p == '>') {
			tag = *p == '<';
			space = 1;
		} else if (tag)
			continue;
		else if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			space = 1;
		else {
			if (space && b->len > 0)
				buf_addc(b, ' ');
			space = 0;
			buf_addc(b, *p);
		}
	}
}

/* A one-line excerpt of a body that is not JSON, for the message. */
static jv
snippet(const char *p, size_t n)
{
	struct buf b = { 0 };
	size_t i, lead;
	jv s;

	for (lead = 0; lead < n && (p[lead] == ' ' || p[lead] == '\t' ||
	    p[lead] == '\n' || p[lead] == '\r'); lead++)
		;
	if (lead < n && p[lead] == '<')
		html_text(p + lead, n - lead, &b);
	if (b.len == 0)
		for (i = 0; i < n && b.len < 120; i++)
			buf_addc(&b, p[i] == '\n' || p[i] == '\r' ? ' ' :
			    p[i]);
	s = jv_string_sized(b.buf ? b.buf : "", (int)b.len);
	buf_free(&b);
	return s;
}

/* The generation id in a body cut short: "id":"gen-..." near its top. */
static jv
partial_id(const char *p, size_t n)
{
	static const char key[] = "\"id\"";
	const char *q, *e = p + n, *start;

	for (q = p; q + sizeof(key) - 1 <= e; q++) {
		if (memcmp(q, key, sizeof(key) - 1) != 0)
			continue;
		q += sizeof(key) - 1;
		while (q < e && (*q == ' ' || *q == ':'))
			q++;
		if (q >= e || *q++ != '"')
			return jv_null();
		for (start = q; q < e && *q != '"' && *q != '\\'; q++)
			;
		return q < e && *q == '"' ? jv_string_sized(start,
		    (int)(q - start)) : jv_null();
	}
	return jv_null();
}

/* The first HTTP_KEPT bytes, cut back to whole UTF-8 characters. */
static jv
received(const char *p, size_t n)
{
	if (n > HTTP_KEPT)
		n = HTTP_KEPT;
	while (n > 0 && !utf8_valid(p, n))
		n--;
	return jv_string_sized(p, (int)n);
}

/* A 200 that went wrong after its headers: what may price it later. */
static jv
keep_partial(const struct http_resp *r, jv e)
{
	const char *p = r->body.buf ? r->body.buf : "";
	size_t n = r->body.len;

	if (r->status != 200)
		return e;
	e = jv_object_set(e, jv_string("status"), jv_number(200));
	e = jv_object_set(e, jv_string("generation_id"), r->gen_id[0] ?
	    jv_string(r->gen_id) : partial_id(p, n));
	return jv_object_set(e, jv_string("received"), received(p, n));
}

/* OpenRouter's error envelope turned into a record's error. */
jv
http_api_error(long status, jv apierr)
{
	jv msg = jvx_get(jv_copy(apierr), "message");
	jv code = jvx_get(jv_copy(apierr), "code");
	jv meta = jvx_get(jv_copy(apierr), "metadata");
	jv type = jvx_get(jv_copy(meta), "error_type");
	jv avail = jvx_get(jv_copy(apierr), "availability");
	int retry = http_retryable_status(status);
	jv e;

	/* a status in the body's code; a wild number is none (and its
	   cast to long undefined) */
	if (jv_get_kind(code) == JV_KIND_NUMBER && status == 200 &&
	    jv_number_value(code) >= 0 && jv_number_value(code) < 1000)
		retry = http_retryable_status((long)jv_number_value(code));
	if (jv_get_kind(msg) != JV_KIND_STRING) {
		jv_free(msg);
		msg = jv_string("error without a message");
	}
	if (jv_get_kind(type) != JV_KIND_STRING) {
		jv_free(type);
		type = jv_string("http");
	}
	if (jv_get_kind(meta) != JV_KIND_OBJECT) {
		jv_free(meta);
		meta = jv_object();
	}
	if (jv_is_valid(avail))
		meta = jv_object_set(meta, jv_string("availability"), avail);
	else
		jv_free(avail);
	if (!jv_is_valid(code)) {
		jv_free(code);
		code = jv_null();
	}
	e = JV_OBJECT(jv_string("tool"), jv_string(progname),
	    jv_string("type"), type, jv_string("status"), jv_number(status),
	    jv_string("code"), code, jv_string("message"), msg,
	    jv_string("retryable"), jv_bool(retry), jv_string("metadata"), meta);
	jv_free(apierr);
	return e;
}

static jv
status_error(const struct http_resp *r, const char *json, size_t n)
{
	jv msg = jv_string_fmt("HTTP %ld", r->status);
	jv e;

	if (n > 0)
		msg = jv_string_concat(jv_string_append_str(msg, ": "),
		    snippet(json, n));
	e = rec_errobj(r->status == 200 ? "bad_response" : "http",
	    jv_string_value(msg), r->status == 200 ||
	    http_retryable_status(r->status));
	jv_free(msg);
	return jv_object_set(e, jv_string("status"), jv_number(r->status));
}

jv
http_error(const struct http_resp *r, jv *body)
{
	const char *json;
	size_t n;
	jv apierr;

	*body = jv_invalid();
	if (r->code != CURLE_OK)
		return keep_partial(r, curl_error(r));
	json = http_json(r, &n);
	*body = jvx_parse(json, n);
	if (jv_get_kind(*body) != JV_KIND_OBJECT) {
		jv_free(*body);
		*body = jv_invalid();
		return keep_partial(r, status_error(r, json, n));
	}
	apierr = jvx_get(jv_copy(*body), "error");
	if (jv_get_kind(apierr) == JV_KIND_OBJECT)
		return http_api_error(r->status, apierr);
	jv_free(apierr);
	if (r->status >= 400)
		return status_error(r, "", 0);
	return jv_invalid();
}

/*
 * Timeouts and broken streams are not resent on their own: the first
 * request may still be billed. They stay retryable, for --retry. (A
 * 200 cut or not JSON, whose error has "received", may be billed too
 * when it answered a POST: the sender says.)
 */
int
http_should_retry(jv err)
{
	jv r = jvx_get(jv_copy(err), "retryable");
	jv t = jvx_get(jv_copy(err), "type");
	int yes;

	yes = jv_get_kind(r) == JV_KIND_TRUE &&
	    !(jv_get_kind(t) == JV_KIND_STRING &&
	    (strcmp(jv_string_value(t), "timeout") == 0 ||
	    strcmp(jv_string_value(t), "stream") == 0));
	jv_free(r);
	jv_free(t);
	return yes;
}

/*
 * The server's word first (Retry-After, then X-RateLimit-Reset), else
 * exponential backoff with jitter; never longer than the cap.
 */
int64_t
http_retry_wait(const struct cfg *c, const struct http_resp *r, int attempt)
{
	int64_t w;

	if (r->retry_after_ms >= 0)
		w = r->retry_after_ms;
	else if (r->reset_ms > 0)
		w = r->reset_ms - now_ms();
	else {
		w = c->retry_base_ms << (attempt < 20 ? attempt - 1 : 19);
		w = w / 2 + (w > 1 ? random() % (w / 2 + 1) : 0);
	}
	if (w < 0)
		w = 0;
	return w > c->retry_max_ms ? c->retry_max_ms : w;
}
