/*
 * husk logs [-f] [--tail N] [--since T] [--until T] [-t] CONTAINER: the
 * output a detached container's monitor logged (ctr/log.c), stdout to
 * stdout and stderr to stderr. -f follows until the container exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "ctr/ctr.h"
#include "layers/store.h"
#include "lib/buf.h"
#include "lib/parse.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

static void usage(void)
{
	printf("Usage: husk logs [OPTIONS] CONTAINER\n"
	       "\n"
	       "Show the output of a container started with -d (or by start).\n"
	       "\n"
	       "  -f, --follow       keep printing until the container exits\n"
	       "  -n, --tail N       only the last N lines (or 'all')\n"
	       "      --since T      lines since T: RFC 3339 time, Unix\n"
	       "                     seconds, or a duration ago (10m, 1h30m)\n"
	       "      --until T      lines before T (same forms)\n"
	       "  -t, --timestamps   show each line's time\n"
	       "      --help         show this help\n");
}

struct logs_args {
	bool follow, timestamps;
	long tail;		/* -1: all */
	ctr_time since, until;	/* 0: none */
};

/* docker's forms: RFC 3339 (with or without fraction), Unix seconds with
 * an optional fraction, or a Go duration before now. */
static int parse_when(const char *s, ctr_time *out)
{
	uint64_t ns, secs, frac = 0;
	const char *dot = strchr(s, '.');
	size_t digits = dot ? strlen(dot + 1) : 0;

	if (ctr_time_parse(s, out) == 0)
		return 0;
	/* Unix seconds, with an optional fraction: digits only */
	if (*s && strspn(s, "0123456789.") == strlen(s)) {
		_cleanup_free_ char *whole = xstrndup(s, dot ? (size_t)(dot - s)
							     : strlen(s));

		if (parse_uint64(whole, 0, UINT32_MAX, &secs, NULL) < 0 ||
		    (dot && (digits == 0 || digits > 9 ||
			     parse_uint64(dot + 1, 0, 999999999, &frac,
					  NULL) < 0)))
			return -1;
		for (size_t i = digits; dot && i < 9; i++)
			frac *= 10;
		*out = (ctr_time)secs * 1000000000 + (ctr_time)frac;
		return 0;
	}
	if (parse_duration(s, &ns, NULL) == 0) {
		*out = ctr_now() - (ctr_time)ns;
		return 0;
	}
	return -1;
}

/* ---- printing ------------------------------------------------------------- */

struct printer {
	const struct logs_args *a;
	bool line_start[3];	/* per stream: the next text starts a line */
};

static void print_entry(struct printer *p, const struct ctr_log_entry *en)
{
	FILE *out = en->stream == 2 ? stderr : stdout;

	if (p->a->since && en->time < p->a->since)
		return;
	if (p->a->until && en->time >= p->a->until)
		return;
	if (p->a->timestamps && p->line_start[en->stream]) {
		char ts[64];

		ctr_time_format(en->time, ts, sizeof(ts));
		fprintf(out, "%s ", ts);
	}
	fwrite(en->text, 1, en->len, out);
	if (!en->partial)
		fputc('\n', out);
	p->line_start[en->stream] = !en->partial;
}

/* Prints the complete lines of TEXT; returns how many bytes it used. */
static size_t print_lines(struct printer *p, const char *text, size_t len)
{
	size_t used = 0;

	while (used < len) {
		const char *nl = memchr(text + used, '\n', len - used);
		struct ctr_log_entry en;

		if (!nl)
			break;
		if (ctr_log_parse(text + used, (size_t)(nl - text - used),
				  &en) == 0)
			print_entry(p, &en);
		used = (size_t)(nl - text) + 1;
	}
	return used;
}

/*
 * Where the last N lines begin in TEXT: whole records; a line continued
 * over P records counts once, and so does a stream's last P record (a last
 * line without a newline).
 */
static size_t tail_start(const char *text, size_t len, long n)
{
	bool later[3] = { false, false, false };
	size_t pos = len;
	long lines = 0;

	if (n < 0)
		return 0;
	while (pos > 0) {
		size_t start = pos - 1;
		struct ctr_log_entry en;

		while (start > 0 && text[start - 1] != '\n')
			start--;
		if (ctr_log_parse(text + start, pos - 1 - start, &en) == 0) {
			bool ends = !en.partial || !later[en.stream];

			later[en.stream] = true;
			if (ends && lines++ == n)
				return pos;
		}
		pos = start;
	}
	return 0;
}

/* ---- reading ---------------------------------------------------------------- */

static int read_all(int dirfd, const char *name, struct buf *out)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC |
						     O_NOFOLLOW);
	char chunk[65536];
	ssize_t n;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_add(out, chunk, (size_t)n);
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	(void) nanosleep(&ts, NULL);
}

