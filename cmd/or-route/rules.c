/*
 * rules.c: the routing table, read and checked.
 *
 * The table orkit installs (share/orkit/routes.json) is read first, then
 * the user's ($XDG_CONFIG_HOME/orkit/routes.json), then --rules FILE:
 * each later one replaces a task's list for a priority, a fallback chain
 * or a variant by its key, and puts its task rules before the earlier
 * ones'. Each file is checked alone, and a mistake is named by file and
 * key: "routes.json: tasks.code.cost[1]: wants a model id (a string)".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jv.h>

#include "jvx.h"
#include "route.h"
#include "util.h"

const char *const prio_names[NPRIO] = { "cost", "speed", "quality",
	"balanced" };

int
prio_of(const char *s)
{
	int p;

	for (p = 0; p < NPRIO; p++)
		if (strcmp(s, prio_names[p]) == 0)
			return p;
	return -1;
}

/*
 * A check says the first mistake it finds (the one a reader meets
 * first) and reads on without it, so that a bad file is an answer, not
 * an exit: the fuzz target feeds rules_check any bytes.
 */
struct chk {
	const char	*file;
	struct buf	*why;
};

static void
bad(struct chk *c, const char *key, const char *what)
{
	if (c->why->len > 0)
		return;
	buf_adds(c->why, c->file);
	buf_adds(c->why, ": ");
	buf_adds(c->why, key);
	buf_adds(c->why, ": ");
	buf_adds(c->why, what);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	struct buf b = { 0 };
	char chunk[65536];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	if (ferror(f)) {
		(void)fclose(f);
		buf_free(&b);
		die(2, "%s: %s", path, strerror(errno));
	}
	(void)fclose(f);
	buf_str(&b);
	*len = b.len;
	return b.buf;
}

static void
want_ids(struct chk *c, const char *key, jv v)
{
	char k[256];

	if (jv_get_kind(v) != JV_KIND_ARRAY || jv_array_length(jv_copy(v)) ==
	    0) {
		bad(c, key, "wants a non-empty array of model ids");
		return;
	}
	jv_array_foreach(v, i, id) {
		if (jv_get_kind(id) != JV_KIND_STRING ||
		    jv_string_length_bytes(jv_copy(id)) == 0) {
			snprintf(k, sizeof(k), "%s[%d]", key, i);
			bad(c, k, "wants a model id (a string)");
		}
		jv_free(id);
	}
}

static void
want_strings(struct chk *c, const char *key, jv v)
{
	char k[320];

	if (jv_get_kind(v) != JV_KIND_ARRAY) {
		bad(c, key, "wants an array of strings");
		return;
	}
	jv_array_foreach(v, i, s) {
		if (jv_get_kind(s) != JV_KIND_STRING ||
		    jv_string_length_bytes(jv_copy(s)) == 0) {
			snprintf(k, sizeof(k), "%s[%d]", key, i);
			bad(c, k, "wants a non-empty string");
		}
		jv_free(s);
	}
}

static void
check_task(struct chk *c, jv name, jv t)
{
	char k[256];

	snprintf(k, sizeof(k), "tasks.%s", jv_string_value(name));
	if (jv_get_kind(t) != JV_KIND_OBJECT) {
		bad(c, k, "wants an object of priorities: cost, speed, "
		    "quality, balanced");
		return;
	}
	jv_object_foreach(t, p, ids) {
		snprintf(k, sizeof(k), "tasks.%s.%s", jv_string_value(name),
		    jv_string_value(p));
		if (prio_of(jv_string_value(p)) < 0)
			bad(c, k, "is not a priority: cost, speed, quality or "
			    "balanced");
		want_ids(c, k, ids);
		jv_free(p);
		jv_free(ids);
	}
}

