/*
 * The resource flags `run` and `update` share (--memory, --cpus, ...):
 * each value is checked here, before anything is created, with docker's
 * rules and words where docker has them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/resources.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/parse.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define CPU_PERIOD 100000	/* us: docker's --cpus period */
#define MIN_MEMORY (6 << 20)	/* docker: "Minimum memory limit allowed is 6MB" */

const char res_usage[] =
	"  -m, --memory SIZE          memory limit (at least 6m)\n"
	"      --memory-swap SIZE|-1  memory plus swap (-1: unlimited swap)\n"
	"      --memory-reservation SIZE\n"
	"                             soft memory limit\n"
	"      --cpus N               CPUs to use, e.g. 1.5\n"
	"  -c, --cpu-shares N         relative CPU weight (2-262144)\n"
	"      --cpuset-cpus LIST     CPUs allowed, e.g. 0-1,3\n"
	"      --cpuset-mems LIST     memory nodes allowed\n"
	"      --pids-limit N         most tasks at once (-1: unlimited)\n"
	"      --blkio-weight N       relative block I/O weight (10-1000)\n";

static int bad(struct husk_ctx *ctx, struct err **e, const char *flag,
	       const char *arg, const char *why)
{
	return cmd_usage_error(ctx, e, "invalid %s '%s': %s", flag, arg, why);
}

/* "1.5" -> 1500000000 (nano-units), at most 9 decimals */
static int parse_nano(const char *s, uint64_t *out)
{
	const char *dot = strchr(s, '.');
	_cleanup_free_ char *whole = xstrndup(s, dot ? (size_t)(dot - s)
						     : strlen(s));
	uint64_t w = 0, f = 0, scale = 1000000000;

	if (*whole && parse_uint64(whole, 0, 1000000, &w, NULL) < 0)
		return -1;
	if (!*whole && !dot)
		return -1;
	if (dot) {
		const char *d = dot + 1;

		if (!*d || strlen(d) > 9 || (!*whole && !*d))
			return -1;
		for (; *d; d++) {
			if (*d < '0' || *d > '9')
				return -1;
			scale /= 10;
			f += (uint64_t)(*d - '0') * scale;
		}
	}
	*out = w * 1000000000 + f;
	return 0;
}

