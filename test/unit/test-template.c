/*
 * test-template.c - lib/template.h: Go's text/template over cJSON.
 *
 * Where an expectation could be checked against Go itself it was: docker
 * 28.2.2 ran the same templates over the same data (as `docker context
 * inspect -f` over JSON-decoded metadata). The deliberate differences
 * (see template.h) are marked "docker: ...".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/template.h"
#include "lib/xalloc.h"
#include "test/unit/tap.h"
#include "lib/banned.h"

static const char doc_json[] =
    "{\"Id\": \"0123456789abcdef\", \"Name\": \"/web\","
    " \"Args\": [\"-c\", \"sleep 1d\"],"
    " \"State\": {\"Status\": \"running\", \"Running\": true,"
    "   \"Pid\": 1234, \"ExitCode\": 0, \"Health\": null},"
    " \"Config\": {\"Labels\": {\"com.example.x\": \"y\", \"a.b\": \"c\","
    "   \"empty\": \"\"}, \"Env\": [\"A=1\", \"B=2\"], \"Cmd\": [\"sh\"],"
    "   \"Entrypoint\": null, \"User\": \"\"},"
    " \"Mounts\": [{\"Type\": \"bind\", \"Source\": \"/src\","
    "   \"Destination\": \"/dst\", \"RW\": true},"
    "   {\"Type\": \"volume\", \"Source\": \"/v\","
    "   \"Destination\": \"/data\", \"RW\": false}],"
    " \"NetworkSettings\": {\"IPAddress\": \"10.88.0.2\", \"Ports\":"
    "   {\"80/tcp\": [{\"HostIp\": \"0.0.0.0\", \"HostPort\": \"8080\"}],"
    "   \"443/tcp\": null}},"
    " \"Labels\": {\"z\": \"last\", \"a\": \"first\", \"m\": \"mid\"},"
    " \"Size\": 1700000000, \"Ratio\": 0.25, \"Neg\": -1, \"Tiny\": 1e-7,"
    " \"Zero\": 0, \"Big\": 1e21, \"Float\": 1234567.5,"
    " \"Unicode\": \"h\u00e9llo w\u00f6rld\","
    " \"Quote\": \"a\\\"b\\\\c\\td\\u2028<&>\","
    " \"Nested\": {\"a\": [1, [2, [3, null]], {\"k\": \"v\"}]},"
    " \"Empty\": [], \"EmptyObj\": {}, \"Dup\": {\"k\": 1, \"k\": 2}}";

static cJSON *doc;

/* @src as a one-line test name: control characters escaped, long ones
 * cut. */
static const char *label(const char *src)
{
	static char name[128];
	size_t n = 0;

	for (; *src && n < sizeof(name) - 8; src++) {
		if ((unsigned char) *src < 0x20) {
			snprintf(name + n, sizeof(name) - n, "\\x%02x",
				 (unsigned char) *src);
			n += 4;
		} else {
			name[n++] = *src;
		}
	}
	if (*src)
		n += (size_t) snprintf(name + n, sizeof(name) - n, "...");
	name[n] = '\0';
	return name;
}

/* Runs @src over @data: the output, or NULL and *msg the error. */
static char *run(const char *src, const cJSON *data, char **msg)
{
	_cleanup_tmpl_ struct tmpl *t = NULL;
	_cleanup_err_ struct err *e = NULL;
	struct buf out = BUF_INIT;

	*msg = NULL;
	if (tmpl_parse(src, &t, &e) < 0 || tmpl_exec(t, data, &out, &e) < 0) {
		*msg = xstrdup(e && e->msg ? e->msg : "(no message)");
		if (e && e->errnum != EINVAL)
			tap_diag("errnum %d, not EINVAL", e->errnum);
		buf_release(&out);
		return NULL;
	}
	return buf_detach(&out, NULL);
}

/* @src over @data gives @want. */
static void is_out_on(const char *src, const cJSON *data, const char *want)
{
	_cleanup_free_ char *msg = NULL;
	_cleanup_free_ char *got = run(src, data, &msg);

	if (!got)
		tap_diag("error: %s", msg);
	is_str(got, want, label(src));
}

/* @src over the test document gives @want. */
static void is_out(const char *src, const char *want)
{
	is_out_on(src, doc, want);
}

/* @src over @data fails (parsing or running) with the message @want. */
static void is_err_on(const char *src, const cJSON *data, const char *want,
		      const char *name)
{
	_cleanup_free_ char *msg = NULL;
	_cleanup_free_ char *got = run(src, data, &msg);

	if (got)
		tap_diag("output: '%s'", got);
	is_str(msg, want, name);
}

/* @src over the test document fails with the message @want. */
static void is_err(const char *src, const char *want)
{
	is_err_on(src, doc, want, label(src));
}

/* @src is refused by tmpl_parse() itself, with @want. */
static void is_parse_err(const char *src, const char *want)
{
	_cleanup_tmpl_ struct tmpl *t = NULL;
	_cleanup_err_ struct err *e = NULL;
	int r = tmpl_parse(src, &t, &e);

	ok(r < 0 && !t && e && e->errnum == EINVAL, "parse error: %s",
	   label(src));
	is_str(e ? e->msg : NULL, want, "  its message");
}

static void test_text(void)
{
	is_out("", "");
	is_out("plain text, no actions", "plain text, no actions");
	is_out("a {{\"b\"}} c", "a b c");
	is_out("{ } }} {", "{ } }} {");
	is_out("{{/* a comment */}}x{{/* another\nline */}}", "x");
	is_out("a  {{- \"b\" -}}  c", "abc");
	is_out("a \n\t {{- /* trimmed */ -}} \n b", "ab");
	is_out("{{- \"a\"}} {{\"b\" -}} \n", "a b");
	is_out("{{-3}} {{- 3}}", "-33");
	is_out("{{ \"spaces inside\" }}", "spaces inside");
	is_out("{{\n\"newlines inside\"\n}}", "newlines inside");
	is_out("{{\"}}\"}}", "}}");
}

