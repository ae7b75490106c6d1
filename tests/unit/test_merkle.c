/* test_merkle.c — RFC 9162 hashing, proof generation and verification.
 *
 * Two kinds of evidence: the public known answers in
 * $ZF_REFERENCE_DIR/merkle/vectors.json (default /work/shared/reference),
 * read at test time and skipped when absent; and generated trees, where
 * every proof our generator makes must verify, any flipped bit must not, and
 * the incremental frontier must agree with a from-scratch root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/sha.h>

#include "ledger/merkle.h"
#include "util/err.h"

/* ---- helpers ------------------------------------------------------------- */

static json_t *vectors; /* NULL when the reference data is absent */

static int load_vectors(void **state)
{
    const char *dir = getenv("ZF_REFERENCE_DIR");
    char path[4096];
    json_error_t jerr;

    (void)state;
    snprintf(path, sizeof path, "%s/merkle/vectors.json",
             dir && *dir ? dir : "/work/shared/reference");
    /* INT_AS_REAL: two probes hold 2^64 - 1, which jansson's signed integers
     * cannot; ju64() maps the double back. */
    vectors = json_load_file(path, JSON_DECODE_INT_AS_REAL, &jerr);
    if (!vectors)
        printf("[  NOTE    ] %s not readable: reference vector tests will be skipped "
               "(set ZF_REFERENCE_DIR)\n", path);
    return 0;
}

static int free_vectors(void **state)
{
    (void)state;
    json_decref(vectors);
    return 0;
}

#define NEED_VECTORS()                                                                   \
    do {                                                                                 \
        if (!vectors) {                                                                  \
            printf("[  SKIPPED ] merkle/vectors.json absent\n");                          \
            skip();                                                                      \
        }                                                                                \
    } while (0)

/* Decoded hex kept in a pool freed per test, so zf_bytes can borrow it. */
static uint8_t *pool[4096];
static size_t npool;

static void pool_free(void)
{
    while (npool)
        free(pool[--npool]);
}

static zf_bytes hexb(const char *hex)
{
    size_t n = strlen(hex), i;
    uint8_t *b = malloc(n / 2 + 1);
    zf_bytes out;

    assert_int_equal(n % 2, 0);
    for (i = 0; i < n / 2; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        b[i] = (uint8_t)v;
    }
    assert_true(npool < sizeof pool / sizeof pool[0]);
    pool[npool++] = b;
    out.ptr = b;
    out.len = n / 2;
    return out;
}

static zf_hash hexh(const char *hex)
{
    zf_hash h;
    assert_int_equal(zf_hash_from_hex(&h, hex, strlen(hex)), 0);
    return h;
}

static const char *jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    assert_non_null(s);
    return s;
}

static uint64_t ju64(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    double d;

    assert_true(json_is_number(v));
    if (json_is_integer(v))
        return (uint64_t)json_integer_value(v);
    d = json_real_value(v);
    assert_true(d >= 0);
    /* Exact below 2^53; the only larger value in the file is 2^64 - 1, which
     * rounds to 2^64 as a double. */
    if (d >= 18446744073709551615.0)
        return UINT64_MAX;
    assert_true(d < 9007199254740992.0);
    return (uint64_t)d;
}

static size_t jproof(zf_bytes *out, const json_t *arr)
{
    size_t i;
    assert_true(json_is_array(arr));
    assert_true(json_array_size(arr) <= ZF_MERKLE_MAX_PROOF);
    for (i = 0; i < json_array_size(arr); i++)
        out[i] = hexb(json_string_value(json_array_get(arr, i)));
    return i;
}

static zf_bytes hb(const zf_hash *h)
{
    zf_bytes b = {h->b, ZF_HASH_LEN};
    return b;
}

/* A memtree over the 8 reference leaves. */
static zf_merkle_memtree *reference_tree(zf_hash leaves[8])
{
    json_t *arr = json_object_get(json_object_get(vectors, "reference_tree"), "leaves_hex");
    zf_merkle_memtree *t = zf_merkle_memtree_new();
    size_t i;

    assert_int_equal(json_array_size(arr), 8);
    for (i = 0; i < 8; i++) {
        zf_bytes d = hexb(json_string_value(json_array_get(arr, i)));
        zf_merkle_leaf_hash(&leaves[i], d.ptr, d.len);
        zf_merkle_memtree_append(t, &leaves[i]);
    }
    return t;
}

/* ---- reference vectors ---------------------------------------------------- */

