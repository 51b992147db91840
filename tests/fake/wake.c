/*
 * wake.c: timed waits without a thread to sleep in.  The server runs on
 * an event loop, so a delayed or paced answer suspends its connection
 * (from the MHD callback that wants to wait) and one timer thread resumes
 * it when the time is up; MHD then calls that callback again.
 */

#include <err.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fakeor.h"

struct sleeper {
	long long		 due;	/* CLOCK_MONOTONIC, microseconds */
	struct MHD_Connection	*conn;
};

static pthread_mutex_t	 mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 cv;
static pthread_t	 timer;
static struct sleeper	*heap;	/* a min-heap on due */
static size_t		 nheap, capheap;
static int		 closing;

static long long
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
swap(size_t i, size_t j)
{
	struct sleeper t = heap[i];

	heap[i] = heap[j];
	heap[j] = t;
}

static void
heap_push(struct sleeper s)
{
	size_t i;

	if (nheap == capheap) {
		capheap = capheap ? capheap * 2 : 64;
		heap = xrealloc(heap, capheap * sizeof(*heap));
	}
	i = nheap++;
	heap[i] = s;
	while (i > 0 && heap[(i - 1) / 2].due > heap[i].due) {
		swap(i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static struct sleeper
heap_pop(void)
{
	struct sleeper top = heap[0];
	size_t i = 0, l, m;

	heap[0] = heap[--nheap];
	for (;;) {
		l = 2 * i + 1;
		m = i;
		if (l < nheap && heap[l].due < heap[m].due)
			m = l;
		if (l + 1 < nheap && heap[l + 1].due < heap[m].due)
			m = l + 1;
		if (m == i)
			break;
		swap(i, m);
		i = m;
	}
	return top;
}

static void *
timer_main(void *arg)
{
	struct MHD_Connection *conn;
	struct timespec ts;
	long long due;

	(void)arg;
	pthread_mutex_lock(&mu);
	while (!closing) {
		if (nheap == 0) {
			pthread_cond_wait(&cv, &mu);
			continue;
		}
		if ((due = heap[0].due) > mono_us()) {
			ts.tv_sec = due / 1000000;
			ts.tv_nsec = (due % 1000000) * 1000;
			pthread_cond_timedwait(&cv, &mu, &ts);
			continue;
		}
		conn = heap_pop().conn;
		/* MHD takes its own locks; resume outside ours. */
		pthread_mutex_unlock(&mu);
		MHD_resume_connection(conn);
		pthread_mutex_lock(&mu);
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

void
wake_start(void)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&timer, NULL, timer_main, NULL) != 0)
		errx(2, "cannot start the timer thread");
}

/*
 * Called from an MHD callback of conn: suspends it for ms and returns 1,
 * and the callback must return at once (a reader returns 0).  Returns 0,
 * suspending nothing, when there is nothing to wait or the server stops.
 */
int
wake_after(struct MHD_Connection *conn, long ms)
{
	struct sleeper s;

	if (ms <= 0)
		return 0;
	pthread_mutex_lock(&mu);
	if (closing) {
		pthread_mutex_unlock(&mu);
		return 0;
	}
	MHD_suspend_connection(conn);
	s.due = mono_us() + ms * 1000;
	s.conn = conn;
	heap_push(s);
	if (heap[0].conn == conn)
		pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	return 1;
}

/* Every waiting connection is resumed: MHD cannot stop with any left. */
void
wake_stop(void)
{
	pthread_mutex_lock(&mu);
	closing = 1;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(timer, NULL);
	while (nheap > 0)
		MHD_resume_connection(heap_pop().conn);
	free(heap);
	heap = NULL;
	pthread_cond_destroy(&cv);
}