static void test_fields(void)
{
	is_out("{{.Name}}", "/web");
	is_out("{{.State.Status}}", "running");
	is_out("{{.NetworkSettings.IPAddress}}", "10.88.0.2");
	is_out("{{$.Name}}", "/web");
	is_out("{{$s := .State}}{{$s.Pid}}", "1234");
	is_out("{{with .State}}{{.Status}} {{$.Id}}{{end}}",
	       "running "
	       "0123456789abcdef");
	is_out("{{(index .Mounts 1).Destination}}", "/data");
	is_out("{{.Dup.k}}", "2");
	/* docker's inspect runs with missingkey=error: no <no value>. */
	is_err("{{.Foo}}", "template: can't evaluate field Foo: no such key");
	is_err("{{.State.Nope}}",
	       "template: can't evaluate field Nope: no such key");
	is_err("{{.Name.Foo}}",
	       "template: can't evaluate field Foo in type string");
	is_err("{{.Args.Foo}}",
	       "template: can't evaluate field Foo in type array");
	is_err("{{.State.Health.Status}}",
	       "template: can't evaluate field Status in type null");
	is_err("{{.Size.x}}",
	       "template: can't evaluate field x in type number");
	is_err("{{$x := index .Labels \"nope\"}}{{$x.y}}",
	       "template: can't evaluate field y in type no value");
	is_err("{{.name}}", "template: can't evaluate field name: no such key");
	is_parse_err("{{\"x\".Foo}}", "template: unexpected . after term "
				      "\"\"x\"\"");
	is_parse_err("{{..Foo}}", "template: unexpected . after term \".\"");
}

static void test_printing(void)
{
	is_out("{{.Size}} {{.Ratio}} {{.Neg}} {{.Zero}}",
	       "1700000000 0.25 -1 0");
	is_out("{{.Tiny}} {{.Big}} {{.Float}}", "1e-07 1e+21 1234567.5");
	is_out("{{.State.Running}} {{.Mounts}}",
	       "true [map[Destination:/dst RW:true Source:/src Type:bind] "
	       "map[Destination:/data RW:false Source:/v Type:volume]]");
	is_out("{{.Args}}", "[-c sleep 1d]");
	is_out("{{.Labels}}", "map[a:first m:mid z:last]");
	is_out("{{.Nested}}", "map[a:[1 [2 [3 <nil>]] map[k:v]]]");
	is_out("{{.Empty}} {{.EmptyObj}}", "[] map[]");
	is_out("{{.State.Health}}", "<nil>"); /* docker: <no value> */
	is_out("{{.Config.Entrypoint}}", "<nil>");
	is_out("{{index .Labels \"nope\"}}", "<no value>");
	is_out("{{$v := index .Labels \"nope\"}}{{$v}}", "<no value>");
	is_out("{{print (index .Labels \"nope\")}}", "<nil>");
	is_out("{{.Unicode}}", "h\u00e9llo w\u00f6rld");
	is_out("{{.Dup}}", "map[k:2]");
	is_out("{{1.5}} {{1e3}} {{0.1}} {{-0.5}} {{100000000000}}",
	       "1.5 1000 0.1 -0.5 100000000000");
	is_out("{{0.0001}} {{0.00001}} {{-0.00001}} {{2.5e21}}",
	       "0.0001 1e-05 -1e-05 2.5e+21");
	is_out("{{true}} {{false}}", "true false");
}

/*
 * Objects marked TMPL_STRUCT print as Go structs. Mounts holds two of
 * docker's MountPoint (Type, Name, Source, Destination, Driver, Mode, RW,
 * Propagation); Outer is a struct holding a struct (In), a map (M) and a
 * bool; Map is a map holding a struct (k). The expectations follow Go's
 * fmt rules for structs (printValue's reflect.Struct case, fmt_test.go's
 * `{1 2 a [1 2]}` and `{i:1 j:2 s:a x:[1 2]}`); a nil interface{} field
 * prints <nil> whatever the verb, as a null does inside a map.
 */
static const char struct_json[] =
    "{\"Mounts\": [{\"Type\": \"volume\", \"Name\": \"abc\","
    "   \"Source\": \"/x/_data\", \"Destination\": \"/data\","
    "   \"Driver\": \"local\", \"Mode\": \"\", \"RW\": true,"
    "   \"Propagation\": \"\"},"
    "  {\"Type\": \"bind\", \"Name\": \"\", \"Source\": \"/tmp\","
    "   \"Destination\": \"/t\", \"Driver\": \"\", \"Mode\": \"\","
    "   \"RW\": false, \"Propagation\": \"rprivate\"}],"
    " \"Outer\": {\"Z\": \"z\", \"In\": {\"N\": 3, \"Null\": null,"
    "   \"L\": [1, \"a\"]}, \"M\": {\"b\": 2, \"a\": 1}, \"A\": true},"
    " \"Map\": {\"k\": {\"B\": \"x\", \"A\": \"y\"}, \"j\": 1},"
    " \"Empty\": {}}";

static cJSON *struct_doc(void)
{
	cJSON *d = NULL, *m;

	if (json_parse(struct_json, strlen(struct_json), &d, NULL) < 0)
		return NULL;
	for (m = cJSON_GetObjectItem(d, "Mounts")->child; m; m = m->next)
		tmpl_mark_struct(m);
	m = cJSON_GetObjectItem(d, "Outer");
	tmpl_mark_struct(m);
	tmpl_mark_struct(cJSON_GetObjectItem(m, "In"));
	tmpl_mark_struct(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(d, "Map"), "k"));
	tmpl_mark_struct(cJSON_GetObjectItem(d, "Empty"));
	return d;
}

static void test_struct_printing(const cJSON *d)
{
	is_out_on("{{.Mounts}}", d,
		  "[{volume abc /x/_data /data local  true } "
		  "{bind  /tmp /t   false rprivate}]");
	is_out_on("{{.Outer}}", d, "{z {3 <nil> [1 a]} map[a:1 b:2] true}");
	is_out_on("{{.Map}}", d, "map[j:1 k:{x y}]");
	is_out_on("{{.Empty}}|{{printf \"%+v\" .Empty}}", d, "{}|{}");
	is_out_on("{{print .Map.k .Map.k 1}}|{{println .Map.k \"s\"}}", d,
		  "{x y} {x y} 1|{x y} s\n");
	is_out_on("{{printf \"%v\" (index .Mounts 0)}}", d,
		  "{volume abc /x/_data /data local  true }");
	is_out_on("{{printf \"%s\" (index .Mounts 0)}}", d,
		  "{volume abc /x/_data /data local  %!s(bool=true) }");
	is_out_on("{{printf \"%q\" (index .Mounts 1)}}", d,
		  "{\"bind\" \"\" \"/tmp\" \"/t\" \"\" \"\" %!q(bool=false) "
		  "\"rprivate\"}");
	is_out_on("{{printf \"%d\" .Outer.In}}", d,
		  "{3 <nil> [1 %!d(string=a)]}");
	is_out_on("{{printf \"%3v|%-3v|\" .Map.k .Map.k}}", d,
		  "{  x   y}|{x   y  }|");
	is_out_on("{{printf \"%+v\" (index .Mounts 1)}}", d,
		  "{Type:bind Name: Source:/tmp Destination:/t Driver: Mode: "
		  "RW:false Propagation:rprivate}");
	is_out_on("{{printf \"%+v\" .Outer}}", d,
		  "{Z:z In:{N:3 Null:<nil> L:[1 a]} M:map[a:1 b:2] A:true}");
	is_out_on("{{printf \"%+v\" .Map}}", d, "map[j:1 k:{B:x A:y}]");
	/* %+v names fields; it never signs numbers, marked or not. */
	is_out_on("{{printf \"%+v|% v|%+d\" 5 5 5}}", d, "5| 5|+5");
	is_out_on("{{printf \"%+v\" .Outer.M}}", d, "map[a:1 b:2]");
}

