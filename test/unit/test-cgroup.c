/*
 * cgroup/: linux.resources parsing (every range boundary, bad types, the
 * field named in each message, the round trip through JSON, docker's
 * default device rules); the v1 and v2 backends against fake cgroupfs
 * trees of regular files (exact file contents, warnings for what a host
 * lacks, stats and OOM counts parsed from sample files). The real kernel:
 * test-cgroup-real.c.
 */
#include "test/unit/cgroup_test.h"

/* ---- limits ---------------------------------------------------------------
 */

/* JSON (linux.resources) refused with exactly WANT, or a message containing
 * it when PARTIAL. */
static void bad_res(const char *json, const char *want)
{
	cJSON *j = cJSON_Parse(json);
	struct cgroup_limits l;
	struct err *e = NULL;
	int rc;

	if (!j) {
		ok(false, "test JSON parses: %s", json);
		return;
	}
	memset(&l, 0x5a, sizeof(l));
	rc = cgroup_limits_parse(j, &l, &e);
	if (!ok(rc < 0 && e && strstr(e->msg, want) &&
		    (e->errnum == EINVAL || e->errnum == ERANGE),
		"%s refused", json))
		tap_diag("  got: %s; want: %s", e ? e->msg : "(accepted)",
			 want);
	ok(!l.cpuset_cpus && !l.cpuset_mems && !l.devices && !l.ndevices,
	   "%s: nothing is left allocated", json);
	err_free(e);
	cgroup_limits_release(&l);
	cJSON_Delete(j);
}

/* JSON accepted into *L (release it). */
static bool good_res(const char *json, struct cgroup_limits *l)
{
	cJSON *j = cJSON_Parse(json);
	struct err *e = NULL;
	int rc = cgroup_limits_parse(j, l, &e);
	bool pass = ok(j && rc == 0, "%s accepted", json);

	if (!pass)
		tap_diag("  %s", e ? e->msg : "(bad test JSON)");
	err_free(e);
	cJSON_Delete(j);
	return pass;
}

/* linux.resources that are refused, and the message each gets */
static const char *const bad_resources[][2] = {
    {"[]", "linux.resources: not an object"},
    {"{\"memory\":3}", "linux.resources.memory: not an object"},
    {"{\"cpu\":[]}", "linux.resources.cpu: not an object"},
    {"{\"pids\":\"x\"}", "linux.resources.pids: not an object"},
    {"{\"blockIO\":true}", "linux.resources.blockIO: not an object"},
    {"{\"memory\":{\"limit\":6291455}}",
     "linux.resources.memory.limit: 6291455 is out of range "
     "(at least 6291456)"},
    {"{\"memory\":{\"limit\":0}}", "linux.resources.memory.limit: 0 "},
    {"{\"memory\":{\"limit\":-1}}", "linux.resources.memory.limit: -1 "},
    {"{\"memory\":{\"limit\":\"64m\"}}",
     "linux.resources.memory.limit: not an integer"},
    {"{\"memory\":{\"limit\":6291456.5}}",
     "linux.resources.memory.limit: not an integer"},
    {"{\"memory\":{\"limit\":1e300}}",
     "linux.resources.memory.limit: not an integer"},
    {"{\"memory\":{\"reservation\":0}}",
     "linux.resources.memory.reservation: 0 is out of range "
     "(at least 1)"},
    {"{\"memory\":{\"limit\":8388608,\"reservation\":8388609}}",
     "linux.resources.memory.reservation: 8388609 is more than "
     "memory.limit (8388608)"},
    {"{\"memory\":{\"limit\":8388608,\"swap\":8388607}}",
     "linux.resources.memory.swap: 8388607 is less than "
     "memory.limit (8388608): it must be at least that, or -1"},
    {"{\"memory\":{\"limit\":8388608,\"swap\":-2}}",
     "linux.resources.memory.swap: -2 is less than memory.limit"},
    {"{\"memory\":{\"swap\":8388608}}",
     "linux.resources.memory.swap: 8388608 needs memory.limit as "
     "well"},
    {"{\"memory\":{\"limit\":8388608,\"swap\":false}}",
     "linux.resources.memory.swap: not an integer"},
    {"{\"cpu\":{\"shares\":1}}",
     "linux.resources.cpu.shares: 1 is out of range (2-262144)"},
    {"{\"cpu\":{\"shares\":262145}}",
     "linux.resources.cpu.shares: 262145 is out of range (2-262144)"},
    {"{\"cpu\":{\"shares\":-1}}",
     "linux.resources.cpu.shares: -1 is out of range (2-262144)"},
    {"{\"cpu\":{\"shares\":\"1024\"}}",
     "linux.resources.cpu.shares: not an integer"},
    {"{\"cpu\":{\"period\":999}}",
     "linux.resources.cpu.period: 999 is out of range (1000-1000000)"},
    {"{\"cpu\":{\"period\":1000001}}",
     "linux.resources.cpu.period: 1000001 is out of range "
     "(1000-1000000)"},
    {"{\"cpu\":{\"quota\":999}}",
     "linux.resources.cpu.quota: 999 is out of range (-1 or at "
     "least 1000)"},
    {"{\"cpu\":{\"quota\":0}}",
     "linux.resources.cpu.quota: 0 is out of range (-1 or at least "
     "1000)"},
    {"{\"cpu\":{\"quota\":-2}}",
     "linux.resources.cpu.quota: -2 is out of range"},
    {"{\"cpu\":{\"cpus\":\"0-3a\"}}",
     "linux.resources.cpu.cpus: '0-3a' is not a list of numbers and "
     "ranges (as in 0-2,4)"},
    {"{\"cpu\":{\"cpus\":\"0 1\"}}", "linux.resources.cpu.cpus: '0 1'"},
    {"{\"cpu\":{\"mems\":\"all\"}}", "linux.resources.cpu.mems: 'all'"},
    {"{\"cpu\":{\"cpus\":3}}", "linux.resources.cpu.cpus: not a string"},
    {"{\"cpu\":{\"mems\":[0]}}", "linux.resources.cpu.mems: not a string"},
    {"{\"pids\":{\"limit\":-2}}",
     "linux.resources.pids.limit: -2 is out of range (-1 or at least "
     "1)"},
    {"{\"pids\":{\"limit\":\"5\"}}",
     "linux.resources.pids.limit: not an integer"},
    {"{\"blockIO\":{\"weight\":9}}",
     "linux.resources.blockIO.weight: 9 is out of range (10-1000)"},
    {"{\"blockIO\":{\"weight\":1001}}",
     "linux.resources.blockIO.weight: 1001 is out of range (10-1000)"},
    {"{\"blockIO\":{\"weight\":0}}",
     "linux.resources.blockIO.weight: 0 is out of range (10-1000)"},
    {"{\"devices\":{}}", "linux.resources.devices: not an array"},
    {"{\"devices\":[3]}", "linux.resources.devices[0]: not an object"},
    {"{\"devices\":[{\"allow\":true},{\"type\":\"c\"}]}",
     "linux.resources.devices[1].allow: missing or not a boolean"},
    {"{\"devices\":[{\"allow\":\"yes\"}]}",
     "linux.resources.devices[0].allow: missing or not a boolean"},
    {"{\"devices\":[{\"allow\":true,\"type\":\"x\"}]}",
     "linux.resources.devices[0].type: 'x' is not a, b or c"},
    {"{\"devices\":[{\"allow\":true,\"type\":\"cb\"}]}",
     "linux.resources.devices[0].type: 'cb' is not a, b or c"},
    {"{\"devices\":[{\"allow\":true,\"type\":\"\"}]}",
     "linux.resources.devices[0].type: '' is not a, b or c"},
    {"{\"devices\":[{\"allow\":true,\"type\":99}]}",
     "linux.resources.devices[0].type: the value is not a, b or c"},
    {"{\"devices\":[{\"allow\":true,\"access\":\"rwx\"}]}",
     "linux.resources.devices[0].access: 'rwx' is not some of r, w "
     "and m"},
    {"{\"devices\":[{\"allow\":true,\"access\":\"\"}]}",
     "linux.resources.devices[0].access: '' is not some of r, w and m"},
    {"{\"devices\":[{\"allow\":true,\"access\":7}]}",
     "linux.resources.devices[0].access: the value is not some of"},
    {"{\"devices\":[{\"allow\":true,\"major\":-2}]}",
     "linux.resources.devices[0].major: -2 is out of range (-1 or "
     "0-4294967295)"},
    {"{\"devices\":[{\"allow\":true,\"minor\":4294967296}]}",
     "linux.resources.devices[0].minor: 4294967296 is out of range"},
    {"{\"devices\":[{\"allow\":true,\"minor\":\"1\"}]}",
     "linux.resources.devices[0].minor: not an integer"},
};

