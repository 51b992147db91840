/* extract.h: a record's columns, for the requests table. */
#ifndef ORLOG_EXTRACT_H
#define ORLOG_EXTRACT_H

#include "record.h"
#include "store.h"

struct entry {
	struct rec	*rec;		/* owned */
	struct store_row row;		/* points into rec and owned[] */
	char		*owned[10];
	int		 nowned;
	char		*dumped;	/* the record's text when rewritten */
	int64_t		 id;		/* row id once stored, else -1 */
	int		 dup;		/* id is the row stored before */
	long		 seq;		/* its place in the input, from 1 */
	/* or-log -t's, taken before the parsed record is let go of */
	char		*name;		/* rec_where's */
	char		*text;		/* the answer, or NULL */
	jv		 err;		/* its error, or invalid */
	int		 compared;	/* its id ends in "@" and its model */
};

struct entry	*entry_new(struct rec *);	/* takes the record */
void		 entry_free(struct entry *);

#endif