static void test_struct_as_object(const cJSON *d)
{
	is_out_on("{{(index .Mounts 0).Type}} {{.Outer.In.N}} "
		  "{{index .Map.k \"A\"}} {{len .Outer}}",
		  d, "volume 3 y 4");
	is_out_on("{{json (index .Mounts 1)}}", d,
		  "{\"Destination\":\"/t\",\"Driver\":\"\",\"Mode\":\"\","
		  "\"Name\":\"\",\"Propagation\":\"rprivate\",\"RW\":false,"
		  "\"Source\":\"/tmp\",\"Type\":\"bind\"}");
	is_out_on("{{json .Map}}", d,
		  "{\"j\":1,\"k\":{\"A\":\"y\",\"B\":\"x\"}}");
	is_out_on("{{range $k, $v := .Map.k}}{{$k}}={{$v}};{{end}}", d,
		  "A=y;B=x;");
	is_out_on("{{with .Outer.In}}{{.L}}{{end}}", d, "[1 a]");
	is_out_on("{{printf \"%T\" .Map.k}}", d, "map[string]interface {}");
}

static void test_struct(void)
{
	_cleanup_cjson_ cJSON *d = struct_doc();
	_cleanup_cjson_ cJSON *copy = NULL;
	_cleanup_cjson_ cJSON *built = NULL;
	cJSON *m;

	if (!ok(d != NULL, "struct document parses"))
		return;
	test_struct_printing(d);
	test_struct_as_object(d);

	ok(cJSON_IsObject(cJSON_GetObjectItem(d, "Outer")),
	   "cJSON_IsObject ignores the mark");
	copy = cJSON_Duplicate(d, true);
	is_out_on("{{.Mounts}} {{.Outer}}", copy,
		  "[{volume abc /x/_data /data local  true } "
		  "{bind  /tmp /t   false rprivate}] "
		  "{z {3 <nil> [1 a]} map[a:1 b:2] true}");
	tmpl_mark_struct(NULL);

	/* Built with cJSON's API, as inspect does: members in the order
	 * added. */
	built = cJSON_CreateArray();
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "Type", "tmpfs");
	cJSON_AddStringToObject(m, "Source", "");
	cJSON_AddBoolToObject(m, "RW", true);
	cJSON_AddNullToObject(m, "Opts");
	tmpl_mark_struct(m);
	cJSON_AddItemToArray(built, m);
	is_out_on("{{.}}", built, "[{tmpfs  true <nil>}]");
	is_out_on("{{range .}}{{.}}{{end}}", built, "{tmpfs  true <nil>}");
}

static void test_json(void)
{
	is_out("{{json .Config.Labels}}",
	       "{\"a.b\":\"c\",\"com.example.x\":\"y\",\"empty\":\"\"}");
	is_out("{{json .Args}}", "[\"-c\",\"sleep 1d\"]");
	is_out("{{json .State}}",
	       "{\"ExitCode\":0,\"Health\":null,"
	       "\"Pid\":1234,\"Running\":true,\"Status\":\"running\"}");
	is_out("{{json .Quote}}", "\"a\\\"b\\\\c\\td\\u2028<&>\"");
	is_out("{{json \"\\x01\\x7f\\b\\f\\n\\r\"}}",
	       "\"\\u0001\x7f\\b\\f\\n\\r\"");
	is_out("{{json \"\\xff\"}}", "\"\\ufffd\"");
	is_out("{{json .Tiny}} {{json .Big}} {{json .Ratio}} {{json .Size}}",
	       "1e-7 1e+21 0.25 1700000000");
	is_out("{{json 0.000001}} {{json 123456.25}}", "0.000001 123456.25");
	is_out("{{json 0.00000099}} {{json -0.0000015}} {{json -1.5e21}}",
	       "9.9e-7 -0.0000015 -1.5e+21");
	is_out("{{json nil}} {{json (index .Labels \"nope\")}}", "null null");
	is_out("{{json .Nested}}", "{\"a\":[1,[2,[3,null]],{\"k\":\"v\"}]}");
	is_out("{{json .Empty}}{{json .EmptyObj}}", "[]{}");
	is_out("{{json .Dup}}", "{\"k\":2}");
	is_out("{{json .Unicode}}", "\"h\u00e9llo w\u00f6rld\"");
	is_err("{{json}}", "template: wrong number of args for json: want 1 "
			   "got 0");
}

static void test_index(void)
{
	is_out("{{index .Config.Labels \"a.b\"}}", "c");
	is_out("{{index .Config.Labels \"com.example.x\"}}", "y");
	is_out("{{index .Args 1}}", "sleep 1d");
	is_out("{{index .Nested \"a\" 1 1 0}}", "3");
	is_out("{{index .NetworkSettings.Ports \"80/tcp\" 0 \"HostPort\"}}",
	       "8080");
	is_out("{{index .Args}}", "[-c sleep 1d]");
	is_out("{{index \"abc\" 1}}", "98");
	is_out("{{(index .Mounts 0).Source}}", "/src");
	is_err("{{index .Args 2}}",
	       "template: error calling index: index out of range: 2");
	is_err("{{index .Args -1}}",
	       "template: error calling index: index out of range: -1");
	is_err("{{index .Args 0.5}}",
	       "template: error calling index: cannot index array with "
	       "number");
	is_err("{{index .Args \"x\"}}",
	       "template: error calling index: cannot index array with "
	       "string");
	is_err("{{index .Labels 1}}",
	       "template: error calling index: cannot index an object with "
	       "number");
	is_err("{{index .Labels \"nope\" \"x\"}}",
	       "template: error calling index: index of untyped nil");
	is_err("{{index .State.Health 0}}",
	       "template: error calling index: index of untyped nil");
	is_err("{{index .Size 0}}",
	       "template: error calling index: can't index item of type "
	       "number");
	is_err("{{index \"abc\" 3}}",
	       "template: error calling index: index out of range: 3");
	is_err("{{index}}", "template: wrong number of args for index: want "
			    "at least 1 got 0");
}

