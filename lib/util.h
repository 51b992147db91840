/* util.h: allocation that dies, time, UTF-8, growable buffers. */
#ifndef ORKIT_UTIL_H
#define ORKIT_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

extern const char *progname;		/* set by each tool's main */
extern void (*before_msg)(void);	/* e.g. clears a progress line */

void	*xmalloc(size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
_Noreturn void die(int, const char *, ...);	/* "prog: msg\n", exit */
void	 warnx_(const char *, ...);		/* "prog: msg\n" */
_Noreturn void text_exit(const char *);	/* help on stdout, exit 0 or 2 */
_Noreturn void version_exit(void);	/* "prog VERSION\n", as text_exit */

/* The API key is masked in messages and in what goes through put_hidden. */
void	 secret_hide(const char *key);	/* borrowed until secret_hide(NULL) */
size_t	 put_hidden(FILE *, const char *, size_t);	/* as fwrite */
struct buf;
void	 buf_hide_secret(struct buf *);	/* the key masked in its text */
/* As put_hidden, for text in pieces: held keeps what may be the key's
   start until the next piece, or end (then freed of it). 0, or -1. */
int	 put_hidden_part(FILE *, struct buf *held, const char *, size_t,
	    int end);

int64_t	 now_ms(void);			/* wall clock, epoch ms */
int64_t	 mono_ms(void);			/* monotonic ms */
void	 sleep_ms(int64_t);
void	 iso8601_ms(int64_t, char [64]);	/* 2026-11-23T10:00:00.123Z */
int64_t	 iso8601_parse(const char *);	/* epoch ms, or -1 */

/*
 * One grammar for every tool's time flags. A duration is seconds with
 * an optional unit, s, m, h, d or w: "90", "90s", "15m", "2h", "7d",
 * "2w", "1.5h". A point in time (--since, --until, --before) is a
 * duration ago, or a UTC date or time as iso8601_parse reads it.
 * Each returns 0, or -1 when the text is neither.
 */
#define DURATION_HELP	"90, 90s, 15m, 2h, 7d or 2w"
#define WHEN_HELP	"an age (" DURATION_HELP ") or a date (2026-11-01)"
int	 parse_duration(const char *, int64_t *ms);
int	 parse_when(const char *, int64_t *epoch_ms);

int	 utf8_valid(const char *, size_t);
long	 utf8_bad_at(const char *, size_t);	/* offset of the first bad
						   sequence, or -1 */
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
