/*
 * unpack.c - layers_unpack(): one streaming pass from a compressed layer
 * blob to a directory tree (contract in layers.h).
 *
 * Two libarchive readers are chained. The outer one ("raw" format plus the
 * media type's filter) only decompresses; its blocks are hashed (the
 * diffid) and handed, without a copy, to the inner tar reader through
 * archive_read_open()'s read callback. The inner reader has no skip
 * callback, so every byte it passes over still flows through the hash, and
 * after the tar's end marker the rest of the stream is drained into it
 * too. Memory stays at a few read blocks whatever the layer's size.
 *
 * Entries are created with *at() calls under the staging directory; why
 * not archive_write_disk, and how names are resolved, is in extract.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "layers/archive_dl.h"
#include "lib/crypto_dl.h"

#include "layers/internal.h"
#include "layers/layers.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* Large reads: one syscall per 256 KiB of blob (pipes deliver less). */
#define READ_BLOCK (256 * 1024)

static void archive_read_freep(struct archive **a)
{
	if (*a)
		(void) archive_read_free(*a);
}

static void evp_md_ctx_freep(EVP_MD_CTX **c)
{
	EVP_MD_CTX_free(*c);
}

#define _cleanup_archive_ _cleanup_(archive_read_freep)
#define _cleanup_evp_ _cleanup_(evp_md_ctx_freep)

/* The decompressed stream: what the tar reader reads, and what is hashed. */
struct stream {
	struct archive *outer; /* raw format + filter, NULL for "none" */
	int fd;		       /* the blob, borrowed */
	void *plain;	       /* read buffer for "none", owned */
	const char *kind;      /* "gzip", "zstd", "none" */
	EVP_MD_CTX *md;
	uint64_t size;
	bool eof;
	char *error; /* the decompressor's failure, owned */
	int errnum;  /* its errno, 0 when none */
};

/*
 * Decompression on its own thread: for a compressed layer a producer runs
 * stream_next() (inflate + sha256) into a few buffers while the tar reader
 * writes files, so the two stages overlap on two cores. Only the producer
 * touches the stream until it is done.
 */
#define PF_SLOTS 4

struct prefetch {
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct stream *s;
	char *buf[PF_SLOTS];
	size_t len[PF_SLOTS], cap[PF_SLOTS];
	unsigned head, count; /* queued blocks start at head */
	bool held;	      /* the consumer is reading buf[head] */
	bool done, cancel;
	la_ssize_t last;      /* the producer's end: 0 EOF, -1 failure */
};

struct ctx {
	struct unpacker u;
	struct stream s;
	struct archive *in; /* the tar reader */
	struct prefetch *pf; /* NULL: the reader pulls the stream itself */
};

const char *layers_media_compression(const char *mt)
{
	static const struct {
		const char *type, *kind;
	} types[] = {
	    {"application/vnd.oci.image.layer.v1.tar", "none"},
	    {"application/vnd.oci.image.layer.v1.tar+gzip", "gzip"},
	    {"application/vnd.oci.image.layer.v1.tar+zstd", "zstd"},
	    {"application/vnd.oci.image.layer.nondistributable.v1.tar", "none"},
	    {"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
	     "gzip"},
	    {"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
	     "zstd"},
	    {"application/vnd.docker.image.rootfs.diff.tar", "none"},
	    {"application/vnd.docker.image.rootfs.diff.tar.gzip", "gzip"},
	    {"application/vnd.docker.image.rootfs.diff.tar.zstd", "zstd"},
	    {"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
	     "gzip"},
	};
	size_t i;

	for (i = 0; mt && i < ARRAY_SIZE(types); i++)
		if (strcmp(mt, types[i].type) == 0)
			return types[i].kind;
	return NULL;
}

