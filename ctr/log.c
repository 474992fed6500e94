/*
 * A container's output on disk: "TIME STREAM F|P TEXT" lines (the CRI log
 * format), written by the monitor, read by `husk logs`. See ctr/ctr.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctr/ctr.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define LOG_NAME "ctr.log"
#define LOG_OLD "ctr.log.1"
/* a line longer than this is written in parts (P) */
#define LOG_LINE_MAX (16 * 1024)

int ctr_log_open(struct ctr_log *l, int dirfd, int64_t max, struct err **e)
{
	struct stat st;

	l->dirfd = dirfd;
	l->max = max;
	buf_init(&l->part[0], 0);
	buf_init(&l->part[1], 0);
	l->fd = openat(dirfd, LOG_NAME, O_WRONLY | O_CREAT | O_APPEND |
					O_CLOEXEC | O_NOFOLLOW, 0600);
	if (l->fd < 0)
		return err_make(e, errno, "cannot open the log");
	l->size = fstat(l->fd, &st) == 0 ? st.st_size : 0;
	return 0;
}

static void rotate(struct ctr_log *l)
{
	int fd;

	if (renameat(l->dirfd, LOG_NAME, l->dirfd, LOG_OLD) < 0)
		return;
	fd = openat(l->dirfd, LOG_NAME, O_WRONLY | O_CREAT | O_APPEND |
					O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	(void) close(l->fd);
	l->fd = fd;
	l->size = 0;
}

static void put(struct ctr_log *l, int stream, bool partial, const char *text,
		size_t len)
{
	char head[96];
	struct buf rec = BUF_INIT;
	const char *p;
	size_t off = 0;

	ctr_time_format(ctr_now(), head, sizeof(head));
	buf_addf(&rec, "%s %s %c ", head, stream == 2 ? "stderr" : "stdout",
		 partial ? 'P' : 'F');
	buf_add(&rec, text, len);
	buf_addch(&rec, '\n');
	if (l->max > 0 && l->size > 0 && l->size + (int64_t)rec.len > l->max)
		rotate(l);
	/* one write per record: a reader never sees half a line mixed with
	 * another's (O_APPEND) */
	for (p = rec.s; off < rec.len;) {
		ssize_t n = write(l->fd, p + off, rec.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	l->size += (int64_t)off;
	buf_release(&rec);
}

/* Writes the first LOG_LINE_MAX bytes of PART as a part while it is
 * longer than that: records stay bounded. */
static void flush_long(struct ctr_log *l, int stream, struct buf *part)
{
	size_t off = 0;

	while (part->len - off > LOG_LINE_MAX) {
		put(l, stream, true, part->s + off, LOG_LINE_MAX);
		off += LOG_LINE_MAX;
	}
	if (off) {
		memmove(part->s, part->s + off, part->len - off);
		buf_setlen(part, part->len - off);
	}
}

void ctr_log_write(struct ctr_log *l, int stream, const char *data, size_t len)
{
	struct buf *part = &l->part[stream == 2];

	while (len > 0) {
		const char *nl = memchr(data, '\n', len);
		size_t n = nl ? (size_t)(nl - data) : len;

		if (!nl || part->len || n > LOG_LINE_MAX) {
			buf_add(part, data, n);
			flush_long(l, stream, part);
			if (!nl)
				return;
			put(l, stream, false, part->s, part->len);
			buf_reset(part);
		} else {
			put(l, stream, false, data, n);
		}
		data += n + 1;
		len -= n + 1;
	}
}

void ctr_log_close(struct ctr_log *l)
{
	for (int i = 0; i < 2; i++) {
		if (l->part[i].len)
			put(l, i + 1, true, l->part[i].s, l->part[i].len);
		buf_release(&l->part[i]);
	}
	if (l->fd >= 0)
		(void) close(l->fd);
	l->fd = -1;
}

int ctr_log_parse(const char *line, size_t len, struct ctr_log_entry *out)
{
	const char *sp1 = memchr(line, ' ', len), *p;
	char ts[64];

	if (!sp1 || (size_t)(sp1 - line) >= sizeof(ts))
		return -1;
	memcpy(ts, line, (size_t)(sp1 - line));
	ts[sp1 - line] = '\0';
	if (ctr_time_parse(ts, &out->time) < 0)
		return -1;
	p = sp1 + 1;
	if ((size_t)(p - line) + 9 > len)
		return -1;
	if (!strncmp(p, "stdout ", 7))
		out->stream = 1;
	else if (!strncmp(p, "stderr ", 7))
		out->stream = 2;
	else
		return -1;
	p += 7;
	if ((*p != 'F' && *p != 'P') || p[1] != ' ')
		return -1;
	out->partial = *p == 'P';
	out->text = p + 2;
	out->len = len - (size_t)(out->text - line);
	return 0;
}
