/* fuzz_docfields.c — libFuzzer target for document field validation
 * (core/doctpl.h) and the HTML rendering that follows it.
 *
 * Input: the first byte picks the template (modulo the template count), the
 * rest is JSON for the fields. Build and run with `make fuzz` (clang,
 * libFuzzer, ASan, UBSan); the committed corpus replays under the standalone
 * driver in `make unit-test`.
 *
 * Besides "no crash, no leak", it checks the validator's promises: a refusal
 * always carries a code and a Chinese message; validation is deterministic;
 * whatever validates also renders to HTML; a 文号 that parses formats back
 * to the same number. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/doctpl.h"
#include "render/html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const zf_render_opts opts = {"赣江市市场监督管理局", "FUZZ-0001",
                                        "https://zhifa.example.gov.cn"};
    const zf_doctpl *tpl;
    json_t *fields;
    zf_err e1 = ZF_ERR_INIT, e2 = ZF_ERR_INIT;
    zf_docno no;
    int r1, r2;

    if (size < 1 || size > 256 * 1024)
        return 0;
    tpl = zf_doctpl_at(data[0] % zf_doctpl_count());
    if (!tpl)
        abort();
    if (zf_docno_parse(&no, (const char *)data + 1, size - 1, NULL) == 0) {
        char buf[256];
        zf_docno again;

        if (zf_docno_format(buf, sizeof buf, no.prefix, no.year, no.seq, NULL) < 0 ||
            zf_docno_parse(&again, buf, strlen(buf), NULL) != 0 || again.year != no.year ||
            again.seq != no.seq || strcmp(again.prefix, no.prefix) != 0)
            abort();
    }
    fields = json_loadb((const char *)data + 1, size - 1, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (!fields)
        return 0;
    r1 = zf_doc_validate(tpl, fields, &e1);
    r2 = zf_doc_validate(tpl, fields, &e2);
    if (r1 != r2 || strcmp(e1.code, e2.code) != 0 || strcmp(e1.field, e2.field) != 0)
        abort();
    if (r1 < 0 && (r1 != ZF_EINVAL || !e1.code[0] || !e1.message[0]))
        abort();
    /* a draft passes with nothing missing exactly when the full check passes */
    {
        json_t *missing = NULL;
        zf_err e4 = ZF_ERR_INIT;
        int r4 = zf_doc_validate_draft(&missing, tpl, fields, &e4);

        if (r4 < 0 ? missing != NULL || r1 == 0 : (r1 == 0) != (json_array_size(missing) == 0))
            abort();
        json_decref(missing);
    }
    if (r1 == 0) {
        zf_buf html = ZF_BUF_INIT;
        zf_err e3 = ZF_ERR_INIT;

        if (zf_render_html(&html, tpl, fields, &opts, ZF_HTML_FRAGMENT, &e3) != 0 ||
            strstr(html.ptr, "<script") != NULL)
            abort();
        zf_buf_free(&html);
    }
    json_decref(fields);
    return 0;
}
