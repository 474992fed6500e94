/*
 * test-tabwriter.c - tabw_render() against docker's table output.
 *
 * Every expected string without invalid UTF-8 in it was produced by docker
 * 28.2.2 itself (the cells fed through `docker context ls --format
 * 'table ...'`); the others follow Go's tabwriter source.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/tabwriter.h"
#include "lib/xalloc.h"
#include "test/unit/tap.h"
#include "lib/banned.h"

static char *render_n(const char *in, size_t len)
{
	struct buf b = BUF_INIT;

	tabw_render(in, len, &b);
	return buf_detach(&b, NULL);
}

static void check(const char *in, const char *want, const char *name)
{
	_cleanup_free_ char *got = render_n(in, strlen(in));

	is_str(got, want, name);
}

static void test_docker_tables(void)
{
	check("CONTAINER ID\tIMAGE\tNAMES\nabc\tbusybox\tx\n",
	      "CONTAINER ID   IMAGE     NAMES\n"
	      "abc            busybox   x\n",
	      "docker ps: widest cell + 3, at least 10");
	check(
	    "CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tNAMES\n"
	    "0123456789ab\tdocker.io/library/busybox:latest\t\"sleep 1d\"\t"
	    "2 minutes ago\tUp 2 minutes\tweb\n"
	    "ba9876543210\talpine\t\"sh\"\t3 hours ago\t"
	    "Exited (0) 3 hours ago\tdb\n",
	    "CONTAINER ID   IMAGE                              COMMAND      "
	    "CREATED         STATUS                   NAMES\n"
	    "0123456789ab   docker.io/library/busybox:latest   \"sleep 1d\"   "
	    "2 minutes ago   Up 2 minutes             web\n"
	    "ba9876543210   alpine                             \"sh\"         "
	    "3 hours ago     Exited (0) 3 hours ago   db\n",
	    "docker ps with six columns");
	check("a\tb\n", "a         b\n", "a narrow column is minwidth 10");
	check("1234567\tb\n", "1234567   b\n", "7 + 3 is exactly 10");
	check("12345678\tb\n", "12345678   b\n", "8 + 3 is 11");
	check("col\tcol2\tcol3\nverylongvaluehere123\tv\tw\n"
	      "short\tanother long value\tz\nlast",
	      "col                    col2                 col3\n"
	      "verylongvaluehere123   v                    w\n"
	      "short                  another long value   z\n"
	      "last",
	      "columns line up; a last line without newline stays so");
}

static void test_blocks(void)
{
	check("a\tb\tc\naaaaaaaaaaaaaaaa\tb\nx\ty\tz\tw\n\tq\tr\n",
	      "a                  b         c\n"
	      "aaaaaaaaaaaaaaaa   b\n"
	      "x                  y         z         w\n"
	      "                   q         r\n",
	      "a column block spans the lines that have the column");
	check("a\tb\nno tabs here\nccccccccccccccccccc\td\n",
	      "a         b\n"
	      "no tabs here\n"
	      "ccccccccccccccccccc   d\n",
	      "a line without tabs ends the block");
	check("a\tb\n\nccccccccccccccccccc\td\n",
	      "a         b\n"
	      "\n"
	      "ccccccccccccccccccc   d\n",
	      "an empty line ends the block");
	check("a\t\t\tb\n\t\t\t\nx\ty\n",
	      "a                             b\n"
	      "                              \n"
	      "x         y\n",
	      "empty cells are padded like others");
	check("x\ty\t\nlongerlongerlonger\tz\t\n",
	      "x                    y         \n"
	      "longerlongerlonger   z         \n",
	      "a tab before the newline pads the cell before it");
	check("\t\t\n\t\n\n\tx\n",
	      "                    \n"
	      "          \n"
	      "\n"
	      "          x\n",
	      "lines of empty cells");
}

static void test_separators(void)
{
	check("a\fb\tc\ndddddddddddddd\te\n",
	      "a\n"
	      "b                c\n"
	      "dddddddddddddd   e\n",
	      "formfeed is written as a newline");
	check("a\tb\fcccccccccccccc\td\nee\tf\n",
	      "a         b\n"
	      "cccccccccccccc   d\n"
	      "ee               f\n",
	      "formfeed ends every block");
	check("a\vb\tc\nd\te\vf\n",
	      "a         b         c\n"
	      "d         e         f\n",
	      "a vertical tab ends a cell like a tab");
	check("one\ttwo", "one       two", "no final newline");
	check("a\t", "a", "a final tab without newline ends no cell");
	check("a\tb\t", "a         b",
	      "the last terminated cell of an unfinished line is not padded");
	check("", "", "empty input");
	check("\n\n", "\n\n", "only newlines");
	check("plain text\nmore\n", "plain text\nmore\n",
	      "text without tabs is passed through");
}

static void test_widths(void)
{
	check("h\u2026\u2026\tx\n\u65e5\u672c\u8a9e\ty\n\u00e9\t\u00e9\n",
	      "h\u2026\u2026       x\n"
	      "\u65e5\u672c\u8a9e    y\n"
	      "\u00e9         \u00e9\n",
	      "ellipsis and e-acute are 1 wide, CJK 2");
	check("e\u0301\tx\n", "e\u0301         x\n",
	      "a combining accent is 0 wide");
	check("\U0001F600\tx\n", "\U0001F600        x\n", "an emoji is 2 wide");
	check("\U0001F468\u200d\U0001F469\tx\n",
	      "\U0001F468\u200d\U0001F469        x\n",
	      "a ZWJ sequence is one cluster, 2 wide");
	check("\U0001F1FA\U0001F1F8\tx\n", "\U0001F1FA\U0001F1F8         x\n",
	      "a flag is one cluster, 1 wide");
	check("\u1100\u1161\tx\n\x01\u1100\u1161\ty\n",
	      "\u1100\u1161        x\n"
	      "\x01\u1100\u1161       y\n",
	      "Hangul jamo join, but not right after a control");
	check("\u0903a\tx\na\u0903\ty\n",
	      "\u0903a        x\n"
	      "a\u0903         y\n",
	      "a spacing mark is 1 wide alone, 0 after a letter");
	check("a\x01\r\tx\n", "a\x01\r         x\n",
	      "control characters are 0 wide");
	check("\x80\xfe\tx\nabcdefghijkl\ty\n",
	      "\x80\xfe             x\n"
	      "abcdefghijkl   y\n",
	      "each invalid byte is 1 wide");
}

/* Text between two 0xff bytes is one piece: tabs and newlines in it do
 * not count, nor do the 0xff bytes themselves. */
