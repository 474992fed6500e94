/*
 * The monitor of a detached container (DESIGN.md, process model):
 *
 *   husk run -d ──fork──▶ A: setsid ──fork──▶ B, the monitor
 *        │                 └ _exit                │ stdio on /dev/null
 *        │                                        │ start the container
 *        │                                        │ (output in pipes)
 *        ◀──────── report: "O" or "E<errno> msg" ─┤ state: running
 *   prints the id                                 │ pipes → ctr.log
 *                                                 │ waitpid → state: exited
 *                                                 └ --rm: remove
 *
 * The container is the monitor's child and dies with it
 * (PR_SET_PDEATHSIG): a monitor killed with SIGKILL leaves a record that
 * ctr_refresh() repairs.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctr/ctr.h"
#include "ctr/internal.h"
#include "lib/buf.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

int ctr_mark_running(struct ctr *c, pid_t pid, struct err **e)
{
	int rc;

	c->status = CTR_RUNNING;
	c->oom_killed = c->paused = false;
	c->pid = pid;
	c->pid_start = ctr_pid_start(pid);
	c->monitor = getpid();
	c->monitor_start = ctr_pid_start(c->monitor);
	c->started = ctr_now();
	c->finished = 0;
	c->exit_code = 0;
	free(c->error);
	c->error = NULL;
	rc = ctr_save(c, e);
	ctr_unlock(c);
	return rc;
}

void ctr_mark_exited(struct store *s, struct ctr *c, int status,
		     const char *error)
{
	if (ctr_lock(s, c, NULL) < 0)
		return;		/* removed meanwhile (rm -f) */
	if (c->auto_remove) {
		/* for `husk wait` (not on the foreground's hot path) */
		if (!error && c->detached)
			ctr_note_exit(s, c, status);
		(void) ctr_remove(s, c, NULL);
		return;
	}
	c->status = error ? CTR_CREATED : CTR_EXITED;
	c->exit_code = status;
	c->oom_killed = c->exit_oom;
	c->paused = false;
	cJSON_Delete(TAKE_PTR(c->cgroup));
	c->finished = error ? 0 : ctr_now();
	c->pid = c->monitor = 0;
	c->pid_start = c->monitor_start = 0;
	free(c->error);
	c->error = error ? xstrdup(error) : NULL;
	(void) ctr_save(c, NULL);
	ctr_unlock(c);
}

/* ---- in the monitor ---------------------------------------------------------- */

/* Closes what the caller leaked to us (bats' fd 3, a shell's pipes): our
 * own fds are all CLOEXEC, theirs usually are not. */
static void close_inherited(int keep)
{
	_cleanup_closedir_ DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		int fd = (int)strtol(de->d_name, NULL, 10);
		int fl;

		if (fd <= 2 || fd == keep || fd == dirfd(d))
			continue;
		fl = fcntl(fd, F_GETFD);
		if (fl >= 0 && !(fl & FD_CLOEXEC))
			(void) close(fd);
	}
}

static void report(int fd, const char *msg, size_t len)
{
	(void) !write(fd, msg, len);
	(void) close(fd);
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Copies from the container's output to the log until both ends close
 * and the container exited; returns its docker exit status. */
static int pump(struct ctr_log *log, int out, int err, int pty, pid_t pid)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int status = 0, live = 0;
	bool exited = false;
	char chunk[65536];
	struct pollfd p[3] = {
		{ pty >= 0 ? pty : out, POLLIN, 0 },
		{ pty >= 0 ? -1 : err, POLLIN, 0 },
		{ pidfd, POLLIN, 0 },
	};

	for (int i = 0; i < 2; i++)
		if (p[i].fd >= 0 && set_nonblock(p[i].fd) == 0)
			live++;
	while (live > 0 || !exited) {
		/* once it exited, its output is drained for at most 2 s:
		 * a grandchild outside its pid namespace may hold a pipe */
		int r = poll(p, 3, exited ? 2000 : pidfd >= 0 ? -1 : 100);

		if (r < 0 && errno != EINTR)
			break;
		if (r == 0 && exited)
			break;
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (p[i].fd < 0 || !p[i].revents)
				continue;
			n = read(p[i].fd, chunk, sizeof(chunk));
			if (n > 0) {
				ctr_log_write(log, i + 1, chunk, (size_t)n);
			} else if (n == 0 || (errno != EAGAIN &&
					      errno != EINTR)) {
				/* EOF; a terminal's master says EIO */
				p[i].fd = -1;
				live--;
			}
		}
		if (!exited && (pidfd < 0 || p[2].revents) &&
		    waitpid(pid, &status, WNOHANG) == pid) {
			exited = true;
			p[2].fd = -1;
		}
	}
	if (!exited)
		(void) waitpid(pid, &status, 0);
	if (pidfd >= 0)
		(void) close(pidfd);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void __attribute__((noreturn))
