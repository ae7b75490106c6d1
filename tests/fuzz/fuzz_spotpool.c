/* fuzz_spotpool.c — libFuzzer target for the spot-check pool CSV reader
 * (core/spotpool.h).
 *
 * Build and run: make fuzz (tests/fuzz/run.sh); replayed over
 * tests/fuzz/corpus/spotpool by make unit-test.
 *
 * For any input: either a refusal with a code and a Chinese message, or
 * rows that each pass zf_spot_entity_check, with credit codes unique, and
 * rejections that each carry a reason. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/spotpool.h"
#include "util/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zf_spot_pool_parse p = ZF_SPOT_POOL_PARSE_INIT;
    zf_err err = ZF_ERR_INIT;
    size_t i, j;

    if (zf_spot_pool_parse_csv(&p, (const char *)data, size, &err) < 0) {
        if (!err.code[0] || !err.message[0])
            abort();
        zf_spot_pool_parse_free(&p);
        return 0;
    }
    for (i = 0; i < p.n; i++) {
        char *code = zf_strdup(p.rows[i].credit_code);

        if (zf_spot_entity_check(code, p.rows[i].name, p.rows[i].address, p.rows[i].category,
                                 NULL) < 0 ||
            strcmp(code, p.rows[i].credit_code) != 0)
            abort();
        free(code);
        for (j = 0; j < i; j++)
            if (strcmp(p.rows[i].credit_code, p.rows[j].credit_code) == 0)
                abort();
    }
    for (i = 0; i < p.n_rejected; i++)
        if (!p.rejected[i].reason[0] || p.rejected[i].line == 0)
            abort();
    zf_spot_pool_parse_free(&p);
    return 0;
}
