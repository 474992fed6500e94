/* The store's images: index.json entries and what they reference. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "layers/image.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/lock.h"
#include "lib/xalloc.h"
#include "registry/registry.h"
#include "lib/banned.h"

#define BLOB_JSON_MAX (8u << 20)
#define ANN_NAME "org.opencontainers.image.ref.name"

void strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

static void strv_add(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 2) * sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
	(*v)[*n] = NULL;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void image_from(struct image *im, const cJSON *desc)
{
	const cJSON *a = json_obj(desc, "annotations");
	const char *size = json_str(a, "io.husk.size");

	im->name = xstrdup(json_str(a, ANN_NAME));
	im->manifest_digest = xstrdup(json_str(desc, "digest"));
	im->config_digest = dup_or_null(json_str(a, "io.husk.config"));
	im->repo_digest = dup_or_null(json_str(a, "io.husk.repo-digest"));
	im->created = dup_or_null(json_str(a, "org.opencontainers.image.created"));
	im->size = size ? strtoull(size, NULL, 10) : 0;
}

int image_list_read(struct store *s, struct image_list *out, struct err **e)
{
	_cleanup_cjson_ cJSON *index = NULL;
	const cJSON *d;

	memset(out, 0, sizeof(*out));
	if (store_index_read(s, &index, e) < 0)
		return -1;
	out->v = xcalloc((size_t)cJSON_GetArraySize(json_arr(index, "manifests")) + 1,
			 sizeof(*out->v));
	cJSON_ArrayForEach(d, json_arr(index, "manifests")) {
		const char *name = json_str(json_obj(d, "annotations"), ANN_NAME);

		/* entries of other tools (skopeo copy into the layout) lack
		 * husk's annotations: they are not husk images */
		if (!name || !ref_digest_valid(json_str(d, "digest")) ||
		    !json_str(json_obj(d, "annotations"), "io.husk.config"))
			continue;
		image_from(&out->v[out->n++], d);
	}
	return 0;
}

void image_release(struct image *im)
{
	free(im->name);
	free(im->manifest_digest);
	free(im->config_digest);
	free(im->repo_digest);
	free(im->created);
	memset(im, 0, sizeof(*im));
}

void image_list_release(struct image_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		image_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static bool is_hex(const char *s, size_t min)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n >= min && s[n] == '\0';
}

/* Id or id-prefix lookup: all names of the one image whose id matches. */
static int find_by_id(const struct image_list *l, const char *hex,
		      size_t **idx, struct err **e)
{
	const char *id = NULL;
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++) {
		const char *c = l->v[i].config_digest + 7;

		if (strncmp(c, hex, strlen(hex)))
			continue;
		if (id && strcmp(id, c))
			return err_make(e, 0, "image id prefix '%s' is ambiguous",
					hex);
		id = c;
	}
	for (size_t i = 0; id && i < l->n; i++) {
		if (strcmp(l->v[i].config_digest + 7, id))
			continue;
		*idx = xrealloc(*idx, (n + 1) * sizeof(**idx));
		(*idx)[n++] = i;
	}
	return (int)n;
}

int image_find(const struct image_list *l, const char *what, size_t **idx,
	       struct err **e)
{
	_cleanup_free_ char *full = NULL;
	struct ref r = REF_INIT;

	*idx = NULL;
	if (!strncmp(what, "sha256:", 7) && is_hex(what + 7, 1))
		return find_by_id(l, what + 7, idx, e);
	if (is_hex(what, 3)) {
		int n = find_by_id(l, what, idx, e);

		if (n != 0)
			return n;
	}
	if (ref_parse(what, &r, e) < 0)
		return -1;
	full = ref_full(&r);
	ref_release(&r);
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].name, full))
			continue;
		*idx = xmalloc(sizeof(**idx));
		**idx = i;
		return 1;
	}
	return 0;
}

