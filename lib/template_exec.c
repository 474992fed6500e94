/*
 * template_exec.c - running lib/template.h's trees over cJSON data: the
 * walk over the tree and the functions (printing is template_print.c).
 *
 * Values borrow from the caller's data, from the tree's literals, or share
 * a computed cJSON tree through a reference count (struct box), so that a
 * variable, a `with` dot or a `range` element stays valid for as long as
 * it is used, whoever else lets go of the tree.
 */
#include <errno.h>
#include <limits.h>
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

/* ---- values -------------------------------------------------------- */

struct box {
	unsigned long refs;
	cJSON *j;
};

struct val {
	const cJSON *j;	 /* NULL: no value (index found no key) */
	struct box *box; /* the owner of j's tree when it was computed */
};

#define VAL_NONE ((struct val){NULL, NULL})

static const cJSON null_node = {.type = cJSON_NULL};

static struct val val_borrow(const cJSON *j)
{
	return (struct val){j, NULL};
}

static struct val val_own(cJSON *j)
{
	struct box *box;

	if (!j)
		oom();
	box = xmalloc(sizeof(*box));
	box->refs = 1;
	box->j = j;
	return (struct val){j, box};
}

/* Another reference to @v, or to @child, a part of @v's tree. */
static struct val val_child(const struct val *v, const cJSON *child)
{
	if (v->box)
		v->box->refs++;
	return (struct val){child, v->box};
}

static struct val val_ref(const struct val *v)
{
	return val_child(v, v->j);
}

static void val_release(struct val *v)
{
	if (v->box && --v->box->refs == 0) {
		cJSON_Delete(v->box->j);
		free(v->box);
	}
	*v = VAL_NONE;
}

#define _cleanup_val_ _cleanup_(val_release)

static struct val val_str(const char *s)
{
	return val_own(cJSON_CreateString(s));
}

static struct val val_num(double d)
{
	return val_own(cJSON_CreateNumber(d));
}

static struct val val_bool(bool b)
{
	return val_own(cJSON_CreateBool(b));
}

static bool truth(const cJSON *j)
{
	switch (tmpl_kind_of(j)) {
	case VK_NONE:
	case VK_NULL:
		return false;
	case VK_BOOL:
		return cJSON_IsTrue(j);
	case VK_NUM:
		return j->valuedouble != 0;
	case VK_STR:
		return tmpl_str(j)[0] != '\0';
	case VK_ARR:
	case VK_OBJ:
		return j->child != NULL;
	}
	return false;
}

/* ---- state --------------------------------------------------------- */

struct var {
	const char *name;
	struct val v;
};

struct exec {
	struct buf *out;
	struct var *vars;
	size_t nvars;
	size_t alloc;
	struct err **e;
};

/* An error of the running template. */
#define xerr(x, ...) tmpl_err((x)->e, NULL, __VA_ARGS__)
/* A function's own failure: "error calling index: ...", as Go says. */
#define ferr(x, fn, ...) tmpl_err((x)->e, (fn), __VA_ARGS__)

/* Takes over @v. */
static void push_var(struct exec *x, const char *name, struct val v)
{
	if (x->nvars == x->alloc) {
		x->alloc = x->alloc ? x->alloc * 2 : 8;
		x->vars = xrealloc(x->vars, x->alloc * sizeof(*x->vars));
	}
	x->vars[x->nvars++] = (struct var){name, v};
}

static void pop_vars(struct exec *x, size_t mark)
{
	while (x->nvars > mark)
		val_release(&x->vars[--x->nvars].v);
}

static struct var *find_var(struct exec *x, const char *name)
{
	size_t i;

	for (i = x->nvars; i-- > 0;)
		if (!strcmp(x->vars[i].name, name))
			return &x->vars[i];
	return NULL;
}

/* Takes over @v. */
static void set_var(struct var *var, struct val v)
{
	val_release(&var->v);
	var->v = v;
}

/* What {{pipeline}} prints. */
static int print_value(struct exec *x, const cJSON *j)
{
	if (!j) {
		buf_addstr(x->out, "<no value>");
		return 0;
	}
	return tmpl_print(x->out, j, x->e);
}

