/* husk image inspect|ls|prune|rm|tag, rmi and tag. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "layers/image.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "registry/registry.h"
#include "lib/banned.h"

#define CONFIG_MAX (8u << 20)

/* A getopt loop for commands whose only option is --help (and maybe -f). */
static int simple_opts(struct husk_ctx *ctx, int argc, char **argv,
		       void (*usage)(void), bool *force, struct err **e)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, force ? "+:fah" : "+:h", opts,
				NULL)) != -1) {
		if (c == 'h') {
			usage();
			return 1;
		}
		if ((c == 'f' || c == 'a') && force) {
			*force = true;
			continue;
		}
		return cmd_getopt_error(ctx, c, argv, e);
	}
	return 0;
}

/* ---- rmi -------------------------------------------------------------- */

static void rmi_usage(void)
{
	printf("Usage: husk rmi [-f] IMAGE...\n"
	       "\n"
	       "Remove images by name or id (also: husk image rm). Layers and\n"
	       "blobs no other image uses are deleted.\n"
	       "\n"
	       "  -f, --force   remove an id with several names\n"
	       "      --help    show this help\n");
}

static void print_removed(char **untagged, char **deleted)
{
	for (char **p = untagged; p && *p; p++) {
		struct ref r = REF_INIT;
		_cleanup_free_ char *f = NULL;

		if (ref_parse(*p, &r, NULL) >= 0)
			f = ref_familiar(&r);
		printf("Untagged: %s\n", f ? f : *p);
		ref_release(&r);
	}
	for (char **p = deleted; p && *p; p++)
		printf("Deleted: %s\n", strchr(*p, ' ') + 1);
}

int cmd_rmi(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	struct store s = STORE_INIT;
	bool force = false;
	int rc = simple_opts(ctx, argc, argv, rmi_usage, &force, e);
	int failed = 0;

	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (optind >= argc)
		return cmd_usage_error(ctx, e, "rmi needs at least one image");
	if (store_open(&s, ctx->root, true, e) < 0)
		return -1;
	for (int i = optind; i < argc; i++) {
		_cleanup_err_ struct err *one = NULL;
		char **untagged = NULL, **deleted = NULL;

		if (image_remove(&s, argv[i], force, &untagged, &deleted,
				 &one) < 0) {
			/* go on with the others, as docker does; report the
			 * first failure at the end */
			err_wrap(&one, "cannot remove image '%s'", argv[i]);
			if (!failed++)
				*e = TAKE_PTR(one);
			else
				fprintf(stderr, "husk: %s\n", one->msg);
			continue;
		}
		print_removed(untagged, deleted);
		strv_free(untagged);
		strv_free(deleted);
	}
	store_close(&s);
	return failed ? -1 : 0;
}

/* ---- tag -------------------------------------------------------------- */

static void tag_usage(void)
{
	printf("Usage: husk tag SOURCE_IMAGE TARGET_IMAGE\n"
	       "\n"
	       "Give an image another name (also: husk image tag).\n"
	       "\n"
	       "      --help   show this help\n");
}

int cmd_tag(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	struct store s = STORE_INIT;
	int rc = simple_opts(ctx, argc, argv, tag_usage, NULL, e);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (argc - optind != 2)
		return cmd_usage_error(ctx, e, "tag needs a source and a target");
	rc = store_open(&s, ctx->root, true, e);
	if (rc >= 0)
		rc = image_tag(&s, argv[optind], argv[optind + 1], e);
	if (rc < 0)
		err_wrap(e, "cannot tag '%s' as '%s'", argv[optind],
			 argv[optind + 1]);
	store_close(&s);
	return rc < 0 ? rc : 0;
}

/* ---- image inspect ---------------------------------------------------- */

static void inspect_usage(void)
{
	printf("Usage: husk image inspect [-f TEMPLATE] IMAGE...\n"
	       "\n"
	       "Print a JSON array describing each image, in docker's shape:\n"
	       "Id, RepoTags, RepoDigests, Created, Config, RootFS, Os,\n"
	       "Architecture, Size.\n"
	       "\n"
	       "  -f, --format TEMPLATE   a Go template run over each image\n"
	       "      --help              show this help\n");
}

static void add_names(cJSON *o, const struct image_list *l, const char *id)
{
	cJSON *tags = cJSON_AddArrayToObject(o, "RepoTags");
	cJSON *digests = cJSON_AddArrayToObject(o, "RepoDigests");

	for (size_t i = 0; i < l->n; i++) {
		struct ref r = REF_INIT;

		if (strcmp(l->v[i].config_digest, id) ||
		    ref_parse(l->v[i].name, &r, NULL) < 0)
			continue;
		if (r.tag && !r.digest) {
			_cleanup_free_ char *f = ref_familiar(&r);

			cJSON_AddItemToArray(tags, cJSON_CreateString(f));
		}
		if (l->v[i].repo_digest) {
			struct ref d = REF_INIT;

			if (ref_parse(l->v[i].repo_digest, &d, NULL) >= 0) {
				_cleanup_free_ char *f = NULL;

				free(d.tag);
				d.tag = NULL;
				f = ref_familiar(&d);
				cJSON_AddItemToArray(digests,
						     cJSON_CreateString(f));
			}
			ref_release(&d);
		}
		ref_release(&r);
	}
}

