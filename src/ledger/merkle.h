/* merkle.h — RFC 9162 Merkle tree hashing, proofs and their verification.
 *
 * Pure computation over SHA-256 (OpenSSL EVP), no I/O. The tree is the one
 * of RFC 9162 §2.1.1: leaf hash = SHA-256(0x00 || data), interior node =
 * SHA-256(0x01 || left || right), the empty tree hashes to SHA-256("").
 *
 * Storage model. A "node" here is the hash of a PERFECT subtree: node
 * (level, index) covers leaves [index << level, (index + 1) << level). Such a
 * node never changes once its last leaf is appended, so a store can keep a
 * table of them, write each exactly once, and answer any proof with O(log n)
 * reads. zf_merkle_frontier tells the store which nodes each append creates;
 * zf_merkle_source is how proof generation reads them back.
 *
 * Proofs are listed leaf to root (as RFC 9162 and the reference vectors).
 * All functions are thread-safe; they touch only their arguments. */
#ifndef ZF_LEDGER_MERKLE_H
#define ZF_LEDGER_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define ZF_HASH_LEN 32
#define ZF_HASH_HEXLEN 64
/* Longest proof for any tree of fewer than 2^64 leaves, with margin. */
#define ZF_MERKLE_MAX_PROOF 66

typedef struct zf_hash {
    uint8_t b[ZF_HASH_LEN];
} zf_hash;

/* A borrowed byte string of any length: verifiers take these so that
 * malformed input (a 31- or 33-byte "hash") reaches them and is rejected
 * there instead of being silently truncated by a decoder. */
typedef struct zf_bytes {
    const uint8_t *ptr;
    size_t len;
} zf_bytes;

/* ---- hashing ---------------------------------------------------------- */

void zf_merkle_leaf_hash(zf_hash *out, const void *data, size_t len);
void zf_merkle_node_hash(zf_hash *out, const zf_hash *left, const zf_hash *right);
/* SHA-256 of the empty string: the root of the empty tree. */
void zf_merkle_empty_root(zf_hash *out);

/* Root of the tree whose leaf hashes are leaves[0..n). O(n) time, O(log n)
 * memory. n == 0 gives the empty root. */
void zf_merkle_root(zf_hash *out, const zf_hash *leaves, uint64_t n);

/* Hex: lowercase, exactly 64 characters (out gets a NUL at [64]).
 * from_hex rejects any other length or a non-hex digit (either case). */
void zf_hash_to_hex(char out[ZF_HASH_HEXLEN + 1], const zf_hash *h);
int zf_hash_from_hex(zf_hash *out, const char *hex, size_t len);
bool zf_hash_equal(const zf_hash *a, const zf_hash *b); /* constant time */

/* ---- where proofs read nodes from ------------------------------------ */

/* Fills *out with node (level, index) — the hash of the perfect subtree over
 * leaves [index << level, (index + 1) << level) — and returns 0, or returns a
 * negative ZF_E* code (having set err) when it cannot. Level 0 is the leaf
 * hash itself. Only nodes of subtrees lying wholly inside the tree size asked
 * about are ever requested. */
typedef int (*zf_merkle_get_node_fn)(void *ctx, unsigned level, uint64_t index,
                                     zf_hash *out, zf_err *err);

typedef struct zf_merkle_source {
    zf_merkle_get_node_fn get_node;
    void *ctx;
} zf_merkle_source;

/* Hash of the subtree over leaves [begin, end) as RFC 9162 MTH defines it.
 * [begin, end) must be a subtree of some tree: begin a multiple of the
 * smallest power of two >= end - begin (true of [0, n) and of every range a
 * proof needs). Reads at most 64 nodes. */
int zf_merkle_range_root(zf_hash *out, const zf_merkle_source *src,
                         uint64_t begin, uint64_t end, zf_err *err);

/* RFC 9162 §2.1.3.1 inclusion proof of leaf `index` in the tree of `size`
 * leaves. out must hold ZF_MERKLE_MAX_PROOF hashes; *out_len gets the count.
 * Reads O(log n) nodes. ZF_EINVAL when index >= size. */
int zf_merkle_inclusion_proof(zf_hash *out, size_t *out_len, const zf_merkle_source *src,
                              uint64_t index, uint64_t size, zf_err *err);

