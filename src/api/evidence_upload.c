/* evidence_upload.c — streaming uploads into the evidence store (see
 * evidence.h for the layout and evidence.c for who may do what).
 *
 * Four ways in, one way to a record:
 *  - POST /api/v1/evidence: multipart/form-data, metadata fields and one
 *    file part, parsed as it streams (http/multipart.h);
 *  - PUT /api/v1/evidence/raw: the body is the file; metadata in the query
 *    string or X-Zhifa-<Field> headers (percent-encoded UTF-8);
 *  - POST /api/v1/evidence/{id}/derivatives: either form, for a redacted or
 *    transcoded copy that names its parent;
 *  - resumable: POST /api/v1/evidence/uploads declares size and metadata;
 *    PUT /api/v1/evidence/uploads/{id} with Content-Range appends a chunk.
 *
 * Bytes go straight into a blob writer (hashed as they come, memory fixed
 * whatever the size); the record is created only after the blob commit
 * (fsync, rename, directory fsync) and is acknowledged only after the
 * database transaction holding the record and its audit row has committed.
 *
 * Resumable sessions and the hash: a chunk that is not the last is written
 * to DATA/evidence-uploads/<token>.part at its offset, fsynced, and only then
 * counted in evidence_uploads.received; a chunk cut short counts for
 * nothing, and the next chunk starts by cutting the file back to received.
 * No hash state is kept across requests: when the final chunk arrives the
 * prefix already on disk is read back into a fresh blob writer (hashed
 * once, sequentially, at disk speed) and the final chunk's bytes follow as
 * they arrive. So a resume costs nothing but the re-read of the prefix, and
 * a crash at any point leaves either a session to resume or a record.
 *
 * Idempotency-Key (POST /evidence, PUT /evidence/raw, derivatives, POST
 * /evidence/uploads): the first response to a (user, key) is stored with
 * the record, in its transaction, and any retry gets it back (with
 * Idempotent-Replayed: true) without creating anything. A retry that
 * arrives while the first is still uploading is not detected until its end,
 * where the transaction finds the stored key and replays it; the bytes it
 * sent were stored once anyway (content addressing). A resumable session
 * needs no key on its chunks: a completed session answers every further PUT
 * with its record. */
#include "api/evidence.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/multipart.h"
#include "http/range.h"
#include "store/audit.h"
#include "util/mem.h"

#define DEFAULT_MAX_BYTES (64ULL << 30) /* 64 GiB, setting evidence_max_bytes */
#define FIELD_MAX 2048
#define IDEM_MAX 200

enum { M_MULTIPART, M_RAW, M_CHUNK };

/* Who may write a session's part file. A client whose connection broke
 * retries at once, but the server may notice the dead connection only at its
 * timeout; so the newest chunk request for a session takes the file over
 * and the older one, if it is still fed, stops writing (its checks and
 * writes happen under the same mutex as the takeover). One process serves
 * a data directory, so a process-wide table is enough. */
typedef struct owner {
    int64_t session;
    uint64_t gen;
    int refs;
    pthread_mutex_t mu;
    struct owner *next;
} owner;

static pthread_mutex_t owners_mu = PTHREAD_MUTEX_INITIALIZER;
static owner *owners;

static owner *owner_take(int64_t session, uint64_t *out_gen)
{
    owner *o;

    pthread_mutex_lock(&owners_mu);
    for (o = owners; o && o->session != session; o = o->next)
        ;
    if (!o) {
        o = zf_calloc(1, sizeof *o);
        o->session = session;
        pthread_mutex_init(&o->mu, NULL);
        o->next = owners;
        owners = o;
    }
    o->refs++;
    pthread_mutex_unlock(&owners_mu);
    pthread_mutex_lock(&o->mu);
    *out_gen = ++o->gen;
    pthread_mutex_unlock(&o->mu);
    return o;
}

static void owner_release(owner *o)
{
    owner **p;

    if (!o)
        return;
    pthread_mutex_lock(&owners_mu);
    if (--o->refs == 0) {
        for (p = &owners; *p != o; p = &(*p)->next)
            ;
        *p = o->next;
        pthread_mutex_destroy(&o->mu);
        free(o);
    }
    pthread_mutex_unlock(&owners_mu);
}

typedef struct up_state {
    int mode;
    const char *route;       /* the pattern, for idempotency records */
    ev_meta meta;
    int64_t parent_id;       /* derivatives */
    unsigned digests;
    uint64_t max;
    zf_blob_store *store;
    zf_blob_writer *w;
    /* replay of an earlier answer: the body is read and dropped */
    int replay;
    int replay_status;
    char *replay_body;
    char idem[IDEM_MAX + 1];
    /* multipart */
    zf_multipart *mp;
    char field[64];
    zf_buf value;
    int in_file, files;
    zf_ctx *c;               /* valid during data calls only */
    /* resumable chunk */
    int64_t session_id;
    char part[PATH_MAX];
    int fd;
    uint64_t first, last, size, got;
    int final, prefix_done;
    owner *own;
    uint64_t gen;
} up_state;

static int invalid(zf_err *err, const char *field, const char *msg)
{
    return zf_err_set(err, ZF_EINVAL, "validation_failed", field, "%s", msg);
}

static up_state *state_new(int mode, const char *route)
{
    up_state *u = zf_calloc(1, sizeof *u);

    u->mode = mode;
    u->route = route;
    u->fd = -1;
    zf_buf_init(&u->value, FIELD_MAX);
    return u;
}

static void state_free(up_state *u)
{
    if (!u)
        return;
    zf_blob_writer_free(u->w);
    zf_multipart_free(u->mp);
    zf_buf_free(&u->value);
    free(u->replay_body);
    if (u->fd >= 0)
        close(u->fd);
    owner_release(u->own);
    free(u);
}

