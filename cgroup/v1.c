/*
 * v1.c - the cgroup v1 backend.
 *
 * A v1 cgroup is one directory per hierarchy (cg->dirs: controller name
 * to directory). Co-mounted controllers ("cpu,cpuacct") list the same
 * directory under each name; it is created, emptied and removed once.
 * Each limit goes to its controller's own file; what the host lacks (a
 * hierarchy, swap accounting, blkio weights) becomes one warning line.
 */
#include <errno.h>
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

/* v1's "no limit" is PAGE_COUNTER_MAX pages (9223372036854771712 with 4k
 * pages): anything this large is none. */
#define V1_UNLIMITED (UINT64_C(1) << 62)

const char *cg_v1_dir(const struct cgroup *cg, const char *ctrl)
{
	for (size_t i = 0; i < cg->ndirs; i++)
		if (!strcmp(cg->dirs[i].ctrl, ctrl))
			return cg->dirs[i].dir;
	return NULL;
}

/* Whether dirs[I] is the first entry with its directory. */
static bool first_of_dir(const struct cgroup *cg, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (!strcmp(cg->dirs[j].dir, cg->dirs[i].dir))
			return false;
	return true;
}

/* cg_put(), with a warning for FLAG when the host lacks the file. */
static int put_warn(const char *dir, const char *file, const char *val,
		    const char *flag, cgroup_warnings *w, struct err **e)
{
	int r = cg_put(dir, file, val, e);

	if (r == 0)
		cg_warn(w, "%s is ignored: %s does not exist on this host",
			flag, file);
	return r < 0 ? r : 0;
}

/* CTRL's directory, or NULL after a warning for FLAG. */
static const char *dir_or_warn(const struct cgroup *cg, const char *ctrl,
			       const char *flag, cgroup_warnings *w)
{
	const char *dir = cg_v1_dir(cg, ctrl);

	if (!dir)
		cg_warn(w, "%s is ignored: no %s cgroup hierarchy is mounted",
			flag, ctrl);
	return dir;
}

/*
 * A new cpuset cgroup starts with empty cpus and mems, and moving a
 * process into it fails with ENOSPC: it gets its parent's (runc and crun
 * do the same; cgroup.clone_children would do it too, but it is a setting
 * of the parent, which husk does not own). A file that cannot be read is
 * left alone: the host names them differently (noprefix) or not at all.
 */
static int cpuset_inherit(const char *dir, struct err **e)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
	_cleanup_free_ char *parent = xstrdup(dir);
	char *slash = strrchr(parent, '/');

	if (!slash || slash == parent)
		return 0;
	*slash = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_buf_ struct buf cur = BUF_INIT, up = BUF_INIT;

		if (cg_read(dir, files[i], &cur, NULL) < 0)
			continue;
		buf_rtrim(&cur);
		if (cur.len || cg_read(parent, files[i], &up, NULL) < 0)
			continue;
		buf_rtrim(&up);
		if (up.len && cg_write(dir, files[i], up.s, e) < 0)
			return -1;
	}
	return 0;
}

/*
 * `mkdir -p DIR`. In the cpuset hierarchy each directory made here, and
 * DIR itself, gets its parent's cpus and mems, top down, so that the
 * copy never comes from an empty parent husk made. Directories husk did
 * not make are never written to.
 */
static int mkdir_cgroup(const char *dir, bool cpuset, struct err **e)
{
	_cleanup_free_ char *p = NULL;

	/* the usual case: the parent exists (husk's own cgroup) */
	if (mkdir(dir, 0755) == 0)
		return cpuset ? cpuset_inherit(dir, e) : 0;
	if (errno != ENOENT && errno != EEXIST)
		return err_make(e, errno, "cannot create the cgroup %s", dir);
	p = xstrdup(dir);

	for (char *s = p + 1;; s++) {
		char c = *s;
		bool made;

		if (c != '/' && c != '\0')
			continue;
		if (s[-1] == '/' && c == '/')
			continue;
		*s = '\0';
		made = mkdir(p, 0755) == 0;
		if (!made && errno != EEXIST)
			return err_make(e, errno, "cannot create the cgroup %s",
					p);
		if (cpuset && (made || !c) && cpuset_inherit(p, e) < 0)
			return -1;
		*s = c;
		if (!c)
			return 0;
	}
}

