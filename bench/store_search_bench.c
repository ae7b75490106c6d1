/* store_search_bench.c — search on both backends in one run (issue 9):
 * the same generated documents indexed through zf_search_index_upsert and
 * queried through zf_search_run (page 1, 10 per page, as the portal does),
 * on SQLite (FTS5) and on PostgreSQL (tsvector + GIN), with the indexing
 * rate and the query latencies (p50/p99) of 2-, 3- and 4-character queries.
 *
 *     mkdir -p build/bench
 *     cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Werror -Isrc \
 *        -o build/bench/store_search_bench bench/store_search_bench.c build/libzhifa.a \
 *        $(pkg-config --libs libmicrohttpd jansson sqlite3 libsodium libcrypto libutf8proc \
 *          pangocairo libqrencode libcurl libarchive xlsxwriter libpq) -lpthread -lm
 *     build/bench/store_search_bench N postgres://user@host:port/emptydb
 *
 * The SQLite file is made under /tmp and removed. Documents are 200
 * characters drawn from 400 common Han characters with a Zipf-like skew,
 * so short queries match many documents and longer ones few. Prints
 * Markdown. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/db.h"
#include "store/search_store.h"

#define DOC_CHARS 200
#define QUERIES 200

static const char HAN[] =
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned rnd(unsigned *x)
{
    *x = *x * 1103515245u + 12345u;
    return *x >> 8;
}

/* A character index skewed towards the front of HAN. */
static int pick(unsigned *x, int n)
{
    double u = (double)(rnd(x) % 100000) / 100000.0;
    return (int)(u * u * n);
}

static void make_doc(char *out, unsigned *x, int n)
{
    int i;
    for (i = 0; i < DOC_CHARS; i++)
        memcpy(out + i * 3, HAN + pick(x, n) * 3, 3);
    out[DOC_CHARS * 3] = '\0';
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void run(const char *name, const char *location, int ndocs)
{
    zf_db *db = NULL;
    zf_err err = ZF_ERR_INIT;
    unsigned x = 42;
    int n = (int)(strlen(HAN) / 3), i, len;
    char body[DOC_CHARS * 3 + 1], q[16];
    double t0, t;

    if (zf_db_open(&db, location, &err) < 0 || zf_db_migrate(db, &err) < 0) {
        fprintf(stderr, "store_search_bench: %s: %s\n", name, err.message);
        exit(1);
    }
    t0 = now_s();
    for (i = 0; i < ndocs; i++) {
        zf_search_doc d = {"guide", i + 1, 0, "2026-01-01", "办事指南", body, "/guides/1"};
        if (i % 1000 == 0 && (i ? zf_db_commit(db, &err) : 0) == 0 && zf_db_begin(db, &err) < 0)
            break;
        make_doc(body, &x, n);
        if (zf_search_index_upsert(db, &d, &err) < 0)
            break;
    }
    if (err.message[0] || zf_db_commit(db, &err) < 0) {
        fprintf(stderr, "store_search_bench: %s: %s\n", name, err.message);
        exit(1);
    }
    t = now_s() - t0;
    /* what autovacuum does after a bulk load (on PostgreSQL this also merges
     * the GIN index's pending list, which every query would otherwise scan) */
    zf_db_exec(db, strcmp(zf_db_dialect(db), "postgres") == 0 ? "VACUUM ANALYZE" : "ANALYZE", &err);
    printf("| %s | indexing | %d documents in %.1f s: **%.0f docs/s** | | |\n", name, ndocs, t, ndocs / t);
    for (len = 2; len <= 4; len++) {
        double lat[QUERIES];
        int64_t total = 0;
        for (i = 0; i < QUERIES; i++) {
            zf_search_params p = ZF_SEARCH_PARAMS_INIT;
            zf_search_result r;
            int k;
            for (k = 0; k < len; k++)
                memcpy(q + k * 3, HAN + pick(&x, n / 4) * 3, 3);
            q[len * 3] = '\0';
            p.q = q;
            t0 = now_s();
            if (zf_search_run(&r, db, &p, &err) < 0) {
                fprintf(stderr, "store_search_bench: %s: %s\n", name, err.message);
                exit(1);
            }
            lat[i] = (now_s() - t0) * 1000.0;
            total += r.total;
            zf_search_result_free(&r);
        }
        qsort(lat, QUERIES, sizeof lat[0], cmp_d);
        printf("| %s | %d-character queries | mean matches %.0f | p50 %.2f ms | p99 %.2f ms |\n", name, len,
               (double)total / QUERIES, lat[QUERIES / 2], lat[QUERIES * 99 / 100]);
    }
    zf_db_close(db);
}

int main(int argc, char **argv)
{
    int ndocs = argc > 1 ? atoi(argv[1]) : 20000;
    char path[64], p2[80];

    snprintf(path, sizeof path, "/tmp/zf-store-search-bench-%d.db", (int)getpid());
    printf("| backend | what | result | p50 | p99 |\n|---|---|---|---:|---:|\n");
    run("SQLite (FTS5)", path, ndocs);
    unlink(path);
    snprintf(p2, sizeof p2, "%s-wal", path);
    unlink(p2);
    snprintf(p2, sizeof p2, "%s-shm", path);
    unlink(p2);
    if (argc > 2)
        run("PostgreSQL (tsvector)", argv[2], ndocs);
    return 0;
}
