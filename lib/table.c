/* table.c: the tools' tables (table.h says how they are laid out). */
#include <sys/ioctl.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record.h"
#include "table.h"
#include "util.h"

/* Columns are left out rather than cut a shrinking one below this. */
#define KEEP_CUT	32
#define MIN_CUT	8	/* a cut column keeps at least this much */

struct table {
	size_t	 ncol, nrow;
	char	**cells;	/* nrow * ncol, owned */
	size_t	 ncell;		/* of the row being filled by tab_cell */
	char	*right;		/* per column */
	int	 numbers;	/* tab_numbers */
	size_t	*order;		/* columns to cut, first first */
	size_t	 ncut;
	size_t	*drops;		/* columns to leave out, first first */
	size_t	 ndrop;
	size_t	*keep;		/* per column: tab_keep's width, or 0 */
};

struct table *
tab_new(size_t ncol)
{
	struct table *t = xmalloc(sizeof(*t));

	memset(t, 0, sizeof(*t));
	t->ncol = ncol;
	t->right = xmalloc(ncol);
	memset(t->right, 0, ncol);
	t->order = xmalloc(ncol * sizeof(*t->order));
	t->drops = xmalloc(ncol * sizeof(*t->drops));
	t->ndrop = 0;
	t->keep = xmalloc(ncol * sizeof(*t->keep));
	memset(t->keep, 0, ncol * sizeof(*t->keep));
	return t;
}

