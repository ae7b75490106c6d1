/* test_cockpit_store.c — store/cockpit_store.c on a real SQLite file (a
 * fresh PostgreSQL database in `make test-pg`, see testdb.h): the
 * tracker's statuses from accepted filings, devices and marks (done on time,
 * late, missing, not yet due, ongoing) for a fixed "now", the recomputation's
 * figures and freshness stamp, and the warning rules' parameter checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/cockpit_store.h"
#include "store/db.h"
#include "testdb.h" /* issue 9: PostgreSQL under make test-pg */

static zf_db *db;
static char dbpath[64];
/* 2026-03-10 12:00 China time */
static const int64_t NOW = 1773115200;

static void remove_files(void)
{
    char p[80];

    remove(dbpath);
    snprintf(p, sizeof p, "%s-wal", dbpath);
    remove(p);
    snprintf(p, sizeof p, "%s-shm", dbpath);
    remove(p);
}

static int setup(void **state)
{
    zf_err err = ZF_ERR_INIT;

    (void)state;
    snprintf(dbpath, sizeof dbpath, "/tmp/zf-test-cockpit-%d.db", (int)getpid());
    remove_files();
    if (zf_db_open(&db, zf_test_db_location(dbpath), &err) < 0 || zf_db_migrate(db, &err) < 0 ||
        zf_db_exec(db,
                   "DELETE FROM tracker_tasks;"
                   "INSERT INTO departments (id, code, name, created_at, updated_at) VALUES "
                   "(1, 'D1', '甲局', 0, 0), (2, 'D2', '乙局', 0, 0);"
                   "INSERT INTO users (id, username, display_name, role, department_id, password_hash, "
                   "password_changed_at, created_at) VALUES (1, 'u', 'u', 'head', 1, 'x', 0, 0);"
                   "INSERT INTO tracker_tasks (id, system, task, measure, due_date, check_kind, created_at, "
                   "updated_at) VALUES (1, 'publicity', 't', '事项清单', '2026-03-01', 'filing_matters', 0, 0),"
                   "(2, 'recording', 't', '配备设备', '2026-03-31', 'devices', 0, 0),"
                   "(3, 'other', 't', '人工认定', '2026-02-01', 'manual', 0, 0),"
                   "(4, 'other', 't', '长期执行', NULL, 'manual', 0, 0);"
                   /* 甲局: matters filed before the due date; a device; a mark after the due date */
                   "INSERT INTO filings (department_id, kind, version, state, body, body_sha256, submitted_on, "
                   "submitted_at, decided_on) VALUES (1, 'matters', 1, 'accepted', '[]', '', '2026-02-20', 0, "
                   "'2026-02-25'), (2, 'matters', 1, 'returned', '[]', '', '2026-02-20', 0, '2026-02-25');"
                   "INSERT INTO devices (department_id, serial, kind, created_at, updated_at) VALUES "
                   "(1, 'CAM-1', 'body_camera', 1772000000, 0);"
                   "INSERT INTO tracker_marks (task_id, department_id, done_on, marked_at) VALUES "
                   "(3, 1, '2026-02-10', 0);",
                   &err) < 0) {
        fprintf(stderr, "setup: %s\n", err.message);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    zf_db_close(db);
    remove_files();
    return 0;
}

static const char *status_of(json_t *p, int64_t dept, int64_t task)
{
    json_t *depts = json_object_get(p, "departments");
    size_t i, j;

    for (i = 0; i < json_array_size(depts); i++) {
        json_t *d = json_array_get(depts, i), *items = json_object_get(d, "items");

        if (json_integer_value(json_object_get(d, "department_id")) != dept)
            continue;
        for (j = 0; j < json_array_size(items); j++)
            if (json_integer_value(json_object_get(json_array_get(items, j), "task_id")) == task)
                return json_string_value(json_object_get(json_array_get(items, j), "status"));
    }
    return NULL;
}

static void test_tracker_statuses(void **state)
{
    json_t *p = NULL, *d;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    assert_int_equal(zf_tracker_progress(&p, db, 0, NOW, &err), 0);
    assert_int_equal(json_array_size(json_object_get(p, "tasks")), 4);
    assert_string_equal(status_of(p, 1, 1), "done");    /* accepted 02-25, due 03-01 */
    assert_string_equal(status_of(p, 2, 1), "missing"); /* only a returned filing */
    assert_string_equal(status_of(p, 1, 2), "done");    /* a device, before 03-31 */
    assert_string_equal(status_of(p, 2, 2), "pending"); /* not due yet */
    assert_string_equal(status_of(p, 1, 3), "late");    /* marked 02-10, due 02-01 */
    assert_string_equal(status_of(p, 2, 3), "missing");
    assert_string_equal(status_of(p, 1, 4), "ongoing");
    d = json_array_get(json_object_get(p, "departments"), 0);
    assert_int_equal(json_integer_value(json_object_get(d, "done")), 2);
    assert_int_equal(json_integer_value(json_object_get(d, "late")), 1);
    json_decref(p);
    /* one department only */
    assert_int_equal(zf_tracker_progress(&p, db, 2, NOW, &err), 0);
    assert_int_equal(json_array_size(json_object_get(p, "departments")), 1);
    json_decref(p);
}

static void test_refresh_stamps_and_scores(void **state)
{
    json_t *v = NULL, *dept;
    zf_err err = ZF_ERR_INIT;
    int64_t ms = -1;

    (void)state;
    assert_int_equal(zf_db_exec(db,
                                "INSERT INTO publications (department_id, kind, state, title, content, masked, "
                                "decision_date, due_date, on_time, created_at, updated_at) VALUES "
                                "(1, 'penalty', 'published', 'a', '{}', '{}', '2026-03-01', '2026-03-05', 1, 0, 0),"
                                "(1, 'penalty', 'pending', 'b', '{}', '{}', '2026-03-01', '2026-03-05', NULL, 0, 0)",
                                &err),
                     0);
    assert_int_equal(zf_cockpit_computed_at(db), 0);
    assert_int_equal(zf_cockpit_refresh(&ms, db, NOW, &err), 0);
    assert_true(ms >= 0);
    assert_int_equal(zf_cockpit_computed_at(db), NOW);
    assert_int_equal(zf_cockpit_view(&v, db, 1, NOW, &err), 0);
    assert_string_equal(json_string_value(json_object_get(v, "as_of")), "2026-03-10");
    dept = json_array_get(json_object_get(v, "departments"), 0);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(dept, "metrics"), "pub_on_time")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(dept, "metrics"), "pub_missing")), 1);
    /* default weights: publications 25 x 1/2, tracker 15 x (2 done + 1 late / 2) / 3, the other
     * components (reviews 20, recordings 20, reviewers 10, certificates 10) at 1: 85 of 100 */
    assert_true(json_real_value(json_object_get(dept, "score")) > 84.9 &&
                json_real_value(json_object_get(dept, "score")) < 85.1);
    json_decref(v);
    assert_int_equal(zf_cockpit_view(&v, db, 99, NOW, &err), ZF_ENOTFOUND);
}

