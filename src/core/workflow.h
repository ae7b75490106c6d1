/* workflow.h — the life cycle of a case, per power type, as data.
 *
 * Each procedure (行政处罚普通程序, 简易程序, 行政许可 and its 变更/延续/撤销/
 * 注销, 查封扣押, 冻结, 强制拆除, 行政检查, 双随机抽查, 行政征收征用) is a
 * table of stages and a table of actions. An action leaves one of the stages
 * it lists (its "from") for another stage (its "to"), or records a step inside
 * the stage (现场检查, 询问 …). Everything a step needs is in the action's row:
 * the documents that must exist, the roles that may take it, whether two
 * officers and an audio/video recording are required, whether it is a decision
 * behind the legal-review gate, which statutory clocks it starts, finishes or
 * extends, and the article of law behind it. "What a stage requires" is what
 * the actions leaving it require. docs/workflow.md prints the tables.
 *
 * Five actions are shared by every procedure and enabled per stage by the
 * stage's traits: 退回 (return, to an earlier stage marked as a return target,
 * with a reason), 中止 / 恢复 (suspend / resume: the pausable open clocks pause
 * and resume), 移送 (to another authority) and 移送司法机关 (suspected crime):
 * both end the case's own flow in its closed stage with a recorded outcome and
 * finish its open clocks. An archived case refuses everything.
 *
 * The module is pure: no I/O, no clock, no allocation, no global mutable
 * state; every function is thread-safe. The caller (the case module) keeps
 * the case's stage, flags, documents, evidence and open clocks, asks
 * zf_workflow_check whether an action may be taken, and on success stores the
 * outcome (new stage, flags, clocks to start/finish/pause/resume/extend) in
 * the same transaction as the ledger event. All strings returned point into
 * static tables and live for the whole program. */
#ifndef ZF_CORE_WORKFLOW_H
#define ZF_CORE_WORKFLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/deadline.h"
#include "util/err.h"

/* ---- limits of the tables ---------------------------------------------- */
#define ZF_WF_MAX_FROM 12   /* stages an action may be taken in */
#define ZF_WF_MAX_DOCS 4    /* documents an action requires */
#define ZF_WF_MAX_CLOCKS 4  /* clocks an action starts / finishes / extends */
#define ZF_WF_MAX_OPEN 16   /* open clocks an outcome reports (pause, resume, finish) */
#define ZF_WF_MAX_OPTIONS 48

/* ---- roles: the same bits as api.h's ZF_ROLE_*, so a principal's role can
 * be passed as it is (core does not include the API layer). */
enum {
    ZF_WF_ROLE_OFFICER = 1 << 0,  /* 执法人员 */
    ZF_WF_ROLE_REVIEWER = 1 << 1, /* 法制审核人员 (also 案件审核) */
    ZF_WF_ROLE_HEAD = 1 << 2      /* 行政机关负责人 */
};

/* ---- case flags (zf_wf_state.flags) ------------------------------------ */
enum {
    ZF_WF_MAJOR = 1 << 0,             /* 重大执法决定: from the review catalog (review.h) */
    ZF_WF_REVIEW_PASSED = 1 << 1,     /* the latest legal review round agreed (review gate open) */
    ZF_WF_HEARING_REQUESTED = 1 << 2, /* 当事人要求听证 */
    ZF_WF_SUSPENDED = 1 << 3,         /* 中止 */
    ZF_WF_TRANSFERRED = 1 << 4,       /* 已移送 (another authority or judicial organs) */
    ZF_WF_NOTIFIED = 1 << 5,          /* 已告知 (行政处罚告知书 served) */
    ZF_WF_RIGHTS_WAIVED = 1 << 6,     /* 当事人明确放弃陈述、申辩 (art. 62) */
    ZF_WF_WAIT_OVER = 1 << 7          /* the waiting period the current stage sets by law has
                                       * run (e.g. the 复议/诉讼 period before a forced
                                       * demolition, art. 44 行政强制法); the caller computes it
                                       * and zf_workflow_apply clears it on every stage change */
};