/* libarchive's message in husk's form: lowercase, no full stop. */
static char *archive_msg(struct archive *a)
{
	const char *m = archive_error_string(a);
	char *s = xstrdup(m && *m ? m : "unknown error");
	size_t n = strlen(s);

	if (n && s[n - 1] == '.')
		s[n - 1] = '\0';
	if (s[0] >= 'A' && s[0] <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z'))
		s[0] = (char) (s[0] - 'A' + 'a');
	return s;
}

static int read_error(struct ctx *c, const char *path, struct err **e)
{
	_cleanup_free_ char *m = NULL;

	/* A decompressor failure surfaces in the tar reader: name the cause. */
	if (c->s.error)
		return err_make(e, c->s.errnum, "%s", c->s.error);
	m = archive_msg(c->in);
	if (path)
		return err_make(e, 0, "'%s': %s", path, m);
	return err_make(e, 0, "%s", m);
}

/* libarchive says "truncated gzip input", "Truncated zstd input". */
static void stream_fail(struct stream *s)
{
	_cleanup_free_ char *m = archive_msg(s->outer);

	if (strncmp(m, "truncated", 9) == 0)
		s->error = xasprintf("truncated %s stream", s->kind);
	else
		s->error = xasprintf("corrupt %s stream: %s", s->kind, m);
}

/* The next raw block of an uncompressed blob. */
static int read_plain(struct stream *s, const void **buf, size_t *len)
{
	ssize_t n;

	do
		n = read(s->fd, s->plain, READ_BLOCK);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		/* err_make() adds the cause (strerror is not for threads) */
		s->errnum = errno;
		s->error = xstrdup("cannot read the layer");
		return -1;
	}
	*buf = s->plain;
	*len = (size_t) n;
	return n == 0 ? ARCHIVE_EOF : ARCHIVE_OK;
}

/* Next decompressed block, hashed; 0 at the end, -1 on failure. */
static la_ssize_t stream_next(struct stream *s, const void **buf)
{
	la_int64_t off;
	size_t len = 0;
	int r;

	*buf = NULL;
	if (s->error)
		return -1;
	while (!s->eof) {
		if (s->plain)
			r = read_plain(s, buf, &len);
		else
			r = archive_read_data_block(s->outer, buf, &len, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			if (!s->error)
				stream_fail(s);
			return -1;
		}
		if (len == 0)
			continue;
		if (EVP_DigestUpdate(s->md, *buf, len) != 1) {
			s->error = xstrdup("sha256 failed");
			return -1;
		}
		s->size += len;
		return (la_ssize_t) len;
	}
	s->eof = true;
	*buf = NULL;
	return 0;
}

