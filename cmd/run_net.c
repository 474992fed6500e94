/*
 * husk run's networking flags: --network, -p/--publish, -P/--publish-all,
 * and what they become: the spec's annotations (io.husk.network,
 * io.husk.ports) that cmd/launch.c starts the helper from, and docker's
 * NetworkSettings.Ports and HostConfig.PortBindings in the record.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/run.h"
#include "ctr/ctr.h"
#include "layers/store.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "netns/netns.h"
#include "lib/banned.h"

int run_network_arg(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		    struct err **e)
{
	_cleanup_err_ struct err *why = NULL;

	free(a->net_join);
	a->net_join = NULL;
	if (!strcmp(arg, "none")) {
		a->rc.net = RT_NET_NONE;
	} else if (!strcmp(arg, "host")) {
		a->rc.net = RT_NET_HOST;
	} else if (!strcmp(arg, "private") || !strcmp(arg, "bridge") ||
		   !strcmp(arg, "default")) {
		a->rc.net = RT_NET_PRIVATE;
		a->net.helper = NETNS_AUTO;
	} else if (!strncmp(arg, "container:", 10) && arg[10]) {
		a->rc.net = RT_NET_CONTAINER;
		a->net_join = xstrdup(arg + 10);
	} else if (netns_parse_mode(arg, &a->net, &why) == 0) {
		a->rc.net = RT_NET_PRIVATE;
	} else {
		return cmd_usage_error(ctx, e, "invalid --network '%s': %s", arg,
				       strncmp(arg, "slirp4netns", 11) &&
				       strncmp(arg, "pasta", 5) ?
				       "use none, host, private, slirp4netns"
				       "[:OPTS], pasta[:OPTS] or container:NAME"
				       : why->msg);
	}
	return 0;
}

int run_publish_arg(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		    struct err **e)
{
	struct netns_port p;
	_cleanup_err_ struct err *why = NULL;

	if (netns_parse_port(arg, &p, &why) < 0)
		return cmd_usage_error(ctx, e, "%s", why->msg);
	a->ports = xrealloc(a->ports, (a->nports + 1) * sizeof(*a->ports));
	a->ports[a->nports++] = p;
	return 0;
}

/* -P: every port the image EXPOSEs ("80/tcp": {}) not published already */
static void publish_exposed(struct run_args *a, const cJSON *image)
{
	const cJSON *x;

	cJSON_ArrayForEach(x, json_obj(json_obj(image, "config"),
				       "ExposedPorts")) {
		struct netns_port p;
		bool have = false;

		if (!x->string || netns_parse_port(x->string, &p, NULL) < 0)
			continue;
		for (size_t i = 0; i < a->nports; i++)
			have |= a->ports[i].ctr_port == p.ctr_port &&
				a->ports[i].udp == p.udp;
		if (have)
			continue;
		a->ports = xrealloc(a->ports, (a->nports + 1) *
						      sizeof(*a->ports));
		a->ports[a->nports++] = p;
	}
}

int run_network_resolve(struct store *s, struct run_args *a,
			const cJSON *image, struct err **e)
{
	if (a->publish_all)
		publish_exposed(a, image);
	if (a->nports && a->rc.net != RT_NET_PRIVATE)
		return err_make(e, EINVAL, "ports can only be published from "
				"the private network (not --network %s)",
				a->rc.net == RT_NET_NONE ? "none" :
				a->rc.net == RT_NET_HOST ? "host" : "container:");
	if (a->rc.net == RT_NET_CONTAINER) {
		struct ctr c;
		int rc;

		ctr_init(&c);
		rc = ctr_find(s, a->net_join, &c, e);
		if (rc >= 0 && ctr_refresh(s, &c, 0, e) >= 0 &&
		    c.status != CTR_RUNNING)
			rc = err_make(e, EINVAL, "container '%s' is not running",
				      a->net_join);
		if (rc >= 0) {
			free(a->net_join);
			a->net_join = xstrdup(c.id);
		}
		ctr_release(&c);
		if (rc < 0)
			return err_wrap(e, "cannot join the network of '%s'",
					a->net_join);
	}
	if (a->rc.net == RT_NET_PRIVATE && netns_helper_pick(&a->net, a->ports,
							   a->nports, e) < 0)
		return -1;
	return netns_ports_check(a->ports, a->nports, e);
}

/* io.husk.network and io.husk.ports for cmd/launch.c */
void run_network_annotate(struct run_args *a, cJSON *ann)
{
	struct buf b = BUF_INIT;

	if (a->rc.net == RT_NET_CONTAINER) {
		buf_addf(&b, "container:%s", a->net_join);
	} else if (a->rc.net == RT_NET_PRIVATE) {
		_cleanup_free_ char *mode = netns_mode_string(&a->net);

		buf_addstr(&b, mode);
	}
	if (b.len)
		cJSON_AddStringToObject(ann, "io.husk.network", b.s);
	buf_reset(&b);
	for (size_t i = 0; i < a->nports; i++) {
		const struct netns_port *p = &a->ports[i];
		bool v6 = strchr(p->host_ip, ':') != NULL;

		buf_addf(&b, "%s%s%s%s:%u:%u/%s", b.len ? "\n" : "",
			 v6 ? "[" : "", p->host_ip, v6 ? "]" : "", p->host_port,
			 p->ctr_port, p->udp ? "udp" : "tcp");
	}
	if (b.len)
		cJSON_AddStringToObject(ann, "io.husk.ports", b.s);
	buf_release(&b);
}

/* NetworkSettings.Ports: {"80/tcp": [{"HostIp": "...", "HostPort": "8000"}]} */
cJSON *run_ports_json(const struct run_args *a)
{
	cJSON *o = cJSON_CreateObject();

	for (size_t i = 0; i < a->nports; i++) {
		const struct netns_port *p = &a->ports[i];
		char key[32], port[16];
		cJSON *list, *m = cJSON_CreateObject();

		snprintf(key, sizeof(key), "%u/%s", p->ctr_port,
			 p->udp ? "udp" : "tcp");
		snprintf(port, sizeof(port), "%u", p->host_port);
		list = cJSON_GetObjectItemCaseSensitive(o, key);
		if (!list)
			list = cJSON_AddArrayToObject(o, key);
		cJSON_AddStringToObject(m, "HostIp", p->host_ip[0] ? p->host_ip
								   : "0.0.0.0");
		cJSON_AddStringToObject(m, "HostPort", port);
		cJSON_AddItemToArray(list, m);
	}
	return o;
}

void run_network_release(struct run_args *a)
{
	free(a->net_join);
	free(a->ports);
	a->net_join = NULL;
	a->ports = NULL;
	a->nports = 0;
}
