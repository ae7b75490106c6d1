/* s3.c — the evidence store on S3-compatible object storage (see s3.h and
 * blob.h). HTTP by libcurl, one easy handle per request; signing by
 * blob/sigv4.c (why not curl's: see sigv4.h). Each thread keeps one easy
 * handle for all its requests, so its connections to the service are reused
 * (a CURLSH connection cache is not safe across concurrent threads).
 *
 * How blob.h's promises are kept on a service without rename or fsync:
 *
 * - Payload hash. Every request carries x-amz-content-sha256 with the real
 *   SHA-256 of its body (never UNSIGNED-PAYLOAD): the service recomputes it
 *   and refuses a body damaged on the way, and the signature covers it.
 *   A whole small object's payload hash is its name.
 * - Small files (up to one part) are buffered in memory, hashed, and sent in
 *   one PUT to their final key: an S3 PUT makes an object visible only
 *   complete, and 200 comes after the service stored it durably.
 * - Larger files cannot go to their final key (its name is the hash, known
 *   only at the end), so they go as a multipart upload to tmp/<random>; at
 *   commit the upload is completed, then copied server-side to the final key
 *   (CopyObject; parts of UploadPartCopy past 5 GiB) and the tmp object
 *   deleted. A thread of the writer sends one part while the caller fills the
 *   next: memory is two part buffers per writer, whatever the file size. Any
 *   failure aborts the multipart upload (or deletes the tmp object), so
 *   nothing is left billed or visible; zf_s3_sweep removes what a crash left.
 * - Write once: before writing a final key we HEAD it; present with the
 *   same size means already stored (the new copy is discarded), another size
 *   means "blob_damaged" and nothing is overwritten. The PUT/copy also sends
 *   If-None-Match: * so that a service that supports conditional writes
 *   refuses a concurrent overwrite (412, read as already stored).
 * - Deletion in two steps: trash copies the object to trash/<hex> and
 *   deletes the final key; restore copies it back; purge deletes trash/.
 * - Verify re-reads the object and hashes it.
 *
 * A 200 answer of CopyObject and CompleteMultipartUpload may still carry an
 * <Error> body (S3 reports late failures that way), so their bodies are read. */
#include "blob/s3.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "blob/s3xml.h"
#include "blob/sigv4.h"
#include "ledger/sm3.h"
#include "util/buf.h"
#include "util/mem.h"

#define DEFAULT_PART (16u * 1024 * 1024)
#define MIN_PART (64u * 1024)         /* tests; real S3 wants 5 MiB */
#define MAX_PARTS 10000               /* S3's limit */
#define COPY_MAX (5ull << 30)         /* CopyObject's limit; past it UploadPartCopy */
#define READ_WINDOW (4u * 1024 * 1024) /* a reader fetches at most this much per ranged GET */
#define FIRST_WINDOW (256u * 1024)     /* ... and starts with this, doubling while read on */
#define RESP_MAX (4u * 1024 * 1024)   /* bound on a response body we keep (XML) */
#define KEY_MAX 512

struct zf_s3 {
    char endpoint[256]; /* scheme://host[:port], no trailing slash */
    char host[256];     /* host[:port] as sent in Host */
    char bucket[64];
    char region[64];
    char access_key[128];
    char *secret_key;
    char prefix[128];
    char root[512];
    uint64_t part_size;
    uint64_t copy_max; /* one CopyObject up to this size; else UploadPartCopy parts of it */
};

struct zf_s3_writer {
    zf_s3 *s;
    int state; /* 0 open, 1 dead, 2 done */
    zf_digest *dg;
    unsigned digests;
    unsigned char *part;
    size_t part_len, part_cap; /* the buffer grows to one part: a photo does not take 16 MiB */
    uint64_t size, max;
    char tmp_key[KEY_MAX];
    char upload_id[512]; /* "" until a multipart upload is started */
    char (*etags)[80];
    int nparts;
    bool tmp_object; /* the completed tmp object exists and is ours to delete */
    /* the sender: a thread of the writer's own uploads one part while the
     * caller fills the next (two part buffers). mu guards job, stop, trc, terr. */
    unsigned char *spare; /* the part being sent, or a free buffer */
    size_t spare_cap, job_len;
    int job_no;
    bool thr_started, job, stop;
    pthread_t thr;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int trc;     /* the sender's first failure, reported by the next call */
    zf_err terr;
};

struct zf_s3_reader {
    zf_s3 *s;
    char key[KEY_MAX];
    uint64_t size;
    unsigned char *win;
    uint64_t win_off;
    size_t win_len;
    size_t next; /* size of the next fetch: small ranges stay cheap, long reads get big GETs */
};

/* ---- one request ---------------------------------------------------------- */

typedef struct s3_req {
    const char *method;
    const char *key;   /* object key (unencoded), NULL for the bucket */
    const char *query; /* encoded, "" for none */
    zf_sigv4_header extra[6];
    int nextra;
    const unsigned char *body;
    size_t body_len;
    /* response */
    long status;
    zf_buf resp;                  /* body, bounded, unless sink */
    size_t (*sink)(void *h, const char *p, size_t n); /* takes the body instead */
    void *sink_h;
    char etag[80];
    uint64_t length; /* Content-Length of the answer (HEAD: the object's size) */
    /* request body cursor */
    size_t sent;
} s3_req;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static pthread_key_t curl_key; /* the thread's easy handle, freed at thread exit */

static void curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pthread_key_create(&curl_key, curl_easy_cleanup);
}

/* The calling thread's easy handle, reset to defaults (its connections kept). */
static CURL *thread_handle(void)
{
    CURL *c = pthread_getspecific(curl_key);

    if (c) {
        curl_easy_reset(c);
        return c;
    }
    if ((c = curl_easy_init()) && pthread_setspecific(curl_key, c) != 0) {
        curl_easy_cleanup(c);
        c = NULL;
    }
    return c;
}

