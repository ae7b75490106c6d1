/* test_workflow.c — the procedure tables and the checker: every procedure
 * walked to 归档, every illegal transition of the penalty procedure refused,
 * the gates (法制审核, two officers, recording, documents, roles), 退回,
 * 中止/恢复, 移送, the immutability of an archived case, the 简易程序 limits
 * and the integrity of the tables themselves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/calendar.h"
#include "core/deadline.h"
#include "core/doccodes.h"
#include "core/workflow.h"
#include "util/err.h"

#define ALL_ROLES (ZF_WF_ROLE_OFFICER | ZF_WF_ROLE_REVIEWER | ZF_WF_ROLE_HEAD)

/* Every document code the procedures use, so a "complete" case has them all. */
static const char *const all_docs[] = {
    ZF_DOC_CASE_SOURCE, ZF_DOC_FILING_APPROVAL, ZF_DOC_SITE_RECORD, ZF_DOC_INQUIRY_RECORD,
    ZF_DOC_EVIDENCE_EXTRACT, ZF_DOC_PRESERVATION_NOTICE, ZF_DOC_COERCIVE_DECISION,
    ZF_DOC_INVESTIGATION_REPORT, ZF_DOC_CASE_REVIEW, ZF_DOC_PENALTY_NOTICE,
    ZF_DOC_STATEMENT_RECORD, ZF_DOC_HEARING_NOTICE, ZF_DOC_HEARING_RECORD,
    ZF_DOC_PENALTY_DECISION, ZF_DOC_NO_PENALTY_DECISION, ZF_DOC_ONSITE_PENALTY,
    ZF_DOC_SERVICE_RECEIPT, ZF_DOC_CLOSING_APPROVAL, ZF_DOC_FILE_COVER, ZF_DOC_FILE_INDEX,
    ZF_DOC_FILE_NOTES, ZF_DOC_LICENSE_ACCEPT, ZF_DOC_LICENSE_REJECT, ZF_DOC_LICENSE_SUPPLEMENT,
    ZF_DOC_LICENSE_GRANT, ZF_DOC_LICENSE_DENY, ZF_DOC_TRANSFER_LETTER, ZF_DOC_CRIME_TRANSFER,
    ZF_DOC_LEGAL_REVIEW_OPINION, ZF_DOC_COERCIVE_EXTENSION, ZF_DOC_COERCIVE_RELEASE,
    ZF_DOC_FREEZE_NOTICE, ZF_DOC_LICENSE_REVOKE, ZF_DOC_LICENSE_CANCEL, ZF_DOC_RECTIFY_ORDER,
    ZF_DOC_ENFORCE_REMINDER, ZF_DOC_ENFORCE_DECISION, ZF_DOC_DEMOLITION_NOTICE,
    ZF_DOC_EXPROPRIATION_NOTICE, ZF_DOC_COMPENSATION_PLAN, ZF_DOC_EXPROPRIATION_DECISION,
    ZF_DOC_COMPENSATION_AGREEMENT,
};
#define N_ALL_DOCS (sizeof all_docs / sizeof all_docs[0])

/* A case kept in memory: the state plus its open clocks. */
typedef struct sim {
    zf_wf_state st;
    const char *clocks[32];
    size_t n_clocks;
} sim;

static void sim_init(sim *c, const char *proc)
{
    const zf_wf_procedure *p = zf_workflow_procedure(proc);

    assert_non_null(p);
    memset(c, 0, sizeof *c);
    c->st.procedure = proc;
    c->st.stage = p->stages[0].code;
    c->st.documents = all_docs;
    c->st.n_documents = N_ALL_DOCS;
    c->st.evidence = ZF_WF_EV_VIDEO;
    c->st.officers = 2;
    c->st.roles = ALL_ROLES;
    c->st.party = ZF_WF_PARTY_PERSON;
    c->st.fine_fen = 10000;
    c->st.open_clocks = c->clocks;
    for (size_t i = 0; i < ZF_WF_MAX_CLOCKS && p->starts[i]; i++)
        c->clocks[c->n_clocks++] = p->starts[i];
    c->st.n_open_clocks = c->n_clocks;
}

static bool sim_has_clock(const sim *c, const char *code)
{
    for (size_t i = 0; i < c->n_clocks; i++)
        if (strcmp(c->clocks[i], code) == 0)
            return true;
    return false;
}

static void sim_apply(sim *c, const zf_wf_outcome *o)
{
    for (size_t i = 0; i < o->n_finish; i++)
        for (size_t j = 0; j < c->n_clocks; j++)
            if (strcmp(c->clocks[j], o->finish[i]) == 0) {
                c->clocks[j] = c->clocks[--c->n_clocks];
                break;
            }
    for (size_t i = 0; i < o->n_start; i++)
        if (!sim_has_clock(c, o->start[i]) && c->n_clocks < 32)
            c->clocks[c->n_clocks++] = o->start[i];
    c->st.n_open_clocks = c->n_clocks;
    zf_workflow_apply(&c->st, o);
}

/* Takes an action that must succeed; returns the outcome. */
static zf_wf_outcome act_ok(sim *c, const char *action, const char *target, const char *reason)
{
    zf_wf_request req = {action, target, reason};
    zf_wf_outcome o;
    zf_err err = ZF_ERR_INIT;

    if (zf_workflow_check(&o, &c->st, &req, &err) != 0)
        fail_msg("%s/%s: %s refused: %s (%s)", c->st.procedure, c->st.stage, action,
                 err.message, err.code);
    assert_ptr_equal(o.action, zf_workflow_action(zf_workflow_procedure(c->st.procedure), action));
    sim_apply(c, &o);
    return o;
}

/* Takes an action that must be refused with this code; the state is unchanged. */
static zf_err act_refused(sim *c, const char *action, const char *target, const char *reason,
                          const char *code)
{
    zf_wf_request req = {action, target, reason};
    zf_wf_outcome o;
    zf_err err = ZF_ERR_INIT;
    const char *stage = c->st.stage;
    unsigned flags = c->st.flags;
    int rc = zf_workflow_check(&o, &c->st, &req, &err);

    if (rc == 0)
        fail_msg("%s/%s: %s allowed, expected %s", c->st.procedure, c->st.stage, action, code);
    assert_int_equal(rc, err.rc);
    if (strcmp(err.code, code) != 0)
        fail_msg("%s/%s: %s refused with %s (%s), expected %s", c->st.procedure, c->st.stage,
                 action, err.code, err.message, code);
    assert_true(err.message[0] != '\0'); /* a reason is always given */
    assert_null(o.action);
    assert_ptr_equal(c->st.stage, stage);
    assert_int_equal(c->st.flags, flags);
    return err;
}

/* ---- happy paths ------------------------------------------------------------------ */

typedef struct step {
    const char *action;
    const char *stage;   /* expected stage afterwards */
    unsigned set_before; /* flags the outside world sets first (review result, waiting period) */
} step;

static void walk(const char *proc, const step *steps, sim *c)
{
    sim_init(c, proc);
    for (size_t i = 0; steps[i].action; i++) {
        c->st.flags |= steps[i].set_before;
        act_ok(c, steps[i].action, NULL, "理由");
        if (strcmp(c->st.stage, steps[i].stage) != 0)
            fail_msg("%s: after %s at %s, expected %s", proc, steps[i].action, c->st.stage,
                     steps[i].stage);
    }
    assert_string_equal(c->st.stage, "archived");
}

