/*
 * test-fs.c - safe_open() against symlink, `..` and /proc traps, on both
 * the openat2 path and the fallback walk (libarchive's
 * test_write_disk_secure, crun's safe_openat tests); then the file helpers.
 *
 * The tree, under a fresh temporary directory BASE:
 *
 *	BASE/outside/passwd	"HOST"	(what an escape would read)
 *	BASE/root/etc/passwd	"ROOT"	(what a contained lookup reads)
 *	BASE/root/abs -> /etc/passwd, absdir -> /etc, rel -> ../../..,
 *	relout -> ../outside/passwd, escdir -> ../../outside, loops, a chain
 *	of 41 links, procroot -> /proc/self/root, procfd -> /proc/self/fd/N
 *	(N open on BASE/outside), linkdir -> /sub, dangling links.
 *
 * As root, the test also runs in its own mount namespace with a real proc
 * mounted at BASE/root/proc, so the magic links exist inside the root.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/xalloc.h"
#include "test/unit/tap.h"
#include "lib/banned.h"

static char base[] = "/tmp/husk-test-fs.XXXXXX";
static char *rootpath;	      /* BASE/root */
static int rootfd = -1;	      /* O_PATH fd of BASE/root */
static int outfd = -1;	      /* O_PATH fd of BASE/outside */
static const char *mode_name; /* "openat2" or "fallback" */
static bool proc_mounted;

static void put(int dfd, const char *name, const char *content)
{
	if (atomic_write_file(dfd, name, content, strlen(content), 0644, NULL) <
	    0)
		tap_skip_all("cannot build the test tree");
}

static void link_at(const char *target, const char *name)
{
	if (symlinkat(target, rootfd, name) < 0)
		tap_skip_all("cannot build the test tree");
}

