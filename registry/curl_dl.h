/*
 * curl_dl.h - libcurl, loaded on first use (lib/dl.h says why). Include
 * this instead of <curl/curl.h>; the code then calls libcurl's names.
 */
#ifndef HUSK_CURL_DL_H
#define HUSK_CURL_DL_H

/* the type-checking macros would hide the functions we wrap */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#ifndef HUSK_SONAME_CURL
#define HUSK_SONAME_CURL "libcurl.so.4"
#endif

CURL *husk_curl_easy_init(void);
void husk_curl_easy_cleanup(CURL *h);
void husk_curl_easy_reset(CURL *h);
CURLcode husk_curl_easy_perform(CURL *h);
CURLcode husk_curl_easy_setopt(CURL *h, CURLoption o, ...);
CURLcode husk_curl_easy_getinfo(CURL *h, CURLINFO i, ...);
const char *husk_curl_easy_strerror(CURLcode c);
char *husk_curl_easy_escape(CURL *h, const char *s, int n);
void husk_curl_free(void *p);
struct curl_slist *husk_curl_slist_append(struct curl_slist *l, const char *s);
void husk_curl_slist_free_all(struct curl_slist *l);
CURLcode husk_curl_global_init(long flags);
curl_version_info_data *husk_curl_version_info(CURLversion v);

#define curl_easy_init husk_curl_easy_init
#define curl_easy_cleanup husk_curl_easy_cleanup
#define curl_easy_reset husk_curl_easy_reset
#define curl_easy_perform husk_curl_easy_perform
/* curl.h makes these two macros that check the argument count */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_easy_setopt husk_curl_easy_setopt
#define curl_easy_getinfo husk_curl_easy_getinfo
#define curl_easy_strerror husk_curl_easy_strerror
#define curl_easy_escape husk_curl_easy_escape
#define curl_free husk_curl_free
#define curl_slist_append husk_curl_slist_append
#define curl_slist_free_all husk_curl_slist_free_all
#define curl_global_init husk_curl_global_init
#define curl_version_info husk_curl_version_info

#endif
