/*
 * Starting a container from a parsed spec.
 *
 * parent                                  child (clone with new namespaces)
 *   clone(CLONE_NEW*) ----------------->    PR_SET_PDEATHSIG, stdio
 *                                           mounts, pivot_root (mount.c)
 *                                           hostname, rlimits, cwd
 *                                           groups, gid, uid (keeping caps)
 *                                           seccomp (compiled by the parent)
 *                                           capabilities, execve
 *   reads the sync socket: EOF = exec'd  <- or {errno, message}, _exit(1)
 *
 * The child never exit()s and never prints (STYLE.md rule 8): an error
 * goes to the parent over the sync socket, CLOEXEC, so a successful execve
 * closes it and the parent reads EOF.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/close_range.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "lib/fs.h"
#include "cgroup/cgroup.h"
#include "runtime/internal.h"
#include "runtime/spec.h"
#include "lib/banned.h"

struct child_args {
	const struct rt_spec *spec;
	const struct rt_start *start;
	int sync;
};

/* ---- the child ----------------------------------------------------------- */

/*
 * Sends {phase, errno, message} to the parent and ends the child. Phase
 * 'x' is the command itself (not found, not executable: 127/126), 's' the
 * setup before it (125 whatever the errno).
 */
void runtime_child_fail(int sync, char phase, struct err *e)
{
	_cleanup_buf_ struct buf b = BUF_INIT;

	buf_addf(&b, "%c%d %s", phase, e ? e->errnum : EIO,
		 e ? e->msg : "unknown");
	(void) !write(sync, b.s, b.len);
	_exit(1);
}

static const char *env_get(char **env, const char *key)
{
	size_t n = strlen(key);

	for (; env && *env; env++)
		if (!strncmp(*env, key, n) && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

/*
 * Finds ARG0 on the container's PATH, after pivot_root. Distinguishes
 * "not found" (ENOENT -> 127) from "cannot execute" (EACCES -> 126).
 */
static int find_exec(const char *arg0, char **env, char **out, struct err **e)
{
	const char *path = env_get(env, "PATH");
	_cleanup_free_ char *copy = NULL;
	char *save = NULL, *dir;
	struct stat st;

	if (strchr(arg0, '/')) {
		if (stat(arg0, &st) < 0)
			return err_cause(e, ENOENT, "'%s': no such file or "
					 "directory", arg0);
		*out = xstrdup(arg0);
		return 0;
	}
	copy = xstrdup(path ? path : "/usr/local/sbin:/usr/local/bin:"
				     "/usr/sbin:/usr/bin:/sbin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *cand = xasprintf("%s/%s", dir, arg0);

		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(cand, X_OK) == 0) {
			*out = TAKE_PTR(cand);
			return 0;
		}
	}
	return err_cause(e, ENOENT, "'%s': executable file not found in $PATH",
			 arg0);
}

static int set_identity(const struct rt_spec *s, struct err **e)
{
	/* keep the permitted set across setuid; caps_apply sets it last */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return err_make(e, errno, "prctl(PR_SET_KEEPCAPS)");
	if (setgroups(s->ngids, s->gids) < 0 && errno != EPERM)
		return err_make(e, errno, "setgroups");
	if (setresgid(s->gid, s->gid, s->gid) < 0)
		return err_make(e, errno, "cannot set gid %u", (unsigned)s->gid);
	if (setresuid(s->uid, s->uid, s->uid) < 0)
		return err_make(e, errno, "cannot set uid %u", (unsigned)s->uid);
	return 0;
}

static int set_limits(const struct rt_spec *s, struct err **e)
{
	for (size_t i = 0; i < s->nrlimits; i++) {
		struct rlimit cur, want = { s->rlimits[i].soft,
					    s->rlimits[i].hard };

		/* without CAP_SYS_RESOURCE the hard limit cannot rise:
		 * clamp, never fail a run for it (TESTING.md) */
		if (getrlimit(s->rlimits[i].resource, &cur) == 0 &&
		    want.rlim_max > cur.rlim_max) {
			want.rlim_max = cur.rlim_max;
			if (want.rlim_cur > want.rlim_max)
				want.rlim_cur = want.rlim_max;
		}
		if (setrlimit(s->rlimits[i].resource, &want) < 0 &&
		    setrlimit(s->rlimits[i].resource, &cur) < 0)
			return err_make(e, errno, "setrlimit");
	}
	return 0;
}

static int enter_cwd(const struct rt_spec *s, struct err **e)
{
	if (chdir(s->cwd) == 0)
		return 0;
	if (errno != ENOENT)
		return err_make(e, errno, "cannot enter the working directory "
				"'%s'", s->cwd);
	/* docker creates a missing -w directory */
	{
		_cleanup_close_ int root = open("/", O_PATH | O_CLOEXEC);
		_cleanup_close_ int fd = safe_mkdir_p(root, s->cwd, 0755, e);

		if (fd < 0 || fchdir(fd) < 0)
			return err_wrap(e, "cannot create the working directory "
					"'%s'", s->cwd);
	}
	return 0;
}

/* Passes FD to the parent over the sync socket (SCM_RIGHTS). */
static int send_fd(int sock, int fd, struct err **e)
{
	char data = 'T';
	struct iovec iov = { &data, 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	memset(&u, 0, sizeof(u));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sock, &msg, 0) < 0)
		return err_make(e, errno, "cannot pass the terminal");
	return 0;
}

