/*
 * reqlog.c: one JSON line per request received, for tests to assert on.
 * Each line goes out in one locked write, so concurrent requests never
 * interleave, and it is on disk before the response is.
 */

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fakeor.h"

static pthread_mutex_t	 mu = PTHREAD_MUTEX_INITIALIZER;
static int		 fd = -1;

void
reqlog_open(const char *path)
{
	if (path == NULL)
		return;
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600)) == -1)
		err(2, "%s", path);
}

void
reqlog_close(void)
{
	if (fd != -1)
		close(fd);
}

static enum MHD_Result
add_pair(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
	jv *obj = cls;
	char *name;
	size_t i;

	(void)kind;
	name = xstrdup(k);
	for (i = 0; name[i] != '\0'; i++)
		name[i] = (char)tolower((unsigned char)name[i]);
	/* The credential itself must never reach a file. */
	if (strcmp(name, "authorization") == 0 && v != NULL)
		v = strncasecmp(v, "Bearer ", 7) == 0 ?
		    "Bearer [redacted]" : "[redacted]";
	*obj = jv_object_set(*obj, jv_string(name),
	    v == NULL ? jv_null() : jv_string(v));
	free(name);
	return MHD_YES;
}

static jv
pairs(struct MHD_Connection *conn, enum MHD_ValueKind kind)
{
	jv obj = jv_object();

	MHD_get_connection_values(conn, kind, add_pair, &obj);
	return obj;
}

static jv
body_of(const struct call *c)
{
	if (c->body.len == 0)
		return jv_null();
	if (jv_is_valid(c->json))
		return jv_copy(c->json);
	return JV_OBJECT(jv_string("raw"), jv_string_sized(c->body.p,
	    c->body.len > INT_MAX ? INT_MAX : (int)c->body.len));
}

static const char *
auth_name(enum auth a)
{
	return a == AUTH_OK ? "ok" : a == AUTH_MISSING ? "missing" : "bad";
}

/* Belt and braces: the key sent in any other header or the body. */
static void
scrub_key(struct buf *b)
{
	const char *key = api_key();
	char *p;
	size_t klen;

	if (key == NULL || (klen = strlen(key)) < 4)
		return;
	while ((p = strstr(b->p, key)) != NULL)
		memset(p, '*', klen);
}

static void
write_all(const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			warn("request log");
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

void
reqlog_write(const struct call *c)
{
	struct buf b = { NULL, 0, 0 };
	jv line;

	if (fd == -1)
		return;
	line = JV_OBJECT(jv_string("method"), jv_string(c->method),
	    jv_string("path"), jv_string(c->url),
	    jv_string("query"), pairs(c->conn, MHD_GET_ARGUMENT_KIND),
	    jv_string("headers"), pairs(c->conn, MHD_HEADER_KIND),
	    jv_string("auth"), jv_string(auth_name(c->auth)),
	    jv_string("at_ms"), jv_number((double)now_ms()));
	line = jv_object_set(line, jv_string("body"), body_of(c));
	buf_addjv(&b, line);
	buf_add(&b, "\n", 1);
	scrub_key(&b);
	pthread_mutex_lock(&mu);
	write_all(b.p, b.len);
	pthread_mutex_unlock(&mu);
	buf_free(&b);
}
