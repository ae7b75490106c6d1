/* db.h — the only way zhifa code touches its database.
 *
 * A small portable API (open, exec, prepared statements with typed binds and
 * row iteration, transactions, a per-connection statement cache) with two
 * backends: SQLite (sqlite.c, the default: a file) and PostgreSQL (pg.c,
 * libpq: a postgres:// URL). db.c picks the backend by the location and
 * dispatches; no caller knows which one runs. SQL uses $1, $2 ...
 * placeholders and portable types; new ids come back through
 * `INSERT ... RETURNING id`. Migrations are written once for both (see
 * migrate.c for the dialect rules).
 *
 * A zf_db is one connection and is not thread-safe; a zf_db_pool hands one
 * connection to each thread that asks. */
#ifndef ZF_DB_H
#define ZF_DB_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef struct zf_db zf_db;
typedef struct zf_stmt zf_stmt;
typedef struct zf_db_pool zf_db_pool;

/* Opens a connection. location is either a file path (SQLite: created if
 * needed, WAL, foreign_keys=ON, a busy timeout) or a URL starting with
 * postgres:// or postgresql:// (PostgreSQL through libpq; the database must
 * exist). Caller frees with zf_db_close. Durability is the promise of
 * zf_db_commit below (SQLite: group commit, itself running with
 * synchronous=NORMAL; PostgreSQL: its own COMMIT with synchronous_commit). */
int zf_db_open(zf_db **out, const char *location, zf_err *err);
/* 1 when location names a PostgreSQL database (postgres:// or postgresql://). */
int zf_db_location_is_postgres(const char *location);
/* "sqlite" or "postgres": the SQL dialect of the connection, for the few
 * places that must differ (migrations, full-text search). */
const char *zf_db_dialect(const zf_db *db);
/* The location db was opened with (a file path or a postgres:// URL, which
 * may hold a password: never log it), so a worker thread can open its own
 * connection to the same database. Borrowed; "" if unknown. */
const char *zf_db_location(const zf_db *db);
void zf_db_close(zf_db *db);

/* Runs one or more statements without parameters. */
int zf_db_exec(zf_db *db, const char *sql, zf_err *err);

/* Prepares sql (or takes it from the connection's cache). The statement is
 * borrowed from db: release it with zf_stmt_free, which resets it and returns
 * it to the cache. Placeholders are $1..$N. */
int zf_db_prepare(zf_stmt **out, zf_db *db, const char *sql, zf_err *err);

/* Binds are 1-based, matching $N. Text is copied; len < 0 means strlen. */
int zf_stmt_bind_int64(zf_stmt *st, int n, int64_t v);
int zf_stmt_bind_double(zf_stmt *st, int n, double v);
int zf_stmt_bind_text(zf_stmt *st, int n, const char *s, long len);
int zf_stmt_bind_blob(zf_stmt *st, int n, const void *p, size_t len);
int zf_stmt_bind_null(zf_stmt *st, int n);
/* Binds text, or NULL when s is NULL. */
int zf_stmt_bind_text_or_null(zf_stmt *st, int n, const char *s);

/* Advances: returns 1 when a row is ready, 0 when done, negative on error
 * (a constraint violation gives ZF_ECONFLICT with code "conflict"). */
int zf_stmt_step(zf_stmt *st, zf_err *err);

int zf_stmt_column_count(zf_stmt *st);
const char *zf_stmt_column_name(zf_stmt *st, int col);
int zf_stmt_is_null(zf_stmt *st, int col);
int64_t zf_stmt_int64(zf_stmt *st, int col);
double zf_stmt_double(zf_stmt *st, int col);
/* Borrowed until the next step or free; "" for NULL. */
const char *zf_stmt_text(zf_stmt *st, int col);
const void *zf_stmt_blob(zf_stmt *st, int col, size_t *out_len);

/* Returns the statement to the cache. Accepts NULL. */
void zf_stmt_free(zf_stmt *st);

/* Rows changed by the last INSERT/UPDATE/DELETE. */
int64_t zf_db_changes(zf_db *db);

