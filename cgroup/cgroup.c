/*
 * A container's cgroup: where it goes, making it, and the calls that
 * dispatch to the v1 or v2 backend (cgroup/v1.c, cgroup/v2.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup/internal.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* The v1 controllers husk uses (hugetlb and named hierarchies: never). */
static const char *const v1_ctrls[] = {
	"cpu", "cpuacct", "cpuset", "memory", "pids", "blkio", "freezer",
	"devices",
};

/* The v2 controllers a container's cgroup gets, where the parent has them */
static const char *const v2_ctrls[] = { "cpu", "cpuset", "io", "memory",
					"pids" };

static const struct cgroup_ops *ops_of(const struct cgroup *cg)
{
	return cg->version == 2 ? &cgroup_v2_ops : &cgroup_v1_ops;
}

/* A cgroupsPath: no "..", no "." and no empty component but the ends. */
static bool path_valid(const char *p)
{
	const char *c = p;

	if (!*p)
		return false;
	while (*c) {
		size_t n;

		while (*c == '/')
			c++;
		n = strcspn(c, "/");
		if ((n == 1 && c[0] == '.') || (n == 2 && !strncmp(c, "..", 2)))
			return false;
		c += n;
	}
	return true;
}

/*
 * The directory of PATH in a hierarchy mounted at MNT (whose root is
 * MROOT) for a caller whose own cgroup there is OWN. NULL when an
 * absolute PATH lies outside what the mount shows.
 */
static char *place(const char *own, const char *mnt, const char *mroot,
		   const char *path)
{
	size_t rl = strlen(mroot);

	if (path[0] != '/')
		return xasprintf("%s/%s", own, path);
	if (strcmp(mroot, "/")) {
		if (strncmp(path, mroot, rl) || (path[rl] && path[rl] != '/'))
			return NULL;
		path += rl;
	}
	return xasprintf("%s%s", strcmp(mnt, "/") ? mnt : "", path);
}

static void add_dir(struct cgroup *cg, const char *ctrl, const char *dir)
{
	cg->dirs = xrealloc(cg->dirs, (cg->ndirs + 1) * sizeof(*cg->dirs));
	cg->dirs[cg->ndirs].ctrl = xstrdup(ctrl);
	cg->dirs[cg->ndirs++].dir = xstrdup(dir);
}

static bool v1_wanted(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(v1_ctrls); i++)
		if (!strcmp(name, v1_ctrls[i]))
			return true;
	return false;
}

static void no_cgroup_warning(const struct cgroup_limits *l, const char *why,
			      cgroup_warnings *w)
{
	if (cgroup_limits_any(l))
		cg_warn(w, "resource limits are ignored: %s", why);
}

/* mkdir -p of DIR's parents (never DIR itself); usually they exist */
static int make_parents(const char *dir, struct err **e)
{
	_cleanup_free_ char *p = xstrdup(dir);
	char *slash = strrchr(p, '/');

	if (!slash || slash == p)
		return 0;
	*slash = '\0';
	if (access(p, F_OK) == 0)
		return 0;
	for (char *c = p + 1;; c++) {
		bool last;

		if (*c && *c != '/')
			continue;
		last = !*c;
		*c = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return err_make(e, errno, "cannot create the cgroup %s",
					p);
		if (last)
			return 0;
		*c = '/';
	}
}

static int create_v1(const struct cgroup_host *h, const char *path,
		     bool rootless, struct cgroup *cg, cgroup_warnings *w,
		     const struct cgroup_limits *l, struct err **e)
{
	if (rootless) {
		no_cgroup_warning(l, "rootless containers get no cgroup on "
				  "cgroup v1; boot the host with cgroup v2 "
				  "(systemd.unified_cgroup_hierarchy=1) and "
				  "use a delegated session (systemd "
				  "Delegate=yes)", w);
		return 0;
	}
	for (size_t i = 0; i < h->n; i++) {
		const struct cgroup_ctrl *c = &h->ctrl[i];
		_cleanup_free_ char *dir = NULL;

		if (!v1_wanted(c->name) || !c->usable)
			continue;
		dir = place(c->dir, c->mnt, c->mroot, path);
		if (!dir)
			return err_make(e, EINVAL, "the cgroup '%s' is outside "
					"the %s hierarchy mounted at %s", path,
					c->name, c->mnt);
		add_dir(cg, c->name, dir);
	}
	if (!cg->ndirs) {
		no_cgroup_warning(l, "no cgroup v1 controller is writable here",
				  w);
		return 0;
	}
	/* the backend's mkdirs makes missing parents (cpuset: filled) */
	cg->version = 1;
	cg->path = xstrdup(path);
	return 1;
}

/* Whether WORD is one of the space-separated words of B. */
static bool has_word(const char *b, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = b; (p = strstr(p, word)); p += n)
		if ((p == b || p[-1] == ' ') && (!p[n] || p[n] == ' ' ||
						 p[n] == '\n'))
			return true;
	return false;
}

