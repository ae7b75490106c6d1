/* test_calendar_store.c — the stored calendar over a temporary SQLite file:
 * importing a year, idempotent re-import, a new version moving the open
 * clocks it touches (and only those) with a change record, the parsers of
 * the import formats, deadline rules, stored clocks and the calendar cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/calendar.h"
#include "core/deadline.h"
#include "store/calendar_store.h"
#include "store/db.h"
#include "testdb.h" /* issue 9: PostgreSQL under make test-pg */

/* 2027-01-11 12:00 in China */
#define NOW ((int64_t)1799640000)

static char dbpath[256];
static zf_db *db;
static int64_t dept_a, dept_b;
static const zf_cal_actor ACTOR = {0, "tester", "127.0.0.1", "req-1"};

static void remove_files(void)
{
    char p[300];

    unlink(dbpath);
    snprintf(p, sizeof p, "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbpath);
    unlink(p);
}

static int64_t add_dept(const char *code)
{
    zf_stmt *st = NULL;
    int64_t id;

    assert_int_equal(zf_db_prepare(&st, db,
                                   "INSERT INTO departments (code, name, created_at, updated_at) "
                                   "VALUES ($1, $1, 0, 0) RETURNING id",
                                   NULL),
                     0);
    zf_stmt_bind_text(st, 1, code, -1);
    assert_int_equal(zf_stmt_step(st, NULL), 1);
    id = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    return id;
}

static int setup(void **state)
{
    zf_err err = ZF_ERR_INIT;

    (void)state;
    snprintf(dbpath, sizeof dbpath, "/tmp/zf-test-calstore-%d.db", (int)getpid());
    remove_files();
    if (zf_db_open(&db, zf_test_db_location(dbpath), &err) < 0 || zf_db_migrate(db, &err) < 0) {
        fprintf(stderr, "setup: %s\n", err.message);
        return -1;
    }
    dept_a = add_dept("A");
    dept_b = add_dept("B");
    zf_calendar_cache_clear();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    zf_calendar_cache_clear();
    zf_db_close(db);
    db = NULL;
    remove_files();
    return 0;
}

static zf_date P(const char *s)
{
    zf_date d = 0;

    if (zf_date_parse(&d, s, strlen(s), NULL, NULL) != 0)
        fail_msg("bad test date %s", s);
    return d;
}

static int64_t count(const char *sql)
{
    int64_t n = -1;

    assert_int_equal(zf_db_query_int64(db, &n, sql, NULL, 0, NULL), 1);
    return n;
}

static const char *text1(const char *sql, char *out, size_t cap)
{
    zf_stmt *st = NULL;

    assert_int_equal(zf_db_prepare(&st, db, sql, NULL), 0);
    assert_int_equal(zf_stmt_step(st, NULL), 1);
    snprintf(out, cap, "%s", zf_stmt_text(st, 0));
    zf_stmt_free(st);
    return out;
}

/* A fake 2027 schedule: 元旦 1–3 January; v2 adds 13 January as a day off. */
static const char Y2027_V1[] =
    "{\"year\":2027,\"papers\":[\"https://example.org/2027\"],\"days\":["
    "{\"name\":\"元旦\",\"date\":\"2027-01-01\",\"isOffDay\":true},"
    "{\"name\":\"元旦\",\"date\":\"2027-01-02\",\"isOffDay\":true},"
    "{\"name\":\"元旦\",\"date\":\"2027-01-03\",\"isOffDay\":true}]}";
static const char Y2027_V2[] =
    "{\"year\":2027,\"papers\":[\"https://example.org/2027\"],\"days\":["
    "{\"name\":\"元旦\",\"date\":\"2027-01-01\",\"isOffDay\":true},"
    "{\"name\":\"元旦\",\"date\":\"2027-01-02\",\"isOffDay\":true},"
    "{\"name\":\"元旦\",\"date\":\"2027-01-03\",\"isOffDay\":true},"
    "{\"name\":\"测试假日\",\"date\":\"2027-01-13\",\"isOffDay\":true}]}";

static void import_text(zf_cal_import_result *res, const char *text)
{
    zf_cal_schedule *s = NULL;
    zf_err err = ZF_ERR_INIT;

    if (zf_calendar_parse_import(&s, text, strlen(text), &err) != 0)
        fail_msg("parse: %s", err.message);
    if (zf_calendar_store_import(res, db, s, &ACTOR, NOW, &err) != 0)
        fail_msg("import: %s", err.message);
    zf_cal_schedule_free(s);
}

static zf_calendar *load(void)
{
    zf_calendar *cal = NULL;
    zf_err err = ZF_ERR_INIT;

    if (zf_calendar_store_load(&cal, db, &err) != 0)
        fail_msg("load: %s", err.message);
    return cal;
}

static void test_import_new_year(void **state)
{
    zf_cal_import_result res;
    zf_cal_year_info *info = NULL;
    zf_calendar *cal;
    size_t n = 0, i;
    char buf[64];

    (void)state;
    cal = load();
    assert_false(zf_calendar_has_year(cal, 2027));
    assert_true(zf_calendar_is_workday(cal, P("2027-01-01"))); /* a Friday, no schedule yet */
    zf_calendar_free(cal);

    import_text(&res, Y2027_V1);
    assert_true(res.changed);
    assert_string_equal(res.old_version, "");
    assert_string_equal(res.new_version, "2027.1");
    assert_int_equal(res.days_added, 3);
    assert_true(res.workdays_changed);
    assert_int_equal(res.first, P("2027-01-01"));
    assert_int_equal(res.last, P("2027-01-01")); /* 2 and 3 January are a weekend anyway */
    assert_true(res.change_id > 0);

    cal = load();
    assert_true(zf_calendar_has_year(cal, 2027));
    assert_false(zf_calendar_is_workday(cal, P("2027-01-01")));
    assert_string_equal(zf_calendar_day_name(cal, P("2027-01-01")), "元旦");
    /* the shipped years are still there */
    assert_false(zf_calendar_is_workday(cal, P("2025-01-28")));
    zf_calendar_free(cal);

    assert_int_equal(count("SELECT COUNT(*) FROM calendar_days WHERE year = 2027"), 3);
    assert_string_equal(text1("SELECT loaded_by FROM calendar_years WHERE year = 2027", buf, sizeof buf),
                        "tester");
    assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'calendar_import' "
                           "AND object_id = '2027' AND ip = '127.0.0.1'"),
                     1);

    assert_int_equal(zf_calendar_store_years(&info, &n, db, NULL), 0);
    assert_int_equal(n, 9); /* 2019–2026 shipped + 2027 */
    for (i = 0; i < n && info[i].year != 2027; i++)
        ;
    assert_true(i < n);
    assert_true(info[i].imported);
    assert_string_equal(info[i].version, "2027.1");
    assert_non_null(strstr(info[i].sources_json, "https://example.org/2027"));
    assert_false(info[0].imported);
    assert_int_equal(info[0].year, 2019);
    free(info);
}

