/* lease_store.c — see lease_store.h. */
#include "store/lease_store.h"

#include <string.h>

int zf_lease_take(int *out_held, int64_t *out_expires, zf_db *db, const char *name, const char *holder,
                  int64_t now, int64_t ttl, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    *out_held = 0;
    *out_expires = 0;
    if (zf_db_in_transaction(db)) /* its own commit decides: never inside a caller's */
        return zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "租约不能在其他事务中获取");
    if ((rc = zf_db_begin(db, err)) < 0)
        return rc;
    /* one statement decides: insert when absent, overwrite only when it is
     * ours or has run out; the write lock of zf_db_begin orders takers */
    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO leader_lease (name, holder, expires_at, acquired_at) "
                            "VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO UPDATE SET "
                            "holder = excluded.holder, expires_at = excluded.expires_at, "
                            "acquired_at = CASE WHEN leader_lease.holder = excluded.holder "
                            "THEN leader_lease.acquired_at ELSE excluded.acquired_at END "
                            "WHERE leader_lease.holder = excluded.holder OR leader_lease.expires_at < $4",
                            err)) < 0)
        goto fail;
    zf_stmt_bind_text(st, 1, name, -1);
    zf_stmt_bind_text(st, 2, holder, -1);
    zf_stmt_bind_int64(st, 3, now + ttl);
    zf_stmt_bind_int64(st, 4, now);
    if ((rc = zf_stmt_step(st, err)) < 0)
        goto fail;
    zf_stmt_free(st);
    st = NULL;
    if ((rc = zf_db_prepare(&st, db, "SELECT holder, expires_at FROM leader_lease WHERE name = $1", err)) < 0)
        goto fail;
    zf_stmt_bind_text(st, 1, name, -1);
    if ((rc = zf_stmt_step(st, err)) < 0)
        goto fail;
    if (rc == 1) {
        *out_held = strcmp(zf_stmt_text(st, 0), holder) == 0;
        *out_expires = zf_stmt_int64(st, 1);
    }
    zf_stmt_free(st);
    st = NULL;
    if ((rc = zf_db_commit(db, err)) < 0) {
        *out_held = 0;
        return rc;
    }
    return 0;
fail:
    zf_stmt_free(st);
    zf_db_rollback(db);
    *out_held = 0;
    return rc;
}

int zf_lease_release(zf_db *db, const char *name, const char *holder, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_begin(db, err)) < 0)
        return rc;
    if ((rc = zf_db_prepare(&st, db, "DELETE FROM leader_lease WHERE name = $1 AND holder = $2", err)) < 0)
        goto fail;
    zf_stmt_bind_text(st, 1, name, -1);
    zf_stmt_bind_text(st, 2, holder, -1);
    if ((rc = zf_stmt_step(st, err)) < 0)
        goto fail;
    zf_stmt_free(st);
    return zf_db_commit(db, err);
fail:
    zf_stmt_free(st);
    zf_db_rollback(db);
    return rc;
}

int zf_lease_get(char *out, size_t outlen, int64_t *out_expires, zf_db *db, const char *name, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if (outlen)
        out[0] = '\0';
    *out_expires = 0;
    if ((rc = zf_db_prepare(&st, db, "SELECT holder, expires_at FROM leader_lease WHERE name = $1", err)) < 0)
        return rc;
    zf_stmt_bind_text(st, 1, name, -1);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        if (outlen) {
            strncpy(out, zf_stmt_text(st, 0), outlen - 1);
            out[outlen - 1] = '\0';
        }
        *out_expires = zf_stmt_int64(st, 1);
    }
    zf_stmt_free(st);
    return rc;
}