/* ---- evidence kinds attached to the step (zf_wf_state.evidence) -------- */
enum {
    ZF_WF_EV_VIDEO = 1 << 0, /* 录像 (执法记录仪, with sound) */
    ZF_WF_EV_AUDIO = 1 << 1, /* 录音 */
    ZF_WF_EV_PHOTO = 1 << 2  /* 照相 */
};

typedef enum zf_wf_recording {
    ZF_WF_REC_NONE = 0,
    ZF_WF_REC_RECOMMENDED = 1, /* 根据实际情况进行音像记录: a warning when missing */
    ZF_WF_REC_MANDATORY = 2    /* 全程音像记录: refused without a video file */
} zf_wf_recording;

typedef enum zf_wf_party {
    ZF_WF_PARTY_UNKNOWN = 0,
    ZF_WF_PARTY_PERSON = 1,     /* 自然人 (公民) */
    ZF_WF_PARTY_ORG = 2,        /* 法人及非法人组织 */
    ZF_WF_PARTY_INDIVIDUAL = 3  /* 个体工商户: a natural person in law (民法典 第五十四条),
                                 * so the citizen's limit applies on the spot */
} zf_wf_party;

/* ---- stages -------------------------------------------------------------- */
enum {
    ZF_WF_ST_SUSPENDABLE = 1 << 0,   /* 中止 allowed here */
    ZF_WF_ST_RETURN_FROM = 1 << 1,   /* 退回 may be taken here */
    ZF_WF_ST_RETURN_TO = 1 << 2,     /* a case may be returned to this stage */
    ZF_WF_ST_TRANSFER = 1 << 3,      /* 移送 (another authority) allowed here */
    ZF_WF_ST_JUDICIAL = 1 << 4,      /* 移送司法机关 allowed here */
    ZF_WF_ST_CLOSED = 1 << 5,        /* 结案: the end of the flow; only archiving follows */
    ZF_WF_ST_ARCHIVED = 1 << 6       /* 归档: immutable */
};

typedef struct zf_wf_stage {
    const char *code;   /* "investigation" */
    const char *name;   /* "调查取证" */
    unsigned traits;    /* ZF_WF_ST_* */
    unsigned clears;    /* flags a 退回 to this stage clears (what must be done again) */
} zf_wf_stage;

/* ---- actions -------------------------------------------------------------- */
typedef enum zf_wf_kind {
    ZF_WF_ADVANCE = 1,  /* moves the case to `to` (or `alt_to`) */
    ZF_WF_RECORD,       /* a step inside the stage (现场检查, 询问 …): the stage stays */
    ZF_WF_RETURN,       /* 退回: to zf_wf_request.target, a reason required */
    ZF_WF_SUSPEND,      /* 中止: a reason required; pausable open clocks pause */
    ZF_WF_RESUME,       /* 恢复 */
    ZF_WF_TRANSFER,     /* 移送 / 移送司法机关: to the closed stage, open clocks finish */
} zf_wf_kind;

