/* review_store.c — catalogs, proposed decisions, review rounds, the pool and
 * the stored gate of the legal review (重大执法决定法制审核). The contract is in
 * review_store.h; the rules are in core/review.c. */
#include "store/review_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/deadline.h"
#include "core/doctpl.h"
#include "core/workflow.h"
#include "ledger/jcs.h"
#include "ledger/sm3.h"
#include "store/audit.h"
#include "store/calendar_store.h"
#include "store/doc_store.h"
#include "util/buf.h"
#include "util/mem.h"

/* ---- small helpers ---------------------------------------------------------------- */

static void copy(char *out, size_t cap, const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (!cap)
        return;
    if (n >= cap)
        n = cap - 1;
    /* never cut inside a UTF-8 sequence */
    while (n > 0 && n < (s ? strlen(s) : 0) && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    if (n)
        memcpy(out, s, n);
    out[n] = '\0';
}

static int tx_begin(zf_db *db, int *own, zf_err *err)
{
    *own = !zf_db_in_transaction(db);
    return *own ? zf_db_begin(db, err) : 0;
}

static int tx_end(zf_db *db, int own, int rc, zf_err *err)
{
    if (!own)
        return rc;
    if (rc < 0) {
        zf_db_rollback(db);
        return rc;
    }
    if ((rc = zf_db_commit(db, err)) < 0)
        zf_db_rollback(db);
    return rc;
}

static void sha256_hex(char out[65], const char *data, size_t len)
{
    uint8_t d[ZF_DIGEST_LEN];

    zf_sha256(d, data, len);
    zf_hex_encode(out, d, sizeof d);
}

static int audit(zf_db *db, const zf_case_actor *who, int64_t now, const char *action,
                 const char *type, int64_t id, const char *detail, zf_err *err)
{
    char oid[24], sha[65];
    zf_audit_event ev = {0};

    snprintf(oid, sizeof oid, "%lld", (long long)id);
    sha256_hex(sha, detail ? detail : "", detail ? strlen(detail) : 0);
    ev.at = now;
    ev.actor_id = who ? who->user_id : 0;
    ev.actor_name = who && who->name ? who->name : "system";
    ev.action = action;
    ev.object_type = type;
    ev.object_id = oid;
    ev.ip = who ? who->ip : NULL;
    ev.request_id = who ? who->request_id : NULL;
    ev.detail = detail;
    ev.content_sha256 = sha;
    return zf_audit_write(db, &ev, err);
}

static int audit_json(zf_db *db, const zf_case_actor *who, int64_t now, const char *action,
                      const char *type, int64_t id, json_t *detail, zf_err *err)
{
    char *t = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
    int rc = audit(db, who, now, action, type, id, t, err);

    free(t);
    json_decref(detail);
    return rc;
}

static void date_str(char out[ZF_DATE_STRLEN], zf_date d)
{
    if (d == ZF_DATE_NONE)
        out[0] = '\0';
    else
        zf_date_format(out, d);
}

static zf_date parse_date(const char *s)
{
    zf_date d;

    if (!s || !*s || zf_date_parse(&d, s, strlen(s), NULL, NULL) < 0)
        return ZF_DATE_NONE;
    return d;
}

static json_t *date_json(zf_date d)
{
    char b[ZF_DATE_STRLEN];

    if (d == ZF_DATE_NONE)
        return json_null();
    return json_string(zf_date_format(b, d));
}

static json_t *text_or_null(zf_stmt *st, int col)
{
    return zf_stmt_is_null(st, col) ? json_null() : json_string(zf_stmt_text(st, col));
}

static int64_t query_int(zf_db *db, const char *sql, int64_t a, const char *b)
{
    zf_stmt *st = NULL;
    int64_t v = 0;

    if (zf_db_prepare(&st, db, sql, NULL) < 0)
        return 0;
    zf_stmt_bind_int64(st, 1, a);
    if (b)
        zf_stmt_bind_text(st, 2, b, -1);
    if (zf_stmt_step(st, NULL) == 1)
        v = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    return v;
}

static int dept_is_bureau(zf_db *db, int64_t dept)
{
    return query_int(db, "SELECT COUNT(*) FROM departments WHERE id = $1 AND kind = 'supervision'",
                     dept, NULL) > 0;
}

static void dept_name(char *out, size_t cap, zf_db *db, int64_t dept)
{
    zf_stmt *st = NULL;

    out[0] = '\0';
    if (zf_db_prepare(&st, db, "SELECT name FROM departments WHERE id = $1", NULL) < 0)
        return;
    zf_stmt_bind_int64(st, 1, dept);
    if (zf_stmt_step(st, NULL) == 1)
        copy(out, cap, zf_stmt_text(st, 0));
    zf_stmt_free(st);
}

/* ---- configuration ---------------------------------------------------------------- */

static int setting(char *out, size_t cap, zf_db *db, const char *key, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, db, "SELECT value FROM settings WHERE key = $1", err)) < 0)
        return rc;
    zf_stmt_bind_text(st, 1, key, -1);
    rc = zf_stmt_step(st, err);
    if (rc == 1)
        copy(out, cap, zf_stmt_text(st, 0));
    zf_stmt_free(st);
    return rc;
}

static int setting_int(int *out, zf_db *db, const char *key, zf_err *err)
{
    char v[32], *end;
    long n;
    int rc;

    if ((rc = setting(v, sizeof v, db, key, err)) <= 0)
        return rc;
    n = strtol(v, &end, 10);
    if (!v[0] || *end || n < 0 || n > 1000)
        return zf_err_set(err, ZF_EINVAL, "invalid_review_config", key, "设置项 %s 应为整数", key);
    *out = (int)n;
    return 0;
}

int zf_review_store_config(zf_review_config *out, zf_db *db, zf_err *err)
{
    char *v = zf_malloc(8192);
    int rc, b = 0;

    zf_review_config_default(out);
    if ((rc = setting_int(&out->review_workdays, db, "review_workdays", err)) < 0 ||
        (rc = setting_int(&out->extension_workdays, db, "review_extension_workdays", err)) < 0 ||
        (rc = setting_int(&out->reviewer_percent, db, "review_reviewer_percent", err)) < 0)
        goto out;
    b = out->collective_may_decide ? 1 : 0;
    if ((rc = setting_int(&b, db, "review_collective_may_decide", err)) < 0)
        goto out;
    out->collective_may_decide = b != 0;
    if ((rc = setting(v, 8192, db, "review_outcomes", err)) < 0)
        goto out;
    if (rc == 1) {
        json_t *arr = json_loads(v, JSON_REJECT_DUPLICATES, NULL), *o;
        size_t i;

        if (!json_is_array(arr) || json_array_size(arr) == 0 ||
            json_array_size(arr) > ZF_REVIEW_MAX_OUTCOMES) {
            json_decref(arr);
            rc = zf_err_set(err, ZF_EINVAL, "invalid_review_config", "review_outcomes",
                            "设置项 review_outcomes 应为 1 至 %d 个审核结论的数组",
                            ZF_REVIEW_MAX_OUTCOMES);
            goto out;
        }
        out->n_outcomes = 0;
        json_array_foreach(arr, i, o) {
            zf_review_outcome *x = &out->outcomes[out->n_outcomes++];

            memset(x, 0, sizeof *x);
            copy(x->code, sizeof x->code, json_string_value(json_object_get(o, "code")));
            copy(x->label, sizeof x->label, json_string_value(json_object_get(o, "label")));
            x->passes = json_is_true(json_object_get(o, "passes"));
            x->reason_required = json_is_true(json_object_get(o, "reason_required"));
        }
        json_decref(arr);
    }
    /* a locality's bad numbers are a configuration error, named as such */
    if ((rc = zf_review_config_validate(out, err)) < 0 && err)
        copy(err->code, sizeof err->code, "invalid_review_config");
out:
    free(v);
    return rc < 0 ? rc : 0;
}

/* ---- catalogs ------------------------------------------------------------------------- */

int zf_review_store_catalog_effective(zf_review_catalog **out, zf_db *db, int64_t department_id,
                                      zf_date today, zf_err *err)
{
    zf_stmt *st = NULL;
    char td[ZF_DATE_STRLEN], name[ZF_REVIEW_NAME_MAX];
    int rc;

    *out = NULL;
    date_str(td, today);
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT body FROM review_catalogs WHERE department_id = $1 AND "
                            "state = 'filed' AND filed_on <= $2 ORDER BY version DESC LIMIT 1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, department_id);
    zf_stmt_bind_text(st, 2, td, -1);
    rc = zf_stmt_step(st, err);
    if (rc == 1) {
        const char *body = zf_stmt_text(st, 0);

        rc = zf_review_catalog_parse(out, body, strlen(body), err);
        zf_stmt_free(st);
        return rc;
    }
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    /* none filed: the city's plan binds a department before it files */
    dept_name(name, sizeof name, db, department_id);
    if ((rc = zf_review_catalog_defaults(out, name, err)) < 0)
        return rc;
    (*out)->version = 0;
    return 0;
}

static json_t *catalog_rules_json(const char *body)
{
    json_t *root = json_loads(body, 0, NULL), *rules;

    if (!root)
        return json_array();
    rules = json_incref(json_object_get(root, "rules"));
    json_decref(root);
    return rules ? rules : json_array();
}

int zf_review_store_catalogs(json_t **out, zf_db *db, int64_t department_id, zf_date today,
                             zf_err *err)
{
    zf_stmt *st = NULL;
    zf_review_catalog *eff = NULL;
    json_t *root = NULL, *items = json_array();
    int rc;

    *out = NULL;
    if ((rc = zf_review_store_catalog_effective(&eff, db, department_id, today, err)) < 0)
        goto out;
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT id, version, state, filed_on, filing_ref, return_reason, body, "
                            "submitted_at, decided_at, created_at, updated_at FROM review_catalogs "
                            "WHERE department_id = $1 ORDER BY version DESC",
                            err)) < 0)
        goto out;
    zf_stmt_bind_int64(st, 1, department_id);
    while ((rc = zf_stmt_step(st, err)) == 1) {
        const char *state = zf_stmt_text(st, 2);
        const char *label = "草稿";

        if (strcmp(state, "submitted") == 0)
            label = zf_review_catalog_state_label(ZF_CATALOG_SUBMITTED);
        else if (strcmp(state, "filed") == 0)
            label = zf_review_catalog_state_label(ZF_CATALOG_FILED);
        else if (strcmp(state, "returned") == 0)
            label = zf_review_catalog_state_label(ZF_CATALOG_RETURNED);
        else
            label = zf_review_catalog_state_label(ZF_CATALOG_DRAFT);
        json_array_append_new(
            items,
            json_pack("{s:I, s:i, s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:o, s:I, s:I}", "id",
                      (json_int_t)zf_stmt_int64(st, 0), "version", (int)zf_stmt_int64(st, 1),
                      "state", state, "state_name", label, "filed_on", text_or_null(st, 3),
                      "filing_ref", zf_stmt_text(st, 4), "return_reason", zf_stmt_text(st, 5),
                      "rules", catalog_rules_json(zf_stmt_text(st, 6)), "submitted_at",
                      zf_stmt_is_null(st, 7) ? json_null() : json_integer(zf_stmt_int64(st, 7)),
                      "decided_at",
                      zf_stmt_is_null(st, 8) ? json_null() : json_integer(zf_stmt_int64(st, 8)),
                      "created_at", (json_int_t)zf_stmt_int64(st, 9), "updated_at",
                      (json_int_t)zf_stmt_int64(st, 10)));
    }
    zf_stmt_free(st);
    if (rc < 0)
        goto out;
    {
        char *body = NULL;

        if ((rc = zf_review_catalog_to_json(&body, eff, err)) < 0)
            goto out;
        root = json_pack("{s:I, s:i, s:o, s:o}", "department_id", (json_int_t)department_id,
                         "effective_version", eff->version, "effective_rules",
                         catalog_rules_json(body), "versions", items);
        free(body);
        items = NULL;
    }
    *out = root;
    rc = 0;
out:
    json_decref(items);
    zf_review_catalog_free(eff);
    return rc;
}

typedef struct cat_row {
    int64_t id;
    int version;
    char state[16];
    char *body;
} cat_row;

