/* case_store.h — cases and their whole-process record (执法全过程记录):
 * the case row, its parties and officers, the stage history, documents with
 * their 文号, evidence links and the statutory clocks, all kept so that every
 * change is one transaction together with its audit row and ledger event.
 *
 * The rules are not here: core/workflow.h decides whether an action may be
 * taken, core/doctpl.h whether a document's fields are valid, core/deadline.h
 * how clocks run. This module gathers what those pure functions need from the
 * database (zf_case_wf_state), asks them, and writes the outcome.
 *
 * Transactions: every write function runs inside the caller's transaction
 * when there is one (zf_db_in_transaction), so another module can combine it
 * with its own change (a signature, a review round) and the caller commits or
 * rolls back; otherwise it opens and commits its own. On failure nothing of
 * it is left in its own transaction; inside the caller's the caller must roll
 * back (the partial work is not undone here).
 *
 * Every change appends one audit row (and so one ledger event) with the
 * SHA-256 of the changed record's canonical content: case_create,
 * case_update, case_action, case_officers, case_party_add, case_flags,
 * case_evidence_link, case_document_save, case_document_finalize. Personal
 * data (party names, identifiers) never goes into the audit detail.
 *
 * An archived case (stage with ZF_WF_ST_ARCHIVED, archived_at set) refuses
 * every change with ZF_ECONFLICT "case_archived".
 *
 * Clocks: every clock of a case runs in the calendar's clocks table
 * (object_type "case", see store/calendar_store.h), so 期限预警 lists them:
 * working-day rules as stored rules, the workflow's calendar-day rules
 * (penalty_decision_90d, coercion_seizure_30d, coercion_freeze_30d) as
 * ZF_RULE_CALENDAR_DAYS clocks carrying their own rule (migration 0016 moved
 * the rows of the former case_day_clocks there).
 *
 * The case list's aids (migration 0023), kept in the same transaction:
 * case_counts (cases per department, procedure, power type and stage) on
 * create and on every stage change, and the keyword index (title, 立案号,
 * summary, zf_cjk tokens) on create, on a title or summary change and when
 * the 立案号 is issued: case_fts on SQLite, case_tsv on PostgreSQL
 * (migration 0027, store/case_tsv.h). And for the statistics (0027):
 * case_stage_times, each ended stay in a stage, on every stage change.
 * Since migration 0028 case_fts is a scoped table (search/tokenizer.h,
 * ZF_SEARCH_SCOPE_MARK): each column's text starts with the case's
 * department id as its scope, so the list's keyword in one department reads
 * that department's matches only. A case never changes department; were that
 * ever allowed, its keyword rows would have to be rewritten in the same
 * transaction. A writer of cases outside this module must keep these too
 * (case_fts with ZF_CASE_FTS_INSERT; on PostgreSQL a trigger marks case_tsv
 * rows pending, which a tick then computes).
 *
 * Functions take the connection of the calling thread and keep no state. */
#ifndef ZF_STORE_CASE_STORE_H
#define ZF_STORE_CASE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Writes case_fts rows from cases as this module does (SQLite only): each
 * column prefixed by the scope mark (U+E001 = char(57345)), the department
 * id and the mark again. Append a WHERE clause on cases. */
#define ZF_CASE_FTS_INSERT                                                                      \
    "INSERT INTO case_fts (rowid, title, case_no, summary) SELECT id, "                         \
    "char(57345) || department_id || char(57345) || title, "                                    \
    "char(57345) || department_id || char(57345) || COALESCE(case_no, ''), "                    \
    "char(57345) || department_id || char(57345) || summary FROM cases"

#include "core/calendar.h"
#include "core/doctpl.h"
#include "core/workflow.h"
#include "store/db.h"
#include "util/buf.h"
#include "util/err.h"

#define ZF_CASE_TITLE_MAX 200    /* code points */
#define ZF_CASE_SUMMARY_MAX 2000
#define ZF_CASE_REASON_MAX 500
#define ZF_CASE_MAX_PARTIES 20
#define ZF_CASE_MAX_OFFICERS 20
#define ZF_CASE_OBJECT "case"   /* object_type of the case's clocks and audit rows */

