/*
 * test-json.c - parsing, typed getters on hostile input, atomic files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/json.h"
#include "test/unit/tap.h"
#include "lib/banned.h"

static int parse(const char *s, cJSON **out, struct err **e)
{
	return json_parse(s, strlen(s), out, e);
}

static void test_parse(void)
{
	_cleanup_cjson_ cJSON *j = NULL;
	_cleanup_err_ struct err *e = NULL;
	cJSON *k = NULL;

	ok(parse("{\"a\": 1}\n", &j, NULL) == 0 && j, "object parses");
	ok(json_parse("[1] garbage", 3, &k, NULL) == 0,
	   "only len bytes are parsed");
	cJSON_Delete(k);
	k = NULL;
	ok(parse("{\"a\": }", &k, &e) < 0 && !k, "bad JSON refused");
	is_str(e ? e->msg : NULL, "invalid JSON at offset 6",
	       "error gives the offset");
	err_freep(&e);
	ok(parse("{} x", &k, &e) < 0, "trailing garbage refused");
	is_str(e ? e->msg : NULL, "invalid JSON at offset 3",
	       "trailing garbage offset");
	err_freep(&e);
	ok(json_parse("{}\0", 3, &k, &e) < 0, "trailing NUL refused");
	err_freep(&e);
	ok(parse("", &k, &e) < 0 && e && e->errnum == EINVAL,
	   "empty input refused with EINVAL");
}

static void test_getters(void)
{
	_cleanup_cjson_ cJSON *j = NULL;
	static const char doc[] =
	    "{\"s\": \"x\", \"n\": 42, \"neg\": -7, \"f\": 1.5,"
	    " \"big\": 1e300, \"o\": {\"k\": \"v\"}, \"a\": [1, 2],"
	    " \"nul\": null, \"t\": true, \"S\": \"upper\"}";
	cJSON *arr = NULL;
	int64_t v = 99;

	if (!ok(parse(doc, &j, NULL) == 0, "getter document parses"))
		return;
	is_str(json_str(j, "s"), "x", "json_str on a string");
	ok(!json_str(j, "n"), "json_str on a number is NULL");
	ok(!json_str(j, "missing"), "json_str on a missing key is NULL");
	ok(!json_str(j, "nul"), "json_str on null is NULL");
	is_str(json_str(j, "S"), "upper", "keys are case-sensitive");
	ok(!json_str(NULL, "s"), "json_str on NULL is NULL");
	ok(json_int64(j, "n", &v) == 0 && v == 42, "json_int64 on 42");
	ok(json_int64(j, "neg", &v) == 0 && v == -7, "json_int64 on -7");
	v = 99;
	ok(json_int64(j, "f", &v) < 0 && v == 99, "json_int64 on 1.5 fails");
	ok(json_int64(j, "big", &v) < 0, "json_int64 on 1e300 fails");
	ok(json_int64(j, "s", &v) < 0, "json_int64 on a string fails");
	ok(json_int64(j, "t", &v) < 0, "json_int64 on true fails");
	ok(json_int64(j, "missing", &v) < 0, "json_int64 on missing fails");
	ok(json_obj(j, "o") && !json_obj(j, "a") && !json_obj(j, "s"),
	   "json_obj checks the type");
	arr = json_arr(j, "a");
	ok(arr && cJSON_GetArraySize(arr) == 2 && !json_arr(j, "o"),
	   "json_arr checks the type");
	ok(!json_str(arr, "0") && !json_obj(arr, "x"),
	   "getters on an array (not an object) return NULL");
	is_str(json_str(json_obj(j, "o"), "k"), "v", "getters chain");
	ok(!json_str(json_obj(j, "missing"), "k"), "chains through NULL");
}

static void test_files(const char *dir)
{
	_cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_cjson_ cJSON *j = cJSON_CreateObject();
	_cleanup_cjson_ cJSON *back = NULL;
	_cleanup_err_ struct err *e = NULL;
	struct stat st;
	int64_t v = 0;

	cJSON_AddStringToObject(j, "id", "abc");
	cJSON_AddNumberToObject(j, "pid", 1234);
	ok(json_write_file(dfd, "state.json", j, 0600, &e) == 0,
	   "json_write_file");
	ok(fstatat(dfd, "state.json.tmp", &st, AT_SYMLINK_NOFOLLOW) < 0 &&
	       errno == ENOENT,
	   "no .tmp left behind");
	ok(json_read_file(dfd, "state.json", 4096, &back, &e) == 0,
	   "json_read_file");
	is_str(json_str(back, "id"), "abc", "string round-trips");
	ok(json_int64(back, "pid", &v) == 0 && v == 1234, "number round-trips");
	ok(json_read_file(dfd, "missing.json", 4096, &back, &e) < 0 && e &&
	       e->errnum == ENOENT,
	   "json_read_file keeps ENOENT");
	err_freep(&e);
	ok(json_read_file(dfd, "state.json", 4, &back, &e) < 0 && e &&
	       e->errnum == EFBIG,
	   "json_read_file honours max");
	err_freep(&e);
	atomic_write_file(dfd, "bad.json", "{\"a\":", 5, 0600, NULL);
	ok(json_read_file(dfd, "bad.json", 4096, &back, &e) < 0, "bad file");
	is_str(e ? e->msg : NULL,
	       "cannot read 'bad.json': invalid JSON at "
	       "offset 4",
	       "bad file error names it");
}

int main(void)
{
	char tmpl[] = "/tmp/husk-test-json.XXXXXX";

	test_parse();
	test_getters();
	if (!mkdtemp(tmpl))
		tap_skip_all("mkdtemp failed");
	test_files(tmpl);
	rm_rf_at(AT_FDCWD, tmpl, NULL);
	return tap_done();
}