static int write_subtree(const char *parent, const char *want,
			 struct err **e)
{
	return cg_write(parent, "cgroup.subtree_control", want, e);
}

/*
 * The v2 rule: PARENT's children get controllers only through PARENT's
 * cgroup.subtree_control, which a cgroup holding processes cannot have.
 * When PARENT is the caller's own cgroup (OWN_PARENT), the caller moves to
 * the leaf PARENT/husk-leaf first. What cannot be enabled is left to the
 * backend's warnings (a limit whose file is missing).
 */
static void enable_v2(const char *parent, bool own_parent)
{
	_cleanup_buf_ struct buf avail = BUF_INIT, on = BUF_INIT,
				 want = BUF_INIT;
	_cleanup_err_ struct err *e = NULL;
	_cleanup_free_ char *leaf = NULL;

	if (cg_read(parent, "cgroup.controllers", &avail, NULL) < 0 ||
	    cg_read(parent, "cgroup.subtree_control", &on, NULL) < 0)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(v2_ctrls); i++)
		if (has_word(avail.s, v2_ctrls[i]) &&
		    !has_word(on.s, v2_ctrls[i]))
			buf_addf(&want, "%s+%s", want.len ? " " : "",
				 v2_ctrls[i]);
	if (!want.len || write_subtree(parent, want.s, &e) == 0 ||
	    e->errnum != EBUSY || !own_parent)
		return;
	err_freep(&e);
	leaf = xasprintf("%s/husk-leaf", parent);
	if ((mkdir(leaf, 0755) < 0 && errno != EEXIST) ||
	    cg_write(leaf, "cgroup.procs", "0", NULL) < 0)
		return;
	(void) write_subtree(parent, want.s, NULL);
}

static int create_v2(const struct cgroup_host *h, const char *path,
		     bool rootless, struct cgroup *cg, cgroup_warnings *w,
		     const struct cgroup_limits *l, struct err **e)
{
	_cleanup_free_ char *dir = NULL, *parent = NULL;
	char *slash;

	if (!h->unified)
		return err_make(e, ENOENT, "no cgroup2 filesystem is mounted");
	dir = place(h->unified, h->unified_mnt, h->unified_mroot, path);
	if (!dir)
		return err_make(e, EINVAL, "the cgroup '%s' is outside the "
				"cgroup2 mount %s", path, h->unified_mnt);
	parent = xstrdup(dir);
	slash = strrchr(parent, '/');
	*slash = '\0';
	if (path[0] != '/' && !strchr(path, '/') && rootless &&
	    !h->unified_delegated) {
		no_cgroup_warning(l, "this user's cgroup is not delegated to "
				  "it (run in a systemd session or unit with "
				  "Delegate=yes)", w);
		return 0;
	}
	if (make_parents(dir, e) < 0)
		return -1;
	if (access(parent, W_OK) < 0) {
		if (!rootless)
			return err_make(e, errno, "cannot create a cgroup in %s",
					parent);
		no_cgroup_warning(l, "the cgroup is not writable for this user",
				  w);
		return 0;
	}
	enable_v2(parent, path[0] != '/' && !strchr(path, '/'));
	cg->version = 2;
	cg->path = TAKE_PTR(dir);
	return 1;
}

int cgroup_create(const struct cgroup_host *h, const char *path,
		  const struct cgroup_limits *l, bool rootless,
		  struct cgroup *out, cgroup_warnings *warn, struct err **e)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (!path_valid(path))
		return err_make(e, EINVAL, "invalid cgroup path '%s'", path);
	rc = h->version == 2 ? create_v2(h, path, rootless, out, warn, l, e)
			     : create_v1(h, path, rootless, out, warn, l, e);
	if (rc <= 0) {
		cgroup_release(out);
		return rc;
	}
	if (ops_of(out)->mkdirs(out, e) < 0 ||
	    ops_of(out)->set(out, l, false, warn, e) < 0) {
		(void) ops_of(out)->rmdirs(out, NULL);
		cgroup_release(out);
		return -1;
	}
	return 1;
}

bool cgroup_has_devices(const struct cgroup *cg)
{
	return cg->version == 2 || (cg->version == 1 && cg_v1_dir(cg, "devices"));
}

int cgroup_update(const struct cgroup *cg, const struct cgroup_limits *l,
		  cgroup_warnings *warn, struct err **e)
{
	return ops_of(cg)->set(cg, l, true, warn, e);
}

