/* multipart.c — see multipart.h.
 *
 * The body is a byte stream cut by the delimiter "\r\n--BOUNDARY". The parser
 * finds it with Knuth-Morris-Pratt, one byte at a time only from a CR on
 * (memchr skips the rest). Bytes that might be the start of a delimiter are
 * held back; because they always equal a prefix of the delimiter, holding
 * them needs no buffer: when a partial match fails, the bytes that fall out
 * are re-emitted from the delimiter string itself. So data memory is O(1) and
 * runs of data reach the callback in as few calls as the chunks allow.
 *
 * The body is treated as if preceded by CRLF, so that a first delimiter at
 * the very start ("--BOUNDARY" with no preamble) is found like any other. */
#include "http/multipart.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#define DELIM_MAX (4 + ZF_MULTIPART_BOUNDARY_MAX)

enum state {
    S_PREAMBLE, /* before the first delimiter: ignored */
    S_TAIL,     /* just after a delimiter: "--", padding or CRLF follows */
    S_TAIL_DASH,
    S_TAIL_PAD,
    S_TAIL_CR,
    S_HEADERS,  /* collecting a part's header lines */
    S_DATA,     /* a part's content */
    S_EPILOGUE, /* after the close delimiter: ignored */
    S_ERROR
};

struct zf_multipart {
    char delim[DELIM_MAX];
    size_t dlen;
    unsigned char fail[DELIM_MAX]; /* KMP failure function of delim */
    size_t match;                  /* delimiter bytes matched so far */
    enum state state;
    size_t nparts;
    zf_multipart_limits lim;
    zf_multipart_callbacks cb;
    void *ctx;
    char *hdr; /* the current part's header bytes, max_header_bytes */
    size_t hlen;
    char *scratch; /* decoded header strings */
    size_t scap, slen;
    int rc;     /* sticky error */
    zf_err err; /* its detail, replayed on later calls */
};

/* ---- small helpers ---------------------------------------------------- */

static bool is_ows(char c) { return c == ' ' || c == '\t'; }

static bool is_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

static bool ieq(const char *s, size_t n, const char *lit)
{
    size_t i;

    if (strlen(lit) != n)
        return false;
    for (i = 0; i < n; i++)
        if (lower(s[i]) != lit[i])
            return false;
    return true;
}

/* Strict UTF-8 (no overlongs, surrogates or code points above U+10FFFF), and
 * no C0 controls or DEL: these strings end up in file names and HTML. */
static bool valid_text(const unsigned char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c = s[i];
        size_t k;
        uint32_t cp;

        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f)
                return false;
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            k = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            k = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            k = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i <= k)
            return false;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + j] & 0x3f);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += k + 1;
    }
    return true;
}

/* Reads a quoted-string starting at s (*s == '"') up to e into out (NUL
 * terminated, at most cap bytes with the NUL). A backslash escapes only '"'
 * and '\\': browsers do not escape, and old ones send Windows paths such as
 * "C:\dir\a.jpg" whose backslashes must survive. Returns the position after
 * the closing quote, or NULL when it is missing or the value has a control
 * character. */
static const char *read_quoted(char *out, size_t cap, size_t *out_len, const char *s,
                               const char *e)
{
    size_t n = 0;

    s++;
    while (s < e && *s != '"') {
        char c = *s;
        if (c == '\\' && s + 1 < e && (s[1] == '"' || s[1] == '\\')) {
            c = s[1];
            s++;
        } else if ((unsigned char)c < 0x20 && c != '\t') {
            return NULL;
        } else if (c == 0x7f) {
            return NULL;
        }
        if (n + 1 >= cap)
            return NULL;
        out[n++] = c;
        s++;
    }
    if (s >= e)
        return NULL;
    out[n] = '\0';
    if (out_len)
        *out_len = n;
    return s + 1;
}

/* ---- Content-Type of the request ------------------------------------- */

static int bad_ct(zf_err *err, const char *why)
{
    return zf_err_set(err, ZF_EINVAL, "invalid_content_type", "Content-Type",
                      "Content-Type 无效：%s", why);
}

