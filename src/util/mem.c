/* mem.c — see mem.h. */
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
    fprintf(stderr, "zhifa: out of memory (%zu bytes)\n", n);
    abort();
}

void *zf_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *zf_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        oom(count * size);
    return p;
}

void *zf_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *zf_strdup(const char *s)
{
    return zf_strndup(s, strlen(s));
}

char *zf_strndup(const char *s, size_t n)
{
    char *p = zf_malloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
