/*
 * test-ctr.c - the pieces of ctr/ that need no container: times, names,
 * the log writer and reader (lines, parts, rotation, bad lines) and pid
 * liveness (a live pid, a zombie, a reused start time).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctr/ctr.h"
#include "lib/buf.h"
#include "lib/fs.h"
#include "tap.h"

static void test_times(void)
{
	char s[64];
	ctr_time t;

	ctr_time_format(1795435806123456789LL, s, sizeof(s));
	is_str(s, "2026-11-23T12:10:06.123456789Z", "format with nanoseconds");
	ok(ctr_time_parse(s, &t) == 0 && t == 1795435806123456789LL,
	   "parse gives the same time back");
	ok(ctr_time_parse("2026-11-23T12:10:06Z", &t) == 0 &&
	   t == 1795435806000000000LL, "no fraction");
	ok(ctr_time_parse("2026-11-23T12:10:06.5Z", &t) == 0 &&
	   t == 1795435806500000000LL, "a short fraction");
	ctr_time_format(0, s, sizeof(s));
	is_str(s, "0001-01-01T00:00:00Z", "zero is docker's zero time");
	ok(ctr_time_parse(s, &t) == 0 && t == 0, "which parses back to 0");
	ok(ctr_time_parse("2026-11-23 09:30:06Z", &t) < 0, "a space: refused");
	ok(ctr_time_parse("2026-11-23T09:30:06", &t) < 0, "no Z: refused");
	ok(ctr_time_parse("2026-11-23T09:30:06.1Zjunk", &t) < 0,
	   "trailing junk: refused");
	ok(ctr_time_parse("", &t) < 0, "empty: refused");
}

static void test_names(void)
{
	ok(ctr_name_valid("web"), "web");
	ok(ctr_name_valid("a.b_c-d9"), "a.b_c-d9");
	ok(ctr_name_valid("9lives"), "a digit first");
	ok(!ctr_name_valid(""), "empty");
	ok(!ctr_name_valid("-x"), "a dash first");
	ok(!ctr_name_valid(".x"), "a dot first");
	ok(!ctr_name_valid("a/b"), "a slash");
	ok(!ctr_name_valid("a b"), "a space");
	ok(!ctr_name_valid("..") , "dot dot");
	{
		char longname[200];

		memset(longname, 'a', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		ok(!ctr_name_valid(longname), "199 characters");
	}
	is_str(ctr_status_name(CTR_RUNNING), "running", "running");
	is_str(ctr_status_name(CTR_DEAD), "dead", "dead");
}

/* Reads NAME under DIR and parses each line; the texts joined with '|'
 * and a stream digit, "1:a|2:b|1P:c". */
