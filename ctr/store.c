/*
 * The container records: containers/ID/state.json, names, lookup, locks,
 * liveness and removal. The contract is in ctr/ctr.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "ctr/ctr.h"
#include "ctr/internal.h"
#include "layers/image.h"
#include "layers/store.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/lock.h"
#include "lib/xalloc.h"
#include "volume/volume.h"
#include "lib/banned.h"

#define DIR_CONTAINERS "containers"
#define DIR_NAMES "containers/.names"
#define RM_PREFIX ".rm-"
#define DIR_EXITS "containers/.exits"
/* how long the exit status of a removed --rm container is kept */
#define EXIT_KEEP_SECS 3600

void ctr_init(struct ctr *c)
{
	memset(c, 0, sizeof(*c));
	c->dirfd = -1;
	c->stop_timeout = -1;
}

static void ctr_clear_state(struct ctr *c)
{
	free(c->name);
	free(c->image);
	free(c->image_id);
	strv_free(c->command);
	cJSON_Delete(c->labels);
	cJSON_Delete(c->config);
	cJSON_Delete(c->host_config);
	cJSON_Delete(c->mounts);
	cJSON_Delete(c->cgroup);
	c->cgroup = NULL;
	cJSON_Delete(c->ports);
	c->ports = NULL;
	free(c->error);
	free(c->stop_signal);
	c->name = c->image = c->image_id = c->error = c->stop_signal = NULL;
	c->command = NULL;
	c->labels = c->config = c->host_config = c->mounts = NULL;
}

void ctr_release(struct ctr *c)
{
	if (!c)
		return;
	ctr_clear_state(c);
	if (c->dirfd >= 0)
		(void) close(c->dirfd);
	ctr_init(c);
}

/* ---- times ---------------------------------------------------------------- */

ctr_time ctr_now(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_REALTIME, &ts);
	return (ctr_time) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void ctr_time_format(ctr_time t, char *out, size_t len)
{
	time_t sec = (time_t)(t / 1000000000);
	struct tm tm;
	char date[32];

	if (t <= 0 || !gmtime_r(&sec, &tm)) {
		snprintf(out, len, "0001-01-01T00:00:00Z");
		return;
	}
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, len, "%s.%09lldZ", date, (long long)(t % 1000000000));
}

int ctr_time_parse(const char *s, ctr_time *out)
{
	struct tm tm = { 0 };
	const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	int64_t ns = 0, scale = 100000000;

	if (!p)
		return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			ns += (*p - '0') * scale;
	if (*p != 'Z' || p[1])
		return -1;
	if (tm.tm_year < 70) {
		*out = 0;
		return 0;
	}
	*out = (ctr_time) timegm(&tm) * 1000000000 + ns;
	return 0;
}

const char *ctr_state_word(const struct ctr *c)
{
	return c->status == CTR_RUNNING && c->paused ? "paused"
						     : ctr_status_name(c->status);
}

const char *ctr_status_name(enum ctr_status s)
{
	switch (s) {
	case CTR_CREATED: return "created";
	case CTR_RUNNING: return "running";
	case CTR_EXITED: return "exited";
	case CTR_DEAD: return "dead";
	}
	return "unknown";
}

/* ---- state.json ------------------------------------------------------------ */

static void add_time(cJSON *o, const char *key, ctr_time t)
{
	char s[64];

	ctr_time_format(t, s, sizeof(s));
	cJSON_AddStringToObject(o, key, s);
}

static ctr_time get_time(const cJSON *o, const char *key)
{
	const char *s = json_str(o, key);
	ctr_time t = 0;

	if (s && ctr_time_parse(s, &t) < 0)
		t = 0;
	return t;
}

static void add_str(cJSON *o, const char *key, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, key, v);
}

static char *get_str(const cJSON *o, const char *key)
{
	const char *s = json_str(o, key);

	return s ? xstrdup(s) : NULL;
}

static int64_t get_int(const cJSON *o, const char *key, int64_t dflt)
{
	int64_t v;

	return json_int64(o, key, &v) == 0 ? v : dflt;
}

