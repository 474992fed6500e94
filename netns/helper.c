/*
 * The network helper of a container on the private network: slirp4netns
 * (default) or pasta, started as soon as the container's namespace exists
 * and waited for before its command is exec'd.
 *
 * slirp4netns: --configure sets up tap0 (10.0.2.100/24, gateway 10.0.2.2,
 * DNS 10.0.2.3) inside, --ready-fd says when, --exit-fd ends it when our
 * end of a pipe closes (also when husk or its monitor is SIGKILLed), and
 * published ports are added over its API socket (add_hostfwd).
 *
 * pasta: given the same addresses and the namespace as an inherited fd
 * (--netns /proc/self/fd/N: pasta isolates itself before it opens the
 * namespace, and a path under /proc/PID would fail its ptrace check),
 * kept as the caller's uid (--runas; as root, or root of husk's user
 * namespace, it would drop to nobody), in the foreground as our child,
 * with its pid file on a pipe: pasta writes it once the tap device is
 * configured, which is its readiness. It ends with SIGTERM, or by
 * PDEATHSIG with husk. Its ports are flags (-t/-u); it forwards nothing
 * from the container to the host's loopback (-T none -U none) and, unless
 * allowed, does not map the gateway to the host (--no-map-gw).
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

const char *netns_helper_name(enum netns_helper h)
{
	return h == NETNS_PASTA ? "pasta" : "slirp4netns";
}

int netns_parse_mode(const char *arg, struct netns_config *c, struct err **e)
{
	const char *colon = strchr(arg, ':');
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
	_cleanup_free_ char *opts = colon ? xstrdup(colon + 1) : NULL;
	char *save = NULL, *o;

	if (n == 5 && !strncmp(arg, "pasta", n))
		c->helper = NETNS_PASTA;
	else if (n == 11 && !strncmp(arg, "slirp4netns", n))
		c->helper = NETNS_SLIRP4NETNS;
	else
		return err_cause(e, EINVAL, "unsupported network '%s'", arg);
	for (o = opts ? strtok_r(opts, ",", &save) : NULL; o;
	     o = strtok_r(NULL, ",", &save)) {
		bool pasta = c->helper == NETNS_PASTA;

		if (!strcmp(o, "allow_host_loopback=true") ||
		    (pasta && !strcmp(o, "--map-gw")))
			c->allow_host_loopback = true;
		else if (!strcmp(o, "allow_host_loopback=false") ||
			 (pasta && !strcmp(o, "--no-map-gw")))
			c->allow_host_loopback = false;
		else
			return err_cause(e, EINVAL, "unsupported %s option '%s' "
					"(husk knows allow_host_loopback=true|"
					"false%s)", netns_helper_name(c->helper),
					o, pasta ? ", --map-gw, --no-map-gw" : "");
	}
	return 0;
}

char *netns_mode_string(const struct netns_config *c)
{
	return xasprintf("%s%s", netns_helper_name(c->helper),
			 c->allow_host_loopback ? ":allow_host_loopback=true"
						: "");
}

static bool any_v6(const struct netns_port *ports, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strchr(ports[i].host_ip, ':'))
			return true;
	return false;
}

int netns_helper_pick(struct netns_config *c, const struct netns_port *ports,
		      size_t nports, struct err **e)
{
	_cleanup_free_ char *slirp = paths_which("slirp4netns");
	_cleanup_free_ char *pasta = paths_which("pasta");
	bool v6 = any_v6(ports, nports);

	/* slirp4netns (1.2) publishes on IPv4 addresses only */
	if (c->helper == NETNS_AUTO && slirp && !(v6 && pasta))
		c->helper = NETNS_SLIRP4NETNS;
	else if (c->helper == NETNS_AUTO && pasta)
		c->helper = NETNS_PASTA;
	if (c->helper == NETNS_SLIRP4NETNS && v6)
		return err_cause(e, EINVAL, "slirp4netns cannot publish on an "
				 "IPv6 address; use --network pasta");
	if (c->helper == NETNS_SLIRP4NETNS && !slirp)
		return err_cause(e, ENOENT, "--network slirp4netns needs "
				 "slirp4netns, which is not on PATH (apt-get "
				 "install slirp4netns)");
	if (c->helper == NETNS_PASTA && !pasta)
		return err_cause(e, ENOENT, "--network pasta needs pasta, which "
				 "is not on PATH (apt-get install passt)");
	if (c->helper == NETNS_AUTO)
		return err_cause(e, ENOENT, "the private network needs "
				 "slirp4netns or pasta, and neither is on PATH "
				 "(apt-get install slirp4netns; or use --network "
				 "none or host)");
	return 0;
}

