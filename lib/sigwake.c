/* sigwake.c: signals counted, and written to a pipe (sigwake.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "sigwake.h"
#include "util.h"

static volatile sig_atomic_t signals;
static int sigpipe[2] = { -1, -1 };

static void
on_signal(int sig)
{
	int e = errno;

	(void)sig;
	signals++;
	if (write(sigpipe[1], "", 1) == -1) {
		/* full: a wakeup is already pending */
	}
	errno = e;
}

static void
nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		die(2, "fcntl: %s", strerror(errno));
}

/*
 * SA_RESTART: a write to a full pipe goes on after the signal, as
 * stdio cannot resume one that failed with EINTR (it drops what it
 * held), and the tools write on after a first signal. A wait for input
 * therefore polls the self-pipe beside it (poll is never restarted):
 * sigwake_wait, or the tool's own poll.
 */
int
sigwake_catch(void)
{
	struct sigaction sa;

	if (pipe(sigpipe) == -1)
		die(2, "pipe: %s", strerror(errno));
	nonblock(sigpipe[0]);
	nonblock(sigpipe[1]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1)
		die(2, "sigaction: %s", strerror(errno));
	return sigpipe[0];
}

/* Until fd has input (1) or a signal came (0). */
int
sigwake_wait(int fd)
{
	struct pollfd p[2] = { { fd, POLLIN, 0 }, { sigpipe[0], POLLIN, 0 } };

	if (poll(p, sigpipe[0] == -1 ? 1 : 2, -1) == -1) {
		if (errno != EINTR)
			die(2, "poll: %s", strerror(errno));
		return 0;
	}
	if (p[1].revents)
		sigwake_drain();
	return p[0].revents != 0;
}

int
sigwake_count(void)
{
	return signals;
}

void
sigwake_drain(void)
{
	char b[64];

	while (read(sigpipe[0], b, sizeof(b)) > 0)
		;
}

void
sigwake_close(void)
{
	if (sigpipe[0] == -1)
		return;
	close(sigpipe[0]);
	close(sigpipe[1]);
	sigpipe[0] = sigpipe[1] = -1;
}
