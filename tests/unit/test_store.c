/* test_store.c — the SQLite backend of db.h and the migrations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/db.h"

static char dbpath[256];

static int setup(void **state)
{
    snprintf(dbpath, sizeof dbpath, "/tmp/zf-test-store-%d.db", (int)getpid());
    unlink(dbpath);
    *state = NULL;
    return 0;
}

static int teardown(void **state)
{
    char p[300];
    (void)state;
    unlink(dbpath);
    snprintf(p, sizeof p, "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbpath);
    unlink(p);
    return 0;
}

static void test_migrate_and_version(void **state)
{
    zf_db *db = NULL;
    zf_err err = ZF_ERR_INIT;
    int v = -1;

    (void)state;
    assert_int_equal(zf_db_open(&db, dbpath, &err), 0);
    assert_int_equal(zf_db_schema_version(db, &v, &err), 0);
    assert_int_equal(v, 0);
    assert_int_equal(zf_db_migrate(db, &err), 0);
    assert_int_equal(zf_db_schema_version(db, &v, &err), 0);
    assert_true(v >= 1);
    assert_int_equal(v, zf_db_schema_latest());
    /* idempotent */
    assert_int_equal(zf_db_migrate(db, &err), 0);
    zf_db_close(db);
}

static void test_newer_database_refused(void **state)
{
    zf_db *db = NULL;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    assert_int_equal(zf_db_open(&db, dbpath, &err), 0);
    assert_int_equal(zf_db_migrate(db, &err), 0);
    assert_int_equal(zf_db_exec(db, "UPDATE schema_version SET version = 9999", &err), 0);
    assert_int_equal(zf_db_migrate(db, &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "schema_too_new");
    assert_non_null(strstr(err.message, "9999"));
    zf_db_close(db);
}

static void test_binds_and_rows(void **state)
{
    zf_db *db = NULL;
    zf_stmt *st = NULL;
    zf_err err = ZF_ERR_INIT;
    size_t blen = 0;
    int64_t id;

    (void)state;
    assert_int_equal(zf_db_open(&db, dbpath, &err), 0);
    assert_int_equal(zf_db_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b BIGINT, c DOUBLE PRECISION, d BLOB)",
                                &err), 0);
    /* $2 before $1, and $1 used twice */
    assert_int_equal(zf_db_prepare(&st, db, "INSERT INTO t (b, a, c, d) VALUES ($2, $1 || $1, $3, $4) RETURNING id",
                                   &err), 0);
    assert_int_equal(zf_stmt_bind_text(st, 1, "执法", -1), 0);
    assert_int_equal(zf_stmt_bind_int64(st, 2, 42), 0);
    assert_int_equal(zf_stmt_bind_double(st, 3, 2.5), 0);
    assert_int_equal(zf_stmt_bind_blob(st, 4, "\0\1\2", 3), 0);
    assert_int_equal(zf_stmt_bind_int64(st, 5, 1), ZF_EINVAL); /* no $5 */
    assert_int_equal(zf_stmt_step(st, &err), 1);
    id = zf_stmt_int64(st, 0);
    assert_true(id > 0);
    zf_stmt_free(st);

    assert_int_equal(zf_db_prepare(&st, db, "SELECT a, b, c, d, NULL FROM t WHERE id = $1", &err), 0);
    zf_stmt_bind_int64(st, 1, id);
    assert_int_equal(zf_stmt_step(st, &err), 1);
    assert_string_equal(zf_stmt_text(st, 0), "执法执法");
    assert_int_equal(zf_stmt_int64(st, 1), 42);
    assert_true(zf_stmt_double(st, 2) == 2.5);
    assert_memory_equal(zf_stmt_blob(st, 3, &blen), "\0\1\2", 3);
    assert_int_equal(blen, 3);
    assert_true(zf_stmt_is_null(st, 4));
    assert_string_equal(zf_stmt_text(st, 4), "");
    assert_string_equal(zf_stmt_column_name(st, 1), "b");
    assert_int_equal(zf_stmt_step(st, &err), 0);
    zf_stmt_free(st);
    zf_db_close(db);
}