typedef struct zf_wf_action {
    const char *code;                       /* "file_case" */
    const char *name;                       /* "立案" */
    zf_wf_kind kind;
    const char *from[ZF_WF_MAX_FROM];       /* stage codes; empty for the shared actions,
                                             * which follow the stage traits */
    const char *to;                         /* next stage (ADVANCE, TRANSFER) */
    unsigned alt_flag;                      /* when the case has all of these flags ... */
    const char *alt_to;                     /* ... it goes here instead */
    unsigned roles;                         /* ZF_WF_ROLE_* bits, any of which may take it */
    const char *docs[ZF_WF_MAX_DOCS];       /* ZF_DOC_* codes that must exist */
    unsigned docs_waived_by;                /* any of these flags dispenses with docs */
    bool two_officers;                      /* 执法人员不得少于两人 */
    zf_wf_recording recording;              /* the default; a department may make it mandatory */
    unsigned need_flags;                    /* the case must have all of these */
    unsigned forbid_flags;                  /* and none of these */
    bool review_gate;                       /* a decision: a major case needs REVIEW_PASSED */
    bool summary_limit;                     /* 简易程序 art. 51 fine limits apply */
    bool needs_reason;
    const char *starts[ZF_WF_MAX_CLOCKS];   /* clock rule codes started on the action's day */
    const char *finishes[ZF_WF_MAX_CLOCKS]; /* clock rule codes met */
    const char *extends[ZF_WF_MAX_CLOCKS];  /* extensions granted (the actor approves) */
    unsigned set_flags, clear_flags;
    const char *outcome;                    /* recorded result ("penalty", "not_filed" …) or NULL */
    const char *basis;                      /* the article of law, Chinese */
} zf_wf_action;

typedef struct zf_wf_procedure {
    const char *code;            /* "penalty_general" */
    const char *name;            /* "行政处罚（普通程序）" */
    const char *power;           /* power type: "penalty", "license", "coercion",
                                  * "inspection", "expropriation" */
    const zf_wf_stage *stages;   /* stages[0] is where a new case starts */
    size_t n_stages;
    const zf_wf_action *actions; /* the procedure's own actions */
    size_t n_actions;
    const char *starts[ZF_WF_MAX_CLOCKS]; /* clocks started when the case is created */
    const char *basis;
} zf_wf_procedure;

/* ---- clock rules ------------------------------------------------------------ */
typedef enum zf_wf_unit {
    ZF_WF_WORKDAYS = 1,     /* 工作日 (行政许可法 第八十二条, 行政处罚法 第八十五条, 行政强制法 第六十九条) */
    ZF_WF_CALENDAR_DAYS = 2 /* 日 beyond those articles: 90 days (处罚法 第六十条), 30 days (强制法) */
} zf_wf_unit;

typedef struct zf_wf_clock_rule {
    const char *code;        /* "penalty_decision_90d" */
    const char *name;        /* "行政处罚决定期限" */
    zf_wf_unit unit;
    int count;
    int extension;           /* in the same unit; 0 = none */
    bool pausable;
    const char *basis;
} zf_wf_clock_rule;

/* Every clock the procedures name: the rules below plus those already in
 * zf_deadline_default_rules (publish_penalty, publish_licensing, publish_other,
 * publish_spot_check, withdraw_publication), which are not repeated here (the
 * legal_review clock belongs to the review module, core/review.h):
 *   penalty_decision_90d    行政处罚决定期限      90 days from 立案 (处罚法 第六十条)
 *   penalty_preservation_7d 先行登记保存处理期限  7 working days (第五十六条, 第八十五条)
 *   penalty_statement_5d    陈述申辩、听证申请期限 5 working days after 告知 (第六十四条)
 *   penalty_service_7d      处罚决定书送达期限    7 working days (第六十一条)
 *   license_supplement_5d   一次告知补正期限      5 working days (许可法 第三十二条)
 *   license_decision_20d    行政许可决定期限      20 working days, +10 (第四十二条)
 *   license_service_10d     许可证件颁发送达期限  10 working days (第四十四条)
 *   coercion_seizure_30d    查封扣押期限          30 days, +30 (强制法 第二十五条)
 *   coercion_freeze_30d     冻结期限              30 days, +30 (第三十二条)
 *   coercion_freeze_notice_3d 冻结决定书交付期限  3 working days (第三十一条)
 * Static storage. */
const zf_wf_clock_rule *zf_workflow_clock_rules(size_t *out_n);

/* The workflow rule with this code, or NULL (the deadline defaults are not
 * searched: use zf_deadline_rule_find for those). */
const zf_wf_clock_rule *zf_workflow_clock_rule(const char *code);

