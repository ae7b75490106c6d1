/* sigv4.h — AWS Signature Version 4 for requests to S3-compatible storage:
 * the canonical request, the string to sign, the signing key and the
 * Authorization header value. Pure computation, no I/O, no clock (the
 * caller passes the request time).
 *
 * Why not curl's CURLOPT_AWS_SIGV4: with the libcurl 7.88 of Debian 12 it
 * signs a streamed (read-callback) body as if it were empty, signs headers
 * the caller removed ("Accept:") with an empty value, sends X-Amz-Date twice
 * when the caller sets it, and does not sort query parameters; each breaks
 * signatures against a real S3 service. Doing it here makes every request
 * byte-for-byte the one the signature covers, and the code is tested against
 * AWS's published examples (tests/unit/test_sigv4.c). */
#ifndef ZF_SIGV4_H
#define ZF_SIGV4_H

#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

/* SHA-256 of the empty string: the payload hash of a request without body */
#define ZF_SIGV4_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

typedef struct zf_sigv4_header {
    const char *name;  /* any case; signed lowercased */
    const char *value; /* trimmed, inner runs of spaces folded, when signed */
} zf_sigv4_header;

typedef struct zf_sigv4_request {
    const char *method;       /* "GET", "PUT", ... */
    const char *path;         /* already URI-encoded (zf_sigv4_uri_encode), starts with '/' */
    const char *query;        /* already URI-encoded "a=1&b", or "" / NULL */
    const zf_sigv4_header *headers; /* every header to sign; must include host and x-amz-date */
    size_t nheaders;
    const char *payload_hash; /* lowercase hex SHA-256 of the body, or "UNSIGNED-PAYLOAD" */
} zf_sigv4_request;

typedef struct zf_sigv4_key {
    const char *access_key;
    const char *secret_key;
    const char *region;  /* "us-east-1" */
    const char *service; /* "s3" */
} zf_sigv4_key;

/* Appends to out the percent-encoding of s (len bytes) as SigV4 wants it:
 * unreserved A-Z a-z 0-9 - _ . ~ kept, everything else %XX (uppercase);
 * '/' kept when keep_slash (object keys in a path). */
void zf_sigv4_uri_encode(zf_buf *out, const char *s, size_t len, int keep_slash);

/* The canonical request (for tests and for debugging a refused signature). */
int zf_sigv4_canonical_request(zf_buf *out, const zf_sigv4_request *req, zf_err *err);

/* The string to sign, from the canonical request; amz_date is
 * "YYYYMMDDTHHMMSSZ" (its first 8 characters are the scope's date). */
int zf_sigv4_string_to_sign(zf_buf *out, const zf_sigv4_request *req, const char *amz_date,
                            const zf_sigv4_key *key, zf_err *err);

/* The Authorization header value "AWS4-HMAC-SHA256 Credential=…,
 * SignedHeaders=…, Signature=…" into out (reset first). The date is taken
 * from the request's x-amz-date header. Errors: ZF_EINVAL when x-amz-date is
 * missing or malformed or a header name is empty. */
int zf_sigv4_authorization(zf_buf *out, const zf_sigv4_request *req, const zf_sigv4_key *key,
                           zf_err *err);

/* Formats t (Unix seconds, UTC) as "YYYYMMDDTHHMMSSZ" into out[17]. */
void zf_sigv4_amz_date(char out[17], long long t);

#endif
