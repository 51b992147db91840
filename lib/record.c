/*
 * record.c: JSON-lines records in, extended records out.
 *
 * A record that a tool does not change goes out as the bytes that came
 * in; one it extends is those bytes with the new keys spliced in before
 * the closing brace. libjv would rewrite numbers on a round trip.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "jvx.h"
#include "record.h"
#include "util.h"

/*
 * Input is read with read(2) into a buffer of our own rather than with
 * getline: a tool that polls stdin beside its transfers must know when
 * a whole line is already buffered, which stdio does not tell.
 */
struct reader {
	int	 fd;
	char	*buf;
	size_t	 off, len, cap;	/* unread bytes are buf[off..len) */
	size_t	 scanned;	/* bytes after off known to hold no LF */
	long	 lineno;
	int	 eof;
};

#define READ_CHUNK	65536

struct reader *
rec_reader(int fd)
{
	struct reader *r = xmalloc(sizeof(*r));

	memset(r, 0, sizeof(*r));
	r->fd = fd;
	return r;
}

void
rec_reader_free(struct reader *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	free(r);
}

int
rec_reader_fd(const struct reader *r)
{
	return r->fd;
}

int
rec_reader_eof(const struct reader *r)
{
	return r->eof && r->off == r->len;
}

static void
make_room(struct reader *r)
{
	if (r->off > 0 && (r->off == r->len || r->cap - r->len < READ_CHUNK)) {
		memmove(r->buf, r->buf + r->off, r->len - r->off);
		r->len -= r->off;
		r->off = 0;
	}
	if (r->cap - r->len < READ_CHUNK) {
		r->cap = r->cap ? r->cap * 2 : 2 * READ_CHUNK;
		r->buf = xrealloc(r->buf, r->cap);
	}
}

int
rec_fill(struct reader *r)
{
	ssize_t n;

	if (r->eof)
		return 0;
	make_room(r);
	n = read(r->fd, r->buf + r->len, r->cap - r->len);
	if (n == -1 && errno == EINTR)
		return -1;
	if (n == -1)
		die(2, "read error: %s", strerror(errno));
	if (n == 0)
		r->eof = 1;
	r->len += (size_t)n;
	return n > 0;
}

/* A whole line is buffered: rec_take needs no read. */
int
rec_reader_ready(struct reader *r)
{
	char *start;

	if (r->eof || r->len == r->off)
		return r->len > r->off;
	start = r->buf + r->off;
	if (memchr(start + r->scanned, '\n', r->len - r->off - r->scanned))
		return 1;
	r->scanned = r->len - r->off;
	return 0;
}

/* The next line in the buffer, or at end of input what is left. */
static int
take_line(struct reader *r, const char **line, size_t *n)
{
	char *start, *nl;

	/* Before any read buf is NULL: NULL + 0 is undefined in C. */
	if (r->len == r->off)
		return 0;
	start = r->buf + r->off;
	nl = memchr(start + r->scanned, '\n', r->len - r->off - r->scanned);
	if (nl == NULL && !(r->eof && r->len > r->off)) {
		r->scanned = r->len - r->off;
		return 0;
	}
	*line = start;
	*n = nl ? (size_t)(nl - start) : r->len - r->off;
	r->off += nl ? *n + 1 : *n;
	r->scanned = 0;
	r->lineno++;
	return 1;
}

static struct rec *
rec_new(const char *line, size_t len, long lineno)
{
	struct rec *rec = xmalloc(sizeof(*rec));

	memset(rec, 0, sizeof(*rec));
	rec->line = xmalloc(len + 1);
	memcpy(rec->line, line, len);
	rec->line[len] = '\0';
	rec->len = len;
	rec->lineno = lineno;
	rec->val = jv_invalid();
	return rec;
}

struct rec *
rec_dup(const struct rec *rec)
{
	struct rec *d = rec_new(rec->line, rec->len, rec->lineno);

	d->kind = rec->kind;
	jv_free(d->val);
	d->val = jv_copy(rec->val);
	if (rec->ext.len)
		buf_add(&d->ext, rec->ext.buf, rec->ext.len);
	d->rewrite = rec->rewrite;
	d->failed = rec->failed;
	return d;
}

void
rec_free(struct rec *rec)
{
	if (rec == NULL)
		return;
	free(rec->line);
	jv_free(rec->val);
	buf_free(&rec->ext);
	free(rec);
}

jv
rec_errobj(const char *type, const char *msg, int retryable)
{
	return JV_OBJECT(jv_string("tool"), jv_string(progname),
	    jv_string("type"), jv_string(type),
	    jv_string("message"), jv_string(msg),
	    jv_string("retryable"), jv_bool(retryable));
}

