/* cockpit_store.h — the Justice Bureau's cockpit (issue 8): numbers per
 * department computed from the records, the early-warning rules evaluated
 * over the same records, the implementation tracker's progress and the
 * assessment score (考评).
 *
 * The numbers are precomputed: zf_cockpit_refresh reads every department's
 * figures with grouped queries outside any write transaction, then replaces
 * cockpit_stats and warnings in one short transaction, so a city view over
 * a million cases is a read of a few hundred rows. cockpit_meta says when
 * they were computed and for which day.
 *
 * Warning rules are rows of warning_rules: kind names one of the computations
 * below, params (a JSON object of non-negative integers) its thresholds, so
 * a new rule with other thresholds or another level is a new row. Kinds:
 *   publication_overdue            pending publication past its due date
 *   review_overdue                 legal review round past its due date
 *   clock_overdue                  open case clock past its due date
 *   expired_certificate_acting     an officer acted on a case after the
 *                                  certificate's last valid day
 *   reviewer_shortage              reviewers < percent of active officers
 *   penalties_without_publication  ≥ min_penalties penalty decisions in the
 *                                  last `days` days and no penalty published
 *   decision_after_disagree        a decision although the latest review
 *                                  round concluded 不同意
 *   fine_off_benchmark             fine outside the matter's benchmark range
 *                                  widened by tolerance_percent
 *   officer_case_share             one officer leads > share_percent of the
 *                                  department's cases of the last `days` days
 *                                  (at least min_cases)
 *   closed_without_recording       a closed case with an action the accepted
 *                                  音像记录事项清单 makes mandatory and no
 *                                  file of that kind linked to it
 *   repeated_withdrawals           ≥ min publications withdrawn in `days` days
 *
 * Thread safety: as the connection passed in. */
#ifndef ZF_STORE_COCKPIT_STORE_H
#define ZF_STORE_COCKPIT_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "store/db.h"
#include "util/err.h"

/* At most this many warnings are kept per rule (the counts are exact). */
#define ZF_COCKPIT_MAX_WARNINGS_PER_RULE 200

/* Recomputes the numbers and warnings for the China date of now. *out_ms
 * (may be NULL) gets the time it took. */
int zf_cockpit_refresh(int64_t *out_ms, zf_db *db, int64_t now, zf_err *err);

/* When the numbers were last computed (0: never). */
int64_t zf_cockpit_computed_at(zf_db *db);

/* Whether kind is a known rule kind; and a rule's params checked against its
 * kind (unknown keys, non-integers, negatives refused with a Chinese message). */
int zf_cockpit_rule_kind_known(const char *kind);
int zf_cockpit_rule_params_check(const char *kind, const json_t *params, zf_err *err);
/* The kinds with their parameter names and defaults, as JSON (new reference). */
json_t *zf_cockpit_rule_kinds(void);

/* The cockpit view: department_id 0 for the city (sums, plus one row per
 * department), else that department alone; the tracker part is counted for
 * the China date of now. New reference in *out. */
int zf_cockpit_view(json_t **out, zf_db *db, int64_t department_id, int64_t now, zf_err *err);

/* The implementation tracker's progress per enforcement department
 * (department_id 0: all) as of today. New reference in *out:
 * {"tasks":[...], "departments":[{"department_id","name","done","late",
 * "missing","pending","ongoing","items":[{"task_id","status","done_on"}]}]} */
int zf_tracker_progress(json_t **out, zf_db *db, int64_t department_id, int64_t now, zf_err *err);

#endif