int cgroup_open_procs(const struct cgroup *cg, int **fds, size_t *n,
		      struct err **e)
{
	*fds = NULL;
	*n = 0;
	if (cg->version == 2) {
		*fds = xcalloc(1, sizeof(int));
		(*fds)[0] = -1;
	} else {
		*fds = xcalloc(cg->ndirs + 1, sizeof(int));
	}
	for (size_t i = 0; i < (cg->version == 2 ? 1 : cg->ndirs); i++) {
		const char *dir = cg->version == 2 ? cg->path : cg->dirs[i].dir;
		_cleanup_free_ char *p = xasprintf("%s/cgroup.procs", dir);
		bool seen = false;

		/* a co-mounted hierarchy is joined once */
		for (size_t j = 0; j < i && cg->version == 1; j++)
			seen |= !strcmp(cg->dirs[j].dir, dir);
		if (seen)
			continue;
		(*fds)[*n] = open(p, O_WRONLY | O_CLOEXEC);
		if ((*fds)[*n] < 0) {
			int err = errno;

			cgroup_close_fds(*fds, *n);
			*fds = NULL;
			*n = 0;
			return err_make(e, err, "cannot open %s", p);
		}
		(*n)++;
	}
	return 0;
}

int cgroup_join_fds(const int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (write(fds[i], "0", 1) != 1)
			return -1;
	return 0;
}

void cgroup_close_fds(int *fds, size_t n)
{
	for (size_t i = 0; fds && i < n; i++)
		if (fds[i] >= 0)
			(void) close(fds[i]);
	free(fds);
}

int cgroup_freeze(const struct cgroup *cg, bool freeze, struct err **e)
{
	return ops_of(cg)->freeze(cg, freeze, e);
}

int cgroup_stats(const struct cgroup *cg, struct cgroup_stats *st,
		 struct err **e)
{
	memset(st, 0, sizeof(*st));
	return ops_of(cg)->stats(cg, st, e);
}

uint64_t cgroup_oom_kills(const struct cgroup *cg)
{
	return cg->version ? ops_of(cg)->oom_kills(cg) : 0;
}

void cgroup_kill(const struct cgroup *cg)
{
	if (cg->version)
		ops_of(cg)->kill(cg);
}

/* One rmdir of each directory: false when one still has processes. */
static bool rmdir_now(const struct cgroup *cg)
{
	bool busy = false;

	if (cg->version == 2)
		return rmdir(cg->path) == 0 || errno == ENOENT;
	for (size_t i = 0; i < cg->ndirs; i++)
		if (rmdir(cg->dirs[i].dir) < 0 && errno != ENOENT)
			busy = true;
	return !busy;
}

int cgroup_destroy(struct cgroup *cg, struct err **e)
{
	int rc = 0;

	/* the usual case: the container is gone, the cgroups are empty;
	 * else what is left (another pid namespace's) is killed first */
	if (cg->version && !rmdir_now(cg)) {
		ops_of(cg)->kill(cg);
		rc = ops_of(cg)->rmdirs(cg, e);
	}
	cgroup_release(cg);
	return rc;
}

/* ---- the record ---------------------------------------------------------- */

cJSON *cgroup_to_json(const struct cgroup *cg)
{
	cJSON *o = cJSON_CreateObject(), *d;

	cJSON_AddNumberToObject(o, "version", cg->version);
	cJSON_AddStringToObject(o, "path", cg->path ? cg->path : "");
	if (cg->version != 1)
		return o;
	d = cJSON_AddObjectToObject(o, "dirs");
	for (size_t i = 0; i < cg->ndirs; i++)
		cJSON_AddStringToObject(d, cg->dirs[i].ctrl, cg->dirs[i].dir);
	return o;
}

/* Only a directory husk made: "/sys/fs/cgroup/.../husk-ID" style names. */
static bool ours(const char *dir)
{
	const char *base = strrchr(dir, '/');

	return dir[0] == '/' && base && !strncmp(base + 1, "husk-", 5) &&
	       !strstr(dir, "/../") && strcmp(base + 1, "husk-leaf");
}

int cgroup_from_json(const cJSON *j, struct cgroup *cg)
{
	int64_t v;
	const cJSON *d;

	memset(cg, 0, sizeof(*cg));
	if (json_int64(j, "version", &v) < 0 || (v != 1 && v != 2) ||
	    !json_str(j, "path"))
		return -1;
	cg->version = (int)v;
	cg->path = xstrdup(json_str(j, "path"));
	if (v == 2) {
		if (!ours(cg->path))
			goto bad;
		return 0;
	}
	cJSON_ArrayForEach(d, json_obj(j, "dirs")) {
		if (!cJSON_IsString(d) || !ours(d->valuestring))
			goto bad;
		add_dir(cg, d->string, d->valuestring);
	}
	return 0;
bad:
	cgroup_release(cg);
	return -1;
}

void cgroup_release(struct cgroup *cg)
{
	free(cg->path);
	for (size_t i = 0; i < cg->ndirs; i++) {
		free(cg->dirs[i].ctrl);
		free(cg->dirs[i].dir);
	}
	free(cg->dirs);
	memset(cg, 0, sizeof(*cg));
}
