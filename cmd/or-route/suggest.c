/*
 * suggest.c: `or-route suggest`: for each model the log shows in use,
 * the cheaper models of the catalog that meet the same needs, and what
 * the same traffic would have cost on them.
 *
 * The needs are read from the stored records: the capabilities the
 * requests used (tools, response_format, image parts) and the largest
 * context one of them took (prompt + completion tokens). The costs are
 * the logged token counts at today's catalog prices, in picodollars.
 */
#include <getopt.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>
#include <sqlite3.h>

#include "catalog.h"
#include "config.h"
#include "filter.h"
#include "http.h"
#include "jvx.h"
#include "money.h"
#include "record.h"
#include "route.h"
#include "store.h"
#include "table.h"
#include "util.h"

/* --help, for a person; a mistake is one line and exit 2. */
static const char help_text[] =
    "usage: or-route suggest [options]\n"
    "Reads or-log's log and, for each model used, names cheaper models that could\n"
    "have served its requests, with what they would have cost.\n"
    "  -t, --table              a table: model, requests, USD, best alternative,\n"
    "                           its USD and the saving\n"
    "  -d, --db FILE            the log (default $ORKIT_DB or log.db)\n"
    "      --since WHEN         requests from WHEN: an age (7d) or a date\n"
    "      --until WHEN         requests before WHEN\n"
    "      --limit N            at most N alternatives per model (default 3)\n"
    "      --max-age AGE        use a cached catalog younger than AGE (1h)\n"
    "      --refresh            fetch the catalog now\n"
    "  -h, --help               print this summary\n"
    "Examples:\n"
    "  $ or-route suggest -t --since 7d\n"
    "  $ or-route suggest --since 30d --limit 1\n";

/* The rows that were answered and paid for, in the window. */
static const char rows_sql[] =
    "SELECT coalesce(served, model), coalesce(prompt_tokens, 0),"
    " coalesce(completion_tokens, 0), usd, record"
    " FROM requests"
    " WHERE ts >= ?1 AND ts < ?2 AND status = 'ok' AND cached = 0"
    " AND coalesce(served, model) IS NOT NULL";

struct sopts {
	const char	*db;
	int		 table;
	long		 limit;
	int64_t		 since, until;
	struct cat_opts	 cat;
};

/* One model as the log shows it used. */
struct used {
	char		*model;
	long		 requests;
	int64_t		 ptok, ctok;
	int64_t		 logged;	/* picodollars */
	int64_t		 today;		/* the baseline, picodollars */
	int64_t		 context;	/* the largest prompt + completion */
	int		 needs;		/* NEED_*, as routing reads them */
};

struct alt {
	const char	*id;		/* borrowed from the catalog */
	int64_t		 usd;		/* picodollars */
};

static _Noreturn void
usage(const char *why)
{
	if (why == NULL)
		text_exit(help_text);
	if (*why)
		warnx_("%s", why);
	fputs("usage: or-route suggest [-t] [-d db] [--since when] "
	    "[--until when] [--limit n] [--max-age age] [--refresh]\n",
	    stderr);
	exit(2);
}

enum { O_SINCE = 256, O_UNTIL, O_LIMIT, O_MAXAGE, O_REFRESH };

static const struct option longopts[] = {
	{ "db",		required_argument,	NULL, 'd' },
	{ "table",	no_argument,		NULL, 't' },
	{ "since",	required_argument,	NULL, O_SINCE },
	{ "until",	required_argument,	NULL, O_UNTIL },
	{ "limit",	required_argument,	NULL, O_LIMIT },
	{ "max-age",	required_argument,	NULL, O_MAXAGE },
	{ "refresh",	no_argument,		NULL, O_REFRESH },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL,		0,			NULL, 0 }
};

/* --since and --until: the grammar and the words of `or-log stats`. */
static int64_t
when(const char *s, const char *flag)
{
	char why[160];
	int64_t t;

	if (parse_when(s, &t) == 0)
		return t;
	snprintf(why, sizeof(why), "%s wants %s", flag, WHEN_HELP);
	usage(why);
}

static long
parse_limit(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*s == '\0' || *end || n < 1 || n > 1000000)
		usage("--limit wants a positive number");
	return n;
}

static int64_t
parse_age(const char *s)
{
	int64_t ms;

	if (parse_duration(s, &ms) < 0)
		usage("--max-age wants a time: " DURATION_HELP);
	return ms;
}

