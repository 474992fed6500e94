/*
 * cgroup/ against the real kernel: the v1 backend below this process's
 * own cgroups and the v2 backend on the cgroup2 mount, as root; as an
 * unprivileged user, the EACCES that names the directory.
 */
#include "test/unit/cgroup_test.h"

/* ---- the real kernel ------------------------------------------------------
 */

/* This process's cgroup in the v1 hierarchy of CTRL ("/process_api/x"),
 * or in the v2 one when CTRL is "". */
static char *own_cgroup(const char *ctrl)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	char *line, *save = NULL;

	if (read_file(AT_FDCWD, "/proc/self/cgroup", &b, 1 << 16, NULL) < 0)
		return NULL;
	for (line = strtok_r(b.s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *ctrls = strchr(line, ':'), *path, *tok, *s2 = NULL;

		if (!ctrls || !(path = strchr(++ctrls, ':')))
			continue;
		*path++ = '\0';
		if (!*ctrl && !*ctrls)
			return xstrdup(path);
		for (tok = strtok_r(ctrls, ",", &s2); *ctrl && tok;
		     tok = strtok_r(NULL, ",", &s2))
			if (!strcmp(tok, ctrl))
				return xstrdup(path);
	}
	return NULL;
}

/* "/sys/fs/cgroup/CTRL" + own cgroup + "/" + NAME, NULL without it. */
static char *v1_test_dir(const char *ctrl, const char *name)
{
	_cleanup_free_ char *own = own_cgroup(ctrl);
	_cleanup_free_ char *mnt = xasprintf("/sys/fs/cgroup/%s", ctrl);
	_cleanup_free_ char *probe = xasprintf("%s/cgroup.procs", mnt);

	if (!own || access(probe, F_OK) < 0)
		return NULL;
	return xasprintf("%s%s/%s", mnt, strcmp(own, "/") ? own : "", name);
}

static char *parent_of(const char *dir)
{
	char *p = xstrdup(dir);

	*strrchr(p, '/') = '\0';
	return p;
}

/* Whether the caller may make cgroups below each directory of CG. */
static bool may_create(const struct cgroup *cg)
{
	for (size_t i = 0; i < cg->ndirs; i++) {
		_cleanup_free_ char *p = parent_of(cg->dirs[i].dir);

		if (access(p, W_OK) < 0)
			return false;
	}
	return true;
}

/* Not allowed to make cgroups: mkdirs fails with EACCES naming the dir,
 * and nothing is made. */
static void real_refused(const struct cgroup *cg, const struct cgroup_ops *ops,
			 const char *what)
{
	struct err *e = NULL;
	int rc = ops->mkdirs(cg, &e);
	const char *dir = cg->version == 2 ? cg->path : cg->dirs[0].dir;
	_cleanup_free_ char *desc =
	    xasprintf("%s: mkdirs below a cgroup the caller does not own "
		      "is refused with EACCES naming it",
		      what);

	if (rc < 0)
		tap_diag("  %s", e->msg);
	is_err(rc, e, EACCES, dir, NULL, desc);
	ok(access(dir, F_OK) < 0 && errno == ENOENT, "%s: nothing was made",
	   what);
	if (rc == 0)
		(void) ops->rmdirs(cg, NULL);
}

/* Stats of this process's own cgroups: read-only, for anyone. */
static void real_own_stats(void)
{
	static const char *const ctrls[] = {"cpuacct", "memory", "pids"};
	struct cgroup cg;
	struct cgroup_stats st;
	struct err *e = NULL;

	memset(&cg, 0, sizeof(cg));
	cg.version = 1;
	for (size_t i = 0; i < ARRAY_SIZE(ctrls); i++) {
		_cleanup_free_ char *d = v1_test_dir(ctrls[i], "x");

		if (d) {
			*strrchr(d, '/') = '\0';
			add_dir(&cg, ctrls[i], d);
		}
	}
	ok(cg.ndirs == ARRAY_SIZE(ctrls),
	   "v1 hierarchies of cpuacct, memory and pids are mounted");
	is_int(cgroup_v1_ops.stats(&cg, &st, &e), 0, "stats of our own cgroup");
	ok(st.cpu_ns > 0, "it has used cpu time (%" PRIu64 " ns)", st.cpu_ns);
	ok(st.mem_usage > 0, "and memory (%" PRIu64 " bytes)", st.mem_usage);
	cgroup_release(&cg);
}

