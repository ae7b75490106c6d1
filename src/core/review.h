/* review.h — legal review of major enforcement decisions (重大执法决定法制审核):
 * the catalog of what is major, classification of a proposed decision, the
 * completeness and routing of a submission, the rounds of review with their
 * checklist, conclusions and clock, the gate that refuses to let a major
 * decision be recorded without an agreeing review, and reviewer staffing.
 *
 * Pure computation: no I/O, no database, no clock ("today" is an argument).
 * JSON arrives as text (bounded, UTF-8 checked by the parser) and leaves as
 * text, so callers need not share a JSON library with this module.
 *
 * Sources: the city's implementation plan for the three systems (the seed,
 * items 11–16) and 行政处罚法 第五十八条 ("未经法制审核或者审核未通过的，不得作出
 * 决定"; 初次从事法制审核的人员应当取得法律职业资格).
 *
 * The catalog (目录清单) is data: each rule has a code, a Chinese title, the
 * wording it rests on and a condition ("when") written in a small JSON
 * language over typed case fields — see docs/review-catalog.md:
 *
 *   cond := {"all":[cond,...]} | {"any":[cond,...]} | {"not":cond}
 *         | {"field":NAME, OP:VALUE}
 *   OP   := eq ne in gt gte lt lte contains exists
 *
 * Unknown fields, operators, keys, values of the wrong type and enum values
 * that do not exist are refused with a Chinese message naming the place
 * ("when.all[1]"). A fact that is absent makes every comparison on it false
 * (ne included) except "exists"; a yes/no fact that is absent counts as no.
 *
 * Thread safety: no global mutable state. Distinct objects may be used from
 * different threads; one object is not safe for concurrent writers. */
#ifndef ZF_CORE_REVIEW_H
#define ZF_CORE_REVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "core/calendar.h"
#include "core/deadline.h"
#include "util/err.h"

/* ---- limits ------------------------------------------------------------ */

#define ZF_REVIEW_MAX_JSON ((size_t)1024 * 1024) /* bytes of catalog or facts text */
#define ZF_REVIEW_MAX_RULES 128       /* rules in one catalog version */
#define ZF_REVIEW_MAX_DEPTH 16        /* nesting of all/any/not */
#define ZF_REVIEW_MAX_NODES 256       /* nodes in one rule's condition */
#define ZF_REVIEW_MAX_LIST 64         /* values of "in", items of a list fact */
#define ZF_REVIEW_MAX_STR 1024        /* bytes of one string value */
#define ZF_REVIEW_CODE_MAX 48         /* rule code, [a-z0-9_], NUL included */
#define ZF_REVIEW_TITLE_MAX 128
#define ZF_REVIEW_BASIS_MAX 512
#define ZF_REVIEW_NAME_MAX 64         /* a person or department name */
#define ZF_REVIEW_NOTE_MAX 512
#define ZF_REVIEW_REASON_MAX 1024

/* ---- case facts -------------------------------------------------------- */

/* The facts of one proposed decision, parsed and type-checked. Opaque. */
typedef struct zf_review_facts zf_review_facts;

/* Parses a JSON object of facts (len bytes, need not be NUL-terminated).
 * Known fields (see zf_review_field_count) are type-checked — a string where
 * a number belongs, a negative amount or an unknown enum value is refused
 * (ZF_EINVAL "invalid_facts", field = the key); null means absent; unknown
 * keys are ignored, since a case record carries more than the catalog reads.
 * Enum values may be given as code ("penalty") or Chinese label ("行政处罚").
 * *out is the caller's, freed with zf_review_facts_free. */
int zf_review_facts_parse(zf_review_facts **out, const char *json, size_t len, zf_err *err);
void zf_review_facts_free(zf_review_facts *f);

/* Whether the decision is to be made in the people's government's name
 * (in_government_name), which decides where it is reviewed. */
bool zf_review_facts_in_government_name(const zf_review_facts *f);
/* Whether a hearing was held (hearing_held): the 听证笔录 is then required. */
bool zf_review_facts_hearing_held(const zf_review_facts *f);
/* The decision_kind fact as its code ("penalize"), or NULL when not given.
 * Borrowed, static. */
