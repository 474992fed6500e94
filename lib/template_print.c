/*
 * template_print.c - how lib/template.h prints JSON values: Go's fmt
 * (%v, Sprint, Sprintf), docker's `json` (encoding/json), and the text
 * helpers behind upper, lower, title, truncate and %q.
 *
 * Values are what encoding/json decodes into interface{}: strings, float64
 * numbers, bools, nil, []interface{} and map[string]interface{}. Numbers
 * are the exception: docker's inspect decodes them with UseNumber, so they
 * print as written (an integral one as an integer, never 1.7e+09) and
 * also take %s and %q. An object marked TMPL_STRUCT stands for a Go
 * struct (lib/template.h).
 */
#include <errno.h>
#include <math.h> /* isnan(), isinf(), signbit() only */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/template.h"
#include "lib/template_internal.h"
#include "lib/utf8.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* Printing recursion over arrays and objects. */
#define VALUE_MAX_DEPTH 1000

/* ---- values -------------------------------------------------------- */

enum tmpl_kind tmpl_kind_of(const cJSON *j)
{
	if (!j)
		return VK_NONE;
	if (cJSON_IsBool(j))
		return VK_BOOL;
	if (cJSON_IsNumber(j))
		return VK_NUM;
	if (cJSON_IsString(j))
		return VK_STR;
	if (cJSON_IsArray(j))
		return VK_ARR;
	if (cJSON_IsObject(j))
		return VK_OBJ;
	return VK_NULL; /* null, and cJSON's raw or invalid nodes */
}

const char *tmpl_kind_name(enum tmpl_kind k)
{
	switch (k) {
	case VK_NONE:
		return "no value";
	case VK_NULL:
		return "null";
	case VK_BOOL:
		return "bool";
	case VK_NUM:
		return "number";
	case VK_STR:
		return "string";
	case VK_ARR:
		return "array";
	case VK_OBJ:
		break;
	}
	return "object";
}

void tmpl_mark_struct(cJSON *o)
{
	if (o)
		o->type |= TMPL_STRUCT;
}

const char *tmpl_str(const cJSON *j)
{
	return j->valuestring ? j->valuestring : "";
}

/*
 * husk does not link libm (its pkg-config libraries do not bring it), so
 * these stand in for fabs() and floor(); isnan() and friends are compiler
 * builtins.
 */
static double absd(double d)
{
	return d < 0 ? -d : d;
}

/* Whether @d has no fraction; every double from 2^53 on has none. */
static bool whole(double d)
{
	if (isnan(d))
		return false;
	return absd(d) >= 9007199254740992.0 || d == (double) (long long) d;
}

/* An integral number that fits a long long (and a double exactly). */
bool tmpl_int(const cJSON *j, long long *out)
{
	double d;

	if (tmpl_kind_of(j) != VK_NUM)
		return false;
	d = j->valuedouble;
	if (!whole(d) || absd(d) > 9007199254740992.0)
		return false;
	*out = (long long) d;
	return true;
}

/* The member @key of an object; the last one when a key repeats, as Go's
 * decoder keeps it. */
