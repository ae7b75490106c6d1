/* cockpit_store.c — the cockpit's numbers, the warning rules and the tracker
 * (see cockpit_store.h for the contract).
 *
 * Every figure is one grouped query over the records, run outside a write
 * transaction; only the replacement of cockpit_stats and warnings takes the
 * writer, so a refresh over a large database blocks writers for the time of
 * a few hundred inserts, not for the scans. */
#include "store/cockpit_store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/calendar.h"
#include "core/workflow.h"
#include "store/calendar_store.h"
#include "util/buf.h"
#include "util/mem.h"

/* ---- collected rows --------------------------------------------------------------------- */

typedef struct stat_row {
    int64_t dept;
    char metric[48];
    int64_t value;
} stat_row;

typedef struct stats {
    stat_row *v;
    size_t n, cap;
} stats;

/* Adds value to (dept, metric), creating the row. Linear: a refresh holds a
 * few thousand rows at most (departments x metrics). */
static void stat_add(stats *s, int64_t dept, const char *metric, int64_t value)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        if (s->v[i].dept == dept && strcmp(s->v[i].metric, metric) == 0) {
            s->v[i].value += value;
            return;
        }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->v = zf_realloc(s->v, s->cap * sizeof *s->v);
    }
    s->v[s->n].dept = dept;
    snprintf(s->v[s->n].metric, sizeof s->v[s->n].metric, "%s", metric);
    s->v[s->n].value = value;
    s->n++;
}

typedef struct row {
    int64_t dept, oid, case_id;
    int64_t n[3];
    char t[3][400];
} row;

typedef struct warn {
    int64_t rule_id, dept, oid, case_id;
    char level[8], otype[16];
    char *explanation;
    char link[64];
} warn;

typedef struct warns {
    warn *v;
    size_t n, cap;
} warns;

static void warns_free(warns *w)
{
    size_t i;

    for (i = 0; i < w->n; i++)
        free(w->v[i].explanation);
    free(w->v);
}

/* ---- rule kinds ------------------------------------------------------------------------- */

typedef struct kind {
    const char *kind;
    const char *otype;
    /* columns: department, object id, case id (or NULL), n1, n2, n3, t1, t2, t3.
     * $1 today 'YYYY-MM-DD', $2 now (Unix seconds), $3..$5 the params in
     * order, $6 the date params[0] days before today. */
    const char *sql;
    const char *params[3];
    int64_t defaults[3];
    void (*explain)(zf_buf *b, const row *r, const int64_t p[3]);
    int (*keep)(const row *r, const int64_t p[3], zf_date today);
} kind;

static void ex_pub(zf_buf *b, const row *r, const int64_t p[3])
{
    (void)p;
    zf_buf_printf(b, "执法决定公示《%s》应于 %s 前公开，截至今日仍未公开。", r->t[0], r->t[1]);
}

static void ex_review(zf_buf *b, const row *r, const int64_t p[3])
{
    (void)p;
    zf_buf_printf(b, "案件《%s》第 %lld 轮法制审核应于 %s 前办结，截至今日仍未出具审核意见。", r->t[0],
                  (long long)r->n[0], r->t[1]);
}

static void ex_clock(zf_buf *b, const row *r, const int64_t p[3])
{
    const zf_wf_clock_rule *cr = zf_workflow_clock_rule(r->t[2]);

    (void)p;
    zf_buf_printf(b, "案件《%s》的“%s”已于 %s 届满，期限尚未完成。", r->t[0], cr ? cr->name : r->t[2],
                  r->t[1]);
}

static void ex_cert(zf_buf *b, const row *r, const int64_t p[3])
{
    (void)p;
    zf_buf_printf(b, "执法人员%s的执法证件有效期至 %s，此后仍在办理案件（最近一次在案件 #%lld）。", r->t[0],
                  r->t[1], (long long)r->case_id);
}

/* The China date of Unix time t, as zf_calendar_store_today does. */
static int keep_cert(const row *r, const int64_t p[3], zf_date today)
{
    zf_date to, last = zf_calendar_store_today(r->n[0]);

    (void)p;
    (void)today;
    return zf_date_parse(&to, r->t[1], strlen(r->t[1]), NULL, NULL) == 0 && last > to;
}

static int64_t required_reviewers(int64_t officers, int64_t percent)
{
    return (officers * percent + 99) / 100;
}

static void ex_reviewers(zf_buf *b, const row *r, const int64_t p[3])
{
    zf_buf_printf(b, "%s现有执法人员 %lld 人，按不少于 %lld%% 的要求应配备法制审核人员至少 %lld 人，实有 %lld 人。",
                  r->t[0], (long long)r->n[0], (long long)p[0],
                  (long long)required_reviewers(r->n[0], p[0]), (long long)r->n[1]);
}

static int keep_reviewers(const row *r, const int64_t p[3], zf_date today)
{
    (void)today;
    return r->n[0] > 0 && r->n[1] < required_reviewers(r->n[0], p[0]);
}

static void ex_unpublished(zf_buf *b, const row *r, const int64_t p[3])
{
    zf_buf_printf(b, "%s近 %lld 天作出行政处罚决定 %lld 件，同期公开的行政处罚决定为 0 件。", r->t[0],
                  (long long)p[0], (long long)r->n[0]);
}

static void ex_disagree(zf_buf *b, const row *r, const int64_t p[3])
{
    (void)p;
    zf_buf_printf(b, "案件《%s》第 %lld 轮法制审核结论为“不同意”（%s），案件仍作出了决定（结果：%s）%s。", r->t[0],
                  (long long)r->n[0], r->t[1], r->t[2],
                  r->n[1] ? "，经集体讨论决定继续" : "，且无集体讨论记录");
}

static void money(char *out, size_t cap, int64_t fen)
{
    snprintf(out, cap, "%lld.%02lld", (long long)(fen / 100), (long long)(llabs(fen) % 100));
}

static void ex_fine(zf_buf *b, const row *r, const int64_t p[3])
{
    char f[32], lo[32], hi[32];

    money(f, sizeof f, r->n[0]);
    money(lo, sizeof lo, r->n[1]);
    money(hi, sizeof hi, r->n[2]);
    zf_buf_printf(b, "案件《%s》罚款 %s 元，同一执法事项“%s”的裁量基准为 %s 至 %s 元，偏离超过 %lld%%。", r->t[0], f,
                  r->t[1], lo, hi, (long long)p[0]);
}

