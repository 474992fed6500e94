/*
 * paths.h - where husk keeps things (DESIGN.md, store).
 *
 * Image store: --root, else $HUSK_ROOT, else /var/lib/husk for root and
 * $XDG_DATA_HOME/husk (~/.local/share/husk) for everybody else.
 * Runtime state: --runroot, else $HUSK_RUNROOT, else /run/husk for root and
 * $XDG_RUNTIME_DIR/husk (falling back to /tmp/husk-UID) otherwise.
 * Both return heap strings owned by the caller.
 */
#ifndef HUSK_PATHS_H
#define HUSK_PATHS_H

char *paths_default_root(void);
char *paths_default_runroot(void);
/* Looks up a program on $PATH; returns a heap path or NULL. */
char *paths_which(const char *prog);

#endif
