/* annual_store.c — see annual_store.h. */
#include "store/annual_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/annual.h"
#include "store/audit.h"
#include "store/calendar_store.h"

static int audit(zf_db *db, const zf_annual_actor *who, const char *action, int64_t id,
                 const char *detail, int64_t now, zf_err *err)
{
    zf_audit_event ev = {0};
    char oid[24];

    snprintf(oid, sizeof oid, "%lld", (long long)id);
    ev.at = now;
    ev.actor_id = who ? who->user_id : 0;
    ev.actor_name = who && who->name ? who->name : "system";
    ev.action = action;
    ev.object_type = ZF_ANNUAL_OBJECT;
    ev.object_id = oid;
    ev.ip = who ? who->ip : NULL;
    ev.request_id = who ? who->request_id : NULL;
    ev.detail = detail;
    return zf_audit_write(db, &ev, err);
}

/* ---- counting ---- */

/* The deciding events of the year's cases (core/annual.h maps them). */
static int count_events(json_t *r, zf_db *db, int64_t dept, int64_t from, int64_t to, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, db,
                            "SELECT c.procedure, e.action, CASE WHEN COALESCE(c.fine_fen, 0) > 0 THEN 1 "
                            "ELSE 0 END AS fined, COUNT(*), COALESCE(SUM(c.fine_fen), 0) FROM "
                            "case_events e JOIN cases c ON c.id = e.case_id WHERE ($1 = 0 OR "
                            "c.department_id = $1) AND e.at >= $2 AND e.at < $3 GROUP BY c.procedure, "
                            "e.action, CASE WHEN COALESCE(c.fine_fen, 0) > 0 THEN 1 ELSE 0 END",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, dept);
    zf_stmt_bind_int64(st, 2, from);
    zf_stmt_bind_int64(st, 3, to);
    while ((rc = zf_stmt_step(st, err)) == 1) {
        const zf_annual_item *it =
            zf_annual_item_for_event(zf_stmt_text(st, 0), zf_stmt_text(st, 1), (int)zf_stmt_int64(st, 2));

        if (it && (rc = zf_annual_add(r, it->section, it->code, it->label, zf_stmt_int64(st, 3),
                                      zf_stmt_int64(st, 4), err)) < 0)
            break;
    }
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

/* Legal reviews by conclusion: rounds concluded in the year. */
static int count_reviews(json_t *r, zf_db *db, int64_t dept, const char *first, const char *last,
                         zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, db,
                            "SELECT outcome, MAX(outcome_label), COUNT(*) FROM review_rounds WHERE "
                            "outcome <> '' AND ($1 = 0 OR department_id = $1) AND concluded_on >= $2 "
                            "AND concluded_on <= $3 GROUP BY outcome ORDER BY outcome",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, dept);
    zf_stmt_bind_text(st, 2, first, -1);
    zf_stmt_bind_text(st, 3, last, -1);
    while ((rc = zf_stmt_step(st, err)) == 1)
        if ((rc = zf_annual_add(r, "review", zf_stmt_text(st, 0), zf_stmt_text(st, 1),
                                zf_stmt_int64(st, 2), 0, err)) < 0)
            break;
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

