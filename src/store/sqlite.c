/* sqlite.c — the SQLite backend of db.h (db.c dispatches to it through
 * sqlite_ops, db_backend.h; zf_db_sqlite_open is its only entry point).
 *
 * Placeholders $1..$N are SQLite named parameters; each statement keeps a map
 * from N to SQLite's own parameter index, so $2 may appear before $1 or twice.
 * Each connection caches its prepared statements by SQL text.
 *
 * Durability: group commit. The database runs in WAL mode with
 * synchronous=NORMAL, so SQLite's COMMIT appends the transaction's frames to
 * the -wal file without waiting for the disk. zf_db_commit then makes the WAL
 * durable itself, sharing one fsync among all the transactions of this
 * process that committed before it started (see "group commit" below). One
 * fsync per batch instead of one per transaction is what lets many writers
 * reach thousands of durable commits per second on one disk, while every
 * zf_db_commit that returns 0 still means "on disk". */
#include "store/db_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "search/rank.h"      /* issue 7: zf_bm25 on every connection */
#include "search/tokenizer.h" /* issue 7: zf_cjk on every connection */
#include "util/mem.h"

#define MAX_PARAMS 64
#define CACHE_SIZE 256

typedef struct sq_db sq_db;
typedef struct sq_stmt sq_stmt;

struct sq_stmt {
    zf_stmt base;
    sqlite3_stmt *st;
    sq_db *db;
    char *sql;
    int in_use;
    int cached;
    int nparams;
    int index[MAX_PARAMS + 1]; /* $N -> sqlite index, 0 when absent */
};

typedef struct commit_group commit_group;

struct sq_db {
    zf_db base;
    sqlite3 *h;
    sq_stmt *cache[CACHE_SIZE];
    int ncache;
    int in_tx;
    int in_read;
    int holds_writer;     /* owns the group's writer token (see writer_acquire) */
    commit_group *group;  /* NULL for a database without a file (":memory:") */
    uint32_t serial;      /* unique per connection opened by this process (data version) */
};

static void sq_db_close(zf_db *db_);
static int sq_db_exec(zf_db *db_, const char *sql, zf_err *err);
static void sq_db_rollback(zf_db *db_);
static void sq_db_read_end(zf_db *db_);
static const zf_db_ops sqlite_ops;

static int db_error(sq_db *db, zf_err *err, int sqlite_rc, const char *what)
{
    int primary = sqlite_rc & 0xff;

    if (primary == SQLITE_CONSTRAINT)
        return zf_err_set(err, ZF_ECONFLICT, "conflict", NULL,
                          "数据冲突：%s", sqlite3_errmsg(db->h));
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        return zf_err_set(err, ZF_EDB, "database_busy", NULL, "数据库繁忙，请稍后重试");
    return zf_err_set(err, ZF_EDB, "database_error", NULL, "数据库错误（%s）：%s", what,
                      sqlite3_errmsg(db->h));
}

/* Each connection is used by one thread at a time (the pool hands it out),
 * so SQLite's own locking is not needed; its memory statistics take a
 * global mutex on every allocation, which serialises all worker threads. */
static pthread_once_t configure_once = PTHREAD_ONCE_INIT;

static void configure(void)
{
    sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_initialize();
}

