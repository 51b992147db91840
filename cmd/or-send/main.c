/* or-send: send each record to POST /chat/completions. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jv.h>

#include "budget.h"
#include "money.h"
#include "catalog.h"
#include "config.h"
#include "http.h"
#include "input.h"
#include "jvx.h"
#include "prefs.h"
#include "log.h"
#include "record.h"
#include "request.h"
#include "send.h"
#include "util.h"

#define DEFAULT_FREE_MODEL	"qwen/qwen3-coder:free"	/* in the 2026 catalog */

/* --help: every flag, grouped, for a person; usage() is for mistakes. */
static const char help_text[] =
    "usage: or-send [options] [prompt ...]\n"
    "Sends the prompt, or each JSON record on stdin, to OpenRouter and writes the\n"
    "record with its response; a prompt typed at a terminal prints the answer.\n"
    "Input/output:\n"
    "  -s, --system TEXT|@FILE  the system message, or the text of FILE\n"
    "  -a, --attach FILE|URL    attach an image or a PDF; repeatable\n"
    "  -o, --option KEY=VALUE   set a request parameter: -o temperature=0.2\n"
    "  -t, --text               write the answer text, not the record\n"
    "  -z, --null               as -t, each answer ended by a NUL (xargs -0)\n"
    "  -j, --json               write the record even at a terminal\n"
    "  -v, --verbose            log each request, status and retry on stderr\n"
    "      --dry-run            print each request and its worst cost; send none\n"
    "  -h, --help, -V, --version  print this summary, or the version\n"
    "Choosing the model:\n"
    "  -m, --model MODEL        the model id or alias; repeat to compare models\n"
    "  -c, --continue           continue the last conversation piped to or-log\n"
    "      --cid ID             continue conversation ID (or-log recent --cid)\n"
    "      --fallback M1,M2     the models to try next when the model fails\n"
    "      --free               send to a free model\n"
    "Sending:\n"
    "  -P, --parallel N         up to N requests at once (default 1)\n"
    "      --stream             ask for a streamed answer\n"
    "      --reasoning          with --stream -t, the reasoning on stderr\n"
    "      --unordered          write each record when done, not in input order\n"
    "      --rate N/s|N/min     start at most N requests a second or a minute\n"
    "      --retries N          retry a failed request N times (default 3)\n"
    "      --retry              send again the records whose error is retryable\n"
    "      --on-402 free        out of credit: send to a free model instead\n"
    "      --progress, --no-progress  draw the status line, or never draw it\n"
    "Budgets:\n"
    "      --budget LIMIT=USD   at most USD a run, day, month, model:ID or job:X\n"
    "      --budget-unbounded allow|refuse  a request whose cost has no bound\n"
    "      --ledger FILE        the database whose spend the budgets count\n"
    "      --budget-shared      count the limits with other or-sends' spend\n"
    "      --no-budget          leave budget.json out\n"
    "      --min-credits USD    exit 3 before sending unless USD credit is left\n"
    "Examples:\n"
    "  $ cat report.md | or-send \"Summarize this\"\n"
    "  $ or-send -m openai/gpt-5-mini -m qwen/qwen3-coder:free \"Hi\" | or-cost -t\n";

/* With why, the one-line usage on stderr, exit 2; without, --help. */
static _Noreturn void
usage(const char *why)
{
	if (why == NULL)
		text_exit(help_text);
	if (*why)
		warnx_("%s", why);
	fprintf(stderr,
	    "usage: or-send [-t | -z | -j] [-P n] [-m model ...] "
	    "[-c | --cid id] [-s system] [-o key=value] [-a file|url] "
	    "[--stream] [--rate n/s] [--retry] [--fallback m,...] "
	    "[--free] [--budget limit=usd,...] [--min-credits usd] "
	    "[--dry-run] [-v] [prompt ...]\n");
	exit(2);
}

enum {
	O_RETRIES = 256, O_UNORDERED, O_RATE, O_PROGRESS, O_NOPROGRESS,
	O_STREAM, O_REASONING, O_RETRY, O_FALLBACK, O_FREE, O_ON402,
	O_BUDGET, O_NOBUDGET, O_UNBOUNDED, O_LEDGER, O_MINCREDITS, O_SHARED,
	O_CID, O_DRYRUN
};

