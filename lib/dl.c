#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/dl.h"
#include "lib/banned.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	const char *soname;
	void *handle;
} libs[8];

static void __attribute__((noreturn)) fail(const char *what, const char *why)
{
	fprintf(stderr, "husk: cannot load %s: %s\n", what, why ? why : "?");
	fflush(stderr);
	_exit(125);
}

static void *handle_of(const char *soname)
{
	void *h = NULL;
	size_t i;

	(void) pthread_mutex_lock(&lock);
	for (i = 0; i < sizeof(libs) / sizeof(libs[0]) && libs[i].soname; i++)
		if (!strcmp(libs[i].soname, soname))
			h = libs[i].handle;
	if (!h) {
		h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
		if (!h)
			fail(soname, dlerror());
		if (i < sizeof(libs) / sizeof(libs[0]))
			libs[i].soname = soname, libs[i].handle = h;
	}
	(void) pthread_mutex_unlock(&lock);
	return h;
}

void *dl_resolve(const char *soname, const char *sym)
{
	void *p = dlsym(handle_of(soname), sym);

	if (!p)
		fail(sym, dlerror());
	return p;
}
