/*
 * husk exec [OPTIONS] CONTAINER COMMAND [ARG...]: another process in a
 * running container, with its namespaces, user, capabilities and seccomp
 * profile (runtime/exec.c). Exit status as `run`: the command's own, 126
 * when it cannot be executed, 127 when it does not exist, 125 when husk
 * failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "cmd/cmd.h"
#include "cmd/launch.h"
#include "ctr/ctr.h"
#include "layers/image.h"
#include "layers/store.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "runtime/spec.h"
#include "lib/banned.h"

static void usage(void)
{
	printf("Usage: husk exec [OPTIONS] CONTAINER COMMAND [ARG...]\n"
	       "\n"
	       "Run a command in a running container.\n"
	       "\n"
	       "  -d, --detach            leave it running in the background\n"
	       "  -i, --interactive       keep stdin open\n"
	       "  -t, --tty               allocate a terminal\n"
	       "  -e, --env K=V|K         set (or pass through) a variable\n"
	       "  -w, --workdir DIR       working directory\n"
	       "  -u, --user USER[:GROUP] user name or uid (and group)\n"
	       "      --help              show this help\n");
}

struct exec_args {
	bool detach, interactive, tty;
	char **env;		/* K=V, owned */
	size_t nenv;
	const char *workdir, *user;
	char **cmd;
};

static void add_env(struct exec_args *a, const char *arg)
{
	const char *v = strchr(arg, '=') ? NULL : getenv(arg);

	if (!strchr(arg, '=') && !v)
		return;	/* -e K with K unset: nothing, as docker */
	a->env = xrealloc(a->env, (a->nenv + 2) * sizeof(char *));
	a->env[a->nenv++] = v ? xasprintf("%s=%s", arg, v) : xstrdup(arg);
	a->env[a->nenv] = NULL;
}

enum { OPT_HELP = 1000 };

static int parse(struct husk_ctx *ctx, int argc, char **argv,
		 struct exec_args *a, struct err **e)
{
	static const struct option opts[] = {
		{ "detach", no_argument, NULL, 'd' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "tty", no_argument, NULL, 't' },
		{ "env", required_argument, NULL, 'e' },
		{ "workdir", required_argument, NULL, 'w' },
		{ "user", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "+:dite:w:u:", opts, NULL)) != -1) {
		switch (c) {
		case 'd': a->detach = true; break;
		case 'i': a->interactive = true; break;
		case 't': a->tty = true; break;
		case 'e':
			if (!*optarg || *optarg == '=' || strchr(optarg, ' ') ==
			    optarg)
				return cmd_usage_error(ctx, e, "invalid "
						       "environment variable "
						       "'%s'", optarg);
			add_env(a, optarg);
			break;
		case 'w':
			if (optarg[0] != '/')
				return cmd_usage_error(ctx, e, "the working "
						       "directory '%s' is not "
						       "absolute", optarg);
			a->workdir = optarg;
			break;
		case 'u': a->user = optarg; break;
		case OPT_HELP: usage(); return 1;
		default: return cmd_getopt_error(ctx, c, argv, e);
		}
	}
	if (argc - optind < 2)
		return cmd_usage_error(ctx, e, "exec needs a container and a "
				       "command");
	a->cmd = argv + optind + 1;
	return 0;
}

/* The container's environment with -e entries over it. */
static char **merge_env(char **base, char **over)
{
	size_t n = 0, k = 0;
	char **out;

	for (char **p = base; p && *p; p++)
		n++;
	for (char **p = over; p && *p; p++)
		n++;
	out = xcalloc(n + 1, sizeof(char *));
	for (char **p = base; p && *p; p++) {
		size_t klen = strcspn(*p, "=");
		bool replaced = false;

		for (char **q = over; q && *q; q++)
			replaced |= !strncmp(*q, *p, klen) && (*q)[klen] == '=';
		if (!replaced)
			out[k++] = xstrdup(*p);
	}
	for (char **p = over; p && *p; p++)
		out[k++] = xstrdup(*p);
	return out;
}

static int exec_in(struct husk_ctx *ctx, struct ctr *c, struct exec_args *a,
		   struct err **e)
{
	_cleanup_cjson_ cJSON *json = NULL;
	_cleanup_close_ int devnull = -1;
	struct rt_exec x = { { -1, -1, -1 }, -1, a->user };
	struct rt_spec sp;
	struct cgroup cg = { 0 };
	int *cgfds = NULL;
	size_t ncgfds = 0;
	int pty = -1, rc;
	pid_t pid;
	char **env;

	if (c->paused)
		return err_cause(e, EBUSY, "container '%s' is paused: unpause "
				 "it first", c->name);

	if (cmd_ctr_spec(c, &json, e) < 0 || rt_spec_parse(json, &sp, e) < 0)
		return -1;
	strv_free(sp.args);
	sp.args = xcalloc(1, sizeof(char *));
	for (size_t n = 0; a->cmd[n]; n++) {
		sp.args = xrealloc(sp.args, (n + 2) * sizeof(char *));
		sp.args[n] = xstrdup(a->cmd[n]);
		sp.args[n + 1] = NULL;
	}
	env = merge_env(sp.env, a->env);
	strv_free(sp.env);
	sp.env = env;
	if (a->workdir) {
		free(sp.cwd);
		sp.cwd = xstrdup(a->workdir);
	}
	sp.terminal = a->tty && !a->detach;
	if (a->detach || (!a->interactive && !a->tty)) {
		devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
		x.stdio[0] = devnull;
		if (a->detach)
			x.stdio[1] = x.stdio[2] = devnull;
	}
	rc = runtime_seccomp_fd(sp.seccomp, sp.cap_bounding, ctx->runroot,
				&x.seccomp_fd, e);
	if (rc >= 0 && c->cgroup && cgroup_from_json(c->cgroup, &cg) == 0)
		rc = cgroup_open_procs(&cg, &cgfds, &ncgfds, e);
	x.cgroup_fds = cgfds;
	x.ncgroup_fds = ncgfds;
	if (rc >= 0)
		rc = runtime_exec(c->pid, &sp, &x, &pid, &pty, e);
	cgroup_close_fds(cgfds, ncgfds);
	cgroup_release(&cg);
	if (x.seccomp_fd >= 0)
		(void) close(x.seccomp_fd);
	if (rc < 0) {
		int errnum = (*e)->errnum;

		ctx->exit_code = errnum == ENOENT ? 127 :
				 errnum == EACCES || errnum == ENOEXEC ? 126 :
				 125;
		rt_spec_release(&sp);
		return err_wrap(e, "cannot exec in container '%s'", c->name);
	}
	rt_spec_release(&sp);
	if (a->detach)
		return 0;
	if (pty >= 0) {
		runtime_forward_signals(pid, false);
		runtime_relay_pty(pty, a->interactive);
		(void) close(pty);
	}
	return runtime_wait(pid);
}

int cmd_exec(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	struct exec_args a = { 0 };
	struct store s = STORE_INIT;
	struct ctr c;
	int rc = parse(ctx, argc, argv, &a, e);

	if (rc != 0) {
		strv_free(a.env);
		return rc < 0 ? rc : 0;
	}
	ctr_init(&c);
	rc = cmd_find_ctr(ctx, &s, argv[optind], &c, e);
	if (rc >= 0 && c.status != CTR_RUNNING)
		rc = err_cause(e, EINVAL, "cannot exec in container '%s': it "
			       "is not running", argv[optind]);
	if (rc >= 0)
		rc = exec_in(ctx, &c, &a, e);
	ctr_release(&c);
	store_close(&s);
	strv_free(a.env);
	return rc;
}
