/*
 * The network helper of a container on the private network: slirp4netns
 * (default) or pasta, started as soon as the container's namespace exists
 * and waited for before its command is exec'd.
 *
 * slirp4netns: --configure sets up tap0 (10.0.2.100/24, gateway 10.0.2.2,
 * DNS 10.0.2.3) inside, --ready-fd says when, --exit-fd ends it when our
 * end of a pipe closes (also when husk or its monitor is SIGKILLed), and
 * published ports are added over its API socket (add_hostfwd).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/cleanup.h"
#include "lib/paths.h"
#include "lib/xalloc.h"
#include "netns/netns.h"
#include "lib/banned.h"

#define READY_MS 5000	/* a helper not ready by then: an error */

int netns_parse_mode(const char *arg, struct netns_config *c, struct err **e)
{
	const char *colon = strchr(arg, ':');
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
	_cleanup_free_ char *opts = colon ? xstrdup(colon + 1) : NULL;
	char *save = NULL, *o;

	if (n == 5 && !strncmp(arg, "pasta", n))
		return err_cause(e, ENOTSUP, "--network pasta is not supported "
				"yet (pasta cannot enter a namespace of husk's "
				"user namespace here); use slirp4netns");
	if (n != 11 || strncmp(arg, "slirp4netns", n))
		return err_cause(e, EINVAL, "unsupported network '%s'", arg);
	for (o = opts ? strtok_r(opts, ",", &save) : NULL; o;
	     o = strtok_r(NULL, ",", &save)) {
		if (!strcmp(o, "allow_host_loopback=true"))
			c->allow_host_loopback = true;
		else if (!strcmp(o, "allow_host_loopback=false"))
			c->allow_host_loopback = false;
		else
			return err_cause(e, EINVAL, "unsupported slirp4netns "
					"option '%s' (husk knows "
					"allow_host_loopback=true|false)", o);
	}
	return 0;
}

int netns_helper_check(struct err **e)
{
	_cleanup_free_ char *slirp = paths_which("slirp4netns");

	if (slirp)
		return 0;
	return err_make(e, ENOENT, "the private network needs slirp4netns, "
			"which is not on PATH (apt-get install slirp4netns; "
			"pasta is not supported yet; or use --network none "
			"or host)");
}

/* fork + exec ARGV with FDS kept open (everything else CLOEXEC); the
 * child dies with us (PDEATHSIG) and gets /dev/null as stdio */
static pid_t spawn(char *const argv[], const int *keep, size_t nkeep,
		   struct err **e)
{
	pid_t ppid = getpid();
	pid_t pid = fork();

	if (pid < 0)
		return err_make(e, errno, "cannot start %s", argv[0]);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		(void) prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != ppid)
			_exit(127);
		for (int i = 0; i < 3 && null >= 0; i++)
			(void) dup2(null, i);
		for (size_t i = 0; i < nkeep; i++) {
			int fl = fcntl(keep[i], F_GETFD);

			if (fl >= 0)
				(void) fcntl(keep[i], F_SETFD, fl & ~FD_CLOEXEC);
		}
		(void) setsid();
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static int start_slirp(const struct netns_config *c, pid_t pid,
		       struct netns_proc *p, struct err **e)
{
	int ready[2], exitp[2];
	char rfd[32], efd[32], spid[32];
	char *argv[16];
	int n = 0;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return err_make(e, errno, "pipe");
	if (pipe2(exitp, O_CLOEXEC) < 0) {
		(void) close(ready[0]);
		(void) close(ready[1]);
		return err_make(e, errno, "pipe");
	}
	snprintf(rfd, sizeof(rfd), "--ready-fd=%d", ready[1]);
	snprintf(efd, sizeof(efd), "--exit-fd=%d", exitp[0]);
	snprintf(spid, sizeof(spid), "%d", (int)pid);
	p->api = c->nports ? xasprintf("%s/slirp-%.12s.sock", c->runroot,
				       c->id)
			   : NULL;
	if (p->api)
		(void) unlink(p->api);
	argv[n++] = (char *)"slirp4netns";
	argv[n++] = (char *)"--configure";
	argv[n++] = (char *)"--mtu=65520";
	if (!c->allow_host_loopback)
		argv[n++] = (char *)"--disable-host-loopback";
	argv[n++] = rfd;
	argv[n++] = efd;
	if (p->api) {
		argv[n++] = (char *)"--api-socket";
		argv[n++] = p->api;
	}
	argv[n++] = spid;
	argv[n++] = (char *)"tap0";
	argv[n] = NULL;
	{
		int keep[2] = { ready[1], exitp[0] };

		p->pid = spawn(argv, keep, 2, e);
	}
	(void) close(ready[1]);
	(void) close(exitp[0]);
	if (p->pid < 0) {
		(void) close(ready[0]);
		(void) close(exitp[1]);
		return -1;
	}
	p->ready_fd = ready[0];
	p->exit_fd = exitp[1];
	return 0;
}

