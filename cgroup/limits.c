/*
 * limits.c - an OCI spec's linux.resources to struct cgroup_limits and
 * back, with the ranges the kernel (and docker) accept, and docker's
 * default device rules.
 *
 * Every value is checked here, once, so the backends can write what they
 * get: a refused value names its field the way the spec spells it
 * ("linux.resources.cpu.shares: 1 is out of range (2-262144)").
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "cgroup/cgroup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* docker: "Minimum memory limit allowed is 6MB" (linuxMinMemory, MiB) */
#define MIN_MEMORY (6 * 1024 * 1024)

/* Where a value sits in linux.resources, for messages. */
struct field {
	const char *sect; /* "memory", "devices[2]" */
	const char *key;  /* "limit" */
};

/* KEY of OBJ, NULL when missing or JSON null (Go's omitempty writes
 * neither, but hand-written specs do). */
static const cJSON *member(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsNull(v) ? NULL : v;
}

/* Returns 1 with *out set, 0 when the field is missing, <0 when it is
 * not an integer. */
static int get_int(const cJSON *obj, struct field f, int64_t *out,
		   struct err **e)
{
	if (!member(obj, f.key))
		return 0;
	if (json_int64(obj, f.key, out) < 0)
		return err_cause(e, EINVAL,
				 "linux.resources.%s.%s: not an integer",
				 f.sect, f.key);
	return 1;
}

/*
 * An integer in LO..HI (HI INT64_MAX: no upper bound), or -1 when
 * MINUS_ONE. Returns 1 with *out set, 0 when missing, <0 otherwise.
 */
static int get_ranged(const cJSON *obj, struct field f, int64_t lo, int64_t hi,
		      bool minus_one, int64_t *out, struct err **e)
{
	int64_t v = 0;
	int r = get_int(obj, f, &v, e);

	if (r <= 0)
		return r;
	if ((v >= lo && v <= hi) || (minus_one && v == -1)) {
		*out = v;
		return 1;
	}
	if (hi == INT64_MAX)
		return err_cause(e, ERANGE,
				 "linux.resources.%s.%s: %" PRId64
				 " is out of range (%sat least %" PRId64 ")",
				 f.sect, f.key, v, minus_one ? "-1 or " : "",
				 lo);
	return err_cause(e, ERANGE,
			 "linux.resources.%s.%s: %" PRId64
			 " is out of range (%s%" PRId64 "-%" PRId64 ")",
			 f.sect, f.key, v, minus_one ? "-1 or " : "", lo, hi);
}

/* Returns 1 with *out set to the section object, 0 when it is missing. */
static int get_section(const cJSON *res, const char *name, const cJSON **out,
		       struct err **e)
{
	const cJSON *v = member(res, name);

	if (!v)
		return 0;
	if (!cJSON_IsObject(v))
		return err_cause(e, EINVAL, "linux.resources.%s: not an object",
				 name);
	*out = v;
	return 1;
}

static int parse_swap(const cJSON *m, struct cgroup_limits *l, struct err **e)
{
	struct field f = {"memory", "swap"};
	int64_t v = 0;
	int r = get_int(m, f, &v, e);

	if (r <= 0 || v == -1) {
		if (r > 0)
			l->memory_swap = -1;
		return r;
	}
	/* The v1 kernel refuses memsw below the memory limit, and without
	 * one there is no "memory" to take from the v2 swap value. */
	if (!l->memory)
		return err_cause(e, EINVAL,
				 "linux.resources.memory.swap: %" PRId64
				 " needs memory.limit as well",
				 v);
	if (v < l->memory)
		return err_cause(e, ERANGE,
				 "linux.resources.memory.swap: %" PRId64
				 " is less than memory.limit (%" PRId64
				 "): it must be at least that, or -1",
				 v, l->memory);
	l->memory_swap = v;
	return 1;
}

static int parse_memory(const cJSON *res, struct cgroup_limits *l,
			struct err **e)
{
	const cJSON *m = NULL;
	int r = get_section(res, "memory", &m, e);