const char *zf_review_facts_decision_kind(const zf_review_facts *f);
/* The Chinese label of a decision_kind code ("不予处罚"), or NULL. */
const char *zf_review_decision_kind_label(const char *code);
/* The decision_kind that recording workflow action `action` of procedure
 * `procedure` makes (core/workflow.h: every action with review_gate has
 * one), or NULL for an action that records no decision. Static. */
const char *zf_review_decision_kind_of(const char *procedure, const char *action);

/* The typed fields the condition language knows, for documentation and the
 * console's rule editor: name ("fine_amount_yuan"), Chinese label, type
 * ("bool", "integer", "number", "enum", "string", "list") and, for enums,
 * the allowed values as "code=标签" joined by "、" (borrowed, static). i in
 * [0, zf_review_field_count()); returns false when out of range. */
size_t zf_review_field_count(void);
bool zf_review_field_info(size_t i, const char **out_name, const char **out_label,
                          const char **out_type, const char **out_values);

/* ---- conditions -------------------------------------------------------- */

typedef struct zf_review_cond zf_review_cond; /* opaque, immutable once parsed */

/* Parses one condition. where names it in errors (e.g. "rules[2].when"; NULL = "when").
 * Errors: ZF_EINVAL "invalid_condition" (field = the path, message Chinese),
 * ZF_ETOOBIG beyond ZF_REVIEW_MAX_JSON / _NODES / _DEPTH. */
int zf_review_cond_parse(zf_review_cond **out, const char *json, size_t len, const char *where,
                         zf_err *err);
void zf_review_cond_free(zf_review_cond *c);
/* Evaluates a condition against facts. Total: never fails. */
bool zf_review_cond_eval(const zf_review_cond *c, const zf_review_facts *f);
/* The canonical JSON text (compact, aliases replaced by codes): parsing it
 * again gives an equal condition. The caller frees *out with free(). */
int zf_review_cond_to_json(char **out, const zf_review_cond *c, zf_err *err);

/* ---- the catalog (目录清单) -------------------------------------------- */

typedef struct zf_review_rule {
    char code[ZF_REVIEW_CODE_MAX];   /* stable key, [a-z0-9_], e.g. "penalty_ordinary" */
    char title[ZF_REVIEW_TITLE_MAX]; /* Chinese, shown when it matches */
    char basis[ZF_REVIEW_BASIS_MAX]; /* the wording it rests on */
    zf_review_cond *when;            /* owned by the catalog */
} zf_review_rule;

typedef enum zf_review_catalog_state {
    ZF_CATALOG_DRAFT = 0,  /* 草稿: the department edits it */
    ZF_CATALOG_SUBMITTED,  /* 已报送备案: waiting for the Justice Bureau */
    ZF_CATALOG_FILED,      /* 已备案: in force; immutable */
    ZF_CATALOG_RETURNED    /* 已退回: the Justice Bureau sent it back with a reason */
} zf_review_catalog_state;

typedef struct zf_review_catalog {
    char department[ZF_REVIEW_NAME_MAX];
    int version;                   /* 1, 2, ... per department */
    zf_review_catalog_state state;
    zf_date filed_on;              /* ZF_DATE_NONE unless filed */
    char filing_ref[64];           /* 备案号, "" unless filed */
    char return_reason[ZF_REVIEW_REASON_MAX]; /* "" unless returned */
    zf_review_rule *rules;
    size_t n_rules;
} zf_review_catalog;

/* A new draft, version 1, holding the city's default rules (seed item 12:
 * the general criteria and (1)–(4)). department may be "". */
int zf_review_catalog_defaults(zf_review_catalog **out, const char *department, zf_err *err);

/* The default rules as static data: code, title, basis and condition text. */
typedef struct zf_review_default_rule {
    const char *code, *title, *basis, *when;
} zf_review_default_rule;
const zf_review_default_rule *zf_review_default_rules(size_t *out_n);

/* Parses / writes a catalog as JSON:
 *   {"department":"…","version":1,"state":"draft|submitted|filed|returned",
 *    "filed_on":"YYYY-MM-DD","filing_ref":"…","return_reason":"…",
 *    "rules":[{"code":"…","title":"…","basis":"…","when":{…}}]}
 * Rule codes must be unique; at most ZF_REVIEW_MAX_RULES rules. A filed
 * catalog needs filed_on; a returned one a reason. *out (parse) is freed
 * with zf_review_catalog_free; *out (to_json) with free(). */
