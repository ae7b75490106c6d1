/* fuzz_tokenizer.c — libFuzzer target for the CJK search tokenizer.
 *
 * Build and run: make fuzz (tests/fuzz/run.sh); replayed over
 * tests/fuzz/corpus/tokenizer by make unit-test.
 *
 * Besides "no crash", it checks the tokenizer's promises on any bytes:
 * tokens are non-empty, at most ZF_SEARCH_TOKEN_MAX bytes, valid UTF-8;
 * offsets lie inside the input and never go backwards; the first token is
 * never colocated; positions are the same in document and highlight mode;
 * and the tokens of the input in both query modes appear in its
 * document-mode tokens as a phrase (the recall guarantee in miniature), at
 * depth 3 and at depth 4 (ZF_SEARCH_4GRAMS), whose document tokens are the
 * depth-3 ones plus 4-grams at the same positions. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "search/tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int valid_utf8(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        size_t j;

        if (k == 0 || i + k > n)
            return 0;
        for (j = 1; j < k; j++)
            if (((unsigned char)s[i + j] & 0xC0) != 0x80)
                return 0;
        i += k;
    }
    return 1;
}

static void check_list(const zf_search_tokens *t, size_t size)
{
    size_t i, last_start = 0;

    for (i = 0; i < t->count; i++) {
        const zf_search_token *k = &t->items[i];

        if (k->len == 0 || k->len > ZF_SEARCH_TOKEN_MAX || strlen(k->text) != k->len ||
            !valid_utf8(k->text, k->len))
            abort();
        if (k->start >= k->end || k->end > size || k->start < last_start)
            abort();
        if (i == 0 && (k->flags & ZF_SEARCH_COLOCATED))
            abort();
        if (i > 0 && k->pos < t->items[i - 1].pos)
            abort();
        last_start = k->start;
    }
}

/* Does the query token sequence q occur in d at consecutive positions? */
static int phrase_in(const zf_search_tokens *d, const zf_search_tokens *q)
{
    size_t i, j;

    if (q->count == 0)
        return 1;
    for (i = 0; i < d->count; i++) {
        int base;

        if (d->items[i].len != q->items[0].len ||
            memcmp(d->items[i].text, q->items[0].text, q->items[0].len) != 0)
            continue;
        base = d->items[i].pos;
        for (j = 1; j < q->count; j++) {
            int want = base + q->items[j].pos - q->items[0].pos;
            size_t m;
            int found = 0;

            for (m = 0; m < d->count && !found; m++)
                found = d->items[m].pos == want && d->items[m].len == q->items[j].len &&
                        memcmp(d->items[m].text, q->items[j].text, q->items[j].len) == 0;
            if (!found)
                break;
        }
        if (j == q->count)
            return 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zf_search_tokens doc = ZF_SEARCH_TOKENS_INIT, hl = ZF_SEARCH_TOKENS_INIT,
                     q = ZF_SEARCH_TOKENS_INIT, q3 = ZF_SEARCH_TOKENS_INIT,
                     doc4 = ZF_SEARCH_TOKENS_INIT, q4 = ZF_SEARCH_TOKENS_INIT;
    const char *text = (const char *)data;
    size_t i;

    if (size > 4096) /* the phrase check is quadratic */
        return 0;
    zf_search_tokenize(&doc, text, size, ZF_SEARCH_DOCUMENT);
    zf_search_tokenize(&hl, text, size, ZF_SEARCH_HIGHLIGHT);
    zf_search_tokenize(&q, text, size, ZF_SEARCH_QUERY);
    zf_search_tokenize(&q3, text, size, ZF_SEARCH_QUERY_TRIGRAM);
    zf_search_tokenize(&doc4, text, size, ZF_SEARCH_DOCUMENT | ZF_SEARCH_4GRAMS);
    zf_search_tokenize(&q4, text, size, ZF_SEARCH_QUERY_TRIGRAM | ZF_SEARCH_4GRAMS);
    check_list(&doc4, size);
    check_list(&q4, size);
    /* depth 4 adds tokens and never moves one: each depth-3 token is there
     * at the same position */
    if ((doc.count == 0) != (doc4.count == 0) ||
        (doc.count && doc.items[doc.count - 1].pos != doc4.items[doc4.count - 1].pos))
        abort();
    for (i = 0; i < doc.count; i++) {
        size_t m;

        for (m = 0; m < doc4.count; m++)
            if (doc4.items[m].pos == doc.items[i].pos && strcmp(doc4.items[m].text, doc.items[i].text) == 0)
                break;
        if (m == doc4.count)
            abort();
    }
    if (!phrase_in(&doc4, &q4) || !phrase_in(&doc4, &q3))
        abort();
    zf_search_tokens_free(&doc4);
    zf_search_tokens_free(&q4);
    check_list(&doc, size);
    check_list(&hl, size);
    check_list(&q, size);
    check_list(&q3, size);
    /* the same positions: every highlight token is a document token at the
     * same position, and both end at the same position */
    if ((doc.count == 0) != (hl.count == 0) ||
        (doc.count && doc.items[doc.count - 1].pos != hl.items[hl.count - 1].pos))
        abort();
    for (i = 0; i < hl.count; i++) {
        size_t m;

        for (m = 0; m < doc.count; m++)
            if (doc.items[m].pos == hl.items[i].pos && strcmp(doc.items[m].text, hl.items[i].text) == 0)
                break;
        if (m == doc.count)
            abort();
    }
    if (!phrase_in(&doc, &q) || !phrase_in(&doc, &q3))
        abort();
    zf_search_tokens_free(&doc);
    zf_search_tokens_free(&hl);
    zf_search_tokens_free(&q);
    zf_search_tokens_free(&q3);
    return 0;
}
