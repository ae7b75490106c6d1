/* totp.c — HOTP/TOTP, base32 and the otpauth URI. See totp.h.
 *
 * HMAC comes from OpenSSL; randomness from libsodium. Base32 is written here
 * because neither library offers it and it is thirty lines. */
#include "auth/totp.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"

/* Longest decoded secret accepted: twice the largest RFC 6238 seed (64 bytes). */
#define MAX_KEY_BYTES 128

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

size_t zf_base32_encoded_size(size_t n)
{
    return (n + 4) / 5 * 8 + 1;
}

int zf_base32_encode(char *out, size_t out_size, const uint8_t *in, size_t n, int pad)
{
    size_t chars = (n * 8 + 4) / 5, total = pad ? (n + 4) / 5 * 8 : chars, i, o = 0;
    uint32_t acc = 0;
    int bits = 0;

    if (out_size < total + 1)
        return ZF_ETOOBIG;
    for (i = 0; i < n; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = b32_alphabet[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0)
        out[o++] = b32_alphabet[(acc << (5 - bits)) & 31];
    while (o < total)
        out[o++] = '=';
    out[o] = '\0';
    return 0;
}

static int b32_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= '2' && c <= '7')
        return c - '2' + 26;
    return -1;
}

int zf_base32_decode(uint8_t *out, size_t out_size, size_t *out_len, const char *in,
                     zf_err *err)
{
    size_t len, data, i, o = 0, rem;
    uint32_t acc = 0;
    int bits = 0;

    *out_len = 0;
    if (!in)
        return zf_err_set(err, ZF_EINVAL, "invalid_secret", "secret", "密钥不能为空");
    len = strlen(in);
    for (data = 0; data < len && in[data] != '='; data++)
        ;
    for (i = data; i < len; i++)
        if (in[i] != '=')
            return zf_err_set(err, ZF_EINVAL, "invalid_secret", "secret",
                              "密钥格式错误：填充字符“=”只能出现在末尾");
    rem = data % 8;
    /* 1, 3 or 6 characters in the last group cannot come from whole bytes. */
    if (rem == 1 || rem == 3 || rem == 6)
        return zf_err_set(err, ZF_EINVAL, "invalid_secret", "secret", "密钥格式错误：长度不正确");
    if (len > data && (len % 8 != 0 || len - data != (8 - rem) % 8))
        return zf_err_set(err, ZF_EINVAL, "invalid_secret", "secret", "密钥格式错误：填充长度不正确");
    if (data * 5 / 8 > out_size)
        return zf_err_set(err, ZF_ETOOBIG, "invalid_secret", "secret", "密钥过长");
    for (i = 0; i < data; i++) {
        int v = b32_value(in[i]);
        if (v < 0)
            return zf_err_set(err, ZF_EINVAL, "invalid_secret", "secret",
                              "密钥格式错误：包含 Base32 以外的字符");
        acc = (acc << 5) | (uint32_t)v;
        bits += 5;
        if (bits >= 8) {
            out[o++] = (uint8_t)(acc >> (bits - 8));
            bits -= 8;
        }
        acc &= (1u << bits) - 1; /* keep only the bits not yet written */
    }
    /* A canonical encoder leaves the unused low bits zero (RFC 4648 §3.5). */
    if (acc != 0)
        return zf_err_set(err, ZF_EINVAL, "invalid_secret", "secret", "密钥格式错误：末尾多余的位不为零");
    *out_len = o;
    return 0;
}

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_rc = -1;

static void sodium_start(void)
{
    sodium_rc = sodium_init() < 0 ? -1 : 0;
}

int zf_totp_generate_secret(char out_b32[ZF_TOTP_SECRET_B32_SIZE])
{
    uint8_t key[ZF_TOTP_SECRET_BYTES];
    int rc;

    out_b32[0] = '\0';
    pthread_once(&sodium_once, sodium_start);
    if (sodium_rc < 0)
        return ZF_EINTERNAL;
    randombytes_buf(key, sizeof key);
    rc = zf_base32_encode(out_b32, ZF_TOTP_SECRET_B32_SIZE, key, sizeof key, 0);
    sodium_memzero(key, sizeof key);
    return rc;
}

static const EVP_MD *algo_md(zf_totp_algo algo)
{
    switch (algo) {
    case ZF_TOTP_SHA1: return EVP_sha1();
    case ZF_TOTP_SHA256: return EVP_sha256();
    case ZF_TOTP_SHA512: return EVP_sha512();
    }
    return NULL;
}

int zf_hotp_value(uint32_t *out, const uint8_t *key, size_t key_len, uint64_t counter,
                  int digits, zf_totp_algo algo)
{
    static const uint32_t pow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                     100000000};
    const EVP_MD *md = algo_md(algo);
    uint8_t msg[8], mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0, off;
    uint32_t bin;
    int i;

    *out = 0;
    if (!md || digits < 6 || digits > 8 || !key || key_len == 0 || key_len > MAX_KEY_BYTES)
        return ZF_EINVAL;
    for (i = 7; i >= 0; i--, counter >>= 8)
        msg[i] = (uint8_t)(counter & 0xff);
    if (!HMAC(md, key, (int)key_len, msg, sizeof msg, mac, &mac_len) || mac_len < 20)
        return ZF_EINTERNAL;
    /* Dynamic truncation (RFC 4226 §5.3): 31 bits at the offset named by the
     * low nibble of the last byte. */
    off = mac[mac_len - 1] & 0x0f;
    bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
          ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
    *out = bin % pow10[digits];
    OPENSSL_cleanse(mac, sizeof mac);
    return 0;
}

