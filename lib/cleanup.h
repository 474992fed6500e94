/*
 * cleanup.h - scope-bound ownership for locals (crun, systemd, bubblewrap).
 *
 * Every owned local is declared with a cleanup attribute and an initial
 * value:
 *
 *	_cleanup_free_ char *p = NULL;
 *	_cleanup_close_ int fd = -1;
 *
 * and ownership is handed out explicitly with TAKE_PTR()/TAKE_FD(), which
 * return the value and reset the variable so the destructor does nothing.
 * Library types (cJSON, archive, CURL, ...) define their own macro next to
 * the code that uses them.
 */
#ifndef HUSK_CLEANUP_H
#define HUSK_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		(void) close(*fd);
		errno = saved;
	}
}

static inline void fclosep(FILE **f)
{
	if (*f)
		(void) fclose(*f);
}

static inline void closedirp(DIR **d)
{
	if (*d)
		(void) closedir(*d);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_closedir_ _cleanup_(closedirp)

#define TAKE_PTR(p)                                                         \
	({                                                                  \
		__typeof__(p) _tp_ = (p);                                   \
		(p) = NULL;                                                 \
		_tp_;                                                       \
	})

#define TAKE_FD(fd)                                                         \
	({                                                                  \
		int _tf_ = (fd);                                            \
		(fd) = -1;                                                  \
		_tf_;                                                       \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
