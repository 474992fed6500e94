/*
 * husk inspect [-f TEMPLATE] [--type container|image|volume] NAME...:
 * containers (or images, or volumes) in docker's JSON shape; -f runs a Go template
 * (lib/template.h) over each instead, one line each.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/launch.h"
#include "ctr/ctr.h"
#include "layers/store.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "netns/netns.h"
#include "volume/volume.h"
#include "lib/template.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

static void usage(void)
{
	printf("Usage: husk inspect [OPTIONS] NAME...\n"
	       "\n"
	       "Show containers, images or volumes in detail, as a JSON array.\n"
	       "\n"
	       "  -f, --format TEMPLATE   a Go template run over each: {{.Id}},\n"
	       "                          {{.State.Status}}, {{json .Config}},\n"
	       "                          {{index .Config.Labels \"k\"}},\n"
	       "                          {{range .Mounts}}...{{end}}, {{if}},\n"
	       "                          {{len}}; an unknown field is an error\n"
	       "      --type TYPE         container, image or volume (default: a\n"
	       "                          container, else an image, else a\n"
	       "                          volume)\n"
	       "      --help              show this help\n");
}

static void add_time(cJSON *o, const char *key, ctr_time t)
{
	char s[64];

	ctr_time_format(t, s, sizeof(s));
	cJSON_AddStringToObject(o, key, s);
}

static cJSON *state_obj(const struct ctr *c)
{
	cJSON *o = cJSON_CreateObject();
	bool running = c->status == CTR_RUNNING;

	cJSON_AddStringToObject(o, "Status", ctr_state_word(c));
	cJSON_AddBoolToObject(o, "Running", running);
	cJSON_AddBoolToObject(o, "Paused", running && c->paused);
	cJSON_AddBoolToObject(o, "Restarting", false);
	cJSON_AddBoolToObject(o, "OOMKilled", c->oom_killed);
	cJSON_AddBoolToObject(o, "Dead", false);
	cJSON_AddNumberToObject(o, "Pid", running ? c->pid : 0);
	cJSON_AddNumberToObject(o, "ExitCode", c->exit_code);
	cJSON_AddStringToObject(o, "Error", c->error ? c->error : "");
	add_time(o, "StartedAt", c->started);
	add_time(o, "FinishedAt", c->finished);
	return o;
}

/* Mounts: docker's []MountPoint, so -f '{{.Mounts}}' prints Go structs */
static cJSON *mounts_obj(const struct ctr *c)
{
	cJSON *arr = c->mounts ? cJSON_Duplicate(c->mounts, true)
			       : cJSON_CreateArray();
	cJSON *m;

	cJSON_ArrayForEach(m, arr)
		tmpl_mark_struct(m);
	return arr;
}

/* Ports: a binding is docker's PortBinding struct ({127.0.0.1 8000}) */
static cJSON *ports_obj(const struct ctr *c)
{
	const cJSON *ports = cmd_ctr_ports(c);
	cJSON *o = ports ? cJSON_Duplicate(ports, true) : cJSON_CreateObject();
	cJSON *key, *b;

	cJSON_ArrayForEach(key, o)
		cJSON_ArrayForEach(b, key)
			tmpl_mark_struct(b);
	return o;
}

/* the container's address on the private network: slirp4netns's fixed one
 * (netns/netns.h has its gateway and DNS forwarder) */
#define PRIVATE_IP "10.0.2.100"
#define PRIVATE_PREFIX_LEN 24

/*
 * NetworkSettings. A running container on the private network has the
 * helper's fixed addresses (slirp4netns's, which husk gives pasta too);
 * one on none or host, or not running, has none (docker's empty values).
 */
static cJSON *network_obj(const struct ctr *c)
{
	const char *mode = json_str(c->host_config, "NetworkMode");
	bool private = c->status == CTR_RUNNING && mode &&
		       (!strcmp(mode, "private") || !strcmp(mode, "bridge") ||
			!strcmp(mode, "default") ||
			!strncmp(mode, "slirp4netns", 11) ||
			!strncmp(mode, "pasta", 5));
	cJSON *net = cJSON_CreateObject();

	cJSON_AddStringToObject(net, "Bridge", "");
	cJSON_AddStringToObject(net, "SandboxID", "");
	cJSON_AddItemToObject(net, "Ports", ports_obj(c));
	cJSON_AddStringToObject(net, "SandboxKey", "");
	cJSON_AddStringToObject(net, "IPAddress", private ? PRIVATE_IP : "");
	cJSON_AddNumberToObject(net, "IPPrefixLen",
				private ? PRIVATE_PREFIX_LEN : 0);
	cJSON_AddStringToObject(net, "Gateway",
				private ? NETNS_SLIRP_HOST : "");
	cJSON_AddStringToObject(net, "MacAddress", "");
	cJSON_AddObjectToObject(net, "Networks");
	return net;
}

