/*
 * client.c - the distribution API client: transport (one curl easy handle
 * per client), ping and scheme choice, manifests and streamed blobs.
 * Authentication lives in auth.c, certificates in tls.c.
 */
#include <errno.h>
#include <inttypes.h>
#include "lib/crypto_dl.h"
#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>

#include "registry/internal.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#ifndef HUSK_VERSION
#define HUSK_VERSION "0"
#endif

#define ERRBODY_MAX (64u << 10)
#define CONNECT_TIMEOUT 30L
#define STALL_SECONDS 60L

static const char manifest_accept[] =
	"Accept: " MT_OCI_MANIFEST ", " MT_OCI_INDEX ", " MT_DOCKER_MANIFEST
	", " MT_DOCKER_LIST;

static void evp_freep(EVP_MD_CTX **c)
{
	if (*c)
		EVP_MD_CTX_free(*c);
}
#define _cleanup_evp_ _cleanup_(evp_freep)

static void slist_freep(struct curl_slist **l)
{
	if (*l)
		curl_slist_free_all(*l);
}
#define _cleanup_slist_ _cleanup_(slist_freep)

/* Hands the error in *FROM to E (which may be NULL: it is dropped). */
static int pass_err(struct err **e, struct err **from)
{
	int rc = (*from && (*from)->errnum > 0) ? -(*from)->errnum - 1 : -1;

	if (e) {
		err_free(*e);
		*e = TAKE_PTR(*from);
	} else {
		err_freep(from);
	}
	return rc;
}

