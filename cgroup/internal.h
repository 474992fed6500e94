/*
 * internal.h - what the files of cgroup/ share: the backend ops and the
 * small file helpers. No other subsystem includes it.
 */
#ifndef HUSK_CGROUP_INTERNAL_H
#define HUSK_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cgroup/cgroup.h"
#include "lib/buf.h"

/*
 * One backend. Every function works on the directories in CG only (so a
 * unit test can point it at a fake tree); placement (which directories,
 * subtree_control, the leaf move) is cgroup/cgroup.c's.
 */
struct cgroup_ops {
	/* mkdir CG's directories (v1: each hierarchy's; a new cpuset
	 * cgroup gets its parent's cpus and mems). EEXIST is fine. */
	int (*mkdirs)(const struct cgroup *cg, struct err **e);
	/*
	 * Writes L's limits (only what is set). UPDATE: the cgroup already
	 * has limits (v1: memory and memsw are written in the order the
	 * kernel accepts). A file the host lacks is a warning; a value the
	 * kernel refuses is an error naming the file and the value.
	 */
	int (*set)(const struct cgroup *cg, const struct cgroup_limits *l,
		   bool update, cgroup_warnings *w, struct err **e);
	int (*freeze)(const struct cgroup *cg, bool freeze, struct err **e);
	int (*stats)(const struct cgroup *cg, struct cgroup_stats *st,
		     struct err **e);
	uint64_t (*oom_kills)(const struct cgroup *cg);
	void (*kill)(const struct cgroup *cg);
	/* rmdir CG's directories, waiting up to ~1 s for EBUSY to pass */
	int (*rmdirs)(const struct cgroup *cg, struct err **e);
};

extern const struct cgroup_ops cgroup_v1_ops;
extern const struct cgroup_ops cgroup_v2_ops;

/* v1: the directory of controller CTRL in CG, or NULL. */
const char *cg_v1_dir(const struct cgroup *cg, const char *ctrl);

/*
 * v2 device rules (cgroup/bpf.c): loads a BPF_PROG_TYPE_CGROUP_DEVICE
 * program that applies RULES (in order, the last match wins; no match:
 * denied) and attaches it to the cgroup directory DIRFD
 * (BPF_F_ALLOW_MULTI). Needs CAP_SYS_ADMIN (or CAP_BPF).
 */
int cgroup_bpf_devices(int dirfd, const struct cgroup_dev *rules, size_t n,
		       struct err **e);

/* ---- files (cgroup/files.c) ---------------------------------------------- */

/* Writes VAL to DIR/FILE (one write(), as the kernel wants it). Errors
 * name the file and the value: "cannot write '10' to
 * /sys/fs/cgroup/pids/x/pids.max: Invalid argument". errnum is the
 * kernel's (ENOENT: the host lacks the file). */
int cg_write(const char *dir, const char *file, const char *val,
	     struct err **e);
int cg_writef(const char *dir, const char *file, struct err **e,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Reads DIR/FILE into B (trailing newline kept). */
int cg_read(const char *dir, const char *file, struct buf *b,
	    struct err **e);
/* One number ("max" reads as UINT64_MAX). */
int cg_read_u64(const char *dir, const char *file, uint64_t *out);
/* The value of KEY in a "key value" file (memory.stat, memory.events,
 * cpu.stat, memory.oom_control). */
int cg_read_key(const char *dir, const char *file, const char *key,
		uint64_t *out);
/* Adds one line to *W. */
void cg_warn(cgroup_warnings *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Writes VAL to DIR/FILE: 1 when written, 0 when the file does not exist
 * (the host lacks it; nothing said), <0 on any other error. */
int cg_put(const char *dir, const char *file, const char *val,
	   struct err **e);
/* Hands ERR to the caller (E may be NULL: dropped); returns <0. */
int cg_give(struct err **e, struct err *err);
/* CLOCK_MONOTONIC in milliseconds. */
uint64_t cg_now_ms(void);
/* SIGKILLs every pid in DIR/cgroup.procs (never 0 or a negative one,
 * which kill() would take for a process group). */
void cg_kill_listed(const char *dir);
/* rmdir DIR, retrying EBUSY for up to MS; ENOENT is success. */
int cg_rmdir(const char *dir, int ms, struct err **e);

#endif
