/*
 * internal.h - declarations shared by the files of runtime/ only.
 *
 * No other subsystem includes this header (STYLE.md rule 1). Each part is
 * kept in its own marked section; what becomes public moves to
 * runtime/runtime.h.
 */
#ifndef HUSK_RUNTIME_INTERNAL_H
#define HUSK_RUNTIME_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/buf.h"
#include "lib/err.h"

/* ===== capabilities and seccomp (runtime/caps.c, runtime/seccomp*.c) ===== */

/*
 * Capabilities without libcap: the kernel's numbers (<linux/capability.h>)
 * as bits of a uint64_t, bit N being capability N. Nothing here prints.
 *
 * Names are accepted the way docker's --cap-add/--cap-drop take them:
 * "CAP_NET_ADMIN" or "NET_ADMIN", in any case; "ALL" means every
 * capability the running kernel knows (up to /proc/sys/kernel/cap_last_cap).
 * An unknown name is the error "unknown capability 'X'" (errnum EINVAL).
 */
struct caps {
	uint64_t bounding;
	uint64_t effective;
	uint64_t permitted;
	uint64_t inheritable;
	uint64_t ambient;
	/*
	 * Set by caps_compute(): the capabilities that were asked for
	 * (default set, --cap-add, --privileged) but left out because the
	 * caller's own bounding set lacks them. Not applied; for a warning.
	 */
	uint64_t clamped;
};

/* The highest capability number of the running kernel (cap_last_cap). */
int caps_last_cap(void);
/* Every capability of the running kernel, as a mask. */
uint64_t caps_all(void);
/* "CAP_CHOWN" for 0; NULL for a number without a name. */
const char *caps_name(int cap);
/* The number of one capability name ("ALL" is refused here), or <0. */
int caps_from_name(const char *name, struct err **e);
/* A name or "ALL" as a mask, or <0 with *e set. */
int caps_parse(const char *name, uint64_t *mask, struct err **e);
/* Appends "CAP_CHOWN,CAP_KILL" (ascending numbers) to @out; "" for 0. */
void caps_to_names(uint64_t mask, struct buf *out);
/* The CapBnd/CapEff/... line of /proc/self/status (field "CapBnd"). */
int caps_read_status(const char *field, uint64_t *out, struct err **e);

/*
 * Raises into the effective set those of @mask that are permitted (after
 * a setresuid() under PR_SET_KEEPCAPS cleared the effective set).
 */
int caps_raise_effective(uint64_t mask, struct err **e);

/* Docker's default set (without MKNOD, see caps_compute()). */
uint64_t caps_docker_default(void);

/**
 * caps_compute() - the capability sets of a container, docker's way.
 * @privileged:	every capability of the caller's bounding set; @add and
 *		@drop are still checked for bad names but otherwise ignored.
 * @add, @drop:	--cap-add / --cap-drop names (see above). Docker's rules:
 *		"ALL" in @add gives everything but @drop; "ALL" in @drop gives
 *		only @add; otherwise the default set minus @drop plus @add (a
 *		name in both is added).
 * @mknod:	add CAP_MKNOD to the defaults; pass true only once the device
 *		cgroup allowlist is in place.
 *
 * The result is clamped to the caller's bounding set (/proc/self/status
 * CapBnd), never more: on hosts whose root lacks a capability (CI's lacks
 * CAP_SYS_RESOURCE) capset() would otherwise fail. What was clamped is
 * reported in @out->clamped, not as an error.
 *
 * @out gets bounding = effective = permitted = the set; inheritable and
 * ambient empty (docker since 20.10.14). For a container user other than
 * root call caps_for_uid() next.
 */
int caps_compute(bool privileged, const char **add, size_t nadd,
		 const char **drop, size_t ndrop, bool mknod, struct caps *out,
		 struct err **e);

/*
 * Docker's rule for a non-root container user: only the bounding set is
 * kept; effective, permitted, inheritable and ambient become empty, as
 * execve() would leave them anyway. For uid 0 nothing changes.
 */
void caps_for_uid(struct caps *c, uid_t uid);

/**
 * caps_apply() - make @c the calling thread's capabilities.
 *
 * For the container child, after its final setresuid(): call
 * prctl(PR_SET_KEEPCAPS, 1) before setresuid() so the permitted set
 * survives the change to a non-zero uid (the effective set is cleared by
 * it; caps_apply() raises it again from the permitted set first, so it may
 * drop bounding entries, which needs CAP_SETPCAP). Then, in this order:
 *
 *   1. PR_CAPBSET_DROP every capability not in c->bounding;
 *   2. capset() effective, permitted, inheritable;
 *   3. PR_CAP_AMBIENT_CLEAR_ALL, then PR_CAP_AMBIENT_RAISE each of
 *      c->ambient (each must be in c->permitted and c->inheritable).
 *
 * What survives execve(): for uid 0, the bounding set (the kernel treats
 * root as holding every file capability); for another uid, only the
 * ambient set (effective = permitted = ambient after exec). Docker gives a
 * non-root user nothing (caps_for_uid()); to give it capabilities, put
 * them in inheritable and ambient as well.
 *
 * Seccomp: load the filter before this (seccomp_load_fd(), STYLE.md rule
 * 19); the filter must allow capget, capset and prctl (docker's does).
 * Errors name the step and the capability.
 */
