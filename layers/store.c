/* The image store: layout, scratch directories, commits, index.json. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/crypto_dl.h"

#include "layers/store.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/lock.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define INDEX_MAX (64u << 20)
static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
static const char empty_index[] =
	"{\"schemaVersion\":2,\"mediaType\":"
	"\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}";

bool store_digest_valid(const char *d)
{
	if (!d || strncmp(d, "sha256:", 7) || strlen(d) != 71)
		return false;
	for (d += 7; *d; d++)
		if (!((*d >= '0' && *d <= '9') || (*d >= 'a' && *d <= 'f')))
			return false;
	return true;
}

char *store_blob_rel(const char *digest)
{
	if (!store_digest_valid(digest))
		return NULL;
	return xasprintf("blobs/sha256/%s", digest + 7);
}

char *store_layer_rel(const char *diffid)
{
	if (!store_digest_valid(diffid))
		return NULL;
	return xasprintf("layers/%s", diffid + 7);
}

static bool exists_at(int dirfd, const char *rel)
{
	struct stat st;

	return rel && fstatat(dirfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

bool store_has_blob(struct store *s, const char *digest)
{
	_cleanup_free_ char *rel = store_blob_rel(digest);

	return exists_at(s->rootfd, rel);
}

bool store_has_layer(struct store *s, const char *diffid)
{
	_cleanup_free_ char *rel = store_layer_rel(diffid);

	return exists_at(s->rootfd, rel);
}

int store_lock(struct store *s, const char *name, bool exclusive,
	       struct err **e)
{
	_cleanup_free_ char *path = xasprintf("%s/locks/%s.lock", s->root, name);

	return lock_open(path, exclusive ? LOCK_EX : LOCK_SH, -1, e);
}

/* Removes tmp/X.lock + tmp/X of processes that no longer hold the lock. */
static void reap_scratch(struct store *s)
{
	_cleanup_close_ int fd = openat(s->rootfd, "tmp",
					O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	if (fd < 0 || !(d = fdopendir(fd)))
		return;
	TAKE_FD(fd);
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		_cleanup_free_ char *path = NULL, *dir = NULL;
		_cleanup_close_ int l = -1;

		if (n < 6 || strcmp(de->d_name + n - 5, ".lock"))
			continue;
		path = xasprintf("%s/tmp/%s", s->root, de->d_name);
		l = lock_open(path, LOCK_EX, 0, NULL);
		if (l < 0)
			continue; /* alive */
		dir = xstrndup(de->d_name, n - 5);
		if (rm_rf_at(dirfd(d), dir, NULL) == 0)
			(void) unlinkat(dirfd(d), de->d_name, 0);
	}
}

static int create_layout(struct store *s, struct err **e)
{
	static const char *const dirs[] = { "blobs", "blobs/sha256", "layers",
					    "tmp", "locks" };

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (mkdirat(s->rootfd, dirs[i], 0700) < 0 && errno != EEXIST)
			return err_make(e, errno, "cannot create '%s/%s'",
					s->root, dirs[i]);
	int l, rc = 0;

	if (exists_at(s->rootfd, "oci-layout") &&
	    exists_at(s->rootfd, "index.json"))
		return 0;
	/* two first writers at once: the index lock makes one of them do it
	 * (atomic_write_file's NAME.tmp is not safe for concurrent writers) */
	l = store_lock(s, "index", true, e);
	if (l < 0)
		return -1;
	if (!exists_at(s->rootfd, "oci-layout"))
		rc = atomic_write_file(s->rootfd, "oci-layout", layout,
				       sizeof(layout) - 1, 0644, e);
	if (rc >= 0 && !exists_at(s->rootfd, "index.json"))
		rc = atomic_write_file(s->rootfd, "index.json", empty_index,
				       sizeof(empty_index) - 1, 0644, e);
	lock_release(l);
	return rc;
}

int store_open(struct store *s, const char *root, bool writable,
	       struct err **e)
{
	s->root = xstrdup(root);
	s->rootfd = -1;
	s->scratch = NULL;
	s->scratch_lock = -1;
	s->seq = 0;
	pthread_mutex_init(&s->mu, NULL);
	if (writable && mkdir_p(root, 0700, e) < 0)
		return err_wrap(e, "cannot create the store '%s'", root);
	s->rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->rootfd < 0)
		return err_make(e, errno, "cannot open the store '%s'", root);
	if (!writable)
		return 0;
	if (mkdirat(s->rootfd, "locks", 0700) < 0 && errno != EEXIST)
		return err_make(e, errno, "cannot create '%s/locks'", root);
	if (create_layout(s, e) < 0)
		return -1;
	reap_scratch(s);
	return 0;
}