/* fork + exec ARGV with FDS kept open (everything else CLOEXEC); the
 * child dies with us (PDEATHSIG) and gets /dev/null as stdio, or ERRFD as
 * its stderr */
static pid_t spawn(char *const argv[], const int *keep, size_t nkeep,
		   int errfd, struct err **e)
{
	pid_t ppid = getpid();
	pid_t pid = fork();

	if (pid < 0)
		return err_make(e, errno, "cannot start %s", argv[0]);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		sigset_t none;

		/* a monitor ignores SIGPIPE; pasta refuses to start so */
		(void) signal(SIGPIPE, SIG_DFL);
		sigemptyset(&none);
		(void) sigprocmask(SIG_SETMASK, &none, NULL);
		(void) prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != ppid)
			_exit(127);
		for (int i = 0; i < 3 && null >= 0; i++)
			(void) dup2(null, i);
		if (errfd >= 0)
			(void) dup2(errfd, 2);
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

		p->pid = spawn(argv, keep, 2, -1, e);
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

/* pasta's -t/-u: one "[ADDR/]HOST:CTR" each, or "none" for a protocol
 * without any; SPECS keeps the strings */
static void pasta_ports(const struct netns_config *c, bool udp, char **argv,
			int *n, char **specs)
{
	bool any = false;

	for (size_t i = 0; i < c->nports; i++) {
		const struct netns_port *pt = &c->ports[i];

		if (pt->udp != udp)
			continue;
		specs[i] = xasprintf("%s%s%u:%u", pt->host_ip,
				     pt->host_ip[0] ? "/" : "", pt->host_port,
				     pt->ctr_port);
		argv[(*n)++] = (char *)(udp ? "-u" : "-t");
		argv[(*n)++] = specs[i];
		any = true;
	}
	if (!any) {
		argv[(*n)++] = (char *)(udp ? "-u" : "-t");
		argv[(*n)++] = (char *)"none";
	}
}

static int start_pasta(const struct netns_config *c, pid_t pid,
		       struct netns_proc *p, struct err **e)
{
	char path[64], nsarg[32], pidarg[32], runas[32];
	_cleanup_free_ char **specs = xcalloc(c->nports + 1, sizeof(char *));
	_cleanup_free_ char **argv = xcalloc(2 * c->nports + 40,
					     sizeof(char *));
	_cleanup_close_ int ns = -1;
	int ready[2], errp[2];
	int n = 0, rc;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return err_make(e, errno, "cannot open %s", path);
	if (pipe2(ready, O_CLOEXEC) < 0)
		return err_make(e, errno, "pipe");
	/* non-blocking: a full pipe drops pasta's later messages, and it
	 * never stalls on them */
	if (pipe2(errp, O_CLOEXEC | O_NONBLOCK) < 0) {
		(void) close(ready[0]);
		(void) close(ready[1]);
		return err_make(e, errno, "pipe");
	}
	snprintf(nsarg, sizeof(nsarg), "/proc/self/fd/%d", ns);
	snprintf(pidarg, sizeof(pidarg), "/proc/self/fd/%d", ready[1]);
	snprintf(runas, sizeof(runas), "%u:%u", (unsigned)getuid(),
		 (unsigned)getgid());
	argv[n++] = (char *)"pasta";
	argv[n++] = (char *)"--config-net";
	argv[n++] = (char *)"--foreground";
	argv[n++] = (char *)"--quiet";
	argv[n++] = (char *)"--runas";
	argv[n++] = runas;
	argv[n++] = (char *)"--ns-ifname";
	argv[n++] = (char *)"tap0";
	argv[n++] = (char *)"--address";
	argv[n++] = (char *)NETNS_SLIRP_ADDR;
	argv[n++] = (char *)"--netmask";
	argv[n++] = (char *)"24";
	argv[n++] = (char *)"--gateway";
	argv[n++] = (char *)NETNS_SLIRP_HOST;
	argv[n++] = (char *)"--dns-forward";
	argv[n++] = (char *)NETNS_SLIRP_DNS;
	if (!c->allow_host_loopback)
		argv[n++] = (char *)"--no-map-gw";
	argv[n++] = (char *)"-T";
	argv[n++] = (char *)"none";
	argv[n++] = (char *)"-U";
	argv[n++] = (char *)"none";
	pasta_ports(c, false, argv, &n, specs);
	pasta_ports(c, true, argv, &n, specs);
	argv[n++] = (char *)"--pid";
	argv[n++] = pidarg;
	argv[n++] = (char *)"--netns";
	argv[n++] = nsarg;
	argv[n] = NULL;
	{
		int keep[2] = { ns, ready[1] };

		p->pid = spawn(argv, keep, 2, errp[1], e);
	}
	for (size_t i = 0; i < c->nports; i++)
		free(specs[i]);
	(void) close(ready[1]);
	(void) close(errp[1]);
	rc = p->pid < 0 ? -1 : 0;
	if (rc < 0) {
		(void) close(ready[0]);
		(void) close(errp[0]);
		return -1;
	}
	p->ready_fd = ready[0];
	p->err_fd = errp[0];
	return 0;
}

