/*
 * auth.c - registry authentication: WWW-Authenticate challenges, bearer
 * tokens (docker's token protocol: GET realm?service=S&scope=SC, with Basic
 * credentials when there are any), credentials from auth.json and the
 * docker config, login and logout.
 *
 * Tokens are cached per scope inside one client. A 401 always fetches a
 * fresh token once (the old one may simply have expired during a long pull).
 */
#include <errno.h>
#include <fcntl.h>
#include "lib/crypto_dl.h"
#include <string.h>
#include <strings.h>

#include "registry/internal.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "lib/fs.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define AUTH_FILE_MAX (4u << 20)
#define TOKEN_BODY_MAX (1u << 20)

/* ---- base64 --------------------------------------------------------- */

char *reg_base64(const char *s)
{
	size_t n = strlen(s);
	unsigned char *out = xmalloc(4 * ((n + 2) / 3) + 1);

	EVP_EncodeBlock(out, (const unsigned char *)s, (int)n);
	return (char *)out;
}

/* Decodes base64 S; NULL when it is not base64. */
static char *unbase64(const char *s)
{
	size_t n = strlen(s), pad = 0;
	unsigned char *out;
	int len;

	if (n == 0 || n % 4)
		return NULL;
	out = xmalloc(n / 4 * 3 + 1);
	len = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
	if (len < 0) {
		free(out);
		return NULL;
	}
	while (pad < 2 && s[n - 1 - pad] == '=')
		pad++;
	out[len - (int)pad] = '\0';
	return (char *)out;
}

/* ---- challenges ----------------------------------------------------- */

/* Reads one `key=value` or `key="value"` pair at *P; 0 at the end. */
static int next_param(const char **p, char **key, char **val)
{
	const char *s = *p, *k;
	struct buf v = BUF_INIT;

	s += strspn(s, " \t,");
	if (!*s)
		return 0;
	k = s;
	s += strcspn(s, "=, \t");
	*key = xstrndup(k, (size_t)(s - k));
	if (*s == '=')
		s++;
	if (*s == '"') {
		for (s++; *s && *s != '"'; s++) {
			if (*s == '\\' && s[1])
				s++;
			buf_addch(&v, *s);
		}
		if (*s == '"')
			s++;
	} else {
		const char *start = s;

		s += strcspn(s, ", \t");
		buf_add(&v, start, (size_t)(s - start));
	}
	*val = buf_detach(&v, NULL);
	*p = s;
	return 1;
}

/*
 * reg_parse_challenge - a WWW-Authenticate value into cli->auth, realm and
 * service; *SCOPE_OUT (may be NULL) gets the scope asked for, if any.
 * Returns -1 for a scheme husk cannot answer.
 */
int reg_parse_challenge(struct registry_client *cli, const char *hdr,
			char **scope_out)
{
	size_t n = strcspn(hdr, " \t");
	const char *p = hdr + n;
	char *key, *val;

	if (n == 5 && strncasecmp(hdr, "basic", 5) == 0)
		cli->auth = REG_AUTH_BASIC;
	else if (n == 6 && strncasecmp(hdr, "bearer", 6) == 0)
		cli->auth = REG_AUTH_BEARER;
	else
		return -1;
	while (next_param(&p, &key, &val)) {
		char **slot = NULL;

		if (strcasecmp(key, "realm") == 0)
			slot = &cli->realm;
		else if (strcasecmp(key, "service") == 0)
			slot = &cli->service;
		else if (strcasecmp(key, "scope") == 0)
			slot = scope_out;
		if (slot) {
			free(*slot);
			*slot = val;
		} else {
			free(val);
		}
		free(key);
	}
	if (cli->auth == REG_AUTH_BEARER && (!cli->realm || !*cli->realm))
		return -1;
	return 0;
}

/* ---- credentials ---------------------------------------------------- */