static void up_abort(void *state)
{
    state_free(state);
}

/* ---- idempotency ---- */

/* Reads the Idempotency-Key header into u->idem and, if a response for it is
 * stored, switches u to replay. */
static int idem_begin(zf_ctx *c, up_state *u)
{
    const char *k = zf_ctx_request_header(c, "Idempotency-Key");
    zf_stmt *st = NULL;
    size_t i, n;
    int rc;

    if (!k || !*k)
        return 0;
    n = strlen(k);
    for (i = 0; i < n; i++)
        if ((unsigned char)k[i] < 0x21 || (unsigned char)k[i] > 0x7e)
            break;
    if (n > IDEM_MAX || i < n)
        return invalid(&c->err, "Idempotency-Key", "Idempotency-Key 应为 1 到 200 个可见 ASCII 字符");
    memcpy(u->idem, k, n + 1);
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT route, status, body FROM idempotency_keys WHERE user_id = $1 AND key = $2",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, c->who->user_id);
    zf_stmt_bind_text(st, 2, u->idem, -1);
    rc = zf_stmt_step(st, &c->err);
    if (rc == 1) {
        if (strcmp(zf_stmt_text(st, 0), u->route) != 0) {
            rc = zf_err_set(&c->err, ZF_ECONFLICT, "idempotency_key_reused", "Idempotency-Key",
                            "该 Idempotency-Key 已用于另一种请求");
        } else {
            u->replay = 1;
            u->replay_status = (int)zf_stmt_int64(st, 1);
            u->replay_body = zf_strdup(zf_stmt_text(st, 2));
            rc = 0;
        }
    }
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

/* Inside the record's transaction: 1 when the key already has an answer
 * (then u is switched to replay), 0 when not, negative on error. */
static int idem_recheck(zf_ctx *c, up_state *u)
{
    zf_err keep = c->err;
    int rc;

    if (!u->idem[0])
        return 0;
    rc = idem_begin(c, u);
    if (rc < 0)
        return rc;
    c->err = keep;
    return u->replay;
}

static int idem_store(zf_ctx *c, const char *key, const char *route, int status, const char *body)
{
    return zf_idem_store(c, key, route, status, body);
}

static int replay(zf_ctx *c, up_state *u)
{
    zf_buf_reset(&c->out);
    zf_buf_puts(&c->out, u->replay_body ? u->replay_body : "{}");
    c->status = u->replay_status;
    c->content_type = "application/json; charset=utf-8";
    zf_ctx_header(c, "Idempotent-Replayed", "true");
    return 0;
}

/* ---- common begin ---- */

static int common_begin(zf_ctx *c, up_state *u)
{
    const char *cl = zf_ctx_request_header(c, "Content-Length");
    int64_t max = ev_setting_int(c->db, "evidence_max_bytes", (int64_t)DEFAULT_MAX_BYTES);
    zf_err err = ZF_ERR_INIT;
    int rc;

    u->max = max > 0 ? (uint64_t)max : DEFAULT_MAX_BYTES;
    if (cl && strtoull(cl, NULL, 10) > u->max + (u->mode == M_MULTIPART ? 64 * 1024 : 0))
        return zf_err_set(&c->err, ZF_ETOOBIG, "file_too_large", NULL,
                          "文件过大（上限 %llu 字节）", (unsigned long long)u->max);
    if ((rc = idem_begin(c, u)) < 0)
        return rc;
    u->digests = ZF_BLOB_SHA256 | (ev_setting_int(c->db, "evidence_sm3", 0) == 1 ? ZF_BLOB_SM3 : 0);
    if (!(u->store = ev_store(c->data_dir, &err))) {
        c->err = err;
        return ZF_EIO;
    }
    return 0;
}

static int new_writer(zf_err *err, up_state *u)
{
    return zf_blob_writer_new(&u->w, u->store, u->digests, u->max, err);
}

/* ---- creating the record ---- */

/* Makes sure the content of sha is under its final name: the retention
 * tick may have moved it to trash between our blob commit and this
 * transaction (which now holds the write lock, so it cannot happen again
 * before we commit). */
static int ensure_stored(zf_ctx *c, zf_blob_store *s, const char *sha)
{
    zf_blob_state bs;
    int rc;

    if ((rc = zf_blob_state_of(&bs, s, sha, &c->err)) < 0)
        return rc;
    if (bs == ZF_BLOB_STORED)
        return 0;
    if (bs == ZF_BLOB_TRASHED)
        return zf_blob_restore(s, sha, &c->err);
    return zf_err_set(&c->err, ZF_EIO, "blob_write_failed", NULL, "文件保存失败，请重试");
}

typedef struct parent_row {
    int64_t dept, case_id;
    int has_case;
    char kind[16], party_id[EV_PARTY_MAX + 1], party_name[300], secrecy[24], retention[32],
        state[16], sha[ZF_BLOB_HEX_LEN + 1];
} parent_row;

static int load_parent(zf_ctx *c, int64_t id, parent_row *p)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT department_id, case_id, kind, party_id, party_name, secrecy, "
                            "retention, state, sha256 FROM evidence_files WHERE id = $1",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    if ((rc = zf_stmt_step(st, &c->err)) == 1) {
        p->dept = zf_stmt_int64(st, 0);
        p->has_case = !zf_stmt_is_null(st, 1);
        p->case_id = zf_stmt_int64(st, 1);
        snprintf(p->kind, sizeof p->kind, "%s", zf_stmt_text(st, 2));
        snprintf(p->party_id, sizeof p->party_id, "%s", zf_stmt_text(st, 3));
        snprintf(p->party_name, sizeof p->party_name, "%s", zf_stmt_text(st, 4));
        snprintf(p->secrecy, sizeof p->secrecy, "%s", zf_stmt_text(st, 5));
        snprintf(p->retention, sizeof p->retention, "%s", zf_stmt_text(st, 6));
        snprintf(p->state, sizeof p->state, "%s", zf_stmt_text(st, 7));
        snprintf(p->sha, sizeof p->sha, "%s", zf_stmt_text(st, 8));
    }
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该证据文件");
    return 0;
}