static cJSON *state_json(const struct ctr *c)
{
	cJSON *o = cJSON_CreateObject(), *cmd = cJSON_AddArrayToObject(o, "command");

	cJSON_AddStringToObject(o, "id", c->id);
	add_str(o, "name", c->name);
	add_str(o, "image", c->image);
	add_str(o, "imageId", c->image_id);
	for (char **p = c->command; p && *p; p++)
		cJSON_AddItemToArray(cmd, cJSON_CreateString(*p));
	cJSON_AddItemToObject(o, "labels", c->labels ?
			      cJSON_Duplicate(c->labels, true) :
			      cJSON_CreateObject());
	add_time(o, "created", c->created);
	add_time(o, "started", c->started);
	add_time(o, "finished", c->finished);
	cJSON_AddStringToObject(o, "status", ctr_status_name(c->status));
	cJSON_AddNumberToObject(o, "pid", c->pid);
	cJSON_AddNumberToObject(o, "pidStart", (double)c->pid_start);
	cJSON_AddNumberToObject(o, "monitor", c->monitor);
	cJSON_AddNumberToObject(o, "monitorStart", (double)c->monitor_start);
	cJSON_AddNumberToObject(o, "exitCode", c->exit_code);
	add_str(o, "error", c->error);
	cJSON_AddBoolToObject(o, "autoRemove", c->auto_remove);
	cJSON_AddBoolToObject(o, "detached", c->detached);
	cJSON_AddBoolToObject(o, "tty", c->tty);
	add_str(o, "stopSignal", c->stop_signal);
	cJSON_AddNumberToObject(o, "stopTimeout", c->stop_timeout);
	cJSON_AddNumberToObject(o, "logMax", (double)c->log_max);
	cJSON_AddNumberToObject(o, "restarts", c->restarts);
	if (c->config)
		cJSON_AddItemToObject(o, "config",
				      cJSON_Duplicate(c->config, true));
	if (c->host_config)
		cJSON_AddItemToObject(o, "hostConfig",
				      cJSON_Duplicate(c->host_config, true));
	if (c->mounts)
		cJSON_AddItemToObject(o, "mounts",
				      cJSON_Duplicate(c->mounts, true));
	if (c->cgroup)
		cJSON_AddItemToObject(o, "cgroup",
				      cJSON_Duplicate(c->cgroup, true));
	cJSON_AddBoolToObject(o, "oomKilled", c->oom_killed);
	if (c->ports)
		cJSON_AddItemToObject(o, "ports",
				      cJSON_Duplicate(c->ports, true));
	cJSON_AddBoolToObject(o, "paused", c->paused);
	return o;
}

