/* spot_store.c — see spot_store.h and docs/spotcheck.md. */
#include "store/spot_store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/deadline.h"
#include "ledger/sm3.h"
#include "store/audit.h"
#include "store/calendar_store.h"
#include "store/publication_store.h"
#include "util/mem.h"

static int audit(zf_db *db, const zf_spot_actor *who, int64_t now, const char *action,
                 const char *type, int64_t id, const char *detail, const char *content_sha256,
                 zf_err *err)
{
    zf_audit_event ev = {0};
    char oid[24];

    snprintf(oid, sizeof oid, "%lld", (long long)id);
    ev.at = now;
    ev.actor_id = who ? who->user_id : 0;
    ev.actor_name = who && who->name ? who->name : "system";
    ev.action = action;
    ev.object_type = type;
    ev.object_id = oid;
    ev.ip = who ? who->ip : NULL;
    ev.request_id = who ? who->request_id : NULL;
    ev.detail = detail;
    ev.content_sha256 = content_sha256;
    return zf_audit_write(db, &ev, err);
}

/* Ends the write transaction of the caller: rolls back after an error,
 * else commits (durably). Returns rc or the commit's result. */
static int tx_end(zf_db *db, int rc, zf_err *err)
{
    if (rc < 0) {
        zf_db_rollback(db);
        return rc;
    }
    return zf_db_commit(db, err);
}

static size_t code_points(const char *s)
{
    size_t n = 0;

    for (; s && *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* ---- plans -------------------------------------------------------------------- */

int zf_spot_plan_create(int64_t *out_id, zf_db *db, const zf_spot_plan_in *in,
                        const zf_spot_actor *who, int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    zf_date from, to;
    char item_name[512] = "";
    int rc;

    *out_id = 0;
    if (!in->title || !*in->title || code_points(in->title) > 200)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "title", "计划名称不能为空，且不超过 200 字");
    if (in->ratio_permille < 1 || in->ratio_permille > 1000)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "ratio_permille",
                          "抽查比例应在 0.1%% 至 100%% 之间（以千分比表示为 1 至 1000）");
    if (in->inspectors_per_entity < 1 || in->inspectors_per_entity > ZF_SPOT_MAX_PER_ENTITY)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "inspectors_per_entity",
                          "每户检查人员数应在 1 至 %d 之间", ZF_SPOT_MAX_PER_ENTITY);
    if ((rc = zf_date_parse(&from, in->period_from ? in->period_from : "",
                            in->period_from ? strlen(in->period_from) : 0, "period_from", err)) < 0 ||
        (rc = zf_date_parse(&to, in->period_to ? in->period_to : "",
                            in->period_to ? strlen(in->period_to) : 0, "period_to", err)) < 0)
        return rc;
    if (to < from)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "period_to", "抽查结束日期不能早于开始日期");
    if ((rc = zf_db_begin(db, err)) < 0)
        return rc;
    if (in->check_item_id > 0) {
        json_t *c;

        if ((rc = zf_db_prepare(&st, db,
                                "SELECT content FROM publicity_items WHERE id = $1 AND "
                                "department_id = $2 AND kind = 'random_check'",
                                err)) < 0)
            goto done;
        zf_stmt_bind_int64(st, 1, in->check_item_id);
        zf_stmt_bind_int64(st, 2, in->department_id);
        if ((rc = zf_stmt_step(st, err)) == 0)
            rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "check_item_id",
                            "抽查事项应为本部门随机抽查事项清单中的一项");
        if (rc < 0)
            goto done;
        c = json_loads(zf_stmt_text(st, 0), 0, NULL);
        snprintf(item_name, sizeof item_name, "%s",
                 json_string_value(json_object_get(c, "name")) ? json_string_value(json_object_get(c, "name")) : "");
        json_decref(c);
        zf_stmt_free(st);
        st = NULL;
    }
    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO spot_plans (department_id, title, check_item_id, "
                            "check_item_name, ratio_permille, inspectors_per_entity, period_from, "
                            "period_to, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, "
                            "$5, $6, $7, $8, $9, $10, $10) RETURNING id",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, in->department_id);
    zf_stmt_bind_text(st, 2, in->title, -1);
    if (in->check_item_id > 0)
        zf_stmt_bind_int64(st, 3, in->check_item_id);
    else
        zf_stmt_bind_null(st, 3);
    zf_stmt_bind_text(st, 4, item_name, -1);
    zf_stmt_bind_int64(st, 5, in->ratio_permille);
    zf_stmt_bind_int64(st, 6, in->inspectors_per_entity);
    zf_stmt_bind_text(st, 7, in->period_from, -1);
    zf_stmt_bind_text(st, 8, in->period_to, -1);
    zf_stmt_bind_int64(st, 9, who->user_id);
    zf_stmt_bind_int64(st, 10, now);
    if ((rc = zf_stmt_step(st, err)) < 0)
        goto done;
    *out_id = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    rc = audit(db, who, now, "spotcheck_plan_create", ZF_SPOT_OBJECT, *out_id, in->title, NULL, err);