/* The department's newest catalog row; id 0 when there is none. */
static int newest_catalog(cat_row *out, zf_db *db, int64_t dept, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT id, version, state, body FROM review_catalogs WHERE "
                            "department_id = $1 ORDER BY version DESC LIMIT 1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, dept);
    rc = zf_stmt_step(st, err);
    if (rc == 1) {
        out->id = zf_stmt_int64(st, 0);
        out->version = (int)zf_stmt_int64(st, 1);
        copy(out->state, sizeof out->state, zf_stmt_text(st, 2));
        out->body = zf_strdup(zf_stmt_text(st, 3));
    }
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

static int write_catalog(zf_db *db, int64_t dept, int64_t row_id, const zf_review_catalog *cat,
                         const zf_case_actor *who, int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    char *body = NULL, fd[ZF_DATE_STRLEN];
    int rc;

    if ((rc = zf_review_catalog_to_json(&body, cat, err)) < 0)
        return rc;
    date_str(fd, cat->filed_on);
    if (row_id)
        rc = zf_db_prepare(&st, db,
                           "UPDATE review_catalogs SET state = $2, body = $3, filed_on = $4, "
                           "filing_ref = $5, return_reason = $6, updated_at = $7 WHERE id = $1",
                           err);
    else
        rc = zf_db_prepare(&st, db,
                           "INSERT INTO review_catalogs (department_id, version, state, body, "
                           "filed_on, filing_ref, return_reason, created_by, created_at, "
                           "updated_at) VALUES ($1, $8, $2, $3, $4, $5, $6, $9, $7, $7)",
                           err);
    if (rc < 0)
        goto out;
    zf_stmt_bind_int64(st, 1, row_id ? row_id : dept);
    zf_stmt_bind_text(st, 2, zf_review_catalog_state_code(cat->state), -1);
    zf_stmt_bind_text(st, 3, body, -1);
    zf_stmt_bind_text_or_null(st, 4, fd[0] ? fd : NULL);
    zf_stmt_bind_text(st, 5, cat->filing_ref, -1);
    zf_stmt_bind_text(st, 6, cat->return_reason, -1);
    zf_stmt_bind_int64(st, 7, now);
    if (!row_id) {
        zf_stmt_bind_int64(st, 8, cat->version);
        if (who && who->user_id)
            zf_stmt_bind_int64(st, 9, who->user_id);
        else
            zf_stmt_bind_null(st, 9);
    }
    rc = zf_stmt_step(st, err);
out:
    zf_stmt_free(st);
    free(body);
    return rc < 0 ? rc : 0;
}

int zf_review_store_catalog_edit(int64_t *out_version, zf_db *db, int64_t department_id,
                                 const json_t *rules, const zf_case_actor *who, int64_t now,
                                 zf_err *err)
{
    cat_row row;
    zf_review_catalog *cat = NULL;
    json_t *doc = NULL;
    char *text = NULL, name[ZF_REVIEW_NAME_MAX];
    int64_t row_id = 0;
    int own = 0, rc, version;

    memset(&row, 0, sizeof row);
    if (!json_is_array(rules))
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "rules", "rules 应为规则数组");
    if ((rc = tx_begin(db, &own, err)) < 0)
        return rc;
    if ((rc = newest_catalog(&row, db, department_id, err)) < 0)
        goto done;
    if (row.id && strcmp(row.state, "submitted") == 0) {
        rc = zf_err_set(err, ZF_ECONFLICT, "catalog_pending", "state",
                        "第%d版目录清单已报送司法局备案，等待审查期间不能修改", row.version);
        goto done;
    }
    version = row.id ? row.version : 1;
    if (row.id && (strcmp(row.state, "draft") == 0 || strcmp(row.state, "returned") == 0))
        row_id = row.id; /* edit the open version in place (a returned one is reopened) */
    else if (row.id)
        version = row.version + 1; /* filed: a new version, never in place */
    dept_name(name, sizeof name, db, department_id);
    doc = json_pack("{s:s, s:i, s:s, s:O}", "department", name, "version", version, "state",
                    "draft", "rules", rules);
    text = json_dumps(doc, JSON_COMPACT);
    if ((rc = zf_review_catalog_parse(&cat, text, strlen(text), err)) < 0)
        goto done;
    if ((rc = write_catalog(db, department_id, row_id, cat, who, now, err)) < 0)
        goto done;
    rc = audit_json(db, who, now, "review_catalog_edit", ZF_REVIEW_CATALOG_OBJECT, department_id,
                    json_pack("{s:i, s:i}", "version", version, "rules", (int)cat->n_rules), err);
    if (rc == 0 && out_version)
        *out_version = version;
done:
    rc = tx_end(db, own, rc, err);
    json_decref(doc);
    free(text);
    free(row.body);
    zf_review_catalog_free(cat);
    return rc;
}

int zf_review_store_catalog_op(zf_db *db, int64_t department_id, zf_review_catalog_op op,
                               const char *text, const zf_case_actor *who, int64_t now,
                               zf_err *err)
{
    cat_row row;
    zf_review_catalog *cat = NULL, *base = NULL;
    zf_stmt *st = NULL;
    char ref[64];
    zf_date today = zf_calendar_store_today(now);
    const char *action = "review_catalog_submit";
    int own = 0, rc;

    memset(&row, 0, sizeof row);
    if ((rc = tx_begin(db, &own, err)) < 0)
        return rc;
    if ((rc = newest_catalog(&row, db, department_id, err)) < 0)
        goto done;
    if (!row.id) {
        rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL,
                        "该部门尚未编制目录清单（适用全市默认目录）");
        goto done;
    }
    if ((rc = zf_review_catalog_parse(&cat, row.body, strlen(row.body), err)) < 0)
        goto done;
    switch (op) {
    case ZF_CATALOG_OP_SUBMIT:
        if (cat->state == ZF_CATALOG_RETURNED && (rc = zf_review_catalog_reopen(cat, err)) < 0)
            goto done;
        if ((rc = zf_review_catalog_defaults(&base, "", err)) < 0 ||
            (rc = zf_review_catalog_submit(cat, base, err)) < 0)
            goto done;
        break;
    case ZF_CATALOG_OP_FILE:
        action = "review_catalog_file";
        if (text && *text) {
            copy(ref, sizeof ref, text);
        } else {
            char y[8];
            int64_t n;

            snprintf(y, sizeof y, "%d", zf_date_year(today));
            n = query_int(db,
                          "SELECT COUNT(*) + 1 FROM review_catalogs WHERE state = 'filed' AND "
                          "$1 > 0 AND substr(filed_on, 1, 4) = $2",
                          1, y);
            snprintf(ref, sizeof ref, "司法局备〔%d〕%lld号", zf_date_year(today), (long long)n);
        }
        if ((rc = zf_review_catalog_file(cat, today, ref, err)) < 0)
            goto done;
        break;
    case ZF_CATALOG_OP_RETURN:
        action = "review_catalog_return";
        if ((rc = zf_review_catalog_return(cat, text, err)) < 0)
            goto done;
        break;
    default:
        rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "op", "操作无效");
        goto done;
    }
    if ((rc = write_catalog(db, department_id, row.id, cat, who, now, err)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, db,
                            op == ZF_CATALOG_OP_SUBMIT
                                ? "UPDATE review_catalogs SET submitted_by = $2, submitted_at = $3 "
                                  "WHERE id = $1"
                                : "UPDATE review_catalogs SET decided_by = $2, decided_at = $3 "
                                  "WHERE id = $1",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, row.id);
    if (who && who->user_id)
        zf_stmt_bind_int64(st, 2, who->user_id);
    else
        zf_stmt_bind_null(st, 2);
    zf_stmt_bind_int64(st, 3, now);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    rc = audit_json(db, who, now, action, ZF_REVIEW_CATALOG_OBJECT, department_id,
                    json_pack("{s:i, s:s, s:s}", "version", cat->version, "state",
                              zf_review_catalog_state_code(cat->state), "text", text ? text : ""),
                    err);
done:
    rc = tx_end(db, own, rc, err);
    free(row.body);
    zf_review_catalog_free(cat);
    zf_review_catalog_free(base);
    return rc;
}

/* ---- a case's proposed decision ------------------------------------------------------- */

/* Whether the case record shows a hearing held: a final 听证笔录, or the
 * workflow's 听证结束 (hearing_done, which needs that record). Convening a
 * hearing (hold_hearing) is not enough: the party may withdraw. */
static int hearing_on_record(bool *out, zf_db *db, int64_t case_id, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    *out = false;
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT 1 FROM case_documents WHERE case_id = $1 AND template = $2 AND "
                            "status = 'final' UNION SELECT 1 FROM case_events WHERE case_id = $1 "
                            "AND action = 'hearing_done'",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, case_id);
    zf_stmt_bind_text(st, 2, ZF_DOC_HEARING_RECORD, -1);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    *out = rc == 1;
    return 0;
}

int zf_review_store_case_facts(char **out, zf_db *db, int64_t case_id, const char *facts_json,
                               zf_err *err)
{
    zf_case *c = zf_malloc(sizeof *c);
    const zf_wf_procedure *p;
    json_t *base = json_object(), *given = NULL;
    json_error_t je;
    zf_buf b = ZF_BUF_INIT;
    bool held = false;
    int rc;

    *out = NULL;
    if ((rc = zf_case_get(c, db, case_id, err)) < 0)
        goto out;
    p = zf_workflow_procedure(c->procedure);
    /* the matter's power type as the case row records it, else the procedure's */
    if (c->power_type[0] || (p && p->power)) {
        const char *pw = c->power_type[0] ? c->power_type : p->power;

        json_object_set_new(base, "power_type",
                            json_string(strcmp(pw, "license") == 0 ? "licensing" : pw));
    }
    if (c->has_fine && c->fine_fen >= 0)
        json_object_set_new(base, "fine_amount_yuan", json_real((double)c->fine_fen / 100.0));
    if (strcmp(c->procedure, "penalty_general") == 0)
        json_object_set_new(base, "procedure", json_string("ordinary"));
    else if (strcmp(c->procedure, "penalty_summary") == 0)
        json_object_set_new(base, "procedure", json_string("simple"));
    if (facts_json && *facts_json) {
        given = json_loads(facts_json, JSON_REJECT_DUPLICATES, &je);
        if (!json_is_object(given)) {
            rc = zf_err_set(err, ZF_EINVAL, "invalid_facts", "facts", "拟作出决定的事实应为 JSON 对象");
            goto out;
        }
        json_object_update(base, given);
    }
    /* A hearing the case record shows was held counts whatever the
     * proposal says: it makes the decision major (general_hearing) and its
     * 听证笔录 part of the submission. */
    if ((rc = hearing_on_record(&held, db, case_id, err)) < 0)
        goto out;
    if (held)
        json_object_set_new(base, "hearing_held", json_true());
    if ((rc = zf_jcs_encode(&b, base, err)) < 0)
        goto out;
    *out = zf_buf_detach(&b);
out:
    zf_buf_free(&b);
    json_decref(base);
    json_decref(given);
    free(c);
    return rc;
}

typedef struct case_review {
    bool exists;
    char *facts;
    char facts_sha[65];
    zf_review_override ov;
} case_review;

static void case_review_clear(case_review *r)
{
    free(r->facts);
    memset(r, 0, sizeof *r);
}

static const char *override_code(zf_review_override_kind k)
{
    return k == ZF_REVIEW_MARK_MAJOR ? "mark_major" : k == ZF_REVIEW_MARK_NOT_MAJOR ? "mark_not_major" : "none";
}

