/* or-models: OpenRouter's model catalog as records, filtered and sorted. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "config.h"
#include "http.h"
#include "models.h"
#include "record.h"
#include "util.h"

/* --help and each command's, for a person; usage() is for mistakes. */
static const char help_text[] =
    "usage: or-models [options] [show ID | compare ID ... | endpoints ID]\n"
    "Writes OpenRouter's model catalog, a JSON record a model, cached for an hour;\n"
    "prices in tables are dollars per million tokens.\n"
    "Output:\n"
    "  -t, --table              a table for people, not records\n"
    "      --ids                the model ids alone, one a line\n"
    "  -h, --help, -V, --version  print this summary, or the version\n"
    "Filters:\n"
    "      --provider A,B       models by these authors (openai,anthropic)\n"
    "      --free               models that cost nothing\n"
    "      --paid               models that cost something\n"
    "      --max-price P[/C]    at most P per 1M prompt tokens, C per completion\n"
    "      --min-context N      a context of at least N tokens (128k, 1M)\n"
    "      --need CAP,...       with these capabilities: tools, json, image, ...\n"
    "      --modality M         by modality: text+image->text, ->image, ...\n"
    "      --search TEXT        id, name or description holds TEXT\n"
    "      --where EXPR         the jq expression EXPR holds for the model\n"
    "Order:\n"
    "      --sort KEY           price, context, created, name or throughput\n"
    "  -r, --reverse            reverse the order\n"
    "      --limit N            at most N models\n"
    "Catalog:\n"
    "      --max-age TIME       use a cache younger than TIME (15m, 2h, 0)\n"
    "      --refresh            fetch the catalog now\n"
    "Commands (or-models COMMAND --help for theirs):\n"
    "  show ID                  the model's record; -t its main fields\n"
    "  compare ID ...           the models side by side with -t\n"
    "  endpoints ID             the model's providers: status, latency, price\n"
    "Examples:\n"
    "  $ or-models -t --free --need tools --sort context\n"
    "  $ or-models -t compare openai/gpt-5-mini anthropic/claude-sonnet-4.5\n";

static const char show_help[] =
    "usage: or-models [-t | --ids] show ID\n"
    "Writes the catalog record of model ID.\n"
    "  -t, --table              its main fields, one a line\n"
    "      --ids                its id alone\n"
    "      --max-age TIME       use a cache younger than TIME (15m, 2h, 0)\n"
    "      --refresh            fetch the catalog now\n"
    "Examples:\n"
    "  $ or-models -t show openai/gpt-5-mini\n"
    "  $ or-models show openai/gpt-5-mini | jq .pricing\n";

static const char compare_help[] =
    "usage: or-models [-t | --ids] compare ID ...\n"
    "Writes the catalog records of the models named, in that order.\n"
    "  -t, --table              side by side: a column a model, a row a field\n"
    "      --ids                their ids alone\n"
    "      --max-age TIME       use a cache younger than TIME (15m, 2h, 0)\n"
    "      --refresh            fetch the catalog now\n"
    "Examples:\n"
    "  $ or-models -t compare openai/gpt-5-mini anthropic/claude-sonnet-4.5\n"
    "  $ or-models compare openai/gpt-5-mini qwen/qwen3-coder:free | jq .pricing\n";

static const char endpoints_help[] =
    "usage: or-models [-t] endpoints ID\n"
    "Writes a record for each provider that serves model ID: its status, uptime,\n"
    "latency and throughput, prices and limits (GET /models/ID/endpoints).\n"
    "  -t, --table              a table, a provider a row\n"
    "Examples:\n"
    "  $ or-models -t endpoints openai/gpt-5-mini\n"
    "  $ or-models endpoints openai/gpt-5-mini | jq -r .provider_name\n";

static int want_help;	/* -h: printed once the command is known */

static _Noreturn void
usage(const char *why)
{
	if (*why)
		warnx_("%s", why);
	fprintf(stderr,
	    "usage: or-models [-t | --ids] [-r] [--sort key] [--limit n] "
	    "[--provider a,...] [--free | --paid] [--max-price p[/c]] "
	    "[--min-context n] [--need cap,...] [--modality m] "
	    "[--search text] [--where expr] [--max-age time] [--refresh]\n"
	    "       or-models [-t] show id | endpoints id | compare id ...\n");
	exit(2);
}

