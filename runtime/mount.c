/*
 * The container's file system, built in the child inside its new mount
 * namespace: the overlay rootfs, the spec's mounts, devices, masked and
 * read-only paths, then pivot_root. Every target inside the rootfs is
 * resolved with safe_open()/safe_mkdir_p() and mounted onto the resulting
 * fd, so a symlink in the image cannot send a mount outside the rootfs.
 *
 * The new mount API does the work (fsopen + fsconfig "lowerdir+" for the
 * overlay: no page-size limit on layer count; open_tree + move_mount for
 * binds; mount_setattr for read-only, which leaves the flags a user
 * namespace has locked alone).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/copy.h"
#include "lib/fs.h"
#include "lib/xalloc.h"
#include "runtime/internal.h"
#include "runtime/spec.h"
#include "lib/banned.h"

static char *fd_path(int fd)
{
	return xasprintf("/proc/self/fd/%d", fd);
}

/* ---- the overlay rootfs ----------------------------------------------- */

static int fsconfig_str(int fd, const char *key, const char *val,
			struct err **e)
{
	if (fsconfig(fd, FSCONFIG_SET_STRING, key, val, 0) < 0)
		return err_make(e, errno, "overlay option %s '%s'", key, val);
	return 0;
}

/*
 * A writable layer that needs nobody to clean it up: a tmpfs on WORK in
 * the container's own mount namespace holds upper and work, and goes away
 * with the namespace.
 */
