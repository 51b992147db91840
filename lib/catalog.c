/*
 * catalog.c: OpenRouter's model catalog, fetched, cached and looked up.
 *
 * A model is kept as its bytes in the body: printing it prints them,
 * since libjv would rewrite its numbers. Loading checks the body is JSON
 * and reads the few fields every tool wants (id, prices, context, date)
 * straight from those bytes; libjv parses a model only when something
 * asks for more (cat_val), so a listing of a warm cache parses nothing.
 * Every field is read with its kind checked: a catalog from another
 * year, with fields missing or of another type, loads all the same.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "catalog.h"
#include "http.h"
#include "jvx.h"
#include "util.h"

int
price_known(double d)
{
	return !isnan(d) && d >= 0;
}

int
cat_is_free_id(const char *id)
{
	size_t n = strlen(id);

	return n > 5 && strcmp(id + n - 5, ":free") == 0;
}

/* The digits and dashes of a snapshot's date: 4 digits or more. */
static int
is_date(const char *p)
{
	int digits = 0;

	if (*p < '0' || *p > '9')
		return 0;
	for (; *p; p++)
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (*p != '-')
			return 0;
	return digits >= 4;
}

size_t
cat_base_len(const char *served)
{
	const char *colon = strchr(served, ':');
	const char *dash;

	if (colon)
		return (size_t)(colon - served);
	for (dash = strchr(served, '-'); dash; dash = strchr(dash + 1, '-'))
		if (dash > served && is_date(dash + 1))
			return (size_t)(dash - served);
	return strlen(served);
}

int
cat_same_model(const char *id, const char *served)
{
	size_t n = strlen(id);

	if (served == NULL || strncmp(served, id, n) != 0)
		return 0;
	return served[n] == '\0' || cat_base_len(served) == n;
}

/* --- fields, from a parsed model ---------------------------------------- */

static int
num_of(jv v, double *d)
{
	char *end;
	int ok = 0;

	if (jv_get_kind(v) == JV_KIND_NUMBER) {
		*d = jv_number_value(v);
		ok = 1;
	} else if (jv_get_kind(v) == JV_KIND_STRING &&
	    *jv_string_value(v) != '\0') {
		*d = strtod(jv_string_value(v), &end);
		ok = *end == '\0' && !isnan(*d);
	}
	jv_free(v);
	return ok;
}

double
cat_price_in(jv obj, const char *key)
{
	double d;

	if (!num_of(jvx_get(jvx_get(jv_copy(obj), "pricing"), key), &d))
		return NAN;
	return d < 0 ? PRICE_DYNAMIC : d;
}

double
cat_price(const struct model *m, const char *key)
{
	jv v = cat_val(m);
	double d = cat_price_in(v, key);

	jv_free(v);
	return d;
}

/*
 * Parsed once, when first asked for: a cache, so the model is const to
 * its readers all the same. Bytes libjv will not take give {}.
 */
jv
cat_val(const struct model *cm)
{
	struct model *m = (struct model *)cm;
	jv v;

	if (!m->parsed) {
		v = jvx_parse(m->json, m->len);
		if (jv_get_kind(v) != JV_KIND_OBJECT) {
			jv_free(v);
			v = jv_object();
		}
		m->val = v;
		m->parsed = 1;
	}
	return jv_copy(m->val);
}

/* --- fields, from the bytes --------------------------------------------- */

/* A number, or a string holding one, at p (or NULL); 1 when it is. */
static int
raw_num(const char *p, const char *e, double *d)
{
	const char *end;
	char buf[64], *stop;
	size_t n;

	if (p == NULL || (end = jvx_end(p, e)) == NULL)
		return 0;
	if (*p == '"')
		p++, end--;
	n = (size_t)(end - p);
	if (n == 0 || n >= sizeof(buf) || memchr(p, '\\', n) != NULL ||
	    (*p != '-' && *p != '.' && (*p < '0' || *p > '9')))
		return 0;
	memcpy(buf, p, n);
	buf[n] = '\0';
	*d = strtod(buf, &stop);
	return *stop == '\0' && !isnan(*d);
}

static double
raw_price(const char *pricing, const char *e, const char *key)
{
	double d;

	if (!raw_num(jvx_member(pricing, e, key), e, &d))
		return NAN;
	return d < 0 ? PRICE_DYNAMIC : d;
}