static void *pf_main(void *arg)
{
	struct prefetch *p = arg;

	for (;;) {
		const void *b;
		la_ssize_t n = stream_next(p->s, &b);
		unsigned slot;

		(void) pthread_mutex_lock(&p->mu);
		while (n > 0 && p->count == PF_SLOTS && !p->cancel)
			(void) pthread_cond_wait(&p->cv, &p->mu);
		if (n <= 0 || p->cancel) {
			p->done = true;
			p->last = n > 0 ? -1 : n;
			(void) pthread_cond_broadcast(&p->cv);
			(void) pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		slot = (p->head + p->count) % PF_SLOTS;
		(void) pthread_mutex_unlock(&p->mu);
		/* a free slot: the consumer does not look at it until count++ */
		if (p->cap[slot] < (size_t)n) {
			p->buf[slot] = xrealloc(p->buf[slot], (size_t)n);
			p->cap[slot] = (size_t)n;
		}
		memcpy(p->buf[slot], b, (size_t)n);
		p->len[slot] = (size_t)n;
		(void) pthread_mutex_lock(&p->mu);
		p->count++;
		(void) pthread_cond_broadcast(&p->cv);
		(void) pthread_mutex_unlock(&p->mu);
	}
}

static int pf_start(struct ctx *c)
{
	struct prefetch *p = xcalloc(1, sizeof(*p));

	p->s = &c->s;
	(void) pthread_mutex_init(&p->mu, NULL);
	(void) pthread_cond_init(&p->cv, NULL);
	if (pthread_create(&p->tid, NULL, pf_main, p) != 0) {
		free(p);
		return -1; /* the reader pulls the stream itself, as before */
	}
	c->pf = p;
	return 0;
}

static void pf_stop(struct ctx *c)
{
	struct prefetch *p = c->pf;

	if (!p)
		return;
	(void) pthread_mutex_lock(&p->mu);
	p->cancel = true;
	(void) pthread_cond_broadcast(&p->cv);
	(void) pthread_mutex_unlock(&p->mu);
	(void) pthread_join(p->tid, NULL);
	for (unsigned i = 0; i < PF_SLOTS; i++)
		free(p->buf[i]);
	(void) pthread_cond_destroy(&p->cv);
	(void) pthread_mutex_destroy(&p->mu);
	free(p);
	c->pf = NULL;
}

/* The next decompressed block, from the producer when there is one. */
static la_ssize_t next_block(struct ctx *c, const void **buf)
{
	struct prefetch *p = c->pf;
	la_ssize_t n;

	if (!p)
		return stream_next(&c->s, buf);
	(void) pthread_mutex_lock(&p->mu);
	if (p->held) {
		p->head = (p->head + 1) % PF_SLOTS;
		p->count--;
		p->held = false;
		(void) pthread_cond_broadcast(&p->cv);
	}
	while (p->count == 0 && !p->done)
		(void) pthread_cond_wait(&p->cv, &p->mu);
	if (p->count == 0) {
		n = p->last;
		*buf = NULL;
	} else {
		p->held = true;
		*buf = p->buf[p->head];
		n = (la_ssize_t)p->len[p->head];
	}
	(void) pthread_mutex_unlock(&p->mu);
	return n;
}

static la_ssize_t feed(struct archive *in, void *data, const void **buf)
{
	struct ctx *c = data;
	la_ssize_t n = next_block(c, buf);

	if (n < 0)
		archive_set_error(in, EIO, "%s", c->s.error);
	return n;
}

/*
 * An uncompressed blob is read as it is; a compressed one goes through
 * libarchive's "raw" format, which yields the filter's output as the data
 * of a single entry.
 */
static int stream_open(struct stream *s, int in_fd, const char *kind,
		       struct err **e)
{
	struct archive_entry *ae;
	int r;

	s->kind = kind;
	s->fd = in_fd;
	s->md = EVP_MD_CTX_new();
	if (!s->md)
		oom();
	if (EVP_DigestInit_ex(s->md, EVP_sha256(), NULL) != 1)
		return err_make(e, 0, "sha256 unavailable");
	if (strcmp(kind, "none") == 0) {
		s->plain = xmalloc(READ_BLOCK);
		return 0;
	}
	s->outer = archive_read_new();
	if (!s->outer)
		oom();
	(void) archive_read_support_format_raw(s->outer);
	r = archive_read_append_filter(s->outer, strcmp(kind, "gzip") == 0
						     ? ARCHIVE_FILTER_GZIP
						     : ARCHIVE_FILTER_ZSTD);
	if (r == ARCHIVE_OK)
		r = archive_read_open_fd(s->outer, in_fd, READ_BLOCK);
	if (r == ARCHIVE_OK)
		r = archive_read_next_header(s->outer, &ae);
	if (r >= ARCHIVE_WARN)
		return 0;
	/*
	 * "Unrecognized archive format" here means the filter could not
	 * produce a single byte: a truncated or non-gzip/zstd blob.
	 */
	return err_make(e, 0, "invalid or truncated %s stream", kind);
}

static void stream_release(struct stream *s)
{
	archive_read_freep(&s->outer);
	evp_md_ctx_freep(&s->md);
	free(s->error);
	free(s->plain);
}

/* ---- metadata ---------------------------------------------------------- */

static int entry_ids(struct archive_entry *ae, const char *path, uid_t *uid,
		     gid_t *gid, struct err **e)
{
	la_int64_t u = archive_entry_uid(ae), g = archive_entry_gid(ae);

	/* (uid_t)-1 would mean "leave unchanged" to chown: refuse it too. */
	if (u < 0 || g < 0 || u >= (la_int64_t) UINT32_MAX ||
	    g >= (la_int64_t) UINT32_MAX)
		return err_make(e, 0, "'%s': invalid owner %lld:%lld", path,
				(long long) u, (long long) g);
	*uid = (uid_t) u;
	*gid = (gid_t) g;
	return 0;
}

/*
 * Owner of @name under @dirfd (or of @dirfd itself when @name is ""),
 * never following a symlink. Under squash_owner nothing is changed and
 * the entries that would have needed it are counted.
 */
static int set_owner(struct ctx *c, struct archive_entry *ae, int dirfd,
		     const char *name, const char *path, struct err **e)
{
	struct unpacker *u = &c->u;
	uid_t uid = 0;
	gid_t gid = 0;
	int flags = AT_SYMLINK_NOFOLLOW | (*name ? 0 : AT_EMPTY_PATH);

	if (entry_ids(ae, path, &uid, &gid, e) < 0)
		return -1;
	if (uid == u->euid && gid == u->egid)
		return 0; /* what the creation gave it already */
	if (u->o->squash_owner) {
		u->res->squashed++;
		return 0;
	}
	if (fchownat(dirfd, name, uid, gid, flags) < 0) {
		int err = errno;

		/* EINVAL: the id has no mapping in our user namespace */
		return err_make(e, err == EINVAL ? 0 : err,
				"cannot set the owner of '%s' to %u:%u%s", path,
				(unsigned) uid, (unsigned) gid,
				err == EINVAL ? ": id not mapped in the user "
						"namespace"
					      : "");
	}
	return 0;
}

static bool entry_times(struct archive_entry *ae, struct timespec ts[2])
{
	if (!archive_entry_mtime_is_set(ae))
		return false;
	ts[1].tv_sec = archive_entry_mtime(ae);
	ts[1].tv_nsec = archive_entry_mtime_nsec(ae);
	ts[0] = ts[1];
	if (archive_entry_atime_is_set(ae)) {
		ts[0].tv_sec = archive_entry_atime(ae);
		ts[0].tv_nsec = archive_entry_atime_nsec(ae);
	}
	return true;
}

static bool xattr_is_overlay(const char *name)
{
	return strncmp(name, "trusted.overlay.", 16) == 0 ||
	       strncmp(name, "user.overlay.", 13) == 0;
}

/*
 * Refusals that do not fail the layer: a rootless unpack cannot set
 * trusted.* or security.* names, user.* is only allowed on regular files
 * and directories, and some file systems have no xattrs at all.
 */
static bool xattr_tolerated(struct ctx *c, const char *name, mode_t type,
			    int err)
{
	if (err != ENOTSUP && err != EPERM)
		return false;
	return c->u.o->rootless || strncmp(name, "user.", 5) != 0 ||
	       !(S_ISREG(type) || S_ISDIR(type));
}

/*
 * Sets the xattrs of the entry on @fd, or on @name under @parent when
 * @fd < 0 (symlinks and special files, which cannot be opened for it:
 * lsetxattr through the parent's /proc/self/fd link, no follow).
 */
static int set_xattr(struct ctx *c, mode_t type, int fd, const char *proc,
		     const char *xn, const void *val, size_t size,
		     const char *path, struct err **e)
{
	int r;

	if (xattr_is_overlay(xn)) {
		c->u.res->stripped_xattrs++;
		return 0;
	}
	if (fd >= 0)
		r = fsetxattr(fd, xn, val, size, 0);
	else
		r = lsetxattr(proc, xn, val, size, 0);
	if (r == 0)
		return 0;
	if (!xattr_tolerated(c, xn, type, errno))
		return err_make(e, errno, "cannot set xattr '%s' on '%s'", xn,
				path);
	c->u.res->skipped_xattrs++;
	return 0;
}

/*
 * Sets the xattrs of the entry on @fd, or on @name under @parent when
 * @fd < 0 (symlinks and special files, which cannot be opened for it:
 * lsetxattr through the parent's /proc/self/fd link, no follow). A name
 * is set once: libarchive's own pax writer stores each xattr twice
 * (LIBARCHIVE.xattr.* and SCHILY.xattr.*), and the reader returns both.
 */
static int set_xattrs(struct ctx *c, struct archive_entry *ae, int fd,
		      int parent, const char *name, const char *path,
		      struct err **e)
{
	mode_t type = archive_entry_filetype(ae);
	int n = archive_entry_xattr_reset(ae), i = 0, j;
	_cleanup_free_ const char **seen = NULL;
	char proc[64 + NAME_MAX];
	const void *val;
	size_t size;

	if (n <= 0)
		return 0;
	seen = xcalloc((size_t) n, sizeof(*seen));
	if (fd < 0)
		(void) snprintf(proc, sizeof(proc), "/proc/self/fd/%d/%s",
				parent, name);
	while (i < n && archive_entry_xattr_next(ae, &seen[i], &val, &size) ==
			    ARCHIVE_OK) {
		for (j = 0; j < i && strcmp(seen[j], seen[i]); j++)
			;
		if (j < i)
			continue; /* a repeat */
		if (set_xattr(c, type, fd, proc, seen[i], val, size, path, e) <
		    0)
			return -1;
		i++;
	}
	return 0;
}

static bool entry_has_xattrs(struct archive_entry *ae)
{
	return archive_entry_xattr_count(ae) > 0;
}

/* ---- entries ----------------------------------------------------------- */

struct entry {
	struct archive_entry *ae;
	const char *path; /* normalised */
	const char *base; /* its last name */
	size_t dirlen;
	int parent; /* borrowed O_PATH fd of the directory */
};

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t) n;
	}
	return 0;
}