/* One count of publications into item code. */
static int count_pubs(json_t *r, zf_db *db, const char *code, const char *where, int64_t dept,
                      const char *first, const char *last, int64_t from, int64_t to,
                      const char *today, zf_err *err)
{
    char sql[512];
    zf_stmt *st = NULL;
    int rc;

    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM publications WHERE ($1 = 0 OR department_id = $1) AND (%s)", where);
    if ((rc = zf_db_prepare(&st, db, sql, err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, dept);
    zf_stmt_bind_text(st, 2, first, -1);
    zf_stmt_bind_text(st, 3, last, -1);
    zf_stmt_bind_int64(st, 4, from);
    zf_stmt_bind_int64(st, 5, to);
    zf_stmt_bind_text(st, 6, today, -1);
    if ((rc = zf_stmt_step(st, err)) == 1)
        rc = zf_annual_add(r, "publicity", code, NULL, zf_stmt_int64(st, 0), 0, err);
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

int zf_annual_compute(json_t **out, zf_db *db, int64_t dept, int year, int64_t now, zf_err *err)
{
    /* $2..$3 the year's first and last day, $4..$5 its span in seconds,
     * $6 today: a decision of the year still unpublished after its due date.
     * Each count binds all six; the ones it does not use are ignored. */
    static const struct {
        const char *code, *where;
    } PUBS[] = {
        {"on_time", "published_on >= $2 AND published_on <= $3 AND on_time = 1"},
        {"late", "published_on >= $2 AND published_on <= $3 AND on_time = 0"},
        {"overdue", "state = 'pending' AND decision_date >= $2 AND decision_date <= $3 AND due_date < $6"},
        {"withdrawn", "withdrawn_at >= $4 AND withdrawn_at < $5"},
    };
    char first[ZF_DATE_STRLEN], last[ZF_DATE_STRLEN], today[ZF_DATE_STRLEN];
    int64_t from, to;
    json_t *r = NULL;
    size_t i;
    int rc;

    *out = NULL;
    if ((rc = zf_annual_year_check(year, zf_calendar_store_today(now), err)) < 0)
        return rc;
    zf_annual_year_span(&from, &to, year);
    zf_date_format(first, ZF_YMD(year, 1, 1));
    zf_date_format(last, ZF_YMD(year, 12, 31));
    zf_date_format(today, zf_calendar_store_today(now));
    r = zf_annual_new(year);
    json_object_set_new(r, "as_of", json_string(today));
    if ((rc = zf_db_read_begin(db)) < 0) {
        zf_err_set(err, rc, NULL, NULL, "读取数据失败");
        goto done;
    }
    rc = count_events(r, db, dept, from, to, err);
    if (rc == 0)
        rc = count_reviews(r, db, dept, first, last, err);
    for (i = 0; rc == 0 && i < sizeof PUBS / sizeof PUBS[0]; i++)
        rc = count_pubs(r, db, PUBS[i].code, PUBS[i].where, dept, first, last, from, to, today, err);
    zf_db_read_end(db);
done:
    if (rc < 0)
        json_decref(r);
    else
        *out = r;
    return rc;
}

/* ---- the report's life ---- */

static int state_of(char *out, size_t cap, int64_t *out_gen, int *out_year, zf_db *db, int64_t id,
                    zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, db, "SELECT state, COALESCE(generated_by, 0), year FROM annual_reports "
                                     "WHERE id = $1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        snprintf(out, cap, "%s", zf_stmt_text(st, 0));
        *out_gen = zf_stmt_int64(st, 1);
        *out_year = (int)zf_stmt_int64(st, 2);
        rc = 0;
    } else if (rc == 0) {
        rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "找不到该年度报告");
    }
    zf_stmt_free(st);
    return rc;
}

int zf_annual_generate(int64_t *out_id, zf_db *db, int64_t dept, int year,
                       const zf_annual_actor *who, int64_t now, zf_err *err)
{
    json_t *r = NULL;
    char *data = NULL, detail[64];
    zf_stmt *st = NULL;
    int64_t id = 0, n = 0;
    int rc;

    *out_id = 0;
    if ((rc = zf_annual_compute(&r, db, dept, year, now, err)) < 0)
        return rc;
    data = json_dumps(r, JSON_COMPACT);
    if ((rc = zf_db_begin(db, err)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, db, "SELECT COUNT(*) FROM departments WHERE id = $1", err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, dept);
    if ((rc = zf_stmt_step(st, err)) == 1)
        n = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    if (n == 0) {
        rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", "department_id", "找不到该部门");
        goto done;
    }
    if ((rc = zf_db_prepare(&st, db, "SELECT id, state FROM annual_reports WHERE department_id = $1 "
                                     "AND year = $2",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, dept);
    zf_stmt_bind_int64(st, 2, year);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        id = zf_stmt_int64(st, 0);
        if (strcmp(zf_stmt_text(st, 1), "published") == 0)
            rc = zf_err_set(err, ZF_ECONFLICT, "already_published", "year",
                            "%d 年度报告已公开，不能重新生成", year);
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    if (id)
        rc = zf_db_prepare(&st, db,
                           "UPDATE annual_reports SET state = 'draft', data = $2, as_of = $3, "
                           "generated_by = $4, generated_at = $5, reviewed_by = NULL, reviewed_at = "
                           "NULL, updated_at = $5 WHERE id = $1 RETURNING id",
                           err);
    else
        rc = zf_db_prepare(&st, db,
                           "INSERT INTO annual_reports (department_id, year, state, data, as_of, "
                           "generated_by, generated_at, created_at, updated_at) VALUES ($6, $7, 'draft', "
                           "$2, $3, $4, $5, $5, $5) RETURNING id",
                           err);
    if (rc < 0)
        goto done;
    if (id)
        zf_stmt_bind_int64(st, 1, id);
    zf_stmt_bind_text(st, 2, data, -1);
    zf_stmt_bind_text(st, 3, json_string_value(json_object_get(r, "as_of")), -1);
    if (who && who->user_id > 0)
        zf_stmt_bind_int64(st, 4, who->user_id);
    else
        zf_stmt_bind_null(st, 4);
    zf_stmt_bind_int64(st, 5, now);
    if (!id) {
        zf_stmt_bind_int64(st, 6, dept);
        zf_stmt_bind_int64(st, 7, year);
    }
    if ((rc = zf_stmt_step(st, err)) == 1)
        id = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    snprintf(detail, sizeof detail, "year %d", year);
    if ((rc = audit(db, who, "annual_report_generate", id, detail, now, err)) < 0)
        goto done;
    rc = zf_db_commit(db, err);
done:
    if (rc < 0 && zf_db_in_transaction(db))
        zf_db_rollback(db);
    zf_stmt_free(st);
    json_decref(r);
    free(data);
    if (rc == 0)
        *out_id = id;
    return rc;
}

static int advance(zf_db *db, int64_t id, const char *from, const zf_annual_actor *who, int64_t now,
                   zf_err *err)
{
    int reviewing = strcmp(from, "draft") == 0;
    char state[24], today[ZF_DATE_STRLEN];
    zf_stmt *st = NULL;
    int64_t gen = 0;
    int rc, year = 0;

    if ((rc = zf_db_begin(db, err)) < 0)
        return rc;
    if ((rc = state_of(state, sizeof state, &gen, &year, db, id, err)) < 0)
        goto done;
    if (strcmp(state, from)) {
        rc = zf_err_set(err, ZF_ECONFLICT, "invalid_state", "state",
                        reviewing ? "只有草稿状态的年度报告可以审核" : "年度报告审核后才能公开");
        goto done;
    }
    if (!reviewing && zf_date_year(zf_calendar_store_today(now)) <= year) {
        /* published counts are frozen: a year still running would miss its end */
        rc = zf_err_set(err, ZF_ECONFLICT, "year_not_over", "year", "%d 年度尚未结束，年报在次年 1 月 1 日起才能公开",
                        year);
        goto done;
    }
    if (reviewing && who && gen && who->user_id == gen) {
        rc = zf_err_set(err, ZF_ECONFLICT, "same_person", NULL,
                        "年度报告应由生成人以外的人员审核");
        goto done;
    }
    zf_date_format(today, zf_calendar_store_today(now));
    if ((rc = zf_db_prepare(&st, db,
                            reviewing ? "UPDATE annual_reports SET state = 'reviewed', reviewed_by = $2, "
                                        "reviewed_at = $3, updated_at = $3 WHERE id = $1"
                                      : "UPDATE annual_reports SET state = 'published', published_by = $2, "
                                        "published_at = $3, published_on = $4, updated_at = $3 WHERE id = $1",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, id);
    if (who && who->user_id > 0)
        zf_stmt_bind_int64(st, 2, who->user_id);
    else
        zf_stmt_bind_null(st, 2);
    zf_stmt_bind_int64(st, 3, now);
    zf_stmt_bind_text(st, 4, today, -1);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    if (rc < 0)
        goto done;
    if ((rc = audit(db, who, reviewing ? "annual_report_review" : "annual_report_publish", id, NULL, now,
                    err)) < 0)
        goto done;
    rc = zf_db_commit(db, err);
done:
    if (rc < 0 && zf_db_in_transaction(db))
        zf_db_rollback(db);
    return rc;
}

int zf_annual_review(zf_db *db, int64_t id, const zf_annual_actor *who, int64_t now, zf_err *err)
{
    return advance(db, id, "draft", who, now, err);
}

int zf_annual_publish(zf_db *db, int64_t id, const zf_annual_actor *who, int64_t now, zf_err *err)
{
    return advance(db, id, "reviewed", who, now, err);
}

/* ---- reading ---- */

static const char *state_name(const char *s)
{
    return strcmp(s, "draft") == 0 ? "草稿" : strcmp(s, "reviewed") == 0 ? "已审核" : "已公开";
}

static void status_into(json_t *o, int year, const char *published_on, zf_date on)
{
    char due[ZF_DATE_STRLEN];
    zf_date pub = ZF_DATE_NONE;
    const char *status;

    if (published_on && zf_date_parse(&pub, published_on, strlen(published_on), NULL, NULL) < 0)
        pub = ZF_DATE_NONE;
    if (pub != ZF_DATE_NONE && pub > on)
        pub = ZF_DATE_NONE; /* not yet published on that day */
    status = zf_annual_status(year, pub, on);
    json_object_set_new(o, "deadline", json_string(zf_date_format(due, zf_annual_deadline(year))));
    json_object_set_new(o, "status", json_string(status));
    json_object_set_new(o, "status_name", json_string(zf_annual_status_name(status)));
}

int zf_annual_get_json(json_t **out, zf_db *db, int64_t id, int public_only, int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    json_t *o = NULL;
    int rc;

    *out = NULL;
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT r.id, r.department_id, d.name, d.code, r.year, r.state, r.as_of, "
                            "COALESCE(g.display_name, ''), r.generated_at, COALESCE(v.display_name, ''), "
                            "r.reviewed_at, COALESCE(p.display_name, ''), r.published_at, r.published_on, "
                            "r.data FROM annual_reports r JOIN departments d ON d.id = r.department_id "
                            "LEFT JOIN users g ON g.id = r.generated_by LEFT JOIN users v ON v.id = "
                            "r.reviewed_by LEFT JOIN users p ON p.id = r.published_by WHERE r.id = $1 "
                            "AND ($2 = 0 OR r.state = 'published')",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    zf_stmt_bind_int64(st, 2, public_only);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        const char *state = zf_stmt_text(st, 5);

        o = json_pack("{s:I,s:I,s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:I}", "id", (json_int_t)zf_stmt_int64(st, 0),
                      "department_id", (json_int_t)zf_stmt_int64(st, 1), "department", zf_stmt_text(st, 2),
                      "department_code", zf_stmt_text(st, 3), "year", (int)zf_stmt_int64(st, 4), "state",
                      state, "state_name", state_name(state), "as_of", zf_stmt_text(st, 6),
                      "generated_by", zf_stmt_text(st, 7), "generated_at",
                      (json_int_t)zf_stmt_int64(st, 8));
        json_object_set_new(o, "reviewed_by", zf_stmt_is_null(st, 10) ? json_null()
                                                                      : json_string(zf_stmt_text(st, 9)));
        json_object_set_new(o, "reviewed_at", zf_stmt_is_null(st, 10) ? json_null()
                                                                      : json_integer(zf_stmt_int64(st, 10)));
        json_object_set_new(o, "published_by", zf_stmt_is_null(st, 12) ? json_null()
                                                                       : json_string(zf_stmt_text(st, 11)));
        json_object_set_new(o, "published_at", zf_stmt_is_null(st, 12) ? json_null()
                                                                       : json_integer(zf_stmt_int64(st, 12)));
        json_object_set_new(o, "published_on", zf_stmt_is_null(st, 13) ? json_null()
                                                                       : json_string(zf_stmt_text(st, 13)));
        status_into(o, (int)zf_stmt_int64(st, 4), zf_stmt_is_null(st, 13) ? NULL : zf_stmt_text(st, 13),
                    zf_calendar_store_today(now));
        json_object_set_new(o, "report", json_loads(zf_stmt_text(st, 14), 0, NULL));
        rc = 0;
    } else if (rc == 0) {
        rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "找不到该年度报告");
    }
    zf_stmt_free(st);
    if (rc == 0)
        *out = o;
    return rc;
}

int zf_annual_department(int64_t *out, zf_db *db, int64_t id, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    *out = 0;
    if ((rc = zf_db_prepare(&st, db, "SELECT department_id FROM annual_reports WHERE id = $1", err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        *out = zf_stmt_int64(st, 0);
        rc = 0;
    } else if (rc == 0) {
        rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "找不到该年度报告");
    }
    zf_stmt_free(st);
    return rc;
}

int zf_annual_list(json_t **out, zf_db *db, int year, int64_t dept, int published_only, zf_date on,
                   zf_err *err)
{
    zf_stmt *st = NULL;
    json_t *items = json_array();
    int rc;

    *out = NULL;
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT d.id, d.name, d.code, r.id, r.state, r.published_on, r.as_of FROM "
                            "departments d LEFT JOIN annual_reports r ON r.department_id = d.id AND r.year "
                            "= $1 WHERE d.kind = 'enforcement' AND ($2 = 0 OR d.id = $2) AND ($3 = 0 OR "
                            "r.state = 'published') "
                            "ORDER BY d.id",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, year);
    zf_stmt_bind_int64(st, 2, dept);
    zf_stmt_bind_int64(st, 3, published_only);
    while ((rc = zf_stmt_step(st, err)) == 1) {
        int has = !zf_stmt_is_null(st, 3);
        json_t *o = json_pack("{s:I,s:s,s:s,s:i}", "department_id", (json_int_t)zf_stmt_int64(st, 0),
                              "department", zf_stmt_text(st, 1), "department_code", zf_stmt_text(st, 2),
                              "year", year);

        json_object_set_new(o, "id", has ? json_integer(zf_stmt_int64(st, 3)) : json_null());
        json_object_set_new(o, "state", has ? json_string(zf_stmt_text(st, 4)) : json_null());
        json_object_set_new(o, "state_name", has ? json_string(state_name(zf_stmt_text(st, 4)))
                                                 : json_string("未生成"));
        json_object_set_new(o, "as_of", has ? json_string(zf_stmt_text(st, 6)) : json_null());
        json_object_set_new(o, "published_on", zf_stmt_is_null(st, 5) ? json_null()
                                                                      : json_string(zf_stmt_text(st, 5)));
        status_into(o, year, zf_stmt_is_null(st, 5) ? NULL : zf_stmt_text(st, 5), on);
        json_array_append_new(items, o);
    }
    if (rc < 0)
        goto done;
    *out = items;
    items = NULL;
    rc = 0;
done:
    zf_stmt_free(st);
    json_decref(items);
    return rc;
}

int zf_annual_city(json_t **out, zf_db *db, int year, int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    json_t *r = zf_annual_new(year), *missing = json_array();
    char today[ZF_DATE_STRLEN];
    int64_t n = 0;
    int rc;

    *out = NULL;
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT d.name, r.data FROM departments d LEFT JOIN annual_reports r ON "
                            "r.department_id = d.id AND r.year = $1 AND r.state = 'published' WHERE d.kind = "
                            "'enforcement' ORDER BY d.id",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, year);
    while ((rc = zf_stmt_step(st, err)) == 1) {
        json_t *d;

        if (zf_stmt_is_null(st, 1)) {
            json_array_append_new(missing, json_string(zf_stmt_text(st, 0)));
            continue;
        }
        d = json_loads(zf_stmt_text(st, 1), 0, NULL);
        rc = d ? zf_annual_merge(r, d, err) : zf_err_set(err, ZF_EDB, NULL, NULL, "年报数据损坏");
        json_decref(d);
        if (rc < 0)
            break;
        n++;
    }
    if (rc < 0)
        goto done;
    json_object_set_new(r, "as_of", json_string(zf_date_format(today, zf_calendar_store_today(now))));
    json_object_set_new(r, "departments", json_integer(n));
    json_object_set_new(r, "missing", missing);
    missing = NULL;
    *out = r;
    r = NULL;
    rc = 0;
done:
    zf_stmt_free(st);
    json_decref(r);
    json_decref(missing);
    return rc;
}

int zf_annual_years(json_t **out, zf_db *db, zf_err *err)
{
    zf_stmt *st = NULL;
    json_t *years = json_array();
    int rc;

    *out = NULL;
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT DISTINCT year FROM annual_reports WHERE state = 'published' ORDER BY "
                            "year DESC",
                            err)) < 0)
        goto done;
    while ((rc = zf_stmt_step(st, err)) == 1)
        json_array_append_new(years, json_integer(zf_stmt_int64(st, 0)));
    if (rc < 0)
        goto done;
    *out = years;
    years = NULL;
    rc = 0;
done:
    zf_stmt_free(st);
    json_decref(years);
    return rc;
}
