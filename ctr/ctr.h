/*
 * ctr.h - containers without a daemon: their records, names, logs and the
 * monitor that owns a detached one (DESIGN.md, process model).
 *
 * On disk, under the store:
 *
 *   containers/ID/              one directory per container (ID: 64 hex)
 *     config.json               the OCI spec it runs (runtime/generate.c)
 *     state.json                what ps, inspect, wait... read (below)
 *     ctr.log, ctr.log.1        its output (ctr/log.c), detached ones only
 *     upper/ work/ rootfs/      the writable layer and the mount point
 *     hosts hostname resolv.conf
 *   containers/.names/NAME      symlink to ID: a name is claimed by
 *                               creating it (under locks/names.lock)
 *   containers/.rm-ID/          a container being removed
 *
 * Locking: the container's directory itself is the lock (flock on its
 * fd). Every change of state.json happens under it; readers need none
 * (the file is replaced by rename). Whoever takes the lock checks that
 * the directory is still containers/ID: `rm` renames it away first.
 *
 * Liveness: a running container records its pid and the monitor's (the
 * detached monitor, or the foreground `husk run`), each with its start
 * time from /proc/PID/stat so a reused pid is not taken for it. A record
 * that says running while both are gone belongs to a monitor killed with
 * SIGKILL (the container died with it, PR_SET_PDEATHSIG): ctr_refresh()
 * repairs it to exited (137).
 *
 * Nothing here prints or exits.
 */
#ifndef HUSK_CTR_H
#define HUSK_CTR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "lib/buf.h"
#include "lib/err.h"

struct store;

/* CTR_DEAD: a record husk cannot read (damaged state.json): only rm */
enum ctr_status { CTR_CREATED, CTR_RUNNING, CTR_EXITED, CTR_DEAD };

/* A time: nanoseconds since the epoch (0: never). */
typedef int64_t ctr_time;

struct ctr {
	char id[65];
	char *name;
	char *image;		/* as the user gave it: "busybox" */
	char *image_id;		/* sha256:... of its config */
	char **command;		/* entrypoint + cmd, NULL-terminated */
	cJSON *labels;		/* object (owned), never NULL once loaded */
	cJSON *config;		/* docker's Config and HostConfig objects, */
	cJSON *host_config;	/* as inspect shows them (owned, or NULL) */
	cJSON *mounts;		/* docker's Mounts: Type, Name, Source,
				 * Destination, Driver, Mode, RW, Propagation
				 * (owned, or NULL) */
	ctr_time created, started, finished;
	enum ctr_status status;
	pid_t pid, monitor;
	uint64_t pid_start, monitor_start;	/* /proc/PID/stat field 22 */
	int exit_code;
	char *error;		/* why it could not start / the repair */
	bool auto_remove;	/* --rm */
	bool detached;		/* its output goes to ctr.log */
	bool tty;
	char *stop_signal;	/* "SIGTERM" unless the image says */
	int stop_timeout;	/* seconds, -1: the default (10) */
	int64_t log_max;	/* --log-opt max-size, 0: unbounded */
	int restarts;
	cJSON *cgroup;		/* its cgroup while it runs (cgroup_to_json),
				 * or NULL */
	bool oom_killed;	/* the OOM killer struck in its last run */
	cJSON *ports;		/* docker's NetworkSettings.Ports:
				 * {"80/tcp": [{"HostIp": "127.0.0.1",
				 * "HostPort": "8000"}]} (owned, or NULL) */
	bool paused;		/* frozen by `husk pause` */
	/* not stored: */
	bool exit_oom;		/* for ctr_mark_exited(): oom_killed */
	bool rm_volumes;	/* ctr_remove() also removes its anonymous
				 * volumes (rm -v); --rm ones always do */
	int dirfd;		/* O_RDONLY | O_DIRECTORY, -1 when closed */
	bool locked;
};

void ctr_init(struct ctr *c);
void ctr_release(struct ctr *c);

ctr_time ctr_now(void);
/* "2026-11-23T10:00:00.123456789Z" (docker's RFC 3339 with nanoseconds);
 * "0001-01-01T00:00:00Z" for 0. */
void ctr_time_format(ctr_time t, char *out, size_t len);
int ctr_time_parse(const char *s, ctr_time *out);

/* "running", "exited", "created", "dead": docker's State.Status words. */
const char *ctr_status_name(enum ctr_status s);
/* The same for C, with "paused" for a running one that is frozen. */
const char *ctr_state_word(const struct ctr *c);

/* ---- records (ctr/store.c) -------------------------------------------- */

/*
 * Makes containers/ID (0700) for a new container described by C (id set
 * by the caller, name NULL for a generated one: it is filled in), claims
 * its name and writes state.json (status created). C is left locked with
 * its dirfd open. A taken name: errnum EEXIST, "the container name 'x' is
 * already in use by container 'ID'".
 */
int ctr_create(struct store *s, struct ctr *c, struct err **e);

/*
 * Finds ARG: a full id, a name, or a unique id prefix (docker's order).
 * Unknown: errnum ENOENT, "no such container 'ARG'". Fills C from its
 * state.json; the directory is opened (dirfd) but not locked.
 */
int ctr_find(struct store *s, const char *arg, struct ctr *c, struct err **e);

/* Takes C's lock (waits) and re-reads its state; ENOENT if it was removed
 * meanwhile. */
