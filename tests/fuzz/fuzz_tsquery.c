/* fuzz_tsquery.c — libFuzzer target for search on PostgreSQL (search/tsv.h).
 *
 * Build and run: make fuzz (tests/fuzz/run.sh); replayed over
 * tests/fuzz/corpus/tsquery by make unit-test.
 *
 * For any input: zf_search_tsquery_build either refuses it with a Chinese
 * message or returns a phrase and a loose tsquery whose every lexeme is one
 * of the document's own (a record holding what was typed carries every term
 * the query asks for); and zf_search_mark of the input against itself gives
 * back the input exactly once the markers are taken out, with the markers
 * balanced, and with at least one hit whenever the query had a term. The
 * same lexemes are in the tsvector of the case list's fields
 * (zf_search_tsvector_fields: the input, an empty field, the input again). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "search/tsv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every 'lexeme' of the tsquery q is a 'lexeme': element of the tsvector v
 * (or, followed by :*, a prefix of one). */
static void check_lexemes(const char *q, const char *v)
{
    const char *p = q;

    while ((p = strchr(p, '\'')) != NULL) {
        const char *e = p + 1;
        size_t n;
        char *needle;

        while (*e && !(*e == '\'' && e[1] != '\''))
            e += *e == '\'' ? 2 : 1;
        if (!*e)
            abort();
        n = (size_t)(e - p) + (e[1] == ':' && e[2] == '*' ? 0 : 1);
        needle = malloc(n + 1);
        memcpy(needle, p, n);
        needle[n] = '\0';
        if (!strstr(v, needle))
            abort();
        free(needle);
        p = e + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *phrase = NULL, *loose = NULL, *vec = NULL, *m;
    zf_err err = ZF_ERR_INIT;
    size_t i, k = 0, opens = 0;
    int partial, rc, open = 0;

    memcpy(text, data, size);
    text[size] = '\0';
    if (memchr(data, '\x02', size) || memchr(data, '\x03', size)) {
        free(text); /* the markers themselves: the check below could not tell */
        return 0;
    }
    rc = zf_search_tsquery_build(&phrase, &loose, (const char *)data, size, &err);
    if (rc < 0) {
        if (phrase || loose || err.message[0] == '\0' || err.code[0] == '\0')
            abort();
        free(text);
        return 0;
    }
    if (strlen(text) != size) /* a NUL inside must have been refused */
        abort();
    zf_search_tsvector_build(&vec, &partial, "", text);
    check_lexemes(phrase, vec);
    check_lexemes(loose, vec);
    {
        const char *fields[3] = {text, NULL, text};
        char *v3 = NULL;

        zf_search_tsvector_fields(&v3, &partial, fields, 3);
        check_lexemes(phrase, v3);
        free(v3);
    }
    m = zf_search_mark(text, text, 0);
    for (i = 0; m[i]; i++) {
        if (m[i] == '\x02') {
            if (open)
                abort();
            open = 1;
            opens++;
        } else if (m[i] == '\x03') {
            if (!open)
                abort();
            open = 0;
        } else if (m[i] != text[k++]) {
            abort();
        }
    }
    if (open || k != size || opens == 0)
        abort();
    free(m);
    free(vec);
    free(phrase);
    free(loose);
    free(text);
    return 0;
}
