/* spot_store.h — 双随机、一公开 (issue 7) in the database: random-check plans,
 * their entity pools, the seed committed to the ledger before the draw, the
 * draw itself (core/spotcheck.h) and the inspection results, which are
 * published through the publications queue (store/publication_store.h).
 *
 * Life of a plan (table spot_plans, migration 0013):
 *   open    the pool of entities is built (added, imported, removed)
 *   seeded  32 random bytes from libsodium were committed: the seed, the
 *           hashes of the entity pool and of the inspector pool (the
 *           department's active officers with a certificate valid that day,
 *           frozen in spot_inspectors) and the ratio, as the content hash of
 *           a spotcheck_seed ledger event, in a transaction of its own that
 *           is durable before the selection is computed; the pools are locked
 *   drawn   the selection was computed from the committed data and stored,
 *           with a spotcheck_draw ledger event carrying its hash. A plan is
 *           drawn once: another draw is refused.
 * A plan left seeded (a crash between the two transactions) is drawn by the
 * next draw request from the seed already committed — never a new seed.
 *
 * Every change writes an audit row and its ledger event in the same
 * transaction. Not thread-safe per connection, like zf_db. */
#ifndef ZF_STORE_SPOT_STORE_H
#define ZF_STORE_SPOT_STORE_H

#include <stdint.h>

#include "core/calendar.h"
#include "core/spotcheck.h"
#include "core/spotpool.h"
#include "store/db.h"
#include "util/err.h"

#define ZF_SPOT_OBJECT "spot_plan"          /* object_type of plan audit rows */
#define ZF_SPOT_SELECTION_OBJECT "spot_selection"
#define ZF_SPOT_TEXT_MAX 2000               /* findings, handling: code points */

typedef struct zf_spot_actor {
    int64_t user_id;
    const char *name;
    const char *ip;
    const char *request_id;
} zf_spot_actor;

typedef struct zf_spot_plan_in {
    int64_t department_id;
    const char *title;
    int64_t check_item_id;       /* a random_check publicity item of the department; 0 = none */
    int ratio_permille;
    int inspectors_per_entity;
    const char *period_from, *period_to; /* YYYY-MM-DD */
} zf_spot_plan_in;

/* Creates an open plan. ZF_EINVAL (field) for a bad title, ratio, count,
 * period, or a check item that is not one of the department's random-check
 * items. */
int zf_spot_plan_create(int64_t *out_id, zf_db *db, const zf_spot_plan_in *in,
                        const zf_spot_actor *who, int64_t now, zf_err *err);

/* Adds entities to an open plan's pool, in one transaction. Rows whose
 * credit code is already in the pool are not added and are appended to
 * *rejected (the caller's parse result, so one report lists both); the rest
 * are. entities are checked with zf_spot_entity_check first (a bad one fails
 * the whole call). *out_added (may be NULL) gets the count. ZF_ECONFLICT
 * "plan_not_open" once the seed is committed. */
int zf_spot_entities_add(size_t *out_added, zf_db *db, int64_t plan_id,
                         zf_spot_pool_parse *entities, const zf_spot_actor *who, int64_t now,
                         zf_err *err);

/* Removes one entity of an open plan. ZF_ENOTFOUND, ZF_ECONFLICT "plan_not_open". */
int zf_spot_entity_remove(zf_db *db, int64_t plan_id, int64_t entity_id,
                          const zf_spot_actor *who, int64_t now, zf_err *err);

/* Declares a conflict of interest (回避): the department's officer
 * officer_id must not inspect the pool member with credit_code of this open
 * plan; reason required (kept internal, not public). Declaring it again
 * updates the reason. ZF_EINVAL for an unknown code or officer,
 * ZF_ECONFLICT "plan_not_open". Conflicts are frozen with the pools and are
 * part of the seed commitment. */
int zf_spot_conflict_add(zf_db *db, int64_t plan_id, int64_t officer_id, const char *credit_code,
                         const char *reason, const zf_spot_actor *who, int64_t now, zf_err *err);

/* The draw: commits seed (ZF_SPOT_SEED_LEN bytes; the API passes libsodium's
 * randombytes_buf) in a transaction of its own, then computes and stores the
 * selection in a second. For a plan left seeded, seed is ignored and the
 * committed one is used. ZF_ECONFLICT "already_drawn", "pool_empty",
 * "not_enough_inspectors" (fewer than k inspectors, or fewer than k left
 * for some pool member after its conflicts; refused before the seed is
 * committed). Must not be called inside a transaction. */
int zf_spot_plan_draw(zf_db *db, int64_t plan_id, const uint8_t *seed, const zf_spot_actor *who,
                 int64_t now, zf_err *err);

/* The inputs of a seeded or drawn plan as committed, for the draw and for
 * `zhifa spotcheck redraw`: the seed, entity credit codes sorted, inspector
 * certificate numbers sorted, ratio and count. Owned by *out; free with
 * zf_spot_inputs_free. ZF_ECONFLICT "not_seeded" for an open plan. */
typedef struct zf_spot_inputs {
    zf_spot_input in;
    uint8_t seed[ZF_SPOT_SEED_LEN];
    char **entities, **inspectors;
    int64_t *entity_ids, *officer_ids;   /* parallel to the sorted lists */
    size_t *conflicts;                   /* in.conflicts: index pairs */
    char pool_hash[65], inspector_hash[65], conflict_hash[65], commitment[65];
} zf_spot_inputs;
int zf_spot_inputs_load(zf_spot_inputs *out, zf_db *db, int64_t plan_id, zf_err *err);
void zf_spot_inputs_free(zf_spot_inputs *p);

typedef struct zf_spot_result_in {
    const char *result;          /* "normal" or "problem" */
    const char *inspected_on;    /* YYYY-MM-DD, not in the future */
    const char *findings;        /* required for "problem" */
    const char *handling;        /* how a problem was dealt with; may be "" */
    const char *handled_on;      /* YYYY-MM-DD or NULL: the problem is still being dealt with */
} zf_spot_result_in;

/* Records the result of one drawn entity. When the result is normal, or a
 * problem whose handling is recorded (handled_on), queues its publication
 * (kind "other", clock publish_spot_check from inspected_on, or from
 * handled_on for a problem). May be repeated until then (a problem's handling
 * is entered later the same way); refused with ZF_ECONFLICT "result_queued"
 * after. who must be one of the entity's inspectors unless is_head. */
int zf_spot_result_enter(zf_db *db, const zf_calendar *cal, int64_t selection_id,
                         const zf_spot_result_in *in, int64_t officer_id, int is_head,
                         const zf_spot_actor *who, int64_t now, zf_err *err);

#endif