static void
parse_args(struct sopts *o, int argc, char **argv)
{
	char **av = xmalloc(((size_t)argc + 1) * sizeof(*av));
	int c, i;

	/* getopt names the program by argv[0]: "or-route", not "suggest". */
	av[0] = (char *)"or-route";
	for (i = 1; i <= argc; i++)
		av[i] = argv[i];
	optind = 0;
	while ((c = getopt_long(argc, av, "d:th", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 't': o->table = 1; break;
		case O_SINCE: o->since = when(optarg, "--since"); break;
		case O_UNTIL: o->until = when(optarg, "--until"); break;
		case O_LIMIT: o->limit = parse_limit(optarg); break;
		case O_MAXAGE: o->cat.max_age_ms = parse_age(optarg); break;
		case O_REFRESH: o->cat.refresh = 1; break;
		case 'h': free(av); usage(NULL);
		default: free(av); usage("");	/* getopt said why */
		}
	}
	i = optind;
	free(av);
	if (i < argc)
		usage("suggest takes no operands");
}

/* Does a message's content hold an image part? */
static int
has_image(jv msgs)
{
	int i, j, n, m, found = 0;
	jv msg, parts, part, type;

	if (jv_get_kind(msgs) != JV_KIND_ARRAY) {
		jv_free(msgs);
		return 0;
	}
	n = jv_array_length(jv_copy(msgs));
	for (i = 0; i < n && !found; i++) {
		msg = jv_array_get(jv_copy(msgs), i);
		parts = jvx_get(msg, "content");
		m = jv_get_kind(parts) == JV_KIND_ARRAY ?
		    jv_array_length(jv_copy(parts)) : 0;
		for (j = 0; j < m && !found; j++) {
			part = jv_array_get(jv_copy(parts), j);
			type = jvx_get(part, "type");
			found = jv_get_kind(type) == JV_KIND_STRING &&
			    strcmp(jv_string_value(type), "image_url") == 0;
			jv_free(type);
		}
		jv_free(parts);
	}
	jv_free(msgs);
	return found;
}

/* The bytes s are in p[0..len) (memmem is not POSIX). */
static int
holds(const char *p, size_t len, const char *s)
{
	size_t n = strlen(s);
	const char *e = p + len, *q;

	for (; (size_t)(e - p) >= n && (q = memchr(p, s[0],
	    (size_t)(e - p - (ptrdiff_t)n + 1))) != NULL; p = q + 1)
		if (memcmp(q, s, n) == 0)
			return 1;
	return 0;
}

/*
 * What one request asked of its model, from the record it was, by the
 * rules routing follows (pick.c): a function tool, a response_format
 * of type json_object (json) or json_schema (structured), an image
 * part. An alternative is then one or-route would route the same
 * traffic to.
 */
static void
read_needs(struct used *u, const char *rec, size_t len)
{
	jv v;

	/* Most records name none of them: no need to parse those. */
	if (!holds(rec, len, "tools") && !holds(rec, len, "response_format") &&
	    !holds(rec, len, "image_url") && !holds(rec, len, "\\u"))
		return;
	v = jvx_parse_sized(rec, len);
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		jv_free(v);
		return;
	}
	u->needs |= needs_of_tools(jvx_get(jv_copy(v), "tools")) |
	    needs_of_format(jvx_get(jv_copy(v), "response_format"));
	if (has_image(jvx_get(v, "messages")))
		u->needs |= NEED_IMAGE;
}

/* The model's place in *us, added when new; last is the one before. */
static size_t
find_used(struct used **us, size_t *n, size_t last, const char *model)
{
	size_t i;

	if (last < *n && strcmp((*us)[last].model, model) == 0)
		return last;
	for (i = 0; i < *n; i++)
		if (strcmp((*us)[i].model, model) == 0)
			return i;
	*us = xrealloc(*us, (*n + 1) * sizeof(**us));
	memset(&(*us)[*n], 0, sizeof(**us));
	(*us)[*n].model = xstrdup(model);
	return (*n)++;
}

/* One row counted in; returns its model's place. */
static size_t
add_row(struct used **us, size_t *n, size_t last, sqlite3_stmt *st)
{
	const char *model = (const char *)sqlite3_column_text(st, 0);
	const char *rec;
	struct used *u;
	int64_t p = sqlite3_column_int64(st, 1), c = sqlite3_column_int64(st, 2);

	if (model == NULL)
		die(2, "out of memory");
	last = find_used(us, n, last, model);
	u = &(*us)[last];
	u->requests++;
	u->ptok += p;
	u->ctok += c;
	if (p + c > u->context)
		u->context = p + c;
	if (sqlite3_column_type(st, 3) != SQLITE_NULL)
		u->logged += money_pico(sqlite3_column_double(st, 3));
	rec = (const char *)sqlite3_column_text(st, 4);
	if (rec)
		read_needs(u, rec, (size_t)sqlite3_column_bytes(st, 4));
	return last;
}

