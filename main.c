/*
 * main.c - global options, the command table, error printing and exit
 * codes. Nothing else lives here (STYLE.md rule 4).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "lib/fs.h"
#include "lib/xalloc.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/banned.h"

#define EXIT_HUSK 125

static const struct cmd commands[] = {
	{ "container", cmd_container, NEED_STORE | NEED_RUNROOT,
	  "Manage containers (ls, rm, prune, ...)" },
	{ "exec", cmd_exec, 0, "Run a command in a running container" },
	{ "images", cmd_images, 0, "List images" },
	{ "image", cmd_image, NEED_STORE | NEED_USERNS, "Manage images (inspect, ls, prune, rm, tag)" },
	{ "info", cmd_info, 0, "Show what husk needs and what this host has" },
	{ "inspect", cmd_inspect, 0, "Show containers or images in detail" },
	{ "kill", cmd_kill, 0, "Send a signal to containers" },
	{ "login", cmd_login, 0, "Log in to a registry" },
	{ "logout", cmd_logout, 0, "Log out from a registry" },
	{ "logs", cmd_logs, 0, "Show a container's output" },
	{ "pause", cmd_pause, 0, "Freeze containers" },
	{ "port", cmd_port, 0, "Show where a container's ports are published" },
	{ "ps", cmd_ps, 0, "List containers" },
	{ "pull", cmd_pull, NEED_STORE | NEED_USERNS,
	  "Pull an image from a registry" },
	{ "run", cmd_run, NEED_STORE | NEED_RUNROOT | NEED_USERNS,
	  "Run a command in a new container" },
	{ "rename", cmd_rename, 0, "Rename a container" },
	{ "restart", cmd_restart, NEED_STORE | NEED_RUNROOT,
	  "Restart containers" },
	{ "rm", cmd_rm, NEED_STORE, "Remove containers" },
	{ "rmi", cmd_rmi, NEED_STORE | NEED_USERNS, "Remove images" },
	{ "start", cmd_start, NEED_STORE | NEED_RUNROOT | NEED_USERNS,
	  "Start stopped containers" },
	{ "stats", cmd_stats, 0, "Show containers' resource use" },
	{ "stop", cmd_stop, 0, "Stop running containers" },
	{ "tag", cmd_tag, NEED_STORE, "Give an image another name" },
	{ "unshare", cmd_unshare, NEED_STORE | NEED_USERNS,
	  "Run a command in husk's user namespace" },
	{ "unpause", cmd_unpause, 0, "Thaw paused containers" },
	{ "update", cmd_update, 0, "Change running containers' limits" },
	{ "version", cmd_version, 0, "Show husk's version and its libraries'" },
	{ "volume", cmd_volume, 0, "Manage volumes (create, inspect, ls, prune, rm)" },
	{ "wait", cmd_wait, 0, "Wait for containers to exit" },
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: husk [OPTIONS] COMMAND [ARG...]\n"
		"\n"
		"A daemonless container engine.\n"
		"\n"
		"Options:\n"
		"      --root DIR         image store (default: %s)\n"
		"      --runroot DIR      runtime state directory\n"
		"      --log-level LEVEL  error, warn, info or debug\n"
		"      --debug            same as --log-level=debug\n"
		"  -h, --help             show this help\n"
		"  -v, --version          show the version\n"
		"\n"
		"Commands:\n",
		geteuid() == 0 ? "/var/lib/husk" : "~/.local/share/husk");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out, "\nRun 'husk COMMAND --help' for more about a command.\n");
}

static const struct cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* Prints the error the way every husk command does and picks the code. */
static int report(struct husk_ctx *ctx, struct err *e)
{
	fprintf(stderr, "husk: %s\n", e ? e->msg : "unknown error");
	if (ctx->usage)
		fprintf(stderr, "see 'husk %s%s--help'\n",
			ctx->cmd ? ctx->cmd : "", ctx->cmd ? " " : "");
	return ctx->exit_code ? ctx->exit_code : EXIT_HUSK;
}

static int global_usage_error(struct husk_ctx *ctx, const char *fmt,
			      const char *arg)
{
	_cleanup_err_ struct err *e = NULL;

	err_make(&e, 0, fmt, arg);
	ctx->usage = true;
	return report(ctx, e);
}

enum { OPT_ROOT = 256, OPT_RUNROOT, OPT_LOG_LEVEL, OPT_DEBUG };

static const struct option global_opts[] = {
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "runroot", required_argument, NULL, OPT_RUNROOT },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'v' },
	{ NULL, 0, NULL, 0 },
};

/* Returns -1 to go on, or an exit status. */
static int parse_global(struct husk_ctx *ctx, int argc, char **argv)
{
	int c, lvl;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hv", global_opts, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT:
			free(ctx->root);
			ctx->root = xstrdup(optarg);
			break;
		case OPT_RUNROOT:
			free(ctx->runroot);
			ctx->runroot = xstrdup(optarg);
			break;
		case OPT_LOG_LEVEL:
			lvl = log_level_parse(optarg);
			if (lvl < 0)
				return global_usage_error(
					ctx, "invalid log level '%s'", optarg);
			log_level = (enum log_level)lvl;
			break;
		case OPT_DEBUG:
			log_level = LOG_DEBUG;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'v':
			printf("husk version %s\n", HUSK_VERSION);
			return 0;
		case ':':
			return global_usage_error(ctx, "option '%s' needs a value",
						  argv[optind - 1]);
		default:
			return global_usage_error(ctx, "unknown option '%s'",
						  argv[optind - 1]);
		}
	}
	return -1;
}

static int prepare(struct husk_ctx *ctx, const struct cmd *cmd,
		   struct err **e)
{
	if ((cmd->flags & NEED_USERNS) && cmd_enter_userns(ctx, e) < 0)
		return -1;
	if ((cmd->flags & NEED_STORE) && mkdir_p(ctx->root, 0700, e) < 0)
		return err_wrap(e, "cannot create the store '%s'", ctx->root);
	if ((cmd->flags & NEED_RUNROOT) && mkdir_p(ctx->runroot, 0700, e) < 0)
		return err_wrap(e, "cannot create the runtime directory '%s'",
				ctx->runroot);
	return 0;
}

int main(int argc, char **argv)
{
	struct husk_ctx ctx = { .argv0 = argv[0] };
	_cleanup_err_ struct err *e = NULL;
	const struct cmd *cmd;
	int r;

	ctx.rootless = geteuid() != 0;
	ctx.root = paths_default_root();
	ctx.runroot = paths_default_runroot();
	r = parse_global(&ctx, argc, argv);
	if (r >= 0)
		return r;
	if (optind >= argc) {
		usage(stderr);
		return EXIT_HUSK;
	}
	cmd = find_cmd(argv[optind]);
	if (!cmd)
		return global_usage_error(&ctx, "unknown command '%s'",
					  argv[optind]);
	ctx.cmd = cmd->name;
	argc -= optind;
	argv += optind;
	optind = 0; /* reset getopt for the subcommand (glibc: 0 re-inits) */
	r = prepare(&ctx, cmd, &e);
	if (r >= 0)
		r = cmd->fn(&ctx, argc, argv, &e);
	if (r < 0)
		r = report(&ctx, e);
	if ((fflush(stdout) != 0 || ferror(stdout)) && r == 0) {
		err_make(&e, errno ? errno : EIO, "cannot write the output");
		r = report(&ctx, e);
	}
	userns_map_release(&ctx.userns);
	free(ctx.root);
	free(ctx.runroot);
	return r;
}