/* Fills derivative metadata from the parent: department, case, party,
 * secrecy (never lower than the parent's) and retention are inherited. */
static int apply_parent(zf_ctx *c, up_state *u, int64_t *dept, int64_t *case_id)
{
    parent_row p;
    ev_meta *m = &u->meta;
    int rc;

    memset(&p, 0, sizeof p);
    if ((rc = load_parent(c, u->parent_id, &p)) < 0)
        return rc;
    if (strcmp(p.state, "stored") != 0)
        return zf_err_set(&c->err, ZF_ECONFLICT, "evidence_expired", NULL, "原文件已过保存期限，不能再派生");
    *dept = p.dept;
    *case_id = p.has_case ? p.case_id : 0;
    if (!m->kind[0])
        snprintf(m->kind, sizeof m->kind, "%s", p.kind);
    snprintf(m->party_id, sizeof m->party_id, "%s", p.party_id);
    snprintf(m->party_name, sizeof m->party_name, "%s", p.party_name);
    snprintf(m->retention, sizeof m->retention, "%s", p.retention);
    if (strcmp(m->secrecy, "none") == 0 || !m->secrecy[0])
        snprintf(m->secrecy, sizeof m->secrecy, "%s", p.secrecy);
    return 0;
}

static int retention_months(zf_ctx *c, const char *code, int64_t *out, int *permanent)
{
    zf_stmt *st = NULL;
    int rc;

    *permanent = 1;
    if ((rc = zf_db_prepare(&st, c->db, "SELECT months FROM retention_categories WHERE code = $1",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_text(st, 1, code, -1);
    if ((rc = zf_stmt_step(st, &c->err)) == 1 && !zf_stmt_is_null(st, 0)) {
        *permanent = 0;
        *out = zf_stmt_int64(st, 0);
    }
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

static int respond_record(zf_ctx *c, int status, int64_t id, int duplicate, char **out_body)
{
    json_t *o = NULL;
    int rc;

    if ((rc = ev_render(&o, c->db, id, &c->err)) < 0)
        return rc;
    json_object_set_new(o, "duplicate", json_boolean(duplicate));
    if ((rc = zf_ctx_json(c, status, o)) < 0)
        return rc;
    if (out_body)
        *out_body = zf_strdup(zf_buf_str(&c->out));
    return 0;
}

/* After the blob commit: one transaction with the record, its audit row,
 * the session's completion and the idempotency answer. */
static int create_record(zf_ctx *c, up_state *u, const zf_blob_info *bi)
{
    ev_meta *m = &u->meta;
    zf_stmt *st = NULL;
    int64_t id = 0, dept = c->who->department_id, case_id = m->case_id, months = 0, existing = 0,
            existing_dept = 0;
    int permanent = 1, rc, status = 201;
    char detail[300], *body = NULL;

    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        return rc;
    if ((rc = idem_recheck(c, u)) != 0) {
        zf_db_rollback(c->db);
        return rc < 0 ? rc : replay(c, u);
    }
    if (u->parent_id && (rc = apply_parent(c, u, &dept, &case_id)) < 0)
        goto fail;
    /* issue 5 (归档): an archived case takes no new file, 409 like every change */
    if (case_id) {
        if ((rc = zf_db_prepare(&st, c->db, "SELECT 1 FROM cases WHERE id = $1 AND archived_at IS NOT NULL",
                                &c->err)) < 0)
            goto fail;
        zf_stmt_bind_int64(st, 1, case_id);
        rc = zf_stmt_step(st, &c->err);
        zf_stmt_free(st);
        st = NULL;
        if (rc == 1)
            rc = zf_err_set(&c->err, ZF_ECONFLICT, "case_archived", "case_id", "案件已归档，不可修改");
        if (rc < 0)
            goto fail;
    }
    /* the same content already recorded: no second record */
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT id, department_id FROM evidence_files WHERE sha256 = $1 AND state = 'stored'",
                            &c->err)) < 0)
        goto fail;
    zf_stmt_bind_text(st, 1, bi->sha256, -1);
    if ((rc = zf_stmt_step(st, &c->err)) == 1) {
        existing = zf_stmt_int64(st, 0);
        existing_dept = zf_stmt_int64(st, 1);
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto fail;
    if (existing) {
        if (existing_dept != c->who->department_id) {
            rc = zf_err_set(&c->err, ZF_ECONFLICT, "duplicate_content", NULL,
                            "内容完全相同的文件已由其他部门登记");
            goto fail;
        }
        if (u->parent_id == existing) {
            rc = zf_err_set(&c->err, ZF_ECONFLICT, "duplicate_content", NULL, "派生文件与原文件内容完全相同");
            goto fail;
        }
        id = existing;
        status = 200;
        goto answer;
    }
    if ((rc = retention_months(c, m->retention, &months, &permanent)) < 0)
        goto fail;
    if ((rc = zf_db_prepare(&st, c->db,
                            "INSERT INTO evidence_files (sha256, sm3, size, kind, content_type, filename, "
                            "device, officers, started_at, ended_at, duration, location, department_id, "
                            "case_id, party_id, party_name, secrecy, retention, expires_at, parent_id, "
                            "derivation, state, created_by, created_at, device_id) VALUES ($1, $2, $3, "
                            "$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, "
                            "$20, $21, 'stored', $22, $23, $24) RETURNING id",
                            &c->err)) < 0)
        goto fail;
    zf_stmt_bind_text(st, 1, bi->sha256, -1);
    zf_stmt_bind_text(st, 2, bi->sm3, -1);
    zf_stmt_bind_int64(st, 3, (int64_t)bi->size);
    zf_stmt_bind_text(st, 4, m->kind, -1);
    zf_stmt_bind_text(st, 5, m->content_type, -1);
    zf_stmt_bind_text(st, 6, m->filename, -1);
    zf_stmt_bind_text(st, 7, m->device, -1);
    zf_stmt_bind_text(st, 8, m->officers[0] ? m->officers : "[]", -1);
    if (m->has_started)
        zf_stmt_bind_int64(st, 9, m->started_at);
    else
        zf_stmt_bind_null(st, 9);
    if (m->has_ended)
        zf_stmt_bind_int64(st, 10, m->ended_at);
    else
        zf_stmt_bind_null(st, 10);
    if (m->has_duration)
        zf_stmt_bind_int64(st, 11, m->duration);
    else
        zf_stmt_bind_null(st, 11);
    zf_stmt_bind_text(st, 12, m->location, -1);
    zf_stmt_bind_int64(st, 13, dept);
    if (case_id)
        zf_stmt_bind_int64(st, 14, case_id);
    else
        zf_stmt_bind_null(st, 14);
    zf_stmt_bind_text(st, 15, m->party_id, -1);
    zf_stmt_bind_text(st, 16, m->party_name, -1);
    zf_stmt_bind_text(st, 17, m->secrecy, -1);
    zf_stmt_bind_text(st, 18, m->retention, -1);
    if (case_id || permanent)
        zf_stmt_bind_null(st, 19);
    else
        zf_stmt_bind_int64(st, 19, ev_add_months(c->now, (int)months));
    if (u->parent_id)
        zf_stmt_bind_int64(st, 20, u->parent_id);
    else
        zf_stmt_bind_null(st, 20);
    zf_stmt_bind_text(st, 21, m->derivation, -1);
    zf_stmt_bind_int64(st, 22, c->who->user_id);
    zf_stmt_bind_int64(st, 23, c->now);
    if (m->device_id)
        zf_stmt_bind_int64(st, 24, m->device_id);
    else
        zf_stmt_bind_null(st, 24);
    rc = zf_stmt_step(st, &c->err);
    if (rc == 1)
        id = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto fail;
    /* no personal data in the audit detail: hash, size, kind, parent */
    snprintf(detail, sizeof detail, "sha256=%s; size=%llu; kind=%s%s%lld", bi->sha256,
             (unsigned long long)bi->size, m->kind, u->parent_id ? "; parent=" : "",
             (long long)(u->parent_id ? u->parent_id : 0));
    if (!u->parent_id)
        detail[strlen(detail) - 1] = '\0'; /* drop the trailing "0" */
    {
        char oid[24];
        zf_audit_event ev = {0};
        snprintf(oid, sizeof oid, "%lld", (long long)id);
        ev.at = c->now;
        ev.actor_id = c->who->user_id;
        ev.actor_name = c->who->username;
        ev.action = u->parent_id ? "evidence_derive" : "evidence_create";
        ev.object_type = "evidence";
        ev.object_id = oid;
        ev.ip = c->ip;
        ev.request_id = c->request_id;
        ev.detail = detail;
        ev.content_sha256 = bi->sha256;
        if ((rc = zf_audit_write(c->db, &ev, &c->err)) < 0)
            goto fail;
    }
answer:
    if ((rc = ensure_stored(c, u->store, bi->sha256)) < 0)
        goto fail;
    if (u->session_id) {
        if ((rc = zf_db_prepare(&st, c->db,
                                "UPDATE evidence_uploads SET evidence_id = $2, received = size, "
                                "updated_at = $3 WHERE id = $1",
                                &c->err)) < 0)
            goto fail;
        zf_stmt_bind_int64(st, 1, u->session_id);
        zf_stmt_bind_int64(st, 2, id);
        zf_stmt_bind_int64(st, 3, c->now);
        rc = zf_stmt_step(st, &c->err);
        zf_stmt_free(st);
        st = NULL;
        if (rc < 0)
            goto fail;
    }
    if ((rc = respond_record(c, status, id, status == 200, &body)) < 0 ||
        (rc = idem_store(c, u->idem, u->route, status, body)) < 0 ||
        (rc = zf_db_commit(c->db, &c->err)) < 0)
        goto fail;
    free(body);
    {
        char loc[64];
        snprintf(loc, sizeof loc, "/api/v1/evidence/%lld", (long long)id);
        zf_ctx_header(c, "Location", loc);
    }
    return 0;
fail:
    free(body);
    zf_stmt_free(st);
    zf_db_rollback(c->db);
    return rc;
}

/* Commits the blob and creates the record; the metadata is checked first
 * so that a refused request leaves nothing behind. */
static int finish_upload(zf_ctx *c, up_state *u)
{
    zf_blob_info bi;
    int rc;

    if ((rc = ev_meta_check(&u->meta, c->db, c->who->department_id, u->parent_id != 0, &c->err)) < 0)
        return rc;
    if (!u->w)
        return invalid(&c->err, "file", "请求中没有文件内容");
    if ((rc = zf_blob_writer_commit(&bi, u->w, &c->err)) < 0)
        return rc;
    return create_record(c, u, &bi);
}

/* ---- multipart ---- */

static int mp_begin(void *ctx, const zf_multipart_part *part, zf_err *err)
{
    up_state *u = ctx;

    if (part->filename || strcmp(part->name, "file") == 0) {
        if (u->files++)
            return invalid(err, "file", "一次只能上传一个文件");
        u->in_file = 1;
        if (part->filename && !u->meta.filename[0])
            ev_meta_set(&u->meta, "filename", part->filename, strlen(part->filename), 0, NULL);
        if (part->content_type && !u->meta.content_type[0] && strlen(part->content_type) < 100)
            snprintf(u->meta.content_type, sizeof u->meta.content_type, "%s", part->content_type);
        return u->replay ? 0 : new_writer(err, u);
    }
    if (strlen(part->name) >= sizeof u->field)
        return zf_err_set(err, ZF_EINVAL, "unknown_field", "", "不认识的字段");
    snprintf(u->field, sizeof u->field, "%s", part->name);
    zf_buf_reset(&u->value);
    u->in_file = 0;
    return 0;
}

static int mp_data(void *ctx, const char *data, size_t len, zf_err *err)
{
    up_state *u = ctx;

    if (u->in_file)
        return u->replay ? 0 : zf_blob_writer_write(u->w, data, len, err);
    if (zf_buf_append(&u->value, data, len) < 0)
        return zf_err_set(err, ZF_ETOOBIG, "field_too_large", u->field, "字段 %s 过长", u->field);
    return 0;
}

static int mp_end(void *ctx, zf_err *err)
{
    up_state *u = ctx;

    if (u->in_file) {
        u->in_file = 0;
        return 0;
    }
    return ev_meta_set(&u->meta, u->field, zf_buf_str(&u->value), u->value.len, 0, err);
}

static const zf_multipart_callbacks MP_CB = {mp_begin, mp_data, mp_end};

static int multipart_begin(zf_ctx *c, up_state *u)
{
    const char *ct = zf_ctx_request_header(c, "Content-Type");
    char boundary[ZF_MULTIPART_BOUNDARY_MAX + 1];
    int rc;

    if (!ct || zf_multipart_boundary(boundary, ct, strlen(ct), &c->err) < 0)
        return zf_err_set(&c->err, ZF_EINVAL, "invalid_content_type", NULL,
                          "请以 multipart/form-data 上传（字段加一个文件）");
    if ((rc = common_begin(c, u)) < 0)
        return rc;
    return zf_multipart_new(&u->mp, boundary, NULL, &MP_CB, u, &c->err);
}

/* ---- raw ---- */

static const char *const RAW_KEYS[] = {
    "kind", "content_type", "filename", "device", "device_id", "officers", "started_at", "ended_at", "duration",
    "location", "case_id", "party_id", "party_name", "secrecy", "retention", "derivation", NULL,
};

static int hexval(char ch)
{
    return ch >= '0' && ch <= '9' ? ch - '0'
           : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
           : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                    : -1;
}

/* Metadata from the query string, or else X-Zhifa-<Key> headers whose
 * values are percent-encoded UTF-8 (headers carry only ASCII safely). */
static int raw_meta(zf_ctx *c, up_state *u)
{
    const char *const *k;
    char hname[64], dec[FIELD_MAX];
    int rc;

    for (k = RAW_KEYS; *k; k++) {
        const char *v = zf_ctx_query(c, *k);
        size_t i, j = 0;
        if (!v) {
            char *p;
            snprintf(hname, sizeof hname, "X-Zhifa-%s", *k);
            for (p = hname + 8; *p; p++)
                if (*p == '_')
                    *p = '-';
            if (!(v = zf_ctx_request_header(c, hname)))
                continue;
            for (i = 0; v[i] && j + 1 < sizeof dec; i++) {
                int h, l;
                if (v[i] == '%' && (h = hexval(v[i + 1])) >= 0 && (l = hexval(v[i + 2])) >= 0) {
                    dec[j++] = (char)(h * 16 + l);
                    i += 2;
                } else {
                    dec[j++] = v[i];
                }
            }
            dec[j] = '\0';
            v = dec;
        }
        if (strcmp(*k, "content_type") == 0 && !u->meta.content_type[0] && !*v)
            continue;
        if ((rc = ev_meta_set(&u->meta, *k, v, strlen(v), 0, &c->err)) < 0)
            return rc;
    }
    if (!u->meta.content_type[0]) {
        const char *ct = zf_ctx_request_header(c, "Content-Type");
        if (ct && strlen(ct) < 100 && strncmp(ct, "application/x-www-form-urlencoded", 33) != 0)
            snprintf(u->meta.content_type, sizeof u->meta.content_type, "%s", ct);
    }
    return 0;
}

static int raw_begin(zf_ctx *c, up_state *u)
{
    int rc;

    if ((rc = raw_meta(c, u)) < 0 || (rc = common_begin(c, u)) < 0)
        return rc;
    /* the cheap checks before reading gigabytes */
    if ((rc = ev_meta_check(&u->meta, c->db, c->who->department_id, u->parent_id != 0, &c->err)) < 0)
        return rc;
    return u->replay ? 0 : new_writer(&c->err, u);
}

/* ---- the upload ops ---- */

static int b_multipart(zf_ctx *c, void **state)
{
    up_state *u = state_new(M_MULTIPART, "/api/v1/evidence");
    int rc = multipart_begin(c, u);

    if (rc < 0) {
        state_free(u);
        return rc;
    }
    *state = u;
    return 0;
}

static int b_raw(zf_ctx *c, void **state)
{
    up_state *u = state_new(M_RAW, "/api/v1/evidence/raw");
    int rc = raw_begin(c, u);

    if (rc < 0) {
        state_free(u);
        return rc;
    }
    *state = u;
    return 0;
}

/* Derivatives: multipart when the body says so, raw otherwise. */
static int b_derivative(zf_ctx *c, void **state)
{
    const char *ct = zf_ctx_request_header(c, "Content-Type");
    int mp = ct && strncasecmp(ct, "multipart/", 10) == 0;
    up_state *u = state_new(mp ? M_MULTIPART : M_RAW, "/api/v1/evidence/{id}/derivatives");
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &u->parent_id)) == 0) {
        if (ct && strncmp(ct, "application/json", 16) == 0)
            rc = zf_err_set(&c->err, ZF_EINVAL, "invalid_content_type", NULL,
                            "请以 multipart/form-data 或原始文件内容上传派生文件");
        else
            rc = mp ? multipart_begin(c, u) : raw_begin(c, u);
    }
    if (rc < 0) {
        state_free(u);
        return rc;
    }
    *state = u;
    return 0;
}

