/*
 * or-route: fills in the model of records that name none, from the
 * routing table, the catalog's constraints and the log's history, and
 * says why in "routed".
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "config.h"
#include "http.h"
#include "jvx.h"
#include "record.h"
#include "route.h"
#include "sigwake.h"
#include "store.h"
#include "util.h"

#define HISTORY_MS	(7LL * 86400000)	/* --history's default */
#define SAID		10	/* records not routed said one by one */
#define COOL_MS		(10LL * 60000)		/* --cool-down's default */

/* --help: every flag, grouped, for a person; usage() is for mistakes. */
static const char help_text[] =
    "usage: or-route [options] < records\n"
    "       or-route suggest [-t] [-d db] [--since when] [--until when] [--limit n]\n"
    "                        [--max-age age] [--refresh]\n"
    "Fills in model, and why in routed, in each JSON record on stdin with none.\n"
    "Choosing:\n"
    "      --task TASK          the task of records without one, or auto\n"
    "      --priority P         cost, speed, quality or balanced (the default)\n"
    "      --rules FILE         a routing table read after the others\n"
    "      --auto               leave the choice to OpenRouter (openrouter/auto)\n"
    "      --force              route records that name a model too\n"
    "      --fallbacks N        add up to N models for OpenRouter to fall back on\n"
    "      --spread[=TOL]       share records among candidates within TOL (10%)\n"
    "      --seed N             the seed of --spread's draw\n"
    "Constraints (as or-models takes them):\n"
    "      --free               free models only\n"
    "      --max-price P[/C]    at most P per 1M prompt tokens, C per completion\n"
    "      --need CAP,...       with these capabilities: tools, json, image, ...\n"
    "      --min-context N      a context of at least N tokens\n"
    "      --modality M         by modality: text+image->text, ...\n"
    "      --no-context         keep models too small for the request\n"
    "Health, from or-log's log:\n"
    "  -d, --db FILE            the log to read (default $ORKIT_DB or log.db)\n"
    "      --history AGE, --no-history  how far back the log is read (7d), or not\n"
    "      --max-failure-rate R   unhealthy above this share of failures (20%)\n"
    "      --cool-down AGE      how far back health is judged (10m)\n"
    "Providers (OpenRouter's provider object):\n"
    "      --sort KEY           price, throughput or latency\n"
    "      --order P1,P2        try these providers first, in order\n"
    "      --only P1,P2         these providers alone\n"
    "      --ignore P1,P2       never these providers\n"
    "      --data-collection deny   only providers that do not store your data\n"
    "      --zdr                only zero-data-retention endpoints\n"
    "Catalog and help:\n"
    "      --max-age AGE        use a cached catalog younger than AGE (1h)\n"
    "      --refresh            fetch the catalog now\n"
    "  -h, --help, -V, --version  print this summary, or the version\n"
    "Examples:\n"
    "  $ jq -cR '{prompt: .}' q.txt | or-route --priority cost | or-send | or-log\n"
    "  $ or-route suggest -t --since 7d\n";

/* With why, what is wrong and one usage line on stderr, exit 2;
   without, --help. */
static _Noreturn void
usage(const char *why)
{
	if (why == NULL)
		text_exit(help_text);
	if (*why)
		warnx_("%s", why);
	fputs("usage: or-route [--task t] [--priority p] [--rules file] "
	    "[--free] [--max-price p[/c]] [--need cap,...] [--min-context n] "
	    "[--fallbacks n] [--spread[=tol]] [--auto] [--force] [-d db] "
	    "[--history age | --no-history] [--sort key] < records | "
	    "or-route suggest ...\n", stderr);
	exit(2);
}

enum {
	O_TASK = 256, O_PRIO, O_RULES, O_FREE, O_MAXPRICE, O_NEED, O_MINCTX,
	O_MODALITY, O_NOCTX, O_FALLBACKS, O_FORCE, O_AUTO, O_HISTORY,
	O_NOHISTORY, O_MAXFAIL, O_COOL, O_SORT, O_ORDER, O_ONLY, O_IGNORE, O_DATA,
	O_ZDR, O_MAXAGE, O_REFRESH, O_SPREAD, O_SEED
};