static int state_parse(struct ctr *c, const char *text, struct err **e)
{
	_cleanup_cjson_ cJSON *o = cJSON_Parse(text);
	const char *id = json_str(o, "id"), *st = json_str(o, "status");
	const cJSON *cmd = json_arr(o, "command"), *it;
	size_t n = 0;

	if (!o || !id || strlen(id) != 64 || !st)
		return err_cause(e, EINVAL, "malformed state.json");
	ctr_clear_state(c);
	memcpy(c->id, id, 65);
	c->name = get_str(o, "name");
	c->image = get_str(o, "image");
	c->image_id = get_str(o, "imageId");
	c->command = xcalloc((size_t)cJSON_GetArraySize(cmd) + 1, sizeof(char *));
	cJSON_ArrayForEach(it, cmd)
		if (cJSON_IsString(it))
			c->command[n++] = xstrdup(it->valuestring);
	c->labels = cJSON_IsObject(json_obj(o, "labels")) ?
			    cJSON_Duplicate(json_obj(o, "labels"), true) :
			    cJSON_CreateObject();
	c->created = get_time(o, "created");
	c->started = get_time(o, "started");
	c->finished = get_time(o, "finished");
	c->status = !strcmp(st, "running") ? CTR_RUNNING :
		    !strcmp(st, "exited")  ? CTR_EXITED : CTR_CREATED;
	c->pid = (pid_t)get_int(o, "pid", 0);
	c->pid_start = (uint64_t)get_int(o, "pidStart", 0);
	c->monitor = (pid_t)get_int(o, "monitor", 0);
	c->monitor_start = (uint64_t)get_int(o, "monitorStart", 0);
	c->exit_code = (int)get_int(o, "exitCode", 0);
	c->error = get_str(o, "error");
	c->auto_remove = cJSON_IsTrue(cJSON_GetObjectItem(o, "autoRemove"));
	c->detached = cJSON_IsTrue(cJSON_GetObjectItem(o, "detached"));
	c->tty = cJSON_IsTrue(cJSON_GetObjectItem(o, "tty"));
	c->stop_signal = get_str(o, "stopSignal");
	c->stop_timeout = (int)get_int(o, "stopTimeout", -1);
	c->log_max = get_int(o, "logMax", 0);
	c->restarts = (int)get_int(o, "restarts", 0);
	if (json_obj(o, "config"))
		c->config = cJSON_DetachItemFromObjectCaseSensitive(o, "config");
	if (json_obj(o, "hostConfig"))
		c->host_config = cJSON_DetachItemFromObjectCaseSensitive(
			o, "hostConfig");
	if (json_arr(o, "mounts"))
		c->mounts = cJSON_DetachItemFromObjectCaseSensitive(o, "mounts");
	if (json_obj(o, "cgroup"))
		c->cgroup = cJSON_DetachItemFromObjectCaseSensitive(o, "cgroup");
	c->oom_killed = cJSON_IsTrue(cJSON_GetObjectItem(o, "oomKilled"));
	if (json_obj(o, "ports"))
		c->ports = cJSON_DetachItemFromObjectCaseSensitive(o, "ports");
	c->paused = cJSON_IsTrue(cJSON_GetObjectItem(o, "paused"));
	return 0;
}

static int state_read(struct ctr *c, struct err **e)
{
	_cleanup_buf_ struct buf b = BUF_INIT;

	if (read_file(c->dirfd, "state.json", &b, 1 << 20, e) < 0)
		return -1;
	return state_parse(c, b.s, e);
}

/*
 * Reads C's record; one that exists but cannot be understood (a damaged
 * state.json) makes C "dead" (docker's word), so ps shows it and rm can
 * remove it. <0 only when there is no record (yet).
 */
static int state_load(struct ctr *c, const char *id)
{
	_cleanup_err_ struct err *why = NULL;

	if (state_read(c, &why) == 0)
		return 0;
	if (why->errnum == ENOENT)
		return -1;
	ctr_clear_state(c);
	memcpy(c->id, id, 65);
	c->status = CTR_DEAD;
	c->labels = cJSON_CreateObject();
	c->error = xasprintf("its record is damaged: %s", why->msg);
	return 0;
}

int ctr_save(struct ctr *c, struct err **e)
{
	_cleanup_cjson_ cJSON *o = state_json(c);
	_cleanup_free_ char *text = cJSON_Print(o);
	_cleanup_close_ int fd = -1;
	size_t len = strlen(text);

	/*
	 * Synced: the final state of a kept container. Not: a --rm one's
	 * (it dies with it, DESIGN.md), and the passing states of a start,
	 * which a power loss makes moot anyway (nothing runs after it).
	 */
	if (!c->auto_remove && c->status == CTR_EXITED)
		return atomic_write_file(c->dirfd, "state.json", text, len,
					 0600, e);
	fd = openat(c->dirfd, "state.json.tmp", O_WRONLY | O_CREAT | O_TRUNC |
						O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len ||
	    renameat(c->dirfd, "state.json.tmp", c->dirfd, "state.json") < 0)
		return err_make(e, errno, "cannot write 'state.json'");
	return 0;
}

/* ---- names ----------------------------------------------------------------- */

bool ctr_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 128)
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

