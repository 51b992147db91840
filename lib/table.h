/*
 * table.h: rows of text laid out in columns for a person to read (the
 * tools' -t), one printer for every tool.
 *
 * On a terminal the table fits its width, the columns marked to shrink
 * cut first, each with an ellipsis, then those marked to drop left out;
 * piped (width 0), nothing is cut or left out, so grep and awk see
 * whole cells. Widths count UTF-8 code points. Cells
 * are copied in; line ends and tabs in them become spaces, since they
 * would break the columns. Columns are two spaces apart, and a line
 * has no blanks at its end.
 */
#ifndef ORKIT_TABLE_H
#define ORKIT_TABLE_H

#include <stddef.h>

struct table;

struct table	*tab_new(size_t ncol);	/* owned: tab_print frees it */
void		 tab_row(struct table *, const char *const *cells);
					/* ncol cells; NULL is "" */
void		 tab_cell(struct table *, const char *);
					/* one cell, rows filled in turn */
void		 tab_right(struct table *, size_t col);	/* right-aligned */
void		 tab_numbers(struct table *);	/* below the first row,
						   numbers ("12", "$0.5")
						   are right-aligned */
void		 tab_shrink(struct table *, size_t col);	/* cut first */
void		 tab_keep(struct table *, size_t col, size_t w);
					/* a column to shrink is cut to w
					   (32 unless told) before any
					   column is left out */
void		 tab_drop(struct table *, size_t col);	/* left out, the
						   first marked first, when
						   the cuts were not enough */
void		 tab_print(struct table *, int width);	/* prints, frees */
int		 term_width(void);	/* of stdout; 0 when not a terminal */

#endif
