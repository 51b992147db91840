/* or-cost: what every request cost, and where the figure came from. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jv.h>

#include "catalog.h"
#include "config.h"
#include "cost.h"
#include "http.h"
#include "record.h"
#include "util.h"

/* --help and credits --help, for a person; usage() is for mistakes. */
static const char help_text[] =
    "usage: or-cost [options]    or-cost credits [--min USD]\n"
    "Adds to each JSON record from or-send what its request cost (cost.usd and\n"
    "the tokens), asked of OpenRouter by generation id; or totals a batch.\n"
    "Output:\n"
    "  -s, --total              one record of totals at the end, per model too\n"
    "  -t, --table              the same totals as a table\n"
    "  -h, --help, -V, --version  print this summary, or the version\n"
    "Where the figure comes from:\n"
    "      --no-generation      the response's usage.cost alone; ask nothing\n"
    "      --estimate           before sending: the most each record may cost\n"
    "  -P, --parallel N         look up N generations at once (default 16)\n"
    "      --wait SECONDS       wait for a generation at most SECONDS (10)\n"
    "Commands (or-cost credits --help):\n"
    "  credits                  the account's credit and the key's limit left\n"
    "Examples:\n"
    "  $ or-send -P 8 < jobs.jsonl | or-cost -t\n"
    "  $ or-cost --estimate -t < jobs.jsonl\n";

static const char credits_help[] =
    "usage: or-cost credits [--min USD]\n"
    "Writes one record of the account's credit (GET /credits, which takes a\n"
    "management key) and the key's limit and usage (GET /key).\n"
    "      --min USD            exit 3 when the credit or the limit left is below\n"
    "                           USD\n"
    "  -h, --help               print this summary\n"
    "Examples:\n"
    "  $ or-cost credits | jq .remaining\n"
    "  $ or-cost credits --min 5 && or-send -P 8 < jobs.jsonl > out.jsonl\n";

static _Noreturn void
usage(const char *why)
{
	if (*why)
		warnx_("%s", why);
	fputs("usage: or-cost [-s | -t] [-P n] [--wait seconds] "
	    "[--no-generation | --estimate]\n"
	    "       or-cost credits [--min usd]\n", stderr);
	exit(2);
}

/* The command's own summary when one is named: "or-cost credits -h". */
static _Noreturn void
help(int argc, char **argv)
{
	text_exit(argc > 0 && strcmp(argv[0], "credits") == 0 ? credits_help :
	    help_text);
}

enum { O_WAIT = 256, O_NOGEN, O_ESTIMATE, O_MIN };

static const struct option longopts[] = {
	{ "total",		no_argument,		NULL, 's' },
	{ "table",		no_argument,		NULL, 't' },
	{ "parallel",		required_argument,	NULL, 'P' },
	{ "wait",		required_argument,	NULL, O_WAIT },
	{ "no-generation",	no_argument,		NULL, O_NOGEN },
	{ "estimate",		no_argument,		NULL, O_ESTIMATE },
	{ "min",		required_argument,	NULL, O_MIN },
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, 'V' },
	{ NULL,			0,			NULL, 0 }
};

static double
parse_num(const char *s, double lo, double hi, const char *why)
{
	char *end;
	double d = strtod(s, &end);

	if (*s == '\0' || *end || !isfinite(d) || d < lo || d > hi)
		usage(why);
	return d;
}

/* Usage and estimates need no request: one record at a time. */
static void
each_record(struct run *r, struct reader *in)
{
	struct rec *rec;

	while ((rec = rec_next(in)) != NULL) {
		if (cost_wanted(r, rec)) {
			if (cost_is_cached(rec))
				rec_add(rec, "cost", cost_from_cache(rec));
			else if (r->source == SRC_ESTIMATE)
				estimate(r, rec);
			else
				rec_add(rec, "cost", cost_from_usage(rec, NULL));
		}
		put(r, rec);
	}
}

static int
run_filter(struct run *r, int table)
{
	struct reader *in = rec_reader(STDIN_FILENO);
	struct cat_opts co = { CAT_TTL_MS, 0 };
	int status;

	if (r->source == SRC_ESTIMATE && (prefs_load(&r->prefs, NULL) == -1 ||
	    (r->cat = cat_load(&r->cfg, &co)) == NULL)) {
		prefs_free(&r->prefs);
		rec_reader_free(in);
		return 2;
	}
	out_init();
	if (r->source == SRC_GENERATION) {
		http_global_init();
		r->http = http_new(&r->cfg, progname);
		status = lookup_run(r, in);
		http_free(r->http);
		http_global_cleanup();
	} else {
		each_record(r, in);
		status = r->status;
	}
	rec_reader_free(in);
	cat_free(r->cat);
	if (r->source == SRC_ESTIMATE)
		prefs_free(&r->prefs);
	if (r->tot) {
		total_write(r->tot, table);
		total_free(r->tot);
	}
	return status;
}

int
main(int argc, char **argv)
{
	struct run r;
	double min = -1;
	int c, total = 0, table = 0, sum = 0, nogen = 0, est = 0, status;
	int want_help = 0;

	progname = "or-cost";
	memset(&r, 0, sizeof(r));
	r.source = SRC_GENERATION;
	r.parallel = 16;
	r.wait_ms = WAIT_MS;
	while ((c = getopt_long(argc, argv, "stP:hV", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 's': total = sum = 1; break;
		case 't': total = table = 1; break;
		case 'P':
			r.parallel = (int)parse_num(optarg, 1, 1024,
			    "-P wants a number from 1 to 1024");
			break;
		case O_WAIT:
			r.wait_ms = (int64_t)(parse_num(optarg, 0, 3600,
			    "--wait wants seconds from 0 to 3600") * 1000);
			break;
		case O_NOGEN: r.source = SRC_USAGE, nogen = 1; break;
		case O_ESTIMATE: r.source = SRC_ESTIMATE, est = 1; break;
		case O_MIN:
			min = parse_num(optarg, 0, 1e12, "--min wants USD");
			break;
		case 'h': want_help = 1; break;
		case 'V':
			version_exit();
		default: usage("");
		}
	}
	argc -= optind;
	argv += optind;
	if (want_help)
		help(argc, argv);

	/* Exclusive, as the synopsis says: not the last one winning. */
	if (sum && table)
		usage("-s (--total) and -t (--table) do not go together");
	if (nogen && est)
		usage("--no-generation and --estimate do not go together");
	if (argc > 1 || (argc == 1 && strcmp(argv[0], "credits") != 0))
		usage(argc == 1 ? "the only command is \"credits\"" :
		    "too many arguments");
	if (argc == 0 && min >= 0)
		usage("--min goes with credits");
	if (argc == 1 && (total || r.source != SRC_GENERATION))
		usage("credits takes only --min");
	if (cfg_load(&r.cfg, r.source == SRC_ESTIMATE ? CFG_KEY_IF_ANY :
	    r.source == SRC_USAGE ? 0 : 1) == -1)
		return 2;
	if (total)
		r.tot = total_new();
	status = argc == 1 ? credits(&r, min) : run_filter(&r, table);
	cfg_free(&r.cfg);
	c = out_close();
	return c ? c : status;
}
