/*
 * pull.h - pulling an image from a registry into the store.
 *
 * layers_pull() resolves REF (an index by platform), stores the manifest
 * and config, pulls the layers in parallel (see layers/pull.c for the
 * pipeline and its crash and concurrency rules) and adds the image to
 * index.json last. Progress is reported through a callback, always from
 * the calling thread, about every 100 ms and once at the end: the callback
 * reads the per-layer atomics.
 */
#ifndef HUSK_PULL_H
#define HUSK_PULL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "layers/layers.h"
#include "layers/store.h"
#include "lib/err.h"

struct ref;
struct registry_config;

enum pull_phase {
	PULL_QUEUED,
	PULL_WAITING,	  /* for another puller of the same layer */
	PULL_DOWNLOADING, /* downloading and unpacking */
	PULL_DONE,
	PULL_EXISTS, /* already in the store */
	PULL_FAILED,
};

struct pull_layer {
	char *digest; /* of the compressed blob */
	char *diffid; /* of the uncompressed tar */
	char *media_type;
	uint64_t size;	       /* compressed, from the manifest */
	_Atomic uint64_t done; /* bytes downloaded so far */
	_Atomic int phase;     /* enum pull_phase */
};

struct pull_image {
	char *name;	       /* the full reference stored in index.json */
	char *repo_digest;     /* digest of what the tag pointed at */
	char *manifest_digest; /* the platform's manifest */
	char *manifest_type;
	char *config_digest; /* the image id */
	uint64_t config_size;
	char *created;
	struct pull_layer *layers;
	size_t n;
	uint64_t size;	   /* unpacked size of all layers */
	unsigned squashed; /* entries whose owner could not be kept */
};

typedef void (*pull_progress_fn)(void *arg, const struct pull_image *img,
				 bool final);

struct pull_opts {
	const struct registry_config *cfg;
	const char *platform;	   /* "os/arch[/variant]", NULL = host */
	struct unpack_opts unpack; /* rootless, squash_owner, userxattr */
	unsigned jobs;		   /* layers at once, 0 = default (3) */
	pull_progress_fn progress;
	void *progress_arg;
};

int layers_pull(struct store *s, const struct ref *r, const struct pull_opts *o,
		struct pull_image *img, struct err **e);
void pull_image_release(struct pull_image *img);

#endif
