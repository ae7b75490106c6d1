/* test_review_store.c — the stored legal review over a temporary SQLite file:
 * the gate on every path that records a decision (every review_gate action of
 * every procedure, taken through zf_case_act with forged flags, with a review
 * that did not agree and with one that did), the clock across National Day
 * 2024 with an extension, the locality's numbers from the settings table,
 * the legal-qualification check, classification with the case's own facts,
 * and the catalog's filing workflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/workflow.h"
#include "store/calendar_store.h"
#include "store/case_store.h"
#include "store/db.h"
#include "store/review_store.h"
#include "testdb.h" /* issue 9: PostgreSQL under make test-pg */

/* 2026-03-02 12:00 in China, a Monday */
#define NOW ((int64_t)1772424000)
#define DAY ((int64_t)86400)
/* 2024-09-30 12:00 in China, the Monday before National Day */
#define NOW_2024_09_30 ((int64_t)1727668800)

static char dbpath[256];
static zf_db *db;
static zf_calendar *cal;
static int64_t dept, user_id, rev_user, unq_user, officers[2];
static zf_case_actor officer, head, reviewer, unqualified, decider;

static void remove_files(void)
{
    char p[300];

    unlink(dbpath);
    snprintf(p, sizeof p, "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbpath);
    unlink(p);
}

static int64_t insert(const char *sql, const char *a, int64_t b)
{
    zf_stmt *st = NULL;
    int64_t id;

    assert_int_equal(zf_db_prepare(&st, db, sql, NULL), 0);
    zf_stmt_bind_text(st, 1, a, -1);
    zf_stmt_bind_int64(st, 2, b);
    assert_int_equal(zf_stmt_step(st, NULL), 1);
    id = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    return id;
}

static void exec(const char *sql)
{
    zf_err err = ZF_ERR_INIT;

    if (zf_db_exec(db, sql, &err) < 0)
        fail_msg("%s: %s", sql, err.message);
}

static int setup(void **state)
{
    zf_err err = ZF_ERR_INIT;
    char sql[400];
    int64_t rev_officer, unq_officer;

    (void)state;
    snprintf(dbpath, sizeof dbpath, "/tmp/zf-test-reviewstore-%d.db", (int)getpid());
    remove_files();
    if (zf_db_open(&db, zf_test_db_location(dbpath), &err) < 0 || zf_db_migrate(db, &err) < 0 ||
        zf_calendar_store_load(&cal, db, &err) < 0) {
        fprintf(stderr, "setup: %s\n", err.message);
        return -1;
    }
    dept = insert("INSERT INTO departments (code, name, created_at, updated_at) "
                  "VALUES ($1, '市市场监督管理局', $2, $2) RETURNING id",
                  "SCJG", 0);
    for (int i = 0; i < 2; i++) {
        char cert[32];

        snprintf(cert, sizeof cert, "CERT-%d", i);
        officers[i] = insert("INSERT INTO officers (department_id, name, certificate_no, "
                             "certificate_valid_from, certificate_valid_to, status, created_at, "
                             "updated_at) VALUES ($2, '执法员', $1, '2020-01-01', '2030-12-31', "
                             "'active', 0, 0) RETURNING id",
                             cert, dept);
    }
    rev_officer = insert("INSERT INTO officers (department_id, name, certificate_no, "
                         "certificate_valid_from, certificate_valid_to, legal_qualified, "
                         "created_at, updated_at) VALUES ($2, '审核员', $1, '2020-01-01', "
                         "'2030-12-31', 1, 0, 0) RETURNING id",
                         "CERT-R", dept);
    unq_officer = insert("INSERT INTO officers (department_id, name, certificate_no, "
                         "certificate_valid_from, certificate_valid_to, legal_qualified, "
                         "created_at, updated_at) VALUES ($2, '新审核员', $1, '2020-01-01', "
                         "'2030-12-31', 0, 0, 0) RETURNING id",
                         "CERT-U", dept);
    user_id = insert("INSERT INTO users (username, display_name, role, department_id, "
                     "password_hash, password_changed_at, created_at) VALUES ($1, $1, 'officer', "
                     "$2, 'x', 0, 0) RETURNING id",
                     "officer1", dept);
    snprintf(sql, sizeof sql,
             "INSERT INTO users (username, display_name, role, department_id, officer_id, "
             "password_hash, password_changed_at, created_at) VALUES ($1, $1, 'reviewer', $2, "
             "%lld, 'x', 0, 0) RETURNING id",
             (long long)rev_officer);
    rev_user = insert(sql, "reviewer1", dept);
    snprintf(sql, sizeof sql,
             "INSERT INTO users (username, display_name, role, department_id, officer_id, "
             "password_hash, password_changed_at, created_at) VALUES ($1, $1, 'reviewer', $2, "
             "%lld, 'x', 0, 0) RETURNING id",
             (long long)unq_officer);
    unq_user = insert(sql, "newcomer", dept);
    officer = (zf_case_actor){user_id, "officer1", ZF_WF_ROLE_OFFICER, dept, NULL, NULL};
    head = (zf_case_actor){user_id, "head1", ZF_WF_ROLE_HEAD, dept, NULL, NULL};
    reviewer = (zf_case_actor){rev_user, "reviewer1", ZF_WF_ROLE_REVIEWER, dept, NULL, NULL};
    unqualified = (zf_case_actor){unq_user, "newcomer", ZF_WF_ROLE_REVIEWER, dept, NULL, NULL};
    /* every workflow role at once: the workflow's role check is not what is tested */
    decider = (zf_case_actor){user_id, "head1",
                              ZF_WF_ROLE_OFFICER | ZF_WF_ROLE_REVIEWER | ZF_WF_ROLE_HEAD, dept,
                              NULL, NULL};
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    zf_calendar_free(cal);
    zf_db_close(db);
    remove_files();
    return 0;
}

/* A case placed straight into stage with flags and final documents, with
 * two certified officers: everything the workflow asks of the action is
 * there, so only the review can stop it. */
static int64_t place_case(const zf_wf_procedure *p, const zf_wf_action *a, unsigned flags)
{
    zf_stmt *st = NULL;
    int64_t id;

    assert_int_equal(zf_db_prepare(&st, db,
                                   "INSERT INTO cases (department_id, procedure, power_type, stage, "
                                   "flags, title, wait_until, stage_entered_at, created_by, "
                                   "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, '测试案件', "
                                   "'2020-01-01', $6, $7, $6, $6) RETURNING id",
                                   NULL),
                     0);
    zf_stmt_bind_int64(st, 1, dept);
    zf_stmt_bind_text(st, 2, p->code, -1);
    zf_stmt_bind_text(st, 3, p->power, -1);
    zf_stmt_bind_text(st, 4, a->from[0], -1);
    zf_stmt_bind_int64(st, 5, flags);
    zf_stmt_bind_int64(st, 6, NOW);
    zf_stmt_bind_int64(st, 7, user_id);
    assert_int_equal(zf_stmt_step(st, NULL), 1);
    id = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    for (int i = 0; i < 2; i++) {
        char sql[200];

        snprintf(sql, sizeof sql,
                 "INSERT INTO case_officers (case_id, officer_id, position) VALUES (%lld, %lld, %d)",
                 (long long)id, (long long)officers[i], i);
        exec(sql);
    }
    for (size_t i = 0; i < ZF_WF_MAX_DOCS && a->docs[i]; i++) {
        char sql[400];

        snprintf(sql, sizeof sql,
                 "INSERT INTO case_documents (case_id, department_id, template, status, "
                 "content_sha256, created_by, created_at, updated_at) VALUES (%lld, %lld, '%s', "
                 "'final', 'x', %lld, %lld, %lld)",
                 (long long)id, (long long)dept, a->docs[i], (long long)user_id, (long long)NOW,
                 (long long)NOW);
        exec(sql);
    }
    return id;
}

static void forge_flags(int64_t id, unsigned flags)
{
    char sql[120];

    snprintf(sql, sizeof sql, "UPDATE cases SET flags = %u WHERE id = %lld", flags, (long long)id);
    exec(sql);
}

static const char *FULL_MATERIALS =
    "[{\"material\":\"situation\",\"text\":\"情况说明\"},{\"material\":\"legal_basis\",\"text\":"
    "\"法律依据\"},{\"material\":\"facts_evidence\",\"text\":\"证据\"},{\"material\":"
    "\"procedure\",\"text\":\"程序\"},{\"material\":\"proposal\",\"text\":\"建议\"}]";

/* One whole round over the proposal facts, concluded with outcome. */
static void review_round_of(int64_t id, const char *facts, const char *outcome, int64_t now)
{
    zf_err err = ZF_ERR_INIT;
    json_t *mats = json_loads(FULL_MATERIALS, 0, NULL);
    json_t *pts = json_array();

    for (int k = 0; k < ZF_POINT_COUNT; k++)
        json_array_append_new(pts, json_pack("{s:s, s:s}", "point",
                                             zf_review_point_code((zf_review_point)k), "state",
                                             "conforms"));
    if (zf_review_store_submit(NULL, db, id, facts, mats, &officer, now, &err) < 0 ||
        zf_review_store_receive(db, cal, id, &reviewer, now, &err) < 0 ||
        zf_review_store_checklist(db, id, pts, &reviewer, now, &err) < 0 ||
        zf_review_store_conclude(db, cal, id, outcome, "理由", &reviewer, now, &err) < 0)
        fail_msg("review of case %lld: %s %s", (long long)id, err.code, err.message);
    json_decref(mats);
    json_decref(pts);
}

static void review_round(int64_t id, const char *outcome, int64_t now)
{
    review_round_of(id, "{}", outcome, now);
}

static int take(int64_t id, const char *action, zf_err *err)
{
    zf_case_action a = {0};

    a.action = action;
    return zf_case_act(NULL, db, cal, id, &a, &decider, NOW, err);
}

static const zf_wf_action *action_of(const zf_wf_procedure *p, const char *code)
{
    for (size_t j = 0; j < p->n_actions; j++)
        if (strcmp(p->actions[j].code, code) == 0)
            return &p->actions[j];
    fail_msg("%s has no action %s", p->code, code);
    return NULL;
}

/* The gate is told which decision is being recorded (issue 6): every
 * decision action names its kind, the catalog's decision_kind rules see it,
 * a decision of another kind than the one reviewed is refused, and a
 * hearing on record is a fact. */
static void test_gate_sees_the_decision_kind_and_the_hearing(void **state)
{
    size_t np;
    const zf_wf_procedure *procs = zf_workflow_procedures(&np), *p;
    zf_err err = ZF_ERR_INIT;
    char *facts = NULL;
    int64_t id;

    (void)state;
    for (size_t i = 0; i < np; i++)
        for (size_t j = 0; j < procs[i].n_actions; j++)
            if (procs[i].actions[j].review_gate) {
                const char *k = zf_review_decision_kind_of(procs[i].code, procs[i].actions[j].code);

                if (!k || !zf_review_decision_kind_label(k))
                    fail_msg("%s/%s records no known decision kind", procs[i].code,
                             procs[i].actions[j].code);
            }
    assert_null(zf_review_decision_kind_of("license", "accept"));
    assert_string_equal(zf_review_decision_kind_of("license_change", "deny"), "deny_change");
    assert_string_equal(zf_review_decision_kind_of("license_renewal", "deny"), "deny_renewal");

    /* 不予许可 is major (licensing_adverse) though nobody said so; 准予 with no
     * special facts is not */
    p = zf_workflow_procedure("license");
    id = place_case(p, action_of(p, "deny"), 0);
    assert_int_equal(zf_review_store_gate(db, id, "deny", NOW, &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "review_required");
    assert_int_equal(take(id, "deny", &err), ZF_ECONFLICT);
    assert_int_equal(zf_review_store_gate(db, id, "grant", NOW, &err), 0);
    p = zf_workflow_procedure("license_renewal");
    id = place_case(p, action_of(p, "deny"), 0);
    assert_int_equal(zf_review_store_gate(db, id, "deny", NOW, &err), ZF_ECONFLICT);
    /* a plain 不予 reviewed covers the 不予延续 recorded; a 准予 reviewed does not */
    review_round_of(id, "{\"decision_kind\":\"deny\"}", "同意", NOW);
    assert_int_equal(zf_review_store_gate(db, id, "deny", NOW, &err), 0);
    p = zf_workflow_procedure("license_change");
    id = place_case(p, action_of(p, "deny"), 0);
    review_round_of(id, "{\"decision_kind\":\"grant\",\"affects_public_safety\":true}", "同意", NOW);
    assert_int_equal(zf_review_store_gate(db, id, "deny", NOW, &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "decision_mismatch");

    /* 同意 was given to 不予处罚; recording a penalty is another decision */
    p = zf_workflow_procedure("penalty_general");
    id = place_case(p, action_of(p, "decide_penalty"), ZF_WF_NOTIFIED);
    review_round_of(id, "{\"decision_kind\":\"no_penalty\"}", "同意", NOW);
    assert_int_equal(zf_review_store_gate(db, id, "decide_penalty", NOW, &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "decision_mismatch");
    assert_non_null(strstr(err.message, "不予处罚"));
    assert_int_equal(take(id, "decide_penalty", &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "decision_mismatch");
    assert_int_equal(zf_review_store_gate(db, id, "decide_no_penalty", NOW, &err), 0);
    assert_int_equal(zf_review_store_gate(db, id, NULL, NOW, &err), 0);

    /* a hearing on record: a final 听证笔录 makes hearing_held true, whatever
     * the proposal says */
    assert_int_equal(zf_review_store_case_facts(&facts, db, id, "{\"hearing_held\":false}", &err), 0);
    assert_non_null(strstr(facts, "\"hearing_held\":false"));
    free(facts);
    {
        char sql[400];

        snprintf(sql, sizeof sql,
                 "INSERT INTO case_documents (case_id, department_id, template, status, "
                 "content_sha256, created_by, created_at, updated_at) SELECT id, department_id, "
                 "'hearing_record', 'final', 'x', created_by, %lld, %lld FROM cases WHERE id = %lld",
                 (long long)NOW, (long long)NOW, (long long)id);
        exec(sql);
    }
    assert_int_equal(zf_review_store_case_facts(&facts, db, id, "{\"hearing_held\":false}", &err), 0);
    assert_non_null(strstr(facts, "\"hearing_held\":true"));
    free(facts);
}

static void test_gate_every_decision_path(void **state)
{
    size_t np, n_paths = 0;
    const zf_wf_procedure *procs = zf_workflow_procedures(&np);

    (void)state;
    for (size_t i = 0; i < np; i++) {
        const zf_wf_procedure *p = &procs[i];

        for (size_t j = 0; j < p->n_actions; j++) {
            const zf_wf_action *a = &p->actions[j];
            unsigned forged = ZF_WF_MAJOR | ZF_WF_REVIEW_PASSED | a->need_flags;
            zf_err err = ZF_ERR_INIT;
            zf_case c;
            int64_t id;

            if (!a->review_gate)
                continue;
            n_paths++;
            /* 1. the flags say "reviewed and passed", nothing was reviewed */
            id = place_case(p, a, forged);
            assert_int_equal(take(id, a->code, &err), ZF_ECONFLICT);
            if (strcmp(err.code, "review_required") != 0)
                fail_msg("%s/%s: %s %s", p->code, a->code, err.code, err.message);
            assert_int_equal(zf_review_store_gate(db, id, a->code, NOW, NULL), ZF_ECONFLICT);
            /* 2. the latest round concluded 不同意; the flags are forged again */
            review_round(id, "不同意", NOW);
            forge_flags(id, forged);
            assert_int_equal(take(id, a->code, &err), ZF_ECONFLICT);
            assert_string_equal(err.code, "review_not_agreed");
            /* 3. 暂不同意 then, without forging, the core gate refuses too */
            review_round(id, "暂不同意", NOW);
            assert_int_equal(take(id, a->code, &err), ZF_ECONFLICT);
            assert_string_equal(err.code, "review_required");
            /* 4. a round still open */
            {
                json_t *mats = json_loads(FULL_MATERIALS, 0, NULL);

                assert_int_equal(zf_review_store_submit(NULL, db, id, "{}", mats, &officer, NOW,
                                                        &err),
                                 0);
                json_decref(mats);
            }
            forge_flags(id, forged);
            assert_int_equal(take(id, a->code, &err), ZF_ECONFLICT);
            assert_string_equal(err.code, "review_pending");
            /* 5. received and agreed: the decision is recorded */
            {
                json_t *pts = json_array();

                for (int k = 0; k < ZF_POINT_COUNT; k++)
                    json_array_append_new(pts, json_pack("{s:s, s:s}", "point",
                                                         zf_review_point_code((zf_review_point)k),
                                                         "state", "conforms"));
                assert_int_equal(zf_review_store_receive(db, cal, id, &reviewer, NOW, &err), 0);
                assert_int_equal(zf_review_store_checklist(db, id, pts, &reviewer, NOW, &err), 0);
                assert_int_equal(zf_review_store_conclude(db, cal, id, "同意", NULL, &reviewer,
                                                          NOW, &err),
                                 0);
                json_decref(pts);
            }
            assert_int_equal(zf_review_store_gate(db, id, a->code, NOW, &err), 0);
            if (take(id, a->code, &err) != 0)
                fail_msg("%s/%s after 同意: %s %s", p->code, a->code, err.code, err.message);
            assert_int_equal(zf_case_get(&c, db, id, &err), 0);
            assert_string_not_equal(c.stage, a->from[0]);
        }
    }
    /* penalty (2), licensing (4 kinds), coercion (3), expropriation: at least ten */
    assert_true(n_paths >= 10);
}

/* Inside a caller's transaction the gate reads what that transaction wrote. */
static void test_gate_in_callers_transaction(void **state)
{
    size_t np;
    const zf_wf_procedure *p = zf_workflow_procedure("license");
    const zf_wf_action *a = zf_workflow_action(p, "grant");
    zf_err err = ZF_ERR_INIT;
    int64_t id;

    (void)state;
    (void)np;
    id = place_case(p, a, ZF_WF_MAJOR | ZF_WF_REVIEW_PASSED);
    assert_int_equal(zf_db_begin(db, &err), 0);
    review_round(id, "同意", NOW);
    exec("UPDATE review_rounds SET outcome_passes = 0, outcome = 'disagree', outcome_label = "
         "'不同意' WHERE id = (SELECT MAX(id) FROM review_rounds)");
    assert_int_equal(take(id, "grant", &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "review_not_agreed");
    zf_db_rollback(db);
}

static const char *round_field(json_t *v, size_t i, const char *k)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(v, "rounds"), i), k));
}

static void test_clock_across_national_day(void **state)
{
    const zf_wf_procedure *p = zf_workflow_procedure("license");
    const zf_wf_action *a = zf_workflow_action(p, "grant");
    json_t *mats = json_loads(FULL_MATERIALS, 0, NULL), *v = NULL;
    zf_err err = ZF_ERR_INIT;
    int64_t id = place_case(p, a, ZF_WF_MAJOR);

    (void)state;
    assert_int_equal(zf_review_store_submit(NULL, db, id, "{\"decision_kind\":\"deny\"}", mats,
                                            &officer, NOW_2024_09_30, &err),
                     0);
    assert_int_equal(zf_review_store_receive(db, cal, id, &reviewer, NOW_2024_09_30, &err), 0);
    assert_int_equal(zf_review_store_get(&v, db, cal, id, NOW_2024_09_30, &err), 0);
    /* 1–7 October are off: 8, 9, 10 October */
    assert_string_equal(round_field(v, 0, "due"), "2024-10-10");
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(json_object_get(v, "rounds"), 0), "workdays_left")),
                     3);
    json_decref(v);
    /* on 9 October one working day is left: yellow */
    assert_int_equal(zf_review_store_get(&v, db, cal, id, NOW_2024_09_30 + 9 * DAY, &err), 0);
    assert_string_equal(round_field(v, 0, "warning"), "yellow");
    json_decref(v);
    /* the extension needs a named approver; +2: 11 and Saturday 12 October (调休) */
    assert_int_equal(zf_review_store_extend(db, cal, id, "", &reviewer, NOW_2024_09_30 + 8 * DAY,
                                            &err),
                     ZF_EINVAL);
    assert_int_equal(zf_review_store_extend(db, cal, id, "罗建平", &reviewer,
                                            NOW_2024_09_30 + 8 * DAY, &err),
                     0);
    assert_int_equal(zf_review_store_extend(db, cal, id, "罗建平", &reviewer,
                                            NOW_2024_09_30 + 8 * DAY, &err),
                     ZF_ECONFLICT);
    assert_int_equal(zf_review_store_get(&v, db, cal, id, NOW_2024_09_30 + 8 * DAY, &err), 0);
    assert_string_equal(round_field(v, 0, "due"), "2024-10-12");
    assert_string_equal(round_field(v, 0, "extension_approver"), "罗建平");
    json_decref(v);
    /* on 14 October it is overdue: red */
    assert_int_equal(zf_review_store_get(&v, db, cal, id, NOW_2024_09_30 + 14 * DAY, &err), 0);
    assert_string_equal(round_field(v, 0, "clock_state"), "overdue");
    assert_string_equal(round_field(v, 0, "warning"), "red");
    json_decref(v);
    json_decref(mats);
}

