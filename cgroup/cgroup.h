/*
 * cgroup.h - control groups, v1 and v2 behind one interface.
 *
 * So far: what the host's hierarchy looks like and which controllers the
 * caller may use (create child cgroups in), for `husk info` and, later,
 * for choosing the backend. Nothing here prints, exits or writes to a
 * cgroup.
 */
#ifndef HUSK_CGROUP_H
#define HUSK_CGROUP_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/probe.h"

struct cgroup_ctrl {
	char *name;	/* "memory", "cpu", ... */
	char *dir;	/* the caller's own cgroup directory for it */
	bool usable;	/* the caller may create child cgroups there */
};

struct cgroup_host {
	int version;		/* 1 (legacy or hybrid) or 2 (unified) */
	bool hybrid;		/* v1 with a cgroup2 mount beside it */
	char *unified;		/* the caller's cgroup2 directory, or NULL */
	bool unified_delegated;	/* the caller owns that directory */
	struct cgroup_ctrl *ctrl;
	size_t n;
};

/*
 * Reads /proc/self/mountinfo and /proc/self/cgroup. Fills H (release with
 * cgroup_host_release()). Fails only when no cgroup filesystem is mounted.
 */
int cgroup_host_read(struct cgroup_host *h, struct err **e);
void cgroup_host_release(struct cgroup_host *h);

/* Adds the version, controllers and what the caller may use to P. */
void cgroup_probe(struct probes *p, const struct cgroup_host *h,
		  bool rootless);

#endif