/* KEY: the file bound on /etc/NAME (the other container's, with
 * --network container:X), else DIR/NAME */
static void add_path(cJSON *o, const char *key, const cJSON *spec,
		     const char *dir, const char *name)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", dir, name);
	_cleanup_free_ char *dest = xasprintf("/etc/%s", name);
	const cJSON *m;

	cJSON_ArrayForEach(m, json_arr(spec, "mounts")) {
		const char *src = json_str(m, "source");
		const char *d = json_str(m, "destination");

		if (src && d && !strcmp(d, dest)) {
			cJSON_AddStringToObject(o, key, src);
			return;
		}
	}
	cJSON_AddStringToObject(o, key, p);
}

static cJSON *container_obj(struct store *s, struct ctr *c)
{
	_cleanup_cjson_ cJSON *spec = NULL;
	cJSON *o = cJSON_CreateObject(), *rest, *gd;
	_cleanup_free_ char *name = xasprintf("/%s", c->name ? c->name : "");
	_cleanup_free_ char *dir = xasprintf("%s/containers/%s", s->root, c->id);
	const char *lower;
	cJSON *data;

	(void) cmd_ctr_spec(c, &spec, NULL);
	cJSON_AddStringToObject(o, "Id", c->id);
	add_time(o, "Created", c->created);
	cJSON_AddStringToObject(o, "Path", c->command && c->command[0] ?
				c->command[0] : "");
	rest = cJSON_AddArrayToObject(o, "Args");
	for (char **a = c->command && *c->command ? c->command + 1 : NULL;
	     a && *a; a++)
		cJSON_AddItemToArray(rest, cJSON_CreateString(*a));
	cJSON_AddItemToObject(o, "State", state_obj(c));
	cJSON_AddStringToObject(o, "Image", c->image_id ? c->image_id : "");
	add_path(o, "ResolvConfPath", spec, dir, "resolv.conf");
	add_path(o, "HostnamePath", spec, dir, "hostname");
	add_path(o, "HostsPath", spec, dir, "hosts");
	if (c->detached)
		add_path(o, "LogPath", NULL, dir, "ctr.log");
	else
		cJSON_AddStringToObject(o, "LogPath", "");
	cJSON_AddStringToObject(o, "Name", name);
	cJSON_AddNumberToObject(o, "RestartCount", c->restarts);
	cJSON_AddStringToObject(o, "Driver", "overlay");
	cJSON_AddStringToObject(o, "Platform", "linux");
	cJSON_AddItemToObject(o, "HostConfig", c->host_config ?
			      cJSON_Duplicate(c->host_config, true) :
			      cJSON_CreateObject());
	gd = cJSON_AddObjectToObject(o, "GraphDriver");
	cJSON_AddStringToObject(gd, "Name", "overlay");
	data = cJSON_AddObjectToObject(gd, "Data");
	lower = json_str(json_obj(spec, "annotations"), "io.husk.overlay.lower");
	cJSON_AddStringToObject(data, "LowerDir", lower ? lower : "");
	add_path(data, "MergedDir", NULL, dir, "rootfs");
	add_path(data, "UpperDir", NULL, dir, "upper");
	add_path(data, "WorkDir", NULL, dir, "work");
	cJSON_AddItemToObject(o, "Mounts", mounts_obj(c));
	cJSON_AddItemToObject(o, "Config", c->config ?
			      cJSON_Duplicate(c->config, true) :
			      cJSON_CreateObject());
	cJSON_AddItemToObject(o, "NetworkSettings", network_obj(c));
	return o;
}

