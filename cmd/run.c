/*
 * husk run [OPTIONS] IMAGE [COMMAND [ARG...]]: a container from an image,
 * in the foreground or (-d) detached. The flags and the image config
 * become an OCI spec (runtime/generate.c) in a container record
 * (ctr/ctr.h), which cmd/launch.c starts.
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

#include "cgroup/cgroup.h"
#include "cmd/cmd.h"
#include "cmd/launch.h"
#include "cmd/run.h"
#include "ctr/ctr.h"
#include "layers/image.h"
#include "layers/pull.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/lock.h"
#include "lib/log.h"
#include "lib/parse.h"
#include "lib/xalloc.h"
#include "registry/registry.h"
#include "volume/volume.h"
#include "runtime/internal.h"
#include "runtime/spec.h"
#include "lib/banned.h"

static void usage(void)
{
	printf("Usage: husk run [OPTIONS] IMAGE [COMMAND [ARG...]]\n"
	       "\n"
	       "Run a command in a new container, in the foreground.\n"
	       "\n"
	       "  -d, --detach               run in the background, print its id\n"
	       "  -i, --interactive          keep stdin open\n"
	       "  -t, --tty                  allocate a terminal\n"
	       "      --rm                   remove the container when it exits\n"
	       "      --name NAME            name the container\n"
	       "  -l, --label K=V            set a label\n"
	       "      --log-opt max-size=N   rotate the log (-d) past N bytes\n"
	       "      --stop-signal SIG      signal for 'husk stop' (default:\n"
	       "                             the image's, else SIGTERM)\n"
	       "      --stop-timeout SECS    wait before SIGKILL (default 10)\n"
	       "  -e, --env K=V|K            set (or pass through) a variable\n"
	       "      --env-file FILE        read variables from FILE\n"
	       "  -w, --workdir DIR          working directory (created if missing)\n"
	       "  -u, --user USER[:GROUP]    user name or uid (and group)\n"
	       "  -h, --hostname NAME        the container's host name\n"
	       "      --entrypoint CMD       override the image's entrypoint\n"
	       "  -v, --volume [SRC:]DST[:MODE]\n"
	       "                             mount volume SRC (created if\n"
	       "                             missing), host path SRC, or a new\n"
	       "                             anonymous volume; MODE: ro, rw,\n"
	       "                             nocopy, U (chown to the user), z, Z\n"
	       "      --mount type=bind|volume|tmpfs,src=S,dst=D[,readonly]\n"
	       "                             docker's long form (also\n"
	       "                             volume-nocopy, tmpfs-size, tmpfs-mode)\n"
	       "      --volumes-from CTR[:ro|rw]\n"
	       "                             mount every volume and bind of CTR\n"
	       "      --tmpfs DST[:OPTS]     mount a tmpfs\n"
	       "      --read-only            mount the rootfs read-only\n"
	       "      --init                 run a tiny init as PID 1\n"
	       "      --network MODE         private (default: its own namespace,\n"
	       "                             outbound through slirp4netns, else\n"
	       "                             pasta), slirp4netns[:OPTS],\n"
	       "                             pasta[:OPTS], none, host or\n"
	       "                             container:NAME; OPTS:\n"
	       "                             allow_host_loopback=true\n"
	       "  -p, --publish [IP:]HOST:CTR[/udp]\n"
	       "                             publish a port (CTR alone: a free\n"
	       "                             host port)\n"
	       "  -P, --publish-all          publish every EXPOSEd port\n"
	       "      --dns IP               a nameserver for resolv.conf\n"
	       "      --dns-search DOMAIN    a search domain\n"
	       "      --dns-option OPT       a resolv.conf option\n"
	       "      --add-host NAME:IP     a line in /etc/hosts\n"
	       "      --cap-add CAP          add a capability (or ALL)\n"
	       "      --cap-drop CAP         drop a capability (or ALL)\n"
	       "      --privileged           every capability the caller has,\n"
	       "                             no seccomp, no masked paths\n"
	       "      --security-opt OPT     no-new-privileges,\n"
	       "                             seccomp=unconfined|FILE.json\n"
	       "      --pull missing|always|never\n"
	       "                             pull the image (default: missing)\n"
	       "\n"
	       "Resources (a cgroup of its own; see husk-run(1)):\n"
	       "%s"
	       "      --device HOST[:CTR][:rwm]\n"
	       "                             give the container a host device\n"
	       "      --cgroup-parent PATH   put its cgroup below PATH (default:\n"
	       "                             below husk's own cgroup)\n"
	       "      --cgroups enabled|disabled\n"
	       "                             disabled: no cgroup of its own\n"
	       "      --cgroupns private|host\n"
	       "                             its own cgroup namespace (default:\n"
	       "                             private on cgroup v2, host on v1)\n"
	       "      --help                 show this help\n", res_usage);
}

enum {
	OPT_RM = 3000, OPT_NAME, OPT_ENV_FILE, OPT_ENTRYPOINT, OPT_TMPFS,
	OPT_READ_ONLY, OPT_INIT, OPT_NETWORK, OPT_CAP_ADD, OPT_CAP_DROP,
	OPT_PRIVILEGED, OPT_SECURITY_OPT, OPT_PULL, OPT_HELP, OPT_LOG_OPT,
	OPT_STOP_SIGNAL, OPT_STOP_TIMEOUT, OPT_MOUNT, OPT_VOLUMES_FROM,
	OPT_DEVICE, OPT_CGROUP_PARENT, OPT_DNS, OPT_DNS_SEARCH, OPT_DNS_OPTION,
	OPT_ADD_HOST,
};

static const struct option run_opts[] = {
	{ "detach", no_argument, NULL, 'd' },
	{ "label", required_argument, NULL, 'l' },
	{ "log-opt", required_argument, NULL, OPT_LOG_OPT },
	{ "stop-signal", required_argument, NULL, OPT_STOP_SIGNAL },
	{ "stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT },
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
	{ "mount", required_argument, NULL, OPT_MOUNT },
	{ "volumes-from", required_argument, NULL, OPT_VOLUMES_FROM },
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
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "publish", required_argument, NULL, 'p' },
	{ "publish-all", no_argument, NULL, 'P' },
	{ "dns", required_argument, NULL, OPT_DNS },
	{ "dns-search", required_argument, NULL, OPT_DNS_SEARCH },
	{ "dns-option", required_argument, NULL, OPT_DNS_OPTION },
	{ "add-host", required_argument, NULL, OPT_ADD_HOST },
	{ "cgroup-parent", required_argument, NULL, OPT_CGROUP_PARENT },
	{ "cgroups", required_argument, NULL, 'G' },
	{ "cgroupns", required_argument, NULL, 'N' },
	RES_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static int parse_flag(struct husk_ctx *ctx, int c, struct run_args *a,
		      struct err **e)
{
	switch (c) {
	case 'd': a->detach = true; return 0;
	case 'l': return run_label_arg(ctx, a, optarg, e);
	case OPT_LOG_OPT: return run_log_opt(ctx, a, optarg, e);
	case OPT_STOP_SIGNAL: return run_stop_signal(ctx, a, optarg, e);
	case OPT_STOP_TIMEOUT: return run_stop_timeout(ctx, a, optarg, e);
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
	case OPT_MOUNT: return run_mount_arg(ctx, a, optarg, e);
	case OPT_VOLUMES_FROM: return run_volumes_from_arg(ctx, a, optarg, e);
	case OPT_READ_ONLY: a->rc.readonly = true; return 0;
	case OPT_INIT: a->rc.init = true; return 0;
	case OPT_NETWORK: return run_network_arg(ctx, a, optarg, e);
	case OPT_CAP_ADD: run_strv_add(&a->cap_add, optarg); return 0;
	case OPT_CAP_DROP: run_strv_add(&a->cap_drop, optarg); return 0;
	case OPT_PRIVILEGED: a->rc.privileged = true; return 0;
	case OPT_SECURITY_OPT: return run_security_opt(ctx, a, optarg, e);
	case OPT_PULL: return run_pull_arg(ctx, a, optarg, e);
	case OPT_DEVICE: return run_device_arg(ctx, a, optarg, e);
	case 'p': return run_publish_arg(ctx, a, optarg, e);
	case 'P': a->publish_all = true; return 0;
	case OPT_DNS: return run_dns_arg(ctx, a, optarg, e);
	case OPT_DNS_SEARCH: return run_dns_search_arg(ctx, a, optarg, e);
	case OPT_DNS_OPTION: return run_dns_option_arg(ctx, a, optarg, e);
	case OPT_ADD_HOST: return run_add_host_arg(ctx, a, optarg, e);
	case OPT_CGROUP_PARENT:
	case 'G':
	case 'N': return run_cgroup_arg(ctx, a, c, optarg, e);
	default: {
		int rc = res_flag(ctx, &a->res, c, optarg, e);

		return rc <= 0 ? rc : cmd_usage_error(ctx, e, "unknown option");
	}
	}
}

static int parse(struct husk_ctx *ctx, int argc, char **argv,
		 struct run_args *a, struct err **e)
{
	int c;

	while ((c = getopt_long(argc, argv, "+:itdl:e:w:u:h:v:m:c:p:P", run_opts,
				NULL)) != -1) {
		if (c == OPT_HELP) {
			usage();
			return 1;
		}
		if (c == '?' || c == ':')
			return cmd_getopt_error(ctx, c, argv, e);
		if (parse_flag(ctx, c, a, e) < 0)
			return -1;
	}
	if (optind >= argc)
		return cmd_usage_error(ctx, e, "run needs an image");
	if (res_check(ctx, &a->res, e) < 0 || run_etc_check(a, e) < 0)
		return -1;
	if (a->rc.no_cgroup && (res_any(&a->res) || a->rc.cgroup_parent))
		return cmd_usage_error(ctx, e, "--cgroups=disabled cannot go "
				       "with resource limits or "
				       "--cgroup-parent");
	if (a->name && !ctr_name_valid(a->name))
		return cmd_usage_error(ctx, e, "invalid container name '%s': "
				       "only [a-zA-Z0-9][a-zA-Z0-9_.-] are "
				       "allowed", a->name);
	a->image = argv[optind];
	a->rc.cmd = argv + optind + 1;
	a->rc.cap_add = a->cap_add;
	a->rc.cap_drop = a->cap_drop;
	a->rc.env = a->env;
	a->rc.limits = &a->res.l;
	a->rc.devices = a->devices;
	a->rc.ndevices = a->ndevices;
	/* docker's allowlist needs a cgroup of ours, as root (rootless,
	 * the user namespace refuses mknod anyway) */
	a->rc.device_rules = !a->rc.privileged && !a->rc.no_cgroup &&
			     !ctx->rootless;
	if (!a->cgroupns)
		a->rc.cgroupns = cgroup_v2_host();
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

