/* buf.h — a growable byte string, always NUL-terminated (as curl's dynbuf).
 *
 * A buffer may carry a maximum size; appends beyond it fail with ZF_ETOOBIG
 * and leave the buffer unchanged, so input from outside stays bounded. */
#ifndef ZF_BUF_H
#define ZF_BUF_H

#include <stddef.h>

typedef struct zf_buf {
    char *ptr;   /* NUL-terminated; NULL until the first append */
    size_t len;
    size_t cap;
    size_t max;  /* 0 = unbounded */
} zf_buf;

#define ZF_BUF_INIT {NULL, 0, 0, 0}

void zf_buf_init(zf_buf *b, size_t max);
int zf_buf_append(zf_buf *b, const void *data, size_t len);
int zf_buf_puts(zf_buf *b, const char *s);
int zf_buf_putc(zf_buf *b, char c);
int zf_buf_printf(zf_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with HTML special characters escaped. */
int zf_buf_put_html(zf_buf *b, const char *s, size_t len);
void zf_buf_reset(zf_buf *b);
/* Hands the string to the caller (who frees it) and resets b. Never NULL. */
char *zf_buf_detach(zf_buf *b);
void zf_buf_free(zf_buf *b);
/* Returns the content, "" when empty. Borrowed. */
const char *zf_buf_str(const zf_buf *b);

#endif
