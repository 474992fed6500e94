/*
 * husk volume create|ls|inspect|rm|prune: named and anonymous volumes
 * (volume/volume.h). Containers mount them with run -v NAME:/path,
 * --mount type=volume and --volumes-from.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/run.h"
#include "ctr/ctr.h"
#include "layers/image.h"
#include "layers/store.h"
#include "lib/json.h"
#include "lib/lock.h"
#include "lib/xalloc.h"
#include "volume/volume.h"
#include "lib/banned.h"

enum { OPT_HELP = 3000, OPT_LABEL, OPT_OPT, OPT_DRIVER, OPT_FORMAT };

/* "K=V" into object O (a bare K is K=""); false when K is empty. */
static bool add_pair(cJSON *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	_cleanup_free_ char *k = xstrndup(arg, eq ? (size_t)(eq - arg)
						  : strlen(arg));

	if (!*k)
		return false;
	cJSON_DeleteItemFromObjectCaseSensitive(o, k);
	cJSON_AddStringToObject(o, k, eq ? eq + 1 : "");
	return true;
}

/* ---- create ----------------------------------------------------------------- */

static void create_usage(void)
{
	printf("Usage: husk volume create [OPTIONS] [NAME]\n"
	       "\n"
	       "Create a volume (a 64-hex name when NAME is not given) and\n"
	       "print its name. An existing volume of that name is kept as it is.\n"
	       "\n"
	       "  -l, --label K=V      set a label\n"
	       "  -o, --opt K=V        driver option: type=tmpfs (with\n"
	       "                       device=tmpfs, o=size=64m,mode=1777,...)\n"
	       "                       mounts a tmpfs in each container;\n"
	       "                       type=none,o=bind,device=/PATH binds PATH\n"
	       "  -d, --driver local   the driver (only local)\n"
	       "      --help           show this help\n");
}

static int volume_create_cmd(struct husk_ctx *ctx, int argc, char **argv,
			     struct err **e)
{
	static const struct option opts[] = {
		{ "label", required_argument, NULL, 'l' },
		{ "opt", required_argument, NULL, 'o' },
		{ "driver", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_cjson_ cJSON *labels = cJSON_CreateObject();
	_cleanup_cjson_ cJSON *options = cJSON_CreateObject();
	struct store s = STORE_INIT;
	struct volume v;
	bool created;
	int c, rc;

	while ((c = getopt_long(argc, argv, "+:l:o:d:", opts, NULL)) != -1) {
		switch (c) {
		case OPT_HELP:
			create_usage();
			return 0;
		case 'l':
			if (!add_pair(labels, optarg))
				return cmd_usage_error(ctx, e, "invalid label "
						       "'%s'", optarg);
			break;
		case 'o':
			if (!strchr(optarg, '=') || !add_pair(options, optarg))
				return cmd_usage_error(ctx, e, "invalid option "
						       "'%s': want K=V", optarg);
			break;
		case 'd':
			if (strcmp(optarg, "local"))
				return cmd_usage_error(ctx, e, "unsupported "
						       "volume driver '%s': only "
						       "local", optarg);
			break;
		default:
			return cmd_getopt_error(ctx, c, argv, e);
		}
	}
	if (argc - optind > 1)
		return cmd_usage_error(ctx, e, "unexpected argument '%s'",
				       argv[optind + 1]);
	if (optind < argc && !volume_name_valid(argv[optind]))
		return cmd_usage_error(ctx, e, "invalid volume name '%s': only "
				       "[a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, "
				       "at least two", argv[optind]);
	if (volume_check_options(options, e) < 0) {
		ctx->usage = true;
		return err_wrap(e, "invalid volume options");
	}
	rc = store_open(&s, ctx->root, true, e);
	if (rc >= 0) {
		_cleanup_lock_ int lk = volume_lock(&s, false, e);

		rc = lk < 0 ? -1 : volume_create(&s, optind < argc ? argv[optind]
								   : NULL,
						  labels, options, false, &v,
						  &created, e);
	}
	if (rc >= 0) {
		printf("%s\n", v.name);
		volume_release(&v);
	}
	store_close(&s);
	return rc < 0 ? rc : 0;
}

/* ---- ls ----------------------------------------------------------------- */

struct ls_filter {
	char *key, *value;
};

static void ls_usage(void)
{
	printf("Usage: husk volume ls [OPTIONS]\n"
	       "\n"
	       "List volumes (also: husk volume list).\n"
	       "\n"
	       "  -q, --quiet           only names\n"
	       "  -f, --filter K=V      name=SUBSTRING, label=K[=V],\n"
	       "                        dangling=true|false (used by no\n"
	       "                        container), driver=local\n"
	       "      --format F        json, a Go template (.Name .Driver\n"
	       "                        .Mountpoint .Labels .Scope .CreatedAt\n"
	       "                        .Anonymous) or table TEMPLATE\n"
	       "      --help            show this help\n");
}

static bool label_match(const cJSON *labels, const char *want)
{
	const char *eq = strchr(want, '=');
	_cleanup_free_ char *k = xstrndup(want, eq ? (size_t)(eq - want)
						   : strlen(want));
	const char *have = json_str(labels, k);

	return have && (!eq || !strcmp(have, eq + 1));
}

/* docker: filters of one key OR together, different keys AND */
static bool ls_match(struct store *s, const struct volume *v,
		     const struct ls_filter *f, size_t n)
{
	static const char *const keys[] = { "name", "label", "dangling",
					    "driver" };

	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		bool seen = false, ok = false;

		for (size_t i = 0; i < n; i++) {
			if (strcmp(f[i].key, keys[k]))
				continue;
			seen = true;
			if (k == 0)
				ok |= strstr(v->name, f[i].value) != NULL;
			else if (k == 1)
				ok |= label_match(v->labels, f[i].value);
			else if (k == 3)
				ok |= !strcmp(f[i].value, "local");
			else {
				char **users = volume_users(s, v->name);
				bool dangling = !users;

				strv_free(users);
				ok |= dangling == (!strcmp(f[i].value, "true") ||
						   !strcmp(f[i].value, "1"));
			}
		}
		if (seen && !ok)
			return false;
	}
	return true;
}

static int ls_filter_arg(struct husk_ctx *ctx, const char *arg,
			 struct ls_filter **f, size_t *n, struct err **e)
{
	static const char *const keys[] = { "name", "label", "dangling",
					    "driver" };
	const char *eq = strchr(arg, '=');
	size_t klen = eq ? (size_t)(eq - arg) : 0;
	bool known = false;

