/*
 * login.c - husk login / logout: check credentials against /v2/ and keep
 * them in the auth file, in the format podman and docker share:
 *
 *	{"auths": {"HOST[:PORT]": {"auth": "base64(user:pass)"}}}
 *
 * The file is rewritten atomically (tmp, fsync, rename) with mode 0600 in a
 * 0700 directory; entries for other registries and other top-level keys are
 * kept as they were.
 */
#include <errno.h>
#include <string.h>

#include "registry/internal.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "lib/fs.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* GET /v2/ with the credentials (through a token when the registry wants). */
static int login_check(struct registry_client *cli, struct err **e)
{
	struct request rq = { .errbody = BUF_INIT };
	struct buf h = BUF_INIT;
	int rc;

	if (registry_ping(cli, e) < 0)
		return -1;
	if (cli->auth == REG_AUTH_NONE)
		return 0;
	if (reg_auth_header(cli, "", &h, e) < 0) {
		buf_release(&h);
		return -1;
	}
	rq.url = reg_url(cli, "/v2/");
	if (h.len)
		rq.authorization = buf_detach(&h, NULL);
	buf_release(&h);
	rc = reg_perform(cli, &rq, e);
	if (rc >= 0 && rq.status != 200)
		rc = reg_http_error(cli, &rq, e);
	request_release(&rq);
	return rc;
}

static int write_auth_file(const char *path, cJSON *j, struct err **e)
{
	_cleanup_free_ char *dir = xstrdup(path);
	_cleanup_free_ char *text = NULL;
	char *slash = strrchr(dir, '/');

	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir_p(dir, 0700, e) < 0)
			return -1;
	}
	text = cJSON_Print(j);
	if (!text)
		oom();
	return atomic_write_path(path, text, strlen(text), 0600, e);
}

/* The auth file's JSON, or a fresh {"auths":{}}; *AUTHS points into it. */
static int load_auths(const char *path, cJSON **j, cJSON **auths,
		      struct err **e)
{
	if (reg_read_json_file(path, j, e) < 0)
		return -1;
	if (!*j)
		*j = cJSON_CreateObject();
	*auths = cJSON_GetObjectItem(*j, "auths");
	if (!*auths)
		*auths = cJSON_AddObjectToObject(*j, "auths");
	if (!*j || !cJSON_IsObject(*auths))
		return err_make(e, 0, "cannot parse '%s': 'auths' is not an "
				"object", path);
	return 0;
}

static int store_creds(const struct registry_config *cfg, const char *host,
		       const char *user, const char *pass, struct err **e)
{
	_cleanup_free_ char *path = registry_auth_file(cfg);
	_cleanup_free_ char *up = xasprintf("%s:%s", user, pass);
	_cleanup_free_ char *b64 = reg_base64(up);
	_cleanup_cjson_ cJSON *j = NULL;
	cJSON *auths = NULL, *entry;

	if (!path)
		return err_make(e, 0, "no auth file: set REGISTRY_AUTH_FILE");
	if (load_auths(path, &j, &auths, e) < 0)
		return -1;
	entry = cJSON_CreateObject();
	if (!entry || !cJSON_AddStringToObject(entry, "auth", b64))
		oom();
	if (cJSON_GetObjectItem(auths, host))
		cJSON_ReplaceItemInObject(auths, host, entry);
	else
		cJSON_AddItemToObject(auths, host, entry);
	return write_auth_file(path, j, e);
}

static char *login_host(const char *host)
{
	return reg_normalize_key(host);
}

int registry_login(const struct registry_config *cfg, const char *host,
		   const char *user, const char *pass, struct err **e)
{
	_cleanup_free_ char *h = login_host(host);
	_cleanup_registry_client_ struct registry_client *cli = NULL;
	struct ref r = { .domain = h };

	if (!*h || strchr(h, '/'))
		return err_make(e, 0, "invalid registry '%s'", host);
	if (!user || !*user)
		return err_make(e, 0, "a username is required");
	if (registry_client_new(cfg, &r, &cli, e) < 0)
		return -1;
	cli->creds_loaded = 1;
	cli->user = xstrdup(user);
	cli->pass = xstrdup(pass ? pass : "");
	if (login_check(cli, e) < 0)
		return -1;
	return store_creds(cfg, h, user, pass ? pass : "", e);
}

int registry_logout(const struct registry_config *cfg, const char *host,
		    struct err **e)
{
	_cleanup_free_ char *path = registry_auth_file(cfg);
	_cleanup_free_ char *h = login_host(host);
	_cleanup_cjson_ cJSON *j = NULL;
	cJSON *auths = NULL, *it, *next;
	int removed = 0;

	if (!path)
		return err_make(e, 0, "not logged in to '%s'", h);
	if (load_auths(path, &j, &auths, e) < 0)
		return -1;
	for (it = auths->child; it; it = next) {
		_cleanup_free_ char *k = reg_normalize_key(it->string);

		next = it->next;
		if (strcmp(k, h) == 0) {
			cJSON_Delete(cJSON_DetachItemViaPointer(auths, it));
			removed++;
		}
	}
	if (!removed)
		return err_make(e, 0, "not logged in to '%s'", h);
	return write_auth_file(path, j, e);
}
