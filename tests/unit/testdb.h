/* testdb.h — where a store unit test keeps its database: the SQLite file it
 * names, or, when $ZHIFA_TEST_PG_URL is set (make test-pg), a fresh
 * PostgreSQL database on that server for each call, all dropped at exit.
 * Header-only so a test includes it and links libpq through the library. */
#ifndef ZF_TESTDB_H
#define ZF_TESTDB_H

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/db.h"

static char zf_testdb_url[512];
static int zf_testdb_count;

static int zf_testdb_admin(const char *sql)
{
    char admin[600];
    PGconn *c;
    PGresult *r;
    int ok;

    snprintf(admin, sizeof admin, "%s/postgres", getenv("ZHIFA_TEST_PG_URL"));
    c = PQconnectdb(admin);
    r = PQexec(c, sql);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(stderr, "testdb: %s", PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    return ok ? 0 : -1;
}

static void zf_testdb_drop_all(void)
{
    char sql[128];
    int i;

    for (i = 1; i <= zf_testdb_count; i++) {
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS zt_%d_%d WITH (FORCE)", (int)getpid(), i);
        zf_testdb_admin(sql);
    }
}

/* sqlite_path, or the URL of a new empty PostgreSQL database. Borrowed
 * until the next call. */
static const char *zf_test_db_location(const char *sqlite_path)
{
    const char *base = getenv("ZHIFA_TEST_PG_URL");
    char sql[128];

    if (!base || !*base)
        return sqlite_path;
    if (zf_testdb_count++ == 0)
        atexit(zf_testdb_drop_all);
    snprintf(sql, sizeof sql, "CREATE DATABASE zt_%d_%d", (int)getpid(), zf_testdb_count);
    if (zf_testdb_admin(sql) < 0)
        abort();
    snprintf(zf_testdb_url, sizeof zf_testdb_url, "%s/zt_%d_%d", base, (int)getpid(), zf_testdb_count);
    return zf_testdb_url;
}

/* 1 when db runs on PostgreSQL: for the few checks that are one backend's
 * own by design (PRAGMAs, FTS5, the SQLite file itself); each such place
 * says why, and checks the other backend's equivalent where one exists. */
static inline int zf_test_db_is_postgres(zf_db *db)
{
    return strcmp(zf_db_dialect(db), "postgres") == 0;
}

/* Runs DDL a test writes in the migrations' dialect (INTEGER PRIMARY KEY,
 * BLOB ...) the way zf_db_migrate would on db's backend. */
static inline int zf_test_db_ddl(zf_db *db, const char *sql, zf_err *err)
{
    char *text = zf_db_migration_text(sql, zf_db_dialect(db));
    int rc = zf_db_exec(db, text, err);

    free(text);
    return rc;
}

#endif