/* Who acts. role is one ZF_ROLE_* bit of api.h (its low three bits are the
 * ZF_WF_ROLE_* of workflow.h). ip and request_id may be NULL. */
typedef struct zf_case_actor {
    int64_t user_id;
    const char *name;
    unsigned role;
    int64_t department_id;
    const char *ip;
    const char *request_id;
} zf_case_actor;

/* ---- the case row ---------------------------------------------------------- */

typedef struct zf_case {
    int64_t id, department_id, matter_id; /* matter_id 0 = none */
    char procedure[32], power_type[16], stage[32];
    unsigned flags;                       /* ZF_WF_* as stored (never WAIT_OVER) */
    char case_no[128];                    /* 立案号, "" until assigned */
    char title[ZF_CASE_TITLE_MAX * 4 + 1];
    char summary[ZF_CASE_SUMMARY_MAX * 4 + 1];
    char source[64];
    char secrecy[24];                     /* none, state_secret, commercial_secret, personal_privacy */
    bool has_fine;
    int64_t fine_fen;
    char outcome[32];
    char wait_until[ZF_DATE_STRLEN];      /* "" when none */
    int64_t stage_entered_at, created_by, created_at, updated_at;
    int64_t archived_at;                  /* 0 while not archived */
} zf_case;

/* One case. ZF_ENOTFOUND ("not_found") when there is none. */
int zf_case_get(zf_case *out, zf_db *db, int64_t id, zf_err *err);

/* 0 when the case exists and is not archived; ZF_ENOTFOUND, or ZF_ECONFLICT
 * "case_archived". out (may be NULL) receives the row. */
int zf_case_writable(zf_case *out, zf_db *db, int64_t id, zf_err *err);

/* ---- parties --------------------------------------------------------------- */

typedef struct zf_case_party {
    int64_t id;
    char kind[24];        /* person, legal_person, unincorporated, individual_business */
    char name[301];
    char id_type[64];     /* 统一社会信用代码, 居民身份证号码, or as given */
    char identifier[64];  /* upper case; "" when none */
    char legal_rep[193];
    char address[601];
    char phone[64];
} zf_case_party;

/* Kind code <-> Chinese name (自然人, 法人, 非法人组织, 个体工商户). from_text
 * accepts either; NULL / "" for unknown. */
const char *zf_case_party_kind_code(const char *text);
const char *zf_case_party_kind_name(const char *code);

/* Checks and normalises a party in place: kind (code or Chinese name, stored
 * as the code), name required, identifier (upper-cased) with its check
 * character: a 统一社会信用代码 for an organisation (GB 32100,
 * zf_redact_credit_code_valid), a 居民身份证号码 for a person (GB 11643,
 * zf_redact_id_valid; an 个体工商户 may have either); id_type filled in.
 * ZF_EINVAL with err.field "kind", "name", "identifier" ... */
int zf_case_party_check(zf_case_party *p, zf_err *err);

/* Adds a checked party to the case (audit case_party_add). */
int zf_case_add_party(int64_t *out_id, zf_db *db, int64_t case_id, const zf_case_party *p,
                      const zf_case_actor *who, int64_t now, zf_err *err);

/* The case's parties in order of entry. The caller frees *out. */
int zf_case_parties(zf_case_party **out, size_t *out_n, zf_db *db, int64_t case_id, zf_err *err);

/* ---- officers -------------------------------------------------------------- */

/* Replaces the case's officers (the first is 主办). Each must be an officer
 * of the case's department; duplicates are refused; at most
 * ZF_CASE_MAX_OFFICERS. An empty list is allowed (the workflow refuses the
 * on-site steps then). Audit case_officers. */
int zf_case_set_officers(zf_db *db, int64_t case_id, const int64_t *ids, size_t n,
                         const zf_case_actor *who, int64_t now, zf_err *err);

/* The case's officer ids in order. The caller frees *out. */
int zf_case_officers(int64_t **out, size_t *out_n, zf_db *db, int64_t case_id, zf_err *err);

/* ---- creating and editing --------------------------------------------------- */

