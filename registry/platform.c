/*
 * platform.c - pick one manifest out of an image index (OCI index or docker
 * manifest list) for a platform, with containerd's normalisation:
 * x86_64 = amd64, aarch64 = arm64, arm64's variant v8 is the default, arm's
 * is v7. Attestation manifests (platform unknown/unknown) never match.
 */
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

#include "registry/registry.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define PART_MAX 64

struct platform {
	char os[PART_MAX];
	char arch[PART_MAX];
	char variant[PART_MAX];
};

static const char *const arch_alias[][2] = {
	{ "x86_64", "amd64" }, { "x86-64", "amd64" }, { "aarch64", "arm64" },
	{ "i386", "386" },     { "i686", "386" },     { "armhf", "arm" },
	{ "armel", "arm" },
};

static void normalize(struct platform *p)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(arch_alias); i++)
		if (strcmp(p->arch, arch_alias[i][0]) == 0)
			snprintf(p->arch, sizeof(p->arch), "%s",
				 arch_alias[i][1]);
	if (strcmp(p->arch, "arm64") == 0 && strcmp(p->variant, "v8") == 0)
		p->variant[0] = '\0';
	if (strcmp(p->arch, "arm") == 0 && !p->variant[0])
		snprintf(p->variant, sizeof(p->variant), "v7");
}

static int parse_platform(const char *s, struct platform *p, struct err **e)
{
	const char *a = strchr(s, '/');
	const char *v = a ? strchr(a + 1, '/') : NULL;

	*p = (struct platform){ 0 };
	if (!a || a == s || !a[1] || (v && (!v[1] || strchr(v + 1, '/'))) ||
	    strlen(s) >= PART_MAX)
		return err_make(e, 0, "invalid platform '%s' (want "
				"os/arch[/variant])", s);
	snprintf(p->os, sizeof(p->os), "%.*s", (int)(a - s), s);
	if (v) {
		snprintf(p->arch, sizeof(p->arch), "%.*s", (int)(v - a - 1),
			 a + 1);
		snprintf(p->variant, sizeof(p->variant), "%s", v + 1);
	} else {
		snprintf(p->arch, sizeof(p->arch), "%s", a + 1);
	}
	normalize(p);
	return 0;
}

char *registry_host_platform(void)
{
	struct utsname u;
	const char *m = "amd64";

	if (uname(&u) == 0)
		m = u.machine;
	if (strcmp(m, "aarch64") == 0 || strcmp(m, "arm64") == 0)
		return xstrdup("linux/arm64/v8");
	if (strncmp(m, "armv", 4) == 0 && m[4] >= '5' && m[4] <= '8')
		return xasprintf("linux/arm/v%c", m[4]);
	if (strcmp(m, "x86_64") == 0)
		return xstrdup("linux/amd64");
	if (m[0] == 'i' && strcmp(m + 2, "86") == 0)
		return xstrdup("linux/386");
	return xasprintf("linux/%s", m);
}

static const char *str_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItem(o, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static void entry_platform(const cJSON *m, struct platform *p)
{
	const cJSON *pl = cJSON_GetObjectItem(m, "platform");

	*p = (struct platform){ 0 };
	snprintf(p->os, sizeof(p->os), "%s", str_of(pl, "os"));
	snprintf(p->arch, sizeof(p->arch), "%s", str_of(pl, "architecture"));
	snprintf(p->variant, sizeof(p->variant), "%s", str_of(pl, "variant"));
	normalize(p);
}

static int platform_match(const struct platform *want,
			  const struct platform *have)
{
	if (strcmp(want->os, have->os) || strcmp(want->arch, have->arch))
		return 0;
	/* "linux/amd64" takes any amd64 variant; arm's were normalised */
	return !want->variant[0] || !strcmp(want->variant, have->variant);
}

static void list_platforms(const cJSON *manifests, struct buf *b)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, manifests) {
		struct platform p;

		entry_platform(m, &p);
		if (!p.os[0] || !strcmp(p.os, "unknown"))
			continue;
		buf_addf(b, "%s%s/%s%s%s", b->len ? ", " : "", p.os, p.arch,
			 p.variant[0] ? "/" : "", p.variant);
	}
}

static int no_match(const cJSON *manifests, const char *platform,
		    struct err **e)
{
	_cleanup_buf_ struct buf have = BUF_INIT;

	list_platforms(manifests, &have);
	return err_make(e, 0, "no manifest for platform '%s' in the image "
			"index (it has: %s)", platform,
			have.len ? have.s : "none");
}

static int take_entry(const cJSON *m, char **digest_out,
		      char **media_type_out, struct err **e)
{
	const char *d = str_of(m, "digest");
	const char *mt = str_of(m, "mediaType");

	if (!ref_digest_valid(d))
		return err_make(e, 0, "invalid digest '%s' in image "
				"index", d);
	if (digest_out)
		*digest_out = xstrdup(d);
	if (media_type_out)
		*media_type_out = xstrdup(*mt ? mt : MT_OCI_MANIFEST);
	return 0;
}

int registry_select_platform(const char *index_json, size_t len,
			     const char *platform, char **digest_out,
			     char **media_type_out, struct err **e)
{
	_cleanup_cjson_ cJSON *j = NULL;
	_cleanup_free_ char *host = NULL;
	const cJSON *manifests, *m;
	struct platform want, have;

	if (!platform)
		platform = host = registry_host_platform();
	if (parse_platform(platform, &want, e) < 0)
		return -1;
	j = cJSON_ParseWithLength(index_json, len);
	manifests = cJSON_GetObjectItem(j, "manifests");
	if (!cJSON_IsArray(manifests))
		return err_make(e, 0, "invalid image index: no "
				"'manifests' list");
	cJSON_ArrayForEach(m, manifests) {
		entry_platform(m, &have);
		if (platform_match(&want, &have))
			return take_entry(m, digest_out, media_type_out, e);
	}
	return no_match(manifests, platform, e);
}
