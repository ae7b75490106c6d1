/* csv.c — see csv.h. */
#include "util/csv.h"

#include <string.h>

void zf_csv_put(zf_buf *b, const char *s, int first)
{
    size_t n = strlen(s), i;
    int quoted = strcspn(s, ",\"\r\n") < n || (n && strchr("=+-@\t", s[0]));

    if (!first)
        zf_buf_putc(b, ',');
    if (!quoted) {
        zf_buf_append(b, s, n);
        return;
    }
    zf_buf_putc(b, '"');
    for (i = 0; i < n; i++) {
        if (s[i] == '"')
            zf_buf_putc(b, '"');
        zf_buf_putc(b, s[i]);
    }
    zf_buf_putc(b, '"');
}

void zf_csv_end_row(zf_buf *b)
{
    zf_buf_append(b, "\r\n", 2);
}
