/*
 * husk stats [-a] [--no-stream] [--no-trunc] [--format F] [CONTAINER...]:
 * CPU, memory, network, block I/O and tasks of running containers, read
 * from their cgroups and /proc, in docker's columns. CPU % is the CPU
 * time used between two readings a second apart, per wall second (100%
 * is one CPU busy).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "cmd/cmd.h"
#include "ctr/ctr.h"
#include "layers/store.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/parse.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

struct stats_args {
	bool all, no_stream, no_trunc;
	const char *format;
};

/* One reading of one container. */
struct sample {
	bool ok;		/* it runs and has a cgroup */
	struct cgroup_stats st;
	uint64_t net_rx, net_tx;
	int64_t when;		/* CLOCK_MONOTONIC, ns */
};

static void usage(void)
{
	printf("Usage: husk stats [OPTIONS] [CONTAINER...]\n"
	       "\n"
	       "Show the resource use of running containers (all running ones\n"
	       "when none is named), every second until interrupted.\n"
	       "\n"
	       "  -a, --all           every container, not only running ones\n"
	       "      --no-stream     print one reading and exit\n"
	       "      --no-trunc      full container ids\n"
	       "      --format F      json, a Go template, or 'table TEMPLATE';\n"
	       "                      fields: .Container .ID .Name .CPUPerc\n"
	       "                      .MemUsage .MemPerc .NetIO .BlockIO .PIDs\n"
	       "      --help          show this help\n");
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The container's network namespace, as its pid 1 sees it: every
 * interface but lo. */
static void read_net(pid_t pid, uint64_t *rx, uint64_t *tx)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	char path[64];
	char *line, *save = NULL;

	*rx = *tx = 0;
	snprintf(path, sizeof(path), "/proc/%d/net/dev", (int)pid);
	if (read_file(AT_FDCWD, path, &b, 1 << 20, NULL) < 0)
		return;
	for (line = strtok_r(b.s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':'), *f[10], *s2 = NULL;
		char *name = line;
		uint64_t r, t;
		int n = 0;

		if (!colon)
			continue;
		*colon = '\0';
		while (*name == ' ')
			name++;
		if (!strcmp(name, "lo"))
			continue;
		for (char *w = strtok_r(colon + 1, " ", &s2); w && n < 10;
		     w = strtok_r(NULL, " ", &s2))
			f[n++] = w;
		/* rx: bytes packets errs drop fifo frame compressed
		 * multicast; tx: bytes ... */
		if (n < 9 || parse_uint64(f[0], 0, UINT64_MAX, &r, NULL) < 0 ||
		    parse_uint64(f[8], 0, UINT64_MAX, &t, NULL) < 0)
			continue;
		*rx += r;
		*tx += t;
	}
}

static void take(const struct ctr *c, struct sample *s)
{
	struct cgroup cg;

	memset(s, 0, sizeof(*s));
	s->when = mono_ns();
	if (c->status != CTR_RUNNING || !c->cgroup ||
	    cgroup_from_json(c->cgroup, &cg) < 0)
		return;
	s->ok = cgroup_stats(&cg, &s->st, NULL) == 0;
	cgroup_release(&cg);
	read_net(c->pid, &s->net_rx, &s->net_tx);
}

/* docker's units.CustomSize: "%.4g" and powers of BASE */
static void custom_size(double v, double base, int prec,
			const char *const *units, char *out, size_t len)
{
	int i = 0;

	while (v >= base && units[i + 1]) {
		v /= base;
		i++;
	}
	snprintf(out, len, "%.*g%s", prec, v, units[i]);
}

static void bytes_binary(uint64_t n, char *out, size_t len)
{
	static const char *const u[] = { "B", "KiB", "MiB", "GiB", "TiB",
					 "PiB", NULL };

	custom_size((double)n, 1024.0, 4, u, out, len);
}

static void bytes_decimal(uint64_t n, char *out, size_t len)
{
	static const char *const u[] = { "B", "kB", "MB", "GB", "TB", "PB",
					 NULL };

	custom_size((double)n, 1000.0, 3, u, out, len);
}

static uint64_t host_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);

	return pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size : 0;
}

