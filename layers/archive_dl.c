/* libarchive's functions husk uses, resolved on first call (lib/dl.h). */
#include <stdarg.h>
#include <stdio.h>

/* the names stay libarchive's here: the wrappers are defined by them */
#define ARCHIVE_DL_NO_RENAME
#include "layers/archive_dl.h"
#include "lib/dl.h"
#include "lib/banned.h"

#define L HUSK_SONAME_ARCHIVE
#define DEF_ENTRY(ret, name)                                                 \
	DL_FUNC(L, ret, name, (struct archive_entry * e), (e))
#define DEF_READ(ret, name) DL_FUNC(L, ret, name, (struct archive * a), (a))
ARCHIVE_DL_ENTRY(DEF_ENTRY)
ARCHIVE_DL_READ(DEF_READ)

DL_FUNC(L, int, archive_entry_xattr_next,
	(struct archive_entry * e, const char **n, const void **v, size_t *s),
	(e, n, v, s))
DL_FUNC(L, int, archive_read_append_filter, (struct archive * a, int f),
	(a, f))
DL_FUNC(L, int, archive_read_data_block,
	(struct archive * a, const void **b, size_t *s, la_int64_t *o),
	(a, b, s, o))
DL_FUNC(L, struct archive *, archive_read_new, (void), ())
DL_FUNC(L, int, archive_read_next_header,
	(struct archive * a, struct archive_entry **e), (a, e))
DL_FUNC(L, int, archive_read_open,
	(struct archive * a, void *d, archive_open_callback *o,
	 archive_read_callback *r, archive_close_callback *c),
	(a, d, o, r, c))
DL_FUNC(L, int, archive_read_open_fd, (struct archive * a, int fd, size_t b),
	(a, fd, b))
DL_FUNC(L, const char *, archive_version_string, (void), ())

typedef void (*set_error_fn)(struct archive *, int, const char *, ...);

/* The variadic one: format here, hand libarchive a plain string. */
void husk_archive_set_error(struct archive *a, int err, const char *fmt, ...)
{
	static set_error_fn fp;
	set_error_fn f = __atomic_load_n(&fp, __ATOMIC_ACQUIRE);
	char msg[512];
	va_list ap;

	if (!f) {
		f = (set_error_fn)dl_resolve(L, "archive_set_error");
		__atomic_store_n(&fp, f, __ATOMIC_RELEASE);
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	f(a, err, "%s", msg);
}
