/*
 * parse.c - checked number, size and duration parsers; contract in parse.h.
 *
 * No strtol() family here: it skips leading whitespace, accepts signs
 * (strtoull("-1") is UINT64_MAX) and hex with base 0, all of which the
 * contract refuses, so digits are read by hand with overflow checks.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lib/parse.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define NSEC_PER_SEC UINT64_C(1000000000)

static int fail(struct err **e, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* err_make() with our own cause: "invalid size '12q'" needs no strerror. */
static int fail(struct err **e, int errnum, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		oom();
	va_end(ap);
	(void) err_make(e, 0, "%s", msg);
	if (e)
		(*e)->errnum = errnum;
	return -errnum - 1;
}

/* Reads digits at *p; returns how many, or -ERANGE past UINT64_MAX. */
static int scan_digits(const char **p, uint64_t *v)
{
	const char *start = *p, *s = *p;
	uint64_t acc = 0;

	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned) (*s - '0');

		if (acc > (UINT64_MAX - d) / 10)
			return -ERANGE;
		acc = acc * 10 + d;
	}
	*v = acc;
	*p = s;
	return s != start;
}

int parse_uint64(const char *s, uint64_t min, uint64_t max, uint64_t *out,
		 struct err **e)
{
	const char *p = s;
	uint64_t v = 0;
	int r = scan_digits(&p, &v);

	if (r == -ERANGE)
		return fail(e, ERANGE, "invalid number '%s': out of range", s);
	if (p == s || *p)
		return fail(e, EINVAL, "invalid number '%s'", s);
	if (v < min || v > max)
		return fail(e, ERANGE,
			    "invalid number '%s': must be between %" PRIu64
			    " and %" PRIu64,
			    s, min, max);
	*out = v;
	return 0;
}

int parse_int64(const char *s, int64_t min, int64_t max, int64_t *out,
		struct err **e)
{
	const char *p = s + (*s == '-');
	const uint64_t limit = (uint64_t) INT64_MAX + (*s == '-');
	const char *digits = p;
	uint64_t v = 0;
	int64_t x;

	if (scan_digits(&p, &v) < 0 || v > limit)
		return fail(e, ERANGE, "invalid number '%s': out of range", s);
	if (p == digits || *p)
		return fail(e, EINVAL, "invalid number '%s'", s);
	/* -(v - 1) - 1 reaches INT64_MIN without overflowing on the way. */
	x = *s == '-' && v ? -(int64_t) (v - 1) - 1 : (int64_t) v;
	if (x < min || x > max)
		return fail(e, ERANGE,
			    "invalid number '%s': must be between %" PRId64
			    " and %" PRId64,
			    s, min, max);
	*out = x;
	return 0;
}

/* A decimal with an optional fraction: "1", "1.5"; not "1.", ".5". */
struct num {
	uint64_t ip;
	const char *frac;
	size_t nfrac;
};

/* Returns 0, -EINVAL or -ERANGE. */
static int scan_num(const char **p, struct num *n)
{
	const char *start = *p;
	int r = scan_digits(p, &n->ip);

	if (r < 0)
		return r;
	if (*p == start)
		return -EINVAL;
	n->frac = NULL;
	n->nfrac = 0;
	if (**p != '.')
		return 0;
	n->frac = *p + 1;
	n->nfrac = strspn(n->frac, "0123456789");
	*p = n->frac + n->nfrac;
	return n->nfrac ? 0 : -EINVAL;
}

/*
 * n * mult with the fraction truncated. Folding the fraction digits from
 * the last one, f = (d * mult + f) / 10, floors exactly at every step (no
 * floating point, no 128-bit), and d * mult + f stays far below 2^64 for
 * the largest unit, 2^50.
 */
static int num_scale(const struct num *n, uint64_t mult, uint64_t *out)
{
	uint64_t f = 0;
	size_t i;

	for (i = n->nfrac; i-- > 0;)
		f = ((uint64_t) (n->frac[i] - '0') * mult + f) / 10;
	if (n->ip > (UINT64_MAX - f) / mult)
		return -ERANGE;
	*out = n->ip * mult + f;
	return 0;
}

/* go-units: [bkmgtp] then an optional "i" (not after b) and "b". */
static int size_unit(const char *p, uint64_t *mult)
{
	static const char units[] = "bkmgtp";
	const char *u;

	*mult = 1;
	if (!*p)
		return 0;
	u = strchr(units, tolower((unsigned char) *p++));
	if (!u)
		return -EINVAL;
	*mult = UINT64_C(1) << (10 * (u - units));
	if (u != units && tolower((unsigned char) *p) == 'i')
		p++;
	if (u != units && tolower((unsigned char) *p) == 'b')
		p++;
	return *p ? -EINVAL : 0;
}

int parse_size(const char *s, uint64_t *out, struct err **e)
{
	const char *p = s;
	struct num n;
	uint64_t mult = 1, v = 0;
	int r;

	r = scan_num(&p, &n);
	if (r == 0)
		r = size_unit(p, &mult);
	if (r == 0)
		r = num_scale(&n, mult, &v);
	if (r == -ERANGE)
		return fail(e, ERANGE, "invalid size '%s': too large", s);
	if (r < 0)
		return fail(e, EINVAL, "invalid size '%s'", s);
	*out = v;
	return 0;
}

static const struct {
	const char *name;
	uint64_t ns;
} dur_units[] = {
    /* "ms" before "m" and "s", or "1ms" would read as minutes. */
    {"ns", 1},
    {"us", 1000},
    {"\xc2\xb5s", 1000}, /* U+00B5 micro sign, as Go accepts */
    {"\xce\xbcs", 1000}, /* U+03BC Greek small mu */
    {"ms", 1000 * 1000},
    {"s", NSEC_PER_SEC},
    {"m", 60 * NSEC_PER_SEC},
    {"h", 3600 * NSEC_PER_SEC},
};

/* Reads a unit at *p; returns its nanoseconds, 0 when there is none. */
static uint64_t dur_unit(const char **p)
{
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(dur_units); i++) {
		n = strlen(dur_units[i].name);
		if (strncmp(*p, dur_units[i].name, n) == 0) {
			*p += n;
			return dur_units[i].ns;
		}
	}
	return 0;
}

/* Sums <number><unit> parts; a lone number is seconds. */
static int scan_duration(const char *p, uint64_t *out)
{
	uint64_t total = 0, v, unit;
	const char *start = p;
	struct num n;
	int r;

	do {
		bool first = p == start;

		r = scan_num(&p, &n);
		if (r < 0)
			return r;
		unit = dur_unit(&p);
		if (!unit && (!first || *p))
			return -EINVAL;
		r = num_scale(&n, unit ? unit : NSEC_PER_SEC, &v);
		if (r < 0 || v > UINT64_MAX - total)
			return -ERANGE;
		total += v;
	} while (*p);
	*out = total;
	return 0;
}

int parse_duration(const char *s, uint64_t *out_ns, struct err **e)
{
	int r = scan_duration(s, out_ns);

	if (r == -ERANGE)
		return fail(e, ERANGE, "invalid duration '%s': too large", s);
	if (r < 0)
		return fail(e, EINVAL, "invalid duration '%s'", s);
	return 0;
}
