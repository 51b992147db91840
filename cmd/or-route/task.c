/*
 * task.c: what a prompt asks for, by the routing table's "auto" rules,
 * the first that fires winning: "contains" (any of these strings, as
 * written), "words" (any of these words or phrases, in any case, not
 * inside a longer word), "image" (an image part), "min_tokens" (a
 * prompt at least this long).
 *
 * "In any case" is for the letters of Latin-1, Latin Extended-A, Greek
 * and Cyrillic as well as ASCII ("Übersetze" is "übersetze"), folded
 * by table here, not by the locale: or-route never calls setlocale,
 * and the same table must route the same way everywhere.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "estimate.h"
#include "jvx.h"
#include "route.h"
#include "util.h"

static void
add_text(struct buf *b, jv c)
{
	if (jv_get_kind(c) == JV_KIND_STRING) {
		buf_adds(b, jv_string_value(c));
		buf_addc(b, '\n');
	} else if (jv_get_kind(c) == JV_KIND_ARRAY) {
		jv_array_foreach(c, i, part)
			add_text(b, jvx_get(part, "text"));
	}
	jv_free(c);
}

/* The code point at s, *n its bytes; a byte that starts none is its own. */
static uint32_t
decode(const unsigned char *s, size_t *n)
{
	uint32_t c;
	size_t k, i;

	if (s[0] < 0xC2 || s[0] > 0xF4) {
		*n = 1;
		return s[0];
	}
	k = s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4;
	c = s[0] & (0x7F >> k);
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*n = 1;
			return s[0];
		}
		c = c << 6 | (s[i] & 0x3F);
	}
	*n = k;
	return c;
}

static void
encode(struct buf *b, uint32_t c)
{
	char u[4];

	if (c < 0x80) {
		buf_addc(b, (char)c);
		return;
	}
	if (c < 0x800) {
		u[0] = (char)(0xC0 | c >> 6);
		u[1] = (char)(0x80 | (c & 0x3F));
		buf_add(b, u, 2);
	} else if (c < 0x10000) {
		u[0] = (char)(0xE0 | c >> 12);
		u[1] = (char)(0x80 | (c >> 6 & 0x3F));
		u[2] = (char)(0x80 | (c & 0x3F));
		buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xF0 | c >> 18);
		u[1] = (char)(0x80 | (c >> 12 & 0x3F));
		u[2] = (char)(0x80 | (c >> 6 & 0x3F));
		u[3] = (char)(0x80 | (c & 0x3F));
		buf_add(b, u, 4);
	}
}

/*
 * A letter's lower case, by Unicode's simple mapping, for ASCII,
 * Latin-1, Latin Extended-A, Greek and Cyrillic; İ (U+0130), whose
 * lower case is two code points, and anything else as it is.
 */
static uint32_t
lower_cp(uint32_t c)
{
	if (c < 0x80)
		return c >= 'A' && c <= 'Z' ? c + 32 : c;
	if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
		return c + 32;
	if ((c >= 0x100 && c <= 0x12F) || (c >= 0x132 && c <= 0x137) ||
	    (c >= 0x14A && c <= 0x177))
		return c | 1;		/* even upper, odd lower */
	if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
		return c & 1 ? c + 1 : c;	/* odd upper, even lower */
	if (c == 0x178)
		return 0xFF;		/* Ÿ */
	if (c >= 0x391 && c <= 0x3AB && c != 0x3A2)
		return c + 32;		/* Greek */
	if (c == 0x386)
		return 0x3AC;		/* with tonos */
	if (c >= 0x388 && c <= 0x38A)
		return c + 37;
	if (c == 0x38C)
		return 0x3CC;
	if (c == 0x38E || c == 0x38F)
		return c + 63;
	if (c >= 0x400 && c <= 0x40F)
		return c + 80;		/* Cyrillic */
	if (c >= 0x410 && c <= 0x42F)
		return c + 32;
	return c;
}

/* s in lower case, as lower_cp() folds it, into b (reset). */
static void
fold(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	buf_reset(b);
	while (*p) {
		encode(b, lower_cp(decode(p, &n)));
		p += n;
	}
	buf_str(b);
}

