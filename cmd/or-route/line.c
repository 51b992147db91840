/*
 * line.c: a record's ask read from the bytes of its line.
 *
 * Most records are a prompt and a hint or two. Parsing each into libjv
 * values, building its request and measuring that took most of
 * or-route's time, for figures that the line's bytes hold as they
 * stand. So the line is checked as JSON (RFC 8259, as lib/jvx reads
 * it) and its top-level members are found in place. When the record
 * is one this reading answers as libjv would (an object whose keys have
 * no escapes, a "prompt" string, no "messages", no key that or-route
 * would have to replace), the ask is made from the bytes, by
 * the rules lib/request and lib/estimate follow. Any other line is
 * LINE_SLOW: rec_of_line and route_keys read it as they always did.
 */
#include <math.h>
#include <string.h>

#include "estimate.h"
#include "jvx.h"
#include "route.h"
#include "util.h"

enum {
	K_PROMPT, K_SYSTEM, K_MESSAGES, K_TOOLS, K_MAXTOK, K_MAXCTOK,
	K_TASK, K_PRIO, K_MODEL, K_MODELS, K_ERROR, K_ROUTED, K_PROVIDER,
	K_FORMAT, NKEYS
};
static const char *const keys[NKEYS] = {
	"prompt", "system", "messages", "tools", "max_tokens",
	"max_completion_tokens", "task", "priority", "model", "models",
	"error", "routed", "provider", "response_format"
};

static void
match_key(const char *k, size_t n, struct jspan v, struct jspan *out)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strncmp(keys[i], k, n) == 0 && keys[i][n] == '\0')
			out[i] = v;	/* the last, as libjv keeps */
}

/*
 * The members of the valid object in [p, e) that or-route reads; -1
 * when a key is written with an escape, which this does not decode.
 */
static int
members(const char *p, const char *e, struct jspan *out)
{
	const char *k, *ke, *v, *ve;

	memset(out, 0, NKEYS * sizeof(*out));
	p = jvx_ws(p, e) + 1;
	if (*(p = jvx_ws(p, e)) == '}')
		return 0;
	for (;;) {
		k = p + 1;
		ke = jvx_end(p, e) - 1;
		if (memchr(k, '\\', (size_t)(ke - k)) != NULL)
			return -1;
		v = jvx_ws(jvx_ws(ke + 1, e) + 1, e);
		ve = jvx_end(v, e);
		match_key(k, (size_t)(ke - k), (struct jspan){ v,
		    (size_t)(ve - v) }, out);
		p = jvx_ws(ve, e);
		if (*p != ',')
			return 0;
		p = jvx_ws(p + 1, e);
	}
}

/*
 * libjv refuses a high surrogate escape without its low half, which
 * lib/jvx's check takes: such a line, and any \uD800-\uDFFF, is left
 * to libjv.
 */
static int
has_surrogate(const char *p, size_t n)
{
	const char *e = p + n;

	while ((p = memchr(p, '\\', (size_t)(e - p))) != NULL) {
		if (e - p >= 4 && p[1] == 'u' && (p[2] == 'd' || p[2] == 'D') &&
		    p[3] != '\0' && strchr("89abcdefABCDEF", p[3]) != NULL)
			return 1;
		p += 2;
		if (p >= e)
			break;
	}
	return 0;
}

/*
 * A string member as libjv decodes it: appended to text as far as a
 * NUL (as lib/request's messages are read for --task auto), and its
 * length in bytes returned, as lib/estimate counts it.
 */
static size_t
decoded(struct jspan v, struct buf *text)
{
	size_t n;
	jv s;

	if (memchr(v.p, '\\', v.n) == NULL) {
		buf_add(text, v.p + 1, v.n - 2);
		return v.n - 2;
	}
	s = jvx_parse(v.p, v.n);
	n = (size_t)jv_string_length_bytes(jv_copy(s));
	buf_adds(text, jv_string_value(s));
	jv_free(s);
	return n;
}

static int
is_string(struct jspan v)
{
	return v.p != NULL && *v.p == '"';
}

/* A number member's value, as libjv reads it; 0 when it is not one. */
static int
number(struct jspan v, double *d)
{
	jv x;

	if (v.p == NULL || !(*v.p == '-' || (*v.p >= '0' && *v.p <= '9')))
		return 0;
	x = jvx_parse(v.p, v.n);
	*d = jv_number_value(x);
	jv_free(x);
	return 1;
}