static void test_len(void)
{
	is_out("{{len .Args}} {{len .Labels}} {{len .Name}} {{len .Empty}}",
	       "2 3 4 0");
	is_out("{{len .Unicode}} {{len .Dup}}", "13 1");
	is_out("{{len (split \"a,b,c\" \",\")}}", "3");
	is_err("{{len .Size}}", "template: error calling len: len of number");
	is_err("{{len .State.Health}}",
	       "template: error calling len: len of null");
	is_err("{{len true}}", "template: error calling len: len of bool");
	is_err("{{len}}", "template: wrong number of args for len: want 1 "
			  "got 0");
	is_err("{{len .Args .Args}}",
	       "template: wrong number of args for len: want 1 got 2");
}

static void test_strings(void)
{
	is_out("{{join .Args \" \"}}", "-c sleep 1d");
	is_out("{{join .Config.Env \",\"}}", "A=1,B=2");
	is_out("{{join .Empty \",\"}}|{{join .Config.Entrypoint \",\"}}", "|");
	is_out("{{join .Nested.a \"/\"}}", "1/[2 [3 <nil>]]/map[k:v]");
	is_out("{{split \"a,b,,c\" \",\"}} {{len (split \"\" \",\")}}",
	       "[a b  c] 1");
	is_out("{{split \"h\u00e9\" \"\"}} {{split \"abc\" \"abc\"}}",
	       "[h \u00e9] [ ]");
	is_out("{{join (split \"a:b:c\" \":\") \"-\"}}", "a-b-c");
	is_out(
	    "{{.Name | upper}} {{upper .Unicode}} {{lower \"\u00c0B\u0394\"}}",
	    "/WEB H\u00c9LLO W\u00d6RLD \u00e0b\u03b4");
	is_out("{{upper \"\u00ff \u00b5 stra\u00dfe \u0131\"}}",
	       "\u0178 \u039c STRA\u00dfE I");
	is_out(
	    "{{title \"hello wORLD don't foo-bar a_b x.y 1a \u00e9t\u00e9\"}}",
	    "Hello WORLD Don'T Foo-Bar A_b X.Y 1a \u00c9t\u00e9");
	is_out(
	    "{{truncate .Id 12}}|{{truncate \"abc\" 5}}|{{truncate \"abc\" 0}}",
	    "0123456789ab|abc|");
	is_out("{{truncate .Unicode 2}}", "h\u00e9"); /* docker cuts bytes */
	is_out("{{pad .Name 2 3}}|{{pad \"\" 2 2}}|{{pad \"x\" 0 0}}|",
	       "  /web   ||x|");
	is_err("{{join .Args}}",
	       "template: wrong number of args for join: want 2 got 1");
	is_err("{{join .Name \",\"}}",
	       "template: error calling join: expected an array, got string");
	is_err("{{join .Args 1}}",
	       "template: error calling join: expected a string, got number");
	is_err("{{upper 1}}",
	       "template: error calling upper: expected a string, got number");
	is_err("{{split .Args \",\"}}",
	       "template: error calling split: expected a string, got array");
	is_err("{{truncate \"abc\" -1}}",
	       "template: error calling truncate: -1 is out of range");
	is_err("{{truncate \"abc\" 1.5}}",
	       "template: error calling truncate: 1.5 is not an integer");
	is_err("{{truncate \"abc\" \"1\"}}",
	       "template: error calling truncate: expected an integer, got "
	       "string");
	is_err("{{pad \"x\" 1 2000000}}",
	       "template: error calling pad: 2000000 is out of range");
	is_err("{{pad \"x\" 1}}",
	       "template: wrong number of args for pad: want 3 got 2");
}

static void test_print_functions(void)
{
	is_out("{{print 1 2 \"a\" \"b\" 3 true nil}}", "1 2ab3 true <nil>");
	is_out("{{println 1 \"a\" .Args}}", "1 a [-c sleep 1d]\n");
	is_out("{{print}}|{{println}}", "|\n");
	is_out("{{printf \"%s=%d\" .Name .State.Pid}}", "/web=1234");
	is_out("{{printf \"%5s|%-5s|%.2s|%05d|%+d|%x|%X|%o|%b\" \"ab\" \"ab\""
	       " \"h\u00e9llo\" 42 42 255 255 8 5}}",
	       "   ab|ab   |h\u00e9|00042|+42|ff|FF|10|101");
	is_out("{{printf \"%q\" \"a\\tb\\\"\u00e9\u00a0\\x01\"}}",
	       "\"a\\tb\\\"\u00e9\\u00a0\\x01\"");
	is_out("{{printf \"%+q\" \"\u00e9\"}}", "\"\\u00e9\"");
	is_out("{{printf \"%v|%s|%q\" .Args .Args .Args}}",
	       "[-c sleep 1d]|[-c sleep 1d]|[\"-c\" \"sleep 1d\"]");
	is_out("{{printf \"%v\" .Labels}}", "map[a:first m:mid z:last]");
	is_out("{{printf \"%d\" .Labels}}",
	       "map[%!d(string=a):%!d(string=first) %!d(string=m):"
	       "%!d(string=mid) %!d(string=z):%!d(string=last)]");
	is_out("{{printf \"%d %s\"}}", "%!d(MISSING) %!s(MISSING)");
	is_out("{{printf \"%d\" 1 2 \"x\" nil}}",
	       "1%!(EXTRA int=2, string=x, <nil>)");
	is_out("{{printf \"%\"}}|{{printf \"%z\" 1}}|{{printf \"%!\" 1}}",
	       "%!(NOVERB)|%!z(int=1)|%!!(int=1)");
	is_out("{{printf \"%s|%v|%d\" nil nil nil}}",
	       "%!s(<nil>)|<nil>|%!d(<nil>)");
	is_out("{{printf \"%t %v %s\" true false true}}",
	       "true false %!s(bool=true)");
	is_out("{{printf \"%d\" 1.5}}", "%!d(float64=1.5)");
	is_out("{{printf \"%s %q %d\" .Size .Ratio .Size}}",
	       "1700000000 \"0.25\" 1700000000"); /* docker: json.Number */
	is_out("{{printf \"%g %g %g %e %f %.2f %5.1f|\" 1234567.0 100000.0 "
	       "0.00001 1.5 1.5 3.14159 2.25}}",
	       "1.234567e+06 100000 1e-05 1.500000e+00 1.500000 3.14   2.2|");
	is_out(
	    "{{printf \"%+.3d|% d|%08.3f|%-8q|%.1q\" 5 5 -3.14159 \"\u00e9\" "
	    "\"h\u00e9llo\"}}",
	    "+005| 5|-003.142|\"\u00e9\"     |\"h\"");
	is_out("{{printf \"%5v|%-5v|%05v|%5t|\" .Args true \"x\" false}}",
	       "[   -c sleep 1d]|true |0000x|false|");
	is_out("{{printf \"%x|% x|%#x|%c|%U|%%|%5%\" \"h\u00e9\" \"ab\" 255 65 "
	       "233}}",
	       "68c3a9|61 62|0xff|A|U+00E9|%|%");
	is_out("{{printf \"%.0d|%-4d|%04d\" 0 -3 -3}}", "|-3  |-003");
	is_out(
	    "{{printf \"%#08x|%08d|%-08d|%+08d|%#o|%#o|%08.3d|%#b|%#X\" "
	    "255 -42 5 5 8 0 7 5 255}}",
	    "0x000000ff|-0000042|5       |+0000005|010|0|     007|0b101|0XFF");
	is_out("{{printf \"%T %T %T %T %T %T\" 1 1.5 \"s\" nil .Args .Labels}}",
	       "int float64 string <nil> []interface {} "
	       "map[string]interface {}");
	is_out("{{printf \"%2000000d\" 1}}", "%!(BADWIDTH)1");
	is_out("{{printf \"%v\" (index .Labels \"nope\")}}", "<nil>");
	is_out("{{.Name | printf \"%s!\"}}", "/web!");
	is_err("{{printf}}",
	       "template: wrong number of args for printf: want at least 1 "
	       "got 0");
	is_err("{{printf 1}}",
	       "template: error calling printf: expected a string, got number");
}