typedef struct zf_case_new {
    int64_t department_id;
    int64_t matter_id;           /* 0 = none; else a matter of the department */
    const char *procedure;       /* zf_wf_procedure code */
    const char *title;           /* 1..ZF_CASE_TITLE_MAX code points */
    const char *summary;         /* may be NULL */
    const char *source;          /* may be NULL */
    const char *secrecy;         /* NULL = "none" */
    const zf_case_party *parties; /* checked with zf_case_party_check here */
    size_t n_parties;
    const int64_t *officers;
    size_t n_officers;
} zf_case_new;

/* 案源登记: creates the case in its procedure's first stage with its parties
 * and officers, a 'create' history row and the procedure's own clocks
 * (license_supplement_5d for the licensing procedures) started today.
 * ZF_EINVAL for bad input (unknown procedure, a matter of another department
 * or of a power type that does not fit the procedure, bad party ...). */
int zf_case_create(int64_t *out_id, zf_db *db, const zf_calendar *cal, const zf_case_new *in,
                   const zf_case_actor *who, int64_t now, zf_err *err);

/* A partial edit; NULL / -1 members are left as they are. */
typedef struct zf_case_patch {
    const char *title;
    const char *summary;
    const char *source;
    const char *secrecy;     /* lowering it (to a less strict label) needs a head */
    const char *wait_until;  /* "YYYY-MM-DD": the statutory waiting period ends; "" clears */
    int major;               /* -1 unchanged, 0/1: ZF_WF_MAJOR (重大执法决定) */
} zf_case_patch;

#define ZF_CASE_PATCH_INIT {NULL, NULL, NULL, NULL, NULL, -1}

int zf_case_update(zf_db *db, int64_t case_id, const zf_case_patch *p, const zf_case_actor *who,
                   int64_t now, zf_err *err);

/* Sets and clears flags (set first) without an action: for the legal review
 * module (ZF_WF_MAJOR, ZF_WF_REVIEW_PASSED). ZF_WF_WAIT_OVER is ignored (it is
 * derived from wait_until). Audit case_flags with the reason. */
int zf_case_set_flags(zf_db *db, int64_t case_id, unsigned set, unsigned clear, const char *reason,
                      const zf_case_actor *who, int64_t now, zf_err *err);

/* ---- the workflow --------------------------------------------------------------- */

/* What a step is taken with. */
typedef struct zf_case_action {
    const char *action;        /* zf_wf_action code */
    const char *target;        /* 退回: the stage to return to */
    const char *reason;        /* ≤ ZF_CASE_REASON_MAX code points */
    const int64_t *officers;   /* officers taking part; NULL = the case's officers */
    size_t n_officers;
    const int64_t *evidence;   /* files recorded at this step, linked to the case; NULL =
                                * every linked file no earlier step relied on */
    size_t n_evidence;
    bool has_fine;             /* 简易程序 / 决定: the fine in fen */
    int64_t fine_fen;
} zf_case_action;

/* The workflow state of a case as the store sees it: documents = the
 * template codes of its final documents; evidence = the kinds of the files
 * of the step (see zf_case_action.evidence); officers = those taking part
 * who are active with a certificate valid today; roles = who->role's
 * workflow bits; open clocks of both kinds; the department's 音像记录事项清单
 * (mandatory actions for the case's matter and procedure); the first party's
 * kind; the fine; ZF_WF_WAIT_OVER when wait_until is before today. Strings are
 * owned by the holder: free with zf_case_wf_state_free. */
typedef struct zf_case_wf {
    zf_wf_state st;
    zf_case cs;
    char (*docs)[48];
    const char **doc_ptrs;
    char (*clocks)[48];
    const char **clock_ptrs;
    char (*mandatory)[48];
    const char **mandatory_ptrs;
    char (*interrupted)[48];
    const char **interrupted_ptrs;
    int64_t *evidence_ids;     /* the files of the step */
    size_t n_evidence_ids;
} zf_case_wf;

int zf_case_wf_state(zf_case_wf *out, zf_db *db, int64_t case_id, const zf_case_action *req,
                     const zf_case_actor *who, int64_t now, zf_err *err);
void zf_case_wf_state_free(zf_case_wf *w);

/* Every action open in the case's stage with whether who could take it now
 * (zf_workflow_options over zf_case_wf_state). */
