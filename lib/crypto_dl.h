/*
 * crypto_dl.h - OpenSSL's libcrypto (sha256, base64), loaded on first use
 * (lib/dl.h says why). Include this instead of <openssl/evp.h>.
 */
#ifndef HUSK_CRYPTO_DL_H
#define HUSK_CRYPTO_DL_H

#include <openssl/crypto.h>
#include <openssl/evp.h>

#ifndef HUSK_SONAME_CRYPTO
#define HUSK_SONAME_CRYPTO "libcrypto.so.3"
#endif

int husk_EVP_Digest(const void *d, size_t n, unsigned char *md,
		    unsigned int *len, const EVP_MD *t, ENGINE *e);
int husk_EVP_DigestInit_ex(EVP_MD_CTX *c, const EVP_MD *t, ENGINE *e);
int husk_EVP_DigestUpdate(EVP_MD_CTX *c, const void *d, size_t n);
int husk_EVP_DigestFinal_ex(EVP_MD_CTX *c, unsigned char *md,
			    unsigned int *len);
EVP_MD_CTX *husk_EVP_MD_CTX_new(void);
void husk_EVP_MD_CTX_free(EVP_MD_CTX *c);
const EVP_MD *husk_EVP_sha256(void);
int husk_EVP_EncodeBlock(unsigned char *t, const unsigned char *f, int n);
int husk_EVP_DecodeBlock(unsigned char *t, const unsigned char *f, int n);
const char *husk_OpenSSL_version(int t);

#define EVP_Digest husk_EVP_Digest
#define EVP_DigestInit_ex husk_EVP_DigestInit_ex
#define EVP_DigestUpdate husk_EVP_DigestUpdate
#define EVP_DigestFinal_ex husk_EVP_DigestFinal_ex
#define EVP_MD_CTX_new husk_EVP_MD_CTX_new
#define EVP_MD_CTX_free husk_EVP_MD_CTX_free
#define EVP_sha256 husk_EVP_sha256
#define EVP_EncodeBlock husk_EVP_EncodeBlock
#define EVP_DecodeBlock husk_EVP_DecodeBlock
#define OpenSSL_version husk_OpenSSL_version

#endif
