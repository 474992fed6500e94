/*
 * sd-notify MESSAGE: sends MESSAGE to $NOTIFY_SOCKET as one datagram, as
 * sd_notify(3) does. Static, for use inside test containers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (argc != 2 || !path || strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: NOTIFY_SOCKET=PATH sd-notify MESSAGE\n");
		return 2;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sendto(fd, argv[1], strlen(argv[1]), 0,
			     (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("sd-notify");
		return 1;
	}
	return 0;
}