	for (size_t i = 0; eq && i < ARRAY_SIZE(keys); i++)
		known |= strlen(keys[i]) == klen && !strncmp(arg, keys[i], klen);
	if (!known)
		return cmd_usage_error(ctx, e, "invalid filter '%s': want name=, "
				       "label=, dangling= or driver=", arg);
	if (!strncmp(arg, "dangling", klen) && strcmp(eq + 1, "true") &&
	    strcmp(eq + 1, "false") && strcmp(eq + 1, "1") && strcmp(eq + 1, "0"))
		return cmd_usage_error(ctx, e, "invalid filter '%s': dangling "
				       "is true or false", arg);
	*f = xrealloc(*f, (*n + 1) * sizeof(**f));
	(*f)[*n].key = xstrndup(arg, klen);
	(*f)[(*n)++].value = xstrdup(eq + 1);
	return 0;
}

static cJSON *ls_row(const struct volume *v)
{
	cJSON *o = cJSON_CreateObject();
	struct buf labels = BUF_INIT;
	const cJSON *it;
	char t[64];

	cJSON_ArrayForEach(it, v->labels)
		buf_addf(&labels, "%s%s=%s", labels.len ? "," : "", it->string,
			 cJSON_IsString(it) ? it->valuestring : "");
	ctr_time_format(v->created, t, sizeof(t));
	cJSON_AddStringToObject(o, "Name", v->name);
	cJSON_AddStringToObject(o, "Driver", "local");
	cJSON_AddStringToObject(o, "Scope", "local");
	cJSON_AddStringToObject(o, "Mountpoint", v->mountpoint);
	cJSON_AddStringToObject(o, "Labels", labels.len ? labels.s : "");
	cJSON_AddStringToObject(o, "CreatedAt", t);
	cJSON_AddBoolToObject(o, "Anonymous", v->anonymous);
	buf_release(&labels);
	return o;
}

static int volume_ls(struct husk_ctx *ctx, int argc, char **argv,
		     struct err **e)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "filter", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_cjson_ cJSON *rows = cJSON_CreateArray();
	_cleanup_cjson_ cJSON *titles = cJSON_CreateObject();
	struct ls_filter *f = NULL;
	struct store s = STORE_INIT;
	struct volume *v = NULL;
	const char *format = NULL;
	size_t nf = 0, n = 0;
	bool quiet = false;
	int c, rc = 0;

