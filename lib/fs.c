/*
 * fs.c - safe_open() and friends; the contract is in fs.h.
 *
 * Internal helpers follow the syscall convention of returning -errno, so
 * the public functions can turn the cause into one struct err that names
 * the path the caller asked for.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* Linux's own limit on symlinks followed in one lookup (MAXSYMLINKS). */
#define FS_MAX_LINKS 40

int fs_force_fallback;

static bool use_fallback(void)
{
	const char *env = getenv("HUSK_NO_OPENAT2");

	return fs_force_fallback || (env && strcmp(env, "1") == 0);
}

/* The kernel answers ENOSYS once and forever; do not ask again. */
static bool openat2_missing;

/*
 * openat2 returns EAGAIN when a rename or mount raced with a
 * RESOLVE_IN_ROOT lookup; the kernel documents retrying as the answer.
 */
static int open_in_root(int rootfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
	    .flags = (unsigned) (flags | O_CLOEXEC),
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int i;

	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		how.mode = mode;
	for (i = 0; i < 32; i++) {
		long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));

		if (fd >= 0)
			return (int) fd;
		if (errno != EAGAIN)
			return -errno;
	}
	return -EAGAIN;
}

/* The state of the fallback component walk. */
struct walk {
	int root;	/* O_PATH fd of the root, owned */
	int cur;	/* O_PATH fd of the directory reached, owned */
	size_t depth;	/* components below the root; `..` stops at 0 */
	unsigned links; /* symlinks followed so far */
	char *todo;	/* the path still to resolve, owned */
	const char *p;	/* where we are in todo */
};

static void walk_release(struct walk *w)
{
	closep(&w->root);
	closep(&w->cur);
	free(w->todo);
}

/* Cuts the next component out of w->p; returns its length, 0 at the end. */
static size_t next_name(struct walk *w, const char **name)
{
	const char *s = w->p;
	size_t n;

	while (*s == '/')
		s++;
	n = strcspn(s, "/");
	*name = s;
	w->p = s + n;
	return n;
}

static bool walk_at_end(const struct walk *w)
{
	const char *s = w->p;

	while (*s == '/')
		s++;
	return *s == '\0';
}

static int walk_set_cur(struct walk *w, int fd)
{
	closep(&w->cur);
	w->cur = fd;
	return 0;
}

static int walk_restart(struct walk *w)
{
	int fd = fcntl(w->root, F_DUPFD_CLOEXEC, 3);

	if (fd < 0)
		return -errno;
	w->depth = 0;
	return walk_set_cur(w, fd);
}

