/*
 * seccomp_default.c - docker's default seccomp profile, as data.
 *
 * The same policy as moby's profiles/seccomp/default.json: everything not
 * listed fails with EPERM; a broad allowlist of syscalls that are safe in
 * a container; syscalls that need a capability allowed only when the
 * container has it (mount and unshare with CAP_SYS_ADMIN, ptrace with
 * CAP_SYS_PTRACE, ...); a few arch-specific ones; and argument filters for
 * clone (no namespace flags without CAP_SYS_ADMIN), personality (only the
 * harmless personas) and socket (no AF_VSOCK). Syscall names unknown to
 * libseccomp on this arch are skipped by the compiler.
 */
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <linux/capability.h>

#include <seccomp.h>

#include "runtime/internal.h"
#include "lib/banned.h"

#define CAP(c) (UINT64_C(1) << (c))
#define NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Safe in any container, grouped loosely by what they deal with. */
/* One line per group of names reads better than one name per line. */
/* clang-format off */
static const char *const always[] = {
	/* files and directories */
	"access", "chdir", "chmod", "chown", "chown32", "close", "close_range",
	"copy_file_range", "creat", "dup", "dup2", "dup3", "faccessat",
	"faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fchdir",
	"fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32", "fchownat",
	"fcntl", "fcntl64", "fdatasync", "flock", "fstat", "fstat64",
	"fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate",
	"ftruncate64", "futimesat", "getcwd", "getdents", "getdents64",
	"lchown", "lchown32", "link", "linkat", "_llseek", "lseek", "lstat",
	"lstat64", "mkdir", "mkdirat", "mknod", "mknodat",
	"name_to_handle_at", "newfstatat", "open", "openat", "openat2",
	"pread64", "preadv", "preadv2", "pwrite64", "pwritev", "pwritev2",
	"read", "readahead", "readlink", "readlinkat", "readv", "rename",
	"renameat", "renameat2", "rmdir", "sendfile", "sendfile64", "splice",
	"stat", "stat64", "statfs", "statfs64", "statx", "symlink",
	"symlinkat", "sync", "sync_file_range", "syncfs", "tee", "truncate",
	"truncate64", "umask", "unlink", "unlinkat", "utime", "utimensat",
	"utimensat_time64", "utimes", "vmsplice", "write", "writev",
	"cachestat",
	/* extended attributes */
	"fgetxattr", "flistxattr", "fremovexattr", "fsetxattr", "getxattr",
	"lgetxattr", "listxattr", "llistxattr", "lremovexattr", "lsetxattr",
	"removexattr", "setxattr",
	/* events, polling, async I/O */
	"epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old",
	"epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old",
	"eventfd", "eventfd2", "fanotify_mark", "inotify_add_watch",
	"inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel",
	"io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64",
	"io_setup", "io_submit", "io_uring_enter", "io_uring_register",
	"io_uring_setup", "ioctl", "_newselect", "pause", "pipe", "pipe2",
	"poll", "ppoll", "ppoll_time64", "pselect6", "pselect6_time64",
	"select", "signalfd", "signalfd4", "timerfd_create", "timerfd_gettime",
	"timerfd_gettime64", "timerfd_settime", "timerfd_settime64",
	/* memory */
	"brk", "madvise", "membarrier", "memfd_create", "memfd_secret",
	"mincore", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect",
	"mremap", "msync", "munlock", "munlockall", "munmap", "pkey_alloc",
	"pkey_free", "pkey_mprotect", "remap_file_pages", "map_shadow_stack",
	/* processes, threads, signals */
	"capget", "capset", "execve", "execveat", "exit", "exit_group", "fork",
	"futex", "futex_requeue", "futex_time64", "futex_wait", "futex_waitv",
	"futex_wake", "get_robust_list", "get_thread_area", "getcpu",
	"getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrlimit",
	"getrusage", "getsid", "gettid", "ioprio_get", "ioprio_set", "kill",
	"pidfd_open", "pidfd_send_signal", "prctl", "prlimit64",
	"process_mrelease", "restart_syscall", "rseq", "rt_sigaction",
	"rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn",
	"rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
	"rt_tgsigqueueinfo", "sched_get_priority_max",
	"sched_get_priority_min", "sched_getaffinity", "sched_getattr",
	"sched_getparam", "sched_getscheduler", "sched_rr_get_interval",
	"sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr",
	"sched_setparam", "sched_setscheduler", "sched_yield", "seccomp",
	"set_robust_list", "set_thread_area", "set_tid_address", "setpgid",
	"setpriority", "setrlimit", "setsid", "sigaltstack", "sigprocmask",
	"sigreturn", "tgkill", "tkill", "ugetrlimit", "vfork", "wait4",
	"waitid", "waitpid", "landlock_add_rule", "landlock_create_ruleset",
	"landlock_restrict_self",
	/* credentials */
	"getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32",
	"getgroups", "getgroups32", "getresgid", "getresgid32", "getresuid",
	"getresuid32", "getuid", "getuid32", "setfsgid", "setfsgid32",
	"setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups",
	"setgroups32", "setregid", "setregid32", "setresgid", "setresgid32",
	"setresuid", "setresuid32", "setreuid", "setreuid32", "setuid",
	"setuid32",
	/* time */
	"adjtimex", "alarm", "clock_adjtime", "clock_adjtime64",
	"clock_getres", "clock_getres_time64", "clock_gettime",
	"clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64",
	"getitimer", "gettimeofday", "nanosleep", "setitimer", "time",
	"timer_create", "timer_delete", "timer_getoverrun", "timer_gettime",
	"timer_gettime64", "timer_settime", "timer_settime64", "times",
	/* sockets (socket itself is filtered below) */
	"accept", "accept4", "bind", "connect", "getpeername", "getsockname",
	"getsockopt", "listen", "recv", "recvfrom", "recvmmsg",
	"recvmmsg_time64", "recvmsg", "send", "sendmmsg", "sendmsg", "sendto",
	"setsockopt", "shutdown", "socketcall", "socketpair",
	/* System V and POSIX IPC */
	"ipc", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive",
	"mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64",
	"mq_unlink", "msgctl", "msgget", "msgrcv", "msgsnd", "semctl",
	"semget", "semop", "semtimedop", "semtimedop_time64", "shmat",
	"shmctl", "shmdt", "shmget",
	/* system information */
	"getrandom", "sysinfo", "uname",
	NULL,
};

