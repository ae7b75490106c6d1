/* password.c — Argon2id hashing and the password policy. See password.h.
 *
 * Hashing is libsodium's crypto_pwhash_str (Argon2id, random salt, encoded
 * parameters). UTF-8 is decoded with utf8proc, which rejects overlong forms,
 * surrogates and code points past U+10FFFF. The policy checks are written
 * here because they are zhifa's own rules. */
#include "auth/password.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

_Static_assert(ZF_PASSWORD_HASH_BYTES == crypto_pwhash_STRBYTES,
               "ZF_PASSWORD_HASH_BYTES must match libsodium");

/* OWASP's Argon2id baseline (m = 19 MiB, t = 2, p = 1) rather than
 * libsodium's INTERACTIVE (64 MiB): two logins at once must fit the
 * server's 64 MB memory budget, and 19 MiB x 2 passes costs an attacker
 * about the same as 64 MiB x 1. */
#define OPSLIMIT 2
#define MEMLIMIT (19u * 1024 * 1024)

#define WEAK(err, ...) zf_err_set((err), ZF_EINVAL, "weak_password", "password", __VA_ARGS__)

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_rc = -1;

static void sodium_start(void)
{
    sodium_rc = sodium_init() < 0 ? -1 : 0;
}

/* sodium_init is safe to call twice, but pthread_once makes "once" explicit and
 * lets every entry point ask cheaply whether libsodium is usable. */
static int sodium_ready(void)
{
    pthread_once(&sodium_once, sodium_start);
    return sodium_rc;
}

int zf_password_hash(char out[ZF_PASSWORD_HASH_BYTES], const char *pw, zf_err *err)
{
    size_t len;

    out[0] = '\0';
    if (!pw)
        return zf_err_set(err, ZF_EINVAL, "invalid_request", "password", "密码不能为空");
    len = strnlen(pw, ZF_PASSWORD_MAX_BYTES + 1);
    if (len > ZF_PASSWORD_MAX_BYTES)
        return zf_err_set(err, ZF_EINVAL, "invalid_request", "password",
                          "密码过长，最多 %d 字节", ZF_PASSWORD_MAX_BYTES);
    if (sodium_ready() < 0)
        return zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "密码库初始化失败");
    /* crypto_pwhash_str fails only when the memory for Argon2 cannot be had. */
    if (crypto_pwhash_str(out, pw, len, OPSLIMIT, MEMLIMIT) != 0) {
        out[0] = '\0';
        return zf_err_set(err, ZF_ENOMEM, NULL, NULL, "服务器内存不足，无法计算密码摘要");
    }
    return 0;
}

int zf_password_verify(const char *hash, const char *pw)
{
    size_t len;

    if (!hash || !pw || sodium_ready() < 0)
        return 0;
    /* libsodium reads the hash as a C string of at most STRBYTES - 1 bytes. */
    if (strnlen(hash, ZF_PASSWORD_HASH_BYTES) >= ZF_PASSWORD_HASH_BYTES)
        return 0;
    len = strnlen(pw, ZF_PASSWORD_MAX_BYTES + 1);
    if (len > ZF_PASSWORD_MAX_BYTES)
        return 0;
    return crypto_pwhash_str_verify(hash, pw, len) == 0;
}

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[ZF_PASSWORD_HASH_BYTES];

static void dummy_make(void)
{
    unsigned char secret[16];
    char pw[2 * sizeof secret + 1];

    /* A password nobody knows, so the dummy verify can never succeed. */
    randombytes_buf(secret, sizeof secret);
    sodium_bin2hex(pw, sizeof pw, secret, sizeof secret);
    if (crypto_pwhash_str(dummy_hash, pw, strlen(pw), OPSLIMIT, MEMLIMIT) != 0)
        dummy_hash[0] = '\0';
}

void zf_password_verify_dummy(const char *pw)
{
    if (sodium_ready() < 0)
        return;
    pthread_once(&dummy_once, dummy_make);
    (void)zf_password_verify(dummy_hash, pw ? pw : "");
}

int zf_password_needs_rehash(const char *hash)
{
    if (!hash || sodium_ready() < 0 ||
        strnlen(hash, ZF_PASSWORD_HASH_BYTES) >= ZF_PASSWORD_HASH_BYTES)
        return 1;
    /* 0 = current, 1 = other parameters, -1 = not a hash we understand. */
    return crypto_pwhash_str_needs_rehash(hash, OPSLIMIT, MEMLIMIT) != 0;
}

int zf_password_expired(const zf_password_policy *policy, int64_t changed_at, int64_t now)
{
    zf_password_policy def = ZF_PASSWORD_POLICY_INIT;

    if (!policy)
        policy = &def;
    if (policy->max_age_days <= 0)
        return 0;
    return now - changed_at >= (int64_t)policy->max_age_days * 86400;
}

/* ---- the policy ---------------------------------------------------------- */

static char ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int cmp_str(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(const char *const *)elem);
}

/* Looks up s[0..n) (already lowercase) in the sorted list. */
static int is_common_lower(const char *s, size_t n)
{
    char key[64];

    if (n < 8 || n >= sizeof key)
        return 0;
    memcpy(key, s, n);
    key[n] = '\0';
    return bsearch(key, zf_common_passwords, zf_common_passwords_count,
                   sizeof zf_common_passwords[0], cmp_str) != NULL;
}

int zf_password_is_common(const char *pw)
{
    char low[ZF_PASSWORD_MAX_BYTES + 1];
    size_t n, i;

    if (!pw)
        return 0;
    n = strnlen(pw, sizeof low);
    if (n >= sizeof low)
        return 0;
    for (i = 0; i < n; i++)
        low[i] = ascii_lower(pw[i]);
    return is_common_lower(low, n);
}

