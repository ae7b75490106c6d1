/* audit.c — see audit.h. */
#include "store/audit.h"

#include <string.h>

#include "ledger/sm3.h"
#include "store/ledger_store.h"

int zf_audit_content_hash(char out[65], zf_db *db, const char *object_type, const char *object_id,
                          const char *detail, zf_err *err)
{
    uint8_t d[ZF_DIGEST_LEN];
    int rc = zf_ledger_row_hash(out, db, object_type, object_id, err);

    if (rc != 0)
        return rc < 0 ? rc : 0;
    detail = detail ? detail : "";
    zf_sha256(d, detail, strlen(detail));
    zf_hex_encode(out, d, sizeof d);
    return 0;
}

static int valid_hex64(const char *s)
{
    size_t i;

    if (strlen(s) != 64)
        return 0;
    for (i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

static int write_both(zf_db *db, const zf_audit_event *ev, zf_err *err)
{
    zf_stmt *st = NULL;
    zf_buf oid = ZF_BUF_INIT;
    zf_ledger_event le;
    char content[65];
    int64_t audit_id = 0;
    int rc;

    if (ev->content_sha256 && *ev->content_sha256) {
        if (!valid_hex64(ev->content_sha256))
            return zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "审计记录的内容摘要格式错误");
        memcpy(content, ev->content_sha256, 65);
    } else if ((rc = zf_audit_content_hash(content, db, ev->object_type, ev->object_id, ev->detail, err)) < 0) {
        return rc;
    }
    rc = zf_db_prepare(&st, db,
                       "INSERT INTO audit_log (at, actor_id, actor_name, action, object_type, "
                       "object_id, ip, request_id, detail, content_sha256) "
                       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
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
    zf_stmt_bind_text(st, 10, ev->content_sha256 && *ev->content_sha256 ? ev->content_sha256 : "", -1);
    if ((rc = zf_stmt_step(st, err)) == 1)
        audit_id = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    zf_ledger_object_id(&oid, ev->object_type, ev->object_id);
    le.at = ev->at;
    le.actor_id = ev->actor_id;
    le.action = ev->action;
    le.object_type = ev->object_type ? ev->object_type : "";
    le.object_id = zf_buf_str(&oid);
    le.content_sha256 = content;
    le.request_id = ev->request_id ? ev->request_id : "";
    le.audit_id = audit_id;
    rc = zf_ledger_append(db, &le, err);
    zf_buf_free(&oid);
    return rc;
}

int zf_audit_write(zf_db *db, const zf_audit_event *ev, zf_err *err)
{
    int own = !zf_db_in_transaction(db), rc;

    /* a login or a refusal has no transaction of its own: give the row and
     * its event one, so that neither can exist without the other */
    if (own && (rc = zf_db_begin(db, err)) < 0)
        return rc;
    rc = write_both(db, ev, err);
    if (own) {
        if (rc < 0)
            zf_db_rollback(db);
        else
            rc = zf_db_commit(db, err);
    }
    return rc < 0 ? rc : 0;
}
