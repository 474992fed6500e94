/*
 * test-copy.c - copy_tree(), a volume's copy-up, against what an image can
 * put in /data: symlinks that point out of the tree (absolute, relative,
 * dangling, one at /etc/passwd), a destination that already holds a
 * symlink, a tree deeper than the limit; and that what docker keeps is
 * kept: content, modes (setuid, sticky, 0555 directories), times, hard
 * links, fifos, xattrs, owners and device nodes.
 *
 * Under a fresh temporary directory BASE:
 *
 *	BASE/outside/secret	"SECRET", what an escape would touch (watched
 *				with inotify during the copies)
 *	BASE/src, BASE/dst	the main tree and its copy
 *	BASE/...		smaller trees for one case each
 *
 * It runs as root and as an unprivileged user. As root it also checks
 * foreign owners, device nodes and security.capability, and in a child
 * dropped to nobody that the owners it cannot give are left as the
 * caller's; as either, in a child in a user namespace with a single id
 * (docker rootless with one uid), that unmapped owners and refused device
 * nodes do not stop the copy, into a tmpfs (copy_file_range's fallback).
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/copy.h"
#include "lib/fs.h"
#include "lib/xalloc.h"
#include "test/unit/tap.h"
#include "test/unit/child.h"
#include "lib/banned.h"

#define BIG_SIZE 200000

static char base[] = "/tmp/husk-test-copy.XXXXXX";
static int bfd = -1;	/* O_PATH fd of BASE */
static char *outpath;	/* BASE/outside */
static bool root;	/* running as root */
static bool have_xattr; /* the test file system takes user.* xattrs */

/* ---- building trees ---- */

static void must(bool cond, const char *what)
{
	if (cond)
		return;
	tap_diag("%s: %s", what, strerror(errno));
	tap_skip_all("cannot build the test tree");
}

static int dir_at(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);

	must(fd >= 0, name);
	return fd;
}

static void mk(int dfd, const char *name, mode_t mode)
{
	must(mkdirat(dfd, name, 0700) == 0 && fchmodat(dfd, name, mode, 0) == 0,
	     name);
}

static void put(int dfd, const char *name, const char *content, mode_t mode)
{
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	_cleanup_close_ int fd = openat(dfd, name, flags, 0600);
	size_t len = strlen(content);

	must(fd >= 0 && write(fd, content, len) == (ssize_t) len &&
		 fchmod(fd, mode) == 0,
	     name);
}

static void sym(const char *target, int dfd, const char *name)
{
	must(symlinkat(target, dfd, name) == 0, name);
}

static void set_times(int dfd, const char *name, time_t asec, long ansec,
		      time_t msec, long mnsec)
{
	const struct timespec ts[2] = {{asec, ansec}, {msec, mnsec}};

	must(utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW) == 0, name);
}

/* Returns 0 or the errno of fsetxattr(). */
static int xattr_set(int dfd, const char *name, const char *key,
		     const void *val, size_t len)
{
	_cleanup_close_ int fd =
	    openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	must(fd >= 0, name);
	return fsetxattr(fd, key, val, len, 0) < 0 ? errno : 0;
}

/* Returns the value's length, or -errno. */
static ssize_t xattr_get(int dfd, const char *name, const char *key, char *val,
			 size_t size)
{
	_cleanup_close_ int fd =
	    openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = fgetxattr(fd, key, val, size);
	return n < 0 ? -errno : n;
}

static void put_big(int dfd, const char *name)
{
	_cleanup_free_ char *data = xmalloc(BIG_SIZE + 1);
	size_t i;

	for (i = 0; i < BIG_SIZE; i++)
		data[i] = (char) ('a' + (i * 7 + i / 997) % 26);
	data[BIG_SIZE] = '\0';
	put(dfd, name, data, 0644);
}

static bool is_big(int dfd, const char *name)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	size_t i;

	if (read_file(dfd, name, &b, 1 << 20, NULL) < 0 || b.len != BIG_SIZE)
		return false;
	for (i = 0; i < BIG_SIZE; i++) {
		if (b.s[i] != (char) ('a' + (i * 7 + i / 997) % 26))
			return false;
	}
	return true;
}

