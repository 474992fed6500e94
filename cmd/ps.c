/*
 * husk ps [-a] [-q] [--no-trunc] [--filter K=V]... [--format F]: docker's
 * container list, read from the records (ctr/ctr.h); a record whose
 * monitor died is repaired on the way (ctr_refresh()).
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	printf("Usage: husk ps [OPTIONS]\n"
	       "\n"
	       "List containers (running ones unless -a).\n"
	       "\n"
	       "  -a, --all             all containers, also stopped ones\n"
	       "  -q, --quiet           only their ids\n"
	       "      --no-trunc        full ids and commands\n"
	       "  -n, --last N          the N most recently created\n"
	       "  -l, --latest          the most recently created\n"
	       "  -f, --filter K=V      status=created|running|exited,\n"
	       "                        name=SUBSTRING, label=K or label=K=V,\n"
	       "                        id=PREFIX, ancestor=IMAGE, exited=CODE,\n"
	       "                        volume=NAME|SOURCE|DESTINATION,\n"
	       "                        publish=PORT[/PROTO] or expose=PORT\n"
	       "                        [/PROTO] (container ports; PORT may\n"
	       "                        be a range, 8000-8010)\n"
	       "                        (same keys: any; different keys: all)\n"
	       "      --format F        json, or a Go template ('table' first\n"
	       "                        for a header): .ID .Image .Command\n"
	       "                        .CreatedAt .RunningFor .Ports .State\n"
	       "                        .Status .Names .Labels .Mounts\n"
	       "      --help            show this help\n");
}

struct filter {
	char *key, *value;
};

struct ps_args {
	bool all, quiet, no_trunc;
	long last;
	const char *format;
	struct filter *filters;
	size_t nfilters;
};

static const char *const filter_keys[] = {
	"status", "name", "label", "id", "ancestor", "exited", "volume",
	"publish", "expose",
};

static int add_filter(struct husk_ctx *ctx, struct ps_args *a,
		      const char *arg, struct err **e)
{
	const char *eq = strchr(arg, '=');
	bool known = false;
	uint16_t lo, hi;
	char proto[8];

	if (!eq || eq == arg)
		return cmd_usage_error(ctx, e, "invalid filter '%s': KEY=VALUE "
				       "expected", arg);
	for (size_t i = 0; i < ARRAY_SIZE(filter_keys); i++)
		known |= strlen(filter_keys[i]) == (size_t)(eq - arg) &&
			 !strncmp(arg, filter_keys[i], (size_t)(eq - arg));
	if (!known)
		return cmd_usage_error(ctx, e, "invalid filter '%.*s'",
				       (int)(eq - arg), arg);
	if (!strncmp(arg, "status=", 7) && strcmp(eq + 1, "created") &&
	    strcmp(eq + 1, "running") && strcmp(eq + 1, "exited") &&
	    strcmp(eq + 1, "paused") && strcmp(eq + 1, "restarting") &&
	    strcmp(eq + 1, "removing") && strcmp(eq + 1, "dead"))
		return cmd_usage_error(ctx, e, "invalid filter 'status=%s': "
				       "created, running, exited, paused, "
				       "restarting, removing or dead expected",
				       eq + 1);
	if ((!strncmp(arg, "publish=", 8) || !strncmp(arg, "expose=", 7)) &&
	    cmd_parse_port(eq + 1, true, &lo, &hi, proto) < 0)
		return cmd_usage_error(ctx, e, "invalid filter '%s': "
				       "PORT[/PROTO] or FIRST-LAST[/PROTO] "
				       "expected", arg);
	a->filters = xrealloc(a->filters, (a->nfilters + 1) * sizeof(*a->filters));
	a->filters[a->nfilters].key = xstrndup(arg, (size_t)(eq - arg));
	a->filters[a->nfilters].value = xstrdup(eq + 1);
	a->nfilters++;
	return 0;
}

/* Whether a "80/tcp" key of OBJ is in the range of the filter value V;
 * PUBLISHED: only a key with bindings (a host port) */
static bool has_port(const cJSON *obj, const char *v, bool published)
{
	uint16_t lo, hi, p, unused;
	char proto[8], have[8];
	const cJSON *it;

	if (cmd_parse_port(v, true, &lo, &hi, proto) < 0)
		return false;
	cJSON_ArrayForEach(it, obj) {
		if (!it->string || (published && cJSON_GetArraySize(it) == 0) ||
		    cmd_parse_port(it->string, false, &p, &unused, have) < 0)
			continue;
		if (p >= lo && p <= hi && !strcmp(have, proto))
			return true;
	}
	return false;
}