static void test_limits_messages(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_resources); i++)
		bad_res(bad_resources[i][0], bad_resources[i][1]);
}

static void test_limits_boundaries(void)
{
	struct cgroup_limits l;
	struct err *e = NULL;

	is_int(cgroup_limits_parse(NULL, &l, &e), 0, "no resources: 0");
	ok(!cgroup_limits_any(&l) && !l.has_devices,
	   "no resources: nothing set");
	if (good_res("{}", &l))
		ok(!cgroup_limits_any(&l) && !l.has_devices, "{}: nothing set");
	cgroup_limits_release(&l);
	if (good_res("{\"memory\":{\"limit\":6291456,\"swap\":6291456,"
		     "\"reservation\":6291456}}",
		     &l)) {
		is_int(l.memory, 6291456, "memory.limit 6 MiB, the minimum");
		is_int(l.memory_swap, 6291456,
		       "memory.swap equal to the limit");
		is_int(l.memory_reservation, 6291456,
		       "memory.reservation equal to the limit");
	}
	cgroup_limits_release(&l);
	if (good_res("{\"memory\":{\"limit\":8388608,\"swap\":-1,"
		     "\"reservation\":1}}",
		     &l)) {
		is_int(l.memory_swap, -1, "memory.swap -1");
		is_int(l.memory_reservation, 1, "memory.reservation 1");
	}
	cgroup_limits_release(&l);
	if (good_res("{\"memory\":{\"swap\":-1,\"swappiness\":60}}", &l)) {
		is_int(l.memory_swap, -1, "memory.swap -1 needs no limit");
		is_int(l.memory, 0, "memory.limit stays unset");
	}
	cgroup_limits_release(&l);
	if (good_res("{\"cpu\":{\"shares\":2,\"quota\":1000,\"period\":1000,"
		     "\"cpus\":\"0-1,3\",\"mems\":\"0\"}}",
		     &l)) {
		is_int(l.cpu_shares, 2, "cpu.shares 2");
		is_int(l.cpu_quota, 1000, "cpu.quota 1000");
		is_int(l.cpu_period, 1000, "cpu.period 1000");
		is_str(l.cpuset_cpus, "0-1,3", "cpu.cpus");
		is_str(l.cpuset_mems, "0", "cpu.mems");
	}
	cgroup_limits_release(&l);
	if (good_res("{\"cpu\":{\"shares\":262144,\"quota\":-1,"
		     "\"period\":1000000,\"cpus\":\"\",\"mems\":null}}",
		     &l)) {
		is_int(l.cpu_shares, 262144, "cpu.shares 262144");
		is_int(l.cpu_quota, -1, "cpu.quota -1");
		is_int(l.cpu_period, 1000000, "cpu.period 1000000");
		ok(!l.cpuset_cpus && !l.cpuset_mems,
		   "empty cpus and null mems are not set");
	}
	cgroup_limits_release(&l);
	if (good_res("{\"pids\":{\"limit\":1},\"blockIO\":{\"weight\":10}}",
		     &l)) {
		is_int(l.pids, 1, "pids.limit 1");
		is_int(l.blkio_weight, 10, "blockIO.weight 10");
	}
	cgroup_limits_release(&l);
	if (good_res("{\"pids\":{\"limit\":-1},\"blockIO\":{\"weight\":1000}}",
		     &l)) {
		is_int(l.pids, -1, "pids.limit -1");
		is_int(l.blkio_weight, 1000, "blockIO.weight 1000");
	}
	cgroup_limits_release(&l);
	if (good_res("{\"pids\":{\"limit\":0}}", &l))
		is_int(l.pids, -1,
		       "pids.limit 0 is unlimited (-1), as the spec says");
	cgroup_limits_release(&l);
	if (good_res("{\"devices\":[]}", &l))
		ok(l.has_devices && l.ndevices == 0,
		   "an empty devices[] is given (deny nothing, allow nothing)");
	cgroup_limits_release(&l);
	if (good_res("{\"devices\":[{\"allow\":false},{\"allow\":true,"
		     "\"type\":\"b\",\"major\":0,\"minor\":4294967295,"
		     "\"access\":\"mr\"},{\"allow\":true,\"type\":\"c\","
		     "\"major\":-1,\"access\":\"wwr\"}]}",
		     &l) &&
	    is_int(l.ndevices, 3, "3 device rules")) {
		const struct cgroup_dev *d = l.devices;

		ok(!d[0].allow && d[0].type == 'a' && d[0].major == -1 &&
		       d[0].minor == -1 && !strcmp(d[0].access, "rwm"),
		   "a bare rule is 'deny a *:* rwm'");
		ok(d[1].allow && d[1].type == 'b' && d[1].major == 0 &&
		       d[1].minor == 4294967295LL,
		   "major 0 and minor 2^32-1 are kept");
		is_str(d[1].access, "rm", "access is written in rwm order");
		is_str(d[2].access, "rw", "access letters are not repeated");
		is_int(d[2].major, -1, "major -1 is any");
	}
	cgroup_limits_release(&l);
}

