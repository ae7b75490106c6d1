/* review_store.h — the stored side of the legal review of major enforcement
 * decisions (重大执法决定法制审核): each department's catalog versions and their
 * filing (备案) with the Justice Bureau, each case's proposed decision with
 * its classification and the head's override, the rounds of review with
 * their checklist, conclusions, clock, extension and collective discussion,
 * the city-wide pool of legal advisers / 公职律师, and the gate that the case
 * store calls inside the transaction recording a decision.
 *
 * The rules are in core/review.h; this module reads what those pure functions
 * need from the database, asks them and writes the outcome, each change in
 * one transaction with its audit row (object_type "case_review" with the case
 * id, or "review_catalog" with the department id) and so its ledger event:
 * review_submit, review_receive, review_assign, review_checklist,
 * review_conclude, review_extend, review_collective, review_override,
 * review_catalog_edit, review_catalog_submit, review_catalog_file,
 * review_catalog_return, review_pool_add, review_pool_remove.
 *
 * Transactions: like case_store.h, every write runs inside the caller's
 * transaction when there is one, else opens and commits its own.
 *
 * The locality's numbers (settings keys, all optional):
 *   review_workdays            3   working days from receipt
 *   review_extension_workdays  2   once, with a named approver
 *   review_reviewer_percent    5   reviewers per 100 enforcement officers
 *   review_collective_may_decide 0 a 集体讨论 deciding to proceed opens the gate
 *   review_outcomes            JSON [{"code","label","passes","reason_required"}]
 *
 * Who may do what (beyond the route's roles): a round routed to the
 * department is received by a reviewer of the case's department; one routed
 * to the Justice Bureau (a decision in the city government's name) by a
 * reviewer of a department of kind 'supervision'; a round assigned to a pool
 * member only by that member. Only the round's reviewer notes and concludes.
 * A non-passing conclusion returns the round to the handling unit at once
 * (退回承办机构), which may then resubmit (round n+1).
 *
 * Lists and views are returned as jansson objects (the shapes the API
 * serves, documented in docs/openapi.yaml); the caller owns *out.
 *
 * Functions take the connection of the calling thread and keep no state. */
#ifndef ZF_STORE_REVIEW_STORE_H
#define ZF_STORE_REVIEW_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/calendar.h"
#include "core/review.h"
#include "store/case_store.h"
#include "store/db.h"
#include "util/err.h"

#define ZF_REVIEW_OBJECT "case_review"
#define ZF_REVIEW_CATALOG_OBJECT "review_catalog"

/* The locality's configuration: the defaults overlaid by the settings keys
 * above. ZF_EINVAL "invalid_review_config" (field = the key) when a value
 * is malformed or fails zf_review_config_validate. */
int zf_review_store_config(zf_review_config *out, zf_db *db, zf_err *err);

/* ---- catalogs -------------------------------------------------------------- */

/* The catalog that applies to the department on today: its filed version
 * with the highest number filed on or before today, else the built-in
 * defaults (version 0). *out is the caller's (zf_review_catalog_free). */
int zf_review_store_catalog_effective(zf_review_catalog **out, zf_db *db, int64_t department_id,
                                      zf_date today, zf_err *err);

/* Every version of the department's catalog, newest first, plus which one
 * applies: {"department_id","effective_version","versions":[{id, version,
 * state, state_name, filed_on, filing_ref, return_reason, rules:[...],
 * submitted_at, decided_at, created_at, updated_at}]}. */
int zf_review_store_catalogs(json_t **out, zf_db *db, int64_t department_id, zf_date today,
                             zf_err *err);

/* Replaces the rules of the department's open version (draft, or returned:
 * reopened), creating one when there is none (a copy of the newest version,
 * or of the defaults). rules is a JSON array of {code,title,basis,when}.
 * ZF_EINVAL for bad rules (field "rules[i]..."), ZF_ECONFLICT
 * "catalog_pending" while a version waits for the Justice Bureau. */
int zf_review_store_catalog_edit(int64_t *out_version, zf_db *db, int64_t department_id,
                                 const json_t *rules, const zf_case_actor *who, int64_t now,
                                 zf_err *err);

typedef enum zf_review_catalog_op {
    ZF_CATALOG_OP_SUBMIT = 1, /* the department head: draft → submitted */
    ZF_CATALOG_OP_FILE,       /* the Justice Bureau: submitted → filed (备案号 = text) */
    ZF_CATALOG_OP_RETURN      /* the Justice Bureau: submitted → returned (reason = text) */
} zf_review_catalog_op;