static char *
cell_dup(const char *s)
{
	char *c = xstrdup(s ? s : ""), *p;

	for (p = c; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	return c;
}

void
tab_cell(struct table *t, const char *s)
{
	if (t->ncell == 0) {
		/* Doubling: or-log tables may hold many rows. */
		if ((t->nrow & (t->nrow - 1)) == 0)
			t->cells = xrealloc(t->cells, (t->nrow ? 2 *
			    t->nrow : 1) * t->ncol * sizeof(*t->cells));
		t->nrow++;
	}
	t->cells[(t->nrow - 1) * t->ncol + t->ncell] = cell_dup(s);
	if (++t->ncell == t->ncol)
		t->ncell = 0;
}

void
tab_row(struct table *t, const char *const *cells)
{
	size_t i;

	for (i = 0; i < t->ncol; i++)
		tab_cell(t, cells[i]);
}

void
tab_right(struct table *t, size_t col)
{
	t->right[col] = 1;
}

void
tab_numbers(struct table *t)
{
	t->numbers = 1;
}

void
tab_shrink(struct table *t, size_t col)
{
	t->order[t->ncut++] = col;
}

void
tab_keep(struct table *t, size_t col, size_t w)
{
	t->keep[col] = w > MIN_CUT ? w : MIN_CUT;
}

void
tab_drop(struct table *t, size_t col)
{
	t->drops[t->ndrop++] = col;
}

/* "12", "-0.5", "$0.000125": what tab_numbers right-aligns. */
static int
numeric(const char *s)
{
	char *end;

	if (*s == '$')
		s++;
	if (*s == '\0')
		return 0;
	(void)strtod(s, &end);
	return *end == '\0';
}

/* Columns on a terminal: UTF-8 lead bytes, one column each. */
static size_t
width_of(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* Bytes of s that fill at most w columns. */
static size_t
bytes_for(const char *s, size_t w)
{
	const char *p = s;

	for (; *p; p++)
		if (((unsigned char)*p & 0xc0) != 0x80 && w-- == 0)
			break;
	return (size_t)(p - s);
}

/* What a column to shrink is cut to before any column is left out. */
static size_t
keep_of(const struct table *t, size_t c)
{
	return t->keep[c] ? t->keep[c] : KEEP_CUT;
}

/* The table's width with every column to shrink cut to its keep_of. */
static size_t
narrowest(const struct table *t, const size_t *w, const char *gone)
{
	size_t i, total = 0, c;

	for (c = 0; c < t->ncol; c++)
		if (!gone[c])
			total += w[c] + (total ? 2 : 0);
	for (i = 0; i < t->ncut; i++)
		if (!gone[c = t->order[i]] && w[c] > keep_of(t, c))
			total -= w[c] - keep_of(t, c);
	return total;
}

/* Cuts column c down to at most floor while the table is too wide. */
static void
cut_to(size_t *w, size_t c, size_t floor, size_t *total, int width)
{
	while (w[c] > floor && *total > (size_t)width) {
		w[c]--;
		(*total)--;
	}
}

/*
 * Leaves out the columns marked to drop (gone[c] set) until the columns
 * to shrink need not be cut below KEEP_CUT (or their tab_keep), so that
 * a model id stays readable (anthropic/claude-3.5-haiku is 26), then
 * cuts those, no more than it must: first the ones given a tab_keep
 * down to it, then each in turn down to MIN_CUT.
 */
static void
fit(struct table *t, size_t *w, char *gone, int width)
{
	size_t i, total = 0, c;

	for (i = 0; i < t->ndrop && narrowest(t, w, gone) > (size_t)width;
	    i++)
		gone[t->drops[i]] = 1;
	for (c = 0; c < t->ncol; c++)
		if (!gone[c])
			total += w[c] + (total ? 2 : 0);
	for (i = 0; i < t->ncut; i++)
		if (!gone[c = t->order[i]] && t->keep[c])
			cut_to(w, c, t->keep[c], &total, width);
	for (i = 0; i < t->ncut; i++)
		if (!gone[c = t->order[i]])
			cut_to(w, c, MIN_CUT, &total, width);
}

static void
put_cell(struct buf *b, const char *s, size_t w, int right)
{
	size_t have = width_of(s), n = strlen(s), pad;
	int cut = have > w;

	if (cut) {
		n = bytes_for(s, w - 1);
		have = w;
	}
	pad = w - have;
	for (; right && pad > 0; pad--)
		buf_addc(b, ' ');
	buf_add(b, s, n);
	if (cut)
		buf_adds(b, "\xe2\x80\xa6");	/* an ellipsis */
	for (; pad > 0; pad--)
		buf_addc(b, ' ');
}

void
tab_print(struct table *t, int width)
{
	size_t *w = xmalloc(t->ncol * sizeof(*w)), r, c, n;
	char *gone = xmalloc(t->ncol);
	struct buf line = { 0 };
	const char *s;
	int first;

	while (t->ncell != 0)	/* a row left short: its cells empty */
		tab_cell(t, "");
	memset(w, 0, t->ncol * sizeof(*w));
	memset(gone, 0, t->ncol);
	for (r = 0; r < t->nrow; r++)
		for (c = 0; c < t->ncol; c++)
			if ((n = width_of(t->cells[r * t->ncol + c])) > w[c])
				w[c] = n;
	if (width > 0)
		fit(t, w, gone, width);
	for (r = 0; r < t->nrow; r++) {
		for (c = 0, first = 1; c < t->ncol; c++) {
			if (gone[c])
				continue;
			if (!first)
				buf_adds(&line, "  ");
			first = 0;
			s = t->cells[r * t->ncol + c];
			put_cell(&line, s, w[c], t->right[c] ||
			    (t->numbers && r > 0 && numeric(s)));
		}
		/* Empty cells at the end leave no blanks behind. */
		while (line.len > 0 && line.buf[line.len - 1] == ' ')
			line.len--;
		buf_addc(&line, '\n');
		out_put(line.buf, line.len);
		buf_reset(&line);
	}
	out_end();
	buf_free(&line);
	for (r = 0; r < t->nrow * t->ncol; r++)
		free(t->cells[r]);
	free(t->cells);
	free(t->right);
	free(t->order);
	free(t->drops);
	free(t->keep);
	free(t);
	free(w);
	free(gone);
}

int
term_width(void)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");
	long n;

	if (!isatty(STDOUT_FILENO))
		return 0;
	if (cols && (n = strtol(cols, NULL, 10)) > 0 && n <= INT_MAX)
		return (int)n;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