static bool same_limits(const struct cgroup_limits *a,
			const struct cgroup_limits *b)
{
	bool same =
	    a->memory == b->memory && a->memory_swap == b->memory_swap &&
	    a->memory_reservation == b->memory_reservation &&
	    a->cpu_shares == b->cpu_shares && a->cpu_quota == b->cpu_quota &&
	    a->cpu_period == b->cpu_period &&
	    !!a->cpuset_cpus == !!b->cpuset_cpus &&
	    !!a->cpuset_mems == !!b->cpuset_mems && a->pids == b->pids &&
	    a->blkio_weight == b->blkio_weight &&
	    a->has_devices == b->has_devices && a->ndevices == b->ndevices;

	if (same && a->cpuset_cpus)
		same = !strcmp(a->cpuset_cpus, b->cpuset_cpus);
	if (same && a->cpuset_mems)
		same = !strcmp(a->cpuset_mems, b->cpuset_mems);
	for (size_t i = 0; same && i < a->ndevices; i++) {
		const struct cgroup_dev *x = &a->devices[i],
					*y = &b->devices[i];

		same = x->allow == y->allow && x->type == y->type &&
		       x->major == y->major && x->minor == y->minor &&
		       !strcmp(x->access, y->access);
	}
	return same;
}

static void round_trip(const char *json)
{
	struct cgroup_limits a, b;
	struct err *e = NULL;
	cJSON *j = NULL;
	char *out = NULL;

	if (!good_res(json, &a))
		return;
	j = cgroup_limits_json(&a);
	out = cJSON_PrintUnformatted(j);
	if (ok(cgroup_limits_parse(j, &b, &e) == 0, "its JSON parses again"))
		ok(same_limits(&a, &b), "into the same limits: %s", out);
	else
		tap_diag("  %s: %s", out, e ? e->msg : "");
	err_free(e);
	free(out);
	cJSON_Delete(j);
	cgroup_limits_release(&a);
	cgroup_limits_release(&b);
}

static void test_limits_json(void)
{
	struct cgroup_limits l;
	cJSON *j;
	char *s;

	round_trip("{\"memory\":{\"limit\":67108864,\"swap\":134217728,"
		   "\"reservation\":33554432},\"cpu\":{\"shares\":512,"
		   "\"quota\":150000,\"period\":100000,\"cpus\":\"0-1\","
		   "\"mems\":\"0\"},\"pids\":{\"limit\":100},\"blockIO\":"
		   "{\"weight\":500},\"devices\":[{\"allow\":false,"
		   "\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\","
		   "\"major\":1,\"minor\":3,\"access\":\"rw\"},{\"allow\":true,"
		   "\"type\":\"b\",\"major\":8,\"access\":\"m\"}]}");
	round_trip("{\"memory\":{\"limit\":8388608,\"swap\":-1},\"cpu\":"
		   "{\"quota\":-1},\"pids\":{\"limit\":-1}}");
	round_trip("{\"devices\":[]}");
	round_trip("{}");

	memset(&l, 0, sizeof(l));
	l.pids = 7;
	l.cpu_period = 50000;
	j = cgroup_limits_json(&l);
	s = cJSON_PrintUnformatted(j);
	is_str(s, "{\"cpu\":{\"period\":50000},\"pids\":{\"limit\":7}}",
	       "only what is set is written");
	free(s);
	cJSON_Delete(j);
	ok(cgroup_limits_any(&l), "pids and period are limits");
	memset(&l, 0, sizeof(l));
	l.has_devices = true;
	ok(!cgroup_limits_any(&l), "device rules alone are not");
	j = cgroup_limits_json(&l);
	s = cJSON_PrintUnformatted(j);
	is_str(s, "{\"devices\":[]}", "an empty devices[] is written");
	free(s);
	cJSON_Delete(j);
	l.cpuset_mems = xstrdup("0");
	ok(cgroup_limits_any(&l), "cpuset mems alone is a limit");
	cgroup_limits_release(&l);
	ok(!l.cpuset_mems && !l.has_devices, "release zeroes");
	cgroup_limits_release(NULL);
}

static void test_default_devices(void)
{
	static const char *const want[] = {
	    "deny a -1:-1 rwm",	  "allow c -1:-1 m", "allow b -1:-1 m",
	    "allow c 1:3 rwm",	  "allow c 1:5 rwm", "allow c 1:7 rwm",
	    "allow c 1:8 rwm",	  "allow c 1:9 rwm", "allow c 5:0 rwm",
	    "allow c 5:1 rwm",	  "allow c 5:2 rwm", "allow c 136:-1 rwm",
	    "allow c 10:200 rwm",
	};
	struct cgroup_limits l;
	struct buf got = BUF_INIT, exp = BUF_INIT;

	if (!good_res("{\"devices\":[{\"allow\":true,\"type\":\"c\","
		      "\"major\":4,\"minor\":1}]}",
		      &l))
		return;
	cgroup_limits_default_devices(&l);
	ok(l.has_devices, "default devices: has_devices");
	is_int(l.ndevices, 1 + ARRAY_SIZE(want), "13 rules appended to one");
	for (size_t i = 1; i < l.ndevices; i++) {
		const struct cgroup_dev *d = &l.devices[i];

		buf_addf(&got, "%s %c %" PRId64 ":%" PRId64 " %s\n",
			 d->allow ? "allow" : "deny", d->type, d->major,
			 d->minor, d->access);
	}
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		buf_addf(&exp, "%s\n", want[i]);
	is_str(got.s, exp.s, "docker's rules, in docker's order");
	is_int(l.devices[0].major, 4, "the given rule stays first");
	buf_release(&got);
	buf_release(&exp);
	cgroup_limits_release(&l);
	memset(&l, 0, sizeof(l));
	cgroup_limits_default_devices(&l);
	is_int(l.ndevices, 13, "13 rules on empty limits");
	cgroup_limits_release(&l);
}

/* ---- v2 on a fake tree ------------------------------------------------------
 */

static const char *const v2_files[] = {
    "memory.max", "memory.swap.max", "memory.low",  "cpu.weight",
    "cpu.max",	  "cpuset.cpus",     "cpuset.mems", "pids.max",
    "io.weight",  "cgroup.freeze",   "cgroup.kill", NULL,
};