static void test_cache_reuse_and_nesting(void **state)
{
    zf_db *db = NULL;
    zf_stmt *a = NULL, *b = NULL;
    zf_err err = ZF_ERR_INIT;
    const char *sql = "SELECT $1 + 1";

    (void)state;
    assert_int_equal(zf_db_open(&db, dbpath, &err), 0);
    assert_int_equal(zf_db_prepare(&a, db, sql, &err), 0);
    /* the same SQL while the first is in use gives a distinct statement */
    assert_int_equal(zf_db_prepare(&b, db, sql, &err), 0);
    assert_ptr_not_equal(a, b);
    zf_stmt_bind_int64(a, 1, 1);
    zf_stmt_bind_int64(b, 1, 10);
    assert_int_equal(zf_stmt_step(a, &err), 1);
    assert_int_equal(zf_stmt_step(b, &err), 1);
    assert_int_equal(zf_stmt_int64(a, 0), 2);
    assert_int_equal(zf_stmt_int64(b, 0), 11);
    zf_stmt_free(b);
    zf_stmt_free(a);
    /* returned to the cache: the next prepare reuses it, bindings cleared */
    assert_int_equal(zf_db_prepare(&b, db, sql, &err), 0);
    assert_ptr_equal(a, b);
    assert_int_equal(zf_stmt_step(b, &err), 1);
    assert_true(zf_stmt_is_null(b, 0));
    zf_stmt_free(b);
    zf_db_close(db);
}

static void test_transactions_and_conflicts(void **state)
{
    zf_db *db = NULL;
    zf_err err = ZF_ERR_INIT;
    int64_t n = -1;

    (void)state;
    assert_int_equal(zf_db_open(&db, dbpath, &err), 0);
    assert_int_equal(zf_db_exec(db, "CREATE TABLE u (k TEXT PRIMARY KEY)", &err), 0);
    assert_int_equal(zf_db_begin(db, &err), 0);
    assert_int_equal(zf_db_exec(db, "INSERT INTO u VALUES ('a')", &err), 0);
    zf_db_rollback(db);
    assert_int_equal(zf_db_query_int64(db, &n, "SELECT COUNT(*) FROM u", &err, 0, NULL), 1);
    assert_int_equal(n, 0);
    assert_int_equal(zf_db_begin(db, &err), 0);
    assert_int_equal(zf_db_exec(db, "INSERT INTO u VALUES ('a')", &err), 0);
    assert_int_equal(zf_db_commit(db, &err), 0);
    assert_int_equal(zf_db_exec(db, "INSERT INTO u VALUES ('a')", &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "conflict");
    assert_int_equal(zf_db_exec(db, "SELEC nonsense", &err), ZF_EDB);
    {
        const char *p[1] = {"a"};
        assert_int_equal(zf_db_query_int64(db, &n, "SELECT COUNT(*) FROM u WHERE k = $1", &err, 1, p), 1);
        assert_int_equal(n, 1);
    }
    zf_db_close(db);
}

static void test_pragmas(void **state)
{
    zf_db *db = NULL;
    zf_stmt *st = NULL;
    zf_err err = ZF_ERR_INIT;
    int64_t v = 0;

    (void)state;
    assert_int_equal(zf_db_open(&db, dbpath, &err), 0);
    assert_int_equal(zf_db_query_int64(db, &v, "PRAGMA foreign_keys", &err, 0, NULL), 1);
    assert_int_equal(v, 1);
    assert_int_equal(zf_db_query_int64(db, &v, "PRAGMA synchronous", &err, 0, NULL), 1);
    assert_int_equal(v, 2); /* FULL */
    assert_int_equal(zf_db_prepare(&st, db, "PRAGMA journal_mode", &err), 0);
    assert_int_equal(zf_stmt_step(st, &err), 1);
    assert_string_equal(zf_stmt_text(st, 0), "wal");
    zf_stmt_free(st);
    zf_db_close(db);
}

static void test_pool(void **state)
{
    zf_db_pool *pool = NULL;
    zf_err err = ZF_ERR_INIT;
    zf_db *a, *b;

    (void)state;
    assert_int_equal(zf_db_pool_open(&pool, dbpath, 2, &err), 0);
    a = zf_db_pool_acquire(pool);
    b = zf_db_pool_acquire(pool);
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    /* a connection returned inside a transaction comes back clean */
    assert_int_equal(zf_db_begin(a, &err), 0);
    zf_db_pool_release(pool, a);
    a = zf_db_pool_acquire(pool);
    assert_int_equal(zf_db_begin(a, &err), 0);
    zf_db_rollback(a);
    zf_db_pool_release(pool, a);
    zf_db_pool_release(pool, b);
    zf_db_pool_close(pool);
    assert_int_equal(zf_db_pool_open(&pool, "/nonexistent-dir/x.db", 2, &err), ZF_EDB);
    assert_null(pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrate_and_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_database_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binds_and_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_reuse_and_nesting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transactions_and_conflicts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pragmas, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pool, setup, teardown),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
