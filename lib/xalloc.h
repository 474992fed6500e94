/*
 * xalloc.h - allocation that cannot fail.
 *
 * Out of memory is not an error husk reports through struct err: these
 * abort with a message on stderr (crun's OOM()). Everything they return is
 * owned by the caller and released with free().
 */
#ifndef HUSK_XALLOC_H
#define HUSK_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void oom(void) __attribute__((noreturn));

#endif