static size_t on_body(char *p, size_t sz, size_t n, void *h)
{
    s3_req *r = h;
    size_t len = sz * n;

    if (r->sink)
        return r->sink(r->sink_h, p, len);
    /* an answer past the bound is not one we need whole: keep the start */
    if (r->resp.len + len <= RESP_MAX)
        zf_buf_append(&r->resp, p, len);
    return len;
}

static size_t on_header(char *p, size_t sz, size_t n, void *h)
{
    s3_req *r = h;
    size_t len = sz * n;

    if (len > 5 && strncasecmp(p, "etag:", 5) == 0) {
        size_t i = 5, j = 0;
        while (i < len && (p[i] == ' ' || p[i] == '\t'))
            i++;
        while (i < len && p[i] != '\r' && p[i] != '\n' && j + 1 < sizeof r->etag)
            r->etag[j++] = p[i++];
        r->etag[j] = '\0';
    } else if (len > 15 && strncasecmp(p, "content-length:", 15) == 0) {
        r->length = strtoull(p + 15, NULL, 10);
    }
    return len;
}

static size_t on_read(char *buf, size_t sz, size_t n, void *h)
{
    s3_req *r = h;
    size_t want = sz * n, left = r->body_len - r->sent;

    if (want > left)
        want = left;
    if (want == 0) /* also an empty body, whose pointer may be NULL */
        return 0;
    memcpy(buf, r->body + r->sent, want);
    r->sent += want;
    return want;
}

static void object_path(zf_buf *out, const zf_s3 *s, const char *key)
{
    zf_buf_putc(out, '/');
    zf_sigv4_uri_encode(out, s->bucket, strlen(s->bucket), 0);
    if (key) {
        zf_buf_putc(out, '/');
        zf_sigv4_uri_encode(out, key, strlen(key), 1);
    }
}

/* Sends r; 0 with r->status set for any HTTP answer, ZF_EIO when no answer. */
static int s3_do(zf_s3 *s, s3_req *r, zf_err *err)
{
    zf_sigv4_header h[10];
    zf_sigv4_key k = {s->access_key, s->secret_key, s->region, "s3"};
    zf_sigv4_request sr;
    zf_buf path = ZF_BUF_INIT, url = ZF_BUF_INIT, auth = ZF_BUF_INIT, line = ZF_BUF_INIT;
    struct curl_slist *hl = NULL;
    unsigned char d[32];
    char date[17], payload[65];
    CURL *c = NULL;
    CURLcode cc;
    int i, n = 0, rc = 0;

    pthread_once(&curl_once, curl_init);
    zf_buf_init(&r->resp, 0);
    r->status = 0;
    r->etag[0] = '\0';
    r->length = 0;
    r->sent = 0;
    SHA256(r->body ? r->body : (const unsigned char *)"", r->body_len, d);
    zf_hex_encode(payload, d, 32);
    zf_sigv4_amz_date(date, (long long)time(NULL));
    object_path(&path, s, r->key);
    h[n++] = (zf_sigv4_header){"host", s->host};
    h[n++] = (zf_sigv4_header){"x-amz-date", date};
    h[n++] = (zf_sigv4_header){"x-amz-content-sha256", payload};
    for (i = 0; i < r->nextra; i++)
        h[n++] = r->extra[i];
    sr = (zf_sigv4_request){r->method, zf_buf_str(&path), r->query, h, (size_t)n, payload};
    if ((rc = zf_sigv4_authorization(&auth, &sr, &k, err)) < 0)
        goto done;
    zf_buf_printf(&url, "%s%s%s%s", s->endpoint, zf_buf_str(&path), r->query && *r->query ? "?" : "",
                  r->query ? r->query : "");
    for (i = 0; i < n; i++) {
        zf_buf_reset(&line);
        zf_buf_printf(&line, "%s: %s", h[i].name, h[i].value);
        hl = curl_slist_append(hl, zf_buf_str(&line));
    }
    zf_buf_reset(&line);
    zf_buf_printf(&line, "Authorization: %s", zf_buf_str(&auth));
    hl = curl_slist_append(hl, zf_buf_str(&line));
    /* unsigned defaults curl would add: none is needed, Expect only delays */
    hl = curl_slist_append(hl, "Expect:");
    hl = curl_slist_append(hl, "Accept:");
    if (!(c = thread_handle())) {
        rc = zf_err_set(err, ZF_EIO, "blob_store_unavailable", NULL, "对象存储连接失败");
        goto done;
    }
    curl_easy_setopt(c, CURLOPT_URL, zf_buf_str(&url));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    /* a stalled transfer (under 1 KB/s for a minute) is a failure, a slow one is not */
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    if (strcmp(r->method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (strcmp(r->method, "PUT") == 0) {
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, r);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->body_len);
    } else if (strcmp(r->method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->body ? (const char *)r->body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
    } else if (strcmp(r->method, "GET") != 0) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
    }
    if ((cc = curl_easy_perform(c)) != CURLE_OK) {
        rc = zf_err_set(err, ZF_EIO, "blob_store_unavailable", NULL, "对象存储请求失败：%s",
                        curl_easy_strerror(cc));
        goto done;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
done:
    if (c) /* the header list is freed below: the handle must not keep it */
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hl);
    if (auth.ptr)
        OPENSSL_cleanse(auth.ptr, auth.len);
    zf_buf_free(&auth);
    zf_buf_free(&path);
    zf_buf_free(&url);
    zf_buf_free(&line);
    return rc;
}

/* An unexpected HTTP answer as an error naming S3's own code when given. */
static int http_error(zf_err *err, int rc, const char *code, const char *what, const s3_req *r)
{
    char scode[64] = "";

    if (r->resp.len)
        zf_s3_xml_text(scode, sizeof scode, r->resp.ptr, r->resp.len, "Code");
    return zf_err_set(err, rc, code, NULL, "对象存储%s失败（HTTP %ld%s%s）", what, r->status, scode[0] ? " " : "",
                      scode);
}

