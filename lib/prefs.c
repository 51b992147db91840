/*
 * prefs.c: config.json, the defaults every tool that builds a request
 * shares (prefs.h). Its messages read as budget.json's do: the file,
 * the key, what it wants.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "jvx.h"
#include "prefs.h"
#include "util.h"

static int
bad(const char *file, const char *key, const char *what)
{
	warnx_("%s: %s: %s", file, key, what);
	return -1;
}

static int
is_id(jv v)
{
	return jv_get_kind(v) == JV_KIND_STRING && *jv_string_value(v);
}

static int
take_aliases(struct prefs *p, const char *file, jv v)
{
	char key[300];
	int rc = 0;

	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		jv_free(v);
		return bad(file, "aliases", "wants an object of names, like "
		    "{\"fast\": \"openai/gpt-4o-mini\"}");
	}
	jv_object_foreach(v, k, id) {
		snprintf(key, sizeof(key), "aliases.%.200s",
		    jv_string_value(k));
		if (rc == 0 && !is_id(id))
			rc = bad(file, key, "wants a model id (a string)");
		jv_free(k);
		jv_free(id);
	}
	if (rc == 0) {
		jv_free(p->aliases);
		p->aliases = v;
	} else
		jv_free(v);
	return rc;
}

static int
take_key(struct prefs *p, const char *file, const char *k, jv v)
{
	if (strcmp(k, "model") == 0) {
		if (!is_id(v)) {
			jv_free(v);
			return bad(file, k, "wants a model id (a string)");
		}
		free(p->model);
		p->model = xstrdup(jv_string_value(v));
		jv_free(v);
		return 0;
	}
	if (strcmp(k, "options") == 0) {
		if (jv_get_kind(v) != JV_KIND_OBJECT) {
			jv_free(v);
			return bad(file, k, "wants an object of request "
			    "parameters, like {\"temperature\": 0.2}");
		}
		jv_free(p->options);
		p->options = v;
		return 0;
	}
	if (strcmp(k, "aliases") == 0)
		return take_aliases(p, file, v);
	jv_free(v);
	return bad(file, k, "not a config key (model, options, aliases)");
}

/* The file's keys, each checked; the first mistake is said. */
static int
take_keys(struct prefs *p, const char *file, jv v)
{
	int rc = 0;

	jv_object_foreach(v, k, x) {
		if (rc == 0)
			rc = take_key(p, file, jv_string_value(k), x);
		else
			jv_free(x);
		jv_free(k);
	}
	jv_free(v);
	return rc;
}

int
prefs_load(struct prefs *p, const char *path)
{
	const char *env = getenv("ORKIT_MODEL");
	char *def = NULL;
	jv v;
	int rc;

	p->model = NULL;
	p->options = jv_object();
	p->aliases = jv_object();
	if (path == NULL)
		path = def = cfg_path("XDG_CONFIG_HOME", ".config",
		    "config.json");
	rc = cfg_read_object(path, def == NULL, 1 << 20,
	    "{\"model\": \"openai/gpt-4o-mini\"}", &v);
	if (rc == 0)
		rc = take_keys(p, path, v);
	else if (rc == 1)
		rc = 0;
	free(def);
	if (rc == 0 && env && *env) {
		free(p->model);
		p->model = xstrdup(env);
	}
	return rc;
}

void
prefs_free(struct prefs *p)
{
	free(p->model);
	jv_free(p->options);
	jv_free(p->aliases);
	memset(p, 0, sizeof(*p));
}

const char *
prefs_model(const struct prefs *p, const char *name)
{
	jv id;
	const char *s;

	if (name == NULL)
		return NULL;
	id = jv_object_get(jv_copy(p->aliases), jv_string(name));
	s = jv_get_kind(id) == JV_KIND_STRING ? jv_string_value(id) : name;
	jv_free(id);	/* p->aliases holds it: s stays valid */
	return s;
}

jv
prefs_options(const struct prefs *p, jv flags)
{
	if (jv_get_kind(flags) != JV_KIND_OBJECT) {
		jv_free(flags);
		return jv_copy(p->options);
	}
	return jv_object_merge(jv_copy(p->options), flags);
}
