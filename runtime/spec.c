/* OCI runtime spec (config.json) -> struct rt_spec. */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "lib/json.h"
#include "lib/xalloc.h"
#include "runtime/internal.h"
#include "runtime/spec.h"
#include "lib/banned.h"

static char **strv_from(const cJSON *arr)
{
	int n = cJSON_GetArraySize(arr);
	char **v = xcalloc((size_t)n + 1, sizeof(char *));
	const cJSON *x;
	int i = 0;

	cJSON_ArrayForEach(x, arr)
		if (cJSON_IsString(x))
			v[i++] = xstrdup(x->valuestring);
	return v;
}

static char **split_on(const char *s, char sep)
{
	size_t n = 1, i = 0;
	char **v, *copy, *save = NULL, *t;
	const char delim[2] = { sep, '\0' };

	for (const char *p = s; *p; p++)
		n += *p == sep;
	v = xcalloc(n + 1, sizeof(char *));
	copy = xstrdup(s);
	for (t = strtok_r(copy, delim, &save); t; t = strtok_r(NULL, delim, &save))
		v[i++] = xstrdup(t);
	free(copy);
	return v;
}

struct flag_name {
	const char *name;
	unsigned long set, clear;
};

/* mount(8) option words: set or clear MS_* flags */
static const struct flag_name mount_flags[] = {
	{ "ro", MS_RDONLY, 0 },		{ "rw", 0, MS_RDONLY },
	{ "nosuid", MS_NOSUID, 0 },	{ "suid", 0, MS_NOSUID },
	{ "nodev", MS_NODEV, 0 },	{ "dev", 0, MS_NODEV },
	{ "noexec", MS_NOEXEC, 0 },	{ "exec", 0, MS_NOEXEC },
	{ "relatime", MS_RELATIME, 0 }, { "strictatime", MS_STRICTATIME, 0 },
	{ "noatime", MS_NOATIME, 0 },	{ "nodiratime", MS_NODIRATIME, 0 },
	{ "sync", MS_SYNCHRONOUS, 0 },	{ "async", 0, MS_SYNCHRONOUS },
};

static const struct flag_name propagations[] = {
	{ "private", MS_PRIVATE, 0 },	{ "rprivate", MS_PRIVATE | MS_REC, 0 },
	{ "shared", MS_SHARED, 0 },	{ "rshared", MS_SHARED | MS_REC, 0 },
	{ "slave", MS_SLAVE, 0 },	{ "rslave", MS_SLAVE | MS_REC, 0 },
	{ "unbindable", MS_UNBINDABLE, 0 },
	{ "runbindable", MS_UNBINDABLE | MS_REC, 0 },
};

static bool option_flag(struct rt_mount *m, const char *o)
{
	for (size_t i = 0; i < ARRAY_SIZE(mount_flags); i++) {
		if (strcmp(o, mount_flags[i].name))
			continue;
		m->flags = (m->flags | mount_flags[i].set) & ~mount_flags[i].clear;
		return true;
	}
	for (size_t i = 0; i < ARRAY_SIZE(propagations); i++) {
		if (strcmp(o, propagations[i].name))
			continue;
		m->propagation = propagations[i].set;
		return true;
	}
	if (!strcmp(o, "bind") || !strcmp(o, "rbind")) {
		m->bind = true;
		m->recursive = o[0] == 'r';
		return true;
	}
	return false;
}

static int parse_mount(const cJSON *j, struct rt_mount *m, struct err **e)
{
	const cJSON *o;
	struct buf data = BUF_INIT;

	if (!json_str(j, "destination") || json_str(j, "destination")[0] != '/')
		return err_make(e, 0, "mount without an absolute destination");
	m->dest = xstrdup(json_str(j, "destination"));
	m->type = xstrdup(json_str(j, "type") ?: "none");
	m->source = xstrdup(json_str(j, "source") ?: "none");
	cJSON_ArrayForEach(o, json_arr(j, "options")) {
		if (!cJSON_IsString(o) || option_flag(m, o->valuestring))
			continue;
		buf_addf(&data, "%s%s", data.len ? "," : "", o->valuestring);
	}
	if (!strcmp(m->type, "bind"))
		m->bind = true;
	m->data = buf_detach(&data, NULL);
	return 0;
}

