/*
 * catalog.c: the model catalog (lib/catalog) read from any bytes, as
 * a cache file, then looked up as the tools do: each model's value,
 * prices, capabilities and modalities; ids found and suggested.
 */
#include <jv.h>

#include "catalog.h"
#include "fuzz.h"
#include "util.h"

/* The first models only: a long catalog is the same code again. */
#define SOME	64

static void
look(const struct catalog *c, const struct model *m)
{
	const struct model *near[4];
	size_t i;

	jv_free(cat_val(m));
	(void)cat_price(m, "prompt");
	(void)cat_price(m, "input_cache_read");
	for (i = 0; cat_caps[i] != NULL; i++)
		(void)cat_has(m, cat_caps[i]);
	(void)cat_has(m, "temperature");
	(void)cat_modality(m, "text+image", "text");
	(void)cat_modality(m, NULL, "image");
	if (cat_find(c, m->id) == NULL)
		abort();	/* every model is found by its own id */
	(void)cat_is_free_id(m->id);
	if (cat_base_len(m->id) > strlen(m->id))
		abort();
	(void)cat_same_model("openai/gpt-4o", m->id);
	(void)cat_suggest(c, m->id, near, 4);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct model *near[4];
	int fd = fuzz_memfd(data, size);
	struct catalog *c;
	char path[64];
	size_t i;

	progname = "fuzz-catalog";
	fuzz_fd_path(fd, path);
	c = cat_read(path);
	close(fd);
	if (c == NULL)
		return 0;
	for (i = 0; i < c->n && i < SOME; i++)
		look(c, &c->models[i]);
	(void)cat_suggest(c, "openai/gpt-4o-mini", near, 4);
	(void)cat_find(c, "");
	cat_free(c);
	return 0;
}
