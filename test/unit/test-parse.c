/*
 * test-parse.c - the checked parsers take whole, well-formed input only.
 */
#include <errno.h>
#include <stdint.h>

#include "lib/parse.h"
#include "test/unit/tap.h"
#include "lib/banned.h"

#define NS UINT64_C(1000000000)

static void uint_ok(const char *s, uint64_t want)
{
	uint64_t v = 0;

	ok(parse_uint64(s, 0, UINT64_MAX, &v, NULL) == 0 && v == want,
	   "uint64 '%s' is %llu", s, (unsigned long long) want);
}

static void uint_bad(const char *s, int errnum)
{
	_cleanup_err_ struct err *e = NULL;
	uint64_t v = 7;

	ok(parse_uint64(s, 0, UINT64_MAX, &v, &e) < 0 && v == 7 && e &&
	       e->errnum == errnum,
	   "uint64 '%s' refused (%s)", s, e ? e->msg : "accepted");
}

static void test_uint(void)
{
	_cleanup_err_ struct err *e = NULL;
	uint64_t v;

	uint_ok("0", 0);
	uint_ok("42", 42);
	uint_ok("007", 7);
	uint_ok("18446744073709551615", UINT64_MAX);
	uint_bad("18446744073709551616", ERANGE);
	uint_bad("99999999999999999999999", ERANGE);
	uint_bad("", EINVAL);
	uint_bad("-1", EINVAL);
	uint_bad("+1", EINVAL);
	uint_bad(" 1", EINVAL);
	uint_bad("1 ", EINVAL);
	uint_bad("0x10", EINVAL);
	uint_bad("1e3", EINVAL);
	ok(parse_uint64("300", 0, 255, &v, &e) < 0 && e->errnum == ERANGE,
	   "uint64 bounds are enforced");
	is_str(e ? e->msg : NULL,
	       "invalid number '300': must be between 0 and 255",
	       "range error names the input and the bounds");
	ok(parse_uint64("0", 1, 10, &v, NULL) < 0, "uint64 min is enforced");
}

static void int_case(const char *s, int64_t min, int64_t max, int64_t want,
		     int errnum)
{
	_cleanup_err_ struct err *e = NULL;
	int64_t v = 7;
	int r = parse_int64(s, min, max, &v, &e);

	if (!errnum)
		ok(r == 0 && v == want, "int64 '%s' is %lld", s,
		   (long long) want);
	else
		ok(r < 0 && v == 7 && e && e->errnum == errnum,
		   "int64 '%s' refused (%s)", s, e ? e->msg : "accepted");
}

static void test_int(void)
{
	int_case("-42", INT64_MIN, INT64_MAX, -42, 0);
	int_case("-0", INT64_MIN, INT64_MAX, 0, 0);
	int_case("9223372036854775807", INT64_MIN, INT64_MAX, INT64_MAX, 0);
	int_case("-9223372036854775808", INT64_MIN, INT64_MAX, INT64_MIN, 0);
	int_case("9223372036854775808", INT64_MIN, INT64_MAX, 0, ERANGE);
	int_case("-9223372036854775809", INT64_MIN, INT64_MAX, 0, ERANGE);
	int_case("-5", 0, 10, 0, ERANGE);
	int_case("-", INT64_MIN, INT64_MAX, 0, EINVAL);
	int_case("--1", INT64_MIN, INT64_MAX, 0, EINVAL);
	int_case("+1", INT64_MIN, INT64_MAX, 0, EINVAL);
	int_case("", INT64_MIN, INT64_MAX, 0, EINVAL);
	int_case("1a", INT64_MIN, INT64_MAX, 0, EINVAL);
}

static void size_case(const char *s, uint64_t want, int errnum)
{
	_cleanup_err_ struct err *e = NULL;
	uint64_t v = 7;
	int r = parse_size(s, &v, &e);

	if (!errnum)
		ok(r == 0 && v == want, "size '%s' is %llu (got %llu)", s,
		   (unsigned long long) want, (unsigned long long) v);
	else
		ok(r < 0 && v == 7 && e && e->errnum == errnum,
		   "size '%s' refused (%s)", s, e ? e->msg : "accepted");
}