/* What CAP_SYS_ADMIN unlocks: mounts, namespaces, host names, tracing. */
static const char *const sys_admin[] = {
	"bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount",
	"fsopen", "fspick", "lookup_dcookie", "mount", "mount_setattr",
	"move_mount", "open_tree", "perf_event_open", "quotactl",
	"quotactl_fd", "setdomainname", "sethostname", "setns", "syslog",
	"umount", "umount2", "unshare", NULL,
};

static const char *const sys_ptrace[] = {
	"kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv",
	"process_vm_writev", "ptrace", NULL,
};

/* clang-format on */

/* Namespace flags clone must not carry without CAP_SYS_ADMIN. */
#define CLONE_NS_FLAGS                                                         \
	((uint64_t) (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |               \
		     CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |             \
		     CLONE_NEWCGROUP))

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

const struct sd_rule seccomp_default_rules[] = {
    {.names = always},
    /* Since 4.8 ptrace cannot be used to bypass seccomp. */
    {.names = NAMES("process_vm_readv", "process_vm_writev", "ptrace"),
     .min_kernel = 4 << 8 | 8},
    {.names = NAMES("socket"),
     .arg = 0,
     .op = SCMP_CMP_NE,
     .nvalues = 1,
     .values = {AF_VSOCK}},
    /* PER_LINUX, PER_LINUX32, UNAME26, UNAME26|PER_LINUX32, query */
    {.names = NAMES("personality"),
     .arg = 0,
     .op = SCMP_CMP_EQ,
     .nvalues = 5,
     .values = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff}},

    /* arch-specific helpers */
    {.names = NAMES("sync_file_range2", "swapcontext"), .arches = SD_PPC64LE},
    {.names = NAMES("arm_fadvise64_64", "arm_sync_file_range",
		    "sync_file_range2", "breakpoint", "cacheflush", "set_tls"),
     .arches = SD_ARM | SD_ARM64},
    {.names = NAMES("arch_prctl"), .arches = SD_AMD64 | SD_X32},
    {.names = NAMES("modify_ldt"), .arches = SD_AMD64 | SD_X32 | SD_X86},
    {.names = NAMES("s390_pci_mmio_read", "s390_pci_mmio_write",
		    "s390_runtime_instr"),
     .arches = SD_S390 | SD_S390X},
    {.names = NAMES("riscv_flush_icache"), .arches = SD_RISCV64},

    /* by capability */
    {.names = NAMES("open_by_handle_at"),
     .need_caps = CAP(CAP_DAC_READ_SEARCH)},
    {.names = sys_admin, .need_caps = CAP(CAP_SYS_ADMIN)},
    /* clone's flags are its first argument, on s390 its second. */
    {.names = NAMES("clone"),
     .without_caps = CAP(CAP_SYS_ADMIN),
     .not_arches = SD_S390 | SD_S390X,
     .arg = 0,
     .op = SCMP_CMP_MASKED_EQ,
     .nvalues = 1,
     .values = {CLONE_NS_FLAGS}},
    {.names = NAMES("clone"),
     .without_caps = CAP(CAP_SYS_ADMIN),
     .arches = SD_S390 | SD_S390X,
     .arg = 1,
     .op = SCMP_CMP_MASKED_EQ,
     .nvalues = 1,
     .values = {CLONE_NS_FLAGS}},
    /*
     * clone3's flags sit in a struct seccomp cannot read: make it look
     * unimplemented so libc falls back to clone, which is filtered.
     */
    {.names = NAMES("clone3"),
     .errnum = 38 /* ENOSYS */,
     .without_caps = CAP(CAP_SYS_ADMIN)},
    {.names = NAMES("reboot"), .need_caps = CAP(CAP_SYS_BOOT)},
    {.names = NAMES("chroot"), .need_caps = CAP(CAP_SYS_CHROOT)},
    {.names = NAMES("delete_module", "init_module", "finit_module"),
     .need_caps = CAP(CAP_SYS_MODULE)},
    {.names = NAMES("acct"), .need_caps = CAP(CAP_SYS_PACCT)},
    {.names = sys_ptrace, .need_caps = CAP(CAP_SYS_PTRACE)},
    {.names = NAMES("iopl", "ioperm"), .need_caps = CAP(CAP_SYS_RAWIO)},
    {.names =
	 NAMES("settimeofday", "stime", "clock_settime", "clock_settime64"),
     .need_caps = CAP(CAP_SYS_TIME)},
    {.names = NAMES("vhangup"), .need_caps = CAP(CAP_SYS_TTY_CONFIG)},
    {.names = NAMES("get_mempolicy", "mbind", "set_mempolicy",
		    "set_mempolicy_home_node"),
     .need_caps = CAP(CAP_SYS_NICE)},
    {.names = NAMES("syslog"), .need_caps = CAP(CAP_SYSLOG)},
    {.names = NAMES("bpf"), .need_caps = CAP(39 /* CAP_BPF */)},
    {.names = NAMES("perf_event_open"), .need_caps = CAP(38 /* CAP_PERFMON */)},
};