const cJSON *tmpl_get(const cJSON *o, const char *key)
{
	const cJSON *c, *found = NULL;

	for (c = o->child; c; c = c->next)
		if (c->string && !strcmp(c->string, key))
			found = c;
	return found;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct tmpl_entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* An object's members sorted by key, as Go prints and ranges over maps;
 * of a repeated key only the last. The caller frees the array. */
struct tmpl_entry *tmpl_entries(const cJSON *o, size_t *n)
{
	struct tmpl_entry *e;
	const cJSON *c;
	size_t count = 0, i, k = 0;

	for (c = o->child; c; c = c->next)
		count++;
	e = xcalloc(count + 1, sizeof(*e));
	for (c = o->child, i = 0; c; c = c->next, i++)
		e[i] = (struct tmpl_entry){c->string ? c->string : "", c, i};
	qsort(e, count, sizeof(*e), entry_cmp);
	for (i = 0; i < count; i++)
		if (i + 1 == count || strcmp(e[i].key, e[i + 1].key))
			e[k++] = e[i];
	*n = k;
	return e;
}

/* ---- text helpers -------------------------------------------------- */

/* Go's unicode.IsPrint, closely enough: letters, marks, numbers,
 * punctuation and symbols, and the ASCII space; not other spaces, format
 * and control characters, private use or noncharacters. */
static bool is_print(uint32_t cp)
{
	if (cp < 0x80)
		return cp >= 0x20 && cp < 0x7f;
	return !(cp < 0xa1 || cp == 0xad || cp == 0x061c || cp == 0x180e ||
		 (cp >= 0x2000 && cp <= 0x200f) ||
		 (cp >= 0x2028 && cp <= 0x202f) ||
		 (cp >= 0x205f && cp <= 0x206f) || cp == 0x3000 ||
		 (cp >= 0xe000 && cp <= 0xf8ff) || cp == 0xfeff ||
		 (cp >= 0xfff9 && cp <= 0xfffb) || (cp & 0xfffe) == 0xfffe ||
		 (cp >= 0xe0000 && cp <= 0xe007f) || cp >= 0xf0000);
}

static void quote(struct buf *b, const char *s, size_t len, bool ascii)
{
	static const char hex[] = "0123456789abcdef";
	static const char esc[] = "\aa\bb\ff\nn\rr\tt\vv";
	size_t i = 0, k;
	uint32_t cp;

	buf_addch(b, '"');
	while (i < len) {
		const char *e;

		k = utf8_decode(s + i, len - i, &cp);
		if (!k) {
			buf_addf(b, "\\x%c%c", hex[(unsigned char) s[i] >> 4],
				 hex[s[i] & 0xf]);
			i++;
			continue;
		}
		if (cp == '"' || cp == '\\') {
			buf_addch(b, '\\');
			buf_addch(b, (char) cp);
		} else if (is_print(cp) && (!ascii || cp < 0x80)) {
			buf_add(b, s + i, k);
		} else if (cp && cp < 0x20 && (e = strchr(esc, (int) cp))) {
			buf_addch(b, '\\');
			buf_addch(b, e[1]);
		} else if (cp < 0x20 || cp == 0x7f) {
			buf_addf(b, "\\x%c%c", hex[cp >> 4], hex[cp & 0xf]);
		} else if (cp < 0x10000) {
			buf_addf(b, "\\u%04x", cp);
		} else {
			buf_addf(b, "\\U%08x", cp);
		}
		i += k;
	}
	buf_addch(b, '"');
}

void tmpl_quote(struct buf *b, const char *s, size_t len)
{
	quote(b, s, len, false);
}

/* unicode.ToUpper/ToLower for ASCII, Latin-1, Latin Extended-A, Greek
 * and Cyrillic; other runes are left alone. */
static uint32_t case_map(uint32_t c, bool upper)
{
	/* Ranges where lowercase = uppercase + delta. */
	static const struct {
		uint32_t lo, hi; /* the uppercase range */
		int delta;
	} ranges[] = {
	    {'A', 'Z', 32},	{0xc0, 0xd6, 32},   {0xd8, 0xde, 32},
	    {0x386, 0x386, 38}, {0x388, 0x38a, 37}, {0x38c, 0x38c, 64},
	    {0x38e, 0x38f, 63}, {0x391, 0x3a1, 32}, {0x3a3, 0x3ab, 32},
	    {0x400, 0x40f, 80}, {0x410, 0x42f, 32}, {0xff21, 0xff3a, 32},
	};
	size_t i;

	if (upper && c == 0xff)
		return 0x178;
	if (!upper && c == 0x178)
		return 0xff;
	if (upper && c == 0xb5)
		return 0x39c;
	if (upper && c == 0x3c2)
		return 0x3a3;
	if (upper && c == 0x131)
		return 'I';
	if (!upper && c == 0x130)
		return 'i';
	if (upper && c == 0x17f)
		return 'S';
	for (i = 0; i < ARRAY_SIZE(ranges); i++) {
		uint32_t lo = ranges[i].lo, hi = ranges[i].hi;
		int d = ranges[i].delta;

		if (!upper && c >= lo && c <= hi)
			return c + (uint32_t) d;
		if (upper && c >= lo + (uint32_t) d && c <= hi + (uint32_t) d)
			return c - (uint32_t) d;
	}
	/* Pairs: the uppercase letter at even (or odd) code points. */
	if ((c >= 0x100 && c <= 0x12f) || (c >= 0x132 && c <= 0x137) ||
	    (c >= 0x14a && c <= 0x177) || (c >= 0x460 && c <= 0x481) ||
	    (c >= 0x48a && c <= 0x4bf))
		return upper ? c & ~1u : c | 1u;
	if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e))
		return upper ? (c & 1u ? c : c - 1) : (c & 1u ? c + 1 : c);
	return c;
}

