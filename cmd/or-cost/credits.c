/*
 * credits.c: "or-cost credits", the account's credit and the key's limit
 * as one record, from GET /credits and GET /key.
 *
 * /credits takes a management key since 2026 (403 otherwise): without
 * it the record has the key's figures alone, and says why.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "cost.h"
#include "http.h"
#include "jvx.h"
#include "record.h"
#include "util.h"

static void
complain(const char *path, jv err)
{
	jv msg = jvx_get(jv_copy(err), "message");

	warnx_("%s: %s", path, jv_get_kind(msg) == JV_KIND_STRING ?
	    jv_string_value(msg) : "failed");
	jv_free(msg);
	jv_free(err);
}

int
credits(struct run *r, double min)
{
	jv cerr, kerr, o;
	const char *what;
	double left;
	int status = 0;

	out_init();
	http_global_init();
	r->http = http_new(&r->cfg, progname);
	o = account_read(r->http, &cerr, &kerr);
	http_free(r->http);
	http_global_cleanup();
	if (jv_is_valid(cerr))
		complain("/credits", jv_copy(cerr));
	if (jv_is_valid(kerr))
		complain("/key", jv_copy(kerr));
	if (jv_is_valid(cerr) && jv_is_valid(kerr)) {
		o = jv_object_set(o, jv_string("error"), kerr);
		status = 1;
	} else {
		if (jv_is_valid(cerr))
			o = jv_object_set(o, jv_string("credits_error"),
			    jvx_get(jv_copy(cerr), "message"));
		if (jv_is_valid(kerr))
			o = jv_object_set(o, jv_string("key_error"),
			    jvx_get(jv_copy(kerr), "message"));
		jv_free(kerr);
	}
	jv_free(cerr);
	if (status == 0 && min >= 0 && account_below(o, min, &left, &what)) {
		warnx_("%s $%.2f is below --min $%.2f", what, left, min);
		status = 3;
	}
	o = jv_dump_string(o, 0);
	out_put(jv_string_value(o), strlen(jv_string_value(o)));
	out_put("\n", 1);
	out_end();
	jv_free(o);
	return status;
}
