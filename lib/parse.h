/*
 * parse.h - checked parsers for numbers, sizes and durations.
 *
 * Every number husk reads from a user, a file or an image goes through
 * one of these instead of atoi()/strtol() (banned.h, STYLE.md rule 21).
 * They accept the whole string or nothing:
 *
 *  - no leading or trailing whitespace, no empty string;
 *  - decimal only; a sign only where it makes sense ('-' for the signed
 *    parser, none at all for the others);
 *  - a value outside the type or the given bounds is ERANGE, anything else
 *    that does not parse is EINVAL.
 *
 * On failure they return <0, leave *out alone and set *e to a message that
 * names the input: "invalid size '12q'", "invalid number '300': must be
 * between 0 and 255". e may be NULL for a plain yes/no answer.
 */
#ifndef HUSK_PARSE_H
#define HUSK_PARSE_H

#include <stdint.h>

#include "lib/err.h"

int parse_int64(const char *s, int64_t min, int64_t max, int64_t *out,
		struct err **e);
int parse_uint64(const char *s, uint64_t min, uint64_t max, uint64_t *out,
		 struct err **e);

/*
 * parse_size() - a byte count the way docker reads --memory and --shm-size
 * (go-units RAMInBytes): a number with an optional fraction and an optional
 * unit b, k, m, g, t or p (case-insensitive, powers of 1024), which may be
 * followed by "b" or "ib": "512", "512b", "10k", "512mb", "1.5g", "2GiB".
 * A fraction is truncated to whole bytes.
 */
int parse_size(const char *s, uint64_t *out, struct err **e);

/*
 * parse_duration() - a duration in nanoseconds, written as Go's
 * time.ParseDuration does: one or more <number>[.<fraction>]<unit> with the
 * units ns, us (or µs), ms, s, m, h: "10s", "500ms", "1m30s", "1.5s". A
 * bare number is seconds ("10" is 10s), as docker's --time and --stop-
 * timeout take it.
 */
int parse_duration(const char *s, uint64_t *out_ns, struct err **e);

#endif
