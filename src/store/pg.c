/* pg.c — the PostgreSQL backend of db.h, on libpq.
 *
 * Statements. Placeholders $1..$N are PostgreSQL's own. Each connection
 * caches its statements by SQL text as named prepared statements ("zf1",
 * "zf2", ...); a statement is prepared on its first step, with the types of
 * that first execution's binds (int64 → int8, double → float8, blob → bytea,
 * text and NULL left for the server to infer from the context, as a quoted
 * literal would be), and later executions send every value as text (blobs
 * binary), which the server parses by the type it resolved. Results come back
 * as text and are converted on reading; booleans ("t"/"f", e.g. EXISTS) read
 * as 1/0 through zf_stmt_int64, bytea is unescaped by zf_stmt_blob. A
 * statement runs to completion on its first step (PQexecPrepared) and the
 * following steps walk the rows: results are held in memory.
 *
 * Transactions. SQLite's BEGIN IMMEDIATE gives one writer at a time, and
 * every read-then-write of the store relies on it. Here zf_db_begin runs
 * BEGIN (READ COMMITTED) and takes one transaction-scoped advisory lock
 * (pg_advisory_xact_lock(WRITER_LOCK)), which every zhifa process against
 * the database shares: write transactions are serialised across servers, and
 * since READ COMMITTED takes a fresh snapshot per statement, everything a
 * transaction reads after the lock is what the previous writer committed.
 * Explicit locking rather than SERIALIZABLE: SERIALIZABLE would abort
 * (40001) instead of waiting, and no caller retries. The wait is bounded by
 * lock_timeout (10 s, as SQLite's busy timeout) and fails "database_busy".
 *
 * Read transactions (zf_db_read_begin, around every GET) are REPEATABLE
 * READ READ ONLY. A statement that writes inside one (the session's idle
 * timer) ends the read transaction, runs on its own (autocommit), and a new
 * read transaction begins after it: SQLite's "autocommit writes inside a
 * read" without a read-only violation. An error inside a read transaction
 * (which aborts it in PostgreSQL) starts it afresh, so later reads of the
 * request still work, as they do on SQLite.
 *
 * Durability: COMMIT returns once PostgreSQL has flushed its WAL
 * (synchronous_commit, the server's default); no group commit is needed
 * here. A COMMIT that the server turned into a ROLLBACK is an error.
 *
 * Errors: SQLSTATE class 23 (integrity constraint) gives ZF_ECONFLICT
 * "conflict" as sqlite.c does for SQLITE_CONSTRAINT; lock timeouts,
 * serialisation failures and deadlocks give "database_busy". */
#include "store/db_backend.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#define MAX_PARAMS 64
#define CACHE_SIZE 256
/* The advisory lock key of the writer: "zhifa" in ASCII. */
#define WRITER_LOCK "125779104834401"

/* Type OIDs (pg_type.dat), stable across versions. */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_TEXT 25
#define OID_FLOAT8 701

typedef struct pg_db pg_db;
typedef struct pg_stmt pg_stmt;

struct pg_stmt {
    zf_stmt base;
    pg_db *db;
    char *sql;
    int in_use;
    int cached;
    int writes;              /* not a query: leaves a read transaction */
    int nparams;             /* highest $N in sql */
    char name[16];           /* "" until prepared (or for an uncached one) */
    unsigned char used[MAX_PARAMS]; /* $N appears in sql */
    Oid types[MAX_PARAMS];   /* this execution's binds */
    char *values[MAX_PARAMS];
    int lengths[MAX_PARAMS];
    int formats[MAX_PARAMS];
    PGresult *res;
    int executed;
    int row, nrows;
    unsigned char *blob;     /* last unescaped bytea */
};

struct pg_db {
    zf_db base;
    PGconn *c;
    pg_stmt *cache[CACHE_SIZE];
    int ncache;
    unsigned next_name;
    int in_tx;
    int in_read;
    int64_t changes;
};

