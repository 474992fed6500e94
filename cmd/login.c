/*
 * husk login [-u USER] [-p PASS | --password-stdin] REGISTRY and
 * husk logout REGISTRY: credentials in the containers auth file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "registry/registry.h"
#include "lib/banned.h"

static void login_usage(void)
{
	printf("Usage: husk login [OPTIONS] REGISTRY\n"
	       "\n"
	       "Check credentials against REGISTRY and store them in the auth\n"
	       "file for later pulls.\n"
	       "\n"
	       "  -u, --username USER    user name\n"
	       "  -p, --password PASS    password (visible to other users:\n"
	       "                         prefer --password-stdin)\n"
	       "      --password-stdin   read the password from stdin\n"
	       CMD_REGISTRY_HELP
	       "      --help             show this help\n");
}

static void logout_usage(void)
{
	printf("Usage: husk logout [--authfile FILE] REGISTRY\n"
	       "\n"
	       "Remove the stored credentials for REGISTRY.\n"
	       "\n"
	       "      --authfile FILE    the auth file\n"
	       "      --help             show this help\n");
}

static int read_stdin_password(struct buf *pw, struct err **e)
{
	char chunk[256];
	ssize_t n;

	while ((n = read(STDIN_FILENO, chunk, sizeof(chunk))) > 0)
		buf_add(pw, chunk, (size_t)n);
	if (n < 0)
		return err_make(e, errno, "cannot read the password from stdin");
	buf_rtrim(pw);
	return 0;
}

enum { OPT_PASSWORD_STDIN = 2000 };

int cmd_login(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	static const struct option opts[] = {
		{ "username", required_argument, NULL, 'u' },
		{ "password", required_argument, NULL, 'p' },
		{ "password-stdin", no_argument, NULL, OPT_PASSWORD_STDIN },
		{ "help", no_argument, NULL, 'h' },
		CMD_REGISTRY_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_buf_ struct buf pw = BUF_INIT;
	struct registry_config cfg;
	const char *user = NULL;
	bool from_stdin = false;
	int c, r;

	registry_config_init(&cfg);
	while ((c = getopt_long(argc, argv, "+:u:p:h", opts, NULL)) != -1) {
		if ((r = cmd_registry_flag(ctx, c, &cfg, e)) != 0) {
			if (r < 0)
				return -1;
			continue;
		}
		switch (c) {
		case 'u': user = optarg; break;
		case 'p': buf_reset(&pw); buf_addstr(&pw, optarg); break;
		case OPT_PASSWORD_STDIN: from_stdin = true; break;
		case 'h': login_usage(); return 0;
		default: return cmd_getopt_error(ctx, c, argv, e);
		}
	}
	if (optind != argc - 1)
		return cmd_usage_error(ctx, e, "login needs one registry");
	if (!user)
		return cmd_usage_error(ctx, e, "login needs --username");
	if (from_stdin && pw.len)
		return cmd_usage_error(ctx, e, "--password and --password-stdin "
					       "are exclusive");
	if (from_stdin && read_stdin_password(&pw, e) < 0)
		return -1;
	if (!pw.len)
		return cmd_usage_error(ctx, e, "login needs a password "
					       "(--password-stdin)");
	if (registry_global_init(e) < 0 ||
	    registry_login(&cfg, argv[optind], user, pw.s, e) < 0)
		return err_wrap(e, "cannot log in to '%s'", argv[optind]);
	printf("Login Succeeded!\n");
	return 0;
}

int cmd_logout(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		CMD_REGISTRY_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct registry_config cfg;
	int c, r;

	registry_config_init(&cfg);
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		if ((r = cmd_registry_flag(ctx, c, &cfg, e)) != 0) {
			if (r < 0)
				return -1;
			continue;
		}
		if (c == 'h') {
			logout_usage();
			return 0;
		}
		return cmd_getopt_error(ctx, c, argv, e);
	}
	if (optind != argc - 1)
		return cmd_usage_error(ctx, e, "logout needs one registry");
	if (registry_logout(&cfg, argv[optind], e) < 0)
		return err_wrap(e, "cannot log out from '%s'", argv[optind]);
	printf("Removed login credentials for %s\n", argv[optind]);
	return 0;
}
