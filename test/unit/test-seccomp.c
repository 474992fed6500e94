/*
 * test-seccomp.c - docker's default profile and docker-format profile
 * files, compiled to BPF in a memfd here and loaded for real in forked
 * children; malformed profiles and their exact messages.
 *
 * A filter cannot be removed, so every load happens in a child, which
 * sends its records over a pipe for the parent to report as TAP lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "lib/fs.h"
#include "lib/xalloc.h"
#include "runtime/internal.h"
#include "test/unit/tap.h"
#include "test/unit/child.h"
#include "lib/banned.h"

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

/* ---- running checks in a child ---- */


/* Records that a raw syscall result failed with @want (0: succeeded). */
static void crec_errno(long rc, int err, int want, const char *what)
{
	char diag[128];
	bool pass = want ? rc == -1 && err == want : rc >= 0;

	(void) snprintf(diag, sizeof(diag), "rc %ld errno %d (%s), want %s", rc,
			rc < 0 ? err : 0, rc < 0 ? strerror(err) : "-",
			want ? strerror(want) : "success");
	crec(pass, pass ? NULL : diag, "%s %s", what, want ? "fails" : "works");
}

struct child_arg {
	int memfd;
	bool nnp;
	bool userns;	 /* enter a new user namespace first */
	const char *dir; /* scratch directory */
};


static bool status_has(const char *line)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");
	_cleanup_free_ char *l = NULL;
	size_t n = 0;

	while (f && getline(&l, &n, f) > 0) {
		if (strcmp(l, line) == 0)
			return true;
	}
	return false;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	(void) close(fd);
	return n == (ssize_t) strlen(s) ? 0 : -1;
}

/* Root of a new user namespace (all capabilities there). */
static bool enter_userns(void)
{
	char map[64];

	(void) snprintf(map, sizeof(map), "0 %u 1\n", geteuid());
	if (unshare(CLONE_NEWUSER) < 0 ||
	    write_file("/proc/self/uid_map", map) < 0) {
		crec(false, strerror(errno), "enter a user namespace");
		return false;
	}
	return true;
}

static bool load(const struct child_arg *a)
{
	_cleanup_err_ struct err *e = NULL;
	int r;

	if (a->userns && !enter_userns())
		return false;
	r = seccomp_load_fd(a->memfd, a->nnp, &e);
	crec(r == 0, e ? e->msg : NULL, "seccomp_load_fd");
	return r == 0;
}

/* ---- the default profile ---- */

static void child_default(const void *arg)
{
	const struct child_arg *a = arg;
	long rc;
	int fd;

	if (!load(a))
		return;
	crec(status_has("Seccomp:\t2\n"), NULL, "Seccomp: 2 in status");
	rc = syscall(SYS_getpid);
	crec_errno(rc, errno, 0, "getpid");
	rc = syscall(SYS_kexec_load, 0, 0, 0, 0);
	crec_errno(rc, errno, EPERM, "kexec_load");
	rc = syscall(SYS_add_key, "user", "k", "x", 1, 0);
	crec_errno(rc, errno, EPERM, "add_key");
	rc = syscall(SYS_keyctl, 0, 0, 0, 0, 0);
	crec_errno(rc, errno, EPERM, "keyctl");
	rc = syscall(SYS_unshare, CLONE_NEWUSER);
	crec_errno(rc, errno, EPERM, "unshare(CLONE_NEWUSER)");
	rc = syscall(SYS_mount, "none", "/", "tmpfs", 0, NULL);
	crec_errno(rc, errno, EPERM, "mount");
	rc = syscall(SYS_clone3, NULL, 0);
	crec_errno(rc, errno, ENOSYS, "clone3 (so libc uses clone)");
	rc = syscall(SYS_clone, CLONE_NEWNS, NULL, NULL, NULL, 0);
	crec_errno(rc, errno, EPERM, "clone(CLONE_NEWNS)");
	rc = syscall(SYS_personality, 0xffffffffUL);
	crec_errno(rc, errno, 0, "personality(query)");
	rc = syscall(SYS_personality, PER_BSD);
	crec_errno(rc, errno, EPERM, "personality(PER_BSD)");
	fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	crec_errno(fd, errno, EPERM, "socket(AF_VSOCK)");
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	crec_errno(fd, errno, 0, "socket(AF_UNIX)");
	rc = syscall(SYS_ptrace, -1L, 0, 0, 0); /* PTRACE_TRACEME-ish bogus */
	crec(!(rc == -1 && errno == EPERM), NULL,
	     "ptrace is allowed on kernels >= 4.8");
	rc = fork();
	if (rc == 0)
		_exit(0);
	crec_errno(rc, errno, 0, "fork (clone without namespace flags)");
	if (rc > 0)
		(void) waitpid((pid_t) rc, NULL, 0);
}

