/* The values of `husk run`'s flags, each checked before anything starts. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "cmd/run.h"
#include "layers/image.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/parse.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

void run_strv_add(char ***v, const char *s)
{
	size_t n = 0;

	while (*v && (*v)[n])
		n++;
	*v = xrealloc(*v, (n + 2) * sizeof(char *));
	(*v)[n] = xstrdup(s);
	(*v)[n + 1] = NULL;
}

static bool valid_key(const char *s, size_t n)
{
	return n > 0 && !memchr(s, ' ', n) && !memchr(s, '\0', n);
}

/* -e K=V sets; -e K passes the caller's K through (or nothing, as docker). */
int run_env_arg(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		struct err **e)
{
	const char *eq = strchr(arg, '=');
	const char *v;
	_cleanup_free_ char *kv = NULL;

	if (!valid_key(arg, eq ? (size_t)(eq - arg) : strlen(arg)))
		return cmd_usage_error(ctx, e, "invalid environment variable "
					       "'%s'", arg);
	if (eq) {
		run_strv_add(&a->env, arg);
		return 0;
	}
	v = getenv(arg);
	if (v) {
		kv = xasprintf("%s=%s", arg, v);
		run_strv_add(&a->env, kv);
	}
	return 0;
}

int run_env_file(struct husk_ctx *ctx, struct run_args *a, const char *path,
		 struct err **e)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;

	if (!f)
		return err_make(e, errno, "cannot open the env file '%s'", path);
	while ((n = getline(&line, &cap, f)) > 0) {
		char *p = line;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			continue;
		if (run_env_arg(ctx, a, p, e) < 0) {
			ctx->usage = false;
			err_free(TAKE_PTR(*e));
			return err_make(e, 0, "invalid line %zu in the env file "
					"'%s': '%s'", lineno, path, p);
		}
	}
	return 0;
}

int run_security_opt(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		     struct err **e)
{
	if (!strcmp(arg, "no-new-privileges") ||
	    !strcmp(arg, "no-new-privileges=true") ||
	    !strcmp(arg, "no-new-privileges:true")) {
		a->rc.no_new_privs = true;
		return 0;
	}
	if (!strcmp(arg, "no-new-privileges=false") ||
	    !strcmp(arg, "no-new-privileges:false")) {
		a->rc.no_new_privs = false;
		return 0;
	}
	if (!strncmp(arg, "seccomp=", 8) || !strncmp(arg, "seccomp:", 8)) {
		if (!arg[8])
			return cmd_usage_error(ctx, e, "invalid --security-opt "
						       "'%s'", arg);
		free(a->seccomp_file);
		a->seccomp_file = xstrdup(arg + 8);
		a->rc.seccomp = a->seccomp_file;
		return 0;
	}
	return cmd_usage_error(ctx, e, "invalid --security-opt '%s'", arg);
}

int run_pull_arg(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		 struct err **e)
{
	if (!strcmp(arg, "missing"))
		a->pull = PULL_MISSING;
	else if (!strcmp(arg, "always"))
		a->pull = PULL_ALWAYS;
	else if (!strcmp(arg, "never"))
		a->pull = PULL_NEVER;
	else
		return cmd_usage_error(ctx, e, "invalid --pull '%s': want "
					       "missing, always or never", arg);
	return 0;
}

int run_init_path(struct husk_ctx *ctx, struct run_args *a, struct err **e)
{
	const char *env = getenv("HUSK_INIT");
	char self[4096];
	ssize_t n;

	if (!a->rc.init)
		return 0;
	if (env && *env) {
		a->init = xstrdup(env);
	} else {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n < 0)
			return err_make(e, errno, "readlink /proc/self/exe");
		self[n] = '\0';
		a->init = xasprintf("%s/husk-init", dirname(self));
	}
	if (access(a->init, X_OK) < 0)
		return err_make(e, errno, "--init needs '%s' (built by make "
				"beside husk; or set HUSK_INIT)", a->init);
	a->rc.init_path = a->init;
	return 0;
}

