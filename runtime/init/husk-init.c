/*
 * husk-init: the tiny PID 1 of `husk run --init` (docker's tini role).
 * Runs the command as its child, forwards the signals it gets to it,
 * reaps every zombie re-parented to PID 1, and exits with the command's
 * status (128 + N when signal N killed it). Built static: it runs inside
 * any image.
 *
 * Usage (inside the container): /dev/init -- COMMAND [ARG...]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

int main(int argc, char **argv)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1,
				    SIGUSR2, SIGWINCH, SIGCONT, SIGALRM };
	struct sigaction sa;
	int argi = 1, status, code = 0;
	pid_t pid;

	if (argi < argc && !strcmp(argv[argi], "--"))
		argi++;
	if (argi >= argc) {
		fprintf(stderr, "husk-init: no command\n");
		return 125;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	pid = fork();
	if (pid < 0) {
		perror("husk-init: fork");
		return 125;
	}
	if (pid == 0) {
		struct sigaction dfl;

		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			sigaction(sigs[i], &dfl, NULL);
		execvp(argv[argi], argv + argi);
		fprintf(stderr, "husk-init: cannot execute '%s': %s\n",
			argv[argi], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	child = pid;
	/*
	 * Reap whatever is re-parented to us until the command itself ends;
	 * then exit with its status at once (tini): as PID 1 leaving, we take
	 * the rest of the namespace with us.
	 */
	for (;;) {
		pid_t w = wait(&status);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (w == pid) {
			code = WIFSIGNALED(status) ? 128 + WTERMSIG(status)
						   : WEXITSTATUS(status);
			break;
		}
	}
	return code;
}
