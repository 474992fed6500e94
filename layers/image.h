/*
 * image.h - the images of the store: listing, lookup by name or id,
 * tagging, removal and garbage collection of blobs and layers that no
 * image references any more.
 */
#ifndef HUSK_IMAGE_H
#define HUSK_IMAGE_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "layers/store.h"

struct image {
	char *name; /* full reference: docker.io/library/x:latest */
	char *manifest_digest;
	char *config_digest; /* the image id */
	char *repo_digest;   /* repo@sha256:... as pulled */
	char *created;	     /* RFC 3339 from the config, or NULL */
	uint64_t size;	     /* unpacked size of its layers */
};

struct image_list {
	struct image *v;
	size_t n;
};

int image_list_read(struct store *s, struct image_list *out, struct err **e);
void image_list_release(struct image_list *l);
void image_release(struct image *im);

/*
 * Finds the images WHAT names: a reference (busybox, x:tag, x@sha256:..),
 * a full image id (sha256:HEX or HEX) or a unique id prefix. Returns the
 * number of matches (several names may share one id) with their indexes
 * in *idx (heap), or 0 when nothing matches; an ambiguous prefix is an
 * error.
 */
int image_find(const struct image_list *l, const char *what, size_t **idx,
	       struct err **e);

/* Adds name DST for the image SRC names. */
int image_tag(struct store *s, const char *src, const char *dst,
	      struct err **e);

/*
 * Removes the name (or, for an id, every name of the image) and then the
 * blobs and layers nothing references any more. *untagged / *deleted get
 * what was removed (heap arrays of heap strings, NULL-terminated).
 */
int image_remove(struct store *s, const char *what, bool force,
		 char ***untagged, char ***deleted, struct err **e);

/* Removes blobs and layers no image references; returns how many. */
int image_gc(struct store *s, char ***deleted, struct err **e);

/*
 * What a container needs of an image: its config (the image's "config"
 * object: Entrypoint, Cmd, Env, ...), its id and the absolute paths of
 * its unpacked layers, top layer first (overlayfs's lowerdir order).
 */
struct image_rootfs {
	char *name;		/* the full reference it was found under */
	char *id;		/* sha256:... */
	cJSON *config;		/* the whole config blob */
	char **layers;		/* NULL-terminated */
	size_t nlayers;
};

/* Loads WHAT (a name, id or id prefix) for running; "no such image" (ENOENT)
 * when it is not in the store. */
int image_rootfs_load(struct store *s, const char *what,
		      struct image_rootfs *out, struct err **e);
void image_rootfs_release(struct image_rootfs *r);

void strv_free(char **v);

#endif