static void test_penalty_general_path(void **state)
{
    static const step steps[] = {
        {"file_case", "investigation", 0},      {"inspect_site", "investigation", 0},
        {"inquire", "investigation", 0},        {"sample", "investigation", 0},
        {"preserve", "investigation", 0},       {"preserve_handle", "investigation", 0},
        {"coerce", "investigation", 0},         {"coerce_extend", "investigation", 0},
        {"coerce_release", "investigation", 0}, {"conclude", "investigation_end", 0},
        {"submit_review", "case_review", 0},    {"case_review_pass", "notify", 0},
        {"notify", "statement", 0},             {"record_statement", "statement", 0},
        {"statement_done", "decision", 0},      {"decide_penalty", "service", 0},
        {"serve", "execution", 0},              {"close_case", "closed", 0},
        {"archive", "archived", 0},             {NULL, NULL, 0}};
    static const step no_penalty[] = {
        {"file_case", "investigation", 0},   {"conclude", "investigation_end", 0},
        {"submit_review", "case_review", 0}, {"case_review_pass", "notify", 0},
        {"notify", "statement", 0},          {"waive_rights", "statement", 0},
        {"statement_done", "decision", 0},   {"decide_no_penalty", "service", 0},
        {"serve", "execution", 0},           {"close_case", "closed", 0},
        {"archive", "archived", 0},          {NULL, NULL, 0}};
    sim c;
    zf_wf_outcome o;

    (void)state;
    walk("penalty_general", steps, &c);
    /* the publicity clock outlives the case; every case clock was met */
    assert_int_equal(c.n_clocks, 1);
    assert_string_equal(c.clocks[0], "publish_penalty");

    /* the clocks, step by step */
    sim_init(&c, "penalty_general");
    o = act_ok(&c, "file_case", NULL, NULL);
    assert_int_equal(o.n_start, 1);
    assert_string_equal(o.start[0], "penalty_decision_90d");
    act_ok(&c, "preserve", NULL, NULL);
    assert_true(sim_has_clock(&c, "penalty_preservation_7d"));
    o = act_ok(&c, "preserve_handle", NULL, NULL);
    assert_int_equal(o.n_finish, 1);
    assert_false(sim_has_clock(&c, "penalty_preservation_7d"));
    o = act_ok(&c, "coerce", NULL, NULL);
    assert_int_equal(o.recording, ZF_WF_REC_MANDATORY);
    o = act_ok(&c, "coerce_extend", NULL, NULL);
    assert_int_equal(o.n_extend, 1);
    assert_string_equal(o.extend[0], "coercion_seizure_30d");
    act_ok(&c, "conclude", NULL, NULL);
    act_ok(&c, "submit_review", NULL, NULL);
    act_ok(&c, "case_review_pass", NULL, NULL);
    o = act_ok(&c, "notify", NULL, NULL);
    assert_true(c.st.flags & ZF_WF_NOTIFIED);
    assert_string_equal(o.start[0], "penalty_statement_5d");
    o = act_ok(&c, "statement_done", NULL, NULL);
    assert_string_equal(o.finish[0], "penalty_statement_5d");
    o = act_ok(&c, "decide_penalty", NULL, NULL);
    assert_string_equal(o.outcome, "penalty");
    assert_int_equal(o.n_finish, 1);
    assert_string_equal(o.finish[0], "penalty_decision_90d");
    assert_int_equal(o.n_start, 2);
    assert_true(sim_has_clock(&c, "penalty_service_7d") && sim_has_clock(&c, "publish_penalty"));
    o = act_ok(&c, "serve", NULL, NULL);
    assert_string_equal(o.finish[0], "penalty_service_7d");

    walk("penalty_general", no_penalty, &c);
}

static void test_penalty_major_with_hearing_path(void **state)
{
    static const step steps[] = {
        {"file_case", "investigation", ZF_WF_MAJOR},
        {"inquire", "investigation", 0},
        {"conclude", "investigation_end", 0},
        {"submit_review", "case_review", 0},
        {"case_review_pass", "legal_review", 0}, /* major: 送法制审核 */
        {"legal_review_pass", "notify", ZF_WF_REVIEW_PASSED},
        {"notify", "statement", 0},
        {"request_hearing", "statement", 0},
        {"convene_hearing", "hearing", 0},
        {"hold_hearing", "hearing", 0},
        {"hearing_done", "decision", 0},
        {"decide_penalty", "service", 0},
        {"serve", "execution", 0},
        {"close_case", "closed", 0},
        {"archive", "archived", 0},
        {NULL, NULL, 0}};
    sim c;

    (void)state;
    walk("penalty_general", steps, &c);
    assert_true(c.st.flags & ZF_WF_HEARING_REQUESTED);

    /* a review after the hearing (art. 58(2)) comes back to the decision */
    sim_init(&c, "penalty_general");
    c.st.stage = "hearing";
    c.st.flags = ZF_WF_MAJOR | ZF_WF_NOTIFIED | ZF_WF_HEARING_REQUESTED;
    act_ok(&c, "submit_legal_review", NULL, NULL);
    assert_string_equal(c.st.stage, "legal_review");
    act_refused(&c, "legal_review_pass", NULL, NULL, "condition_unmet");
    c.st.flags |= ZF_WF_REVIEW_PASSED;
    act_ok(&c, "legal_review_pass", NULL, NULL);
    assert_string_equal(c.st.stage, "decision");
    act_ok(&c, "decide_penalty", NULL, NULL);
}