static int superseded(zf_ctx *c)
{
    return zf_err_set(&c->err, ZF_ECONFLICT, "upload_superseded", NULL, "该上传任务已由更新的请求接管");
}

/* Copies the session's bytes on disk into the fresh writer. */
static int copy_prefix(zf_ctx *c, up_state *u)
{
    char *buf = zf_malloc(1 << 20);
    uint64_t off = 0;
    int rc = 0;

    while (off < u->first) {
        size_t want = u->first - off < (1 << 20) ? (size_t)(u->first - off) : (1 << 20);
        ssize_t n;
        pthread_mutex_lock(&u->own->mu);
        n = u->own->gen == u->gen ? pread(u->fd, buf, want, (off_t)off) : -2;
        pthread_mutex_unlock(&u->own->mu);
        if (n == -2) {
            rc = superseded(c);
            break;
        }
        if (n <= 0) {
            rc = zf_err_set(&c->err, ZF_EIO, "upload_damaged", NULL, "已上传的部分无法读取，请重新上传");
            break;
        }
        if ((rc = zf_blob_writer_write(u->w, buf, (size_t)n, &c->err)) < 0)
            break;
        off += (uint64_t)n;
    }
    free(buf);
    return rc;
}

static int up_data(zf_ctx *c, void *state, const char *p, size_t n)
{
    up_state *u = state;

    if (u->replay)
        return 0;
    if (u->mode == M_MULTIPART)
        return zf_multipart_feed(u->mp, p, n, &c->err);
    if (u->mode == M_RAW)
        return zf_blob_writer_write(u->w, p, n, &c->err);
    /* a chunk */
    if (u->got + n > u->last - u->first + 1)
        return zf_err_set(&c->err, ZF_EINVAL, "content_range_mismatch", "Content-Range",
                          "请求内容比 Content-Range 声明的长");
    if (u->final) {
        int rc;
        if (!u->prefix_done) {
            if ((rc = copy_prefix(c, u)) < 0)
                return rc;
            u->prefix_done = 1;
        }
        if ((rc = zf_blob_writer_write(u->w, p, n, &c->err)) < 0)
            return rc;
    } else {
        size_t done = 0;
        int rc = 0;
        pthread_mutex_lock(&u->own->mu);
        if (u->own->gen != u->gen)
            rc = superseded(c);
        while (rc == 0 && done < n) {
            ssize_t k = pwrite(u->fd, p + done, n - done, (off_t)(u->first + u->got + done));
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0)
                rc = zf_err_set(&c->err, ZF_EIO, "blob_write_failed", NULL, "写入上传文件失败（磁盘已满？）");
            else
                done += (size_t)k;
        }
        pthread_mutex_unlock(&u->own->mu);
        if (rc < 0)
            return rc;
    }
    u->got += n;
    return 0;
}

