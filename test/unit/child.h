/*
 * child.h - checks that must run in a forked child (capabilities, seccomp:
 * what they change cannot be undone in the test process).
 *
 * A child cannot print TAP lines itself (its numbering would fork off the
 * parent's), so it sends records over a pipe and the parent reports them:
 *
 *	in_child("default profile", fn, &arg);	runs fn(&arg) in a child
 *	crec(pass, diag_or_NULL, "fmt", ...);	in fn: one TAP line
 *
 * Include after tap.h. Everything here is static.
 */
#ifndef HUSK_TEST_CHILD_H
#define HUSK_TEST_CHILD_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct rec {
	int pass;
	char desc[128];
	char diag[256];
};

static int rec_fd = -1;

static __attribute__((format(printf, 3, 4))) void
crec(bool pass, const char *diag, const char *fmt, ...)
{
	struct rec r = {.pass = pass};
	va_list ap;

	va_start(ap, fmt);
	(void) vsnprintf(r.desc, sizeof(r.desc), fmt, ap);
	va_end(ap);
	(void) snprintf(r.diag, sizeof(r.diag), "%s", diag ? diag : "");
	if (write(rec_fd, &r, sizeof(r)) != (ssize_t) sizeof(r))
		_exit(3);
}

/* Runs fn(arg) in a child; its records become TAP lines here. */
static void in_child(const char *what, void (*fn)(const void *),
		     const void *arg)
{
	int p[2], status = 0;
	struct rec r;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0) {
		ok(false, "%s: pipe: %s", what, strerror(errno));
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		(void) close(p[0]);
		rec_fd = p[1];
		fn(arg);
		_exit(0);
	}
	(void) close(p[1]);
	while (read(p[0], &r, sizeof(r)) == (ssize_t) sizeof(r)) {
		if (!ok(r.pass, "%s: %s", what, r.desc) && r.diag[0])
			tap_diag("  %s", r.diag);
	}
	(void) close(p[0]);
	(void) waitpid(pid, &status, 0);
	is_int(status, 0, "child exits cleanly");
}

#endif
