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
 * fsync per group of commits instead of one per commit is what lets many writers
 * reach thousands of durable commits per second on one disk, while every
 * zf_db_commit that returns 0 still means "on disk".
 *
 * Write transactions run on one connection per database file and process,
 * the group's writer connection, which each sq_db borrows from zf_db_begin
 * to its commit or rollback (see "the writer connection" below). */
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

typedef struct sq_conn sq_conn;

struct sq_stmt {
    zf_stmt base;
    sqlite3_stmt *st;
    sq_db *db;            /* who prepared it; the writer connection's are shared */
    sq_conn *conn;
    char *sql;
    uint32_t sql_hash;
    int in_use;
    int cached;
    uint64_t last_use;    /* the connection's use count when last prepared (eviction) */
    sq_stmt *tx_next;     /* the writer connection's statements open in db's transaction */
    int nparams;
    int index[MAX_PARAMS + 1]; /* $N -> sqlite index, 0 when absent */
};

typedef struct commit_group commit_group;

/* One SQLite connection and its statement cache. */
struct sq_conn {
    sqlite3 *h;
    sq_stmt *cache[CACHE_SIZE];
    int ncache;
    uint64_t uses;        /* prepares so far: the clock of last_use */
    uint32_t serial;      /* unique per connection opened by this process (data version) */
};

struct sq_db {
    zf_db base;
    sq_conn own;          /* reads, and everything outside a write transaction */
    sq_conn *c;           /* own, or the group's writer connection from begin to commit */
    int in_tx;
    int in_read;
    int holds_writer;     /* owns the group's writer token (see writer_acquire) */
    sq_stmt *tx_open;     /* statements of the writer connection this one has not freed */
    commit_group *group;  /* NULL for a database without a file (":memory:") */
};

static void sq_db_close(zf_db *db_);
static int sq_db_exec(zf_db *db_, const char *sql, zf_err *err);
static void sq_db_rollback(zf_db *db_);
static void sq_db_read_end(zf_db *db_);
static const zf_db_ops sqlite_ops;

