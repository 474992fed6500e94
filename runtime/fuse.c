/*
 * The rootfs through fuse-overlayfs, where the kernel's overlay cannot be
 * mounted (older kernels in a user namespace), or when HUSK_OVERLAY=
 * fuse-overlayfs asks for it.
 *
 * The FUSE daemon must not live in the container's pid namespace: when
 * that namespace's init exits, the daemon is killed while requests to its
 * own mount are pending, and the teardown deadlocks. So husk makes itself
 * a private mount namespace, runs `fuse-overlayfs -f` as its own child
 * (dying with husk: PR_SET_PDEATHSIG), and the container, cloned with
 * CLONE_NEWNS, starts from a copy of that namespace with the rootfs
 * already mounted (podman keeps the daemon outside too).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "runtime/spec.h"
#include "lib/banned.h"

bool runtime_fuse_forced(void)
{
	const char *v = getenv("HUSK_OVERLAY");

	return v && !strcmp(v, "fuse-overlayfs");
}

static bool is_mounted(const char *path, dev_t parent_dev)
{
	struct stat st;

	return stat(path, &st) == 0 && st.st_dev != parent_dev;
}

/* Waits until PATH is a new mount, or the daemon died (5 s at most). */
static int wait_mounted(pid_t pid, const char *path, dev_t dev, struct err **e)
{
	struct timespec tick = { 0, 2 * 1000 * 1000 };
	int status;

	for (int i = 0; i < 2500; i++) {
		if (is_mounted(path, dev))
			return 0;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
				return err_cause(e, ENOTSUP, "cannot mount the "
						 "rootfs: neither the kernel's "
						 "overlay nor fuse-overlayfs (not "
						 "installed) can be used");
			return err_cause(e, EIO, "fuse-overlayfs failed to "
					 "mount the rootfs");
		}
		nanosleep(&tick, NULL);
	}
	(void) kill(pid, SIGKILL);
	return err_cause(e, ETIMEDOUT, "fuse-overlayfs did not mount the rootfs");
}

int runtime_fuse_mount(struct rt_spec *s, pid_t *daemon, struct err **e)
{
	_cleanup_buf_ struct buf o = BUF_INIT;
	struct stat parent;
	pid_t pid;

	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return err_make(e, errno, "cannot make a mount namespace for "
				"fuse-overlayfs");
	if (stat(s->root, &parent) < 0)
		return err_make(e, errno, "stat '%s'", s->root);
	buf_addstr(&o, "lowerdir=");
	for (char **l = s->lower; *l; l++)
		buf_addf(&o, "%s%s", l == s->lower ? "" : ":", *l);
	if (s->upper)
		buf_addf(&o, ",upperdir=%s,workdir=%s", s->upper, s->work);
	pid = fork();
	if (pid < 0)
		return err_make(e, errno, "fork");
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		(void) prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* it talks about options it ignores; its exit status is what
		 * counts */
		if (null >= 0) {
			(void) dup2(null, STDOUT_FILENO);
			(void) dup2(null, STDERR_FILENO);
		}
		execlp("fuse-overlayfs", "fuse-overlayfs", "-f", "-o", o.s,
		       s->root, (char *)NULL);
		_exit(127);
	}
	if (wait_mounted(pid, s->root, parent.st_dev, e) < 0) {
		(void) waitpid(pid, NULL, 0);
		return -1;
	}
	*daemon = pid;
	/* the container now finds its rootfs mounted: bind it as it is */
	for (char **l = s->lower; *l; l++)
		free(*l);
	free(s->lower);
	s->lower = NULL;
	return 0;
}

void runtime_fuse_stop(const struct rt_spec *s, pid_t daemon)
{
	if (daemon <= 0)
		return;
	(void) umount2(s->root, MNT_DETACH);
	(void) kill(daemon, SIGTERM);
	(void) waitpid(daemon, NULL, 0);
}
