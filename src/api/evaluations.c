/* evaluations.c — 案卷评查 (issue 5): the Justice Bureau draws a random
 * sample of closed and archived cases per department, scores each sampled
 * case against a checklist and reports per department.
 *
 * The checklist is data (table eval_checklist, migration 0010): items with
 * a code, a name and a weight. A draw copies the list as it is, so editing
 * the list never changes a draw made before.
 *
 * The draw is reproducible by anyone who knows its parameters: for every
 * department, the eligible cases (stage closed or archived per core/workflow,
 * created within [from, to] when given) are ranked by the lowercase hex of
 * SHA-256(seed ":" case id in decimal), smallest first, and the first n are
 * taken, n = count, or ceil(population × ratio_pct / 100). The seed is
 * given or generated (32 hex characters from the CSPRNG) and stored with the
 * draw, with each department's population at the time.
 *
 * Scoring: each item gets 0..weight points (less than the weight is a
 * deduction, 扣分, and counts as a failed item in the report); the case's
 * score is sum(points) × 100 / sum(weights), rounded to 2 decimals.
 * Report: per department the number sampled and scored, the average score
 * of the scored cases, the rank among departments with a scored case
 * (highest average first, equal averages share a rank: 1, 2, 2, 4) and the
 * items failed, most often first.
 *
 * Only the supervisor (司法局监督人员) uses these routes. Every write is one
 * transaction with its audit row and ledger event. */
#include "api/api.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/workflow.h"
#include "ledger/sm3.h"
#include "store/audit.h"
#include "store/calendar_store.h"
#include "util/mem.h"

#define SUP ZF_ROLE_SUPERVISOR
#define MAX_ITEMS 50
#define SEED_MAX 128

static int invalid(zf_ctx *c, const char *field, const char *fmt, const char *arg)
{
    return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", field, fmt, arg ? arg : "");
}

static int audit(zf_ctx *c, const char *action, const char *type, int64_t id, const char *detail)
{
    zf_audit_event ev = {0};
    char oid[24];

    snprintf(oid, sizeof oid, "%lld", (long long)id);
    ev.at = c->now;
    ev.actor_id = c->who->user_id;
    ev.actor_name = c->who->username;
    ev.action = action;
    ev.object_type = type;
    ev.object_id = oid;
    ev.ip = c->ip;
    ev.request_id = c->request_id;
    ev.detail = detail;
    return zf_audit_write(c->db, &ev, &c->err);
}

static long cp_len(const char *s)
{
    long n = 0;

    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* ---- the checklist --------------------------------------------------------------- */

static int checklist_json(json_t **out, zf_ctx *c)
{
    zf_stmt *st = NULL;
    json_t *items = json_array();
    int rc;

    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT code, name, weight, description FROM eval_checklist ORDER BY position, code",
                            &c->err)) < 0) {
        json_decref(items);
        return rc;
    }
    while ((rc = zf_stmt_step(st, &c->err)) == 1)
        json_array_append_new(items, json_pack("{s:s, s:s, s:I, s:s}", "code", zf_stmt_text(st, 0), "name",
                                               zf_stmt_text(st, 1), "weight", (json_int_t)zf_stmt_int64(st, 2),
                                               "description", zf_stmt_text(st, 3)));
    zf_stmt_free(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}

static int h_checklist_get(zf_ctx *c)
{
    json_t *items = NULL;
    int64_t total = 0;
    size_t i;
    int rc;

    if ((rc = checklist_json(&items, c)) < 0)
        return rc;
    for (i = 0; i < json_array_size(items); i++)
        total += json_integer_value(json_object_get(json_array_get(items, i), "weight"));
    return zf_ctx_json(c, 200, json_pack("{s:o, s:I}", "items", items, "total_weight", (json_int_t)total));
}

static const zf_json_field CHECKLIST_SPEC[] = {
    {"items", ZF_JT_ARRAY, 1, MAX_ITEMS, "评查项目"},
    {NULL, 0, 0, 0, NULL},
};

static const zf_json_field ITEM_SPEC[] = {
    {"code", ZF_JT_STRING, 1, 32, "项目代码"},
    {"name", ZF_JT_STRING, 1, 50, "项目名称"},
    {"weight", ZF_JT_INT, 1, 0, "分值"},
    {"description", ZF_JT_STRING, 0, 500, "评查要点"},
    {NULL, 0, 0, 0, NULL},
};

