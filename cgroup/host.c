/*
 * Discovering the cgroup layout from /proc, never from assumed paths: a v1
 * hierarchy may combine controllers (cpu,cpuacct) and be mounted anywhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "cgroup/cgroup.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/*
 * The caller's path in the hierarchy whose key is KEY, from SELF (the text
 * of /proc/self/cgroup, read once): lines "ID:KEY:PATH".
 */
static char *own_path(const char *self, const char *key)
{
	size_t kl = strlen(key);

	for (const char *l = self; l && *l;) {
		size_t n = strcspn(l, "\n");
		const char *ctl = memchr(l, ':', n), *path;

		if (ctl && (path = memchr(ctl + 1, ':', n - (size_t)(ctl + 1 - l))) &&
		    (size_t)(path - ctl - 1) == kl && !strncmp(ctl + 1, key, kl))
			return xstrndup(path + 1, n - (size_t)(path + 1 - l));
		l += n + (l[n] != '\0');
	}
	return NULL;
}

/* The directory for PATH in a hierarchy mounted at MNT with root MROOT. */
static char *join_mount(const char *mnt, const char *mroot, const char *path)
{
	size_t rl = strlen(mroot);

	if (!strcmp(mroot, "/"))
		rl = 0;
	else if (!strncmp(path, mroot, rl))
		path += rl;
	return xasprintf("%s%s", mnt, strcmp(path, "/") ? path : "");
}

static void add_ctrl(struct cgroup_host *h, const char *name, const char *dir,
		     const char *mnt, const char *mroot)
{
	struct cgroup_ctrl *c;

	h->ctrl = xrealloc(h->ctrl, (h->n + 1) * sizeof(*h->ctrl));
	c = &h->ctrl[h->n++];
	c->name = xstrdup(name);
	c->dir = xstrdup(dir);
	c->mnt = xstrdup(mnt);
	c->mroot = xstrdup(mroot);
	c->usable = access(dir, W_OK) == 0;
}

static void free_ctrl(struct cgroup_ctrl *c)
{
	free(c->name);
	free(c->dir);
	free(c->mnt);
	free(c->mroot);
}

/* A v1 mount: its super options name its controllers. */
static void add_v1(struct cgroup_host *h, const char *self, const char *mnt,
		   const char *mroot, char *opts)
{
	_cleanup_free_ char *path = NULL, *dir = NULL;
	char *save = NULL, *o;
	const char *key = opts;

	/* /proc/self/cgroup names a hierarchy by its options less rw/ro */
	if (!strncmp(key, "rw,", 3) || !strncmp(key, "ro,", 3))
		key += 3;
	path = own_path(self, key);
	if (!path)
		return;
	dir = join_mount(mnt, mroot, path);
	for (o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save))
		if (strcmp(o, "rw") && strcmp(o, "ro") && !strchr(o, '='))
			add_ctrl(h, o, dir, mnt, mroot);
}

static bool writable(const char *dir, const char *file)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", dir, file);

	return access(p, W_OK) == 0;
}

/* A cgroup2 mount: controllers are listed in cgroup.controllers. */
static void add_v2(struct cgroup_host *h, const char *self, const char *mnt,
		   const char *mroot)
{
	_cleanup_free_ char *path = own_path(self, "");
	_cleanup_free_ char *ctl = NULL;
	_cleanup_buf_ struct buf b = BUF_INIT;
	char *save = NULL, *c;

	if (!path || h->unified)
		return;
	h->unified = join_mount(mnt, mroot, path);
	h->unified_mnt = xstrdup(mnt);
	h->unified_mroot = xstrdup(mroot);
	h->unified_delegated = writable(h->unified, "cgroup.procs") &&
			       writable(h->unified, "cgroup.subtree_control");
	ctl = xasprintf("%s/cgroup.controllers", h->unified);
	if (read_file(AT_FDCWD, ctl, &b, 4096, NULL) < 0)
		return;
	buf_rtrim(&b);
	for (c = strtok_r(b.s, " ", &save); c; c = strtok_r(NULL, " ", &save))
		add_ctrl(h, c, h->unified, mnt, mroot);
}

