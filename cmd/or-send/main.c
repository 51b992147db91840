/* or-send: send each record to POST /chat/completions. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jv.h>

#include "config.h"
#include "http.h"
#include "jvx.h"
#include "record.h"
#include "send.h"
#include "util.h"

static void
usage(const char *why)
{
	if (why && *why)
		warnx_("%s", why);
	fprintf(why ? stderr : stdout,
	    "usage: or-send [-t] [-m model] [-s system] [-o key=value] "
	    "[--retries n] [prompt ...]\n");
	exit(why ? 2 : 0);
}

static const struct option longopts[] = {
	{ "model",	required_argument,	NULL, 'm' },
	{ "system",	required_argument,	NULL, 's' },
	{ "option",	required_argument,	NULL, 'o' },
	{ "text",	no_argument,		NULL, 't' },
	{ "retries",	required_argument,	NULL, 'R' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL,		0,			NULL, 0 }
};

static jv
parse_option(jv opts, const char *arg)
{
	const char *eq = strchr(arg, '=');
	jv v;

	if (eq == NULL || eq == arg)
		usage("-o wants key=value");
	v = jvx_parse(eq + 1, strlen(eq + 1));
	if (!jv_is_valid(v)) {
		jv_free(v);
		v = jv_string(eq + 1);
	}
	return jv_object_set(opts, jv_string_sized(arg, (int)(eq - arg)), v);
}

static int
parse_count(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*s == '\0' || *end || n < 0 || n > 100)
		usage("--retries wants a number from 0 to 100");
	return (int)n;
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

static void
print_text(struct rec *rec)
{
	char *text;

	if (rec->failed)
		return;
	text = send_text(rec);
	errno = 0;
	out_put(text, strlen(text));
	out_put("\n", 1);
	free(text);
	out_end();
}

static int
run(struct sender *s, struct rec *rec)
{
	int failed;

	send_record(s, rec);
	failed = rec->failed;
	if (s->textmode)
		print_text(rec);
	else
		rec_emit(rec);
	rec_free(rec);
	return failed;
}

int
main(int argc, char **argv)
{
	struct sender s = { 0 };
	struct reader *r;
	struct rec *rec;
	char *prompt;
	int c, status = 0, retries = -1;

	progname = "or-send";
	s.opts = jv_object();
	while ((c = getopt_long(argc, argv, "m:s:o:thV", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'm': s.model = optarg; break;
		case 's': s.system = optarg; break;
		case 'o': s.opts = parse_option(s.opts, optarg); break;
		case 't': s.textmode = 1; break;
		case 'R': retries = parse_count(optarg); break;
		case 'h': usage(NULL); break;
		case 'V':
			jv_free(s.opts);
			printf("or-send %s\n", VERSION);
			return 0;
		default: usage("");
		}
	}
	argc -= optind;
	argv += optind;

	if (cfg_load(&s.cfg, 1) == -1) {
		jv_free(s.opts);
		return 2;
	}
	if (retries >= 0)
		s.cfg.retries = retries;
	out_init();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	s.http = http_new(&s.cfg, progname);
	if (argc > 0) {
		prompt = join_args(argc, argv);
		status = run(&s, rec_from_prompt(prompt));
		free(prompt);
	} else {
		r = rec_reader(STDIN_FILENO);
		while ((rec = rec_next(r)) != NULL)
			status |= run(&s, rec);
		rec_reader_free(r);
	}
	http_free(s.http);
	curl_global_cleanup();
	cfg_free(&s.cfg);
	jv_free(s.opts);
	c = out_close();
	return c ? c : status;
}
