/*
 * Image commands: images (image ls), image inspect, rmi (image rm),
 * tag (image tag), image prune.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "layers/image.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "registry/registry.h"
#include "lib/banned.h"

/* Seconds since the epoch of an RFC 3339 time, or -1. */
static time_t parse_time(const char *s)
{
	struct tm tm = { 0 };

	if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
		return -1;
	return timegm(&tm);
}

void cmd_human_duration(long d, char *out, size_t len)
{
	long h = (d + 1800) / 3600;	/* hours, rounded as docker does */

	if (d < 1)
		snprintf(out, len, "Less than a second");
	else if (d == 1)
		snprintf(out, len, "1 second");
	else if (d < 60)
		snprintf(out, len, "%ld seconds", d);
	else if (d / 60 == 1)
		snprintf(out, len, "About a minute");
	else if (d < 3600)
		snprintf(out, len, "%ld minutes", d / 60);
	else if (h == 1)
		snprintf(out, len, "About an hour");
	else if (h < 48)
		snprintf(out, len, "%ld hours", h);
	else if (h < 24 * 7 * 2)
		snprintf(out, len, "%ld days", h / 24);
	else if (h < 24 * 30 * 2)
		snprintf(out, len, "%ld weeks", h / 24 / 7);
	else if (h < 24 * 365 * 2)
		snprintf(out, len, "%ld months", h / 24 / 30);
	else
		snprintf(out, len, "%ld years", h / 24 / 365);
}

void cmd_human_ago(time_t t, char *out, size_t len)
{
	char d[64];

	if (t < 0) {
		snprintf(out, len, "N/A");
		return;
	}
	cmd_human_duration((long)(time(NULL) - t), d, sizeof(d));
	snprintf(out, len, "%s ago", d);
}

/* Splits a stored full name into docker's REPOSITORY and TAG columns. */
static void repo_tag(const char *name, char **repo, char **tag)
{
	struct ref r = REF_INIT;

	if (ref_parse(name, &r, NULL) < 0) {
		*repo = xstrdup("<none>");
		*tag = xstrdup("<none>");
		return;
	}
	*tag = xstrdup(r.tag && !r.digest ? r.tag : "<none>");
	free(r.tag);
	free(r.digest);
	r.tag = r.digest = NULL;
	*repo = ref_familiar(&r);
	ref_release(&r);
}

/* ---- images ----------------------------------------------------------- */

struct list_args {
	bool quiet, digests, no_trunc, json;
	const char *filter_ref;
};

static void list_json(const struct image_list *l, const struct list_args *a)
{
	_cleanup_cjson_ cJSON *arr = cJSON_CreateArray();
	_cleanup_free_ char *s = NULL;

	for (size_t i = 0; i < l->n; i++) {
		const struct image *im = &l->v[i];
		cJSON *o = cJSON_CreateObject();
		_cleanup_free_ char *repo = NULL, *tag = NULL;

		repo_tag(im->name, &repo, &tag);
		cJSON_AddStringToObject(o, "Id", im->config_digest);
		cJSON_AddStringToObject(o, "Repository", repo);
		cJSON_AddStringToObject(o, "Tag", tag);
		cJSON_AddStringToObject(o, "Name", im->name);
		cJSON_AddStringToObject(o, "Digest", im->repo_digest ?
			strchr(im->repo_digest, '@') + 1 : "");
		cJSON_AddStringToObject(o, "Created", im->created ?: "");
		cJSON_AddNumberToObject(o, "Size", (double)im->size);
		cJSON_AddItemToArray(arr, o);
	}
	s = cJSON_Print(arr);
	puts(s);
}