static int v1_mkdirs(const struct cgroup *cg, struct err **e)
{
	const char *cpuset = cg_v1_dir(cg, "cpuset");

	for (size_t i = 0; i < cg->ndirs; i++) {
		const char *dir = cg->dirs[i].dir;

		if (first_of_dir(cg, i) &&
		    mkdir_cgroup(dir, cpuset && !strcmp(dir, cpuset), e) < 0)
			return -1;
	}
	return 0;
}

static int set_swap(const char *dir, const struct cgroup_limits *l,
		    cgroup_warnings *w, struct err **e)
{
	_cleanup_free_ char *v = xasprintf("%" PRId64, l->memory_swap);
	int r = cg_put(dir, "memory.memsw.limit_in_bytes", v, e);

	if (r == 0)
		cg_warn(w, "--memory-swap is ignored: the host has no swap "
			   "accounting (memory.memsw.limit_in_bytes)");
	return r < 0 ? r : 0;
}

/*
 * The kernel keeps memory <= memsw at every step. A new cgroup has both
 * unlimited, so memory goes first; an update that raises memory above
 * the current memsw is refused with EINVAL, and then memsw goes first.
 */
static int set_memory(const struct cgroup *cg, const struct cgroup_limits *l,
		      bool update, cgroup_warnings *w, struct err **e)
{
	_cleanup_free_ char *mem = xasprintf("%" PRId64, l->memory);
	struct err *err = NULL;
	const char *dir = cg_v1_dir(cg, "memory");
	bool swap_done = false;
	int r;

	if (!dir) {
		if (l->memory)
			(void) dir_or_warn(cg, "memory", "--memory", w);
		if (l->memory_swap)
			(void) dir_or_warn(cg, "memory", "--memory-swap", w);
		if (l->memory_reservation)
			(void) dir_or_warn(cg, "memory", "--memory-reservation",
					   w);
		return 0;
	}
	if (l->memory) {
		r = cg_put(dir, "memory.limit_in_bytes", mem, &err);
		if (r < 0 && update && l->memory_swap &&
		    err->errnum == EINVAL) {
			err_free(TAKE_PTR(err));
			if (set_swap(dir, l, w, e) < 0)
				return -1;
			swap_done = true;
			r = cg_put(dir, "memory.limit_in_bytes", mem, &err);
		}
		if (r < 0)
			return cg_give(e, err);
		if (r == 0)
			cg_warn(w,
				"--memory is ignored: "
				"memory.limit_in_bytes does not exist on this "
				"host");
	}
	if (l->memory_swap && !swap_done && set_swap(dir, l, w, e) < 0)
		return -1;
	if (l->memory_reservation) {
		_cleanup_free_ char *v =
		    xasprintf("%" PRId64, l->memory_reservation);

		return put_warn(dir, "memory.soft_limit_in_bytes", v,
				"--memory-reservation", w, e);
	}
	return 0;
}

/* One value into CTRL's FILE when SET. */
static int set_one(const struct cgroup *cg, const char *ctrl, const char *file,
		   const char *flag, bool set, const char *val,
		   cgroup_warnings *w, struct err **e)
{
	const char *dir;

	if (!set || !(dir = dir_or_warn(cg, ctrl, flag, w)))
		return 0;
	return put_warn(dir, file, val, flag, w, e);
}

static int set_cpu(const struct cgroup *cg, const struct cgroup_limits *l,
		   cgroup_warnings *w, struct err **e)
{
	_cleanup_free_ char *shares = xasprintf("%" PRIu64, l->cpu_shares);
	_cleanup_free_ char *period = xasprintf("%" PRIu64, l->cpu_period);
	_cleanup_free_ char *quota = xasprintf("%" PRId64, l->cpu_quota);

	if (set_one(cg, "cpu", "cpu.shares", "--cpu-shares", l->cpu_shares,
		    shares, w, e) < 0 ||
	    set_one(cg, "cpu", "cpu.cfs_period_us", "--cpu-period",
		    l->cpu_period, period, w, e) < 0 ||
	    set_one(cg, "cpu", "cpu.cfs_quota_us", "--cpus", l->cpu_quota,
		    quota, w, e) < 0 ||
	    set_one(cg, "cpuset", "cpuset.cpus", "--cpuset-cpus",
		    l->cpuset_cpus, l->cpuset_cpus, w, e) < 0 ||
	    set_one(cg, "cpuset", "cpuset.mems", "--cpuset-mems",
		    l->cpuset_mems, l->cpuset_mems, w, e) < 0)
		return -1;
	return 0;
}

