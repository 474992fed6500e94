/*
 * Entering husk's user namespace for store work (DESIGN.md, rootless store
 * ownership): layers are unpacked, and removed, as root of a user
 * namespace that maps the caller to 0 and the caller's subordinate ids to
 * 1..N, so files get the owners the image says.
 *
 * The calling process itself moves into the new namespace, so no extra
 * process stays around: a short-lived helper child, still outside, runs the
 * setuid newuidmap/newgidmap on our pid once we have unshared. Without a
 * subordinate range (or without the helpers) we write a single-uid map
 * ourselves, as `unshare -r` does, and say so.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/paths.h"
#include "lib/xalloc.h"
#include "runtime/runtime.h"
#include "lib/banned.h"

void userns_map_release(struct userns_map *m)
{
	free(m->uids);
	free(m->gids);
	memset(m, 0, sizeof(*m));
}

int runtime_userns_plan(struct userns_map *m, struct err **e)
{
	struct passwd *pw = getpwuid(getuid());
	const char *name = pw ? pw->pw_name : NULL;

	memset(m, 0, sizeof(*m));
	m->uid = getuid();
	m->gid = getgid();
	if (runtime_subid_ranges("/etc/subuid", m->uid, name, &m->uids,
				 &m->nuids, e) < 0 ||
	    runtime_subid_ranges("/etc/subgid", m->uid, name, &m->gids,
				 &m->ngids, e) < 0)
		return -1;
	if (!m->nuids || !m->ngids) {
		m->single = true;
		m->reason = "no subordinate id range in /etc/subuid and /etc/subgid";
	} else {
		_cleanup_free_ char *u = paths_which("newuidmap");
		_cleanup_free_ char *g = paths_which("newgidmap");

		if (!u || !g) {
			m->single = true;
			m->reason = "newuidmap/newgidmap not found (install uidmap)";
		}
	}
	return 0;
}

char *userns_map_string(const struct userns_map *m, bool gids)
{
	const struct id_range *r = gids ? m->gids : m->uids;
	size_t n = gids ? m->ngids : m->nuids;
	struct buf b = BUF_INIT;
	unsigned long inside = 1;

	buf_addf(&b, "0:%u:1", gids ? (unsigned)m->gid : (unsigned)m->uid);
	for (size_t i = 0; !m->single && i < n; i++) {
		buf_addf(&b, ",%lu:%lu:%lu", inside, r[i].start, r[i].count);
		inside += r[i].count;
	}
	return buf_detach(&b, NULL);
}

/* argv for newuidmap/newgidmap: PROG PID 0 ID 1 1 START COUNT ... */
static char **map_argv(const char *prog, pid_t pid, const struct userns_map *m,
		       bool gids)
{
	const struct id_range *r = gids ? m->gids : m->uids;
	size_t n = gids ? m->ngids : m->nuids, k = 0;
	char **argv = xcalloc(6 + 3 * n + 1, sizeof(char *));
	unsigned long inside = 1;

	argv[k++] = xstrdup(prog);
	argv[k++] = xasprintf("%d", (int)pid);
	argv[k++] = xstrdup("0");
	argv[k++] = xasprintf("%u", gids ? (unsigned)m->gid : (unsigned)m->uid);
	argv[k++] = xstrdup("1");
	for (size_t i = 0; i < n; i++) {
		argv[k++] = xasprintf("%lu", inside);
		argv[k++] = xasprintf("%lu", r[i].start);
		argv[k++] = xasprintf("%lu", r[i].count);
		inside += r[i].count;
	}
	return argv;
}

/* Runs one setuid map helper and waits; 0 when it succeeded. */
static int run_map_helper(const char *prog, pid_t pid,
			  const struct userns_map *m, bool gids)
{
	char **argv = map_argv(prog, pid, m, gids);
	pid_t child = fork();
	int status = 0;

	if (child == 0) {
		execvp(prog, argv);
		_exit(127);
	}
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
	if (child < 0)
		return -1;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int runtime_userns_write_maps(pid_t pid, const struct userns_map *m,
			      struct err **e)
{
	if (run_map_helper("newuidmap", pid, m, false) < 0)
		return err_make(e, 0, "newuidmap failed for pid %d", (int)pid);
	if (run_map_helper("newgidmap", pid, m, true) < 0)
		return err_make(e, 0, "newgidmap failed for pid %d", (int)pid);
	return 0;
}

static int write_proc(const char *file, const char *s, struct err **e)
{
	_cleanup_close_ int fd = open(file, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(s);

	if (fd < 0 || write(fd, s, len) != (ssize_t)len)
		return err_make(e, errno, "write '%s'", file);
	return 0;
}

/* The single-uid map a process may write for itself. */
static int write_self_maps(const struct userns_map *m, struct err **e)
{
	char map[64];

	if (write_proc("/proc/self/setgroups", "deny", e) < 0)
		return -1;
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)m->uid);
	if (write_proc("/proc/self/uid_map", map, e) < 0)
		return -1;
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)m->gid);
	return write_proc("/proc/self/gid_map", map, e);
}

/*
 * A child outside the namespace that waits for "unshared" on GO, then maps
 * PARENT with the setuid helpers and reports through its exit status.
 */
static pid_t spawn_mapper(int go, int done, pid_t parent,
			  const struct userns_map *m)
{
	pid_t pid = fork();
	char c;

	if (pid != 0)
		return pid;
	(void) prctl(PR_SET_PDEATHSIG, SIGKILL);
	(void) close(done); /* so a dead parent reads as EOF */
	if (read(go, &c, 1) != 1)
		_exit(1);
	_exit(runtime_userns_write_maps(parent, m, NULL) < 0 ? 1 : 0);
}

static int become_root(struct err **e)
{
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return err_make(e, errno, "cannot become root in the user namespace");
	return 0;
}

int runtime_userns_enter(const struct userns_map *m, struct err **e)
{
	int p[2] = { -1, -1 }, status = 0;
	pid_t mapper;

	if (m->single) {
		if (unshare(CLONE_NEWUSER) < 0)
			return err_make(e, errno, "cannot create a user namespace");
		if (write_self_maps(m, e) < 0)
			return -1;
		return become_root(e);
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_make(e, errno, "pipe");
	mapper = spawn_mapper(p[0], p[1], getpid(), m);
	(void) close(p[0]);
	if (mapper < 0) {
		(void) close(p[1]);
		return err_make(e, errno, "fork");
	}
	if (unshare(CLONE_NEWUSER) < 0) {
		int saved = errno;

		(void) close(p[1]);
		(void) waitpid(mapper, NULL, 0);
		return err_make(e, saved, "cannot create a user namespace");
	}
	(void) !write(p[1], "g", 1);
	(void) close(p[1]);
	while (waitpid(mapper, &status, 0) < 0)
		if (errno != EINTR)
			return err_make(e, errno, "waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return err_make(e, 0, "cannot map the subordinate ids with "
				      "newuidmap/newgidmap");
	if (setgroups(0, NULL) < 0)
		return err_make(e, errno, "setgroups");
	return become_root(e);
}
