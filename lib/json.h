/*
 * json.h - cJSON with husk's error model and ownership rules.
 *
 *  - json_parse() parses exactly @len bytes (no NUL needed); trailing
 *    garbage is an error. On failure *e says "invalid JSON at offset N"
 *    (errnum EINVAL). On success *out is a tree owned by the caller; hold
 *    it in a `_cleanup_cjson_ cJSON *j = NULL;`.
 *  - json_read_file() is read_file() (lib/fs.h, ENOENT stays testable)
 *    plus json_parse(), the error naming the file: "cannot read
 *    'config.json': invalid JSON at offset 12".
 *  - json_write_file() prints the tree (indented, newline-terminated) and
 *    replaces the file with atomic_write_file().
 *  - The getters look a key up in an object and check its type, so
 *    untrusted documents (image configs, manifests) cannot crash husk with
 *    a string where a number was expected. They return NULL / <0 when
 *    @obj is NULL or not an object, the key is missing or the type is
 *    wrong. Keys are case-sensitive. Returned pointers borrow from @obj.
 */
#ifndef HUSK_JSON_H
#define HUSK_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "lib/err.h"

static inline void cjson_deletep(cJSON **j)
{
	if (*j)
		cJSON_Delete(*j);
}

#define _cleanup_cjson_ _cleanup_(cjson_deletep)

int json_parse(const char *data, size_t len, cJSON **out, struct err **e);
int json_read_file(int dirfd, const char *name, size_t max, cJSON **out,
		   struct err **e);
int json_write_file(int dirfd, const char *name, const cJSON *j, mode_t mode,
		    struct err **e);

/* The string value of @key, NULL unless it is a string. */
const char *json_str(const cJSON *obj, const char *key);
/* 0 and *out set when @key is a number with an integral int64 value. */
int json_int64(const cJSON *obj, const char *key, int64_t *out);
/* The object / array at @key, NULL unless it is one. */
cJSON *json_obj(const cJSON *obj, const char *key);
cJSON *json_arr(const cJSON *obj, const char *key);

#endif
