/* Which rootless network helpers exist here, and whether they can work. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/paths.h"
#include "lib/xalloc.h"
#include "netns/netns.h"
#include "lib/banned.h"

struct helper {
	const char *key;
	const char *prog;
	const char *package;
};

static const struct helper helpers[] = {
	{ "slirp4netns", "slirp4netns", "slirp4netns" },
	{ "pasta", "pasta", "passt" },
};

static void probe_helper(struct probes *p, const struct helper *h,
			 bool tun_ok)
{
	_cleanup_free_ char *path = paths_which(h->prog);
	_cleanup_free_ char *hint = NULL;

	if (!path) {
		hint = xasprintf("apt-get install %s", h->package);
		probes_add(p, h->key, h->prog, PROBE_MISSING, "not found", hint);
		return;
	}
	probes_add(p, h->key, h->prog, tun_ok ? PROBE_OK : PROBE_WARN, path,
		   tun_ok ? NULL : "needs /dev/net/tun");
}

void netns_probe(struct probes *p, bool rootless)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	bool tun_ok = fd >= 0;

	if (fd >= 0)
		(void) close(fd);
	if (tun_ok)
		probes_add(p, "tun", "/dev/net/tun", PROBE_OK, "usable", NULL);
	else
		probes_add(p, "tun", "/dev/net/tun", PROBE_MISSING,
			   "not accessible",
			   "modprobe tun; chmod 0666 /dev/net/tun (what udev "
			   "does); rootless networking needs it");
	for (size_t i = 0; i < ARRAY_SIZE(helpers); i++)
		probe_helper(p, &helpers[i], tun_ok);
	if (rootless &&
	    probes_find(p, "slirp4netns")->status == PROBE_MISSING &&
	    probes_find(p, "pasta")->status == PROBE_MISSING)
		probes_add(p, "network", "rootless network", PROBE_MISSING,
			   "no helper",
			   "apt-get install slirp4netns or passt; until then "
			   "use --network none or host");
}
