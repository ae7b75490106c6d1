/* test_ledger_store.c — the ledger in SQLite: appends only inside a
 * transaction, rollback leaves nothing, proofs equal the in-memory tree's for
 * every size 1..100 both before the nodes are synced (computed from the
 * leaves) and after (stored), the node sync stores exactly the perfect
 * subtrees in batches and resumes where it stopped, audit rows carry their
 * events, and checkpoints refuse a tree that does not extend the last signed
 * one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ledger/checkpoint.h"
#include "ledger/jcs.h"
#include "ledger/merkle.h"
#include "ledger/sign.h"
#include "ledger/sm3.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/ledger_store.h"
#include "util/embed.h"
#include "util/mem.h"
#include "testdb.h"

static char dbpath[256];

static int setup(void **state)
{
    zf_db *db = NULL;
    zf_err err = ZF_ERR_INIT;

    snprintf(dbpath, sizeof dbpath, "/tmp/zf-test-ledger-%d.db", (int)getpid());
    unlink(dbpath);
    assert_int_equal(zf_db_open(&db, dbpath, &err), 0);
    assert_int_equal(zf_db_migrate(db, &err), 0);
    *state = db;
    return 0;
}

static int teardown(void **state)
{
    char p[300];

    zf_db_close(*state);
    unlink(dbpath);
    snprintf(p, sizeof p, "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbpath);
    unlink(p);
    return 0;
}

static const char HASH_A[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

static zf_ledger_event event(int i)
{
    static char rid[32];
    zf_ledger_event ev = {1717200000 + i, i % 5, "officer_update", "officer", "7", HASH_A, rid, 0};
    snprintf(rid, sizeof rid, "r-%d", i);
    return ev;
}

static int64_t q(zf_db *db, const char *sql)
{
    int64_t n = -1;
    assert_true(zf_db_query_int64(db, &n, sql, NULL, 0, NULL) >= 0);
    return n;
}

static void append_n(zf_db *db, zf_merkle_memtree *mem, int from, int to)
{
    zf_err err = ZF_ERR_INIT;
    int i;

    assert_int_equal(zf_db_begin(db, &err), 0);
    for (i = from; i < to; i++) {
        zf_ledger_event ev = event(i);
        zf_buf canon = ZF_BUF_INIT;
        zf_hash leaf;
        assert_int_equal(zf_ledger_append(db, &ev, &err), 0);
        assert_int_equal(zf_ledger_event_canonical(&canon, &ev, (uint64_t)i, &err), 0);
        zf_merkle_leaf_hash(&leaf, canon.ptr, canon.len);
        zf_merkle_memtree_append(mem, &leaf);
        zf_buf_free(&canon);
    }
    assert_int_equal(zf_db_commit(db, &err), 0);
}

static void test_refuses_outside_transaction(void **state)
{
    zf_db *db = *state;
    zf_err err = ZF_ERR_INIT;
    zf_ledger_event ev = event(0);

    assert_int_equal(zf_ledger_append(db, &ev, &err), ZF_EINTERNAL);
    assert_string_equal(err.code, "ledger_needs_transaction");
    assert_int_equal(q(db, "SELECT COUNT(*) FROM ledger_events"), 0);
}

static void test_rollback_leaves_nothing(void **state)
{
    zf_db *db = *state;
    zf_err err = ZF_ERR_INIT;
    zf_ledger_event ev = event(0);
    uint64_t n = 99;

    assert_int_equal(zf_db_begin(db, &err), 0);
    assert_int_equal(zf_ledger_append(db, &ev, &err), 0);
    assert_int_equal(zf_ledger_append(db, &ev, &err), 0);
    zf_db_rollback(db);
    assert_int_equal(zf_ledger_size(db, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(q(db, "SELECT COUNT(*) FROM ledger_nodes"), 0);
}

static void test_canonical_event(void **state)
{
    zf_buf b = ZF_BUF_INIT;
    zf_ledger_event ev = {1717228800, 12, "case.update", "case", "C-1", HASH_A, "r-1", 0};

    (void)state;
    assert_int_equal(zf_ledger_event_canonical(&b, &ev, 7, NULL), 0);
    assert_string_equal(zf_buf_str(&b),
                        "{\"action\":\"case.update\",\"actor\":12,\"content_sha256\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"object\":{\"id\":\"C-1\",\"type\":\"case\"},"
                        "\"request_id\":\"r-1\",\"seq\":7,\"time\":\"2024-06-01T08:00:00Z\"}");
    zf_buf_free(&b);
}

/* The old construction, through a jansson object and zf_jcs_encode: the
 * direct encoder must give the same bytes for every input. */
