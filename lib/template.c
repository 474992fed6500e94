/*
 * template.c - lexer and parser of lib/template.h.
 *
 * This follows the structure of Go's text/template/parse (lex.go, parse.go)
 * closely enough that the same templates are accepted and refused with
 * the same words: the whole source is lexed into tokens first, then a
 * recursive descent parser builds the tree of template_internal.h. Its
 * recursion is bounded by TMPL_MAX_DEPTH.
 */
#include <errno.h>
#include <stdarg.h>
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

/* ---- lexer --------------------------------------------------------- */

enum tok_type {
	TOK_EOF,
	TOK_ERROR, /* the lexer's message is in struct lexer */
	TOK_TEXT,
	TOK_LDELIM,
	TOK_RDELIM,
	TOK_SPACE,
	TOK_DOT,
	TOK_FIELD, /* .Name */
	TOK_VAR,   /* $name or $ */
	TOK_IDENT,
	TOK_STRING,	/* "..." as written */
	TOK_RAW_STRING, /* `...` */
	TOK_CHAR,	/* 'c' */
	TOK_NUMBER,
	TOK_BOOL,
	TOK_NIL,
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_PIPE,
	TOK_DECLARE,   /* := */
	TOK_ASSIGN,    /* = */
	TOK_CHARACTER, /* any other printable ASCII character, e.g. ',' */
	TOK_KEYWORD,   /* the keywords follow */
	TOK_IF,
	TOK_ELSE,
	TOK_END,
	TOK_RANGE,
	TOK_WITH,
	TOK_BREAK,
	TOK_CONTINUE,
	TOK_DEFINE,
	TOK_TEMPLATE,
	TOK_BLOCK,
};

struct token {
	enum tok_type type;
	const char *s;
	size_t len;
};

struct lexer {
	const char *src;
	size_t len;
	size_t pos;
	struct token *toks;
	size_t ntoks;
	size_t alloc;
	char *error;
	int paren;
};

