/* jcs.h — RFC 8785 JSON Canonicalization Scheme over a jansson value.
 *
 * The canonical form is what the ledger hashes, so it must be the same bytes
 * any other RFC 8785 implementation produces from the same JSON data:
 *   - no whitespace; object members sorted by their names compared as
 *     arrays of UTF-16 code units (so U+1F600 sorts before U+FB01);
 *   - strings as ECMAScript JSON.stringify writes them: only '"', '\\' and
 *     control characters escaped (\b \f \n \r \t, others \u00xx lowercase),
 *     everything else as raw UTF-8;
 *   - numbers as ECMAScript Number.prototype.toString writes an IEEE double
 *     (shortest round-trip digits): integers print plainly, 1e21 as "1e+21",
 *     -0 as "0". NaN and infinities are rejected. Integers beyond ±(2^53 - 1)
 *     are rejected too: a double cannot hold them exactly, so a JavaScript or
 *     Go verifier would canonicalize different digits.
 * Pure computation; thread-safe. */
#ifndef ZF_LEDGER_JCS_H
#define ZF_LEDGER_JCS_H

#include <jansson.h>

#include "util/buf.h"
#include "util/err.h"

/* Deeper nesting is rejected (bounds the recursion). */
#define ZF_JCS_MAX_DEPTH 64

/* Appends the canonical form of v to out. On error (ZF_EINVAL: bad UTF-8,
 * non-finite or out-of-range number, too deep; ZF_ETOOBIG: out's limit) out
 * may hold a partial prefix: reset it before reuse. */
int zf_jcs_encode(zf_buf *out, const json_t *v, zf_err *err);

/* Appends s[0..len) as an RFC 8785 string, quotes included (the same bytes
 * zf_jcs_encode writes for a string value), for callers that build a fixed
 * canonical shape directly instead of through jansson. ZF_EINVAL on invalid
 * UTF-8, when out may hold a partial prefix. */
int zf_jcs_put_string(zf_buf *out, const char *s, size_t len, zf_err *err);

/* Writes the ECMAScript shortest form of a finite double into out (at least
 * 32 bytes) and returns its length, or ZF_EINVAL for NaN or infinity. */
int zf_jcs_format_double(char *out, size_t out_size, double d);

#endif
