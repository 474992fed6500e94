/*
 * Compiling docker's default profile with libseccomp takes ~100 ms, more
 * than the whole start of a container should. The BPF it produces depends
 * only on the profile, the capability set and the library, so it is kept
 * in the runtime directory and reused: a run opens one small file.
 */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "runtime/internal.h"
#include "runtime/spec.h"
#include "lib/banned.h"

static int copy_fd(int from, int to)
{
	char buf[65536];
	off_t off = 0;
	ssize_t n;

	while ((n = pread(from, buf, sizeof(buf), off)) > 0) {
		if (write(to, buf, (size_t)n) != n)
			return -1;
		off += n;
	}
	return n < 0 ? -1 : 0;
}

/* Best effort: a cache that cannot be written only costs time. */
static void store_cache(const char *path, int memfd)
{
	_cleanup_free_ char *tmp = xasprintf("%s.%d.tmp", path, (int)getpid());
	_cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL |
						   O_CLOEXEC, 0600);

	if (fd < 0)
		return;
	if (copy_fd(memfd, fd) < 0 || rename(tmp, path) < 0)
		(void) unlink(tmp);
}

int runtime_seccomp_fd(const char *profile, uint64_t bounding,
		       const char *cachedir, int *fd, struct err **e)
{
	const struct scmp_version *v = seccomp_version();
	_cleanup_free_ char *path = NULL;
	struct caps c = { .bounding = bounding };

	*fd = -1;
	if (!strcmp(profile, "unconfined"))
		return 0;
	if (strcmp(profile, "default"))
		return seccomp_compile_file(profile, &c, fd, e);
	/* "tree": the filter's layout (new_filter); a change renames it */
	path = xasprintf("%s/seccomp-default-tree-%s-%u.%u.%u-%016llx.bpf",
			 cachedir, HUSK_VERSION, v->major, v->minor, v->micro,
			 (unsigned long long)bounding);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd >= 0)
		return 0;
	if (seccomp_compile_default(&c, fd, e) < 0)
		return -1;
	store_cache(path, *fd);
	return 0;
}