static int h_checklist_put(zf_ctx *c)
{
    json_t *in = NULL, *items;
    zf_stmt *st = NULL;
    size_t i, j;
    char detail[64];
    int rc;

    if ((rc = zf_json_decode(&in, c->body, c->body_len, CHECKLIST_SPEC, &c->err)) < 0)
        return rc;
    items = json_object_get(in, "items");
    if (json_array_size(items) == 0) {
        rc = invalid(c, "items", "评查项目不能为空%s", NULL);
        goto done;
    }
    for (i = 0; i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i), *chk = NULL;
        char *text, where[32];
        const char *code;
        json_int_t w;

        snprintf(where, sizeof where, "items[%zu]", i);
        if (!json_is_object(it)) {
            rc = zf_err_set(&c->err, ZF_EINVAL, "wrong_type", where, "评查项目应为对象");
            goto done;
        }
        text = json_dumps(it, JSON_COMPACT);
        rc = zf_json_decode(&chk, text, strlen(text), ITEM_SPEC, &c->err);
        free(text);
        json_decref(chk);
        if (rc < 0) {
            char f[128];
            size_t fl;

            snprintf(f, sizeof f, "%s.%s", where, c->err.field);
            fl = strlen(f) < sizeof c->err.field ? strlen(f) : sizeof c->err.field - 1;
            memcpy(c->err.field, f, fl);
            c->err.field[fl] = '\0';
            goto done;
        }
        code = json_string_value(json_object_get(it, "code"));
        w = json_integer_value(json_object_get(it, "weight"));
        if (strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(code) || !*code) {
            rc = invalid(c, where, "项目代码只能由小写字母、数字和下划线组成：%s", code);
            goto done;
        }
        if (w < 1 || w > 100) {
            rc = invalid(c, where, "分值应为 1 到 100 的整数%s", NULL);
            goto done;
        }
        for (j = 0; j < i; j++)
            if (strcmp(code, json_string_value(json_object_get(json_array_get(items, j), "code"))) == 0) {
                rc = invalid(c, where, "项目代码重复：%s", code);
                goto done;
            }
    }
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    if ((rc = zf_db_exec(c->db, "DELETE FROM eval_checklist", &c->err)) < 0)
        goto fail;
    for (i = 0; i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i);
        const char *desc = json_string_value(json_object_get(it, "description"));

        if ((rc = zf_db_prepare(&st, c->db,
                                "INSERT INTO eval_checklist (code, name, weight, description, position) VALUES "
                                "($1, $2, $3, $4, $5)",
                                &c->err)) < 0)
            goto fail;
        zf_stmt_bind_text(st, 1, json_string_value(json_object_get(it, "code")), -1);
        zf_stmt_bind_text(st, 2, json_string_value(json_object_get(it, "name")), -1);
        zf_stmt_bind_int64(st, 3, json_integer_value(json_object_get(it, "weight")));
        zf_stmt_bind_text(st, 4, desc ? desc : "", -1);
        zf_stmt_bind_int64(st, 5, (int64_t)i + 1);
        rc = zf_stmt_step(st, &c->err);
        zf_stmt_free(st);
        st = NULL;
        if (rc < 0)
            goto fail;
    }
    snprintf(detail, sizeof detail, "items=%zu", json_array_size(items));
    if ((rc = audit(c, "evaluation_checklist_update", "eval_checklist", 1, detail)) < 0 ||
        (rc = zf_db_commit(c->db, &c->err)) < 0)
        goto fail;
    json_decref(in);
    return h_checklist_get(c);
fail:
    zf_db_rollback(c->db);
done:
    json_decref(in);
    return rc;
}

/* ---- draws ------------------------------------------------------------------------- */

static const zf_json_field DRAW_SPEC[] = {
    {"title", ZF_JT_STRING, 1, 100, "评查名称"},
    {"seed", ZF_JT_STRING, 0, SEED_MAX, "随机种子"},
    {"ratio_pct", ZF_JT_INT, 0, 0, "抽取比例（%）"},
    {"count", ZF_JT_INT, 0, 0, "每个部门抽取件数"},
    {"department_ids", ZF_JT_ARRAY, 0, 500, "部门"},
    {"from", ZF_JT_DATE, 0, 0, "立案日期起"},
    {"to", ZF_JT_DATE, 0, 0, "立案日期止"},
    {NULL, 0, 0, 0, NULL},
};

typedef struct cand {
    int64_t id, dept;
    char key[65];
} cand;

static int cand_cmp(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    int r;

    if (x->dept != y->dept)
        return x->dept < y->dept ? -1 : 1;
    r = strcmp(x->key, y->key);
    return r ? r : (x->id < y->id ? -1 : x->id > y->id);
}

static int eligible_stage(const char *proc, const char *stage)
{
    const zf_wf_procedure *p = zf_workflow_procedure(proc);
    const zf_wf_stage *s = p ? zf_workflow_stage(p, stage) : NULL;

    return s && (s->traits & (ZF_WF_ST_CLOSED | ZF_WF_ST_ARCHIVED));
}

static int respond_draw(zf_ctx *c, int status, int64_t id);