static void test_config_from_settings(void **state)
{
    zf_review_config cfg;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    assert_int_equal(zf_review_store_config(&cfg, db, &err), 0);
    assert_int_equal(cfg.review_workdays, 3);
    assert_int_equal(cfg.extension_workdays, 2);
    assert_int_equal(cfg.reviewer_percent, 5);
    exec("INSERT INTO settings (key, value) VALUES ('review_workdays', '5'), "
         "('review_outcomes', '[{\"code\":\"agree\",\"label\":\"同意\",\"passes\":true},"
         "{\"code\":\"disagree\",\"label\":\"不同意\",\"reason_required\":true}]')");
    assert_int_equal(zf_review_store_config(&cfg, db, &err), 0);
    assert_int_equal(cfg.review_workdays, 5);
    assert_int_equal((int)cfg.n_outcomes, 2);
    assert_null(zf_review_config_outcome(&cfg, "暂不同意"));
    exec("UPDATE settings SET value = '[{\"code\":\"x\",\"label\":\"不同意\"}]' WHERE key = "
         "'review_outcomes'");
    assert_int_equal(zf_review_store_config(&cfg, db, &err), ZF_EINVAL);
    exec("UPDATE settings SET value = 'three' WHERE key = 'review_workdays'");
    assert_int_equal(zf_review_store_config(&cfg, db, &err), ZF_EINVAL);
    assert_string_equal(err.field, "review_workdays");
    exec("DELETE FROM settings WHERE key IN ('review_workdays', 'review_outcomes')");
}