static void list_table(const struct image_list *l, const struct list_args *a)
{
	int idw = a->no_trunc ? 71 : 12;

	printf("%-40s %-10s ", "REPOSITORY", "TAG");
	if (a->digests)
		printf("%-71s ", "DIGEST");
	printf("%-*s %-18s %s\n", idw, "IMAGE ID", "CREATED", "SIZE");
	for (size_t i = 0; i < l->n; i++) {
		const struct image *im = &l->v[i];
		_cleanup_free_ char *repo = NULL, *tag = NULL;
		char ago[40], size[16];
		const char *id = a->no_trunc ? im->config_digest
					     : im->config_digest + 7;

		repo_tag(im->name, &repo, &tag);
		cmd_human_ago(parse_time(im->created), ago, sizeof(ago));
		cmd_human_size(im->size, size, sizeof(size));
		printf("%-40s %-10s ", repo, tag);
		if (a->digests)
			printf("%-71s ", im->repo_digest ?
			       strchr(im->repo_digest, '@') + 1 : "<none>");
		printf("%-*.*s %-18s %s\n", idw, idw, id, ago, size);
	}
}

static void list_quiet(const struct image_list *l, const struct list_args *a)
{
	for (size_t i = 0; i < l->n; i++) {
		bool seen = false;

		for (size_t j = 0; j < i; j++)
			seen |= !strcmp(l->v[i].config_digest,
					l->v[j].config_digest);
		if (!seen)
			printf("%.*s\n", a->no_trunc ? 71 : 12,
			       l->v[i].config_digest + (a->no_trunc ? 0 : 7));
	}
}

static void images_usage(void)
{
	printf("Usage: husk images [OPTIONS] [REFERENCE]\n"
	       "\n"
	       "List the images in the store (also: husk image ls).\n"
	       "\n"
	       "  -q, --quiet        only image ids\n"
	       "      --digests      show the repository digests\n"
	       "      --no-trunc     full image ids\n"
	       "      --format json  one JSON array\n"
	       "      --help         show this help\n");
}

static int parse_list(struct husk_ctx *ctx, int argc, char **argv,
		      struct list_args *a, struct err **e)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "digests", no_argument, NULL, 'd' },
		{ "no-trunc", no_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "+:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'q': a->quiet = true; break;
		case 'd': a->digests = true; break;
		case 'n': a->no_trunc = true; break;
		case 'f':
			if (strcmp(optarg, "json"))
				return cmd_usage_error(ctx, e, "unknown format '%s'",
						       optarg);
			a->json = true;
			break;
		case 'h': images_usage(); return 1;
		default: return cmd_getopt_error(ctx, c, argv, e);
		}
	}
	if (argc - optind > 1)
		return cmd_usage_error(ctx, e, "unexpected argument '%s'",
				       argv[optind + 1]);
	a->filter_ref = argv[optind];
	return 0;
}

/* Keeps only the images REF names (docker's `images REPO[:TAG]`). */
static int filter(struct image_list *l, const char *ref, struct err **e)
{
	_cleanup_free_ size_t *idx = NULL;
	int n = image_find(l, ref, &idx, e);

	if (n < 0)
		return -1;
	/* idx is ascending, so swapping each match to the front is safe */
	for (int i = 0; i < n; i++) {
		struct image t = l->v[i];

		l->v[i] = l->v[idx[i]];
		l->v[idx[i]] = t;
	}
	while (l->n > (size_t)n)
		image_release(&l->v[--l->n]);
	return 0;
}

int cmd_images(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	struct list_args a = { 0 };
	struct store s;
	struct image_list l = { 0 };
	int rc = parse_list(ctx, argc, argv, &a, e);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	s = (struct store)STORE_INIT;
	rc = store_open(&s, ctx->root, false, e);
	if (rc < 0 && (*e)->errnum == ENOENT) {
		err_freep(e);
		rc = 0; /* no store yet: no images */
	} else if (rc >= 0) {
		rc = image_list_read(&s, &l, e);
	}
	if (rc >= 0 && a.filter_ref)
		rc = filter(&l, a.filter_ref, e);
	if (rc >= 0) {
		if (a.json)
			list_json(&l, &a);
		else if (a.quiet)
			list_quiet(&l, &a);
		else
			list_table(&l, &a);
	}
	image_list_release(&l);
	store_close(&s);
	return rc < 0 ? rc : 0;
}
