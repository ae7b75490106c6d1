/* sign.c — see sign.h. */
#include "ledger/sign.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ledger/sm3.h"
#include "util/mem.h"

struct zf_sign_key {
    EVP_PKEY *pkey;
    zf_sign_alg alg;
    bool priv;
    char id[ZF_SIGN_KEY_ID_LEN + 1];
};

const char *zf_sign_alg_name(zf_sign_alg alg)
{
    switch (alg) {
    case ZF_SIGN_SM2: return "sm2";
    case ZF_SIGN_ED25519: return "ed25519";
    }
    return NULL;
}

int zf_sign_alg_parse(zf_sign_alg *out, const char *name, zf_err *err)
{
    if (name && strcmp(name, "sm2") == 0)
        *out = ZF_SIGN_SM2;
    else if (name && strcmp(name, "ed25519") == 0)
        *out = ZF_SIGN_ED25519;
    else
        return zf_err_set(err, ZF_EINVAL, "invalid_algorithm", "algorithm",
                          "签名算法只能是 sm2 或 ed25519");
    return 0;
}

static int ossl_fail(zf_err *err, const char *what)
{
    /* OpenSSL's queue would otherwise leak into the next caller's report. */
    ERR_clear_error();
    return zf_err_set(err, ZF_EINTERNAL, "crypto_failed", NULL, "密码运算失败：%s", what);
}

/* Fills alg, priv and id from k->pkey; ZF_EINVAL for unsupported keys. */
static int describe(zf_sign_key *k, bool priv, zf_err *err)
{
    unsigned char *der = NULL;
    uint8_t h[ZF_DIGEST_LEN];
    int n;

    if (EVP_PKEY_is_a(k->pkey, "ED25519")) {
        k->alg = ZF_SIGN_ED25519;
    } else if (EVP_PKEY_is_a(k->pkey, "SM2")) {
        k->alg = ZF_SIGN_SM2;
    } else if (EVP_PKEY_is_a(k->pkey, "EC")) {
        char group[64] = "";
        size_t glen = 0;
        /* An SM2-curve key written by other tools may load as plain "EC". */
        if (!EVP_PKEY_get_group_name(k->pkey, group, sizeof group, &glen) ||
            strcmp(group, "SM2") != 0)
            return zf_err_set(err, ZF_EINVAL, "unsupported_key", NULL,
                              "只支持 SM2 或 Ed25519 密钥");
        k->alg = ZF_SIGN_SM2;
    } else {
        return zf_err_set(err, ZF_EINVAL, "unsupported_key", NULL, "只支持 SM2 或 Ed25519 密钥");
    }
    k->priv = priv;
    n = i2d_PUBKEY(k->pkey, &der);
    if (n <= 0)
        return ossl_fail(err, "导出公钥");
    zf_sha256(h, der, (size_t)n);
    OPENSSL_free(der);
    zf_hex_encode(k->id, h, ZF_SIGN_KEY_ID_LEN / 2);
    return 0;
}

int zf_sign_key_generate(zf_sign_key **out, zf_sign_alg alg, zf_err *err)
{
    zf_sign_key *k = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    int rc;

    *out = NULL;
    if (!zf_sign_alg_name(alg))
        return zf_err_set(err, ZF_EINVAL, "invalid_algorithm", "algorithm", "签名算法无效");
    ctx = EVP_PKEY_CTX_new_from_name(NULL, alg == ZF_SIGN_SM2 ? "SM2" : "ED25519", NULL);
    k = zf_calloc(1, sizeof *k);
    if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_generate(ctx, &k->pkey) <= 0) {
        rc = ossl_fail(err, "生成密钥");
        goto done;
    }
    if ((rc = describe(k, true, err)) < 0)
        goto done;
    *out = k;
    k = NULL;
done:
    EVP_PKEY_CTX_free(ctx);
    zf_sign_key_free(k);
    return rc;
}

int zf_sign_key_from_pem(zf_sign_key **out, const char *pem, size_t len, zf_err *err)
{
    zf_sign_key *k = NULL;
    BIO *bio = NULL;
    bool priv = true;
    int rc;

    *out = NULL;
    if (len == 0 || len > ZF_SIGN_MAX_PEM)
        return zf_err_set(err, ZF_EINVAL, "invalid_key", NULL, "密钥文件为空或过大");
    k = zf_calloc(1, sizeof *k);
    bio = BIO_new_mem_buf(pem, (int)len);
    if (!bio) {
        rc = ossl_fail(err, "读取密钥");
        goto done;
    }
    /* The empty passphrase callback keeps OpenSSL from prompting on a tty. */
    k->pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"");
    if (!k->pkey) {
        priv = false;
        BIO_free(bio);
        bio = BIO_new_mem_buf(pem, (int)len);
        k->pkey = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
    }
    ERR_clear_error();
    if (!k->pkey) {
        rc = zf_err_set(err, ZF_EINVAL, "invalid_key", NULL, "无法识别的 PEM 密钥");
        goto done;
    }
    if ((rc = describe(k, priv, err)) < 0)
        goto done;
    *out = k;
    k = NULL;
done:
    BIO_free(bio);
    zf_sign_key_free(k);
    return rc;
}

void zf_sign_key_free(zf_sign_key *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pkey);
    free(k);
}