/* strings.Title's isSeparator(). */
static bool is_separator(uint32_t c)
{
	if (c < 0x80)
		return !(c == '_' || (c >= '0' && c <= '9') ||
			 (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
	return c == 0x85 || c == 0xa0 || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 ||
	       c == 0x202f || c == 0x205f || c == 0x3000;
}

/* upper (1), lower (0) or title (2) over a string, with strings.Map's
 * habit of turning invalid bytes into U+FFFD. */
void tmpl_map_case(struct buf *b, const char *s, int mode)
{
	size_t n = strlen(s), i = 0;
	uint32_t prev = ' ', cp;

	while (i < n) {
		i += utf8_next(s + i, n - i, &cp);
		if (mode == 2)
			utf8_add(b,
				 is_separator(prev) ? case_map(cp, true) : cp);
		else
			utf8_add(b, case_map(cp, mode == 1));
		prev = cp;
	}
}

/* ---- numbers ------------------------------------------------------- */

/*
 * The shortest digits that read back as @d (%.17e at most), and the
 * decimal exponent of the first: 0.0125 is "125" and -2.
 */
static void shortest(double d, char *digits, int *exp10)
{
	char tmp[40], *p, *e;
	int prec, n = 0;

	for (prec = 0; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec, absd(d));
		if (strtod(tmp, NULL) == absd(d))
			break;
	}
	e = strchr(tmp, 'e');
	for (p = tmp; p < e; p++)
		if (*p != '.')
			digits[n++] = *p;
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	*exp10 = (int) strtol(e + 1, NULL, 10);
}

/* digits x 10^exp10 without an exponent. */
static void add_fixed(struct buf *b, const char *digits, int exp10)
{
	int n = (int) strlen(digits), i;

	if (exp10 < 0) {
		buf_addstr(b, "0.");
		for (i = exp10 + 1; i < 0; i++)
			buf_addch(b, '0');
		buf_addstr(b, digits);
		return;
	}
	for (i = 0; i <= exp10 || i < n; i++) {
		if (i == exp10 + 1)
			buf_addch(b, '.');
		buf_addch(b, i < n ? digits[i] : '0');
	}
}

/* d.ddde+XX; @min_exp is the exponent's least number of digits. */
static void add_exp(struct buf *b, const char *digits, int exp10, int min_exp)
{
	buf_addch(b, digits[0]);
	if (digits[1]) {
		buf_addch(b, '.');
		buf_addstr(b, digits + 1);
	}
	buf_addf(b, "e%c%0*d", exp10 < 0 ? '-' : '+', min_exp, abs(exp10));
}

static bool integral(double d)
{
	return whole(d) && absd(d) < 1e21;
}

/*
 * The shortest digits of @d with its sign: with an exponent when @d is
 * below 1e@lo or from 1e@hi on, otherwise without. The exponent has at
 * least two digits, or @min_neg when it is negative.
 */
static void add_shortest(struct buf *b, double d, int lo, int hi, int min_neg)
{
	char digits[32];
	int exp10;

	shortest(d, digits, &exp10);
	if (signbit(d))
		buf_addch(b, '-');
	if (exp10 < lo || exp10 >= hi)
		add_exp(b, digits, exp10, exp10 < 0 ? min_neg : 2);
	else
		add_fixed(b, digits, exp10);
}

/*
 * How a number prints: as an integer when integral (docker decodes JSON
 * numbers with UseNumber, so they print as written), otherwise Go's %v,
 * the shortest form, with an exponent below 1e-4.
 */
static void add_number(struct buf *b, double d)
{
	if (isnan(d) || isinf(d))
		buf_addstr(b, isnan(d) ? "NaN" : d < 0 ? "-Inf" : "+Inf");
	else if (integral(d))
		buf_addf(b, "%.0f", d);
	else
		add_shortest(b, d, -4, 21, 2);
}

/* Go's %g without a precision: the shortest form, with an exponent
 * below 1e-4 and from 1e6 on (strconv's %e rule for shortest). */
static void add_number_g(struct buf *b, double d, bool upper)
{
	size_t at = b->len;

	add_shortest(b, d, -4, 6, 2);
	if (upper)
		for (; at < b->len; at++)
			if (b->s[at] == 'e')
				b->s[at] = 'E';
}

/*
 * encoding/json's float format: %f, or %e below 1e-6 and from 1e21 on,
 * with e-07 written e-7. Its test is on |d|, which is below 1e-6 (or from
 * 1e21 on) exactly when the shortest digits' exponent is below -6 (or
 * from 21 on): those digits read back as d, and rounding is monotonic.
 */
static void add_json_number(struct buf *b, double d)
{
	if (isnan(d) || isinf(d))
		buf_addstr(b, "null");
	else if (integral(d))
		buf_addf(b, "%.0f", d);
	else
		add_shortest(b, d, -6, 21, 1);
}

/* ---- printing (Go's fmt) ------------------------------------------- */

struct fspec {
	char verb;
	bool minus, plus, space, zero, sharp;
	int width; /* -1: none */
	int prec;  /* -1: none */
};

static const struct fspec spec_v = {.verb = 'v', .width = -1, .prec = -1};

static int fmt_value(struct err **e, struct buf *b, const struct fspec *f,
		     const cJSON *j, int depth);

/* @s padded to the width; zeros go after a sign. */
static void add_padded(struct buf *b, const struct fspec *f, const char *s,
		       size_t len)
{
	size_t w = utf8_count(s, len), pad;

	if (f->width < 0 || (size_t) f->width <= w) {
		buf_add(b, s, len);
		return;
	}
	pad = (size_t) f->width - w;
	if (f->minus) {
		buf_add(b, s, len);
		while (pad-- > 0)
			buf_addch(b, ' ');
		return;
	}
	if (f->zero && len && strchr("+- ", s[0])) {
		buf_addch(b, s[0]);
		s++;
		len--;
	}
	while (pad-- > 0)
		buf_addch(b, f->zero ? '0' : ' ');
	buf_add(b, s, len);
}

/* Go's name for the type a JSON value decodes to. */
static const char *go_type(const cJSON *j)
{
	long long v;

	switch (tmpl_kind_of(j)) {
	case VK_NONE:
	case VK_NULL:
		return "<nil>";
	case VK_BOOL:
		return "bool";
	case VK_NUM:
		return tmpl_int(j, &v) ? "int" : "float64";
	case VK_STR:
		return "string";
	case VK_ARR:
		return "[]interface {}";
	case VK_OBJ:
		break;
	}
	return "map[string]interface {}";
}

/* Go's %!verb(type=value) for an operand the verb does not fit. */
static int bad_verb(struct err **e, struct buf *b, char verb, const cJSON *j)
{
	enum tmpl_kind k = tmpl_kind_of(j);

	buf_addf(b, "%%!%c(%s", verb, go_type(j));
	if (k != VK_NONE && k != VK_NULL) {
		buf_addch(b, '=');
		if (fmt_value(e, b, &spec_v, j, 0) < 0)
			return -1;
	}
	buf_addch(b, ')');
	return 0;
}

/*
 * %d, %o, %b, %x, %X of an integer, as Go's fmtInteger: the precision is
 * the least number of digits, and the 0 flag is a precision of the width
 * (less a sign); then # adds 0, 0b or 0x, and the sign goes first.
 */
static void fmt_int(struct buf *b, const struct fspec *f, long long v)
{
	_cleanup_buf_ struct buf t = BUF_INIT;
	const char *digits =
	    f->verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned base = f->verb == 'd'	 ? 10
			: f->verb == 'o' ? 8
			: f->verb == 'b' ? 2
					 : 16;
	unsigned long long u =
	    v < 0 ? 0ULL - (unsigned long long) v : (unsigned long long) v;
	bool sign = v < 0 || f->plus || f->space;
	struct fspec g = *f;
	int n = 0, prec = f->prec, zeros;
	char num[64]; /* the digits, last first */

	if (prec < 0 && f->zero && f->width > 0)
		prec = f->width - sign;
	do
		num[n++] = digits[u % base];
	while ((u /= base) > 0);
	if (f->prec == 0 && v == 0)
		n = 0;
	zeros = prec > n ? prec - n : 0;
	if (f->sharp && base == 8 && !zeros && (!n || num[n - 1] != '0'))
		zeros = 1;
	if (sign)
		buf_addch(&t, v < 0 ? '-' : f->plus ? '+' : ' ');
	if (f->sharp && base != 10 && base != 8)
		buf_addstr(&t, base == 2 ? "0b" : f->verb == 'X' ? "0X" : "0x");
	for (; zeros > 0; zeros--)
		buf_addch(&t, '0');
	while (n > 0)
		buf_addch(&t, num[--n]);
	g.zero = false;
	add_padded(b, &g, t.s, t.len);
}

/* %c and %U of a code point. */
static void fmt_rune(struct buf *b, const struct fspec *f, long long v)
{
	_cleanup_buf_ struct buf t = BUF_INIT;
	uint32_t cp = v < 0 || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)
			  ? 0xfffd
			  : (uint32_t) v;

	if (f->verb == 'U')
		buf_addf(&t, "U+%04X",
			 (unsigned) (v < 0 || v > 0x10ffff ? 0xfffd : v));
	else
		utf8_add(&t, cp);
	add_padded(b, f, t.s, t.len);
}

