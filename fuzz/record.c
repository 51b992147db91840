/*
 * record.c: the record reader (lib/record) over any bytes: lines read
 * from a file descriptor, each classified (object, string or bad
 * input), then the calls the tools make on a record: where it is, its
 * text and job id, a key added and keys taken out of its bytes.
 */
#include <jv.h>

#include "fuzz.h"
#include "record.h"
#include "util.h"

static void
use(struct rec *rec)
{
	struct rec *dup;
	char *s;
	jv v;

	jv_free(rec_where(rec));
	s = rec_text(rec);
	free(s);
	free(rec_job(rec->val));
	(void)rec_has(rec, "messages");
	jv_free(rec_get(rec, "id"));
	dup = rec_dup(rec);
	rec_del(dup, "model");
	rec_del(dup, "prompt");
	rec_add(dup, "model", jv_string("a/b"));
	rec_del(dup, "error");
	rec_free(dup);
	/* with a second reference held, as a tool that kept it would */
	if (rec->kind == REC_OBJECT) {
		v = jv_copy(rec->val);
		rec_del(rec, "id");
		jv_free(v);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = fuzz_memfd(data, size);
	struct reader *r = rec_reader(fd);
	struct rec *rec;

	progname = "fuzz-record";
	while ((rec = rec_next(r)) != NULL) {
		use(rec);
		rec_free(rec);
	}
	rec_reader_free(r);
	close(fd);
	return 0;
}
