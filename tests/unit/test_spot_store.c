/* test_spot_store.c — 双随机 in the database (store/spot_store.h) over a
 * temporary SQLite file (a fresh PostgreSQL database in `make test-pg`,
 * see testdb.h): a plan, its pool (a repeated credit code reported,
 * not added), the inspector pool from the officers with a valid certificate
 * (a suspended one and an expired one left out), the seed's ledger event
 * before the draw's with the commitment as content hash, the stored
 * selection equal to a redraw from zf_spot_inputs_load, a second draw
 * refused, the pool locked, and a normal result queued as a publication
 * with the publish_spot_check clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/calendar.h"
#include "store/calendar_store.h"
#include "store/db.h"
#include "testdb.h" /* issue 9: PostgreSQL under make test-pg */
#include "store/spot_store.h"
#include "util/mem.h"

#define NOW ((int64_t)1780000000) /* 2026-05-28 */

static zf_db *db;
static zf_calendar *cal;
static char dbpath[64];

static void remove_files(void)
{
    char p[96];

    unlink(dbpath);
    snprintf(p, sizeof p, "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbpath);
    unlink(p);
}

static int setup(void **state)
{
    zf_err err = ZF_ERR_INIT;

    (void)state;
    snprintf(dbpath, sizeof dbpath, "/tmp/zf-test-spot-%d.db", (int)getpid());
    remove_files();
    if (zf_db_open(&db, zf_test_db_location(dbpath), &err) < 0 || zf_db_migrate(db, &err) < 0 ||
        zf_db_exec(db,
                   "INSERT INTO departments (code, name, created_at, updated_at) VALUES "
                   "('D1', '市市场监督管理局', 0, 0);"
                   "INSERT INTO users (username, display_name, role, department_id, password_hash, "
                   "password_changed_at, created_at) VALUES ('head', '负责人', 'head', 1, 'x', 0, 0);"
                   "INSERT INTO officers (department_id, name, certificate_no, certificate_valid_from, "
                   "certificate_valid_to, status, created_at, updated_at) VALUES "
                   "(1, '甲', 'C01', '2020-01-01', '2030-12-31', 'active', 0, 0),"
                   "(1, '乙', 'C02', '2020-01-01', '2030-12-31', 'active', 0, 0),"
                   "(1, '丙', 'C03', '2020-01-01', '2030-12-31', 'active', 0, 0),"
                   "(1, '丁', 'C04', '2020-01-01', '2030-12-31', 'suspended', 0, 0),"
                   "(1, '戊', 'C05', '2020-01-01', '2025-12-31', 'active', 0, 0);",
                   &err) < 0 ||
        zf_calendar_store_load(&cal, db, &err) < 0) {
        fprintf(stderr, "setup: %s\n", err.message);
        return -1;
    }
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

static int64_t num(const char *sql)
{
    int64_t n = -1;

    assert_true(zf_db_query_int64(db, &n, sql, NULL, 0, NULL) >= 0);
    return n;
}

static void test_plan_pool_draw_result(void **state)
{
    static const char csv[] = "统一社会信用代码,名称\n91360100MA35ABCDE2,甲店\n92360100MA35XY312N,乙店\n"
                              "12360100MB1234567P,丙店\n91360100MA35ABCDE2,甲店重复\n";
    zf_spot_actor who = {1, "head", NULL, NULL};
    zf_spot_plan_in in = {1, "计划", 0, 500, 2, "2026-01-01", "2026-12-31"};
    zf_spot_pool_parse p = ZF_SPOT_POOL_PARSE_INIT;
    zf_spot_inputs inputs;
    zf_spot_draw d = ZF_SPOT_DRAW_INIT;
    zf_err err = ZF_ERR_INIT;
    uint8_t seed[ZF_SPOT_SEED_LEN] = {1, 2, 3};
    int64_t plan = 0, seed_idx, draw_idx;
    char hash[65], stored[65], sql[200];
    size_t added = 0;

    (void)state;
    assert_int_equal(zf_spot_plan_create(&plan, db, &in, &who, NOW, &err), 0);
    assert_int_equal(zf_spot_pool_parse_csv(&p, csv, sizeof csv - 1, &err), 0);
    assert_int_equal(p.n, 3);
    assert_int_equal(p.n_rejected, 1);
    assert_int_equal(zf_spot_entities_add(&added, db, plan, &p, &who, NOW, &err), 0);
    assert_int_equal(added, 3);
    /* the same rows again: all reported as already in the pool */
    assert_int_equal(zf_spot_entities_add(&added, db, plan, &p, &who, NOW, &err), 0);
    assert_int_equal(added, 0);
    assert_int_equal(p.n_rejected, 4);
    zf_spot_pool_parse_free(&p);

    assert_int_equal(zf_spot_plan_draw(db, plan, seed, &who, NOW, &err), 0);
    /* inspectors: active with a certificate valid on 2026-05-28 only */
    assert_int_equal(num("SELECT COUNT(*) FROM spot_inspectors"), 3);
    assert_int_equal(num("SELECT COUNT(*) FROM spot_selections"), 2); /* ceil(3 × 50 %) */
    seed_idx = num("SELECT seed_ledger_idx FROM spot_plans");
    draw_idx = num("SELECT draw_ledger_idx FROM spot_plans");
    assert_true(seed_idx < draw_idx);
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM ledger_events e JOIN spot_plans p ON e.idx = %lld AND "
             "e.action = 'spotcheck_seed' AND e.content_sha256 = p.commitment",
             (long long)seed_idx);
    assert_int_equal(num(sql), 1);

    /* a redraw from the committed inputs gives the stored selection hash */
    assert_int_equal(zf_spot_inputs_load(&inputs, db, plan, &err), 0);
    assert_int_equal(zf_spot_draw_run(&d, &inputs.in, &err), 0);
    assert_int_equal(zf_spot_selection_hash(hash, &d, &inputs.in, &err), 0);
    {
        zf_stmt *st = NULL;

        assert_int_equal(zf_db_prepare(&st, db, "SELECT selection_hash FROM spot_plans", &err), 0);
        assert_int_equal(zf_stmt_step(st, &err), 1);
        snprintf(stored, sizeof stored, "%s", zf_stmt_text(st, 0));
        zf_stmt_free(st);
    }
    assert_string_equal(hash, stored);
    zf_spot_draw_free(&d);
    zf_spot_inputs_free(&inputs);

    /* once drawn: no second draw, no pool change */
    assert_int_equal(zf_spot_plan_draw(db, plan, seed, &who, NOW, &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "already_drawn");
    assert_int_equal(zf_spot_entity_remove(db, plan, 1, &who, NOW, &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "plan_not_open");

    /* a normal result: a pending publication with a 20-working-day clock */
    {
        zf_spot_result_in r = {"normal", "2026-05-20", "", "", NULL};

        assert_int_equal(zf_spot_result_enter(db, cal, 1, &r, 0, 1, &who, NOW, &err), 0);
        assert_int_equal(num("SELECT COUNT(*) FROM publications WHERE state = 'pending' AND kind = "
                             "'other' AND decision_date = '2026-05-20' AND due_date IS NOT NULL"),
                         1);
        assert_int_equal(num("SELECT COUNT(*) FROM clocks WHERE rule_code = 'publish_spot_check'"), 1);
        /* an officer not drawn for it is refused; a queued result is fixed */
        assert_int_equal(zf_spot_result_enter(db, cal, 2, &r, 99, 0, &who, NOW, &err), ZF_EPERM);
        assert_int_equal(zf_spot_result_enter(db, cal, 1, &r, 0, 1, &who, NOW, &err), ZF_ECONFLICT);
    }
}

static void test_empty_pool_refused(void **state)
{
    zf_spot_actor who = {1, "head", NULL, NULL};
    zf_spot_plan_in in = {1, "空计划", 0, 50, 2, "2026-01-01", "2026-12-31"};
    uint8_t seed[ZF_SPOT_SEED_LEN] = {0};
    zf_err err = ZF_ERR_INIT;
    int64_t plan = 0, before = num("SELECT COUNT(*) FROM ledger_events");

    (void)state;
    assert_int_equal(zf_spot_plan_create(&plan, db, &in, &who, NOW, &err), 0);
    before = num("SELECT COUNT(*) FROM ledger_events");
    assert_int_equal(zf_spot_plan_draw(db, plan, seed, &who, NOW, &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "pool_empty");
    /* nothing was committed: no seed event, the plan still open */
    assert_int_equal(num("SELECT COUNT(*) FROM ledger_events"), before);
    assert_int_equal(num("SELECT COUNT(*) FROM spot_plans WHERE state = 'open'"), 1);
    in.ratio_permille = 0;
    assert_int_equal(zf_spot_plan_create(&plan, db, &in, &who, NOW, &err), ZF_EINVAL);
    assert_string_equal(err.field, "ratio_permille");
}

static void test_conflicts_checked_before_the_seed(void **state)
{
    static const char csv[] = "统一社会信用代码,名称\n91360100MA35ABCDE2,甲店\n";
    zf_spot_actor who = {1, "head", NULL, NULL};
    zf_spot_plan_in in = {1, "回避计划", 0, 1000, 2, "2026-01-01", "2026-12-31"};
    zf_spot_pool_parse p = ZF_SPOT_POOL_PARSE_INIT;
    uint8_t seed[ZF_SPOT_SEED_LEN] = {9};
    zf_err err = ZF_ERR_INIT;
    int64_t plan = 0, before;
    char sql[160];

    (void)state;
    assert_int_equal(zf_spot_plan_create(&plan, db, &in, &who, NOW, &err), 0);
    assert_int_equal(zf_spot_pool_parse_csv(&p, csv, sizeof csv - 1, &err), 0);
    assert_int_equal(zf_spot_entities_add(NULL, db, plan, &p, &who, NOW, &err), 0);
    zf_spot_pool_parse_free(&p);
    /* officers 1 and 2 recuse themselves: only officer 3 is left, k = 2 */
    assert_int_equal(zf_spot_conflict_add(db, plan, 1, "91360100MA35ABCDE2", "亲属", &who, NOW, &err), 0);
    assert_int_equal(zf_spot_conflict_add(db, plan, 2, "91360100MA35ABCDE2", "亲属", &who, NOW, &err), 0);
    assert_int_equal(zf_spot_conflict_add(db, plan, 1, "92360100MA35XY312N", "x", &who, NOW, &err), ZF_EINVAL);
    before = num("SELECT COUNT(*) FROM ledger_events");
    assert_int_equal(zf_spot_plan_draw(db, plan, seed, &who, NOW, &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "not_enough_inspectors");
    assert_int_equal(num("SELECT COUNT(*) FROM ledger_events"), before);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM spot_plans WHERE id = %lld AND state = 'open'",
             (long long)plan);
    assert_int_equal(num(sql), 1);
    /* removing the entity removes its conflicts too */
    assert_int_equal(zf_spot_entity_remove(db, plan, num("SELECT MAX(id) FROM spot_entities"), &who, NOW, &err), 0);
    assert_int_equal(num("SELECT COUNT(*) FROM spot_conflicts WHERE officer_id = 2"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_pool_draw_result),
        cmocka_unit_test(test_empty_pool_refused),
        cmocka_unit_test(test_conflicts_checked_before_the_seed),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