static void test_escapes(void)
{
	check("\xff"
	      "a\tb\xff\tc\n",
	      "\xff"
	      "a\tb\xff        c\n",
	      "an escaped tab does not end the cell");
	check("\xff"
	      "a\nb\xff\tc\nlonger text\td\n",
	      "\xff"
	      "a\nb\xff            c\n"
	      "longer text   d\n",
	      "an escaped newline does not end the line");
	check("x\t\xff"
	      "ab\tc",
	      "x         \xff"
	      "ab\tc",
	      "an unfinished escape runs to the end");
	check("\xff\xff\tx\n", "\xff\xff          x\n",
	      "an empty escape is 0 wide");
}

static void test_hostile(void)
{
	enum { N = 100000 };
	_cleanup_free_ char *in = xmalloc(N + 2);
	_cleanup_free_ char *out = NULL;
	size_t i, len = 0;
	bool all = true;

	/* One line of N tabs: Go recurses once per column. */
	memset(in, '\t', N);
	in[N] = 'x';
	in[N + 1] = '\0';
	out = render_n(in, N + 1);
	len = strlen(out);
	ok(len == (size_t) N * 10 + 1 && out[len - 1] == 'x',
	   "%d columns in one line", N);
	for (i = 0; i < len - 1 && all; i++)
		all = out[i] == ' ';
	ok(all, "all of them padding");
	free(out);

	/* N lines with one more column each. */
	free(in);
	in = xmalloc(4 * N + 1);
	for (i = 0; i < (size_t) N; i++) {
		in[4 * i] = 'a';
		in[4 * i + 1] = '\t';
		in[4 * i + 2] = 'b';
		in[4 * i + 3] = '\n';
	}
	out = render_n(in, 4 * N);
	ok(strlen(out) == (size_t) N * 12 &&
	       !strncmp(out, "a         b\n", 12) &&
	       !strncmp(out + (N - 1) * 12, "a         b\n", 12),
	   "%d lines in one block", N);
}

int main(void)
{
	test_docker_tables();
	test_blocks();
	test_separators();
	test_widths();
	test_escapes();
	test_hostile();
	return tap_done();
}