static void
check_tasks(struct chk *c, jv tasks)
{
	if (jv_get_kind(tasks) != JV_KIND_OBJECT) {
		bad(c, "tasks", "wants an object of tasks");
		return;
	}
	jv_object_foreach(tasks, name, t) {
		check_task(c, name, t);
		jv_free(name);
		jv_free(t);
	}
}

/* A rule that can fire: a string to find, an image, a length. */
static int
has_condition(jv r)
{
	jv v;
	int yes = jvx_has(r, "min_tokens");

	v = jvx_get(jv_copy(r), "image");
	yes |= jv_get_kind(v) == JV_KIND_TRUE;
	jv_free(v);
	v = jvx_get(jv_copy(r), "contains");
	yes |= jv_get_kind(v) == JV_KIND_ARRAY && jv_array_length(jv_copy(v)) >
	    0;
	jv_free(v);
	v = jvx_get(jv_copy(r), "words");
	yes |= jv_get_kind(v) == JV_KIND_ARRAY && jv_array_length(jv_copy(v)) >
	    0;
	jv_free(v);
	return yes;
}

static void
check_rule(struct chk *c, const char *k, jv r)
{
	static const char *const keys[] = { "rule", "task", "contains",
	    "words", "image", "min_tokens", NULL };
	char kk[300];
	int j;

	if (jv_get_kind(r) != JV_KIND_OBJECT) {
		bad(c, k, "wants an object: rule, task, and contains, words, "
		    "image or min_tokens");
		return;
	}
	jv_object_foreach(r, key, v) {
		for (j = 0; keys[j] &&
		    strcmp(keys[j], jv_string_value(key)) != 0; j++)
			;
		snprintf(kk, sizeof(kk), "%s.%s", k, jv_string_value(key));
		if (keys[j] == NULL)
			bad(c, kk, "is not a key of a task rule: rule, task, "
			    "contains, words, image, min_tokens");
		if (j <= 1 && (jv_get_kind(v) != JV_KIND_STRING ||
		    jv_string_length_bytes(jv_copy(v)) == 0))
			bad(c, kk, "wants a non-empty string");
		if (j == 2 || j == 3)
			want_strings(c, kk, v);
		if (j == 4 && jv_get_kind(v) != JV_KIND_TRUE &&
		    jv_get_kind(v) != JV_KIND_FALSE)
			bad(c, kk, "wants true or false");
		if (j == 5 && (jv_get_kind(v) != JV_KIND_NUMBER ||
		    jv_number_value(v) < 1))
			bad(c, kk, "wants a number of tokens, 1 or more");
		jv_free(key);
		jv_free(v);
	}
	if (!jvx_has(r, "rule") || !jvx_has(r, "task"))
		bad(c, k, "wants a \"rule\" (its name) and a \"task\"");
	else if (!has_condition(r))
		bad(c, k, "wants a condition: contains, words, image (true) "
		    "or min_tokens");
}

static void
check_auto(struct chk *c, jv rules)
{
	char k[256];

	if (jv_get_kind(rules) != JV_KIND_ARRAY) {
		bad(c, "auto", "wants an array of task rules");
		return;
	}
	jv_array_foreach(rules, i, r) {
		snprintf(k, sizeof(k), "auto[%d]", i);
		check_rule(c, k, r);
		jv_free(r);
	}
}

static void
check_fallbacks(struct chk *c, const char *s, jv x)
{
	char k[256];

	if (jv_get_kind(x) != JV_KIND_OBJECT) {
		bad(c, s, "wants an object: model id to an array of model ids");
		return;
	}
	jv_object_foreach(x, m, ids) {
		snprintf(k, sizeof(k), "fallbacks.%s", jv_string_value(m));
		want_ids(c, k, ids);
		jv_free(m);
		jv_free(ids);
	}
}

