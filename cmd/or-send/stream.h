/*
 * stream.h: a chat completion stream (the HTTP body of a "stream": true
 * request) assembled into the object a non-streamed request returns.
 *
 * The response: the chunks' top-level keys (last non-null value wins,
 * in first-seen order), "object": "chat.completion", "choices" sorted
 * by index, and "usage" from the last chunk that carried one (choices
 * empty or not).  A choice has index, message, finish_reason (null
 * until one came; a later null does not erase it) and the other keys
 * its chunks carried (native_finish_reason the same way; logprobs
 * arrays joined).  The message has role; content (the deltas joined;
 * "" when the role came but no text, else null); refusal and reasoning
 * when their keys came (joined; null if never a string); tool_calls
 * when any, merged by index in first-seen order (id, type and name
 * from the first piece with them, arguments joined, always a string);
 * reasoning_details when any, merged by type and index (the text,
 * summary or data joined); and any other delta key (arrays joined,
 * else the last non-null value).
 *
 * stream_error gives, in this order: the first top-level "error" of an
 * event (an object as sent; anything else wrapped as its "message"),
 * else {"message": "stream: data that is not JSON", "code": null} when
 * an event's data was not JSON ("...not a JSON object" when it was
 * JSON of another kind), else jv_invalid().  Such events are otherwise
 * ignored; an API error event is still assembled like any chunk.  A
 * stream that stops without "data: [DONE]" is not an error here: ask
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

struct stream;

typedef void stream_text_fn(void *arg, const char *, size_t);

struct stream	*stream_new(stream_text_fn *on_text,
		    stream_text_fn *on_reasoning, void *arg);
					/* owned; callbacks may be NULL */
void		 stream_feed(struct stream *, const char *, size_t);
					/* raw HTTP body bytes, any split */
int		 stream_done(const struct stream *);	/* saw data: [DONE] */
jv		 stream_response(struct stream *);	/* owned object */
jv		 stream_error(struct stream *);	/* owned object, or invalid */
void		 stream_free(struct stream *);

#endif
