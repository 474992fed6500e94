/*
 * tls.c - per-registry TLS material and the loopback test.
 *
 * As docker and containers/image do, a registry HOST[:PORT] may have a
 * directory CERTS_DIR/HOST[:PORT]/ holding *.crt (extra CA certificates,
 * added to the system bundle) and NAME.cert + NAME.key (a client
 * certificate). The first certs dir that has the registry's directory wins
 * (containers/image's rule).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "registry/internal.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define CERT_FILE_MAX (1u << 20)
#define BUNDLE_MAX (16u << 20)

/* Where distributions keep the system CA bundle (curl's own list). */
static const char *const system_bundles[] = {
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/ssl/ca-bundle.pem",
	"/etc/pki/tls/cacert.pem",
	"/etc/ssl/cert.pem",
};

/* The host part of HOST[:PORT] or [V6][:PORT], into OUT. */
static void host_only(const char *hostport, char *out, size_t n)
{
	const char *end;

	if (hostport[0] == '[') {
		hostport++;
		end = strchr(hostport, ']');
	} else {
		end = strchr(hostport, ':');
	}
	if (!end)
		end = hostport + strlen(hostport);
	snprintf(out, n, "%.*s", (int)(end - hostport), hostport);
}

int reg_is_loopback(const char *hostport)
{
	char h[256];
	struct in_addr v4;
	struct in6_addr v6;

	host_only(hostport, h, sizeof(h));
	if (strcmp(h, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, h, &v4) == 1)
		return (ntohl(v4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, h, &v6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&v6);
	return 0;
}

static char *certs_dirs(const struct registry_client *cli)
{
	const char *env = getenv("HUSK_CERTS_D");
	const char *home = getenv("HOME");

	if (cli->certs_dirs)
		return xstrdup(cli->certs_dirs);
	if (env && *env)
		return xstrdup(env);
	if (geteuid() != 0 && home && *home)
		return xasprintf("%s/.config/containers/certs.d:"
				 "/etc/containers/certs.d:/etc/docker/certs.d",
				 home);
	return xstrdup("/etc/containers/certs.d:/etc/docker/certs.d");
}

/* The first DIR/HOST that is a directory, or NULL. */
static char *host_dir(const struct registry_client *cli)
{
	_cleanup_free_ char *dirs = certs_dirs(cli);
	char *p = dirs;

	while (p && *p) {
		char *colon = strchr(p, ':');
		_cleanup_free_ char *d = NULL;
		struct stat st;

		if (colon)
			*colon = '\0';
		d = xasprintf("%s/%s", p, cli->ref.domain);
		if (*p && stat(d, &st) == 0 && S_ISDIR(st.st_mode))
			return TAKE_PTR(d);
		p = colon ? colon + 1 : NULL;
	}
	return NULL;
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

static void system_bundle(struct buf *ca)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(system_bundles); i++)
		if (read_file(AT_FDCWD, system_bundles[i], ca, BUNDLE_MAX,
			      NULL) >= 0) {
			buf_addch(ca, '\n');
			return;
		}
}

static int add_client_cert(struct registry_client *cli, const char *dir,
			   const char *name, struct err **e)
{
	size_t base = strlen(name) - strlen(".cert");
	_cleanup_free_ char *key = xasprintf("%s/%.*s.key", dir, (int)base,
					     name);
	struct stat st;

	if (stat(key, &st) < 0)
		return err_make(e, errno, "missing key '%s' for client "
				"certificate '%s/%s'", key, dir, name);
	free(cli->client_cert);
	free(cli->client_key);
	cli->client_cert = xasprintf("%s/%s", dir, name);
	cli->client_key = TAKE_PTR(key);
	return 0;
}

static int load_dir(struct registry_client *cli, const char *dir,
		    struct buf *crt, struct err **e)
{
	struct dirent **list = NULL;
	int n, i, rc = 0;

	n = scandir(dir, &list, NULL, alphasort);
	if (n < 0)
		return err_make(e, errno, "cannot read '%s'", dir);
	for (i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		_cleanup_free_ char *path = xasprintf("%s/%s", dir, name);

		if (rc >= 0 && has_suffix(name, ".crt")) {
			rc = read_file(AT_FDCWD, path, crt, CERT_FILE_MAX, e);
			buf_addch(crt, '\n');
		} else if (rc >= 0 && has_suffix(name, ".cert")) {
			rc = add_client_cert(cli, dir, name, e);
		}
		free(list[i]);
	}
	free(list);
	return rc < 0 ? err_wrap(e, "registry certificates") : 0;
}

/*
 * reg_tls_setup - find the registry's certs dir and load it into CLI
 * (ca_blob is the system bundle plus the *.crt files).
 */
int reg_tls_setup(struct registry_client *cli, struct err **e)
{
	_cleanup_free_ char *dir = host_dir(cli);
	_cleanup_buf_ struct buf crt = BUF_INIT;
	struct buf ca = BUF_INIT;

	if (!dir)
		return 0;
	if (load_dir(cli, dir, &crt, e) < 0)
		return -1;
	if (crt.len == 0)
		return 0;
	system_bundle(&ca);
	buf_add(&ca, crt.s, crt.len);
	cli->ca_blob = buf_detach(&ca, &cli->ca_len);
	return 0;
}
