/* ledger.c — the ledger's API: public, read-only views of the tree
 * (checkpoints, public key, inclusion and consistency proofs, entries), the
 * witnesses' cosignature submissions, checkpoint issuing on demand, witness
 * registration, and the tick that issues a checkpoint at most about a second
 * after new events. Nothing here carries personal data: events hold only
 * identifiers and hashes (store/ledger_store.h).
 *
 * The signing key is read from DATA/signing.key once and kept for the life
 * of the process (a zf_sign_key is immutable and shared by threads). */
#include "api/api.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/checkpoint.h"
#include "ledger/sign.h"
#include "store/audit.h"
#include "store/ledger_store.h"
#include "store/settings.h"
#include "util/log.h"
#include "util/mem.h"

static pthread_mutex_t key_mu = PTHREAD_MUTEX_INITIALIZER;
static zf_sign_key *signing_key;

/* The process's signing key, loaded on first use; borrowed. */
static int get_key(const zf_sign_key **out, const char *data_dir, zf_err *err)
{
    int rc = 0;

    pthread_mutex_lock(&key_mu);
    if (!signing_key)
        rc = zf_ledger_key_load(&signing_key, data_dir ? data_dir : ".", err);
    *out = signing_key;
    pthread_mutex_unlock(&key_mu);
    return rc;
}

static const char *origin_of(const struct zf_settings *s)
{
    return zf_settings_get(s, "ledger_origin", ZF_LEDGER_ORIGIN_DEFAULT);
}

/* A query parameter as a non-negative integer below 2^63; required. */
static int query_u64(zf_ctx *c, const char *key, uint64_t *out)
{
    const char *s = zf_ctx_query(c, key);
    char *end;
    unsigned long long v;

    *out = 0;
    if (!s || !*s)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", key, "缺少参数 %s", key);
    if (strspn(s, "0123456789") != strlen(s) || strlen(s) > 19 || (s[0] == '0' && s[1]))
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", key, "参数 %s 应为非负整数", key);
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || v > (unsigned long long)INT64_MAX)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", key, "参数 %s 超出范围", key);
    *out = v;
    return 0;
}

static json_t *hex_array(const zf_hash *h, size_t n)
{
    json_t *a = json_array();
    char hex[ZF_HASH_HEXLEN + 1];
    size_t i;

    for (i = 0; i < n; i++) {
        zf_hash_to_hex(hex, &h[i]);
        json_array_append_new(a, json_string(hex));
    }
    return a;
}

/* ---- checkpoints ---- */

static int cosignatures_json(json_t **out, zf_db *db, int64_t checkpoint_id, zf_err *err)
{
    zf_stmt *st = NULL;
    json_t *a = json_array();
    int rc;

    *out = NULL;
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT witness_name, key_id, signature_line, received_at FROM cosignatures "
                            "WHERE checkpoint_id = $1 ORDER BY id",
                            err)) < 0) {
        json_decref(a);
        return rc;
    }
    zf_stmt_bind_int64(st, 1, checkpoint_id);
    while ((rc = zf_stmt_step(st, err)) == 1)
        json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:I}", "witness", zf_stmt_text(st, 0), "key_id",
                                           zf_stmt_text(st, 1), "signature_line", zf_stmt_text(st, 2),
                                           "received_at", (json_int_t)zf_stmt_int64(st, 3)));
    zf_stmt_free(st);
    if (rc < 0) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return 0;
}

/* The checkpoint of the row st points at (columns: id, tree_size, root_hash,
 * timestamp, note, signature, key_id, algorithm). note is the cosigned note:
 * zhifa's signed note followed by every witness's line, as C2SP has it. */
static int checkpoint_json(json_t **out, zf_db *db, int64_t id, uint64_t size, const char *root,
                           const char *ts, const char *note, const char *sig, const char *key_id,
                           const char *alg, zf_err *err)
{
    json_t *cos = NULL;
    zf_buf cosigned = ZF_BUF_INIT;
    int rc;

    *out = NULL;
    if ((rc = cosignatures_json(&cos, db, id, err)) < 0 ||
        (rc = zf_ledger_cosigned_note(&cosigned, db, id, note, err)) < 0) {
        json_decref(cos);
        zf_buf_free(&cosigned);
        return rc;
    }
    *out = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "tree_size", (json_int_t)size, "root_hash", root,
                     "timestamp", ts, "note", zf_buf_str(&cosigned), "signature", sig, "algorithm", alg,
                     "key_id", key_id, "cosignatures", cos);
    zf_buf_free(&cosigned);
    return *out ? 0 : zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "无法生成检查点");
}