/* Maps a failed result (or, with res NULL, the connection's error). */
static int pg_error(pg_db *db, zf_err *err, const PGresult *res, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(db->c);
    char text[512];
    size_t n;

    snprintf(text, sizeof text, "%s", msg && *msg ? msg : "unknown error");
    n = strlen(text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
        text[--n] = '\0';
    if (state && strncmp(state, "23", 2) == 0)
        return zf_err_set(err, ZF_ECONFLICT, "conflict", NULL, "数据冲突：%s", text);
    if (state && (strcmp(state, "55P03") == 0 || strcmp(state, "40001") == 0 ||
                  strcmp(state, "40P01") == 0))
        return zf_err_set(err, ZF_EDB, "database_busy", NULL, "数据库繁忙，请稍后重试");
    return zf_err_set(err, ZF_EDB, "database_error", NULL, "数据库错误（%s）：%s", what, text);
}

/* Runs sql without parameters; 0 or a mapped error. */
static int run(pg_db *db, const char *sql, zf_err *err)
{
    PGresult *res = PQexec(db->c, sql);
    ExecStatusType s = PQresultStatus(res);
    int rc = 0;

    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY)
        rc = pg_error(db, err, res, "exec");
    else if (PQcmdTuples(res)[0])
        db->changes = strtoll(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return rc;
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* NOTICEs ("already exists, skipping") are not errors */
}

static const zf_db_ops pg_ops;
static void pg_close(zf_db *db_);

/* The settings every connection runs with. */
static int session_setup(pg_db *db, zf_err *err)
{
    PQsetNoticeProcessor(db->c, quiet, NULL);
    return run(db,
               /* custom plans: a generic plan of a search or a filtered list
                * cannot know how selective this execution's values are (a GIN
                * match vs. a backward scan of the primary key: 100x apart);
                * re-planning costs far less than a bad plan */
               "SET plan_cache_mode = force_custom_plan;"
               "SET lock_timeout = '10s'; SET client_min_messages = warning;"
               " SET TIME ZONE 'UTC'; SET client_encoding = 'UTF8'",
               err);
}

/* A connection the server dropped (a restart, a failover, an administrator's
 * pg_terminate_backend) is re-opened when it is next used outside a write
 * transaction: the statement that met the loss has failed, the ones after it
 * work. Its prepared statements died with it and are prepared again. Inside
 * a write transaction nothing is retried: the transaction is lost and its
 * commit or rollback reports that. Returns 0 when the connection is usable. */
static int ensure_connected(pg_db *db, zf_err *err)
{
    int i;

    if (PQstatus(db->c) == CONNECTION_OK)
        return 0;
    if (db->in_tx)
        return zf_err_set(err, ZF_EDB, "database_error", NULL, "数据库连接已断开，本次修改未保存");
    db->in_read = 0;
    PQreset(db->c);
    if (PQstatus(db->c) != CONNECTION_OK)
        return zf_err_set(err, ZF_EDB, "database_unavailable", NULL, "无法连接 PostgreSQL 数据库：%s",
                          PQerrorMessage(db->c));
    for (i = 0; i < db->ncache; i++)
        db->cache[i]->name[0] = '\0';
    return session_setup(db, err);
}

int zf_db_pg_open(zf_db **out, const char *url, zf_err *err)
{
    pg_db *db = zf_calloc(1, sizeof *db);

    *out = NULL;
    db->base.ops = &pg_ops;
    db->c = PQconnectdb(url);
    if (!db->c || PQstatus(db->c) != CONNECTION_OK) {
        /* the URL may hold a password: name only the server's complaint */
        zf_err_set(err, ZF_EDB, "database_open_failed", NULL, "无法连接 PostgreSQL 数据库：%s",
                   db->c ? PQerrorMessage(db->c) : "out of memory");
        pg_close(&db->base);
        return ZF_EDB;
    }
    if (session_setup(db, err) < 0) {
        pg_close(&db->base);
        return ZF_EDB;
    }
    *out = &db->base;
    return 0;
}

static void stmt_destroy(pg_stmt *st)
{
    int i;

    PQclear(st->res);
    for (i = 0; i < MAX_PARAMS; i++)
        free(st->values[i]);
    PQfreemem(st->blob);
    free(st->sql);
    free(st);
}

static void pg_rollback(zf_db *db_);

static void pg_close(zf_db *db_)
{
    pg_db *db = (pg_db *)db_;
    int i;

    if (!db)
        return;
    if (db->in_tx && db->c)
        pg_rollback(db_);
    for (i = 0; i < db->ncache; i++)
        stmt_destroy(db->cache[i]);
    if (db->c)
        PQfinish(db->c);
    free(db);
}

/* Ends the read transaction if one is open (it holds only a snapshot). */
static void read_finish(pg_db *db)
{
    PGresult *res;

    if (!db->in_read)
        return;
    db->in_read = 0;
    if (PQtransactionStatus(db->c) == PQTRANS_IDLE)
        return;
    res = PQexec(db->c, PQtransactionStatus(db->c) == PQTRANS_INERROR ? "ROLLBACK" : "COMMIT");
    PQclear(res);
}

static int read_start(pg_db *db)
{
    PGresult *res;
    int ok;

    if (!db->in_tx && ensure_connected(db, NULL) < 0)
        return ZF_EDB;
    if (db->in_tx || db->in_read || PQtransactionStatus(db->c) != PQTRANS_IDLE)
        return 0;
    res = PQexec(db->c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok)
        return ZF_EDB;
    db->in_read = 1;
    return 0;
}

static int pg_exec(zf_db *db_, const char *sql, zf_err *err)
{
    pg_db *db = (pg_db *)db_;
    int rc, reread = db->in_read;

    /* exec is for DDL and multi-statement scripts: never under a snapshot */
    read_finish(db);
    if ((rc = ensure_connected(db, err)) < 0)
        return rc;
    rc = run(db, sql, err);
    if (reread)
        read_start(db);
    return rc;
}

/* The first keyword decides whether a statement may run in a read-only
 * transaction. */
static int is_query(const char *sql)
{
    static const char *const reads[] = {"SELECT", "WITH", "VALUES", "SHOW", "EXPLAIN", NULL};
    int i;

    while (*sql == ' ' || *sql == '\n' || *sql == '\t' || *sql == '(' || *sql == '\r')
        sql++;
    for (i = 0; reads[i]; i++)
        if (strncasecmp(sql, reads[i], strlen(reads[i])) == 0)
            return 1;
    return 0;
}

/* Highest $N outside quotes and comments; used[N - 1] is set for each
 * $N that appears (SQLite lets a statement skip numbers, and so do we). */
static int count_params(const char *s, unsigned char *used)
{
    int max = 0;

    while (*s) {
        if (*s == '\'' || *s == '"') {
            char q = *s++;
            while (*s && *s != q)
                s++;
            if (*s)
                s++;
        } else if (s[0] == '-' && s[1] == '-') {
            while (*s && *s != '\n')
                s++;
        } else if (*s == '$' && s[1] >= '0' && s[1] <= '9') {
            int n = (int)strtol(s + 1, (char **)&s, 10);
            if (n > max)
                max = n;
            if (n >= 1 && n <= MAX_PARAMS)
                used[n - 1] = 1;
        } else {
            s++;
        }
    }
    return max;
}

static int pg_prepare(zf_stmt **out, zf_db *db_, const char *sql, zf_err *err)
{
    pg_db *db = (pg_db *)db_;
    pg_stmt *st;
    int i, n;

    *out = NULL;
    for (i = 0; i < db->ncache; i++) {
        st = db->cache[i];
        if (!st->in_use && strcmp(st->sql, sql) == 0) {
            st->in_use = 1;
            *out = &st->base;
            return 0;
        }
    }
    st = zf_calloc(1, sizeof *st);
    if ((n = count_params(sql, st->used)) > MAX_PARAMS) {
        free(st);
        return zf_err_set(err, ZF_EDB, "database_error", NULL, "数据库错误（prepare）：参数过多");
    }
    st->base.db = &db->base;
    st->db = db;
    st->sql = zf_strdup(sql);
    st->nparams = n;
    st->writes = !is_query(sql);
    st->in_use = 1;
    if (db->ncache < CACHE_SIZE) {
        st->cached = 1;
        db->cache[db->ncache++] = st;
    }
    *out = &st->base;
    return 0;
}

/* Stores one parameter: value (len bytes, copied; NULL for SQL NULL). */
static int bind(pg_stmt *st, int n, Oid type, const char *value, size_t len, int binary)
{
    if (n < 1 || n > st->nparams || !st->used[n - 1])
        return ZF_EINVAL; /* as sqlite.c: no such parameter */
    n--;
    free(st->values[n]);
    st->values[n] = NULL;
    if (value) {
        st->values[n] = zf_malloc(len + 1);
        memcpy(st->values[n], value, len);
        st->values[n][len] = '\0';
    }
    st->types[n] = type;
    st->lengths[n] = (int)len;
    st->formats[n] = binary;
    return 0;
}

static int pg_bind_int64(zf_stmt *st_, int n, int64_t v)
{
    char buf[24];
    int len = snprintf(buf, sizeof buf, "%lld", (long long)v);
    return bind((pg_stmt *)st_, n, OID_INT8, buf, (size_t)len, 0);
}

static int pg_bind_double(zf_stmt *st_, int n, double v)
{
    char buf[40];
    int len = snprintf(buf, sizeof buf, "%.17g", v);
    return bind((pg_stmt *)st_, n, OID_FLOAT8, buf, (size_t)len, 0);
}

static int pg_bind_text(zf_stmt *st_, int n, const char *s, long len)
{
    return bind((pg_stmt *)st_, n, 0, s, len < 0 ? strlen(s) : (size_t)len, 0);
}

static int pg_bind_blob(zf_stmt *st_, int n, const void *p, size_t len)
{
    return bind((pg_stmt *)st_, n, OID_BYTEA, p ? (const char *)p : "", len, 1);
}

static int pg_bind_null(zf_stmt *st_, int n)
{
    return bind((pg_stmt *)st_, n, 0, NULL, 0, 0);
}

static int indeterminate(const PGresult *res)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    return state && (strcmp(state, "42P18") == 0 || strcmp(state, "42P08") == 0);
}

