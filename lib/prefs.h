/*
 * prefs.h: a person's defaults for the requests the tools build.
 *
 * $XDG_CONFIG_HOME/orkit/config.json (orkit(7)): a default model, the
 * default -o options, and aliases for model ids:
 *
 *	{"model": "fast", "options": {"temperature": 0.2},
 *	 "aliases": {"fast": "openai/gpt-4o-mini"}}
 *
 * The model a record is sent to: its own model (or models), else -m,
 * else ORKIT_MODEL, else config.json's "model"; an alias is taken in
 * -m, ORKIT_MODEL and "model". Options: the record's, else -o, else
 * config.json's. A missing file is no defaults; a bad one is an error
 * naming the file and the key.
 */
#ifndef ORKIT_PREFS_H
#define ORKIT_PREFS_H

#include <jv.h>

struct prefs {
	char	*model;		/* ORKIT_MODEL, else "model"; or NULL */
	jv	 options;	/* an object, maybe empty */
	jv	 aliases;	/* an object of strings, maybe empty */
};

/* The file, or config.json when path is NULL: 0, or -1 said. */
int	 prefs_load(struct prefs *, const char *path);
void	 prefs_free(struct prefs *);
/* name's model id when it is an alias, else name: borrowed. */
const char *prefs_model(const struct prefs *, const char *name);
/* -o over the file's options: consumes flags (an object or invalid). */
jv	 prefs_options(const struct prefs *, jv flags);

#endif
