/*
 * Volumes on disk: volumes/NAME/{volume.json,_data}. The contract is in
 * volume/volume.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctr/ctr.h"
#include "layers/image.h"
#include "layers/store.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/lock.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "volume/volume.h"
#include "lib/banned.h"

#define DIR_VOLUMES "volumes"
#define NEW_PREFIX ".new-"
#define RM_PREFIX ".rm-"
#define NAME_MAX_LEN 128

void volume_release(struct volume *v)
{
	free(v->name);
	free(v->mountpoint);
	cJSON_Delete(v->labels);
	cJSON_Delete(v->options);
	free(v->type);
	free(v->device);
	free(v->mount_opts);
	memset(v, 0, sizeof(*v));
}

bool volume_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n < 2 || n > NAME_MAX_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9');

		if (!alnum && (i == 0 || (ch != '_' && ch != '.' && ch != '-')))
			return false;
	}
	return true;
}

/* ---- options ------------------------------------------------------------- */

/* "size=10m,bind,mode=1777" without "bind" (and tells whether it was). */
static char *strip_bind(const char *o, bool *bind)
{
	_cleanup_free_ char *copy = xstrdup(o ? o : "");
	struct buf b = BUF_INIT;
	char *save = NULL, *t;

	*bind = false;
	for (t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "bind") || !strcmp(t, "rbind")) {
			*bind = true;
			continue;
		}
		buf_addf(&b, "%s%s", b.len ? "," : "", t);
	}
	return buf_detach(&b, NULL);
}

int volume_check_options(const cJSON *opts, struct err **e)
{
	const char *type = json_str(opts, "type"), *dev = json_str(opts, "device");
	_cleanup_free_ char *rest = NULL;
	const cJSON *it;
	bool bind;

	cJSON_ArrayForEach(it, opts) {
		if (strcmp(it->string, "type") && strcmp(it->string, "device") &&
		    strcmp(it->string, "o"))
			return err_cause(e, EINVAL, "unknown option '%s' (the "
					 "local driver takes type, device and "
					 "o)", it->string);
		if (!cJSON_IsString(it))
			return err_cause(e, EINVAL, "option '%s' is not a string",
					 it->string);
	}
	rest = strip_bind(json_str(opts, "o"), &bind);
	if (!type && !dev && !json_str(opts, "o"))
		return 0;
	if (!type)
		return err_cause(e, EINVAL, "missing option 'type' (tmpfs, or "
				 "none with o=bind)");
	if (!strcmp(type, "tmpfs")) {
		if (bind)
			return err_cause(e, EINVAL, "o=bind needs type=none");
		if (dev && strcmp(dev, "tmpfs"))
			return err_cause(e, EINVAL, "a tmpfs volume has "
					 "device=tmpfs, not '%s'", dev);
		return 0;
	}
	if (!strcmp(type, "none")) {
		if (!bind || !dev || dev[0] != '/')
			return err_cause(e, EINVAL, "type=none needs o=bind and "
					 "an absolute device=PATH");
		if (rest[0])
			return err_cause(e, EINVAL, "unsupported option 'o=%s' "
					 "for a bind volume", rest);
		return 0;
	}
	return err_cause(e, EINVAL, "unsupported volume type '%s': husk's "
			 "local driver mounts tmpfs, or none with o=bind", type);
}

static void fill_from_options(struct volume *v)
{
	const char *type = json_str(v->options, "type");
	bool bind;

	if (!type)
		return;
	v->type = xstrdup(type);
	v->mount_opts = strip_bind(json_str(v->options, "o"), &bind);
	if (json_str(v->options, "device"))
		v->device = xstrdup(json_str(v->options, "device"));
}

/* ---- volume.json ----------------------------------------------------------- */

static cJSON *meta_json(const struct volume *v)
{
	cJSON *o = cJSON_CreateObject();
	char t[64];

	cJSON_AddStringToObject(o, "name", v->name);
	ctr_time_format(v->created, t, sizeof(t));
	cJSON_AddStringToObject(o, "createdAt", t);
	cJSON_AddItemToObject(o, "labels", cJSON_Duplicate(v->labels, true));
	cJSON_AddItemToObject(o, "options", cJSON_Duplicate(v->options, true));
	cJSON_AddBoolToObject(o, "anonymous", v->anonymous);
	return o;
}