	if (r <= 0)
		return r;
	if (get_ranged(m, (struct field){"memory", "limit"}, MIN_MEMORY,
		       INT64_MAX, false, &l->memory, e) < 0 ||
	    get_ranged(m, (struct field){"memory", "reservation"}, 1, INT64_MAX,
		       false, &l->memory_reservation, e) < 0)
		return -EINVAL - 1;
	/* docker: "Minimum memory limit can not be less than memory
	 * reservation limit" */
	if (l->memory && l->memory_reservation > l->memory)
		return err_cause(e, ERANGE,
				 "linux.resources.memory.reservation: %" PRId64
				 " is more than memory.limit (%" PRId64 ")",
				 l->memory_reservation, l->memory);
	return parse_swap(m, l, e);
}

/* A cpuset list as the kernel takes it ("0-3,5"); "" is "not set". */
static int get_cpuset(const cJSON *c, const char *key, char **out,
		      struct err **e)
{
	const cJSON *v = member(c, key);
	const char *s;

	if (!v)
		return 0;
	if (!cJSON_IsString(v))
		return err_cause(e, EINVAL,
				 "linux.resources.cpu.%s: not a string", key);
	s = v->valuestring;
	if (!*s)
		return 0;
	if (s[strspn(s, "0123456789,-")])
		return err_cause(
		    e, EINVAL,
		    "linux.resources.cpu.%s: '%s' is not a list of "
		    "numbers and ranges (as in 0-2,4)",
		    key, s);
	*out = xstrdup(s);
	return 1;
}

static int parse_cpu(const cJSON *res, struct cgroup_limits *l, struct err **e)
{
	const cJSON *c = NULL;
	int64_t shares = 0, period = 0;
	int r = get_section(res, "cpu", &c, e);

	if (r <= 0)
		return r;
	if (get_ranged(c, (struct field){"cpu", "shares"}, 2, 262144, false,
		       &shares, e) < 0 ||
	    get_ranged(c, (struct field){"cpu", "quota"}, 1000, INT64_MAX, true,
		       &l->cpu_quota, e) < 0 ||
	    get_ranged(c, (struct field){"cpu", "period"}, 1000, 1000000, false,
		       &period, e) < 0 ||
	    get_cpuset(c, "cpus", &l->cpuset_cpus, e) < 0 ||
	    get_cpuset(c, "mems", &l->cpuset_mems, e) < 0)
		return -EINVAL - 1;
	l->cpu_shares = (uint64_t) shares;
	l->cpu_period = (uint64_t) period;
	return 1;
}

static int parse_pids(const cJSON *res, struct cgroup_limits *l, struct err **e)
{
	const cJSON *p = NULL;
	int r = get_section(res, "pids", &p, e);

	if (r <= 0)
		return r;
	/* The spec: "0 or -1 means unlimited"; runc and crun agree. */
	if (member(p, "limit") && json_int64(p, "limit", &l->pids) == 0 &&
	    l->pids == 0) {
		l->pids = -1;
		return 1;
	}
	return get_ranged(p, (struct field){"pids", "limit"}, 1, INT64_MAX,
			  true, &l->pids, e);
}

static int parse_blkio(const cJSON *res, struct cgroup_limits *l,
		       struct err **e)
{
	const cJSON *b = NULL;
	int64_t w = 0;
	int r = get_section(res, "blockIO", &b, e);

	if (r <= 0)
		return r;
	r = get_ranged(b, (struct field){"blockIO", "weight"}, 10, 1000, false,
		       &w, e);
	l->blkio_weight = (uint16_t) w;
	return r;
}

static int dev_type(const cJSON *d, const char *sect, char *out, struct err **e)
{
	const cJSON *v = member(d, "type");

	*out = 'a';
	if (!v)
		return 0;
	if (!cJSON_IsString(v) || strlen(v->valuestring) != 1 ||
	    !strchr("abc", v->valuestring[0]))
		return err_cause(
		    e, EINVAL,
		    "linux.resources.%s.type: %s%s%s is not a, b or c", sect,
		    cJSON_IsString(v) ? "'" : "",
		    cJSON_IsString(v) ? v->valuestring : "the value",
		    cJSON_IsString(v) ? "'" : "");
	*out = v->valuestring[0];
	return 0;
}

