/*
 * test-unpack.c - layers_unpack() against layers built in memory with
 * libarchive's archive_write (none, gzip and zstd), then against hostile
 * archives in the manner of libarchive's test_write_disk_secure: each must
 * fail with an error naming the entry and leave nothing outside the
 * staging directory.
 *
 * As root the suite runs twice: with root's options, then with the
 * rootless ones (rootless, squash_owner, userxattr). As an unprivileged
 * user it enters a user namespace of its own first (uid_map "0 UID 1":
 * the single-uid situation a rootless pull is in, where a 0:0 whiteout
 * device may be created) and runs the rootless options only.
 *
 * Layout under BASE (a fresh /tmp/husk-test-unpack.XXXXXX):
 *	BASE/sN/	one staging directory per unpack (0700)
 *	BASE/outside/	what a symlink escape would write into (stays empty)
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "layers/layers.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/xalloc.h"
#include "test/unit/tap.h"
#include "lib/banned.h"

/* An 8 GiB entry must not be buffered. AddressSanitizer's shadow memory
 * and quarantine add tens of MiB of their own, so its builds get more room. */
#if defined(__SANITIZE_ADDRESS__)
#define RSS_LIMIT_KIB (256 * 1024)
#else
#define RSS_LIMIT_KIB (128 * 1024)
#endif

#define MT_TAR "application/vnd.oci.image.layer.v1.tar"
#define MT_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define MT_DOCKER "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define MTIME 1600000000

static char base[] = "/tmp/husk-test-unpack.XXXXXX";
static char outside[PATH_MAX];
static int stage_seq;
static bool is_root;		/* real root, not a user namespace */
static struct unpack_opts opts; /* the suite's options */
static const char *label;	/* "root" or "rootless" */

/* ---- building layers ---------------------------------------------------- */

struct tb {
	struct archive *a;
	struct buf out;
};

static la_ssize_t tb_write(struct archive *a, void *data, const void *buf,
			   size_t n)
{
	buf_add(data, buf, n);
	return (la_ssize_t) n;
}

static void tb_begin_fmt(struct tb *t, int format)
{
	buf_init(&t->out, 0);
	t->a = archive_write_new();
	if (!t->a || archive_write_set_format(t->a, format) != ARCHIVE_OK ||
	    archive_write_add_filter_none(t->a) != ARCHIVE_OK ||
	    archive_write_open(t->a, &t->out, NULL, tb_write, NULL) !=
		ARCHIVE_OK)
		tap_skip_all("libarchive cannot write tar");
}

static void tb_begin(struct tb *t)
{
	tb_begin_fmt(t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
}

/* Ends the archive; t->out holds the uncompressed tar. */
static void tb_end(struct tb *t)
{
	if (archive_write_close(t->a) != ARCHIVE_OK)
		tap_diag("archive_write_close: %s", archive_error_string(t->a));
	archive_write_free(t->a);
	t->a = NULL;
}

static struct archive_entry *ent(const char *path, mode_t mode)
{
	struct archive_entry *ae = archive_entry_new();

	archive_entry_set_pathname(ae, path);
	archive_entry_set_mode(ae, mode);
	archive_entry_set_uid(ae, 0);
	archive_entry_set_gid(ae, 0);
	archive_entry_set_mtime(ae, MTIME, 0);
	return ae;
}

static void tb_add(struct tb *t, struct archive_entry *ae, const void *data,
		   size_t len)
{
	if (archive_write_header(t->a, ae) < ARCHIVE_WARN)
		tap_diag("write_header %s: %s", archive_entry_pathname(ae),
			 archive_error_string(t->a));
	if (len && archive_write_data(t->a, data, len) < 0)
		tap_diag("write_data: %s", archive_error_string(t->a));
	archive_entry_free(ae);
}

static void tb_file(struct tb *t, const char *path, mode_t perm,
		    const char *content)
{
	struct archive_entry *ae = ent(path, AE_IFREG | perm);

	archive_entry_set_size(ae, (la_int64_t) strlen(content));
	tb_add(t, ae, content, strlen(content));
}

static void tb_dir(struct tb *t, const char *path, mode_t perm, time_t mtime)
{
	struct archive_entry *ae = ent(path, AE_IFDIR | perm);

	archive_entry_set_mtime(ae, mtime, 0);
	tb_add(t, ae, NULL, 0);
}

static void tb_symlink(struct tb *t, const char *path, const char *target)
{
	struct archive_entry *ae = ent(path, AE_IFLNK | 0777);

	archive_entry_set_symlink(ae, target);
	tb_add(t, ae, NULL, 0);
}

static void tb_hardlink(struct tb *t, const char *path, const char *target)
{
	struct archive_entry *ae = ent(path, AE_IFREG | 0644);

	archive_entry_set_hardlink(ae, target);
	tb_add(t, ae, NULL, 0);
}

static void tb_node(struct tb *t, const char *path, mode_t mode, unsigned maj,
		    unsigned min)
{
	struct archive_entry *ae = ent(path, mode);

	archive_entry_set_rdevmajor(ae, maj);
	archive_entry_set_rdevminor(ae, min);
	tb_add(t, ae, NULL, 0);
}

/* @tar compressed with @kind ("none", "gzip", "zstd") into @out. */
static void compress(const struct buf *tar, const char *kind, struct buf *out)
{
	struct archive *a;
	struct archive_entry *ae;
	int r = ARCHIVE_OK;

	buf_init(out, 0);
	if (strcmp(kind, "none") == 0) {
		buf_add(out, tar->s, tar->len);
		return;
	}
	a = archive_write_new();
	(void) archive_write_set_format_raw(a);
	if (strcmp(kind, "gzip") == 0)
		r = archive_write_add_filter_gzip(a);
	else
		r = archive_write_add_filter_zstd(a);
	/* no zero padding after the compressed stream */
	(void) archive_write_set_bytes_in_last_block(a, 1);
	if (r != ARCHIVE_OK ||
	    archive_write_open(a, out, NULL, tb_write, NULL) != ARCHIVE_OK)
		tap_skip_all("libarchive cannot compress");
	ae = ent("data", AE_IFREG | 0644);
	archive_write_header(a, ae);
	archive_entry_free(ae);
	if (tar->len && archive_write_data(a, tar->s, tar->len) < 0)
		tap_diag("compress: %s", archive_error_string(a));
	archive_write_close(a);
	archive_write_free(a);
}

static void sha256_hex(const void *data, size_t len, char out[72])
{
	unsigned char md[32];
	unsigned n = 0, i;
	int at = snprintf(out, 72, "sha256:");

	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	for (i = 0; i < n; i++)
		at += snprintf(out + at, 72 - (size_t) at, "%02x", md[i]);
}

/* ---- unpacking ------------------------------------------------------------
 */

struct run {
	int r;
	struct err *e;
	struct unpack_result res;
	char stage[PATH_MAX];
	int dfd; /* O_PATH fd of the staging dir */
};

static void run_release(struct run *x)
{
	err_free(x->e);
	x->e = NULL;
	closep(&x->dfd);
}

static const char *msg(const struct run *x)
{
	return x->e ? x->e->msg : "(no error)";
}

/* Feeds @blob through a pipe from a child, as the downloader does. */
static int pipe_blob(const struct buf *blob)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		size_t off = 0;

		close(p[0]);
		while (off < blob->len) {
			ssize_t n = write(p[1], blob->s + off, blob->len - off);

			if (n <= 0)
				_exit(n < 0 && errno == EPIPE ? 0 : 1);
			off += (size_t) n;
		}
		_exit(0);
	}
	close(p[1]);
	return p[0];
}