static void test_reimport_is_idempotent(void **state)
{
    zf_cal_import_result res;
    int64_t changes, audits, days;

    (void)state;
    import_text(&res, Y2027_V1);
    changes = count("SELECT COUNT(*) FROM calendar_changes");
    audits = count("SELECT COUNT(*) FROM audit_log");
    days = count("SELECT COUNT(*) FROM calendar_days");

    import_text(&res, Y2027_V1);
    assert_false(res.changed);
    assert_string_equal(res.old_version, "2027.1");
    assert_string_equal(res.new_version, "2027.1");
    assert_int_equal(res.change_id, 0);
    assert_int_equal(count("SELECT COUNT(*) FROM calendar_changes"), changes);
    assert_int_equal(count("SELECT COUNT(*) FROM audit_log"), audits);
    assert_int_equal(count("SELECT COUNT(*) FROM calendar_days"), days);

    /* the same days as TSV with the same (default) source are the same content:
     * only the papers differ, which is a new version without workday change */
    {
        static const char tsv[] = "date\tkind\tname\n2027-01-01\toff\t元旦\n2027-01-02\toff\t元旦\n"
                                  "2027-01-03\toff\t元旦\n";
        import_text(&res, tsv);
        assert_true(res.changed);
        assert_string_equal(res.new_version, "2027.2");
        assert_false(res.workdays_changed);
        assert_int_equal(res.days_added + res.days_removed + res.days_modified, 0);
        import_text(&res, tsv);
        assert_false(res.changed);
    }
}

