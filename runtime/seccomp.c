/*
 * seccomp.c - compile seccomp profiles to BPF in the parent, load the BPF
 * in the child (STYLE.md rule 19, crun). The contract is in
 * runtime/internal.h; docker's default profile is in seccomp_default.c.
 *
 * Compiling follows moby's profiles/seccomp and runc's libcontainer/
 * seccomp: the native arch plus its archMap companions, one libseccomp
 * rule per syscall name, names unknown on this arch skipped, rules whose
 * action is the default action skipped, and several conditions on one
 * argument turned into one rule each (OR), as libseccomp cannot AND them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <seccomp.h>

#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "runtime/internal.h"
#include "lib/banned.h"

/* A profile bigger than this is not a profile. */
#define PROFILE_MAX (4 << 20)

static inline void seccomp_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

#define _cleanup_seccomp_ _cleanup_(seccomp_releasep)

/* ---- the facts conditions are checked against ---- */

/* This build's arch as docker's profile names it (Go's GOARCH). */
static const char *const *native_arch_names(unsigned int *mask)
{
#if defined(__x86_64__) && defined(__ILP32__)
	static const char *const n[] = {"x32", NULL};
	*mask = SD_X32;
#elif defined(__x86_64__)
	static const char *const n[] = {"amd64", NULL};
	*mask = SD_AMD64;
#elif defined(__i386__)
	static const char *const n[] = {"386", "x86", NULL};
	*mask = SD_X86;
#elif defined(__aarch64__)
	static const char *const n[] = {"arm64", NULL};
	*mask = SD_ARM64;
#elif defined(__arm__)
	static const char *const n[] = {"arm", NULL};
	*mask = SD_ARM;
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	static const char *const n[] = {"ppc64le", NULL};
	*mask = SD_PPC64LE;
#elif defined(__s390x__)
	static const char *const n[] = {"s390x", NULL};
	*mask = SD_S390X;
#elif defined(__s390__)
	static const char *const n[] = {"s390", NULL};
	*mask = SD_S390;
#elif defined(__riscv) && __riscv_xlen == 64
	static const char *const n[] = {"riscv64", NULL};
	*mask = SD_RISCV64;
#else
	static const char *const n[] = {NULL};
	*mask = 0;
#endif
	return n;
}

/* "6.18.0-1-amd64" -> 6 << 8 | 18; "4.8" too. 0 when unreadable. */
static unsigned int parse_kernel_version(const char *s)
{
	unsigned long major, minor = 0;
	char *end = NULL;

	errno = 0;
	major = strtoul(s, &end, 10);
	if (errno || end == s || major > 0xffffff)
		return 0;
	if (*end == '.') {
		const char *m = end + 1;

		minor = strtoul(m, &end, 10);
		if (errno || end == m || minor > 255)
			return 0;
	}
	return (unsigned int) (major << 8 | minor);
}

static unsigned int kernel_version(void)
{
	struct utsname u;

	if (uname(&u) < 0)
		return 0;
	return parse_kernel_version(u.release);
}

/* ---- adding rules ---- */

static bool same_index_twice(const struct scmp_arg_cmp *args, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = i + 1; j < n; j++) {
			if (args[i].arg == args[j].arg)
				return true;
		}
	}
	return false;
}

/*
 * Adds "@name -> @action if @args" to @ctx. A name libseccomp does not
 * know is skipped (docker: the profile lists syscalls of other arches and
 * kernels); so is a rule whose action is the default one (libseccomp
 * refuses those).
 */
static int add_rule(scmp_filter_ctx ctx, uint32_t def_action, const char *name,
		    uint32_t action, const struct scmp_arg_cmp *args,
		    size_t nargs, struct err **e)
{
	int nr = seccomp_syscall_resolve_name(name);
	int r = 0;

	if (nr == __NR_SCMP_ERROR || action == def_action)
		return 0;
	if (!same_index_twice(args, nargs)) {
		r = seccomp_rule_add_array(ctx, action, nr,
					   (unsigned int) nargs, args);
	} else {
		for (size_t i = 0; i < nargs && r == 0; i++)
			r = seccomp_rule_add_array(ctx, action, nr, 1,
						   &args[i]);
	}
	if (r < 0)
		return err_make(e, -r, "cannot add a rule for '%s'", name);
	return 0;
}