/* A string at p, unescaped and malloc'd; "" when it is not one. */
static char *
raw_str(const char *p, const char *e)
{
	const char *end;
	char *s;
	jv v;

	if (p == NULL || *p != '"' || (end = jvx_end(p, e)) == NULL)
		return xstrdup("");
	if (memchr(p, '\\', (size_t)(end - p)) == NULL)
		return xstrndup(p + 1, (size_t)(end - p - 2));
	v = jvx_parse(p, (size_t)(end - p));
	s = xstrdup(jv_get_kind(v) == JV_KIND_STRING ? jv_string_value(v) : "");
	jv_free(v);
	return s;
}

enum { F_ID, F_PRICING, F_CONTEXT, F_TOP, F_CREATED, F_N };

/* A double that converts to int64_t: past it, the cast is undefined. */
static int
in_int64(double d)
{
	return d > -9.2e18 && d < 9.2e18;
}

static void
model_init(struct model *m, const char *json, size_t len)
{
	static const char *const keys[F_N] = { "id", "pricing",
	    "context_length", "top_provider", "created" };
	const char *f[F_N], *e = json + len;
	double d;

	memset(m, 0, sizeof(*m));
	m->json = json;
	m->len = len;
	jvx_members(json, e, keys, F_N, f);
	m->id = raw_str(f[F_ID], e);
	m->prompt = raw_price(f[F_PRICING], e, "prompt");
	m->completion = raw_price(f[F_PRICING], e, "completion");
	m->context = -1;
	if (raw_num(f[F_CONTEXT], e, &d) && d > 0 && in_int64(d))
		m->context = (int64_t)d; /* NOLINT(bugprone-branch-clone): 2 sources */
	else if (raw_num(jvx_member(f[F_TOP], e, "context_length"), e, &d) &&
	    d > 0 && in_int64(d))
		m->context = (int64_t)d;
	m->created = raw_num(f[F_CREATED], e, &d) && in_int64(d) ?
	    (int64_t)d : 0;
}

/* --- loading ---------------------------------------------------------- */

/* A body written over several lines: its models compacted to one each. */
static void
one_line_each(struct catalog *c)
{
	struct buf b = { 0 };
	size_t i, *off = xmalloc((c->n ? c->n : 1) * sizeof(*off));
	struct model *m;

	for (i = 0; i < c->n; i++) {
		m = &c->models[i];
		off[i] = SIZE_MAX;
		if (memchr(m->json, '\n', m->len) || memchr(m->json, '\r',
		    m->len)) {
			off[i] = b.len;
			jvx_compact(m->json, m->len, &b);
			m->len = b.len - off[i];
		}
	}
	c->dumps = b.buf;
	for (i = 0; i < c->n; i++)
		if (off[i] != SIZE_MAX)
			c->models[i].json = c->dumps + off[i];
	free(off);
}

/* A catalog from a body; takes raw (malloc'd). NULL and *why (static). */
static struct catalog *
cat_parse(char *raw, size_t len, const char **why)
{
	struct catalog *c;
	struct jspan *sp;
	long n, i;

	if (!jvx_valid(raw, len)) {
		free(raw);
		*why = "not JSON";
		return NULL;
	}
	/* {"data": [...]} as the API has it; a bare array will do too. */
	if ((n = jvx_elements(raw, len, "data", &sp)) < 0 &&
	    (n = jvx_elements(raw, len, "", &sp)) < 0) {
		free(raw);
		*why = "no \"data\" array of models";
		return NULL;
	}
	c = xmalloc(sizeof(*c));
	memset(c, 0, sizeof(*c));
	c->raw = raw;
	c->rawlen = len;
	c->models = xmalloc((size_t)(n ? n : 1) * sizeof(*c->models));
	for (i = 0; i < n; i++) {
		if (*sp[i].p == '{')
			model_init(&c->models[c->n++], sp[i].p, sp[i].n);
		else
			c->skipped++;
	}
	free(sp);
	one_line_each(c);
	return c;
}

void
cat_free(struct catalog *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		if (c->models[i].parsed)
			jv_free(c->models[i].val);
		free((char *)c->models[i].id);
	}
	free(c->models);
	free(c->dumps);
	free(c->raw);
	free(c);
}

char *
cat_path(void)
{
	return cfg_path("XDG_CACHE_HOME", ".cache", "models.json");
}

static char *
slurp_fd(int fd, size_t *len)
{
	struct buf b = { 0 };
	char chunk[65536];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			buf_free(&b);
			return NULL;
		}
		buf_add(&b, chunk, (size_t)n);
	}
	buf_add(&b, "", 0);
	*len = b.len;
	return b.buf;
}

