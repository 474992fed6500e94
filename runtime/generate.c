/*
 * `husk run`'s OCI spec: the image config and the flags, with docker's
 * rules. The result is plain OCI (plus husk's annotations, see spec.h), so
 * `husk run` and `husk oci` share everything after this file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/parse.h"
#include "lib/xalloc.h"
#include "runtime/internal.h"
#include "runtime/spec.h"
#include "lib/banned.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *const masked_paths[] = {
	"/proc/asound",	     "/proc/acpi",	  "/proc/kcore",
	"/proc/keys",	     "/proc/latency_stats", "/proc/timer_list",
	"/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
	"/sys/firmware",     "/sys/devices/virtual/powercap",
};

static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

/* ---- files of the image, read from its layers --------------------------- */

static int read_fd(int fd, struct buf *out, size_t max, struct err **e)
{
	char chunk[8192];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (out->len + (size_t)n > max)
			return err_cause(e, EFBIG, "file too large");
		buf_add(out, chunk, (size_t)n);
	}
	return n < 0 ? err_make(e, errno, "read") : 0;
}

/* The top-most layer's copy of PATH, or ENOENT (also behind a whiteout). */
static int read_image_file(char **layers, const char *path, struct buf *out,
			   struct err **e)
{
	for (char **l = layers; l && *l; l++) {
		_cleanup_close_ int root = open(*l, O_PATH | O_DIRECTORY | O_CLOEXEC);
		_cleanup_close_ int fd = -1;
		struct stat st;

		if (root < 0)
			continue;
		fd = safe_open(root, path, O_PATH, 0, NULL);
		if (fd < 0 || fstat(fd, &st) < 0)
			continue;
		if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0))
			break; /* a whiteout: deleted in this layer */
		if (!S_ISREG(st.st_mode))
			break;
		(void) close(TAKE_FD(fd));
		fd = safe_open(root, path, O_RDONLY, 0, e);
		if (fd < 0)
			return -1;
		return read_fd(fd, out, 1 << 20, e);
	}
	return err_cause(e, ENOENT, "no %s in the image", path);
}

/* Finds NAME (or numeric id) in passwd/group-style TEXT: field 0 is the
 * name, field 2 the id. Returns the matching line's fields split. */
static bool find_entry(char *text, const char *name, char *f[7], int nf)
{
	char *save = NULL, *line;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *p = line;
		int i;

		for (i = 0; i < nf && p; i++) {
			f[i] = p;
			p = strchr(p, ':');
			if (p)
				*p++ = '\0';
		}
		if (i < 3)
			continue;
		if (!strcmp(f[0], name) || !strcmp(f[2], name))
			return true;
	}
	return false;
}

struct user {
	uid_t uid;
	gid_t gid;
	gid_t groups[64];
	size_t ngroups;
	char *home;
	char *name;
};

static int parse_id(const char *s, uint64_t *out)
{
	return parse_uint64(s, 0, UINT32_MAX - 1, out, NULL);
}