/* ---- functions ----------------------------------------------------- */

typedef int tfunc_fn(struct exec *x, const char *fn, struct val *a, size_t n,
		     struct val *out);

struct tfunc {
	const char *name;
	size_t min;
	size_t max;   /* SIZE_MAX: any number */
	tfunc_fn *fn; /* NULL for and/or, which evaluate lazily */
};

static int want_str(struct exec *x, const char *fn, const struct val *v,
		    const char **s)
{
	if (tmpl_kind_of(v->j) != VK_STR)
		return ferr(x, fn, "expected a string, got %s",
			    tmpl_kind_name(tmpl_kind_of(v->j)));
	*s = tmpl_str(v->j);
	return 0;
}

static int want_int(struct exec *x, const char *fn, const struct val *v,
		    long long min, long long max, long long *out)
{
	_cleanup_buf_ struct buf b = BUF_INIT;

	if (tmpl_kind_of(v->j) == VK_NUM && !tmpl_int(v->j, out)) {
		(void) tmpl_print(&b, v->j, NULL);
		return ferr(x, fn, "%s is not an integer", b.s);
	}
	if (!tmpl_int(v->j, out))
		return ferr(x, fn, "expected an integer, got %s",
			    tmpl_kind_name(tmpl_kind_of(v->j)));
	if (*out < min || *out > max)
		return ferr(x, fn, "%lld is out of range", *out);
	return 0;
}

static int fn_json(struct exec *x, const char *fn, struct val *a, size_t n,
		   struct val *out)
{
	_cleanup_buf_ struct buf b = BUF_INIT;

	if (tmpl_json(&b, a[0].j, x->e) < 0)
		return -1;
	*out = val_str(b.s);
	return 0;
}

/* One step of index: @v[@key]. */
static int index_one(struct exec *x, struct val *v, const struct val *key)
{
	enum tmpl_kind k = tmpl_kind_of(v->j), kk = tmpl_kind_of(key->j);
	const cJSON *c = NULL;
	long long i = 0, size = 0;
	struct val next = VAL_NONE;

	if (k == VK_NONE || k == VK_NULL)
		return ferr(x, "index", "index of untyped nil");
	if (k == VK_OBJ) {
		if (kk != VK_STR)
			return ferr(x, "index",
				    "cannot index an object "
				    "with %s",
				    tmpl_kind_name(kk));
		c = tmpl_get(v->j, tmpl_str(key->j));
		next = c ? val_child(v, c) : VAL_NONE;
	} else if (k == VK_ARR || k == VK_STR) {
		if (!tmpl_int(key->j, &i))
			return ferr(x, "index", "cannot index %s with %s",
				    tmpl_kind_name(k), tmpl_kind_name(kk));
		size = k == VK_ARR ? cJSON_GetArraySize(v->j)
				   : (long long) strlen(tmpl_str(v->j));
		if (i < 0 || i >= size)
			return ferr(x, "index", "index out of range: %lld", i);
		if (k == VK_STR) {
			next = val_num((unsigned char) tmpl_str(v->j)[i]);
		} else {
			for (c = v->j->child; i > 0; i--)
				c = c->next;
			next = val_child(v, c);
		}
	} else {
		return ferr(x, "index", "can't index item of type %s",
			    tmpl_kind_name(k));
	}
	val_release(v);
	*v = next;
	return 0;
}

static int fn_index(struct exec *x, const char *fn, struct val *a, size_t n,
		    struct val *out)
{
	struct val v = val_ref(&a[0]);
	size_t i;

	for (i = 1; i < n; i++) {
		if (index_one(x, &v, &a[i]) < 0) {
			val_release(&v);
			return -1;
		}
	}
	*out = v;
	return 0;
}

static int fn_len(struct exec *x, const char *fn, struct val *a, size_t n,
		  struct val *out)
{
	_cleanup_free_ struct tmpl_entry *e = NULL;
	size_t len = 0;