char *reg_auth_file_path(const char *configured)
{
	const char *env = getenv("REGISTRY_AUTH_FILE");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	const char *home = getenv("HOME");

	if (configured && *configured)
		return xstrdup(configured);
	if (env && *env)
		return xstrdup(env);
	if (geteuid() == 0)
		return xstrdup("/run/containers/0/auth.json");
	if (xdg && *xdg)
		return xasprintf("%s/containers/auth.json", xdg);
	if (home && *home)
		return xasprintf("%s/.config/containers/auth.json", home);
	return NULL;
}

static char *docker_config_path(const char *configured)
{
	const char *env = getenv("DOCKER_CONFIG");
	const char *home = getenv("HOME");

	if (configured && *configured)
		return xstrdup(configured);
	if (env && *env)
		return xasprintf("%s/config.json", env);
	if (home && *home)
		return xasprintf("%s/.docker/config.json", home);
	return NULL;
}

char *registry_auth_file(const struct registry_config *cfg)
{
	return reg_auth_file_path(cfg ? cfg->auth_file : NULL);
}

/*
 * An auths key as a registry name: "https://index.docker.io/v1/" (docker's
 * legacy form) is "docker.io"; a key without a scheme may go on with a
 * repository namespace ("quay.io/org"), kept.
 */
char *reg_normalize_key(const char *key)
{
	const char *p = key;
	char *out;
	size_t n;

	if (strncmp(p, "https://", 8) == 0)
		p += 8;
	else if (strncmp(p, "http://", 7) == 0)
		p += 7;
	n = p != key ? strcspn(p, "/") : strlen(p);
	while (n && p[n - 1] == '/')
		n--;
	out = xstrndup(p, n);
	if (!strcmp(out, "index.docker.io") ||
	    !strcmp(out, "registry-1.docker.io")) {
		free(out);
		out = xstrdup(REF_DEFAULT_DOMAIN);
	}
	return out;
}

/* How well KEY (normalised) matches REF: 0 not at all, else its length. */
static size_t key_score(const char *key, const struct ref *ref)
{
	size_t d = strlen(ref->domain), k = strlen(key);

	if (strncmp(key, ref->domain, d) != 0)
		return 0;
	if (key[d] == '\0')
		return k;
	if (key[d] != '/' || !ref->path)
		return 0;
	key += d + 1;
	k = strlen(key);
	if (strncmp(ref->path, key, k) == 0 &&
	    (ref->path[k] == '\0' || ref->path[k] == '/'))
		return d + 1 + k;
	return 0;
}

int reg_read_json_file(const char *path, cJSON **out, struct err **e)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	_cleanup_err_ struct err *rerr = NULL;

	*out = NULL;
	if (read_file(AT_FDCWD, path, &b, AUTH_FILE_MAX, &rerr) < 0) {
		if (rerr->errnum == ENOENT)
			return 0;
		return err_make(e, rerr->errnum, "cannot read '%s'", path);
	}
	*out = cJSON_ParseWithLength(b.s, b.len);
	if (!cJSON_IsObject(*out)) {
		cJSON_Delete(*out);
		*out = NULL;
		return err_make(e, 0, "cannot parse '%s': not a json object",
				path);
	}
	return 1;
}

/* The credentials for REF in the config file PATH: 1 found, 0 not. */
static int creds_from(const char *path, const struct ref *ref, char **user,
		      char **pass, struct err **e)
{
	_cleanup_cjson_ cJSON *j = NULL;
	cJSON *it, *best = NULL;
	size_t best_score = 0;
	char *dec, *colon;
	int rc = reg_read_json_file(path, &j, e);

	if (rc <= 0)
		return rc;
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(j, "auths")) {
		_cleanup_free_ char *k = reg_normalize_key(it->string);
		cJSON *a = cJSON_GetObjectItem(it, "auth");
		size_t s = key_score(k, ref);

		if (s > best_score && cJSON_IsString(a) && *a->valuestring) {
			best = a;
			best_score = s;
		}
	}
	if (!best)
		return 0;
	dec = unbase64(best->valuestring);
	colon = dec ? strchr(dec, ':') : NULL;
	if (!colon) {
		free(dec);
		return err_make(e, 0, "invalid auth entry for '%s' in '%s'",
				ref->domain, path);
	}
	*colon = '\0';
	*user = dec;
	*pass = xstrdup(colon + 1);
	return 1;
}

