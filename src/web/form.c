/* form.c — see form.h. */
#include "web/form.h"

#include <stdio.h>
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

/* Checks d[0..n) (a new string, NUL-terminated, taken over) for UTF-8 and
 * controls and folds CR LF in place; *out receives it, or -1 and it is
 * freed. */
static int finish_value(char **out, char *d, size_t n)
{
    size_t i, len;

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
    return finish_value(out, d, n);
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

zf_form *zf_form_new(void)
{
    return zf_calloc(1, sizeof(zf_form));
}

/* Takes over value (decoded and checked). */
static int add_decoded(zf_form *f, const char *name, size_t nlen, char *value, zf_err *err)
{
    size_t i;

    if (!name_ok(name, nlen)) {
        free(value);
        return zf_err_set(err, ZF_EINVAL, "form_invalid", NULL, "表单字段名称不正确");
    }
    if (f->n == ZF_FORM_MAX_FIELDS) {
        free(value);
        return zf_err_set(err, ZF_EINVAL, "form_invalid", NULL, "表单字段过多");
    }
    for (i = 0; i < f->n; i++)
        if (strlen(f->names[i]) == nlen && memcmp(f->names[i], name, nlen) == 0) {
            free(value);
            return zf_err_set(err, ZF_EINVAL, "form_invalid", f->names[i], "表单字段 %s 重复", f->names[i]);
        }
    f->names[f->n] = zf_strndup(name, nlen);
    f->values[f->n++] = value;
    return 0;
}

int zf_form_add(zf_form *f, const char *name, const char *value, size_t len, zf_err *err)
{
    char *v = zf_malloc(len + 1);

    memcpy(v, value, len);
    v[len] = '\0';
    if (memchr(v, '\0', len)) {
        free(v);
        v = NULL;
    }
    if (!v || finish_value(&v, v, len) < 0)
        return zf_err_set(err, ZF_EINVAL, "form_invalid", name_ok(name, strlen(name)) ? name : NULL,
                          "表单字段含有无法识别的字符");
    return add_decoded(f, name, strlen(name), v, err);
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
        char *value = NULL;

        pos += plen + 1;
        if (plen == 0)
            continue; /* "a=1&&b=2": browsers never send it, harmless */
        eq = memchr(pair, '=', plen);
        nlen = eq ? (size_t)(eq - pair) : plen;
        if (decode(&value, eq ? eq + 1 : pair + plen, eq ? plen - nlen - 1 : 0) < 0) {
            char name[72];

            snprintf(name, sizeof name, "%.*s", (int)(nlen < 64 ? nlen : 64), pair);
            rc = zf_err_set(err, ZF_EINVAL, "form_invalid", name_ok(pair, nlen) ? name : NULL,
                            "表单字段 %s 含有无法识别的字符", name_ok(pair, nlen) ? name : "");
            goto done;
        }
        if ((rc = add_decoded(f, pair, nlen, value, err)) < 0)
            goto done;
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