static int execute(pg_stmt *st, zf_err *err)
{
    pg_db *db = st->db;
    PGresult *res;
    ExecStatusType s;
    int reread = 0, rc = 0, in_tx, i;

    if (db->in_read && st->writes) {
        read_finish(db); /* an autocommit write: see the top of the file */
        reread = 1;
    }
    if ((rc = ensure_connected(db, err)) < 0)
        goto done;
    for (i = 0; i < st->nparams; i++)
        if (!st->used[i])
            st->types[i] = OID_TEXT; /* a gap in the numbers: any type */
    if (!st->name[0] && st->cached) {
        snprintf(st->name, sizeof st->name, "zf%u", ++db->next_name);
        /* a failed PREPARE would abort the transaction around it */
        in_tx = PQtransactionStatus(db->c) == PQTRANS_INTRANS;
        if (in_tx)
            PQclear(PQexec(db->c, "SAVEPOINT zf_prepare"));
        res = PQprepare(db->c, st->name, st->sql, st->nparams, st->types);
        if (PQresultStatus(res) != PGRES_COMMAND_OK && indeterminate(res)) {
            /* "$1 IS NULL" alone says nothing of $1's type: make the
             * parameters the server cannot place text, as SQLite would */
            PQclear(res);
            if (in_tx)
                PQclear(PQexec(db->c, "ROLLBACK TO SAVEPOINT zf_prepare"));
            for (i = 0; i < st->nparams; i++)
                if (st->types[i] == 0)
                    st->types[i] = OID_TEXT;
            res = PQprepare(db->c, st->name, st->sql, st->nparams, st->types);
        }
        if (in_tx)
            PQclear(PQexec(db->c, PQresultStatus(res) == PGRES_COMMAND_OK
                                      ? "RELEASE SAVEPOINT zf_prepare"
                                      : "ROLLBACK TO SAVEPOINT zf_prepare"));
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            rc = pg_error(db, err, res, "prepare");
            st->name[0] = '\0';
            PQclear(res);
            goto done;
        }
        PQclear(res);
    }
    if (st->name[0])
        res = PQexecPrepared(db->c, st->name, st->nparams, (const char *const *)st->values,
                             st->lengths, st->formats, 0);
    else
        res = PQexecParams(db->c, st->sql, st->nparams, st->types, (const char *const *)st->values,
                           st->lengths, st->formats, 0);
    s = PQresultStatus(res);
    if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
        rc = pg_error(db, err, res, "step");
        PQclear(res);
        if (db->in_read && PQtransactionStatus(db->c) == PQTRANS_INERROR) {
            read_finish(db); /* keep the request's later reads working */
            reread = 1;
        }
        goto done;
    }
    st->res = res;
    st->nrows = s == PGRES_TUPLES_OK ? PQntuples(res) : 0;
    st->row = -1;
    db->changes = PQcmdTuples(res)[0] ? strtoll(PQcmdTuples(res), NULL, 10) : 0;