/* ---- group commit ----
 *
 * Why it is correct. With journal_mode=WAL and synchronous=NORMAL, SQLite's
 * COMMIT write()s the transaction's frames (ending with the commit frame) to
 * the -wal file and returns without fsync; SQLite itself fsyncs the WAL
 * before every checkpoint copies frames into the database file, and fsyncs
 * the database file after a checkpoint that copied every frame, before it
 * records the WAL as fully backfilled. A transaction is durable once its
 * frames are on disk in the WAL, or once they are in the database file and
 * that file is synced.
 *
 * zf_db_commit, after SQLite's COMMIT returned, takes a ticket from the
 * group's sequence. A leader reads the newest ticket issued (target) and only
 * then calls fsync on the WAL (through the committing connection's own
 * sqlite3_file, SQLITE_FCNTL_JOURNAL_POINTER → xSync(SQLITE_SYNC_FULL)).
 * Every ticket <= target belongs to a commit whose write() had returned
 * before the fsync began, and fsync flushes every dirty page of the file (of
 * the inode, whichever descriptor wrote it), so when it succeeds all those
 * commits are durable and their committers, waiting on the condition
 * variable, may return. A commit that arrives during a sync waits for the
 * next one; whoever finds no sync running becomes the next leader.
 *
 * Checkpoints and WAL reset. Between a commit and the fsync that covers it,
 * another connection (of this process or another) may checkpoint and then
 * restart the WAL from its beginning, overwriting our frames. SQLite only
 * restarts the WAL when every frame has been backfilled, and a complete
 * backfill syncs the database file before it is recorded, so by then the
 * transaction is already durable in the database file; the later fsync of
 * the reused WAL is merely redundant for it. A checkpoint that copied only
 * part of the WAL does not allow a restart, so our frames stay in the WAL
 * until our fsync. The WAL file itself cannot be deleted and recreated under
 * an open connection (SQLite deletes it only when the last connection closes,
 * after a full checkpoint), so the inode the leader syncs is the one the
 * commit wrote to.
 *
 * The WAL's directory entry must be durable too: a freshly created -wal file
 * could vanish with the power. The first leader of each group also fsyncs the
 * directory, once (the file cannot change identity while the group lives).
 *
 * A failed fsync leaves the kernel free to have dropped the dirty pages, and
 * a retried fsync may then succeed without having written them (the lesson
 * PostgreSQL learnt in 2018). So a failure poisons the group: commits it
 * covered and every later commit of this process return ZF_EIO, and nothing
 * more is acknowledged until the process restarts and SQLite recovers from
 * what is actually on disk.
 *
 * Groups are per database file (device, inode), shared by every connection of
 * the process to that file; another process keeps its own group and its own
 * fsyncs. A group also serialises the writers of this process (the writer
 * token, taken by zf_db_begin): BEGIN IMMEDIATE would otherwise meet
 * SQLITE_BUSY and SQLite's busy handler would sleep in whole milliseconds,
 * which wastes the time the fsync of the batch before is taking. */

#define WRITER_TIMEOUT_S 10 /* as the busy timeout */

struct commit_group {
    commit_group *next;
    dev_t dev;
    ino_t ino;
    int refs;
    char *dir;               /* the database's directory, to sync once */
    pthread_mutex_t mu;
    pthread_cond_t writer_cv; /* the writer token is free (signal: one may take it) */
    pthread_cond_t sync_cv;  /* a sync finished (broadcast: it covers many) */
    int writer_busy;
    uint64_t tickets;        /* commits whose frames were written */
    uint64_t synced;         /* every ticket <= synced is durable */
    int syncing;             /* a leader is inside fsync */
    int dir_synced;
    int failed;              /* an fsync failed: acknowledge nothing more */
};

static pthread_mutex_t groups_mu = PTHREAD_MUTEX_INITIALIZER;
static commit_group *groups;

static void group_attach(sq_db *db, const char *path)
{
    struct stat sb;
    commit_group *g;
    const char *slash;

    if (stat(path, &sb) != 0)
        return; /* no file: nothing to make durable */
    pthread_mutex_lock(&groups_mu);
    for (g = groups; g; g = g->next)
        if (g->dev == sb.st_dev && g->ino == sb.st_ino)
            break;
    if (!g) {
        pthread_condattr_t ca;
        g = zf_calloc(1, sizeof *g);
        g->dev = sb.st_dev;
        g->ino = sb.st_ino;
        slash = strrchr(path, '/');
        g->dir = slash ? zf_strndup(path, slash == path ? 1 : (size_t)(slash - path)) : zf_strdup(".");
        pthread_mutex_init(&g->mu, NULL);
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&g->writer_cv, &ca);
        pthread_cond_init(&g->sync_cv, NULL);
        pthread_condattr_destroy(&ca);
        g->next = groups;
        groups = g;
    }
    g->refs++;
    db->group = g;
    pthread_mutex_unlock(&groups_mu);
}

