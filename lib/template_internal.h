/*
 * template_internal.h - the parse tree of lib/template.h, shared by its
 * parser (lib/template.c) and its evaluator (lib/template_exec.c). No
 * other file includes it.
 *
 * The tree owns everything it points to, except text nodes and operand
 * texts, which point into struct tmpl's copy of the source.
 */
#ifndef HUSK_TEMPLATE_INTERNAL_H
#define HUSK_TEMPLATE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "lib/buf.h"
#include "lib/err.h"

/* Control structures plus parentheses, nested. */
#define TMPL_MAX_DEPTH 100

struct tfunc;

enum targ_type {
	TARG_DOT,   /* . */
	TARG_FIELD, /* .A.B: fields of dot */
	TARG_VAR,   /* $x or $x.A.B */
	TARG_FUNC,  /* a function name */
	TARG_CONST, /* a string, number or bool literal */
	TARG_NIL,   /* nil */
	TARG_PIPE,  /* (pipeline) or (pipeline).A.B */
};

struct targ {
	enum targ_type type;
	const char *text; /* the operand as written, for messages */
	int text_len;
	char *name;		/* TARG_VAR: "$x"; TARG_FUNC: its name */
	const struct tfunc *fn; /* TARG_FUNC */
	char **fields;		/* the chain, without dots */
	size_t nfields;
	cJSON *konst;	    /* TARG_CONST */
	struct tpipe *pipe; /* TARG_PIPE */
};

struct tcmd {
	struct targ *args; /* args[0] is what runs: a function, ... */
	size_t nargs;
};

struct tpipe {
	struct tcmd *cmds; /* cmds[i]'s value is cmds[i+1]'s last arg */
	size_t ncmds;
	char *vars[2]; /* $x := ..., or range's $i, $v := ... */
	size_t nvars;
	bool assign; /* = (set existing) rather than := (declare) */
};

enum tnode_type {
	TNODE_TEXT,
	TNODE_PRINT, /* {{pipeline}}; prints unless it declares */
	TNODE_IF,
	TNODE_WITH,
	TNODE_RANGE,
	TNODE_BREAK,
	TNODE_CONTINUE,
};

struct tnode {
	enum tnode_type type;
	struct tnode *next;
	const char *text; /* TNODE_TEXT */
	size_t len;
	struct tpipe *pipe;
	struct tnode *list;  /* if, with, range: the body */
	struct tnode *elses; /* and the {{else}} part */
};

struct tmpl {
	char *src;
	struct tnode *root;
};

/*
 * tmpl_err() - fails with err_cause(e, EINVAL, "template: " + the message),
 * the prefix Go's text/template puts on its errors. A non-NULL @fn names
 * the function whose call failed: "template: error calling index: ...".
 * Returns a negative value, as err_cause() does (template.c).
 */
int tmpl_err(struct err **e, const char *fn, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The function called NAME, NULL when there is none (template_exec.c). */
const struct tfunc *tfunc_lookup(const char *name);

/* ---- template_print.c: values and how they print ---- */

/* pad's counts, printf's widths and precisions are at most this. */
#define TMPL_WIDTH_MAX 1000000

enum tmpl_kind {
	VK_NONE, /* no value: a NULL node, what index finds for no key */
	VK_NULL,
	VK_BOOL,
	VK_NUM,
	VK_STR,
	VK_ARR,
	VK_OBJ,
};

enum tmpl_kind tmpl_kind_of(const cJSON *j);
/* "null", "number", "array", ... for messages. */
const char *tmpl_kind_name(enum tmpl_kind k);
/* A string node's text, never NULL. */
const char *tmpl_str(const cJSON *j);
/* Whether J is a number with an integral value that a double holds
 * exactly, which *out is then. */
bool tmpl_int(const cJSON *j, long long *out);
/* The member KEY of object O; the last one if the key repeats, as Go's
 * decoder keeps it. NULL when there is none. */
const cJSON *tmpl_get(const cJSON *o, const char *key);

struct tmpl_entry {
	const char *key;
	const cJSON *v;
	size_t order;
};

/* Object O's members sorted by key (Go's order for maps), a repeated key
 * once. The caller frees the array; *n is its length. */
struct tmpl_entry *tmpl_entries(const cJSON *o, size_t *n);

/* Appends S in upper (mode 1) or lower case (0) or title-cased (2), as
 * strings.ToUpper/ToLower/Title do. */
void tmpl_map_case(struct buf *b, const char *s, int mode);
/* Appends S as a Go double-quoted string literal (strconv.Quote). */
void tmpl_quote(struct buf *b, const char *s, size_t len);

/*
 * Appending J as fmt's %v would print it, as docker's `json` function
 * (encoding/json) would, and Go's Sprint/Sprintln/Sprintf. A JSON NULL
 * node pointer (no value) is Go's nil. They fail only on values nested
 * deeper than 1000 levels, and may then have appended part of the text.
 */
int tmpl_print(struct buf *b, const cJSON *j, struct err **e);
int tmpl_json(struct buf *b, const cJSON *j, struct err **e);
int tmpl_sprint(struct buf *b, const cJSON *const *args, size_t n, bool ln,
		struct err **e);
int tmpl_sprintf(struct buf *b, const char *format, const cJSON *const *args,
		 size_t n, struct err **e);

#endif