/* A fake v2 cgroup at TMP/v2/NAME with every controller "enabled". */
static void fake_v2(struct cgroup *cg, const char *tmp, const char *name)
{
	_cleanup_free_ char *parent = xasprintf("%s/v2", tmp);
	struct err *e = NULL;

	mkdir_or_die(parent);
	memset(cg, 0, sizeof(*cg));
	cg->version = 2;
	cg->path = xasprintf("%s/%s", parent, name);
	if (!ok(cgroup_v2_ops.mkdirs(cg, &e) == 0, "v2 mkdirs %s", name))
		tap_diag("  %s", e->msg);
	err_free(e);
	empty_files(cg->path, v2_files);
	wfile(cg->path, "cgroup.controllers", "cpuset cpu io memory pids\n");
}

static void test_v2_set(const char *tmp)
{
	struct cgroup cg;
	struct cgroup_limits l;
	struct err *e = NULL;

	fake_v2(&cg, tmp, "c");
	ok(cgroup_v2_ops.mkdirs(&cg, &e) == 0, "v2 mkdirs: EEXIST is fine");
	memset(&l, 0, sizeof(l));
	l.memory = 64 * MiB;
	l.memory_swap = 128 * MiB;
	l.memory_reservation = 32 * MiB;
	l.cpu_shares = 1024;
	l.cpu_quota = 150000;
	l.cpu_period = 100000;
	l.cpuset_cpus = "0-1";
	l.cpuset_mems = "0";
	l.pids = 100;
	l.blkio_weight = 500;
	v2_set_ok(&cg, &l, false, 0, "every limit");
	is_file(cg.path, "memory.max", "67108864", "memory.max");
	is_file(cg.path, "memory.swap.max", "67108864",
		"memory.swap.max is swap less memory");
	is_file(cg.path, "memory.low", "33554432", "memory.low");
	is_file(cg.path, "cpu.weight", "39", "cpu.weight for 1024 shares");
	is_file(cg.path, "cpu.max", "150000 100000", "cpu.max for --cpus 1.5");
	is_file(cg.path, "cpuset.cpus", "0-1", "cpuset.cpus");
	is_file(cg.path, "cpuset.mems", "0", "cpuset.mems");
	is_file(cg.path, "pids.max", "100", "pids.max");
	is_file(cg.path, "io.weight", "default 4950", "io.weight for 500");
	is_file(cg.path, "cgroup.freeze", "", "set does not freeze");

	empty_files(cg.path, v2_files);
	memset(&l, 0, sizeof(l));
	l.memory = 8 * MiB;
	l.memory_swap = -1;
	l.pids = -1;
	l.cpu_shares = 2;
	l.cpu_quota = -1;
	l.blkio_weight = 10;
	v2_set_ok(&cg, &l, false, 0, "unlimited values, lowest weights");
	is_file(cg.path, "memory.swap.max", "max", "swap -1 is max");
	is_file(cg.path, "pids.max", "max", "pids -1 is max");
	is_file(cg.path, "cpu.max", "max 100000",
		"quota -1: max, period 100000");
	is_file(cg.path, "cpu.weight", "1", "2 shares: weight 1");
	is_file(cg.path, "io.weight", "default 1", "blkio weight 10: 1");
	is_file(cg.path, "memory.low", "", "memory.low untouched");

	empty_files(cg.path, v2_files);
	memset(&l, 0, sizeof(l));
	l.cpu_shares = 262144;
	l.blkio_weight = 1000;
	l.cpu_period = 50000;
	v2_set_ok(&cg, &l, false, 0, "highest weights, a period alone");
	is_file(cg.path, "cpu.weight", "10000", "262144 shares: weight 10000");
	is_file(cg.path, "io.weight", "default 10000", "weight 1000: 10000");
	is_file(cg.path, "cpu.max", "max 50000", "a period alone: max PERIOD");
	cgroup_release(&cg);
}

/* Updates of half of cpu.max, BFQ's weight, and a write that fails. */
static void test_v2_update(const char *tmp)
{
	struct cgroup cg;
	struct cgroup_limits l;
	struct err *e = NULL;
	cgroup_warnings w = NULL;
	_cleanup_free_ char *p = NULL;
	int rc;

	fake_v2(&cg, tmp, "c");
	wfile(cg.path, "cpu.max", "max 50000\n");
	memset(&l, 0, sizeof(l));
	l.cpu_quota = 20000;
	v2_set_ok(&cg, &l, true, 0, "update of the quota alone");
	is_file(cg.path, "cpu.max", "20000 50000",
		"an update keeps the current period");
	wfile(cg.path, "cpu.max", "20000 50000\n");
	memset(&l, 0, sizeof(l));
	l.cpu_period = 200000;
	v2_set_ok(&cg, &l, true, 0, "update of the period alone");
	is_file(cg.path, "cpu.max", "20000 200000",
		"an update keeps the current quota");

	/* BFQ's file takes the weight as it is */
	empty_files(cg.path, v2_files);
	wfile(cg.path, "io.bfq.weight", "");
	memset(&l, 0, sizeof(l));
	l.blkio_weight = 300;
	v2_set_ok(&cg, &l, false, 0, "blkio weight with BFQ");
	is_file(cg.path, "io.bfq.weight", "300", "io.bfq.weight");
	is_file(cg.path, "io.weight", "", "io.weight left alone");

	/* a kernel refusal is an error, naming file and value */
	memset(&l, 0, sizeof(l));
	l.pids = 5;
	p = xasprintf("%s/pids.max", cg.path);
	(void) unlink(p);
	if (symlink("/dev/full", p) < 0)
		ok(false, "symlink: %s", strerror(errno));
	rc = cgroup_v2_ops.set(&cg, &l, false, &w, &e);
	is_err(rc, e, ENOSPC, "cannot write '5' to", p,
	       "a write that fails is an error naming file and value");
	(void) unlink(p);
	cgroup_warnings_free(w);
	cgroup_release(&cg);
}

