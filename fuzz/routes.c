/*
 * routes.c: or-route's routing table (cmd/or-route/rules.c) checked
 * from any bytes; a table it takes then has its "auto" task rules run
 * (task.c) over a request's messages and over the bytes as a prompt.
 */
#include <jv.h>

#include "fuzz.h"
#include "jvx.h"
#include "route.h"
#include "util.h"

static void
run_auto(jv rules, const char *text)
{
	jv autos = jvx_get(jv_copy(rules), "auto");
	jv body = jv_parse("{\"messages\": [{\"role\": \"user\", \"content\": "
	    "[{\"type\": \"text\", \"text\": \"Fix this Python bug\"}, "
	    "{\"type\": \"image_url\", \"image_url\": {\"url\": \"x\"}}]}]}");
	int n = jv_get_kind(autos) == JV_KIND_ARRAY ?
	    jv_array_length(jv_copy(autos)) : 0;

	if (!jv_is_valid(body))
		abort();
	if (task_auto(autos, body, 12) >= n ||
	    task_auto_text(autos, text, 0, 1e6) >= n)
		abort();	/* -1, or one of the rules */
	jv_free(body);
	jv_free(autos);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf why = { 0 };
	char *text;
	jv rules;

	progname = "fuzz-routes";
	rules = rules_check("routes.json", (const char *)data, size, &why);
	if (jv_is_valid(rules) == (why.len > 0))
		abort();	/* a table, or why not: never both */
	if (jv_is_valid(rules)) {
		text = fuzz_str(data, size);
		run_auto(rules, text);
		free(text);
	}
	jv_free(rules);
	buf_free(&why);
	return 0;
}
