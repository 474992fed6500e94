/*
 * test-buf.c - struct buf keeps strbuf's invariants.
 */
#include <string.h>

#include "lib/buf.h"
#include "test/unit/tap.h"
#include "lib/banned.h"

static void test_init(void)
{
	struct buf b = BUF_INIT;
	struct buf c;

	ok(b.s != NULL && b.s[0] == '\0' && b.len == 0,
	   "BUF_INIT is an empty string, not NULL");
	buf_init(&c, 100);
	ok(c.s != NULL && c.s[0] == '\0' && c.alloc > 100,
	   "buf_init with a hint allocates and stays empty");
	buf_release(&c);
	ok(c.s != NULL && c.len == 0 && c.alloc == 0,
	   "buf_release re-initialises");
	buf_release(&c);
	ok(true, "buf_release twice is harmless");
	buf_reset(&b);
	ok(b.s[0] == '\0', "buf_reset on an empty buffer");
}

static void test_growth(void)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	bool terminated = true;
	int i;

	for (i = 0; i < 10000; i++) {
		buf_addf(&b, "%d,", i % 10);
		if (b.s[b.len] != '\0')
			terminated = false;
	}
	is_int(b.len, 20000, "10k buf_addf appends add up");
	ok(terminated, "NUL-terminated after every append");
	ok(b.alloc > b.len, "alloc covers len and the NUL");
	ok(memcmp(b.s + 19990, "5,6,7,8,9,", 10) == 0, "content is kept");
	buf_addf(&b, "%s", "");
	is_int(b.len, 20000, "empty buf_addf adds nothing");
}

static void test_detach(void)
{
	struct buf b = BUF_INIT;
	size_t len = 99;
	char *s;

	s = buf_detach(&b, &len);
	ok(s && s[0] == '\0' && len == 0,
	   "buf_detach of an empty buffer gives a heap \"\"");
	free(s);
	buf_addstr(&b, "hello");
	s = buf_detach(&b, &len);
	is_str(s, "hello", "buf_detach hands the string out");
	is_int(len, 5, "buf_detach reports the length");
	ok(b.s != NULL && b.len == 0 && b.alloc == 0,
	   "the buffer is empty again after buf_detach");
	free(s);
}

static void test_binary_and_trim(void)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	static const char bin[] = {'a', '\0', 'b', '\0'};

	buf_add(&b, bin, sizeof(bin));
	is_int(b.len, 4, "buf_add keeps embedded NULs");
	ok(memcmp(b.s, bin, 4) == 0 && b.s[4] == '\0',
	   "binary content intact and terminated");
	buf_reset(&b);
	buf_addstr(&b, "  x y \t\r\n \n");
	buf_rtrim(&b);
	is_str(b.s, "  x y", "buf_rtrim strips trailing whitespace only");
	buf_reset(&b);
	buf_addstr(&b, " \n");
	buf_rtrim(&b);
	is_str(b.s, "", "buf_rtrim of only whitespace gives \"\"");
	buf_addch(&b, 'z');
	buf_setlen(&b, 0);
	is_str(b.s, "", "buf_setlen(0) truncates");
}

int main(void)
{
	test_init();
	test_growth();
	test_detach();
	test_binary_and_trim();
	return tap_done();
}
