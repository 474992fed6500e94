/*
 * test-registry.c - the distribution client against the harness registries
 * (test/helpers/harness.sh: plain, tls, basic, token) and against a tiny
 * misbehaving HTTP server forked here (wrong digests, short bodies, huge
 * manifests). Loopback only. Exits 77 when HUSK_REG_PLAIN is not set.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "registry/registry.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "test/unit/tap.h"
#include "lib/banned.h"

static char tmpdir[] = "/tmp/husk-test-registry-XXXXXX";
static char *auth_file;
static char *docker_cfg;
static cJSON *expected;

static void t_err(bool pass, const struct err *e, const char *what)
{
	if (!ok(pass, "%s", what) && e)
		tap_diag("  error: %s", e->msg);
}

/* ok() that the error message contains WANT. */
static void err_has(int rc, const struct err *e, const char *want,
		    const char *what)
{
	bool pass = rc < 0 && e && strstr(e->msg, want);

	if (!ok(pass, "%s", what))
		tap_diag("  got: %s (want '%s')", e ? e->msg : "no error",
			 want);
}

static void config_for(struct registry_config *cfg)
{
	registry_config_init(cfg);
	cfg->certs_dirs = "/nonexistent";
	cfg->auth_file = auth_file;
	cfg->docker_config = docker_cfg;
}

static struct registry_client *client(const struct registry_config *cfg,
				      const char *host, const char *repo)
{
	_cleanup_free_ char *s = xasprintf("%s/%s", host, repo);
	_cleanup_err_ struct err *e = NULL;
	struct registry_client *cli = NULL;
	struct ref r = REF_INIT;

	if (ref_parse(s, &r, &e) < 0 ||
	    registry_client_new(cfg, &r, &cli, &e) < 0) {
		tap_diag("cannot make a client for %s: %s", s, e->msg);
		ref_release(&r);
		return NULL;
	}
	ref_release(&r);
	return cli;
}

static const char *image_str(const char *image, const char *key)
{
	return json_str(json_obj(json_obj(expected, "images"), image), key);
}

static const cJSON *image_arr0(const char *image, const char *key)
{
	return cJSON_GetArrayItem(
		json_arr(json_obj(json_obj(expected, "images"), image), key), 0);
}

/* ---- sinks ---------------------------------------------------------- */

struct counter {
	uint64_t n;
	int calls;
	int fail_after;	/* fail the call number N (1-based); 0 never */
};

static int count_sink(void *arg, const void *data, size_t n)
{
	struct counter *c = arg;

	c->calls++;
	if (c->fail_after && c->calls >= c->fail_after)
		return -ENOSPC;
	c->n += n;
	return 0;
}

/* ---- plain registry ------------------------------------------------- */

static void test_manifest(const struct registry_config *cfg, const char *host,
			  const char *label)
{
	_cleanup_registry_client_ struct registry_client *cli =
		client(cfg, host, "husk/busybox");
	_cleanup_err_ struct err *e = NULL;
	_cleanup_buf_ struct buf body = BUF_INIT;
	_cleanup_free_ char *mt = NULL, *dg = NULL;
	const char *want = image_str("busybox", "digest");
	int rc;

	if (!cli)
		return;
	rc = registry_get_manifest(cli, "latest", &body, &mt, &dg, &e);
	t_err(rc >= 0, e, label);
	if (rc < 0)
		return;
	is_str(mt, MT_OCI_MANIFEST, "busybox is an OCI manifest");
	is_str(dg, want, "computed digest is the pushed one");
	buf_reset(&body);
	free(dg);
	dg = NULL;
	rc = registry_get_manifest(cli, want, &body, NULL, &dg, &e);
	t_err(rc >= 0, e, "manifest by digest");
	is_str(dg, want, "same digest by digest");
}