static void test_other_procedures_paths(void **state)
{
    static const step summary[] = {{"decide_on_spot", "service", 0},
                                   {"serve_on_spot", "execution", 0},
                                   {"report_filing", "closed", 0},
                                   {"archive", "archived", 0},
                                   {NULL, NULL, 0}};
    static const step license[] = {{"request_supplement", "supplement", 0},
                                   {"accept", "review", 0},
                                   {"verify", "review", 0},
                                   {"hold_hearing", "review", 0},
                                   {"extend_deadline", "review", 0},
                                   {"review_done", "decision", 0},
                                   {"grant", "service", 0},
                                   {"serve", "closed", 0},
                                   {"archive", "archived", 0},
                                   {NULL, NULL, 0}};
    static const step license_deny[] = {{"accept", "review", 0},   {"review_done", "decision", 0},
                                        {"deny", "service", 0},    {"serve", "closed", 0},
                                        {"archive", "archived", 0}, {NULL, NULL, 0}};
    static const step license_reject[] = {
        {"reject", "closed", 0}, {"archive", "archived", 0}, {NULL, NULL, 0}};
    static const step revocation[] = {{"start_investigation", "investigation", 0},
                                      {"verify", "investigation", 0},
                                      {"record_statement", "investigation", 0},
                                      {"investigation_done", "decision", 0},
                                      {"revoke", "service", 0},
                                      {"serve", "closed", 0},
                                      {"archive", "archived", 0},
                                      {NULL, NULL, 0}};
    static const step cancellation[] = {{"verify_grounds", "decision", 0},
                                        {"cancel", "service", 0},
                                        {"serve", "closed", 0},
                                        {"archive", "archived", 0},
                                        {NULL, NULL, 0}};
    static const step seizure[] = {{"approve", "implement", 0},   {"implement", "deliver", 0},
                                   {"deliver", "in_effect", 0},   {"extend", "in_effect", 0},
                                   {"release", "closed", 0},      {"archive", "archived", 0},
                                   {NULL, NULL, 0}};
    static const step seizure_confiscate[] = {
        {"approve", "implement", 0}, {"implement", "deliver", 0}, {"deliver", "in_effect", 0},
        {"confiscate", "closed", 0}, {"archive", "archived", 0},  {NULL, NULL, 0}};
    static const step freeze[] = {{"approve", "implement", 0}, {"implement", "deliver", 0},
                                  {"deliver", "in_effect", 0}, {"extend", "in_effect", 0},
                                  {"decide", "closed", 0},     {"archive", "archived", 0},
                                  {NULL, NULL, 0}};
    static const step demolition[] = {{"remind", "statement", 0},
                                      {"record_statement", "statement", 0},
                                      {"statement_done", "decision", 0},
                                      {"decide_enforcement", "announce", ZF_WF_WAIT_OVER},
                                      {"announce", "execute", 0},
                                      {"demolish", "closed", ZF_WF_WAIT_OVER},
                                      {"archive", "archived", 0},
                                      {NULL, NULL, 0}};
    static const step inspection[] = {{"dispatch", "inspect", 0},  {"inspect", "result", 0},
                                      {"result_problem", "handle", 0},
                                      {"rectify", "publicize", 0}, {"publish", "closed", 0},
                                      {"archive", "archived", 0},  {NULL, NULL, 0}};
    static const step spot[] = {{"draw", "inspect", 0},          {"inspect", "result", 0},
                                {"result_normal", "publicize", 0}, {"publish", "closed", 0},
                                {"archive", "archived", 0},      {NULL, NULL, 0}};
    static const step spot_problem[] = {{"draw", "inspect", 0},
                                        {"inspect", "result", 0},
                                        {"result_problem", "handle", 0},
                                        {"refer_case", "publicize", 0},
                                        {"publish", "closed", 0},
                                        {"archive", "archived", 0},
                                        {NULL, NULL, 0}};
    static const step expropriation[] = {{"announce", "survey", 0},
                                         {"survey", "survey", 0},
                                         {"survey_done", "plan", ZF_WF_WAIT_OVER},
                                         {"hold_hearing", "plan", 0},
                                         {"plan_done", "decision", 0},
                                         {"decide", "compensation", 0},
                                         {"compensate", "execution", 0},
                                         {"take_over", "closed", 0},
                                         {"archive", "archived", 0},
                                         {NULL, NULL, 0}};
    sim c;
    size_t n;
    const zf_wf_procedure *procs = zf_workflow_procedures(&n);
    bool walked[32] = {false};
    struct {
        const char *proc;
        const step *steps;
    } runs[] = {
        {"penalty_summary", summary},       {"license", license},
        {"license", license_deny},          {"license", license_reject},
        {"license_change", license},        {"license_renewal", license},
        {"license_revocation", revocation}, {"license_cancellation", cancellation},
        {"coercion_seizure", seizure},      {"coercion_seizure", seizure_confiscate},
        {"coercion_freeze", freeze},        {"coercion_demolition", demolition},
        {"inspection", inspection},         {"spot_check", spot},
        {"spot_check", spot_problem},       {"expropriation", expropriation},
    };

    (void)state;
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        walk(runs[i].proc, runs[i].steps, &c);
        walked[zf_workflow_procedure(runs[i].proc) - procs] = true;
    }
    /* every procedure has a walk here or in the penalty tests */
    walked[zf_workflow_procedure("penalty_general") - procs] = true;
    for (size_t i = 0; i < n; i++)
        if (!walked[i])
            fail_msg("procedure %s has no happy-path walk", procs[i].code);

    /* licensing clocks: 5 days to ask for 补正 from the start, 20 (+10) from 受理 */
    sim_init(&c, "license");
    assert_true(sim_has_clock(&c, "license_supplement_5d"));
    act_ok(&c, "accept", NULL, NULL);
    assert_false(sim_has_clock(&c, "license_supplement_5d"));
    assert_true(sim_has_clock(&c, "license_decision_20d"));
    zf_wf_outcome o = act_ok(&c, "extend_deadline", NULL, NULL);
    assert_string_equal(o.extend[0], "license_decision_20d");
    act_ok(&c, "review_done", NULL, NULL);
    o = act_ok(&c, "grant", NULL, NULL);
    assert_string_equal(o.outcome, "granted");
    assert_true(sim_has_clock(&c, "license_service_10d") && sim_has_clock(&c, "publish_licensing"));
    assert_false(sim_has_clock(&c, "license_decision_20d"));

    /* 补正 is asked once only (一次性告知) */
    sim_init(&c, "license");
    act_ok(&c, "request_supplement", NULL, NULL);
    act_refused(&c, "request_supplement", NULL, NULL, "illegal_transition");

    /* freezing: the decision must reach the party within 3 working days */
    sim_init(&c, "coercion_freeze");
    act_ok(&c, "approve", NULL, NULL);
    act_ok(&c, "implement", NULL, NULL);
    assert_true(sim_has_clock(&c, "coercion_freeze_notice_3d"));
    act_ok(&c, "deliver", NULL, NULL);
    assert_false(sim_has_clock(&c, "coercion_freeze_notice_3d"));
    assert_true(sim_has_clock(&c, "coercion_freeze_30d"));

    /* a spot check found normal must be published (20 working days) */
    sim_init(&c, "spot_check");
    act_ok(&c, "draw", NULL, NULL);
    act_ok(&c, "inspect", NULL, NULL);
    act_ok(&c, "result_normal", NULL, NULL);
    assert_true(sim_has_clock(&c, "publish_spot_check"));
    act_ok(&c, "publish", NULL, NULL);
    assert_false(sim_has_clock(&c, "publish_spot_check"));
}

/* ---- illegal transitions of the penalty procedure -------------------------------------- */

