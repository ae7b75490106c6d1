/* fuzz_lawdoc.c — libFuzzer target for the Markdown law parser.
 *
 * Build (clang): clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc
 *   tests/fuzz/fuzz_lawdoc.c src/core/lawdoc.c src/util/buf.c src/util/mem.c
 *   src/util/err.c -o build/fuzz_lawdoc
 * Run: build/fuzz_lawdoc tests/fuzz/corpus/lawdoc
 *
 * Besides "no crash, no leak", it checks the parser's promises on every
 * input it accepts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/lawdoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zf_lawdoc *doc = NULL;
    zf_err err = ZF_ERR_INIT;
    size_t i;

    if (zf_lawdoc_parse(&doc, (const char *)data, size, &err) < 0) {
        if (doc || err.message[0] == '\0')
            abort();
        return 0;
    }
    if (!doc || doc->article_count == 0 || !doc->title[0] ||
        !zf_lawdoc_utf8_valid(doc->title, strlen(doc->title), NULL))
        abort();
    for (i = 0; i < doc->article_count; i++) {
        const zf_lawdoc_article *a = &doc->articles[i];
        char label[ZF_LAWDOC_LABEL_MAX];

        if (a->no < 1 || a->no > 999 || a->sub < 0 || a->sub > 99)
            abort();
        /* The label is the canonical spelling, except 〇 for 零. */
        if (zf_lawdoc_article_label(label, sizeof label, a->no, a->sub) < 0 ||
            (strcmp(label, a->label) != 0 && !strstr(a->label, "〇")))
            abort();
        if (!zf_lawdoc_utf8_valid(a->text, strlen(a->text), NULL) ||
            !zf_lawdoc_utf8_valid(a->chapter, strlen(a->chapter), NULL))
            abort();
    }
    if (strlen(doc->effective_date) != 0 && strlen(doc->effective_date) != 10)
        abort();
    zf_lawdoc_free(doc);
    return 0;
}
