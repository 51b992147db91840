/*
 * json.c: lib/jvx's way around libjv 1.6's leak (a string after a value
 * with no separator, ["a" "b"], is lost unfreed) must change nothing
 * else: jvx_parse_sized gives what jv_parse_sized gives, and jvx_parse
 * what a fresh jv_parser gives, value or message, for any bytes.  The
 * reference runs with LeakSanitizer off, since it is what leaks.
 */
#include <limits.h>

#include <jv.h>
#include <sanitizer/lsan_interface.h>

#include "fuzz.h"
#include "jvx.h"
#include "util.h"

/* A value or message as text, to compare; consumes v. */
static char *
text_of(jv v)
{
	jv m;
	char *s;

	if (jv_is_valid(v)) {
		m = jv_dump_string(v, JV_PRINT_SORTED);
		s = xstrdup(jv_string_value(m));
	} else {
		m = jv_invalid_has_msg(jv_copy(v)) ? jv_invalid_get_msg(v) :
		    (jv_free(v), jv_string("(no message)"));
		s = xstrdup(jv_get_kind(m) == JV_KIND_STRING ?
		    jv_string_value(m) : "(a message not a string)");
	}
	jv_free(m);
	return s;
}

/* jvx_parse as it was, a parser over the text, the leak and all. */
static jv
parser_ref(const char *s, size_t n)
{
	struct jv_parser *p = jv_parser_new(0);
	jv v, extra;

	jv_parser_set_buf(p, s, (int)n, 0);
	v = jv_parser_next(p);
	if (!jv_is_valid(v) && !jv_invalid_has_msg(jv_copy(v))) {
		jv_free(v);
		v = jv_invalid_with_msg(jv_string("empty input"));
	} else if (jv_is_valid(v)) {
		extra = jv_parser_next(p);
		if (jv_is_valid(extra) || jv_invalid_has_msg(jv_copy(extra))) {
			jv_free(v);
			v = jv_invalid_with_msg(jv_string(
			    "unexpected extra JSON values"));
		}
		jv_free(extra);
	}
	jv_parser_free(p);
	return v;
}

static void
same(const char *how, char *want, char *got, const uint8_t *d, size_t n)
{
	if (strcmp(want, got) != 0) {
		fprintf(stderr, "%s differs on %.*s:\nlibjv: %s\njvx:   %s\n",
		    how, (int)n, (const char *)d, want, got);
		abort();
	}
	free(want);
	free(got);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char *want;

	progname = "fuzz-json";
	if (size > INT_MAX)
		return 0;
	__lsan_disable();
	want = text_of(jv_parse_sized(s, (int)size));
	__lsan_enable();
	same("jv_parse_sized", want, text_of(jvx_parse_sized(s, size)), data,
	    size);
	__lsan_disable();
	want = text_of(parser_ref(s, size));
	__lsan_enable();
	same("the parser", want, text_of(jvx_parse(s, size)), data, size);
	return 0;
}
