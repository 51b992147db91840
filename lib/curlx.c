/*
 * curlx.c: the libcurl calls of every tool, through libcurl.so.4 loaded
 * on the first one (curlx.h says why).
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <string.h>

#include "curlx.h"
#include "util.h"

static void	*lib;
static struct {
	CURLcode	 (*global_init)(long);
	void		 (*global_cleanup)(void);
	CURL		*(*easy_init)(void);
	CURLcode	 (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode	 (*easy_getinfo)(CURL *, CURLINFO, ...);
	CURLcode	 (*easy_perform)(CURL *);
	void		 (*easy_cleanup)(CURL *);
	CURLHcode	 (*easy_header)(CURL *, const char *, size_t,
			    unsigned int, int, struct curl_header **);
	const char	*(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void		 (*slist_free_all)(struct curl_slist *);
	CURLM		*(*multi_init)(void);
	CURLMcode	 (*multi_setopt)(CURLM *, CURLMoption, ...);
	CURLMcode	 (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode	 (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode	 (*multi_perform)(CURLM *, int *);
	CURLMcode	 (*multi_poll)(CURLM *, struct curl_waitfd *,
			    unsigned int, int, int *);
	CURLMsg		*(*multi_info_read)(CURLM *, int *);
	CURLMcode	 (*multi_cleanup)(CURLM *);
} f;

static void *
need(const char *name)
{
	void *s;

	if ((s = dlsym(lib, name)) == NULL)
		die(2, "libcurl.so.4: no %s", name);
	return s;
}

/* dlsym gives a void *; POSIX has it hold a function's address. */
#define LOAD(fn) do {						\
	void *s_ = need("curl_" #fn);				\
	memcpy(&f.fn, &s_, sizeof(s_));				\
} while (0)

static void
load(void)
{
	if (lib != NULL)
		return;
	if ((lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL)) == NULL)
		die(2, "cannot load libcurl: %s", dlerror());
	LOAD(global_init); LOAD(global_cleanup); LOAD(easy_init);
	LOAD(easy_setopt); LOAD(easy_getinfo); LOAD(easy_perform);
	LOAD(easy_cleanup); LOAD(easy_header); LOAD(easy_strerror);
	LOAD(slist_append); LOAD(slist_free_all); LOAD(multi_init);
	LOAD(multi_setopt); LOAD(multi_add_handle);
	LOAD(multi_remove_handle);
	LOAD(multi_perform); LOAD(multi_poll); LOAD(multi_info_read);
	LOAD(multi_cleanup);
	if (f.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		die(2, "cannot start libcurl");
}

/* Nothing to do before the first transfer: load() starts libcurl. */
CURLcode
curlx_global_init(long flags)
{
	(void)flags;
	return CURLE_OK;
}

void
curlx_global_cleanup(void)
{
	if (lib != NULL)
		f.global_cleanup();
}

CURL *
curlx_easy_init(void)
{
	load();
	return f.easy_init();
}

/* An option's number says the type of its one argument (curl.h). */
CURLcode
curlx_easy_setopt(CURL *h, CURLoption o, ...)
{
	CURLcode r;
	va_list ap;

	va_start(ap, o);
	if (o < CURLOPTTYPE_OBJECTPOINT)
		r = f.easy_setopt(h, o, va_arg(ap, long)); /* NOLINT(bugprone-branch-clone): va_arg types */
	else if (o < CURLOPTTYPE_FUNCTIONPOINT)
		r = f.easy_setopt(h, o, va_arg(ap, void *));
	else if (o < CURLOPTTYPE_OFF_T)
		r = f.easy_setopt(h, o, va_arg(ap, void (*)(void)));
	else if (o < CURLOPTTYPE_BLOB)
		r = f.easy_setopt(h, o, va_arg(ap, curl_off_t));
	else
		r = f.easy_setopt(h, o, va_arg(ap, void *));
	va_end(ap);
	return r;
}

/* Every CURLINFO takes a pointer to where the answer goes. */
CURLcode
curlx_easy_getinfo(CURL *h, CURLINFO i, ...)
{
	CURLcode r;
	va_list ap;

	va_start(ap, i);
	r = f.easy_getinfo(h, i, va_arg(ap, void *));
	va_end(ap);
	return r;
}

CURLcode
curlx_easy_perform(CURL *h)
{
	return f.easy_perform(h);
}

void
curlx_easy_cleanup(CURL *h)
{
	if (lib != NULL)
		f.easy_cleanup(h);
}

CURLHcode
curlx_easy_header(CURL *h, const char *name, size_t i, unsigned int origin,
    int request, struct curl_header **out)
{
	return f.easy_header(h, name, i, origin, request, out);
}

const char *
curlx_easy_strerror(CURLcode c)
{
	load();
	return f.easy_strerror(c);
}

struct curl_slist *
curlx_slist_append(struct curl_slist *l, const char *s)
{
	load();
	return f.slist_append(l, s);
}

void
curlx_slist_free_all(struct curl_slist *l)
{
	if (lib != NULL)
		f.slist_free_all(l);
}

CURLM *
curlx_multi_init(void)
{
	load();
	return f.multi_init();
}

/* As easy_setopt: the option's number says its argument's type. */
CURLMcode
curlx_multi_setopt(CURLM *m, CURLMoption o, ...)
{
	CURLMcode r;
	va_list ap;

	va_start(ap, o);
	if (o < CURLOPTTYPE_OBJECTPOINT)
		r = f.multi_setopt(m, o, va_arg(ap, long)); /* NOLINT(bugprone-branch-clone): va_arg types */
	else if (o < CURLOPTTYPE_FUNCTIONPOINT)
		r = f.multi_setopt(m, o, va_arg(ap, void *));
	else if (o < CURLOPTTYPE_OFF_T)
		r = f.multi_setopt(m, o, va_arg(ap, void (*)(void)));
	else
		r = f.multi_setopt(m, o, va_arg(ap, curl_off_t));
	va_end(ap);
	return r;
}

CURLMcode
curlx_multi_add_handle(CURLM *m, CURL *h)
{
	return f.multi_add_handle(m, h);
}

CURLMcode
curlx_multi_remove_handle(CURLM *m, CURL *h)
{
	return f.multi_remove_handle(m, h);
}

CURLMcode
curlx_multi_perform(CURLM *m, int *running)
{
	return f.multi_perform(m, running);
}

CURLMcode
curlx_multi_poll(CURLM *m, struct curl_waitfd *fds, unsigned int n,
    int ms, int *ret)
{
	return f.multi_poll(m, fds, n, ms, ret);
}

CURLMsg *
curlx_multi_info_read(CURLM *m, int *left)
{
	return f.multi_info_read(m, left);
}

CURLMcode
curlx_multi_cleanup(CURLM *m)
{
	if (lib != NULL)
		return f.multi_cleanup(m);
	return CURLM_OK;
}
