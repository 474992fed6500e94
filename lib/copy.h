/*
 * copy.h - copy a directory tree out of an untrusted rootfs (a volume's
 * "copy-up").
 *
 * When an empty volume is first mounted over a directory the image has
 * content in, docker copies that content into the volume (moby's
 * copyExistingContents: continuity's fs.CopyDir, then the directory's own
 * owner and mode). copy_tree() does this from the container's setup
 * process, where the source lies in the image's rootfs, which the image
 * author controls, and the destination is the volume's fresh directory on
 * the host. So:
 *
 *  - nothing in the source is followed: every entry is looked at with
 *    AT_SYMLINK_NOFOLLOW and opened with O_NOFOLLOW, and a symlink is
 *    recreated as a symlink with its target copied verbatim;
 *  - nothing in the destination is written through: every entry is created
 *    anew (mkdirat, O_CREAT | O_EXCL | O_NOFOLLOW, symlinkat, mknodat), so
 *    an entry that already exists fails the copy with EEXIST;
 *  - the depth is bounded: more than COPY_MAX_DEPTH nested directories fail
 *    with ELOOP instead of exhausting the stack.
 *
 * What is kept: content, mode (setuid, setgid and sticky included), owner,
 * atime and mtime (a directory's after its content), hard links between
 * files of the tree, and the extended attributes "user.*" and
 * "security.capability" (not overlayfs's own "user.overlay.*"; no
 * "trusted.*", no ACLs). Device nodes are created when the kernel allows
 * it and skipped silently when it says EPERM (rootless, as docker and
 * podman do); sockets are skipped. An owner the caller cannot give
 * (chown fails with EPERM, or EINVAL for an id unmapped in a user
 * namespace) is left as the creator's, and the copy goes on; likewise an
 * extended attribute the destination refuses (EOPNOTSUPP, EPERM; EINVAL
 * for security.capability whose root id is unmapped).
 */
#ifndef HUSK_COPY_H
#define HUSK_COPY_H

#include "lib/err.h"

/* Nested directories copy_tree() enters before failing with ELOOP. */
#define COPY_MAX_DEPTH 1000

/**
 * copy_tree() - copy the contents of directory @srcfd into the (empty)
 * directory @dstfd, then give @dstfd the owner, mode, extended attributes
 * and times of @srcfd.
 * @srcfd:	the source directory; any fd of it (O_PATH is fine), borrowed.
 * @dstfd:	the destination directory, likewise borrowed. The caller
 *		decides whether to copy at all (docker copies only into an
 *		empty volume); here an existing entry is an EEXIST error.
 *
 * Holds two fds per directory level while it runs: under the common soft
 * RLIMIT_NOFILE of 1024, a tree some 500 levels deep fails with EMFILE
 * before it reaches COPY_MAX_DEPTH. Returns 0, or <0 with
 * *e set to one error naming the entry relative to @srcfd:
 * "cannot copy 'a/b': permission denied" ('.' for the directory itself).
 * On failure the destination keeps what was copied so far; removing it is
 * the caller's choice.
 */
int copy_tree(int srcfd, int dstfd, struct err **e);

#endif
