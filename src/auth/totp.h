/* totp.h — one-time passwords for the second factor: RFC 4226 HOTP, RFC 6238 TOTP,
 * RFC 4648 base32 for the shared secret, and the otpauth:// URI that
 * authenticator apps read from a QR code.
 *
 * Pure computation: the time is always passed in, nothing is stored. Replay
 * protection is the caller's: zf_totp_verify reports which time step matched,
 * and the caller refuses a step not newer than the last one it accepted for
 * that user. All functions are thread-safe. */
#ifndef ZF_AUTH_TOTP_H
#define ZF_AUTH_TOTP_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef enum zf_totp_algo {
    ZF_TOTP_SHA1 = 0, /* what authenticator apps support everywhere: the default */
    ZF_TOTP_SHA256,
    ZF_TOTP_SHA512
} zf_totp_algo;

#define ZF_TOTP_SECRET_BYTES 20 /* 160 bits, as RFC 4226 recommends */
#define ZF_TOTP_SECRET_B32_SIZE 33 /* 32 base32 characters (no padding needed) + NUL */
#define ZF_TOTP_CODE_SIZE 9 /* up to 8 digits + NUL */
#define ZF_TOTP_STEP 30 /* seconds */
#define ZF_TOTP_DIGITS 6
#define ZF_TOTP_MAX_WINDOW 10 /* larger windows passed to zf_totp_verify are cut to this */

/* Parameters of one TOTP generator. step is in seconds, t0 the unix time
 * counting starts from (RFC 6238's X and T0). */
typedef struct zf_totp_params {
    zf_totp_algo algo;
    int digits; /* 6 or 8 */
    int step;
    int64_t t0;
} zf_totp_params;

#define ZF_TOTP_PARAMS_INIT {ZF_TOTP_SHA1, ZF_TOTP_DIGITS, ZF_TOTP_STEP, 0}

/* ---- base32 (RFC 4648, upper-case alphabet A-Z 2-7) ---- */

/* Size needed to encode n bytes, padding and NUL included. */
size_t zf_base32_encoded_size(size_t n);

/* Encodes in[0..n) into out (out_size bytes, NUL-terminated). pad != 0 adds
 * '=' to a multiple of 8 characters. Returns 0, or ZF_ETOOBIG if out is small. */
int zf_base32_encode(char *out, size_t out_size, const uint8_t *in, size_t n, int pad);

/* Decodes a NUL-terminated base32 string. Accepts lower case and missing
 * padding; rejects any other character, padding that is not at the end or is
 * of the wrong length, a length no encoder produces, and non-zero unused bits.
 * Writes at most out_size bytes and their count to *out_len.
 * Returns 0, ZF_EINVAL (err code "invalid_secret") or ZF_ETOOBIG. */
int zf_base32_decode(uint8_t *out, size_t out_size, size_t *out_len, const char *in,
                     zf_err *err);

/* ---- secrets, codes, verification ---- */

/* Draws a new 20-byte secret from libsodium's CSPRNG and writes it as 32
 * base32 characters. Returns 0, or ZF_EINTERNAL if libsodium cannot start. */
int zf_totp_generate_secret(char out_b32[ZF_TOTP_SECRET_B32_SIZE]);

/* RFC 4226 HOTP value of counter under key: the truncated number before
 * formatting, i.e. below 10^digits. digits is 6, 7 or 8. Returns 0 or ZF_EINVAL. */
int zf_hotp_value(uint32_t *out, const uint8_t *key, size_t key_len, uint64_t counter,
                  int digits, zf_totp_algo algo);

/* TOTP code at unix_time for a raw key, as a zero-padded decimal string.
 * p may be NULL (ZF_TOTP_PARAMS_INIT). Returns 0 or ZF_EINVAL (bad params,
 * unix_time before t0). */
int zf_totp_code_raw(char out[ZF_TOTP_CODE_SIZE], const uint8_t *key, size_t key_len,
                     int64_t unix_time, const zf_totp_params *p);

/* The same for a base32 secret as stored for a user. */
int zf_totp_code(char out[ZF_TOTP_CODE_SIZE], const char *secret_b32, int64_t unix_time,
                 const zf_totp_params *p);

/* Checks a 6-digit SHA-1 code, as typed by the user, against the steps from
 * window_steps before to window_steps after the one holding unix_time (1 is
 * the usual allowance for clock drift; capped at ZF_TOTP_MAX_WINDOW).
 * Returns 1 on a match and stores the matching time step (unix_time / 30 for
 * the current one) in *out_step (may be NULL); 0 when the code does not match
 * or is not 6 digits; ZF_EINVAL when the secret cannot be decoded. Callers
 * must treat anything but 1 as failure, and refuse a step that is not greater
 * than the last one accepted for the user (a replay). Codes are compared in
 * constant time and every step in the window is computed. */
int zf_totp_verify(const char *secret_b32, const char *code, int64_t unix_time,
                   int window_steps, int64_t *out_step);

/* Builds the key URI for enrolment in an authenticator app:
 *   otpauth://totp/ISSUER:USER?secret=SECRET&issuer=ISSUER
 * with ISSUER and USER percent-encoded (UTF-8, unreserved characters kept).
 * issuer NULL means "zhifa". *out is allocated and the caller frees it.
 * Returns 0 or ZF_EINVAL (missing user or secret). */
int zf_totp_uri(char **out, const char *issuer, const char *username, const char *secret_b32);

#endif