/* Where a message about a record points: its id, else its line. */
jv
rec_where(const struct rec *rec)
{
	jv id = rec_get(rec, "id");

	if (jv_get_kind(id) == JV_KIND_STRING)
		return id;
	if (jv_get_kind(id) == JV_KIND_NUMBER)
		return jv_dump_string(id, 0);
	jv_free(id);
	if (rec->lineno == 0)
		return jv_string("prompt");
	return jv_string_fmt("line %ld", rec->lineno);
}

#define HOW_TO	" (one object per line: jq -c; plain text: jq -cR '{prompt: .}')"

/*
 * The line as it came, kept exactly: base64 too when it is not UTF-8.
 * Every tool says so on stderr in the same words, and how to make a
 * record of it when it is JSON of the wrong shape or not JSON at all.
 */
static void
make_bad(struct rec *rec, jv why, int hint)
{
	const char *at;
	jv err, msg;

	/* Every record is line 1 to its own parser: keep the column only. */
	at = strstr(jv_string_value(why), " at line 1, column ");
	if (at)
		msg = jv_string_fmt("%s: %.*s at column %s%s", hint ?
		    "not a JSON object or string" : "not a record",
		    (int)(at - jv_string_value(why)), jv_string_value(why),
		    at + strlen(" at line 1, column "), hint ? HOW_TO : "");
	else
		msg = jv_string_fmt("%s: %s%s", hint ? "not a JSON object or "
		    "string" : "not a record", jv_string_value(why),
		    hint ? HOW_TO : "");
	jv_free(why);
	if (rec->lineno > 0)
		warnx_("line %ld: %s", rec->lineno, jv_string_value(msg));
	err = rec_errobj("bad_input", jv_string_value(msg), 0);
	jv_free(msg);
	err = jv_object_set(err, jv_string("line"), jv_number(rec->lineno));
	err = jv_object_set(err, jv_string("input"),
	    jv_string_sized(rec->line, (int)rec->len));
	if (!utf8_valid(rec->line, rec->len)) {
		char *b = base64(rec->line, rec->len);

		err = jv_object_set(err, jv_string("input_base64"),
		    jv_string(b));
		free(b);
	}
	rec->kind = REC_BAD;
	rec->failed = 1;
	rec->rewrite = 1;
	rec->val = JV_OBJECT(jv_string("error"), err);
}

/*
 * What libjv would take and alter: it reads bad UTF-8 as U+FFFD and a
 * raw control byte in a string as if escaped, so the request sent would
 * not be the user's bytes and the line written on not JSON.
 */
static jv
altered(const struct rec *rec)
{
	long at;

	if ((at = utf8_bad_at(rec->line, rec->len)) >= 0)
		return jv_string_fmt("not UTF-8 at byte offset %ld", at);
	if ((at = jvx_ctl_at(rec->line, rec->len)) >= 0)
		return jv_string_fmt("a raw control character (0x%02x) in a "
		    "string at byte offset %ld; JSON escapes it",
		    (unsigned char)rec->line[at], at);
	return jv_invalid();
}

static void
classify(struct rec *rec)
{
	jv v = jvx_parse(rec->line, rec->len), why;

	if (jv_is_valid(v) && jv_is_valid(why = altered(rec))) {
		jv_free(v);
		make_bad(rec, why, 0);
		return;
	}
	switch (jv_get_kind(v)) {
	case JV_KIND_OBJECT:
		rec->kind = REC_OBJECT;
		rec->failed = jvx_has(v, "error");
		rec->val = v;
		break;
	case JV_KIND_STRING:
		rec->kind = REC_STRING;
		rec->val = JV_OBJECT(jv_string("prompt"), v);
		break;
	case JV_KIND_INVALID:
		why = jv_invalid_get_msg(v);
		/* JSON nested past libjv's limit: jq -c would not help */
		make_bad(rec, why, strstr(jv_string_value(why),
		    "Exceeds depth limit") == NULL);
		break;
	default:
		make_bad(rec, jv_string_fmt("a JSON %s",
		    jv_kind_name(jv_get_kind(v))), 1);
		jv_free(v);
		break;
	}
}

/* Blank lines carry nothing and are skipped, as jq skips whitespace. */
int
rec_line(struct reader *r, const char **line, size_t *n)
{
	for (;;) {
		if (!take_line(r, line, n))
			return 0;
		while (*n > 0 && ((*line)[*n - 1] == '\n' ||
		    (*line)[*n - 1] == '\r'))
			(*n)--;
		if (!is_blank(*line, *n))
			return 1;
	}
}

struct rec *
rec_of_line(const struct reader *r, const char *line, size_t n)
{
	struct rec *rec = rec_new(line, n, r->lineno);

	classify(rec);
	return rec;
}

struct rec *
rec_take(struct reader *r)
{
	const char *line;
	size_t n;

	if (!rec_line(r, &line, &n))
		return NULL;
	return rec_of_line(r, line, n);
}

