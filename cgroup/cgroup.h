/*
 * cgroup.h - control groups, v1 and v2 behind one interface.
 *
 * Discovery (cgroup/host.c): what the host's hierarchy looks like and
 * which controllers the caller may use, for `husk info` and for choosing
 * the backend. Containers (cgroup/cgroup.c, the backends cgroup/v1.c and
 * cgroup/v2.c, device programs cgroup/bpf.c): a cgroup of the container's
 * own, its limits, device rules, freezing, statistics, OOM kills and its
 * removal.
 *
 * Rules kept here (TESTING.md, the issue): husk only ever writes to,
 * moves processes into and removes cgroups it created itself, below the
 * caller's own cgroup or below an explicit --cgroup-parent. Nothing here
 * prints or exits; what the user should hear about (a limit the host
 * cannot apply) comes back as warnings.
 */
#ifndef HUSK_CGROUP_H
#define HUSK_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "lib/err.h"
#include "lib/probe.h"

/* ---- the host (cgroup/host.c, cgroup/probe.c) ---------------------------- */

struct cgroup_ctrl {
	char *name;	/* "memory", "cpu", ... */
	char *dir;	/* the caller's own cgroup directory for it */
	char *mnt;	/* the hierarchy's mount point */
	char *mroot;	/* the mount's root within the hierarchy ("/") */
	bool usable;	/* the caller may create child cgroups there */
};

struct cgroup_host {
	int version;		/* 1 (legacy or hybrid) or 2 (unified) */
	bool hybrid;		/* v1 with a cgroup2 mount beside it */
	char *unified;		/* the caller's cgroup2 directory, or NULL */
	char *unified_mnt;	/* where cgroup2 is mounted, or NULL */
	char *unified_mroot;
	bool unified_delegated;	/* the caller owns that directory */
	struct cgroup_ctrl *ctrl;
	size_t n;
};

/*
 * Reads /proc/self/mountinfo and /proc/self/cgroup. Fills H (release with
 * cgroup_host_release()). Fails only when no cgroup filesystem is mounted.
 * HUSK_CGROUP_VERSION=2 in the environment makes a hybrid host count as
 * v2 (its cgroup2 mount, without controllers): for tests of the v2
 * backend on a v1 machine.
 */
int cgroup_host_read(struct cgroup_host *h, struct err **e);
void cgroup_host_release(struct cgroup_host *h);
/* Whether the host is cgroup v2 (one statfs; HUSK_CGROUP_VERSION=2 too). */
bool cgroup_v2_host(void);

/* Adds the version, controllers and what the caller may use to P. */
void cgroup_probe(struct probes *p, const struct cgroup_host *h,
		  bool rootless);

/* ---- limits -------------------------------------------------------------- */

/* A device rule (OCI linux.resources.devices[]); the last match wins. */
struct cgroup_dev {
	bool allow;
	char type;		/* 'a' (all), 'c' or 'b' */
	int64_t major, minor;	/* -1: any */
	char access[4];		/* some of "rwm", NUL-terminated */
};

/*
 * The OCI spec's linux.resources, as husk applies them. Zero means "not
 * set" for every field (the kernel's default stays), -1 "unlimited"
 * where the field allows it.
 */
struct cgroup_limits {
	int64_t memory;			/* bytes */
	int64_t memory_swap;		/* memory + swap, bytes; -1 unlimited */
	int64_t memory_reservation;	/* bytes (v1 soft limit, v2 low) */
	uint64_t cpu_shares;		/* 2..262144 (v2: cpu.weight) */
	int64_t cpu_quota;		/* us per period; -1 unlimited */
	uint64_t cpu_period;		/* us; 0: 100000 */
	char *cpuset_cpus;		/* "0-1,3" or NULL */
	char *cpuset_mems;
	int64_t pids;			/* -1 unlimited */
	uint16_t blkio_weight;		/* 10..1000 (v2: io.weight) */
	bool has_devices;		/* devices[] was given (even empty) */
	struct cgroup_dev *devices;
	size_t ndevices;
};

/*
 * linux.resources of a spec (NULL: none) into L. Values out of the
 * kernel's ranges are refused, naming the field:
 * "linux.resources.cpu.shares: 1 is out of range (2-262144)".
 */
int cgroup_limits_parse(const cJSON *res, struct cgroup_limits *l,
			struct err **e);
/* The other way, for a spec's linux.resources (only what is set). */
cJSON *cgroup_limits_json(const struct cgroup_limits *l);
/* Whether any limit (not counting devices) is set. */
bool cgroup_limits_any(const struct cgroup_limits *l);
void cgroup_limits_release(struct cgroup_limits *l);

/* Docker's device rules for a container that is not privileged: deny
 * all, mknod of any, and read-write of null, zero, full, random, urandom,
 * tty, console, ptmx, pts and tun. Appended to L. */