static int parse_mounts(const cJSON *arr, struct rt_spec *s, struct err **e)
{
	const cJSON *m;

	s->mounts = xcalloc((size_t)cJSON_GetArraySize(arr) + 1,
			    sizeof(*s->mounts));
	cJSON_ArrayForEach(m, arr) {
		if (parse_mount(m, &s->mounts[s->nmounts++], e) < 0)
			return err_wrap(e, "mounts[%zu]", s->nmounts - 1);
	}
	return 0;
}

static const struct {
	const char *name;
	int flag;
} ns_types[] = {
	{ "pid", CLONE_NEWPID },     { "network", CLONE_NEWNET },
	{ "mount", CLONE_NEWNS },    { "ipc", CLONE_NEWIPC },
	{ "uts", CLONE_NEWUTS },     { "user", CLONE_NEWUSER },
	{ "cgroup", CLONE_NEWCGROUP },
};

static int parse_namespaces(const cJSON *arr, struct rt_spec *s,
			    struct err **e)
{
	const cJSON *n;

	cJSON_ArrayForEach(n, arr) {
		const char *t = json_str(n, "type");
		size_t i;

		for (i = 0; t && i < ARRAY_SIZE(ns_types); i++)
			if (!strcmp(t, ns_types[i].name))
				break;
		if (!t || i == ARRAY_SIZE(ns_types))
			return err_make(e, 0, "unknown namespace type '%s'",
					t ? t : "");
		if (json_str(n, "path"))
			return err_make(e, ENOTSUP, "joining the %s namespace "
					"'%s' is not supported yet", t,
					json_str(n, "path"));
		s->ns_flags |= ns_types[i].flag;
	}
	return 0;
}

static int parse_user(const cJSON *u, struct rt_spec *s, struct err **e)
{
	int64_t v;
	const cJSON *g;

	if (json_int64(u, "uid", &v) < 0 || v < 0 || v > UINT32_MAX - 1)
		return err_make(e, 0, "process.user.uid is missing or invalid");
	s->uid = (uid_t)v;
	if (json_int64(u, "gid", &v) < 0 || v < 0 || v > UINT32_MAX - 1)
		return err_make(e, 0, "process.user.gid is missing or invalid");
	s->gid = (gid_t)v;
	s->gids = xcalloc((size_t)cJSON_GetArraySize(json_arr(u, "additionalGids")) + 1,
			  sizeof(gid_t));
	cJSON_ArrayForEach(g, json_arr(u, "additionalGids"))
		if (cJSON_IsNumber(g) && g->valuedouble >= 0)
			s->gids[s->ngids++] = (gid_t)g->valuedouble;
	return 0;
}

static int parse_caps_set(const cJSON *arr, uint64_t *out, struct err **e)
{
	const cJSON *c;

	*out = 0;
	cJSON_ArrayForEach(c, arr) {
		int n;

		if (!cJSON_IsString(c))
			continue;
		n = caps_from_name(c->valuestring, e);
		if (n < 0)
			return -1;
		*out |= 1ULL << n;
	}
	return 0;
}

static int parse_caps(const cJSON *c, struct rt_spec *s, struct err **e)
{
	if (parse_caps_set(json_arr(c, "bounding"), &s->cap_bounding, e) < 0 ||
	    parse_caps_set(json_arr(c, "effective"), &s->cap_effective, e) < 0 ||
	    parse_caps_set(json_arr(c, "permitted"), &s->cap_permitted, e) < 0 ||
	    parse_caps_set(json_arr(c, "inheritable"), &s->cap_inheritable,
			   e) < 0 ||
	    parse_caps_set(json_arr(c, "ambient"), &s->cap_ambient, e) < 0)
		return err_wrap(e, "process.capabilities");
	return 0;
}

