/*
 * test-reference.c - image reference parsing against docker's rules
 * (distribution/reference normalize_test.go and reference_test.go).
 */
#include <stdio.h>
#include <string.h>

#include "registry/registry.h"
#include "test/unit/tap.h"
#include "lib/err.h"
#include "lib/banned.h"

/* ok() with a diagnostic line on failure */
static void t_ok(int cond, const char *what, const char *detail)
{
	if (!ok(cond, "%s", what) && detail)
		tap_diag("  got: %s", detail);
}

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define D64 "sha256:" H64

struct good {
	const char *in;
	const char *full;
	const char *familiar;
};

static const struct good goods[] = {
	{ "busybox", "docker.io/library/busybox:latest", "busybox:latest" },
	{ "busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36" },
	{ "library/busybox:1.36", "docker.io/library/busybox:1.36",
	  "busybox:1.36" },
	{ "docker.io/busybox", "docker.io/library/busybox:latest",
	  "busybox:latest" },
	{ "docker.io/library/busybox", "docker.io/library/busybox:latest",
	  "busybox:latest" },
	{ "index.docker.io/busybox", "docker.io/library/busybox:latest",
	  "busybox:latest" },
	{ "index.docker.io/x/y", "docker.io/x/y:latest", "x/y:latest" },
	{ "docker.io/library/a/b", "docker.io/library/a/b:latest",
	  "library/a/b:latest" },
	{ "x/y", "docker.io/x/y:latest", "x/y:latest" },
	{ "x/y/z:t", "docker.io/x/y/z:t", "x/y/z:t" },
	{ "localhost/x", "localhost/x:latest", "localhost/x:latest" },
	{ "localhost:5000/x", "localhost:5000/x:latest",
	  "localhost:5000/x:latest" },
	{ "localhost", "docker.io/library/localhost:latest",
	  "localhost:latest" },
	{ "localhost:5000", "docker.io/library/localhost:5000",
	  "localhost:5000" },
	{ "127.0.0.1:5000/x/y:t", "127.0.0.1:5000/x/y:t",
	  "127.0.0.1:5000/x/y:t" },
	{ "quay.io/a/b", "quay.io/a/b:latest", "quay.io/a/b:latest" },
	{ "Foo.COM/x", "Foo.COM/x:latest", "Foo.COM/x:latest" },
	{ "Foo/x", "Foo/x:latest", "Foo/x:latest" },
	{ "my-registry.local:5000/ns/img@" D64,
	  "my-registry.local:5000/ns/img@" D64,
	  "my-registry.local:5000/ns/img@" D64 },
	{ "busybox@" D64, "docker.io/library/busybox@" D64, "busybox@" D64 },
	{ "busybox:1.36@" D64, "docker.io/library/busybox:1.36@" D64,
	  "busybox:1.36@" D64 },
	{ "[::1]:5000/x", "[::1]:5000/x:latest", "[::1]:5000/x:latest" },
	{ "[::1]/x:t", "[::1]/x:t", "[::1]/x:t" },
	{ "[fe80::1]:5000/a/b@" D64, "[fe80::1]:5000/a/b@" D64,
	  "[fe80::1]:5000/a/b@" D64 },
	{ "a.b-c.d/e", "a.b-c.d/e:latest", "a.b-c.d/e:latest" },
	{ "x/a.b", "docker.io/x/a.b:latest", "x/a.b:latest" },
	{ "x/a_b", "docker.io/x/a_b:latest", "x/a_b:latest" },
	{ "x/a__b", "docker.io/x/a__b:latest", "x/a__b:latest" },
	{ "x/a-b", "docker.io/x/a-b:latest", "x/a-b:latest" },
	{ "x/a---b", "docker.io/x/a---b:latest", "x/a---b:latest" },
	{ "x/a.b_c-d__e", "docker.io/x/a.b_c-d__e:latest",
	  "x/a.b_c-d__e:latest" },
	{ "busybox:Latest", "docker.io/library/busybox:Latest",
	  "busybox:Latest" },
	{ "busybox:_x", "docker.io/library/busybox:_x", "busybox:_x" },
	{ "busybox:1.2-rc.3_x", "docker.io/library/busybox:1.2-rc.3_x",
	  "busybox:1.2-rc.3_x" },
	{ "0/1", "docker.io/0/1:latest", "0/1:latest" },
	{ "h:1/x", "h:1/x:latest", "h:1/x:latest" },
	{ "abcdef0123" H64 ":t", "docker.io/library/abcdef0123" H64 ":t",
	  "abcdef0123" H64 ":t" },
};

