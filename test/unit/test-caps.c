/*
 * test-caps.c - capability names, docker's add/drop rules, the clamp to the
 * caller's bounding set, and caps_apply() for real in forked children: as
 * root directly, as an unprivileged user inside a new user namespace.
 *
 * A child cannot print TAP lines itself (its numbering would fork off the
 * parent's), so it sends records over a pipe and the parent reports them.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "lib/buf.h"
#include "runtime/internal.h"
#include "test/unit/tap.h"
#include "test/unit/child.h"
#include "lib/banned.h"

#define BIT(n) (UINT64_C(1) << (n))

/* ---- running checks in a child ---- */


static void crec_mask(uint64_t got, uint64_t want, const char *desc)
{
	char diag[256];

	(void) snprintf(diag, sizeof(diag), "got %016llx want %016llx",
			(unsigned long long) got, (unsigned long long) want);
	crec(got == want, got == want ? NULL : diag, "%s", desc);
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

/*
 * A new user namespace whose only uid is @inside, mapped to our own uid.
 * Must run in the child (unshare needs a single-threaded process).
 */
static bool enter_userns(uid_t inside)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];

	if (unshare(CLONE_NEWUSER) < 0) {
		crec(false, strerror(errno), "unshare(CLONE_NEWUSER)");
		return false;
	}
	(void) snprintf(map, sizeof(map), "%u %u 1\n", inside, uid);
	if (write_file("/proc/self/uid_map", map) < 0 ||
	    write_file("/proc/self/setgroups", "deny") < 0) {
		crec(false, strerror(errno), "write uid_map");
		return false;
	}
	(void) snprintf(map, sizeof(map), "0 %u 1\n", gid);
	if (write_file("/proc/self/gid_map", map) < 0) {
		crec(false, strerror(errno), "write gid_map");
		return false;
	}
	return true;
}

/* ---- names ---- */

static void test_names(void)
{
	_cleanup_err_ struct err *e = NULL;
	uint64_t m = 0;
	int last = caps_last_cap(), bad = 0;

	is_int(caps_from_name("CAP_NET_ADMIN", NULL), CAP_NET_ADMIN,
	       "CAP_NET_ADMIN");
	is_int(caps_from_name("NET_ADMIN", NULL), CAP_NET_ADMIN,
	       "without the prefix");
	is_int(caps_from_name("cap_sys_admin", NULL), CAP_SYS_ADMIN,
	       "lower case");
	is_int(caps_from_name("Sys_Chroot", NULL), CAP_SYS_CHROOT,
	       "mixed case");
	is_int(caps_from_name("chown", NULL), 0, "capability 0");
	ok(caps_from_name("NOPE", &e) < 0, "unknown name refused");
	is_str(e ? e->msg : NULL, "unknown capability 'NOPE'",
	       "unknown name message");
	is_int(e ? e->errnum : 0, EINVAL, "unknown name errnum");
	err_freep(&e);
	ok(caps_from_name("CAP_", &e) < 0, "bare prefix refused");
	is_str(e ? e->msg : NULL, "unknown capability 'CAP_'",
	       "bare prefix message");
	err_freep(&e);
	ok(caps_from_name("", NULL) < 0, "empty name refused");
	ok(caps_from_name("ALL", NULL) < 0, "ALL is no single capability");
	ok(caps_from_name("CAP_CAP_CHOWN", NULL) < 0, "double prefix refused");
	ok(caps_parse("all", &m, NULL) == 0 && m == caps_all(),
	   "ALL in any case is every capability");
	is_int(caps_all(), (BIT(last + 1) - 1),
	       "caps_all() up to cap_last_cap");
	ok(caps_parse("kill", &m, NULL) == 0 && m == BIT(CAP_KILL),
	   "caps_parse of one name");
	ok(caps_parse("KILLL", &m, &e) < 0, "caps_parse refuses a bad name");
	is_str(e ? e->msg : NULL, "unknown capability 'KILLL'",
	       "caps_parse message");
	is_str(caps_name(CAP_CHOWN), "CAP_CHOWN", "name of 0");
	is_str(caps_name(40), "CAP_CHECKPOINT_RESTORE", "name of 40");
	ok(caps_name(-1) == NULL && caps_name(63) == NULL,
	   "no name out of range");
	for (int i = 0; i <= last && caps_name(i); i++) {
		if (caps_from_name(caps_name(i), NULL) != i ||
		    caps_from_name(caps_name(i) + 4, NULL) != i)
			bad++;
	}
	is_int(bad, 0, "every name of the running kernel round-trips");
}