done:
    st->executed = 1;
    if (reread)
        read_start(db);
    return rc;
}

static int pg_step(zf_stmt *st_, zf_err *err)
{
    pg_stmt *st = (pg_stmt *)st_;
    int rc;

    if (!st->executed && (rc = execute(st, err)) < 0)
        return rc;
    if (!st->res)
        return 0;
    PQfreemem(st->blob);
    st->blob = NULL;
    if (st->row + 1 < st->nrows) {
        st->row++;
        return 1;
    }
    st->row = st->nrows;
    return 0;
}

static int pg_column_count(zf_stmt *st_)
{
    pg_stmt *st = (pg_stmt *)st_;
    return st->res ? PQnfields(st->res) : 0;
}

static const char *pg_column_name(zf_stmt *st_, int col)
{
    pg_stmt *st = (pg_stmt *)st_;
    return st->res ? PQfname(st->res, col) : NULL;
}

/* The current row's value, or NULL for SQL NULL or no row. */
static const char *value(pg_stmt *st, int col)
{
    if (!st->res || st->row < 0 || st->row >= st->nrows || col < 0 || col >= PQnfields(st->res) ||
        PQgetisnull(st->res, st->row, col))
        return NULL;
    return PQgetvalue(st->res, st->row, col);
}

static int pg_is_null(zf_stmt *st_, int col)
{
    return value((pg_stmt *)st_, col) == NULL;
}