static int h_checkpoint(zf_ctx *c)
{
    zf_ledger_checkpoint_row row;
    json_t *v = NULL;
    int rc;

    if ((rc = zf_ledger_checkpoint_latest(&row, c->db, &c->err)) < 0)
        return rc;
    if (rc == 0)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "no_checkpoint", NULL, "尚未签发任何检查点");
    rc = checkpoint_json(&v, c->db, row.id, row.tree_size, row.root_hex, row.timestamp, row.note,
                         row.signature, row.key_id, row.algorithm, &c->err);
    zf_ledger_checkpoint_row_free(&row);
    return rc < 0 ? rc : zf_ctx_json(c, 200, v);
}

static int h_checkpoint_issue(zf_ctx *c)
{
    const zf_sign_key *key;
    int rc, issued = 0;

    if (c->body_len && strspn(c->body, " \t\r\n") != c->body_len && strcmp(c->body, "{}") != 0)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", NULL, "该请求不需要请求体");
    if ((rc = get_key(&key, c->data_dir, &c->err)) < 0 ||
        (rc = zf_ledger_checkpoint_issue(c->db, key, origin_of(c->settings), c->now, &issued, &c->err)) < 0) {
        if (rc == ZF_ECONFLICT)
            zf_log_event("error", c->err.message, "code", c->err.code, NULL, 0, NULL, 0);
        return rc;
    }
    rc = h_checkpoint(c);
    if (rc == 0 && issued)
        c->status = 201;
    return rc;
}

static int h_checkpoints(zf_ctx *c)
{
    static const zf_sort_key keys[] = {{"tree_size", "tree_size"}, {NULL, NULL}};
    zf_list_params lp;
    zf_stmt *st = NULL;
    json_t *items = json_array();
    int64_t total = 0;
    int rc;

    if ((rc = zf_list_params_read(&lp, c, keys)) < 0 ||
        (rc = zf_db_query_int64(c->db, &total, "SELECT COUNT(*) FROM checkpoints", &c->err, 0, NULL)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, c->db,
                            lp.sort_desc || !zf_ctx_query(c, "sort")
                                ? "SELECT id, tree_size, root_hash, timestamp, note, signature, key_id, algorithm "
                                  "FROM checkpoints ORDER BY tree_size DESC LIMIT $1 OFFSET $2"
                                : "SELECT id, tree_size, root_hash, timestamp, note, signature, key_id, algorithm "
                                  "FROM checkpoints ORDER BY tree_size ASC LIMIT $1 OFFSET $2",
                            &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, lp.per_page);
    zf_stmt_bind_int64(st, 2, lp.offset);
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        json_t *v = NULL;
        char *note = zf_strdup(zf_stmt_text(st, 4)), *sig = zf_strdup(zf_stmt_text(st, 5));
        char root[ZF_HASH_HEXLEN + 1], ts[24], kid[24], alg[16];
        int64_t id = zf_stmt_int64(st, 0), size = zf_stmt_int64(st, 1);
        snprintf(root, sizeof root, "%s", zf_stmt_text(st, 2));
        snprintf(ts, sizeof ts, "%s", zf_stmt_text(st, 3));
        snprintf(kid, sizeof kid, "%s", zf_stmt_text(st, 6));
        snprintf(alg, sizeof alg, "%s", zf_stmt_text(st, 7));
        rc = checkpoint_json(&v, c->db, id, (uint64_t)size, root, ts, note, sig, kid, alg, &c->err);
        free(note);
        free(sig);
        if (rc < 0)
            goto done;
        json_array_append_new(items, v);
    }
    if (rc == 0)
        rc = zf_ctx_json(c, 200, json_pack("{s:O,s:I,s:I,s:I}", "items", items, "total", (json_int_t)total,
                                           "page", (json_int_t)lp.page, "per_page", (json_int_t)lp.per_page));
done:
    zf_stmt_free(st);
    json_decref(items);
    return rc;
}

