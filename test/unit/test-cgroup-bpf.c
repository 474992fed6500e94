/*
 * cgroup/bpf.c: device rules as a cgroup BPF program, against the real
 * kernel.
 *
 * As root (in the initial user namespace) each case makes a cgroup2
 * directory below our own cgroup, attaches a program, moves a forked
 * child into it and has the child open and mknod devices. The cgroup is
 * removed afterwards; nothing else in the hierarchy is written to. As
 * any other user, loading must fail with EPERM and say so.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/internal.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/xalloc.h"
#include "test/unit/tap.h"
#include "test/unit/child.h"

#define ANY (-1)
#define LOAD_EPERM                                                             \
	"cannot load the device rules program: operation not permitted"

/* ---- rules that never reach the kernel ----------------------------------- */

/* BAD as the second of three rules; the third, "deny all", makes it dead
 * but it is checked all the same. */
static void check_invalid(struct cgroup_dev bad, const char *want)
{
	struct cgroup_dev rules[] = {
	    {true, 'c', 1, 3, "rwm"},
	    bad,
	    {false, 'a', ANY, ANY, "rwm"},
	};
	struct err *e = NULL;
	int r = cgroup_bpf_devices(-1, rules, ARRAY_SIZE(rules), &e);

	ok(r < 0 && e && e->errnum == EINVAL, "refused: %s",
	   e ? e->msg : "(accepted)");
	is_str(e ? e->msg : NULL, want, "  the message names rule and field");
	err_free(e);
}

static void test_invalid(void)
{
	check_invalid((struct cgroup_dev){true, 'x', 1, 3, "rwm"},
		      "invalid device rule 2: unknown type 'x'");
	check_invalid((struct cgroup_dev){true, 'c', 1, 3, "rwx"},
		      "invalid device rule 2: unknown access 'x'");
	check_invalid((struct cgroup_dev){false, 'b', -2, 3, "r"},
		      "invalid device rule 2: major -2 is out of range");
	check_invalid((struct cgroup_dev){false, 'a', 1, 1LL << 31, "r"},
		      "invalid device rule 2: minor 2147483648 is out of "
		      "range");
}

/* ---- unprivileged -------------------------------------------------------- */

static void test_unprivileged(void)
{
	struct cgroup_dev rules[] = {{true, 'c', 1, 3, "rwm"}};
	_cleanup_close_ int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct err *e = NULL;
	int r = cgroup_bpf_devices(fd, rules, ARRAY_SIZE(rules), &e);

	ok(r < 0 && e && e->errnum == EPERM,
	   "unprivileged: loading fails "
	   "with EPERM (%s)",
	   e ? e->msg : "loaded");
	is_str(e ? e->msg : NULL, LOAD_EPERM,
	       "unprivileged: the message "
	       "names the step");
	err_free(e);
}

/* ---- the kernel ---------------------------------------------------------- */

/* Where our own cgroup2 directory is, or NULL. */
static char *own_cgroup2(void)
{
	static const char *const mnts[] = {"/sys/fs/cgroup/unified",
					   "/sys/fs/cgroup"};
	_cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
	_cleanup_free_ char *line = NULL;
	const char *mnt = NULL;
	size_t cap = 0;
	ssize_t len;

	for (size_t i = 0; i < ARRAY_SIZE(mnts) && !mnt; i++) {
		struct statfs st;

		if (statfs(mnts[i], &st) == 0 &&
		    st.f_type == CGROUP2_SUPER_MAGIC)
			mnt = mnts[i];
	}
	if (!mnt || !f)
		return NULL;
	while ((len = getline(&line, &cap, f)) > 0) {
		if (strncmp(line, "0::", 3) != 0)
			continue;
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		return xasprintf("%s%s", mnt,
				 strcmp(line + 3, "/") == 0 ? "" : line + 3);
	}
	return NULL;
}

/* MAJ:MIN of some block device (the first entry of /sys/dev/block). */
static bool some_block_device(unsigned *maj, unsigned *min)
{
	_cleanup_closedir_ DIR *d = opendir("/sys/dev/block");
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (sscanf(de->d_name, "%u:%u", maj, min) == 2)
			return true;
	return false;
}