static int64_t pg_col_int64(zf_stmt *st_, int col)
{
    pg_stmt *st = (pg_stmt *)st_;
    const char *v = value(st, col);

    if (!v)
        return 0;
    if (PQftype(st->res, col) == OID_BOOL)
        return v[0] == 't';
    return strtoll(v, NULL, 10);
}

static double pg_col_double(zf_stmt *st_, int col)
{
    pg_stmt *st = (pg_stmt *)st_;
    const char *v = value(st, col);

    if (!v)
        return 0;
    if (PQftype(st->res, col) == OID_BOOL)
        return v[0] == 't';
    return strtod(v, NULL);
}

static const char *pg_col_text(zf_stmt *st_, int col)
{
    const char *v = value((pg_stmt *)st_, col);
    return v ? v : "";
}

static const void *pg_col_blob(zf_stmt *st_, int col, size_t *out_len)
{
    pg_stmt *st = (pg_stmt *)st_;
    const char *v = value(st, col);

    *out_len = 0;
    if (!v)
        return NULL;
    if (PQftype(st->res, col) != OID_BYTEA) {
        *out_len = (size_t)PQgetlength(st->res, st->row, col);
        return v;
    }
    PQfreemem(st->blob);
    st->blob = PQunescapeBytea((const unsigned char *)v, out_len);
    return st->blob;
}