static void build_tree(void)
{
	_cleanup_close_ int bfd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	char name[32], target[32];
	int i;

	if (bfd < 0 || mkdirat(bfd, "outside", 0755) < 0 ||
	    mkdirat(bfd, "root", 0755) < 0)
		tap_skip_all("cannot build the test tree");
	outfd = openat(bfd, "outside", O_PATH | O_DIRECTORY | O_CLOEXEC);
	rootfd = openat(bfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	rootpath = xasprintf("%s/root", base);
	if (outfd < 0 || rootfd < 0 || mkdirat(rootfd, "etc", 0755) < 0 ||
	    mkdirat(rootfd, "sub", 0755) < 0 || mkdirat(rootfd, "proc", 0755))
		tap_skip_all("cannot build the test tree");
	put(outfd, "passwd", "HOST");
	put(outfd, "keep", "KEEP");
	put(rootfd, "etc/passwd", "ROOT");
	put(rootfd, "notdir", "F");
	link_at("/etc/passwd", "abs");
	link_at("/etc", "absdir");
	link_at("../../..", "rel");
	link_at("../outside/passwd", "relout");
	link_at("../../outside", "escdir");
	link_at("loop2", "loop1");
	link_at("loop1", "loop2");
	link_at("self", "self");
	link_at("/proc/self/root", "procroot");
	snprintf(target, sizeof(target), "/proc/self/fd/%d", outfd);
	link_at(target, "procfd");
	link_at("/sub", "linkdir");
	/* c0 -> c1 -> ... -> c40 -> /etc/passwd: 41 links from c0. */
	for (i = 0; i <= 40; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		snprintf(target, sizeof(target), i < 40 ? "c%d" : "/etc/passwd",
			 i + 1);
		link_at(target, name);
	}
}

/* Whether fd lies under BASE/root, asked of the kernel. */
static bool inside(int fd)
{
	char proc[64], got[4096];
	size_t n = strlen(rootpath);
	ssize_t len;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	len = readlink(proc, got, sizeof(got) - 1);
	if (len < 0)
		return false;
	got[len] = '\0';
	return strncmp(got, rootpath, n) == 0 &&
	       (got[n] == '\0' || got[n] == '/');
}

/* Reads up to 15 bytes of fd into out. */
static void slurp(int fd, char *out)
{
	ssize_t n = pread(fd, out, 15, 0);

	out[n > 0 ? n : 0] = '\0';
}

/* safe_open(path) must give a file inside the root reading want. */
static void opens(const char *path, const char *want)
{
	_cleanup_err_ struct err *e = NULL;
	_cleanup_close_ int fd = safe_open(rootfd, path, O_RDONLY, 0, &e);
	char got[16] = "";

	if (fd >= 0)
		slurp(fd, got);
	ok(fd >= 0 && inside(fd) && strcmp(got, want) == 0,
	   "%s: '%s' reads the root's file (%s)", mode_name, path,
	   e ? e->msg : got);
}

/* safe_open(path, flags) must fail with errnum. */
static void refuses(const char *path, int flags, int errnum)
{
	_cleanup_err_ struct err *e = NULL;
	_cleanup_close_ int fd = safe_open(rootfd, path, flags, 0644, &e);
	char got[16] = "";

	if (fd >= 0)
		slurp(fd, got);
	ok(fd < 0 && e && e->errnum == errnum, "%s: '%s' fails with %s (%s)",
	   mode_name, path, strerrorname_np(errnum),
	   e			    ? e->msg
	   : fd >= 0 && !inside(fd) ? "ESCAPED"
				    : got);
}

static void test_escapes(void)
{
	opens("../../etc/passwd", "ROOT");
	opens("/../../../etc/passwd", "ROOT");
	opens("sub/../../../etc/passwd", "ROOT");
	opens("/etc/passwd", "ROOT");
	opens("abs", "ROOT");
	opens("absdir/passwd", "ROOT");
	opens("absdir/../absdir/./passwd", "ROOT");
	opens("rel/etc/passwd", "ROOT");
	opens("rel/rel/rel/abs", "ROOT");
	opens("c1", "ROOT");
	refuses("relout", O_RDONLY, ENOENT);
	refuses("escdir/passwd", O_RDONLY, ENOENT);
	refuses("../outside/passwd", O_RDONLY, ENOENT);
	refuses("loop1", O_RDONLY, ELOOP);
	refuses("loop1/x", O_RDONLY, ELOOP);
	refuses("self", O_RDONLY, ELOOP);
	refuses("c0", O_RDONLY, ELOOP);
	refuses("notdir/x", O_RDONLY, ENOTDIR);
	refuses("abs", O_RDONLY | O_NOFOLLOW, ELOOP);
	refuses("abs", O_WRONLY | O_CREAT | O_EXCL, EEXIST);
	refuses("", O_RDONLY, ENOENT);
}

/* Without proc inside the root the magic links point at nothing. */
static void test_magic_unmounted(void)
{
	refuses("procroot/etc/passwd", O_RDONLY, ENOENT);
	refuses("procfd/passwd", O_RDONLY, ENOENT);
}

/* With proc mounted inside, they must be refused, never followed. */
static void test_magic_mounted(void)
{
	char path[64];

	if (!proc_mounted) {
		ok(0, "%s: no proc could be mounted in the root", mode_name);
		return;
	}
	refuses("procroot/etc/passwd", O_RDONLY, ELOOP);
	refuses("proc/self/root/etc/passwd", O_RDONLY, ELOOP);
	snprintf(path, sizeof(path), "proc/self/fd/%d/passwd", outfd);
	refuses(path, O_RDONLY, ELOOP);
	refuses("procfd/passwd", O_RDONLY, ELOOP);
	refuses("proc/self/cwd", O_RDONLY | O_DIRECTORY, ELOOP);
	{
		_cleanup_close_ int fd =
		    safe_open(rootfd, "proc/self/status", O_RDONLY, 0, NULL);

		ok(fd >= 0, "%s: plain /proc/self links still work", mode_name);
	}
}

static bool exists_at(int dfd, const char *path)
{
	struct stat st;

	return fstatat(dfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static void test_create(void)
{
	_cleanup_free_ char *dangle = xasprintf("dangle-%s", mode_name);
	_cleanup_free_ char *host =
	    xasprintf("/husk-test-%d-%s", getpid(), mode_name);
	_cleanup_close_ int fd = -1;
	_cleanup_close_ int fd2 = -1;
	_cleanup_close_ int fd3 = -1;
	char path[64], real[64];

	snprintf(path, sizeof(path), "linkdir/new-%s", mode_name);
	snprintf(real, sizeof(real), "sub/new-%s", mode_name);
	fd = safe_open(rootfd, path, O_WRONLY | O_CREAT, 0644, NULL);
	ok(fd >= 0 && inside(fd) && exists_at(rootfd, real),
	   "%s: O_CREAT through an absolute dir link lands in root/sub",
	   mode_name);
	refuses("escdir/new", O_WRONLY | O_CREAT, ENOENT);
	ok(!exists_at(outfd, "new"), "%s: nothing created outside", mode_name);
	link_at(host, dangle);
	fd2 = safe_open(rootfd, dangle, O_WRONLY | O_CREAT, 0644, NULL);
	ok(fd2 >= 0 && inside(fd2) && exists_at(rootfd, host + 1) &&
	       !exists_at(AT_FDCWD, host),
	   "%s: O_CREAT on a dangling absolute link creates inside", mode_name);
	(void) unlink(host);
	fd3 = safe_open(rootfd, "/", O_PATH | O_DIRECTORY, 0, NULL);
	ok(fd3 >= 0 && inside(fd3), "%s: '/' is the root", mode_name);
}

static void test_mkdir(void)
{
	_cleanup_free_ char *made = xasprintf("linkdir/made-%s", mode_name);
	_cleanup_free_ char *real = xasprintf("sub/made-%s", mode_name);
	_cleanup_free_ char *esc =
	    xasprintf("rel/tmp/husk-test-%d-%s", getpid(), mode_name);
	_cleanup_err_ struct err *e = NULL;
	_cleanup_close_ int a = -1, b = -1, c = -1;
	struct stat st;

	a = safe_mkdir_p(rootfd, "x/y/z", 0755, &e);
	ok(a >= 0 && inside(a) && fstatat(rootfd, "x/y/z", &st, 0) == 0 &&
	       S_ISDIR(st.st_mode),
	   "%s: safe_mkdir_p creates parents", mode_name);
	b = safe_mkdir_p(rootfd, made, 0755, &e);
	ok(b >= 0 && inside(b) && exists_at(rootfd, real),
	   "%s: safe_mkdir_p follows links inside the root", mode_name);
	c = safe_mkdir_p(rootfd, esc, 0755, &e);
	ok(c >= 0 && inside(c) && exists_at(rootfd, esc + 4) &&
	       !exists_at(AT_FDCWD, esc + 3),
	   "%s: safe_mkdir_p through ../../.. stays inside", mode_name);
	(void) rmdir(esc + 3);
	ok(safe_mkdir_p(rootfd, "notdir/x", 0755, &e) < 0 && e &&
	       e->errnum == ENOTDIR,
	   "%s: safe_mkdir_p under a file fails with ENOTDIR", mode_name);
	ok(safe_mkdir_p(rootfd, "loop1/x", 0755, NULL) < 0,
	   "%s: safe_mkdir_p through a loop fails", mode_name);
}

static void run_mode(int fallback)
{
	fs_force_fallback = fallback;
	mode_name = fallback ? "fallback" : "openat2";
	test_escapes();
	test_magic_unmounted();
	test_create();
	test_mkdir();
}

static void run_mode_mounted(int fallback)
{
	fs_force_fallback = fallback;
	mode_name = fallback ? "fallback" : "openat2";
	test_magic_mounted();
}

/*
 * A private mount namespace keeps our mounts away from the host. An fd
 * keeps walking the mount tree it was opened in, so rootfd is reopened in
 * the new namespace, or it would never see the proc mount.
 */
static void write_map(const char *file, const char *s)
{
	int fd = open(file, O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		(void) !write(fd, s, strlen(s));
		close(fd);
	}
}

/* Root: a mount namespace. Others: a user namespace owning one, too. */
static int enter_mount_ns(void)
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (geteuid() == 0)
		return unshare(CLONE_NEWNS);
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return -1;
	write_map("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	write_map("/proc/self/uid_map", map);
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	write_map("/proc/self/gid_map", map);
	return 0;
}

static void mount_proc(void)
{
	_cleanup_free_ char *proc = xasprintf("%s/proc", rootpath);
	int fd;

	if (enter_mount_ns() < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return;
	/* a fresh proc needs a pid namespace of our own when rootless:
	 * binding the host's /proc gives the same magic links */
	proc_mounted = mount("proc", proc, "proc",
			     MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0 ||
		       mount("/proc", proc, NULL, MS_BIND | MS_REC, NULL) == 0;
	fd = open(rootpath, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || dup3(fd, rootfd, O_CLOEXEC) < 0)
		tap_skip_all("cannot reopen the root");
	close(fd);
}

static void umount_proc(void)
{
	_cleanup_free_ char *proc = xasprintf("%s/proc", rootpath);

	if (proc_mounted)
		(void) umount2(proc, MNT_DETACH);
}

static void test_files(void)
{
	_cleanup_close_ int bfd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_buf_ struct buf b = BUF_INIT;
	_cleanup_err_ struct err *e = NULL;
	struct stat st;

	ok(atomic_write_file(bfd, "state", "one", 3, 0600, &e) == 0,
	   "atomic_write_file writes");
	put(bfd, "state.tmp", "stale");
	ok(atomic_write_file(bfd, "state", "two!", 4, 0600, &e) == 0,
	   "atomic_write_file replaces (stale .tmp present)");
	ok(!exists_at(bfd, "state.tmp"), "no .tmp left behind");
	ok(fstatat(bfd, "state", &st, 0) == 0 && (st.st_mode & 0777) == 0600,
	   "mode is applied");
	ok(read_file(bfd, "state", &b, 100, &e) == 0, "read_file");
	is_str(b.s, "two!", "the new content replaced the old");
	ok(read_file(bfd, "state", &b, 100, &e) == 0 && b.len == 8,
	   "read_file appends");
	ok(read_file(bfd, "state", &b, 3, &e) < 0 && e && e->errnum == EFBIG &&
	       b.len == 8,
	   "read_file refuses more than max, buffer untouched");
	err_freep(&e);
	ok(read_file(bfd, "nope", &b, 100, &e) < 0 && e && e->errnum == ENOENT,
	   "read_file keeps ENOENT");
	is_str(e ? e->msg : NULL,
	       "cannot read 'nope': no such file or directory",
	       "read_file names the file");
	err_freep(&e);
	buf_reset(&b);
	ok(read_file(AT_FDCWD, "/proc/self/status", &b, 64, &e) < 0 && e &&
	       e->errnum == EFBIG,
	   "read_file max also holds for files of unknown size");
	err_freep(&e);
	ok(atomic_write_file(bfd, "root/sub/deep", "x", 1, 0644, &e) == 0 &&
	       exists_at(rootfd, "sub/deep"),
	   "atomic_write_file with a path in name");
}

static void test_mkdir_p(void)
{
	_cleanup_free_ char *p = xasprintf("%s/m/n//o/", base);
	_cleanup_free_ char *f = xasprintf("%s/state/x", base);
	_cleanup_err_ struct err *e = NULL;
	struct stat st;

	ok(mkdir_p(p, 0700, &e) == 0 && stat(p, &st) == 0 &&
	       S_ISDIR(st.st_mode),
	   "mkdir_p creates parents");
	ok(mkdir_p(p, 0700, &e) == 0, "mkdir_p on an existing directory");
	ok(mkdir_p(f, 0700, &e) < 0 && e && e->errnum == ENOTDIR,
	   "mkdir_p under a file fails: %s", e ? e->msg : "");
}

static void test_rm_rf(void)
{
	_cleanup_close_ int bfd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *out = xasprintf("%s/outside", base);
	_cleanup_free_ char *keep = xasprintf("%s/outside/keep", base);
	_cleanup_err_ struct err *e = NULL;
	_cleanup_buf_ struct buf b = BUF_INIT;

	mkdirat(bfd, "victim", 0755);
	mkdirat(bfd, "victim/a", 0755);
	mkdirat(bfd, "victim/a/b", 0555);
	symlinkat(out, bfd, "victim/link-out");
	symlinkat(keep, bfd, "victim/link-file");
	symlinkat("../../outside", bfd, "victim/a/link-up");
	put(bfd, "victim/file", "x");
	ok(rm_rf_at(bfd, "victim", &e) == 0, "rm_rf_at removes a tree");
	ok(!exists_at(bfd, "victim"), "the tree is gone");
	ok(read_file(outfd, "keep", &b, 10, NULL) == 0 &&
	       strcmp(b.s, "KEEP") == 0 && exists_at(outfd, "passwd"),
	   "files behind symlinks survive");
	ok(rm_rf_at(bfd, "victim", &e) == 0, "rm_rf_at of nothing is fine");
	symlinkat(out, bfd, "lonely-link");
	ok(rm_rf_at(bfd, "lonely-link", &e) == 0 &&
	       !exists_at(bfd, "lonely-link") && exists_at(outfd, "keep"),
	   "rm_rf_at of a symlink to a directory removes only the link");
}

static void test_rm_rf_mount(void)
{
	_cleanup_close_ int bfd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *mnt = xasprintf("%s/victim2/mnt", base);
	_cleanup_free_ char *out = xasprintf("%s/outside", base);
	_cleanup_err_ struct err *e = NULL;

	if (!proc_mounted) {
		ok(0, "no private mount namespace for the bind mount test");
		return;
	}
	mkdirat(bfd, "victim2", 0755);
	mkdirat(bfd, "victim2/mnt", 0755);
	if (mount(out, mnt, NULL, MS_BIND, NULL) < 0) {
		ok(0, "bind mount: %s", strerror(errno));
		return;
	}
	ok(rm_rf_at(bfd, "victim2", &e) < 0 && e && e->errnum == EXDEV,
	   "rm_rf_at stops at a mount point: %s", e ? e->msg : "");
	ok(exists_at(outfd, "keep"), "the mounted files survive");
	(void) umount2(mnt, MNT_DETACH);
}

int main(void)
{
	if (!mkdtemp(base))
		tap_skip_all("mkdtemp failed");
	build_tree();
	run_mode(0);
	run_mode(1);
	mount_proc();
	run_mode_mounted(0);
	run_mode_mounted(1);
	test_files();
	test_mkdir_p();
	test_rm_rf();
	test_rm_rf_mount();
	umount_proc();
	fs_force_fallback = 0;
	ok(rm_rf_at(AT_FDCWD, base, NULL) == 0, "clean up");
	free(rootpath);
	return tap_done();
}
