/*
 * husk port CONTAINER [PRIVATE_PORT[/PROTO]]: where a running container's
 * ports are published on the host, docker's lines ("80/tcp ->
 * 127.0.0.1:8000"). Also what ps and inspect share about ports: the
 * record's mappings in order, and docker ps's PORTS text.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "ctr/ctr.h"
#include "layers/store.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "lib/parse.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

static void usage(void)
{
	printf("Usage: husk port CONTAINER [PRIVATE_PORT[/PROTO]]\n"
	       "\n"
	       "Show where a running container's ports are published on the\n"
	       "host: every mapping, or those of PRIVATE_PORT (PROTO: tcp,\n"
	       "the default, udp or sctp).\n"
	       "\n"
	       "      --help   show this help\n");
}

/* ---- the record's ports -------------------------------------------------- */

const cJSON *cmd_ctr_ports(const struct ctr *c)
{
	return c->status == CTR_RUNNING ? c->ports : NULL;
}

int cmd_parse_port(const char *s, bool range, uint16_t *lo, uint16_t *hi,
		   char proto[8])
{
	const char *slash = strchr(s, '/');
	_cleanup_free_ char *num = xstrndup(s, slash ? (size_t)(slash - s)
						     : strlen(s));
	char *dash = range ? strchr(num, '-') : NULL;
	uint64_t a, b = 0;

	if (slash && strcmp(slash + 1, "tcp") && strcmp(slash + 1, "udp") &&
	    strcmp(slash + 1, "sctp"))
		return -1;
	if (dash)
		*dash++ = '\0';
	if (parse_uint64(num, 1, 65535, &a, NULL) < 0 ||
	    (dash && (parse_uint64(dash, 1, 65535, &b, NULL) < 0 || b < a)))
		return -1;
	*lo = (uint16_t)a;
	*hi = (uint16_t)(dash ? b : a);
	snprintf(proto, 8, "%s", slash ? slash + 1 : "tcp");
	return 0;
}

/* 4 or 6 with the address in OUT, 0 when S is none */
static int addr_family(const char *s, unsigned char out[16])
{
	if (inet_pton(AF_INET, s, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, out) == 1)
		return 6;
	return 0;
}

/* Go's netip order: no address first, then IPv4, then IPv6, by bytes */
static int addr_cmp(const char *x, const char *y)
{
	unsigned char a[16] = { 0 }, b[16] = { 0 };
	int fa = addr_family(x, a), fb = addr_family(y, b);

	if (fa != fb)
		return fa - fb;
	return fa ? memcmp(a, b, fa == 4 ? 4 : 16) : strcmp(x, y);
}

static int num_cmp(unsigned a, unsigned b)
{
	return a < b ? -1 : a > b;
}

/* docker port: container port, protocol, host address, host port */
static int port_order(const void *pa, const void *pb)
{
	const struct cmd_port_map *a = pa, *b = pb;
	int d = num_cmp(a->ctr_port, b->ctr_port);

	if (!d)
		d = strcmp(a->proto, b->proto);
	if (!d)
		d = addr_cmp(a->host_ip, b->host_ip);
	return d ? d : num_cmp(a->host_port, b->host_port);
}

/* docker ps: container port, host address, host port, protocol */
static int ps_order(const void *pa, const void *pb)
{
	const struct cmd_port_map *a = pa, *b = pb;
	int d = num_cmp(a->ctr_port, b->ctr_port);

	if (!d)
		d = addr_cmp(a->host_ip, b->host_ip);
	if (!d)
		d = num_cmp(a->host_port, b->host_port);
	return d ? d : strcmp(a->proto, b->proto);
}

static void push(struct cmd_port_map **v, size_t *n,
		 const struct cmd_port_map *m)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = *m;
}

struct cmd_port_map *cmd_port_list(const cJSON *ports, size_t *n)
{
	struct cmd_port_map *v = NULL;
	const cJSON *key, *b;

	*n = 0;
	cJSON_ArrayForEach(key, ports) {
		const cJSON *list = cJSON_IsArray(key) ? key : NULL;
		struct cmd_port_map m = { 0 };
		size_t before = *n;
		uint16_t hi;

		if (!key->string || cmd_parse_port(key->string, false,
						   &m.ctr_port, &hi,
						   m.proto) < 0)
			continue;
		cJSON_ArrayForEach(b, list) {
			const char *ip = json_str(b, "HostIp");
			const char *hp = json_str(b, "HostPort");
			uint64_t p;

			if (!hp || parse_uint64(hp, 1, 65535, &p, NULL) < 0)
				continue;
			m.host_port = (uint16_t)p;
			/* docker's "" is every address */
			snprintf(m.host_ip, sizeof(m.host_ip), "%s",
				 ip && *ip ? ip : "0.0.0.0");
			push(&v, n, &m);
		}
		if (*n == before)	/* exposed, not published */
			push(&v, n, &m);
	}
	if (*n)
		qsort(v, *n, sizeof(*v), port_order);
	return v;
}

/* Go's net.JoinHostPort: an IPv6 address in brackets */
static void join_host_port(struct buf *out, const char *ip, const char *port)
{
	bool v6 = strchr(ip, ':') != NULL;

	buf_addf(out, "%s%s%s:%s", v6 ? "[" : "", ip, v6 ? "]" : "", port);
}