static const struct {
	const char *word;
	enum tok_type type;
} keywords[] = {
    {"block", TOK_BLOCK},	{"break", TOK_BREAK},
    {"continue", TOK_CONTINUE}, {"define", TOK_DEFINE},
    {"else", TOK_ELSE},		{"end", TOK_END},
    {"false", TOK_BOOL},	{"if", TOK_IF},
    {"nil", TOK_NIL},		{"range", TOK_RANGE},
    {"template", TOK_TEMPLATE}, {"true", TOK_BOOL},
    {"with", TOK_WITH},
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Go's unicode.IsLetter/IsDigit, with every non-ASCII byte taken as a
 * letter. */
static bool is_alnum(char c)
{
	return c == '_' || is_digit(c) || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (unsigned char) c >= 0x80;
}

static void emit(struct lexer *l, enum tok_type type, size_t start, size_t end)
{
	if (l->ntoks == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 64;
		l->toks = xrealloc(l->toks, l->alloc * sizeof(*l->toks));
	}
	l->toks[l->ntoks++] = (struct token){
	    .type = type,
	    .s = l->src + start,
	    .len = end - start,
	};
}

static __attribute__((format(printf, 2, 3))) int lex_fail(struct lexer *l,
							  const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	l->error = buf_detach(&b, NULL);
	emit(l, TOK_ERROR, l->pos, l->pos);
	emit(l, TOK_EOF, l->pos, l->pos);
	return -1;
}

/* "}}" or " -}}" at @pos; *trim says which. */
static bool at_rdelim(const struct lexer *l, size_t pos, bool *trim)
{
	const char *s = l->src + pos;

	*trim = false;
	if (pos + 2 <= l->len && s[0] == '}' && s[1] == '}')
		return true;
	*trim = pos + 4 <= l->len && is_space(s[0]) && s[1] == '-' &&
		s[2] == '}' && s[3] == '}';
	return *trim;
}

static bool at_terminator(const struct lexer *l, size_t pos)
{
	bool trim;
	char c;

	if (pos >= l->len)
		return true;
	c = l->src[pos];
	return is_space(c) || strchr(".,|:()", c) || at_rdelim(l, pos, &trim);
}

static int bad_char(struct lexer *l, size_t pos)
{
	unsigned char c = (unsigned char) l->src[pos];

	if (c > 0x20 && c < 0x7f)
		return lex_fail(l, "bad character U+%04X '%c'", c, c);
	return lex_fail(l, "bad character U+%04X", c);
}

static size_t alnum_run(const struct lexer *l, size_t pos)
{
	while (pos < l->len && is_alnum(l->src[pos]))
		pos++;
	return pos;
}

/* .Field or ., $name or $ (Go's lexFieldOrVariable). */
static int lex_field_or_var(struct lexer *l, enum tok_type type)
{
	size_t start = l->pos, end;

	if (at_terminator(l, start + 1)) {
		emit(l, type == TOK_VAR ? TOK_VAR : TOK_DOT, start, start + 1);
		l->pos = start + 1;
		return 0;
	}
	end = alnum_run(l, start + 1);
	if (!at_terminator(l, end)) {
		l->pos = end;
		return bad_char(l, end);
	}
	emit(l, type, start, end);
	l->pos = end;
	return 0;
}

static int lex_identifier(struct lexer *l)
{
	size_t start = l->pos, end = alnum_run(l, start), i;
	enum tok_type type = TOK_IDENT;

	if (!at_terminator(l, end)) {
		l->pos = end;
		return bad_char(l, end);
	}
	for (i = 0; i < ARRAY_SIZE(keywords); i++)
		if (strlen(keywords[i].word) == end - start &&
		    !memcmp(keywords[i].word, l->src + start, end - start))
			type = keywords[i].type;
	emit(l, type, start, end);
	l->pos = end;
	return 0;
}

static size_t accept_run(const struct lexer *l, size_t pos, const char *valid)
{
	while (pos < l->len && strchr(valid, l->src[pos]))
		pos++;
	return pos;
}

/* Go's scanNumber(): the shape only; the parser converts it. */
static int lex_number(struct lexer *l)
{
	const char *digits = "0123456789_";
	size_t p = l->pos;

	if (l->src[p] == '+' || l->src[p] == '-')
		p++;
	if (p < l->len && l->src[p] == '0' && p + 1 < l->len &&
	    strchr("xXoObB", l->src[p + 1])) {
		char base = l->src[p + 1];

		p += 2;
		digits = base == 'x' || base == 'X' ? "0123456789abcdefABCDEF_"
			 : base == 'o' || base == 'O' ? "01234567_"
						      : "01_";
	}
	p = accept_run(l, p, digits);
	if (p < l->len && l->src[p] == '.')
		p = accept_run(l, p + 1, digits);
	if (strlen(digits) == 11 && p < l->len && strchr("eE", l->src[p])) {
		p++;
		if (p < l->len && strchr("+-", l->src[p]))
			p++;
		p = accept_run(l, p, "0123456789_");
	}
	if (p < l->len && l->src[p] == 'i')
		p++;
	if (p < l->len && is_alnum(l->src[p])) {
		int n = (int) (p + 1 - l->pos);

		return lex_fail(l, "bad number syntax: \"%.*s\"", n,
				l->src + l->pos);
	}
	emit(l, TOK_NUMBER, l->pos, p);
	l->pos = p;
	return 0;
}

/* "...", '...' (escapes, one line) or `...` (anything but a backquote),
 * the kind told by the quote at l->pos. */
static int lex_quoted(struct lexer *l)
{
	char quote = l->src[l->pos];
	enum tok_type type = quote == '"'   ? TOK_STRING
			     : quote == '`' ? TOK_RAW_STRING
					    : TOK_CHAR;
	size_t p = l->pos + 1;

	for (;; p++) {
		if (p >= l->len || (quote != '`' && l->src[p] == '\n'))
			break;
		if (l->src[p] == quote) {
			emit(l, type, l->pos, p + 1);
			l->pos = p + 1;
			return 0;
		}
		if (quote != '`' && l->src[p] == '\\' &&
		    (p + 1 >= l->len || l->src[++p] == '\n'))
			break;
	}
	l->pos = p;
	if (quote == '`')
		return lex_fail(l, "unterminated raw quoted string");
	if (quote == '\'')
		return lex_fail(l, "unterminated character constant");
	return lex_fail(l, "unterminated quoted string");
}

static void lex_space(struct lexer *l)
{
	size_t start = l->pos, p = start;
	bool trim;

	while (p < l->len && is_space(l->src[p]))
		p++;
	/* Leave the space of a " -}}" to at_rdelim(). */
	if (at_rdelim(l, p - 1, &trim) && trim)
		p--;
	if (p > start)
		emit(l, TOK_SPACE, start, p);
	l->pos = p;
}

/* Inside {{ }}: everything up to and including the closing delimiter. */
static int lex_action(struct lexer *l, bool *trim_next)
{
	for (;;) {
		size_t p = l->pos;
		bool trim;
		char c;

		if (at_rdelim(l, p, &trim)) {
			if (l->paren > 0)
				return lex_fail(l, "unclosed left paren");
			p += trim ? 2 : 0;
			emit(l, TOK_RDELIM, p, p + 2);
			l->pos = p + 2;
			*trim_next = trim;
			return 0;
		}
		if (p >= l->len)
			return lex_fail(l, "unclosed action");
		c = l->src[p];
		if (is_space(c)) {
			lex_space(l);
			continue;
		}
		switch (c) {
		case '=':
		case '|':
			emit(l, c == '=' ? TOK_ASSIGN : TOK_PIPE, p, p + 1);
			l->pos++;
			continue;
		case ':':
			if (p + 1 >= l->len || l->src[p + 1] != '=')
				return lex_fail(l, "expected :=");
			emit(l, TOK_DECLARE, p, p + 2);
			l->pos += 2;
			continue;
		case '"':
		case '`':
		case '\'':
			if (lex_quoted(l) < 0)
				return -1;
			continue;
		case '$':
			if (lex_field_or_var(l, TOK_VAR) < 0)
				return -1;
			continue;
		case '(':
		case ')':
			l->paren += c == '(' ? 1 : -1;
			if (l->paren < 0)
				return lex_fail(l, "unexpected right paren");
			emit(l, c == '(' ? TOK_LPAREN : TOK_RPAREN, p, p + 1);
			l->pos++;
			continue;
		default:
			break;
		}
		if (c == '.' && !(p + 1 < l->len && is_digit(l->src[p + 1]))) {
			if (lex_field_or_var(l, TOK_FIELD) < 0)
				return -1;
		} else if (c == '.' || c == '+' || c == '-' || is_digit(c)) {
			if (lex_number(l) < 0)
				return -1;
		} else if (is_alnum(c)) {
			if (lex_identifier(l) < 0)
				return -1;
		} else if (c > 0x20 && c < 0x7f) {
			emit(l, TOK_CHARACTER, p, p + 1);
			l->pos++;
		} else {
			return lex_fail(l,
					"unrecognized character in action: "
					"U+%04X",
					(unsigned char) c);
		}
	}
}

/* {{/ * ... * /}}: no token at all. */
static int lex_comment(struct lexer *l, bool *trim_next)
{
	const char *end = strstr(l->src + l->pos + 2, "*/");
	bool trim;

	if (!end)
		return lex_fail(l, "unclosed comment");
	l->pos = end + 2 - l->src;
	if (!at_rdelim(l, l->pos, &trim))
		return lex_fail(l, "comment ends before closing delimiter");
	l->pos += trim ? 4 : 2;
	*trim_next = trim;
	return 0;
}

/* Text up to the next "{{", trimmed as the markers around it ask. */
static void lex_text(struct lexer *l, bool trim_left, const char **open,
		     bool *trim_right)
{
	size_t start = l->pos, end;

	*open = strstr(l->src + l->pos, "{{");
	end = *open ? (size_t) (*open - l->src) : l->len;
	*trim_right = *open && (*open)[2] == '-' && is_space((*open)[3]);
	if (trim_left)
		while (start < end && is_space(l->src[start]))
			start++;
	if (*trim_right)
		while (end > start && is_space(l->src[end - 1]))
			end--;
	if (end > start)
		emit(l, TOK_TEXT, start, end);
}

static void lex(struct lexer *l)
{
	bool trim = false, trim_right;
	const char *open;

	for (;;) {
		lex_text(l, trim, &open, &trim_right);
		if (!open) {
			emit(l, TOK_EOF, l->len, l->len);
			return;
		}
		l->pos = open + (trim_right ? 4 : 2) - l->src;
		trim = false;
		if (!strncmp(l->src + l->pos, "/*", 2)) {
			if (lex_comment(l, &trim) < 0)
				return;
			continue;
		}
		emit(l, TOK_LDELIM, open - l->src, l->pos);
		if (lex_action(l, &trim) < 0)
			return;
	}
}

/* ---- tree ---------------------------------------------------------- */

static void tpipe_free(struct tpipe *pipe);

static void targ_release(struct targ *a)
{
	size_t i;

	free(a->name);
	for (i = 0; i < a->nfields; i++)
		free(a->fields[i]);
	free(a->fields);
	if (a->konst)
		cJSON_Delete(a->konst);
	tpipe_free(a->pipe);
}

static void tcmd_release(struct tcmd *c)
{
	size_t i;

	for (i = 0; i < c->nargs; i++)
		targ_release(&c->args[i]);
	free(c->args);
}

static void tpipe_free(struct tpipe *pipe)
{
	size_t i;

	if (!pipe)
		return;
	for (i = 0; i < pipe->ncmds; i++)
		tcmd_release(&pipe->cmds[i]);
	free(pipe->cmds);
	for (i = 0; i < pipe->nvars; i++)
		free(pipe->vars[i]);
	free(pipe);
}

static void tpipe_freep(struct tpipe **pipe)
{
	tpipe_free(*pipe);
}

/* The recursion follows the nesting, which the parser bounds. */
static void tnode_free(struct tnode *n)
{
	struct tnode *next;

	for (; n; n = next) {
		next = n->next;
		tpipe_free(n->pipe);
		tnode_free(n->list);
		tnode_free(n->elses);
		free(n);
	}
}

static void tnode_freep(struct tnode **n)
{
	tnode_free(*n);
}

void tmpl_free(struct tmpl *t)
{
	if (!t)
		return;
	tnode_free(t->root);
	free(t->src);
	free(t);
}

void tmpl_freep(struct tmpl **t)
{
	tmpl_free(*t);
}

int tmpl_err(struct err **e, const char *fn, const char *fmt, ...)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	va_list ap;

	if (fn)
		buf_addf(&b, "error calling %s: ", fn);
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	return err_cause(e, EINVAL, "template: %s", b.s);
}

