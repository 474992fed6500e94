/*
 * test-xalloc.c - the allocators that cannot fail.
 */
#include <string.h>

#include "lib/xalloc.h"
#include "test/unit/tap.h"
#include "lib/banned.h"

int main(void)
{
	char *p = xmalloc(0);
	char *q;
	int *z;

	ok(p != NULL, "xmalloc(0) returns a pointer");
	free(p);
	z = xcalloc(16, sizeof(*z));
	ok(z[0] == 0 && z[15] == 0, "xcalloc zeroes");
	z = xrealloc(z, 1024 * sizeof(*z));
	ok(z[15] == 0, "xrealloc keeps content");
	free(z);
	p = xstrdup("husk");
	is_str(p, "husk", "xstrdup copies");
	q = xstrndup(p, 2);
	is_str(q, "hu", "xstrndup cuts");
	free(p);
	free(q);
	p = xasprintf("%s-%d", "a", 42);
	is_str(p, "a-42", "xasprintf formats");
	free(p);
	return tap_done();
}