static void test_logic(void)
{
	is_out("{{not 0}} {{not .Empty}} {{not .Name}} {{not nil}}",
	       "true true false true");
	is_out("{{and 1 0 2}} {{or 0 \"\" \"x\"}} {{and 1 2}} {{or 0 \"\"}}",
	       "0 x 2 ");
	/* and/or stop at the operand that decides, like Go's. */
	is_out("{{and false .Missing}} {{or true .Missing}}", "false true");
	is_out("{{if and .State.Running (eq .State.ExitCode 0)}}ok{{end}}",
	       "ok");
	is_out("{{eq .Name \"/web\"}} {{eq .Name \"a\" \"/web\"}} "
	       "{{ne .Name \"x\"}} {{eq nil nil}} {{eq .State.Running true}}",
	       "true true true true true");
	is_out("{{eq .State.Pid 1234}} {{eq .State.Health nil}} "
	       "{{eq .Name nil}}",
	       "true true false");
	is_out("{{lt \"a\" \"b\"}} {{le 2 2}} {{gt 3 2}} {{ge \"a\" \"b\"}} "
	       "{{lt 1 2.5}} {{lt .Neg .Zero}}",
	       "true true true false true true");
	is_err("{{eq 1 \"a\"}}", "template: error calling eq: incompatible "
				 "types for comparison");
	is_err("{{eq .Args .Args}}",
	       "template: error calling eq: non-comparable type array");
	is_err("{{eq 1}}",
	       "template: error calling eq: missing argument for comparison");
	is_err("{{ne 1 2 3}}",
	       "template: wrong number of args for ne: want 2 got 3");
	is_err("{{lt true false}}",
	       "template: error calling lt: invalid type for comparison");
	is_err("{{lt .State.Health 1}}",
	       "template: error calling lt: invalid type for comparison");
	is_err("{{gt 1 \"a\"}}", "template: error calling gt: incompatible "
				 "types for comparison");
	is_err("{{and}}",
	       "template: wrong number of args for and: want at least 1 got 0");
	is_err("{{not}}", "template: wrong number of args for not: want 1 "
			  "got 0");
}

static void test_literals(void)
{
	is_out("{{\"a\\tb\\n\\\\ \\\"q\\\" \\x41\\101\\u00e9\\U0001F600\"}}",
	       "a\tb\n\\ \"q\" AA\u00e9\U0001F600");
	is_out("{{`raw \\n \"x\"`}}", "raw \\n \"x\"");
	is_out("{{`multi\nline`}}", "multi\nline");
	is_out("{{'a'}} {{'\\n'}} {{'\u00e9'}} {{'\\x41'}} {{'\\''}}",
	       "97 10 233 65 39");
	is_out("{{0x1F}} {{0o17}} {{017}} {{1_000}} {{0b101}} {{1e3}} {{.5}} "
	       "{{-2}} {{+3}} {{019}}",
	       "31 15 15 1000 5 1000 0.5 -2 3 19");
	is_err("{{nil | print}}", "template: nil is not a command");
	is_parse_err("{{\"abc}}", "template: unterminated quoted string");
	is_parse_err("{{\"a\nb\"}}", "template: unterminated quoted string");
	is_parse_err("{{`abc}}", "template: unterminated raw quoted string");
	is_parse_err("{{'ab'}}", "template: malformed character constant: "
				 "'ab'");
	is_parse_err("{{'a}}", "template: unterminated character constant");
	is_parse_err("{{\"\\q\"}}", "template: invalid syntax: \"\\q\"");
	is_parse_err("{{\"\\'\"}}", "template: invalid syntax: \"\\'\"");
	is_parse_err("{{\"\\x00\"}}", "template: invalid syntax: \"\\x00\"");
	is_parse_err("{{\"\\uD800\"}}", "template: invalid syntax: "
					"\"\\uD800\"");
	is_parse_err("{{1abc}}", "template: bad number syntax: \"1a\"");
	is_parse_err("{{0x}}", "template: illegal number syntax: \"0x\"");
	is_parse_err("{{-}}", "template: illegal number syntax: \"-\"");
	is_parse_err("{{1e}}", "template: illegal number syntax: \"1e\"");
	is_parse_err("{{99999999999999999999}}",
		     "template: integer overflow: \"99999999999999999999\"");
	is_parse_err("{{1i}}", "template: illegal number syntax: \"1i\"");
}