struct catalog *
cat_read(const char *path)
{
	struct catalog *c;
	struct stat st;
	const char *why;
	size_t len;
	char *raw;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || (raw = slurp_fd(fd, &len)) == NULL) {
		close(fd);
		return NULL;
	}
	close(fd);
	if ((c = cat_parse(raw, len, &why)) != NULL)
		c->fetched_ms = (int64_t)st.st_mtim.tv_sec * 1000 +
		    st.st_mtim.tv_nsec / 1000000;
	return c;
}

/* --- the cache file --------------------------------------------------- */

/* mkdir -p of the directory part of path. */
static int
make_parents(const char *path)
{
	char *p = xstrdup(path), *s;
	int r = 0;

	for (s = strchr(p + 1, '/'); s != NULL && r == 0;
	    s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0700) == -1 && errno != EEXIST)
			r = -1;
		*s = '/';
	}
	free(p);
	return r;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * A temporary file in the same directory, renamed over the cache: a
 * reader opens either the old file or the new one, never half of one.
 * It holds nothing private, so others may read it.
 */
static int
cat_write(const char *path, const char *p, size_t n)
{
	size_t len = strlen(path) + 8;
	char *tmp = xmalloc(len);
	int fd, e;

	snprintf(tmp, len, "%s.XXXXXX", path);
	if (make_parents(path) == -1 || (fd = mkstemp(tmp)) == -1) {
		e = errno;
		free(tmp);
		errno = e;
		return -1;
	}
	if (write_all(fd, p, n) == -1 || fchmod(fd, 0644) == -1 ||
	    fsync(fd) == -1) {
		e = errno;
		close(fd);
		goto fail;
	}
	/* A failed close has let go of fd too: closing it again could close
	 * a descriptor another thread has opened since. */
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		e = errno;
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	unlink(tmp);
	free(tmp);
	errno = e;
	return -1;
}

/* --- fetching --------------------------------------------------------- */

/* Why a fetch failed, as one line; *b gets it. */
static void
fetch_error(const struct http_resp *r, const char *why, struct buf *b)
{
	jv body, err = http_error(r, &body);
	jv msg = jvx_get(jv_copy(err), "message");

	buf_reset(b);
	if (jv_get_kind(msg) == JV_KIND_STRING) {
		if (r->status > 0 && r->status != 200 &&
		    strncmp(jv_string_value(msg), "HTTP ", 5) != 0) {
			char s[32];

			snprintf(s, sizeof(s), "HTTP %ld: ", r->status);
			buf_adds(b, s);
		}
		buf_adds(b, jv_string_value(msg));
	} else
		buf_adds(b, why ? why : "unexpected answer");
	jv_free(msg);
	jv_free(err);
	jv_free(body);
}

static struct catalog *
fetch_once(struct http *h, struct http_resp *r, struct buf *why, int *again)
{
	struct catalog *c = NULL;
	const char *bad = NULL;
	char *raw;
	jv body, err;

	http_get(h, CAT_PATH, r);
	*again = 0;
	if (r->code == CURLE_OK && r->status == 200) {
		/* What it parses is what the cache gets, readable by all. */
		buf_hide_secret(&r->body);
		raw = xstrndup(r->body.buf ? r->body.buf : "", r->body.len);
		if ((c = cat_parse(raw, r->body.len, &bad)) != NULL)
			return c;
	}
	fetch_error(r, bad, why);
	err = http_error(r, &body);
	*again = jv_is_valid(err) && http_should_retry(err);
	jv_free(err);
	jv_free(body);
	return NULL;
}

/* retries: how many more attempts a failure that may pass gets. */
static struct catalog *
fetch(const struct cfg *cfg, int retries, struct buf *why)
{
	struct http_resp r = { 0 };
	struct catalog *c;
	struct http *h = http_new(cfg, progname);
	int attempt, again;

	for (attempt = 1; ; attempt++) {
		c = fetch_once(h, &r, why, &again);
		if (c != NULL || !again || attempt > retries)
			break;
		sleep_ms(http_retry_wait(cfg, &r, attempt));
	}
	http_resp_free(&r);
	http_free(h);
	return c;
}

static void
fmt_age(int64_t ms, char out[32])
{
	int64_t s = ms / 1000;

	if (s < 60)
		snprintf(out, 32, "%llds", (long long)(s < 0 ? 0 : s));
	else if (s < 3600)
		snprintf(out, 32, "%lld min", (long long)(s / 60));
	else if (s < 2 * 86400)
		snprintf(out, 32, "%lld h", (long long)(s / 3600));
	else
		snprintf(out, 32, "%lld days", (long long)(s / 86400));
}