static void test_plain_errors(const struct registry_config *cfg,
			      const char *host)
{
	_cleanup_registry_client_ struct registry_client *cli =
		client(cfg, host, "husk/busybox");
	_cleanup_registry_client_ struct registry_client *nope =
		client(cfg, host, "husk/nope-not-here");
	_cleanup_err_ struct err *e = NULL;
	_cleanup_buf_ struct buf body = BUF_INIT;
	int rc;

	rc = registry_get_manifest(cli, "no-such-tag", &body, NULL, NULL, &e);
	err_has(rc, e, "manifest unknown", "unknown tag: manifest unknown");
	err_freep(&e);
	/* Distribution 2.8 says MANIFEST_UNKNOWN here; NAME_UNKNOWN is
	 * tested against the fake server below */
	rc = registry_get_manifest(nope, "latest", &body, NULL, NULL, &e);
	err_has(rc, e, "manifest unknown", "unknown repository");
	err_freep(&e);
	rc = registry_get_manifest(cli, "bad/tag", &body, NULL, NULL, &e);
	err_has(rc, e, "invalid tag or digest 'bad/tag'", "bad tag refused");
	is_int(body.len, 0, "nothing appended on errors");
}

static void test_blobs(const struct registry_config *cfg, const char *host)
{
	_cleanup_registry_client_ struct registry_client *cli =
		client(cfg, host, "husk/busybox");
	_cleanup_err_ struct err *e = NULL;
	const cJSON *layer = image_arr0("busybox", "layers");
	const char *ld = json_str(layer, "digest");
	int64_t lsize = 0;
	struct counter c = { 0 };
	int rc;

	if (!cli || !ld || json_int64(layer, "size", &lsize) < 0) {
		ok(false, "fixture layer in expected.json");
		return;
	}
	rc = registry_fetch_blob(cli, ld, count_sink, &c, (uint64_t)lsize, &e);
	t_err(rc >= 0, e, "layer blob streamed and verified");
	is_int(c.n, lsize, "sink got every byte");
	ok(c.calls > 1, "streamed in pieces (%d calls)", c.calls);

	c = (struct counter){ 0 };
	rc = registry_fetch_blob(cli, ld, count_sink, &c, 0, &e);
	t_err(rc >= 0, e, "size unknown: digest still checked");

	c = (struct counter){ 0 };
	rc = registry_fetch_blob(cli, ld, count_sink, &c,
				 (uint64_t)lsize - 1, &e);
	err_has(rc, e, "is larger than the expected", "too many bytes");
	ok(c.n <= (uint64_t)lsize - 1, "sink never got more than expected");
	err_freep(&e);

	c = (struct counter){ 0 };
	rc = registry_fetch_blob(cli, ld, count_sink, &c,
				 (uint64_t)lsize + 1, &e);
	err_has(rc, e, "is truncated", "too few bytes");
	err_freep(&e);

	c = (struct counter){ .fail_after = 2 };
	rc = registry_fetch_blob(cli, ld, count_sink, &c, 0, &e);
	err_has(rc, e, "cannot write blob", "sink failure stops the fetch");
	err_freep(&e);

	rc = registry_fetch_blob(cli, "sha256:00000000000000000000000000000000"
				 "00000000000000000000000000000000",
				 count_sink, &c, 0, &e);
	err_has(rc, e, "blob unknown to registry", "unknown blob");
}

