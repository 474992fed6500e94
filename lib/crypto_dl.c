/* libcrypto's functions husk uses, resolved on first call (lib/dl.h). */
#include "lib/crypto_dl.h"
#include "lib/dl.h"
#include "lib/banned.h"

#define L HUSK_SONAME_CRYPTO
DL_FUNC(L, int, EVP_Digest,
	(const void *d, size_t n, unsigned char *md, unsigned int *len,
	 const EVP_MD *t, ENGINE *e),
	(d, n, md, len, t, e))
DL_FUNC(L, int, EVP_DigestInit_ex, (EVP_MD_CTX * c, const EVP_MD *t, ENGINE *e),
	(c, t, e))
DL_FUNC(L, int, EVP_DigestUpdate, (EVP_MD_CTX * c, const void *d, size_t n),
	(c, d, n))
DL_FUNC(L, int, EVP_DigestFinal_ex,
	(EVP_MD_CTX * c, unsigned char *md, unsigned int *len), (c, md, len))
DL_FUNC(L, EVP_MD_CTX *, EVP_MD_CTX_new, (void), ())
DL_FUNC(L, void, EVP_MD_CTX_free, (EVP_MD_CTX * c), (c))
DL_FUNC(L, const EVP_MD *, EVP_sha256, (void), ())
DL_FUNC(L, int, EVP_EncodeBlock,
	(unsigned char *t, const unsigned char *f, int n), (t, f, n))
DL_FUNC(L, int, EVP_DecodeBlock,
	(unsigned char *t, const unsigned char *f, int n), (t, f, n))
DL_FUNC(L, const char *, OpenSSL_version, (int t), (t))