monitor(struct store *s, struct ctr *c, ctr_starter start, ctr_stopped stopped,
	void *arg, int rep)
{
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	int out[2] = { -1, -1 }, err[2] = { -1, -1 };
	int stdio[3], pty = -1, own, status;
	_cleanup_err_ struct err *e = NULL;
	struct ctr_log log = { .fd = -1 };
	pid_t pid;

	close_inherited(rep);
	/* what the caller freed (the seccomp compile, the image config)
	 * goes back to the kernel: the monitor lives long */
	(void) malloc_trim(0);
	for (int i = 0; i < 3 && devnull >= 0; i++)
		(void) dup2(devnull, i);
	(void) signal(SIGPIPE, SIG_IGN);
	(void) signal(SIGHUP, SIG_IGN);
	(void) prctl(PR_SET_NAME, "husk-monitor", 0, 0, 0);
	/* our own open of the directory: its lock is ours alone, the one
	 * shared with the caller goes away below */
	own = openat(c->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (own < 0 || ctr_log_open(&log, own, c->log_max, &e) < 0 ||
	    (!c->tty && (pipe2(out, O_CLOEXEC) < 0 ||
			 pipe2(err, O_CLOEXEC) < 0))) {
		if (!e)
			err_make(&e, errno, "cannot set up the monitor");
		goto fail;
	}
	stdio[0] = devnull;
	stdio[1] = out[1];
	stdio[2] = err[1];
	if (start(arg, stdio, &pid, &pty, &e) < 0)
		goto fail;
	if (out[1] >= 0) {
		(void) close(out[1]);
		(void) close(err[1]);
	}
	if (ctr_mark_running(c, pid, &e) < 0)
		goto fail;
	report(rep, "O", 1);
	(void) close(c->dirfd);
	c->dirfd = own;
	status = pump(&log, out[0], err[0], pty, pid);
	ctr_log_close(&log);
	if (stopped)
		stopped(arg);
	ctr_mark_exited(s, c, status, NULL);
	_exit(0);
fail:
	{
		_cleanup_buf_ struct buf b = BUF_INIT;

		buf_addf(&b, "E%d %s", e ? e->errnum : EIO,
			 e ? e->msg : "unknown error");
		/* the record says why; `run -d` prints it */
		c->exit_code = e && e->errnum == ENOENT ? 127 :
			       e && (e->errnum == EACCES ||
				     e->errnum == ENOEXEC) ? 126 : 125;
		free(c->error);
		c->error = xstrdup(e ? e->msg : "unknown error");
		if (c->auto_remove)
			(void) ctr_remove(s, c, NULL);
		else
			(void) ctr_save(c, NULL);
		report(rep, b.s, b.len);
	}
	_exit(1);
}

int ctr_start_detached(struct store *s, struct ctr *c, ctr_starter start,
		       ctr_stopped stopped, void *arg, struct err **e)
{
	int p[2], status;
	char msg[4096];
	ssize_t n;
	pid_t a;

	if (pipe2(p, O_CLOEXEC) < 0)
		return err_make(e, errno, "pipe");
	fflush(NULL);
	a = fork();
	if (a < 0) {
		(void) close(p[0]);
		(void) close(p[1]);
		return err_make(e, errno, "cannot start the monitor");
	}
	if (a == 0) {
		(void) close(p[0]);
		(void) setsid();
		a = fork();
		if (a == 0)
			monitor(s, c, start, stopped, arg, p[1]);
		_exit(a < 0 ? 1 : 0);
	}
	(void) close(p[1]);
	while (waitpid(a, &status, 0) < 0 && errno == EINTR)
		;
	do
		n = read(p[0], msg, sizeof(msg) - 1);
	while (n < 0 && errno == EINTR);
	(void) close(p[0]);
	/* the monitor unlocked the directory (the lock is shared) */
	c->locked = false;
	if (n == 1 && msg[0] == 'O')
		return 0;
	if (n > 1 && msg[0] == 'E') {
		char *sp;
		int errnum;

		msg[n] = '\0';
		errnum = (int)strtol(msg + 1, &sp, 10);
		return err_cause(e, errnum, "%s", *sp ? sp + 1 : msg);
	}
	return err_cause(e, EIO, "the monitor of container '%s' died before "
			"reporting", c->id);
}
