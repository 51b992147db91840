/*
 * fakeor: a fake OpenRouter API for orkit's tests.
 *
 *	fakeor [-l reqlog] [-s script] [-m models.json] [-F fixtures]
 *
 * Listens on an ephemeral port of 127.0.0.1, prints the port on stdout,
 * and serves until SIGTERM or SIGINT.  See README beside this file.
 */

#include <arpa/inet.h>
#include <netinet/in.h>

#include <err.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fakeor.h"

static void
usage(void)
{
	fprintf(stderr, "usage: fakeor [-l reqlog] [-s script] "
	    "[-m models.json] [-F fixtures] [-d ms] [-g ms] [-k n] "
	    "[-w ms] [-c usd] [-L usd]\n");
	exit(2);
}

/* <directory of this binary>/../fixtures, wherever we are run from. */
static char *
default_fixtures(const char *argv0)
{
	char self[PATH_MAX], *copy, *out;
	ssize_t n;

	if (strchr(argv0, '/') != NULL)
		snprintf(self, sizeof(self), "%s", argv0);
	else if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0)
		self[n] = '\0';
	else
		snprintf(self, sizeof(self), "./fakeor");
	copy = xstrdup(self);
	out = xmalloc(strlen(copy) + sizeof("/../fixtures"));
	sprintf(out, "%s/../fixtures", dirname(copy));
	free(copy);
	return out;
}

static struct MHD_Daemon *
start(void)
{
	struct sockaddr_in sin;
	struct MHD_Daemon *d;
	long cores;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* An epoll loop per core: the benches measure orkit, not us. */
	if ((cores = sysconf(_SC_NPROCESSORS_ONLN)) < 1)
		cores = 1;
	d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
	    0, NULL, NULL, on_request, NULL,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)cores,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
	    MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024,
	    MHD_OPTION_END);
	if (d == NULL)
		errx(2, "cannot start the HTTP daemon");
	return d;
}

/*
 * Signals are blocked in every thread and taken here with sigwait(), so
 * shutdown runs in plain code, not in a handler.
 */
static void
serve_until_signal(void)
{
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d;
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	wake_start();
	d = start();
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf("%u\n", (unsigned)info->port);
	fflush(stdout);
	sigwait(&set, &sig);
	stopping = 1;
	wake_stop();
	MHD_stop_daemon(d);
}

int
main(int argc, char *argv[])
{
	char *reqlog = NULL, *script = NULL, *models = NULL, *fixtures = NULL;
	char *deffix, *defmodels = NULL;
	int ch;

	while ((ch = getopt(argc, argv, "l:s:m:F:d:g:k:w:c:L:")) != -1) {
		switch (ch) {
		case 'l': reqlog = optarg; break;
		case 's': script = optarg; break;
		case 'm': models = optarg; break;
		case 'F': fixtures = optarg; break;
		case 'd': chat_delay_ms = atol(optarg); break;
		case 'g': gen_delay_ms = atol(optarg); break;
		case 'k': gen_lag_lookups = atol(optarg); break;
		case 'w': gen_lag_ms = atol(optarg); break;
		case 'c': total_credits = atof(optarg); break;
		case 'L': key_limit = atof(optarg); break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	deffix = default_fixtures(argv[0]);
	if (fixtures == NULL)
		fixtures = deffix;
	if (models == NULL) {
		defmodels = xmalloc(strlen(fixtures) + sizeof("/models.json"));
		sprintf(defmodels, "%s/models.json", fixtures);
		models = defmodels;
	}
	state_init(models, fixtures);
	script_open(script);
	reqlog_open(reqlog);
	serve_until_signal();
	reqlog_close();
	script_close();
	state_free();
	free(defmodels);
	free(deffix);
	return 0;
}