int zf_totp_code_raw(char out[ZF_TOTP_CODE_SIZE], const uint8_t *key, size_t key_len,
                     int64_t unix_time, const zf_totp_params *p)
{
    zf_totp_params def = ZF_TOTP_PARAMS_INIT;
    uint32_t v;
    int rc;

    out[0] = '\0';
    if (!p)
        p = &def;
    if (p->step <= 0 || unix_time < p->t0)
        return ZF_EINVAL;
    rc = zf_hotp_value(&v, key, key_len, (uint64_t)((unix_time - p->t0) / p->step), p->digits,
                       p->algo);
    if (rc < 0)
        return rc;
    snprintf(out, ZF_TOTP_CODE_SIZE, "%0*u", p->digits, (unsigned)v);
    return 0;
}

int zf_totp_code(char out[ZF_TOTP_CODE_SIZE], const char *secret_b32, int64_t unix_time,
                 const zf_totp_params *p)
{
    uint8_t key[MAX_KEY_BYTES];
    size_t key_len;
    int rc;

    out[0] = '\0';
    if ((rc = zf_base32_decode(key, sizeof key, &key_len, secret_b32, NULL)) < 0)
        goto done;
    rc = zf_totp_code_raw(out, key, key_len, unix_time, p);
done:
    OPENSSL_cleanse(key, sizeof key);
    return rc;
}

int zf_totp_verify(const char *secret_b32, const char *code, int64_t unix_time,
                   int window_steps, int64_t *out_step)
{
    uint8_t key[MAX_KEY_BYTES];
    size_t key_len, i;
    int64_t cur, s;
    int rc, matched = 0;

    if (out_step)
        *out_step = -1;
    if ((rc = zf_base32_decode(key, sizeof key, &key_len, secret_b32, NULL)) < 0 ||
        key_len == 0) {
        rc = ZF_EINVAL;
        goto done;
    }
    rc = 0;
    if (!code || unix_time < 0 || strlen(code) != ZF_TOTP_DIGITS)
        goto done;
    for (i = 0; i < ZF_TOTP_DIGITS; i++)
        if (code[i] < '0' || code[i] > '9')
            goto done;
    if (window_steps < 0)
        window_steps = 0;
    if (window_steps > ZF_TOTP_MAX_WINDOW)
        window_steps = ZF_TOTP_MAX_WINDOW;
    cur = unix_time / ZF_TOTP_STEP;
    /* No early exit: every step is computed and compared in constant time, and
     * the latest matching step wins, so the caller's replay mark only moves
     * forward. */
    for (s = cur - window_steps; s <= cur + window_steps; s++) {
        uint32_t v;
        char want[ZF_TOTP_CODE_SIZE];
        if (s < 0)
            continue;
        if ((rc = zf_hotp_value(&v, key, key_len, (uint64_t)s, ZF_TOTP_DIGITS,
                                ZF_TOTP_SHA1)) < 0)
            goto done;
        snprintf(want, sizeof want, "%0*u", ZF_TOTP_DIGITS, (unsigned)v);
        if (CRYPTO_memcmp(want, code, ZF_TOTP_DIGITS) == 0) {
            matched = 1;
            if (out_step)
                *out_step = s;
        }
    }
    rc = matched;
done:
    OPENSSL_cleanse(key, sizeof key);
    return rc;
}

static int put_pct(zf_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = 0;

    for (; *s && rc == 0; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            rc = zf_buf_putc(b, (char)c);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            rc = zf_buf_append(b, esc, 3);
        }
    }
    return rc;
}

int zf_totp_uri(char **out, const char *issuer, const char *username, const char *secret_b32)
{
    zf_buf b = ZF_BUF_INIT;
    int rc;

    *out = NULL;
    if (!issuer || !issuer[0])
        issuer = "zhifa";
    if (!username || !username[0] || !secret_b32 || !secret_b32[0])
        return ZF_EINVAL;
    zf_buf_init(&b, 4096);
    if ((rc = zf_buf_puts(&b, "otpauth://totp/")) < 0 || (rc = put_pct(&b, issuer)) < 0 ||
        (rc = zf_buf_putc(&b, ':')) < 0 || (rc = put_pct(&b, username)) < 0 ||
        (rc = zf_buf_puts(&b, "?secret=")) < 0 || (rc = put_pct(&b, secret_b32)) < 0 ||
        (rc = zf_buf_puts(&b, "&issuer=")) < 0 || (rc = put_pct(&b, issuer)) < 0)
        goto done;
    *out = zf_buf_detach(&b);
done:
    zf_buf_free(&b);
    return rc;
}