struct badref {
	const char *in;
	const char *msg;
};

static const struct badref bads[] = {
	{ "", "invalid reference '': empty name" },
	{ "Busybox", "invalid reference 'Busybox': repository name must be "
		     "lowercase" },
	{ "x/Busybox", "invalid reference 'x/Busybox': repository name must "
		       "be lowercase" },
	{ "localhost:5000/UP", "invalid reference 'localhost:5000/UP': "
			       "repository name must be lowercase" },
	{ H64, "invalid reference '" H64 "': cannot specify 64-byte "
	       "hexadecimal strings" },
	{ "busybox:", "invalid reference 'busybox:': invalid tag format" },
	{ "busybox:-x", "invalid reference 'busybox:-x': invalid tag format" },
	{ "busybox:.x", "invalid reference 'busybox:.x': invalid tag format" },
	{ "busybox:a+b", "invalid reference 'busybox:a+b': invalid tag "
			 "format" },
	{ "busybox@", "invalid reference 'busybox@': invalid digest format" },
	{ "busybox@sha256", "invalid reference 'busybox@sha256': invalid "
			    "digest format" },
	{ "busybox@sha256:abc", NULL },
	{ "busybox@sha256:" H64 "0", NULL },
	{ "busybox@sha256:" "0123456789ABCDEF0123456789abcdef0123456789abcdef"
	  "0123456789abcdef", NULL },
	{ "busybox@sha512:" H64 H64, "invalid reference 'busybox@sha512:" H64
				     H64 "': unsupported digest algorithm" },
	{ "busybox@md5:" H64, NULL },
	{ "busybox@" H64, NULL },
	{ ":tag", "invalid reference ':tag': invalid reference format" },
	{ "@" D64, NULL },
	{ "/busybox", NULL },
	{ "busybox/", NULL },
	{ "a//b", NULL },
	{ "x/-a", NULL },
	{ "x/a-", NULL },
	{ "x/a..b", NULL },
	{ "x/a___b", NULL },
	{ "x/a._b", NULL },
	{ "x/.a", NULL },
	{ "x/_a", NULL },
	{ "x/a b", NULL },
	{ "x/a$b", NULL },
	{ "-host.com/x", NULL },
	{ "host-.com/x", NULL },
	{ "ho..st.com/x", NULL },
	{ "host.com:/x", NULL },
	{ "host.com:5a/x", NULL },
	{ "[::1/x", NULL },
	{ "[]:5000/x", NULL },
	{ "[zz::1]/x", NULL },
	{ "[::1]x/y", NULL },
	{ "a@b@" D64, NULL },
	{ "busybox:tag:tag", NULL },
	{ "x/y:tag/z", NULL },
	{ "host.com/", NULL },
};

static void check_good(const struct good *g)
{
	_cleanup_err_ struct err *e = NULL;
	struct ref r = REF_INIT;
	char name[512];
	_cleanup_free_ char *full = NULL, *fam = NULL;

	snprintf(name, sizeof(name), "parse '%s'", g->in);
	if (ref_parse(g->in, &r, &e) < 0) {
		t_ok(0, name, e->msg);
		return;
	}
	full = ref_full(&r);
	fam = ref_familiar(&r);
	t_ok(strcmp(full, g->full) == 0, name, full);
	snprintf(name, sizeof(name), "familiar '%s' = '%s'", g->in,
		 g->familiar);
	t_ok(strcmp(fam, g->familiar) == 0, name, fam);
	ref_release(&r);
}