static void test_v2_missing(const char *tmp)
{
	struct cgroup cg;
	struct cgroup_limits l;
	cgroup_warnings w = NULL;
	struct err *e = NULL;
	_cleanup_free_ char *want = NULL;
	_cleanup_free_ char *parent = xasprintf("%s/v2", tmp);
	int rc;

	memset(&cg, 0, sizeof(cg));
	cg.path = xasprintf("%s/bare", parent);
	mkdir_or_die(parent);
	ok(cgroup_v2_ops.mkdirs(&cg, &e) == 0, "v2 mkdirs of a bare cgroup");
	wfile(cg.path, "cgroup.controllers", "cpu io memory\n");
	wfile(cg.path, "memory.max", "");
	wfile(cg.path, "cpu.max", "");
	memset(&l, 0, sizeof(l));
	l.memory = 8 * MiB;
	l.memory_swap = 16 * MiB;
	l.pids = 4;
	l.cpu_shares = 100;
	l.cpu_quota = 50000;
	l.cpuset_cpus = "0";
	l.blkio_weight = 100;
	if (!ok(cgroup_v2_ops.set(&cg, &l, false, &w, &e) == 0,
		"v2 set: missing files are not errors"))
		tap_diag("  %s", e->msg);
	is_file(cg.path, "memory.max", "8388608", "what exists is written");
	is_file(cg.path, "cpu.max", "50000 100000", "quota without period");
	want = xasprintf("--pids-limit is ignored: the pids controller is not "
			 "enabled in %s (cgroup.subtree_control)",
			 parent);
	ok(has_warning(w, want), "warning: %s", want);
	free(want);
	want = xasprintf("--cpuset-cpus is ignored: the cpuset controller is "
			 "not enabled in %s (cgroup.subtree_control)",
			 parent);
	ok(has_warning(w, want), "warning: %s", want);
	ok(has_warning(w, "--memory-swap is ignored: the host has no swap "
			  "accounting (memory.swap.max)"),
	   "warning: no swap accounting");
	ok(has_warning(w, "--cpu-shares is ignored: cpu.weight does not exist "
			  "on this host"),
	   "warning: cpu.weight missing with cpu enabled");
	ok(has_warning(w, "--blkio-weight is ignored: the I/O scheduler has no "
			  "weights (io.weight)"),
	   "warning: no io weights");
	if (!is_int(count_warnings(w), 5, "one warning per limit"))
		show_warnings(w);
	cgroup_warnings_free(w);
	w = NULL;
	err_free(e);
	e = NULL;

	/* no cgroup.controllers at all: not enabled */
	{
		_cleanup_free_ char *p =
		    xasprintf("%s/cgroup.controllers", cg.path);

		(void) unlink(p);
	}
	memset(&l, 0, sizeof(l));
	l.memory_reservation = MiB;
	ok(cgroup_v2_ops.set(&cg, &l, false, &w, &e) == 0 &&
	       count_warnings(w) == 1 &&
	       strstr(w[0], "--memory-reservation is ignored: the memory "
			    "controller is not enabled in"),
	   "memory.low missing: the memory controller is not enabled");
	cgroup_warnings_free(w);
	w = NULL;
	err_free(e);
	e = NULL;

	for (const char *const *f =
		 (const char *const[]){"cgroup.controllers", "memory.max",
				       "cpu.max", NULL};
	     *f; f++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", cg.path, *f);
		(void) unlink(p);
	}
	ok(cgroup_v2_ops.rmdirs(&cg, &e) == 0, "v2 rmdirs of the bare cgroup");
	ok(access(cg.path, F_OK) < 0 && errno == ENOENT, "it is gone");
	err_free(e);
	e = NULL;

	free(cg.path);
	cg.path = xasprintf("%s/no/such/parent", parent);
	rc = cgroup_v2_ops.mkdirs(&cg, &e);
	is_err(rc, e, ENOENT, cg.path, NULL,
	       "v2 mkdirs below a missing parent fails, naming it");
	cgroup_release(&cg);
}

static void test_v2_freeze_stats(const char *tmp)
{
	struct cgroup cg;
	struct cgroup_stats st;
	struct err *e = NULL;
	int rc;

	fake_v2(&cg, tmp, "f");
	wfile(cg.path, "cgroup.events", "populated 1\nfrozen 1\n");
	is_int(cgroup_v2_ops.freeze(&cg, true, &e), 0, "v2 freeze");
	is_file(cg.path, "cgroup.freeze", "1", "cgroup.freeze is 1");
	wfile(cg.path, "cgroup.events", "populated 1\nfrozen 0\n");
	is_int(cgroup_v2_ops.freeze(&cg, false, &e), 0, "v2 thaw");
	is_file(cg.path, "cgroup.freeze", "0", "cgroup.freeze is 0");
	rc = cgroup_v2_ops.freeze(&cg, true, &e);
	is_err(rc, e, ETIMEDOUT, "cannot freeze the cgroup", cg.path,
	       "a freeze that never completes times out");
	e = NULL;
	is_file(cg.path, "cgroup.freeze", "0", "and is undone");

	memset(&st, 0xff, sizeof(st));
	is_int(cgroup_v2_ops.stats(&cg, &st, &e), 0, "v2 stats, no stat files");
	ok(!st.cpu_ns && !st.mem_usage && !st.mem_limit && !st.pids &&
	       !st.blk_read && !st.blk_write,
	   "missing files are zeros");
	wfile(cg.path, "cpu.stat",
	      "usage_usec 1500\nuser_usec 1000\n"
	      "system_usec 500\n");
	wfile(cg.path, "memory.current", "1000000\n");
	wfile(cg.path, "memory.stat",
	      "anon 10\nfile 600000\nactive_file 7\n"
	      "inactive_file 400000\n");
	wfile(cg.path, "memory.max", "max\n");
	wfile(cg.path, "pids.current", "3\n");
	wfile(cg.path, "io.stat",
	      "8:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n"
	      "8:16 rbytes=1 wbytes=2 rios=0 wios=0 dbytes=0 dios=0\n");
	is_int(cgroup_v2_ops.stats(&cg, &st, &e), 0, "v2 stats");
	is_int(st.cpu_ns, 1500000, "cpu_ns from usage_usec");
	is_int(st.mem_usage, 600000, "mem_usage less inactive_file");
	is_int(st.mem_limit, 0, "memory.max 'max' is no limit");
	is_int(st.pids, 3, "pids.current");
	is_int(st.blk_read, 101, "rbytes summed");
	is_int(st.blk_write, 202, "wbytes summed");
	wfile(cg.path, "memory.max", "536870912\n");
	wfile(cg.path, "memory.stat", "inactive_file 2000000\n");
	(void) cgroup_v2_ops.stats(&cg, &st, &e);
	is_int(st.mem_limit, 536870912, "memory.max");
	is_int(st.mem_usage, 0, "mem_usage never below 0");

	is_int(cgroup_v2_ops.oom_kills(&cg), 0,
	       "no memory.events: 0 OOM kills");
	wfile(cg.path, "memory.events",
	      "low 0\nhigh 0\nmax 4\noom 2\n"
	      "oom_kill 1\noom_group_kill 0\n");
	is_int(cgroup_v2_ops.oom_kills(&cg), 1, "oom_kill of memory.events");
	cgroup_release(&cg);
}