static bool body_has_error(const s3_req *r)
{
    const char *p;
    size_t n;

    return r->resp.len && zf_s3_xml_find(&p, &n, r->resp.ptr, r->resp.len, NULL, "Error") == 0;
}

static void final_key(char out[KEY_MAX], const zf_s3 *s, const char *hex)
{
    snprintf(out, KEY_MAX, "%s%.2s/%.2s/%s", s->prefix, hex, hex + 2, hex);
}

static void trash_key(char out[KEY_MAX], const zf_s3 *s, const char *hex)
{
    snprintf(out, KEY_MAX, "%strash/%s", s->prefix, hex);
}

/* HEAD: 1 present (size in *out_size), 0 absent, <0 error */
static int head(uint64_t *out_size, zf_s3 *s, const char *key, zf_err *err)
{
    s3_req r = {"HEAD", key, ""};
    int rc;

    if ((rc = s3_do(s, &r, err)) < 0)
        goto done;
    if (r.status == 200) {
        if (out_size)
            *out_size = r.length;
        rc = 1;
    } else if (r.status == 404) {
        rc = 0;
    } else {
        rc = http_error(err, ZF_EIO, "blob_store_unavailable", "查询", &r);
    }
done:
    zf_buf_free(&r.resp);
    return rc;
}

static int del(zf_s3 *s, const char *key, zf_err *err)
{
    s3_req r = {"DELETE", key, ""};
    int rc;

    if ((rc = s3_do(s, &r, err)) == 0 && r.status != 204 && r.status != 200 && r.status != 404)
        rc = http_error(err, ZF_EIO, "blob_write_failed", "删除", &r);
    zf_buf_free(&r.resp);
    return rc;
}

static void copy_source(zf_buf *out, const zf_s3 *s, const char *key)
{
    object_path(out, s, key);
}

/* Server-side copy src → dst of an object of size bytes. A 412 (dst exists,
 * If-None-Match) is ZF_ECONFLICT. */
static int copy_object(zf_s3 *s, const char *src, const char *dst, uint64_t size, zf_err *err);

static int copy_single(zf_s3 *s, const char *src, const char *dst, zf_err *err)
{
    zf_buf cs = ZF_BUF_INIT;
    s3_req r = {"PUT", dst, ""};
    int rc;

    copy_source(&cs, s, src);
    r.extra[r.nextra++] = (zf_sigv4_header){"x-amz-copy-source", zf_buf_str(&cs)};
    r.extra[r.nextra++] = (zf_sigv4_header){"if-none-match", "*"};
    if ((rc = s3_do(s, &r, err)) < 0)
        goto done;
    if (r.status == 412)
        rc = zf_err_set(err, ZF_ECONFLICT, "blob_exists", NULL, "对象已存在");
    else if (r.status != 200 || body_has_error(&r))
        rc = http_error(err, ZF_EIO, "blob_write_failed", "复制", &r);
done:
    zf_buf_free(&cs);
    zf_buf_free(&r.resp);
    return rc;
}

static int mp_create(char *out_id, size_t cap, zf_s3 *s, const char *key, zf_err *err)
{
    s3_req r = {"POST", key, "uploads="};
    int rc;

    if ((rc = s3_do(s, &r, err)) < 0)
        goto done;
    if (r.status != 200 || zf_s3_xml_text(out_id, cap, r.resp.ptr, r.resp.len, "UploadId") < 0 || !out_id[0])
        rc = http_error(err, ZF_EIO, "blob_write_failed", "开始分段上传", &r);
done:
    zf_buf_free(&r.resp);
    return rc;
}

static void mp_abort(zf_s3 *s, const char *key, const char *upload_id)
{
    zf_buf q = ZF_BUF_INIT;
    s3_req r = {"DELETE", key, NULL};

    zf_buf_puts(&q, "uploadId=");
    zf_sigv4_uri_encode(&q, upload_id, strlen(upload_id), 0);
    r.query = zf_buf_str(&q);
    s3_do(s, &r, NULL);
    zf_buf_free(&r.resp);
    zf_buf_free(&q);
}

static int mp_complete(zf_s3 *s, const char *key, const char *upload_id, char (*etags)[80], int n, zf_err *err)
{
    zf_buf q = ZF_BUF_INIT, body = ZF_BUF_INIT;
    s3_req r = {"POST", key, NULL};
    int i, rc;

    zf_buf_puts(&q, "uploadId=");
    zf_sigv4_uri_encode(&q, upload_id, strlen(upload_id), 0);
    zf_buf_puts(&body, "<CompleteMultipartUpload>");
    for (i = 0; i < n; i++) {
        zf_buf_printf(&body, "<Part><PartNumber>%d</PartNumber><ETag>", i + 1);
        zf_buf_put_html(&body, etags[i], strlen(etags[i]));
        zf_buf_puts(&body, "</ETag></Part>");
    }
    zf_buf_puts(&body, "</CompleteMultipartUpload>");
    r.query = zf_buf_str(&q);
    r.body = (const unsigned char *)body.ptr;
    r.body_len = body.len;
    r.extra[r.nextra++] = (zf_sigv4_header){"content-type", "application/xml"};
    if ((rc = s3_do(s, &r, err)) == 0 && (r.status != 200 || body_has_error(&r)))
        rc = http_error(err, ZF_EIO, "blob_write_failed", "完成分段上传", &r);
    zf_buf_free(&r.resp);
    zf_buf_free(&q);
    zf_buf_free(&body);
    return rc;
}