static void test_pipelines(void)
{
	is_out("{{.Name | upper | printf \"%q\"}}", "\"/WEB\"");
	is_out("{{\"x\" | printf \"%s-%s\" \"a\"}}", "a-x");
	is_out("{{(len .Args) | printf \"%d args\"}}", "2 args");
	is_out("{{printf \"%s\" (index .Args (len .Config.Cmd))}}", "sleep 1d");
	is_out("{{(split \"a.b\" \".\") | len}}", "2");
	is_out("{{.Name |}}", "/web"); /* Go accepts a trailing | too */
	is_out("{{($y := 5)}} {{$y}}", "5 5");
	is_parse_err("{{1 | 2}}",
		     "template: non executable command in pipeline stage 2");
	is_parse_err("{{.Name | \"x\"}}",
		     "template: non executable command in pipeline stage 2");
	is_err("{{\"x\" | .Name}}",
	       "template: can't give argument to non-function .Name");
	is_err("{{.Name .Id}}",
	       "template: can't give argument to non-function .Name");
	is_err("{{\"x\" .}}", "template: can't give argument to non-function "
			      "\"x\"");
	is_err("{{nil}}", "template: nil is not a command");
	is_err("{{(1).x}}", "template: can't evaluate field x in type number");
}

static void test_if_with(void)
{
	is_out("{{if .State.Running}}up{{else}}down{{end}}", "up");
	is_out("{{if .Config.User}}u{{else}}root{{end}}", "root");
	is_out("{{if .Empty}}a{{else if .EmptyObj}}b{{else if 0}}c"
	       "{{else if .Zero}}d{{else}}e{{end}}",
	       "e");
	is_out("{{if .Empty}}a{{else if .Name}}b{{end}}", "b");
	is_out("{{if .State.Health}}h{{end}}|{{if \"\"}}s{{end}}|"
	       "{{if 0.5}}n{{end}}|{{if .Labels}}o{{end}}",
	       "||n|o");
	is_out("{{with .State}}{{.Status}}{{end}}", "running");
	is_out("{{with .Empty}}x{{else}}none{{end}}", "none");
	is_out("{{with .Config.User}}{{.}}{{else with .Name}}{{.}}{{end}}",
	       "/web");
	is_out("{{with $v := .Name}}{{$v}}{{.}}{{end}}", "/web/web");
	is_out("{{if $x := .Zero}}{{else}}{{$x}}{{end}}", "0");
	is_parse_err("{{if true}}{{$z := 1}}{{end}}{{$z}}",
		     "template: undefined variable \"$z\"");
	is_parse_err("{{if}}{{end}}", "template: missing value for if");
	is_parse_err("{{with}}{{end}}", "template: missing value for with");
	is_parse_err("{{if 1}}{{else}}{{else}}{{end}}",
		     "template: expected end; found {{else}}");
	is_parse_err("{{range .Args}}{{else if 1}}{{end}}",
		     "template: unexpected <if> in input");
	is_parse_err("{{if 1}}x", "template: unexpected EOF");
	is_parse_err("{{if 1}}{{else}}x", "template: unexpected EOF");
	is_parse_err("{{end x}}", "template: unexpected \"x\" in end");
	is_parse_err("{{else x}}", "template: unexpected \"x\" in else");
}

static void test_range(void)
{
	is_out("{{range .Mounts}}{{.Destination}} {{end}}", "/dst /data ");
	is_out("{{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}",
	       "a=first;m=mid;z=last;");
	is_out("{{range $i, $v := .Args}}{{$i}}:{{$v}} {{end}}",
	       "0:-c 1:sleep 1d ");
	is_out("{{range $v := .Args}}[{{$v}}]{{end}}", "[-c][sleep 1d]");
	is_out("{{range .Labels}}{{.}},{{end}}", "first,mid,last,");
	is_out("{{range .Empty}}x{{else}}empty{{end}}", "empty");
	is_out("{{range .EmptyObj}}x{{else}}empty{{end}}", "empty");
	is_out("{{range .State.Health}}x{{else}}null{{end}}", "null");
	is_out("{{range .Nested.a}}[{{.}}]{{end}}", "[1][[2 [3 <nil>]]]"
						    "[map[k:v]]");
	is_out("{{range $i, $v := .Args}}{{if eq $i 1}}{{break}}{{end}}"
	       "{{$v}}{{end}}",
	       "-c");
	is_out("{{range $i, $v := .Args}}{{if eq $i 0}}{{continue}}{{end}}"
	       "{{$v}}{{end}}",
	       "sleep 1d");
	is_out("{{range .Args}}{{range $.Config.Cmd}}{{break}}{{end}}"
	       "{{.}};{{end}}",
	       "-c;sleep 1d;");
	is_out("{{range 3}}{{.}}{{end}}|{{range $i := 2}}{{$i}}{{end}}|"
	       "{{range 0}}x{{else}}none{{end}}",
	       "012|01|none");
	is_out("{{range .Mounts}}{{$.Name}}{{end}}", "/web/web");
	is_out("{{$last := \"\"}}{{range .Args}}{{$last = .}}{{end}}{{$last}}",
	       "sleep 1d");
	is_out("{{$n := 0}}{{range $i, $m := .Mounts}}{{$n = $i}}{{end}}{{$n}}",
	       "1");
	is_out("{{range $i, $e := .Empty}}{{else}}{{$e}}{{end}}", "[]");
	is_out("{{range $p, $b := .NetworkSettings.Ports}}{{$p}}->"
	       "{{range $b}}{{.HostPort}}{{else}}none{{end}} {{end}}",
	       "443/tcp->none 80/tcp->8080 ");
	/* A value computed inside stays valid while it is used. */
	is_out("{{$s := split \"a,b\" \",\"}}{{range $s}}{{$s = \"x\"}}{{.}}"
	       "{{end}}{{$s}}",
	       "abx");
	is_out("{{range $i, $v := split \"x,y\" \",\"}}{{$i}}{{$v}}{{end}}",
	       "0x1y");
	is_out("{{range $v := ($w := .Args)}}{{$v}}{{len $w}}{{end}}",
	       "-c2sleep 1d2");
	is_out("{{range $i, $v := (index ($m := .Mounts) 0)}}{{$i}}={{$v}},"
	       "{{end}}",
	       "Destination=/dst,RW=true,Source=/src,Type=bind,");
	is_err("{{range .Name}}{{end}}",
	       "template: range can't iterate over string");
	is_err("{{range 1.5}}{{end}}",
	       "template: range can't iterate over number");
	is_err("{{range $i, $v := 3}}{{end}}",
	       "template: can't use 3 to iterate over more than one variable");
	is_parse_err("{{break}}", "template: {{break}} outside {{range}}");
	is_parse_err("{{if 1}}{{continue}}{{end}}",
		     "template: {{continue}} outside {{range}}");
	is_parse_err("{{range .Args}}{{else}}{{break}}{{end}}",
		     "template: {{break}} outside {{range}}");
	is_parse_err("{{range .Args}}{{break 1}}{{end}}",
		     "template: unexpected \"1\" in {{break}}");
	is_parse_err("{{range $a, $b, $c := .}}{{end}}",
		     "template: too many declarations in range");
	is_parse_err("{{with $a, $b := .}}{{end}}",
		     "template: too many declarations in with");
	is_parse_err("{{range $a, 1}}{{end}}",
		     "template: range can only initialize variables");
}