static void test_first_review_needs_qualification(void **state)
{
    const zf_wf_procedure *p = zf_workflow_procedure("license");
    const zf_wf_action *a = zf_workflow_action(p, "grant");
    json_t *mats = json_loads(FULL_MATERIALS, 0, NULL);
    zf_err err = ZF_ERR_INIT;
    int64_t id = place_case(p, a, 0);

    (void)state;
    /* not major: nothing to review */
    assert_int_equal(zf_review_store_submit(NULL, db, id, "{\"decision_kind\":\"grant\"}", mats,
                                            &officer, NOW, &err),
                     ZF_ECONFLICT);
    assert_string_equal(err.code, "not_major");
    /* incomplete */
    json_array_remove(mats, 0);
    assert_int_equal(zf_review_store_submit(NULL, db, id, "{\"decision_kind\":\"deny\"}", mats,
                                            &officer, NOW, &err),
                     ZF_EINVAL);
    assert_string_equal(err.code, "submission_incomplete");
    assert_non_null(strstr(err.message, "情况说明"));
    json_decref(mats);
    mats = json_loads(FULL_MATERIALS, 0, NULL);
    assert_int_equal(zf_review_store_submit(NULL, db, id, "{\"decision_kind\":\"deny\"}", mats,
                                            &officer, NOW, &err),
                     0);
    assert_int_equal(zf_review_store_receive(db, cal, id, &unqualified, NOW, &err), ZF_EPERM);
    assert_string_equal(err.code, "reviewer_not_qualified");
    assert_int_equal(zf_review_store_receive(db, cal, id, &officer, NOW, &err), ZF_EPERM);
    assert_int_equal(zf_review_store_receive(db, cal, id, &reviewer, NOW, &err), 0);
    json_decref(mats);
}