	switch (tmpl_kind_of(a[0].j)) {
	case VK_ARR:
		len = (size_t) cJSON_GetArraySize(a[0].j);
		break;
	case VK_OBJ:
		e = tmpl_entries(a[0].j, &len);
		break;
	case VK_STR:
		len = strlen(tmpl_str(a[0].j));
		break;
	case VK_NONE:
	case VK_NULL:
	case VK_BOOL:
	case VK_NUM:
		return ferr(x, fn, "len of %s",
			    tmpl_kind_name(tmpl_kind_of(a[0].j)));
	}
	*out = val_num((double) len);
	return 0;
}

static int fn_join(struct exec *x, const char *fn, struct val *a, size_t n,
		   struct val *out)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	const char *sep;
	const cJSON *c;
	enum tmpl_kind k = tmpl_kind_of(a[0].j);

	if (want_str(x, fn, &a[1], &sep) < 0)
		return -1;
	if (k != VK_ARR && k != VK_NULL && k != VK_NONE)
		return ferr(x, fn, "expected an array, got %s",
			    tmpl_kind_name(k));
	for (c = k == VK_ARR ? a[0].j->child : NULL; c; c = c->next) {
		if (c != a[0].j->child)
			buf_addstr(&b, sep);
		if (tmpl_print(&b, c, x->e) < 0)
			return -1;
	}
	*out = val_str(b.s);
	return 0;
}

/* strings.Split: an empty separator splits into runes. */
static int fn_split(struct exec *x, const char *fn, struct val *a, size_t n,
		    struct val *out)
{
	const char *s, *sep, *hit;
	size_t len, step;
	cJSON *arr;
	uint32_t cp;

	if (want_str(x, fn, &a[0], &s) < 0 || want_str(x, fn, &a[1], &sep) < 0)
		return -1;
	*out = val_own(cJSON_CreateArray());
	arr = out->box->j;
	len = strlen(sep);
	while (len ? (hit = strstr(s, sep)) != NULL : *s != '\0') {
		_cleanup_free_ char *part = NULL;

		step = len ? (size_t) (hit - s) : utf8_next(s, strlen(s), &cp);
		part = xstrndup(s, step);
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(part)))
			oom();
		s += step + len;
	}
	if (len && !cJSON_AddItemToArray(arr, cJSON_CreateString(s)))
		oom();
	return 0;
}

static int fn_case(struct exec *x, const char *fn, struct val *a, size_t n,
		   struct val *out)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	const char *s;

	if (want_str(x, fn, &a[0], &s) < 0)
		return -1;
	tmpl_map_case(&b, s, fn[0] == 'u' ? 1 : fn[0] == 'l' ? 0 : 2);
	*out = val_str(b.s);
	return 0;
}

/* docker's truncate, counting runes rather than bytes. */
static int fn_truncate(struct exec *x, const char *fn, struct val *a, size_t n,
		       struct val *out)
{
	_cleanup_free_ char *s = NULL;
	const char *src;
	long long len;

	if (want_str(x, fn, &a[0], &src) < 0 ||
	    want_int(x, fn, &a[1], 0, LLONG_MAX, &len) < 0)
		return -1;
	s = xstrndup(src, utf8_prefix(src, strlen(src), (size_t) len));
	*out = val_str(s);
	return 0;
}

/* docker's pad: spaces around a string, none around an empty one. */
static int fn_pad(struct exec *x, const char *fn, struct val *a, size_t n,
		  struct val *out)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	long long left, right;
	const char *s;

	if (want_str(x, fn, &a[0], &s) < 0 ||
	    want_int(x, fn, &a[1], 0, TMPL_WIDTH_MAX, &left) < 0 ||
	    want_int(x, fn, &a[2], 0, TMPL_WIDTH_MAX, &right) < 0)
		return -1;
	if (*s) {
		for (; left > 0; left--)
			buf_addch(&b, ' ');
		buf_addstr(&b, s);
		for (; right > 0; right--)
			buf_addch(&b, ' ');
	}
	*out = val_str(b.s);
	return 0;
}