/* ---- setup ---------------------------------------------------------- */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void global_init_once(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int registry_global_init(struct err **e)
{
	(void) pthread_once(&global_once, global_init_once);
	if (global_rc != CURLE_OK)
		return err_make(e, 0, "cannot initialise libcurl: %s",
				curl_easy_strerror(global_rc));
	return 0;
}

void registry_config_init(struct registry_config *cfg)
{
	*cfg = (struct registry_config){ .tls_verify = 1 };
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static struct registry_client *client_alloc(const struct registry_config *c,
					    const struct ref *ref)
{
	struct registry_client *cli = xcalloc(1, sizeof(*cli));

	cli->tls_verify = c ? c->tls_verify : 1;
	if (c) {
		cli->certs_dirs = dup_or_null(c->certs_dirs);
		cli->auth_file = dup_or_null(c->auth_file);
		cli->docker_config = dup_or_null(c->docker_config);
		cli->user_agent = dup_or_null(c->user_agent);
	}
	if (!cli->user_agent)
		cli->user_agent = xstrdup("husk/" HUSK_VERSION);
	ref_copy(&cli->ref, ref);
	cli->host = ref_endpoint(ref->domain);
	cli->loopback = reg_is_loopback(cli->host);
	return cli;
}

int registry_client_new(const struct registry_config *cfg,
			const struct ref *ref, struct registry_client **out,
			struct err **e)
{
	_cleanup_registry_client_ struct registry_client *cli = NULL;

	if (registry_global_init(e) < 0)
		return -1;
	cli = client_alloc(cfg, ref);
	cli->curl = curl_easy_init();
	if (!cli->curl)
		return err_make(e, ENOMEM, "cannot create a curl handle");
	if (reg_tls_setup(cli, e) < 0)
		return -1;
	*out = TAKE_PTR(cli);
	return 0;
}

int registry_client_clone(const struct registry_client *src,
			  struct registry_client **out, struct err **e)
{
	struct registry_config cfg = {
		.tls_verify = src->tls_verify,
		.certs_dirs = src->certs_dirs,
		.auth_file = src->auth_file,
		.docker_config = src->docker_config,
		.user_agent = src->user_agent,
	};
	struct registry_client *cli = NULL;
	size_t i;

	if (registry_client_new(&cfg, &src->ref, &cli, e) < 0)
		return -1;
	cli->scheme = src->scheme;
	cli->auth = src->auth;
	cli->realm = dup_or_null(src->realm);
	cli->service = dup_or_null(src->service);
	cli->creds_loaded = src->creds_loaded;
	cli->user = dup_or_null(src->user);
	cli->pass = dup_or_null(src->pass);
	for (i = 0; i < src->ntokens; i++) {
		cli->tokens[i].scope = xstrdup(src->tokens[i].scope);
		cli->tokens[i].value = xstrdup(src->tokens[i].value);
	}
	cli->ntokens = src->ntokens;
	*out = cli;
	return 0;
}

void registry_client_free(struct registry_client *cli)
{
	if (!cli)
		return;
	if (cli->curl)
		curl_easy_cleanup(cli->curl);
	reg_auth_release(cli);
	free(cli->certs_dirs);
	free(cli->auth_file);
	free(cli->docker_config);
	free(cli->user_agent);
	ref_release(&cli->ref);
	free(cli->host);
	free(cli->ca_blob);
	free(cli->client_cert);
	free(cli->client_key);
	free(cli);
}

void registry_client_freep(struct registry_client **cli)
{
	registry_client_free(*cli);
	*cli = NULL;
}

char *reg_url(const struct registry_client *cli, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	buf_addf(&b, "%s://%s", cli->scheme, cli->host);
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	return buf_detach(&b, NULL);
}

/* ---- transport ------------------------------------------------------ */

static void response_reset(struct request *rq)
{
	rq->status = 0;
	buf_reset(&rq->errbody);
	free(rq->www_auth);
	rq->www_auth = NULL;
	free(rq->content_type);
	rq->content_type = NULL;
	rq->content_length = UINT64_MAX;
}

void request_release(struct request *rq)
{
	response_reset(rq);
	buf_release(&rq->errbody);
	free(rq->url);
	rq->url = NULL;
	free(rq->authorization);
	rq->authorization = NULL;
	err_freep(&rq->cb_err);
}

/* The value of header NAME in line P (LEN bytes, CRLF-terminated), or NULL. */
static char *header_value(const char *p, size_t len, const char *name)
{
	size_t n = strlen(name);

	if (len <= n || p[n] != ':' || strncasecmp(p, name, n) != 0)
		return NULL;
	p += n + 1;
	len -= n + 1;
	while (len && (*p == ' ' || *p == '\t'))
		p++, len--;
	while (len && strchr(" \t\r\n", p[len - 1]))
		len--;
	return xstrndup(p, len);
}

static void keep_first(char **slot, char *v)
{
	if (!v)
		return;
	if (*slot)
		free(v);
	else
		*slot = v;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct request *rq = arg;
	size_t len = size * n;
	char *v;

	if (len > 5 && strncmp(p, "HTTP/", 5) == 0) {
		const char *sp = memchr(p, ' ', len);

		response_reset(rq);
		rq->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		return len;
	}
	keep_first(&rq->www_auth, header_value(p, len, "www-authenticate"));
	keep_first(&rq->content_type, header_value(p, len, "content-type"));
	v = header_value(p, len, "content-length");
	if (v) {
		char *end = NULL;
		unsigned long long cl = strtoull(v, &end, 10);

		if (end != v && *end == '\0')
			rq->content_length = cl;
		free(v);
	}
	return len;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct request *rq = arg;
	size_t len = size * n;

	if (rq->status >= 200 && rq->status < 300) {
		if (rq->on_data && rq->on_data(rq, p, len) < 0)
			return 0;
		return len;
	}
	if (rq->errbody.len < ERRBODY_MAX)
		buf_add(&rq->errbody, p,
			len < ERRBODY_MAX - rq->errbody.len
				? len
				: ERRBODY_MAX - rq->errbody.len);
	return len;
}

static void set_tls(struct registry_client *cli)
{
	CURL *c = cli->curl;

	if (!cli->tls_verify) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (cli->ca_blob) {
		struct curl_blob blob = {
			.data = cli->ca_blob,
			.len = cli->ca_len,
			.flags = CURL_BLOB_NOCOPY,
		};

		curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
	}
	if (cli->client_cert) {
		curl_easy_setopt(c, CURLOPT_SSLCERT, cli->client_cert);
		curl_easy_setopt(c, CURLOPT_SSLKEY, cli->client_key);
	}
}

static void set_options(struct registry_client *cli, struct request *rq,
			struct curl_slist *hdrs)
{
	CURL *c = cli->curl;

	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, rq->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, cli->user_agent);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, rq);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, rq);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, rq->errbuf);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, STALL_SECONDS);
	set_tls(cli);
}