/* Moves the department's newest version through the filing workflow
 * (core's zf_review_catalog_submit / _file / _return). Submission refuses a
 * catalog that narrows the defaults. text: the 备案号 (file; "" = generated)
 * or the reason (return, required). */
int zf_review_store_catalog_op(zf_db *db, int64_t department_id, zf_review_catalog_op op,
                               const char *text, const zf_case_actor *who, int64_t now,
                               zf_err *err);

/* ---- a case's proposed decision ------------------------------------------------ */

/* The facts of a case's proposed decision: facts_json (an object; may be
 * NULL) over what the case row says (power_type from the procedure's power,
 * procedure ordinary / simple for the penalty procedures), the given keys
 * winning — except hearing_held, which is true whenever the record shows a
 * hearing held (a final 听证笔录 or the hearing_done action). The caller
 * frees *out (free()). */
int zf_review_store_case_facts(char **out, zf_db *db, int64_t case_id, const char *facts_json,
                               zf_err *err);

/* Classifies a proposed decision (nothing is written): {"major","listed",
 * "overridden","bureau_notice","matches":[{code,title}],"catalog_version",
 * "route","route_name","hearing_held","facts"}. The stored override applies. */
int zf_review_store_classify(json_t **out, zf_db *db, int64_t case_id, const char *facts_json,
                             int64_t now, zf_err *err);

/* The head's override: kind ZF_REVIEW_MARK_MAJOR (any decision) or
 * ZF_REVIEW_MARK_NOT_MAJOR (a listed one; reason required; the Justice
 * Bureau sees it), ZF_REVIEW_OVERRIDE_NONE to withdraw it. The case's
 * ZF_WF_MAJOR flag follows the new determination. facts_json as above (NULL
 * = the facts stored, or the case's own). */
int zf_review_store_override(zf_db *db, int64_t case_id, zf_review_override_kind kind,
                             const char *reason, const char *facts_json,
                             const zf_case_actor *who, int64_t now, zf_err *err);

/* ---- rounds ------------------------------------------------------------------------ */

/* 送审: classifies the facts (refused with "not_major" when the decision is
 * not major), checks the materials — a JSON array of {"material": code or
 * label, "text": …} or {"material", "document": template code} (the case's
 * newest document of that template; ZF_EINVAL "document_not_found") —
 * refusing an incomplete submission with the list of what is missing
 * (zf_review_submission_check), and opens round n+1 routed to the
 * department or the Justice Bureau. Sets ZF_WF_MAJOR, clears
 * ZF_WF_REVIEW_PASSED. *out_no (may be NULL) receives the round number. */
int zf_review_store_submit(int *out_no, zf_db *db, int64_t case_id, const char *facts_json,
                           const json_t *materials, const zf_case_actor *who, int64_t now,
                           zf_err *err);

/* Assigns the submitted round to a member of the pool (a department head of
 * the case's department or a supervisor). ZF_EINVAL "not_in_pool". */
int zf_review_store_assign(zf_db *db, int64_t case_id, int64_t pool_user_id,
                           const zf_case_actor *who, int64_t now, zf_err *err);

/* The reviewer receives the submitted round: the clock starts today. A
 * first review needs the legal qualification (the reviewer's officer
 * record, or the pool entry): ZF_EPERM "reviewer_not_qualified". */
int zf_review_store_receive(zf_db *db, const zf_calendar *cal, int64_t case_id,
                            const zf_case_actor *who, int64_t now, zf_err *err);

/* Notes checklist points: points is a JSON array of {"point": code or
 * label, "state": "conforms"|"problem" (符合 / 存在问题), "note"}. */
int zf_review_store_checklist(zf_db *db, int64_t case_id, const json_t *points,
                              const zf_case_actor *who, int64_t now, zf_err *err);

/* The conclusion (outcome code or label of the configuration, reasons). A
 * passing one sets ZF_WF_REVIEW_PASSED; another clears it and returns the
 * round to the handling unit. The 法制审核意见书 is saved as a case document
 * (template legal_review_opinion, finalized with its 文号 in the same
 * transaction) and linked to the round. */
int zf_review_store_conclude(zf_db *db, const zf_calendar *cal, int64_t case_id,
                             const char *outcome, const char *reasons, const zf_case_actor *who,
                             int64_t now, zf_err *err);

/* The extension (+cfg days) approved by approver (a named leader), recorded
 * by the round's reviewer or a head of the case's department. */
int zf_review_store_extend(zf_db *db, const zf_calendar *cal, int64_t case_id,
                           const char *approver, const zf_case_actor *who, int64_t now,
                           zf_err *err);

/* A collective discussion of the latest non-passing round, with its record;
 * recorded by a head of the case's department. */