static int fn_print(struct exec *x, const char *fn, struct val *a, size_t n,
		    struct val *out)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	_cleanup_free_ const cJSON **args = xcalloc(n + 1, sizeof(*args));
	const char *format = NULL;
	size_t i;
	int r;

	for (i = 0; i < n; i++)
		args[i] = a[i].j;
	if (strcmp(fn, "printf"))
		r = tmpl_sprint(&b, args, n, !strcmp(fn, "println"), x->e);
	else if ((r = want_str(x, fn, &a[0], &format)) >= 0)
		r = tmpl_sprintf(&b, format, args + 1, n - 1, x->e);
	if (r < 0)
		return -1;
	*out = val_str(b.s);
	return 0;
}

static int fn_not(struct exec *x, const char *fn, struct val *a, size_t n,
		  struct val *out)
{
	*out = val_bool(!truth(a[0].j));
	return 0;
}

/* Go's basicKind() classes, nil and the rest apart. */
static enum tmpl_kind cmp_kind(const cJSON *j)
{
	enum tmpl_kind k = tmpl_kind_of(j);

	return k == VK_NONE ? VK_NULL : k == VK_OBJ ? VK_ARR : k;
}

static int fn_eq(struct exec *x, const char *fn, struct val *a, size_t n,
		 struct val *out)
{
	enum tmpl_kind k1 = cmp_kind(a[0].j), k2;
	bool same = false;
	size_t i;

	if (n < 2)
		return ferr(x, fn, "missing argument for comparison");
	for (i = 1; i < n && !same; i++) {
		k2 = cmp_kind(a[i].j);
		if (k1 == VK_NULL || k2 == VK_NULL)
			same = k1 == k2;
		else if (k1 != k2)
			return ferr(x, fn, "incompatible types for comparison");
		else if (k1 == VK_ARR)
			return ferr(x, fn, "non-comparable type %s",
				    tmpl_kind_name(tmpl_kind_of(a[0].j)));
		else if (k1 == VK_NUM)
			same = a[0].j->valuedouble == a[i].j->valuedouble;
		else if (k1 == VK_STR)
			same = !strcmp(tmpl_str(a[0].j), tmpl_str(a[i].j));
		else
			same = cJSON_IsTrue(a[0].j) == cJSON_IsTrue(a[i].j);
	}
	if (!strcmp(fn, "ne"))
		same = !same;
	*out = val_bool(same);
	return 0;
}

/* lt, le, gt, ge: numbers with numbers, strings with strings. */
static int fn_order(struct exec *x, const char *fn, struct val *a, size_t n,
		    struct val *out)
{
	enum tmpl_kind k1 = cmp_kind(a[0].j), k2 = cmp_kind(a[1].j);
	int c;

	if (k1 != VK_NUM && k1 != VK_STR)
		return ferr(x, fn, "invalid type for comparison");
	if (k2 != VK_NUM && k2 != VK_STR)
		return ferr(x, fn, "invalid type for comparison");
	if (k1 != k2)
		return ferr(x, fn, "incompatible types for comparison");
	if (k1 == VK_NUM)
		c = (a[0].j->valuedouble > a[1].j->valuedouble) -
		    (a[0].j->valuedouble < a[1].j->valuedouble);
	else
		c = strcmp(tmpl_str(a[0].j), tmpl_str(a[1].j));
	*out = val_bool(fn[0] == 'l' ? (fn[1] == 't' ? c < 0 : c <= 0)
				     : (fn[1] == 't' ? c > 0 : c >= 0));
	return 0;
}