/* Past CopyObject's 5 GiB: a multipart upload whose parts are ranges of src. */
static int copy_multipart(zf_s3 *s, const char *src, const char *dst, uint64_t size, zf_err *err)
{
    char id[512] = "", (*etags)[80] = NULL, range[64], q[700];
    zf_buf cs = ZF_BUF_INIT, eid = ZF_BUF_INIT;
    uint64_t off;
    int n = 0, rc;

    if ((rc = mp_create(id, sizeof id, s, dst, err)) < 0)
        return rc;
    zf_sigv4_uri_encode(&eid, id, strlen(id), 0);
    copy_source(&cs, s, src);
    etags = zf_calloc((size_t)(size / s->copy_max + 2), sizeof *etags);
    for (off = 0; off < size; off += s->copy_max) {
        uint64_t last = off + s->copy_max < size ? off + s->copy_max - 1 : size - 1;
        s3_req r = {"PUT", dst, q};
        snprintf(q, sizeof q, "partNumber=%d&uploadId=%s", n + 1, zf_buf_str(&eid));
        snprintf(range, sizeof range, "bytes=%llu-%llu", (unsigned long long)off, (unsigned long long)last);
        r.extra[r.nextra++] = (zf_sigv4_header){"x-amz-copy-source", zf_buf_str(&cs)};
        r.extra[r.nextra++] = (zf_sigv4_header){"x-amz-copy-source-range", range};
        rc = s3_do(s, &r, err);
        if (rc == 0 && (r.status != 200 || body_has_error(&r) ||
                        zf_s3_xml_text(etags[n], sizeof etags[n], r.resp.ptr, r.resp.len, "ETag") < 0))
            rc = http_error(err, ZF_EIO, "blob_write_failed", "复制", &r);
        zf_buf_free(&r.resp);
        if (rc < 0)
            goto done;
        n++;
    }
    rc = mp_complete(s, dst, id, etags, n, err);
done:
    if (rc < 0)
        mp_abort(s, dst, id);
    free(etags);
    zf_buf_free(&cs);
    zf_buf_free(&eid);
    return rc;
}

static int copy_object(zf_s3 *s, const char *src, const char *dst, uint64_t size, zf_err *err)
{
    return size > s->copy_max ? copy_multipart(s, src, dst, size, err) : copy_single(s, src, dst, err);
}

/* ---- store ---------------------------------------------------------------- */

static int bad_config(zf_err *err, const char *what)
{
    return zf_err_set(err, ZF_EINVAL, "blob_config_invalid", NULL, "对象存储配置错误：%s", what);
}

