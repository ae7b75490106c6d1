/* supervision.c — supervision views not already in cases.c (issue 5).
 *
 * cases.c serves the filtered case list (department, stage, procedure,
 * power type, officer, overdue, dates), the timeline, one party's record
 * across cases and the counts by stage and type with time per stage in
 * seconds. This file adds the time spent per stage in 工作日 per department:
 *
 *   GET /api/v1/supervision/stage-times?department_id=&procedure=&from=&to=
 *
 * A stay in a stage runs from the event that entered it to the event that
 * left it (the 'create' row enters the first stage); its length is the
 * number of working days d with entered < d <= left (zf_calendar_workdays_
 * between on China dates), so a stage entered and left on one day counts 0.
 * from/to bound the day the stage was left. Staff see their own department,
 * the Justice Bureau's supervisor any or all. */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/workflow.h"
#include "store/calendar_store.h"
#include "util/mem.h"

typedef struct group {
    int64_t dept;
    char dept_name[200];
    char proc[32], stage[32];
    int64_t n, days, max_days;
} group;

static int id_param(zf_ctx *c, const char *key, int64_t *out)
{
    const char *s = zf_ctx_query(c, key);
    char *end;
    long long v;

    *out = 0;
    if (!s || !*s)
        return 0;
    v = strtoll(s, &end, 10);
    if (*end || v <= 0)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", key, "%s应为正整数", key);
    *out = v;
    return 0;
}

static int date_param(zf_ctx *c, const char *key, zf_date *out)
{
    const char *s = zf_ctx_query(c, key);

    *out = 0;
    if (!s || !*s)
        return 0;
    return zf_date_parse(out, s, strlen(s), key, &c->err) < 0 ? c->err.rc : 1;
}

static int h_stage_times(zf_ctx *c)
{
    const zf_calendar *cal = NULL;
    zf_stmt *st = NULL;
    group *g = NULL;
    size_t n = 0, cap = 0, i;
    int64_t dept = 0;
    zf_date from = 0, to = 0;
    int has_from, has_to, rc;
    const char *proc = zf_ctx_query(c, "procedure");
    json_t *items = NULL;

    if ((rc = id_param(c, "department_id", &dept)) < 0 || (has_from = date_param(c, "from", &from)) < 0 ||
        (has_to = date_param(c, "to", &to)) < 0)
        return c->err.rc;
    if (proc && *proc && !zf_workflow_procedure(proc))
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "procedure", "未知的执法程序：%s", proc);
    if (c->who->role != ZF_ROLE_SUPERVISOR) {
        if (dept && dept != c->who->department_id)
            return zf_err_set(&c->err, ZF_EPERM, "forbidden", "department_id", "只能查看本部门的统计");
        dept = c->who->department_id;
    }
    if ((rc = zf_calendar_cache_acquire(&cal, c->db, &c->err)) < 0)
        return rc;
    if ((rc = zf_db_prepare(
             &st, c->db,
             "SELECT c.department_id, d.name, c.procedure, x.from_stage, x.entered, x.at FROM "
             "(SELECT e.case_id, e.from_stage, e.at, LAG(e.at) OVER (PARTITION BY e.case_id ORDER BY e.id) "
             "AS entered FROM case_events e WHERE e.from_stage IS NULL OR e.from_stage <> e.to_stage) x "
             "JOIN cases c ON c.id = x.case_id JOIN departments d ON d.id = c.department_id "
             "WHERE x.from_stage IS NOT NULL AND x.entered IS NOT NULL "
             "AND (CAST($1 AS BIGINT) IS NULL OR c.department_id = $1) "
             "AND (CAST($2 AS TEXT) IS NULL OR c.procedure = $2) ORDER BY c.department_id",
             &c->err)) < 0)
        goto done;
    if (dept)
        zf_stmt_bind_int64(st, 1, dept);
    else
        zf_stmt_bind_null(st, 1);
    zf_stmt_bind_text_or_null(st, 2, proc && *proc ? proc : NULL);
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        zf_date a = zf_calendar_store_today(zf_stmt_int64(st, 4)), b = zf_calendar_store_today(zf_stmt_int64(st, 5));
        int days = 0;
        zf_err e2 = ZF_ERR_INIT;

        if ((has_from && b < from) || (has_to && b > to))
            continue;
        if (zf_calendar_workdays_between(&days, cal, a, b, &e2) < 0)
            continue; /* a date outside the calendar's years: not counted */
        for (i = 0; i < n; i++)
            if (g[i].dept == zf_stmt_int64(st, 0) && strcmp(g[i].proc, zf_stmt_text(st, 2)) == 0 &&
                strcmp(g[i].stage, zf_stmt_text(st, 3)) == 0)
                break;
        if (i == n) {
            if (n == cap) {
                cap = cap ? cap * 2 : 32;
                g = zf_realloc(g, cap * sizeof *g);
            }
            memset(&g[n], 0, sizeof g[n]);
            g[n].dept = zf_stmt_int64(st, 0);
            snprintf(g[n].dept_name, sizeof g[n].dept_name, "%s", zf_stmt_text(st, 1));
            snprintf(g[n].proc, sizeof g[n].proc, "%s", zf_stmt_text(st, 2));
            snprintf(g[n].stage, sizeof g[n].stage, "%s", zf_stmt_text(st, 3));
            n++;
        }
        g[i].n++;
        g[i].days += days;
        if (days > g[i].max_days)
            g[i].max_days = days;
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    items = json_array();
    for (i = 0; i < n; i++) {
        const zf_wf_procedure *p = zf_workflow_procedure(g[i].proc);
        const zf_wf_stage *s = p ? zf_workflow_stage(p, g[i].stage) : NULL;

        json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:f, s:I}", "department_id",
                                               (json_int_t)g[i].dept, "department_name", g[i].dept_name,
                                               "procedure", g[i].proc, "procedure_name", p ? p->name : g[i].proc,
                                               "stage", g[i].stage, "stage_name", s ? s->name : g[i].stage,
                                               "stays", (json_int_t)g[i].n, "avg_workdays",
                                               (double)g[i].days / (double)g[i].n, "max_workdays",
                                               (json_int_t)g[i].max_days));
    }
    rc = zf_ctx_json(c, 200, json_pack("{s:o, s:o}", "department_id", dept ? json_integer(dept) : json_null(),
                                       "items", items));
done:
    zf_stmt_free(st);
    zf_calendar_cache_release(cal);
    free(g);
    return rc;
}

const zf_route zf_supervision_routes[] = {
    {"GET", "/api/v1/supervision/stage-times", h_stage_times, ZF_ROLES_DEPT_STAFF | ZF_ROLE_SUPERVISOR, 0, NULL, 0,
     NULL},
    {NULL, NULL, NULL, 0, 0, NULL, 0, NULL},
};