/* Writes PID into every directory of CG (a v1 "join"). */
static bool join(const struct cgroup *cg, pid_t pid)
{
	struct err *e = NULL;

	if (cg->version == 2) {
		if (cg_writef(cg->path, "cgroup.procs", &e, "%d", (int) pid) <
		    0)
			goto fail;
		return true;
	}
	for (size_t i = 0; i < cg->ndirs; i++)
		if (cg_writef(cg->dirs[i].dir, "cgroup.procs", &e, "%d",
			      (int) pid) < 0)
			goto fail;
	return true;
fail:
	tap_diag("  %s", e->msg);
	err_free(e);
	return false;
}

static bool lists_pid(const char *dir, pid_t pid)
{
	_cleanup_free_ char *procs = rkfile(dir, "cgroup.procs");
	_cleanup_free_ char *want = xasprintf("%d", (int) pid);

	return procs && !strcmp(procs, want);
}

static void is_kfile(const char *dir, const char *name, const char *want,
		     const char *desc)
{
	_cleanup_free_ char *got = dir ? rkfile(dir, name) : NULL;

	is_str(got, want, desc);
}

/* mkdirs gave the new cpuset cgroup its parent's cpus and mems */
static void real_v1_cpuset(const struct cgroup *cg)
{
	const char *cpuset = cg_v1_dir(cg, "cpuset");
	_cleanup_free_ char *parent = parent_of(cpuset);
	_cleanup_free_ char *cpus = rkfile(parent, "cpuset.cpus");
	_cleanup_free_ char *mems = rkfile(parent, "cpuset.mems");

	ok(cpus && *cpus, "real: the parent cpuset has cpus (%s)",
	   cpus ? cpus : "?");
	is_kfile(cpuset, "cpuset.cpus", cpus,
		 "real: the new cpuset cgroup has its parent's cpus");
	is_kfile(cpuset, "cpuset.mems", mems, "real: and mems");
}

static void real_v1_blkio(const char *blk, cgroup_warnings w)
{
	const char *file = exists(blk, "blkio.weight") ? "blkio.weight"
			   : exists(blk, "blkio.bfq.weight")
			       ? "blkio.bfq.weight"
			       : NULL;
	_cleanup_free_ char *v = file ? rkfile(blk, file) : NULL;

	if (!file)
		ok(has_warning(w, "--blkio-weight is ignored: blkio.weight "
				  "does not exist on this host (the I/O "
				  "scheduler has no weights)"),
		   "real: no blkio weights here, a warning");
	else
		ok(v && strstr(v, "500"), "real: %s 500 (%s)", file,
		   v ? v : "?");
}

static void real_v1_limits(const struct cgroup *cg, cgroup_warnings *w)
{
	const char *mem = cg_v1_dir(cg, "memory");
	_cleanup_free_ char *list = NULL;
	struct cgroup_limits l;

	memset(&l, 0, sizeof(l));
	l.memory = 32 * MiB;
	l.memory_swap = 64 * MiB;
	l.pids = 5;
	l.cpu_shares = 512;
	l.cpu_quota = 50000;
	l.cpu_period = 100000;
	l.blkio_weight = 500;
	cgroup_limits_default_devices(&l);
	v1_set_ok(cg, &l, false, w, "real limits");
	cgroup_limits_release(&l);
	is_kfile(mem, "memory.limit_in_bytes", "33554432",
		 "real: memory.limit_in_bytes");
	if (exists(mem, "memory.memsw.limit_in_bytes"))
		is_kfile(mem, "memory.memsw.limit_in_bytes", "67108864",
			 "real: memory.memsw.limit_in_bytes");
	else
		ok(has_warning(*w, "--memory-swap is ignored: the host has no "
				   "swap accounting "
				   "(memory.memsw.limit_in_bytes)"),
		   "real: no memsw, a warning");
	is_kfile(cg_v1_dir(cg, "pids"), "pids.max", "5", "real: pids.max");
	is_kfile(cg_v1_dir(cg, "cpu"), "cpu.cfs_quota_us", "50000",
		 "real: cpu.cfs_quota_us");
	is_kfile(cg_v1_dir(cg, "cpu"), "cpu.shares", "512", "real: cpu.shares");
	list = rkfile(cg_v1_dir(cg, "devices"), "devices.list");
	ok(list && strstr(list, "c 1:3 rwm") && strstr(list, "c 136:* rwm") &&
	       strstr(list, "b *:* m") && !strstr(list, "a *:* rwm"),
	   "real: devices.list holds docker's rules, not 'a *:* rwm'");
	real_v1_blkio(cg_v1_dir(cg, "blkio"), *w);
}