static int load_case_review(case_review *out, zf_db *db, int64_t case_id, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT facts, facts_sha256, override_kind, override_by, "
                            "override_reason, override_on FROM case_reviews WHERE case_id = $1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, case_id);
    rc = zf_stmt_step(st, err);
    if (rc == 1) {
        const char *k = zf_stmt_text(st, 2);

        out->exists = true;
        out->facts = zf_strdup(zf_stmt_text(st, 0));
        copy(out->facts_sha, sizeof out->facts_sha, zf_stmt_text(st, 1));
        out->ov.kind = strcmp(k, "mark_major") == 0       ? ZF_REVIEW_MARK_MAJOR
                       : strcmp(k, "mark_not_major") == 0 ? ZF_REVIEW_MARK_NOT_MAJOR
                                                          : ZF_REVIEW_OVERRIDE_NONE;
        copy(out->ov.by, sizeof out->ov.by, zf_stmt_text(st, 3));
        copy(out->ov.reason, sizeof out->ov.reason, zf_stmt_text(st, 4));
        out->ov.on = parse_date(zf_stmt_text(st, 5));
    }
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

/* What the catalog and the override say about facts (merged text). */
typedef struct determination {
    zf_review_class *cls; /* heap: ~22 KB */
    zf_review_determination det;
    zf_review_route route;
    bool hearing;
    int catalog_version;
} determination;

static int determine(determination *out, zf_db *db, int64_t dept, const char *facts,
                     const zf_review_override *ov, zf_date today, zf_err *err)
{
    zf_review_catalog *cat = NULL;
    zf_review_facts *f = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    out->cls = zf_calloc(1, sizeof *out->cls);
    if ((rc = zf_review_facts_parse(&f, facts, strlen(facts), err)) < 0 ||
        (rc = zf_review_store_catalog_effective(&cat, db, dept, today, err)) < 0)
        goto out;
    zf_review_classify(out->cls, cat, f);
    out->catalog_version = cat->version;
    out->route = zf_review_route_for(f);
    out->hearing = zf_review_facts_hearing_held(f);
    if (ov && ov->kind == ZF_REVIEW_OVERRIDE_NONE)
        ov = NULL;
    rc = zf_review_determine(&out->det, out->cls, ov, err);
out:
    zf_review_facts_free(f);
    zf_review_catalog_free(cat);
    return rc;
}

static json_t *matches_json(const zf_review_class *cls)
{
    json_t *a = json_array();

    for (size_t i = 0; i < cls->n_matches; i++)
        json_array_append_new(a, json_pack("{s:s, s:s}", "code", cls->matches[i].code, "title",
                                           cls->matches[i].title));
    return a;
}

int zf_review_store_classify(json_t **out, zf_db *db, int64_t case_id, const char *facts_json,
                             int64_t now, zf_err *err)
{
    zf_case *c = zf_malloc(sizeof *c);
    case_review cr;
    determination d;
    char *facts = NULL;
    json_t *fj;
    int rc;

    memset(&d, 0, sizeof d);
    memset(&cr, 0, sizeof cr);
    *out = NULL;
    if ((rc = zf_case_get(c, db, case_id, err)) < 0 ||
        (rc = load_case_review(&cr, db, case_id, err)) < 0 ||
        (rc = zf_review_store_case_facts(&facts, db, case_id, facts_json, err)) < 0 ||
        (rc = determine(&d, db, c->department_id, facts, &cr.ov,
                        zf_calendar_store_today(now), err)) < 0)
        goto out;
    fj = json_loads(facts, 0, NULL);
    *out = json_pack("{s:b, s:b, s:b, s:b, s:o, s:i, s:s, s:s, s:b, s:o, s:s}", "major",
                     d.det.major || (c->flags & ZF_WF_MAJOR), "listed", d.det.listed,
                     "overridden", d.det.overridden, "bureau_notice", d.det.bureau_notice,
                     "matches", matches_json(d.cls), "catalog_version", d.catalog_version,
                     "route", zf_review_route_code(d.route), "route_name",
                     zf_review_route_label(d.route), "hearing_held", d.hearing, "facts",
                     fj ? fj : json_object(), "override", override_code(cr.ov.kind));
out:
    free(d.cls);
    free(facts);
    case_review_clear(&cr);
    free(c);
    return rc;
}

/* Writes the case's proposed decision and its determination (upsert). */
static int save_case_review(zf_db *db, const zf_case *c, const char *facts,
                            const determination *d, const zf_review_override *ov,
                            int64_t override_by_id, int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    char sha[65], od[ZF_DATE_STRLEN];
    json_t *m = matches_json(d->cls);
    char *mt = json_dumps(m, JSON_COMPACT);
    int rc;

    sha256_hex(sha, facts, strlen(facts));
    date_str(od, ov ? ov->on : ZF_DATE_NONE);
    if ((rc = zf_db_prepare(
             &st, db,
             "INSERT INTO case_reviews (case_id, department_id, facts, facts_sha256, "
             "catalog_version, matches, listed, major, override_kind, override_by, override_by_id, "
             "override_reason, override_on, bureau_notice, created_at, updated_at) VALUES ($1, $2, "
             "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) ON CONFLICT (case_id) "
             "DO UPDATE SET facts = excluded.facts, facts_sha256 = excluded.facts_sha256, "
             "catalog_version = excluded.catalog_version, matches = excluded.matches, listed = "
             "excluded.listed, major = excluded.major, override_kind = excluded.override_kind, "
             "override_by = excluded.override_by, override_by_id = excluded.override_by_id, "
             "override_reason = excluded.override_reason, override_on = excluded.override_on, "
             "bureau_notice = excluded.bureau_notice, updated_at = excluded.updated_at",
             err)) < 0)
        goto out;
    zf_stmt_bind_int64(st, 1, c->id);
    zf_stmt_bind_int64(st, 2, c->department_id);
    zf_stmt_bind_text(st, 3, facts, -1);
    zf_stmt_bind_text(st, 4, sha, -1);
    zf_stmt_bind_int64(st, 5, d->catalog_version);
    zf_stmt_bind_text(st, 6, mt, -1);
    zf_stmt_bind_int64(st, 7, d->det.listed);
    zf_stmt_bind_int64(st, 8, d->det.major);
    zf_stmt_bind_text(st, 9, override_code(ov ? ov->kind : ZF_REVIEW_OVERRIDE_NONE), -1);
    zf_stmt_bind_text(st, 10, ov ? ov->by : "", -1);
    if (override_by_id)
        zf_stmt_bind_int64(st, 11, override_by_id);
    else
        zf_stmt_bind_null(st, 11);
    zf_stmt_bind_text(st, 12, ov ? ov->reason : "", -1);
    zf_stmt_bind_text_or_null(st, 13, od[0] ? od : NULL);
    zf_stmt_bind_int64(st, 14, d->det.bureau_notice);
    zf_stmt_bind_int64(st, 15, now);
    rc = zf_stmt_step(st, err);
out:
    zf_stmt_free(st);
    json_decref(m);
    free(mt);
    return rc < 0 ? rc : 0;
}

static int64_t override_by_id_of(zf_db *db, int64_t case_id)
{
    return query_int(db, "SELECT COALESCE(override_by_id, 0) FROM case_reviews WHERE case_id = $1",
                     case_id, NULL);
}

int zf_review_store_override(zf_db *db, int64_t case_id, zf_review_override_kind kind,
                             const char *reason, const char *facts_json,
                             const zf_case_actor *who, int64_t now, zf_err *err)
{
    zf_case *c = zf_malloc(sizeof *c);
    case_review cr;
    determination d;
    zf_review_override ov;
    char *facts = NULL;
    unsigned set = 0, clear = 0;
    int own = 0, rc;

    memset(&d, 0, sizeof d);
    memset(&cr, 0, sizeof cr);
    memset(&ov, 0, sizeof ov);
    if (reason && strlen(reason) >= sizeof ov.reason) {
        rc = zf_err_set(err, ZF_ETOOBIG, "reason_too_long", "reason", "理由过长");
        goto out;
    }
    if ((rc = tx_begin(db, &own, err)) < 0)
        goto out;
    if ((rc = zf_case_writable(c, db, case_id, err)) < 0 ||
        (rc = load_case_review(&cr, db, case_id, err)) < 0)
        goto done;
    if (facts_json || !cr.exists)
        rc = zf_review_store_case_facts(&facts, db, case_id, facts_json, err);
    else
        facts = zf_strdup(cr.facts);
    if (rc < 0)
        goto done;
    ov.kind = kind;
    copy(ov.by, sizeof ov.by, who && who->name ? who->name : "");
    copy(ov.reason, sizeof ov.reason, reason);
    ov.on = zf_calendar_store_today(now);
    if ((rc = determine(&d, db, c->department_id, facts, &ov, ov.on, err)) < 0 ||
        (rc = save_case_review(db, c, facts, &d, kind ? &ov : NULL, kind && who ? who->user_id : 0,
                               now, err)) < 0)
        goto done;
    if (d.det.major)
        set = ZF_WF_MAJOR;
    else
        clear = ZF_WF_MAJOR;
    if ((rc = zf_case_set_flags(db, case_id, set, clear,
                                kind == ZF_REVIEW_MARK_MAJOR       ? "负责人认定为重大执法决定"
                                : kind == ZF_REVIEW_MARK_NOT_MAJOR ? "负责人认定不属于重大执法决定"
                                                                   : "撤销重大执法决定认定",
                                who, now, err)) < 0)
        goto done;
    rc = audit_json(db, who, now, "review_override", ZF_REVIEW_OBJECT, case_id,
                    json_pack("{s:s, s:s, s:b, s:b, s:b}", "kind", override_code(kind), "reason",
                              reason ? reason : "", "major", d.det.major, "listed", d.det.listed,
                              "bureau_notice", d.det.bureau_notice),
                    err);
done:
    rc = tx_end(db, own, rc, err);
out:
    free(d.cls);
    free(facts);
    case_review_clear(&cr);
    free(c);
    return rc;
}

/* ---- rounds ----------------------------------------------------------------------------- */

/* What a stored round holds beyond core's zf_review_round. */
typedef struct round_extra {
    int64_t id, assigned_user_id, reviewer_user_id, opinion_doc_id, submitted_by_id;
    zf_date extended_on;
    char *materials, *facts;
    int64_t submitted_at;
} round_extra;

typedef struct history {
    zf_review_history h;
    round_extra *x; /* parallel to h.rounds as loaded (core may append a round) */
    size_t xn;
} history;

static void history_free(history *h)
{
    for (size_t i = 0; i < h->xn; i++) {
        free(h->x[i].materials);
        free(h->x[i].facts);
    }
    free(h->x);
    zf_review_history_free(&h->h);
    memset(h, 0, sizeof *h);
}

static zf_review_round_state round_state_of(const char *s)
{
    if (strcmp(s, "in_review") == 0)
        return ZF_ROUND_IN_REVIEW;
    if (strcmp(s, "concluded") == 0)
        return ZF_ROUND_CONCLUDED;
    if (strcmp(s, "returned") == 0)
        return ZF_ROUND_RETURNED;
    return ZF_ROUND_SUBMITTED;
}

static const char *check_code(zf_review_check_state s)
{
    return s == ZF_CHECK_CONFORMS ? "conforms" : s == ZF_CHECK_PROBLEM ? "problem" : "unset";
}

static const char *check_label(zf_review_check_state s)
{
    return s == ZF_CHECK_CONFORMS ? "符合" : s == ZF_CHECK_PROBLEM ? "存在问题" : "未填写";
}

static void checks_from_json(zf_review_round *r, const char *text)
{
    json_t *a = json_loads(text, 0, NULL), *o;
    size_t i;

    json_array_foreach(a, i, o) {
        const char *p = json_string_value(json_object_get(o, "point"));
        const char *s = json_string_value(json_object_get(o, "state"));

        for (int k = 0; p && k < ZF_POINT_COUNT; k++) {
            if (strcmp(p, zf_review_point_code((zf_review_point)k)) != 0)
                continue;
            r->checks[k].state = s && strcmp(s, "conforms") == 0  ? ZF_CHECK_CONFORMS
                                 : s && strcmp(s, "problem") == 0 ? ZF_CHECK_PROBLEM
                                                                  : ZF_CHECK_UNSET;
            copy(r->checks[k].note, sizeof r->checks[k].note,
                 json_string_value(json_object_get(o, "note")));
        }
    }
    json_decref(a);
}

static char *checks_to_json(const zf_review_round *r)
{
    json_t *a = json_array();
    char *t;

    for (int k = 0; k < ZF_POINT_COUNT; k++)
        json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "point",
                                           zf_review_point_code((zf_review_point)k), "state",
                                           check_code(r->checks[k].state), "note",
                                           r->checks[k].note));
    t = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return t;
}

/* The round's clock from what is stored: started on receipt with the
 * locality's numbers, extended on the day it was, finished on the conclusion
 * — against today's calendar, so a corrected holiday schedule moves it. */
static int rebuild_clock(zf_review_round *r, zf_date extended_on, const zf_calendar *cal,
                         const zf_review_config *cfg, zf_err *err)
{
    zf_deadline_rule rule;
    const zf_deadline_rule *def;
    char approver[sizeof r->clock.approver];
    size_t n;
    int rc;

    copy(approver, sizeof approver, r->clock.approver);
    memset(&r->clock, 0, sizeof r->clock);
    r->clock.start = r->clock.due = r->clock.done = ZF_DATE_NONE;
    if (r->received_on == ZF_DATE_NONE || !cal)
        return 0;
    def = zf_deadline_rule_find(zf_deadline_default_rules(&n), n, "legal_review");
    memset(&rule, 0, sizeof rule);
    if (def)
        rule = *def;
    else {
        snprintf(rule.code, sizeof rule.code, "legal_review");
        snprintf(rule.name, sizeof rule.name, "重大执法决定法制审核");
        rule.kind = ZF_RULE_WORKDAYS;
    }
    rule.workdays = cfg->review_workdays;
    rule.extension_workdays = cfg->extension_workdays;
    if ((rc = zf_clock_start(&r->clock, &rule, cal, r->received_on, err)) < 0)
        return rc;
    if (approver[0] && extended_on != ZF_DATE_NONE &&
        (rc = zf_clock_extend(&r->clock, cal, approver, extended_on, err)) < 0)
        return rc;
    if (r->concluded_on != ZF_DATE_NONE &&
        (rc = zf_clock_finish(&r->clock, cal, r->concluded_on, err)) < 0)
        return rc;
    return 0;
}

#define ROUND_COLUMNS                                                                         \
    "id, no, state, route, submitted_by, submitted_on, proposal_ref, reviewer, "            \
    "reviewer_from_pool, received_on, extended_by, extended_on, checks, outcome, "           \
    "outcome_label, outcome_passes, reasons, concluded_on, returned_on, collective, "        \
    "collective_on, collective_record, assigned_user_id, reviewer_user_id, opinion_doc_id, " \
    "materials, facts, submitted_by_id, submitted_at"

/* Every round of the case, oldest first; cal NULL leaves the clocks empty. */
static int load_history(history *out, zf_db *db, int64_t case_id, const zf_calendar *cal,
                        const zf_review_config *cfg, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT " ROUND_COLUMNS " FROM review_rounds WHERE case_id = $1 "
                            "ORDER BY no",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, case_id);
    while ((rc = zf_stmt_step(st, err)) == 1) {
        zf_review_round *r;
        round_extra *x;
        const char *coll;

        if (out->h.n == out->h.cap) {
            out->h.cap = out->h.cap ? out->h.cap * 2 : 4;
            out->h.rounds = zf_realloc(out->h.rounds, out->h.cap * sizeof *out->h.rounds);
            out->x = zf_realloc(out->x, out->h.cap * sizeof *out->x);
        }
        r = &out->h.rounds[out->h.n];
        x = &out->x[out->h.n];
        memset(r, 0, sizeof *r);
        memset(x, 0, sizeof *x);
        out->h.n++;
        out->xn++;
        x->id = zf_stmt_int64(st, 0);
        r->no = (int)zf_stmt_int64(st, 1);
        r->state = round_state_of(zf_stmt_text(st, 2));
        r->route = strcmp(zf_stmt_text(st, 3), "justice_bureau") == 0 ? ZF_ROUTE_JUSTICE_BUREAU
                                                                      : ZF_ROUTE_DEPARTMENT;
        copy(r->submitted_by, sizeof r->submitted_by, zf_stmt_text(st, 4));
        r->submitted_on = parse_date(zf_stmt_text(st, 5));
        copy(r->proposal_ref, sizeof r->proposal_ref, zf_stmt_text(st, 6));
        copy(r->reviewer, sizeof r->reviewer, zf_stmt_text(st, 7));
        r->reviewer_from_pool = zf_stmt_int64(st, 8) != 0;
        r->received_on = parse_date(zf_stmt_text(st, 9));
        copy(r->clock.approver, sizeof r->clock.approver, zf_stmt_text(st, 10));
        x->extended_on = parse_date(zf_stmt_text(st, 11));
        checks_from_json(r, zf_stmt_text(st, 12));
        copy(r->outcome, sizeof r->outcome, zf_stmt_text(st, 13));
        copy(r->outcome_label, sizeof r->outcome_label, zf_stmt_text(st, 14));
        r->outcome_passes = zf_stmt_int64(st, 15) != 0;
        copy(r->reasons, sizeof r->reasons, zf_stmt_text(st, 16));
        r->concluded_on = parse_date(zf_stmt_text(st, 17));
        r->returned_on = parse_date(zf_stmt_text(st, 18));
        coll = zf_stmt_text(st, 19);
        r->collective = strcmp(coll, "proceed") == 0  ? ZF_COLLECTIVE_PROCEED
                        : strcmp(coll, "uphold") == 0 ? ZF_COLLECTIVE_UPHOLD
                                                      : ZF_COLLECTIVE_NONE;
        r->collective_on = parse_date(zf_stmt_text(st, 20));
        copy(r->collective_record, sizeof r->collective_record, zf_stmt_text(st, 21));
        x->assigned_user_id = zf_stmt_int64(st, 22);
        x->reviewer_user_id = zf_stmt_int64(st, 23);
        x->opinion_doc_id = zf_stmt_int64(st, 24);
        x->materials = zf_strdup(zf_stmt_text(st, 25));
        x->facts = zf_strdup(zf_stmt_text(st, 26));
        x->submitted_by_id = zf_stmt_int64(st, 27);
        x->submitted_at = zf_stmt_int64(st, 28);
        if ((rc = rebuild_clock(r, x->extended_on, cal, cfg, err)) < 0)
            break;
    }
    zf_stmt_free(st);
    if (rc < 0) {
        history_free(out);
        return rc;
    }
    return 0;
}