static cJSON *row(const char *arg, const struct ctr *c, const struct sample *a,
		  const struct sample *b, bool trunc)
{
	cJSON *o = cJSON_CreateObject();
	char id[65], cpu[32], mem[80], memp[32], net[80], blk[80], pids[32];
	char x[32], y[32];

	snprintf(id, sizeof(id), "%.*s", trunc ? 12 : 64, c->id);
	if (!b->ok) {
		/* docker: a stopped container reads as zeros, "--" for %s */
		snprintf(cpu, sizeof(cpu), "0.00%%");
		snprintf(mem, sizeof(mem), "0B / 0B");
		snprintf(memp, sizeof(memp), "0.00%%");
		snprintf(net, sizeof(net), "0B / 0B");
		snprintf(blk, sizeof(blk), "0B / 0B");
		snprintf(pids, sizeof(pids), "0");
	} else {
		uint64_t limit = b->st.mem_limit ? b->st.mem_limit
						 : host_memory();
		double wall = (double)(b->when - a->when);
		double used = a->ok && b->st.cpu_ns >= a->st.cpu_ns ?
				      (double)(b->st.cpu_ns - a->st.cpu_ns) : 0;

		snprintf(cpu, sizeof(cpu), "%.2f%%",
			 wall > 0 ? used / wall * 100.0 : 0.0);
		bytes_binary(b->st.mem_usage, x, sizeof(x));
		bytes_binary(limit, y, sizeof(y));
		snprintf(mem, sizeof(mem), "%s / %s", x, y);
		snprintf(memp, sizeof(memp), "%.2f%%", limit ?
			 (double)b->st.mem_usage / (double)limit * 100.0 : 0.0);
		bytes_decimal(b->net_rx, x, sizeof(x));
		bytes_decimal(b->net_tx, y, sizeof(y));
		snprintf(net, sizeof(net), "%s / %s", x, y);
		bytes_decimal(b->st.blk_read, x, sizeof(x));
		bytes_decimal(b->st.blk_write, y, sizeof(y));
		snprintf(blk, sizeof(blk), "%s / %s", x, y);
		snprintf(pids, sizeof(pids), "%llu",
			 (unsigned long long)b->st.pids);
	}
	cJSON_AddStringToObject(o, "BlockIO", blk);
	cJSON_AddStringToObject(o, "CPUPerc", cpu);
	cJSON_AddStringToObject(o, "Container", arg ? arg : id);
	cJSON_AddStringToObject(o, "ID", id);
	cJSON_AddStringToObject(o, "MemPerc", memp);
	cJSON_AddStringToObject(o, "MemUsage", mem);
	cJSON_AddStringToObject(o, "Name", c->name ? c->name : "");
	cJSON_AddStringToObject(o, "NetIO", net);
	cJSON_AddStringToObject(o, "PIDs", pids);
	return o;
}

static cJSON *titles(void)
{
	static const char *const t[][2] = {
		{ "BlockIO", "BLOCK I/O" },	 { "CPUPerc", "CPU %" },
		{ "Container", "CONTAINER" },	 { "ID", "CONTAINER ID" },
		{ "MemPerc", "MEM %" },		 { "MemUsage", "MEM USAGE / LIMIT" },
		{ "Name", "NAME" },		 { "NetIO", "NET I/O" },
		{ "PIDs", "PIDS" },
	};
	cJSON *o = cJSON_CreateObject();

	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		cJSON_AddStringToObject(o, t[i][0], t[i][1]);
	return o;
}

#define DEFAULT_TABLE "table {{.ID}}\\t{{.Name}}\\t{{.CPUPerc}}\\t" \
		      "{{.MemUsage}}\\t{{.MemPerc}}\\t{{.NetIO}}\\t" \
		      "{{.BlockIO}}\\t{{.PIDs}}"

/* The containers to show: those named (all must exist), else the
 * running ones (-a: every one). */