/* Raising both past the current memsw: memsw has to go first. */
static void real_v1_update(const struct cgroup *cg, cgroup_warnings *w)
{
	const char *mem = cg_v1_dir(cg, "memory");
	struct cgroup_limits l;

	memset(&l, 0, sizeof(l));
	l.memory = 128 * MiB;
	l.memory_swap = 256 * MiB;
	v1_set_ok(cg, &l, true, w, "real update raising memory and swap");
	is_kfile(mem, "memory.limit_in_bytes", "134217728",
		 "real: memory raised");
	l.memory = 16 * MiB;
	l.memory_swap = 16 * MiB;
	v1_set_ok(cg, &l, true, w, "real update lowering them");
	is_kfile(mem, "memory.limit_in_bytes", "16777216",
		 "real: memory lowered");
}

static void real_v1_process(const struct cgroup *cg)
{
	struct err *e = NULL;
	struct cgroup_stats st;
	_cleanup_free_ char *state = NULL;
	pid_t pid = sleeper();

	if (pid <= 0)
		return;
	ok(join(cg, pid), "real: a child joins every hierarchy");
	ok(lists_pid(cg_v1_dir(cg, "pids"), pid),
	   "real: cgroup.procs lists it");
	is_int(cgroup_v1_ops.stats(cg, &st, &e), 0, "real: stats");
	is_int(st.pids, 1, "real: pids.current is 1");
	is_int(st.mem_limit, 16 * MiB, "real: mem_limit");
	if (!is_int(cgroup_v1_ops.freeze(cg, true, &e), 0, "real: freeze"))
		tap_diag("  %s", e->msg);
	state = rkfile(cg_v1_dir(cg, "freezer"), "freezer.state");
	is_str(state, "FROZEN", "real: freezer.state FROZEN");
	free(state);
	is_int(cgroup_v1_ops.freeze(cg, false, &e), 0, "real: thaw");
	state = rkfile(cg_v1_dir(cg, "freezer"), "freezer.state");
	is_str(state, "THAWED", "real: freezer.state THAWED");
	is_int(cgroup_v1_ops.freeze(cg, true, &e), 0, "real: freeze again");
	cgroup_v1_ops.kill(cg);
	ok(killed(reap(pid)), "real: kill ends the frozen child (SIGKILL)");
	is_int(cgroup_v1_ops.oom_kills(cg), 0, "real: no OOM kills");
	err_free(e);
}

/* A child that allocates 64 MiB in an 8 MiB cgroup without swap. */
static void real_v1_oom(const char *name)
{
	struct cgroup cg;
	struct cgroup_limits l;
	struct err *e = NULL;
	cgroup_warnings w = NULL;
	_cleanup_free_ char *d = v1_test_dir("memory", name);
	int go[2];
	pid_t pid;

	memset(&cg, 0, sizeof(cg));
	cg.version = 1;
	add_dir(&cg, "memory", d);
	memset(&l, 0, sizeof(l));
	l.memory = 8 * MiB;
	l.memory_swap = 8 * MiB;
	if (!ok(cgroup_v1_ops.mkdirs(&cg, &e) == 0, "real oom: mkdirs") ||
	    pipe2(go, O_CLOEXEC) < 0) {
		err_free(e);
		cgroup_release(&cg);
		return;
	}
	v1_set_ok(&cg, &l, false, &w, "real oom: 8 MiB");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char c;
		char *p;

		(void) close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		/* page by page, 64 MiB in 1 MiB pieces, each touched */
		for (int i = 0; i < 64; i++) {
			p = malloc(MiB);
			if (!p)
				_exit(3);
			for (size_t off = 0; off < MiB; off += 4096)
				p[off] = 1;
		}
		_exit(1);
	}
	(void) close(go[0]);
	ok(pid > 0 && join(&cg, pid), "real oom: the child joins");
	if (write(go[1], "x", 1) != 1)
		ok(false, "real oom: cannot start the child");
	(void) close(go[1]);
	ok(pid > 0 && killed(reap(pid)), "real oom: the child is OOM-killed");
	is_int(cgroup_v1_ops.oom_kills(&cg), 1, "real oom: oom_kills is 1");
	if (!ok(cgroup_v1_ops.rmdirs(&cg, &e) == 0, "real oom: rmdirs"))
		tap_diag("  %s", e->msg);
	err_free(e);
	cgroup_warnings_free(w);
	cgroup_release(&cg);
}

