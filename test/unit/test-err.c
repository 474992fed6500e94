/*
 * test-err.c - struct err: messages, wrapping, return values, NULL e.
 */
#include <errno.h>
#include <string.h>

#include "lib/err.h"
#include "test/unit/tap.h"
#include "lib/banned.h"

static int fails_with(int errnum, struct err **e)
{
	return err_make(e, errnum, "cannot open '%s'", "x");
}

static void test_make(void)
{
	_cleanup_err_ struct err *e = NULL;
	int r = err_make(&e, ENOENT, "cannot open '%s'", "/etc/x");

	ok(r < 0, "err_make returns a negative value");
	is_int(r, -ENOENT - 1, "err_make returns -errnum - 1");
	ok(e != NULL, "err_make sets *e");
	is_int(e->errnum, ENOENT, "errnum is kept");
	is_str(e->msg, "cannot open '/etc/x': no such file or directory",
	       "strerror is appended, lowercased");
}

static void test_no_errnum(void)
{
	_cleanup_err_ struct err *e = NULL;
	int r = err_make(&e, 0, "invalid name '%s'", "A");

	ok(r < 0, "err_make with errnum 0 is still negative");
	is_int(e->errnum, 0, "errnum 0 kept");
	is_str(e->msg, "invalid name 'A'", "no cause appended for errnum 0");
}

static void test_wrap(void)
{
	_cleanup_err_ struct err *e = NULL;
	int r;

	fails_with(EACCES, &e);
	r = err_wrap(&e, "cannot pull '%s'", "img");
	ok(r < 0, "err_wrap returns a negative value");
	is_int(r, -EACCES - 1, "err_wrap keeps the errnum in the return");
	is_int(e->errnum, EACCES, "err_wrap keeps errnum");
	is_str(e->msg, "cannot pull 'img': cannot open 'x': permission denied",
	       "err_wrap puts context in front");
	err_wrap(&e, "outer");
	is_str(e->msg,
	       "outer: cannot pull 'img': cannot open 'x': permission denied",
	       "wraps nest");
}

static void test_replace_and_null(void)
{
	_cleanup_err_ struct err *e = NULL;
	struct err *none = NULL;

	fails_with(EPERM, &e);
	fails_with(EEXIST, &e);
	is_int(e->errnum, EEXIST, "a second err_make replaces the first");
	ok(fails_with(EIO, NULL) < 0, "err_make with NULL e still fails");
	ok(err_wrap(NULL, "ctx") < 0, "err_wrap with NULL e is negative");
	ok(err_wrap(&none, "ctx") < 0, "err_wrap without an error is negative");
	is_str(none ? none->msg : NULL, "ctx: unknown error",
	       "err_wrap without an error still says something");
	err_free(none);
	err_free(NULL);
	ok(true, "err_free(NULL) is harmless");
}

int main(void)
{
	test_make();
	test_no_errnum();
	test_wrap();
	test_replace_and_null();
	return tap_done();
}
