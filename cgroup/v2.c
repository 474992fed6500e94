/*
 * v2.c - the cgroup v2 backend.
 *
 * A v2 cgroup is one directory (cg->path). A limit's file exists only
 * when the parent enabled its controller in cgroup.subtree_control
 * (cgroup/cgroup.c's job); when it is missing the warning says which
 * controller is not enabled where. Device rules are a BPF program
 * (cgroup/bpf.c), freezing is cgroup.freeze and killing cgroup.kill.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cgroup/internal.h"
#include "lib/parse.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* Whether CTRL is in DIR/cgroup.controllers (what the parent enabled). */
static bool ctrl_enabled(const char *dir, const char *ctrl)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	char *tok, *save = NULL;

	if (cg_read(dir, "cgroup.controllers", &b, NULL) < 0)
		return false;
	for (tok = strtok_r(b.s, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save))
		if (!strcmp(tok, ctrl))
			return true;
	return false;
}

/*
 * The warning for FLAG when FILE is missing: the controller is not
 * enabled for the cgroup, or (it is, and) the host lacks the file, WHY
 * saying what that means (NULL: just that).
 */
static void missing(const struct cgroup *cg, const char *ctrl, const char *file,
		    const char *flag, const char *why, cgroup_warnings *w)
{
	_cleanup_free_ char *parent = xstrdup(cg->path);
	char *slash = strrchr(parent, '/');

	if (slash && slash != parent)
		*slash = '\0';
	if (!ctrl_enabled(cg->path, ctrl))
		cg_warn(w,
			"%s is ignored: the %s controller is not enabled in "
			"%s (cgroup.subtree_control)",
			flag, ctrl, parent);
	else if (why)
		cg_warn(w, "%s is ignored: %s (%s)", flag, why, file);
	else
		cg_warn(w, "%s is ignored: %s does not exist on this host",
			flag, file);
}

/* VAL into FILE when SET, a warning for FLAG when the file is missing. */
static int set_one(const struct cgroup *cg, const char *ctrl, const char *file,
		   const char *flag, bool set, const char *val,
		   cgroup_warnings *w, struct err **e)
{
	int r;

	if (!set)
		return 0;
	r = cg_put(cg->path, file, val, e);
	if (r == 0)
		missing(cg, ctrl, file, flag, NULL, w);
	return r < 0 ? r : 0;
}

static char *num_or_max(int64_t v)
{
	return v < 0 ? xstrdup("max") : xasprintf("%" PRId64, v);
}

/* memory.swap.max counts swap alone, the spec's swap memory + swap. */
static int set_memory(const struct cgroup *cg, const struct cgroup_limits *l,
		      cgroup_warnings *w, struct err **e)
{
	_cleanup_free_ char *mem = num_or_max(l->memory);
	_cleanup_free_ char *low = num_or_max(l->memory_reservation);
	_cleanup_free_ char *swap =
	    num_or_max(l->memory_swap < 0 ? -1 : l->memory_swap - l->memory);
	int r;

	if (set_one(cg, "memory", "memory.max", "--memory", l->memory, mem, w,
		    e) < 0)
		return -1;
	if (l->memory_swap) {
		r = cg_put(cg->path, "memory.swap.max", swap, e);
		if (r < 0)
			return r;
		if (r == 0)
			missing(cg, "memory", "memory.swap.max",
				"--memory-swap",
				"the host has no swap accounting", w);
	}
	return set_one(cg, "memory", "memory.low", "--memory-reservation",
		       l->memory_reservation, low, w, e);
}

/*
 * cpu.max is "QUOTA PERIOD" in one file. Of the two, the one not given
 * keeps its value on an update, and is the kernel's default ("max",
 * 100000) on a new cgroup.
 */
static char *cpu_max(const struct cgroup *cg, const struct cgroup_limits *l,
		     bool update)
{
	_cleanup_buf_ struct buf cur = BUF_INIT;
	_cleanup_free_ char *quota = xstrdup("max");
	uint64_t period = 100000;

	if (update && cg_read(cg->path, "cpu.max", &cur, NULL) == 0) {
		char *sp;

		buf_rtrim(&cur);
		sp = strchr(cur.s, ' ');
		if (sp) {
			*sp = '\0';
			free(quota);
			quota = xstrdup(cur.s);
			if (parse_uint64(sp + 1, 1, UINT64_MAX, &period, NULL) <
			    0)
				period = 100000;
		}
	}
	if (l->cpu_quota) {
		free(quota);
		quota = num_or_max(l->cpu_quota);
	}
	if (l->cpu_period)
		period = l->cpu_period;
	return xasprintf("%s %" PRIu64, quota, period);
}

