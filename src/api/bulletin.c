/* bulletin.c — the weekly supervision bulletin (执法监督周报, issue 8) as a
 * print-ready PDF through src/render:
 *
 *   GET /api/v1/cockpit/bulletin      (supervisor)
 *
 * It is built from the cockpit's precomputed figures (cumulative as of the
 * statistics day, which it states) and the red cards, in the layout of the
 * unified documents (GB/T 9704), issued in the name of the supervisor's own
 * department. A bulletin is a report, not an enforcement document: it
 * carries no verification code (zf_render_opts.report). */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/doctpl.h"
#include "core/doctpl_fields.h"
#include "render/pdf.h"
#include "store/calendar_store.h"
#include "store/cockpit_store.h"

static const zf_doc_field c_dept_cols[] = {
    TXT("name", "部门", REQ, 100),
    TXT("score", "考评得分", REQ, 20),
    TXT("publications", "公示：按时/逾期/未公示", REQ, 40),
    TXT("reviews", "审核：按时/逾期/超期未结", REQ, 40),
    TXT("recording", "缺少音像记录", REQ, 20),
    TXT("cards", "红牌/黄牌", REQ, 20),
};

static const zf_doc_field f_bulletin[] = {
    TXT("period", "统计期间", REQ, 200),
    LTXT("summary", "总体情况", REQ, 4000),
    ROWS("departments", "各部门情况", REQ, 200, c_dept_cols),
    LTXT("warnings", "红牌事项", OPT, 8000),
    DATE("issue_date", "日期", REQ),
};

static const zf_doc_check k_none[1];

static const zf_doctpl BULLETIN = {"cockpit_bulletin", "执法监督周报", "supervision", NULL, ZF_LAYOUT_LETTER,
                                   f_bulletin, NELEM(f_bulletin), k_none, 0};

static int64_t mget(const json_t *m, const char *k)
{
    return json_integer_value(json_object_get(m, k));
}

/* The red cards, numbered, at most 30 (the rest counted). */
static int red_cards(zf_buf *out, zf_ctx *c)
{
    zf_stmt *s = NULL;
    int rc, n = 0;
    int64_t total = 0;

    if ((rc = zf_db_query_int64(c->db, &total, "SELECT COUNT(*) FROM warnings WHERE level = 'red'", &c->err, 0,
                                NULL)) < 0 ||
        (rc = zf_db_prepare(&s, c->db,
                            "SELECT COALESCE(d.name, ''), w.explanation FROM warnings w LEFT JOIN departments d "
                            "ON d.id = w.department_id WHERE w.level = 'red' ORDER BY w.department_id, w.id LIMIT 30",
                            &c->err)) < 0)
        return rc;
    while ((rc = zf_stmt_step(s, &c->err)) == 1)
        zf_buf_printf(out, "%s%d. %s：%s", n ? "\n" : "", n + 1, zf_stmt_text(s, 0), zf_stmt_text(s, 1)), n++;
    zf_stmt_free(s);
    if (rc < 0)
        return rc;
    if (total > n)
        zf_buf_printf(out, "\n另有 %lld 项，详见驾驶舱。", (long long)(total - n));
    return 0;
}

