/*
 * lock.h - advisory whole-file locks between husk processes.
 *
 * A lock file is any path (usually "<dir>/lock" next to the state it
 * guards, git's lockfile idea). lock_open() creates it 0600 when missing,
 * opens it O_CLOEXEC and takes a flock(2) lock on it:
 *
 *  - LOCK_SH for readers, LOCK_EX for writers;
 *  - timeout_ms -1 waits forever, 0 tries once, N > 0 waits up to N ms
 *    (polling, so no signals or timers are involved);
 *  - on contention it fails with errnum EAGAIN (timeout 0) or ETIMEDOUT
 *    (timeout N), the message "cannot lock '<path>': held by another
 *    process".
 *
 * The returned fd is the lock; it is owned by the caller and given back
 * with lock_release() (or _cleanup_lock_). flock locks belong to the open
 * file, so a fork()ed child inherits it; lock_release() unlocks explicitly
 * so the lock goes away even if a child still holds a copy of the fd.
 * Never take the same lock twice in one process through two lock_open()
 * calls: flock treats the two opens as strangers and would block.
 */
#ifndef HUSK_LOCK_H
#define HUSK_LOCK_H

#include <sys/file.h>

#include "lib/err.h"

int lock_open(const char *path, int how, int timeout_ms, struct err **e);
/* Unlocks and closes fd; does nothing when fd < 0. */
void lock_release(int fd);
void lock_releasep(int *fd);

#define _cleanup_lock_ _cleanup_(lock_releasep)

#endif