static int h_public_key(zf_ctx *c)
{
    const zf_sign_key *key;
    int rc;

    if ((rc = get_key(&key, c->data_dir, &c->err)) < 0)
        return rc;
    zf_buf_reset(&c->out);
    if ((rc = zf_sign_key_public_pem(&c->out, key, &c->err)) < 0)
        return rc;
    c->content_type = "application/x-pem-file";
    zf_ctx_header(c, "X-Key-Id", zf_sign_key_id(key));
    zf_ctx_header(c, "X-Key-Algorithm", zf_sign_alg_name(zf_sign_key_alg(key)));
    c->status = 200;
    return 0;
}

/* ---- proofs and entries ---- */

static int h_inclusion(zf_ctx *c)
{
    zf_hash proof[ZF_MERKLE_MAX_PROOF];
    size_t n = 0;
    uint64_t index, size;
    int rc;

    if ((rc = query_u64(c, "index", &index)) < 0 || (rc = query_u64(c, "tree_size", &size)) < 0 ||
        (rc = zf_ledger_inclusion(proof, &n, c->db, index, size, &c->err)) < 0)
        return rc;
    return zf_ctx_json(c, 200, json_pack("{s:I,s:I,s:o}", "leaf_index", (json_int_t)index, "tree_size",
                                         (json_int_t)size, "audit_path", hex_array(proof, n)));
}

static int h_consistency(zf_ctx *c)
{
    zf_hash proof[ZF_MERKLE_MAX_PROOF];
    size_t n = 0;
    uint64_t first, second;
    int rc;

    if ((rc = query_u64(c, "first", &first)) < 0 || (rc = query_u64(c, "second", &second)) < 0)
        return rc;
    if (first == 0 || first > second)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "first", "一致性证明要求 0 < first ≤ second");
    if ((rc = zf_ledger_consistency(proof, &n, c->db, first, second, &c->err)) < 0)
        return rc;
    return zf_ctx_json(c, 200, json_pack("{s:I,s:I,s:o}", "first", (json_int_t)first, "second",
                                         (json_int_t)second, "proof", hex_array(proof, n)));
}

/* [start, end): end is exclusive, at most ZF_LEDGER_MAX_ENTRIES per page,
 * clipped to the tree's size. */
static int h_entries(zf_ctx *c)
{
    zf_stmt *st = NULL;
    json_t *items;
    uint64_t start, end;
    int rc;

    if ((rc = query_u64(c, "start", &start)) < 0 || (rc = query_u64(c, "end", &end)) < 0)
        return rc;
    if (end <= start)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "end", "end 必须大于 start（区间不含 end）");
    if (end - start > ZF_LEDGER_MAX_ENTRIES)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "end", "一次最多取 %d 条事件",
                          ZF_LEDGER_MAX_ENTRIES);
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT " ZF_LEDGER_EVENT_COLUMNS " FROM ledger_events WHERE idx >= $1 AND idx < $2 "
                            "ORDER BY idx",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, (int64_t)start);
    zf_stmt_bind_int64(st, 2, (int64_t)end);
    items = json_array();
    /* each event rebuilt from its row: exactly the bytes the leaf hashes */
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        zf_ledger_event le;
        zf_buf canon = ZF_BUF_INIT;
        zf_hash leaf;
        char hex[ZF_HASH_HEXLEN + 1];
        uint64_t idx = zf_ledger_event_from_row(&le, st, 0);
        json_t *ev = NULL;
        if ((rc = zf_ledger_event_canonical(&canon, &le, idx, &c->err)) == 0) {
            zf_merkle_leaf_hash(&leaf, canon.ptr, canon.len);
            zf_hash_to_hex(hex, &leaf);
            ev = json_loads(zf_buf_str(&canon), 0, NULL);
        }
        zf_buf_free(&canon);
        if (rc < 0)
            break;
        json_array_append_new(items, json_pack("{s:I,s:s,s:o}", "index", (json_int_t)idx, "leaf_hash", hex,
                                               "event", ev ? ev : json_null()));
    }
    zf_stmt_free(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    return zf_ctx_json(c, 200, items);
}