/* Some of "rwm", written back in that order whatever the input's. */
static int dev_access(const cJSON *d, const char *sect, char out[4],
		      struct err **e)
{
	const cJSON *v = member(d, "access");
	const char *s;
	size_t n = 0;

	if (!v) {
		memcpy(out, "rwm", 4);
		return 0;
	}
	s = cJSON_IsString(v) ? v->valuestring : NULL;
	if (!s || !*s || s[strspn(s, "rwm")])
		return err_cause(
		    e, EINVAL,
		    "linux.resources.%s.access: %s%s%s is not some "
		    "of r, w and m",
		    sect, s ? "'" : "", s ? s : "the value", s ? "'" : "");
	for (const char *c = "rwm"; *c; c++)
		if (strchr(s, *c))
			out[n++] = *c;
	out[n] = '\0';
	return 0;
}

static int parse_device(const cJSON *d, size_t i, struct cgroup_dev *dev,
			struct err **e)
{
	_cleanup_free_ char *sect = xasprintf("devices[%zu]", i);

	if (!cJSON_IsObject(d))
		return err_cause(e, EINVAL, "linux.resources.%s: not an object",
				 sect);
	if (!cJSON_IsBool(member(d, "allow")))
		return err_cause(e, EINVAL,
				 "linux.resources.%s.allow: missing or not a "
				 "boolean",
				 sect);
	dev->allow = cJSON_IsTrue(member(d, "allow"));
	dev->major = dev->minor = -1;
	if (dev_type(d, sect, &dev->type, e) < 0 ||
	    get_ranged(d, (struct field){sect, "major"}, 0, UINT32_MAX, true,
		       &dev->major, e) < 0 ||
	    get_ranged(d, (struct field){sect, "minor"}, 0, UINT32_MAX, true,
		       &dev->minor, e) < 0 ||
	    dev_access(d, sect, dev->access, e) < 0)
		return -EINVAL - 1;
	return 0;
}

static int parse_devices(const cJSON *res, struct cgroup_limits *l,
			 struct err **e)
{
	const cJSON *arr = member(res, "devices");
	size_t n;

	if (!arr)
		return 0;
	if (!cJSON_IsArray(arr))
		return err_cause(e, EINVAL,
				 "linux.resources.devices: not an array");
	n = (size_t) cJSON_GetArraySize(arr);
	l->has_devices = true;
	l->devices = n ? xcalloc(n, sizeof(*l->devices)) : NULL;
	for (size_t i = 0; i < n; i++) {
		if (parse_device(cJSON_GetArrayItem(arr, (int) i), i,
				 &l->devices[i], e) < 0)
			return -EINVAL - 1;
		l->ndevices++;
	}
	return 1;
}

int cgroup_limits_parse(const cJSON *res, struct cgroup_limits *l,
			struct err **e)
{
	memset(l, 0, sizeof(*l));
	if (!res || cJSON_IsNull(res))
		return 0;
	if (!cJSON_IsObject(res))
		return err_cause(e, EINVAL, "linux.resources: not an object");
	if (parse_memory(res, l, e) < 0 || parse_cpu(res, l, e) < 0 ||
	    parse_pids(res, l, e) < 0 || parse_blkio(res, l, e) < 0 ||
	    parse_devices(res, l, e) < 0) {
		cgroup_limits_release(l);
		return -EINVAL - 1;
	}
	return 0;
}

static cJSON *add_obj(cJSON *res, const char *name)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(res, name);

	return o ? o : cJSON_AddObjectToObject(res, name);
}

static void add_num(cJSON *res, const char *sect, const char *key, int64_t v)
{
	if (v)
		cJSON_AddNumberToObject(add_obj(res, sect), key, (double) v);
}