zf_sign_alg zf_sign_key_alg(const zf_sign_key *k)
{
    return k->alg;
}

bool zf_sign_key_has_private(const zf_sign_key *k)
{
    return k->priv;
}

const char *zf_sign_key_id(const zf_sign_key *k)
{
    return k->id;
}

/* Copies what a memory BIO holds onto out. */
static int bio_to_buf(zf_buf *out, BIO *bio, zf_err *err)
{
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);

    if (n <= 0)
        return ossl_fail(err, "导出密钥");
    return zf_buf_append(out, data, (size_t)n);
}

int zf_sign_key_private_pem(zf_buf *out, const zf_sign_key *k, zf_err *err)
{
    BIO *bio;
    int rc;

    if (!k->priv)
        return zf_err_set(err, ZF_EINVAL, "no_private_key", NULL, "没有私钥");
    if (!(bio = BIO_new(BIO_s_mem())))
        return ossl_fail(err, "导出私钥");
    if (!PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL))
        rc = ossl_fail(err, "导出私钥");
    else
        rc = bio_to_buf(out, bio, err);
    BIO_free(bio);
    return rc;
}

int zf_sign_key_public_pem(zf_buf *out, const zf_sign_key *k, zf_err *err)
{
    BIO *bio;
    int rc;

    if (!(bio = BIO_new(BIO_s_mem())))
        return ossl_fail(err, "导出公钥");
    if (!PEM_write_bio_PUBKEY(bio, k->pkey))
        rc = ossl_fail(err, "导出公钥");
    else
        rc = bio_to_buf(out, bio, err);
    BIO_free(bio);
    return rc;
}

int zf_sign_key_public_der(zf_buf *out, const zf_sign_key *k, zf_err *err)
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(k->pkey, &der), rc;

    if (n <= 0)
        return ossl_fail(err, "导出公钥");
    rc = zf_buf_append(out, der, (size_t)n);
    OPENSSL_free(der);
    return rc;
}

int zf_sign_key_public_raw(uint8_t *out, size_t *out_len, const zf_sign_key *k, zf_err *err)
{
    size_t n = 0;

    *out_len = 0;
    if (k->alg == ZF_SIGN_ED25519) {
        n = 32;
        if (!EVP_PKEY_get_raw_public_key(k->pkey, out, &n) || n != 32)
            return ossl_fail(err, "导出公钥");
    } else {
        if (!EVP_PKEY_get_octet_string_param(k->pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out,
                                             65, &n) ||
            n != 65)
            return ossl_fail(err, "导出公钥");
    }
    *out_len = n;
    return 0;
}

/* A message digest context ready to sign or verify with k. The SM2 ID is set
 * after init; OpenSSL 3 computes Z lazily at the first update. */
static EVP_MD_CTX *md_ctx(const zf_sign_key *k, bool sign)
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    const EVP_MD *md = k->alg == ZF_SIGN_SM2 ? EVP_get_digestbyname("SM3") : NULL;
    int ok;

    if (!mctx || (k->alg == ZF_SIGN_SM2 && !md))
        goto fail;
    ok = sign ? EVP_DigestSignInit(mctx, &pctx, md, NULL, k->pkey)
              : EVP_DigestVerifyInit(mctx, &pctx, md, NULL, k->pkey);
    if (ok <= 0)
        goto fail;
    if (k->alg == ZF_SIGN_SM2 &&
        EVP_PKEY_CTX_set1_id(pctx, ZF_SIGN_SM2_ID, strlen(ZF_SIGN_SM2_ID)) <= 0)
        goto fail;
    return mctx;
fail:
    EVP_MD_CTX_free(mctx);
    return NULL;
}

int zf_sign(uint8_t *out, size_t *out_len, const zf_sign_key *k, const void *msg, size_t len,
            zf_err *err)
{
    EVP_MD_CTX *mctx = NULL;
    size_t n = ZF_SIGN_MAX_SIG;
    int rc = 0;

    *out_len = 0;
    if (!k->priv)
        return zf_err_set(err, ZF_EINVAL, "no_private_key", NULL, "没有私钥，无法签名");
    if (!(mctx = md_ctx(k, true)) ||
        EVP_DigestSign(mctx, out, &n, (const unsigned char *)msg, len) <= 0) {
        rc = ossl_fail(err, "签名");
        goto done;
    }
    *out_len = n;
done:
    EVP_MD_CTX_free(mctx);
    return rc;
}

int zf_sign_verify(const zf_sign_key *k, const void *msg, size_t len, const uint8_t *sig,
                   size_t sig_len, zf_err *err)
{
    EVP_MD_CTX *mctx = NULL;
    int rc = 0, ok;

    if (sig_len == 0 || sig_len > ZF_SIGN_MAX_SIG)
        return zf_err_set(err, ZF_EINVAL, "signature_invalid", NULL, "签名无效");
    if (!(mctx = md_ctx(k, false))) {
        rc = ossl_fail(err, "验证签名");
        goto done;
    }
    ok = EVP_DigestVerify(mctx, sig, sig_len, (const unsigned char *)msg, len);
    ERR_clear_error();
    if (ok != 1)
        rc = zf_err_set(err, ZF_EINVAL, "signature_invalid", NULL, "签名无效");
done:
    EVP_MD_CTX_free(mctx);
    return rc;
}
