#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

char buf_empty[1];

void buf_init(struct buf *b, size_t hint)
{
	b->s = buf_empty;
	b->len = 0;
	b->alloc = 0;
	if (hint)
		buf_grow(b, hint);
}

void buf_release(struct buf *b)
{
	if (b->alloc)
		free(b->s);
	buf_init(b, 0);
}

void buf_releasep(struct buf *b)
{
	buf_release(b);
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *s;

	if (len)
		*len = b->len;
	s = b->alloc ? b->s : xstrdup("");
	buf_init(b, 0);
	return s;
}

void buf_grow(struct buf *b, size_t extra)
{
	size_t want = b->len + extra + 1;

	if (want < b->len)
		oom();
	if (want <= b->alloc)
		return;
	if (!b->alloc) {
		b->s = NULL;
	}
	b->alloc = b->alloc * 3 / 2 > want ? b->alloc * 3 / 2 : want;
	if (b->alloc < 64)
		b->alloc = 64;
	b->s = xrealloc(b->s, b->alloc);
	if (b->len == 0)
		b->s[0] = '\0';
}

void buf_setlen(struct buf *b, size_t len)
{
	if (len > (b->alloc ? b->alloc - 1 : 0))
		abort();
	b->len = len;
	if (b->alloc)
		b->s[len] = '\0';
}

void buf_reset(struct buf *b)
{
	if (b->alloc)
		buf_setlen(b, 0);
}

void buf_add(struct buf *b, const void *data, size_t n)
{
	if (!n)
		return;
	buf_grow(b, n);
	memcpy(b->s + b->len, data, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void buf_addstr(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addch(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(b->alloc ? b->s + b->len : NULL,
		      b->alloc ? b->alloc - b->len : 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		abort();
	if (!b->alloc || (size_t)n >= b->alloc - b->len) {
		buf_grow(b, (size_t)n);
		n = vsnprintf(b->s + b->len, b->alloc - b->len, fmt, ap);
		if (n < 0)
			abort();
	}
	b->len += (size_t)n;
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void buf_rtrim(struct buf *b)
{
	while (b->len > 0 && strchr(" \t\r\n", b->s[b->len - 1]))
		b->len--;
	if (b->alloc)
		b->s[b->len] = '\0';
}