static void
check_variants(struct chk *c, const char *s, jv x)
{
	char k[256];

	if (jv_get_kind(x) != JV_KIND_OBJECT) {
		bad(c, s, "wants an object: priority to a suffix such as "
		    "\":floor\"");
		return;
	}
	jv_object_foreach(x, p, suf) {
		snprintf(k, sizeof(k), "variants.%s", jv_string_value(p));
		if (prio_of(jv_string_value(p)) < 0)
			bad(c, k, "is not a priority: cost, speed, quality or "
			    "balanced");
		if (jv_get_kind(suf) != JV_KIND_STRING ||
		    (jv_string_value(suf)[0] != ':' &&
		    jv_string_value(suf)[0] != '\0'))
			bad(c, k, "wants a suffix such as \":floor\", or \"\" "
			    "for none");
		jv_free(p);
		jv_free(suf);
	}
}

static void
check_key(struct chk *c, const char *s, jv x)
{
	if (strcmp(s, "tasks") == 0)
		check_tasks(c, x);
	else if (strcmp(s, "auto") == 0)
		check_auto(c, x);
	else if (strcmp(s, "default_task") == 0) {
		if (jv_get_kind(x) != JV_KIND_STRING)
			bad(c, s, "wants a task name (a string)");
	} else if (strcmp(s, "fallbacks") == 0)
		check_fallbacks(c, s, x);
	else if (strcmp(s, "variants") == 0)
		check_variants(c, s, x);
	else
		bad(c, s, "is not a key of a routing table: tasks, "
		    "default_task, fallbacks, variants, auto");
}

static void
not_json(struct chk *c, jv v)
{
	jv msg = jv_invalid_get_msg(v);
	const char *m, *end;

	m = jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) :
	    "unreadable";
	/* libjv quotes the whole text after it: not in one line. */
	end = strstr(m, " (while parsing");
	buf_adds(c->why, c->file);
	buf_adds(c->why, ": not JSON: ");
	buf_add(c->why, m, end ? (size_t)(end - m) : strlen(m));
	jv_free(msg);
}

jv
rules_check(const char *file, const char *text, size_t len, struct buf *why)
{
	jv v = jvx_parse_sized(text, len);
	struct chk c = { file, why };

	buf_reset(why);
	if (!jv_is_valid(v)) {
		not_json(&c, v);
		return jv_invalid();
	}
	if (jv_get_kind(v) != JV_KIND_OBJECT)
		bad(&c, ".", "wants an object: tasks, default_task, "
		    "fallbacks, variants, auto");
	else
		jv_object_foreach(v, key, x) {
			check_key(&c, jv_string_value(key), x);
			jv_free(key);
			jv_free(x);
		}
	if (why->len > 0) {
		jv_free(v);
		return jv_invalid();
	}
	return v;
}

/* over's entries replace base's by key, one level down for tasks. */
static jv
merge(jv base, jv over)
{
	jv v;

	jv_object_foreach(over, key, x) {
		const char *s = jv_string_value(key);

		if (strcmp(s, "tasks") == 0) {
			jv tasks = jvx_get(jv_copy(base), "tasks");

			if (jv_get_kind(tasks) != JV_KIND_OBJECT) {
				jv_free(tasks);
				tasks = jv_object();
			}
			jv_object_foreach(x, name, t) {
				v = jv_object_get(jv_copy(tasks), jv_copy(name));
				if (jv_get_kind(v) != JV_KIND_OBJECT) {
					jv_free(v);
					v = jv_object();
				}
				tasks = jv_object_set(tasks, name,
				    jv_object_merge(v, t));
			}
			jv_free(x);
			base = jv_object_set(base, key, tasks);
		} else if (strcmp(s, "fallbacks") == 0 ||
		    strcmp(s, "variants") == 0) {
			v = jvx_get(jv_copy(base), s);
			if (jv_get_kind(v) != JV_KIND_OBJECT) {
				jv_free(v);
				v = jv_object();
			}
			base = jv_object_set(base, key, jv_object_merge(v, x));
		} else if (strcmp(s, "auto") == 0) {
			v = jvx_get(jv_copy(base), "auto");
			if (jv_get_kind(v) != JV_KIND_ARRAY) {
				jv_free(v);
				v = jv_array();
			}
			base = jv_object_set(base, key, jv_array_concat(x, v));
		} else
			base = jv_object_set(base, key, x);
	}
	jv_free(over);
	return base;
}