static void make_socket(int dfd, const char *dir, const char *name)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s/%s", base,
			 dir, name);

	must(fd >= 0 && n > 0 && (size_t) n < sizeof(sa.sun_path), "socket");
	must(bind(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0, "bind");
}

/* ---- looking at the copy ---- */

static bool lst(int dfd, const char *name, struct stat *st)
{
	return fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW) == 0;
}

static bool absent(int dfd, const char *name)
{
	struct stat st;

	return !lst(dfd, name, &st) && errno == ENOENT;
}

static bool text_is(int dfd, const char *name, const char *want)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	struct stat st;

	return lst(dfd, name, &st) && S_ISREG(st.st_mode) &&
	       read_file(dfd, name, &b, 1 << 20, NULL) == 0 &&
	       strcmp(b.s, want) == 0;
}

static void has_text(int dfd, const char *name, const char *want)
{
	ok(text_is(dfd, name, want), "'%s' has its content", name);
}

static void has_mode(int dfd, const char *name, mode_t type, mode_t perm)
{
	struct stat st = {0};
	bool got = lst(dfd, name, &st);

	/* lst() first: the order arguments are evaluated in is unspecified */
	ok(got && (st.st_mode & S_IFMT) == type && (st.st_mode & 07777) == perm,
	   "'%s' is type %06o mode %04o (got %06o)", name, type, perm,
	   st.st_mode);
}

static void has_link(int dfd, const char *name, const char *want)
{
	char got[4096];
	ssize_t n = readlinkat(dfd, name, got, sizeof(got) - 1);

	got[n > 0 ? n : 0] = '\0';
	ok(n >= 0 && strcmp(got, want) == 0, "'%s' is a symlink to '%s'", name,
	   want);
}

static void has_mtime(int dfd, const char *name, time_t sec, long nsec)
{
	struct stat st = {0};
	bool got = lst(dfd, name, &st);

	ok(got && st.st_mtim.tv_sec == sec && st.st_mtim.tv_nsec == nsec,
	   "'%s' keeps its mtime (got %lld.%09ld)", name,
	   (long long) st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

static void has_owner(int dfd, const char *name, uid_t uid, gid_t gid)
{
	struct stat st = {0};
	bool got = lst(dfd, name, &st);

	ok(got && st.st_uid == uid && st.st_gid == gid,
	   "'%s' is owned by %u:%u (got %u:%u)", name, uid, gid, st.st_uid,
	   st.st_gid);
}

static int count_fds(void)
{
	_cleanup_closedir_ DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	return n;
}

static int watch(const char *path, uint32_t mask)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	must(fd >= 0 && inotify_add_watch(fd, path, mask) >= 0, path);
	return fd;
}

/* How many events came; each is diagnosed. */
static int events(int fd)
{
	char buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n, i;
	int count = 0;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n;) {
			const struct inotify_event *ev = (void *) (buf + i);

			tap_diag("  event %#x on '%s'", ev->mask,
				 ev->len ? ev->name : "");
			count++;
			i += (ssize_t) (sizeof(*ev) + ev->len);
		}
	}
	return count;
}

/* ---- the main tree ---- */