void store_close(struct store *s)
{
	if (s->scratch) {
		_cleanup_free_ char *lock = xasprintf("%s.lock", s->scratch);

		(void) rm_rf_at(s->rootfd, s->scratch, NULL);
		(void) unlinkat(s->rootfd, lock, 0);
	}
	if (s->scratch_lock >= 0)
		lock_release(s->scratch_lock);
	if (s->rootfd >= 0)
		(void) close(s->rootfd);
	free(s->scratch);
	free(s->root);
	s->root = s->scratch = NULL;
	s->rootfd = s->scratch_lock = -1;
}

/* The scratch directory is made on first use: readers never need one. */
static int ensure_scratch(struct store *s, struct err **e)
{
	_cleanup_free_ char *name = NULL, *lock = NULL;
	unsigned r;

	if (s->scratch)
		return 0;
	if (getentropy(&r, sizeof(r)) < 0)
		r = (unsigned)getpid();
	name = xasprintf("tmp/%d.%08x", (int)getpid(), r);
	lock = xasprintf("%s/%s.lock", s->root, name);
	/* lock first: a directory without a held lock is fair game */
	s->scratch_lock = lock_open(lock, LOCK_EX, 0, e);
	if (s->scratch_lock < 0)
		return -1;
	if (mkdirat(s->rootfd, name, 0700) < 0)
		return err_make(e, errno, "cannot create '%s/%s'", s->root, name);
	s->scratch = TAKE_PTR(name);
	return 0;
}

int store_scratch_name(struct store *s, const char *prefix, char **out,
		       struct err **e)
{
	int rc;

	(void) pthread_mutex_lock(&s->mu);
	rc = ensure_scratch(s, e);
	if (rc >= 0)
		*out = xasprintf("%s/%s-%u", s->scratch, prefix, s->seq++);
	(void) pthread_mutex_unlock(&s->mu);
	return rc;
}

static int fsync_parent(struct store *s, const char *rel)
{
	_cleanup_free_ char *dir = xstrdup(rel);
	char *slash = strrchr(dir, '/');
	_cleanup_close_ int fd = -1;

	if (slash)
		*slash = '\0';
	fd = openat(s->rootfd, slash ? dir : ".",
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd >= 0 ? fsync(fd) : -1;
}

int store_commit(struct store *s, const char *tmp, const char *rel,
		 struct err **e)
{
	if (renameat2(s->rootfd, tmp, s->rootfd, rel, RENAME_NOREPLACE) < 0) {
		if (errno != EEXIST && errno != ENOTEMPTY)
			return err_make(e, errno, "cannot move '%s' into place",
					rel);
		/* another process finished the same thing first: theirs wins */
		return rm_rf_at(s->rootfd, tmp, e);
	}
	(void) fsync_parent(s, rel);
	return 0;
}

static char *sha256_hex(const void *data, size_t len)
{
	unsigned char md[32];
	unsigned int n = 0;
	char *out = xmalloc(72);

	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL))
		oom();
	memcpy(out, "sha256:", 7);
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
	return out;
}

int store_put_blob(struct store *s, const char *digest, const void *data,
		   size_t len, struct err **e)
{
	_cleanup_free_ char *rel = store_blob_rel(digest);
	_cleanup_free_ char *got = sha256_hex(data, len);
	_cleanup_free_ char *tmp = NULL;

	if (!rel)
		return err_make(e, 0, "invalid digest '%s'", digest);
	if (strcmp(got, digest))
		return err_make(e, 0, "digest mismatch: expected %s, got %s",
				digest, got);
	if (exists_at(s->rootfd, rel))
		return 0;
	if (store_scratch_name(s, "blob", &tmp, e) < 0 ||
	    atomic_write_file(s->rootfd, tmp, data, len, 0644, e) < 0)
		return -1;
	return store_commit(s, tmp, rel, e);
}

int store_get_blob(struct store *s, const char *digest, size_t max,
		   struct buf *out, struct err **e)
{
	_cleanup_free_ char *rel = store_blob_rel(digest);
	_cleanup_free_ char *got = NULL;
	size_t start = out->len;

	if (!rel)
		return err_make(e, 0, "invalid digest '%s'", digest);
	if (read_file(s->rootfd, rel, out, max, e) < 0)
		return -1;
	got = sha256_hex(out->s + start, out->len - start);
	if (strcmp(got, digest)) {
		buf_setlen(out, start);
		return err_make(e, 0, "blob '%s' is corrupt (its content hashes to %s)",
				digest, got);
	}
	return 0;
}