static void test_size(void)
{
	_cleanup_err_ struct err *e = NULL;
	uint64_t v;

	size_case("512", 512, 0);
	size_case("512b", 512, 0);
	size_case("512B", 512, 0);
	size_case("10k", 10240, 0);
	size_case("10K", 10240, 0);
	size_case("512m", UINT64_C(512) << 20, 0);
	size_case("512mb", UINT64_C(512) << 20, 0);
	size_case("512MiB", UINT64_C(512) << 20, 0);
	size_case("1g", UINT64_C(1) << 30, 0);
	size_case("1.5g", UINT64_C(3) << 29, 0);
	size_case("0.5k", 512, 0);
	size_case("1.0001k", 1024, 0);
	size_case("2t", UINT64_C(2) << 40, 0);
	size_case("15p", UINT64_C(15) << 50, 0);
	size_case("0", 0, 0);
	size_case("16383p", UINT64_C(16383) << 50, 0);
	size_case("16384p", 0, ERANGE);
	size_case("99999999999999999999", 0, ERANGE);
	size_case("12q", 0, EINVAL);
	size_case("", 0, EINVAL);
	size_case("-1", 0, EINVAL);
	size_case("1.", 0, EINVAL);
	size_case(".5g", 0, EINVAL);
	size_case("1.5.5g", 0, EINVAL);
	size_case("1 g", 0, EINVAL);
	size_case(" 1g", 0, EINVAL);
	size_case("1gg", 0, EINVAL);
	size_case("1bb", 0, EINVAL);
	size_case("1ib", 0, EINVAL);
	size_case("g", 0, EINVAL);
	parse_size("12q", &v, &e);
	is_str(e ? e->msg : NULL, "invalid size '12q'",
	       "size error names the input");
}

static void dur_case(const char *s, uint64_t want, int errnum)
{
	_cleanup_err_ struct err *e = NULL;
	uint64_t v = 7;
	int r = parse_duration(s, &v, &e);

	if (!errnum)
		ok(r == 0 && v == want, "duration '%s' is %lluns (got %llu)", s,
		   (unsigned long long) want, (unsigned long long) v);
	else
		ok(r < 0 && v == 7 && e && e->errnum == errnum,
		   "duration '%s' refused (%s)", s, e ? e->msg : "accepted");
}

static void test_duration(void)
{
	dur_case("10s", 10 * NS, 0);
	dur_case("500ms", 500 * 1000000ULL, 0);
	dur_case("1m30s", 90 * NS, 0);
	dur_case("2h", 7200 * NS, 0);
	dur_case("1.5s", 1500 * 1000000ULL, 0);
	dur_case("1h2m3s4ms5us6ns", 3723 * NS + 4005006, 0);
	dur_case("10", 10 * NS, 0);
	dur_case("0", 0, 0);
	dur_case("2.5", 2500 * 1000000ULL, 0);
	dur_case("3\xc2\xb5s", 3000, 0);
	dur_case("1m30", 0, EINVAL);
	dur_case("", 0, EINVAL);
	dur_case("-1s", 0, EINVAL);
	dur_case("1x", 0, EINVAL);
	dur_case("s", 0, EINVAL);
	dur_case("1 s", 0, EINVAL);
	dur_case("1.s", 0, EINVAL);
	dur_case("1S", 0, EINVAL);
	dur_case("5124096h", 0, ERANGE);
	dur_case("18446744073s", 18446744073 * NS, 0);
	dur_case("18446744074s", 0, ERANGE);
	dur_case("5000000h5000000h", 0, ERANGE);
}

int main(void)
{
	test_uint();
	test_int();
	test_size();
	test_duration();
	return tap_done();
}