static void ex_share(zf_buf *b, const row *r, const int64_t p[3])
{
    zf_buf_printf(b, "近 %lld 天%s立案 %lld 件，其中执法人员%s主办 %lld 件，占 %lld%%，超过 %lld%%。", (long long)p[0],
                  r->t[1], (long long)r->n[1], r->t[0], (long long)r->n[0],
                  (long long)(r->n[0] * 100 / (r->n[1] ? r->n[1] : 1)), (long long)p[1]);
}

static void ex_recording(zf_buf *b, const row *r, const int64_t p[3])
{
    const zf_wf_procedure *proc = zf_workflow_procedure(r->t[2]);
    const zf_wf_action *a = proc ? zf_workflow_action(proc, r->t[1]) : NULL;

    (void)p;
    zf_buf_printf(b, "案件《%s》已结案，音像记录事项清单要求“%s”环节必须音像记录，案卷中没有相应的音像记录（%lld 处）。",
                  r->t[0], a ? a->name : r->t[1], (long long)r->n[0]);
}

static void ex_withdrawals(zf_buf *b, const row *r, const int64_t p[3])
{
    zf_buf_printf(b, "%s近 %lld 天撤回公示 %lld 件，达到 %lld 件的提示线。", r->t[0], (long long)p[0],
                  (long long)r->n[0], (long long)p[1]);
}

static const kind KINDS[] = {
    {"publication_overdue", "publication",
     "SELECT department_id, id, case_id, 0, 0, 0, title, due_date, '' FROM publications "
     "WHERE state = 'pending' AND due_date IS NOT NULL AND due_date < $1 ORDER BY due_date, id",
     {NULL, NULL, NULL}, {0, 0, 0}, ex_pub, NULL},
    {"review_overdue", "review",
     "SELECT r.department_id, r.id, r.case_id, r.no, 0, 0, c.title, r.due_on, '' FROM review_rounds r "
     "JOIN cases c ON c.id = r.case_id WHERE r.state IN ('submitted', 'in_review') "
     "AND r.due_on IS NOT NULL AND r.due_on < $1 ORDER BY r.due_on, r.id",
     {NULL, NULL, NULL}, {0, 0, 0}, ex_review, NULL},
    {"clock_overdue", "clock",
     "SELECT k.department_id, k.id, k.object_id, 0, 0, 0, c.title, k.due_date, k.rule_code "
     "FROM clocks k JOIN cases c ON c.id = k.object_id WHERE k.object_type = 'case' "
     "AND k.done_date IS NULL AND k.due_date IS NOT NULL AND k.due_date < $1 ORDER BY k.due_date, k.id",
     {NULL, NULL, NULL}, {0, 0, 0}, ex_clock, NULL},
    {"expired_certificate_acting", "officer",
     "SELECT o.department_id, o.id, MAX(e.case_id), MAX(e.at), COUNT(*), 0, o.name, "
     "o.certificate_valid_to, '' FROM officers o JOIN users u ON u.officer_id = o.id "
     "JOIN case_events e ON e.actor_id = u.id WHERE o.certificate_valid_to < $1 "
     "GROUP BY o.department_id, o.id, o.name, o.certificate_valid_to ORDER BY o.id",
     {NULL, NULL, NULL}, {0, 0, 0}, ex_cert, keep_cert},
    {"reviewer_shortage", "department",
     "SELECT d.id, d.id, NULL, (SELECT COUNT(*) FROM officers o WHERE o.department_id = d.id "
     "AND o.status = 'active'), (SELECT COUNT(*) FROM users u WHERE u.department_id = d.id "
     "AND u.role = 'reviewer' AND u.disabled = 0), 0, d.name, '', '' FROM departments d "
     "WHERE d.kind = 'enforcement' ORDER BY d.id",
     {"percent", NULL, NULL}, {5, 0, 0}, ex_reviewers, keep_reviewers},
    {"penalties_without_publication", "department",
     "SELECT d.id, d.id, NULL, x.n, 0, 0, d.name, '', '' FROM departments d JOIN "
     "(SELECT +c.department_id AS dept, COUNT(*) AS n FROM cases c WHERE c.outcome = 'penalty' AND EXISTS "
     "(SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.at >= $2 - $3 * 86400 "
     "AND e.detail LIKE '%\"outcome\":\"penalty\"%') GROUP BY +c.department_id) x ON x.dept = d.id "
     "WHERE x.n >= $4 AND NOT EXISTS (SELECT 1 FROM publications p WHERE p.department_id = d.id "
     "AND p.kind = 'penalty' AND p.published_on IS NOT NULL AND p.published_on >= $6) ORDER BY d.id",
     {"days", "min_penalties", NULL}, {90, 1, 0}, ex_unpublished, NULL},
    {"decision_after_disagree", "case",
     "SELECT c.department_id, c.id, c.id, r.no, CASE WHEN r.collective = 'proceed' THEN 1 ELSE 0 END, "
     "0, c.title, r.concluded_on, c.outcome FROM cases c JOIN review_rounds r ON r.case_id = c.id "
     "WHERE r.outcome = 'disagree' AND c.outcome <> '' AND c.outcome NOT IN ('not_filed', 'no_penalty') "
     "AND r.no = (SELECT MAX(r2.no) FROM review_rounds r2 WHERE r2.case_id = c.id) ORDER BY c.id",
     {NULL, NULL, NULL}, {0, 0, 0}, ex_disagree, NULL},
    {"fine_off_benchmark", "case",
     "SELECT c.department_id, c.id, c.id, c.fine_fen, CAST(b.lo * 100 AS BIGINT), "
     "CAST(b.hi * 100 AS BIGINT), c.title, m.name, '' FROM cases c JOIN matters m ON m.id = c.matter_id "
     "JOIN (SELECT matter_id, MIN(min_fine) AS lo, MAX(max_fine) AS hi FROM benchmarks "
     "WHERE min_fine IS NOT NULL AND max_fine IS NOT NULL GROUP BY matter_id) b ON b.matter_id = c.matter_id "
     "WHERE c.fine_fen IS NOT NULL AND (c.fine_fen < b.lo * (100 - $3) OR c.fine_fen > b.hi * (100 + $3)) "
     "ORDER BY c.id",
     {"tolerance_percent", NULL, NULL}, {20, 0, 0}, ex_fine, NULL},
    {"officer_case_share", "officer",
     "SELECT x.dept, x.officer_id, NULL, x.n, t.n, 0, o.name, d.name, '' FROM "
     "(SELECT c.department_id AS dept, co.officer_id AS officer_id, COUNT(*) AS n FROM cases c "
     "JOIN case_officers co ON co.case_id = c.id AND co.position = 0 WHERE c.created_at >= $2 - $3 * 86400 "
     "GROUP BY c.department_id, co.officer_id) x "
     "JOIN (SELECT +department_id AS dept, COUNT(*) AS n FROM cases WHERE created_at >= $2 - $3 * 86400 "
     "GROUP BY +department_id) t ON t.dept = x.dept "
     "JOIN officers o ON o.id = x.officer_id JOIN departments d ON d.id = x.dept "
     "WHERE t.n >= $5 AND x.n * 100 > t.n * $4 ORDER BY x.dept, x.officer_id",
     {"days", "share_percent", "min_cases"}, {180, 50, 10}, ex_share, NULL},
    {"closed_without_recording", "case",
     "SELECT c.department_id, c.id, c.id, COUNT(DISTINCT e.id), 0, 0, c.title, MIN(e.action), c.procedure "
     "FROM cases c JOIN case_events e ON e.case_id = c.id JOIN av_items a ON a.department_id = c.department_id "
     "AND a.mandatory = 1 AND a.method <> 'text' AND a.action = e.action "
     "AND (a.matter_id IS NULL OR a.matter_id = c.matter_id) AND (a.procedure = '' OR a.procedure = c.procedure) "
     "WHERE c.stage IN ('closed', 'archived') AND NOT EXISTS (SELECT 1 FROM case_event_evidence x "
     "JOIN evidence_files f ON f.id = x.evidence_id WHERE x.event_id = e.id AND f.kind = a.method) "
     "GROUP BY c.department_id, c.id, c.title, c.procedure ORDER BY c.id",
     {NULL, NULL, NULL}, {0, 0, 0}, ex_recording, NULL},
    {"repeated_withdrawals", "department",
     "SELECT d.id, d.id, NULL, COUNT(*), 0, 0, d.name, '', '' FROM publications p "
     "JOIN departments d ON d.id = p.department_id WHERE p.withdrawn_at IS NOT NULL "
     "AND p.withdrawn_at >= $2 - $3 * 86400 GROUP BY d.id, d.name HAVING COUNT(*) >= $4 ORDER BY d.id",
     {"days", "min", NULL}, {90, 3, 0}, ex_withdrawals, NULL},
};
#define NKINDS (sizeof KINDS / sizeof KINDS[0])

