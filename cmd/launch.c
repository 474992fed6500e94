/*
 * Starting a container record from its spec: in the foreground (husk
 * stays as its monitor: signals, terminal, exit status) or detached (a
 * monitor of its own, ctr/monitor.c). Shared by run, start and restart.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cmd/launch.h"
#include "layers/store.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "runtime/spec.h"
#include "cgroup/cgroup.h"
#include "netns/netns.h"
#include "lib/banned.h"

struct launch {
	struct rt_spec sp;
	struct rt_start st;
	pid_t fuse;
	struct cgroup cg;	/* the container's, or version 0: none */
	struct ctr *c;
	struct netns_config net;	/* io.husk.network: a helper */
	struct netns_port *ports;	/* io.husk.ports */
	struct netns_proc np;
};

static int net_started(void *arg, pid_t pid, struct err **e)
{
	struct launch *l = arg;

	return netns_start(&l->net, pid, &l->np, e);
}

static int net_ready(void *arg, struct err **e)
{
	struct launch *l = arg;

	return netns_wait_ready(&l->net, &l->np, e);
}

/*
 * io.husk.network: "slirp4netns[:OPTS]" or "pasta[:OPTS]" (a helper for
 * the private network, started with the container), or "container:ID"
 * (its namespace, joined). io.husk.ports: "IP:HOST:CTR/PROTO" lines.
 */
static int setup_network(struct store *s, struct husk_ctx *ctx,
			 struct launch *l, const cJSON *spec, struct err **e)
{
	const cJSON *ann = json_obj(spec, "annotations");
	const char *mode = json_str(ann, "io.husk.network");
	const char *ports = json_str(ann, "io.husk.ports");
	char path[64];
	struct ctr other;
	int rc;

	if (!mode)
		return 0;
	if (!strncmp(mode, "container:", 10)) {
		ctr_init(&other);
		rc = ctr_find(s, mode + 10, &other, e);
		if (rc >= 0 && ctr_refresh(s, &other, 0, e) >= 0 &&
		    other.status != CTR_RUNNING)
			rc = err_make(e, EINVAL, "container '%s' is not running",
				      other.name ? other.name : mode + 10);
		if (rc >= 0) {
			snprintf(path, sizeof(path), "/proc/%d/ns/net",
				 (int)other.pid);
			l->st.netns_fd = open(path, O_RDONLY | O_CLOEXEC);
			if (l->st.netns_fd < 0 && errno == EACCES &&
			    ctx->rootless)
				/* another run's user namespace (no pinned one) */
				rc = err_cause(e, EACCES, "it runs in another user "
					       "namespace (HUSK_NO_PAUSE is set: "
					       "rootless containers share a "
					       "network only in husk's pinned "
					       "one)");
			else if (l->st.netns_fd < 0)
				rc = err_make(e, errno, "cannot open %s", path);
		}
		ctr_release(&other);
		return rc < 0 ? err_wrap(e, "cannot join the network of '%s'",
					 mode + 10) : 0;
	}
	if (netns_parse_mode(mode, &l->net, e) < 0)
		return -1;
	for (const char *p = ports; p && *p;) {
		size_t n = strcspn(p, "\n");
		_cleanup_free_ char *one = xstrndup(p, n);

		l->ports = xrealloc(l->ports, (l->net.nports + 1) *
						      sizeof(*l->ports));
		if (netns_parse_port(one, &l->ports[l->net.nports], e) < 0)
			return -1;
		l->net.nports++;
		p += n + (p[n] != '\0');
	}
	l->net.ports = l->ports;
	l->net.runroot = ctx->runroot;
	l->net.id = l->c->id;
	l->st.net_started = net_started;
	l->st.net_ready = net_ready;
	l->st.net_arg = l;
	return 0;
}

/* Opens the cgroup's procs files for the child to join. */
static int open_cgroup(struct launch *l, int **fds, struct err **e)
{
	size_t n = 0;

	*fds = NULL;
	if (!l->cg.version)
		return 0;
	if (cgroup_open_procs(&l->cg, fds, &n, e) < 0)
		return -1;
	l->st.cgroup_fds = *fds;
	l->st.ncgroup_fds = n;
	return 0;
}

static void close_cgroup(struct launch *l, int *fds)
{
	cgroup_close_fds(fds, l->st.ncgroup_fds);
	l->st.cgroup_fds = NULL;
	l->st.ncgroup_fds = 0;
}