/*
 * docker: publish= looks at HostConfig.PortBindings, expose= at
 * Config.ExposedPorts (where docker puts the published ports too). The
 * record's own ports count for both, so that -P's do.
 */
static bool match_port(const struct ctr *c, const struct filter *f)
{
	const cJSON *bindings = json_obj(c->host_config, "PortBindings");
	bool expose = !strcmp(f->key, "expose");

	return (expose && has_port(json_obj(c->config, "ExposedPorts"),
				   f->value, false)) ||
	       has_port(bindings, f->value, !expose) ||
	       has_port(c->ports, f->value, !expose);
}

static bool match_one(const struct ctr *c, const struct filter *f)
{
	const char *v = f->value;

	if (!strcmp(f->key, "status"))
		return !strcmp(ctr_state_word(c), v);
	if (!strcmp(f->key, "name"))
		return c->name && strstr(c->name, v);
	if (!strcmp(f->key, "id"))
		return !strncmp(c->id, v, strlen(v));
	if (!strcmp(f->key, "ancestor"))
		return (c->image && !strcmp(c->image, v)) ||
		       (c->image_id && (!strcmp(c->image_id, v) ||
					!strncmp(c->image_id + 7, v, strlen(v))));
	if (!strcmp(f->key, "publish") || !strcmp(f->key, "expose"))
		return match_port(c, f);
	if (!strcmp(f->key, "exited")) {
		uint64_t code;

		return c->status == CTR_EXITED &&
		       parse_uint64(v, 0, 255, &code, NULL) == 0 &&
		       (uint64_t)c->exit_code == code;
	}
	if (!strcmp(f->key, "volume")) {
		const cJSON *m;

		cJSON_ArrayForEach(m, c->mounts) {
			const char *n = json_str(m, "Name");
			const char *d = json_str(m, "Destination");

			/* docker: the name, else the source; or the target */
			if (!n || !*n)
				n = json_str(m, "Source");
			if ((n && !strcmp(n, v)) || (d && !strcmp(d, v)))
				return true;
		}
		return false;
	}
	/* label=K or label=K=V */
	{
		const char *eq = strchr(v, '=');
		_cleanup_free_ char *k = xstrndup(v, eq ? (size_t)(eq - v)
							: strlen(v));
		const char *have = json_str(c->labels, k);

		return have && (!eq || !strcmp(have, eq + 1));
	}
}

/* docker: the same key ORs, different keys AND */
static bool matches(const struct ps_args *a, const struct ctr *c)
{
	for (size_t i = 0; i < ARRAY_SIZE(filter_keys); i++) {
		bool seen = false, ok = false;

		for (size_t j = 0; j < a->nfilters; j++) {
			if (strcmp(a->filters[j].key, filter_keys[i]))
				continue;
			seen = true;
			ok |= match_one(c, &a->filters[j]);
		}
		if (seen && !ok)
			return false;
	}
	return true;
}

static bool has_status_filter(const struct ps_args *a)
{
	for (size_t j = 0; j < a->nfilters; j++)
		if (!strcmp(a->filters[j].key, "status") ||
		    !strcmp(a->filters[j].key, "exited"))
			return true;
	return false;
}

/* ---- rows ------------------------------------------------------------------- */

/* docker's Ellipsis: at most MAX characters, the last one an ellipsis */
static void ellipsis(const char *s, size_t len, size_t max, struct buf *out)
{
	size_t runes = 0, cut = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && ++runes == max)
			cut = i;
	if (runes > max) {
		buf_add(out, s, cut);
		buf_addstr(out, "\xe2\x80\xa6");
	} else {
		buf_add(out, s, len);
	}
}

static void command_text(const struct ctr *c, bool trunc, struct buf *out)
{
	_cleanup_buf_ struct buf cmd = BUF_INIT;

	for (char **p = c->command; p && *p; p++)
		buf_addf(&cmd, "%s%s", p == c->command ? "" : " ", *p);
	buf_addch(out, '"');
	ellipsis(cmd.s, cmd.len, trunc ? 20 : SIZE_MAX, out);
	buf_addch(out, '"');
}

