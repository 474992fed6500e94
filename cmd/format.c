/*
 * --format for listing commands (ps), docker's way: "json" prints each
 * row as a JSON object on its own line; "table TEMPLATE" prints a header
 * (the template run over the column titles) and aligned columns
 * (lib/tabwriter.h); any other TEMPLATE (lib/template.h) is run over each
 * row, one line per row.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "lib/tabwriter.h"
#include "lib/template.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

int cmd_format_rows(struct husk_ctx *ctx, const char *format, cJSON *rows,
		    const cJSON *titles, struct err **e)
{
	_cleanup_free_ char *prepared = NULL;
	_cleanup_buf_ struct buf out = BUF_INIT;
	struct tmpl *t = NULL;
	const cJSON *row;
	bool table = false;
	int rc = 0;

	if (!strcmp(format, "json")) {
		cJSON_ArrayForEach(row, rows) {
			_cleanup_free_ char *s = cJSON_PrintUnformatted(row);

			printf("%s\n", s);
		}
		return 0;
	}
	prepared = tmpl_docker_prepare(format, &table);
	if (tmpl_parse(prepared, &t, e) < 0) {
		ctx->usage = true;
		return err_wrap(e, "invalid format '%s'", format);
	}
	if (table && tmpl_exec(t, titles, &out, e) < 0)
		rc = -1;
	if (rc >= 0 && table)
		buf_addch(&out, '\n');
	cJSON_ArrayForEach(row, rows) {
		if (rc < 0)
			break;
		rc = tmpl_exec(t, row, &out, e);
		buf_addch(&out, '\n');
	}
	tmpl_free(t);
	if (rc < 0)
		return err_wrap(e, "invalid format '%s'", format);
	if (table) {
		_cleanup_buf_ struct buf aligned = BUF_INIT;

		tabw_render(out.s, out.len, &aligned);
		fwrite(aligned.s, 1, aligned.len, stdout);
	} else {
		fwrite(out.s, 1, out.len, stdout);
	}
	return 0;
}