int zf_s3_open(zf_s3 **out, const zf_blob_s3_config *cfg, zf_err *err)
{
    zf_s3 *s;
    const char *h;
    size_t i;
    int rc;

    *out = NULL;
    if (!cfg->endpoint || (strncmp(cfg->endpoint, "http://", 7) != 0 && strncmp(cfg->endpoint, "https://", 8) != 0))
        return bad_config(err, "s3_endpoint 应以 http:// 或 https:// 开头");
    h = strstr(cfg->endpoint, "://") + 3;
    if (!*h || strchr(h, '/') || strlen(cfg->endpoint) >= 256)
        return bad_config(err, "s3_endpoint 只能包含协议、主机名和端口");
    if (!cfg->bucket || !*cfg->bucket || strlen(cfg->bucket) > 63)
        return bad_config(err, "s3_bucket 为空或过长");
    for (i = 0; cfg->bucket[i]; i++)
        if (!(islower((unsigned char)cfg->bucket[i]) || isdigit((unsigned char)cfg->bucket[i]) ||
              cfg->bucket[i] == '-' || cfg->bucket[i] == '.'))
            return bad_config(err, "s3_bucket 只能包含小写字母、数字、连字符和点");
    if (!cfg->access_key || !*cfg->access_key || strlen(cfg->access_key) >= 128)
        return bad_config(err, "缺少 s3_access_key");
    if (!cfg->secret_key || !*cfg->secret_key)
        return bad_config(err, "缺少访问密钥（s3_secret_key_file）");
    if (cfg->region && strlen(cfg->region) >= 64)
        return bad_config(err, "s3_region 过长");
    if (cfg->prefix && strlen(cfg->prefix) >= 100)
        return bad_config(err, "s3_prefix 过长");
    if (cfg->part_size && (cfg->part_size < MIN_PART || cfg->part_size > (1ull << 30)))
        return bad_config(err, "s3_part_size 应在 64 KiB 与 1 GiB 之间");
    s = zf_calloc(1, sizeof *s);
    snprintf(s->endpoint, sizeof s->endpoint, "%s", cfg->endpoint);
    snprintf(s->host, sizeof s->host, "%s", h);
    snprintf(s->bucket, sizeof s->bucket, "%s", cfg->bucket);
    snprintf(s->region, sizeof s->region, "%s", cfg->region && *cfg->region ? cfg->region : "us-east-1");
    snprintf(s->access_key, sizeof s->access_key, "%s", cfg->access_key);
    s->secret_key = zf_strdup(cfg->secret_key);
    snprintf(s->prefix, sizeof s->prefix, "%s", cfg->prefix ? cfg->prefix : "");
    snprintf(s->root, sizeof s->root, "s3://%s/%s", s->bucket, s->prefix);
    s->part_size = cfg->part_size ? cfg->part_size : DEFAULT_PART;
    s->copy_max = cfg->copy_max && cfg->copy_max < COPY_MAX ? cfg->copy_max : COPY_MAX;
    {
        s3_req r = {"HEAD", NULL, ""};
        if ((rc = s3_do(s, &r, err)) == 0 && r.status != 200)
            rc = http_error(err, ZF_EIO, "blob_store_unavailable", "连接（存储桶不可用）", &r);
        zf_buf_free(&r.resp);
    }
    if (rc < 0) {
        zf_s3_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void zf_s3_free(zf_s3 *s)
{
    if (!s)
        return;
    OPENSSL_cleanse(s->secret_key, strlen(s->secret_key));
    free(s->secret_key);
    free(s);
}

const char *zf_s3_root(const zf_s3 *s) { return s->root; }

void zf_s3_location(char *out, size_t cap, const zf_s3 *s, const char *hex)
{
    char k[KEY_MAX];

    final_key(k, s, hex);
    snprintf(out, cap, "s3://%s/%s", s->bucket, k);
}

/* ---- writing -------------------------------------------------------------- */

static int dead(zf_err *err)
{
    return zf_err_set(err, ZF_ECONFLICT, "blob_writer_closed", NULL, "文件写入已结束或已出错");
}

int zf_s3_writer_new(zf_s3_writer **out, zf_s3 *s, unsigned digests, uint64_t max_size, zf_err *err)
{
    zf_s3_writer *w = zf_calloc(1, sizeof *w);
    unsigned char rnd[16];
    char rh[33];
    int rc;

    *out = NULL;
    w->s = s;
    w->max = max_size;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->digests = ZF_DIGEST_SHA256 | ((digests & ZF_BLOB_SM3) ? ZF_DIGEST_SM3 : 0);
    if ((rc = zf_digest_new(&w->dg, w->digests, err)) < 0) {
        free(w);
        return rc;
    }
    if (RAND_bytes(rnd, sizeof rnd) != 1) {
        zf_digest_free(w->dg);
        free(w);
        return zf_err_set(err, ZF_EINTERNAL, "internal", NULL, "随机数生成失败");
    }
    zf_hex_encode(rh, rnd, sizeof rnd);
    snprintf(w->tmp_key, sizeof w->tmp_key, "%stmp/%s", s->prefix, rh);
    *out = w;
    return 0;
}

/* Uploads buf as part no of the writer's multipart upload; its ETag goes
 * to etags[no - 1] (room made by the caller before handing the job over). */
static int send_part(zf_s3_writer *w, const unsigned char *buf, size_t len, int no, zf_err *err)
{
    zf_buf q = ZF_BUF_INIT;
    s3_req r = {"PUT", w->tmp_key, NULL};
    int rc;

    zf_buf_printf(&q, "partNumber=%d&uploadId=", no);
    zf_sigv4_uri_encode(&q, w->upload_id, strlen(w->upload_id), 0);
    r.query = zf_buf_str(&q);
    r.body = buf;
    r.body_len = len;
    if ((rc = s3_do(w->s, &r, err)) == 0 && (r.status != 200 || !r.etag[0]))
        rc = http_error(err, ZF_EIO, "blob_write_failed", "上传分段", &r);
    if (rc == 0)
        snprintf(w->etags[no - 1], sizeof w->etags[0], "%s", r.etag);
    zf_buf_free(&r.resp);
    zf_buf_free(&q);
    return rc;
}

static void *sender(void *arg)
{
    zf_s3_writer *w = arg;
    zf_err e = ZF_ERR_INIT;
    int rc;

    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->job && !w->stop)
            pthread_cond_wait(&w->cv, &w->mu);
        if (!w->job)
            break;
        pthread_mutex_unlock(&w->mu);
        rc = send_part(w, w->spare, w->job_len, w->job_no, &e);
        pthread_mutex_lock(&w->mu);
        if (rc < 0 && !w->trc) {
            w->trc = rc;
            w->terr = e;
        }
        w->job = false;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* Waits until no part is being sent; returns the sender's failure if any. */
static int wait_idle(zf_s3_writer *w, zf_err *err)
{
    int rc;

    pthread_mutex_lock(&w->mu);
    while (w->job)
        pthread_cond_wait(&w->cv, &w->mu);
    rc = w->trc;
    if (rc < 0 && err)
        *err = w->terr;
    pthread_mutex_unlock(&w->mu);
    return rc;
}

static void stop_sender(zf_s3_writer *w)
{
    if (!w->thr_started)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thr, NULL);
    w->thr_started = false;
}

/* Hands the buffered part to the sender (after the previous one is sent)
 * and takes the free buffer to fill the next. */
static int flush_part(zf_s3_writer *w, zf_err *err)
{
    unsigned char *b;
    size_t cap;
    int rc;

    if (!w->upload_id[0] && (rc = mp_create(w->upload_id, sizeof w->upload_id, w->s, w->tmp_key, err)) < 0) {
        w->upload_id[0] = '\0';
        return rc;
    }
    if (w->nparts >= MAX_PARTS)
        return zf_err_set(err, ZF_ETOOBIG, "file_too_large", NULL, "文件过大：超过对象存储的分段数上限");
    if ((rc = wait_idle(w, err)) < 0)
        return rc;
    if (w->nparts % 64 == 0)
        w->etags = zf_realloc(w->etags, (size_t)(w->nparts + 64) * sizeof *w->etags);
    if (!w->thr_started) {
        if (pthread_create(&w->thr, NULL, sender, w) != 0)
            return zf_err_set(err, ZF_EIO, "blob_write_failed", NULL, "无法启动上传线程");
        w->thr_started = true;
    }
    b = w->spare;
    cap = w->spare_cap;
    pthread_mutex_lock(&w->mu);
    w->spare = w->part;
    w->spare_cap = w->part_cap;
    w->job_len = w->part_len;
    w->job_no = ++w->nparts;
    w->job = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    w->part = b;
    w->part_cap = cap;
    w->part_len = 0;
    return 0;
}

int zf_s3_writer_write(zf_s3_writer *w, const void *data, size_t len, zf_err *err)
{
    const unsigned char *p = data;
    int rc;

    if (w->state != 0)
        return dead(err);
    if (w->max && w->size + len > w->max) {
        w->state = 1;
        zf_s3_writer_abort(w);
        return zf_err_set(err, ZF_ETOOBIG, "file_too_large", NULL, "文件过大（上限 %llu 字节）",
                          (unsigned long long)w->max);
    }
    if ((rc = zf_digest_update(w->dg, data, len, err)) < 0)
        goto fail;
    w->size += len;
    while (len) {
        size_t take;
        /* a full part is sent only once more bytes arrive: a file of exactly
         * one part stays a single PUT */
        if (w->part_len == w->s->part_size && (rc = flush_part(w, err)) < 0)
            goto fail;
        if (w->part_cap - w->part_len < len && w->part_cap < w->s->part_size) {
            size_t cap = w->part_cap ? w->part_cap : 64 * 1024;
            while (cap - w->part_len < len && cap < w->s->part_size)
                cap *= 2;
            if (cap > w->s->part_size)
                cap = (size_t)w->s->part_size;
            w->part = zf_realloc(w->part, cap);
            w->part_cap = cap;
        }
        take = w->part_cap - w->part_len;
        if (take > len)
            take = len;
        memcpy(w->part + w->part_len, p, take);
        w->part_len += take;
        p += take;
        len -= take;
    }
    return 0;
fail:
    zf_s3_writer_abort(w);
    w->state = 1;
    return rc;
}

uint64_t zf_s3_writer_size(const zf_s3_writer *w) { return w->size; }

/* Whether the final key holds the content already: 1 yes, 0 absent,
 * <0 an error (another size: blob_damaged). */
static int already(zf_s3_writer *w, const char *key, zf_err *err)
{
    uint64_t size = 0;
    int rc = head(&size, w->s, key, err);

    if (rc == 1 && size != w->size)
        return zf_err_set(err, ZF_EIO, "blob_damaged", NULL,
                          "已存储的同名文件大小不符（可能被改动），未覆盖；请运行 zhifa verify");
    return rc;
}

/* A conditional write was refused (412): someone stored the key between
 * our HEAD and our write. Same size: already stored (1). */
static int raced(zf_s3_writer *w, const char *key, zf_err *err)
{
    int rc = already(w, key, err);

    if (rc == 0)
        rc = zf_err_set(err, ZF_EIO, "blob_write_failed", NULL, "文件保存失败，请重试");
    return rc;
}

/* One PUT of the whole (buffered) file to its final key; the payload hash
 * s3_do sends is then the file's own SHA-256, its name. */
static int put_small(zf_s3_writer *w, const char *key, zf_err *err)
{
    s3_req r = {"PUT", key, ""};
    int rc;

    r.body = w->part;
    r.body_len = w->part_len;
    r.extra[r.nextra++] = (zf_sigv4_header){"if-none-match", "*"};
    if ((rc = s3_do(w->s, &r, err)) == 0) {
        if (r.status == 412)
            rc = zf_err_set(err, ZF_ECONFLICT, "blob_exists", NULL, "对象已存在");
        else if (r.status != 200)
            rc = http_error(err, ZF_EIO, "blob_write_failed", "写入", &r);
    }
    zf_buf_free(&r.resp);
    return rc;
}

int zf_s3_writer_commit(zf_blob_info *out, zf_s3_writer *w, zf_err *err)
{
    zf_digest_result res;
    char key[KEY_MAX];
    int rc;

    if (w->state != 0)
        return dead(err);
    if ((rc = zf_digest_final(&res, w->dg, err)) < 0)
        goto fail;
    final_key(key, w->s, res.sha256_hex);
    memset(out, 0, sizeof *out);
    if (!w->upload_id[0]) {
        if ((rc = already(w, key, err)) < 0)
            goto fail;
        if (rc == 0 && (rc = put_small(w, key, err)) == ZF_ECONFLICT)
            rc = raced(w, key, err);
        if (rc < 0)
            goto fail;
        out->already_stored = rc == 1;
    } else {
        /* the last part (a multipart upload has at least one byte in it) */
        if ((w->part_len && (rc = flush_part(w, err)) < 0) || (rc = wait_idle(w, err)) < 0)
            goto fail;
        stop_sender(w);
        if ((rc = mp_complete(w->s, w->tmp_key, w->upload_id, w->etags, w->nparts, err)) < 0)
            goto fail;
        w->upload_id[0] = '\0';
        w->tmp_object = true;
        if ((rc = already(w, key, err)) < 0)
            goto fail;
        if (rc == 0 && (rc = copy_object(w->s, w->tmp_key, key, w->size, err)) == ZF_ECONFLICT)
            rc = raced(w, key, err);
        if (rc < 0)
            goto fail;
        out->already_stored = rc == 1;
        /* the content is safe under its name: a failed delete of the tmp
         * copy only leaves work for the sweep */
        if (del(w->s, w->tmp_key, NULL) == 0)
            w->tmp_object = false;
    }
    memcpy(out->sha256, res.sha256_hex, sizeof out->sha256);
    if (w->digests & ZF_DIGEST_SM3)
        memcpy(out->sm3, res.sm3_hex, sizeof out->sm3);
    out->size = w->size;
    w->state = 2;
    free(w->part);
    w->part = NULL;
    w->part_cap = 0;
    return 0;
fail:
    zf_s3_writer_abort(w);
    w->state = 1;
    return rc;
}

void zf_s3_writer_abort(zf_s3_writer *w)
{
    if (!w || w->state == 2)
        return;
    /* a part being sent finishes first: the abort must come after it */
    stop_sender(w);
    if (w->upload_id[0]) {
        mp_abort(w->s, w->tmp_key, w->upload_id);
        w->upload_id[0] = '\0';
    }
    if (w->tmp_object && del(w->s, w->tmp_key, NULL) == 0)
        w->tmp_object = false;
    free(w->part);
    free(w->spare);
    w->part = w->spare = NULL;
    w->part_cap = w->spare_cap = 0;
    w->state = 1;
}

void zf_s3_writer_free(zf_s3_writer *w)
{
    if (!w)
        return;
    zf_s3_writer_abort(w);
    stop_sender(w); /* after a commit too */
    zf_digest_free(w->dg);
    free(w->etags);
    free(w->part);
    free(w->spare);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
}

/* ---- reading -------------------------------------------------------------- */

int zf_s3_reader_open(zf_s3_reader **out, zf_s3 *s, const char *hex, zf_err *err)
{
    zf_s3_reader *r = zf_calloc(1, sizeof *r);
    int rc;

    *out = NULL;
    r->s = s;
    r->next = FIRST_WINDOW;
    final_key(r->key, s, hex);
    if ((rc = head(&r->size, s, r->key, err)) <= 0) {
        free(r);
        return rc < 0 ? rc : zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "文件不存在");
    }
    *out = r;
    return 0;
}

