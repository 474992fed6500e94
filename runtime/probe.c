/*
 * Host facts the runtime depends on. Every probe does the real thing
 * (unshare, mount) in a throw-away child process, so what `husk info`
 * says is what `husk run` will meet.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "lib/buf.h"
#include "lib/paths.h"
#include "lib/xalloc.h"
#include "runtime/runtime.h"
#include "lib/banned.h"

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t len = (ssize_t)strlen(s);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, s, (size_t)len) == len;
	(void) close(fd);
	return ok ? 0 : -1;
}

/* In a fresh child: become root of a new user namespace over our own ids. */
static int enter_userns(uid_t uid, gid_t gid)
{
	char map[64];

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return -1;
	if (write_str("/proc/self/setgroups", "deny") < 0)
		return -1;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	if (write_str("/proc/self/uid_map", map) < 0)
		return -1;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	return write_str("/proc/self/gid_map", map);
}

/* Runs fn in a child; returns 0 or the errno the child reported. */
static int in_child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(fn(arg) < 0 ? (errno ? errno : EIO) : 0);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return EIO;
}

static int try_userns(void *arg)
{
	return enter_userns(getuid(), getgid());
}

struct overlay_probe {
	const char *dir;
	bool rootless;
};

static int try_overlay(void *arg)
{
	const struct overlay_probe *o = arg;
	_cleanup_free_ char *opts = NULL, *merged = NULL;

	if (o->rootless) {
		if (enter_userns(getuid(), getgid()) < 0)
			return -1;
	} else if (unshare(CLONE_NEWNS) < 0) {
		return -1;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -1;
	opts = xasprintf("lowerdir=%s/l,upperdir=%s/u,workdir=%s/w%s", o->dir,
			 o->dir, o->dir, o->rootless ? ",userxattr" : "");
	merged = xasprintf("%s/m", o->dir);
	return mount("overlay", merged, "overlay", 0, opts);
}

static void rmdir_in(const char *dir, const char *sub)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", dir, sub);

	(void) rmdir(p);
}

/* Mounts a real overlay in a scratch directory under PROBE_DIR. */
static int probe_overlay(const char *probe_dir, bool rootless)
{
	_cleanup_free_ char *dir = xasprintf("%s/.husk-probe-XXXXXX", probe_dir);
	static const char *const subs[] = { "l", "u", "w", "m" };
	struct overlay_probe o = { dir, rootless };
	int r;

	if (!mkdtemp(dir))
		return errno;
	for (size_t i = 0; i < ARRAY_SIZE(subs); i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", dir, subs[i]);

		(void) mkdir(p, 0700);
	}
	r = in_child(try_overlay, &o);
	/* overlay leaves w/work (mode 000) and w/index behind */
	rmdir_in(dir, "w/work");
	rmdir_in(dir, "w/index");
	for (size_t i = 0; i < ARRAY_SIZE(subs); i++)
		rmdir_in(dir, subs[i]);
	(void) rmdir(dir);
	return r;
}

static void probe_userns(struct probes *p)
{
	int r = in_child(try_userns, NULL);

	if (!r)
		probes_add(p, "userns", "user namespaces", PROBE_OK, "usable",
			   NULL);
	else
		probes_add(p, "userns", "user namespaces", PROBE_MISSING,
			   strerror(r),
			   "enable unprivileged user namespaces: sysctl "
			   "kernel.unprivileged_userns_clone=1 and "
			   "user.max_user_namespaces > 0");
}

/* The first id after every range in FILE: where a new range fits. */
static unsigned long next_free_id(const char *file)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	_cleanup_free_ char *line = NULL;
	unsigned long top = 100000, start, count;
	size_t cap = 0;

	while (f && getline(&line, &cap, f) > 0)
		if (sscanf(line, "%*[^:]:%lu:%lu", &start, &count) == 2 &&
		    start + count > top)
			top = start + count;
	return top;
}

