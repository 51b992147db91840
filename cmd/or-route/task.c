/*
 * task.c: what a prompt asks for, by the routing table's "auto" rules,
 * the first that fires winning: "contains" (any of these strings, as
 * written), "words" (any of these words or phrases, in any case, not
 * inside a longer word), "image" (an image part), "min_tokens" (a
 * prompt at least this long).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

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

static int
word_at(const char *text, const char *w)
{
	size_t n = strlen(w);
	const char *p;

	for (p = text; (p = ci_find(p, w)) != NULL; p++)
		if ((p == text || !isalnum((unsigned char)p[-1])) &&
		    !isalnum((unsigned char)p[n]))
			return 1;
	return 0;
}

static int
any(jv list, const char *text, int words)
{
	int hit = 0;

	if (jv_get_kind(list) == JV_KIND_ARRAY) {
		jv_array_foreach(list, i, s) {
			if (!hit && jv_get_kind(s) == JV_KIND_STRING)
				hit = words ? word_at(text, jv_string_value(s)) :
				    strstr(text, jv_string_value(s)) != NULL;
			jv_free(s);
		}
	}
	jv_free(list);
	return hit;
}

static int
fires(jv r, const char *text, long images, double ptok)
{
	jv image = jvx_get(jv_copy(r), "image");
	int want_image = jv_get_kind(image) == JV_KIND_TRUE;
	double min;

	jv_free(image);
	if (jvx_num(r, "min_tokens", &min) && ptok >= min)
		return 1;
	if (want_image && images > 0)
		return 1;
	return any(jvx_get(jv_copy(r), "contains"), text, 0) ||
	    any(jvx_get(jv_copy(r), "words"), text, 1);
}

int
task_auto_text(jv autos, const char *text, long images, double ptok)
{
	int hit = -1;

	if (jv_get_kind(autos) == JV_KIND_ARRAY) {
		jv_array_foreach(autos, i, r) {
			if (hit < 0 && fires(r, text, images, ptok))
				hit = i;
			jv_free(r);
		}
	}
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
