/*
 * volume/: names, the local driver's options, and the store's life cycle
 * (create, find, list, in-use checks, removal, leftovers of crashes) in
 * a store of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctr/ctr.h"
#include "layers/image.h"
#include "layers/store.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "test/unit/tap.h"
#include "volume/volume.h"

static void test_names(void)
{
	static const char *const good[] = {
		"ab", "data", "my-vol", "my_vol.2", "0x", "A1",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	};
	static const char *const bad[] = {
		"", "a", "-ab", ".ab", "_ab", "a/b", "..", "../x", "a b", "a:b",
		"a\tb", "vol\xc3\xa9", "/abs",
	};
	char longest[130];

	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		ok(volume_name_valid(good[i]), "name '%s' is valid", good[i]);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ok(!volume_name_valid(bad[i]), "name '%s' is refused", bad[i]);
	memset(longest, 'a', sizeof(longest) - 1);
	longest[128] = '\0';
	ok(volume_name_valid(longest), "128 characters are allowed");
	longest[128] = 'a';
	longest[129] = '\0';
	ok(!volume_name_valid(longest), "129 are not");
}

/* OPTS as JSON: accepted, or refused with a message containing WANT. */
static void check_opts(const char *json, const char *want)
{
	cJSON *o = cJSON_Parse(json);
	struct err *e = NULL;
	int rc = volume_check_options(o, &e);

	if (!want)
		ok(rc == 0, "options %s accepted%s%s", json, e ? ": " : "",
		   e ? e->msg : "");
	else
		ok(rc < 0 && e && e->errnum == EINVAL && strstr(e->msg, want),
		   "options %s refused: %s", json, e ? e->msg : "(accepted)");
	err_free(e);
	cJSON_Delete(o);
}

static void test_options(void)
{
	check_opts("{}", NULL);
	check_opts("{\"type\":\"tmpfs\"}", NULL);
	check_opts("{\"type\":\"tmpfs\",\"device\":\"tmpfs\",\"o\":\"size=1m\"}",
		   NULL);
	check_opts("{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/srv\"}", NULL);
	check_opts("{\"type\":\"nfs\",\"device\":\":/x\"}", "'nfs'");
	check_opts("{\"foo\":\"bar\"}", "unknown option 'foo'");
	check_opts("{\"type\":7}", "not a string");
	check_opts("{\"o\":\"size=1m\"}", "missing option 'type'");
	check_opts("{\"type\":\"none\",\"device\":\"/srv\"}", "o=bind");
	check_opts("{\"type\":\"none\",\"o\":\"bind\",\"device\":\"rel\"}",
		   "absolute");
	check_opts("{\"type\":\"none\",\"o\":\"bind,size=1\",\"device\":\"/x\"}",
		   "'o=size=1'");
	check_opts("{\"type\":\"tmpfs\",\"o\":\"bind\"}", "o=bind needs");
	check_opts("{\"type\":\"tmpfs\",\"device\":\"/dev/sda\"}",
		   "device=tmpfs");
}

static int count_entries(const char *dir, const char *prefix)
{
	char cmd[512];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | grep -c '^%s' || true", dir,
		 prefix);
	p = popen(cmd, "r");
	if (p && fscanf(p, "%d", &n) != 1)
		n = -1;
	if (p)
		pclose(p);
	return n;
}

