#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

static int err_ret(int errnum)
{
	return -(errnum > 0 ? errnum : 0) - 1;
}

/* Replaces *E with {ERRNUM, FMT...}, ": strerror" appended when asked. */
static int err_set(struct err **e, int errnum, bool with_strerror,
		   const char *fmt, va_list ap)
{
	struct buf b = BUF_INIT;

	if (!e)
		return err_ret(errnum);
	buf_vaddf(&b, fmt, ap);
	if (with_strerror && errnum > 0) {
		size_t at;

		buf_addstr(&b, ": ");
		at = b.len;
		buf_addstr(&b, strerror(errnum));
		b.s[at] = (char)tolower((unsigned char)b.s[at]);
	}
	err_free(*e);
	*e = xmalloc(sizeof(**e));
	(*e)->errnum = errnum;
	(*e)->msg = buf_detach(&b, NULL);
	return err_ret(errnum);
}

int err_make(struct err **e, int errnum, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = err_set(e, errnum, true, fmt, ap);
	va_end(ap);
	return r;
}

int err_cause(struct err **e, int errnum, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = err_set(e, errnum, false, fmt, ap);
	va_end(ap);
	return r;
}

int err_wrap(struct err **e, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	if (!e)
		return -1;
	if (!*e)
		err_make(e, 0, "unknown error");
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	buf_addf(&b, ": %s", (*e)->msg);
	free((*e)->msg);
	(*e)->msg = buf_detach(&b, NULL);
	return err_ret((*e)->errnum);
}

void err_free(struct err *e)
{
	if (!e)
		return;
	free(e->msg);
	free(e);
}

void err_freep(struct err **e)
{
	err_free(*e);
	*e = NULL;
}