static bool is_bchar(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("'()+_,-./:=? ", c) != NULL);
}

int zf_multipart_boundary(char out[ZF_MULTIPART_BOUNDARY_MAX + 1], const char *content_type,
                          size_t len, zf_err *err)
{
    const char *s = content_type, *e = content_type + len, *t;
    char val[ZF_MULTIPART_BOUNDARY_MAX + 2];
    size_t vlen = 0, i;
    bool found = false;

    if (!content_type || len == 0)
        return bad_ct(err, "缺少 Content-Type");
    while (s < e && is_ows(*s))
        s++;
    t = s;
    while (t < e && *t != ';')
        t++;
    {
        const char *te = t;
        while (te > s && is_ows(te[-1]))
            te--;
        if (!ieq(s, (size_t)(te - s), "multipart/form-data"))
            return bad_ct(err, "上传须使用 multipart/form-data");
    }
    s = t;
    while (s < e) {
        const char *ns, *ne;

        s++; /* past ';' */
        while (s < e && is_ows(*s))
            s++;
        if (s == e)
            break; /* a trailing ';' */
        ns = s;
        while (s < e && is_tchar((unsigned char)*s))
            s++;
        ne = s;
        if (ne == ns || s >= e || *s != '=')
            return bad_ct(err, "参数格式错误");
        s++;
        if (ieq(ns, (size_t)(ne - ns), "boundary")) {
            if (found)
                return bad_ct(err, "boundary 参数重复");
            found = true;
            if (s < e && *s == '"') {
                s = read_quoted(val, sizeof val, &vlen, s, e);
                if (!s)
                    return bad_ct(err, "boundary 引号不完整或过长");
            } else {
                const char *vs = s;
                while (s < e && is_tchar((unsigned char)*s))
                    s++;
                vlen = (size_t)(s - vs);
                if (vlen >= sizeof val)
                    return bad_ct(err, "boundary 过长");
                memcpy(val, vs, vlen);
                val[vlen] = '\0';
            }
        } else if (s < e && *s == '"') {
            char skip[1024];
            if (!read_quoted(skip, sizeof skip, NULL, s, e))
                return bad_ct(err, "参数引号不完整");
            s = read_quoted(skip, sizeof skip, NULL, s, e);
        } else {
            while (s < e && is_tchar((unsigned char)*s))
                s++;
        }
        while (s < e && is_ows(*s))
            s++;
        if (s < e && *s != ';')
            return bad_ct(err, "参数格式错误");
    }
    if (!found)
        return bad_ct(err, "缺少 boundary 参数");
    if (vlen < 1 || vlen > ZF_MULTIPART_BOUNDARY_MAX)
        return bad_ct(err, "boundary 长度须为 1 至 70 个字符");
    for (i = 0; i < vlen; i++)
        if (!is_bchar(val[i]))
            return bad_ct(err, "boundary 含有不允许的字符");
    if (val[vlen - 1] == ' ')
        return bad_ct(err, "boundary 不能以空格结尾");
    memcpy(out, val, vlen + 1);
    return 0;
}

/* ---- the parser ------------------------------------------------------- */

static int fail_with(zf_multipart *mp, int rc, const char *code, const char *msg)
{
    mp->state = S_ERROR;
    mp->rc = rc;
    zf_err_set(&mp->err, rc, code, NULL, "%s", msg);
    return rc;
}

static int malformed(zf_multipart *mp, const char *msg)
{
    return fail_with(mp, ZF_EINVAL, "multipart_malformed", msg);
}

/* A callback failed: keep its detail (or a default) and stop. */
static int cb_failed(zf_multipart *mp, int rc)
{
    if (rc > 0)
        rc = ZF_EINTERNAL;
    if (mp->err.rc != rc)
        zf_err_set(&mp->err, rc, NULL, NULL, "上传处理失败");
    mp->state = S_ERROR;
    mp->rc = rc;
    return rc;
}

