/*
 * What `husk run` mounts: -v, --mount, --tmpfs, --volumes-from and the
 * image's VOLUMEs, checked as flags are read and resolved into the
 * spec's mounts (runtime/generate.c) and the record's Mounts once the
 * store and the image are open.
 *
 * Precedence, docker's: the user's own mounts, then those of
 * --volumes-from containers, then an anonymous volume for each VOLUME of
 * the image, each only where nothing is mounted yet. Mounts go in path
 * order, so /data is mounted before /data/sub.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/run.h"
#include "ctr/ctr.h"
#include "layers/image.h"
#include "layers/store.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/lock.h"
#include "lib/log.h"
#include "lib/parse.h"
#include "lib/xalloc.h"
#include "volume/volume.h"
#include "lib/banned.h"

/* ---- checking flags ---------------------------------------------------------- */

/* DEST made canonical ("/a//b/" -> "/a/b"); NULL when not absolute, "/"
 * itself, or holding "." or ".." components. */
static char *clean_dest(const char *dest)
{
	_cleanup_free_ char *copy = xstrdup(dest);
	struct buf b = BUF_INIT;
	char *save = NULL, *t;

	if (dest[0] != '/')
		return NULL;
	for (t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (!strcmp(t, ".") || !strcmp(t, "..")) {
			buf_release(&b);
			return NULL;
		}
		buf_addf(&b, "/%s", t);
	}
	if (!b.len) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

static struct run_mount *add_mount(struct run_args *a)
{
	a->mounts = xrealloc(a->mounts, (a->nmounts + 1) * sizeof(*a->mounts));
	memset(&a->mounts[a->nmounts], 0, sizeof(*a->mounts));
	return &a->mounts[a->nmounts++];
}

static int dest_arg(struct husk_ctx *ctx, const char *flag, const char *arg,
		    const char *dest, struct run_mount *m, struct err **e)
{
	m->dest = clean_dest(dest);
	if (!m->dest)
		return cmd_usage_error(ctx, e, "invalid %s '%s': the destination "
				       "'%s' is not an absolute path below /",
				       flag, arg, dest);
	return 0;
}

/* The words after the second ':' of -v: ro, rw, z, Z, U, nocopy... */
static int volume_mode(struct husk_ctx *ctx, const char *arg, char *mode,
		       struct run_mount *m, struct err **e)
{
	char *save = NULL, *t;

	m->mode = xstrdup(mode);
	for (t = strtok_r(mode, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "ro"))
			m->ro = true;
		else if (!strcmp(t, "rw"))
			m->ro = false;
		else if (!strcmp(t, "nocopy"))
			m->nocopy = true;
		else if (!strcmp(t, "U"))
			m->chown = true;
		else if (strcmp(t, "z") && strcmp(t, "Z") && strcmp(t, "copy") &&
			 strcmp(t, "rprivate") && strcmp(t, "private"))
			return cmd_usage_error(ctx, e, "invalid volume "
					       "specification '%s': unknown mode "
					       "'%s' (ro, rw, z, Z, U, nocopy)",
					       arg, t);
	}
	return 0;
}

/*
 * -v [SRC:]DST[:MODE]: SRC an absolute host path (created if missing, as
 * docker does) or a volume name (created if missing); no SRC: a new
 * anonymous volume.
 */
