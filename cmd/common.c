#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "lib/buf.h"
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