struct catalog *
cat_load(const struct cfg *cfg, const struct cat_opts *o)
{
	return cat_load_why(cfg, o, NULL);
}

struct catalog *
cat_load_why(const struct cfg *cfg, const struct cat_opts *o,
    struct buf *nothing)
{
	struct catalog *cache, *fresh;
	struct buf why = { 0 };
	char *path = cat_path(), age[32];
	int64_t now = now_ms(), old;

	cache = cat_read(path);
	old = cache ? now - cache->fetched_ms : 0;
	if (cache && !o->refresh && old < o->max_age_ms && old > -60000) {
		free(path);
		return cache;
	}
	if ((fresh = fetch(cfg, cache ? 0 : cfg->retries, &why)) != NULL) {
		if (cat_write(path, fresh->raw, fresh->rawlen) == -1)
			warnx_("cannot write %s: %s", path, strerror(errno));
		fresh->fetched_ms = now;
		fresh->fetched = 1;
		cat_free(cache);
	} else if (cache) {
		fmt_age(old, age);
		warnx_("cannot refresh the model catalog (%s); using the cache "
		    "from %s ago", buf_str(&why), age);
		cache->stale = 1;
		fresh = cache;
	} else if (nothing)
		buf_adds(nothing, buf_str(&why));
	else
		warnx_("cannot fetch the model catalog (%s), and there is no "
		    "cache at %s", buf_str(&why), path);
	buf_free(&why);
	free(path);
	return fresh;
}

/* --- lookups ---------------------------------------------------------- */

const struct model *
cat_find(const struct catalog *c, const char *id)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->models[i].id, id) == 0)
			return &c->models[i];
	return NULL;
}

/* Edit distance, ASCII case folded; stops counting past limit. */
static int
distance(const char *a, size_t n, const char *b, size_t m, int limit)
{
	int row[128], prev, cur, best;
	size_t i, j;

	if (n >= sizeof(row) / sizeof(row[0]) || m >= sizeof(row) /
	    sizeof(row[0]))
		return limit + 1;
	for (j = 0; j <= m; j++)
		row[j] = (int)j;
	for (i = 1; i <= n; i++) {
		prev = row[0];
		row[0] = (int)i;
		best = row[0];
		for (j = 1; j <= m; j++) {
			cur = row[j];
			row[j] = prev + (lower(a[i - 1]) != lower(b[j - 1]));
			if (cur + 1 < row[j])
				row[j] = cur + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			prev = cur;
			if (row[j] < best)
				best = row[j];
		}
		if (best > limit)
			return limit + 1;
	}
	return row[m];
}

static const char *
slug(const char *id)
{
	const char *s = strchr(id, '/');

	return s ? s + 1 : id;
}

/*
 * How far an id is from what was asked, lower is closer, -1 not close:
 * one holding the other comes first, the nearer in length the better;
 * then an edit distance of the whole id or of the part after the slash.
 */
static int
closeness(const char *id, const char *q, int limit)
{
	size_t n = strlen(id), m = strlen(q);
	int d, e;

	if (n == 0)
		return -1;
	if (ci_find(id, q) != NULL || (strlen(slug(id)) >= 4 &&
	    ci_find(q, slug(id)) != NULL))
		return 50 + (n > m ? (int)(n - m) : (int)(m - n)) % 50;
	d = distance(id, n, q, m, limit);
	e = distance(slug(id), strlen(slug(id)), slug(q), strlen(slug(q)),
	    limit);
	if (e < d)
		d = e;
	return d <= limit ? 100 * d : -1;
}

size_t
cat_suggest(const struct catalog *c, const char *q, const struct model **out,
    size_t max)
{
	int limit = (int)strlen(slug(q)) / 4, d, *score;
	size_t i, j, n = 0;

	if (limit < 2)
		limit = 2;
	score = xmalloc((max ? max : 1) * sizeof(*score));
	for (i = 0; i < c->n && max > 0; i++) {
		if ((d = closeness(c->models[i].id, q, limit)) < 0)
			continue;
		/* Insert by score, then id: the list is stable. */
		for (j = n; j > 0 && (score[j - 1] > d || (score[j - 1] == d &&
		    strcmp(out[j - 1]->id, c->models[i].id) > 0)); j--)
			if (j < max) {
				out[j] = out[j - 1];
				score[j] = score[j - 1];
			}
		if (j < max) {
			out[j] = &c->models[i];
			score[j] = d;
			if (n < max)
				n++;
		}
	}
	free(score);
	return n;
}

/* --- capabilities ----------------------------------------------------- */

