/*
 * extract.c - names, safe resolution and directory fix-ups for the layer
 * unpacker (see layers.h for the contract, unpack.c for the stream).
 *
 * Why not archive_write_disk: it works on paths relative to the current
 * directory, so it needs a process-wide fchdir() (not something library
 * code may do behind the caller's back), and its SECURE_SYMLINKS check is a
 * lstat() walk done before the open, not the open itself. Instead every
 * entry is created with *at() calls relative to an O_PATH fd of its parent
 * directory, and that fd is obtained with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS): the kernel itself refuses
 * any symlink or `..` on the way, so no symlink the layer planted can be
 * written through, whatever the order of entries. Note that this is
 * stricter than safe_open()'s RESOLVE_IN_ROOT: a layer has no business
 * writing through its own symlinks (bsdtar's SECURE_SYMLINKS refuses them
 * too), so they are an error rather than something to follow inside the
 * root. Without openat2 (or with HUSK_NO_OPENAT2=1), a component walk with
 * O_NOFOLLOW does the same; it also runs when openat2 fails, to create
 * missing directories and to say precisely which component is wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "layers/internal.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define DIR_IMPLICIT_MODE 0755 /* bsdtar's and docker's default */
/* Directories stay 0700 while the layer is written: a read-only 0555
 * directory must still accept the entries that follow it. */
#define DIR_WORK_MODE 0700

void unpacker_init(struct unpacker *u, int root, const struct unpack_opts *o,
		   struct unpack_result *res)
{
	const char *env = getenv("HUSK_NO_OPENAT2");

	memset(u, 0, sizeof(*u));
	u->root = root;
	u->o = o;
	u->res = res;
	u->euid = geteuid();
	u->egid = getegid();
	u->no_openat2 = fs_force_fallback || (env && strcmp(env, "1") == 0);
	u->cache_fd = -1;
}

static void cache_drop(struct unpacker *u)
{
	closep(&u->cache_fd);
	free(u->cache_path);
	u->cache_path = NULL;
	u->cache_fd = -1;
}

void unpacker_release(struct unpacker *u)
{
	size_t i;

	cache_drop(u);
	for (i = 0; i < u->nfix; i++)
		free(u->fix[i].path);
	free(u->fix);
	u->fix = NULL;
	u->nfix = u->afix = 0;
}

/* Appends one component to @out, or pops one for "..". */
static int push_name(struct buf *out, const char *name, size_t n)
{
	char *slash;

	if (n == 0 || (n == 1 && name[0] == '.'))
		return 0;
	if (n == 2 && name[0] == '.' && name[1] == '.') {
		if (out->len == 0)
			return -1;
		slash = strrchr(out->s, '/');
		buf_setlen(out, slash ? (size_t) (slash - out->s) : 0);
		return 0;
	}
	if (out->len)
		buf_addch(out, '/');
	buf_add(out, name, n);
	return 0;
}

int unpack_normalize(const char *raw, const char *what, char **out,
		     struct err **e)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	const char *p = raw;

	while (*p) {
		size_t n = strcspn(p, "/");

		if (push_name(&b, p, n) < 0)
			return err_make(
			    e, 0, "unsafe %s '%s': it leaves the layer root",
			    what, raw);
		p += n;
		while (*p == '/')
			p++;
	}
	*out = buf_detach(&b, NULL);
	return 0;
}

size_t unpack_split(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');

	*base = slash ? slash + 1 : path;
	return slash ? (size_t) (slash - path) : 0;
}

