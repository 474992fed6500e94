/*
 * utf8.c - UTF-8 by Go's rules (lib/utf8.h).
 */
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/utf8.h"
#include "lib/banned.h"

/*
 * The lead byte says how many continuation bytes follow; the second byte's
 * range is narrower after E0 (no overlong), ED (no surrogates), F0 (no
 * overlong) and F4 (nothing above U+10FFFF), as in Go's utf8.acceptRanges.
 */
size_t utf8_decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *) str;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;

	*cp = UTF8_RUNE_ERROR;
	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 1;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 2;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 3;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < need + 1 || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i <= need; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	*cp = s[0] & (0x7f >> (need + 1));
	for (i = 1; i <= need; i++)
		*cp = *cp << 6 | (s[i] & 0x3f);
	return need + 1;
}

size_t utf8_next(const char *s, size_t n, uint32_t *cp)
{
	size_t k = utf8_decode(s, n, cp);

	return k ? k : 1;
}

size_t utf8_count(const char *s, size_t n)
{
	size_t count = 0, i = 0;
	uint32_t cp;

	while (i < n) {
		i += utf8_next(s + i, n - i, &cp);
		count++;
	}
	return count;
}

size_t utf8_prefix(const char *s, size_t n, size_t runes)
{
	size_t i = 0;
	uint32_t cp;

	while (i < n && runes-- > 0)
		i += utf8_next(s + i, n - i, &cp);
	return i;
}

void utf8_add(struct buf *b, uint32_t cp)
{
	char s[4];

	if (cp < 0x80) {
		buf_addch(b, (char) cp);
	} else if (cp < 0x800) {
		s[0] = (char) (0xc0 | cp >> 6);
		s[1] = (char) (0x80 | (cp & 0x3f));
		buf_add(b, s, 2);
	} else if (cp < 0x10000) {
		s[0] = (char) (0xe0 | cp >> 12);
		s[1] = (char) (0x80 | (cp >> 6 & 0x3f));
		s[2] = (char) (0x80 | (cp & 0x3f));
		buf_add(b, s, 3);
	} else {
		s[0] = (char) (0xf0 | cp >> 18);
		s[1] = (char) (0x80 | (cp >> 12 & 0x3f));
		s[2] = (char) (0x80 | (cp >> 6 & 0x3f));
		s[3] = (char) (0x80 | (cp & 0x3f));
		buf_add(b, s, 4);
	}
}
