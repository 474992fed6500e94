/*
 * netns.h - container networking: modes, the network helpers (slirp4netns,
 * pasta), published ports, hosts and resolv.conf.
 *
 * The private network is a user-space one for root and rootless alike: a
 * helper process (slirp4netns by default, ready in ~20 ms; pasta, ~100 ms,
 * when asked for or when slirp4netns is missing) owns a tap device in the
 * container's network namespace and carries its traffic through sockets
 * of the caller's own namespace. Published ports are forwarded by that
 * helper too, so publishing on the host's 127.0.0.1 needs neither
 * route_localnet nor a proxy of our own. Both get the same addresses
 * (10.0.2.100/24, gateway 10.0.2.2, DNS forwarder 10.0.2.3), so hosts,
 * resolv.conf and inspect need not know which one runs. Nothing here
 * prints or exits.
 */
#ifndef HUSK_NETNS_H
#define HUSK_NETNS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"
#include "lib/probe.h"

/* Adds slirp4netns, pasta and /dev/net/tun facts to P. */
void netns_probe(struct probes *p, bool rootless);



/* One published port: [IP:]HOST:CTR[/PROTO]. */
struct netns_port {
	char host_ip[64];	/* "" : every address (0.0.0.0) */
	uint16_t host_port;	/* 0: a free one, chosen by netns_ports_bind */
	uint16_t ctr_port;
	bool udp;
};

enum netns_helper {
	NETNS_AUTO,		/* slirp4netns, else pasta: netns_helper_pick */
	NETNS_SLIRP4NETNS,
	NETNS_PASTA,
};

struct netns_config {
	enum netns_helper helper;
	bool allow_host_loopback;	/* the host's 127.0.0.1 reachable */
	const struct netns_port *ports;
	size_t nports;
	const char *runroot;		/* for the helper's API socket */
	const char *id;			/* the container's id, for names */
};

/* A running helper. */
struct netns_proc {
	enum netns_helper helper;
	pid_t pid;
	int exit_fd;		/* closing it ends slirp4netns */
	int ready_fd;		/* readable once it is ready */
	int err_fd;		/* pasta's stderr, for why it failed */
	char *api;		/* slirp4netns's API socket */
	bool reap;		/* netns_stop waits for its exit (ports) */
};

/*
 * "slirp4netns[:OPTS]" or "pasta[:OPTS]" of --network into C; <0 with a
 * message naming the option otherwise. Both know
 * allow_host_loopback=true|false; pasta also podman's --map-gw and
 * --no-map-gw.
 */
int netns_parse_mode(const char *arg, struct netns_config *c, struct err **e);
/* C's helper and options as netns_parse_mode() reads them back */
char *netns_mode_string(const struct netns_config *c);
/* The helper's name ("slirp4netns", "pasta"). */
const char *netns_helper_name(enum netns_helper h);

/*
 * Settles NETNS_AUTO on the helper to use for PORTS (slirp4netns, else
 * pasta; pasta first for an IPv6 host address, which slirp4netns cannot
 * publish on) and checks the chosen one is on PATH; ENOENT with what to
 * install if not.
 */
int netns_helper_pick(struct netns_config *c, const struct netns_port *ports,
		      size_t nports, struct err **e);

/*
 * Starts the helper for the network namespace of PID (the container's
 * first process, not yet exec'd). Returns at once; netns_wait_ready()
 * waits for it to be configured and adds the ports. P's fds are CLOEXEC.
 */
int netns_start(const struct netns_config *c, pid_t pid, struct netns_proc *p,
		struct err **e);
int netns_wait_ready(const struct netns_config *c, struct netns_proc *p,
		     struct err **e);
/*
 * Ends the helper (if still running) and frees P. With published ports it
 * waits for the helper's exit, so the ports are free when it returns;
 * without, it does not: the kernel's teardown of the helper's tap device
 * takes ~20 ms, and the exiting helper is reaped by whoever inherits it.
 */
void netns_stop(struct netns_proc *p);

/*
 * "8080", "127.0.0.1:8000:80", "8000:80/udp", ":80", "[::1]:80:80" into
 * P; <0 with "invalid port 'x'" otherwise.
 */
int netns_parse_port(const char *arg, struct netns_port *p, struct err **e);
/*
 * Checks each port is free on the host (binding it; host port 0 gets a
 * free one chosen by the kernel, as docker's -P and -p CTR do). EADDRINUSE
 * names the address: "the host port 127.0.0.1:8000/tcp is already in use".
 */
int netns_ports_check(struct netns_port *ports, size_t n, struct err **e);

/* The resolver a container on the private network uses when the host's
 * is a loopback address (the helper's DNS forwarder), and the host as the
 * container sees it. */
#define NETNS_SLIRP_DNS "10.0.2.3"
#define NETNS_SLIRP_HOST "10.0.2.2"
#define NETNS_SLIRP_ADDR "10.0.2.100"

#endif