int run_volume_arg(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		   struct err **e)
{
	_cleanup_free_ char *copy = xstrdup(arg);
	char *parts[4] = { 0 }, *p = copy;
	struct run_mount *m;
	size_t n = 0;

	while (p && n < 4) {
		parts[n++] = p;
		p = strchr(p, ':');
		if (p)
			*p++ = '\0';
	}
	if (p || n > 3 || !*parts[0] || (n > 1 && !*parts[1]))
		return cmd_usage_error(ctx, e, "invalid volume specification "
				       "'%s': want [SRC:]DST[:MODE]", arg);
	m = add_mount(a);
	m->spec = xstrdup(arg);
	if (n == 1 || (n == 2 && parts[0][0] == '/' && parts[1][0] != '/')) {
		/* -v /data, -v /data:ro */
		m->type = RUN_VOLUME;
		if (n == 2 && volume_mode(ctx, arg, parts[1], m, e) < 0)
			return -1;
		return dest_arg(ctx, "volume specification", arg, parts[0], m, e);
	}
	if (parts[0][0] == '/') {
		m->type = RUN_BIND;
		m->source = xstrdup(parts[0]);
	} else if (volume_name_valid(parts[0])) {
		m->type = RUN_VOLUME;
		m->source = xstrdup(parts[0]);
	} else {
		return cmd_usage_error(ctx, e, "invalid volume specification "
				       "'%s': '%s' is neither an absolute host "
				       "path nor a volume name "
				       "([a-zA-Z0-9][a-zA-Z0-9_.-], at least two)",
				       arg, parts[0]);
	}
	if (n == 3 && volume_mode(ctx, arg, parts[2], m, e) < 0)
		return -1;
	return dest_arg(ctx, "volume specification", arg, parts[1], m, e);
}

/* --tmpfs DST[:OPTS] */
int run_tmpfs_arg(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		  struct err **e)
{
	_cleanup_free_ char *copy = xstrdup(arg);
	char *opts = strchr(copy, ':');
	struct run_mount *m = add_mount(a);

	if (opts)
		*opts++ = '\0';
	m->type = RUN_TMPFS;
	m->hidden = true;	/* docker lists --tmpfs in HostConfig only */
	m->options = opts && *opts ? xstrdup(opts) : NULL;
	m->spec = xstrdup(arg);
	return dest_arg(ctx, "--tmpfs", arg, copy, m, e);
}

static int bool_value(struct husk_ctx *ctx, const char *arg, const char *key,
		      const char *v, bool *out, struct err **e)
{
	if (!v || !strcmp(v, "true") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "false") || !strcmp(v, "0"))
		*out = false;
	else
		return cmd_usage_error(ctx, e, "invalid --mount '%s': %s is true "
				       "or false, not '%s'", arg, key, v);
	return 0;
}

/* One key[=value] of --mount. */
static int mount_key(struct husk_ctx *ctx, const char *arg, char *kv,
		     struct run_mount *m, char **dest, struct err **e)
{
	char *v = strchr(kv, '=');
	uint64_t n;

	if (v)
		*v++ = '\0';
	if (!strcmp(kv, "type")) {
		if (!v || (strcmp(v, "bind") && strcmp(v, "volume") &&
			   strcmp(v, "tmpfs")))
			return cmd_usage_error(ctx, e, "invalid --mount '%s': "
					       "type is bind, volume or tmpfs",
					       arg);
		m->type = !strcmp(v, "bind") ? RUN_BIND :
			  !strcmp(v, "tmpfs") ? RUN_TMPFS : RUN_VOLUME;
	} else if (!strcmp(kv, "source") || !strcmp(kv, "src")) {
		free(m->source);
		m->source = v && *v ? xstrdup(v) : NULL;
	} else if (!strcmp(kv, "destination") || !strcmp(kv, "dst") ||
		   !strcmp(kv, "target")) {
		*dest = v ? v : (char *)"";
	} else if (!strcmp(kv, "readonly") || !strcmp(kv, "ro")) {
		return bool_value(ctx, arg, kv, v, &m->ro, e);
	} else if (!strcmp(kv, "volume-nocopy")) {
		return bool_value(ctx, arg, kv, v, &m->nocopy, e);
	} else if (!strcmp(kv, "bind-propagation")) {
		if (!v || (strcmp(v, "rprivate") && strcmp(v, "private")))
			return cmd_usage_error(ctx, e, "invalid --mount '%s': "
					       "husk supports only private and "
					       "rprivate propagation", arg);
	} else if (!strcmp(kv, "tmpfs-size")) {
		if (!v || parse_size(v, &n, NULL) < 0 || !n)
			return cmd_usage_error(ctx, e, "invalid --mount '%s': "
					       "bad tmpfs-size", arg);
		m->size = n;
	} else if (!strcmp(kv, "tmpfs-mode")) {
		if (!v || !*v || strlen(v) > 5 ||
		    strspn(v, "01234567") != strlen(v) ||
		    (n = strtoul(v, NULL, 8)) > 07777)
			return cmd_usage_error(ctx, e, "invalid --mount '%s': "
					       "tmpfs-mode is octal, at most 7777",
					       arg);
		m->tmode = (int)n;
		m->has_tmode = true;
	} else {
		return cmd_usage_error(ctx, e, "invalid --mount '%s': unknown "
				       "key '%s'", arg, kv);
	}
	return 0;
}