static void build_main(int s)
{
	_cleanup_free_ char *secret = xasprintf("%s/secret", outpath);

	mk(s, "dir751", 0751);
	mk(s, "dir751/deeper", 0755);
	put(s, "dir751/deeper/file", "deep\n", 0644);
	put(s, "file", "hello, copy\n", 0640);
	put(s, "suid", "#!/bin/sh\n", 04755);
	mk(s, "sticky", 01777);
	mk(s, "ro", 0755);
	put(s, "ro/inner", "x", 0644);
	must(fchmodat(s, "ro", 0555, 0) == 0, "ro");
	sym("/etc/passwd", s, "abs");
	sym(secret, s, "absout");
	sym(outpath, s, "absdir");
	sym("dir751/deeper/file", s, "rel");
	sym("../outside/secret", s, "relout");
	sym("../outside", s, "reldir");
	sym("does/not/exist", s, "dangling");
	put(s, "hl1", "linked", 0644);
	must(linkat(s, "hl1", s, "dir751/hl2", 0) == 0, "hl2");
	must(mkfifoat(s, "fifo", 0600) == 0 &&
		 fchmodat(s, "fifo", 0620, 0) == 0,
	     "fifo");
	put(s, "xattr", "x", 0644);
	have_xattr = xattr_set(s, "xattr", "user.test", "v1", 2) == 0;
	if (have_xattr)
		must(xattr_set(s, "xattr", "user.overlay.origin", "o", 1) == 0,
		     "user.overlay.origin");
	make_socket(s, "src", "sock");
	put_big(s, "big");
}

static const struct vfs_cap_data *test_caps(void)
{
	static struct vfs_cap_data cap;

	cap.magic_etc = htole32(VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE);
	cap.data[0].permitted = htole32(1u << CAP_NET_BIND_SERVICE);
	return &cap;
}

/* What only root can make: foreign owners, a device, capabilities. */
static void build_main_root(int s)
{
	const struct vfs_cap_data *cap = test_caps();

	put(s, "owned", "o", 0644);
	must(fchownat(s, "owned", 1234, 5678, AT_SYMLINK_NOFOLLOW) == 0,
	     "owned");
	sym("owned", s, "owned-link");
	must(fchownat(s, "owned-link", 1234, 5678, AT_SYMLINK_NOFOLLOW) == 0,
	     "owned-link");
	must(mknodat(s, "null", S_IFCHR | 0600, makedev(1, 3)) == 0 &&
		 fchmodat(s, "null", 0666, 0) == 0,
	     "null");
	put(s, "capfile", "c", 0755);
	must(xattr_set(s, "capfile", "security.capability", cap,
		       sizeof(*cap)) == 0,
	     "security.capability");
	mk(s, "opaque", 0755);
	must(xattr_set(s, "opaque", "trusted.overlay.opaque", "y", 1) == 0,
	     "trusted.overlay.opaque");
	must(fchownat(s, "", 1234, 5678, AT_EMPTY_PATH) == 0, "src");
}

/* Last, as building the content changed the directories' times. */
static void build_main_times(int s)
{
	set_times(s, "file", 1100000000, 500000000, 1000000000, 123456789);
	set_times(s, "dir751", 1200000000, 0, 1200000000, 7);
	set_times(s, "ro", 1200000000, 0, 1200000001, 0);
	set_times(s, "rel", 1300000000, 0, 1300000000, 42);
	set_times(s, "fifo", 1400000000, 0, 1400000000, 0);
	must(fchmodat(bfd, "src", 0705, 0) == 0, "src");
	set_times(bfd, "src", 1500000000, 0, 1500000000, 0);
}

static void check_content(int d)
{
	struct stat a = {0}, b = {0};

	has_text(d, "file", "hello, copy\n");
	has_text(d, "dir751/deeper/file", "deep\n");
	has_text(d, "ro/inner", "x");
	has_text(d, "hl1", "linked");
	ok(is_big(d, "big"), "'big' (%d bytes) has its content", BIG_SIZE);
	ok(lst(d, "hl1", &a) && lst(d, "dir751/hl2", &b) &&
	       a.st_ino == b.st_ino && a.st_nlink == 2,
	   "hl1 and dir751/hl2 are one inode with 2 links");
	ok(absent(d, "sock"), "the socket is skipped");
}

static void check_modes(int d)
{
	has_mode(d, ".", S_IFDIR, 0705);
	has_mode(d, "dir751", S_IFDIR, 0751);
	has_mode(d, "dir751/deeper", S_IFDIR, 0755);
	has_mode(d, "file", S_IFREG, 0640);
	has_mode(d, "suid", S_IFREG, 04755);
	has_mode(d, "sticky", S_IFDIR, 01777);
	has_mode(d, "ro", S_IFDIR, 0555);
	has_mode(d, "fifo", S_IFIFO, 0620);
}

