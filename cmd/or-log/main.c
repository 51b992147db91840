/* or-log: every request in SQLite; append in the pipe, query after. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "append.h"
#include "budget.h"
#include "config.h"
#include "extract.h"
#include "jvx.h"
#include "query.h"
#include "record.h"
#include "request.h"
#include "store.h"
#include "util.h"

/* The one-line usage for a mistake with no command, then each command's. */
static const char usage_line[] =
    "usage: or-log [-d db] [--receipt | -t] | or-log [-d db] stats | recent"
    " | search | show | export | sql | report | budget | pending | cache"
    " | prune | merge ...\n";
#define U	"usage: or-log [-d db] "
static const char stats_usage[] = U "stats [-t] [--by key] [--since t]"
    " [--until t] [--model m] [--where sql] [--chart]\n";
static const char recent_usage[] = U "recent [-t] [-n count] [--since t]"
    " [--until t] [--sort cost|time|latency] [--cid id]\n";
static const char search_usage[] = U "search [-t] [-n count] query\n";
static const char show_usage[] = U "show rowid | generation-id\n";
static const char export_usage[] = U "export [--csv | --json | --jsonl]"
    " [--since t] [--until t]\n";
static const char sql_usage[] = U "sql [-t | --csv | --json] statement\n";
static const char report_usage[] = U "report --html [-n count] [--since t]"
    " [--until t]\n";
static const char prune_usage[] = U "prune --before t [--vacuum]\n";
static const char merge_usage[] = U "merge other.db\n";
static const char pending_usage[] = U "pending [--max-age age] [-m model]"
    " [-s system] [-o key=value] < jobs\n";
static const char cache_usage[] = U "cache [--max-age age] [-m model]"
    " [-s system] [-o key=value] < jobs\n";
static const char budget_usage[] = U "budget [-t] [--day usd] [--month usd]"
    " [--budget spec] [--warn w[,c]] [--config file]\n";
#undef U

/*
 * --help, and each command's own for "or-log stats --help": every flag,
 * grouped, for a person; qusage() is for mistakes.
 */
static const char help_text[] =
    "usage: or-log [-d FILE] [--receipt | -t] < records   or-log [-d FILE] COMMAND\n"
    "Stores each JSON record on stdin in a SQLite log and writes it on; the\n"
    "commands read the log. or-log COMMAND --help lists a command's flags.\n"
    "Appending:\n"
    "  -d, --db FILE            the log (default $ORKIT_DB, else log.db under\n"
    "                           $XDG_DATA_HOME/orkit); every command takes it\n"
    "      --receipt            add log (the database and row id) to each record\n"
    "  -t, --text               write each answer's text, not the record\n"
    "  -h, --help, -V, --version  print this summary, or the version\n"
    "Reading the log:\n"
    "  stats                    requests, USD, tokens, latency by model, day...\n"
    "  recent                   the last records; --cid ID a conversation\n"
    "  search QUERY             the rows whose prompt, answer or error match\n"
    "  show ROWID|GEN-ID        one stored record, whole\n"
    "  export                   every record, or its columns as CSV or JSON\n"
    "  sql STATEMENT            any SQL query, on the log opened read-only\n"
    "  report --html            a spend report page for a person or a cron mail\n"
    "  budget                   how much of each spending limit is spent\n"
    "Before or-send:\n"
    "  pending                  the jobs the log has no answer for (resume)\n"
    "  cache                    the jobs the log has answered, with the answer\n"
    "Upkeep:\n"
    "  prune --before WHEN      delete the rows older than WHEN\n"
    "  merge OTHER.db           add the rows of another log\n"
    "Examples:\n"
    "  $ or-send -P 8 < jobs.jsonl | or-cost | or-log\n"
    "  $ or-log stats -t --by model --since 7d\n";

static const char stats_help[] =
    "usage: or-log [-d FILE] stats [options]\n"
    "Requests, failures, tokens, USD and latency (mean, median, p95) for each\n"
    "group of rows, costliest first.\n"
    "  -t, --table              a table, fitted to the terminal\n"
    "      --by KEY             group by model (the default), provider, job, day\n"
    "                           or hour\n"
    "      --since WHEN         rows from WHEN: an age (90s, 15m, 2h, 7d, 2w) or\n"
    "                           a UTC date or time (2026-11-01)\n"
    "      --until WHEN         rows before WHEN\n"
    "      --model MODEL        rows that asked for or were answered by MODEL\n"
    "      --where SQL          rows for which the SQL expression is true\n"
    "      --chart              bars of USD per group\n"
    "  -d, --db FILE            the log to read\n"
    "  -h, --help               print this summary\n"
    "Examples:\n"
    "  $ or-log stats -t --by model --since 1d\n"
    "  $ or-log stats -t --by day --since 2026-11-01 --until 2026-12-01\n";

