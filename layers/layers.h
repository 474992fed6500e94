/*
 * layers.h - unpacking image layers into the store (DESIGN.md, store).
 *
 * layers_unpack() turns one compressed layer blob into a directory tree in
 * the form the overlay rootfs mounts, in a single streaming pass with
 * bounded memory (independent of the layer's size):
 *
 *   in_fd ─▶ decompress (gzip|zstd|none) ─▶ sha256 (the diffid) ─▶ untar
 *
 * Contract:
 *  - @in_fd streams the COMPRESSED blob (a pipe or a file); it is read to
 *    its end (also past the tar end marker, so the diffid covers every
 *    uncompressed byte) and not closed.
 *  - @media_type picks the decompressor: OCI "...layer.v1.tar+gzip" and
 *    Docker's "...rootfs.diff.tar.gzip" -> gzip, "...tar+zstd" -> zstd,
 *    "...layer.v1.tar" and Docker's "...rootfs.diff.tar" -> none (also the
 *    nondistributable/foreign variants); anything else is refused.
 *  - @dest_dirfd is a fresh, empty 0700 directory the caller created and
 *    alone writes (the staging directory). Nothing is ever created outside
 *    it: names are normalised as bsdtar does (leading "/" and "./" are
 *    stripped), `..` leaving the root, writes through a symlink (also one
 *    the layer itself created), and hardlinks to outside or to nothing are
 *    refused with an error naming the entry. Symlinks themselves may point
 *    anywhere: they are stored, never followed.
 *  - Whiteouts are converted to overlayfs' form: ".wh.NAME" becomes a 0:0
 *    character device NAME (unless this layer itself has NAME: the file
 *    wins), "DIR/.wh..wh..opq" sets the opaque xattr on DIR
 *    (trusted.overlay.opaque, or user.overlay.opaque with o->userxattr);
 *    other ".wh..wh.*" names are ignored. Any trusted.overlay.* or
 *    user.overlay.* xattr carried by the layer is stripped.
 *  - Device nodes are created unless o->rootless (then skipped and
 *    counted). With o->squash_owner (the single-uid fallback) owners are
 *    not applied: files stay the caller's, and entries owned by someone
 *    else are counted in res->squashed.
 *  - Nothing is fsynced: the caller syncs the file system once per layer.
 *  - No global state: unpacks may run in several threads at once (each
 *    with its own @dest_dirfd). The process umask does not matter.
 *  - On failure (< 0, *e set to "cannot unpack layer: ..." or "layer
 *    diffid mismatch: expected X, got Y"), the staging directory holds a
 *    partial tree: the caller removes it.
 */
#ifndef HUSK_LAYERS_H
#define HUSK_LAYERS_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"

struct unpack_opts {
	bool rootless;	   /* skip device nodes; tolerate refused xattrs */
	bool squash_owner; /* single-uid map: do not chown, count instead */
	bool userxattr;	   /* opaque dirs get user.overlay.opaque */
	const char *expected_diffid; /* "sha256:<hex>", or NULL */
};

struct unpack_result {
	char diffid[72];  /* "sha256:<64 hex>" of the uncompressed tar */
	uint64_t size;	  /* uncompressed bytes */
	unsigned entries; /* tar entries processed */
	unsigned skipped_devices; /* device nodes not created (rootless) */
	unsigned squashed;	  /* entries whose owner was not applied */
	unsigned stripped_xattrs; /* {trusted,user}.overlay.* dropped */
	unsigned skipped_xattrs;  /* xattrs the file system refused */
};

/**
 * layers_unpack() - decompress, hash and extract one layer blob.
 * @in_fd:	the compressed blob, read to its end (not closed).
 * @media_type:	the layer's OCI or Docker media type.
 * @dest_dirfd:	the staging directory (an O_PATH fd is fine).
 * @o:		options; NULL means all false.
 * @res:	filled on success (and partly on failure).
 *
 * Returns 0, or <0 with *e set. See the contract above.
 */
int layers_unpack(int in_fd, const char *media_type, int dest_dirfd,
		  const struct unpack_opts *o, struct unpack_result *res,
		  struct err **e);

/*
 * layers_media_compression() - "gzip", "zstd" or "none" for a layer media
 * type, NULL when it is not a layer type husk can unpack.
 */
const char *layers_media_compression(const char *media_type);

#endif