static void test_to_names(void)
{
	_cleanup_buf_ struct buf b = BUF_INIT;

	caps_to_names(caps_docker_default(), &b);
	is_str(b.s,
	       "CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_FOWNER,CAP_FSETID,CAP_KILL,"
	       "CAP_SETGID,CAP_SETUID,CAP_SETPCAP,CAP_NET_BIND_SERVICE,"
	       "CAP_NET_RAW,CAP_SYS_CHROOT,CAP_AUDIT_WRITE,CAP_SETFCAP",
	       "docker's default set by name");
	buf_reset(&b);
	caps_to_names(0, &b);
	is_str(b.s, "", "empty mask");
	buf_reset(&b);
	caps_to_names(BIT(CAP_SYS_ADMIN) | BIT(62), &b);
	is_str(b.s, "CAP_SYS_ADMIN,CAP_62", "unnamed bits by number");
}

/* ---- compute ---- */

static uint64_t bnd;

static bool compute(bool priv, const char **add, size_t nadd, const char **drop,
		    size_t ndrop, struct caps *c)
{
	_cleanup_err_ struct err *e = NULL;

	if (caps_compute(priv, add, nadd, drop, ndrop, false, c, &e) < 0) {
		tap_diag("caps_compute: %s", e ? e->msg : "?");
		return false;
	}
	return true;
}

static void test_compute(void)
{
	_cleanup_err_ struct err *e = NULL;
	const char *add[3], *drop[3];
	uint64_t def = caps_docker_default() & bnd;
	struct caps c;

	ok(compute(false, NULL, 0, NULL, 0, &c), "defaults compute");
	is_int(c.bounding, def, "defaults: bounding");
	ok(c.effective == def && c.permitted == def,
	   "defaults: effective = permitted = bounding");
	ok(c.inheritable == 0 && c.ambient == 0,
	   "defaults: no inheritable, no ambient");
	ok(!(c.bounding & BIT(CAP_MKNOD)), "no MKNOD without the flag");
	ok(caps_compute(false, NULL, 0, NULL, 0, true, &c, NULL) == 0 &&
	       (c.bounding & BIT(CAP_MKNOD)) == (bnd & BIT(CAP_MKNOD)),
	   "MKNOD with the device allowlist flag");

	add[0] = "NET_ADMIN";
	drop[0] = "cap_chown";
	drop[1] = "Kill";
	ok(compute(false, add, 1, drop, 2, &c), "add/drop compute");
	is_int(c.bounding,
	       (def | (BIT(CAP_NET_ADMIN) & bnd)) & ~BIT(CAP_CHOWN) &
		   ~BIT(CAP_KILL),
	       "add NET_ADMIN, drop CHOWN and KILL");

	add[0] = "ALL";
	drop[0] = "NET_RAW";
	ok(compute(false, add, 1, drop, 1, &c), "add ALL compute");
	is_int(c.bounding, caps_all() & bnd & ~BIT(CAP_NET_RAW),
	       "add ALL, drop NET_RAW: all of CapBnd but NET_RAW");

	add[0] = "CHOWN";
	drop[0] = "all";
	ok(compute(false, add, 1, drop, 1, &c), "drop ALL compute");
	is_int(c.bounding, BIT(CAP_CHOWN), "drop ALL, add CHOWN: only CHOWN");

	add[0] = "NET_RAW";
	drop[0] = "NET_RAW";
	ok(compute(false, add, 1, drop, 1, &c), "add and drop compute");
	ok(c.bounding & BIT(CAP_NET_RAW), "a name in both is added (docker)");

	ok(compute(false, NULL, 0, drop, 1, &c), "drop only compute");
	is_int(c.bounding, def & ~BIT(CAP_NET_RAW), "drop wins over defaults");

	ok(compute(true, NULL, 0, NULL, 0, &c), "privileged compute");
	is_int(c.bounding, bnd, "privileged: the caller's whole CapBnd");
	ok(c.effective == bnd && c.permitted == bnd,
	   "privileged: effective = permitted = CapBnd");
	is_int(!!(c.bounding & BIT(CAP_SYS_RESOURCE)),
	       !!(bnd & BIT(CAP_SYS_RESOURCE)),
	       "privileged: CAP_SYS_RESOURCE only if CapBnd has it");
	is_int(c.clamped, caps_all() & ~bnd, "privileged: clamped reported");

	add[0] = "SYS_RESOURCE";
	ok(compute(false, add, 1, NULL, 0, &c), "add SYS_RESOURCE compute");
	is_int(c.clamped, BIT(CAP_SYS_RESOURCE) & ~bnd,
	       "a cap outside CapBnd is clamped, not an error");
	is_int(c.bounding & ~bnd, 0, "never more than CapBnd");

	add[0] = "CHOWN";
	add[1] = "BOGUS";
	ok(caps_compute(false, add, 2, NULL, 0, false, &c, &e) < 0,
	   "a bad --cap-add is an error");
	is_str(e ? e->msg : NULL, "unknown capability 'BOGUS'",
	       "bad --cap-add message");
	err_freep(&e);
	drop[0] = "SYS_FOO";
	ok(caps_compute(true, NULL, 0, drop, 1, false, &c, &e) < 0,
	   "a bad --cap-drop is an error, privileged too");
	is_str(e ? e->msg : NULL, "unknown capability 'SYS_FOO'",
	       "bad --cap-drop message");

	ok(compute(false, NULL, 0, NULL, 0, &c), "recompute defaults");
	caps_for_uid(&c, 0);
	is_int(c.effective, def, "caps_for_uid(0) keeps effective");
	caps_for_uid(&c, 1000);
	ok(c.bounding == def && !c.effective && !c.permitted &&
	       !c.inheritable && !c.ambient,
	   "caps_for_uid(1000): bounding only (docker)");
}