/* Copies the entry's data, keeping holes of sparse entries as holes. */
static int write_data(struct ctx *c, int fd, const struct entry *en,
		      struct err **e)
{
	la_int64_t size = archive_entry_size(en->ae), pos = 0, off;
	const void *buf;
	size_t len;
	int r;

	for (;;) {
		r = archive_read_data_block(c->in, &buf, &len, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			return read_error(c, en->path, e);
		if (off != pos && lseek(fd, off, SEEK_SET) < 0)
			return err_make(e, errno, "cannot write '%s'",
					en->path);
		if (write_all(fd, buf, len) < 0)
			return err_make(e, errno, "cannot write '%s'",
					en->path);
		pos = off + (la_int64_t) len;
	}
	if (size > pos && ftruncate(fd, size) < 0)
		return err_make(e, errno, "cannot write '%s'", en->path);
	return 0;
}

/*
 * Order matters: chown clears setuid/setgid and security.capability, so
 * the mode comes after the owner, then the xattrs, then the times (which
 * writing would change).
 */
static int make_file(struct ctx *c, const struct entry *en, struct err **e)
{
	_cleanup_close_ int fd = -1;
	struct timespec ts[2];
	int tries;

	for (tries = 0;; tries++) {
		fd = openat(
		    en->parent, en->base,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST || tries)
			break;
		/* A later entry replaces an earlier one of the same name. */
		if (unpack_remove(&c->u, en->parent, en->base, en->path, e) < 0)
			return -1;
	}
	if (fd < 0)
		return err_make(e, errno, "cannot create '%s'", en->path);
	if (write_data(c, fd, en, e) < 0 ||
	    set_owner(c, en->ae, fd, "", en->path, e) < 0)
		return -1;
	if (fchmod(fd, archive_entry_perm(en->ae) & 07777) < 0)
		return err_make(e, errno, "cannot set the mode of '%s'",
				en->path);
	if (set_xattrs(c, en->ae, fd, -1, NULL, en->path, e) < 0)
		return -1;
	if (entry_times(en->ae, ts) && futimens(fd, ts) < 0)
		return err_make(e, errno, "cannot set the times of '%s'",
				en->path);
	if (close(TAKE_FD(fd)) < 0)
		return err_make(e, errno, "cannot write '%s'", en->path);
	return 0;
}

/* Directories: created 0700, mode and times applied at the end. */
static int make_dir(struct ctx *c, const struct entry *en, struct err **e)
{
	_cleanup_close_ int fd = -1;
	struct timespec ts[2];
	bool times = entry_times(en->ae, ts);
	struct stat st;
	int dirfd = en->parent;
	const char *name = en->base;

	if (!*en->path) { /* "./": the layer root itself */
		dirfd = c->u.root;
		name = "";
	} else if (mkdirat(dirfd, name, 0700) < 0) {
		/* An existing directory is merged: only its metadata changes.
		 */
		if (errno != EEXIST ||
		    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return err_make(e, errno, "cannot create '%s'",
					en->path);
		if (!S_ISDIR(st.st_mode)) {
			if (unpack_remove(&c->u, dirfd, name, en->path, e) < 0)
				return -1;
			if (mkdirat(dirfd, name, 0700) < 0)
				return err_make(e, errno, "cannot create '%s'",
						en->path);
		}
	}
	if (set_owner(c, en->ae, dirfd, name, en->path, e) < 0)
		return -1;
	if (entry_has_xattrs(en->ae)) {
		fd = unpack_open_dir(&c->u, en->path, O_RDONLY, false, en->path,
				     e);
		if (fd < 0 ||
		    set_xattrs(c, en->ae, fd, -1, NULL, en->path, e) < 0)
			return -1;
	}
	unpack_fixup_add(&c->u, en->path, strlen(en->path),
			 archive_entry_perm(en->ae), times ? ts : NULL);
	return 0;
}

/* Metadata of a node created by name (symlink, fifo, device). */
static int node_meta(struct ctx *c, const struct entry *en, bool chmod_it,
		     struct err **e)
{
	struct timespec ts[2];
	mode_t mode = archive_entry_perm(en->ae) & 07777;

	if (set_owner(c, en->ae, en->parent, en->base, en->path, e) < 0)
		return -1;
	/*
	 * glibc does AT_SYMLINK_NOFOLLOW through an O_PATH fd and /proc;
	 * without /proc (EOPNOTSUPP) a plain fchmodat is as safe here: we
	 * just created this non-symlink in a directory only we write.
	 */
	if (chmod_it &&
	    fchmodat(en->parent, en->base, mode, AT_SYMLINK_NOFOLLOW) < 0 &&
	    (errno != EOPNOTSUPP ||
	     fchmodat(en->parent, en->base, mode, 0) < 0))
		return err_make(e, errno, "cannot set the mode of '%s'",
				en->path);
	if (set_xattrs(c, en->ae, -1, en->parent, en->base, en->path, e) < 0)
		return -1;
	if (entry_times(en->ae, ts) &&
	    utimensat(en->parent, en->base, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return err_make(e, errno, "cannot set the times of '%s'",
				en->path);
	return 0;
}

static int make_symlink(struct ctx *c, const struct entry *en, struct err **e)
{
	const char *target = archive_entry_symlink(en->ae);
	int tries, r;

	if (!target)
		target = archive_entry_symlink_utf8(en->ae);
	if (!target || !*target)
		return err_make(e, 0, "'%s': symlink without a target",
				en->path);
	/* Stored as it is: it may point anywhere, it is never followed. */
	for (tries = 0;; tries++) {
		r = symlinkat(target, en->parent, en->base);
		if (r == 0 || errno != EEXIST || tries)
			break;
		if (unpack_remove(&c->u, en->parent, en->base, en->path, e) < 0)
			return -1;
	}
	if (r < 0)
		return err_make(e, errno, "cannot create '%s'", en->path);
	return node_meta(c, en, false, e);
}

static int make_node(struct ctx *c, const struct entry *en, struct err **e)
{
	mode_t type = archive_entry_filetype(en->ae);
	dev_t dev = 0;
	int tries, r;

	if (type == AE_IFCHR || type == AE_IFBLK)
		dev = archive_entry_rdev(en->ae);
	for (tries = 0;; tries++) {
		r = mknodat(en->parent, en->base, type | 0600, dev);
		if (r == 0 || errno != EEXIST || tries)
			break;
		if (unpack_remove(&c->u, en->parent, en->base, en->path, e) < 0)
			return -1;
	}
	if (r < 0)
		return err_make(e, errno, "cannot create '%s'", en->path);
	return node_meta(c, en, true, e);
}

/*
 * A hardlink to an earlier entry of this layer. The target is resolved
 * as strictly as any name (no `..` out, no symlinked directory on the way)
 * and must exist; linkat() without AT_SYMLINK_FOLLOW links a symlink
 * itself, never what it points to.
 */
static int make_hardlink(struct ctx *c, const struct entry *en, const char *raw,
			 struct err **e)
{
	_cleanup_free_ char *target = NULL;
	_cleanup_close_ int own = -1;
	const char *tbase;
	size_t tdirlen;
	int tparent, tries, r;

	if (unpack_normalize(raw, "path", &target, e) < 0)
		return err_wrap(e, "hardlink '%s'", en->path);
	if (!*target)
		return err_make(e, 0, "hardlink '%s': invalid target '%s'",
				en->path, raw);
	if (strcmp(target, en->path) == 0)
		return 0; /* a link to itself: already there */
	tdirlen = unpack_split(target, &tbase);
	if (tdirlen)
		target[tdirlen] = '\0'; /* target: its directory now */
	if (tdirlen == en->dirlen && strncmp(target, en->path, tdirlen) == 0) {
		tparent = en->parent;
	} else if (tdirlen == 0) {
		tparent = c->u.root;
	} else {
		own = unpack_open_dir(&c->u, target, O_PATH, false, raw, e);
		if (own < 0)
			return err_wrap(e, "hardlink '%s'", en->path);
		tparent = own;
	}
	for (tries = 0;; tries++) {
		r = linkat(tparent, tbase, en->parent, en->base, 0);
		if (r == 0 || errno != EEXIST || tries)
			break;
		if (unpack_remove(&c->u, en->parent, en->base, en->path, e) < 0)
			return -1;
	}
	if (r < 0 && errno == ENOENT)
		return err_make(e, 0,
				"hardlink '%s': target '%s' does not exist",
				en->path, raw);
	if (r < 0)
		return err_make(e, errno, "hardlink '%s' to '%s'", en->path,
				raw);
	return 0;
}

static int make_entry(struct ctx *c, struct entry *en, struct err **e)
{
	mode_t type = archive_entry_filetype(en->ae);
	const char *link = archive_entry_hardlink(en->ae);

	if (!link)
		link = archive_entry_hardlink_utf8(en->ae);
	if (!*en->path && (link || type != AE_IFDIR))
		return err_make(e, 0, "'%s': only a directory can be the root",
				archive_entry_pathname(en->ae));
	/*
	 * Rootless: device nodes are skipped (docker and podman do), before
	 * their parent directories get created. A 0:0 char device is an
	 * overlay whiteout, allowed in a user namespace: it is kept.
	 */
	if (!link && c->u.o->rootless &&
	    (type == AE_IFBLK ||
	     (type == AE_IFCHR && archive_entry_rdev(en->ae) != 0))) {
		c->u.res->skipped_devices++;
		return 0;
	}
	en->parent = unpack_parent(&c->u, en->path, en->dirlen, en->path, e);
	if (en->parent < 0)
		return -1;
	if (link)
		return make_hardlink(c, en, link, e);
	switch (type) {
	case AE_IFREG:
		return make_file(c, en, e);
	case AE_IFDIR:
		return make_dir(c, en, e);
	case AE_IFLNK:
		return make_symlink(c, en, e);
	case AE_IFIFO:
	case AE_IFCHR:
	case AE_IFBLK:
		return make_node(c, en, e);
	default:
		return err_make(e, 0, "'%s': unsupported entry type 0%o",
				en->path, (unsigned) type);
	}
}

static int extract_entry(struct ctx *c, struct archive_entry *ae,
			 struct err **e)
{
	_cleanup_free_ char *path = NULL;
	const char *raw = archive_entry_pathname(ae);
	struct entry en = {.ae = ae, .parent = -1};

	if (!raw)
		raw = archive_entry_pathname_utf8(ae);
	if (!raw)
		return err_make(e, 0, "entry without a name");
	if (unpack_normalize(raw, "path", &path, e) < 0)
		return -1;
	en.path = path;
	en.dirlen = unpack_split(path, &en.base);
	if (strncmp(en.base, ".wh.", 4) == 0)
		return unpack_whiteout(&c->u, path, en.dirlen, en.base, e);
	return make_entry(c, &en, e);
}

static int extract_all(struct ctx *c, struct err **e)
{
	struct archive_entry *ae;
	const void *buf;
	la_ssize_t n;
	int r;

	for (;;) {
		r = archive_read_next_header(c->in, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			return read_error(c, NULL, e);
		c->u.res->entries++;
		if (extract_entry(c, ae, e) < 0)
			return -1;
	}
	/* The diffid covers the whole stream, also what follows the tar. */
	while ((n = next_block(c, &buf)) > 0)
		;
	if (n < 0)
		return read_error(c, NULL, e);
	return unpack_fixup_apply(&c->u, e);
}

static int run(struct ctx *c, int in_fd, const char *kind, struct err **e)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0, i;
	struct unpack_result *res = c->u.res;
	char *p;

	if (stream_open(&c->s, in_fd, kind, e) < 0)
		return -1;
	if (c->s.outer)
		(void) pf_start(c);
	c->in = archive_read_new();
	if (!c->in)
		oom();
	(void) archive_read_support_format_tar(c->in);
	(void) archive_read_support_format_empty(c->in);
	if (archive_read_open(c->in, c, NULL, feed, NULL) != ARCHIVE_OK) {
		if (c->s.error)
			return read_error(c, NULL, e);
		return err_make(e, 0, "not a tar archive");
	}
	if (extract_all(c, e) < 0)
		return -1;
	pf_stop(c); /* the producer is done: the digest is ours to read */
	if (EVP_DigestFinal_ex(c->s.md, md, &mdlen) != 1 || mdlen != 32)
		return err_make(e, 0, "sha256 failed");
	res->size = c->s.size;
	p = res->diffid + snprintf(res->diffid, sizeof(res->diffid), "sha256:");
	for (i = 0; i < mdlen; i++, p += 2)
		(void) snprintf(p, 3, "%02x", md[i]);
	return 0;
}

int layers_unpack(int in_fd, const char *media_type, int dest_dirfd,
		  const struct unpack_opts *o, struct unpack_result *res,
		  struct err **e)
{
	static const struct unpack_opts defaults;
	const char *kind = layers_media_compression(media_type);
	struct ctx c;
	int r;

	memset(res, 0, sizeof(*res));
	if (!kind)
		return err_make(
		    e, 0, "cannot unpack layer: unsupported media type '%s'",
		    media_type ? media_type : "");
	memset(&c, 0, sizeof(c));
	unpacker_init(&c.u, dest_dirfd, o ? o : &defaults, res);
	r = run(&c, in_fd, kind, e);
	pf_stop(&c);
	archive_read_freep(&c.in);
	stream_release(&c.s);
	unpacker_release(&c.u);
	if (r < 0)
		return err_wrap(e, "cannot unpack layer");
	if (o && o->expected_diffid && strcmp(o->expected_diffid, res->diffid))
		return err_make(e, 0,
				"layer diffid mismatch: expected %s, got %s",
				o->expected_diffid, res->diffid);
	return 0;
}