static int add_arch(scmp_filter_ctx ctx, uint32_t arch, struct err **e)
{
	int r = seccomp_arch_add(ctx, arch);

	/* The native arch is in every new filter already. */
	if (r < 0 && r != -EEXIST)
		return err_make(e, -r, "cannot add seccomp arch 0x%x", arch);
	return 0;
}

/*
 * Writes the filter as BPF into a sealed memfd: the child gets a
 * read-only, fixed-size program it cannot be handed a changed copy of.
 */
static int export_memfd(scmp_filter_ctx ctx, int *memfd_out, struct err **e)
{
	_cleanup_close_ int fd = -1;
	int r;

	fd = memfd_create("husk-seccomp", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return err_make(e, errno, "cannot create a memfd for seccomp");
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return err_make(e, -r, "cannot export the seccomp filter");
	if (fcntl(fd, F_ADD_SEALS,
		  F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		return err_make(e, errno, "cannot seal the seccomp memfd");
	*memfd_out = TAKE_FD(fd);
	return 0;
}

static scmp_filter_ctx new_filter(uint32_t def_action, struct err **e)
{
	scmp_filter_ctx ctx = seccomp_init(def_action);

	if (!ctx) {
		(void) err_cause(e, EINVAL,
				 "cannot create a seccomp filter with default "
				 "action 0x%x",
				 def_action);
		return NULL;
	}
	/* Exported, never loaded by libseccomp: leave no_new_privs alone. */
	(void) seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	/*
	 * A binary tree of syscall numbers, not a list: a syscall walks a
	 * dozen instructions, not hundreds, and the kernel's action cache,
	 * which runs the filter once per syscall number when it is loaded
	 * (Linux 5.11+), costs ~1 ms less per start.
	 */
	(void) seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	return ctx;
}

/* ---- the default profile ---- */

static bool sd_applies(const struct sd_rule *r, uint64_t caps,
		       unsigned int arch, unsigned int kernel)
{
	if ((caps & r->need_caps) != r->need_caps)
		return false;
	if (caps & r->without_caps)
		return false;
	if (r->arches && !(r->arches & arch))
		return false;
	if (r->not_arches & arch)
		return false;
	return !r->min_kernel || kernel >= r->min_kernel;
}

static int sd_add(scmp_filter_ctx ctx, const struct sd_rule *r, struct err **e)
{
	uint32_t def = SCMP_ACT_ERRNO(EPERM);
	uint32_t act =
	    r->errnum ? SCMP_ACT_ERRNO((uint32_t) r->errnum) : SCMP_ACT_ALLOW;

	for (const char *const *n = r->names; *n; n++) {
		int rc = 0;

		if (!r->nvalues)
			rc = add_rule(ctx, def, *n, act, NULL, 0, e);
		for (size_t v = 0; v < r->nvalues && rc == 0; v++) {
			struct scmp_arg_cmp a = {
			    .arg = r->arg,
			    .op = (enum scmp_compare) r->op,
			    .datum_a = r->values[v],
			    .datum_b = 0,
			};
			rc = add_rule(ctx, def, *n, act, &a, 1, e);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

int seccomp_compile_default(const struct caps *c, int *memfd_out,
			    struct err **e)
{
	_cleanup_seccomp_ scmp_filter_ctx ctx = NULL;
	uint64_t caps = c ? c->bounding : 0;
	unsigned int arch, kernel = kernel_version();
	int r;

	(void) native_arch_names(&arch);
	ctx = new_filter(SCMP_ACT_ERRNO(EPERM), e);
	if (!ctx)
		return -EINVAL - 1;
	for (const uint32_t *a =
		 seccomp_default_subarches(seccomp_arch_native());
	     *a; a++) {
		r = add_arch(ctx, *a, e);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < seccomp_default_nrules; i++) {
		const struct sd_rule *rule = &seccomp_default_rules[i];

		if (!sd_applies(rule, caps, arch, kernel))
			continue;
		r = sd_add(ctx, rule, e);
		if (r < 0)
			return err_wrap(e, "cannot compile the default seccomp "
					   "profile");
	}
	r = export_memfd(ctx, memfd_out, e);
	if (r < 0)
		return err_wrap(e,
				"cannot compile the default seccomp profile");
	return 0;
}

/* ---- docker's JSON format ---- */

static int bad(struct err **e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int bad(struct err **e, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	int r;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	r = err_cause(e, EINVAL, "%s", b.s);
	buf_release(&b);
	return r;
}

static const struct {
	const char *name;
	uint32_t action;
	bool takes_ret; /* errnoRet is its data */
} actions[] = {
    {"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
};

/* An unsigned JSON integer, at most @max. */
static int json_uint(const cJSON *v, uint64_t max, uint64_t *out)
{
	double d;

	if (!cJSON_IsNumber(v))
		return -1;
	d = v->valuedouble;
	if (d < 0 || d >= 18446744073709551616.0 || d != (double) (uint64_t) d)
		return -1;
	if ((uint64_t) d > max)
		return -1;
	*out = (uint64_t) d;
	return 0;
}

/*
 * @key's action, with @ret_key (errnoRet / defaultErrnoRet) as its data;
 * EPERM when an ERRNO or TRACE action has none (runc's default).
 */
static int parse_action(const cJSON *obj, const char *key, const char *ret_key,
			uint32_t *out, struct err **e)
{
	const cJSON *ret = cJSON_GetObjectItemCaseSensitive(obj, ret_key);
	const char *s = json_str(obj, key);
	uint64_t data = EPERM;

	if (!s)
		return bad(e, "%s is %s", key,
			   cJSON_GetObjectItemCaseSensitive(obj, key)
			       ? "not a string"
			       : "missing");
	if (ret && !cJSON_IsNull(ret) && json_uint(ret, 0xffff, &data) < 0)
		return bad(e, "%s is not a number between 0 and 65535",
			   ret_key);
	if (strcmp(s, "SCMP_ACT_NOTIFY") == 0)
		return bad(e, "action '%s' is not supported", s);
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++) {
		if (strcmp(actions[i].name, s) != 0)
			continue;
		*out = actions[i].action;
		if (actions[i].takes_ret)
			*out |= (uint32_t) data;
		return 0;
	}
	return bad(e, "unknown action '%s'", s);
}

/* "SCMP_ARCH_X86_64" -> SCMP_ARCH_X86_64's token, or 0. */
static uint32_t arch_token(const char *s)
{
	char lower[32];
	size_t n;

	if (strncmp(s, "SCMP_ARCH_", 10) != 0)
		return 0;
	s += 10;
	n = strlen(s);
	if (n == 0 || n >= sizeof(lower))
		return 0;
	for (size_t i = 0; i <= n; i++)
		lower[i] = (char) (s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a'
							      : s[i]);
	return seccomp_arch_resolve_name(lower);
}

static int add_arch_name(scmp_filter_ctx ctx, const cJSON *v, const char *where,
			 struct err **e)
{
	uint32_t token;

	if (!cJSON_IsString(v))
		return bad(e, "%s is not a string", where);
	token = arch_token(v->valuestring);
	if (!token)
		return bad(e, "%s: unknown architecture '%s'", where,
			   v->valuestring);
	return add_arch(ctx, token, e);
}

/*
 * "architectures": every one listed; "archMap": only the entry of the
 * native arch, with its subArchitectures (docker).
 */
static int parse_arches(scmp_filter_ctx ctx, const cJSON *j, struct err **e)
{
	const cJSON *list =
	    cJSON_GetObjectItemCaseSensitive(j, "architectures");
	const cJSON *map = cJSON_GetObjectItemCaseSensitive(j, "archMap");
	uint32_t native = seccomp_arch_native();
	const cJSON *v;
	size_t i = 0;
	int r;

	if (cJSON_IsNull(list))
		list = NULL;
	if (cJSON_IsNull(map))
		map = NULL;
	if (list && map && cJSON_GetArraySize(list) && cJSON_GetArraySize(map))
		return bad(e, "both architectures and archMap are given");
	if (list && !cJSON_IsArray(list))
		return bad(e, "architectures is not an array");
	if (map && !cJSON_IsArray(map))
		return bad(e, "archMap is not an array");
	cJSON_ArrayForEach(v, list)
	{
		char where[48];

		(void) snprintf(where, sizeof(where), "architectures[%zu]",
				i++);
		r = add_arch_name(ctx, v, where, e);
		if (r < 0)
			return r;
	}
	i = 0;
	cJSON_ArrayForEach(v, map)
	{
		const char *a = json_str(v, "architecture");
		const cJSON *sub =
		    cJSON_GetObjectItemCaseSensitive(v, "subArchitectures");
		const cJSON *s;
		size_t k = 0;

		if (!a)
			return bad(e,
				   "archMap[%zu]: architecture is not a "
				   "string",
				   i);
		if (!arch_token(a))
			return bad(e, "archMap[%zu]: unknown architecture '%s'",
				   i, a);
		i++;
		if (arch_token(a) != native)
			continue;
		if (sub && !cJSON_IsNull(sub) && !cJSON_IsArray(sub))
			return bad(e,
				   "archMap[%zu]: subArchitectures is not an "
				   "array",
				   i - 1);
		cJSON_ArrayForEach(s, (cJSON_IsArray(sub) ? sub : NULL))
		{
			char where[64];

			(void) snprintf(where, sizeof(where),
					"archMap[%zu]: subArchitectures[%zu]",
					i - 1, k++);
			r = add_arch_name(ctx, s, where, e);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* Reads a JSON array of strings at @key; NULL @out_arr when absent. */
static int string_array(const cJSON *obj, const char *key,
			const cJSON **out_arr, struct err **e)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, key);
	const cJSON *v;

	*out_arr = NULL;
	if (!a || cJSON_IsNull(a))
		return 0;
	if (!cJSON_IsArray(a))
		return bad(e, "%s is not an array", key);
	cJSON_ArrayForEach(v, a)
	{
		if (!cJSON_IsString(v))
			return bad(e, "%s has an element that is not a string",
				   key);
	}
	*out_arr = a;
	return 0;
}

struct facts {
	uint64_t caps;
	const char *const *arch_names;
	unsigned int kernel;
};

static bool has_string(const cJSON *arr, const char *const *names)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, arr)
	{
		for (const char *const *n = names; *n; n++) {
			if (strcmp(v->valuestring, *n) == 0)
				return true;
		}
	}
	return false;
}

static bool has_cap(uint64_t caps, const char *name)
{
	int cap = caps_from_name(name, NULL);

	/* An unknown name is a capability nobody has (docker compares
	 * strings). */
	return cap >= 0 && (caps & (UINT64_C(1) << cap));
}

/*
 * Decides includes/excludes the way moby's seccomp_linux.go does:
 * includes need every cap and the native arch and the kernel version;
 * excludes drop the rule on any listed cap or the native arch.
 */
static int check_filter(const cJSON *rule, const char *key, bool include,
			const struct facts *f, bool *applies, struct err **e)
{
	const cJSON *obj = cJSON_GetObjectItemCaseSensitive(rule, key);
	const cJSON *caps, *arches, *v;
	const char *min;
	int r;

	if (!obj || cJSON_IsNull(obj))
		return 0;
	if (!cJSON_IsObject(obj))
		return bad(e, "%s is not an object", key);
	r = string_array(obj, "caps", &caps, e);
	if (r >= 0)
		r = string_array(obj, "arches", &arches, e);
	if (r < 0)
		return err_wrap(e, "%s", key);
	cJSON_ArrayForEach(v, caps)
	{
		if (has_cap(f->caps, v->valuestring) != include)
			*applies = false;
	}
	if (include && arches && cJSON_GetArraySize(arches) &&
	    !has_string(arches, f->arch_names))
		*applies = false;
	if (!include && arches && has_string(arches, f->arch_names))
		*applies = false;
	min = json_str(obj, "minKernel");
	if (include && min && *min) {
		unsigned int want = parse_kernel_version(min);

		if (!want)
			return bad(e, "%s: invalid minKernel '%s'", key, min);
		if (f->kernel < want)
			*applies = false;
	}
	return 0;
}

static const struct {
	const char *name;
	enum scmp_compare op;
} ops[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

static int parse_arg(const cJSON *a, struct scmp_arg_cmp *out, struct err **e)
{
	const char *op = json_str(a, "op");
	const cJSON *two = cJSON_GetObjectItemCaseSensitive(a, "valueTwo");
	uint64_t index, value, value2 = 0;

	if (!cJSON_IsObject(a))
		return bad(e, "not an object");
	if (json_uint(cJSON_GetObjectItemCaseSensitive(a, "index"), 5, &index) <
	    0)
		return bad(e, "index is not a number between 0 and 5");
	if (json_uint(cJSON_GetObjectItemCaseSensitive(a, "value"), UINT64_MAX,
		      &value) < 0)
		return bad(e, "value is not an unsigned number");
	if (two && !cJSON_IsNull(two) &&
	    json_uint(two, UINT64_MAX, &value2) < 0)
		return bad(e, "valueTwo is not an unsigned number");
	if (!op)
		return bad(e, "op is not a string");
	*out = (struct scmp_arg_cmp){
	    .arg = (unsigned int) index, .datum_a = value, .datum_b = value2};
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		if (strcmp(ops[i].name, op) == 0) {
			out->op = ops[i].op;
			return 0;
		}
	}
	return bad(e, "unknown op '%s'", op);
}

static int parse_args(const cJSON *rule, struct scmp_arg_cmp **out, size_t *n,
		      struct err **e)
{
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(rule, "args");
	const cJSON *a;
	size_t i = 0;

	*out = NULL;
	*n = 0;
	if (!args || cJSON_IsNull(args))
		return 0;
	if (!cJSON_IsArray(args))
		return bad(e, "args is not an array");
	*out = xcalloc((size_t) cJSON_GetArraySize(args) + 1, sizeof(**out));
	cJSON_ArrayForEach(a, args)
	{
		int r = parse_arg(a, &(*out)[i], e);

		if (r < 0)
			return err_wrap(e, "args[%zu]", i);
		i++;
	}
	*n = i;
	return 0;
}

/* The names of a rule: "names", or the older single "name". */
static int rule_names(const cJSON *rule, const cJSON **names,
		      const char **single, struct err **e)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(rule, "names");
	const cJSON *one = cJSON_GetObjectItemCaseSensitive(rule, "name");
	int r;

	*names = NULL;
	*single = NULL;
	if (one && !cJSON_IsNull(one)) {
		if (!cJSON_IsString(one))
			return bad(e, "name is not a string");
		if (n && !cJSON_IsNull(n))
			return bad(e, "both name and names are given");
		*single = one->valuestring;
		return 0;
	}
	if (!n || cJSON_IsNull(n))
		return bad(e, "names is missing");
	r = string_array(rule, "names", names, e);
	return r < 0 ? r : 0;
}

static int parse_rule(scmp_filter_ctx ctx, uint32_t def, const cJSON *rule,
		      const struct facts *f, struct err **e)
{
	_cleanup_free_ struct scmp_arg_cmp *args = NULL;
	const cJSON *names, *v;
	const char *single;
	bool applies = true;
	uint32_t action;
	size_t nargs;
	int r;

	if (!cJSON_IsObject(rule))
		return bad(e, "not an object");
	r = rule_names(rule, &names, &single, e);
	if (r >= 0)
		r = parse_action(rule, "action", "errnoRet", &action, e);
	if (r >= 0)
		r = parse_args(rule, &args, &nargs, e);
	if (r >= 0)
		r = check_filter(rule, "includes", true, f, &applies, e);
	if (r >= 0)
		r = check_filter(rule, "excludes", false, f, &applies, e);
	if (r < 0 || !applies)
		return r < 0 ? r : 0;
	if (single)
		return add_rule(ctx, def, single, action, args, nargs, e);
	cJSON_ArrayForEach(v, names)
	{
		r = add_rule(ctx, def, v->valuestring, action, args, nargs, e);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_profile(const cJSON *j, const struct caps *c, int *memfd_out,
			 struct err **e)
{
	_cleanup_seccomp_ scmp_filter_ctx ctx = NULL;
	struct facts f = {.caps = c ? c->bounding : 0,
			  .kernel = kernel_version()};
	const cJSON *syscalls, *rule;
	unsigned int arch_mask;
	uint32_t def;
	size_t i = 0;
	int r;

	f.arch_names = native_arch_names(&arch_mask);
	if (!cJSON_IsObject(j))
		return bad(e, "not a JSON object");
	r = parse_action(j, "defaultAction", "defaultErrnoRet", &def, e);
	if (r < 0)
		return r;
	ctx = new_filter(def, e);
	if (!ctx)
		return -EINVAL - 1;
	r = parse_arches(ctx, j, e);
	if (r < 0)
		return r;
	syscalls = cJSON_GetObjectItemCaseSensitive(j, "syscalls");
	if (syscalls && !cJSON_IsNull(syscalls) && !cJSON_IsArray(syscalls))
		return bad(e, "syscalls is not an array");
	cJSON_ArrayForEach(rule, (cJSON_IsArray(syscalls) ? syscalls : NULL))
	{
		r = parse_rule(ctx, def, rule, &f, e);
		if (r < 0)
			return err_wrap(e, "syscalls[%zu]", i);
		i++;
	}
	return export_memfd(ctx, memfd_out, e);
}

int seccomp_compile_json(const char *name, const char *data, size_t len,
			 const struct caps *c, int *memfd_out, struct err **e)
{
	_cleanup_cjson_ cJSON *j = NULL;
	int r;

	r = json_parse(data, len, &j, e);
	if (r >= 0)
		r = parse_profile(j, c, memfd_out, e);
	if (r < 0)
		return err_wrap(e, "invalid seccomp profile '%s'", name);
	return 0;
}

int seccomp_compile_file(const char *path, const struct caps *c, int *memfd_out,
			 struct err **e)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	int r;

	r = read_file(AT_FDCWD, path, &b, PROFILE_MAX, e);
	if (r < 0) {
		int errnum = e && *e ? (*e)->errnum : EIO;

		return err_make(e, errnum, "cannot read seccomp profile '%s'",
				path);
	}
	return seccomp_compile_json(path, b.s, b.len, c, memfd_out, e);
}

/* ---- in the child ---- */

int seccomp_load_fd(int memfd, bool no_new_privs, struct err **e)
{
	_cleanup_free_ struct sock_filter *insns = NULL;
	struct sock_fprog prog;
	struct stat st;
	size_t size, done = 0;

	if (fstat(memfd, &st) < 0)
		return err_make(e, errno, "cannot read the seccomp filter");
	size = (size_t) st.st_size;
	if (size == 0 || size % sizeof(struct sock_filter) ||
	    size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return err_cause(e, EINVAL,
				 "cannot load the seccomp filter: %zu bytes "
				 "are not a BPF program",
				 size);
	insns = malloc(size);
	if (!insns)
		return err_make(e, ENOMEM, "cannot load the seccomp filter");
	while (done < size) {
		ssize_t n = pread(memfd, (char *) insns + done, size - done,
				  (off_t) done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_make(e, n < 0 ? errno : EIO,
					"cannot read the seccomp filter");
		done += (size_t) n;
	}
	if (no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return err_make(e, errno, "cannot set no_new_privs");
	/* Best effort: if it fails, the kernel's EACCES below says why. */
	if (!no_new_privs)
		(void) caps_raise_effective(UINT64_C(1) << CAP_SYS_ADMIN, NULL);
	prog.len = (unsigned short) (size / sizeof(struct sock_filter));
	prog.filter = insns;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
		if (errno == EACCES)
			return err_cause(e, EACCES,
					 "cannot load the seccomp filter: "
					 "needs no_new_privs or CAP_SYS_ADMIN");
		return err_make(e, errno, "cannot load the seccomp filter");
	}
	return 0;
}
