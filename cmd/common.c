#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <strings.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "ctr/ctr.h"
#include "layers/store.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/parse.h"
#include "lib/xalloc.h"
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

static const struct {
	const char *name;
	int num;
} signals[] = {
	{ "HUP", SIGHUP },   { "INT", SIGINT },	    { "QUIT", SIGQUIT },
	{ "ILL", SIGILL },   { "TRAP", SIGTRAP },   { "ABRT", SIGABRT },
	{ "IOT", SIGIOT },   { "BUS", SIGBUS },	    { "FPE", SIGFPE },
	{ "KILL", SIGKILL }, { "USR1", SIGUSR1 },   { "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 }, { "PIPE", SIGPIPE },   { "ALRM", SIGALRM },
	{ "TERM", SIGTERM }, { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },
	{ "CONT", SIGCONT }, { "STOP", SIGSTOP },   { "TSTP", SIGTSTP },
	{ "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },   { "URG", SIGURG },
	{ "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },   { "VTALRM", SIGVTALRM },
	{ "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },
	{ "POLL", SIGPOLL }, { "PWR", SIGPWR },	    { "SYS", SIGSYS },
};

int cmd_parse_signal(const char *s)
{
	const char *n = s;
	uint64_t v;

	if (parse_uint64(s, 1, 64, &v, NULL) == 0)
		return (int)v;
	if (!strncasecmp(n, "SIG", 3))
		n += 3;
	for (size_t i = 0; i < ARRAY_SIZE(signals); i++)
		if (!strcasecmp(n, signals[i].name))
			return signals[i].num;
	/* RTMIN+N / RTMAX-N */
	if (!strncasecmp(n, "RTMIN", 5) &&
	    (!n[5] || (n[5] == '+' && parse_uint64(n + 6, 0, 30, &v, NULL) == 0)))
		return SIGRTMIN + (n[5] ? (int)v : 0);
	if (!strncasecmp(n, "RTMAX", 5) &&
	    (!n[5] || (n[5] == '-' && parse_uint64(n + 6, 0, 30, &v, NULL) == 0)))
		return SIGRTMAX - (n[5] ? (int)v : 0);
	return -1;
}

/*
 * Rootless commands that write the store run as root of a user namespace
 * mapping the caller's subordinate ids, so unpacked files get their owners.
 */
int cmd_enter_userns(struct husk_ctx *ctx, struct err **e)
{
	if (!ctx->rootless || ctx->in_userns)
		return 0;
	if (runtime_userns_plan(&ctx->userns, e) < 0)
		return -1;
	if (ctx->userns.single)
		log_warn("%s: only your own uid is mapped, files owned by "
			 "other ids are given to you",
			 ctx->userns.reason);
	/* the pinned namespace saves the setuid helpers' ~10 ms; if it
	 * cannot be had, a fresh namespace is just slower */
	if (runtime_userns_pinned(ctx->runroot, &ctx->userns, NULL) != 0 &&
	    runtime_userns_enter(&ctx->userns, e) < 0)
		return err_wrap(e, "cannot enter husk's user namespace");
	ctx->in_userns = true;
	return 0;
}


int cmd_open_store(struct husk_ctx *ctx, struct store *s, bool writable,
		   const char *first, struct err **e)
{
	if (store_open(s, ctx->root, writable, e) >= 0)
		return 0;
	if ((*e)->errnum == ENOENT && first) {
		err_freep(e);
		return err_cause(e, ENOENT, "no such container '%s'", first);
	}
	return -1;
}

int cmd_find_ctr(struct husk_ctx *ctx, struct store *s, const char *name,
		 struct ctr *c, struct err **e)
{
	if (cmd_open_store(ctx, s, false, name, e) < 0 ||
	    ctr_find(s, name, c, e) < 0)
		return -1;
	return ctr_refresh(s, c, 0, e);
}

int cmd_parse_seconds(struct husk_ctx *ctx, const char *flag, const char *v,
		      int *out, struct err **e)
{
	uint64_t n;

	if (parse_uint64(v, 0, 86400 * 365, &n, NULL) < 0)
		return cmd_usage_error(ctx, e, "invalid %s '%s': seconds "
				       "expected", flag, v);
	*out = (int)n;
	return 0;
}

void cmd_keep_error(struct err **first, struct err **one)
{
	if (!*first)
		*first = TAKE_PTR(*one);
	else
		fprintf(stderr, "husk: %s\n", (*one)->msg);
	err_freep(one);
}

void cmd_enter_sub(struct husk_ctx *ctx, const char *group, const char *sub)
{
	static char name[64];

	snprintf(name, sizeof(name), "%s %s", group, sub);
	ctx->cmd = name;
	optind = 0;
}