/* rmdir DIR, waiting for the kernel to let go of a child just reaped */
static int rmdir_wait(const char *dir)
{
	for (int i = 0; i < 100; i++) {
		if (rmdir(dir) == 0)
			return 0;
		if (errno != EBUSY)
			return -1;
		(void) nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
	return -1;
}

/* One thing the child tries. */
struct dcheck {
	const char *path; /* an existing node; NULL: mknod one */
	mode_t type;	  /* for mknod: S_IFCHR or S_IFBLK */
	unsigned maj, min;
	int want_mknod; /* errno of mknod, 0: it works */
	int flags;	/* open flags, -1: do not open */
	int want_open;	/* errno of open, 0: it opens */
};

struct dcase {
	const char *name;
	const struct cgroup_dev *rules;
	size_t n;
	const struct dcase *also; /* a second program on the cgroup */
	const struct dcheck *checks;
	size_t nchecks;
};

struct child_arg {
	const struct dcase *c;
	int procs;	 /* the cgroup's cgroup.procs, for writing */
	const char *tmp; /* an empty directory */
};

static const char *flags_name(int flags)
{
	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		return "reading";
	case O_WRONLY:
		return "writing";
	default:
		return "reading and writing";
	}
}

static void child_check(const struct child_arg *a, const struct dcheck *k,
			size_t i)
{
	char node[256], diag[300];
	const char *path = k->path;
	int fd, err;

	if (!path) {
		(void) snprintf(node, sizeof(node), "%s/node%zu", a->tmp, i);
		err = mknod(node, k->type | 0600, makedev(k->maj, k->min)) < 0
			  ? errno
			  : 0;
		(void) snprintf(diag, sizeof(diag), "got %s, want %s",
				strerror(err), strerror(k->want_mknod));
		crec(err == k->want_mknod, diag, "mknod %c %u:%u %s",
		     k->type == S_IFBLK ? 'b' : 'c', k->maj, k->min,
		     k->want_mknod ? "is refused" : "works");
		if (err)
			return;
		path = node;
	}
	if (k->flags < 0)
		return;
	fd = open(path, k->flags | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	err = fd < 0 ? errno : 0;
	if (fd >= 0)
		(void) close(fd);
	(void) snprintf(diag, sizeof(diag), "got %s, want %s", strerror(err),
			strerror(k->want_open));
	if (k->path)
		crec(err == k->want_open, diag, "open %s for %s %s", path,
		     flags_name(k->flags), k->want_open ? "fails" : "works");
	else
		crec(err == k->want_open, diag, "  and opening it for %s %s",
		     flags_name(k->flags), k->want_open ? "fails" : "works");
}

/*
 * In the child: a tmpfs of our own for the nodes (the host's /tmp may be
 * nodev, which would turn the kernel's EPERM into EACCES), then into the
 * cgroup, then the checks.
 */
static void child_main(const void *p)
{
	const struct child_arg *a = p;

	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", a->tmp, "tmpfs", 0, "mode=0700") < 0) {
		crec(false, strerror(errno), "a tmpfs for the nodes");
		return;
	}
	if (write(a->procs, "0", 1) != 1) {
		crec(false, strerror(errno), "the child joins the cgroup");
		return;
	}
	for (size_t i = 0; i < a->c->nchecks; i++)
		child_check(a, &a->c->checks[i], i);
}

static bool attach(int dirfd, const struct dcase *c)
{
	struct err *e = NULL;
	int r = cgroup_bpf_devices(dirfd, c->rules, c->n, &e);

	ok(r == 0, "%s: the program loads and attaches%s%s", c->name,
	   e ? ": " : "", e ? e->msg : "");
	err_free(e);
	return r == 0;
}

/* Runs case C in a fresh cgroup below BASE. */
static void run_case(const char *base, const struct dcase *c, int open_flags)
{
	_cleanup_free_ char *dir =
	    xasprintf("%s/husk-bpf-test-%d", base, (int) getpid());
	_cleanup_free_ char *procs = NULL;
	_cleanup_close_ int dirfd = -1, procsfd = -1;
	char tmp[] = "/tmp/husk-bpf-test-XXXXXX";
	struct child_arg a = {.c = c, .tmp = tmp};

	if (!ok(mkdir(dir, 0755) == 0, "%s: mkdir %s", c->name, dir)) {
		tap_diag("  %s", strerror(errno));
		return;
	}
	procs = xasprintf("%s/cgroup.procs", dir);
	dirfd = open(dir, open_flags | O_DIRECTORY | O_CLOEXEC);
	procsfd = open(procs, O_WRONLY | O_CLOEXEC);
	if (!ok(dirfd >= 0 && procsfd >= 0 && mkdtemp(tmp), "%s: set up",
		c->name))
		tap_diag("  %s", strerror(errno));
	else if (attach(dirfd, c) && (!c->also || attach(dirfd, c->also))) {
		a.procs = procsfd;
		in_child(c->name, child_main, &a);
	}
	ok(rmdir_wait(tmp) == 0, "%s: the node directory is removed", c->name);
	ok(rmdir_wait(dir) == 0, "%s: the cgroup is removed", c->name);
}

