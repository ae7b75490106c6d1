/* ledger_store.c — see ledger_store.h.
 *
 * An append writes one row, the event, in the caller's transaction: its
 * fields and the audit columns, idx assigned by the INSERT itself. Nothing
 * is derived there. The leaf hashes, the tree nodes above them and the
 * by-object lookup (ledger_objects) are computed from the rows by
 * zf_ledger_nodes_sync in batches outside the writers' transactions (the
 * checkpoint tick runs it every second, and zf_ledger_checkpoint_issue runs
 * it before it signs). Stored nodes always cover a prefix of the tree (see
 * migration 0012); a proof that needs a node not stored yet computes it from
 * its children, down to the rows if need be, so proofs and checkpoints are
 * right whatever the sync has done, and a crash between an append and the
 * sync loses nothing the rows cannot rebuild. */
#include "store/ledger_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ledger/checkpoint.h"
#include "ledger/jcs.h"
#include "ledger/sm3.h"
#include "store/audit.h"
#include "util/mem.h"

const zf_ledger_record_table zf_ledger_record_tables[] = {
    {"department", "departments",
     "id, code, name, short_name, kind, address, postcode, phone, email, website, duties, area, "
     "supervision_contact"},
    {"unit", "units", "id, department_id, name, duties, area"},
    {"officer", "officers",
     "id, department_id, unit_id, name, gender, position, certificate_no, certificate_valid_from, "
     "certificate_valid_to, categories, status, legal_qualified"},
    {"matter", "matters",
     "id, department_id, code, name, power_type, legal_basis, procedure, time_limit_days, "
     "accepting_body, approving_body, fee"},
    /* not last_login_at, totp_* or password_changed_at: they change on a
     * login without an event of their own */
    {"user", "users", "id, username, display_name, role, department_id, officer_id, password_hash, disabled"},
    {NULL, NULL, NULL},
};

/* ---- events ---- */

