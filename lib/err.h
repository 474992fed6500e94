/*
 * err.h - the error type every fallible function reports through.
 *
 * Contract (STYLE.md rules 5-7):
 *  - A fallible function is written `int f(..., struct err **e)`. On success
 *    it returns >= 0 and leaves *e alone. On failure it returns < 0 and sets
 *    *e to a heap error that the caller owns.
 *  - err_make() builds the error and always returns a negative value
 *    (-errnum - 1, as crun does), so `return err_make(e, errno, ...)` is the
 *    idiom. When errnum is not 0, ": <strerror, lowercased>" is appended.
 *  - err_wrap() adds context in front of an existing error at a subsystem
 *    boundary: "cannot pull 'x': " + old message. It returns the same kind
 *    of negative value, so `return err_wrap(e, ...)` works too.
 *  - Messages are lowercase, without a full stop, the subject in single
 *    quotes. Only main.c prints them.
 *  - e may be NULL: the error is then dropped (for best-effort calls).
 */
#ifndef HUSK_ERR_H
#define HUSK_ERR_H

#include "lib/cleanup.h"

struct err {
	int errnum;	/* errno-style cause, 0 when none */
	char *msg;	/* full message, never NULL */
};

int err_make(struct err **e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* err_make() whose cause is said in the message itself: ERRNUM is kept
 * for callers to test, but no strerror text is appended. */
int err_cause(struct err **e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int err_wrap(struct err **e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void err_free(struct err *e);
void err_freep(struct err **e);

#define _cleanup_err_ _cleanup_(err_freep)

#endif
