/* range.h — HTTP byte ranges: the Range request header (RFC 9110 §14.2) for
 * partial downloads of evidence files, and the Content-Range header (§14.4)
 * that field devices send to resume a broken upload.
 *
 * Pure parsing, no allocation, no I/O; thread-safe. Sizes are 64-bit and
 * every number is parsed without overflow: a number too large for uint64_t
 * is still compared correctly (it is larger than any file). */
#ifndef ZF_HTTP_RANGE_H
#define ZF_HTTP_RANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* One inclusive byte range [first, last] of a representation. */
typedef struct zf_byte_range {
    uint64_t first;
    uint64_t last;
} zf_byte_range;

/* What the caller should answer to a Range header. */
typedef enum zf_range_result {
    ZF_RANGE_NONE = 0,      /* no usable Range (absent, not "bytes", or nothing to cut):
                               answer 200 with the whole file */
    ZF_RANGE_OK,            /* one satisfiable range in *out: answer 206 */
    ZF_RANGE_MULTI,         /* several ranges, at least one satisfiable: we do not send
                               multipart/byteranges, so answer 200 with the whole file
                               (RFC 9110 lets a server ignore Range); *out holds the
                               first satisfiable range in case the caller prefers it */
    ZF_RANGE_UNSATISFIABLE, /* well-formed but no range overlaps the file: answer 416
                               with "Content-Range: bytes * /SIZE" */
    ZF_RANGE_INVALID        /* syntax error: RFC 9110 says ignore the header, so answer
                               200 with the whole file (or 400 if the caller insists) */
} zf_range_result;

/* Parses a Range header value (value need not be NUL-terminated; NULL or
 * len 0 means "no header") against a file of `size` bytes. Forms accepted:
 * "bytes=first-last", "bytes=first-", "bytes=-suffix", the unit in any case,
 * optional whitespace around list elements, empty list elements ignored.
 * "last" beyond the end is clamped to size-1; a suffix longer than the file
 * means the whole file. *out is set only for ZF_RANGE_OK and ZF_RANGE_MULTI.
 * A zero-length file has no byte to cut, so every Range yields NONE or
 * UNSATISFIABLE (never OK). */
zf_range_result zf_range_parse(zf_byte_range *out, const char *value, size_t len,
                               uint64_t size);

/* A parsed Content-Range: "bytes first-last/total", "bytes first-last/ *"
 * (total not known yet) or "bytes * /total" (no data: asks how much of an
 * upload the server holds). In these comments "/ *" and "* /" stand for a
 * slash next to a star, which a C comment cannot contain; the real headers
 * have no space. */
typedef struct zf_content_range {
    bool has_range;  /* false for "bytes * /total" */
    uint64_t first;  /* valid when has_range */
    uint64_t last;   /* inclusive, valid when has_range */
    bool has_total;  /* false when the total is "*" */
    uint64_t total;  /* complete length, valid when has_total */
} zf_content_range;

/* Parses a Content-Range header value. Returns 0, or ZF_EINVAL with err code
 * "invalid_content_range" when the syntax is wrong, a number does not fit in
 * 64 bits, last < first, last >= total, or neither range nor total is given. */
int zf_content_range_parse(zf_content_range *out, const char *value, size_t len,
                           zf_err *err);

/* Room for any header produced by zf_range_format: "bytes " + 3 numbers of
 * at most 20 digits + "-/" + NUL. */
#define ZF_RANGE_HEADER_MAX 72

/* Writes the Content-Range value of a response: "bytes first-last/size" for
 * a range, or "bytes * /size" (no space) when r is NULL (for a 416). Returns out. */
char *zf_range_format(char out[ZF_RANGE_HEADER_MAX], const zf_byte_range *r, uint64_t size);

#endif