/* Digits and ASCII punctuation that people put around a weak word. */
static int is_decoration(char c)
{
    unsigned char u = (unsigned char)c;
    return u < 0x80 && u > 0x20 && !(ascii_lower(c) >= 'a' && ascii_lower(c) <= 'z');
}

/* Common, or common once digits and symbols before and after are taken away
 * ("2026Password!" → "password"). Every trim of the decorated ends is tried, so
 * "qwerty1234" is found through "qwerty12" too. The work is bounded: keys are
 * 8..63 bytes and the password at most 256. */
static int is_common_decorated(const char *low, size_t n)
{
    size_t lead = 0, trail = 0, s, e;

    while (lead < n && is_decoration(low[lead]))
        lead++;
    while (trail < n && is_decoration(low[n - 1 - trail]))
        trail++;
    for (s = 0; s <= lead && s < n; s++)
        for (e = n; e + trail >= n && e > s; e--)
            if (is_common_lower(low + s, e - s))
                return 1;
    return 0;
}

static int ci_contains(const char *hay, size_t hn, const char *needle, size_t nn)
{
    size_t i, j;

    for (i = 0; i + nn <= hn; i++) {
        for (j = 0; j < nn && ascii_lower(hay[i + j]) == ascii_lower(needle[j]); j++)
            ;
        if (j == nn)
            return 1;
    }
    return 0;
}

/* The whole password repeats a piece of at most n/3 code points, three times or
 * more ("abcabcabcabc", "我爱你我爱你我爱你我爱你"). */
static int is_periodic(const int32_t *cp, size_t n)
{
    size_t u, i;

    for (u = 1; u <= n / 3; u++) {
        for (i = u; i < n && cp[i] == cp[i - u]; i++)
            ;
        if (i == n)
            return 1;
    }
    return 0;
}

/* All digits or all letters, each one step up (or each one step down) from the
 * previous, wrapping 9→0 and z→a: "123456789012", "abcdefghijkl", "9876543210". */
static int is_sequence(const int32_t *cp, size_t n)
{
    int32_t c[ZF_PASSWORD_MAX_BYTES];
    int digits = 1, letters = 1, up = 1, down = 1, m;
    size_t i;

    for (i = 0; i < n; i++) {
        c[i] = cp[i] >= 'A' && cp[i] <= 'Z' ? cp[i] - 'A' + 'a' : cp[i];
        if (!(c[i] >= '0' && c[i] <= '9'))
            digits = 0;
        if (!(c[i] >= 'a' && c[i] <= 'z'))
            letters = 0;
    }
    if (n < 4 || (!digits && !letters))
        return 0;
    m = digits ? 10 : 26;
    for (i = 1; i < n; i++) {
        int d = (int)((c[i] - c[i - 1] + m) % m);
        if (d != 1)
            up = 0;
        if (d != m - 1)
            down = 0;
    }
    return up || down;
}

int zf_password_check_policy(const zf_password_policy *policy, const char *pw,
                             const char *username, zf_err *err)
{
    zf_password_policy def = ZF_PASSWORD_POLICY_INIT;
    int32_t cp[ZF_PASSWORD_MAX_BYTES];
    char low[ZF_PASSWORD_MAX_BYTES + 1];
    size_t len, n = 0, i, off = 0;
    int lower = 0, upper = 0, digit = 0, other = 0, need;

    if (!policy)
        policy = &def;
    if (!pw || !pw[0])
        return WEAK(err, "密码不能为空");
    len = strnlen(pw, ZF_PASSWORD_MAX_BYTES + 1);
    if (len > ZF_PASSWORD_MAX_BYTES)
        return WEAK(err, "密码过长，最多 %d 字节", ZF_PASSWORD_MAX_BYTES);

    while (off < len) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)pw + off,
                                              (utf8proc_ssize_t)(len - off), &c);
        if (k <= 0)
            return WEAK(err, "密码包含无效的字符编码（须为 UTF-8）");
        if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
            return WEAK(err, "密码不能包含控制字符");
        cp[n++] = c;
        off += (size_t)k;
    }

    if ((int)n < policy->min_length)
        return WEAK(err, "密码太短，至少需要 %d 个字符（当前 %d 个）", policy->min_length, (int)n);
    if (is_periodic(cp, n)) {
        for (i = 1; i < n && cp[i] == cp[0]; i++)
            ;
        if (i == n)
            return WEAK(err, "密码不能由同一个字符重复组成");
        return WEAK(err, "密码不能由简单的片段重复组成");
    }
    if (is_sequence(cp, n))
        return WEAK(err, "密码不能是连续的数字或字母序列");
    if (username && strlen(username) >= 3 && ci_contains(pw, len, username, strlen(username)))
        return WEAK(err, "密码不能包含用户名");

    for (i = 0; i < len; i++)
        low[i] = ascii_lower(pw[i]);
    low[len] = '\0';
    if (is_common_decorated(low, len))
        return WEAK(err, "该密码过于常见，容易被猜中，请换一个");

    need = policy->require_classes > 4 ? 4 : policy->require_classes;
    if (need > 0) {
        for (i = 0; i < n; i++) {
            if (cp[i] >= 'a' && cp[i] <= 'z')
                lower = 1;
            else if (cp[i] >= 'A' && cp[i] <= 'Z')
                upper = 1;
            else if (cp[i] >= '0' && cp[i] <= '9')
                digit = 1;
            else
                other = 1;
        }
        if (lower + upper + digit + other < need)
            return WEAK(err, "密码须至少包含以下四类字符中的 %d 类：小写字母、大写字母、数字、符号",
                        need);
    }
    return 0;
}