int netns_start(const struct netns_config *c, pid_t pid, struct netns_proc *p,
		struct err **e)
{
	memset(p, 0, sizeof(*p));
	p->exit_fd = p->ready_fd = p->err_fd = -1;
	p->helper = c->helper;
	p->reap = c->nports > 0;
	if (c->helper == NETNS_PASTA)
		return start_pasta(c, pid, p, e);
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
		return err_cause(e, EADDRINUSE, "slirp4netns: %s",
				 got ? reply : "no reply");
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

/*
 * What pasta said before it gave up: its last line on stderr that is not
 * about the system logger it cannot reach ("Failed to send ... syslog").
 */
static char *pasta_said(int fd)
{
	char text[4096], *line = NULL, *save = NULL;
	size_t got = 0;
	ssize_t r;

	while (got < sizeof(text) - 1 &&
	       (r = read(fd, text + got, sizeof(text) - 1 - got)) > 0)
		got += (size_t)r;
	text[got] = '\0';
	for (char *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save))
		if (!strstr(l, "syslog") && *l)
			line = l;
	return line ? xstrdup(line) : NULL;
}

int netns_wait_ready(const struct netns_config *c, struct netns_proc *p,
		     struct err **e)
{
	struct pollfd pfd = { p->ready_fd, POLLIN, 0 };
	const char *name = netns_helper_name(p->helper);
	char b;
	int r;

	do
		r = poll(&pfd, 1, READY_MS);
	while (r < 0 && errno == EINTR);
	if (r > 0 && read(p->ready_fd, &b, 1) == 1)
		return p->helper == NETNS_PASTA ? 0 : slirp_ports(c, p, e);
	if (r == 0)
		return err_make(e, ETIMEDOUT, "%s did not get ready", name);
	if (p->err_fd >= 0) {
		/* it exited: its stderr is complete */
		_cleanup_free_ char *why = pasta_said(p->err_fd);

		if (why)
			return err_cause(e, EIO, "%s did not get ready: %s",
					 name, why);
	}
	return err_cause(e, EIO, "%s did not get ready", name);
}

void netns_stop(struct netns_proc *p)
{
	int status;

	if (p->exit_fd >= 0)
		(void) close(p->exit_fd);
	if (p->ready_fd >= 0)
		(void) close(p->ready_fd);
	if (p->err_fd >= 0)
		(void) close(p->err_fd);
	if (p->pid > 0 && p->helper == NETNS_PASTA)
		(void) kill(p->pid, SIGTERM);
	if (p->pid > 0 && p->reap)
		(void) waitpid(p->pid, &status, 0);
	if (p->api)
		(void) unlink(p->api);
	free(p->api);
	memset(p, 0, sizeof(*p));
	p->exit_fd = p->ready_fd = p->err_fd = -1;
}