/* With CAP_SYS_ADMIN in the set, the namespace syscalls are allowed. */
static void child_default_admin(const void *arg)
{
	const struct child_arg *a = arg;
	long rc;

	if (!load(a))
		return;
	rc = syscall(SYS_clone3, NULL, 0);
	crec_errno(rc, errno, EINVAL, "clone3 (EINVAL from the kernel)");
	rc = syscall(SYS_unshare, CLONE_NEWUSER);
	crec_errno(rc, errno, 0, "unshare(CLONE_NEWUSER)");
	rc = syscall(SYS_kexec_load, 0, 0, 0, 0);
	crec_errno(rc, errno, EPERM, "kexec_load");
}

static void test_default(const char *dir)
{
	_cleanup_err_ struct err *e = NULL;
	_cleanup_close_ int fd = -1;
	struct child_arg a = {.nnp = true, .dir = dir};
	struct caps c;
	struct stat st;

	ok(caps_compute(false, NULL, 0, NULL, 0, false, &c, NULL) == 0,
	   "docker's default caps");
	ok(seccomp_compile_default(&c, &fd, &e) == 0,
	   "default profile compiles");
	if (e)
		tap_diag("%s", e->msg);
	ok(fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0 &&
	       st.st_size % 8 == 0,
	   "the memfd holds a BPF program");
	ok(fd >= 0 && fcntl(fd, F_GET_SEALS) > 0 && write(fd, "x", 1) < 0,
	   "the memfd is sealed");
	ok(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC),
	   "the memfd is CLOEXEC");
	a.memfd = fd;
	in_child("default, no_new_privs", child_default, &a);

	if (geteuid() == 0) {
		a.nnp = false;
		in_child("default, root without no_new_privs", child_default,
			 &a);
	} else {
		a.nnp = false;
		a.userns = true;
		in_child("default, userns root without no_new_privs",
			 child_default, &a);
	}

	/* --cap-add SYS_ADMIN turns on the admin group. */
	c.bounding |= UINT64_C(1) << CAP_SYS_ADMIN;
	closep(&fd);
	ok(seccomp_compile_default(&c, &fd, NULL) == 0,
	   "default profile with CAP_SYS_ADMIN compiles");
	a = (struct child_arg){.memfd = fd, .nnp = true, .dir = dir};
	in_child("default + CAP_SYS_ADMIN", child_default_admin, &a);
}

/* Without no_new_privs nor CAP_SYS_ADMIN the kernel refuses. */
static void child_no_nnp(const void *arg)
{
	const struct child_arg *a = arg;
	_cleanup_err_ struct err *e = NULL;
	int r = seccomp_load_fd(a->memfd, false, &e);

	crec(r < 0, NULL, "seccomp_load_fd fails");
	crec(e && strcmp(e->msg, "cannot load the seccomp filter: needs "
				 "no_new_privs or CAP_SYS_ADMIN") == 0,
	     e ? e->msg : NULL, "the message says what is needed");
	crec(status_has("Seccomp:\t0\n"), NULL, "no filter in place");
}

static void child_bad_fd(const void *arg)
{
	const struct child_arg *a = arg;
	_cleanup_err_ struct err *e = NULL;
	int r = seccomp_load_fd(a->memfd, true, &e);

	crec(r < 0, NULL, "seccomp_load_fd fails");
	crec(e && strcmp(e->msg, "cannot load the seccomp filter: 3 bytes "
				 "are not a BPF program") == 0,
	     e ? e->msg : NULL, "the message says why");
}

static void test_load_errors(const char *dir)
{
	_cleanup_close_ int fd = -1, junk = -1;
	struct child_arg a = {.dir = dir};

	if (geteuid() != 0) {
		ok(seccomp_compile_default(NULL, &fd, NULL) == 0,
		   "default profile without caps compiles");
		a.memfd = fd;
		in_child("non-root without no_new_privs", child_no_nnp, &a);
	}
	junk = memfd_create("junk", MFD_CLOEXEC);
	ok(junk >= 0 && write(junk, "abc", 3) == 3, "a junk memfd");
	a.memfd = junk;
	in_child("junk program", child_bad_fd, &a);
}

/* ---- profile files ---- */

static char *profile(const char *dir, const char *name, const char *json)
{
	char *path = xasprintf("%s/%s", dir, name);
	_cleanup_err_ struct err *e = NULL;

	if (atomic_write_path(path, json, strlen(json), 0644, &e) < 0)
		tap_diag("write %s: %s", path, e->msg);
	return path;
}