	while (rc == 0 &&
	       (c = getopt_long(argc, argv, "+:qf:", opts, NULL)) != -1) {
		switch (c) {
		case OPT_HELP:
			ls_usage();
			rc = 1;
			break;
		case 'q':
			quiet = true;
			break;
		case 'f':
			rc = ls_filter_arg(ctx, optarg, &f, &nf, e);
			break;
		case OPT_FORMAT:
			format = optarg;
			break;
		default:
			rc = cmd_getopt_error(ctx, c, argv, e);
		}
	}
	if (rc == 0 && optind < argc)
		rc = cmd_usage_error(ctx, e, "unexpected argument '%s'",
				     argv[optind]);
	if (rc == 0 && store_open(&s, ctx->root, false, e) < 0) {
		/* no store yet: no volumes */
		rc = (*e)->errnum == ENOENT ? 0 : -1;
		if (rc == 0)
			err_freep(e);
	} else if (rc == 0) {
		rc = volume_list(&s, &v, &n, e);
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (!ls_match(&s, &v[i], f, nf))
			continue;
		if (quiet)
			printf("%s\n", v[i].name);
		else
			cJSON_AddItemToArray(rows, ls_row(&v[i]));
	}
	if (rc == 0 && !quiet) {
		cJSON_AddStringToObject(titles, "Name", "VOLUME NAME");
		cJSON_AddStringToObject(titles, "Driver", "DRIVER");
		cJSON_AddStringToObject(titles, "Scope", "SCOPE");
		cJSON_AddStringToObject(titles, "Mountpoint", "MOUNTPOINT");
		cJSON_AddStringToObject(titles, "Labels", "LABELS");
		cJSON_AddStringToObject(titles, "CreatedAt", "CREATED AT");
		cJSON_AddStringToObject(titles, "Anonymous", "ANONYMOUS");
		rc = cmd_format_rows(ctx, format ? format
					: "table {{.Driver}}\t{{.Name}}",
				     rows, titles, e);
	}
	for (size_t i = 0; i < nf; i++) {
		free(f[i].key);
		free(f[i].value);
	}
	free(f);
	volume_list_free(v, n);
	store_close(&s);
	return rc < 0 ? -1 : 0;
}

/* ---- inspect ---------------------------------------------------------------- */

static void inspect_usage(void)
{
	printf("Usage: husk volume inspect [-f FORMAT] VOLUME...\n"
	       "\n"
	       "Show volumes in detail: a JSON array of CreatedAt, Driver,\n"
	       "Labels, Mountpoint, Name, Options and Scope.\n"
	       "\n"
	       "  -f, --format T   a Go template run over each volume\n"
	       "      --help       show this help\n");
}

static int volume_inspect(struct husk_ctx *ctx, int argc, char **argv,
			  struct err **e)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_cjson_ cJSON *arr = cJSON_CreateArray();
	struct store s = STORE_INIT;
	const char *format = NULL;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "+:f:", opts, NULL)) != -1) {
		if (c == OPT_HELP) {
			inspect_usage();
			return 0;
		}
		if (c != 'f')
			return cmd_getopt_error(ctx, c, argv, e);
		format = optarg;
	}
	if (optind >= argc)
		return cmd_usage_error(ctx, e, "volume inspect needs at least "
				       "one volume");
	if (store_open(&s, ctx->root, false, e) < 0) {
		if ((*e)->errnum != ENOENT)
			return -1;
		err_freep(e);
		return err_cause(e, ENOENT, "no such volume '%s'", argv[optind]);
	}
	for (int i = optind; i < argc; i++) {
		_cleanup_err_ struct err *one = NULL;
		struct volume v;

		if (volume_get(&s, argv[i], &v, &one) < 0) {
			cmd_keep_error(e, &one);
			continue;
		}
		cJSON_AddItemToArray(arr, volume_json(&v));
		volume_release(&v);
	}
	store_close(&s);
	if (cJSON_GetArraySize(arr) > 0 || !*e) {
		_cleanup_err_ struct err *pe = NULL;

		rc = cmd_inspect_print(ctx, arr, format, &pe);
		if (rc < 0)
			cmd_keep_error(e, &pe);
	}
	return *e || rc < 0 ? -1 : 0;
}

/* ---- rm ------------------------------------------------------------------- */

static void rm_usage(void)
{
	printf("Usage: husk volume rm [-f] VOLUME...\n"
	       "\n"
	       "Remove volumes and their data (also: husk volume remove). A\n"
	       "volume that a container mounts, running or not, is kept.\n"
	       "\n"
	       "  -f, --force   no error for volumes that do not exist\n"
	       "      --help    show this help\n");
}

/* Rootless: the volumes' files may belong to subordinate ids. */
static int open_for_removal(struct husk_ctx *ctx, struct store *s,
			    struct err **e)
{
	if (cmd_enter_userns(ctx, e) < 0)
		return -1;
	if (store_open(s, ctx->root, true, e) < 0)
		return -1;
	volume_gc(s);
	return 0;
}