static void test_variables(void)
{
	is_out("{{$x := .Name}}{{$x}}", "/web");
	is_out("{{$x := 1}}{{$x = 2}}{{$x}}", "2");
	is_out("{{$x := 1}}{{$x := 2}}{{$x}}", "2");
	is_out("{{$x := .Args}}{{index $x 0}}", "-c");
	is_out("{{$x := 1}}{{if true}}{{$x = 3}}{{end}}{{$x}}", "3");
	is_out("{{$x := 1}}{{if true}}{{$x := 3}}{{end}}{{$x}}", "1");
	is_out("{{$}}",
	       "map[Args:[-c sleep 1d] Big:1e+21 Config:map[Cmd:[sh] "
	       "Entrypoint:<nil> Env:[A=1 B=2] Labels:map[a.b:c "
	       "com.example.x:y empty:] User:] Dup:map[k:2] Empty:[] "
	       "EmptyObj:map[] Float:1234567.5 Id:0123456789abcdef "
	       "Labels:map[a:first m:mid z:last] Mounts:[map[Destination:/dst "
	       "RW:true Source:/src Type:bind] map[Destination:/data RW:false "
	       "Source:/v Type:volume]] Name:/web Neg:-1 Nested:map[a:[1 [2 [3 "
	       "<nil>]] map[k:v]]] NetworkSettings:map[IPAddress:"
	       "10.88.0.2 Ports:map[443/tcp:<nil> 80/tcp:[map[HostIp:0.0.0.0 "
	       "HostPort:8080]]]] Quote:a\"b\\c\td\u2028<&> Ratio:0.25 "
	       "Size:1700000000 State:map[ExitCode:0 Health:<nil> Pid:1234 "
	       "Running:true Status:running] Tiny:1e-07 Unicode:h\u00e9llo "
	       "w\u00f6rld Zero:0]");
	is_parse_err("{{$x}}", "template: undefined variable \"$x\"");
	is_parse_err("{{$x = 1}}", "template: undefined variable \"$x\"");
	is_parse_err("{{$x := $x}}", "template: undefined variable \"$x\"");
	is_parse_err("{{$x, $y := 1}}",
		     "template: too many declarations in command");
}

static void test_docker_examples(void)
{
	is_out("{{.State.Status}}", "running");
	is_out("{{json .Config.Labels}}",
	       "{\"a.b\":\"c\",\"com.example.x\":\"y\",\"empty\":\"\"}");
	is_out("{{index .Config.Labels \"a.b\"}}", "c");
	is_out("{{range .Mounts}}{{.Destination}} {{end}}", "/dst /data ");
	is_out("{{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}",
	       "a=first;m=mid;z=last;");
	is_out("{{if .State.Running}}up{{else}}down{{end}}", "up");
	is_out("{{len .Args}}", "2");
	is_out("{{.Name | upper}}", "/WEB");
	is_out("{{.NetworkSettings.IPAddress}}", "10.88.0.2");
	is_out(
	    "{{range $p, $conf := .NetworkSettings.Ports}}{{$p}}{{with $conf}}"
	    " -> {{(index . 0).HostPort}}{{end}};{{end}}",
	    "443/tcp;80/tcp -> 8080;");
	is_out("{{range .Config.Env}}{{println .}}{{end}}", "A=1\nB=2\n");
	is_out("ID\t{{truncate .Id 12}}\tNAME\t{{.Name}}",
	       "ID\t0123456789ab\tNAME\t/web");
}

static void test_syntax_errors(void)
{
	is_parse_err("{{", "template: unclosed action");
	is_parse_err("{{.Name", "template: unclosed action");
	is_parse_err("a {{.Name}", "template: bad character U+007D '}'");
	is_parse_err("a {{.Name }", "template: unexpected \"}\" in operand");
	is_parse_err("{{end}}", "template: unexpected {{end}}");
	is_parse_err("x{{else}}y", "template: unexpected {{else}}");
	is_parse_err("{{foo}}", "template: function \"foo\" not defined");
	is_parse_err("{{.Name | foo}}",
		     "template: function \"foo\" not defined");
	is_parse_err("{{html .}}", "template: function \"html\" not defined");
	is_parse_err("{{ } }}", "template: unexpected \"}\" in command");
	is_parse_err("{{.Name }x}}", "template: unexpected \"}\" in operand");
	is_parse_err("{{}}", "template: missing value for command");
	is_parse_err("{{ }}", "template: missing value for command");
	is_parse_err("{{(.Name}}", "template: unclosed left paren");
	is_parse_err("{{.Name)}}", "template: unexpected right paren");
	is_parse_err("{{()}}", "template: missing value for parenthesized "
			       "pipeline");
	is_parse_err("{{/* x */ }}",
		     "template: comment ends before closing delimiter");
	is_parse_err("{{/* x", "template: unclosed comment");
	is_parse_err("{{.Na!me}}", "template: bad character U+0021 '!'");
	is_parse_err("{{$x := 1}}{{$x:1}}", "template: expected :=");
	is_parse_err("{{\x01}}", "template: unrecognized character in action: "
				 "U+0001");
	is_parse_err("{{define \"x\"}}{{end}}",
		     "template: {{define}} is not supported");
	is_parse_err("{{template \"x\"}}",
		     "template: {{template}} is not supported");
	is_parse_err("{{block \"x\" .}}{{end}}",
		     "template: {{block}} is not supported");
	is_parse_err("{{if 1}}{{end \"0123456789abcdef\"}}",
		     "template: "
		     "unexpected \"\\\"012345678\"... in end");
	is_parse_err("{{if 1}}{{\"0123456789abcdef\" else}}{{end}}",
		     "template: unexpected <else> in operand");
	is_parse_err("{{range .Args}}{{end}}{{end}}",
		     "template: unexpected {{end}}");
	is_parse_err("{{:=}}", "template: unexpected \":=\" in command");
	is_parse_err("{{\"0123456789abcdefgh\" \"0123456789abcdefgh\"}x}}",
		     "template: unexpected \"}\" in operand");
}

