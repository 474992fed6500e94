/*
 * run.h - what `husk run` collects from its flags (cmd/run.c parses,
 * cmd/run_flags.c checks each flag's value).
 */
#ifndef HUSK_CMD_RUN_H
#define HUSK_CMD_RUN_H

#include "cmd/cmd.h"
#include "cmd/resources.h"
#include "netns/netns.h"
#include "runtime/spec.h"

enum run_pull { PULL_MISSING, PULL_ALWAYS, PULL_NEVER };

/* One mount asked for (cmd/run_mounts.c). */
enum run_mount_type { RUN_BIND, RUN_VOLUME, RUN_TMPFS };
struct run_mount {
	enum run_mount_type type;
	char *source;		/* bind: host path; volume: its name (NULL:
				 * a new anonymous one) */
	char *dest;		/* canonical absolute path */
	char *mode;		/* -v's MODE as given (Mounts' Mode) */
	char *options;		/* tmpfs mount options */
	char *spec;		/* the -v or --tmpfs argument */
	bool ro, nocopy, chown, long_form, inherited, hidden, anonymous;
	uint64_t size;		/* --mount tmpfs-size */
	int tmode;		/* --mount tmpfs-mode */
	bool has_tmode;
	size_t order;
	/* resolved: */
	char *mountpoint;	/* the volume's _data */
	char *bind_device;	/* a type=none,o=bind volume's directory */
	bool vol_tmpfs;		/* a type=tmpfs volume */
};

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
	struct run_mount *mounts;	/* -v, --mount, --tmpfs, then the rest */
	size_t nmounts;
	char **volumes_from;
	cJSON *mount_points;	/* the record's Mounts */
	int volume_lock;	/* locks/volumes.lock, shared, or -1 */
	struct res_flags res;	/* --memory, --cpus, ... */
	struct rt_device *devices;	/* --device */
	size_t ndevices;
	char **device_args;	/* --device as given (HostConfig) */
	const char *cgroupns;	/* --cgroupns as given, or NULL */
	/* networking (netns/netns.h) */
	struct netns_config net;	/* the private network's helper */
	char *net_join;		/* --network container:NAME, or NULL */
	struct netns_port *ports;	/* -p, then -P's */
	size_t nports;
	bool publish_all;	/* -P */
	char **dns, **dns_search, **dns_opts;	/* --dns... */
	char **add_hosts;	/* --add-host NAME:IP */

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
int run_mount_arg(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		  struct err **e);
int run_volumes_from_arg(struct husk_ctx *ctx, struct run_args *a,
			 const char *arg, struct err **e);
/*
 * Adds the mounts of --volumes-from and the image's VOLUMEs, finds or
 * creates the volumes (holding the volume lock, shared, in
 * a->volume_lock) and fills a->rc.binds and a->mount_points.
 */
struct store;
int run_mounts_resolve(struct store *s, struct run_args *a,
		       const cJSON *image_config, struct err **e);
/* -v ...:U: the sources given to the container's user. */
int run_mounts_chown(struct run_args *a, uid_t uid, gid_t gid,
		     struct err **e);
void run_mounts_release(struct run_args *a);
int run_security_opt(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		     struct err **e);
int run_pull_arg(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		 struct err **e);
/* Finds husk-init for --init: $HUSK_INIT, else beside the husk binary. */
int run_init_path(struct husk_ctx *ctx, struct run_args *a, struct err **e);
/* --device HOST[:CTR[:rwm]] */
int run_device_arg(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		   struct err **e);
/* --cgroups, --cgroupns, --cgroup-parent */
int run_cgroup_arg(struct husk_ctx *ctx, struct run_args *a, int opt,
		   const char *arg, struct err **e);
int run_label_arg(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		  struct err **e);
int run_log_opt(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		struct err **e);
int run_stop_signal(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		    struct err **e);
int run_stop_timeout(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		     struct err **e);
void run_args_release(struct run_args *a);

/* Networking (cmd/run_net.c) */
int run_network_arg(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		    struct err **e);
int run_publish_arg(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		    struct err **e);
/* -P's ports, container:NAME found, the helper chosen, host ports checked
 * (and chosen where 0): before anything is created */
int run_network_resolve(struct store *s, struct run_args *a,
			const cJSON *image, struct err **e);
void run_network_annotate(struct run_args *a, cJSON *annotations);
cJSON *run_ports_json(const struct run_args *a);
void run_network_release(struct run_args *a);

/* The container's files (cmd/run_etc.c): no fsync, no rename. */
int run_write_text(int dirfd, const char *name, const char *text,
		   struct err **e);
/* hosts, hostname and resolv.conf in the container's directory DIRFD */
int run_write_etc(struct run_args *a, int dirfd, struct err **e);

/* --dns IP, --dns-search DOMAIN, --dns-option OPT, --add-host NAME:IP
 * (cmd/run_flags.c): each checked and kept in run_args */
int run_dns_arg(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		struct err **e);
int run_dns_search_arg(struct husk_ctx *ctx, struct run_args *a,
		       const char *arg, struct err **e);
int run_dns_option_arg(struct husk_ctx *ctx, struct run_args *a,
		       const char *arg, struct err **e);
int run_add_host_arg(struct husk_ctx *ctx, struct run_args *a,
		     const char *arg, struct err **e);
/*
 * Whether those flags go with the network (cmd/run_etc.c): none of them
 * with --network container:NAME (docker's "conflicting options"), and
 * --add-host NAME:host-gateway not with --network none. A usage error;
 * run_write_etc() checks it too.
 */
int run_etc_check(struct run_args *a, struct err **e);

#endif
