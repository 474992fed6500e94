/*
 * copy.c - copy_tree(); the contract is in copy.h.
 *
 * The walk holds each directory as a pair of real fds (the source as a
 * DIR stream, the destination O_RDONLY) and works only with *at() calls
 * relative to them, so no path is ever resolved through the source tree.
 * Buffers live in struct copy, not on the stack: a frame of the recursion
 * stays small even at COPY_MAX_DEPTH.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/copy.h"
#include "lib/fs.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* The kernel's limits on one value and on a list of names (linux/limits.h). */
#define COPY_XATTR_MAX 65536
/* The read/write buffer; also holds an xattr value or a symlink target. */
#define COPY_BUF 65536
/* One copy_file_range() call moves at most this much. */
#define COPY_CHUNK (1 << 30)

/* A file met with st_nlink > 1, and where its first copy went. */
struct link {
	dev_t dev;
	ino_t ino;
	char *path; /* relative to the destination root; NULL: free slot */
};

/* An open-addressing table: an image may hold many hard links. */
struct links {
	struct link *v;
	size_t n;
	size_t cap; /* 0 or a power of two */
};

struct copy {
	int dst;	 /* the destination root, O_RDONLY, owned */
	unsigned depth;	 /* directories entered below the root */
	struct buf path; /* the entry at hand, relative ("" for the root) */
	struct links links;
	char *names;   /* flistxattr() output, COPY_XATTR_MAX */
	char *scratch; /* COPY_BUF */
};

static size_t link_hash(dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t) ino * 0x9e3779b97f4a7c15ULL ^ (uint64_t) dev;

	return (size_t) (h ^ (h >> 31));
}

static struct link *links_slot(const struct links *l, dev_t dev, ino_t ino)
{
	size_t i = link_hash(dev, ino) & (l->cap - 1);

	while (l->v[i].path && (l->v[i].dev != dev || l->v[i].ino != ino))
		i = (i + 1) & (l->cap - 1);
	return &l->v[i];
}

static const char *links_find(const struct links *l, dev_t dev, ino_t ino)
{
	return l->cap ? links_slot(l, dev, ino)->path : NULL;
}

static void links_grow(struct links *l)
{
	struct links big = {.n = l->n, .cap = l->cap ? 2 * l->cap : 64};
	size_t i;

	big.v = xcalloc(big.cap, sizeof(*big.v));
	for (i = 0; i < l->cap; i++) {
		if (l->v[i].path)
			*links_slot(&big, l->v[i].dev, l->v[i].ino) = l->v[i];
	}
	free(l->v);
	*l = big;
}

/* Kept at most half full, so a probe always ends on a free slot. */
static void links_add(struct links *l, dev_t dev, ino_t ino, const char *path)
{
	struct link *s;

	if (2 * (l->n + 1) > l->cap)
		links_grow(l);
	s = links_slot(l, dev, ino);
	s->dev = dev;
	s->ino = ino;
	s->path = xstrdup(path);
	l->n++;
}

static void links_release(struct links *l)
{
	size_t i;

	for (i = 0; i < l->cap; i++)
		free(l->v[i].path);
	free(l->v);
}

static void copy_release(struct copy *c)
{
	closep(&c->dst);
	buf_release(&c->path);
	links_release(&c->links);
	free(c->names);
	free(c->scratch);
}

static const char *copy_name(const struct copy *c)
{
	return c->path.len ? c->path.s : ".";
}

static int copy_err(const struct copy *c, struct err **e, int errnum)
{
	return err_make(e, errnum, "cannot copy '%s'", copy_name(c));
}

/*
 * chown(2) says EPERM to an unprivileged caller and EINVAL for an id that
 * the user namespace does not map: the entry then keeps the creator's
 * owner, as with docker rootless or a single-id map.
 */
static bool owner_refused(int errnum)
{
	return errnum == EPERM || errnum == EINVAL;
}

