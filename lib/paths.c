#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/paths.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

static const char *home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h && *h == '/')
		return h;
	pw = getpwuid(getuid());
	return pw && pw->pw_dir ? pw->pw_dir : "/";
}

char *paths_default_root(void)
{
	const char *env = getenv("HUSK_ROOT");
	const char *xdg;

	if (env && *env)
		return xstrdup(env);
	if (geteuid() == 0)
		return xstrdup("/var/lib/husk");
	xdg = getenv("XDG_DATA_HOME");
	if (xdg && *xdg == '/')
		return xasprintf("%s/husk", xdg);
	return xasprintf("%s/.local/share/husk", home_dir());
}

char *paths_default_runroot(void)
{
	const char *env = getenv("HUSK_RUNROOT");
	const char *xdg;

	if (env && *env)
		return xstrdup(env);
	if (geteuid() == 0)
		return xstrdup("/run/husk");
	xdg = getenv("XDG_RUNTIME_DIR");
	if (xdg && *xdg == '/')
		return xasprintf("%s/husk", xdg);
	return xasprintf("/tmp/husk-%u", (unsigned)getuid());
}

char *paths_which(const char *prog)
{
	const char *path = getenv("PATH");
	const char *p, *end;

	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0 ? xstrdup(prog) : NULL;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; *p; p = *end ? end + 1 : end) {
		char *cand;

		end = strchrnul(p, ':');
		if (end == p)
			continue;
		cand = xasprintf("%.*s/%s", (int)(end - p), p, prog);
		if (access(cand, X_OK) == 0)
			return cand;
		free(cand);
	}
	return NULL;
}
