/*
 * husk pull [-q] [--platform OS/ARCH[/VARIANT]] IMAGE: download an image
 * into the store. Progress bars on a terminal; otherwise (or with -q) only
 * the image id at the end, on stdout.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "layers/pull.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "registry/registry.h"
#include "lib/banned.h"

static void usage(void)
{
	printf("Usage: husk pull [OPTIONS] IMAGE\n"
	       "\n"
	       "Download IMAGE (NAME[:TAG][@DIGEST]) and its layers into the\n"
	       "store. Layers already there are not downloaded again.\n"
	       "\n"
	       "  -q, --quiet                print only the image id\n"
	       "      --platform OS/ARCH[/VARIANT]\n"
	       "                             the platform to pull from a\n"
	       "                             multi-arch image (default: host)\n"
	       CMD_REGISTRY_HELP
	       "      --help                 show this help\n");
}

struct pull_args {
	struct registry_config cfg;
	const char *platform;
	bool quiet;
	const char *image;
};

static int parse(struct husk_ctx *ctx, int argc, char **argv,
		 struct pull_args *a, struct err **e)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "platform", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		CMD_REGISTRY_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int c, r;

	registry_config_init(&a->cfg);
	while ((c = getopt_long(argc, argv, "+:qh", opts, NULL)) != -1) {
		if ((r = cmd_registry_flag(ctx, c, &a->cfg, e)) != 0) {
			if (r < 0)
				return -1;
			continue;
		}
		switch (c) {
		case 'q':
			a->quiet = true;
			break;
		case 'p':
			a->platform = optarg;
			break;
		case 'h':
			usage();
			return 1;
		default:
			return cmd_getopt_error(ctx, c, argv, e);
		}
	}
	if (optind != argc - 1)
		return cmd_usage_error(ctx, e, optind >= argc
						       ? "pull needs an image"
						       : "pull takes one image");
	a->image = argv[optind];
	return 0;
}

/* Layers unpacked under another id mapping would show wrong owners. */
static int check_idmap(struct husk_ctx *ctx, struct store *s, struct err **e)
{
	_cleanup_free_ char *u = NULL, *g = NULL;
	bool differs = false;

	u = ctx->rootless ? userns_map_string(&ctx->userns, false)
			  : xstrdup("host");
	g = ctx->rootless ? userns_map_string(&ctx->userns, true)
			  : xstrdup("host");
	if (store_idmap_check(s, u, g, &differs, e) < 0)
		return -1;
	if (differs)
		log_warn("the store '%s' was unpacked with another id mapping "
			 "(see its store.json): owners in its layers may be "
			 "wrong; 'husk image prune -a' and pull again",
			 ctx->root);
	return 0;
}

int cmd_pull(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	struct pull_args a = { 0 };
	struct ref r = REF_INIT;
	struct store s = STORE_INIT;
	struct pull_image img = { 0 };
	struct pull_progress_state st = { stderr, 0 };
	struct pull_opts o = { 0 };
	int rc;

	rc = parse(ctx, argc, argv, &a, e);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (ref_parse(a.image, &r, e) < 0)
		return err_wrap(e, "cannot pull '%s'", a.image);
	o.cfg = &a.cfg;
	o.platform = a.platform;
	o.unpack.rootless = ctx->rootless;
	o.unpack.squash_owner = ctx->rootless && ctx->userns.single;
	o.unpack.userxattr = ctx->rootless;
	if (!a.quiet && isatty(STDERR_FILENO)) {
		o.progress = cmd_pull_progress;
		o.progress_arg = &st;
	}
	rc = registry_global_init(e);
	if (rc >= 0)
		rc = store_open(&s, ctx->root, true, e);
	if (rc >= 0)
		rc = check_idmap(ctx, &s, e);
	if (rc >= 0)
		rc = layers_pull(&s, &r, &o, &img, e);
	if (rc < 0) {
		err_wrap(e, "cannot pull '%s'", a.image);
	} else {
		if (img.squashed)
			log_warn("%u files of '%s' belong to ids outside your "
				 "namespace and were given to you",
				 img.squashed, a.image);
		printf("%s\n", img.config_digest + 7);
	}
	pull_image_release(&img);
	store_close(&s);
	ref_release(&r);
	return rc < 0 ? rc : 0;
}
