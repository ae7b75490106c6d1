/* fuzz_redact.c — libFuzzer target for personal-data masking (core/redact.h).
 *
 * Build and run: make fuzz (tests/fuzz/run.sh); replayed over
 * tests/fuzz/corpus/redact by make unit-test.
 *
 * The first byte picks the field and audience; the rest is the text. For
 * any input: either a refusal with a Chinese message, or an output with as
 * many characters as the input, findings in order without overlap and
 * inside both texts, and every byte outside the findings unchanged. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t chars(const char *s, size_t n)
{
    size_t i, c = 0;

    for (i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *fields[] = {"违法事实", "姓名", "住址", "证件号码", "联系电话", "银行账号"};
    zf_redact_result r = ZF_REDACT_RESULT_INIT;
    zf_err err = ZF_ERR_INIT;
    const char *text;
    size_t len, i, in_at = 0, out_at = 0;

    if (size < 1)
        return 0;
    text = (const char *)data + 1;
    len = size - 1;
    if (zf_redact_text(&r, NULL, fields[data[0] % 6], 1 + (data[0] / 6) % 3, text, len, &err) < 0) {
        if (r.text || err.message[0] == '\0')
            abort();
        return 0;
    }
    if (!r.text || strlen(r.text) != r.len || chars(r.text, r.len) != chars(text, len))
        abort();
    for (i = 0; i < r.count; i++) {
        const zf_redact_finding *f = &r.findings[i];

        if (f->offset < in_at || f->offset + f->length > len || f->out_offset < out_at ||
            f->out_offset + f->out_length > r.len || f->length == 0 || f->char_length == 0 ||
            chars(text + f->offset, f->length) != f->char_length ||
            chars(r.text + f->out_offset, f->out_length) != f->char_length)
            abort();
        /* the gap before the finding is copied unchanged */
        if (f->offset - in_at != f->out_offset - out_at ||
            memcmp(text + in_at, r.text + out_at, f->offset - in_at) != 0)
            abort();
        if (!f->masked && (f->length != f->out_length ||
                           memcmp(text + f->offset, r.text + f->out_offset, f->length) != 0))
            abort();
        in_at = f->offset + f->length;
        out_at = f->out_offset + f->out_length;
    }
    if (len - in_at != r.len - out_at || memcmp(text + in_at, r.text + out_at, len - in_at) != 0)
        abort();
    zf_redact_result_free(&r);
    return 0;
}
