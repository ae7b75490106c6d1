/* spotcheck.h — the random draw of 双随机、一公开 (issue 7): which regulated
 * entities of a pool are inspected, and by which inspectors. Pure
 * computation, no I/O: the same inputs give the same draw on any machine,
 * so that anyone holding the published seed and pools can re-run it
 * (docs/spotcheck.md defines every byte).
 *
 * The algorithm, in short:
 *   stream(label)   = SHA-256(seed || label || counter as 8 bytes big-endian)
 *                     for counter = 0, 1, 2 ...; each 32-byte block gives four
 *                     64-bit big-endian numbers, used in order
 *   uniform(m)      = the next number x of the stream with x < 2^64 - (2^64 mod m)
 *                     (others are skipped: no modulo bias), then x mod m
 *   entities        = a Fisher–Yates shuffle, stopped after n steps, of the pool
 *                     sorted by unified social credit code (byte order), with
 *                     stream "E"; step i swaps position i with i + uniform(N - i);
 *                     n = ceil(N × ratio‰ / 1000); the first n are the selection
 *   inspectors      = for each selected entity in draw order, a full shuffle
 *                     of the inspector pool (sorted by certificate number,
 *                     stream "I", continuing); an inspector who declared a
 *                     conflict of interest (回避) with the entity is never
 *                     eligible for it; for s = 0, 1 ... take the eligible one at
 *                     position s, then the next eligible ones after it (wrapping
 *                     around) that form no pair already used for an earlier
 *                     entity; the first s that gives k wins; when none does, the
 *                     first k eligible of the order (a pair repeats only when it
 *                     must, for k = 2).
 * Thread-safe; no globals. */
#ifndef ZF_CORE_SPOTCHECK_H
#define ZF_CORE_SPOTCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define ZF_SPOT_SEED_LEN 32
#define ZF_SPOT_MAX_PER_ENTITY 5     /* inspectors per entity */
#define ZF_SPOT_MAX_POOL 1000000     /* entities or inspectors in one pool */

typedef struct zf_spot_input {
    const uint8_t *seed;             /* ZF_SPOT_SEED_LEN bytes */
    const char *const *entities;     /* credit codes, strictly ascending (strcmp) */
    size_t n_entities;
    const char *const *inspectors;   /* certificate numbers, strictly ascending */
    size_t n_inspectors;
    int ratio_permille;              /* 1..1000 */
    int per_entity;                  /* inspectors per entity, 1..ZF_SPOT_MAX_PER_ENTITY */
    /* conflicts of interest: n_conflicts pairs (entity index, inspector
     * index) as conflicts[2i], conflicts[2i + 1], in any order; may be NULL */
    const size_t *conflicts;
    size_t n_conflicts;
} zf_spot_input;

typedef struct zf_spot_draw {
    size_t n;                        /* entities selected */
    int per_entity;
    size_t *entity;                  /* n indexes into entities, in draw order */
    size_t *inspector;               /* n × per_entity indexes into inspectors */
    size_t repeated_pairs;           /* entities that had to reuse a pair */
} zf_spot_draw;

#define ZF_SPOT_DRAW_INIT {0, 0, NULL, NULL, 0}

/* n = ceil(pool × ratio‰ / 1000): the ratio is a floor, never rounded down
 * to zero for a non-empty pool. 0 for an empty pool. */
size_t zf_spot_count(size_t pool, int ratio_permille);

/* Runs the draw. ZF_EINVAL (field) for a bad ratio or per_entity, lists
 * that are not strictly ascending or a conflict naming no member;
 * ZF_ECONFLICT "not_enough_inspectors" when entities would be drawn but the
 * inspector pool has fewer than per_entity, or fewer eligible ones for a
 * drawn entity (its conflicts excluded).
 * An empty entity pool gives an empty draw. Caller frees with
 * zf_spot_draw_free (also after an error). */
int zf_spot_draw_run(zf_spot_draw *out, const zf_spot_input *in, zf_err *err);
void zf_spot_draw_free(zf_spot_draw *d);

/* SHA-256 (lowercase hex) of the lines of a pool: each line is the fields
 * of one member joined by TAB and ended by LF, members in the order given
 * (the sorted order). Fields must contain neither TAB nor LF (the callers
 * validate); nfields per member, rows = n × nfields strings row-major. */
int zf_spot_pool_hash(char out[65], const char *const *rows, size_t n, size_t nfields,
                      zf_err *err);

/* The seed commitment the ledger carries (content_sha256 of the
 * spotcheck_seed event): SHA-256 of the text
 *   "zhifa-spotcheck-seed/1\nplan <id>\nseed <64 hex>\nentities <N> <pool hash>\n"
 *   "inspectors <M> <inspector pool hash>\nconflicts <C> <conflict hash>\n"
 *   "ratio_permille <r>\nper_entity <k>\n"
 * where the conflict hash is zf_spot_pool_hash over the lines
 * "<credit code>\t<certificate number>" sorted in byte order. */
int zf_spot_commitment(char out[65], int64_t plan_id, const char *seed_hex, size_t n_entities,
                       const char *pool_hash, size_t n_inspectors, const char *inspector_hash,
                       size_t n_conflicts, const char *conflict_hash, int ratio_permille,
                       int per_entity, zf_err *err);

/* The selection hash the spotcheck_draw event carries: SHA-256 of one line
 * per selected entity, "<credit code>\t<cert 1>,<cert 2>...\n", in draw order. */
int zf_spot_selection_hash(char out[65], const zf_spot_draw *d, const zf_spot_input *in,
                           zf_err *err);

/* 64 hex characters → 32 bytes; ZF_EINVAL otherwise. */
int zf_spot_seed_parse(uint8_t out[ZF_SPOT_SEED_LEN], const char *hex, zf_err *err);

#endif