static int chunk_end(zf_ctx *c, up_state *u);

static int up_end(zf_ctx *c, void *state)
{
    up_state *u = state;
    int rc;

    if (u->replay) {
        rc = replay(c, u);
    } else if (u->mode == M_CHUNK) {
        rc = chunk_end(c, u);
    } else {
        if (u->mode == M_MULTIPART && (rc = zf_multipart_finish(u->mp, &c->err)) < 0)
            goto done;
        rc = finish_upload(c, u);
    }
done:
    state_free(u);
    return rc;
}

const zf_upload_ops ev_multipart_ops = {b_multipart, up_data, up_end, up_abort};
const zf_upload_ops ev_raw_ops = {b_raw, up_data, up_end, up_abort};
const zf_upload_ops ev_derivative_ops = {b_derivative, up_data, up_end, up_abort};

/* ---- resumable sessions ---- */

static int sync_dir_of(const char *path)
{
    char dir[PATH_MAX], *slash;
    int fd, rc;

    snprintf(dir, sizeof dir, "%s", path);
    if (!(slash = strrchr(dir, '/')))
        return 0;
    *slash = '\0';
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

static json_t *session_json(zf_stmt *st)
{
    json_t *o = json_pack("{s:I,s:I,s:I,s:b}", "id", (json_int_t)zf_stmt_int64(st, 0), "size",
                          (json_int_t)zf_stmt_int64(st, 1), "received", (json_int_t)zf_stmt_int64(st, 2),
                          "complete", !zf_stmt_is_null(st, 3));
    json_object_set_new(o, "evidence_id", zf_json_int_or_null(st, 3));
    json_object_set_new(o, "expires_at", json_integer(zf_stmt_int64(st, 4) + 86400));
    return o;
}

#define SESSION_COLS "id, size, received, evidence_id, updated_at, token, metadata, parent_id"

/* The caller's session id (path parameter 0). 0 with the row in *out_st, or
 * ZF_ENOTFOUND (also for someone else's session). */
static int session_load(zf_ctx *c, zf_stmt **out_st)
{
    int64_t id;
    int rc;

    *out_st = NULL;
    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    if ((rc = zf_db_prepare(out_st, c->db,
                            "SELECT " SESSION_COLS " FROM evidence_uploads WHERE id = $1 AND created_by = $2",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(*out_st, 1, id);
    zf_stmt_bind_int64(*out_st, 2, c->who->user_id);
    rc = zf_stmt_step(*out_st, &c->err);
    if (rc == 1)
        return 0;
    zf_stmt_free(*out_st);
    *out_st = NULL;
    return rc < 0 ? rc : zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该上传任务");
}

static void offset_headers(zf_ctx *c, int64_t received)
{
    char v[48];

    snprintf(v, sizeof v, "%lld", (long long)received);
    zf_ctx_header(c, "Upload-Offset", v);
    if (received > 0) {
        snprintf(v, sizeof v, "bytes=0-%lld", (long long)received - 1);
        zf_ctx_header(c, "Range", v);
    }
}

int ev_session_get(zf_ctx *c)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = session_load(c, &st)) < 0)
        return rc;
    offset_headers(c, zf_stmt_int64(st, 2));
    rc = zf_ctx_json(c, 200, session_json(st));
    zf_stmt_free(st);
    return rc;
}

int ev_session_create(zf_ctx *c)
{
    up_state *u = state_new(M_CHUNK, "/api/v1/evidence/uploads");
    json_t *in = NULL, *meta = NULL;
    zf_stmt *st = NULL;
    json_error_t jerr;
    unsigned char rnd[16];
    char token[33], path[PATH_MAX], *mtext = NULL, *body = NULL;
    int64_t id = 0;
    int fd = -1, rc, created = 0;

    if ((rc = common_begin(c, u)) < 0)
        goto done;
    if (u->replay) {
        rc = replay(c, u);
        goto done;
    }
    if (!(in = json_loadb(c->body, c->body_len, 0, &jerr)) || !json_is_object(in)) {
        rc = invalid(&c->err, "", "请求内容应为 JSON 对象");
        goto done;
    }
    if ((rc = ev_meta_from_json(&u->meta, in, &c->err)) < 0)
        goto done;
    if (!u->meta.has_size || u->meta.size == 0) {
        rc = invalid(&c->err, "size", "请填写文件大小（size，字节，大于 0）");
        goto done;
    }
    if (u->meta.size > u->max) {
        rc = zf_err_set(&c->err, ZF_ETOOBIG, "file_too_large", "size", "文件过大（上限 %llu 字节）",
                        (unsigned long long)u->max);
        goto done;
    }
    if ((rc = ev_meta_check(&u->meta, c->db, c->who->department_id, 0, &c->err)) < 0)
        goto done;
    /* what create_record needs later, as checked now */
    meta = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "kind", u->meta.kind,
                     "content_type", u->meta.content_type, "filename", u->meta.filename, "device",
                     u->meta.device, "officers", u->meta.officers, "location", u->meta.location,
                     "party_id", u->meta.party_id, "party_name", u->meta.party_name, "secrecy",
                     u->meta.secrecy, "retention", u->meta.retention);
    if (u->meta.case_id)
        json_object_set_new(meta, "case_id", json_integer(u->meta.case_id));
    if (u->meta.device_id)
        json_object_set_new(meta, "device_id", json_integer(u->meta.device_id));
    if (u->meta.has_started)
        json_object_set_new(meta, "started_at", json_integer(u->meta.started_at));
    if (u->meta.has_ended)
        json_object_set_new(meta, "ended_at", json_integer(u->meta.ended_at));
    if (u->meta.has_duration)
        json_object_set_new(meta, "duration", json_integer(u->meta.duration));
    mtext = json_dumps(meta, JSON_COMPACT);
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(token, sizeof token, rnd, sizeof rnd);
    ev_part_path(path, sizeof path, c->data_dir, token);
    if ((fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640)) < 0 || fsync(fd) < 0 ||
        sync_dir_of(path) < 0) {
        rc = zf_err_set(&c->err, ZF_EIO, "blob_write_failed", NULL, "无法创建上传文件");
        goto done;
    }
    created = 1;
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, c->db,
                            "INSERT INTO evidence_uploads (token, created_by, department_id, size, "
                            "metadata, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) "
                            "RETURNING " SESSION_COLS,
                            &c->err)) < 0)
        goto fail;
    zf_stmt_bind_text(st, 1, token, -1);
    zf_stmt_bind_int64(st, 2, c->who->user_id);
    zf_stmt_bind_int64(st, 3, c->who->department_id);
    zf_stmt_bind_int64(st, 4, (int64_t)u->meta.size);
    zf_stmt_bind_text(st, 5, mtext ? mtext : "{}", -1);
    zf_stmt_bind_int64(st, 6, c->now);
    if ((rc = zf_stmt_step(st, &c->err)) < 0)
        goto fail;
    id = zf_stmt_int64(st, 0);
    rc = zf_ctx_json(c, 201, session_json(st));
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto fail;
    body = zf_strdup(zf_buf_str(&c->out));
    if ((rc = idem_store(c, u->idem, u->route, 201, body)) < 0 || (rc = zf_db_commit(c->db, &c->err)) < 0)
        goto fail;
    created = 0;
    {
        char loc[64];
        snprintf(loc, sizeof loc, "/api/v1/evidence/uploads/%lld", (long long)id);
        zf_ctx_header(c, "Location", loc);
        offset_headers(c, 0);
    }
    goto done;