/* docker's Mounts column: volume names, else sources; LocalVolumes */
static int mounts_text(const struct ctr *c, bool trunc, struct buf *out)
{
	const cJSON *m;
	int local = 0;

	cJSON_ArrayForEach(m, c->mounts) {
		const char *n = json_str(m, "Name");

		if (!n || !*n)
			n = json_str(m, "Source");
		if (!n)
			continue;
		if (out->len)
			buf_addch(out, ',');
		ellipsis(n, strlen(n), trunc ? 15 : SIZE_MAX, out);
		local += json_str(m, "Driver") &&
			 !strcmp(json_str(m, "Driver"), "local");
	}
	return local;
}

static void status_text(const struct ctr *c, char *out, size_t len)
{
	ctr_time now = ctr_now();
	char d[64];

	switch (c->status) {
	case CTR_RUNNING:
		cmd_human_duration((long)((now - c->started) / 1000000000), d,
				   sizeof(d));
		snprintf(out, len, "Up %s%s", d, c->paused ? " (Paused)" : "");
		return;
	case CTR_EXITED:
		cmd_human_duration((long)((now - c->finished) / 1000000000), d,
				   sizeof(d));
		snprintf(out, len, "Exited (%d) %s ago", c->exit_code, d);
		return;
	case CTR_CREATED:
		snprintf(out, len, "Created");
		return;
	case CTR_DEAD:
		snprintf(out, len, "Dead");
		return;
	}
}

static void labels_text(const struct ctr *c, struct buf *out)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, c->labels)
		if (cJSON_IsString(it))
			buf_addf(out, "%s%s=%s", out->len ? "," : "",
				 it->string, it->valuestring);
}

static cJSON *row(const struct ctr *c, bool trunc)
{
	_cleanup_buf_ struct buf cmd = BUF_INIT, labels = BUF_INIT,
				 mounts = BUF_INIT, ports = BUF_INIT;
	cJSON *o = cJSON_CreateObject();
	char local[16];
	time_t created = (time_t)(c->created / 1000000000);
	char at[96], ago[96], status[96], id[65];
	struct tm tm;

	command_text(c, trunc, &cmd);
	labels_text(c, &labels);
	snprintf(local, sizeof(local), "%d", mounts_text(c, trunc, &mounts));
	localtime_r(&created, &tm);
	strftime(at, sizeof(at), "%Y-%m-%d %H:%M:%S %z %Z", &tm);
	cmd_human_ago(created, ago, sizeof(ago));
	status_text(c, status, sizeof(status));
	cJSON_AddStringToObject(o, "Command", cmd.s);
	cJSON_AddStringToObject(o, "CreatedAt", at);
	snprintf(id, sizeof(id), "%.*s", trunc ? 12 : 64, c->id);
	cJSON_AddStringToObject(o, "ID", id);
	cJSON_AddStringToObject(o, "Image", c->image ? c->image : "");
	cJSON_AddStringToObject(o, "Labels", labels.s);
	cJSON_AddStringToObject(o, "LocalVolumes", local);
	cJSON_AddStringToObject(o, "Mounts", mounts.len ? mounts.s : "");
	cJSON_AddStringToObject(o, "Names", c->name ? c->name : "");
	cJSON_AddStringToObject(o, "Networks", "");
	cmd_ports_text(cmd_ctr_ports(c), &ports);
	cJSON_AddStringToObject(o, "Ports", ports.s);
	cJSON_AddStringToObject(o, "RunningFor", ago);
	cJSON_AddStringToObject(o, "Size", "0B");
	cJSON_AddStringToObject(o, "State", ctr_state_word(c));
	cJSON_AddStringToObject(o, "Status", status);
	return o;
}

static cJSON *titles(void)
{
	static const char *const t[][2] = {
		{ "Command", "COMMAND" },	{ "CreatedAt", "CREATED AT" },
		{ "ID", "CONTAINER ID" },	{ "Image", "IMAGE" },
		{ "Labels", "LABELS" },		{ "LocalVolumes", "LOCAL VOLUMES" },
		{ "Mounts", "MOUNTS" },		{ "Names", "NAMES" },
		{ "Networks", "NETWORKS" },	{ "Ports", "PORTS" },
		{ "RunningFor", "CREATED" },	{ "Size", "SIZE" },
		{ "State", "STATE" },		{ "Status", "STATUS" },
	};
	cJSON *o = cJSON_CreateObject();

	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		cJSON_AddStringToObject(o, t[i][0], t[i][1]);
	return o;
}

