/*
 * buf.h - a growable string buffer with git's strbuf invariants.
 *
 *  - b.s is never NULL and always NUL-terminated, also right after
 *    BUF_INIT / buf_init(), so it can be printed at any time;
 *  - b.len is the length without the NUL; b.alloc is 0 while b.s points at
 *    the shared empty string (nothing to free);
 *  - buf_release() frees and re-initialises; buf_detach() hands the string
 *    out (the caller frees it) and re-initialises.
 * The buffer may hold binary data (embedded NULs) when filled with buf_add().
 */
#ifndef HUSK_BUF_H
#define HUSK_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "lib/cleanup.h"

extern char buf_empty[];

struct buf {
	char *s;
	size_t len;
	size_t alloc;
};

#define BUF_INIT { .s = buf_empty, .len = 0, .alloc = 0 }

void buf_init(struct buf *b, size_t hint);
void buf_release(struct buf *b);
void buf_releasep(struct buf *b);
char *buf_detach(struct buf *b, size_t *len);
void buf_grow(struct buf *b, size_t extra);
void buf_reset(struct buf *b);
void buf_setlen(struct buf *b, size_t len);
void buf_add(struct buf *b, const void *data, size_t n);
void buf_addstr(struct buf *b, const char *s);
void buf_addch(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Removes trailing whitespace (spaces, tabs, newlines). */
void buf_rtrim(struct buf *b);

#define _cleanup_buf_ _cleanup_(buf_releasep)

#endif
