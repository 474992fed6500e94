/*
 * husk update [--memory ...] CONTAINER...: new limits for containers. A
 * running one gets them in its cgroup now; every one keeps them in its
 * spec (config.json) and HostConfig, for its next start.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "cmd/cmd.h"
#include "cmd/launch.h"
#include "cmd/resources.h"
#include "ctr/ctr.h"
#include "layers/store.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

static void usage(void)
{
	printf("Usage: husk update [OPTIONS] CONTAINER...\n"
	       "\n"
	       "Change the resource limits of containers: at once for running\n"
	       "ones (in their cgroup), and for every later start.\n"
	       "\n"
	       "%s"
	       "      --help                 show this help\n", res_usage);
}

/* NEW's set fields over OLD */
static void merge(struct cgroup_limits *old, const struct cgroup_limits *new)
{
	if (new->memory)
		old->memory = new->memory;
	if (new->memory_swap)
		old->memory_swap = new->memory_swap;
	if (new->memory_reservation)
		old->memory_reservation = new->memory_reservation;
	if (new->cpu_shares)
		old->cpu_shares = new->cpu_shares;
	if (new->cpu_quota) {
		old->cpu_quota = new->cpu_quota;
		old->cpu_period = new->cpu_period;
	}
	if (new->cpuset_cpus) {
		free(old->cpuset_cpus);
		old->cpuset_cpus = xstrdup(new->cpuset_cpus);
	}
	if (new->cpuset_mems) {
		free(old->cpuset_mems);
		old->cpuset_mems = xstrdup(new->cpuset_mems);
	}
	if (new->pids)
		old->pids = new->pids;
	if (new->blkio_weight)
		old->blkio_weight = new->blkio_weight;
}

static void set_num(cJSON *o, const char *key, double v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	cJSON_AddNumberToObject(o, key, v);
}

static void set_str(cJSON *o, const char *key, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	cJSON_AddStringToObject(o, key, v);
}

static void host_config(cJSON *hc, const struct res_flags *r)
{
	const struct cgroup_limits *l = &r->l;

	if (!hc)
		return;
	if (l->memory)
		set_num(hc, "Memory", (double)l->memory);
	if (l->memory_swap)
		set_num(hc, "MemorySwap", (double)l->memory_swap);
	if (l->memory_reservation)
		set_num(hc, "MemoryReservation", (double)l->memory_reservation);
	if (r->nano_cpus)
		set_num(hc, "NanoCpus", (double)r->nano_cpus);
	if (l->cpu_shares)
		set_num(hc, "CpuShares", (double)l->cpu_shares);
	if (l->cpuset_cpus)
		set_str(hc, "CpusetCpus", l->cpuset_cpus);
	if (l->cpuset_mems)
		set_str(hc, "CpusetMems", l->cpuset_mems);
	if (l->pids)
		set_num(hc, "PidsLimit", (double)l->pids);
	if (l->blkio_weight)
		set_num(hc, "BlkioWeight", l->blkio_weight);
}

/* config.json's linux.resources with R's limits over them */
static int update_spec(struct ctr *c, const struct res_flags *r,
		       struct err **e)
{
	_cleanup_cjson_ cJSON *spec = NULL;
	struct cgroup_limits l;
	cJSON *lx, *res;
	int rc;

	if (cmd_ctr_spec(c, &spec, e) < 0)
		return -1;
	lx = cJSON_GetObjectItemCaseSensitive(spec, "linux");
	if (!cJSON_IsObject(lx) || !json_str(lx, "cgroupsPath"))
		return err_cause(e, EOPNOTSUPP, "it runs without a cgroup "
				 "(--cgroups=disabled)");
	if (cgroup_limits_parse(json_obj(lx, "resources"), &l, e) < 0)
		return -1;
	merge(&l, &r->l);
	res = cgroup_limits_json(&l);
	cgroup_limits_release(&l);
	cJSON_DeleteItemFromObjectCaseSensitive(lx, "resources");
	cJSON_AddItemToObject(lx, "resources", res);
	rc = json_write_file(c->dirfd, "config.json", spec, 0600, e);
	return rc;
}

static int update_one(struct store *s, struct ctr *c, const struct res_flags *r,
		      struct err **e)
{
	struct cgroup cg;
	cgroup_warnings w = NULL;
	int rc;

	if (ctr_lock(s, c, e) < 0)
		return -1;
	rc = ctr_refresh(s, c, 0, e);
	if (rc >= 0 && c->status == CTR_RUNNING) {
		if (!c->cgroup || cgroup_from_json(c->cgroup, &cg) < 0) {
			rc = err_cause(e, EOPNOTSUPP, "it has no cgroup "
				       "(rootless on cgroup v1, or run with "
				       "--cgroups=disabled)");
		} else {
			rc = cgroup_update(&cg, &r->l, &w, e);
			cgroup_release(&cg);
		}
	}
	for (char **p = w; p && *p; p++)
		log_warn("%s", *p);
	cgroup_warnings_free(w);
	if (rc >= 0)
		rc = update_spec(c, r, e);
	if (rc >= 0) {
		host_config(c->host_config, r);
		rc = ctr_save(c, e);
	}
	ctr_unlock(c);
	return rc;
}

int cmd_update(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	enum { OPT_HELP = 1000 };
	static const struct option opts[] = {
		RES_OPTIONS,
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct res_flags r = { 0 };
	struct store s = STORE_INIT;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "+:m:c:", opts, NULL)) != -1) {
		if (c == OPT_HELP) {
			usage();
			return 0;
		}
		if (c == '?' || c == ':')
			rc = cmd_getopt_error(ctx, c, argv, e);
		else
			rc = res_flag(ctx, &r, c, optarg, e);
		if (rc < 0)
			goto out;
	}
	if (res_check(ctx, &r, e) < 0) {
		rc = -1;
		goto out;
	}
	if (!res_any(&r)) {
		rc = cmd_usage_error(ctx, e, "update needs at least one limit "
				     "to change");
		goto out;
	}
	if (optind >= argc) {
		rc = cmd_usage_error(ctx, e, "update needs at least one "
				     "container");
		goto out;
	}
	rc = cmd_open_store(ctx, &s, true, argv[optind], e);
	for (int i = optind; rc >= 0 && i < argc; i++) {
		_cleanup_err_ struct err *one = NULL;
		struct ctr ct;

		ctr_init(&ct);
		if (ctr_find(&s, argv[i], &ct, &one) < 0 ||
		    update_one(&s, &ct, &r, &one) < 0) {
			err_wrap(&one, "cannot update container '%s'", argv[i]);
			cmd_keep_error(e, &one);
		} else {
			printf("%s\n", argv[i]);
		}
		ctr_release(&ct);
	}
	store_close(&s);
	if (*e)
		rc = -1;
out:
	cgroup_limits_release(&r.l);
	return rc;
}
