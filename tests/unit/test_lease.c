/* test_lease.c — the leader lease row (store/lease_store.h): one holder at a
 * time, renewal, takeover only after expiry, release. Two connections stand
 * for two servers. SQLite file, or PostgreSQL under make test-pg. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store/lease_store.h"
#include "testdb.h" /* issue 9: PostgreSQL under make test-pg */

static void test_one_holder_and_takeover(void **state)
{
    char path[256], holder[64];
    const char *loc;
    zf_db *a = NULL, *b = NULL;
    zf_err err = ZF_ERR_INIT;
    int held = -1;
    int64_t exp = 0;

    (void)state;
    snprintf(path, sizeof path, "/tmp/zf-test-lease-%d.db", (int)getpid());
    unlink(path);
    loc = zf_test_db_location(path);
    assert_int_equal(zf_db_open(&a, loc, &err), 0);
    assert_int_equal(zf_db_migrate(a, &err), 0);
    assert_int_equal(zf_db_open(&b, loc, &err), 0);

    /* nobody holds it: A takes it until 1000 + 10 */
    assert_int_equal(zf_lease_get(holder, sizeof holder, &exp, a, "ticks", &err), 0);
    assert_string_equal(holder, "");
    assert_int_equal(zf_lease_take(&held, &exp, a, "ticks", "A", 1000, 10, &err), 0);
    assert_int_equal(held, 1);
    assert_int_equal(exp, 1010);
    /* B cannot while it runs, and learns when it ends */
    assert_int_equal(zf_lease_take(&held, &exp, b, "ticks", "B", 1005, 10, &err), 0);
    assert_int_equal(held, 0);
    assert_int_equal(exp, 1010);
    assert_int_equal(zf_lease_take(&held, &exp, b, "ticks", "B", 1010, 10, &err), 0);
    assert_int_equal(held, 0); /* the last second still A's */
    /* A renews */
    assert_int_equal(zf_lease_take(&held, &exp, a, "ticks", "A", 1008, 10, &err), 0);
    assert_int_equal(held, 1);
    assert_int_equal(exp, 1018);
    /* A stops renewing (dies): B takes over once it has run out */
    assert_int_equal(zf_lease_take(&held, &exp, b, "ticks", "B", 1017, 10, &err), 0);
    assert_int_equal(held, 0);
    assert_int_equal(zf_lease_take(&held, &exp, b, "ticks", "B", 1019, 10, &err), 0);
    assert_int_equal(held, 1);
    assert_int_equal(exp, 1029);
    /* A, come back, is a follower now */
    assert_int_equal(zf_lease_take(&held, &exp, a, "ticks", "A", 1020, 10, &err), 0);
    assert_int_equal(held, 0);
    assert_int_equal(exp, 1029);
    assert_int_equal(zf_lease_get(holder, sizeof holder, &exp, a, "ticks", &err), 1);
    assert_string_equal(holder, "B");
    /* other names are other leases */
    assert_int_equal(zf_lease_take(&held, &exp, a, "other", "A", 1020, 10, &err), 0);
    assert_int_equal(held, 1);
    /* only the holder can release; then anyone may take it at once */
    assert_int_equal(zf_lease_release(a, "ticks", "A", &err), 0);
    assert_int_equal(zf_lease_get(holder, sizeof holder, &exp, a, "ticks", &err), 1);
    assert_string_equal(holder, "B");
    assert_int_equal(zf_lease_release(b, "ticks", "B", &err), 0);
    assert_int_equal(zf_lease_take(&held, &exp, a, "ticks", "A", 1021, 10, &err), 0);
    assert_int_equal(held, 1);
    /* inside another transaction it refuses rather than nest */
    assert_int_equal(zf_db_begin(b, &err), 0);
    assert_true(zf_lease_take(&held, &exp, b, "ticks", "B", 1040, 10, &err) < 0);
    assert_int_equal(held, 0);
    zf_db_rollback(b);

    zf_db_close(a);
    zf_db_close(b);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_holder_and_takeover),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