/* ---- parser -------------------------------------------------------- */

struct parser {
	const struct token *toks; /* ends with TOK_EOF */
	size_t ntoks;
	size_t pos;
	const char *lex_error;
	const char **vars; /* in scope, innermost last; borrowed */
	size_t nvars;
	size_t vars_alloc;
	int depth;
	int range_depth;
	struct err **e;
};

/* A parse error of @p's template. */
#define perr(p, ...) tmpl_err((p)->e, NULL, __VA_ARGS__)

/* Past the end, peek() and next() keep returning the final TOK_EOF, and
 * backup() undoes every next(). */
static const struct token *peek(const struct parser *p)
{
	return &p->toks[p->pos < p->ntoks ? p->pos : p->ntoks - 1];
}

static const struct token *next(struct parser *p)
{
	const struct token *t = peek(p);

	p->pos++;
	return t;
}

static void backup(struct parser *p)
{
	p->pos--;
}

static const struct token *next_nonspace(struct parser *p)
{
	const struct token *t;

	do
		t = next(p);
	while (t->type == TOK_SPACE);
	return t;
}

/* Consumes spaces, as Go's peekNonSpace() does. */
static const struct token *peek_nonspace(struct parser *p)
{
	const struct token *t = next_nonspace(p);

	backup(p);
	return t;
}