static void test_hasher_kat(void **state)
{
    json_t *kat, *e;
    size_t i;
    zf_hash h, want;

    (void)state;
    NEED_VECTORS();
    zf_merkle_empty_root(&h);
    want = hexh(jstr(vectors, "empty_tree_root"));
    assert_true(zf_hash_equal(&h, &want));
    kat = json_object_get(vectors, "hasher_kat");
    assert_true(json_array_size(json_object_get(kat, "leaf")) >= 3);
    json_array_foreach(json_object_get(kat, "leaf"), i, e) {
        zf_bytes in = hexb(jstr(e, "input"));
        zf_merkle_leaf_hash(&h, in.ptr, in.len);
        want = hexh(jstr(e, "leaf_hash"));
        assert_true(zf_hash_equal(&h, &want));
    }
    json_array_foreach(json_object_get(kat, "node"), i, e) {
        zf_hash l = hexh(jstr(e, "left")), r = hexh(jstr(e, "right"));
        zf_merkle_node_hash(&h, &l, &r);
        want = hexh(jstr(e, "node_hash"));
        assert_true(zf_hash_equal(&h, &want));
    }
    pool_free();
}

static void test_reference_roots_and_nodes(void **state)
{
    zf_hash leaves[8], h, want;
    zf_merkle_memtree *t;
    zf_merkle_frontier f;
    zf_merkle_source src;
    json_t *roots, *levels, *lvl, *e;
    size_t i, l;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    NEED_VECTORS();
    t = reference_tree(leaves);
    src = zf_merkle_memtree_source(t);
    roots = json_object_get(json_object_get(vectors, "reference_tree"), "roots_by_tree_size");
    assert_int_equal(json_object_size(roots), 8);
    zf_merkle_frontier_init(&f);
    for (i = 1; i <= 8; i++) {
        char key[8];
        snprintf(key, sizeof key, "%zu", i);
        want = hexh(json_string_value(json_object_get(roots, key)));
        zf_merkle_root(&h, leaves, i);
        assert_true(zf_hash_equal(&h, &want));
        assert_int_equal(zf_merkle_frontier_append(&f, &leaves[i - 1], NULL, NULL), 0);
        zf_merkle_frontier_root(&h, &f);
        assert_true(zf_hash_equal(&h, &want));
        assert_int_equal(zf_merkle_range_root(&h, &src, 0, i, &err), 0);
        assert_true(zf_hash_equal(&h, &want));
    }
    levels = json_object_get(json_object_get(json_object_get(vectors, "reference_tree"),
                                             "node_hashes_by_level"), "levels");
    assert_int_equal(json_array_size(levels), 4);
    json_array_foreach(levels, l, lvl) {
        json_array_foreach(lvl, i, e) {
            want = hexh(json_string_value(e));
            assert_int_equal(src.get_node(src.ctx, (unsigned)l, i, &h, &err), 0);
            assert_true(zf_hash_equal(&h, &want));
            assert_int_equal(zf_merkle_range_root(&h, &src, i << l, (i + 1) << l, &err), 0);
            assert_true(zf_hash_equal(&h, &want));
        }
    }
    zf_merkle_memtree_free(t);
    pool_free();
}

static void test_reference_inclusion(void **state)
{
    zf_hash leaves[8], proof[ZF_MERKLE_MAX_PROOF], root;
    zf_bytes pb[ZF_MERKLE_MAX_PROOF];
    zf_merkle_memtree *t;
    zf_merkle_source src;
    json_t *arr, *e;
    size_t i, j, n, count = 0;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    NEED_VECTORS();
    t = reference_tree(leaves);
    src = zf_merkle_memtree_source(t);
    arr = json_object_get(vectors, "inclusion_proofs");
    json_array_foreach(arr, i, e) {
        uint64_t idx = ju64(e, "leaf_index"), size = ju64(e, "tree_size");
        json_t *path = json_object_get(e, "path");
        zf_bytes leaf = hexb(jstr(e, "leaf_hex"));
        zf_hash lh;

        root = hexh(jstr(e, "root"));
        assert_int_equal(zf_merkle_inclusion_proof(proof, &n, &src, idx, size, &err), 0);
        assert_int_equal(n, json_array_size(path));
        for (j = 0; j < n; j++) {
            zf_hash w = hexh(json_string_value(json_array_get(path, j)));
            assert_true(zf_hash_equal(&proof[j], &w));
        }
        zf_merkle_leaf_hash(&lh, leaf.ptr, leaf.len);
        assert_true(zf_hash_equal(&lh, &leaves[idx]));
        n = jproof(pb, path);
        assert_int_equal(zf_merkle_verify_inclusion(hb(&lh), idx, size, pb, n, hb(&root), &err),
                         0);
        count++;
    }
    assert_int_equal(count, 5);
    zf_merkle_memtree_free(t);
    pool_free();
}