static void check_links(int d)
{
	_cleanup_free_ char *secret = xasprintf("%s/secret", outpath);

	has_link(d, "abs", "/etc/passwd");
	has_link(d, "absout", secret);
	has_link(d, "absdir", outpath);
	has_link(d, "rel", "dir751/deeper/file");
	has_link(d, "relout", "../outside/secret");
	has_link(d, "reldir", "../outside");
	has_link(d, "dangling", "does/not/exist");
}

static void check_times(int d)
{
	struct stat st = {0};

	has_mtime(d, "file", 1000000000, 123456789);
	ok(lst(d, "file", &st) && st.st_atim.tv_sec == 1100000000 &&
	       st.st_atim.tv_nsec == 500000000,
	   "'file' keeps its atime");
	has_mtime(d, "dir751", 1200000000, 7);
	has_mtime(d, "ro", 1200000001, 0);
	has_mtime(d, "rel", 1300000000, 42);
	has_mtime(d, "fifo", 1400000000, 0);
	has_mtime(d, ".", 1500000000, 0);
}

static void check_xattrs(int d)
{
	char val[16];
	ssize_t n;

	/* Not a skip (MUST_WORK=1 fails those): what is left to check is
	 * that the copy went on without them. */
	if (!have_xattr) {
		n = xattr_get(d, "xattr", "user.test", val, sizeof(val));
		ok(n == -EOPNOTSUPP,
		   "no user xattrs on this file system: none copied, no error");
		return;
	}
	n = xattr_get(d, "xattr", "user.test", val, sizeof(val));
	ok(n == 2 && memcmp(val, "v1", 2) == 0, "user.test is copied");
	n = xattr_get(d, "xattr", "user.overlay.origin", val, sizeof(val));
	is_int(n, -ENODATA, "user.overlay.origin is not");
}

static void check_owners(int d)
{
	static const char *const names[] = {
	    "dir751", "dir751/deeper/file", "file", "suid", "ro/inner",
	    "abs",    "dangling",	    "hl1",  "fifo", "big",
	};
	uid_t uid = geteuid();
	gid_t gid = getegid();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		has_owner(d, names[i], uid, gid);
	if (root) {
		has_owner(d, ".", 1234, 5678);
		has_owner(d, "owned", 1234, 5678);
		has_owner(d, "owned-link", 1234, 5678);
	} else {
		has_owner(d, ".", uid, gid);
	}
}

static void check_root(int d)
{
	const struct vfs_cap_data *cap = test_caps();
	char val[64];
	struct stat st = {0};
	ssize_t n;

	if (!root)
		return;
	ok(lst(d, "null", &st) && S_ISCHR(st.st_mode) &&
	       st.st_rdev == makedev(1, 3) && (st.st_mode & 07777) == 0666,
	   "the character device 1:3 is created, mode 0666");
	n = xattr_get(d, "capfile", "security.capability", val, sizeof(val));
	ok(n == (ssize_t) sizeof(*cap) && memcmp(val, cap, sizeof(*cap)) == 0,
	   "security.capability is copied (after the chown that clears it)");
	has_mode(d, "capfile", S_IFREG, 0755);
	n = xattr_get(d, "opaque", "trusted.overlay.opaque", val, sizeof(val));
	is_int(n, -ENODATA, "trusted.overlay.opaque is not");
}

static void test_main(void)
{
	_cleanup_close_ int s = -1;
	_cleanup_close_ int d = -1;
	_cleanup_close_ int w = -1;
	_cleanup_close_ int pw = -1;
	_cleanup_err_ struct err *e = NULL;
	int r;

	mk(bfd, "src", 0755);
	s = dir_at(bfd, "src");
	build_main(s);
	if (root)
		build_main_root(s);
	build_main_times(s);
	mk(bfd, "dst", 0700);
	d = dir_at(bfd, "dst");
	w = watch(outpath, IN_ALL_EVENTS);
	pw = watch("/etc/passwd", IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE);
	r = copy_tree(s, d, &e);
	ok(r == 0, "copy_tree copies the tree%s%s", e ? ": " : "",
	   e ? e->msg : "");
	is_int(events(w), 0, "nothing under outside/ is opened or changed");
	is_int(events(pw), 0, "/etc/passwd is not written");
	/* first: reading the copies would change their atimes */
	check_times(d);
	check_content(d);
	check_modes(d);
	check_links(d);
	check_xattrs(d);
	check_owners(d);
	check_root(d);
}

