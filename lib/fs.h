/*
 * fs.h - safe path resolution and whole-file I/O (STYLE.md rules 14-17).
 *
 * Paths under a rootfs or layer directory are untrusted: any component may
 * be a symlink planted by an image. safe_open() resolves such a path as if
 * the directory rootfd were `/`, the way a process chrooted there would see
 * it, and never opens anything outside:
 *
 *  - `..` at the root stays at the root;
 *  - an absolute symlink target restarts at rootfd, not at the host's `/`;
 *  - /proc magic links (/proc/self/root, /proc/self/fd/N, ...) met on the
 *    way are refused with ELOOP, never followed.
 *
 * It uses openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS). When the kernel
 * lacks openat2 (ENOSYS), or the global fs_force_fallback is set, or the
 * environment has HUSK_NO_OPENAT2=1 (CI and tests use both), a component
 * walk with O_PATH | O_NOFOLLOW resolves symlinks itself (at most 40, then
 * ELOOP) and finally checks through /proc/self/fd that the result lies
 * under the root's path (crun's safe_openat, systemd's chase).
 *
 * Every fd returned is O_CLOEXEC and owned by the caller. Directories are
 * best held as O_PATH | O_DIRECTORY fds and used with the *at() calls.
 * Error messages name the path: "cannot open 'etc/passwd': ...", and errnum
 * is the errno of the failing call, so callers may test ENOENT.
 */
#ifndef HUSK_FS_H
#define HUSK_FS_H

#include <stddef.h>
#include <sys/types.h>

#include "lib/buf.h"
#include "lib/err.h"

/* Set to 1 to make safe_open() skip openat2 (tests, CI's fallback run). */
extern int fs_force_fallback;

/**
 * safe_open() - open @path resolved inside @rootfd as if it were `/`.
 * @flags:	open(2) flags; O_CLOEXEC is always added. O_CREAT creates the
 *		last component only (a dangling last symlink is followed and its
 *		target created inside the root, as open(2) would). O_NOFOLLOW
 *		applies to the last component.
 * @mode:	the mode for O_CREAT, else ignored.
 *
 * Returns the new fd, or <0 with *e set.
 */
int safe_open(int rootfd, const char *path, int flags, mode_t mode,
	      struct err **e);

/**
 * safe_mkdir_p() - create @path and its missing parents inside @rootfd.
 *
 * Resolution is safe_open()'s, so a symlinked component (var/run -> /run)
 * is followed inside the root. Returns an O_PATH | O_DIRECTORY fd of the
 * directory (owned by the caller), or <0 with *e set.
 */
int safe_mkdir_p(int rootfd, const char *path, mode_t mode, struct err **e);

/*
 * mkdir_p() - `mkdir -p` for trusted host paths (the store directories).
 * An existing directory is success; an existing non-directory is ENOTDIR.
 */
int mkdir_p(const char *path, mode_t mode, struct err **e);

/**
 * atomic_write_file() - replace @name under @dirfd with @data, atomically.
 *
 * Writes "@name.tmp" (a stale one left by a crash is removed first, then it
 * is created with O_EXCL so nothing else is written through), fsyncs it,
 * renames it over @name and fsyncs the directory: readers see the old or
 * the new content, never a part (git's lockfile contract). @dirfd may be an
 * O_PATH fd or AT_FDCWD; @name may contain '/'. Concurrent writers must
 * hold a lock (lib/lock.h). @mode is subject to the umask.
 */
int atomic_write_file(int dirfd, const char *name, const void *data, size_t len,
		      mode_t mode, struct err **e);
/* atomic_write_file() relative to the current directory. */
int atomic_write_path(const char *path, const void *data, size_t len,
		      mode_t mode, struct err **e);

/* Writes all of DATA, retrying short writes and EINTR; -errno on error. */
int write_all(int fd, const void *data, size_t len);

/**
 * read_file() - append the content of @name under @dirfd to @out.
 *
 * Refuses files bigger than @max bytes with EFBIG (also files whose size
 * st_size does not tell, like /proc files). A missing file is reported
 * with errnum ENOENT. On failure @out is left as it was.
 */
int read_file(int dirfd, const char *name, struct buf *out, size_t max,
	      struct err **e);

/**
 * rm_rf_at() - `rm -rf --one-file-system` of @name under @dirfd.
 *
 * Symlinks are removed, never followed. A directory on another mount than
 * @name's own (a bind mount left behind) is not entered: the removal fails
 * with EXDEV instead. A missing @name is success.
 */
int rm_rf_at(int dirfd, const char *name, struct err **e);

#endif