static void test_reference_consistency(void **state)
{
    zf_hash leaves[8], proof[ZF_MERKLE_MAX_PROOF];
    zf_bytes pb[ZF_MERKLE_MAX_PROOF];
    zf_merkle_memtree *t;
    zf_merkle_source src;
    json_t *e;
    size_t i, j, n, count = 0;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    NEED_VECTORS();
    t = reference_tree(leaves);
    src = zf_merkle_memtree_source(t);
    json_array_foreach(json_object_get(vectors, "consistency_proofs"), i, e) {
        uint64_t m = ju64(e, "size1"), nn = ju64(e, "size2");
        json_t *want = json_object_get(e, "proof");
        zf_hash r1 = hexh(jstr(e, "root1")), r2 = hexh(jstr(e, "root2"));

        assert_int_equal(zf_merkle_consistency_proof(proof, &n, &src, m, nn, &err), 0);
        assert_int_equal(n, json_array_size(want));
        for (j = 0; j < n; j++) {
            zf_hash w = hexh(json_string_value(json_array_get(want, j)));
            assert_true(zf_hash_equal(&proof[j], &w));
        }
        n = jproof(pb, want);
        assert_int_equal(zf_merkle_verify_consistency(m, nn, pb, n, hb(&r1), hb(&r2), &err), 0);
        count++;
    }
    assert_int_equal(count, 5);
    zf_merkle_memtree_free(t);
    pool_free();
}

static void test_real_ct_log(void **state)
{
    json_t *ct;
    zf_bytes leaf, pb[ZF_MERKLE_MAX_PROOF], root;
    zf_hash lh, want;
    size_t n;
    uint64_t idx, size;
    uint8_t *flip;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    NEED_VECTORS();
    ct = json_object_get(vectors, "real_ct_log_inclusion");
    leaf = hexb(jstr(ct, "leaf_input_hex"));
    zf_merkle_leaf_hash(&lh, leaf.ptr, leaf.len);
    want = hexh(jstr(ct, "leaf_hash"));
    assert_true(zf_hash_equal(&lh, &want));
    idx = ju64(ct, "leaf_index");
    size = ju64(ct, "tree_size");
    assert_int_equal(size, 3630887);
    root = hexb(jstr(ct, "root"));
    n = jproof(pb, json_object_get(ct, "path"));
    assert_int_equal(n, 22);
    assert_int_equal(zf_merkle_verify_inclusion(hb(&lh), idx, size, pb, n, root, &err), 0);
    /* neighbours and shorter proofs do not verify */
    assert_int_not_equal(zf_merkle_verify_inclusion(hb(&lh), idx + 1, size, pb, n, root, &err),
                         0);
    assert_int_not_equal(zf_merkle_verify_inclusion(hb(&lh), idx, size * 2, pb, n, root, &err),
                         0);
    assert_int_not_equal(zf_merkle_verify_inclusion(hb(&lh), idx, size, pb, n - 1, root, &err),
                         0);
    flip = (uint8_t *)pb[21].ptr;
    flip[31] ^= 1;
    assert_int_equal(zf_merkle_verify_inclusion(hb(&lh), idx, size, pb, n, root, &err),
                     ZF_EINVAL);
    assert_string_equal(err.code, "proof_invalid");
    pool_free();
}