static const struct tfunc funcs[] = {
    {"and", 1, SIZE_MAX, NULL},
    {"eq", 1, SIZE_MAX, fn_eq},
    {"ge", 2, 2, fn_order},
    {"gt", 2, 2, fn_order},
    {"index", 1, SIZE_MAX, fn_index},
    {"join", 2, 2, fn_join},
    {"json", 1, 1, fn_json},
    {"le", 2, 2, fn_order},
    {"len", 1, 1, fn_len},
    {"lower", 1, 1, fn_case},
    {"lt", 2, 2, fn_order},
    {"ne", 2, 2, fn_eq},
    {"not", 1, 1, fn_not},
    {"or", 1, SIZE_MAX, NULL},
    {"pad", 3, 3, fn_pad},
    {"print", 0, SIZE_MAX, fn_print},
    {"printf", 1, SIZE_MAX, fn_print},
    {"println", 0, SIZE_MAX, fn_print},
    {"split", 2, 2, fn_split},
    {"title", 1, 1, fn_case},
    {"truncate", 2, 2, fn_truncate},
    {"upper", 1, 1, fn_case},
};

const struct tfunc *tfunc_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(funcs); i++)
		if (!strcmp(funcs[i].name, name))
			return &funcs[i];
	return NULL;
}

/* ---- evaluation ---------------------------------------------------- */

static int eval_pipe(struct exec *x, const struct val *dot,
		     const struct tpipe *pipe, bool bind, struct val *out);

static int eval_arg(struct exec *x, const struct val *dot, const struct targ *a,
		    struct val *out);

/* Follows a .A.B chain from @v, which it takes over. */
static int eval_fields(struct exec *x, struct val v, const struct targ *a,
		       struct val *out)
{
	size_t i;

	for (i = 0; i < a->nfields; i++) {
		const char *name = a->fields[i];
		enum tmpl_kind k = tmpl_kind_of(v.j);
		const cJSON *c = k == VK_OBJ ? tmpl_get(v.j, name) : NULL;
		struct val next;

		if (!c) {
			val_release(&v);
			if (k == VK_OBJ)
				return xerr(x,
					    "can't evaluate field %s: no "
					    "such key",
					    name);
			return xerr(x, "can't evaluate field %s in type %s",
				    name, tmpl_kind_name(k));
		}
		next = val_child(&v, c);
		val_release(&v);
		v = next;
	}
	*out = v;
	return 0;
}

/* and, or: Go stops at the first operand that decides. */
static int call_and_or(struct exec *x, const struct val *dot,
		       const struct tfunc *f, const struct targ *args,
		       size_t nargs, const struct val *final, struct val *out)
{
	size_t n = nargs + (final ? 1 : 0), i;
	bool is_and = f->name[0] == 'a';

	for (i = 0; i < n; i++) {
		struct val v = VAL_NONE;

		if (i < nargs && eval_arg(x, dot, &args[i], &v) < 0)
			return -1;
		if (i == nargs)
			v = val_ref(final);
		if (i + 1 == n || truth(v.j) != is_and) {
			*out = v;
			return 0;
		}
		val_release(&v);
	}
	return 0;
}

static int call(struct exec *x, const struct val *dot, const struct tfunc *f,
		const struct targ *args, size_t nargs, const struct val *final,
		struct val *out)
{
	size_t n = nargs + (final ? 1 : 0), i;
	struct val *v;
	int r = 0;

	if (n < f->min || n > f->max) {
		if (f->max == SIZE_MAX)
			return xerr(x,
				    "wrong number of args for %s: want at "
				    "least %zu got %zu",
				    f->name, f->min, n);
		return xerr(x, "wrong number of args for %s: want %zu got %zu",
			    f->name, f->min, n);
	}
	if (!f->fn)
		return call_and_or(x, dot, f, args, nargs, final, out);
	v = xcalloc(n + 1, sizeof(*v));
	for (i = 0; i < nargs && r >= 0; i++)
		r = eval_arg(x, dot, &args[i], &v[i]);
	if (r >= 0 && final)
		v[nargs] = val_ref(final);
	if (r >= 0)
		r = f->fn(x, f->name, v, n, out);
	for (i = 0; i < n; i++)
		val_release(&v[i]);
	free(v);
	return r;
}

static int eval_arg(struct exec *x, const struct val *dot, const struct targ *a,
		    struct val *out)
{
	struct val v = VAL_NONE;
	struct var *var;

