/*
 * archive_dl.h - libarchive, loaded on first use (lib/dl.h says why).
 * Include this instead of <archive.h> and <archive_entry.h>.
 */
#ifndef HUSK_ARCHIVE_DL_H
#define HUSK_ARCHIVE_DL_H

#include <archive.h>
#include <archive_entry.h>

#ifndef HUSK_SONAME_ARCHIVE
#define HUSK_SONAME_ARCHIVE "libarchive.so.13"
#endif

#define ARCHIVE_DL_ENTRY(X)                                                  \
	X(time_t, archive_entry_atime)                                      \
	X(int, archive_entry_atime_is_set)                                  \
	X(long, archive_entry_atime_nsec)                                   \
	X(__LA_MODE_T, archive_entry_filetype)                              \
	X(la_int64_t, archive_entry_gid)                                    \
	X(const char *, archive_entry_hardlink)                             \
	X(const char *, archive_entry_hardlink_utf8)                        \
	X(time_t, archive_entry_mtime)                                      \
	X(int, archive_entry_mtime_is_set)                                  \
	X(long, archive_entry_mtime_nsec)                                   \
	X(const char *, archive_entry_pathname)                             \
	X(const char *, archive_entry_pathname_utf8)                        \
	X(__LA_MODE_T, archive_entry_perm)                                  \
	X(dev_t, archive_entry_rdev)                                        \
	X(la_int64_t, archive_entry_size)                                   \
	X(const char *, archive_entry_symlink)                              \
	X(const char *, archive_entry_symlink_utf8)                         \
	X(la_int64_t, archive_entry_uid)                                    \
	X(int, archive_entry_xattr_count)                                   \
	X(int, archive_entry_xattr_reset)

#define ARCHIVE_DL_READ(X)                                                   \
	X(const char *, archive_error_string)                               \
	X(int, archive_read_free)                                           \
	X(int, archive_read_support_format_empty)                           \
	X(int, archive_read_support_format_raw)                             \
	X(int, archive_read_support_format_tar)

#define ARCHIVE_DL_DECL_ENTRY(ret, name) ret husk_##name(struct archive_entry *);
#define ARCHIVE_DL_DECL_READ(ret, name) ret husk_##name(struct archive *);
ARCHIVE_DL_ENTRY(ARCHIVE_DL_DECL_ENTRY)
ARCHIVE_DL_READ(ARCHIVE_DL_DECL_READ)

int husk_archive_entry_xattr_next(struct archive_entry *e, const char **name,
				  const void **value, size_t *size);
int husk_archive_read_append_filter(struct archive *a, int f);
int husk_archive_read_data_block(struct archive *a, const void **buf,
				 size_t *size, la_int64_t *offset);
struct archive *husk_archive_read_new(void);
int husk_archive_read_next_header(struct archive *a, struct archive_entry **e);
int husk_archive_read_open(struct archive *a, void *data,
			   archive_open_callback *o, archive_read_callback *r,
			   archive_close_callback *c);
int husk_archive_read_open_fd(struct archive *a, int fd, size_t block);
void husk_archive_set_error(struct archive *a, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *husk_archive_version_string(void);

#ifndef ARCHIVE_DL_NO_RENAME
#define archive_entry_atime husk_archive_entry_atime
#define archive_entry_atime_is_set husk_archive_entry_atime_is_set
#define archive_entry_atime_nsec husk_archive_entry_atime_nsec
#define archive_entry_filetype husk_archive_entry_filetype
#define archive_entry_gid husk_archive_entry_gid
#define archive_entry_hardlink husk_archive_entry_hardlink
#define archive_entry_hardlink_utf8 husk_archive_entry_hardlink_utf8
#define archive_entry_mtime husk_archive_entry_mtime
#define archive_entry_mtime_is_set husk_archive_entry_mtime_is_set
#define archive_entry_mtime_nsec husk_archive_entry_mtime_nsec
#define archive_entry_pathname husk_archive_entry_pathname
#define archive_entry_pathname_utf8 husk_archive_entry_pathname_utf8
#define archive_entry_perm husk_archive_entry_perm
#define archive_entry_rdev husk_archive_entry_rdev
#define archive_entry_size husk_archive_entry_size
#define archive_entry_symlink husk_archive_entry_symlink
#define archive_entry_symlink_utf8 husk_archive_entry_symlink_utf8
#define archive_entry_uid husk_archive_entry_uid
#define archive_entry_xattr_count husk_archive_entry_xattr_count
#define archive_entry_xattr_reset husk_archive_entry_xattr_reset
#define archive_entry_xattr_next husk_archive_entry_xattr_next
#define archive_error_string husk_archive_error_string
#define archive_read_free husk_archive_read_free
#define archive_read_support_format_empty husk_archive_read_support_format_empty
#define archive_read_support_format_raw husk_archive_read_support_format_raw
#define archive_read_support_format_tar husk_archive_read_support_format_tar
#define archive_read_append_filter husk_archive_read_append_filter
#define archive_read_data_block husk_archive_read_data_block
#define archive_read_new husk_archive_read_new
#define archive_read_next_header husk_archive_read_next_header
#define archive_read_open husk_archive_read_open
#define archive_read_open_fd husk_archive_read_open_fd
#define archive_set_error husk_archive_set_error
#define archive_version_string husk_archive_version_string
#endif

#endif