/* The record's priority, else the flag's, else balanced; -1: refused. */
static int
priority(const struct router *r, struct jspan v)
{
	int p;

	if (v.p != NULL && !is_string(v) && *v.p != 'n')
		return -1;	/* not null, not a string: refused */
	if (!is_string(v))
		return prio_of(r->o->priority ? r->o->priority : "balanced");
	if (memchr(v.p, '\\', v.n) != NULL)
		return -1;
	for (p = 0; p < NPRIO; p++)
		if (strlen(prio_names[p]) == v.n - 2 &&
		    memcmp(prio_names[p], v.p + 1, v.n - 2) == 0)
			return p;
	return -1;
}

/* The record's task, owned, as jvx_strdup reads it; NULL for none. */
static char *
task_of(struct jspan v)
{
	char *t;
	jv s;

	if (!is_string(v))
		return NULL;
	if (memchr(v.p, '\\', v.n) == NULL)
		return xstrndup(v.p + 1, v.n - 2);
	s = jvx_parse(v.p, v.n);
	t = xstrdup(jv_string_value(s));
	jv_free(s);
	return t;
}

/* The body's output bound: max_completion_tokens, else max_tokens. */
static double
max_out(const struct jspan *m)
{
	double d;

	if ((number(m[K_MAXCTOK], &d) || number(m[K_MAXTOK], &d)) && d >= 1)
		return floor(d);
	return -1;
}

/* Tool definitions count as lib/estimate counts them: libjv's dump. */
static size_t
tools_bytes(struct jspan v)
{
	size_t n;
	jv d;

	if (v.p == NULL)
		return 0;
	d = jv_dump_string(jvx_parse(v.p, v.n), 0);
	n = (size_t)jv_string_length_bytes(jv_copy(d));
	jv_free(d);
	return n;
}

/* The system message first, then the prompt, as lib/request builds. */
static void
make_ask(struct router *r, const struct jspan *m, int prio, struct ask *a)
{
	size_t bytes = tools_bytes(m[K_TOOLS]);
	long msgs = 1;

	memset(a, 0, sizeof(*a));
	a->body = jv_invalid();
	a->prio = prio;
	buf_reset(&r->text);
	if (m[K_SYSTEM].p != NULL) {
		bytes += decoded(m[K_SYSTEM], &r->text);
		buf_addc(&r->text, '\n');
		msgs++;
	}
	bytes += decoded(m[K_PROMPT], &r->text);
	buf_addc(&r->text, '\n');
	a->text = buf_str(&r->text);
	a->est.prompt_tokens = est_tokens(bytes, msgs);
	a->est.max_out = max_out(m);
	if (m[K_TOOLS].p != NULL)
		a->needs |= needs_of_tools(jvx_parse(m[K_TOOLS].p,
		    m[K_TOOLS].n));
	if (m[K_FORMAT].p != NULL)
		a->needs |= needs_of_format(jvx_parse(m[K_FORMAT].p,
		    m[K_FORMAT].n));
	a->ptok = a->est.prompt_tokens;
	a->need = a->ptok + (a->est.max_out > 0 ? a->est.max_out : 0);
	ask_task(r, a, task_of(m[K_TASK]));
}

/* A model or models member that names one: not null, "" nor []. */
static int
names(struct jspan v)
{
	if (v.p == NULL || *v.p == 'n')
		return 0;
	if (*v.p == '"')
		return v.n > 2;
	if (*v.p == '[')
		return *jvx_ws(v.p + 1, v.p + v.n) != ']';
	return 1;
}

/* A record this reading answers as libjv's does, or LINE_SLOW. */
enum line_way
line_ask(struct router *r, const char *line, size_t n, struct ask *a,
    int *failed)
{
	struct jspan m[NKEYS];
	int prio;

	*failed = 0;
	if (r->o->automatic || !jvx_valid(line, n) ||
	    *jvx_ws(line, line + n) != '{' || utf8_bad_at(line, n) >= 0 ||
	    has_surrogate(line, n) || members(line, line + n, m) == -1)
		return LINE_SLOW;
	if (m[K_ERROR].p != NULL) {
		*failed = 1;
		return LINE_PASS;
	}
	if (!r->o->force && (names(m[K_MODEL]) || names(m[K_MODELS])))
		return LINE_PASS;
	if (m[K_MODEL].p || m[K_MODELS].p || m[K_ROUTED].p ||
	    m[K_PROVIDER].p || m[K_MESSAGES].p ||
	    !is_string(m[K_PROMPT]) || (m[K_SYSTEM].p != NULL &&
	    !is_string(m[K_SYSTEM])) || (m[K_TASK].p != NULL &&
	    !is_string(m[K_TASK]) && *m[K_TASK].p != 'n') ||
	    (prio = priority(r, m[K_PRIO])) < 0)
		return LINE_SLOW;
	make_ask(r, m, prio, a);
	return LINE_ROUTE;
}