/* Keeps the round's clock in the shared clocks table (object_type
 * "review_round", object_id the round) so 期限预警 and `zhifa deadlines` list
 * it with every other deadline. The round stays the source: the clock is
 * rebuilt from it (rebuild_clock) and written over the row on every save. A
 * round not received has no row; a returned one is done on its return day. */
static int mirror_clock(zf_db *db, const zf_review_round *r, int64_t round_id, int64_t now,
                        zf_err *err)
{
    const zf_calendar *cal = NULL;
    zf_clock c = r->clock;
    zf_stmt *st = NULL;
    int64_t clock_id = 0, dept = 0;
    int rc;

    if ((rc = zf_db_prepare(&st, db,
                            "SELECT COALESCE((SELECT id FROM clocks WHERE object_type = 'review_round' "
                            "AND object_id = $1 ORDER BY id LIMIT 1), 0), department_id FROM "
                            "review_rounds WHERE id = $1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, round_id);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        clock_id = zf_stmt_int64(st, 0);
        dept = zf_stmt_int64(st, 1);
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc <= 0)
        return rc;
    if (r->received_on == ZF_DATE_NONE || c.start == ZF_DATE_NONE) {
        if (!clock_id)
            return 0;
        if ((rc = zf_db_prepare(&st, db, "DELETE FROM clocks WHERE id = $1", err)) < 0)
            return rc;
        zf_stmt_bind_int64(st, 1, clock_id);
        rc = zf_stmt_step(st, err);
        zf_stmt_free(st);
        return rc < 0 ? rc : 0;
    }
    if (c.done == ZF_DATE_NONE && r->returned_on != ZF_DATE_NONE)
        c.done = r->returned_on;
    if ((rc = zf_calendar_cache_acquire(&cal, db, err)) < 0)
        return rc;
    rc = zf_clock_store_put(NULL, db, cal, clock_id, &c, "review_round", round_id, dept, now, err);
    zf_calendar_cache_release(cal);
    return rc;
}

/* Writes back the mutable part of a round. */
static int save_round(zf_db *db, const zf_review_round *r, const round_extra *x, int64_t now,
                      zf_err *err)
{
    zf_stmt *st = NULL;
    char rd[ZF_DATE_STRLEN], due[ZF_DATE_STRLEN], ed[ZF_DATE_STRLEN], cd[ZF_DATE_STRLEN],
        ret[ZF_DATE_STRLEN], col[ZF_DATE_STRLEN];
    char *checks = checks_to_json(r);
    int rc;

    date_str(rd, r->received_on);
    date_str(due, r->clock.due);
    date_str(ed, x->extended_on);
    date_str(cd, r->concluded_on);
    date_str(ret, r->returned_on);
    date_str(col, r->collective_on);
    if ((rc = zf_db_prepare(
             &st, db,
             "UPDATE review_rounds SET state = $2, reviewer = $3, reviewer_from_pool = $4, "
             "received_on = $5, due_on = $6, extended_by = $7, extended_on = $8, checks = $9, "
             "outcome = $10, outcome_label = $11, outcome_passes = $12, reasons = $13, "
             "concluded_on = $14, returned_on = $15, collective = $16, collective_on = $17, "
             "collective_record = $18, assigned_user_id = $19, reviewer_user_id = $20, "
             "opinion_doc_id = $21, updated_at = $22 WHERE id = $1",
             err)) < 0)
        goto out;
    zf_stmt_bind_int64(st, 1, x->id);
    zf_stmt_bind_text(st, 2, zf_review_round_state_code(r->state), -1);
    zf_stmt_bind_text(st, 3, r->reviewer, -1);
    zf_stmt_bind_int64(st, 4, r->reviewer_from_pool);
    zf_stmt_bind_text_or_null(st, 5, rd[0] ? rd : NULL);
    zf_stmt_bind_text_or_null(st, 6, due[0] ? due : NULL);
    zf_stmt_bind_text(st, 7, r->clock.approver, -1);
    zf_stmt_bind_text_or_null(st, 8, ed[0] ? ed : NULL);
    zf_stmt_bind_text(st, 9, checks, -1);
    zf_stmt_bind_text(st, 10, r->outcome, -1);
    zf_stmt_bind_text(st, 11, r->outcome_label, -1);
    zf_stmt_bind_int64(st, 12, r->outcome_passes);
    zf_stmt_bind_text(st, 13, r->reasons, -1);
    zf_stmt_bind_text_or_null(st, 14, cd[0] ? cd : NULL);
    zf_stmt_bind_text_or_null(st, 15, ret[0] ? ret : NULL);
    zf_stmt_bind_text(st, 16,
                      r->collective == ZF_COLLECTIVE_PROCEED  ? "proceed"
                      : r->collective == ZF_COLLECTIVE_UPHOLD ? "uphold"
                                                              : "none",
                      -1);
    zf_stmt_bind_text_or_null(st, 17, col[0] ? col : NULL);
    zf_stmt_bind_text(st, 18, r->collective_record, -1);
#define BIND_ID(n, v)                        \
    do {                                     \
        if (v)                               \
            zf_stmt_bind_int64(st, (n), (v)); \
        else                                 \
            zf_stmt_bind_null(st, (n));       \
    } while (0)
    BIND_ID(19, x->assigned_user_id);
    BIND_ID(20, x->reviewer_user_id);
    BIND_ID(21, x->opinion_doc_id);
#undef BIND_ID
    zf_stmt_bind_int64(st, 22, now);
    if ((rc = zf_stmt_step(st, err)) >= 0)
        rc = mirror_clock(db, r, x->id, now, err);
out:
    zf_stmt_free(st);
    free(checks);
    return rc < 0 ? rc : 0;
}

/* The common start of every round change: the case writable, the config,
 * the history with clocks. */
typedef struct round_ctx {
    zf_case c;
    zf_review_config cfg;
    history h;
    zf_review_round *r; /* the latest, or NULL */
    round_extra *x;
} round_ctx;

static int round_ctx_load(round_ctx *k, zf_db *db, int64_t case_id, const zf_calendar *cal,
                          zf_err *err)
{
    int rc;

    if ((rc = zf_case_writable(&k->c, db, case_id, err)) < 0 ||
        (rc = zf_review_store_config(&k->cfg, db, err)) < 0 ||
        (rc = load_history(&k->h, db, case_id, cal, &k->cfg, err)) < 0)
        return rc;
    if (k->h.h.n) {
        k->r = &k->h.h.rounds[k->h.h.n - 1];
        k->x = &k->h.x[k->h.h.n - 1];
    }
    return 0;
}

static int need_round(round_ctx *k, zf_err *err)
{
    if (!k->r)
        return zf_err_set(err, ZF_ECONFLICT, "review_not_submitted", NULL, "本案尚未送法制审核");
    return 0;
}

static int is_reviewer_of(const round_ctx *k, const zf_case_actor *who, zf_err *err)
{
    if (!who || k->x->reviewer_user_id != who->user_id)
        return zf_err_set(err, ZF_EPERM, "not_the_reviewer", NULL,
                          "只有接收本轮审核的审核人员（%s）可以办理",
                          k->r->reviewer[0] ? k->r->reviewer : "尚未接收");
    return 0;
}

/* Materials: parses the request list, resolves document references and
 * returns the provided mask and the stored list. */
static int read_materials(unsigned *out_mask, json_t **out_list, zf_db *db, int64_t case_id,
                          const json_t *materials, zf_err *err)
{
    json_t *list = json_array(), *o;
    size_t i;
    int rc = 0;

    *out_mask = 0;
    *out_list = NULL;
    if (materials && !json_is_array(materials)) {
        json_decref(list);
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "materials", "送审材料应为数组");
    }
    json_array_foreach(materials, i, o) {
        char f[48];
        zf_review_material m;
        const char *code, *text, *doc;
        int64_t doc_id = 0;

        snprintf(f, sizeof f, "materials[%zu]", i);
        code = json_string_value(json_object_get(o, "material"));
        text = json_string_value(json_object_get(o, "text"));
        doc = json_string_value(json_object_get(o, "document"));
        if (!json_is_object(o) || !code) {
            rc = zf_err_set(err, ZF_EINVAL, "validation_failed", f, "每项送审材料须写明材料类别（material）");
            break;
        }
        if ((rc = zf_review_material_parse(&m, code, err)) < 0) {
            copy(err->field, sizeof err->field, f);
            break;
        }
        if (text && strlen(text) > 6000) {
            rc = zf_err_set(err, ZF_ETOOBIG, "too_long", f, "材料说明过长");
            break;
        }
        if (doc && *doc) {
            doc_id = query_int(db,
                               "SELECT id FROM case_documents WHERE case_id = $1 AND template = $2 "
                               "ORDER BY status = 'final' DESC, id DESC LIMIT 1",
                               case_id, doc);
            if (!doc_id) {
                rc = zf_err_set(err, ZF_EINVAL, "document_not_found", f,
                                "案件中没有文书“%s”，不能作为送审材料", doc);
                break;
            }
        }
        if (!doc_id && !(text && *text))
            continue; /* named but not provided: it stays missing */
        *out_mask |= ZF_MAT_BIT(m);
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:o}", "material",
                                              zf_review_material_code(m), "label",
                                              zf_review_material_label(m), "text", text ? text : "",
                                              "document", doc ? doc : "", "document_id",
                                              doc_id ? json_integer(doc_id) : json_null()));
    }
    if (rc < 0) {
        json_decref(list);
        return rc;
    }
    *out_list = list;
    return 0;
}

int zf_review_store_submit(int *out_no, zf_db *db, int64_t case_id, const char *facts_json,
                           const json_t *materials, const zf_case_actor *who, int64_t now,
                           zf_err *err)
{
    round_ctx *k = zf_calloc(1, sizeof *k);
    case_review cr;
    determination d;
    zf_review_facts *f = NULL;
    zf_stmt *st = NULL;
    json_t *mlist = NULL;
    char *facts = NULL, *mtext = NULL, sha[65], sd[ZF_DATE_STRLEN];
    unsigned mask = 0;
    zf_date today = zf_calendar_store_today(now);
    zf_review_round *r;
    int own = 0, rc;

    memset(&d, 0, sizeof d);
    memset(&cr, 0, sizeof cr);
    if ((rc = tx_begin(db, &own, err)) < 0)
        goto out;
    if ((rc = round_ctx_load(k, db, case_id, NULL, err)) < 0 ||
        (rc = load_case_review(&cr, db, case_id, err)) < 0)
        goto done;
    if (facts_json || !cr.exists)
        rc = zf_review_store_case_facts(&facts, db, case_id, facts_json, err);
    else
        facts = zf_strdup(cr.facts);
    if (rc < 0 ||
        (rc = determine(&d, db, k->c.department_id, facts, &cr.ov, today, err)) < 0)
        goto done;
    if (!d.det.major && !(k->c.flags & ZF_WF_MAJOR)) {
        rc = zf_err_set(err, ZF_ECONFLICT, "not_major", "facts",
                        "拟作出的决定不属于重大执法决定目录清单所列情形，无需法制审核"
                        "（负责人可认定为重大执法决定后送审）");
        goto done;
    }
    if ((rc = read_materials(&mask, &mlist, db, case_id, materials, err)) < 0 ||
        (rc = zf_review_facts_parse(&f, facts, strlen(facts), err)) < 0)
        goto done;
    sha256_hex(sha, facts, strlen(facts));
    if ((rc = zf_review_submit(&k->h.h, f, mask, who && who->name ? who->name : "", today, sha,
                               err)) < 0)
        goto done;
    r = &k->h.h.rounds[k->h.h.n - 1];
    mtext = json_dumps(mlist, JSON_COMPACT);
    date_str(sd, r->submitted_on);
    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO review_rounds (case_id, department_id, no, state, route, "
                            "facts, proposal_ref, materials, submitted_by_id, submitted_by, "
                            "submitted_on, submitted_at, created_at, updated_at) VALUES ($1, $2, "
                            "$3, 'submitted', $4, $5, $6, $7, $8, $9, $10, $11, $11, $11)",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, case_id);
    zf_stmt_bind_int64(st, 2, k->c.department_id);
    zf_stmt_bind_int64(st, 3, r->no);
    zf_stmt_bind_text(st, 4, zf_review_route_code(r->route), -1);
    zf_stmt_bind_text(st, 5, facts, -1);
    zf_stmt_bind_text(st, 6, sha, -1);
    zf_stmt_bind_text(st, 7, mtext, -1);
    if (who && who->user_id)
        zf_stmt_bind_int64(st, 8, who->user_id);
    else
        zf_stmt_bind_null(st, 8);
    zf_stmt_bind_text(st, 9, r->submitted_by, -1);
    zf_stmt_bind_text(st, 10, sd, -1);
    zf_stmt_bind_int64(st, 11, now);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    if ((rc = save_case_review(db, &k->c, facts, &d, cr.ov.kind ? &cr.ov : NULL,
                               override_by_id_of(db, case_id), now, err)) < 0 ||
        (rc = zf_case_set_flags(db, case_id, ZF_WF_MAJOR, ZF_WF_REVIEW_PASSED, "送法制审核", who,
                                now, err)) < 0)
        goto done;
    rc = audit_json(db, who, now, "review_submit", ZF_REVIEW_OBJECT, case_id,
                    json_pack("{s:i, s:s, s:s, s:o}", "round", r->no, "route",
                              zf_review_route_code(r->route), "proposal_ref", sha, "matches",
                              matches_json(d.cls)),
                    err);
    if (rc == 0 && out_no)
        *out_no = r->no;
done:
    rc = tx_end(db, own, rc, err);
out:
    if (k)
        history_free(&k->h);
    free(k);
    free(d.cls);
    free(facts);
    free(mtext);
    json_decref(mlist);
    zf_review_facts_free(f);
    case_review_clear(&cr);
    return rc;
}