	switch (a->type) {
	case TARG_DOT:
		*out = val_ref(dot);
		return 0;
	case TARG_CONST:
		*out = val_borrow(a->konst);
		return 0;
	case TARG_NIL:
		*out = val_borrow(&null_node);
		return 0;
	case TARG_FUNC:
		return call(x, dot, a->fn, NULL, 0, NULL, out);
	case TARG_VAR:
		var = find_var(x, a->name);
		if (!var)
			return xerr(x, "undefined variable: %s", a->name);
		v = val_ref(&var->v);
		break;
	case TARG_FIELD:
		v = val_ref(dot);
		break;
	case TARG_PIPE:
		if (eval_pipe(x, dot, a->pipe, true, &v) < 0)
			return -1;
		break;
	}
	return eval_fields(x, v, a, out);
}

static int eval_cmd(struct exec *x, const struct val *dot,
		    const struct tcmd *cmd, const struct val *final,
		    struct val *out)
{
	const struct targ *a = &cmd->args[0];

	if (a->type == TARG_FUNC)
		return call(x, dot, a->fn, cmd->args + 1, cmd->nargs - 1, final,
			    out);
	if (cmd->nargs > 1 || final)
		return xerr(x, "can't give argument to non-function %.*s",
			    a->text_len, a->text);
	if (a->type == TARG_NIL)
		return xerr(x, "nil is not a command");
	return eval_arg(x, dot, a, out);
}

/* := declares, = assigns, every variable of @pipe to @v. */
static void bind_vars(struct exec *x, const struct tpipe *pipe,
		      const struct val *v)
{
	size_t i;

	for (i = 0; i < pipe->nvars; i++) {
		struct var *var =
		    pipe->assign ? find_var(x, pipe->vars[i]) : NULL;

		if (var)
			set_var(var, val_ref(v));
		else
			push_var(x, pipe->vars[i], val_ref(v));
	}
}

/* Each command's value is the next one's last argument. */
static int eval_pipe(struct exec *x, const struct val *dot,
		     const struct tpipe *pipe, bool bind, struct val *out)
{
	struct val v = VAL_NONE;
	size_t i;

	for (i = 0; i < pipe->ncmds; i++) {
		struct val next = VAL_NONE;
		int r = eval_cmd(x, dot, &pipe->cmds[i], i ? &v : NULL, &next);

		val_release(&v);
		if (r < 0)
			return r;
		v = next;
	}
	if (bind)
		bind_vars(x, pipe, &v);
	*out = v;
	return 0;
}

enum { WALK_NEXT, WALK_BREAK, WALK_CONTINUE };

static int walk(struct exec *x, const struct val *dot, const struct tnode *n);

static int walk_print(struct exec *x, const struct val *dot,
		      const struct tpipe *pipe)
{
	_cleanup_val_ struct val v = VAL_NONE;

	if (eval_pipe(x, dot, pipe, true, &v) < 0)
		return -1;
	return pipe->nvars ? 0 : print_value(x, v.j);
}

/* Variables declared inside live until the {{end}}. */
static int walk_if_with(struct exec *x, const struct val *dot,
			const struct tnode *n)
{
	_cleanup_val_ struct val v = VAL_NONE;
	size_t mark = x->nvars;
	int r;

	if (eval_pipe(x, dot, n->pipe, true, &v) < 0)
		return -1;
	if (truth(v.j))
		r = walk(x, n->type == TNODE_WITH ? &v : dot, n->list);
	else
		r = walk(x, dot, n->elses);
	pop_vars(x, mark);
	return r;
}

/*
 * One pass of a range body. Like Go, $v := sets the last declared
 * variable to the element and $i, $v := the first to the key; with =
 * they are assigned instead. Takes over @key and @elem.
 */
static int range_once(struct exec *x, const struct tnode *n, size_t mark,
		      struct val key, struct val elem)
{
	const struct tpipe *pipe = n->pipe;
	size_t body = x->nvars;
	int r;

