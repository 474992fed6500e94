/*
 * caps.c - capability names, docker's default set, and applying the sets
 * in the container child with the raw syscalls (no libcap). The contract
 * is in runtime/internal.h.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "lib/buf.h"
#include "lib/parse.h"
#include "runtime/internal.h"
#include "lib/banned.h"

#define BIT(n) (UINT64_C(1) << (n))

/* Indexed by number; the kernel's names without the CAP_ prefix. */
static const char *const cap_names[] = {
    [CAP_CHOWN] = "CAP_CHOWN",
    [CAP_DAC_OVERRIDE] = "CAP_DAC_OVERRIDE",
    [CAP_DAC_READ_SEARCH] = "CAP_DAC_READ_SEARCH",
    [CAP_FOWNER] = "CAP_FOWNER",
    [CAP_FSETID] = "CAP_FSETID",
    [CAP_KILL] = "CAP_KILL",
    [CAP_SETGID] = "CAP_SETGID",
    [CAP_SETUID] = "CAP_SETUID",
    [CAP_SETPCAP] = "CAP_SETPCAP",
    [CAP_LINUX_IMMUTABLE] = "CAP_LINUX_IMMUTABLE",
    [CAP_NET_BIND_SERVICE] = "CAP_NET_BIND_SERVICE",
    [CAP_NET_BROADCAST] = "CAP_NET_BROADCAST",
    [CAP_NET_ADMIN] = "CAP_NET_ADMIN",
    [CAP_NET_RAW] = "CAP_NET_RAW",
    [CAP_IPC_LOCK] = "CAP_IPC_LOCK",
    [CAP_IPC_OWNER] = "CAP_IPC_OWNER",
    [CAP_SYS_MODULE] = "CAP_SYS_MODULE",
    [CAP_SYS_RAWIO] = "CAP_SYS_RAWIO",
    [CAP_SYS_CHROOT] = "CAP_SYS_CHROOT",
    [CAP_SYS_PTRACE] = "CAP_SYS_PTRACE",
    [CAP_SYS_PACCT] = "CAP_SYS_PACCT",
    [CAP_SYS_ADMIN] = "CAP_SYS_ADMIN",
    [CAP_SYS_BOOT] = "CAP_SYS_BOOT",
    [CAP_SYS_NICE] = "CAP_SYS_NICE",
    [CAP_SYS_RESOURCE] = "CAP_SYS_RESOURCE",
    [CAP_SYS_TIME] = "CAP_SYS_TIME",
    [CAP_SYS_TTY_CONFIG] = "CAP_SYS_TTY_CONFIG",
    [CAP_MKNOD] = "CAP_MKNOD",
    [CAP_LEASE] = "CAP_LEASE",
    [CAP_AUDIT_WRITE] = "CAP_AUDIT_WRITE",
    [CAP_AUDIT_CONTROL] = "CAP_AUDIT_CONTROL",
    [CAP_SETFCAP] = "CAP_SETFCAP",
    [CAP_MAC_OVERRIDE] = "CAP_MAC_OVERRIDE",
    [CAP_MAC_ADMIN] = "CAP_MAC_ADMIN",
    [CAP_SYSLOG] = "CAP_SYSLOG",
    [CAP_WAKE_ALARM] = "CAP_WAKE_ALARM",
    [CAP_BLOCK_SUSPEND] = "CAP_BLOCK_SUSPEND",
    [CAP_AUDIT_READ] = "CAP_AUDIT_READ",
    [38] = "CAP_PERFMON",
    [39] = "CAP_BPF",
    [40] = "CAP_CHECKPOINT_RESTORE",
};

/*
 * The running kernel's last capability, which may be lower (old kernel)
 * or higher (newer than our headers) than the table; numbers above the
 * table have no name and cannot be asked for by name.
 */
int caps_last_cap(void)
{
	static int last = -1;
	char text[16] = "";
	ssize_t n;
	int64_t v;
	int fd;

	if (last >= 0)
		return last;
	last = (int) ARRAY_SIZE(cap_names) - 1;
	fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return last;
	n = read(fd, text, sizeof(text) - 1);
	(void) close(fd);
	if (n <= 0)
		return last;
	text[n] = '\0';
	if (text[n - 1] == '\n')
		text[n - 1] = '\0';
	if (parse_int64(text, 0, 63, &v, NULL) == 0)
		last = (int) v;
	return last;
}