/* `..` from the root is the root, as in a chroot. */
static int walk_up(struct walk *w)
{
	int fd;

	if (w->depth == 0)
		return 0;
	fd = openat(w->cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	w->depth--;
	return walk_set_cur(w, fd);
}

/*
 * Reading a link's text and resolving it ourselves keeps even a /proc
 * magic link inside the root, but openat2's RESOLVE_NO_MAGICLINKS refuses
 * them; do the same so both paths agree. On procfs an absolute target is a
 * magic link, while /proc/self ("1234") is an ordinary one.
 */
static int read_link(int fd, char *target, size_t size)
{
	struct statfs sfs;
	ssize_t n = readlinkat(fd, "", target, size);

	if (n < 0)
		return -errno;
	if ((size_t) n >= size)
		return -ENAMETOOLONG;
	target[n] = '\0';
	if (n == 0)
		return -ENOENT;
	if (fstatfs(fd, &sfs) < 0)
		return -errno;
	if (sfs.f_type == PROC_SUPER_MAGIC && target[0] == '/')
		return -ELOOP;
	return 0;
}

/* Replaces the symlink at fd by its target in front of the rest. */
static int walk_follow(struct walk *w, int fd)
{
	char target[PATH_MAX];
	char *todo;
	int r;

	if (++w->links > FS_MAX_LINKS)
		return -ELOOP;
	r = read_link(fd, target, sizeof(target));
	if (r < 0)
		return r;
	todo = xasprintf("%s/%s", target, w->p);
	free(w->todo);
	w->todo = todo;
	w->p = todo;
	return target[0] == '/' ? walk_restart(w) : 0;
}

/* Whether the last component, when a symlink, is followed (open(2)). */
static bool follow_last(int flags)
{
	if (flags & O_NOFOLLOW)
		return false;
	return (flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL);
}

/*
 * One component: descend into a directory, follow a symlink, or open the
 * last one for real. Returns 0 to go on, 1 when done with the fd in *out,
 * or -errno.
 * The final openat() carries O_NOFOLLOW, so a symlink swapped in after our
 * look is refused (ELOOP) rather than followed.
 */
static int walk_step(struct walk *w, const char *name, int flags, mode_t mode,
		     int *out)
{
	_cleanup_close_ int fd = -1;
	bool last = walk_at_end(w);
	struct stat st;

	fd = openat(w->cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && !(last && errno == ENOENT))
		return -errno;
	if (fd >= 0 && fstat(fd, &st) < 0)
		return -errno;
	if (fd >= 0 && S_ISLNK(st.st_mode) && (!last || follow_last(flags)))
		return walk_follow(w, fd);
	if (last) {
		*out =
		    openat(w->cur, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
		return *out < 0 ? -errno : 1;
	}
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	w->depth++;
	return walk_set_cur(w, TAKE_FD(fd));
}

/* The path ran out on a directory (it was "/", or ended in ".."). */
static int walk_open_cur(struct walk *w, int flags, mode_t mode, int *out)
{
	*out = openat(w->cur, ".", flags | O_CLOEXEC, mode);
	return *out < 0 ? -errno : 1;
}

/* Resolves all of w->todo; returns 1 with the opened fd in *out, or -errno. */
static int walk_run(struct walk *w, int flags, mode_t mode, int *out)
{
	char name[NAME_MAX + 1];
	const char *s;
	size_t n;
	int r;

	for (;;) {
		n = next_name(w, &s);
		if (n == 0)
			return walk_open_cur(w, flags, mode, out);
		if (n > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(name, s, n);
		name[n] = '\0';
		if (strcmp(name, ".") == 0)
			continue;
		r = strcmp(name, "..") == 0
			? walk_up(w)
			: walk_step(w, name, flags, mode, out);
		if (r != 0)
			return r;
	}
}

static int fd_path(int fd, char *out, size_t size)
{
	char proc[64];
	ssize_t n;

	(void) snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, out, size);
	if (n < 0)
		return -errno;
	if ((size_t) n >= size)
		return -ENAMETOOLONG;
	out[n] = '\0';
	return 0;
}

/*
 * The walk is only as good as its view of the tree: a directory renamed
 * out of the root while we stood in it would take `..` outside. Ask the
 * kernel where the result really is, and fail closed when it cannot say.
 */
static int check_inside(int rootfd, int fd)
{
	char root[PATH_MAX], got[PATH_MAX];
	size_t n;
	int r;

	r = fd_path(rootfd, root, sizeof(root));
	if (r >= 0)
		r = fd_path(fd, got, sizeof(got));
	if (r < 0)
		return r;
	if (strcmp(root, "/") == 0)
		return 0;
	n = strlen(root);
	if (strncmp(got, root, n) != 0 || (got[n] != '\0' && got[n] != '/'))
		return -EXDEV;
	return 0;
}

static int open_fallback(int rootfd, const char *path, int flags, mode_t mode)
{
	struct walk w = {.root = -1, .cur = -1};
	_cleanup_close_ int fd = -1;
	int r;

	w.root = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (w.root < 0)
		return -errno;
	w.todo = xstrdup(path);
	w.p = w.todo;
	r = walk_restart(&w);
	if (r >= 0)
		r = walk_run(&w, flags, mode, &fd);
	if (r >= 0)
		r = check_inside(w.root, fd);
	walk_release(&w);
	return r < 0 ? r : TAKE_FD(fd);
}

int safe_open(int rootfd, const char *path, int flags, mode_t mode,
	      struct err **e)
{
	int r = -ENOSYS;

	if (!*path)
		return err_make(e, ENOENT, "cannot open ''");
	if (!use_fallback() && !openat2_missing) {
		r = open_in_root(rootfd, path, flags, mode);
		if (r == -ENOSYS)
			openat2_missing = true;
	}
	if (r == -ENOSYS)
		r = open_fallback(rootfd, path, flags, mode);
	if (r == -EXDEV)
		return err_cause(e, EXDEV, "cannot open '%s': outside the root",
				 path);
	if (r < 0)
		return err_make(e, -r, "cannot open '%s'", path);
	return r;
}

/* Splits "a/b/c/" into a heap "a/b" (NULL when none) and "c". */
static char *split_parent(const char *path, const char **base, size_t *blen)
{
	size_t end = strlen(path), start;

	while (end > 1 && path[end - 1] == '/')
		end--;
	start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	*base = path + start;
	*blen = end - start;
	if (start == 0)
		return NULL;
	return xstrndup(path, start);
}

static int mkdir_p_depth(int rootfd, const char *path, mode_t mode, int depth,
			 struct err **e);

/*
 * NAME in PARENT is a dangling symlink: create what it points to, resolved
 * inside the root like everything else (runc does the same for mount
 * targets), so `DIR/name/x` can then be made.
 */
static int mkdir_link_target(int rootfd, int parent, const char *dir,
			     const char *name, mode_t mode, int depth,
			     struct err **e)
{
	char target[PATH_MAX];
	_cleanup_free_ char *path = NULL;
	ssize_t n = readlinkat(parent, name, target, sizeof(target) - 1);
	int fd;

	if (n < 0)
		return err_make(e, errno, "cannot create '%s'", name);
	target[n] = '\0';
	path = target[0] == '/' ? xstrdup(target)
				: xasprintf("%s/%s", dir ? dir : "", target);
	fd = mkdir_p_depth(rootfd, path, mode, depth + 1, e);
	if (fd < 0)
		return fd;
	(void) close(fd);
	return 0;
}

static int mkdir_in(int rootfd, const char *path, mode_t mode, int depth,
		    struct err **e)
{
	_cleanup_close_ int parent = -1;
	_cleanup_free_ char *dir = NULL;
	_cleanup_free_ char *name = NULL;
	const char *base;
	size_t blen;
	struct stat st;

	dir = split_parent(path, &base, &blen);
	if (blen == 0)
		return err_make(e, ENOENT, "cannot create '%s'", path);
	parent = dir ? mkdir_p_depth(rootfd, dir, mode, depth, e)
		     : safe_open(rootfd, ".", O_PATH | O_DIRECTORY, 0, e);
	if (parent < 0)
		return parent;
	name = xstrndup(base, blen);
	if (mkdirat(parent, name, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return err_make(e, errno, "cannot create '%s'", path);
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode))
		return mkdir_link_target(rootfd, parent, dir, name, mode, depth, e);
	return 0;
}

/* Hands a local error to the caller's e (which may be NULL). */
static int err_pass(struct err **e, struct err **local, int r)
{
	if (e) {
		err_free(*e);
		*e = TAKE_PTR(*local);
	}
	return r;
}

static int mkdir_p_depth(int rootfd, const char *path, mode_t mode, int depth,
			 struct err **e)
{
	const int flags = O_PATH | O_DIRECTORY;
	_cleanup_err_ struct err *local = NULL;
	int fd, r;

	if (depth > FS_MAX_LINKS)
		return err_make(e, ELOOP, "cannot create '%s'", path);
	fd = safe_open(rootfd, path, flags, 0, &local);
	if (fd >= 0)
		return fd;
	if (local->errnum != ENOENT)
		return err_pass(e, &local, fd);
	r = mkdir_in(rootfd, path, mode, depth, e);
	if (r < 0)
		return r;
	return safe_open(rootfd, path, flags, 0, e);
}

int safe_mkdir_p(int rootfd, const char *path, mode_t mode, struct err **e)
{
	return mkdir_p_depth(rootfd, path, mode, 0, e);
}

/* mkdir(2) that accepts an existing directory. */
static int mkdir_one(const char *path, mode_t mode)
{
	struct stat st;

	if (mkdir(path, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	if (stat(path, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int mkdir_p(const char *path, mode_t mode, struct err **e)
{
	_cleanup_free_ char *p = xstrdup(path);
	char *s;
	int r;

	if (!*p)
		return err_make(e, ENOENT, "cannot create directory ''");
	for (s = p + 1;; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		r = mkdir_one(p, mode);
		if (r < 0)
			return err_make(e, -r, "cannot create directory '%s'",
					p);
		*s = c;
		if (c == '\0')
			return 0;
	}
}

int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t) n;
	}
	return 0;
}

/*
 * A .tmp left by a crash is ours to remove; O_EXCL|O_NOFOLLOW then makes
 * sure we write into a file we created, not through a planted symlink.
 */
static int write_tmp(int dir, const char *tmp, const void *data, size_t len,
		     mode_t mode)
{
	_cleanup_close_ int fd = -1;
	int r;

	if (unlinkat(dir, tmp, 0) < 0 && errno != ENOENT)
		return -errno;
	fd = openat(dir, tmp,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	r = write_all(fd, data, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	/* close() can report a deferred write error (NFS); do not drop it. */
	if (close(TAKE_FD(fd)) < 0 && r == 0)
		r = -errno;
	return r;
}

static int replace_file(int dir, const char *base, const void *data, size_t len,
			mode_t mode)
{
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", base);
	int r;

	r = write_tmp(dir, tmp, data, len, mode);
	if (r == 0 && renameat(dir, tmp, dir, base) < 0)
		r = -errno;
	if (r < 0) {
		(void) unlinkat(dir, tmp, 0);
		return r;
	}
	/* Make the rename itself durable, not only the data. */
	return fsync(dir) < 0 ? -errno : 0;
}

int atomic_write_file(int dirfd, const char *name, const void *data, size_t len,
		      mode_t mode, struct err **e)
{
	_cleanup_free_ char *parent = NULL;
	_cleanup_free_ char *base = NULL;
	_cleanup_close_ int dir = -1;
	const char *b;
	size_t blen;
	int r;

	parent = split_parent(name, &b, &blen);
	if (blen == 0 || b[0] == '/')
		return err_make(e, EISDIR, "cannot write '%s'", name);
	base = xstrndup(b, blen);
	/* O_RDONLY, not O_PATH: fsync() needs a real open directory. */
	dir = openat(dirfd, parent ? parent : ".",
		     O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return err_make(e, errno, "cannot write '%s'", name);
	r = replace_file(dir, base, data, len, mode);
	if (r < 0)
		return err_make(e, -r, "cannot write '%s'", name);
	return 0;
}

int atomic_write_path(const char *path, const void *data, size_t len,
		      mode_t mode, struct err **e)
{
	return atomic_write_file(AT_FDCWD, path, data, len, mode, e);
}

/* Appends all of fd to out; -EFBIG as soon as more than max came. */
static int read_all(int fd, struct buf *out, size_t max)
{
	size_t start = out->len;

	for (;;) {
		ssize_t n;

		buf_grow(out, 8192);
		n = read(fd, out->s + out->len, out->alloc - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		buf_setlen(out, out->len + (size_t) n);
		if (out->len - start > max)
			return -EFBIG;
	}
}

int read_file(int dirfd, const char *name, struct buf *out, size_t max,
	      struct err **e)
{
	_cleanup_close_ int fd = -1;
	size_t old = out->len;
	struct stat st;
	int r = 0;

	fd = openat(dirfd, name, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return err_make(e, errno, "cannot read '%s'", name);
	if (S_ISREG(st.st_mode) && (uint64_t) st.st_size > max)
		r = -EFBIG;
	if (r == 0)
		r = read_all(fd, out, max);
	if (r < 0) {
		buf_setlen(out, old);
		return err_make(e, -r, "cannot read '%s'", name);
	}
	return 0;
}

/* Identifies a mount; st_dev alone cannot tell bind mounts apart. */
struct mnt {
	dev_t dev;
	uint64_t id;
};

static int fd_mount(int fd, struct mnt *m)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID,
		  &stx) < 0)
		return -errno;
	m->dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
	m->id = (stx.stx_mask & STATX_MNT_ID) ? stx.stx_mnt_id : 0;
	return 0;
}

static int rm_tree(int parent, const char *name, struct buf *path,
		   const struct mnt *top, struct err **e);

static int rm_entries(DIR *d, struct buf *path, const struct mnt *top,
		      struct err **e)
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
		r = rm_tree(dirfd(d), ent->d_name, path, top, e);
		if (r < 0)
			return r;
	}
	if (errno)
		return err_make(e, errno, "cannot read directory '%s'",
				path->s);
	return 0;
}

/*
 * O_NOFOLLOW|O_DIRECTORY: if a symlink replaced the directory since
 * unlinkat() said EISDIR, the open fails instead of following it.
 */
static int rm_dir(int parent, const char *name, struct buf *path,
		  const struct mnt *top, struct err **e)
{
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_close_ int fd = -1;
	struct mnt m;
	int r;

	fd = openat(parent, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || fd_mount(fd, &m) < 0)
		return err_make(e, errno, "cannot remove '%s'", path->s);
	if (top && (m.dev != top->dev || m.id != top->id))
		return err_cause(e, EXDEV,
				 "cannot remove '%s': another file system is "
				 "mounted there",
				 path->s);
	d = fdopendir(fd);
	if (!d)
		return err_make(e, errno, "cannot remove '%s'", path->s);
	TAKE_FD(fd);
	r = rm_entries(d, path, top ? top : &m, e);
	if (r < 0)
		return r;
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return err_make(e, errno, "cannot remove '%s'", path->s);
	return 0;
}

/* Linux's unlinkat() says EISDIR for a directory: only then recurse. */
static int rm_tree(int parent, const char *name, struct buf *path,
		   const struct mnt *top, struct err **e)
{
	size_t len = path->len;
	int r = 0;

	if (len)
		buf_addch(path, '/');
	buf_addstr(path, name);
	if (unlinkat(parent, name, 0) < 0 && errno != ENOENT) {
		if (errno == EISDIR)
			r = rm_dir(parent, name, path, top, e);
		else
			r = err_make(e, errno, "cannot remove '%s'", path->s);
	}
	buf_setlen(path, len);
	return r;
}

int rm_rf_at(int dirfd, const char *name, struct err **e)
{
	_cleanup_buf_ struct buf path = BUF_INIT;

	return rm_tree(dirfd, name, &path, NULL, e);
}
