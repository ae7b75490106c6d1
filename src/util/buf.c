/* buf.c — see buf.h. */
#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/mem.h"

void zf_buf_init(zf_buf *b, size_t max)
{
    b->ptr = NULL;
    b->len = b->cap = 0;
    b->max = max;
}

static int reserve(zf_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1, cap;

    if (b->max && b->len + extra > b->max)
        return ZF_ETOOBIG;
    if (need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->ptr = zf_realloc(b->ptr, cap);
    b->cap = cap;
    return 0;
}

int zf_buf_append(zf_buf *b, const void *data, size_t len)
{
    int rc = reserve(b, len);
    if (rc < 0)
        return rc;
    if (len)
        memcpy(b->ptr + b->len, data, len);
    b->len += len;
    b->ptr[b->len] = '\0';
    return 0;
}

int zf_buf_puts(zf_buf *b, const char *s)
{
    return zf_buf_append(b, s, strlen(s));
}

int zf_buf_putc(zf_buf *b, char c)
{
    return zf_buf_append(b, &c, 1);
}

int zf_buf_printf(zf_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n, rc;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return ZF_EINVAL;
    if ((rc = reserve(b, (size_t)n)) < 0)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

int zf_buf_put_html(zf_buf *b, const char *s, size_t len)
{
    size_t i, start = 0;
    int rc = 0;

    for (i = 0; i < len && rc == 0; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        if ((rc = zf_buf_append(b, s + start, i - start)) == 0)
            rc = zf_buf_puts(b, rep);
        start = i + 1;
    }
    if (rc == 0)
        rc = zf_buf_append(b, s + start, len - start);
    return rc;
}

void zf_buf_reset(zf_buf *b)
{
    b->len = 0;
    if (b->ptr)
        b->ptr[0] = '\0';
}

char *zf_buf_detach(zf_buf *b)
{
    char *p = b->ptr ? b->ptr : zf_strdup("");
    b->ptr = NULL;
    b->len = b->cap = 0;
    return p;
}

void zf_buf_free(zf_buf *b)
{

    free(b->ptr);
    b->ptr = NULL;
    b->len = b->cap = 0;
}

const char *zf_buf_str(const zf_buf *b)
{
    return b->ptr ? b->ptr : "";
}