const size_t seccomp_default_nrules = ARRAY_SIZE(seccomp_default_rules);

/* docker's archMap: the native arch plus the ones it can also run. */
const uint32_t *seccomp_default_subarches(uint32_t native)
{
	static const struct {
		uint32_t native;
		uint32_t sub[3];
	} map[] = {
	    {SCMP_ARCH_X86_64, {SCMP_ARCH_X86, SCMP_ARCH_X32, 0}},
	    {SCMP_ARCH_AARCH64, {SCMP_ARCH_ARM, 0}},
	    {SCMP_ARCH_MIPS64, {SCMP_ARCH_MIPS, SCMP_ARCH_MIPS64N32, 0}},
	    {SCMP_ARCH_MIPS64N32, {SCMP_ARCH_MIPS, SCMP_ARCH_MIPS64, 0}},
	    {SCMP_ARCH_MIPSEL64, {SCMP_ARCH_MIPSEL, SCMP_ARCH_MIPSEL64N32, 0}},
	    {SCMP_ARCH_MIPSEL64N32, {SCMP_ARCH_MIPSEL, SCMP_ARCH_MIPSEL64, 0}},
	    {SCMP_ARCH_S390X, {SCMP_ARCH_S390, 0}},
	};
	static const uint32_t none[] = {0};

	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		if (map[i].native == native)
			return map[i].sub;
	}
	return none;
}