static void test_new_version_moves_open_clocks(void **state)
{
    zf_cal_import_result res;
    zf_calendar *cal;
    zf_clock_row row;
    int64_t open_id, done_id, far_id, paused_id;
    char buf[64];

    (void)state;
    import_text(&res, Y2027_V1);
    cal = load();
    /* 7 working days after Monday 11 January 2027: 12 13 14 15 18 19 20 */
    assert_int_equal(zf_clock_store_start(&open_id, db, cal, "publish_penalty", "decision", 1, dept_a,
                                          P("2027-01-11"), NOW, NULL),
                     0);
    assert_int_equal(zf_clock_store_start(&done_id, db, cal, "publish_penalty", "decision", 2, dept_a,
                                          P("2027-01-11"), NOW, NULL),
                     0);
    assert_int_equal(zf_clock_store_finish(db, cal, done_id, P("2027-01-15"), NOW, NULL), 0);
    /* starts after the changed day: untouched */
    assert_int_equal(zf_clock_store_start(&far_id, db, cal, "publish_penalty", "decision", 3, dept_b,
                                          P("2027-03-01"), NOW, NULL),
                     0);
    /* a suspended legal review: no due date while paused, still reached */
    assert_int_equal(zf_clock_store_start(&paused_id, db, cal, "legal_review", "review", 4, dept_a,
                                          P("2027-01-11"), NOW, NULL),
                     0);
    assert_int_equal(zf_clock_store_pause(db, cal, paused_id, P("2027-01-12"), "专家论证", NOW, NULL), 0);
    assert_int_equal(zf_clock_store_get(&row, db, open_id, NULL), 0);
    assert_int_equal(row.clock.due, P("2027-01-20"));
    assert_non_null(strstr(row.clock.calendar_version, "2027:2027.1"));
    zf_calendar_free(cal);

    import_text(&res, Y2027_V2);
    assert_true(res.changed);
    assert_string_equal(res.old_version, "2027.1");
    assert_string_equal(res.new_version, "2027.2");
    assert_int_equal(res.days_added, 1);
    assert_true(res.workdays_changed);
    assert_int_equal(res.first, P("2027-01-13"));
    assert_int_equal(res.last, P("2027-01-13"));
    assert_int_equal(res.clocks_moved, 1);
    assert_true(res.clocks_checked >= 1);

    /* the open clock moved by one working day */
    assert_int_equal(zf_clock_store_get(&row, db, open_id, NULL), 0);
    assert_int_equal(row.clock.due, P("2027-01-21"));
    assert_non_null(strstr(row.clock.calendar_version, "2027:2027.2"));
    /* the done clock keeps its history */
    assert_int_equal(zf_clock_store_get(&row, db, done_id, NULL), 0);
    assert_int_equal(row.clock.due, P("2027-01-20"));
    assert_int_equal(row.clock.done, P("2027-01-15"));
    assert_non_null(strstr(row.clock.calendar_version, "2027:2027.1"));
    /* the later clock did not move */
    assert_int_equal(zf_clock_store_get(&row, db, far_id, NULL), 0);
    assert_int_equal(row.clock.due, P("2027-03-10"));

    /* and the change is on record */
    assert_int_equal(count("SELECT COUNT(*) FROM calendar_changes WHERE year = 2027 AND "
                           "new_version = '2027.2' AND old_version = '2027.1' AND clocks_moved = 1"),
                     1);
    assert_string_equal(text1("SELECT old_due || '>' || new_due FROM calendar_change_clocks", buf,
                              sizeof buf),
                        "2027-01-20>2027-01-21");
    assert_int_equal(count("SELECT clock_id FROM calendar_change_clocks"), open_id);
    assert_string_equal(text1("SELECT due_date FROM clocks WHERE id = (SELECT clock_id FROM "
                              "calendar_change_clocks)",
                              buf, sizeof buf),
                        "2027-01-21");

    /* resuming the paused review counts the new day off too:
     * 11 Jan start, paused 12 (counted) .. resumed 18; then 19 20 → 3 days */
    cal = load();
    assert_int_equal(zf_clock_store_resume(db, cal, paused_id, P("2027-01-18"), NOW, NULL), 0);
    assert_int_equal(zf_clock_store_get(&row, db, paused_id, NULL), 0);
    assert_int_equal(row.clock.due, P("2027-01-20"));
    zf_calendar_free(cal);
}