/* Loads the client's credentials once: auth file first, docker config next. */
int reg_load_creds(struct registry_client *cli, struct err **e)
{
	_cleanup_free_ char *af = NULL, *dc = NULL;
	int rc;

	if (cli->creds_loaded)
		return 0;
	af = reg_auth_file_path(cli->auth_file);
	dc = docker_config_path(cli->docker_config);
	rc = af ? creds_from(af, &cli->ref, &cli->user, &cli->pass, e) : 0;
	if (rc == 0 && dc)
		rc = creds_from(dc, &cli->ref, &cli->user, &cli->pass, e);
	if (rc < 0)
		return rc;
	cli->creds_loaded = 1;
	return 0;
}

/* ---- tokens --------------------------------------------------------- */

const char *reg_default_scope(struct registry_client *cli, char *buf,
			      size_t n)
{
	if (!cli->ref.path)
		return "";
	snprintf(buf, n, "repository:%s:pull", cli->ref.path);
	return buf;
}

static struct reg_token *token_find(struct registry_client *cli,
				    const char *scope)
{
	size_t i;

	for (i = 0; i < cli->ntokens; i++)
		if (strcmp(cli->tokens[i].scope, scope) == 0)
			return &cli->tokens[i];
	return NULL;
}

static void token_store(struct registry_client *cli, const char *scope,
			char *value)
{
	struct reg_token *t = token_find(cli, scope);

	if (!t && cli->ntokens == REG_TOKENS_MAX) {
		/* full: forget the oldest */
		free(cli->tokens[0].scope);
		free(cli->tokens[0].value);
		memmove(&cli->tokens[0], &cli->tokens[1],
			sizeof(cli->tokens[0]) * (REG_TOKENS_MAX - 1));
		cli->ntokens--;
	}
	if (!t) {
		t = &cli->tokens[cli->ntokens++];
		t->scope = xstrdup(scope);
		t->value = NULL;
	}
	free(t->value);
	t->value = value;
}

void reg_auth_release(struct registry_client *cli)
{
	size_t i;

	for (i = 0; i < cli->ntokens; i++) {
		free(cli->tokens[i].scope);
		free(cli->tokens[i].value);
	}
	cli->ntokens = 0;
	free(cli->realm);
	free(cli->service);
	free(cli->user);
	free(cli->pass);
	cli->realm = cli->service = cli->user = cli->pass = NULL;
}

static void add_query(struct registry_client *cli, struct buf *url,
		      const char *key, const char *val)
{
	char *esc;

	if (!val || !*val)
		return;
	esc = curl_easy_escape(cli->curl, val, 0);
	if (!esc)
		oom();
	buf_addf(url, "%c%s=%s", strchr(url->s, '?') ? '&' : '?', key, esc);
	curl_free(esc);
}

static char *basic_header(const struct registry_client *cli)
{
	_cleanup_free_ char *up = xasprintf("%s:%s", cli->user, cli->pass);
	_cleanup_free_ char *b64 = reg_base64(up);

	return xasprintf("Authorization: Basic %s", b64);
}

static int token_body(struct request *rq, const void *d, size_t n)
{
	struct buf *b = rq->arg;

	if (b->len + n > TOKEN_BODY_MAX)
		return err_make(&rq->cb_err, 0, "token response too big");
	buf_add(b, d, n);
	return 0;
}

static int token_parse(const struct buf *b, const char *realm, char **out,
		       struct err **e)
{
	_cleanup_cjson_ cJSON *j = cJSON_ParseWithLength(b->s, b->len);
	cJSON *t = cJSON_GetObjectItem(j, "token");

	if (!cJSON_IsString(t) || !*t->valuestring)
		t = cJSON_GetObjectItem(j, "access_token");
	if (!cJSON_IsString(t) || !*t->valuestring)
		return err_make(e, 0, "no token in the answer of '%s'", realm);
	*out = xstrdup(t->valuestring);
	return 0;
}

