/*
 * request.h: a record to the chat request it stands for.
 *
 * A record is the request body plus orkit's reserved keys (orkit(7)).
 * req_build makes the body or-send sends: the reserved keys removed,
 * "system" and "prompt" folded into "messages" (system first), and
 * or-send's defaults applied. The request hash (reqhash.h) is taken
 * over the same builder with no defaults, so what or-log matches on is
 * what or-send sent, less the defaults and the stream options.
 */
#ifndef ORKIT_REQUEST_H
#define ORKIT_REQUEST_H

#include <jv.h>

/* The reserved keys, orkit(7)'s list: never sent. NULL-terminated. */
extern const char *const req_reserved[];

/* What a record lacks, filled in; all borrowed, any may be NULL/0. */
struct req_defaults {
	const char	*model;		/* -m: with neither model nor models */
	const char	*system;	/* -s: with no system message */
	jv		 opts;		/* -o: parameters it lacks; an object,
					   or invalid for none */
	const char	*free_model;	/* --free: stands in for any model
					   that is not free */
	int		 stream;	/* --stream: "stream": true */
	jv		 attach;	/* -a: content parts that follow the
					   prompt's text in its message; an
					   array, or invalid (zeroed) for
					   none */
};

enum {
	REQ_STRICT,	/* a shorthand of the wrong kind is refused */
	REQ_LENIENT	/* it is left out, as the request hash always did */
};

/*
 * -o key=value, as or-send and or-log take it: the value is JSON when it
 * parses, else a string. Consumes opts (an object, or invalid for none)
 * and returns it with the key set; invalid, opts freed, when arg has no
 * "key=".
 */
jv	 req_option(jv opts, const char *arg);

/*
 * The body for a record (consumed); defaults may be NULL. Owned; or
 * invalid, with *why (static) saying what is wrong with the record.
 */
jv	 req_build(jv rec, const struct req_defaults *, int mode,
	    const char **why);

#endif