static json_t *ref_str(const char *s)
{
    json_t *v = json_string(s ? s : "");
    return v ? v : json_string("\xef\xbf\xbd");
}

static int ref_canonical(zf_buf *out, const zf_ledger_event *ev, uint64_t seq)
{
    char when[21];
    json_t *o = json_object(), *obj = json_object();
    int rc;

    zf_ledger_rfc3339(when, ev->at);
    json_object_set_new(obj, "id", ref_str(ev->object_id));
    json_object_set_new(obj, "type", ref_str(ev->object_type));
    json_object_set_new(o, "action", ref_str(ev->action));
    json_object_set_new(o, "actor", json_integer(ev->actor_id));
    json_object_set_new(o, "content_sha256", ref_str(ev->content_sha256));
    json_object_set_new(o, "object", obj);
    json_object_set_new(o, "request_id", ref_str(ev->request_id));
    json_object_set_new(o, "seq", json_integer((json_int_t)seq));
    json_object_set_new(o, "time", json_string(when));
    rc = zf_jcs_encode(out, o, NULL);
    json_decref(o);
    return rc;
}

static void test_canonical_matches_jcs(void **state)
{
    static const char *texts[] = {
        "", "C-1", "引号\"与\\反斜杠", "控制\x01\x1f\b\f\n\r\t字符", "\x7f", "😀 emoji \xef\xac\x81",
        "sha256:0123", "bad \xff utf8", "\xed\xa0\x80 surrogate", "\xc0\xaf overlong", "\xf4\x90\x80\x80 big",
        "</script>&amp;", "\xe2\x80\xa8 line separator", NULL,
    };
    const size_t n = sizeof texts / sizeof texts[0];
    const int64_t actors[] = {0, 12, -5, 9007199254740991LL, -9007199254740991LL};
    const uint64_t seqs[] = {0, 7, 123456789, 9007199254740991ULL};
    size_t i, j;

    (void)state;
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) {
            zf_ledger_event ev = {1717228800 + (int64_t)(i * 86400 * 37), actors[(i + j) % 5], "case.update",
                                  texts[i], texts[j], HASH_A, texts[(i * 7 + j) % n], 0};
            zf_buf a = ZF_BUF_INIT, b = ZF_BUF_INIT;
            uint64_t seq = seqs[(i + 3 * j) % 4];
            if (texts[i] && (texts[i][0] == '\0'))
                ev.action = "x"; /* action must not be empty */
            assert_int_equal(zf_ledger_event_canonical(&a, &ev, seq, NULL), 0);
            assert_int_equal(ref_canonical(&b, &ev, seq), 0);
            assert_string_equal(zf_buf_str(&a), zf_buf_str(&b));
            zf_buf_free(&a);
            zf_buf_free(&b);
        }
    {
        /* beyond 2^53 - 1 both refuse */
        zf_ledger_event ev = {0, 9007199254740992LL, "a", "t", "1", HASH_A, "", 0};
        zf_buf a = ZF_BUF_INIT;
        assert_int_equal(zf_ledger_event_canonical(&a, &ev, 1, NULL), ZF_EINVAL);
        ev.actor_id = 1;
        zf_buf_reset(&a);
        assert_int_equal(zf_ledger_event_canonical(&a, &ev, 9007199254740992ULL, NULL), ZF_EINVAL);
        zf_buf_free(&a);
    }
}

