/* case_tsv.h — the case list's keyword index on PostgreSQL (issue 9): each
 * case's title, 立案号 and summary as a tsvector of zhifa's own tokens
 * (search/tsv.h), in case_tsv (migration 0027), the counterpart of SQLite's
 * case_fts (migration 0023). api/cases.c queries it with a tsquery phrase
 * for the candidates of a keyword; the substring test then keeps the exact
 * matches.
 *
 * A row whose tsv is NULL is pending: the migration, a trigger on every
 * change of the indexed text and zhifa migrate-store leave rows pending,
 * because SQL cannot run the C tokenizer; zf_case_tsv_fill computes them.
 * case_store.c calls zf_case_tsv_sync in the transaction of its own change,
 * so only writes from outside the store (scripts, psql, the migrations)
 * leave work for the fill. While a row is pending the list must not trust
 * the index (zf_case_tsv_pending), so a keyword never misses a case.
 *
 * Every function does nothing and returns 0 on SQLite (whose case_fts the
 * store writes itself). Functions take the calling thread's connection and
 * keep no state. */
#ifndef ZF_STORE_CASE_TSV_H
#define ZF_STORE_CASE_TSV_H

#include <stdint.h>

#include "store/db.h"
#include "util/err.h"

/* The SQL of the candidate ids for the tsquery phrase bound as $N (N given
 * as text, e.g. "14"): the cases whose tokens hold the phrase, and every
 * case whose text overflowed a tsvector (partial; the substring test
 * decides for those). For an IN-subquery. */
#define ZF_CASE_TSV_CANDIDATES(N)                                                          \
    "SELECT t.case_id FROM case_tsv t WHERE t.tsv @@ CAST($" N " AS tsquery)"             \
    " UNION ALL SELECT t.case_id FROM case_tsv t WHERE t.partial"

/* Computes the tsvector of one case from its row as it now is, in the
 * caller's write transaction (the store's own changes). */
int zf_case_tsv_sync(zf_db *db, int64_t case_id, zf_err *err);

/* Computes up to limit pending rows, lowest case id first, in the caller's
 * write transaction, or in one of its own when there is none. *out_n is the
 * number computed (less than limit: none left). */
int zf_case_tsv_fill(int64_t *out_n, zf_db *db, int64_t limit, zf_err *err);

/* *out = 1 when some row is pending (an indexed read of a partial index). */
int zf_case_tsv_pending(int *out, zf_db *db, zf_err *err);

#endif