int zf_multipart_new(zf_multipart **out, const char *boundary, const zf_multipart_limits *limits,
                     const zf_multipart_callbacks *cb, void *ctx, zf_err *err)
{
    zf_multipart *mp;
    size_t blen = boundary ? strlen(boundary) : 0, k, i;
    zf_multipart_limits def = ZF_MULTIPART_LIMITS_INIT;

    *out = NULL;
    if (blen < 1 || blen > ZF_MULTIPART_BOUNDARY_MAX)
        return zf_err_set(err, ZF_EINVAL, "invalid_content_type", "Content-Type",
                          "boundary 长度须为 1 至 70 个字符");
    mp = zf_calloc(1, sizeof *mp);
    memcpy(mp->delim, "\r\n--", 4);
    memcpy(mp->delim + 4, boundary, blen);
    mp->dlen = 4 + blen;
    /* fail[i]: longest proper prefix of delim[0..i] that is also its suffix */
    mp->fail[0] = 0;
    for (i = 1, k = 0; i < mp->dlen; i++) {
        while (k > 0 && mp->delim[i] != mp->delim[k])
            k = mp->fail[k - 1];
        if (mp->delim[i] == mp->delim[k])
            k++;
        mp->fail[i] = (unsigned char)k;
    }
    mp->lim = limits ? *limits : def;
    if (mp->lim.max_header_bytes < 64)
        mp->lim.max_header_bytes = 64;
    if (cb)
        mp->cb = *cb;
    mp->ctx = ctx;
    mp->hdr = zf_malloc(mp->lim.max_header_bytes);
    /* raw values (at most the header size) plus filename* decoded, which at
     * most doubles (ISO-8859-1 to UTF-8), plus NULs */
    mp->scap = 3 * mp->lim.max_header_bytes + 16;
    mp->scratch = zf_malloc(mp->scap);
    mp->state = S_PREAMBLE;
    mp->match = 2; /* the virtual CRLF before the body */
    *out = mp;
    return 0;
}

void zf_multipart_free(zf_multipart *mp)
{
    if (!mp)
        return;
    free(mp->hdr);
    free(mp->scratch);
    free(mp);
}

static int emit(zf_multipart *mp, const char *p, size_t n)
{
    int rc;

    if (n == 0 || !mp->cb.on_part_data)
        return 0;
    rc = mp->cb.on_part_data(mp->ctx, p, n, &mp->err);
    return rc ? cb_failed(mp, rc) : 0;
}

/* Searches data[*pos..len) for the delimiter, passing the part data before
 * it to the callback when `deliver`. Returns 1 with *pos just past the
 * delimiter, 0 with *pos == len when the chunk ended first (a partial match
 * is remembered in mp->match), or a negative error. */
static int scan(zf_multipart *mp, const char *data, size_t len, size_t *pos, bool deliver)
{
    const char *d = mp->delim;
    size_t i = *pos, pend = i;
    size_t carried = mp->match; /* matched bytes from earlier chunks, == d[0..carried) */
    int rc;

    while (i < len) {
        char c;

        if (mp->match == 0) {
            const char *cr = memchr(data + i, '\r', len - i);
            if (!cr) {
                i = len;
                break;
            }
            i = (size_t)(cr - data);
        }
        c = data[i];
        while (mp->match > 0 && d[mp->match] != c) {
            size_t nm = mp->fail[mp->match - 1];
            size_t drop = mp->match - nm;
            if (carried > 0) {
                /* the oldest matched bytes came from an earlier chunk: they
                 * equal d[0..d1) and are data after all */
                size_t d1 = drop < carried ? drop : carried;
                if (deliver && (rc = emit(mp, d, d1)) < 0)
                    return rc;
                carried -= d1;
            }
            mp->match = nm;
        }
        if (d[mp->match] == c)
            mp->match++;
        i++;
        if (mp->match == mp->dlen) {
            size_t end = i - (mp->dlen - carried); /* where the delimiter began */
            if (deliver && end > pend && (rc = emit(mp, data + pend, end - pend)) < 0)
                return rc;
            mp->match = 0;
            *pos = i;
            return 1;
        }
    }
    /* hold back the bytes that may start a delimiter in the next chunk */
    if (deliver) {
        size_t end = len - (mp->match - carried);
        if (end > pend && (rc = emit(mp, data + pend, end - pend)) < 0)
            return rc;
    }
    *pos = len;
    return 0;
}

