/* The container's process, seen from both sides: limits, caps, waiting. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "runtime/internal.h"
#include "runtime/spec.h"
#include "lib/banned.h"

static const struct {
	const char *name;
	int resource;
} rlimits[] = {
	{ "RLIMIT_AS", RLIMIT_AS },	    { "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_CPU", RLIMIT_CPU },	    { "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE },   { "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE },	    { "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },   { "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO }, { "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_STACK", RLIMIT_STACK },
};

int rlimit_from_name(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(rlimits); i++)
		if (!strcmp(rlimits[i].name, name))
			return rlimits[i].resource;
	return -1;
}

int runtime_caps_apply(const struct rt_spec *s, struct err **e)
{
	struct caps c = {
		.bounding = s->cap_bounding,
		.effective = s->cap_effective,
		.permitted = s->cap_permitted,
		.inheritable = s->cap_inheritable,
		.ambient = s->cap_ambient,
	};

	return caps_apply(&c, e);
}

static volatile sig_atomic_t target_pid;

static void forward(int sig)
{
	if (target_pid > 0)
		(void) kill((pid_t)target_pid, sig);
}

void runtime_forward_signals(pid_t pid, bool winch)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT,
				    SIGUSR1, SIGUSR2, SIGWINCH };
	struct sigaction sa = { .sa_handler = forward };

	target_pid = pid;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	/* with a terminal, SIGWINCH resizes the pty instead (console.c) */
	for (size_t i = 0; i < ARRAY_SIZE(sigs) - !winch; i++)
		(void) sigaction(sigs[i], &sa, NULL);
}

int runtime_wait(pid_t pid)
{
	int status = 0;

	if (target_pid != pid)
		runtime_forward_signals(pid, true);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 125;
	target_pid = 0;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