done:
    zf_stmt_free(st);
    if (rc < 0)
        *out_id = 0;
    return tx_end(db, rc, err);
}

/* The plan's state and department; ZF_ENOTFOUND. */
static int plan_state(char *state, size_t cap, int64_t *dept, zf_db *db, int64_t plan_id,
                      zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, db, "SELECT state, department_id FROM spot_plans WHERE id = $1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, plan_id);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        snprintf(state, cap, "%s", zf_stmt_text(st, 0));
        if (dept)
            *dept = zf_stmt_int64(st, 1);
        rc = 0;
    } else if (rc == 0) {
        rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "找不到该抽查计划");
    }
    zf_stmt_free(st);
    return rc;
}

static int require_open(zf_db *db, int64_t plan_id, zf_err *err)
{
    char state[16];
    int rc = plan_state(state, sizeof state, NULL, db, plan_id, err);

    if (rc == 0 && strcmp(state, "open") != 0)
        rc = zf_err_set(err, ZF_ECONFLICT, "plan_not_open", NULL,
                        "随机种子已提交，检查对象名录库已锁定，不能再修改");
    return rc;
}

/* ---- the pool ------------------------------------------------------------------- */

int zf_spot_entities_add(size_t *out_added, zf_db *db, int64_t plan_id,
                         zf_spot_pool_parse *entities, const zf_spot_actor *who, int64_t now,
                         zf_err *err)
{
    zf_stmt *st = NULL;
    size_t i, added = 0, cap = entities->n_rejected;
    char detail[64];
    int rc;

    if (out_added)
        *out_added = 0;
    for (i = 0; i < entities->n; i++) {
        zf_spot_entity *e = &entities->rows[i];

        if ((rc = zf_spot_entity_check(e->credit_code, e->name, e->address, e->category, err)) < 0)
            return rc;
    }
    if ((rc = zf_db_begin(db, err)) < 0)
        return rc;
    if ((rc = require_open(db, plan_id, err)) < 0)
        goto done;
    for (i = 0; i < entities->n; i++) {
        zf_spot_entity *e = &entities->rows[i];

        if ((rc = zf_db_prepare(&st, db,
                                "INSERT INTO spot_entities (plan_id, credit_code, name, address, "
                                "category, created_at) VALUES ($1, $2, $3, $4, $5, $6) "
                                "ON CONFLICT (plan_id, credit_code) DO NOTHING",
                                err)) < 0)
            goto done;
        zf_stmt_bind_int64(st, 1, plan_id);
        zf_stmt_bind_text(st, 2, e->credit_code, -1);
        zf_stmt_bind_text(st, 3, e->name, -1);
        zf_stmt_bind_text(st, 4, e->address, -1);
        zf_stmt_bind_text(st, 5, e->category, -1);
        zf_stmt_bind_int64(st, 6, now);
        rc = zf_stmt_step(st, err);
        zf_stmt_free(st);
        st = NULL;
        if (rc < 0)
            goto done;
        if (zf_db_changes(db) == 1) {
            added++;
            continue;
        }
        /* already in the pool: reported, not added */
        if (entities->n_rejected == cap) {
            cap = cap ? 2 * cap : 16;
            entities->rejected = zf_realloc(entities->rejected, cap * sizeof *entities->rejected);
        }
        {
            zf_spot_reject *r = &entities->rejected[entities->n_rejected++];

            r->line = e->line;
            snprintf(r->credit_code, sizeof r->credit_code, "%s", e->credit_code);
            snprintf(r->reason, sizeof r->reason, "%s", "该统一社会信用代码已在名录库中");
        }
    }
    snprintf(detail, sizeof detail, "added=%zu", added);
    rc = added ? audit(db, who, now, "spotcheck_pool_add", ZF_SPOT_OBJECT, plan_id, detail, NULL, err)
               : 0;
done:
    zf_stmt_free(st);
    if ((rc = tx_end(db, rc, err)) == 0 && out_added)
        *out_added = added;
    return rc;
}