int zf_review_catalog_parse(zf_review_catalog **out, const char *json, size_t len, zf_err *err);
int zf_review_catalog_to_json(char **out, const zf_review_catalog *cat, zf_err *err);
void zf_review_catalog_free(zf_review_catalog *cat);

/* A deep copy as a new draft with version + 1 (how a filed or returned
 * catalog is changed: never in place). */
int zf_review_catalog_new_version(zf_review_catalog **out, const zf_review_catalog *prev,
                                  zf_err *err);

/* Adds a department's own rule (e.g. fines above a threshold) to a draft.
 * ZF_ECONFLICT if not a draft; ZF_EINVAL for a bad or duplicate code, an
 * empty title, or a bad condition. */
int zf_review_catalog_add_rule(zf_review_catalog *cat, const char *code, const char *title,
                               const char *basis, const char *when_json, size_t when_len,
                               zf_err *err);
/* Removes a rule from a draft. ZF_ENOTFOUND, ZF_ECONFLICT (not a draft). */
int zf_review_catalog_remove_rule(zf_review_catalog *cat, const char *code, zf_err *err);
const zf_review_rule *zf_review_catalog_find(const zf_review_catalog *cat, const char *code);

/* Filing (备案): draft → submitted → filed, or submitted → returned (with a
 * reason) → draft again. submit refuses (ZF_ECONFLICT "catalog_narrows_scope")
 * a catalog that drops or rewrites a rule of baseline (normally the defaults:
 * departments may widen the seed's scope, not narrow it); baseline may be
 * NULL. Every transition from the wrong state is ZF_ECONFLICT. */
int zf_review_catalog_submit(zf_review_catalog *cat, const zf_review_catalog *baseline,
                             zf_err *err);
int zf_review_catalog_file(zf_review_catalog *cat, zf_date on, const char *filing_ref,
                           zf_err *err);
int zf_review_catalog_return(zf_review_catalog *cat, const char *reason, zf_err *err);
int zf_review_catalog_reopen(zf_review_catalog *cat, zf_err *err);

/* The version that applies on day today among one department's versions:
 * the filed one with the highest version number filed on or before today.
 * With none filed, *out = fallback (the built-in defaults: the city's plan
 * binds a department before it files); ZF_ENOTFOUND if fallback is NULL too. */
int zf_review_catalog_effective(const zf_review_catalog **out,
                                const zf_review_catalog *const *versions, size_t n,
                                zf_date today, const zf_review_catalog *fallback, zf_err *err);

const char *zf_review_catalog_state_code(zf_review_catalog_state s);  /* "draft" ... */
const char *zf_review_catalog_state_label(zf_review_catalog_state s); /* "草稿" ... */

/* ---- classification ---------------------------------------------------- */

typedef struct zf_review_match {
    char code[ZF_REVIEW_CODE_MAX];
    char title[ZF_REVIEW_TITLE_MAX];
} zf_review_match;

typedef struct zf_review_class {
    char department[ZF_REVIEW_NAME_MAX];
    int catalog_version;
    bool listed;                     /* at least one rule matched */
    size_t n_matches;
    zf_review_match matches[ZF_REVIEW_MAX_RULES]; /* in catalog order */
} zf_review_class;

/* Which rules of cat match facts. A plain value; never fails. */
void zf_review_classify(zf_review_class *out, const zf_review_catalog *cat,
                        const zf_review_facts *f);

typedef enum zf_review_override_kind {
    ZF_REVIEW_OVERRIDE_NONE = 0,
    ZF_REVIEW_MARK_MAJOR,     /* 负责人认定为重大: any decision, no reason needed */
    ZF_REVIEW_MARK_NOT_MAJOR  /* 认定不属于重大: only a listed one; reason required */
} zf_review_override_kind;

typedef struct zf_review_override {
    zf_review_override_kind kind;
    char by[ZF_REVIEW_NAME_MAX];          /* the department head */
    char reason[ZF_REVIEW_REASON_MAX];
    zf_date on;
} zf_review_override;

typedef struct zf_review_determination {
    bool major;          /* what applies */
    bool listed;         /* what the catalog said */
    bool overridden;     /* the override changed the outcome */
    bool bureau_notice;  /* the Justice Bureau must see it (a listed case marked not major) */
} zf_review_determination;

