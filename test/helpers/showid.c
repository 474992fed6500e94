/*
 * showid: prints the real and effective uid, for the setuid tests of
 * test/system/run.bats (installed mode 4755 owned by root in an image).
 * Built static so it runs inside the busybox fixture.
 */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	printf("ruid=%d euid=%d\n", (int)getuid(), (int)geteuid());
	return 0;
}
