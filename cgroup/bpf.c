/*
 * bpf.c - cgroup v2 device rules as a BPF_PROG_TYPE_CGROUP_DEVICE program.
 *
 * cgroup v2 has no devices.allow/devices.deny: the kernel instead runs the
 * BPF programs attached to the cgroup (and its ancestors) on every device
 * open and mknod, and refuses the access when one returns 0. We write the
 * program by hand, as runc (libcontainer/cgroups/devices/devicefilter.go)
 * and crun (src/libcrun/ebpf.c) do, without libbpf.
 *
 * The last matching rule wins, and no match denies (OCI). A request asks
 * for one or more of read, write and mknod at once (open O_RDWR asks for
 * both read and write), so "wins" is decided per access bit, as the v1
 * kernel and runc's rule emulator do: a request is allowed when, for each
 * bit it asks for, the last rule that matches the device and names that
 * bit allows it. Testing the whole request against each rule instead
 * (match when the request asks for nothing the rule does not name) would
 * let O_RDWR past "allow c 1:3 rwm, deny c 1:3 w": the deny rule would not
 * match it. So the program keeps the bits not yet decided in r3:
 *
 *	r2 = ctx->access_type & 0xffff		device type (BPF_DEVCG_DEV_*)
 *	r3 = ctx->access_type >> 16		access (BPF_DEVCG_ACC_*)
 *	r4 = ctx->major
 *	r5 = ctx->minor
 *	for each rule, the last one first:
 *		if (r2 != type) goto next;		unless type 'a'
 *		if (r4 != major) goto next;		unless major -1
 *		if (r5 != minor) goto next;		unless minor -1
 *	  allow:
 *		r3 &= ~access;				decided: allowed
 *		if (r3 != 0) goto next;
 *		return 1;				all allowed
 *	  deny:
 *		if ((r3 & access) == 0) goto next;	none of ours left
 *		return 0;
 *	next:
 *	return 0;					undecided bits
 *
 * A rule with empty access decides nothing and is left out. A rule for
 * any device with access "rwm" decides everything and ends the program:
 * the verifier refuses unreachable instructions, so the rules before it
 * (and the default) are not emitted.
 *
 * The kernel checks both this program and the v1 devices controller, so
 * on a hybrid host a program on the cgroup2 directory restricts a process
 * whatever its v1 devices cgroup says.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup/internal.h"
#include "lib/cleanup.h"
#include "lib/err.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* The most instructions one rule takes (see rule_emit()). */
#define RULE_MAX_INSNS 8
/* The prologue's and the default's. */
#define PROLOGUE_INSNS 6
#define EPILOGUE_INSNS 2

#define ACC_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)

/* A growing program; insns[] has room for everything rules_build() adds. */
struct prog {
	struct bpf_insn *insns;
	size_t n;
};

static void emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src,
		 int16_t off, int32_t imm)
{
	p->insns[p->n++] = (struct bpf_insn){
	    .code = code,
	    .dst_reg = dst,
	    .src_reg = src,
	    .off = off,
	    .imm = imm,
	};
}

/* What one rule asks for, in the program's terms. */
struct rule {
	int32_t type;	/* BPF_DEVCG_DEV_*, 0: any */
	int32_t access; /* BPF_DEVCG_ACC_* bits */
	int64_t major, minor;
};

/* Checks rule number I (1-based) and translates it into *R. */
static int rule_parse(const struct cgroup_dev *d, size_t i, struct rule *r,
		      struct err **e)
{
	memset(r, 0, sizeof(*r));
	switch (d->type) {
	case 'a':
		break;
	case 'c':
		r->type = BPF_DEVCG_DEV_CHAR;
		break;
	case 'b':
		r->type = BPF_DEVCG_DEV_BLOCK;
		break;
	default:
		return err_cause(e, EINVAL,
				 "invalid device rule %zu: unknown type '%c'",
				 i, d->type);
	}
	/* Empty access matches no request, as in runc and the v1
	 * kernel's own parser. */
	for (size_t k = 0; k < sizeof(d->access) && d->access[k]; k++) {
		switch (d->access[k]) {
		case 'r':
			r->access |= BPF_DEVCG_ACC_READ;
			break;
		case 'w':
			r->access |= BPF_DEVCG_ACC_WRITE;
			break;
		case 'm':
			r->access |= BPF_DEVCG_ACC_MKNOD;
			break;
		default:
			return err_cause(e, EINVAL,
					 "invalid device rule %zu: unknown "
					 "access '%c'",
					 i, d->access[k]);
		}
	}
	/* The jumps compare against a signed 32-bit immediate. */
	if (d->major < -1 || d->major > INT32_MAX)
		return err_cause(e, EINVAL,
				 "invalid device rule %zu: major "
				 "%lld is out of range",
				 i, (long long) d->major);
	if (d->minor < -1 || d->minor > INT32_MAX)
		return err_cause(e, EINVAL,
				 "invalid device rule %zu: minor "
				 "%lld is out of range",
				 i, (long long) d->minor);
	r->major = d->major;
	r->minor = d->minor;
	return 0;
}

/* R applies to every device (its block has no "goto next" before it
 * decides). */
static bool rule_any_device(const struct rule *r)
{
	return r->type == 0 && r->major < 0 && r->minor < 0;
}

/*
 * Appends R's block to P: at most RULE_MAX_INSNS instructions, whose
 * "goto next" jumps land just past the block.
 */