static int open_beneath(int root, const char *path, int flags)
{
	struct open_how how = {
	    .flags = (unsigned) (flags | O_CLOEXEC),
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
		       RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	long fd = syscall(SYS_openat2, root, path, &how, sizeof(how));

	return fd < 0 ? -errno : (int) fd;
}

/* What is in the way of directory component @name (len @n) under @dir? */
static int not_a_dir(struct unpacker *u, int dir, const char *name,
		     const char *prefix, const char *entry, bool create,
		     struct err **e)
{
	struct stat st;

	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return err_make(e, errno, "cannot unpack '%s'", entry);
	if (S_ISLNK(st.st_mode))
		return err_make(e, 0, "unsafe path '%s': '%s' is a symlink",
				entry, prefix);
	if (!create)
		return err_make(e, ENOTDIR, "cannot unpack '%s'", entry);
	/* A file where a directory is needed: replace it (bsdtar does). */
	return unpack_remove(u, dir, name, prefix, e);
}

/*
 * The O_NOFOLLOW component walk behind unpack_parent()/unpack_open_dir():
 * opens @path (no "." or ".." left in it) with @last_flags for the last
 * component and O_PATH | O_NOFOLLOW on the way. Returns an owned fd.
 */
static int walk(struct unpacker *u, const char *path, int last_flags,
		bool create, const char *entry, struct err **e)
{
	_cleanup_close_ int cur = -1;
	const char *p = path;

	cur = openat(u->root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return err_make(e, errno, "cannot open the staging directory");
	while (*p) {
		size_t n = strcspn(p, "/"), plen = (size_t) (p - path) + n;
		_cleanup_free_ char *prefix = xstrndup(path, plen);
		const char *name = prefix + (p - path);
		int flags = p[n] == '\0' ? last_flags : O_PATH;
		int fd, tries, r;

		for (tries = 0;; tries++) {
			fd = openat(cur, name,
				    flags | O_DIRECTORY | O_NOFOLLOW |
					O_CLOEXEC);
			if (fd >= 0 || tries > 1)
				break;
			if (errno == ENOENT && create) {
				if (mkdirat(cur, name, DIR_WORK_MODE) < 0 &&
				    errno != EEXIST)
					return err_make(e, errno,
							"cannot create '%s'",
							prefix);
				unpack_fixup_add(u, prefix, plen,
						 DIR_IMPLICIT_MODE, NULL);
				continue;
			}
			if (errno != ENOTDIR && errno != ELOOP)
				break;
			r = not_a_dir(u, cur, name, prefix, entry, create, e);
			if (r < 0)
				return r;
		}
		if (fd < 0)
			return err_make(e, errno, "cannot open '%s'", prefix);
		closep(&cur);
		cur = fd;
		p += n;
		while (*p == '/')
			p++;
	}
	return TAKE_FD(cur);
}

int unpack_parent(struct unpacker *u, const char *dir, size_t dirlen,
		  const char *entry, struct err **e)
{
	_cleanup_free_ char *d = NULL;
	int fd = -ENOSYS;

	if (dirlen == 0)
		return u->root;
	if (u->cache_path && strlen(u->cache_path) == dirlen &&
	    memcmp(u->cache_path, dir, dirlen) == 0)
		return u->cache_fd;
	d = xstrndup(dir, dirlen);
	if (!u->no_openat2)
		fd = open_beneath(u->root, d, O_PATH | O_DIRECTORY);
	if (fd == -ENOSYS)
		u->no_openat2 = true;
	if (fd < 0)
		fd = walk(u, d, O_PATH, true, entry, e);
	if (fd < 0)
		return fd;
	closep(&u->cache_fd);
	free(u->cache_path);
	u->cache_fd = fd;
	u->cache_path = TAKE_PTR(d);
	return u->cache_fd;
}

int unpack_open_dir(struct unpacker *u, const char *path, int flags,
		    bool create, const char *entry, struct err **e)
{
	int fd = -ENOSYS;

	if (!*path) {
		fd = openat(u->root, ".", flags | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return err_make(e, errno,
					"cannot open the staging directory");
		return fd;
	}
	if (!u->no_openat2)
		fd = open_beneath(u->root, path, flags | O_DIRECTORY);
	if (fd >= 0)
		return fd;
	return walk(u, path, flags, create, entry, e);
}

/* Forgets the cached parent if it lies in the tree @path just removed. */
static void cache_forget(struct unpacker *u, const char *path)
{
	size_t n = strlen(path);

	if (u->cache_path && strncmp(u->cache_path, path, n) == 0 &&
	    (u->cache_path[n] == '\0' || u->cache_path[n] == '/'))
		cache_drop(u);
}

int unpack_remove(struct unpacker *u, int parent, const char *name,
		  const char *path, struct err **e)
{
	if (unlinkat(parent, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR)
		return err_make(e, errno, "cannot replace '%s'", path);
	cache_forget(u, path);
	if (rm_rf_at(parent, name, e) < 0)
		return err_wrap(e, "cannot replace '%s'", path);
	return 0;
}

void unpack_fixup_add(struct unpacker *u, const char *path, size_t len,
		      mode_t mode, const struct timespec *ts)
{
	struct unpack_fixup *f;

	if (u->nfix == u->afix) {
		u->afix = u->afix ? 2 * u->afix : 64;
		u->fix = xrealloc(u->fix, u->afix * sizeof(*u->fix));
	}
	f = &u->fix[u->nfix];
	memset(f, 0, sizeof(*f));
	f->path = xstrndup(path, len);
	f->mode = mode & 07777;
	f->seq = u->nfix++;
	if (ts) {
		f->has_times = true;
		f->ts[0] = ts[0];
		f->ts[1] = ts[1];
	}
}

/*
 * Descending names put a directory's contents before the directory itself
 * (bsdtar's fixup order); among repeats of one name, the later entry goes
 * last so that its metadata wins.
 */
static int fixup_cmp(const void *a, const void *b)
{
	const struct unpack_fixup *x = a, *y = b;
	int c = strcmp(y->path, x->path);

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int fixup_one(struct unpacker *u, const struct unpack_fixup *f,
		     struct err **e)
{
	_cleanup_err_ struct err *ignored = NULL;
	_cleanup_close_ int fd = -1;

	/* Gone or replaced by a later entry of the layer: nothing to fix. */
	fd = unpack_open_dir(u, f->path, O_RDONLY, false, f->path, &ignored);
	if (fd < 0)
		return 0;
	if (fchmod(fd, f->mode) < 0)
		return err_make(e, errno, "cannot set the mode of '%s'",
				*f->path ? f->path : ".");
	if (f->has_times && futimens(fd, f->ts) < 0)
		return err_make(e, errno, "cannot set the times of '%s'",
				*f->path ? f->path : ".");
	return 0;
}

int unpack_fixup_apply(struct unpacker *u, struct err **e)
{
	size_t i;
	int r;

	cache_drop(u);
	if (u->nfix)
		qsort(u->fix, u->nfix, sizeof(*u->fix), fixup_cmp);
	for (i = 0; i < u->nfix; i++) {
		r = fixup_one(u, &u->fix[i], e);
		if (r < 0)
			return r;
	}
	return 0;
}
