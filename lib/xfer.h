/*
 * xfer.h: many records in flight at once over one curl multi handle,
 * written out in input order (or as they finish, when unordered).
 *
 * No threads: one curl_multi_poll waits on the transfers, on the input
 * (read only while fewer than 2N records are held, so memory stays
 * bounded) and on sigwake's self-pipe. A retry is requeued with a due
 * time and never slept on; a 429 the server asked to wait out holds
 * every start until then; --rate spaces the starts.
 *
 * A stop (a signal, or the server unreachable for unreachable_after
 * requests in a row) starts nothing more: each record not yet sent,
 * those read later too, goes to the cancel hook and out in its turn,
 * and input is still read to its end unless the stop says otherwise,
 * 2N records at a time as before, so no record is lost and memory
 * stays flat.
 *
 * The tool supplies the hooks and owns what they make: its request
 * state (a record and whatever it keeps about it) is a void * that
 * xfer holds, in order, and hands back to each hook. xfer owns the
 * transfer (struct xfer_task): the easy handle, the due time, the
 * state, the times and the answer; it is the only writer of a task,
 * the tool reads one through the const pointer its hooks get, and it
 * lives until the record is emitted.
 *
 * Only lib/http.c and lib/xfer.c call libcurl.
 */
#ifndef ORKIT_XFER_H
#define ORKIT_XFER_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "record.h"

enum xfer_state { XFER_ST_READY, XFER_ST_FLIGHT, XFER_ST_DONE };

struct xfer_task {
	void		*req;		/* the tool's request state */
	enum xfer_state	 state;
	int64_t		 due;		/* monotonic ms: not before */
	int64_t		 t0;		/* monotonic ms this request began */
	int64_t		 last_byte;	/* monotonic ms: the last that came */
	int64_t		 deadline;	/* monotonic ms it is ended at; 0 */
	int64_t		 stall_ms;	/* quiet this long it is dead; 0:
					   the run's stall_ms */
	struct http_resp resp;		/* the last answer */
	void		*easy;		/* CURL *, while in flight */
	int		 copy, ncopies;	/* which of the record's copies */
	struct xfer	*x;
	struct xfer_task *prev, *next;	/* held, in input order */
};

/* What prepare, gate and finish answer. */
enum {
	XFER_SEND,		/* prepare: to send; gate: start it now */
	XFER_DONE,		/* complete as it is: emit it in its turn */
	XFER_LATER		/* gate: ask again in *wait ms;
				   finish: send again in *wait ms */
};

/* What the signal hook answers: bits, kept once given. */
#define XFER_STOP_STARTS	0x1	/* start nothing; cancel the ready */
#define XFER_STOP_READING	0x2	/* the whole lines read are the last */
#define XFER_CANCEL_FLIGHT	0x4	/* abandon the transfers in flight */

/* Why cancel is called. */
enum {
	XFER_WHY_SIGNAL,	/* a signal: not sent (maybe a retry due) */
	XFER_WHY_INFLIGHT,	/* a signal: abandoned in flight */
	XFER_WHY_UNREACHABLE	/* the server cannot be reached: not sent */
};

/* Requests in a row that never reached the server: it is down. */
#define XFER_UNREACHABLE_AFTER	5

struct xfer;

struct xfer_stats {
	size_t		 held, inflight;
	unsigned long	 started;	/* requests begun */
};

struct xfer_hooks {
	/* How many times a record that came in is to be sent (each a
	   task of its own, held in a row, task->copy 0 to n-1); NULL: 1. */
	int	(*copies)(void *ctx, const struct rec *);
	/* A record came in (consumed): *req is its state, the task its
	   transfer to be; XFER_SEND or XFER_DONE. */
	int	(*prepare)(void *ctx, struct rec *, const struct xfer_task *,
		    void **req);
	/* Before every start, retries and fallbacks too; NULL always
	   lets it go. XFER_SEND, XFER_LATER (*wait ms; 0: when a transfer
	   in flight ends) or XFER_DONE (the tool has written why into the
	   record). */
	int	(*gate)(void *ctx, void *req, const struct xfer_task *,
		    int64_t *wait);
	/* The transfer is about to start: call xfer_request. */
	void	(*setup)(void *ctx, void *req, struct xfer_task *);
	/* Bytes of the body as they come, borrowed; 1 keeps them in
	   task->resp.body, 0 took them. NULL keeps all. */
	int	(*data)(void *ctx, void *req, const struct xfer_task *,
		    const char *, size_t);
	/* The answer is in task->resp: XFER_DONE, or XFER_LATER to send
	   again in *wait ms; *hold 1 when that wait is the server's 429,
	   which then holds every start. */
	int	(*finish)(void *ctx, void *req, const struct xfer_task *,
		    int64_t *wait, int *hold);
	/* A stop: the record goes out unsent, or with what was in
	   flight; why is XFER_WHY_*. */
	void	(*cancel)(void *ctx, void *req, const struct xfer_task *,
		    int why);
	/* SIGINT or SIGTERM: count is the signals so far; XFER_STOP_*.
	   NULL leaves signals alone: their default action stands. */
	int	(*signal)(void *ctx, int count);
	/* Write the record out and free req: its exit status (0, 1, 3). */
	int	(*emit)(void *ctx, void *req, const struct xfer_task *);
	/* Each turn of the loop and once at the end (last 1); may be NULL. */
	void	(*tick)(void *ctx, const struct xfer_stats *, int last);
};

struct xfer_opts {
	int	 parallel;	/* transfers at once, and 2N records held */
	double	 rate_ms;	/* ms between starts, 0 none */
	int	 unordered;	/* emit as they complete */
	int64_t	 stall_ms;	/* a transfer this quiet is dead; 0 off */
	int64_t	 tick_ms;	/* wake for tick at least this often; 0 */
	int	 pipewait;	/* wait to multiplex (only over TLS) */
	int	 unreachable_after;	/* this many requests in a row that
					   never reached the server stop
					   the starts (XFER_WHY_UNREACHABLE);
					   0 never; needs a cancel hook */
};

/*
 * The nrecs records of recs (taken), then those of in (may be NULL),
 * until all are emitted or a stop ends them: the highest status emit
 * returned.
 */
int	 xfer_run(struct http *, const struct xfer_opts *,
	    const struct xfer_hooks *, void *ctx, struct reader *in,
	    struct rec **recs, size_t nrecs);

/* For setup: the request to make; path is copied, body must stay. */
void	 xfer_request(struct xfer_task *, const char *path,
	    const char *body, size_t len);
/* The task is the oldest held: the next to be written in order. */
int	 xfer_first(const struct xfer_task *);
/* The answer's Content-Type so far, borrowed; NULL when none. */
const char *xfer_content_type(const struct xfer_task *);
/* For setup: end this transfer as timed out after ms, if still going. */
void	 xfer_deadline(struct xfer_task *, int64_t ms);
/* For setup: end this transfer as timed out once ms pass without a
   byte (a stream), whatever the run's stall_ms. */
void	 xfer_stall(struct xfer_task *, int64_t ms);
/*
 * For finish: 1 when the request never reached the server (DNS, a
 * refused connection, TLS: curl codes 5, 6, 7, 35, 58-60, 77, 83, 90,
 * 91), so no answer and no bill can have come of it.
 */
int	 xfer_unreachable(const struct xfer_task *);
/* What went wrong with the last attempt, for a message; borrowed. */
const char *xfer_error(const struct xfer_task *);

#endif