static int user_in_pool(zf_db *db, int64_t user_id, int *out_qualified)
{
    zf_stmt *st = NULL;
    int rc, found = 0;

    if (zf_db_prepare(&st, db,
                      "SELECT legal_qualified FROM review_pool WHERE user_id = $1 AND active = 1",
                      NULL) < 0)
        return 0;
    zf_stmt_bind_int64(st, 1, user_id);
    if ((rc = zf_stmt_step(st, NULL)) == 1) {
        found = 1;
        if (out_qualified)
            *out_qualified = zf_stmt_int64(st, 0) != 0;
    }
    zf_stmt_free(st);
    return found;
}

int zf_review_store_assign(zf_db *db, int64_t case_id, int64_t pool_user_id,
                           const zf_case_actor *who, int64_t now, zf_err *err)
{
    round_ctx *k = zf_calloc(1, sizeof *k);
    int own = 0, rc;

    if ((rc = tx_begin(db, &own, err)) < 0)
        goto out;
    if ((rc = round_ctx_load(k, db, case_id, NULL, err)) < 0 || (rc = need_round(k, err)) < 0)
        goto done;
    if (k->r->state != ZF_ROUND_SUBMITTED) {
        rc = zf_err_set(err, ZF_ECONFLICT, "invalid_review_state", "state",
                        "第%d轮审核为“%s”，只能指派尚未接收的审核", k->r->no,
                        zf_review_round_state_label(k->r->state));
        goto done;
    }
    if (!user_in_pool(db, pool_user_id, NULL)) {
        rc = zf_err_set(err, ZF_EINVAL, "not_in_pool", "user_id",
                        "该人员不在全市法律顾问、公职律师审核人员库中");
        goto done;
    }
    k->x->assigned_user_id = pool_user_id;
    if ((rc = save_round(db, k->r, k->x, now, err)) < 0)
        goto done;
    rc = audit_json(db, who, now, "review_assign", ZF_REVIEW_OBJECT, case_id,
                    json_pack("{s:i, s:I}", "round", k->r->no, "user_id", (json_int_t)pool_user_id),
                    err);
done:
    rc = tx_end(db, own, rc, err);
out:
    history_free(&k->h);
    free(k);
    return rc;
}

int zf_review_store_receive(zf_db *db, const zf_calendar *cal, int64_t case_id,
                            const zf_case_actor *who, int64_t now, zf_err *err)
{
    round_ctx *k = zf_calloc(1, sizeof *k);
    zf_review_reviewer rv;
    zf_stmt *st = NULL;
    int own = 0, rc, pool_q = 0, in_pool;

    memset(&rv, 0, sizeof rv);
    if (!who || !(who->role & ZF_WF_ROLE_REVIEWER)) {
        rc = zf_err_set(err, ZF_EPERM, "forbidden", NULL, "只有法制审核人员可以接收审核");
        goto out;
    }
    if ((rc = tx_begin(db, &own, err)) < 0)
        goto out;
    if ((rc = round_ctx_load(k, db, case_id, cal, err)) < 0 || (rc = need_round(k, err)) < 0)
        goto done;
    if (k->r->state != ZF_ROUND_SUBMITTED) {
        rc = zf_err_set(err, ZF_ECONFLICT, "invalid_review_state", "state",
                        "第%d轮审核为“%s”，不能接收", k->r->no,
                        zf_review_round_state_label(k->r->state));
        goto done;
    }
    in_pool = user_in_pool(db, who->user_id, &pool_q);
    if (k->x->assigned_user_id) {
        if (k->x->assigned_user_id != who->user_id) {
            rc = zf_err_set(err, ZF_EPERM, "not_assigned", NULL, "本轮审核已指派给审核人员库中的其他人员");
            goto done;
        }
        rv.from_pool = true;
    } else if (k->r->route == ZF_ROUTE_JUSTICE_BUREAU) {
        if (!dept_is_bureau(db, who->department_id)) {
            rc = zf_err_set(err, ZF_EPERM, "wrong_review_office", NULL,
                            "以市人民政府名义作出的决定由市司法局法制审核机构审核");
            goto done;
        }
    } else if (who->department_id != k->c.department_id) {
        rc = zf_err_set(err, ZF_EPERM, "wrong_review_office", NULL,
                        "本案由本部门法制审核机构审核；其他部门的人员须经指派方可审核");
        goto done;
    }
    copy(rv.name, sizeof rv.name, who->name);
    if (rv.from_pool && in_pool)
        rv.legal_qualification = pool_q != 0;
    else
        rv.legal_qualification =
            query_int(db,
                      "SELECT COALESCE(o.legal_qualified, 0) FROM users u JOIN officers o ON "
                      "o.id = u.officer_id WHERE u.id = $1",
                      who->user_id, NULL) != 0 ||
            (in_pool && pool_q);
    rv.reviews_done = (int)query_int(db,
                                     "SELECT COUNT(*) FROM review_rounds WHERE reviewer_user_id = "
                                     "$1 AND state IN ('concluded', 'returned')",
                                     who->user_id, NULL);
    if ((rc = zf_review_receive(&k->h.h, cal, &k->cfg, &rv, zf_calendar_store_today(now), err)) <
        0)
        goto done;
    k->x->reviewer_user_id = who->user_id;
    if ((rc = save_round(db, k->r, k->x, now, err)) < 0)
        goto done;
    {
        char due[ZF_DATE_STRLEN];

        date_str(due, k->r->clock.due);
        rc = audit_json(db, who, now, "review_receive", ZF_REVIEW_OBJECT, case_id,
                        json_pack("{s:i, s:s, s:b, s:s}", "round", k->r->no, "reviewer", rv.name,
                                  "from_pool", rv.from_pool, "due", due),
                        err);
    }
done:
    rc = tx_end(db, own, rc, err);
out:
    zf_stmt_free(st);
    history_free(&k->h);
    free(k);
    return rc;
}

static int point_of(zf_review_point *out, const char *s)
{
    for (int k = 0; s && k < ZF_POINT_COUNT; k++) {
        if (strcmp(s, zf_review_point_code((zf_review_point)k)) == 0 ||
            strcmp(s, zf_review_point_label((zf_review_point)k)) == 0) {
            *out = (zf_review_point)k;
            return 0;
        }
    }
    return -1;
}

int zf_review_store_checklist(zf_db *db, int64_t case_id, const json_t *points,
                              const zf_case_actor *who, int64_t now, zf_err *err)
{
    round_ctx *k = zf_calloc(1, sizeof *k);
    json_t *o;
    size_t i;
    int own = 0, rc;

    if (!json_is_array(points) || json_array_size(points) == 0 ||
        json_array_size(points) > ZF_POINT_COUNT * 2) {
        rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "points", "审核要点应为非空数组");
        goto out;
    }
    if ((rc = tx_begin(db, &own, err)) < 0)
        goto out;
    if ((rc = round_ctx_load(k, db, case_id, NULL, err)) < 0 || (rc = need_round(k, err)) < 0 ||
        (rc = is_reviewer_of(k, who, err)) < 0)
        goto done;
    json_array_foreach(points, i, o) {
        zf_review_point p;
        const char *s = json_string_value(json_object_get(o, "state"));
        zf_review_check_state cs = ZF_CHECK_UNSET;
        char f[32];

        snprintf(f, sizeof f, "points[%zu]", i);
        if (point_of(&p, json_string_value(json_object_get(o, "point"))) < 0) {
            rc = zf_err_set(err, ZF_EINVAL, "invalid_point", f, "审核要点无效");
            goto done;
        }
        if (s && (strcmp(s, "conforms") == 0 || strcmp(s, "符合") == 0))
            cs = ZF_CHECK_CONFORMS;
        else if (s && (strcmp(s, "problem") == 0 || strcmp(s, "存在问题") == 0))
            cs = ZF_CHECK_PROBLEM;
        if ((rc = zf_review_note_point(&k->h.h, p, cs, json_string_value(json_object_get(o, "note")),
                                       err)) < 0) {
            copy(err->field, sizeof err->field, f);
            goto done;
        }
    }
    if ((rc = save_round(db, k->r, k->x, now, err)) < 0)
        goto done;
    {
        char *checks = checks_to_json(k->r);

        rc = audit_json(db, who, now, "review_checklist", ZF_REVIEW_OBJECT, case_id,
                        json_pack("{s:i, s:s}", "round", k->r->no, "checks", checks), err);
        free(checks);
    }
done:
    rc = tx_end(db, own, rc, err);
out:
    history_free(&k->h);
    free(k);
    return rc;
}

/* The first max code points of s into out (cap bytes), never cutting a
 * UTF-8 sequence. */
static void cut_utf8(char *out, size_t cap, const char *s, size_t max)
{
    size_t i = 0, n = 0;

    while (s[i] && n < max) {
        size_t k = 1;

        while ((s[i + k] & 0xC0) == 0x80)
            k++;
        if (i + k >= cap)
            break;
        i += k;
        n++;
    }
    memcpy(out, s, i);
    out[i] = '\0';
}

/* The Chinese label of the proposal's decision_kind ("" when not given). */
static void decision_label(char *out, size_t cap, const char *facts)
{
    zf_review_facts *f = NULL;
    const char *label = NULL;

    if (facts && zf_review_facts_parse(&f, facts, strlen(facts), NULL) == 0)
        label = zf_review_decision_kind_label(zf_review_facts_decision_kind(f));
    copy(out, cap, label ? label : "");
    zf_review_facts_free(f);
}

/* The opinion's fields from the concluded round, in the shape of the
 * legal_review_opinion template (core/doctpl_review.c). */
static json_t *opinion_fields(zf_db *db, const round_ctx *k)
{
    const zf_review_round *r = k->r;
    json_t *mats = json_array(), *points = json_array(), *in, *o;
    char d[ZF_DATE_STRLEN], organ[ZF_REVIEW_NAME_MAX + 64], who[ZF_REVIEW_NAME_MAX + 64];
    char note[2048], kind[64];
    size_t i;

    in = k->x->materials ? json_loads(k->x->materials, 0, NULL) : NULL;
    json_array_foreach(in, i, o) {
        const char *label = json_string_value(json_object_get(o, "label"));
        const char *text = json_string_value(json_object_get(o, "text"));
        const char *docname = json_string_value(json_object_get(o, "document"));
        char name[512];

        cut_utf8(name, sizeof name, label && *label ? label : "送审材料", 100);
        if (docname && *docname)
            text = zf_workflow_doc_name(docname);
        cut_utf8(note, sizeof note, text ? text : "", 500);
        json_array_append_new(mats, *note ? json_pack("{s:s, s:s}", "name", name, "note", note)
                                          : json_pack("{s:s}", "name", name));
    }
    json_decref(in);
    for (int p = 0; p < ZF_POINT_COUNT; p++) {
        o = json_pack("{s:s, s:s}", "point", zf_review_point_label((zf_review_point)p), "result",
                      check_label(r->checks[p].state));
        if (r->checks[p].note[0]) {
            cut_utf8(note, sizeof note, r->checks[p].note, 500);
            json_object_set_new(o, "note", json_string(note));
        }
        json_array_append_new(points, o);
    }
    if (r->route == ZF_ROUTE_JUSTICE_BUREAU) {
        copy(organ, sizeof organ, zf_review_route_label(r->route));
    } else {
        char dept[ZF_REVIEW_NAME_MAX];

        dept_name(dept, sizeof dept, db, k->c.department_id);
        snprintf(organ, sizeof organ, "%s法制审核机构", dept);
    }
    snprintf(who, sizeof who, "%s%s", r->reviewer, r->reviewer_from_pool ? "（全市法律顾问、公职律师库）" : "");
    o = json_pack("{s:s, s:s, s:i, s:s, s:o, s:o, s:s, s:s}", "review_organ", organ, "case_title",
                  k->c.title, "round", r->no, "submitted_by", r->submitted_by, "materials", mats,
                  "checklist", points, "conclusion", r->outcome_label, "reviewers", who);
    if (k->c.case_no[0]) /* a case gets its 案号 when filed; one placed directly may have none */
        json_object_set_new(o, "case_no", json_string(k->c.case_no));
    date_str(d, r->submitted_on);
    json_object_set_new(o, "submitted_on", json_string(d));
    date_str(d, r->received_on);
    json_object_set_new(o, "received_on", json_string(d));
    date_str(d, r->concluded_on);
    json_object_set_new(o, "opinion_date", json_string(d));
    if (r->reasons[0])
        json_object_set_new(o, "reasons", json_string(r->reasons));
    if (r->clock.approver[0])
        json_object_set_new(o, "extension_approver", json_string(r->clock.approver));
    decision_label(kind, sizeof kind, k->x->facts);
    if (kind[0])
        json_object_set_new(o, "decision_proposed", json_string(kind));
    return o;
}

/* The 法制审核意见书 as a case document of the legal_review_opinion template:
 * saved and finalized (its 文号 issued) inside the caller's transaction, so a
 * concluded round always has its final opinion, and an opinion never exists
 * without the conclusion it states. The reviewer signs it afterwards
 * (zf_review_store_sign_opinion). */
static int save_opinion(int64_t *out_id, zf_db *db, const round_ctx *k, const zf_case_actor *who,
                        int64_t now, zf_err *err)
{
    json_t *fields = opinion_fields(db, k);
    int rc;

    *out_id = 0;
    if ((rc = zf_case_doc_save(out_id, db, k->c.id, 0, ZF_DOC_LEGAL_REVIEW_OPINION, fields, 0, who,
                               now, err)) == 0)
        rc = zf_case_doc_finalize(NULL, 0, db, k->c.id, *out_id, who, now, err);
    json_decref(fields);
    return rc;
}