/*
 * A letter or digit a word goes on through: ASCII's, and the letters of
 * the scripts lower_cp() folds. Other characters (spaces, punctuation,
 * scripts written without spaces between words) end a word.
 */
static int
wordy(uint32_t c)
{
	if (c < 0x80)
		return isalnum((int)c);
	return (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) ||
	    (c >= 0x370 && c <= 0x3FF) || (c >= 0x400 && c <= 0x4FF);
}

/* The character before p in text goes on a word. */
static int
wordy_before(const char *text, const char *p)
{
	const char *q = p;
	size_t n;

	if (p == text)
		return 0;
	while (q > text && p - q < 4 && ((unsigned char)q[-1] & 0xC0) == 0x80)
		q--;
	if (q > text)
		q--;
	return wordy(decode((const unsigned char *)q, &n));
}

/* The word w (folded) is in text (folded), not inside a longer word. */
static int
word_at(const char *text, const char *w)
{
	size_t n = strlen(w), k;
	const char *p;

	if (n == 0)
		return 0;
	for (p = text; (p = strstr(p, w)) != NULL; p++)
		if (!wordy_before(text, p) && (p[n] == '\0' ||
		    !wordy(decode((const unsigned char *)p + n, &k))))
			return 1;
	return 0;
}

/* Any of list is in text, as written; or with words, as a word in
   folded (the text folded), each folded in b. */
static int
any(jv list, const char *text, const char *folded, struct buf *b)
{
	int hit = 0;

	if (jv_get_kind(list) == JV_KIND_ARRAY) {
		jv_array_foreach(list, i, s) {
			if (!hit && jv_get_kind(s) == JV_KIND_STRING) {
				if (folded) {
					fold(b, jv_string_value(s));
					hit = word_at(folded, b->buf);
				} else
					hit = strstr(text,
					    jv_string_value(s)) != NULL;
			}
			jv_free(s);
		}
	}
	jv_free(list);
	return hit;
}

/* The text, and folded (b) the first time a rule has words. */
struct said {
	const char	*text;
	long		 images;
	double		 ptok;
	struct buf	 folded, word;
	int		 is_folded;
};

static int
fires(jv r, struct said *t)
{
	jv image = jvx_get(jv_copy(r), "image"), words;
	int want_image = jv_get_kind(image) == JV_KIND_TRUE;
	double min;

	jv_free(image);
	if (jvx_num(r, "min_tokens", &min) && t->ptok >= min)
		return 1;
	if (want_image && t->images > 0)
		return 1;
	if (any(jvx_get(jv_copy(r), "contains"), t->text, NULL, NULL))
		return 1;
	words = jvx_get(jv_copy(r), "words");
	if (jv_get_kind(words) != JV_KIND_ARRAY) {
		jv_free(words);
		return 0;
	}
	if (!t->is_folded) {
		fold(&t->folded, t->text);
		t->is_folded = 1;
	}
	return any(words, t->text, t->folded.buf, &t->word);
}

int
task_auto_text(jv autos, const char *text, long images, double ptok)
{
	struct said t = { text, images, ptok, { 0 }, { 0 }, 0 };
	int hit = -1;

	if (jv_get_kind(autos) == JV_KIND_ARRAY) {
		jv_array_foreach(autos, i, r) {
			if (hit < 0 && fires(r, &t))
				hit = i;
			jv_free(r);
		}
	}
	buf_free(&t.folded);
	buf_free(&t.word);
	return hit;
}

int
task_auto(jv autos, jv body, double ptok)
{
	jv msgs = jvx_get(jv_copy(body), "messages");
	struct buf b = { 0 };
	int hit;

	if (jv_get_kind(msgs) == JV_KIND_ARRAY)
		jv_array_foreach(msgs, i, m)
			add_text(&b, jvx_get(m, "content"));
	jv_free(msgs);
	hit = task_auto_text(autos, buf_str(&b), est_images(body), ptok);
	buf_free(&b);
	return hit;
}
