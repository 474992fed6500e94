/*
 * spec.h - the part of an OCI runtime spec (config.json) husk executes,
 * parsed into plain C. `husk run` writes a spec from the image config and
 * its flags; `husk oci` (later) reads one someone else wrote: both come
 * here, so there is one code path from spec to running process.
 *
 * husk's own extensions travel as annotations, so the spec stays valid for
 * other runtimes:
 *   io.husk.overlay.lower   ':'-separated layer directories, top first:
 *                           the rootfs is an overlay mounted by the runtime
 *                           inside the container's mount namespace
 *   io.husk.overlay.upper, io.husk.overlay.work
 *                           its writable layer (absent: a tmpfs upper that
 *                           dies with the namespace)
 *   io.husk.seccomp         "default", "unconfined" or a Docker-format
 *                           profile file
 *   io.husk.devices         '\n'-separated "PATH\tHOSTPATH" of linux.devices:
 *                           where a device comes from when it cannot be
 *                           created (rootless: bound from the host)
 *   io.husk.copyup          '\n'-separated destinations of bind mounts
 *                           whose source (a volume) is filled, while it
 *                           is empty, with what the image has there
 *                           (docker's volume copy-up)
 */
#ifndef HUSK_RUNTIME_SPEC_H
#define HUSK_RUNTIME_SPEC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "cgroup/cgroup.h"
#include "lib/err.h"

/* A device node to create in the container (linux.devices, --device). */
struct rt_device {
	char *path;		/* in the container, under /dev */
	char *host;		/* on the host (io.husk.devices), or NULL */
	char type;		/* 'c' or 'b' */
	unsigned major, minor;
	mode_t mode;		/* permission bits */
	uid_t uid;
	gid_t gid;
	char access[4];		/* --device's rwm (for the allow rule) */
};

struct rt_mount {
	char *dest;
	char *type;		/* "bind" for bind mounts */
	char *source;
	char *data;		/* options that are not flags */
	unsigned long flags;	/* MS_* */
	unsigned long propagation;
	bool bind, recursive;
};

struct rt_rlimit {
	int resource;
	rlim_t soft, hard;
};

struct rt_spec {
	char *root;		/* root.path: where the rootfs is (mounted) */
	bool readonly;
	char **lower;		/* overlay layers, top first; NULL: root as is */
	char *upper, *work;
	char *seccomp;		/* "default", "unconfined" or a path */
	bool upper_tmpfs;	/* io.husk.overlay.tmpfs: the writable layer
				 * on a tmpfs mounted on WORK inside the
				 * container (it dies with the namespace) */

	char **args, **env;
	char *cwd;
	uid_t uid;
	gid_t gid;
	gid_t *gids;
	size_t ngids;
	bool terminal, no_new_privs;
	uint64_t cap_bounding, cap_effective, cap_permitted, cap_inheritable,
		cap_ambient;
	struct rt_rlimit *rlimits;
	size_t nrlimits;

	char *hostname;
	struct rt_mount *mounts;
	size_t nmounts;
	int ns_flags;		/* CLONE_NEW* to create */
	char **masked, **readonly_paths;
	char **copy_up;		/* io.husk.copyup */
	struct rt_device *devices;	/* linux.devices */
	size_t ndevices;
	char *cgroups_path;	/* linux.cgroupsPath; NULL: no cgroup */
	struct cgroup_limits limits;	/* linux.resources */
};

/* How to start it: what the spec does not say. */
struct rt_start {
	int stdio[3];		/* the container's stdin/out/err (-1: ours) */
	int seccomp_fd;		/* compiled BPF program (memfd), -1: none */
	bool userxattr;		/* overlay inside a user namespace */
	int preserve_fds;	/* fds 3..3+N-1 stay open (LISTEN_FDS) */
	bool detach;		/* the caller will not stay: no PDEATHSIG */
	const int *cgroup_fds;	/* cgroup.procs to join first (and then,
				 * with a cgroup namespace, unshare it) */
	size_t ncgroup_fds;
	/*
	 * The network helper's turn: net_started() right after clone with
	 * the child's pid (the namespace exists), net_ready() once the child
	 * is set up; the child execs only after it returned. NULL: none.
	 */
	int (*net_started)(void *arg, pid_t pid, struct err **e);
	int (*net_ready)(void *arg, struct err **e);
	void *net_arg;
	int netns_fd;		/* a network namespace to join (container:X),
				 * or -1 */
};

/*
 * Clones the container's first process in new namespaces, sets it up and
 * execs the spec's process. Returns once it exec'd (*pid is its pid;
 * *pty the terminal's master when the spec asks for one, else -1) or
 * failed (the error is the child's: errnum ENOENT when the command does
 * not exist, EACCES when it cannot be executed).
 */
int runtime_start(const struct rt_spec *s, const struct rt_start *st,
		  pid_t *pid, int *pty, struct err **e);

/* How to run another process in a container (`husk exec`). */
struct rt_exec {
	int stdio[3];		/* -1: ours */
	int seccomp_fd;		/* compiled BPF program, -1: none */
	const char *user;	/* -u, looked up in the container; NULL: the
				 * spec's user */
	const int *cgroup_fds;	/* the container's cgroup.procs: joined
				 * before its namespaces */
	size_t ncgroup_fds;
};

/*
 * Runs S's process (args, env, cwd, terminal as the caller set them; the
 * rest is the container's spec) inside the namespaces of TARGET, the
 * container's first process. Returns once it exec'd, as runtime_start().
 */
int runtime_exec(pid_t target, struct rt_spec *s, const struct rt_exec *x,
		 pid_t *pid, int *pty, struct err **e);