static const char *why(struct request *rq, CURLcode rc)
{
	return rq->errbuf[0] ? rq->errbuf : curl_easy_strerror(rc);
}

static int transport_error(struct registry_client *cli, struct request *rq,
			   CURLcode rc, struct err **e)
{
	const char *host = rq->label ? rq->label : cli->host;
	long oserr = 0;

	switch ((int)rc) { /* a few of CURLcode's 90+ values */
	case CURLE_COULDNT_CONNECT:
		curl_easy_getinfo(cli->curl, CURLINFO_OS_ERRNO, &oserr);
		if (oserr > 0)
			return err_make(e, (int)oserr, "cannot connect to %s",
					host);
		return err_make(e, 0, "cannot connect to %s: %s", host,
				why(rq, rc));
	case CURLE_COULDNT_RESOLVE_HOST:
		return err_make(e, 0, "cannot resolve '%s': %s", host,
				why(rq, rc));
	case CURLE_OPERATION_TIMEDOUT:
		return err_make(e, ETIMEDOUT, "no answer from %s", host);
	case CURLE_PEER_FAILED_VERIFICATION:
		return err_make(e, 0, "cannot connect to %s: tls certificate "
				"not trusted: %s", host, why(rq, rc));
	case CURLE_SSL_CONNECT_ERROR:
		return err_make(e, 0, "cannot connect to %s: tls handshake "
				"failed: %s", host, why(rq, rc));
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		return err_make(e, 0, "connection to %s broken: %s", host,
				why(rq, rc));
	default:
		return err_make(e, 0, "cannot talk to %s: %s", host,
				why(rq, rc));
	}
}

/*
 * reg_perform - one HTTP GET of rq->url, no retries. Returns 0 when a
 * response arrived (whatever its status, in rq->status).
 */
int reg_perform(struct registry_client *cli, struct request *rq,
		struct err **e)
{
	_cleanup_slist_ struct curl_slist *hdrs = NULL;
	CURLcode rc;
	long status = 0;

	response_reset(rq);
	err_freep(&rq->cb_err);
	rq->errbuf[0] = '\0';
	if (rq->accept)
		hdrs = curl_slist_append(hdrs, rq->accept);
	if (rq->authorization)
		hdrs = curl_slist_append(hdrs, rq->authorization);
	set_options(cli, rq, hdrs);
	rc = curl_easy_perform(cli->curl);
	if (rq->cb_err)
		return pass_err(e, &rq->cb_err);
	if (rc != CURLE_OK)
		return transport_error(cli, rq, rc, e);
	curl_easy_getinfo(cli->curl, CURLINFO_RESPONSE_CODE, &status);
	rq->status = status;
	return 0;
}

/* ---- HTTP errors ---------------------------------------------------- */

struct code_msg {
	const char *code;
	const char *msg;
};

/* distribution's registry/api/errcode descriptions */
static const struct code_msg codes[] = {
	{ "BLOB_UNKNOWN", "blob unknown to registry" },
	{ "MANIFEST_UNKNOWN", "manifest unknown" },
	{ "NAME_UNKNOWN", "repository name not known to registry" },
	{ "NAME_INVALID", "invalid repository name" },
	{ "TAG_INVALID", "manifest tag did not match uri" },
	{ "DENIED", "requested access to the resource is denied" },
	{ "UNSUPPORTED", "the operation is unsupported" },
	{ "MANIFEST_INVALID", "manifest invalid" },
	{ "DIGEST_INVALID", "provided digest did not match uploaded content" },
};

/* The first {"errors":[{"code","message"}]} entry of a response body. */
static void error_body(const struct buf *b, char **code, char **message)
{
	_cleanup_cjson_ cJSON *j = NULL;
	cJSON *first, *c, *m;

	*code = *message = NULL;
	if (b->len == 0)
		return;
	j = cJSON_ParseWithLength(b->s, b->len);
	first = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "errors"), 0);
	c = cJSON_GetObjectItem(first, "code");
	m = cJSON_GetObjectItem(first, "message");
	if (cJSON_IsString(c))
		*code = xstrdup(c->valuestring);
	if (cJSON_IsString(m))
		*message = xstrdup(m->valuestring);
}