static int token_status(struct registry_client *cli, struct request *rq,
			struct err **e)
{
	if (rq->status == 401 || rq->status == 403)
		return err_make(e, 0, "%s", cli->user
				? "invalid username or password"
				: "unauthorized: authentication required");
	return err_make(e, 0, "cannot get a token from '%s': http %ld",
			cli->realm, rq->status);
}

/* Fetches a token for SCOPE ("" for none) from the realm and caches it. */
static int fetch_token(struct registry_client *cli, const char *scope,
		       struct err **e)
{
	_cleanup_buf_ struct buf url = BUF_INIT;
	_cleanup_buf_ struct buf body = BUF_INIT;
	struct request rq = { .errbody = BUF_INIT, .label = cli->realm,
			      .on_data = token_body, .arg = &body };
	char *tok = NULL;
	int rc;

	if (reg_load_creds(cli, e) < 0)
		return -1;
	buf_addstr(&url, cli->realm);
	add_query(cli, &url, "service", cli->service);
	add_query(cli, &url, "scope", scope);
	rq.url = buf_detach(&url, NULL);
	if (cli->user)
		rq.authorization = basic_header(cli);
	rc = reg_perform(cli, &rq, e);
	if (rc >= 0 && rq.status != 200)
		rc = token_status(cli, &rq, e);
	if (rc >= 0)
		rc = token_parse(&body, cli->realm, &tok, e);
	request_release(&rq);
	if (rc < 0)
		return rc;
	token_store(cli, scope, tok);
	return 0;
}

static char *bearer_header(struct registry_client *cli, const char *scope)
{
	return xasprintf("Authorization: Bearer %s",
			 token_find(cli, scope)->value);
}

/*
 * reg_auth_header - the Authorization header line for a request with
 * SCOPE (NULL: the repository's pull scope) into HDR, empty when none is
 * needed. May fetch a token.
 */
int reg_auth_header(struct registry_client *cli, const char *scope,
		    struct buf *hdr, struct err **e)
{
	char sbuf[512];
	_cleanup_free_ char *h = NULL;

	if (!scope)
		scope = reg_default_scope(cli, sbuf, sizeof(sbuf));
	switch (cli->auth) {
	case REG_AUTH_UNKNOWN:
	case REG_AUTH_NONE:
		return 0;
	case REG_AUTH_BASIC:
		if (reg_load_creds(cli, e) < 0)
			return -1;
		if (cli->user)
			h = basic_header(cli);
		break;
	case REG_AUTH_BEARER:
		if (!token_find(cli, scope) && fetch_token(cli, scope, e) < 0)
			return -1;
		h = bearer_header(cli, scope);
		break;
	}
	if (h)
		buf_addstr(hdr, h);
	return 0;
}

/*
 * reg_auth_challenge - answer the 401 in RQ: for Bearer fetch a fresh token
 * for the scope asked, for Basic send the credentials; rq->authorization is
 * set for the retry. Fails (with the error the 401 means) when retrying
 * cannot help.
 */
int reg_auth_challenge(struct registry_client *cli, struct request *rq,
		       struct err **e)
{
	_cleanup_free_ char *scope = NULL;
	char sbuf[512];

	if (!rq->www_auth || reg_parse_challenge(cli, rq->www_auth, &scope) < 0)
		return reg_http_error(cli, rq, e);
	if (reg_load_creds(cli, e) < 0)
		return -1;
	if (cli->auth == REG_AUTH_BASIC) {
		/* no credentials, or they were just refused */
		if (!cli->user || rq->authorization)
			return reg_http_error(cli, rq, e);
		rq->authorization = basic_header(cli);
		return 0;
	}
	free(rq->authorization);
	rq->authorization = NULL;
	if (!scope)
		scope = xstrdup(rq->scope ? rq->scope
				: reg_default_scope(cli, sbuf, sizeof(sbuf)));
	if (fetch_token(cli, scope, e) < 0)
		return -1;
	rq->authorization = bearer_header(cli, scope);
	return 0;
}
