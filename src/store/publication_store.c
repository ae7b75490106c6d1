/* publication_store.c — see publication_store.h. */
#include "store/publication_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/deadline.h"
#include "core/redact.h"
#include "store/audit.h"
#include "store/calendar_store.h"
#include "store/case_store.h"
#include "store/search_store.h"
#include "util/buf.h"
#include "util/mem.h"

static const struct {
    const char *outcome, *kind;
} KIND_OF[] = {
    {"penalty", "penalty"},     {"granted", "licensing"},    {"denied", "licensing"},
    {"no_penalty", "other"},    {"decided", "other"},        {"confiscated", "other"},
    {"demolished", "other"},    {"expropriated", "other"},
};

const char *zf_publication_kind_of(const char *outcome)
{
    size_t i;

    for (i = 0; outcome && i < sizeof KIND_OF / sizeof KIND_OF[0]; i++)
        if (strcmp(outcome, KIND_OF[i].outcome) == 0)
            return KIND_OF[i].kind;
    return NULL;
}

const char *zf_publication_kind_name(const char *kind)
{
    if (!kind)
        return NULL;
    if (strcmp(kind, "penalty") == 0)
        return "行政处罚";
    if (strcmp(kind, "licensing") == 0)
        return "行政许可";
    if (strcmp(kind, "other") == 0)
        return "其他执法决定";
    return NULL;
}

static const char *rule_of(const char *kind)
{
    if (strcmp(kind, "penalty") == 0)
        return "publish_penalty";
    if (strcmp(kind, "licensing") == 0)
        return "publish_licensing";
    return "publish_other";
}

zf_date zf_publication_add_months(zf_date d, int months)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, day, last;
    zf_date out;

    zf_date_to_ymd(d, &y, &m, &day);
    m = m - 1 + months;
    y += m / 12;
    m = m % 12 + 1;
    last = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    if (day > last)
        day = last;
    if (zf_date_from_ymd(&out, y, m, day, NULL) < 0)
        return d;
    return out;
}

static int audit_pub(zf_db *db, const zf_pub_actor *who, int64_t now, const char *action,
                     int64_t id, const char *detail, zf_err *err)
{
    zf_audit_event ev = {0};
    char oid[24];

    snprintf(oid, sizeof oid, "%lld", (long long)id);
    ev.at = now;
    ev.actor_id = who ? who->user_id : 0;
    ev.actor_name = who && who->name ? who->name : "system";
    ev.action = action;
    ev.object_type = ZF_PUBLICATION_OBJECT;
    ev.object_id = oid;
    ev.ip = who ? who->ip : NULL;
    ev.request_id = who ? who->request_id : NULL;
    ev.detail = detail;
    return zf_audit_write(db, &ev, err);
}

/* ---- masking ------------------------------------------------------------------ */

/* Replaces every occurrence of the party's name in r->text by its masked
 * form, which has as many characters, and lists each as a finding. */
static void mask_known_name(zf_redact_result *r, const char *field, const char *name,
                            const char *masked_name, json_t *findings)
{
    size_t nl = strlen(name), ml = strlen(masked_name);
    zf_buf out = ZF_BUF_INIT;
    const char *p = r->text, *hit;
    size_t chars = 0, name_chars = 0, i;

    if (strcmp(name, masked_name) == 0 || !strstr(p, name))
        return;
    for (i = 0; i < nl; i++)
        name_chars += ((unsigned char)name[i] & 0xC0) != 0x80;
    while ((hit = strstr(p, name))) {
        for (i = 0; p + i < hit; i++)
            chars += ((unsigned char)p[i] & 0xC0) != 0x80;
        zf_buf_append(&out, p, (size_t)(hit - p));
        zf_buf_append(&out, masked_name, ml);
        json_array_append_new(findings, json_pack("{s:s,s:s,s:b,s:I,s:I}", "field", field, "kind",
                                                  zf_redact_kind_label(ZF_REDACT_NAME), "masked", 1,
                                                  "char_offset", (json_int_t)chars, "char_length",
                                                  (json_int_t)name_chars));
        chars += name_chars;
        p = hit + nl;
    }
    zf_buf_puts(&out, p);
    free(r->text);
    r->len = out.len;
    r->text = zf_buf_detach(&out);
}