static void test_proofs_match_memtree(void **state)
{
    zf_db *db = *state;
    zf_err err = ZF_ERR_INIT;
    zf_merkle_memtree *mem = zf_merkle_memtree_new();
    zf_merkle_source msrc = zf_merkle_memtree_source(mem);
    zf_hash a[ZF_MERKLE_MAX_PROOF], b[ZF_MERKLE_MAX_PROOF], r1, r2;
    size_t na, nb, k;
    uint64_t n, i, m;
    int step;

    /* appended in transactions of varying size */
    for (step = 0, n = 0; n < 100; step++) {
        uint64_t to = n + 1 + (uint64_t)(step % 4);
        if (to > 100)
            to = 100;
        append_n(db, mem, (int)n, (int)to);
        n = to;
    }
    /* writers store only leaves: every node is computed from them */
    assert_int_equal(q(db, "SELECT COUNT(*) FROM ledger_nodes"), 0);
    for (n = 1; n <= 100; n += 7) {
        assert_int_equal(zf_ledger_root(&r1, db, n, &err), 0);
        assert_int_equal(zf_merkle_range_root(&r2, &msrc, 0, n, &err), 0);
        assert_true(zf_hash_equal(&r1, &r2));
        for (i = 0; i < n; i += 3) {
            assert_int_equal(zf_ledger_inclusion(a, &na, db, i, n, &err), 0);
            assert_int_equal(zf_merkle_inclusion_proof(b, &nb, &msrc, i, n, &err), 0);
            assert_int_equal(na, nb);
            for (k = 0; k < na; k++)
                assert_true(zf_hash_equal(&a[k], &b[k]));
        }
    }
    /* then exactly the perfect subtrees of level >= 1 are stored */
    {
        int64_t expect = 0;
        uint64_t leaves = 0;
        for (k = 1; k < 8; k++)
            expect += 100 >> k;
        assert_int_equal(zf_ledger_nodes_sync(db, &leaves, &err), 0);
        assert_int_equal(leaves, 100);
        assert_int_equal(q(db, "SELECT COUNT(*) FROM ledger_nodes"), expect);
        assert_int_equal(q(db, "SELECT MIN(length(hash)) FROM ledger_nodes"), 32);
        assert_int_equal(q(db, "SELECT MAX(length(hash)) FROM ledger_nodes"), 32);
        /* nothing new: the next sync resumes at the prefix's end */
        assert_int_equal(zf_ledger_nodes_sync(db, &leaves, &err), 0);
        assert_int_equal(leaves, 0);
        assert_int_equal(q(db, "SELECT COUNT(*) FROM ledger_nodes"), expect);
    }
    for (n = 1; n <= 100; n++) {
        assert_int_equal(zf_ledger_root(&r1, db, n, &err), 0);
        assert_int_equal(zf_merkle_range_root(&r2, &msrc, 0, n, &err), 0);
        assert_true(zf_hash_equal(&r1, &r2));
        for (i = 0; i < n; i++) {
            assert_int_equal(zf_ledger_inclusion(a, &na, db, i, n, &err), 0);
            assert_int_equal(zf_merkle_inclusion_proof(b, &nb, &msrc, i, n, &err), 0);
            assert_int_equal(na, nb);
            for (k = 0; k < na; k++)
                assert_true(zf_hash_equal(&a[k], &b[k]));
        }
        for (m = 1; m <= n; m++) {
            assert_int_equal(zf_ledger_consistency(a, &na, db, m, n, &err), 0);
            assert_int_equal(zf_merkle_consistency_proof(b, &nb, &msrc, m, n, &err), 0);
            assert_int_equal(na, nb);
            for (k = 0; k < na; k++)
                assert_true(zf_hash_equal(&a[k], &b[k]));
        }
    }
    /* out of range */
    assert_int_equal(zf_ledger_inclusion(a, &na, db, 100, 100, &err), ZF_EINVAL);
    assert_int_equal(zf_ledger_inclusion(a, &na, db, 0, 101, &err), ZF_EINVAL);
    assert_int_equal(zf_ledger_consistency(a, &na, db, 0, 5, &err), ZF_EINVAL);
    assert_int_equal(zf_ledger_consistency(a, &na, db, 6, 5, &err), ZF_EINVAL);
    assert_int_equal(zf_ledger_root(&r1, db, 101, &err), ZF_EINVAL);
    zf_merkle_memtree_free(mem);
}

/* More leaves than one sync batch, an odd tail, then more: every batch
 * commits whole and the next sync resumes from the stored prefix; a node
 * deleted behind zhifa's back is computed from its children for proofs. */
