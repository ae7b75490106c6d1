/* fuzz_s3xml.c — the XML reading of S3 answers (blob/s3xml.h).
 *
 * Input: one byte choosing the element name, then the answer body. Checks
 * that every element found lies inside the input, that iteration always
 * moves forward and ends, and that copied text is NUL-terminated within its
 * buffer and no longer than the raw content. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blob/s3xml.h"

static const char *const TAGS[] = {"UploadId", "ETag", "Code", "Upload", "Key", "Contents", "Error", "a"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *xml, *tag, *inner;
    size_t len, pos = 0, n, last = 0, steps = 0;
    char out[64];

    if (size < 1)
        return 0;
    tag = TAGS[data[0] % (sizeof TAGS / sizeof TAGS[0])];
    xml = (const char *)data + 1;
    len = size - 1;
    while (zf_s3_xml_find(&inner, &n, xml, len, &pos, tag) == 0) {
        if (inner < xml || inner + n > xml + len || pos > len || pos <= last || ++steps > len)
            abort();
        last = pos;
    }
    if (zf_s3_xml_text(out, sizeof out, xml, len, tag) == 0) {
        if (!memchr(out, '\0', sizeof out))
            abort();
        if (zf_s3_xml_find(&inner, &n, xml, len, NULL, tag) != 0 || strlen(out) > n)
            abort();
    }
    return 0;
}