static void rule_emit(struct prog *p, const struct rule *r, bool allow)
{
	size_t jumps[4], nj = 0;

	if (r->type) {
		jumps[nj++] = p->n;
		emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 0, r->type);
	}
	if (r->major >= 0) {
		jumps[nj++] = p->n;
		emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 0,
		     (int32_t) r->major);
	}
	if (r->minor >= 0) {
		jumps[nj++] = p->n;
		emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0,
		     (int32_t) r->minor);
	}
	if (allow && r->access != ACC_ALL) {
		emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_3, 0, 0, ~r->access);
		jumps[nj++] = p->n;
		emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_3, 0, 0, 0);
	} else if (!allow && r->access != ACC_ALL) {
		emit(p, BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
		emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0, r->access);
		jumps[nj++] = p->n;
		emit(p, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, 0, 0);
	}
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, allow ? 1 : 0);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	for (size_t i = 0; i < nj; i++)
		p->insns[jumps[i]].off = (int16_t) (p->n - jumps[i] - 1);
}

/* The program for RULES into *P (insns allocated here). */
static int rules_build(const struct cgroup_dev *rules, size_t n, struct prog *p,
		       struct err **e)
{
	struct rule r;

	/* All of them, also those a later "deny all" makes dead. */
	for (size_t i = 0; i < n; i++) {
		int rc = rule_parse(&rules[i], i + 1, &r, e);

		if (rc < 0)
			return rc;
	}

	p->n = 0;
	p->insns = xcalloc(PROLOGUE_INSNS + EPILOGUE_INSNS + n * RULE_MAX_INSNS,
			   sizeof(*p->insns));
	/* access_type, major and minor are u32 fields of the context. */
	emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1,
	     offsetof(struct bpf_cgroup_dev_ctx, access_type), 0);
	emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
	emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, BPF_REG_1,
	     offsetof(struct bpf_cgroup_dev_ctx, access_type), 0);
	emit(p, BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);
	emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1,
	     offsetof(struct bpf_cgroup_dev_ctx, major), 0);
	emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1,
	     offsetof(struct bpf_cgroup_dev_ctx, minor), 0);

	for (size_t i = n; i > 0; i--) {
		(void) rule_parse(&rules[i - 1], i, &r, NULL);
		if (!r.access)
			continue;
		rule_emit(p, &r, rules[i - 1].allow);
		if (rule_any_device(&r) && r.access == ACC_ALL)
			return 0;
	}
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return 0;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int) syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/*
 * The line of the verifier's LOG that says what is wrong: the last one
 * before its "processed N insns" summary. Not the first: for most errors
 * the lines before it trace the instructions it walked ("0: (61) r2 =
 * *(u32 *)(r1 +12)", then "invalid bpf_context access off=12 size=4").
 */
static char *log_reason(char *log)
{
	char *reason = NULL;

	for (char *line = log, *nl; line && *line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		if (strncmp(line, "processed ", 10) == 0)
			break;
		if (*line)
			reason = line;
	}
	return reason;
}

static int prog_load(const struct prog *p, struct err **e)
{
	_cleanup_free_ char *log = NULL;
	union bpf_attr attr;
	const size_t log_size = 64 * 1024;
	char *reason;
	int fd, saved;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uintptr_t) p->insns;
	attr.insn_cnt = (uint32_t) p->n;
	/* No GPL-only helper is called, so any license string loads. */
	attr.license = (uintptr_t) "Apache-2.0";
	memcpy(attr.prog_name, "husk_devices", sizeof("husk_devices"));
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		return fd;
	/* The verifier says why only when asked, so ask once it refused. */
	if (errno != EINVAL && errno != EACCES)
		return err_make(e, errno,
				"cannot load the device rules program");
	saved = errno;
	log = xcalloc(1, log_size);
	attr.log_buf = (uintptr_t) log;
	attr.log_size = (uint32_t) log_size;
	attr.log_level = 1;
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		return fd;
	reason = log_reason(log);
	if (!reason)
		return err_make(e, saved,
				"cannot load the device rules program");
	return err_cause(e, saved, "cannot load the device rules program: %s",
			 reason);
}

/**
 * cgroup_bpf_devices() - restrict the devices the cgroup DIRFD may use.
 * @dirfd:	a cgroup2 directory (O_RDONLY or O_PATH); not consumed.
 * @rules:	N device rules, the last match wins, no match is denied.
 *
 * The program is attached with BPF_F_ALLOW_MULTI, so it adds to what the
 * ancestors' programs allow (a device must pass them all) and a second
 * call adds a second program rather than replacing the first. The cgroup
 * holds the program from then on; our fd is closed here.
 */
int cgroup_bpf_devices(int dirfd, const struct cgroup_dev *rules, size_t n,
		       struct err **e)
{
	_cleanup_free_ struct bpf_insn *insns = NULL;
	_cleanup_close_ int fd = -1;
	struct prog p = {0};
	union bpf_attr attr;
	int r;

	r = rules_build(rules, n, &p, e);
	insns = p.insns;
	if (r < 0)
		return r;
	fd = prog_load(&p, e);
	if (fd < 0)
		return fd;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t) dirfd;
	attr.attach_bpf_fd = (uint32_t) fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0)
		return err_make(e, errno,
				"cannot attach the device rules program");
	return 0;
}