/* ---- docker ps's PORTS --------------------------------------------------- */

/* Ports published on the same numbers, or exposed, of one address and
 * protocol, docker's portGroup */
struct group {
	const char *ip, *proto;
	unsigned first, last;
};

static void group_text(const struct group *g, struct buf *out)
{
	char range[16];

	if (g->first == g->last)
		snprintf(range, sizeof(range), "%u", g->first);
	else
		snprintf(range, sizeof(range), "%u-%u", g->first, g->last);
	if (out->len)
		buf_addstr(out, ", ");
	if (*g->ip) {
		join_host_port(out, g->ip, range);
		buf_addstr(out, "->");
	}
	buf_addf(out, "%s/%s", range, g->proto);
}

static struct group *find_group(struct group *g, size_t n,
				const struct cmd_port_map *m)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(g[i].ip, m->host_ip) &&
		    !strcmp(g[i].proto, m->proto))
			return &g[i];
	return NULL;
}

/*
 * docker's DisplayablePorts: a port published on another number is one
 * "IP:HOST->CTR/PROTO" at the end; the others (published on the same
 * number, or only exposed) run together into ranges per address and
 * protocol, and a range is written when the next port does not follow it.
 */
void cmd_ports_text(const cJSON *ports, struct buf *out)
{
	size_t n, ng = 0;
	_cleanup_free_ struct cmd_port_map *v = cmd_port_list(ports, &n);
	_cleanup_free_ struct group *g = xcalloc(n + 1, sizeof(*g));
	_cleanup_buf_ struct buf text = BUF_INIT, maps = BUF_INIT;

	if (n)
		qsort(v, n, sizeof(*v), ps_order);
	for (size_t i = 0; i < n; i++) {
		const struct cmd_port_map *m = &v[i];
		struct group *k;
		char hp[8];

		if (m->host_port && m->host_port != m->ctr_port) {
			snprintf(hp, sizeof(hp), "%u", m->host_port);
			if (maps.len)
				buf_addstr(&maps, ", ");
			join_host_port(&maps, m->host_ip, hp);
			buf_addf(&maps, "->%u/%s", m->ctr_port, m->proto);
			continue;
		}
		k = find_group(g, ng, m);
		if (!k) {
			g[ng++] = (struct group){ m->host_ip, m->proto,
						  m->ctr_port, m->ctr_port };
			continue;
		}
		if (m->ctr_port == k->last + 1) {
			k->last = m->ctr_port;
			continue;
		}
		group_text(k, &text);
		k->first = k->last = m->ctr_port;
	}
	for (size_t i = 0; i < ng; i++)
		group_text(&g[i], &text);
	if (maps.len && text.len)
		buf_addstr(&text, ", ");
	buf_addstr(&text, maps.s);
	buf_addstr(out, text.s);
}

/* ---- husk port ----------------------------------------------------------- */

/* Every mapping (WANT 0), or WANT/PROTO's; NAME as the user gave it. */
static int show(const struct ctr *c, const char *name, uint16_t want,
		const char *proto, struct err **e)
{
	size_t n;
	_cleanup_free_ struct cmd_port_map *v =
		cmd_port_list(cmd_ctr_ports(c), &n);
	_cleanup_buf_ struct buf out = BUF_INIT;

	for (size_t i = 0; i < n; i++) {
		char hp[8];

		if (!v[i].host_port || (want && (v[i].ctr_port != want ||
						 strcmp(v[i].proto, proto))))
			continue;
		if (!want)
			buf_addf(&out, "%u/%s -> ", v[i].ctr_port, v[i].proto);
		snprintf(hp, sizeof(hp), "%u", v[i].host_port);
		join_host_port(&out, v[i].host_ip, hp);
		buf_addch(&out, '\n');
	}
	if (want && !out.len)
		return err_cause(e, ENOENT, "no public port '%u/%s' published "
				 "for '%s'", want, proto, name);
	fwrite(out.s, 1, out.len, stdout);
	return 0;
}

int cmd_port(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct store s = STORE_INIT;
	char proto[8] = "";
	uint16_t want = 0, hi;
	struct ctr c;
	int opt, rc, nargs;

	while ((opt = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		if (opt != 'h')
			return cmd_getopt_error(ctx, opt, argv, e);
		usage();
		return 0;
	}
	nargs = argc - optind;
	if (nargs < 1)
		return cmd_usage_error(ctx, e, "port needs a container");
	if (nargs > 2)
		return cmd_usage_error(ctx, e, "port takes a container and at "
				       "most one port");
	if (nargs == 2 && cmd_parse_port(argv[optind + 1], false, &want, &hi,
					 proto) < 0)
		return cmd_usage_error(ctx, e, "invalid port '%s': "
				       "PORT[/PROTO] expected (tcp, udp or "
				       "sctp)", argv[optind + 1]);
	ctr_init(&c);
	rc = cmd_find_ctr(ctx, &s, argv[optind], &c, e);
	if (rc >= 0)
		rc = show(&c, argv[optind], want, proto, e);
	ctr_release(&c);
	store_close(&s);
	return rc < 0 ? rc : 0;
}