struct rec *
rec_next(struct reader *r)
{
	struct rec *rec;

	while ((rec = rec_take(r)) == NULL && !r->eof)
		rec_fill(r);
	return rec;
}

struct rec *
rec_from_prompt(const char *prompt)
{
	jv s = jv_string(prompt);
	char *text = jvx_dump(jv_copy(s));
	struct rec *rec = rec_new(text, strlen(text), 0);

	free(text);
	rec->kind = REC_STRING;
	rec->val = JV_OBJECT(jv_string("prompt"), s);
	return rec;
}

int
rec_has(const struct rec *rec, const char *key)
{
	return jvx_has(rec->val, key);
}

jv
rec_get(const struct rec *rec, const char *key)
{
	return jvx_get(jv_copy(rec->val), key);
}

static int
key_is(const char *p, size_t n, const char *key)
{
	jv k = jvx_parse(p, n);
	int yes = jv_get_kind(k) == JV_KIND_STRING &&
	    strcmp(jv_string_value(k), key) == 0;

	jv_free(k);
	return yes;
}

/* The bytes of a top-level member "key": value, with one comma. */
static int
member_span(const char *s, size_t n, const char *key, size_t *from,
    size_t *to)
{
	const char *e = s + n, *p = jvx_ws(s, e), *k, *ke, *v, *comma = NULL;

	if (p == e || *p++ != '{')
		return 0;
	for (;;) {
		p = jvx_ws(p, e);
		if (p == e || *p != '"' || (ke = jvx_end(p, e)) == NULL)
			return 0;
		k = p;
		p = jvx_ws(ke, e);
		if (p == e || *p != ':' ||
		    (v = jvx_end(jvx_ws(p + 1, e), e)) == NULL)
			return 0;
		v = jvx_ws(v, e);	/* at the comma or the brace */
		if (key_is(k, (size_t)(ke - k), key)) {
			*from = (size_t)((v < e && *v == ',' ? k :
			    comma ? comma : k) - s);
			*to = (size_t)((v < e && *v == ',' ? v + 1 : v) - s);
			return 1;
		}
		if (v == e || *v != ',')
			return 0;
		comma = v;
		p = v + 1;
	}
}

/* Takes a key out of the record, out of its bytes as well. */
void
rec_del(struct rec *rec, const char *key)
{
	size_t from, to;

	if (!rec_has(rec, key))
		return;
	rec->val = jv_object_delete(rec->val, jv_string(key));
	if (rec->kind != REC_OBJECT || rec->rewrite)
		return;
	while (member_span(rec->line, rec->len, key, &from, &to)) {
		memmove(rec->line + from, rec->line + to, rec->len - to + 1);
		rec->len -= to - from;
	}
}

static void
ext_key(struct buf *ext, const char *key)
{
	jv k = jv_dump_string(jv_string(key), 0);

	buf_addc(ext, ',');
	buf_adds(ext, jv_string_value(k));
	buf_addc(ext, ':');
	jv_free(k);
}

void
rec_ext_add(struct buf *ext, const char *key, jv v)
{
	ext_key(ext, key);
	jvx_write(v, ext);	/* numbers plain: 0.00001155 */
}

void
rec_add(struct rec *rec, const char *key, jv v)
{
	if (strcmp(key, "error") == 0)
		rec->failed = 1;
	if (rec_has(rec, key))
		rec->rewrite = 1;
	rec->val = jv_object_set(rec->val, jv_string(key), jv_copy(v));
	rec_ext_add(&rec->ext, key, v);
}

/*
 * A JSON text kept as received (numbers untouched), with v its parsed
 * value (consumed). Line ends inside
 * it can only be whitespace between tokens, so they are dropped to keep
 * the record on one line.
 */
void
rec_add_raw(struct rec *rec, const char *key, jv v, const char *json,
    size_t n)
{
	size_t i, start;

	if (strcmp(key, "error") == 0)
		rec->failed = 1;
	if (rec_has(rec, key))
		rec->rewrite = 1;
	rec->val = jv_object_set(rec->val, jv_string(key), v);
	ext_key(&rec->ext, key);
	for (i = start = 0; i < n; i++) {
		if (json[i] == '\n' || json[i] == '\r') {
			buf_add(&rec->ext, json + start, i - start);
			start = i + 1;
		}
	}
	buf_add(&rec->ext, json + start, n - start);
}

void
out_init(void)
{
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static void
write_error(void)
{
	/* The reader went away: stop quietly, as a killed writer would. */
	if (errno == EPIPE)
		exit(2);
	die(2, "write error: %s", strerror(errno ? errno : EIO));
}

void
out_put(const char *p, size_t n)
{
	if (n && put_hidden(stdout, p, n) != n)
		write_error();
}

void
out_put_part(struct buf *held, const char *p, size_t n, int end)
{
	errno = 0;
	if (put_hidden_part(stdout, held, p, n, end) == -1)
		write_error();
}

/*
 * A line-buffered fwrite can report success while the flush under it
 * failed; only the stream's error flag tells, so check it per line.
 */
void
out_end(void)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		write_error();
}