int netns_start(const struct netns_config *c, pid_t pid, struct netns_proc *p,
		struct err **e)
{
	memset(p, 0, sizeof(*p));
	p->exit_fd = p->ready_fd = -1;
	return start_slirp(c, pid, p, e);
}

/* One request to slirp4netns's API; its reply's error, if any. */
static int slirp_api(const char *path, const char *req, struct err **e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char reply[1024];
	size_t len = strlen(req), got = 0;
	ssize_t r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return err_make(e, ENAMETOOLONG, "slirp4netns socket '%s'", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write(fd, req, len) != (ssize_t)len || shutdown(fd, SHUT_WR) < 0)
		return err_make(e, errno, "cannot reach slirp4netns");
	while (got < sizeof(reply) - 1 &&
	       (r = read(fd, reply + got, sizeof(reply) - 1 - got)) > 0)
		got += (size_t)r;
	reply[got] = '\0';
	if (!strstr(reply, "\"return\""))
		return err_make(e, EADDRINUSE, "slirp4netns: %s", got ? reply
								  : "no reply");
	return 0;
}

static int slirp_ports(const struct netns_config *c, struct netns_proc *p,
		       struct err **e)
{
	for (size_t i = 0; i < c->nports; i++) {
		const struct netns_port *pt = &c->ports[i];
		_cleanup_free_ char *req = xasprintf(
			"{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":"
			"\"%s\",\"host_addr\":\"%s\",\"host_port\":%u,"
			"\"guest_port\":%u}}",
			pt->udp ? "udp" : "tcp",
			pt->host_ip[0] ? pt->host_ip : "0.0.0.0", pt->host_port,
			pt->ctr_port);

		if (slirp_api(p->api, req, e) < 0)
			return err_wrap(e, "cannot publish %s%s%u/%s",
					pt->host_ip, pt->host_ip[0] ? ":" : "",
					pt->host_port, pt->udp ? "udp" : "tcp");
	}
	return 0;
}

int netns_wait_ready(const struct netns_config *c, struct netns_proc *p,
		     struct err **e)
{
	struct pollfd pfd = { p->ready_fd, POLLIN, 0 };
	char b;
	int r;

	do
		r = poll(&pfd, 1, READY_MS);
	while (r < 0 && errno == EINTR);
	if (r <= 0 || read(p->ready_fd, &b, 1) != 1)
		return err_make(e, r == 0 ? ETIMEDOUT : EIO,
				"slirp4netns did not get ready");
	return slirp_ports(c, p, e);
}

void netns_stop(struct netns_proc *p)
{
	int status;

	if (p->exit_fd >= 0)
		(void) close(p->exit_fd);
	if (p->ready_fd >= 0)
		(void) close(p->ready_fd);
	if (p->pid > 0)
		(void) waitpid(p->pid, &status, 0);
	if (p->api)
		(void) unlink(p->api);
	free(p->api);
	memset(p, 0, sizeof(*p));
	p->exit_fd = p->ready_fd = -1;
}
