/*
 * Pull progress on a terminal: one line per layer, redrawn in place
 * (docker's layout: short digest, phase, a bar, bytes). Called from the
 * pulling thread only, so no locking; it reads the layers' atomics.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "layers/pull.h"
#include "lib/banned.h"

void cmd_human_size(uint64_t n, char *out, size_t len)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)n;
	size_t u = 0;

	/* docker's units: powers of 1000, three significant digits */
	while (v >= 1000 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(out, len, "%lluB", (unsigned long long)n);
	else
		snprintf(out, len, "%.3g%s", v, units[u]);
}

static const char *phase_name(int phase)
{
	switch (phase) {
	case PULL_QUEUED:
		return "Waiting";
	case PULL_WAITING:
		return "Waiting (another pull)";
	case PULL_DOWNLOADING:
		return "Downloading";
	case PULL_DONE:
		return "Pull complete";
	case PULL_EXISTS:
		return "Already exists";
	case PULL_FAILED:
		return "Failed";
	}
	return "?";
}

static void draw_layer(FILE *out, const struct pull_layer *l)
{
	uint64_t done = atomic_load(&l->done);
	int phase = atomic_load(&l->phase);
	char a[16], b[16], bar[33];
	size_t fill = l->size ? (size_t)(done * 30 / l->size) : 0;

	fprintf(out, "\033[2K%.12s: %s", l->digest + 7, phase_name(phase));
	if (phase == PULL_DOWNLOADING) {
		if (fill > 30)
			fill = 30;
		memset(bar, '=', fill);
		bar[fill] = fill < 30 ? '>' : '=';
		memset(bar + fill + 1, ' ', 30 - fill);
		bar[31] = '\0';
		cmd_human_size(done, a, sizeof(a));
		cmd_human_size(l->size, b, sizeof(b));
		fprintf(out, " [%s] %s/%s", bar, a, b);
	}
	fputc('\n', out);
}

void cmd_pull_progress(void *arg, const struct pull_image *img, bool final)
{
	struct pull_progress_state *st = arg;

	if (!img->n)
		return;
	if (st->drawn)
		fprintf(st->out, "\033[%zuA", st->drawn);
	for (size_t i = 0; i < img->n; i++)
		draw_layer(st->out, &img->layers[i]);
	st->drawn = img->n;
	if (final)
		st->drawn = 0;
	fflush(st->out);
}
