/* shared.h: --budget-shared, the limits of many or-sends in one file. */
#ifndef OR_SEND_SHARED_H
#define OR_SEND_SHARED_H

#include <stdint.h>

struct shared;

struct shared	*shared_open(const char *ledger);	/* NULL: said why */
void		 shared_close(struct shared *);
/* A transaction around each weighing and settling: 0, or -1 said. */
int		 shared_begin(struct shared *);
int		 shared_end(struct shared *);
/* The period's baseline: 1 found, 0 none yet, -1 said. */
int		 shared_baseline(struct shared *, const char *lim,
		    const char *period, int64_t *pico);
int		 shared_set_baseline(struct shared *, const char *lim,
		    const char *period, int64_t pico);
/* Every process's billed and in-flight spend against a limit. */
int		 shared_sums(struct shared *, const char *lim,
		    const char *period, int64_t *billed, int64_t *reserved);
/* This process's: adds to its reservations and its billed spend. */
int		 shared_add(struct shared *, const char *lim,
		    const char *period, int64_t reserved, int64_t billed);

#endif
