/*
 * json.c - cJSON helpers; the contract is in json.h.
 */
#include <errno.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

static int invalid_at(struct err **e, size_t offset)
{
	(void) err_make(e, 0, "invalid JSON at offset %zu", offset);
	if (e)
		(*e)->errnum = EINVAL;
	return -EINVAL - 1;
}

/* RFC 8259's four whitespace characters, not isspace()'s locale set. */
static int is_json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * require_null_terminated is left off: with a length, cJSON insists on a
 * NUL inside that length. Trailing bytes are checked here instead.
 */
int json_parse(const char *data, size_t len, cJSON **out, struct err **e)
{
	const char *end = data;
	cJSON *j;
	size_t at;

	j = cJSON_ParseWithLengthOpts(data, len, &end, 0);
	if (!j)
		return invalid_at(e, end && end >= data ? (size_t) (end - data)
							: 0);
	for (at = (size_t) (end - data); at < len; at++) {
		if (!is_json_space(data[at])) {
			cJSON_Delete(j);
			return invalid_at(e, at);
		}
	}
	*out = j;
	return 0;
}

int json_read_file(int dirfd, const char *name, size_t max, cJSON **out,
		   struct err **e)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	int r;

	r = read_file(dirfd, name, &b, max, e);
	if (r < 0)
		return r;
	if (json_parse(b.s, b.len, out, e) < 0)
		return err_wrap(e, "cannot read '%s'", name);
	return 0;
}

int json_write_file(int dirfd, const char *name, const cJSON *j, mode_t mode,
		    struct err **e)
{
	_cleanup_free_ char *text = cJSON_Print(j);
	_cleanup_buf_ struct buf b = BUF_INIT;

	/* cJSON_Print() only fails for want of memory. */
	if (!text)
		oom();
	buf_addstr(&b, text);
	buf_addch(&b, '\n');
	return atomic_write_file(dirfd, name, b.s, b.len, mode, e);
}

static cJSON *member(const cJSON *obj, const char *key)
{
	if (!cJSON_IsObject(obj))
		return NULL;
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

const char *json_str(const cJSON *obj, const char *key)
{
	const cJSON *v = member(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/*
 * cJSON keeps numbers as doubles. The range test comes first because
 * casting an out-of-range (or NaN) double to int64_t is undefined.
 */
int json_int64(const cJSON *obj, const char *key, int64_t *out)
{
	const cJSON *v = member(obj, key);
	double d;

	if (!cJSON_IsNumber(v))
		return -1;
	d = v->valuedouble;
	if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
		return -1;
	if ((double) (int64_t) d != d)
		return -1;
	*out = (int64_t) d;
	return 0;
}

cJSON *json_obj(const cJSON *obj, const char *key)
{
	cJSON *v = member(obj, key);

	return cJSON_IsObject(v) ? v : NULL;
}

cJSON *json_arr(const cJSON *obj, const char *key)
{
	cJSON *v = member(obj, key);

	return cJSON_IsArray(v) ? v : NULL;
}