/* overlayfs's own attributes describe the image's layers, not the file. */
static bool xattr_wanted(const char *name)
{
	if (strcmp(name, "security.capability") == 0)
		return true;
	return strncmp(name, "user.", 5) == 0 &&
	       strncmp(name, "user.overlay.", 13) != 0;
}

/*
 * The destination may not support user xattrs, and setting file
 * capabilities needs CAP_SETFCAP (EPERM) and a root id mapped in the
 * user namespace (EINVAL): the copy is still what the caller can have.
 */
static bool xattr_refused(const char *name, int errnum)
{
	if (errnum == EOPNOTSUPP || errnum == EPERM)
		return true;
	return errnum == EINVAL && strcmp(name, "security.capability") == 0;
}

static int copy_xattrs(struct copy *c, int src, int dst, struct err **e)
{
	ssize_t len = flistxattr(src, c->names, COPY_XATTR_MAX);
	const char *name;

	if (len < 0 && errno == EOPNOTSUPP)
		return 0;
	if (len < 0)
		return copy_err(c, e, errno);
	for (name = c->names; name < c->names + len; name += strlen(name) + 1) {
		ssize_t n;

		if (!xattr_wanted(name))
			continue;
		n = fgetxattr(src, name, c->scratch, COPY_BUF);
		if (n < 0 && errno == ENODATA)
			continue;
		if (n < 0 ||
		    (fsetxattr(dst, name, c->scratch, (size_t) n, 0) < 0 &&
		     !xattr_refused(name, errno)))
			return err_make(e, errno,
					"cannot copy '%s': extended attribute "
					"'%s'",
					copy_name(c), name);
	}
	return 0;
}

/*
 * Owner first: chown clears setuid, setgid and security.capability, which
 * fchmod and the xattrs then set. Times last, as every step before may
 * touch them (writing the content did too).
 */
static int meta_fd(struct copy *c, int src, int dst, const struct stat *st,
		   struct err **e)
{
	const struct timespec ts[2] = {st->st_atim, st->st_mtim};
	int r;

	if (fchown(dst, st->st_uid, st->st_gid) < 0 && !owner_refused(errno))
		return copy_err(c, e, errno);
	if (fchmod(dst, st->st_mode & 07777) < 0)
		return copy_err(c, e, errno);
	r = copy_xattrs(c, src, dst, e);
	if (r < 0)
		return r;
	if (futimens(dst, ts) < 0)
		return copy_err(c, e, errno);
	return 0;
}

/*
 * For what cannot be opened without side effects (fifos, devices) or at
 * all (symlinks). The entry is one we just created in a directory we
 * created, so fchmodat() may follow the name: it is not a symlink. Linux
 * allows "user.*" xattrs only on files and directories: none to copy.
 */