/* The id NAME points at, when that container exists; else NULL. */
static char *name_target(struct store *s, const char *name)
{
	_cleanup_free_ char *link = xasprintf(DIR_NAMES "/%s", name);
	_cleanup_free_ char *dir = NULL;
	char id[80];
	ssize_t n = readlinkat(s->rootfd, link, id, sizeof(id) - 1);
	struct stat st;

	if (n != 64)
		return NULL;
	id[n] = '\0';
	dir = xasprintf(DIR_CONTAINERS "/%s", id);
	if (fstatat(s->rootfd, dir, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISDIR(st.st_mode))
		return NULL;
	return xstrdup(id);
}

bool ctr_name_taken(struct store *s, const char *name, char id[65])
{
	_cleanup_free_ char *owner = name_target(s, name);

	if (owner)
		snprintf(id, 65, "%s", owner);
	return owner != NULL;
}

/* Under the names lock: NAME -> ID unless a live container has it. */
static int name_claim(struct store *s, const char *name, const char *id,
		      struct err **e)
{
	_cleanup_free_ char *link = xasprintf(DIR_NAMES "/%s", name);
	_cleanup_free_ char *owner = NULL;

	if (mkdirat(s->rootfd, DIR_NAMES, 0700) < 0 && errno != EEXIST)
		return err_make(e, errno, "cannot create '%s/%s'", s->root,
				DIR_NAMES);
	if (symlinkat(id, s->rootfd, link) == 0)
		return 0;
	if (errno != EEXIST)
		return err_make(e, errno, "cannot claim the name '%s'", name);
	owner = name_target(s, name);
	if (owner)
		return err_cause(e, EEXIST, "the container name '%s' is already "
				"in use by container '%s'", name, owner);
	/* the link of a container that is gone: take it over */
	if ((unlinkat(s->rootfd, link, 0) < 0 && errno != ENOENT) ||
	    symlinkat(id, s->rootfd, link) < 0)
		return err_make(e, errno, "cannot claim the name '%s'", name);
	return 0;
}

static void name_drop(struct store *s, const char *name, const char *id)
{
	_cleanup_free_ char *link = xasprintf(DIR_NAMES "/%s", name);
	char to[80];
	ssize_t n = readlinkat(s->rootfd, link, to, sizeof(to) - 1);

	if (n == 64 && !memcmp(to, id, 64))
		(void) unlinkat(s->rootfd, link, 0);
}

static int names_lock(struct store *s, struct err **e)
{
	return store_lock(s, "names", true, e);
}

static int claim_some_name(struct store *s, struct ctr *c, struct err **e)
{
	_cleanup_lock_ int lk = names_lock(s, e);

	if (lk < 0)
		return -1;
	if (c->name)
		return name_claim(s, c->name, c->id, e);
	for (int tries = 0;; tries++) {
		_cleanup_free_ char *n = ctr_generate_name(tries >= 8);
		_cleanup_err_ struct err *busy = NULL;

		if (name_claim(s, n, c->id, &busy) == 0) {
			c->name = TAKE_PTR(n);
			return 0;
		}
		if (busy->errnum != EEXIST || tries > 64) {
			*e = TAKE_PTR(busy);
			return -1;
		}
	}
}

int ctr_rename(struct store *s, struct ctr *c, const char *name,
	       struct err **e)
{
	_cleanup_lock_ int lk = names_lock(s, e);

	if (lk < 0)
		return -1;
	if (c->name && !strcmp(c->name, name))
		return err_cause(e, EEXIST, "the container name '%s' is already "
				"in use by container '%s'", name, c->id);
	if (name_claim(s, name, c->id, e) < 0)
		return -1;
	if (c->name)
		name_drop(s, c->name, c->id);
	free(c->name);
	c->name = xstrdup(name);
	return ctr_save(c, e);
}

/* ---- create, find, lock ------------------------------------------------------ */

static int open_dir(struct store *s, const char *id, struct err **e)
{
	_cleanup_free_ char *rel = xasprintf(DIR_CONTAINERS "/%s", id);
	int fd = openat(s->rootfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					 O_CLOEXEC);

	if (fd < 0)
		return err_make(e, errno, "cannot open '%s'", rel);
	return fd;
}

int ctr_create(struct store *s, struct ctr *c, struct err **e)
{
	_cleanup_free_ char *rel = xasprintf(DIR_CONTAINERS "/%s", c->id);

	if (mkdirat(s->rootfd, DIR_CONTAINERS, 0700) < 0 && errno != EEXIST)
		return err_make(e, errno, "cannot create '%s/%s'", s->root,
				DIR_CONTAINERS);
	if (mkdirat(s->rootfd, rel, 0700) < 0)
		return err_make(e, errno, "cannot create '%s'", rel);
	c->dirfd = open_dir(s, c->id, e);
	if (c->dirfd < 0)
		return -1;
	/* held until the state says what it is: ctr_gc() leaves it alone */
	if (flock(c->dirfd, LOCK_EX) < 0)
		return err_make(e, errno, "cannot lock '%s'", rel);
	c->locked = true;
	if (!c->labels)
		c->labels = cJSON_CreateObject();
	if (!c->created)
		c->created = ctr_now();
	c->status = CTR_CREATED;
	if (claim_some_name(s, c, e) < 0) {
		(void) unlinkat(s->rootfd, rel, AT_REMOVEDIR);
		return -1;
	}
	return ctr_save(c, e);
}

static bool is_hex(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* REL under the store, for readdir() (its fd: dirfd()); NULL with errno
 * set when it cannot be opened. */
static DIR *open_listing(struct store *s, const char *rel)
{
	int fd = openat(s->rootfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d) {
		int saved = errno;

		(void) close(fd);
		errno = saved;
	}
	return d;
}

static int by_prefix(struct store *s, const char *arg, char out[65],
		     struct err **e)
{
	_cleanup_closedir_ DIR *d = open_listing(s, DIR_CONTAINERS);
	size_t n = strlen(arg), found = 0;
	struct dirent *de;

	if (!d)
		return err_cause(e, ENOENT, "no such container '%s'", arg);
	while ((de = readdir(d)))
		if (strlen(de->d_name) == 64 && !strncmp(de->d_name, arg, n)) {
			if (found++)
				return err_cause(e, EINVAL, "multiple containers "
						"match '%s': be more precise",
						arg);
			memcpy(out, de->d_name, 65);
		}
	if (!found)
		return err_cause(e, ENOENT, "no such container '%s'", arg);
	return 0;
}

int ctr_find(struct store *s, const char *arg, struct ctr *c, struct err **e)
{
	_cleanup_free_ char *named = NULL;
	_cleanup_err_ struct err *why = NULL;
	char id[65];

	ctr_release(c);
	if (strlen(arg) == 64 && is_hex(arg)) {
		memcpy(id, arg, 65);
	} else if (ctr_name_valid(arg) && (named = name_target(s, arg))) {
		memcpy(id, named, 65);
	} else if (*arg && strlen(arg) < 64 && is_hex(arg)) {
		if (by_prefix(s, arg, id, e) < 0)
			return -1;
	} else {
		return err_cause(e, ENOENT, "no such container '%s'", arg);
	}
	c->dirfd = open_dir(s, id, &why);
	if (c->dirfd < 0 || state_load(c, id) < 0) {
		ctr_release(c);
		return err_cause(e, ENOENT, "no such container '%s'", arg);
	}
	return 0;
}

/* Still containers/ID, and not renamed away by a removal? */
static bool still_there(struct store *s, const struct ctr *c)
{
	_cleanup_free_ char *rel = xasprintf(DIR_CONTAINERS "/%s", c->id);
	struct stat a, b;

	return fstat(c->dirfd, &a) == 0 && a.st_nlink > 0 &&
	       fstatat(s->rootfd, rel, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	       a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

int ctr_lock(struct store *s, struct ctr *c, struct err **e)
{
	if (!c->locked) {
		while (flock(c->dirfd, LOCK_EX) < 0)
			if (errno != EINTR)
				return err_make(e, errno, "cannot lock "
						"container '%s'", c->id);
		c->locked = true;
	}
	if (!still_there(s, c)) {
		ctr_unlock(c);
		return err_cause(e, ENOENT, "no such container '%s'",
				c->name ? c->name : c->id);
	}
	if (state_load(c, c->id) < 0) {
		ctr_unlock(c);
		return err_cause(e, ENOENT, "no such container '%s'", c->id);
	}
	return 0;
}

void ctr_unlock(struct ctr *c)
{
	if (c->locked && c->dirfd >= 0)
		(void) flock(c->dirfd, LOCK_UN);
	c->locked = false;
}

/* ---- listing -------------------------------------------------------------- */

static int by_created(const void *a, const void *b)
{
	const struct ctr *x = a, *y = b;

	return x->created < y->created ? 1 : x->created > y->created ? -1 :
	       strcmp(x->id, y->id);
}

int ctr_list(struct store *s, struct ctr **out, size_t *n, struct err **e)
{
	_cleanup_closedir_ DIR *d = open_listing(s, DIR_CONTAINERS);
	struct ctr *v = NULL;
	size_t len = 0, cap = 0;
	struct dirent *de;

	*out = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 :
		       err_make(e, errno, "cannot read '%s/%s'", s->root,
				DIR_CONTAINERS);
	while ((de = readdir(d))) {
		struct ctr c;

		if (strlen(de->d_name) != 64 || !is_hex(de->d_name))
			continue;
		ctr_init(&c);
		c.dirfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY |
						       O_NOFOLLOW | O_CLOEXEC);
		/* a directory without state yet is being created */
		if (c.dirfd < 0 || state_load(&c, de->d_name) < 0) {
			ctr_release(&c);
			continue;
		}
		if (len == cap) {
			cap = cap ? 2 * cap : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[len++] = c;
	}
	qsort(v, len, sizeof(*v), by_created);
	*out = v;
	*n = len;
	return 0;
}

void ctr_list_free(struct ctr *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ctr_release(&v[i]);
	free(v);
}

/* ---- liveness ----------------------------------------------------------------- */

uint64_t ctr_pid_start(pid_t pid)
{
	char path[64], buf[1024];
	_cleanup_close_ int fd = -1;
	unsigned long long start = 0;
	ssize_t n;
	char *p;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		return 0;
	buf[n] = '\0';
	/* the command name may hold spaces and ')': skip to the last one */
	p = strrchr(buf, ')');
	/* field 3, the state: a zombie counts as gone (it ran its course,
	 * its exit is pending) */
	if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
		return 0;
	/* the start time is field 22 */
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &start) != 1)
		return 0;
	return start;
}

bool ctr_pid_alive(pid_t pid, uint64_t start)
{
	return pid > 0 && start && ctr_pid_start(pid) == start;
}

/* Waits up to MS for PID to end (pidfd where there is one). */
bool ctr_pid_wait(pid_t pid, uint64_t start, int ms)
{
	_cleanup_close_ int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd p = { pfd, POLLIN, 0 };

	if (!ctr_pid_alive(pid, start))
		return true;
	if (pfd >= 0) {
		/* opened after the check: make sure it is still the one */
		if (!ctr_pid_alive(pid, start))
			return true;
		return poll(&p, 1, ms) > 0;
	}
	for (int waited = 0; waited < ms; waited += 10) {
		struct timespec ts = { 0, 10 * 1000000 };

		if (!ctr_pid_alive(pid, start))
			return true;
		(void) nanosleep(&ts, NULL);
	}
	return !ctr_pid_alive(pid, start);
}

/*
 * A --rm container is gone once it exited; `wait` still wants its status:
 * it is kept in containers/.exits/ID for a while.
 */
void ctr_note_exit(struct store *s, const struct ctr *c, int status)
{
	_cleanup_free_ char *rel = xasprintf(DIR_EXITS "/%s", c->id);
	_cleanup_close_ int fd = -1;
	char text[32];
	int n = snprintf(text, sizeof(text), "%d\n", status);

	if (mkdirat(s->rootfd, DIR_EXITS, 0700) < 0 && errno != EEXIST)
		return;
	fd = openat(s->rootfd, rel, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
					O_NOFOLLOW, 0600);
	if (fd >= 0)
		(void) !write(fd, text, (size_t)n);
}

/* The status ctr_note_exit() kept for C, which is gone: true if any. */
static bool exit_known(struct store *s, struct ctr *c)
{
	_cleanup_free_ char *rel = xasprintf(DIR_EXITS "/%s", c->id);
	_cleanup_close_ int fd = openat(s->rootfd, rel, O_RDONLY | O_CLOEXEC |
							O_NOFOLLOW);
	char text[32];
	struct stat st;
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) < 0 ||
	    (n = read(fd, text, sizeof(text) - 1)) <= 0)
		return false;
	text[n] = '\0';
	c->status = CTR_EXITED;
	c->exit_code = (int)strtol(text, NULL, 10);
	c->finished = (ctr_time)st.st_mtime * 1000000000;
	c->pid = c->monitor = 0;
	return true;
}

