/*
 * registry.h - image references and the distribution API client.
 *
 * References (reference.c) follow docker's distribution/reference grammar:
 *
 *	busybox                    -> docker.io/library/busybox:latest
 *	localhost:5000/x/y:t       -> localhost:5000/x/y:t
 *	[::1]:5000/x@sha256:<64>   -> digest only, no tag
 *	name:tag@sha256:<64>       -> both kept; the digest wins for fetching
 *
 * The first path component is a domain when it contains '.' or ':', is
 * "localhost", or has an uppercase letter (docker's splitDockerDomain).
 * "index.docker.io" becomes "docker.io"; a docker.io name without '/' gets
 * "library/". A reference with neither tag nor digest gets the tag "latest".
 * ref_parse() fills a struct ref whose strings the caller owns
 * (ref_release()); errors read "invalid reference 'X': <why>".
 *
 * The client (client.c, auth.c) speaks the registry HTTP API v2 over libcurl.
 * Call registry_global_init() once, before any thread starts. A client is
 * bound to one repository and holds one curl easy handle and its token
 * cache: use it from one thread at a time; registry_client_clone() makes
 * another one for another thread (sharing nothing mutable). Every function
 * is fallible through struct err (lib/err.h) and prints nothing; callers add
 * context ("cannot pull 'REF'") with err_wrap().
 *
 * TLS: HTTPS first. For loopback registries (localhost, 127.0.0.0/8, ::1)
 * and when tls_verify is 0, a failed HTTPS connection falls back to plain
 * HTTP (docker treats those as insecure registries). tls_verify == 0 also
 * skips certificate verification. CA certificates for a registry are the
 * system bundle plus DIR/HOST[:PORT]/ *.crt from every DIR of certs_dirs;
 * a client certificate is DIR/HOST[:PORT]/ *.cert with its *.key.
 *
 * Errors name the cause, docker's words where there are some: "manifest
 * unknown", "repository name not known to registry", "blob unknown to
 * registry", "unauthorized: authentication required" (no credentials),
 * "invalid username or password", "cannot connect to HOST: connection
 * refused", "blob digest mismatch: expected sha256:A, got sha256:B".
 *
 * Credentials are looked up in the auth file (containers auth.json), then
 * in the docker config, as {"auths": {"HOST[:PORT]": {"auth": base64}}}.
 * Proxies come from the environment (libcurl's default).
 */
#ifndef HUSK_REGISTRY_H
#define HUSK_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/cleanup.h"
#include "lib/err.h"

/* ---- references ---------------------------------------------------- */

struct ref {
	char *domain;	/* "docker.io", "127.0.0.1:5000", "[::1]:5000" */
	char *path;	/* "library/busybox" */
	char *tag;	/* "latest", or NULL when only a digest was given */
	char *digest;	/* "sha256:<64 hex>" or NULL */
};

#define REF_INIT { NULL, NULL, NULL, NULL }
#define REF_DEFAULT_DOMAIN "docker.io"
#define REF_NAME_MAX 255

/*
 * ref_parse - parse S into OUT (which is overwritten, not released: start
 * from REF_INIT). On error OUT is left all NULL.
 */
int ref_parse(const char *s, struct ref *out, struct err **e);
/* "docker.io/library/busybox:latest[@sha256:...]"; the tag is left out when
 * the reference has only a digest. Caller frees. */
char *ref_full(const struct ref *r);
/* docker's short form: "busybox:latest", "x/y:t", "127.0.0.1:5000/x/y:t". */
char *ref_familiar(const struct ref *r);
/* "docker.io/library/busybox": domain/path. */
char *ref_repo(const struct ref *r);
/* The HOST[:PORT] to connect to: docker.io is served by registry-1.docker.io. */
char *ref_endpoint(const char *domain);
/* The tag or digest to fetch the manifest by: the digest when there is one. */
const char *ref_object(const struct ref *r);
/* Deep copy of SRC into DST (DST is overwritten). */
void ref_copy(struct ref *dst, const struct ref *src);
void ref_release(struct ref *r);
/* 1 when S is "sha256:" followed by 64 lowercase hex digits. */
int ref_digest_valid(const char *s);

/* ---- client --------------------------------------------------------- */

/*
 * Everything that decides how a registry is reached, in one place, so that
 * mirrors, credential helpers and proxies can slot in later. The strings are
 * borrowed: they must outlive every client made from the config. NULL means
 * the default written next to each field.
 */
