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
 *    can exhaust the stack. (A {{range}} over a huge number still takes
 *    as long as it takes, as in Go.)
 *
 * The language is Go's: text and {{actions}}, {{- trim markers -}},
 * comments, pipelines with |, parenthesised sub-expressions with .Field
 * chains, variables ($, $x := and $x =), string ("..." with Go's escapes,
 * `raw`), character ('a'), integer (0x1f, 0o17, 017, 1_000) and float
 * literals, true, false and nil; if / else if / else, with / else with /
 * else, range (with $v :=, $i, $v :=, or =) / else, break, continue.
 *
 * What differs from Go, because the data is JSON (docker's `inspect -f`
 * sees the same: raw JSON decoded with UseNumber, run with
 * missingkey=error):
 *  - .Field looks up the exact key of a JSON object (of a repeated key
 *    the last). A missing key, or a field of anything but an object, is
 *    an error naming the field.
 *  - Numbers are doubles: integral ones print as integers (1700000000,
 *    not 1.7e+09), others in the shortest form that reads back the same
 *    (0.25, 1e-07); they also take printf's %s and %q. eq, ne, lt, le,
 *    gt and ge compare numbers with numbers, strings with strings (and
 *    eq/ne bools, and anything with nil); other mixes are errors, as in
 *    Go, but 1 and 1.5 compare, where Go refuses int against float64.
 *  - Printing follows Go's fmt: arrays as [a b c], objects as
 *    map[k1:v1 k2:v2] with sorted keys (or as a struct, {v1 v2}, when
 *    marked TMPL_STRUCT; see below), null as <nil>. A missing key
 *    that `index` looked up prints as <no value> (Go also prints a null
 *    as <no value> when it is a pipeline's whole value; here that is
 *    <nil>, as docker shows a nil pointer).
 *  - range over an object visits its keys in sorted order; range over
 *    an integral number N counts 0..N-1 (Go 1.22), whatever the number's
 *    origin.
 *  - Functions: Go's and, or (both stop at the deciding operand), not,
 *    eq, ne, lt, le, gt, ge, index (objects, arrays, strings), len,
 *    print, println, printf (verbs v s q d o b x X c U t T e E f F g G,
 *    flags + - space 0 #, width, precision; no [n] indexes or *); and
 *    docker's json (compact, sorted keys, no HTML escaping), join, split,
 *    upper, lower, title (ASCII, Latin-1 and Extended-A, Greek and
 *    Cyrillic letters change case), truncate, pad.
 *  - Not supported: {{define}}, {{template}}, {{block}}, and the html,
 *    js, urlquery, slice and call functions.
 *  - Where Go would panic or cut UTF-8 apart: truncate counts runes, not
 *    bytes; pad's counts and printf's widths stop at 1,000,000.
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
 * TMPL_STRUCT - on a cJSON object's ->type: print it as a Go struct.
 *
 * docker's inspect runs templates over its Go types, so where those hold
 * a struct (a container's Mounts are []MountPoint) `{{.Mounts}}` prints
 * `[{volume NAME /var/lib/docker/volumes/NAME/_data /data local  true }]`,
 * fmt's %v of a struct: its field values in declaration order between
 * braces, one space apart, with no names (an empty string prints as
 * nothing, hence the double spaces). A caller that builds such a value
 * marks the object, with its members in declaration order, and it then
 * prints so:
 *  - %v, {{.X}}, print and println: `{v1 v2 ...}`, every member in
 *    order (repeats too), each in its own %v form: a marked object as a
 *    struct, an unmarked one as map[...], an array as [a b], null as
 *    <nil>. printf's other verbs apply to each member as they do to a
 *    map's values: %s gives `{a b %!s(bool=true)}`, as Go does.
 *  - %+v adds the member names, `{Type:volume Name:x ...}`, as Go's
 *    %+v adds field names; inside maps and arrays too.
 *  - Everything else treats it as the object it is: .Field and index
 *    look members up, range visits them in key order, len counts them,
 *    `json` prints keys sorted, %T says map[string]interface {}.
 *
 * cJSON has no room for this but the bits of ->type above its own: its
 * types are bits 0-7 and it uses 256 (cJSON_IsReference) and 512
 * (cJSON_StringIsConst). Checked against cJSON 1.7.15: cJSON_IsObject()
 * and the other type tests, printing and cJSON_Compare() mask ->type with
 * 0xFF, so they ignore the mark (Compare finds a marked and an unmarked
 * copy equal); cJSON_Delete() tests only those two flags; and
 * cJSON_Duplicate() copies ->type without cJSON_IsReference, so a copy
 * keeps the mark. cJSON_Parse() never sets it. Code that compares ->type
 * with == instead of cJSON_IsObject() would not see a marked object.
 */
#define TMPL_STRUCT (1 << 14)

/* Marks @o (an object; NULL is ignored) with TMPL_STRUCT. */
void tmpl_mark_struct(cJSON *o);

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