static int make_files(struct run_args *a, int dirfd, const cJSON *spec,
		      bool durable, struct err **e)
{
	static const char *const subs[] = { "rootfs", "upper", "work" };
	_cleanup_free_ char *text = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(subs); i++)
		if (mkdirat(dirfd, subs[i], 0755) < 0)
			return err_make(e, errno, "cannot create '%s/%s'",
					a->dir, subs[i]);
	if (run_write_etc(a, dirfd, e) < 0)
		return -1;
	if (durable)
		return json_write_file(dirfd, "config.json", spec, 0600, e);
	text = cJSON_Print(spec);
	return run_write_text(dirfd, "config.json", text, e);
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

	if (a->detach)
		return;
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
 * MAINPID and leaves: no husk process stays behind. Its record says
 * running while the process lives and is removed after (ctr_gc()).
 */
static bool stepping_aside(const struct run_args *a)
{
	/* the container stays in the unit's cgroup (nobody would remove
	 * one of its own): with limits asked, husk stays as the monitor */
	return a->rm && !a->tty && !a->detach && a->rc.notify_socket &&
	       !runtime_fuse_forced() && !res_any(&a->res) &&
	       !a->rc.cgroup_parent;
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

/*
 * --network container:NAME: as in docker, the container shares NAME's
 * /etc/hosts, /etc/resolv.conf and host name along with its network, the
 * files bound from NAME's directory (so a later change shows in both)
 */
static void share_etc(struct store *s, struct run_args *a)
{
	_cleanup_free_ char *dir = xasprintf("%s/containers/%s", s->root,
					     a->net_join);
	_cleanup_buf_ struct buf hn = BUF_INIT;
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	free(a->hosts);
	free(a->resolv);
	free(a->hostname_file);
	a->rc.hosts = a->hosts = xasprintf("%s/hosts", dir);
	a->rc.resolv = a->resolv = xasprintf("%s/resolv.conf", dir);
	a->rc.hostname_file = a->hostname_file = xasprintf("%s/hostname", dir);
	if (fd >= 0 && read_file(fd, "hostname", &hn, 256, NULL) >= 0 &&
	    hn.len > 1) {
		buf_rtrim(&hn);
		free(a->hostname);
		a->rc.hostname = a->hostname = buf_detach(&hn, NULL);
	}
}

static cJSON *strv_json(char **v)
{
	cJSON *a = cJSON_CreateArray();

	for (char **p = v; p && *p; p++)
		cJSON_AddItemToArray(a, cJSON_CreateString(*p));
	return a;
}

static cJSON *copy_or_null(const cJSON *j)
{
	return j ? cJSON_Duplicate(j, true) : cJSON_CreateNull();
}

/* Config.ExposedPorts: the image's, and (docker) every published port */
static cJSON *exposed_ports(const struct run_args *a, const cJSON *icfg)
{
	const cJSON *img = json_obj(icfg, "ExposedPorts");
	cJSON *o;

	if (!img && !a->nports)
		return cJSON_CreateNull();
	o = img ? cJSON_Duplicate(img, true) : cJSON_CreateObject();
	for (size_t i = 0; i < a->nports; i++) {
		char key[32];

		snprintf(key, sizeof(key), "%u/%s", a->ports[i].ctr_port,
			 a->ports[i].udp ? "udp" : "tcp");
		if (!cJSON_GetObjectItemCaseSensitive(o, key))
			cJSON_AddItemToObject(o, key, cJSON_CreateObject());
	}
	return o;
}

/* docker's Config: what the container was asked to be */
static cJSON *docker_config(struct run_args *a, const cJSON *icfg,
			    const cJSON *spec, const struct ctr *c)
{
	const cJSON *proc = json_obj(spec, "process");
	cJSON *o = cJSON_CreateObject();
	const char *user = a->rc.user ? a->rc.user : json_str(icfg, "User");
	const char *wd = a->rc.workdir ? a->rc.workdir
				       : json_str(icfg, "WorkingDir");

	cJSON_AddStringToObject(o, "Hostname", a->rc.hostname ? a->rc.hostname
							       : a->hostname);
	cJSON_AddStringToObject(o, "Domainname", "");
	cJSON_AddStringToObject(o, "User", user ? user : "");
	cJSON_AddBoolToObject(o, "AttachStdin", a->interactive && !a->detach);
	cJSON_AddBoolToObject(o, "AttachStdout", !a->detach);
	cJSON_AddBoolToObject(o, "AttachStderr", !a->detach);
	cJSON_AddBoolToObject(o, "Tty", a->tty);
	cJSON_AddBoolToObject(o, "OpenStdin", a->interactive);
	cJSON_AddBoolToObject(o, "StdinOnce", a->interactive && !a->detach);
	cJSON_AddItemToObject(o, "Env", copy_or_null(json_arr(proc, "env")));
	/* docker's rules: --entrypoint replaces the image's and drops its
	 * Cmd; arguments after the image replace Cmd */
	if (a->rc.cmd && *a->rc.cmd)
		cJSON_AddItemToObject(o, "Cmd", strv_json(a->rc.cmd));
	else if (a->rc.entrypoint)
		cJSON_AddNullToObject(o, "Cmd");
	else
		cJSON_AddItemToObject(o, "Cmd", copy_or_null(json_arr(icfg, "Cmd")));
	cJSON_AddStringToObject(o, "Image", a->image);
	cJSON_AddItemToObject(o, "Volumes", copy_or_null(json_obj(icfg, "Volumes")));
	cJSON_AddItemToObject(o, "ExposedPorts", exposed_ports(a, icfg));
	cJSON_AddStringToObject(o, "WorkingDir", wd ? wd : "");
	if (a->rc.entrypoint && *a->rc.entrypoint) {
		cJSON *ep = cJSON_AddArrayToObject(o, "Entrypoint");

		cJSON_AddItemToArray(ep, cJSON_CreateString(a->rc.entrypoint));
	} else if (a->rc.entrypoint) {
		cJSON_AddNullToObject(o, "Entrypoint");
	} else {
		cJSON_AddItemToObject(o, "Entrypoint",
				      copy_or_null(json_arr(icfg, "Entrypoint")));
	}
	cJSON_AddNullToObject(o, "OnBuild");
	cJSON_AddItemToObject(o, "Labels", cJSON_Duplicate(c->labels, true));
	cJSON_AddStringToObject(o, "StopSignal", c->stop_signal);
	if (c->stop_timeout >= 0)
		cJSON_AddNumberToObject(o, "StopTimeout", c->stop_timeout);
	return o;
}

/* HostConfig's resources, as docker names them (0: not set) */
static void host_config_resources(struct run_args *a, cJSON *o)
{
	const struct cgroup_limits *l = &a->res.l;
	cJSON *devs = cJSON_AddArrayToObject(o, "Devices");

	cJSON_AddStringToObject(o, "CgroupnsMode", a->rc.cgroupns ? "private"
								  : "host");
	cJSON_AddStringToObject(o, "Cgroup", "");
	cJSON_AddStringToObject(o, "CgroupParent", a->rc.cgroup_parent ?
				a->rc.cgroup_parent : "");
	cJSON_AddStringToObject(o, "Cgroups", a->rc.no_cgroup ? "disabled"
							      : "enabled");
	cJSON_AddNumberToObject(o, "Memory", (double)l->memory);
	cJSON_AddNumberToObject(o, "MemorySwap", (double)l->memory_swap);
	cJSON_AddNumberToObject(o, "MemoryReservation",
				(double)l->memory_reservation);
	cJSON_AddNumberToObject(o, "NanoCpus", (double)a->res.nano_cpus);
	cJSON_AddNumberToObject(o, "CpuShares", (double)l->cpu_shares);
	cJSON_AddNumberToObject(o, "CpuPeriod", 0);
	cJSON_AddNumberToObject(o, "CpuQuota", 0);
	cJSON_AddStringToObject(o, "CpusetCpus", l->cpuset_cpus ?
				l->cpuset_cpus : "");
	cJSON_AddStringToObject(o, "CpusetMems", l->cpuset_mems ?
				l->cpuset_mems : "");
	if (l->pids)
		cJSON_AddNumberToObject(o, "PidsLimit", (double)l->pids);
	else
		cJSON_AddNullToObject(o, "PidsLimit");
	cJSON_AddNumberToObject(o, "BlkioWeight", l->blkio_weight);
	for (size_t i = 0; i < a->ndevices; i++) {
		cJSON *d = cJSON_CreateObject();

		cJSON_AddStringToObject(d, "PathOnHost", a->devices[i].host);
		cJSON_AddStringToObject(d, "PathInContainer",
					a->devices[i].path);
		cJSON_AddStringToObject(d, "CgroupPermissions",
					a->devices[i].access);
		cJSON_AddItemToArray(devs, d);
	}
}

/* docker's HostConfig: how it runs on this host */
static cJSON *docker_host_config(struct run_args *a, const struct ctr *c)
{
	_cleanup_free_ char *netmode = a->rc.net == RT_NET_CONTAINER ?
		xasprintf("container:%s", a->net_join) :
		a->rc.net == RT_NET_PRIVATE ?
		xstrdup(netns_helper_name(a->net.helper)) :
		xstrdup(a->rc.net == RT_NET_NONE ? "none" : "host");
	cJSON *o = cJSON_CreateObject(), *binds = cJSON_CreateArray();
	cJSON *log = cJSON_AddObjectToObject(o, "LogConfig");
	cJSON *logc = cJSON_AddObjectToObject(log, "Config");

	cJSON *tmpfs = cJSON_CreateObject();

	/* docker: Binds has -v's with a source, Tmpfs --tmpfs's */
	for (size_t i = 0; i < a->nmounts; i++) {
		const struct run_mount *m = &a->mounts[i];

		if (m->spec && m->type == RUN_TMPFS)
			cJSON_AddStringToObject(tmpfs, m->dest,
						m->options ? m->options : "");
		else if (m->spec && !m->anonymous)
			cJSON_AddItemToArray(binds, cJSON_CreateString(m->spec));
	}
	cJSON_AddItemToObject(o, "Tmpfs", tmpfs);
	cJSON_AddItemToObject(o, "VolumesFrom", a->volumes_from ?
			      strv_json(a->volumes_from) : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "Binds", binds);
	cJSON_AddStringToObject(log, "Type", a->detach ? "k8s-file" : "none");
	if (c->log_max > 0) {
		char n[32];

		snprintf(n, sizeof(n), "%lld", (long long)c->log_max);
		cJSON_AddStringToObject(logc, "max-size", n);
	}
	cJSON_AddStringToObject(o, "NetworkMode", netmode);
	cJSON_AddItemToObject(o, "PortBindings", run_ports_json(a));
	cJSON_AddBoolToObject(o, "PublishAllPorts", a->publish_all);
	cJSON_AddBoolToObject(o, "AutoRemove", a->rm);
	cJSON_AddItemToObject(o, "CapAdd", a->cap_add ? strv_json(a->cap_add)
						      : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "CapDrop", a->cap_drop ? strv_json(a->cap_drop)
							: cJSON_CreateNull());
	host_config_resources(a, o);
	cJSON_AddBoolToObject(o, "Privileged", a->rc.privileged);
	cJSON_AddBoolToObject(o, "ReadonlyRootfs", a->rc.readonly);
	cJSON_AddBoolToObject(o, "Init", a->rc.init);
	cJSON_AddItemToObject(o, "SecurityOpt", a->rc.no_new_privs || a->rc.seccomp ?
			      cJSON_CreateArray() : cJSON_CreateNull());
	if (a->rc.no_new_privs)
		cJSON_AddItemToArray(cJSON_GetObjectItem(o, "SecurityOpt"),
				     cJSON_CreateString("no-new-privileges"));
	if (a->rc.seccomp) {
		_cleanup_free_ char *sc = xasprintf("seccomp=%s", a->rc.seccomp);

		cJSON_AddItemToArray(cJSON_GetObjectItem(o, "SecurityOpt"),
				     cJSON_CreateString(sc));
	}
	return o;
}

/* The record: what ps and inspect show without reading the spec. */
static void fill_record(struct run_args *a, struct image_rootfs *img,
			const cJSON *spec, struct ctr *c)
{
	const cJSON *args = json_arr(json_obj(spec, "process"), "args"), *it;
	const cJSON *icfg = json_obj(img->config, "config");
	const cJSON *ilabels = json_obj(icfg, "Labels");
	const char *isig = json_str(icfg, "StopSignal");
	size_t n = 0;

	memcpy(c->id, a->id, sizeof(c->id));
	c->name = a->name ? xstrdup(a->name) : NULL;
	c->image = xstrdup(a->image);
	c->image_id = xstrdup(img->id);
	int skip = a->rc.init ? 2 : 0;	/* "/dev/init --" is ours */

	c->command = xcalloc((size_t)cJSON_GetArraySize(args) + 1,
			     sizeof(char *));
	cJSON_ArrayForEach(it, args)
		if (cJSON_IsString(it) && skip-- <= 0)
			c->command[n++] = xstrdup(it->valuestring);
	/* the image's labels, then --label over them (docker) */
	c->labels = cJSON_IsObject(ilabels) ? cJSON_Duplicate(ilabels, true)
					    : cJSON_CreateObject();
	for (char **l = a->labels; l && *l; l++) {
		char *eq = strchr(*l, '=');
		_cleanup_free_ char *k = xstrndup(*l, eq ? (size_t)(eq - *l)
							 : strlen(*l));

		cJSON_DeleteItemFromObjectCaseSensitive(c->labels, k);
		cJSON_AddStringToObject(c->labels, k, eq ? eq + 1 : "");
	}
	c->auto_remove = a->rm;
	c->detached = a->detach;
	c->tty = a->tty;
	c->stop_signal = xstrdup(a->stop_signal ? a->stop_signal
				 : isig && *isig ? isig : "SIGTERM");
	c->stop_timeout = a->stop_timeout;
	c->log_max = a->log_max;
	c->config = docker_config(a, icfg, spec, c);
	c->host_config = docker_host_config(a, c);
	c->mounts = cJSON_Duplicate(a->mount_points, true);
	c->ports = a->nports ? run_ports_json(a) : NULL;
}

/* Whether the run mounts anything that may be created for it. */
static bool makes_volumes(const struct run_args *a, const cJSON *image)
{
	return a->nmounts > 0 || a->volumes_from ||
	       json_obj(json_obj(image, "config"), "Volumes");
}

/* -v ...:U: to the uid and gid the container's process runs as */
static int spec_chown(struct run_args *a, const cJSON *spec, struct err **e)
{
	const cJSON *user = json_obj(json_obj(spec, "process"), "user");
	int64_t uid = 0, gid = 0;

	(void) json_int64(user, "uid", &uid);
	(void) json_int64(user, "gid", &gid);
	return run_mounts_chown(a, (uid_t)uid, (gid_t)gid, e);
}

static int run_container(struct husk_ctx *ctx, struct run_args *a,
			 struct store *s, struct err **e)
{
	struct launch_opts lo = { .detach = a->detach,
				  .interactive = a->interactive };
	_cleanup_cjson_ cJSON *spec = NULL;
	struct image_rootfs img;
	struct ctr c;
	bool made = false;
	char taken[65];
	int rc;

	if (load_image(ctx, a, s, &img, e) < 0)
		return -1;
	ctr_init(&c);
	new_id(a->id);
	a->hostname = xstrndup(a->id, 12);
	a->dir = xasprintf("%s/containers/%s", s->root, a->id);
	fill_paths(a, &img);
	rc = run_init_path(ctx, a, e);
	/* a taken name is refused before any volume is made for it */
	if (rc >= 0 && a->name && makes_volumes(a, img.config) &&
	    ctr_name_taken(s, a->name, taken))
		rc = err_cause(e, EEXIST, "the container name '%s' is already "
			       "in use by container '%s'", a->name, taken);
	if (rc >= 0 && run_network_resolve(s, a, img.config, e) < 0)
		rc = -1;
	if (rc >= 0 && a->rc.net == RT_NET_CONTAINER)
		share_etc(s, a);
	if (rc >= 0 && run_mounts_resolve(s, a, img.config, e) < 0)
		rc = -1;
	if (rc >= 0 && runtime_spec_generate(&a->rc, &spec, e) < 0)
		rc = err_wrap(e, "cannot create container from '%s'", a->image);
	if (rc >= 0 && spec_chown(a, spec, e) < 0)
		rc = -1;
	if (rc >= 0) {
		/* what `rmi` and the store's GC check before removing layers */
		cJSON *ann = cJSON_GetObjectItem(spec, "annotations");

		run_network_annotate(a, ann);
		cJSON_AddStringToObject(ann, "io.husk.image", img.name);
		cJSON_AddStringToObject(ann, "io.husk.image.id", img.id);
		fill_record(a, &img, spec, &c);
		rc = ctr_create(s, &c, e);
		made = rc >= 0;
	}
	/* the record names its volumes now: volume rm sees them */
	lock_release(TAKE_FD(a->volume_lock));
	if (!made && a->mount_points)	/* anonymous volumes made for nothing */
		volume_remove_anonymous(s, a->mount_points);
	if (rc >= 0 && make_files(a, c.dirfd, spec, !a->rm, e) < 0) {
		c.rm_volumes = true;
		(void) ctr_remove(s, &c, NULL);
		rc = -1;
	}
	if (rc >= 0) {
		lo.notify_socket = a->rc.notify_socket;
		lo.step_aside = stepping_aside(a);
		lo.listen_fds = a->rc.listen_fds;
		rc = cmd_launch(ctx, s, &c, spec, &lo, e);
		if (rc >= 0 && a->detach)
			printf("%s\n", c.id);
	}
	ctr_release(&c);
	image_rootfs_release(&img);
	return rc;
}

int cmd_run(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	struct run_args a = { .dirfd = -1, .ctx = ctx, .stop_timeout = -1,
			      .volume_lock = -1 };
	struct store s = STORE_INIT;
	int rc = parse(ctx, argc, argv, &a, e);

	if (rc != 0) {
		run_args_release(&a);
		return rc < 0 ? rc : 0;
	}
	rc = store_open(&s, ctx->root, true, e);
	if (rc >= 0)
		rc = run_container(ctx, &a, &s, e);
	store_close(&s);
	run_network_release(&a);
	run_args_release(&a);
	return rc;
}
