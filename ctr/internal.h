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

#endif
