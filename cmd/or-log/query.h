/* query.h: or-log's subcommands, over a stored log. */
#ifndef ORLOG_QUERY_H
#define ORLOG_QUERY_H

#include <stdint.h>

#include <jv.h>

#include "budget.h"
#include "store.h"

struct qopts {
	const char	*db;
	int		 table;		/* -t */
	int		 chart;
	int		 csv;		/* --csv */
	int		 json;		/* --json: columns */
	int		 jsonl;		/* export --jsonl: records */
	int		 html;		/* report --html */
	const char	*sort;		/* recent --sort, or NULL */
	int		 vacuum;
	int		 receipt;
	int		 text;		/* appending -t: 1, --text: 2 */
	long		 count;		/* -n */
	const char	*by;		/* stats --by */
	const char	*model;		/* stats --model; pending and
					   cache: or-send's -m */
	const char	*system;	/* pending and cache: or-send's -s */
	jv		 opts;		/* and its -o: an object, or invalid */
	const char	*where;
	int64_t		 since, until, before, max_age;	/* epoch ms, or -1 */
	struct budget	 limits;	/* budget: --day, --month, --budget */
	const char	*warn;		/* budget --warn */
	const char	*config;	/* budget --config, or NULL */
	const char	*cid;		/* recent --cid: one conversation */
};

int	 cmd_stats(struct store *, struct qopts *, int, char **);
int	 cmd_recent(struct store *, struct qopts *, int, char **);
int	 cmd_search(struct store *, struct qopts *, int, char **);
int	 cmd_show(struct store *, struct qopts *, int, char **);
int	 cmd_export(struct store *, struct qopts *, int, char **);
int	 cmd_sql(struct store *, struct qopts *, int, char **);
int	 cmd_prune(struct store *, struct qopts *, int, char **);
int	 cmd_merge(struct store *, struct qopts *, int, char **);
int	 cmd_pending(struct store *, struct qopts *, int, char **);
int	 cmd_cache(struct store *, struct qopts *, int, char **);
int	 cmd_budget(struct store *, struct qopts *, int, char **);
int	 budget_open(struct store *, const char *path);
				/* store_open's STORE_MAYBE, a lock said */
int	 cmd_report(struct store *, struct qopts *, int, char **);

/* Text output shared by the subcommands (table.c). */
struct table;
struct table	*query_table(size_t ncols);	/* lib/table's, numbers
						   right-aligned */
void		 put_row_json(sqlite3_stmt *);	/* a result row as a record */
void		 put_row_plain(sqlite3_stmt *);	/* the same, numbers in plain
						   decimal (money) */
void		 put_row_cells(struct table *, sqlite3_stmt *);
void		 put_header(struct table *, sqlite3_stmt *);
_Noreturn void	 qusage(const char *);
char		*qfilter(struct qopts *);	/* sqlite3_free; or NULL */

#endif