/*
 * Anything may open /etc/passwd (a getpwnam() elsewhere on the machine):
 * only a copy during which no one did tells. copy_tree() reading it
 * would show every time.
 */
static void test_passwd(void)
{
	_cleanup_close_ int s = -1;
	struct stat before, after;
	int i, r = -1, n = -1;

	if (stat("/etc/passwd", &before) < 0) {
		tap_skip("no /etc/passwd");
		return;
	}
	mk(bfd, "pw-src", 0755);
	s = dir_at(bfd, "pw-src");
	sym("/etc/passwd", s, "passwd");
	sym("/etc", s, "etc");
	sym("../../../../../../etc/passwd", s, "up");
	for (i = 0; i < 3 && n != 0; i++) {
		_cleanup_free_ char *name = xasprintf("pw-dst%d", i);
		_cleanup_err_ struct err *e = NULL;
		_cleanup_close_ int d = -1;
		_cleanup_close_ int w = -1;

		mk(bfd, name, 0700);
		d = dir_at(bfd, name);
		w = watch("/etc/passwd", IN_ALL_EVENTS);
		r = copy_tree(s, d, &e);
		n = events(w);
		if (r < 0)
			break;
		if (i == 0)
			has_link(d, "passwd", "/etc/passwd");
	}
	ok(r == 0 && n == 0, "/etc/passwd is not opened, read or written");
	ok(stat("/etc/passwd", &after) == 0 && after.st_ino == before.st_ino &&
	       after.st_size == before.st_size &&
	       after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
	       after.st_mtim.tv_nsec == before.st_mtim.tv_nsec &&
	       after.st_ctim.tv_sec == before.st_ctim.tv_sec &&
	       after.st_ctim.tv_nsec == before.st_ctim.tv_nsec,
	   "/etc/passwd is unchanged");
}

/* ---- a destination that is not empty ---- */

static void fails_eexist(const char *sname, const char *dname,
			 const char *entry)
{
	_cleanup_close_ int s = dir_at(bfd, sname);
	_cleanup_close_ int d = dir_at(bfd, dname);
	_cleanup_free_ char *want =
	    xasprintf("cannot copy '%s': file exists", entry);
	_cleanup_err_ struct err *e = NULL;
	int r = copy_tree(s, d, &e);

	ok(r < 0 && e && e->errnum == EEXIST,
	   "%s: an existing '%s' fails with EEXIST", dname, entry);
	is_str(e ? e->msg : NULL, want, "the message names it");
}

static void test_exists(void)
{
	_cleanup_free_ char *secret = xasprintf("%s/secret", outpath);
	_cleanup_free_ char *fresh = xasprintf("%s/fresh", outpath);
	_cleanup_close_ int w = -1;

	mk(bfd, "ex1-src", 0755);
	mk(bfd, "ex1-src/sub", 0755);
	put(bfd, "ex1-src/sub/x", "EVIL", 0644);
	mk(bfd, "ex1-dst", 0700);
	sym(outpath, bfd, "ex1-dst/sub");
	mk(bfd, "ex2-src", 0755);
	put(bfd, "ex2-src/f", "EVIL", 0644);
	mk(bfd, "ex2-dst", 0700);
	sym(secret, bfd, "ex2-dst/f");
	mk(bfd, "ex3-src", 0755);
	put(bfd, "ex3-src/f", "EVIL", 0644);
	mk(bfd, "ex3-dst", 0700);
	sym(fresh, bfd, "ex3-dst/f");
	mk(bfd, "ex4-src", 0755);
	sym("x", bfd, "ex4-src/l");
	mk(bfd, "ex4-dst", 0700);
	put(bfd, "ex4-dst/l", "KEEP", 0644);

	w = watch(outpath, IN_ALL_EVENTS);
	fails_eexist("ex1-src", "ex1-dst", "sub");
	fails_eexist("ex2-src", "ex2-dst", "f");
	fails_eexist("ex3-src", "ex3-dst", "f");
	fails_eexist("ex4-src", "ex4-dst", "l");
	is_int(events(w), 0, "nothing under outside/ is opened or changed");
	ok(absent(bfd, "outside/x") && absent(bfd, "outside/fresh"),
	   "nothing is created through a symlink to outside/");
	has_text(bfd, "outside/secret", "SECRET");
	has_text(bfd, "ex4-dst/l", "KEEP");
}

