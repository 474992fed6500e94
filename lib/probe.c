#include <stdlib.h>
#include <string.h>

#include "lib/probe.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

void probes_add(struct probes *p, const char *key, const char *label,
		enum probe_status st, const char *value, const char *hint)
{
	struct probe *e;

	if (p->n == p->alloc) {
		p->alloc = p->alloc ? p->alloc * 2 : 16;
		p->v = xrealloc(p->v, p->alloc * sizeof(*p->v));
	}
	e = &p->v[p->n++];
	e->key = xstrdup(key);
	e->label = xstrdup(label);
	e->value = xstrdup(value ? value : "");
	e->hint = hint ? xstrdup(hint) : NULL;
	e->status = st;
}

const struct probe *probes_find(const struct probes *p, const char *key)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].key, key))
			return &p->v[i];
	return NULL;
}

const char *probe_status_name(enum probe_status st)
{
	switch (st) {
	case PROBE_OK:
		return "ok";
	case PROBE_INFO:
		return "info";
	case PROBE_WARN:
		return "warn";
	case PROBE_MISSING:
		return "missing";
	}
	return "?";
}

void probes_release(struct probes *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].key);
		free(p->v[i].label);
		free(p->v[i].value);
		free(p->v[i].hint);
	}
	free(p->v);
	p->v = NULL;
	p->n = p->alloc = 0;
}
