/* table.c: rows as records or as an aligned table for people. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>
#include <sqlite3.h>

#include "query.h"
#include "record.h"
#include "util.h"

struct table {
	int	 ncols;
	char	**cells;
	size_t	 n, cap;
};

struct table *
table_new(int ncols)
{
	struct table *t = xmalloc(sizeof(*t));

	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	return t;
}

/* Line ends and tabs would break the columns: they become spaces. */
void
table_add(struct table *t, const char *s)
{
	char *c = xstrdup(s ? s : "");
	char *p;

	for (p = c; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->cells = xrealloc(t->cells, t->cap * sizeof(*t->cells));
	}
	t->cells[t->n++] = c;
}

/* Width on a terminal: code points, not bytes. */
static size_t
width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if ((*s & 0xc0) != 0x80)
			w++;
	return w;
}

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

void
table_print(struct table *t)
{
	size_t *w = xmalloc((size_t)t->ncols * sizeof(*w)), i, k;
	int c;

	memset(w, 0, (size_t)t->ncols * sizeof(*w));
	for (i = 0; i < t->n; i++)
		if (width(t->cells[i]) > w[i % (size_t)t->ncols])
			w[i % (size_t)t->ncols] = width(t->cells[i]);
	for (i = 0; i < t->n; i++) {
		c = (int)(i % (size_t)t->ncols);
		k = w[c] - width(t->cells[i]);
		if (c > 0)
			out_put("  ", 2);
		if (numeric(t->cells[i]) && i >= (size_t)t->ncols)
			for (; k > 0; k--)
				out_put(" ", 1);
		out_put(t->cells[i], strlen(t->cells[i]));
		if (c == t->ncols - 1)
			out_put("\n", 1);
		else
			for (; k > 0 && !(numeric(t->cells[i]) &&
			    i >= (size_t)t->ncols); k--)
				out_put(" ", 1);
		free(t->cells[i]);
	}
	out_end();
	free(t->cells);
	free(t);
	free(w);
}

static jv
column_value(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		return jv_number((double)sqlite3_column_int64(st, i));
	case SQLITE_FLOAT:
		return jv_number(sqlite3_column_double(st, i));
	case SQLITE_NULL:
		return jv_null();
	default:
		return jv_string_sized((const char *)sqlite3_column_text(st,
		    i), sqlite3_column_bytes(st, i));
	}
}

void
put_row_json(sqlite3_stmt *st)
{
	jv o = jv_object(), s;
	int i;

	for (i = 0; i < sqlite3_column_count(st); i++)
		o = jv_object_set(o, jv_string(sqlite3_column_name(st, i)),
		    column_value(st, i));
	s = jv_dump_string(o, 0);
	out_put(jv_string_value(s), strlen(jv_string_value(s)));
	out_put("\n", 1);
	out_end();
	jv_free(s);
}

void
put_header(struct table *t, sqlite3_stmt *st)
{
	int i;

	for (i = 0; i < sqlite3_column_count(st); i++)
		table_add(t, sqlite3_column_name(st, i));
}

void
put_row_cells(struct table *t, sqlite3_stmt *st)
{
	int i;

	for (i = 0; i < sqlite3_column_count(st); i++)
		table_add(t, (const char *)sqlite3_column_text(st, i));
}
