/*
 * test-utf8.c - lib/utf8.h decodes by Go's rules (unicode/utf8's tests):
 * shortest form only, no surrogates, nothing above U+10FFFF, and an
 * invalid byte steps over as one U+FFFD.
 */
#include <stdint.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/utf8.h"
#include "test/unit/tap.h"
#include "lib/banned.h"

static const struct {
	const char *s;
	size_t n;
	uint32_t cp;
	size_t len;
} valid[] = {
    {"a", 1, 'a', 1},
    {"", 1, 0, 1}, /* the NUL that ends the literal */
    {"\x7f", 1, 0x7f, 1},
    {"\xc2\x80", 2, 0x80, 2},
    {"\xc3\xa9z", 3, 0xe9, 2},
    {"\xdf\xbf", 2, 0x7ff, 2},
    {"\xe0\xa0\x80", 3, 0x800, 3},
    {"\xe2\x80\xa6", 3, 0x2026, 3},
    {"\xed\x9f\xbf", 3, 0xd7ff, 3},
    {"\xee\x80\x80", 3, 0xe000, 3},
    {"\xef\xbf\xbd", 3, 0xfffd, 3},
    {"\xef\xbf\xbf", 3, 0xffff, 3},
    {"\xf0\x90\x80\x80", 4, 0x10000, 4},
    {"\xf0\x9f\x98\x80", 4, 0x1f600, 4},
    {"\xf4\x8f\xbf\xbf", 4, 0x10ffff, 4},
};

static const struct {
	const char *s;
	size_t n;
	const char *name;
} invalid[] = {
    {"", 0, "empty input"},
    {"\x80", 1, "a lone continuation byte"},
    {"\xbf", 1, "another continuation byte"},
    {"\xc0\x80", 2, "overlong NUL (C0 80)"},
    {"\xc1\xbf", 2, "overlong C1"},
    {"\xe0\x80\x80", 3, "overlong 3-byte NUL"},
    {"\xe0\x9f\xbf", 3, "overlong U+07FF"},
    {"\xf0\x80\x80\x80", 4, "overlong 4-byte NUL"},
    {"\xf0\x8f\xbf\xbf", 4, "overlong U+FFFF"},
    {"\xed\xa0\x80", 3, "surrogate U+D800"},
    {"\xed\xbf\xbf", 3, "surrogate U+DFFF"},
    {"\xf4\x90\x80\x80", 4, "U+110000"},
    {"\xf5\x80\x80\x80", 4, "lead byte F5"},
    {"\xff", 1, "byte FF"},
    {"\xc3", 1, "2-byte sequence cut short"},
    {"\xe2\x80", 2, "3-byte sequence cut short"},
    {"\xf0\x9f\x98", 3, "4-byte sequence cut short"},
    {"\xe2\x80\xa6", 2, "n cuts a sequence that the bytes hold"},
    {"\xe2\x28\xa1", 3, "bad second byte"},
    {"\xe2\x82\x28", 3, "bad third byte"},
    {"\xf0\x9f\x98\x28", 4, "bad fourth byte"},
    {"\xc3\xc3\xa9", 3, "lead byte where a continuation belongs"},
};

static void test_decode(void)
{
	size_t i, k;
	uint32_t cp;

	for (i = 0; i < ARRAY_SIZE(valid); i++) {
		cp = 0;
		k = utf8_decode(valid[i].s, valid[i].n, &cp);
		ok(k == valid[i].len && cp == valid[i].cp,
		   "U+%04X is %zu bytes (got %zu, U+%04X)",
		   (unsigned) valid[i].cp, valid[i].len, k, (unsigned) cp);
	}
	for (i = 0; i < ARRAY_SIZE(invalid); i++) {
		cp = 0;
		k = utf8_decode(invalid[i].s, invalid[i].n, &cp);
		ok(k == 0 && cp == UTF8_RUNE_ERROR, "%s: no rune",
		   invalid[i].name);
		cp = 0;
		k = utf8_next(invalid[i].s, invalid[i].n, &cp);
		ok(k == 1 && cp == UTF8_RUNE_ERROR,
		   "%s: one byte of U+FFFD for utf8_next", invalid[i].name);
	}
}

static void test_count_prefix(void)
{
	static const char s[] = "a\xc3\xa9\xe2\x80\xa6\xf0\x9f\x98\x80\xff";
	size_t n = sizeof(s) - 1;
	uint32_t cp;

	is_int(utf8_count("", 0), 0, "no runes in nothing");
	is_int(utf8_count(s, n), 5, "1 + 2 + 3 + 4 bytes and an invalid one");
	is_int(utf8_count("\xe2\x80", 2), 2,
	       "a cut sequence is one rune per byte");
	is_int(utf8_prefix(s, n, 0), 0, "prefix of 0 runes");
	is_int(utf8_prefix(s, n, 1), 1, "prefix of 1 rune");
	is_int(utf8_prefix(s, n, 2), 3, "prefix of 2 runes");
	is_int(utf8_prefix(s, n, 4), 10, "prefix of 4 runes");
	is_int(utf8_prefix(s, n, 5), n, "prefix of all runes");
	is_int(utf8_prefix(s, n, 100), n, "prefix longer than the string");
	is_int(utf8_prefix(s, 2, 2), 2, "a prefix stops at n, not mid-rune");
	ok(utf8_next("", 0, &cp) == 1 && cp == UTF8_RUNE_ERROR,
	   "utf8_next advances on empty input");
}

static void test_add(void)
{
	static const struct {
		uint32_t cp;
		size_t len;
	} enc[] = {
	    {0, 1},	 {0x7f, 1},    {0x80, 2},    {0x7ff, 2},
	    {0x800, 3},	 {0xd7ff, 3},  {0xe000, 3},  {0xfffd, 3},
	    {0xffff, 3}, {0x10000, 4}, {0x1f600, 4}, {0x10ffff, 4},
	};
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(enc); i++) {
		uint32_t cp = 0;
		size_t k;

		buf_reset(&b);
		utf8_add(&b, enc[i].cp);
		k = utf8_decode(b.s, b.len, &cp);
		ok(b.len == enc[i].len && k == b.len && cp == enc[i].cp,
		   "U+%04X encodes in %zu bytes and decodes back",
		   (unsigned) enc[i].cp, enc[i].len);
	}
	buf_reset(&b);
	utf8_add(&b, 0xe9);
	utf8_add(&b, 'x');
	is_str(b.s, "\xc3\xa9x", "utf8_add appends");
	buf_release(&b);
}

int main(void)
{
	test_decode();
	test_count_prefix();
	test_add();
	return tap_done();
}
