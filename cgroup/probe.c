/* What `husk info` says about cgroups. */
#include <stdio.h>
#include <string.h>

#include "cgroup/cgroup.h"
#include "lib/buf.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

static void list_ctrls(const struct cgroup_host *h, bool usable_only,
		       struct buf *b)
{
	for (size_t i = 0; i < h->n; i++) {
		if (usable_only && !h->ctrl[i].usable)
			continue;
		buf_addf(b, "%s%s", b->len ? " " : "", h->ctrl[i].name);
	}
}

static const char *version_text(const struct cgroup_host *h)
{
	if (h->version == 2)
		return "v2 (unified)";
	return h->hybrid ? "v1 (hybrid, cgroup2 beside it)" : "v1";
}

void cgroup_probe(struct probes *p, const struct cgroup_host *h,
		  bool rootless)
{
	_cleanup_buf_ struct buf all = BUF_INIT, usable = BUF_INIT;

	probes_add(p, "cgroup_version", "cgroup version", PROBE_INFO,
		   version_text(h), NULL);
	list_ctrls(h, false, &all);
	list_ctrls(h, true, &usable);
	probes_add(p, "cgroup_controllers", "cgroup controllers", PROBE_INFO,
		   all.len ? all.s : "none", NULL);
	if (usable.len) {
		probes_add(p, "cgroup_usable", "usable controllers", PROBE_OK,
			   usable.s, NULL);
	} else if (rootless && h->version == 1) {
		probes_add(p, "cgroup_usable", "usable controllers", PROBE_WARN,
			   "none (rootless on cgroup v1)",
			   "resource limits need cgroup v2 with a delegated "
			   "subtree (boot with systemd.unified_cgroup_hierarchy"
			   "=1 and use a session with Delegate=yes); husk runs "
			   "without limits until then");
	} else {
		probes_add(p, "cgroup_usable", "usable controllers", PROBE_WARN,
			   "none",
			   rootless ? "ask for a delegated cgroup v2 subtree "
				      "(systemd Delegate=yes) to get limits"
				    : "no controller is writable");
	}
	if (h->unified)
		probes_add(p, "cgroup_v2_delegated", "cgroup v2 subtree",
			   h->unified_delegated ? PROBE_OK : PROBE_INFO,
			   h->unified_delegated ? "delegated (writable)"
						: "not delegated",
			   NULL);
}
