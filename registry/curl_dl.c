/* libcurl's functions husk uses, resolved on first call (lib/dl.h). */
#include <stdarg.h>

#include "lib/dl.h"
#include "registry/curl_dl.h"
#include "lib/banned.h"

#undef curl_easy_setopt
#undef curl_easy_getinfo

#define L HUSK_SONAME_CURL
DL_FUNC(L, CURL *, curl_easy_init, (void), ())
DL_FUNC(L, void, curl_easy_cleanup, (CURL *h), (h))
DL_FUNC(L, void, curl_easy_reset, (CURL *h), (h))
DL_FUNC(L, CURLcode, curl_easy_perform, (CURL *h), (h))
DL_FUNC(L, const char *, curl_easy_strerror, (CURLcode c), (c))
DL_FUNC(L, char *, curl_easy_escape, (CURL *h, const char *s, int n),
	(h, s, n))
DL_FUNC(L, void, curl_free, (void *p), (p))
DL_FUNC(L, struct curl_slist *, curl_slist_append,
	(struct curl_slist *l, const char *s), (l, s))
DL_FUNC(L, void, curl_slist_free_all, (struct curl_slist *l), (l))
DL_FUNC(L, CURLcode, curl_global_init, (long flags), (flags))
DL_FUNC(L, curl_version_info_data *, curl_version_info, (CURLversion v), (v))

/*
 * The variadic two: every value curl_easy_setopt/getinfo take (long,
 * pointer, curl_off_t) is one 64-bit integer-class argument on LP64, so
 * passing it on as a pointer-sized value is exact.
 */
static CURLcode (*setopt_fn)(CURL *, CURLoption, ...);
static CURLcode (*getinfo_fn)(CURL *, CURLINFO, ...);

CURLcode husk_curl_easy_setopt(CURL *h, CURLoption o, ...)
{
	CURLcode (*f)(CURL *, CURLoption, ...) =
		__atomic_load_n(&setopt_fn, __ATOMIC_ACQUIRE);
	va_list ap;
	void *v;

	_Static_assert(sizeof(void *) == sizeof(curl_off_t), "LP64 only");
	if (!f) {
		f = (CURLcode(*)(CURL *, CURLoption, ...))dl_resolve(L, "curl_easy_setopt");
		__atomic_store_n(&setopt_fn, f, __ATOMIC_RELEASE);
	}
	va_start(ap, o);
	v = va_arg(ap, void *);
	va_end(ap);
	return f(h, o, v);
}

CURLcode husk_curl_easy_getinfo(CURL *h, CURLINFO i, ...)
{
	CURLcode (*f)(CURL *, CURLINFO, ...) =
		__atomic_load_n(&getinfo_fn, __ATOMIC_ACQUIRE);
	va_list ap;
	void *v;

	if (!f) {
		f = (CURLcode(*)(CURL *, CURLINFO, ...))dl_resolve(L, "curl_easy_getinfo");
		__atomic_store_n(&getinfo_fn, f, __ATOMIC_RELEASE);
	}
	va_start(ap, i);
	v = va_arg(ap, void *);
	va_end(ap);
	return f(h, i, v);
}