static int meta_load(struct store *s, int dfd, const char *name,
		     struct volume *v, struct err **e)
{
	_cleanup_cjson_ cJSON *o = NULL;
	const char *t;

	if (json_read_file(dfd, "volume.json", 1 << 20, &o, e) < 0)
		return -1;
	t = json_str(o, "createdAt");
	if (!cJSON_IsObject(o) || !json_str(o, "name") ||
	    strcmp(json_str(o, "name"), name) || !t ||
	    ctr_time_parse(t, &v->created) < 0) {
		return err_cause(e, EINVAL, "malformed volume.json of volume "
				 "'%s'", name);
	}
	v->name = xstrdup(name);
	v->mountpoint = xasprintf("%s/" DIR_VOLUMES "/%s/_data", s->root, name);
	v->labels = cJSON_IsObject(json_obj(o, "labels")) ?
		cJSON_Duplicate(json_obj(o, "labels"), true) :
		cJSON_CreateObject();
	v->options = cJSON_IsObject(json_obj(o, "options")) ?
		cJSON_Duplicate(json_obj(o, "options"), true) :
		cJSON_CreateObject();
	v->anonymous = cJSON_IsTrue(cJSON_GetObjectItem(o, "anonymous"));
	fill_from_options(v);
	return 0;
}

int volume_get(struct store *s, const char *name, struct volume *v,
	       struct err **e)
{
	_cleanup_free_ char *rel = xasprintf(DIR_VOLUMES "/%s", name);
	_cleanup_close_ int dfd = -1;

	memset(v, 0, sizeof(*v));
	if (!volume_name_valid(name))
		return err_cause(e, EINVAL, "invalid volume name '%s': only "
				 "[a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, at "
				 "least two", name);
	dfd = openat(s->rootfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
				      O_CLOEXEC);
	if (dfd < 0 && errno == ENOENT)
		return err_cause(e, ENOENT, "no such volume '%s'", name);
	if (dfd < 0)
		return err_make(e, errno, "cannot open volume '%s'", name);
	if (meta_load(s, dfd, name, v, e) < 0) {
		volume_release(v);
		return -1;
	}
	return 0;
}

/* ---- create ---------------------------------------------------------------- */