/*
 * -f: reads ctr.log as it grows (and across its rotation) until the
 * container's monitor is gone, i.e. everything it will log is there.
 */
static void follow(struct store *s, struct ctr *c, struct printer *p,
		   off_t offset)
{
	_cleanup_close_ int fd = openat(c->dirfd, "ctr.log", O_RDONLY |
							    O_CLOEXEC);
	_cleanup_buf_ struct buf pend = BUF_INIT;
	char chunk[65536];

	if (fd >= 0)
		(void) lseek(fd, offset, SEEK_SET);
	for (;;) {
		bool done = c->status != CTR_RUNNING ||
			    (!ctr_pid_alive(c->monitor, c->monitor_start) &&
			     !ctr_pid_alive(c->pid, c->pid_start));
		struct stat a, b;
		ssize_t n;

		while (fd >= 0 && (n = read(fd, chunk, sizeof(chunk))) > 0) {
			size_t used;

			buf_add(&pend, chunk, (size_t)n);
			used = print_lines(p, pend.s, pend.len);
			memmove(pend.s, pend.s + used, pend.len - used);
			buf_setlen(&pend, pend.len - used);
		}
		fflush(stdout);
		fflush(stderr);
		/* rotated: the old file is read to its end, then the new */
		if (fstatat(c->dirfd, "ctr.log", &b, 0) == 0 &&
		    (fd < 0 || (fstat(fd, &a) == 0 && a.st_ino != b.st_ino))) {
			if (fd >= 0)
				(void) close(fd);
			fd = openat(c->dirfd, "ctr.log", O_RDONLY | O_CLOEXEC);
			buf_reset(&pend);
			continue;
		}
		if (done)
			return;
		sleep_ms(50);
		if (ctr_refresh(s, c, 0, NULL) < 0)
			return;
	}
}

static int show(struct store *s, struct ctr *c, const struct logs_args *a,
		struct err **e)
{
	_cleanup_buf_ struct buf text = BUF_INIT;
	struct printer p = { a, { true, true, true } };
	size_t cur_start, used;
	int r;

	r = read_all(c->dirfd, "ctr.log.1", &text);
	cur_start = text.len;
	if (r == 0)
		r = read_all(c->dirfd, "ctr.log", &text);
	if (r < 0)
		return err_make(e, -r, "cannot read the log of container '%s'",
				c->name);
	used = tail_start(text.s, text.len, a->tail);
	used += print_lines(&p, text.s + used, text.len - used);
	fflush(stdout);
	if (!a->follow)
		return 0;
	/* follow from the first byte of ctr.log not printed yet */
	follow(s, c, &p, used > cur_start ? (off_t)(used - cur_start) : 0);
	return 0;
}

enum { OPT_SINCE = 1000, OPT_UNTIL, OPT_HELP };

static int parse(struct husk_ctx *ctx, int argc, char **argv,
		 struct logs_args *a, struct err **e)
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "tail", required_argument, NULL, 'n' },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "timestamps", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "+:fn:t", opts, NULL)) != -1) {
		switch (c) {
		case 'f': a->follow = true; break;
		case 't': a->timestamps = true; break;
		case 'n':
			if (!strcmp(optarg, "all")) {
				a->tail = -1;
			} else if (parse_uint64(optarg, 0, 100000000, &v,
						NULL) < 0) {
				return cmd_usage_error(ctx, e, "invalid --tail "
						       "'%s': a number or "
						       "'all' expected",
						       optarg);
			} else {
				a->tail = (long)v;
			}
			break;
		case OPT_SINCE:
		case OPT_UNTIL:
			if (parse_when(optarg, c == OPT_SINCE ? &a->since
							      : &a->until) < 0)
				return cmd_usage_error(ctx, e, "invalid --%s "
						       "'%s': a time (RFC 3339, "
						       "Unix seconds) or a "
						       "duration expected",
						       c == OPT_SINCE ? "since"
								      : "until",
						       optarg);
			break;
		case OPT_HELP: usage(); return 1;
		default: return cmd_getopt_error(ctx, c, argv, e);
		}
	}
	if (argc - optind != 1)
		return cmd_usage_error(ctx, e, "logs needs one container");
	return 0;
}

int cmd_logs(struct husk_ctx *ctx, int argc, char **argv, struct err **e)
{
	struct logs_args a = { .tail = -1 };
	struct store s = STORE_INIT;
	struct ctr c;
	int rc = parse(ctx, argc, argv, &a, e);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	ctr_init(&c);
	rc = cmd_find_ctr(ctx, &s, argv[optind], &c, e);
	if (rc >= 0)
		rc = show(&s, &c, &a, e);
	ctr_release(&c);
	store_close(&s);
	return rc < 0 ? rc : 0;
}