static void test_catalog_filing(void **state)
{
    zf_err err = ZF_ERR_INIT;
    zf_review_catalog *cat = NULL;
    json_t *v = NULL, *rules;
    size_t n;
    const zf_review_default_rule *d = zf_review_default_rules(&n);
    int64_t version = 0;

    (void)state;
    assert_int_equal(zf_review_store_catalog_effective(&cat, db, dept, 20000, &err), 0);
    assert_int_equal(cat->version, 0);
    assert_int_equal((int)cat->n_rules, (int)n);
    zf_review_catalog_free(cat);
    rules = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(rules, json_pack("{s:s, s:s, s:s, s:o}", "code", d[i].code, "title",
                                               d[i].title, "basis", d[i].basis, "when",
                                               json_loads(d[i].when, 0, NULL)));
    json_array_append_new(rules, json_pack("{s:s, s:s, s:s, s:{s:s, s:b}}", "code", "crime",
                                           "title", "涉嫌犯罪", "basis", "本局目录第2项", "when",
                                           "field", "suspected_crime", "eq", 1));
    assert_int_equal(zf_review_store_catalog_op(db, dept, ZF_CATALOG_OP_SUBMIT, NULL, &head, NOW,
                                                &err),
                     ZF_ENOTFOUND);
    assert_int_equal(zf_review_store_catalog_edit(&version, db, dept, rules, &head, NOW, &err), 0);
    assert_int_equal((int)version, 1);
    assert_int_equal(zf_review_store_catalog_op(db, dept, ZF_CATALOG_OP_FILE, "备1", &head, NOW,
                                                &err),
                     ZF_ECONFLICT); /* not submitted yet */
    assert_int_equal(zf_review_store_catalog_op(db, dept, ZF_CATALOG_OP_SUBMIT, NULL, &head, NOW,
                                                &err),
                     0);
    assert_int_equal(zf_review_store_catalog_edit(&version, db, dept, rules, &head, NOW, &err),
                     ZF_ECONFLICT);
    assert_int_equal(zf_review_store_catalog_op(db, dept, ZF_CATALOG_OP_FILE, "司法局备〔2026〕1号",
                                                &head, NOW, &err),
                     0);
    assert_int_equal(zf_review_store_catalog_effective(&cat, db, dept,
                                                       zf_calendar_store_today(NOW), &err),
                     0);
    assert_int_equal(cat->version, 1);
    assert_non_null(zf_review_catalog_find(cat, "crime"));
    zf_review_catalog_free(cat);
    /* before the filing day the defaults still apply */
    assert_int_equal(zf_review_store_catalog_effective(&cat, db, dept,
                                                       zf_calendar_store_today(NOW - 2 * DAY),
                                                       &err),
                     0);
    assert_int_equal(cat->version, 0);
    zf_review_catalog_free(cat);
    /* a filed version is changed through a new one; dropping a default rule is refused */
    json_array_remove(rules, 0);
    assert_int_equal(zf_review_store_catalog_edit(&version, db, dept, rules, &head, NOW, &err), 0);
    assert_int_equal((int)version, 2);
    assert_int_equal(zf_review_store_catalog_op(db, dept, ZF_CATALOG_OP_SUBMIT, NULL, &head, NOW,
                                                &err),
                     ZF_ECONFLICT);
    assert_string_equal(err.code, "catalog_narrows_scope");
    assert_int_equal(zf_review_store_catalogs(&v, db, dept, zf_calendar_store_today(NOW), &err), 0);
    assert_int_equal(json_integer_value(json_object_get(v, "effective_version")), 1);
    assert_int_equal((int)json_array_size(json_object_get(v, "versions")), 2);
    json_decref(v);
    json_decref(rules);
}