static int h_draw_create(zf_ctx *c)
{
    json_t *in = NULL, *deps_in, *deps = json_array(), *pop = json_array(), *checklist = NULL;
    zf_stmt *st = NULL;
    cand *cs = NULL;
    size_t n = 0, cap = 0, i, d;
    char seed[SEED_MAX * 4 + 1], *deps_txt = NULL, *pop_txt = NULL, *cl_txt = NULL, detail[300];
    const char *title, *from, *to;
    int64_t ratio = 0, count = 0, draw_id = 0, total = 0;
    int rc;

    if ((rc = zf_json_decode(&in, c->body, c->body_len, DRAW_SPEC, &c->err)) < 0)
        goto done;
    title = json_string_value(json_object_get(in, "title"));
    from = json_string_value(json_object_get(in, "from"));
    to = json_string_value(json_object_get(in, "to"));
    ratio = json_integer_value(json_object_get(in, "ratio_pct"));
    count = json_integer_value(json_object_get(in, "count"));
    if (!!json_object_get(in, "ratio_pct") == !!json_object_get(in, "count")) {
        rc = invalid(c, "ratio_pct", "请指定抽取比例（ratio_pct）或每个部门的件数（count），二者选一%s", NULL);
        goto done;
    }
    if (json_object_get(in, "ratio_pct") && (ratio < 1 || ratio > 100)) {
        rc = invalid(c, "ratio_pct", "抽取比例应为 1 到 100 的整数%s", NULL);
        goto done;
    }
    if (json_object_get(in, "count") && (count < 1 || count > 1000)) {
        rc = invalid(c, "count", "每个部门抽取件数应为 1 到 1000 的整数%s", NULL);
        goto done;
    }
    if (from && to && strcmp(from, to) > 0) {
        rc = invalid(c, "to", "截止日期不能早于起始日期%s", NULL);
        goto done;
    }
    if (json_object_get(in, "seed")) {
        const char *s = json_string_value(json_object_get(in, "seed"));
        const char *p;

        for (p = s; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                break;
        if (!*s || *p) {
            rc = invalid(c, "seed", "随机种子应为不含控制字符的非空文本%s", NULL);
            goto done;
        }
        snprintf(seed, sizeof seed, "%s", s);
    } else {
        uint8_t r[16];

        randombytes_buf(r, sizeof r);
        zf_hex_encode(seed, r, sizeof r);
    }
    /* the departments */
    deps_in = json_object_get(in, "department_ids");
    if (deps_in && json_array_size(deps_in)) {
        for (i = 0; i < json_array_size(deps_in); i++) {
            json_t *v = json_array_get(deps_in, i);
            int64_t one = 0;

            if (!json_is_integer(v) || json_integer_value(v) <= 0) {
                rc = invalid(c, "department_ids", "部门应为正整数编号的数组%s", NULL);
                goto done;
            }
            if ((rc = zf_db_prepare(&st, c->db, "SELECT id FROM departments WHERE id = $1", &c->err)) < 0)
                goto done;
            zf_stmt_bind_int64(st, 1, json_integer_value(v));
            rc = zf_stmt_step(st, &c->err);
            if (rc == 1)
                one = zf_stmt_int64(st, 0);
            zf_stmt_free(st);
            st = NULL;
            if (rc < 0)
                goto done;
            if (!one) {
                rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "department_ids", "部门 %lld 不存在",
                                (long long)json_integer_value(v));
                goto done;
            }
            for (d = 0; d < json_array_size(deps); d++)
                if (json_integer_value(json_array_get(deps, d)) == one)
                    break;
            if (d == json_array_size(deps))
                json_array_append_new(deps, json_integer(one));
        }
    } else {
        if ((rc = zf_db_prepare(&st, c->db, "SELECT id FROM departments ORDER BY id", &c->err)) < 0)
            goto done;
        while ((rc = zf_stmt_step(st, &c->err)) == 1)
            json_array_append_new(deps, json_integer(zf_stmt_int64(st, 0)));
        zf_stmt_free(st);
        st = NULL;
        if (rc < 0)
            goto done;
    }
    if ((rc = checklist_json(&checklist, c)) < 0)
        goto done;
    if (json_array_size(checklist) == 0) {
        rc = zf_err_set(&c->err, ZF_ECONFLICT, "checklist_empty", NULL, "评查项目清单为空，请先设置评查项目");
        goto done;
    }
    for (i = 0; i < json_array_size(checklist); i++)
        json_object_del(json_array_get(checklist, i), "description");
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    /* the candidates, with their ranking keys */
    for (d = 0; d < json_array_size(deps); d++) {
        int64_t dept = json_integer_value(json_array_get(deps, d)), population = 0, take;
        size_t first = n;

        if ((rc = zf_db_prepare(&st, c->db,
                                "SELECT id, procedure, stage, created_at FROM cases WHERE department_id = $1 "
                                "ORDER BY id",
                                &c->err)) < 0)
            goto fail;
        zf_stmt_bind_int64(st, 1, dept);
        while ((rc = zf_stmt_step(st, &c->err)) == 1) {
            char day[ZF_DATE_STRLEN], msg[200];
            uint8_t h[ZF_DIGEST_LEN];
            int len;

            if (!eligible_stage(zf_stmt_text(st, 1), zf_stmt_text(st, 2)))
                continue;
            zf_date_format(day, zf_calendar_store_today(zf_stmt_int64(st, 3)));
            if ((from && strcmp(day, from) < 0) || (to && strcmp(day, to) > 0))
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                cs = zf_realloc(cs, cap * sizeof *cs);
            }
            cs[n].id = zf_stmt_int64(st, 0);
            cs[n].dept = dept;
            len = snprintf(msg, sizeof msg, "%s:%lld", seed, (long long)cs[n].id);
            zf_sha256(h, msg, (size_t)len < sizeof msg ? (size_t)len : sizeof msg - 1);
            zf_hex_encode(cs[n].key, h, sizeof h);
            n++;
            population++;
        }
        zf_stmt_free(st);
        st = NULL;
        if (rc < 0)
            goto fail;
        qsort(cs + first, n - first, sizeof *cs, cand_cmp);
        take = count ? count : (population * ratio + 99) / 100;
        if (take > population)
            take = population;
        /* keep only the sample */
        n = first + (size_t)take;
        total += take;
        json_array_append_new(pop, json_pack("{s:I, s:I, s:I}", "department_id", (json_int_t)dept, "population",
                                             (json_int_t)population, "sampled", (json_int_t)take));
    }
    deps_txt = json_dumps(deps, JSON_COMPACT);
    pop_txt = json_dumps(pop, JSON_COMPACT);
    cl_txt = json_dumps(checklist, JSON_COMPACT | JSON_ENSURE_ASCII);
    if ((rc = zf_db_prepare(&st, c->db,
                            "INSERT INTO eval_draws (title, seed, ratio_pct, count_per_dept, from_date, to_date, "
                            "departments, checklist, population, created_by, created_at) VALUES ($1, $2, $3, $4, "
                            "$5, $6, $7, $8, $9, $10, $11) RETURNING id",
                            &c->err)) < 0)
        goto fail;
    zf_stmt_bind_text(st, 1, title, -1);
    zf_stmt_bind_text(st, 2, seed, -1);
    if (ratio)
        zf_stmt_bind_int64(st, 3, ratio);
    else
        zf_stmt_bind_null(st, 3);
    if (count)
        zf_stmt_bind_int64(st, 4, count);
    else
        zf_stmt_bind_null(st, 4);
    zf_stmt_bind_text_or_null(st, 5, from);
    zf_stmt_bind_text_or_null(st, 6, to);
    zf_stmt_bind_text(st, 7, deps_txt, -1);
    zf_stmt_bind_text(st, 8, cl_txt, -1);
    zf_stmt_bind_text(st, 9, pop_txt, -1);
    zf_stmt_bind_int64(st, 10, c->who->user_id);
    zf_stmt_bind_int64(st, 11, c->now);
    if ((rc = zf_stmt_step(st, &c->err)) == 1)
        draw_id = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto fail;
    for (i = 0; i < n; i++) {
        if ((rc = zf_db_prepare(&st, c->db,
                                "INSERT INTO eval_samples (draw_id, case_id, department_id, rank_key) VALUES "
                                "($1, $2, $3, $4)",
                                &c->err)) < 0)
            goto fail;
        zf_stmt_bind_int64(st, 1, draw_id);
        zf_stmt_bind_int64(st, 2, cs[i].id);
        zf_stmt_bind_int64(st, 3, cs[i].dept);
        zf_stmt_bind_text(st, 4, cs[i].key, -1);
        rc = zf_stmt_step(st, &c->err);
        zf_stmt_free(st);
        st = NULL;
        if (rc < 0)
            goto fail;
    }
    snprintf(detail, sizeof detail, "seed_sha256_prefix=%.16s; departments=%zu; samples=%lld", "", json_array_size(deps),
             (long long)total);
    {
        uint8_t h[ZF_DIGEST_LEN];
        char hex[65];

        /* the seed itself is not secret, but the audit row only needs to pin it */
        zf_sha256(h, seed, strlen(seed));
        zf_hex_encode(hex, h, sizeof h);
        snprintf(detail, sizeof detail, "seed_sha256=%.16s; departments=%zu; samples=%lld", hex,
                 json_array_size(deps), (long long)total);
    }
    if ((rc = audit(c, "evaluation_draw", "eval_draw", draw_id, detail)) < 0 || (rc = zf_db_commit(c->db, &c->err)) < 0)
        goto fail;
    {
        char loc[64];

        snprintf(loc, sizeof loc, "/api/v1/evaluations/draws/%lld", (long long)draw_id);
        zf_ctx_header(c, "Location", loc);
    }
    rc = respond_draw(c, 201, draw_id);
    goto done;