/* ---- witnesses ---- */

static int valid_key_name(const char *s)
{
    size_t n = strlen(s), i;

    if (n == 0 || n > ZF_CHECKPOINT_MAX_NAME)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch <= 0x20 || ch == 0x7f || ch == '+')
            return 0;
    }
    return 1;
}

static int h_witnesses(zf_ctx *c)
{
    zf_stmt *st = NULL;
    json_t *items = json_array();
    int rc;

    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT id, name, key_id, algorithm, public_key, added_at FROM witnesses ORDER BY id",
                            &c->err)) < 0) {
        json_decref(items);
        return rc;
    }
    while ((rc = zf_stmt_step(st, &c->err)) == 1)
        json_array_append_new(items, json_pack("{s:I,s:s,s:s,s:s,s:s,s:I}", "id", (json_int_t)zf_stmt_int64(st, 0),
                                               "name", zf_stmt_text(st, 1), "key_id", zf_stmt_text(st, 2),
                                               "algorithm", zf_stmt_text(st, 3), "public_key",
                                               zf_stmt_text(st, 4), "added_at", (json_int_t)zf_stmt_int64(st, 5)));
    zf_stmt_free(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    return zf_ctx_json(c, 200, json_pack("{s:o}", "items", items));
}

static int h_witness_add(zf_ctx *c)
{
    static const zf_json_field spec[] = {
        {"name", ZF_JT_STRING, 1, 255, "见证方名称"},
        {"public_key", ZF_JT_STRING, 1, 8000, "见证方公钥"},
        {NULL},
    };
    json_t *in = NULL;
    zf_sign_key *key = NULL;
    zf_buf pem = ZF_BUF_INIT;
    zf_stmt *st = NULL;
    const char *name, *pk;
    int64_t id = 0;
    int rc;

    if ((rc = zf_json_decode(&in, c->body, c->body_len, spec, &c->err)) < 0)
        return rc;
    name = json_string_value(json_object_get(in, "name"));
    pk = json_string_value(json_object_get(in, "public_key"));
    if (!valid_key_name(name)) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "name",
                        "见证方名称应为 1 到 255 字节，不含空格、加号和控制字符");
        goto done;
    }
    if (zf_sign_key_from_pem(&key, pk, strlen(pk), NULL) < 0) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "public_key",
                        "公钥应为 PEM 格式的 Ed25519 或 SM2 公钥");
        goto done;
    }
    if ((rc = zf_sign_key_public_pem(&pem, key, &c->err)) < 0 || (rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, c->db,
                            "INSERT INTO witnesses (name, public_key, key_id, algorithm, added_at) "
                            "VALUES ($1, $2, $3, $4, $5) RETURNING id",
                            &c->err)) < 0)
        goto fail;
    zf_stmt_bind_text(st, 1, name, -1);
    zf_stmt_bind_text(st, 2, zf_buf_str(&pem), -1);
    zf_stmt_bind_text(st, 3, zf_sign_key_id(key), -1);
    zf_stmt_bind_text(st, 4, zf_sign_alg_name(zf_sign_key_alg(key)), -1);
    zf_stmt_bind_int64(st, 5, c->now);
    rc = zf_stmt_step(st, &c->err);
    if (rc == ZF_ECONFLICT) {
        rc = zf_err_set(&c->err, ZF_ECONFLICT, "duplicate", "name", "该见证方名称或公钥已经登记");
        goto fail;
    }
    if (rc < 0)
        goto fail;
    id = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    {
        char oid[24];
        zf_audit_event ev = {c->now, c->who->user_id, c->who->username, "witness_add", "witness", oid,
                             c->ip, c->request_id, name};
        snprintf(oid, sizeof oid, "%lld", (long long)id);
        if ((rc = zf_audit_write(c->db, &ev, &c->err)) < 0 || (rc = zf_db_commit(c->db, &c->err)) < 0)
            goto fail;
    }
    rc = zf_ctx_json(c, 201, json_pack("{s:I,s:s,s:s,s:s,s:s,s:I}", "id", (json_int_t)id, "name", name, "key_id",
                                       zf_sign_key_id(key), "algorithm", zf_sign_alg_name(zf_sign_key_alg(key)),
                                       "public_key", zf_buf_str(&pem), "added_at", (json_int_t)c->now));
    goto done;