static int volume_rm(struct husk_ctx *ctx, int argc, char **argv,
		     struct err **e)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct store s = STORE_INIT;
	_cleanup_lock_ int lk = -1;
	bool force = false;
	int c;

	while ((c = getopt_long(argc, argv, "+:f", opts, NULL)) != -1) {
		if (c == OPT_HELP) {
			rm_usage();
			return 0;
		}
		if (c != 'f')
			return cmd_getopt_error(ctx, c, argv, e);
		force = true;
	}
	if (optind >= argc)
		return cmd_usage_error(ctx, e, "volume rm needs at least one "
				       "volume");
	if (open_for_removal(ctx, &s, e) < 0 ||
	    (lk = volume_lock(&s, true, e)) < 0) {
		store_close(&s);
		return -1;
	}
	for (int i = optind; i < argc; i++) {
		_cleanup_err_ struct err *one = NULL;

		if (volume_remove(&s, argv[i], &one) == 0) {
			printf("%s\n", argv[i]);
			continue;
		}
		if (force && one->errnum == ENOENT)
			continue;
		err_wrap(&one, "cannot remove volume '%s'", argv[i]);
		cmd_keep_error(e, &one);
	}
	store_close(&s);
	return *e ? -1 : 0;
}

/* ---- prune ------------------------------------------------------------------ */

static void prune_usage(void)
{
	printf("Usage: husk volume prune [OPTIONS]\n"
	       "\n"
	       "Remove the anonymous volumes no container uses (with -a, every\n"
	       "unused volume) and print their names.\n"
	       "\n"
	       "  -a, --all            named volumes too\n"
	       "      --filter label=K[=V]\n"
	       "                       only volumes with that label\n"
	       "  -f, --force          do not ask (husk never asks)\n"
	       "      --help           show this help\n");
}

static int volume_prune(struct husk_ctx *ctx, int argc, char **argv,
			struct err **e)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'f' },
		{ "filter", required_argument, NULL, OPT_LABEL },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct store s = STORE_INIT;
	_cleanup_lock_ int lk = -1;
	struct volume *v = NULL;
	char **labels = NULL;
	bool all = false, header = false;
	size_t n = 0;
	int c, rc = 0;

	while (rc == 0 &&
	       (c = getopt_long(argc, argv, "+:af", opts, NULL)) != -1) {
		if (c == OPT_HELP) {
			prune_usage();
			strv_free(labels);
			return 0;
		}
		if (c == 'a')
			all = true;
		else if (c == OPT_LABEL && !strncmp(optarg, "label=", 6) &&
			 optarg[6] && optarg[6] != '=')
			run_strv_add(&labels, optarg + 6);
		else if (c == OPT_LABEL)
			rc = cmd_usage_error(ctx, e, "invalid filter '%s': "
					     "volume prune takes label=K[=V]",
					     optarg);
		else if (c != 'f')
			rc = cmd_getopt_error(ctx, c, argv, e);
	}
	if (rc == 0 && optind < argc)
		rc = cmd_usage_error(ctx, e, "unexpected argument '%s'",
				     argv[optind]);
	if (rc == 0 && (open_for_removal(ctx, &s, e) < 0 ||
			(lk = volume_lock(&s, true, e)) < 0 ||
			volume_list(&s, &v, &n, e) < 0))
		rc = -1;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		_cleanup_err_ struct err *one = NULL;
		bool ok = all || v[i].anonymous;

		for (char **l = labels; ok && l && *l; l++)
			ok = label_match(v[i].labels, *l);
		if (!ok)
			continue;
		if (volume_remove(&s, v[i].name, &one) < 0) {
			if (one->errnum != EBUSY) {
				err_wrap(&one, "cannot remove volume '%s'",
					 v[i].name);
				cmd_keep_error(e, &one);
			}
			continue;
		}
		if (!header)
			printf("Deleted Volumes:\n");
		header = true;
		printf("%s\n", v[i].name);
	}
	strv_free(labels);
	volume_list_free(v, n);
	store_close(&s);
	return rc < 0 || *e ? -1 : 0;
}

/* ---- volume ----------------------------------------------------------------- */

static void volume_usage(FILE *out)
{
	fprintf(out, "Usage: husk volume COMMAND\n"
		     "\n"
		     "Commands:\n"
		     "  create    create a volume\n"
		     "  inspect   show volumes in detail (JSON)\n"
		     "  ls        list volumes\n"
		     "  prune     remove unused anonymous volumes\n"
		     "  rm        remove volumes\n");
}

int cmd_volume(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	static const struct {
		const char *name;
		cmd_fn fn;
	} sub[] = {
		{ "create", volume_create_cmd }, { "inspect", volume_inspect },
		{ "ls", volume_ls },		  { "list", volume_ls },
		{ "prune", volume_prune },	  { "rm", volume_rm },
		{ "remove", volume_rm },
	};

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		volume_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? cmd_usage_error(ctx, e, "volume needs a "
						  "command") : 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(sub); i++) {
		if (strcmp(argv[1], sub[i].name))
			continue;
		cmd_enter_sub(ctx, "volume", sub[i].name);
		return sub[i].fn(ctx, argc - 1, argv + 1, e);
	}
	return cmd_usage_error(ctx, e, "unknown command 'volume %s'", argv[1]);
}