fail:
    zf_db_rollback(c->db);
done:
    zf_stmt_free(st);
    free(cs);
    free(deps_txt);
    free(pop_txt);
    free(cl_txt);
    json_decref(checklist);
    json_decref(deps);
    json_decref(pop);
    json_decref(in);
    return rc;
}

static json_t *parse_or(const char *text, json_t *def)
{
    json_error_t je;
    json_t *v = json_loads(text, 0, &je);

    if (!v)
        return def;
    json_decref(def);
    return v;
}

/* The draw's row as JSON without samples; NULL when none. */
static int draw_head(json_t **out, zf_ctx *c, int64_t id)
{
    zf_stmt *st = NULL;
    int rc;

    *out = NULL;
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT id, title, seed, ratio_pct, count_per_dept, from_date, to_date, departments, "
                            "checklist, population, created_by, created_at, (SELECT COUNT(*) FROM eval_samples s "
                            "WHERE s.draw_id = d.id), (SELECT COUNT(*) FROM eval_samples s WHERE s.draw_id = d.id "
                            "AND s.score IS NOT NULL) FROM eval_draws d WHERE id = $1",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    if ((rc = zf_stmt_step(st, &c->err)) == 1) {
        json_t *o = json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:I}", "id", (json_int_t)zf_stmt_int64(st, 0), "title",
                              zf_stmt_text(st, 1), "seed", zf_stmt_text(st, 2), "created_by",
                              (json_int_t)zf_stmt_int64(st, 10), "created_at", (json_int_t)zf_stmt_int64(st, 11),
                              "samples_count", (json_int_t)zf_stmt_int64(st, 12), "scored_count",
                              (json_int_t)zf_stmt_int64(st, 13));

        json_object_set_new(o, "ratio_pct", zf_json_int_or_null(st, 3));
        json_object_set_new(o, "count", zf_json_int_or_null(st, 4));
        json_object_set_new(o, "from", zf_json_text_or_null(st, 5));
        json_object_set_new(o, "to", zf_json_text_or_null(st, 6));
        json_object_set_new(o, "department_ids", parse_or(zf_stmt_text(st, 7), json_array()));
        json_object_set_new(o, "checklist", parse_or(zf_stmt_text(st, 8), json_array()));
        json_object_set_new(o, "population", parse_or(zf_stmt_text(st, 9), json_array()));
        *out = o;
    }
    zf_stmt_free(st);
    if (rc == 0)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该评查批次");
    return rc < 0 ? rc : 0;
}

