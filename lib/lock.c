/*
 * lock.c - flock(2) locks with a timeout; the contract is in lock.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "lib/lock.h"
#include "lib/banned.h"

/* How long to sleep between two tries while waiting with a timeout. */
#define LOCK_POLL_MS 10

static int64_t now_ms(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
			      .tv_nsec = (ms % 1000) * 1000000};

	(void) nanosleep(&ts, NULL);
}

/* Returns 0 when locked, -errno otherwise (-EWOULDBLOCK on timeout). */
static int lock_wait(int fd, int how, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	int64_t left;

	for (;;) {
		int flags = timeout_ms < 0 ? how : how | LOCK_NB;

		if (flock(fd, flags) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return -errno;
		left = deadline - now_ms();
		if (left <= 0)
			return -EWOULDBLOCK;
		sleep_ms(left < LOCK_POLL_MS ? left : LOCK_POLL_MS);
	}
}

/* The cause in words of our own: strerror(ETIMEDOUT) talks of networks. */
static int lock_busy(struct err **e, const char *path, int timeout_ms)
{
	int errnum = timeout_ms > 0 ? ETIMEDOUT : EAGAIN;

	(void) err_make(e, 0, "cannot lock '%s': held by another process",
			path);
	if (e)
		(*e)->errnum = errnum;
	return -errnum - 1;
}

int lock_open(const char *path, int how, int timeout_ms, struct err **e)
{
	_cleanup_close_ int fd = -1;
	int r;

	if (how != LOCK_SH && how != LOCK_EX)
		return err_make(e, EINVAL, "cannot lock '%s'", path);
	fd = open(path, O_RDWR | O_CREAT | O_NOCTTY | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_make(e, errno, "cannot lock '%s'", path);
	r = lock_wait(fd, how, timeout_ms);
	if (r == -EWOULDBLOCK)
		return lock_busy(e, path, timeout_ms);
	if (r < 0)
		return err_make(e, -r, "cannot lock '%s'", path);
	return TAKE_FD(fd);
}

void lock_release(int fd)
{
	if (fd < 0)
		return;
	(void) flock(fd, LOCK_UN);
	(void) close(fd);
}

void lock_releasep(int *fd)
{
	int saved = errno;

	lock_release(*fd);
	*fd = -1;
	errno = saved;
}
