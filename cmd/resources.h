/*
 * resources.h - the resource flags of `run` and `update` (cmd/resources.c).
 *
 * Add RES_OPTIONS to a command's option table (their short forms: "m:c:"),
 * hand every option to res_flag() first (it returns 1 for one that is not
 * its own), then call res_check() once all flags are read.
 */
#ifndef HUSK_CMD_RESOURCES_H
#define HUSK_CMD_RESOURCES_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "cgroup/cgroup.h"
#include "cmd/cmd.h"

enum {
	RES_MEMORY_SWAP = 4000, RES_MEMORY_RESERVATION, RES_CPUS,
	RES_CPUSET_CPUS, RES_CPUSET_MEMS, RES_PIDS_LIMIT, RES_BLKIO_WEIGHT,
};

struct res_flags {
	struct cgroup_limits l;
	uint64_t nano_cpus;	/* --cpus as docker's NanoCpus, 0: unset */
};

/* Entries for a command's struct option table. */
#define RES_OPTIONS                                                        \
	{ "memory", required_argument, NULL, 'm' },                        \
	{ "memory-swap", required_argument, NULL, RES_MEMORY_SWAP },       \
	{ "memory-reservation", required_argument, NULL,                   \
	  RES_MEMORY_RESERVATION },                                        \
	{ "cpus", required_argument, NULL, RES_CPUS },                     \
	{ "cpu-shares", required_argument, NULL, 'c' },                    \
	{ "cpuset-cpus", required_argument, NULL, RES_CPUSET_CPUS },       \
	{ "cpuset-mems", required_argument, NULL, RES_CPUSET_MEMS },       \
	{ "pids-limit", required_argument, NULL, RES_PIDS_LIMIT },         \
	{ "blkio-weight", required_argument, NULL, RES_BLKIO_WEIGHT }
/* The lines of --help for them. */
extern const char res_usage[];

int res_flag(struct husk_ctx *ctx, struct res_flags *r, int opt,
	     const char *arg, struct err **e);
int res_check(struct husk_ctx *ctx, const struct res_flags *r,
	      struct err **e);
bool res_any(const struct res_flags *r);

#endif
