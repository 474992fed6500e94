/*
 * cmd.h - what main.c hands a subcommand, and what it hands back.
 *
 * A handler parses its own flags with getopt_long (leading '+', opterr
 * off) and returns:
 *  - >= 0: the exit status (0, or the container's own for run/exec/wait);
 *  - <  0: failure with *e set. main.c prints "husk: <msg>" and exits
 *    ctx->exit_code if the handler set it (126/127 for run-like commands),
 *    else 125. A handler sets ctx->usage = true for a usage error, and
 *    main adds "see 'husk CMD --help'".
 * Handlers print their results to stdout and nothing to stderr except
 * user-facing warnings through log_warn().
 */
#ifndef HUSK_CMD_H
#define HUSK_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/err.h"
#include "runtime/runtime.h"

enum cmd_flags {
	NEED_STORE = 1 << 0,	/* create --root before the handler runs */
	NEED_RUNROOT = 1 << 1,	/* create --runroot before the handler runs */
	NEED_USERNS = 1 << 2,	/* rootless: run inside husk's user namespace */
};

struct husk_ctx {
	const char *argv0;
	const char *cmd;	/* name of the running subcommand */
	char *root;		/* image store */
	char *runroot;		/* runtime state */
	bool rootless;
	struct userns_map userns; /* set up for NEED_USERNS commands */
	bool in_userns;		/* cmd_enter_userns() done */
	int exit_code;		/* exit status for an error, 0 = 125 */
	bool usage;		/* the error is a usage error */
};

typedef int (*cmd_fn)(struct husk_ctx *ctx, int argc, char **argv,
		      struct err **e);

struct cmd {
	const char *name;
	cmd_fn fn;
	unsigned flags;
	const char *summary;
};

/*
 * Rootless: moves into husk's user namespace (the pinned one, else a new
 * one) so store files with subordinate owners can be written and removed.
 * NEED_USERNS commands get it before they start; others call it once they
 * are done with what must happen outside (signals to containers). Nothing
 * for root; done once.
 */
int cmd_enter_userns(struct husk_ctx *ctx, struct err **e);

/*
 * Usage error for the command in ctx: "unknown option '--x'" etc. Sets
 * ctx->usage and returns the negative error value.
 */
