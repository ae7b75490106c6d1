/* annual.c — the annual report (年报, issue 7) in the API: the department's
 * publicity officer or head generates it from the records, a second person
 * of the department reviews it, it is published on the portal; downloads as
 * XLSX and PDF; the city report sums the departments' published ones; the
 * Justice Bureau's list of departments late with theirs (deadline 31
 * January). The rules live in core/annual.h and store/annual_store.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/annual.h"
#include "render/annual_doc.h"
#include "store/annual_store.h"
#include "store/calendar_store.h"

#define READERS (ZF_ROLES_DEPT_STAFF | ZF_ROLE_SUPERVISOR | ZF_ROLE_ADMIN | ZF_ROLE_AUDITOR)
/* who generates, reviews (not the one who generated) and publishes */
#define AUTHORS (ZF_ROLE_PUBLICITY | ZF_ROLE_HEAD)

static zf_annual_actor actor(const zf_ctx *c)
{
    zf_annual_actor a = {0, NULL, c->ip, c->request_id};

    if (c->who) {
        a.user_id = c->who->user_id;
        a.name = c->who->username;
    }
    return a;
}

/* ?year= (required) as a year that may be reported on today. */
static int year_param(int *out, zf_ctx *c)
{
    const char *s = zf_ctx_query(c, "year");
    char *end = NULL;
    long y;

    if (!s || !*s)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "year", "请指定年度（year）");
    y = strtol(s, &end, 10);
    if (*end || y < 1 || y > 9999)
        return zf_err_set(&c->err, ZF_EINVAL, "invalid_year", "year", "年度应为四位数字");
    *out = (int)y;
    return zf_annual_year_check(*out, zf_calendar_store_today(c->now), &c->err);
}

int zf_annual_send(zf_ctx *c, const json_t *meta, const char *format, const char *basename)
{
    char disp[200];
    int rc, xlsx;

    if (!format || !*format || strcmp(format, "json") == 0)
        return zf_ctx_json(c, 200, json_incref((json_t *)meta));
    if (strcmp(format, "xlsx") && strcmp(format, "pdf"))
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "format", "导出格式应为 json、xlsx 或 pdf");
    xlsx = strcmp(format, "xlsx") == 0;
    zf_buf_reset(&c->out);
    if ((rc = xlsx ? zf_annual_doc_xlsx(&c->out, meta, &c->err) : zf_annual_doc_pdf(&c->out, meta, &c->err)) < 0) {
        zf_buf_reset(&c->out);
        return rc;
    }
    c->status = 200;
    c->content_type = xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                           : "application/pdf";
    snprintf(disp, sizeof disp, "attachment; filename=\"%s.%s\"", basename, format);
    zf_ctx_header(c, "Content-Disposition", disp);
    return 0;
}

/* ---- GET /api/v1/annual-reports?year=Y ---- */

static int ar_list(zf_ctx *c)
{
    json_t *items = NULL;
    int64_t dept = 0;
    char due[ZF_DATE_STRLEN];
    int year, rc;

    if ((rc = year_param(&year, c)) < 0)
        return rc;
    if (c->who && (c->who->role & ZF_ROLES_DEPT_STAFF))
        dept = c->who->department_id;
    if ((rc = zf_annual_list(&items, c->db, year, dept, 0, zf_calendar_store_today(c->now), &c->err)) < 0)
        return rc;
    return zf_ctx_json(c, 200, json_pack("{s:i,s:s,s:o}", "year", year, "deadline",
                                         zf_date_format(due, zf_annual_deadline(year)), "items", items));
}

/* ---- GET /api/v1/annual-reports/late?year=Y[&on=YYYY-MM-DD] ---- */

static int ar_late(zf_ctx *c)
{
    const char *on_s = zf_ctx_query(c, "on");
    json_t *items = NULL, *late = json_array(), *it;
    zf_date on = zf_calendar_store_today(c->now);
    char due[ZF_DATE_STRLEN], on_txt[ZF_DATE_STRLEN];
    int year, rc;
    size_t i;

    if ((rc = year_param(&year, c)) < 0)
        goto done;
    if (on_s && *on_s && (rc = zf_date_parse(&on, on_s, strlen(on_s), "on", &c->err)) < 0)
        goto done;
    if ((rc = zf_annual_list(&items, c->db, year, 0, 0, on, &c->err)) < 0)
        goto done;
    json_array_foreach(items, i, it) {
        const char *st = json_string_value(json_object_get(it, "status"));

        if (strcmp(st, "overdue") == 0 || strcmp(st, "late") == 0)
            json_array_append(late, it);
    }
    rc = zf_ctx_json(c, 200, json_pack("{s:i,s:s,s:s,s:O,s:O}", "year", year, "deadline",
                                       zf_date_format(due, zf_annual_deadline(year)), "on",
                                       zf_date_format(on_txt, on), "late", late, "departments", items));
done:
    json_decref(items);
    json_decref(late);
    return rc;
}

/* ---- GET /api/v1/annual-reports/city?year=Y[&format=xlsx|pdf] ---- */

