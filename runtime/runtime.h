/*
 * runtime.h - turning an OCI runtime spec into a running process.
 *
 * So far: the host facts the runtime depends on, for `husk info`, and the
 * subordinate id ranges the rootless user namespace is built from.
 * Nothing here prints or exits.
 */
#ifndef HUSK_RUNTIME_H
#define HUSK_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/err.h"
#include "lib/probe.h"

struct id_range {
	unsigned long start;
	unsigned long count;
};

/*
 * Reads the ranges of /etc/subuid-style FILE that belong to the user
 * (matched by NAME or by numeric UID). *out is a heap array the caller
 * frees; a missing file is not an error (no ranges). Malformed lines for
 * this user are an error naming the file and line.
 */
int runtime_subid_ranges(const char *file, uid_t uid, const char *name,
			 struct id_range **out, size_t *n, struct err **e);

/*
 * The id mapping of husk's user namespace: the caller becomes 0, the
 * subordinate ranges follow from 1. single: only the caller's own id is
 * mapped (no range, or no newuidmap/newgidmap); reason says why.
 */
struct userns_map {
	uid_t uid;
	gid_t gid;
	struct id_range *uids, *gids;
	size_t nuids, ngids;
	bool single;
	const char *reason;
};

/* Fills M from /etc/subuid, /etc/subgid and the helpers found on PATH. */
int runtime_userns_plan(struct userns_map *m, struct err **e);
void userns_map_release(struct userns_map *m);
/* "0:1000:1,1:100000:65536" (inside:outside:count), heap string. */
char *userns_map_string(const struct userns_map *m, bool gids);

/*
 * Moves the calling process into a new user namespace mapped as M and makes
 * it root there. Rootless store work (unpack, removal) runs after this.
 * Must be called while the process has a single thread.
 */
int runtime_userns_enter(const struct userns_map *m, struct err **e);

/*
 * Joins the user namespace pinned by husk's per-user pause process
 * (runtime/pause.c), starting one when there is none, so later commands
 * skip newuidmap/newgidmap. Returns 0 when joined (the caller is root
 * there), 1 when not applicable (single-uid map, HUSK_NO_PAUSE=1), <0 on
 * error (the caller falls back to runtime_userns_enter()).
 */
int runtime_userns_pinned(const char *runroot, const struct userns_map *m,
			  struct err **e);

/* Writes M's maps for PID with newuidmap/newgidmap (used for containers). */
int runtime_userns_write_maps(pid_t pid, const struct userns_map *m,
			      struct err **e);

/*
 * Adds the runtime's facts to P: user namespaces, subordinate ids,
 * newuidmap/newgidmap, overlayfs (in a user namespace when rootless),
 * fuse-overlayfs, openat2. PROBE_DIR is a writable directory on the
 * filesystem the store lives on (for the overlay mount test).
 */
void runtime_probe(struct probes *p, bool rootless, const char *probe_dir);

#endif