const char *const cat_caps[] = {
	"tools", "json", "structured", "reasoning", "image", "file", "audio",
	"video", "image-out", "audio-out", "embeddings", "cache", "web", NULL
};

int
cat_is_cap(const char *s)
{
	size_t i;

	for (i = 0; cat_caps[i]; i++)
		if (strcmp(cat_caps[i], s) == 0)
			return 1;
	return 0;
}

/* The value of a key of the model, from its bytes; NULL when absent. */
static const char *
field(const struct model *m, const char *key)
{
	return jvx_member(m->json, m->json + m->len, key);
}

int
cat_has_param(const struct model *m, const char *p)
{
	return jvx_array_has(field(m, "supported_parameters"),
	    m->json + m->len, p);
}

/* name is one of the "+" list between p and e ("text+image"). */
static int
in_plus_list(const char *p, const char *e, const char *name)
{
	const char *plus, *end;
	size_t n = strlen(name);

	for (; p < e; p = end + 1) {
		plus = memchr(p, '+', (size_t)(e - p));
		end = plus ? plus : e;
		if ((size_t)(end - p) == n && memcmp(p, name, n) == 0)
			return 1;
	}
	return 0;
}

/*
 * Is one modality among the inputs (or outputs)? The lists when there
 * are any; older catalogs have only "modality": "text+image->text".
 */
static int
has_modality(const struct model *m, int output, const char *name)
{
	const char *e = m->json + m->len, *arch = field(m, "architecture");
	const char *list = jvx_member(arch, e, output ? "output_modalities" :
	    "input_modalities"), *arrow;
	char *mod;
	int yes = 0;

	if (list != NULL && *list == '[')
		return jvx_array_has(list, e, name);
	mod = raw_str(jvx_member(arch, e, "modality"), e);
	if ((arrow = strstr(mod, "->")) != NULL)
		yes = output ? in_plus_list(arrow + 2, arrow + strlen(arrow),
		    name) : in_plus_list(mod, arrow, name);
	free(mod);
	return yes;
}

/* Every name of a "+" list is among the model's inputs (outputs). */
static int
has_all(const struct model *m, int output, const char *list)
{
	char name[64];
	const char *p = list, *plus;
	size_t n;

	for (; *p; p = *plus ? plus + 1 : plus) {
		if ((plus = strchr(p, '+')) == NULL)
			plus = p + strlen(p);
		if ((n = (size_t)(plus - p)) == 0)
			continue;
		if (n >= sizeof(name) || (memcpy(name, p, n), name[n] = '\0',
		    !has_modality(m, output, name)))
			return 0;
	}
	return 1;
}

int
cat_modality(const struct model *m, const char *in, const char *out)
{
	return (in == NULL || has_all(m, 0, in)) &&
	    (out == NULL || has_all(m, 1, out));
}

static int
reasoning_object(const struct model *m)
{
	const char *r = field(m, "reasoning");

	return r != NULL && *r == '{';
}

static double
price(const struct model *m, const char *key)
{
	return raw_price(field(m, "pricing"), m->json + m->len, key);
}

static int
cached_reads(const struct model *m)
{
	return price(m, "input_cache_read") > 0 ||
	    price(m, "input_cache_write") > 0;
}

int
cat_has(const struct model *m, const char *cap)
{
	if (strcmp(cap, "json") == 0)
		return cat_has_param(m, "response_format") ||
		    cat_has_param(m, "structured_outputs");
	if (strcmp(cap, "structured") == 0)
		return cat_has_param(m, "structured_outputs");
	if (strcmp(cap, "reasoning") == 0)
		return cat_has_param(m, "reasoning") ||
		    cat_has_param(m, "include_reasoning") ||
		    reasoning_object(m);
	if (strcmp(cap, "image") == 0 || strcmp(cap, "file") == 0 ||
	    strcmp(cap, "audio") == 0 || strcmp(cap, "video") == 0)
		return has_modality(m, 0, cap);
	if (strcmp(cap, "image-out") == 0 || strcmp(cap, "audio-out") == 0)
		return has_modality(m, 1, cap[0] == 'i' ? "image" : "audio");
	if (strcmp(cap, "embeddings") == 0)
		return has_modality(m, 1, "embeddings");
	if (strcmp(cap, "cache") == 0)
		return cached_reads(m);
	if (strcmp(cap, "web") == 0)
		return cat_has_param(m, "web_search_options") ||
		    price(m, "web_search") > 0;
	return cat_has_param(m, cap);	/* "tools", "seed", "logprobs" ... */
}