static void test_index(const struct registry_config *cfg, const char *host)
{
	_cleanup_registry_client_ struct registry_client *cli =
		client(cfg, host, "husk/multiarch");
	_cleanup_registry_client_ struct registry_client *dl =
		client(cfg, host, "husk/multiarch-docker");
	_cleanup_registry_client_ struct registry_client *s2 =
		client(cfg, host, "husk/schema2");
	_cleanup_err_ struct err *e = NULL;
	_cleanup_buf_ struct buf body = BUF_INIT;
	_cleanup_free_ char *mt = NULL, *d = NULL, *mt2 = NULL, *mt3 = NULL;
	const char *want = json_str(image_arr0("multiarch", "manifests"),
				    "digest");
	int rc;

	rc = registry_get_manifest(cli, "latest", &body, &mt, NULL, &e);
	t_err(rc >= 0, e, "index fetched");
	is_str(mt, MT_OCI_INDEX, "OCI index media type");
	ok(registry_is_index(mt), "registry_is_index");
	rc = registry_select_platform(body.s, body.len, "linux/amd64", &d,
				      NULL, &e);
	t_err(rc >= 0, e, "linux/amd64 selected");
	is_str(d, want, "the amd64 child");
	free(d);
	d = NULL;
	rc = registry_select_platform(body.s, body.len, "linux/s390x", &d,
				      NULL, &e);
	err_has(rc, e, "no manifest for platform 'linux/s390x'",
		"no s390x child");
	err_freep(&e);

	buf_reset(&body);
	rc = registry_get_manifest(dl, "latest", &body, &mt2, NULL, &e);
	t_err(rc >= 0, e, "docker manifest list fetched");
	is_str(mt2, MT_DOCKER_LIST, "docker list media type");
	buf_reset(&body);
	rc = registry_get_manifest(s2, "latest", &body, &mt3, NULL, &e);
	t_err(rc >= 0, e, "schema2 manifest fetched");
	is_str(mt3, MT_DOCKER_MANIFEST, "schema2 media type");
}

static void test_refused(const struct registry_config *cfg)
{
	_cleanup_registry_client_ struct registry_client *cli = NULL;
	_cleanup_err_ struct err *e = NULL;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	char host[64];
	int rc;

	/* a port that was free a moment ago and has no listener */
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		ok(false, "reserve a port");
		return;
	}
	snprintf(host, sizeof(host), "127.0.0.1:%u", ntohs(a.sin_port));
	(void) close(fd);
	cli = client(cfg, host, "x");
	rc = registry_ping(cli, &e);
	err_has(rc, e, "connection refused", "connection refused");
	if (e)
		ok(strncmp(e->msg, "cannot connect to 127.0.0.1:", 28) == 0,
		   "names the address: %s", e->msg);
}

/* ---- TLS ------------------------------------------------------------ */

static void test_tls(const char *host, const char *certs_d)
{
	struct registry_config cfg;
	_cleanup_registry_client_ struct registry_client *cli = NULL;
	_cleanup_err_ struct err *e = NULL;
	int rc;

	config_for(&cfg);
	cfg.certs_dirs = certs_d;
	test_manifest(&cfg, host, "https with the CA from certs.d");

	config_for(&cfg);
	cli = client(&cfg, host, "husk/busybox");
	rc = registry_ping(cli, &e);
	err_has(rc, e, "cannot connect to", "unknown CA refused");
	if (e)
		ok(strstr(e->msg, "certificate") != NULL, "says why: %s",
		   e->msg);
	err_freep(&e);

	config_for(&cfg);
	cfg.tls_verify = 0;
	test_manifest(&cfg, host, "tls_verify=0 skips verification");
}

/* ---- auth ----------------------------------------------------------- */

static void write_auth(const char *path, const char *host, const char *user,
		       const char *pass)
{
	_cleanup_free_ char *up = xasprintf("%s:%s", user, pass);
	struct buf b = BUF_INIT;
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				  "qrstuvwxyz0123456789+/";
	size_t i, n = strlen(up);

	buf_addf(&b, "{\"auths\":{\"other.example\":{\"auth\":\"eDp5\"},"
		 "\"%s\":{\"auth\":\"", host);
	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)up[i] << 16;

		v |= i + 1 < n ? (unsigned char)up[i + 1] << 8 : 0;
		v |= i + 2 < n ? (unsigned char)up[i + 2] : 0;
		buf_addch(&b, b64[v >> 18 & 63]);
		buf_addch(&b, b64[v >> 12 & 63]);
		buf_addch(&b, i + 1 < n ? b64[v >> 6 & 63] : '=');
		buf_addch(&b, i + 2 < n ? b64[v & 63] : '=');
	}
	buf_addstr(&b, "\"}}}");
	if (atomic_write_path(path, b.s, b.len, 0600, NULL) < 0)
		tap_diag("cannot write %s", path);
	buf_release(&b);
}