static const kind *kind_find(const char *k)
{
    size_t i;

    for (i = 0; k && i < NKINDS; i++)
        if (strcmp(KINDS[i].kind, k) == 0)
            return &KINDS[i];
    return NULL;
}

int zf_cockpit_rule_kind_known(const char *k)
{
    return kind_find(k) != NULL;
}

int zf_cockpit_rule_params_check(const char *k, const json_t *params, zf_err *err)
{
    const kind *kd = kind_find(k);
    const char *key;
    json_t *v;
    int i, found;

    if (!kd)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "kind", "未知的预警规则类型 %s", k ? k : "");
    if (!json_is_object(params))
        return zf_err_set(err, ZF_EINVAL, "wrong_type", "params", "规则参数应为对象");
    json_object_foreach((json_t *)params, key, v) {
        for (found = 0, i = 0; i < 3; i++)
            if (kd->params[i] && strcmp(kd->params[i], key) == 0)
                found = 1;
        if (!found)
            return zf_err_set(err, ZF_EINVAL, "unknown_field", "params", "该类型的规则没有参数 %s", key);
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 100000)
            return zf_err_set(err, ZF_EINVAL, "validation_failed", "params",
                              "参数 %s 应为 0 至 100000 的整数", key);
    }
    return 0;
}

json_t *zf_cockpit_rule_kinds(void)
{
    json_t *a = json_array();
    size_t i;
    int j;

    for (i = 0; i < NKINDS; i++) {
        json_t *ps = json_object();

        for (j = 0; j < 3; j++)
            if (KINDS[i].params[j])
                json_object_set_new(ps, KINDS[i].params[j], json_integer(KINDS[i].defaults[j]));
        json_array_append_new(a, json_pack("{s:s, s:s, s:o}", "kind", KINDS[i].kind, "object_type",
                                           KINDS[i].otype, "params", ps));
    }
    return a;
}

static void link_for(char *out, size_t cap, const char *otype, const row *r)
{
    if (strcmp(otype, "review") == 0)
        snprintf(out, cap, "#/reviews/case/%lld", (long long)r->case_id);
    else if (r->case_id > 0)
        snprintf(out, cap, "#/cases/%lld", (long long)r->case_id);
    else if (strcmp(otype, "officer") == 0)
        snprintf(out, cap, "#/officers?id=%lld", (long long)r->oid);
    else
        snprintf(out, cap, "#/cockpit/%lld", (long long)r->dept);
}

/* Runs one kind with params p; appends up to `keep_max` warnings (rule_id,
 * level) and counts every firing per department into st ("rule:<code>"). */
static int run_kind(warns *w, stats *st, zf_db *db, const kind *kd, const int64_t p[3], int64_t rule_id,
                    const char *code, const char *level, int64_t now, size_t keep_max, zf_err *err)
{
    zf_stmt *s = NULL;
    zf_date today = zf_calendar_store_today(now);
    char tbuf[ZF_DATE_STRLEN], cut[ZF_DATE_STRLEN], metric[48];
    size_t kept = 0;
    row r;
    int rc, i;

    if ((rc = zf_db_prepare(&s, db, kd->sql, err)) < 0)
        return rc;
    zf_date_format(tbuf, today);
    zf_date_format(cut, today - (zf_date)(p[0] > 40000 ? 40000 : p[0]));
    /* a kind binds only the parameters its SQL names; the others are ignored */
    zf_stmt_bind_text(s, 1, tbuf, -1);
    zf_stmt_bind_int64(s, 2, now);
    zf_stmt_bind_int64(s, 3, p[0]);
    zf_stmt_bind_int64(s, 4, p[1]);
    zf_stmt_bind_int64(s, 5, p[2]);
    zf_stmt_bind_text(s, 6, cut, -1);
    snprintf(metric, sizeof metric, "rule:%s", code);
    while ((rc = zf_stmt_step(s, err)) == 1) {
        memset(&r, 0, sizeof r);
        r.dept = zf_stmt_int64(s, 0);
        r.oid = zf_stmt_int64(s, 1);
        r.case_id = zf_stmt_is_null(s, 2) ? 0 : zf_stmt_int64(s, 2);
        for (i = 0; i < 3; i++) {
            const char *t = zf_stmt_text(s, 6 + i);

            r.n[i] = zf_stmt_int64(s, 3 + i);
            snprintf(r.t[i], sizeof r.t[i], "%s", t ? t : "");
        }
        if (kd->keep && !kd->keep(&r, p, today))
            continue;
        stat_add(st, r.dept, metric, 1);
        stat_add(st, r.dept, strcmp(level, "red") == 0 ? "warnings_red" : "warnings_yellow", 1);
        if (!w || kept >= keep_max)
            continue;
        {
            warn *x;
            zf_buf b;

            if (w->n == w->cap) {
                w->cap = w->cap ? w->cap * 2 : 64;
                w->v = zf_realloc(w->v, w->cap * sizeof *w->v);
            }
            x = &w->v[w->n++];
            memset(x, 0, sizeof *x);
            x->rule_id = rule_id;
            x->dept = r.dept;
            x->oid = r.oid;
            x->case_id = r.case_id;
            snprintf(x->level, sizeof x->level, "%s", level);
            snprintf(x->otype, sizeof x->otype, "%s", kd->otype);
            zf_buf_init(&b, 8192);
            kd->explain(&b, &r, p);
            x->explanation = zf_buf_detach(&b);
            link_for(x->link, sizeof x->link, kd->otype, &r);
            kept++;
        }
    }
    zf_stmt_free(s);
    return rc < 0 ? rc : 0;
}

