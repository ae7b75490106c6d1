/* audit.c — see audit.h. */
#include "store/audit.h"

int zf_audit_write(zf_db *db, const zf_audit_event *ev, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    rc = zf_db_prepare(&st, db,
                       "INSERT INTO audit_log (at, actor_id, actor_name, action, object_type, "
                       "object_id, ip, request_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                       err);
    if (rc < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, ev->at);
    if (ev->actor_id)
        zf_stmt_bind_int64(st, 2, ev->actor_id);
    else
        zf_stmt_bind_null(st, 2);
    zf_stmt_bind_text(st, 3, ev->actor_name ? ev->actor_name : "", -1);
    zf_stmt_bind_text(st, 4, ev->action, -1);
    zf_stmt_bind_text(st, 5, ev->object_type ? ev->object_type : "", -1);
    zf_stmt_bind_text(st, 6, ev->object_id ? ev->object_id : "", -1);
    zf_stmt_bind_text(st, 7, ev->ip ? ev->ip : "", -1);
    zf_stmt_bind_text(st, 8, ev->request_id ? ev->request_id : "", -1);
    zf_stmt_bind_text(st, 9, ev->detail ? ev->detail : "", -1);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}