struct registry_config {
	int tls_verify;		/* 1 (default); 0 = --tls-verify=false */
	/* colon-separated dirs searched for HOST:PORT/ *.crt; default
	 * $HUSK_CERTS_D, else /etc/containers/certs.d:/etc/docker/certs.d
	 * (plus $HOME/.config/containers/certs.d when not root) */
	const char *certs_dirs;
	/* default $REGISTRY_AUTH_FILE, else
	 * $XDG_RUNTIME_DIR/containers/auth.json (root: /run/containers/0/) */
	const char *auth_file;
	/* default $DOCKER_CONFIG/config.json, else ~/.docker/config.json */
	const char *docker_config;
	const char *user_agent;	/* default "husk/VERSION" */
};

/* tls_verify = 1, everything else NULL (defaults). */
void registry_config_init(struct registry_config *cfg);

/* curl_global_init(); once per process, before threads start. */
int registry_global_init(struct err **e);

struct registry_client;

/*
 * registry_client_new - a client for REF's repository (REF is copied; CFG is
 * borrowed). No network traffic happens until the first request.
 */
int registry_client_new(const struct registry_config *cfg,
			const struct ref *ref, struct registry_client **out,
			struct err **e);
/* A fresh client for another thread, reusing what SRC learnt (scheme,
 * auth challenge, tokens). */
int registry_client_clone(const struct registry_client *src,
			  struct registry_client **out, struct err **e);
void registry_client_free(struct registry_client *cli);
void registry_client_freep(struct registry_client **cli);
#define _cleanup_registry_client_ _cleanup_(registry_client_freep)

/*
 * registry_ping - GET /v2/: decides the scheme (see above) and records the
 * auth challenge. The other calls ping on their own when needed.
 */
int registry_ping(struct registry_client *cli, struct err **e);

#define REGISTRY_MANIFEST_MAX (4u << 20)

#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"

/*
 * registry_get_manifest - fetch the manifest or index TAG_OR_DIGEST into
 * BODY (appended; at most REGISTRY_MANIFEST_MAX bytes). *MEDIA_TYPE gets
 * the media type (Content-Type, else the body's mediaType) and *DIGEST the
 * sha256 of the body, both owned by the caller; either may be NULL. When
 * fetched by digest the body must match it.
 */
int registry_get_manifest(struct registry_client *cli,
			  const char *tag_or_digest, struct buf *body,
			  char **media_type, char **digest, struct err **e);

/* 1 for an OCI index or a docker manifest list. */
int registry_is_index(const char *media_type);

/*
 * registry_select_platform - pick the manifest for PLATFORM
 * ("os/arch[/variant]", NULL for the host) out of an index. Pure function.
 * *DIGEST_OUT and *MEDIA_TYPE_OUT (may be NULL) are owned by the caller.
 */
int registry_select_platform(const char *index_json, size_t len,
			     const char *platform, char **digest_out,
			     char **media_type_out, struct err **e);
/* The host's platform, "linux/amd64", "linux/arm64/v8", ... Caller frees. */
char *registry_host_platform(void);

/*
 * A blob sink gets the body as it arrives. It returns >= 0 to go on and
 * < 0 (a -errno) to abort the download; the fetch then fails with
 * "cannot write blob 'D': <strerror>" (a sink that wants to report more
 * keeps its own error in ARG).
 */
typedef int (*registry_sink_fn)(void *arg, const void *data, size_t n);

/*
 * registry_fetch_blob - stream blob DIGEST to SINK, following redirects,
 * checking its sha256 and, when EXPECTED_SIZE is not 0, its size (no more
 * and no fewer bytes). On a digest or size error the sink has already seen
 * the bad data: the caller discards what it wrote.
 */
int registry_fetch_blob(struct registry_client *cli, const char *digest,
			registry_sink_fn sink, void *arg,
			uint64_t expected_size, struct err **e);

/*
 * registry_login - check USER/PASS against HOST's /v2/ and store them in the
 * auth file (0600, directory 0700, atomically, other entries kept).
 * registry_logout - remove HOST's entry ("not logged in to 'HOST'" if none).
 */
int registry_login(const struct registry_config *cfg, const char *host,
		   const char *user, const char *pass, struct err **e);
int registry_logout(const struct registry_config *cfg, const char *host,
		    struct err **e);
/* The auth file in use, after defaults and environment. Caller frees. */
char *registry_auth_file(const struct registry_config *cfg);

#endif