static void group_detach(sq_db *db)
{
    commit_group *g = db->group, **pp;

    if (!g)
        return;
    pthread_mutex_lock(&groups_mu);
    if (--g->refs == 0) {
        for (pp = &groups; *pp; pp = &(*pp)->next)
            if (*pp == g) {
                *pp = g->next;
                break;
            }
        pthread_mutex_destroy(&g->mu);
        pthread_cond_destroy(&g->writer_cv);
        pthread_cond_destroy(&g->sync_cv);
        free(g->dir);
        free(g);
    }
    pthread_mutex_unlock(&groups_mu);
    db->group = NULL;
}

/* The writer token: one write transaction of this process at a time per
 * database file. Not a mutex, so that it may be released from another thread
 * than the one that took it. Gives up after WRITER_TIMEOUT_S like SQLite's
 * busy timeout would. */
static int writer_acquire(sq_db *db, zf_err *err)
{
    commit_group *g = db->group;
    struct timespec until;
    int rc = 0;

    if (!g)
        return 0;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += WRITER_TIMEOUT_S;
    pthread_mutex_lock(&g->mu);
    while (g->writer_busy && rc == 0)
        rc = pthread_cond_timedwait(&g->writer_cv, &g->mu, &until);
    if (!g->writer_busy) {
        g->writer_busy = 1;
        db->holds_writer = 1;
        rc = 0;
    }
    pthread_mutex_unlock(&g->mu);
    if (rc != 0)
        return zf_err_set(err, ZF_EDB, "database_busy", NULL, "数据库繁忙，请稍后重试");
    return 0;
}