/* %e, %f, %g (and upper case) through C's printf, which agrees with
 * Go's, except for %g without a precision. */
static void fmt_float(struct buf *b, const struct fspec *f, double d)
{
	_cleanup_buf_ struct buf t = BUF_INIT;
	char cfmt[16];

	if ((f->verb == 'g' || f->verb == 'G') && f->prec < 0) {
		if (!signbit(d) && (f->plus || f->space))
			buf_addch(&t, f->plus ? '+' : ' ');
		add_number_g(&t, d, f->verb == 'G');
	} else {
		snprintf(cfmt, sizeof(cfmt), "%%%s%s.*%c", f->plus ? "+" : "",
			 f->space ? " " : "", f->verb);
		buf_addf(&t, cfmt, f->prec < 0 ? 6 : f->prec, d);
	}
	add_padded(b, f, t.s, t.len);
}

static void fmt_string(struct buf *b, const struct fspec *f, const char *s)
{
	_cleanup_buf_ struct buf t = BUF_INIT;
	size_t len = strlen(s), i;

	if (f->prec >= 0)
		len = utf8_prefix(s, len, (size_t) f->prec);
	if (f->verb == 'q') {
		quote(&t, s, len, f->plus);
	} else if (f->verb == 'x' || f->verb == 'X') {
		for (i = 0; i < len; i++) {
			if (i && f->space)
				buf_addch(&t, ' ');
			if (f->sharp && (!i || f->space))
				buf_addstr(&t, f->verb == 'x' ? "0x" : "0X");
			buf_addf(&t, f->verb == 'x' ? "%02x" : "%02X",
				 (unsigned char) s[i]);
		}
	} else {
		buf_add(&t, s, len);
	}
	add_padded(b, f, t.s, t.len);
}

