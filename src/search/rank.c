/* rank.c — zf_bm25, see rank.h. The formula follows the description of
 * bm25() in the SQLite FTS5 documentation; only where the document
 * frequency comes from differs. */
#include "search/rank.h"

#include <math.h>
#include <stdlib.h>

#define K1 1.2
#define B 0.75
#define MAX_PHRASES 64

/* What is the same for every row of one query: computed on the query's
 * first row and kept with xSetAuxdata, which FTS5 scopes to one MATCH
 * query of one statement. FTS5 re-reads the averages record from the index
 * on every xRowCount and xColumnTotalSize call (they are not cached), about
 * a tenth of a microsecond each, which adds up over a thousand rows. */
typedef struct bm25_query {
    double idf, avgdl;
} bm25_query;

static void zf_bm25(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval,
                    sqlite3_value **vals)
{
    double freq[MAX_PHRASES] = {0}, score = 0, dl;
    bm25_query *q;
    int nphrase = api->xPhraseCount(fts), ncol = api->xColumnCount(fts), ninst = 0, ntok = 0, i;

    if (nval < 1 || nphrase > MAX_PHRASES) {
        sqlite3_result_error(ctx, "zf_bm25: wrong arguments", -1);
        return;
    }
    if (!(q = api->xGetAuxdata(fts, 0))) {
        sqlite3_int64 nrow = 0, total = 0;
        double n_hit = sqlite3_value_double(vals[nval - 1]);

        if (api->xRowCount(fts, &nrow) != SQLITE_OK ||
            api->xColumnTotalSize(fts, -1, &total) != SQLITE_OK) {
            sqlite3_result_error(ctx, "zf_bm25: index unreadable", -1);
            return;
        }
        if (!(q = sqlite3_malloc(sizeof *q))) {
            sqlite3_result_error_nomem(ctx);
            return;
        }
        if (n_hit < 0)
            n_hit = 0;
        if (nrow < 1)
            nrow = 1;
        q->idf = log(((double)nrow - n_hit + 0.5) / (n_hit + 0.5));
        if (q->idf <= 0.0)
            q->idf = 1e-6; /* as FTS5: a very common term still counts a little */
        q->avgdl = total > 0 ? (double)total / (double)nrow : 1.0;
        if (api->xSetAuxdata(fts, q, sqlite3_free) != SQLITE_OK) {
            sqlite3_result_error_nomem(ctx); /* xSetAuxdata freed q */
            return;
        }
    }
    if (api->xColumnSize(fts, -1, &ntok) != SQLITE_OK || api->xInstCount(fts, &ninst) != SQLITE_OK) {
        sqlite3_result_error(ctx, "zf_bm25: index unreadable", -1);
        return;
    }
    for (i = 0; i < ninst; i++) {
        int phrase, col, off;
        double w = 1.0;
        if (api->xInst(fts, i, &phrase, &col, &off) != SQLITE_OK || phrase < 0 || phrase >= nphrase)
            continue;
        /* weights are the arguments before the last, one per column */
        if (col < nval - 1 && col < ncol)
            w = sqlite3_value_double(vals[col]);
        freq[phrase] += w;
    }
    dl = (double)ntok;
    for (i = 0; i < nphrase; i++)
        score += q->idf * (freq[i] * (K1 + 1.0)) / (freq[i] + K1 * (1.0 - B + B * dl / q->avgdl));
    sqlite3_result_double(ctx, -score);
}

int zf_search_rank_register(sqlite3 *db, zf_err *err)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;

    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL);
        (void)sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (!api || api->iVersion < 2 ||
        api->xCreateFunction(api, ZF_SEARCH_RANK_FUNCTION, NULL, zf_bm25, NULL) != SQLITE_OK)
        return zf_err_set(err, ZF_EDB, "fts5_unavailable", NULL, "数据库未启用全文检索（FTS5）");
    return 0;
}