static const char recent_help[] =
    "usage: or-log [-d FILE] recent [options]\n"
    "The last records logged, as stored, oldest first.\n"
    "  -t, --table              a table: time, model, status, tokens, USD, latency\n"
    "  -n, --count N            the last N (default 10)\n"
    "      --since WHEN         rows from WHEN: an age (2h, 7d) or a UTC date\n"
    "      --until WHEN         rows before WHEN\n"
    "      --sort KEY           cost (costliest first), latency (slowest first)\n"
    "                           or time (the last started, oldest first)\n"
    "      --cid ID             the turns of conversation ID, in order\n"
    "  -d, --db FILE            the log to read\n"
    "  -h, --help               print this summary\n"
    "Examples:\n"
    "  $ or-log recent -t -n 5\n"
    "  $ or-log recent -t --since 1d --sort cost\n";

static const char search_help[] =
    "usage: or-log [-d FILE] search [-t] [-n N] QUERY\n"
    "The rows whose prompt, answer or error message match the FTS5 QUERY, best\n"
    "first, each with a snippet.\n"
    "  -t, --table              a table\n"
    "  -n, --count N            at most N rows (default 20)\n"
    "  -d, --db FILE            the log to read\n"
    "  -h, --help               print this summary\n"
    "Examples:\n"
    "  $ or-log search -t 'invoice'\n"
    "  $ or-log search -n 1 '\"rate limit\"' | jq .id\n";

static const char show_help[] =
    "usage: or-log [-d FILE] show ROWID|GENERATION-ID\n"
    "Writes the stored record, whole.\n"
    "  -d, --db FILE            the log to read\n"
    "  -h, --help               print this summary\n"
    "Examples:\n"
    "  $ or-log show 1 | jq -r .response.choices[0].message.content\n"
    "  $ or-log show \"$(or-log recent -n 1 | jq -r .response.id)\" | jq .cost\n";

static const char export_help[] =
    "usage: or-log [-d FILE] export [--csv | --json | --jsonl] [options]\n"
    "Every record as stored, oldest first, or its columns (time, model, tokens,\n"
    "USD, prompt, answer...).\n"
    "      --jsonl              the records as stored (the default)\n"
    "      --csv                the columns as CSV with a header line\n"
    "      --json               the columns as one JSON object a line\n"
    "      --since WHEN         rows from WHEN: an age (7d) or a UTC date\n"
    "      --until WHEN         rows before WHEN\n"
    "  -d, --db FILE            the log to read\n"
    "  -h, --help               print this summary\n"
    "Examples:\n"
    "  $ or-log export --csv --since 2026-11-01 --until 2026-12-01 > nov.csv\n"
    "  $ or-log export --since 1d > today.jsonl\n";

static const char sql_help[] =
    "usage: or-log [-d FILE] sql [-t | --csv | --json] STATEMENT\n"
    "Runs one SQL statement on the log opened read-only; the table is requests\n"
    "(or-log(1) lists its columns).\n"
    "      --json               each row as a JSON object (the default)\n"
    "  -t, --table              a table\n"
    "      --csv                CSV with a header line\n"
    "  -d, --db FILE            the log to read\n"
    "  -h, --help               print this summary\n"
    "Examples:\n"
    "  $ or-log sql -t 'SELECT model, count(*), sum(usd) FROM requests GROUP BY 1'\n"
    "  $ or-log sql --csv 'SELECT ts, usd FROM requests WHERE usd > 0.01'\n";

static const char report_help[] =
    "usage: or-log [-d FILE] report --html [-n N] [--since WHEN] [--until WHEN]\n"
    "One self-contained HTML page: spend per day and per model, the costliest\n"
    "requests, failures and latency per model (the last 7 days unless told).\n"
    "      --html               write HTML, the one format there is\n"
    "  -n, --count N            list the N costliest requests\n"
    "      --since WHEN         from WHEN: an age (7d) or a UTC date\n"
    "      --until WHEN         until WHEN\n"
    "  -d, --db FILE            the log to read\n"
    "  -h, --help               print this summary\n"
    "Examples:\n"
    "  $ or-log report --html > spend.html\n"
    "  $ or-log report --html --since 30d > month.html\n";

