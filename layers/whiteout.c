/*
 * whiteout.c - OCI whiteouts to the overlayfs form the run path mounts.
 *
 * The OCI image spec marks deletions with ".wh." files; overlayfs wants a
 * 0:0 character device for a removed name and an "opaque" xattr on a
 * directory that hides its lower layers (Documentation/filesystems/
 * overlayfs.rst). containers/storage and docker's overlay2 driver convert
 * the same way at unpack time, so the run path mounts layers as they are.
 *
 * mknod(S_IFCHR, 0:0) is allowed in a user namespace since Linux 5.8 (the
 * whiteout exception), so this works for rootless unpacks too; a plain
 * unprivileged process outside a user namespace gets EPERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "layers/internal.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define WH_PREFIX ".wh."
#define WH_META_PREFIX ".wh..wh."
#define WH_OPAQUE ".wh..wh..opq"

/* "DIR/.wh..wh..opq": DIR hides what lower layers have in it. */
static int opaque(struct unpacker *u, const char *path, size_t dirlen,
		  struct err **e)
{
	_cleanup_free_ char *dir = xstrndup(path, dirlen);
	_cleanup_close_ int fd = -1;
	const char *name =
	    u->o->userxattr ? "user.overlay.opaque" : "trusted.overlay.opaque";

	fd = unpack_open_dir(u, dir, O_RDONLY, true, path, e);
	if (fd < 0)
		return fd;
	if (fsetxattr(fd, name, "y", 1, 0) < 0)
		return err_make(e, errno, "cannot set '%s' on '%s'", name,
				*dir ? dir : ".");
	return 0;
}

int unpack_whiteout(struct unpacker *u, const char *path, size_t dirlen,
		    const char *base, struct err **e)
{
	const char *name = base + strlen(WH_PREFIX);
	int parent;

	if (strcmp(base, WH_OPAQUE) == 0)
		return opaque(u, path, dirlen, e);
	/* Other AUFS metadata (.wh..wh.plnk, .wh..wh.aufs): meaningless. */
	if (strncmp(base, WH_META_PREFIX, strlen(WH_META_PREFIX)) == 0)
		return 0;
	/* unpack_normalize() removed "." and ".." components, not names. */
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return err_make(e, 0, "invalid whiteout '%s'", path);
	parent = unpack_parent(u, path, dirlen, path, e);
	if (parent < 0)
		return parent;
	if (mknodat(parent, name, S_IFCHR, makedev(0, 0)) == 0)
		return 0;
	/*
	 * Whatever has this name was written by this very layer (the staging
	 * directory starts empty): the whiteout only hides lower layers, and
	 * this layer's file wins. A later entry of that name replaces the
	 * whiteout, so both orders keep the file.
	 */
	if (errno == EEXIST)
		return 0;
	return err_make(e, errno, "cannot create whiteout '%s'", path);
}
