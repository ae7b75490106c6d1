/* merkle.c — see merkle.h. The proof algorithms follow RFC 9162 §2.1.3 and
 * §2.1.4; generation walks the RFC's recursion iteratively over leaf ranges
 * and asks the source only for perfect subtrees. */
#include "ledger/merkle.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "util/mem.h"

/* ---- hashing ---------------------------------------------------------- */

/* SHA-256 with the algorithm fetched once. OpenSSL 3's one-shot SHA256()
 * fetches it from the provider store on every call (a lock and a reference
 * count each time): about a tenth of zhifa verify's CPU, and of the node
 * sync's hashing. The fetched EVP_MD lives as long as the process. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void fetch_sha256(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static void sha256(uint8_t out[ZF_HASH_LEN], const void *data, size_t len)
{
    unsigned n = 0;

    pthread_once(&sha256_once, fetch_sha256);
    if (!sha256_md || !EVP_Digest(data, len, out, &n, sha256_md, NULL))
        SHA256(data, len, out); /* fetch failed: the slow path still works */
}

void zf_merkle_leaf_hash(zf_hash *out, const void *data, size_t len)
{
    uint8_t small[1 + 1024];

    /* Events are a few hundred bytes: one stack copy beats an EVP context. */
    if (len < sizeof small) {
        small[0] = 0x00;
        if (len)
            memcpy(small + 1, data, len);
        sha256(out->b, small, len + 1);
        return;
    }
    {
        EVP_MD_CTX *c = EVP_MD_CTX_new();
        const uint8_t zero = 0x00;
        unsigned n = 0;
        int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) &&
                 EVP_DigestUpdate(c, &zero, 1) && EVP_DigestUpdate(c, data, len) &&
                 EVP_DigestFinal_ex(c, out->b, &n);
        EVP_MD_CTX_free(c);
        /* Only allocation failure can get here; treat it as OOM does. */
        if (!ok)
            abort();
    }
}

void zf_merkle_node_hash(zf_hash *out, const zf_hash *left, const zf_hash *right)
{
    uint8_t in[1 + 2 * ZF_HASH_LEN];

    in[0] = 0x01;
    memcpy(in + 1, left->b, ZF_HASH_LEN);
    memcpy(in + 1 + ZF_HASH_LEN, right->b, ZF_HASH_LEN);
    sha256(out->b, in, sizeof in);
}

void zf_merkle_empty_root(zf_hash *out)
{
    sha256(out->b, "", 0);
}

/* Largest power of two strictly less than n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
    uint64_t k = 1;

    assert(n >= 2);
    while (k < n - k) /* k * 2 < n, without overflow */
        k <<= 1;
    return k;
}

static void root_rec(zf_hash *out, const zf_hash *leaves, uint64_t n)
{
    zf_hash l, r;
    uint64_t k;

    if (n == 1) {
        *out = leaves[0];
        return;
    }
    k = split_point(n);
    root_rec(&l, leaves, k);
    root_rec(&r, leaves + k, n - k);
    zf_merkle_node_hash(out, &l, &r);
}

void zf_merkle_root(zf_hash *out, const zf_hash *leaves, uint64_t n)
{
    if (n == 0)
        zf_merkle_empty_root(out);
    else
        root_rec(out, leaves, n);
}