static const char prune_help[] =
    "usage: or-log [-d FILE] prune --before WHEN [--vacuum]\n"
    "Deletes the rows older than WHEN, from the search index too.\n"
    "      --before WHEN        an age (90d) or a UTC date (2026-01-01)\n"
    "      --vacuum             then give the space back to the file system\n"
    "  -d, --db FILE            the log\n"
    "  -h, --help               print this summary\n"
    "Examples:\n"
    "  $ or-log prune --before 90d\n"
    "  $ or-log prune --before 2026-01-01 --vacuum\n";

static const char merge_help[] =
    "usage: or-log [-d FILE] merge OTHER.db\n"
    "Adds the rows of another log, skipping those already here.\n"
    "  -d, --db FILE            the log that receives them\n"
    "  -h, --help               print this summary\n"
    "Examples:\n"
    "  $ or-log -d all.db merge host1.db && or-log -d all.db merge host2.db\n"
    "  $ or-log -d all.db stats -t --by model\n";

static const char pending_help[] =
    "usage: or-log [-d FILE] pending [options] < jobs\n"
    "Writes on the jobs the log has no successful row for (by id, else by\n"
    "request hash): a stopped batch resumed.\n"
    "      --max-age AGE        count only rows newer than AGE\n"
    "  -m, --model MODEL        or-send's -m: give it as or-send will have it\n"
    "  -s, --system TEXT        or-send's -s\n"
    "  -o, --option KEY=VALUE   or-send's -o\n"
    "  -d, --db FILE            the log to read\n"
    "  -h, --help               print this summary\n"
    "Examples:\n"
    "  $ or-log pending < jobs.jsonl | or-send -P 8 | or-cost | or-log\n"
    "  $ or-log pending --max-age 1d < jobs.jsonl | or-send | or-log\n";

static const char cache_help[] =
    "usage: or-log [-d FILE] cache [options] < jobs\n"
    "Adds to each job the log has answered (same request hash) that answer, so\n"
    "or-send passes it on unsent.\n"
    "      --max-age AGE        count only rows newer than AGE\n"
    "  -m, --model MODEL        or-send's -m: give it as or-send will have it\n"
    "  -s, --system TEXT        or-send's -s\n"
    "  -o, --option KEY=VALUE   or-send's -o\n"
    "  -d, --db FILE            the log to read\n"
    "  -h, --help               print this summary\n"
    "Examples:\n"
    "  $ or-log cache < jobs.jsonl | or-send -P 8 | or-log\n"
    "  $ or-log cache --max-age 1d < jobs.jsonl | or-send -P 8 | or-log\n";

static const char budget_help[] =
    "usage: or-log [-d FILE] budget [options]\n"
    "How much of each spending limit (budget.json's, then the flags') the log\n"
    "says is spent, a record a limit; exit 3 when one is over.\n"
    "  -t, --table              a table\n"
    "      --day USD            a limit on the UTC day's spending\n"
    "      --month USD          a limit on the UTC month's spending\n"
    "      --budget SPEC        limits as or-send takes them: model:X=5/day,...\n"
    "      --warn W[,C]         the warn and critical percents (default 80,95)\n"
    "      --config FILE        limits from FILE instead of budget.json\n"
    "  -d, --db FILE            the log to read\n"
    "  -h, --help               print this summary\n"
    "Examples:\n"
    "  $ or-log budget -t --day 5 --month 100\n"
    "  $ or-log budget --day 5 >/dev/null || echo over | mail -s budget me\n";

typedef int cmd_fn(struct store *, struct qopts *, int, char **);

struct cmd {
	const char	*name;
	cmd_fn		*fn;
	enum store_mode	 mode;
	int		 nargs;
	const char	*flags;
	const char	*help;
	const char	*usage;		/* one line */
};

/* The command being parsed or run, for qusage's line; NULL: none. */
static const struct cmd *current;

/* What is wrong, the one-line usage (the command's) on stderr, exit 2. */
_Noreturn void
qusage(const char *why)
{
	if (*why)
		warnx_("%s", why);
	fputs(current ? current->usage : usage_line, stderr);
	exit(2);
}

