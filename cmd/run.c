/*
 * husk run [OPTIONS] IMAGE [COMMAND [ARG...]]: a container from an image,
 * in the foreground. The flags and the image config become an OCI spec
 * (runtime/generate.c), which the runtime executes (runtime/container.c).
 *
 * Exit status: the container's own; 128+N when signal N killed it; 125
 * when husk failed before the container started; 126 when the command
 * cannot be executed; 127 when it does not exist.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/run.h"
#include "layers/image.h"
#include "layers/pull.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/parse.h"
#include "lib/xalloc.h"
#include "registry/registry.h"
#include "runtime/internal.h"
#include "runtime/spec.h"
#include "lib/banned.h"

static void usage(void)
{
	printf("Usage: husk run [OPTIONS] IMAGE [COMMAND [ARG...]]\n"
	       "\n"
	       "Run a command in a new container, in the foreground.\n"
	       "\n"
	       "  -i, --interactive          keep stdin open\n"
	       "  -t, --tty                  allocate a terminal\n"
	       "      --rm                   remove the container when it exits\n"
	       "      --name NAME            name the container\n"
	       "  -e, --env K=V|K            set (or pass through) a variable\n"
	       "      --env-file FILE        read variables from FILE\n"
	       "  -w, --workdir DIR          working directory (created if missing)\n"
	       "  -u, --user USER[:GROUP]    user name or uid (and group)\n"
	       "  -h, --hostname NAME        the container's host name\n"
	       "      --entrypoint CMD       override the image's entrypoint\n"
	       "  -v, --volume SRC:DST[:ro]  bind mount a host path\n"
	       "      --tmpfs DST[:OPTS]     mount a tmpfs\n"
	       "      --read-only            mount the rootfs read-only\n"
	       "      --init                 run a tiny init as PID 1\n"
	       "      --network none|host    network mode (default: a private\n"
	       "                             namespace with loopback only)\n"
	       "      --cap-add CAP          add a capability (or ALL)\n"
	       "      --cap-drop CAP         drop a capability (or ALL)\n"
	       "      --privileged           every capability the caller has,\n"
	       "                             no seccomp, no masked paths\n"
	       "      --security-opt OPT     no-new-privileges,\n"
	       "                             seccomp=unconfined|FILE.json\n"
	       "      --pull missing|always|never\n"
	       "                             pull the image (default: missing)\n"
	       "      --help                 show this help\n");
}

enum {
	OPT_RM = 3000, OPT_NAME, OPT_ENV_FILE, OPT_ENTRYPOINT, OPT_TMPFS,
	OPT_READ_ONLY, OPT_INIT, OPT_NETWORK, OPT_CAP_ADD, OPT_CAP_DROP,
	OPT_PRIVILEGED, OPT_SECURITY_OPT, OPT_PULL, OPT_HELP,
};

static const struct option run_opts[] = {
	{ "interactive", no_argument, NULL, 'i' },
	{ "tty", no_argument, NULL, 't' },
	{ "rm", no_argument, NULL, OPT_RM },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "env", required_argument, NULL, 'e' },
	{ "env-file", required_argument, NULL, OPT_ENV_FILE },
	{ "workdir", required_argument, NULL, 'w' },
	{ "user", required_argument, NULL, 'u' },
	{ "hostname", required_argument, NULL, 'h' },
	{ "entrypoint", required_argument, NULL, OPT_ENTRYPOINT },
	{ "volume", required_argument, NULL, 'v' },
	{ "tmpfs", required_argument, NULL, OPT_TMPFS },
	{ "read-only", no_argument, NULL, OPT_READ_ONLY },
	{ "init", no_argument, NULL, OPT_INIT },
	{ "network", required_argument, NULL, OPT_NETWORK },
	{ "net", required_argument, NULL, OPT_NETWORK },
	{ "cap-add", required_argument, NULL, OPT_CAP_ADD },
	{ "cap-drop", required_argument, NULL, OPT_CAP_DROP },
	{ "privileged", no_argument, NULL, OPT_PRIVILEGED },
	{ "security-opt", required_argument, NULL, OPT_SECURITY_OPT },
	{ "pull", required_argument, NULL, OPT_PULL },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static int parse_flag(struct husk_ctx *ctx, int c, struct run_args *a,
		      struct err **e)
{
	switch (c) {
	case 'i': a->interactive = true; return 0;
	case 't': a->tty = true; return 0;
	case OPT_RM: a->rm = true; return 0;
	case OPT_NAME: a->name = optarg; return 0;
	case 'e': return run_env_arg(ctx, a, optarg, e);
	case OPT_ENV_FILE: return run_env_file(ctx, a, optarg, e);
	case 'w': a->rc.workdir = optarg; return 0;
	case 'u': a->rc.user = optarg; return 0;
	case 'h': a->rc.hostname = optarg; return 0;
	case OPT_ENTRYPOINT: a->rc.entrypoint = optarg; return 0;
	case 'v': return run_volume_arg(ctx, a, optarg, e);
	case OPT_TMPFS: return run_tmpfs_arg(ctx, a, optarg, e);
	case OPT_READ_ONLY: a->rc.readonly = true; return 0;
	case OPT_INIT: a->rc.init = true; return 0;
	case OPT_NETWORK: return run_network_arg(ctx, a, optarg, e);
	case OPT_CAP_ADD: run_strv_add(&a->cap_add, optarg); return 0;
	case OPT_CAP_DROP: run_strv_add(&a->cap_drop, optarg); return 0;
	case OPT_PRIVILEGED: a->rc.privileged = true; return 0;
	case OPT_SECURITY_OPT: return run_security_opt(ctx, a, optarg, e);
	case OPT_PULL: return run_pull_arg(ctx, a, optarg, e);
	default: return cmd_usage_error(ctx, e, "unknown option");
	}
}

static int parse(struct husk_ctx *ctx, int argc, char **argv,
		 struct run_args *a, struct err **e)
{
	int c;

	while ((c = getopt_long(argc, argv, "+:itde:w:u:h:v:", run_opts,
				NULL)) != -1) {
		if (c == OPT_HELP) {
			usage();
			return 1;
		}
		if (c == '?' || c == ':')
			return cmd_getopt_error(ctx, c, argv, e);
		if (c == 'd')
			return cmd_usage_error(ctx, e, "-d (detached containers) "
						       "is not supported yet");
		if (parse_flag(ctx, c, a, e) < 0)
			return -1;
	}
	if (optind >= argc)
		return cmd_usage_error(ctx, e, "run needs an image");
	a->image = argv[optind];
	a->rc.cmd = argv + optind + 1;
	a->rc.cap_add = a->cap_add;
	a->rc.cap_drop = a->cap_drop;
	a->rc.env = a->env;
	return 0;
}

/* ---- the image ------------------------------------------------------------ */