static void test_classify_uses_case_facts(void **state)
{
    const zf_wf_procedure *p = zf_workflow_procedure("penalty_general");
    const zf_wf_action *a = zf_workflow_action(p, "decide_penalty");
    zf_err err = ZF_ERR_INIT;
    json_t *v = NULL;
    int64_t id = place_case(p, a, 0);
    char *facts = NULL;

    (void)state;
    assert_int_equal(zf_review_store_case_facts(&facts, db, id, "{\"fine_amount_yuan\":100}", &err), 0);
    assert_non_null(strstr(facts, "\"procedure\":\"ordinary\""));
    assert_non_null(strstr(facts, "\"power_type\":\"penalty\""));
    free(facts);
    assert_int_equal(zf_review_store_classify(&v, db, id, NULL, NOW, &err), 0);
    assert_true(json_is_true(json_object_get(v, "major")));
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(v, "matches"), 0), "code")),
                        "penalty_ordinary");
    json_decref(v);
    assert_int_equal(zf_review_store_classify(&v, db, id, "[]", NOW, &err), ZF_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gate_every_decision_path),
        cmocka_unit_test(test_gate_sees_the_decision_kind_and_the_hearing),
        cmocka_unit_test(test_gate_in_callers_transaction),
        cmocka_unit_test(test_clock_across_national_day),
        cmocka_unit_test(test_config_from_settings),
        cmocka_unit_test(test_first_review_needs_qualification),
        cmocka_unit_test(test_catalog_filing),
        cmocka_unit_test(test_classify_uses_case_facts),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