/* Transactions do not nest; begin takes the write lock at once (IMMEDIATE)
 * so that a read-then-write transaction cannot deadlock. Within one process
 * the write transactions on one database file run one at a time (begin waits
 * up to 10 s, then fails with "database_busy"). On PostgreSQL begin takes one
 * transaction-scoped advisory lock shared by every server (READ COMMITTED
 * after the lock, so each statement sees all that committed before): write
 * transactions run one at a time across all processes, as on SQLite.
 *
 * Every statement prepared inside a write transaction must be freed before
 * the transaction ends: on SQLite all write transactions of a process run on
 * one shared connection, and a commit with a statement still open saves
 * nothing and fails with ZF_EINTERNAL "statement_open_at_commit". On SQLite
 * the transactions that end while others wait are committed together in
 * one SQLite transaction (sqlite.c, "Batches"); each is still undone alone
 * by its rollback, and commit returns once its batch is durable.
 *
 * DURABILITY: after zf_db_commit returns 0 the transaction survives power
 * loss and kill -9: it returns only once the WAL holding the transaction has
 * been fsynced (one fsync shared by every transaction of the process that
 * committed before it began: group commit). On any error nothing may be
 * assumed durable; "database_sync_failed" (ZF_EIO) means the fsync failed,
 * and every later begin fails too until the process restarts. Writes made
 * outside zf_db_begin/zf_db_commit (autocommit statements, or writes inside
 * zf_db_read_begin) are NOT made durable this way: anything acknowledged to
 * a user must be written inside zf_db_begin/zf_db_commit. */
int zf_db_begin(zf_db *db, zf_err *err);
int zf_db_commit(zf_db *db, zf_err *err);
void zf_db_rollback(zf_db *db);
/* True (1) inside a write transaction opened by zf_db_begin, else 0 (a read
 * transaction of zf_db_read_begin does not count). */
int zf_db_in_transaction(const zf_db *db);

/* A read transaction spanning several statements: one snapshot, and one
 * round of file locking instead of one per statement. The server opens one
 * around every GET (PostgreSQL: REPEATABLE READ READ ONLY). zf_db_begin ends it first (a handler that writes gets a
 * write transaction of its own); zf_db_read_end commits whatever autocommit
 * writes happened inside it. Both are no-ops when not applicable. */
int zf_db_read_begin(zf_db *db);
void zf_db_read_end(zf_db *db);

/* A number naming the database content this connection now reads: it
 * changes whenever any connection of any process commits a change to the
 * database file, including this connection. Inside a read (or write)
 * transaction it names that transaction's snapshot, which it starts if no
 * statement has yet; in autocommit mode it is read before what the next
 * statement sees, so a cache keyed by it may miss but never serve stale
 * data. Values of two connections of one process never coincide, even
 * when one was closed before the other opened, so an equal value means
 * the same connection and the same content. For caches of content derived
 * from the database (web/page_cache.c). PostgreSQL has none: it fails with
 * ZF_EDB "unsupported", and such a cache must then stay off. */
int zf_db_data_version(zf_db *db, uint64_t *out, zf_err *err);

/* Convenience: runs sql with text parameters (NULL entries bind NULL) and
 * stores the first column of the first row as int64 in *out (if out is not
 * NULL). Returns 1 if a row came back, 0 if none, negative on error. */
int zf_db_query_int64(zf_db *db, int64_t *out, const char *sql, zf_err *err,
                      int nparams, const char *const *params);

/* Applies the embedded migrations (store/migrations/NNNN_name.sql) newer
 * than the database's version, all in one transaction. A database newer
 * than this binary is refused with a clear message. */
int zf_db_migrate(zf_db *db, zf_err *err);
/* PostgreSQL: moves every identity sequence past its table's largest id
 * (after rows were written with explicit ids). Nothing to do on SQLite. */
int zf_db_identities_resync(zf_db *db, zf_err *err);
/* The schema version of the database, and the newest this binary knows. */
int zf_db_schema_version(zf_db *db, int *out, zf_err *err);
int zf_db_schema_latest(void);
/* The text of one migration as the backend of that dialect ("sqlite" or
 * "postgres") runs it: its own sections kept, the other's dropped, and on
 * PostgreSQL the type mapping applied (rules in migrate.c). Caller frees. */
char *zf_db_migration_text(const char *sql, const char *dialect);

/* A fixed-size pool of connections to one database (a location as for
 * zf_db_open); safe across threads. */
int zf_db_pool_open(zf_db_pool **out, const char *location, int size, zf_err *err);
/* Blocks until a connection is free. */
zf_db *zf_db_pool_acquire(zf_db_pool *pool);
void zf_db_pool_release(zf_db_pool *pool, zf_db *db);
void zf_db_pool_close(zf_db_pool *pool);

#endif