void cgroup_limits_default_devices(struct cgroup_limits *l);

/* ---- a container's cgroup (cgroup/cgroup.c) ------------------------------ */

/* v1: one directory per mounted hierarchy that husk uses */
struct cgroup_dir {
	char *ctrl;		/* "memory"; a co-mounted "cpu,cpuacct" appears
				 * once per controller, with the same dir */
	char *dir;
};

struct cgroup {
	int version;		/* 1 or 2; 0: no cgroup */
	char *path;		/* v2: the directory; v1: the path inside each
				 * hierarchy ("/process_api/x/husk-ID") */
	struct cgroup_dir *dirs;	/* v1 */
	size_t ndirs;
};

/* Warnings for the user: one line each, NULL-terminated (free with
 * cgroup_warnings_free). */
typedef char **cgroup_warnings;
void cgroup_warnings_free(cgroup_warnings w);

/*
 * cgroup_create() - make the container's cgroup and apply L.
 * @path:	OCI cgroupsPath: absolute (from each hierarchy's root) or
 *		relative (below the caller's own cgroup, in each hierarchy).
 * @rootless:	the caller is not root on the host.
 *
 * v1: a directory in every hierarchy of a controller husk uses (cpu,
 * cpuacct, cpuset, memory, pids, blkio, freezer, devices) where the caller
 * may write; new cpuset cgroups get their parent's cpus and mems. v2: the
 * controllers L needs are enabled in the parent's cgroup.subtree_control;
 * when the parent is the caller's own cgroup and still holds processes,
 * the caller moves itself to the leaf PARENT/husk-leaf first (the v2 rule:
 * a cgroup with processes cannot enable controllers for its children).
 *
 * Returns 1 with *out filled, 0 when no cgroup can be made here (rootless
 * on v1, or a v2 cgroup the caller does not own) and *out is empty, or
 * <0 on an error. A limit that cannot be applied, a controller or file
 * the host lacks, become warnings in *warn, not errors.
 */
int cgroup_create(const struct cgroup_host *h, const char *path,
		  const struct cgroup_limits *l, bool rootless,
		  struct cgroup *out, cgroup_warnings *warn, struct err **e);

/* Whether CG enforces device rules (v1: a devices hierarchy; v2: always,
 * through a BPF program). */
bool cgroup_has_devices(const struct cgroup *cg);

/* Applies L to a running container's cgroup (`husk update`). */
int cgroup_update(const struct cgroup *cg, const struct cgroup_limits *l,
		  cgroup_warnings *warn, struct err **e);

/*
 * Opens every cgroup.procs of CG for writing (O_CLOEXEC), for a process
 * that is about to join it: it writes "0" to each (cgroup_join_fds()).
 * *fds is a heap array of *n fds; close with cgroup_close_fds().
 */
int cgroup_open_procs(const struct cgroup *cg, int **fds, size_t *n,
		      struct err **e);
/* Moves the calling process into the cgroups of FDS (async-signal-safe:
 * for a child between clone and exec). */
int cgroup_join_fds(const int *fds, size_t n);
void cgroup_close_fds(int *fds, size_t n);

/* Freezes (true) or thaws the cgroup and waits until the kernel says it
 * is so (v1 freezer.state, v2 cgroup.freeze and cgroup.events). */
int cgroup_freeze(const struct cgroup *cg, bool freeze, struct err **e);

struct cgroup_stats {
	uint64_t cpu_ns;	/* CPU time used, all cpus */
	uint64_t mem_usage;	/* bytes, less the inactive file cache */
	uint64_t mem_limit;	/* bytes, 0: none */
	uint64_t pids;		/* tasks in it now */
	uint64_t blk_read, blk_write;	/* bytes */
};
int cgroup_stats(const struct cgroup *cg, struct cgroup_stats *st,
		 struct err **e);

/* How many processes the OOM killer ended in CG (0 when unknown). */
uint64_t cgroup_oom_kills(const struct cgroup *cg);

/* SIGKILLs what is left in CG (v2 cgroup.kill; v1 each pid listed). */
void cgroup_kill(const struct cgroup *cg);

/*
 * Removes CG's directories. When one still holds processes (another pid
 * namespace's), they are killed and waited for, up to ~1 s. A directory
 * already gone is not an error. CG is released.
 */
int cgroup_destroy(struct cgroup *cg, struct err **e);

/* The record of CG for state.json and back: {"version":1,"path":..,
 * "dirs":{"memory":"/sys/fs/cgroup/memory/..", ...}}. */
cJSON *cgroup_to_json(const struct cgroup *cg);
int cgroup_from_json(const cJSON *j, struct cgroup *cg);
void cgroup_release(struct cgroup *cg);

#endif