/* A scalar under verb @f. Numbers, which docker's raw inspect data holds
 * as strings (json.Number), also take %s and %q. */
static int fmt_scalar(struct err **e, struct buf *b, const struct fspec *f,
		      const cJSON *j)
{
	_cleanup_buf_ struct buf t = BUF_INIT;
	enum tmpl_kind k = tmpl_kind_of(j);
	long long i;
	char v = f->verb;

	if (k == VK_STR && strchr("vsqxX", v)) {
		fmt_string(b, f, tmpl_str(j));
	} else if (k == VK_NUM && strchr("dobxX", v) && tmpl_int(j, &i)) {
		fmt_int(b, f, i);
	} else if (k == VK_NUM && strchr("cU", v) && tmpl_int(j, &i)) {
		fmt_rune(b, f, i);
	} else if (k == VK_NUM && strchr("eEfFgG", v)) {
		fmt_float(b, f, j->valuedouble);
	} else if (k == VK_NUM && strchr("vsq", v)) {
		/* Go's %+v means field names, not a sign: fmt moves the
		 * plus flag to plusV for 'v' ("[1 11 111]" for %+v of
		 * [3]byte{1, 11, 111} in fmt_test.go). */
		if (v == 'v' && f->space && !signbit(j->valuedouble))
			buf_addch(&t, ' ');
		add_number(&t, j->valuedouble);
		if (v == 'q') {
			struct fspec g = *f;

			g.prec = -1;
			fmt_string(b, &g, t.s);
		} else {
			add_padded(b, f, t.s, t.len);
		}
	} else if (k == VK_BOOL && (v == 'v' || v == 't')) {
		const char *s = cJSON_IsTrue(j) ? "true" : "false";

		add_padded(b, f, s, strlen(s));
	} else if ((k == VK_NONE || k == VK_NULL) && v == 'v') {
		add_padded(b, f, "<nil>", 5);
	} else {
		return bad_verb(e, b, v, j);
	}
	return 0;
}