static int set_pids(const struct cgroup *cg, const struct cgroup_limits *l,
		    cgroup_warnings *w, struct err **e)
{
	_cleanup_free_ char *v =
	    l->pids < 0 ? xstrdup("max") : xasprintf("%" PRId64, l->pids);

	return set_one(cg, "pids", "pids.max", "--pids-limit", l->pids, v, w,
		       e);
}

/* blkio.weight is CFQ's (gone with the legacy block layer), the
 * blkio.bfq.weight BFQ's; mq-deadline and none have neither. */
static int set_blkio(const struct cgroup *cg, const struct cgroup_limits *l,
		     cgroup_warnings *w, struct err **e)
{
	_cleanup_free_ char *v = xasprintf("%u", (unsigned) l->blkio_weight);
	const char *dir;
	int r;

	if (!l->blkio_weight ||
	    !(dir = dir_or_warn(cg, "blkio", "--blkio-weight", w)))
		return 0;
	r = cg_put(dir, "blkio.weight", v, e);
	if (r == 0)
		r = cg_put(dir, "blkio.bfq.weight", v, e);
	if (r == 0)
		cg_warn(w, "--blkio-weight is ignored: blkio.weight does not "
			   "exist on this host (the I/O scheduler has no "
			   "weights)");
	return r < 0 ? r : 0;
}

/* "c 1:3 rwm", "a *:* rwm" */
static char *dev_rule(const struct cgroup_dev *d)
{
	char maj[24] = "*", min[24] = "*";

	if (d->major >= 0)
		(void) snprintf(maj, sizeof(maj), "%" PRId64, d->major);
	if (d->minor >= 0)
		(void) snprintf(min, sizeof(min), "%" PRId64, d->minor);
	return xasprintf("%c %s:%s %s", d->type, maj, min, d->access);
}

/* The rules in order, each to devices.allow or devices.deny: the kernel
 * keeps an exception list, so the order is the spec's. */
static int set_devices(const struct cgroup *cg, const struct cgroup_limits *l,
		       cgroup_warnings *w, struct err **e)
{
	const char *dir = cg_v1_dir(cg, "devices");

	if (!dir) {
		cg_warn(w, "device rules are not applied: no devices cgroup "
			   "hierarchy is mounted");
		return 0;
	}
	for (size_t i = 0; i < l->ndevices; i++) {
		_cleanup_free_ char *rule = dev_rule(&l->devices[i]);
		const char *file =
		    l->devices[i].allow ? "devices.allow" : "devices.deny";

		if (cg_write(dir, file, rule, e) < 0)
			return -1;
	}
	return 0;
}

static int v1_set(const struct cgroup *cg, const struct cgroup_limits *l,
		  bool update, cgroup_warnings *w, struct err **e)
{
	if (set_memory(cg, l, update, w, e) < 0 || set_cpu(cg, l, w, e) < 0 ||
	    set_pids(cg, l, w, e) < 0 || set_blkio(cg, l, w, e) < 0)
		return -1;
	if (l->has_devices && !update)
		return set_devices(cg, l, w, e);
	return 0;
}

/*
 * Writing FROZEN starts the freeze; freezer.state says FREEZING until
 * every task has stopped. The write is repeated now and then, as runc
 * does, for tasks that were forking at the first. A freeze that does not
 * finish in 2 s is undone, so the cgroup is not left half frozen.
 */
static int v1_freeze(const struct cgroup *cg, bool freeze, struct err **e)
{
	const struct timespec ms = {0, 1000 * 1000};
	const char *dir = cg_v1_dir(cg, "freezer");
	const char *want = freeze ? "FROZEN" : "THAWED";
	_cleanup_buf_ struct buf b = BUF_INIT;
	uint64_t start = cg_now_ms(), written = 0;

	if (!dir)
		return err_cause(e, EOPNOTSUPP, "no freezer cgroup");
	for (int i = 0;; i++) {
		uint64_t t = cg_now_ms();

		if (i == 0 || t - written >= 100) {
			if (cg_write(dir, "freezer.state", want, e) < 0)
				return -1;
			written = t;
		}
		if (cg_read(dir, "freezer.state", &b, e) < 0)
			return -1;
		buf_rtrim(&b);
		if (!strcmp(b.s, want))
			return 0;
		if (t - start >= 2000)
			break;
		(void) nanosleep(&ms, NULL);
	}
	if (freeze)
		(void) cg_write(dir, "freezer.state", "THAWED", NULL);
	return err_cause(e, ETIMEDOUT,
			 "cannot %s the cgroup %s: still %s after "
			 "2 s",
			 freeze ? "freeze" : "thaw", dir, b.s);
}