static int find_one(struct store *s, const char *what, struct image_list *l,
		    size_t *at, struct err **e)
{
	_cleanup_free_ size_t *idx = NULL;
	int n;

	if (image_list_read(s, l, e) < 0)
		return -1;
	n = image_find(l, what, &idx, e);
	if (n < 0)
		return -1;
	if (n == 0)
		return err_make(e, 0, "no such image");
	*at = idx[0];
	return n;
}

static cJSON *find_desc(cJSON *index, const char *name)
{
	cJSON *d;

	cJSON_ArrayForEach(d, json_arr(index, "manifests"))
		if (!strcmp(json_str(json_obj(d, "annotations"), ANN_NAME) ?: "",
			    name))
			return d;
	return NULL;
}

int image_tag(struct store *s, const char *src, const char *dst,
	      struct err **e)
{
	struct image_list l;
	_cleanup_cjson_ cJSON *index = NULL;
	_cleanup_free_ char *full = NULL;
	struct ref r = REF_INIT;
	cJSON *desc, *copy;
	size_t at = 0;

	if (ref_parse(dst, &r, e) < 0)
		return -1;
	if (r.digest) {
		ref_release(&r);
		return err_make(e, 0, "a tag cannot name a digest");
	}
	full = ref_full(&r);
	ref_release(&r);
	if (find_one(s, src, &l, &at, e) < 0 || store_index_read(s, &index, e) < 0) {
		image_list_release(&l);
		return -1;
	}
	desc = find_desc(index, l.v[at].name);
	image_list_release(&l);
	if (!desc)
		return err_make(e, 0, "no such image");
	copy = cJSON_Duplicate(desc, true);
	cJSON_ReplaceItemInObject(json_obj(copy, "annotations"), ANN_NAME,
				  cJSON_CreateString(full));
	return store_index_put(s, full, copy, e);
}

/* ---- garbage collection ---------------------------------------------- */

struct refset {
	char **v;
	size_t n;
};

static void refset_add(struct refset *r, const char *hex)
{
	strv_add(&r->v, &r->n, hex);
}

static bool refset_has(const struct refset *r, const char *hex)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->v[i], hex))
			return true;
	return false;
}

/* What the manifest DIGEST keeps alive: itself, config, layer blobs and
 * the config's diffids. An unreadable manifest keeps only itself. */
static void mark_image(struct store *s, const char *digest,
		       struct refset *blobs, struct refset *layers)
{
	_cleanup_buf_ struct buf mb = BUF_INIT, cb = BUF_INIT;
	_cleanup_cjson_ cJSON *m = NULL, *c = NULL;
	const cJSON *x;
	const char *cd;

	refset_add(blobs, digest + 7);
	if (store_get_blob(s, digest, BLOB_JSON_MAX, &mb, NULL) < 0 ||
	    json_parse(mb.s, mb.len, &m, NULL) < 0)
		return;
	cd = json_str(json_obj(m, "config"), "digest");
	if (!ref_digest_valid(cd))
		return;
	refset_add(blobs, cd + 7);
	cJSON_ArrayForEach(x, json_arr(m, "layers"))
		if (ref_digest_valid(json_str(x, "digest")))
			refset_add(blobs, json_str(x, "digest") + 7);
	if (store_get_blob(s, cd, BLOB_JSON_MAX, &cb, NULL) < 0 ||
	    json_parse(cb.s, cb.len, &c, NULL) < 0)
		return;
	cJSON_ArrayForEach(x, json_arr(json_obj(c, "rootfs"), "diff_ids"))
		if (cJSON_IsString(x) && ref_digest_valid(x->valuestring))
			refset_add(layers, x->valuestring + 7);
}