/* Go's item.String(): EOF, <keyword>, or the quoted text (10 bytes). */
static void describe(struct buf *b, const struct token *t)
{
	size_t n = t->len;

	if (t->type == TOK_EOF) {
		buf_addstr(b, "EOF");
		return;
	}
	if (t->type > TOK_KEYWORD) {
		buf_addf(b, "<%.*s>", (int) t->len, t->s);
		return;
	}
	if (n > 10) {
		n = 10;
		while (n > 0 && ((unsigned char) t->s[n] & 0xc0) == 0x80)
			n--;
	}
	tmpl_quote(b, t->s, n);
	if (n < t->len)
		buf_addstr(b, "...");
}

static int unexpected(struct parser *p, const struct token *t,
		      const char *context)
{
	struct buf b = BUF_INIT;
	int r;

	if (t->type == TOK_ERROR)
		return perr(p, "%s", p->lex_error);
	describe(&b, t);
	r = perr(p, "unexpected %s in %s", b.s, context);
	buf_release(&b);
	return r;
}

static int expect(struct parser *p, enum tok_type type, const char *context)
{
	const struct token *t = next_nonspace(p);

	return t->type == type ? 0 : unexpected(p, t, context);
}

static bool var_defined(const struct parser *p, const char *s, size_t len)
{
	size_t i;

	for (i = p->nvars; i-- > 0;)
		if (strlen(p->vars[i]) == len && !memcmp(p->vars[i], s, len))
			return true;
	return false;
}

static void push_var(struct parser *p, const char *name)
{
	if (p->nvars == p->vars_alloc) {
		p->vars_alloc = p->vars_alloc ? p->vars_alloc * 2 : 8;
		p->vars = xrealloc(p->vars, p->vars_alloc * sizeof(*p->vars));
	}
	p->vars[p->nvars++] = name;
}

static int enter(struct parser *p)
{
	if (++p->depth > TMPL_MAX_DEPTH)
		return perr(p, "nesting deeper than %d levels", TMPL_MAX_DEPTH);
	return 0;
}

static int parse_pipeline(struct parser *p, const char *context,
			  enum tok_type end, struct tpipe **out);