static int parse_rlimits(const cJSON *arr, struct rt_spec *s, struct err **e)
{
	const cJSON *r;

	s->rlimits = xcalloc((size_t)cJSON_GetArraySize(arr) + 1,
			     sizeof(*s->rlimits));
	cJSON_ArrayForEach(r, arr) {
		struct rt_rlimit *l = &s->rlimits[s->nrlimits];
		int64_t soft, hard;

		l->resource = rlimit_from_name(json_str(r, "type"));
		if (l->resource < 0)
			return err_make(e, 0, "unknown rlimit '%s'",
					json_str(r, "type") ?: "");
		if (json_int64(r, "soft", &soft) < 0 ||
		    json_int64(r, "hard", &hard) < 0 || soft < 0 || hard < 0)
			return err_make(e, 0, "rlimit '%s' needs soft and hard",
					json_str(r, "type"));
		l->soft = (rlim_t)soft;
		l->hard = (rlim_t)hard;
		s->nrlimits++;
	}
	return 0;
}

static int parse_process(const cJSON *p, struct rt_spec *s, struct err **e)
{
	if (!p || !cJSON_GetArraySize(json_arr(p, "args")))
		return err_make(e, 0, "process.args is empty");
	s->args = strv_from(json_arr(p, "args"));
	s->env = strv_from(json_arr(p, "env"));
	s->cwd = xstrdup(json_str(p, "cwd") ?: "/");
	if (s->cwd[0] != '/')
		return err_make(e, 0, "process.cwd '%s' is not absolute", s->cwd);
	s->terminal = cJSON_IsTrue(cJSON_GetObjectItem(p, "terminal"));
	s->no_new_privs = cJSON_IsTrue(cJSON_GetObjectItem(p, "noNewPrivileges"));
	if (parse_user(json_obj(p, "user"), s, e) < 0 ||
	    parse_caps(json_obj(p, "capabilities"), s, e) < 0)
		return -1;
	return parse_rlimits(json_arr(p, "rlimits"), s, e);
}

static int parse_devices(const cJSON *arr, const char *hosts,
			 struct rt_spec *s, struct err **e)
{
	const cJSON *d;

	s->devices = xcalloc((size_t)cJSON_GetArraySize(arr) + 1,
			     sizeof(*s->devices));
	cJSON_ArrayForEach(d, arr) {
		struct rt_device *v = &s->devices[s->ndevices];
		const char *path = json_str(d, "path"), *t = json_str(d, "type");
		int64_t maj, min, mode = 0666, uid = 0, gid = 0;

		if (!path || path[0] != '/' || strncmp(path, "/dev/", 5) ||
		    strstr(path, "/../") || !t || (strcmp(t, "c") &&
						   strcmp(t, "b") &&
						   strcmp(t, "u")) ||
		    json_int64(d, "major", &maj) < 0 ||
		    json_int64(d, "minor", &min) < 0 || maj < 0 || min < 0 ||
		    maj > UINT32_MAX || min > UINT32_MAX)
			return err_make(e, 0, "linux.devices[%zu] is invalid",
					s->ndevices);
		(void) json_int64(d, "fileMode", &mode);
		(void) json_int64(d, "uid", &uid);
		(void) json_int64(d, "gid", &gid);
		v->path = xstrdup(path);
		v->type = t[0] == 'b' ? 'b' : 'c';
		v->major = (unsigned)maj;
		v->minor = (unsigned)min;
		v->mode = (mode_t)mode & 07777;
		v->uid = (uid_t)uid;
		v->gid = (gid_t)gid;
		/* io.husk.devices: "PATH\tHOST" lines */
		for (const char *l = hosts; l && *l;) {
			size_t n = strcspn(l, "\n"), pl = strlen(path);

			if (n > pl && !strncmp(l, path, pl) && l[pl] == '\t')
				v->host = xstrndup(l + pl + 1, n - pl - 1);
			l += n + (l[n] != '\0');
		}
		s->ndevices++;
	}
	return 0;
}