/* ---- who may not read, or not chown ---- */

static const char locked_msg[] = "cannot copy 'top/locked': permission denied";

static void build_locked(mode_t mode)
{
	mk(bfd, "lk-src", 0755);
	mk(bfd, "lk-src/top", 0755);
	mk(bfd, "lk-src/top/locked", mode);
	mk(bfd, "lk-dst", 0700);
}

/* Not root: our own 0000 directory cannot be read. */
static void test_locked(void)
{
	_cleanup_close_ int s = -1;
	_cleanup_close_ int d = -1;
	_cleanup_err_ struct err *e = NULL;
	int r;

	build_locked(0);
	s = dir_at(bfd, "lk-src");
	d = dir_at(bfd, "lk-dst");
	r = copy_tree(s, d, &e);
	ok(r < 0 && e && e->errnum == EACCES,
	   "an unreadable directory fails with EACCES");
	is_str(e ? e->msg : NULL, locked_msg, "the message names it");
	must(fchmodat(bfd, "lk-src/top/locked", 0700, 0) == 0, "locked");
}

struct nobody_arg {
	int src, dst;	/* a root-owned tree, and nobody's destination */
	int lsrc, ldst; /* a tree with a root-only directory */
};

static void as_nobody(const void *p)
{
	const struct nobody_arg *a = p;
	_cleanup_err_ struct err *e = NULL;
	struct stat st = {0};
	int r;

	if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
	    setresuid(65534, 65534, 65534) < 0) {
		crec(false, strerror(errno), "drop to nobody");
		return;
	}
	r = copy_tree(a->src, a->dst, &e);
	crec(r == 0, e ? e->msg : NULL, "copy_tree succeeds");
	crec(lst(a->dst, "owned", &st) && st.st_uid == 65534 &&
		 st.st_gid == 65534 && (st.st_mode & 07777) == 0644,
	     NULL, "a file of 1234:5678 is nobody's, mode 0644");
	crec(lst(a->dst, "rootfile", &st) && st.st_uid == 65534, NULL,
	     "a file of root is nobody's");
	crec(lst(a->dst, ".", &st) && st.st_uid == 65534 &&
		 (st.st_mode & 07777) == 0755,
	     NULL, "the destination stays nobody's, mode 0755");
	err_free(TAKE_PTR(e));
	r = copy_tree(a->lsrc, a->ldst, &e);
	crec(r < 0 && e && e->errnum == EACCES &&
		 strcmp(e->msg, locked_msg) == 0,
	     e ? e->msg : NULL, "a directory of root's 0700 fails naming it");
}

/* Root: the same from nobody's point of view, in a child. */
static void test_nobody(void)
{
	struct nobody_arg a;

	mk(bfd, "nb-src", 0755);
	put(bfd, "nb-src/rootfile", "r", 0644);
	put(bfd, "nb-src/owned", "o", 0644);
	must(fchownat(bfd, "nb-src/owned", 1234, 5678, 0) == 0, "owned");
	mk(bfd, "nb-dst", 0700);
	must(fchownat(bfd, "nb-dst", 65534, 65534, 0) == 0, "nb-dst");
	build_locked(0700);
	must(fchownat(bfd, "lk-dst", 65534, 65534, 0) == 0, "lk-dst");
	a.src = dir_at(bfd, "nb-src");
	a.dst = dir_at(bfd, "nb-dst");
	a.lsrc = dir_at(bfd, "lk-src");
	a.ldst = dir_at(bfd, "lk-dst");
	in_child("as nobody", as_nobody, &a);
	(void) close(a.src);
	(void) close(a.dst);
	(void) close(a.lsrc);
	(void) close(a.ldst);
}