	if (pipe->nvars && pipe->assign) {
		set_var(find_var(x, pipe->vars[pipe->nvars - 1]),
			val_ref(&elem));
		if (pipe->nvars > 1)
			set_var(find_var(x, pipe->vars[0]), val_ref(&key));
	} else if (pipe->nvars) {
		set_var(&x->vars[mark + pipe->nvars - 1], val_ref(&elem));
		if (pipe->nvars > 1)
			set_var(&x->vars[mark], val_ref(&key));
	}
	r = walk(x, &elem, n->list);
	pop_vars(x, body);
	val_release(&key);
	val_release(&elem);
	return r;
}

static int range_items(struct exec *x, const struct tnode *n, size_t mark,
		       const struct val *v, bool *ran)
{
	_cleanup_free_ struct tmpl_entry *e = NULL;
	const cJSON *c;
	long long i = 0, count;
	size_t len, k;
	int r = WALK_NEXT;

	switch (tmpl_kind_of(v->j)) {
	case VK_ARR:
		for (c = v->j->child; c && r != WALK_BREAK && r >= 0;
		     c = c->next)
			r = range_once(x, n, mark, val_num((double) i++),
				       val_child(v, c));
		break;
	case VK_OBJ:
		e = tmpl_entries(v->j, &len);
		for (k = 0; k < len && r != WALK_BREAK && r >= 0; k++, i++)
			r = range_once(x, n, mark, val_str(e[k].key),
				       val_child(v, e[k].v));
		break;
	case VK_NUM:
		if (!tmpl_int(v->j, &count))
			goto bad;
		if (n->pipe->nvars > 1)
			return xerr(x,
				    "can't use %lld to iterate over more "
				    "than one variable",
				    count);
		for (; i < count && r != WALK_BREAK && r >= 0; i++)
			r = range_once(x, n, mark, val_num((double) i),
				       val_num((double) i));
		break;
	case VK_NONE:
	case VK_NULL:
		break;
	case VK_BOOL:
	case VK_STR:
		goto bad;
	}
	*ran = i > 0;
	return r < 0 ? r : 0;
bad:
	return xerr(x, "range can't iterate over %s",
		    tmpl_kind_name(tmpl_kind_of(v->j)));
}

static int walk_range(struct exec *x, const struct val *dot,
		      const struct tnode *n)
{
	_cleanup_val_ struct val v = VAL_NONE;
	size_t mark = x->nvars, decl;
	bool ran = false;
	int r;

	if (eval_pipe(x, dot, n->pipe, false, &v) < 0)
		return -1;
	/* Go declares the variables with the whole value first; it is what
	 * they hold in {{else}}. (The pipeline may have declared others in
	 * parentheses before.) */
	decl = x->nvars;
	bind_vars(x, n->pipe, &v);
	r = range_items(x, n, decl, &v, &ran);
	if (r >= 0 && !ran)
		r = walk(x, dot, n->elses);
	pop_vars(x, mark);
	return r;
}

static int walk(struct exec *x, const struct val *dot, const struct tnode *n)
{
	int r = WALK_NEXT;

	for (; n && r == WALK_NEXT; n = n->next) {
		switch (n->type) {
		case TNODE_TEXT:
			buf_add(x->out, n->text, n->len);
			break;
		case TNODE_PRINT:
			r = walk_print(x, dot, n->pipe);
			break;
		case TNODE_IF:
		case TNODE_WITH:
			r = walk_if_with(x, dot, n);
			break;
		case TNODE_RANGE:
			r = walk_range(x, dot, n);
			break;
		case TNODE_BREAK:
			return WALK_BREAK;
		case TNODE_CONTINUE:
			return WALK_CONTINUE;
		}
	}
	return r;
}

int tmpl_exec(const struct tmpl *t, const cJSON *data, struct buf *out,
	      struct err **e)
{
	struct exec x = {.out = out, .e = e};
	struct val root = val_borrow(data);
	size_t len = out->len;
	int r;

	push_var(&x, "$", root);
	r = walk(&x, &root, t->root);
	pop_vars(&x, 0);
	free(x.vars);
	if (r < 0) {
		buf_setlen(out, len);
		return r;
	}
	return 0;
}