/* Applies a head's override (ov may be NULL) to a classification.
 * MARK_NOT_MAJOR needs a listed case (else ZF_ECONFLICT), by and a reason
 * (ZF_EINVAL "reason_required"); MARK_MAJOR needs by. */
int zf_review_determine(zf_review_determination *out, const zf_review_class *cls,
                        const zf_review_override *ov, zf_err *err);

/* ---- submission (送审) ------------------------------------------------- */

typedef enum zf_review_material {
    ZF_MAT_SITUATION = 0,   /* 情况说明 */
    ZF_MAT_LEGAL_BASIS,     /* 法律依据 */
    ZF_MAT_FACTS_EVIDENCE,  /* 事实依据及证据 */
    ZF_MAT_PROCEDURE,       /* 程序资料 */
    ZF_MAT_PROPOSAL,        /* 拟作出决定的建议 */
    ZF_MAT_HEARING_RECORD,  /* 听证笔录: only when a hearing was held */
    ZF_MAT_COUNT
} zf_review_material;

#define ZF_MAT_BIT(m) (1u << (m))

const char *zf_review_material_code(zf_review_material m);  /* "situation" ... */
const char *zf_review_material_label(zf_review_material m); /* "情况说明" ... */
/* Code or Chinese label → material; ZF_EINVAL "invalid_material". */
int zf_review_material_parse(zf_review_material *out, const char *s, zf_err *err);

/* What is missing from a submission that provides the materials in provided
 * (ZF_MAT_BIT mask). *out_missing (may be NULL) gets the mask of missing ones.
 * Returns 0 when complete, else ZF_EINVAL "submission_incomplete" with the
 * message "送审材料不全，缺少：情况说明、听证笔录". */
int zf_review_submission_check(unsigned *out_missing, unsigned provided, bool hearing_held,
                               zf_err *err);
/* Writes the labels of mask joined by "、" (truncated to cap). Returns out. */
char *zf_review_materials_text(char *out, size_t cap, unsigned mask);

typedef enum zf_review_route {
    ZF_ROUTE_DEPARTMENT = 1,     /* 本部门法制审核机构 */
    ZF_ROUTE_JUSTICE_BUREAU = 2  /* 市司法局 (decisions in the city government's name) */
} zf_review_route;

zf_review_route zf_review_route_for(const zf_review_facts *f);
const char *zf_review_route_code(zf_review_route r);  /* "department", "justice_bureau" */
const char *zf_review_route_label(zf_review_route r); /* "本部门法制审核机构", "市司法局" */

/* ---- configuration ----------------------------------------------------- */

#define ZF_REVIEW_MAX_OUTCOMES 8

typedef struct zf_review_outcome {
    char code[24];        /* "agree", "not_yet", "disagree" */
    char label[32];       /* "同意", "暂不同意", "不同意" */
    bool passes;          /* opens the gate */
    bool reason_required; /* must be true for every outcome that does not pass */
} zf_review_outcome;

typedef struct zf_review_config {
    int review_workdays;    /* 3: from receipt */
    int extension_workdays; /* 2: once, with a named approver; 0 = none */
    zf_review_outcome outcomes[ZF_REVIEW_MAX_OUTCOMES];
    size_t n_outcomes;
    bool collective_may_decide; /* a 集体讨论 deciding to proceed opens the gate (default no) */
    int reviewer_percent;       /* 5: reviewers per 100 enforcement officers, rounded up */
} zf_review_config;

/* The seed's numbers: 3 + 2 working days, 同意 / 暂不同意 / 不同意, 5%,
 * collective discussion records but does not override. */
void zf_review_config_default(zf_review_config *out);
/* Days in 1..ZF_CAL_MAX_WORKDAYS, extension 0..that, percent 1..100, 1..8
 * outcomes with unique codes and labels, at least one that passes, reasons
 * required for every one that does not. ZF_EINVAL with the field. */
int zf_review_config_validate(const zf_review_config *cfg, zf_err *err);
/* The outcome with this code or label, or NULL. */
const zf_review_outcome *zf_review_config_outcome(const zf_review_config *cfg, const char *s);

/* ---- reviewers --------------------------------------------------------- */

