/* migrate.c — versioned schema migrations, shared by every backend.
 *
 * Migrations are the embedded files store/migrations/NNNN_name.sql, applied
 * in order inside one transaction; schema_version holds the newest applied. */
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/embed.h"
#include "util/mem.h"

static const char PREFIX[] = "store/migrations/";

static int migration_number(const zf_embedded_file *f)
{
    const char *base;

    if (strncmp(f->name, PREFIX, sizeof PREFIX - 1) != 0)
        return 0;
    base = f->name + sizeof PREFIX - 1;
    if (strlen(base) < 5 || base[4] != '_')
        return 0;
    return atoi(base);
}

int zf_db_schema_latest(void)
{
    const zf_embedded_file *f;
    int latest = 0, n;

    for (f = zf_embedded_files; f->name; f++)
        if ((n = migration_number(f)) > latest)
            latest = n;
    return latest;
}

int zf_db_schema_version(zf_db *db, int *out, zf_err *err)
{
    int64_t v = 0;
    int rc;

    *out = 0;
    rc = zf_db_exec(db, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", err);
    if (rc < 0)
        return rc;
    rc = zf_db_query_int64(db, &v, "SELECT COALESCE(MAX(version), 0) FROM schema_version", err, 0, NULL);
    if (rc < 0)
        return rc;
    *out = (int)v;
    return 0;
}

int zf_db_migrate(zf_db *db, zf_err *err)
{
    const zf_embedded_file *f;
    int current, latest = zf_db_schema_latest(), rc, n, v;
    char sql[96];

    if ((rc = zf_db_begin(db, err)) < 0)
        return rc;
    if ((rc = zf_db_schema_version(db, &current, err)) < 0)
        goto fail;
    if (current > latest) {
        rc = zf_err_set(err, ZF_ECONFLICT, "schema_too_new", NULL,
                        "数据库结构版本为 %d，而本程序只支持到版本 %d：请使用更新版本的 zhifa",
                        current, latest);
        goto fail;
    }
    for (v = current + 1; v <= latest; v++) {
        for (f = zf_embedded_files; f->name; f++) {
            n = migration_number(f);
            if (n != v)
                continue;
            if ((rc = zf_db_exec(db, (const char *)f->data, err)) < 0)
                goto fail;
        }
    }
    if (latest > current) {
        snprintf(sql, sizeof sql, "DELETE FROM schema_version; INSERT INTO schema_version VALUES (%d)", latest);
        if ((rc = zf_db_exec(db, sql, err)) < 0)
            goto fail;
    }
    return zf_db_commit(db, err);
fail:
    zf_db_rollback(db);
    return rc;
}