static void parse_annotations(const cJSON *a, struct rt_spec *s)
{
	const char *lower = json_str(a, "io.husk.overlay.lower");

	if (lower)
		s->lower = split_on(lower, ':');
	if (json_str(a, "io.husk.overlay.upper"))
		s->upper = xstrdup(json_str(a, "io.husk.overlay.upper"));
	if (json_str(a, "io.husk.overlay.work"))
		s->work = xstrdup(json_str(a, "io.husk.overlay.work"));
	s->seccomp = xstrdup(json_str(a, "io.husk.seccomp") ?: "unconfined");
	if (json_str(a, "io.husk.copyup"))
		s->copy_up = split_on(json_str(a, "io.husk.copyup"), '\n');
	s->upper_tmpfs = json_str(a, "io.husk.overlay.tmpfs") &&
			 !strcmp(json_str(a, "io.husk.overlay.tmpfs"), "true");
}

int rt_spec_parse(const cJSON *j, struct rt_spec *s, struct err **e)
{
	const cJSON *linux_ = json_obj(j, "linux");

	memset(s, 0, sizeof(*s));
	if (!json_str(json_obj(j, "root"), "path"))
		return err_make(e, 0, "root.path is missing");
	s->root = xstrdup(json_str(json_obj(j, "root"), "path"));
	s->readonly = cJSON_IsTrue(cJSON_GetObjectItem(json_obj(j, "root"),
						       "readonly"));
	if (json_str(j, "hostname"))
		s->hostname = xstrdup(json_str(j, "hostname"));
	parse_annotations(json_obj(j, "annotations"), s);
	s->masked = strv_from(json_arr(linux_, "maskedPaths"));
	s->readonly_paths = strv_from(json_arr(linux_, "readonlyPaths"));
	if (json_str(linux_, "cgroupsPath"))
		s->cgroups_path = xstrdup(json_str(linux_, "cgroupsPath"));
	if (parse_process(json_obj(j, "process"), s, e) < 0 ||
	    parse_mounts(json_arr(j, "mounts"), s, e) < 0 ||
	    parse_namespaces(json_arr(linux_, "namespaces"), s, e) < 0 ||
	    parse_devices(json_arr(linux_, "devices"),
			  json_str(json_obj(j, "annotations"),
				   "io.husk.devices"), s, e) < 0 ||
	    cgroup_limits_parse(json_obj(linux_, "resources"), &s->limits,
				e) < 0)
		return err_wrap(e, "invalid runtime spec");
	return 0;
}

static void strv_release(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

void rt_spec_release(struct rt_spec *s)
{
	free(s->root);
	strv_release(s->lower);
	free(s->upper);
	free(s->work);
	free(s->seccomp);
	strv_release(s->args);
	strv_release(s->env);
	free(s->cwd);
	free(s->gids);
	free(s->rlimits);
	free(s->hostname);
	for (size_t i = 0; i < s->nmounts; i++) {
		free(s->mounts[i].dest);
		free(s->mounts[i].type);
		free(s->mounts[i].source);
		free(s->mounts[i].data);
	}
	free(s->mounts);
	strv_release(s->masked);
	strv_release(s->readonly_paths);
	strv_release(s->copy_up);
	for (size_t i = 0; i < s->ndevices; i++) {
		free(s->devices[i].path);
		free(s->devices[i].host);
	}
	free(s->devices);
	free(s->cgroups_path);
	cgroup_limits_release(&s->limits);
	memset(s, 0, sizeof(*s));
}
