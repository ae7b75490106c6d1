/* range.c — see range.h. A hand-written parser: the grammar is a few lines of
 * RFC 9110 and libmicrohttpd leaves Range to the application. */
#include "http/range.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* A decimal number as written: its value when it fits in 64 bits, otherwise
 * `over` is set and the digits (leading zeros skipped) still allow exact
 * comparison. */
typedef struct num {
    uint64_t v;
    bool over;
    const char *dig; /* first significant digit */
    size_t ndig;     /* significant digits ("0" has none) */
} num;

static bool is_ows(char c) { return c == ' ' || c == '\t'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static void trim(const char **s, const char **e)
{
    while (*s < *e && is_ows(**s))
        (*s)++;
    while (*e > *s && is_ows((*e)[-1]))
        (*e)--;
}

/* Reads 1*DIGIT at *p (< e); returns false when there is no digit. */
static bool read_num(num *out, const char **p, const char *e)
{
    const char *s = *p;

    memset(out, 0, sizeof *out);
    if (s >= e || !is_digit(*s))
        return false;
    while (s < e && *s == '0')
        s++;
    out->dig = s;
    while (s < e && is_digit(*s)) {
        unsigned d = (unsigned)(*s - '0');
        if (!out->over && out->v > (UINT64_MAX - d) / 10)
            out->over = true;
        if (!out->over)
            out->v = out->v * 10 + d;
        s++;
    }
    out->ndig = (size_t)(s - out->dig);
    *p = s;
    return true;
}

/* -1, 0, 1 as a <, ==, > b, exact even beyond 64 bits. */
static int num_cmp(const num *a, const num *b)
{
    int c;

    if (!a->over && !b->over)
        return a->v < b->v ? -1 : a->v > b->v;
    if (a->ndig != b->ndig)
        return a->ndig < b->ndig ? -1 : 1;
    c = memcmp(a->dig, b->dig, a->ndig);
    return c < 0 ? -1 : c > 0;
}

/* true when n >= x */
static bool num_ge(const num *n, uint64_t x) { return n->over || n->v >= x; }

static bool unit_is_bytes(const char *s, const char *e)
{
    static const char bytes[] = "bytes";
    size_t i;

    if ((size_t)(e - s) != sizeof bytes - 1)
        return false;
    for (i = 0; i < sizeof bytes - 1; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != bytes[i])
            return false;
    }
    return true;
}