static void pg_stmt_free(zf_stmt *st_)
{
    pg_stmt *st = (pg_stmt *)st_;
    int i;

    if (!st)
        return;
    if (!st->cached) {
        stmt_destroy(st);
        return;
    }
    PQclear(st->res);
    st->res = NULL;
    PQfreemem(st->blob);
    st->blob = NULL;
    for (i = 0; i < st->nparams; i++) {
        free(st->values[i]);
        st->values[i] = NULL;
        st->formats[i] = 0;
        st->lengths[i] = 0;
    }
    st->executed = 0;
    st->row = st->nrows = 0;
    st->in_use = 0;
}

static int64_t pg_changes(zf_db *db_)
{
    return ((pg_db *)db_)->changes;
}

static int pg_begin(zf_db *db_, zf_err *err)
{
    pg_db *db = (pg_db *)db_;
    int rc;

    read_finish(db);
    if ((rc = ensure_connected(db, err)) < 0 ||
        (rc = run(db, "BEGIN ISOLATION LEVEL READ COMMITTED", err)) < 0)
        return rc;
    if ((rc = run(db, "SELECT pg_advisory_xact_lock(" WRITER_LOCK ")", err)) < 0) {
        PQclear(PQexec(db->c, "ROLLBACK"));
        return rc;
    }
    db->in_tx = 1;
    return 0;
}

static int pg_commit(zf_db *db_, zf_err *err)
{
    pg_db *db = (pg_db *)db_;
    PGresult *res = PQexec(db->c, "COMMIT");
    int rc = 0;

    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = pg_error(db, err, res, "commit");
    else if (strcmp(PQcmdStatus(res), "COMMIT") != 0) /* the server rolled back */
        rc = zf_err_set(err, ZF_EDB, "database_error", NULL, "数据库错误（commit）：事务已回滚");
    PQclear(res);
    if (rc < 0) {
        pg_rollback(db_);
        return rc;
    }
    db->in_tx = 0;
    return 0;
}

static void pg_rollback(zf_db *db_)
{
    pg_db *db = (pg_db *)db_;

    if (db->in_read) {
        read_finish(db);
        return;
    }
    if (PQtransactionStatus(db->c) != PQTRANS_IDLE)
        PQclear(PQexec(db->c, "ROLLBACK"));
    db->in_tx = 0;
}

static int pg_in_transaction(const zf_db *db_)
{
    return ((const pg_db *)db_)->in_tx;
}

static int pg_read_begin(zf_db *db_)
{
    return read_start((pg_db *)db_);
}

static void pg_read_end(zf_db *db_)
{
    read_finish((pg_db *)db_);
}

static const zf_db_ops pg_ops = {
    "postgres",
    pg_close,
    pg_exec,
    pg_prepare,
    pg_bind_int64,
    pg_bind_double,
    pg_bind_text,
    pg_bind_blob,
    pg_bind_null,
    pg_step,
    pg_column_count,
    pg_column_name,
    pg_is_null,
    pg_col_int64,
    pg_col_double,
    pg_col_text,
    pg_col_blob,
    pg_stmt_free,
    pg_changes,
    pg_begin,
    pg_commit,
    pg_rollback,
    pg_in_transaction,
    pg_read_begin,
    pg_read_end,
    NULL, /* data_version: none, so the portal's page cache stays off */
};
