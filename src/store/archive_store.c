/* archive_store.c — the 案卷 record of an archived case. Contract in
 * archive_store.h. */
#include "store/archive_store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/jcs.h"
#include "ledger/sm3.h"
#include "store/audit.h"
#include "store/case_store.h"
#include "store/ledger_store.h"

int zf_archive_record_build(zf_buf *out, zf_db *db, int64_t case_id, int64_t archived_at,
                            zf_err *err)
{
    zf_case c;
    zf_stmt *st = NULL;
    json_t *o = NULL, *docs = NULL, *ev = NULL;
    char case_sha[65], when[21];
    int rc;

    if ((rc = zf_case_get(&c, db, case_id, err)) < 0 || (rc = zf_case_hash(case_sha, db, case_id, err)) < 0)
        return rc;
    zf_ledger_rfc3339(when, archived_at);
    docs = json_array();
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT id, template, COALESCE(doc_no, ''), content_sha256 FROM case_documents "
                            "WHERE case_id = $1 AND status = 'final' ORDER BY id",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, case_id);
    while ((rc = zf_stmt_step(st, err)) == 1)
        json_array_append_new(docs, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)zf_stmt_int64(st, 0),
                                              "template", zf_stmt_text(st, 1), "doc_no", zf_stmt_text(st, 2),
                                              "content_sha256", zf_stmt_text(st, 3)));
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    ev = json_array();
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT id, sha256, size FROM evidence_files WHERE case_id = $1 AND "
                            "state = 'stored' ORDER BY id",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, case_id);
    while ((rc = zf_stmt_step(st, err)) == 1)
        json_array_append_new(ev, json_pack("{s:I, s:s, s:I}", "id", (json_int_t)zf_stmt_int64(st, 0), "sha256",
                                            zf_stmt_text(st, 1), "size", (json_int_t)zf_stmt_int64(st, 2)));
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    o = json_pack("{s:s, s:I, s:s, s:I, s:s, s:s, s:O, s:O}", "format", ZF_ARCHIVE_FORMAT, "case_id",
                  (json_int_t)case_id, "case_no", c.case_no, "department_id", (json_int_t)c.department_id,
                  "archived_at", when, "case_sha256", case_sha, "documents", docs, "evidence", ev);
    rc = zf_jcs_encode(out, o, err);
done:
    zf_stmt_free(st);
    json_decref(o);
    json_decref(docs);
    json_decref(ev);
    return rc;
}

int zf_archive_record_write(char out_sha[65], zf_db *db, int64_t case_id, int64_t actor_id,
                            const char *actor_name, const char *ip, const char *request_id,
                            int64_t now, zf_err *err)
{
    zf_buf rec = ZF_BUF_INIT;
    zf_stmt *st = NULL;
    zf_audit_event ev = {0};
    uint8_t d[ZF_DIGEST_LEN];
    char sha[65], oid[24], detail[64];
    int rc;

    if (!zf_db_in_transaction(db))
        return zf_err_set(err, ZF_EINTERNAL, "archive_needs_transaction", NULL,
                          "归档记录必须与归档操作在同一事务中写入");
    if ((rc = zf_archive_record_build(&rec, db, case_id, now, err)) < 0)
        goto done;
    zf_sha256(d, zf_buf_str(&rec), rec.len);
    zf_hex_encode(sha, d, sizeof d);
    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO case_archives (case_id, record, record_sha256, archived_at, "
                            "archived_by) VALUES ($1, $2, $3, $4, $5)",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, case_id);
    zf_stmt_bind_text(st, 2, zf_buf_str(&rec), (long)rec.len);
    zf_stmt_bind_text(st, 3, sha, -1);
    zf_stmt_bind_int64(st, 4, now);
    if (actor_id)
        zf_stmt_bind_int64(st, 5, actor_id);
    else
        zf_stmt_bind_null(st, 5);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    if (rc == ZF_ECONFLICT)
        rc = zf_err_set(err, ZF_ECONFLICT, "already_archived", NULL, "该案件已有归档记录");
    if (rc < 0)
        goto done;
    snprintf(oid, sizeof oid, "%lld", (long long)case_id);
    snprintf(detail, sizeof detail, "archive_record=%.16s", sha);
    ev.at = now;
    ev.actor_id = actor_id;
    ev.actor_name = actor_name ? actor_name : "system";
    ev.action = "case_archive";
    ev.object_type = ZF_CASE_OBJECT;
    ev.object_id = oid;
    ev.ip = ip;
    ev.request_id = request_id;
    ev.detail = detail;
    ev.content_sha256 = sha;
    if ((rc = zf_audit_write(db, &ev, err)) < 0)
        goto done;
    if (out_sha)
        memcpy(out_sha, sha, 65);
done:
    zf_buf_free(&rec);
    return rc;
}

int zf_archive_record_get(zf_buf *out, char out_sha[65], zf_db *db, int64_t case_id, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, db, "SELECT record, record_sha256 FROM case_archives WHERE case_id = $1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, case_id);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        zf_buf_puts(out, zf_stmt_text(st, 0));
        snprintf(out_sha, 65, "%s", zf_stmt_text(st, 1));
    }
    zf_stmt_free(st);
    return rc;
}
