/*
 * sse.h: a server-sent events parser, bytes in, events out.
 *
 * The WHATWG EventSource rules as far as OpenRouter uses them: lines end
 * in LF, a CR before it is dropped (also when the two arrive in separate
 * feeds); a lone CR does not end a line.  ":" lines are comments (the
 * ": OPENROUTER PROCESSING" keep-alives) and are counted, not passed on.
 * "data:" takes one optional space after the colon; a "data" line with
 * no colon adds an empty line.  Several data lines in one event are
 * joined with "\n".  A blank line dispatches the event when it had at
 * least one data line.  Other fields (event, id, retry) are ignored.  An
 * event not ended by a blank line before the bytes stop is never
 * dispatched.  Only the current incomplete line and the current event's
 * data are held.
 */
#ifndef ORKIT_SSE_H
#define ORKIT_SSE_H

#include <stddef.h>

struct sse;

/* One event's data: borrowed, valid during the call, NUL after len. */
typedef void sse_fn(void *arg, const char *data, size_t len);

struct sse	*sse_new(sse_fn *, void *arg);	/* owned; sse_free */
void		 sse_feed(struct sse *, const char *, size_t);
						/* any split of the bytes */
size_t		 sse_comments(const struct sse *);	/* ":" lines seen */
void		 sse_free(struct sse *);

#endif