static void check_bad(const struct badref *b)
{
	_cleanup_err_ struct err *e = NULL;
	struct ref r = REF_INIT;
	char name[512], want[512];
	int rc;

	snprintf(name, sizeof(name), "reject '%s'", b->in);
	rc = ref_parse(b->in, &r, &e);
	if (rc >= 0) {
		_cleanup_free_ char *full = ref_full(&r);

		t_ok(0, name, full);
		ref_release(&r);
		return;
	}
	t_ok(r.domain == NULL && r.path == NULL && r.tag == NULL, name, NULL);
	if (b->msg) {
		snprintf(name, sizeof(name), "message for '%s'", b->in);
		t_ok(strcmp(e->msg, b->msg) == 0, name, e->msg);
	} else {
		snprintf(want, sizeof(want), "invalid reference '%s': ", b->in);
		snprintf(name, sizeof(name), "message for '%s' names it",
			 b->in);
		t_ok(strncmp(e->msg, want, strlen(want)) == 0 &&
			     !strchr(e->msg, '\n'),
		     name, e->msg);
	}
}

static void check_long_names(void)
{
	_cleanup_err_ struct err *e = NULL;
	struct ref r = REF_INIT;
	char s[300];
	int rc;

	/* docker.io/ (10) + x/ (2) + 243 = 255: the longest allowed */
	memset(s, 'a', sizeof(s));
	memcpy(s, "x/", 2);
	s[2 + 243] = '\0';
	t_ok(ref_parse(s, &r, &e) >= 0, "name of 255 characters", NULL);
	ref_release(&r);
	s[2 + 243] = 'a';
	s[2 + 244] = '\0';
	rc = ref_parse(s, &r, &e);
	t_ok(rc < 0 && strstr(e->msg, "not be more than 255"),
	     "name of 256 characters", e ? e->msg : NULL);
	err_freep(&e);
	/* the tag does not count; 128 characters are allowed, 129 are not */
	memset(s, 'a', sizeof(s));
	memcpy(s, "b:", 2);
	s[2 + 128] = '\0';
	t_ok(ref_parse(s, &r, &e) >= 0, "tag of 128 characters", NULL);
	ref_release(&r);
	s[2 + 128] = 'a';
	s[2 + 129] = '\0';
	t_ok(ref_parse(s, &r, &e) < 0, "tag of 129 characters", NULL);
}

static void check_parts(void)
{
	_cleanup_err_ struct err *e = NULL;
	struct ref r = REF_INIT;
	_cleanup_free_ char *repo = NULL, *ep = NULL, *ep2 = NULL;
	struct ref c = REF_INIT;

	t_ok(ref_parse("busybox:1.36@" D64, &r, &e) >= 0, "parse tag+digest",
	     NULL);
	t_ok(strcmp(r.domain, "docker.io") == 0, "domain docker.io", r.domain);
	t_ok(strcmp(r.path, "library/busybox") == 0, "path", r.path);
	t_ok(strcmp(r.tag, "1.36") == 0, "tag kept", r.tag);
	t_ok(strcmp(ref_object(&r), D64) == 0, "digest wins for fetching",
	     ref_object(&r));
	repo = ref_repo(&r);
	t_ok(strcmp(repo, "docker.io/library/busybox") == 0, "ref_repo", repo);
	ref_copy(&c, &r);
	t_ok(c.domain != r.domain && strcmp(c.digest, r.digest) == 0,
	     "ref_copy is deep", NULL);
	ref_release(&c);
	ref_release(&r);
	t_ok(r.domain == NULL && r.digest == NULL, "release resets", NULL);
	ref_release(&r);

	t_ok(ref_parse("busybox@" D64, &r, &e) >= 0 && r.tag == NULL,
	     "digest only: no tag", NULL);
	ref_release(&r);
	t_ok(ref_parse("busybox", &r, &e) >= 0 &&
		     strcmp(ref_object(&r), "latest") == 0,
	     "default tag latest", NULL);
	ref_release(&r);

	ep = ref_endpoint("docker.io");
	ep2 = ref_endpoint("127.0.0.1:5000");
	t_ok(strcmp(ep, "registry-1.docker.io") == 0, "docker.io endpoint", ep);
	t_ok(strcmp(ep2, "127.0.0.1:5000") == 0, "other endpoint", ep2);
	t_ok(ref_digest_valid(D64) && !ref_digest_valid("sha256:abc") &&
		     !ref_digest_valid(NULL),
	     "ref_digest_valid", NULL);
}

