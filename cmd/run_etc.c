/*
 * The container's /etc/hosts, /etc/hostname and /etc/resolv.conf, bound
 * into it from its directory (cmd/run.c writes them at create time), and
 * what --dns, --dns-search, --dns-option and --add-host change in them.
 *
 * resolv.conf follows docker: the host's file as it is, unless a --dns
 * flag is given; then it is built afresh from the flags, each falling back
 * to the host's nameservers, search or options line. On the private
 * network the host's loopback nameservers (a stub resolver such as
 * systemd-resolved's 127.0.0.53) cannot be reached from the container:
 * they are left out (as docker's FilterResolvDNS does), and when none is
 * left the container asks the network helper's DNS forwarder instead.
 * Nameservers given with --dns are written as given.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/run.h"
#include "layers/image.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/xalloc.h"
#include "netns/netns.h"
#include "lib/banned.h"

/*
 * The container's own files are rewritten at every start and die with it:
 * no fsync, no tmp + rename (DESIGN.md: none for throwaway state). They
 * are rewritten in place (O_TRUNC), never replaced: a running container
 * has them bind-mounted, and a new inode would not show through.
 */
int run_write_text(int dirfd, const char *name, const char *text,
		   struct err **e)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_WRONLY | O_CREAT |
						     O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(text);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		return err_make(e, errno, "cannot write '%s'", name);
	return 0;
}

/* ---- /etc/hosts ---------------------------------------------------------- */

/* --add-host NAME:host-gateway: the host, as the container reaches it */
static const char *host_gateway(const struct run_args *a)
{
	if (a->rc.net == RT_NET_PRIVATE)
		return NETNS_SLIRP_HOST;
	if (a->rc.net == RT_NET_HOST)
		return "127.0.0.1";	/* the host's own network */
	return NULL;
}

int run_etc_check(struct run_args *a, struct err **e)
{
	const char *what = a->dns ? "--dns" : a->dns_search ? "--dns-search" :
			   a->dns_opts ? "--dns-option" : NULL;

	if (a->rc.net == RT_NET_CONTAINER && what)
		return cmd_usage_error(a->ctx, e, "%s cannot go with --network "
				       "container:NAME (that container's "
				       "resolv.conf is used)", what);
	if (a->rc.net == RT_NET_CONTAINER && a->add_hosts)
		return cmd_usage_error(a->ctx, e, "--add-host cannot go with "
				       "--network container:NAME (that "
				       "container's hosts file is used)");
	if (a->rc.net == RT_NET_CONTAINER && a->rc.hostname &&
	    a->rc.hostname != a->hostname)
		return cmd_usage_error(a->ctx, e, "--hostname cannot go with "
				       "--network container:NAME (that "
				       "container's host name is used)");
	for (char **p = a->add_hosts; p && *p; p++) {
		const char *ip = strchr(*p, ':') + 1;

		if (!strcmp(ip, "host-gateway") && !host_gateway(a))
			return cmd_usage_error(a->ctx, e, "invalid --add-host "
					       "'%s': host-gateway needs a "
					       "network (not --network none)",
					       *p);
	}
	return 0;
}

/*
 * Docker's order: localhost, then the --add-host lines, then the
 * container's own name (here on 127.0.1.1, as Debian names the host).
 */
static void hosts_text(const struct run_args *a, const char *hostname,
		       struct buf *out)
{
	buf_addstr(out, "127.0.0.1\tlocalhost\n"
			"::1\tlocalhost ip6-localhost ip6-loopback\n");
	for (char **p = a->add_hosts; p && *p; p++) {
		const char *colon = strchr(*p, ':');
		const char *ip = colon + 1;

		if (!strcmp(ip, "host-gateway"))
			ip = host_gateway(a);	/* run_etc_check()ed */
		buf_addf(out, "%s\t%.*s\n", ip, (int)(colon - *p), *p);
	}
	buf_addf(out, "127.0.1.1\t%s\n", hostname);
}

/* ---- /etc/resolv.conf ---------------------------------------------------- */

/* The rest of LINE after its first word KEY and blanks, else NULL. */
static const char *after_key(const char *line, const char *key)
{
	size_t n = strlen(key);

	line += strspn(line, " \t");
	if (strncmp(line, key, n) || (line[n] != ' ' && line[n] != '\t'))
		return NULL;
	return line + n + strspn(line + n, " \t");
}

/* 127.0.0.0/8, ::1 and ::ffff:127.x: the host's own resolver */
static bool loopback(const char *ip)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, ip, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, ip, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) ||
		       (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
	return false;
}