static void child_mkdir_blocked(const void *arg)
{
	const struct child_arg *a = arg;
	_cleanup_free_ char *p = xasprintf("%s/newdir", a->dir);
	long rc;

	if (!load(a))
		return;
	rc = mkdir(p, 0700);
	crec_errno(rc, errno, EPERM, "mkdir");
	rc = syscall(SYS_mkdirat, AT_FDCWD, p, 0700);
	crec_errno(rc, errno, EPERM, "mkdirat");
	rc = syscall(SYS_getpid);
	crec_errno(rc, errno, 0, "getpid");
	rc = syscall(SYS_personality, PER_BSD);
	crec_errno(rc, errno, EOPNOTSUPP, "personality(PER_BSD) by arg");
	rc = syscall(SYS_personality, 0xffffffffUL);
	crec_errno(rc, errno, 0, "personality(query)");
	rc = syscall(SYS_getppid);
	crec_errno(rc, errno, 0, "getppid (rule needs CAP_SYS_ADMIN)");
	rc = syscall(SYS_getpgrp);
	crec_errno(rc, errno, EACCES, "getpgrp (rule excludes CAP_SYS_ADMIN)");
	rc = syscall(SYS_getsid, 0);
	crec_errno(rc, errno, 0, "getsid (rule only on another arch)");
	rc = syscall(SYS_gettid);
	crec_errno(rc, errno, ENOENT, "gettid (old 'name' field)");
	rc = syscall(SYS_umask, 022);
	crec_errno(rc, errno, 0, "umask (minKernel 99.0 not met)");
}

static const char custom_json[] =
    "{\n"
    "  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
    "  \"archMap\": [\n"
    "    { \"architecture\": \"SCMP_ARCH_X86_64\",\n"
    "      \"subArchitectures\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"] },\n"
    "    { \"architecture\": \"SCMP_ARCH_AARCH64\",\n"
    "      \"subArchitectures\": [\"SCMP_ARCH_ARM\"] },\n"
    "    { \"architecture\": \"SCMP_ARCH_RISCV64\",\n"
    "      \"subArchitectures\": null }\n"
    "  ],\n"
    "  \"syscalls\": [\n"
    "    { \"names\": [\"no_such_syscall\", \"mkdir\", \"mkdirat\"],\n"
    "      \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1,\n"
    "      \"comment\": \"unknown names are skipped\" },\n"
    "    { \"names\": [\"personality\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
    "      \"errnoRet\": 95,\n"
    "      \"args\": [ { \"index\": 0, \"value\": 6, \"valueTwo\": 0,\n"
    "                  \"op\": \"SCMP_CMP_EQ\" } ] },\n"
    "    { \"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
    "      \"includes\": { \"caps\": [\"CAP_SYS_ADMIN\"] } },\n"
    "    { \"names\": [\"getpgrp\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
    "      \"errnoRet\": 13,\n"
    "      \"excludes\": { \"caps\": [\"CAP_SYS_ADMIN\"] } },\n"
    "    { \"names\": [\"getsid\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
    "      \"includes\": { \"arches\": [\"s390x\"] } },\n"
    "    { \"name\": \"gettid\", \"action\": \"SCMP_ACT_ERRNO\",\n"
    "      \"errnoRet\": 2 },\n"
    "    { \"names\": [\"umask\"], \"action\": \"SCMP_ACT_KILL\",\n"
    "      \"includes\": { \"minKernel\": \"99.0\" } },\n"
    "    { \"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\" }\n"
    "  ]\n"
    "}\n";

static void test_custom(const char *dir)
{
	_cleanup_free_ char *path = profile(dir, "custom.json", custom_json);
	_cleanup_err_ struct err *e = NULL;
	_cleanup_close_ int fd = -1;
	struct child_arg a = {.nnp = true, .dir = dir};
	struct caps c;

	ok(caps_compute(false, NULL, 0, NULL, 0, false, &c, NULL) == 0,
	   "docker's default caps");
	ok(seccomp_compile_file(path, &c, &fd, &e) == 0,
	   "custom profile compiles");
	if (e)
		tap_diag("%s", e->msg);
	a.memfd = fd;
	in_child("custom profile", child_mkdir_blocked, &a);
}

struct bad_case {
	const char *json;
	const char *msg; /* after "invalid seccomp profile 'PATH': " */
};

