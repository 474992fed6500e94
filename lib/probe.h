/*
 * probe.h - facts about the host, collected for `husk info`.
 *
 * Each subsystem that owns a thing probes it (runtime/ the user namespace
 * and overlay, netns/ the network helpers, cgroup/ the hierarchy) and adds
 * one entry per fact. An entry has a stable key (used by --format json), a
 * value for people, a status and, when something is missing, a hint that
 * says what to install or configure. Probes look at the real system; they
 * print nothing.
 */
#ifndef HUSK_PROBE_H
#define HUSK_PROBE_H

#include <stddef.h>

enum probe_status {
	PROBE_OK,	/* present and usable */
	PROBE_INFO,	/* a fact, neither good nor bad */
	PROBE_WARN,	/* usable with a fallback or a limit */
	PROBE_MISSING,	/* absent or unusable */
};

struct probe {
	char *key;
	char *label;
	char *value;
	char *hint;	/* NULL when nothing needs doing */
	enum probe_status status;
};

struct probes {
	struct probe *v;
	size_t n, alloc;
};

#define PROBES_INIT { NULL, 0, 0 }

/* Adds an entry; strings are copied. hint may be NULL. */
void probes_add(struct probes *p, const char *key, const char *label,
		enum probe_status st, const char *value, const char *hint);
const struct probe *probes_find(const struct probes *p, const char *key);
const char *probe_status_name(enum probe_status st);
void probes_release(struct probes *p);

#endif
