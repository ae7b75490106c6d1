/* case_tsv.c — the case list's keyword index on PostgreSQL. See case_tsv.h
 * and migration 0027. */
#include "store/case_tsv.h"

#include <stdlib.h>
#include <string.h>

#include "search/tsv.h"

static int is_pg(zf_db *db)
{
    return strcmp(zf_db_dialect(db), "postgres") == 0;
}

/* Stores the tsvector of (title, 立案号, summary) for case_id. */
static int store(zf_db *db, int64_t case_id, const char *title, const char *case_no, const char *summary,
                 zf_err *err)
{
    const char *fields[3] = {title, case_no, summary};
    zf_stmt *st = NULL;
    char *tsv = NULL;
    int partial = 0, rc;

    zf_search_tsvector_fields(&tsv, &partial, fields, 3);
    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO case_tsv (case_id, tsv, partial) VALUES ($1, CAST($2 AS tsvector), "
                            "$3 = 1) ON CONFLICT (case_id) DO UPDATE SET tsv = excluded.tsv, "
                            "partial = excluded.partial",
                            err)) == 0) {
        zf_stmt_bind_int64(st, 1, case_id);
        zf_stmt_bind_text(st, 2, tsv, -1);
        zf_stmt_bind_int64(st, 3, partial);
        rc = zf_stmt_step(st, err);
    }
    zf_stmt_free(st);
    free(tsv);
    return rc < 0 ? rc : 0;
}

int zf_case_tsv_sync(zf_db *db, int64_t case_id, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if (!is_pg(db))
        return 0;
    if ((rc = zf_db_prepare(&st, db, "SELECT title, COALESCE(case_no, ''), summary FROM cases WHERE id = $1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, case_id);
    /* PostgreSQL results are held whole (pg.c), so the row stays readable
     * while store() runs its own statement on the connection */
    if ((rc = zf_stmt_step(st, err)) == 1)
        rc = store(db, case_id, zf_stmt_text(st, 0), zf_stmt_text(st, 1), zf_stmt_text(st, 2), err);
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

/* The pending rows up to limit, in the caller's transaction. */
static int fill(int64_t *out_n, zf_db *db, int64_t limit, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, db,
                            "SELECT c.id, c.title, COALESCE(c.case_no, ''), c.summary FROM case_tsv t "
                            "JOIN cases c ON c.id = t.case_id WHERE t.tsv IS NULL ORDER BY t.case_id LIMIT $1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, limit);
    while ((rc = zf_stmt_step(st, err)) == 1) {
        if ((rc = store(db, zf_stmt_int64(st, 0), zf_stmt_text(st, 1), zf_stmt_text(st, 2), zf_stmt_text(st, 3),
                        err)) < 0)
            break;
        (*out_n)++;
    }
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

int zf_case_tsv_fill(int64_t *out_n, zf_db *db, int64_t limit, zf_err *err)
{
    int rc;

    *out_n = 0;
    if (!is_pg(db) || limit <= 0)
        return 0;
    if (zf_db_in_transaction(db))
        return fill(out_n, db, limit, err);
    if ((rc = zf_db_begin(db, err)) < 0)
        return rc;
    if ((rc = fill(out_n, db, limit, err)) < 0) {
        zf_db_rollback(db);
        *out_n = 0;
        return rc;
    }
    if ((rc = zf_db_commit(db, err)) < 0)
        *out_n = 0;
    return rc;
}

int zf_case_tsv_pending(int *out, zf_db *db, zf_err *err)
{
    int64_t v = 0;
    int rc;

    *out = 0;
    if (!is_pg(db))
        return 0;
    if ((rc = zf_db_query_int64(db, &v, "SELECT EXISTS (SELECT 1 FROM case_tsv WHERE tsv IS NULL)", err, 0,
                                NULL)) < 0)
        return rc;
    *out = v != 0;
    return 0;
}