static void test_auth(const char *kind, const char *host, const char *user,
		      const char *pass)
{
	struct registry_config cfg;
	_cleanup_registry_client_ struct registry_client *cli = NULL;
	_cleanup_err_ struct err *e = NULL;
	_cleanup_buf_ struct buf body = BUF_INIT;
	char what[128];
	int rc;

	config_for(&cfg);
	(void) unlink(auth_file);
	cli = client(&cfg, host, "husk/busybox");
	rc = registry_get_manifest(cli, "latest", &body, NULL, NULL, &e);
	snprintf(what, sizeof(what), "%s: anonymous", kind);
	if (strcmp(kind, "token") == 0)
		t_err(rc >= 0, e, what);	/* anonymous pull tokens */
	else
		err_has(rc, e, "unauthorized: authentication required", what);
	err_freep(&e);
	registry_client_freep(&cli);

	write_auth(auth_file, host, user, "wrong-password");
	cli = client(&cfg, host, "husk/busybox");
	rc = registry_get_manifest(cli, "latest", &body, NULL, NULL, &e);
	snprintf(what, sizeof(what), "%s: wrong password", kind);
	err_has(rc, e, "invalid username or password", what);
	err_freep(&e);
	registry_client_freep(&cli);

	write_auth(auth_file, host, user, pass);
	snprintf(what, sizeof(what), "%s: credentials from the auth file",
		 kind);
	test_manifest(&cfg, host, what);
	(void) unlink(auth_file);
}

static void test_clone_blob(const char *host)
{
	struct registry_config cfg;
	_cleanup_registry_client_ struct registry_client *cli = NULL;
	_cleanup_registry_client_ struct registry_client *two = NULL;
	_cleanup_err_ struct err *e = NULL;
	const cJSON *cfgblob = json_obj(json_obj(json_obj(expected, "images"),
						 "busybox"), "config");
	struct counter c = { 0 };
	int64_t size = 0;
	int rc;

	config_for(&cfg);
	cli = client(&cfg, host, "husk/busybox");
	rc = registry_ping(cli, &e);
	t_err(rc >= 0, e, "token: ping");
	rc = registry_client_clone(cli, &two, &e);
	t_err(rc >= 0, e, "clone");
	(void) json_int64(cfgblob, "size", &size);
	rc = registry_fetch_blob(two, json_str(cfgblob, "digest"), count_sink,
				 &c, (uint64_t)size, &e);
	t_err(rc >= 0, e, "token: config blob through a clone");
	is_int(c.n, size, "config size");
}

static int file_has(const char *path, const char *needle)
{
	_cleanup_buf_ struct buf b = BUF_INIT;

	if (read_file(AT_FDCWD, path, &b, 1 << 20, NULL) < 0)
		return 0;
	return strstr(b.s, needle) != NULL;
}

static void test_login(const char *kind, const char *host, const char *user,
		       const char *pass)
{
	struct registry_config cfg;
	_cleanup_err_ struct err *e = NULL;
	struct stat st;
	char what[128];
	int rc;

	config_for(&cfg);
	write_auth(auth_file, "keep.example:5000", "a", "b");
	rc = registry_login(&cfg, host, user, "wrong", &e);
	snprintf(what, sizeof(what), "%s: login with a wrong password", kind);
	err_has(rc, e, "invalid username or password", what);
	ok(!file_has(auth_file, host), "nothing stored");
	err_freep(&e);

	rc = registry_login(&cfg, host, user, pass, &e);
	snprintf(what, sizeof(what), "%s: login", kind);
	t_err(rc >= 0, e, what);
	ok(file_has(auth_file, host) && file_has(auth_file, "keep.example"),
	   "entry stored, others kept");
	ok(stat(auth_file, &st) == 0 && (st.st_mode & 0777) == 0600,
	   "auth file is 0600");
	snprintf(what, sizeof(what), "%s: pull after login", kind);
	test_manifest(&cfg, host, what);

	rc = registry_logout(&cfg, host, &e);
	t_err(rc >= 0, e, "logout");
	ok(!file_has(auth_file, host) && file_has(auth_file, "keep.example"),
	   "entry removed, others kept");
	rc = registry_logout(&cfg, host, &e);
	err_has(rc, e, "not logged in to '", "logout twice");
	(void) unlink(auth_file);
}

