/* send.h: one record to one chat completion. */
#ifndef OR_SEND_H
#define OR_SEND_H

#include <jv.h>

#include "config.h"
#include "http.h"
#include "record.h"

struct sender {
	struct cfg	 cfg;
	struct http	*http;
	const char	*model;		/* -m: for records without one */
	const char	*system;	/* -s: for records without one */
	jv		 opts;		/* -o: parameters records lack */
	int		 textmode;	/* -t: text out, errors on stderr */
};

void	 send_record(struct sender *, struct rec *);
char	*send_text(struct rec *);	/* malloc'd assistant text, or NULL */

#endif