/* Removes the entries of DIR (under the root) whose hex name is unmarked. */
static int sweep(struct store *s, const char *dir, const struct refset *keep,
		 const char *what, char ***deleted, size_t *nd, struct err **e)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd = openat(s->rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? 0 : err_make(e, errno, "open '%s'", dir);
	d = fdopendir(fd);
	if (!d) {
		(void) close(fd);
		return err_make(e, errno, "open '%s'", dir);
	}
	while ((de = readdir(d))) {
		_cleanup_free_ char *hex = xstrndup(de->d_name, 64);
		_cleanup_free_ char *rel = NULL, *name = NULL;

		if (strlen(de->d_name) < 64 || !is_hex(hex, 64) ||
		    refset_has(keep, hex))
			continue;
		rel = xasprintf("%s/%s", dir, de->d_name);
		if (store_remove(s, rel, e) < 0)
			return -1;
		if (strcmp(de->d_name, hex))
			continue; /* layers/HEX.json: reported with the dir */
		name = xasprintf("%s sha256:%s", what, hex);
		strv_add(deleted, nd, name);
	}
	return 0;
}

/*
 * Kept containers (containers/ID/config.json) use their image's layers
 * as lower layers: those stay, and their image ids are reported in
 * IMAGES so rmi can refuse.
 */
static void mark_containers(struct store *s, struct refset *layers,
			    struct refset *images)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd = openat(s->rootfd, "containers",
			O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			(void) close(fd);
		return;
	}
	while ((de = readdir(d))) {
		_cleanup_free_ char *rel = NULL, *lower = NULL;
		_cleanup_cjson_ cJSON *c = NULL;
		const cJSON *a;
		char *save = NULL, *l;

		if (de->d_name[0] == '.')
			continue;
		rel = xasprintf("containers/%s/config.json", de->d_name);
		if (json_read_file(s->rootfd, rel, 1 << 20, &c, NULL) < 0)
			continue;
		a = json_obj(c, "annotations");
		if (images && json_str(a, "io.husk.image.id"))
			refset_add(images, json_str(a, "io.husk.image.id"));
		lower = xstrdup(json_str(a, "io.husk.overlay.lower") ?: "");
		for (l = strtok_r(lower, ":", &save); l;
		     l = strtok_r(NULL, ":", &save))
			if (strrchr(l, '/') && is_hex(strrchr(l, '/') + 1, 64))
				refset_add(layers, strrchr(l, '/') + 1);
	}
}

/* Under the exclusive "gc" lock, so no pull is half-way. */
static int gc_locked(struct store *s, char ***deleted, size_t *nd,
		     struct err **e)
{
	_cleanup_cjson_ cJSON *index = NULL;
	struct refset blobs = { 0 }, layers = { 0 };
	const cJSON *d;
	int rc;

	if (store_index_read(s, &index, e) < 0)
		return -1;
	cJSON_ArrayForEach(d, json_arr(index, "manifests"))
		if (ref_digest_valid(json_str(d, "digest")))
			mark_image(s, json_str(d, "digest"), &blobs, &layers);
	mark_containers(s, &layers, NULL);
	rc = sweep(s, "layers", &layers, "layer", deleted, nd, e);
	if (rc >= 0)
		rc = sweep(s, "blobs/sha256", &blobs, "blob", deleted, nd, e);
	strv_free(blobs.v);
	strv_free(layers.v);
	return rc;
}

int image_gc(struct store *s, char ***deleted, struct err **e)
{
	size_t nd = 0;
	int gc = store_lock(s, "gc", true, e), rc;

	*deleted = NULL;
	if (gc < 0)
		return -1;
	rc = gc_locked(s, deleted, &nd, e);
	lock_release(gc);
	return rc < 0 ? rc : (int)nd;
}

/* docker: an image a container uses is removed only with -f */
static int check_unused(struct store *s, const char *id, struct err **e)
{
	struct refset layers = { 0 }, images = { 0 };
	bool used;

	mark_containers(s, &layers, &images);
	used = refset_has(&images, id);
	strv_free(layers.v);
	strv_free(images.v);
	if (used)
		return err_make(e, 0, "image is used by a container (remove "
				      "the container, or use -f)");
	return 0;
}