int zf_review_store_sign_opinion(int64_t *out_id, zf_db *db, int64_t case_id,
                                 const unsigned char *png, size_t png_len, int width, int height,
                                 const zf_case_actor *who, int64_t now, zf_err *err)
{
    round_ctx *k = zf_calloc(1, sizeof *k);
    zf_doc_sig *sigs = NULL;
    zf_doc_sig_new in = {0};
    size_t n = 0;
    int own = 0, rc;

    if (out_id)
        *out_id = 0;
    if ((rc = tx_begin(db, &own, err)) < 0)
        goto out;
    if ((rc = round_ctx_load(k, db, case_id, NULL, err)) < 0 || (rc = need_round(k, err)) < 0 ||
        (rc = is_reviewer_of(k, who, err)) < 0)
        goto done;
    if (!k->x->opinion_doc_id) {
        rc = zf_err_set(err, ZF_ECONFLICT, "opinion_not_issued", NULL,
                        "第%d轮审核尚未出具法制审核意见书，出具审核意见后再签名", k->r->no);
        goto done;
    }
    if ((rc = zf_doc_sigs(&sigs, &n, db, k->x->opinion_doc_id, err)) < 0)
        goto done;
    for (size_t i = 0; i < n; i++)
        if (strcmp(sigs[i].signer_kind, "reviewer") == 0 && sigs[i].created_by == who->user_id) {
            rc = zf_err_set(err, ZF_ECONFLICT, "already_signed", NULL, "您已在本轮法制审核意见书上签名");
            goto done;
        }
    in.signer_kind = "reviewer";
    in.role = "审核人员";
    in.reviewer_name = k->r->reviewer;
    in.png = png;
    in.png_len = png_len;
    in.width = width;
    in.height = height;
    rc = zf_doc_sig_add(out_id, db, case_id, k->x->opinion_doc_id, &in, who, now, err);
done:
    rc = tx_end(db, own, rc, err);
out:
    zf_doc_sigs_free(sigs, n);
    history_free(&k->h);
    free(k);
    return rc;
}

int zf_review_store_opinion_doc(int64_t *out, zf_db *db, int64_t case_id, int no, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    *out = 0;
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT opinion_doc_id FROM review_rounds WHERE case_id = $1 AND ($2 = 0 "
                            "OR no = $2) AND opinion_doc_id IS NOT NULL ORDER BY no DESC LIMIT 1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, case_id);
    zf_stmt_bind_int64(st, 2, no);
    if ((rc = zf_stmt_step(st, err)) == 1)
        *out = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

int zf_review_store_conclude(zf_db *db, const zf_calendar *cal, int64_t case_id,
                             const char *outcome, const char *reasons, const zf_case_actor *who,
                             int64_t now, zf_err *err)
{
    round_ctx *k = zf_calloc(1, sizeof *k);
    zf_date today = zf_calendar_store_today(now);
    int own = 0, rc;

    if ((rc = tx_begin(db, &own, err)) < 0)
        goto out;
    if ((rc = round_ctx_load(k, db, case_id, cal, err)) < 0 || (rc = need_round(k, err)) < 0 ||
        (rc = is_reviewer_of(k, who, err)) < 0 ||
        (rc = zf_review_conclude(&k->h.h, cal, &k->cfg, outcome ? outcome : "", reasons, today,
                                 err)) < 0)
        goto done;
    /* a non-passing opinion goes back to the handling unit at once */
    if (!k->r->outcome_passes && (rc = zf_review_return(&k->h.h, today, err)) < 0)
        goto done;
    if ((rc = save_opinion(&k->x->opinion_doc_id, db, k, who, now, err)) < 0 ||
        (rc = save_round(db, k->r, k->x, now, err)) < 0)
        goto done;
    if ((rc = zf_case_set_flags(db, case_id, k->r->outcome_passes ? ZF_WF_REVIEW_PASSED : 0,
                                k->r->outcome_passes ? 0 : ZF_WF_REVIEW_PASSED,
                                k->r->outcome_passes ? "法制审核同意" : "法制审核未通过", who, now,
                                err)) < 0)
        goto done;
    rc = audit_json(db, who, now, "review_conclude", ZF_REVIEW_OBJECT, case_id,
                    json_pack("{s:i, s:s, s:s, s:b, s:s, s:s}", "round", k->r->no, "outcome",
                              k->r->outcome, "outcome_label", k->r->outcome_label, "passes",
                              k->r->outcome_passes, "reasons", k->r->reasons, "clock",
                              zf_clock_state_code(zf_clock_state_at(&k->r->clock, cal, today, -1))),
                    err);
done:
    rc = tx_end(db, own, rc, err);
out:
    history_free(&k->h);
    free(k);
    return rc;
}

int zf_review_store_extend(zf_db *db, const zf_calendar *cal, int64_t case_id,
                           const char *approver, const zf_case_actor *who, int64_t now,
                           zf_err *err)
{
    round_ctx *k = zf_calloc(1, sizeof *k);
    zf_date today = zf_calendar_store_today(now);
    char due[ZF_DATE_STRLEN];
    int own = 0, rc;

    if (!approver || !*approver || strlen(approver) >= ZF_REVIEW_NAME_MAX) {
        rc = zf_err_set(err, ZF_EINVAL, "approver_required", "approver",
                        "延长审核期限须写明批准的分管领导姓名");
        goto out;
    }
    if ((rc = tx_begin(db, &own, err)) < 0)
        goto out;
    if ((rc = round_ctx_load(k, db, case_id, cal, err)) < 0 || (rc = need_round(k, err)) < 0)
        goto done;
    if (!(who && who->role == ZF_WF_ROLE_HEAD && who->department_id == k->c.department_id) &&
        (rc = is_reviewer_of(k, who, err)) < 0)
        goto done;
    if ((rc = zf_review_extend(&k->h.h, cal, approver, today, err)) < 0)
        goto done;
    k->x->extended_on = today;
    if ((rc = save_round(db, k->r, k->x, now, err)) < 0)
        goto done;
    date_str(due, k->r->clock.due);
    rc = audit_json(db, who, now, "review_extend", ZF_REVIEW_OBJECT, case_id,
                    json_pack("{s:i, s:s, s:i, s:s}", "round", k->r->no, "approver", approver,
                              "workdays", k->cfg.extension_workdays, "due", due),
                    err);
done:
    rc = tx_end(db, own, rc, err);
out:
    history_free(&k->h);
    free(k);
    return rc;
}

int zf_review_store_collective(zf_db *db, int64_t case_id, zf_review_collective_decision dec,
                               const char *record, const zf_case_actor *who, int64_t now,
                               zf_err *err)
{
    round_ctx *k = zf_calloc(1, sizeof *k);
    int own = 0, rc;

    if ((rc = tx_begin(db, &own, err)) < 0)
        goto out;
    if ((rc = round_ctx_load(k, db, case_id, NULL, err)) < 0 || (rc = need_round(k, err)) < 0 ||
        (rc = zf_review_collective(&k->h.h, dec, record, zf_calendar_store_today(now), err)) < 0)
        goto done;
    if ((rc = save_round(db, k->r, k->x, now, err)) < 0)
        goto done;
    {
        zf_stmt *st = NULL;

        if ((rc = zf_db_prepare(&st, db, "UPDATE review_rounds SET collective_by_id = $2 WHERE id = $1",
                                err)) < 0)
            goto done;
        zf_stmt_bind_int64(st, 1, k->x->id);
        zf_stmt_bind_int64(st, 2, who ? who->user_id : 0);
        rc = zf_stmt_step(st, err);
        zf_stmt_free(st);
        if (rc < 0)
            goto done;
    }
    /* only where the locality lets a collective decision proceed does it open the gate */
    if (dec == ZF_COLLECTIVE_PROCEED && k->cfg.collective_may_decide &&
        (rc = zf_case_set_flags(db, case_id, ZF_WF_REVIEW_PASSED, 0, "集体讨论决定作出", who, now,
                                err)) < 0)
        goto done;
    rc = audit_json(db, who, now, "review_collective", ZF_REVIEW_OBJECT, case_id,
                    json_pack("{s:i, s:s, s:s}", "round", k->r->no, "decision",
                              dec == ZF_COLLECTIVE_PROCEED ? "proceed" : "uphold", "record", record),
                    err);
done:
    rc = tx_end(db, own, rc, err);
out:
    history_free(&k->h);
    free(k);
    return rc;
}

/* ---- views ------------------------------------------------------------------------------ */

static json_t *round_json(const zf_review_round *r, const round_extra *x, const zf_calendar *cal,
                          zf_date today)
{
    json_t *checks = json_array(), *o, *mat;
    int left = 0;
    bool has_left = false;

    for (int k = 0; k < ZF_POINT_COUNT; k++)
        json_array_append_new(checks, json_pack("{s:s, s:s, s:s, s:s, s:s}", "point",
                                                zf_review_point_code((zf_review_point)k), "label",
                                                zf_review_point_label((zf_review_point)k), "state",
                                                check_code(r->checks[k].state), "state_name",
                                                check_label(r->checks[k].state), "note",
                                                r->checks[k].note));
    mat = json_loads(x->materials ? x->materials : "[]", 0, NULL);
    o = json_pack("{s:I, s:i, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:b, s:o, s:o}", "id",
                  (json_int_t)x->id, "no", r->no, "state", zf_review_round_state_code(r->state),
                  "state_name", zf_review_round_state_label(r->state), "route",
                  zf_review_route_code(r->route), "route_name", zf_review_route_label(r->route),
                  "submitted_by", r->submitted_by, "submitted_on", date_json(r->submitted_on),
                  "reviewer", r->reviewer, "reviewer_user_id",
                  x->reviewer_user_id ? json_integer(x->reviewer_user_id) : json_null(),
                  "reviewer_from_pool", r->reviewer_from_pool, "assigned_user_id",
                  x->assigned_user_id ? json_integer(x->assigned_user_id) : json_null(),
                  "received_on", date_json(r->received_on));
    json_object_set_new(o, "materials", mat ? mat : json_array());
    json_object_set_new(o, "proposal_ref", json_string(r->proposal_ref));
    json_object_set_new(o, "checks", checks);
    json_object_set_new(o, "outcome", r->outcome[0] ? json_string(r->outcome) : json_null());
    json_object_set_new(o, "outcome_label", json_string(r->outcome_label));
    json_object_set_new(o, "outcome_passes", json_boolean(r->outcome_passes));
    json_object_set_new(o, "reasons", json_string(r->reasons));
    json_object_set_new(o, "concluded_on", date_json(r->concluded_on));
    json_object_set_new(o, "returned_on", date_json(r->returned_on));
    json_object_set_new(o, "collective",
                        json_string(r->collective == ZF_COLLECTIVE_PROCEED  ? "proceed"
                                    : r->collective == ZF_COLLECTIVE_UPHOLD ? "uphold"
                                                                            : "none"));
    json_object_set_new(o, "collective_on", date_json(r->collective_on));
    json_object_set_new(o, "collective_record", json_string(r->collective_record));
    json_object_set_new(o, "opinion_doc_id",
                        x->opinion_doc_id ? json_integer(x->opinion_doc_id) : json_null());
    json_object_set_new(o, "extension_approver", json_string(r->clock.approver));
    json_object_set_new(o, "extended_on", date_json(x->extended_on));
    if (r->clock.start != ZF_DATE_NONE && cal) {
        zf_clock_state s = zf_clock_state_at(&r->clock, cal, today, -1);

        if (r->clock.done == ZF_DATE_NONE && zf_clock_workdays_left(&left, &r->clock, cal, today,
                                                                     NULL) == 0)
            has_left = true;
        json_object_set_new(o, "due", date_json(r->clock.due));
        json_object_set_new(o, "clock_state", json_string(zf_clock_state_code(s)));
        json_object_set_new(o, "clock_state_name", json_string(zf_clock_state_label(s)));
        /* yellow while due soon, red once overdue */
        json_object_set_new(o, "warning",
                            json_string(s == ZF_CLOCK_OVERDUE || s == ZF_CLOCK_DONE_LATE ? "red"
                                        : s == ZF_CLOCK_DUE_SOON                        ? "yellow"
                                                                                        : "none"));
    } else {
        json_object_set_new(o, "due", json_null());
        json_object_set_new(o, "clock_state", json_null());
        json_object_set_new(o, "clock_state_name", json_null());
        json_object_set_new(o, "warning", json_string("none"));
    }
    json_object_set_new(o, "workdays_left", has_left ? json_integer(left) : json_null());
    return o;
}

static int review_events(json_t **out, zf_db *db, int64_t case_id, zf_err *err)
{
    zf_stmt *st = NULL;
    char oid[24];
    int rc;

    *out = json_array();
    snprintf(oid, sizeof oid, "%lld", (long long)case_id);
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT at, actor_name, action, detail FROM audit_log WHERE "
                            "object_type = 'case_review' AND object_id = $1 ORDER BY id",
                            err)) < 0)
        return rc;
    zf_stmt_bind_text(st, 1, oid, -1);
    while ((rc = zf_stmt_step(st, err)) == 1) {
        json_t *d = json_loads(zf_stmt_text(st, 3), 0, NULL);

        json_array_append_new(*out, json_pack("{s:I, s:s, s:s, s:o}", "at",
                                              (json_int_t)zf_stmt_int64(st, 0), "actor",
                                              zf_stmt_text(st, 1), "action", zf_stmt_text(st, 2),
                                              "detail", d ? d : json_object()));
    }
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

