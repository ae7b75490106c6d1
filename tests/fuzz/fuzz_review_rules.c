/* fuzz_review_rules.c — libFuzzer target for the review catalog's condition
 * language: the condition parser, the catalog parser, the facts parser and
 * the evaluator, over arbitrary bytes.
 *
 * Input: RULES '\0' FACTS. RULES is tried as one condition and as a whole
 * catalog; FACTS as a facts object (missing: "{}").
 *
 * Build and run: make fuzz (tests/fuzz/run.sh), or replay the committed
 * corpus with build/fuzz-replay/fuzz_review_rules tests/fuzz/corpus/review_rules.
 *
 * Besides "no crash, no leak", it checks the module's promises: a refusal
 * leaves *out NULL and says why in valid UTF-8 (messages quote user input and
 * are cut to fit zf_err); the canonical text of an accepted
 * condition parses again to the same text and the same verdict; "not" negates;
 * a catalog survives a JSON round trip and classifies into its own rules. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/lawdoc.h"
#include "core/review.h"
#include "util/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A refusal says why, in Chinese that is valid UTF-8 (it goes into JSON). */
static void check_refusal(const zf_err *err)
{
    if (err->message[0] == '\0' || err->rc >= 0 ||
        !zf_lawdoc_utf8_valid(err->message, strlen(err->message), NULL) ||
        !zf_lawdoc_utf8_valid(err->field, strlen(err->field), NULL))
        abort();
}

static void check_cond(const char *rules, size_t rlen, const zf_review_facts *f)
{
    zf_review_cond *c = NULL, *again = NULL, *neg = NULL;
    char *canon = NULL, *canon2 = NULL, *wrapped;
    zf_err err = ZF_ERR_INIT;
    size_t n;

    if (zf_review_cond_parse(&c, rules, rlen, "when", &err) < 0) {
        if (c)
            abort();
        check_refusal(&err);
        return;
    }
    if (!c || zf_review_cond_to_json(&canon, c, &err) < 0)
        abort();
    if (zf_review_cond_parse(&again, canon, strlen(canon), "when", &err) < 0 ||
        zf_review_cond_to_json(&canon2, again, &err) < 0 || strcmp(canon, canon2) != 0)
        abort();
    if (f && zf_review_cond_eval(c, f) != zf_review_cond_eval(again, f))
        abort();
    /* {"not": c} is within limits unless c is at the depth or node limit */
    n = strlen(canon) + 16;
    wrapped = zf_malloc(n);
    memcpy(wrapped, "{\"not\":", 7);
    memcpy(wrapped + 7, canon, strlen(canon));
    memcpy(wrapped + 7 + strlen(canon), "}", 2);
    if (zf_review_cond_parse(&neg, wrapped, strlen(wrapped), NULL, &err) == 0) {
        if (f && zf_review_cond_eval(neg, f) == zf_review_cond_eval(c, f))
            abort();
    } else if (err.rc != ZF_ETOOBIG) {
        abort();
    }
    free(wrapped);
    free(canon);
    free(canon2);
    zf_review_cond_free(neg);
    zf_review_cond_free(again);
    zf_review_cond_free(c);
}

static void check_catalog(const char *rules, size_t rlen, const zf_review_facts *f)
{
    zf_review_catalog *cat = NULL, *again = NULL;
    char *a = NULL, *b = NULL;
    zf_err err = ZF_ERR_INIT;

    if (zf_review_catalog_parse(&cat, rules, rlen, &err) < 0) {
        if (cat)
            abort();
        check_refusal(&err);
        return;
    }
    if (!cat || cat->n_rules > ZF_REVIEW_MAX_RULES || zf_review_catalog_to_json(&a, cat, &err) < 0)
        abort();
    if (zf_review_catalog_parse(&again, a, strlen(a), &err) < 0 ||
        zf_review_catalog_to_json(&b, again, &err) < 0 || strcmp(a, b) != 0)
        abort();
    if (f) {
        zf_review_class *cls = zf_malloc(sizeof *cls);

        zf_review_classify(cls, cat, f);
        if (cls->n_matches > cat->n_rules || cls->listed != (cls->n_matches > 0))
            abort();
        for (size_t i = 0; i < cls->n_matches; i++)
            if (!zf_review_catalog_find(cat, cls->matches[i].code))
                abort();
        free(cls);
    }
    free(a);
    free(b);
    zf_review_catalog_free(again);
    zf_review_catalog_free(cat);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *sep = memchr(text, '\0', size);
    size_t rlen = sep ? (size_t)(sep - text) : size;
    const char *ftext = sep ? sep + 1 : "{}";
    size_t flen = sep ? size - rlen - 1 : 2;
    zf_review_facts *f = NULL;
    zf_err err = ZF_ERR_INIT;

    if (zf_review_facts_parse(&f, ftext, flen, &err) < 0) {
        if (f)
            abort();
        check_refusal(&err);
    }
    check_cond(text, rlen, f);
    check_catalog(text, rlen, f);
    /* the default catalog classifies any accepted facts without failing */
    if (f) {
        zf_review_catalog *def = NULL;
        zf_review_class *cls = zf_malloc(sizeof *cls);

        if (zf_review_catalog_defaults(&def, "", &err) < 0)
            abort();
        zf_review_classify(cls, def, f);
        free(cls);
        zf_review_catalog_free(def);
    }
    zf_review_facts_free(f);
    return 0;
}