static int hex_digit(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * One escape sequence of Go's (strconv.UnquoteChar) at *s, just after
 * the backslash; appends what it stands for. A \' is only valid in a
 * character constant and \" only in a string, as in Go.
 */
static int unescape(const char **s, const char *end, char quote,
		    struct buf *out)
{
	static const char simple[] = "a\ab\bf\fn\nr\rt\tv\v\\\\";
	const char *q = *s, *found;
	uint32_t v = 0;
	int n, d;

	if (q >= end)
		return -1;
	found = strchr(simple, *q);
	if (*q && found && (found - simple) % 2 == 0) {
		buf_addch(out, found[1]);
		*s = q + 1;
		return 0;
	}
	if (*q == quote && quote != '`') {
		buf_addch(out, quote);
		*s = q + 1;
		return 0;
	}
	if (*q >= '0' && *q <= '7') {
		for (n = 0; n < 3; n++, q++) {
			if (q >= end || *q < '0' || *q > '7')
				return -1;
			v = v * 8 + (uint32_t) (*q - '0');
		}
		if (v > 255)
			return -1;
		buf_addch(out, (char) v);
		*s = q;
		return 0;
	}
	n = *q == 'x' ? 2 : *q == 'u' ? 4 : *q == 'U' ? 8 : 0;
	if (!n)
		return -1;
	for (q++; n > 0; n--, q++) {
		if (q >= end || (d = hex_digit(*q)) < 0)
			return -1;
		v = v * 16 + (uint32_t) d;
	}
	if ((*s)[0] == 'x')
		buf_addch(out, (char) v);
	else if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return -1;
	else
		utf8_add(out, v);
	*s = q;
	return 0;
}

/* strconv.Unquote() of a "..." or `...` literal. NUL is refused: cJSON
 * strings end there. */
static int unquote(struct parser *p, const struct token *t, struct buf *out)
{
	const char *s = t->s + 1, *end = t->s + t->len - 1;

	while (s < end) {
		if (*s == '\\' && t->s[0] == '"') {
			s++;
			if (unescape(&s, end, '"', out) < 0)
				goto bad;
		} else if (*s != '\r' || t->s[0] == '"') {
			buf_addch(out, *s++); /* Go drops \r from `...` */
		} else {
			s++;
		}
	}
	if (memchr(out->s, '\0', out->len))
		goto bad;
	return 0;
bad:
	return perr(p, "invalid syntax: %.*s", (int) t->len, t->s);
}

/* The code point of a '...' constant. */
static int unquote_char(struct parser *p, const struct token *t, double *out)
{
	const char *s = t->s + 1, *end = t->s + t->len - 1;
	_cleanup_buf_ struct buf b = BUF_INIT;
	uint32_t cp;

	if (s < end && *s == '\\') {
		/* \x and octal escapes stand for a byte value. */
		bool byte = s[1] == 'x' || (s[1] >= '0' && s[1] <= '7');

		s++;
		if (unescape(&s, end, '\'', &b) < 0 || s != end)
			goto bad;
		if (byte) {
			*out = (unsigned char) b.s[0];
			return 0;
		}
	} else {
		buf_add(&b, s, (size_t) (end - s));
	}
	if (!b.len || utf8_decode(b.s, b.len, &cp) != b.len)
		goto bad;
	*out = cp;
	return 0;
bad:
	return perr(p, "malformed character constant: %.*s", (int) t->len,
		    t->s);
}

/*
 * A number literal, as Go's parse.newNumber() reads it: 0x, 0o, 0b and
 * leading-zero octal integers, decimal integers and floats, with
 * underscores. An integer too large for 64 bits is an error there too.
 */
static int parse_number(struct parser *p, const struct token *t, double *out)
{
	char num[128], *s = num, *end;
	bool neg = false, octal = true;
	unsigned long long u;
	size_t i, n = 0;
	int base = 10;
	double d;

	for (i = 0; i < t->len && n + 1 < sizeof(num); i++)
		if (t->s[i] != '_')
			num[n++] = t->s[i];
	num[n] = '\0';
	if (i < t->len || memchr(t->s, 'i', t->len))
		goto bad;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (s[0] == '0' && s[1] && strchr("xXoObB", s[1])) {
		base = s[1] == 'x' || s[1] == 'X'   ? 16
		       : s[1] == 'o' || s[1] == 'O' ? 8
						    : 2;
		s += 2;
	} else if (strpbrk(s, ".eE")) {
		errno = 0;
		d = strtod(s, &end);
		if (end == s || *end || !strpbrk(s, "0123456789") ||
		    (errno == ERANGE && d > 1))
			goto bad;
		*out = neg ? -d : d;
		return 0;
	} else if (s[0] == '0') {
		for (i = 1; s[i]; i++)
			octal = octal && s[i] <= '7';
		base = octal ? 8 : 10;
	}
	if (!s[0] || s[0] == '+' || s[0] == '-')
		goto bad;
	errno = 0;
	u = strtoull(s, &end, base);
	if (*end)
		goto bad;
	if (errno == ERANGE)
		return perr(p, "integer overflow: \"%.*s\"", (int) t->len,
			    t->s);
	*out = neg ? -(double) u : (double) u;
	return 0;
bad:
	return perr(p, "illegal number syntax: \"%.*s\"", (int) t->len, t->s);
}

static int parse_const(struct parser *p, const struct token *t, struct targ *a)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	double d = 0;

	if (t->type == TOK_BOOL) {
		a->konst = cJSON_CreateBool(t->s[0] == 't');
	} else if (t->type == TOK_NUMBER || t->type == TOK_CHAR) {
		if ((t->type == TOK_NUMBER ? parse_number(p, t, &d)
					   : unquote_char(p, t, &d)) < 0)
			return -1;
		a->konst = cJSON_CreateNumber(d);
	} else {
		if (unquote(p, t, &b) < 0)
			return -1;
		a->konst = cJSON_CreateString(b.s);
	}
	if (!a->konst)
		oom();
	a->type = TARG_CONST;
	return 0;
}