uint64_t zf_s3_reader_size(const zf_s3_reader *r) { return r->size; }

typedef struct win_sink {
    unsigned char *p;
    size_t len, cap;
} win_sink;

static size_t to_window(void *h, const char *p, size_t n)
{
    win_sink *w = h;

    if (n > w->cap - w->len)
        return 0; /* more than asked for: fail the transfer */
    memcpy(w->p + w->len, p, n);
    w->len += n;
    return n;
}

static int fetch(zf_s3_reader *r, uint64_t off, size_t len, zf_err *err)
{
    char range[64];
    win_sink ws;
    s3_req q = {"GET", r->key, ""};
    int rc;

    if (!r->win)
        r->win = zf_malloc(READ_WINDOW);
    ws = (win_sink){r->win, 0, len};
    snprintf(range, sizeof range, "bytes=%llu-%llu", (unsigned long long)off, (unsigned long long)(off + len - 1));
    q.extra[q.nextra++] = (zf_sigv4_header){"range", range};
    q.sink = to_window;
    q.sink_h = &ws;
    r->win_len = 0;
    if ((rc = s3_do(r->s, &q, err)) == 0) {
        if (q.status == 404)
            rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "文件不存在");
        else if (q.status != 206 && !(q.status == 200 && off == 0 && len == r->size))
            rc = zf_err_set(err, ZF_EIO, "blob_read_failed", NULL, "对象存储读取失败（HTTP %ld）", q.status);
        else if (ws.len != len)
            rc = zf_err_set(err, ZF_EIO, "blob_read_failed", NULL, "对象存储返回的内容长度不符");
    }
    if (rc == 0) {
        r->win_off = off;
        r->win_len = ws.len;
    }
    zf_buf_free(&q.resp);
    return rc;
}