static int respond_draw(zf_ctx *c, int status, int64_t id)
{
    json_t *o = NULL, *samples;
    zf_stmt *st = NULL, *sc = NULL;
    int rc;

    if ((rc = draw_head(&o, c, id)) < 0)
        return rc;
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT s.id, s.case_id, s.department_id, dp.name, s.rank_key, s.score, s.comment, "
                            "s.scored_by, s.scored_at, c.case_no, c.title, c.procedure, c.stage, c.secrecy FROM "
                            "eval_samples s JOIN cases c ON c.id = s.case_id JOIN departments dp ON dp.id = "
                            "s.department_id WHERE s.draw_id = $1 ORDER BY s.department_id, s.rank_key",
                            &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, id);
    samples = json_array();
    json_object_set_new(o, "samples", samples);
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        int restricted = strcmp(zf_stmt_text(st, 13), "none") != 0;
        json_t *s = json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)zf_stmt_int64(st, 0),
                              "case_id", (json_int_t)zf_stmt_int64(st, 1), "department_id",
                              (json_int_t)zf_stmt_int64(st, 2), "department_name", zf_stmt_text(st, 3), "rank_key",
                              zf_stmt_text(st, 4), "comment", zf_stmt_text(st, 6), "title",
                              restricted ? "（涉密或受限案件）" : zf_stmt_text(st, 10), "procedure",
                              zf_stmt_text(st, 11), "stage", zf_stmt_text(st, 12));
        json_t *items = json_array();

        json_object_set_new(s, "case_no", zf_json_text_or_null(st, 9));
        json_object_set_new(s, "score", zf_stmt_is_null(st, 5) ? json_null() : json_real(zf_stmt_double(st, 5)));
        json_object_set_new(s, "scored_by", zf_json_int_or_null(st, 7));
        json_object_set_new(s, "scored_at", zf_json_int_or_null(st, 8));
        if ((rc = zf_db_prepare(&sc, c->db,
                                "SELECT item_code, points, comment FROM eval_scores WHERE sample_id = $1 ORDER BY "
                                "position",
                                &c->err)) < 0) {
            json_decref(items);
            json_decref(s);
            goto done;
        }
        zf_stmt_bind_int64(sc, 1, zf_stmt_int64(st, 0));
        while ((rc = zf_stmt_step(sc, &c->err)) == 1)
            json_array_append_new(items, json_pack("{s:s, s:I, s:s}", "code", zf_stmt_text(sc, 0), "points",
                                                   (json_int_t)zf_stmt_int64(sc, 1), "comment", zf_stmt_text(sc, 2)));
        zf_stmt_free(sc);
        sc = NULL;
        json_object_set_new(s, "scores", items);
        json_array_append_new(samples, s);
        if (rc < 0)
            goto done;
    }
    if (rc < 0)
        goto done;
    rc = zf_ctx_json(c, status, o);
    o = NULL;