static const struct option longopts[] = {
	{ "task",	required_argument,	NULL, O_TASK },
	{ "priority",	required_argument,	NULL, O_PRIO },
	{ "rules",	required_argument,	NULL, O_RULES },
	{ "free",	no_argument,		NULL, O_FREE },
	{ "max-price",	required_argument,	NULL, O_MAXPRICE },
	{ "need",	required_argument,	NULL, O_NEED },
	{ "min-context", required_argument,	NULL, O_MINCTX },
	{ "modality",	required_argument,	NULL, O_MODALITY },
	{ "no-context",	no_argument,		NULL, O_NOCTX },
	{ "fallbacks",	required_argument,	NULL, O_FALLBACKS },
	{ "force",	no_argument,		NULL, O_FORCE },
	{ "auto",	no_argument,		NULL, O_AUTO },
	{ "db",		required_argument,	NULL, 'd' },
	{ "history",	required_argument,	NULL, O_HISTORY },
	{ "no-history",	no_argument,		NULL, O_NOHISTORY },
	{ "max-failure-rate", required_argument, NULL, O_MAXFAIL },
	{ "cool-down",	required_argument,	NULL, O_COOL },
	{ "sort",	required_argument,	NULL, O_SORT },
	{ "order",	required_argument,	NULL, O_ORDER },
	{ "only",	required_argument,	NULL, O_ONLY },
	{ "ignore",	required_argument,	NULL, O_IGNORE },
	{ "data-collection", required_argument,	NULL, O_DATA },
	{ "zdr",	no_argument,		NULL, O_ZDR },
	{ "spread",	optional_argument,	NULL, O_SPREAD },
	{ "seed",	required_argument,	NULL, O_SEED },
	{ "max-age",	required_argument,	NULL, O_MAXAGE },
	{ "refresh",	no_argument,		NULL, O_REFRESH },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL,		0,			NULL, 0 }
};

struct run {
	struct route_opts	 o;
	struct cat_opts		 cat;
	const char		*rules_file, *db;
	int64_t			 history_ms, cool_ms;
	int			 history_asked, no_history;
	int			 fallbacks_asked;
};

static char **
list_arg(char **list, const char *s, const char *flag)
{
	char why[64];

	if ((list = filter_list(list, s)) != NULL)
		return list;
	snprintf(why, sizeof(why), "%s wants a list: a,b,...", flag);
	usage(why);
}

static int64_t
age_arg(const char *s, const char *flag)
{
	char why[160];
	int64_t ms;

	if (parse_duration(s, &ms) < 0 || ms <= 0) {
		snprintf(why, sizeof(why), "%s wants a time: %s", flag,
		    DURATION_HELP);
		usage(why);
	}
	return ms;
}

static double
rate_arg(const char *s)
{
	char *end;
	double d = strtod(s, &end);

	if (*end == '%')
		d /= 100, end++;
	if (end == s || *end || !(d >= 0 && d <= 1))
		usage("--max-failure-rate wants a share: 0.2 or 20%");
	return d;
}