/* Appends n bytes to the scratch area as a NUL-terminated string; returns
 * its start. The area is sized so this cannot overflow (asserted). */
static char *scratch_put(zf_multipart *mp, const char *s, size_t n)
{
    char *p = mp->scratch + mp->slen;

    if (mp->slen + n + 1 > mp->scap)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    mp->slen += n + 1;
    return p;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Decodes an RFC 8187 ext-value (charset'lang'pct-encoded) into the scratch
 * area as UTF-8. Returns 1 and sets *out, 0 for an unknown charset (the
 * caller falls back to plain filename), or -1 when malformed. */
static int decode_ext(zf_multipart *mp, const char **out, const char *s, size_t n)
{
    const char *e = s + n, *q1, *q2, *p;
    bool latin1;
    char *dst = mp->scratch + mp->slen, *w = dst;
    size_t room = mp->scap - mp->slen;

    q1 = memchr(s, '\'', n);
    if (!q1)
        return -1;
    q2 = memchr(q1 + 1, '\'', (size_t)(e - q1 - 1));
    if (!q2)
        return -1;
    if (ieq(s, (size_t)(q1 - s), "utf-8"))
        latin1 = false;
    else if (ieq(s, (size_t)(q1 - s), "iso-8859-1"))
        latin1 = true;
    else
        return 0;
    for (p = q2 + 1; p < e; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '%') {
            int h, l;
            if (e - p < 3 || (h = hexval(p[1])) < 0 || (l = hexval(p[2])) < 0)
                return -1;
            c = (unsigned char)(h * 16 + l);
            p += 2;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     strchr("!#$&+-.^_`|~", c))) {
            return -1; /* not an attr-char */
        }
        if ((size_t)(w - dst) + 3 > room)
            return -1;
        if (latin1 && c >= 0x80) {
            *w++ = (char)(0xc0 | (c >> 6));
            *w++ = (char)(0x80 | (c & 0x3f));
        } else {
            *w++ = (char)c;
        }
    }
    *w = '\0';
    if (!valid_text((const unsigned char *)dst, (size_t)(w - dst)))
        return -1;
    mp->slen += (size_t)(w - dst) + 1;
    *out = dst;
    return 1;
}

/* The last path component: RFC 7578 §4.2 says receivers must not trust
 * directory information in a filename. */
static const char *base_name(const char *s)
{
    const char *b = s, *p;

    for (p = s; *p; p++)
        if (*p == '/' || *p == '\\')
            b = p + 1;
    return b;
}