/* What the host's resolv.conf says. */
struct host_resolv {
	char **ns;		/* its nameservers (not the loopback ones
				 * when filtered), NULL-terminated */
	char *search;		/* the words of its last search line */
	char *options;		/* and of its last options line */
	struct buf kept;	/* the file without the filtered lines */
};

static void host_resolv_release(struct host_resolv *r)
{
	strv_free(r->ns);
	free(r->search);
	free(r->options);
	buf_release(&r->kept);
}

static void host_resolv_line(struct host_resolv *r, const char *line,
			     size_t len, bool filter)
{
	_cleanup_free_ char *l = xstrndup(line, len);
	const char *v;

	if ((v = after_key(l, "nameserver"))) {
		_cleanup_free_ char *ip = xstrndup(v, strcspn(v, " \t\r"));

		if (filter && loopback(ip))
			return;
		if (*ip)
			run_strv_add(&r->ns, ip);
	} else if ((v = after_key(l, "search"))) {
		free(r->search);
		r->search = xstrndup(v, strcspn(v, "\r"));
	} else if ((v = after_key(l, "options"))) {
		free(r->options);
		r->options = xstrndup(v, strcspn(v, "\r"));
	}
	buf_addf(&r->kept, "%s\n", l);
}

/* Reads the host's file (none, or one we cannot read: empty). */
static void host_resolv_read(struct host_resolv *r, bool filter)
{
	_cleanup_buf_ struct buf text = BUF_INIT;
	const char *p, *nl;

	if (read_file(AT_FDCWD, "/etc/resolv.conf", &text, 1 << 16, NULL) < 0)
		buf_reset(&text);
	for (p = text.s; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		host_resolv_line(r, p, nl ? (size_t)(nl - p) : strlen(p),
				 filter);
		if (!nl)
			break;
	}
}

/* --dns-search's domains without ".", which only means "no search line" */
static void search_text(char **v, struct buf *out)
{
	size_t start = out->len;

	for (; v && *v; v++)
		if (strcmp(*v, "."))
			buf_addf(out, "%s%s", out->len > start ? " " : "", *v);
}

static void resolv_text(const struct run_args *a, struct buf *out)
{
	struct host_resolv r = { .kept = BUF_INIT };
	bool private = a->rc.net == RT_NET_PRIVATE;
	_cleanup_buf_ struct buf search = BUF_INIT;
	char **ns;

	host_resolv_read(&r, private);
	if (!a->dns && !a->dns_search && !a->dns_opts) {
		buf_addstr(out, r.kept.s);
		if (private && !r.ns)
			buf_addstr(out, "nameserver " NETNS_SLIRP_DNS "\n");
		host_resolv_release(&r);
		return;
	}
	ns = a->dns ? a->dns : r.ns;
	for (char **p = ns; p && *p; p++)
		buf_addf(out, "nameserver %s\n", *p);
	if (!ns && private)
		buf_addstr(out, "nameserver " NETNS_SLIRP_DNS "\n");
	if (a->dns_search)
		search_text(a->dns_search, &search);
	else if (r.search)
		buf_addstr(&search, r.search);
	if (search.len)
		buf_addf(out, "search %s\n", search.s);
	if (a->dns_opts) {
		buf_addstr(out, "options");
		for (char **p = a->dns_opts; *p; p++)
			buf_addf(out, " %s", *p);
		buf_addch(out, '\n');
	} else if (r.options && *r.options) {
		buf_addf(out, "options %s\n", r.options);
	}
	host_resolv_release(&r);
}

/* /etc/hosts, /etc/hostname, /etc/resolv.conf for the container. */
int run_write_etc(struct run_args *a, int dirfd, struct err **e)
{
	_cleanup_buf_ struct buf hosts = BUF_INIT, resolv = BUF_INIT;
	_cleanup_free_ char *hn = NULL;
	const char *h = a->rc.hostname ? a->rc.hostname : a->hostname;

	if (run_etc_check(a, e) < 0)
		return -1;
	if (a->rc.net == RT_NET_CONTAINER)
		return 0;	/* the other container's files (share_etc) */
	hosts_text(a, h, &hosts);
	hn = xasprintf("%s\n", h);
	resolv_text(a, &resolv);
	if (run_write_text(dirfd, "hosts", hosts.s, e) < 0 ||
	    run_write_text(dirfd, "hostname", hn, e) < 0 ||
	    run_write_text(dirfd, "resolv.conf", resolv.s, e) < 0)
		return -1;
	return 0;
}