static int unauthorized(struct registry_client *cli, struct request *rq,
			struct err **e)
{
	if (rq->www_auth && strstr(rq->www_auth, "insufficient_scope"))
		return err_make(e, 0, "requested access to the resource "
				"is denied");
	if (cli->user)
		return err_make(e, 0, "invalid username or password");
	return err_make(e, 0, "unauthorized: authentication required");
}

/*
 * reg_http_error - turn a non-2xx response into an error, preferring the
 * registry's own error code.
 */
int reg_http_error(struct registry_client *cli, struct request *rq,
		   struct err **e)
{
	_cleanup_free_ char *code = NULL, *message = NULL;
	size_t i;

	error_body(&rq->errbody, &code, &message);
	if (rq->status == 401 || (code && strcmp(code, "UNAUTHORIZED") == 0))
		return unauthorized(cli, rq, e);
	if (rq->status == 429 || (code && !strcmp(code, "TOOMANYREQUESTS")))
		return err_make(e, 0, "toomanyrequests: %s",
				message ? message : "too many requests");
	for (i = 0; code && i < ARRAY_SIZE(codes); i++)
		if (strcmp(code, codes[i].code) == 0)
			return err_make(e, 0, "%s", codes[i].msg);
	if (message && *message)
		return err_make(e, 0, "%s", message);
	if (rq->status == 404 && rq->notfound)
		return err_make(e, 0, "%s", rq->notfound);
	return err_make(e, 0, "unexpected http status %ld from %s", rq->status,
			rq->label ? rq->label : cli->host);
}

/* ---- ping ----------------------------------------------------------- */

static int ping_once(struct registry_client *cli, const char *scheme,
		     struct request *rq, struct err **e)
{
	free(rq->url);
	rq->url = xasprintf("%s://%s/v2/", scheme, cli->host);
	return reg_perform(cli, rq, e);
}

static int ping_answered(const struct request *rq)
{
	return rq->status == 200 || rq->status == 401;
}

static int ping_result(struct registry_client *cli, const char *scheme,
		       struct request *rq, struct err **e)
{
	if (!ping_answered(rq))
		return err_make(e, 0, "%s://%s/v2/ answered http %ld: not a "
				"registry (v2 api)", scheme, cli->host,
				rq->status);
	cli->scheme = scheme;
	if (rq->status == 200) {
		cli->auth = REG_AUTH_NONE;
		return 0;
	}
	if (!rq->www_auth || reg_parse_challenge(cli, rq->www_auth, NULL) < 0)
		return err_make(e, 0, "unsupported authentication challenge "
				"from %s: '%s'", cli->host,
				rq->www_auth ? rq->www_auth : "");
	return 0;
}

/* Docker's rule: loopback and insecure registries may be plain HTTP. */
static int may_fall_back(const struct registry_client *cli)
{
	return cli->loopback || !cli->tls_verify;
}

int registry_ping(struct registry_client *cli, struct err **e)
{
	struct request rq = { .errbody = BUF_INIT };
	_cleanup_err_ struct err *https_err = NULL;
	int rc;

	if (cli->scheme)
		return 0;
	rc = ping_once(cli, "https", &rq, &https_err);
	if (rc >= 0 || !may_fall_back(cli)) {
		if (rc >= 0)
			rc = ping_result(cli, "https", &rq, e);
		else
			pass_err(e, &https_err);
		request_release(&rq);
		return rc;
	}
	rc = ping_once(cli, "http", &rq, e);
	if (rc >= 0 && !ping_answered(&rq)) {
		/* an HTTPS-only server answering HTTP: the TLS error tells */
		rc = pass_err(e, &https_err);
	} else if (rc >= 0) {
		rc = ping_result(cli, "http", &rq, e);
	}
	request_release(&rq);
	return rc;
}

/* ---- authenticated requests ----------------------------------------- */