int ctr_refresh(struct store *s, struct ctr *c, int wait_ms, struct err **e)
{
	bool was_locked = c->locked;
	int rc;

	if (c->status != CTR_RUNNING || ctr_pid_alive(c->pid, c->pid_start))
		return 0;
	/* the monitor records the exit itself: give it the time to */
	if (ctr_pid_alive(c->monitor, c->monitor_start) && !c->locked) {
		ctr_pid_wait(c->monitor, c->monitor_start, wait_ms);
		if (state_read(c, NULL) < 0) {
			(void) exit_known(s, c);	/* removed (--rm) */
			return 0;
		}
		if (c->status != CTR_RUNNING)
			return 0;
		if (ctr_pid_alive(c->pid, c->pid_start))
			return 0;
	}
	if (ctr_pid_alive(c->monitor, c->monitor_start))
		return 0;
	rc = ctr_lock(s, c, e);
	if (rc < 0 && (*e)->errnum == ENOENT && exit_known(s, c)) {
		err_freep(e);
		return 0;
	}
	if (rc < 0)
		return rc;
	if (c->status == CTR_RUNNING && !ctr_pid_alive(c->pid, c->pid_start) &&
	    !ctr_pid_alive(c->monitor, c->monitor_start)) {
		c->status = CTR_EXITED;
		c->exit_code = 137;
		c->finished = ctr_now();
		free(c->error);
		c->error = xstrdup("its monitor was killed");
		c->pid = c->monitor = 0;
		c->pid_start = c->monitor_start = 0;
		rc = ctr_save(c, e);
	}
	if (!was_locked)
		ctr_unlock(c);
	return rc;
}

