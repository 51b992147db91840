/* append.h: records in, stored, then written on. */
#ifndef ORLOG_APPEND_H
#define ORLOG_APPEND_H

int	 append_run(const char *path, int receipt, int text);
						/* exit status */

#endif
