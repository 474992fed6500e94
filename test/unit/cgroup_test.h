/*
 * cgroup_test.h - what test-cgroup.c and test-cgroup-real.c share: small
 * file helpers and a child to move around. Include once, after tap.h.
 */
#ifndef HUSK_TEST_CGROUP_H
#define HUSK_TEST_CGROUP_H

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "cgroup/internal.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "test/unit/tap.h"

#define MiB (1024 * 1024)

/* ---- helpers --------------------------------------------------------------
 */

/* Creates (or truncates) DIR/NAME with CONTENT. */
static inline void wfile(const char *dir, const char *name, const char *content)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "we");

	if (!f || fputs(content, f) < 0 || fclose(f) != 0) {
		ok(false, "cannot write %s: %s", p, strerror(errno));
		exit(1);
	}
}

/* Empty files NAMES in DIR. */
static inline void empty_files(const char *dir, const char *const *names)
{
	for (; *names; names++)
		wfile(dir, *names, "");
}

/* The content of DIR/NAME, NULL when it cannot be read; caller frees. */
static inline char *rfile(const char *dir, const char *name)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", dir, name);
	struct buf b = BUF_INIT;

	if (read_file(AT_FDCWD, p, &b, 1 << 20, NULL) < 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

/* The content of a kernel file, trailing space trimmed; NULL when it
 * cannot be read. */
static inline char *rkfile(const char *dir, const char *name)
{
	_cleanup_buf_ struct buf b = BUF_INIT;

	if (cg_read(dir, name, &b, NULL) < 0)
		return NULL;
	buf_rtrim(&b);
	return xstrdup(b.s);
}

static inline bool exists(const char *dir, const char *name)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", dir, name);

	return access(p, F_OK) == 0;
}

static inline void is_file(const char *dir, const char *name, const char *want,
		    const char *desc)
{
	_cleanup_free_ char *got = rfile(dir, name);

	is_str(got, want, desc);
}

/* RC and E are a failure with ERRNUM whose message holds WANT (and WANT2
 * unless NULL). E is freed. */
static inline void is_err(int rc, struct err *e, int errnum, const char *want,
		   const char *want2, const char *desc)
{
	bool pass = rc < 0 && e && e->errnum == errnum &&
		    strstr(e->msg, want) && (!want2 || strstr(e->msg, want2));

	if (!ok(pass, "%s", desc))
		tap_diag("  got: %s", e ? e->msg : "(no error)");
	err_free(e);
}

static inline int count_warnings(cgroup_warnings w)
{
	int n = 0;

	while (w && w[n])
		n++;
	return n;
}

/* Whether a warning of W is exactly WANT. */
static inline bool has_warning(cgroup_warnings w, const char *want)
{
	for (size_t i = 0; w && w[i]; i++)
		if (!strcmp(w[i], want))
			return true;
	return false;
}

static inline void show_warnings(cgroup_warnings w)
{
	for (size_t i = 0; w && w[i]; i++)
		tap_diag("  warning: %s", w[i]);
}

static inline void mkdir_or_die(const char *p)
{
	if (mkdir(p, 0755) < 0 && errno != EEXIST) {
		ok(false, "mkdir %s: %s", p, strerror(errno));
		exit(1);
	}
}

/* A child that waits to be killed. */
static inline pid_t sleeper(void)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	if (pid < 0)
		ok(false, "fork: %s", strerror(errno));
	return pid;
}

/* Waits up to 5 s for PID; kills it afterwards. Returns its wait status,
 * or -1 when it had to be killed here. */
static inline int reap(pid_t pid)
{
	const struct timespec ms = {0, 10 * 1000 * 1000};
	int status;

	for (int i = 0; i < 500; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0)
			return -1;
		(void) nanosleep(&ms, NULL);
	}
	(void) kill(pid, SIGKILL);
	(void) waitpid(pid, &status, 0);
	return -1;
}

static inline bool killed(int status)
{
	return status != -1 && WIFSIGNALED(status) &&
	       WTERMSIG(status) == SIGKILL;
}

static inline void add_dir(struct cgroup *cg, const char *ctrl, const char *dir)
{
	cg->dirs = xrealloc(cg->dirs, (cg->ndirs + 1) * sizeof(*cg->dirs));
	cg->dirs[cg->ndirs].ctrl = xstrdup(ctrl);
	cg->dirs[cg->ndirs].dir = xstrdup(dir);
	cg->ndirs++;
}

static inline void v1_set_ok(const struct cgroup *cg, const struct cgroup_limits *l,
		      bool update, cgroup_warnings *w, const char *desc)
{
	struct err *e = NULL;

	if (!ok(cgroup_v1_ops.set(cg, l, update, w, &e) == 0, "v1 set: %s",
		desc))
		tap_diag("  %s", e->msg);
	err_free(e);
}

static inline void v2_set_ok(const struct cgroup *cg, const struct cgroup_limits *l,
		      bool update, int nwarn, const char *desc)
{
	cgroup_warnings w = NULL;
	struct err *e = NULL;

	if (!ok(cgroup_v2_ops.set(cg, l, update, &w, &e) == 0, "v2 set: %s",
		desc))
		tap_diag("  %s", e->msg);
	if (!is_int(count_warnings(w), nwarn, "v2 set: warnings"))
		show_warnings(w);
	err_free(e);
	cgroup_warnings_free(w);
}

#endif
