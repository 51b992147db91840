/* send.h: records to chat completions, many at once. */
#ifndef OR_SEND_H
#define OR_SEND_H

#include <stdint.h>

#include <jv.h>

#include "config.h"
#include "http.h"
#include "prefs.h"
#include "record.h"
#include "util.h"
#include "xfer.h"

struct stream;

struct sender {
	struct cfg	 cfg;
	struct http	*http;
	struct prefs	 prefs;		/* config.json and ORKIT_MODEL */
	const char	*model;		/* -m: for records without one */
	const char	**models;	/* each -m, aliases taken */
	int		 nmodels;	/* two or more: each record to each */
	char		*cid;		/* send.cid: the conversation, or NULL */
	jv		 history;	/* its earlier turns, as messages */
	char		*convo_model;	/* the model of its last turn, when
					   no -m: s->model then points to it */
	const char	*system;	/* -s: for records without one;
					   malloc'd */
	jv		 opts;		/* -o: parameters records lack */
	jv		 fallback;	/* --fallback: models to try next */
	jv		 attach;	/* -a: parts after each prompt */
	const char	*free_model;	/* --free and --on-402 free */
	int		 free;		/* --free */
	int		 on402free;	/* --on-402 free */
	int		 textmode;	/* -t: text out, errors on stderr */
	int		 asked;		/* a person at a terminal asked, in
					   argv: Ctrl-C stops it at once */
	int		 stream;	/* --stream */
	int		 reasoning;	/* --reasoning: to stderr with -t */
	int		 retry;		/* --retry: resend retryable errors */
	long		 stall_ms;	/* a stream this quiet is dead */
	int64_t		 max_wait_ms;	/* ORKIT_MAX_WAIT: a 429 asking
					   longer moves to the fallback */
	struct gate	*gate;		/* budgets, or NULL */
};

/*
 * One record on its way: its request state, written by or-send only.
 * The transfer (times, the answer) is lib/xfer's, read through xf.
 */
struct job {
	struct rec	*rec;
	const struct xfer_task *xf;	/* its transfer: read only */
	jv		 body;		/* the request, as a value */
	char		*req;		/* and as sent */
	size_t		 reqlen;
	int		 attempts;	/* all requests made */
	int		 tries;		/* for the current model */
	int		 nextmodel;	/* index into --fallback */
	jv		 tried;		/* send.models_tried */
	int64_t		 started;	/* epoch ms of the first request */
	int64_t		 backoff;	/* ms waited between attempts */
	int64_t		 ttft;		/* ms to the first token, or -1 */
	int64_t		 waited;	/* the server's own wait, or -1 */
	char		 hash[65];	/* send.request_hash, or "" */
	const char	*cid;		/* send.cid, or NULL: the sender's */
	int		 wants_sse;	/* the body sent says "stream": true */
	int		 is_sse;	/* -1 not known yet */
	int		 live;		/* text goes out as it comes */
	size_t		 printed;	/* bytes of text already out */
	int		 named;		/* its "== NAME ==" is out (-t) */
	int		 reasoned;	/* reasoning went to stderr */
	struct buf	 held;		/* text not out yet: it may be the
					   key's start (put_hidden_part) */
	struct buf	 rheld;		/* the same, of the reasoning */
	struct stream	*st;
	double		 usd;		/* usage.cost, for progress */
	/* budgets (gate.c) */
	int64_t		 gated;		/* budget clock ms the attempt in
					   flight was weighed at; -1 none */
	int64_t		 reserved;	/* its worst case, picodollars */
	char		*gmodel;	/* the model it asked for */
	int64_t		 cost;		/* the attempt's usage.cost in
					   picodollars; -1 none */
	int		 refused;	/* a budget kept it unsent */
};

int	 send_prepare(struct sender *, struct job *);	/* 1: to send */
int	 send_result(struct sender *, struct job *, int64_t *wait);
							/* 1: again */
void	 send_interrupt(struct job *, int inflight, int say);
void	 send_unsent(struct job *, jv err);	/* consumes err */
void	 send_job_free(struct job *);
void	 send_reasoning_end(struct job *);	/* its line on stderr */

struct batch_opts {
	int	 parallel;	/* -P */
	int	 unordered;	/* --unordered */
	double	 rate_ms;	/* --rate: ms between starts, 0 none */
	int	 progress;	/* 1 on, 0 off, -1 as the terminals say */
	int	 nul;		/* -z: text answers end in NUL */
};

/* models.c */
void	 models_setup(struct sender *, const char **flags, int n);
int	 models_copies(const struct sender *, const struct rec *);
void	 models_fan(const struct sender *, struct rec *, int copy);

/* convo.c */
void	 convo_setup(struct sender *, int cont, const char *cid,
	    int argv_prompt, int to_tty);
				/* exits 2: no such conversation; to_tty:
				   the answer is not kept, said */
jv	 convo_body(const struct sender *, jv body);	/* consumes body */

/* gate.c */
struct budget;
struct gate;
struct gate	*gate_new(const struct cfg *, struct budget *, const char *,
		    int shared);
				/* takes the limits; NULL: the ledger
				   cannot be read (message said) */
int	 gate_floor(struct gate *, struct http *, double min);
				/* 0; 1 below it, every record refused
				   (said); -1 nothing to check (said) */
int	 gate_check(struct gate *, struct job *, int64_t *wait);
void	 gate_settle(struct gate *, struct job *, int64_t cost, int billed);
unsigned long gate_refused(const struct gate *);
void	 gate_report(const struct gate *);	/* the refusals not said */
void	 gate_free(struct gate *);

int	 batch_run(struct sender *, const struct batch_opts *,
	    struct reader *, struct rec *);

/* dryrun.c: what would be sent and its worst case, sending nothing */
int	 dry_run(struct sender *, struct reader *, struct rec *);

#endif