static const struct option longopts[] = {
	{ "model",	required_argument,	NULL, 'm' },
	{ "system",	required_argument,	NULL, 's' },
	{ "option",	required_argument,	NULL, 'o' },
	{ "text",	no_argument,		NULL, 't' },
	{ "json",	no_argument,		NULL, 'j' },
	{ "null",	no_argument,		NULL, 'z' },
	{ "parallel",	required_argument,	NULL, 'P' },
	{ "retries",	required_argument,	NULL, O_RETRIES },
	{ "unordered",	no_argument,		NULL, O_UNORDERED },
	{ "rate",	required_argument,	NULL, O_RATE },
	{ "progress",	no_argument,		NULL, O_PROGRESS },
	{ "no-progress", no_argument,		NULL, O_NOPROGRESS },
	{ "stream",	no_argument,		NULL, O_STREAM },
	{ "reasoning",	no_argument,		NULL, O_REASONING },
	{ "retry",	no_argument,		NULL, O_RETRY },
	{ "fallback",	required_argument,	NULL, O_FALLBACK },
	{ "free",	no_argument,		NULL, O_FREE },
	{ "on-402",	required_argument,	NULL, O_ON402 },
	{ "budget",	required_argument,	NULL, O_BUDGET },
	{ "no-budget",	no_argument,		NULL, O_NOBUDGET },
	{ "budget-unbounded", required_argument, NULL, O_UNBOUNDED },
	{ "ledger",	required_argument,	NULL, O_LEDGER },
	{ "budget-shared", no_argument,		NULL, O_SHARED },
	{ "min-credits", required_argument,	NULL, O_MINCREDITS },
	{ "continue",	no_argument,		NULL, 'c' },
	{ "cid",	required_argument,	NULL, O_CID },
	{ "attach",	required_argument,	NULL, 'a' },
	{ "dry-run",	no_argument,		NULL, O_DRYRUN },
	{ "verbose",	no_argument,		NULL, 'v' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL,		0,			NULL, 0 }
};

/* -o key=value: lib/request's reading, the complaint ours. */
static jv
parse_option(jv opts, const char *arg)
{
	if (!jv_is_valid(opts = req_option(opts, arg)))
		usage("-o wants key=value");
	return opts;
}

static int
parse_count(const char *s, int lo, int hi, const char *why)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*s == '\0' || *end || n < lo || n > hi)
		usage(why);
	return (int)n;
}

/* "20/min", "5/s" or "5": milliseconds between request starts. */
static double
parse_rate(const char *s)
{
	char *end;
	double n = strtod(s, &end), per = 1000;

	if (end == s || n <= 0)
		usage("--rate wants n/s or n/min");
	if (strcmp(end, "/min") == 0 || strcmp(end, "/m") == 0)
		per = 60000;
	else if (*end && strcmp(end, "/s") != 0)
		usage("--rate wants n/s or n/min");
	return per / n;
}

static jv
parse_models(const char *s)
{
	jv list = jv_array();
	const char *p = s, *comma;

	for (; *p; p = *comma ? comma + 1 : comma) {
		comma = strchr(p, ',');
		if (comma == NULL)
			comma = p + strlen(p);
		if (comma > p)
			list = jv_array_append(list,
			    jv_string_sized(p, (int)(comma - p)));
	}
	if (jv_array_length(jv_copy(list)) == 0) {
		jv_free(list);
		usage("--fallback wants model,model,...");
	}
	return list;
}

/*
 * ORKIT_FREE_MODEL, else the first free model of or-models' cache
 * (however old: a free model seldom goes away), else of the catalog
 * fetched now (and cached), else, offline, a built-in name.
 */
static char *
free_model(const struct cfg *cfg, const struct prefs *prefs, int fetch)
{
	const char *env = getenv("ORKIT_FREE_MODEL");
	struct cat_opts co = { CAT_TTL_MS, 0 };
	struct buf why = { 0 };
	struct catalog *c;
	char *path, *pick = NULL;
	size_t i;

	if (env && *env)
		return xstrdup(prefs_model(prefs, env));
	path = cat_path();
	c = cat_read(path);
	free(path);
	if (c == NULL && fetch)
		c = cat_load_why(cfg, &co, &why);
	else if (c == NULL)
		buf_adds(&why, "none cached, and --dry-run fetches none");
	for (i = 0; c && i < c->n && pick == NULL; i++)
		if (cat_is_free_id(c->models[i].id))
			pick = xstrdup(c->models[i].id);
	if (c == NULL)
		warnx_("no model catalog (%s): the free model is %s, which "
		    "may no longer exist (set ORKIT_FREE_MODEL)",
		    buf_str(&why), DEFAULT_FREE_MODEL);
	else if (pick == NULL)
		warnx_("no free model in the catalog: the free model is %s "
		    "(set ORKIT_FREE_MODEL)", DEFAULT_FREE_MODEL);
	buf_free(&why);
	cat_free(c);
	return pick ? pick : xstrdup(DEFAULT_FREE_MODEL);
}

/* ORKIT_MAX_WAIT: "30", "30s", "2m"; 60 s when unset. */
static int64_t
max_wait(void)
{
	const char *env = getenv("ORKIT_MAX_WAIT");
	int64_t ms = 60000;

	if (env && *env && parse_duration(env, &ms) == -1)
		die(2, "ORKIT_MAX_WAIT: not a duration: %s", env);
	return ms;
}

