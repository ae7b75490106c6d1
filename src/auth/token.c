/* token.c — random tokens, their storage hash and constant-time compare.
 * See token.h. Randomness, base64url and comparison come from libsodium,
 * SHA-256 from OpenSSL (the hash the rest of zhifa uses). */
#include "auth/token.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "util/err.h"

_Static_assert(ZF_TOKEN_SIZE ==
                   sodium_base64_ENCODED_LEN(ZF_TOKEN_BYTES,
                                             sodium_base64_VARIANT_URLSAFE_NO_PADDING),
               "token size must match libsodium's base64url length");

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_rc = -1;

static void sodium_start(void)
{
    sodium_rc = sodium_init() < 0 ? -1 : 0;
}

int zf_token_new(char out[ZF_TOKEN_SIZE])
{
    unsigned char raw[ZF_TOKEN_BYTES];

    out[0] = '\0';
    pthread_once(&sodium_once, sodium_start);
    if (sodium_rc < 0)
        return ZF_EINTERNAL;
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, ZF_TOKEN_SIZE, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    return 0;
}

int zf_token_api_new(char out[ZF_API_TOKEN_SIZE])
{
    int rc;

    memcpy(out, ZF_API_TOKEN_PREFIX, 3);
    if ((rc = zf_token_new(out + 3)) < 0)
        out[0] = '\0';
    return rc;
}

static int is_b64url(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

int zf_token_check_format(const char *s, size_t len, int api)
{
    size_t i;

    if (!s)
        return 0;
    if (api) {
        if (len != ZF_API_TOKEN_CHARS || memcmp(s, ZF_API_TOKEN_PREFIX, 3) != 0)
            return 0;
        s += 3;
        len -= 3;
    }
    if (len != ZF_TOKEN_CHARS)
        return 0;
    for (i = 0; i < len; i++)
        if (!is_b64url(s[i]))
            return 0;
    /* 43 characters carry 258 bits; the last one holds only 4 bits of the 32
     * bytes, so its low 2 bits are zero (one of A E I M Q U Y c g k o s w 0 4 8). */
    return strchr("AEIMQUYcgkosw048", s[len - 1]) != NULL;
}

/* libsodium's SHA-256 rather than OpenSSL's EVP: this runs on every
 * authenticated request, and OpenSSL 3 fetches the algorithm from its
 * provider (taking locks) on each EVP_Digest call. */
int zf_token_hash(char out[ZF_TOKEN_HASH_SIZE], const char *token, size_t len)
{
    unsigned char md[crypto_hash_sha256_BYTES];

    out[0] = '\0';
    if (!token || sodium_init() < 0 || crypto_hash_sha256(md, (const unsigned char *)token, len) != 0)
        return ZF_EINTERNAL;
    sodium_bin2hex(out, ZF_TOKEN_HASH_SIZE, md, sizeof md);
    return 0;
}

int zf_token_equal(const char *a, const char *b)
{
    size_t n;

    if (!a || !b)
        return 0;
    n = strlen(a);
    if (strlen(b) != n)
        return 0;
    return n == 0 || sodium_memcmp(a, b, n) == 0;
}