/*
 * The container's terminal, made in its own devpts instance (so `tty` and
 * /dev/pts/0 make sense inside); the master goes to the parent, the slave
 * becomes the controlling terminal and stdio.
 */
static int setup_terminal(const struct rt_spec *s, int sync, struct err **e)
{
	_cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY |
							       O_CLOEXEC);
	_cleanup_close_ int slave = -1;
	char name[64];

	if (master < 0 || unlockpt(master) < 0 ||
	    ptsname_r(master, name, sizeof(name)) != 0)
		return err_make(e, errno, "cannot create the terminal");
	slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return err_make(e, errno, "cannot open '%s'", name);
	(void) fchown(slave, s->uid, -1);
	if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
		return err_make(e, errno, "cannot set the controlling terminal");
	for (int i = 0; i < 3; i++)
		if (dup2(slave, i) < 0)
			return err_make(e, errno, "dup2");
	return send_fd(sync, master, e);
}

/* A new network namespace starts with lo down; docker's "none" has it up. */
static int loopback_up(struct err **e)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return err_make(e, errno, "cannot find the loopback interface");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return err_make(e, errno, "cannot bring the loopback interface up");
	return 0;
}

/* Tells the parent we are set up ('R') and waits for its go ('G'): the
 * network helper configures the namespace meanwhile. */
static int wait_network(int sync, struct err **e)
{
	char c = 'R';

	if (write(sync, &c, 1) != 1)
		return err_make(e, errno, "cannot reach husk");
	if (read(sync, &c, 1) != 1 || c != 'G')
		return err_make(e, ECANCELED, "the network was not set up");
	return 0;
}

/*
 * The process part of a container's setup, in its final mount namespace:
 * terminal, limits, identity, working directory, the command, seccomp and
 * capabilities. *phase says which step failed ('x': the command).
 */
int runtime_process_setup(const struct rt_spec *s, int sync, int seccomp_fd,
			  char **exe, char *phase, struct err **e)
{
	*phase = 's';
	if (s->terminal && setup_terminal(s, sync, e) < 0)
		return -1;
	if (set_limits(s, e) < 0 || set_identity(s, e) < 0 ||
	    enter_cwd(s, e) < 0)
		return -1;
	*phase = 'x';
	if (find_exec(s->args[0], s->env, exe, e) < 0)
		return -1;
	*phase = 's';
	if (s->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return err_make(e, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
	/* seccomp while CAP_SYS_ADMIN is still held (STYLE.md rule 19) */
	if (seccomp_fd >= 0 && seccomp_load_fd(seccomp_fd, s->no_new_privs,
					       e) < 0)
		return -1;
	return runtime_caps_apply(s, e);
}

static int child_setup(const struct child_args *a, char **exe, char *phase,
		       struct err **e)
{
	const struct rt_spec *s = a->spec;
	const struct rt_start *st = a->start;

	*phase = 's';
	if ((s->ns_flags & CLONE_NEWNET) && loopback_up(e) < 0)
		return -1;
	*phase = 'o';
	if (runtime_mount_root(s, st->userxattr, e) < 0)
		return -1;
	*phase = 's';
	if (runtime_mount_all(s, st->userxattr, e) < 0)
		return -1;
	if (s->hostname && (s->ns_flags & CLONE_NEWUTS) &&
	    sethostname(s->hostname, strlen(s->hostname)) < 0)
		return err_make(e, errno, "sethostname");
	if (st->net_ready && wait_network(a->sync, e) < 0)
		return -1;
	if (runtime_process_setup(s, a->sync, st->seccomp_fd, exe, phase,
				  e) < 0)
		return -1;
	/* a change of uid cleared PR_SET_PDEATHSIG: set it again */
	if (!st->detach)
		(void) prctl(PR_SET_PDEATHSIG, SIGKILL);
	return 0;
}

/*
 * Signals our caller ignored (nohup, a shell's background job) or blocked
 * must not stay so in the container: docker starts it with the defaults.
 */
static void reset_signals(void)
{
	/* the kernel's struct: glibc's sigaction() refuses its own
	 * reserved real-time signals (32, 33), the kernel does not */
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		unsigned long mask;
	} dfl = { SIG_DFL, 0, NULL, 0 };
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void) syscall(SYS_rt_sigaction, sig, &dfl, NULL,
				       sizeof(dfl.mask));
	sigemptyset(&none);
	(void) sigprocmask(SIG_SETMASK, &none, NULL);
}

