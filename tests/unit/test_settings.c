/* test_settings.c — the settings snapshot and the password policy it sets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <unistd.h>

#include "store/settings.h"
#include "testdb.h" /* issue 9: PostgreSQL under make test-pg */

static void test_policy_from_settings(void **state)
{
    char path[256];
    zf_db *db = NULL;
    zf_settings *s = NULL;
    zf_err err = ZF_ERR_INIT;
    zf_password_policy p;

    (void)state;
    snprintf(path, sizeof path, "/tmp/zf-test-settings-%d.db", (int)getpid());
    unlink(path);
    assert_int_equal(zf_db_open(&db, zf_test_db_location(path), &err), 0);
    assert_int_equal(zf_db_migrate(db, &err), 0);

    /* empty table: the defaults */
    assert_int_equal(zf_settings_load(&s, db, &err), 0);
    zf_settings_password_policy(s, &p);
    assert_int_equal(p.min_length, 12);
    assert_int_equal(p.require_classes, 0);
    assert_int_equal(p.max_age_days, 0);
    assert_false(zf_settings_demo_mode(s));
    assert_string_equal(zf_settings_get(s, "nope", "def"), "def");
    zf_settings_free(s);

    /* an assessment's stricter policy */
    assert_int_equal(zf_db_exec(db, "INSERT INTO settings VALUES ('password_min_length', '16'), "
                                    "('password_require_classes', '3'), ('password_max_age_days', '90'), "
                                    "('demo_mode', '1')", &err), 0);
    assert_int_equal(zf_settings_load(&s, db, &err), 0);
    zf_settings_password_policy(s, &p);
    assert_int_equal(p.min_length, 16);
    assert_int_equal(p.require_classes, 3);
    assert_int_equal(p.max_age_days, 90);
    assert_true(zf_settings_demo_mode(s));
    assert_int_equal(zf_password_check_policy(&p, "lanternharbour2026", "x", &err), ZF_EINVAL); /* 2 classes */
    assert_int_equal(zf_password_check_policy(&p, "Quiet-Harbour-Lantern-7", "x", &err), 0);
    zf_settings_free(s);

    /* malformed or weaker values never lower the default */
    assert_int_equal(zf_db_exec(db, "UPDATE settings SET value = '4' WHERE key = 'password_min_length'; "
                                    "UPDATE settings SET value = 'x' WHERE key = 'password_max_age_days'", &err), 0);
    assert_int_equal(zf_settings_load(&s, db, &err), 0);
    zf_settings_password_policy(s, &p);
    assert_int_equal(p.min_length, 12);
    assert_int_equal(p.max_age_days, 0);
    zf_settings_free(s);
    zf_settings_free(NULL);
    zf_db_close(db);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_from_settings),
    };
    return cmocka_run_group_tests_name("settings", tests, NULL, NULL);
}
