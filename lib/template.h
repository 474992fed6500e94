/*
 * template.h - Go's text/template, the part docker's CLI uses, evaluated
 * over cJSON data: `husk inspect -f TEMPLATE`, `husk ps --format TEMPLATE`.
 *
 * Contract:
 *  - tmpl_parse() compiles @src (NUL-terminated) into *out, which the
 *    caller frees with tmpl_free() (or holds in a _cleanup_tmpl_ local).
 *    A syntax error is one line, "template: " + Go's wording, errnum
 *    EINVAL: `template: unexpected "}" in operand`, `template: function
 *    "foo" not defined`, `template: unexpected {{end}}`. Unknown functions
 *    and undefined variables are caught here, not when executing.
 *  - tmpl_exec() runs the template with dot (and $) set to @data, which it
 *    only reads; @data may be NULL ("no value"). Output is appended to
 *    @out. On failure *e says why (errnum EINVAL), e.g. `template: can't
 *    evaluate field Foo: no such key`, and @out is left as it was: no
 *    partial output. A template can be executed any number of times.
 *  - Nesting of control structures and parentheses is limited to 100
 *    levels and values are printed at most 1000 levels deep, so no input
 *    can exhaust the stack.
 *
 * The language is Go's: text, {{actions}}, {{- trim markers -}},
 * comments ({{/ * ... * /}} without the inner spaces), pipelines with |,
 * ( ) sub-expressions, $variables
 * (:= and =), string ("..." and `...`), character, number, true/false/nil
 * literals, if / else if / with / else with / range / else / break /
 * continue / end. What differs, because the data is JSON rather than Go
 * values (docker's `inspect -f` sees the same, decoded with UseNumber and
 * missingkey=error):
 *  - .Field looks up the exact key of a JSON object. A missing key, or a
 *    field of anything but an object, is an error naming the field.
 *  - Numbers are doubles: integral ones print as integers (1700000000,
 *    not 1.7e+09), others in the shortest form that reads back the same
 *    (0.1, 1e-07). eq/lt/... compare numbers with numbers and strings with
 *    strings; other mixes are errors, as in Go.
 *  - Printing follows Go's fmt: arrays as [a b c], objects as
 *    map[k1:v1 k2:v2] with sorted keys, null as <nil>; the value of a
 *    missing key from `index` prints as <no value>.
 *  - range over an object visits its keys in sorted order; range over an
 *    integral number N counts 0..N-1.
 *  - Functions: Go's and, or, not, eq, ne, lt, le, gt, ge, index, len,
 *    print, printf, println; docker's json, join, split, upper, lower,
 *    title, truncate, pad. No {{define}}, {{template}}, {{block}}, and no
 *    html, js, urlquery, slice or call.
 *  - Where Go would panic or print invalid UTF-8, these are errors or
 *    rune-based instead: truncate counts runes, not bytes; pad and
 *    printf's widths are limited to 1,000,000.
 */
#ifndef HUSK_TEMPLATE_H
#define HUSK_TEMPLATE_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "lib/buf.h"
#include "lib/cleanup.h"
#include "lib/err.h"

struct tmpl;

int tmpl_parse(const char *src, struct tmpl **out, struct err **e);
int tmpl_exec(const struct tmpl *t, const cJSON *data, struct buf *out,
	      struct err **e);
void tmpl_free(struct tmpl *t);
void tmpl_freep(struct tmpl **t);

#define _cleanup_tmpl_ _cleanup_(tmpl_freep)

/*
 * tmpl_docker_prepare() - docker's formatter preprocessing for --format:
 * a leading "table" (docker tests only the prefix, so "tablefoo" counts
 * too) is removed and *table set, spaces around the rest are trimmed and
 * the two-character sequences \t and \n become a tab and a newline.
 * Returns a heap string; "table" alone yields "" (the caller then uses
 * its default table format). `inspect -f` does not preprocess.
 */
char *tmpl_docker_prepare(const char *format, bool *table);

#endif