int store_index_read(struct store *s, cJSON **out, struct err **e)
{
	_cleanup_err_ struct err *inner = NULL;

	if (json_read_file(s->rootfd, "index.json", INDEX_MAX, out, &inner) < 0) {
		if (inner->errnum != ENOENT) {
			*e = TAKE_PTR(inner);
			return err_wrap(e, "cannot read '%s/index.json'", s->root);
		}
		/* a store not yet written to: no images */
		*out = cJSON_Parse(empty_index);
		if (!*out)
			oom();
	}
	if (!cJSON_IsArray(cJSON_GetObjectItem(*out, "manifests"))) {
		cJSON_Delete(TAKE_PTR(*out));
		return err_make(e, 0, "'%s/index.json' has no manifests array",
				s->root);
	}
	return 0;
}

static const char *entry_name(const cJSON *desc)
{
	return json_str(json_obj(desc, "annotations"),
			"org.opencontainers.image.ref.name");
}

/* Drops entries named NAME from INDEX; returns how many. */
static int drop_named(cJSON *index, const char *name)
{
	cJSON *m = cJSON_GetObjectItem(index, "manifests");
	int n = 0;

	for (int i = cJSON_GetArraySize(m) - 1; i >= 0; i--) {
		const char *en = entry_name(cJSON_GetArrayItem(m, i));

		if (en && !strcmp(en, name)) {
			cJSON_DeleteItemFromArray(m, i);
			n++;
		}
	}
	return n;
}

/* Read-modify-write of index.json under the index lock. */
static int index_update(struct store *s, const char *name, cJSON *desc,
			struct err **e)
{
	_cleanup_cjson_ cJSON *index = NULL;
	int l = store_lock(s, "index", true, e), n;

	if (l < 0)
		return -1;
	if (store_index_read(s, &index, e) < 0) {
		lock_release(l);
		cJSON_Delete(desc);
		return -1;
	}
	n = drop_named(index, name);
	if (desc)
		cJSON_AddItemToArray(cJSON_GetObjectItem(index, "manifests"),
				     desc);
	if (json_write_file(s->rootfd, "index.json", index, 0644, e) < 0)
		n = err_wrap(e, "cannot update '%s/index.json'", s->root);
	lock_release(l);
	return n;
}

int store_index_put(struct store *s, const char *name, cJSON *desc,
		    struct err **e)
{
	int r = index_update(s, name, desc, e);

	return r < 0 ? r : 0;
}

int store_index_remove(struct store *s, const char *name, struct err **e)
{
	return index_update(s, name, NULL, e);
}

int store_remove(struct store *s, const char *rel, struct err **e)
{
	_cleanup_free_ char *tmp = NULL;

	if (!exists_at(s->rootfd, rel))
		return 0;
	if (store_scratch_name(s, "trash", &tmp, e) < 0)
		return -1;
	if (renameat(s->rootfd, rel, s->rootfd, tmp) < 0)
		return errno == ENOENT ? 0
				       : err_make(e, errno, "cannot remove '%s'", rel);
	(void) fsync_parent(s, rel);
	return rm_rf_at(s->rootfd, tmp, e);
}

int store_idmap_check(struct store *s, const char *uidmap, const char *gidmap,
		      bool *differs, struct err **e)
{
	_cleanup_cjson_ cJSON *cur = NULL, *rec = NULL;
	_cleanup_err_ struct err *inner = NULL;
	int l;

	*differs = false;
	if (json_read_file(s->rootfd, "store.json", 1 << 16, &cur, &inner) >= 0) {
		*differs = strcmp(json_str(cur, "uidmap") ?: "", uidmap) ||
			   strcmp(json_str(cur, "gidmap") ?: "", gidmap);
		return 0;
	}
	if (inner->errnum != ENOENT) {
		*e = TAKE_PTR(inner);
		return err_wrap(e, "cannot read '%s/store.json'", s->root);
	}
	l = store_lock(s, "index", true, e);
	if (l < 0)
		return -1;
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "uidmap", uidmap);
	cJSON_AddStringToObject(rec, "gidmap", gidmap);
	if (json_write_file(s->rootfd, "store.json", rec, 0644, e) < 0) {
		lock_release(l);
		return err_wrap(e, "cannot write '%s/store.json'", s->root);
	}
	lock_release(l);
	return 0;
}