/* What the budget flags say, applied once the file is read. */
struct budget_flags {
	const char	**specs;	/* --budget, in order */
	int		 nspecs;
	int		 none;		/* --no-budget */
	int		 unbounded;	/* --budget-unbounded: -1 unsaid */
	const char	*ledger;	/* --ledger */
	int		 shared;	/* --budget-shared */
	double		 min_credits;	/* -1 none */
};

/* --min-credits: USD as --budget reads it (lib/budget). */
static double
parse_usd(const char *flag, const char *s)
{
	char why[160];
	const char *w;
	int64_t pico;

	if (budget_usd(s, &pico, &w) == -1) {
		snprintf(why, sizeof(why), "%s \"%.40s\": %s", flag, s, w);
		usage(why);
	}
	return money_usd(pico);
}

/*
 * budget.json (unless --no-budget), then each --budget: NULL when there
 * are no limits and no credit floor, so nothing is gated.
 */
static struct gate *
budget_gate(const struct cfg *cfg, const struct budget_flags *f)
{
	struct budget b = BUDGET_INIT;
	struct gate *g;
	char err[256];
	int i;

	if (!f->none && budget_load(&b, NULL) == -1)
		exit(2);
	for (i = 0; i < f->nspecs; i++)
		if (budget_add(&b, f->specs[i], err, sizeof(err)) == -1) {
			budget_free(&b);
			usage(err);
		}
	if (f->unbounded >= 0)
		b.unbounded = f->unbounded;
	if (b.n == 0 && f->min_credits < 0) {
		budget_free(&b);
		return NULL;
	}
	if ((g = gate_new(cfg, &b, f->ledger, f->shared)) == NULL)
		exit(2);
	return g;
}

/* The prompt given as arguments, joined by spaces as echo does. */
static char *
join_args(int argc, char **argv)
{
	struct buf b = { 0 };
	int i;

	for (i = 0; i < argc; i++) {
		if (i)
			buf_addc(&b, ' ');
		buf_adds(&b, argv[i]);
	}
	return b.buf;
}

/*
 * The argv prompt: one argument that is @FILE is the file's text; then,
 * when stdin is not a terminal, the document on it after a blank line.
 */
static char *
argv_prompt(int argc, char **argv)
{
	char *p = argc == 1 ? input_arg(argv[0], "") : join_args(argc, argv);
	char *doc = isatty(STDIN_FILENO) ? NULL : input_stdin();
	struct buf b = { 0 };

	if (doc == NULL)
		return p;
	buf_adds(&b, p);
	buf_adds(&b, "\n\n");
	buf_adds(&b, doc);
	free(p);
	free(doc);
	return b.buf;
}

static void
sender_free(struct sender *s)
{
	prefs_free(&s->prefs);
	free(s->models);
	jv_free(s->opts);
	jv_free(s->fallback);
	jv_free(s->attach);
	free((char *)s->system);
	free((char *)s->free_model);
	free(s->cid);
	free(s->convo_model);
	jv_free(s->history);
}

