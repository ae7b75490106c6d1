/* test_case_store.c — the case store over a temporary SQLite file (or, in
 * `make test-pg`, a fresh PostgreSQL database: testdb.h): party
 * identifiers, creating a case, refusals that write nothing, documents with
 * their 文号 and the 立案号, the calendar-day clock paused and resumed,
 * evidence links, archived cases, and running inside a caller's transaction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/doctpl.h"
#include "core/workflow.h"
#include "doc_samples.h"
#include "store/calendar_store.h"
#include "store/case_store.h"
#include "store/db.h"
#include "util/embed.h"
#include "testdb.h" /* issue 9: PostgreSQL under make test-pg */
#include "util/mem.h"

/* 2026-03-02 12:00 in China, a Monday */
#define NOW ((int64_t)1772424000)
#define DAY ((int64_t)86400)

static char dbpath[256];
static zf_db *db;
static zf_calendar *cal;
static int64_t dept, other_dept, user_id, officers[3], other_officer;
static zf_case_actor officer, head, reviewer;

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

static int64_t count(const char *sql)
{
    int64_t n = -1;

    assert_int_equal(zf_db_query_int64(db, &n, sql, NULL, 0, NULL), 1);
    return n;
}

static int setup(void **state)
{
    zf_err err = ZF_ERR_INIT;
    int i;

    (void)state;
    snprintf(dbpath, sizeof dbpath, "/tmp/zf-test-casestore-%d.db", (int)getpid());
    remove_files();
    if (zf_db_open(&db, zf_test_db_location(dbpath), &err) < 0 || zf_db_migrate(db, &err) < 0 ||
        zf_calendar_store_load(&cal, db, &err) < 0) {
        fprintf(stderr, "setup: %s\n", err.message);
        return -1;
    }
    dept = insert("INSERT INTO departments (code, name, short_name, created_at, updated_at) "
                  "VALUES ($1, '市市场监督管理局', '市场监管局', $2, $2) RETURNING id",
                  "SCJG", 0);
    other_dept = insert("INSERT INTO departments (code, name, created_at, updated_at) "
                        "VALUES ($1, '市生态环境局', $2, $2) RETURNING id",
                        "STHJ", 0);
    user_id = insert("INSERT INTO users (username, display_name, role, department_id, password_hash, "
                     "password_changed_at, created_at) VALUES ($1, $1, 'officer', $2, 'x', 0, 0) "
                     "RETURNING id",
                     "tester", dept);
    for (i = 0; i < 3; i++) {
        char cert[32];

        snprintf(cert, sizeof cert, "CERT-%d", i);
        officers[i] = insert("INSERT INTO officers (department_id, name, certificate_no, "
                             "certificate_valid_from, certificate_valid_to, status, created_at, "
                             "updated_at) VALUES ($2, '执法员', $1, '2020-01-01', "
                             "'2030-12-31', 'active', 0, 0) RETURNING id",
                             cert, dept);
    }
    /* officer 2's certificate has expired: it does not count */
    assert_int_equal(zf_db_exec(db, "UPDATE officers SET certificate_valid_to = '2025-01-01' WHERE "
                                    "certificate_no = 'CERT-2'",
                                &err),
                     0);
    other_officer = insert("INSERT INTO officers (department_id, name, certificate_no, "
                           "certificate_valid_from, certificate_valid_to, created_at, updated_at) "
                           "VALUES ($2, '外部门', $1, '2020-01-01', '2030-12-31', 0, 0) RETURNING id",
                           "CERT-X", other_dept);
    officer = (zf_case_actor){user_id, "tester", 1u << 0, dept, "127.0.0.1", "req"};
    head = (zf_case_actor){user_id, "tester", 1u << 2, dept, NULL, NULL};
    reviewer = (zf_case_actor){user_id, "tester", 1u << 1, dept, NULL, NULL};
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

/* A fresh evidence file name (64 hex digits, unique in this run), made
 * here rather than by SQLite's randomblob so that both backends run it. */
static const char *fresh_sha256(void)
{
    static char sha[65];
    static unsigned n;

    snprintf(sha, sizeof sha, "%056x%08x", (unsigned)getpid(), ++n);
    return sha;
}

static zf_case_party company(void)
{
    zf_case_party p;

    memset(&p, 0, sizeof p);
    snprintf(p.kind, sizeof p.kind, "法人");
    snprintf(p.name, sizeof p.name, "赣江市青云粮油贸易有限公司");
    snprintf(p.identifier, sizeof p.identifier, "91369900ma35k7q2xt"); /* lower case on purpose */
    return p;
}

static int64_t new_case(const char *procedure, size_t n_officers)
{
    zf_case_party p = company();
    zf_case_new nc = {0};
    zf_err err = ZF_ERR_INIT;
    int64_t id = 0;

    nc.department_id = dept;
    nc.procedure = procedure;
    nc.title = "测试案件";
    nc.parties = &p;
    nc.n_parties = 1;
    nc.officers = officers;
    nc.n_officers = n_officers;
    if (zf_case_create(&id, db, cal, &nc, &officer, NOW, &err) != 0)
        fail_msg("create: %s %s", err.code, err.message);
    return id;
}

static int64_t final_doc(int64_t case_id, const char *tpl, char *docno, size_t cap)
{
    json_t *f = sample_doc(zf_doctpl_find(tpl), 0);
    zf_err err = ZF_ERR_INIT;
    int64_t id = 0;

    if (zf_case_doc_save(&id, db, case_id, 0, tpl, f, 0, &officer, NOW, &err) != 0)
        fail_msg("save %s: %s", tpl, err.message);
    json_decref(f);
    if (zf_case_doc_finalize(docno, cap, db, case_id, id, &officer, NOW, &err) != 0)
        fail_msg("finalize %s: %s", tpl, err.message);
    return id;
}

static int act(int64_t case_id, const char *action, const zf_case_actor *who, int64_t now,
               zf_case_act_result *res, zf_err *err)
{
    zf_case_action a = {0};

    a.action = action;
    a.reason = "测试理由";
    return zf_case_act(res, db, cal, case_id, &a, who, now, err);
}

/* ---- parties ------------------------------------------------------------------ */

static void test_party_identifiers(void **state)
{
    zf_case_party p = company();
    zf_err err = ZF_ERR_INIT;

    (void)state;
    assert_int_equal(zf_case_party_check(&p, &err), 0);
    assert_string_equal(p.kind, "legal_person");
    assert_string_equal(p.identifier, "91369900MA35K7Q2XT");
    assert_string_equal(p.id_type, "统一社会信用代码");
    p.identifier[17] = p.identifier[17] == 'T' ? 'U' : 'T'; /* wrong check character */
    assert_int_equal(zf_case_party_check(&p, &err), ZF_EINVAL);
    assert_string_equal(err.field, "identifier");
    /* a person needs an ID number, not a credit code */
    p = company();
    snprintf(p.kind, sizeof p.kind, "person");
    assert_int_equal(zf_case_party_check(&p, &err), ZF_EINVAL);
    snprintf(p.identifier, sizeof p.identifier, "11010519491231002X");
    assert_int_equal(zf_case_party_check(&p, &err), 0);
    assert_string_equal(p.id_type, "居民身份证号码");
    /* an 个体工商户 may have either */
    snprintf(p.kind, sizeof p.kind, "个体工商户");
    assert_int_equal(zf_case_party_check(&p, &err), 0);
    snprintf(p.identifier, sizeof p.identifier, "91369900MA35K7Q2XT");
    assert_int_equal(zf_case_party_check(&p, &err), 0);
    assert_string_equal(p.kind, "individual_business");
    snprintf(p.kind, sizeof p.kind, "外星人");
    assert_int_equal(zf_case_party_check(&p, &err), ZF_EINVAL);
    assert_string_equal(err.field, "kind");
    p = company();
    p.name[0] = '\0';
    assert_int_equal(zf_case_party_check(&p, &err), ZF_EINVAL);
    assert_string_equal(err.field, "name");
}

/* ---- creating, refusing -------------------------------------------------------- */

static void test_create_and_refusals(void **state)
{
    zf_case c;
    zf_err err = ZF_ERR_INIT;
    int64_t id, events, audits, bad[2] = {0, 0};
    zf_case_new nc = {0};

    (void)state;
    id = new_case("penalty_general", 2);
    assert_int_equal(zf_case_get(&c, db, id, &err), 0);
    assert_string_equal(c.stage, "source");
    assert_string_equal(c.power_type, "penalty");
    assert_string_equal(c.case_no, "");
    assert_string_equal(c.secrecy, "none");
    assert_int_equal(count("SELECT COUNT(*) FROM case_events WHERE action = 'create'") >= 1, 1);
    assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'case_create' AND "
                           "length(content_sha256) = 64"),
                     count("SELECT COUNT(*) FROM cases"));

    /* 立案 without documents, by the wrong role, or an illegal step: refused,
     * nothing written */
    events = count("SELECT COUNT(*) FROM case_events");
    audits = count("SELECT COUNT(*) FROM audit_log");
    assert_int_equal(act(id, "file_case", &head, NOW, NULL, &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "document_missing");
    assert_non_null(strstr(err.message, "立案审批表"));
    assert_int_equal(act(id, "file_case", &officer, NOW, NULL, &err), ZF_EPERM);
    assert_string_equal(err.code, "role_not_allowed");
    assert_int_equal(act(id, "decide_penalty", &head, NOW, NULL, &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "illegal_transition");
    assert_int_equal(act(id, "no_such_action", &head, NOW, NULL, &err), ZF_EINVAL);
    assert_int_equal(count("SELECT COUNT(*) FROM case_events"), events);
    assert_int_equal(count("SELECT COUNT(*) FROM audit_log"), audits);
    assert_int_equal(zf_case_get(&c, db, id, &err), 0);
    assert_string_equal(c.stage, "source");

    /* bad input to create */
    nc.department_id = dept;
    nc.procedure = "no_such";
    nc.title = "x";
    assert_int_equal(zf_case_create(&id, db, cal, &nc, &officer, NOW, &err), ZF_EINVAL);
    assert_string_equal(err.field, "procedure");
    nc.procedure = "inspection";
    nc.title = "";
    assert_int_equal(zf_case_create(&id, db, cal, &nc, &officer, NOW, &err), ZF_EINVAL);
    assert_string_equal(err.field, "title");
    nc.title = "x";
    bad[0] = other_officer;
    nc.officers = bad;
    nc.n_officers = 1;
    assert_int_equal(zf_case_create(&id, db, cal, &nc, &officer, NOW, &err), ZF_EINVAL);
    assert_string_equal(err.field, "officers");
    bad[0] = bad[1] = officers[0];
    nc.n_officers = 2;
    assert_int_equal(zf_case_create(&id, db, cal, &nc, &officer, NOW, &err), ZF_EINVAL);
    assert_int_equal(count("SELECT COUNT(*) FROM case_events"), events);
}

/* ---- documents, 文号, 立案号 ----------------------------------------------------- */

static void test_documents_and_numbers(void **state)
{
    char no1[160], no2[160], year[8];
    zf_case c;
    zf_err err = ZF_ERR_INIT;
    zf_case_doc d;
    zf_case_act_result res;
    json_t *bad;
    int64_t id, doc_id = 0;

    (void)state;
    assert_int_equal(zf_db_exec(db, "INSERT INTO docno_prefixes (department_id, prefix) "
                                    "SELECT id, '赣江市监' FROM departments WHERE code = 'SCJG'",
                                &err),
                     0);
    id = new_case("penalty_general", 2);
    /* a draft may lack a required field; finalizing it is refused, naming it */
    bad = sample_doc(zf_doctpl_find("case_source"), 0);
    json_object_del(bad, "summary");
    assert_int_equal(zf_case_doc_save(&doc_id, db, id, 0, "case_source", bad, 0, &officer, NOW, &err), 0);
    assert_int_equal(zf_case_doc_finalize(NULL, 0, db, id, doc_id, &officer, NOW, &err), ZF_EINVAL);
    assert_string_equal(err.code, "required");
    assert_string_equal(err.field, "fields.summary");
    assert_non_null(strstr(err.message, "尚未填写"));
    doc_id = 0;
    json_object_set_new(bad, "doc_no", json_string("赣江市监处罚〔2026〕1号"));
    assert_int_equal(zf_case_doc_save(&doc_id, db, id, 0, "case_source", bad, 0, &officer, NOW, &err),
                     ZF_EINVAL);
    json_decref(bad);
    assert_int_equal(zf_case_doc_save(&doc_id, db, id, 0, "no_such_template", NULL, 0, &officer, NOW,
                                      &err),
                     ZF_EINVAL);

    final_doc(id, "case_source", no1, sizeof no1);
    assert_string_equal(no1, ""); /* unnumbered */
    doc_id = final_doc(id, "filing_approval", no1, sizeof no1);
    /* final is immutable */
    bad = sample_doc(zf_doctpl_find("filing_approval"), 0);
    assert_int_equal(zf_case_doc_save(NULL, db, id, doc_id, NULL, bad, 0, &officer, NOW, &err),
                     ZF_ECONFLICT);
    assert_string_equal(err.code, "document_final");
    json_decref(bad);
    assert_int_equal(zf_case_doc_get(&d, db, id, doc_id, &err), 0);
    assert_string_equal(d.status, "final");
    assert_int_equal(strlen(d.content_sha256), 64);
    zf_case_doc_clear(&d);
    assert_int_equal(zf_case_doc_get(&d, db, id + 1000, doc_id, &err), ZF_ENOTFOUND);

    assert_int_equal(act(id, "file_case", &head, NOW, &res, &err), 0);
    assert_string_equal(res.stage_after, "investigation");
    snprintf(year, sizeof year, "%d", 2026);
    assert_non_null(strstr(res.case_no, "赣江市监立〔2026〕"));
    assert_int_equal(zf_case_get(&c, db, id, &err), 0);
    assert_string_equal(c.case_no, res.case_no);
    assert_string_equal(res.outcome.start[0], "penalty_decision_90d");

    /* 文号 per department, kind and year, consecutive */
    final_doc(id, "penalty_notice", no1, sizeof no1);
    final_doc(id, "penalty_notice", no2, sizeof no2);
    assert_non_null(strstr(no1, "赣江市监罚告〔2026〕"));
    assert_int_equal(atoi(strstr(no2, "〕") + 3), atoi(strstr(no1, "〕") + 3) + 1);
    assert_int_equal(count("SELECT COUNT(*) FROM docno_counters WHERE kind = '罚告' AND year = 2026"), 1);
    /* issuing needs a transaction */
    assert_int_equal(zf_case_docno_issue(no1, sizeof no1, db, dept, "处罚", 2026, &err), ZF_EINTERNAL);
}

/* ---- clocks ------------------------------------------------------------------------- */

static zf_case_clock find_clock(int64_t id, const char *code, int64_t now)
{
    zf_case_clock *ks = NULL, k;
    size_t n = 0, i;
    zf_err err = ZF_ERR_INIT;

    assert_int_equal(zf_case_clocks(&ks, &n, db, cal, id, now, &err), 0);
    for (i = 0; i < n; i++)
        if (strcmp(ks[i].rule_code, code) == 0)
            break;
    if (i == n)
        fail_msg("no clock %s", code);
    k = ks[i];
    free(ks);
    return k;
}

/* Migration 0016 moves rows of the former case_day_clocks into clocks: run
 * its own statement (from the embedded file) over rows written the old way
 * and read them back through the deadline engine. */
static void test_day_clocks_migrated(void **state)
{
    const zf_embedded_file *f = zf_embed_find("store/migrations/0016_recording.sql");
    const char *a, *b;
    char *stmt, *sql;
    zf_err err = ZF_ERR_INIT;
    zf_clock_row row;
    int64_t id, k1, k2, k3;

    (void)state;
    assert_non_null(f);
    /* the text this backend runs (the file has @sqlite / @postgres sections) */
    sql = zf_db_migration_text((const char *)f->data, zf_db_dialect(db));
    a = strstr(sql, "INSERT INTO clocks");
    b = a ? strstr(a, "FROM case_day_clocks d") : NULL;
    assert_non_null(b);
    b = strchr(b, ';');
    stmt = zf_strndup(a, (size_t)(b - a));
    free(sql);
    /* in the migrations' dialect: INTEGER PRIMARY KEY is an identity on PostgreSQL */
    assert_int_equal(zf_test_db_ddl(db,
                                "CREATE TABLE case_day_clocks (id INTEGER PRIMARY KEY, case_id BIGINT, "
                                "department_id BIGINT, rule_code TEXT NOT NULL, start_date TEXT NOT NULL, "
                                "due_date TEXT NOT NULL, paused_from TEXT, paused_days INTEGER NOT NULL "
                                "DEFAULT 0, extension_days INTEGER NOT NULL DEFAULT 0, done_date TEXT, "
                                "created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)",
                                &err),
                     0);
    id = new_case("coercion_seizure", 2);
    k1 = insert("INSERT INTO case_day_clocks (case_id, department_id, rule_code, start_date, due_date, "
                "paused_days, created_at, updated_at) SELECT $2, department_id, 'penalty_decision_90d', "
                "'2026-03-02', '2026-06-10', 10, 0, 0 FROM cases WHERE id = $2 AND $1 = 'x' RETURNING id", "x", id);
    k2 = insert("INSERT INTO case_day_clocks (case_id, department_id, rule_code, start_date, due_date, "
                "paused_from, paused_days, created_at, updated_at) SELECT $2, department_id, "
                "'penalty_decision_90d', '2026-03-02', '2026-06-05', '2026-04-01', 5, 0, 0 FROM cases "
                "WHERE id = $2 AND $1 = 'x' RETURNING id", "x", id);
    k3 = insert("INSERT INTO case_day_clocks (case_id, department_id, rule_code, start_date, due_date, "
                "extension_days, done_date, created_at, updated_at) SELECT $2, department_id, "
                "'coercion_seizure_30d', '2026-03-02', '2026-05-01', 30, '2026-04-20', 0, 0 FROM cases "
                "WHERE id = $2 AND $1 = 'x' RETURNING id", "x", id);
    assert_true(k1 && k2 && k3);
    assert_int_equal(zf_db_exec(db, "DELETE FROM clocks WHERE object_type = 'case'", &err), 0);
    assert_int_equal(zf_db_exec(db, stmt, &err), 0);
    free(stmt);
    assert_int_equal(count("SELECT COUNT(*) FROM clocks WHERE object_type = 'case'"), 3);
    /* ten paused days: the due date recomputes to what was stored */
    assert_int_equal(zf_clock_store_get(&row, db, count("SELECT MIN(id) FROM clocks WHERE "
                                                        "object_type = 'case'"), &err), 0);
    assert_int_equal(row.clock.rule.kind, ZF_RULE_CALENDAR_DAYS);
    assert_int_equal(row.clock.rule.days, 90);
    {
        zf_date due = row.clock.due;
        bool moved = true;

        assert_int_equal(zf_clock_recompute(&row.clock, cal, &moved, &err), 0);
        assert_false(moved);
        assert_int_equal(row.clock.due, due);
    }
    /* suspended now: paused, and resuming on 6 April moves the due by 5 days */
    assert_int_equal(zf_clock_store_get(&row, db, count("SELECT MIN(id) FROM clocks WHERE "
                                                        "object_type = 'case'") + 1, &err), 0);
    assert_int_equal(row.clock.due, ZF_DATE_NONE);
    assert_int_equal(zf_clock_state_at(&row.clock, cal, row.clock.start + 40, -1), ZF_CLOCK_PAUSED);
    assert_int_equal(zf_clock_resume(&row.clock, cal, row.clock.pauses[1].from + 5, &err), 0);
    {
        zf_date want;

        assert_int_equal(zf_date_parse(&want, "2026-06-10", 10, NULL, NULL), 0);
        assert_int_equal(row.clock.due, want);
    }
    /* extended and done: kept as it was */
    assert_int_equal(zf_clock_store_get(&row, db, count("SELECT MAX(id) FROM clocks WHERE "
                                                        "object_type = 'case'"), &err), 0);
    assert_int_equal(row.clock.extension_workdays, 30);
    assert_int_equal(zf_clock_state_at(&row.clock, cal, row.clock.start + 100, -1),
                     ZF_CLOCK_DONE_ON_TIME);
    assert_int_equal(zf_db_exec(db, "DROP TABLE case_day_clocks", &err), 0);
}

static void test_day_clock_suspended_and_resumed(void **state)
{
    zf_err err = ZF_ERR_INIT;
    zf_case_act_result res;
    zf_case_clock k;
    int64_t id;

    (void)state;
    id = new_case("penalty_general", 2);
    final_doc(id, "case_source", NULL, 0);
    final_doc(id, "filing_approval", NULL, 0);
    assert_int_equal(act(id, "file_case", &head, NOW, NULL, &err), 0);
    k = find_clock(id, "penalty_decision_90d", NOW);
    assert_true(k.day && k.open);
    assert_string_equal(k.start, "2026-03-02");
    assert_string_equal(k.due, "2026-05-31"); /* 90 days after 2 March */
    /* suspended on 10 March, resumed on 20 March: ten days do not count */
    assert_int_equal(act(id, "suspend", &head, NOW + 8 * DAY, &res, &err), 0);
    assert_int_equal(res.outcome.n_pause, 1);
    assert_string_equal(res.outcome.pause[0], "penalty_decision_90d");
    k = find_clock(id, "penalty_decision_90d", NOW + 9 * DAY);
    assert_int_equal(k.state, ZF_CLOCK_PAUSED);
    assert_int_equal(act(id, "conclude", &officer, NOW + 9 * DAY, NULL, &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "case_suspended");
    assert_int_equal(act(id, "resume", &head, NOW + 18 * DAY, &res, &err), 0);
    k = find_clock(id, "penalty_decision_90d", NOW + 18 * DAY);
    assert_string_equal(k.due, "2026-06-10");
    assert_int_equal(k.state, ZF_CLOCK_ON_TIME);
    /* overdue after the due date */
    k = find_clock(id, "penalty_decision_90d", NOW + 101 * DAY);
    assert_int_equal(k.state, ZF_CLOCK_OVERDUE);
    /* 移送 finishes it */
    final_doc(id, "case_source", NULL, 0);
    {
        json_t *f = json_pack("{s:s}", "title", "移送函");
        int64_t ev, doc_id;

        ev = insert("INSERT INTO evidence_files (sha256, size, kind, department_id, retention, "
                    "created_by, created_at) VALUES ($1, 1, 'scan', $2, 'routine', 1, 0) RETURNING id",
                    fresh_sha256(), dept);
        assert_int_equal(zf_case_doc_save(&doc_id, db, id, 0, "transfer_letter", f, 0, &officer, NOW,
                                          &err),
                         0);
        /* a scan without its file cannot become final */
        assert_int_equal(zf_case_doc_finalize(NULL, 0, db, id, doc_id, &officer, NOW, &err), ZF_EINVAL);
        assert_int_equal(zf_case_doc_save(NULL, db, id, doc_id, NULL, f, ev, &officer, NOW, &err), 0);
        assert_int_equal(zf_case_doc_finalize(NULL, 0, db, id, doc_id, &officer, NOW, &err), 0);
        json_decref(f);
    }
    assert_int_equal(act(id, "transfer", &head, NOW + 20 * DAY, &res, &err), 0);
    assert_string_equal(res.stage_after, "closed");
    assert_string_equal(res.outcome.outcome, "transferred");
    k = find_clock(id, "penalty_decision_90d", NOW + 20 * DAY);
    assert_false(k.open);
    assert_int_equal(k.state, ZF_CLOCK_DONE_ON_TIME);
}

/* ---- evidence, archive, caller's transaction ------------------------------------------ */

static int64_t evidence_row(int64_t department, const char *kind)
{
    zf_stmt *st = NULL;
    int64_t id;

    assert_int_equal(zf_db_prepare(&st, db,
                                   "INSERT INTO evidence_files (sha256, size, kind, department_id, "
                                   "retention, created_by, created_at, expires_at) VALUES "
                                   "($3, 10, $1, $2, 'routine', 1, 0, 999) RETURNING id",
                                   NULL),
                     0);
    zf_stmt_bind_text(st, 1, kind, -1);
    zf_stmt_bind_int64(st, 2, department);
    zf_stmt_bind_text(st, 3, fresh_sha256(), -1);
    assert_int_equal(zf_stmt_step(st, NULL), 1);
    id = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    return id;
}

static void test_evidence_and_recording(void **state)
{
    zf_err err = ZF_ERR_INIT;
    zf_case_act_result res;
    int64_t id, other, video, foreign;

    (void)state;
    id = new_case("coercion_seizure", 3); /* the third officer's certificate expired */
    other = new_case("coercion_seizure", 2);
    assert_int_equal(act(id, "approve", &head, NOW, NULL, &err), 0);
    final_doc(id, "site_record", NULL, 0);
    final_doc(id, "coercive_decision", NULL, 0);
    assert_int_equal(act(id, "implement", &officer, NOW, NULL, &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "recording_required");
    video = evidence_row(dept, "video");
    foreign = evidence_row(other_dept, "video");
    assert_int_equal(zf_case_link_evidence(db, id, foreign, &officer, NOW, &err), ZF_EPERM);
    assert_int_equal(zf_case_link_evidence(db, id, video, &officer, NOW, &err), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM evidence_files WHERE kind = 'video' AND "
                           "case_id IS NOT NULL AND expires_at IS NULL"),
                     1);
    assert_int_equal(zf_case_link_evidence(db, id, video, &officer, NOW, &err), 0); /* no-op */
    assert_int_equal(zf_case_link_evidence(db, other, video, &officer, NOW, &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "case_already_linked");
    assert_int_equal(act(id, "implement", &officer, NOW, &res, &err), 0);
    assert_string_equal(res.stage_after, "deliver");
    {
        char q[160];

        snprintf(q, sizeof q, "SELECT COUNT(*) FROM case_event_evidence WHERE event_id = %lld AND "
                 "evidence_id = %lld", (long long)res.event_id, (long long)video);
        assert_int_equal(count(q), 1);
    }
    /* the same file does not serve the next step again */
    {
        zf_case_wf w;

        assert_int_equal(zf_case_wf_state(&w, db, id, NULL, &officer, NOW, &err), 0);
        assert_int_equal(w.st.evidence, 0);
        assert_int_equal(w.st.officers, 2); /* the expired certificate does not count */
        zf_case_wf_state_free(&w);
    }
}

static void test_archived_and_caller_transaction(void **state)
{
    zf_err err = ZF_ERR_INIT;
    zf_case_patch p = ZF_CASE_PATCH_INIT;
    zf_case c;
    int64_t id;
    const char *steps[] = {"dispatch", "inspect", "result_normal", "publish", "archive"};
    size_t i;

    (void)state;
    id = new_case("inspection", 2);
    /* inside the caller's transaction: rolled back with it */
    p.title = "改过的名称";
    assert_int_equal(zf_db_begin(db, &err), 0);
    assert_int_equal(zf_case_update(db, id, &p, &officer, NOW, &err), 0);
    assert_int_equal(zf_case_get(&c, db, id, &err), 0);
    assert_string_equal(c.title, "改过的名称");
    zf_db_rollback(db);
    assert_int_equal(zf_case_get(&c, db, id, &err), 0);
    assert_string_equal(c.title, "测试案件");
    /* lowering a label is the head's */
    p.title = NULL;
    p.secrecy = "commercial_secret";
    assert_int_equal(zf_case_update(db, id, &p, &officer, NOW, &err), 0);
    p.secrecy = "none";
    assert_int_equal(zf_case_update(db, id, &p, &officer, NOW, &err), ZF_EPERM);
    assert_int_equal(zf_case_update(db, id, &p, &head, NOW, &err), 0);

    final_doc(id, "site_record", NULL, 0);
    final_doc(id, "file_cover", NULL, 0);
    final_doc(id, "file_index", NULL, 0);
    final_doc(id, "file_notes", NULL, 0);
    for (i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (act(id, steps[i], &officer, NOW, NULL, &err) != 0)
            fail_msg("%s: %s", steps[i], err.message);
    assert_int_equal(zf_case_get(&c, db, id, &err), 0);
    assert_string_equal(c.stage, "archived");
    assert_true(c.archived_at == NOW);
    p.secrecy = NULL;
    p.title = "归档后";
    assert_int_equal(zf_case_update(db, id, &p, &head, NOW, &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "case_archived");
    assert_int_equal(zf_case_set_officers(db, id, officers, 1, &head, NOW, &err), ZF_ECONFLICT);
    assert_int_equal(act(id, "archive", &head, NOW, NULL, &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "case_archived");
    (void)reviewer;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_party_identifiers),
        cmocka_unit_test(test_create_and_refusals),
        cmocka_unit_test(test_documents_and_numbers),
        cmocka_unit_test(test_day_clock_suspended_and_resumed),
        cmocka_unit_test(test_day_clocks_migrated),
        cmocka_unit_test(test_evidence_and_recording),
        cmocka_unit_test(test_archived_and_caller_transaction),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