/* Every used model over the window into *out; 0, or -1 said. */
static int
read_log(struct store *s, const struct sopts *o, struct used **out,
    size_t *nout)
{
	sqlite3_stmt *st;
	size_t last = SIZE_MAX;
	int rc;

	*out = NULL;
	*nout = 0;
	if (sqlite3_prepare_v2(s->db, rows_sql, -1, &st, NULL) != SQLITE_OK) {
		warnx_("%s: %s", s->path, sqlite3_errmsg(s->db));
		return -1;
	}
	if (sqlite3_bind_int64(st, 1, o->since) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, o->until) != SQLITE_OK) {
		warnx_("%s: %s", s->path, sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		last = add_row(out, nout, last, st);
	if (rc != SQLITE_DONE) {
		warnx_("%s: %s", s->path, sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

/*
 * The traffic at a model's catalog prices: each price rounded to
 * picodollars per token, then multiplied exactly. -1 when a price is
 * unknown.
 */
static int64_t
cost_of(const struct model *m, const struct used *u)
{
	if (!price_known(m->prompt) || !price_known(m->completion) ||
	    m->prompt < 0 || m->completion < 0)
		return -1;
	return u->ptok * money_pico(m->prompt) +
	    u->ctok * money_pico(m->completion);
}

static int
by_usd(const void *a, const void *b)
{
	const struct alt *x = a, *y = b;

	if (x->usd != y->usd)
		return x->usd < y->usd ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int
by_logged(const void *a, const void *b)
{
	const struct used *x = a, *y = b;

	if (x->logged != y->logged)
		return x->logged > y->logged ? -1 : 1;
	return strcmp(x->model, y->model);
}

/* The needs as lib/filter takes them. */
static void
set_filter(struct cat_filter *f, const struct used *u)
{
	char need[64] = "";
	size_t len = 0;
	int i;

	filter_init(f);
	for (i = 0; i < NNEEDS; i++)
		if ((u->needs & (1 << i)) && len < sizeof(need))
			len += (size_t)snprintf(need + len, sizeof(need) - len,
			    "%s,", need_words[i]);
	f->need = filter_list(NULL, need);
	f->min_context = u->context;
}

/*
 * The model used, in the catalog: by its id, else as the model it is
 * an instance of ("openai/gpt-4o:nitro", a variant or-route writes, or
 * a dated snapshot), the rule lib/catalog reads the log's served ids by.
 */
static const struct model *
find_self(const struct catalog *c, const char *id)
{
	const struct model *m = cat_find(c, id);
	size_t n = cat_base_len(id);
	char *base;

	if (m != NULL || n == strlen(id))
		return m;
	base = xstrndup(id, n);
	m = cat_find(c, base);
	free(base);
	return m;
}

/* The cheaper models that will do, cheapest first; returns how many. */
static size_t
alternatives(const struct catalog *c, struct used *u, struct alt **out)
{
	const struct model *self = find_self(c, u->model);
	struct cat_filter f;
	struct alt *a = NULL;
	size_t i, n = 0;
	int64_t usd;

	u->today = self ? cost_of(self, u) : -1;
	if (u->today < 0)
		u->today = u->logged;
	set_filter(&f, u);
	for (i = 0; i < c->n; i++) {
		const struct model *m = &c->models[i];

		if (m == self || strcmp(m->id, u->model) == 0 ||
		    filter_why(&f, m) != NULL || (usd = cost_of(m, u)) < 0 ||
		    usd >= u->today)
			continue;
		a = xrealloc(a, (n + 1) * sizeof(*a));
		a[n].id = m->id;
		a[n++].usd = usd;
	}
	filter_free(&f);
	if (n > 0)
		qsort(a, n, sizeof(*a), by_usd);
	*out = a;
	return n;
}

static double
pct(int64_t saving, int64_t of)
{
	return of > 0 ? round(1000.0 * (double)saving / (double)of) / 10 : 0;
}

static jv
used_record(const struct used *u, const struct alt *a, size_t n)
{
	jv alts = jv_array();
	size_t i;

	for (i = 0; i < n; i++)
		alts = jv_array_append(alts, JV_OBJECT(
		    jv_string("model"), jv_string(a[i].id),
		    jv_string("usd"), jv_number(money_usd(a[i].usd)),
		    jv_string("saving_usd"),
		    jv_number(money_usd(u->today - a[i].usd)),
		    jv_string("saving_pct"),
		    jv_number(pct(u->today - a[i].usd, u->today))));
	return JV_OBJECT(jv_string("model"), jv_string(u->model),
	    jv_string("requests"), jv_number((double)u->requests),
	    jv_string("prompt_tokens"), jv_number((double)u->ptok),
	    jv_string("completion_tokens"), jv_number((double)u->ctok),
	    jv_string("usd_logged"), jv_number(money_usd(u->logged)),
	    jv_string("usd_today"), jv_number(money_usd(u->today)),
	    jv_string("needs"), JV_OBJECT(
	    jv_string("tools"), jv_bool(u->needs & NEED_TOOLS),
	    jv_string("json"), jv_bool(u->needs & NEED_JSON),
	    jv_string("structured"), jv_bool(u->needs & NEED_STRUCTURED),
	    jv_string("image"), jv_bool(u->needs & NEED_IMAGE),
	    jv_string("context"), jv_number((double)u->context)),
	    jv_string("alternatives"), alts);
}

/* One record a line; money in plain decimal, never 1e-05. */
static void
put_json(jv o)
{
	char *s = jvx_dump(o);

	out_put(s, strlen(s));
	out_put("\n", 1);
	out_end();
	free(s);
}

/* Headed as the other tools' tables are: words, not keys. */
static const char *const heads[] = { "MODEL", "REQUESTS", "USD TODAY",
    "BEST", "BEST USD", "SAVING USD", "SAVING %" };

/*
 * On a narrow terminal the figures a reader can do without go first
 * (the alternative's USD, the requests, today's USD, the saving in
 * USD), then the ids are cut: the model, its best alternative and the
 * saving in percent stay.
 */
static struct table *
new_table(void)
{
	struct table *t = tab_new(7);
	size_t i;

	for (i = 0; i < 7; i++)
		tab_cell(t, heads[i]);
	for (i = 1; i < 7; i++)
		if (i != 3)
			tab_right(t, i);
	tab_shrink(t, 3);
	tab_shrink(t, 0);
	tab_drop(t, 4);
	tab_drop(t, 1);
	tab_drop(t, 2);
	tab_drop(t, 5);
	return t;
}

static void
table_row(struct table *t, const struct used *u, const struct alt *a,
    size_t n)
{
	char cell[64];

	tab_cell(t, u->model);
	snprintf(cell, sizeof(cell), "%ld", u->requests);
	tab_cell(t, cell);
	money_fmt(u->today, cell);
	tab_cell(t, cell);
	if (n == 0) {
		tab_cell(t, "-");
		tab_cell(t, "-");
		tab_cell(t, "-");
		tab_cell(t, "-");
		return;
	}
	tab_cell(t, a[0].id);
	money_fmt(a[0].usd, cell);
	tab_cell(t, cell);
	money_fmt(u->today - a[0].usd, cell);
	tab_cell(t, cell);
	snprintf(cell, sizeof(cell), "%.1f", pct(u->today - a[0].usd,
	    u->today));
	tab_cell(t, cell);
}

static void
report(const struct sopts *o, const struct catalog *c, struct used *us,
    size_t n)
{
	struct table *t = o->table ? new_table() : NULL;
	struct alt *a;
	size_t i, na;

	for (i = 0; i < n; i++) {
		na = alternatives(c, &us[i], &a);
		if (na > (size_t)o->limit)
			na = (size_t)o->limit;
		if (t)
			table_row(t, &us[i], a, na);
		else
			put_json(used_record(&us[i], a, na));
		free(a);
	}
	if (t)
		tab_print(t, term_width());
}

static int
suggest(const struct sopts *o, struct used *us, size_t n)
{
	struct catalog *c;
	struct cfg cfg;

	if (n == 0)
		return 0;	/* nothing used: no need of the catalog */
	if (cfg_load(&cfg, CFG_KEY_IF_ANY) == -1)
		return 2;
	if (http_global_init() == -1)
		die(2, "cannot start libcurl");
	c = cat_load(&cfg, &o->cat);
	if (c) {
		qsort(us, n, sizeof(*us), by_logged);
		report(o, c, us, n);
		cat_free(c);
	}
	http_global_cleanup();
	cfg_free(&cfg);
	return c ? 0 : 2;
}

int
suggest_main(int argc, char **argv)
{
	struct sopts o;
	struct store st;
	struct used *us = NULL;
	size_t n = 0, i;
	char *path;
	int rc, status;

	progname = "or-route";
	memset(&o, 0, sizeof(o));
	o.limit = 3;
	o.since = INT64_MIN;
	o.until = INT64_MAX;
	o.cat.max_age_ms = CAT_TTL_MS;
	parse_args(&o, argc, argv);
	out_init();
	path = o.db ? xstrdup(o.db) : store_default_path();
	rc = store_open(&st, path, STORE_READ);
	free(path);
	if (rc < 0 || read_log(&st, &o, &us, &n) == -1) {
		store_close(&st);
		return 2;
	}
	store_close(&st);
	status = suggest(&o, us, n);
	for (i = 0; i < n; i++)
		free(us[i].model);
	free(us);
	rc = out_close();
	return rc ? rc : status;
}
