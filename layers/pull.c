/*
 * Pulling an image into the store: manifest (through an index when there
 * is one), config, then the layers in parallel. Each layer is streamed in
 * one pass: download -> sha256 -> (pipe) -> decompress -> diffid -> extract
 * into a staging directory, with memory bounded by the pipe and buffers,
 * whatever the layer's size. Nothing becomes visible before it is verified:
 * blobs and layers are renamed into place (store_commit), the image entry is
 * added to index.json last.
 *
 * Single flight: a layer is pulled under the lock "layer-DIFFID". A second
 * puller of the same layer, in this process or another, waits on that lock
 * and then finds the layer in place.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "layers/pull.h"
#include "lib/json.h"
#include "lib/lock.h"
#include "lib/xalloc.h"
#include "registry/registry.h"
#include "lib/banned.h"

#define CONFIG_MAX (8u << 20)

struct job {
	struct store *store;
	const struct pull_opts *opts;
	const struct registry_client *cli;
	struct pull_layer *layer;	/* digest, diffid, progress */
	struct err *err;
	uint64_t unpacked;		/* bytes of the uncompressed tar */
	unsigned squashed;
};

/* ---- manifest and config ------------------------------------------- */

static bool layer_type_ok(const char *mt)
{
	return mt && layers_media_compression(mt) != NULL;
}

static int parse_layers(const cJSON *m, struct pull_image *img,
			struct err **e)
{
	const cJSON *arr = json_arr(m, "layers"), *l;
	size_t i = 0;

	if (!arr)
		return err_make(e, 0, "invalid manifest: no layers");
	img->n = (size_t)cJSON_GetArraySize(arr);
	img->layers = xcalloc(img->n ? img->n : 1, sizeof(*img->layers));
	cJSON_ArrayForEach(l, arr) {
		struct pull_layer *pl = &img->layers[i++];
		const char *d = json_str(l, "digest");
		const char *mt = json_str(l, "mediaType");
		int64_t size;

		if (!ref_digest_valid(d) || json_int64(l, "size", &size) < 0 ||
		    size < 0)
			return err_make(e, 0, "invalid manifest: bad layer %zu",
					i - 1);
		if (!layer_type_ok(mt))
			return err_make(e, 0, "unsupported layer media type '%s'",
					mt ? mt : "");
		pl->digest = xstrdup(d);
		pl->media_type = xstrdup(mt);
		pl->size = (uint64_t)size;
	}
	return 0;
}

static int parse_manifest(const struct buf *body, struct pull_image *img,
			  struct err **e)
{
	_cleanup_cjson_ cJSON *m = NULL;
	const cJSON *cfg;
	int64_t v = 0, size;

	if (json_parse(body->s, body->len, &m, e) < 0)
		return err_wrap(e, "invalid manifest");
	if (json_int64(m, "schemaVersion", &v) < 0 || v != 2)
		return err_make(e, 0, "invalid manifest: schemaVersion is not 2");
	cfg = json_obj(m, "config");
	if (!cfg || !ref_digest_valid(json_str(cfg, "digest")) ||
	    json_int64(cfg, "size", &size) < 0 || size < 0 ||
	    (uint64_t)size > CONFIG_MAX)
		return err_make(e, 0, "invalid manifest: bad config descriptor");
	img->config_digest = xstrdup(json_str(cfg, "digest"));
	img->config_size = (uint64_t)size;
	return parse_layers(m, img, e);
}

static int parse_config(const struct buf *body, struct pull_image *img,
			struct err **e)
{
	_cleanup_cjson_ cJSON *c = NULL;
	const cJSON *ids, *id;
	size_t i = 0;

	if (json_parse(body->s, body->len, &c, e) < 0)
		return err_wrap(e, "invalid image config");
	ids = json_arr(json_obj(c, "rootfs"), "diff_ids");
	if (!ids || (size_t)cJSON_GetArraySize(ids) != img->n)
		return err_make(e, 0, "invalid image config: %d diff_ids for "
				      "%zu layers",
				ids ? cJSON_GetArraySize(ids) : 0, img->n);
	cJSON_ArrayForEach(id, ids) {
		if (!cJSON_IsString(id) || !ref_digest_valid(id->valuestring))
			return err_make(e, 0, "invalid image config: bad diff_id");
		img->layers[i++].diffid = xstrdup(id->valuestring);
	}
	if (json_str(c, "created"))
		img->created = xstrdup(json_str(c, "created"));
	return 0;
}