int zf_spot_entity_remove(zf_db *db, int64_t plan_id, int64_t entity_id,
                          const zf_spot_actor *who, int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    char detail[64];
    int rc;

    if ((rc = zf_db_begin(db, err)) < 0)
        return rc;
    if ((rc = require_open(db, plan_id, err)) < 0 ||
        (rc = zf_db_prepare(&st, db,
                            "DELETE FROM spot_conflicts WHERE entity_id = $1 AND plan_id = $2", err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, entity_id);
    zf_stmt_bind_int64(st, 2, plan_id);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0 ||
        (rc = zf_db_prepare(&st, db, "DELETE FROM spot_entities WHERE id = $1 AND plan_id = $2",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, entity_id);
    zf_stmt_bind_int64(st, 2, plan_id);
    if ((rc = zf_stmt_step(st, err)) < 0)
        goto done;
    if (zf_db_changes(db) != 1) {
        rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "名录库中没有该检查对象");
        goto done;
    }
    snprintf(detail, sizeof detail, "entity=%lld", (long long)entity_id);
    rc = audit(db, who, now, "spotcheck_pool_remove", ZF_SPOT_OBJECT, plan_id, detail, NULL, err);
done:
    zf_stmt_free(st);
    return tx_end(db, rc, err);
}

int zf_spot_conflict_add(zf_db *db, int64_t plan_id, int64_t officer_id, const char *credit_code,
                         const char *reason, const zf_spot_actor *who, int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    int64_t entity = 0, dept = 0;
    char state[16], detail[96];
    int rc;

    if (!reason || !*reason || code_points(reason) > 200)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "reason", "请填写回避事由（不超过 200 字）");
    if ((rc = zf_db_begin(db, err)) < 0)
        return rc;
    if ((rc = plan_state(state, sizeof state, &dept, db, plan_id, err)) < 0)
        goto done;
    if (strcmp(state, "open") != 0) {
        rc = zf_err_set(err, ZF_ECONFLICT, "plan_not_open", NULL,
                        "随机种子已提交，检查对象名录库已锁定，不能再修改");
        goto done;
    }
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT id FROM spot_entities WHERE plan_id = $1 AND credit_code = $2", err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, plan_id);
    zf_stmt_bind_text(st, 2, credit_code ? credit_code : "", -1);
    if ((rc = zf_stmt_step(st, err)) == 1)
        entity = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    if (!entity) {
        rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "credit_code", "名录库中没有该统一社会信用代码");
        goto done;
    }
    if ((rc = zf_db_prepare(&st, db, "SELECT id FROM officers WHERE id = $1 AND department_id = $2",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, officer_id);
    zf_stmt_bind_int64(st, 2, dept);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    st = NULL;
    if (rc == 0)
        rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "officer_id", "回避人员应为本部门的执法人员");
    if (rc < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO spot_conflicts (plan_id, entity_id, officer_id, reason, "
                            "created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) "
                            "ON CONFLICT (plan_id, entity_id, officer_id) DO UPDATE SET reason = $4",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, plan_id);
    zf_stmt_bind_int64(st, 2, entity);
    zf_stmt_bind_int64(st, 3, officer_id);
    zf_stmt_bind_text(st, 4, reason, -1);
    zf_stmt_bind_int64(st, 5, who->user_id);
    zf_stmt_bind_int64(st, 6, now);
    if ((rc = zf_stmt_step(st, err)) < 0)
        goto done;
    /* the reason stays in the database: it may be personal (a relative) */
    snprintf(detail, sizeof detail, "entity=%lld; officer=%lld", (long long)entity, (long long)officer_id);
    rc = audit(db, who, now, "spotcheck_conflict", ZF_SPOT_OBJECT, plan_id, detail, NULL, err);
done:
    zf_stmt_free(st);
    return tx_end(db, rc, err);
}

/* ---- inputs -------------------------------------------------------------------- */

static int str_cmp(const void *a, const void *b)
{
    return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

/* Reads (text key, id, extra fields...) rows of sql, sorts them by key in
 * byte order (so the order does not depend on the database's collation) and
 * fills keys/ids and the pool hash over the rows' nfields text columns. */
static int load_sorted(char ***out_keys, int64_t **out_ids, size_t *out_n, char *hash,
                       zf_db *db, const char *sql, int64_t plan_id, size_t nfields, zf_err *err)
{
    zf_stmt *st = NULL;
    char ***rows = NULL; /* rows[i] = nfields strings (key first) + the id as text */
    const char **flat = NULL;
    size_t n = 0, cap = 0, i, f;
    int rc;

    *out_keys = NULL;
    *out_ids = NULL;
    *out_n = 0;
    if ((rc = zf_db_prepare(&st, db, sql, err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, plan_id);
    while ((rc = zf_stmt_step(st, err)) == 1) {
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            rows = zf_realloc(rows, cap * sizeof *rows);
        }
        rows[n] = zf_malloc((nfields + 1) * sizeof **rows);
        for (f = 0; f < nfields; f++)
            rows[n][f] = zf_strdup(zf_stmt_text(st, (int)f + 1));
        {
            char id[24];

            snprintf(id, sizeof id, "%lld", (long long)zf_stmt_int64(st, 0));
            rows[n][nfields] = zf_strdup(id);
        }
        n++;
    }
    zf_stmt_free(st);
    if (rc < 0)
        goto done;
    if (n)
        qsort(rows, n, sizeof *rows, str_cmp);
    flat = zf_malloc((n ? n : 1) * nfields * sizeof *flat);
    *out_keys = zf_malloc((n ? n : 1) * sizeof **out_keys);
    *out_ids = zf_malloc((n ? n : 1) * sizeof **out_ids);
    for (i = 0; i < n; i++) {
        for (f = 0; f < nfields; f++)
            flat[i * nfields + f] = rows[i][f];
        (*out_keys)[i] = zf_strdup(rows[i][0]);
        (*out_ids)[i] = strtoll(rows[i][nfields], NULL, 10);
    }
    *out_n = n;
    rc = zf_spot_pool_hash(hash, flat, n, nfields, err);
done:
    for (i = 0; i < n; i++) {
        for (f = 0; f <= nfields; f++)
            free(rows[i][f]);
        free(rows[i]);
    }
    free(rows);
    free(flat);
    return rc;
}

void zf_spot_inputs_free(zf_spot_inputs *p)
{
    size_t i;

    if (!p)
        return;
    for (i = 0; p->entities && i < p->in.n_entities; i++)
        free(p->entities[i]);
    for (i = 0; p->inspectors && i < p->in.n_inspectors; i++)
        free(p->inspectors[i]);
    free(p->entities);
    free(p->inspectors);
    free(p->entity_ids);
    free(p->officer_ids);
    free(p->conflicts);
    memset(p, 0, sizeof *p);
}

#define ENTITY_SQL \
    "SELECT id, credit_code, name, address, category FROM spot_entities WHERE plan_id = $1"
#define INSPECTOR_SQL \
    "SELECT officer_id, certificate_no, name FROM spot_inspectors WHERE plan_id = $1"

static void fill_input(zf_spot_inputs *p, int ratio, int per)
{
    p->in.seed = p->seed;
    p->in.entities = (const char *const *)p->entities;
    p->in.inspectors = (const char *const *)p->inspectors;
    p->in.ratio_permille = ratio;
    p->in.per_entity = per;
}

static int pair_cmp(const void *a, const void *b)
{
    const char *const *x = a, *const *y = b;
    int c = strcmp(x[0], y[0]);

    return c ? c : strcmp(x[1], y[1]);
}

static int key_cmp(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(char *const *)elem);
}

/* The conflicts of interest (回避) between members of the two pools, as
 * index pairs into the sorted pools, and their hash over the lines
 * "credit code TAB certificate number" in byte order. Declared conflicts of
 * officers outside the frozen inspector pool do not count. */
static int load_conflicts(zf_spot_inputs *p, zf_db *db, int64_t plan_id, zf_err *err)
{
    zf_stmt *st = NULL;
    char **pairs = NULL;
    size_t n = 0, cap = 0, i;
    int rc;

    if ((rc = zf_db_prepare(&st, db,
                            "SELECT e.credit_code, i.certificate_no FROM spot_conflicts c JOIN "
                            "spot_entities e ON e.id = c.entity_id JOIN spot_inspectors i ON "
                            "i.plan_id = c.plan_id AND i.officer_id = c.officer_id WHERE c.plan_id = $1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, plan_id);
    while ((rc = zf_stmt_step(st, err)) == 1) {
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            pairs = zf_realloc(pairs, 2 * cap * sizeof *pairs);
        }
        pairs[2 * n] = zf_strdup(zf_stmt_text(st, 0));
        pairs[2 * n + 1] = zf_strdup(zf_stmt_text(st, 1));
        n++;
    }
    zf_stmt_free(st);
    if (rc < 0)
        goto done;
    if (n)
        qsort(pairs, n, 2 * sizeof *pairs, pair_cmp);
    if ((rc = zf_spot_pool_hash(p->conflict_hash, (const char *const *)pairs, n, 2, err)) < 0)
        goto done;
    p->conflicts = zf_malloc((n ? n : 1) * 2 * sizeof *p->conflicts);
    for (i = 0; i < n; i++) {
        char **e = bsearch(pairs[2 * i], p->entities, p->in.n_entities, sizeof *p->entities, key_cmp);
        char **o = bsearch(pairs[2 * i + 1], p->inspectors, p->in.n_inspectors, sizeof *p->inspectors,
                           key_cmp);

        if (!e || !o) {
            rc = zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "回避关系指向名录库之外的对象");
            goto done;
        }
        p->conflicts[2 * i] = (size_t)(e - p->entities);
        p->conflicts[2 * i + 1] = (size_t)(o - p->inspectors);
    }
    p->in.conflicts = p->conflicts;
    p->in.n_conflicts = n;
    rc = 0;
done:
    for (i = 0; i < 2 * n; i++)
        free(pairs[i]);
    free(pairs);
    return rc;
}

/* Both pools, sorted and hashed, and their conflicts. */
static int load_pools(zf_spot_inputs *p, zf_db *db, int64_t plan_id, zf_err *err)
{
    int rc;

    if ((rc = load_sorted(&p->entities, &p->entity_ids, &p->in.n_entities, p->pool_hash, db,
                          ENTITY_SQL, plan_id, 4, err)) < 0 ||
        (rc = load_sorted(&p->inspectors, &p->officer_ids, &p->in.n_inspectors, p->inspector_hash,
                          db, INSPECTOR_SQL, plan_id, 2, err)) < 0)
        return rc;
    return load_conflicts(p, db, plan_id, err);
}

int zf_spot_inputs_load(zf_spot_inputs *out, zf_db *db, int64_t plan_id, zf_err *err)
{
    zf_stmt *st = NULL;
    char state[16] = "", seed_hex[80] = "";
    int ratio = 0, per = 0, rc;

    memset(out, 0, sizeof *out);
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT state, COALESCE(seed, ''), ratio_permille, "
                            "inspectors_per_entity, COALESCE(commitment, '') FROM spot_plans "
                            "WHERE id = $1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, plan_id);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        snprintf(state, sizeof state, "%s", zf_stmt_text(st, 0));
        snprintf(seed_hex, sizeof seed_hex, "%s", zf_stmt_text(st, 1));
        ratio = (int)zf_stmt_int64(st, 2);
        per = (int)zf_stmt_int64(st, 3);
        snprintf(out->commitment, sizeof out->commitment, "%s", zf_stmt_text(st, 4));
        rc = 0;
    } else if (rc == 0) {
        rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "找不到该抽查计划");
    }
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    if (strcmp(state, "open") == 0)
        return zf_err_set(err, ZF_ECONFLICT, "not_seeded", NULL, "该抽查计划尚未提交随机种子");
    if ((rc = zf_spot_seed_parse(out->seed, seed_hex, err)) < 0 ||
        (rc = load_pools(out, db, plan_id, err)) < 0) {
        zf_spot_inputs_free(out);
        return rc;
    }
    fill_input(out, ratio, per);
    return 0;
}

/* ---- the draw ------------------------------------------------------------------- */

static int last_ledger_idx(int64_t *out, zf_db *db, zf_err *err)
{
    int rc = zf_db_query_int64(db, out, "SELECT MAX(idx) FROM ledger_events", err, 0, NULL);

    return rc < 0 ? rc : 0;
}

/* Transaction 1: freeze the inspector pool, hash both pools, commit the seed. */
static int commit_seed(zf_db *db, int64_t plan_id, const uint8_t *seed, const zf_spot_actor *who,
                       int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    zf_spot_inputs p;
    char state[16], seed_hex[2 * ZF_SPOT_SEED_LEN + 1], today_s[ZF_DATE_STRLEN], detail[160];
    int64_t dept = 0, idx = 0, ratio = 0, per = 0;
    int rc;

    memset(&p, 0, sizeof p);
    if ((rc = zf_db_begin(db, err)) < 0)
        return rc;
    if ((rc = plan_state(state, sizeof state, &dept, db, plan_id, err)) < 0)
        goto done;
    if (strcmp(state, "open") != 0) { /* someone else committed meanwhile */
        rc = 0;
        goto done;
    }
    zf_date_format(today_s, zf_calendar_store_today(now));
    /* 执法检查人员名录库: the department's active officers whose certificate
     * is valid today */
    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO spot_inspectors (plan_id, officer_id, certificate_no, name) "
                            "SELECT $1, id, certificate_no, name FROM officers WHERE "
                            "department_id = $2 AND status = 'active' AND "
                            "certificate_valid_from <= $3 AND certificate_valid_to >= $3",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, plan_id);
    zf_stmt_bind_int64(st, 2, dept);
    zf_stmt_bind_text(st, 3, today_s, -1);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    if ((rc = load_pools(&p, db, plan_id, err)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT ratio_permille, inspectors_per_entity FROM spot_plans WHERE id = $1",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, plan_id);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        ratio = zf_stmt_int64(st, 0);
        per = zf_stmt_int64(st, 1);
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    if (p.in.n_entities == 0) {
        rc = zf_err_set(err, ZF_ECONFLICT, "pool_empty", NULL, "检查对象名录库为空，不能抽取");
        goto done;
    }
    if (p.in.n_inspectors < (size_t)per) {
        rc = zf_err_set(err, ZF_ECONFLICT, "not_enough_inspectors", NULL,
                        "本部门持有效执法证的在岗人员只有 %zu 人，少于每户 %d 人",
                        p.in.n_inspectors, (int)per);
        goto done;
    }
    /* any entity may be drawn: each must keep k eligible inspectors after
     * its conflicts, checked before the seed so the draw cannot fail later */
    {
        size_t *left = zf_calloc(p.in.n_entities, sizeof *left), i;

        for (i = 0; i < p.in.n_conflicts; i++)
            left[p.conflicts[2 * i]]++;
        for (i = 0; i < p.in.n_entities; i++)
            if (p.in.n_inspectors - left[i] < (size_t)per)
                break;
        free(left);
        if (i < p.in.n_entities) {
            rc = zf_err_set(err, ZF_ECONFLICT, "not_enough_inspectors", "conflicts",
                            "检查对象 %s 除回避人员外的检查人员少于每户 %d 人", p.entities[i],
                            (int)per);
            goto done;
        }
    }
    zf_hex_encode(seed_hex, seed, ZF_SPOT_SEED_LEN);
    if ((rc = zf_spot_commitment(p.commitment, plan_id, seed_hex, p.in.n_entities, p.pool_hash,
                                 p.in.n_inspectors, p.inspector_hash, p.in.n_conflicts,
                                 p.conflict_hash, (int)ratio, (int)per, err)) < 0)
        goto done;
    snprintf(detail, sizeof detail, "entities=%zu; inspectors=%zu; conflicts=%zu; ratio_permille=%d",
             p.in.n_entities, p.in.n_inspectors, p.in.n_conflicts, (int)ratio);
    if ((rc = audit(db, who, now, "spotcheck_seed", ZF_SPOT_OBJECT, plan_id, detail, p.commitment,
                    err)) < 0 ||
        (rc = last_ledger_idx(&idx, db, err)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, db,
                            "UPDATE spot_plans SET state = 'seeded', seed = $2, pool_size = $3, "
                            "pool_hash = $4, inspector_pool_size = $5, inspector_pool_hash = $6, "
                            "commitment = $7, seed_ledger_idx = $8, seeded_at = $9, updated_at = $9 "
                            "WHERE id = $1",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, plan_id);
    zf_stmt_bind_text(st, 2, seed_hex, -1);
    zf_stmt_bind_int64(st, 3, (int64_t)p.in.n_entities);
    zf_stmt_bind_text(st, 4, p.pool_hash, -1);
    zf_stmt_bind_int64(st, 5, (int64_t)p.in.n_inspectors);
    zf_stmt_bind_text(st, 6, p.inspector_hash, -1);
    zf_stmt_bind_text(st, 7, p.commitment, -1);
    zf_stmt_bind_int64(st, 8, idx);
    zf_stmt_bind_int64(st, 9, now);
    rc = zf_stmt_step(st, err);
done:
    zf_stmt_free(st);
    zf_spot_inputs_free(&p);
    return tx_end(db, rc, err);
}

/* Transaction 2: the selection from what transaction 1 committed. */
static int run_draw(zf_db *db, int64_t plan_id, const zf_spot_actor *who, int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    zf_spot_inputs p;
    zf_spot_draw d = ZF_SPOT_DRAW_INIT;
    char state[16], hash[65], detail[96];
    int64_t idx = 0;
    size_t i;
    int k, rc;

    memset(&p, 0, sizeof p);
    if ((rc = zf_db_begin(db, err)) < 0)
        return rc;
    if ((rc = plan_state(state, sizeof state, NULL, db, plan_id, err)) < 0)
        goto done;
    if (strcmp(state, "seeded") != 0) {
        rc = zf_err_set(err, ZF_ECONFLICT, "already_drawn", NULL, "该抽查计划已经抽取过，不能再次抽取");
        goto done;
    }
    if ((rc = zf_spot_inputs_load(&p, db, plan_id, err)) < 0 ||
        (rc = zf_spot_draw_run(&d, &p.in, err)) < 0 ||
        (rc = zf_spot_selection_hash(hash, &d, &p.in, err)) < 0)
        goto done;
    for (i = 0; i < d.n; i++) {
        int64_t sel = 0;

        if ((rc = zf_db_prepare(&st, db,
                                "INSERT INTO spot_selections (plan_id, draw_order, entity_id) "
                                "VALUES ($1, $2, $3) RETURNING id",
                                err)) < 0)
            goto done;
        zf_stmt_bind_int64(st, 1, plan_id);
        zf_stmt_bind_int64(st, 2, (int64_t)i + 1);
        zf_stmt_bind_int64(st, 3, p.entity_ids[d.entity[i]]);
        if ((rc = zf_stmt_step(st, err)) == 1)
            sel = zf_stmt_int64(st, 0);
        zf_stmt_free(st);
        st = NULL;
        if (rc < 0)
            goto done;
        for (k = 0; k < d.per_entity; k++) {
            if ((rc = zf_db_prepare(&st, db,
                                    "INSERT INTO spot_selection_inspectors (selection_id, seq, "
                                    "officer_id) VALUES ($1, $2, $3)",
                                    err)) < 0)
                goto done;
            zf_stmt_bind_int64(st, 1, sel);
            zf_stmt_bind_int64(st, 2, k + 1);
            zf_stmt_bind_int64(st, 3, p.officer_ids[d.inspector[i * (size_t)d.per_entity + (size_t)k]]);
            rc = zf_stmt_step(st, err);
            zf_stmt_free(st);
            st = NULL;
            if (rc < 0)
                goto done;
        }
    }
    snprintf(detail, sizeof detail, "selected=%zu; repeated_pairs=%zu", d.n, d.repeated_pairs);
    if ((rc = audit(db, who, now, "spotcheck_draw", ZF_SPOT_OBJECT, plan_id, detail, hash, err)) < 0 ||
        (rc = last_ledger_idx(&idx, db, err)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, db,
                            "UPDATE spot_plans SET state = 'drawn', selection_hash = $2, "
                            "draw_ledger_idx = $3, drawn_at = $4, repeated_pairs = $5, "
                            "updated_at = $4 WHERE id = $1",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, plan_id);
    zf_stmt_bind_text(st, 2, hash, -1);
    zf_stmt_bind_int64(st, 3, idx);
    zf_stmt_bind_int64(st, 4, now);
    zf_stmt_bind_int64(st, 5, (int64_t)d.repeated_pairs);
    rc = zf_stmt_step(st, err);
done:
    zf_stmt_free(st);
    zf_spot_draw_free(&d);
    zf_spot_inputs_free(&p);
    return tx_end(db, rc, err);
}

int zf_spot_plan_draw(zf_db *db, int64_t plan_id, const uint8_t *seed, const zf_spot_actor *who,
                 int64_t now, zf_err *err)
{
    char state[16];
    int rc;

    if ((rc = plan_state(state, sizeof state, NULL, db, plan_id, err)) < 0)
        return rc;
    if (strcmp(state, "drawn") == 0)
        return zf_err_set(err, ZF_ECONFLICT, "already_drawn", NULL, "该抽查计划已经抽取过，不能再次抽取");
    /* the seed is durable in the ledger (zf_db_commit) before the selection
     * is computed */
    if (strcmp(state, "open") == 0 && (rc = commit_seed(db, plan_id, seed, who, now, err)) < 0)
        return rc;
    return run_draw(db, plan_id, who, now, err);
}

/* ---- results ---------------------------------------------------------------------- */

typedef struct sel_row {
    int64_t plan_id, department_id, publication_id;
    char entity_name[512], credit_code[40], plan_title[512], item_name[512], dept_name[256];
} sel_row;

static int load_selection(sel_row *out, zf_db *db, int64_t id, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT s.plan_id, p.department_id, COALESCE(s.publication_id, 0), "
                            "e.name, e.credit_code, p.title, p.check_item_name, d.name "
                            "FROM spot_selections s JOIN spot_plans p ON p.id = s.plan_id "
                            "JOIN spot_entities e ON e.id = s.entity_id "
                            "JOIN departments d ON d.id = p.department_id WHERE s.id = $1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        out->plan_id = zf_stmt_int64(st, 0);
        out->department_id = zf_stmt_int64(st, 1);
        out->publication_id = zf_stmt_int64(st, 2);
        snprintf(out->entity_name, sizeof out->entity_name, "%s", zf_stmt_text(st, 3));
        snprintf(out->credit_code, sizeof out->credit_code, "%s", zf_stmt_text(st, 4));
        snprintf(out->plan_title, sizeof out->plan_title, "%s", zf_stmt_text(st, 5));
        snprintf(out->item_name, sizeof out->item_name, "%s", zf_stmt_text(st, 6));
        snprintf(out->dept_name, sizeof out->dept_name, "%s", zf_stmt_text(st, 7));
        rc = 0;
    } else if (rc == 0) {
        rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "找不到该抽查对象");
    }
    zf_stmt_free(st);
    return rc;
}

static int is_inspector(zf_db *db, int64_t selection_id, int64_t officer_id, zf_err *err)
{
    char a[24], b[24];
    const char *params[2] = {a, b};

    snprintf(a, sizeof a, "%lld", (long long)selection_id);
    snprintf(b, sizeof b, "%lld", (long long)officer_id);
    return zf_db_query_int64(db, NULL,
                             "SELECT 1 FROM spot_selection_inspectors WHERE selection_id = $1 "
                             "AND officer_id = $2",
                             err, 2, params);
}

static json_t *result_content(const sel_row *s, const zf_spot_result_in *in)
{
    int normal = strcmp(in->result, "normal") == 0;
    json_t *o = json_object();

    json_object_set_new(o, "执法机关", json_string(s->dept_name));
    json_object_set_new(o, "执法对象", json_string(s->entity_name));
    json_object_set_new(o, "统一社会信用代码", json_string(s->credit_code));
    json_object_set_new(o, "执法类别", json_string("行政检查（双随机抽查）"));
    json_object_set_new(o, "抽查计划", json_string(s->plan_title));
    json_object_set_new(o, "抽查事项", json_string(s->item_name));
    json_object_set_new(o, "检查日期", json_string(in->inspected_on));
    json_object_set_new(o, "检查结果", json_string(normal ? "未发现问题" : "发现问题"));
    json_object_set_new(o, "发现的问题", json_string(normal ? "" : in->findings));
    json_object_set_new(o, "处理情况", json_string(normal ? "" : in->handling));
    json_object_set_new(o, "处理完成日期", json_string(normal || !in->handled_on ? "" : in->handled_on));
    json_object_set_new(o, "执法结论", json_string(normal ? "抽查结果正常" : "发现问题，已依法处理"));
    return o;
}

int zf_spot_result_enter(zf_db *db, const zf_calendar *cal, int64_t selection_id,
                         const zf_spot_result_in *in, int64_t officer_id, int is_head,
                         const zf_spot_actor *who, int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    sel_row s;
    zf_date on, handled = ZF_DATE_NONE, today = zf_calendar_store_today(now);
    int normal, rc;
    json_t *content = NULL;
    int64_t pub = 0;

    if (!in->result || (strcmp(in->result, "normal") != 0 && strcmp(in->result, "problem") != 0))
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "result",
                          "检查结果应为 normal（未发现问题）或 problem（发现问题）");
    normal = strcmp(in->result, "normal") == 0;
    if ((rc = zf_date_parse(&on, in->inspected_on ? in->inspected_on : "",
                            in->inspected_on ? strlen(in->inspected_on) : 0, "inspected_on", err)) < 0)
        return rc;
    if (on > today)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "inspected_on", "检查日期不能晚于今天");
    if (!normal && (!in->findings || !*in->findings))
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "findings", "发现问题时应填写发现的问题");
    if (code_points(in->findings) > ZF_SPOT_TEXT_MAX || code_points(in->handling) > ZF_SPOT_TEXT_MAX)
        return zf_err_set(err, ZF_EINVAL, "validation_failed",
                          code_points(in->findings) > ZF_SPOT_TEXT_MAX ? "findings" : "handling",
                          "内容不能超过 %d 字", ZF_SPOT_TEXT_MAX);
    if (!normal && in->handled_on && *in->handled_on) {
        if ((rc = zf_date_parse(&handled, in->handled_on, strlen(in->handled_on), "handled_on", err)) < 0)
            return rc;
        if (handled < on || handled > today)
            return zf_err_set(err, ZF_EINVAL, "validation_failed", "handled_on",
                              "处理完成日期应在检查日期与今天之间");
        if (!in->handling || !*in->handling)
            return zf_err_set(err, ZF_EINVAL, "validation_failed", "handling", "处理完成时应填写处理情况");
    }
    if ((rc = zf_db_begin(db, err)) < 0)
        return rc;
    if ((rc = load_selection(&s, db, selection_id, err)) < 0)
        goto done;
    if (!is_head) {
        if ((rc = is_inspector(db, selection_id, officer_id, err)) < 0)
            goto done;
        if (rc == 0) {
            rc = zf_err_set(err, ZF_EPERM, "not_assigned", NULL, "只有抽中的检查人员可以录入该对象的检查结果");
            goto done;
        }
    }
    if (s.publication_id) {
        rc = zf_err_set(err, ZF_ECONFLICT, "result_queued", NULL, "检查结果已进入公示流程，不能再修改");
        goto done;
    }
    if (normal || handled != ZF_DATE_NONE) {
        char title[700];

        content = result_content(&s, in);
        snprintf(title, sizeof title, "双随机抽查结果：%s", s.entity_name);
        if ((rc = zf_publication_queue_record(&pub, db, cal, s.department_id, "other", title, content,
                                              "publish_spot_check", normal ? on : handled, now,
                                              err)) < 0)
            goto done;
    }
    if ((rc = zf_db_prepare(&st, db,
                            "UPDATE spot_selections SET result = $2, inspected_on = $3, "
                            "findings = $4, handling = $5, handled_on = $6, result_by = $7, "
                            "result_at = $8, publication_id = $9 WHERE id = $1",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, selection_id);
    zf_stmt_bind_text(st, 2, in->result, -1);
    zf_stmt_bind_text(st, 3, in->inspected_on, -1);
    zf_stmt_bind_text(st, 4, normal || !in->findings ? "" : in->findings, -1);
    zf_stmt_bind_text(st, 5, normal || !in->handling ? "" : in->handling, -1);
    zf_stmt_bind_text_or_null(st, 6, handled != ZF_DATE_NONE ? in->handled_on : NULL);
    zf_stmt_bind_int64(st, 7, who->user_id);
    zf_stmt_bind_int64(st, 8, now);
    if (pub)
        zf_stmt_bind_int64(st, 9, pub);
    else
        zf_stmt_bind_null(st, 9);
    if ((rc = zf_stmt_step(st, err)) < 0)
        goto done;
    rc = audit(db, who, now, "spotcheck_result", ZF_SPOT_SELECTION_OBJECT, selection_id, in->result,
               NULL, err);
done:
    zf_stmt_free(st);
    json_decref(content);
    return tx_end(db, rc, err);
}