static void test_penalty_illegal_transitions(void **state)
{
    /* what each stage allows (besides 恢复, which only a suspended case offers) */
    static const struct {
        const char *stage;
        const char *allowed[16];
    } table[] = {
        {"source", {"file_case", "not_file", "transfer", "transfer_judicial"}},
        {"investigation",
         {"inspect_site", "inquire", "sample", "preserve", "preserve_handle", "coerce",
          "coerce_extend", "coerce_release", "conclude", "suspend", "transfer",
          "transfer_judicial"}},
        {"investigation_end", {"submit_review", "return", "suspend", "transfer", "transfer_judicial"}},
        {"case_review", {"case_review_pass", "return", "suspend", "transfer", "transfer_judicial"}},
        {"legal_review", {"legal_review_pass", "return", "suspend", "transfer_judicial"}},
        {"notify", {"notify", "return", "suspend", "transfer_judicial"}},
        {"statement",
         {"record_statement", "request_hearing", "waive_rights", "statement_done",
          "convene_hearing", "submit_legal_review", "return", "suspend", "transfer_judicial"}},
        {"hearing",
         {"hold_hearing", "hearing_done", "submit_legal_review", "return", "suspend",
          "transfer_judicial"}},
        {"decision",
         {"decide_penalty", "decide_no_penalty", "submit_legal_review", "return", "suspend",
          "transfer_judicial"}},
        {"service", {"serve"}},
        {"execution", {"close_case"}},
        {"closed", {"archive"}},
        {"archived", {NULL}},
    };
    const zf_wf_procedure *p = zf_workflow_procedure("penalty_general");
    size_t nshared, checked = 0;
    const zf_wf_action *shared = zf_workflow_shared_actions(&nshared);

    (void)state;
    assert_int_equal(sizeof table / sizeof table[0], p->n_stages);
    for (size_t t = 0; t < sizeof table / sizeof table[0]; t++) {
        const zf_wf_stage *s = zf_workflow_stage(p, table[t].stage);
        zf_wf_option opts[ZF_WF_MAX_OPTIONS];
        size_t nopt = 0, nallowed = 0;
        sim c;

        assert_non_null(s);
        assert_ptr_equal(s, &p->stages[t]); /* the table follows the procedure's order */
        sim_init(&c, "penalty_general");
        c.st.stage = s->code;
        for (size_t i = 0; i < p->n_actions + nshared; i++) {
            const zf_wf_action *a = i < p->n_actions ? &p->actions[i] : &shared[i - p->n_actions];
            bool allowed = false;
            zf_wf_request req = {a->code, NULL, "理由"};
            zf_err err = ZF_ERR_INIT;
            int rc;

            if (strcmp(a->code, "resume") == 0)
                continue;
            for (size_t k = 0; k < 16 && table[t].allowed[k]; k++)
                allowed = allowed || strcmp(table[t].allowed[k], a->code) == 0;
            rc = zf_workflow_check(NULL, &c.st, &req, &err);
            if (strcmp(s->code, "archived") == 0) {
                assert_int_equal(rc, ZF_ECONFLICT);
                assert_string_equal(err.code, "case_archived");
                assert_non_null(strstr(err.message, "已归档"));
            } else if (!allowed) {
                if (rc != ZF_ECONFLICT || strcmp(err.code, "illegal_transition") != 0)
                    fail_msg("%s: %s not refused as illegal (%d %s)", s->code, a->code, rc, err.code);
                assert_non_null(strstr(err.message, s->name));
                assert_non_null(strstr(err.message, a->name));
                assert_string_equal(err.field, "action");
            } else if (rc != 0 && strcmp(err.code, "illegal_transition") == 0) {
                fail_msg("%s: %s wrongly refused as illegal", s->code, a->code);
            }
            checked++;
        }
        /* the options list offers exactly the allowed actions */
        assert_int_equal(zf_workflow_options(opts, ZF_WF_MAX_OPTIONS, &nopt, &c.st, NULL), 0);
        for (size_t k = 0; k < 16 && table[t].allowed[k]; k++)
            nallowed++;
        assert_int_equal(nopt, nallowed);
        for (size_t k = 0; k < nopt; k++) {
            bool listed = false;
            for (size_t m = 0; m < nallowed; m++)
                listed = listed || strcmp(table[t].allowed[m], opts[k].action->code) == 0;
            assert_true(listed);
        }
    }
    assert_true(checked > 300);
}

/* ---- gates ------------------------------------------------------------------------------ */

static void test_review_gate(void **state)
{
    sim c;
    zf_err err;
    zf_wf_option opts[ZF_WF_MAX_OPTIONS];
    size_t n;

    (void)state;
    sim_init(&c, "penalty_general");
    c.st.stage = "decision";
    c.st.flags = ZF_WF_MAJOR | ZF_WF_NOTIFIED;
    err = act_refused(&c, "decide_penalty", NULL, NULL, "review_required");
    assert_int_equal(err.rc, ZF_ECONFLICT);
    assert_non_null(strstr(err.message, "法制审核"));
    act_refused(&c, "decide_no_penalty", NULL, NULL, "review_required");

    /* the console sees why, and what to do instead */
    assert_int_equal(zf_workflow_options(opts, ZF_WF_MAX_OPTIONS, &n, &c.st, NULL), 0);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(opts[i].action->code, "decide_penalty") == 0) {
            assert_int_not_equal(opts[i].rc, 0);
            assert_string_equal(opts[i].code, "review_required");
        }
        if (strcmp(opts[i].action->code, "submit_legal_review") == 0)
            assert_int_equal(opts[i].rc, 0);
    }

    /* 不同意 leaves the gate shut; 同意 opens it */
    c.st.flags |= ZF_WF_REVIEW_PASSED;
    act_refused(&c, "submit_legal_review", NULL, NULL, "condition_unmet");
    act_ok(&c, "decide_penalty", NULL, NULL);

    /* not major: no review needed, and none can be asked for */
    sim_init(&c, "penalty_general");
    c.st.stage = "decision";
    c.st.flags = ZF_WF_NOTIFIED;
    act_refused(&c, "submit_legal_review", NULL, NULL, "condition_unmet");
    act_ok(&c, "decide_penalty", NULL, NULL);

    /* the same gate on licensing, coercion, demolition and expropriation decisions */
    sim_init(&c, "license");
    c.st.stage = "decision";
    c.st.flags = ZF_WF_MAJOR;
    act_refused(&c, "deny", NULL, NULL, "review_required");
    sim_init(&c, "coercion_seizure");
    c.st.stage = "in_effect";
    c.st.flags = ZF_WF_MAJOR;
    act_refused(&c, "confiscate", NULL, NULL, "review_required");
    act_ok(&c, "release", NULL, NULL); /* releasing is not a decision against the party */
    sim_init(&c, "expropriation");
    c.st.stage = "decision";
    c.st.flags = ZF_WF_MAJOR;
    act_refused(&c, "decide", NULL, NULL, "review_required");

    /* no decision without the notice (art. 62), even when reviewed */
    sim_init(&c, "penalty_general");
    c.st.stage = "decision";
    c.st.flags = ZF_WF_MAJOR | ZF_WF_REVIEW_PASSED;
    err = act_refused(&c, "decide_penalty", NULL, NULL, "condition_unmet");
    assert_non_null(strstr(err.message, "第六十二条"));
}

static void test_two_officers(void **state)
{
    static const struct {
        const char *proc, *stage, *action;
    } onsite[] = {
        {"penalty_general", "investigation", "inspect_site"},
        {"penalty_general", "investigation", "inquire"},
        {"penalty_general", "investigation", "coerce"},
        {"penalty_summary", "on_spot", "decide_on_spot"},
        {"coercion_seizure", "implement", "implement"},
        {"coercion_demolition", "execute", "demolish"},
        {"license", "review", "verify"},
        {"spot_check", "inspect", "inspect"},
    };
    sim c;
    zf_err err;

    (void)state;
    for (size_t i = 0; i < sizeof onsite / sizeof onsite[0]; i++) {
        sim_init(&c, onsite[i].proc);
        c.st.stage = onsite[i].stage;
        c.st.flags = ZF_WF_WAIT_OVER;
        c.st.officers = 1;
        err = act_refused(&c, onsite[i].action, NULL, NULL, "two_officers_required");
        assert_non_null(strstr(err.message, "需两名以上执法人员"));
        assert_string_equal(err.field, "officers");
        c.st.officers = 2;
        act_ok(&c, onsite[i].action, NULL, NULL);
    }
}