/* ---- a user namespace with one id, a tmpfs destination ---- */

struct userns_arg {
	int src;
	const char *mnt;
};

static int write_file(const char *path, const char *s)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(s);

	return fd >= 0 && write(fd, s, len) == (ssize_t) len ? 0 : -1;
}

/* Our uid and gid become 0; every other id is unmapped. */
static bool enter_userns(uid_t uid, gid_t gid)
{
	char map[64];

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
		crec(false, strerror(errno), "unshare(CLONE_NEWUSER)");
		return false;
	}
	(void) snprintf(map, sizeof(map), "0 %u 1\n", uid);
	if (write_file("/proc/self/uid_map", map) < 0 ||
	    write_file("/proc/self/setgroups", "deny") < 0) {
		crec(false, strerror(errno), "write uid_map");
		return false;
	}
	(void) snprintf(map, sizeof(map), "0 %u 1\n", gid);
	if (write_file("/proc/self/gid_map", map) < 0) {
		crec(false, strerror(errno), "write gid_map");
		return false;
	}
	return true;
}

static void in_userns(const void *p)
{
	const struct userns_arg *a = p;
	_cleanup_err_ struct err *e = NULL;
	_cleanup_close_ int d = -1;
	struct stat st = {0};
	int r;

	if (!enter_userns(geteuid(), getegid()))
		return;
	(void) mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	if (mount("tmpfs", a->mnt, "tmpfs", 0, "mode=0700") < 0) {
		crec(false, strerror(errno), "mount tmpfs");
		return;
	}
	d = open(a->mnt, O_PATH | O_DIRECTORY | O_CLOEXEC);
	r = copy_tree(a->src, d, &e);
	crec(r == 0, e ? e->msg : NULL, "copy_tree succeeds");
	crec(is_big(d, "big"), NULL,
	     "'big' has its content (copy_file_range to tmpfs falls back)");
	crec(lst(d, "owned", &st) && st.st_uid == 0 && st.st_gid == 0, NULL,
	     root ? "an unmapped owner (EINVAL) leaves the creator's"
		  : "the owner is kept");
	crec(lst(d, "suid", &st) && (st.st_mode & 07777) == 04755, NULL,
	     "setuid is kept");
	crec(lst(d, "fifo", &st) && S_ISFIFO(st.st_mode), NULL,
	     "the fifo is created");
	if (root)
		crec(absent(d, "null"), NULL,
		     "a device node is skipped (EPERM without CAP_MKNOD)");
}

static void test_userns(void)
{
	_cleanup_free_ char *mnt = xasprintf("%s/mnt", base);
	struct userns_arg a = {.mnt = mnt};

	mk(bfd, "ns-src", 0755);
	a.src = dir_at(bfd, "ns-src");
	put(a.src, "owned", "o", 0644);
	put(a.src, "suid", "s", 04755);
	put_big(a.src, "big");
	must(mkfifoat(a.src, "fifo", 0644) == 0, "fifo");
	if (root) {
		must(fchownat(a.src, "owned", 1234, 5678, 0) == 0, "owned");
		must(mknodat(a.src, "null", S_IFCHR | 0666, makedev(1, 3)) == 0,
		     "null");
	}
	mk(bfd, "mnt", 0755);
	in_child("in a user namespace with one id", in_userns, &a);
	(void) close(a.src);
}

/* ---- depth ---- */

