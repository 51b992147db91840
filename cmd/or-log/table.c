/* table.c: result rows as records, or as cells of a lib/table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>
#include <sqlite3.h>

#include "jvx.h"
#include "query.h"
#include "record.h"
#include "table.h"
#include "util.h"

struct table *
query_table(size_t ncols)
{
	struct table *t = tab_new(ncols);

	tab_numbers(t);
	return t;
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

static jv
row_object(sqlite3_stmt *st)
{
	jv o = jv_object();
	int i;

	for (i = 0; i < sqlite3_column_count(st); i++)
		o = jv_object_set(o, jv_string(sqlite3_column_name(st, i)),
		    column_value(st, i));
	return o;
}

void
put_row_json(sqlite3_stmt *st)
{
	jv s = jv_dump_string(row_object(st), 0);

	out_put(jv_string_value(s), strlen(jv_string_value(s)));
	out_put("\n", 1);
	out_end();
	jv_free(s);
}

void
put_row_plain(sqlite3_stmt *st)
{
	char *s = jvx_dump(row_object(st));

	out_put(s, strlen(s));
	out_put("\n", 1);
	out_end();
	free(s);
}

void
put_header(struct table *t, sqlite3_stmt *st)
{
	int i;

	for (i = 0; i < sqlite3_column_count(st); i++)
		tab_cell(t, sqlite3_column_name(st, i));
}

void
put_row_cells(struct table *t, sqlite3_stmt *st)
{
	int i;

	for (i = 0; i < sqlite3_column_count(st); i++)
		tab_cell(t, (const char *)sqlite3_column_text(st, i));
}