/* Where the installed table is: ORKIT_DATADIR, beside bin/, DATADIR. */
static char *
installed_path(void)
{
	const char *env = getenv("ORKIT_DATADIR");
	char exe[4096], *slash, *p;
	ssize_t n;
	size_t len;

	if (env && *env) {
		len = strlen(env) + 16;
		p = xmalloc(len);
		snprintf(p, len, "%s/routes.json", env);
		return p;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			len = strlen(exe) + 32;
			p = xmalloc(len);
			snprintf(p, len, "%s/../share/orkit/routes.json", exe);
			if (access(p, R_OK) == 0)
				return p;
			free(p);
		}
	}
	return xstrdup(DATADIR "/routes.json");
}

/* The files read, in order, each checked alone. */
struct loaded {
	char	*path[3];
	jv	 v[3];
	int	 n;
};

static void
add_file(struct loaded *l, char *path, int must)
{
	struct buf why = { 0 };
	size_t len = 0;
	char *text = slurp(path, &len);
	jv v;

	if (text == NULL) {
		if (must || errno != ENOENT)
			die(2, "%s: %s", path, strerror(errno));
		free(path);
		return;
	}
	v = rules_check(path, text, len, &why);
	free(text);
	if (!jv_is_valid(v))
		die(2, "%s", buf_str(&why));
	buf_free(&why);
	l->path[l->n] = path;
	l->v[l->n++] = v;
}

/* The name at key of v is a task of the merged table; both borrowed. */
static void
want_task(jv tasks, const char *path, const char *key, jv v,
    const char *name)
{
	jv t = jvx_get(jv_copy(v), name);

	if (jv_get_kind(t) == JV_KIND_STRING && !jvx_has(tasks,
	    jv_string_value(t)))
		die(2, "%s: %s: '%s' is not a task of the table", path, key,
		    jv_string_value(t));
	jv_free(t);
}

/*
 * What one file names may be defined by another, so the names are
 * checked once all are merged: the default_task that stands (the last
 * file's that sets one), and every auto rule's task, each said under
 * the file and key that named it.
 */
static void
check_names(const struct loaded *l, jv rules)
{
	jv tasks = jvx_get(jv_copy(rules), "tasks"), autos;
	char k[64];
	int i, last = -1;

	for (i = 0; i < l->n; i++)
		if (jvx_has(l->v[i], "default_task"))
			last = i;
	if (last >= 0)
		want_task(tasks, l->path[last], "default_task",
		    l->v[last], "default_task");
	for (i = 0; i < l->n; i++) {
		autos = jvx_get(jv_copy(l->v[i]), "auto");
		if (jv_get_kind(autos) == JV_KIND_ARRAY)
			jv_array_foreach(autos, j, r) {
				snprintf(k, sizeof(k), "auto[%d].task", j);
				want_task(tasks, l->path[i], k, r,
				    "task");
				jv_free(r);
			}
		jv_free(autos);
	}
	jv_free(tasks);
}

jv
rules_load(const char *file)
{
	struct loaded l;
	jv rules = jv_object();
	int i;

	memset(&l, 0, sizeof(l));
	add_file(&l, installed_path(), 1);
	add_file(&l, cfg_path("XDG_CONFIG_HOME", ".config", "routes.json"),
	    0);
	if (file)
		add_file(&l, xstrdup(file), 1);
	for (i = 0; i < l.n; i++)
		rules = merge(rules, jv_copy(l.v[i]));
	check_names(&l, rules);
	for (i = 0; i < l.n; i++) {
		free(l.path[i]);
		jv_free(l.v[i]);
	}
	return rules;
}