/* shares 2..262144 onto weight 1..10000, as runc and crun map them */
static int set_cpu(const struct cgroup *cg, const struct cgroup_limits *l,
		   bool update, cgroup_warnings *w, struct err **e)
{
	_cleanup_free_ char *weight = NULL, *max = NULL;

	if (l->cpu_shares)
		weight = xasprintf("%" PRIu64,
				   1 + ((l->cpu_shares - 2) * 9999) / 262142);
	if (l->cpu_quota || l->cpu_period)
		max = cpu_max(cg, l, update);
	if (set_one(cg, "cpu", "cpu.weight", "--cpu-shares", weight, weight, w,
		    e) < 0 ||
	    set_one(cg, "cpu", "cpu.max",
		    l->cpu_quota ? "--cpus" : "--cpu-period", max, max, w,
		    e) < 0 ||
	    set_one(cg, "cpuset", "cpuset.cpus", "--cpuset-cpus",
		    l->cpuset_cpus, l->cpuset_cpus, w, e) < 0 ||
	    set_one(cg, "cpuset", "cpuset.mems", "--cpuset-mems",
		    l->cpuset_mems, l->cpuset_mems, w, e) < 0)
		return -1;
	return 0;
}

/*
 * BFQ's io.bfq.weight takes the v1 weight (10..1000) as it is; iocost's
 * io.weight wants 1..10000 (runc's order and mapping).
 */
static int set_io(const struct cgroup *cg, const struct cgroup_limits *l,
		  cgroup_warnings *w, struct err **e)
{
	unsigned bw = l->blkio_weight;
	_cleanup_free_ char *bfq = NULL, *iow = NULL;
	int r;

	if (!bw)
		return 0;
	bfq = xasprintf("%u", bw);
	iow = xasprintf("default %u", 1 + (bw - 10) * 9999 / 990);
	r = cg_put(cg->path, "io.bfq.weight", bfq, e);
	if (r == 0)
		r = cg_put(cg->path, "io.weight", iow, e);
	if (r == 0)
		missing(cg, "io", "io.weight", "--blkio-weight",
			"the I/O scheduler has no weights", w);
	return r < 0 ? r : 0;
}

/* Without CAP_SYS_ADMIN (rootless, a user namespace) the program cannot
 * be loaded: the container runs with the host's device access, which a
 * rootless caller cannot widen anyway. */
static int set_devices(const struct cgroup *cg, const struct cgroup_limits *l,
		       cgroup_warnings *w, struct err **e)
{
	_cleanup_close_ int fd =
	    open(cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct err *err = NULL;

	if (fd < 0)
		return err_make(e, errno, "cannot open the cgroup %s",
				cg->path);
	if (cgroup_bpf_devices(fd, l->devices, l->ndevices, &err) >= 0)
		return 0;
	if (err && (err->errnum == EPERM || err->errnum == EACCES ||
		    err->errnum == ENOSYS)) {
		cg_warn(w, "device rules are not applied: %s", err->msg);
		err_free(err);
		return 0;
	}
	if (!err)
		return err_cause(e, EIO, "cannot apply the device rules to %s",
				 cg->path);
	return cg_give(e, err);
}

static int v2_set(const struct cgroup *cg, const struct cgroup_limits *l,
		  bool update, cgroup_warnings *w, struct err **e)
{
	_cleanup_free_ char *pids = num_or_max(l->pids);

	if (set_memory(cg, l, w, e) < 0 || set_cpu(cg, l, update, w, e) < 0 ||
	    set_one(cg, "pids", "pids.max", "--pids-limit", l->pids, pids, w,
		    e) < 0 ||
	    set_io(cg, l, w, e) < 0)
		return -1;
	if (l->has_devices && !update)
		return set_devices(cg, l, w, e);
	return 0;
}

static int v2_mkdirs(const struct cgroup *cg, struct err **e)
{
	if (mkdir(cg->path, 0755) < 0 && errno != EEXIST)
		return err_make(e, errno, "cannot create the cgroup %s",
				cg->path);
	return 0;
}

/*
 * cgroup.freeze asks; the "frozen" key of cgroup.events says when every
 * task has stopped. A freeze that does not finish in 2 s is undone, so
 * the cgroup is not left to freeze behind the caller's back.
 */
static int v2_freeze(const struct cgroup *cg, bool freeze, struct err **e)
{
	const struct timespec ms = {0, 1000 * 1000};
	uint64_t start = cg_now_ms(), frozen = 0;

	if (cg_write(cg->path, "cgroup.freeze", freeze ? "1" : "0", e) < 0)
		return -1;
	for (;;) {
		if (cg_read_key(cg->path, "cgroup.events", "frozen", &frozen) <
		    0)
			return err_cause(e, EIO,
					 "cannot read the state of the cgroup "
					 "%s (cgroup.events)",
					 cg->path);
		if (frozen == (freeze ? 1 : 0))
			return 0;
		if (cg_now_ms() - start >= 2000)
			break;
		(void) nanosleep(&ms, NULL);
	}
	if (freeze)
		(void) cg_write(cg->path, "cgroup.freeze", "0", NULL);
	return err_cause(
	    e, ETIMEDOUT, "cannot %s the cgroup %s: not %s after 2 s",
	    freeze ? "freeze" : "thaw", cg->path, freeze ? "frozen" : "thawed");
}

/* Sums the rbytes= and wbytes= of each "MAJ:MIN rbytes=N wbytes=N ..." */
static void io_bytes(const char *dir, uint64_t *rd, uint64_t *wr)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	char *tok, *save = NULL;

	if (cg_read(dir, "io.stat", &b, NULL) < 0)
		return;
	for (tok = strtok_r(b.s, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save)) {
		uint64_t n;

		if (!strncmp(tok, "rbytes=", 7) &&
		    parse_uint64(tok + 7, 0, UINT64_MAX, &n, NULL) == 0)
			*rd += n;
		else if (!strncmp(tok, "wbytes=", 7) &&
			 parse_uint64(tok + 7, 0, UINT64_MAX, &n, NULL) == 0)
			*wr += n;
	}
}

