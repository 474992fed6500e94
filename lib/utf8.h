/*
 * utf8.h - UTF-8 decoding and encoding by Go's rules, for the code that
 * must measure or cut text the way docker does (lib/tabwriter.c,
 * lib/template*.c).
 *
 * Contract:
 *  - Valid UTF-8 is Go's: the shortest form only, no surrogates
 *    (U+D800..U+DFFF), nothing above U+10FFFF.
 *  - Lengths are byte counts; strings need not be NUL-terminated and may
 *    hold NULs. Nothing here allocates, except utf8_add() through buf.
 *  - utf8_decode() reports an invalid sequence as 0, for callers that
 *    treat it specially (strconv.Quote's \x escapes); utf8_next() steps
 *    over it as one byte decoding to U+FFFD, as Go's utf8.DecodeRune and
 *    `range` over a string do.
 */
#ifndef HUSK_UTF8_H
#define HUSK_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

#define UTF8_RUNE_ERROR 0xfffdu /* U+FFFD, Go's utf8.RuneError */

/* The length of the valid sequence at @s, or 0 when there is none (@n is
 * 0, the byte is invalid, or the sequence is cut short). *cp is its code
 * point, or U+FFFD when the result is 0. */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);

/* Like utf8_decode(), but an invalid byte is a rune of length 1 decoding
 * to U+FFFD. Returns 1 for @n 0 too, so a loop `i < n` always advances. */
size_t utf8_next(const char *s, size_t n, uint32_t *cp);

/* The number of runes in @s, an invalid byte counting as one
 * (utf8.RuneCount). */
size_t utf8_count(const char *s, size_t n);

/* The byte length of the first @runes runes of @s, all of it when it has
 * fewer. */
size_t utf8_prefix(const char *s, size_t n, size_t runes);

/* Appends the UTF-8 encoding of @cp, which must be at most U+10FFFF;
 * a surrogate is encoded as is (callers do not pass one). */
void utf8_add(struct buf *b, uint32_t cp);

#endif