/* ---- apply ---- */

static void check_status(const struct caps *c)
{
	uint64_t v = 0;

	if (caps_read_status("CapBnd", &v, NULL) == 0)
		crec_mask(v, c->bounding, "CapBnd");
	if (caps_read_status("CapEff", &v, NULL) == 0)
		crec_mask(v, c->effective, "CapEff");
	if (caps_read_status("CapPrm", &v, NULL) == 0)
		crec_mask(v, c->permitted, "CapPrm");
	if (caps_read_status("CapInh", &v, NULL) == 0)
		crec_mask(v, c->inheritable, "CapInh");
	if (caps_read_status("CapAmb", &v, NULL) == 0)
		crec_mask(v, c->ambient, "CapAmb");
}

/* Root applies directly; anyone else first becomes root of a userns. */
static void child_apply(const void *arg)
{
	const struct caps *c = arg;
	_cleanup_err_ struct err *e = NULL;
	int r;

	if (geteuid() != 0 && !enter_userns(0))
		return;
	r = caps_apply(c, &e);
	crec(r == 0, e ? e->msg : NULL, "caps_apply");
	if (r == 0)
		check_status(c);
}

static void child_apply_bad_ambient(const void *arg)
{
	const struct caps *c = arg;
	_cleanup_err_ struct err *e = NULL;

	if (geteuid() != 0 && !enter_userns(0))
		return;
	crec(caps_apply(c, &e) < 0, NULL, "caps_apply fails");
	crec(e && strcmp(e->msg, "ambient capability 'CAP_KILL' is not "
				 "permitted and inheritable") == 0,
	     e ? e->msg : NULL, "the message names the capability");
}

/*
 * Becomes uid 1000 (root: setresuid under PR_SET_KEEPCAPS, the order
 * documented for the container child; others: a userns where we are
 * 1000), applies @arg, execs ourselves with --print-caps and checks what
 * survived execve().
 */
struct exec_case {
	struct caps c;
	uint64_t want_eff, want_amb;
};

