#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "lib/buf.h"
#include "registry/registry.h"
#include "lib/banned.h"

int cmd_usage_error(struct husk_ctx *ctx, struct err **e, const char *fmt, ...)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	ctx->usage = true;
	return err_make(e, 0, "%s", b.s);
}

int cmd_getopt_error(struct husk_ctx *ctx, int c, char **argv, struct err **e)
{
	const char *opt = argv[optind - 1];

	if (c == ':')
		return cmd_usage_error(ctx, e, "option '%s' needs a value", opt);
	if (optopt && optopt != '?')
		return cmd_usage_error(ctx, e, "unknown option '-%c'", optopt);
	return cmd_usage_error(ctx, e, "unknown option '%s'", opt);
}

int cmd_parse_bool(struct husk_ctx *ctx, const char *flag, const char *v,
		   bool *out, struct err **e)
{
	if (!v || !strcmp(v, "true") || !strcmp(v, "1")) {
		*out = true;
		return 0;
	}
	if (!strcmp(v, "false") || !strcmp(v, "0")) {
		*out = false;
		return 0;
	}
	return cmd_usage_error(ctx, e, "invalid value '%s' for '%s': want "
				       "true or false", v, flag);
}

int cmd_registry_flag(struct husk_ctx *ctx, int c, struct registry_config *cfg,
		      struct err **e)
{
	bool b;

	switch (c) {
	case OPT_TLS_VERIFY:
		if (cmd_parse_bool(ctx, "--tls-verify", optarg, &b, e) < 0)
			return -1;
		cfg->tls_verify = b;
		return 1;
	case OPT_AUTHFILE:
		cfg->auth_file = optarg;
		return 1;
	default:
		return 0;
	}
}

int cmd_parse_format(struct husk_ctx *ctx, int argc, char **argv,
		     void (*usage)(void), bool *json, struct err **e)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*json = false;
	while ((c = getopt_long(argc, argv, "+:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "json"))
				return cmd_usage_error(ctx, e, "unknown format "
							       "'%s'", optarg);
			*json = true;
			break;
		case 'h':
			usage();
			return 1;
		default:
			return cmd_getopt_error(ctx, c, argv, e);
		}
	}
	if (optind < argc)
		return cmd_usage_error(ctx, e, "unexpected argument '%s'",
				       argv[optind]);
	return 0;
}
