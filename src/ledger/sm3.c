/* sm3.c — see sm3.h. */
#include "ledger/sm3.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "util/mem.h"

struct zf_digest {
    unsigned algs;
    int finished;
    EVP_MD_CTX *sha256;
    EVP_MD_CTX *sm3;
};

void zf_hex_encode(char *out, const uint8_t *bytes, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

/* EVP_get_digestbyname("SM3") rather than EVP_sm3(): the latter is absent
 * when OpenSSL is built with no-sm3, and a NULL here becomes a clean error. */
static EVP_MD_CTX *start(const char *name)
{
    const EVP_MD *md = EVP_get_digestbyname(name);
    EVP_MD_CTX *c;

    if (!md || !(c = EVP_MD_CTX_new()))
        return NULL;
    if (!EVP_DigestInit_ex(c, md, NULL)) {
        EVP_MD_CTX_free(c);
        return NULL;
    }
    return c;
}

int zf_digest_new(zf_digest **out, unsigned algs, zf_err *err)
{
    zf_digest *d;

    *out = NULL;
    if (algs == 0 || (algs & ~(unsigned)(ZF_DIGEST_SHA256 | ZF_DIGEST_SM3)))
        return zf_err_set(err, ZF_EINVAL, "invalid_digest", NULL, "摘要算法无效");
    d = zf_calloc(1, sizeof *d);
    d->algs = algs;
    if (((algs & ZF_DIGEST_SHA256) && !(d->sha256 = start("SHA256"))) ||
        ((algs & ZF_DIGEST_SM3) && !(d->sm3 = start("SM3")))) {
        zf_digest_free(d);
        return zf_err_set(err, ZF_EINTERNAL, "digest_unavailable", NULL,
                          "OpenSSL 不支持所需的摘要算法");
    }
    *out = d;
    return 0;
}

int zf_digest_update(zf_digest *d, const void *data, size_t len, zf_err *err)
{
    if (d->finished)
        return zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "摘要已结束");
    if (len == 0)
        return 0;
    if ((d->sha256 && !EVP_DigestUpdate(d->sha256, data, len)) ||
        (d->sm3 && !EVP_DigestUpdate(d->sm3, data, len)))
        return zf_err_set(err, ZF_EINTERNAL, "digest_failed", NULL, "计算摘要失败");
    return 0;
}

int zf_digest_final(zf_digest_result *out, zf_digest *d, zf_err *err)
{
    unsigned n = 0;

    memset(out, 0, sizeof *out);
    if (d->finished)
        return zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "摘要已结束");
    d->finished = 1;
    out->algs = d->algs;
    if (d->sha256) {
        if (!EVP_DigestFinal_ex(d->sha256, out->sha256, &n) || n != ZF_DIGEST_LEN)
            return zf_err_set(err, ZF_EINTERNAL, "digest_failed", NULL, "计算摘要失败");
        zf_hex_encode(out->sha256_hex, out->sha256, ZF_DIGEST_LEN);
    }
    if (d->sm3) {
        if (!EVP_DigestFinal_ex(d->sm3, out->sm3, &n) || n != ZF_DIGEST_LEN)
            return zf_err_set(err, ZF_EINTERNAL, "digest_failed", NULL, "计算摘要失败");
        zf_hex_encode(out->sm3_hex, out->sm3, ZF_DIGEST_LEN);
    }
    return 0;
}

void zf_digest_free(zf_digest *d)
{
    if (!d)
        return;
    EVP_MD_CTX_free(d->sha256);
    EVP_MD_CTX_free(d->sm3);
    free(d);
}

/* The one-shot digests use algorithms fetched once: a digest by name
 * fetches from the provider store on every call (a lock and a reference
 * count each time), which showed in zhifa verify's profile. The fetched
 * EVP_MDs live as long as the process; NULL when a provider lacks one. */
static EVP_MD *md_sha256, *md_sm3;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;

static void fetch_mds(void)
{
    md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    md_sm3 = EVP_MD_fetch(NULL, "SM3", NULL);
}

static int oneshot(uint8_t out[ZF_DIGEST_LEN], const EVP_MD *md, const void *data, size_t len)
{
    unsigned n = 0;

    if (!md || !EVP_Digest(data, len, out, &n, md, NULL) || n != ZF_DIGEST_LEN)
        return ZF_EINTERNAL;
    return 0;
}

int zf_sm3(uint8_t out[ZF_DIGEST_LEN], const void *data, size_t len)
{
    pthread_once(&md_once, fetch_mds);
    return oneshot(out, md_sm3, data, len);
}

int zf_sha256(uint8_t out[ZF_DIGEST_LEN], const void *data, size_t len)
{
    pthread_once(&md_once, fetch_mds);
    return oneshot(out, md_sha256, data, len);
}