uint64_t caps_all(void)
{
	int last = caps_last_cap();

	return last >= 63 ? UINT64_MAX : BIT(last + 1) - 1;
}

const char *caps_name(int cap)
{
	if (cap < 0 || (size_t) cap >= ARRAY_SIZE(cap_names))
		return NULL;
	return cap_names[cap];
}

int caps_from_name(const char *name, struct err **e)
{
	const char *bare = name;
	int last = caps_last_cap();

	if (strncasecmp(bare, "CAP_", 4) == 0)
		bare += 4;
	for (int i = 0; i <= last && (size_t) i < ARRAY_SIZE(cap_names); i++) {
		if (cap_names[i] && strcasecmp(cap_names[i] + 4, bare) == 0)
			return i;
	}
	return err_cause(e, EINVAL, "unknown capability '%s'", name);
}

int caps_parse(const char *name, uint64_t *mask, struct err **e)
{
	int cap;

	if (strcasecmp(name, "ALL") == 0) {
		*mask = caps_all();
		return 0;
	}
	cap = caps_from_name(name, e);
	if (cap < 0)
		return cap;
	*mask = BIT(cap);
	return 0;
}

void caps_to_names(uint64_t mask, struct buf *out)
{
	bool first = true;

	for (int i = 0; i < 64; i++) {
		if (!(mask & BIT(i)))
			continue;
		if (!first)
			buf_addch(out, ',');
		first = false;
		if (caps_name(i))
			buf_addstr(out, caps_name(i));
		else
			buf_addf(out, "CAP_%d", i);
	}
}

int caps_read_status(const char *field, uint64_t *out, struct err **e)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, flen = strlen(field);

	f = fopen("/proc/self/status", "re");
	if (!f)
		return err_make(e, errno, "cannot read '/proc/self/status'");
	while (getline(&line, &cap, f) > 0) {
		char *end = NULL;

		if (strncmp(line, field, flen) != 0 || line[flen] != ':')
			continue;
		errno = 0;
		*out = strtoull(line + flen + 1, &end, 16);
		if (errno || end == line + flen + 1 || (*end && *end != '\n'))
			break;
		return 0;
	}
	return err_cause(e, EINVAL,
			 "cannot read '/proc/self/status': no valid '%s' line",
			 field);
}

uint64_t caps_docker_default(void)
{
	return BIT(CAP_CHOWN) | BIT(CAP_DAC_OVERRIDE) | BIT(CAP_FSETID) |
	       BIT(CAP_FOWNER) | BIT(CAP_NET_RAW) | BIT(CAP_SETGID) |
	       BIT(CAP_SETUID) | BIT(CAP_SETFCAP) | BIT(CAP_SETPCAP) |
	       BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_SYS_CHROOT) | BIT(CAP_KILL) |
	       BIT(CAP_AUDIT_WRITE);
}

/* ORs the masks of @names into *mask; *has_all says whether "ALL" was one. */
static int parse_list(const char **names, size_t n, uint64_t *mask,
		      bool *has_all, struct err **e)
{
	*mask = 0;
	*has_all = false;
	for (size_t i = 0; i < n; i++) {
		uint64_t m;
		int r = caps_parse(names[i], &m, e);

		if (r < 0)
			return r;
		if (strcasecmp(names[i], "ALL") == 0)
			*has_all = true;
		*mask |= m;
	}
	return 0;
}

int caps_compute(bool privileged, const char **add, size_t nadd,
		 const char **drop, size_t ndrop, bool mknod, struct caps *out,
		 struct err **e)
{
	uint64_t addm, dropm, want, bnd;
	bool add_all, drop_all;
	int r;

	r = parse_list(add, nadd, &addm, &add_all, e);
	if (r < 0)
		return r;
	r = parse_list(drop, ndrop, &dropm, &drop_all, e);
	if (r < 0)
		return r;
	r = caps_read_status("CapBnd", &bnd, e);
	if (r < 0)
		return r;

