/*
 * errbody.c: an HTTP answer turned into a record's error (lib/http's
 * http_error, and http_api_error for OpenRouter's error envelope, also
 * alone over the body's value, as or-send calls it on a stream's error).
 * The first byte says how the transfer went (bit 0: it broke after
 * the headers, bit 1: an X-Generation-Id came), the next two the
 * status (big-endian, below 1000); the rest is the body.
 */
#include <jv.h>

#include "fuzz.h"
#include "http.h"
#include "jvx.h"
#include "util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_resp r;
	const char *json;
	size_t n;
	jv err, body;

	progname = "fuzz-errbody";
	if (size < 3)
		return 0;
	memset(&r, 0, sizeof(r));
	r.retry_after_ms = -1;
	r.status = ((long)data[1] << 8 | data[2]) % 1000;
	if (data[0] & 1) {
		r.code = CURLE_PARTIAL_FILE;
		/* so the message is this, not libcurl's (not loaded here) */
		snprintf(r.errbuf, sizeof(r.errbuf), "transfer closed");
	}
	if (data[0] & 2)
		snprintf(r.gen_id, sizeof(r.gen_id), "gen-fuzz");
	buf_add(&r.body, data + 3, size - 3);
	json = http_json(&r, &n);
	if (n > size)
		abort();
	(void)json;
	err = http_error(&r, &body);
	if (jv_is_valid(err)) {
		(void)http_should_retry(err);
		if (jv_get_kind(err) != JV_KIND_OBJECT)
			abort();
	} else if (r.code != CURLE_OK || r.status >= 400)
		abort();	/* a failure must give an error */
	jv_free(err);
	jv_free(body);
	/* or-send's way for an error that came in a 200's stream: any
	   value, an object or not */
	err = http_api_error(200, jvx_parse(r.body.buf ? r.body.buf : "",
	    r.body.len));
	if (jv_get_kind(err) != JV_KIND_OBJECT)
		abort();
	jv_free(err);
	buf_free(&r.body);
	return 0;
}