int caps_apply(const struct caps *c, struct err **e);

/*
 * Seccomp, compiled in the parent and loaded in the child (STYLE.md rule
 * 19; crun). seccomp_compile_*() build the filter with libseccomp and
 * write it as classic BPF (struct sock_filter[]) into a sealed memfd,
 * returned in *memfd_out (CLOEXEC, owned by the caller, read from offset
 * 0 with pread). The child hands that fd to seccomp_load_fd(), which only
 * needs read/pread and the seccomp() syscall: no libseccomp, no parsing.
 *
 * @c decides the conditional rules of a profile (docker's includes.caps /
 * excludes.caps): it is matched against c->bounding, as docker does. A
 * NULL @c means no capabilities.
 */

/* Docker's default profile (runtime/seccomp_default.c), for this arch. */
int seccomp_compile_default(const struct caps *c, int *memfd_out,
			    struct err **e);

/*
 * A profile in docker's JSON format (--security-opt seccomp=FILE):
 * defaultAction, defaultErrnoRet, architectures or archMap, syscalls[]
 * with names (or name), action, errnoRet, args[] {index, value, valueTwo,
 * op}, includes/excludes {caps, arches, minKernel}. Syscall names libseccomp
 * does not know for this arch are skipped, as docker does. Errors:
 * "invalid seccomp profile 'FILE': syscalls[3]: names is not an array".
 */
int seccomp_compile_file(const char *path, const struct caps *c, int *memfd_out,
			 struct err **e);
/* The same for a profile already in memory; @name is used in errors. */
int seccomp_compile_json(const char *name, const char *data, size_t len,
			 const struct caps *c, int *memfd_out, struct err **e);

/**
 * seccomp_load_fd() - load the BPF program in @memfd into this thread.
 * @no_new_privs: the container runs with no_new_privs; it is set here
 *		(again, it cannot be unset) right before loading. Without it
 *		the kernel requires CAP_SYS_ADMIN in the current user
 *		namespace: if it is permitted but not effective (after a
 *		setresuid() under PR_SET_KEEPCAPS) it is raised first.
 *
 * Uses the raw seccomp(SECCOMP_SET_MODE_FILTER) syscall without TSYNC: the
 * container child is single-threaded. @memfd is not closed.
 */
int seccomp_load_fd(int memfd, bool no_new_privs, struct err **e);

/*
 * Docker's default profile as data (runtime/seccomp_default.c), read by
 * seccomp_compile_default(). The default action is ERRNO(EPERM); each
 * entry below allows (or, with errnum, fails) its syscalls when all its
 * conditions hold.
 */
/* Go's GOARCH names, as docker's profile uses them. */
enum sd_arch {
	SD_AMD64 = 1 << 0,
	SD_X32 = 1 << 1,
	SD_X86 = 1 << 2,
	SD_ARM = 1 << 3,
	SD_ARM64 = 1 << 4,
	SD_PPC64LE = 1 << 5,
	SD_S390 = 1 << 6,
	SD_S390X = 1 << 7,
	SD_RISCV64 = 1 << 8,
};

struct sd_rule {
	const char *const *names; /* NULL-terminated */
	int errnum;		  /* 0: allow, else fail with it */
	uint64_t need_caps;	  /* only if all are in the set */
	uint64_t without_caps;	  /* only if none is in the set */
	unsigned int arches;	  /* only on these (sd_arch), 0: all */
	unsigned int not_arches;  /* never on these */
	unsigned int min_kernel;  /* major << 8 | minor, 0: any */
	/*
	 * An argument filter when nvalues > 0: one rule per value, OR-ed:
	 * "arg[arg] OP values[i]"; for SCMP_CMP_MASKED_EQ the value is the
	 * mask and the argument must be 0 under it.
	 */
	unsigned int arg;
	int op; /* enum scmp_compare */
	size_t nvalues;
	uint64_t values[6];
};

extern const struct sd_rule seccomp_default_rules[];
extern const size_t seccomp_default_nrules;
/* The arches of docker's archMap for this one (SCMP_ARCH_*), 0-ended. */
const uint32_t *seccomp_default_subarches(uint32_t native);

/* ===== end of capabilities and seccomp ===== */

#endif