fail:
    zf_stmt_free(st);
    zf_db_rollback(c->db);
done:
    if (fd >= 0)
        close(fd);
    if (created)
        unlink(path);
    free(body);
    free(mtext);
    json_decref(meta);
    json_decref(in);
    state_free(u);
    return rc;
}

static int b_chunk(zf_ctx *c, void **state)
{
    up_state *u = state_new(M_CHUNK, "/api/v1/evidence/uploads/{id}");
    const char *cr = zf_ctx_request_header(c, "Content-Range");
    zf_content_range r;
    zf_stmt *st = NULL;
    json_t *meta = NULL;
    int64_t received;
    int rc;

    if (!cr || zf_content_range_parse(&r, cr, strlen(cr), &c->err) < 0 || !r.has_range) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "invalid_content_range", "Content-Range",
                        "请用 Content-Range: bytes 起-止/总长 标明本段在文件中的位置");
        goto fail;
    }
    if ((rc = common_begin(c, u)) < 0)
        goto fail;
    if (u->replay) {
        *state = u;
        return 0;
    }
    if ((rc = session_load(c, &st)) < 0)
        goto fail;
    u->session_id = zf_stmt_int64(st, 0);
    u->size = (uint64_t)zf_stmt_int64(st, 1);
    received = zf_stmt_int64(st, 2);
    if (!zf_stmt_is_null(st, 3)) {
        /* complete: every further PUT gets the record */
        int64_t eid = zf_stmt_int64(st, 3);
        zf_stmt_free(st);
        st = NULL;
        offset_headers(c, (int64_t)u->size);
        if ((rc = respond_record(c, 200, eid, 0, &u->replay_body)) < 0)
            goto fail;
        u->replay = 1;
        u->replay_status = 200;
        zf_buf_reset(&c->out);
        *state = u;
        return 0;
    }
    ev_part_path(u->part, sizeof u->part, c->data_dir, zf_stmt_text(st, 5));
    meta = json_loads(zf_stmt_text(st, 6), 0, NULL);
    zf_stmt_free(st);
    st = NULL;
    if (r.has_total && r.total != u->size) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "content_range_mismatch", "Content-Range",
                        "Content-Range 的总长 %llu 与声明的文件大小 %llu 不符", (unsigned long long)r.total,
                        (unsigned long long)u->size);
        goto fail;
    }
    if (r.last >= u->size) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "content_range_mismatch", "Content-Range", "本段超出了文件末尾");
        goto fail;
    }
    if (r.first != (uint64_t)received) {
        offset_headers(c, received);
        rc = zf_err_set(&c->err, ZF_ECONFLICT, "offset_mismatch", "Content-Range",
                        "服务器已收到 %lld 字节，请从该位置继续上传", (long long)received);
        goto fail;
    }
    u->first = r.first;
    u->last = r.last;
    u->final = r.last + 1 == u->size;
    if ((u->fd = open(u->part, O_RDWR | O_CLOEXEC)) < 0) {
        rc = zf_err_set(&c->err, ZF_EIO, "upload_damaged", NULL, "上传文件已丢失，请重新开始上传");
        goto fail;
    }
    /* take the file over from any older request, and cut off the bytes
     * past `received`, which were never acknowledged */
    u->own = owner_take(u->session_id, &u->gen);
    pthread_mutex_lock(&u->own->mu);
    rc = ftruncate(u->fd, (off_t)received);
    pthread_mutex_unlock(&u->own->mu);
    if (rc < 0) {
        rc = zf_err_set(&c->err, ZF_EIO, "blob_write_failed", NULL, "无法整理上传文件");
        goto fail;
    }
    if (meta && (rc = ev_meta_from_json(&u->meta, meta, &c->err)) < 0)
        goto fail;
    if (u->final && (rc = new_writer(&c->err, u)) < 0)
        goto fail;
    json_decref(meta);
    *state = u;
    return 0;