void
out_spliced(const char *line, size_t len, const char *ext, size_t extlen)
{
	const char *start = line, *end = line + len;

	while (start < end && (*start == ' ' || *start == '\t'))
		start++;
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	end--;			/* the closing brace */
	/* An empty object takes no comma before its first key. */
	if (is_blank(start + 1, (size_t)(end - start - 1)))
		ext++, extlen--;
	out_put(start, (size_t)(end - start));
	out_put(ext, extlen);
	out_put("}", 1);
}

static void
emit_prompt(struct rec *rec)
{
	const char *s = rec->line, *e = rec->line + rec->len;

	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	out_put("{\"prompt\":", 10);
	out_put(s, (size_t)(e - s));
	out_put(rec->ext.buf, rec->ext.len);
	out_put("}", 1);
}

void
rec_put(struct rec *rec)
{
	errno = 0;
	if (rec->rewrite) {
		struct buf b = { 0 };

		jvx_write(jv_copy(rec->val), &b);
		out_put(b.buf, b.len);
		buf_free(&b);
	} else if (rec->kind == REC_STRING)
		emit_prompt(rec);
	else if (rec->ext.len == 0)
		out_put(rec->line, rec->len);
	else
		out_spliced(rec->line, rec->len, rec->ext.buf, rec->ext.len);
	out_put("\n", 1);
}

void
rec_emit(struct rec *rec)
{
	rec_put(rec);
	out_end();
}

int
out_watchable(void)
{
	struct stat sb;

	return fstat(STDOUT_FILENO, &sb) == 0 &&
	    (S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode));
}

/*
 * A pipe whose reader has gone polls as POLLERR on its write end. A
 * tool that waits for answers (or-send, or-cost) checks it on every
 * wake, so that it stops sending the moment the pipeline after it has
 * died, rather than at its next write: a request started meanwhile
 * is billed, and its answer has nowhere to go.
 */
void
out_check_reader(void)
{
	struct pollfd p = { .fd = STDOUT_FILENO, .events = 0 };

	if (poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP)))
		exit(2);	/* as write_error does for EPIPE */
}

int
out_close(void)
{
	int bad = ferror(stdout);

	errno = 0;
	if (fclose(stdout) != 0 || bad) {
		if (errno != EPIPE)
			warnx_("write error: %s", strerror(errno ? errno : EIO));
		return 2;
	}
	return 0;
}

/* The record's id as its job: a string, or a number's text. */
char *
rec_job(jv rec)
{
	jv id = jvx_get(jv_copy(rec), "id");
	char *r = NULL;

	if (jv_get_kind(id) == JV_KIND_STRING)
		r = xstrdup(jv_string_value(id));
	else if (jv_get_kind(id) == JV_KIND_NUMBER)
		r = jvx_dump(jv_copy(id));
	jv_free(id);
	return r;
}

/* An error told to a person: "job 3: message; hint" on stderr. */
void
rec_complain_as(const char *name, jv err)
{
	jv msg = jvx_get(jv_copy(err), "message");
	jv hint = jvx_get(jv_copy(err), "hint");

	warnx_("%s: %s%s%s", name, jv_get_kind(msg) == JV_KIND_STRING ?
	    jv_string_value(msg) : "failed",
	    jv_get_kind(hint) == JV_KIND_STRING ? "; " : "",
	    jv_get_kind(hint) == JV_KIND_STRING ? jv_string_value(hint) : "");
	jv_free(msg);
	jv_free(hint);
	jv_free(err);
}

/* The same, the record named by rec_where. */
void
rec_complain(const struct rec *rec, jv err)
{
	jv w = rec_where(rec);

	rec_complain_as(jv_string_value(w), err);
	jv_free(w);
}

static void
append_parts(struct buf *b, jv parts)
{
	jv_array_foreach(parts, i, part) {
		jv t = jvx_get(part, "text");

		if (jv_get_kind(t) == JV_KIND_STRING)
			buf_adds(b, jv_string_value(t));
		jv_free(t);
	}
}

/* The answer's text: the first choice's content, its text parts joined. */
char *
rec_text(struct rec *rec)
{
	jv content = jvx_path(rec_get(rec, "response"),
	    "choices.0.message.content");
	struct buf b = { 0 };

	if (jv_get_kind(content) == JV_KIND_STRING)
		buf_adds(&b, jv_string_value(content));
	else if (jv_get_kind(content) == JV_KIND_ARRAY)
		append_parts(&b, content);
	jv_free(content);
	buf_str(&b);
	return b.buf;
}