static int pick(struct husk_ctx *ctx, struct store *s, int argc, char **argv,
		const struct stats_args *a, struct ctr **out, char ***args,
		size_t *n, struct err **e)
{
	struct ctr *all = NULL;
	size_t nall = 0;

	*out = NULL;
	*args = NULL;
	*n = 0;
	if (optind < argc) {
		*out = xcalloc((size_t)(argc - optind), sizeof(**out));
		*args = xcalloc((size_t)(argc - optind), sizeof(char *));
		for (int i = optind; i < argc; i++) {
			ctr_init(&(*out)[*n]);
			if (ctr_find(s, argv[i], &(*out)[*n], e) < 0 ||
			    ctr_refresh(s, &(*out)[*n], 0, e) < 0) {
				ctr_list_free(*out, *n + 1);
				*out = NULL;
				free(TAKE_PTR(*args));
				*n = 0;
				return -1;
			}
			(*args)[(*n)++] = argv[i];
		}
		return 0;
	}
	if (ctr_list(s, &all, &nall, e) < 0)
		return -1;
	*out = xcalloc(nall + 1, sizeof(**out));
	*args = xcalloc(nall + 1, sizeof(char *));
	for (size_t i = 0; i < nall; i++) {
		if (!a->all && all[i].status != CTR_RUNNING)
			continue;
		(*out)[(*n)++] = all[i];
		ctr_init(&all[i]);
	}
	ctr_list_free(all, nall);
	return 0;
}

static volatile sig_atomic_t stop_now;

static void on_signal(int sig)
{
	(void) sig;
	stop_now = 1;
}

static int show(struct husk_ctx *ctx, const struct stats_args *a,
		struct ctr *v, char **args, size_t n, struct err **e)
{
	struct sample *prev = xcalloc(n + 1, sizeof(*prev));
	struct sample *cur = xcalloc(n + 1, sizeof(*cur));
	const char *format = a->format && strcmp(a->format, "table") ?
				     a->format : DEFAULT_TABLE;
	bool tty = isatty(STDOUT_FILENO);
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		take(&v[i], &prev[i]);
	(void) signal(SIGINT, on_signal);
	(void) signal(SIGTERM, on_signal);
	while (!stop_now) {
		_cleanup_cjson_ cJSON *rows = cJSON_CreateArray();
		_cleanup_cjson_ cJSON *head = titles();
		bool any = false;
		struct timespec second = { 1, 0 };

		nanosleep(&second, NULL);
		if (stop_now)
			break;
		for (size_t i = 0; i < n; i++) {
			take(&v[i], &cur[i]);
			any |= cur[i].ok;
			cJSON_AddItemToArray(rows, row(args[i], &v[i], &prev[i],
						       &cur[i], !a->no_trunc));
			prev[i] = cur[i];
		}
		if (!a->no_stream && tty)
			fputs("\033[2J\033[H", stdout);
		rc = cmd_format_rows(ctx, format, rows, head, e);
		fflush(stdout);
		if (rc < 0 || a->no_stream || (!any && !a->all))
			break;
	}
	free(prev);
	free(cur);
	return rc;
}

int cmd_stats(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	enum { OPT_NO_STREAM = 1000, OPT_NO_TRUNC, OPT_FORMAT, OPT_HELP };
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "no-stream", no_argument, NULL, OPT_NO_STREAM },
		{ "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct stats_args a = { 0 };
	struct store s = STORE_INIT;
	struct ctr *v = NULL;
	char **args = NULL;
	size_t n = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, "+:a", opts, NULL)) != -1) {
		switch (c) {
		case 'a': a.all = true; break;
		case OPT_NO_STREAM: a.no_stream = true; break;
		case OPT_NO_TRUNC: a.no_trunc = true; break;
		case OPT_FORMAT: a.format = optarg; break;
		case OPT_HELP: usage(); return 0;
		default: return cmd_getopt_error(ctx, c, argv, e);
		}
	}
	rc = cmd_open_store(ctx, &s, false, optind < argc ? argv[optind]
							  : NULL, e);
	if (rc == 0)
		rc = pick(ctx, &s, argc, argv, &a, &v, &args, &n, e);
	if (rc == 0)
		rc = show(ctx, &a, v, args, n, e);
	if (v)
		ctr_list_free(v, n);
	free(args);
	store_close(&s);
	return rc;
}