static void test_v2_kill_rmdirs(const char *tmp)
{
	struct cgroup cg;
	struct err *e = NULL;
	_cleanup_free_ char *p = NULL;
	pid_t pid;
	int rc;

	fake_v2(&cg, tmp, "k");
	cgroup_v2_ops.kill(&cg);
	is_file(cg.path, "cgroup.kill", "1", "v2 kill writes cgroup.kill");

	/* before 5.14: SIGKILL for each pid of cgroup.procs */
	p = xasprintf("%s/cgroup.kill", cg.path);
	(void) unlink(p);
	pid = sleeper();
	if (pid > 0) {
		_cleanup_free_ char *procs = xasprintf("%d\n", (int) pid);

		wfile(cg.path, "cgroup.procs", procs);
		cgroup_v2_ops.kill(&cg);
		ok(killed(reap(pid)),
		   "without cgroup.kill, listed processes are SIGKILLed");
	}
	cgroup_release(&cg);

	/* rmdirs takes the container's own sub-cgroups first */
	memset(&cg, 0, sizeof(cg));
	cg.path = xasprintf("%s/v2/r", tmp);
	mkdir_or_die(cg.path);
	free(p);
	p = xasprintf("%s/a", cg.path);
	mkdir_or_die(p);
	free(p);
	p = xasprintf("%s/a/b", cg.path);
	mkdir_or_die(p);
	free(p);
	p = xasprintf("%s/c", cg.path);
	mkdir_or_die(p);
	if (!ok(cgroup_v2_ops.rmdirs(&cg, &e) == 0, "v2 rmdirs with children"))
		tap_diag("  %s", e->msg);
	ok(access(cg.path, F_OK) < 0 && errno == ENOENT, "all gone");
	ok(cgroup_v2_ops.rmdirs(&cg, &e) == 0, "v2 rmdirs of a gone cgroup");
	err_free(e);
	e = NULL;
	mkdir_or_die(cg.path);
	wfile(cg.path, "stray", "");
	rc = cgroup_v2_ops.rmdirs(&cg, &e);
	is_err(rc, e, ENOTEMPTY, cg.path, NULL,
	       "an rmdir that fails names the cgroup");
	free(p);
	p = xasprintf("%s/stray", cg.path);
	(void) unlink(p);
	(void) rmdir(cg.path);
	cgroup_release(&cg);
}

/* ---- v1 on a fake tree ------------------------------------------------------
 */

/* mkdir -p for the test's own directories */
static void mkdirs_p(const char *p)
{
	struct err *e = NULL;

	if (mkdir_p(p, 0755, &e) < 0) {
		ok(false, "%s", e->msg);
		exit(1);
	}
}

/*
 * TMP/v1/<hierarchy>/p/c for each hierarchy; cpu and cpuacct co-mounted
 * as "cpu,cpuacct". The cpuset parent p has cpus and mems.
 */
static void fake_v1(struct cgroup *cg, const char *tmp, const char *leaf)
{
	static const char *const ctrls[][2] = {
	    {"memory", "memory"},	{"cpu", "cpu,cpuacct"},
	    {"cpuacct", "cpu,cpuacct"}, {"cpuset", "cpuset"},
	    {"pids", "pids"},		{"freezer", "freezer"},
	    {"devices", "devices"},	{"blkio", "blkio"},
	};

	memset(cg, 0, sizeof(*cg));
	cg->version = 1;
	cg->path = xasprintf("/p/%s", leaf);
	for (size_t i = 0; i < ARRAY_SIZE(ctrls); i++) {
		_cleanup_free_ char *d =
		    xasprintf("%s/v1/%s/p/%s", tmp, ctrls[i][1], leaf);

		add_dir(cg, ctrls[i][0], d);
	}
}

static void test_v1_mkdirs(const char *tmp)
{
	static const char *const cpuset_files[] = {"cpuset.cpus", "cpuset.mems",
						   NULL};
	struct cgroup cg;
	struct err *e = NULL;
	_cleanup_free_ char *root = xasprintf("%s/v1/cpuset", tmp);
	_cleanup_free_ char *p = xasprintf("%s/v1/cpuset/p", tmp);
	_cleanup_free_ char *c = xasprintf("%s/v1/cpuset/p/c", tmp);
	_cleanup_free_ char *q = xasprintf("%s/v1/cpuset/q", tmp);
	_cleanup_free_ char *qc = xasprintf("%s/v1/cpuset/q/c", tmp);

	fake_v1(&cg, tmp, "c");
	/* the kernel's files of an existing parent and a new child */
	mkdirs_p(c);
	wfile(root, "cpuset.cpus", "0-7\n");
	wfile(root, "cpuset.mems", "0-1\n");
	wfile(p, "cpuset.cpus", "0-3\n");
	wfile(p, "cpuset.mems", "0\n");
	empty_files(c, cpuset_files);
	if (!ok(cgroup_v1_ops.mkdirs(&cg, &e) == 0, "v1 mkdirs"))
		tap_diag("  %s", e->msg);
	for (size_t i = 0; i < cg.ndirs; i++) {
		struct stat sb;

		ok(stat(cg.dirs[i].dir, &sb) == 0 && S_ISDIR(sb.st_mode),
		   "v1 mkdirs made %s", cg.dirs[i].dir + strlen(tmp));
	}
	is_file(c, "cpuset.cpus", "0-3",
		"a new cpuset cgroup gets the "
		"parent's cpus");
	is_file(c, "cpuset.mems", "0", "and mems");
	is_file(p, "cpuset.cpus", "0-3\n", "the parent is left alone");

	/* an empty parent husk did not make is never written */
	mkdirs_p(qc);
	empty_files(q, cpuset_files);
	empty_files(qc, cpuset_files);
	free(cg.dirs[3].dir);
	cg.dirs[3].dir = xstrdup(qc);
	ok(cgroup_v1_ops.mkdirs(&cg, &e) == 0, "v1 mkdirs again: EEXIST");
	is_file(q, "cpuset.cpus", "", "a parent husk did not make stays as is");
	is_file(qc, "cpuset.cpus", "", "and the child has nothing to copy");
	cgroup_release(&cg);
}