static void params_of(int64_t out[3], const kind *kd, const char *json)
{
    json_t *o = json ? json_loads(json, 0, NULL) : NULL;
    int i;

    for (i = 0; i < 3; i++) {
        json_t *v = kd->params[i] ? json_object_get(o, kd->params[i]) : NULL;

        out[i] = json_is_integer(v) ? json_integer_value(v) : kd->defaults[i];
    }
    json_decref(o);
}

/* ---- the numbers ------------------------------------------------------------------------ */

/* One scan per table: SQL giving (department_id, value1, value2, ...) rows
 * and the metric name of each value column (comma-separated, in order).
 * $1 today, $2 now.
 *
 * "+department_id" (in SELECT and GROUP BY alike, so PostgreSQL accepts it)
 * keeps SQLite from grouping along the (department_id, ...) indexes, which
 * costs one random row lookup per row: 3.8 s instead of 0.8 s for a million
 * cases. */
static const struct {
    const char *metrics;
    const char *sql;
} STATS[] = {
    {"cases_total,cases_open,cases_closed,closed_seconds,penalties",
     "SELECT +department_id, COUNT(*), "
     "SUM(CASE WHEN stage NOT IN ('closed', 'archived') THEN 1 ELSE 0 END), "
     "SUM(CASE WHEN stage IN ('closed', 'archived') THEN 1 ELSE 0 END), "
     "SUM(CASE WHEN stage IN ('closed', 'archived') THEN updated_at - created_at ELSE 0 END), "
     "SUM(CASE WHEN outcome = 'penalty' THEN 1 ELSE 0 END) FROM cases GROUP BY +department_id"},
    {"pub_on_time,pub_late,pub_missing,pub_pending,withdrawals",
     "SELECT +department_id, SUM(CASE WHEN on_time = 1 THEN 1 ELSE 0 END), "
     "SUM(CASE WHEN on_time = 0 THEN 1 ELSE 0 END), "
     "SUM(CASE WHEN state = 'pending' AND due_date IS NOT NULL AND due_date < $1 THEN 1 ELSE 0 END), "
     "SUM(CASE WHEN state = 'pending' AND (due_date IS NULL OR due_date >= $1) THEN 1 ELSE 0 END), "
     "SUM(CASE WHEN withdrawn_at IS NOT NULL OR state = 'withdraw_pending' THEN 1 ELSE 0 END) "
     "FROM publications GROUP BY +department_id"},
    {"reviews_concluded,reviews_on_time,reviews_late,reviews_open,reviews_overdue,review_agree,review_not_yet,"
     "review_disagree",
     "SELECT +department_id, SUM(CASE WHEN concluded_on IS NOT NULL THEN 1 ELSE 0 END), "
     "SUM(CASE WHEN concluded_on IS NOT NULL AND due_on IS NOT NULL AND concluded_on <= due_on THEN 1 ELSE 0 END), "
     "SUM(CASE WHEN concluded_on IS NOT NULL AND due_on IS NOT NULL AND concluded_on > due_on THEN 1 ELSE 0 END), "
     "SUM(CASE WHEN state IN ('submitted', 'in_review') THEN 1 ELSE 0 END), "
     "SUM(CASE WHEN state IN ('submitted', 'in_review') AND due_on IS NOT NULL AND due_on < $1 THEN 1 ELSE 0 END), "
     "SUM(CASE WHEN outcome = 'agree' THEN 1 ELSE 0 END), SUM(CASE WHEN outcome = 'not_yet' THEN 1 ELSE 0 END), "
     "SUM(CASE WHEN outcome = 'disagree' THEN 1 ELSE 0 END) FROM review_rounds GROUP BY +department_id"},
    /* cases with an event the department's 音像记录事项清单 makes mandatory and no
     * file of that kind linked to it; driven by a sequential scan of cases
     * and the case_events_case index (joining events to av_items first makes
     * SQLite build a temporary index over every event: 4.3 s instead of 0.7 s
     * for a million cases) */
    {"missing_recording",
     "SELECT +c.department_id, COUNT(*) FROM cases c WHERE +c.department_id IN (SELECT department_id "
     "FROM av_items WHERE mandatory = 1 AND method <> 'text') AND EXISTS (SELECT 1 FROM case_events e "
     "JOIN av_items a ON a.department_id = c.department_id AND a.action = e.action AND a.mandatory = 1 "
     "AND a.method <> 'text' AND (a.matter_id IS NULL OR a.matter_id = c.matter_id) "
     "AND (a.procedure = '' OR a.procedure = c.procedure) WHERE e.case_id = c.id AND NOT EXISTS "
     "(SELECT 1 FROM case_event_evidence x JOIN evidence_files f ON f.id = x.evidence_id "
     "WHERE x.event_id = e.id AND f.kind = a.method)) GROUP BY +c.department_id"},
    {"officers,certs_expired",
     "SELECT department_id, COUNT(*), SUM(CASE WHEN certificate_valid_to < $1 THEN 1 ELSE 0 END) FROM officers "
     "WHERE status = 'active' GROUP BY department_id"},
    {"reviewers", "SELECT department_id, COUNT(*) FROM users WHERE role = 'reviewer' AND disabled = 0 "
                  "GROUP BY department_id"},
    {"clocks_overdue", "SELECT department_id, COUNT(*) FROM clocks WHERE object_type = 'case' "
                       "AND done_date IS NULL AND due_date IS NOT NULL AND due_date < $1 GROUP BY department_id"},
};

