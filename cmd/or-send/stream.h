/*
 * stream.h: a chat completion stream (the HTTP body of a "stream": true
 * request) assembled into the object a non-streamed request returns.
 *
 * The response: the chunks' top-level keys (last non-null value wins,
 * in first-seen order), "object": "chat.completion", "choices" sorted
 * by index, and "usage" from the last chunk that carried one (choices
 * empty or not).  A choice has index, message, logprobs (null, or the
 * chunks' arrays joined), finish_reason (null until one came; a later
 * null does not erase it) and the other keys its chunks carried
 * (native_finish_reason the same way).  The message has role when one
 * came; content (the deltas joined; "" when the role came but no text,
 * else null), refusal and reasoning (joined, or null), as a
 * non-streamed message always has them; tool_calls when any, merged
 * by index in first-seen order (id, type and name from the first piece
 * with them, arguments joined and always a string); reasoning_details
 * when any, merged by type and index (the text, summary or data
 * joined, other fields from the first piece with a value that is not
 * "" or null: a signature comes "" first, whole later); and any other
 * delta key (arrays joined, else the last non-null value).
 *
 * With no chunk at all the response is {"object": "chat.completion",
 * "choices": []}.
 *
 * An event whose data is a JSON object with a non-null top-level
 * "error" is a mid-stream API error (the status was 200); the rest of
 * it is assembled like any chunk.  Data that is not a JSON object is
 * skipped.  stream_error gives, in this order: the first API error (an
 * object as sent; anything else becomes {"message": it as text,
 * "code": null}); else, when data was skipped, {"message": "stream:
 * data that is not JSON", "code": null} ("...not a JSON object" when
 * it was JSON of another kind), since nothing else explains it; else
 * jv_invalid().
 * A stream that stops without "data: [DONE]" is not an error here: ask
 * stream_done.  Events after [DONE] are ignored.
 *
 * The text callbacks see choice 0's content and reasoning deltas as
 * they arrive, non-empty ones only; the bytes are borrowed for the call.
 * Memory grows with the assembled message, not with the chunk count.
 */
#ifndef OR_STREAM_H
#define OR_STREAM_H

#include <stddef.h>

#include <jv.h>

#include "util.h"

struct stream;

typedef void stream_text_fn(void *arg, const char *, size_t);

struct stream	*stream_new(stream_text_fn *on_text,
		    stream_text_fn *on_reasoning, void *arg);
					/* owned; callbacks may be NULL */
void		 stream_feed(struct stream *, const char *, size_t);
					/* raw HTTP body bytes, any split */
int		 stream_done(const struct stream *);	/* saw data: [DONE] */
jv		 stream_response(struct stream *);	/* owned object */
void		 stream_response_json(struct stream *, struct buf *);
					/* the same as JSON text, appended;
					   objects that came whole in one
					   chunk (usage) as their bytes */
jv		 stream_error(struct stream *);	/* owned object, or invalid */
void		 stream_free(struct stream *);

#endif