/* Printing fails rather than recurse past VALUE_MAX_DEPTH. */
static int check_depth(struct err **e, int depth)
{
	if (depth > VALUE_MAX_DEPTH)
		return tmpl_err(e, NULL, "value nested deeper than %d levels",
				VALUE_MAX_DEPTH);
	return 0;
}

/*
 * fmt's printValue of a struct: the verb applied to each field, in order,
 * between braces; with %+v each is preceded by its name and a colon,
 * written as is (p.buf.writeString(name), whatever the verb or width).
 */
static int fmt_struct(struct err **e, struct buf *b, const struct fspec *f,
		      const cJSON *j, int depth)
{
	const cJSON *c;

	buf_addch(b, '{');
	for (c = j->child; c; c = c->next) {
		if (c != j->child)
			buf_addch(b, ' ');
		if (f->verb == 'v' && f->plus) {
			buf_addstr(b, c->string ? c->string : "");
			buf_addch(b, ':');
		}
		if (fmt_value(e, b, f, c, depth + 1) < 0)
			return -1;
	}
	buf_addch(b, '}');
	return 0;
}

/* Go's fmt of interface{} values decoded from JSON: the verb applies to
 * each element of an array ([a b c]) and to each key and value of an
 * object (map[k:v], keys sorted), or of a struct ({v1 v2}, in order). */
