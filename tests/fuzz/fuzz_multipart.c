/* fuzz_multipart.c — the streaming multipart parser and boundary extraction.
 *
 * Input: one byte choosing where to cut, a Content-Type line, "\n", then the
 * body. The body is parsed twice, whole and in two chunks cut at a position
 * derived from the first byte; both runs must give the same result and the
 * same events (a digest of them), which checks the held-back bytes around a
 * split delimiter. Every string handed to on_part_begin is checked for being
 * NUL-terminated and free of control characters. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/multipart.h"

typedef struct trace {
    uint64_t h;     /* FNV-1a over the event stream */
    uint64_t bytes; /* part data seen */
} trace;

static void mix(trace *t, const void *p, size_t n)
{
    const unsigned char *s = p;
    size_t i;

    for (i = 0; i < n; i++)
        t->h = (t->h ^ s[i]) * 1099511628211ULL;
}

static void check_text(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            abort();
}

static int on_begin(void *ctx, const zf_multipart_part *p, zf_err *err)
{
    trace *t = ctx;

    (void)err;
    if (!p->name)
        abort(); /* name is required */
    check_text(p->name);
    mix(t, "B", 1);
    mix(t, p->name, strlen(p->name) + 1);
    if (p->filename) {
        check_text(p->filename);
        if (strchr(p->filename, '/') || strchr(p->filename, '\\'))
            abort(); /* only the last path component */
        mix(t, p->filename, strlen(p->filename) + 1);
    }
    if (p->content_type) {
        check_text(p->content_type);
        mix(t, p->content_type, strlen(p->content_type) + 1);
    }
    return 0;
}

static int on_data(void *ctx, const char *d, size_t n, zf_err *err)
{
    trace *t = ctx;

    (void)err;
    if (n == 0)
        abort();
    mix(t, d, n); /* chunking must not matter, so only the bytes are mixed */
    t->bytes += n;
    return 0;
}

static int on_end(void *ctx, zf_err *err)
{
    (void)err;
    mix(ctx, "E", 1);
    return 0;
}

static int parse(trace *t, const char *bnd, const char *body, size_t len, size_t cut)
{
    static const zf_multipart_callbacks cb = {on_begin, on_data, on_end};
    zf_multipart_limits lim = {512, 16};
    zf_multipart *mp = NULL;
    zf_err err = ZF_ERR_INIT;
    int rc;

    t->h = 14695981039346656037ULL;
    t->bytes = 0;
    if (zf_multipart_new(&mp, bnd, &lim, &cb, t, &err) != 0)
        abort(); /* the boundary came from zf_multipart_boundary */
    rc = zf_multipart_feed(mp, body, cut, &err);
    if (rc == 0)
        rc = zf_multipart_feed(mp, body + cut, len - cut, &err);
    if (rc == 0)
        rc = zf_multipart_finish(mp, &err);
    if (rc != 0 && err.code[0] == '\0')
        abort(); /* every error says what it is */
    zf_multipart_free(mp);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char bnd[ZF_MULTIPART_BOUNDARY_MAX + 1];
    const char *s = (const char *)data + 1, *nl, *body;
    size_t len, cut;
    trace a, b;
    int ra, rb;

    if (size < 2)
        return 0;
    nl = memchr(s, '\n', size - 1);
    if (!nl)
        return 0;
    if (zf_multipart_boundary(bnd, s, (size_t)(nl - s), NULL) != 0) {
        memcpy(bnd, "XyZ", 4); /* still fuzz the body */
    } else if (strlen(bnd) < 1 || strlen(bnd) > ZF_MULTIPART_BOUNDARY_MAX) {
        abort();
    }
    body = nl + 1;
    len = size - (size_t)(body - (const char *)data);
    cut = len ? (size_t)data[0] * len / 255 : 0;
    if (cut > len)
        cut = len;
    ra = parse(&a, bnd, body, len, len);
    rb = parse(&b, bnd, body, len, cut);
    if (ra != rb)
        abort();
    if (ra == 0 && (a.h != b.h || a.bytes != b.bytes))
        abort();
    if (a.bytes > len)
        abort(); /* data never invented */
    return 0;
}
