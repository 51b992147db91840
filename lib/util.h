/* util.h: allocation that dies, time, UTF-8, growable buffers. */
#ifndef ORKIT_UTIL_H
#define ORKIT_UTIL_H

#include <stddef.h>
#include <stdint.h>

extern const char *progname;		/* set by each tool's main */
extern void (*before_msg)(void);	/* e.g. clears a progress line */

void	*xmalloc(size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
_Noreturn void die(int, const char *, ...);	/* "prog: msg\n", exit */
void	 warnx_(const char *, ...);		/* "prog: msg\n" */

int64_t	 now_ms(void);			/* wall clock, epoch ms */
int64_t	 mono_ms(void);			/* monotonic ms */
void	 sleep_ms(int64_t);
void	 iso8601_ms(int64_t, char [64]);	/* 2026-11-23T10:00:00.123Z */

int	 utf8_valid(const char *, size_t);
char	 lower(char);				/* ASCII only */
const char *ci_find(const char *, const char *);	/* strstr, ASCII case folded */
int	 is_blank(const char *, size_t);

/* A growable byte buffer; owns buf. */
struct buf {
	char	*buf;
	size_t	 len, cap;
};

void	 buf_add(struct buf *, const void *, size_t);
void	 buf_adds(struct buf *, const char *);
void	 buf_addc(struct buf *, char);
void	 buf_reset(struct buf *);
void	 buf_free(struct buf *);
const char *buf_str(struct buf *);	/* NUL-terminated, borrowed */

char	*base64(const void *, size_t);	/* malloc'd */

#endif