fail:
    zf_stmt_free(st);
    json_decref(meta);
    state_free(u);
    return rc;
}

static int chunk_end(zf_ctx *c, up_state *u)
{
    zf_stmt *st = NULL;
    int rc;

    if (u->got != u->last - u->first + 1)
        return zf_err_set(&c->err, ZF_EINVAL, "content_range_mismatch", "Content-Range",
                          "请求内容比 Content-Range 声明的短");
    if (u->final) {
        if ((rc = finish_upload(c, u)) < 0)
            return rc;
        unlink(u->part);
        offset_headers(c, (int64_t)u->size);
        return 0;
    }
    if (fsync(u->fd) < 0)
        return zf_err_set(&c->err, ZF_EIO, "blob_write_failed", NULL, "写入上传文件失败");
    if (u->own->gen != u->gen)
        return superseded(c);
    if ((rc = zf_db_prepare(&st, c->db,
                            "UPDATE evidence_uploads SET received = $2, updated_at = $3 "
                            "WHERE id = $1 AND received = $4 AND evidence_id IS NULL",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, u->session_id);
    zf_stmt_bind_int64(st, 2, (int64_t)(u->last + 1));
    zf_stmt_bind_int64(st, 3, c->now);
    zf_stmt_bind_int64(st, 4, (int64_t)u->first);
    rc = zf_stmt_step(st, &c->err);
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    if (zf_db_changes(c->db) == 0)
        return zf_err_set(&c->err, ZF_ECONFLICT, "offset_mismatch", "Content-Range", "上传位置已变化，请查询后继续");
    offset_headers(c, (int64_t)(u->last + 1));
    return zf_ctx_json(c, 200, json_pack("{s:I,s:I,s:I,s:b,s:n}", "id", (json_int_t)u->session_id, "size",
                                         (json_int_t)u->size, "received", (json_int_t)(u->last + 1),
                                         "complete", 0, "evidence_id"));
}

const zf_upload_ops ev_chunk_ops = {b_chunk, up_data, up_end, up_abort};