void zf_hash_to_hex(char out[ZF_HASH_HEXLEN + 1], const zf_hash *h)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < ZF_HASH_LEN; i++) {
        out[2 * i] = digits[h->b[i] >> 4];
        out[2 * i + 1] = digits[h->b[i] & 15];
    }
    out[ZF_HASH_HEXLEN] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int zf_hash_from_hex(zf_hash *out, const char *hex, size_t len)
{
    size_t i;

    if (len != ZF_HASH_HEXLEN)
        return ZF_EINVAL;
    for (i = 0; i < ZF_HASH_LEN; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return ZF_EINVAL;
        out->b[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

bool zf_hash_equal(const zf_hash *a, const zf_hash *b)
{
    return CRYPTO_memcmp(a->b, b->b, ZF_HASH_LEN) == 0;
}

/* ---- proof generation -------------------------------------------------- */

static int ctz64(uint64_t x)
{
    return x ? __builtin_ctzll(x) : 64;
}

int zf_merkle_range_root(zf_hash *out, const zf_merkle_source *src, uint64_t begin,
                         uint64_t end, zf_err *err)
{
    zf_hash parts[64];
    int n = 0, rc;

    if (begin >= end) {
        if (begin == end && begin == 0) {
            zf_merkle_empty_root(out);
            return 0;
        }
        return zf_err_set(err, ZF_EINVAL, "invalid_range", NULL, "Merkle 区间无效");
    }
    /* Greedy split into aligned perfect subtrees, largest first. When begin
     * is aligned as the header requires, this is exactly MTH's left spine. */
    while (begin < end) {
        int level = ctz64(begin);
        uint64_t span;

        if (level > 63)
            level = 63;
        while (level > 0 && (end - begin) < ((uint64_t)1 << level))
            level--;
        span = (uint64_t)1 << level;
        assert(n < 64);
        if ((rc = src->get_node(src->ctx, (unsigned)level, begin >> level, &parts[n], err)) < 0)
            return rc;
        n++;
        begin += span;
    }
    /* The spine decreases in size left to right, so MTH folds right to left. */
    *out = parts[n - 1];
    for (n -= 2; n >= 0; n--)
        zf_merkle_node_hash(out, &parts[n], out);
    return 0;
}

int zf_merkle_inclusion_proof(zf_hash *out, size_t *out_len, const zf_merkle_source *src,
                              uint64_t index, uint64_t size, zf_err *err)
{
    uint64_t lo = 0, hi = size;
    size_t n = 0, i;
    int rc;

    *out_len = 0;
    if (index >= size)
        return zf_err_set(err, ZF_EINVAL, "invalid_proof_request", "index",
                          "叶子序号 %llu 超出树的大小 %llu", (unsigned long long)index,
                          (unsigned long long)size);
    /* Top-down: each step records the sibling of the half holding index. */
    while (hi - lo > 1) {
        uint64_t k = split_point(hi - lo);
        if (index < lo + k) {
            rc = zf_merkle_range_root(&out[n], src, lo + k, hi, err);
            hi = lo + k;
        } else {
            rc = zf_merkle_range_root(&out[n], src, lo, lo + k, err);
            lo = lo + k;
        }
        if (rc < 0)
            return rc;
        n++;
    }
    /* RFC order is leaf to root: reverse. */
    for (i = 0; i < n / 2; i++) {
        zf_hash t = out[i];
        out[i] = out[n - 1 - i];
        out[n - 1 - i] = t;
    }
    *out_len = n;
    return 0;
}

int zf_merkle_consistency_proof(zf_hash *out, size_t *out_len, const zf_merkle_source *src,
                                uint64_t first, uint64_t second, zf_err *err)
{
    zf_hash sib[ZF_MERKLE_MAX_PROOF];
    uint64_t lo = 0, hi = second;
    size_t ns = 0, n = 0, i;
    bool whole = true; /* RFC's b: the old tree is a complete subtree so far */
    int rc;

    *out_len = 0;
    if (first == 0 || first > second)
        return zf_err_set(err, ZF_EINVAL, "invalid_proof_request", "first",
                          "一致性证明的树大小无效：%llu 到 %llu", (unsigned long long)first,
                          (unsigned long long)second);
    if (first == second)
        return 0;
    /* SUBPROOF(m, D[lo:hi], b) unrolled; the sibling found at each level comes
     * after everything found below it, so collect them and reverse. */
    for (;;) {
        uint64_t m = first - lo, k;
        if (m == hi - lo) {
            if (!whole) {
                if ((rc = zf_merkle_range_root(&out[n], src, lo, hi, err)) < 0)
                    return rc;
                n++;
            }
            break;
        }
        k = split_point(hi - lo);
        if (m <= k) {
            rc = zf_merkle_range_root(&sib[ns], src, lo + k, hi, err);
            hi = lo + k;
        } else {
            rc = zf_merkle_range_root(&sib[ns], src, lo, lo + k, err);
            lo = lo + k;
            whole = false;
        }
        if (rc < 0)
            return rc;
        ns++;
        assert(ns < ZF_MERKLE_MAX_PROOF);
    }
    for (i = 0; i < ns; i++)
        out[n++] = sib[ns - 1 - i];
    *out_len = n;
    return 0;
}

/* ---- verification ------------------------------------------------------ */

static int reject(zf_err *err, const char *why)
{
    return zf_err_set(err, ZF_EINVAL, "proof_invalid", NULL, "证明无效：%s", why);
}

static void node_bytes(zf_hash *out, const uint8_t *l, const uint8_t *r)
{
    uint8_t in[1 + 2 * ZF_HASH_LEN];

    in[0] = 0x01;
    memcpy(in + 1, l, ZF_HASH_LEN);
    memcpy(in + 1 + ZF_HASH_LEN, r, ZF_HASH_LEN);
    sha256(out->b, in, sizeof in);
}

int zf_merkle_verify_inclusion(zf_bytes leaf_hash, uint64_t index, uint64_t size,
                               const zf_bytes *proof, size_t proof_len, zf_bytes root,
                               zf_err *err)
{
    uint64_t fn = index, sn;
    zf_hash r;
    size_t i;

    if (index >= size)
        return reject(err, "叶子序号不小于树的大小");
    if (leaf_hash.len != ZF_HASH_LEN || root.len != ZF_HASH_LEN)
        return reject(err, "哈希长度不是 32 字节");
    if (proof_len > ZF_MERKLE_MAX_PROOF)
        return reject(err, "证明过长");
    for (i = 0; i < proof_len; i++)
        if (proof[i].len != ZF_HASH_LEN)
            return reject(err, "证明中的哈希长度不是 32 字节");
    sn = size - 1;
    memcpy(r.b, leaf_hash.ptr, ZF_HASH_LEN);
    for (i = 0; i < proof_len; i++) {
        if (sn == 0)
            return reject(err, "证明过长");
        if ((fn & 1) || fn == sn) {
            node_bytes(&r, proof[i].ptr, r.b);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            node_bytes(&r, r.b, proof[i].ptr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        return reject(err, "证明过短");
    if (CRYPTO_memcmp(r.b, root.ptr, ZF_HASH_LEN) != 0)
        return reject(err, "计算出的根哈希不符");
    return 0;
}

int zf_merkle_verify_consistency(uint64_t first, uint64_t second, const zf_bytes *proof,
                                 size_t proof_len, zf_bytes root1, zf_bytes root2,
                                 zf_err *err)
{
    uint64_t fn, sn;
    zf_hash fr, sr;
    const uint8_t *c0;
    size_t i, start;

    if (first > second)
        return reject(err, "旧树大于新树");
    if (first == 0)
        return reject(err, "从空树出发的一致性证明没有意义");
    if (first == second) {
        if (proof_len != 0)
            return reject(err, "树大小相同时证明应为空");
        if (root1.len != root2.len || CRYPTO_memcmp(root1.ptr, root2.ptr, root1.len) != 0)
            return reject(err, "树大小相同但根哈希不同");
        return 0;
    }
    if (proof_len == 0)
        return reject(err, "证明为空");
    if (proof_len > ZF_MERKLE_MAX_PROOF)
        return reject(err, "证明过长");
    if (root1.len != ZF_HASH_LEN || root2.len != ZF_HASH_LEN)
        return reject(err, "根哈希长度不是 32 字节");
    for (i = 0; i < proof_len; i++)
        if (proof[i].len != ZF_HASH_LEN)
            return reject(err, "证明中的哈希长度不是 32 字节");

    /* When the old tree is a perfect subtree, its root is the implicit first
     * element of the proof. */
    if ((first & (first - 1)) == 0) {
        c0 = root1.ptr;
        start = 0;
    } else {
        c0 = proof[0].ptr;
        start = 1;
    }
    fn = first - 1;
    sn = second - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    memcpy(fr.b, c0, ZF_HASH_LEN);
    memcpy(sr.b, c0, ZF_HASH_LEN);
    for (i = start; i < proof_len; i++) {
        const uint8_t *c = proof[i].ptr;
        if (sn == 0)
            return reject(err, "证明过长");
        if ((fn & 1) || fn == sn) {
            node_bytes(&fr, c, fr.b);
            node_bytes(&sr, c, sr.b);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            node_bytes(&sr, sr.b, c);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        return reject(err, "证明过短");
    if (CRYPTO_memcmp(fr.b, root1.ptr, ZF_HASH_LEN) != 0)
        return reject(err, "旧树根哈希不符");
    if (CRYPTO_memcmp(sr.b, root2.ptr, ZF_HASH_LEN) != 0)
        return reject(err, "新树根哈希不符");
    return 0;
}

/* ---- frontier ---------------------------------------------------------- */

void zf_merkle_frontier_init(zf_merkle_frontier *f)
{
    memset(f, 0, sizeof *f);
}

int zf_merkle_frontier_append(zf_merkle_frontier *f, const zf_hash *leaf_hash,
                              zf_merkle_node *out, size_t *out_count)
{
    uint64_t n = f->size;
    zf_hash h = *leaf_hash;
    unsigned level = 0;
    size_t count = 0;

    if (n == UINT64_MAX)
        return ZF_ETOOBIG;
    if (out) {
        out[count].level = 0;
        out[count].index = n;
        out[count].hash = h;
    }
    count++;
    /* Each set low bit of the old size is a left sibling waiting for h. */
    while (n & ((uint64_t)1 << level)) {
        zf_merkle_node_hash(&h, &f->node[level], &h);
        level++;
        if (out) {
            out[count].level = level;
            out[count].index = n >> level;
            out[count].hash = h;
        }
        count++;
    }
    f->node[level] = h;
    f->size = n + 1;
    if (out_count)
        *out_count = count;
    return 0;
}

void zf_merkle_frontier_root(zf_hash *out, const zf_merkle_frontier *f)
{
    uint64_t n = f->size;
    int level;
    bool have = false;

    if (n == 0) {
        zf_merkle_empty_root(out);
        return;
    }
    /* Smallest subtree is rightmost: fold from the lowest set bit up. */
    for (level = 0; level < 64; level++) {
        if (!(n & ((uint64_t)1 << level)))
            continue;
        if (!have) {
            *out = f->node[level];
            have = true;
        } else {
            zf_merkle_node_hash(out, &f->node[level], out);
        }
    }
}

int zf_merkle_frontier_load(zf_merkle_frontier *out, const zf_merkle_source *src,
                            uint64_t size, zf_err *err)
{
    uint64_t begin = 0;
    int level, rc;

    zf_merkle_frontier_init(out);
    for (level = 63; level >= 0; level--) {
        uint64_t span = (uint64_t)1 << level;
        if (!(size & span))
            continue;
        if ((rc = src->get_node(src->ctx, (unsigned)level, begin >> level, &out->node[level],
                                err)) < 0)
            return rc;
        begin += span;
    }
    out->size = size;
    return 0;
}

/* ---- in-memory node store ---------------------------------------------- */

struct zf_merkle_memtree {
    zf_merkle_frontier f;
    zf_hash *level[64];
    uint64_t cap[64];
};

zf_merkle_memtree *zf_merkle_memtree_new(void)
{
    zf_merkle_memtree *t = zf_calloc(1, sizeof *t);
    zf_merkle_frontier_init(&t->f);
    return t;
}

void zf_merkle_memtree_free(zf_merkle_memtree *t)
{
    int i;

    if (!t)
        return;
    for (i = 0; i < 64; i++)
        free(t->level[i]);
    free(t);
}

void zf_merkle_memtree_append(zf_merkle_memtree *t, const zf_hash *leaf_hash)
{
    zf_merkle_node nodes[ZF_MERKLE_MAX_NEW_NODES];
    size_t n = 0, i;

    if (zf_merkle_frontier_append(&t->f, leaf_hash, nodes, &n) < 0)
        abort(); /* 2^64 leaves in memory cannot happen */
    for (i = 0; i < n; i++) {
        unsigned l = nodes[i].level;
        uint64_t idx = nodes[i].index;
        if (idx >= t->cap[l]) {
            uint64_t cap = t->cap[l] ? t->cap[l] * 2 : 16;
            while (cap <= idx)
                cap *= 2;
            t->level[l] = zf_realloc(t->level[l], cap * sizeof(zf_hash));
            t->cap[l] = cap;
        }
        t->level[l][idx] = nodes[i].hash;
    }
}

uint64_t zf_merkle_memtree_size(const zf_merkle_memtree *t)
{
    return t->f.size;
}

void zf_merkle_memtree_root(zf_hash *out, const zf_merkle_memtree *t)
{
    zf_merkle_frontier_root(out, &t->f);
}

static int memtree_get(void *ctx, unsigned level, uint64_t index, zf_hash *out, zf_err *err)
{
    const zf_merkle_memtree *t = ctx;

    if (level >= 64 || ((index + 1) << level) > t->f.size || (index << level) >> level != index)
        return zf_err_set(err, ZF_ENOTFOUND, "node_not_found", NULL,
                          "Merkle 节点 (%u, %llu) 不存在", level, (unsigned long long)index);
    *out = t->level[level][index];
    return 0;
}

zf_merkle_source zf_merkle_memtree_source(zf_merkle_memtree *t)
{
    zf_merkle_source s = {memtree_get, t};
    return s;
}