/* registry_select_platform() is pure: it belongs with the offline tests. */
static const char index_json[] =
	"{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX "\","
	"\"manifests\":["
	"{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"sha256:"
	"1111111111111111111111111111111111111111111111111111111111111111\","
	"\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
	"{\"digest\":\"sha256:"
	"2222222222222222222222222222222222222222222222222222222222222222\","
	"\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\","
	"\"variant\":\"v8\"}},"
	"{\"mediaType\":\"" MT_DOCKER_MANIFEST "\",\"digest\":\"sha256:"
	"3333333333333333333333333333333333333333333333333333333333333333\","
	"\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\","
	"\"variant\":\"v7\"}},"
	"{\"digest\":\"sha256:"
	"4444444444444444444444444444444444444444444444444444444444444444\","
	"\"size\":1,\"platform\":{\"os\":\"unknown\",\"architecture\":"
	"\"unknown\"}}]}";

static void select_is(const char *platform, char want)
{
	_cleanup_err_ struct err *e = NULL;
	_cleanup_free_ char *d = NULL, *mt = NULL;
	char name[128];

	snprintf(name, sizeof(name), "platform '%s' -> %c", platform, want);
	if (registry_select_platform(index_json, strlen(index_json), platform,
				     &d, &mt, &e) < 0) {
		t_ok(0, name, e->msg);
		return;
	}
	t_ok(d[7] == want && d[8] == want, name, d);
	t_ok(*mt != '\0', "media type set", mt);
}

static void check_platforms(void)
{
	_cleanup_err_ struct err *e = NULL;
	_cleanup_free_ char *d = NULL, *host = registry_host_platform();
	int rc;

	select_is("linux/amd64", '1');
	select_is("linux/x86_64", '1');
	select_is("linux/arm64", '2');
	select_is("linux/arm64/v8", '2');
	select_is("linux/aarch64", '2');
	select_is("linux/arm", '3');
	select_is("linux/arm/v7", '3');
	t_ok(strncmp(host, "linux/", 6) == 0, "host platform", host);
	rc = registry_select_platform(index_json, strlen(index_json),
				      "linux/s390x", &d, NULL, &e);
	t_ok(rc < 0 &&
		     strcmp(e->msg, "no manifest for platform 'linux/s390x' in "
			    "the image index (it has: linux/amd64, "
			    "linux/arm64, linux/arm/v7)") == 0,
	     "no match names the platforms", e ? e->msg : NULL);
	err_freep(&e);
	t_ok(registry_select_platform(index_json, strlen(index_json),
				      "linux/arm/v6", &d, NULL, &e) < 0,
	     "arm/v6 does not take v7", NULL);
	err_freep(&e);
	rc = registry_select_platform(index_json, strlen(index_json), "linux",
				      &d, NULL, &e);
	t_ok(rc < 0 &&
		     strstr(e->msg, "invalid platform 'linux'"),
	     "bad platform string", e ? e->msg : NULL);
	err_freep(&e);
	t_ok(registry_select_platform("{}", 2, "linux/amd64", &d, NULL, &e) < 0,
	     "not an index", NULL);
	err_freep(&e);
	t_ok(registry_select_platform("[", 1, NULL, &d, NULL, &e) < 0,
	     "not json", NULL);
}

int main(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(goods); i++)
		check_good(&goods[i]);
	for (i = 0; i < ARRAY_SIZE(bads); i++)
		check_bad(&bads[i]);
	check_long_names();
	check_parts();
	check_platforms();
	return tap_done();
}
