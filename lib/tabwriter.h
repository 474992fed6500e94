/*
 * tabwriter.h - Go's text/tabwriter, fixed to the settings docker's CLI
 * formats its tables with: NewWriter(out, minwidth 10, tabwidth 1,
 * padding 3, padchar ' ', flags 0).
 *
 * The input is lines of cells. A cell is terminated by '\t' (or '\v');
 * the last cell of a line is not terminated and is never aligned or
 * padded. A column block is a run of consecutive lines that all have a
 * terminated cell in that column; every terminated cell of the block is
 * padded with spaces to the block's width, max(cell width) + 3 but at
 * least 10.
 *
 * Widths are display columns, not runes: docker's CLI vendors a copy of
 * text/tabwriter that measures cells with go-runewidth (non-East-Asian
 * condition). So U+2026 (an ellipsis) and U+00E9 are 1 wide, CJK and
 * most emoji 2, combining marks and control characters 0, and a grapheme
 * cluster (an emoji ZWJ sequence, a flag, a Hangul syllable in jamo) is
 * as wide as its first rune of non-zero width. Each byte of invalid UTF-8
 * is 1. For ASCII text this is the rune count, which is all Go's own
 * text/tabwriter counts.
 *
 * The rest of Go's behaviour with these flags is kept too:
 *  - a line without a tab ends every block; '\f' ends the line like '\n'
 *    (and is written as '\n') and also ends every block;
 *  - text between two 0xff bytes (Go's tabwriter.Escape) is one piece of
 *    cell text: tabs and newlines in it are not special, and the two 0xff
 *    bytes are written out but not counted in the width;
 *  - the input need not end with a newline: the last partial line is
 *    written without one, and a trailing '\t' there ends no cell.
 *
 * tabw_render() appends the aligned text to @out. It cannot fail: running
 * out of memory aborts (lib/xalloc.h).
 */
#ifndef HUSK_TABWRITER_H
#define HUSK_TABWRITER_H

#include <stddef.h>

#include "lib/buf.h"

void tabw_render(const char *text, size_t len, struct buf *out);

#endif
