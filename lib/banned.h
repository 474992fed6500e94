/*
 * banned.h - functions husk must not use (git's banned.h).
 *
 * Every .c file includes it as its LAST include (after the system headers,
 * whose declarations the macros would otherwise break), so a use turns into
 * a compile error naming the function. Use buf_addf(),
 * xasprintf(), snprintf() and the checked parsers in lib/parse.h instead.
 */
#ifndef HUSK_BANNED_H
#define HUSK_BANNED_H

#define BANNED(func) sorry_##func##_is_banned_in_husk

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef atol
#define atol(x) BANNED(atol)
#undef localtime
#define localtime(t) BANNED(localtime)
#undef gmtime
#define gmtime(t) BANNED(gmtime)
#undef system
#define system(x) BANNED(system)
#undef popen
#define popen(x, y) BANNED(popen)

#endif