static void build_chain(const char *name, int n)
{
	int fd, i;

	mk(bfd, name, 0755);
	fd = dir_at(bfd, name);
	for (i = 0; i < n; i++) {
		int next;

		must(mkdirat(fd, "d", 0755) == 0, "d");
		next = dir_at(fd, "d");
		(void) close(fd);
		fd = next;
	}
	(void) close(fd);
}

static int chain_length(int dfd)
{
	int fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3), n = 0;

	for (;;) {
		int next = openat(fd, "d", O_PATH | O_DIRECTORY | O_CLOEXEC);

		(void) close(fd);
		if (next < 0)
			return n;
		fd = next;
		n++;
	}
}

/*
 * Two fds per level: 1000 levels need more than the usual 1024. Raises
 * the soft limit as far as it goes (rm_rf_at() needs one fd per level
 * too); says whether that is 4096.
 */
static bool enough_fds(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return false;
	if (rl.rlim_cur < 4096) {
		rl.rlim_cur = rl.rlim_max < 4096 ? rl.rlim_max : 4096;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			return false;
	}
	return rl.rlim_cur >= 4096;
}

static void test_depth_ok(void)
{
	_cleanup_err_ struct err *e = NULL;
	_cleanup_close_ int s = -1;
	_cleanup_close_ int d = -1;
	int r;

	build_chain("deep-ok", COPY_MAX_DEPTH);
	mk(bfd, "deep-ok-dst", 0700);
	s = dir_at(bfd, "deep-ok");
	d = dir_at(bfd, "deep-ok-dst");
	r = copy_tree(s, d, &e);
	ok(r == 0, "%d nested directories are copied%s%s", COPY_MAX_DEPTH,
	   e ? ": " : "", e ? e->msg : "");
	is_int(chain_length(d), COPY_MAX_DEPTH, "all of them");
}

/*
 * Without the fds for 1000 levels, the copy runs out of them first
 * (EMFILE): still an error that names the path, and no fd is lost.
 */
static void test_depth(void)
{
	_cleanup_err_ struct err *e = NULL;
	_cleanup_close_ int s = -1;
	_cleanup_close_ int d = -1;
	bool many = enough_fds();
	int r;

	if (many)
		test_depth_ok();
	build_chain("deep-no", COPY_MAX_DEPTH + 1);
	mk(bfd, "deep-no-dst", 0700);
	s = dir_at(bfd, "deep-no");
	d = dir_at(bfd, "deep-no-dst");
	r = copy_tree(s, d, &e);
	if (many)
		ok(r < 0 && e && e->errnum == ELOOP, "%d fail with ELOOP",
		   COPY_MAX_DEPTH + 1);
	else
		ok(r < 0 && e && e->errnum == EMFILE,
		   "%d fail with EMFILE (RLIMIT_NOFILE below 4096)",
		   COPY_MAX_DEPTH + 1);
	ok(e && strncmp(e->msg, "cannot copy 'd/d/d/", 19) == 0 &&
	       (!many ||
		strstr(e->msg, "': more than 1000 nested directories")),
	   "the message names the path");
}

/* ---- main ---- */

static void build_outside(void)
{
	mk(bfd, "outside", 0755);
	put(bfd, "outside/secret", "SECRET", 0644);
	outpath = xasprintf("%s/outside", base);
}

/* rm_rf_at() needs to write in the 0555 directories. */
static void clean_up(void)
{
	(void) fchmodat(bfd, "src/ro", 0755, 0);
	(void) fchmodat(bfd, "dst/ro", 0755, 0);
	ok(rm_rf_at(AT_FDCWD, base, NULL) == 0, "clean up");
}

int main(void)
{
	int fds;

	umask(022);
	root = geteuid() == 0;
	if (!mkdtemp(base))
		tap_skip_all("mkdtemp failed");
	bfd = dir_at(AT_FDCWD, base);
	build_outside();
	fds = count_fds();
	test_main();
	test_passwd();
	test_exists();
	if (root)
		test_nobody();
	else
		test_locked();
	test_userns();
	test_depth();
	is_int(count_fds(), fds, "no fd is left open");
	clean_up();
	(void) close(bfd);
	free(outpath);
	return tap_done();
}
