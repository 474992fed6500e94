/*
 * reference.c - image references, parsed by hand after docker's
 * distribution/reference grammar (reference.go, normalize.go):
 *
 *	reference  := name [ ":" tag ] [ "@" digest ]
 *	name       := [domain '/'] path-component ['/' path-component]*
 *	domain     := host [':' port] ; host := domain-name | IPv4 | '[' IPv6 ']'
 *	component  := [a-z0-9]+ ( ( [._] | "__" | [-]* ) [a-z0-9]+ )*
 *	tag        := [\w][\w.-]{0,127}
 *	digest     := "sha256:" [a-f0-9]{64}     (husk accepts sha256 only)
 */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "registry/registry.h"
#include "lib/buf.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define LEGACY_DOMAIN "index.docker.io"
#define OFFICIAL_PREFIX "library/"
#define TAG_MAX 128

static int bad(struct err **e, const char *s, const char *why)
{
	return err_make(e, 0, "invalid reference '%s': %s", s, why);
}

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_word(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static bool is_hex_lower(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

int ref_digest_valid(const char *s)
{
	size_t i;

	if (!s || strncmp(s, "sha256:", 7) != 0)
		return 0;
	s += 7;
	for (i = 0; i < 64; i++)
		if (!is_hex_lower(s[i]))
			return 0;
	return s[64] == '\0';
}

/* A digest that is well-formed for docker but not sha256 gets its own
 * message: "sha512:..." is a real digest husk does not support. */
static const char *digest_problem(const char *d)
{
	const char *colon = strchr(d, ':');
	size_t i;

	if (ref_digest_valid(d))
		return NULL;
	if (!colon || colon == d || !colon[1])
		return "invalid digest format";
	for (i = 0; d + i < colon; i++)
		if (!isalnum((unsigned char)d[i]) && !strchr("+.-_", d[i]))
			return "invalid digest format";
	if ((size_t)(colon - d) != 6 || strncmp(d, "sha256", 6) != 0)
		return "unsupported digest algorithm";
	return "invalid checksum digest format (want 64 lowercase hex digits)";
}

static bool tag_valid(const char *t)
{
	size_t n = strlen(t), i;

	if (n == 0 || n > TAG_MAX || !is_word(t[0]))
		return false;
	for (i = 1; i < n; i++)
		if (!is_word(t[i]) && t[i] != '.' && t[i] != '-')
			return false;
	return true;
}

/* One separator of a path component: '.', '_', "__" or any run of '-'. */
static size_t separator_len(const char *p)
{
	size_t n = 0;

	if (p[0] == '.')
		return 1;
	if (p[0] == '_')
		return p[1] == '_' ? 2 : 1;
	while (p[n] == '-')
		n++;
	return n;
}

static bool component_valid(const char *p, size_t len)
{
	size_t i = 0;

	if (len == 0 || !is_lower_alnum(p[0]))
		return false;
	while (i < len) {
		size_t sep;

		while (i < len && is_lower_alnum(p[i]))
			i++;
		if (i == len)
			return true;
		sep = separator_len(p + i);
		if (sep == 0 || i + sep >= len || !is_lower_alnum(p[i + sep]))
			return false;
		i += sep;
	}
	return true;
}

static bool path_valid(const char *p)
{
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);

		if (!component_valid(p, len))
			return false;
		if (!slash)
			return true;
		p = slash + 1;
	}
}

/* domain-component: [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9] */
static bool hostname_valid(const char *h, size_t len)
{
	size_t start = 0, i;

	if (len == 0)
		return false;
	for (i = 0; i <= len; i++) {
		if (i < len && h[i] != '.') {
			if (!isalnum((unsigned char)h[i]) && h[i] != '-')
				return false;
			continue;
		}
		if (i == start || h[start] == '-' || h[i - 1] == '-')
			return false;
		start = i + 1;
	}
	return true;
}

static bool port_valid(const char *p)
{
	if (!*p)
		return false;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return true;
}

static bool domain_valid(const char *d)
{
	const char *port;
	size_t hostlen, i;

	if (d[0] == '[') {
		const char *close = strchr(d, ']');

		if (!close || close == d + 1)
			return false;
		for (i = 1; d + i < close; i++)
			if (!isxdigit((unsigned char)d[i]) && d[i] != ':')
				return false;
		port = close + 1;
		if (!*port)
			return true;
		return *port == ':' && port_valid(port + 1);
	}
	port = strchr(d, ':');
	hostlen = port ? (size_t)(port - d) : strlen(d);
	if (!hostname_valid(d, hostlen))
		return false;
	return !port || port_valid(port + 1);
}

/* docker's splitDockerDomain(): is the text before the first '/' a domain? */
static bool looks_like_domain(const char *s, size_t len)
{
	size_t i;

	if (len == 9 && strncmp(s, "localhost", 9) == 0)
		return true;
	for (i = 0; i < len; i++)
		if (s[i] == '.' || s[i] == ':' || isupper((unsigned char)s[i]))
			return true;
	return false;
}

static bool all_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!is_hex_lower(s[i]))
			return false;
	return s[64] == '\0';
}

