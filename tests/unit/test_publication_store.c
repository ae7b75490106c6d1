/* test_publication_store.c — 事后公开 (store/publication_store.h) over a
 * temporary SQLite file: outcome → kind, month arithmetic of the period,
 * masking with findings (an ID number in 违法事实, a natural person's name,
 * a credit code left as is), imported records published and indexed,
 * expiry by the tick, 信用修复 only after the minimum, withdrawal with a
 * required reason and its clock, and the state checks. */
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
#include "store/publication_store.h"
#include "testdb.h" /* issue 9: PostgreSQL under make test-pg */

#define PERSON_ID "360102198501011231" /* valid MOD 11-2 check */
#define NOW ((int64_t)1780000000) /* 2026-05-28 */

static zf_db *db;
static zf_calendar *cal;
static char dbpath[64];
static int64_t dept;

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
    snprintf(dbpath, sizeof dbpath, "/tmp/zf-test-pub-%d.db", (int)getpid());
    remove_files();
    if (zf_db_open(&db, zf_test_db_location(dbpath), &err) < 0 || zf_db_migrate(db, &err) < 0 ||
        zf_db_exec(db, "INSERT INTO departments (code, name, created_at, updated_at) VALUES "
                       "('D1', '市市场监督管理局', 0, 0)", &err) < 0 ||
        zf_calendar_store_load(&cal, db, &err) < 0) {
        fprintf(stderr, "setup: %s\n", err.message);
        return -1;
    }
    dept = 1;
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

static int64_t count(const char *sql)
{
    int64_t n = -1;

    assert_true(zf_db_query_int64(db, &n, sql, NULL, 0, NULL) >= 0);
    return n;
}

static void test_kinds_and_months(void **state)
{
    zf_date d;
    char s[ZF_DATE_STRLEN];

    (void)state;
    assert_string_equal(zf_publication_kind_of("penalty"), "penalty");
    assert_string_equal(zf_publication_kind_of("granted"), "licensing");
    assert_string_equal(zf_publication_kind_of("denied"), "licensing");
    assert_string_equal(zf_publication_kind_of("no_penalty"), "other");
    assert_null(zf_publication_kind_of("not_filed"));
    assert_null(zf_publication_kind_of("revoked")); /* withdraws, publishes nothing */
    assert_null(zf_publication_kind_of(NULL));
    assert_string_equal(zf_publication_kind_name("licensing"), "行政许可");
    assert_int_equal(zf_date_from_ymd(&d, 2026, 1, 31, NULL), 0);
    assert_string_equal(zf_date_format(s, zf_publication_add_months(d, 1)), "2026-02-28");
    assert_string_equal(zf_date_format(s, zf_publication_add_months(d, 36)), "2029-01-31");
    assert_int_equal(zf_date_from_ymd(&d, 2027, 11, 30, NULL), 0);
    assert_string_equal(zf_date_format(s, zf_publication_add_months(d, 3)), "2028-02-29");
}

static void test_mask(void **state)
{
    json_t *c = json_object(), *m = NULL, *f = NULL;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    json_object_set_new(c, "行政相对人名称", json_string("张三丰"));
    json_object_set_new(c, "统一社会信用代码", json_string("91360100MA3AB12C3X"));
    json_object_set_new(c, "违法事实", json_string("当事人张三丰（身份证 " PERSON_ID "）无照经营。"));
    assert_int_equal(zf_publication_mask(&m, &f, c, 1, &err), 0);
    assert_null(strstr(json_string_value(json_object_get(m, "违法事实")), PERSON_ID));
    assert_non_null(strstr(json_string_value(json_object_get(m, "违法事实")), "无照经营"));
    assert_string_not_equal(json_string_value(json_object_get(m, "行政相对人名称")), "张三丰");
    assert_true(strncmp(json_string_value(json_object_get(m, "行政相对人名称")), "张", 3) == 0);
    /* the party's known name is masked in free text too */
    assert_null(strstr(json_string_value(json_object_get(m, "违法事实")), "张三丰"));
    assert_non_null(strstr(json_string_value(json_object_get(m, "违法事实")), "当事人张"));
    assert_true(json_array_size(f) >= 3);
    json_decref(m);
    json_decref(f);
    /* an organisation's name is public */
    assert_int_equal(zf_publication_mask(&m, &f, c, 0, &err), 0);
    assert_string_equal(json_string_value(json_object_get(m, "行政相对人名称")), "张三丰");
    json_decref(m);
    json_decref(f);
    json_decref(c);
}