static void add_devices(cJSON *res, const struct cgroup_limits *l)
{
	cJSON *arr = cJSON_AddArrayToObject(res, "devices");

	for (size_t i = 0; i < l->ndevices; i++) {
		const struct cgroup_dev *d = &l->devices[i];
		cJSON *o = cJSON_CreateObject();
		char type[2] = {d->type, '\0'};

		cJSON_AddBoolToObject(o, "allow", d->allow);
		cJSON_AddStringToObject(o, "type", type);
		if (d->major >= 0)
			cJSON_AddNumberToObject(o, "major", (double) d->major);
		if (d->minor >= 0)
			cJSON_AddNumberToObject(o, "minor", (double) d->minor);
		cJSON_AddStringToObject(o, "access", d->access);
		cJSON_AddItemToArray(arr, o);
	}
}

cJSON *cgroup_limits_json(const struct cgroup_limits *l)
{
	cJSON *res = cJSON_CreateObject();

	add_num(res, "memory", "limit", l->memory);
	add_num(res, "memory", "reservation", l->memory_reservation);
	add_num(res, "memory", "swap", l->memory_swap);
	add_num(res, "cpu", "shares", (int64_t) l->cpu_shares);
	add_num(res, "cpu", "quota", l->cpu_quota);
	add_num(res, "cpu", "period", (int64_t) l->cpu_period);
	if (l->cpuset_cpus)
		cJSON_AddStringToObject(add_obj(res, "cpu"), "cpus",
					l->cpuset_cpus);
	if (l->cpuset_mems)
		cJSON_AddStringToObject(add_obj(res, "cpu"), "mems",
					l->cpuset_mems);
	add_num(res, "pids", "limit", l->pids);
	add_num(res, "blockIO", "weight", l->blkio_weight);
	if (l->has_devices)
		add_devices(res, l);
	return res;
}

bool cgroup_limits_any(const struct cgroup_limits *l)
{
	return l->memory || l->memory_swap || l->memory_reservation ||
	       l->cpu_shares || l->cpu_quota || l->cpu_period ||
	       l->cpuset_cpus || l->cpuset_mems || l->pids || l->blkio_weight;
}

void cgroup_limits_release(struct cgroup_limits *l)
{
	if (!l)
		return;
	free(l->cpuset_cpus);
	free(l->cpuset_mems);
	free(l->devices);
	memset(l, 0, sizeof(*l));
}

/* docker's DefaultLinuxSpec (oci/defaults.go) for an unprivileged
 * container, in its order: deny all, mknod of any char and block
 * device, then null, zero, full, random, urandom, tty, console, ptmx,
 * the pts devices and tun. */
void cgroup_limits_default_devices(struct cgroup_limits *l)
{
	static const struct cgroup_dev defaults[] = {
	    {false, 'a', -1, -1, "rwm"}, {true, 'c', -1, -1, "m"},
	    {true, 'b', -1, -1, "m"},	 {true, 'c', 1, 3, "rwm"}, /* null */
	    {true, 'c', 1, 5, "rwm"},				   /* zero */
	    {true, 'c', 1, 7, "rwm"},				   /* full */
	    {true, 'c', 1, 8, "rwm"},				   /* random */
	    {true, 'c', 1, 9, "rwm"},				   /* urandom */
	    {true, 'c', 5, 0, "rwm"},				   /* tty */
	    {true, 'c', 5, 1, "rwm"},				   /* console */
	    {true, 'c', 5, 2, "rwm"},				   /* ptmx */
	    {true, 'c', 136, -1, "rwm"},			   /* pts/N */
	    {true, 'c', 10, 200, "rwm"},			   /* net/tun */
	};
	size_t n = ARRAY_SIZE(defaults);

	l->devices =
	    xrealloc(l->devices, (l->ndevices + n) * sizeof(*l->devices));
	memcpy(l->devices + l->ndevices, defaults, sizeof(defaults));
	l->ndevices += n;
	l->has_devices = true;
}
