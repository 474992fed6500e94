/*
 * The foreground relay for `run -t`: our terminal in raw mode, bytes both
 * ways between it and the container's pty, window size kept in step.
 * Ends when the container side closes (EIO/EOF on the master).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "runtime/spec.h"
#include "lib/banned.h"

static volatile sig_atomic_t winch;

static void on_winch(int sig)
{
	(void) sig;
	winch = 1;
}

static void copy_size(int master)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		(void) ioctl(master, TIOCSWINSZ, &ws);
}

static int pump(int from, int to)
{
	char buf[16384];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return -1;
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		off += w;
	}
	return 0;
}

void runtime_relay_pty(int master, bool with_stdin)
{
	struct sigaction sa = { .sa_handler = on_winch };
	struct termios saved, raw;
	bool restore = false;
	struct pollfd p[2] = { { master, POLLIN, 0 },
			       { STDIN_FILENO, POLLIN, 0 } };

	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		restore = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
		copy_size(master);
	}
	sigemptyset(&sa.sa_mask);
	(void) sigaction(SIGWINCH, &sa, NULL);
	if (!with_stdin)
		p[1].fd = -1;
	for (;;) {
		if (winch) {
			winch = 0;
			copy_size(master);
		}
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR) &&
		    pump(master, STDOUT_FILENO) < 0)
			break;
		/* our stdin closing (Ctrl-D on a pipe) ends input only */
		if (p[1].revents & (POLLIN | POLLHUP) && pump(STDIN_FILENO, master) < 0)
			p[1].fd = -1;
	}
	if (restore)
		(void) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
}