static void random_hex(char *out, size_t bytes)
{
	unsigned char r[32];

	if (bytes > sizeof(r))
		bytes = sizeof(r);
	if (getrandom(r, bytes, 0) != (ssize_t)bytes)
		for (size_t i = 0; i < bytes; i++)
			r[i] = (unsigned char)(rand() ^ getpid() ^ (int)i);
	for (size_t i = 0; i < bytes; i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
}

int volume_lock(struct store *s, bool exclusive, struct err **e)
{
	return store_lock(s, "volumes", exclusive, e);
}

static int make_top(struct store *s, struct err **e)
{
	if (mkdirat(s->rootfd, DIR_VOLUMES, 0700) < 0 && errno != EEXIST)
		return err_make(e, errno, "cannot create '%s/" DIR_VOLUMES "'",
				s->root);
	return 0;
}

int volume_create(struct store *s, const char *name, const cJSON *labels,
		  const cJSON *options, bool anonymous, struct volume *v,
		  bool *created, struct err **e)
{
	char anon[65], rnd[17];
	_cleanup_free_ char *stage = NULL, *rel = NULL;
	_cleanup_cjson_ cJSON *meta = NULL;
	_cleanup_close_ int sfd = -1;
	int rc;

	memset(v, 0, sizeof(*v));
	*created = false;
	if (!name) {
		random_hex(anon, 32);
		name = anon;
	}
	if (!volume_name_valid(name))
		return err_cause(e, EINVAL, "invalid volume name '%s': only "
				 "[a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, at "
				 "least two", name);
	if (options && volume_check_options(options, e) < 0)
		return err_wrap(e, "cannot create volume '%s'", name);
	if (make_top(s, e) < 0)
		return -1;
	rel = xasprintf(DIR_VOLUMES "/%s", name);
	if (faccessat(s->rootfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return volume_get(s, name, v, e);

	random_hex(rnd, 8);
	stage = xasprintf(DIR_VOLUMES "/" NEW_PREFIX "%s.%s", name, rnd);
	if (mkdirat(s->rootfd, stage, 0700) < 0)
		return err_make(e, errno, "cannot create volume '%s'", name);
	sfd = openat(s->rootfd, stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					O_CLOEXEC);
	/* held until it is in place: volume_gc() leaves it alone */
	if (sfd < 0 || flock(sfd, LOCK_EX) < 0) {
		rc = err_make(e, errno, "cannot create volume '%s'", name);
		goto fail;
	}
	v->name = xstrdup(name);
	v->created = ctr_now();
	v->labels = labels ? cJSON_Duplicate(labels, true) : cJSON_CreateObject();
	v->options = options ? cJSON_Duplicate(options, true)
			     : cJSON_CreateObject();
	v->anonymous = anonymous;
	v->mountpoint = xasprintf("%s/%s/_data", s->root, rel);
	fill_from_options(v);
	meta = meta_json(v);
	if (mkdirat(sfd, "_data", 0755) < 0) {
		rc = err_make(e, errno, "cannot create volume '%s'", name);
		goto fail;
	}
	rc = json_write_file(sfd, "volume.json", meta, 0600, e);
	if (rc < 0)
		goto fail;
	if (renameat2(s->rootfd, stage, s->rootfd, rel, RENAME_NOREPLACE) < 0) {
		if (errno == EEXIST) {
			/* someone made it first: theirs */
			(void) rm_rf_at(s->rootfd, stage, NULL);
			volume_release(v);
			return volume_get(s, name, v, e);
		}
		rc = err_make(e, errno, "cannot create volume '%s'", name);
		goto fail;
	}
	/* the rename that makes it exist, durable (rootfd is O_PATH) */
	{
		_cleanup_close_ int top = openat(s->rootfd, DIR_VOLUMES,
						 O_RDONLY | O_DIRECTORY |
						 O_CLOEXEC);

		if (top < 0 || fsync(top) < 0)
			log_debug("fsync of '" DIR_VOLUMES "': %s",
				  strerror(errno));
	}
	*created = true;
	return 0;
fail:
	(void) rm_rf_at(s->rootfd, stage, NULL);
	volume_release(v);
	return rc;
}

/* ---- list ---------------------------------------------------------------- */

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct volume *)a)->name,
		      ((const struct volume *)b)->name);
}

static DIR *open_top(struct store *s)
{
	int fd = openat(s->rootfd, DIR_VOLUMES, O_RDONLY | O_DIRECTORY |
						 O_CLOEXEC);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

int volume_list(struct store *s, struct volume **out, size_t *n,
		struct err **e)
{
	_cleanup_closedir_ DIR *d = open_top(s);
	struct volume *v = NULL;
	size_t len = 0, cap = 0;
	struct dirent *de;

	*out = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 :
		       err_make(e, errno, "cannot read '%s/" DIR_VOLUMES "'",
				s->root);
	while ((de = readdir(d))) {
		_cleanup_close_ int dfd = -1;
		struct volume one = { 0 };

		if (de->d_name[0] == '.' || !volume_name_valid(de->d_name))
			continue;
		dfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY |
						   O_NOFOLLOW | O_CLOEXEC);
		if (dfd < 0 || meta_load(s, dfd, de->d_name, &one, NULL) < 0) {
			volume_release(&one);
			continue;
		}
		if (len == cap) {
			cap = cap ? 2 * cap : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[len++] = one;
	}
	qsort(v, len, sizeof(*v), by_name);
	*out = v;
	*n = len;
	return 0;
}

void volume_list_free(struct volume *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		volume_release(&v[i]);
	free(v);
}

/* ---- users and removal ----------------------------------------------------- */

static bool mounts_volume(const cJSON *mounts, const char *name)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, mounts) {
		const char *t = json_str(m, "Type"), *n = json_str(m, "Name");

		if (t && n && !strcmp(t, "volume") && !strcmp(n, name))
			return true;
	}
	return false;
}

char **volume_users(struct store *s, const char *name)
{
	struct ctr *v;
	size_t n, k = 0;
	char **ids = NULL;

	if (ctr_list(s, &v, &n, NULL) < 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (!mounts_volume(v[i].mounts, name))
			continue;
		ids = xrealloc(ids, (k + 2) * sizeof(*ids));
		ids[k++] = xstrdup(v[i].id);
		ids[k] = NULL;
	}
	ctr_list_free(v, n);
	return ids;
}

