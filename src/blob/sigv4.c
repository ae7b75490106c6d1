/* sigv4.c — see sigv4.h. Follows the steps of AWS's "Create a signed AWS API
 * request" (canonical request, string to sign, derived key, signature). */
#include "blob/sigv4.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "util/mem.h"

#define MAX_SIGNED 32

static void hex(char *out, const unsigned char *d, size_t n)
{
    static const char h[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = h[d[i] >> 4];
        out[2 * i + 1] = h[d[i] & 15];
    }
    out[2 * n] = '\0';
}

void zf_sigv4_uri_encode(zf_buf *out, const char *s, size_t len, int keep_slash)
{
    static const char h[] = "0123456789ABCDEF";
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
            zf_buf_putc(out, (char)c);
        } else {
            char e[3] = {'%', h[c >> 4], h[c & 15]};
            zf_buf_append(out, e, 3);
        }
    }
}

/* one header as signed: lowercase name, value trimmed and spaces folded */
typedef struct canon_hdr {
    char *name;
    char *value;
} canon_hdr;

static int cmp_hdr(const void *a, const void *b)
{
    return strcmp(((const canon_hdr *)a)->name, ((const canon_hdr *)b)->name);
}

static char *fold_value(const char *v)
{
    char *o = zf_malloc(strlen(v) + 1), *p = o;
    int space = 0;

    while (*v == ' ' || *v == '\t')
        v++;
    for (; *v; v++) {
        if (*v == ' ' || *v == '\t') {
            space = 1;
            continue;
        }
        if (space && p > o)
            *p++ = ' ';
        space = 0;
        *p++ = *v;
    }
    *p = '\0';
    return o;
}

static int canon_headers(canon_hdr *out, const zf_sigv4_request *req, zf_err *err)
{
    size_t i, j;

    if (req->nheaders > MAX_SIGNED)
        return zf_err_set(err, ZF_EINVAL, "sigv4_invalid", NULL, "签名的请求头过多");
    for (i = 0; i < req->nheaders; i++) {
        const char *n = req->headers[i].name;
        if (!n || !*n || !req->headers[i].value) {
            for (j = 0; j < i; j++) {
                free(out[j].name);
                free(out[j].value);
            }
            return zf_err_set(err, ZF_EINVAL, "sigv4_invalid", NULL, "签名的请求头名称为空");
        }
        out[i].name = zf_strdup(n);
        for (j = 0; out[i].name[j]; j++)
            out[i].name[j] = (char)tolower((unsigned char)out[i].name[j]);
        out[i].value = fold_value(req->headers[i].value);
    }
    qsort(out, req->nheaders, sizeof *out, cmp_hdr);
    return 0;
}

static void free_headers(canon_hdr *h, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(h[i].name);
        free(h[i].value);
    }
}

/* query parameters sorted by name, then value (both already encoded) */
typedef struct qparam {
    const char *p;
    size_t len;   /* of "name=value" */
    size_t nlen;  /* of name */
} qparam;

static int cmp_q(const void *a, const void *b)
{
    const qparam *x = a, *y = b;
    size_t n = x->nlen < y->nlen ? x->nlen : y->nlen;
    int c = memcmp(x->p, y->p, n);
    size_t vx, vy;

    if (c || x->nlen != y->nlen)
        return c ? c : (x->nlen < y->nlen ? -1 : 1);
    vx = x->len - x->nlen;
    vy = y->len - y->nlen;
    n = vx < vy ? vx : vy;
    c = memcmp(x->p + x->nlen, y->p + y->nlen, n);
    return c ? c : (vx < vy ? -1 : vx > vy);
}

static void canon_query(zf_buf *out, const char *q)
{
    qparam ps[64];
    size_t n = 0, i;

    while (q && *q && n < 64) {
        const char *amp = strchr(q, '&'), *eq;
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        if (len) {
            eq = memchr(q, '=', len);
            ps[n].p = q;
            ps[n].len = len;
            ps[n].nlen = eq ? (size_t)(eq - q) : len;
            n++;
        }
        q += len + (amp ? 1 : 0);
    }
    qsort(ps, n, sizeof *ps, cmp_q);
    for (i = 0; i < n; i++) {
        if (i)
            zf_buf_putc(out, '&');
        zf_buf_append(out, ps[i].p, ps[i].nlen);
        zf_buf_putc(out, '=');
        if (ps[i].len > ps[i].nlen)
            zf_buf_append(out, ps[i].p + ps[i].nlen + 1, ps[i].len - ps[i].nlen - 1);
    }
}

static void signed_names(zf_buf *out, const canon_hdr *h, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (i)
            zf_buf_putc(out, ';');
        zf_buf_puts(out, h[i].name);
    }
}