static void test_builtin_year_replaced(void **state)
{
    zf_cal_import_result res;
    zf_calendar *cal;
    static const char tsv[] = "2025-01-01\toff\t元旦\n";

    (void)state;
    import_text(&res, tsv);
    assert_true(res.changed);
    assert_string_equal(res.old_version, "2025.1");
    assert_string_equal(res.new_version, "2025.2");
    assert_true(res.days_removed > 20);
    cal = load();
    assert_true(zf_calendar_is_workday(cal, P("2025-01-28"))); /* 春节 is gone in this version */
    assert_false(zf_calendar_is_workday(cal, P("2025-01-01")));
    assert_string_equal(zf_calendar_schedule(cal, 2025)->version, "2025.2");
    zf_calendar_free(cal);
}

static void expect_parse_error(const char *text, const char *field, const char *code)
{
    zf_cal_schedule *s = NULL;
    zf_err err = ZF_ERR_INIT;

    assert_int_equal(zf_calendar_parse_import(&s, text, strlen(text), &err), ZF_EINVAL);
    assert_null(s);
    if (field)
        assert_string_equal(err.field, field);
    if (code)
        assert_string_equal(err.code, code);
    assert_true(err.message[0] != '\0');
}

static void test_parse_errors(void **state)
{
    (void)state;
    expect_parse_error("", "file", NULL);
    expect_parse_error("   \n", "file", NULL);
    expect_parse_error("{\"year\":2027", "file", "invalid_json");
    expect_parse_error("{\"days\":[]}", "year", NULL);
    expect_parse_error("{\"year\":1999,\"days\":[{\"name\":\"x\",\"date\":\"1999-01-01\",\"isOffDay\":true}]}",
                       "year", "year_out_of_range");
    expect_parse_error("{\"year\":2027,\"days\":[]}", "days", NULL);
    expect_parse_error("{\"year\":2027,\"days\":[{\"name\":\"x\",\"date\":\"2027-02-30\",\"isOffDay\":true}]}",
                       "days[0].date", "invalid_date");
    expect_parse_error("{\"year\":2027,\"days\":[{\"name\":\"x\",\"date\":\"2027-2-3\",\"isOffDay\":true}]}",
                       "days[0].date", "invalid_date");
    expect_parse_error("{\"year\":2027,\"days\":[{\"name\":\"x\",\"date\":\"2027-01-01\",\"isOffDay\":true},"
                       "{\"name\":\"x\",\"date\":\"2027-01-01\",\"isOffDay\":false}]}",
                       "days[1].date", "duplicate_date");
    expect_parse_error("{\"year\":2027,\"days\":[{\"name\":\"x\",\"date\":\"2026-11-30\",\"isOffDay\":true}]}",
                       "days[0].date", "date_out_of_range");
    expect_parse_error("{\"year\":2027,\"days\":[{\"name\":\"x\",\"date\":\"2027-01-01\",\"isOffDay\":\"yes\"}]}",
                       "days[0].isOffDay", NULL);
    expect_parse_error("{\"year\":2027,\"days\":[{\"name\":\"x\",\"date\":\"2027-01-01\",\"isOffDay\":true}],"
                       "\"papers\":\"x\"}",
                       "papers", NULL);
    expect_parse_error("2027-01-01\tholiday\t元旦\n", "file", "invalid_tsv");
    expect_parse_error("2027-13-01\toff\t元旦\n", "file", "invalid_date");

    /* a December date of the next year's notice is accepted */
    {
        static const char ok[] = "{\"$schema\":\"x\",\"year\":2027,\"days\":["
                                 "{\"name\":\"元旦\",\"date\":\"2026-12-31\",\"isOffDay\":false}]}";
        zf_cal_schedule *s = NULL;
        assert_int_equal(zf_calendar_parse_import(&s, ok, strlen(ok), NULL), 0);
        assert_int_equal(s->year, 2027);
        assert_int_equal(s->n_days, 1);
        assert_int_equal(s->days[0].kind, ZF_DAY_WORK);
        assert_int_equal(s->n_sources, 1);
        assert_string_equal(s->sources[0].title, "国务院办公厅关于2027年部分节假日安排的通知");
        zf_cal_schedule_free(s);
    }
}

