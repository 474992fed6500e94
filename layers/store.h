/*
 * store.h - the image store: an OCI image layout plus unpacked layers
 * (DESIGN.md, store), shared by concurrent husk processes with no daemon.
 *
 *   oci-layout, index.json   the OCI layout; index.json lists the images,
 *                            one entry per name (annotation
 *                            org.opencontainers.image.ref.name = the full
 *                            reference, e.g. docker.io/library/busybox:latest)
 *   blobs/sha256/HEX         manifests, configs, compressed layers
 *   layers/HEX/              a layer unpacked once (HEX = its diffid)
 *   tmp/P.R/ + tmp/P.R.lock  one scratch directory per husk process; its
 *                            lock is held while the process lives
 *   locks/NAME.lock          flock files: "index", "blob-HEX", "layer-HEX"
 *
 * Crash model: everything appears by rename from the process's scratch
 * directory, after being verified and synced; nothing is ever written in
 * place. A scratch directory whose lock nobody holds belongs to a dead
 * process and is removed by store_open(). Removal renames into the scratch
 * directory first, so a half-deleted tree is never visible.
 *
 * An image is listed only once all its blobs and layers are present: the
 * pull adds its index entry last.
 */
#ifndef HUSK_STORE_H
#define HUSK_STORE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "lib/buf.h"
#include "lib/err.h"

struct store {
	char *root;
	int rootfd;	/* O_PATH | O_DIRECTORY */
	char *scratch;	/* "tmp/P.R", created on first use */
	int scratch_lock;
	unsigned seq;	/* for unique names inside scratch */
	pthread_mutex_t mu;	/* scratch and seq: pull's threads share them */
};

#define STORE_INIT { NULL, -1, NULL, -1, 0, PTHREAD_MUTEX_INITIALIZER }

/*
 * Opens (and creates, for WRITABLE) the store at ROOT. A writer also
 * removes the scratch directories of dead processes.
 */
int store_open(struct store *s, const char *root, bool writable,
	       struct err **e);
void store_close(struct store *s);

 /*
 * The id mapping layers are unpacked with ("0:1000:1,1:100000:65536" for
 * uids and gids, "host" as root). The first writer records it in
 * store.json; later ones compare. *DIFFERS is set when the store was
 * unpacked under another mapping (owners inside layers then look wrong to
 * the new one).
 */
int store_idmap_check(struct store *s, const char *uidmap, const char *gidmap,
		      bool *differs, struct err **e);

/* "sha256:HEX" -> "blobs/sha256/HEX" / "layers/HEX"; NULL if malformed. */
char *store_blob_rel(const char *digest);
char *store_layer_rel(const char *diffid);
/* True for "sha256:" + 64 lowercase hex digits. */
bool store_digest_valid(const char *digest);

bool store_has_blob(struct store *s, const char *digest);
bool store_has_layer(struct store *s, const char *diffid);

/* Exclusive lock on locks/NAME.lock, waiting as long as it takes. */
int store_lock(struct store *s, const char *name, bool exclusive,
	       struct err **e);

/*
 * A fresh unique path inside the process's scratch directory, relative to
 * the store root ("tmp/P.R/PREFIX-N"). Nothing is created.
 */
int store_scratch_name(struct store *s, const char *prefix, char **out,
		       struct err **e);

/*
 * Moves scratch entry TMP (relative to the root) to its final place REL:
 * fsyncs the parent afterwards. An existing REL wins (another process
 * finished first): TMP is then removed and 0 returned.
 */
int store_commit(struct store *s, const char *tmp, const char *rel,
		 struct err **e);

/* Writes a small blob (manifest, config) whose digest is DIGEST. */
int store_put_blob(struct store *s, const char *digest, const void *data,
		   size_t len, struct err **e);
/* Reads a blob of at most MAX bytes, verifying its digest. */
int store_get_blob(struct store *s, const char *digest, size_t max,
		   struct buf *out, struct err **e);

/* index.json, read whole (a small file): caller owns *out. */
int store_index_read(struct store *s, cJSON **out, struct err **e);
/*
 * Replaces the entries named NAME with DESC (a descriptor object the
 * caller built; this takes ownership). Under the index lock.
 */
int store_index_put(struct store *s, const char *name, cJSON *desc,
		    struct err **e);
/* Removes the entries named NAME; returns how many were removed. */
int store_index_remove(struct store *s, const char *name, struct err **e);

/*
 * Removes REL (a blob or layer path) crash-safely: renamed into scratch,
 * then deleted.
 */
int store_remove(struct store *s, const char *rel, struct err **e);

#endif