/* The files a v1 set writes, empty, in the fake tree CG. */
static void v1_empty_files(const struct cgroup *cg)
{
	static const char *const files[][2] = {
	    {"memory", "memory.limit_in_bytes"},
	    {"memory", "memory.soft_limit_in_bytes"},
	    {"cpu", "cpu.shares"},
	    {"cpu", "cpu.cfs_period_us"},
	    {"cpu", "cpu.cfs_quota_us"},
	    {"cpuset", "cpuset.cpus"},
	    {"cpuset", "cpuset.mems"},
	    {"pids", "pids.max"},
	    {"devices", "devices.allow"},
	    {"devices", "devices.deny"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		wfile(cg_v1_dir(cg, files[i][0]), files[i][1], "");
}

static void v1_every_limit(struct cgroup_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->memory = 64 * MiB;
	l->memory_swap = 128 * MiB;
	l->memory_reservation = 32 * MiB;
	l->cpu_shares = 512;
	l->cpu_quota = 25000;
	l->cpu_period = 50000;
	l->cpuset_cpus = xstrdup("0-1");
	l->cpuset_mems = xstrdup("0");
	l->pids = 5;
	l->blkio_weight = 500;
	cgroup_limits_default_devices(l);
}

static void test_v1_set(const char *tmp)
{
	struct cgroup cg;
	struct cgroup_limits l;
	cgroup_warnings w = NULL;
	const char *mem, *cpu, *cpuset, *dev;

	fake_v1(&cg, tmp, "c");
	mem = cg_v1_dir(&cg, "memory");
	cpu = cg_v1_dir(&cg, "cpu");
	cpuset = cg_v1_dir(&cg, "cpuset");
	dev = cg_v1_dir(&cg, "devices");
	is_str(cg_v1_dir(&cg, "cpuacct"), cpu, "cg_v1_dir: co-mounted");
	ok(!cg_v1_dir(&cg, "hugetlb"), "cg_v1_dir: NULL for an unknown one");
	v1_empty_files(&cg);
	v1_every_limit(&l);
	v1_set_ok(&cg, &l, false, &w, "every limit");
	is_file(mem, "memory.limit_in_bytes", "67108864",
		"memory.limit_in_bytes");
	is_file(mem, "memory.soft_limit_in_bytes", "33554432",
		"memory.soft_limit_in_bytes");
	is_file(cpu, "cpu.shares", "512", "cpu.shares");
	is_file(cpu, "cpu.cfs_period_us", "50000", "cpu.cfs_period_us");
	is_file(cpu, "cpu.cfs_quota_us", "25000", "cpu.cfs_quota_us");
	is_file(cpuset, "cpuset.cpus", "0-1", "cpuset.cpus");
	is_file(cpuset, "cpuset.mems", "0", "cpuset.mems");
	is_file(cg_v1_dir(&cg, "pids"), "pids.max", "5", "pids.max");
	is_file(dev, "devices.deny", "a *:* rwm", "devices.deny: deny all");
	is_file(dev, "devices.allow", "c 10:200 rwm",
		"devices.allow: the last rule written last");
	ok(has_warning(w, "--memory-swap is ignored: the host has no swap "
			  "accounting (memory.memsw.limit_in_bytes)"),
	   "no memsw: a warning");
	ok(has_warning(w, "--blkio-weight is ignored: blkio.weight does not "
			  "exist on this host (the I/O scheduler has no "
			  "weights)"),
	   "no blkio.weight: a warning");
	if (!is_int(count_warnings(w), 2, "two warnings"))
		show_warnings(w);
	cgroup_warnings_free(w);
	cgroup_limits_release(&l);
	cgroup_release(&cg);
}

/* With swap accounting and BFQ, unlimited values, an update, a write
 * that fails. */
static void test_v1_set_more(const char *tmp)
{
	struct cgroup cg;
	struct cgroup_limits l;
	cgroup_warnings w = NULL;
	struct err *e = NULL;
	const char *mem, *cpu, *pids, *dev;
	_cleanup_free_ char *p = NULL;
	int rc;

	fake_v1(&cg, tmp, "c");
	mem = cg_v1_dir(&cg, "memory");
	cpu = cg_v1_dir(&cg, "cpu");
	pids = cg_v1_dir(&cg, "pids");
	dev = cg_v1_dir(&cg, "devices");
	v1_empty_files(&cg);
	wfile(mem, "memory.memsw.limit_in_bytes", "");
	wfile(cg_v1_dir(&cg, "blkio"), "blkio.bfq.weight", "");
	v1_every_limit(&l);
	l.pids = -1;
	l.cpu_quota = -1;
	v1_set_ok(&cg, &l, false, &w, "memsw and bfq present");
	is_file(mem, "memory.memsw.limit_in_bytes", "134217728",
		"memory.memsw.limit_in_bytes");
	is_file(cg_v1_dir(&cg, "blkio"), "blkio.bfq.weight", "500",
		"blkio.bfq.weight");
	is_file(pids, "pids.max", "max", "pids -1 is max");
	is_file(cpu, "cpu.cfs_quota_us", "-1", "quota -1");
	if (!is_int(count_warnings(w), 0, "no warnings"))
		show_warnings(w);
	cgroup_warnings_free(w);
	w = NULL;

	v1_empty_files(&cg);
	v1_set_ok(&cg, &l, true, &w, "an update");
	is_file(dev, "devices.deny", "", "an update leaves devices alone");
	cgroup_limits_release(&l);

	/* a kernel refusal is an error */
	p = xasprintf("%s/pids.max", pids);
	(void) unlink(p);
	if (symlink("/dev/full", p) < 0)
		ok(false, "symlink: %s", strerror(errno));
	memset(&l, 0, sizeof(l));
	l.pids = 7;
	rc = cgroup_v1_ops.set(&cg, &l, false, &w, &e);
	is_err(rc, e, ENOSPC, "cannot write '7' to", p,
	       "v1: a write that fails is an error naming file and value");
	(void) unlink(p);
	cgroup_warnings_free(w);
	cgroup_release(&cg);
}

static void test_v1_no_hierarchy(const char *tmp)
{
	struct cgroup cg;
	struct cgroup_limits l;
	cgroup_warnings w = NULL;
	struct err *e = NULL;
	_cleanup_free_ char *d = xasprintf("%s/v1/freezer/p/c", tmp);
	static const char *const want[] = {
	    "--memory is ignored: no memory cgroup hierarchy is mounted",
	    "--memory-reservation is ignored: no memory cgroup hierarchy is "
	    "mounted",
	    "--cpu-shares is ignored: no cpu cgroup hierarchy is mounted",
	    "--cpuset-mems is ignored: no cpuset cgroup hierarchy is mounted",
	    "--pids-limit is ignored: no pids cgroup hierarchy is mounted",
	    "--blkio-weight is ignored: no blkio cgroup hierarchy is mounted",
	    "device rules are not applied: no devices cgroup hierarchy is "
	    "mounted",
	};

	memset(&cg, 0, sizeof(cg));
	add_dir(&cg, "freezer", d);
	memset(&l, 0, sizeof(l));
	l.memory = 8 * MiB;
	l.memory_reservation = MiB;
	l.cpu_shares = 100;
	l.cpuset_mems = "0";
	l.pids = 3;
	l.blkio_weight = 100;
	l.has_devices = true;
	v1_set_ok(&cg, &l, false, &w, "no hierarchies but the freezer");
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		ok(has_warning(w, want[i]), "warning: %s", want[i]);
	if (!is_int(count_warnings(w), ARRAY_SIZE(want), "one line each"))
		show_warnings(w);
	cgroup_warnings_free(w);

	free(cg.dirs[0].ctrl);
	cg.dirs[0].ctrl = xstrdup("memory");
	ok(cgroup_v1_ops.freeze(&cg, true, &e) < 0 && e &&
	       !strcmp(e->msg, "no freezer cgroup"),
	   "freeze without a freezer: 'no freezer cgroup'");
	err_free(e);
	cgroup_release(&cg);
}

static void test_v1_freeze_stats(const char *tmp)
{
	struct cgroup cg;
	struct cgroup_stats st;
	struct err *e = NULL;
	const char *fr, *mem, *blk;

	fake_v1(&cg, tmp, "s");
	if (!ok(cgroup_v1_ops.mkdirs(&cg, &e) == 0, "v1 mkdirs"))
		tap_diag("  %s", e->msg);
	fr = cg_v1_dir(&cg, "freezer");
	mem = cg_v1_dir(&cg, "memory");
	blk = cg_v1_dir(&cg, "blkio");
	wfile(fr, "freezer.state", "THAWED\n");
	is_int(cgroup_v1_ops.freeze(&cg, true, &e), 0, "v1 freeze");
	is_file(fr, "freezer.state", "FROZEN\n", "freezer.state FROZEN");
	is_int(cgroup_v1_ops.freeze(&cg, false, &e), 0, "v1 thaw");
	is_file(fr, "freezer.state", "THAWED\n", "freezer.state THAWED");

	memset(&st, 0xff, sizeof(st));
	is_int(cgroup_v1_ops.stats(&cg, &st, &e), 0, "v1 stats, no stat files");
	ok(!st.cpu_ns && !st.mem_usage && !st.mem_limit && !st.pids &&
	       !st.blk_read && !st.blk_write,
	   "missing files are zeros");
	wfile(cg_v1_dir(&cg, "cpuacct"), "cpuacct.usage", "123456789\n");
	wfile(mem, "memory.usage_in_bytes", "1000000\n");
	wfile(mem, "memory.stat",
	      "cache 5\ninactive_file 1\ntotal_cache 5\n"
	      "total_inactive_file 300000\n");
	wfile(mem, "memory.limit_in_bytes", "9223372036854771712\n");
	wfile(cg_v1_dir(&cg, "pids"), "pids.current", "2\n");
	wfile(blk, "blkio.throttle.io_service_bytes",
	      "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Async 12288\n"
	      "8:0 Discard 0\n8:0 Total 12288\n8:16 Read 1\n8:16 Write 2\n"
	      "8:16 Total 3\nTotal 12291\n");
	is_int(cgroup_v1_ops.stats(&cg, &st, &e), 0, "v1 stats");
	is_int(st.cpu_ns, 123456789, "cpu_ns from cpuacct.usage");
	is_int(st.mem_usage, 700000, "usage less total_inactive_file");
	is_int(st.mem_limit, 0, "the v1 'unlimited' is no limit");
	is_int(st.pids, 2, "pids.current");
	is_int(st.blk_read, 4097, "Read lines summed");
	is_int(st.blk_write, 8194, "Write lines summed");
	wfile(mem, "memory.limit_in_bytes", "67108864\n");
	wfile(mem, "memory.stat", "total_inactive_file 3000000\n");
	(void) cgroup_v1_ops.stats(&cg, &st, &e);
	is_int(st.mem_limit, 67108864, "memory.limit_in_bytes");
	is_int(st.mem_usage, 0, "mem_usage never below 0");

	is_int(cgroup_v1_ops.oom_kills(&cg), 0, "no memory.oom_control: 0");
	wfile(mem, "memory.oom_control",
	      "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
	is_int(cgroup_v1_ops.oom_kills(&cg), 3,
	       "oom_kill of memory.oom_control");
	cgroup_release(&cg);
}

static void test_v1_kill_rmdirs(const char *tmp)
{
	struct cgroup cg;
	struct err *e = NULL;
	pid_t pid;

	fake_v1(&cg, tmp, "c");
	wfile(cg_v1_dir(&cg, "freezer"), "freezer.state", "THAWED\n");
	pid = sleeper();
	if (pid > 0) {
		_cleanup_free_ char *procs = xasprintf("%d\n", (int) pid);

		wfile(cg_v1_dir(&cg, "pids"), "cgroup.procs", procs);
		cgroup_v1_ops.kill(&cg);
		ok(killed(reap(pid)),
		   "v1 kill: listed processes are SIGKILLed");
		is_file(cg_v1_dir(&cg, "freezer"), "freezer.state", "THAWED\n",
			"and the cgroup is thawed after");
	}
	cgroup_release(&cg);

	fake_v1(&cg, tmp, "gone");
	if (!ok(cgroup_v1_ops.mkdirs(&cg, &e) == 0, "v1 mkdirs"))
		tap_diag("  %s", e->msg);
	if (!ok(cgroup_v1_ops.rmdirs(&cg, &e) == 0,
		"v1 rmdirs (a co-mounted directory once)"))
		tap_diag("  %s", e->msg);
	for (size_t i = 0; i < cg.ndirs; i++)
		ok(access(cg.dirs[i].dir, F_OK) < 0 && errno == ENOENT,
		   "%s is gone", cg.dirs[i].dir + strlen(tmp));
	ok(cgroup_v1_ops.rmdirs(&cg, &e) == 0,
	   "v1 rmdirs again: ENOENT is fine");
	cgroup_release(&cg);
}

int main(void)
{
	char tmp[] = "/tmp/test-cgroup.XXXXXX";
	struct err *e = NULL;

	if (!mkdtemp(tmp))
		tap_skip_all("mkdtemp failed");
	test_limits_messages();
	test_limits_boundaries();
	test_limits_json();
	test_default_devices();
	test_v2_set(tmp);
	test_v2_update(tmp);
	test_v2_missing(tmp);
	test_v2_freeze_stats(tmp);
	test_v2_kill_rmdirs(tmp);
	test_v1_mkdirs(tmp);
	test_v1_set(tmp);
	test_v1_set_more(tmp);
	test_v1_no_hierarchy(tmp);
	test_v1_freeze_stats(tmp);
	test_v1_kill_rmdirs(tmp);
	if (rm_rf_at(AT_FDCWD, tmp, &e) < 0) {
		tap_diag("%s", e->msg);
		err_free(e);
	}
	return tap_done();
}