	/*
	 * moby's oci/caps.TweakCapabilities, in its order of cases;
	 * privileged asks for everything and is clamped below like the rest.
	 */
	if (privileged)
		want = caps_all();
	else if (add_all)
		want = caps_all() & ~dropm;
	else if (drop_all)
		want = addm;
	else
		want = ((caps_docker_default() | (mknod ? BIT(CAP_MKNOD) : 0)) &
			~dropm) |
		       addm;

	want &= caps_all();
	*out = (struct caps){0};
	out->clamped = want & ~bnd;
	want &= bnd;
	out->bounding = out->effective = out->permitted = want;
	return 0;
}

void caps_for_uid(struct caps *c, uid_t uid)
{
	if (uid == 0)
		return;
	c->effective = c->permitted = c->inheritable = c->ambient = 0;
}

static int raw_capget(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = {
	    .version = _LINUX_CAPABILITY_VERSION_3,
	    .pid = 0,
	};

	return (int) syscall(SYS_capget, &h, d);
}

static int raw_capset(uint64_t eff, uint64_t prm, uint64_t inh)
{
	struct __user_cap_header_struct h = {
	    .version = _LINUX_CAPABILITY_VERSION_3,
	    .pid = 0,
	};
	struct __user_cap_data_struct d[2] = {
	    {(uint32_t) eff, (uint32_t) prm, (uint32_t) inh},
	    {(uint32_t) (eff >> 32), (uint32_t) (prm >> 32),
	     (uint32_t) (inh >> 32)},
	};

	return (int) syscall(SYS_capset, &h, d);
}

static void cap_label(int cap, char *out, size_t len)
{
	if (caps_name(cap))
		(void) snprintf(out, len, "%s", caps_name(cap));
	else
		(void) snprintf(out, len, "CAP_%d", cap);
}

int caps_raise_effective(uint64_t mask, struct err **e)
{
	struct __user_cap_data_struct d[2];
	uint64_t eff, prm, inh;

	if (raw_capget(d) < 0)
		return err_make(e, errno, "cannot read capabilities");
	eff = d[0].effective | (uint64_t) d[1].effective << 32;
	prm = d[0].permitted | (uint64_t) d[1].permitted << 32;
	inh = d[0].inheritable | (uint64_t) d[1].inheritable << 32;
	if ((eff | (mask & prm)) == eff)
		return 0;
	if (raw_capset(eff | (mask & prm), prm, inh) < 0)
		return err_make(e, errno,
				"cannot raise effective capabilities");
	return 0;
}

static int drop_bounding(uint64_t keep, struct err **e)
{
	int last = caps_last_cap();
	char label[32];

	for (int i = 0; i <= last; i++) {
		if (keep & BIT(i))
			continue;
		if (prctl(PR_CAPBSET_READ, i, 0, 0, 0) == 0)
			continue;
		if (prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0) {
			cap_label(i, label, sizeof(label));
			return err_make(
			    e, errno, "cannot drop '%s' from the bounding set",
			    label);
		}
	}
	return 0;
}

static int set_ambient(uint64_t amb, struct err **e)
{
	int last = caps_last_cap();
	char label[32];

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return err_make(e, errno, "cannot clear the ambient set");
	for (int i = 0; i <= last; i++) {
		if (!(amb & BIT(i)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0) {
			cap_label(i, label, sizeof(label));
			return err_make(e, errno,
					"cannot raise ambient capability '%s'",
					label);
		}
	}
	return 0;
}

int caps_apply(const struct caps *c, struct err **e)
{
	uint64_t bad = c->ambient & ~(c->permitted & c->inheritable);
	char label[32];
	int r;

	if (bad) {
		cap_label(__builtin_ctzll(bad), label, sizeof(label));
		return err_cause(e, EINVAL,
				 "ambient capability '%s' is not permitted "
				 "and inheritable",
				 label);
	}
	/* After setresuid() under PR_SET_KEEPCAPS: CAP_SETPCAP again. */
	r = caps_raise_effective(UINT64_MAX, e);
	if (r < 0)
		return r;
	r = drop_bounding(c->bounding, e);
	if (r < 0)
		return r;
	if (raw_capset(c->effective, c->permitted, c->inheritable) < 0)
		return err_make(e, errno, "cannot set capabilities");
	return set_ambient(c->ambient, e);
}