static void test_probes(void **state)
{
    json_t *probes, *e;
    size_t i, n, pos = 0, neg = 0;
    zf_bytes pb[ZF_MERKLE_MAX_PROOF];

    (void)state;
    NEED_VECTORS();
    probes = json_object_get(vectors, "probes");
    json_array_foreach(json_object_get(probes, "inclusion"), i, e) {
        zf_err err = ZF_ERR_INIT;
        int want_error = json_is_true(json_object_get(e, "want_error"));
        int rc;
        n = jproof(pb, json_object_get(e, "proof"));
        rc = zf_merkle_verify_inclusion(hexb(jstr(e, "leaf_hash")), ju64(e, "leaf_index"),
                                        ju64(e, "tree_size"), pb, n, hexb(jstr(e, "root")), &err);
        if (want_error ? rc == 0 : rc != 0)
            fail_msg("inclusion probe %s: want_error=%d, got rc=%d (%s)", jstr(e, "file"),
                     want_error, rc, err.message);
        want_error ? neg++ : pos++;
        pool_free();
    }
    json_array_foreach(json_object_get(probes, "consistency"), i, e) {
        zf_err err = ZF_ERR_INIT;
        int want_error = json_is_true(json_object_get(e, "want_error"));
        int rc;
        n = jproof(pb, json_object_get(e, "proof"));
        rc = zf_merkle_verify_consistency(ju64(e, "size1"), ju64(e, "size2"), pb, n,
                                          hexb(jstr(e, "root1")), hexb(jstr(e, "root2")), &err);
        if (want_error ? rc == 0 : rc != 0)
            fail_msg("consistency probe %s: want_error=%d, got rc=%d (%s)", jstr(e, "file"),
                     want_error, rc, err.message);
        want_error ? neg++ : pos++;
        pool_free();
    }
    /* The reference README promises 196 probes: make sure we ran them all. */
    assert_int_equal(pos + neg, 196);
    assert_true(pos >= 10 && neg >= 150);
}

/* ---- generated trees ---------------------------------------------------- */

static void random_leaf(zf_hash *out, unsigned *seed)
{
    uint8_t data[16];
    size_t i;
    for (i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)rand_r(seed);
    zf_merkle_leaf_hash(out, data, sizeof data);
}

static void test_generated_trees(void **state)
{
    enum { N = 64 };
    zf_hash leaves[N], roots[N + 1], proof[ZF_MERKLE_MAX_PROOF], h;
    zf_bytes pb[ZF_MERKLE_MAX_PROOF];
    zf_merkle_memtree *t = zf_merkle_memtree_new();
    zf_merkle_source src = zf_merkle_memtree_source(t);
    zf_merkle_frontier f, loaded;
    unsigned seed = 20240601;
    size_t k, plen;
    uint64_t n, idx, m;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    zf_merkle_frontier_init(&f);
    zf_merkle_frontier_root(&h, &f);
    zf_merkle_empty_root(&roots[0]);
    assert_true(zf_hash_equal(&h, &roots[0]));
    for (n = 1; n <= N; n++) {
        zf_merkle_node nodes[ZF_MERKLE_MAX_NEW_NODES];
        size_t nn = 0;

        random_leaf(&leaves[n - 1], &seed);
        assert_int_equal(zf_merkle_frontier_append(&f, &leaves[n - 1], nodes, &nn), 0);
        /* the append emits the leaf and one node per trailing one-bit of n-1 */
        assert_int_equal(nn, 1 + (size_t)__builtin_ctzll(~(n - 1)));
        assert_int_equal(nodes[0].level, 0);
        assert_int_equal(nodes[0].index, n - 1);
        for (k = 0; k < nn; k++) {
            zf_hash want;
            zf_merkle_root(&want, leaves + (nodes[k].index << nodes[k].level),
                           (uint64_t)1 << nodes[k].level);
            assert_true(zf_hash_equal(&nodes[k].hash, &want));
            assert_int_equal((nodes[k].index + 1) << nodes[k].level, n);
        }
        zf_merkle_memtree_append(t, &leaves[n - 1]);
        zf_merkle_root(&roots[n], leaves, n);
        zf_merkle_frontier_root(&h, &f);
        assert_true(zf_hash_equal(&h, &roots[n]));
        zf_merkle_memtree_root(&h, t);
        assert_true(zf_hash_equal(&h, &roots[n]));
        assert_int_equal(zf_merkle_frontier_load(&loaded, &src, n, &err), 0);
        zf_merkle_frontier_root(&h, &loaded);
        assert_true(zf_hash_equal(&h, &roots[n]));
    }
    for (n = 1; n <= N; n++) {
        for (idx = 0; idx < n; idx++) {
            assert_int_equal(zf_merkle_inclusion_proof(proof, &plen, &src, idx, n, &err), 0);
            for (k = 0; k < plen; k++)
                pb[k] = hb(&proof[k]);
            assert_int_equal(zf_merkle_verify_inclusion(hb(&leaves[idx]), idx, n, pb, plen,
                                                        hb(&roots[n]), &err), 0);
            if (n > 1)
                assert_int_not_equal(zf_merkle_verify_inclusion(hb(&leaves[idx]),
                                                                (idx + 1) % n, n, pb, plen,
                                                                hb(&roots[n]), &err), 0);
            assert_int_not_equal(zf_merkle_verify_inclusion(hb(&leaves[idx]), idx, n, pb, plen,
                                                            hb(&roots[n - 1]), &err), 0);
            for (k = 0; k < plen; k++) {
                proof[k].b[k % ZF_HASH_LEN] ^= 0x10;
                assert_int_equal(zf_merkle_verify_inclusion(hb(&leaves[idx]), idx, n, pb, plen,
                                                            hb(&roots[n]), &err), ZF_EINVAL);
                proof[k].b[k % ZF_HASH_LEN] ^= 0x10;
            }
            h = leaves[idx];
            h.b[7] ^= 0x80;
            assert_int_not_equal(zf_merkle_verify_inclusion(hb(&h), idx, n, pb, plen,
                                                            hb(&roots[n]), &err), 0);
        }
        for (m = 1; m <= n; m++) {
            assert_int_equal(zf_merkle_consistency_proof(proof, &plen, &src, m, n, &err), 0);
            if (m == n)
                assert_int_equal(plen, 0);
            for (k = 0; k < plen; k++)
                pb[k] = hb(&proof[k]);
            assert_int_equal(zf_merkle_verify_consistency(m, n, pb, plen, hb(&roots[m]),
                                                          hb(&roots[n]), &err), 0);
            for (k = 0; k < plen; k++) {
                proof[k].b[31 - k % ZF_HASH_LEN] ^= 0x01;
                assert_int_equal(zf_merkle_verify_consistency(m, n, pb, plen, hb(&roots[m]),
                                                              hb(&roots[n]), &err), ZF_EINVAL);
                proof[k].b[31 - k % ZF_HASH_LEN] ^= 0x01;
            }
            if (m < n) {
                /* a different old root, or the same proof for another size */
                assert_int_not_equal(zf_merkle_verify_consistency(m, n, pb, plen,
                                                                  hb(&roots[m - 1]),
                                                                  hb(&roots[n]), &err), 0);
                assert_int_not_equal(zf_merkle_verify_consistency(m, n, pb, plen, hb(&roots[m]),
                                                                  hb(&roots[n - 1]), &err), 0);
            }
        }
    }
    /* requests outside the tree */
    assert_int_equal(zf_merkle_inclusion_proof(proof, &plen, &src, N, N, &err), ZF_EINVAL);
    assert_int_equal(zf_merkle_consistency_proof(proof, &plen, &src, 0, N, &err), ZF_EINVAL);
    assert_int_equal(zf_merkle_consistency_proof(proof, &plen, &src, 5, 4, &err), ZF_EINVAL);
    assert_int_equal(zf_merkle_consistency_proof(proof, &plen, &src, 1, N + 1, &err),
                     ZF_ENOTFOUND);
    zf_merkle_memtree_free(t);
}