static void writer_release(sq_db *db)
{
    commit_group *g = db->group;

    if (!g || !db->holds_writer)
        return;
    pthread_mutex_lock(&g->mu);
    g->writer_busy = 0;
    db->holds_writer = 0;
    pthread_cond_signal(&g->writer_cv);
    pthread_mutex_unlock(&g->mu);
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

/* fsync of the WAL through the committing connection's own file object. */
static int sync_wal(sq_db *db)
{
    sqlite3_file *f = NULL;

    if (sqlite3_file_control(db->h, "main", SQLITE_FCNTL_JOURNAL_POINTER, &f) != SQLITE_OK || !f ||
        !f->pMethods)
        return -1; /* not in WAL mode or no WAL open: cannot promise anything */
    return f->pMethods->xSync(f, SQLITE_SYNC_FULL) == SQLITE_OK ? 0 : -1;
}

/* Called after SQLite's COMMIT returned: waits until a sync that began after
 * it has succeeded, leading one when none is running. */
static int group_sync(sq_db *db, zf_err *err)
{
    commit_group *g = db->group;
    uint64_t mine, target;
    int rc, need_dir;

    if (!g)
        return 0;
    pthread_mutex_lock(&g->mu);
    mine = ++g->tickets;
    while (g->synced < mine && !g->failed) {
        if (g->syncing) {
            pthread_cond_wait(&g->sync_cv, &g->mu);
            continue;
        }
        g->syncing = 1;
        target = g->tickets; /* all of these wrote their frames already */
        need_dir = !g->dir_synced;
        pthread_mutex_unlock(&g->mu);
        rc = sync_wal(db);
        if (rc == 0 && need_dir)
            rc = fsync_dir(g->dir);
        pthread_mutex_lock(&g->mu);
        g->syncing = 0;
        if (rc == 0) {
            if (target > g->synced)
                g->synced = target;
            if (need_dir)
                g->dir_synced = 1;
        } else {
            g->failed = 1;
        }
        pthread_cond_broadcast(&g->sync_cv);
    }
    rc = g->synced >= mine ? 0 : -1;
    pthread_mutex_unlock(&g->mu);
    if (rc < 0)
        return zf_err_set(err, ZF_EIO, "database_sync_failed", NULL,
                          "数据库写入磁盘失败（fsync），本次及之后的修改均未确认保存，请检查磁盘并重启服务");
    return 0;
}

static int group_failed(sq_db *db)
{
    int failed = 0;

    if (db->group) {
        pthread_mutex_lock(&db->group->mu);
        failed = db->group->failed;
        pthread_mutex_unlock(&db->group->mu);
    }
    return failed;
}

static atomic_uint next_serial;

int zf_db_sqlite_open(zf_db **out, const char *path, zf_err *err)
{
    sq_db *db;
    int rc;

    pthread_once(&configure_once, configure);
    db = zf_calloc(1, sizeof *db);
    db->base.ops = &sqlite_ops;
    db->serial = (uint32_t)atomic_fetch_add(&next_serial, 1) + 1;
    *out = NULL;
    rc = sqlite3_open_v2(path, &db->h,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        zf_err_set(err, ZF_EDB, "database_open_failed", NULL, "无法打开数据库 %s：%s", path,
                   db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
        sq_db_close(&db->base);
        return ZF_EDB;
    }
    sqlite3_busy_timeout(db->h, 10000);
    sqlite3_extended_result_codes(db->h, 1);
    rc = sq_db_exec(&db->base,
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;" /* durability: group commit, above */
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA temp_store=MEMORY;"
                    /* SQLite checkpoints inside the COMMIT that crosses the
                     * threshold, while that writer still holds the writer
                     * token, with two fsyncs: at the default 1000 pages that
                     * was every ~125 ledger transactions. A checkpoint copies
                     * each page once however often it changed, so a longer
                     * WAL (up to ~40 MB) makes them rarer and cheaper per
                     * transaction (docs/benchmarks.md, "Ledger"). */
                    "PRAGMA wal_autocheckpoint=10000;",
                    err);
    /* Full-text search (issue 7): FTS5 tables declared with the zf_cjk
     * tokenizer (migration 0007) are unusable on a connection without it,
     * and search_store.c ranks with zf_bm25. */
    if (rc == 0 && (rc = zf_search_register(db->h, err)) == 0)
        rc = zf_search_rank_register(db->h, err);
    if (rc < 0) {
        sq_db_close(&db->base);
        return rc;
    }
    group_attach(db, path);
    *out = &db->base;
    return 0;
}

static void sq_db_close(zf_db *db_)
{
    sq_db *db = (sq_db *)db_;
    int i;

    if (!db)
        return;
    if (db->in_tx)
        sq_db_rollback(&db->base); /* gives back the writer token */
    for (i = 0; i < db->ncache; i++) {
        sqlite3_finalize(db->cache[i]->st);
        free(db->cache[i]->sql);
        free(db->cache[i]);
    }
    sqlite3_close_v2(db->h);
    group_detach(db);
    free(db);
}

static int sq_db_exec(zf_db *db_, const char *sql, zf_err *err)
{
    sq_db *db = (sq_db *)db_;
    char *msg = NULL;
    int rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);

    if (rc != SQLITE_OK) {
        int r = db_error(db, err, rc, msg ? msg : "exec");
        sqlite3_free(msg);
        return r;
    }
    return 0;
}

static int make_stmt(sq_stmt **out, sq_db *db, const char *sql, zf_err *err)
{
    sqlite3_stmt *raw = NULL;
    sq_stmt *st;
    int rc, n, i;
    char name[16];

    rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, NULL);
    if (rc != SQLITE_OK)
        return db_error(db, err, rc, "prepare");
    st = zf_calloc(1, sizeof *st);
    st->st = raw;
    st->base.db = &db->base;
    st->db = db;
    st->sql = zf_strdup(sql);
    n = sqlite3_bind_parameter_count(raw);
    for (i = 1; i <= MAX_PARAMS && n > 0; i++) {
        snprintf(name, sizeof name, "$%d", i);
        st->index[i] = sqlite3_bind_parameter_index(raw, name);
        if (st->index[i])
            st->nparams = i;
    }
    *out = st;
    return 0;
}

static int sq_db_prepare(zf_stmt **out, zf_db *db_, const char *sql, zf_err *err)
{
    sq_db *db = (sq_db *)db_;
    int i, rc;
    sq_stmt *st = NULL;

    *out = NULL;
    for (i = 0; i < db->ncache; i++) {
        st = db->cache[i];
        if (!st->in_use && strcmp(st->sql, sql) == 0) {
            st->in_use = 1;
            *out = &st->base;
            return 0;
        }
    }
    if ((rc = make_stmt(&st, db, sql, err)) < 0)
        return rc;
    st->in_use = 1;
    if (db->ncache < CACHE_SIZE) {
        st->cached = 1;
        db->cache[db->ncache++] = st;
    }
    *out = &st->base;
    return 0;
}