/*
 * Long options are known by a letter that is not also a short option,
 * so a subcommand can list the flags it takes as a string.
 */
enum {
	O_RECEIPT = 'r', O_BY = 'b', O_SINCE = 'S', O_UNTIL = 'U',
	O_MODEL = 'm', O_WHERE = 'w', O_CHART = 'c', O_CSV = 'C',
	O_JSONL = 'J', O_BEFORE = 'B', O_VACUUM = 'v', O_MAXAGE = 'a',
	O_SYSTEM = 's', O_OPTION = 'o', O_DAY = 'D', O_MONTH = 'M',
	O_BUDGET = 'G', O_WARN = 'W', O_CONFIG = 'F', O_SORT = 'k',
	O_HTML = 'H', O_JSON = 'j', O_CID = 'I', O_TEXT = 'T'
};

static const struct option longopts[] = {
	{ "db",		required_argument,	NULL, 'd' },
	{ "receipt",	no_argument,		NULL, O_RECEIPT },
	{ "table",	no_argument,		NULL, 't' },
	{ "text",	no_argument,		NULL, O_TEXT },
	{ "count",	required_argument,	NULL, 'n' },
	{ "by",		required_argument,	NULL, O_BY },
	{ "since",	required_argument,	NULL, O_SINCE },
	{ "until",	required_argument,	NULL, O_UNTIL },
	{ "model",	required_argument,	NULL, O_MODEL },
	{ "where",	required_argument,	NULL, O_WHERE },
	{ "system",	required_argument,	NULL, O_SYSTEM },
	{ "option",	required_argument,	NULL, O_OPTION },
	{ "chart",	no_argument,		NULL, O_CHART },
	{ "csv",	no_argument,		NULL, O_CSV },
	{ "jsonl",	no_argument,		NULL, O_JSONL },
	{ "json",	no_argument,		NULL, O_JSON },
	{ "sort",	required_argument,	NULL, O_SORT },
	{ "html",	no_argument,		NULL, O_HTML },
	{ "before",	required_argument,	NULL, O_BEFORE },
	{ "vacuum",	no_argument,		NULL, O_VACUUM },
	{ "max-age",	required_argument,	NULL, O_MAXAGE },
	{ "day",	required_argument,	NULL, O_DAY },
	{ "month",	required_argument,	NULL, O_MONTH },
	{ "budget",	required_argument,	NULL, O_BUDGET },
	{ "warn",	required_argument,	NULL, O_WARN },
	{ "config",	required_argument,	NULL, O_CONFIG },
	{ "cid",	required_argument,	NULL, O_CID },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL,		0,			NULL, 0 }
};

/* Each subcommand, how it opens the log, its operands, its flags. */
static const struct cmd cmds[] = {
	{ "stats",	cmd_stats,	STORE_READ,	0, "tbSUmwc",
	    stats_help, stats_usage },
	{ "recent",	cmd_recent,	STORE_READ,	0, "tnSUkI",
	    recent_help, recent_usage },
	{ "search",	cmd_search,	STORE_READ,	1, "tn",
	    search_help, search_usage },
	{ "show",	cmd_show,	STORE_READ,	1, "",
	    show_help, show_usage },
	{ "export",	cmd_export,	STORE_READ,	0, "SUCJj",
	    export_help, export_usage },
	{ "sql",	cmd_sql,	STORE_READ,	1, "tCj",
	    sql_help, sql_usage },
	{ "report",	cmd_report,	STORE_READ,	0, "HnSU",
	    report_help, report_usage },
	{ "prune",	cmd_prune,	STORE_APPEND,	0, "Bv",
	    prune_help, prune_usage },
	{ "merge",	cmd_merge,	STORE_APPEND,	1, "",
	    merge_help, merge_usage },
	{ "pending",	cmd_pending,	STORE_MAYBE,	0, "amso",
	    pending_help, pending_usage },
	{ "cache",	cmd_cache,	STORE_MAYBE,	0, "amso",
	    cache_help, cache_usage },
	{ "budget",	cmd_budget,	STORE_MAYBE,	0, "tDMGWF",
	    budget_help, budget_usage },
	{ NULL,		NULL,		0,		0, NULL, NULL, NULL }
};

