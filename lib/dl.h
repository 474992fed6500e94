/*
 * dl.h - libraries loaded on first use.
 *
 * libcurl, libarchive and libcrypto pull about forty shared objects into
 * a process (Kerberos, LDAP, GnuTLS, ICU, ...): loading them costs more
 * than a container's whole start, and `husk run` needs none of them. So
 * husk does not link them: each function it uses is a small wrapper that
 * dlopen()s the library the first time it is called (systemd's dlopen
 * approach). A library that cannot be loaded is reported like a link
 * failure: one line and exit 125.
 *
 * DL_FUNC(LIB, RET, NAME, (PARAMS), (ARGS)) defines husk_NAME with NAME's
 * signature; the matching header #defines NAME to husk_NAME after the
 * library's own header, so callers write the library's names.
 */
#ifndef HUSK_DL_H
#define HUSK_DL_H

/* Resolves SYM in the library SONAME (dlopen'ed once). Never fails. */
void *dl_resolve(const char *soname, const char *sym);

#define DL_FUNC(lib, ret, name, params, args)                               \
	ret husk_##name params                                              \
	{                                                                   \
		static ret(*dl_fp_) params;                                 \
		ret(*dl_fn_) params =                                       \
			__atomic_load_n(&dl_fp_, __ATOMIC_ACQUIRE);         \
		if (!dl_fn_) {                                              \
			dl_fn_ = (ret(*) params)dl_resolve(lib, #name);     \
			__atomic_store_n(&dl_fp_, dl_fn_, __ATOMIC_RELEASE); \
		}                                                           \
		return dl_fn_ args;                                         \
	}

#endif