/* --mount type=bind|volume|tmpfs,src=,dst=,readonly (docker's long form) */
int run_mount_arg(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		  struct err **e)
{
	_cleanup_free_ char *copy = xstrdup(arg);
	char *save = NULL, *t, *dest = NULL;
	struct run_mount *m = add_mount(a);
	struct stat st;

	m->type = RUN_VOLUME;
	m->long_form = true;
	for (t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (mount_key(ctx, arg, t, m, &dest, e) < 0)
			return -1;
	if (!dest)
		return cmd_usage_error(ctx, e, "invalid --mount '%s': no "
				       "destination (dst=PATH)", arg);
	if (dest_arg(ctx, "--mount", arg, dest, m, e) < 0)
		return -1;
	if (m->type == RUN_TMPFS) {
		struct buf o = BUF_INIT;

		if (m->source)
			return cmd_usage_error(ctx, e, "invalid --mount '%s': a "
					       "tmpfs has no source", arg);
		if (m->size)
			buf_addf(&o, "size=%llu", (unsigned long long)m->size);
		if (m->has_tmode)
			buf_addf(&o, "%smode=%o", o.len ? "," : "", m->tmode);
		m->options = o.len ? buf_detach(&o, NULL) : NULL;
		buf_release(&o);
		return 0;
	}
	if (m->size || m->has_tmode)
		return cmd_usage_error(ctx, e, "invalid --mount '%s': tmpfs "
				       "options on a %s mount", arg,
				       m->type == RUN_BIND ? "bind" : "volume");
	if (m->type == RUN_BIND) {
		if (!m->source || m->source[0] != '/')
			return cmd_usage_error(ctx, e, "invalid --mount '%s': a "
					       "bind needs an absolute src=PATH",
					       arg);
		if (stat(m->source, &st) < 0)
			return cmd_usage_error(ctx, e, "invalid --mount '%s': "
					       "bind source path does not "
					       "exist: '%s'", arg, m->source);
		return 0;
	}
	if (m->source && !volume_name_valid(m->source))
		return cmd_usage_error(ctx, e, "invalid --mount '%s': invalid "
				       "volume name '%s'", arg, m->source);
	return 0;
}

int run_volumes_from_arg(struct husk_ctx *ctx, struct run_args *a,
			 const char *arg, struct err **e)
{
	const char *colon = strchr(arg, ':');

	if (colon && strcmp(colon, ":ro") && strcmp(colon, ":rw"))
		return cmd_usage_error(ctx, e, "invalid --volumes-from '%s': "
				       "the mode is ro or rw", arg);
	if (colon == arg || !*arg)
		return cmd_usage_error(ctx, e, "invalid --volumes-from '%s'",
				       arg);
	run_strv_add(&a->volumes_from, arg);
	return 0;
}

/* ---- resolving ---------------------------------------------------------------- */

static bool has_dest(const struct run_args *a, const char *dest)
{
	for (size_t i = 0; i < a->nmounts; i++)
		if (!strcmp(a->mounts[i].dest, dest))
			return true;
	return false;
}

/* The mounts (bind and volume) of container FROM[:ro|rw]. */
static int add_from(struct store *s, struct run_args *a, const char *arg,
		    struct err **e)
{
	_cleanup_free_ char *name = xstrdup(arg);
	char *mode = strchr(name, ':');
	const cJSON *m;
	struct ctr c;
	int rc;

	if (mode)
		*mode++ = '\0';
	ctr_init(&c);
	rc = ctr_find(s, name, &c, e);
	if (rc < 0) {
		ctr_release(&c);
		return err_wrap(e, "invalid --volumes-from '%s'", arg);
	}
	cJSON_ArrayForEach(m, c.mounts) {
		const char *type = json_str(m, "Type");
		const char *dst = json_str(m, "Destination");
		struct run_mount *r;

		if (!type || !dst || has_dest(a, dst) ||
		    (strcmp(type, "bind") && strcmp(type, "volume")))
			continue;
		r = add_mount(a);
		r->type = !strcmp(type, "bind") ? RUN_BIND : RUN_VOLUME;
		r->source = xstrdup(json_str(m, !strcmp(type, "bind") ? "Source"
							 : "Name") ?: "");
		r->dest = xstrdup(dst);
		r->ro = mode ? !strcmp(mode, "ro") :
			!cJSON_IsTrue(cJSON_GetObjectItem(m, "RW"));
		r->mode = xstrdup(mode ? mode : json_str(m, "Mode") ?: "");
		r->nocopy = true;	/* the volume has its data already */
		r->inherited = true;
	}
	ctr_release(&c);
	return 0;
}

static int by_depth(const void *x, const void *y)
{
	const struct run_mount *a = x, *b = y;
	size_t da = 0, db = 0;

	for (const char *p = a->dest; *p; p++)
		da += *p == '/';
	for (const char *p = b->dest; *p; p++)
		db += *p == '/';
	if (da != db)
		return da < db ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

static int bind_source(struct run_mount *m, struct err **e)
{
	if (m->long_form || m->inherited || access(m->source, F_OK) == 0)
		return 0;
	/* -v creates a missing host directory, as docker does */
	if (mkdir_p(m->source, 0755, e) < 0)
		return err_wrap(e, "cannot create the bind source '%s'",
				m->source);
	return 0;
}

/* A volume for M: found or created (an anonymous one when unnamed). */
static int open_volume(struct store *s, struct run_mount *m, struct err **e)
{
	struct volume v;
	bool created;

	m->anonymous = !m->source;
	if (m->inherited) {
		if (volume_get(s, m->source, &v, e) < 0)
			return -1;
	} else if (volume_create(s, m->source, NULL, NULL, !m->source, &v,
				 &created, e) < 0) {
		return -1;
	}
	free(m->source);
	m->source = xstrdup(v.name);
	m->mountpoint = xstrdup(v.mountpoint);
	if (v.type && !strcmp(v.type, "tmpfs")) {
		m->vol_tmpfs = true;
		m->options = v.mount_opts && *v.mount_opts ?
			xstrdup(v.mount_opts) : NULL;
	} else if (v.type) {
		m->bind_device = xstrdup(v.device);
	}
	volume_release(&v);
	return 0;
}

/* The record's Mounts entry (docker's MountPoint) */
static cJSON *mount_point(const struct run_mount *m)
{
	cJSON *o = cJSON_CreateObject();
	bool vol = m->type == RUN_VOLUME;

	cJSON_AddStringToObject(o, "Type", vol ? "volume" :
				m->type == RUN_BIND ? "bind" : "tmpfs");
	cJSON_AddStringToObject(o, "Name", vol ? m->source : "");
	cJSON_AddStringToObject(o, "Source", vol ? m->mountpoint :
				m->type == RUN_BIND ? m->source : "");
	cJSON_AddStringToObject(o, "Destination", m->dest);
	cJSON_AddStringToObject(o, "Driver", vol ? "local" : "");
	cJSON_AddStringToObject(o, "Mode", m->mode ? m->mode : "");
	cJSON_AddBoolToObject(o, "RW", !m->ro);
	cJSON_AddStringToObject(o, "Propagation",
				m->type == RUN_BIND ? "rprivate" : "");
	return o;
}

static void to_spec(struct run_args *a, const struct run_mount *m)
{
	struct run_config *rc = &a->rc;
	struct rt_bind *b;

	rc->binds = xrealloc(rc->binds, (rc->nbinds + 1) * sizeof(*rc->binds));
	b = &rc->binds[rc->nbinds++];
	memset(b, 0, sizeof(*b));
	b->dest = xstrdup(m->dest);
	b->ro = m->ro;
	if (m->type == RUN_TMPFS || m->vol_tmpfs) {
		b->options = m->options ? xstrdup(m->options) : NULL;
		return;
	}
	b->source = xstrdup(m->type == RUN_BIND ? m->source :
			    m->bind_device ? m->bind_device : m->mountpoint);
	b->copy_up = m->type == RUN_VOLUME && !m->nocopy && !m->bind_device;
}

int run_mounts_resolve(struct store *s, struct run_args *a,
		       const cJSON *image_config, struct err **e)
{
	const cJSON *vols = json_obj(json_obj(image_config, "config"), "Volumes");
	const cJSON *it;
	bool any_volume = false;

	for (size_t i = 0; i < a->nmounts; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(a->mounts[i].dest, a->mounts[j].dest))
				return err_cause(e, EINVAL, "duplicate mount "
						 "point '%s'", a->mounts[i].dest);
	for (char **f = a->volumes_from; f && *f; f++)
		if (add_from(s, a, *f, e) < 0)
			return -1;
	cJSON_ArrayForEach(it, vols) {
		_cleanup_free_ char *dest = it->string ? clean_dest(it->string)
						       : NULL;

		if (!dest || has_dest(a, dest))
			continue;
		add_mount(a)->type = RUN_VOLUME;
		a->mounts[a->nmounts - 1].dest = TAKE_PTR(dest);
	}
	for (size_t i = 0; i < a->nmounts; i++) {
		a->mounts[i].order = i;
		any_volume |= a->mounts[i].type == RUN_VOLUME;
	}
	if (a->nmounts)	/* qsort(NULL, 0) is undefined */
		qsort(a->mounts, a->nmounts, sizeof(*a->mounts), by_depth);
	/* held until the record naming the volumes is written */
	if (any_volume && (a->volume_lock = volume_lock(s, false, e)) < 0)
		return -1;
	a->mount_points = cJSON_CreateArray();
	for (size_t i = 0; i < a->nmounts; i++) {
		struct run_mount *m = &a->mounts[i];

		if (m->type == RUN_BIND && bind_source(m, e) < 0)
			return -1;
		if (m->type == RUN_VOLUME && open_volume(s, m, e) < 0)
			return -1;
		to_spec(a, m);
		if (!m->hidden)
			cJSON_AddItemToArray(a->mount_points, mount_point(m));
	}
	return 0;
}

/* ---- :U ----------------------------------------------------------------- */

static uid_t chown_uid;
static gid_t chown_gid;

static int chown_one(const char *path, const struct stat *st, int flag,
		     struct FTW *ftw)
{
	if (lchown(path, chown_uid, chown_gid) < 0)
		log_debug("cannot chown '%s': %s", path, strerror(errno));
	return 0;
}

/* -v SRC:DST:U: SRC's tree given to the container's user (podman). */
int run_mounts_chown(struct run_args *a, uid_t uid, gid_t gid,
		     struct err **e)
{
	chown_uid = uid;
	chown_gid = gid;
	for (size_t i = 0; i < a->nmounts; i++) {
		const struct run_mount *m = &a->mounts[i];
		const char *src = m->type == RUN_BIND ? m->source :
				  m->bind_device ? m->bind_device : m->mountpoint;

		if (!m->chown || !src || m->vol_tmpfs)
			continue;
		if (nftw(src, chown_one, 16, FTW_PHYS | FTW_MOUNT) < 0)
			return err_make(e, errno, "cannot chown '%s' for ':U'",
					src);
	}
	return 0;
}

void run_mounts_release(struct run_args *a)
{
	for (size_t i = 0; i < a->nmounts; i++) {
		struct run_mount *m = &a->mounts[i];

		free(m->source);
		free(m->dest);
		free(m->mode);
		free(m->options);
		free(m->spec);
		free(m->mountpoint);
		free(m->bind_device);
	}
	free(a->mounts);
	for (size_t i = 0; i < a->rc.nbinds; i++) {
		free(a->rc.binds[i].source);
		free(a->rc.binds[i].dest);
		free(a->rc.binds[i].options);
	}
	free(a->rc.binds);
	strv_free(a->volumes_from);
	cJSON_Delete(a->mount_points);
	lock_release(a->volume_lock);
}