static void
set_option(struct run *r, int c)
{
	struct route_opts *o = &r->o;
	int64_t n;

	switch (c) {
	case O_TASK: o->task = optarg; break;
	case O_PRIO:
		if (prio_of(optarg) < 0)
			usage("--priority wants cost, speed, quality or "
			    "balanced");
		o->priority = optarg;
		break;
	case O_RULES: r->rules_file = optarg; break;
	case O_FREE: o->f.free = 1; break;
	case O_MAXPRICE:
		if (filter_max_price(&o->f, optarg) == -1)
			usage("--max-price wants " FILTER_PRICE_HELP);
		break;
	case O_NEED: o->f.need = list_arg(o->f.need, optarg, "--need"); break;
	case O_MINCTX:
		if (filter_count(optarg, &o->f.min_context) == -1)
			usage("--min-context wants " FILTER_COUNT_HELP);
		break;
	case O_MODALITY: o->f.modality = optarg; break;
	case O_NOCTX: o->no_context = 1; break;
	case O_FALLBACKS:
		if (filter_count(optarg, &n) == -1 || n > 10)
			usage("--fallbacks wants a number from 0 to 10");
		o->fallbacks = (int)n;
		r->fallbacks_asked = 1;
		break;
	case O_FORCE: o->force = 1; break;
	case O_AUTO: o->automatic = 1; break;
	case 'd': r->db = optarg; r->history_asked = 1; break;
	case O_HISTORY:
		r->history_ms = age_arg(optarg, "--history");
		r->history_asked = 1;
		break;
	case O_NOHISTORY: r->no_history = 1; break;
	case O_MAXFAIL: o->max_failure_rate = rate_arg(optarg); break;
	case O_COOL: r->cool_ms = age_arg(optarg, "--cool-down"); break;
	case O_SORT:
		if (strcmp(optarg, "price") != 0 &&
		    strcmp(optarg, "throughput") != 0 &&
		    strcmp(optarg, "latency") != 0)
			usage("--sort wants price, throughput or latency");
		o->sort = optarg;
		break;
	case O_ORDER: o->order = list_arg(o->order, optarg, "--order");
		break;
	case O_ONLY: o->only = list_arg(o->only, optarg, "--only"); break;
	case O_IGNORE: o->ignore = list_arg(o->ignore, optarg, "--ignore");
		break;
	case O_DATA:
		if (strcmp(optarg, "deny") != 0 && strcmp(optarg, "allow") != 0)
			usage("--data-collection wants deny or allow");
		o->deny_data = strcmp(optarg, "deny") == 0;
		break;
	case O_ZDR: o->zdr = 1; break;
	case O_SPREAD:
		o->spread = 0.1;
		if (optarg) {
			char *end;

			o->spread = strtod(optarg, &end);
			if (*end == '%')
				o->spread /= 100, end++;
			if (end == optarg || *end || !(o->spread > 0 &&
			    o->spread <= 10))
				usage("--spread wants a tolerance: 0.1 or "
				    "10%");
		}
		break;
	case O_SEED:
		if (filter_count(optarg, &n) == -1)
			usage("--seed wants a number");
		o->seed = (uint64_t)n;
		break;
	case O_MAXAGE: r->cat.max_age_ms = age_arg(optarg, "--max-age"); break;
	case O_REFRESH: r->cat.refresh = 1; break;
	case 'h': usage(NULL);
	case 'V':
		version_exit();
	default: usage("");
	}
}

static struct health *
health_for(struct router *rt, const char *id, size_t n)
{
	size_t i;

	for (i = 0; i < rt->nh; i++)
		if (strncmp(rt->h[i].id, id, n) == 0 && rt->h[i].id[n] == '\0')
			return &rt->h[i];
	rt->h = xrealloc(rt->h, (rt->nh + 1) * sizeof(*rt->h));
	memset(&rt->h[rt->nh], 0, sizeof(rt->h[0]));
	rt->h[rt->nh].id = xstrndup(id, n);
	return &rt->h[rt->nh++];
}

/*
 * A group of the log counts for the id that answered and, when that is
 * a dated snapshot or a variant ("openai/gpt-4o-2024-08-06"), for the
 * model routed to as well: the log keys a failure by the model asked
 * for and an answer by the one that served it, and health must see
 * both. p50s merge weighted by their requests: near enough to rank by.
 */
static void
credit(struct router *rt, const struct store_group *g, int recent)
{
	size_t n = strlen(g->key), base = cat_base_len(g->key);
	struct health *h;

	for (;;) {
		h = health_for(rt, g->key, n);
		if (recent) {
			h->recent += g->requests;
			h->recent_failures += g->failures;
		} else {
			if (g->nlatency > 0)
				h->p50_ms = (h->p50_ms * (double)h->nlatency +
				    g->latency_p50 * (double)g->nlatency) /
				    (double)(h->nlatency + (long)g->nlatency);
			h->nlatency += (long)g->nlatency;
			h->requests += g->requests;
			h->failures += g->failures;
		}
		if (base == n)
			break;
		n = base;
	}
}

/*
 * The log's figures per model: over --history, and over the cool-down
 * for health. A log that is not there, or cannot be read, is no history.
 */
static void
load_history(struct run *r, struct router *rt, struct store *st,
    struct store_groups *long_, struct store_groups *recent)
{
	char *path = r->db ? xstrdup(r->db) : store_default_path();
	int64_t now = now_ms(), since;
	size_t i;
	int rc;

