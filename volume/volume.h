/*
 * volume.h - named and anonymous volumes: data that outlives a container
 * and can be shared between containers (docker's "local" driver).
 *
 * On disk, under the store:
 *
 *   volumes/NAME/volume.json    name, createdAt, labels, options, anonymous
 *   volumes/NAME/_data/         what containers see (the Mountpoint)
 *   volumes/.new-NAME.R/        a volume being created (renamed into place
 *                               once complete: a crash leaves no half one)
 *   volumes/.rm-NAME.R/         a volume being removed: it left the listing
 *                               with one rename, the deletion follows
 *
 * Locking: locks/volumes.lock. Whoever removes volumes holds it exclusive
 * and checks, under it, that no container record mounts the volume; `run`
 * holds it shared from finding or creating its volumes until its record
 * (which names them) is written. Creation needs no more than shared:
 * renameat2(RENAME_NOREPLACE) makes it atomic.
 *
 * Options (`volume create --opt`), docker's local driver: type=tmpfs with
 * device=tmpfs and o=size=...,mode=...,uid=...,gid=... mounts a tmpfs per
 * container (husk has no daemon to keep one mounted between containers);
 * type=none with o=bind and device=/PATH binds that host directory.
 *
 * Nothing here prints or exits.
 */
#ifndef HUSK_VOLUME_H
#define HUSK_VOLUME_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "lib/err.h"

struct store;
struct ctr;

struct volume {
	char *name;
	char *mountpoint;	/* STORE/volumes/NAME/_data */
	int64_t created;	/* nanoseconds since the epoch */
	cJSON *labels;		/* object, owned, never NULL once loaded */
	cJSON *options;		/* object, owned, never NULL once loaded */
	bool anonymous;
	/* from the options: */
	char *type;		/* "tmpfs", "none" or NULL (a directory) */
	char *device;		/* the bind source for type=none */
	char *mount_opts;	/* o=..., without "bind" */
};

void volume_release(struct volume *v);

/* Docker's rule: [a-zA-Z0-9][a-zA-Z0-9_.-]+; at most 128 bytes here. */
bool volume_name_valid(const char *name);

/*
 * Checks the options (an object of strings: type, device, o) as the local
 * driver would; an unknown key or type is EINVAL naming it.
 */
int volume_check_options(const cJSON *opts, struct err **e);

/*
 * Creates volume NAME (NULL: an anonymous one, named with 64 random hex
 * digits) with LABELS and OPTIONS (objects or NULL; copied). An existing
 * volume of that name is returned as it is (*created false), as docker's
 * `volume create` does. V is filled either way.
 */
int volume_create(struct store *s, const char *name, const cJSON *labels,
		  const cJSON *options, bool anonymous, struct volume *v,
		  bool *created, struct err **e);

/* Volume NAME; "no such volume 'NAME'" with errnum ENOENT. */
int volume_get(struct store *s, const char *name, struct volume *v,
	       struct err **e);

/* Every volume, sorted by name. */
int volume_list(struct store *s, struct volume **out, size_t *n,
		struct err **e);
void volume_list_free(struct volume *v, size_t n);

/* locks/volumes.lock: exclusive for removals, shared for run. */
int volume_lock(struct store *s, bool exclusive, struct err **e);

/*
 * The containers whose records mount volume NAME (ids, NULL-terminated,
 * for the caller to free with strv_free), or NULL when none do.
 */
char **volume_users(struct store *s, const char *name);

/*
 * Removes volume NAME; hold the exclusive lock. One that a container uses
 * is refused with EBUSY, "volume is in use by container ID". The volume
 * leaves the listing with one rename; its files are deleted after. Needs
 * to run where the files can be deleted (rootless: the user namespace).
 */
int volume_remove(struct store *s, const char *name, struct err **e);

/*
 * Removes the anonymous volumes the removed container C mounted, except
 * those another container still uses (docker's `rm -v` and `run --rm`).
 * Takes the lock itself. Failures are logged at debug level only: the
 * container is gone, and `volume prune` gets the rest.
 */
void volume_remove_anonymous(struct store *s, const cJSON *mounts);

/* Deletes what removals and creations cut short left (.rm-*, .new-*). */
void volume_gc(struct store *s);

/* Docker's volume inspect object: Name, Driver, Mountpoint, ... */
cJSON *volume_json(const struct volume *v);

#endif
