/* build: cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Werror -Isrc -o build/bench/spotcheck_bench bench/spotcheck_bench.c build/libzhifa.a (+ libs, see bench/run.sh)
 *
 * spotcheck_bench.c — the 双随机 draw of core/spotcheck.h on pools of the
 * sizes a city meets (a district's 10,000 food businesses up to a city's
 * 1,000,000 market entities; 20 to 500 inspectors, two per entity), and the
 * pool hash over the same entities. Prints a Markdown table. The draw is
 * pure CPU; the database work around it (one INSERT per selection) is
 * measured by nothing here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/spotcheck.h"

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
    static const struct {
        size_t entities, inspectors;
        int permille;
    } cases[] = {
        {10000, 20, 50}, {10000, 100, 50}, {100000, 100, 30}, {1000000, 500, 10}, {1000000, 500, 50},
    };
    uint8_t seed[ZF_SPOT_SEED_LEN];
    size_t maxe = 1000000, i, c;
    char **ent = malloc(maxe * sizeof *ent), **ins = malloc(500 * sizeof *ins);
    const char **rows = malloc(maxe * 4 * sizeof *rows);

    for (i = 0; i < ZF_SPOT_SEED_LEN; i++)
        seed[i] = (uint8_t)(i * 7 + 1);
    for (i = 0; i < maxe; i++) {
        ent[i] = malloc(20);
        snprintf(ent[i], 20, "91%016zu", i);
        rows[4 * i] = ent[i];
        rows[4 * i + 1] = "南昌某某食品经营有限公司";
        rows[4 * i + 2] = "东湖区八一大道100号";
        rows[4 * i + 3] = "餐饮服务";
    }
    for (i = 0; i < 500; i++) {
        ins[i] = malloc(16);
        snprintf(ins[i], 16, "36%08zu", i);
    }
    printf("| entities | inspectors | ratio | drawn | draw ms | pairs repeated | pool hash ms |\n");
    printf("|---:|---:|---:|---:|---:|---:|---:|\n");
    for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        zf_spot_input in = {seed, (const char *const *)ent, cases[c].entities,
                            (const char *const *)ins, cases[c].inspectors, cases[c].permille, 2,
                            NULL, 0};
        zf_spot_draw d = ZF_SPOT_DRAW_INIT;
        zf_err err = ZF_ERR_INIT;
        char hash[65];
        double t0 = now(), t1, t2;

        if (zf_spot_draw_run(&d, &in, &err) < 0) {
            fprintf(stderr, "draw failed: %s\n", err.message);
            return 1;
        }
        t1 = now();
        if (zf_spot_pool_hash(hash, rows, cases[c].entities, 4, &err) < 0)
            return 1;
        t2 = now();
        printf("| %zu | %zu | %d.%d%% | %zu | %.1f | %zu | %.1f |\n", cases[c].entities,
               cases[c].inspectors, cases[c].permille / 10, cases[c].permille % 10, d.n,
               (t1 - t0) * 1e3, d.repeated_pairs, (t2 - t1) * 1e3);
        zf_spot_draw_free(&d);
    }
    return 0;
}