static void child_exec(const void *arg)
{
	const struct exec_case *x = arg;
	_cleanup_err_ struct err *e = NULL;
	char fd[16], eff[24], amb[24], bset[24];
	int r;

	if (geteuid() == 0) {
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 ||
		    setresgid(1000, 1000, 1000) < 0 ||
		    setresuid(1000, 1000, 1000) < 0) {
			crec(false, strerror(errno), "become uid 1000");
			return;
		}
	} else if (!enter_userns(1000)) {
		return;
	}
	r = caps_apply(&x->c, &e);
	crec(r == 0, e ? e->msg : NULL, "caps_apply as uid 1000");
	if (r < 0)
		return;
	(void) snprintf(fd, sizeof(fd), "%d", rec_fd);
	(void) snprintf(eff, sizeof(eff), "%llx",
			(unsigned long long) x->want_eff);
	(void) snprintf(amb, sizeof(amb), "%llx",
			(unsigned long long) x->want_amb);
	(void) snprintf(bset, sizeof(bset), "%llx",
			(unsigned long long) x->c.bounding);
	if (fcntl(rec_fd, F_SETFD, 0) < 0) {
		crec(false, strerror(errno), "clear CLOEXEC");
		return;
	}
	execl("/proc/self/exe", "test-caps", "--exec-check", fd, eff, amb, bset,
	      (char *) NULL);
	crec(false, strerror(errno), "execl /proc/self/exe");
}

/* After execve(): argv = --exec-check FD WANT_EFF WANT_AMB WANT_BND. */
static int exec_check(char **argv)
{
	const char *fields[] = {"CapEff", "CapAmb", "CapBnd"};
	uint64_t want, got = 0;

	rec_fd = (int) strtol(argv[2], NULL, 10);
	for (int i = 0; i < 3; i++) {
		want = strtoull(argv[3 + i], NULL, 16);
		if (caps_read_status(fields[i], &got, NULL) < 0)
			got = UINT64_MAX;
		crec_mask(got, want, fields[i]);
	}
	crec(geteuid() == 1000, NULL, "euid is 1000 after exec");
	return 0;
}

static void test_apply(void)
{
	struct exec_case x = {0};
	struct caps c;

	tap_diag("apply as %s",
		 geteuid() == 0 ? "root" : "non-root in a userns");
	if (compute(false, NULL, 0, NULL, 0, &c))
		in_child("apply defaults", child_apply, &c);
	if (compute(true, NULL, 0, NULL, 0, &c))
		in_child("apply privileged", child_apply, &c);
	if (compute(false, NULL, 0, NULL, 0, &c)) {
		c.inheritable = c.ambient = BIT(CAP_NET_BIND_SERVICE);
		in_child("apply with ambient", child_apply, &c);
		c.ambient |= BIT(CAP_KILL);
		in_child("ambient not inheritable", child_apply_bad_ambient,
			 &c);
	}

	/* A non-root user keeps only the ambient set across execve(). */
	compute(false, NULL, 0, NULL, 0, &x.c);
	x.c.inheritable = x.c.ambient =
	    BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_CHOWN);
	x.want_eff = x.want_amb = x.c.ambient;
	in_child("uid 1000 with ambient, after exec", child_exec, &x);

	/* Docker's rule for a non-root user: nothing but the bounding set. */
	compute(false, NULL, 0, NULL, 0, &x.c);
	caps_for_uid(&x.c, 1000);
	x.want_eff = x.want_amb = 0;
	in_child("uid 1000 docker-style, after exec", child_exec, &x);
}

int main(int argc, char **argv)
{
	_cleanup_err_ struct err *e = NULL;

	if (argc == 6 && strcmp(argv[1], "--exec-check") == 0)
		return exec_check(argv);
	if (caps_read_status("CapBnd", &bnd, &e) < 0) {
		ok(false, "read CapBnd: %s", e->msg);
		return tap_done();
	}
	tap_diag("CapBnd %016llx, cap_last_cap %d", (unsigned long long) bnd,
		 caps_last_cap());
	test_names();
	test_to_names();
	test_compute();
	test_apply();
	return tap_done();
}