/* A synthetic but consistent node store for huge trees: every leaf is the
 * same hash X except a few "special" leaves, so a perfect subtree without a
 * special leaf hashes to P[level] (P[0] = X, P[l+1] = H(P[l], P[l])) and only
 * the O(level) subtrees above special leaves need real work. Counts reads. */
static int synth_reads;
static uint64_t synth_special[8];
static size_t synth_nspecial;
static zf_hash synth_p[65];

static void synth_init(const uint64_t *special, size_t n)
{
    unsigned l;

    memcpy(synth_special, special, n * sizeof *special);
    synth_nspecial = n;
    zf_merkle_leaf_hash(&synth_p[0], "plain", 5);
    for (l = 1; l < 65; l++)
        zf_merkle_node_hash(&synth_p[l], &synth_p[l - 1], &synth_p[l - 1]);
}

static void synth_node(zf_hash *out, unsigned level, uint64_t index)
{
    uint64_t lo = index << level, hi = lo + (((uint64_t)1 << level) - 1);
    size_t i;
    bool special = false;
    zf_hash l, r;

    for (i = 0; i < synth_nspecial; i++)
        if (synth_special[i] >= lo && synth_special[i] <= hi)
            special = true;
    if (!special) {
        *out = synth_p[level];
    } else if (level == 0) {
        zf_merkle_leaf_hash(out, &index, sizeof index);
    } else {
        synth_node(&l, level - 1, 2 * index);
        synth_node(&r, level - 1, 2 * index + 1);
        zf_merkle_node_hash(out, &l, &r);
    }
}

static int synth_get(void *ctx, unsigned level, uint64_t index, zf_hash *out, zf_err *err)
{
    uint64_t size = *(const uint64_t *)ctx;

    (void)err;
    if (((index + 1) << level) > size)
        fail_msg("node (%u, %llu) outside tree of %llu", level, (unsigned long long)index,
                 (unsigned long long)size);
    synth_node(out, level, index);
    synth_reads++;
    return 0;
}