fail:
    zf_stmt_free(st);
    st = NULL;
    zf_db_rollback(c->db);
done:
    zf_stmt_free(st);
    zf_sign_key_free(key);
    zf_buf_free(&pem);
    json_decref(in);
    return rc;
}

/* A witness's signature line over the body of a checkpoint zhifa signed:
 * the line must parse, name a registered witness whose key hash it carries
 * (else 403), and verify over that checkpoint's body (else 400). */
static int h_cosign(zf_ctx *c)
{
    static const zf_json_field spec[] = {
        {"tree_size", ZF_JT_INT, 1, 0, "树的大小"},
        {"signature", ZF_JT_STRING, 1, 1000, "签名行"},
        {NULL},
    };
    json_t *in = NULL;
    zf_checkpoint *stored = NULL, *cp = NULL;
    zf_sign_key *wkey = NULL;
    zf_buf note = ZF_BUF_INIT;
    zf_stmt *st = NULL;
    const char *line;
    size_t line_len;
    int64_t size, cp_id = 0, wid = 0;
    uint8_t kh[4];
    int rc, inserted = 0;

    if ((rc = zf_json_decode(&in, c->body, c->body_len, spec, &c->err)) < 0)
        return rc;
    size = json_integer_value(json_object_get(in, "tree_size"));
    line = json_string_value(json_object_get(in, "signature"));
    line_len = strlen(line);
    if (line_len && line[line_len - 1] == '\n')
        line_len--;
    if ((rc = zf_db_prepare(&st, c->db, "SELECT id, note FROM checkpoints WHERE tree_size = $1", &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, size);
    if ((rc = zf_stmt_step(st, &c->err)) < 0)
        goto done;
    if (rc == 0) {
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "no_checkpoint", "tree_size", "没有大小为 %lld 的检查点",
                        (long long)size);
        goto done;
    }
    cp_id = zf_stmt_int64(st, 0);
    if ((rc = zf_checkpoint_parse(&stored, zf_stmt_text(st, 1), strlen(zf_stmt_text(st, 1)), &c->err)) < 0)
        goto done;
    zf_stmt_free(st);
    st = NULL;
    /* the witness's line under zhifa's body: parsing it checks its form */
    if ((rc = zf_checkpoint_body(&note, stored, &c->err)) < 0)
        goto done;
    zf_buf_putc(&note, '\n');
    zf_buf_append(&note, line, line_len);
    zf_buf_putc(&note, '\n');
    if (zf_checkpoint_parse(&cp, note.ptr, note.len, NULL) < 0 || cp->n_sigs != 1) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "signature",
                        "签名行格式错误：应为“— 名称 base64”的一行");
        goto done;
    }
    if ((rc = zf_db_prepare(&st, c->db, "SELECT id, public_key FROM witnesses WHERE name = $1", &c->err)) < 0)
        goto done;
    zf_stmt_bind_text(st, 1, cp->sigs[0].name, -1);
    if ((rc = zf_stmt_step(st, &c->err)) < 0)
        goto done;
    if (rc == 0 || zf_sign_key_from_pem(&wkey, zf_stmt_text(st, 1), strlen(zf_stmt_text(st, 1)), NULL) < 0 ||
        zf_note_key_hash(kh, cp->sigs[0].name, wkey, NULL) < 0 || memcmp(kh, cp->sigs[0].key_hash, 4) != 0) {
        rc = zf_err_set(&c->err, ZF_EPERM, "unknown_witness", "signature", "该签名的密钥不是已登记的见证方密钥");
        goto done;
    }
    wid = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    if (zf_checkpoint_verify(cp, cp->sigs[0].name, wkey, NULL) < 0) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "bad_signature", "signature", "见证签名验证失败");
        goto done;
    }
    /* a transaction of its own: zf_db_commit is what makes the stored
     * cosignature durable before the witness is told it was stored */
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, c->db,
                            "INSERT INTO cosignatures (checkpoint_id, witness_id, witness_name, key_id, "
                            "signature_line, received_at) VALUES ($1, $2, $3, $4, $5, $6) "
                            "ON CONFLICT (checkpoint_id, witness_id) DO NOTHING",
                            &c->err)) < 0) {
        zf_db_rollback(c->db);
        goto done;
    }
    zf_stmt_bind_int64(st, 1, cp_id);
    zf_stmt_bind_int64(st, 2, wid);
    zf_stmt_bind_text(st, 3, cp->sigs[0].name, -1);
    zf_stmt_bind_text(st, 4, zf_sign_key_id(wkey), -1);
    zf_stmt_bind_text(st, 5, line, (long)line_len);
    zf_stmt_bind_int64(st, 6, c->now);
    if ((rc = zf_stmt_step(st, &c->err)) < 0) {
        zf_db_rollback(c->db);
        goto done;
    }
    inserted = zf_db_changes(c->db) > 0;
    zf_stmt_free(st);
    st = NULL;
    if ((rc = zf_db_commit(c->db, &c->err)) < 0)
        goto done;
    rc = zf_ctx_json(c, inserted ? 201 : 200,
                     json_pack("{s:I,s:s,s:s}", "tree_size", (json_int_t)size, "witness", cp->sigs[0].name,
                               "key_id", zf_sign_key_id(wkey)));
