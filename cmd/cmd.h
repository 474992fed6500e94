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

int cmd_info(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_unshare(struct husk_ctx *ctx, int argc, char **argv, struct err **e);
int cmd_version(struct husk_ctx *ctx, int argc, char **argv, struct err **e);

#endif