static int set_authorization(struct registry_client *cli, struct request *rq,
			     struct err **e)
{
	struct buf h = BUF_INIT;

	free(rq->authorization);
	rq->authorization = NULL;
	if (reg_auth_header(cli, rq->scope, &h, e) < 0) {
		buf_release(&h);
		return -1;
	}
	if (h.len)
		rq->authorization = buf_detach(&h, NULL);
	buf_release(&h);
	return 0;
}

/* One request with auth: at most one retry, after a 401. */
static int request(struct registry_client *cli, struct request *rq,
		   struct err **e)
{
	if (registry_ping(cli, e) < 0 || set_authorization(cli, rq, e) < 0 ||
	    reg_perform(cli, rq, e) < 0)
		return -1;
	if (rq->status == 401) {
		if (reg_auth_challenge(cli, rq, e) < 0 ||
		    reg_perform(cli, rq, e) < 0)
			return -1;
	}
	if (rq->status < 200 || rq->status >= 300)
		return reg_http_error(cli, rq, e);
	return 0;
}

/* ---- sha256 --------------------------------------------------------- */

static EVP_MD_CTX *sha_new(void)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
		oom();
	return c;
}

/* "sha256:<hex>" of what went through C. */
static char *sha_finish(EVP_MD_CTX *c)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	struct buf b = BUF_INIT;

	if (EVP_DigestFinal_ex(c, md, &n) != 1)
		oom();
	buf_addstr(&b, "sha256:");
	for (i = 0; i < n; i++)
		buf_addf(&b, "%02x", md[i]);
	return buf_detach(&b, NULL);
}

static char *sha_of(const void *data, size_t n)
{
	_cleanup_evp_ EVP_MD_CTX *c = sha_new();

	EVP_DigestUpdate(c, data, n);
	return sha_finish(c);
}

/* ---- manifests ------------------------------------------------------ */

static int object_valid(const char *s)
{
	size_t i;

	if (ref_digest_valid(s))
		return 1;
	if (!s || !*s || strlen(s) > 128)
		return 0;
	for (i = 0; s[i]; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_.-", s[i]))
			return 0;
	return s[0] != '.' && s[0] != '-';
}

static int manifest_data(struct request *rq, const void *d, size_t n)
{
	struct buf *b = rq->arg;

	if (b->len + n > REGISTRY_MANIFEST_MAX)
		return err_make(&rq->cb_err, 0, "manifest is larger than "
				"%u bytes", REGISTRY_MANIFEST_MAX);
	buf_add(b, d, n);
	return 0;
}

int registry_is_index(const char *mt)
{
	return mt && (!strcmp(mt, MT_OCI_INDEX) || !strcmp(mt, MT_DOCKER_LIST));
}

static int known_type(const char *mt)
{
	return registry_is_index(mt) || !strcmp(mt, MT_OCI_MANIFEST) ||
	       !strcmp(mt, MT_DOCKER_MANIFEST);
}

/* Content-Type when it is a manifest type, else the body's mediaType, else
 * a guess from the body's shape (OCI allows mediaType to be absent). */
static char *media_type_of(const char *content_type, const struct buf *b)
{
	_cleanup_cjson_ cJSON *j = NULL;
	_cleanup_free_ char *ct = NULL;
	cJSON *mt;

	if (content_type) {
		ct = xstrndup(content_type, strcspn(content_type, "; \t"));
		if (known_type(ct))
			return TAKE_PTR(ct);
	}
	j = cJSON_ParseWithLength(b->s, b->len);
	mt = cJSON_GetObjectItem(j, "mediaType");
	if (cJSON_IsString(mt) && *mt->valuestring)
		return xstrdup(mt->valuestring);
	if (cJSON_IsArray(cJSON_GetObjectItem(j, "manifests")))
		return xstrdup(MT_OCI_INDEX);
	if (cJSON_IsArray(cJSON_GetObjectItem(j, "layers")))
		return xstrdup(MT_OCI_MANIFEST);
	return ct && *ct ? TAKE_PTR(ct) : xstrdup("");
}

static int fetch_manifest(struct registry_client *cli, const char *obj,
			  struct buf *b, char **content_type, struct err **e)
{
	struct request rq = {
		.errbody = BUF_INIT,
		.accept = manifest_accept,
		.notfound = "manifest unknown",
		.on_data = manifest_data,
		.arg = b,
	};
	int rc;

	if (registry_ping(cli, e) < 0)
		return -1;
	rq.url = reg_url(cli, "/v2/%s/manifests/%s", cli->ref.path, obj);
	rc = request(cli, &rq, e);
	if (rc >= 0)
		*content_type = TAKE_PTR(rq.content_type);
	request_release(&rq);
	return rc;
}

int registry_get_manifest(struct registry_client *cli,
			  const char *tag_or_digest, struct buf *body,
			  char **media_type, char **digest, struct err **e)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	_cleanup_free_ char *ct = NULL, *got = NULL;

	if (!object_valid(tag_or_digest))
		return err_make(e, 0, "invalid tag or digest '%s'",
				tag_or_digest ? tag_or_digest : "");
	if (fetch_manifest(cli, tag_or_digest, &b, &ct, e) < 0)
		return -1;
	got = sha_of(b.s, b.len);
	if (ref_digest_valid(tag_or_digest) && strcmp(got, tag_or_digest))
		return err_make(e, 0, "manifest digest mismatch: expected %s, "
				"got %s", tag_or_digest, got);
	if (media_type)
		*media_type = media_type_of(ct, &b);
	buf_add(body, b.s, b.len);
	if (digest)
		*digest = TAKE_PTR(got);
	return 0;
}