static void add_ranges(struct probes *p, const char *key, const char *file,
		       const char *name)
{
	unsigned long from;

	_cleanup_free_ struct id_range *r = NULL;
	_cleanup_err_ struct err *e = NULL;
	_cleanup_buf_ struct buf v = BUF_INIT;
	_cleanup_free_ char *hint = NULL;
	size_t n = 0;

	if (runtime_subid_ranges(file, getuid(), name, &r, &n, &e) < 0) {
		probes_add(p, key, file, PROBE_MISSING, e->msg,
			   "fix the malformed line");
		return;
	}
	for (size_t i = 0; i < n; i++)
		buf_addf(&v, "%s%lu-%lu (%lu ids)", i ? ", " : "", r[i].start,
			 r[i].start + r[i].count - 1, r[i].count);
	if (n) {
		probes_add(p, key, file, PROBE_OK, v.s, NULL);
		return;
	}
	from = next_free_id(file);
	hint = xasprintf("add a range of 65536 ids for '%s' (usermod "
			 "--add-subuids %lu-%lu --add-subgids %lu-%lu %s); "
			 "without one husk maps only your own uid",
			 name, from, from + 65535, from, from + 65535, name);
	probes_add(p, key, file, PROBE_WARN, "no range", hint);
}

static void probe_setid_helper(struct probes *p, const char *prog)
{
	_cleanup_free_ char *path = paths_which(prog);
	struct stat st;

	if (!path) {
		probes_add(p, prog, prog, PROBE_MISSING, "not found",
			   "apt-get install uidmap (or your distribution's "
			   "shadow-utils / uidmap package)");
		return;
	}
	if (stat(path, &st) == 0 &&
	    (((st.st_mode & S_ISUID) && st.st_uid == 0) ||
	     getxattr(path, "security.capability", NULL, 0) > 0)) {
		probes_add(p, prog, prog, PROBE_OK, path, NULL);
		return;
	}
	probes_add(p, prog, prog, PROBE_MISSING, path,
		   "it is neither setuid root nor has file capabilities: "
		   "reinstall the uidmap package");
}

static void probe_overlay_entry(struct probes *p, bool rootless,
				const char *probe_dir)
{
	const char *label = rootless ? "overlay in userns" : "overlayfs";
	int r = probe_overlay(probe_dir, rootless);

	if (!r) {
		probes_add(p, "overlay", label, PROBE_OK,
			   rootless ? "usable (userxattr)" : "usable", NULL);
		return;
	}
	probes_add(p, "overlay", label, PROBE_MISSING, strerror(r),
		   rootless ? "needs Linux 5.11+ (overlay with userxattr in a "
			      "user namespace); fuse-overlayfs is the fallback"
			    : "modprobe overlay");
}

static void probe_fuse_overlayfs(struct probes *p)
{
	_cleanup_free_ char *path = paths_which("fuse-overlayfs");

	if (!path) {
		probes_add(p, "fuse_overlayfs", "fuse-overlayfs", PROBE_WARN,
			   "not found",
			   "apt-get install fuse-overlayfs (the fallback when "
			   "the kernel's overlay is not usable)");
		return;
	}
	if (access("/dev/fuse", R_OK | W_OK) < 0) {
		probes_add(p, "fuse_overlayfs", "fuse-overlayfs", PROBE_WARN,
			   "/dev/fuse not accessible",
			   "chmod 0666 /dev/fuse (what udev does)");
		return;
	}
	probes_add(p, "fuse_overlayfs", "fuse-overlayfs", PROBE_OK, path, NULL);
}

static void probe_openat2(struct probes *p)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT };
	long fd = syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));

	if (fd >= 0) {
		(void) close((int)fd);
		probes_add(p, "openat2", "openat2", PROBE_OK, "available", NULL);
	} else {
		probes_add(p, "openat2", "openat2", PROBE_INFO,
			   "not available (path walk fallback)", NULL);
	}
}

void runtime_probe(struct probes *p, bool rootless, const char *probe_dir)
{
	struct passwd *pw = getpwuid(getuid());
	_cleanup_free_ char *name = xstrdup(pw ? pw->pw_name : "");

	probe_userns(p);
	if (rootless) {
		add_ranges(p, "subuid", "/etc/subuid", name);
		add_ranges(p, "subgid", "/etc/subgid", name);
		probe_setid_helper(p, "newuidmap");
		probe_setid_helper(p, "newgidmap");
	}
	probe_overlay_entry(p, rootless, probe_dir);
	probe_fuse_overlayfs(p);
	probe_openat2(p);
}
