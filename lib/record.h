/* record.h: JSON-lines records in, extended records out. */
#ifndef ORKIT_RECORD_H
#define ORKIT_RECORD_H

#include <stdio.h>

#include <jv.h>

#include "util.h"

enum rec_kind {
	REC_OBJECT,		/* a JSON object line */
	REC_STRING,		/* a JSON string line: {"prompt": ...} */
	REC_BAD			/* not a record: carries a bad_input error */
};

struct rec {
	enum rec_kind	 kind;
	long		 lineno;
	char		*line;		/* the bytes as read, no line end */
	size_t		 len;
	jv		 val;		/* the record as a value; owned */
	struct buf	 ext;		/* ,"key":value pairs to add */
	int		 rewrite;	/* an added key exists: dump val */
	int		 failed;	/* carries "error" */
};

struct reader;

struct reader	*rec_reader(int fd);
struct rec	*rec_next(struct reader *);	/* owned; NULL at EOF */
struct rec	*rec_take(struct reader *);	/* the same, or NULL if no
						   whole line is buffered */
/* rec_take in two steps, for a caller that reads some lines itself:
   the next line that is not blank, less its line end (borrowed until
   the next rec_fill), then, if wanted, its record (owned). */
int		 rec_line(struct reader *, const char **, size_t *);
struct rec	*rec_of_line(const struct reader *, const char *, size_t);
int		 rec_fill(struct reader *);	/* one read(2): 1 bytes came,
						   0 end of input, -1 EINTR */
int		 rec_reader_fd(const struct reader *);
int		 rec_reader_eof(const struct reader *);	/* nothing left */
int		 rec_reader_ready(struct reader *);	/* a whole line */
void		 rec_reader_free(struct reader *);
struct rec	*rec_from_prompt(const char *);	/* owned: {"prompt": s} */
struct rec	*rec_dup(const struct rec *);	/* owned: a copy */
void		 rec_free(struct rec *);

int	 rec_has(const struct rec *, const char *);
jv	 rec_get(const struct rec *, const char *);	/* owned; invalid if absent */
void	 rec_add(struct rec *, const char *, jv);	/* consumes the value */
void	 rec_add_raw(struct rec *, const char *, jv, const char *, size_t);
					/* consumes the parsed jv */
void	 rec_del(struct rec *, const char *);	/* from the bytes too */
void	 rec_ext_add(struct buf *, const char *, jv);	/* ,"key":value as
					   rec_add appends it; consumes */
jv	 rec_errobj(const char *type, const char *msg, int retryable);
jv	 rec_where(const struct rec *);	/* owned: its id, else "line 17" */
char	*rec_text(struct rec *);	/* malloc'd: the assistant's text,
					   "" without a response */
void	 rec_complain(const struct rec *, jv err);	/* its error
					   on stderr; consumes err */
void	 rec_complain_as(const char *name, jv err);	/* the same,
					   named by the caller */
char	*rec_job(jv);			/* borrows a record: its id as a job
					   id, malloc'd, or NULL */

void	 out_init(void);		/* line-buffered stdout, SIGPIPE ignored */
void	 rec_emit(struct rec *);	/* writes to stdout; dies on write error */
void	 rec_put(struct rec *);		/* the same, less out_end's flush */
void	 out_spliced(const char *, size_t, const char *ext, size_t);
				/* a line with ext before its closing brace,
				   as rec_put writes it, less the line end */
void	 out_put(const char *, size_t);	/* the same, for other text */
struct buf;
void	 out_put_part(struct buf *held, const char *, size_t, int end);
				/* text in pieces (put_hidden_part) */
void	 out_end(void);		/* a line is done: flush, exit 2 on error */
int	 out_close(void);		/* 0, or 2 after a write error */
int	 out_watchable(void);		/* stdout a pipe or socket: its reader
					   can go away while we wait */
void	 out_check_reader(void);	/* exit 2 at once, as a write would,
					   when that reader is gone */

#endif
