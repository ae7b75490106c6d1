/* jcs.c — see jcs.h. */
#include "ledger/jcs.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#define MAX_SAFE_INT 9007199254740991LL /* 2^53 - 1 */

/* Decodes one UTF-8 scalar value at s[*i], advancing *i; -1 when invalid
 * (overlong, surrogate, beyond U+10FFFF, truncated). */
static int32_t utf8_next(const unsigned char *s, size_t len, size_t *i)
{
    unsigned char c = s[*i];
    int32_t cp;
    size_t need, k;

    if (c < 0x80) {
        (*i)++;
        return c;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        need = 1;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 2;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3;
        cp = c & 0x07;
    } else {
        return -1;
    }
    if (*i + need >= len)
        return -1; /* truncated */
    for (k = 1; k <= need; k++) {
        unsigned char d = s[*i + k];
        if ((d & 0xc0) != 0x80)
            return -1;
        cp = (cp << 6) | (d & 0x3f);
    }
    if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return -1;
    *i += need + 1;
    return cp;
}

/* Compares two valid UTF-8 strings by UTF-16 code units (RFC 8785 §3.2.3). */
static int utf16_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    size_t i = 0, j = 0;
    uint16_t pend_a = 0, pend_b = 0; /* pending low surrogate */

    for (;;) {
        uint32_t ua, ub;
        int32_t cp;

        if (pend_a) {
            ua = pend_a;
            pend_a = 0;
        } else if (i < alen) {
            cp = utf8_next(x, alen, &i);
            if (cp >= 0x10000) {
                ua = 0xd800 + ((cp - 0x10000) >> 10);
                pend_a = (uint16_t)(0xdc00 + ((cp - 0x10000) & 0x3ff));
            } else {
                ua = (uint32_t)cp;
            }
        } else {
            ua = UINT32_MAX;
        }
        if (pend_b) {
            ub = pend_b;
            pend_b = 0;
        } else if (j < blen) {
            cp = utf8_next(y, blen, &j);
            if (cp >= 0x10000) {
                ub = 0xd800 + ((cp - 0x10000) >> 10);
                pend_b = (uint16_t)(0xdc00 + ((cp - 0x10000) & 0x3ff));
            } else {
                ub = (uint32_t)cp;
            }
        } else {
            ub = UINT32_MAX;
        }
        if (ua == UINT32_MAX || ub == UINT32_MAX) {
            if (ua == ub)
                return 0;
            return ua == UINT32_MAX ? -1 : 1; /* a prefix sorts first */
        }
        if (ua != ub)
            return ua < ub ? -1 : 1;
    }
}

static int put_string(zf_buf *out, const char *s, size_t len, zf_err *err)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, run = 0;
    int rc;

    if ((rc = zf_buf_putc(out, '"')) < 0)
        return rc;
    while (i < len) {
        size_t at = i;
        int32_t cp = utf8_next(u, len, &i);
        char esc[8];
        const char *e = NULL;

        if (cp < 0)
            return zf_err_set(err, ZF_EINVAL, "invalid_utf8", NULL, "文本不是有效的 UTF-8");
        switch (cp) {
        case '"': e = "\\\""; break;
        case '\\': e = "\\\\"; break;
        case '\b': e = "\\b"; break;
        case '\f': e = "\\f"; break;
        case '\n': e = "\\n"; break;
        case '\r': e = "\\r"; break;
        case '\t': e = "\\t"; break;
        default:
            if (cp < 0x20) {
                snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
                e = esc;
            }
        }
        if (!e) {
            run += i - at;
            continue;
        }
        if ((run && (rc = zf_buf_append(out, s + at - run, run)) < 0) ||
            (rc = zf_buf_puts(out, e)) < 0)
            return rc;
        run = 0;
    }
    if (run && (rc = zf_buf_append(out, s + len - run, run)) < 0)
        return rc;
    return zf_buf_putc(out, '"');
}

