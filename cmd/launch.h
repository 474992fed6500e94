/*
 * launch.h - starting a container record (ctr/ctr.h) from its spec, for
 * `run`, `start` and `restart` (cmd/launch.c).
 */
#ifndef HUSK_CMD_LAUNCH_H
#define HUSK_CMD_LAUNCH_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "cmd/cmd.h"
#include "ctr/ctr.h"

struct store;

struct launch_opts {
	bool detach;		/* a monitor owns it; return once exec'd */
	bool interactive;	/* -i: our stdin goes to the container */
	const char *notify_socket;	/* systemd's NOTIFY_SOCKET, bound in */
	bool step_aside;	/* report MAINPID and leave (run.c) */
	int listen_fds;		/* socket activation: fds 3.. pass through */
};

/*
 * Starts C (locked, not running) from SPEC. In the foreground it waits and
 * returns the container's status (docker's); detached it returns 0 once
 * the entrypoint exec'd. A failure to start sets ctx->exit_code (125, 126
 * or 127) and names the container.
 */
int cmd_launch(struct husk_ctx *ctx, struct store *s, struct ctr *c,
	       const cJSON *spec, const struct launch_opts *o, struct err **e);

/* The spec a container was created with (its config.json). */
int cmd_ctr_spec(struct ctr *c, cJSON **out, struct err **e);

#endif
