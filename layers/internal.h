/*
 * internal.h - shared inside layers/ only (STYLE.md rule 1).
 *
 * The unpacker's state and the helpers split between unpack.c (stream,
 * entries, metadata), extract.c (names, safe resolution, replacement,
 * directory fix-ups) and whiteout.c (overlayfs whiteouts).
 */
#ifndef HUSK_LAYERS_INTERNAL_H
#define HUSK_LAYERS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <time.h>

#include "layers/layers.h"
#include "lib/err.h"

/* A directory whose mode and times are applied once the layer is done. */
struct unpack_fixup {
	char *path; /* normalised, "" for the root; owned */
	mode_t mode;
	bool has_times;
	struct timespec ts[2]; /* atime, mtime */
	size_t seq;	       /* order of appearance: a later entry wins */
};

struct unpacker {
	int root; /* the staging dir, borrowed */
	const struct unpack_opts *o;
	struct unpack_result *res;
	uid_t euid;
	gid_t egid;
	bool no_openat2; /* fs_force_fallback / HUSK_NO_OPENAT2 */

	/* The parent directory of the previous entry (entries come sorted). */
	char *cache_path; /* owned, NULL when empty */
	int cache_fd;	  /* O_PATH | O_DIRECTORY, owned */

	struct unpack_fixup *fix; /* owned array */
	size_t nfix, afix;
};

void unpacker_init(struct unpacker *u, int root, const struct unpack_opts *o,
		   struct unpack_result *res);
void unpacker_release(struct unpacker *u);

/*
 * unpack_normalize() - bsdtar's name cleaning: drop leading "/", empty and
 * "." components, resolve ".." lexically. A ".." that would leave the root
 * is refused ("unsafe path '%s': ..."; @what names the kind of name).
 * *out is the clean relative path ("" for the root itself), owned.
 */
int unpack_normalize(const char *raw, const char *what, char **out,
		     struct err **e);

/* Splits a normalised path at its last '/': returns the length of the
 * directory part (0 at the top) and points *base at the last name. */
size_t unpack_split(const char *path, const char **base);

/*
 * unpack_parent() - the directory @dir (a normalised path, "" = the
 * root) as an O_PATH fd, creating missing components (mode 0755 after the
 * fix-ups). No symlink is ever followed: a symlinked component is refused
 * as "unsafe path '@entry': 'a/b' is a symlink". The fd is BORROWED (the
 * root or the one-entry cache): valid until the next unpack_* call.
 */
int unpack_parent(struct unpacker *u, const char *dir, size_t dirlen,
		  const char *entry, struct err **e);

/*
 * unpack_open_dir() - @path itself as a directory fd (owned), opened with
 * @flags (O_RDONLY for xattrs and fix-ups, O_PATH to resolve), with the
 * same refusal of symlinks. @create makes it and its parents if missing.
 */
int unpack_open_dir(struct unpacker *u, const char *path, int flags,
		    bool create, const char *entry, struct err **e);

/*
 * unpack_remove() - removes @name under @parent (any type, directories
 * recursively, never following symlinks) so a later entry can replace it.
 * @path is the entry's normalised path, for the cache and messages.
 */
int unpack_remove(struct unpacker *u, int parent, const char *name,
		  const char *path, struct err **e);

/* Records the mode and times of directory @path for the end of the layer. */
void unpack_fixup_add(struct unpacker *u, const char *path, size_t len,
		      mode_t mode, const struct timespec *ts);
/* Applies the fix-ups, deepest directories first. */
int unpack_fixup_apply(struct unpacker *u, struct err **e);

/*
 * unpack_whiteout() - handles an entry whose last name starts with ".wh.":
 * a 0:0 character device for ".wh.NAME" (unless NAME exists: this layer's
 * file wins), the opaque xattr for ".wh..wh..opq", nothing for other
 * ".wh..wh." names.
 */
int unpack_whiteout(struct unpacker *u, const char *path, size_t dirlen,
		    const char *base, struct err **e);

#endif