static void test_large_trees_log_reads(void **state)
{
    static const uint64_t sizes[] = {1000000, 10000000, 3630887, (1ull << 40) + 12345};
    zf_hash proof[ZF_MERKLE_MAX_PROOF], root, old_root;
    zf_bytes pb[ZF_MERKLE_MAX_PROOF];
    size_t s, k, plen;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        uint64_t n = sizes[s], probe[] = {0, 1, n / 3, n / 2 + 7, n - 2, n - 1};
        zf_merkle_source src = {synth_get, &n};
        size_t p;

        synth_init(probe, 6);

        assert_int_equal(zf_merkle_range_root(&root, &src, 0, n, &err), 0);
        for (p = 0; p < 6; p++) {
            uint64_t m = probe[p] ? probe[p] : 1;
            synth_reads = 0;
            assert_int_equal(zf_merkle_inclusion_proof(proof, &plen, &src, probe[p], n, &err), 0);
            /* O(log n): one read per level plus one right edge */
            assert_true(synth_reads <= 2 * 64);
            /* the leaf itself is node (0, index) */
            {
                zf_hash leaf;
                synth_get(&n, 0, probe[p], &leaf, &err);
                for (k = 0; k < plen; k++)
                    pb[k] = hb(&proof[k]);
                assert_int_equal(zf_merkle_verify_inclusion(hb(&leaf), probe[p], n, pb, plen,
                                                            hb(&root), &err), 0);
                /* another leaf's hash does not verify at this index */
                synth_get(&n, 0, probe[(p + 1) % 6], &leaf, &err);
                assert_int_equal(zf_merkle_verify_inclusion(hb(&leaf), probe[p], n, pb, plen,
                                                            hb(&root), &err), ZF_EINVAL);
            }
            synth_reads = 0;
            assert_int_equal(zf_merkle_consistency_proof(proof, &plen, &src, m, n, &err), 0);
            assert_true(synth_reads <= 2 * 64);
            {
                uint64_t mm = m;
                zf_merkle_source osrc = {synth_get, &mm};
                assert_int_equal(zf_merkle_range_root(&old_root, &osrc, 0, m, &err), 0);
            }
            for (k = 0; k < plen; k++)
                pb[k] = hb(&proof[k]);
            assert_int_equal(zf_merkle_verify_consistency(m, n, pb, plen, hb(&old_root),
                                                          hb(&root), &err), 0);
        }
    }
}

static void test_hex(void **state)
{
    zf_hash h;
    char hex[ZF_HASH_HEXLEN + 1];
    const char *s = "6E340B9CFFB37A989CA544E6BB780A2C78901D3FB33738768511A30617AFA01D";

    (void)state;
    assert_int_equal(zf_hash_from_hex(&h, s, strlen(s)), 0);
    zf_hash_to_hex(hex, &h);
    assert_string_equal(hex, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    assert_int_equal(zf_hash_from_hex(&h, s, 62), ZF_EINVAL);
    assert_int_equal(zf_hash_from_hex(&h, "zz340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", 64), ZF_EINVAL);
    /* leaf of the empty string, RFC 6962 */
    zf_merkle_leaf_hash(&h, "", 0);
    zf_hash_to_hex(hex, &h);
    assert_string_equal(hex, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    /* Both code paths (stack copy below 1 KiB, streaming above) agree with
     * SHA-256(0x00 || data) computed independently. */
    {
        static const size_t lens[] = {0, 1, 1022, 1023, 1024, 1025, 5000};
        static uint8_t big[5001];
        size_t i;
        for (i = 0; i < sizeof big; i++)
            big[i] = (uint8_t)(i * 7);
        for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
            zf_hash a, b;
            big[0] = 0;
            zf_merkle_leaf_hash(&a, big + 1, lens[i]);
            SHA256(big, lens[i] + 1, b.b);
            assert_true(zf_hash_equal(&a, &b));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_hasher_kat),
        cmocka_unit_test(test_reference_roots_and_nodes),
        cmocka_unit_test(test_reference_inclusion),
        cmocka_unit_test(test_reference_consistency),
        cmocka_unit_test(test_real_ct_log),
        cmocka_unit_test(test_probes),
        cmocka_unit_test(test_generated_trees),
        cmocka_unit_test(test_large_trees_log_reads),
    };
    return cmocka_run_group_tests(tests, load_vectors, free_vectors);
}
