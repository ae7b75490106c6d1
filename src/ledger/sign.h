/* sign.h — the ledger's signing keys: SM2 with SM3 (国密, GB/T 32918 and
 * GM/T 0009) or Ed25519 (RFC 8032), through OpenSSL 3 EVP.
 *
 * Signatures cover arbitrary bytes (the checkpoint note body). Formats:
 *   - SM2: DER SEQUENCE { r INTEGER, s INTEGER } over SM3(Z || message),
 *     where Z uses the default distinguishing ID "1234567812345678"
 *     (GM/T 0009-2012 §10 / GB/T 35276). Keys are EC keys on the SM2 curve.
 *   - Ed25519: the 64-byte raw signature of the message itself (pure
 *     Ed25519, no pre-hash).
 * Private keys travel as unencrypted PKCS#8 PEM, public keys as
 * SubjectPublicKeyInfo PEM. The key id is the lowercase hex of the first 8
 * bytes of SHA-256(DER SubjectPublicKeyInfo).
 *
 * Anyone can check a signature with the openssl command line (OpenSSL 3.0,
 * tested by tests/unit/test_ledger_crypto.c), given pub.pem, the signed bytes
 * in msg and the raw signature in sig:
 *
 *   SM2:     openssl dgst -sm3 -verify pub.pem -sigopt distid:1234567812345678 \
 *                 -signature sig msg
 *        or  openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -digest sm3 \
 *                 -pkeyopt distid:1234567812345678 -in msg -sigfile sig
 *   Ed25519: openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in msg -sigfile sig
 *
 * The distid option matters: OpenSSL 3.0's command line otherwise uses an
 * empty ID and reports a correct GB/T 32918 signature as a failure.
 *
 * A zf_sign_key is immutable after creation and may be shared by threads. */
#ifndef ZF_LEDGER_SIGN_H
#define ZF_LEDGER_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

typedef enum zf_sign_alg {
    ZF_SIGN_SM2 = 1,
    ZF_SIGN_ED25519 = 2
} zf_sign_alg;

#define ZF_SIGN_SM2_ID "1234567812345678"
#define ZF_SIGN_KEY_ID_LEN 16 /* hex characters */
#define ZF_SIGN_MAX_SIG 80    /* longest signature of either algorithm */
#define ZF_SIGN_MAX_PEM (16 * 1024)

typedef struct zf_sign_key zf_sign_key; /* opaque */

/* "sm2" / "ed25519"; NULL for an unknown value. */
const char *zf_sign_alg_name(zf_sign_alg alg);
/* Parses "sm2" or "ed25519" (as given to `zhifa init`). */
int zf_sign_alg_parse(zf_sign_alg *out, const char *name, zf_err *err);

/* Creates a fresh private key from OpenSSL's CSPRNG. Caller frees. */
int zf_sign_key_generate(zf_sign_key **out, zf_sign_alg alg, zf_err *err);

/* Loads a PEM private key (PKCS#8 or the traditional EC form) or, failing
 * that, a PEM public key. ZF_EINVAL for anything else, other algorithms
 * included. len is bounded by ZF_SIGN_MAX_PEM. Caller frees. */
int zf_sign_key_from_pem(zf_sign_key **out, const char *pem, size_t len, zf_err *err);

void zf_sign_key_free(zf_sign_key *k);

zf_sign_alg zf_sign_key_alg(const zf_sign_key *k);
bool zf_sign_key_has_private(const zf_sign_key *k);
/* 16 lowercase hex characters; borrowed, lives as long as k. */
const char *zf_sign_key_id(const zf_sign_key *k);

/* Appends the PEM text to out. private_pem needs a private key (ZF_EINVAL). */
int zf_sign_key_private_pem(zf_buf *out, const zf_sign_key *k, zf_err *err);
int zf_sign_key_public_pem(zf_buf *out, const zf_sign_key *k, zf_err *err);
/* Appends the DER SubjectPublicKeyInfo. */
int zf_sign_key_public_der(zf_buf *out, const zf_sign_key *k, zf_err *err);
/* The bare public key: 32 bytes for Ed25519, the 65-byte uncompressed point
 * 04 || X || Y for SM2. out holds at least 65 bytes. */
int zf_sign_key_public_raw(uint8_t *out, size_t *out_len, const zf_sign_key *k, zf_err *err);

/* Signs msg; out (room for ZF_SIGN_MAX_SIG bytes) gets the signature in the
 * format above and *out_len its length. */
int zf_sign(uint8_t *out, size_t *out_len, const zf_sign_key *k, const void *msg, size_t len,
            zf_err *err);

/* 0 when sig is a valid signature of msg by k, ZF_EINVAL otherwise. */
int zf_sign_verify(const zf_sign_key *k, const void *msg, size_t len, const uint8_t *sig,
                   size_t sig_len, zf_err *err);

#endif
