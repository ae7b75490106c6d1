/* idempotency.c — Idempotency-Key for creating requests (see api.h): the
 * first answer to a (user, key) is kept in idempotency_keys (migration 0004)
 * and replayed to every retry. Used by document creation (api/cases.c) and
 * evidence uploads (api/evidence_upload.c); the evidence tick removes
 * records older than a day. */
#include "api/api.h"

#include <string.h>

int zf_idem_key(const char **out, zf_ctx *c)
{
    const char *k = zf_ctx_request_header(c, "Idempotency-Key");
    size_t i, n;

    *out = NULL;
    if (!k || !*k)
        return 0;
    n = strlen(k);
    for (i = 0; i < n; i++)
        if ((unsigned char)k[i] < 0x21 || (unsigned char)k[i] > 0x7e)
            break;
    if (n > ZF_IDEM_MAX || i < n)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "Idempotency-Key",
                          "Idempotency-Key 应为 1 到 200 个可见 ASCII 字符");
    *out = k;
    return 0;
}

int zf_idem_replay(int *out_found, zf_ctx *c, const char *key, const char *route)
{
    zf_stmt *st = NULL;
    int rc;

    *out_found = 0;
    if (!key || !*key)
        return 0;
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT route, status, body FROM idempotency_keys WHERE user_id = $1 AND key = $2",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, c->who->user_id);
    zf_stmt_bind_text(st, 2, key, -1);
    if ((rc = zf_stmt_step(st, &c->err)) == 1) {
        if (strcmp(zf_stmt_text(st, 0), route) != 0) {
            rc = zf_err_set(&c->err, ZF_ECONFLICT, "idempotency_key_reused", "Idempotency-Key",
                            "该 Idempotency-Key 已用于另一种请求");
        } else {
            zf_buf_reset(&c->out);
            zf_buf_puts(&c->out, zf_stmt_text(st, 2));
            c->status = (int)zf_stmt_int64(st, 1);
            c->content_type = "application/json; charset=utf-8";
            zf_ctx_header(c, "Idempotent-Replayed", "true");
            *out_found = 1;
            rc = 0;
        }
    }
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

int zf_idem_store(zf_ctx *c, const char *key, const char *route, int status, const char *body)
{
    zf_stmt *st = NULL;
    int rc;

    if (!key || !key[0])
        return 0;
    if ((rc = zf_db_prepare(&st, c->db,
                            "INSERT INTO idempotency_keys (user_id, key, route, status, body, created_at) "
                            "VALUES ($1, $2, $3, $4, $5, $6)",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, c->who->user_id);
    zf_stmt_bind_text(st, 2, key, -1);
    zf_stmt_bind_text(st, 3, route, -1);
    zf_stmt_bind_int64(st, 4, status);
    zf_stmt_bind_text(st, 5, body, -1);
    zf_stmt_bind_int64(st, 6, c->now);
    rc = zf_stmt_step(st, &c->err);
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}
