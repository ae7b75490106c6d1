/* token.h — random bearer secrets: session ids, CSRF tokens, API tokens.
 *
 * A token is 32 bytes from libsodium's CSPRNG written as URL-safe base64
 * without padding (43 characters of A-Z a-z 0-9 - _), so it fits in a cookie,
 * a header or a URL unchanged. Only the SHA-256 of a token is stored at rest
 * (zf_token_hash): 256 random bits need no slow hash, and a stolen table of
 * hashes opens no session. Pure computation, thread-safe. */
#ifndef ZF_AUTH_TOKEN_H
#define ZF_AUTH_TOKEN_H

#include <stddef.h>

#define ZF_TOKEN_BYTES 32    /* random bytes in a token */
#define ZF_TOKEN_CHARS 43    /* their base64url length, no padding */
#define ZF_TOKEN_SIZE 44     /* buffer for a token: chars + NUL */
#define ZF_TOKEN_HASH_SIZE 65 /* 64 lowercase hex digits + NUL */

/* API tokens carry a visible prefix so people (and secret scanners) can tell
 * what a leaked string is: "zf_" + a token, 46 characters. */
#define ZF_API_TOKEN_PREFIX "zf_"
#define ZF_API_TOKEN_CHARS (3 + ZF_TOKEN_CHARS)
#define ZF_API_TOKEN_SIZE (ZF_API_TOKEN_CHARS + 1)

/* Writes a new random token (NUL-terminated) into out.
 * Returns 0, or ZF_EINTERNAL if libsodium cannot start (no entropy source). */
int zf_token_new(char out[ZF_TOKEN_SIZE]);

/* Writes a new API token "zf_<token>" into out. Returns as zf_token_new. */
int zf_token_api_new(char out[ZF_API_TOKEN_SIZE]);

/* Returns 1 if s (len bytes, not necessarily NUL-terminated) has the exact
 * shape of a token from zf_token_new (api = 0) or zf_token_api_new (api != 0),
 * else 0. Cheap; lets a caller refuse garbage before touching the database. */
int zf_token_check_format(const char *s, size_t len, int api);

/* SHA-256 of token[0..len) as lowercase hex, for storage and lookup.
 * Returns 0, or ZF_EINTERNAL if OpenSSL fails. */
int zf_token_hash(char out[ZF_TOKEN_HASH_SIZE], const char *token, size_t len);

/* Compares two NUL-terminated strings without a data-dependent early exit.
 * Returns 1 if equal, 0 if not (or either is NULL). Lengths are not secret
 * (every token has the same length), only the content is. */
int zf_token_equal(const char *a, const char *b);

#endif