typedef struct zf_review_reviewer {
    char name[ZF_REVIEW_NAME_MAX];
    bool legal_qualification; /* 取得法律职业资格 */
    int reviews_done;         /* concluded reviews so far */
    bool from_pool;           /* city-wide pool of legal advisers / 公职律师 */
} zf_review_reviewer;

/* 行政处罚法 第五十八条第二款: a first review needs the legal qualification.
 * ZF_EPERM "reviewer_not_qualified"; ZF_EINVAL for an unnamed reviewer. */
int zf_review_reviewer_check(const zf_review_reviewer *r, zf_err *err);

typedef struct zf_review_staffing {
    int officers;    /* enforcement officers */
    int reviewers;   /* legal reviewers */
    int required;    /* ceil(officers * percent / 100) */
    int shortfall;   /* max(0, required - reviewers) */
    bool meets;      /* shortfall == 0 */
} zf_review_staffing;

/* Seed item 11(1): reviewers not fewer than 5% of officers. ZF_EINVAL for
 * negative counts or a bad percent. */
int zf_review_staffing_compute(zf_review_staffing *out, int officers, int reviewers,
                               const zf_review_config *cfg, zf_err *err);

/* ---- review rounds ----------------------------------------------------- */

typedef enum zf_review_round_state {
    ZF_ROUND_SUBMITTED = 1, /* 已送审 */
    ZF_ROUND_IN_REVIEW,     /* 审核中: received, clock running */
    ZF_ROUND_CONCLUDED,     /* 已出具意见 */
    ZF_ROUND_RETURNED       /* 已退回承办机构 (after an outcome that does not pass) */
} zf_review_round_state;

/* The checklist of seed item 13, in this order. */
typedef enum zf_review_point {
    ZF_POINT_SUBJECT = 0,  /* 主体与执法资格 */
    ZF_POINT_PROCEDURE,    /* 程序 */
    ZF_POINT_FACTS,        /* 事实与证据 */
    ZF_POINT_LAW,          /* 法律适用与裁量基准 */
    ZF_POINT_AUTHORITY,    /* 是否超越职权 */
    ZF_POINT_DOCUMENTS,    /* 文书是否完备规范 */
    ZF_POINT_RIGHTS,       /* 知情权与申辩权是否保障 */
    ZF_POINT_CRIME,        /* 是否涉嫌犯罪需移送 */
    ZF_POINT_COUNT
} zf_review_point;

typedef enum zf_review_check_state {
    ZF_CHECK_UNSET = 0,
    ZF_CHECK_CONFORMS,  /* 符合 */
    ZF_CHECK_PROBLEM    /* 存在问题: note required */
} zf_review_check_state;

typedef struct zf_review_check {
    zf_review_check_state state;
    char note[ZF_REVIEW_NOTE_MAX];
} zf_review_check;

typedef enum zf_review_collective_decision {
    ZF_COLLECTIVE_NONE = 0,
    ZF_COLLECTIVE_PROCEED,  /* 集体讨论决定作出 */
    ZF_COLLECTIVE_UPHOLD    /* 集体讨论维持审核意见 */
} zf_review_collective_decision;

typedef struct zf_review_round {
    int no;                           /* 1, 2, 3 ... */
    zf_review_round_state state;
    zf_review_route route;
    char submitted_by[ZF_REVIEW_NAME_MAX];
    zf_date submitted_on;
    char proposal_ref[72];            /* e.g. SHA-256 of the proposed decision; may be "" */
    char reviewer[ZF_REVIEW_NAME_MAX];
    bool reviewer_from_pool;
    zf_date received_on;              /* ZF_DATE_NONE until received */
    zf_clock clock;                   /* started on receipt; extension approver inside */
    zf_review_check checks[ZF_POINT_COUNT];
    char outcome[24];                 /* code, "" until concluded */
    char outcome_label[32];
    bool outcome_passes;
    char reasons[ZF_REVIEW_REASON_MAX];
    zf_date concluded_on;
    zf_date returned_on;
    zf_review_collective_decision collective; /* NONE unless discussed */
    zf_date collective_on;
    char collective_record[ZF_REVIEW_REASON_MAX]; /* the record (纪要) or its reference */
} zf_review_round;

/* All rounds of one case's review, oldest first. Init with ZF_REVIEW_HISTORY_INIT. */
typedef struct zf_review_history {
    zf_review_round *rounds;
    size_t n, cap;
} zf_review_history;

