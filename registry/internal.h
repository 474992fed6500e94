/*
 * registry/internal.h - what client.c, auth.c and tls.c share. No other
 * subsystem includes this.
 *
 * A request goes through request(): ping when the scheme is not known yet,
 * an Authorization header from the cached token or credentials, one retry
 * after a 401 with a fresh token, and HTTP errors turned into messages.
 * Body bytes of a 2xx response go to rq->on_data, those of any other
 * response to rq->errbody (bounded), so a 401 never reaches a blob sink.
 */
#ifndef HUSK_REGISTRY_INTERNAL_H
#define HUSK_REGISTRY_INTERNAL_H

#include <cjson/cJSON.h>
#include "registry/curl_dl.h"
#include <stdint.h>

#include "registry/registry.h"

#define REG_TOKENS_MAX 8

enum reg_auth {
	REG_AUTH_UNKNOWN,	/* not pinged yet */
	REG_AUTH_NONE,
	REG_AUTH_BASIC,
	REG_AUTH_BEARER,
};

struct reg_token {
	char *scope;	/* "repository:x/y:pull", "" for none */
	char *value;
};

struct registry_client {
	/* configuration, copied from struct registry_config */
	int tls_verify;
	char *certs_dirs;
	char *auth_file;
	char *docker_config;
	char *user_agent;

	struct ref ref;		/* path may be NULL (login) */
	char *host;		/* HOST[:PORT] connected to */
	int loopback;
	const char *scheme;	/* "https" or "http"; NULL until pinged */

	/* TLS material found in certs.d for host */
	char *ca_blob;		/* system bundle + *.crt, NULL: curl default */
	size_t ca_len;
	char *client_cert;
	char *client_key;

	CURL *curl;

	/* auth */
	enum reg_auth auth;
	char *realm;
	char *service;
	int creds_loaded;
	char *user;		/* NULL: anonymous */
	char *pass;
	struct reg_token tokens[REG_TOKENS_MAX];
	size_t ntokens;
};

struct request;
typedef int (*reg_data_fn)(struct request *rq, const void *d, size_t n);

struct request {
	char *url;
	const char *label;	/* host named in connection errors */
	const char *accept;	/* Accept header or NULL */
	const char *scope;	/* token scope; NULL: the repository's pull */
	const char *notfound;	/* message for a 404 without an error body */
	char *authorization;	/* "Authorization: ..." header line or NULL */
	reg_data_fn on_data;	/* 2xx body; NULL: dropped */
	void *arg;

	/* results of the last attempt */
	long status;
	struct buf errbody;
	char *www_auth;
	char *content_type;
	uint64_t content_length;	/* UINT64_MAX when not sent */
	struct err *cb_err;	/* set by callbacks that abort */
	char errbuf[CURL_ERROR_SIZE];
};

/* client.c */
void request_release(struct request *rq);
int reg_perform(struct registry_client *cli, struct request *rq,
		struct err **e);
char *reg_url(const struct registry_client *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int reg_http_error(struct registry_client *cli, struct request *rq,
		   struct err **e);

/* auth.c */
const char *reg_default_scope(struct registry_client *cli, char *buf,
			      size_t n);
int reg_auth_header(struct registry_client *cli, const char *scope,
		    struct buf *hdr, struct err **e);
int reg_auth_challenge(struct registry_client *cli, struct request *rq,
		       struct err **e);
int reg_parse_challenge(struct registry_client *cli, const char *hdr,
			char **scope_out);
void reg_auth_release(struct registry_client *cli);
int reg_load_creds(struct registry_client *cli, struct err **e);
char *reg_base64(const char *s);
/* An auths key as a registry name ("https://index.docker.io/v1/" ->
 * "docker.io"). Caller frees. */
char *reg_normalize_key(const char *key);
/* The auth file: CONFIGURED, else $REGISTRY_AUTH_FILE, else the default. */
char *reg_auth_file_path(const char *configured);
/* Reads a JSON object file: 1 read, 0 absent (*OUT NULL), <0 error. */
int reg_read_json_file(const char *path, cJSON **out, struct err **e);

/* tls.c */
int reg_tls_setup(struct registry_client *cli, struct err **e);
int reg_is_loopback(const char *host);

#endif
