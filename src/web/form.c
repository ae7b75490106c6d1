/* form.c — see form.h. */
#include "web/form.h"

#include <stdlib.h>
#include <string.h>

#include "core/lawdoc.h"
#include "util/mem.h"

struct zf_form {
    size_t n;
    char *names[ZF_FORM_MAX_FIELDS];
    char *values[ZF_FORM_MAX_FIELDS];
};

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Decodes s[0..len) into a new string (*out), or returns -1 for a broken
 * escape, bytes that are not UTF-8, or a forbidden control character. */
static int decode(char **out, const char *s, size_t len)
{
    char *d = zf_malloc(len + 1);
    size_t i, n = 0;

    for (i = 0; i < len; i++) {
        char ch = s[i];

        if (ch == '+') {
            ch = ' ';
        } else if (ch == '%') {
            int hi, lo;

            if (i + 2 >= len || (hi = hexval(s[i + 1])) < 0 || (lo = hexval(s[i + 2])) < 0)
                goto bad;
            ch = (char)(hi * 16 + lo);
            i += 2;
        }
        d[n++] = ch;
    }
    d[n] = '\0';
    if (!zf_lawdoc_utf8_valid(d, n, NULL))
        goto bad;
    /* controls: keep tab and line feed, fold CR LF (and a lone CR) to LF */
    for (i = 0, len = n, n = 0; i < len; i++) {
        unsigned char ch = (unsigned char)d[i];

        if (ch == '\r') {
            if (i + 1 < len && d[i + 1] == '\n')
                continue;
            ch = '\n';
        } else if ((ch < 0x20 && ch != '\t' && ch != '\n') || ch == 0x7f) {
            goto bad;
        }
        d[n++] = (char)ch;
    }
    d[n] = '\0';
    *out = d;
    return 0;
bad:
    free(d);
    return -1;
}

static int name_ok(const char *s, size_t len)
{
    size_t i;

    if (len == 0 || len > 64)
        return 0;
    for (i = 0; i < len; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

int zf_form_parse(zf_form **out, const char *body, size_t len, zf_err *err)
{
    zf_form *f = NULL;
    size_t pos = 0;
    int rc = 0;

    *out = NULL;
    if (len > ZF_FORM_MAX_BYTES)
        return zf_err_set(err, ZF_ETOOBIG, "form_too_large", NULL, "提交的内容过长");
    f = zf_calloc(1, sizeof *f);
    while (pos < len) {
        const char *pair = body + pos, *amp = memchr(pair, '&', len - pos), *eq;
        size_t plen = amp ? (size_t)(amp - pair) : len - pos, nlen;
        char *name = NULL, *value = NULL;
        size_t i;

        pos += plen + 1;
        if (plen == 0)
            continue; /* "a=1&&b=2": browsers never send it, harmless */
        eq = memchr(pair, '=', plen);
        nlen = eq ? (size_t)(eq - pair) : plen;
        if (!name_ok(pair, nlen)) {
            rc = zf_err_set(err, ZF_EINVAL, "form_invalid", NULL, "表单字段名称不正确");
            goto done;
        }
        if (f->n == ZF_FORM_MAX_FIELDS) {
            rc = zf_err_set(err, ZF_EINVAL, "form_invalid", NULL, "表单字段过多");
            goto done;
        }
        name = zf_strndup(pair, nlen);
        for (i = 0; i < f->n; i++)
            if (strcmp(f->names[i], name) == 0)
                break;
        if (i < f->n) {
            rc = zf_err_set(err, ZF_EINVAL, "form_invalid", name, "表单字段 %s 重复", name);
            free(name);
            goto done;
        }
        if (decode(&value, eq ? eq + 1 : pair + plen, eq ? plen - nlen - 1 : 0) < 0) {
            rc = zf_err_set(err, ZF_EINVAL, "form_invalid", name, "表单字段 %s 含有无法识别的字符", name);
            free(name);
            goto done;
        }
        f->names[f->n] = name;
        f->values[f->n++] = value;
    }
done:
    if (rc < 0)
        zf_form_free(f);
    else
        *out = f;
    return rc;
}

const char *zf_form_get(const zf_form *f, const char *name)
{
    size_t i;

    for (i = 0; f && name && i < f->n; i++)
        if (strcmp(f->names[i], name) == 0)
            return f->values[i];
    return NULL;
}

size_t zf_form_count(const zf_form *f)
{
    return f ? f->n : 0;
}

const char *zf_form_name(const zf_form *f, size_t i)
{
    return f && i < f->n ? f->names[i] : NULL;
}

void zf_form_free(zf_form *f)
{
    size_t i;

    if (!f)
        return;
    for (i = 0; i < f->n; i++) {
        free(f->names[i]);
        free(f->values[i]);
    }
    free(f);
}