/* A point in time, or for --max-age how long ago it was. */
static int64_t
when(const char *s, const char *flag)
{
	char why[160];
	int64_t t;

	if (strcmp(flag, "--max-age") == 0) {
		if (parse_duration(s, &t) == 0)
			return now_ms() - t;
		snprintf(why, sizeof(why), "%s wants an age: %s", flag,
		    DURATION_HELP);
	} else {
		if (parse_when(s, &t) == 0)
			return t;
		snprintf(why, sizeof(why), "%s wants %s", flag, WHEN_HELP);
	}
	qusage(why);
}

static long
parse_count(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*s == '\0' || *end || n < 1 || n > 1000000000)
		qusage("-n wants a positive number");
	return n;
}

/* -o key=value: lib/request's reading, the complaint ours. */
static jv
parse_option(jv opts, const char *arg)
{
	if (!jv_is_valid(opts = req_option(opts, arg)))
		qusage("-o wants key=value");
	return opts;
}

/* --day and --month: an amount for all the log's spending. */
static void
add_period(struct qopts *o, enum budget_period p, const char *flag,
    const char *s)
{
	const char *why;
	char msg[160];
	int64_t pico;

	if (budget_usd(s, &pico, &why) == -1) {
		snprintf(msg, sizeof(msg), "%s \"%.40s\": %s", flag, s, why);
		qusage(msg);
	}
	budget_set(&o->limits, BUDGET_ALL, NULL, p, pico);
}

/* --budget and --warn, checked as they come; --warn applied later. */
static void
add_budget(struct qopts *o, int c, const char *s)
{
	struct budget scratch = BUDGET_INIT;
	char err[256];
	int rc;

	if (c == O_BUDGET)
		rc = budget_add(&o->limits, s, err, sizeof(err));
	else if ((rc = budget_levels(&scratch, s, err, sizeof(err))) == 0)
		o->warn = s;
	if (rc == -1)
		qusage(err);
}

/* recent --sort: which rows, in which order (query.c says). */
static const char *
parse_sort(const char *s)
{
	if (strcmp(s, "cost") != 0 && strcmp(s, "time") != 0 &&
	    strcmp(s, "latency") != 0)
		qusage("--sort wants cost, time or latency");
	return s;
}

/* Flags that each choose the output: one at a time, not the last. */
static void
check_formats(const struct qopts *o, const struct cmd *cmd)
{
	const char *f[4];
	int n = 0;

	if (o->table)
		f[n++] = "-t";
	if (o->csv)
		f[n++] = "--csv";
	if (o->json)
		f[n++] = "--json";
	if (o->jsonl)
		f[n++] = "--jsonl";
	if (n > 1) {
		char why[96];

		snprintf(why, sizeof(why), "%s and %s are one or the other",
		    f[0], f[1]);
		qusage(why);
	}
	if (strcmp(cmd->name, "report") == 0 && !o->html)
		qusage("report wants --html, the one format it writes");
}

/* -t before a subcommand (or-log -t stats) is its table, as before. */
static void
table_before(struct qopts *o, const struct cmd *cmd)
{
	char why[96];

	if (o->text == 0)
		return;
	if (o->text == 1 && strchr(cmd->flags, 't')) {
		o->table = 1;
		o->text = 0;
		return;
	}
	snprintf(why, sizeof(why), "%s does not take %s", cmd->name,
	    o->text == 1 ? "-t" : "--text");
	qusage(why);
}