int ctr_lock(struct store *s, struct ctr *c, struct err **e);
void ctr_unlock(struct ctr *c);

/* Writes C's state.json (tmp + rename; fsync'ed only when it is the final
 * state of a kept container). Hold the lock. */
int ctr_save(struct ctr *c, struct err **e);

/* Every container, newest first. *out is a heap array of N records. */
int ctr_list(struct store *s, struct ctr **out, size_t *n, struct err **e);
void ctr_list_free(struct ctr *v, size_t n);

/*
 * Brings C's status in line with the kernel: running, but the container's
 * pid is gone and so is its monitor -> exited (137, error says why), saved
 * under the lock. When the monitor still lives it is given WAIT_MS to
 * record the exit itself. Returns 0, or <0 on a write error.
 */
int ctr_refresh(struct store *s, struct ctr *c, int wait_ms, struct err **e);

/* True while PID lives and still started at START (pid reuse). */
bool ctr_pid_alive(pid_t pid, uint64_t start);
/* Field 22 of /proc/PID/stat, 0 when it cannot be read or a zombie. */
uint64_t ctr_pid_start(pid_t pid);
/* Waits up to MS for PID (started at START) to end; true if it did. */
bool ctr_pid_wait(pid_t pid, uint64_t start, int ms);

/*
 * Removes C (locked by the caller, not running): renames it to
 * containers/.rm-ID, frees its name, unlocks, deletes the tree. A removal
 * cut short is finished by ctr_gc().
 */
int ctr_remove(struct store *s, struct ctr *c, struct err **e);

/*
 * Finishes the removal of ARG (a name, an id or its prefix) that a killed
 * `rm` left half done. Returns 1 when there was one, else 0.
 */
int ctr_finish_removal(struct store *s, const char *arg);

/*
 * Finishes removals cut short (.rm-* nobody holds), removes directories a
 * killed `run` left before its state.json, and --rm containers that
 * exited without their monitor. Needs to run where the store's files can
 * be deleted (rootless: in husk's user namespace).
 */
void ctr_gc(struct store *s);

/* Points NEW at C instead of its old name (rename). EEXIST when taken. */
int ctr_rename(struct store *s, struct ctr *c, const char *name,
	       struct err **e);

/* Whether a container has NAME (its id in ID); ctr_create() still
 * decides, under the names lock. */
bool ctr_name_taken(struct store *s, const char *name, char id[65]);

/* Names: [a-zA-Z0-9][a-zA-Z0-9_.-]* (docker's rule). */
bool ctr_name_valid(const char *name);

/* ---- output (ctr/log.c) ----------------------------------------------- */

/*
 * The log: one line per record, "TIME STREAM F|P TEXT" (the CRI format
 * podman's k8s-file driver writes): TIME as ctr_time_format(), STREAM
 * "stdout" or "stderr", F for a complete line, P for a part of a longer
 * one (or of a last line without newline). ctr.log turns into ctr.log.1
 * when it passes the size limit.
 */
struct ctr_log {
	int dirfd;
	int fd;
	int64_t max, size;
	struct buf part[2];	/* incomplete lines of stdout, stderr */
};

int ctr_log_open(struct ctr_log *l, int dirfd, int64_t max, struct err **e);
/* Appends DATA read from STREAM (1 stdout, 2 stderr). */
void ctr_log_write(struct ctr_log *l, int stream, const char *data,
		   size_t len);
/* Writes what is left of unfinished lines and closes. */
void ctr_log_close(struct ctr_log *l);

struct ctr_log_entry {
	ctr_time time;
	int stream;
	bool partial;
	const char *text;	/* without the newline */
	size_t len;
};

/* Parses one log line (without its newline); <0 when malformed. */
int ctr_log_parse(const char *line, size_t len, struct ctr_log_entry *out);

/* ---- the monitor (ctr/monitor.c) -------------------------------------- */

/*
 * How a container is started: with these stdio fds (-1: ours), the pid
 * and a terminal's master (or -1) handed back. Errors as runtime_start():
 * errnum ENOENT/EACCES only for the command itself.
 */
typedef int (*ctr_starter)(void *arg, const int stdio[3], pid_t *pid,
			   int *pty, struct err **e);
/* What is left to do once the container exited (a fuse daemon to stop). */
typedef void (*ctr_stopped)(void *arg);

/*
 * Starts C (locked by the caller, not running) detached: a double-forked
 * monitor (setsid, stdio on /dev/null) calls START with the container's
 * output in pipes, records C running, unlocks it and reports back; then it
 * logs the output (ctr.log), calls STOPPED, records the exit and honours
 * --rm. Returns
 * once the container exec'd (0) or failed to (<0, START's error).
 */
int ctr_start_detached(struct store *s, struct ctr *c, ctr_starter start,
		       ctr_stopped stopped, void *arg, struct err **e);

/* For a foreground start: records C (locked) running as PID, with the
 * calling process as its monitor, and unlocks it. */
int ctr_mark_running(struct ctr *c, pid_t pid, struct err **e);
/*
 * Records that C exited with STATUS (docker's: 128+N for signal N) or
 * could not start (ERROR set, C stays created), under the lock; removes C
 * instead when it is --rm.
 */
void ctr_mark_exited(struct store *s, struct ctr *c, int status,
		     const char *error);

#endif