static void test_recording(void **state)
{
    static const struct {
        const char *proc, *stage, *action;
    } mandatory[] = {
        {"penalty_general", "investigation", "coerce"},
        {"coercion_seizure", "implement", "implement"},
        {"coercion_demolition", "execute", "demolish"},
    };
    static const char *const dept_list[] = {"inspect_site"};
    sim c;
    zf_err err;
    zf_wf_outcome o;

    (void)state;
    for (size_t i = 0; i < sizeof mandatory / sizeof mandatory[0]; i++) {
        sim_init(&c, mandatory[i].proc);
        c.st.stage = mandatory[i].stage;
        c.st.flags = ZF_WF_WAIT_OVER;
        c.st.evidence = ZF_WF_EV_PHOTO | ZF_WF_EV_AUDIO; /* not the whole process on video */
        err = act_refused(&c, mandatory[i].action, NULL, NULL, "recording_required");
        assert_non_null(strstr(err.message, "音像记录"));
        c.st.evidence = ZF_WF_EV_VIDEO;
        o = act_ok(&c, mandatory[i].action, NULL, NULL);
        assert_int_equal(o.recording, ZF_WF_REC_MANDATORY);
        assert_false(o.recording_interrupted);
    }

    /* an interrupted recording: accepted only for the step whose
     * interruption (with its reason) is on record */
    {
        static const char *const other[] = {"inspect_site"};
        static const char *const coerce[] = {"coerce"};

        sim_init(&c, "penalty_general");
        c.st.stage = "investigation";
        c.st.evidence = ZF_WF_EV_AUDIO;
        c.st.interrupted = other;
        c.st.n_interrupted = 1;
        err = act_refused(&c, "coerce", NULL, NULL, "recording_required");
        assert_non_null(strstr(err.message, "中断"));
        c.st.interrupted = coerce;
        o = act_ok(&c, "coerce", NULL, NULL);
        assert_int_equal(o.recording, ZF_WF_REC_MANDATORY);
        assert_true(o.recording_interrupted);
        c.st.interrupted = NULL;
        c.st.n_interrupted = 0;
    }

    /* recommended: allowed without, with a warning */
    sim_init(&c, "penalty_general");
    c.st.stage = "investigation";
    c.st.evidence = 0;
    o = act_ok(&c, "inspect_site", NULL, NULL);
    assert_int_equal(o.recording, ZF_WF_REC_RECOMMENDED);
    assert_true(o.recording_warning);
    c.st.evidence = ZF_WF_EV_PHOTO;
    o = act_ok(&c, "inspect_site", NULL, NULL);
    assert_false(o.recording_warning);

    /* the department's 音像记录事项清单 makes it mandatory */
    c.st.mandatory_recording = dept_list;
    c.st.n_mandatory_recording = 1;
    act_refused(&c, "inspect_site", NULL, NULL, "recording_required");
    c.st.evidence = ZF_WF_EV_VIDEO;
    o = act_ok(&c, "inspect_site", NULL, NULL);
    assert_int_equal(o.recording, ZF_WF_REC_MANDATORY);
    /* other steps keep their defaults */
    c.st.evidence = 0;
    o = act_ok(&c, "inquire", NULL, NULL);
    assert_int_equal(o.recording, ZF_WF_REC_RECOMMENDED);
}

static void test_documents_and_roles(void **state)
{
    static const char *const only_source[] = {ZF_DOC_CASE_SOURCE};
    sim c;
    zf_err err;

    (void)state;
    sim_init(&c, "penalty_general");
    c.st.documents = NULL;
    c.st.n_documents = 0;
    err = act_refused(&c, "file_case", NULL, NULL, "document_missing");
    assert_string_equal(err.field, ZF_DOC_CASE_SOURCE);
    assert_non_null(strstr(err.message, "案件来源登记表"));
    assert_non_null(strstr(err.message, "立案审批表"));
    c.st.documents = only_source;
    c.st.n_documents = 1;
    err = act_refused(&c, "file_case", NULL, NULL, "document_missing");
    assert_string_equal(err.field, ZF_DOC_FILING_APPROVAL);
    assert_null(strstr(err.message, "案件来源登记表"));

    /* 陈述申辩笔录 is needed unless the party waived the right */
    sim_init(&c, "penalty_general");
    c.st.stage = "statement";
    c.st.flags = ZF_WF_NOTIFIED;
    c.st.documents = only_source;
    c.st.n_documents = 1;
    err = act_refused(&c, "statement_done", NULL, NULL, "document_missing");
    assert_non_null(strstr(err.message, "陈述申辩笔录"));
    act_ok(&c, "waive_rights", NULL, NULL);
    act_ok(&c, "statement_done", NULL, NULL);

    /* a hearing asked for must be held */
    sim_init(&c, "penalty_general");
    c.st.stage = "statement";
    c.st.flags = ZF_WF_NOTIFIED;
    act_refused(&c, "convene_hearing", NULL, NULL, "condition_unmet");
    act_ok(&c, "request_hearing", NULL, NULL);
    err = act_refused(&c, "statement_done", NULL, NULL, "condition_unmet");
    assert_non_null(strstr(err.message, "听证"));
    act_ok(&c, "convene_hearing", NULL, NULL);

    /* roles */
    sim_init(&c, "penalty_general");
    c.st.roles = ZF_WF_ROLE_OFFICER;
    err = act_refused(&c, "file_case", NULL, NULL, "role_not_allowed");
    assert_int_equal(err.rc, ZF_EPERM);
    assert_non_null(strstr(err.message, "行政机关负责人"));
    c.st.stage = "decision";
    c.st.flags = ZF_WF_NOTIFIED;
    act_refused(&c, "decide_penalty", NULL, NULL, "role_not_allowed");
    c.st.roles = ZF_WF_ROLE_HEAD;
    act_ok(&c, "decide_penalty", NULL, NULL);
    sim_init(&c, "penalty_general");
    c.st.stage = "legal_review";
    c.st.flags = ZF_WF_MAJOR | ZF_WF_REVIEW_PASSED;
    c.st.roles = ZF_WF_ROLE_OFFICER | ZF_WF_ROLE_HEAD;
    err = act_refused(&c, "legal_review_pass", NULL, NULL, "role_not_allowed");
    assert_non_null(strstr(err.message, "法制审核人员"));

    /* unknown things */
    sim_init(&c, "penalty_general");
    act_refused(&c, "fly", NULL, NULL, "unknown_action");
    c.st.stage = "nowhere";
    act_refused(&c, "file_case", NULL, NULL, "unknown_stage");
    c.st.procedure = "nothing";
    act_refused(&c, "file_case", NULL, NULL, "unknown_procedure");
}

/* ---- 退回, 中止/恢复, 移送, 归档 -------------------------------------------------------------- */