void zf_ledger_rfc3339(char out[21], int64_t unix_seconds)
{
    time_t t = (time_t)unix_seconds;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

void zf_ledger_object_id(zf_buf *out, const char *object_type, const char *object_id)
{
    uint8_t d[ZF_DIGEST_LEN];
    char hex[2 * ZF_DIGEST_LEN + 1];

    object_type = object_type ? object_type : "";
    object_id = object_id ? object_id : "";
    if (strcmp(object_type, "user") == 0 && *object_id && !all_digits(object_id)) {
        zf_sha256(d, object_id, strlen(object_id));
        zf_hex_encode(hex, d, sizeof d);
        zf_buf_puts(out, "sha256:");
        zf_buf_puts(out, hex);
        return;
    }
    zf_buf_puts(out, object_id);
}

/* "sha256:" and 64 lowercase hex: how the event shows a login name. */
static int shown_as_hash(const char *s)
{
    size_t i;

    if (strncmp(s, "sha256:", 7) != 0 || strlen(s) != 7 + ZF_HASH_HEXLEN)
        return 0;
    for (i = 7; s[i]; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* Whether the event shows a row's object id through zf_ledger_object_id:
 * a user named by login name. The row keeps the name as typed (the audit
 * view shows it, like the other audit columns) unless it already looks
 * like the hashed form, which zf_ledger_append stores hashed once more, so
 * that the rule can tell the two apart and an old event's text (migration
 * 0025 copies such ids as the event showed them) comes back unchanged. */
static int hashed_in_event(const char *object_type, const char *object_id)
{
    return object_type && object_id && *object_id && strcmp(object_type, "user") == 0 && !all_digits(object_id) &&
           !shown_as_hash(object_id);
}

/* One string member of the canonical event. Text that is not valid UTF-8
 * (never expected: input is validated at the edge) becomes U+FFFD rather
 * than vanishing from the event. */
static void put_str(zf_buf *out, const char *s)
{
    size_t mark = out->len;

    s = s ? s : "";
    if (zf_jcs_put_string(out, s, strlen(s), NULL) < 0) {
        out->len = mark;
        zf_buf_append(out, "\"\xef\xbf\xbd\"", 5);
    }
}

#define MAX_SAFE_INT 9007199254740991LL /* 2^53 - 1: RFC 8785 integers */

/* Built directly rather than through a jansson object and zf_jcs_encode:
 * the shape is fixed, so the members are written in RFC 8785 order (names
 * sorted by UTF-16 code units: action, actor, content_sha256, object {id,
 * type}, request_id, seq, time) with zf_jcs_put_string for every string and
 * plain digits for the two integers (refused beyond 2^53 - 1 as zf_jcs_encode
 * refuses them). This is the hot path of the node sync and of zhifa verify;
 * test_ledger_store checks it byte for byte against zf_jcs_encode. */
int zf_ledger_event_canonical(zf_buf *out, const zf_ledger_event *ev, uint64_t seq, zf_err *err)
{
    char when[21];
    zf_buf oid = ZF_BUF_INIT;

    if (!ev->action || !*ev->action || !ev->content_sha256 || strlen(ev->content_sha256) != ZF_HASH_HEXLEN)
        return zf_err_set(err, ZF_EINVAL, "ledger_bad_event", NULL, "台账事件缺少动作或内容摘要");
    if (ev->actor_id > MAX_SAFE_INT || ev->actor_id < -MAX_SAFE_INT || seq > (uint64_t)MAX_SAFE_INT)
        return zf_err_set(err, ZF_EINVAL, "number_out_of_range", NULL, "整数超出 ±(2^53-1)，无法规范化");
    zf_ledger_rfc3339(when, ev->at);
    zf_buf_puts(out, "{\"action\":");
    put_str(out, ev->action);
    zf_buf_printf(out, ",\"actor\":%lld,\"content_sha256\":", (long long)ev->actor_id);
    put_str(out, ev->content_sha256);
    zf_buf_puts(out, ",\"object\":{\"id\":");
    if (hashed_in_event(ev->object_type, ev->object_id)) {
        zf_ledger_object_id(&oid, ev->object_type, ev->object_id);
        put_str(out, zf_buf_str(&oid));
        zf_buf_free(&oid);
    } else {
        put_str(out, ev->object_id);
    }
    zf_buf_puts(out, ",\"type\":");
    put_str(out, ev->object_type);
    zf_buf_puts(out, "},\"request_id\":");
    put_str(out, ev->request_id);
    zf_buf_printf(out, ",\"seq\":%llu,\"time\":", (unsigned long long)seq);
    put_str(out, when);
    return zf_buf_putc(out, '}') < 0 ? zf_err_set(err, ZF_ETOOBIG, NULL, NULL, "台账事件过长") : 0;
}

uint64_t zf_ledger_event_from_row(zf_ledger_event *out, zf_stmt *st, int col)
{
    memset(out, 0, sizeof *out);
    out->at = zf_stmt_int64(st, col + 1);
    out->actor_id = zf_stmt_is_null(st, col + 2) ? 0 : zf_stmt_int64(st, col + 2);
    out->action = zf_stmt_text(st, col + 3);
    out->object_type = zf_stmt_text(st, col + 4);
    out->object_id = zf_stmt_text(st, col + 5);
    out->content_sha256 = zf_stmt_text(st, col + 6);
    out->request_id = zf_stmt_text(st, col + 7);
    return (uint64_t)zf_stmt_int64(st, col);
}

static int leaf_missing(zf_err *err, uint64_t idx)
{
    return zf_err_set(err, ZF_ENOTFOUND, "ledger_node_missing", NULL, "台账叶子 %llu 缺失", (unsigned long long)idx);
}

int zf_ledger_leaf(zf_buf *out_canon, zf_hash *out_leaf, zf_db *db, uint64_t idx, zf_err *err)
{
    zf_stmt *st = NULL;
    zf_buf canon = ZF_BUF_INIT;
    zf_ledger_event ev;
    int rc;

    if ((rc = zf_db_prepare(&st, db, "SELECT " ZF_LEDGER_EVENT_COLUMNS " FROM ledger_events WHERE idx = $1", err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, (int64_t)idx);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        zf_ledger_event_from_row(&ev, st, 0);
        if ((rc = zf_ledger_event_canonical(&canon, &ev, idx, err)) == 0) {
            zf_merkle_leaf_hash(out_leaf, canon.ptr, canon.len);
            if (out_canon)
                zf_buf_append(out_canon, canon.ptr, canon.len);
        }
    } else if (rc == 0) {
        rc = leaf_missing(err, idx);
    }
    zf_stmt_free(st);
    zf_buf_free(&canon);
    return rc < 0 ? rc : 0;
}

/* The end of the prefix of leaves the node sync has processed (migration
 * 0012: every sync transaction stores all nodes ending within its leaves,
 * so the highest level-1 node marks it), as SQL. */
#define SYNCED_PREFIX_SQL "(SELECT COALESCE(MAX(idx) + 1, 0) * 2 FROM ledger_nodes WHERE level = 1)"

void zf_ledger_objects_sql(zf_buf *sql, const char *cond)
{
    zf_buf_printf(sql,
                  "SELECT idx FROM ledger_objects WHERE (%s) AND idx < " SYNCED_PREFIX_SQL
                  " UNION ALL SELECT idx FROM ledger_events WHERE idx >= " SYNCED_PREFIX_SQL " AND (%s)",
                  cond, cond);
}

/* ---- the node source ---- */

static int get_node(void *ctx, unsigned level, uint64_t index, zf_hash *out, zf_err *err);

/* A node of level >= 1 not stored (not synced yet, or deleted behind
 * zhifa's back: zhifa verify reports that) is the hash of its children. */
static int node_from_children(zf_db *db, unsigned level, uint64_t index, zf_hash *out, zf_err *err)
{
    zf_hash l, r;
    int rc;

    if (index > (UINT64_MAX >> 1) - 1)
        return zf_err_set(err, ZF_EINTERNAL, "ledger_node_missing", NULL, "台账节点 (%u, %llu) 缺失", level,
                          (unsigned long long)index);
    if ((rc = get_node(db, level - 1, index * 2, &l, err)) < 0 ||
        (rc = get_node(db, level - 1, index * 2 + 1, &r, err)) < 0)
        return rc;
    zf_merkle_node_hash(out, &l, &r);
    return 0;
}

/* Level 0 is hashed from the row; a proof reads at most one sibling leaf
 * and, for an unsynced tail, the leaves under it. */
static int get_node(void *ctx, unsigned level, uint64_t index, zf_hash *out, zf_err *err)
{
    zf_db *db = ctx;
    zf_stmt *st = NULL;
    const void *blob;
    size_t len = 0;
    int rc, found;

    if (level == 0) {
        rc = zf_ledger_leaf(NULL, out, db, index, err);
        if (rc == ZF_ENOTFOUND)
            rc = zf_err_set(err, ZF_EINTERNAL, "ledger_node_missing", NULL, "台账节点 (0, %llu) 缺失",
                            (unsigned long long)index);
        return rc;
    }
    if ((rc = zf_db_prepare(&st, db, "SELECT hash FROM ledger_nodes WHERE level = $2 AND idx = $1", err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, (int64_t)index);
    zf_stmt_bind_int64(st, 2, (int64_t)level);
    if ((found = rc = zf_stmt_step(st, err)) == 1) {
        blob = zf_stmt_blob(st, 0, &len);
        rc = blob && len == ZF_HASH_LEN ? 0 : ZF_EINTERNAL;
        if (rc == 0)
            memcpy(out->b, blob, ZF_HASH_LEN);
        else
            zf_err_set(err, rc, "ledger_node_corrupt", NULL, "台账节点 (%u, %llu) 的哈希值已损坏", level,
                       (unsigned long long)index);
    }
    zf_stmt_free(st); /* before recursing: the child reads reuse the cached statement */
    if (found == 0)
        return node_from_children(db, level, index, out, err);
    return rc < 0 ? rc : 0;
}

zf_merkle_source zf_ledger_source(zf_db *db)
{
    zf_merkle_source s = {get_node, db};
    return s;
}

int zf_ledger_size(zf_db *db, uint64_t *out, zf_err *err)
{
    int64_t n = 0;
    int rc = zf_db_query_int64(db, &n, "SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_events", err, 0, NULL);

    *out = rc < 0 ? 0 : (uint64_t)n;
    return rc < 0 ? rc : 0;
}

/* idx = the next leaf index, from the b-tree's right edge in the same
 * statement: writers are serialized by the write lock (BEGIN IMMEDIATE;
 * on PostgreSQL the writer's advisory lock, taken by every zhifa process),
 * so no two transactions can read the same maximum. */
int zf_ledger_append(zf_db *db, const zf_ledger_event *ev, zf_err *err)
{
    zf_stmt *st = NULL;
    zf_buf oid = ZF_BUF_INIT;
    const char *object_id = ev->object_id ? ev->object_id : "";
    int rc;

    if (!zf_db_in_transaction(db))
        return zf_err_set(err, ZF_EINTERNAL, "ledger_needs_transaction", NULL,
                          "台账事件必须与所记录的变更在同一事务中写入");
    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO ledger_events (idx, at, actor_id, action, object_type, object_id, "
                            "content_sha256, request_id, actor_name, ip, detail, content_from) "
                            "VALUES ((SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_events), $1, $2, $3, $4, $5, "
                            "$6, $7, $8, $9, $10, $11)",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, ev->at);
    if (ev->actor_id)
        zf_stmt_bind_int64(st, 2, ev->actor_id);
    else
        zf_stmt_bind_null(st, 2);
    zf_stmt_bind_text(st, 3, ev->action, -1);
    zf_stmt_bind_text(st, 4, ev->object_type ? ev->object_type : "", -1);
    if (ev->object_type && strcmp(ev->object_type, "user") == 0 && shown_as_hash(object_id)) {
        /* a login name that looks hashed: stored hashed (hashed_in_event) */
        zf_ledger_object_id(&oid, "user", object_id);
        object_id = zf_buf_str(&oid);
    }
    zf_stmt_bind_text(st, 5, object_id, -1);
    zf_stmt_bind_text(st, 6, ev->content_sha256, -1);
    zf_stmt_bind_text(st, 7, ev->request_id ? ev->request_id : "", -1);
    zf_stmt_bind_text(st, 8, ev->actor_name ? ev->actor_name : "", -1);
    zf_stmt_bind_text(st, 9, ev->ip ? ev->ip : "", -1);
    zf_stmt_bind_text(st, 10, ev->detail ? ev->detail : "", -1);
    zf_stmt_bind_int64(st, 11, ev->content_from);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    zf_buf_free(&oid);
    return rc < 0 ? rc : 0;
}

/* ---- persisting the nodes ---- */

#define SYNC_BATCH 8192 /* leaves per transaction: bounds how long writers wait */

/* P, the end of the prefix the stored nodes cover (migration 0012): every
 * sync transaction stores all nodes ending within its leaves, so the highest
 * level-1 node marks it. Even by construction, so the frontier at P is made
 * of stored nodes only. */
static int synced_prefix(zf_db *db, uint64_t *out, zf_err *err)
{
    int64_t n = 0;
    int rc = zf_db_query_int64(db, &n, "SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_nodes WHERE level = 1", err, 0,
                               NULL);

    *out = rc < 0 || n < 0 ? 0 : (uint64_t)n * 2;
    return rc < 0 ? rc : 0;
}

/* Rows per INSERT in the sync's write transaction, while there are as many
 * (3 parameters each: within both backends' 64): the writers wait while it
 * runs. A row already there was put by hand, or stored by an earlier batch
 * (the odd last leaf of a batch is processed twice): zhifa verify checks
 * every stored one, so it is left for verify to name. */
#define ROWS_PER_INSERT 16
static const char *const insert_node_sql[2] = {
    "INSERT INTO ledger_nodes (level, idx, hash) VALUES ($1, $2, $3) ON CONFLICT (level, idx) DO NOTHING",
    "INSERT INTO ledger_nodes (level, idx, hash) VALUES ($1, $2, $3), ($4, $5, $6), ($7, $8, $9), "
    "($10, $11, $12), ($13, $14, $15), ($16, $17, $18), ($19, $20, $21), ($22, $23, $24), ($25, $26, $27), "
    "($28, $29, $30), ($31, $32, $33), ($34, $35, $36), ($37, $38, $39), ($40, $41, $42), ($43, $44, $45), "
    "($46, $47, $48) ON CONFLICT (level, idx) DO NOTHING",
};
static const char *const insert_object_sql[2] = {
    "INSERT INTO ledger_objects (object_type, object_id, idx) VALUES ($1, $2, $3) "
    "ON CONFLICT (object_type, object_id, idx) DO NOTHING",
    "INSERT INTO ledger_objects (object_type, object_id, idx) VALUES ($1, $2, $3), ($4, $5, $6), ($7, $8, $9), "
    "($10, $11, $12), ($13, $14, $15), ($16, $17, $18), ($19, $20, $21), ($22, $23, $24), ($25, $26, $27), "
    "($28, $29, $30), ($31, $32, $33), ($34, $35, $36), ($37, $38, $39), ($40, $41, $42), ($43, $44, $45), "
    "($46, $47, $48) ON CONFLICT (object_type, object_id, idx) DO NOTHING",
};

typedef struct sync_object {
    char *type, *id; /* one allocation: type, then id after its NUL */
    uint64_t idx;
} sync_object;

/* What one sync transaction stores: computed in a read snapshot. */
typedef struct sync_work {
    zf_merkle_node *nodes;
    size_t n_nodes, cap_nodes;
    sync_object *objects; /* in key order: the b-tree's pages one after another */
    size_t n_objects;
} sync_work;

static void sync_work_free(sync_work *w)
{
    size_t i;

    for (i = 0; i < w->n_objects; i++)
        free(w->objects[i].type);
    free(w->objects);
    free(w->nodes);
}

static int object_cmp(const void *a_, const void *b_)
{
    const sync_object *a = a_, *b = b_;
    int c = strcmp(a->type, b->type);

    if (c == 0)
        c = strcmp(a->id, b->id);
    return c ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

/* Leaves [from, end) of a read snapshot: their hashes from the rows,
 * combined on the frontier at from (all stored nodes), and their objects. */
static int sync_compute(sync_work *w, zf_db *db, uint64_t from, uint64_t end, zf_err *err)
{
    zf_merkle_source src = zf_ledger_source(db);
    zf_merkle_frontier f;
    zf_merkle_node made[ZF_MERKLE_MAX_NEW_NODES];
    zf_stmt *st = NULL;
    zf_buf canon = ZF_BUF_INIT;
    size_t n_made, i, lt, li;
    uint64_t next = from;
    int rc;

    memset(w, 0, sizeof *w);
    w->objects = zf_calloc((size_t)(end - from), sizeof *w->objects);
    if ((rc = zf_merkle_frontier_load(&f, &src, from, err)) < 0 ||
        (rc = zf_db_prepare(&st, db,
                            "SELECT " ZF_LEDGER_EVENT_COLUMNS " FROM ledger_events WHERE idx >= $1 AND idx < $2 "
                            "ORDER BY idx",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, (int64_t)from);
    zf_stmt_bind_int64(st, 2, (int64_t)end);
    for (; next < end && (rc = zf_stmt_step(st, err)) == 1; next++) {
        zf_ledger_event ev;
        zf_hash leaf;
        sync_object *o = &w->objects[w->n_objects++];
        zf_buf_reset(&canon);
        if (zf_ledger_event_from_row(&ev, st, 0) != next ||
            zf_ledger_event_canonical(&canon, &ev, next, NULL) < 0) {
            rc = zf_err_set(err, ZF_EINTERNAL, "ledger_node_missing", NULL, "台账叶子 %llu 缺失或已损坏",
                            (unsigned long long)next);
            goto done;
        }
        zf_merkle_leaf_hash(&leaf, canon.ptr, canon.len);
        zf_merkle_frontier_append(&f, &leaf, made, &n_made);
        for (i = 0; i < n_made; i++) {
            if (made[i].level == 0)
                continue; /* leaf hashes are a function of the rows */
            if (w->n_nodes == w->cap_nodes)
                w->nodes = zf_realloc(w->nodes, (w->cap_nodes = w->cap_nodes ? w->cap_nodes * 2 : 256) *
                                                    sizeof *w->nodes);
            w->nodes[w->n_nodes++] = made[i];
        }
        lt = strlen(ev.object_type);
        li = strlen(ev.object_id);
        o->type = zf_malloc(lt + li + 2);
        memcpy(o->type, ev.object_type, lt + 1);
        o->id = o->type + lt + 1;
        memcpy(o->id, ev.object_id, li + 1);
        o->idx = next;
    }
    if (rc >= 0 && next != end)
        rc = zf_err_set(err, ZF_EINTERNAL, "ledger_node_missing", NULL, "台账叶子 %llu 缺失",
                        (unsigned long long)next);
    else if (rc >= 0)
        rc = 0;
    qsort(w->objects, w->n_objects, sizeof *w->objects, object_cmp);
done:
    zf_stmt_free(st);
    zf_buf_free(&canon);
    if (rc < 0)
        sync_work_free(w);
    return rc;
}

static void bind_node(zf_stmt *st, int p, const sync_work *w, size_t i)
{
    zf_stmt_bind_int64(st, p, (int64_t)w->nodes[i].level);
    zf_stmt_bind_int64(st, p + 1, (int64_t)w->nodes[i].index);
    zf_stmt_bind_blob(st, p + 2, w->nodes[i].hash.b, ZF_HASH_LEN);
}

static void bind_object(zf_stmt *st, int p, const sync_work *w, size_t i)
{
    zf_stmt_bind_text(st, p, w->objects[i].type, -1);
    zf_stmt_bind_text(st, p + 1, w->objects[i].id, -1);
    zf_stmt_bind_int64(st, p + 2, (int64_t)w->objects[i].idx);
}

/* Rows 0..n-1 of w through sql[1] (ROWS_PER_INSERT rows) while there are as
 * many, then sql[0] (one row); bind puts row i's 3 values from $p on. */
static int insert_rows(zf_db *db, const char *const sql[2], size_t n,
                       void (*bind)(zf_stmt *, int, const sync_work *, size_t), const sync_work *w, zf_err *err)
{
    zf_stmt *st = NULL;
    size_t i, j, k;
    int rc;

    for (i = 0; i < n; i += k) {
        k = n - i >= ROWS_PER_INSERT ? ROWS_PER_INSERT : 1;
        if ((rc = zf_db_prepare(&st, db, sql[k > 1], err)) < 0)
            return rc;
        for (j = 0; j < k; j++)
            bind(st, (int)(3 * j + 1), w, i + j);
        rc = zf_stmt_step(st, err);
        zf_stmt_free(st);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Stores w: the tree nodes and the by-object lookup. */
static int sync_store(zf_db *db, const sync_work *w, zf_err *err)
{
    int rc = insert_rows(db, insert_node_sql, w->n_nodes, bind_node, w, err);

    return rc < 0 ? rc : insert_rows(db, insert_object_sql, w->n_objects, bind_object, w, err);
}

/* One batch: the nodes and objects of leaves [P, P + batch), computed in a
 * read snapshot and stored in a write transaction that first checks that P
 * has not moved (another sync got there first: nothing stored, *out_more
 * set). Computing outside the write transaction keeps the writers' wait to
 * the inserts. *out_more is set when leaves remain after the batch. */
static int sync_batch(zf_db *db, uint64_t *out_leaves, int *out_more, zf_err *err)
{
    sync_work w;
    uint64_t size, from, end, now_from;
    int rc;

    *out_leaves = 0;
    *out_more = 0;
    if ((rc = zf_db_read_begin(db)) < 0)
        return zf_err_set(err, ZF_EDB, "database_error", NULL, "无法读取台账");
    if ((rc = zf_ledger_size(db, &size, err)) < 0 || (rc = synced_prefix(db, &from, err)) < 0) {
        zf_db_read_end(db);
        return rc;
    }
    if (from >= size) {
        zf_db_read_end(db);
        return 0; /* caught up (or nodes beyond the tree: zhifa verify names them) */
    }
    end = size - from > SYNC_BATCH ? from + SYNC_BATCH : size;
    rc = sync_compute(&w, db, from, end, err);
    zf_db_read_end(db);
    if (rc < 0)
        return rc;
    if ((rc = zf_db_begin(db, err)) < 0)
        goto done;
    if ((rc = synced_prefix(db, &now_from, err)) < 0)
        goto done;
    if (now_from != from) {
        *out_more = 1;
        goto done;
    }
    if ((rc = sync_store(db, &w, err)) < 0)
        goto done;
    *out_leaves = end - from;
    *out_more = end < size;
done:
    sync_work_free(&w);
    if (rc < 0 || *out_leaves == 0) {
        zf_db_rollback(db);
        return rc;
    }
    return zf_db_commit(db, err);
}

int zf_ledger_nodes_sync(zf_db *db, uint64_t *out_leaves, zf_err *err)
{
    uint64_t total = 0, n;
    int more = 1, rc = 0;

    if (zf_db_in_transaction(db))
        return zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "同步台账树节点不能在其他事务中进行");
    while (more && (rc = sync_batch(db, &n, &more, err)) == 0)
        total += n;
    if (out_leaves)
        *out_leaves = total;
    return rc;
}

/* ---- record rows ---- */

static const zf_ledger_record_table *record_table(const char *object_type)
{
    const zf_ledger_record_table *t;

    for (t = zf_ledger_record_tables; object_type && t->object_type; t++)
        if (strcmp(t->object_type, object_type) == 0)
            return t;
    return NULL;
}

int zf_ledger_row_hash(char out[ZF_HASH_HEXLEN + 1], zf_db *db, const char *object_type,
                       const char *object_id, zf_err *err)
{
    const zf_ledger_record_table *t = record_table(object_type);
    zf_buf sql = ZF_BUF_INIT, canon = ZF_BUF_INIT;
    zf_stmt *st = NULL;
    json_t *row = NULL;
    uint8_t d[ZF_DIGEST_LEN];
    int rc, by_name, i, n;

    out[0] = '\0';
    if (!t || !object_id || !*object_id)
        return 0;
    by_name = !all_digits(object_id);
    if (by_name && strcmp(t->object_type, "user") != 0)
        return 0;
    zf_buf_printf(&sql, "SELECT %s FROM %s WHERE %s = $1", t->columns, t->table, by_name ? "username" : "id");
    if ((rc = zf_db_prepare(&st, db, zf_buf_str(&sql), err)) < 0)
        goto done;
    if (by_name)
        zf_stmt_bind_text(st, 1, object_id, -1);
    else
        zf_stmt_bind_int64(st, 1, strtoll(object_id, NULL, 10));
    if ((rc = zf_stmt_step(st, err)) <= 0)
        goto done;
    /* every value as SQLite's text of it (or null): the same bytes at write
     * time and at verify time, whatever the column's type */
    row = json_object();
    n = zf_stmt_column_count(st);
    for (i = 0; i < n; i++) {
        json_t *v = zf_stmt_is_null(st, i) ? json_null() : json_string(zf_stmt_text(st, i));
        json_object_set_new(row, zf_stmt_column_name(st, i), v ? v : json_string("\xef\xbf\xbd"));
    }
    json_object_set_new(row, "_table", json_string(t->table));
    if ((rc = zf_jcs_encode(&canon, row, err)) < 0)
        goto done;
    zf_sha256(d, canon.ptr, canon.len);
    zf_hex_encode(out, d, sizeof d);
    rc = 1;
done:
    zf_stmt_free(st);
    json_decref(row);
    zf_buf_free(&sql);
    zf_buf_free(&canon);
    return rc;
}

int zf_ledger_baseline(zf_db *db, int64_t now, zf_err *err)
{
    const zf_ledger_record_table *t;
    zf_stmt *st = NULL;
    int64_t *ids = NULL;
    size_t n = 0, cap = 0, i;
    int rc;

    if ((rc = zf_db_begin(db, err)) < 0)
        return rc;
    for (t = zf_ledger_record_tables; t->object_type; t++) {
        zf_buf sql = ZF_BUF_INIT;
        n = 0;
        zf_buf_printf(&sql, "SELECT r.id FROM %s r WHERE NOT EXISTS (", t->table);
        zf_ledger_objects_sql(&sql, "object_type = $1 AND object_id = CAST(r.id AS TEXT)");
        zf_buf_puts(&sql, ") ORDER BY r.id");
        rc = zf_db_prepare(&st, db, zf_buf_str(&sql), err);
        zf_buf_free(&sql);
        if (rc < 0)
            goto done;
        zf_stmt_bind_text(st, 1, t->object_type, -1);
        while ((rc = zf_stmt_step(st, err)) == 1) {
            if (n == cap)
                ids = zf_realloc(ids, (cap = cap ? cap * 2 : 64) * sizeof *ids);
            ids[n++] = zf_stmt_int64(st, 0);
        }
        zf_stmt_free(st);
        st = NULL;
        if (rc < 0)
            goto done;
        for (i = 0; i < n; i++) {
            char oid[24];
            zf_audit_event ev = {now, 0, "system", "baseline", t->object_type, oid, "", "", "zhifa init"};
            snprintf(oid, sizeof oid, "%lld", (long long)ids[i]);
            if ((rc = zf_audit_write(db, &ev, err)) < 0)
                goto done;
        }
    }
    rc = zf_db_commit(db, err);
    free(ids);
    return rc;
done:
    zf_stmt_free(st);
    free(ids);
    zf_db_rollback(db);
    return rc;
}

/* ---- proofs ---- */

static int check_size(zf_db *db, uint64_t size, zf_err *err)
{
    uint64_t n;
    int rc = zf_ledger_size(db, &n, err);

    if (rc < 0)
        return rc;
    if (size > n)
        return zf_err_set(err, ZF_EINVAL, "tree_size_too_large", "tree_size",
                          "树的大小 %llu 超过了台账现有的 %llu 条事件", (unsigned long long)size,
                          (unsigned long long)n);
    return 0;
}

int zf_ledger_root(zf_hash *out, zf_db *db, uint64_t size, zf_err *err)
{
    zf_merkle_source src = zf_ledger_source(db);
    int rc;

    if ((rc = check_size(db, size, err)) < 0)
        return rc;
    if (size == 0) {
        zf_merkle_empty_root(out);
        return 0;
    }
    return zf_merkle_range_root(out, &src, 0, size, err);
}

int zf_ledger_inclusion(zf_hash *out, size_t *out_len, zf_db *db, uint64_t index, uint64_t size,
                        zf_err *err)
{
    zf_merkle_source src = zf_ledger_source(db);
    int rc;

    *out_len = 0;
    if ((rc = check_size(db, size, err)) < 0)
        return rc;
    if (index >= size)
        return zf_err_set(err, ZF_EINVAL, "index_out_of_range", "index", "叶子序号 %llu 不小于树的大小 %llu",
                          (unsigned long long)index, (unsigned long long)size);
    return zf_merkle_inclusion_proof(out, out_len, &src, index, size, err);
}

int zf_ledger_consistency(zf_hash *out, size_t *out_len, zf_db *db, uint64_t first, uint64_t second,
                          zf_err *err)
{
    zf_merkle_source src = zf_ledger_source(db);
    int rc;

    *out_len = 0;
    if ((rc = check_size(db, second, err)) < 0)
        return rc;
    if (first == 0 || first > second)
        return zf_err_set(err, ZF_EINVAL, "bad_range", "first", "一致性证明要求 0 < first ≤ second");
    return zf_merkle_consistency_proof(out, out_len, &src, first, second, err);
}

/* ---- keys ---- */

static int write_file(const char *path, const char *data, size_t len, mode_t mode, zf_err *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    size_t off = 0;
    ssize_t w;

    if (fd < 0)
        return zf_err_set(err, ZF_EIO, "key_unwritable", NULL, "无法创建 %s：%s", path, strerror(errno));
    while (off < len) {
        w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    if (off < len || fsync(fd) != 0) {
        close(fd);
        unlink(path);
        return zf_err_set(err, ZF_EIO, "key_unwritable", NULL, "无法写入 %s：%s", path, strerror(errno));
    }
    close(fd);
    return 0;
}

int zf_ledger_key_create(const char *data_dir, zf_sign_alg alg, zf_err *err)
{
    zf_sign_key *k = NULL;
    zf_buf priv = ZF_BUF_INIT, pub = ZF_BUF_INIT;
    char path[4096];
    int rc, dfd;

    if ((rc = zf_sign_key_generate(&k, alg, err)) < 0 || (rc = zf_sign_key_private_pem(&priv, k, err)) < 0 ||
        (rc = zf_sign_key_public_pem(&pub, k, err)) < 0)
        goto done;
    snprintf(path, sizeof path, "%s/signing.key", data_dir);
    if ((rc = write_file(path, priv.ptr, priv.len, 0600, err)) < 0)
        goto done;
    snprintf(path, sizeof path, "%s/signing.pub", data_dir);
    if ((rc = write_file(path, pub.ptr, pub.len, 0644, err)) < 0)
        goto done;
    /* the names must survive a power loss too */
    if ((dfd = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        fsync(dfd);
        close(dfd);
    }
done:
    if (priv.ptr)
        memset(priv.ptr, 0, priv.len);
    zf_buf_free(&priv);
    zf_buf_free(&pub);
    zf_sign_key_free(k);
    return rc;
}

int zf_ledger_key_load(zf_sign_key **out, const char *data_dir, zf_err *err)
{
    char path[4096], *pem = zf_malloc(ZF_SIGN_MAX_PEM + 1);
    FILE *f;
    size_t n;
    int rc;

    *out = NULL;
    snprintf(path, sizeof path, "%s/signing.key", data_dir);
    if (!(f = fopen(path, "rb"))) {
        rc = zf_err_set(err, ZF_EIO, "signing_key_missing", NULL, "无法读取签名密钥 %s：%s", path, strerror(errno));
        goto done;
    }
    n = fread(pem, 1, ZF_SIGN_MAX_PEM + 1, f);
    fclose(f);
    if (n > ZF_SIGN_MAX_PEM) {
        rc = zf_err_set(err, ZF_EINVAL, "signing_key_invalid", NULL, "签名密钥文件 %s 过大", path);
        goto done;
    }
    pem[n] = '\0';
    if ((rc = zf_sign_key_from_pem(out, pem, n, err)) < 0)
        goto done;
    if (!zf_sign_key_has_private(*out)) {
        zf_sign_key_free(*out);
        *out = NULL;
        rc = zf_err_set(err, ZF_EINVAL, "signing_key_invalid", NULL, "%s 不是私钥", path);
    }
done:
    memset(pem, 0, ZF_SIGN_MAX_PEM + 1);
    free(pem);
    return rc;
}

/* ---- checkpoints ---- */

void zf_ledger_checkpoint_row_free(zf_ledger_checkpoint_row *r)
{
    if (!r)
        return;
    free(r->note);
    free(r->signature);
    r->note = r->signature = NULL;
}

int zf_ledger_checkpoint_latest(zf_ledger_checkpoint_row *out, zf_db *db, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT id, tree_size, root_hash, timestamp, note, signature, key_id, algorithm "
                            "FROM checkpoints ORDER BY tree_size DESC LIMIT 1",
                            err)) < 0)
        return rc;
    if ((rc = zf_stmt_step(st, err)) == 1) {
        out->id = zf_stmt_int64(st, 0);
        out->tree_size = (uint64_t)zf_stmt_int64(st, 1);
        snprintf(out->root_hex, sizeof out->root_hex, "%s", zf_stmt_text(st, 2));
        snprintf(out->timestamp, sizeof out->timestamp, "%s", zf_stmt_text(st, 3));
        out->note = zf_strdup(zf_stmt_text(st, 4));
        out->signature = zf_strdup(zf_stmt_text(st, 5));
        snprintf(out->key_id, sizeof out->key_id, "%s", zf_stmt_text(st, 6));
        snprintf(out->algorithm, sizeof out->algorithm, "%s", zf_stmt_text(st, 7));
    }
    zf_stmt_free(st);
    return rc;
}

/* The refusal that must never be silent: the tree no longer extends what
 * zhifa signed before, so the database was altered behind its back. */
static int inconsistent(zf_err *err, const zf_ledger_checkpoint_row *last, uint64_t size, const char *root_hex)
{
    return zf_err_set(err, ZF_ECONFLICT, "checkpoint_inconsistent", NULL,
                      "拒绝签发检查点：当前台账（%llu 条，根 %s）与上一个已签名检查点（%llu 条，根 %s）"
                      "不一致，数据库可能被篡改，请立即运行 zhifa verify 并核查",
                      (unsigned long long)size, root_hex, (unsigned long long)last->tree_size, last->root_hex);
}

int zf_ledger_checkpoint_issue(zf_db *db, const zf_sign_key *key, const char *origin, int64_t now,
                               int *out_issued, zf_err *err)
{
    zf_ledger_checkpoint_row last;
    zf_checkpoint *cp = NULL;
    zf_buf note = ZF_BUF_INIT, sig64 = ZF_BUF_INIT;
    zf_stmt *st = NULL;
    zf_hash root, old_root, proof[ZF_MERKLE_MAX_PROOF];
    size_t proof_len = 0;
    char root_hex[ZF_HASH_HEXLEN + 1], when[21], ext[32];
    uint64_t size;
    int rc, have_last = 0;

    memset(&last, 0, sizeof last);
    if (out_issued)
        *out_issued = 0;
    if (zf_db_in_transaction(db))
        return zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "签发检查点不能在其他事务中进行");
    {
        /* nodes first, so the root and the proof below are stored reads; a
         * failure here (a leaf deleted behind zhifa's back) is not the one
         * to report: the checks below name what is wrong */
        zf_err ignored = ZF_ERR_INIT;
        zf_ledger_nodes_sync(db, NULL, &ignored);
    }
    if ((rc = zf_db_begin(db, err)) < 0)
        return rc;
    if ((rc = zf_ledger_size(db, &size, err)) < 0 || (rc = zf_ledger_checkpoint_latest(&last, db, err)) < 0)
        goto fail;
    have_last = rc == 1;
    if (have_last && last.tree_size == size) {
        rc = 0; /* nothing new: the newest checkpoint covers the tree */
        goto fail;
    }
    if ((rc = zf_ledger_root(&root, db, size, err)) < 0)
        goto fail;
    zf_hash_to_hex(root_hex, &root);
    if (have_last) {
        zf_bytes pb[ZF_MERKLE_MAX_PROOF];
        size_t i;
        if (zf_hash_from_hex(&old_root, last.root_hex, strlen(last.root_hex)) < 0 || last.tree_size > size) {
            rc = inconsistent(err, &last, size, root_hex);
            goto fail;
        }
        if (last.tree_size == 0) {
            zf_hash empty;
            zf_merkle_empty_root(&empty);
            if (!zf_hash_equal(&empty, &old_root)) {
                rc = inconsistent(err, &last, size, root_hex);
                goto fail;
            }
        } else {
            if ((rc = zf_ledger_consistency(proof, &proof_len, db, last.tree_size, size, err)) < 0) {
                rc = inconsistent(err, &last, size, root_hex);
                goto fail;
            }
            for (i = 0; i < proof_len; i++)
                pb[i] = (zf_bytes){proof[i].b, ZF_HASH_LEN};
            if (zf_merkle_verify_consistency(last.tree_size, size, pb, proof_len,
                                             (zf_bytes){old_root.b, ZF_HASH_LEN},
                                             (zf_bytes){root.b, ZF_HASH_LEN}, NULL) < 0) {
                rc = inconsistent(err, &last, size, root_hex);
                goto fail;
            }
        }
    }
    zf_ledger_rfc3339(when, now);
    snprintf(ext, sizeof ext, "time %s", when);
    if ((rc = zf_checkpoint_new(&cp, origin, size, &root, err)) < 0 ||
        (rc = zf_checkpoint_add_extension(cp, ext, err)) < 0 || (rc = zf_checkpoint_sign(cp, origin, key, err)) < 0 ||
        (rc = zf_checkpoint_serialize(&note, cp, err)) < 0)
        goto fail;
    zf_base64_encode(&sig64, cp->sigs[cp->n_sigs - 1].sig, cp->sigs[cp->n_sigs - 1].sig_len);
    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO checkpoints (tree_size, root_hash, timestamp, created_at, note, signature, "
                            "key_id, algorithm) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                            err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, (int64_t)size);
    zf_stmt_bind_text(st, 2, root_hex, -1);
    zf_stmt_bind_text(st, 3, when, -1);
    zf_stmt_bind_int64(st, 4, now);
    zf_stmt_bind_text(st, 5, note.ptr, (long)note.len);
    zf_stmt_bind_text(st, 6, zf_buf_str(&sig64), -1);
    zf_stmt_bind_text(st, 7, zf_sign_key_id(key), -1);
    zf_stmt_bind_text(st, 8, zf_sign_alg_name(zf_sign_key_alg(key)), -1);
    if ((rc = zf_stmt_step(st, err)) < 0)
        goto fail;
    zf_stmt_free(st);
    st = NULL;
    if ((rc = zf_db_commit(db, err)) < 0)
        goto done;
    if (out_issued)
        *out_issued = 1;
    rc = 0;
    goto done;
fail:
    zf_stmt_free(st);
    st = NULL;
    zf_db_rollback(db);
done:
    zf_ledger_checkpoint_row_free(&last);
    zf_checkpoint_free(cp);
    zf_buf_free(&note);
    zf_buf_free(&sig64);
    return rc;
}

int zf_ledger_cosigned_note(zf_buf *out, zf_db *db, int64_t checkpoint_id, const char *note, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    zf_buf_puts(out, note);
    if ((rc = zf_db_prepare(&st, db, "SELECT signature_line FROM cosignatures WHERE checkpoint_id = $1 ORDER BY id",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, checkpoint_id);
    while ((rc = zf_stmt_step(st, err)) == 1) {
        zf_buf_puts(out, zf_stmt_text(st, 0));
        zf_buf_putc(out, '\n');
    }
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}
