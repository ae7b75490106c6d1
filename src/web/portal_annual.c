/* portal_annual.c — the public side of the annual report (年报, issue 7):
 *   /annual-reports[?year=]            years with published reports, and per
 *                                      department of the year: published or not
 *   /annual-reports/{id}               a department's published report: a bar
 *                                      chart (server-rendered SVG) and a table
 *                                      per section
 *   /annual-reports/{id}/xlsx|pdf      its downloads
 *   /annual-reports/city/{year}        the city's (sum of the published ones)
 *   /annual-reports/city/{year}/xlsx|pdf
 * Only published reports are ever shown here. Its own template set, like
 * portal_publications.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/annual.h"
#include "render/annual_doc.h"
#include "store/annual_store.h"
#include "store/calendar_store.h"
#include "util/mem.h"
#include "web/svg.h"
#include "web/tplset.h"

static const char *const TEMPLATES[] = {"layout_head", "layout_foot", "annual_reports", "annual_report",
                                        NULL};
static zf_tplset_lazy tpls = ZF_TPLSET_LAZY(TEMPLATES);

static int ready(zf_ctx *c)
{
    return zf_tplset_ready(&tpls, c);
}

static int render(zf_ctx *c, const char *tpl, const char *title, json_t *ctx)
{
    json_object_set_new(ctx, "nav", json_pack("{s:b}", "annual", 1));
    return zf_tplset_page(&tpls, c, tpl, title, ctx);
}

/* ---- /annual-reports ---- */

static int list_page(zf_ctx *c)
{
    const char *ys = zf_ctx_query(c, "year");
    json_t *years = NULL, *items = NULL, *ctx, *opts = json_array(), *y;
    char due[ZF_DATE_STRLEN], *end = NULL;
    long year = 0;
    size_t i;
    int rc;

    if ((rc = ready(c)) < 0)
        goto fail;
    if (ys && *ys) {
        year = strtol(ys, &end, 10);
        if (*end || year < ZF_ANNUAL_FIRST_YEAR || year > 9999) {
            rc = zf_err_set(&c->err, ZF_EINVAL, "invalid_year", "year", "年度无效");
            goto fail;
        }
    }
    if ((rc = zf_annual_years(&years, c->db, &c->err)) < 0)
        goto fail;
    if (!year && json_array_size(years))
        year = (long)json_integer_value(json_array_get(years, 0));
    json_array_foreach(years, i, y)
        json_array_append_new(opts, json_pack("{s:O,s:b}", "year", y, "selected",
                                              json_integer_value(y) == year));
    ctx = json_pack("{s:o}", "years", opts);
    opts = NULL;
    if (year) {
        if ((rc = zf_annual_list(&items, c->db, (int)year, 0, 0, zf_calendar_store_today(c->now), &c->err)) < 0) {
            json_decref(ctx);
            goto fail;
        }
        json_object_set_new(ctx, "year", json_integer(year));
        json_object_set_new(ctx, "deadline", json_string(zf_date_format(due, zf_annual_deadline((int)year))));
        /* only published reports are linked */
        json_array_foreach(items, i, y)
            if (!json_is_string(json_object_get(y, "published_on")))
                json_object_set_new(y, "id", json_null());
        json_object_set_new(ctx, "items", items);
        items = NULL;
    }
    json_decref(years);
    return render(c, "annual_reports", "行政执法数据年报", ctx);
fail:
    json_decref(years);
    json_decref(opts);
    json_decref(items);
    return rc;
}

/* ---- a report page ---- */

/* Adds per section: has_chart + chart (SVG), has_amount, amounts in yuan. */
static int decorate(json_t *report)
{
    json_t *sec, *it;
    size_t i, j;
    int rc = 0;

    json_array_foreach(json_object_get(report, "sections"), i, sec) {
        json_t *items = json_object_get(sec, "items");
        size_t n = json_array_size(items);
        const char **labels = zf_calloc(n ? n : 1, sizeof *labels);
        int64_t *values = zf_calloc(n ? n : 1, sizeof *values);
        int has_amount = 0;
        zf_buf svg = ZF_BUF_INIT;
        char id[48];

        json_array_foreach(items, j, it) {
            json_t *a = json_object_get(it, "amount_fen");
            char yuan[48] = "—";

            labels[j] = json_string_value(json_object_get(it, "label"));
            if (!labels[j])
                labels[j] = "";
            values[j] = json_integer_value(json_object_get(it, "count"));
            if (a) {
                has_amount = 1;
                zf_annual_doc_yuan(yuan, sizeof yuan, json_integer_value(a));
            }
            json_object_set_new(it, "amount", json_string(yuan));
        }
        json_object_set_new(sec, "has_amount", json_boolean(has_amount));
        if (n) {
            snprintf(id, sizeof id, "chart-%zu", i);
            if ((rc = zf_svg_bars(&svg, json_string_value(json_object_get(sec, "title")), id, labels, values,
                                  n)) == 0) {
                json_object_set_new(sec, "chart", json_string(zf_buf_str(&svg)));
                json_object_set_new(sec, "has_chart", json_true());
            }
        }
        zf_buf_free(&svg);
        free(labels);
        free(values);
        if (rc < 0)
            break;
    }
    return rc;
}