static bool has_upper(const char *s)
{
	for (; *s; s++)
		if (isupper((unsigned char)*s))
			return true;
	return false;
}

/* Splits NAME (no tag, no digest) into domain and path, normalised. */
static int split_name(const char *s, const char *name, struct ref *out,
		      struct err **e)
{
	const char *slash = strchr(name, '/');

	if (slash && looks_like_domain(name, (size_t)(slash - name))) {
		out->domain = xstrndup(name, (size_t)(slash - name));
		out->path = xstrdup(slash + 1);
	} else {
		out->domain = xstrdup(REF_DEFAULT_DOMAIN);
		out->path = xstrdup(name);
	}
	if (strcmp(out->domain, LEGACY_DOMAIN) == 0) {
		free(out->domain);
		out->domain = xstrdup(REF_DEFAULT_DOMAIN);
	}
	if (!domain_valid(out->domain))
		return bad(e, s, "invalid domain");
	if (has_upper(out->path))
		return bad(e, s, "repository name must be lowercase");
	if (!path_valid(out->path))
		return bad(e, s, "invalid reference format");
	if (strcmp(out->domain, REF_DEFAULT_DOMAIN) == 0 &&
	    !strchr(out->path, '/')) {
		char *p = xasprintf(OFFICIAL_PREFIX "%s", out->path);

		free(out->path);
		out->path = p;
	}
	if (strlen(out->domain) + 1 + strlen(out->path) > REF_NAME_MAX)
		return bad(e, s, "repository name must not be more than 255 "
				 "characters");
	return 0;
}

/* Cuts "@digest" and then ":tag" off NAME (modified in place). */
static int split_suffixes(const char *s, char *name, struct ref *out,
			  struct err **e)
{
	char *at = strchr(name, '@');
	char *slash, *colon;

	if (at) {
		const char *why;

		*at = '\0';
		why = digest_problem(at + 1);
		if (why)
			return bad(e, s, why);
		out->digest = xstrdup(at + 1);
	}
	slash = strrchr(name, '/');
	colon = strrchr(slash ? slash : name, ':');
	if (colon) {
		*colon = '\0';
		if (!tag_valid(colon + 1))
			return bad(e, s, "invalid tag format");
		out->tag = xstrdup(colon + 1);
	}
	if (!*name)
		return bad(e, s, "invalid reference format");
	return 0;
}

int ref_parse(const char *s, struct ref *out, struct err **e)
{
	_cleanup_free_ char *name = NULL;
	struct ref r = REF_INIT;
	int rc;

	*out = (struct ref)REF_INIT;
	if (!s || !*s)
		return err_make(e, 0, "invalid reference '': empty name");
	if (all_hex64(s))
		return bad(e, s, "cannot specify 64-byte hexadecimal strings");
	name = xstrdup(s);
	rc = split_suffixes(s, name, &r, e);
	if (rc >= 0)
		rc = split_name(s, name, &r, e);
	if (rc < 0) {
		ref_release(&r);
		return rc;
	}
	if (!r.tag && !r.digest)
		r.tag = xstrdup("latest");
	*out = r;
	return 0;
}

static void add_suffixes(struct buf *b, const struct ref *r)
{
	if (r->tag)
		buf_addf(b, ":%s", r->tag);
	if (r->digest)
		buf_addf(b, "@%s", r->digest);
}

char *ref_full(const struct ref *r)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "%s/%s", r->domain, r->path);
	add_suffixes(&b, r);
	return buf_detach(&b, NULL);
}

char *ref_familiar(const struct ref *r)
{
	struct buf b = BUF_INIT;
	const char *path = r->path;

	if (strcmp(r->domain, REF_DEFAULT_DOMAIN) == 0) {
		size_t n = strlen(OFFICIAL_PREFIX);

		if (strncmp(path, OFFICIAL_PREFIX, n) == 0 &&
		    !strchr(path + n, '/'))
			path += n;
		buf_addstr(&b, path);
	} else {
		buf_addf(&b, "%s/%s", r->domain, path);
	}
	add_suffixes(&b, r);
	return buf_detach(&b, NULL);
}

char *ref_repo(const struct ref *r)
{
	return xasprintf("%s/%s", r->domain, r->path);
}

char *ref_endpoint(const char *domain)
{
	if (strcmp(domain, REF_DEFAULT_DOMAIN) == 0 ||
	    strcmp(domain, LEGACY_DOMAIN) == 0)
		return xstrdup("registry-1.docker.io");
	return xstrdup(domain);
}

const char *ref_object(const struct ref *r)
{
	return r->digest ? r->digest : r->tag;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void ref_copy(struct ref *dst, const struct ref *src)
{
	dst->domain = dup_or_null(src->domain);
	dst->path = dup_or_null(src->path);
	dst->tag = dup_or_null(src->tag);
	dst->digest = dup_or_null(src->digest);
}

void ref_release(struct ref *r)
{
	if (!r)
		return;
	free(r->domain);
	free(r->path);
	free(r->tag);
	free(r->digest);
	*r = (struct ref)REF_INIT;
}
