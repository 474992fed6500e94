/*
 * test-lock.c - flock locks between processes, with and without timeouts.
 *
 * flock locks belong to open files, so a second lock_open() in the same
 * process already conflicts; a fork()ed child checks the cross-process
 * case that husk relies on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/lock.h"
#include "lib/xalloc.h"
#include "test/unit/tap.h"
#include "lib/banned.h"

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 +
	       (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static void test_same_process(const char *path)
{
	_cleanup_err_ struct err *e = NULL;
	struct timespec t0;
	struct stat st;
	int a, b;

	a = lock_open(path, LOCK_EX, 0, &e);
	ok(a >= 0, "exclusive lock on a new file");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	   "lock file created 0600");
	ok(a >= 0 && (fcntl(a, F_GETFD) & FD_CLOEXEC), "lock fd is CLOEXEC");
	b = lock_open(path, LOCK_EX, 0, &e);
	ok(b < 0 && e && e->errnum == EAGAIN,
	   "second exclusive, timeout 0: EAGAIN");
	ok(e && strstr(e->msg, path) && strstr(e->msg, "cannot lock '"),
	   "message names the path: %s", e ? e->msg : "");
	err_freep(&e);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	b = lock_open(path, LOCK_SH, 100, &e);
	ok(b < 0 && e && e->errnum == ETIMEDOUT,
	   "shared against exclusive, timeout 100ms: ETIMEDOUT");
	ok(elapsed_ms(&t0) >= 90 && elapsed_ms(&t0) < 2000,
	   "the timeout waited about 100ms");
	err_freep(&e);
	lock_release(a);
	b = lock_open(path, LOCK_EX, 0, &e);
	ok(b >= 0, "after release the lock is free");
	lock_release(b);
	lock_release(-1);
}

static void test_shared(const char *path)
{
	_cleanup_lock_ int a = lock_open(path, LOCK_SH, 0, NULL);
	_cleanup_lock_ int b = lock_open(path, LOCK_SH, 0, NULL);
	_cleanup_err_ struct err *e = NULL;

	ok(a >= 0 && b >= 0, "shared + shared is fine");
	ok(lock_open(path, LOCK_EX, 0, &e) < 0 && e && e->errnum == EAGAIN,
	   "exclusive against shared fails");
}

/* Child: try the lock once; exit 0 when taken, 1 when busy, 2 else. */
static int child_try(const char *path, int how, int timeout_ms)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		struct err *e = NULL;
		int fd = lock_open(path, how, timeout_ms, &e);

		_exit(fd >= 0			    ? 0
		      : e && e->errnum == EAGAIN    ? 1
		      : e && e->errnum == ETIMEDOUT ? 1
						    : 2);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void test_cross_process(const char *path)
{
	int a = lock_open(path, LOCK_EX, -1, NULL);

	ok(a >= 0, "parent takes exclusive (timeout -1)");
	is_int(child_try(path, LOCK_EX, 0), 1, "child blocked (try once)");
	is_int(child_try(path, LOCK_SH, 50), 1, "child blocked (50ms)");
	lock_release(a);
	is_int(child_try(path, LOCK_EX, 0), 0, "child gets it after release");
	a = lock_open(path, LOCK_SH, 0, NULL);
	is_int(child_try(path, LOCK_SH, 0), 0, "shared in two processes");
	lock_release(a);
}

/* A waiter with a timeout gets the lock once the holder lets go. */
static void test_wait_succeeds(const char *path)
{
	int a = lock_open(path, LOCK_EX, 0, NULL);
	int pipefd[2];
	pid_t pid;
	char c;

	if (a < 0 || pipe2(pipefd, O_CLOEXEC) < 0) {
		ok(false, "setup for the waiting test");
		return;
	}
	pid = fork();
	if (pid == 0) {
		int fd = lock_open(path, LOCK_EX, 5000, NULL);

		(void) !write(pipefd[1], fd >= 0 ? "y" : "n", 1);
		_exit(0);
	}
	close(pipefd[1]);
	usleep(100 * 1000);
	lock_release(a);
	ok(read(pipefd[0], &c, 1) == 1 && c == 'y',
	   "a waiter with a timeout gets the lock after release");
	close(pipefd[0]);
	waitpid(pid, NULL, 0);
}

static void test_errors(void)
{
	_cleanup_err_ struct err *e = NULL;

	ok(lock_open("/nonexistent-dir/lock", LOCK_EX, 0, &e) < 0 && e &&
	       e->errnum == ENOENT,
	   "missing directory: ENOENT");
	is_str(e ? e->msg : NULL,
	       "cannot lock '/nonexistent-dir/lock': no such file or directory",
	       "the message names the path");
	err_freep(&e);
	ok(lock_open("/tmp/x", LOCK_UN, 0, &e) < 0 && e && e->errnum == EINVAL,
	   "LOCK_UN is not a way to lock");
}

int main(void)
{
	char dir[] = "/tmp/husk-test-lock.XXXXXX";
	char *path;

	if (!mkdtemp(dir))
		tap_skip_all("mkdtemp failed");
	path = xasprintf("%s/lock", dir);
	test_same_process(path);
	test_shared(path);
	test_cross_process(path);
	test_wait_succeeds(path);
	test_errors();
	free(path);
	rm_rf_at(AT_FDCWD, dir, NULL);
	return tap_done();
}