int zf_s3_reader_read(size_t *out_len, zf_s3_reader *r, void *buf, size_t cap, uint64_t offset, zf_err *err)
{
    size_t n;
    int rc;

    *out_len = 0;
    if (offset >= r->size || cap == 0)
        return 0;
    if (!(r->win_len && offset >= r->win_off && offset < r->win_off + r->win_len)) {
        uint64_t len = r->size - offset;
        size_t want = r->next > cap ? r->next : cap;
        if (want > READ_WINDOW)
            want = READ_WINDOW;
        if (len > want)
            len = want;
        if ((rc = fetch(r, offset, (size_t)len, err)) < 0)
            return rc;
        r->next = r->next * 2 > READ_WINDOW ? READ_WINDOW : r->next * 2;
    }
    n = (size_t)(r->win_off + r->win_len - offset);
    if (n > cap)
        n = cap;
    memcpy(buf, r->win + (offset - r->win_off), n);
    *out_len = n;
    return 0;
}

void zf_s3_reader_free(zf_s3_reader *r)
{
    if (!r)
        return;
    free(r->win);
    free(r);
}

/* ---- checking ------------------------------------------------------------- */

typedef struct hash_sink {
    zf_digest *dg;
    uint64_t n;
} hash_sink;

static size_t to_digest(void *h, const char *p, size_t n)
{
    hash_sink *hs = h;

    zf_digest_update(hs->dg, p, n, NULL);
    hs->n += n;
    return n;
}

int zf_s3_verify(zf_blob_check *out, zf_s3 *s, const char *hex, const char *sm3_hex, zf_err *err)
{
    char key[KEY_MAX];
    hash_sink hs = {NULL, 0};
    zf_digest_result res;
    s3_req r = {"GET", key, ""};
    int rc;

    final_key(key, s, hex);
    if ((rc = zf_digest_new(&hs.dg, ZF_DIGEST_SHA256 | (sm3_hex ? ZF_DIGEST_SM3 : 0), err)) < 0)
        return rc;
    /* streamed straight into the hash: memory does not grow with the object */
    r.sink = to_digest;
    r.sink_h = &hs;
    if ((rc = s3_do(s, &r, err)) < 0)
        goto done;
    if (r.status == 404) {
        *out = ZF_BLOB_MISSING;
        goto done;
    }
    if (r.status != 200) {
        rc = zf_err_set(err, ZF_EIO, "blob_read_failed", NULL, "对象存储读取失败（HTTP %ld）", r.status);
        goto done;
    }
    if ((rc = zf_digest_final(&res, hs.dg, err)) < 0)
        goto done;
    *out = strcmp(res.sha256_hex, hex) == 0 && (!sm3_hex || strcmp(res.sm3_hex, sm3_hex) == 0) ? ZF_BLOB_INTACT
                                                                                              : ZF_BLOB_CORRUPT;
done:
    zf_digest_free(hs.dg);
    zf_buf_free(&r.resp);
    return rc;
}

/* ---- deletion ------------------------------------------------------------- */

int zf_s3_state_of(zf_blob_state *out, zf_s3 *s, const char *hex, zf_err *err)
{
    char key[KEY_MAX];
    int rc;

    final_key(key, s, hex);
    if ((rc = head(NULL, s, key, err)) < 0)
        return rc;
    if (rc == 1) {
        *out = ZF_BLOB_STORED;
        return 0;
    }
    trash_key(key, s, hex);
    if ((rc = head(NULL, s, key, err)) < 0)
        return rc;
    *out = rc == 1 ? ZF_BLOB_TRASHED : ZF_BLOB_ABSENT;
    return 0;
}

