/*
 * netns.h - container networking: modes, the rootless network helpers
 * (slirp4netns, pasta), published ports, hosts and resolv.conf.
 *
 * So far: which helpers this host has, for `husk info`. Nothing here prints
 * or exits.
 */
#ifndef HUSK_NETNS_H
#define HUSK_NETNS_H

#include <stdbool.h>

#include "lib/probe.h"

/* Adds slirp4netns, pasta and /dev/net/tun facts to P. */
void netns_probe(struct probes *p, bool rootless);

#endif