/*
 * Waits for PID, forwarding SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1,
 * SIGUSR2 and SIGWINCH to it. Returns docker's exit status: the process's
 * own, or 128 + N when signal N killed it.
 */
int runtime_wait(pid_t pid);
/* Installs that forwarding now (before a terminal relay, say). */
void runtime_forward_signals(pid_t pid, bool winch);

/*
 * The BPF program for PROFILE ("default", "unconfined" -> *fd = -1, or a
 * Docker-format file) and the container's bounding set; the default
 * profile's is cached in CACHEDIR.
 */
int runtime_seccomp_fd(const char *profile, uint64_t bounding,
		       const char *cachedir, int *fd, struct err **e);

/*
 * fuse-overlayfs instead of the kernel's overlay (runtime/fuse.c): call
 * before runtime_start(); it mounts S's layers on S->root in a private
 * mount namespace of the caller and clears S->lower. runtime_fuse_stop()
 * after the container exited.
 */
bool runtime_fuse_forced(void);
int runtime_fuse_mount(struct rt_spec *s, pid_t *daemon, struct err **e);
void runtime_fuse_stop(const struct rt_spec *s, pid_t daemon);

/* Relays our terminal and MASTER until the container side closes. */
void runtime_relay_pty(int master, bool with_stdin);

/* In the child (internal to runtime/). */
/* The process part of the setup (runtime/container.c), for run and exec. */
int runtime_process_setup(const struct rt_spec *s, int sync, int seccomp_fd,
			  char **exe, char *phase, struct err **e);
/* Sends {phase, errno, message} over SYNC and _exit()s. */
void runtime_child_fail(int sync, char phase, struct err *e)
	__attribute__((noreturn));
/* The parent's side: EOF (exec'd) or the child's error; a terminal's
 * master arrives in *pty. */
int runtime_read_sync(int sock, int *pty, struct err **e);
/* The rootfs (overlay, or the bind of a prepared root), then the rest. */
int runtime_mount_root(const struct rt_spec *s, bool userxattr,
		       struct err **e);
int runtime_mount_all(const struct rt_spec *s, bool userxattr, struct err **e);
int runtime_caps_apply(const struct rt_spec *s, struct err **e);
int rlimit_from_name(const char *name);

/*
 * docker's -u NAME|UID[:GROUP|GID] looked up in the /etc/passwd and
 * /etc/group of ROOTS (layer directories, top first, or {"/", NULL} inside
 * a container). *gids and *home are heap values for the caller.
 */
int runtime_lookup_user(char **roots, const char *spec, uid_t *uid,
			gid_t *gid, gid_t **gids, size_t *ngids, char **home,
			struct err **e);

/* Parses the spec object J; paths in it are used as they are. */
int rt_spec_parse(const cJSON *j, struct rt_spec *s, struct err **e);
void rt_spec_release(struct rt_spec *s);


/* ---- writing a spec for `husk run` (runtime/generate.c) --------------- */

/* RT_NET_CONTAINER: another container's namespace, joined by the runtime
 * (io.husk.network "container:ID"), so the spec lists none to create */
enum rt_net { RT_NET_PRIVATE, RT_NET_NONE, RT_NET_HOST, RT_NET_CONTAINER };

/* A mount the user asked for (-v, --mount, --tmpfs, volumes). */
struct rt_bind {
	char *source;		/* host path (a file or a directory); NULL:
				 * a tmpfs */
	char *dest;		/* absolute path in the container */
	bool ro;
	char *options;		/* a tmpfs's mount(8) options, or NULL */
	bool copy_up;		/* io.husk.copyup */
};

struct run_config {
	const cJSON *image;	/* the image's config blob */
	char **layers;		/* unpacked layers, top first */
	const char *rootfs;	/* where the rootfs is mounted */
	const char *upper, *work;
	const char *id;		/* the container id (64 hex) */

	char **cmd;		/* command and args after the image, or NULL */
	const char *entrypoint;	/* --entrypoint ("" clears it) or NULL */
	char **env;		/* -e/--env-file entries, K=V */
	const char *workdir, *user, *hostname;
	bool tty, privileged, readonly, no_new_privs, rootless, init;
	char **cap_add, **cap_drop;
	const char *seccomp;	/* "default", "unconfined" or a profile path */
	enum rt_net net;
	struct rt_bind *binds;	/* in mount order: parents first */
	size_t nbinds;
	const char *hosts, *hostname_file, *resolv;	/* files to bind */
	const char *init_path;	/* host path of the init for --init */
	const char *notify_socket;	/* host NOTIFY_SOCKET to bind, or NULL */
	bool upper_tmpfs;	/* writable layer on a tmpfs in the container */
	int listen_fds;		/* socket activation: fds passed, 0 = none */
	const struct cgroup_limits *limits;	/* --memory...; NULL: none */
	const char *cgroup_parent;	/* NULL: below the caller's cgroup */
	bool no_cgroup;		/* --cgroups=disabled */
	bool cgroupns;		/* --cgroupns=private */
	bool device_rules;	/* docker's device allowlist (CAP_MKNOD joins
				 * the default capabilities with it) */
	const struct rt_device *devices;	/* --device */
	size_t ndevices;
};

/*
 * Builds the OCI spec for C: docker's rules for Entrypoint/Cmd, Env, User
 * (looked up in the image's /etc/passwd and /etc/group, read from the
 * layers), WorkingDir, HOME, HOSTNAME; docker's default mounts,
 * capabilities, masked and read-only paths. Errors name the flag or the
 * image field at fault ("unable to find user 'x': no matching entries in
 * passwd file").
 */
int runtime_spec_generate(const struct run_config *c, cJSON **out,
			  struct err **e);

#endif