int zf_publication_mask(json_t **out_masked, json_t **out_findings, const json_t *content,
                        int person, zf_err *err)
{
    json_t *masked = json_object(), *findings = json_array();
    char pname[400] = "", *pmask = NULL;
    const char *key;
    json_t *v;
    int rc = 0;

    *out_masked = NULL;
    *out_findings = NULL;
    if (person) {
        /* the party's name, masked once as a name, so that it can be masked
         * wherever free text repeats it ("当事人陈某某在……") */
        const char *n = json_string_value(json_object_get(content, "行政相对人名称"));

        if (!n)
            n = json_string_value(json_object_get(content, "XK_XDR_MC"));
        if (n && *n && strlen(n) < sizeof pname) {
            zf_redact_result r = ZF_REDACT_RESULT_INIT;

            snprintf(pname, sizeof pname, "%s", n);
            if (zf_redact_text(&r, NULL, "姓名", ZF_REDACT_PUBLIC, n, strlen(n), NULL) == 0)
                pmask = zf_strdup(r.text);
            zf_redact_result_free(&r);
        }
    }
    json_object_foreach((json_t *)content, key, v) {
        zf_redact_result r = ZF_REDACT_RESULT_INIT;
        const char *s = json_is_string(v) ? json_string_value(v) : "";
        /* the party's name is personal data only for a natural person */
        const char *field = key;
        size_t i;

        if (person && (strcmp(key, "行政相对人名称") == 0 || strcmp(key, "XK_XDR_MC") == 0 ||
                       strcmp(key, "执法对象") == 0))
            field = "姓名";
        if ((rc = zf_redact_text(&r, NULL, field, ZF_REDACT_PUBLIC, s, strlen(s), err)) < 0) {
            zf_redact_result_free(&r);
            goto done;
        }
        if (person && field == key && pname[0] && pmask)
            mask_known_name(&r, key, pname, pmask, findings);
        json_object_set_new(masked, key, json_string(r.text));
        for (i = 0; i < r.count; i++)
            json_array_append_new(
                findings, json_pack("{s:s,s:s,s:b,s:I,s:I}", "field", key, "kind",
                                    zf_redact_kind_label(r.findings[i].kind), "masked",
                                    r.findings[i].masked, "char_offset",
                                    (json_int_t)r.findings[i].char_offset, "char_length",
                                    (json_int_t)r.findings[i].char_length));
        zf_redact_result_free(&r);
    }
    *out_masked = masked;
    *out_findings = findings;
    masked = findings = NULL;
done:
    free(pmask);
    json_decref(masked);
    json_decref(findings);
    return rc;
}

/* ---- search index ---------------------------------------------------------------- */

static int index_pub(zf_db *db, int64_t id, int64_t dept, const char *title, const char *date,
                     const char *masked_json, zf_err *err)
{
    json_t *m = json_loads(masked_json, 0, NULL);
    zf_buf body = ZF_BUF_INIT;
    char link[48];
    const char *key;
    json_t *v;
    zf_search_doc d = {0};
    int rc;

    json_object_foreach(m, key, v) {
        if (json_string_length(v) == 0)
            continue;
        zf_buf_printf(&body, "%s：%s\n", key, json_string_value(v));
    }
    snprintf(link, sizeof link, "/publications/%lld", (long long)id);
    d.kind = "decision";
    d.ref_id = id;
    d.department_id = dept;
    d.date = date;
    d.title = title;
    d.body = zf_buf_str(&body);
    d.link = link;
    rc = zf_search_index_upsert(db, &d, err);
    zf_buf_free(&body);
    json_decref(m);
    return rc;
}

/* ---- queue a decision ------------------------------------------------------------- */

static void put(json_t *o, const char *k, const char *v)
{
    json_object_set_new(o, k, json_string(v ? v : ""));
}

/* 罚款 in fen → 万元 without trailing zeros ("0.5", "12"). */
static void wan_yuan(char *out, size_t cap, int64_t fen)
{
    size_t n;

    snprintf(out, cap, "%lld.%06lld", (long long)(fen / 1000000), (long long)(fen % 1000000));
    n = strlen(out);
    while (n > 0 && out[n - 1] == '0')
        out[--n] = 0;
    if (n > 0 && out[n - 1] == '.')
        out[--n] = 0;
}