static int ar_city(zf_ctx *c)
{
    json_t *rep = NULL, *meta;
    char base[64];
    int year, rc;

    if ((rc = year_param(&year, c)) < 0)
        return rc;
    if ((rc = zf_annual_city(&rep, c->db, year, c->now, &c->err)) < 0)
        return rc;
    meta = json_pack("{s:s,s:i,s:O,s:s,s:O,s:O,s:o}", "department", "全市", "year", year, "as_of",
                     json_object_get(rep, "as_of"), "state_name", "全市汇总", "departments",
                     json_object_get(rep, "departments"), "missing", json_object_get(rep, "missing"),
                     "report", rep);
    snprintf(base, sizeof base, "annual-report-city-%d", year);
    rc = zf_annual_send(c, meta, zf_ctx_query(c, "format"), base);
    json_decref(meta);
    return rc;
}

/* ---- POST /api/v1/annual-reports {year} ---- */

static int ar_generate(zf_ctx *c)
{
    static const zf_json_field spec[] = {{"year", ZF_JT_INT, 1, 0, "年度"}, {NULL, 0, 0, 0, NULL}};
    zf_annual_actor a = actor(c);
    json_t *in = NULL, *out = NULL;
    int64_t id = 0;
    json_int_t year;
    char loc[64];
    int rc;

    if ((rc = zf_json_decode(&in, c->body, c->body_len, spec, &c->err)) < 0)
        return rc;
    year = json_integer_value(json_object_get(in, "year"));
    json_decref(in);
    if (year < 1 || year > 9999)
        return zf_err_set(&c->err, ZF_EINVAL, "invalid_year", "year", "年度应为四位数字");
    /* a department's own report only: the caller's department */
    if ((rc = zf_annual_generate(&id, c->db, c->who->department_id, (int)year, &a, c->now, &c->err)) < 0)
        return rc;
    if ((rc = zf_annual_get_json(&out, c->db, id, 0, c->now, &c->err)) < 0)
        return rc;
    snprintf(loc, sizeof loc, "/api/v1/annual-reports/%lld", (long long)id);
    zf_ctx_header(c, "Location", loc);
    return zf_ctx_json(c, 201, out);
}

/* ---- GET /api/v1/annual-reports/{id}[?format=xlsx|pdf] ---- */

static int ar_get(zf_ctx *c)
{
    json_t *o = NULL;
    char base[96];
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    if ((rc = zf_annual_get_json(&o, c->db, id, 0, c->now, &c->err)) < 0)
        return rc;
    snprintf(base, sizeof base, "annual-report-%s-%lld", json_string_value(json_object_get(o, "department_code")),
             (long long)json_integer_value(json_object_get(o, "year")));
    rc = zf_annual_send(c, o, zf_ctx_query(c, "format"), base);
    json_decref(o);
    return rc;
}

static int ar_step(zf_ctx *c, int publish)
{
    zf_annual_actor a = actor(c);
    json_t *o = NULL;
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    if (c->body_len > 0) {
        static const zf_json_field none[] = {{NULL, 0, 0, 0, NULL}};
        json_t *in = NULL;

        if ((rc = zf_json_decode(&in, c->body, c->body_len, none, &c->err)) < 0)
            return rc;
        json_decref(in);
    }
    rc = publish ? zf_annual_publish(c->db, id, &a, c->now, &c->err)
                 : zf_annual_review(c->db, id, &a, c->now, &c->err);
    if (rc < 0 || (rc = zf_annual_get_json(&o, c->db, id, 0, c->now, &c->err)) < 0)
        return rc;
    return zf_ctx_json(c, 200, o);
}

static int ar_review(zf_ctx *c)
{
    return ar_step(c, 0);
}

static int ar_publish(zf_ctx *c)
{
    return ar_step(c, 1);
}

static int64_t resolve_report(zf_ctx *c)
{
    int64_t id, dept = 0;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    if ((rc = zf_annual_department(&dept, c->db, id, &c->err)) < 0)
        return rc;
    return dept;
}

const zf_route zf_annual_routes[] = {
    {"GET", "/api/v1/annual-reports/late", ar_late, ZF_ROLE_SUPERVISOR | ZF_ROLE_ADMIN, 0, NULL, 0, NULL},
    {"GET", "/api/v1/annual-reports/city", ar_city, READERS, 0, NULL, 0, NULL},
    {"GET", "/api/v1/annual-reports", ar_list, READERS, 0, NULL, 0, NULL},
    {"POST", "/api/v1/annual-reports", ar_generate, AUTHORS, 0, NULL, 0, NULL},
    {"GET", "/api/v1/annual-reports/{id}", ar_get, READERS, ZF_ROLES_DEPT_STAFF, resolve_report, 0, NULL},
    {"POST", "/api/v1/annual-reports/{id}/review", ar_review, AUTHORS, AUTHORS, resolve_report, 0, NULL},
    {"POST", "/api/v1/annual-reports/{id}/publish", ar_publish, AUTHORS, AUTHORS, resolve_report, 0, NULL},
    {NULL, NULL, NULL, 0, 0, NULL, 0, NULL},
};