static const struct bad_case bad_cases[] = {
    {"{\"defaultAction\": }", "invalid JSON at offset 18"},
    {"", "invalid JSON at offset 0"},
    {"[]", "not a JSON object"},
    {"{}", "defaultAction is missing"},
    {"{\"defaultAction\": 1}", "defaultAction is not a string"},
    {"{\"defaultAction\": \"SCMP_ACT_FOO\"}", "unknown action 'SCMP_ACT_FOO'"},
    {"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": -1}",
     "defaultErrnoRet is not a number between 0 and 65535"},
    {"{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}",
     "action 'SCMP_ACT_NOTIFY' is not supported"},
    {"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": {}}",
     "syscalls is not an array"},
    {"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
     "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"},"
     "{\"names\": [\"write\"], \"action\": \"SCMP_ACT_NOPE\"}]}",
     "syscalls[1]: unknown action 'SCMP_ACT_NOPE'"},
    {"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
     "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"},"
     "{\"names\": [\"write\"], \"action\": \"SCMP_ACT_ALLOW\"},"
     "{\"names\": [\"close\"], \"action\": \"SCMP_ACT_ALLOW\"},"
     "{\"names\": \"open\", \"action\": \"SCMP_ACT_ALLOW\"}]}",
     "syscalls[3]: names is not an array"},
    {"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
     "{\"names\": [\"read\", 7], \"action\": \"SCMP_ACT_ALLOW\"}]}",
     "syscalls[0]: names has an element that is not a string"},
    {"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
     "{\"action\": \"SCMP_ACT_ALLOW\"}]}",
     "syscalls[0]: names is missing"},
    {"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
     "{\"names\": [\"read\"]}]}",
     "syscalls[0]: action is missing"},
    {"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
     "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
     "[{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_FOO\"}]}]}",
     "syscalls[0]: args[0]: unknown op 'SCMP_CMP_FOO'"},
    {"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
     "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
     "[{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"},"
     "{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
     "syscalls[0]: args[1]: index is not a number between 0 and 5"},
    {"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
     "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
     "[{\"index\": 0, \"value\": -2, \"op\": \"SCMP_CMP_EQ\"}]}]}",
     "syscalls[0]: args[0]: value is not an unsigned number"},
    {"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
     "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
     "{}}]}",
     "syscalls[0]: args is not an array"},
    {"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
     "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", "
     "\"includes\": {\"caps\": \"CAP_SYS_ADMIN\"}}]}",
     "syscalls[0]: includes: caps is not an array"},
    {"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
     "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", "
     "\"includes\": {\"minKernel\": \"x.y\"}}]}",
     "syscalls[0]: includes: invalid minKernel 'x.y'"},
    {"{\"defaultAction\": \"SCMP_ACT_ERRNO\", "
     "\"architectures\": [\"SCMP_ARCH_NOPE\"]}",
     "architectures[0]: unknown architecture 'SCMP_ARCH_NOPE'"},
    {"{\"defaultAction\": \"SCMP_ACT_ERRNO\", "
     "\"architectures\": [\"SCMP_ARCH_X86\"], \"archMap\": [{"
     "\"architecture\": \"SCMP_ARCH_X86_64\"}]}",
     "both architectures and archMap are given"},
};

static void test_malformed(const char *dir)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		_cleanup_free_ char *name = xasprintf("bad%zu.json", i);
		_cleanup_free_ char *path =
		    profile(dir, name, bad_cases[i].json);
		_cleanup_free_ char *want = xasprintf(
		    "invalid seccomp profile '%s': %s", path, bad_cases[i].msg);
		_cleanup_err_ struct err *e = NULL;
		int fd = -1;

		ok(seccomp_compile_file(path, NULL, &fd, &e) < 0 && fd == -1,
		   "bad profile %zu refused", i);
		is_str(e ? e->msg : NULL, want, bad_cases[i].msg);
	}
}

static void test_missing_file(const char *dir)
{
	_cleanup_free_ char *path = xasprintf("%s/nope.json", dir);
	_cleanup_free_ char *want = xasprintf(
	    "cannot read seccomp profile '%s': no such file or directory",
	    path);
	_cleanup_err_ struct err *e = NULL;
	int fd = -1;

	ok(seccomp_compile_file(path, NULL, &fd, &e) < 0, "missing file");
	is_str(e ? e->msg : NULL, want, "missing file message");
	is_int(e ? e->errnum : 0, ENOENT, "missing file errnum");
}

static void rm_dir(const char *dir)
{
	_cleanup_err_ struct err *e = NULL;

	if (rm_rf_at(AT_FDCWD, dir, &e) < 0)
		tap_diag("cleanup: %s", e->msg);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	_cleanup_free_ char *dir =
	    xasprintf("%s/test-seccomp.XXXXXX", tmp && *tmp ? tmp : "/tmp");

	if (!mkdtemp(dir)) {
		ok(false, "mkdtemp %s: %s", dir, strerror(errno));
		return tap_done();
	}
	tap_diag("running as %s", geteuid() == 0 ? "root" : "non-root");
	test_default(dir);
	test_load_errors(dir);
	test_custom(dir);
	test_malformed(dir);
	test_missing_file(dir);
	rm_dir(dir);
	return tap_done();
}
