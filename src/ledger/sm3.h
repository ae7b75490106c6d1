/* sm3.h — SM3 (GB/T 32905-2016) and SHA-256 digests through OpenSSL EVP,
 * one-shot and incremental.
 *
 * The incremental "digest stream" feeds the same bytes to several hashes at
 * once, so an evidence upload is read once and gets its SHA-256 name and, in
 * 国密 mode, its SM3 digest too:
 *
 *     zf_digest *d = NULL;
 *     zf_digest_new(&d, ZF_DIGEST_SHA256 | ZF_DIGEST_SM3, &err);
 *     while (more) zf_digest_update(d, chunk, n, &err);
 *     zf_digest_final(&res, d, &err);     res.sha256_hex, res.sm3_hex
 *     zf_digest_free(d);
 *
 * A zf_digest is used by one thread at a time; distinct ones are independent. */
#ifndef ZF_LEDGER_SM3_H
#define ZF_LEDGER_SM3_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define ZF_DIGEST_LEN 32 /* both algorithms give 256 bits */

enum {
    ZF_DIGEST_SHA256 = 1u << 0,
    ZF_DIGEST_SM3 = 1u << 1
};

typedef struct zf_digest zf_digest; /* opaque */

typedef struct zf_digest_result {
    unsigned algs; /* which fields below are filled */
    uint8_t sha256[ZF_DIGEST_LEN];
    uint8_t sm3[ZF_DIGEST_LEN];
    char sha256_hex[2 * ZF_DIGEST_LEN + 1]; /* lowercase, "" when not computed */
    char sm3_hex[2 * ZF_DIGEST_LEN + 1];
} zf_digest_result;

/* Starts a stream computing every algorithm in algs (a non-empty set of
 * ZF_DIGEST_* bits). Caller frees *out with zf_digest_free. ZF_EINVAL for an
 * empty or unknown set, ZF_EINTERNAL when OpenSSL lacks the algorithm. */
int zf_digest_new(zf_digest **out, unsigned algs, zf_err *err);
int zf_digest_update(zf_digest *d, const void *data, size_t len, zf_err *err);
/* Finishes the stream; d can only be freed afterwards. */
int zf_digest_final(zf_digest_result *out, zf_digest *d, zf_err *err);
void zf_digest_free(zf_digest *d);

/* One-shot digests. */
int zf_sm3(uint8_t out[ZF_DIGEST_LEN], const void *data, size_t len);
int zf_sha256(uint8_t out[ZF_DIGEST_LEN], const void *data, size_t len);

/* Lowercase hex of n bytes into out (2n + 1 bytes with the NUL). */
void zf_hex_encode(char *out, const uint8_t *bytes, size_t n);

#endif