done:
    zf_stmt_free(st);
    zf_stmt_free(sc);
    json_decref(o);
    return rc;
}

static int h_draw_get(zf_ctx *c)
{
    int64_t id;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    return respond_draw(c, 200, id);
}

static int h_draw_list(zf_ctx *c)
{
    zf_stmt *st = NULL;
    json_t *items = json_array();
    int rc;

    if ((rc = zf_db_prepare(&st, c->db, "SELECT id FROM eval_draws ORDER BY id DESC LIMIT 500", &c->err)) < 0)
        goto done;
    {
        int64_t ids[500];
        size_t n = 0, i;

        while ((rc = zf_stmt_step(st, &c->err)) == 1 && n < 500)
            ids[n++] = zf_stmt_int64(st, 0);
        zf_stmt_free(st);
        st = NULL;
        if (rc < 0)
            goto done;
        for (i = 0; i < n; i++) {
            json_t *o = NULL;

            if ((rc = draw_head(&o, c, ids[i])) < 0)
                goto done;
            json_array_append_new(items, o);
        }
    }
    rc = zf_ctx_json(c, 200, json_pack("{s:o}", "items", items));
    items = NULL;
done:
    zf_stmt_free(st);
    json_decref(items);
    return rc;
}

/* ---- scoring ----------------------------------------------------------------------- */

static const zf_json_field SCORE_SPEC[] = {
    {"scores", ZF_JT_ARRAY, 1, MAX_ITEMS, "各项得分"},
    {"comment", ZF_JT_STRING, 0, 2000, "评查意见"},
    {NULL, 0, 0, 0, NULL},
};

static const zf_json_field SCORE_ITEM_SPEC[] = {
    {"code", ZF_JT_STRING, 1, 32, "项目代码"},
    {"points", ZF_JT_INT, 1, 0, "得分"},
    {"comment", ZF_JT_STRING, 0, 500, "扣分理由"},
    {NULL, 0, 0, 0, NULL},
};