static void test_return(void **state)
{
    sim c;
    zf_err err;
    zf_wf_outcome o;
    const zf_wf_stage *targets[8];
    size_t n;

    (void)state;
    sim_init(&c, "penalty_general");
    c.st.stage = "statement";
    c.st.flags = ZF_WF_MAJOR | ZF_WF_REVIEW_PASSED | ZF_WF_NOTIFIED | ZF_WF_HEARING_REQUESTED;
    zf_workflow_return_targets(targets, 8, &n, &c.st);
    assert_int_equal(n, 3);
    assert_string_equal(targets[0]->code, "investigation");
    assert_string_equal(targets[1]->code, "investigation_end");
    assert_string_equal(targets[2]->code, "case_review");

    err = act_refused(&c, "return", "investigation", "  ", "reason_required");
    assert_string_equal(err.field, "reason");
    err = act_refused(&c, "return", "hearing", "补充证据", "invalid_target");
    assert_non_null(strstr(err.message, "调查取证"));
    act_refused(&c, "return", "source", "补充证据", "invalid_target");
    act_refused(&c, "return", NULL, "补充证据", "invalid_target");
    c.st.roles = ZF_WF_ROLE_OFFICER;
    act_refused(&c, "return", "investigation", "补充证据", "role_not_allowed");
    c.st.roles = ZF_WF_ROLE_HEAD;
    o = act_ok(&c, "return", "investigation", "当事人提出新的事实，需补充调查");
    assert_string_equal(c.st.stage, "investigation");
    assert_null(o.outcome);
    /* the review, the notice and the party's answers must be done again */
    assert_int_equal(c.st.flags, ZF_WF_MAJOR);
    /* the 90-day clock keeps running */
    assert_int_equal(o.n_finish + o.n_pause, 0);

    /* the review office's 不同意 returns the case from 法制审核 */
    sim_init(&c, "penalty_general");
    c.st.stage = "legal_review";
    c.st.flags = ZF_WF_MAJOR;
    c.st.roles = ZF_WF_ROLE_REVIEWER;
    act_ok(&c, "return", "case_review", "事实不清，证据不足");
    assert_string_equal(c.st.stage, "case_review");

    /* no return where the stage does not allow it */
    sim_init(&c, "penalty_general");
    c.st.stage = "service";
    act_refused(&c, "return", "investigation", "x", "illegal_transition");
    zf_workflow_return_targets(targets, 8, &n, &c.st);
    assert_int_equal(n, 0);
}

static void test_suspend_resume(void **state)
{
    sim c;
    zf_err err;
    zf_wf_outcome o;
    zf_wf_option opts[ZF_WF_MAX_OPTIONS];
    size_t n;

    (void)state;
    sim_init(&c, "penalty_general");
    act_ok(&c, "file_case", NULL, NULL);
    act_ok(&c, "preserve", NULL, NULL);
    assert_int_equal(c.n_clocks, 2);

    act_refused(&c, "resume", NULL, NULL, "not_suspended");
    act_refused(&c, "suspend", NULL, "", "reason_required");
    c.st.roles = ZF_WF_ROLE_OFFICER;
    act_refused(&c, "suspend", NULL, "鉴定", "role_not_allowed");
    c.st.roles = ALL_ROLES;
    o = act_ok(&c, "suspend", NULL, "委托检测鉴定");
    assert_string_equal(c.st.stage, "investigation");
    assert_true(c.st.flags & ZF_WF_SUSPENDED);
    /* only the pausable clock pauses: the 7-day preservation limit does not stop */
    assert_int_equal(o.n_pause, 1);
    assert_string_equal(o.pause[0], "penalty_decision_90d");

    err = act_refused(&c, "inspect_site", NULL, NULL, "case_suspended");
    assert_non_null(strstr(err.message, "已中止"));
    act_refused(&c, "suspend", NULL, "again", "case_suspended");
    act_refused(&c, "transfer_judicial", NULL, "x", "case_suspended");
    assert_int_equal(zf_workflow_options(opts, ZF_WF_MAX_OPTIONS, &n, &c.st, NULL), 0);
    assert_int_equal(n, 1);
    assert_string_equal(opts[0].action->code, "resume");
    assert_int_equal(opts[0].rc, 0);

    o = act_ok(&c, "resume", NULL, NULL);
    assert_false(c.st.flags & ZF_WF_SUSPENDED);
    assert_int_equal(o.n_resume, 1);
    assert_string_equal(o.resume[0], "penalty_decision_90d");
    act_ok(&c, "inspect_site", NULL, NULL);

    /* licensing: the decision clock pauses for a hearing or expert evaluation (art. 45) */
    sim_init(&c, "license");
    act_ok(&c, "accept", NULL, NULL);
    o = act_ok(&c, "suspend", NULL, "专家评审");
    assert_int_equal(o.n_pause, 1);
    assert_string_equal(o.pause[0], "license_decision_20d");

    /* not every stage may be suspended */
    sim_init(&c, "penalty_general");
    c.st.stage = "service";
    act_refused(&c, "suspend", NULL, "x", "illegal_transition");
}

static void test_transfer_and_archive(void **state)
{
    sim c;
    zf_err err;
    zf_wf_outcome o;
    zf_wf_option opts[ZF_WF_MAX_OPTIONS];
    size_t n, nshared;
    const zf_wf_action *shared = zf_workflow_shared_actions(&nshared);
    static const char *const no_crime_doc[] = {ZF_DOC_TRANSFER_LETTER};

    (void)state;
    /* a suspected crime, found after the notice */
    sim_init(&c, "penalty_general");
    act_ok(&c, "file_case", NULL, NULL);
    act_ok(&c, "conclude", NULL, NULL);
    act_ok(&c, "submit_review", NULL, NULL);
    act_ok(&c, "case_review_pass", NULL, NULL);
    act_ok(&c, "notify", NULL, NULL);
    assert_int_equal(c.n_clocks, 2);
    act_refused(&c, "transfer", NULL, "管辖", "illegal_transition"); /* too late for 移送管辖 */
    c.st.documents = no_crime_doc;
    c.st.n_documents = 1;
    err = act_refused(&c, "transfer_judicial", NULL, "涉嫌犯罪", "document_missing");
    assert_non_null(strstr(err.message, "涉嫌犯罪案件移送书"));
    c.st.documents = all_docs;
    c.st.n_documents = N_ALL_DOCS;
    act_refused(&c, "transfer_judicial", NULL, NULL, "reason_required");
    o = act_ok(&c, "transfer_judicial", NULL, "涉案金额达到刑事立案追诉标准");
    assert_string_equal(o.outcome, "transferred_judicial");
    assert_string_equal(c.st.stage, "closed");
    assert_true(c.st.flags & ZF_WF_TRANSFERRED);
    assert_int_equal(o.n_finish, 2); /* the case's own clocks end */
    assert_int_equal(c.n_clocks, 0);
    err = act_refused(&c, "close_case", NULL, NULL, "case_transferred");
    assert_non_null(strstr(err.message, "已移送"));
    act_ok(&c, "archive", NULL, NULL);

    /* archived: immutable, nothing offered, every action refused */
    assert_string_equal(c.st.stage, "archived");
    assert_int_equal(zf_workflow_options(opts, ZF_WF_MAX_OPTIONS, &n, &c.st, NULL), 0);
    assert_int_equal(n, 0);
    const zf_wf_procedure *p = zf_workflow_procedure("penalty_general");
    for (size_t i = 0; i < p->n_actions + nshared; i++) {
        const zf_wf_action *a = i < p->n_actions ? &p->actions[i] : &shared[i - p->n_actions];
        err = act_refused(&c, a->code, "investigation", "x", "case_archived");
        assert_int_equal(err.rc, ZF_ECONFLICT);
    }
    c.st.flags |= ZF_WF_SUSPENDED; /* even a stale flag does not reopen it */
    act_refused(&c, "resume", NULL, NULL, "case_archived");

    /* 移送 to another authority before the investigation ends */
    sim_init(&c, "penalty_general");
    o = act_ok(&c, "transfer", NULL, "不属于本机关管辖");
    assert_string_equal(o.outcome, "transferred");
    assert_string_equal(c.st.stage, "closed");

    /* 不予立案 ends the flow too, with its outcome */
    sim_init(&c, "penalty_general");
    act_refused(&c, "not_file", NULL, NULL, "reason_required");
    o = act_ok(&c, "not_file", NULL, "违法事实不成立");
    assert_string_equal(o.outcome, "not_filed");
    act_ok(&c, "archive", NULL, NULL);

    /* archiving needs the file's cover, index and notes */
    sim_init(&c, "license");
    c.st.stage = "closed";
    c.st.documents = no_crime_doc;
    c.st.n_documents = 1;
    err = act_refused(&c, "archive", NULL, NULL, "document_missing");
    assert_non_null(strstr(err.message, "卷宗封面"));
    assert_non_null(strstr(err.message, "卷内文件目录"));
    assert_non_null(strstr(err.message, "卷内备考表"));
}