static int buf_sink(void *arg, const void *data, size_t n)
{
	struct buf *b = arg;

	if (b->len + n > CONFIG_MAX) {
		errno = EFBIG;
		return -1;
	}
	buf_add(b, data, n);
	return 0;
}

/* The image manifest for REF, resolving an index by platform. */
static int resolve(struct registry_client *cli, const struct ref *r,
		   const char *platform, struct buf *body,
		   struct pull_image *img, struct err **e)
{
	_cleanup_free_ char *mt = NULL, *digest = NULL;
	_cleanup_free_ char *child = NULL, *child_mt = NULL;

	if (registry_get_manifest(cli, ref_object(r), body, &mt, &digest, e) < 0)
		return -1;
	img->repo_digest = xstrdup(digest);
	if (!registry_is_index(mt)) {
		img->manifest_digest = TAKE_PTR(digest);
		img->manifest_type = TAKE_PTR(mt);
		return 0;
	}
	if (registry_select_platform(body->s, body->len, platform, &child,
				     &child_mt, e) < 0)
		return -1;
	buf_reset(body);
	free(TAKE_PTR(mt));
	free(TAKE_PTR(digest));
	if (registry_get_manifest(cli, child, body, &mt, &digest, e) < 0)
		return -1;
	if (registry_is_index(mt))
		return err_make(e, 0, "invalid index: entry '%s' is an index",
				child);
	img->manifest_digest = TAKE_PTR(digest);
	img->manifest_type = TAKE_PTR(mt);
	return 0;
}

/* ---- one layer ------------------------------------------------------ */

struct stream {
	int blob_fd;		/* the compressed blob in scratch */
	int pipe_fd;		/* to the unpacker, -1 when not unpacking */
	bool pipe_broken;	/* the unpacker stopped reading */
	_Atomic uint64_t *done;
};