static int fmt_value(struct err **e, struct buf *b, const struct fspec *f,
		     const cJSON *j, int depth)
{
	_cleanup_free_ struct tmpl_entry *ent = NULL;
	const cJSON *c;
	size_t n, i;

	if (check_depth(e, depth) < 0)
		return -1;
	if (f->verb == 'T') {
		add_padded(b, f, go_type(j), strlen(go_type(j)));
		return 0;
	}
	if (tmpl_kind_of(j) == VK_ARR) {
		buf_addch(b, '[');
		for (c = j->child; c; c = c->next) {
			if (c != j->child)
				buf_addch(b, ' ');
			if (fmt_value(e, b, f, c, depth + 1) < 0)
				return -1;
		}
		buf_addch(b, ']');
		return 0;
	}
	if (depth &&
	    (tmpl_kind_of(j) == VK_NULL || tmpl_kind_of(j) == VK_NONE)) {
		add_padded(b, f, "<nil>", 5); /* whatever the verb */
		return 0;
	}
	if (tmpl_kind_of(j) != VK_OBJ)
		return fmt_scalar(e, b, f, j);
	if (j->type & TMPL_STRUCT)
		return fmt_struct(e, b, f, j, depth);
	ent = tmpl_entries(j, &n);
	buf_addstr(b, "map[");
	for (i = 0; i < n; i++) {
		cJSON key = {.type = cJSON_String};

		key.valuestring = (char *) ent[i].key;
		if (i)
			buf_addch(b, ' ');
		if (fmt_scalar(e, b, f, &key) < 0)
			return -1;
		buf_addch(b, ':');
		if (fmt_value(e, b, f, ent[i].v, depth + 1) < 0)
			return -1;
	}
	buf_addch(b, ']');
	return 0;
}

/* encoding/json as docker's `json` function uses it: compact, keys
 * sorted, no HTML escaping, invalid UTF-8 as U+FFFD. */
static void json_string(struct buf *b, const char *s)
{
	static const char esc[] = "\"\"\\\\\bb\ff\nn\rr\tt";
	size_t n = strlen(s), i = 0, k;
	const char *e;
	uint32_t cp;

	buf_addch(b, '"');
	while (i < n) {
		unsigned char c = (unsigned char) s[i];

		k = utf8_decode(s + i, n - i, &cp);
		if (c && (e = strchr(esc, c)) && (e - esc) % 2 == 0) {
			buf_addch(b, '\\');
			buf_addch(b, e[1]);
		} else if (c < 0x20) {
			buf_addf(b, "\\u%04x", c);
		} else if (!k) {
			buf_addstr(b, "\\ufffd");
		} else if (cp == 0x2028 || cp == 0x2029) {
			buf_addf(b, "\\u%04x", cp);
		} else {
			buf_add(b, s + i, k);
		}
		i += k ? k : 1;
	}
	buf_addch(b, '"');
}

static int json_value(struct err **e, struct buf *b, const cJSON *j, int depth)
{
	_cleanup_free_ struct tmpl_entry *ent = NULL;
	const cJSON *c;
	size_t n, i;

	if (check_depth(e, depth) < 0)
		return -1;
	switch (tmpl_kind_of(j)) {
	case VK_NONE:
	case VK_NULL:
		buf_addstr(b, "null");
		break;
	case VK_BOOL:
		buf_addstr(b, cJSON_IsTrue(j) ? "true" : "false");
		break;
	case VK_NUM:
		add_json_number(b, j->valuedouble);
		break;
	case VK_STR:
		json_string(b, tmpl_str(j));
		break;
	case VK_ARR:
		buf_addch(b, '[');
		for (c = j->child; c; c = c->next) {
			if (c != j->child)
				buf_addch(b, ',');
			if (json_value(e, b, c, depth + 1) < 0)
				return -1;
		}
		buf_addch(b, ']');
		break;
	case VK_OBJ:
		ent = tmpl_entries(j, &n);
		buf_addch(b, '{');
		for (i = 0; i < n; i++) {
			if (i)
				buf_addch(b, ',');
			json_string(b, ent[i].key);
			buf_addch(b, ':');
			if (json_value(e, b, ent[i].v, depth + 1) < 0)
				return -1;
		}
		buf_addch(b, '}');
		break;
	}
	return 0;
}

int tmpl_print(struct buf *b, const cJSON *j, struct err **e)
{
	return fmt_value(e, b, &spec_v, j, 0);
}

int tmpl_json(struct buf *b, const cJSON *j, struct err **e)
{
	return json_value(e, b, j, 0);
}

/* fmt.Sprint (a space between operands when neither is a string) or
 * fmt.Sprintln (spaces between all, and a newline). */
int tmpl_sprint(struct buf *b, const cJSON *const *args, size_t n, bool ln,
		struct err **e)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i && (ln || (tmpl_kind_of(args[i - 1]) != VK_STR &&
				 tmpl_kind_of(args[i]) != VK_STR)))
			buf_addch(b, ' ');
		if (fmt_value(e, b, &spec_v, args[i], 0) < 0)
			return -1;
	}
	if (ln)
		buf_addch(b, '\n');
	return 0;
}