int cmd_usage_error(struct husk_ctx *ctx, struct err **e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * The usual getopt_long() error for the option just parsed: unknown option
 * or missing argument. Call it from the '?' and ':' cases.
 */
int cmd_getopt_error(struct husk_ctx *ctx, int c, char **argv, struct err **e);

/*
 * For commands whose options are only --format json and --help: returns
 * 0 to go on, 1 after printing the usage, <0 on a usage error.
 */
int cmd_parse_format(struct husk_ctx *ctx, int argc, char **argv,
		     void (*usage)(void), bool *json, struct err **e);

/*
 * Registry flags shared by pull, login and logout: --tls-verify[=BOOL],
 * --authfile FILE. (CA certificates come from certs.d directories.) Put CMD_REGISTRY_OPTIONS in the
 * option table and hand every option to cmd_registry_flag() first: it
 * returns 1 when it took the option, 0 when not, <0 on a bad value.
 */
enum { OPT_TLS_VERIFY = 1000, OPT_AUTHFILE };
#define CMD_REGISTRY_OPTIONS                                                \
	{ "tls-verify", optional_argument, NULL, OPT_TLS_VERIFY },          \
	{ "authfile", required_argument, NULL, OPT_AUTHFILE }
#define CMD_REGISTRY_HELP                                                   \
	"      --tls-verify=false   do not verify TLS certificates (and allow\n" \
	"                           plain HTTP)\n"                              \
	"      --authfile FILE      credentials (default:\n"                     \
	"                           $XDG_RUNTIME_DIR/containers/auth.json)\n"
struct registry_config;
int cmd_registry_flag(struct husk_ctx *ctx, int c, struct registry_config *cfg,
		      struct err **e);
/* Parses "true"/"false" (and 1/0); <0 with a usage error otherwise. */
int cmd_parse_bool(struct husk_ctx *ctx, const char *flag, const char *v,
		   bool *out, struct err **e);

/* A count of seconds (up to a year) for FLAG; a usage error otherwise. */
int cmd_parse_seconds(struct husk_ctx *ctx, const char *flag, const char *v,
		      int *out, struct err **e);

/* "SIGTERM", "TERM", "term", "15", "RTMIN+3" -> the number, else -1. */
int cmd_parse_signal(const char *s);

/*
 * --format of a listing: "json" (one object per line), "table TEMPLATE"
 * (a header from TITLES, aligned columns) or a TEMPLATE run over each of
 * ROWS (an array). A bad template is a usage error.
 */
#include <cjson/cJSON.h>
int cmd_format_rows(struct husk_ctx *ctx, const char *format, cJSON *rows,
		    const cJSON *titles, struct err **e);

/* Appends image NAME in docker's inspect shape to OUT (ENOENT: none). */
struct store;
int cmd_image_json(struct store *s, const char *name, cJSON *out,
		   struct err **e);
/* husk inspect --type=TYPE ARGV[1..] (image inspect, container inspect). */
int cmd_inspect_type(struct husk_ctx *ctx, int argc, char **argv,
		     const char *type, struct err **e);
/*
 * Opens the store for a command on containers; a store that does not
 * exist yet has none, so that is "no such container 'FIRST'".
 */
int cmd_open_store(struct husk_ctx *ctx, struct store *s, bool writable,
		   const char *first, struct err **e);
/* One container for exec, logs...: the store opened read-only, NAME
 * found (an id, a prefix or a name) and its state brought up to date. */
struct ctr;
int cmd_find_ctr(struct husk_ctx *ctx, struct store *s, const char *name,
		 struct ctr *c, struct err **e);
/* inspect's output: the JSON array, or FORMAT run over each element. */
int cmd_inspect_print(struct husk_ctx *ctx, const cJSON *arr,
		      const char *format, struct err **e);

/* "5 seconds", "About a minute", "3 hours": docker's HumanDuration. */
void cmd_human_duration(long seconds, char *out, size_t len);

/* "2 hours ago", docker's wording; "N/A" for a negative time. */
#include <time.h>
void cmd_human_ago(time_t t, char *out, size_t len);
/* "1.13MB": docker's human sizes (powers of 1000). */
void cmd_human_size(uint64_t n, char *out, size_t len);

/* Terminal progress for pulls (cmd/progress.c). */
struct pull_image;
struct pull_progress_state {
	FILE *out;
	size_t drawn;	/* lines to move up before redrawing */
};
void cmd_pull_progress(void *arg, const struct pull_image *img, bool final);

/* Before running subcommand SUB of GROUP ("volume", "create"): usage
 * errors point at 'husk GROUP SUB --help'; getopt starts afresh. */
void cmd_enter_sub(struct husk_ctx *ctx, const char *group, const char *sub);

/* Keeps the first error of a command on several objects for main.c to
 * print; prints the later ones at once. */
void cmd_keep_error(struct err **first, struct err **one);

/*
 * Published ports (cmd/port.c). A container's are docker's
 * NetworkSettings.Ports of its record, {"80/tcp": [{"HostIp": "0.0.0.0",
 * "HostPort": "8000"}], "53/udp": null}, and only while it runs: docker
 * forgets them when it stops. A port without bindings is exposed only.
 */
struct cmd_port_map {
	uint16_t ctr_port;
	uint16_t host_port;	/* 0: exposed, not published */
	char proto[8];		/* tcp, udp or sctp */
	char host_ip[64];	/* "" when not published */
};
/* The record's ports while C runs, else NULL. */
const cJSON *cmd_ctr_ports(const struct ctr *c);
/* Each mapping of PORTS (each exposed port too), in docker port's order:
 * container port, protocol, host address, host port. A heap array. */
struct cmd_port_map *cmd_port_list(const cJSON *ports, size_t *n);
/* docker ps's PORTS: "0.0.0.0:8000->80/tcp, 53/udp", ranges grouped as
 * docker groups them ("127.0.0.1:8000-8001->8000-8001/tcp"). */
struct buf;
void cmd_ports_text(const cJSON *ports, struct buf *out);
/* "80", "80/udp" (no protocol: tcp) into *LO; with RANGE also
 * "8000-8010[/PROTO]" (into *LO..*HI). <0 for anything else. */
int cmd_parse_port(const char *s, bool range, uint16_t *lo, uint16_t *hi,
		   char proto[8]);

int cmd_container(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_exec(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_pause(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_port(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_unpause(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_stats(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_update(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_inspect(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_kill(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_logs(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_ps(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_rename(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_restart(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_rm(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_start(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_stop(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_wait(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_images(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_image(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_login(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_logout(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_pull(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_run(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_rmi(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_tag(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_info(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_unshare(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_version(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_volume(struct husk_ctx *ctx, int argc, char **argv, struct err **e);

#endif