int image_remove(struct store *s, const char *what, bool force,
		 char ***untagged, char ***deleted, struct err **e)
{
	struct image_list l;
	_cleanup_free_ size_t *idx = NULL;
	size_t nu = 0, nd = 0;
	int n, gc, rc = 0;

	*untagged = *deleted = NULL;
	gc = store_lock(s, "gc", true, e);
	if (gc < 0)
		return -1;
	if (image_list_read(s, &l, e) < 0) {
		lock_release(gc);
		return -1;
	}
	n = image_find(&l, what, &idx, e);
	if (n < 0)
		rc = -1;
	else if (n == 0)
		rc = err_make(e, 0, "no such image");
	else if (n > 1 && !force && strchr(what, ':') == NULL &&
		 is_hex(what, 3))
		rc = err_make(e, 0, "image is referenced by %d names (use -f, "
				    "or remove it by name)", n);
	if (rc >= 0 && n > 0 && !force)
		rc = check_unused(s, l.v[idx[0]].config_digest, e);
	for (int i = 0; rc >= 0 && n > 0 && i < n; i++) {
		rc = store_index_remove(s, l.v[idx[i]].name, e);
		if (rc >= 0)
			strv_add(untagged, &nu, l.v[idx[i]].name);
	}
	if (n > 0 && rc >= 0)
		rc = gc_locked(s, deleted, &nd, e);
	image_list_release(&l);
	lock_release(gc);
	return rc < 0 ? rc : 0;
}

/* ---- for running ------------------------------------------------------ */

static int rootfs_layers(struct store *s, struct image_rootfs *out,
			 struct err **e)
{
	const cJSON *ids = json_arr(json_obj(out->config, "rootfs"), "diff_ids");
	int n = cJSON_GetArraySize(ids);

	out->layers = xcalloc((size_t)n + 1, sizeof(char *));
	/* overlayfs lists the top layer first: the config lists it last */
	for (int i = n - 1; i >= 0; i--) {
		const cJSON *id = cJSON_GetArrayItem(ids, i);

		if (!cJSON_IsString(id) || !store_has_layer(s, id->valuestring))
			return err_make(e, ENOENT, "layer %d of '%s' is missing "
					"from the store (pull it again)", i,
					out->name);
		out->layers[out->nlayers++] =
			xasprintf("%s/layers/%s", s->root, id->valuestring + 7);
	}
	return 0;
}

int image_rootfs_load(struct store *s, const char *what,
		      struct image_rootfs *out, struct err **e)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	_cleanup_free_ size_t *idx = NULL;
	_cleanup_free_ char *rel = NULL;
	struct image_list l;
	int n;

	memset(out, 0, sizeof(*out));
	if (image_list_read(s, &l, e) < 0)
		return -1;
	n = image_find(&l, what, &idx, e);
	if (n > 0) {
		out->name = xstrdup(l.v[idx[0]].name);
		out->id = xstrdup(l.v[idx[0]].config_digest);
	}
	image_list_release(&l);
	if (n < 0)
		return -1;
	if (n == 0)
		return err_cause(e, ENOENT, "no such image");
	/* verified when it was pulled, and blobs are never rewritten: the
	 * start path does not hash it again (nor load libcrypto to do so) */
	rel = store_blob_rel(out->id);
	if (!rel || read_file(s->rootfd, rel, &b, BLOB_JSON_MAX, e) < 0 ||
	    json_parse(b.s, b.len, &out->config, e) < 0)
		return err_wrap(e, "image config");
	return rootfs_layers(s, out, e);
}

void image_rootfs_release(struct image_rootfs *r)
{
	free(r->name);
	free(r->id);
	cJSON_Delete(r->config);
	strv_free(r->layers);
	memset(r, 0, sizeof(*r));
}