static int build_canonical(zf_buf *out, const zf_sigv4_request *req, canon_hdr *h, zf_err *err)
{
    size_t i;
    int rc;

    if ((rc = canon_headers(h, req, err)) < 0)
        return rc;
    zf_buf_printf(out, "%s\n%s\n", req->method, req->path && *req->path ? req->path : "/");
    canon_query(out, req->query);
    zf_buf_putc(out, '\n');
    for (i = 0; i < req->nheaders; i++)
        zf_buf_printf(out, "%s:%s\n", h[i].name, h[i].value);
    zf_buf_putc(out, '\n');
    signed_names(out, h, req->nheaders);
    zf_buf_printf(out, "\n%s", req->payload_hash ? req->payload_hash : ZF_SIGV4_EMPTY_SHA256);
    return 0;
}

int zf_sigv4_canonical_request(zf_buf *out, const zf_sigv4_request *req, zf_err *err)
{
    canon_hdr h[MAX_SIGNED];
    int rc = build_canonical(out, req, h, err);

    if (rc == 0)
        free_headers(h, req->nheaders);
    return rc;
}

static const char *date_of(const zf_sigv4_request *req)
{
    size_t i;

    for (i = 0; i < req->nheaders; i++)
        if (req->headers[i].name && strcasecmp(req->headers[i].name, "x-amz-date") == 0)
            return req->headers[i].value;
    return NULL;
}

static int valid_date(const char *d)
{
    int i;

    if (!d || strlen(d) != 16 || d[8] != 'T' || d[15] != 'Z')
        return 0;
    for (i = 0; i < 15; i++)
        if (i != 8 && !isdigit((unsigned char)d[i]))
            return 0;
    return 1;
}

/* string to sign from an already built canonical request */
static void sts_from(zf_buf *out, const zf_buf *canonical, const char *amz_date, const zf_sigv4_key *key)
{
    unsigned char d[SHA256_DIGEST_LENGTH];
    char dh[2 * SHA256_DIGEST_LENGTH + 1];

    SHA256((const unsigned char *)zf_buf_str(canonical), canonical->len, d);
    hex(dh, d, sizeof d);
    zf_buf_printf(out, "AWS4-HMAC-SHA256\n%s\n%.8s/%s/%s/aws4_request\n%s", amz_date, amz_date, key->region,
                  key->service, dh);
}

int zf_sigv4_string_to_sign(zf_buf *out, const zf_sigv4_request *req, const char *amz_date,
                            const zf_sigv4_key *key, zf_err *err)
{
    zf_buf c = ZF_BUF_INIT;
    int rc;

    if (!valid_date(amz_date))
        return zf_err_set(err, ZF_EINVAL, "sigv4_invalid", NULL, "请求时间格式错误");
    if ((rc = zf_sigv4_canonical_request(&c, req, err)) == 0)
        sts_from(out, &c, amz_date, key);
    zf_buf_free(&c);
    return rc;
}

static void hmac(unsigned char out[32], const void *k, size_t klen, const char *msg, size_t mlen)
{
    unsigned int n = 32;

    HMAC(EVP_sha256(), k, (int)klen, (const unsigned char *)msg, mlen, out, &n);
}

int zf_sigv4_authorization(zf_buf *out, const zf_sigv4_request *req, const zf_sigv4_key *key,
                           zf_err *err)
{
    canon_hdr h[MAX_SIGNED];
    zf_buf canonical = ZF_BUF_INIT, sts = ZF_BUF_INIT, k0 = ZF_BUF_INIT;
    const char *date = date_of(req);
    unsigned char kd[32], kr[32], ks[32], kg[32], sig[32];
    char sh[65];
    int rc;

    zf_buf_reset(out);
    if (!valid_date(date))
        return zf_err_set(err, ZF_EINVAL, "sigv4_invalid", NULL, "缺少或错误的 x-amz-date 请求头");
    if ((rc = build_canonical(&canonical, req, h, err)) < 0)
        goto done;
    sts_from(&sts, &canonical, date, key);
    zf_buf_printf(&k0, "AWS4%s", key->secret_key);
    hmac(kd, k0.ptr, k0.len, date, 8);
    hmac(kr, kd, 32, key->region, strlen(key->region));
    hmac(ks, kr, 32, key->service, strlen(key->service));
    hmac(kg, ks, 32, "aws4_request", 12);
    hmac(sig, kg, 32, sts.ptr, sts.len);
    hex(sh, sig, 32);
    zf_buf_printf(out, "AWS4-HMAC-SHA256 Credential=%s/%.8s/%s/%s/aws4_request, SignedHeaders=", key->access_key,
                  date, key->region, key->service);
    signed_names(out, h, req->nheaders);
    zf_buf_printf(out, ", Signature=%s", sh);
    free_headers(h, req->nheaders);
    /* the derived key and secret are wiped: they are as good as the secret for a day */
    OPENSSL_cleanse(kd, sizeof kd);
    OPENSSL_cleanse(kr, sizeof kr);
    OPENSSL_cleanse(ks, sizeof ks);
    OPENSSL_cleanse(kg, sizeof kg);
    if (k0.ptr)
        OPENSSL_cleanse(k0.ptr, k0.len);
done:
    zf_buf_free(&canonical);
    zf_buf_free(&sts);
    zf_buf_free(&k0);
    return rc;
}

void zf_sigv4_amz_date(char out[17], long long t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}