static void add_config(cJSON *o, const cJSON *cfg)
{
	static const char *const keys[] = { "os", "architecture", "variant" };
	static const char *const names[] = { "Os", "Architecture", "Variant" };
	cJSON *rootfs = cJSON_AddObjectToObject(o, "RootFS");
	cJSON *c = json_obj(cfg, "config");

	cJSON_AddItemToObject(o, "Config", c ? cJSON_Duplicate(c, true)
					     : cJSON_CreateObject());
	cJSON_AddStringToObject(rootfs, "Type", "layers");
	cJSON_AddItemToObject(rootfs, "Layers",
			      cJSON_Duplicate(json_arr(json_obj(cfg, "rootfs"),
						       "diff_ids"), true));
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (json_str(cfg, keys[i]))
			cJSON_AddStringToObject(o, names[i], json_str(cfg, keys[i]));
}

static int inspect_one(struct store *s, const struct image_list *l,
		       const struct image *im, cJSON *out, struct err **e)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	_cleanup_cjson_ cJSON *cfg = NULL;
	cJSON *o;

	if (store_get_blob(s, im->config_digest, CONFIG_MAX, &b, e) < 0 ||
	    json_parse(b.s, b.len, &cfg, e) < 0)
		return -1;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "Id", im->config_digest);
	add_names(o, l, im->config_digest);
	cJSON_AddStringToObject(o, "Created", json_str(cfg, "created") ?: "");
	add_config(o, cfg);
	cJSON_AddNumberToObject(o, "Size", (double)im->size);
	cJSON_AddStringToObject(o, "ManifestDigest", im->manifest_digest);
	cJSON_AddItemToArray(out, o);
	return 0;
}

int cmd_image_json(struct store *s, const char *name, cJSON *out,
		   struct err **e)
{
	struct image_list l = { 0 };
	_cleanup_free_ size_t *idx = NULL;
	int n, rc = image_list_read(s, &l, e);

	if (rc >= 0) {
		n = image_find(&l, name, &idx, e);
		if (n == 0)
			rc = err_cause(e, ENOENT, "no such image '%s'", name);
		else if (n > 0)
			rc = inspect_one(s, &l, &l.v[idx[0]], out, e);
		else
			rc = -1;
	}
	image_list_release(&l);
	return rc;
}

/* husk image inspect: images only (husk inspect --type image) */
static int image_inspect(struct husk_ctx *ctx, int argc, char **argv,
			 struct err **e)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		inspect_usage();
		return 0;
	}
	return cmd_inspect_type(ctx, argc, argv, "image", e);
}

/* ---- image prune ------------------------------------------------------ */

static void prune_usage(void)
{
	printf("Usage: husk image prune [-a]\n"
	       "\n"
	       "Delete blobs and layers that no image references (left by\n"
	       "interrupted pulls or removed images). With -a, remove every\n"
	       "image first.\n"
	       "\n"
	       "  -a, --all    remove all images too\n"
	       "      --help   show this help\n");
}

static int image_prune(struct husk_ctx *ctx, int argc, char **argv,
		       struct err **e)
{
	struct store s = STORE_INIT;
	struct image_list l = { 0 };
	char **deleted = NULL;
	bool all = false;
	int rc = simple_opts(ctx, argc, argv, prune_usage, &all, e);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (optind < argc)
		return cmd_usage_error(ctx, e, "unexpected argument '%s'",
				       argv[optind]);
	rc = store_open(&s, ctx->root, true, e);
	if (rc >= 0 && all)
		rc = image_list_read(&s, &l, e);
	for (size_t i = 0; rc >= 0 && i < l.n; i++)
		rc = store_index_remove(&s, l.v[i].name, e);
	if (rc >= 0)
		rc = image_gc(&s, &deleted, e);
	if (rc >= 0) {
		print_removed(NULL, deleted);
		printf("Deleted %d blobs and layers\n", rc);
	}
	strv_free(deleted);
	image_list_release(&l);
	store_close(&s);
	return rc < 0 ? rc : 0;
}

/* ---- image ------------------------------------------------------------ */

static void image_usage(FILE *out)
{
	fprintf(out, "Usage: husk image COMMAND\n"
		     "\n"
		     "Commands:\n"
		     "  inspect   show images in detail (JSON)\n"
		     "  ls        list images (husk images)\n"
		     "  prune     delete data no image references\n"
		     "  pull      pull an image (husk pull)\n"
		     "  rm        remove images (husk rmi)\n"
		     "  tag       name an image (husk tag)\n");
}

int cmd_image(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	static const struct {
		const char *name;
		cmd_fn fn;
	} sub[] = {
		{ "inspect", image_inspect }, { "ls", cmd_images },
		{ "list", cmd_images },	      { "prune", image_prune },
		{ "pull", cmd_pull },	      { "rm", cmd_rmi },
		{ "tag", cmd_tag },
	};

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		image_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? cmd_usage_error(ctx, e, "image needs a command")
				: 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(sub); i++) {
		if (strcmp(argv[1], sub[i].name))
			continue;
		cmd_enter_sub(ctx, "image", sub[i].name);
		return sub[i].fn(ctx, argc - 1, argv + 1, e);
	}
	return cmd_usage_error(ctx, e, "unknown command 'image %s'", argv[1]);
}
