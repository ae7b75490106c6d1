/* test_demo.c — the demo city (cmd/demo.h) and the law importer it uses
 * (cmd/import.h), against a real SQLite file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

#include "auth/password.h"
#include "cmd/demo.h"
#include "cmd/import.h"
#include "store/db.h"
#include "testdb.h" /* issue 9: PostgreSQL under make test-pg */

/* 2026-11-28 00:00:00 UTC */
#define NOW ((int64_t)1795824000)

typedef struct {
    char dir[64];
    char path[128];
    zf_db *db;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    zf_err err = ZF_ERR_INIT;

    snprintf(f->dir, sizeof f->dir, "/tmp/zf_test_demo_XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/zhifa.db", f->dir);
    if (zf_db_open(&f->db, zf_test_db_location(f->path), &err) < 0 || zf_db_migrate(f->db, &err) < 0) {
        fprintf(stderr, "setup: %s\n", err.message);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char p[160];

    zf_db_close(f->db);
    unlink(f->path);
    snprintf(p, sizeof p, "%s-wal", f->path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", f->path);
    unlink(p);
    rmdir(f->dir);
    free(f);
    return 0;
}

static int64_t count(zf_db *db, const char *sql)
{
    int64_t n = -1;
    zf_err err = ZF_ERR_INIT;

    if (zf_db_query_int64(db, &n, sql, &err, 0, NULL) != 1)
        fail_msg("%s: %s", sql, err.message);
    return n;
}

static void create_demo(zf_db *db)
{
    zf_err err = ZF_ERR_INIT;

    if (zf_demo_create(db, NOW, &err) != 0)
        fail_msg("zf_demo_create: %s", err.message);
}

static void test_demo_counts(void **state)
{
    fixture *f = *state;
    zf_db *db = f->db;

    create_demo(db);
    assert_true(count(db, "SELECT count(*) FROM departments") >= 8);
    assert_int_equal(count(db, "SELECT count(*) FROM departments WHERE kind = 'supervision'"), 1);
    assert_true(count(db, "SELECT count(*) FROM officers") >= 80);
    /* Every department has units and matters; enforcement departments have
     * at least 10 matters, and every department has officers. */
    assert_int_equal(count(db, "SELECT count(*) FROM departments d WHERE NOT EXISTS "
                               "(SELECT 1 FROM units u WHERE u.department_id = d.id)"),
                     0);
    assert_int_equal(count(db, "SELECT count(*) FROM departments d WHERE "
                               "(SELECT count(*) FROM units u WHERE u.department_id = d.id) < 3"),
                     0);
    assert_int_equal(count(db, "SELECT count(*) FROM departments d WHERE "
                               "(SELECT count(*) FROM matters m WHERE m.department_id = d.id) < 10"),
                     0);
    assert_int_equal(count(db, "SELECT count(*) FROM departments d WHERE NOT EXISTS "
                               "(SELECT 1 FROM officers o WHERE o.department_id = d.id)"),
                     0);
    /* All six power types appear. */
    assert_int_equal(count(db, "SELECT count(DISTINCT power_type) FROM matters"), 6);
    /* Every officer's unit belongs to the officer's department. */
    assert_int_equal(count(db, "SELECT count(*) FROM officers o JOIN units u ON u.id = o.unit_id "
                               "WHERE u.department_id <> o.department_id"),
                     0);
}

static void test_demo_legal_bases(void **state)
{
    fixture *f = *state;
    zf_db *db = f->db;

    create_demo(db);
    assert_true(count(db, "SELECT count(*) FROM laws") >= 20);
    assert_true(count(db, "SELECT count(*) FROM law_articles") >= 60);
    /* Every matter cites at least one article, and every cited article exists. */
    assert_int_equal(count(db, "SELECT count(*) FROM matters m WHERE NOT EXISTS "
                               "(SELECT 1 FROM matter_basis b WHERE b.matter_id = m.id)"),
                     0);
    assert_int_equal(count(db, "SELECT count(*) FROM matter_basis b WHERE NOT EXISTS "
                               "(SELECT 1 FROM law_articles a WHERE a.law_id = b.law_id "
                               "AND a.no = b.article_no)"),
                     0);
    assert_int_equal(count(db, "SELECT count(*) FROM matters WHERE legal_basis NOT LIKE '《%'"), 0);
    /* A known fact: 行政处罚法 第十八条 is about 综合行政执法. */
    assert_int_equal(count(db, "SELECT count(*) FROM law_articles a JOIN laws l ON l.id = a.law_id "
                               "WHERE l.title = '中华人民共和国行政处罚法' AND a.no = 18 "
                               "AND a.label = '第十八条' AND a.text LIKE '%综合行政执法制度%'"),
                     1);
    assert_int_equal(count(db, "SELECT count(*) FROM laws WHERE title = '中华人民共和国行政处罚法' "
                               "AND category = '行政法' AND effective_date = '2021-01-22'"),
                     1);
    /* Benchmarks exist, only on penalty matters, with ordered ranges. */
    assert_true(count(db, "SELECT count(*) FROM benchmarks") >= 9);
    assert_int_equal(count(db, "SELECT count(*) FROM benchmarks b JOIN matters m ON m.id = "
                               "b.matter_id WHERE m.power_type <> 'penalty'"),
                     0);
    assert_int_equal(count(db, "SELECT count(*) FROM benchmarks WHERE min_fine > max_fine"), 0);
}

static void test_demo_officers(void **state)
{
    fixture *f = *state;
    zf_db *db = f->db;

    create_demo(db);
    assert_int_equal(count(db, "SELECT count(*) - count(DISTINCT certificate_no) FROM officers"), 0);
    assert_int_equal(count(db, "SELECT count(*) FROM officers WHERE certificate_no NOT LIKE '赣3601%' "
                               "OR length(certificate_no) <> 13"),
                     0);
    /* Some expired (relative to NOW = 2026-11-28), a couple suspended. */
    assert_true(count(db, "SELECT count(*) FROM officers WHERE certificate_valid_to < '2026-11-28'") >= 3);
    assert_int_equal(count(db, "SELECT count(*) FROM officers WHERE status = 'suspended'"), 2);
    assert_int_equal(count(db, "SELECT count(*) FROM officers WHERE certificate_valid_from >= "
                               "certificate_valid_to"),
                     0);
    /* At least 5% legally qualified in every department. */
    assert_int_equal(count(db, "SELECT count(*) FROM departments d WHERE "
                               "(SELECT 20 * sum(legal_qualified) FROM officers o "
                               "WHERE o.department_id = d.id) < "
                               "(SELECT count(*) FROM officers o WHERE o.department_id = d.id)"),
                     0);
    assert_int_equal(count(db, "SELECT count(*) FROM officers WHERE categories NOT LIKE '[\"%\"]'"), 0);
    assert_int_equal(count(db, "SELECT count(*) FROM officers WHERE gender NOT IN ('男', '女')"), 0);
}

static void test_demo_users(void **state)
{
    static const struct {
        const char *username, *role, *dept;
        int linked;
    } want[] = {
        {"admin", "admin", "市司法局", 0},
        {"officer1", "officer", "市市场监督管理局", 1},
        {"officer2", "officer", "市市场监督管理局", 1},
        {"reviewer1", "reviewer", "市市场监督管理局", 1},
        {"head1", "head", "市市场监督管理局", 0},
        {"publicity1", "publicity", "市市场监督管理局", 0},
        {"supervisor1", "supervisor", "市司法局", 0},
        {"auditor1", "auditor", "市司法局", 0},
    };
    fixture *f = *state;
    zf_db *db = f->db;
    zf_err err = ZF_ERR_INIT;
    size_t i;

    create_demo(db);
    assert_int_equal(count(db, "SELECT count(*) FROM users"), 8);
    for (i = 0; i < sizeof want / sizeof want[0]; i++) {
        zf_stmt *st = NULL;

        assert_int_equal(zf_db_prepare(&st, db,
                                       "SELECT u.role, d.name, u.password_hash, u.officer_id, "
                                       "o.department_id = u.department_id, o.status "
                                       "FROM users u JOIN departments d ON d.id = u.department_id "
                                       "LEFT JOIN officers o ON o.id = u.officer_id "
                                       "WHERE u.username = $1",
                                       &err),
                         0);
        zf_stmt_bind_text(st, 1, want[i].username, -1);
        assert_int_equal(zf_stmt_step(st, &err), 1);
        assert_string_equal(zf_stmt_text(st, 0), want[i].role);
        assert_string_equal(zf_stmt_text(st, 1), want[i].dept);
        assert_int_equal(zf_password_verify(zf_stmt_text(st, 2), DEMO_PASSWORD), 1);
        if (i == 0)
            assert_int_equal(zf_password_verify(zf_stmt_text(st, 2), "wrong-password-2026"), 0);
        assert_int_equal(!zf_stmt_is_null(st, 3), want[i].linked);
        if (want[i].linked) {
            assert_int_equal(zf_stmt_int64(st, 4), 1);
            assert_string_equal(zf_stmt_text(st, 5), "active");
        }
        zf_stmt_free(st);
    }
    /* The reviewer's officer record is legally qualified. */
    assert_int_equal(count(db, "SELECT o.legal_qualified FROM users u JOIN officers o "
                               "ON o.id = u.officer_id WHERE u.username = 'reviewer1'"),
                     1);
    assert_int_equal(count(db, "SELECT count(*) FROM settings WHERE key = 'demo_mode' AND value = '1'"),
                     1);
}

static void test_demo_refuses_non_empty(void **state)
{
    fixture *f = *state;
    zf_db *db = f->db;
    zf_err err = ZF_ERR_INIT;
    int64_t before;

    create_demo(db);
    before = count(db, "SELECT count(*) FROM officers");
    assert_int_equal(zf_demo_create(db, NOW, &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "conflict");
    assert_true(strlen(err.message) > 0);
    assert_int_equal(count(db, "SELECT count(*) FROM officers"), before);
    assert_int_equal(count(db, "SELECT count(*) FROM users"), 8);
}

static void test_demo_refuses_when_laws_present(void **state)
{
    fixture *f = *state;
    zf_db *db = f->db;
    zf_err err = ZF_ERR_INIT;
    static const char law[] = "# 某某办法\n\n第一条 内容。\n";
    int changed = -1;

    assert_int_equal(zf_db_begin(db, &err), 0);
    assert_int_equal(zf_import_law_text(db, law, strlen(law), "x/a.md", NOW, &changed, &err), 0);
    assert_int_equal(zf_db_commit(db, &err), 0);
    assert_int_equal(zf_demo_create(db, NOW, &err), ZF_ECONFLICT);
    assert_int_equal(count(db, "SELECT count(*) FROM departments"), 0);
}

/* ---- the importer -------------------------------------------------------- */

static int import_text(zf_db *db, const char *text, const char *source, int *changed)
{
    zf_err err = ZF_ERR_INIT;
    int rc;

    assert_int_equal(zf_db_begin(db, &err), 0);
    rc = zf_import_law_text(db, text, strlen(text), source, NOW, changed, &err);
    if (rc == 0)
        assert_int_equal(zf_db_commit(db, &err), 0);
    else
        zf_db_rollback(db);
    return rc;
}

static void test_import_idempotent_and_versions(void **state)
{
    static const char v1[] = "# 中华人民共和国示例法\n\n2016年11月7日 修正\n\n<!-- INFO END -->\n\n"
                             "## 第一章 总则\n\n第一条 旧的第一条。\n\n第二条 旧的第二条。\n\n"
                             "第三条 旧的第三条。\n";
    static const char v2[] = "# 中华人民共和国示例法\n\n2022年6月24日 修订\n\n<!-- INFO END -->\n\n"
                             "第一条 新的第一条。\n\n第十条之一 插入的条文。\n";
    fixture *f = *state;
    zf_db *db = f->db;
    int changed = -1;
    int64_t id;

    assert_int_equal(import_text(db, v1, "行政法/示例法(2016-11-07).md", &changed), 0);
    assert_int_equal(changed, ZF_IMPORT_CHANGED);
    id = count(db, "SELECT id FROM laws");
    assert_int_equal(count(db, "SELECT count(*) FROM law_articles"), 3);
    assert_int_equal(count(db, "SELECT count(*) FROM laws WHERE category = '行政法' AND "
                               "effective_date = '2016-11-07' AND length(content_sha256) = 64"),
                     1);
    /* Same bytes again: nothing changes. */
    assert_int_equal(import_text(db, v1, "行政法/示例法(2016-11-07).md", &changed), 0);
    assert_int_equal(changed, ZF_IMPORT_UNCHANGED);
    assert_int_equal(count(db, "SELECT count(*) FROM law_articles"), 3);
    /* A newer version replaces the articles and keeps the law's id. */
    assert_int_equal(import_text(db, v2, "行政法/示例法(2022-06-24).md", &changed), 0);
    assert_int_equal(changed, ZF_IMPORT_CHANGED);
    assert_int_equal(count(db, "SELECT count(*) FROM laws"), 1);
    assert_int_equal(count(db, "SELECT id FROM laws"), id);
    assert_int_equal(count(db, "SELECT count(*) FROM law_articles"), 2);
    assert_int_equal(count(db, "SELECT count(*) FROM law_articles WHERE no = 10001 AND "
                               "label = '第十条之一'"),
                     1);
    /* The older one now meets a newer stored text and is left alone. */
    assert_int_equal(import_text(db, v1, "行政法/示例法(2016-11-07).md", &changed), 0);
    assert_int_equal(changed, ZF_IMPORT_OLDER);
    assert_int_equal(count(db, "SELECT count(*) FROM law_articles"), 2);
}

static void test_import_rejects_bad_text(void **state)
{
    fixture *f = *state;
    zf_db *db = f->db;
    int changed = -1;

    assert_int_equal(import_text(db, "# 通知\n\n没有条文。\n", "a.md", &changed), ZF_EINVAL);
    assert_int_equal(import_text(db, "# t\n\n第一条 \xff\n", "a.md", &changed), ZF_EINVAL);
    assert_int_equal(count(db, "SELECT count(*) FROM laws"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_demo_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_demo_legal_bases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_demo_officers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_demo_users, setup, teardown),
        cmocka_unit_test_setup_teardown(test_demo_refuses_non_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_demo_refuses_when_laws_present, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_idempotent_and_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_rejects_bad_text, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