/* RFC 9162 §2.1.4.1 consistency proof between sizes first and second.
 * ZF_EINVAL unless 0 < first <= second (first == second gives an empty
 * proof). Reads O(log n) nodes. */
int zf_merkle_consistency_proof(zf_hash *out, size_t *out_len, const zf_merkle_source *src,
                                uint64_t first, uint64_t second, zf_err *err);

/* ---- verification ---------------------------------------------------- */

/* RFC 9162 §2.1.3.2. Returns 0 when `proof` proves that leaf_hash is leaf
 * `index` of the tree of `size` leaves with root `root`; otherwise ZF_EINVAL
 * with err saying why (index >= size, a hash not 32 bytes, wrong length of
 * proof, root mismatch). */
int zf_merkle_verify_inclusion(zf_bytes leaf_hash, uint64_t index, uint64_t size,
                               const zf_bytes *proof, size_t proof_len, zf_bytes root,
                               zf_err *err);

/* RFC 9162 §2.1.4.2 with transparency-dev semantics. Returns 0 when the
 * tree (first, root1) is a prefix of (second, root2), else ZF_EINVAL:
 *   - first > second: rejected;
 *   - first == 0: rejected (a proof from the empty tree proves nothing);
 *   - first == second: the proof must be empty and the roots identical
 *     byte strings;
 *   - otherwise every hash must be 32 bytes and the proof must recompute
 *     both roots exactly. */
int zf_merkle_verify_consistency(uint64_t first, uint64_t second, const zf_bytes *proof,
                                 size_t proof_len, zf_bytes root1, zf_bytes root2,
                                 zf_err *err);

/* ---- incremental append: the frontier (compact range [0, size)) ------- */

/* The perfect subtrees whose concatenation is leaves [0, size): one per set
 * bit of size. 2 KiB; a plain value that may be copied. */
typedef struct zf_merkle_frontier {
    uint64_t size;
    zf_hash node[64]; /* node[l] valid iff bit l of size is set */
} zf_merkle_frontier;

/* A node created by an append, for the store to write. */
typedef struct zf_merkle_node {
    unsigned level;
    uint64_t index;
    zf_hash hash;
} zf_merkle_node;

#define ZF_MERKLE_MAX_NEW_NODES 65

void zf_merkle_frontier_init(zf_merkle_frontier *f);

/* Appends leaf `size` with the given leaf hash. out (room for
 * ZF_MERKLE_MAX_NEW_NODES, may be NULL) receives every node that became
 * complete — the leaf at level 0 first, then its ancestors upward —
 * and *out_count their number (1 + the trailing one-bits of the old size).
 * O(log n). ZF_ETOOBIG when the tree holds 2^64 - 1 leaves already. */
int zf_merkle_frontier_append(zf_merkle_frontier *f, const zf_hash *leaf_hash,
                              zf_merkle_node *out, size_t *out_count);

/* Root of the tree of f->size leaves (the empty root when 0). */
void zf_merkle_frontier_root(zf_hash *out, const zf_merkle_frontier *f);

/* Rebuilds the frontier of a tree of `size` leaves from stored nodes
 * (popcount(size) reads), e.g. when a process restarts. */
int zf_merkle_frontier_load(zf_merkle_frontier *out, const zf_merkle_source *src,
                            uint64_t size, zf_err *err);

/* ---- an in-memory node store ----------------------------------------- */

/* Keeps every perfect-subtree node of an append-only tree in memory (about
 * 64 bytes per leaf); backs zf_merkle_source for tests, offline
 * verification and tools. Not thread-safe for concurrent appends. */
typedef struct zf_merkle_memtree zf_merkle_memtree;

zf_merkle_memtree *zf_merkle_memtree_new(void);
void zf_merkle_memtree_free(zf_merkle_memtree *t);
void zf_merkle_memtree_append(zf_merkle_memtree *t, const zf_hash *leaf_hash);
uint64_t zf_merkle_memtree_size(const zf_merkle_memtree *t);
void zf_merkle_memtree_root(zf_hash *out, const zf_merkle_memtree *t);
/* A source reading from t; t must outlive its use. */
zf_merkle_source zf_merkle_memtree_source(zf_merkle_memtree *t);

#endif