static int db_error(sqlite3 *h, zf_err *err, int sqlite_rc, const char *what)
{
    int primary = sqlite_rc & 0xff;

    if (primary == SQLITE_CONSTRAINT)
        return zf_err_set(err, ZF_ECONFLICT, "conflict", NULL,
                          "数据冲突：%s", sqlite3_errmsg(h));
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        return zf_err_set(err, ZF_EDB, "database_busy", NULL, "数据库繁忙，请稍后重试");
    return zf_err_set(err, ZF_EDB, "database_error", NULL, "数据库错误（%s）：%s", what,
                      sqlite3_errmsg(h));
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
 * Each SQLite COMMIT (of a batch, below) takes a ticket from the group's
 * sequence once it returned. A leader reads the newest ticket issued
 * (target) and only then calls fsync on the WAL (through the syncer
 * connection's sqlite3_file, SQLITE_FCNTL_JOURNAL_POINTER →
 * xSync(SQLITE_SYNC_FULL)).
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
 * which wastes the time the fsync of the batch before is taking.
 *
 * The writer connection. A connection that begins a transaction after
 * another connection committed finds the WAL changed and drops its whole
 * page cache, then reads again every page it touches. With every worker on
 * its own connection that was every write transaction, and it made each
 * table a transaction writes to cost a few more page reads inside the
 * serialized section. Since the token lets one write transaction of the
 * process run at a time anyway, they all run on one connection of the
 * group, whose cache stays warm; a zf_db borrows it from zf_db_begin to its
 * commit or rollback and reads on its own connection otherwise. The fsync
 * runs on a third connection of the group (the syncer), so that a leader
 * never touches the writer connection while the next writer uses it; only
 * one leader syncs at a time.
 *
 * Batches. On the writer connection each zf_db transaction is a savepoint
 * inside one SQLite transaction, the batch, which stays open while other
 * writers are waiting for the token: a transaction that ends (RELEASE, or
 * ROLLBACK TO for a rollback) hands the token on with the batch open when a
 * writer waits, and otherwise COMMITs the batch. Each page a batch changed
 * then goes to the WAL once instead of once per transaction (a table's last
 * page, the ledger's above all), and BEGIN and COMMIT with their locks are
 * paid once per batch. A transaction that ended in a batch is acknowledged
 * only after the batch's COMMIT and an fsync after it, as before; a batch
 * that fails to commit, or that SQLite rolled back (an I/O error, a full
 * disk), fails every transaction in it, none of which was acknowledged.
 * Transactions of one batch see each other's changes in the order they ran,
 * which is the order the COMMIT makes durable together: the outcome is the
 * one of running them one after another. */

#define WRITER_TIMEOUT_S 10 /* as the busy timeout */
#define BATCH_MAX 32        /* transactions per batch: bounds the wait of the first */

/* A transaction that ended inside the open batch, waiting for the batch's
 * COMMIT and then for an fsync after it; on its thread's stack. */
typedef struct batch_member {
    struct batch_member *next;
    uint64_t ticket; /* the batch's commit ticket; 0 until it committed */
    int lost;        /* the batch failed: nothing of it was saved */
} batch_member;

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
    int writer_waiting;      /* threads waiting for the token */
    int batch_open;          /* the writer connection is inside the batch's BEGIN (token holder only) */
    batch_member *members;   /* ended in the open batch, waiting for its COMMIT */
    int nmembers;
    uint64_t tickets;        /* commits whose frames were written */
    uint64_t synced;         /* every ticket <= synced is durable */
    int syncing;             /* a leader is inside fsync */
    int dir_synced;
    int failed;              /* an fsync failed: acknowledge nothing more */
    sq_conn writer;          /* used only by the holder of the writer token */
    sq_conn syncer;          /* used only by the sync leader, for its WAL file */
};

static pthread_mutex_t groups_mu = PTHREAD_MUTEX_INITIALIZER;
static commit_group *groups;

static int conn_open(sq_conn *c, const char *path, zf_err *err);
static void conn_close(sq_conn *c);
static void stmt_destroy(sq_stmt *st);
static int wal_file(sq_conn *c, sqlite3_file **out);

/* The group's own connections; the syncer's WAL is opened by a read. */
static int group_open_conns(commit_group *g, const char *path, zf_err *err)
{
    sqlite3_file *f;
    int rc;

    if ((rc = conn_open(&g->writer, path, err)) < 0)
        return rc;
    if ((rc = conn_open(&g->syncer, path, err)) < 0 ||
        sqlite3_exec(g->syncer.h, "PRAGMA schema_version", NULL, NULL, NULL) != SQLITE_OK ||
        wal_file(&g->syncer, &f) < 0) {
        if (rc == 0)
            rc = zf_err_set(err, ZF_EDB, "database_open_failed", NULL, "无法打开数据库 %s 的预写日志", path);
        conn_close(&g->syncer);
        conn_close(&g->writer);
        return rc;
    }
    return 0;
}

static int group_attach(sq_db *db, const char *path, zf_err *err)
{
    struct stat sb;
    commit_group *g;
    const char *slash;

    if (stat(path, &sb) != 0)
        return 0; /* no file: nothing to make durable */
    pthread_mutex_lock(&groups_mu);
    for (g = groups; g; g = g->next)
        if (g->dev == sb.st_dev && g->ino == sb.st_ino)
            break;
    if (!g) {
        pthread_condattr_t ca;
        int rc;
        g = zf_calloc(1, sizeof *g);
        if ((rc = group_open_conns(g, path, err)) < 0) {
            pthread_mutex_unlock(&groups_mu);
            free(g);
            return rc;
        }
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
    return 0;
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
        conn_close(&g->syncer);
        conn_close(&g->writer);
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
    g->writer_waiting++;
    while (g->writer_busy && rc == 0)
        rc = pthread_cond_timedwait(&g->writer_cv, &g->mu, &until);
    g->writer_waiting--;
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

static int wal_file(sq_conn *c, sqlite3_file **out)
{
    sqlite3_file *f = NULL;

    if (sqlite3_file_control(c->h, "main", SQLITE_FCNTL_JOURNAL_POINTER, &f) != SQLITE_OK || !f ||
        !f->pMethods)
        return -1; /* not in WAL mode or no WAL open: cannot promise anything */
    *out = f;
    return 0;
}

/* fsync of the WAL through the syncer's own file object. */
static int sync_wal(commit_group *g)
{
    sqlite3_file *f;

    if (wal_file(&g->syncer, &f) < 0)
        return -1;
    return f->pMethods->xSync(f, SQLITE_SYNC_FULL) == SQLITE_OK ? 0 : -1;
}

/* Waits until the batch holding me has committed and a sync that began
 * after its COMMIT has succeeded, leading one when none is running. */
static int group_wait(commit_group *g, batch_member *me, zf_err *err)
{
    uint64_t target;
    int rc, need_dir;

    pthread_mutex_lock(&g->mu);
    while (!me->lost && !g->failed && (me->ticket == 0 || g->synced < me->ticket)) {
        if (me->ticket == 0 || g->syncing) {
            pthread_cond_wait(&g->sync_cv, &g->mu);
            continue;
        }
        g->syncing = 1;
        target = g->tickets; /* all of these wrote their frames already */
        need_dir = !g->dir_synced;
        pthread_mutex_unlock(&g->mu);
        rc = sync_wal(g);
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
    rc = me->lost ? 1 : me->ticket && g->synced >= me->ticket ? 0 : -1;
    pthread_mutex_unlock(&g->mu);
    if (rc > 0)
        return zf_err_set(err, ZF_EDB, "database_error", NULL, "数据库错误：本次修改未能保存，请重试");
    if (rc < 0)
        return zf_err_set(err, ZF_EIO, "database_sync_failed", NULL,
                          "数据库写入磁盘失败（fsync），本次及之后的修改均未确认保存，请检查磁盘并重启服务");
    return 0;
}

/* Under mu, by the token holder: the batch is over, committed (its members
 * get its ticket) or not (they are lost). wake: some member may be asleep
 * with nobody awake to lead its sync. */
static void batch_close(commit_group *g, int committed, int wake)
{
    uint64_t ticket = committed ? ++g->tickets : 0;
    batch_member *m;

    for (m = g->members; m; m = m->next) {
        m->ticket = ticket;
        m->lost = !committed;
    }
    g->members = NULL;
    g->nmembers = 0;
    g->batch_open = 0;
    if (wake || !committed)
        pthread_cond_broadcast(&g->sync_cv);
}

/* Ends the token holder's transaction, whose savepoint is already released
 * (joined: its changes are in the batch) or rolled back: hands the token on
 * with the batch open when a writer waits for it, else commits the batch;
 * a joined transaction then waits until the batch is durable. */
static int tx_finish(sq_db *db, int joined, zf_err *err)
{
    commit_group *g = db->group;
    sqlite3 *w = g->writer.h;
    batch_member me = {0};
    int handoff, committed;

    pthread_mutex_lock(&g->mu);
    if (g->batch_open && sqlite3_get_autocommit(w)) {
        /* SQLite rolled the whole batch back (an I/O error, a full disk) */
        batch_close(g, 0, 0);
        me.lost = joined;
    } else if (joined) {
        me.next = g->members;
        g->members = &me;
        g->nmembers++;
    }
    db->c = &db->own;
    /* decided and done under one lock: a waiter counted here cannot give
     * up before it sees the token free, so the open batch has a holder */
    handoff = g->batch_open && g->writer_waiting > 0 && g->nmembers < BATCH_MAX;
    if (handoff) {
        g->writer_busy = 0;
        db->holds_writer = 0;
        pthread_cond_signal(&g->writer_cv);
    }
    pthread_mutex_unlock(&g->mu);
    if (!handoff) {
        if (g->batch_open) {
            committed = sqlite3_exec(w, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
            if (!committed && !sqlite3_get_autocommit(w))
                sqlite3_exec(w, "ROLLBACK", NULL, NULL, NULL);
            pthread_mutex_lock(&g->mu);
            batch_close(g, committed, !joined);
            pthread_mutex_unlock(&g->mu);
        }
        /* the next writer may run while this one waits for the disk */
        writer_release(db);
    }
    return joined ? group_wait(g, &me, err) : 0;
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

static int conn_exec(sqlite3 *h, const char *sql, zf_err *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(h, sql, NULL, NULL, &msg);

    if (rc != SQLITE_OK) {
        int r = db_error(h, err, rc, msg ? msg : "exec");
        sqlite3_free(msg);
        return r;
    }
    return 0;
}

static int conn_open(sq_conn *c, const char *path, zf_err *err)
{
    int rc;

    memset(c, 0, sizeof *c);
    c->serial = (uint32_t)atomic_fetch_add(&next_serial, 1) + 1;
    rc = sqlite3_open_v2(path, &c->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        zf_err_set(err, ZF_EDB, "database_open_failed", NULL, "无法打开数据库 %s：%s", path,
                   c->h ? sqlite3_errmsg(c->h) : sqlite3_errstr(rc));
        conn_close(c);
        return ZF_EDB;
    }
    sqlite3_busy_timeout(c->h, 10000);
    sqlite3_extended_result_codes(c->h, 1);
    rc = conn_exec(c->h,
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
    if (rc == 0 && (rc = zf_search_register(c->h, err)) == 0)
        rc = zf_search_rank_register(c->h, err);
    if (rc < 0)
        conn_close(c);
    return rc;
}

static void conn_close(sq_conn *c)
{
    int i;

    for (i = 0; i < c->ncache; i++)
        stmt_destroy(c->cache[i]);
    c->ncache = 0;
    sqlite3_close_v2(c->h);
    c->h = NULL;
}

int zf_db_sqlite_open(zf_db **out, const char *path, zf_err *err)
{
    sq_db *db;
    int rc;

    pthread_once(&configure_once, configure);
    *out = NULL;
    db = zf_calloc(1, sizeof *db);
    db->base.ops = &sqlite_ops;
    db->c = &db->own;
    if ((rc = conn_open(&db->own, path, err)) < 0 || (rc = group_attach(db, path, err)) < 0) {
        sq_db_close(&db->base);
        return rc;
    }
    *out = &db->base;
    return 0;
}

static void sq_db_close(zf_db *db_)
{
    sq_db *db = (sq_db *)db_;

    if (!db)
        return;
    if (db->in_tx)
        sq_db_rollback(&db->base); /* gives back the writer token */
    conn_close(&db->own);
    group_detach(db);
    free(db);
}

static int sq_db_exec(zf_db *db_, const char *sql, zf_err *err)
{
    sq_db *db = (sq_db *)db_;
    return conn_exec(db->c->h, sql, err);
}

/* FNV-1a: the cache compares hashes before texts (the writer connection's
 * cache holds the statements of every write path). */
static uint32_t sql_hash(const char *sql)
{
    uint32_t h = 2166136261u;

    for (; *sql; sql++)
        h = (h ^ (unsigned char)*sql) * 16777619u;
    return h;
}

static int make_stmt(sq_stmt **out, sq_conn *c, const char *sql, uint32_t hash, zf_err *err)
{
    sqlite3_stmt *raw = NULL;
    sq_stmt *st;
    int rc, n, i;
    char name[16];

    rc = sqlite3_prepare_v3(c->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, NULL);
    if (rc != SQLITE_OK)
        return db_error(c->h, err, rc, "prepare");
    st = zf_calloc(1, sizeof *st);
    st->st = raw;
    st->conn = c;
    st->sql = zf_strdup(sql);
    st->sql_hash = hash;
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

/* Frees a statement no one uses. */
static void stmt_destroy(sq_stmt *st)
{
    sqlite3_finalize(st->st);
    free(st->sql);
    free(st);
}

/* A cache slot for a new statement: a free one, or the least recently
 * prepared statement not in use (evicted: the writer connection's cache is
 * shared by every write path of a long-running process); -1 when all are in
 * use. */
static int cache_slot(sq_conn *c)
{
    int i, lru = -1;

    if (c->ncache < CACHE_SIZE)
        return c->ncache++;
    for (i = 0; i < c->ncache; i++)
        if (!c->cache[i]->in_use && (lru < 0 || c->cache[i]->last_use < c->cache[lru]->last_use))
            lru = i;
    if (lru >= 0)
        stmt_destroy(c->cache[lru]);
    return lru;
}

static int sq_db_prepare(zf_stmt **out, zf_db *db_, const char *sql, zf_err *err)
{
    sq_db *db = (sq_db *)db_;
    sq_conn *c = db->c;
    int i, rc;
    sq_stmt *st = NULL;
    uint32_t hash = sql_hash(sql);

    *out = NULL;
    for (i = 0; i < c->ncache; i++)
        if (c->cache[i]->sql_hash == hash && !c->cache[i]->in_use && strcmp(c->cache[i]->sql, sql) == 0)
            break;
    if (i < c->ncache) {
        st = c->cache[i];
    } else {
        if ((rc = make_stmt(&st, c, sql, hash, err)) < 0)
            return rc;
        if ((i = cache_slot(c)) >= 0) {
            st->cached = 1;
            c->cache[i] = st;
        }
    }
    /* a statement of the writer connection serves one transaction at a time */
    st->base.db = &db->base;
    st->db = db;
    st->in_use = 1;
    st->last_use = ++c->uses;
    if (c != &db->own) {
        st->tx_next = db->tx_open;
        db->tx_open = st;
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
    return db_error(st->conn->h, err, rc, "step");
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
    sq_stmt *st = (sq_stmt *)st_, **pp;
    if (!st)
        return;
    if (!st->conn) { /* orphaned by the end of its transaction (end_writer_stmts) */
        free(st->sql);
        free(st);
        return;
    }
    if (st->conn != &st->db->own) {
        for (pp = &st->db->tx_open; *pp != st; pp = &(*pp)->tx_next)
            ;
        *pp = st->tx_next;
    }
    sqlite3_reset(st->st);
    sqlite3_clear_bindings(st->st);
    st->in_use = 0;
    if (!st->cached)
        stmt_destroy(st);
}

/* Called by the token holder as its transaction ends: a statement of the
 * writer connection it has not freed would otherwise be reset by its late
 * zf_stmt_free while the next writer uses the connection. Each is finalized
 * now and taken out of the cache; the late free only releases the memory. */
static void end_writer_stmts(sq_db *db)
{
    sq_conn *c = db->c;
    sq_stmt *st, *next;
    int i;

    for (st = db->tx_open; st; st = next) {
        next = st->tx_next;
        for (i = 0; st->cached && i < c->ncache; i++)
            if (c->cache[i] == st) {
                c->cache[i] = c->cache[--c->ncache];
                break;
            }
        sqlite3_finalize(st->st);
        st->st = NULL;
        st->conn = NULL;
        st->cached = 0;
    }
    db->tx_open = NULL;
}

static int64_t sq_db_changes(zf_db *db_)
{
    sq_db *db = (sq_db *)db_;
    return sqlite3_changes64(db->c->h);
}

static int sq_db_read_begin(zf_db *db_)
{
    sq_db *db = (sq_db *)db_;
    if (db->in_tx || db->in_read || !sqlite3_get_autocommit(db->own.h))
        return 0;
    if (sqlite3_exec(db->own.h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
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
    if (!sqlite3_get_autocommit(db->own.h) && sqlite3_exec(db->own.h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        sqlite3_exec(db->own.h, "ROLLBACK", NULL, NULL, NULL);
}

static int sq_db_begin(zf_db *db_, zf_err *err)
{
    sq_db *db = (sq_db *)db_;
    commit_group *g = db->group;
    int rc;

    sq_db_read_end(&db->base);
    if (!g) { /* no file: nothing to share or make durable */
        if ((rc = sq_db_exec(&db->base, "BEGIN IMMEDIATE", err)) == 0)
            db->in_tx = 1;
        return rc;
    }
    if (group_failed(db))
        return zf_err_set(err, ZF_EIO, "database_sync_failed", NULL,
                          "数据库此前写入磁盘失败（fsync），为免丢失已确认的数据，拒绝新的修改，请检查磁盘并重启服务");
    if ((rc = writer_acquire(db, err)) < 0)
        return rc;
    db->c = &g->writer;
    if (!g->batch_open) {
        if ((rc = sq_db_exec(&db->base, "BEGIN IMMEDIATE", err)) < 0) {
            db->c = &db->own;
            writer_release(db);
            return rc;
        }
        g->batch_open = 1;
    }
    if ((rc = sq_db_exec(&db->base, "SAVEPOINT zf_tx", err)) < 0) {
        tx_finish(db, 0, NULL);
        return rc;
    }
    db->in_tx = 1;
    return 0;
}

static int sq_db_commit(zf_db *db_, zf_err *err)
{
    sq_db *db = (sq_db *)db_;
    int rc;

    if (db->tx_open) {
        /* the caller's bug: refuse rather than commit half a thought */
        sq_db_rollback(&db->base);
        return zf_err_set(err, ZF_EINTERNAL, "statement_open_at_commit", NULL,
                          "内部错误：提交时仍有未释放的数据库语句，修改未保存");
    }
    if ((rc = sq_db_exec(&db->base, db->group ? "RELEASE zf_tx" : "COMMIT", err)) < 0) {
        sq_db_rollback(&db->base);
        return rc;
    }
    db->in_tx = 0;
    return db->group ? tx_finish(db, 1, err) : 0;
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
    end_writer_stmts(db);
    if (!db->in_tx || !db->group) {
        if (!sqlite3_get_autocommit(db->own.h))
            sqlite3_exec(db->own.h, "ROLLBACK", NULL, NULL, NULL);
        db->in_tx = 0;
        return;
    }
    db->in_tx = 0;
    /* only this transaction's savepoint: the batch may hold others'; if it
     * cannot be undone alone, the whole batch goes (tx_finish fails it) */
    if (!sqlite3_get_autocommit(db->c->h) &&
        (sqlite3_exec(db->c->h, "ROLLBACK TO zf_tx", NULL, NULL, NULL) != SQLITE_OK ||
         sqlite3_exec(db->c->h, "RELEASE zf_tx", NULL, NULL, NULL) != SQLITE_OK))
        sqlite3_exec(db->c->h, "ROLLBACK", NULL, NULL, NULL);
    tx_finish(db, 0, NULL);
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
    if (sqlite3_file_control(db->c->h, "main", SQLITE_FCNTL_DATA_VERSION, &v) != SQLITE_OK)
        return zf_err_set(err, ZF_EDB, "database_error", NULL, "无法读取数据库版本");
    /* the pager's counter starts afresh with each connection: the serial
     * keeps a new connection's values apart from a closed one's */
    *out = (uint64_t)db->c->serial << 32 | v;
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
