/* test_store.c — db.h and the migrations, on the backend testdb.h picks:
 * a SQLite file in `make unit-test`, a fresh PostgreSQL database per test
 * in `make test-pg`. SQLite's PRAGMAs are checked on SQLite only, with
 * PostgreSQL's own durability setting in their place. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/db.h"
#include "testdb.h" /* issue 9: PostgreSQL under make test-pg */

static char dbfile[256];
/* What each test opens: dbfile, or this test's own PostgreSQL database. */
static char dbpath[600];

static int setup(void **state)
{
    snprintf(dbfile, sizeof dbfile, "/tmp/zf-test-store-%d.db", (int)getpid());
    unlink(dbfile);
    snprintf(dbpath, sizeof dbpath, "%s", zf_test_db_location(dbfile));
    *state = NULL;
    return 0;
}

static int teardown(void **state)
{
    char p[300];
    (void)state;
    unlink(dbfile);
    snprintf(p, sizeof p, "%s-wal", dbfile);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbfile);
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
    assert_int_equal(zf_test_db_ddl(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b BIGINT, "
                                        "c DOUBLE PRECISION, d BLOB)",
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

/* The cache holds a bounded number of statements; past it the least
 * recently prepared one not in use makes room (on SQLite the writer
 * connection's cache serves every write path of a long-running process). */
static void test_cache_evicts_least_recent(void **state)
{
    zf_db *db = NULL;
    zf_stmt *a = NULL, *b = NULL, *st = NULL;
    zf_err err = ZF_ERR_INIT;
    char sql[64];
    int i;

    (void)state;
    assert_int_equal(zf_db_open(&db, dbpath, &err), 0);
    if (zf_test_db_is_postgres(db)) {
        zf_db_close(db);
        skip();
    }
    assert_int_equal(zf_db_prepare(&a, db, "SELECT 1", &err), 0);
    zf_stmt_free(a);
    for (i = 0; i < 600; i++) {
        snprintf(sql, sizeof sql, "SELECT %d + $1", i);
        assert_int_equal(zf_db_prepare(&st, db, sql, &err), 0);
        zf_stmt_bind_int64(st, 1, 1);
        assert_int_equal(zf_stmt_step(st, &err), 1);
        assert_int_equal(zf_stmt_int64(st, 0), i + 1);
        zf_stmt_free(st);
        if (i % 10 == 0) { /* kept recent: never the one evicted */
            assert_int_equal(zf_db_prepare(&b, db, "SELECT 1", &err), 0);
            assert_ptr_equal(a, b);
            zf_stmt_free(b);
        }
    }
    /* a statement first prepared with the cache full is kept (something
     * else was evicted): freed and prepared again it is the same object,
     * even after another statement took memory meanwhile */
    assert_int_equal(zf_db_prepare(&a, db, "SELECT 'late'", &err), 0);
    zf_stmt_free(a);
    assert_int_equal(zf_db_prepare(&st, db, "SELECT 'other'", &err), 0);
    assert_int_equal(zf_db_prepare(&b, db, "SELECT 'late'", &err), 0);
    assert_ptr_equal(a, b);
    zf_stmt_free(b);
    zf_stmt_free(st);
    /* the first of the 600 was evicted long ago: prepared afresh, it works */
    assert_int_equal(zf_db_prepare(&st, db, "SELECT 0 + $1", &err), 0);
    zf_stmt_bind_int64(st, 1, 5);
    assert_int_equal(zf_stmt_step(st, &err), 1);
    assert_int_equal(zf_stmt_int64(st, 0), 5);
    zf_stmt_free(st);
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

/* Foreign keys are enforced and a commit waits for the disk, on either
 * backend. SQLite needs PRAGMAs for both (they are per connection and
 * checked here as zf_db_open sets them); PostgreSQL always enforces foreign
 * keys and flushes at COMMIT unless synchronous_commit was turned off. */
static void test_pragmas(void **state)
{
    zf_db *db = NULL;
    zf_stmt *st = NULL;
    zf_err err = ZF_ERR_INIT;
    int64_t v = 0;

    (void)state;
    assert_int_equal(zf_db_open(&db, dbpath, &err), 0);
    assert_int_equal(zf_test_db_ddl(db, "CREATE TABLE p (id INTEGER PRIMARY KEY);"
                                        "CREATE TABLE c (id INTEGER PRIMARY KEY, "
                                        "p_id INTEGER NOT NULL REFERENCES p (id))",
                                    &err), 0);
    assert_int_equal(zf_db_exec(db, "INSERT INTO c (p_id) VALUES (7)", &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "conflict");
    assert_int_equal(zf_db_query_int64(db, &v, "SELECT COUNT(*) FROM c", &err, 0, NULL), 1);
    assert_int_equal(v, 0);
    if (zf_test_db_is_postgres(db)) {
        assert_int_equal(zf_db_prepare(&st, db, "SHOW synchronous_commit", &err), 0);
        assert_int_equal(zf_stmt_step(st, &err), 1);
        assert_string_equal(zf_stmt_text(st, 0), "on");
        zf_stmt_free(st);
        zf_db_close(db);
        return;
    }
    assert_int_equal(zf_db_query_int64(db, &v, "PRAGMA foreign_keys", &err, 0, NULL), 1);
    assert_int_equal(v, 1);
    assert_int_equal(zf_db_query_int64(db, &v, "PRAGMA synchronous", &err, 0, NULL), 1);
    /* NORMAL: COMMIT does not fsync; zf_db_commit's group commit does */
    assert_int_equal(v, 1);
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
    if (zf_db_location_is_postgres(dbpath)) {
        /* a server that answers, a database that does not exist */
        char bad[700];

        snprintf(bad, sizeof bad, "%s/zt_no_such_database", getenv("ZHIFA_TEST_PG_URL"));
        assert_int_equal(zf_db_pool_open(&pool, bad, 2, &err), ZF_EDB);
        assert_null(pool);
    }
}

/* ---- group commit ---- */

#define GC_THREADS 8
#define GC_PER_THREAD 60

typedef struct gc_arg {
    int thread;
    int failures;
} gc_arg;

/* Each thread has its own connection, as the pool gives one per thread, and
 * commits GC_PER_THREAD one-row transactions. */
static void *gc_writer(void *p)
{
    gc_arg *a = p;
    zf_db *db = NULL;
    zf_stmt *st = NULL;
    zf_err err = ZF_ERR_INIT;
    int i;

    if (zf_db_open(&db, dbpath, &err) < 0) {
        a->failures = GC_PER_THREAD;
        return NULL;
    }
    for (i = 0; i < GC_PER_THREAD; i++) {
        if (zf_db_begin(db, &err) < 0 ||
            zf_db_prepare(&st, db, "INSERT INTO gc (thread, n) VALUES ($1, $2)", &err) < 0) {
            zf_db_rollback(db);
            a->failures++;
            continue;
        }
        zf_stmt_bind_int64(st, 1, a->thread);
        zf_stmt_bind_int64(st, 2, i);
        if (zf_stmt_step(st, &err) < 0) {
            zf_stmt_free(st);
            zf_db_rollback(db);
            a->failures++;
            continue;
        }
        zf_stmt_free(st);
        if (zf_db_commit(db, &err) < 0)
            a->failures++;
    }
    zf_db_close(db);
    return NULL;
}

static void test_group_commit_concurrent(void **state)
{
    pthread_t th[GC_THREADS];
    gc_arg args[GC_THREADS];
    zf_db *db = NULL;
    zf_err err = ZF_ERR_INIT;
    int64_t n = 0;
    int i;

    (void)state;
    assert_int_equal(zf_db_open(&db, dbpath, &err), 0);
    assert_int_equal(zf_db_exec(db, "CREATE TABLE gc (thread INTEGER, n INTEGER, PRIMARY KEY (thread, n))",
                                &err), 0);
    for (i = 0; i < GC_THREADS; i++) {
        args[i].thread = i;
        args[i].failures = 0;
        assert_int_equal(pthread_create(&th[i], NULL, gc_writer, &args[i]), 0);
    }
    for (i = 0; i < GC_THREADS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(args[i].failures, 0);
    }
    zf_db_close(db);
    /* every acknowledged row is there after reopening */
    assert_int_equal(zf_db_open(&db, dbpath, &err), 0);
    assert_int_equal(zf_db_query_int64(db, &n, "SELECT COUNT(*) FROM gc", &err, 0, NULL), 1);
    assert_int_equal(n, GC_THREADS * GC_PER_THREAD);
    for (i = 0; i < GC_THREADS; i++) {
        char t[8];
        const char *p[1] = {t};
        snprintf(t, sizeof t, "%d", i);
        assert_int_equal(zf_db_query_int64(db, &n, "SELECT COUNT(DISTINCT n) FROM gc WHERE thread = $1", &err,
                                           1, p), 1);
        assert_int_equal(n, GC_PER_THREAD);
    }
    zf_db_close(db);
}

/* Transactions that end while others wait for the writer share one SQLite
 * transaction (a batch, see sqlite.c): a rollback or a failed statement in
 * one of them must undo exactly its own changes, whatever else the batch
 * holds. Each thread rolls back every third transaction after its insert,
 * and on SQLite in every fifth it first hits a duplicate key, then inserts
 * and commits (PostgreSQL aborts a transaction at its first error). */
static int batch_on_postgres;

static void *batch_writer(void *p)
{
    gc_arg *a = p;
    zf_db *db = NULL;
    zf_err err = ZF_ERR_INIT;
    char sql[96];
    int i;

    if (zf_db_open(&db, dbpath, &err) < 0) {
        a->failures = GC_PER_THREAD;
        return NULL;
    }
    for (i = 0; i < GC_PER_THREAD; i++) {
        if (zf_db_begin(db, &err) < 0) {
            a->failures++;
            continue;
        }
        if (!batch_on_postgres && i % 5 == 1 && zf_db_exec(db, "INSERT INTO bw (thread, n) VALUES (-1, 0)", &err) != ZF_ECONFLICT)
            a->failures++;
        snprintf(sql, sizeof sql, "INSERT INTO bw (thread, n) VALUES (%d, %d)", a->thread, i);
        if (zf_db_exec(db, sql, &err) < 0) {
            zf_db_rollback(db);
            a->failures++;
        } else if (i % 3 == 0) {
            zf_db_rollback(db);
        } else if (zf_db_commit(db, &err) < 0) {
            a->failures++;
        }
    }
    zf_db_close(db);
    return NULL;
}

static void test_batch_rollbacks_undo_only_their_own(void **state)
{
    pthread_t th[GC_THREADS];
    gc_arg args[GC_THREADS];
    zf_db *db = NULL;
    zf_err err = ZF_ERR_INIT;
    int64_t n = 0;
    int i, kept = 0;

    (void)state;
    for (i = 0; i < GC_PER_THREAD; i++)
        kept += i % 3 != 0;
    assert_int_equal(zf_db_open(&db, dbpath, &err), 0);
    batch_on_postgres = zf_test_db_is_postgres(db);
    assert_int_equal(zf_db_exec(db, "CREATE TABLE bw (thread INTEGER, n INTEGER, PRIMARY KEY (thread, n))", &err),
                     0);
    assert_int_equal(zf_db_exec(db, "INSERT INTO bw (thread, n) VALUES (-1, 0)", &err), 0);
    for (i = 0; i < GC_THREADS; i++) {
        args[i].thread = i;
        args[i].failures = 0;
        assert_int_equal(pthread_create(&th[i], NULL, batch_writer, &args[i]), 0);
    }
    for (i = 0; i < GC_THREADS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(args[i].failures, 0);
    }
    zf_db_close(db);
    assert_int_equal(zf_db_open(&db, dbpath, &err), 0);
    assert_int_equal(zf_db_query_int64(db, &n, "SELECT COUNT(*) FROM bw WHERE thread >= 0", &err, 0, NULL), 1);
    assert_int_equal(n, GC_THREADS * kept);
    assert_int_equal(zf_db_query_int64(db, &n, "SELECT COUNT(*) FROM bw WHERE thread >= 0 AND n % 3 = 0", &err, 0,
                                       NULL), 1);
    assert_int_equal(n, 0);
    zf_db_close(db);
}

/* A statement of a write transaction must be freed before the transaction
 * ends (db.h): on SQLite the writer connection serves the next writer next.
 * A commit with one still open saves nothing and says so; the late free
 * stays safe, and the connection goes on working. */
static void test_statement_open_at_commit(void **state)
{
    zf_db *db = NULL;
    zf_stmt *st = NULL;
    zf_err err = ZF_ERR_INIT;
    int64_t n = -1;

    (void)state;
    assert_int_equal(zf_db_open(&db, dbpath, &err), 0);
    if (zf_test_db_is_postgres(db)) {
        zf_db_close(db);
        skip();
    }
    assert_int_equal(zf_db_exec(db, "CREATE TABLE so (k INTEGER PRIMARY KEY)", &err), 0);
    assert_int_equal(zf_db_begin(db, &err), 0);
    assert_int_equal(zf_db_exec(db, "INSERT INTO so VALUES (1)", &err), 0);
    assert_int_equal(zf_db_prepare(&st, db, "SELECT k FROM so", &err), 0);
    assert_int_equal(zf_stmt_step(st, &err), 1);
    assert_int_equal(zf_db_commit(db, &err), ZF_EINTERNAL);
    assert_string_equal(err.code, "statement_open_at_commit");
    zf_stmt_free(st);
    assert_int_equal(zf_db_query_int64(db, &n, "SELECT COUNT(*) FROM so", &err, 0, NULL), 1);
    assert_int_equal(n, 0);
    assert_int_equal(zf_db_begin(db, &err), 0);
    assert_int_equal(zf_db_exec(db, "INSERT INTO so VALUES (2)", &err), 0);
    assert_int_equal(zf_db_prepare(&st, db, "SELECT k FROM so", &err), 0);
    assert_int_equal(zf_stmt_step(st, &err), 1);
    assert_int_equal(zf_stmt_int64(st, 0), 2);
    zf_stmt_free(st);
    assert_int_equal(zf_db_commit(db, &err), 0);
    assert_int_equal(zf_db_query_int64(db, &n, "SELECT COUNT(*) FROM so", &err, 0, NULL), 1);
    assert_int_equal(n, 1);
    zf_db_close(db);
}

/* A commit acknowledged by a child that then dies by _exit without closing
 * its connection (no checkpoint, the WAL left as is) is there for the next
 * process: the frames reached the WAL file before zf_db_commit returned.
 * On PostgreSQL the child's connection just drops; its acknowledged
 * COMMITs must still all be there. (_exit also skips testdb.h's atexit.) */
static void test_group_commit_survives_abrupt_exit(void **state)
{
    zf_db *db = NULL;
    zf_err err = ZF_ERR_INIT;
    int64_t n = 0;
    int status = 0;
    pid_t pid;

    (void)state;
    assert_int_equal(zf_db_open(&db, dbpath, &err), 0);
    assert_int_equal(zf_db_exec(db, "CREATE TABLE ab (k INTEGER PRIMARY KEY)", &err), 0);
    zf_db_close(db);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        zf_db *c = NULL;
        zf_err e = ZF_ERR_INIT;
        int i, ok = 1;
        if (zf_db_open(&c, dbpath, &e) < 0)
            _exit(2);
        for (i = 0; i < 50 && ok; i++) {
            char sql[64];
            snprintf(sql, sizeof sql, "INSERT INTO ab (k) VALUES (%d)", i);
            ok = zf_db_begin(c, &e) == 0 && zf_db_exec(c, sql, &e) == 0 && zf_db_commit(c, &e) == 0;
        }
        _exit(ok ? 0 : 3);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(zf_db_open(&db, dbpath, &err), 0);
    assert_int_equal(zf_db_query_int64(db, &n, "SELECT COUNT(*) FROM ab", &err, 0, NULL), 1);
    assert_int_equal(n, 50);
    zf_db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrate_and_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_database_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binds_and_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_reuse_and_nesting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_evicts_least_recent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transactions_and_conflicts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pragmas, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pool, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_commit_concurrent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_rollbacks_undo_only_their_own, setup, teardown),
        cmocka_unit_test_setup_teardown(test_statement_open_at_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_commit_survives_abrupt_exit, setup, teardown),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
