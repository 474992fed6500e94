/* Published ports: docker's -p syntax, and whether the host port is free. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/parse.h"
#include "lib/xalloc.h"
#include "netns/netns.h"
#include "lib/banned.h"

static int port_num(const char *s, bool zero_ok, uint16_t *out)
{
	uint64_t v;

	if (parse_uint64(s, zero_ok ? 0 : 1, 65535, &v, NULL) < 0)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

int netns_parse_port(const char *arg, struct netns_port *p, struct err **e)
{
	_cleanup_free_ char *s = xstrdup(arg);
	char *proto = strrchr(s, '/'), *last, *host = NULL, *ip = NULL;

	memset(p, 0, sizeof(*p));
	if (proto) {
		*proto++ = '\0';
		if (!strcmp(proto, "udp"))
			p->udp = true;
		else if (strcmp(proto, "tcp"))
			goto bad;
	}
	/* [IP:]HOST:CTR, HOST:CTR, :CTR, CTR; an IPv6 IP in brackets */
	last = strrchr(s, ':');
	if (last) {
		*last++ = '\0';
		host = strrchr(s, ':');
		if (host && s[0] == '[' && host < strchr(s, ']'))
			host = NULL;
		if (host) {
			*host++ = '\0';
			ip = s;
		} else {
			host = s;
		}
	} else {
		last = s;
	}
	if (port_num(last, false, &p->ctr_port) < 0)
		goto bad;
	if (host && *host && port_num(host, true, &p->host_port) < 0)
		goto bad;
	if (ip && *ip) {
		struct in6_addr a6;
		struct in_addr a4;
		size_t n = strlen(ip);

		if (ip[0] == '[' && ip[n - 1] == ']') {
			ip[n - 1] = '\0';
			ip++;
			if (inet_pton(AF_INET6, ip, &a6) != 1)
				goto bad;
		} else if (inet_pton(AF_INET, ip, &a4) != 1) {
			goto bad;
		}
		snprintf(p->host_ip, sizeof(p->host_ip), "%s", ip);
	}
	return 0;
bad:
	return err_make(e, EINVAL, "invalid port '%s': want [IP:]HOSTPORT:"
			"CTRPORT[/tcp|udp] or CTRPORT", arg);
}

/* Binds the port as the helper will; 0 gets a free one. */
static int try_bind(struct netns_port *p, struct err **e)
{
	bool v6 = strchr(p->host_ip, ':') != NULL;
	_cleanup_close_ int fd = socket(v6 ? AF_INET6 : AF_INET,
					(p->udp ? SOCK_DGRAM : SOCK_STREAM) |
						SOCK_CLOEXEC, 0);
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1;

	memset(&ss, 0, sizeof(ss));
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(p->host_port);
		(void) inet_pton(AF_INET6, p->host_ip, &a->sin6_addr);
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(p->host_port);
		if (p->host_ip[0])
			(void) inet_pton(AF_INET, p->host_ip, &a->sin_addr);
		len = sizeof(*a);
	}
	if (fd < 0)
		return err_make(e, errno, "socket");
	/* as the helper's listener will: TIME_WAIT is no clash */
	(void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		if (errno == EADDRINUSE)
			return err_cause(e, EADDRINUSE, "the host port %s%s%u/%s "
					"is already in use", p->host_ip,
					p->host_ip[0] ? ":" : "", p->host_port,
					p->udp ? "udp" : "tcp");
		return err_make(e, errno, "cannot publish on %s:%u",
				p->host_ip[0] ? p->host_ip : "0.0.0.0",
				p->host_port);
	}
	if (!p->host_port) {
		if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
			return err_make(e, errno, "getsockname");
		p->host_port = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					: ((struct sockaddr_in *)&ss)->sin_port);
	}
	return 0;
}

int netns_ports_check(struct netns_port *ports, size_t n, struct err **e)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < i; j++)
			if (ports[j].host_port && ports[j].host_port ==
			    ports[i].host_port && ports[j].udp == ports[i].udp &&
			    !strcmp(ports[j].host_ip, ports[i].host_ip))
				return err_cause(e, EADDRINUSE, "the host port "
						"%u/%s is published twice",
						ports[i].host_port,
						ports[i].udp ? "udp" : "tcp");
		if (try_bind(&ports[i], e) < 0)
			return -1;
	}
	return 0;
}