static void test_rules(void **state)
{
    zf_deadline_rule *rules = NULL, r;
    zf_err err = ZF_ERR_INIT;
    size_t n = 0, ndef;

    (void)state;
    const zf_deadline_rule *defs = zf_deadline_default_rules(&ndef);
    assert_int_equal(zf_deadline_rules_load(&rules, &n, db, NOW, NULL), 0);
    /* every default, plus the rules migrations add (0017: complaint_handle;
     * other issues may add theirs) */
    assert_true(n >= ndef + 1);
    for (size_t i = 0; i < ndef; i++)
        assert_non_null(zf_deadline_rule_find(rules, n, defs[i].code));
    assert_int_equal(zf_deadline_rule_find(rules, n, "complaint_handle")->workdays, 15);
    free(rules);
    assert_int_equal(zf_deadline_rule_get(&r, db, "publish_penalty", NOW, NULL), 0);
    assert_int_equal(r.workdays, 7);

    /* a locality shortens it: new clocks use the edit */
    r.workdays = 5;
    assert_int_equal(zf_deadline_rule_update(db, &r, &ACTOR, NOW, NULL), 0);
    assert_int_equal(zf_deadline_rule_get(&r, db, "publish_penalty", NOW, NULL), 0);
    assert_int_equal(r.workdays, 5);
    assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'deadline_rule_update'"), 1);
    /* seeding again leaves the edit alone */
    assert_int_equal(zf_deadline_rules_seed(db, NOW, NULL), 0);
    assert_int_equal(zf_deadline_rule_get(&r, db, "publish_penalty", NOW, NULL), 0);
    assert_int_equal(r.workdays, 5);

    r.workdays = 0;
    assert_int_equal(zf_deadline_rule_update(db, &r, &ACTOR, NOW, &err), ZF_EINVAL);
    assert_string_equal(err.field, "workdays");
    snprintf(r.code, sizeof r.code, "no_such_rule");
    r.workdays = 3;
    assert_int_equal(zf_deadline_rule_update(db, &r, &ACTOR, NOW, &err), ZF_ENOTFOUND);
    assert_int_equal(zf_deadline_rule_get(&r, db, "no_such_rule", NOW, &err), ZF_ENOTFOUND);
}

static void test_clock_life_and_listing(void **state)
{
    zf_calendar *cal = load();
    zf_clock_filter f = ZF_CLOCK_FILTER_INIT;
    zf_clock_row *rows = NULL, row;
    zf_err err = ZF_ERR_INIT;
    size_t n = 0;
    int64_t review, pub, other;

    (void)state;
    /* legal review received Monday 2025-03-03: due Thursday 6th; +2 → Monday 10th */
    assert_int_equal(zf_clock_store_start(&review, db, cal, "legal_review", "case", 10, dept_a,
                                          P("2025-03-03"), NOW, NULL),
                     0);
    assert_int_equal(zf_clock_store_get(&row, db, review, NULL), 0);
    assert_int_equal(row.clock.due, P("2025-03-06"));
    assert_string_equal(row.object_type, "case");
    assert_int_equal(row.object_id, 10);
    assert_int_equal(zf_clock_store_extend(db, cal, review, "王分管", 1741046400 /* 2025-03-04 */, NULL), 0);
    assert_int_equal(zf_clock_store_get(&row, db, review, NULL), 0);
    assert_int_equal(row.clock.due, P("2025-03-10"));
    assert_string_equal(row.clock.approver, "王分管");
    /* twice is refused, nothing written */
    assert_int_equal(zf_clock_store_extend(db, cal, review, "王分管", 1741046400, &err), ZF_ECONFLICT);
    assert_int_equal(zf_clock_store_start(&pub, db, cal, "publish_penalty", "case", 11, dept_a,
                                          P("2025-03-03"), NOW, NULL),
                     0);
    assert_int_equal(zf_clock_store_start(&other, db, cal, "publish_other", "case", 12, dept_b,
                                          P("2025-03-03"), NOW, NULL),
                     0);
    /* pausing a rule that is not pausable is refused */
    assert_int_equal(zf_clock_store_pause(db, cal, pub, P("2025-03-04"), NULL, NOW, &err), ZF_ECONFLICT);
    /* unknown rule, unknown department */
    assert_int_equal(zf_clock_store_start(NULL, db, cal, "nope", "case", 1, dept_a, P("2025-03-03"), NOW, &err),
                     ZF_ENOTFOUND);
    assert_int_equal(zf_clock_store_start(NULL, db, cal, "publish_other", "case", 1, 9999, P("2025-03-03"),
                                          NOW, &err),
                     ZF_EINVAL);
    assert_int_equal(zf_clock_store_get(&row, db, 9999, &err), ZF_ENOTFOUND);

    /* on 2025-03-07 the review (due 10th) has 1 working day left: due soon;
     * publication (due 12th) is on time; all in department A */
    f.department_id = dept_a;
    assert_int_equal(zf_clock_store_list_open(&rows, &n, db, cal, &f, P("2025-03-07"), NULL), 0);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].id, review); /* soonest first */
    assert_int_equal(rows[1].id, pub);
    free(rows);
    f.state = ZF_CLOCK_DUE_SOON;
    assert_int_equal(zf_clock_store_list_open(&rows, &n, db, cal, &f, P("2025-03-07"), NULL), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, review);
    free(rows);
    f.state = ZF_CLOCK_OVERDUE;
    f.department_id = 0;
    assert_int_equal(zf_clock_store_list_open(&rows, &n, db, cal, &f, P("2025-03-13"), NULL), 0);
    assert_int_equal(n, 2); /* review (10th) and publication (12th); publish_other runs to the 31st */
    free(rows);

    /* finished clocks leave the open list */
    assert_int_equal(zf_clock_store_finish(db, cal, review, P("2025-03-07"), NOW, NULL), 0);
    assert_int_equal(zf_clock_store_finish(db, cal, review, P("2025-03-07"), NOW, &err), ZF_ECONFLICT);
    assert_int_equal(zf_clock_store_list_open(&rows, &n, db, cal, NULL, P("2025-03-07"), NULL), 0);
    assert_int_equal(n, 2);
    free(rows);
    assert_int_equal(zf_clock_store_for_object(&rows, &n, db, "case", 10, NULL), 0);
    assert_int_equal(n, 0);
    free(rows);
    zf_calendar_free(cal);
}

