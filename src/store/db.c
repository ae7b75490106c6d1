/* db.c — db.h for every backend: picks the backend by the location given to
 * zf_db_open, dispatches each call through the connection's ops table
 * (db_backend.h), and holds what is the same on both (the pool, the
 * convenience query). */
#include "store/db_backend.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

int zf_db_location_is_postgres(const char *location)
{
    return location && (strncmp(location, "postgres://", 11) == 0 ||
                        strncmp(location, "postgresql://", 13) == 0);
}

int zf_db_open(zf_db **out, const char *location, zf_err *err)
{
    int rc = zf_db_location_is_postgres(location) ? zf_db_pg_open(out, location, err)
                                                  : zf_db_sqlite_open(out, location, err);

    if (rc == 0)
        (*out)->location = zf_strdup(location);
    return rc;
}

const char *zf_db_location(const zf_db *db)
{
    return db->location ? db->location : "";
}

const char *zf_db_dialect(const zf_db *db)
{
    return db->ops->name;
}

void zf_db_close(zf_db *db)
{
    if (db) {
        free(db->location);
        db->location = NULL;
        db->ops->close(db);
    }
}

int zf_db_exec(zf_db *db, const char *sql, zf_err *err)
{
    return db->ops->exec(db, sql, err);
}

int zf_db_prepare(zf_stmt **out, zf_db *db, const char *sql, zf_err *err)
{
    return db->ops->prepare(out, db, sql, err);
}

int zf_stmt_bind_int64(zf_stmt *st, int n, int64_t v)
{
    return st->db->ops->bind_int64(st, n, v);
}

int zf_stmt_bind_double(zf_stmt *st, int n, double v)
{
    return st->db->ops->bind_double(st, n, v);
}

int zf_stmt_bind_text(zf_stmt *st, int n, const char *s, long len)
{
    return st->db->ops->bind_text(st, n, s, len);
}

int zf_stmt_bind_blob(zf_stmt *st, int n, const void *p, size_t len)
{
    return st->db->ops->bind_blob(st, n, p, len);
}

int zf_stmt_bind_null(zf_stmt *st, int n)
{
    return st->db->ops->bind_null(st, n);
}

int zf_stmt_bind_text_or_null(zf_stmt *st, int n, const char *s)
{
    return s ? zf_stmt_bind_text(st, n, s, -1) : zf_stmt_bind_null(st, n);
}

int zf_stmt_step(zf_stmt *st, zf_err *err)
{
    return st->db->ops->step(st, err);
}

int zf_stmt_column_count(zf_stmt *st)
{
    return st->db->ops->column_count(st);
}

const char *zf_stmt_column_name(zf_stmt *st, int col)
{
    return st->db->ops->column_name(st, col);
}

int zf_stmt_is_null(zf_stmt *st, int col)
{
    return st->db->ops->is_null(st, col);
}

int64_t zf_stmt_int64(zf_stmt *st, int col)
{
    return st->db->ops->int64(st, col);
}

double zf_stmt_double(zf_stmt *st, int col)
{
    return st->db->ops->dbl(st, col);
}

const char *zf_stmt_text(zf_stmt *st, int col)
{
    return st->db->ops->text(st, col);
}

const void *zf_stmt_blob(zf_stmt *st, int col, size_t *out_len)
{
    return st->db->ops->blob(st, col, out_len);
}

void zf_stmt_free(zf_stmt *st)
{
    if (st)
        st->db->ops->stmt_free(st);
}

int64_t zf_db_changes(zf_db *db)
{
    return db->ops->changes(db);
}

int zf_db_begin(zf_db *db, zf_err *err)
{
    return db->ops->begin(db, err);
}

int zf_db_commit(zf_db *db, zf_err *err)
{
    return db->ops->commit(db, err);
}

void zf_db_rollback(zf_db *db)
{
    db->ops->rollback(db);
}

int zf_db_in_transaction(const zf_db *db)
{
    return db->ops->in_transaction(db);
}

int zf_db_read_begin(zf_db *db)
{
    return db->ops->read_begin(db);
}

int zf_db_data_version(zf_db *db, uint64_t *out, zf_err *err)
{
    if (!db->ops->data_version)
        return zf_err_set(err, ZF_EDB, "unsupported", NULL, "该数据库不提供数据版本");
    return db->ops->data_version(db, out, err);
}

void zf_db_read_end(zf_db *db)
{
    db->ops->read_end(db);
}

int zf_db_query_int64(zf_db *db, int64_t *out, const char *sql, zf_err *err,
                      int nparams, const char *const *params)
{
    zf_stmt *st = NULL;
    int rc, i;

    if ((rc = zf_db_prepare(&st, db, sql, err)) < 0)
        return rc;
    for (i = 0; i < nparams; i++)
        if ((rc = zf_stmt_bind_text_or_null(st, i + 1, params[i])) < 0) {
            zf_err_set(err, rc, NULL, NULL, "参数绑定失败");
            goto done;
        }
    rc = zf_stmt_step(st, err);
    if (rc == 1 && out)
        *out = zf_stmt_int64(st, 0);
done:
    zf_stmt_free(st);
    return rc;
}

/* ---- pool ---- */

struct zf_db_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int size;
    int nfree;
    zf_db **all;
    zf_db **free_list;
};

int zf_db_pool_open(zf_db_pool **out, const char *location, int size, zf_err *err)
{
    zf_db_pool *p = zf_calloc(1, sizeof *p);
    int i, rc;

    *out = NULL;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->all = zf_calloc((size_t)size, sizeof *p->all);
    p->free_list = zf_calloc((size_t)size, sizeof *p->free_list);
    for (i = 0; i < size; i++) {
        if ((rc = zf_db_open(&p->all[i], location, err)) < 0) {
            p->size = i;
            zf_db_pool_close(p);
            return rc;
        }
        p->free_list[p->nfree++] = p->all[i];
    }
    p->size = size;
    *out = p;
    return 0;
}

zf_db *zf_db_pool_acquire(zf_db_pool *p)
{
    zf_db *db;

    pthread_mutex_lock(&p->mu);
    while (p->nfree == 0)
        pthread_cond_wait(&p->cv, &p->mu);
    db = p->free_list[--p->nfree];
    pthread_mutex_unlock(&p->mu);
    return db;
}

void zf_db_pool_release(zf_db_pool *p, zf_db *db)
{
    if (!db)
        return;
    zf_db_read_end(db);
    zf_db_rollback(db); /* a handler that forgot to finish leaves nothing open */
    pthread_mutex_lock(&p->mu);
    p->free_list[p->nfree++] = db;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

void zf_db_pool_close(zf_db_pool *p)
{
    int i;

    if (!p)
        return;
    for (i = 0; i < p->size; i++)
        zf_db_close(p->all[i]);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->all);
    free(p->free_list);
    free(p);
}
