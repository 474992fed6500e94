/*
 * log.h - the one logging switch.
 *
 * Library code prints nothing above debug level (STYLE.md rule 6): it may
 * call log_debug(), which writes "husk: debug: ..." to stderr only when
 * --debug / --log-level=debug raised the level. Warnings meant for users
 * (the one-line notices of a fallback) are printed by commands through
 * log_warn(); errors are printed by main.c alone.
 */
#ifndef HUSK_LOG_H
#define HUSK_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

extern enum log_level log_level;

/* Parses "error", "warn", "info" or "debug"; returns -1 when unknown. */
int log_level_parse(const char *s);
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
