/* fuzz_range.c — the Range and Content-Range parsers.
 *
 * Input: 8 bytes of file size (little-endian; the top bits are often masked
 * so that small sizes get explored) then the header value. Checks that every
 * answer is consistent with the size, and that a parsed range formats back
 * into a Content-Range that parses to the same numbers. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t fsize = 0;
    const char *v;
    size_t len, i;
    zf_byte_range r;
    zf_range_result res;
    zf_content_range cr;
    char buf[ZF_RANGE_HEADER_MAX];

    if (size < 8)
        return 0;
    for (i = 0; i < 8; i++)
        fsize |= (uint64_t)data[i] << (8 * i);
    if (data[7] & 0x80)
        fsize &= 0xffff;
    v = (const char *)data + 8;
    len = size - 8;

    res = zf_range_parse(&r, v, len, fsize);
    switch (res) {
    case ZF_RANGE_OK:
    case ZF_RANGE_MULTI:
        if (fsize == 0 || r.first > r.last || r.last >= fsize)
            abort();
        zf_range_format(buf, &r, fsize);
        if (zf_content_range_parse(&cr, buf, strlen(buf), NULL) != 0)
            abort();
        if (!cr.has_range || !cr.has_total || cr.first != r.first || cr.last != r.last ||
            cr.total != fsize)
            abort();
        break;
    case ZF_RANGE_NONE:
    case ZF_RANGE_UNSATISFIABLE:
    case ZF_RANGE_INVALID:
        break;
    default:
        abort();
    }

    memset(&cr, 0, sizeof cr);
    if (zf_content_range_parse(&cr, v, len, NULL) == 0) {
        if (!cr.has_range && !cr.has_total)
            abort();
        if (cr.has_range && cr.first > cr.last)
            abort();
        if (cr.has_range && cr.has_total && cr.last >= cr.total)
            abort();
        if (cr.has_total) {
            zf_range_format(buf, cr.has_range ? &(zf_byte_range){cr.first, cr.last} : NULL, cr.total);
            if (zf_content_range_parse(&cr, buf, strlen(buf), NULL) != 0)
                abort();
        }
    }
    return 0;
}