static int h_score(zf_ctx *c)
{
    json_t *in = NULL, *head = NULL, *scores, *checklist;
    zf_stmt *st = NULL;
    int64_t draw, sample, got_draw = 0, sum = 0, wsum = 0;
    size_t i, j, n_items;
    double score;
    char detail[96];
    const char *comment;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &draw)) < 0 || (rc = zf_ctx_param_id(c, 1, &sample)) < 0 ||
        (rc = zf_json_decode(&in, c->body, c->body_len, SCORE_SPEC, &c->err)) < 0)
        return rc;
    if ((rc = draw_head(&head, c, draw)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, c->db, "SELECT draw_id FROM eval_samples WHERE id = $1", &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, sample);
    if ((rc = zf_stmt_step(st, &c->err)) == 1)
        got_draw = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    if (got_draw != draw) {
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "该评查批次中没有这件抽查案卷");
        goto done;
    }
    checklist = json_object_get(head, "checklist");
    scores = json_object_get(in, "scores");
    n_items = json_array_size(checklist);
    for (i = 0; i < json_array_size(scores); i++) {
        json_t *it = json_array_get(scores, i), *chk = NULL;
        char *text, where[32];
        const char *code;
        int64_t pts, weight = -1;

        snprintf(where, sizeof where, "scores[%zu]", i);
        if (!json_is_object(it)) {
            rc = zf_err_set(&c->err, ZF_EINVAL, "wrong_type", where, "各项得分应为对象");
            goto done;
        }
        text = json_dumps(it, JSON_COMPACT);
        rc = zf_json_decode(&chk, text, strlen(text), SCORE_ITEM_SPEC, &c->err);
        free(text);
        json_decref(chk);
        if (rc < 0) {
            char f[128];
            size_t fl;

            snprintf(f, sizeof f, "%s.%s", where, c->err.field);
            fl = strlen(f) < sizeof c->err.field ? strlen(f) : sizeof c->err.field - 1;
            memcpy(c->err.field, f, fl);
            c->err.field[fl] = '\0';
            goto done;
        }
        code = json_string_value(json_object_get(it, "code"));
        pts = json_integer_value(json_object_get(it, "points"));
        for (j = 0; j < n_items; j++)
            if (strcmp(code, json_string_value(json_object_get(json_array_get(checklist, j), "code"))) == 0)
                weight = json_integer_value(json_object_get(json_array_get(checklist, j), "weight"));
        if (weight < 0) {
            rc = invalid(c, where, "本次评查没有该项目：%s", code);
            goto done;
        }
        for (j = 0; j < i; j++)
            if (strcmp(code, json_string_value(json_object_get(json_array_get(scores, j), "code"))) == 0) {
                rc = invalid(c, where, "项目重复评分：%s", code);
                goto done;
            }
        if (pts < 0 || pts > weight) {
            rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", where, "“%s”的得分应在 0 到 %lld 之间", code,
                            (long long)weight);
            goto done;
        }
        sum += pts;
    }
    if (json_array_size(scores) != n_items) {
        rc = zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "scores", "须对本次评查的全部 %zu 个项目评分",
                        n_items);
        goto done;
    }
    for (j = 0; j < n_items; j++)
        wsum += json_integer_value(json_object_get(json_array_get(checklist, j), "weight"));
    score = wsum ? round((double)sum * 10000.0 / (double)wsum) / 100.0 : 0;
    comment = json_string_value(json_object_get(in, "comment"));
    if (comment && cp_len(comment) > 2000) {
        rc = invalid(c, "comment", "评查意见过长%s", NULL);
        goto done;
    }
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, c->db, "DELETE FROM eval_scores WHERE sample_id = $1", &c->err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, sample);
    rc = zf_stmt_step(st, &c->err);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto fail;
    /* rows in checklist order, so reports and answers list them alike */
    for (j = 0; j < n_items; j++) {
        const char *code = json_string_value(json_object_get(json_array_get(checklist, j), "code"));

        for (i = 0; i < json_array_size(scores); i++) {
            json_t *it = json_array_get(scores, i);
            const char *cm = json_string_value(json_object_get(it, "comment"));

            if (strcmp(code, json_string_value(json_object_get(it, "code"))) != 0)
                continue;
            if ((rc = zf_db_prepare(&st, c->db,
                                    "INSERT INTO eval_scores (sample_id, item_code, points, comment, position) "
                                    "VALUES ($1, $2, $3, $4, $5)",
                                    &c->err)) < 0)
                goto fail;
            zf_stmt_bind_int64(st, 1, sample);
            zf_stmt_bind_text(st, 2, code, -1);
            zf_stmt_bind_int64(st, 3, json_integer_value(json_object_get(it, "points")));
            zf_stmt_bind_text(st, 4, cm ? cm : "", -1);
            zf_stmt_bind_int64(st, 5, (int64_t)j);
            rc = zf_stmt_step(st, &c->err);
            zf_stmt_free(st);
            st = NULL;
            if (rc < 0)
                goto fail;
        }
    }
    if ((rc = zf_db_prepare(&st, c->db,
                            "UPDATE eval_samples SET score = $2, comment = $3, scored_by = $4, scored_at = $5 "
                            "WHERE id = $1",
                            &c->err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, sample);
    zf_stmt_bind_double(st, 2, score);
    zf_stmt_bind_text(st, 3, comment ? comment : "", -1);
    zf_stmt_bind_int64(st, 4, c->who->user_id);
    zf_stmt_bind_int64(st, 5, c->now);
    rc = zf_stmt_step(st, &c->err);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto fail;
    snprintf(detail, sizeof detail, "draw=%lld; score=%.2f", (long long)draw, score);
    if ((rc = audit(c, "evaluation_score", "eval_sample", sample, detail)) < 0 ||
        (rc = zf_db_commit(c->db, &c->err)) < 0)
        goto fail;
    rc = respond_draw(c, 200, draw);
    goto done;
fail:
    zf_db_rollback(c->db);
done:
    zf_stmt_free(st);
    json_decref(head);
    json_decref(in);
    return rc;
}

/* ---- the report ---------------------------------------------------------------------- */

typedef struct dept_rep {
    int64_t id;
    char name[200];
    int64_t sampled, scored, population;
    double sum;
    int64_t *fails; /* per checklist item */
} dept_rep;

static int h_report(zf_ctx *c)
{
    json_t *head = NULL, *checklist, *pop, *depts, *all_fails;
    zf_stmt *st = NULL;
    dept_rep *r = NULL;
    int64_t draw, *total_fails = NULL;
    size_t n = 0, i, j, n_items;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &draw)) < 0 || (rc = draw_head(&head, c, draw)) < 0)
        goto done;
    checklist = json_object_get(head, "checklist");
    pop = json_object_get(head, "population");
    n_items = json_array_size(checklist);
    total_fails = zf_calloc(n_items + 1, sizeof *total_fails);
    n = json_array_size(pop);
    r = zf_calloc(n + 1, sizeof *r);
    for (i = 0; i < n; i++) {
        json_t *p = json_array_get(pop, i);

        r[i].id = json_integer_value(json_object_get(p, "department_id"));
        r[i].population = json_integer_value(json_object_get(p, "population"));
        r[i].sampled = json_integer_value(json_object_get(p, "sampled"));
        r[i].fails = zf_calloc(n_items + 1, sizeof *r[i].fails);
        if (zf_db_prepare(&st, c->db, "SELECT name FROM departments WHERE id = $1", NULL) == 0) {
            zf_stmt_bind_int64(st, 1, r[i].id);
            if (zf_stmt_step(st, NULL) == 1)
                snprintf(r[i].name, sizeof r[i].name, "%s", zf_stmt_text(st, 0));
            zf_stmt_free(st);
            st = NULL;
        }
    }
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT s.department_id, s.score FROM eval_samples s WHERE s.draw_id = $1 AND "
                            "s.score IS NOT NULL",
                            &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, draw);
    while ((rc = zf_stmt_step(st, &c->err)) == 1)
        for (i = 0; i < n; i++)
            if (r[i].id == zf_stmt_int64(st, 0)) {
                r[i].scored++;
                r[i].sum += zf_stmt_double(st, 1);
            }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT s.department_id, x.item_code, x.points FROM eval_scores x JOIN eval_samples s "
                            "ON s.id = x.sample_id WHERE s.draw_id = $1",
                            &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, draw);
    while ((rc = zf_stmt_step(st, &c->err)) == 1) {
        for (j = 0; j < n_items; j++) {
            json_t *it = json_array_get(checklist, j);

            if (strcmp(zf_stmt_text(st, 1), json_string_value(json_object_get(it, "code"))) == 0 &&
                zf_stmt_int64(st, 2) < json_integer_value(json_object_get(it, "weight"))) {
                total_fails[j]++;
                for (i = 0; i < n; i++)
                    if (r[i].id == zf_stmt_int64(st, 0))
                        r[i].fails[j]++;
            }
        }
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    depts = json_array();
    for (i = 0; i < n; i++) {
        json_t *o = json_pack("{s:I, s:s, s:I, s:I, s:I}", "department_id", (json_int_t)r[i].id, "department_name",
                              r[i].name, "population", (json_int_t)r[i].population, "sampled",
                              (json_int_t)r[i].sampled, "scored", (json_int_t)r[i].scored);
        json_t *fails = json_array();
        double avg = r[i].scored ? round(r[i].sum * 100.0 / (double)r[i].scored) / 100.0 : 0;
        int64_t rank = 1;
        size_t k;

        json_object_set_new(o, "average_score", r[i].scored ? json_real(avg) : json_null());
        /* rank: 1 + the departments with a strictly higher average */
        for (k = 0; k < n; k++) {
            double other = r[k].scored ? round(r[k].sum * 100.0 / (double)r[k].scored) / 100.0 : 0;

            if (k != i && r[k].scored && other > avg)
                rank++;
        }
        json_object_set_new(o, "rank", r[i].scored ? json_integer(rank) : json_null());
        /* failed items, most often first (then in checklist order) */
        for (;;) {
            int64_t best = 0;
            size_t bj = 0;

            for (j = 0; j < n_items; j++)
                if (r[i].fails[j] > best)
                    best = r[i].fails[j], bj = j;
            if (!best)
                break;
            json_array_append_new(fails, json_pack("{s:s, s:s, s:I}", "code",
                                                   json_string_value(json_object_get(json_array_get(checklist, bj), "code")),
                                                   "name",
                                                   json_string_value(json_object_get(json_array_get(checklist, bj), "name")),
                                                   "count", (json_int_t)best));
            r[i].fails[bj] = -r[i].fails[bj]; /* taken */
        }
        json_object_set_new(o, "failed_items", fails);
        json_array_append_new(depts, o);
    }
    all_fails = json_array();
    for (;;) {
        int64_t best = 0;
        size_t bj = 0;

        for (j = 0; j < n_items; j++)
            if (total_fails[j] > best)
                best = total_fails[j], bj = j;
        if (!best)
            break;
        json_array_append_new(all_fails, json_pack("{s:s, s:s, s:I}", "code",
                                                   json_string_value(json_object_get(json_array_get(checklist, bj), "code")),
                                                   "name",
                                                   json_string_value(json_object_get(json_array_get(checklist, bj), "name")),
                                                   "count", (json_int_t)best));
        total_fails[bj] = 0;
    }
    rc = zf_ctx_json(c, 200, json_pack("{s:I, s:s, s:o, s:o}", "draw_id", (json_int_t)draw, "title",
                                       json_string_value(json_object_get(head, "title")), "departments", depts,
                                       "failed_items", all_fails));
done:
    zf_stmt_free(st);
    for (i = 0; r && i < n; i++)
        free(r[i].fails);
    free(r);
    free(total_fails);
    json_decref(head);
    return rc;
}

const zf_route zf_evaluation_routes[] = {
    {"GET", "/api/v1/evaluations/checklist", h_checklist_get, SUP, 0, NULL, 0, NULL},
    {"PUT", "/api/v1/evaluations/checklist", h_checklist_put, SUP, 0, NULL, 0, NULL},
    {"GET", "/api/v1/evaluations/draws", h_draw_list, SUP, 0, NULL, 0, NULL},
    {"POST", "/api/v1/evaluations/draws", h_draw_create, SUP, 0, NULL, 0, NULL},
    {"GET", "/api/v1/evaluations/draws/{id}", h_draw_get, SUP, 0, NULL, 0, NULL},
    {"GET", "/api/v1/evaluations/draws/{id}/report", h_report, SUP, 0, NULL, 0, NULL},
    {"PUT", "/api/v1/evaluations/draws/{id}/samples/{sample_id}", h_score, SUP, 0, NULL, 0, NULL},
    {NULL, NULL, NULL, 0, 0, NULL, 0, NULL},
};