/* Sum of the "MAJ:MIN Read N" and "MAJ:MIN Write N" lines. */
static void blkio_bytes(const char *dir, uint64_t *rd, uint64_t *wr)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	char *line, *save = NULL;

	if (cg_read(dir, "blkio.throttle.io_service_bytes", &b, NULL) < 0)
		return;
	for (line = strtok_r(b.s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *op = strchr(line, ' '), *num;
		uint64_t n;

		if (!op || !(num = strchr(++op, ' ')))
			continue; /* "Total N" */
		*num++ = '\0';
		if (parse_uint64(num, 0, UINT64_MAX, &n, NULL) < 0)
			continue;
		if (!strcmp(op, "Read"))
			*rd += n;
		else if (!strcmp(op, "Write"))
			*wr += n;
	}
}

static void memory_stats(const char *dir, struct cgroup_stats *st)
{
	uint64_t usage = 0, inactive = 0, limit = 0;

	if (cg_read_u64(dir, "memory.usage_in_bytes", &usage) == 0) {
		if (cg_read_key(dir, "memory.stat", "total_inactive_file",
				&inactive) < 0)
			inactive = 0;
		st->mem_usage = usage > inactive ? usage - inactive : 0;
	}
	if (cg_read_u64(dir, "memory.limit_in_bytes", &limit) == 0 &&
	    limit < V1_UNLIMITED)
		st->mem_limit = limit;
}

/* What cannot be read stays 0: a host without a hierarchy has no
 * numbers for it, which is not an error. */
static int v1_stats(const struct cgroup *cg, struct cgroup_stats *st,
		    struct err **e)
{
	const char *dir;
	uint64_t v;

	memset(st, 0, sizeof(*st));
	if ((dir = cg_v1_dir(cg, "cpuacct")) &&
	    cg_read_u64(dir, "cpuacct.usage", &v) == 0)
		st->cpu_ns = v;
	if ((dir = cg_v1_dir(cg, "memory")))
		memory_stats(dir, st);
	if ((dir = cg_v1_dir(cg, "pids")) &&
	    cg_read_u64(dir, "pids.current", &v) == 0)
		st->pids = v;
	if ((dir = cg_v1_dir(cg, "blkio")))
		blkio_bytes(dir, &st->blk_read, &st->blk_write);
	return 0;
}

static uint64_t v1_oom_kills(const struct cgroup *cg)
{
	const char *dir = cg_v1_dir(cg, "memory");
	uint64_t n = 0;

	if (!dir || cg_read_key(dir, "memory.oom_control", "oom_kill", &n) < 0)
		return 0;
	return n;
}

/*
 * Frozen first, so that nothing forks a process past the list (runc's
 * signalAllProcesses), then thawed, since a v1-frozen task dies only
 * once it runs again. Without a freezer, one pass.
 */
static void v1_kill(const struct cgroup *cg)
{
	bool freezer = cg_v1_dir(cg, "freezer") != NULL;

	if (freezer)
		(void) v1_freeze(cg, true, NULL);
	for (size_t i = 0; i < cg->ndirs; i++)
		if (first_of_dir(cg, i))
			cg_kill_listed(cg->dirs[i].dir);
	if (freezer)
		(void) v1_freeze(cg, false, NULL);
}

/* Every directory is tried; the first error is the one returned. */
static int v1_rmdirs(const struct cgroup *cg, struct err **e)
{
	int ret = 0;

	for (size_t i = 0; i < cg->ndirs; i++) {
		if (!first_of_dir(cg, i))
			continue;
		if (cg_rmdir(cg->dirs[i].dir, 1000, ret < 0 ? NULL : e) < 0)
			ret = -1;
	}
	return ret;
}

const struct cgroup_ops cgroup_v1_ops = {
    .mkdirs = v1_mkdirs,
    .set = v1_set,
    .freeze = v1_freeze,
    .stats = v1_stats,
    .oom_kills = v1_oom_kills,
    .kill = v1_kill,
    .rmdirs = v1_rmdirs,
};