static int show(zf_ctx *c, json_t *meta, const char *base, const char *format)
{
    json_t *ctx, *rep = json_object_get(meta, "report");
    char title[200];
    int rc;

    if (format) {
        char name[96];
        const char *slash = strrchr(base, '/');

        snprintf(name, sizeof name, "annual-report-%s", slash ? slash + 1 : base);
        return zf_annual_send(c, meta, format, name);
    }
    snprintf(title, sizeof title, "%s %lld 年度行政执法数据年报", json_string_value(json_object_get(meta, "department")),
             (long long)json_integer_value(json_object_get(meta, "year")));
    ctx = json_deep_copy(meta);
    rep = json_object_get(ctx, "report");
    if ((rc = decorate(rep)) < 0) {
        json_decref(ctx);
        return zf_err_set(&c->err, rc, NULL, NULL, "年报图表过大");
    }
    json_object_set(ctx, "sections", json_object_get(rep, "sections"));
    json_object_set_new(ctx, "base", json_string(base));
    return render(c, "annual_report", title, ctx);
}

static int report_page_fmt(zf_ctx *c, const char *format)
{
    json_t *o = NULL;
    char base[64];
    int64_t id;
    int rc;

    if ((rc = ready(c)) < 0 || (rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    if ((rc = zf_annual_get_json(&o, c->db, id, 1, c->now, &c->err)) < 0)
        return rc;
    snprintf(base, sizeof base, "/annual-reports/%lld", (long long)id);
    if (format) /* file name: the department code and year */
        snprintf(base, sizeof base, "%s-%lld", json_string_value(json_object_get(o, "department_code")),
                 (long long)json_integer_value(json_object_get(o, "year")));
    rc = show(c, o, base, format);
    json_decref(o);
    return rc;
}

static int report_page(zf_ctx *c)
{
    return report_page_fmt(c, NULL);
}

static int report_xlsx(zf_ctx *c)
{
    return report_page_fmt(c, "xlsx");
}

static int report_pdf(zf_ctx *c)
{
    return report_page_fmt(c, "pdf");
}

static int city_fmt(zf_ctx *c, const char *format)
{
    json_t *rep = NULL, *meta, *missing;
    zf_buf names = ZF_BUF_INIT;
    char base[64], *end = NULL;
    const char *ys = c->nparams > 0 ? c->params[0] : "";
    long year = strtol(ys, &end, 10);
    size_t i;
    json_t *m;
    int rc;

    if ((rc = ready(c)) < 0)
        return rc;
    if (*end || end == ys || year < ZF_ANNUAL_FIRST_YEAR ||
        zf_annual_year_check((int)year, zf_calendar_store_today(c->now), NULL) < 0)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "没有该年度的年报");
    if ((rc = zf_annual_city(&rep, c->db, (int)year, c->now, &c->err)) < 0)
        return rc;
    if (json_integer_value(json_object_get(rep, "departments")) == 0) {
        json_decref(rep);
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "%ld 年度尚无已公开的部门年报", year);
    }
    missing = json_object_get(rep, "missing");
    json_array_foreach(missing, i, m)
        zf_buf_printf(&names, "%s%s", i ? "、" : "", json_string_value(m));
    meta = json_pack("{s:s,s:i,s:O,s:s,s:O,s:s,s:o}", "department", "全市", "year", (int)year, "as_of",
                     json_object_get(rep, "as_of"), "state_name", "全市汇总", "departments",
                     json_object_get(rep, "departments"), "missing_text", zf_buf_str(&names), "report", rep);
    zf_buf_free(&names);
    if (format)
        snprintf(base, sizeof base, "city-%ld", year);
    else
        snprintf(base, sizeof base, "/annual-reports/city/%ld", year);
    rc = show(c, meta, base, format);
    json_decref(meta);
    return rc;
}

static int city_page(zf_ctx *c)
{
    return city_fmt(c, NULL);
}

static int city_xlsx(zf_ctx *c)
{
    return city_fmt(c, "xlsx");
}

static int city_pdf(zf_ctx *c)
{
    return city_fmt(c, "pdf");
}

const zf_route zf_portal_annual_routes[] = {
    {"GET", "/annual-reports", list_page, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML, NULL},
    {"GET", "/annual-reports/city/{year}", city_page, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML, NULL},
    {"GET", "/annual-reports/city/{year}/xlsx", city_xlsx, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML, NULL},
    {"GET", "/annual-reports/city/{year}/pdf", city_pdf, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML, NULL},
    {"GET", "/annual-reports/{id}", report_page, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML, NULL},
    {"GET", "/annual-reports/{id}/xlsx", report_xlsx, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML, NULL},
    {"GET", "/annual-reports/{id}/pdf", report_pdf, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML, NULL},
    {NULL, NULL, NULL, 0, 0, NULL, 0, NULL},
};