/* ---- 简易程序 ------------------------------------------------------------------------------ */

static void test_summary_limits(void **state)
{
    static const struct {
        zf_wf_party party;
        int64_t fine, special;
        const char *code; /* NULL = allowed */
    } cases[] = {
        {ZF_WF_PARTY_PERSON, 20000, 0, NULL},
        {ZF_WF_PARTY_PERSON, 20100, 0, "summary_limit_exceeded"},
        {ZF_WF_PARTY_PERSON, 20001, 0, "summary_limit_exceeded"},
        {ZF_WF_PARTY_PERSON, 0, 0, NULL}, /* 警告 */
        {ZF_WF_PARTY_INDIVIDUAL, 20100, 0, "summary_limit_exceeded"},
        {ZF_WF_PARTY_ORG, 300000, 0, NULL},
        {ZF_WF_PARTY_ORG, 300001, 0, "summary_limit_exceeded"},
        {ZF_WF_PARTY_ORG, 20100, 0, NULL},
        {ZF_WF_PARTY_PERSON, 20100, 50000, NULL}, /* 法律另有规定 */
        {ZF_WF_PARTY_PERSON, 50100, 50000, "summary_limit_exceeded"},
        {ZF_WF_PARTY_UNKNOWN, 100, 0, "invalid_party"},
        {ZF_WF_PARTY_PERSON, -1, 0, "invalid_fine"},
    };
    sim c;
    zf_err err;

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sim_init(&c, "penalty_summary");
        c.st.party = cases[i].party;
        c.st.fine_fen = cases[i].fine;
        c.st.summary_limit_fen = cases[i].special;
        if (!cases[i].code) {
            zf_wf_outcome o = act_ok(&c, "decide_on_spot", NULL, NULL);
            assert_string_equal(o.outcome, "penalty");
            continue;
        }
        err = act_refused(&c, "decide_on_spot", NULL, NULL, cases[i].code);
        assert_int_equal(err.rc, ZF_EINVAL);
    }

    /* the message names the limit, the amount and the way out */
    sim_init(&c, "penalty_summary");
    c.st.fine_fen = 20100;
    err = act_refused(&c, "decide_on_spot", NULL, NULL, "summary_limit_exceeded");
    assert_non_null(strstr(err.message, "200.00元"));
    assert_non_null(strstr(err.message, "201.00元"));
    assert_non_null(strstr(err.message, "普通程序"));
    assert_string_equal(err.field, "fine");
    c.st.party = ZF_WF_PARTY_ORG;
    c.st.fine_fen = 300100;
    err = act_refused(&c, "decide_on_spot", NULL, NULL, "summary_limit_exceeded");
    assert_non_null(strstr(err.message, "3000.00元"));
    assert_non_null(strstr(err.message, "法人或者其他组织"));
}

/* ---- the tables ------------------------------------------------------------------------------ */

static bool known_clock(const char *code)
{
    size_t n;
    const zf_deadline_rule *d = zf_deadline_default_rules(&n);

    return zf_workflow_clock_rule(code) || zf_deadline_rule_find(d, n, code);
}

static void check_action(const zf_wf_procedure *p, const zf_wf_action *a, bool shared)
{
    assert_non_null(a->code);
    assert_non_null(a->name);
    assert_true(a->basis && a->basis[0]);
    assert_int_not_equal(a->roles, 0);
    if (!shared) {
        assert_true(a->kind == ZF_WF_ADVANCE || a->kind == ZF_WF_RECORD);
        assert_non_null(a->from[0]);
        for (size_t i = 0; i < ZF_WF_MAX_FROM && a->from[i]; i++)
            if (!zf_workflow_stage(p, a->from[i]))
                fail_msg("%s/%s: unknown from stage %s", p->code, a->code, a->from[i]);
        if (a->kind == ZF_WF_ADVANCE && !zf_workflow_stage(p, a->to))
            fail_msg("%s/%s: unknown to stage", p->code, a->code);
        if (a->kind == ZF_WF_RECORD)
            assert_null(a->to);
        if (a->alt_flag && !zf_workflow_stage(p, a->alt_to))
            fail_msg("%s/%s: unknown alt stage", p->code, a->code);
    }
    for (size_t i = 0; i < ZF_WF_MAX_DOCS && a->docs[i]; i++)
        if (strcmp(zf_workflow_doc_name(a->docs[i]), a->docs[i]) == 0)
            fail_msg("%s/%s: document %s has no name", p->code, a->code, a->docs[i]);
    for (size_t i = 0; i < ZF_WF_MAX_CLOCKS; i++) {
        const char *codes[3] = {a->starts[i], a->finishes[i], a->extends[i]};
        for (size_t k = 0; k < 3; k++)
            if (codes[k] && !known_clock(codes[k]))
                fail_msg("%s/%s: unknown clock %s", p->code, a->code, codes[k]);
    }
    for (size_t i = 0; i < ZF_WF_MAX_CLOCKS && a->extends[i]; i++) {
        const zf_wf_clock_rule *r = zf_workflow_clock_rule(a->extends[i]);
        assert_non_null(r);
        assert_true(r->extension > 0);
    }
}

