/*
 * tap.h - a tiny TAP producer for the C unit tests (crun's tests, git's t/).
 *
 *	ok(cond, "fmt", ...);		"ok N - desc" or "not ok N - desc"
 *	is_int(got, want, "desc");	ok() plus "# got/want" lines on failure
 *	is_str(got, want, "desc");	the same for strings; NULL-safe
 *	tap_skip("reason");		"ok N - skipped # SKIP reason"
 *	tap_diag("fmt", ...);		"# ..." diagnostics
 *	tap_skip_all("reason");		"1..0 # SKIP reason", exits 77
 *	return tap_done();		prints the plan "1..N"; 0 if all passed
 *
 * The plan comes last so tests need not count. Output is flushed after
 * every line so that a fork()ed child does not print it twice. Everything
 * here is static: each test program includes it once.
 */
#ifndef HUSK_TAP_H
#define HUSK_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count;
static int tap_failed;

static inline void tap_vdiag(const char *fmt, va_list ap)
{
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
}

static inline __attribute__((format(printf, 1, 2))) void
tap_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vdiag(fmt, ap);
	va_end(ap);
}

static inline __attribute__((format(printf, 2, 3))) bool
ok(bool pass, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!pass)
		tap_failed++;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return pass;
}

static inline bool tap_is_int(long long got, long long want, const char *name)
{
	if (ok(got == want, "%s", name))
		return true;
	tap_diag("  got:  %lld", got);
	tap_diag("  want: %lld", want);
	return false;
}

static inline bool tap_is_str(const char *got, const char *want,
			      const char *name)
{
	bool same = got && want ? strcmp(got, want) == 0 : got == want;

	if (ok(same, "%s", name))
		return true;
	tap_diag("  got:  %s%s%s", got ? "'" : "", got ? got : "NULL",
		 got ? "'" : "");
	tap_diag("  want: %s%s%s", want ? "'" : "", want ? want : "NULL",
		 want ? "'" : "");
	return false;
}

#define is_int(got, want, name)                                                \
	tap_is_int((long long) (got), (long long) (want), (name))
#define is_str(got, want, name) tap_is_str((got), (want), (name))

static inline __attribute__((format(printf, 1, 2))) void
tap_skip(const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("ok %d - skipped # SKIP ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline __attribute__((noreturn)) void tap_skip_all(const char *reason)
{
	printf("1..0 # SKIP %s\n", reason);
	fflush(stdout);
	exit(77);
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	if (tap_failed)
		printf("# failed %d of %d\n", tap_failed, tap_count);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

#endif
