/* multipart.h — a streaming multipart/form-data parser (RFC 7578, framing of
 * RFC 2046 §5.1) with a push API, for uploads of evidence files of any size.
 *
 * The caller feeds the request body in chunks of any size as they arrive; a
 * delimiter may be split anywhere across chunks. The parser calls back at the
 * start of each part (with its decoded headers), for each run of part data,
 * and at the end of each part. Memory is fixed at creation (about twice the
 * header limit) and independent of part and body size; nothing is copied
 * except part headers.
 *
 * Written by hand: libmicrohttpd's post processor only handles
 * application/x-www-form-urlencoded and simple multipart well, does not
 * report RFC 5987 filename*, and gives no limits on header size.
 *
 * A parser is used by one thread at a time. */
#ifndef ZF_HTTP_MULTIPART_H
#define ZF_HTTP_MULTIPART_H

#include <stddef.h>

#include "util/err.h"

/* RFC 2046: a boundary is 1 to 70 characters. */
#define ZF_MULTIPART_BOUNDARY_MAX 70

/* Extracts the boundary parameter from a Content-Type header value such as
 * `multipart/form-data; boundary="----x"` into out (NUL-terminated, quotes
 * and escapes removed). The media type must be multipart/form-data (any
 * case); the boundary must be 1-70 characters from the RFC 2046 set and not
 * end in a space. Returns 0, or ZF_EINVAL with err code
 * "invalid_content_type". */
int zf_multipart_boundary(char out[ZF_MULTIPART_BOUNDARY_MAX + 1], const char *content_type,
                          size_t len, zf_err *err);

/* The headers of one part. Strings are NUL-terminated, valid UTF-8 without
 * control characters, and borrowed: they live until on_part_begin returns. */
typedef struct zf_multipart_part {
    size_t index;             /* 0 for the first part */
    const char *name;         /* the form field name (required by RFC 7578) */
    const char *filename;     /* NULL unless a file part; filename* (RFC 5987,
                                 UTF-8 or ISO-8859-1) wins over filename; only
                                 the last path component is kept (RFC 7578 §4.2) */
    const char *content_type; /* the part's Content-Type, trimmed, or NULL when
                                 absent (RFC 7578: then text/plain) */
} zf_multipart_part;

/* Callbacks return 0 to continue or a negative ZF_E* code (after setting err)
 * to stop; the parser then returns that code from zf_multipart_feed and calls
 * nothing more. On any error the caller must clean up its current part itself
 * (e.g. abort the blob writer): no on_part_end follows. */
typedef struct zf_multipart_callbacks {
    int (*on_part_begin)(void *ctx, const zf_multipart_part *part, zf_err *err);
    int (*on_part_data)(void *ctx, const char *data, size_t len, zf_err *err);
    int (*on_part_end)(void *ctx, zf_err *err);
} zf_multipart_callbacks;

typedef struct zf_multipart_limits {
    size_t max_header_bytes; /* all header lines of one part together, CRLFs included */
    size_t max_parts;
} zf_multipart_limits;

#define ZF_MULTIPART_LIMITS_INIT {8192, 64}

typedef struct zf_multipart zf_multipart; /* opaque */

/* Creates a parser for `boundary` (as from zf_multipart_boundary). limits may
 * be NULL for the defaults; any callback may be NULL. ctx is passed to every
 * callback. The caller owns *out and frees it with zf_multipart_free. */
int zf_multipart_new(zf_multipart **out, const char *boundary, const zf_multipart_limits *limits,
                     const zf_multipart_callbacks *cb, void *ctx, zf_err *err);

/* Feeds the next chunk of the body (len may be 0). Returns 0, a callback's
 * error, or: ZF_EINVAL "multipart_malformed" (garbage after a delimiter, a
 * bad or missing Content-Disposition, bad header syntax, invalid UTF-8),
 * ZF_ETOOBIG "multipart_headers_too_large" or "multipart_too_many_parts".
 * After an error every further call returns the same code. */
int zf_multipart_feed(zf_multipart *mp, const char *data, size_t len, zf_err *err);

/* Declares the end of the body. Returns 0 when the close delimiter was seen,
 * else ZF_EINVAL with "multipart_boundary_not_found" (the body never contained
 * the boundary) or "multipart_truncated" (the body stops inside a part). */
int zf_multipart_finish(zf_multipart *mp, zf_err *err);

/* Frees the parser; NULL is allowed. */
void zf_multipart_free(zf_multipart *mp);

#endif
