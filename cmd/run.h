/*
 * run.h - what `husk run` collects from its flags (cmd/run.c parses,
 * cmd/run_flags.c checks each flag's value).
 */
#ifndef HUSK_CMD_RUN_H
#define HUSK_CMD_RUN_H

#include "cmd/cmd.h"
#include "runtime/spec.h"

enum run_pull { PULL_MISSING, PULL_ALWAYS, PULL_NEVER };

struct run_args {
	struct husk_ctx *ctx;
	struct run_config rc;	/* handed to runtime_spec_generate() */
	const char *image;
	const char *name;
	bool interactive, tty, rm, detach;
	char **labels;		/* --label K=V, owned */
	char *stop_signal;	/* --stop-signal, owned */
	int stop_timeout;	/* --stop-timeout, -1: default */
	int64_t log_max;	/* --log-opt max-size */
	enum run_pull pull;
	char **env, **cap_add, **cap_drop;	/* NULL-terminated, owned */
	char *seccomp_file;

	char id[65];
	char *hostname;
	char *dir;		/* the container's directory */
	int dirfd;
	char *rootfs, *upper, *work, *hosts, *hostname_file, *resolv, *init;
};

void run_strv_add(char ***v, const char *s);
int run_env_arg(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		struct err **e);
int run_env_file(struct husk_ctx *ctx, struct run_args *a, const char *path,
		 struct err **e);
int run_volume_arg(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		   struct err **e);
int run_tmpfs_arg(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		  struct err **e);
int run_network_arg(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		    struct err **e);
int run_security_opt(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		     struct err **e);
int run_pull_arg(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		 struct err **e);
/* Finds husk-init for --init: $HUSK_INIT, else beside the husk binary. */
int run_init_path(struct husk_ctx *ctx, struct run_args *a, struct err **e);
int run_label_arg(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		  struct err **e);
int run_log_opt(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		struct err **e);
int run_stop_signal(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		    struct err **e);
int run_stop_timeout(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		     struct err **e);
void run_args_release(struct run_args *a);

#endif