int zf_review_store_get(json_t **out, zf_db *db, const zf_calendar *cal, int64_t case_id,
                        int64_t now, zf_err *err)
{
    zf_case *c = zf_malloc(sizeof *c);
    zf_review_config cfg;
    history h;
    zf_stmt *st = NULL;
    json_t *o = NULL, *rounds = json_array(), *events = NULL, *det = json_null();
    zf_date today = zf_calendar_store_today(now);
    int rc;

    memset(&h, 0, sizeof h);
    *out = NULL;
    if ((rc = zf_case_get(c, db, case_id, err)) < 0 ||
        (rc = zf_review_store_config(&cfg, db, err)) < 0 ||
        (rc = load_history(&h, db, case_id, cal, &cfg, err)) < 0 ||
        (rc = review_events(&events, db, case_id, err)) < 0)
        goto out;
    for (size_t i = 0; i < h.h.n; i++) {
        json_t *o = round_json(&h.h.rounds[i], &h.x[i], cal, today);

        /* whether the round's reviewer has signed its 法制审核意见书 */
        json_object_set_new(o, "opinion_signed",
                            json_boolean(h.x[i].opinion_doc_id &&
                                         query_int(db,
                                                   "SELECT COUNT(*) FROM document_signatures WHERE "
                                                   "document_id = $1 AND signer_kind = $2",
                                                   h.x[i].opinion_doc_id, "reviewer") > 0));
        json_array_append_new(rounds, o);
    }
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT facts, catalog_version, matches, listed, major, override_kind, "
                            "override_by, override_reason, override_on, bureau_notice, "
                            "facts_sha256 FROM case_reviews WHERE case_id = $1",
                            err)) < 0)
        goto out;
    zf_stmt_bind_int64(st, 1, case_id);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        json_t *f = json_loads(zf_stmt_text(st, 0), 0, NULL);
        json_t *m = json_loads(zf_stmt_text(st, 2), 0, NULL);

        json_decref(det);
        det = json_pack("{s:o, s:i, s:o, s:b, s:b, s:s, s:s, s:s, s:o, s:b, s:s}", "facts",
                        f ? f : json_object(), "catalog_version", (int)zf_stmt_int64(st, 1),
                        "matches", m ? m : json_array(), "listed", zf_stmt_int64(st, 3) != 0,
                        "major", zf_stmt_int64(st, 4) != 0, "override", zf_stmt_text(st, 5),
                        "override_by", zf_stmt_text(st, 6), "override_reason",
                        zf_stmt_text(st, 7), "override_on", text_or_null(st, 8),
                        "bureau_notice", zf_stmt_int64(st, 9) != 0, "proposal_ref",
                        zf_stmt_text(st, 10));
    }
    zf_stmt_free(st);
    if (rc < 0)
        goto out;
    {
        zf_err gerr = ZF_ERR_INIT;
        int g = zf_review_store_gate(db, case_id, NULL, now, &gerr);
        const zf_review_round *last = zf_review_history_latest(&h.h);
        const char *stage = "none", *stage_name = "未送审";

        if (last) {
            stage = zf_review_round_state_code(last->state);
            stage_name = zf_review_round_state_label(last->state);
        }
        o = json_pack("{s:I, s:b, s:b, s:o, s:o, s:o, s:s, s:s, s:{s:b, s:s, s:s}}", "case_id",
                      (json_int_t)case_id, "major", (c->flags & ZF_WF_MAJOR) != 0,
                      "review_passed", (c->flags & ZF_WF_REVIEW_PASSED) != 0, "determination",
                      det, "rounds", rounds, "events", events, "stage", stage, "stage_name",
                      stage_name, "gate", "allowed", g == 0, "code", g == 0 ? "" : gerr.code,
                      "reason", g == 0 ? "" : gerr.message);
        det = rounds = events = NULL;
        json_object_set_new(o, "config",
                            json_pack("{s:i, s:i, s:b}", "review_workdays", cfg.review_workdays,
                                      "extension_workdays", cfg.extension_workdays,
                                      "collective_may_decide", cfg.collective_may_decide));
        {
            json_t *outs = json_array();

            for (size_t i = 0; i < cfg.n_outcomes; i++)
                json_array_append_new(outs, json_pack("{s:s, s:s, s:b, s:b}", "code",
                                                      cfg.outcomes[i].code, "label",
                                                      cfg.outcomes[i].label, "passes",
                                                      cfg.outcomes[i].passes, "reason_required",
                                                      cfg.outcomes[i].reason_required));
            json_object_set_new(json_object_get(o, "config"), "outcomes", outs);
        }
    }
    *out = o;
    rc = 0;
out:
    json_decref(rounds);
    json_decref(events);
    json_decref(det);
    history_free(&h);
    free(c);
    return rc;
}

int zf_review_store_opinion_html(char **out, zf_db *db, int64_t case_id, int no, zf_err *err)
{
    zf_case *c = zf_malloc(sizeof *c);
    zf_review_config cfg;
    history h;
    const zf_review_round *r = NULL;
    zf_buf b = ZF_BUF_INIT;
    char d[ZF_DATE_STRLEN], dept[ZF_REVIEW_NAME_MAX];
    int rc;

    memset(&h, 0, sizeof h);
    *out = NULL;
    if ((rc = zf_case_get(c, db, case_id, err)) < 0 ||
        (rc = zf_review_store_config(&cfg, db, err)) < 0 ||
        (rc = load_history(&h, db, case_id, NULL, &cfg, err)) < 0)
        goto out;
    for (size_t i = h.h.n; i-- > 0;) {
        const zf_review_round *x = &h.h.rounds[i];

        if ((no == 0 || x->no == no) && x->concluded_on != ZF_DATE_NONE) {
            r = x;
            break;
        }
    }
    if (!r) {
        rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "该轮审核尚未出具意见");
        goto out;
    }
    dept_name(dept, sizeof dept, db, c->department_id);
#define H(s) zf_buf_put_html(&b, (s), strlen(s))
    zf_buf_puts(&b, "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                    "<title>法制审核意见书</title><style>body{font-family:serif;max-width:46em;"
                    "margin:2em auto;line-height:1.8}h1{text-align:center;letter-spacing:.3em}"
                    "table{border-collapse:collapse;width:100%}td,th{border:1px solid #333;"
                    "padding:.3em .6em;text-align:left;vertical-align:top}</style></head><body>");
    zf_buf_puts(&b, "<p style=\"text-align:center\">");
    H(r->route == ZF_ROUTE_JUSTICE_BUREAU ? "市司法局" : dept);
    zf_buf_puts(&b, "</p><h1>法制审核意见书</h1><table>");
    zf_buf_puts(&b, "<tr><th>案件名称</th><td>");
    H(c->title);
    zf_buf_puts(&b, "</td></tr><tr><th>案号</th><td>");
    H(c->case_no);
    zf_buf_printf(&b, "</td></tr><tr><th>审核轮次</th><td>第%d轮</td></tr>", r->no);
    zf_buf_puts(&b, "<tr><th>送审人</th><td>");
    H(r->submitted_by);
    date_str(d, r->submitted_on);
    zf_buf_printf(&b, "（%s）</td></tr><tr><th>审核机构</th><td>", d);
    H(zf_review_route_label(r->route));
    zf_buf_puts(&b, "</td></tr><tr><th>审核人员</th><td>");
    H(r->reviewer);
    if (r->reviewer_from_pool)
        H("（全市法律顾问、公职律师库）");
    date_str(d, r->received_on);
    zf_buf_printf(&b, "</td></tr><tr><th>接收日期</th><td>%s</td></tr>", d);
    for (int i = 0; i < ZF_POINT_COUNT; i++) {
        zf_buf_puts(&b, "<tr><th>");
        H(zf_review_point_label((zf_review_point)i));
        zf_buf_puts(&b, "</th><td>");
        H(check_label(r->checks[i].state));
        if (r->checks[i].note[0]) {
            H("：");
            H(r->checks[i].note);
        }
        zf_buf_puts(&b, "</td></tr>");
    }
    zf_buf_puts(&b, "<tr><th>审核意见</th><td><strong>");
    H(r->outcome_label);
    zf_buf_puts(&b, "</strong>");
    if (r->reasons[0]) {
        zf_buf_puts(&b, "<br>理由：");
        H(r->reasons);
    }
    date_str(d, r->concluded_on);
    zf_buf_printf(&b, "</td></tr><tr><th>出具日期</th><td>%s</td></tr>", d);
    if (r->clock.approver[0]) {
        zf_buf_puts(&b, "<tr><th>延长审核期限批准人</th><td>");
        H(r->clock.approver);
        zf_buf_puts(&b, "</td></tr>");
    }
    if (r->collective != ZF_COLLECTIVE_NONE) {
        zf_buf_puts(&b, "<tr><th>集体讨论</th><td>");
        H(r->collective == ZF_COLLECTIVE_PROCEED ? "决定作出：" : "维持审核意见：");
        H(r->collective_record);
        zf_buf_puts(&b, "</td></tr>");
    }
    zf_buf_puts(&b, "</table><p>审核人员（签名）：________　　审核机构负责人（签名）：________</p>"
                    "</body></html>");
#undef H
    *out = zf_buf_detach(&b);
out:
    zf_buf_free(&b);
    history_free(&h);
    free(c);
    return rc;
}

int zf_review_store_queue(json_t **out, zf_db *db, const zf_calendar *cal,
                          const zf_case_actor *who, bool mine_only, int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    zf_review_config cfg;
    json_t *items = json_array();
    zf_date today = zf_calendar_store_today(now);
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    int rc, bureau = dept_is_bureau(db, who->department_id);
    int all = who->role == (1u << 4) /* ZF_ROLE_SUPERVISOR: every department */;

    *out = NULL;
    if ((rc = zf_review_store_config(&cfg, db, err)) < 0)
        goto out;
    /* which cases: a reviewer's own work and what they may receive; other
     * staff see their department's open reviews; the Justice Bureau all */
    if ((rc = zf_db_prepare(
             &st, db,
             "SELECT r.case_id FROM review_rounds r WHERE r.state IN ('submitted', 'in_review') AND "
             "r.no = (SELECT MAX(no) FROM review_rounds x WHERE x.case_id = r.case_id) AND ("
             "r.reviewer_user_id = $1 OR ($4 = 0 AND $5 = 1) OR ($4 = 0 AND $5 = 0 AND "
             "r.department_id = $2 AND $6 = 0) OR ($4 = 0 AND $6 = 1 AND r.state = 'submitted' AND "
             "(r.assigned_user_id = $1 OR (r.assigned_user_id IS NULL AND ((r.route = 'department' "
             "AND r.department_id = $2) OR (r.route = 'justice_bureau' AND $3 = 1)))))) "
             "ORDER BY r.submitted_at, r.id",
             err)) < 0)
        goto out;
    zf_stmt_bind_int64(st, 1, who->user_id);
    zf_stmt_bind_int64(st, 2, who->department_id);
    zf_stmt_bind_int64(st, 3, bureau);
    zf_stmt_bind_int64(st, 4, mine_only ? 1 : 0);
    zf_stmt_bind_int64(st, 5, all ? 1 : 0);
    zf_stmt_bind_int64(st, 6, (who->role & ZF_WF_ROLE_REVIEWER) ? 1 : 0);
    while ((rc = zf_stmt_step(st, err)) == 1) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            ids = zf_realloc(ids, cap * sizeof *ids);
        }
        ids[n++] = zf_stmt_int64(st, 0);
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        zf_case c;
        history h;
        json_t *o;

        if ((rc = zf_case_get(&c, db, ids[i], err)) < 0 ||
            (rc = load_history(&h, db, ids[i], cal, &cfg, err)) < 0)
            goto out;
        o = round_json(&h.h.rounds[h.h.n - 1], &h.x[h.h.n - 1], cal, today);
        json_object_set_new(o, "case_id", json_integer(c.id));
        json_object_set_new(o, "case_title", json_string(c.title));
        json_object_set_new(o, "case_no", json_string(c.case_no));
        json_object_set_new(o, "department_id", json_integer(c.department_id));
        json_object_set_new(o, "procedure", json_string(c.procedure));
        json_array_append_new(items, o);
        history_free(&h);
    }
    *out = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)n);
    items = NULL;
    rc = 0;
out:
    zf_stmt_free(st);
    json_decref(items);
    free(ids);
    return rc;
}

/* ---- the gate ----------------------------------------------------------------------------- */

/* The facts as the decision being recorded makes them: the case's facts
 * (zf_review_store_case_facts) with decision_kind replaced by what the
 * action decides. *proposed gets the proposal's own decision_kind (a static
 * code) or NULL. */
static int decision_facts(char **out, const char **proposed, zf_db *db, const zf_case *c,
                          const case_review *cr, const char *kind, zf_err *err)
{
    zf_review_facts *pf = NULL;
    json_t *o = NULL;
    zf_buf b = ZF_BUF_INIT;
    char *text = NULL;
    int rc;

    *out = NULL;
    *proposed = NULL;
    if ((rc = zf_review_store_case_facts(&text, db, c->id, cr->exists ? cr->facts : NULL, err)) < 0)
        goto out;
    if (cr->exists && cr->facts &&
        zf_review_facts_parse(&pf, cr->facts, strlen(cr->facts), NULL) == 0)
        *proposed = zf_review_facts_decision_kind(pf);
    if (!kind) {
        *out = text;
        text = NULL;
        goto out;
    }
    if (!(o = json_loads(text, 0, NULL))) {
        rc = zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "无法读取案件事实");
        goto out;
    }
    json_object_set_new(o, "decision_kind", json_string(kind));
    if ((rc = zf_jcs_encode(&b, o, err)) < 0)
        goto out;
    *out = zf_buf_detach(&b);
out:
    zf_buf_free(&b);
    json_decref(o);
    free(text);
    zf_review_facts_free(pf);
    return rc;
}

/* Whether the decision recorded (kind) is the one the proposal named: the
 * same kind, or the proposal's plain 不予 for a 不予变更 / 不予延续 (the officer
 * need not know which licensing procedure words it), or a proposal of 其他,
 * which names nothing to compare. */
static bool same_decision(const char *proposed, const char *kind)
{
    return strcmp(proposed, kind) == 0 || strcmp(proposed, "other") == 0 ||
           (strcmp(proposed, "deny") == 0 &&
            (strcmp(kind, "deny_change") == 0 || strcmp(kind, "deny_renewal") == 0));
}