/* The CPUs that are online: "0-1" -> 2 and its text. */
static int online_cpus(struct buf *text)
{
	if (read_file(AT_FDCWD, "/sys/devices/system/cpu/online", text, 4096,
		      NULL) < 0)
		return (int)sysconf(_SC_NPROCESSORS_ONLN);
	buf_rtrim(text);
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

/* A list "0-1,3": each number below LIMIT (0: any), ranges ascending. */
static int check_list(const char *s, uint64_t limit, uint64_t *bad_n)
{
	_cleanup_free_ char *copy = xstrdup(s);
	char *save = NULL, *part;

	if (!*s || s[strlen(s) - 1] == ',')
		return -1;
	for (part = strtok_r(copy, ",", &save); part;
	     part = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(part, '-');
		uint64_t a, b;

		if (dash)
			*dash = '\0';
		if (parse_uint64(part, 0, 4095, &a, NULL) < 0 ||
		    (dash && parse_uint64(dash + 1, 0, 4095, &b, NULL) < 0))
			return -1;
		if (!dash)
			b = a;
		if (b < a)
			return -1;
		if (limit && b >= limit) {
			*bad_n = b;
			return -2;
		}
	}
	return 0;
}

static int size_arg(struct husk_ctx *ctx, const char *flag, const char *arg,
		    int64_t *out, struct err **e)
{
	uint64_t v;

	if (parse_size(arg, &v, NULL) < 0 || v > INT64_MAX)
		return bad(ctx, e, flag, arg, "not a size (e.g. 512m, 1g)");
	*out = (int64_t)v;
	return 0;
}

int res_flag(struct husk_ctx *ctx, struct res_flags *r, int opt,
	     const char *arg, struct err **e)
{
	struct cgroup_limits *l = &r->l;
	uint64_t v;

	switch (opt) {
	case 'm':
		if (size_arg(ctx, "--memory", arg, &l->memory, e) < 0)
			return -1;
		if (l->memory < MIN_MEMORY)
			return bad(ctx, e, "--memory", arg, "the minimum memory "
				   "limit allowed is 6MB");
		return 0;
	case RES_MEMORY_SWAP:
		if (!strcmp(arg, "-1")) {
			l->memory_swap = -1;
			return 0;
		}
		return size_arg(ctx, "--memory-swap", arg, &l->memory_swap, e);
	case RES_MEMORY_RESERVATION:
		if (size_arg(ctx, "--memory-reservation", arg,
			     &l->memory_reservation, e) < 0)
			return -1;
		if (!l->memory_reservation)
			return bad(ctx, e, "--memory-reservation", arg,
				   "must be more than 0");
		return 0;
	case RES_CPUS: {
		_cleanup_buf_ struct buf on = BUF_INIT;
		int ncpu = online_cpus(&on);
		char why[128];

		if (parse_nano(arg, &v) < 0)
			return bad(ctx, e, "--cpus", arg, "not a number of "
				   "CPUs (e.g. 1.5)");
		snprintf(why, sizeof(why), "the range of CPUs is from 0.01 to "
			 "%d.00, as there are only %d CPUs available", ncpu,
			 ncpu);
		if (v < 10000000 || v > (uint64_t)ncpu * 1000000000)
			return bad(ctx, e, "--cpus", arg, why);
		l->cpu_period = CPU_PERIOD;
		l->cpu_quota = (int64_t)(v * CPU_PERIOD / 1000000000);
		r->nano_cpus = v;
		return 0;
	}
	case 'c':
		if (parse_uint64(arg, 0, 262144, &v, NULL) < 0 || v == 1)
			return bad(ctx, e, "--cpu-shares", arg, "must be between "
				   "2 and 262144 (0: the default)");
		l->cpu_shares = v;
		return 0;
	case RES_CPUSET_CPUS:
	case RES_CPUSET_MEMS: {
		const char *flag = opt == RES_CPUSET_CPUS ? "--cpuset-cpus"
							  : "--cpuset-mems";
		_cleanup_buf_ struct buf on = BUF_INIT;
		int ncpu = online_cpus(&on);
		uint64_t n = 0;
		char why[160];
		int rc = check_list(arg, opt == RES_CPUSET_CPUS ?
					(uint64_t)ncpu : 0, &n);

		if (rc == -1)
			return bad(ctx, e, flag, arg, "not a list such as 0-1,3");
		if (rc == -2) {
			snprintf(why, sizeof(why), "CPU %llu is not available "
				 "(available: %s)", (unsigned long long)n,
				 on.len ? on.s : "?");
			return bad(ctx, e, flag, arg, why);
		}
		if (opt == RES_CPUSET_CPUS) {
			free(l->cpuset_cpus);
			l->cpuset_cpus = xstrdup(arg);
		} else {
			free(l->cpuset_mems);
			l->cpuset_mems = xstrdup(arg);
		}
		return 0;
	}
	case RES_PIDS_LIMIT: {
		int64_t p;

		if (parse_int64(arg, -1, INT32_MAX, &p, NULL) < 0)
			return bad(ctx, e, "--pids-limit", arg, "must be a "
				   "number of tasks, or -1 for unlimited");
		l->pids = p <= 0 ? -1 : p;
		return 0;
	}
	case RES_BLKIO_WEIGHT:
		if (parse_uint64(arg, 0, 1000, &v, NULL) < 0 ||
		    (v > 0 && v < 10))
			return bad(ctx, e, "--blkio-weight", arg, "must be "
				   "between 10 and 1000 (0: the default)");
		l->blkio_weight = (uint16_t)v;
		return 0;
	default:
		return 1;	/* not ours */
	}
}

int res_check(struct husk_ctx *ctx, const struct res_flags *r,
	      struct err **e)
{
	const struct cgroup_limits *l = &r->l;

	if (l->memory_swap && !l->memory)
		return cmd_usage_error(ctx, e, "--memory-swap needs --memory "
				       "as well");
	if (l->memory_swap > 0 && l->memory_swap < l->memory)
		return cmd_usage_error(ctx, e, "--memory-swap must be at least "
				       "--memory (it counts memory plus swap)");
	if (l->memory && l->memory_reservation > l->memory)
		return cmd_usage_error(ctx, e, "--memory-reservation must not "
				       "be more than --memory");
	return 0;
}

bool res_any(const struct res_flags *r)
{
	return cgroup_limits_any(&r->l);
}