/* Parses `form-data; name="x"; filename="y"; filename*=UTF-8''z` into part. */
static int parse_disposition(zf_multipart *mp, zf_multipart_part *part, const char *s,
                             const char *e)
{
    const char *t = s;
    const char *fname = NULL, *fname_ext = NULL;
    bool have_ext = false;

    while (t < e && is_tchar((unsigned char)*t))
        t++;
    if (!ieq(s, (size_t)(t - s), "form-data"))
        return malformed(mp, "Content-Disposition 须为 form-data");
    s = t;
    while (s < e && is_ows(*s))
        s++;
    while (s < e) {
        const char *ns, *ne, *vs, *ve;
        char *val = NULL;
        size_t vlen = 0;

        if (*s != ';')
            return malformed(mp, "Content-Disposition 参数格式错误");
        s++;
        while (s < e && is_ows(*s))
            s++;
        if (s == e)
            break; /* trailing ';' */
        ns = s;
        while (s < e && is_tchar((unsigned char)*s))
            s++;
        ne = s;
        while (s < e && is_ows(*s))
            s++;
        if (ne == ns || s >= e || *s != '=')
            return malformed(mp, "Content-Disposition 参数格式错误");
        s++;
        while (s < e && is_ows(*s))
            s++;
        if (s < e && *s == '"') {
            char *dst = mp->scratch + mp->slen;
            s = read_quoted(dst, mp->scap - mp->slen, &vlen, s, e);
            if (!s)
                return malformed(mp, "Content-Disposition 引号不完整或含控制字符");
            val = dst;
        } else {
            vs = s;
            while (s < e && is_tchar((unsigned char)*s))
                s++;
            ve = s;
            if (ve == vs)
                return malformed(mp, "Content-Disposition 参数值为空");
            vlen = (size_t)(ve - vs);
            val = scratch_put(mp, vs, vlen);
            if (!val)
                return malformed(mp, "Content-Disposition 过长");
            mp->slen -= vlen + 1; /* committed below if kept */
        }
        while (s < e && is_ows(*s))
            s++;

        if (ieq(ns, (size_t)(ne - ns), "name")) {
            if (part->name)
                return malformed(mp, "Content-Disposition 的 name 参数重复");
            part->name = val;
        } else if (ieq(ns, (size_t)(ne - ns), "filename")) {
            if (fname)
                return malformed(mp, "Content-Disposition 的 filename 参数重复");
            fname = val;
        } else if (ieq(ns, (size_t)(ne - ns), "filename*")) {
            int r;
            if (have_ext)
                return malformed(mp, "Content-Disposition 的 filename* 参数无效");
            have_ext = true;
            /* decode from a copy: decode_ext writes into the same area */
            mp->slen += vlen + 1;
            r = decode_ext(mp, &fname_ext, val, vlen);
            if (r < 0)
                return malformed(mp, "Content-Disposition 的 filename* 编码错误");
            continue;
        } else {
            continue; /* unknown parameters are ignored (RFC 7578 §4.2) */
        }
        if (!valid_text((const unsigned char *)val, vlen))
            return malformed(mp, "表单字段名或文件名不是有效的 UTF-8 文本");
        mp->slen += vlen + 1;
    }
    if (!part->name)
        return malformed(mp, "Content-Disposition 缺少 name 参数");
    if (fname_ext)
        part->filename = base_name(fname_ext);
    else if (fname)
        part->filename = base_name(fname);
    return 0;
}

/* The header block hdr[0..hlen) ends with CRLF CRLF (or is just CRLF). */
static int parse_headers(zf_multipart *mp)
{
    zf_multipart_part part;
    char *h = mp->hdr;
    size_t n = mp->hlen - 2, i; /* drop the blank line's CRLF */
    bool have_cd = false, have_ct = false;
    int rc;

    memset(&part, 0, sizeof part);
    part.index = mp->nparts - 1;
    mp->slen = 0;
    /* unfold obsolete continuation lines: CRLF before SP/HTAB becomes spaces */
    for (i = 0; i + 2 < n; i++)
        if (h[i] == '\r' && h[i + 1] == '\n' && is_ows(h[i + 2]))
            h[i] = h[i + 1] = ' ';
    i = 0;
    while (i < n) {
        size_t ls = i, le, colon;
        const char *vs, *ve;

        while (i < n && h[i] != '\r' && h[i] != '\n' && h[i] != '\0')
            i++;
        if (i + 1 >= n || h[i] != '\r' || h[i + 1] != '\n')
            return malformed(mp, "分段头含有不成对的 CR、LF 或 NUL");
        le = i;
        i += 2;
        for (colon = ls; colon < le && is_tchar((unsigned char)h[colon]); colon++)
            ;
        if (colon == ls || colon >= le || h[colon] != ':')
            return malformed(mp, "分段头格式错误");
        vs = h + colon + 1;
        ve = h + le;
        while (vs < ve && is_ows(*vs))
            vs++;
        while (ve > vs && is_ows(ve[-1]))
            ve--;
        if (ieq(h + ls, colon - ls, "content-disposition")) {
            if (have_cd)
                return malformed(mp, "Content-Disposition 重复");
            have_cd = true;
            if ((rc = parse_disposition(mp, &part, vs, ve)) < 0)
                return rc;
        } else if (ieq(h + ls, colon - ls, "content-type")) {
            if (have_ct)
                return malformed(mp, "分段 Content-Type 重复");
            have_ct = true;
            if (vs == ve || !valid_text((const unsigned char *)vs, (size_t)(ve - vs)))
                return malformed(mp, "分段 Content-Type 无效");
            part.content_type = scratch_put(mp, vs, (size_t)(ve - vs));
            if (!part.content_type)
                return malformed(mp, "分段头过长");
        }
        /* other headers (Content-Transfer-Encoding is deprecated by RFC 7578) are ignored */
    }
    if (!have_cd)
        return malformed(mp, "分段缺少 Content-Disposition");
    if (mp->cb.on_part_begin && (rc = mp->cb.on_part_begin(mp->ctx, &part, &mp->err)) != 0)
        return cb_failed(mp, rc);
    return 0;
}