static void gc_one(struct store *s, int dfd, const char *name, bool rm_done);

/* ---- removal ------------------------------------------------------------------ */

/* A cgroup a crashed run left behind (its monitor was killed). */
static void drop_cgroup(struct ctr *c)
{
	struct cgroup cg;

	if (!c->cgroup || cgroup_from_json(c->cgroup, &cg) < 0)
		return;
	(void) cgroup_destroy(&cg, NULL);
}

int ctr_remove(struct store *s, struct ctr *c, struct err **e)
{
	_cleanup_free_ char *rel = xasprintf(DIR_CONTAINERS "/%s", c->id);
	_cleanup_free_ char *gone = xasprintf(DIR_CONTAINERS "/" RM_PREFIX "%s",
					      c->id);

	(void) rm_rf_at(s->rootfd, gone, NULL);
	drop_cgroup(c);
	if (renameat(s->rootfd, rel, s->rootfd, gone) < 0) {
		ctr_unlock(c);
		return err_make(e, errno, "cannot remove container '%s'",
				c->id);
	}
	/* still locked: a ctr_gc() running now leaves it to us. The name
	 * goes last, so a removal cut short is found by it again
	 * (ctr_finish_removal()). */
	if (rm_rf_at(s->rootfd, gone, e) < 0) {
		ctr_unlock(c);
		return err_wrap(e, "cannot remove container '%s'", c->id);
	}
	if (c->name) {
		_cleanup_lock_ int lk = names_lock(s, NULL);

		name_drop(s, c->name, c->id);
	}
	ctr_unlock(c);
	if (c->auto_remove || c->rm_volumes)
		volume_remove_anonymous(s, c->mounts);
	return 0;
}