int volume_remove(struct store *s, const char *name, struct err **e)
{
	_cleanup_free_ char *rel = xasprintf(DIR_VOLUMES "/%s", name);
	_cleanup_free_ char *gone = NULL;
	_cleanup_close_ int dfd = -1;
	char rnd[17];
	char **users;

	if (!volume_name_valid(name))
		return err_cause(e, EINVAL, "invalid volume name '%s'", name);
	dfd = openat(s->rootfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
				      O_CLOEXEC);
	if (dfd < 0 && errno == ENOENT)
		return err_cause(e, ENOENT, "no such volume '%s'", name);
	if (dfd < 0)
		return err_make(e, errno, "cannot remove volume '%s'", name);
	users = volume_users(s, name);
	if (users) {
		int rc = err_cause(e, EBUSY, "in use by container %.12s",
				   users[0]);

		strv_free(users);
		return rc;
	}
	/* held while it is deleted: volume_gc() leaves it alone */
	if (flock(dfd, LOCK_EX) < 0)
		return err_make(e, errno, "cannot lock volume '%s'", name);
	random_hex(rnd, 8);
	gone = xasprintf(DIR_VOLUMES "/" RM_PREFIX "%s.%s", name, rnd);
	if (renameat(s->rootfd, rel, s->rootfd, gone) < 0)
		return err_make(e, errno, "cannot remove volume '%s'", name);
	if (rm_rf_at(s->rootfd, gone, e) < 0)
		return err_wrap(e, "cannot remove volume '%s'", name);
	return 0;
}

void volume_remove_anonymous(struct store *s, const cJSON *mounts)
{
	_cleanup_lock_ int lk = -1;
	const cJSON *m;

	cJSON_ArrayForEach(m, mounts) {
		_cleanup_err_ struct err *e = NULL;
		const char *t = json_str(m, "Type"), *n = json_str(m, "Name");
		struct volume v;

		if (!t || strcmp(t, "volume") || !n)
			continue;
		if (lk < 0 && (lk = volume_lock(s, true, &e)) < 0) {
			log_debug("%s", e->msg);
			return;
		}
		if (volume_get(s, n, &v, &e) < 0) {
			log_debug("%s", e->msg);
			continue;
		}
		if (v.anonymous && volume_remove(s, n, &e) < 0)
			log_debug("%s", e->msg);
		volume_release(&v);
	}
}

void volume_gc(struct store *s)
{
	_cleanup_closedir_ DIR *d = open_top(s);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		_cleanup_close_ int fd = -1;
		_cleanup_free_ char *rel = NULL;

		if (strncmp(de->d_name, RM_PREFIX, strlen(RM_PREFIX)) &&
		    strncmp(de->d_name, NEW_PREFIX, strlen(NEW_PREFIX)))
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY |
						  O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
			continue;
		rel = xasprintf(DIR_VOLUMES "/%s", de->d_name);
		(void) rm_rf_at(s->rootfd, rel, NULL);
	}
}

/* ---- output ---------------------------------------------------------------- */

cJSON *volume_json(const struct volume *v)
{
	cJSON *o = cJSON_CreateObject();
	char t[64];
	time_t sec = (time_t)(v->created / 1000000000);
	struct tm tm;
	size_t n;
	long off;

	/* docker: RFC 3339 to the second, in local time */
	localtime_r(&sec, &tm);
	n = strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
	off = tm.tm_gmtoff / 60;
	if (!off)
		snprintf(t + n, sizeof(t) - n, "Z");
	else
		snprintf(t + n, sizeof(t) - n, "%c%02ld:%02ld",
			 off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
	cJSON_AddStringToObject(o, "CreatedAt", t);
	cJSON_AddStringToObject(o, "Driver", "local");
	cJSON_AddItemToObject(o, "Labels", cJSON_Duplicate(v->labels, true));
	cJSON_AddStringToObject(o, "Mountpoint", v->mountpoint);
	cJSON_AddStringToObject(o, "Name", v->name);
	cJSON_AddItemToObject(o, "Options", cJSON_Duplicate(v->options, true));
	cJSON_AddStringToObject(o, "Scope", "local");
	return o;
}
