/*
 * Another process in a running container (`husk exec`):
 *
 * parent (a child subreaper)     child                  grandchild
 *   fork ----------------------->  setns(pidfd: user,
 *                                  mnt, pid, net, uts,
 *                                  ipc, cgroup)
 *                                  fork --------------->  (in the pid ns)
 *   <- its pid (a pipe) ---------- _exit                  user (-u, looked
 *   the grandchild is ours now                            up inside), the
 *   (PR_SET_CHILD_SUBREAPER)                              process setup of
 *                                                         `run`, execve
 *   reads the sync socket: EOF = exec'd  <--------------  or {errno, msg}
 *
 * A pid namespace is entered by children only, and a rootless caller may
 * join it only from inside the container's user namespace: hence the
 * middle process.
 *
 * Only the namespaces that differ from ours are joined: as root the
 * container shares our user namespace; rootless it has its own, which
 * we (its owner) may enter from outside. Joining by pidfd enters them all
 * at once, the user namespace first (Linux 5.8); /proc/PID/ns files are
 * the fallback.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "cgroup/cgroup.h"
#include "runtime/internal.h"
#include "runtime/spec.h"
#include "lib/banned.h"

static const struct {
	const char *name;
	int flag;
} nstypes[] = {
	/* the user namespace first: the others are owned by it */
	{ "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },
	{ "net", CLONE_NEWNET },   { "uts", CLONE_NEWUTS },
	{ "ipc", CLONE_NEWIPC },   { "cgroup", CLONE_NEWCGROUP },
	{ "pid", CLONE_NEWPID },
};

static bool same_ns(pid_t pid, const char *name)
{
	char a[64], b[64];
	struct stat x, y;

	snprintf(a, sizeof(a), "/proc/self/ns/%s", name);
	snprintf(b, sizeof(b), "/proc/%d/ns/%s", (int)pid, name);
	return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_ino == y.st_ino &&
	       x.st_dev == y.st_dev;
}

/* setns() each of FLAGS from /proc/PID/ns (kernels without pidfd setns) */
static int join_files(pid_t pid, int flags, struct err **e)
{
	for (size_t i = 0; i < ARRAY_SIZE(nstypes); i++) {
		char path[64];
		_cleanup_close_ int fd = -1;

		if (!(flags & nstypes[i].flag))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid,
			 nstypes[i].name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, nstypes[i].flag) < 0)
			return err_make(e, errno, "cannot join the container's "
					"%s namespace", nstypes[i].name);
	}
	return 0;
}

static int join(int pidfd, pid_t pid, int flags, struct err **e)
{
	if (!flags)
		return 0;
	if (pidfd >= 0 && setns(pidfd, flags) == 0)
		return 0;
	if (pidfd >= 0 && errno != EINVAL)
		return err_make(e, errno, "cannot join the container's "
				"namespaces");
	return join_files(pid, flags, e);
}

struct exec_child {
	struct rt_spec *spec;
	const struct rt_exec *x;
	int pidfd, sync, flags;
	pid_t target;
};

static void __attribute__((noreturn)) exec_child(struct exec_child *c)
{
	struct rt_spec *s = c->spec;
	const struct rt_exec *x = c->x;
	_cleanup_err_ struct err *e = NULL;
	_cleanup_free_ char *exe = NULL;
	char phase = 's';

	for (int i = 0; i < 3; i++)
		if (x->stdio[i] >= 0 && x->stdio[i] != i &&
		    dup2(x->stdio[i], i) < 0)
			runtime_child_fail(c->sync, 's', NULL);
	if (x->user) {
		char *roots[] = { (char *)"/", NULL };
		_cleanup_free_ char *home = NULL;

		free(s->gids);
		s->gids = NULL;
		if (runtime_lookup_user(roots, x->user, &s->uid, &s->gid,
					&s->gids, &s->ngids, &home, &e) < 0)
			runtime_child_fail(c->sync, 's', e);
		/* docker: a user other than root gets no capabilities */
		if (s->uid != 0)
			s->cap_effective = s->cap_permitted =
				s->cap_inheritable = s->cap_ambient = 0;
	}
	if (runtime_process_setup(s, c->sync, x->seccomp_fd, &exe, &phase,
				  &e) < 0)
		runtime_child_fail(c->sync, phase, e);
	(void) close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	execve(exe, s->args, s->env);
	err_make(&e, errno, "cannot execute '%s'", s->args[0]);
	runtime_child_fail(c->sync, 'x', e);
}

/*
 * The middle process: joins, forks the real one, tells its pid over PIDW
 * (not the sync socket, where the grandchild may already be talking),
 * leaves.
 */
static void __attribute__((noreturn)) exec_middle(struct exec_child *c,
						  int pidw)
{
	_cleanup_err_ struct err *e = NULL;
	pid_t pid;

	/* its cgroup first: from inside its cgroup namespace the way
	 * there is not visible */
	if (cgroup_join_fds(c->x->cgroup_fds, c->x->ncgroup_fds) < 0) {
		err_make(&e, errno, "cannot join the container's cgroup");
		runtime_child_fail(c->sync, 's', e);
	}
	if (join(c->pidfd, c->target, c->flags, &e) < 0)
		runtime_child_fail(c->sync, 's', e);
	pid = fork();
	if (pid == 0) {
		(void) close(pidw);
		exec_child(c);
	}
	if (pid < 0) {
		err_make(&e, errno, "fork");
		runtime_child_fail(c->sync, 's', e);
	}
	(void) !write(pidw, &pid, sizeof(pid));
	_exit(0);
}

int runtime_exec(pid_t target, struct rt_spec *s, const struct rt_exec *x,
		 pid_t *pid, int *pty, struct err **e)
{
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, target, 0);
	struct exec_child c = { s, x, -1, -1, 0, target };
	int sv[2], pp[2], status, rc;
	ssize_t n;
	pid_t mid;

	for (size_t i = 0; i < ARRAY_SIZE(nstypes); i++)
		if (!same_ns(target, nstypes[i].name))
			c.flags |= nstypes[i].flag;
	c.pidfd = pidfd;
	/* the grandchild is reparented to us when the middle one exits */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return err_make(e, errno, "prctl(PR_SET_CHILD_SUBREAPER)");
	if (pipe2(pp, O_CLOEXEC) < 0)
		return err_make(e, errno, "pipe");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		(void) close(pp[0]);
		(void) close(pp[1]);
		return err_make(e, errno, "socketpair");
	}
	c.sync = sv[1];
	mid = fork();
	if (mid == 0) {
		(void) close(pp[0]);
		exec_middle(&c, pp[1]);
	}
	(void) close(sv[1]);
	(void) close(pp[1]);
	if (mid < 0) {
		(void) close(sv[0]);
		(void) close(pp[0]);
		return err_make(e, errno, "fork");
	}
	while (waitpid(mid, &status, 0) < 0 && errno == EINTR)
		;
	do
		n = read(pp[0], pid, sizeof(*pid));
	while (n < 0 && errno == EINTR);
	(void) close(pp[0]);
	*pty = -1;
	rc = runtime_read_sync(sv[0], pty, e);
	(void) close(sv[0]);
	if (n != (ssize_t)sizeof(*pid)) {
		/* the middle process failed: its error, or none */
		if (rc >= 0)
			rc = err_cause(e, EIO, "cannot join the container");
		if (*pty >= 0)
			(void) close(TAKE_FD(*pty));
		return rc;
	}
	if (rc < 0) {
		(void) waitpid(*pid, &status, 0);
		if (*pty >= 0)
			(void) close(TAKE_FD(*pty));
	}
	return rc;
}