static void test_rule_params(void **state)
{
    zf_err err = ZF_ERR_INIT;
    json_t *ok = json_pack("{s:i, s:i}", "days", 30, "min", 2), *bad_key = json_pack("{s:i}", "mun", 2),
           *neg = json_pack("{s:i}", "days", -1), *real = json_pack("{s:f}", "days", 1.5), *kinds;

    (void)state;
    assert_int_equal(zf_cockpit_rule_params_check("repeated_withdrawals", ok, &err), 0);
    assert_int_equal(zf_cockpit_rule_params_check("repeated_withdrawals", bad_key, &err), ZF_EINVAL);
    assert_string_equal(err.field, "params");
    assert_int_equal(zf_cockpit_rule_params_check("repeated_withdrawals", neg, &err), ZF_EINVAL);
    assert_int_equal(zf_cockpit_rule_params_check("repeated_withdrawals", real, &err), ZF_EINVAL);
    assert_int_equal(zf_cockpit_rule_params_check("no_such_kind", ok, &err), ZF_EINVAL);
    assert_string_equal(err.field, "kind");
    assert_false(zf_cockpit_rule_kind_known("no_such_kind"));
    kinds = zf_cockpit_rule_kinds();
    assert_int_equal(json_array_size(kinds), 11);
    json_decref(kinds);
    json_decref(ok);
    json_decref(bad_key);
    json_decref(neg);
    json_decref(real);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tracker_statuses),
        cmocka_unit_test(test_refresh_stamps_and_scores),
        cmocka_unit_test(test_rule_params),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
