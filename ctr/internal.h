/*
 * internal.h - declarations shared by the files of ctr/ only.
 */
#ifndef HUSK_CTR_INTERNAL_H
#define HUSK_CTR_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* "brave_lovelace"-style: adjective_noun; with SUFFIX a number is added
 * (after many clashes). Heap string. */
char *ctr_generate_name(bool suffix);

struct store;
struct ctr;
/* Keeps the exit STATUS of --rm container C, about to be removed, for
 * `husk wait` (containers/.exits/ID, an hour). */
void ctr_note_exit(struct store *s, const struct ctr *c, int status);

#endif