#define ZF_REVIEW_HISTORY_INIT {NULL, 0, 0}

void zf_review_history_free(zf_review_history *h);
/* The latest round, or NULL. Borrowed. */
const zf_review_round *zf_review_history_latest(const zf_review_history *h);

/* Submits round n+1: allowed with no round yet, after a RETURNED round, or
 * after a passing one (the proposal changed). ZF_ECONFLICT while a round is
 * open or concluded-but-not-returned; ZF_EINVAL "submission_incomplete" with
 * what is missing. by and on required; proposal_ref may be NULL. */
int zf_review_submit(zf_review_history *h, const zf_review_facts *f, unsigned materials,
                     const char *by, zf_date on, const char *proposal_ref, zf_err *err);

/* The review office receives the latest (SUBMITTED) round on day on: the
 * clock (cfg's days) starts. The reviewer must pass zf_review_reviewer_check. */
int zf_review_receive(zf_review_history *h, const zf_calendar *cal, const zf_review_config *cfg,
                      const zf_review_reviewer *reviewer, zf_date on, zf_err *err);

/* Notes one checklist point of the round in review. A problem needs a note
 * (ZF_EINVAL "note_required"). Points may be re-noted until the conclusion. */
int zf_review_note_point(zf_review_history *h, zf_review_point point,
                         zf_review_check_state state, const char *note, zf_err *err);

/* Grants the extension (+cfg days) by a named approver (分管领导), once,
 * on or before the due date. ZF_ECONFLICT otherwise. */
int zf_review_extend(zf_review_history *h, const zf_calendar *cal, const char *approver,
                     zf_date today, zf_err *err);

/* Records the conclusion of the round in review. Refused: a checklist point
 * not noted (ZF_ECONFLICT "checklist_incomplete", the points listed), an
 * outcome not in cfg (ZF_EINVAL "invalid_outcome"), a missing reason where
 * required (ZF_EINVAL "reason_required"), a passing outcome over a noted
 * problem (ZF_ECONFLICT "checklist_has_problem"). outcome is a code or label.
 * The clock is finished on day on. */
int zf_review_conclude(zf_review_history *h, const zf_calendar *cal, const zf_review_config *cfg,
                       const char *outcome, const char *reasons, zf_date on, zf_err *err);

/* Returns a concluded, non-passing round to the handling unit (退回承办机构). */
int zf_review_return(zf_review_history *h, zf_date on, zf_err *err);

/* Records a collective discussion (集体讨论) of the latest round's non-passing
 * conclusion, with its record (required). ZF_ECONFLICT if the latest round
 * did not conclude without passing, or was already discussed. */
int zf_review_collective(zf_review_history *h, zf_review_collective_decision decision,
                         const char *record, zf_date on, zf_err *err);

const char *zf_review_round_state_code(zf_review_round_state s);  /* "submitted" ... */
const char *zf_review_round_state_label(zf_review_round_state s); /* "已送审" ... */
const char *zf_review_point_code(zf_review_point p);              /* "subject" ... */
const char *zf_review_point_label(zf_review_point p);             /* "主体与执法资格" ... */

/* ---- the gate ---------------------------------------------------------- */

typedef struct zf_review_gate {
    bool allowed;
    bool major;
    char code[48];     /* "" when allowed, else e.g. "review_required" */
    char reason[256];  /* Chinese, "" when allowed */
} zf_review_gate;

/* Whether a decision may be recorded for a case with these facts, under the
 * catalog that applies, the head's override (may be NULL) and the rounds so
 * far. Allowed when the case is not major; or when the latest round
 * concluded with a passing outcome (or, with cfg->collective_may_decide, a
 * collective discussion decided to proceed) and, when decision_ref is given
 * (not NULL, not ""), that round reviewed the same proposal. Refusal codes:
 * "review_required", "review_pending", "review_not_agreed",
 * "proposal_mismatch", "invalid_override", "invalid_input".
 * Classifies afresh from the facts, so a stale "not major" flag cannot open it. */
bool zf_review_gate_allows_decision(zf_review_gate *out, const zf_review_catalog *cat,
                                    const zf_review_facts *f, const zf_review_override *ov,
                                    const zf_review_history *h, const zf_review_config *cfg,
                                    const char *decision_ref);

#endif
