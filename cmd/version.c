/*
 * husk version [--format json]: husk's version and those of the libraries
 * it was linked with, as they report themselves at run time.
 */
#include "layers/archive_dl.h"
#include <cjson/cJSON.h>
#include "registry/curl_dl.h"
#include <getopt.h>
#include "lib/crypto_dl.h"
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <zstd.h>

#include "cmd/cmd.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

struct libver {
	const char *name;
	char *version;
};

static void collect(struct libver *v)
{
	const struct scmp_version *sv = seccomp_version();
	const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);

	v[0] = (struct libver){ "libarchive",
				xstrdup(archive_version_string()) };
	v[1] = (struct libver){ "zstd", xstrdup(ZSTD_versionString()) };
	v[2] = (struct libver){ "cJSON", xstrdup(cJSON_Version()) };
	v[3] = (struct libver){ "libseccomp",
				xasprintf("%u.%u.%u", sv->major, sv->minor,
					  sv->micro) };
	v[4] = (struct libver){ "libcurl", xstrdup(cv->version) };
	v[5] = (struct libver){ "openssl",
				xstrdup(OpenSSL_version(OPENSSL_VERSION)) };
}

static void usage(void)
{
	printf("Usage: husk version [--format json]\n"
	       "\n"
	       "Show husk's version and the versions of the libraries it\n"
	       "was linked with.\n"
	       "\n"
	       "  -f, --format FORMAT   'json' for machine-readable output\n"
	       "      --help            show this help\n");
}

static int print_json(struct libver *v, size_t n)
{
	_cleanup_cjson_ cJSON *root = cJSON_CreateObject();
	cJSON *libs = cJSON_AddObjectToObject(root, "libraries");
	_cleanup_free_ char *s = NULL;
	struct utsname u;

	cJSON_AddStringToObject(root, "version", HUSK_VERSION);
	if (uname(&u) == 0)
		cJSON_AddStringToObject(root, "kernel", u.release);
	for (size_t i = 0; i < n; i++)
		cJSON_AddStringToObject(libs, v[i].name, v[i].version);
	s = cJSON_Print(root);
	if (!s)
		oom();
	puts(s);
	return 0;
}

int cmd_version(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	struct libver v[6];
	bool json;
	int rc = cmd_parse_format(ctx, argc, argv, usage, &json, e);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	collect(v);
	if (json)
		print_json(v, ARRAY_SIZE(v));
	else {
		printf("husk version %s\n", HUSK_VERSION);
		for (size_t i = 0; i < ARRAY_SIZE(v); i++)
			printf("  %-11s %s\n", v[i].name, v[i].version);
	}
	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		free(v[i].version);
	return 0;
}