	memset(long_, 0, sizeof(*long_));
	memset(recent, 0, sizeof(*recent));
	rc = store_open(st, path, STORE_GLANCE);
	if (rc == 1 || rc < 0) {
		if (rc == 1 && r->history_asked)
			warnx_("%s: no log there; routing without history",
			    path);
		else if (rc < 0)
			warnx_("%s; routing without history",
			    store_errmsg(st));
		free(path);
		return;
	}
	free(path);
	/* History in whole UTC days, so that the log's day sums answer. */
	since = (now - r->history_ms) / 86400000 * 86400000;
	if (store_read(st, STORE_MODELS, since, INT64_MAX, NULL, long_) ==
	    -1 || store_read(st, STORE_MODELS, now - r->cool_ms, INT64_MAX,
	    NULL, recent) == -1) {
		warnx_("%s: %s; routing without history", st->path,
		    store_errmsg(st));
		store_groups_free(long_);
		store_groups_free(recent);
		return;
	}
	for (i = 0; i < long_->n; i++)
		credit(rt, &long_->g[i], 0);
	for (i = 0; i < recent->n; i++)
		credit(rt, &recent->g[i], 1);
	router_sort_health(rt);
}

/* --task names one of the table's, or auto. */
static void
check_task(const struct run *r, jv rules)
{
	jv tasks = jvx_get(jv_copy(rules), "tasks");
	int known = r->o.task == NULL || strcmp(r->o.task, "auto") == 0 ||
	    jvx_has(tasks, r->o.task);

	jv_free(tasks);
	if (!known) {
		jv_free(rules);
		die(2, "--task: '%s' is not in the routing table", r->o.task);
	}
}

/*
 * openrouter/auto chooses among OpenRouter's models by itself: a
 * constraint on the catalog is one or-route cannot keep for it, and
 * a task, a priority, fallbacks or a spread are choices it does not
 * make.
 */
static void
check_auto(const struct run *r)
{
	const struct cat_filter *f = &r->o.f;
	const char *flag = NULL;

	if (!r->o.automatic)
		return;
	if (f->free)
		flag = "--free";
	else if (!isnan(f->max_prompt) || !isnan(f->max_completion))
		flag = "--max-price";
	else if (f->need)
		flag = "--need";
	else if (f->min_context > 0)
		flag = "--min-context";
	else if (f->modality)
		flag = "--modality";
	else if (r->fallbacks_asked)
		flag = "--fallbacks";
	else if (r->o.spread > 0)
		flag = "--spread";
	else if (r->o.task)
		flag = "--task";
	else if (r->o.priority)
		flag = "--priority";
	if (flag) {
		warnx_("%s cannot apply with --auto: openrouter/auto chooses "
		    "the model itself", flag);
		usage("");
	}
}

/*
 * Whether v names a model: a null or empty model names none, and so
 * does a null or empty models list, as or-send reads them.
 */
static int
names(jv v)
{
	int yes;

	switch (jv_get_kind(v)) {
	case JV_KIND_INVALID:
	case JV_KIND_NULL:
		yes = 0;
		break;
	case JV_KIND_STRING:
		yes = jv_string_value(v)[0] != '\0';
		break;
	case JV_KIND_ARRAY:
		yes = jv_array_length(jv_copy(v)) > 0;
		break;
	default:
		yes = 1;
	}
	jv_free(v);
	return yes;
}

/* A record that names its model goes by as it came, unless --force. */
static int
passes(const struct route_opts *o, const struct rec *rec)
{
	if (rec->kind == REC_BAD || rec_has(rec, "error"))
		return 1;
	return !o->force && (names(rec_get(rec, "model")) ||
	    names(rec_get(rec, "models")));
}

/*
 * A record given an error here (no_route, bad_input), said on stderr
 * as or-send says its refusals: named as the other tools name records,
 * the first SAID one by one, the rest counted at the end.
 */
static void
say_refused(struct router *rt, const struct rec *rec, jv err)
{
	jv where, msg;

	rt->refused++;
	if (rt->said >= SAID) {
		jv_free(err);
		return;
	}
	where = rec_where(rec);
	msg = jvx_get(err, "message");
	warnx_("%s: %s", jv_string_value(where), jv_get_kind(msg) ==
	    JV_KIND_STRING ? jv_string_value(msg) : "not routed");
	jv_free(where);
	jv_free(msg);
	rt->said++;
}

