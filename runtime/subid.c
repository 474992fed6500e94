/* Subordinate id ranges, as shadow's newuidmap reads them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/parse.h"
#include "lib/xalloc.h"
#include "runtime/runtime.h"
#include "lib/banned.h"

static bool owner_matches(const char *owner, uid_t uid, const char *name)
{
	uint64_t v;

	if (name && !strcmp(owner, name))
		return true;
	return parse_uint64(owner, 0, UINT32_MAX, &v, NULL) >= 0 && v == uid;
}

static int parse_line(char *line, uid_t uid, const char *name,
		      struct id_range *r)
{
	char *owner = line, *start, *count;
	uint64_t s, c;

	line[strcspn(line, "\n")] = '\0';
	if (!*line || *line == '#')
		return 0;
	start = strchr(owner, ':');
	if (start)
		*start++ = '\0';
	if (!owner_matches(owner, uid, name))
		return 0; /* other users' lines are not ours to judge */
	count = start ? strchr(start, ':') : NULL;
	if (!count)
		return -1;
	*count++ = '\0';
	if (parse_uint64(start, 0, UINT32_MAX, &s, NULL) < 0 ||
	    parse_uint64(count, 1, UINT32_MAX, &c, NULL) < 0)
		return -1;
	r->start = s;
	r->count = c;
	return 1;
}

int runtime_subid_ranges(const char *file, uid_t uid, const char *name,
			 struct id_range **out, size_t *n, struct err **e)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, lineno = 0;
	struct id_range r;

	*out = NULL;
	*n = 0;
	if (!f)
		return errno == ENOENT ? 0 : err_make(e, errno, "open '%s'", file);
	while (getline(&line, &cap, f) > 0) {
		int k = parse_line(line, uid, name, &r);

		lineno++;
		if (k < 0) {
			free(TAKE_PTR(*out));
			*n = 0;
			return err_make(e, 0, "malformed line %zu in '%s'",
					lineno, file);
		}
		if (k == 0)
			continue;
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = r;
	}
	return 0;
}
