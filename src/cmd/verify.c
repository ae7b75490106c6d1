/* verify.c — `zhifa verify [--data DIR]`: checks, offline, that nothing in
 * the data directory was altered, deleted or inserted behind zhifa's back:
 *
 *   1. every event row (migration 0025: one row per event, the audit log
 *      is a view over them): leaf indices run 0..n-1 without a gap, the
 *      fields give a canonical event (RFC 8785), whose leaf hash goes into
 *      the tree rebuilt in memory; an event whose content hash is the
 *      SHA-256 of its detail still has that detail;
 *   2. every stored tree node equals the node recomputed from the rows, and
 *      none is missing; a level-1 node that differs names its two leaves
 *      (leaf hashes are not stored: a changed field shows here, or, past
 *      the synced prefix, in the checkpoint's root);
 *   3. every checkpoint: signature by the data directory's key, size and
 *      root as stored, root equal to the tree recomputed from the rows,
 *      consistency with the previous checkpoint, every witness cosignature;
 *      events after the newest checkpoint are reported as not yet signed
 *      (not a failure: an append in the last second looks the same);
 *   4. ledger_objects (the by-object lookup, derived) holds exactly the
 *      synced events, so the record check below can trust it;
 *   5. every row of the record tables (departments, units, officers,
 *      matters, users) equals the content its latest event recorded, has an
 *      event at all, and no recorded row has vanished;
 *   6. every stored evidence file (table evidence_files, when present)
 *      exists under DATA/evidence (or in the S3 bucket zhifa.conf names)
 *      and hashes to its name;
 *   7. every complaint attachment (complaint_attachments) exists under
 *      DATA/complaint-files and hashes to its name.
 *
 * The tree is rebuilt in memory from the rows (about 64 bytes per leaf), so
 * nothing of the stored nodes is trusted. Prints each failure as it is
 * found (naming the table and row, the leaf index or the file), a summary
 * at the end, and a progress bar on a terminal. Exit 0 when intact, 1 when
 * anything failed. */
#include "cmd/cmd.h"
#include "cmd/verify_bundle.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blob/blob.h"
#include "cmd/blob_config.h"
#include "cmd/config.h"
#include "ledger/checkpoint.h"
#include "ledger/jcs.h"
#include "ledger/merkle.h"
#include "ledger/sign.h"
#include "ledger/sm3.h"
#include "store/ledger_store.h"
#include "util/mem.h"

static const char USAGE[] =
    "用法：zhifa verify [--data DIR]\n"
    "      zhifa verify --bundle FILE\n"
    "\n"
    "离线校验数据目录是否被篡改：台账的每个事件与叶子哈希、每个树节点、每个检查点的\n"
    "根哈希与签名、相邻检查点的一致性、见证方会签、审计说明与台账摘要的对应关系、\n"
    "执法人员等记录表与台账的对应关系，以及每个证据文件和投诉附件的哈希值。\n"
    "完好时退出码为 0；发现任何问题时逐条列出（表和行、叶子序号、文件）并以 1 退出。\n"
    "\n"
    "选项：\n"
    "  --data DIR  数据目录（默认 $ZHIFA_DATA）\n"
    "  --bundle FILE  改为校验一个案卷压缩包（GET /api/v1/cases/{id}/bundle）：文件哈希、检查点签名、\n"
    "              台账事件及包含证明、文书与证据的台账覆盖；不需要数据目录\n"
    "  -h, --help  显示本帮助\n";

typedef struct verifier {
    zf_db *db;
    const char *data_dir;
    zf_merkle_memtree *tree;
    uint64_t objects_below; /* ledger_objects covers the leaves below this */
    uint64_t objects_sum;   /* of object_hash over those leaves */
    uint64_t prefix;        /* leaves under the stored nodes (check_nodes) */
    long node_failures;
    long failures;
    int tty;
    const char *phase;
    int shown_pct;
} verifier;