/* The command's own summary when one is named: "or-models show -h". */
static _Noreturn void
help(const char *cmd)
{
	const char *text = help_text;

	if (cmd && strcmp(cmd, "show") == 0)
		text = show_help;
	else if (cmd && strcmp(cmd, "compare") == 0)
		text = compare_help;
	else if (cmd && strcmp(cmd, "endpoints") == 0)
		text = endpoints_help;
	text_exit(text);
}

enum {
	O_IDS = 256, O_SORT, O_LIMIT, O_PROVIDER, O_FREE, O_PAID, O_MAXPRICE,
	O_MINCTX, O_NEED, O_MODALITY, O_SEARCH, O_WHERE, O_MAXAGE, O_REFRESH
};

static const struct option longopts[] = {
	{ "table",	no_argument,		NULL, 't' },
	{ "reverse",	no_argument,		NULL, 'r' },
	{ "ids",	no_argument,		NULL, O_IDS },
	{ "sort",	required_argument,	NULL, O_SORT },
	{ "limit",	required_argument,	NULL, O_LIMIT },
	{ "provider",	required_argument,	NULL, O_PROVIDER },
	{ "free",	no_argument,		NULL, O_FREE },
	{ "paid",	no_argument,		NULL, O_PAID },
	{ "max-price",	required_argument,	NULL, O_MAXPRICE },
	{ "min-context", required_argument,	NULL, O_MINCTX },
	{ "need",	required_argument,	NULL, O_NEED },
	{ "modality",	required_argument,	NULL, O_MODALITY },
	{ "search",	required_argument,	NULL, O_SEARCH },
	{ "where",	required_argument,	NULL, O_WHERE },
	{ "max-age",	required_argument,	NULL, O_MAXAGE },
	{ "refresh",	no_argument,		NULL, O_REFRESH },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL,		0,			NULL, 0 }
};

/* "a,b,,c" appended to a NULL-terminated list of copies. */
static char **
add_list(char **list, const char *s, const char *flag)
{
	char why[64];

	if ((list = filter_list(list, s)) != NULL)
		return list;
	snprintf(why, sizeof(why), "%s wants a list: a,b,...", flag);
	usage(why);
}