/* RFC 9110 tchar */
static bool is_tchar(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

zf_range_result zf_range_parse(zf_byte_range *out, const char *value, size_t len,
                               uint64_t size)
{
    const char *s, *e, *eq, *p;
    size_t nspec = 0, nsat = 0;
    bool empty_ok = false;
    zf_byte_range first_sat = {0, 0};

    if (!value || len == 0)
        return ZF_RANGE_NONE;
    s = value;
    e = value + len;
    trim(&s, &e);
    if (s == e)
        return ZF_RANGE_NONE;
    eq = memchr(s, '=', (size_t)(e - s));
    if (!eq)
        return ZF_RANGE_INVALID;
    if (!unit_is_bytes(s, eq)) {
        /* another well-formed unit is legal but not ours: ignore the header */
        for (p = s; p < eq; p++)
            if (!is_tchar(*p))
                return ZF_RANGE_INVALID;
        return eq > s ? ZF_RANGE_NONE : ZF_RANGE_INVALID;
    }

    p = eq + 1;
    for (;;) {
        const char *comma = memchr(p, ',', (size_t)(e - p));
        const char *es = p, *ee = comma ? comma : e, *q;
        num a, b;
        bool sat = false;
        zf_byte_range r = {0, 0};

        trim(&es, &ee);
        if (es == ee)
            goto next; /* empty list element, allowed by the #rule */
        nspec++;
        q = es;
        if (*q == '-') {
            q++;
            if (!read_num(&b, &q, ee) || q != ee)
                return ZF_RANGE_INVALID;
            if (size == 0) {
                /* satisfiable in RFC terms, but there is no byte to send */
                if (b.over || b.v > 0)
                    empty_ok = true;
            } else if (b.over || b.v > 0) {
                uint64_t n = (b.over || b.v > size) ? size : b.v;
                r.first = size - n;
                r.last = size - 1;
                sat = true;
            }
        } else {
            if (!read_num(&a, &q, ee) || q == ee || *q != '-')
                return ZF_RANGE_INVALID;
            q++;
            if (q < ee) {
                if (!read_num(&b, &q, ee) || q != ee)
                    return ZF_RANGE_INVALID;
                if (num_cmp(&b, &a) < 0)
                    return ZF_RANGE_INVALID;
            } else {
                b.over = true; /* open end: "to the end" */
                b.v = UINT64_MAX;
            }
            if (!num_ge(&a, size)) {
                r.first = a.v;
                r.last = num_ge(&b, size) ? size - 1 : b.v;
                sat = true;
            }
        }
        if (sat && nsat++ == 0)
            first_sat = r;
    next:
        if (!comma)
            break;
        p = comma + 1;
    }

    if (nspec == 0)
        return ZF_RANGE_INVALID;
    if (nsat == 0)
        return empty_ok ? ZF_RANGE_NONE : ZF_RANGE_UNSATISFIABLE;
    if (out)
        *out = first_sat;
    return nspec == 1 ? ZF_RANGE_OK : ZF_RANGE_MULTI;
}

static int bad_content_range(zf_err *err, const char *why)
{
    return zf_err_set(err, ZF_EINVAL, "invalid_content_range", "Content-Range",
                      "Content-Range 头格式错误：%s", why);
}

int zf_content_range_parse(zf_content_range *out, const char *value, size_t len,
                           zf_err *err)
{
    const char *s, *e, *p;
    num a, b, t;
    zf_content_range cr;

    memset(&cr, 0, sizeof cr);
    if (!value || len == 0)
        return bad_content_range(err, "为空");
    s = value;
    e = value + len;
    trim(&s, &e);
    p = s;
    while (p < e && !is_ows(*p))
        p++;
    if (!unit_is_bytes(s, p))
        return bad_content_range(err, "单位必须是 bytes");
    if (p == e)
        return bad_content_range(err, "缺少范围");
    while (p < e && is_ows(*p))
        p++;

    if (p < e && *p == '*') {
        p++;
    } else {
        if (!read_num(&a, &p, e) || p >= e || *p != '-')
            return bad_content_range(err, "起始位置无效");
        p++;
        if (!read_num(&b, &p, e))
            return bad_content_range(err, "结束位置无效");
        if (a.over || b.over)
            return bad_content_range(err, "数值超出范围");
        if (b.v < a.v)
            return bad_content_range(err, "结束位置小于起始位置");
        cr.has_range = true;
        cr.first = a.v;
        cr.last = b.v;
    }
    if (p >= e || *p != '/')
        return bad_content_range(err, "缺少“/总长度”");
    p++;
    if (p < e && *p == '*') {
        p++;
        if (!cr.has_range)
            return bad_content_range(err, "范围与总长度不能都未知");
    } else {
        if (!read_num(&t, &p, e))
            return bad_content_range(err, "总长度无效");
        if (t.over)
            return bad_content_range(err, "数值超出范围");
        if (cr.has_range && cr.last >= t.v)
            return bad_content_range(err, "结束位置超出总长度");
        cr.has_total = true;
        cr.total = t.v;
    }
    if (p != e)
        return bad_content_range(err, "末尾有多余字符");
    if (out)
        *out = cr;
    return 0;
}

char *zf_range_format(char out[ZF_RANGE_HEADER_MAX], const zf_byte_range *r, uint64_t size)
{
    if (r)
        snprintf(out, ZF_RANGE_HEADER_MAX, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, r->first,
                 r->last, size);
    else
        snprintf(out, ZF_RANGE_HEADER_MAX, "bytes */%" PRIu64, size);
    return out;
}
