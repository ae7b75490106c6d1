/* rank.h — the ranking function of zhifa's full-text search: bm25 as FTS5
 * computes it, except that the caller supplies how many rows match.
 *
 * FTS5's built-in bm25() learns each phrase's document frequency (for the
 * IDF) by running the phrase over the whole table the first time a
 * statement calls it: for a common word among a million rows that one scan
 * costs 60–100 ms, even when only a window of a thousand rows is ranked.
 * search_store.c already knows the number of matches (exact up to 1000,
 * estimated beyond), so zf_bm25 takes it as an argument:
 *
 *   zf_bm25(fts_table, weight_col0, weight_col1, ..., n_matches)
 *
 * and otherwise computes FTS5's formula (k1 = 1.2, b = 0.75, one IDF per
 * query from n_matches, document length over all columns). Like bm25()
 * it returns the score negated, so ORDER BY ascending puts the best first.
 * With one phrase (the usual query) the IDF is the same for every row, so
 * the order equals FTS5's bm25 order exactly.
 *
 * Thread-safe; touches only the given connection. */
#ifndef ZF_SEARCH_RANK_H
#define ZF_SEARCH_RANK_H

#include <sqlite3.h>

#include "util/err.h"

#define ZF_SEARCH_RANK_FUNCTION "zf_bm25"

/* Installs zf_bm25 as an FTS5 auxiliary function on db. Returns 0, or ZF_EDB
 * ("fts5_unavailable") when SQLite lacks FTS5. */
int zf_search_rank_register(sqlite3 *db, zf_err *err);

#endif