static void
say_rest(const struct router *rt)
{
	unsigned long rest = rt->refused - rt->said;

	if (rest > 0)
		warnx_("%lu more record%s not routed, %lu in all; each says "
		    "why in its error", rest, rest == 1 ? "" : "s",
		    rt->refused);
}

/* The error of keys as line.c's text holds them: ,"error":{...} */
static jv
error_of_text(const struct buf *ext)
{
	struct buf b = { 0 };
	jv v;

	buf_addc(&b, '{');
	buf_add(&b, ext->buf + 1, ext->len - 1);
	buf_addc(&b, '}');
	v = jvx_get(jvx_parse(b.buf, b.len), "error");
	buf_free(&b);
	return v;
}

/* A record read by libjv, as every line once was: 1 if it failed. */
static int
route_rec(struct router *rt, const struct reader *in, const char *line,
    size_t n)
{
	struct rec *rec = rec_of_line(in, line, n);
	jv keys;
	int failed;

	if (!passes(rt->o, rec)) {
		keys = route_keys(rt, jv_copy(rec->val));
		if (jvx_has(keys, "error"))
			say_refused(rt, rec, jvx_get(jv_copy(keys), "error"));
		/* --force: a stale models list goes with the model it had. */
		if (jvx_has(keys, "model") && !jvx_has(keys, "models"))
			rec_del(rec, "models");
		jv_object_foreach(keys, k, v) {
			/* A key replaced moves to the end; the rest keep
			   their bytes. */
			rec_del(rec, jv_string_value(k));
			rec_add(rec, jv_string_value(k), v);
			jv_free(k);
		}
		jv_free(keys);
	}
	failed = rec->failed;
	rec_put(rec);
	rec_free(rec);
	return failed;
}

/* One line routed, by its bytes when line.c can: 1 if it failed. */
static int
route_line(struct router *rt, const struct reader *in, const char *line,
    size_t n)
{
	const struct buf *ext;
	struct ask a;
	int failed;

	switch (line_ask(rt, line, n, &a, &failed)) {
	case LINE_PASS:
		errno = 0;
		out_put(line, n);
		break;
	case LINE_ROUTE:
		ext = routed_text(rt, &a, &failed);
		ask_free(&a);
		if (failed && rt->said >= SAID)
			rt->refused++;	/* counted only: nothing to parse */
		else if (failed) {
			struct rec *rec = rec_of_line(in, line, n);

			say_refused(rt, rec, error_of_text(ext));
			rec_free(rec);
		}
		errno = 0;
		out_spliced(line, n, ext->buf, ext->len);
		break;
	case LINE_SLOW:
		return route_rec(rt, in, line, n);
	}
	out_put("\n", 1);
	return failed;
}

/* stdout keeps its lines until no more input is at hand. */
static void
flush_out(void)
{
	fflush(stdout);
}

/*
 * More input, unless there is none or a second SIGINT or SIGTERM came.
 * Routing needs nothing more from the network, so the first signal
 * changes nothing: the input is read to its end and every record
 * written, as or-send and or-cost after it write theirs. Output is
 * flushed before each read that may wait, not after every line: a pipe
 * still gets each line as soon as or-route has nothing else to do.
 */
static int
fill_more(struct reader *in)
{
	if (rec_reader_eof(in) || sigwake_count() > 1)
		return 0;
	out_end();
	if (sigwake_wait(rec_reader_fd(in)))
		rec_fill(in);
	return 1;
}

/* After a second signal: 1, and a line that says where reading stopped. */
static int
stopped(const struct reader *in, long lines)
{
	if (rec_reader_eof(in) || sigwake_count() < 2)
		return 0;
	warnx_("interrupted: stopped reading after input line %ld", lines);
	return 1;
}

static int
route_all(struct router *rt)
{
	static char obuf[65536];
	struct reader *in = rec_reader(0);
	const char *line;
	size_t n;
	long lines = 0;
	int status = 0;

	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	before_msg = flush_out;
	for (;; lines++) {
		while (!rec_line(in, &line, &n))
			if (!fill_more(in))
				goto done;
		if (route_line(rt, in, line, n))
			status = 1;
	}
done:
	out_end();
	before_msg = NULL;
	say_rest(rt);
	status |= stopped(in, lines);
	rec_reader_free(in);
	return status;
}