static int memfd_blob(const struct buf *blob)
{
	int fd = memfd_create("layer", MFD_CLOEXEC);

	if (fd < 0 || write(fd, blob->s, blob->len) != (ssize_t) blob->len ||
	    lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	return fd;
}

static void unpack_blob_opts(const struct buf *blob, const char *mt,
			     const struct unpack_opts *o, bool use_pipe,
			     struct run *x)
{
	_cleanup_close_ int fd = -1;

	memset(x, 0, sizeof(*x));
	x->dfd = -1;
	snprintf(x->stage, sizeof(x->stage), "%s/s%d", base, ++stage_seq);
	if (mkdir(x->stage, 0700) < 0 ||
	    (x->dfd = open(x->stage, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		tap_skip_all("cannot create a staging directory");
	fd = use_pipe ? pipe_blob(blob) : memfd_blob(blob);
	if (fd < 0)
		tap_skip_all("cannot feed the blob");
	x->r = layers_unpack(fd, mt, x->dfd, o, &x->res, &x->e);
	closep(&fd);
	if (use_pipe)
		while (waitpid(-1, NULL, 0) > 0)
			;
}

static void unpack_tar(const struct buf *tar, const char *kind, struct run *x)
{
	_cleanup_buf_ struct buf blob = BUF_INIT;
	const char *mt = strcmp(kind, "gzip") == 0   ? MT_GZIP
			 : strcmp(kind, "zstd") == 0 ? MT_ZSTD
						     : MT_TAR;

	compress(tar, kind, &blob);
	unpack_blob_opts(&blob, mt, &opts, true, x);
}

static __attribute__((format(printf, 2, 3))) void unpacked(const struct run *x,
							   const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!ok(x->r == 0, "%s", what))
		tap_diag("%s", msg(x));
}

/* ---- looking at the result ---------------------------------------------- */

static const char *P(const struct run *x, const char *rel)
{
	static char p[2][PATH_MAX + 64];
	static int i;

	i ^= 1;
	snprintf(p[i], sizeof(p[i]), "%s/%s", x->stage, rel);
	return p[i];
}

static bool lst(const char *path, struct stat *st)
{
	return lstat(path, st) == 0;
}

static bool exists(const char *path)
{
	struct stat st;

	return lst(path, &st);
}

static bool content_is(const char *path, const char *want)
{
	_cleanup_buf_ struct buf b = BUF_INIT;

	if (read_file(AT_FDCWD, path, &b, 1 << 20, NULL) < 0)
		return false;
	return b.len == strlen(want) && memcmp(b.s, want, b.len) == 0;
}

static bool xattr_is(const char *path, const char *name, const char *want)
{
	char v[256];
	ssize_t n = lgetxattr(path, name, v, sizeof(v) - 1);

	if (n < 0)
		return want == NULL && (errno == ENODATA || errno == ENOTSUP);
	v[n] = '\0';
	return want && strcmp(v, want) == 0;
}

static bool is_whiteout(const char *path)
{
	struct stat st;

	return lst(path, &st) && S_ISCHR(st.st_mode) && st.st_rdev == 0;
}

static bool outside_empty(void)
{
	_cleanup_closedir_ DIR *d = opendir(outside);
	struct dirent *de;

	if (!d)
		return false;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			return false;
	return true;
}

static bool base_has(const char *name)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/%s", base, name);
	return exists(p);
}

/* ---- tests ----------------------------------------------------------------
 */

static void build_basic(struct tb *t)
{
	tb_begin(t);
	tb_dir(t, "./", 0755, MTIME);
	tb_dir(t, "./etc/", 0755, 1500000000);
	tb_file(t, "./etc/hosts", 0644, "127.0.0.1 localhost\n");
	tb_file(t, "bin/tool", 0755, "#!/bin/sh\necho hi\n");
	tb_file(t, "bin/suid", 04755, "setuid");
	tb_file(t, "bin/sgid", 02711, "setgid");
	tb_dir(t, "tmp", 01777, MTIME);
	tb_symlink(t, "etc/abs", "/etc/passwd");
	tb_symlink(t, "etc/rel", "../bin/tool");
	tb_hardlink(t, "bin/tool2", "bin/tool");
	tb_node(t, "run/fifo", AE_IFIFO | 0640, 0, 0);
	tb_file(t, "empty", 0600, "");
	tb_end(t);
}

static void test_basic(const char *kind)
{
	struct tb t;
	struct run x;
	struct stat st, st2;
	char want[72];

	build_basic(&t);
	unpack_tar(&t.out, kind, &x);
	unpacked(&x, "%s/%s: basic layer unpacks", label, kind);
	sha256_hex(t.out.s, t.out.len, want);
	is_str(x.res.diffid, want, "diffid is the sha256 of the tar");
	is_int(x.res.size, t.out.len, "size is the tar's length");
	is_int(x.res.entries, 12, "12 entries");
	ok(content_is(P(&x, "etc/hosts"), "127.0.0.1 localhost\n"),
	   "etc/hosts has its exact content");
	ok(lst(P(&x, "bin/tool"), &st) && (st.st_mode & 07777) == 0755 &&
	       content_is(P(&x, "bin/tool"), "#!/bin/sh\necho hi\n"),
	   "bin/tool is 0755 with its content");
	ok(lst(P(&x, "bin/suid"), &st) && (st.st_mode & 07777) == 04755,
	   "setuid 4755 survives");
	ok(lst(P(&x, "bin/sgid"), &st) && (st.st_mode & 07777) == 02711,
	   "setgid 2711 survives");
	ok(lst(P(&x, "tmp"), &st) && S_ISDIR(st.st_mode) &&
	       (st.st_mode & 07777) == 01777,
	   "sticky dir 1777");
	ok(lst(P(&x, "etc"), &st) && st.st_mtime == 1500000000,
	   "dir mtime set after its contents");
	ok(lst(P(&x, "etc/hosts"), &st) && st.st_mtime == MTIME, "file mtime");
	ok(lst(P(&x, "bin"), &st) && (st.st_mode & 07777) == 0755,
	   "implicit parent dir is 0755");
	ok(lst(P(&x, "etc/abs"), &st) && S_ISLNK(st.st_mode) &&
	       st.st_mtime == MTIME,
	   "absolute symlink stored (with its mtime)");
	{
		char l[64] = "";
		ssize_t n = readlink(P(&x, "etc/abs"), l, sizeof(l) - 1);

		ok(n > 0 && strcmp(l, "/etc/passwd") == 0,
		   "absolute symlink target kept as is");
		n = readlink(P(&x, "etc/rel"), l, sizeof(l) - 1);
		l[n > 0 ? n : 0] = '\0';
		ok(strcmp(l, "../bin/tool") == 0, "relative symlink kept");
	}
	ok(lst(P(&x, "bin/tool"), &st) && lst(P(&x, "bin/tool2"), &st2) &&
	       st.st_ino == st2.st_ino && st.st_nlink == 2,
	   "hardlink: same inode, st_nlink 2");
	ok(lst(P(&x, "run/fifo"), &st) && S_ISFIFO(st.st_mode) &&
	       (st.st_mode & 0777) == 0640,
	   "fifo 0640");
	ok(lst(P(&x, "empty"), &st) && st.st_size == 0, "empty file");
	ok(lst(x.stage, &st) && (st.st_mode & 07777) == 0755 &&
	       st.st_mtime == MTIME,
	   "'./' entry applies to the layer root");
	run_release(&x);
	buf_release(&t.out);
}

static struct archive_entry *owned(struct archive_entry *ae)
{
	archive_entry_set_uid(ae, 1234);
	archive_entry_set_gid(ae, 5678);
	return ae;
}

static void test_owner(void)
{
	struct tb t;
	struct run x;
	struct stat st;
	struct archive_entry *ae;

	tb_begin(&t);
	ae = owned(ent("owned", AE_IFREG | 04750));
	archive_entry_set_size(ae, 2);
	tb_add(&t, ae, "ok", 2);
	tb_add(&t, owned(ent("odir", AE_IFDIR | 0750)), NULL, 0);
	ae = owned(ent("olink", AE_IFLNK | 0777));
	archive_entry_set_symlink(ae, "owned");
	tb_add(&t, ae, NULL, 0);
	tb_file(&t, "mine", 0644, "x");
	tb_end(&t);
	unpack_tar(&t.out, "gzip", &x);
	unpacked(&x, "%s: owned entries unpack", label);
	if (opts.squash_owner) {
		is_int(x.res.squashed, 3, "squash: 3 entries counted");
		ok(lst(P(&x, "owned"), &st) && st.st_uid == geteuid() &&
		       (st.st_mode & 07777) == 04750,
		   "squash: file stays the caller's, setuid kept");
	} else {
		is_int(x.res.squashed, 0, "no squash: none counted");
		ok(lst(P(&x, "owned"), &st) && st.st_uid == 1234 &&
		       st.st_gid == 5678 && (st.st_mode & 07777) == 04750,
		   "owner 1234:5678 applied, setuid after chown");
		ok(lst(P(&x, "odir"), &st) && st.st_uid == 1234 &&
		       (st.st_mode & 07777) == 0750,
		   "dir owner 1234:5678");
		ok(lst(P(&x, "olink"), &st) && S_ISLNK(st.st_mode) &&
		       st.st_uid == 1234,
		   "symlink owner set without following");
		ok(lst(P(&x, "owned"), &st) && st.st_uid == 1234,
		   "symlink target's owner untouched");
	}
	run_release(&x);
	buf_release(&t.out);
}

static void test_long_names(int format, const char *fname)
{
	struct tb t;
	struct run x;
	char name[256], path[320];

	memset(name, 'n', 250);
	name[250] = '\0';
	snprintf(path, sizeof(path), "%.60s/%.60s/%.60s/%.60s/%.50s", name,
		 name, name, name, name); /* 294 chars */
	tb_begin_fmt(&t, format);
	tb_file(&t, name, 0644, "long name");
	tb_file(&t, path, 0644, "long path");
	tb_symlink(&t, "ll", path);
	tb_end(&t);
	unpack_tar(&t.out, "none", &x);
	unpacked(&x, "%s: long names (%s)", label, fname);
	ok(content_is(P(&x, name), "long name"), "250-char file name");
	ok(content_is(P(&x, path), "long path"), "%zu-char path", strlen(path));
	{
		char l[PATH_MAX];
		ssize_t n = readlink(P(&x, "ll"), l, sizeof(l) - 1);

		l[n > 0 ? n : 0] = '\0';
		ok(strcmp(l, path) == 0, "long symlink target");
	}
	run_release(&x);
	buf_release(&t.out);
}

static void test_xattrs(void)
{
	struct tb t;
	struct run x;
	struct archive_entry *ae;

	tb_begin(&t);
	ae = ent("xf", AE_IFREG | 0644);
	archive_entry_xattr_add_entry(ae, "user.foo", "bar", 3);
	archive_entry_xattr_add_entry(ae, "user.overlay.redirect", "/x", 2);
	archive_entry_set_size(ae, 1);
	tb_add(&t, ae, "x", 1);
	ae = ent("xd", AE_IFDIR | 0755);
	archive_entry_xattr_add_entry(ae, "trusted.overlay.opaque", "y", 1);
	archive_entry_xattr_add_entry(ae, "user.dir", "d", 1);
	tb_add(&t, ae, NULL, 0);
	tb_end(&t);
	unpack_tar(&t.out, "zstd", &x);
	unpacked(&x, "%s: xattrs unpack", label);
	ok(xattr_is(P(&x, "xf"), "user.foo", "bar"), "user.foo kept");
	ok(xattr_is(P(&x, "xd"), "user.dir", "d"), "user.* on a dir kept");
	ok(xattr_is(P(&x, "xf"), "user.overlay.redirect", NULL),
	   "user.overlay.redirect stripped");
	ok(!is_root || xattr_is(P(&x, "xd"), "trusted.overlay.opaque", NULL),
	   "trusted.overlay.opaque stripped");
	is_int(x.res.stripped_xattrs, 2, "2 overlay xattrs counted");
	run_release(&x);
	buf_release(&t.out);
}

static void test_whiteouts(bool userxattr)
{
	struct unpack_opts saved = opts;
	const char *xn =
	    userxattr ? "user.overlay.opaque" : "trusted.overlay.opaque";
	struct tb t;
	struct run x;

	opts.userxattr = userxattr;
	tb_begin(&t);
	tb_file(&t, ".wh.gone", 0644, "");
	tb_dir(&t, "d", 0755, MTIME);
	tb_file(&t, "d/.wh..wh..opq", 0644, "");
	tb_file(&t, "d/new", 0644, "new");
	tb_file(&t, "deep/er/.wh.x", 0644, "");
	tb_file(&t, "nd/.wh..wh..opq", 0644, "");
	tb_file(&t, ".wh..wh.plnk", 0644, "");
	/* same layer, both orders: the file wins */
	tb_file(&t, ".wh.foo", 0644, "");
	tb_file(&t, "foo", 0644, "kept1");
	tb_file(&t, "bar", 0644, "kept2");
	tb_file(&t, ".wh.bar", 0644, "");
	tb_end(&t);
	unpack_tar(&t.out, "gzip", &x);
	unpacked(&x, "%s: whiteouts (%s)", label, xn);
	ok(is_whiteout(P(&x, "gone")), ".wh.gone is a 0:0 char device");
	ok(!exists(P(&x, ".wh.gone")), "no .wh.gone file");
	ok(xattr_is(P(&x, "d"), xn, "y"), "opaque dir gets %s=y", xn);
	ok(!exists(P(&x, "d/.wh..wh..opq")), "opaque marker not created");
	ok(content_is(P(&x, "d/new"), "new"), "opaque dir keeps its entries");
	ok(is_whiteout(P(&x, "deep/er/x")), "whiteout in implicit dirs");
	ok(xattr_is(P(&x, "nd"), xn, "y"), "opaque marker creates its dir");
	ok(!exists(P(&x, ".wh..wh.plnk")) && !exists(P(&x, "plnk")) &&
	       !exists(P(&x, ".wh.plnk")),
	   ".wh..wh.plnk ignored");
	ok(content_is(P(&x, "foo"), "kept1"),
	   "whiteout then file: the file wins");
	ok(content_is(P(&x, "bar"), "kept2"),
	   "file then whiteout: the file wins");
	run_release(&x);
	buf_release(&t.out);
	opts = saved;
}

static void test_devices(void)
{
	struct tb t;
	struct run x;
	struct stat st;

	tb_begin(&t);
	tb_node(&t, "dev/null", AE_IFCHR | 0666, 1, 3);
	tb_node(&t, "dev/loop0", AE_IFBLK | 0660, 7, 0);
	tb_node(&t, "wh", AE_IFCHR | 0000, 0, 0);
	tb_end(&t);
	unpack_tar(&t.out, "none", &x);
	unpacked(&x, "%s: device nodes", label);
	if (opts.rootless) {
		is_int(x.res.skipped_devices, 2, "rootless: 2 devices skipped");
		ok(!exists(P(&x, "dev/null")) && !exists(P(&x, "dev/loop0")),
		   "rootless: no device nodes created");
	} else {
		is_int(x.res.skipped_devices, 0, "root: nothing skipped");
		ok(lst(P(&x, "dev/null"), &st) && S_ISCHR(st.st_mode) &&
		       st.st_rdev == makedev(1, 3) &&
		       (st.st_mode & 0777) == 0666,
		   "root: char device 1:3 0666");
		ok(lst(P(&x, "dev/loop0"), &st) && S_ISBLK(st.st_mode) &&
		       st.st_rdev == makedev(7, 0),
		   "root: block device 7:0");
	}
	ok(is_whiteout(P(&x, "wh")), "a 0:0 char device (overlay whiteout) "
				     "is kept");
	run_release(&x);
	buf_release(&t.out);
}

static void test_dirs_and_replace(void)
{
	struct tb t;
	struct run x;
	struct stat st;

	tb_begin(&t);
	tb_file(&t, "x/y/file", 0644, "f");
	tb_dir(&t, "x", 0750, 1400000000);
	tb_dir(&t, "x/", 0711, 1450000000); /* repeated: the later wins */
	tb_dir(&t, "ro", 0555, MTIME);
	tb_file(&t, "ro/f", 0444, "in a read-only dir");
	tb_file(&t, "r", 0644, "one");
	tb_file(&t, "r", 0600, "two");
	tb_file(&t, "s", 0644, "file then dir");
	tb_dir(&t, "s", 0755, MTIME);
	tb_file(&t, "s/in", 0644, "in");
	tb_file(&t, "tdir/child", 0644, "c");
	tb_file(&t, "tdir", 0644, "dir then file");
	tb_file(&t, "a/./b/../c", 0644, "dots");
	tb_file(&t, "plain", 0644, "a file in the way");
	tb_file(&t, "plain/sub", 0644, "under");
	tb_file(&t, "caf\xc3\xa9", 0644, "utf-8");
	tb_end(&t);
	unpack_tar(&t.out, "gzip", &x);
	unpacked(&x, "%s: directories and replacements", label);
	ok(lst(P(&x, "x"), &st) && (st.st_mode & 07777) == 0711 &&
	       st.st_mtime == 1450000000,
	   "dir entry after its content, repeated: last metadata wins");
	ok(content_is(P(&x, "x/y/file"), "f"), "content before dir entry");
	ok(lst(P(&x, "ro"), &st) && (st.st_mode & 07777) == 0555 &&
	       content_is(P(&x, "ro/f"), "in a read-only dir"),
	   "read-only dir filled, then 0555");
	ok(lst(P(&x, "r"), &st) && (st.st_mode & 0777) == 0600 &&
	       content_is(P(&x, "r"), "two"),
	   "later file replaces an earlier one");
	ok(lst(P(&x, "s"), &st) && S_ISDIR(st.st_mode) &&
	       content_is(P(&x, "s/in"), "in"),
	   "dir replaces a file");
	ok(content_is(P(&x, "tdir"), "dir then file"), "file replaces a dir");
	ok(content_is(P(&x, "a/c"), "dots"), "inner ./ and .. normalised");
	ok(lst(P(&x, "plain"), &st) && S_ISDIR(st.st_mode) &&
	       content_is(P(&x, "plain/sub"), "under"),
	   "a file in the way of a parent is replaced (bsdtar)");
	ok(content_is(P(&x, "caf\xc3\xa9"), "utf-8"),
	   "UTF-8 name kept byte for byte");
	run_release(&x);
	buf_release(&t.out);
}

static void test_sparse(void)
{
	struct tb t;
	struct run x;
	struct archive_entry *ae;
	struct stat st;
	static char data[1 << 20]; /* the logical content, holes too */
	_cleanup_buf_ struct buf got = BUF_INIT;
	size_t i;

	memset(data, 'A', 4096);
	memset(data + (1 << 19), 'B', 4096);
	tb_begin_fmt(&t, ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE);
	ae = ent("sparse", AE_IFREG | 0644);
	archive_entry_set_size(ae, 1 << 20);
	archive_entry_sparse_add_entry(ae, 0, 4096);
	archive_entry_sparse_add_entry(ae, 1 << 19, 4096);
	if (archive_write_header(t.a, ae) < ARCHIVE_WARN)
		tap_diag("sparse write: %s", archive_error_string(t.a));
	/* the pax writer skips the holes' bytes itself */
	for (i = 0; i < sizeof(data);) {
		la_ssize_t n =
		    archive_write_data(t.a, data + i, sizeof(data) - i);

		if (n <= 0)
			break;
		i += (size_t) n;
	}
	archive_entry_free(ae);
	tb_end(&t);
	unpack_tar(&t.out, "none", &x);
	unpacked(&x, "%s: sparse file", label);
	ok(lst(P(&x, "sparse"), &st) && st.st_size == 1 << 20,
	   "sparse file has its full size");
	ok(read_file(AT_FDCWD, P(&x, "sparse"), &got, 2 << 20, NULL) == 0 &&
	       got.len == 1 << 20 && got.s[0] == 'A' && got.s[4096] == 0 &&
	       got.s[1 << 19] == 'B' && got.s[(1 << 20) - 1] == 0,
	   "sparse data at its offsets, holes read as zeros");
	ok(lst(P(&x, "sparse"), &st) && st.st_blocks * 512 < 256 * 1024,
	   "holes stay holes (%lld blocks)", (long long) st.st_blocks);
	run_release(&x);
	buf_release(&t.out);
}

static void test_diffid(void)
{
	struct unpack_opts o = opts;
	_cleanup_buf_ struct buf blob = BUF_INIT;
	struct tb t;
	struct run x;
	char want[72];

	tb_begin(&t);
	tb_file(&t, "a", 0644, "a");
	tb_end(&t);
	/* trailing bytes after the tar's end are part of the diffid */
	buf_add(&t.out, "trailing garbage", 16);
	sha256_hex(t.out.s, t.out.len, want);
	compress(&t.out, "gzip", &blob);
	o.expected_diffid = want;
	unpack_blob_opts(&blob, MT_DOCKER, &o, false, &x);
	unpacked(&x,
		 "%s: expected diffid matches (memfd, docker type, "
		 "trailing data)",
		 label);
	is_str(x.res.diffid, want, "diffid covers the trailing bytes");
	run_release(&x);

	o.expected_diffid = "sha256:0000000000000000000000000000000000000000"
			    "000000000000000000000000";
	unpack_blob_opts(&blob, MT_GZIP, &o, true, &x);
	ok(x.r < 0 && x.e &&
	       strstr(x.e->msg, "layer diffid mismatch: "
				"expected sha256:0000") &&
	       strstr(x.e->msg, want),
	   "diffid mismatch fails");
	tap_diag("%s", msg(&x));
	run_release(&x);

	buf_reset(&blob);
	unpack_blob_opts(&blob, MT_TAR, &opts, true, &x);
	sha256_hex("", 0, want);
	ok(x.r == 0 && strcmp(x.res.diffid, want) == 0 && x.res.entries == 0,
	   "an empty uncompressed blob is an empty layer");
	run_release(&x);

	unpack_blob_opts(&blob, "application/vnd.oci.image.config.v1+json",
			 &opts, true, &x);
	ok(x.r < 0 && strstr(msg(&x), "unsupported media type"),
	   "unknown media type refused");
	tap_diag("%s", msg(&x));
	run_release(&x);
	buf_release(&t.out);
}

/* ---- hostile layers -------------------------------------------------------
 */

/* Unpacks @tar (gzip) and expects an error mentioning @want. */
static void refused(struct tb *t, const char *what, const char *want)
{
	struct run x;

	tb_end(t);
	unpack_tar(&t->out, "gzip", &x);
	ok(x.r < 0 && x.e && strstr(x.e->msg, want) &&
	       strncmp(x.e->msg, "cannot unpack layer: ", 21) == 0,
	   "%s: %s refused", label, what);
	tap_diag("%s", msg(&x));
	ok(outside_empty() && !base_has("escape") && !base_has("x") &&
	       !exists("/etc/husk-test-abs"),
	   "nothing written outside");
	run_release(&x);
	buf_release(&t->out);
}

static void test_hostile(void)
{
	struct tb t;
	struct run x;
	struct stat st, pw;

	tb_begin(&t);
	tb_file(&t, "../escape", 0644, "x");
	refused(&t, "'../escape'", "unsafe path '../escape'");

	tb_begin(&t);
	tb_file(&t, "a/../../escape", 0644, "x");
	refused(&t, "'a/../../escape'", "unsafe path 'a/../../escape'");

	tb_begin(&t);
	tb_symlink(&t, "evil", outside);
	tb_file(&t, "evil/file", 0644, "x");
	refused(&t, "write through a symlink", "unsafe path 'evil/file'");

	tb_begin(&t);
	tb_dir(&t, "d", 0755, MTIME);
	tb_symlink(&t, "d", outside); /* replaces the dir */
	tb_file(&t, "d/file", 0644, "x");
	refused(&t, "dir replaced by a symlink", "'d' is a symlink");

	tb_begin(&t);
	tb_symlink(&t, "up", "..");
	tb_file(&t, "up/x", 0644, "x");
	refused(&t, "'up -> ..' then 'up/x'", "'up' is a symlink");

	tb_begin(&t);
	tb_symlink(&t, "evil", outside);
	tb_file(&t, "evil/.wh.x", 0644, "");
	refused(&t, "whiteout through a symlink", "'evil' is a symlink");

	tb_begin(&t);
	tb_symlink(&t, "evil", outside);
	tb_file(&t, "evil/.wh..wh..opq", 0644, "");
	refused(&t, "opaque marker through a symlink", "'evil' is a symlink");

	tb_begin(&t);
	tb_symlink(&t, "evil", outside);
	tb_dir(&t, "evil/sub", 0755, MTIME);
	refused(&t, "mkdir through a symlink", "'evil' is a symlink");

	tb_begin(&t);
	tb_hardlink(&t, "h", "../../etc/passwd");
	refused(&t, "hardlink to '../../etc/passwd'",
		"unsafe path '../../etc/passwd'");

	tb_begin(&t);
	tb_symlink(&t, "s", "/etc");
	tb_hardlink(&t, "h2", "s/passwd");
	refused(&t, "hardlink through a symlink", "'s' is a symlink");

	tb_begin(&t);
	tb_hardlink(&t, "h3", "absent");
	refused(&t, "hardlink to an absent file", "does not exist");

	/* absolute names are stripped (bsdtar), not written to the host */
	tb_begin(&t);
	tb_file(&t, "/etc/husk-test-abs", 0644, "abs");
	tb_hardlink(&t, "/abs-link", "/etc/husk-test-abs");
	tb_end(&t);
	unpack_tar(&t.out, "gzip", &x);
	unpacked(&x, "%s: absolute names unpack inside", label);
	ok(content_is(P(&x, "etc/husk-test-abs"), "abs") &&
	       content_is(P(&x, "abs-link"), "abs") &&
	       !exists("/etc/husk-test-abs"),
	   "'/etc/husk-test-abs' became 'etc/husk-test-abs'");
	run_release(&x);
	buf_release(&t.out);

	/* a hardlink to a symlink links the symlink, not its target */
	lst("/etc/passwd", &pw);
	tb_begin(&t);
	tb_symlink(&t, "pl", "/etc/passwd");
	tb_hardlink(&t, "hl", "pl");
	tb_end(&t);
	unpack_tar(&t.out, "none", &x);
	ok(x.r == 0 && lst(P(&x, "hl"), &st) && S_ISLNK(st.st_mode) &&
	       lst("/etc/passwd", &st) && st.st_nlink == pw.st_nlink,
	   "%s: hardlink to a symlink links the symlink itself", label);
	run_release(&x);
	buf_release(&t.out);
}

/* A ustar header by hand: libarchive would pad the data it did not get. */
static void ustar_header(char h[512], const char *name, unsigned long long size)
{
	unsigned sum = 0;
	int i;

	memset(h, 0, 512);
	snprintf(h, 100, "%s", name);
	snprintf(h + 100, 8, "%07o", 0644);
	snprintf(h + 108, 8, "%07o", 0);
	snprintf(h + 116, 8, "%07o", 0);
	snprintf(h + 124, 12, "%011llo", size);
	snprintf(h + 136, 12, "%011o", MTIME);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += (unsigned char) h[i];
	snprintf(h + 148, 8, "%06o", sum);
}

static void test_broken_streams(void)
{
	_cleanup_buf_ struct buf blob = BUF_INIT;
	_cleanup_buf_ struct buf huge = BUF_INIT;
	struct tb t;
	struct run x;
	struct rusage ru;
	char h[512];
	size_t i;

	build_basic(&t);
	compress(&t.out, "gzip", &blob);
	buf_setlen(&blob, blob.len / 2);
	unpack_blob_opts(&blob, MT_GZIP, &opts, true, &x);
	ok(x.r < 0 && strstr(msg(&x), "gzip"),
	   "%s: truncated gzip stream fails", label);
	tap_diag("%s", msg(&x));
	run_release(&x);
	buf_release(&blob);

	/* cut in the middle of the deflate data of a bigger layer */
	buf_release(&t.out);
	tb_begin(&t);
	for (i = 0; i < (1 << 20); i++)
		buf_addch(&blob, (char) (i * 2654435761u >> 24));
	{
		struct archive_entry *ae = ent("big", AE_IFREG | 0644);

		archive_entry_set_size(ae, (la_int64_t) blob.len);
		tb_add(&t, ae, blob.s, blob.len);
	}
	tb_end(&t);
	buf_release(&blob);
	compress(&t.out, "gzip", &blob);
	buf_setlen(&blob, blob.len / 2);
	unpack_blob_opts(&blob, MT_GZIP, &opts, true, &x);
	ok(x.r < 0 && strstr(msg(&x), "truncated gzip stream"),
	   "gzip stream cut in the middle fails");
	tap_diag("%s", msg(&x));
	run_release(&x);
	buf_release(&blob);

	compress(&t.out, "zstd", &blob);
	buf_setlen(&blob, blob.len / 2);
	unpack_blob_opts(&blob, MT_ZSTD, &opts, true, &x);
	ok(x.r < 0 && strstr(msg(&x), "truncated zstd stream"),
	   "zstd stream cut in the middle fails");
	tap_diag("%s", msg(&x));
	run_release(&x);
	buf_release(&blob);

	/*
	 * Flipped bytes inside a raw (incompressible) zstd block decode
	 * "fine" to other bytes: the expected diffid is what catches them.
	 */
	compress(&t.out, "zstd", &blob);
	blob.s[blob.len / 2] ^= 0x55;
	blob.s[blob.len / 2 + 1] ^= 0x55;
	{
		struct unpack_opts o = opts;
		char want[72];

		sha256_hex(t.out.s, t.out.len, want);
		o.expected_diffid = want;
		unpack_blob_opts(&blob, MT_ZSTD, &o, true, &x);
	}
	ok(x.r < 0, "corrupt zstd stream fails (error or diffid mismatch)");
	tap_diag("%s", msg(&x));
	run_release(&x);
	buf_release(&blob);
	buf_release(&t.out);

	for (i = 0; i < 20000; i++)
		buf_addch(&blob, (char) (i * 7919 % 251 + 1));
	unpack_blob_opts(&blob, MT_TAR, &opts, true, &x);
	ok(x.r < 0 && strstr(msg(&x), "cannot unpack layer: not a tar archive"),
	   "garbage (not a tar) fails");
	tap_diag("%s", msg(&x));
	run_release(&x);
	unpack_blob_opts(&blob, MT_GZIP, &opts, true, &x);
	ok(x.r < 0, "garbage announced as gzip fails");
	tap_diag("%s", msg(&x));
	run_release(&x);
	buf_release(&blob);

	/* 8 GiB declared, 4 MiB present: an error, and memory stays small */
	ustar_header(h, "huge", 077777777777ULL);
	buf_add(&huge, h, 512);
	for (i = 0; i < 4 << 20; i++)
		buf_addch(&huge, 'z');
	compress(&huge, "gzip", &blob);
	unpack_blob_opts(&blob, MT_GZIP, &opts, true, &x);
	ok(x.r < 0 && strstr(msg(&x), "'huge'"),
	   "huge declared size with truncated data fails");
	tap_diag("%s", msg(&x));
	getrusage(RUSAGE_SELF, &ru);
	ok(ru.ru_maxrss < RSS_LIMIT_KIB, "bounded memory (max rss %ld KiB)",
	   ru.ru_maxrss);
	run_release(&x);
}

static void suite(void)
{
	test_basic("none");
	test_basic("gzip");
	test_basic("zstd");
	test_owner();
	test_long_names(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, "pax");
	test_long_names(ARCHIVE_FORMAT_TAR_GNUTAR, "gnu");
	test_xattrs();
	if (!opts.userxattr)
		test_whiteouts(false);
	test_whiteouts(true);
	test_devices();
	test_dirs_and_replace();
	test_sparse();
	test_diffid();
	test_hostile();
	test_broken_streams();
}

/* uid_map "0 UID 1": root in a namespace of one id, as a rootless pull. */
static void write_proc(const char *path, const char *text)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		tap_skip_all("cannot set up the user namespace");
}

static void enter_userns(void)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (unshare(CLONE_NEWUSER) < 0)
		tap_skip_all("cannot create a user namespace");
	write_proc("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned) uid);
	write_proc("/proc/self/uid_map", map);
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned) gid);
	write_proc("/proc/self/gid_map", map);
}

int main(void)
{
	is_root = geteuid() == 0;
	umask(022);
	if (!mkdtemp(base))
		tap_skip_all("cannot create a temporary directory");
	snprintf(outside, sizeof(outside), "%s/outside", base);
	if (mkdir(outside, 0755) < 0)
		tap_skip_all("cannot create the outside directory");
	if (!is_root)
		enter_userns();

	if (is_root) {
		label = "root";
		opts = (struct unpack_opts){0};
		suite();
	}
	label = "rootless";
	opts = (struct unpack_opts){
	    .rootless = true, .squash_owner = true, .userxattr = true};
	suite();

	/* The walk that replaces openat2 on old kernels. */
	label = "fallback";
	fs_force_fallback = 1;
	test_basic("gzip");
	test_whiteouts(true);
	test_hostile();
	fs_force_fallback = 0;

	if (rm_rf_at(AT_FDCWD, base, NULL) < 0)
		tap_diag("could not remove %s", base);
	return tap_done();
}