int zf_review_store_collective(zf_db *db, int64_t case_id, zf_review_collective_decision d,
                               const char *record, const zf_case_actor *who, int64_t now,
                               zf_err *err);

/* The case's review: determination, rounds (each with checklist, clock
 * state and working days left), the gate, and the audit trail of the review
 * (who submitted, reviewed, approved an extension, decided). */
int zf_review_store_get(json_t **out, zf_db *db, const zf_calendar *cal, int64_t case_id,
                        int64_t now, zf_err *err);

/* The reviewer signs the 法制审核意见书 of the latest round (a final
 * document of template legal_review_opinion, issued at the conclusion): a
 * signature of kind "reviewer" in the slot 审核人员, the name the round's
 * reviewer's. Only the round's own reviewer (ZF_EPERM "not_the_reviewer"),
 * once (ZF_ECONFLICT "already_signed"), after the conclusion (ZF_ECONFLICT
 * "opinion_not_issued"). png is a checked image (zf_render_png_check).
 * Audit document_signature (doc_store). 法制审核同意 (legal_review_pass)
 * needs this signature on the latest agreeing round's opinion. */
int zf_review_store_sign_opinion(int64_t *out_id, zf_db *db, int64_t case_id,
                                 const unsigned char *png, size_t png_len, int width, int height,
                                 const zf_case_actor *who, int64_t now, zf_err *err);

/* The document id of round no's 法制审核意见书 (0 = the latest round that has
 * one); *out 0 when there is none. */
int zf_review_store_opinion_doc(int64_t *out, zf_db *db, int64_t case_id, int no, zf_err *err);

/* The 法制审核意见书 of round no (0 = the latest concluded) as HTML. The
 * caller frees *out. ZF_ENOTFOUND when there is no such concluded round. */
int zf_review_store_opinion_html(char **out, zf_db *db, int64_t case_id, int no, zf_err *err);

/* The queue a user works from: open rounds (submitted or in review) they may
 * receive or are reviewing, each with the case, the clock state and working
 * days left; mine_only limits it to rounds received by who. */
int zf_review_store_queue(json_t **out, zf_db *db, const zf_calendar *cal,
                          const zf_case_actor *who, bool mine_only, int64_t now, zf_err *err);

/* ---- the gate -------------------------------------------------------------------- */

/* Whether a decision may be recorded for the case now: re-reads the case's
 * flags, its proposed decision, the catalog that applies, the override and
 * every round from the database (inside the caller's transaction) and asks
 * zf_review_gate_allows_decision, treating a ZF_WF_MAJOR flag as major
 * whatever the catalog says. 0 when allowed; else ZF_ECONFLICT with the
 * gate's code (review_required, review_pending, review_not_agreed,
 * proposal_mismatch, decision_mismatch …) and Chinese reason. Called by
 * zf_case_act for every action with review_gate.
 *
 * action is the workflow action recording the decision (NULL: none, as for
 * the review page's "may a decision be recorded now"): what it decides
 * (zf_review_decision_kind_of: 处罚, 不予处罚, 不予许可, 不予变更 …) replaces
 * the proposal's decision_kind before classification, so the catalog's
 * conditions on decision_kind see the decision actually being made; and
 * when the proposal named another kind, a major decision is refused
 * (decision_mismatch). hearing_held comes from the record as well
 * (zf_review_store_case_facts). */
int zf_review_store_gate(zf_db *db, int64_t case_id, const char *action, int64_t now, zf_err *err);

/* ---- staffing, the pool and the Justice Bureau's view ------------------------------ */

/* Per department (department_id 0 = all): officers (active), reviewers
 * (active accounts with the reviewer role), required (cfg percent), shortfall
 * and whether it meets the ratio; rounds by state and outcome, overdue open
 * rounds, bureau notices (listed decisions marked not major). */
int zf_review_store_stats(json_t **out, zf_db *db, const zf_calendar *cal, int64_t department_id,
                          int64_t now, zf_err *err);

/* The pool: {"items":[{id,user_id,username,display_name,department_id,kind,
 * kind_name,legal_qualified,note,active}]}. */
int zf_review_store_pool(json_t **out, zf_db *db, zf_err *err);
/* Adds an account with the reviewer role to the pool (kind legal_adviser /
 * public_lawyer). ZF_ECONFLICT when it already is a member. */
int zf_review_store_pool_add(int64_t *out_id, zf_db *db, int64_t user_id, const char *kind,
                             bool legal_qualified, const char *note, const zf_case_actor *who,
                             int64_t now, zf_err *err);
int zf_review_store_pool_remove(zf_db *db, int64_t id, const zf_case_actor *who, int64_t now,
                                zf_err *err);

#endif