static int bind_index(sq_stmt *st, int n)
{
    if (n < 1 || n > MAX_PARAMS)
        return 0;
    return st->index[n];
}

static int bind_rc(int rc)
{
    return rc == SQLITE_OK ? 0 : ZF_EDB;
}

static int sq_stmt_bind_int64(zf_stmt *st_, int n, int64_t v)
{
    sq_stmt *st = (sq_stmt *)st_;
    int i = bind_index(st, n);
    return i ? bind_rc(sqlite3_bind_int64(st->st, i, v)) : ZF_EINVAL;
}

static int sq_stmt_bind_double(zf_stmt *st_, int n, double v)
{
    sq_stmt *st = (sq_stmt *)st_;
    int i = bind_index(st, n);
    return i ? bind_rc(sqlite3_bind_double(st->st, i, v)) : ZF_EINVAL;
}

static int sq_stmt_bind_text(zf_stmt *st_, int n, const char *s, long len)
{
    sq_stmt *st = (sq_stmt *)st_;
    int i = bind_index(st, n);
    if (!i)
        return ZF_EINVAL;
    return bind_rc(sqlite3_bind_text64(st->st, i, s, len < 0 ? strlen(s) : (sqlite3_uint64)len,
                                       SQLITE_TRANSIENT, SQLITE_UTF8));
}

static int sq_stmt_bind_blob(zf_stmt *st_, int n, const void *p, size_t len)
{
    sq_stmt *st = (sq_stmt *)st_;
    int i = bind_index(st, n);
    return i ? bind_rc(sqlite3_bind_blob64(st->st, i, p, len, SQLITE_TRANSIENT)) : ZF_EINVAL;
}

static int sq_stmt_bind_null(zf_stmt *st_, int n)
{
    sq_stmt *st = (sq_stmt *)st_;
    int i = bind_index(st, n);
    return i ? bind_rc(sqlite3_bind_null(st->st, i)) : ZF_EINVAL;
}

static int sq_stmt_step(zf_stmt *st_, zf_err *err)
{
    sq_stmt *st = (sq_stmt *)st_;
    int rc = sqlite3_step(st->st);

    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return db_error(st->db, err, rc, "step");
}

static int sq_stmt_column_count(zf_stmt *st_)
{
    sq_stmt *st = (sq_stmt *)st_;
    return sqlite3_column_count(st->st);
}

static const char *sq_stmt_column_name(zf_stmt *st_, int col)
{
    sq_stmt *st = (sq_stmt *)st_;
    return sqlite3_column_name(st->st, col);
}

static int sq_stmt_is_null(zf_stmt *st_, int col)
{
    sq_stmt *st = (sq_stmt *)st_;
    return sqlite3_column_type(st->st, col) == SQLITE_NULL;
}

static int64_t sq_stmt_int64(zf_stmt *st_, int col)
{
    sq_stmt *st = (sq_stmt *)st_;
    return sqlite3_column_int64(st->st, col);
}

static double sq_stmt_double(zf_stmt *st_, int col)
{
    sq_stmt *st = (sq_stmt *)st_;
    return sqlite3_column_double(st->st, col);
}

static const char *sq_stmt_text(zf_stmt *st_, int col)
{
    sq_stmt *st = (sq_stmt *)st_;
    const unsigned char *t = sqlite3_column_text(st->st, col);
    return t ? (const char *)t : "";
}

static const void *sq_stmt_blob(zf_stmt *st_, int col, size_t *out_len)
{
    sq_stmt *st = (sq_stmt *)st_;
    const void *p = sqlite3_column_blob(st->st, col);
    *out_len = (size_t)sqlite3_column_bytes(st->st, col);
    return p;
}

static void sq_stmt_free(zf_stmt *st_)
{
    sq_stmt *st = (sq_stmt *)st_;
    if (!st)
        return;
    sqlite3_reset(st->st);
    sqlite3_clear_bindings(st->st);
    st->in_use = 0;
    if (!st->cached) {
        sqlite3_finalize(st->st);
        free(st->sql);
        free(st);
    }
}