static void test_nodes_sync_batches(void **state)
{
    zf_db *db = *state;
    zf_err err = ZF_ERR_INIT;
    zf_merkle_memtree *mem = zf_merkle_memtree_new();
    zf_merkle_source msrc = zf_merkle_memtree_source(mem);
    zf_hash a[ZF_MERKLE_MAX_PROOF], b[ZF_MERKLE_MAX_PROOF], r1, r2;
    size_t na, nb, k;
    uint64_t leaves = 0, n;
    int64_t expect;
    unsigned l;

    append_n(db, mem, 0, 20001);
    assert_int_equal(zf_ledger_nodes_sync(db, &leaves, &err), 0);
    assert_int_equal(leaves, 20001);
    for (expect = 0, l = 1; l < 20; l++)
        expect += 20001 >> l;
    assert_int_equal(q(db, "SELECT COUNT(*) FROM ledger_nodes"), expect);
    /* the odd last leaf completes nothing: the prefix ends before it */
    assert_int_equal(q(db, "SELECT MAX(idx) FROM ledger_nodes WHERE level = 1"), 9999);
    assert_int_equal(q(db, "SELECT COUNT(*) FROM ledger_objects"), 20001);
    append_n(db, mem, 20001, 20004);
    {
        /* by object: ledger_objects below the synced prefix (20000), the
         * rows from there on (20000 is in both: counted once) */
        zf_buf sql = ZF_BUF_INIT;
        zf_buf_puts(&sql, "SELECT COUNT(*), MAX(idx) FROM ledger_events WHERE idx IN (");
        zf_ledger_objects_sql(&sql, "object_type = 'officer' AND object_id = '7'");
        zf_buf_puts(&sql, ")");
        assert_int_equal(q(db, zf_buf_str(&sql)), 20004);
        zf_buf_free(&sql);
        zf_buf_puts(&sql, "SELECT COUNT(*) FROM (");
        zf_ledger_objects_sql(&sql, "object_type = 'officer' AND object_id = '8'");
        zf_buf_puts(&sql, ") x");
        assert_int_equal(q(db, zf_buf_str(&sql)), 0);
        zf_buf_free(&sql);
    }
    assert_int_equal(zf_ledger_nodes_sync(db, &leaves, &err), 0);
    assert_int_equal(leaves, 4); /* from 20000 */
    assert_int_equal(q(db, "SELECT COUNT(*) FROM ledger_objects"), 20004);
    for (expect = 0, l = 1; l < 20; l++)
        expect += 20004 >> l;
    assert_int_equal(q(db, "SELECT COUNT(*) FROM ledger_nodes"), expect);
    n = 20004;
    assert_int_equal(zf_ledger_root(&r1, db, n, &err), 0);
    zf_merkle_memtree_root(&r2, mem);
    assert_true(zf_hash_equal(&r1, &r2));
    /* proofs read the stored nodes (not recomputed every time): a stored
     * node altered by hand shows in the root */
    assert_int_equal(zf_db_exec(db, "UPDATE ledger_nodes SET hash = zeroblob(32) WHERE level = 14 AND idx = 0", &err),
                     0);
    assert_int_equal(zf_ledger_root(&r1, db, n, &err), 0);
    assert_false(zf_hash_equal(&r1, &r2));
    assert_int_equal(zf_db_exec(db, "DELETE FROM ledger_nodes WHERE level = 14 AND idx = 0", &err), 0);
    assert_int_equal(zf_ledger_root(&r1, db, n, &err), 0);
    assert_true(zf_hash_equal(&r1, &r2));
    /* a missing node: proofs still right (verify reports the deletion) */
    assert_int_equal(zf_db_exec(db, "DELETE FROM ledger_nodes WHERE level = 12 AND idx = 1", &err), 0);
    assert_int_equal(zf_ledger_inclusion(a, &na, db, 4096 + 17, n, &err), 0);
    assert_int_equal(zf_merkle_inclusion_proof(b, &nb, &msrc, 4096 + 17, n, &err), 0);
    assert_int_equal(na, nb);
    for (k = 0; k < na; k++)
        assert_true(zf_hash_equal(&a[k], &b[k]));
    assert_int_equal(zf_ledger_consistency(a, &na, db, 8193, n, &err), 0);
    assert_int_equal(zf_merkle_consistency_proof(b, &nb, &msrc, 8193, n, &err), 0);
    assert_int_equal(na, nb);
    for (k = 0; k < na; k++)
        assert_true(zf_hash_equal(&a[k], &b[k]));
    /* not inside another transaction */
    assert_int_equal(zf_db_begin(db, &err), 0);
    assert_int_equal(zf_ledger_nodes_sync(db, &leaves, &err), ZF_EINTERNAL);
    zf_db_rollback(db);
    zf_merkle_memtree_free(mem);
}