/* A decimal number in a format, "%!(BAD...)" noted when it is too big. */
static int fmt_num_arg(struct buf *b, const char **p, const char *bad)
{
	long n = 0;

	while (**p >= '0' && **p <= '9') {
		if (n <= TMPL_WIDTH_MAX)
			n = n * 10 + (**p - '0');
		(*p)++;
	}
	if (n > TMPL_WIDTH_MAX) {
		buf_addstr(b, bad);
		return -1;
	}
	return (int) n;
}

/* Flags, width, precision and verb of one %-directive after the '%'. */
static const char *parse_spec(struct buf *b, const char *p, struct fspec *f)
{
	*f = (struct fspec){.width = -1, .prec = -1};
	for (;; p++) {
		if (*p == '-')
			f->minus = true;
		else if (*p == '+')
			f->plus = true;
		else if (*p == ' ')
			f->space = true;
		else if (*p == '0')
			f->zero = true;
		else if (*p == '#')
			f->sharp = true;
		else
			break;
	}
	if (*p >= '1' && *p <= '9')
		f->width = fmt_num_arg(b, &p, "%!(BADWIDTH)");
	if (*p == '.') {
		p++;
		f->prec = fmt_num_arg(b, &p, "%!(BADPREC)");
		if (f->prec < 0)
			f->prec = -1;
	}
	if (f->minus)
		f->zero = false;
	f->verb = *p;
	return p;
}

/* %!(EXTRA type=value, ...) for operands no verb used. */
static int extra_args(struct err **e, struct buf *b, const cJSON *const *args,
		      size_t n)
{
	size_t i;

	buf_addstr(b, "%!(EXTRA ");
	for (i = 0; i < n; i++) {
		enum tmpl_kind k = tmpl_kind_of(args[i]);

		if (i)
			buf_addstr(b, ", ");
		buf_addstr(b, go_type(args[i]));
		if (k == VK_NONE || k == VK_NULL)
			continue;
		buf_addch(b, '=');
		if (fmt_value(e, b, &spec_v, args[i], 0) < 0)
			return -1;
	}
	buf_addch(b, ')');
	return 0;
}

/* One directive whose verb is not ASCII: %!verb(value). */
static int odd_verb(struct err **e, struct buf *b, const char **p,
		    const cJSON *arg)
{
	uint32_t cp;
	size_t k = utf8_next(*p, strlen(*p), &cp);

	buf_addf(b, "%%!%.*s(", (int) k, *p);
	*p += k - 1;
	if (!arg)
		buf_addstr(b, "MISSING");
	else if (fmt_value(e, b, &spec_v, arg, 0) < 0)
		return -1;
	buf_addch(b, ')');
	return 0;
}

/* fmt.Sprintf with Go's verbs for these values: v s q d o b x X c U t T
 * e E f F g G, flags, width and precision; no argument indexes or '*'. */
int tmpl_sprintf(struct buf *b, const char *p, const cJSON *const *args,
		 size_t n, struct err **e)
{
	size_t argi = 0;
	struct fspec f;
	int r = 0;

	while (*p && r >= 0) {
		if (*p != '%') {
			buf_addch(b, *p++);
			continue;
		}
		p = parse_spec(b, p + 1, &f);
		if (!*p) {
			buf_addstr(b, "%!(NOVERB)");
			break;
		}
		if (*p == '%')
			buf_addch(b, '%');
		else if ((unsigned char) *p >= 0x80)
			r = odd_verb(e, b, &p, argi < n ? args[argi++] : NULL);
		else if (argi >= n)
			buf_addf(b, "%%!%c(MISSING)", *p);
		else
			r = fmt_value(e, b, &f, args[argi++], 0);
		p++;
	}
	if (r >= 0 && argi < n)
		r = extra_args(e, b, args + argi, n - argi);
	return r;
}