int zf_case_options(zf_wf_option *out, size_t cap, size_t *out_n, zf_db *db, int64_t case_id,
                    const zf_case_actor *who, int64_t now, zf_err *err);

typedef struct zf_case_act_result {
    int64_t event_id;
    zf_wf_outcome outcome;
    char stage_before[32], stage_after[32];
    char case_no[128];         /* the 立案号 if this step assigned it, else "" */
} zf_case_act_result;

/* Takes an action: builds the state, runs zf_workflow_check, and in one
 * transaction writes the new stage and flags, the outcome and fine, the 立案号
 * when the case leaves its first stage for a stage that is not closed, the
 * clocks started / finished / paused / resumed / extended (today), the
 * history row with the files relied on, and the audit row. A refusal returns
 * the workflow's code and Chinese reason and writes nothing (ZF_EINVAL for
 * bad input, ZF_EPERM for a role, ZF_ECONFLICT for the case's state). Moving
 * into an archived stage sets archived_at. */
int zf_case_act(zf_case_act_result *out, zf_db *db, const zf_calendar *cal, int64_t case_id,
                const zf_case_action *req, const zf_case_actor *who, int64_t now, zf_err *err);

/* ---- clocks ------------------------------------------------------------------- */

typedef struct zf_case_clock {
    int64_t id;                /* clocks.id */
    bool day;                  /* a calendar-day clock (ZF_RULE_CALENDAR_DAYS) */
    char rule_code[48];
    char name[96];
    char start[ZF_DATE_STRLEN], due[ZF_DATE_STRLEN], done[ZF_DATE_STRLEN]; /* "" when none */
    zf_clock_state state;      /* on today */
    bool open;
} zf_case_clock;

/* Every clock of the case, open ones first, each ordered by start. The
 * caller frees *out. */
int zf_case_clocks(zf_case_clock **out, size_t *out_n, zf_db *db, const zf_calendar *cal,
                   int64_t case_id, int64_t now, zf_err *err);

/* ---- documents ---------------------------------------------------------------- */

typedef struct zf_case_doc {
    int64_t id, case_id, department_id;
    char template_code[48];
    json_t *fields;            /* owned; free with zf_case_doc_clear */
    int64_t evidence_id;       /* 0 = none */
    char doc_no[160];          /* "" until final (or for unnumbered templates) */
    char status[8];            /* draft, final */
    char content_sha256[65];   /* "" for a draft */
    int64_t created_by, created_at, updated_at, finalized_by, finalized_at;
} zf_case_doc;

void zf_case_doc_clear(zf_case_doc *d);

/* The document doc_id of case case_id. ZF_ENOTFOUND when it is not the
 * case's. */
int zf_case_doc_get(zf_case_doc *out, zf_db *db, int64_t case_id, int64_t doc_id, zf_err *err);

/* Whether code names a document the case store accepts: a template of
 * core/doctpl.h (fields validated), or a code of doccodes.h without a
 * template yet (a scan: evidence_id required at finalization, fields a flat
 * object of strings). */
bool zf_case_doc_code_known(const char *code);

/* Saves a draft: doc_id 0 creates one, else replaces the fields (and
 * evidence) of draft doc_id (ZF_ECONFLICT "document_final" when it is
 * final). Fields are validated as a draft (zf_doc_validate_draft): a
 * required field may still be empty (the API lists what is missing), but
 * whatever is filled must be valid, and the derived doc_no may not be given. evidence_id (0 = none)
 * must be a stored file of the case's department; it is linked to the case.
 * Audit case_document_save. */
int zf_case_doc_save(int64_t *out_id, zf_db *db, int64_t case_id, int64_t doc_id,
                     const char *template_code, const json_t *fields, int64_t evidence_id,
                     const zf_case_actor *who, int64_t now, zf_err *err);

/* Finalizes a draft: a numbered template gets its 文号 from the department's
 * counter for (its kind, this year) in the same transaction (written into
 * the fields' doc_no), the fields are validated in full (ZF_EINVAL
 * "required" naming every empty required field, err.field the first), the content hash
 * computed (SHA-256 of the RFC 8785 form of {case_id, template, doc_no,
 * fields, evidence_sha256}) and the document becomes immutable.
 * out_doc_no (may be NULL, cap bytes) receives the 文号 or "". Audit
 * case_document_finalize with the content hash. */
