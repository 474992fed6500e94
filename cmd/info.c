/*
 * husk info [--format json]: what a user needs to know before the first
 * run. Each subsystem probes what it owns; this file only lays it out.
 */
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "cmd/cmd.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "netns/netns.h"
#include "runtime/runtime.h"
#include "lib/banned.h"

struct info {
	struct utsname uts;
	struct probes probes;
	struct cgroup_host cg;
	bool have_cg;
};

static void usage(void)
{
	printf("Usage: husk info [--format json]\n"
	       "\n"
	       "Show the store and runtime paths and what this host offers\n"
	       "husk: user namespaces, subordinate ids, newuidmap/newgidmap,\n"
	       "overlayfs, network helpers, cgroups. Missing pieces come with\n"
	       "what to install or configure.\n"
	       "\n"
	       "  -f, --format FORMAT   'json' for machine-readable output\n"
	       "      --help            show this help\n");
}

/* A directory on the store's filesystem for the overlay mount test. */
static const char *probe_dir(const struct husk_ctx *ctx)
{
	const char *tmp = getenv("TMPDIR");

	if (access(ctx->root, W_OK) == 0)
		return ctx->root;
	return tmp && *tmp == '/' ? tmp : "/tmp";
}

static void gather(struct husk_ctx *ctx, struct info *in)
{
	_cleanup_err_ struct err *e = NULL;

	if (uname(&in->uts) < 0)
		memset(&in->uts, 0, sizeof(in->uts));
	runtime_probe(&in->probes, ctx->rootless, probe_dir(ctx));
	netns_probe(&in->probes, ctx->rootless);
	in->have_cg = cgroup_host_read(&in->cg, &e) >= 0;
	if (in->have_cg)
		cgroup_probe(&in->probes, &in->cg, ctx->rootless);
	else
		probes_add(&in->probes, "cgroup_version", "cgroup version",
			   PROBE_MISSING, e->msg, "mount cgroup2 on /sys/fs/cgroup");
}

static void print_text(struct husk_ctx *ctx, struct info *in)
{
	struct passwd *pw = getpwuid(getuid());

	printf("husk version %s\n", HUSK_VERSION);
	printf("  %-22s %s %s %s\n", "kernel", in->uts.sysname,
	       in->uts.release, in->uts.machine);
	printf("  %-22s %s (uid %u, %s)\n", "rootless",
	       ctx->rootless ? "yes" : "no", (unsigned)getuid(),
	       pw ? pw->pw_name : "?");
	printf("  %-22s %s\n", "store", ctx->root);
	printf("  %-22s %s\n", "runtime dir", ctx->runroot);
	printf("\nChecks:\n");
	for (size_t i = 0; i < in->probes.n; i++) {
		const struct probe *p = &in->probes.v[i];
		_cleanup_free_ char *tag =
			xasprintf("[%s]", probe_status_name(p->status));

		printf("  %-9s %-22s %s\n", tag, p->label, p->value);
		if (p->hint)
			printf("  %-9s %-22s -> %s\n", "", "", p->hint);
	}
}

static void json_ranges(cJSON *root, const char *key, const char *file)
{
	struct passwd *pw = getpwuid(getuid());
	_cleanup_free_ struct id_range *r = NULL;
	cJSON *arr = cJSON_AddArrayToObject(root, key);
	size_t n = 0;

	if (runtime_subid_ranges(file, getuid(), pw ? pw->pw_name : NULL, &r,
				 &n, NULL) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "start", (double)r[i].start);
		cJSON_AddNumberToObject(o, "count", (double)r[i].count);
		cJSON_AddItemToArray(arr, o);
	}
}

static void json_cgroup(cJSON *root, const struct info *in)
{
	cJSON *cg = cJSON_AddObjectToObject(root, "cgroup");
	cJSON *all = cJSON_AddArrayToObject(cg, "controllers");
	cJSON *usable = cJSON_AddArrayToObject(cg, "usable");

	cJSON_AddNumberToObject(cg, "version", in->have_cg ? in->cg.version : 0);
	cJSON_AddBoolToObject(cg, "hybrid", in->cg.hybrid);
	for (size_t i = 0; i < in->cg.n; i++) {
		cJSON_AddItemToArray(all, cJSON_CreateString(in->cg.ctrl[i].name));
		if (in->cg.ctrl[i].usable)
			cJSON_AddItemToArray(
				usable, cJSON_CreateString(in->cg.ctrl[i].name));
	}
}

static cJSON *json_checks(const struct probes *ps)
{
	cJSON *checks = cJSON_CreateObject();

	for (size_t i = 0; i < ps->n; i++) {
		const struct probe *p = &ps->v[i];
		cJSON *o = cJSON_AddObjectToObject(checks, p->key);

		cJSON_AddStringToObject(o, "status", probe_status_name(p->status));
		cJSON_AddBoolToObject(o, "ok", p->status == PROBE_OK ||
						       p->status == PROBE_INFO);
		cJSON_AddStringToObject(o, "value", p->value);
		if (p->hint)
			cJSON_AddStringToObject(o, "hint", p->hint);
		else
			cJSON_AddNullToObject(o, "hint");
	}
	return checks;
}

static void print_json(struct husk_ctx *ctx, struct info *in)
{
	_cleanup_cjson_ cJSON *root = cJSON_CreateObject();
	_cleanup_free_ char *s = NULL;
	cJSON *store = cJSON_AddObjectToObject(root, "store");

	cJSON_AddStringToObject(root, "version", HUSK_VERSION);
	cJSON_AddStringToObject(root, "kernel", in->uts.release);
	cJSON_AddStringToObject(root, "arch", in->uts.machine);
	cJSON_AddBoolToObject(root, "rootless", ctx->rootless);
	cJSON_AddNumberToObject(root, "uid", getuid());
	cJSON_AddStringToObject(store, "root", ctx->root);
	cJSON_AddStringToObject(store, "runroot", ctx->runroot);
	json_ranges(root, "subuid", "/etc/subuid");
	json_ranges(root, "subgid", "/etc/subgid");
	json_cgroup(root, in);
	cJSON_AddItemToObject(root, "checks", json_checks(&in->probes));
	s = cJSON_Print(root);
	if (!s)
		oom();
	puts(s);
}

int cmd_info(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	struct info in = { .probes = PROBES_INIT };
	bool json;
	int rc = cmd_parse_format(ctx, argc, argv, usage, &json, e);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	gather(ctx, &in);
	if (json)
		print_json(ctx, &in);
	else
		print_text(ctx, &in);
	probes_release(&in.probes);
	cgroup_host_release(&in.cg);
	return 0;
}