/* What cannot be read stays 0 (a controller that is not enabled). */
static int v2_stats(const struct cgroup *cg, struct cgroup_stats *st,
		    struct err **e)
{
	const char *dir = cg->path;
	uint64_t v = 0, inactive = 0;

	memset(st, 0, sizeof(*st));
	if (cg_read_key(dir, "cpu.stat", "usage_usec", &v) == 0 &&
	    v <= UINT64_MAX / 1000)
		st->cpu_ns = v * 1000;
	if (cg_read_u64(dir, "memory.current", &v) == 0) {
		if (cg_read_key(dir, "memory.stat", "inactive_file",
				&inactive) < 0)
			inactive = 0;
		st->mem_usage = v > inactive ? v - inactive : 0;
	}
	if (cg_read_u64(dir, "memory.max", &v) == 0 && v != UINT64_MAX)
		st->mem_limit = v;
	if (cg_read_u64(dir, "pids.current", &v) == 0)
		st->pids = v;
	io_bytes(dir, &st->blk_read, &st->blk_write);
	return 0;
}

static uint64_t v2_oom_kills(const struct cgroup *cg)
{
	uint64_t n = 0;

	if (cg_read_key(cg->path, "memory.events", "oom_kill", &n) < 0)
		return 0;
	return n;
}

/*
 * cgroup.kill (5.14) kills the whole subtree at once, forks included.
 * Before it: freeze, kill what is listed (SIGKILL reaches frozen tasks
 * on v2), thaw.
 */
static void v2_kill(const struct cgroup *cg)
{
	struct err *err = NULL;
	bool fallback;

	if (cg_write(cg->path, "cgroup.kill", "1", &err) >= 0)
		return;
	fallback = err->errnum == ENOENT;
	err_free(err);
	if (!fallback)
		return;
	(void) v2_freeze(cg, true, NULL);
	cg_kill_listed(cg->path);
	(void) v2_freeze(cg, false, NULL);
}

/*
 * The container may have made cgroups of its own below its cgroup (a
 * private cgroup namespace lets it): those go first, deepest first. Only
 * directories are descended into; cgroupfs has no other kind of entry
 * that rmdir would care about.
 */
static int rmdir_tree(const char *dir, int depth, struct err **e)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return errno == ENOENT
			   ? 0
			   : err_make(e, errno, "cannot open %s", dir);
	while (depth < 64 && (de = readdir(d))) {
		_cleanup_free_ char *sub = NULL;

		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, ".."))
			continue;
		sub = xasprintf("%s/%s", dir, de->d_name);
		if (rmdir_tree(sub, depth + 1, e) < 0)
			return -1;
	}
	return cg_rmdir(dir, 1000, e);
}

static int v2_rmdirs(const struct cgroup *cg, struct err **e)
{
	return rmdir_tree(cg->path, 0, e);
}

const struct cgroup_ops cgroup_v2_ops = {
    .mkdirs = v2_mkdirs,
    .set = v2_set,
    .freeze = v2_freeze,
    .stats = v2_stats,
    .oom_kills = v2_oom_kills,
    .kill = v2_kill,
    .rmdirs = v2_rmdirs,
};