#define CASE(nm, r, chk)                                                       \
	{                                                                      \
		.name = nm, .rules = r, .n = ARRAY_SIZE(r), .checks = chk,     \
		.nchecks = ARRAY_SIZE(chk)                                     \
	}

static void test_kernel(void)
{
	_cleanup_free_ char *base = own_cgroup2();
	unsigned bmaj = 0, bmin = 0;
	bool have_block;
	int fd;

	if (!ok(base != NULL, "our own cgroup2 directory: %s",
		base ? base : "none"))
		return;
	have_block = some_block_device(&bmaj, &bmin);
	if (!ok(have_block, "a block device: %u:%u", bmaj, bmin))
		return;
	/* What the children are refused, we may use: the program did it. */
	fd = open("/dev/full", O_RDONLY | O_CLOEXEC);
	ok(fd >= 0, "outside the cgroup, /dev/full opens");
	if (fd >= 0)
		(void) close(fd);

	/* docker's default, in short */
	static const struct cgroup_dev docker[] = {
	    {false, 'a', ANY, ANY, "rwm"}, {true, 'c', 1, 3, "rwm"},
	    {true, 'c', 1, 5, "rwm"},	   {true, 'c', ANY, ANY, "m"},
	    {true, 'b', ANY, ANY, "m"},
	};
	const struct dcheck docker_chk[] = {
	    {"/dev/null", 0, 0, 0, 0, O_RDWR, 0},
	    {"/dev/zero", 0, 0, 0, 0, O_RDONLY, 0},
	    {"/dev/full", 0, 0, 0, 0, O_RDONLY, EPERM},
	    {"/dev/full", 0, 0, 0, 0, O_WRONLY, EPERM},
	    {NULL, S_IFCHR, 1, 7, 0, O_RDONLY, EPERM},
	    {NULL, S_IFBLK, bmaj, bmin, 0, O_RDONLY, EPERM},
	    {NULL, S_IFCHR, 1, 3, 0, O_RDWR, 0},
	};
	/* a later allow overrides an earlier deny */
	static const struct cgroup_dev later_allow[] = {
	    {false, 'c', 1, 3, "rwm"},
	    {true, 'c', 1, 3, "rwm"},
	};
	static const struct dcheck later_allow_chk[] = {
	    {"/dev/null", 0, 0, 0, 0, O_RDWR, 0},
	    {"/dev/zero", 0, 0, 0, 0, O_RDONLY, EPERM},
	};
	/* a later deny overrides an earlier allow, for writes only */
	static const struct cgroup_dev later_deny[] = {
	    {true, 'c', 1, 3, "rwm"},
	    {false, 'c', 1, 3, "w"},
	};
	static const struct dcheck later_deny_chk[] = {
	    {"/dev/null", 0, 0, 0, 0, O_RDONLY, 0},
	    {"/dev/null", 0, 0, 0, 0, O_WRONLY, EPERM},
	    {"/dev/null", 0, 0, 0, 0, O_RDWR, EPERM},
	    {NULL, S_IFCHR, 1, 3, 0, -1, 0},
	};
	/* allowed bit by bit: read from one rule, write from another */
	static const struct cgroup_dev by_bit[] = {
	    {true, 'c', 1, 3, "r"},
	    {true, 'c', 1, 3, "w"},
	    {true, 'c', 1, 5, "rwm"},
	    {false, 'c', 1, 5, "w"},
	};
	static const struct dcheck by_bit_chk[] = {
	    {"/dev/null", 0, 0, 0, 0, O_RDWR, 0},
	    {NULL, S_IFCHR, 1, 3, EPERM, -1, 0},
	    {"/dev/zero", 0, 0, 0, 0, O_RDONLY, 0},
	    {"/dev/zero", 0, 0, 0, 0, O_RDWR, EPERM},
	    {NULL, S_IFCHR, 1, 5, 0, O_WRONLY, EPERM},
	};
	/* all but one */
	static const struct cgroup_dev all_but[] = {
	    {true, 'a', ANY, ANY, "rwm"},
	    {false, 'c', 1, 7, "rwm"},
	};
	const struct dcheck all_but_chk[] = {
	    {"/dev/full", 0, 0, 0, 0, O_RDONLY, EPERM},
	    {"/dev/null", 0, 0, 0, 0, O_RDWR, 0},
	    {NULL, S_IFCHR, 1, 7, EPERM, -1, 0},
	    {NULL, S_IFBLK, bmaj, bmin, 0, -1, 0},
	};
	/* rules before a deny-all are dead (and not emitted) */
	static const struct cgroup_dev dead[] = {
	    {true, 'c', 1, 3, "rwm"},
	    {false, 'a', ANY, ANY, "rwm"},
	    {true, 'c', 1, 5, "rw"},
	};
	static const struct dcheck dead_chk[] = {
	    {"/dev/null", 0, 0, 0, 0, O_RDONLY, EPERM},
	    {"/dev/zero", 0, 0, 0, 0, O_RDWR, 0},
	    {NULL, S_IFCHR, 1, 5, EPERM, -1, 0},
	};
	/* deny all, and what no access matches */
	static const struct cgroup_dev none[] = {{false, 'a', ANY, ANY, "rwm"}};
	static const struct cgroup_dev no_access[] = {
	    {true, 'a', ANY, ANY, ""}};
	static const struct dcheck none_chk[] = {
	    {"/dev/null", 0, 0, 0, 0, O_RDONLY, EPERM},
	    {NULL, S_IFCHR, 1, 3, EPERM, -1, 0},
	};
	/* access and type: rw is not m; 'a' with a minor only */
	static const struct cgroup_dev access[] = {
	    {true, 'a', ANY, 3, "rw"},
	    {true, 'b', ANY, ANY, "m"},
	};
	const struct dcheck access_chk[] = {
	    {"/dev/null", 0, 0, 0, 0, O_RDWR, 0},
	    {"/dev/zero", 0, 0, 0, 0, O_RDONLY, EPERM},
	    {NULL, S_IFCHR, 1, 3, EPERM, -1, 0},
	    {NULL, S_IFBLK, bmaj, bmin, 0, O_RDONLY, EPERM},
	};
	/* two programs: a device must pass both */
	static const struct cgroup_dev first[] = {
	    {true, 'c', 1, 3, "rwm"},
	    {true, 'c', 1, 5, "rwm"},
	};
	static const struct cgroup_dev second[] = {{true, 'c', 1, 3, "rwm"}};
	static const struct dcheck two_chk[] = {
	    {"/dev/null", 0, 0, 0, 0, O_RDWR, 0},
	    {"/dev/zero", 0, 0, 0, 0, O_RDONLY, EPERM},
	};
	const struct dcase second_case = {
	    .name = "second program", .rules = second, .n = ARRAY_SIZE(second)};
	struct dcase two = CASE("two programs", first, two_chk);
	const struct dcase cases[] = {
	    CASE("docker's default", docker, docker_chk),
	    CASE("later allow wins", later_allow, later_allow_chk),
	    CASE("later deny wins", later_deny, later_deny_chk),
	    CASE("per access bit", by_bit, by_bit_chk),
	    CASE("all but /dev/full", all_but, all_but_chk),
	    CASE("dead rules", dead, dead_chk),
	    CASE("deny all", none, none_chk),
	    CASE("empty access", no_access, none_chk),
	    CASE("access and type", access, access_chk),
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(base, &cases[i], i % 2 ? O_PATH : O_RDONLY);
	two.also = &second_case;
	run_case(base, &two, O_RDONLY);
	run_case(base,
		 &(struct dcase){.name = "an empty list",
				 .rules = NULL,
				 .n = 0,
				 .checks = none_chk,
				 .nchecks = ARRAY_SIZE(none_chk)},
		 O_PATH);

	fd = open("/dev/full", O_RDONLY | O_CLOEXEC);
	ok(fd >= 0, "outside the cgroup, /dev/full still opens");
	if (fd >= 0)
		(void) close(fd);
}

/* Attaching to something that is not a cgroup2 directory. */
static void test_not_cgroup(void)
{
	struct cgroup_dev rules[] = {{true, 'c', 1, 3, "rwm"}};
	_cleanup_close_ int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct err *e = NULL;
	int r = cgroup_bpf_devices(fd, rules, ARRAY_SIZE(rules), &e);

	ok(r < 0 && e &&
	       strncmp(e->msg,
		       "cannot attach the device rules "
		       "program: ",
		       40) == 0,
	   "attaching to / fails: %s", e ? e->msg : "(attached)");
	err_free(e);
}

static bool privileged(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/uid_map", "re");
	unsigned long in = 1, out = 1, count = 0;

	/* root in a user namespace is not root enough for BPF */
	return geteuid() == 0 && f &&
	       fscanf(f, "%lu %lu %lu", &in, &out, &count) == 3 && in == 0 &&
	       out == 0 && count == 4294967295UL;
}

int main(void)
{
	test_invalid();
	if (privileged()) {
		test_kernel();
		test_not_cgroup();
	} else {
		test_unprivileged();
	}
	return tap_done();
}