/*
 * No catalog to route by (none cached, none to fetch): every record is
 * still written, in order, as or-send does when the API cannot be
 * reached; those it would have routed with an error that says why and
 * may be sent again, the others as they came.
 */
static int
unrouted_all(const struct route_opts *o, const char *why)
{
	struct reader *in = rec_reader(0);
	struct rec *rec;
	const char *line;
	size_t n;
	long failed = 0, lines = 0;
	int status = 0;
	jv msg = jv_string_fmt("no model catalog to route by: %s", why);

	for (;; lines++) {
		while (!rec_line(in, &line, &n))
			if (!fill_more(in))
				goto done;
		rec = rec_of_line(in, line, n);
		if (!passes(o, rec)) {
			rec_add(rec, "error", rec_errobj("no_route",
			    jv_string_value(msg), 1));
			rec->failed = 1;
			failed++;
		}
		status |= rec->failed;
		rec_put(rec);
		rec_free(rec);
	}
done:
	out_end();
	status |= stopped(in, lines);
	rec_reader_free(in);
	if (failed > 0)
		warnx_("no model catalog: %ld records written unrouted with "
		    "error.type \"no_route\"", failed);
	jv_free(msg);
	return status;
}

/* The catalog, or NULL with one line on stderr and *why set. */
static struct catalog *
catalog_or_why(const struct cfg *cfg, const struct cat_opts *co,
    struct buf *why)
{
	struct catalog *cat;
	char *path;

	if ((cat = cat_load_why(cfg, co, why)) == NULL) {
		path = cat_path();
		warnx_("cannot fetch the model catalog (%s), and there is no "
		    "cache at %s", buf_str(why), path);
		free(path);
	}
	return cat;
}

int
main(int argc, char **argv)
{
	struct run r;
	struct router rt;
	struct store st;
	struct store_groups long_, recent;
	struct cfg cfg;
	struct catalog *cat = NULL;
	struct buf why = { 0 };
	int c, status;

	progname = "or-route";
	if (argc > 1 && strcmp(argv[1], "suggest") == 0)
		return suggest_main(argc - 1, argv + 1);
	memset(&r, 0, sizeof(r));
	memset(&st, 0, sizeof(st));
	filter_init(&r.o.f);
	r.o.max_failure_rate = 0.2;
	r.o.min_requests = 10;
	r.history_ms = HISTORY_MS;
	r.cool_ms = COOL_MS;
	r.cat.max_age_ms = CAT_TTL_MS;
	while ((c = getopt_long(argc, argv, "d:hV", longopts, NULL)) != -1)
		set_option(&r, c);
	if (optind < argc)
		usage("or-route reads records on its standard input");
	memset(&rt, 0, sizeof(rt));
	rt.o = &r.o;
	check_auto(&r);
	rt.rules = rules_load(r.rules_file);
	check_task(&r, rt.rules);
	memset(&long_, 0, sizeof(long_));
	memset(&recent, 0, sizeof(recent));
	status = 2;
	if (cfg_load(&cfg, CFG_KEY_IF_ANY) == -1)
		goto out;
	if (http_global_init() == -1)
		die(2, "cannot start libcurl");
	out_init();
	/* Until the records are read, a signal ends or-route at once. */
	if (r.o.automatic) {
		/* openrouter/auto needs neither catalog nor history. */
		(void)sigwake_catch();
		status = route_all(&rt);
	} else if ((cat = catalog_or_why(&cfg, &r.cat, &why)) == NULL) {
		(void)sigwake_catch();
		status = unrouted_all(&r.o, buf_str(&why));
	} else if (filter_check(&r.o.f, cat) == 0) {
		rt.cat = cat;
		if (!r.no_history)
			load_history(&r, &rt, &st, &long_, &recent);
		(void)sigwake_catch();
		status = route_all(&rt);
	}
	sigwake_close();
	buf_free(&why);
	store_groups_free(&long_);
	store_groups_free(&recent);
	store_close(&st);
	cat_free(cat);
	http_global_cleanup();
	cfg_free(&cfg);
	c = out_close();
	status = c ? c : status;
out:
	router_free(&rt);
	jv_free(rt.rules);
	filter_free(&r.o.f);
	filter_list_free(r.o.order);
	filter_list_free(r.o.only);
	filter_list_free(r.o.ignore);
	return status;
}