int run_device_arg(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		   struct err **e)
{
	_cleanup_free_ char *copy = xstrdup(arg);
	char *host = copy, *ctr = NULL, *perm = NULL, *c;
	struct rt_device *d;
	struct stat st;

	c = strchr(copy, ':');
	if (c) {
		*c = '\0';
		ctr = c + 1;
		c = strchr(ctr, ':');
		if (c) {
			*c = '\0';
			perm = c + 1;
		} else if (*ctr && strspn(ctr, "rwm") == strlen(ctr)) {
			perm = ctr;	/* HOST:rwm */
			ctr = NULL;
		}
	}
	if (!*host || host[0] != '/')
		return cmd_usage_error(ctx, e, "invalid --device '%s': the host "
				       "path must be absolute", arg);
	if (ctr && (ctr[0] != '/' || strstr(ctr, "/../") ||
		    strncmp(ctr, "/dev/", 5) || !ctr[5]))
		return cmd_usage_error(ctx, e, "invalid --device '%s': the path "
				       "in the container must be under /dev/",
				       arg);
	if (perm && (!*perm || strlen(perm) > 3 ||
		     strspn(perm, "rwm") != strlen(perm)))
		return cmd_usage_error(ctx, e, "invalid --device '%s': "
				       "permissions are some of r, w and m",
				       arg);
	if (stat(host, &st) < 0)
		return err_make(e, errno, "cannot add the device '%s'", host);
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		return err_make(e, ENODEV, "cannot add the device '%s': not a "
				"device node", host);
	if (!ctr && strncmp(host, "/dev/", 5))
		return cmd_usage_error(ctx, e, "invalid --device '%s': give the "
				       "path in the container (HOST:/dev/NAME)",
				       arg);
	a->devices = xrealloc(a->devices, (a->ndevices + 1) *
					      sizeof(*a->devices));
	d = &a->devices[a->ndevices++];
	memset(d, 0, sizeof(*d));
	d->path = xstrdup(ctr ? ctr : host);
	d->host = xstrdup(host);
	d->type = S_ISBLK(st.st_mode) ? 'b' : 'c';
	d->major = major(st.st_rdev);
	d->minor = minor(st.st_rdev);
	d->mode = st.st_mode & 07777;
	snprintf(d->access, sizeof(d->access), "%s", perm ? perm : "rwm");
	run_strv_add(&a->device_args, arg);
	return 0;
}

int run_cgroup_arg(struct husk_ctx *ctx, struct run_args *a, int opt,
		   const char *arg, struct err **e)
{
	if (opt == 'G') {	/* --cgroups */
		if (!strcmp(arg, "enabled"))
			a->rc.no_cgroup = false;
		else if (!strcmp(arg, "disabled"))
			a->rc.no_cgroup = true;
		else
			return cmd_usage_error(ctx, e, "invalid --cgroups '%s': "
					       "want enabled or disabled", arg);
		return 0;
	}
	if (opt == 'N') {	/* --cgroupns */
		if (!strcmp(arg, "private"))
			a->rc.cgroupns = true;
		else if (!strcmp(arg, "host"))
			a->rc.cgroupns = false;
		else
			return cmd_usage_error(ctx, e, "invalid --cgroupns '%s': "
					       "want private or host", arg);
		a->cgroupns = arg;
		return 0;
	}
	/* --cgroup-parent: a path, no "." or ".." in it */
	if (!*arg || strstr(arg, "/../") || !strncmp(arg, "../", 3) ||
	    !strcmp(arg, "..") || (strlen(arg) >= 3 &&
				   !strcmp(arg + strlen(arg) - 3, "/..")) ||
	    strstr(arg, "/./") || !strncmp(arg, "./", 2) || strstr(arg, "//"))
		return cmd_usage_error(ctx, e, "invalid --cgroup-parent '%s'",
				       arg);
	a->rc.cgroup_parent = arg;
	return 0;
}

/* -l K=V (K alone: an empty value, as docker) */
int run_label_arg(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		  struct err **e)
{
	const char *eq = strchr(arg, '=');

	if (!valid_key(arg, eq ? (size_t)(eq - arg) : strlen(arg)))
		return cmd_usage_error(ctx, e, "invalid label '%s'", arg);
	run_strv_add(&a->labels, arg);
	return 0;
}

/* --log-opt max-size=N[kmg] (max-file is accepted: one old file is kept) */
int run_log_opt(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		struct err **e)
{
	uint64_t v;

	if (!strncmp(arg, "max-size=", 9)) {
		if (parse_size(arg + 9, &v, NULL) < 0 || v < 1024 ||
		    v > INT64_MAX)
			return cmd_usage_error(ctx, e, "invalid --log-opt '%s': "
					       "max-size must be a size of at "
					       "least 1k", arg);
		a->log_max = (int64_t)v;
		return 0;
	}
	if (!strncmp(arg, "max-file=", 9) &&
	    parse_uint64(arg + 9, 1, 100, &v, NULL) == 0)
		return 0;
	return cmd_usage_error(ctx, e, "invalid --log-opt '%s': husk knows "
			       "max-size=N", arg);
}

int run_stop_signal(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		    struct err **e)
{
	if (cmd_parse_signal(arg) < 0)
		return cmd_usage_error(ctx, e, "invalid --stop-signal '%s'", arg);
	free(a->stop_signal);
	a->stop_signal = xstrdup(arg);
	return 0;
}

int run_stop_timeout(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		     struct err **e)
{
	return cmd_parse_seconds(ctx, "--stop-timeout", arg, &a->stop_timeout,
				 e);
}