static int h_bulletin(zf_ctx *c)
{
    json_t *view = NULL, *fields = NULL, *rows, *depts, *city;
    zf_buf pdf = ZF_BUF_INIT, sum = ZF_BUF_INIT, reds = ZF_BUF_INIT;
    zf_render_opts opts = ZF_RENDER_OPTS_INIT;
    zf_stmt *s = NULL;
    zf_date today = zf_calendar_store_today(c->now), monday;
    char authority[300] = "", d0[ZF_DATE_STRLEN], d1[ZF_DATE_STRLEN], period[200], when[32];
    size_t i;
    int rc;

    if (zf_cockpit_computed_at(c->db) == 0 && (rc = zf_cockpit_refresh(NULL, c->db, c->now, &c->err)) < 0)
        return rc;
    if ((rc = zf_cockpit_view(&view, c->db, 0, c->now, &c->err)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&s, c->db, "SELECT name FROM departments WHERE id = $1", &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(s, 1, c->who->department_id);
    if ((rc = zf_stmt_step(s, &c->err)) == 1)
        snprintf(authority, sizeof authority, "%s", zf_stmt_text(s, 0));
    zf_stmt_free(s);
    if (rc < 0)
        goto done;
    /* the week (Monday to Sunday) holding the statistics day: 1970-01-01 was a Thursday */
    monday = today - (zf_date)(((today % 7) + 10) % 7);
    zf_date_format(d0, monday);
    zf_date_format(d1, monday + 6);
    snprintf(period, sizeof period, "%s 至 %s（数字为截至 %s 的累计数）", d0, d1,
             json_string_value(json_object_get(view, "as_of")) ? json_string_value(json_object_get(view, "as_of"))
                                                                 : d1);
    city = json_object_get(view, "city");
    zf_buf_printf(&sum,
                  "全市共有执法案件 %lld 件，其中在办 %lld 件。执法决定公示按时 %lld 件、逾期公示 %lld 件、逾期未公示 "
                  "%lld 件；法制审核按时办结 %lld 件、逾期办结 %lld 件、超期未结 %lld 件。缺少必须音像记录的案件 %lld "
                  "件；执法证件过期后仍在执法的人员 %lld 人；法制审核人员 %lld 人（应配 %lld 人）；撤回公示 %lld 件。"
                  "本期红牌 %lld 项、黄牌 %lld 项；全市考评得分 %.1f。",
                  (long long)mget(city, "cases_total"), (long long)mget(city, "cases_open"),
                  (long long)mget(city, "pub_on_time"), (long long)mget(city, "pub_late"),
                  (long long)mget(city, "pub_missing"), (long long)mget(city, "reviews_on_time"),
                  (long long)mget(city, "reviews_late"), (long long)mget(city, "reviews_overdue"),
                  (long long)mget(city, "missing_recording"), (long long)mget(city, "certs_expired_acting"),
                  (long long)mget(city, "reviewers"), (long long)mget(city, "reviewers_required"),
                  (long long)mget(city, "withdrawals"), (long long)mget(city, "warnings_red"),
                  (long long)mget(city, "warnings_yellow"), json_number_value(json_object_get(view, "city_score")));
    rows = json_array();
    depts = json_object_get(view, "departments");
    for (i = 0; i < json_array_size(depts); i++) {
        json_t *d = json_array_get(depts, i), *m = json_object_get(d, "metrics");
        char score[20], pub[40], rev[40], rec[20], cards[20];

        snprintf(score, sizeof score, "%.1f", json_number_value(json_object_get(d, "score")));
        snprintf(pub, sizeof pub, "%lld/%lld/%lld", (long long)mget(m, "pub_on_time"), (long long)mget(m, "pub_late"),
                 (long long)mget(m, "pub_missing"));
        snprintf(rev, sizeof rev, "%lld/%lld/%lld", (long long)mget(m, "reviews_on_time"),
                 (long long)mget(m, "reviews_late"), (long long)mget(m, "reviews_overdue"));
        snprintf(rec, sizeof rec, "%lld", (long long)mget(m, "missing_recording"));
        snprintf(cards, sizeof cards, "%lld/%lld", (long long)mget(m, "warnings_red"),
                 (long long)mget(m, "warnings_yellow"));
        json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name",
                                              json_string_value(json_object_get(d, "name")), "score", score,
                                              "publications", pub, "reviews", rev, "recording", rec, "cards", cards));
    }
    if ((rc = red_cards(&reds, c)) < 0) {
        json_decref(rows);
        goto done;
    }
    zf_date_format(when, today);
    fields = json_pack("{s:s, s:s, s:o, s:s}", "period", period, "summary", zf_buf_str(&sum), "departments", rows,
                       "issue_date", when);
    if (reds.len)
        json_object_set_new(fields, "warnings", json_string(zf_buf_str(&reds)));
    opts.authority = *authority ? authority : "司法局";
    opts.report = 1;
    if ((rc = zf_render_pdf(&pdf, NULL, &BULLETIN, fields, &opts, &c->err)) < 0)
        goto done;
    c->content_type = "application/pdf";
    zf_ctx_header(c, "Content-Disposition", "inline; filename=\"bulletin.pdf\"");
    zf_buf_reset(&c->out);
    zf_buf_append(&c->out, pdf.ptr, pdf.len);
    c->status = 200;
    rc = 0;
done:
    json_decref(view);
    json_decref(fields);
    zf_buf_free(&pdf);
    zf_buf_free(&sum);
    zf_buf_free(&reds);
    return rc;
}

const zf_route zf_bulletin_routes[] = {
    {"GET", "/api/v1/cockpit/bulletin", h_bulletin, ZF_ROLE_SUPERVISOR, 0, NULL, 0, NULL},
    {NULL, NULL, NULL, 0, 0, NULL, 0, NULL},
};
