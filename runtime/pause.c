/*
 * The pinned user namespace (DESIGN.md, process model): running the two
 * setuid helpers newuidmap/newgidmap costs ~10 ms per command, more than
 * the rest of a container start. So the first rootless command leaves a
 * tiny per-user process behind whose only job is to keep husk's user
 * namespace alive (podman's "pause process"); later commands join it with
 * setns(), which needs no helper: the namespace's owner holds every
 * capability in it.
 *
 * runroot/pause.pid records "PID STARTTIME"; a dead or recycled pid, or a
 * namespace mapped differently from what /etc/subuid now says, is
 * replaced. HUSK_NO_PAUSE=1 opts out (a fresh namespace every time).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/lock.h"
#include "lib/xalloc.h"
#include "runtime/runtime.h"
#include "lib/banned.h"

/*
 * Field 22 of /proc/PID/stat, which guards against a recycled pid; 0 when
 * the process is gone or a zombie (not yet reaped, but its namespaces are
 * gone with it).
 */
static unsigned long long start_time(pid_t pid)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/stat", (int)pid);
	_cleanup_buf_ struct buf b = BUF_INIT;
	unsigned long long t = 0;
	char state = 0, *p;

	if (read_file(AT_FDCWD, path, &b, 4096, NULL) < 0)
		return 0;
	p = strrchr(b.s, ')'); /* the name may hold spaces */
	if (!p || sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
				"%*u %*u %*d %*d %*d %*d %*d %*d %llu", &state,
			 &t) != 2 || state == 'Z' || state == 'X')
		return 0;
	return t;
}

/* The uid_map PID shows, as "inside:outside:count,..." */
static char *map_of(pid_t pid, const char *which)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/%s", (int)pid, which);
	_cleanup_buf_ struct buf b = BUF_INIT;
	struct buf out = BUF_INIT;
	unsigned long in, o, n;
	char *line, *save = NULL;

	if (read_file(AT_FDCWD, path, &b, 4096, NULL) < 0)
		return NULL;
	for (line = strtok_r(b.s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%lu %lu %lu", &in, &o, &n) == 3)
			buf_addf(&out, "%s%lu:%lu:%lu", out.len ? "," : "", in, o, n);
	return buf_detach(&out, NULL);
}

/* A live pause process with the mapping M, from PIDFILE; 0 if none. */
static pid_t existing(const char *pidfile, const struct userns_map *m)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	_cleanup_free_ char *um = NULL, *want = NULL;
	unsigned long long t;
	int pid;

	if (read_file(AT_FDCWD, pidfile, &b, 128, NULL) < 0 ||
	    sscanf(b.s, "%d %llu", &pid, &t) != 2 || pid <= 1 ||
	    start_time(pid) != t)
		return 0;
	um = map_of(pid, "uid_map");
	want = userns_map_string(m, false);
	if (!um || strcmp(um, want)) {
		(void) kill(pid, SIGKILL); /* ours: same uid, same start time */
		return 0;
	}
	return pid;
}

/*
 * The pause process itself: a new session, no fds, waits forever. It
 * reports its own pid once its namespace exists, in one write: the only
 * writer on that pipe, so the parent never reads a mix of two. With the
 * caller's ends closed, a caller that dies makes it exit (EOF on go).
 */
static void __attribute__((noreturn)) pause_main(const int go[2],
						 const int ready[2])
{
	pid_t self = getpid();
	char c;

	(void) close(go[1]);
	(void) close(ready[0]);
	(void) setsid();
	(void) signal(SIGHUP, SIG_IGN);
	(void) !chdir("/"); /* keep no directory of the caller's busy */
	if (unshare(CLONE_NEWUSER) < 0)
		_exit(1);
	if (write(ready[1], &self, sizeof(self)) != sizeof(self))
		_exit(1);
	(void) close(ready[1]);
	if (read(go[0], &c, 1) != 1)
		_exit(1);
	(void) close_range(0, ~0U, 0);
	for (;;)
		pause();
}

/* Starts a pause process, maps it with the helpers; returns its pid. */
static pid_t create(const char *pidfile, const struct userns_map *m,
		    struct err **e)
{
	int go[2], ready[2], status;
	_cleanup_free_ char *rec = NULL;
	pid_t mid, pid = 0;

	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(ready, O_CLOEXEC) < 0)
		return err_make(e, errno, "pipe");
	mid = fork();
	if (mid == 0) {
		/* double fork: the pause process is nobody's child */
		pid_t p = fork();

		if (p == 0)
			pause_main(go, ready);
		_exit(p < 0);
	}
	(void) close(ready[1]);
	(void) close(go[0]);
	/* EOF instead: it could not fork or unshare */
	if (mid < 0 || read(ready[0], &pid, sizeof(pid)) != sizeof(pid) ||
	    pid <= 0) {
		(void) close(go[1]);
		(void) close(ready[0]);
		if (mid > 0)
			(void) waitpid(mid, &status, 0);
		return err_make(e, EIO, "cannot start the pause process");
	}
	(void) waitpid(mid, &status, 0);
	(void) close(ready[0]);
	if (runtime_userns_write_maps(pid, m, e) < 0) {
		(void) kill(pid, SIGKILL);
		(void) close(go[1]);
		return -1;
	}
	(void) !write(go[1], "g", 1);
	(void) close(go[1]);
	rec = xasprintf("%d %llu\n", (int)pid, start_time(pid));
	(void) atomic_write_path(pidfile, rec, strlen(rec), 0600, NULL);
	return pid;
}

static int join(pid_t pid, struct err **e)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/ns/user", (int)pid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || setns(fd, CLONE_NEWUSER) < 0)
		return err_make(e, errno, "cannot join the user namespace of "
				"pid %d", (int)pid);
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0 ||
	    setgroups(0, NULL) < 0)
		return err_make(e, errno, "cannot become root in the user "
				"namespace");
	return 0;
}

int runtime_userns_pinned(const char *runroot, const struct userns_map *m,
			  struct err **e)
{
	_cleanup_free_ char *pidfile = xasprintf("%s/pause.pid", runroot);
	_cleanup_free_ char *lockfile = xasprintf("%s/pause.lock", runroot);
	const char *off = getenv("HUSK_NO_PAUSE");
	pid_t pid;
	int l, rc;

	if (m->single || (off && *off && strcmp(off, "0")))
		return 1; /* nothing to gain, or not wanted */
	if (mkdir_p(runroot, 0700, e) < 0)
		return -1;
	pid = existing(pidfile, m);
	if (pid > 0 && join(pid, NULL) == 0)
		return 0;
	l = lock_open(lockfile, LOCK_EX, -1, e);
	if (l < 0)
		return -1;
	/* another husk may have made one while we waited */
	pid = existing(pidfile, m);
	if (pid <= 0)
		pid = create(pidfile, m, e);
	lock_release(l);
	if (pid < 0)
		return -1;
	rc = join(pid, e);
	return rc;
}