/* Copies from → to (to must not exist) and deletes from. */
static int move(zf_s3 *s, const char *from, const char *to, zf_err *err)
{
    uint64_t size = 0;
    int rc;

    if ((rc = head(&size, s, from, err)) < 0)
        return rc;
    if (rc == 0)
        return zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "文件不存在");
    if ((rc = head(NULL, s, to, err)) < 0)
        return rc;
    /* a copy left by an interrupted move is the same content (same name) */
    if (rc == 0 && (rc = copy_object(s, from, to, size, err)) < 0 && rc != ZF_ECONFLICT)
        return rc;
    return del(s, from, err);
}

int zf_s3_trash(zf_s3 *s, const char *hex, zf_err *err)
{
    char f[KEY_MAX], t[KEY_MAX];

    final_key(f, s, hex);
    trash_key(t, s, hex);
    return move(s, f, t, err);
}

int zf_s3_restore(zf_s3 *s, const char *hex, zf_err *err)
{
    char f[KEY_MAX], t[KEY_MAX];
    int rc;

    final_key(f, s, hex);
    trash_key(t, s, hex);
    if ((rc = head(NULL, s, t, err)) < 0)
        return rc;
    if (rc == 0)
        return zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "回收区中没有该文件");
    if ((rc = head(NULL, s, f, err)) < 0)
        return rc;
    if (rc == 1) /* stored again meanwhile: STORED wins, drop the trashed copy */
        return del(s, t, err);
    return move(s, t, f, err);
}

int zf_s3_purge(zf_s3 *s, const char *hex, zf_err *err)
{
    char t[KEY_MAX];
    int rc;

    trash_key(t, s, hex);
    if ((rc = head(NULL, s, t, err)) < 0)
        return rc;
    if (rc == 0)
        return zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "回收区中没有该文件");
    return del(s, t, err);
}

/* ---- housekeeping --------------------------------------------------------- */

/* "2026-11-28T05:00:00.000Z" → Unix seconds; -1 when malformed */
static long long iso_time(const char *p, size_t n)
{
    struct tm tm;
    char b[32];

    if (n < 19 || n >= sizeof b)
        return -1;
    memcpy(b, p, n);
    b[n] = '\0';
    memset(&tm, 0, sizeof tm);
    if (sscanf(b, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
               &tm.tm_sec) != 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (long long)timegm(&tm);
}

static void unescape_into(char *out, size_t cap, const char *p, size_t n)
{
    /* keys and upload ids of ours never contain entities; copy as is */
    if (n >= cap)
        n = cap - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

/* Aborts multipart uploads and deletes objects under tmp/ older than
 * older_than (one page of each listing per call: up to 1000). */
int zf_s3_sweep(size_t *out_removed, zf_s3 *s, time_t older_than, zf_err *err)
{
    zf_buf q = ZF_BUF_INIT;
    char prefix[KEY_MAX];
    size_t removed = 0, pos = 0;
    const char *blk;
    size_t blen;
    s3_req r = {"GET", NULL, NULL};
    int rc;

    snprintf(prefix, sizeof prefix, "%stmp/", s->prefix);
    zf_buf_puts(&q, "uploads=&prefix=");
    zf_sigv4_uri_encode(&q, prefix, strlen(prefix), 0);
    r.query = zf_buf_str(&q);
    if ((rc = s3_do(s, &r, err)) < 0)
        goto done;
    /* a service without ListMultipartUploads (501) relies on the bucket's
     * lifecycle rule AbortIncompleteMultipartUpload (docs/architecture.md) */
    if (r.status != 200 && r.status != 501) {
        rc = http_error(err, ZF_EIO, "blob_store_unavailable", "列出分段上传", &r);
        goto done;
    }
    while (r.status == 200 && zf_s3_xml_find(&blk, &blen, r.resp.ptr, r.resp.len, &pos, "Upload") == 0) {
        const char *v;
        size_t vn;
        char key[KEY_MAX], id[512];
        long long t;
        if (zf_s3_xml_find(&v, &vn, blk, blen, NULL, "Initiated") < 0 || (t = iso_time(v, vn)) < 0 ||
            t >= (long long)older_than)
            continue;
        if (zf_s3_xml_find(&v, &vn, blk, blen, NULL, "Key") < 0)
            continue;
        unescape_into(key, sizeof key, v, vn);
        if (zf_s3_xml_find(&v, &vn, blk, blen, NULL, "UploadId") < 0 || strncmp(key, prefix, strlen(prefix)) != 0)
            continue;
        unescape_into(id, sizeof id, v, vn);
        mp_abort(s, key, id);
        removed++;
    }
    zf_buf_free(&r.resp);
    zf_buf_reset(&q);
    zf_buf_puts(&q, "list-type=2&prefix=");
    zf_sigv4_uri_encode(&q, prefix, strlen(prefix), 0);
    r = (s3_req){"GET", NULL, zf_buf_str(&q)};
    if ((rc = s3_do(s, &r, err)) < 0)
        goto done;
    if (r.status != 200) {
        rc = http_error(err, ZF_EIO, "blob_store_unavailable", "列出对象", &r);
        goto done;
    }
    pos = 0;
    while (zf_s3_xml_find(&blk, &blen, r.resp.ptr, r.resp.len, &pos, "Contents") == 0) {
        const char *v;
        size_t vn;
        char key[KEY_MAX];
        long long t;
        if (zf_s3_xml_find(&v, &vn, blk, blen, NULL, "LastModified") < 0 || (t = iso_time(v, vn)) < 0 ||
            t >= (long long)older_than)
            continue;
        if (zf_s3_xml_find(&v, &vn, blk, blen, NULL, "Key") < 0)
            continue;
        unescape_into(key, sizeof key, v, vn);
        if (strncmp(key, prefix, strlen(prefix)) == 0 && del(s, key, NULL) == 0)
            removed++;
    }
done:
    if (out_removed)
        *out_removed = removed;
    zf_buf_free(&r.resp);
    zf_buf_free(&q);
    return rc;
}
