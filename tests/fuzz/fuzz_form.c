/* fuzz_form.c — the x-www-form-urlencoded parser of the portal's forms
 * (web/form.h). Checks that an accepted form keeps its promises: at most
 * ZF_FORM_MAX_FIELDS fields with distinct names of [A-Za-z0-9_], values that
 * are UTF-8 without NUL, CR or other control characters but tab and LF, and
 * that the complaint number and query code parsers agree with themselves on
 * every value (a canonical form parses to itself). The same bytes also go
 * to zf_form_add as one raw value (a text part of a multipart form). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/complaint.h"
#include "core/lawdoc.h"
#include "web/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zf_form *f = NULL;
    zf_err err = ZF_ERR_INIT;
    size_t i, j, n;

    f = zf_form_new();
    if (zf_form_add(f, "raw", (const char *)data, size, &err) == 0) {
        const char *v = zf_form_get(f, "raw"), *p;

        if (!v || !zf_lawdoc_utf8_valid(v, strlen(v), NULL) || strlen(v) > size)
            abort();
        for (p = v; *p; p++)
            if ((unsigned char)*p < 0x20 && *p != '\t' && *p != '\n')
                abort();
        if (zf_form_add(f, "raw", "x", 1, &err) == 0)
            abort(); /* no name twice */
    }
    zf_form_free(f);
    f = NULL;
    if (zf_form_parse(&f, (const char *)data, size, &err) < 0) {
        if (f || !err.message[0])
            abort(); /* a refusal leaves nothing and says why */
        return 0;
    }
    n = zf_form_count(f);
    if (n > ZF_FORM_MAX_FIELDS)
        abort();
    for (i = 0; i < n; i++) {
        const char *name = zf_form_name(f, i), *v = zf_form_get(f, name), *p;
        char no[ZF_COMPLAINT_NO_LEN + 1], again[ZF_COMPLAINT_NO_LEN + 1];
        char code[ZF_COMPLAINT_CODE_LEN + 1], code2[ZF_COMPLAINT_CODE_LEN + 1];

        if (!name || !*name || !v || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
                                         strlen(name))
            abort();
        for (j = i + 1; j < n; j++)
            if (strcmp(name, zf_form_name(f, j)) == 0)
                abort();
        if (!zf_lawdoc_utf8_valid(v, strlen(v), NULL))
            abort();
        for (p = v; *p; p++)
            if (((unsigned char)*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f)
                abort();
        if (zf_complaint_no_parse(no, v, strlen(v)) == 0 &&
            (zf_complaint_no_parse(again, no, strlen(no)) != 0 || strcmp(no, again) != 0 ||
             strlen(no) != ZF_COMPLAINT_NO_LEN))
            abort();
        if (zf_complaint_code_parse(code, v, strlen(v)) == 0 &&
            (zf_complaint_code_parse(code2, code, strlen(code)) != 0 || strcmp(code, code2) != 0))
            abort();
    }
    zf_form_free(f);
    return 0;
}