int
main(int argc, char **argv)
{
	struct sender s = { 0 };
	struct batch_opts o = { 1, 0, 0, -1, 0 };
	struct budget_flags bf = { NULL, 0, 0, -1, NULL, 0, -1 };
	struct reader *r = NULL;
	struct rec *one = NULL;
	const char **mflags = NULL, *cid = NULL;
	int nm = 0, cont = 0;
	char *prompt;
	int c, status, retries = -1, json = 0, dryrun = 0, verbose = 0;
	int below = 0;
	int text = 0, progress = 0;	/* bits: 1 --progress, 2 --no- */

	progname = "or-send";
	s.opts = jv_object();
	s.fallback = jv_array();
	s.history = jv_invalid();
	s.attach = jv_array();
	while ((c = getopt_long(argc, argv, "m:s:o:tjzP:ca:vhV", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'm':
			mflags = xrealloc(mflags, sizeof(*mflags) *
			    (size_t)(nm + 1));
			mflags[nm++] = optarg;
			break;
		case 's':
			free((char *)s.system);
			s.system = input_arg(optarg, "-s");
			break;
		case 'c': cont = 1; break;
		case O_CID: cid = optarg; break;
		case 'a':
			s.attach = jv_array_append(s.attach,
			    input_attach(optarg));
			break;
		case O_DRYRUN: dryrun = 1; break;
		case 'v': verbose++; break;
		case 'o': s.opts = parse_option(s.opts, optarg); break;
		case 't': s.textmode = text = 1; break;
		case 'j': json = 1; break;
		case 'z': s.textmode = o.nul = 1; break;
		case 'P':
			o.parallel = parse_count(optarg, 1, 1024,
			    "-P wants a number from 1 to 1024");
			break;
		case O_RETRIES:
			retries = parse_count(optarg, 0, 100,
			    "--retries wants a number from 0 to 100");
			break;
		case O_UNORDERED: o.unordered = 1; break;
		case O_RATE: o.rate_ms = parse_rate(optarg); break;
		case O_PROGRESS: progress |= 1; break;
		case O_NOPROGRESS: progress |= 2; break;
		case O_STREAM: s.stream = 1; break;
		case O_REASONING: s.reasoning = 1; break;
		case O_RETRY: s.retry = 1; break;
		case O_FALLBACK:
			jv_free(s.fallback);
			s.fallback = parse_models(optarg);
			break;
		case O_FREE: s.free = 1; break;
		case O_ON402:
			if (strcmp(optarg, "free") != 0)
				usage("--on-402 wants \"free\"");
			s.on402free = 1;
			break;
		case O_BUDGET:
			bf.specs = xrealloc(bf.specs, sizeof(*bf.specs) *
			    (size_t)(bf.nspecs + 1));
			bf.specs[bf.nspecs++] = optarg;
			break;
		case O_NOBUDGET: bf.none = 1; break;
		case O_UNBOUNDED:
			if (strcmp(optarg, "allow") != 0 &&
			    strcmp(optarg, "refuse") != 0)
				usage("--budget-unbounded wants allow or "
				    "refuse");
			bf.unbounded = strcmp(optarg, "allow") == 0;
			break;
		case O_LEDGER: bf.ledger = optarg; break;
		case O_SHARED: bf.shared = 1; break;
		case O_MINCREDITS:
			bf.min_credits = parse_usd("--min-credits", optarg);
			break;
		case 'h': usage(NULL);
		case 'V':
			sender_free(&s);
			version_exit();
		default: usage("");
		}
	}
	argc -= optind;
	argv += optind;
	/* Exclusive, as the synopsis says: not the last one winning. */
	if (json && s.textmode)
		usage("-j (records) and -t or -z (text): one of them");
	if (text && o.nul)
		usage("-t (text) and -z (NUL-ended text): one of them");
	if (progress == 3)
		usage("--progress and --no-progress: one of them");
	if (progress)
		o.progress = progress == 1;
	if ((cont || cid) && nm > 1)
		usage("-c and --cid take one -m");
	if (cont && cid)
		usage("-c or --cid, not both");

	if (log_init(verbose) == -1 || prefs_load(&s.prefs, NULL) == -1 ||
	    cfg_load(&s.cfg, !dryrun) == -1) {
		sender_free(&s);
		free(bf.specs);
		free(mflags);
		return 2;
	}
	models_setup(&s, mflags, nm);
	free(mflags);
	s.opts = prefs_options(&s.prefs, s.opts);
	convo_setup(&s, cont, cid, argc > 0, !dryrun && isatty(STDOUT_FILENO));
	if (retries >= 0)
		s.cfg.retries = retries;
	s.stall_ms = s.cfg.stall_ms;
	s.max_wait_ms = max_wait();
	out_init();
	if (!dryrun && http_global_init() == -1)
		die(2, "cannot start libcurl");
	if (s.free || s.on402free)
		s.free_model = free_model(&s.cfg, &s.prefs, !dryrun);
	if (argc > 0) {
		/* a person at a terminal asked: the answer, as it comes */
		if (!json && !dryrun && isatty(STDOUT_FILENO))
			s.textmode = s.stream = s.asked = 1;
		prompt = argv_prompt(argc, argv);
		one = rec_from_prompt(prompt);
		free(prompt);
	} else {
		/* A person who typed or-send alone would wait in silence. */
		if (isatty(STDIN_FILENO) && isatty(STDERR_FILENO))
			warnx_("reading records from the terminal, one a line "
			    "(\"a prompt\" or {\"prompt\": ...}), until "
			    "Ctrl-D; or-send 'question' asks one");
		r = rec_reader(STDIN_FILENO);
	}
	if (dryrun) {
		free(bf.specs);
		status = dry_run(&s, r, one);
		goto done;
	}
	s.http = http_new(&s.cfg, progname);
	s.gate = budget_gate(&s.cfg, &bf);
	free(bf.specs);
	if (s.gate && bf.min_credits >= 0 &&
	    (below = gate_floor(s.gate, s.http, bf.min_credits)) == -1)
		exit(2);
	status = batch_run(&s, &o, r, one);
	if (below == 1 && status == 0)
		status = 3;	/* below --min-credits, records or none */
	gate_free(s.gate);
	http_free(s.http);
	http_global_cleanup();
done:
	rec_reader_free(r);
	cfg_free(&s.cfg);
	sender_free(&s);
	c = out_close();
	return c ? c : status;
}