static bool is_literal(enum tok_type t)
{
	return t == TOK_BOOL || t == TOK_NUMBER || t == TOK_CHAR ||
	       t == TOK_STRING || t == TOK_RAW_STRING;
}

static int parse_paren(struct parser *p, struct targ *a, const struct token *t)
{
	int r;

	a->type = TARG_PIPE;
	if (enter(p) < 0)
		return -1;
	r = parse_pipeline(p, "parenthesized pipeline", TOK_RPAREN, &a->pipe);
	p->depth--;
	if (r >= 0)
		a->text_len = (int) (p->toks[p->pos - 1].s + 1 - t->s);
	return r;
}

/* Go's term(): one operand without its field chain; *got says whether
 * there was one. */
static int parse_term(struct parser *p, struct targ *a, bool *got)
{
	const struct token *t = next_nonspace(p);

	*got = true;
	a->text = t->s;
	a->text_len = (int) t->len;
	if (t->type == TOK_IDENT) {
		a->type = TARG_FUNC;
		a->name = xstrndup(t->s, t->len);
		a->fn = tfunc_lookup(a->name);
		if (!a->fn)
			return perr(p, "function \"%s\" not defined", a->name);
	} else if (t->type == TOK_DOT || t->type == TOK_NIL) {
		a->type = t->type == TOK_DOT ? TARG_DOT : TARG_NIL;
	} else if (t->type == TOK_VAR) {
		a->type = TARG_VAR;
		a->name = xstrndup(t->s, t->len);
		if (!var_defined(p, t->s, t->len))
			return perr(p, "undefined variable \"%s\"", a->name);
	} else if (t->type == TOK_FIELD) {
		a->type = TARG_FIELD;
		a->fields = xmalloc(sizeof(*a->fields));
		a->fields[a->nfields++] = xstrndup(t->s + 1, t->len - 1);
	} else if (is_literal(t->type)) {
		return parse_const(p, t, a);
	} else if (t->type == TOK_LPAREN) {
		return parse_paren(p, a, t);
	} else {
		backup(p);
		*got = false;
	}
	return 0;
}

/* A term and the .Field chain right after it. */
static int parse_operand(struct parser *p, struct targ *a, bool *got)
{
	const struct token *t;

	if (parse_term(p, a, got) < 0 || !*got)
		return *got ? -1 : 0;
	if (peek(p)->type != TOK_FIELD)
		return 0;
	if (a->type != TARG_FIELD && a->type != TARG_VAR &&
	    a->type != TARG_PIPE)
		return perr(p, "unexpected . after term \"%.*s\"", a->text_len,
			    a->text);
	while ((t = peek(p))->type == TOK_FIELD) {
		next(p);
		a->fields =
		    xrealloc(a->fields, (a->nfields + 1) * sizeof(*a->fields));
		a->fields[a->nfields++] = xstrndup(t->s + 1, t->len - 1);
		a->text_len = (int) (t->s + t->len - a->text);
	}
	return 0;
}

static int parse_command(struct parser *p, struct tcmd *cmd)
{
	for (;;) {
		struct targ a = {0};
		const struct token *t;
		bool got;

		peek_nonspace(p);
		if (parse_operand(p, &a, &got) < 0) {
			targ_release(&a);
			return -1;
		}
		if (got) {
			cmd->args = xrealloc(cmd->args, (cmd->nargs + 1) *
							    sizeof(*cmd->args));
			cmd->args[cmd->nargs++] = a;
		}
		t = next(p);
		if (t->type == TOK_SPACE)
			continue;
		if (t->type == TOK_RDELIM || t->type == TOK_RPAREN)
			backup(p);
		else if (t->type != TOK_PIPE)
			return unexpected(p, t, "operand");
		break;
	}
	return cmd->nargs ? 0 : perr(p, "empty command");
}

/* Go's checkPipeline(). */
static int check_pipeline(struct parser *p, const struct tpipe *pipe,
			  const char *context)
{
	size_t i;

	if (!pipe->ncmds)
		return perr(p, "missing value for %s", context);
	for (i = 1; i < pipe->ncmds; i++) {
		enum targ_type t = pipe->cmds[i].args[0].type;

		if (t == TARG_CONST || t == TARG_DOT || t == TARG_NIL)
			return perr(p,
				    "non executable command in pipeline "
				    "stage %zu",
				    i + 1);
	}
	return 0;
}