static void test_tables(void **state)
{
    size_t n, nshared, nrules;
    const zf_wf_procedure *procs = zf_workflow_procedures(&n);
    const zf_wf_action *shared = zf_workflow_shared_actions(&nshared);
    const zf_wf_clock_rule *rules = zf_workflow_clock_rules(&nrules);

    (void)state;
    assert_int_equal(n, 13);
    for (size_t i = 0; i < n; i++) {
        const zf_wf_procedure *p = &procs[i];
        size_t closed = 0, archived = 0;

        assert_ptr_equal(zf_workflow_procedure(p->code), p);
        assert_true(p->basis && p->basis[0]);
        for (size_t s = 0; s < p->n_stages; s++) {
            closed += (p->stages[s].traits & ZF_WF_ST_CLOSED) != 0;
            archived += (p->stages[s].traits & ZF_WF_ST_ARCHIVED) != 0;
            for (size_t t = 0; t < s; t++)
                assert_string_not_equal(p->stages[s].code, p->stages[t].code);
        }
        assert_int_equal(closed, 1);
        assert_int_equal(archived, 1);
        assert_string_equal(p->stages[p->n_stages - 1].code, "archived");
        for (size_t a = 0; a < p->n_actions; a++) {
            check_action(p, &p->actions[a], false);
            assert_ptr_equal(zf_workflow_action(p, p->actions[a].code), &p->actions[a]);
            for (size_t k = 0; k < nshared; k++)
                assert_string_not_equal(p->actions[a].code, shared[k].code);
        }
        for (size_t k = 0; k < nshared; k++)
            check_action(p, &shared[k], true);
        for (size_t k = 0; k < ZF_WF_MAX_CLOCKS && p->starts[k]; k++)
            assert_true(known_clock(p->starts[k]));
    }

    /* the workflow's clocks all fit the deadline engine: working-day ones as
     * ZF_RULE_WORKDAYS, the calendar-day ones as ZF_RULE_CALENDAR_DAYS */
    for (size_t i = 0; i < nrules; i++) {
        zf_deadline_rule d;
        zf_err err = ZF_ERR_INIT;
        size_t ndef;
        const zf_deadline_rule *defs = zf_deadline_default_rules(&ndef);

        assert_null(zf_deadline_rule_find(defs, ndef, rules[i].code));
        assert_true(rules[i].count > 0);
        if (rules[i].unit == ZF_WF_WORKDAYS) {
            assert_int_equal(zf_workflow_deadline_rule(&d, &rules[i], &err), 0);
            assert_int_equal(zf_deadline_rule_validate(&d, &err), 0);
            assert_int_equal(d.workdays, rules[i].count);
            assert_int_equal(d.extension_workdays, rules[i].extension);
        } else {
            assert_int_equal(zf_workflow_deadline_rule(&d, &rules[i], &err), 0);
            assert_int_equal(zf_deadline_rule_validate(&d, &err), 0);
            assert_int_equal(d.kind, ZF_RULE_CALENDAR_DAYS);
            assert_int_equal(d.days, rules[i].count);
            assert_int_equal(d.extension_workdays, rules[i].extension);
        }
    }
    assert_int_equal(zf_workflow_clock_rule("penalty_decision_90d")->count, 90);
    assert_int_equal(zf_workflow_clock_rule("penalty_decision_90d")->unit, ZF_WF_CALENDAR_DAYS);
    assert_int_equal(zf_workflow_clock_rule("license_decision_20d")->extension, 10);
    assert_int_equal(zf_workflow_clock_rule("coercion_seizure_30d")->extension, 30);
    assert_string_equal(zf_workflow_doc_name(ZF_DOC_SITE_RECORD), "现场笔录");
    assert_string_equal(zf_workflow_doc_name("no_such_doc"), "no_such_doc");
}

/* The licence decision rule counted on the shipped calendar: 20 working days
 * after 受理 on 2025-09-26 skip the National Day holiday. */
static void test_clock_on_calendar(void **state)
{
    zf_calendar *cal = NULL;
    zf_deadline_rule d;
    zf_date start, due, naive;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    if (zf_calendar_new_builtin(&cal, &err) != 0)
        fail_msg("calendar: %s", err.message);
    assert_int_equal(zf_workflow_deadline_rule(&d, zf_workflow_clock_rule("license_decision_20d"),
                                               &err), 0);
    assert_int_equal(zf_date_parse(&start, "2025-09-26", 10, NULL, &err), 0);
    assert_int_equal(zf_deadline_due(&due, &d, cal, start, &err), 0);
    /* four weeks of plain working days would end on 24 October; the holiday
     * week moves it later */
    assert_int_equal(zf_date_parse(&naive, "2025-10-24", 10, NULL, &err), 0);
    assert_true(due > naive);
    zf_calendar_free(cal);
}

/* The figures the tables rest on, read from the statutes when the reference
 * data is there. */
static char *read_law(const char *rel)
{
    const char *dir = getenv("ZF_REFERENCE_DIR");
    char path[1024];
    FILE *f;
    char *buf;
    long n;

    /* make exports ZF_REFERENCE_DIR; run by hand from the repository, the
     * data sits beside it */
    if (!dir)
        dir = "../shared/reference";
    snprintf(path, sizeof path, "%s/laws/%s", dir, rel);
    if (!(f = fopen(path, "rb")))
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return NULL;
    }
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Whether the article starting with `article` contains `text` before the next article. */
static bool article_says(const char *law, const char *article, const char *text)
{
    const char *a = strstr(law, article), *end, *hit;

    if (!a)
        return false;
    end = strstr(a + strlen(article), "\n第");
    hit = strstr(a, text);
    return hit && (!end || hit < end);
}

static void test_statutes(void **state)
{
    char *cf = read_law("行政法/行政处罚法(2021-01-22).md");
    char *xk = read_law("行政法/行政许可法(2019-04-23).md");
    char *qz = read_law("行政法/行政强制法(2011-06-30).md");

    (void)state;
    if (!cf || !xk || !qz) {
        free(cf);
        free(xk);
        free(qz);
        skip();
    }
    assert_true(article_says(cf, "第五十一条", "对公民处以二百元以下"));
    assert_true(article_says(cf, "第五十一条", "处以三千元以下罚款"));
    assert_true(article_says(cf, "第六十条", "九十日内"));
    assert_true(article_says(cf, "第五十六条", "七日内"));
    assert_true(article_says(cf, "第六十一条", "七日内"));
    assert_true(article_says(cf, "第六十四条", "告知后五日内"));
    assert_true(article_says(cf, "第四十二条", "不得少于两人"));
    assert_true(article_says(cf, "第五十八条", "未经法制审核或者审核未通过的，不得作出决定"));
    assert_true(article_says(cf, "第八十五条", "“七日”的规定是指工作日"));
    assert_true(article_says(xk, "第三十二条", "五日内一次告知"));
    assert_true(article_says(xk, "第四十二条", "二十日内"));
    assert_true(article_says(xk, "第四十二条", "延长十日"));
    assert_true(article_says(xk, "第四十四条", "十日内"));
    assert_true(article_says(xk, "第八十二条", "以工作日计算"));
    assert_true(article_says(qz, "第二十五条", "不得超过三十日"));
    assert_true(article_says(qz, "第三十一条", "三日内"));
    assert_true(article_says(qz, "第三十二条", "三十日内"));
    assert_true(article_says(qz, "第十八条", "两名以上行政执法人员"));
    assert_true(article_says(qz, "第六十九条", "十日以内期限的规定是指工作日"));
    free(cf);
    free(xk);
    free(qz);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_penalty_general_path),
        cmocka_unit_test(test_penalty_major_with_hearing_path),
        cmocka_unit_test(test_other_procedures_paths),
        cmocka_unit_test(test_penalty_illegal_transitions),
        cmocka_unit_test(test_review_gate),
        cmocka_unit_test(test_two_officers),
        cmocka_unit_test(test_recording),
        cmocka_unit_test(test_documents_and_roles),
        cmocka_unit_test(test_return),
        cmocka_unit_test(test_suspend_resume),
        cmocka_unit_test(test_transfer_and_archive),
        cmocka_unit_test(test_summary_limits),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_clock_on_calendar),
        cmocka_unit_test(test_statutes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