static int pull_image(struct husk_ctx *ctx, struct store *s, const char *image,
		      struct err **e)
{
	struct registry_config cfg;
	struct pull_opts o = { .cfg = &cfg };
	struct pull_image img;
	struct ref r = REF_INIT;
	int rc;

	registry_config_init(&cfg);
	o.unpack.rootless = ctx->rootless;
	o.unpack.squash_owner = ctx->rootless && ctx->userns.single;
	o.unpack.userxattr = ctx->rootless;
	if (ref_parse(image, &r, e) < 0)
		return -1;
	rc = registry_global_init(e);
	if (rc >= 0)
		rc = layers_pull(s, &r, &o, &img, e);
	if (rc < 0)
		err_wrap(e, "cannot pull '%s'", image);
	pull_image_release(&img);
	ref_release(&r);
	return rc;
}

static int load_image(struct husk_ctx *ctx, struct run_args *a,
		      struct store *s, struct image_rootfs *img, struct err **e)
{
	_cleanup_err_ struct err *miss = NULL;

	if (a->pull == PULL_ALWAYS && pull_image(ctx, s, a->image, e) < 0)
		return -1;
	if (image_rootfs_load(s, a->image, img, &miss) >= 0)
		return 0;
	if (miss->errnum != ENOENT || a->pull == PULL_NEVER) {
		*e = TAKE_PTR(miss);
		return err_wrap(e, "cannot run '%s'", a->image);
	}
	if (pull_image(ctx, s, a->image, e) < 0)
		return -1;
	return image_rootfs_load(s, a->image, img, e);
}

/* ---- the container directory ---------------------------------------------- */

static void new_id(char out[65])
{
	unsigned char r[32];

	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		for (size_t i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)(rand() ^ getpid());
	for (size_t i = 0; i < sizeof(r); i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
}

/*
 * The container's own files are rewritten at every start and die with it:
 * no fsync, no tmp + rename (DESIGN.md: none for throwaway state).
 */
static int write_text(int dirfd, const char *name, const char *text,
		      struct err **e)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_WRONLY | O_CREAT |
						     O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(text);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		return err_make(e, errno, "cannot write '%s'", name);
	return 0;
}

