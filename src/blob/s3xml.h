/* s3xml.h — the little XML reading S3 answers need (UploadId, ETag, Code,
 * the entries of a listing): find an element, copy its text. Not a general
 * XML parser: S3 answers are flat, without CDATA or comments where we look.
 * Pure computation; fuzzed by tests/fuzz/fuzz_s3xml.c. */
#ifndef ZF_S3XML_H
#define ZF_S3XML_H

#include <stddef.h>

#include "util/err.h"

/* Finds the first <tag>…</tag> in xml[0..len) at or after *pos (element
 * names compared exactly, namespace prefixes not expected). On success
 * sets *inner and *inner_len to the raw content and *pos past the end tag and
 * returns 0; ZF_ENOTFOUND when there is none. */
int zf_s3_xml_find(const char **inner, size_t *inner_len, const char *xml, size_t len, size_t *pos,
                   const char *tag);

/* Copies the text of the first <tag> into out (cap bytes with the NUL),
 * decoding the five predefined entities. ZF_ENOTFOUND when absent,
 * ZF_ETOOBIG when it does not fit, ZF_EINVAL for a bad entity. */
int zf_s3_xml_text(char *out, size_t cap, const char *xml, size_t len, const char *tag);

#endif