static int step(zf_multipart *mp, const char *data, size_t len, size_t *pos)
{
    char c;
    int rc;

    switch (mp->state) {
    case S_PREAMBLE:
    case S_DATA:
        rc = scan(mp, data, len, pos, mp->state == S_DATA);
        if (rc <= 0)
            return rc;
        if (mp->state == S_DATA && mp->cb.on_part_end && (rc = mp->cb.on_part_end(mp->ctx, &mp->err)) != 0)
            return cb_failed(mp, rc);
        mp->state = S_TAIL;
        return 0;
    case S_EPILOGUE:
        *pos = len;
        return 0;
    case S_HEADERS:
        while (*pos < len) {
            c = data[(*pos)++];
            if (mp->hlen == mp->lim.max_header_bytes)
                return fail_with(mp, ZF_ETOOBIG, "multipart_headers_too_large", "分段头过大");
            mp->hdr[mp->hlen++] = c;
            if (c != '\n')
                continue;
            if ((mp->hlen == 2 && mp->hdr[0] == '\r') ||
                (mp->hlen >= 4 && memcmp(mp->hdr + mp->hlen - 4, "\r\n\r\n", 4) == 0)) {
                if ((rc = parse_headers(mp)) < 0)
                    return rc;
                mp->state = S_DATA;
                mp->match = 0;
                return 0;
            }
        }
        return 0;
    default:
        break;
    }

    c = data[(*pos)++];
    switch (mp->state) {
    case S_TAIL:
        if (c == '-')
            mp->state = S_TAIL_DASH;
        else if (is_ows(c))
            mp->state = S_TAIL_PAD;
        else if (c == '\r')
            mp->state = S_TAIL_CR;
        else
            return malformed(mp, "分隔符后有多余字符");
        return 0;
    case S_TAIL_DASH:
        if (c != '-')
            return malformed(mp, "结束分隔符不完整");
        mp->state = S_EPILOGUE;
        return 0;
    case S_TAIL_PAD:
        if (c == '\r')
            mp->state = S_TAIL_CR;
        else if (!is_ows(c))
            return malformed(mp, "分隔符后有多余字符");
        return 0;
    case S_TAIL_CR:
        if (c != '\n')
            return malformed(mp, "分隔符后缺少换行");
        if (mp->nparts == mp->lim.max_parts)
            return fail_with(mp, ZF_ETOOBIG, "multipart_too_many_parts", "表单分段过多");
        mp->nparts++;
        mp->hlen = 0;
        mp->state = S_HEADERS;
        return 0;
    default:
        return fail_with(mp, ZF_EINTERNAL, NULL, "分段解析状态错误");
    }
}

static int replay(const zf_multipart *mp, zf_err *err)
{
    if (err)
        *err = mp->err;
    return mp->rc;
}

int zf_multipart_feed(zf_multipart *mp, const char *data, size_t len, zf_err *err)
{
    size_t pos = 0;

    if (mp->state == S_ERROR)
        return replay(mp, err);
    while (pos < len)
        if (step(mp, data, len, &pos) < 0)
            return replay(mp, err);
    return 0;
}

int zf_multipart_finish(zf_multipart *mp, zf_err *err)
{
    switch (mp->state) {
    case S_EPILOGUE:
        return 0;
    case S_ERROR:
        return replay(mp, err);
    case S_PREAMBLE:
        fail_with(mp, ZF_EINVAL, "multipart_boundary_not_found", "请求体中没有找到分隔符");
        return replay(mp, err);
    default:
        fail_with(mp, ZF_EINVAL, "multipart_truncated", "请求体不完整：缺少结束分隔符");
        return replay(mp, err);
    }
}