static int tmpfs_upper(const struct rt_spec *s, char **upper, char **work,
		       struct err **e)
{
	if (mount("tmpfs", s->work, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
		return err_make(e, errno, "cannot mount the tmpfs writable layer");
	*upper = xasprintf("%s/upper", s->work);
	*work = xasprintf("%s/work", s->work);
	if (mkdir(*upper, 0755) < 0 || mkdir(*work, 0755) < 0)
		return err_make(e, errno, "cannot create the writable layer");
	return 0;
}

static int mount_overlay(const struct rt_spec *s, bool userxattr,
			 struct err **e)
{
	_cleanup_close_ int fs = fsopen("overlay", FSOPEN_CLOEXEC);
	_cleanup_close_ int mnt = -1;
	_cleanup_free_ char *tu = NULL, *tw = NULL;
	const char *upper = s->upper, *work = s->work;

	if (fs < 0)
		return err_make(e, errno, "cannot create the overlay rootfs");
	if (s->upper_tmpfs) {
		if (tmpfs_upper(s, &tu, &tw, e) < 0)
			return -1;
		upper = tu;
		work = tw;
	}
	for (char **l = s->lower; *l; l++)
		if (fsconfig_str(fs, "lowerdir+", *l, e) < 0)
			return -1;
	if (upper && (fsconfig_str(fs, "upperdir", upper, e) < 0 ||
		      fsconfig_str(fs, "workdir", work, e) < 0))
		return -1;
	if (userxattr && fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0)
		return err_make(e, errno, "overlay option userxattr");
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return err_make(e, errno, "cannot mount the overlay rootfs");
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0 ||
	    move_mount(mnt, "", AT_FDCWD, s->root, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return err_make(e, errno, "cannot mount the rootfs on '%s'",
				s->root);
	return 0;
}

static int prepare_root(const struct rt_spec *s, bool userxattr,
			struct err **e)
{
	/* nothing we mount may propagate back to the host */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return err_make(e, errno, "cannot make the mounts private");
	if (s->lower)
		return mount_overlay(s, userxattr, e);
	/* pivot_root needs a mount point */
	if (mount(s->root, s->root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return err_make(e, errno, "cannot bind the rootfs '%s'", s->root);
	return 0;
}

/* ---- targets inside the rootfs -------------------------------------- */

/* An O_PATH fd of DEST inside the rootfs, created as a dir or a file. */
static int target(int rootfd, const char *dest, bool dir, struct err **e)
{
	_cleanup_free_ char *parent = xstrdup(dest);
	_cleanup_close_ int pfd = -1;
	char *slash = strrchr(parent, '/');
	int fd;

	if (dir)
		return safe_mkdir_p(rootfd, dest, 0755, e);
	*slash = '\0';
	pfd = safe_mkdir_p(rootfd, *parent ? parent : "/", 0755, e);
	if (pfd < 0)
		return -1;
	fd = safe_open(rootfd, dest, O_PATH | O_NOFOLLOW, 0, NULL);
	if (fd >= 0)
		return fd;
	/* the mount point for a file: an empty file, created inside */
	fd = safe_open(rootfd, dest, O_WRONLY | O_CREAT | O_NOFOLLOW, 0644, e);
	if (fd < 0)
		return -1;
	(void) close(fd);
	return safe_open(rootfd, dest, O_PATH | O_NOFOLLOW, 0, e);
}

static int set_readonly(int fd, bool recursive, struct err **e)
{
	struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };

	if (mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0),
			  &a, sizeof(a)) < 0)
		return err_make(e, errno, "cannot make a mount read-only");
	return 0;
}

/* Binds host path SRC (followed on the host) onto the fd DST. */
static int bind_onto(const char *src, int dst, bool recursive, bool ro,
		     struct err **e)
{
	unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
			 (recursive ? AT_RECURSIVE : 0);
	_cleanup_close_ int t = open_tree(AT_FDCWD, src, flags);

	if (t < 0)
		return err_make(e, errno, "cannot bind '%s'", src);
	if (ro && set_readonly(t, recursive, e) < 0)
		return -1;
	if (move_mount(t, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH |
					       MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return err_make(e, errno, "cannot bind '%s'", src);
	return 0;
}

/* ---- the spec's mounts ------------------------------------------------- */

static int mount_bind(int rootfd, const struct rt_mount *m, struct err **e)
{
	struct stat st;
	_cleanup_close_ int dst = -1;

	if (stat(m->source, &st) < 0)
		return err_make(e, errno, "bind source '%s'", m->source);
	dst = target(rootfd, m->dest, S_ISDIR(st.st_mode), e);
	if (dst < 0)
		return err_wrap(e, "mount point '%s'", m->dest);
	return bind_onto(m->source, dst, m->recursive || !m->bind,
			 m->flags & MS_RDONLY, e);
}

static int mount_fs(int rootfd, const struct rt_mount *m, const char *data,
		    struct err **e)
{
	_cleanup_close_ int dst = target(rootfd, m->dest, true, e);
	_cleanup_free_ char *p = NULL;

	if (dst < 0)
		return err_wrap(e, "mount point '%s'", m->dest);
	p = fd_path(dst);
	if (mount(m->source, p, m->type, m->flags, data) < 0)
		return err_make(e, errno, "cannot mount %s on '%s'", m->type,
				m->dest);
	return 0;
}

/* Drops one option ("gid=5") from a mount(2) data string. */
static char *without_option(const char *data, const char *prefix)
{
	_cleanup_free_ char *copy = xstrdup(data);
	struct buf b = BUF_INIT;
	char *save = NULL, *o;

	for (o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save))
		if (strncmp(o, prefix, strlen(prefix)))
			buf_addf(&b, "%s%s", b.len ? "," : "", o);
	return buf_detach(&b, NULL);
}

static int do_mount(int rootfd, const struct rt_mount *m, struct err **e)
{
	_cleanup_err_ struct err *first = NULL;
	_cleanup_free_ char *data = NULL;

	if (m->bind)
		return mount_bind(rootfd, m, e);
	if (mount_fs(rootfd, m, m->data, &first) >= 0)
		return 0;
	/*
	 * Rootless fallbacks (TESTING.md): sysfs needs a user namespace that
	 * owns the net namespace: bind the host's instead, as crun does;
	 * devpts with gid=5 fails when gid 5 is not mapped.
	 */
	if (!strcmp(m->type, "sysfs") && first->errnum == EPERM) {
		struct rt_mount b = *m;

		b.source = (char *)"/sys";
		b.bind = b.recursive = true;
		b.flags |= MS_RDONLY;
		return mount_bind(rootfd, &b, e);
	}
	if (!strcmp(m->type, "devpts") && strstr(m->data, "gid=")) {
		data = without_option(m->data, "gid=");
		return mount_fs(rootfd, m, data, e);
	}
	*e = TAKE_PTR(first);
	return -1;
}

/* ---- volume copy-up ----------------------------------------------------- */

static bool wants_copy_up(const struct rt_spec *s, const struct rt_mount *m)
{
	for (char **p = s->copy_up; m->bind && p && *p; p++)
		if (!strcmp(*p, m->dest))
			return true;
	return false;
}

static bool dir_empty(int fd)
{
	char buf[256];
	long n;

	/* getdents64 gives "." and ".." first (48 bytes at most for both) */
	n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
	for (long off = 0; off < n;) {
		struct { uint64_t ino; int64_t off; unsigned short reclen;
			 unsigned char type; char name[]; } *d =
			(void *)(buf + off);

		if (strcmp(d->name, ".") && strcmp(d->name, ".."))
			return false;
		off += d->reclen;
	}
	return n >= 0;
}

/*
 * docker's copy-up: a volume that is empty when it is mounted gets what
 * the image has at its destination (owners, modes, times), copied from
 * the rootfs before the volume covers it. The image's side is untrusted:
 * safe_open() resolves it inside the rootfs and copy_tree() follows no
 * symlink.
 */
static int copy_up(int rootfd, const struct rt_mount *m, struct err **e)
{
	_cleanup_close_ int vol = open(m->source, O_RDONLY | O_DIRECTORY |
						 O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int img = -1;
	_cleanup_err_ struct err *none = NULL;

	if (vol < 0)
		return err_make(e, errno, "cannot open volume '%s'", m->source);
	if (!dir_empty(vol))
		return 0;
	img = safe_open(rootfd, m->dest, O_RDONLY | O_DIRECTORY, 0, &none);
	if (img < 0)	/* nothing there (or not a directory): nothing to copy */
		return 0;
	if (copy_tree(img, vol, e) < 0)
		return err_wrap(e, "cannot copy '%s' of the image into the "
				"volume", m->dest);
	return 0;
}

/* ---- /dev --------------------------------------------------------------- */

static const struct {
	const char *name;
	unsigned maj, min;
} devices[] = {
	{ "null", 1, 3 },    { "zero", 1, 5 }, { "full", 1, 7 },
	{ "random", 1, 8 },  { "urandom", 1, 9 }, { "tty", 5, 0 },
};

static int make_device(int devfd, const char *name, unsigned maj, unsigned min,
		       struct err **e)
{
	_cleanup_free_ char *host = NULL;
	_cleanup_close_ int fd = -1;

	if (mknodat(devfd, name, S_IFCHR | 0666, makedev(maj, min)) == 0) {
		/* the umask must not narrow a device's mode */
		(void) fchmodat(devfd, name, 0666, 0);
		return 0;
	}
	if (errno != EPERM)
		return err_make(e, errno, "cannot create /dev/%s", name);
	/* in a user namespace: bind the host's device onto an empty file */
	fd = openat(devfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		return err_make(e, errno, "cannot create /dev/%s", name);
	(void) close(TAKE_FD(fd));
	fd = openat(devfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	host = xasprintf("/dev/%s", name);
	if (fd < 0)
		return err_make(e, errno, "cannot open /dev/%s", name);
	return bind_onto(host, fd, false, false, e);
}

/* --device and linux.devices: made, or bound from the host where the
 * kernel refuses mknod (a user namespace) */
static int spec_device(int rootfd, const struct rt_device *d, struct err **e)
{
	_cleanup_close_ int dir = -1, fd = -1;
	_cleanup_free_ char *parent = xstrdup(d->path);
	const char *base = strrchr(d->path, '/') + 1;
	mode_t type = d->type == 'b' ? S_IFBLK : S_IFCHR;

	parent[base - d->path] = '\0';
	dir = safe_mkdir_p(rootfd, parent, 0755, e);
	if (dir < 0)
		return err_wrap(e, "cannot create %s", d->path);
	(void) unlinkat(dir, base, 0);
	if (mknodat(dir, base, type | d->mode, makedev(d->major, d->minor)) == 0) {
		(void) fchmodat(dir, base, d->mode, 0);
		if (fchownat(dir, base, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
			return err_make(e, errno, "cannot chown %s", d->path);
		return 0;
	}
	if (errno != EPERM || !d->host)
		return err_make(e, errno, "cannot create the device %s", d->path);
	fd = openat(dir, base, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		return err_make(e, errno, "cannot create %s", d->path);
	(void) close(TAKE_FD(fd));
	fd = openat(dir, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_make(e, errno, "cannot open %s", d->path);
	return bind_onto(d->host, fd, false, false, e);
}

static int populate_dev(int rootfd, const struct rt_spec *s, struct err **e)
{
	static const char *const links[][2] = {
		{ "/proc/self/fd", "fd" },	{ "/proc/self/fd/0", "stdin" },
		{ "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
		{ "pts/ptmx", "ptmx" },	{ "/proc/kcore", "core" },
	};
	_cleanup_close_ int dev = safe_open(rootfd, "/dev",
					    O_RDONLY | O_DIRECTORY, 0, e);

	if (dev < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(devices); i++)
		if (make_device(dev, devices[i].name, devices[i].maj,
				devices[i].min, e) < 0)
			return -1;
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (symlinkat(links[i][0], dev, links[i][1]) < 0 && errno != EEXIST)
			return err_make(e, errno, "cannot create /dev/%s",
					links[i][1]);
	for (size_t i = 0; i < s->ndevices; i++)
		if (spec_device(rootfd, &s->devices[i], e) < 0)
			return -1;
	return 0;
}

/* ---- masked and read-only paths ---------------------------------------- */

static int mask_path(int rootfd, const char *path, struct err **e)
{
	_cleanup_close_ int fd = safe_open(rootfd, path, O_PATH | O_NOFOLLOW, 0,
					   NULL);
	_cleanup_free_ char *p = NULL;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return 0; /* nothing there to hide */
	if (!S_ISDIR(st.st_mode))
		return bind_onto("/dev/null", fd, false, true, e);
	p = fd_path(fd);
	if (mount("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV |
					       MS_NOEXEC, "size=0") < 0)
		return err_make(e, errno, "cannot mask '%s'", path);
	return 0;
}

static int readonly_path(int rootfd, const char *path, struct err **e)
{
	_cleanup_close_ int fd = safe_open(rootfd, path, O_PATH | O_NOFOLLOW, 0,
					   NULL);
	_cleanup_free_ char *p = NULL;

	if (fd < 0)
		return 0;
	p = fd_path(fd);
	if (bind_onto(p, fd, true, true, e) < 0)
		return err_wrap(e, "read-only path '%s'", path);
	return 0;
}

/* ---- all of it ----------------------------------------------------------- */

static int do_pivot(const struct rt_spec *s, struct err **e)
{
	if (chdir(s->root) < 0)
		return err_make(e, errno, "chdir '%s'", s->root);
	/* pivot_root(".", ".") stacks the old root under the new one;
	 * detaching it leaves only the container's tree (runc, crun) */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return err_make(e, errno, "pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return err_make(e, errno, "cannot detach the old root");
	if (chdir("/") < 0)
		return err_make(e, errno, "chdir /");
	if (s->readonly) {
		_cleanup_close_ int r = open("/", O_PATH | O_CLOEXEC);

		if (r < 0 || set_readonly(r, false, e) < 0)
			return err_make(e, errno, "cannot make the rootfs "
					"read-only");
	}
	return 0;
}

int runtime_mount_root(const struct rt_spec *s, bool userxattr,
		       struct err **e)
{
	return prepare_root(s, userxattr, e);
}

int runtime_mount_all(const struct rt_spec *s, bool userxattr, struct err **e)
{
	_cleanup_close_ int rootfd = -1;

	rootfd = open(s->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return err_make(e, errno, "cannot open the rootfs '%s'", s->root);
	for (size_t i = 0; i < s->nmounts; i++) {
		if (wants_copy_up(s, &s->mounts[i]) &&
		    copy_up(rootfd, &s->mounts[i], e) < 0)
			return -1;
		if (do_mount(rootfd, &s->mounts[i], e) < 0)
			return -1;
		if (!strcmp(s->mounts[i].dest, "/dev") &&
		    !strcmp(s->mounts[i].type, "tmpfs") &&
		    populate_dev(rootfd, s, e) < 0)
			return -1;
	}
	for (char **p = s->masked; p && *p; p++)
		if (mask_path(rootfd, *p, e) < 0)
			return -1;
	for (char **p = s->readonly_paths; p && *p; p++)
		if (readonly_path(rootfd, *p, e) < 0)
			return -1;
	return do_pivot(s, e);
}