int cmd_inspect_print(struct husk_ctx *ctx, const cJSON *arr,
		      const char *format, struct err **e)
{
	_cleanup_buf_ struct buf out = BUF_INIT;
	struct tmpl *t = NULL;
	const cJSON *it;
	int rc = 0;

	if (!format) {
		_cleanup_free_ char *text = cJSON_Print(arr);

		puts(text);
		return 0;
	}
	/* as docker: the template as given (no "table", no \t escapes) */
	if (tmpl_parse(format, &t, e) < 0) {
		ctx->usage = true;
		return err_wrap(e, "invalid format '%s'", format);
	}
	cJSON_ArrayForEach(it, arr) {
		rc = tmpl_exec(t, it, &out, e);
		if (rc < 0)
			break;
		buf_addch(&out, '\n');
	}
	tmpl_free(t);
	if (rc < 0)
		return err_wrap(e, "invalid format '%s'", format);
	fwrite(out.s, 1, out.len, stdout);
	return 0;
}

enum { OPT_TYPE = 1000, OPT_HELP, OPT_SIZE };

int cmd_inspect(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "type", required_argument, NULL, OPT_TYPE },
		{ "size", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_cjson_ cJSON *arr = cJSON_CreateArray();
	const char *format = NULL, *type = NULL;
	struct store s = STORE_INIT;
	bool have_store;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "+:f:s", opts, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 's': break;
		case OPT_TYPE:
			if (strcmp(optarg, "container") && strcmp(optarg, "image") &&
			    strcmp(optarg, "volume"))
				return cmd_usage_error(ctx, e, "invalid --type "
						       "'%s': container, image "
						       "or volume expected",
						       optarg);
			type = optarg;
			break;
		case OPT_HELP: usage(); return 0;
		default: return cmd_getopt_error(ctx, c, argv, e);
		}
	}
	if (optind >= argc)
		return cmd_usage_error(ctx, e, "inspect needs a name");
	have_store = store_open(&s, ctx->root, false, NULL) >= 0;
	for (int i = optind; i < argc; i++) {
		_cleanup_err_ struct err *one = NULL;
		struct ctr ct;
		int r = -1;

		ctr_init(&ct);
		if (have_store && (!type || !strcmp(type, "container")) &&
		    ctr_find(&s, argv[i], &ct, &one) >= 0) {
			(void) ctr_refresh(&s, &ct, 0, NULL);
			cJSON_AddItemToArray(arr, container_obj(&s, &ct));
			r = 0;
		}
		ctr_release(&ct);
		err_freep(&one);
		if (r < 0 && have_store && (!type || !strcmp(type, "image")))
			r = cmd_image_json(&s, argv[i], arr, &one);
		if (r < 0 && have_store && (!type || !strcmp(type, "volume")) &&
		    volume_name_valid(argv[i])) {
			struct volume v;

			err_freep(&one);
			r = volume_get(&s, argv[i], &v, &one);
			if (r >= 0)
				cJSON_AddItemToArray(arr, volume_json(&v));
			volume_release(&v);
		}
		if (r < 0) {
			if (!one || one->errnum == ENOENT || !one->errnum) {
				err_freep(&one);
				err_cause(&one, ENOENT, "no such %s '%s'",
					  type ? type : "object", argv[i]);
			}
			if (!*e)
				*e = TAKE_PTR(one);
			else
				fprintf(stderr, "husk: %s\n", one->msg);
			rc = -1;
		}
	}
	/* docker prints what it found, then fails for the rest */
	if (cJSON_GetArraySize(arr) > 0 || rc == 0) {
		_cleanup_err_ struct err *pe = NULL;

		if (cmd_inspect_print(ctx, arr, format, &pe) < 0) {
			err_freep(e);
			*e = TAKE_PTR(pe);
			rc = -1;
		}
	}
	store_close(&s);
	return rc;
}

int cmd_inspect_type(struct husk_ctx *ctx, int argc, char **argv,
		     const char *type, struct err **e)
{
	_cleanup_free_ char *opt = xasprintf("--type=%s", type);
	char **v = xcalloc((size_t)argc + 2, sizeof(char *));
	int rc;

	v[0] = argv[0];
	v[1] = opt;
	for (int i = 1; i < argc; i++)
		v[i + 1] = argv[i];
	optind = 0;
	rc = cmd_inspect(ctx, argc + 1, v, e);
	free(v);
	return rc;
}