/* ---- a misbehaving server ------------------------------------------- */

#define BAD_DIGEST "sha256:1111111111111111111111111111111111111111111111111111111111111111"

static void serve_one(int c)
{
	char req[4096];
	size_t n = 0;
	ssize_t r;
	const char *hdr;

	while (n < sizeof(req) - 1 && !memmem(req, n, "\r\n\r\n", 4)) {
		r = read(c, req + n, sizeof(req) - 1 - n);
		if (r <= 0 || (n == 0 && req[0] == 0x16))
			return;	/* EOF, or a TLS hello: plain HTTP only */
		n += (size_t)r;
	}
	req[n] = '\0';
	if (strstr(req, "GET /v2/ ")) {
		hdr = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
	} else if (strstr(req, "/blobs/" BAD_DIGEST)) {
		hdr = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
	} else if (strstr(req, "/manifests/" BAD_DIGEST)) {
		hdr = "HTTP/1.1 200 OK\r\nContent-Type: " MT_OCI_MANIFEST
		      "\r\nContent-Length: 2\r\n\r\n{}";
	} else if (strstr(req, "/manifests/nameunknown")) {
		hdr = "HTTP/1.1 404 Not Found\r\nContent-Length: 52\r\n\r\n"
		      "{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"x\"}]}  ";
	} else if (strstr(req, "/manifests/odd")) {
		hdr = "HTTP/1.1 400 Bad\r\nContent-Length: 51\r\n\r\n"
		      "{\"errors\":[{\"code\":\"ODD\",\"message\":\"odd thing\"}]}  ";
	} else if (strstr(req, "/manifests/slow")) {
		hdr = "HTTP/1.1 429 Too Many\r\nContent-Length: 0\r\n\r\n";
	} else if (strstr(req, "/blobs/")) {
		hdr = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort";
	} else if (strstr(req, "/manifests/huge")) {
		static char big[(REGISTRY_MANIFEST_MAX + 4096)];

		memset(big, ' ', sizeof(big));
		hdr = "HTTP/1.1 200 OK\r\nContent-Type: " MT_OCI_MANIFEST
		      "\r\n\r\n";
		if (write(c, hdr, strlen(hdr)) < 0 ||
		    write(c, big, sizeof(big)) < 0)
			return;
		return;
	} else {
		hdr = "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n";
	}
	if (write(c, hdr, strlen(hdr)) < 0)
		return;
}

static pid_t start_server(char *host, size_t n)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	pid_t pid;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	snprintf(host, n, "127.0.0.1:%u", ntohs(a.sin_port));
	pid = fork();
	if (pid == 0) {
		for (;;) {
			int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

			if (c < 0)
				_exit(0);
			serve_one(c);
			(void) close(c);
		}
	}
	(void) close(fd);
	return pid;
}