static void test_real_v1(void)
{
	static const char *const ctrls[] = {"memory",  "cpu",  "cpuacct",
					    "cpuset",  "pids", "freezer",
					    "devices", "blkio"};
	_cleanup_free_ char *name = xasprintf("husk-unit-%d", (int) getpid());
	struct cgroup cg;
	cgroup_warnings w = NULL;
	struct err *e = NULL;

	real_own_stats();
	memset(&cg, 0, sizeof(cg));
	cg.version = 1;
	for (size_t i = 0; i < ARRAY_SIZE(ctrls); i++) {
		_cleanup_free_ char *d = v1_test_dir(ctrls[i], name);

		if (d)
			add_dir(&cg, ctrls[i], d);
	}
	if (!is_int(cg.ndirs, ARRAY_SIZE(ctrls),
		    "real: all v1 hierarchies are mounted (TESTING.md)")) {
		cgroup_release(&cg);
		return;
	}
	if (!may_create(&cg)) {
		real_refused(&cg, &cgroup_v1_ops, "v1");
		cgroup_release(&cg);
		return;
	}
	if (!ok(cgroup_v1_ops.mkdirs(&cg, &e) == 0, "real v1 mkdirs below "
						    "our own cgroups"))
		tap_diag("  %s", e->msg);
	real_v1_cpuset(&cg);
	real_v1_limits(&cg, &w);
	real_v1_update(&cg, &w);
	real_v1_process(&cg);
	if (!ok(cgroup_v1_ops.rmdirs(&cg, &e) == 0, "real v1 rmdirs"))
		tap_diag("  %s", e->msg);
	for (size_t i = 0; i < cg.ndirs; i++)
		ok(access(cg.dirs[i].dir, F_OK) < 0 && errno == ENOENT,
		   "real: %s is gone", cg.dirs[i].dir);
	err_free(e);
	cgroup_warnings_free(w);
	cgroup_release(&cg);
	free(name);
	name = xasprintf("husk-unit-oom-%d", (int) getpid());
	real_v1_oom(name);
}

/* v2's core on the hybrid host's cgroup2 mount (no controllers there):
 * make, join, freeze, stats, cgroup.kill, remove. */
static void test_real_v2(void)
{
	_cleanup_free_ char *own = own_cgroup("");
	const char *mnt =
	    access("/sys/fs/cgroup/unified/cgroup.procs", F_OK) == 0
		? "/sys/fs/cgroup/unified"
		: "/sys/fs/cgroup";
	struct cgroup cg;
	struct cgroup_limits l;
	struct cgroup_stats st;
	cgroup_warnings w = NULL;
	struct err *e = NULL;
	_cleanup_free_ char *parent = NULL, *ev = NULL;
	pid_t pid;

	if (!ok(own != NULL, "real v2: /proc/self/cgroup has a 0:: line"))
		return;
	memset(&cg, 0, sizeof(cg));
	cg.version = 2;
	cg.path = xasprintf("%s%s/husk-unit-%d", mnt,
			    strcmp(own, "/") ? own : "", (int) getpid());
	parent = parent_of(cg.path);
	if (access(parent, W_OK) < 0) {
		real_refused(&cg, &cgroup_v2_ops, "v2");
		cgroup_release(&cg);
		return;
	}
	if (!ok(cgroup_v2_ops.mkdirs(&cg, &e) == 0, "real v2 mkdirs")) {
		tap_diag("  %s", e->msg);
		err_free(e);
		cgroup_release(&cg);
		return;
	}
	memset(&l, 0, sizeof(l));
	l.pids = 5;
	cgroup_limits_default_devices(&l);
	v2_set_ok(&cg, &l, false, exists(cg.path, "pids.max") ? 0 : 1,
		  "real v2: pids and docker's device rules (a BPF program)");
	cgroup_limits_release(&l);
	pid = sleeper();
	if (pid > 0) {
		ok(join(&cg, pid), "real v2: a child joins");
		ok(lists_pid(cg.path, pid), "real v2: cgroup.procs lists it");
		if (!is_int(cgroup_v2_ops.freeze(&cg, true, &e), 0,
			    "real v2: freeze"))
			tap_diag("  %s", e->msg);
		ev = rkfile(cg.path, "cgroup.events");
		ok(ev && strstr(ev, "frozen 1"),
		   "real v2: cgroup.events frozen 1");
		is_int(cgroup_v2_ops.freeze(&cg, false, &e), 0,
		       "real v2: thaw");
		is_int(cgroup_v2_ops.stats(&cg, &st, &e), 0, "real v2: stats");
		is_int(st.mem_limit, 0, "real v2: no memory.max, no limit");
		cgroup_v2_ops.kill(&cg);
		ok(killed(reap(pid)), "real v2: cgroup.kill ends the child");
	}
	if (!ok(cgroup_v2_ops.rmdirs(&cg, &e) == 0, "real v2 rmdirs"))
		tap_diag("  %s", e->msg);
	ok(access(cg.path, F_OK) < 0 && errno == ENOENT, "real v2: it is gone");
	err_free(e);
	cgroup_warnings_free(w);
	cgroup_release(&cg);
}

int main(void)
{
	test_real_v1();
	test_real_v2();
	return tap_done();
}