int zf_case_doc_finalize(char *out_doc_no, size_t cap, zf_db *db, int64_t case_id, int64_t doc_id,
                         const zf_case_actor *who, int64_t now, zf_err *err);

/* ---- 文号 --------------------------------------------------------------------- */

/* The department's 文号 prefix: docno_prefixes, else its short name (or
 * name) without a final 局. */
int zf_case_docno_prefix(char *out, size_t cap, zf_db *db, int64_t department_id, zf_err *err);

/* Issues the next number of (department, kind, year) and formats it into out
 * ("赣江市监处罚〔2026〕3号"). MUST run inside the caller's write transaction:
 * the number is taken only if the transaction commits. */
int zf_case_docno_issue(char *out, size_t cap, zf_db *db, int64_t department_id, const char *kind,
                        int year, zf_err *err);

/* ---- evidence ----------------------------------------------------------------- */

/* Links a stored evidence file of the case's department to the case (which
 * keeps it for ever: expires_at NULL). Linking it again to the same case is a
 * no-op; to another case ZF_ECONFLICT "case_already_linked". Audit
 * case_evidence_link. */
int zf_case_link_evidence(zf_db *db, int64_t case_id, int64_t evidence_id,
                          const zf_case_actor *who, int64_t now, zf_err *err);

/* ---- recording interruptions (音像记录中断) ------------------------------------ */

#define ZF_CASE_CAUSES "device_failure, battery, storage_full, environment, other"

typedef struct zf_case_interruption {
    int64_t id, case_id;
    char action[48];           /* zf_wf_action.code of the step being recorded */
    char cause[24];            /* one of ZF_CASE_CAUSES */
    char reason[ZF_CASE_REASON_MAX * 4 + 1];
    int64_t device_id;         /* a device of the case's department */
    char device_serial[128];   /* filled on read */
    int64_t interrupted_at;    /* Unix seconds */
    int64_t resumed_at;        /* 0 = did not resume */
    int64_t evidence_id;       /* the partial recording, 0 = none */
    int64_t event_id;          /* the step that relied on it, 0 = none yet */
    int64_t recorded_by, created_at;
    char recorded_by_name[64]; /* filled on read */
} zf_case_interruption;

/* Records that the recording of step in->action broke off. Checks: the case
 * writable; action an action of the case's procedure; cause one of
 * ZF_CASE_CAUSES; reason non-blank (≤ ZF_CASE_REASON_MAX); device_id a
 * device of the case's department ("invalid_device"); interrupted_at > 0 and
 * not after now; resumed_at 0 or not before interrupted_at; evidence_id 0 or
 * a stored file linked to the case ("evidence_not_linked"). ZF_EINVAL with
 * err.field naming the member. Until a step relies on it, the row lets that
 * step pass the mandatory-recording check (zf_case_wf_state fills
 * st.interrupted); zf_case_act then sets its event_id. Audit
 * case_recording_interruption (the case's hash covers the row, see
 * zf_case_canonical). */
int zf_case_interruption_add(int64_t *out_id, zf_db *db, const zf_case_interruption *in,
                             const zf_case_actor *who, int64_t now, zf_err *err);

/* The case's interruptions by time. The caller frees *out. */
int zf_case_interruptions(zf_case_interruption **out, size_t *out_n, zf_db *db, int64_t case_id,
                          zf_err *err);

/* ---- hashing ------------------------------------------------------------------ */

/* SHA-256 (hex) of the case's canonical content: the row, its parties'
 * kinds and identifiers, officers, final documents' hashes, and (only when
 * there are any, so older hashes stay valid) its recording interruptions. */
int zf_case_hash(char out[65], zf_db *db, int64_t case_id, zf_err *err);

/* Appends the RFC 8785 bytes zf_case_hash hashes to out (the 案卷 bundle
 * carries them as case.json, so an event's content hash can be checked). */
int zf_case_canonical(zf_buf *out, zf_db *db, int64_t case_id, zf_err *err);

#endif