static int write_all(int fd, const void *data, size_t n)
{
	const char *p = data;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int stream_sink(void *arg, const void *data, size_t n)
{
	struct stream *st = arg;

	if (write_all(st->blob_fd, data, n) < 0)
		return -1;
	if (st->pipe_fd >= 0 && write_all(st->pipe_fd, data, n) < 0) {
		st->pipe_broken = errno == EPIPE;
		return -1;
	}
	atomic_fetch_add(st->done, n);
	return 0;
}

struct unpacker {
	pthread_t tid;
	int in_fd;
	int dest_fd;
	const char *media_type;
	struct unpack_opts opts;
	struct unpack_result res;
	struct err *err;
	int rc;
};

static void *unpack_main(void *arg)
{
	struct unpacker *u = arg;

	u->rc = layers_unpack(u->in_fd, u->media_type, u->dest_fd, &u->opts,
			      &u->res, &u->err);
	/* closing our end makes a writer still going fail with EPIPE */
	(void) close(TAKE_FD(u->in_fd));
	return NULL;
}

static int start_unpacker(struct job *j, int in_fd, int dest_fd,
			  struct unpacker *u, struct err **e)
{
	memset(u, 0, sizeof(*u));
	u->in_fd = in_fd;
	u->dest_fd = dest_fd;
	u->media_type = j->layer->media_type;
	u->opts = j->opts->unpack;
	u->opts.expected_diffid = j->layer->diffid;
	if ((errno = pthread_create(&u->tid, NULL, unpack_main, u)) != 0)
		return err_make(e, errno, "cannot start a thread");
	return 0;
}

static int finish_unpacker(struct job *j, struct unpacker *u, int fetch_rc,
			   bool pipe_broken, struct err **fetch_err,
			   struct err **e)
{
	(void) pthread_join(u->tid, NULL);
	/* the unpacker's error explains a broken pipe; else the download's */
	if (fetch_rc < 0 && !(pipe_broken && u->rc < 0)) {
		*e = TAKE_PTR(*fetch_err);
		err_free(TAKE_PTR(u->err));
		return -1;
	}
	if (u->rc < 0) {
		*e = TAKE_PTR(u->err);
		return -1;
	}
	j->unpacked = u->res.size;
	j->squashed = u->res.squashed;
	return 0;
}

static int open_staging(struct job *j, char **name, struct err **e)
{
	int fd;

	if (store_scratch_name(j->store, "layer", name, e) < 0)
		return -1;
	if (mkdirat(j->store->rootfd, *name, 0700) < 0)
		return err_make(e, errno, "cannot create '%s'", *name);
	fd = openat(j->store->rootfd, *name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_make(e, errno, "cannot open '%s'", *name);
	return fd;
}

/* Unpacks from an already stored blob (a layer that was removed alone). */
static int unpack_stored(struct job *j, int dest_fd, struct err **e)
{
	_cleanup_free_ char *rel = store_blob_rel(j->layer->digest);
	struct unpacker u;
	int in = openat(j->store->rootfd, rel, O_RDONLY | O_CLOEXEC);

	if (in < 0)
		return err_make(e, errno, "cannot open '%s'", rel);
	if (start_unpacker(j, in, dest_fd, &u, e) < 0) {
		(void) close(in);
		return -1;
	}
	atomic_store(&j->layer->done, j->layer->size);
	return finish_unpacker(j, &u, 0, false, NULL, e);
}

/* Downloads the blob into scratch BLOB, unpacking it on the way if asked. */
static int download(struct job *j, const char *blob, int dest_fd,
		    struct err **e)
{
	_cleanup_registry_client_ struct registry_client *cli = NULL;
	_cleanup_err_ struct err *ferr = NULL;
	_cleanup_close_ int bfd = -1;
	struct stream st = { -1, -1, false, &j->layer->done };
	struct unpacker u;
	int p[2] = { -1, -1 }, rc;

	if (registry_client_clone(j->cli, &cli, e) < 0)
		return -1;
	bfd = openat(j->store->rootfd, blob,
		     O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (bfd < 0)
		return err_make(e, errno, "cannot create '%s'", blob);
	st.blob_fd = bfd;
	if (dest_fd >= 0) {
		if (pipe2(p, O_CLOEXEC) < 0)
			return err_make(e, errno, "pipe");
		if (start_unpacker(j, p[0], dest_fd, &u, e) < 0) {
			(void) close(p[0]);
			(void) close(p[1]);
			return -1;
		}
		st.pipe_fd = p[1];
	}
	rc = registry_fetch_blob(cli, j->layer->digest, stream_sink, &st,
				 j->layer->size, &ferr);
	if (st.pipe_fd >= 0)
		(void) close(st.pipe_fd);
	if (dest_fd >= 0)
		rc = finish_unpacker(j, &u, rc, st.pipe_broken, &ferr, e);
	else if (rc < 0)
		*e = TAKE_PTR(ferr);
	if (rc < 0)
		return -1;
	if (fsync(bfd) < 0)
		return err_make(e, errno, "cannot sync '%s'", blob);
	return 0;
}

static int write_layer_meta(struct job *j, struct err **e)
{
	_cleanup_free_ char *hex = xasprintf("layers/%s.json",
					     j->layer->diffid + 7);
	_cleanup_cjson_ cJSON *m = cJSON_CreateObject();

	cJSON_AddStringToObject(m, "diffid", j->layer->diffid);
	cJSON_AddNumberToObject(m, "size", (double)j->unpacked);
	return json_write_file(j->store->rootfd, hex, m, 0644, e);
}

/* The layer's unpacked size, recorded when it was unpacked. */
static uint64_t layer_size(struct store *s, const char *diffid)
{
	_cleanup_free_ char *rel = xasprintf("layers/%s.json", diffid + 7);
	_cleanup_cjson_ cJSON *m = NULL;
	int64_t size = 0;

	if (json_read_file(s->rootfd, rel, 1 << 16, &m, NULL) < 0 ||
	    json_int64(m, "size", &size) < 0 || size < 0)
		return 0;
	return (uint64_t)size;
}

/* Under the layer lock: fetch and/or unpack what is missing, commit. */
static int pull_locked(struct job *j, struct err **e)
{
	struct pull_layer *l = j->layer;
	_cleanup_free_ char *blob_rel = store_blob_rel(l->digest);
	_cleanup_free_ char *layer_rel = store_layer_rel(l->diffid);
	_cleanup_free_ char *blob = NULL, *stage = NULL;
	_cleanup_close_ int dest = -1;
	bool need_layer = !store_has_layer(j->store, l->diffid);
	bool need_blob = !store_has_blob(j->store, l->digest);

	if (!need_layer && !need_blob) {
		atomic_store(&l->phase, PULL_EXISTS);
		return 0;
	}
	atomic_store(&l->phase, PULL_DOWNLOADING);
	if (need_layer && (dest = open_staging(j, &stage, e)) < 0)
		return -1;
	if (need_blob) {
		if (store_scratch_name(j->store, "blob", &blob, e) < 0 ||
		    download(j, blob, dest, e) < 0)
			return -1;
	} else if (unpack_stored(j, dest, e) < 0) {
		return -1;
	}
	if (need_layer) {
		/* one syncfs per layer, never an fsync per file */
		if (syncfs(dest) < 0)
			return err_make(e, errno, "cannot sync the layer");
		if (write_layer_meta(j, e) < 0 ||
		    store_commit(j->store, stage, layer_rel, e) < 0)
			return -1;
	}
	if (need_blob && store_commit(j->store, blob, blob_rel, e) < 0)
		return -1;
	atomic_store(&l->phase, PULL_DONE);
	return 0;
}

static int pull_layer(struct job *j, struct err **e)
{
	_cleanup_free_ char *name = xasprintf("layer-%s", j->layer->diffid + 7);
	int lock, r;

	if (store_has_layer(j->store, j->layer->diffid) &&
	    store_has_blob(j->store, j->layer->digest)) {
		atomic_store(&j->layer->phase, PULL_EXISTS);
		return 0;
	}
	atomic_store(&j->layer->phase, PULL_WAITING);
	lock = store_lock(j->store, name, true, e);
	if (lock < 0)
		return -1;
	r = pull_locked(j, e);
	lock_release(lock);
	if (r < 0)
		atomic_store(&j->layer->phase, PULL_FAILED);
	return r;
}

/* ---- the pool ------------------------------------------------------- */

struct pool {
	struct job *jobs;
	size_t n;
	_Atomic size_t next;
	_Atomic bool failed;
	pthread_mutex_t mu;
	pthread_cond_t done;	/* signalled as each layer finishes */
	size_t finished;	/* under mu */
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	sigset_t set;
	size_t i;

	/* a write to a closed pipe must fail with EPIPE, not kill us */
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	(void) pthread_sigmask(SIG_BLOCK, &set, NULL);
	while ((i = atomic_fetch_add(&p->next, 1)) < p->n) {
		struct job *j = &p->jobs[i];

		if (atomic_load(&p->failed)) {
			atomic_store(&j->layer->phase, PULL_FAILED);
		} else if (pull_layer(j, &j->err) < 0) {
			atomic_store(&p->failed, true);
		}
		(void) pthread_mutex_lock(&p->mu);
		p->finished++;
		(void) pthread_cond_signal(&p->done);
		(void) pthread_mutex_unlock(&p->mu);
	}
	return NULL;
}

static void report(const struct pull_opts *o, const struct pull_image *img,
		   bool final)
{
	if (o->progress)
		o->progress(o->progress_arg, img, final);
}

static int run_pool(struct store *s, const struct pull_opts *o,
		    const struct registry_client *cli, struct pull_image *img,
		    struct err **e)
{
	struct pool p = { .n = img->n, .mu = PTHREAD_MUTEX_INITIALIZER };
	size_t nthreads = o->jobs ? o->jobs : 3;
	pthread_t tids[16];
	size_t started = 0;
	int rc = 0;

	if (nthreads > ARRAY_SIZE(tids))
		nthreads = ARRAY_SIZE(tids);
	if (nthreads > img->n)
		nthreads = img->n;
	{
		pthread_condattr_t ca;

		(void) pthread_condattr_init(&ca);
		(void) pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		(void) pthread_cond_init(&p.done, &ca);
		(void) pthread_condattr_destroy(&ca);
	}
	p.jobs = xcalloc(img->n ? img->n : 1, sizeof(*p.jobs));
	for (size_t i = 0; i < img->n; i++)
		p.jobs[i] = (struct job){ s, o, cli, &img->layers[i], NULL, 0, 0 };
	for (; started < nthreads; started++)
		if (pthread_create(&tids[started], NULL, worker, &p) != 0)
			break;
	if (!started && img->n)
		worker(&p);
	/* redraw progress every 100 ms, but return as soon as all are done */
	(void) pthread_mutex_lock(&p.mu);
	while (p.finished < img->n) {
		struct timespec until;

		(void) pthread_mutex_unlock(&p.mu);
		report(o, img, false);
		(void) pthread_mutex_lock(&p.mu);
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += 100 * 1000 * 1000;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		if (p.finished < img->n)
			(void) pthread_cond_timedwait(&p.done, &p.mu, &until);
	}
	(void) pthread_mutex_unlock(&p.mu);
	for (size_t i = 0; i < started; i++)
		(void) pthread_join(tids[i], NULL);
	for (size_t i = 0; i < img->n; i++) {
		struct job *j = &p.jobs[i];

		if (j->err && !rc) {
			*e = TAKE_PTR(j->err);
			rc = -1;
		}
		err_free(j->err);
		img->squashed += j->squashed;
	}
	free(p.jobs);
	(void) pthread_cond_destroy(&p.done);
	return rc;
}

/* ---- the image ------------------------------------------------------ */

static cJSON *index_entry(struct store *s, const struct ref *r,
			  struct pull_image *img, size_t manifest_len)
{
	cJSON *d = cJSON_CreateObject();
	cJSON *a = cJSON_AddObjectToObject(d, "annotations");
	_cleanup_free_ char *name = ref_full(r);
	_cleanup_free_ char *repo = ref_repo(r);
	_cleanup_free_ char *rd = xasprintf("%s@%s", repo, img->repo_digest);
	_cleanup_free_ char *size = NULL, *now = NULL;

	img->size = 0;
	for (size_t i = 0; i < img->n; i++)
		img->size += layer_size(s, img->layers[i].diffid);
	size = xasprintf("%llu", (unsigned long long)img->size);
	now = xasprintf("%lld", (long long)time(NULL));
	cJSON_AddStringToObject(d, "mediaType", img->manifest_type);
	cJSON_AddStringToObject(d, "digest", img->manifest_digest);
	cJSON_AddNumberToObject(d, "size", (double)manifest_len);
	cJSON_AddStringToObject(a, "org.opencontainers.image.ref.name", name);
	cJSON_AddStringToObject(a, "io.husk.repo-digest", rd);
	cJSON_AddStringToObject(a, "io.husk.config", img->config_digest);
	cJSON_AddStringToObject(a, "io.husk.size", size);
	cJSON_AddStringToObject(a, "io.husk.pulled", now);
	if (img->created)
		cJSON_AddStringToObject(a, "org.opencontainers.image.created",
					img->created);
	return d;
}

/* The config from the store when an earlier pull left it, else fetched. */
static int fetch_config(struct store *s, struct registry_client *cli,
			struct pull_image *img, struct buf *cfg, struct err **e)
{
	if (store_get_blob(s, img->config_digest, CONFIG_MAX, cfg, NULL) < 0 &&
	    registry_fetch_blob(cli, img->config_digest, buf_sink, cfg,
				img->config_size, e) < 0)
		return err_wrap(e, "config");
	return parse_config(cfg, img, e);
}

int layers_pull(struct store *s, const struct ref *r, const struct pull_opts *o,
		struct pull_image *img, struct err **e)
{
	_cleanup_registry_client_ struct registry_client *cli = NULL;
	_cleanup_buf_ struct buf manifest = BUF_INIT, cfg = BUF_INIT;
	int gc, rc;

	memset(img, 0, sizeof(*img));
	if (registry_client_new(o->cfg, r, &cli, e) < 0 ||
	    resolve(cli, r, o->platform, &manifest, img, e) < 0 ||
	    parse_manifest(&manifest, img, e) < 0 ||
	    fetch_config(s, cli, img, &cfg, e) < 0)
		return -1;
	report(o, img, false);
	/* image removal takes "gc" exclusively: it never sweeps a layer
	 * that this pull found present and is about to reference */
	gc = store_lock(s, "gc", false, e);
	if (gc < 0)
		return -1;
	rc = run_pool(s, o, cli, img, e);
	report(o, img, true);
	/* manifest and config go in only once every layer is there */
	if (rc >= 0)
		rc = store_put_blob(s, img->manifest_digest, manifest.s,
				    manifest.len, e);
	if (rc >= 0)
		rc = store_put_blob(s, img->config_digest, cfg.s, cfg.len, e);
	if (rc >= 0)
		rc = store_index_put(s, img->name = ref_full(r),
				     index_entry(s, r, img, manifest.len), e);
	lock_release(gc);
	return rc;
}

void pull_image_release(struct pull_image *img)
{
	for (size_t i = 0; i < img->n; i++) {
		free(img->layers[i].digest);
		free(img->layers[i].diffid);
		free(img->layers[i].media_type);
	}
	free(img->layers);
	free(img->name);
	free(img->repo_digest);
	free(img->manifest_digest);
	free(img->manifest_type);
	free(img->config_digest);
	free(img->created);
	memset(img, 0, sizeof(*img));
}