static void test_cache_follows_imports(void **state)
{
    const zf_calendar *a = NULL, *b = NULL, *c = NULL;
    zf_cal_import_result res;

    (void)state;
    assert_int_equal(zf_calendar_cache_acquire(&a, db, NULL), 0);
    assert_int_equal(zf_calendar_cache_acquire(&b, db, NULL), 0);
    assert_ptr_equal(a, b); /* unchanged: the same snapshot */
    assert_false(zf_calendar_has_year(a, 2027));
    zf_calendar_cache_release(b);

    import_text(&res, Y2027_V1);
    assert_int_equal(zf_calendar_cache_acquire(&c, db, NULL), 0);
    assert_true(zf_calendar_has_year(c, 2027));
    /* the old snapshot is still readable by whoever holds it */
    assert_false(zf_calendar_has_year(a, 2027));
    assert_true(zf_calendar_is_workday(a, P("2027-01-01")));
    zf_calendar_cache_release(a);
    zf_calendar_cache_release(c);
}

static void test_missing_year(void **state)
{
    zf_calendar *cal = load();
    char msg[512];
    zf_cal_import_result res;

    (void)state;
    assert_int_equal(zf_calendar_store_missing_year(cal, P("2026-11-30"), msg, sizeof msg), 0);
    assert_string_equal(msg, "");
    assert_int_equal(zf_calendar_store_missing_year(cal, P("2026-12-01"), msg, sizeof msg), 2027);
    assert_non_null(strstr(msg, "2027"));
    zf_calendar_free(cal);
    import_text(&res, Y2027_V1);
    cal = load();
    assert_int_equal(zf_calendar_store_missing_year(cal, P("2026-12-01"), msg, sizeof msg), 0);
    zf_calendar_free(cal);
    /* China's date, not UTC's: 2026-11-30 16:00 UTC is 1 December in China */
    assert_int_equal(zf_calendar_store_today(1796054400 /* 2026-11-30 16:00 UTC */), P("2026-12-01"));
    assert_int_equal(zf_calendar_store_today(1796054399), P("2026-11-30"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_import_new_year, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reimport_is_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_version_moves_open_clocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_builtin_year_replaced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clock_life_and_listing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_follows_imports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_year, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
