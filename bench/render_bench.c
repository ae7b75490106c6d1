/* build: cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -Isrc -Itests/unit $(pkg-config --cflags jansson pangocairo libqrencode) -o build/render_bench bench/render_bench.c build/libzhifa.a $(pkg-config --libs libmicrohttpd jansson sqlite3 libsodium libcrypto libutf8proc pangocairo libqrencode) -lpthread -lm
 *
 * render_bench.c — a three-page 行政处罚决定书 (tests/unit/decision_sample.h)
 * validated, laid out and written to PDF in memory, 50 times; prints the
 * median against the target of 100 ms (issue 5). One warm-up render first,
 * so the one-time font loading of the process is not counted: a server pays
 * it once per thread. Exit status 1 when the target is missed. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "decision_sample.h"
#include "render/pdf.h"

#define RUNS 50
#define TARGET_MS 100.0

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

int main(void)
{
    const zf_doctpl *tpl = zf_doctpl_find(ZF_DOC_PENALTY_DECISION);
    json_t *doc = sample_decision();
    double ms[RUNS], t0, first;
    size_t bytes = 0;
    int i, pages = 0;

    for (i = -1; i < RUNS; i++) {
        zf_buf out = ZF_BUF_INIT;
        zf_err err = ZF_ERR_INIT;

        t0 = now_ms();
        if (zf_render_pdf(&out, &pages, tpl, doc, &sample_opts, &err) != 0) {
            fprintf(stderr, "render_bench: %s\n", err.message);
            return 2;
        }
        if (i < 0)
            first = now_ms() - t0;
        else
            ms[i] = now_ms() - t0;
        bytes = out.len;
        zf_buf_free(&out);
    }
    qsort(ms, RUNS, sizeof ms[0], cmp);
    printf("| 行政处罚决定书 to PDF (%d pages, %zu bytes) | median %.1f ms | p90 %.1f ms | "
           "first (fonts cold) %.1f ms | target %.0f ms | ratio %.2f |\n",
           pages, bytes, ms[RUNS / 2], ms[RUNS * 9 / 10], first, TARGET_MS,
           ms[RUNS / 2] / TARGET_MS);
    json_decref(doc);
    return ms[RUNS / 2] < TARGET_MS && pages == 3 ? 0 : 1;
}
