/*
 * script.c: the per-test misbehaviour script.
 *
 * A test appends lines "[PATH] ACTION [ARG] [key=value ...]" to a file
 * while the server runs; each request takes the first unused line for its
 * path (or for any path) and applies it once.  The file is re-read from
 * where we stopped on every request, complete lines only, so a line being
 * written is not taken half-way.
 */

#include <sys/stat.h>

#include <ctype.h>
#include <err.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakeor.h"

struct line {
	char		*path;		/* NULL: any path */
	struct action	 act;
	int		 used;
};

static pthread_mutex_t	 mu = PTHREAD_MUTEX_INITIALIZER;
static char		*file;
static long		 offset;
static struct line	*lines;
static size_t		 nlines;

void
script_open(const char *path)
{
	file = path == NULL ? NULL : xstrdup(path);
}

void
script_close(void)
{
	size_t i;

	for (i = 0; i < nlines; i++) {
		free(lines[i].path);
		action_clear(&lines[i].act);
	}
	free(lines);
	free(file);
}

static int
hexval(int c)
{
	if (isdigit(c))
		return c - '0';
	return tolower(c) - 'a' + 10;
}

/* Values are %-encoded so that a message can hold spaces. */
static char *
unescape(const char *s)
{
	char *out, *o;

	out = o = xmalloc(strlen(s) + 1);
	while (*s != '\0') {
		if (s[0] == '%' && isxdigit((unsigned char)s[1]) &&
		    isxdigit((unsigned char)s[2])) {
			*o++ = (char)(hexval((unsigned char)s[1]) * 16 +
			    hexval((unsigned char)s[2]));
			s += 3;
		} else
			*o++ = *s++;
	}
	*o = '\0';
	return out;
}

static void
add_word(struct action *a, const char *w)
{
	const char *eq;

	if (a->name == NULL)
		a->name = xstrdup(w);
	else if ((eq = strchr(w, '=')) != NULL && a->nopt < ACT_OPTS) {
		a->key[a->nopt] = xstrndup(w, (size_t)(eq - w));
		a->val[a->nopt++] = unescape(eq + 1);
	} else if (eq == NULL && a->arg == NULL)
		a->arg = unescape(w);
	else
		warnx("script: ignored \"%s\"", w);
}

static void
parse_line(char *s)
{
	struct line l;
	char *w, *save;

	memset(&l, 0, sizeof(l));
	for (w = strtok_r(s, " \t\r", &save); w != NULL;
	    w = strtok_r(NULL, " \t\r", &save)) {
		if (w[0] == '#')
			break;
		if (w[0] == '/' && l.path == NULL && l.act.name == NULL)
			l.path = xstrdup(w);
		else
			add_word(&l.act, w);
	}
	if (l.act.name == NULL) {
		free(l.path);
		return;
	}
	lines = xrealloc(lines, (nlines + 1) * sizeof(*lines));
	lines[nlines++] = l;
}

/* A script truncated or rewritten by a test starts afresh. */
static void
check_truncated(FILE *fp)
{
	struct stat st;
	size_t i;

	if (fstat(fileno(fp), &st) == 0 && st.st_size < offset) {
		offset = 0;
		for (i = 0; i < nlines; i++)
			lines[i].used = 1;
	}
}

/* Takes the complete lines appended since the last look. */
static void
read_new(void)
{
	FILE *fp;
	char *l = NULL;
	size_t cap = 0;
	ssize_t n;

	if (file == NULL || (fp = fopen(file, "r")) == NULL)
		return;
	check_truncated(fp);
	if (fseek(fp, offset, SEEK_SET) == 0) {
		while ((n = getline(&l, &cap, fp)) > 0 && l[n - 1] == '\n') {
			offset += n;
			l[n - 1] = '\0';
			parse_line(l);
		}
	}
	free(l);
	(void)fclose(fp);
}

/* if=TEXT: the line is only for a request whose body holds TEXT. */
static int
body_matches(const struct action *a, const char *body, size_t len)
{
	const char *want = action_opt(a, "if");
	size_t n, i;

	if (want == NULL)
		return 1;
	n = strlen(want);
	for (i = 0; body != NULL && i + n <= len; i++)
		if (memcmp(body + i, want, n) == 0)
			return 1;
	return 0;
}

void
script_take(const char *path, const char *body, size_t len,
    struct action *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&mu);
	read_new();
	for (i = 0; i < nlines; i++) {
		if (lines[i].used ||
		    (lines[i].path != NULL && strcmp(lines[i].path, path) != 0) ||
		    !body_matches(&lines[i].act, body, len))
			continue;
		lines[i].used = 1;
		*out = lines[i].act;
		memset(&lines[i].act, 0, sizeof(lines[i].act));
		break;
	}
	pthread_mutex_unlock(&mu);
}

void
action_clear(struct action *a)
{
	int i;

	for (i = 0; i < a->nopt; i++) {
		free(a->key[i]);
		free(a->val[i]);
	}
	free(a->name);
	free(a->arg);
	memset(a, 0, sizeof(*a));
}

const char *
action_opt(const struct action *a, const char *k)
{
	int i;

	for (i = 0; i < a->nopt; i++)
		if (strcmp(a->key[i], k) == 0)
			return a->val[i];
	return NULL;
}

long
action_num(const struct action *a, const char *k, long def)
{
	const char *v;
	char *end;
	long n;

	if ((v = action_opt(a, k)) == NULL)
		return def;
	n = strtol(v, &end, 10);
	return end == v ? def : n;
}

int
action_is(const struct action *a, const char *name)
{
	return a->name != NULL && strcmp(a->name, name) == 0;
}