/* Supplementary groups: every group of /etc/group that lists NAME. */
static void add_groups(char **layers, struct user *u)
{
	_cleanup_buf_ struct buf g = BUF_INIT;
	char *save = NULL, *line;

	if (!u->name || read_image_file(layers, "/etc/group", &g, NULL) < 0)
		return;
	for (line = strtok_r(g.s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[4] = { 0 }, *p = line, *m, *msave = NULL;
		uint64_t gid;
		int i;

		for (i = 0; i < 4 && p; i++) {
			f[i] = p;
			p = strchr(p, ':');
			if (p)
				*p++ = '\0';
		}
		if (i < 4 || parse_id(f[2], &gid) < 0)
			continue;
		for (m = strtok_r(f[3], ",", &msave); m;
		     m = strtok_r(NULL, ",", &msave))
			if (!strcmp(m, u->name) && u->ngroups < ARRAY_SIZE(u->groups))
				u->groups[u->ngroups++] = (gid_t)gid;
	}
}

static int resolve_group(char **layers, const char *grp, gid_t *gid,
			 struct err **e)
{
	_cleanup_buf_ struct buf g = BUF_INIT;
	char *f[7];
	uint64_t v;

	if (parse_id(grp, &v) == 0) {
		*gid = (gid_t)v;
		return 0;
	}
	if (read_image_file(layers, "/etc/group", &g, NULL) < 0 ||
	    !find_entry(g.s, grp, f, 4) || parse_id(f[2], &v) < 0)
		return err_make(e, 0, "unable to find group '%s': no matching "
				      "entries in group file", grp);
	*gid = (gid_t)v;
	return 0;
}

/* docker's -u: name|uid[:group|gid], resolved in the image's files. */
static int resolve_user(char **layers, const char *spec, struct user *u,
			struct err **e)
{
	_cleanup_free_ char *copy = xstrdup(spec && *spec ? spec : "0");
	_cleanup_buf_ struct buf pw = BUF_INIT;
	char *grp = strchr(copy, ':'), *f[7] = { 0 };
	bool numeric, found;
	uint64_t v;

	if (grp)
		*grp++ = '\0';
	numeric = parse_id(copy, &v) == 0;
	found = read_image_file(layers, "/etc/passwd", &pw, NULL) == 0 &&
		find_entry(pw.s, copy, f, 7);
	if (!found && !numeric)
		return err_make(e, 0, "unable to find user '%s': no matching "
				      "entries in passwd file", copy);
	u->uid = numeric ? (uid_t)v : 0;
	u->gid = 0;
	if (found) {
		uint64_t id;

		if (parse_id(f[2], &id) == 0 && !numeric)
			u->uid = (uid_t)id;
		if (parse_id(f[3], &id) == 0)
			u->gid = (gid_t)id;
		u->home = xstrdup(f[5] && *f[5] ? f[5] : "/");
		u->name = xstrdup(f[0]);
		add_groups(layers, u);
	}
	if (!u->home)
		u->home = xstrdup("/");
	return grp ? resolve_group(layers, grp, &u->gid, e) : 0;
}

int runtime_lookup_user(char **roots, const char *spec, uid_t *uid,
			gid_t *gid, gid_t **gids, size_t *ngids, char **home,
			struct err **e)
{
	struct user u = { 0 };
	int rc = resolve_user(roots, spec, &u, e);

	if (rc >= 0) {
		*uid = u.uid;
		*gid = u.gid;
		*ngids = u.ngroups;
		*gids = xcalloc(u.ngroups + 1, sizeof(gid_t));
		memcpy(*gids, u.groups, u.ngroups * sizeof(gid_t));
		*home = TAKE_PTR(u.home);
	}
	free(u.home);
	free(u.name);
	return rc;
}

/* ---- process ------------------------------------------------------------- */

static void add_strings(cJSON *arr, const cJSON *from)
{
	const cJSON *x;

	cJSON_ArrayForEach(x, from)
		if (cJSON_IsString(x))
			cJSON_AddItemToArray(arr, cJSON_CreateString(x->valuestring));
}

/* docker: --entrypoint replaces Entrypoint and drops the image's Cmd. */
static int build_args(const struct run_config *c, const cJSON *icfg,
		      cJSON *args, struct err **e)
{
	if (c->init)
		cJSON_AddItemToArray(args, cJSON_CreateString("/dev/init"));
	if (c->init)
		cJSON_AddItemToArray(args, cJSON_CreateString("--"));
	if (c->entrypoint) {
		if (*c->entrypoint)
			cJSON_AddItemToArray(args, cJSON_CreateString(c->entrypoint));
	} else {
		add_strings(args, json_arr(icfg, "Entrypoint"));
	}
	if (c->cmd && *c->cmd) {
		for (char **a = c->cmd; *a; a++)
			cJSON_AddItemToArray(args, cJSON_CreateString(*a));
	} else if (!c->entrypoint) {
		add_strings(args, json_arr(icfg, "Cmd"));
	}
	if (cJSON_GetArraySize(args) == (c->init ? 2 : 0))
		return err_make(e, 0, "no command specified");
	return 0;
}

static void env_set(cJSON *env, const char *kv)
{
	size_t klen = strcspn(kv, "=");
	cJSON *x;
	int i = 0;

	cJSON_ArrayForEach(x, env) {
		if (!strncmp(x->valuestring, kv, klen) &&
		    x->valuestring[klen] == '=') {
			cJSON_ReplaceItemInArray(env, i, cJSON_CreateString(kv));
			return;
		}
		i++;
	}
	cJSON_AddItemToArray(env, cJSON_CreateString(kv));
}

static bool env_has(const cJSON *env, const char *key)
{
	const cJSON *x;
	size_t n = strlen(key);

	cJSON_ArrayForEach(x, env)
		if (!strncmp(x->valuestring, key, n) && x->valuestring[n] == '=')
			return true;
	return false;
}

static cJSON *build_env(const struct run_config *c, const cJSON *icfg,
			const struct user *u, const char *hostname)
{
	cJSON *env = cJSON_CreateArray();
	const cJSON *x;
	_cleanup_free_ char *h = xasprintf("HOSTNAME=%s", hostname);

	env_set(env, "PATH=" DEFAULT_PATH);
	env_set(env, h);
	cJSON_ArrayForEach(x, json_arr(icfg, "Env"))
		if (cJSON_IsString(x) && strchr(x->valuestring, '='))
			env_set(env, x->valuestring);
	for (char **kv = c->env; kv && *kv; kv++)
		env_set(env, *kv);
	if (c->notify_socket)
		env_set(env, "NOTIFY_SOCKET=/run/notify/notify.sock");
	if (c->listen_fds > 0) {
		_cleanup_free_ char *n = xasprintf("LISTEN_FDS=%d", c->listen_fds);
		const char *names = getenv("LISTEN_FDNAMES");

		env_set(env, n);
		/* the container's first process is PID 1 of its namespace
		 * (with --init, /dev/init hands them to its child) */
		env_set(env, "LISTEN_PID=1");
		if (names) {
			_cleanup_free_ char *fn = xasprintf("LISTEN_FDNAMES=%s",
							    names);

			env_set(env, fn);
		}
	}
	if (c->tty && !env_has(env, "TERM"))
		env_set(env, "TERM=xterm");
	if (!env_has(env, "HOME")) {
		_cleanup_free_ char *home = xasprintf("HOME=%s", u->home);

		env_set(env, home);
	}
	return env;
}

static cJSON *caps_array(uint64_t mask)
{
	cJSON *a = cJSON_CreateArray();

	for (int i = 0; i <= caps_last_cap(); i++)
		if (mask & (1ULL << i))
			cJSON_AddItemToArray(a, cJSON_CreateString(caps_name(i)));
	return a;
}

static int build_caps(const struct run_config *c, uid_t uid, cJSON *proc,
		      struct err **e)
{
	size_t nadd = 0, ndrop = 0;
	struct caps caps;
	cJSON *o;

	for (char **p = c->cap_add; p && *p; p++)
		nadd++;
	for (char **p = c->cap_drop; p && *p; p++)
		ndrop++;
	if (caps_compute(c->privileged, (const char **)c->cap_add, nadd,
			 (const char **)c->cap_drop, ndrop, c->device_rules,
			 &caps, e) < 0)
		return -1;
	caps_for_uid(&caps, uid);
	o = cJSON_AddObjectToObject(proc, "capabilities");
	cJSON_AddItemToObject(o, "bounding", caps_array(caps.bounding));
	cJSON_AddItemToObject(o, "effective", caps_array(caps.effective));
	cJSON_AddItemToObject(o, "permitted", caps_array(caps.permitted));
	cJSON_AddItemToObject(o, "inheritable", caps_array(caps.inheritable));
	cJSON_AddItemToObject(o, "ambient", caps_array(caps.ambient));
	return 0;
}

static int build_process(const struct run_config *c, const char *hostname,
			 cJSON *spec, struct err **e)
{
	const cJSON *icfg = json_obj(c->image, "config");
	cJSON *proc = cJSON_AddObjectToObject(spec, "process");
	cJSON *args = cJSON_AddArrayToObject(proc, "args");
	cJSON *user = cJSON_AddObjectToObject(proc, "user");
	cJSON *gids = cJSON_AddArrayToObject(user, "additionalGids");
	const char *wd = c->workdir ? c->workdir : json_str(icfg, "WorkingDir");
	struct user u = { 0 };
	int rc;

	rc = resolve_user(c->layers, c->user ? c->user : json_str(icfg, "User"),
			  &u, e);
	if (rc >= 0)
		rc = build_args(c, icfg, args, e);
	if (rc >= 0 && wd && *wd && wd[0] != '/')
		rc = err_make(e, 0, "the working directory '%s' is not absolute",
			      wd);
	if (rc >= 0)
		rc = build_caps(c, u.uid, proc, e);
	if (rc >= 0) {
		cJSON_AddBoolToObject(proc, "terminal", c->tty);
		cJSON_AddNumberToObject(user, "uid", u.uid);
		cJSON_AddNumberToObject(user, "gid", u.gid);
		for (size_t i = 0; i < u.ngroups; i++)
			cJSON_AddItemToArray(gids, cJSON_CreateNumber(u.groups[i]));
		cJSON_AddItemToObject(proc, "env", build_env(c, icfg, &u, hostname));
		cJSON_AddStringToObject(proc, "cwd", wd && *wd ? wd : "/");
		cJSON_AddBoolToObject(proc, "noNewPrivileges", c->no_new_privs);
	}
	free(u.home);
	free(u.name);
	return rc;
}

/* ---- mounts and namespaces ---------------------------------------------- */

static void add_mount(cJSON *mounts, const char *dest, const char *type,
		      const char *src, const char *opts)
{
	cJSON *m = cJSON_CreateObject();
	cJSON *o = cJSON_AddArrayToObject(m, "options");
	_cleanup_free_ char *copy = xstrdup(opts);
	char *save = NULL, *t;

	cJSON_AddStringToObject(m, "destination", dest);
	cJSON_AddStringToObject(m, "type", type);
	cJSON_AddStringToObject(m, "source", src);
	for (t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		cJSON_AddItemToArray(o, cJSON_CreateString(t));
	cJSON_AddItemToArray(mounts, m);
}

static void build_mounts(const struct run_config *c, cJSON *spec)
{
	cJSON *m = cJSON_AddArrayToObject(spec, "mounts");

	add_mount(m, "/proc", "proc", "proc", "nosuid,noexec,nodev");
	add_mount(m, "/dev", "tmpfs", "tmpfs",
		  "nosuid,strictatime,mode=755,size=65536k");
	add_mount(m, "/dev/pts", "devpts", "devpts",
		  "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5");
	add_mount(m, "/dev/shm", "tmpfs", "shm",
		  "nosuid,noexec,nodev,mode=1777,size=65536k");
	add_mount(m, "/dev/mqueue", "mqueue", "mqueue", "nosuid,noexec,nodev");
	add_mount(m, "/sys", "sysfs", "sysfs", "nosuid,noexec,nodev,ro");
	if (c->hosts)
		add_mount(m, "/etc/hosts", "bind", c->hosts, "rbind,rprivate");
	if (c->hostname_file)
		add_mount(m, "/etc/hostname", "bind", c->hostname_file,
			  "rbind,rprivate");
	if (c->resolv)
		add_mount(m, "/etc/resolv.conf", "bind", c->resolv,
			  "rbind,rprivate");
	if (c->notify_socket)
		add_mount(m, "/run/notify/notify.sock", "bind", c->notify_socket,
			  "bind,rprivate");
	if (c->init && c->init_path)
		add_mount(m, "/dev/init", "bind", c->init_path, "bind,ro");
	for (size_t i = 0; i < c->nbinds; i++) {
		const struct rt_bind *b = &c->binds[i];
		_cleanup_free_ char *o = NULL;

		if (b->source) {
			add_mount(m, b->dest, "bind", b->source,
				  b->ro ? "rbind,rprivate,ro" : "rbind,rprivate");
			continue;
		}
		o = xasprintf("nosuid,nodev%s%s%s", b->ro ? ",ro" : "",
			      b->options ? "," : "", b->options ? b->options : "");
		add_mount(m, b->dest, "tmpfs", "tmpfs", o);
	}
}

/* linux.devices and the allow rules for them */
static void build_devices(const struct run_config *c, cJSON *l,
			  struct cgroup_limits *res)
{
	cJSON *devs = cJSON_AddArrayToObject(l, "devices");

	for (size_t i = 0; i < c->ndevices; i++) {
		const struct rt_device *d = &c->devices[i];
		cJSON *o = cJSON_CreateObject();
		struct cgroup_dev *r;

		cJSON_AddStringToObject(o, "path", d->path);
		cJSON_AddStringToObject(o, "type", d->type == 'b' ? "b" : "c");
		cJSON_AddNumberToObject(o, "major", d->major);
		cJSON_AddNumberToObject(o, "minor", d->minor);
		cJSON_AddNumberToObject(o, "fileMode", d->mode);
		cJSON_AddNumberToObject(o, "uid", d->uid);
		cJSON_AddNumberToObject(o, "gid", d->gid);
		cJSON_AddItemToArray(devs, o);
		if (!res->has_devices)
			continue;
		res->devices = xrealloc(res->devices, (res->ndevices + 1) *
						      sizeof(*res->devices));
		r = &res->devices[res->ndevices++];
		memset(r, 0, sizeof(*r));
		r->allow = true;
		r->type = d->type;
		r->major = d->major;
		r->minor = d->minor;
		snprintf(r->access, sizeof(r->access), "%s", d->access);
	}
}

/* linux.cgroupsPath and linux.resources (limits, device rules) */
static void build_cgroup(const struct run_config *c, cJSON *l)
{
	struct cgroup_limits res = { 0 };
	_cleanup_free_ char *path = NULL;

	if (c->limits) {
		res = *c->limits;
		res.devices = NULL;
		res.ndevices = 0;
		res.has_devices = false;
	}
	if (c->device_rules)
		cgroup_limits_default_devices(&res);
	build_devices(c, l, &res);
	if (c->no_cgroup) {
		free(res.devices);
		return;
	}
	path = c->cgroup_parent ? xasprintf("%s/husk-%s", c->cgroup_parent,
					    c->id)
				: xasprintf("husk-%s", c->id);
	cJSON_AddStringToObject(l, "cgroupsPath", path);
	cJSON_AddItemToObject(l, "resources", cgroup_limits_json(&res));
	free(res.devices);
}

static void build_linux(const struct run_config *c, cJSON *spec)
{
	cJSON *l = cJSON_AddObjectToObject(spec, "linux");
	cJSON *ns = cJSON_AddArrayToObject(l, "namespaces");
	static const char *const types[] = { "pid", "mount", "ipc", "uts" };

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		cJSON *n = cJSON_CreateObject();

		cJSON_AddStringToObject(n, "type", types[i]);
		cJSON_AddItemToArray(ns, n);
	}
	if (c->net != RT_NET_HOST && c->net != RT_NET_CONTAINER) {
		cJSON *n = cJSON_CreateObject();

		cJSON_AddStringToObject(n, "type", "network");
		cJSON_AddItemToArray(ns, n);
	}
	if (c->cgroupns) {
		cJSON *n = cJSON_CreateObject();

		cJSON_AddStringToObject(n, "type", "cgroup");
		cJSON_AddItemToArray(ns, n);
	}
	build_cgroup(c, l);
	if (c->privileged)
		return;
	cJSON_AddItemToObject(l, "maskedPaths",
			      cJSON_CreateStringArray(masked_paths,
						      ARRAY_SIZE(masked_paths)));
	cJSON_AddItemToObject(l, "readonlyPaths",
			      cJSON_CreateStringArray(readonly_paths,
						      ARRAY_SIZE(readonly_paths)));
}

static void build_annotations(const struct run_config *c, cJSON *spec)
{
	cJSON *a = cJSON_AddObjectToObject(spec, "annotations");
	struct buf lower = BUF_INIT;

	for (char **l = c->layers; l && *l; l++)
		buf_addf(&lower, "%s%s", lower.len ? ":" : "", *l);
	cJSON_AddStringToObject(a, "io.husk.overlay.lower", lower.s);
	if (c->upper) {
		cJSON_AddStringToObject(a, "io.husk.overlay.upper", c->upper);
		cJSON_AddStringToObject(a, "io.husk.overlay.work", c->work);
	}
	if (c->upper_tmpfs)
		cJSON_AddStringToObject(a, "io.husk.overlay.tmpfs", "true");
	buf_reset(&lower);
	for (size_t i = 0; i < c->nbinds; i++)
		if (c->binds[i].copy_up)
			buf_addf(&lower, "%s%s", lower.len ? "\n" : "",
				 c->binds[i].dest);
	if (lower.len)
		cJSON_AddStringToObject(a, "io.husk.copyup", lower.s);
	buf_reset(&lower);
	for (size_t i = 0; i < c->ndevices; i++)
		buf_addf(&lower, "%s%s\t%s", lower.len ? "\n" : "",
			 c->devices[i].path, c->devices[i].host);
	if (lower.len)
		cJSON_AddStringToObject(a, "io.husk.devices", lower.s);
	cJSON_AddStringToObject(a, "io.husk.seccomp",
				c->privileged ? "unconfined"
					      : c->seccomp ? c->seccomp : "default");
	buf_release(&lower);
}

int runtime_spec_generate(const struct run_config *c, cJSON **out,
			  struct err **e)
{
	cJSON *spec = cJSON_CreateObject();
	cJSON *root = cJSON_AddObjectToObject(spec, "root");
	_cleanup_free_ char *hostname = c->hostname ? xstrdup(c->hostname)
						    : xstrndup(c->id, 12);

	cJSON_AddStringToObject(spec, "ociVersion", "1.0.2");
	cJSON_AddStringToObject(root, "path", c->rootfs);
	cJSON_AddBoolToObject(root, "readonly", c->readonly);
	cJSON_AddStringToObject(spec, "hostname", hostname);
	if (build_process(c, hostname, spec, e) < 0) {
		cJSON_Delete(spec);
		return -1;
	}
	build_mounts(c, spec);
	build_linux(c, spec);
	build_annotations(c, spec);
	*out = spec;
	return 0;
}