static void test_limits(void)
{
	_cleanup_free_ char *msg = NULL;
	_cleanup_free_ char *got = NULL;
	struct buf src = BUF_INIT, want = BUF_INIT;
	cJSON *deep = NULL, *inner;
	int i;

	/* 100 nested {{if}}s are fine, 101 are not. */
	for (i = 0; i < 100; i++)
		buf_addstr(&src, "{{if 1}}");
	buf_addch(&src, 'x');
	for (i = 0; i < 100; i++)
		buf_addstr(&src, "{{end}}");
	got = run(src.s, doc, &msg);
	is_str(got, "x", "100 nested ifs");
	free(got);
	buf_reset(&src);
	for (i = 0; i < 101; i++)
		buf_addstr(&src, "{{with .}}");
	is_err_on(src.s, doc, "template: nesting deeper than 100 levels",
		  "101 nested withs");
	buf_reset(&src);

	/* Parentheses count too, and so do their pipelines. */
	buf_addstr(&src, "{{");
	for (i = 0; i < 100000; i++)
		buf_addch(&src, '(');
	is_err_on(src.s, doc, "template: nesting deeper than 100 levels",
		  "100000 open parentheses");
	buf_reset(&src);
	for (i = 0; i < 50000; i++)
		buf_addstr(&src, "{{if 1}}{{else if 2}}");
	is_err_on(src.s, doc, "template: nesting deeper than 100 levels",
		  "a long else-if chain");
	buf_reset(&src);

	/* A large template: 1 MiB of text and 100000 actions. */
	for (i = 0; i < 100000; i++) {
		buf_addstr(&src, "0123456789{{.State.Pid}}");
		buf_addstr(&want, "01234567891234");
	}
	got = run(src.s, doc, &msg);
	ok(got && !strcmp(got, want.s), "100000 actions in 2.4 MB");
	free(got);
	buf_reset(&src);
	buf_reset(&want);

	/* A range that produces much output. */
	got = run("{{range 100000}}{{.}},{{end}}", doc, &msg);
	ok(got && strlen(got) == 588890, "range over 100000");
	free(got);

	/* Data nested deeper than the printer goes (cJSON's own parser
	 * stops at 1000 levels, but data can be built). */
	deep = cJSON_CreateArray();
	for (inner = deep, i = 0; i < 2000; i++) {
		cJSON *next = cJSON_CreateArray();

		cJSON_AddItemToArray(inner, next);
		inner = next;
	}
	is_err_on("{{.}}", deep,
		  "template: value nested deeper than 1000 levels",
		  "printing 2000 levels of arrays");
	is_err_on("{{json .}}", deep,
		  "template: value nested deeper than 1000 levels",
		  "json of 2000 levels of arrays");
	got = run("{{len .}}", deep, &msg);
	is_str(got, "1", "len needs no recursion");
	cJSON_Delete(deep);
	buf_release(&src);
	buf_release(&want);
}

static void test_api(void)
{
	_cleanup_tmpl_ struct tmpl *t = NULL;
	_cleanup_err_ struct err *e = NULL;
	_cleanup_cjson_ cJSON *other = NULL;
	struct buf out = BUF_INIT;
	_cleanup_free_ char *msg = NULL;
	_cleanup_free_ char *got = NULL;

	ok(tmpl_parse("<{{.Name}}>", &t, &e) == 0 && t, "parse");
	buf_addstr(&out, "keep");
	ok(tmpl_exec(t, doc, &out, &e) == 0, "exec appends");
	is_str(out.s, "keep</web>", "  to what was there");
	ok(json_parse("{\"Name\": \"other\"}", 17, &other, NULL) == 0,
	   "second document");
	ok(tmpl_exec(t, other, &out, &e) == 0, "a template runs again");
	is_str(out.s, "keep</web><other>", "  over other data");
	tmpl_freep(&t);
	ok(tmpl_parse("before {{.Name}} {{.Nope}} after", &t, &e) == 0,
	   "parse a failing template");
	ok(tmpl_exec(t, doc, &out, &e) < 0 && e && e->errnum == EINVAL,
	   "exec fails with EINVAL");
	is_str(out.s, "keep</web><other>", "  and leaves the output alone");
	buf_release(&out);

	got = run("{{.}}", NULL, &msg);
	is_str(got, "<no value>", "NULL data is no value");
	free(got);
	got = run("{{.Name}}", NULL, &msg);
	is_str(msg, "template: can't evaluate field Name in type no value",
	       "  and has no fields");
	free(msg);
	free(got);
	got = run("{{.}} {{json .}}", doc->child->next, &msg);
	is_str(got, "/web \"/web\"", "a string as data");
	tmpl_free(NULL);
}

static void prepared(const char *in, const char *want, bool want_table)
{
	bool table = !want_table;
	_cleanup_free_ char *got = tmpl_docker_prepare(in, &table);

	is_str(got, want, in);
	ok(table == want_table, "  table is %s", want_table ? "set" : "unset");
}

static void test_docker_prepare(void)
{
	prepared("table {{.ID}}\\t{{.Image}}", "{{.ID}}\t{{.Image}}", true);
	prepared("  {{.ID}}\\n  ", "{{.ID}}\n", false);
	prepared("table", "", true);
	prepared("tablefoo", "foo", true);
	prepared("TABLE x", "TABLE x", false);
	prepared("{{.A}}\\\\t", "{{.A}}\\\t", false);
	prepared("\t{{.A}} \t", "\t{{.A}} \t", false);
	prepared("a\\tb\\nc\\x", "a\tb\nc\\x", false);
	prepared("", "", false);
	prepared("\\", "\\", false);
}

int main(void)
{
	if (json_parse(doc_json, strlen(doc_json), &doc, NULL) < 0) {
		ok(false, "test document parses");
		return tap_done();
	}
	test_text();
	test_fields();
	test_printing();
	test_struct();
	test_json();
	test_index();
	test_len();
	test_strings();
	test_print_functions();
	test_logic();
	test_literals();
	test_pipelines();
	test_if_with();
	test_range();
	test_variables();
	test_docker_examples();
	test_syntax_errors();
	test_limits();
	test_api();
	test_docker_prepare();
	cJSON_Delete(doc);
	return tap_done();
}
