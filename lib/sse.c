/* sse.c: a server-sent events parser, bytes in, events out. */
#include <stdlib.h>
#include <string.h>

#include "sse.h"
#include "util.h"

struct sse {
	sse_fn		*fn;
	void		*arg;
	struct buf	 line;		/* the incomplete line so far */
	struct buf	 data;		/* this event's data lines, joined */
	int		 has_data;	/* a data line came, even an empty one */
	size_t		 comments;
};

struct sse *
sse_new(sse_fn *fn, void *arg)
{
	struct sse *s = xmalloc(sizeof(*s));

	memset(s, 0, sizeof(*s));
	s->fn = fn;
	s->arg = arg;
	return s;
}

void
sse_free(struct sse *s)
{
	if (s == NULL)
		return;
	buf_free(&s->line);
	buf_free(&s->data);
	free(s);
}

size_t
sse_comments(const struct sse *s)
{
	return s->comments;
}

/* A blank line with no data line before it is no event (WHATWG). */
static void
dispatch(struct sse *s)
{
	if (s->has_data)
		s->fn(s->arg, buf_str(&s->data), s->data.len);
	buf_reset(&s->data);
	s->has_data = 0;
}

static void
add_data(struct sse *s, const char *p, size_t n)
{
	if (s->has_data)
		buf_addc(&s->data, '\n');
	buf_add(&s->data, p, n);
	s->has_data = 1;
}

/* One whole line, without its line end. */
static void
field(struct sse *s, const char *p, size_t n)
{
	const char *colon;

	if (n == 0) {
		dispatch(s);
		return;
	}
	if (p[0] == ':') {
		s->comments++;
		return;
	}
	/* A line with no colon is a field name with an empty value. */
	if ((colon = memchr(p, ':', n)) == NULL)
		colon = p + n;
	if (colon - p != 4 || memcmp(p, "data", 4) != 0)
		return;
	if (colon == p + n) {
		add_data(s, "", 0);
		return;
	}
	n -= 5;
	p += 5;
	if (n > 0 && *p == ' ')
		p++, n--;
	add_data(s, p, n);
}

static void
end_line(struct sse *s, const char *p, size_t n)
{
	if (n > 0 && p[n - 1] == '\r')
		n--;
	field(s, p, n);
}

/*
 * Whole lines are handled straight from the caller's bytes; only a
 * line cut by the end of a feed is copied, to be finished by the next.
 * The CR of a CR LF cut the same way waits there with its line.
 */
void
sse_feed(struct sse *s, const char *p, size_t n)
{
	const char *lf;
	size_t k;

	while (n > 0 && (lf = memchr(p, '\n', n)) != NULL) {
		k = (size_t)(lf - p);
		if (s->line.len > 0) {
			buf_add(&s->line, p, k);
			end_line(s, s->line.buf, s->line.len);
			buf_reset(&s->line);
		} else
			end_line(s, p, k);
		p += k + 1;
		n -= k + 1;
	}
	if (n > 0)
		buf_add(&s->line, p, n);
}