/* $x :=, $x =, and in range $i, $v := (Go's pipeline() preamble). */
static int parse_decls(struct parser *p, const char *context,
		       struct tpipe *pipe)
{
	for (;;) {
		const struct token *v = peek_nonspace(p), *n;
		size_t save = p->pos;

		if (v->type != TOK_VAR)
			return 0;
		next(p);
		n = peek_nonspace(p);
		if (n->type == TOK_DECLARE || n->type == TOK_ASSIGN) {
			next(p);
			pipe->assign = n->type == TOK_ASSIGN;
			pipe->vars[pipe->nvars++] = xstrndup(v->s, v->len);
			return 0;
		}
		if (n->type != TOK_CHARACTER || n->s[0] != ',') {
			p->pos = save;
			return 0;
		}
		next(p);
		pipe->vars[pipe->nvars++] = xstrndup(v->s, v->len);
		if (strcmp(context, "range") || pipe->nvars == 2)
			return perr(p, "too many declarations in %s", context);
		n = peek_nonspace(p);
		if (n->type != TOK_VAR && n->type != TOK_RDELIM &&
		    n->type != TOK_RPAREN)
			return perr(p, "range can only initialize variables");
	}
}

static int parse_pipeline(struct parser *p, const char *context,
			  enum tok_type end, struct tpipe **out)
{
	_cleanup_(tpipe_freep) struct tpipe *pipe = xcalloc(1, sizeof(*pipe));
	const struct token *t;
	size_t i;

	if (parse_decls(p, context, pipe) < 0)
		return -1;
	for (i = 0; pipe->assign && i < pipe->nvars; i++)
		if (!var_defined(p, pipe->vars[i], strlen(pipe->vars[i])))
			return perr(p, "undefined variable \"%s\"",
				    pipe->vars[i]);
	while ((t = next_nonspace(p))->type != end) {
		if (!is_literal(t->type) && t->type != TOK_DOT &&
		    t->type != TOK_FIELD && t->type != TOK_IDENT &&
		    t->type != TOK_NIL && t->type != TOK_VAR &&
		    t->type != TOK_LPAREN)
			return unexpected(p, t, context);
		backup(p);
		pipe->cmds = xrealloc(pipe->cmds,
				      (pipe->ncmds + 1) * sizeof(*pipe->cmds));
		pipe->cmds[pipe->ncmds] = (struct tcmd){0};
		if (parse_command(p, &pipe->cmds[pipe->ncmds++]) < 0)
			return -1;
	}
	if (check_pipeline(p, pipe, context) < 0)
		return -1;
	/* Declared now, so `$x := $x` needs an outer $x. They live until
	 * the {{end}} of the enclosing control structure. */
	for (i = 0; !pipe->assign && i < pipe->nvars; i++)
		push_var(p, pipe->vars[i]);
	*out = TAKE_PTR(pipe);
	return 0;
}

static int parse_list(struct parser *p, struct tnode **out,
		      enum tok_type *stop);

static int parse_control(struct parser *p, enum tnode_type type,
			 struct tnode **out)
{
	static const char *const names[] = {
	    [TNODE_IF] = "if",
	    [TNODE_WITH] = "with",
	    [TNODE_RANGE] = "range",
	};
	_cleanup_(tnode_freep) struct tnode *n = xcalloc(1, sizeof(*n));
	size_t mark = p->nvars;
	enum tok_type stop;
	int r;

	n->type = type;
	if (enter(p) < 0 ||
	    parse_pipeline(p, names[type], TOK_RDELIM, &n->pipe) < 0)
		return -1;
	p->range_depth += type == TNODE_RANGE;
	r = parse_list(p, &n->list, &stop);
	p->range_depth -= type == TNODE_RANGE;
	if (r < 0)
		return -1;
	if (stop == TOK_ELSE) {
		/* {{else if ...}} is {{else}}{{if ...}}...{{end}}{{end}},
		 * both ends the same; {{else with}} alike. */
		enum tok_type t = peek(p)->type;

		if ((type == TNODE_IF && t == TOK_IF) ||
		    (type == TNODE_WITH && t == TOK_WITH)) {
			next(p);
			r = parse_control(p, type, &n->elses);
		} else if ((r = parse_list(p, &n->elses, &stop)) >= 0 &&
			   stop == TOK_ELSE) {
			r = perr(p, "expected end; found {{else}}");
		}
		if (r < 0)
			return -1;
	}
	if (stop == TOK_EOF)
		return perr(p, "unexpected EOF");
	p->nvars = mark;
	p->depth--;
	*out = TAKE_PTR(n);
	return 0;
}