static void test_store(const char *tmp)
{
	_cleanup_free_ char *root = xasprintf("%s/store", tmp);
	_cleanup_free_ char *vols = xasprintf("%s/store/volumes", tmp);
	_cleanup_free_ char *path = NULL;
	struct store s = STORE_INIT;
	struct volume v, w, *list = NULL;
	struct err *e = NULL;
	cJSON *labels = cJSON_Parse("{\"team\":\"web\"}");
	cJSON *opts = cJSON_Parse("{\"type\":\"tmpfs\",\"o\":\"size=1m\"}");
	cJSON *mounts;
	bool created;
	size_t n = 0;
	char **users;

	if (store_open(&s, root, true, &e) < 0) {
		ok(false, "store_open: %s", e->msg);
		err_free(e);
		return;
	}
	ok(volume_create(&s, "data", labels, NULL, false, &v, &created, &e) == 0 &&
	   created, "create 'data'");
	is_str(v.name, "data", "its name");
	path = xasprintf("%s/data/_data", vols);
	is_str(v.mountpoint, path, "its mountpoint");
	is_str(json_str(v.labels, "team"), "web", "its label");
	ok(!v.anonymous && !v.type, "named, a plain directory");
	volume_release(&v);
	ok(access(path, F_OK) == 0, "_data exists");

	ok(volume_create(&s, "data", NULL, NULL, false, &v, &created, &e) == 0 &&
	   !created, "creating it again returns it");
	is_str(json_str(v.labels, "team"), "web", "with its own labels");
	volume_release(&v);

	ok(volume_create(&s, NULL, NULL, opts, true, &w, &created, &e) == 0 &&
	   created, "an anonymous tmpfs volume");
	ok(strlen(w.name) == 64 && strspn(w.name, "0123456789abcdef") == 64,
	   "named with 64 hex digits: %s", w.name);
	ok(w.anonymous, "marked anonymous");
	is_str(w.type, "tmpfs", "its type");
	is_str(w.mount_opts, "size=1m", "its mount options");

	ok(volume_create(&s, "a/b", NULL, NULL, false, &v, &created, &e) < 0 &&
	   e->errnum == EINVAL && strstr(e->msg, "'a/b'"),
	   "a bad name is refused: %s", e ? e->msg : "");
	err_freep(&e);
	ok(volume_get(&s, "nosuch", &v, &e) < 0 && e->errnum == ENOENT &&
	   !strcmp(e->msg, "no such volume 'nosuch'"), "a missing one: %s",
	   e ? e->msg : "");
	err_freep(&e);

	ok(volume_list(&s, &list, &n, &e) == 0 && n == 2, "two listed");
	if (n == 2)
		ok(!strcmp(list[0].name, w.name) || !strcmp(list[1].name, w.name),
		   "the anonymous one among them");
	volume_list_free(list, n);

	/* a damaged volume.json: not listed, and `get` says so */
	{
		_cleanup_free_ char *meta = xasprintf("%s/data/volume.json", vols);
		FILE *f = fopen(meta, "w");

		fputs("{not json", f);
		fclose(f);
	}
	ok(volume_get(&s, "data", &v, &e) < 0 && e, "a damaged volume.json "
	   "is an error: %s", e ? e->msg : "");
	err_freep(&e);
	ok(volume_list(&s, &list, &n, &e) == 0 && n == 1, "and not listed");
	volume_list_free(list, n);

	/* users: none without container records */
	users = volume_users(&s, w.name);
	ok(!users, "no container uses it");
	strv_free(users);

	/* leftovers of a crash: a .rm- and a .new- nobody holds, and one held */
	{
		_cleanup_free_ char *a = xasprintf("%s/.rm-x.1/_data/f", vols);
		_cleanup_free_ char *b = xasprintf("%s/.new-y.2/_data", vols);
		_cleanup_free_ char *c = xasprintf("%s/.rm-z.3", vols);
		int held;

		ok(mkdir_p(a, 0755, NULL) == 0 && mkdir_p(b, 0755, NULL) == 0 &&
		   mkdir_p(c, 0755, NULL) == 0, "leftovers made");
		held = open(c, O_RDONLY | O_DIRECTORY);
		ok(held >= 0 && flock(held, LOCK_EX) == 0, "one of them held");
		ok(volume_list(&s, &list, &n, &e) == 0 && n == 1,
		   "leftovers are not listed");
		volume_list_free(list, n);
		volume_gc(&s);
		is_int(count_entries(vols, ".rm-x"), 0, ".rm- removed by gc");
		is_int(count_entries(vols, ".new-"), 0, ".new- removed by gc");
		is_int(count_entries(vols, ".rm-z"), 1, "the held one is kept");
		close(held);
		volume_gc(&s);
		is_int(count_entries(vols, ".rm-z"), 0, "and removed once free");
	}

	/* removal of anonymous volumes named in a container's mounts */
	mounts = cJSON_CreateArray();
	{
		cJSON *m = cJSON_CreateObject();

		cJSON_AddStringToObject(m, "Type", "volume");
		cJSON_AddStringToObject(m, "Name", w.name);
		cJSON_AddItemToArray(mounts, m);
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "Type", "volume");
		cJSON_AddStringToObject(m, "Name", "kept");
		cJSON_AddItemToArray(mounts, m);
	}
	ok(volume_create(&s, "kept", NULL, NULL, false, &v, &created, &e) == 0,
	   "a named one");
	volume_release(&v);
	volume_remove_anonymous(&s, mounts);
	ok(volume_get(&s, w.name, &v, NULL) < 0, "the anonymous one is gone");
	ok(volume_get(&s, "kept", &v, NULL) == 0, "the named one is kept");
	volume_release(&v);
	cJSON_Delete(mounts);

	ok(volume_remove(&s, "kept", &e) == 0, "volume_remove");
	ok(volume_get(&s, "kept", &v, NULL) < 0, "gone");
	ok(volume_remove(&s, "kept", &e) < 0 && e->errnum == ENOENT,
	   "twice: no such volume");
	err_freep(&e);
	is_int(count_entries(vols, ".rm-"), 0, "no .rm- left behind");

	volume_release(&w);
	cJSON_Delete(labels);
	cJSON_Delete(opts);
	store_close(&s);
	(void) rm_rf_at(AT_FDCWD, root, NULL);
}

static void test_json(void)
{
	struct volume v = { 0 };
	cJSON *o;

	v.name = xstrdup("data");
	v.mountpoint = xstrdup("/r/volumes/data/_data");
	v.created = 1700000000LL * 1000000000LL;
	v.labels = cJSON_Parse("{\"a\":\"b\"}");
	v.options = cJSON_CreateObject();
	setenv("TZ", "UTC", 1);
	o = volume_json(&v);
	is_str(json_str(o, "CreatedAt"), "2023-11-14T22:13:20Z",
	       "CreatedAt in UTC");
	is_str(json_str(o, "Driver"), "local", "Driver");
	is_str(json_str(o, "Mountpoint"), v.mountpoint, "Mountpoint");
	is_str(json_str(o, "Scope"), "local", "Scope");
	is_str(json_str(json_obj(o, "Labels"), "a"), "b", "Labels");
	cJSON_Delete(o);
	setenv("TZ", "Asia/Seoul", 1);
	tzset();
	o = volume_json(&v);
	if (access("/usr/share/zoneinfo/Asia/Seoul", F_OK) == 0)
		is_str(json_str(o, "CreatedAt"), "2023-11-15T07:13:20+09:00",
		       "CreatedAt in local time with its offset");
	else
		ok(json_str(o, "CreatedAt") != NULL, "CreatedAt (no tzdata)");
	cJSON_Delete(o);
	volume_release(&v);
}

int main(void)
{
	char tmp[] = "/tmp/test-volume.XXXXXX";

	if (!mkdtemp(tmp))
		tap_skip_all("mkdtemp failed");
	test_names();
	test_options();
	test_store(tmp);
	test_json();
	rmdir(tmp);
	return tap_done();
}
