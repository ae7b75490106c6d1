/* db_backend.h — what a database backend (sqlite.c, pg.c) provides to db.c,
 * which implements the public db.h by dispatching through this table.
 *
 * Private to src/store: callers use db.h only. A backend's connection type
 * starts with a struct zf_db (its ops) and its statement type with a struct
 * zf_stmt (its connection), so db.c can dispatch without knowing either. */
#ifndef ZF_DB_BACKEND_H
#define ZF_DB_BACKEND_H

#include "store/db.h"

typedef struct zf_db_ops {
    const char *name; /* "sqlite" or "postgres": also the migration dialect */
    void (*close)(zf_db *db);
    int (*exec)(zf_db *db, const char *sql, zf_err *err);
    int (*prepare)(zf_stmt **out, zf_db *db, const char *sql, zf_err *err);
    int (*bind_int64)(zf_stmt *st, int n, int64_t v);
    int (*bind_double)(zf_stmt *st, int n, double v);
    int (*bind_text)(zf_stmt *st, int n, const char *s, long len);
    int (*bind_blob)(zf_stmt *st, int n, const void *p, size_t len);
    int (*bind_null)(zf_stmt *st, int n);
    int (*step)(zf_stmt *st, zf_err *err);
    int (*column_count)(zf_stmt *st);
    const char *(*column_name)(zf_stmt *st, int col);
    int (*is_null)(zf_stmt *st, int col);
    int64_t (*int64)(zf_stmt *st, int col);
    double (*dbl)(zf_stmt *st, int col);
    const char *(*text)(zf_stmt *st, int col);
    const void *(*blob)(zf_stmt *st, int col, size_t *out_len);
    void (*stmt_free)(zf_stmt *st);
    int64_t (*changes)(zf_db *db);
    int (*begin)(zf_db *db, zf_err *err);
    int (*commit)(zf_db *db, zf_err *err);
    void (*rollback)(zf_db *db);
    int (*in_transaction)(const zf_db *db);
    int (*read_begin)(zf_db *db);
    void (*read_end)(zf_db *db);
    /* NULL when the backend has no cheap change counter (PostgreSQL):
     * zf_db_data_version then fails and caches keyed by it stay off */
    int (*data_version)(zf_db *db, uint64_t *out, zf_err *err);
} zf_db_ops;

struct zf_db {
    const zf_db_ops *ops;
    char *location; /* as given to zf_db_open (db.c owns it) */
};

struct zf_stmt {
    zf_db *db;
};

/* The backends' constructors; zf_db_open picks one by the location. */
int zf_db_sqlite_open(zf_db **out, const char *path, zf_err *err);
int zf_db_pg_open(zf_db **out, const char *url, zf_err *err);

#endif