static int child_main(void *arg)
{
	const struct child_args *a = arg;
	const struct rt_start *st = a->start;
	_cleanup_err_ struct err *e = NULL;
	_cleanup_free_ char *exe = NULL;
	char phase = 's';

	/* the container dies with husk, unless husk steps aside */
	if (!st->detach)
		(void) prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* into its cgroup before anything is charged, then its cgroup
	 * namespace, rooted there */
	if (cgroup_join_fds(st->cgroup_fds, st->ncgroup_fds) < 0) {
		err_make(&e, errno, "cannot join the container's cgroup");
		runtime_child_fail(a->sync, 's', e);
	}
	if (st->netns_fd >= 0 && setns(st->netns_fd, CLONE_NEWNET) < 0) {
		err_make(&e, errno, "cannot join the network namespace");
		runtime_child_fail(a->sync, 's', e);
	}
	if ((a->spec->ns_flags & CLONE_NEWCGROUP) &&
	    unshare(CLONE_NEWCGROUP) < 0) {
		err_make(&e, errno, "cannot create the cgroup namespace");
		runtime_child_fail(a->sync, 's', e);
	}
	reset_signals();
	for (int i = 0; i < 3; i++)
		if (st->stdio[i] >= 0 && st->stdio[i] != i &&
		    dup2(st->stdio[i], i) < 0)
			runtime_child_fail(a->sync, 's', NULL);
	if (child_setup(a, &exe, &phase, &e) < 0)
		runtime_child_fail(a->sync, phase, e);
	/* nothing the caller leaked reaches the container, but what it
	 * passed on purpose (LISTEN_FDS) */
	(void) close_range(3 + (unsigned)st->preserve_fds, ~0U,
			   CLOSE_RANGE_CLOEXEC);
	execve(exe, a->spec->args, a->spec->env);
	err_make(&e, errno, "cannot execute '%s'", a->spec->args[0]);
	runtime_child_fail(a->sync, 'x', e);
}

/* ---- the parent ---------------------------------------------------------- */

/* One message from the child; a passed fd lands in *fd. */
static ssize_t recv_sync(int sock, char *msg, size_t len, int *fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = { msg, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	ssize_t n;

	do
		n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	for (c = CMSG_FIRSTHDR(&m); n > 0 && c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	return n;
}

/*
 * Reads the child's reports until EOF (it exec'd: the socket was
 * CLOEXEC) or an error message. A terminal's master arrives first.
 */
static int read_sync(int sock, int *pty, const struct rt_start *st,
		     struct err **e)
{
	char msg[4096];
	ssize_t n;
	int errnum;
	char *sp;

	for (;;) {
		n = recv_sync(sock, msg, sizeof(msg) - 1, pty);
		if (n <= 0)
			return 0;
		if (n == 1 && msg[0] == 'T')
			continue;
		if (n == 1 && msg[0] == 'R' && st && st->net_ready) {
			char go = 'G';

			if (st->net_ready(st->net_arg, e) < 0)
				return -1;
			if (write(sock, &go, 1) != 1)
				return err_make(e, errno, "cannot start the "
						"container");
			continue;
		}
		msg[n] = '\0';
		errnum = (int)strtol(msg + 1, &sp, 10);
		/* only the command's own errors keep ENOENT/EACCES (127/126) */
		if (msg[0] != 'x' && (errnum == ENOENT || errnum == EACCES ||
				      errnum == ENOEXEC))
			errnum = EIO;
		/* the kernel's overlay could not be mounted: the caller may
		 * fall back to fuse-overlayfs */
		if (msg[0] == 'o')
			errnum = EOPNOTSUPP;
		return err_cause(e, errnum, "%s", *sp ? sp + 1 : msg);
	}
}

int runtime_read_sync(int sock, int *pty, struct err **e)
{
	return read_sync(sock, pty, NULL, e);
}

int runtime_start(const struct rt_spec *s, const struct rt_start *st,
		  pid_t *pid, int *pty, struct err **e)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	struct child_args a = { s, st, -1 };
	int sv[2], rc, status;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return err_make(e, errno, "socketpair");
	a.sync = sv[1];
	/* CLONE_VFORK-free: the child writes into its own copy of memory */
	*pid = clone(child_main, stack + sizeof(stack),
		     (s->ns_flags & ~CLONE_NEWCGROUP) | SIGCHLD, &a);
	(void) close(sv[1]);
	if (*pid < 0) {
		(void) close(sv[0]);
		return err_make(e, errno, "cannot create the container's "
				"namespaces");
	}
	*pty = -1;
	rc = st->net_started ? st->net_started(st->net_arg, *pid, e) : 0;
	if (rc >= 0)
		rc = read_sync(sv[0], pty, st, e);
	(void) close(sv[0]);
	if (rc < 0) {
		(void) kill(*pid, SIGKILL);
		(void) waitpid(*pid, &status, 0);
		if (*pty >= 0)
			(void) close(TAKE_FD(*pty));
	}
	return rc;
}