int zf_jcs_format_double(char *out, size_t out_size, double d)
{
    char tmp[40], digits[20];
    int prec, exp10 = 0, k = 0, n, i, len = 0;
    const char *p;
    char *q;

    if (!isfinite(d) || out_size < 32)
        return ZF_EINVAL;
    if (d == 0) {
        memcpy(out, "0", 2);
        return 1;
    }
    /* Shortest digit string that reads back as d. Among strings of that
     * length, %.*e gives the correctly rounded one, which is the one closest
     * to d, as ECMAScript requires. */
    for (prec = 0; prec < 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    if (prec == 17)
        snprintf(tmp, sizeof tmp, "%.*e", 16, d);
    p = tmp;
    if (*p == '-') {
        out[len++] = '-';
        p++;
    }
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            digits[k++] = *p;
    exp10 = atoi(p + 1);
    while (k > 1 && digits[k - 1] == '0')
        k--;
    n = exp10 + 1; /* value = 0.d1d2...dk x 10^n */
    q = out + len;
    if (k <= n && n <= 21) {
        memcpy(q, digits, (size_t)k);
        q += k;
        for (i = 0; i < n - k; i++)
            *q++ = '0';
    } else if (0 < n && n <= 21) {
        memcpy(q, digits, (size_t)n);
        q += n;
        *q++ = '.';
        memcpy(q, digits + n, (size_t)(k - n));
        q += k - n;
    } else if (-6 < n && n <= 0) {
        *q++ = '0';
        *q++ = '.';
        for (i = 0; i < -n; i++)
            *q++ = '0';
        memcpy(q, digits, (size_t)k);
        q += k;
    } else {
        *q++ = digits[0];
        if (k > 1) {
            *q++ = '.';
            memcpy(q, digits + 1, (size_t)(k - 1));
            q += k - 1;
        }
        q += sprintf(q, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
    }
    *q = '\0';
    return (int)(q - out);
}

typedef struct member {
    const char *key;
    size_t len;
    json_t *val;
} member;

static int member_cmp(const void *a, const void *b)
{
    const member *x = a, *y = b;
    return utf16_cmp(x->key, x->len, y->key, y->len);
}

int zf_jcs_put_string(zf_buf *out, const char *s, size_t len, zf_err *err)
{
    return put_string(out, s, len, err);
}

static int encode(zf_buf *out, const json_t *v, int depth, zf_err *err)
{
    int rc = 0;

    if (depth > ZF_JCS_MAX_DEPTH)
        return zf_err_set(err, ZF_EINVAL, "too_deep", NULL, "JSON 嵌套过深");
    switch (json_typeof(v)) {
    case JSON_NULL:
        return zf_buf_puts(out, "null");
    case JSON_TRUE:
        return zf_buf_puts(out, "true");
    case JSON_FALSE:
        return zf_buf_puts(out, "false");
    case JSON_INTEGER: {
        json_int_t i = json_integer_value(v);
        if (i > MAX_SAFE_INT || i < -MAX_SAFE_INT)
            return zf_err_set(err, ZF_EINVAL, "number_out_of_range", NULL,
                              "整数超出 ±(2^53-1)，无法规范化");
        return zf_buf_printf(out, "%lld", (long long)i);
    }
    case JSON_REAL: {
        char num[40];
        int n = zf_jcs_format_double(num, sizeof num, json_real_value(v));
        if (n < 0)
            return zf_err_set(err, ZF_EINVAL, "invalid_number", NULL, "数值不是有限数");
        return zf_buf_append(out, num, (size_t)n);
    }
    case JSON_STRING:
        return put_string(out, json_string_value(v), json_string_length(v), err);
    case JSON_ARRAY: {
        size_t i, n = json_array_size(v);
        if ((rc = zf_buf_putc(out, '[')) < 0)
            return rc;
        for (i = 0; i < n; i++) {
            if ((i && (rc = zf_buf_putc(out, ',')) < 0) ||
                (rc = encode(out, json_array_get(v, i), depth + 1, err)) < 0)
                return rc;
        }
        return zf_buf_putc(out, ']');
    }
    case JSON_OBJECT: {
        size_t n = json_object_size(v), i = 0;
        member *m = n ? zf_malloc(n * sizeof *m) : NULL;
        void *it;

        for (it = json_object_iter((json_t *)v); it && i < n;
             it = json_object_iter_next((json_t *)v, it), i++) {
            m[i].key = json_object_iter_key(it);
            m[i].len = json_object_iter_key_len(it);
            m[i].val = json_object_iter_value(it);
        }
        n = i;
        /* Keys are validated first: the comparator assumes valid UTF-8. */
        for (i = 0; i < n; i++) {
            size_t j = 0;
            while (j < m[i].len)
                if (utf8_next((const unsigned char *)m[i].key, m[i].len, &j) < 0) {
                    rc = zf_err_set(err, ZF_EINVAL, "invalid_utf8", NULL,
                                    "键名不是有效的 UTF-8");
                    goto obj_done;
                }
        }
        if (n > 1)
            qsort(m, n, sizeof *m, member_cmp);
        if ((rc = zf_buf_putc(out, '{')) < 0)
            goto obj_done;
        for (i = 0; i < n; i++) {
            if ((i && (rc = zf_buf_putc(out, ',')) < 0) ||
                (rc = put_string(out, m[i].key, m[i].len, err)) < 0 ||
                (rc = zf_buf_putc(out, ':')) < 0 ||
                (rc = encode(out, m[i].val, depth + 1, err)) < 0)
                goto obj_done;
        }
        rc = zf_buf_putc(out, '}');
    obj_done:
        free(m);
        return rc;
    }
    }
    return zf_err_set(err, ZF_EINVAL, "invalid_json", NULL, "无法规范化的 JSON 值");
}

int zf_jcs_encode(zf_buf *out, const json_t *v, zf_err *err)
{
    int rc;

    if (!v)
        return zf_err_set(err, ZF_EINVAL, "invalid_json", NULL, "缺少 JSON 值");
    rc = encode(out, v, 0, err);
    if (rc == ZF_ETOOBIG)
        zf_err_set(err, rc, "too_big", NULL, "规范化结果过大");
    return rc;
}