/* The rule r as a zf_deadline_rule the deadline engine can run: a working-day
 * rule as ZF_RULE_WORKDAYS (a row of the calendar's rule table), a
 * calendar-day rule as ZF_RULE_CALENDAR_DAYS (days = count, the extension in
 * days). ZF_EINVAL for NULL or an unknown unit. */
int zf_workflow_deadline_rule(zf_deadline_rule *out, const zf_wf_clock_rule *r, zf_err *err);

/* ---- look-ups ------------------------------------------------------------- */

/* All procedures, in a stable order. Static storage. */
const zf_wf_procedure *zf_workflow_procedures(size_t *out_n);

/* The procedure, stage or action with this code, or NULL. zf_workflow_action
 * finds the procedure's own actions and the shared ones ("return", "suspend",
 * "resume", "transfer", "transfer_judicial"). */
const zf_wf_procedure *zf_workflow_procedure(const char *code);
const zf_wf_stage *zf_workflow_stage(const zf_wf_procedure *p, const char *code);
const zf_wf_action *zf_workflow_action(const zf_wf_procedure *p, const char *code);

/* The shared actions. Static storage. */
const zf_wf_action *zf_workflow_shared_actions(size_t *out_n);

/* The Chinese name of a document code ("现场笔录"), or the code itself. */
const char *zf_workflow_doc_name(const char *code);

/* ---- checking an action ------------------------------------------------------ */

/* What the caller knows about the case at the moment of the action. Borrowed
 * pointers; nothing is kept. */
typedef struct zf_wf_state {
    const char *procedure;               /* procedure code */
    const char *stage;                   /* current stage code */
    unsigned flags;                      /* ZF_WF_MAJOR ... */
    const char *const *documents;        /* codes of the case's complete documents */
    size_t n_documents;
    unsigned evidence;                   /* ZF_WF_EV_* attached to this step */
    int officers;                        /* certified officers taking part in this step */
    unsigned roles;                      /* the actor's ZF_WF_ROLE_* bits */
    const char *const *open_clocks;      /* codes of the case's open clocks */
    size_t n_open_clocks;
    const char *const *mandatory_recording; /* action codes the department's 音像记录事项清单
                                             * marks mandatory beyond the defaults */
    size_t n_mandatory_recording;
    const char *const *interrupted;      /* action codes whose recording broke off (device
                                          * failure, battery …) with the interruption and
                                          * its reason recorded, not yet relied on by a step */
    size_t n_interrupted;
    zf_wf_party party;                   /* 简易程序: the party's kind */
    int64_t fine_fen;                    /* 简易程序: the fine in fen (分), 0 for a warning */
    int64_t summary_limit_fen;           /* 法律另有规定: a special law's on-the-spot limit
                                          * for this party, in fen; 0 = art. 51 */
} zf_wf_state;

#define ZF_WF_STATE_INIT {0}

typedef struct zf_wf_request {
    const char *action;   /* action code */
    const char *target;   /* 退回: the stage to return to */
    const char *reason;   /* 退回, 中止, 移送: required, non-blank */
} zf_wf_request;

/* What taking the action does. Codes point into static tables. */
typedef struct zf_wf_outcome {
    const zf_wf_action *action;
    const char *stage;                     /* the stage afterwards (unchanged for a RECORD) */
    unsigned set_flags, clear_flags;       /* apply set first, then clear */
    const char *start[ZF_WF_MAX_CLOCKS];   size_t n_start;
    const char *finish[ZF_WF_MAX_OPEN];    size_t n_finish;  /* only clocks that are open */
    const char *extend[ZF_WF_MAX_CLOCKS];  size_t n_extend;  /* only clocks that are open */
    const char *pause[ZF_WF_MAX_OPEN];     size_t n_pause;
    const char *resume[ZF_WF_MAX_OPEN];    size_t n_resume;
    const char *outcome;                   /* recorded result, or NULL */
    zf_wf_recording recording;             /* the requirement that applied */
    bool recording_warning;                /* recommended recording missing: say so, allow */
    bool recording_interrupted;            /* mandatory video missing, accepted because an
                                            * interruption with its reason is on record */
} zf_wf_outcome;

