/* mem.h — allocation wrappers that abort on out-of-memory (as Redis zmalloc),
 * so call sites stay simple. Use these everywhere instead of malloc. */
#ifndef ZF_MEM_H
#define ZF_MEM_H

#include <stddef.h>

void *zf_malloc(size_t n);
void *zf_calloc(size_t count, size_t size);
void *zf_realloc(void *p, size_t n);
char *zf_strdup(const char *s);
char *zf_strndup(const char *s, size_t n);

#endif