/* A count with an optional k (1000) or M (1000000). */
static int64_t
parse_count(const char *s, const char *why)
{
	int64_t n;

	if (filter_count(s, &n) == -1)
		usage(why);
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

/* "P", "P/C" or "/C", in USD per 1M tokens. */
static void
parse_max_price(struct opts *o, const char *s)
{
	if (filter_max_price(&o->f, s) == -1)
		usage("--max-price wants " FILTER_PRICE_HELP);
}

static enum sortkey
parse_sort(const char *s)
{
	static const char *const names[] = { "", "price", "context",
	    "created", "name", "throughput" };
	size_t i;

	for (i = 1; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return (enum sortkey)i;
	usage("--sort wants price, context, created, name or throughput");
}

/* Returns 1 when the option narrowed or ordered the listing. */
static int
set_option(struct opts *o, int c)
{
	switch (c) {
	case 't': o->table = 1; return 0;
	case 'r': o->reverse = 1; break;
	case O_IDS: o->ids = 1; return 0;
	case O_SORT: o->sort = parse_sort(optarg); break;
	case O_LIMIT:
		o->limit = (long)parse_count(optarg,
		    "--limit wants a number");
		break;
	case O_PROVIDER:
		o->f.providers = add_list(o->f.providers, optarg,
		    "--provider");
		break;
	case O_FREE: o->f.free = 1; break;
	case O_PAID: o->f.paid = 1; break;
	case O_MAXPRICE: parse_max_price(o, optarg); break;
	case O_MINCTX:
		o->f.min_context = parse_count(optarg,
		    "--min-context wants " FILTER_COUNT_HELP);
		break;
	case O_NEED: o->f.need = add_list(o->f.need, optarg, "--need"); break;
	case O_MODALITY: o->f.modality = optarg; break;
	case O_SEARCH: o->search = optarg; break;
	case O_WHERE: o->where = optarg; break;
	case O_MAXAGE: o->cat.max_age_ms = parse_age(optarg); return 0;
	case O_REFRESH: o->cat.refresh = 1; return 0;
	case 'h': want_help = 1; return 0;
	case 'V':
		version_exit();
	default: usage("");
	}
	return 1;
}

/* "unknown model 'x'; did you mean a, b or c?" and status 1. */
static int
unknown_model(const struct catalog *c, const char *id)
{
	const struct model *near[3];
	struct buf b = { 0 };
	size_t i, n = c ? cat_suggest(c, id, near, 3) : 0;

	buf_adds(&b, "; did you mean ");
	for (i = 0; i < n; i++) {
		if (i)
			buf_adds(&b, i + 1 == n ? " or " : ", ");
		buf_adds(&b, near[i]->id);
	}
	buf_addc(&b, '?');
	warnx_("unknown model '%s'%s", id, n ? b.buf : "");
	buf_free(&b);
	return 1;
}

static void
put_model(const struct model *m)
{
	out_put(m->json, m->len);
	out_put("\n", 1);
}

static int
list_cmd(const struct opts *o, const struct catalog *c)
{
	struct picked p;
	size_t i;

	if (sel_check(o, c) == -1)
		return 2;
	sel_run(o, c, &p);
	if (o->table)
		list_table(&p);
	else
		for (i = 0; i < p.n; i++) {
			if (o->ids) {
				out_put(p.m[i]->id, strlen(p.m[i]->id));
				out_put("\n", 1);
			} else
				put_model(p.m[i]);
		}
	free(p.m);
	return 0;
}

/* show and compare: the models named, in the order named. */
static int
named_cmd(const struct opts *o, const struct catalog *c, int argc,
    char **argv)
{
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	const struct model **m = xmalloc((size_t)argc * sizeof(*m));
	int i, n = 0, status = 0;

	for (i = 0; i < argc; i++) {
		if ((m[n] = cat_find(c, argv[i])) != NULL)
			n++;
		else
			status = unknown_model(c, argv[i]);
	}
	if (o->table && n > 0)
		compare_table(m, (size_t)n);
	else if (o->ids)
		for (i = 0; i < n; i++) {
			out_put(m[i]->id, strlen(m[i]->id));
			out_put("\n", 1);
		}
	else
		for (i = 0; i < n; i++)
			put_model(m[i]);
	free(m);
	return status;
}

static struct catalog *
load(const struct opts *o)
{
	struct catalog *c = cat_load(&o->cfg, &o->cat);

	if (c && c->skipped)
		warnx_("%zu entries of the catalog are not objects; left out",
		    c->skipped);
	return c;
}

static int
run(struct opts *o, int argc, char **argv, int filtered)
{
	struct catalog *c = NULL;
	const char *cmd = argc > 0 ? argv[0] : NULL;
	int status;

	if (cmd && filtered)
		usage("filters and --sort are for the listing, not for a "
		    "command");
	if (cmd && strcmp(cmd, "endpoints") == 0) {
		if (argc != 2)
			usage("endpoints wants one model id");
		if ((status = endpoints_cmd(o, argv[1])) == 1) {
			c = load(o);
			status = unknown_model(c, argv[1]);
		}
	} else if (cmd && (strcmp(cmd, "show") == 0 ||
	    strcmp(cmd, "compare") == 0)) {
		if (argc < 2 || (cmd[0] == 's' && argc != 2))
			usage(cmd[0] == 's' ? "show wants one model id" :
			    "compare wants model ids");
		status = (c = load(o)) ? named_cmd(o, c, argc - 1, argv + 1) :
		    2;
	} else if (cmd)
		usage("unknown command; there are show, endpoints and compare");
	else
		status = (c = load(o)) ? list_cmd(o, c) : 2;
	cat_free(c);
	return status;
}

int
main(int argc, char **argv)
{
	struct opts o;
	int c, filtered = 0, status;

	progname = "or-models";
	memset(&o, 0, sizeof(o));
	filter_init(&o.f);
	o.limit = -1;
	o.cat.max_age_ms = CAT_TTL_MS;
	while ((c = getopt_long(argc, argv, "trhV", longopts, NULL)) != -1)
		filtered |= set_option(&o, c);
	argc -= optind;
	argv += optind;
	if (want_help)
		help(argc > 0 ? argv[0] : NULL);
	if (o.table && o.ids)
		usage("-t and --ids do not go together");
	if (o.f.free && o.f.paid)
		usage("--free and --paid do not go together");
	sel_prepare(&o);
	if (cfg_load(&o.cfg, CFG_KEY_IF_ANY) == -1)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	if (http_global_init() == -1)
		die(2, "cannot start libcurl");
	status = run(&o, argc, argv, filtered);
	sel_finish();
	http_global_cleanup();
	cfg_free(&o.cfg);
	filter_free(&o.f);
	c = out_close();
	return c ? c : status;
}