static char *log_summary(int dir, const char *name)
{
	struct buf text = BUF_INIT, out = BUF_INIT;
	char *line, *save = NULL;

	if (read_file(dir, name, &text, 1 << 24, NULL) < 0) {
		buf_release(&text);
		return strdup("<none>");
	}
	for (line = strtok_r(text.s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct ctr_log_entry en;

		if (ctr_log_parse(line, strlen(line), &en) < 0) {
			buf_addstr(&out, "|BAD");
			continue;
		}
		buf_addf(&out, "%s%d%s:%.*s", out.len ? "|" : "", en.stream,
			 en.partial ? "P" : "", (int)en.len, en.text);
	}
	buf_release(&text);
	return buf_detach(&out, NULL);
}

static void test_log(const char *tmp)
{
	int dir = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct ctr_log l = { .fd = -1 };
	char *sum, big[40000];
	struct stat st;

	ok(ctr_log_open(&l, dir, 0, NULL) == 0, "log opened");
	ctr_log_write(&l, 1, "one\ntw", 6);
	ctr_log_write(&l, 2, "err\n", 4);
	ctr_log_write(&l, 1, "o\n\nthree", 8);
	ctr_log_close(&l);
	sum = log_summary(dir, "ctr.log");
	is_str(sum, "1:one|2:err|1:two|1:|1P:three",
	       "lines per stream, joined across writes; an empty line; the "
	       "unfinished last one as a part");
	free(sum);

	/* a line longer than 16 KiB is cut into parts */
	(void) unlinkat(dir, "ctr.log", 0);
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	ok(ctr_log_open(&l, dir, 0, NULL) == 0, "log opened again");
	ctr_log_write(&l, 1, big, sizeof(big));
	ctr_log_close(&l);
	{
		struct buf text = BUF_INIT;
		size_t lines = 0, parts = 0, total = 0;
		char *line, *save = NULL;

		read_file(dir, "ctr.log", &text, 1 << 24, NULL);
		for (line = strtok_r(text.s, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			struct ctr_log_entry en;

			if (ctr_log_parse(line, strlen(line), &en) == 0) {
				lines++;
				parts += en.partial;
				total += en.len;
			}
		}
		is_int((long long)lines, 3, "40000 bytes: three records");
		is_int((long long)parts, 2, "two of them parts");
		is_int((long long)total, (long long)sizeof(big) - 1,
		       "nothing lost");
		buf_release(&text);
	}

	/* rotation: never more than the limit plus one record per file */
	(void) unlinkat(dir, "ctr.log", 0);
	ok(ctr_log_open(&l, dir, 2048, NULL) == 0, "log with a 2 KiB limit");
	for (int i = 0; i < 500; i++)
		ctr_log_write(&l, 1, "a line of some length\n", 22);
	ctr_log_close(&l);
	ok(fstatat(dir, "ctr.log", &st, 0) == 0 && st.st_size <= 2048 + 128,
	   "ctr.log stays under the limit (%lld)", (long long)st.st_size);
	ok(fstatat(dir, "ctr.log.1", &st, 0) == 0 && st.st_size <= 2048 + 128,
	   "ctr.log.1 too (%lld)", (long long)st.st_size);
	(void) unlinkat(dir, "ctr.log", 0);
	(void) unlinkat(dir, "ctr.log.1", 0);
	close(dir);
}

static void test_parse_bad(void)
{
	struct ctr_log_entry en;
	static const char *const bad[] = {
		"",
		"nonsense",
		"2026-11-23T09:30:06Z",
		"2026-11-23T09:30:06Z stdout",
		"2026-11-23T09:30:06Z stdin F x",
		"2026-11-23T09:30:06Z stdout X x",
		"2026-11-23T09:30:06Z stdout Fx",
		"yesterday stdout F x",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(ctr_log_parse(bad[i], strlen(bad[i]), &en) < 0,
		   "malformed log line %zu refused", i);
	ok(ctr_log_parse("2026-11-23T09:30:06Z stderr F ", 30, &en) == 0 &&
	   en.stream == 2 && en.len == 0, "an empty line is fine");
}

static void test_pids(void)
{
	uint64_t me = ctr_pid_start(getpid());
	pid_t child;
	uint64_t st;
	int status;

	ok(me > 0, "our own start time");
	ok(ctr_pid_alive(getpid(), me), "we are alive");
	ok(!ctr_pid_alive(getpid(), me + 1), "another start time: not us");
	ok(!ctr_pid_alive(0, me), "pid 0 is nobody");
	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	st = ctr_pid_start(child);
	ok(st > 0 && ctr_pid_alive(child, st), "a live child");
	kill(child, SIGKILL);
	ok(ctr_pid_wait(child, st, 5000), "ctr_pid_wait sees it end");
	ok(!ctr_pid_alive(child, st), "a zombie counts as gone");
	waitpid(child, &status, 0);
	ok(!ctr_pid_alive(child, st), "and so does a reaped one");
	ok(ctr_pid_start(child) == 0, "no start time for it");
}

int main(void)
{
	char tmp[] = "/tmp/test-ctr.XXXXXX";

	if (!mkdtemp(tmp))
		tap_skip_all("mkdtemp failed");
	test_times();
	test_names();
	test_log(tmp);
	test_parse_bad();
	test_pids();
	rmdir(tmp);
	return tap_done();
}