/* /etc/hosts, /etc/hostname, /etc/resolv.conf for the container. */
static int write_etc(struct run_args *a, int dirfd, struct err **e)
{
	_cleanup_buf_ struct buf hosts = BUF_INIT, resolv = BUF_INIT;
	_cleanup_free_ char *hn = NULL;
	const char *h = a->rc.hostname ? a->rc.hostname : a->hostname;

	buf_addf(&hosts, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
			 "ip6-loopback\n127.0.1.1\t%s\n", h);
	hn = xasprintf("%s\n", h);
	if (a->rc.net == RT_NET_HOST || read_file(AT_FDCWD, "/etc/resolv.conf",
						  &resolv, 1 << 16, NULL) < 0)
		buf_reset(&resolv);
	if (write_text(dirfd, "hosts", hosts.s, e) < 0 ||
	    write_text(dirfd, "hostname", hn, e) < 0 ||
	    write_text(dirfd, "resolv.conf", resolv.s, e) < 0)
		return -1;
	return 0;
}

static int make_dirs(struct run_args *a, struct store *s, struct err **e)
{
	static const char *const subs[] = { "rootfs", "upper", "work" };
	_cleanup_close_ int fd = -1;

	if (a->rm) {
		if (store_scratch_name(s, "ctr", &a->dir_rel, e) < 0)
			return -1;
	} else {
		if (mkdirat(s->rootfd, "containers", 0700) < 0 && errno != EEXIST)
			return err_make(e, errno, "cannot create '%s/containers'",
					s->root);
		a->dir_rel = xasprintf("containers/%s", a->id);
	}
	if (mkdirat(s->rootfd, a->dir_rel, 0700) < 0)
		return err_make(e, errno, "cannot create '%s'", a->dir_rel);
	fd = openat(s->rootfd, a->dir_rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_make(e, errno, "cannot open '%s'", a->dir_rel);
	for (size_t i = 0; i < ARRAY_SIZE(subs); i++)
		if (mkdirat(fd, subs[i], 0755) < 0)
			return err_make(e, errno, "cannot create '%s/%s'",
					a->dir_rel, subs[i]);
	a->dir = xasprintf("%s/%s", s->root, a->dir_rel);
	if (write_etc(a, fd, e) < 0)
		return -1;
	a->dirfd = TAKE_FD(fd);
	return 0;
}

/* ---- running it ---------------------------------------------------------- */

/*
 * systemd: NOTIFY_SOCKET is bound into the container (Type=notify works
 * from inside); socket-activated fds pass through with LISTEN_PID
 * rewritten to the pid the container sees. Only fds meant for us count.
 */
static void systemd_env(struct run_args *a)
{
	const char *ns = getenv("NOTIFY_SOCKET");
	const char *fds = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
	struct stat st;
	uint64_t n, p;

	if (ns && ns[0] == '/' && stat(ns, &st) == 0 && S_ISSOCK(st.st_mode))
		a->rc.notify_socket = ns;
	else if (ns)
		log_warn("NOTIFY_SOCKET '%s' is not a socket path husk can bind "
			 "into the container: ignored", ns);
	if (fds && pid && parse_uint64(fds, 1, 1024, &n, NULL) >= 0 &&
	    parse_uint64(pid, 1, UINT32_MAX, &p, NULL) >= 0 &&
	    p == (uint64_t)getpid())
		a->rc.listen_fds = (int)n;
}

/*
 * systemd's ExecStart= case (DESIGN.md, process model): with NOTIFY_SOCKET
 * set, --rm and no terminal, the kernel can clean up alone (the writable
 * layer is a tmpfs inside the container's mount namespace; nothing else
 * outlives it), so husk reports the container's process as the unit's
 * MAINPID and leaves: no husk process stays behind.
 */
static bool stepping_aside(const struct run_args *a)
{
	return a->rm && !a->tty && a->rc.notify_socket && !runtime_fuse_forced();
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

static void fill_paths(struct run_args *a, struct image_rootfs *img)
{
	a->rootfs = xasprintf("%s/rootfs", a->dir);
	a->upper = xasprintf("%s/upper", a->dir);
	a->work = xasprintf("%s/work", a->dir);
	a->hosts = xasprintf("%s/hosts", a->dir);
	a->hostname_file = xasprintf("%s/hostname", a->dir);
	a->resolv = xasprintf("%s/resolv.conf", a->dir);
	a->rc.image = img->config;
	a->rc.layers = img->layers;
	a->rc.rootfs = a->rootfs;
	a->rc.upper = a->upper;
	a->rc.work = a->work;
	a->rc.id = a->id;
	a->rc.hosts = a->hosts;
	a->rc.hostname_file = a->hostname_file;
	a->rc.resolv = a->resolv;
	a->rc.tty = a->tty;
	a->rc.rootless = a->ctx->rootless;
	systemd_env(a);
	a->rc.upper_tmpfs = stepping_aside(a);
}

/* Maps the child's error to run's exit codes (docker's 125/126/127). */
static int start_failed(struct husk_ctx *ctx, struct run_args *a,
			struct err **e)
{
	int errnum = (*e)->errnum;

	/* runtime_start() reports ENOENT/EACCES only for the command itself */
	ctx->exit_code = errnum == ENOENT	      ? 127
			 : errnum == EACCES || errnum == ENOEXEC ? 126
							 : 125;
	if (ctx->exit_code == 125)
		return err_wrap(e, "cannot start container '%s'", a->display);
	return err_wrap(e, "cannot run container '%s'", a->display);
}

static int execute(struct husk_ctx *ctx, struct run_args *a,
		   const cJSON *spec_json, struct err **e)
{
	struct rt_spec sp;
	struct rt_start st = { { -1, -1, -1 }, -1, ctx->rootless,
			       a->rc.listen_fds, stepping_aside(a) };
	_cleanup_close_ int devnull = -1;
	int pty = -1, status;
	pid_t pid, fuse = -1;

	if (rt_spec_parse(spec_json, &sp, e) < 0)
		return -1;
	if (runtime_seccomp_fd(sp.seccomp, sp.cap_bounding, ctx->runroot,
			       &st.seccomp_fd, e) < 0) {
		rt_spec_release(&sp);
		return err_wrap(e, "cannot start container '%s'", a->display);
	}
	if (!a->interactive && !a->tty) {
		devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
		st.stdio[0] = devnull;
	}
	status = runtime_fuse_forced()
			 ? runtime_fuse_mount(&sp, &fuse, e)
			 : 0;
	if (status >= 0)
		status = runtime_start(&sp, &st, &pid, &pty, e);
	if (status < 0 && fuse <= 0 && sp.lower && (*e)->errnum == EOPNOTSUPP) {
		/* the kernel's overlay failed in the child: fuse-overlayfs */
		log_debug("overlay failed (%s): trying fuse-overlayfs", (*e)->msg);
		err_freep(e);
		status = runtime_fuse_mount(&sp, &fuse, e);
		if (status >= 0)
			status = runtime_start(&sp, &st, &pid, &pty, e);
	}
	if (st.seccomp_fd >= 0)
		(void) close(st.seccomp_fd);
	if (status < 0) {
		runtime_fuse_stop(&sp, fuse);
		rt_spec_release(&sp);
		return start_failed(ctx, a, e);
	}
	if (st.detach) {
		rt_spec_release(&sp);
		return send_mainpid(a->rc.notify_socket, pid, e) < 0 ? -1 : 0;
	}
	if (pty >= 0) {
		runtime_forward_signals(pid, false);
		runtime_relay_pty(pty, a->interactive);
		(void) close(pty);
	}
	status = runtime_wait(pid);
	runtime_fuse_stop(&sp, fuse);
	rt_spec_release(&sp);
	return status;
}

static int run_container(struct husk_ctx *ctx, struct run_args *a,
			 struct store *s, struct err **e)
{
	struct image_rootfs img;
	_cleanup_cjson_ cJSON *spec = NULL;
	int rc;

	if (load_image(ctx, a, s, &img, e) < 0)
		return -1;
	new_id(a->id);
	a->hostname = xstrndup(a->id, 12);
	a->display = xstrdup(a->name ? a->name : a->hostname);
	rc = make_dirs(a, s, e);
	if (rc >= 0) {
		fill_paths(a, &img);
		rc = run_init_path(ctx, a, e);
	}
	if (rc >= 0 && runtime_spec_generate(&a->rc, &spec, e) < 0)
		rc = err_wrap(e, "cannot create container from '%s'", a->image);
	if (rc >= 0 && !a->rm) {
		/* what `rmi` and the store's GC check before removing layers */
		cJSON *ann = cJSON_GetObjectItem(spec, "annotations");

		cJSON_AddStringToObject(ann, "io.husk.image", img.name);
		cJSON_AddStringToObject(ann, "io.husk.image.id", img.id);
		rc = json_write_file(a->dirfd, "config.json", spec, 0600, e);
	}
	if (rc >= 0)
		rc = execute(ctx, a, spec, e);
	image_rootfs_release(&img);
	return rc;
}

int cmd_run(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	struct run_args a = { .dirfd = -1, .ctx = ctx };
	struct store s = STORE_INIT;
	int rc = parse(ctx, argc, argv, &a, e);

	if (rc != 0) {
		run_args_release(&a);
		return rc < 0 ? rc : 0;
	}
	rc = store_open(&s, ctx->root, true, e);
	if (rc >= 0)
		rc = run_container(ctx, &a, &s, e);
	if (rc >= 0 && !a.rm)
		run_record_exit(&a, rc);
	/* --rm: the container lived in our scratch directory */
	store_close(&s);
	run_args_release(&a);
	return rc;
}