int zf_review_store_gate(zf_db *db, int64_t case_id, const char *action, int64_t now, zf_err *err)
{
    zf_case *c = zf_malloc(sizeof *c);
    case_review cr;
    zf_review_config cfg;
    zf_review_catalog *cat = NULL;
    zf_review_facts *f = NULL;
    zf_review_gate g;
    history h;
    const zf_review_round *last;
    const char *kind = NULL, *proposed = NULL;
    char *facts = NULL;
    int rc;

    memset(&cr, 0, sizeof cr);
    memset(&h, 0, sizeof h);
    memset(&g, 0, sizeof g);
    if ((rc = zf_case_get(c, db, case_id, err)) < 0 ||
        (rc = load_case_review(&cr, db, case_id, err)) < 0)
        goto out;
    /* Classify from the case's own facts (power type, procedure, fine, a
     * hearing on record …) under any proposal stored, and the kind of
     * decision this action records, so a decision nobody classified — an
     * unreviewed 一般程序 penalty, a 不予许可 — is still caught. */
    kind = zf_review_decision_kind_of(c->procedure, action);
    if ((rc = decision_facts(&facts, &proposed, db, c, &cr, kind, err)) < 0 ||
        (rc = zf_review_store_config(&cfg, db, err)) < 0 ||
        (rc = zf_review_store_catalog_effective(&cat, db, c->department_id,
                                                zf_calendar_store_today(now), err)) < 0 ||
        (rc = zf_review_facts_parse(&f, facts, strlen(facts), err)) < 0 ||
        (rc = load_history(&h, db, case_id, NULL, &cfg, err)) < 0)
        goto out;
    if (!zf_review_gate_allows_decision(&g, cat, f, cr.exists && cr.ov.kind ? &cr.ov : NULL,
                                        &h.h, &cfg, cr.exists ? cr.facts_sha : NULL)) {
        rc = zf_err_set(err, ZF_ECONFLICT, g.code, NULL, "%s（行政处罚法第五十八条）", g.reason);
        goto out;
    }
    /* The round agreed to the proposal; a decision of another kind (a
     * penalty where 不予处罚 was reviewed) was not reviewed. */
    if ((g.major || (c->flags & ZF_WF_MAJOR)) && kind && proposed && !same_decision(proposed, kind)) {
        rc = zf_err_set(err, ZF_ECONFLICT, "decision_mismatch", NULL,
                        "法制审核的拟作出决定为“%s”，与本次作出的“%s”不一致，应重新送审"
                        "（行政处罚法第五十八条）",
                        zf_review_decision_kind_label(proposed), zf_review_decision_kind_label(kind));
        goto out;
    }
    if (!g.major && (c->flags & ZF_WF_MAJOR)) {
        /* the head (or the case record) says major: the latest round must agree */
        last = zf_review_history_latest(&h.h);
        if (!last)
            rc = zf_err_set(err, ZF_ECONFLICT, "review_required", NULL,
                            "本案属于重大执法决定，未经法制审核不得作出决定（行政处罚法第五十八条）");
        else if (!last->outcome_passes &&
                 !(cfg.collective_may_decide && last->collective == ZF_COLLECTIVE_PROCEED))
            rc = zf_err_set(err, ZF_ECONFLICT,
                            last->state == ZF_ROUND_CONCLUDED || last->state == ZF_ROUND_RETURNED
                                ? "review_not_agreed"
                                : "review_pending",
                            NULL, "第%d轮法制审核未同意，不得作出决定（行政处罚法第五十八条）",
                            last->no);
    }
out:
    free(facts);
    history_free(&h);
    zf_review_facts_free(f);
    zf_review_catalog_free(cat);
    case_review_clear(&cr);
    free(c);
    return rc;
}

/* ---- staffing, pool, the Justice Bureau's view ---------------------------------------------- */

int zf_review_store_stats(json_t **out, zf_db *db, const zf_calendar *cal, int64_t department_id,
                          int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    zf_review_config cfg;
    json_t *items = json_array(), *notices = json_array(), *byid = json_object();
    zf_date today = zf_calendar_store_today(now);
    int64_t *open_ids = NULL;
    size_t n_open = 0, cap = 0;
    int rc, tot_short = 0;

    *out = NULL;
    if ((rc = zf_review_store_config(&cfg, db, err)) < 0)
        goto out;
    if ((rc = zf_db_prepare(
             &st, db,
             "SELECT d.id, d.name, d.kind, (SELECT COUNT(*) FROM officers o WHERE o.department_id "
             "= d.id AND o.status = 'active'), (SELECT COUNT(*) FROM users u WHERE u.department_id "
             "= d.id AND u.role = 'reviewer' AND u.disabled = 0), (SELECT COUNT(*) FROM users u "
             "JOIN officers o ON o.id = u.officer_id WHERE u.department_id = d.id AND u.role = "
             "'reviewer' AND u.disabled = 0 AND o.legal_qualified = 1) FROM departments d WHERE "
             "($1 = 0 OR d.id = $1) ORDER BY d.id",
             err)) < 0)
        goto out;
    zf_stmt_bind_int64(st, 1, department_id);
    while ((rc = zf_stmt_step(st, err)) == 1) {
        zf_review_staffing s;
        char key[24];
        json_t *o;

        if (zf_review_staffing_compute(&s, (int)zf_stmt_int64(st, 3), (int)zf_stmt_int64(st, 4),
                                       &cfg, NULL) < 0)
            memset(&s, 0, sizeof s);
        tot_short += s.shortfall;
        o = json_pack("{s:I, s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:b, s:i, s:i, s:i, s:i, s:i, "
                      "s:{}, s:i, s:i}",
                      "department_id", (json_int_t)zf_stmt_int64(st, 0), "department",
                      zf_stmt_text(st, 1), "kind", zf_stmt_text(st, 2), "officers", s.officers,
                      "reviewers", s.reviewers, "qualified_reviewers", (int)zf_stmt_int64(st, 5),
                      "required", s.required, "shortfall", s.shortfall, "meets", s.meets,
                      "rounds", 0, "open", 0, "concluded", 0, "passed", 0, "not_passed", 0,
                      "outcomes", "overdue", 0, "bureau_notices", 0);
        snprintf(key, sizeof key, "%lld", (long long)zf_stmt_int64(st, 0));
        json_object_set(byid, key, o);
        json_array_append_new(items, o);
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto out;
    /* volumes and outcomes */
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT department_id, state, outcome_label, outcome_passes, case_id, "
                            "no = (SELECT MAX(no) FROM review_rounds x WHERE x.case_id = "
                            "review_rounds.case_id) FROM review_rounds WHERE ($1 = 0 OR "
                            "department_id = $1)",
                            err)) < 0)
        goto out;
    zf_stmt_bind_int64(st, 1, department_id);
    while ((rc = zf_stmt_step(st, err)) == 1) {
        char key[24];
        json_t *o, *outs;
        const char *state = zf_stmt_text(st, 1);

        snprintf(key, sizeof key, "%lld", (long long)zf_stmt_int64(st, 0));
        if (!(o = json_object_get(byid, key)))
            continue;
#define INC(k) json_object_set_new(o, (k), json_integer(json_integer_value(json_object_get(o, (k))) + 1))
        INC("rounds");
        if (strcmp(state, "submitted") == 0 || strcmp(state, "in_review") == 0) {
            INC("open");
            if (strcmp(state, "in_review") == 0 && zf_stmt_int64(st, 5)) {
                if (n_open == cap) {
                    cap = cap ? cap * 2 : 16;
                    open_ids = zf_realloc(open_ids, cap * sizeof *open_ids);
                }
                open_ids[n_open++] = zf_stmt_int64(st, 4);
            }
        } else {
            const char *label = zf_stmt_text(st, 2);

            INC("concluded");
            INC(zf_stmt_int64(st, 3) ? "passed" : "not_passed");
            outs = json_object_get(o, "outcomes");
            json_object_set_new(outs, label,
                                json_integer(json_integer_value(json_object_get(outs, label)) + 1));
        }
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto out;
    /* overdue: open rounds whose clock has run out */
    for (size_t i = 0; i < n_open; i++) {
        history h;
        zf_case c;
        char key[24];
        json_t *o;

        if ((rc = zf_case_get(&c, db, open_ids[i], err)) < 0 ||
            (rc = load_history(&h, db, open_ids[i], cal, &cfg, err)) < 0)
            goto out;
        if (h.h.n && zf_clock_state_at(&h.h.rounds[h.h.n - 1].clock, cal, today, -1) ==
                         ZF_CLOCK_OVERDUE) {
            snprintf(key, sizeof key, "%lld", (long long)c.department_id);
            if ((o = json_object_get(byid, key)))
                INC("overdue");
        }
        history_free(&h);
    }
    /* listed decisions marked not major: the Justice Bureau sees each */
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT r.case_id, r.department_id, c.title, c.case_no, r.override_by, "
                            "r.override_reason, r.override_on, r.matches FROM case_reviews r JOIN "
                            "cases c ON c.id = r.case_id WHERE r.bureau_notice = 1 AND ($1 = 0 OR "
                            "r.department_id = $1) ORDER BY r.updated_at DESC",
                            err)) < 0)
        goto out;
    zf_stmt_bind_int64(st, 1, department_id);
    while ((rc = zf_stmt_step(st, err)) == 1) {
        char key[24];
        json_t *o, *m = json_loads(zf_stmt_text(st, 7), 0, NULL);

        snprintf(key, sizeof key, "%lld", (long long)zf_stmt_int64(st, 1));
        if ((o = json_object_get(byid, key)))
            INC("bureau_notices");
#undef INC
        json_array_append_new(notices,
                              json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:o, s:o}", "case_id",
                                        (json_int_t)zf_stmt_int64(st, 0), "department_id",
                                        (json_int_t)zf_stmt_int64(st, 1), "case_title",
                                        zf_stmt_text(st, 2), "case_no", zf_stmt_text(st, 3), "by",
                                        zf_stmt_text(st, 4), "reason", zf_stmt_text(st, 5), "on",
                                        text_or_null(st, 6), "matches",
                                        m ? m : json_array()));
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto out;
    *out = json_pack("{s:o, s:o, s:i, s:i}", "items", items, "bureau_notices", notices,
                     "reviewer_percent", cfg.reviewer_percent, "total_shortfall", tot_short);
    items = notices = NULL;
    rc = 0;
out:
    zf_stmt_free(st);
    json_decref(items);
    json_decref(notices);
    json_decref(byid);
    free(open_ids);
    return rc;
}

int zf_review_store_pool(json_t **out, zf_db *db, zf_err *err)
{
    zf_stmt *st = NULL;
    json_t *items = json_array();
    int rc;

    *out = NULL;
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT p.id, p.user_id, u.username, u.display_name, u.department_id, "
                            "p.kind, p.legal_qualified, p.note, p.active FROM review_pool p JOIN "
                            "users u ON u.id = p.user_id WHERE p.active = 1 ORDER BY p.id",
                            err)) < 0) {
        json_decref(items);
        return rc;
    }
    while ((rc = zf_stmt_step(st, err)) == 1)
        json_array_append_new(
            items, json_pack("{s:I, s:I, s:s, s:s, s:I, s:s, s:s, s:b, s:s, s:b}", "id",
                             (json_int_t)zf_stmt_int64(st, 0), "user_id",
                             (json_int_t)zf_stmt_int64(st, 1), "username", zf_stmt_text(st, 2),
                             "display_name", zf_stmt_text(st, 3), "department_id",
                             (json_int_t)zf_stmt_int64(st, 4), "kind", zf_stmt_text(st, 5),
                             "kind_name",
                             strcmp(zf_stmt_text(st, 5), "public_lawyer") == 0 ? "公职律师"
                                                                                : "法律顾问",
                             "legal_qualified", zf_stmt_int64(st, 6) != 0, "note",
                             zf_stmt_text(st, 7), "active", zf_stmt_int64(st, 8) != 0));
    zf_stmt_free(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

int zf_review_store_pool_add(int64_t *out_id, zf_db *db, int64_t user_id, const char *kind,
                             bool legal_qualified, const char *note, const zf_case_actor *who,
                             int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    int own = 0, rc;

    if (!kind || (strcmp(kind, "legal_adviser") != 0 && strcmp(kind, "public_lawyer") != 0))
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "kind",
                          "类别应为 legal_adviser（法律顾问）或 public_lawyer（公职律师）");
    if (note && strlen(note) > 600)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "note", "备注过长");
    if ((rc = tx_begin(db, &own, err)) < 0)
        return rc;
    if (!query_int(db, "SELECT COUNT(*) FROM users WHERE id = $1 AND role = 'reviewer' AND disabled = 0",
                   user_id, NULL)) {
        rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "user_id",
                        "只能将在用的法制审核人员账户加入审核人员库");
        goto done;
    }
    if (query_int(db, "SELECT COUNT(*) FROM review_pool WHERE user_id = $1 AND active = 1", user_id,
                  NULL)) {
        rc = zf_err_set(err, ZF_ECONFLICT, "already_in_pool", "user_id", "该人员已在审核人员库中");
        goto done;
    }
    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO review_pool (user_id, kind, legal_qualified, note, "
                            "active, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, "
                            "1, $5, $6, $6) ON CONFLICT (user_id) DO UPDATE SET kind = "
                            "excluded.kind, legal_qualified = excluded.legal_qualified, note = "
                            "excluded.note, active = 1, updated_at = excluded.updated_at "
                            "RETURNING id",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, user_id);
    zf_stmt_bind_text(st, 2, kind, -1);
    zf_stmt_bind_int64(st, 3, legal_qualified ? 1 : 0);
    zf_stmt_bind_text(st, 4, note ? note : "", -1);
    if (who && who->user_id)
        zf_stmt_bind_int64(st, 5, who->user_id);
    else
        zf_stmt_bind_null(st, 5);
    zf_stmt_bind_int64(st, 6, now);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        if (out_id)
            *out_id = zf_stmt_int64(st, 0);
        rc = 0;
    }
    zf_stmt_free(st);
    if (rc < 0)
        goto done;
    rc = audit_json(db, who, now, "review_pool_add", "review_pool", user_id,
                    json_pack("{s:s, s:b}", "kind", kind, "legal_qualified", legal_qualified), err);
done:
    return tx_end(db, own, rc, err);
}

int zf_review_store_pool_remove(zf_db *db, int64_t id, const zf_case_actor *who, int64_t now,
                                zf_err *err)
{
    zf_stmt *st = NULL;
    int own = 0, rc;

    if ((rc = tx_begin(db, &own, err)) < 0)
        return rc;
    if ((rc = zf_db_prepare(&st, db,
                            "UPDATE review_pool SET active = 0, updated_at = $2 WHERE id = $1 AND "
                            "active = 1",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, id);
    zf_stmt_bind_int64(st, 2, now);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    if (rc < 0)
        goto done;
    if (zf_db_changes(db) == 0) {
        rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "审核人员库中没有该人员");
        goto done;
    }
    rc = audit(db, who, now, "review_pool_remove", "review_pool", id, "removed", err);
done:
    return tx_end(db, own, rc, err);
}