static const struct cmd *
find_cmd(const char *name)
{
	const struct cmd *c;
	char why[128];

	for (c = cmds; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	snprintf(why, sizeof(why), "no subcommand \"%.60s\"", name);
	qusage(why);
}

/* The flag getopt just read, as the user wrote it: "--csv", "-m". */
static const char *
flag_text(char **argv)
{
	const char *s = argv[optind - 1];

	if (optarg != NULL && optarg == s && optind >= 2)
		s = argv[optind - 2];	/* "--since 7d": the flag before */
	return s;
}

static void
set_flag(struct qopts *o, const struct cmd *cmd, int c, char **argv)
{
	char why[160];
	const char *f;

	/* appending: -t (or --text) is answers as text, not a table */
	if (cmd == NULL && (c == 't' || c == O_TEXT)) {
		o->text = c == 't' ? 1 : 2;
		return;
	}
	if (c != 'd' && c != 'h' && c != 'V' && c != '?' &&
	    (cmd == NULL ? c != O_RECEIPT : strchr(cmd->flags, c) == NULL)) {
		f = flag_text(argv);
		snprintf(why, sizeof(why), "%s does not take %.*s",
		    cmd ? cmd->name : "appending", (int)strcspn(f, "="), f);
		qusage(why);
	}
	switch (c) {
	case 'd': o->db = optarg; break;
	case O_RECEIPT: o->receipt = 1; break;
	case 't': o->table = 1; break;
	case 'n': o->count = parse_count(optarg); break;
	case O_BY: o->by = optarg; break;
	case O_SINCE: o->since = when(optarg, "--since"); break;
	case O_UNTIL: o->until = when(optarg, "--until"); break;
	case O_MODEL: o->model = optarg; break;
	case O_WHERE: o->where = optarg; break;
	case O_SYSTEM: o->system = optarg; break;
	case O_OPTION: o->opts = parse_option(o->opts, optarg); break;
	case O_CHART: o->chart = 1; break;
	case O_CSV: o->csv = 1; break;
	case O_JSONL: o->jsonl = 1; break;
	case O_JSON: o->json = 1; break;
	case O_SORT: o->sort = parse_sort(optarg); break;
	case O_HTML: o->html = 1; break;
	case O_BEFORE: o->before = when(optarg, "--before"); break;
	case O_VACUUM: o->vacuum = 1; break;
	case O_MAXAGE: o->max_age = when(optarg, "--max-age"); break;
	case O_DAY: add_period(o, BUDGET_DAY, "--day", optarg); break;
	case O_MONTH: add_period(o, BUDGET_MONTH, "--month", optarg); break;
	case O_BUDGET: case O_WARN: add_budget(o, c, optarg); break;
	case O_CONFIG: o->config = optarg; break;
	case O_CID: o->cid = optarg; break;
	case 'h':
		text_exit(cmd ? cmd->help : help_text);
	case 'V':
		version_exit();
	default: qusage("");
	}
}

/* Flags before the subcommand, then the subcommand's own. */
static const struct cmd *
parse_args(struct qopts *o, int *argcp, char ***argvp)
{
	const struct cmd *cmd = NULL;
	int argc = *argcp, c;
	char **argv = *argvp;

	while ((c = getopt_long(argc, argv, "+d:tn:m:s:o:hV", longopts,
	    NULL)) != -1)
		set_flag(o, NULL, c, argv);
	argc -= optind;
	argv += optind;
	if (argc > 0) {
		current = cmd = find_cmd(argv[0]);
		table_before(o, cmd);
		argv[0] = (char *)progname;	/* getopt's messages' name */
		optind = 0;
		while ((c = getopt_long(argc, argv, "d:tn:m:s:o:hV", longopts,
		    NULL)) != -1)
			set_flag(o, cmd, c, argv);
		argc -= optind;
		argv += optind;
		if (argc != cmd->nargs) {
			char why[96];

			snprintf(why, sizeof(why), "%s takes %s", cmd->name,
			    cmd->nargs ? "one operand" : "no operands");
			qusage(why);
		}
		check_formats(o, cmd);
	}
	*argcp = argc;
	*argvp = argv;
	return cmd;
}

int
main(int argc, char **argv)
{
	struct qopts o = { 0 };
	const struct cmd *cmd;
	struct store st;
	char *path;
	int status, rc;

	progname = "or-log";
	cfg_no_dumps_if_key();	/* it loads none, but may inherit one */
	o.since = o.until = o.before = o.max_age = -1;
	o.count = -1;
	o.opts = jv_invalid();
	cmd = parse_args(&o, &argc, &argv);
	if (cmd == NULL && o.text && o.receipt)
		qusage("--receipt and -t are one or the other: -t writes no"
		    " records");
	path = o.db ? xstrdup(o.db) : store_default_path();
	if (cmd == NULL) {
		status = append_run(path, o.receipt, o.text != 0);
		free(path);
		rc = out_close();
		return rc ? rc : status;
	}
	if (strcmp(cmd->name, "prune") == 0 && o.before < 0)
		qusage("prune wants --before");
	out_init();
	rc = cmd->fn == cmd_budget ? budget_open(&st, path) :
	    store_open(&st, path, cmd->mode);
	free(path);
	if (rc < 0) {
		store_close(&st);
		budget_free(&o.limits);
		return 2;
	}
	status = cmd->fn(rc == 1 ? NULL : &st, &o, argc, argv);
	store_close(&st);
	jv_free(o.opts);
	budget_free(&o.limits);
	rc = out_close();
	return rc ? rc : status;
}