static void test_bad_server(void)
{
	struct registry_config cfg;
	_cleanup_registry_client_ struct registry_client *cli = NULL;
	_cleanup_err_ struct err *e = NULL;
	_cleanup_buf_ struct buf body = BUF_INIT;
	struct counter c = { 0 };
	char host[64];
	pid_t pid = start_server(host, sizeof(host));
	int rc;

	if (pid < 0) {
		ok(false, "start the fake server");
		return;
	}
	config_for(&cfg);
	cli = client(&cfg, host, "x/y");
	rc = registry_fetch_blob(cli, BAD_DIGEST, count_sink, &c, 5, &e);
	err_has(rc, e, "blob digest mismatch: expected " BAD_DIGEST
		", got sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e"
		"73043362938b9824", "blob digest mismatch");
	err_freep(&e);
	rc = registry_fetch_blob(cli, "sha256:22222222222222222222222222222222"
				 "22222222222222222222222222222222",
				 count_sink, &c, 100, &e);
	err_has(rc, e, "is truncated: got 5 of 100 bytes", "short body");
	err_freep(&e);
	rc = registry_get_manifest(cli, BAD_DIGEST, &body, NULL, NULL, &e);
	err_has(rc, e, "manifest digest mismatch: expected " BAD_DIGEST,
		"manifest digest mismatch");
	err_freep(&e);
	rc = registry_get_manifest(cli, "nameunknown", &body, NULL, NULL, &e);
	err_has(rc, e, "repository name not known to registry", "NAME_UNKNOWN");
	err_freep(&e);
	rc = registry_get_manifest(cli, "odd", &body, NULL, NULL, &e);
	err_has(rc, e, "odd thing", "unknown error code: its message");
	err_freep(&e);
	rc = registry_get_manifest(cli, "slow", &body, NULL, NULL, &e);
	err_has(rc, e, "toomanyrequests", "429");
	err_freep(&e);
	rc = registry_get_manifest(cli, "huge", &body, NULL, NULL, &e);
	err_has(rc, e, "manifest is larger than", "manifest size limit");
	is_int(body.len, 0, "nothing appended");
	(void) kill(pid, SIGKILL);
	(void) waitpid(pid, NULL, 0);
}

/* ---- main ----------------------------------------------------------- */

static int setup(void)
{
	_cleanup_err_ struct err *e = NULL;
	const char *fx = getenv("HUSK_FIXTURES");
	_cleanup_free_ char *path = NULL;

	if (!mkdtemp(tmpdir) || registry_global_init(&e) < 0)
		return -1;
	auth_file = xasprintf("%s/auth/auth.json", tmpdir);
	docker_cfg = xasprintf("%s/docker.json", tmpdir);
	path = xasprintf("%s/auth", tmpdir);
	if (mkdir(path, 0700) < 0)
		return -1;
	free(TAKE_PTR(path));
	if (!fx)
		return -1;
	path = xasprintf("%s/expected.json", fx);
	if (json_read_file(AT_FDCWD, path, 16 << 20, &expected, &e) < 0) {
		tap_diag("%s", e->msg);
		return -1;
	}
	return 0;
}

int main(void)
{
	const char *plain = getenv("HUSK_REG_PLAIN");
	const char *user = getenv("HUSK_REG_USER");
	const char *pass = getenv("HUSK_REG_PASS");
	struct registry_config cfg;
	_cleanup_err_ struct err *e = NULL;

	if (!plain || !*plain)
		tap_skip_all("HUSK_REG_PLAIN not set (test/helpers/harness.sh)");
	if (setup() < 0) {
		ok(false, "setup (HUSK_FIXTURES/expected.json)");
		return tap_done();
	}
	config_for(&cfg);
	test_manifest(&cfg, plain, "plain: loopback falls back to http");
	test_plain_errors(&cfg, plain);
	test_blobs(&cfg, plain);
	test_index(&cfg, plain);
	test_refused(&cfg);
	test_bad_server();
	if (getenv("HUSK_REG_TLS") && getenv("HUSK_REG_CERTS_D"))
		test_tls(getenv("HUSK_REG_TLS"), getenv("HUSK_REG_CERTS_D"));
	if (getenv("HUSK_REG_BASIC") && user && pass) {
		test_auth("basic", getenv("HUSK_REG_BASIC"), user, pass);
		test_login("basic", getenv("HUSK_REG_BASIC"), user, pass);
	}
	if (getenv("HUSK_REG_TOKEN") && user && pass) {
		test_auth("token", getenv("HUSK_REG_TOKEN"), user, pass);
		test_login("token", getenv("HUSK_REG_TOKEN"), user, pass);
		test_clone_blob(getenv("HUSK_REG_TOKEN"));
	}
	cJSON_Delete(expected);
	(void) rm_rf_at(AT_FDCWD, tmpdir, NULL);
	free(auth_file);
	free(docker_cfg);
	return tap_done();
}