static int meta_at(struct copy *c, int ddir, const char *name,
		   const struct stat *st, struct err **e)
{
	const struct timespec ts[2] = {st->st_atim, st->st_mtim};
	int r =
	    fchownat(ddir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW);

	if (r < 0 && !owner_refused(errno))
		return copy_err(c, e, errno);
	if (!S_ISLNK(st->st_mode) &&
	    fchmodat(ddir, name, st->st_mode & 07777, 0) < 0)
		return copy_err(c, e, errno);
	if (utimensat(ddir, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return copy_err(c, e, errno);
	return 0;
}

static int copy_rw(struct copy *c, int in, int out)
{
	for (;;) {
		ssize_t n = read(in, c->scratch, COPY_BUF);
		int r;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : 0;
		r = write_all(out, c->scratch, (size_t) n);
		if (r < 0)
			return r;
	}
}

/*
 * copy_file_range() shares extents where the file system can (same
 * mount). It cannot across file systems on older kernels (EXDEV), for
 * some file systems at all (EINVAL, EOPNOTSUPP), or under a seccomp
 * filter (ENOSYS); and a few stop early with 0. The read/write loop
 * carries on from the offsets it reached, which at the real end costs a
 * single read.
 */
static int copy_data(struct copy *c, int in, int out)
{
	for (;;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, COPY_CHUNK, 0);

		if (n > 0 || (n < 0 && errno == EINTR))
			continue;
		if (n == 0 || errno == EXDEV || errno == EINVAL ||
		    errno == EOPNOTSUPP || errno == ENOSYS)
			break;
		return -errno;
	}
	return copy_rw(c, in, out);
}

/*
 * O_NONBLOCK: should the name have become a fifo since fstatat(), the
 * open returns at once, and the check below refuses it.
 */
static int copy_reg(struct copy *c, int sdir, int ddir, const char *name,
		    const struct stat *seen, struct err **e)
{
	const int rflags = O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK;
	const int wflags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;
	_cleanup_close_ int src = -1;
	_cleanup_close_ int dst = -1;
	struct stat st;
	int r;

	src = openat(sdir, name, rflags | O_CLOEXEC);
	if (src < 0 || fstat(src, &st) < 0)
		return copy_err(c, e, errno);
	if (!S_ISREG(st.st_mode) || st.st_dev != seen->st_dev ||
	    st.st_ino != seen->st_ino)
		return err_cause(e, EAGAIN,
				 "cannot copy '%s': changed while being copied",
				 copy_name(c));
	dst = openat(ddir, name, wflags | O_CLOEXEC, 0600);
	if (dst < 0)
		return copy_err(c, e, errno);
	r = copy_data(c, src, dst);
	if (r < 0)
		return copy_err(c, e, -r);
	r = meta_fd(c, src, dst, &st, e);
	if (r < 0)
		return r;
	/* close() can report a deferred write error (NFS); do not drop it. */
	if (close(TAKE_FD(dst)) < 0)
		return copy_err(c, e, errno);
	return 1;
}

static int copy_symlink(struct copy *c, int sdir, int ddir, const char *name,
			const struct stat *st, struct err **e)
{
	ssize_t n = readlinkat(sdir, name, c->scratch, COPY_BUF);
	int r;

	if (n < 0)
		return copy_err(c, e, errno);
	if (n >= COPY_BUF)
		return copy_err(c, e, ENAMETOOLONG);
	c->scratch[n] = '\0';
	if (symlinkat(c->scratch, ddir, name) < 0)
		return copy_err(c, e, errno);
	r = meta_at(c, ddir, name, st, e);
	return r < 0 ? r : 1;
}

/* Fifos, and device nodes when we may create them; 0 when skipped. */
static int copy_node(struct copy *c, int ddir, const char *name,
		     const struct stat *st, struct err **e)
{
	mode_t type = st->st_mode & S_IFMT;
	dev_t rdev = type == S_IFIFO ? 0 : st->st_rdev;
	int r;

	if (mknodat(ddir, name, type | 0600, rdev) < 0) {
		/* No CAP_MKNOD (rootless): docker and podman skip them. */
		if (errno == EPERM && type != S_IFIFO)
			return 0;
		return copy_err(c, e, errno);
	}
	r = meta_at(c, ddir, name, st, e);
	return r < 0 ? r : 1;
}

static int copy_entries(struct copy *c, DIR *d, int dst, struct err **e);

/* Content first, then the directory's own metadata (mode may be 0555). */
static int copy_dir_fds(struct copy *c, int *src, int dst,
			const struct stat *st, struct err **e)
{
	_cleanup_closedir_ DIR *d = fdopendir(*src);
	int r;

	if (!d)
		return copy_err(c, e, errno);
	TAKE_FD(*src);
	r = copy_entries(c, d, dst, e);
	if (r < 0)
		return r;
	return meta_fd(c, dirfd(d), dst, st, e);
}

/* Made 0700 so we can fill it; copy_dir_fds() gives it its real mode. */
static int copy_dir(struct copy *c, int sdir, int ddir, const char *name,
		    struct err **e)
{
	const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	_cleanup_close_ int src = -1;
	_cleanup_close_ int dst = -1;
	struct stat st;
	int r;

	if (c->depth >= COPY_MAX_DEPTH)
		return err_cause(e, ELOOP,
				 "cannot copy '%s': more than %d nested "
				 "directories",
				 copy_name(c), COPY_MAX_DEPTH);
	src = openat(sdir, name, flags);
	if (src < 0 || fstat(src, &st) < 0)
		return copy_err(c, e, errno);
	if (mkdirat(ddir, name, 0700) < 0)
		return copy_err(c, e, errno);
	dst = openat(ddir, name, flags);
	if (dst < 0)
		return copy_err(c, e, errno);
	c->depth++;
	r = copy_dir_fds(c, &src, dst, &st, e);
	c->depth--;
	return r;
}

/*
 * A second name of a file already copied becomes a hard link to that
 * copy. Returns <0 on error, else 0.
 */
static int copy_one(struct copy *c, int sdir, int ddir, const char *name,
		    struct err **e)
{
	const char *first = NULL;
	struct stat st;
	int r;

	if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return copy_err(c, e, errno);
	if (S_ISDIR(st.st_mode))
		return copy_dir(c, sdir, ddir, name, e);
	if (st.st_nlink > 1)
		first = links_find(&c->links, st.st_dev, st.st_ino);
	if (first) {
		if (linkat(c->dst, first, ddir, name, 0) < 0)
			return copy_err(c, e, errno);
		return 0;
	}
	switch (st.st_mode & S_IFMT) {
	case S_IFREG:
		r = copy_reg(c, sdir, ddir, name, &st, e);
		break;
	case S_IFLNK:
		r = copy_symlink(c, sdir, ddir, name, &st, e);
		break;
	case S_IFIFO:
	case S_IFCHR:
	case S_IFBLK:
		r = copy_node(c, ddir, name, &st, e);
		break;
	default:
		/* A socket is nothing without its listener: skip it. */
		return 0;
	}
	if (r > 0 && st.st_nlink > 1)
		links_add(&c->links, st.st_dev, st.st_ino, c->path.s);
	return r < 0 ? r : 0;
}

static int copy_entry(struct copy *c, int sdir, int ddir, const char *name,
		      struct err **e)
{
	size_t len = c->path.len;
	int r;

	if (len)
		buf_addch(&c->path, '/');
	buf_addstr(&c->path, name);
	r = copy_one(c, sdir, ddir, name, e);
	buf_setlen(&c->path, len);
	return r;
}

static int copy_entries(struct copy *c, DIR *d, int dst, struct err **e)
{
	struct dirent *ent;
	int r;

	for (;;) {
		errno = 0;
		ent = readdir(d);
		if (!ent)
			break;
		if (strcmp(ent->d_name, ".") == 0 ||
		    strcmp(ent->d_name, "..") == 0)
			continue;
		r = copy_entry(c, dirfd(d), dst, ent->d_name, e);
		if (r < 0)
			return r;
	}
	return errno ? copy_err(c, e, errno) : 0;
}

int copy_tree(int srcfd, int dstfd, struct err **e)
{
	const int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
	struct copy c = {.dst = -1, .path = BUF_INIT};
	_cleanup_close_ int src = -1;
	struct stat st;
	int r;

	/* Real fds from whatever the caller holds (O_PATH included). */
	src = openat(srcfd, ".", flags);
	if (src < 0 || fstat(src, &st) < 0)
		return copy_err(&c, e, errno);
	c.dst = openat(dstfd, ".", flags);
	if (c.dst < 0)
		return copy_err(&c, e, errno);
	c.names = xmalloc(COPY_XATTR_MAX);
	c.scratch = xmalloc(COPY_BUF);
	r = copy_dir_fds(&c, &src, c.dst, &st, e);
	copy_release(&c);
	return r;
}
