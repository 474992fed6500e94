/* Reading and writing cgroup files: one read or write each. */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/internal.h"
#include "lib/fs.h"
#include "lib/parse.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

int cg_write(const char *dir, const char *file, const char *val,
	     struct err **e)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", dir, file);
	_cleanup_close_ int fd = open(p, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(val);
	ssize_t n;

	if (fd < 0)
		return err_make(e, errno, "cannot open %s", p);
	n = write(fd, val, len);
	if (n < 0 || (size_t)n != len)
		return err_make(e, n < 0 ? errno : EIO, "cannot write '%s' to %s",
				val, p);
	return 0;
}

int cg_writef(const char *dir, const char *file, struct err **e,
	      const char *fmt, ...)
{
	_cleanup_free_ char *v = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&v, fmt, ap) < 0)
		abort();
	va_end(ap);
	return cg_write(dir, file, v, e);
}

int cg_read(const char *dir, const char *file, struct buf *b, struct err **e)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", dir, file);

	buf_reset(b);
	return read_file(AT_FDCWD, p, b, 1 << 20, e);
}

int cg_read_u64(const char *dir, const char *file, uint64_t *out)
{
	_cleanup_buf_ struct buf b = BUF_INIT;

	if (cg_read(dir, file, &b, NULL) < 0)
		return -1;
	buf_rtrim(&b);
	if (!strcmp(b.s, "max")) {
		*out = UINT64_MAX;
		return 0;
	}
	return parse_uint64(b.s, 0, UINT64_MAX, out, NULL);
}

int cg_read_key(const char *dir, const char *file, const char *key,
		uint64_t *out)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	size_t kl = strlen(key);
	char *line, *save = NULL;

	if (cg_read(dir, file, &b, NULL) < 0)
		return -1;
	for (line = strtok_r(b.s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, key, kl) && line[kl] == ' ')
			return parse_uint64(line + kl + 1, 0, UINT64_MAX, out,
					    NULL);
	return -1;
}

void cg_warn(cgroup_warnings *w, const char *fmt, ...)
{
	size_t n = 0;
	char *s;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	while (*w && (*w)[n])
		n++;
	*w = xrealloc(*w, (n + 2) * sizeof(char *));
	(*w)[n] = s;
	(*w)[n + 1] = NULL;
}

void cgroup_warnings_free(cgroup_warnings w)
{
	for (char **p = w; p && *p; p++)
		free(*p);
	free(w);
}

int cg_rmdir(const char *dir, int ms, struct err **e)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };

	for (;;) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY || ms <= 0)
			return err_make(e, errno, "cannot remove the cgroup %s",
					dir);
		nanosleep(&ts, NULL);
		ms -= 5;
	}
}

uint64_t cg_now_ms(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

int cg_give(struct err **e, struct err *err)
{
	int r = -err->errnum - 1;

	if (e)
		*e = err;
	else
		err_free(err);
	return r < 0 ? r : -1;
}

int cg_put(const char *dir, const char *file, const char *val,
	   struct err **e)
{
	struct err *err = NULL;

	if (cg_write(dir, file, val, &err) >= 0)
		return 1;
	if (err->errnum != ENOENT)
		return cg_give(e, err);
	err_free(err);
	return 0;
}

void cg_kill_listed(const char *dir)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	char *line, *save = NULL;

	if (cg_read(dir, "cgroup.procs", &b, NULL) < 0)
		return;
	for (line = strtok_r(b.s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		int64_t pid;

		if (parse_int64(line, 1, INT32_MAX, &pid, NULL) == 0)
			(void) kill((pid_t) pid, SIGKILL);
	}
}
