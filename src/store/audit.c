/* audit.c — see audit.h. */
#include "store/audit.h"

#include <string.h>

#include "ledger/sm3.h"
#include "store/ledger_store.h"

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

/* The audit row is the ledger event's row (migration 0025): one INSERT. */
static int write_event(zf_db *db, const zf_audit_event *ev, zf_err *err)
{
    zf_ledger_event le;
    char content[65];
    int rc;

    memset(&le, 0, sizeof le);
    if (ev->content_sha256 && *ev->content_sha256) {
        if (!valid_hex64(ev->content_sha256))
            return zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "审计记录的内容摘要格式错误");
        memcpy(content, ev->content_sha256, 65);
        le.content_from = ZF_LEDGER_CONTENT_GIVEN;
    } else if ((rc = zf_ledger_row_hash(content, db, ev->object_type, ev->object_id, err)) < 0) {
        return rc;
    } else if (rc == 1) {
        le.content_from = ZF_LEDGER_CONTENT_ROW;
    } else {
        uint8_t d[ZF_DIGEST_LEN];
        const char *detail = ev->detail ? ev->detail : "";
        zf_sha256(d, detail, strlen(detail));
        zf_hex_encode(content, d, sizeof d);
        le.content_from = ZF_LEDGER_CONTENT_DETAIL;
    }
    le.at = ev->at;
    le.actor_id = ev->actor_id;
    le.action = ev->action;
    le.object_type = ev->object_type ? ev->object_type : "";
    le.object_id = ev->object_id ? ev->object_id : "";
    le.content_sha256 = content;
    le.request_id = ev->request_id ? ev->request_id : "";
    le.actor_name = ev->actor_name;
    le.ip = ev->ip;
    le.detail = ev->detail;
    return zf_ledger_append(db, &le, err);
}

int zf_audit_write(zf_db *db, const zf_audit_event *ev, zf_err *err)
{
    int own = !zf_db_in_transaction(db), rc;

    /* a login or a refusal has no transaction of its own: give the event
     * one (zf_ledger_append refuses to run outside a transaction) */
    if (own && (rc = zf_db_begin(db, err)) < 0)
        return rc;
    rc = write_event(db, ev, err);
    if (own) {
        if (rc < 0)
            zf_db_rollback(db);
        else
            rc = zf_db_commit(db, err);
    }
    return rc < 0 ? rc : 0;
}