static int64_t imported(const char *fact)
{
    json_t *c = json_object();
    zf_err err = ZF_ERR_INIT;
    int64_t id = 0;

    json_object_set_new(c, "行政相对人名称", json_string("某某公司"));
    json_object_set_new(c, "违法事实", json_string(fact));
    assert_int_equal(zf_publication_insert_published(&id, db, dept, "penalty", "行政处罚决定：某某公司",
                                                     c, 0, "2026-05-20", "2029-05-20", NULL, NOW,
                                                     &err),
                     0);
    json_decref(c);
    assert_true(id > 0);
    return id;
}

static void test_import_expire_repair_withdraw(void **state)
{
    zf_err err = ZF_ERR_INIT;
    zf_pub_actor who = {0, "tester", NULL, NULL};
    int64_t a, b, c2;
    int n = -1;
    char sql[160];

    (void)state;
    a = imported("销售过期食品");
    b = imported("虚假宣传");
    c2 = imported("无证经营");
    assert_int_equal(count("SELECT COUNT(*) FROM search_docs WHERE kind = 'decision'"), 3);
    /* already published: nothing to confirm */
    assert_int_equal(zf_publication_publish(db, cal, a, 3, 36, &who, NOW, &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "not_pending");
    /* the period ends by itself */
    assert_int_equal(zf_db_exec(db, "UPDATE publications SET max_end = '2026-05-27' WHERE id = 1", &err), 0);
    assert_int_equal(zf_publication_expire(&n, db, NOW, &err), 0);
    assert_int_equal(n, 1);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM publications WHERE id = %lld AND state = 'expired'",
             (long long)a);
    assert_int_equal(count(sql), 1);
    assert_int_equal(count("SELECT COUNT(*) FROM search_docs WHERE kind = 'decision'"), 2);
    /* 信用修复: needs a reason and the minimum period over */
    assert_int_equal(zf_publication_repair(db, b, "", &who, NOW, &err), ZF_EINVAL);
    assert_int_equal(zf_db_exec(db, "UPDATE publications SET min_end = '2026-06-30' WHERE id = 2", &err), 0);
    assert_int_equal(zf_publication_repair(db, b, "已履行", &who, NOW, &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "minimum_period_not_over");
    assert_int_equal(zf_db_exec(db, "UPDATE publications SET min_end = '2026-05-28' WHERE id = 2", &err), 0);
    assert_int_equal(zf_publication_repair(db, b, "已履行", &who, NOW, &err), 0);
    /* withdrawal: a reason, a clock done today, gone from search */
    assert_int_equal(zf_publication_withdraw(db, cal, c2, NULL, &who, NOW, &err), ZF_EINVAL);
    assert_string_equal(err.field, "reason");
    assert_int_equal(zf_publication_withdraw(db, cal, c2, "决定已被撤销", &who, NOW, &err), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM publications WHERE id = 3 AND state = 'withdrawn' AND "
                           "withdraw_reason = '决定已被撤销' AND withdraw_clock_id IS NOT NULL"),
                     1);
    assert_int_equal(count("SELECT COUNT(*) FROM clocks WHERE object_type = 'publication' AND "
                           "rule_code = 'withdraw_publication' AND done_date IS NOT NULL"),
                     1);
    assert_int_equal(count("SELECT COUNT(*) FROM search_docs WHERE kind = 'decision'"), 0);
    assert_int_equal(zf_publication_withdraw(db, cal, c2, "again", &who, NOW, &err), ZF_ECONFLICT);
    assert_int_equal(zf_publication_withdraw(db, cal, 999, "x", &who, NOW, &err), ZF_ENOTFOUND);
    /* every change is in the audit trail */
    assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE object_type = 'publication'"), 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds_and_months),
        cmocka_unit_test(test_mask),
        cmocka_unit_test(test_import_expire_repair_withdraw),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