/* ctr_starter: the kernel's overlay, or fuse-overlayfs when it fails. */
static int starter(void *arg, const int stdio[3], pid_t *pid, int *pty,
		   struct err **e)
{
	struct launch *l = arg;
	int *fds = NULL;
	int rc;

	memcpy(l->st.stdio, stdio, sizeof(l->st.stdio));
	rc = open_cgroup(l, &fds, e);
	if (rc >= 0 && runtime_fuse_forced())
		rc = runtime_fuse_mount(&l->sp, &l->fuse, e);
	if (rc >= 0)
		rc = runtime_start(&l->sp, &l->st, pid, pty, e);
	if (rc < 0 && l->fuse <= 0 && l->sp.lower &&
	    (*e)->errnum == EOPNOTSUPP) {
		/* the kernel's overlay failed in the child: fuse-overlayfs */
		log_debug("overlay failed (%s): trying fuse-overlayfs",
			  (*e)->msg);
		err_freep(e);
		rc = runtime_fuse_mount(&l->sp, &l->fuse, e);
		if (rc >= 0)
			rc = runtime_start(&l->sp, &l->st, pid, pty, e);
	}
	close_cgroup(l, fds);
	if (rc < 0) {
		netns_stop(&l->np);
		runtime_fuse_stop(&l->sp, l->fuse);
		(void) cgroup_destroy(&l->cg, NULL);
	}
	return rc;
}

/* ctr_stopped: the fuse-overlayfs daemon and the cgroup go with the
 * container; the OOM killer's count is read first */
static void stopped(void *arg)
{
	struct launch *l = arg;

	netns_stop(&l->np);
	runtime_fuse_stop(&l->sp, l->fuse);
	if (!l->cg.version)
		return;
	l->c->exit_oom = cgroup_oom_kills(&l->cg) > 0;
	(void) cgroup_destroy(&l->cg, NULL);
}

/* Without the device allowlist in place, CAP_MKNOD stays out (caps.c) */
static void no_mknod(struct rt_spec *sp)
{
	uint64_t m = ~(1ULL << 27);	/* CAP_MKNOD */

	sp->cap_bounding &= m;
	sp->cap_effective &= m;
	sp->cap_permitted &= m;
	sp->cap_inheritable &= m;
	sp->cap_ambient &= m;
}

/*
 * The container's cgroup, made by the caller (so its warnings reach the
 * terminal even for a detached container); C's record names it once it
 * runs, so `rm` removes it after a crash.
 */
static int make_cgroup(struct husk_ctx *ctx, struct launch *l,
		       struct err **e)
{
	struct cgroup_host h;
	cgroup_warnings w = NULL;
	int rc;

	if (!l->sp.cgroups_path)
		return 0;	/* --cgroups=disabled */
	if (cgroup_host_read(&h, e) < 0) {
		/* no cgroupfs here (a bare mount namespace): none, as
		 * rootless on v1 */
		if (cgroup_limits_any(&l->sp.limits))
			log_warn("resource limits are ignored: %s", (*e)->msg);
		err_freep(e);
		return 0;
	}
	rc = cgroup_create(&h, l->sp.cgroups_path, &l->sp.limits,
			   ctx->rootless, &l->cg, &w, e);
	cgroup_host_release(&h);
	for (char **p = w; p && *p; p++)
		log_warn("%s", *p);
	cgroup_warnings_free(w);
	if (rc < 0)
		return -1;
	if (l->sp.limits.has_devices && !cgroup_has_devices(&l->cg))
		no_mknod(&l->sp);
	cJSON_Delete(l->c->cgroup);
	l->c->cgroup = l->cg.version ? cgroup_to_json(&l->cg) : NULL;
	return 0;
}

/* docker's 125/126/127 for a container that could not start */
static int start_code(int errnum)
{
	/* runtime_start() reports ENOENT/EACCES only for the command itself */
	return errnum == ENOENT				? 127
	       : errnum == EACCES || errnum == ENOEXEC ? 126
						       : 125;
}

static int start_failed(struct husk_ctx *ctx, struct ctr *c, struct err **e)
{
	ctx->exit_code = start_code((*e)->errnum);
	if (ctx->exit_code == 125)
		return err_wrap(e, "cannot start container '%s'", c->name);
	return err_wrap(e, "cannot run container '%s'", c->name);
}