static int dept_names(char *name, size_t ncap, char *code, size_t ccap, zf_db *db, int64_t dept,
                      zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    name[0] = code[0] = 0;
    if ((rc = zf_db_prepare(&st, db, "SELECT name, code FROM departments WHERE id = $1", err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, dept);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        snprintf(name, ncap, "%s", zf_stmt_text(st, 0));
        snprintf(code, ccap, "%s", zf_stmt_text(st, 1));
        rc = 0;
    }
    zf_stmt_free(st);
    return rc;
}

static int matter_basis(char *out, size_t cap, zf_db *db, int64_t matter, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    out[0] = 0;
    if (matter <= 0)
        return 0;
    if ((rc = zf_db_prepare(&st, db, "SELECT legal_basis FROM matters WHERE id = $1", err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, matter);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        snprintf(out, cap, "%s", zf_stmt_text(st, 0));
        rc = 0;
    }
    zf_stmt_free(st);
    return rc;
}

/* The 双公示 items of a case decision. */
static json_t *build_content(const zf_case *cs, const zf_case_party *p, const char *kind,
                             const char *outcome, const char *dname, const char *dcode,
                             const char *basis, const char *date, const char *end)
{
    json_t *o = json_object();
    int person = p && strcmp(p->kind, "person") == 0;
    int org = p && !person && strlen(p->identifier) == 18 && strcmp(p->id_type, "统一社会信用代码") == 0;
    const char *pname = p ? p->name : "";
    const char *pkind = p ? zf_case_party_kind_name(p->kind) : "";
    char fine[48] = "0";

    if (cs->has_fine)
        wan_yuan(fine, sizeof fine, cs->fine_fen);
    if (strcmp(kind, "licensing") == 0) {
        put(o, "XK_XDR_MC", pname);
        put(o, "XK_XDR_LB", pkind);
        put(o, "XK_XDR_SHXYM", org ? p->identifier : "");
        put(o, "XK_FRDB", p ? p->legal_rep : "");
        put(o, "XK_XDR_ZJHM", person ? p->identifier : "");
        put(o, "XK_XKWS", strcmp(outcome, "granted") == 0 ? "准予行政许可决定书" : "不予行政许可决定书");
        put(o, "XK_WSH", cs->case_no);
        put(o, "XK_XKLB", "普通");
        put(o, "XK_NR", cs->title);
        put(o, "XK_JDRQ", date);
        put(o, "XK_YXQZ", date);
        put(o, "XK_YXQJ", end);
        put(o, "XK_XKJG", dname);
        put(o, "XK_XKJGDM", dcode);
        put(o, "XK_ZT", strcmp(outcome, "granted") == 0 ? "有效" : "不予许可");
        put(o, "XK_LYDW", dname);
        put(o, "XK_LYDWDM", dcode);
    } else {
        put(o, "行政相对人名称", pname);
        put(o, "行政相对人类别", pkind);
        put(o, "统一社会信用代码", org ? p->identifier : "");
        put(o, "法定代表人", p ? p->legal_rep : "");
        put(o, "证件号码", person ? p->identifier : "");
        put(o, "行政处罚决定书文号", cs->case_no);
        put(o, "违法行为类型", cs->title);
        put(o, "违法事实", cs->summary);
        put(o, "处罚依据", basis);
        put(o, "处罚类别", strcmp(outcome, "penalty") == 0
                               ? (cs->has_fine && cs->fine_fen > 0 ? "罚款" : "警告")
                               : "其他");
        put(o, "处罚内容", strcmp(outcome, "penalty") == 0 && cs->has_fine && cs->fine_fen > 0
                               ? "罚款"
                               : (strcmp(outcome, "no_penalty") == 0 ? "不予行政处罚" : cs->outcome));
        put(o, "罚款金额（万元）", fine);
        put(o, "没收违法所得、没收非法财物的金额（万元）", "0");
        put(o, "暂扣或吊销证照名称及编号", "");
        put(o, "处罚决定日期", date);
        put(o, "处罚有效期", end);
        put(o, "公示截止期", end);
        put(o, "处罚机关", dname);
        put(o, "处罚机关统一社会信用代码", dcode);
        put(o, "数据来源单位", dname);
        put(o, "数据来源单位统一社会信用代码", dcode);
    }
    /* the summary the seed names */
    put(o, "执法机关", dname);
    put(o, "执法对象", pname);
    put(o, "执法类别", zf_publication_kind_name(kind));
    put(o, "执法结论", strcmp(outcome, "penalty") == 0      ? "给予行政处罚"
                       : strcmp(outcome, "no_penalty") == 0 ? "不予行政处罚"
                       : strcmp(outcome, "granted") == 0    ? "准予行政许可"
                       : strcmp(outcome, "denied") == 0     ? "不予行政许可"
                                                            : outcome);
    return o;
}

/* The case's open clock of rule code, or 0. */
static int find_case_clock(int64_t *out, zf_clock_row *row, zf_db *db, const char *obj,
                           int64_t obj_id, const char *code, zf_err *err)
{
    zf_clock_row *rows = NULL;
    size_t n = 0, i;
    int rc;

    *out = 0;
    if ((rc = zf_clock_store_for_object(&rows, &n, db, obj, obj_id, err)) < 0)
        return rc;
    for (i = 0; i < n; i++)
        if (strcmp(rows[i].clock.rule.code, code) == 0) {
            *out = rows[i].id;
            if (row)
                *row = rows[i];
            break;
        }
    free(rows);
    return 0;
}

static int set_due(zf_db *db, int64_t id, int64_t clock_id, const char *col_clock,
                   const char *col_due, zf_err *err)
{
    zf_clock_row row;
    char sql[200], due[ZF_DATE_STRLEN] = "";
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_clock_store_get(&row, db, clock_id, err)) < 0)
        return rc;
    if (row.clock.due != ZF_DATE_NONE)
        zf_date_format(due, row.clock.due);
    snprintf(sql, sizeof sql, "UPDATE publications SET %s = $2, %s = $3 WHERE id = $1", col_clock,
             col_due);
    if ((rc = zf_db_prepare(&st, db, sql, err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    zf_stmt_bind_int64(st, 2, clock_id);
    zf_stmt_bind_text_or_null(st, 3, due[0] ? due : NULL);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

static int queue(zf_db *db, const zf_calendar *cal, const zf_case *cs, const char *kind,
                 const char *outcome, int64_t now, zf_err *err)
{
    zf_case_party *parties = NULL;
    size_t np = 0;
    char dname[256], dcode[64], basis[2048], date[ZF_DATE_STRLEN], end[ZF_DATE_STRLEN];
    char title[512];
    json_t *content = NULL, *masked = NULL, *findings = NULL;
    char *c_txt = NULL, *m_txt = NULL, *f_txt = NULL;
    zf_stmt *st = NULL;
    zf_date today = zf_calendar_store_today(now);
    int64_t id = 0, clock_id = 0;
    int person, rc;

    if ((rc = zf_case_parties(&parties, &np, db, cs->id, err)) < 0)
        goto done;
    if ((rc = dept_names(dname, sizeof dname, dcode, sizeof dcode, db, cs->department_id, err)) < 0 ||
        (rc = matter_basis(basis, sizeof basis, db, cs->matter_id, err)) < 0)
        goto done;
    zf_date_format(date, today);
    zf_date_format(end, zf_publication_add_months(today, 36));
    content = build_content(cs, np ? &parties[0] : NULL, kind, outcome, dname, dcode, basis, date,
                            end);
    person = np && strcmp(parties[0].kind, "person") == 0;
    if ((rc = zf_publication_mask(&masked, &findings, content, person, err)) < 0)
        goto done;
    /* the title is public: built from masked values */
    snprintf(title, sizeof title, "%s决定：%s", zf_publication_kind_name(kind),
             json_string_value(json_object_get(masked, "执法对象")));
    c_txt = json_dumps(content, JSON_COMPACT | JSON_PRESERVE_ORDER);
    m_txt = json_dumps(masked, JSON_COMPACT | JSON_PRESERVE_ORDER);
    f_txt = json_dumps(findings, JSON_COMPACT);
    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO publications (department_id, case_id, kind, origin, state, "
                            "title, content, masked, findings, decision_date, created_at, updated_at) "
                            "VALUES ($1, $2, $3, 'case', 'pending', $4, $5, $6, $7, $8, $9, $9) "
                            "RETURNING id",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, cs->department_id);
    zf_stmt_bind_int64(st, 2, cs->id);
    zf_stmt_bind_text(st, 3, kind, -1);
    zf_stmt_bind_text(st, 4, title, -1);
    zf_stmt_bind_text(st, 5, c_txt, -1);
    zf_stmt_bind_text(st, 6, m_txt, -1);
    zf_stmt_bind_text(st, 7, f_txt, -1);
    zf_stmt_bind_text(st, 8, date, -1);
    zf_stmt_bind_int64(st, 9, now);
    if ((rc = zf_stmt_step(st, err)) < 0)
        goto done;
    id = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    /* the workflow may already run the publication clock on the case: adopt
     * it so that there is one deadline, else start one on the publication */
    if ((rc = find_case_clock(&clock_id, NULL, db, "case", cs->id, rule_of(kind), err)) < 0)
        goto done;
    if (!clock_id &&
        (rc = zf_clock_store_start(&clock_id, db, cal, rule_of(kind), ZF_PUBLICATION_OBJECT, id,
                                   cs->department_id, today, now, err)) < 0)
        goto done;
    if ((rc = set_due(db, id, clock_id, "clock_id", "due_date", err)) < 0)
        goto done;
    {
        char detail[128];

        snprintf(detail, sizeof detail, "case=%lld; kind=%s; outcome=%s", (long long)cs->id, kind,
                 outcome);
        rc = audit_pub(db, NULL, now, "publication_queue", id, detail, err);
    }
done:
    zf_stmt_free(st);
    free(parties);
    json_decref(content);
    json_decref(masked);
    json_decref(findings);
    free(c_txt);
    free(m_txt);
    free(f_txt);
    return rc < 0 ? rc : 0;
}

static int revoke(zf_db *db, const zf_calendar *cal, const zf_case *cs, const char *reason,
                  int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    int64_t ids[64];
    char states[64][20];
    size_t n = 0, i;
    int rc;
    const char *why = reason && *reason ? reason : "行政许可决定已被撤销";

    if ((rc = zf_db_prepare(&st, db,
                            /* a revocation is a case of its own (撤销行政许可): the
                             * decisions it revokes are the department's licensing
                             * publications for the same party */
                            "SELECT id, state FROM publications WHERE state IN "
                            "('pending', 'published') AND (case_id = $1 OR (department_id = $2 "
                            "AND kind = 'licensing' AND case_id IN (SELECT cp.case_id FROM "
                            "case_parties cp WHERE cp.identifier <> '' AND cp.identifier IN "
                            "(SELECT identifier FROM case_parties WHERE case_id = $1)))) ORDER BY id",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, cs->id);
    zf_stmt_bind_int64(st, 2, cs->department_id);
    while (n < 64 && (rc = zf_stmt_step(st, err)) == 1) {
        ids[n] = zf_stmt_int64(st, 0);
        snprintf(states[n], sizeof states[n], "%s", zf_stmt_text(st, 1));
        n++;
    }
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    for (i = 0; i < n; i++) {
        int64_t clock_id = 0;

        if (strcmp(states[i], "pending") == 0) {
            /* never public: nothing to take down, the queue entry ends */
            if ((rc = zf_publication_withdraw(db, cal, ids[i], why, NULL, now, err)) < 0)
                return rc;
            continue;
        }
        if ((rc = zf_db_prepare(&st, db,
                                "UPDATE publications SET state = 'withdraw_pending', "
                                "withdraw_reason = $2, updated_at = $3 WHERE id = $1",
                                err)) < 0)
            return rc;
        zf_stmt_bind_int64(st, 1, ids[i]);
        zf_stmt_bind_text(st, 2, why, -1);
        zf_stmt_bind_int64(st, 3, now);
        rc = zf_stmt_step(st, err);
        zf_stmt_free(st);
        if (rc < 0)
            return rc;
        if ((rc = find_case_clock(&clock_id, NULL, db, "case", cs->id, "withdraw_publication", err)) < 0)
            return rc;
        if (!clock_id &&
            (rc = zf_clock_store_start(&clock_id, db, cal, "withdraw_publication",
                                       ZF_PUBLICATION_OBJECT, ids[i], cs->department_id,
                                       zf_calendar_store_today(now), now, err)) < 0)
            return rc;
        if ((rc = set_due(db, ids[i], clock_id, "withdraw_clock_id", "withdraw_due", err)) < 0 ||
            (rc = audit_pub(db, NULL, now, "publication_withdraw_due", ids[i], why, err)) < 0)
            return rc;
    }
    return 0;
}

int zf_publication_on_decision(zf_db *db, const zf_calendar *cal, int64_t case_id,
                               const char *outcome, const char *reason, int64_t now, zf_err *err)
{
    zf_case *cs;
    const char *kind = zf_publication_kind_of(outcome);
    int rc;

    if (!outcome || (!kind && strcmp(outcome, "revoked") != 0))
        return 0;
    cs = zf_malloc(sizeof *cs);
    if ((rc = zf_case_get(cs, db, case_id, err)) == 0)
        rc = kind ? queue(db, cal, cs, kind, outcome, now, err) : revoke(db, cal, cs, reason, now, err);
    free(cs);
    return rc;
}

/* ---- state changes ------------------------------------------------------------------- */

typedef struct pub_row {
    int64_t department_id, clock_id, withdraw_clock_id;
    char state[20], title[512], decision_date[ZF_DATE_STRLEN], min_end[ZF_DATE_STRLEN];
    char *masked;
} pub_row;

static int load(pub_row *out, zf_db *db, int64_t id, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT department_id, COALESCE(clock_id, 0), "
                            "COALESCE(withdraw_clock_id, 0), state, title, decision_date, "
                            "COALESCE(min_end, ''), masked FROM publications WHERE id = $1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        out->department_id = zf_stmt_int64(st, 0);
        out->clock_id = zf_stmt_int64(st, 1);
        out->withdraw_clock_id = zf_stmt_int64(st, 2);
        snprintf(out->state, sizeof out->state, "%s", zf_stmt_text(st, 3));
        snprintf(out->title, sizeof out->title, "%s", zf_stmt_text(st, 4));
        snprintf(out->decision_date, sizeof out->decision_date, "%s", zf_stmt_text(st, 5));
        snprintf(out->min_end, sizeof out->min_end, "%s", zf_stmt_text(st, 6));
        out->masked = zf_strdup(zf_stmt_text(st, 7));
        rc = 0;
    } else if (rc == 0) {
        rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "找不到该公示信息");
    }
    zf_stmt_free(st);
    return rc;
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
    return zf_db_commit(db, err);
}

/* Replaces the 公示截止期 items of a JSON column (period set at publication). */
static char *with_end(const char *json_txt, const char *end)
{
    json_t *o = json_loads(json_txt, 0, NULL);
    char *s;

    if (!o)
        return zf_strdup(json_txt);
    if (json_object_get(o, "公示截止期"))
        json_object_set_new(o, "公示截止期", json_string(end));
    s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}

int zf_publication_publish(zf_db *db, const zf_calendar *cal, int64_t id, int min_months,
                           int max_months, const zf_pub_actor *who, int64_t now, zf_err *err)
{
    pub_row p;
    zf_stmt *st = NULL;
    zf_date today = zf_calendar_store_today(now);
    char td[ZF_DATE_STRLEN], mn[ZF_DATE_STRLEN], mx[ZF_DATE_STRLEN];
    char *masked = NULL, *content = NULL;
    int own = 0, rc, on_time = 1;

    memset(&p, 0, sizeof p);
    if ((rc = tx_begin(db, &own, err)) < 0)
        return rc;
    if ((rc = load(&p, db, id, err)) < 0)
        goto done;
    if (strcmp(p.state, "pending") != 0) {
        rc = zf_err_set(err, ZF_ECONFLICT, "not_pending", NULL, "该公示信息不在待公示状态");
        goto done;
    }
    if (p.clock_id) {
        zf_clock_row row;

        if ((rc = zf_clock_store_get(&row, db, p.clock_id, err)) < 0)
            goto done;
        if (row.clock.done == ZF_DATE_NONE &&
            (rc = zf_clock_store_finish(db, cal, p.clock_id, today, now, err)) < 0)
            goto done;
        if ((rc = zf_clock_store_get(&row, db, p.clock_id, err)) < 0)
            goto done;
        on_time = row.clock.due == ZF_DATE_NONE || row.clock.done <= row.clock.due;
    }
    zf_date_format(td, today);
    zf_date_format(mn, zf_publication_add_months(today, min_months));
    zf_date_format(mx, zf_publication_add_months(today, max_months));
    masked = with_end(p.masked, mx);
    if ((rc = zf_db_prepare(&st, db, "SELECT content FROM publications WHERE id = $1", err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, id);
    if ((rc = zf_stmt_step(st, err)) == 1)
        content = with_end(zf_stmt_text(st, 0), mx);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, db,
                            "UPDATE publications SET state = 'published', published_at = $2, "
                            "published_on = $3, on_time = $4, confirmed_by = $5, min_end = $6, "
                            "max_end = $7, masked = $8, content = COALESCE($9, content), "
                            "updated_at = $2 WHERE id = $1",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, id);
    zf_stmt_bind_int64(st, 2, now);
    zf_stmt_bind_text(st, 3, td, -1);
    zf_stmt_bind_int64(st, 4, on_time);
    if (who && who->user_id > 0)
        zf_stmt_bind_int64(st, 5, who->user_id);
    else
        zf_stmt_bind_null(st, 5);
    zf_stmt_bind_text(st, 6, mn, -1);
    zf_stmt_bind_text(st, 7, mx, -1);
    zf_stmt_bind_text(st, 8, masked, -1);
    zf_stmt_bind_text_or_null(st, 9, content);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    if ((rc = index_pub(db, id, p.department_id, p.title, p.decision_date, masked, err)) < 0)
        goto done;
    rc = audit_pub(db, who, now, "publication_publish", id, on_time ? "on_time" : "late", err);
done:
    zf_stmt_free(st);
    free(p.masked);
    free(masked);
    free(content);
    return tx_end(db, own, rc < 0 ? rc : 0, err);
}

static int check_reason(const char *reason, zf_err *err)
{
    size_t n = 0;
    const unsigned char *s = (const unsigned char *)reason;

    if (!reason || !*reason)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "reason", "请填写撤下理由");
    for (; *s; s++)
        n += (*s & 0xC0) != 0x80;
    if (n > ZF_PUBLICATION_REASON_MAX)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "reason", "理由不能超过 %d 字",
                          ZF_PUBLICATION_REASON_MAX);
    return 0;
}

int zf_publication_withdraw(zf_db *db, const zf_calendar *cal, int64_t id, const char *reason,
                            const zf_pub_actor *who, int64_t now, zf_err *err)
{
    pub_row p;
    zf_stmt *st = NULL;
    zf_date today = zf_calendar_store_today(now);
    int64_t wc;
    int own = 0, rc;

    memset(&p, 0, sizeof p);
    if ((rc = check_reason(reason, err)) < 0)
        return rc;
    if ((rc = tx_begin(db, &own, err)) < 0)
        return rc;
    if ((rc = load(&p, db, id, err)) < 0)
        goto done;
    if (strcmp(p.state, "published") != 0 && strcmp(p.state, "withdraw_pending") != 0 &&
        strcmp(p.state, "pending") != 0) {
        rc = zf_err_set(err, ZF_ECONFLICT, "not_published", NULL, "该公示信息已结束公示，无需撤下");
        goto done;
    }
    wc = p.withdraw_clock_id;
    if (!wc && strcmp(p.state, "pending") != 0) {
        /* withdrawn without a revocation recorded in a case: the duty
         * starts and ends today */
        if ((rc = zf_clock_store_start(&wc, db, cal, "withdraw_publication", ZF_PUBLICATION_OBJECT,
                                       id, p.department_id, today, now, err)) < 0 ||
            (rc = set_due(db, id, wc, "withdraw_clock_id", "withdraw_due", err)) < 0)
            goto done;
    }
    if (wc) {
        zf_clock_row row;

        if ((rc = zf_clock_store_get(&row, db, wc, err)) < 0)
            goto done;
        if (row.clock.done == ZF_DATE_NONE &&
            (rc = zf_clock_store_finish(db, cal, wc, today, now, err)) < 0)
            goto done;
    }
    if (strcmp(p.state, "pending") == 0 && p.clock_id) {
        zf_clock_row row;

        /* nothing more to publish: the publication clock ends too */
        if ((rc = zf_clock_store_get(&row, db, p.clock_id, err)) < 0)
            goto done;
        if (row.clock.done == ZF_DATE_NONE &&
            (rc = zf_clock_store_finish(db, cal, p.clock_id, today, now, err)) < 0)
            goto done;
    }
    if ((rc = zf_db_prepare(&st, db,
                            "UPDATE publications SET state = 'withdrawn', withdraw_reason = $2, "
                            "withdrawn_at = $3, ended_at = $3, updated_at = $3 WHERE id = $1",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, id);
    zf_stmt_bind_text(st, 2, reason, -1);
    zf_stmt_bind_int64(st, 3, now);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    if ((rc = zf_search_index_delete(db, "decision", id, err)) < 0)
        goto done;
    rc = audit_pub(db, who, now, "publication_withdraw", id, reason, err);
done:
    free(p.masked);
    return tx_end(db, own, rc < 0 ? rc : 0, err);
}

static int end_pub(zf_db *db, int64_t id, const char *state, const char *reason, int64_t now,
                   zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, db,
                            "UPDATE publications SET state = $2, end_reason = $3, ended_at = $4, "
                            "updated_at = $4 WHERE id = $1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    zf_stmt_bind_text(st, 2, state, -1);
    zf_stmt_bind_text_or_null(st, 3, reason);
    zf_stmt_bind_int64(st, 4, now);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    return zf_search_index_delete(db, "decision", id, err);
}

int zf_publication_repair(zf_db *db, int64_t id, const char *reason, const zf_pub_actor *who,
                          int64_t now, zf_err *err)
{
    pub_row p;
    char td[ZF_DATE_STRLEN];
    int own = 0, rc;

    memset(&p, 0, sizeof p);
    if ((rc = check_reason(reason, err)) < 0)
        return rc;
    if ((rc = tx_begin(db, &own, err)) < 0)
        return rc;
    if ((rc = load(&p, db, id, err)) < 0)
        goto done;
    if (strcmp(p.state, "published") != 0) {
        rc = zf_err_set(err, ZF_ECONFLICT, "not_published", NULL, "该公示信息不在公示中");
        goto done;
    }
    zf_date_format(td, zf_calendar_store_today(now));
    if (strcmp(td, p.min_end) < 0) {
        rc = zf_err_set(err, ZF_ECONFLICT, "minimum_period_not_over", NULL,
                        "最短公示期（至 %s）未满，不能申请信用修复", p.min_end);
        goto done;
    }
    if ((rc = end_pub(db, id, "repaired", reason, now, err)) < 0)
        goto done;
    rc = audit_pub(db, who, now, "publication_repair", id, reason, err);
done:
    free(p.masked);
    return tx_end(db, own, rc < 0 ? rc : 0, err);
}

int zf_publication_expire(int *out_n, zf_db *db, int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    char td[ZF_DATE_STRLEN];
    int64_t ids[256];
    size_t n = 0, i;
    int own = 0, rc;

    if (out_n)
        *out_n = 0;
    zf_date_format(td, zf_calendar_store_today(now));
    /* a cheap check outside any write transaction: most ticks find nothing */
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT id FROM publications WHERE state = 'published' AND "
                            "max_end IS NOT NULL AND max_end < $1 ORDER BY id LIMIT 256",
                            err)) < 0)
        return rc;
    zf_stmt_bind_text(st, 1, td, -1);
    while (n < 256 && (rc = zf_stmt_step(st, err)) == 1)
        ids[n++] = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    if (rc < 0 || n == 0)
        return rc < 0 ? rc : 0;
    if ((rc = tx_begin(db, &own, err)) < 0)
        return rc;
    for (i = 0; rc >= 0 && i < n; i++) {
        rc = end_pub(db, ids[i], "expired", "公示期满", now, err);
        if (rc >= 0)
            rc = audit_pub(db, NULL, now, "publication_expire", ids[i], "公示期满", err);
    }
    rc = tx_end(db, own, rc < 0 ? rc : 0, err);
    if (rc == 0 && out_n)
        *out_n = (int)n;
    return rc;
}

/* Content, its masked form and the findings as JSON text (caller frees). */
static int mask_texts(char **c_txt, char **m_txt, char **f_txt, const json_t *content, int person,
                      zf_err *err)
{
    json_t *masked = NULL, *findings = NULL;
    int rc;

    if ((rc = zf_publication_mask(&masked, &findings, content, person, err)) < 0)
        return rc;
    *c_txt = json_dumps(content, JSON_COMPACT | JSON_PRESERVE_ORDER);
    *m_txt = json_dumps(masked, JSON_COMPACT | JSON_PRESERVE_ORDER);
    *f_txt = json_dumps(findings, JSON_COMPACT);
    json_decref(masked);
    json_decref(findings);
    return 0;
}

int zf_publication_insert_published(int64_t *out_id, zf_db *db, int64_t department_id,
                                    const char *kind, const char *title, const json_t *content,
                                    int person, const char *decision_date, const char *max_end,
                                    const zf_pub_actor *who, int64_t now, zf_err *err)
{
    char *c_txt = NULL, *m_txt = NULL, *f_txt = NULL;
    zf_stmt *st = NULL;
    int64_t id = 0;
    int rc;

    if (out_id)
        *out_id = 0;
    if (!zf_publication_kind_name(kind))
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "kind", "公示类别无效");
    if ((rc = mask_texts(&c_txt, &m_txt, &f_txt, content, person, err)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO publications (department_id, kind, origin, state, title, "
                            "content, masked, findings, decision_date, published_at, published_on, "
                            "on_time, max_end, created_at, updated_at) VALUES ($1, $2, 'import', "
                            "'published', $3, $4, $5, $6, $7, $8, $7, NULL, $9, $8, $8) RETURNING id",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, department_id);
    zf_stmt_bind_text(st, 2, kind, -1);
    zf_stmt_bind_text(st, 3, title, -1);
    zf_stmt_bind_text(st, 4, c_txt, -1);
    zf_stmt_bind_text(st, 5, m_txt, -1);
    zf_stmt_bind_text(st, 6, f_txt, -1);
    zf_stmt_bind_text(st, 7, decision_date, -1);
    zf_stmt_bind_int64(st, 8, now);
    zf_stmt_bind_text_or_null(st, 9, max_end && *max_end ? max_end : NULL);
    if ((rc = zf_stmt_step(st, err)) < 0)
        goto done;
    id = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    if ((rc = index_pub(db, id, department_id, title, decision_date, m_txt, err)) < 0 ||
        (rc = audit_pub(db, who, now, "publication_import", id, title, err)) < 0)
        goto done;
    if (out_id)
        *out_id = id;
done:
    zf_stmt_free(st);
    free(c_txt);
    free(m_txt);
    free(f_txt);
    return rc < 0 ? rc : 0;
}

int zf_publication_queue_record(int64_t *out_id, zf_db *db, const zf_calendar *cal,
                                int64_t department_id, const char *kind, const char *title,
                                const json_t *content, const char *rule_code, zf_date start,
                                int64_t now, zf_err *err)
{
    char *c_txt = NULL, *m_txt = NULL, *f_txt = NULL, date[ZF_DATE_STRLEN], detail[96];
    zf_stmt *st = NULL;
    int64_t id = 0, clock_id = 0;
    int rc;

    *out_id = 0;
    if (!zf_publication_kind_name(kind))
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "kind", "公示类别无效");
    if ((rc = mask_texts(&c_txt, &m_txt, &f_txt, content, 0, err)) < 0)
        goto done;
    zf_date_format(date, start);
    /* origin 'case': made in zhifa (as opposed to imported); case_id stays NULL */
    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO publications (department_id, kind, origin, state, title, "
                            "content, masked, findings, decision_date, created_at, updated_at) "
                            "VALUES ($1, $2, 'case', 'pending', $3, $4, $5, $6, $7, $8, $8) "
                            "RETURNING id",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, department_id);
    zf_stmt_bind_text(st, 2, kind, -1);
    zf_stmt_bind_text(st, 3, title, -1);
    zf_stmt_bind_text(st, 4, c_txt, -1);
    zf_stmt_bind_text(st, 5, m_txt, -1);
    zf_stmt_bind_text(st, 6, f_txt, -1);
    zf_stmt_bind_text(st, 7, date, -1);
    zf_stmt_bind_int64(st, 8, now);
    if ((rc = zf_stmt_step(st, err)) < 0)
        goto done;
    id = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    snprintf(detail, sizeof detail, "kind=%s; rule=%s", kind, rule_code);
    if ((rc = zf_clock_store_start(&clock_id, db, cal, rule_code, ZF_PUBLICATION_OBJECT, id,
                                   department_id, start, now, err)) < 0 ||
        (rc = set_due(db, id, clock_id, "clock_id", "due_date", err)) < 0 ||
        (rc = audit_pub(db, NULL, now, "publication_queue", id, detail, err)) < 0)
        goto done;
    *out_id = id;
done:
    zf_stmt_free(st);
    free(c_txt);
    free(m_txt);
    free(f_txt);
    return rc < 0 ? rc : 0;
}