#define DEFAULT_TABLE "table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t" \
		      "{{.RunningFor}}\\t{{.Status}}\\t{{.Ports}}\\t{{.Names}}"

static int print(struct husk_ctx *ctx, const struct ps_args *a,
		 struct ctr *v, size_t n, struct err **e)
{
	_cleanup_cjson_ cJSON *rows = cJSON_CreateArray();
	_cleanup_cjson_ cJSON *head = titles();
	size_t shown = 0;

	for (size_t i = 0; i < n; i++) {
		if (!a->all && !has_status_filter(a) && a->last <= 0 &&
		    v[i].status != CTR_RUNNING)
			continue;
		if (!matches(a, &v[i]))
			continue;
		if (a->last > 0 && shown >= (size_t)a->last)
			break;
		shown++;
		if (a->quiet)
			printf("%.*s\n", a->no_trunc ? 64 : 12, v[i].id);
		else
			cJSON_AddItemToArray(rows, row(&v[i], !a->no_trunc));
	}
	if (a->quiet)
		return 0;
	/* "table" alone: the default columns */
	return cmd_format_rows(ctx, a->format && strcmp(a->format, "table") ?
				       a->format : DEFAULT_TABLE,
			       rows, head, e);
}

enum { OPT_NO_TRUNC = 1000, OPT_FORMAT, OPT_HELP };

static int parse(struct husk_ctx *ctx, int argc, char **argv,
		 struct ps_args *a, struct err **e)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
		{ "last", required_argument, NULL, 'n' },
		{ "latest", no_argument, NULL, 'l' },
		{ "filter", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "+:aqn:lf:", opts, NULL)) != -1) {
		switch (c) {
		case 'a': a->all = true; break;
		case 'q': a->quiet = true; break;
		case OPT_NO_TRUNC: a->no_trunc = true; break;
		case 'l': a->last = 1; break;
		case 'n':
			if (parse_uint64(optarg, 0, 1000000, &v, NULL) < 0)
				return cmd_usage_error(ctx, e, "invalid --last "
						       "'%s'", optarg);
			a->last = (long)v;
			break;
		case 'f':
			if (add_filter(ctx, a, optarg, e) < 0)
				return -1;
			break;
		case OPT_FORMAT: a->format = optarg; break;
		case OPT_HELP: usage(); return 1;
		default: return cmd_getopt_error(ctx, c, argv, e);
		}
	}
	if (optind < argc)
		return cmd_usage_error(ctx, e, "ps takes no arguments");
	return 0;
}

int cmd_ps(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	struct ps_args a = { 0 };
	struct store s = STORE_INIT;
	struct ctr *v = NULL;
	size_t n = 0;
	int rc = parse(ctx, argc, argv, &a, e);

	if (rc == 0)
		rc = store_open(&s, ctx->root, false, e);
	if (rc < 0 && (*e)->errnum == ENOENT && !ctx->usage) {
		err_freep(e);	/* no store yet: no containers */
		rc = print(ctx, &a, NULL, 0, e);
	} else if (rc == 0) {
		rc = ctr_list(&s, &v, &n, e);
	}
	for (size_t i = 0; rc == 0 && i < n; i++)
		(void) ctr_refresh(&s, &v[i], 0, NULL);
	if (rc == 0 && s.rootfd >= 0) {
		/* --rm containers whose monitor died are as good as gone:
		 * removed here as far as we can (rootless, files of
		 * subordinate ids wait for rm or prune) */
		size_t k = 0, dead = 0;

		for (size_t i = 0; i < n; i++) {
			if (v[i].auto_remove && v[i].status == CTR_EXITED) {
				ctr_release(&v[i]);
				dead++;
			} else {
				v[k++] = v[i];
			}
		}
		n = k;
		if (dead)
			ctr_gc(&s);
		rc = print(ctx, &a, v, n, e);
	}
	ctr_list_free(v, n);
	store_close(&s);
	for (size_t i = 0; i < a.nfilters; i++) {
		free(a.filters[i].key);
		free(a.filters[i].value);
	}
	free(a.filters);
	return rc < 0 ? rc : 0;
}