/* ---- DNS and /etc/hosts (cmd/run_etc.c writes the files) ------------- */

/* An IPv4 or IPv6 address as inet_pton() reads it (no zone, no brackets:
 * docker's ValidateIPAddress) */
static bool ip_address(const char *s)
{
	unsigned char b[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

int run_dns_arg(struct husk_ctx *ctx, struct run_args *a, const char *arg,
		struct err **e)
{
	if (!ip_address(arg))
		return cmd_usage_error(ctx, e, "invalid --dns '%s': an IPv4 or "
				       "IPv6 address expected", arg);
	run_strv_add(&a->dns, arg);
	return 0;
}

static bool alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/*
 * Docker's ValidateDNSSearch: labels of letters, digits and '-' (neither
 * first nor last), at most 63 characters each and 253 in all, with an
 * optional final dot.
 */
static bool domain_name(const char *s)
{
	size_t len = strlen(s), label = 0;

	if (len && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? s[i] : '.';

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
		} else if (alnum(c) || (c == '-' && label > 0)) {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return true;
}

/* --dns-search DOMAIN; "." alone: no search line at all */
int run_dns_search_arg(struct husk_ctx *ctx, struct run_args *a,
		       const char *arg, struct err **e)
{
	if (strcmp(arg, ".") && !domain_name(arg))
		return cmd_usage_error(ctx, e, "invalid --dns-search '%s': a "
				       "domain name expected", arg);
	run_strv_add(&a->dns_search, arg);
	return 0;
}

/* Printable, no blanks: one word of a line in the container's files */
static bool one_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s == 0x7f)
			return false;
	return true;
}

/* --dns-option OPT: one word of resolv.conf's options line (ndots:2) */
int run_dns_option_arg(struct husk_ctx *ctx, struct run_args *a,
		       const char *arg, struct err **e)
{
	if (!one_word(arg))
		return cmd_usage_error(ctx, e, "invalid --dns-option '%s': one "
				       "option such as ndots:2 expected", arg);
	run_strv_add(&a->dns_opts, arg);
	return 0;
}

/*
 * --add-host NAME:IP, or NAME=IP (docker 25): split at the first '=', else
 * at the first ':' (so NAME:::1 works); the IP may be in brackets, or
 * host-gateway (the host as the container sees it, cmd/run_etc.c). Kept
 * as NAME:IP, the form of docker's HostConfig.ExtraHosts.
 */
int run_add_host_arg(struct husk_ctx *ctx, struct run_args *a,
		     const char *arg, struct err **e)
{
	const char *sep = strchr(arg, '=');
	_cleanup_free_ char *name = NULL, *ip = NULL, *kv = NULL;
	size_t len;

	if (!sep)
		sep = strchr(arg, ':');
	if (!sep || sep == arg)
		return cmd_usage_error(ctx, e, "invalid --add-host '%s': "
				       "NAME:IP expected", arg);
	name = xstrndup(arg, (size_t)(sep - arg));
	if (!one_word(name) || strchr(name, ':') || strchr(name, '#'))
		return cmd_usage_error(ctx, e, "invalid --add-host '%s': '%s' "
				       "is not a host name", arg, name);
	ip = xstrdup(sep + 1);
	len = strlen(ip);
	if (len > 2 && ip[0] == '[' && ip[len - 1] == ']') {
		memmove(ip, ip + 1, len - 2);
		ip[len - 2] = '\0';
	}
	if (strcmp(ip, "host-gateway") && !ip_address(ip))
		return cmd_usage_error(ctx, e, "invalid --add-host '%s': '%s' "
				       "is not an IP address (nor "
				       "host-gateway)", arg, ip);
	kv = xasprintf("%s:%s", name, ip);
	run_strv_add(&a->add_hosts, kv);
	return 0;
}

void run_args_release(struct run_args *a)
{
	strv_free(a->env);
	strv_free(a->cap_add);
	strv_free(a->cap_drop);
	strv_free(a->labels);
	free(a->stop_signal);
	run_mounts_release(a);
	cgroup_limits_release(&a->res.l);
	for (size_t i = 0; i < a->ndevices; i++) {
		free(a->devices[i].path);
		free(a->devices[i].host);
	}
	free(a->devices);
	strv_free(a->device_args);
	strv_free(a->dns);
	strv_free(a->dns_search);
	strv_free(a->dns_opts);
	strv_free(a->add_hosts);
	free(a->seccomp_file);
	free(a->hostname);
	free(a->dir);
	if (a->dirfd >= 0)
		(void) close(a->dirfd);
	free(a->rootfs);
	free(a->upper);
	free(a->work);
	free(a->hosts);
	free(a->hostname_file);
	free(a->resolv);
	free(a->init);
}
