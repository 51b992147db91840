/*
 * curlx.h: libcurl, loaded when a tool first goes to the network.
 *
 * Many runs need no network (a warm catalog cache, or-cost
 * --no-generation, a batch answered from the log); linking libcurl
 * would still have the dynamic loader map and relocate it and its thirty
 * libraries (TLS, Kerberos, LDAP ...) first, which is most of the time
 * such a run takes. So no tool links libcurl: this header is the only
 * one in the tree that includes <curl/curl.h>, and the curl_* calls
 * below go to curlx.c, which loads libcurl.so.4 on the first one and
 * starts it (curl_global_init) then. Include it instead of curl.h;
 * which files may call libcurl at all is said in http.h.
 */
#ifndef ORKIT_CURLX_H
#define ORKIT_CURLX_H

#define CURL_DISABLE_TYPECHECK	/* curl_easy_setopt is then a function */
#include <curl/curl.h>

CURLcode	 curlx_global_init(long);
void		 curlx_global_cleanup(void);
CURL		*curlx_easy_init(void);
CURLcode	 curlx_easy_setopt(CURL *, CURLoption, ...);
CURLcode	 curlx_easy_getinfo(CURL *, CURLINFO, ...);
CURLcode	 curlx_easy_perform(CURL *);
void		 curlx_easy_cleanup(CURL *);
CURLHcode	 curlx_easy_header(CURL *, const char *, size_t, unsigned int,
		    int, struct curl_header **);
const char	*curlx_easy_strerror(CURLcode);
struct curl_slist *curlx_slist_append(struct curl_slist *, const char *);
void		 curlx_slist_free_all(struct curl_slist *);
CURLM		*curlx_multi_init(void);
CURLMcode	 curlx_multi_setopt(CURLM *, CURLMoption, ...);
CURLMcode	 curlx_multi_add_handle(CURLM *, CURL *);
CURLMcode	 curlx_multi_remove_handle(CURLM *, CURL *);
CURLMcode	 curlx_multi_perform(CURLM *, int *);
CURLMcode	 curlx_multi_poll(CURLM *, struct curl_waitfd *, unsigned int,
		    int, int *);
CURLMsg		*curlx_multi_info_read(CURLM *, int *);
CURLMcode	 curlx_multi_cleanup(CURLM *);

#undef curl_easy_setopt		/* curl.h's own macros for these */
#undef curl_easy_getinfo
#undef curl_multi_setopt
#define curl_global_init	curlx_global_init
#define curl_global_cleanup	curlx_global_cleanup
#define curl_easy_init		curlx_easy_init
#define curl_easy_setopt	curlx_easy_setopt
#define curl_easy_getinfo	curlx_easy_getinfo
#define curl_easy_perform	curlx_easy_perform
#define curl_easy_cleanup	curlx_easy_cleanup
#define curl_easy_header	curlx_easy_header
#define curl_easy_strerror	curlx_easy_strerror
#define curl_slist_append	curlx_slist_append
#define curl_slist_free_all	curlx_slist_free_all
#define curl_multi_init		curlx_multi_init
#define curl_multi_setopt	curlx_multi_setopt
#define curl_multi_add_handle	curlx_multi_add_handle
#define curl_multi_remove_handle curlx_multi_remove_handle
#define curl_multi_perform	curlx_multi_perform
#define curl_multi_poll		curlx_multi_poll
#define curl_multi_info_read	curlx_multi_info_read
#define curl_multi_cleanup	curlx_multi_cleanup

#endif