int ctr_finish_removal(struct store *s, const char *arg)
{
	_cleanup_free_ char *link = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	char id[80] = "";
	int done = 0;
	struct dirent *de;
	ssize_t n;

	if (ctr_name_valid(arg)) {
		link = xasprintf(DIR_NAMES "/%s", arg);
		n = readlinkat(s->rootfd, link, id, sizeof(id) - 1);
		if (n == 64)
			id[n] = '\0';
	}
	if (!id[0] && is_hex(arg) && strlen(arg) <= 64)
		snprintf(id, sizeof(id), "%s", arg);
	if (!id[0] || !(d = open_listing(s, DIR_CONTAINERS)))
		return 0;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, RM_PREFIX, strlen(RM_PREFIX)) ||
		    strncmp(de->d_name + strlen(RM_PREFIX), id, strlen(id)))
			continue;
		gc_one(s, dirfd(d), de->d_name, true);
		if (link) {
			_cleanup_lock_ int lk = names_lock(s, NULL);

			name_drop(s, arg, de->d_name + strlen(RM_PREFIX));
		}
		done = 1;
	}
	return done;
}

/* Removes containers/NAME if nobody holds its lock. */
static void gc_one(struct store *s, int dfd, const char *name, bool rm_done)
{
	_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY |
						   O_NOFOLLOW | O_CLOEXEC);
	_cleanup_free_ char *rel = xasprintf(DIR_CONTAINERS "/%s", name);
	struct stat st;
	struct ctr c;

	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
		return;
	if (!rm_done) {
		/* a live record, or a dead --rm one? */
		ctr_init(&c);
		c.dirfd = TAKE_FD(fd);
		if (state_read(&c, NULL) == 0 || faccessat(c.dirfd, "state.json",
							    F_OK, 0) == 0) {
			bool dead = c.status == CTR_EXITED ||
				    (c.status == CTR_RUNNING &&
				     !ctr_pid_alive(c.pid, c.pid_start) &&
				     !ctr_pid_alive(c.monitor,
						    c.monitor_start));

			if (!(c.auto_remove && dead)) {
				ctr_release(&c);
				return;
			}
			c.locked = true;
			(void) ctr_remove(s, &c, NULL);
			ctr_release(&c);
			return;
		}
		ctr_release(&c);
		/* no state yet: a `run` that died before writing it, unless
		 * it is being created right now */
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    st.st_mtime + 60 > time(NULL))
			return;
	}
	(void) rm_rf_at(s->rootfd, rel, NULL);
}

static void gc_exits(struct store *s)
{
	_cleanup_closedir_ DIR *d = open_listing(s, DIR_EXITS);
	time_t now = time(NULL);
	struct dirent *de;
	struct stat st;

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.' &&
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    st.st_mtime + EXIT_KEEP_SECS < now)
			(void) unlinkat(dirfd(d), de->d_name, 0);
}

void ctr_gc(struct store *s)
{
	_cleanup_closedir_ DIR *d = open_listing(s, DIR_CONTAINERS);
	struct dirent *de;

	gc_exits(s);
	while (d && (de = readdir(d))) {
		if (!strncmp(de->d_name, RM_PREFIX, strlen(RM_PREFIX)))
			gc_one(s, dirfd(d), de->d_name, true);
		else if (strlen(de->d_name) == 64 && is_hex(de->d_name))
			gc_one(s, dirfd(d), de->d_name, false);
	}
}