static int grouped(stats *st, zf_db *db, const char *metrics, const char *sql, const char *today, int64_t now,
                   zf_err *err)
{
    zf_stmt *s = NULL;
    char names[8][48];
    const char *p = metrics;
    int rc, n = 0, i;

    while (*p && n < 8) {
        size_t len = strcspn(p, ",");

        snprintf(names[n++], sizeof names[0], "%.*s", (int)len, p);
        p += len + (p[len] == ',');
    }
    if ((rc = zf_db_prepare(&s, db, sql, err)) < 0)
        return rc;
    zf_stmt_bind_text(s, 1, today, -1);
    zf_stmt_bind_int64(s, 2, now);
    while ((rc = zf_stmt_step(s, err)) == 1)
        for (i = 0; i < n; i++)
            if (zf_stmt_int64(s, 1 + i))
                stat_add(st, zf_stmt_int64(s, 0), names[i], zf_stmt_int64(s, 1 + i));
    zf_stmt_free(s);
    return rc < 0 ? rc : 0;
}

/* Open cases per current stage and their summed age in it. */
static int stage_stats(stats *st, zf_db *db, int64_t now, zf_err *err)
{
    zf_stmt *s = NULL;
    char m[48];
    int rc;

    if ((rc = zf_db_prepare(&s, db,
                            "SELECT +department_id, stage, COUNT(*), SUM($1 - stage_entered_at) FROM cases "
                            "WHERE stage NOT IN ('closed', 'archived') GROUP BY +department_id, stage",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(s, 1, now);
    while ((rc = zf_stmt_step(s, err)) == 1) {
        snprintf(m, sizeof m, "stage:%s", zf_stmt_text(s, 1));
        stat_add(st, zf_stmt_int64(s, 0), m, zf_stmt_int64(s, 2));
        snprintf(m, sizeof m, "stage_seconds:%s", zf_stmt_text(s, 1));
        stat_add(st, zf_stmt_int64(s, 0), m, zf_stmt_int64(s, 3));
    }
    zf_stmt_free(s);
    return rc < 0 ? rc : 0;
}

/* HOOK (complaints, issue 8): another branch adds the table `complaints`
 * (with department_id). Until it lands the query fails to prepare and the
 * cockpit reports complaints_available = 0 and zero complaints. */
static int complaint_stats(stats *st, zf_db *db, zf_err *err)
{
    zf_err ignored = ZF_ERR_INIT;
    int rc = grouped(st, db, "complaints", "SELECT department_id, COUNT(*) FROM complaints GROUP BY department_id",
                     "", 0, &ignored);

    (void)err;
    stat_add(st, 0, "complaints_available", rc == 0);
    return 0;
}

/* Replaces the figures, unless a computation whose reads began later
 * (started_ms) has already stored its own: two can overlap (the tick's
 * thread and POST /cockpit/refresh), and the slower, older one must not
 * overwrite fresher figures. */
static int insert_all(zf_db *db, const stats *st, const warns *w, const char *today, int64_t now, int64_t ms,
                      int64_t started_ms, zf_err *err)
{
    zf_stmt *s = NULL;
    size_t i;
    int64_t newest = 0;
    int rc;

    if ((rc = zf_db_begin(db, err)) < 0)
        return rc;
    if ((rc = zf_db_query_int64(db, &newest, "SELECT COALESCE(MAX(started_ms), 0) FROM cockpit_meta", err, 0,
                                NULL)) < 0)
        goto fail;
    if (newest > started_ms) {
        zf_db_rollback(db);
        return 0;
    }
    if ((rc = zf_db_exec(db, "DELETE FROM cockpit_stats", err)) < 0 ||
        (rc = zf_db_exec(db, "DELETE FROM warnings", err)) < 0)
        goto fail;
    for (i = 0; i < st->n; i++) {
        if ((rc = zf_db_prepare(&s, db,
                                "INSERT INTO cockpit_stats (department_id, metric, value) VALUES ($1, $2, $3)",
                                err)) < 0)
            goto fail;
        if (st->v[i].dept == 0) { /* city-wide flags (complaints_available) go to cockpit_meta */
            zf_stmt_free(s);
            s = NULL;
            continue;
        }
        zf_stmt_bind_int64(s, 1, st->v[i].dept);
        zf_stmt_bind_text(s, 2, st->v[i].metric, -1);
        zf_stmt_bind_int64(s, 3, st->v[i].value);
        rc = zf_stmt_step(s, err);
        zf_stmt_free(s);
        s = NULL;
        if (rc < 0)
            goto fail;
    }
    for (i = 0; i < w->n; i++) {
        const warn *x = &w->v[i];

        if ((rc = zf_db_prepare(&s, db,
                                "INSERT INTO warnings (rule_id, department_id, level, object_type, object_id, "
                                "case_id, explanation, link, computed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                                err)) < 0)
            goto fail;
        zf_stmt_bind_int64(s, 1, x->rule_id);
        zf_stmt_bind_int64(s, 2, x->dept);
        zf_stmt_bind_text(s, 3, x->level, -1);
        zf_stmt_bind_text(s, 4, x->otype, -1);
        zf_stmt_bind_int64(s, 5, x->oid);
        if (x->case_id > 0)
            zf_stmt_bind_int64(s, 6, x->case_id);
        else
            zf_stmt_bind_null(s, 6);
        zf_stmt_bind_text(s, 7, x->explanation, -1);
        zf_stmt_bind_text(s, 8, x->link, -1);
        zf_stmt_bind_int64(s, 9, now);
        rc = zf_stmt_step(s, err);
        zf_stmt_free(s);
        s = NULL;
        if (rc < 0)
            goto fail;
    }
    {
        int64_t avail = 0;

        for (i = 0; i < st->n; i++)
            if (st->v[i].dept == 0 && strcmp(st->v[i].metric, "complaints_available") == 0)
                avail = st->v[i].value;
        if ((rc = zf_db_prepare(&s, db,
                                "INSERT INTO cockpit_meta (id, computed_at, as_of, duration_ms, complaints_available, "
                                "started_ms) VALUES (1, $1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET "
                                "computed_at = $1, as_of = $2, duration_ms = $3, complaints_available = $4, "
                                "started_ms = $5",
                                err)) < 0)
            goto fail;
        zf_stmt_bind_int64(s, 1, now);
        zf_stmt_bind_text(s, 2, today, -1);
        zf_stmt_bind_int64(s, 3, ms);
        zf_stmt_bind_int64(s, 4, avail);
        zf_stmt_bind_int64(s, 5, started_ms);
        rc = zf_stmt_step(s, err);
        zf_stmt_free(s);
        s = NULL;
        if (rc < 0)
            goto fail;
    }
    return zf_db_commit(db, err);
fail:
    zf_db_rollback(db);
    return rc;
}

static int64_t clock_ms(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t mono_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}

int zf_cockpit_refresh(int64_t *out_ms, zf_db *db, int64_t now, zf_err *err)
{
    stats st = {0};
    warns w = {0};
    zf_stmt *s = NULL;
    char today[ZF_DATE_STRLEN];
    int64_t t0 = mono_ms(), started_ms = clock_ms(CLOCK_REALTIME), ms;
    size_t i;
    int rc = 0;

    zf_date_format(today, zf_calendar_store_today(now));
    for (i = 0; rc >= 0 && i < sizeof STATS / sizeof STATS[0]; i++)
        rc = grouped(&st, db, STATS[i].metrics, STATS[i].sql, today, now, err);
    if (rc < 0 || (rc = stage_stats(&st, db, now, err)) < 0 || (rc = complaint_stats(&st, db, err)) < 0)
        goto done;
    /* officers still acting on an expired certificate: a cockpit figure
     * whether or not the warning rule is enabled */
    {
        const kind *kd = kind_find("expired_certificate_acting");
        stats tmp = {0};
        int64_t p[3] = {0, 0, 0};

        rc = run_kind(NULL, &tmp, db, kd, p, 0, "x", "red", now, 0, err);
        for (i = 0; i < tmp.n; i++)
            if (strcmp(tmp.v[i].metric, "rule:x") == 0)
                stat_add(&st, tmp.v[i].dept, "certs_expired_acting", tmp.v[i].value);
        free(tmp.v);
        if (rc < 0)
            goto done;
    }
    if ((rc = zf_db_prepare(&s, db, "SELECT id, code, kind, level, params FROM warning_rules WHERE enabled = 1 "
                                    "ORDER BY id", err)) < 0)
        goto done;
    {
        /* read the rules first: a statement stays open while others run on
         * the same connection otherwise */
        struct rl {
            int64_t id;
            char code[64], kind[48], level[8], *params;
        } *rules = NULL;
        size_t n = 0, cap = 0;

        while ((rc = zf_stmt_step(s, err)) == 1) {
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                rules = zf_realloc(rules, cap * sizeof *rules);
            }
            rules[n].id = zf_stmt_int64(s, 0);
            snprintf(rules[n].code, sizeof rules[n].code, "%s", zf_stmt_text(s, 1));
            snprintf(rules[n].kind, sizeof rules[n].kind, "%s", zf_stmt_text(s, 2));
            snprintf(rules[n].level, sizeof rules[n].level, "%s", zf_stmt_text(s, 3));
            rules[n].params = zf_strdup(zf_stmt_text(s, 4));
            n++;
        }
        zf_stmt_free(s);
        s = NULL;
        for (i = 0; rc >= 0 && i < n; i++) {
            const kind *kd = kind_find(rules[i].kind);
            int64_t p[3];

            if (!kd)
                continue; /* refused on write; an old row of a removed kind is skipped */
            params_of(p, kd, rules[i].params);
            rc = run_kind(&w, &st, db, kd, p, rules[i].id, rules[i].code, rules[i].level, now,
                          ZF_COCKPIT_MAX_WARNINGS_PER_RULE, err);
        }
        for (i = 0; i < n; i++)
            free(rules[i].params);
        free(rules);
        if (rc < 0)
            goto done;
    }
    ms = mono_ms() - t0;
    rc = insert_all(db, &st, &w, today, now, ms, started_ms, err);
    if (rc == 0 && out_ms)
        *out_ms = mono_ms() - t0;
done:
    zf_stmt_free(s);
    free(st.v);
    warns_free(&w);
    return rc;
}

int64_t zf_cockpit_computed_at(zf_db *db)
{
    int64_t v = 0;

    if (zf_db_query_int64(db, &v, "SELECT computed_at FROM cockpit_meta WHERE id = 1", NULL, 0, NULL) < 0)
        return 0;
    return v;
}

/* ---- the view --------------------------------------------------------------------------- */

typedef struct dept_view {
    int64_t id;
    char name[200];
    json_t *m; /* metric -> value */
} dept_view;

static int64_t mget(const json_t *m, const char *k)
{
    return json_integer_value(json_object_get(m, k));
}

static void madd(json_t *m, const char *k, int64_t v)
{
    json_object_set_new(m, k, json_integer(mget(m, k) + v));
}

static double rate(int64_t good, int64_t total)
{
    return total > 0 ? (double)good / (double)total : 1.0;
}

/* The score's components in [0, 1] from a department's (or the city's) metrics. */
static json_t *components(const json_t *m, int64_t percent)
{
    int64_t off = mget(m, "officers"), req = required_reviewers(off, percent);
    int64_t due = mget(m, "tracker_done") + mget(m, "tracker_late") + mget(m, "tracker_missing");

    return json_pack(
        "{s:f, s:f, s:f, s:f, s:f, s:f}", "publication_on_time",
        rate(mget(m, "pub_on_time"), mget(m, "pub_on_time") + mget(m, "pub_late") + mget(m, "pub_missing")),
        "review_on_time",
        rate(mget(m, "reviews_on_time"),
             mget(m, "reviews_on_time") + mget(m, "reviews_late") + mget(m, "reviews_overdue")),
        "recording_complete", rate(mget(m, "cases_total") - mget(m, "missing_recording"), mget(m, "cases_total")),
        "reviewer_staffing", req > 0 ? (mget(m, "reviewers") >= req ? 1.0 : (double)mget(m, "reviewers") / req) : 1.0,
        "certificates_valid", rate(off - mget(m, "certs_expired_acting"), off), "tracker_done",
        due > 0 ? ((double)mget(m, "tracker_done") + 0.5 * (double)mget(m, "tracker_late")) / (double)due : 1.0);
}

static double score_of(const json_t *comp, const json_t *weights)
{
    const char *k;
    json_t *v;
    double sum = 0, wsum = 0;

    json_object_foreach((json_t *)weights, k, v) {
        double wt = json_number_value(v);

        sum += wt * json_number_value(json_object_get(comp, k));
        wsum += wt;
    }
    return wsum > 0 ? round(1000.0 * sum / wsum) / 10.0 : 0.0;
}

/* Tracker counts per department into metric objects, by department id. */
static int tracker_counts(dept_view *dv, size_t n, zf_db *db, int64_t now, zf_err *err)
{
    json_t *tp = NULL, *depts;
    size_t i, j;
    int rc;

    if ((rc = zf_tracker_progress(&tp, db, 0, now, err)) < 0)
        return rc;
    depts = json_object_get(tp, "departments");
    for (i = 0; i < json_array_size(depts); i++) {
        json_t *d = json_array_get(depts, i);
        int64_t id = json_integer_value(json_object_get(d, "department_id"));

        for (j = 0; j < n; j++)
            if (dv[j].id == id) {
                madd(dv[j].m, "tracker_done", json_integer_value(json_object_get(d, "done")));
                madd(dv[j].m, "tracker_late", json_integer_value(json_object_get(d, "late")));
                madd(dv[j].m, "tracker_missing", json_integer_value(json_object_get(d, "missing")));
            }
    }
    json_decref(tp);
    return 0;
}

int zf_cockpit_view(json_t **out, zf_db *db, int64_t department_id, int64_t now, zf_err *err)
{
    zf_stmt *s = NULL;
    dept_view *dv = NULL;
    size_t n = 0, cap = 0, i;
    json_t *weights = json_object(), *city = json_object(), *rows = json_array(), *res = NULL;
    int64_t percent = 5, computed = 0, duration = 0, avail = 0;
    char as_of[16] = "";
    int rc;

    *out = NULL;
    if ((rc = zf_db_prepare(&s, db, "SELECT id, name FROM departments WHERE kind = 'enforcement' AND "
                                    "($1 = 0 OR id = $1) ORDER BY id", err)) < 0)
        goto done;
    zf_stmt_bind_int64(s, 1, department_id);
    while ((rc = zf_stmt_step(s, err)) == 1) {
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            dv = zf_realloc(dv, cap * sizeof *dv);
        }
        dv[n].id = zf_stmt_int64(s, 0);
        snprintf(dv[n].name, sizeof dv[n].name, "%s", zf_stmt_text(s, 1));
        dv[n].m = json_object();
        n++;
    }
    zf_stmt_free(s);
    s = NULL;
    if (rc < 0)
        goto done;
    if (department_id && n == 0) {
        rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", "department_id", "执法部门不存在");
        goto done;
    }
    if ((rc = zf_db_prepare(&s, db, "SELECT department_id, metric, value FROM cockpit_stats WHERE "
                                    "$1 = 0 OR department_id = $1", err)) < 0)
        goto done;
    zf_stmt_bind_int64(s, 1, department_id);
    while ((rc = zf_stmt_step(s, err)) == 1) {
        int64_t d = zf_stmt_int64(s, 0);

        for (i = 0; i < n; i++)
            if (dv[i].id == d) {
                madd(dv[i].m, zf_stmt_text(s, 1), zf_stmt_int64(s, 2));
                break;
            }
    }
    zf_stmt_free(s);
    s = NULL;
    if (rc < 0)
        goto done;
    if ((rc = zf_db_prepare(&s, db, "SELECT component, weight FROM assessment_weights ORDER BY component", err)) < 0)
        goto done;
    while ((rc = zf_stmt_step(s, err)) == 1)
        json_object_set_new(weights, zf_stmt_text(s, 0), json_real(zf_stmt_double(s, 1)));
    zf_stmt_free(s);
    s = NULL;
    if (rc < 0)
        goto done;
    if ((rc = zf_db_prepare(&s, db, "SELECT params FROM warning_rules WHERE kind = 'reviewer_shortage' "
                                    "AND enabled = 1 ORDER BY id", err)) < 0)
        goto done;
    if ((rc = zf_stmt_step(s, err)) == 1) {
        int64_t p[3];

        params_of(p, kind_find("reviewer_shortage"), zf_stmt_text(s, 0));
        percent = p[0];
    }
    zf_stmt_free(s);
    s = NULL;
    if (rc < 0)
        goto done;
    if ((rc = zf_db_prepare(&s, db, "SELECT computed_at, as_of, duration_ms, complaints_available FROM cockpit_meta "
                                    "WHERE id = 1", err)) < 0)
        goto done;
    if ((rc = zf_stmt_step(s, err)) == 1) {
        computed = zf_stmt_int64(s, 0);
        snprintf(as_of, sizeof as_of, "%s", zf_stmt_text(s, 1));
        duration = zf_stmt_int64(s, 2);
        avail = zf_stmt_int64(s, 3);
    }
    zf_stmt_free(s);
    s = NULL;
    if (rc < 0 || (rc = tracker_counts(dv, n, db, now, err)) < 0)
        goto done;
    for (i = 0; i < n; i++) {
        const char *k;
        json_t *v, *comp = components(dv[i].m, percent);

        json_object_foreach(dv[i].m, k, v)
            madd(city, k, json_integer_value(v));
        json_object_set_new(dv[i].m, "reviewers_required",
                            json_integer(required_reviewers(mget(dv[i].m, "officers"), percent)));
        json_array_append_new(rows, json_pack("{s:I, s:s, s:O, s:o, s:f}", "department_id", (json_int_t)dv[i].id,
                                              "name", dv[i].name, "metrics", dv[i].m, "components", comp,
                                              "score", score_of(comp, weights)));
    }
    json_object_set_new(city, "reviewers_required", json_integer(required_reviewers(mget(city, "officers"), percent)));
    {
        json_t *comp = components(city, percent);

        res = json_pack("{s:O, s:o, s:f, s:o, s:O, s:I, s:i}", "city", city, "city_components", comp, "city_score",
                        score_of(comp, weights), "departments", rows, "weights", weights, "reviewer_percent",
                        (json_int_t)percent, "complaints_available", (int)avail);
        rows = NULL;
        json_object_set_new(res, "computed_at", computed ? json_integer(computed) : json_null());
        json_object_set_new(res, "as_of", *as_of ? json_string(as_of) : json_null());
        json_object_set_new(res, "duration_ms", json_integer(duration));
    }
    *out = res;
    rc = 0;
done:
    zf_stmt_free(s);
    for (i = 0; i < n; i++)
        json_decref(dv[i].m);
    free(dv);
    json_decref(weights);
    json_decref(city);
    json_decref(rows);
    return rc;
}

/* ---- the tracker ------------------------------------------------------------------------ */

/* SQL giving (department_id, date done 'YYYY-MM-DD' or Unix seconds) per check kind. */
static const char *done_sql(const char *check)
{
    if (strcmp(check, "filing_matters") == 0)
        return "SELECT department_id, MIN(decided_on) FROM filings WHERE kind = 'matters' AND state = 'accepted' "
               "GROUP BY department_id";
    if (strcmp(check, "filing_av_items") == 0)
        return "SELECT department_id, MIN(decided_on) FROM filings WHERE kind = 'av_items' AND state = 'accepted' "
               "GROUP BY department_id";
    if (strcmp(check, "filing_device_rules") == 0)
        return "SELECT department_id, MIN(decided_on) FROM filings WHERE kind = 'device_rules' "
               "AND state = 'accepted' GROUP BY department_id";
    if (strcmp(check, "filing_review_catalog") == 0)
        return "SELECT department_id, MIN(filed_on) FROM review_catalogs WHERE state = 'filed' "
               "GROUP BY department_id";
    if (strcmp(check, "devices") == 0)
        return "SELECT department_id, MIN(created_at) FROM devices GROUP BY department_id";
    return "SELECT department_id, done_on FROM tracker_marks WHERE task_id = $1";
}

int zf_tracker_progress(json_t **out, zf_db *db, int64_t department_id, int64_t now, zf_err *err)
{
    zf_stmt *s = NULL;
    json_t *tasks = json_array(), *depts = json_array();
    zf_date today = zf_calendar_store_today(now);
    size_t i, j;
    int rc;

    *out = NULL;
    if ((rc = zf_db_prepare(&s, db, "SELECT id, system, seq, task, measure, requirement, departments, due_date, "
                                    "check_kind FROM tracker_tasks ORDER BY CASE system WHEN 'publicity' THEN 1 "
                                    "WHEN 'recording' THEN 2 WHEN 'review' THEN 3 ELSE 4 END, seq, id", err)) < 0)
        goto done;
    while ((rc = zf_stmt_step(s, err)) == 1) {
        json_t *t = json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)zf_stmt_int64(s, 0),
                              "system", zf_stmt_text(s, 1), "seq", (json_int_t)zf_stmt_int64(s, 2), "task",
                              zf_stmt_text(s, 3), "measure", zf_stmt_text(s, 4), "requirement",
                              zf_stmt_text(s, 5), "departments", zf_stmt_text(s, 6), "check_kind",
                              zf_stmt_text(s, 8));

        json_object_set_new(t, "due_date", zf_stmt_is_null(s, 7) ? json_null() : json_string(zf_stmt_text(s, 7)));
        json_array_append_new(tasks, t);
    }
    zf_stmt_free(s);
    s = NULL;
    if (rc < 0)
        goto done;
    if ((rc = zf_db_prepare(&s, db, "SELECT id, name FROM departments WHERE kind = 'enforcement' AND "
                                    "($1 = 0 OR id = $1) ORDER BY id", err)) < 0)
        goto done;
    zf_stmt_bind_int64(s, 1, department_id);
    while ((rc = zf_stmt_step(s, err)) == 1)
        json_array_append_new(depts, json_pack("{s:I, s:s, s:i, s:i, s:i, s:i, s:i, s:[]}", "department_id",
                                               (json_int_t)zf_stmt_int64(s, 0), "name", zf_stmt_text(s, 1),
                                               "done", 0, "late", 0, "missing", 0, "pending", 0, "ongoing", 0,
                                               "items"));
    zf_stmt_free(s);
    s = NULL;
    if (rc < 0)
        goto done;
    for (i = 0; i < json_array_size(tasks); i++) {
        json_t *t = json_array_get(tasks, i), *done_on = json_object();
        const char *check = json_string_value(json_object_get(t, "check_kind"));
        const char *due_s = json_string_value(json_object_get(t, "due_date"));
        zf_date due = 0;

        if (due_s && zf_date_parse(&due, due_s, strlen(due_s), NULL, NULL) < 0)
            due_s = NULL;
        if ((rc = zf_db_prepare(&s, db, done_sql(check), err)) < 0) {
            json_decref(done_on);
            goto done;
        }
        zf_stmt_bind_int64(s, 1, json_integer_value(json_object_get(t, "id")));
        while ((rc = zf_stmt_step(s, err)) == 1) {
            char key[24], d[ZF_DATE_STRLEN];

            snprintf(key, sizeof key, "%lld", (long long)zf_stmt_int64(s, 0));
            if (strcmp(check, "devices") == 0)
                zf_date_format(d, zf_calendar_store_today(zf_stmt_int64(s, 1)));
            else
                snprintf(d, sizeof d, "%s", zf_stmt_text(s, 1) ? zf_stmt_text(s, 1) : "");
            if (*d)
                json_object_set_new(done_on, key, json_string(d));
        }
        zf_stmt_free(s);
        s = NULL;
        if (rc < 0) {
            json_decref(done_on);
            goto done;
        }
        for (j = 0; j < json_array_size(depts); j++) {
            json_t *d = json_array_get(depts, j);
            char key[24];
            const char *when, *status;
            zf_date w = 0;

            snprintf(key, sizeof key, "%lld", (long long)json_integer_value(json_object_get(d, "department_id")));
            when = json_string_value(json_object_get(done_on, key));
            if (when && zf_date_parse(&w, when, strlen(when), NULL, NULL) < 0)
                when = NULL;
            if (!due_s)
                status = "ongoing";
            else if (when)
                status = w <= due ? "done" : "late";
            else
                status = due < today ? "missing" : "pending";
            json_object_set_new(d, status, json_integer(json_integer_value(json_object_get(d, status)) + 1));
            json_array_append_new(json_object_get(d, "items"),
                                  json_pack("{s:I, s:s, s:o}", "task_id",
                                            (json_int_t)json_integer_value(json_object_get(t, "id")), "status",
                                            status, "done_on", when ? json_string(when) : json_null()));
        }
        json_decref(done_on);
    }
    *out = json_pack("{s:o, s:o}", "tasks", tasks, "departments", depts);
    tasks = depts = NULL;
    rc = 0;
done:
    zf_stmt_free(s);
    json_decref(tasks);
    json_decref(depts);
    return rc;
}