static void fail(verifier *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(verifier *v, const char *fmt, ...)
{
    va_list ap;

    if (v->tty && v->shown_pct >= 0)
        fputs("\r\033[K", stderr);
    v->shown_pct = -1;
    fputs("不符：", stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
    v->failures++;
}

static void progress(verifier *v, uint64_t done, uint64_t total)
{
    int pct, bars, i;
    char bar[41];

    if (!v->tty || total == 0)
        return;
    pct = (int)(done * 100 / total);
    if (pct == v->shown_pct && done != total)
        return;
    v->shown_pct = pct;
    bars = pct * 40 / 100;
    for (i = 0; i < 40; i++)
        bar[i] = i < bars ? '#' : '.';
    bar[40] = '\0';
    fprintf(stderr, "\r%-12s [%s] %3d%% (%llu/%llu)", v->phase, bar, pct, (unsigned long long)done,
            (unsigned long long)total);
    if (done == total) {
        fputc('\n', stderr);
        v->shown_pct = -1;
    }
}

static int64_t count(verifier *v, const char *sql)
{
    int64_t n = 0;
    zf_db_query_int64(v->db, &n, sql, NULL, 0, NULL);
    return n;
}

static void sha256_hex(char out[65], const void *p, size_t n)
{
    uint8_t d[ZF_DIGEST_LEN];
    zf_sha256(d, p, n);
    zf_hex_encode(out, d, sizeof d);
}

/* ---- 1. events ---- */

static int is_record_type(const char *type)
{
    const zf_ledger_record_table *t;
    for (t = zf_ledger_record_tables; t->object_type; t++)
        if (strcmp(t->object_type, type) == 0)
            return 1;
    return 0;
}

/* FNV-1a of one ledger_objects row; their sum over a set of rows stands for
 * the set (check_objects compares it with the rows of ledger_events). */
static uint64_t object_hash(const char *type, const char *id, uint64_t idx)
{
    uint64_t h = 1469598103934665603ULL;
    const unsigned char *p;
    int i;

    for (p = (const unsigned char *)type; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
    for (p = (const unsigned char *)id; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    for (i = 0; i < 8; i++)
        h = (h ^ ((idx >> (8 * i)) & 0xff)) * 1099511628211ULL;
    return h;
}

static int check_events(verifier *v, uint64_t *out_n)
{
    zf_stmt *st = NULL;
    zf_err err = ZF_ERR_INIT;
    uint64_t expect = 0, total = (uint64_t)count(v, "SELECT COUNT(*) FROM ledger_events");
    zf_buf canon = ZF_BUF_INIT;
    int64_t below = 0;
    int rc;

    v->phase = "台账事件";
    zf_db_query_int64(v->db, &below, "SELECT COALESCE(MAX(idx) + 1, 0) * 2 FROM ledger_nodes WHERE level = 1", NULL,
                      0, NULL);
    v->objects_below = below > 0 ? (uint64_t)below : 0;
    if ((rc = zf_db_prepare(&st, v->db,
                            "SELECT " ZF_LEDGER_EVENT_COLUMNS ", detail, content_from FROM ledger_events ORDER BY idx",
                            &err)) < 0)
        return rc;
    while ((rc = zf_stmt_step(st, &err)) == 1) {
        zf_ledger_event le;
        zf_hash leaf;
        uint64_t idx = zf_ledger_event_from_row(&le, st, 0);
        int64_t from = zf_stmt_int64(st, 9);

        if (zf_stmt_int64(st, 0) < 0) {
            fail(v, "ledger_events 叶子 %lld：序号为负（在 zhifa 之外插入）", (long long)zf_stmt_int64(st, 0));
            continue;
        }
        if (idx != expect) {
            fail(v, "ledger_events：缺少叶子 %llu 至 %llu（事件被删除，或其后的事件在 zhifa 之外插入）",
                 (unsigned long long)expect, (unsigned long long)idx - 1);
            expect = idx;
        }
        zf_buf_reset(&canon);
        if (zf_ledger_event_canonical(&canon, &le, idx, NULL) < 0) {
            /* still a leaf: hash what the row gives, so the tree keeps its shape */
            fail(v, "ledger_events 叶子 %llu：事件字段不完整或超出范围，无法规范化（被改动）", (unsigned long long)idx);
            zf_buf_reset(&canon);
        }
        zf_merkle_leaf_hash(&leaf, canon.ptr, canon.len);
        zf_merkle_memtree_append(v->tree, &leaf);
        /* the detail is covered by the event when its hash is the content */
        if (from == ZF_LEDGER_CONTENT_DETAIL) {
            const char *detail = zf_stmt_text(st, 8);
            char dh[65];
            sha256_hex(dh, detail, strlen(detail));
            if (strcmp(dh, le.content_sha256) != 0)
                fail(v, "ledger_events 叶子 %llu（audit_log 第 %llu 行）：说明 detail 与事件记录的摘要不符（被改动）",
                     (unsigned long long)idx, (unsigned long long)idx);
        } else if (from != ZF_LEDGER_CONTENT_GIVEN && !(from == ZF_LEDGER_CONTENT_ROW && is_record_type(le.object_type))) {
            fail(v, "ledger_events 叶子 %llu：摘要来源 content_from 无效（被改动）", (unsigned long long)idx);
        }
        if (idx < v->objects_below)
            v->objects_sum += object_hash(le.object_type, le.object_id, idx);
        expect = idx + 1;
        progress(v, expect > total ? total : expect, total);
    }
    zf_stmt_free(st);
    zf_buf_free(&canon);
    *out_n = expect;
    if (rc < 0)
        fprintf(stderr, "zhifa verify: %s\n", err.message);
    return rc < 0 ? rc : 0;
}

/* ---- 2. nodes ---- */

/* ledger_nodes is derived data stored in batches after the events
 * (migration 0012): it must cover a prefix [0, P) of the tree with every
 * perfect subtree of level >= 1, P = 2 * (highest level-1 index + 1), and
 * hold nothing else. Every stored node must equal what the leaves give. */
static int check_nodes(verifier *v, uint64_t n)
{
    zf_merkle_source src = zf_merkle_memtree_source(v->tree);
    zf_stmt *st = NULL;
    zf_err err = ZF_ERR_INIT;
    uint64_t per_level[64] = {0}, done = 0, prefix = 0, total = (uint64_t)count(v, "SELECT COUNT(*) FROM ledger_nodes");
    uint8_t *bad[64] = {NULL};
    unsigned l;
    int rc;

    v->phase = "树节点";
    /* the prefix first: the highest level-1 node inside the tree */
    if ((rc = zf_db_prepare(&st, v->db, "SELECT idx FROM ledger_nodes WHERE level = 1 ORDER BY idx DESC", &err)) < 0)
        return rc;
    while ((rc = zf_stmt_step(st, &err)) == 1) {
        int64_t idx = zf_stmt_int64(st, 0);
        if (idx >= 0 && (uint64_t)(idx + 1) * 2 <= n) {
            prefix = (uint64_t)(idx + 1) * 2;
            break;
        }
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        return rc;
    v->prefix = prefix;
    /* a node that differs because a node below it does is not reported
     * again: bad[l] marks the level-l nodes found different */
    for (l = 1; l < 63; l++)
        bad[l] = (prefix >> l) ? zf_calloc((size_t)(prefix >> l) / 8 + 1, 1) : NULL;
    if ((rc = zf_db_prepare(&st, v->db, "SELECT level, idx, hash FROM ledger_nodes ORDER BY level, idx", &err)) < 0)
        goto done;
    while ((rc = zf_stmt_step(st, &err)) == 1) {
        int64_t level = zf_stmt_int64(st, 0), idx = zf_stmt_int64(st, 1);
        size_t len = 0;
        const void *hash = zf_stmt_blob(st, 2, &len);
        zf_hash want;

        progress(v, ++done, total);
        if (level < 1 || level > 62 || idx < 0 || ((uint64_t)(idx + 1) << level) > prefix) {
            fail(v, "ledger_nodes 节点 (%lld, %lld)：不属于这棵 %llu 个叶子的树已同步的前 %llu 个叶子（被插入）",
                 (long long)level, (long long)idx, (unsigned long long)n, (unsigned long long)prefix);
            continue;
        }
        per_level[level]++;
        if (zf_merkle_range_root(&want, &src, (uint64_t)idx << level, (uint64_t)(idx + 1) << level, NULL) < 0)
            continue;
        if (hash && len == ZF_HASH_LEN && memcmp(want.b, hash, ZF_HASH_LEN) == 0)
            continue;
        v->node_failures++;
        bad[level][idx / 8] |= (uint8_t)(1u << (idx % 8));
        if (level == 1)
            /* leaf hashes are not stored: the pair is as close as it gets */
            fail(v, "ledger_events 叶子 %lld 或 %lld：事件字段与已存的树节点 (1, %lld) 不符（被改动；若两个叶子都"
                    "未被改动，则是该节点被改动）",
                 (long long)idx * 2, (long long)idx * 2 + 1, (long long)idx);
        else if (!(bad[level - 1][(idx * 2) / 8] & (1u << ((idx * 2) % 8))) &&
                 !(bad[level - 1][(idx * 2 + 1) / 8] & (1u << ((idx * 2 + 1) % 8))))
            fail(v, "ledger_nodes 节点 (%lld, %lld)：哈希与叶子重新计算的结果不符（被改动）", (long long)level,
                 (long long)idx);
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    for (l = 1; l < 63; l++)
        if (per_level[l] < (prefix >> l))
            fail(v, "ledger_nodes 第 %u 层：应有 %llu 个节点，只有 %llu 个（被删除）", l,
                 (unsigned long long)(prefix >> l), (unsigned long long)per_level[l]);
    rc = 0;
done:
    zf_stmt_free(st);
    for (l = 1; l < 63; l++)
        free(bad[l]);
    return rc;
}

/* ---- 3. checkpoints ---- */

static int load_public_key(zf_sign_key **out, verifier *v)
{
    char path[4096], *pem = zf_malloc(ZF_SIGN_MAX_PEM + 1);
    const char *names[] = {"signing.pub", "signing.key"};
    size_t i, n;
    int rc = ZF_ENOTFOUND;

    *out = NULL;
    for (i = 0; i < 2 && rc < 0; i++) {
        FILE *f;
        snprintf(path, sizeof path, "%s/%s", v->data_dir, names[i]);
        if (!(f = fopen(path, "rb")))
            continue;
        n = fread(pem, 1, ZF_SIGN_MAX_PEM, f);
        fclose(f);
        pem[n] = '\0';
        rc = zf_sign_key_from_pem(out, pem, n, NULL);
    }
    memset(pem, 0, ZF_SIGN_MAX_PEM + 1);
    free(pem);
    return rc;
}

static void check_cosignatures(verifier *v, int64_t cp_id, uint64_t size, const zf_checkpoint *cp)
{
    zf_stmt *st = NULL;
    zf_buf note = ZF_BUF_INIT;

    if (zf_db_prepare(&st, v->db,
                      "SELECT c.id, c.signature_line, w.public_key, w.name FROM cosignatures c "
                      "LEFT JOIN witnesses w ON w.id = c.witness_id WHERE c.checkpoint_id = $1 ORDER BY c.id",
                      NULL) < 0)
        return;
    zf_stmt_bind_int64(st, 1, cp_id);
    while (zf_stmt_step(st, NULL) == 1) {
        zf_checkpoint *cc = NULL;
        zf_sign_key *wk = NULL;
        const char *pem = zf_stmt_text(st, 2);
        zf_buf_reset(&note);
        zf_checkpoint_body(&note, cp, NULL);
        zf_buf_printf(&note, "\n%s\n", zf_stmt_text(st, 1));
        if (zf_stmt_is_null(st, 2) || zf_sign_key_from_pem(&wk, pem, strlen(pem), NULL) < 0 ||
            zf_checkpoint_parse(&cc, note.ptr, note.len, NULL) < 0 ||
            zf_checkpoint_verify(cc, zf_stmt_text(st, 3), wk, NULL) < 0)
            fail(v, "cosignatures 第 %lld 行：见证方对检查点（%llu 条）的会签无效", (long long)zf_stmt_int64(st, 0),
                 (unsigned long long)size);
        zf_checkpoint_free(cc);
        zf_sign_key_free(wk);
    }
    zf_stmt_free(st);
    zf_buf_free(&note);
}

static int check_checkpoints(verifier *v, uint64_t n)
{
    zf_merkle_source src = zf_merkle_memtree_source(v->tree);
    zf_stmt *st = NULL;
    zf_err err = ZF_ERR_INIT;
    zf_sign_key *key = NULL;
    zf_checkpoint *prev = NULL;
    uint64_t done = 0, total = (uint64_t)count(v, "SELECT COUNT(*) FROM checkpoints");
    int rc;

    v->phase = "检查点";
    if (total && load_public_key(&key, v) < 0)
        fail(v, "%s/signing.pub：无法读取台账公钥，检查点签名无法核验", v->data_dir);
    if ((rc = zf_db_prepare(&st, v->db,
                            "SELECT id, tree_size, root_hash, note, signature, key_id FROM checkpoints ORDER BY tree_size",
                            &err)) < 0)
        goto done;
    while ((rc = zf_stmt_step(st, &err)) == 1) {
        int64_t id = zf_stmt_int64(st, 0), size = zf_stmt_int64(st, 1);
        const char *root_hex = zf_stmt_text(st, 2), *note = zf_stmt_text(st, 3);
        zf_checkpoint *cp = NULL;
        zf_hash root, proof[ZF_MERKLE_MAX_PROOF];
        char hex[ZF_HASH_HEXLEN + 1];
        size_t plen = 0;

        progress(v, ++done, total);
        if (zf_checkpoint_parse(&cp, note, strlen(note), NULL) < 0) {
            fail(v, "checkpoints 第 %lld 行（%lld 条）：签名文本格式错误（被改动）", (long long)id, (long long)size);
            continue;
        }
        zf_hash_to_hex(hex, &cp->root);
        if ((int64_t)cp->size != size || strcmp(hex, root_hex) != 0)
            fail(v, "checkpoints 第 %lld 行：大小或根哈希与签名文本不一致（被改动）", (long long)id);
        if (key && zf_checkpoint_verify(cp, cp->origin, key, NULL) < 0)
            fail(v, "checkpoints 第 %lld 行（%lld 条）：签名无效", (long long)id, (long long)size);
        else if (key && strcmp(zf_stmt_text(st, 5), zf_sign_key_id(key)) != 0)
            fail(v, "checkpoints 第 %lld 行：密钥编号与数据目录的密钥不符", (long long)id);
        if (cp->size > n) {
            fail(v, "checkpoints 第 %lld 行：已签名 %llu 条事件，台账现在只有 %llu 条（事件被删除）", (long long)id,
                 (unsigned long long)cp->size, (unsigned long long)n);
        } else {
            if (cp->size == 0)
                zf_merkle_empty_root(&root);
            else
                zf_merkle_range_root(&root, &src, 0, cp->size, NULL);
            if (!zf_hash_equal(&root, &cp->root)) {
                if (v->node_failures == 0 && v->prefix < cp->size)
                    /* the stored nodes vouch for the leaves below the prefix */
                    fail(v, "checkpoints 第 %lld 行（%llu 条）：根哈希与台账事件重新计算的结果不符（ledger_events 叶子 "
                            "%llu 至 %llu 之中有被改动的）",
                         (long long)id, (unsigned long long)cp->size, (unsigned long long)v->prefix,
                         (unsigned long long)cp->size - 1);
                else
                    fail(v, "checkpoints 第 %lld 行（%llu 条）：根哈希与台账事件重新计算的结果不符（台账被改动）",
                         (long long)id, (unsigned long long)cp->size);
            }
            if (prev && prev->size <= cp->size) {
                if (prev->size > 0 && zf_merkle_consistency_proof(proof, &plen, &src, prev->size, cp->size, NULL) < 0)
                    plen = 0;
                if (zf_checkpoint_check_consistent(prev, cp, proof, plen, NULL) < 0)
                    fail(v, "checkpoints：%llu 条与 %llu 条的两个检查点互不一致", (unsigned long long)prev->size,
                         (unsigned long long)cp->size);
            }
        }
        check_cosignatures(v, id, cp->size, cp);
        zf_checkpoint_free(prev);
        prev = cp;
    }
    rc = rc < 0 ? rc : 0;
    /* not a failure: the server signs at most a second after an append */
    if (rc == 0 && (prev ? prev->size : 0) < n)
        printf("提示：ledger_events 叶子 %llu 至 %llu 尚未被检查点签名（最近一秒内写入的事件，或服务未在运行）\n",
               (unsigned long long)(prev ? prev->size : 0), (unsigned long long)n - 1);
done:
    zf_stmt_free(st);
    zf_checkpoint_free(prev);
    zf_sign_key_free(key);
    return rc;
}

/* One failure per row of sql (its first column, an id, into what, a format
 * with one %lld); $1, when sql has it, is bound to arg (a bind to a
 * parameter the SQL lacks changes nothing, on either backend). */
static int fail_each_row(verifier *v, const char *sql, int64_t arg, const char *what)
{
    zf_stmt *st = NULL;
    zf_err err = ZF_ERR_INIT;
    int rc;

    if ((rc = zf_db_prepare(&st, v->db, sql, &err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, arg);
    while ((rc = zf_stmt_step(st, &err)) == 1)
        fail(v, what, (long long)zf_stmt_int64(st, 0));
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

/* ---- 4. ledger_objects ---- */

/* Derived data, but the record check and the document and bundle readers
 * find events through it: it must list exactly the events below the synced
 * prefix. Compared as a sum of row hashes (one scan of each table); the rows
 * that differ are looked up only when the sums do. */
static int check_objects(verifier *v)
{
    zf_stmt *st = NULL;
    zf_err err = ZF_ERR_INIT;
    uint64_t sum = 0;
    int rc;

    v->phase = "对象索引";
    if ((rc = zf_db_prepare(&st, v->db, "SELECT object_type, object_id, idx FROM ledger_objects WHERE idx < $1",
                            &err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, (int64_t)v->objects_below);
    while ((rc = zf_stmt_step(st, &err)) == 1)
        sum += object_hash(zf_stmt_text(st, 0), zf_stmt_text(st, 1), (uint64_t)zf_stmt_int64(st, 2));
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        return rc;
    /* audit rows older than the ledger have no event to check them by, but
     * they live below 0 (migration 0025): one at or above would shadow an
     * event's row in the audit_log view */
    if ((rc = fail_each_row(v, "SELECT id FROM audit_log_legacy WHERE id >= 0 ORDER BY id", 0,
                            "audit_log_legacy 第 %lld 行：编号不在台账之前的范围内（在 zhifa 之外插入）")) < 0 ||
        sum == v->objects_sum)
        return rc;
    if ((rc = fail_each_row(v,
                            "SELECT o.idx FROM ledger_objects o WHERE o.idx < $1 AND NOT EXISTS (SELECT 1 FROM "
                            "ledger_events e WHERE e.idx = o.idx AND e.object_type = o.object_type AND "
                            "e.object_id = o.object_id) ORDER BY o.idx",
                            (int64_t)v->objects_below, "ledger_objects：叶子 %lld 的对象与事件不符（被插入或改动）")) < 0)
        return rc;
    return fail_each_row(v,
                         "SELECT e.idx FROM ledger_events e WHERE e.idx < $1 AND NOT EXISTS (SELECT 1 FROM "
                         "ledger_objects o WHERE o.object_type = e.object_type AND o.object_id = e.object_id "
                         "AND o.idx = e.idx) ORDER BY e.idx",
                         (int64_t)v->objects_below, "ledger_objects：缺少叶子 %lld 的对象（被删除）");
}

/* ---- 5. record rows ---- */

static int check_records(verifier *v)
{
    const zf_ledger_record_table *t;
    zf_err err = ZF_ERR_INIT;
    int rc = 0;

    v->phase = "记录表";
    for (t = zf_ledger_record_tables; t->object_type && rc >= 0; t++) {
        zf_stmt *st = NULL, *q = NULL;
        zf_buf sql = ZF_BUF_INIT, alt = ZF_BUF_INIT;
        zf_buf latest = ZF_BUF_INIT;
        int is_user = strcmp(t->object_type, "user") == 0;

        /* the newest event naming the row (a user also by login name) */
        zf_buf_puts(&latest, "SELECT content_sha256, idx FROM ledger_events WHERE idx IN (");
        zf_ledger_objects_sql(&latest, "object_type = $1 AND (object_id = $2 OR object_id = $3)");
        zf_buf_puts(&latest, ") ORDER BY idx DESC LIMIT 1");

        zf_buf_printf(&sql, "SELECT id, %s FROM %s ORDER BY id", is_user ? "username" : "''", t->table);
        rc = zf_db_prepare(&st, v->db, zf_buf_str(&sql), &err);
        zf_buf_free(&sql);
        if (rc < 0)
            break;
        while ((rc = zf_stmt_step(st, &err)) == 1) {
            char id[24], want[ZF_HASH_HEXLEN + 1];
            snprintf(id, sizeof id, "%lld", (long long)zf_stmt_int64(st, 0));
            zf_buf_reset(&alt);
            if (is_user) /* rows keep the login name as written */
                zf_buf_puts(&alt, zf_stmt_text(st, 1));
            if (zf_db_prepare(&q, v->db, zf_buf_str(&latest), &err) < 0)
                break;
            zf_stmt_bind_text(q, 1, t->object_type, -1);
            zf_stmt_bind_text(q, 2, id, -1);
            zf_stmt_bind_text(q, 3, zf_buf_str(&alt), -1);
            if (zf_stmt_step(q, &err) != 1)
                fail(v, "%s 第 %s 行：没有任何台账事件（在 zhifa 之外插入）", t->table, id);
            else if (zf_ledger_row_hash(want, v->db, t->object_type, id, NULL) == 1 &&
                     strcmp(want, zf_stmt_text(q, 0)) != 0)
                fail(v, "%s 第 %s 行：与台账叶子 %lld 记录的内容不符（在 zhifa 之外被改动）", t->table, id,
                     (long long)zf_stmt_int64(q, 1));
            zf_stmt_free(q);
            q = NULL;
        }
        zf_stmt_free(st);
        st = NULL;
        zf_buf_free(&alt);
        zf_buf_free(&latest);
        if (rc < 0)
            break;
        /* rows the ledger recorded that are gone */
        zf_buf_puts(&sql, "SELECT e.object_id, e.content_sha256, e.detail, e.idx FROM ledger_events e WHERE e.idx IN "
                          "(SELECT MAX(x.idx) FROM ledger_events x WHERE x.idx IN (");
        zf_ledger_objects_sql(&sql, "object_type = $1");
        zf_buf_printf(&sql,
                      ") GROUP BY x.object_id) AND NOT EXISTS (SELECT 1 FROM %s r WHERE CAST(r.id AS TEXT) = "
                      "e.object_id)",
                      t->table);
        rc = zf_db_prepare(&st, v->db, zf_buf_str(&sql), &err);
        zf_buf_free(&sql);
        if (rc < 0)
            break;
        zf_stmt_bind_text(st, 1, t->object_type, -1);
        while ((rc = zf_stmt_step(st, &err)) == 1) {
            char dh[65];
            const char *oid = zf_stmt_text(st, 0);
            if (!*oid || strspn(oid, "0123456789") != strlen(oid))
                continue; /* a user named by login name: not a row id */
            sha256_hex(dh, zf_stmt_text(st, 2), strlen(zf_stmt_text(st, 2)));
            if (strcmp(dh, zf_stmt_text(st, 1)) != 0)
                fail(v, "%s 第 %s 行：已被删除（台账叶子 %lld 记录了它）", t->table, zf_stmt_text(st, 0),
                     (long long)zf_stmt_int64(st, 3));
        }
        zf_stmt_free(st);
    }
    if (rc < 0)
        fprintf(stderr, "zhifa verify: %s\n", err.message);
    return rc < 0 ? rc : 0;
}

/* ---- 6. evidence files ---- */

static int hash_file(char out[65], const char *path)
{
    FILE *f = fopen(path, "rb");
    zf_digest *d = NULL;
    zf_digest_result r;
    char *buf;
    size_t n;
    int rc = -1;

    if (!f)
        return -1;
    buf = zf_malloc(1 << 20);
    if (zf_digest_new(&d, ZF_DIGEST_SHA256, NULL) == 0) {
        while ((n = fread(buf, 1, 1 << 20, f)) > 0)
            zf_digest_update(d, buf, n, NULL);
        if (!ferror(f) && zf_digest_final(&r, d, NULL) == 0) {
            memcpy(out, r.sha256_hex, 65);
            rc = 0;
        }
    }
    zf_digest_free(d);
    free(buf);
    fclose(f);
    return rc;
}

/* Whether zhifa.conf puts evidence in an S3 bucket. */
static int on_s3(const char *data_dir)
{
    zf_config *cfg = NULL;
    int yes = 0;

    if (zf_config_load(&cfg, data_dir, NULL) == 0)
        yes = strcmp(zf_config_get(cfg, "blob_store", "fs"), "s3") == 0;
    zf_config_free(cfg);
    return yes;
}

/* Each file the rows of query (id, sha256) name, read back from bs and
 * hashed; a failure names the file (what: its kind) and the row of table. */
static int check_blob_rows(verifier *v, zf_blob_store *bs, const char *query, const char *table, const char *what,
                           uint64_t total)
{
    zf_stmt *st = NULL;
    zf_err err = ZF_ERR_INIT;
    uint64_t done = 0;
    int rc;

    if ((rc = zf_db_prepare(&st, v->db, query, &err)) < 0)
        return rc;
    while ((rc = zf_stmt_step(st, &err)) == 1) {
        const char *h = zf_stmt_text(st, 1);
        char loc[600];
        zf_blob_check chk;
        long long id = (long long)zf_stmt_int64(st, 0);
        progress(v, ++done, total);
        if (strlen(h) != 64 || strspn(h, "0123456789abcdef") != 64) {
            fail(v, "%s 第 %lld 行：哈希值格式错误（被改动）", table, id);
            continue;
        }
        zf_blob_location(loc, sizeof loc, bs, h);
        if (zf_blob_verify(&chk, bs, h, NULL, &err) < 0)
            fail(v, "%s %s 无法读取（%s；%s 第 %lld 行）", what, loc, err.message, table, id);
        else if (chk == ZF_BLOB_MISSING)
            fail(v, "%s %s 缺失（%s 第 %lld 行引用它）", what, loc, table, id);
        else if (chk == ZF_BLOB_CORRUPT)
            fail(v, "%s %s 的内容与其哈希值不符（被改动；%s 第 %lld 行）", what, loc, table, id);
    }
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

#define STORED_EVIDENCE "SELECT id, sha256 FROM evidence_files WHERE state = 'stored' ORDER BY id"

/* The same check on object storage: each object is read back and hashed. */
static int check_evidence_s3(verifier *v, uint64_t total)
{
    zf_blob_store *bs = NULL;
    zf_err err = ZF_ERR_INIT;
    int rc;

    if (zf_blob_open_configured(&bs, v->data_dir, &err) < 0) {
        fail(v, "无法连接证据文件的对象存储：%s", err.message);
        return 0;
    }
    rc = check_blob_rows(v, bs, STORED_EVIDENCE, "evidence_files", "证据文件", total);
    zf_blob_store_free(bs);
    return rc;
}

static int check_evidence(verifier *v)
{
    zf_stmt *st = NULL;
    zf_err err = ZF_ERR_INIT;
    uint64_t done = 0, total;
    int rc;

    if (count(v, strcmp(zf_db_dialect(v->db), "postgres") == 0
                     ? "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()"
                       " AND table_name = 'evidence_files'"
                     : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'evidence_files'") == 0)
        return 0;
    total = (uint64_t)count(v, "SELECT COUNT(*) FROM evidence_files WHERE state = 'stored'");
    v->phase = "证据文件";
    if (on_s3(v->data_dir))
        return check_evidence_s3(v, total);
    if ((rc = zf_db_prepare(&st, v->db, STORED_EVIDENCE, &err)) < 0)
        return rc;
    while ((rc = zf_stmt_step(st, &err)) == 1) {
        const char *h = zf_stmt_text(st, 1);
        char path[4096], got[65];
        progress(v, ++done, total);
        if (strlen(h) != 64 || strspn(h, "0123456789abcdef") != 64) {
            fail(v, "evidence_files 第 %lld 行：哈希值格式错误（被改动）", (long long)zf_stmt_int64(st, 0));
            continue;
        }
        snprintf(path, sizeof path, "%s/evidence/%.2s/%.2s/%s", v->data_dir, h, h + 2, h);
        if (hash_file(got, path) < 0)
            fail(v, "证据文件 %s 缺失（evidence_files 第 %lld 行引用它）", path, (long long)zf_stmt_int64(st, 0));
        else if (strcmp(got, h) != 0)
            fail(v, "证据文件 %s 的内容与其哈希值不符（被改动；evidence_files 第 %lld 行）", path,
                 (long long)zf_stmt_int64(st, 0));
    }
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

/* Every file a complaint's attachment row names, in DATA/complaint-files
 * (issue 8's store, beside the evidence: a record's reference to a file). */
static int check_complaint_files(verifier *v)
{
    zf_blob_store *bs = NULL;
    zf_err err = ZF_ERR_INIT;
    char dir[4096];
    uint64_t total = (uint64_t)count(v, "SELECT COUNT(*) FROM complaint_attachments");
    int rc;

    if (total == 0)
        return 0;
    v->phase = "投诉附件";
    snprintf(dir, sizeof dir, "%s/complaint-files", v->data_dir);
    if (access(dir, F_OK) != 0) { /* checked first: opening the store would create it */
        fail(v, "投诉附件目录 %s 缺失（complaint_attachments 有 %llu 行引用其中的文件）", dir,
             (unsigned long long)total);
        return 0;
    }
    if (zf_blob_store_open(&bs, dir, NULL, &err) < 0) {
        fail(v, "投诉附件目录 %s 无法打开：%s", dir, err.message);
        return 0;
    }
    rc = check_blob_rows(v, bs, "SELECT id, sha256 FROM complaint_attachments ORDER BY id", "complaint_attachments",
                         "投诉附件", total);
    zf_blob_store_free(bs);
    return rc;
}

int zf_cmd_verify(int argc, char **argv)
{
    const char *data_flag = NULL;
    verifier v;
    zf_err err = ZF_ERR_INIT;
    uint64_t n = 0;
    int i, rc;

    if (zf_cmd_wants_help(argc, argv)) {
        fputs(USAGE, stdout);
        return 0;
    }
    for (i = 1; i < argc; i++) {
        /* --bundle FILE: a 案卷 zip, checked offline (cmd/verify_bundle.c) */
        if (strcmp(argv[i], "--bundle") == 0 || strncmp(argv[i], "--bundle=", 9) == 0) {
            const char *file = argv[i][8] == '=' ? argv[i] + 9 : i + 1 < argc ? argv[i + 1] : NULL;

            if (!file || !*file || argc != (argv[i][8] == '=' ? 2 : 3))
                return zf_cmd_usage_error("verify", "用法：zhifa verify --bundle FILE");
            return zf_cmd_verify_bundle(file);
        }
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            data_flag = argv[++i];
        else if (strncmp(argv[i], "--data=", 7) == 0)
            data_flag = argv[i] + 7;
        else
            return zf_cmd_usage_error("verify", "未知参数 %s", argv[i]);
    }
    memset(&v, 0, sizeof v);
    v.shown_pct = -1;
    v.tty = isatty(2);
    if (!(v.data_dir = zf_cmd_data_dir(data_flag)))
        return zf_cmd_usage_error("verify", "缺少数据目录：请用 --data DIR 或设置 ZHIFA_DATA");
    if (zf_cmd_open_db(&v.db, v.data_dir, &err) < 0)
        return zf_cmd_fail(&err);
    v.tree = zf_merkle_memtree_new();
    zf_db_read_begin(v.db); /* one snapshot: a running server may append meanwhile */
    if ((rc = check_events(&v, &n)) < 0 || (rc = check_nodes(&v, n)) < 0 || (rc = check_checkpoints(&v, n)) < 0 ||
        (rc = check_objects(&v)) < 0 || (rc = check_records(&v)) < 0 || (rc = check_evidence(&v)) < 0 ||
        (rc = check_complaint_files(&v)) < 0) {
        fprintf(stderr, "zhifa verify: 校验中断：数据库读取失败\n");
        v.failures++;
    }
    zf_db_read_end(v.db);
    {
        zf_hash root;
        char hex[ZF_HASH_HEXLEN + 1];
        zf_merkle_memtree_root(&root, v.tree);
        zf_hash_to_hex(hex, &root);
        printf("台账：%llu 条事件，%lld 个检查点，根哈希 %s\n", (unsigned long long)n,
               (long long)count(&v, "SELECT COUNT(*) FROM checkpoints"), hex);
    }
    zf_merkle_memtree_free(v.tree);
    zf_db_close(v.db);
    if (v.failures) {
        printf("校验失败：发现 %ld 处不符，数据可能在 zhifa 之外被改动、删除或插入。\n", v.failures);
        return 1;
    }
    printf("校验通过：台账、检查点、审计记录、记录表和证据文件均完好。\n");
    return 0;
}