/* Decides whether req may be taken in state st. On success returns 0 and
 * fills *out. Otherwise returns a negative code, leaves *out zeroed, and sets
 * err with a snake_case code and a precise Chinese reason; checks run in this
 * order, so the reason is the first obstacle:
 *   ZF_EINVAL    unknown_procedure, unknown_stage
 *   ZF_ECONFLICT case_archived       案件已归档，不可修改
 *   ZF_EINVAL    unknown_action
 *   ZF_ECONFLICT case_transferred    已移送，本机关办理程序已终结 (only 归档 remains)
 *   ZF_ECONFLICT case_suspended      已中止 (anything but 恢复); not_suspended (恢复)
 *   ZF_ECONFLICT illegal_transition  the action is not open in this stage
 *   ZF_ECONFLICT condition_unmet     a flag the action needs or forbids (未告知, 未要求听证 …)
 *   ZF_EINVAL    invalid_party, invalid_fine, summary_limit_exceeded (简易程序, art. 51)
 *   ZF_EPERM     role_not_allowed    names the roles that may
 *   ZF_ECONFLICT review_required     重大执法决定未经法制审核或审核未通过 (art. 58)
 *   ZF_ECONFLICT two_officers_required  需两名以上执法人员 (field "officers")
 *   ZF_ECONFLICT document_missing    names every missing document (field: the first code)
 *   ZF_ECONFLICT recording_required  须有全过程音像记录（录像） (field "evidence");
 *                a mandatory step without a video passes only when the action is in
 *                st->interrupted (the interruption and its reason are on record), and
 *                the outcome says recording_interrupted
 *   ZF_EINVAL    reason_required, reason_too_long (退回, 中止, 移送 …)
 *   ZF_EINVAL    invalid_target      (退回; names the stages it may go back to)
 * Documents are matched by code against st->documents: a document present
 * anywhere in the case counts, so a second 询问笔录 is the caller's concern.
 * Finishing and extending report only clocks listed in st->open_clocks.
 * out may be NULL when only the answer matters. */
int zf_workflow_check(zf_wf_outcome *out, const zf_wf_state *st, const zf_wf_request *req,
                      zf_err *err);

/* One action open in the current stage and whether it could be taken now. */
typedef struct zf_wf_option {
    const zf_wf_action *action;
    int rc;              /* 0 = can be taken (a reason / target still to be given) */
    char code[48];       /* "" or the refusal code */
    char reason[512];    /* "" or the refusal reason */
} zf_wf_option;

/* Every action open in st's stage (the procedure's, then the shared ones),
 * each checked as zf_workflow_check would with a placeholder reason (and, for
 * 退回, any valid target). Fills out[0..cap) and sets *out_n to the number
 * found (which may exceed cap). ZF_EINVAL for an unknown procedure or stage;
 * an archived case has none. */
int zf_workflow_options(zf_wf_option *out, size_t cap, size_t *out_n, const zf_wf_state *st,
                        zf_err *err);

/* Applies an outcome to the stage and flags of a state: stage := o->stage,
 * flags := (flags | set) & ~clear, and ZF_WF_WAIT_OVER dropped when the stage
 * changed. For callers and tests that track a case in memory. */
void zf_workflow_apply(zf_wf_state *st, const zf_wf_outcome *o);

/* The stages a 退回 from st's stage may target (earlier stages marked as
 * return targets). Fills out[0..cap), *out_n = the count. */
void zf_workflow_return_targets(const zf_wf_stage **out, size_t cap, size_t *out_n,
                                const zf_wf_state *st);

#endif