/* {{break}} or {{continue}}. */
static int parse_loop_control(struct parser *p, const struct token *t,
			      struct tnode **out)
{
	bool brk = t->type == TOK_BREAK;

	if (!p->range_depth)
		return perr(p, "{{%s}} outside {{range}}",
			    brk ? "break" : "continue");
	if (expect(p, TOK_RDELIM, brk ? "{{break}}" : "{{continue}}") < 0)
		return -1;
	*out = xcalloc(1, sizeof(**out));
	(*out)->type = brk ? TNODE_BREAK : TNODE_CONTINUE;
	return 0;
}

/* After "{{": one action, or *stop set for {{end}} and {{else}}. */
static int parse_action(struct parser *p, struct tnode **out,
			enum tok_type *stop)
{
	const struct token *t = next_nonspace(p);
	_cleanup_(tnode_freep) struct tnode *n = NULL;

	if (t->type == TOK_BREAK || t->type == TOK_CONTINUE)
		return parse_loop_control(p, t, out);
	if (t->type == TOK_ELSE) {
		*stop = TOK_ELSE;
		t = peek_nonspace(p);
		if (t->type == TOK_IF || t->type == TOK_WITH)
			return 0;
		return expect(p, TOK_RDELIM, "else");
	}
	if (t->type == TOK_END) {
		*stop = TOK_END;
		return expect(p, TOK_RDELIM, "end");
	}
	if (t->type == TOK_IF || t->type == TOK_WITH || t->type == TOK_RANGE)
		return parse_control(p,
				     t->type == TOK_IF	   ? TNODE_IF
				     : t->type == TOK_WITH ? TNODE_WITH
							   : TNODE_RANGE,
				     out);
	if (t->type == TOK_DEFINE || t->type == TOK_TEMPLATE ||
	    t->type == TOK_BLOCK)
		return perr(p, "{{%.*s}} is not supported", (int) t->len, t->s);
	backup(p);
	n = xcalloc(1, sizeof(*n));
	n->type = TNODE_PRINT;
	if (parse_pipeline(p, "command", TOK_RDELIM, &n->pipe) < 0)
		return -1;
	*out = TAKE_PTR(n);
	return 0;
}

/* Text and actions up to the end of input, an {{end}} or an {{else}},
 * which *stop tells. */
static int parse_list(struct parser *p, struct tnode **out, enum tok_type *stop)
{
	_cleanup_(tnode_freep) struct tnode *head = NULL;
	struct tnode **tail = &head;

	*stop = TOK_EOF;
	for (;;) {
		const struct token *t = next(p);
		struct tnode *n = NULL;

		if (t->type == TOK_EOF)
			break;
		if (t->type == TOK_TEXT) {
			n = xcalloc(1, sizeof(*n));
			n->type = TNODE_TEXT;
			n->text = t->s;
			n->len = t->len;
		} else if (t->type != TOK_LDELIM) {
			return unexpected(p, t, "input");
		} else if (parse_action(p, &n, stop) < 0) {
			return -1;
		} else if (!n) {
			break;
		}
		*tail = n;
		tail = &n->next;
	}
	*out = TAKE_PTR(head);
	return 0;
}

int tmpl_parse(const char *src, struct tmpl **out, struct err **e)
{
	_cleanup_(tmpl_freep) struct tmpl *t = xcalloc(1, sizeof(*t));
	struct lexer l = {0};
	struct parser p = {.e = e};
	enum tok_type stop;
	int r;

	t->src = xstrdup(src);
	l.src = t->src;
	l.len = strlen(t->src);
	lex(&l);
	p.toks = l.toks;
	p.ntoks = l.ntoks;
	p.lex_error = l.error;
	push_var(&p, "$");
	r = parse_list(&p, &t->root, &stop);
	if (r >= 0 && stop != TOK_EOF)
		r = perr(&p, "unexpected {{%s}}",
			 stop == TOK_END ? "end" : "else");
	free(l.toks);
	free(l.error);
	free(p.vars);
	if (r < 0)
		return r;
	*out = TAKE_PTR(t);
	return 0;
}

char *tmpl_docker_prepare(const char *format, bool *table)
{
	struct buf b = BUF_INIT;
	const char *s = format;
	size_t n;

	*table = !strncmp(s, "table", 5);
	if (*table)
		s += 5;
	while (*s == ' ')
		s++;
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		n--;
	for (; n > 0; s++, n--) {
		if (s[0] == '\\' && n > 1 && (s[1] == 't' || s[1] == 'n')) {
			buf_addch(&b, s[1] == 't' ? '\t' : '\n');
			s++;
			n--;
		} else {
			buf_addch(&b, s[0]);
		}
	}
	return buf_detach(&b, NULL);
}