static int send_mainpid(const char *path, pid_t pid, struct err **e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	char msg[64];
	int n = snprintf(msg, sizeof(msg), "MAINPID=%d\n", (int)pid);

	if (strlen(path) >= sizeof(sa.sun_path))
		return err_make(e, ENAMETOOLONG, "NOTIFY_SOCKET '%s'", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (fd < 0 || sendto(fd, msg, (size_t)n, 0, (struct sockaddr *)&sa,
			     sizeof(sa)) < 0)
		return err_make(e, errno, "cannot notify '%s'", path);
	return 0;
}

static int foreground(struct husk_ctx *ctx, struct store *s, struct ctr *c,
		      struct launch *l, const struct launch_opts *o,
		      struct err **e)
{
	_cleanup_close_ int devnull = -1;
	int stdio[3] = { -1, -1, -1 }, pty = -1, status;
	pid_t pid;

	if (!o->interactive && !l->sp.terminal) {
		devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
		stdio[0] = devnull;
	}
	if (starter(l, stdio, &pid, &pty, e) < 0) {
		cJSON_Delete(TAKE_PTR(c->cgroup));
		ctr_mark_exited(s, c, start_code((*e)->errnum), (*e)->msg);
		return start_failed(ctx, c, e);
	}
	if (ctr_mark_running(c, pid, e) < 0)
		log_warn("container '%s': %s", c->name, (*e)->msg), err_freep(e);
	if (o->step_aside)
		return send_mainpid(o->notify_socket, pid, e) < 0 ? -1 : 0;
	if (pty >= 0) {
		runtime_forward_signals(pid, false);
		runtime_relay_pty(pty, o->interactive);
		(void) close(pty);
	}
	status = runtime_wait(pid);
	stopped(l);
	ctr_mark_exited(s, c, status, NULL);
	return status;
}

int cmd_launch(struct husk_ctx *ctx, struct store *s, struct ctr *c,
	       const cJSON *spec, const struct launch_opts *o, struct err **e)
{
	struct launch l = { .st = { { -1, -1, -1 }, -1, ctx->rootless,
				    o->listen_fds, o->step_aside, NULL, 0 },
			    .fuse = -1, .c = c };
	int rc;

	l.st.netns_fd = -1;
	l.np.exit_fd = l.np.ready_fd = -1;

	if (rt_spec_parse(spec, &l.sp, e) < 0)
		return err_wrap(e, "cannot start container '%s'", c->name);
	if (setup_network(s, ctx, &l, spec, e) < 0 ||
	    (!o->step_aside && make_cgroup(ctx, &l, e) < 0)) {
		if (l.st.netns_fd >= 0)
			(void) close(l.st.netns_fd);
		free(l.ports);
		rt_spec_release(&l.sp);
		ctx->exit_code = 125;
		return err_wrap(e, "cannot start container '%s'", c->name);
	}
	/* stepping aside, it stays in the unit's cgroup: no device rules */
	if (o->step_aside && l.sp.limits.has_devices)
		no_mknod(&l.sp);
	if (runtime_seccomp_fd(l.sp.seccomp, l.sp.cap_bounding, ctx->runroot,
			       &l.st.seccomp_fd, e) < 0) {
		(void) cgroup_destroy(&l.cg, NULL);
		rt_spec_release(&l.sp);
		return err_wrap(e, "cannot start container '%s'", c->name);
	}
	if (!o->detach) {
		rc = foreground(ctx, s, c, &l, o, e);
	} else {
		rc = ctr_start_detached(s, c, starter, stopped, &l, e);
		if (rc < 0)
			rc = start_failed(ctx, c, e);
	}
	if (l.st.seccomp_fd >= 0)
		(void) close(l.st.seccomp_fd);
	if (l.st.netns_fd >= 0)
		(void) close(l.st.netns_fd);
	free(l.ports);
	rt_spec_release(&l.sp);
	return rc;
}

int cmd_ctr_spec(struct ctr *c, cJSON **out, struct err **e)
{
	_cleanup_buf_ struct buf b = BUF_INIT;

	if (read_file(c->dirfd, "config.json", &b, 1 << 22, e) < 0)
		return err_wrap(e, "container '%s'", c->name);
	*out = cJSON_Parse(b.s);
	if (!*out)
		return err_cause(e, EINVAL, "container '%s': malformed "
				"config.json", c->name);
	return 0;
}