done:
    zf_stmt_free(st);
    zf_checkpoint_free(stored);
    zf_checkpoint_free(cp);
    zf_sign_key_free(wkey);
    zf_buf_free(&note);
    json_decref(in);
    return rc;
}

/* ---- the tick ---- */

void zf_ledger_tick(zf_db *db, int64_t now, const struct zf_settings *settings, const char *data_dir)
{
    static int64_t last_complaint;
    const zf_sign_key *key;
    zf_err err = ZF_ERR_INIT;
    uint64_t size;
    int64_t signed_size = -1;

    if (!zf_leader_held(now)) /* issue 9: one signer among the servers */
        return;
    /* the tree nodes of the events of the last second (writers store only
     * the events); also catches up after a restart or an upgrade */
    if (zf_ledger_nodes_sync(db, NULL, &err) < 0 || zf_ledger_size(db, &size, &err) < 0 ||
        zf_db_query_int64(db, &signed_size, "SELECT COALESCE(MAX(tree_size), -1) FROM checkpoints", &err, 0,
                          NULL) < 0)
        goto fail;
    if (signed_size == (int64_t)size || (size == 0 && signed_size < 0))
        return;
    if (get_key(&key, data_dir, &err) < 0 ||
        zf_ledger_checkpoint_issue(db, key, origin_of(settings), now, NULL, &err) < 0)
        goto fail;
    return;
fail:
    /* loud, but once a minute rather than every second */
    if (now - last_complaint >= 60) {
        last_complaint = now;
        zf_log_event("error", err.message, "code", err.code, "tree_size", (long long)size, NULL, 0);
    }
}

const zf_route zf_ledger_routes[] = {
    {"GET", "/api/v1/ledger/checkpoint", h_checkpoint, ZF_PUBLIC, 0, NULL, 0},
    {"POST", "/api/v1/ledger/checkpoint", h_checkpoint_issue, ZF_ROLE_ADMIN | ZF_ROLE_SUPERVISOR, 0, NULL, 0},
    {"GET", "/api/v1/ledger/checkpoints", h_checkpoints, ZF_PUBLIC, 0, NULL, 0},
    {"GET", "/api/v1/ledger/public-key", h_public_key, ZF_PUBLIC, 0, NULL, 0},
    {"GET", "/api/v1/ledger/proof/inclusion", h_inclusion, ZF_PUBLIC, 0, NULL, 0},
    {"GET", "/api/v1/ledger/proof/consistency", h_consistency, ZF_PUBLIC, 0, NULL, 0},
    {"GET", "/api/v1/ledger/entries", h_entries, ZF_PUBLIC, 0, NULL, 0},
    {"POST", "/api/v1/ledger/cosignatures", h_cosign, ZF_PUBLIC, 0, NULL, ZF_ROUTE_NO_CSRF},
    {"GET", "/api/v1/ledger/witnesses", h_witnesses, ZF_PUBLIC, 0, NULL, 0},
    {"POST", "/api/v1/ledger/witnesses", h_witness_add, ZF_ROLE_ADMIN, 0, NULL, 0},
    {NULL},
};
