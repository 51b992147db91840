/*
 * convo.c: conversations, read back from or-log's log (read only).
 *
 * A conversation is the records that carry the same send.cid, in the
 * order the log stored them. An argv prompt sent to one model starts
 * one (a new id), as llm does, so that -c can continue it; -c takes
 * the one the log added to last, --cid a given one. Continuing sends
 * each earlier turn that went through (its own messages, the system
 * message of the first turn only, then its answer) before the record's
 * own messages, and the record carries the id on. A failed turn is in
 * the log but not in what is sent. The model is the last answered
 * turn's (the one it asked for, as or-log logs it) unless -m is given:
 * ORKIT_MODEL and config.json are for new conversations. Only what went
 * through or-log is there to continue: or-send itself writes no log, so
 * a turn whose answer goes to a terminal is lost to the next -c, which
 * is said.
 */
#include <sys/random.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jvx.h"
#include "request.h"
#include "send.h"
#include "store.h"
#include "util.h"

/* "20261207T081500-3f9a2c": sortable by when it began, and unique. */
static char *
new_cid(void)
{
	unsigned char r[3] = { 0 };
	time_t now = time(NULL);
	struct tm tm;
	char buf[40];

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r[0] = (unsigned char)getpid(), r[1] = (unsigned char)clock();
	gmtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "%Y%m%dT%H%M%S", &tm);
	snprintf(buf + 15, sizeof(buf) - 15, "-%02x%02x%02x", r[0], r[1],
	    r[2]);
	return xstrdup(buf);
}

static int
is_system(jv m)
{
	jv role = jvx_get(m, "role");
	int yes = jv_get_kind(role) == JV_KIND_STRING &&
	    strcmp(jv_string_value(role), "system") == 0;

	jv_free(role);
	return yes;
}

/* What reading the log's turns gathers. */
struct turns {
	jv	 hist;		/* the messages so far */
	char	*model;		/* the last turn's model, or NULL */
};

/* The model a turn asked for, as or-log logs it: its own, else sent. */
static char *
turn_model(jv rec)
{
	static const char *paths[] = { "model", "send.model", "models.0",
	    NULL };
	char *m = NULL;
	int i;

	for (i = 0; paths[i] && m == NULL; i++) {
		jv v = jvx_path(jv_copy(rec), paths[i]);

		if (jv_get_kind(v) == JV_KIND_STRING &&
		    jv_string_length_bytes(jv_copy(v)) > 0)
			m = xstrdup(jv_string_value(v));
		jv_free(v);
	}
	return m;
}

/* One turn: its messages as it built them, then its answer. */
static void
add_turn(void *arg, const char *text, size_t n)
{
	struct turns *t = arg;
	jv *hist = &t->hist, rec = jvx_parse(text, n), msgs, answer;
	int first = jv_array_length(jv_copy(*hist)) == 0;
	const char *why;
	char *model = turn_model(rec);

	if (model) {
		free(t->model);
		t->model = model;
	}
	answer = jvx_path(jv_copy(rec), "response.choices.0.message.content");
	msgs = req_build(rec, NULL, REQ_LENIENT, &why);
	if (!jv_is_valid(msgs) || jv_get_kind(answer) != JV_KIND_STRING) {
		jv_free(msgs), jv_free(answer);
		return;
	}
	msgs = jvx_get(msgs, "messages");
	jv_array_foreach(msgs, i, m) {
		if (first || !is_system(jv_copy(m)))
			*hist = jv_array_append(*hist, m);
		else
			jv_free(m);
	}
	jv_free(msgs);
	*hist = jv_array_append(*hist, JV_OBJECT(jv_string("role"),
	    jv_string("assistant"), jv_string("content"), answer));
}

/*
 * The log's turns of s->cid, or exit 2 when --cid names none. to_tty:
 * the answer goes to a terminal, not to or-log, so the turn will not be
 * in the log for the next -c; a person typing it sees nothing amiss
 * until then, so it is said now.
 */
static void
read_turns(struct sender *s, const char *path, int named, int to_tty)
{
	struct store st;
	struct turns t = { jv_array(), NULL };
	int rc = store_open(&st, path, STORE_MAYBE);
	long n = 0;

	if (rc < 0) {
		store_close(&st);
		exit(2);
	}
	if (rc == 0 && s->cid == NULL)
		s->cid = store_last_cid(&st);
	if (rc == 0 && s->cid)
		n = store_turns(&st, s->cid, add_turn, &t);
	store_close(&st);
	jv_free(s->history);
	s->history = t.hist;
	/* as llm -c: the conversation goes on with its model, unless -m */
	if (t.model && s->nmodels == 0)
		s->model = s->convo_model = t.model;
	else
		free(t.model);
	if (n < 0)
		exit(2);
	if (n == 0 && named)
		die(2, "%s: no conversation \"%s\"%s", path, s->cid, rc == 1 ?
		    " (no log there)" : "");
	if (s->cid == NULL && to_tty)
		warnx_("%s: no conversation to continue%s, and this turn, "
		    "written to the terminal, starts none: it is not kept "
		    "(| or-log -t keeps it)", path, rc == 1 ?
		    " (no log there)" : "");
	else if (s->cid == NULL)
		warnx_("%s: no conversation to continue%s: this one starts "
		    "one", path, rc == 1 ? " (no log there)" : "");
	else if (to_tty)
		warnx_("this turn is written to the terminal, not to the log: "
		    "it is not kept, and the next -c will not see it "
		    "(| or-log -t keeps it)");
}

void
convo_setup(struct sender *s, int cont, const char *cid, int argv_prompt,
    int to_tty)
{
	char *path;

	s->history = jv_array();
	if (!cont && cid == NULL) {
		if (argv_prompt && s->nmodels < 2)
			s->cid = new_cid();
		return;
	}
	if (cid)
		s->cid = xstrdup(cid);
	path = store_default_path();
	read_turns(s, path, cid != NULL, to_tty);
	free(path);
	if (s->cid == NULL)
		s->cid = new_cid();
}

/* The earlier turns, after the body's system message, before the rest. */
jv
convo_body(const struct sender *s, jv body)
{
	jv msgs, out;
	int put = 0;

	if (jv_array_length(jv_copy(s->history)) == 0)
		return body;
	out = jv_array();
	msgs = jvx_get(jv_copy(body), "messages");
	jv_array_foreach(msgs, i, m) {
		if (!put && !is_system(jv_copy(m))) {
			out = jv_array_concat(out, jv_copy(s->history));
			put = 1;
		}
		out = jv_array_append(out, m);
	}
	jv_free(msgs);
	return jv_object_set(body, jv_string("messages"), out);
}
