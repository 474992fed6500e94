/*
 * husk unshare [COMMAND [ARG...]]: run a command in the user namespace
 * husk uses for its store (podman unshare). Rootless stores hold files
 * owned by subordinate ids the user cannot touch from outside; in here
 * they can be inspected or removed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

static void usage(void)
{
	printf("Usage: husk unshare [COMMAND [ARG...]]\n"
	       "\n"
	       "Run COMMAND (default: $SHELL) as root of the user namespace\n"
	       "husk uses for its store: your uid maps to 0 and your\n"
	       "subordinate ids from /etc/subuid and /etc/subgid to 1..N.\n"
	       "HUSK_ROOT is set to the store. As root, COMMAND simply runs.\n"
	       "\n"
	       "      --help   show this help\n");
}

int cmd_unshare(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *shell_argv[] = { NULL, NULL };
	char **cmd = argv + 1;
	int c;

	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		if (c == 'h') {
			usage();
			return 0;
		}
		return cmd_getopt_error(ctx, c, argv, e);
	}
	cmd = argv + optind;
	if (!*cmd) {
		const char *sh = getenv("SHELL");

		shell_argv[0] = (char *)(sh && *sh ? sh : "/bin/sh");
		cmd = shell_argv;
	}
	if (setenv("HUSK_ROOT", ctx->root, 1) < 0)
		return err_make(e, errno, "setenv");
	fflush(stdout);
	execvp(cmd[0], cmd);
	ctx->exit_code = errno == ENOENT ? 127 : 126;
	return err_make(e, errno, "cannot run '%s'", cmd[0]);
}
