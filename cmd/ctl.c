/*
 * Containers by name or id: start, stop, restart, kill, rm, wait, rename
 * and container prune. Each works from the records on disk (ctr/ctr.h):
 * there is no daemon to ask.
 *
 * Signals go to the container from the caller's own user namespace: a
 * rootless caller owns the container's, so it may signal any process in
 * it. Removal and start run inside husk's user namespace (the files of a
 * container belong to subordinate ids).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "cmd/cmd.h"
#include "cmd/launch.h"
#include "ctr/ctr.h"
#include "layers/store.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define DEFAULT_STOP_TIMEOUT 10

/* ---- shared ------------------------------------------------------------- */

/*
 * Options of the form used by most of these commands: only -h/--help and
 * those in OPTS/SHORT, handed to FLAG one by one.
 */
typedef int (*flag_fn)(struct husk_ctx *ctx, int c, void *arg, struct err **e);

static int parse_opts(struct husk_ctx *ctx, int argc, char **argv,
		      const char *shortopts, const struct option *opts,
		      void (*usage)(void), flag_fn flag, void *arg,
		      struct err **e)
{
	int c;

	while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		if (c == 'h') {
			usage();
			return 1;
		}
		if (c == '?' || c == ':')
			return cmd_getopt_error(ctx, c, argv, e);
		if (flag(ctx, c, arg, e) < 0)
			return -1;
	}
	return 0;
}

