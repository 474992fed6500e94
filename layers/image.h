/*
 * image.h - the images of the store: listing, lookup by name or id,
 * tagging, removal and garbage collection of blobs and layers that no
 * image references any more.
 */
#ifndef HUSK_IMAGE_H
#define HUSK_IMAGE_H

#include <stdint.h>

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

void strv_free(char **v);

#endif