static int64_t sq_db_changes(zf_db *db_)
{
    sq_db *db = (sq_db *)db_;
    return sqlite3_changes64(db->h);
}

static int sq_db_read_begin(zf_db *db_)
{
    sq_db *db = (sq_db *)db_;
    if (db->in_tx || db->in_read || !sqlite3_get_autocommit(db->h))
        return 0;
    if (sqlite3_exec(db->h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return ZF_EDB;
    db->in_read = 1;
    return 0;
}

static void sq_db_read_end(zf_db *db_)
{
    sq_db *db = (sq_db *)db_;
    if (!db->in_read)
        return;
    db->in_read = 0;
    if (!sqlite3_get_autocommit(db->h) && sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

static int sq_db_begin(zf_db *db_, zf_err *err)
{
    sq_db *db = (sq_db *)db_;
    int rc;

    sq_db_read_end(&db->base);
    if (group_failed(db))
        return zf_err_set(err, ZF_EIO, "database_sync_failed", NULL,
                          "数据库此前写入磁盘失败（fsync），为免丢失已确认的数据，拒绝新的修改，请检查磁盘并重启服务");
    if ((rc = writer_acquire(db, err)) < 0)
        return rc;
    rc = sq_db_exec(&db->base, "BEGIN IMMEDIATE", err);
    if (rc < 0) {
        writer_release(db);
        return rc;
    }
    db->in_tx = 1;
    return 0;
}

static int sq_db_commit(zf_db *db_, zf_err *err)
{
    sq_db *db = (sq_db *)db_;
    int rc = sq_db_exec(&db->base, "COMMIT", err);

    if (rc < 0) {
        sq_db_rollback(&db->base);
        return rc;
    }
    db->in_tx = 0;
    /* the next writer may run while this one waits for the disk */
    writer_release(db);
    return group_sync(db, err);
}

static int sq_db_in_transaction(const zf_db *db_)
{
    const sq_db *db = (const sq_db *)db_;
    return db->in_tx;
}

static void sq_db_rollback(zf_db *db_)
{
    sq_db *db = (sq_db *)db_;
    if (db->in_read) {
        sq_db_read_end(&db->base); /* a read snapshot has nothing to undo */
        return;
    }
    if (!sqlite3_get_autocommit(db->h))
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
    db->in_tx = 0;
    writer_release(db);
}

static int sq_db_data_version(zf_db *db_, uint64_t *out, zf_err *err)
{
    sq_db *db = (sq_db *)db_;
    unsigned int v = 0;
    int rc;

    /* a deferred BEGIN takes no snapshot until the first read of the file:
     * reading the header's schema cookie is that read */
    if ((rc = zf_db_query_int64(db_, NULL, "PRAGMA schema_version", err, 0, NULL)) < 0)
        return rc;
    /* unlike PRAGMA data_version, this counter also moves on the
     * connection's own commits */
    if (sqlite3_file_control(db->h, "main", SQLITE_FCNTL_DATA_VERSION, &v) != SQLITE_OK)
        return zf_err_set(err, ZF_EDB, "database_error", NULL, "无法读取数据库版本");
    /* the pager's counter starts afresh with each connection: the serial
     * keeps a new connection's values apart from a closed one's */
    *out = (uint64_t)db->serial << 32 | v;
    return 0;
}

static const zf_db_ops sqlite_ops = {
    "sqlite",
    sq_db_close,
    sq_db_exec,
    sq_db_prepare,
    sq_stmt_bind_int64,
    sq_stmt_bind_double,
    sq_stmt_bind_text,
    sq_stmt_bind_blob,
    sq_stmt_bind_null,
    sq_stmt_step,
    sq_stmt_column_count,
    sq_stmt_column_name,
    sq_stmt_is_null,
    sq_stmt_int64,
    sq_stmt_double,
    sq_stmt_text,
    sq_stmt_blob,
    sq_stmt_free,
    sq_db_changes,
    sq_db_begin,
    sq_db_commit,
    sq_db_rollback,
    sq_db_in_transaction,
    sq_db_read_begin,
    sq_db_read_end,
    sq_db_data_version,
};