static int signal_ctr(const struct ctr *c, int sig, struct err **e)
{
	int pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	int rc;

	/* opened, then checked: the pidfd is the container's, not a reuse */
	if (pidfd < 0 || !ctr_pid_alive(c->pid, c->pid_start)) {
		if (pidfd >= 0)
			(void) close(pidfd);
		if (pidfd < 0 && errno != ESRCH && errno != ENOSYS)
			return err_make(e, errno, "cannot signal container "
					"'%s'", c->name);
		if (pidfd < 0 && errno == ENOSYS &&
		    ctr_pid_alive(c->pid, c->pid_start))
			return kill(c->pid, sig) < 0 ?
				       err_make(e, errno, "cannot signal "
						"container '%s'", c->name) : 0;
		return err_cause(e, ESRCH, "container '%s' is not running",
				 c->name);
	}
	rc = (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
	(void) close(pidfd);
	if (rc < 0 && errno != ESRCH)
		return err_make(e, errno, "cannot signal container '%s'",
				c->name);
	return 0;
}

/*
 * Freezes or thaws C's cgroup and records it. Errors as docker words them:
 * "container 'x' is not paused".
 */
static int set_paused(struct store *s, struct ctr *c, bool paused,
		      struct err **e)
{
	struct cgroup cg;
	int rc;

	if (ctr_refresh(s, c, 0, e) < 0)
		return -1;
	if (c->status != CTR_RUNNING)
		return err_cause(e, EINVAL, "container is not running");
	if (c->paused == paused)
		return err_cause(e, EINVAL, "container is %s", paused ?
				 "already paused" : "not paused");
	if (!c->cgroup || cgroup_from_json(c->cgroup, &cg) < 0)
		return err_cause(e, EOPNOTSUPP, "the container has no cgroup "
				 "to freeze (rootless on cgroup v1, or run "
				 "with --cgroups=disabled)");
	rc = cgroup_freeze(&cg, paused, e);
	cgroup_release(&cg);
	if (rc < 0 || ctr_lock(s, c, e) < 0)
		return -1;
	c->paused = paused;
	rc = ctr_save(c, e);
	ctr_unlock(c);
	return rc;
}

/* A signal reaches a frozen container once it is thawed (docker too) */
static void thaw(struct store *s, struct ctr *c)
{
	if (c->paused)
		(void) set_paused(s, c, false, NULL);
}

/* docker stop: its stop signal, TIMEOUT seconds, then SIGKILL; returns
 * once the exit is recorded. */
static int stop_ctr(struct store *s, struct ctr *c, int timeout,
		    struct err **e)
{
	int sig = cmd_parse_signal(c->stop_signal ? c->stop_signal : "");

	if (ctr_refresh(s, c, 2000, e) < 0)
		return -1;
	if (c->status != CTR_RUNNING)
		return 0;
	if (timeout < 0)
		timeout = c->stop_timeout >= 0 ? c->stop_timeout
					       : DEFAULT_STOP_TIMEOUT;
	if (sig <= 0)
		sig = SIGTERM;
	if (c->paused) {
		(void) signal_ctr(c, timeout > 0 ? sig : SIGKILL, NULL);
		thaw(s, c);
	}
	if (timeout > 0 && signal_ctr(c, sig, NULL) == 0 &&
	    ctr_pid_wait(c->pid, c->pid_start, timeout * 1000))
		return ctr_refresh(s, c, 10000, e);
	if (signal_ctr(c, SIGKILL, NULL) == 0 &&
	    !ctr_pid_wait(c->pid, c->pid_start, 10000))
		return err_cause(e, ETIMEDOUT, "container '%s' did not stop "
				 "after SIGKILL", c->name);
	return ctr_refresh(s, c, 10000, e);
}

/*
 * The loop of every command that takes CONTAINER...: find each one, do
 * FN, print the argument (PRINT) or keep the error ("cannot VERB container
 * 'x': ..."), go on with the others as docker does.
 */
typedef int (*ctr_fn)(struct husk_ctx *ctx, struct store *s, struct ctr *c,
		      void *data, struct err **e);

struct each {
	const char *cmd, *verb;
	bool writable, print;
	ctr_fn fn;
	void *data;
	/* for an argument that matches no container; true: handled */
	bool (*missing)(struct husk_ctx *ctx, struct store *s, const char *arg);
};

static int for_each(struct husk_ctx *ctx, int argc, char **argv,
		    const struct each *x, struct err **e)
{
	struct store s = STORE_INIT;

	if (optind >= argc)
		return cmd_usage_error(ctx, e, "%s needs at least one container",
				       x->cmd);
	if (cmd_open_store(ctx, &s, x->writable, argv[optind], e) < 0)
		return -1;
	for (int i = optind; i < argc; i++) {
		_cleanup_err_ struct err *one = NULL;
		struct ctr c;
		int rc;

		ctr_init(&c);
		rc = ctr_find(&s, argv[i], &c, &one);
		if (rc < 0 && one->errnum == ENOENT && x->missing &&
		    x->missing(ctx, &s, argv[i])) {
			err_freep(&one);
			rc = 0;
		} else if (rc >= 0) {
			rc = x->fn(ctx, &s, &c, x->data, &one);
		}
		if (rc < 0) {
			/* start's own errors name the container already */
			if (!ctx->exit_code)
				err_wrap(&one, "cannot %s container '%s'",
					 x->verb, argv[i]);
			cmd_keep_error(e, &one);
		} else if (x->print) {
			printf("%s\n", argv[i]);
		}
		ctr_release(&c);
	}
	store_close(&s);
	return *e ? -1 : 0;
}

/* ---- stop, restart -------------------------------------------------------- */

struct stop_args {
	int timeout;
};

static int stop_flag(struct husk_ctx *ctx, int c, void *arg, struct err **e)
{
	struct stop_args *a = arg;

	return cmd_parse_seconds(ctx, "--time", optarg, &a->timeout, e);
}

static void stop_usage(void)
{
	printf("Usage: husk stop [-t SECONDS] CONTAINER...\n"
	       "\n"
	       "Stop running containers: their stop signal (the image's\n"
	       "StopSignal or --stop-signal, else SIGTERM), then SIGKILL after\n"
	       "the timeout.\n"
	       "\n"
	       "  -t, --time SECONDS   wait before SIGKILL (default: the\n"
	       "                       container's --stop-timeout, else 10)\n"
	       "      --help           show this help\n");
}

static void restart_usage(void)
{
	printf("Usage: husk restart [-t SECONDS] CONTAINER...\n"
	       "\n"
	       "Stop containers (as husk stop) and start them again, detached.\n"
	       "\n"
	       "  -t, --time SECONDS   wait before SIGKILL (default: the\n"
	       "                       container's --stop-timeout, else 10)\n"
	       "      --help           show this help\n");
}

static const struct option stop_opts[] = {
	{ "time", required_argument, NULL, 't' },
	{ "timeout", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int start_one(struct husk_ctx *ctx, struct store *s, struct ctr *c,
		     bool attach, struct err **e);

static int stop_one(struct husk_ctx *ctx, struct store *s, struct ctr *c,
		    void *data, struct err **e)
{
	const struct stop_args *a = data;

	return stop_ctr(s, c, a->timeout, e);
}

static int restart_one(struct husk_ctx *ctx, struct store *s, struct ctr *c,
		       void *data, struct err **e)
{
	/* the start needs husk's user namespace; the stop did not */
	if (stop_one(ctx, s, c, data, e) < 0 || cmd_enter_userns(ctx, e) < 0)
		return -1;
	return start_one(ctx, s, c, false, e);
}

static int stop_or_restart(struct husk_ctx *ctx, int argc, char **argv,
			   bool restart, struct err **e)
{
	struct stop_args a = { -1 };
	struct each x = { restart ? "restart" : "stop",
			  restart ? "restart" : "stop", restart, true,
			  restart ? restart_one : stop_one, &a, NULL };
	int rc = parse_opts(ctx, argc, argv, "+:t:h", stop_opts,
			    restart ? restart_usage : stop_usage, stop_flag, &a,
			    e);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	return for_each(ctx, argc, argv, &x, e);
}

int cmd_stop(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	return stop_or_restart(ctx, argc, argv, false, e);
}

int cmd_restart(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	return stop_or_restart(ctx, argc, argv, true, e);
}

/* ---- kill ----------------------------------------------------------------- */

static int kill_flag(struct husk_ctx *ctx, int c, void *arg, struct err **e)
{
	int *sig = arg;

	*sig = cmd_parse_signal(optarg);
	if (*sig < 0)
		return cmd_usage_error(ctx, e, "invalid signal '%s'", optarg);
	return 0;
}

static void kill_usage(void)
{
	printf("Usage: husk kill [-s SIGNAL] CONTAINER...\n"
	       "\n"
	       "Send a signal to running containers' first process.\n"
	       "\n"
	       "  -s, --signal SIG   a name (KILL, SIGTERM) or number (default\n"
	       "                     SIGKILL)\n"
	       "      --help         show this help\n");
}

static int kill_one(struct husk_ctx *ctx, struct store *s, struct ctr *c,
		    void *data, struct err **e)
{
	if (ctr_refresh(s, c, 0, e) < 0)
		return -1;
	if (c->status != CTR_RUNNING)
		return err_cause(e, EINVAL, "container is not running");
	if (signal_ctr(c, *(int *)data, e) < 0)
		return -1;
	if (*(int *)data == SIGKILL)
		thaw(s, c);
	return 0;
}

/* ---- pause, unpause ----------------------------------------------------------- */

static void pause_usage(void)
{
	printf("Usage: husk pause CONTAINER...\n"
	       "\n"
	       "Freeze every process of running containers (their cgroup's\n"
	       "freezer); 'husk unpause' thaws them.\n"
	       "\n"
	       "      --help   show this help\n");
}

static void unpause_usage(void)
{
	printf("Usage: husk unpause CONTAINER...\n"
	       "\n"
	       "Thaw containers frozen by 'husk pause'.\n"
	       "\n"
	       "      --help   show this help\n");
}

static int pause_one(struct husk_ctx *ctx, struct store *s, struct ctr *c,
		     void *data, struct err **e)
{
	return set_paused(s, c, *(bool *)data, e);
}

static int no_flag(struct husk_ctx *ctx, int c, void *arg, struct err **e);

static int pause_or_unpause(struct husk_ctx *ctx, int argc, char **argv,
			    bool pause, struct err **e)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct each x = { pause ? "pause" : "unpause",
			  pause ? "pause" : "unpause", false, true, pause_one,
			  &pause, NULL };
	int rc = parse_opts(ctx, argc, argv, "+:h", opts,
			    pause ? pause_usage : unpause_usage, no_flag, NULL,
			    e);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	return for_each(ctx, argc, argv, &x, e);
}

int cmd_pause(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	return pause_or_unpause(ctx, argc, argv, true, e);
}

int cmd_unpause(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	return pause_or_unpause(ctx, argc, argv, false, e);
}

int cmd_kill(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	static const struct option opts[] = {
		{ "signal", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int sig = SIGKILL;
	struct each x = { "kill", "kill", false, true, kill_one, &sig, NULL };
	int rc = parse_opts(ctx, argc, argv, "+:s:h", opts, kill_usage,
			    kill_flag, &sig, e);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	return for_each(ctx, argc, argv, &x, e);
}

/* ---- rm, container prune ---------------------------------------------------- */

struct rm_args {
	bool force, volumes;
};

static int rm_flag(struct husk_ctx *ctx, int c, void *arg, struct err **e)
{
	struct rm_args *a = arg;

	if (c == 'f')
		a->force = true;
	else if (c == 'v')
		a->volumes = true;
	return 0;
}

static void rm_usage(void)
{
	printf("Usage: husk rm [-f] [-v] CONTAINER...\n"
	       "\n"
	       "Remove containers (their writable layer, log and record).\n"
	       "\n"
	       "  -f, --force     kill running ones first (SIGKILL)\n"
	       "  -v, --volumes   also remove their anonymous volumes\n"
	       "      --help      show this help\n");
}

/* Under C's lock: refuse a running one, else remove it. */
static int remove_locked(struct store *s, struct ctr *c, struct err **e)
{
	if (ctr_lock(s, c, e) < 0)
		return -1;
	if (c->status == CTR_RUNNING && (ctr_pid_alive(c->pid, c->pid_start) ||
					 ctr_pid_alive(c->monitor,
						       c->monitor_start))) {
		ctr_unlock(c);
		return err_cause(e, EBUSY, "container is running: stop it "
				 "first, or use rm -f");
	}
	return ctr_remove(s, c, e);
}

static int rm_one(struct husk_ctx *ctx, struct store *s, struct ctr *c,
		  void *data, struct err **e)
{
	const struct rm_args *a = data;

	if (a->force && stop_ctr(s, c, 0, e) < 0)
		return -1;
	if (cmd_enter_userns(ctx, e) < 0)
		return -1;
	c->rm_volumes = a->volumes;
	return remove_locked(s, c, e);
}

/* a removal a killed `rm` left half done is finished */
static bool rm_missing(struct husk_ctx *ctx, struct store *s, const char *arg)
{
	return cmd_enter_userns(ctx, NULL) == 0 &&
	       ctr_finish_removal(s, arg) > 0;
}

int cmd_rm(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "volumes", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rm_args a = { 0 };
	struct each x = { "rm", "remove", false, true, rm_one, &a, rm_missing };
	int rc = parse_opts(ctx, argc, argv, "+:fvh", opts, rm_usage, rm_flag,
			    &a, e);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	return for_each(ctx, argc, argv, &x, e);
}

static void prune_usage(void)
{
	printf("Usage: husk container prune [-f]\n"
	       "\n"
	       "Remove every container that is not running.\n"
	       "\n"
	       "  -f, --force   do not ask (husk never asks)\n"
	       "      --help    show this help\n");
}

/* for commands whose only option is --help */
static int no_flag(struct husk_ctx *ctx, int c, void *arg, struct err **e)
{
	return 0;
}

static int container_prune(struct husk_ctx *ctx, int argc, char **argv,
			   struct err **e)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct store s = STORE_INIT;
	struct ctr *v = NULL;
	size_t n = 0, removed = 0;
	int rc = parse_opts(ctx, argc, argv, "+:fh", opts, prune_usage,
			    no_flag, NULL, e);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (optind < argc)
		return cmd_usage_error(ctx, e, "prune takes no arguments");
	if (cmd_open_store(ctx, &s, false, argv[optind], e) < 0)
		return -1;
	rc = ctr_list(&s, &v, &n, e);
	for (size_t i = 0; rc >= 0 && i < n; i++)
		(void) ctr_refresh(&s, &v[i], 0, NULL);
	if (rc >= 0)
		rc = cmd_enter_userns(ctx, e);
	if (rc >= 0)
		ctr_gc(&s);
	for (size_t i = 0; rc >= 0 && i < n; i++) {
		_cleanup_err_ struct err *one = NULL;

		if (v[i].status == CTR_RUNNING)
			continue;
		if (remove_locked(&s, &v[i], &one) < 0) {
			if (one->errnum == ENOENT || one->errnum == EBUSY)
				continue; /* gone or started meanwhile */
			err_wrap(&one, "cannot remove container '%s'", v[i].id);
			cmd_keep_error(e, &one);
			continue;
		}
		if (!removed++)
			printf("Deleted Containers:\n");
		printf("%s\n", v[i].id);
	}
	if (rc >= 0)
		printf("%sTotal reclaimed space: 0B\n", removed ? "\n" : "");
	ctr_list_free(v, n);
	store_close(&s);
	return rc < 0 || *e ? -1 : 0;
}

/* ---- start ------------------------------------------------------------------ */

static int start_one(struct husk_ctx *ctx, struct store *s, struct ctr *c,
		     bool attach, struct err **e)
{
	struct launch_opts lo = { .detach = !attach };
	_cleanup_cjson_ cJSON *spec = NULL;

	if (ctr_lock(s, c, e) < 0)
		return -1;
	if (ctr_refresh(s, c, 0, e) < 0)
		goto fail;
	if (c->status == CTR_DEAD) {
		err_cause(e, EINVAL, "%s: only rm can remove it", c->error);
		goto fail;
	}
	if (c->status == CTR_RUNNING) {
		ctr_unlock(c);
		/* docker: starting a running container is not an error */
		return attach ? err_cause(e, EBUSY, "container is running")
			      : 0;
	}
	if (cmd_ctr_spec(c, &spec, e) < 0)
		goto fail;
	c->detached = !attach;
	if (!attach && c->host_config) {
		cJSON *log = cJSON_GetObjectItem(c->host_config, "LogConfig");

		if (cJSON_IsObject(log)) {
			cJSON_DeleteItemFromObject(log, "Type");
			cJSON_AddStringToObject(log, "Type", "k8s-file");
		}
	}
	return cmd_launch(ctx, s, c, spec, &lo, e);
fail:
	ctr_unlock(c);
	return -1;
}

static int start_flag(struct husk_ctx *ctx, int c, void *arg, struct err **e)
{
	*(bool *)arg = true;
	return 0;
}

static void start_usage(void)
{
	printf("Usage: husk start [-a] CONTAINER...\n"
	       "\n"
	       "Start stopped containers again, with the same writable layer.\n"
	       "\n"
	       "  -a, --attach   stay attached to one container: its output\n"
	       "                 and exit status, as husk run\n"
	       "      --help     show this help\n");
}

struct start_args {
	bool attach;
	int status;	/* start -a: the container's */
};

static int start_each(struct husk_ctx *ctx, struct store *s, struct ctr *c,
		      void *data, struct err **e)
{
	struct start_args *a = data;
	int rc = start_one(ctx, s, c, a->attach, e);

	if (rc >= 0)
		a->status = rc;
	return rc < 0 ? rc : 0;
}

int cmd_start(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	static const struct option opts[] = {
		{ "attach", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct start_args a = { false, 0 };
	struct each x = { "start", "start", true, true, start_each, &a, NULL };
	int rc = parse_opts(ctx, argc, argv, "+:ah", opts, start_usage,
			    start_flag, &a.attach, e);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (a.attach && argc - optind > 1)
		return cmd_usage_error(ctx, e, "start -a takes one container");
	x.print = !a.attach;
	if (for_each(ctx, argc, argv, &x, e) < 0)
		return -1;
	return a.status;
}

/* ---- wait ------------------------------------------------------------------- */

static void wait_usage(void)
{
	printf("Usage: husk wait CONTAINER...\n"
	       "\n"
	       "Wait until containers exit and print their exit codes. The\n"
	       "exit status is the last container's.\n"
	       "\n"
	       "      --help   show this help\n");
}

static int wait_one(struct husk_ctx *ctx, struct store *s, struct ctr *c,
		    void *data, struct err **e)
{
	while (c->status == CTR_RUNNING) {
		(void) ctr_pid_wait(c->pid, c->pid_start, 1000);
		if (ctr_refresh(s, c, 1000, e) < 0)
			return -1;
	}
	printf("%d\n", c->exit_code);
	fflush(stdout);
	*(int *)data = c->exit_code;
	return 0;
}

int cmd_wait(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int last = 0;
	struct each x = { "wait", "wait for", false, false, wait_one, &last,
			  NULL };
	int rc = parse_opts(ctx, argc, argv, "+:h", opts, wait_usage,
			    no_flag, NULL, e);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (for_each(ctx, argc, argv, &x, e) < 0)
		return -1;
	return last;
}

/* ---- rename ----------------------------------------------------------------- */

static void rename_usage(void)
{
	printf("Usage: husk rename CONTAINER NEW_NAME\n"
	       "\n"
	       "Give a container another name.\n"
	       "\n"
	       "      --help   show this help\n");
}

int cmd_rename(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct store s = STORE_INIT;
	struct ctr c;
	int rc = parse_opts(ctx, argc, argv, "+:h", opts, rename_usage,
			    no_flag, NULL, e);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (argc - optind != 2)
		return cmd_usage_error(ctx, e, "rename needs a container and a "
				       "new name");
	if (!ctr_name_valid(argv[optind + 1]))
		return cmd_usage_error(ctx, e, "invalid container name '%s': "
				       "only [a-zA-Z0-9][a-zA-Z0-9_.-] are "
				       "allowed", argv[optind + 1]);
	if (cmd_open_store(ctx, &s, false, argv[optind], e) < 0)
		return -1;
	ctr_init(&c);
	rc = ctr_find(&s, argv[optind], &c, e);
	if (rc >= 0)
		rc = ctr_lock(&s, &c, e);
	if (rc >= 0) {
		rc = ctr_rename(&s, &c, argv[optind + 1], e);
		ctr_unlock(&c);
	}
	if (rc < 0)
		err_wrap(e, "cannot rename container '%s'", argv[optind]);
	ctr_release(&c);
	store_close(&s);
	return rc < 0 ? -1 : 0;
}

/* ---- container ---------------------------------------------------------------- */

static void container_usage(FILE *out)
{
	fprintf(out, "Usage: husk container COMMAND\n"
		     "\n"
		     "Commands:\n"
		     "  exec      run a command in a running container\n"
		     "  inspect   show containers in detail (JSON)\n"
		     "  kill      signal containers\n"
		     "  logs      show a container's output\n"
		     "  ls        list containers (husk ps)\n"
		     "  pause     freeze containers\n"
		     "  port      show where a container's ports are published\n"
		     "  prune     remove every stopped container\n"
		     "  rename    rename a container\n"
		     "  restart   restart containers\n"
		     "  rm        remove containers\n"
		     "  run       run a new container\n"
		     "  start     start stopped containers\n"
		     "  stats     show containers' resource use\n"
		     "  stop      stop containers\n"
		     "  unpause   thaw paused containers\n"
		     "  update    change running containers' limits\n"
		     "  wait      wait for containers to exit\n");
}

/* husk container inspect: containers only */
static int container_inspect(struct husk_ctx *ctx, int argc, char **argv,
			     struct err **e)
{
	return cmd_inspect_type(ctx, argc, argv, "container", e);
}

int cmd_container(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	static const struct {
		const char *name;
		cmd_fn fn;
		bool userns;
	} sub[] = {
		{ "exec", cmd_exec, false },
		{ "inspect", container_inspect, false },
		{ "kill", cmd_kill, false },	 { "logs", cmd_logs, false },
		{ "ls", cmd_ps, false },	 { "list", cmd_ps, false },
		{ "ps", cmd_ps, false },	 { "prune", container_prune, false },
		{ "rename", cmd_rename, false }, { "restart", cmd_restart, false },
		{ "rm", cmd_rm, false },	 { "run", cmd_run, true },
		{ "start", cmd_start, true },	 { "stop", cmd_stop, false },
		{ "wait", cmd_wait, false },	 { "pause", cmd_pause, false },
		{ "unpause", cmd_unpause, false }, { "port", cmd_port, false },
		{ "stats", cmd_stats, false },	 { "update", cmd_update, false },
	};

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		container_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? cmd_usage_error(ctx, e, "container needs a "
						  "command")
				: 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(sub); i++) {
		if (strcmp(argv[1], sub[i].name))
			continue;
		cmd_enter_sub(ctx, "container", sub[i].name);
		if (sub[i].userns && cmd_enter_userns(ctx, e) < 0)
			return -1;
		return sub[i].fn(ctx, argc - 1, argv + 1, e);
	}
	return cmd_usage_error(ctx, e, "unknown command 'container %s'",
			       argv[1]);
}