static void test_audit_writes_event(void **state)
{
    zf_db *db = *state;
    zf_err err = ZF_ERR_INIT;
    zf_audit_event ev = {1717200000, 3, "admin", "login_failed", "user", "张三的登录名", "127.0.0.1", "rid-1",
                         "bad password"};
    char text[512];
    zf_stmt *st = NULL;

    /* outside a transaction: its own, row and event together */
    assert_int_equal(zf_audit_write(db, &ev, &err), 0);
    assert_int_equal(q(db, "SELECT COUNT(*) FROM audit_log"), 1);
    /* one row: the audit row is the event's (the view's id is its idx) */
    assert_int_equal(q(db, "SELECT COUNT(*) FROM ledger_events e JOIN audit_log a ON a.id = e.idx "
                           "WHERE a.actor_name = 'admin' AND a.ip = '127.0.0.1' AND a.detail = 'bad password' "
                           "AND a.object_id = '张三的登录名' AND e.content_from = 1"),
                     1);
    assert_int_equal(zf_db_in_transaction(db), 0);
    /* no personal data in the event: the typed name is hashed, no ip, no detail */
    {
        zf_buf canon = ZF_BUF_INIT;
        zf_hash leaf;
        assert_int_equal(zf_ledger_leaf(&canon, &leaf, db, 0, &err), 0);
        snprintf(text, sizeof text, "%s", zf_buf_str(&canon));
        zf_buf_free(&canon);
    }
    (void)st;
    assert_null(strstr(text, "张三"));
    assert_null(strstr(text, "127.0.0.1"));
    assert_null(strstr(text, "bad password"));
    assert_non_null(strstr(text, "\"id\":\"sha256:"));
    {
        /* a login name typed in the hashed form is hashed too, never shown */
        zf_audit_event ev2 = {1717200001, 0, "x", "login_failed", "user",
                              "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "", "", ""};
        zf_buf canon = ZF_BUF_INIT;
        zf_hash leaf;
        assert_int_equal(zf_audit_write(db, &ev2, &err), 0);
        assert_int_equal(zf_ledger_leaf(&canon, &leaf, db, 1, &err), 0);
        assert_null(strstr(zf_buf_str(&canon), "bbbbbbbb"));
        assert_non_null(strstr(zf_buf_str(&canon), "\"id\":\"sha256:"));
        zf_buf_free(&canon);
        assert_int_equal(zf_db_exec(db, "DELETE FROM ledger_events WHERE idx = 1", &err), 0);
    }
    /* inside a rolled-back transaction: neither survives */
    assert_int_equal(zf_db_begin(db, &err), 0);
    assert_int_equal(zf_audit_write(db, &ev, &err), 0);
    zf_db_rollback(db);
    assert_int_equal(q(db, "SELECT COUNT(*) FROM audit_log"), 1);
    assert_int_equal(q(db, "SELECT COUNT(*) FROM ledger_events"), 1);
    /* fail closed: an event that cannot be written fails the audit write */
    assert_int_equal(zf_db_exec(db, "CREATE TRIGGER no_events BEFORE INSERT ON ledger_events "
                                    "BEGIN SELECT RAISE(ABORT, 'refused'); END",
                                &err),
                     0);
    assert_true(zf_audit_write(db, &ev, &err) < 0);
    assert_int_equal(q(db, "SELECT COUNT(*) FROM audit_log"), 1);
    assert_int_equal(zf_db_exec(db, "DROP TRIGGER no_events", &err), 0);
}

static void test_checkpoints(void **state)
{
    zf_db *db = *state;
    zf_err err = ZF_ERR_INIT;
    zf_merkle_memtree *mem = zf_merkle_memtree_new();
    zf_sign_key *key = NULL;
    zf_ledger_checkpoint_row row;
    zf_checkpoint *cp = NULL;
    int issued = -1;

    assert_int_equal(zf_sign_key_generate(&key, ZF_SIGN_SM2, &err), 0);
    append_n(db, mem, 0, 10);
    assert_int_equal(zf_ledger_checkpoint_issue(db, key, "zhifa/test", 1717200000, &issued, &err), 0);
    assert_int_equal(issued, 1);
    /* nothing new: nothing issued */
    assert_int_equal(zf_ledger_checkpoint_issue(db, key, "zhifa/test", 1717200001, &issued, &err), 0);
    assert_int_equal(issued, 0);
    assert_int_equal(zf_ledger_checkpoint_latest(&row, db, &err), 1);
    assert_int_equal(row.tree_size, 10);
    assert_string_equal(row.algorithm, "sm2");
    assert_string_equal(row.key_id, zf_sign_key_id(key));
    assert_int_equal(zf_checkpoint_parse(&cp, row.note, strlen(row.note), &err), 0);
    assert_int_equal(zf_checkpoint_verify(cp, "zhifa/test", key, &err), 0);
    zf_checkpoint_free(cp);
    zf_ledger_checkpoint_row_free(&row);
    append_n(db, mem, 10, 13);
    assert_int_equal(zf_ledger_checkpoint_issue(db, key, "zhifa/test", 1717200002, &issued, &err), 0);
    assert_int_equal(issued, 1);

    /* rewrite history behind zhifa's back: leaf 4 and every node above it */
    assert_int_equal(zf_db_exec(db,
                                "UPDATE ledger_events SET action = 'officer_delete' WHERE idx = 4;"
                                "DELETE FROM ledger_nodes;",
                                &err),
                     0);
    {
        /* rebuild the nodes from the altered leaves so proofs are self-consistent */
        zf_merkle_frontier f;
        zf_merkle_node nodes[ZF_MERKLE_MAX_NEW_NODES];
        size_t n, i;
        uint64_t j;
        zf_merkle_frontier_init(&f);
        assert_int_equal(zf_db_begin(db, &err), 0);
        for (j = 0; j < 13; j++) {
            zf_hash leaf;
            zf_merkle_source src = zf_ledger_source(db);
            assert_int_equal(src.get_node(src.ctx, 0, j, &leaf, &err), 0);
            zf_merkle_frontier_append(&f, &leaf, nodes, &n);
            for (i = 0; i < n; i++) {
                char sql[256], hex[65];
                if (!nodes[i].level)
                    continue;
                zf_hash_to_hex(hex, &nodes[i].hash);
                snprintf(sql, sizeof sql, "INSERT INTO ledger_nodes VALUES (%u, %llu, X'%s')", nodes[i].level,
                         (unsigned long long)nodes[i].index, hex);
                assert_int_equal(zf_db_exec(db, sql, &err), 0);
            }
        }
        assert_int_equal(zf_db_commit(db, &err), 0);
    }
    append_n(db, mem, 13, 14);
    assert_int_equal(zf_ledger_checkpoint_issue(db, key, "zhifa/test", 1717200003, &issued, &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "checkpoint_inconsistent");
    assert_non_null(strstr(err.message, "13"));
    assert_int_equal(issued, 0);
    assert_int_equal(q(db, "SELECT COUNT(*) FROM checkpoints"), 2);
    assert_int_equal(zf_db_in_transaction(db), 0);

    /* a smaller tree than the last checkpoint is refused too */
    assert_int_equal(zf_db_exec(db, "DELETE FROM ledger_events WHERE idx >= 5", &err), 0);
    assert_int_equal(zf_ledger_checkpoint_issue(db, key, "zhifa/test", 1717200004, &issued, &err), ZF_ECONFLICT);
    assert_int_equal(q(db, "SELECT COUNT(*) FROM checkpoints"), 2);
    zf_sign_key_free(key);
    zf_merkle_memtree_free(mem);
}

static void test_key_files(void **state)
{
    char dir[] = "/tmp/zf-test-ledger-key-XXXXXX", path[300];
    zf_err err = ZF_ERR_INIT;
    zf_sign_key *k = NULL;
    zf_sign_alg algs[2] = {ZF_SIGN_SM2, ZF_SIGN_ED25519};
    int i;

    (void)state;
    for (i = 0; i < 2; i++) {
        strcpy(dir, "/tmp/zf-test-ledger-key-XXXXXX");
        assert_non_null(mkdtemp(dir));
        assert_int_equal(zf_ledger_key_create(dir, algs[i], &err), 0);
        assert_int_equal(zf_ledger_key_create(dir, algs[i], &err), ZF_EIO); /* never overwritten */
        assert_int_equal(zf_ledger_key_load(&k, dir, &err), 0);
        assert_int_equal(zf_sign_key_alg(k), algs[i]);
        assert_true(zf_sign_key_has_private(k));
        zf_sign_key_free(k);
        k = NULL;
        snprintf(path, sizeof path, "%s/signing.key", dir);
        unlink(path);
        snprintf(path, sizeof path, "%s/signing.pub", dir);
        unlink(path);
        rmdir(dir);
    }
}


/* Migration 0025 on a database written the old way (audit_log rows beside
 * ledger_events rows holding the canonical text and the leaf hash): every
 * old leaf must come back byte for byte from the converted row, so the root
 * every checkpoint signed is unchanged. The old texts are built by the
 * reference encoder (jansson + zf_jcs_encode), not by the code under test. */
static void test_migration_0025_keeps_roots(void **state)
{
    enum { N = 41 };
    static const char *names[] = {"张三的登录名", "admin", "x y",
                                  "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    zf_db *db = NULL;
    zf_err err = ZF_ERR_INIT;
    zf_merkle_memtree *mem = zf_merkle_memtree_new();
    zf_hash want, got;
    char *old_text[N];
    const zf_embedded_file *f;
    int v, i;

    (void)state;
    unlink(dbpath);
    /* on PostgreSQL too under make test-pg: the migration has a section per backend */
    assert_int_equal(zf_db_open(&db, zf_test_db_location(dbpath), &err), 0);
    /* the schema as it was at 0024 */
    for (v = 1; v <= 24; v++) {
        char name[64];
        for (f = zf_embedded_files; f->name; f++) {
            snprintf(name, sizeof name, "store/migrations/%04d_", v);
            if (strncmp(f->name, name, strlen(name)) == 0) {
                char *sql = zf_db_migration_text((const char *)f->data, zf_db_dialect(db));
                assert_int_equal(zf_db_exec(db, sql, &err), 0);
                free(sql);
            }
        }
    }
    assert_int_equal(zf_db_exec(db,
                                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);"
                                "DELETE FROM schema_version; INSERT INTO schema_version VALUES (24);"
                                /* three rows older than the ledger */
                                "INSERT INTO audit_log (id, at, actor_id, actor_name, action, detail) VALUES "
                                "(1, 1600000000, NULL, 'system', 'init', 'a'), (2, 1600000001, 1, 'admin', 'login', ''),"
                                "(3, 1600000002, 1, 'admin', 'logout', 'c');"
                                "UPDATE ledger_state SET audit_floor = 3;",
                                &err),
                     0);
    assert_int_equal(zf_db_begin(db, &err), 0);
    for (i = 0; i < N; i++) {
        char rid[32], content[65], oidbuf[32];
        const char *type = i % 4 == 0 ? "user" : i % 4 == 1 ? "case" : i % 4 == 2 ? "officer" : "";
        const char *raw = i % 4 == 0 ? names[(i / 4) % 4] : i % 4 == 3 ? "" : oidbuf;
        const char *detail = i % 2 ? "detail \"引号\"" : "";
        int given = i % 3 == 0, with_audit = i != N - 1;
        zf_buf shown = ZF_BUF_INIT, text = ZF_BUF_INIT;
        zf_ledger_event ev;
        zf_stmt *st = NULL;
        zf_hash leaf;
        char leaf_hex[65], when[21];
        uint8_t d[32];

        snprintf(oidbuf, sizeof oidbuf, "%d", 100 + i);
        snprintf(rid, sizeof rid, "r-%d", i);
        zf_sha256(d, given ? rid : detail, strlen(given ? rid : detail));
        zf_hex_encode(content, d, sizeof d);
        zf_ledger_object_id(&shown, type, raw); /* what the old ledger row held */
        memset(&ev, 0, sizeof ev);
        ev.at = 1717200000 + i * 3600;
        ev.actor_id = i % 5 ? i % 5 : 0;
        ev.action = i % 2 ? "officer_update" : "login_failed";
        ev.object_type = type;
        ev.object_id = zf_buf_str(&shown);
        ev.content_sha256 = content;
        ev.request_id = i % 7 ? rid : "";
        assert_int_equal(ref_canonical(&text, &ev, (uint64_t)i), 0);
        zf_merkle_leaf_hash(&leaf, text.ptr, text.len);
        zf_merkle_memtree_append(mem, &leaf);
        zf_hash_to_hex(leaf_hex, &leaf);
        zf_ledger_rfc3339(when, ev.at);
        old_text[i] = zf_strdup(zf_buf_str(&text));
        if (with_audit) {
            assert_int_equal(zf_db_prepare(&st, db,
                                           "INSERT INTO audit_log (id, at, actor_id, actor_name, action, object_type, "
                                           "object_id, ip, request_id, detail, content_sha256) VALUES ($1, $2, $3, "
                                           "'someone', $4, $5, $6, '10.0.0.1', $7, $8, $9)",
                                           &err),
                             0);
            zf_stmt_bind_int64(st, 1, 4 + i);
            zf_stmt_bind_int64(st, 2, ev.at);
            if (ev.actor_id)
                zf_stmt_bind_int64(st, 3, ev.actor_id);
            else
                zf_stmt_bind_null(st, 3);
            zf_stmt_bind_text(st, 4, ev.action, -1);
            zf_stmt_bind_text(st, 5, type, -1);
            zf_stmt_bind_text(st, 6, raw, -1);
            zf_stmt_bind_text(st, 7, ev.request_id, -1);
            zf_stmt_bind_text(st, 8, detail, -1);
            zf_stmt_bind_text(st, 9, given ? content : "", -1);
            assert_int_equal(zf_stmt_step(st, &err), 0);
            zf_stmt_free(st);
        }
        assert_int_equal(zf_db_prepare(&st, db,
                                       "INSERT INTO ledger_events (idx, event, leaf_hash, at, actor_id, action, "
                                       "object_type, object_id, content_sha256, request_id, audit_id) VALUES ($1, "
                                       "$2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                                       &err),
                         0);
        zf_stmt_bind_int64(st, 1, i);
        zf_stmt_bind_text(st, 2, zf_buf_str(&text), -1);
        zf_stmt_bind_text(st, 3, leaf_hex, -1);
        zf_stmt_bind_text(st, 4, when, -1);
        zf_stmt_bind_int64(st, 5, ev.actor_id);
        zf_stmt_bind_text(st, 6, ev.action, -1);
        zf_stmt_bind_text(st, 7, type, -1);
        zf_stmt_bind_text(st, 8, ev.object_id, -1);
        zf_stmt_bind_text(st, 9, content, -1);
        zf_stmt_bind_text(st, 10, ev.request_id, -1);
        if (with_audit)
            zf_stmt_bind_int64(st, 11, 4 + i);
        else
            zf_stmt_bind_null(st, 11);
        assert_int_equal(zf_stmt_step(st, &err), 0);
        zf_stmt_free(st);
        zf_buf_free(&shown);
        zf_buf_free(&text);
    }
    assert_int_equal(zf_db_commit(db, &err), 0);
    zf_merkle_memtree_root(&want, mem);

    if (zf_db_migrate(db, &err) < 0)
        fail_msg("migration: %s", err.message);
    /* every leaf rebuilt from its row is the old text, so the root is too */
    for (i = 0; i < N; i++) {
        zf_buf text = ZF_BUF_INIT;
        zf_hash leaf;
        assert_int_equal(zf_ledger_leaf(&text, &leaf, db, (uint64_t)i, &err), 0);
        assert_string_equal(zf_buf_str(&text), old_text[i]);
        zf_buf_free(&text);
        free(old_text[i]);
    }
    assert_int_equal(zf_ledger_root(&got, db, N, &err), 0);
    assert_true(zf_hash_equal(&got, &want));
    assert_int_equal(zf_ledger_nodes_sync(db, NULL, &err), 0);
    assert_int_equal(zf_ledger_root(&got, db, N, &err), 0);
    assert_true(zf_hash_equal(&got, &want));
    /* the audit view: one row per event (id = idx, the object as written)
     * and the three older rows below 0 */
    assert_int_equal(q(db, "SELECT COUNT(*) FROM audit_log"), N + 3);
    assert_int_equal(q(db, "SELECT COUNT(*) FROM audit_log WHERE id < 0"), 3);
    assert_int_equal(q(db, "SELECT MIN(id) FROM audit_log"), -3);
    assert_int_equal(q(db, "SELECT COUNT(*) FROM audit_log WHERE id = 0 AND object_id = '张三的登录名' AND "
                           "actor_name = 'someone' AND ip = '10.0.0.1' AND actor_id IS NULL"),
                     1);
    assert_int_equal(q(db, "SELECT COUNT(*) FROM ledger_objects"), N);
    /* where each content hash came from: given, detail, record row */
    assert_int_equal(q(db, "SELECT content_from FROM ledger_events WHERE idx = 3"), 0);
    assert_int_equal(q(db, "SELECT content_from FROM ledger_events WHERE idx = 1"), 1);
    assert_int_equal(q(db, "SELECT content_from FROM ledger_events WHERE idx = 2"), 2);
    assert_int_equal(q(db, "SELECT content_from FROM ledger_events WHERE idx = 4"), 2);
    assert_int_equal(q(db, strcmp(zf_db_dialect(db), "postgres") == 0
                               ? "SELECT COUNT(*) FROM information_schema.views WHERE table_schema = "
                                 "current_schema() AND table_name = 'audit_log'"
                               : "SELECT COUNT(*) FROM sqlite_master WHERE name = 'audit_log' AND type = 'view'"),
                     1);
    /* and appends continue the same tree */
    {
        zf_audit_event ev = {1717300000, 1, "admin", "login", "user", "1", "", "", ""};
        assert_int_equal(zf_audit_write(db, &ev, &err), 0);
        assert_int_equal(q(db, "SELECT MAX(id) FROM audit_log"), N);
    }
    zf_db_close(db);
    zf_merkle_memtree_free(mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_refuses_outside_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback_leaves_nothing, setup, teardown),
        cmocka_unit_test(test_canonical_event),
        cmocka_unit_test(test_canonical_matches_jcs),
        cmocka_unit_test_setup_teardown(test_proofs_match_memtree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nodes_sync_batches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_writes_event, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoints, setup, teardown),
        cmocka_unit_test(test_key_files),
        cmocka_unit_test_setup_teardown(test_migration_0025_keeps_roots, NULL, teardown),
    };
    /* make test-pg: the migration test, which runs on either backend; the
     * others tamper with SQLite-only SQL */
    const struct CMUnitTest pg_tests[] = {
        cmocka_unit_test_setup_teardown(test_migration_0025_keeps_roots, NULL, teardown),
    };
    if (getenv("ZHIFA_TEST_PG_URL") && *getenv("ZHIFA_TEST_PG_URL"))
        return cmocka_run_group_tests(pg_tests, NULL, NULL);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