/*
 * One mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS] - FSTYPE
 * SOURCE SUPEROPTS". Mount points with spaces are octal-escaped; cgroup
 * mounts never have them, so plain splitting is enough here.
 */
static void scan_mount(struct cgroup_host *h, const char *self, char *line)
{
	char *f[6] = { 0 }, *sep, *save = NULL, *fstype, *super;
	int i;

	sep = strstr(line, " - ");
	if (!sep)
		return;
	*sep = '\0';
	f[0] = strtok_r(line, " ", &save);
	for (i = 1; i < 6 && f[i - 1]; i++)
		f[i] = strtok_r(NULL, " ", &save);
	save = NULL;
	fstype = strtok_r(sep + 3, " ", &save);
	(void) strtok_r(NULL, " ", &save);
	super = strtok_r(NULL, " \n", &save);
	if (!f[4] || !fstype || !super)
		return;
	if (!strcmp(fstype, "cgroup"))
		add_v1(h, self, f[4], f[3], super);
	else if (!strcmp(fstype, "cgroup2"))
		add_v2(h, self, f[4], f[3]);
}

int cgroup_host_read(struct cgroup_host *h, struct err **e)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL;
	_cleanup_buf_ struct buf self = BUF_INIT;
	size_t cap = 0;
	struct statfs sf;
	const char *forced;
	bool rescan_v2 = false;

	memset(h, 0, sizeof(*h));
	if (!f)
		return err_make(e, errno, "open '/proc/self/mountinfo'");
	/* the caller's own cgroups, read once for every hierarchy */
	(void) read_file(AT_FDCWD, "/proc/self/cgroup", &self, 1 << 16, NULL);
	while (getline(&line, &cap, f) > 0)
		scan_mount(h, self.s, line);
	if (statfs("/sys/fs/cgroup", &sf) == 0 &&
	    sf.f_type == CGROUP2_SUPER_MAGIC)
		h->version = 2;
	else if (h->n || h->unified)
		h->version = 1;
	h->hybrid = h->version == 1 && h->unified;
	forced = getenv("HUSK_CGROUP_VERSION");
	if (forced && !strcmp(forced, "2") && h->hybrid) {
		/* the v2 backend on the cgroup2 mount beside v1: its
		 * controllers (none, usually) are the only ones */
		for (size_t i = 0; i < h->n; i++)
			free_ctrl(&h->ctrl[i]);
		h->n = 0;
		h->version = 2;
		h->hybrid = false;
		rescan_v2 = true;
	}
	if (!h->version)
		return err_make(e, 0, "no cgroup filesystem is mounted");
	if (rescan_v2) {
		_cleanup_free_ char *mnt = xstrdup(h->unified_mnt);
		_cleanup_free_ char *mroot = xstrdup(h->unified_mroot);

		free(h->unified);
		free(h->unified_mnt);
		free(h->unified_mroot);
		h->unified = h->unified_mnt = h->unified_mroot = NULL;
		add_v2(h, self.s, mnt, mroot);
	}
	return 0;
}

void cgroup_host_release(struct cgroup_host *h)
{
	for (size_t i = 0; i < h->n; i++)
		free_ctrl(&h->ctrl[i]);
	free(h->ctrl);
	free(h->unified);
	free(h->unified_mnt);
	free(h->unified_mroot);
	memset(h, 0, sizeof(*h));
}

bool cgroup_v2_host(void)
{
	const char *forced = getenv("HUSK_CGROUP_VERSION");
	struct statfs sf;

	if (forced && !strcmp(forced, "2"))
		return true;
	return statfs("/sys/fs/cgroup", &sf) == 0 &&
	       sf.f_type == CGROUP2_SUPER_MAGIC;
}