/* ---- blobs ---------------------------------------------------------- */

struct blob_state {
	const char *digest;
	registry_sink_fn sink;
	void *arg;
	uint64_t expected;
	uint64_t got;
	EVP_MD_CTX *sha;
};

static int blob_data(struct request *rq, const void *d, size_t n)
{
	struct blob_state *st = rq->arg;
	int rc;

	if (st->expected && st->got + n > st->expected)
		return err_make(&rq->cb_err, 0, "blob '%s' is larger than "
				"the expected %" PRIu64 " bytes", st->digest,
				st->expected);
	st->got += n;
	EVP_DigestUpdate(st->sha, d, n);
	rc = st->sink(st->arg, d, n);
	if (rc < 0)
		return err_make(&rq->cb_err, -rc, "cannot write blob '%s'",
				st->digest);
	return 0;
}

static int blob_check(const struct blob_state *st, struct err **e)
{
	_cleanup_free_ char *got = NULL;

	if (st->expected && st->got != st->expected)
		return err_make(e, 0, "blob '%s' is truncated: got %" PRIu64
				" of %" PRIu64 " bytes", st->digest, st->got,
				st->expected);
	got = sha_finish(st->sha);
	if (strcmp(got, st->digest) != 0)
		return err_make(e, 0, "blob digest mismatch: expected %s, got "
				"%s", st->digest, got);
	return 0;
}

int registry_fetch_blob(struct registry_client *cli, const char *digest,
			registry_sink_fn sink, void *arg,
			uint64_t expected_size, struct err **e)
{
	_cleanup_evp_ EVP_MD_CTX *sha = sha_new();
	struct blob_state st = {
		.digest = digest, .sink = sink, .arg = arg,
		.expected = expected_size, .sha = sha,
	};
	struct request rq = {
		.errbody = BUF_INIT,
		.notfound = "blob unknown to registry",
		.on_data = blob_data,
		.arg = &st,
	};
	int rc;

	if (!ref_digest_valid(digest))
		return err_make(e, 0, "invalid blob digest '%s'",
				digest ? digest : "");
	if (registry_ping(cli, e) < 0)
		return -1;
	rq.url = reg_url(cli, "/v2/%s/blobs/%s", cli->ref.path, digest);
	rc = request(cli, &rq, e);
	request_release(&rq);
	if (rc < 0 && st.got > 0 && st.got < st.expected)
		return err_wrap(e, "blob '%s' is truncated: got %" PRIu64
				" of %" PRIu64 " bytes", digest, st.got,
				st.expected);
	if (rc < 0)
		return rc;
	return blob_check(&st, e);
}
