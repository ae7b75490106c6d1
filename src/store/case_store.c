/* case_store.c — cases, parties, officers, stage history, documents, 文号,
 * evidence links and case clocks. The contract is in case_store.h; the rules
 * are in core/workflow.c and core/doctpl.c. */
#include "store/case_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/deadline.h"
#include "core/redact.h"
#include "ledger/jcs.h"
#include "ledger/sm3.h"
#include "store/archive_store.h"
#include "store/audit.h"
#include "store/publication_store.h" /* issue 7 */
#include "store/calendar_store.h"
#include "store/case_tsv.h" /* issue 9 */
#include "store/review_store.h" /* the stored legal review gate (issue 6) */
#include "util/buf.h"
#include "util/mem.h"

#define CASE_COLUMNS                                                                            \
    "id, department_id, matter_id, procedure, power_type, stage, flags, case_no, title, "      \
    "summary, source, secrecy, fine_fen, outcome, wait_until, stage_entered_at, created_by, " \
    "created_at, updated_at, archived_at"

/* ---- small helpers ------------------------------------------------------------ */

/* Copies s into out[cap], cut at cap - 1 bytes (callers size out for the
 * column's limit, so a cut only ever drops what validation refused). */
static void copy(char *out, size_t cap, const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (!cap)
        return;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(out, s, n);
    out[n] = '\0';
}

/* Code points of valid UTF-8 s, or -1 when it is not valid UTF-8 or holds
 * control characters other than newline and tab (allow_nl). */
static long utf8_len(const char *s, int allow_nl)
{
    const unsigned char *p = (const unsigned char *)s;
    long n = 0;

    while (*p) {
        int extra;

        if (*p < 0x80) {
            if (*p < 0x20 && !(allow_nl && (*p == '\n' || *p == '\t' || *p == '\r')))
                return -1;
            if (*p == 0x7f)
                return -1;
            p++;
            n++;
            continue;
        }
        if ((*p & 0xe0) == 0xc0 && *p >= 0xc2)
            extra = 1;
        else if ((*p & 0xf0) == 0xe0)
            extra = 2;
        else if ((*p & 0xf8) == 0xf0 && *p <= 0xf4)
            extra = 3;
        else
            return -1;
        p++;
        while (extra--) {
            if ((*p & 0xc0) != 0x80)
                return -1;
            p++;
        }
        n++;
    }
    return n;
}

static int check_text(const char *s, long max, int required, int allow_nl, const char *field,
                      const char *label, zf_err *err)
{
    long n;

    if (!s || !*s) {
        if (required)
            return zf_err_set(err, ZF_EINVAL, "validation_failed", field, "%s不能为空", label);
        return 0;
    }
    if ((n = utf8_len(s, allow_nl)) < 0)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", field, "%s含有无效字符", label);
    if (n > max)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", field, "%s过长（最多 %ld 个字符）",
                          label, max);
    return 0;
}

/* Runs in the caller's transaction if there is one, else in its own. */
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

static int audit(zf_db *db, const zf_case_actor *who, int64_t now, const char *action,
                 const char *type, int64_t id, const char *detail, const char *sha, zf_err *err)
{
    char oid[24];
    zf_audit_event ev = {0};

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
    ev.content_sha256 = sha;
    return zf_audit_write(db, &ev, err);
}

/* Audits a change of the case with the case's content hash. */
static int audit_case(zf_db *db, const zf_case_actor *who, int64_t now, const char *action,
                      int64_t case_id, const char *detail, zf_err *err)
{
    char sha[65];
    int rc;

    if ((rc = zf_case_hash(sha, db, case_id, err)) < 0)
        return rc;
    return audit(db, who, now, action, ZF_CASE_OBJECT, case_id, detail, sha, err);
}

static void sha256_hex(char out[65], const char *data, size_t len)
{
    uint8_t d[ZF_DIGEST_LEN];

    zf_sha256(d, data, len);
    zf_hex_encode(out, d, sizeof d);
}

static void date_str(char out[ZF_DATE_STRLEN], zf_date d)
{
    zf_date_format(out, d);
}

static zf_date parse_date(const char *s)
{
    zf_date d;

    if (!s || !*s || zf_date_parse(&d, s, strlen(s), NULL, NULL) < 0)
        return ZF_DATE_NONE;
    return d;
}

/* ---- the case row ------------------------------------------------------------- */

static void case_from_row(zf_case *c, zf_stmt *st)
{
    memset(c, 0, sizeof *c);
    c->id = zf_stmt_int64(st, 0);
    c->department_id = zf_stmt_int64(st, 1);
    c->matter_id = zf_stmt_is_null(st, 2) ? 0 : zf_stmt_int64(st, 2);
    copy(c->procedure, sizeof c->procedure, zf_stmt_text(st, 3));
    copy(c->power_type, sizeof c->power_type, zf_stmt_text(st, 4));
    copy(c->stage, sizeof c->stage, zf_stmt_text(st, 5));
    c->flags = (unsigned)zf_stmt_int64(st, 6);
    copy(c->case_no, sizeof c->case_no, zf_stmt_text(st, 7));
    copy(c->title, sizeof c->title, zf_stmt_text(st, 8));
    copy(c->summary, sizeof c->summary, zf_stmt_text(st, 9));
    copy(c->source, sizeof c->source, zf_stmt_text(st, 10));
    copy(c->secrecy, sizeof c->secrecy, zf_stmt_text(st, 11));
    c->has_fine = !zf_stmt_is_null(st, 12);
    c->fine_fen = c->has_fine ? zf_stmt_int64(st, 12) : 0;
    copy(c->outcome, sizeof c->outcome, zf_stmt_text(st, 13));
    copy(c->wait_until, sizeof c->wait_until, zf_stmt_text(st, 14));
    c->stage_entered_at = zf_stmt_int64(st, 15);
    c->created_by = zf_stmt_int64(st, 16);
    c->created_at = zf_stmt_int64(st, 17);
    c->updated_at = zf_stmt_int64(st, 18);
    c->archived_at = zf_stmt_is_null(st, 19) ? 0 : zf_stmt_int64(st, 19);
}

int zf_case_get(zf_case *out, zf_db *db, int64_t id, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, db, "SELECT " CASE_COLUMNS " FROM cases WHERE id = $1", err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    rc = zf_stmt_step(st, err);
    if (rc == 1) {
        case_from_row(out, st);
        rc = 0;
    } else if (rc == 0) {
        rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "找不到该案件");
    }
    zf_stmt_free(st);
    return rc;
}

int zf_case_writable(zf_case *out, zf_db *db, int64_t id, zf_err *err)
{
    zf_case *c = zf_malloc(sizeof *c);
    int rc = zf_case_get(c, db, id, err);

    if (rc == 0 && c->archived_at)
        rc = zf_err_set(err, ZF_ECONFLICT, "case_archived", NULL, "案件已归档，不可修改");
    if (rc == 0 && out)
        *out = *c;
    free(c);
    return rc;
}

static int touch(zf_db *db, int64_t case_id, int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, db, "UPDATE cases SET updated_at = $2 WHERE id = $1", err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, case_id);
    zf_stmt_bind_int64(st, 2, now);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

/* ---- list support (migration 0023) ---------------------------------------------- */

/* Moves one case in case_counts: out of (dept, procedure, power, from) when
 * from is not NULL, into (dept, procedure, power, to). Called in the
 * transaction that inserts the case or changes its stage, so the list's
 * totals from case_counts are always exact. */
static int count_move(zf_db *db, int64_t dept, const char *proc, const char *power,
                      const char *from, const char *to, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc = 0, i;

    for (i = 0; i < 2 && rc >= 0; i++) {
        const char *stage = i == 0 ? from : to;

        if (!stage)
            continue;
        if ((rc = zf_db_prepare(&st, db,
                                "INSERT INTO case_counts (department_id, procedure, power_type, stage, n) "
                                "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (department_id, procedure, "
                                "power_type, stage) DO UPDATE SET n = case_counts.n + excluded.n",
                                err)) < 0)
            break;
        zf_stmt_bind_int64(st, 1, dept);
        zf_stmt_bind_text(st, 2, proc, -1);
        zf_stmt_bind_text(st, 3, power, -1);
        zf_stmt_bind_text(st, 4, stage, -1);
        zf_stmt_bind_int64(st, 5, i == 0 ? -1 : 1);
        rc = zf_stmt_step(st, err);
        zf_stmt_free(st);
        st = NULL;
    }
    return rc < 0 ? rc : 0;
}

/* Adds the stay in stage `from` that ends now to case_stage_times
 * (migration 0027), in the caller's transaction: from the event that entered
 * the stage (the newest 'create' or stage-changing event of the case) to
 * now. The statistics' stage durations are these sums. */
static int stage_time_add(zf_db *db, int64_t case_id, int64_t dept, const char *proc, const char *from,
                          int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    int64_t entered = 0;
    int rc;

    if ((rc = zf_db_prepare(&st, db,
                            "SELECT at FROM case_events WHERE case_id = $1 AND (from_stage IS NULL OR "
                            "from_stage <> to_stage) ORDER BY id DESC LIMIT 1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, case_id);
    if ((rc = zf_stmt_step(st, err)) == 1)
        entered = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    if (rc <= 0) /* no event entered the stage: nothing to measure */
        return rc;
    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO case_stage_times (department_id, procedure, stage, n, seconds, "
                            "max_seconds) VALUES ($1, $2, $3, 1, $4, $4) ON CONFLICT (department_id, "
                            "procedure, stage) DO UPDATE SET n = case_stage_times.n + 1, seconds = "
                            "case_stage_times.seconds + excluded.seconds, max_seconds = CASE WHEN "
                            "excluded.max_seconds > case_stage_times.max_seconds THEN excluded.max_seconds "
                            "ELSE case_stage_times.max_seconds END",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, dept);
    zf_stmt_bind_text(st, 2, proc, -1);
    zf_stmt_bind_text(st, 3, from, -1);
    zf_stmt_bind_int64(st, 4, now - entered);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

/* Re-indexes the case's title, 立案号 and summary in case_fts (the list's
 * keyword filter) from the row as it now is, in the caller's transaction,
 * scoped by its department (migration 0028). PostgreSQL has case_tsv instead
 * (migration 0027, store/case_tsv.h): the same tokens as a tsvector,
 * computed here in C. */
static int fts_sync(zf_db *db, int64_t case_id, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc = 0, i;
    static const char *const SQL[2] = {
        "DELETE FROM case_fts WHERE rowid = $1",
        ZF_CASE_FTS_INSERT " WHERE id = $1",
    };

    if (strcmp(zf_db_dialect(db), "postgres") == 0)
        return zf_case_tsv_sync(db, case_id, err);
    for (i = 0; i < 2 && rc >= 0; i++) {
        if ((rc = zf_db_prepare(&st, db, SQL[i], err)) < 0)
            break;
        zf_stmt_bind_int64(st, 1, case_id);
        rc = zf_stmt_step(st, err);
        zf_stmt_free(st);
        st = NULL;
    }
    return rc < 0 ? rc : 0;
}

/* ---- hashing ------------------------------------------------------------------- */

int zf_case_hash(char out[65], zf_db *db, int64_t case_id, zf_err *err)
{
    zf_buf b = ZF_BUF_INIT;
    int rc;

    if ((rc = zf_case_canonical(&b, db, case_id, err)) == 0)
        sha256_hex(out, zf_buf_str(&b), b.len);
    zf_buf_free(&b);
    return rc;
}

/* The bytes zf_case_hash hashes (archive bundles carry them as case.json). */
/* Adds "recording_interruptions" to the canonical object o when the case
 * has any: absent otherwise, so hashes taken before interruptions existed
 * stay what they were. */
static int canonical_interruptions(json_t *o, zf_db *db, int64_t case_id, zf_err *err)
{
    zf_case_interruption *v = NULL;
    json_t *arr;
    size_t n = 0, i;
    int rc;

    if ((rc = zf_case_interruptions(&v, &n, db, case_id, err)) < 0 || n == 0) {
        free(v);
        return rc < 0 ? rc : 0;
    }
    arr = json_array();
    for (i = 0; i < n; i++) {
        json_t *x = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I}", "id", (json_int_t)v[i].id, "action",
                              v[i].action, "cause", v[i].cause, "reason", v[i].reason, "device_id",
                              (json_int_t)v[i].device_id, "interrupted_at",
                              (json_int_t)v[i].interrupted_at);

        json_object_set_new(x, "resumed_at", v[i].resumed_at ? json_integer(v[i].resumed_at) : json_null());
        json_object_set_new(x, "evidence_id", v[i].evidence_id ? json_integer(v[i].evidence_id) : json_null());
        json_object_set_new(x, "event_id", v[i].event_id ? json_integer(v[i].event_id) : json_null());
        json_array_append_new(arr, x);
    }
    json_object_set_new(o, "recording_interruptions", arr);
    free(v);
    return 0;
}

int zf_case_canonical(zf_buf *out, zf_db *db, int64_t case_id, zf_err *err)
{
    zf_case *c = zf_malloc(sizeof *c);
    json_t *o = NULL, *arr;
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_case_get(c, db, case_id, err)) < 0)
        goto done;
    o = json_pack("{s:I, s:I, s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "id",
                  (json_int_t)c->id, "department_id", (json_int_t)c->department_id, "matter_id",
                  (json_int_t)c->matter_id, "procedure", c->procedure, "stage", c->stage, "flags",
                  (json_int_t)c->flags, "case_no", c->case_no, "title", c->title, "summary",
                  c->summary, "secrecy", c->secrecy, "outcome", c->outcome, "wait_until",
                  c->wait_until, "archived_at", (json_int_t)c->archived_at);
    json_object_set_new(o, "fine_fen", c->has_fine ? json_integer(c->fine_fen) : json_null());
    /* parties by kind and identifier only: the hash must not let anyone
     * confirm a guessed name, and identifiers are checked digits anyway */
    arr = json_array();
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT kind, identifier FROM case_parties WHERE case_id = $1 ORDER BY id",
                            err)) < 0)
        goto done_arr;
    zf_stmt_bind_int64(st, 1, case_id);
    while ((rc = zf_stmt_step(st, err)) == 1)
        json_array_append_new(arr, json_pack("[s, s]", zf_stmt_text(st, 0), zf_stmt_text(st, 1)));
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done_arr;
    json_object_set_new(o, "parties", arr);
    arr = json_array();
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT officer_id FROM case_officers WHERE case_id = $1 ORDER BY position",
                            err)) < 0)
        goto done_arr;
    zf_stmt_bind_int64(st, 1, case_id);
    while ((rc = zf_stmt_step(st, err)) == 1)
        json_array_append_new(arr, json_integer(zf_stmt_int64(st, 0)));
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done_arr;
    json_object_set_new(o, "officers", arr);
    arr = json_array();
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT content_sha256 FROM case_documents WHERE case_id = $1 AND "
                            "status = 'final' ORDER BY id",
                            err)) < 0)
        goto done_arr;
    zf_stmt_bind_int64(st, 1, case_id);
    while ((rc = zf_stmt_step(st, err)) == 1)
        json_array_append_new(arr, json_string(zf_stmt_text(st, 0)));
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done_arr;
    json_object_set_new(o, "documents", arr);
    arr = NULL;
    if ((rc = canonical_interruptions(o, db, case_id, err)) < 0)
        goto done;
    if ((rc = zf_jcs_encode(out, o, err)) < 0)
        goto done;
    rc = 0;
    goto done;
done_arr:
    json_decref(arr);
done:
    zf_stmt_free(st);
    json_decref(o);
    free(c);
    return rc;
}

/* ---- parties ------------------------------------------------------------------- */

static const struct {
    const char *code, *name;
} PARTY_KINDS[] = {
    {"person", "自然人"},
    {"legal_person", "法人"},
    {"unincorporated", "非法人组织"},
    {"individual_business", "个体工商户"},
};

const char *zf_case_party_kind_code(const char *text)
{
    size_t i;

    for (i = 0; text && i < sizeof PARTY_KINDS / sizeof PARTY_KINDS[0]; i++)
        if (strcmp(text, PARTY_KINDS[i].code) == 0 || strcmp(text, PARTY_KINDS[i].name) == 0)
            return PARTY_KINDS[i].code;
    return NULL;
}

const char *zf_case_party_kind_name(const char *code)
{
    size_t i;

    for (i = 0; code && i < sizeof PARTY_KINDS / sizeof PARTY_KINDS[0]; i++)
        if (strcmp(code, PARTY_KINDS[i].code) == 0)
            return PARTY_KINDS[i].name;
    return "";
}

int zf_case_party_check(zf_case_party *p, zf_err *err)
{
    const char *kind = zf_case_party_kind_code(p->kind);
    size_t i, n;
    int rc, person, org, id_ok, uscc_ok;

    if (!kind)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "kind",
                          "当事人类型只能是自然人、法人、非法人组织或个体工商户");
    copy(p->kind, sizeof p->kind, kind);
    if ((rc = check_text(p->name, 100, 1, 0, "name", "当事人名称", err)) < 0 ||
        (rc = check_text(p->legal_rep, 50, 0, 0, "legal_rep", "法定代表人（负责人）", err)) < 0 ||
        (rc = check_text(p->address, 200, 0, 0, "address", "地址", err)) < 0 ||
        (rc = check_text(p->phone, 30, 0, 0, "phone", "联系电话", err)) < 0 ||
        (rc = check_text(p->id_type, 20, 0, 0, "id_type", "证件类型", err)) < 0)
        return rc;
    n = strlen(p->identifier);
    for (i = 0; i < n; i++)
        if (p->identifier[i] >= 'a' && p->identifier[i] <= 'z')
            p->identifier[i] = (char)(p->identifier[i] - 'a' + 'A');
    if (n == 0) {
        p->id_type[0] = '\0';
        return 0;
    }
    person = strcmp(kind, "person") == 0;
    org = strcmp(kind, "legal_person") == 0 || strcmp(kind, "unincorporated") == 0;
    id_ok = zf_redact_id_valid(p->identifier, n);
    uscc_ok = zf_redact_credit_code_valid(p->identifier, n);
    /* a foreigner or a passport holder: other documents are kept as given,
     * but an 18-character value claimed as either Chinese kind must check */
    if (p->id_type[0] && strcmp(p->id_type, "统一社会信用代码") != 0 &&
        strcmp(p->id_type, "居民身份证号码") != 0) {
        if (person || strcmp(kind, "individual_business") == 0)
            return check_text(p->identifier, 40, 0, 0, "identifier", "证件号码", err);
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "identifier",
                          "法人和非法人组织应填写统一社会信用代码");
    }
    if (org && !uscc_ok)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "identifier",
                          "统一社会信用代码无效（应为 18 位，校验码须正确）");
    if (person && !id_ok)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "identifier",
                          "居民身份证号码无效（应为 18 位，校验码须正确）");
    if (!person && !org && !id_ok && !uscc_ok)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "identifier",
                          "个体工商户应填写有效的统一社会信用代码或经营者身份证号码");
    copy(p->id_type, sizeof p->id_type, uscc_ok && !person ? "统一社会信用代码" : "居民身份证号码");
    return 0;
}

static int insert_party(int64_t *out_id, zf_db *db, int64_t case_id, const zf_case_party *p,
                        int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO case_parties (case_id, kind, name, id_type, identifier, "
                            "legal_rep, address, phone, created_at) VALUES ($1, $2, $3, $4, $5, $6, "
                            "$7, $8, $9) RETURNING id",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, case_id);
    zf_stmt_bind_text(st, 2, p->kind, -1);
    zf_stmt_bind_text(st, 3, p->name, -1);
    zf_stmt_bind_text(st, 4, p->id_type, -1);
    zf_stmt_bind_text(st, 5, p->identifier, -1);
    zf_stmt_bind_text(st, 6, p->legal_rep, -1);
    zf_stmt_bind_text(st, 7, p->address, -1);
    zf_stmt_bind_text(st, 8, p->phone, -1);
    zf_stmt_bind_int64(st, 9, now);
    rc = zf_stmt_step(st, err);
    if (rc == 1 && out_id)
        *out_id = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

int zf_case_add_party(int64_t *out_id, zf_db *db, int64_t case_id, const zf_case_party *in,
                      const zf_case_actor *who, int64_t now, zf_err *err)
{
    zf_case_party p = *in;
    int64_t id = 0, count = 0;
    char detail[96], idtxt[24];
    const char *params[1] = {idtxt};
    int own, rc;

    if ((rc = zf_case_party_check(&p, err)) < 0)
        return rc;
    snprintf(idtxt, sizeof idtxt, "%lld", (long long)case_id);
    if ((rc = tx_begin(db, &own, err)) < 0)
        return rc;
    if ((rc = zf_case_writable(NULL, db, case_id, err)) < 0 ||
        (rc = zf_db_query_int64(db, &count,
                                "SELECT COUNT(*) FROM case_parties WHERE case_id = CAST($1 AS BIGINT)",
                                err, 1, params)) < 0)
        goto done;
    if (count >= ZF_CASE_MAX_PARTIES) {
        rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "parties", "当事人最多 %d 个",
                        ZF_CASE_MAX_PARTIES);
        goto done;
    }
    if ((rc = insert_party(&id, db, case_id, &p, now, err)) < 0 ||
        (rc = touch(db, case_id, now, err)) < 0)
        goto done;
    snprintf(detail, sizeof detail, "party=%lld; kind=%s", (long long)id, p.kind);
    rc = audit_case(db, who, now, "case_party_add", case_id, detail, err);
    if (rc == 0 && out_id)
        *out_id = id;
done:
    return tx_end(db, own, rc, err);
}

int zf_case_parties(zf_case_party **out, size_t *out_n, zf_db *db, int64_t case_id, zf_err *err)
{
    zf_stmt *st = NULL;
    zf_case_party *v = NULL;
    size_t n = 0, cap = 0;
    int rc;

    *out = NULL;
    *out_n = 0;
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT id, kind, name, id_type, identifier, legal_rep, address, phone "
                            "FROM case_parties WHERE case_id = $1 ORDER BY id",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, case_id);
    while ((rc = zf_stmt_step(st, err)) == 1) {
        zf_case_party *p;

        if (n == cap) {
            cap = cap ? cap * 2 : 4;
            v = zf_realloc(v, cap * sizeof *v);
        }
        p = &v[n++];
        memset(p, 0, sizeof *p);
        p->id = zf_stmt_int64(st, 0);
        copy(p->kind, sizeof p->kind, zf_stmt_text(st, 1));
        copy(p->name, sizeof p->name, zf_stmt_text(st, 2));
        copy(p->id_type, sizeof p->id_type, zf_stmt_text(st, 3));
        copy(p->identifier, sizeof p->identifier, zf_stmt_text(st, 4));
        copy(p->legal_rep, sizeof p->legal_rep, zf_stmt_text(st, 5));
        copy(p->address, sizeof p->address, zf_stmt_text(st, 6));
        copy(p->phone, sizeof p->phone, zf_stmt_text(st, 7));
    }
    zf_stmt_free(st);
    if (rc < 0) {
        free(v);
        return rc;
    }
    *out = v;
    *out_n = n;
    return 0;
}

/* ---- officers ------------------------------------------------------------------ */

static int write_officers(zf_db *db, const zf_case *c, const int64_t *ids, size_t n, zf_err *err)
{
    zf_stmt *st = NULL;
    size_t i, j;
    int rc;

    if (n > ZF_CASE_MAX_OFFICERS)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "officers", "执法人员最多 %d 名",
                          ZF_CASE_MAX_OFFICERS);
    for (i = 0; i < n; i++) {
        int64_t dept = 0;
        char idtxt[24];
        const char *params[1] = {idtxt};

        for (j = 0; j < i; j++)
            if (ids[j] == ids[i])
                return zf_err_set(err, ZF_EINVAL, "validation_failed", "officers",
                                  "执法人员 %lld 重复", (long long)ids[i]);
        snprintf(idtxt, sizeof idtxt, "%lld", (long long)ids[i]);
        rc = zf_db_query_int64(db, &dept,
                               "SELECT department_id FROM officers WHERE id = CAST($1 AS BIGINT)", err,
                               1, params);
        if (rc < 0)
            return rc;
        if (rc == 0 || dept != c->department_id)
            return zf_err_set(err, ZF_EINVAL, "validation_failed", "officers",
                              "执法人员 %lld 不是本案所属部门的执法人员", (long long)ids[i]);
    }
    if ((rc = zf_db_prepare(&st, db, "DELETE FROM case_officers WHERE case_id = $1", err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, c->id);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    st = NULL;
    for (i = 0; rc >= 0 && i < n; i++) {
        if ((rc = zf_db_prepare(&st, db,
                                "INSERT INTO case_officers (case_id, officer_id, position) "
                                "VALUES ($1, $2, $3)",
                                err)) < 0)
            return rc;
        zf_stmt_bind_int64(st, 1, c->id);
        zf_stmt_bind_int64(st, 2, ids[i]);
        zf_stmt_bind_int64(st, 3, (int64_t)i);
        rc = zf_stmt_step(st, err);
        zf_stmt_free(st);
        st = NULL;
    }
    return rc < 0 ? rc : 0;
}

int zf_case_set_officers(zf_db *db, int64_t case_id, const int64_t *ids, size_t n,
                         const zf_case_actor *who, int64_t now, zf_err *err)
{
    zf_case *c = zf_malloc(sizeof *c);
    zf_buf d = ZF_BUF_INIT;
    size_t i;
    int own, rc;

    if ((rc = tx_begin(db, &own, err)) < 0)
        goto out;
    if ((rc = zf_case_writable(c, db, case_id, err)) < 0 ||
        (rc = write_officers(db, c, ids, n, err)) < 0 || (rc = touch(db, case_id, now, err)) < 0)
        goto done;
    zf_buf_puts(&d, "officers=");
    for (i = 0; i < n; i++)
        zf_buf_printf(&d, "%s%lld", i ? "," : "", (long long)ids[i]);
    rc = audit_case(db, who, now, "case_officers", case_id, zf_buf_str(&d), err);
done:
    rc = tx_end(db, own, rc, err);
out:
    zf_buf_free(&d);
    free(c);
    return rc;
}

int zf_case_officers(int64_t **out, size_t *out_n, zf_db *db, int64_t case_id, zf_err *err)
{
    zf_stmt *st = NULL;
    int64_t *v = NULL;
    size_t n = 0, cap = 0;
    int rc;

    *out = NULL;
    *out_n = 0;
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT officer_id FROM case_officers WHERE case_id = $1 ORDER BY position",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, case_id);
    while ((rc = zf_stmt_step(st, err)) == 1) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4;
            v = zf_realloc(v, cap * sizeof *v);
        }
        v[n++] = zf_stmt_int64(st, 0);
    }
    zf_stmt_free(st);
    if (rc < 0) {
        free(v);
        return rc;
    }
    *out = v;
    *out_n = n;
    return 0;
}

/* ---- 文号 ------------------------------------------------------------------------ */

int zf_case_docno_prefix(char *out, size_t cap, zf_db *db, int64_t department_id, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, db,
                            "SELECT COALESCE(p.prefix, ''), d.short_name, d.name FROM departments d "
                            "LEFT JOIN docno_prefixes p ON p.department_id = d.id WHERE d.id = $1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, department_id);
    rc = zf_stmt_step(st, err);
    if (rc == 1) {
        const char *p = zf_stmt_text(st, 0);
        size_t n;

        if (!*p)
            p = *zf_stmt_text(st, 1) ? zf_stmt_text(st, 1) : zf_stmt_text(st, 2);
        copy(out, cap, p);
        n = strlen(out);
        /* "市场监管局" -> "市场监管": the 局 is implied in a 文号; an
         * explicit prefix is taken as it is */
        if (!*zf_stmt_text(st, 0) && n > 3 && strcmp(out + n - 3, "局") == 0)
            out[n - 3] = '\0';
        rc = 0;
    } else if (rc == 0) {
        rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "department_id", "所属部门不存在");
    }
    zf_stmt_free(st);
    return rc;
}

int zf_case_docno_issue(char *out, size_t cap, zf_db *db, int64_t department_id, const char *kind,
                        int year, zf_err *err)
{
    char prefix[96], full[192];
    zf_docno next, last;
    zf_stmt *st = NULL;
    int64_t seq = 0;
    int rc, have;

    if (!zf_db_in_transaction(db))
        return zf_err_set(err, ZF_EINTERNAL, "docno_needs_transaction", NULL,
                          "文号只能在事务中编号");
    if ((rc = zf_case_docno_prefix(prefix, sizeof prefix, db, department_id, err)) < 0)
        return rc;
    snprintf(full, sizeof full, "%s%s", prefix, kind);
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT last_seq FROM docno_counters WHERE department_id = $1 AND "
                            "kind = $2 AND year = $3",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, department_id);
    zf_stmt_bind_text(st, 2, kind, -1);
    zf_stmt_bind_int64(st, 3, year);
    rc = zf_stmt_step(st, err);
    if (rc == 1)
        seq = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        return rc;
    have = rc == 1;
    memset(&last, 0, sizeof last);
    copy(last.prefix, sizeof last.prefix, full);
    last.year = year;
    last.seq = seq;
    if ((rc = zf_docno_next(&next, have ? &last : NULL, full, year, err)) < 0)
        return rc;
    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO docno_counters (department_id, kind, year, last_seq) "
                            "VALUES ($1, $2, $3, $4) ON CONFLICT (department_id, kind, year) "
                            "DO UPDATE SET last_seq = excluded.last_seq",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, department_id);
    zf_stmt_bind_text(st, 2, kind, -1);
    zf_stmt_bind_int64(st, 3, year);
    zf_stmt_bind_int64(st, 4, next.seq);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    rc = zf_docno_format(out, cap, full, year, next.seq, err);
    return rc < 0 ? rc : 0;
}

/* ---- clocks ------------------------------------------------------------------------ */

/* Working-day rules of the workflow are stored rules of the calendar (so the
 * clocks table can run them); inserted on first use, edits kept. */
static int ensure_rule(zf_db *db, const zf_deadline_rule *r, int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO deadline_rules (code, name, kind, workdays, "
                            "extension_workdays, pausable, basis, updated_at, updated_by) VALUES "
                            "($1, $2, 'workdays', $3, $4, $5, $6, $7, 'system') "
                            "ON CONFLICT (code) DO NOTHING",
                            err)) < 0)
        return rc;
    zf_stmt_bind_text(st, 1, r->code, -1);
    zf_stmt_bind_text(st, 2, r->name, -1);
    zf_stmt_bind_int64(st, 3, r->workdays);
    zf_stmt_bind_int64(st, 4, r->extension_workdays);
    zf_stmt_bind_int64(st, 5, r->pausable ? 1 : 0);
    zf_stmt_bind_text(st, 6, r->basis, -1);
    zf_stmt_bind_int64(st, 7, now);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

static int start_clock(zf_db *db, const zf_calendar *cal, const zf_case *c, const char *code,
                       int64_t now, zf_err *err)
{
    const zf_wf_clock_rule *wr = zf_workflow_clock_rule(code);
    zf_date today = zf_calendar_store_today(now);
    zf_deadline_rule r;
    int rc;

    if (wr && wr->unit == ZF_WF_CALENDAR_DAYS) {
        /* 日 (行政处罚法 第六十条, 行政强制法 第二十五条): the rule table holds
         * working-day rules for administrators to edit; a statutory
         * calendar-day period is run from the workflow's own rule */
        if ((rc = zf_workflow_deadline_rule(&r, wr, err)) < 0)
            return rc;
        return zf_clock_store_start_rule(NULL, db, cal, &r, ZF_CASE_OBJECT, c->id, c->department_id,
                                         today, now, err);
    }
    if (wr && ((rc = zf_workflow_deadline_rule(&r, wr, err)) < 0 || (rc = ensure_rule(db, &r, now, err)) < 0))
        return rc;
    return zf_clock_store_start(NULL, db, cal, code, ZF_CASE_OBJECT, c->id, c->department_id, today,
                                now, err);
}

typedef enum { CLK_FINISH, CLK_PAUSE, CLK_RESUME, CLK_EXTEND } clock_op;

/* Applies op to every open clock of the case with rule code. */
static int clock_apply(zf_db *db, const zf_calendar *cal, const zf_case *c, const char *code,
                       clock_op op, const char *reason, const char *approver, int64_t now,
                       zf_err *err)
{
    zf_clock_row *rows = NULL;
    size_t n = 0, i;
    zf_date today = zf_calendar_store_today(now);
    int rc;

    if ((rc = zf_clock_store_for_object(&rows, &n, db, ZF_CASE_OBJECT, c->id, err)) < 0)
        return rc;
    for (i = 0; rc >= 0 && i < n; i++) {
        if (strcmp(rows[i].clock.rule.code, code) != 0)
            continue;
        switch (op) {
        case CLK_FINISH: rc = zf_clock_store_finish(db, cal, rows[i].id, today, now, err); break;
        case CLK_PAUSE: rc = zf_clock_store_pause(db, cal, rows[i].id, today, reason, now, err); break;
        case CLK_RESUME: rc = zf_clock_store_resume(db, cal, rows[i].id, today, now, err); break;
        case CLK_EXTEND: rc = zf_clock_store_extend(db, cal, rows[i].id, approver, now, err); break;
        }
    }
    free(rows);
    return rc < 0 ? rc : 0;
}

int zf_case_clocks(zf_case_clock **out, size_t *out_n, zf_db *db, const zf_calendar *cal,
                   int64_t case_id, int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    zf_case_clock *v = NULL;
    size_t n = 0, cap = 0;
    zf_date today = zf_calendar_store_today(now);
    int rc;

    *out = NULL;
    *out_n = 0;
    /* open ones first, then by start */
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT id, rule_code, start_date, COALESCE(due_date, ''), "
                            "COALESCE(done_date, '') FROM clocks WHERE object_type = 'case' AND "
                            "object_id = $1 ORDER BY CASE WHEN done_date IS NULL THEN 0 ELSE 1 END, "
                            "start_date, id",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, case_id);
    while ((rc = zf_stmt_step(st, err)) == 1) {
        zf_case_clock *k;
        const zf_wf_clock_rule *wr;

        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            v = zf_realloc(v, cap * sizeof *v);
        }
        k = &v[n++];
        memset(k, 0, sizeof *k);
        k->id = zf_stmt_int64(st, 0);
        copy(k->rule_code, sizeof k->rule_code, zf_stmt_text(st, 1));
        copy(k->start, sizeof k->start, zf_stmt_text(st, 2));
        copy(k->due, sizeof k->due, zf_stmt_text(st, 3));
        copy(k->done, sizeof k->done, zf_stmt_text(st, 4));
        k->open = k->done[0] == '\0';
        if ((wr = zf_workflow_clock_rule(k->rule_code))) {
            copy(k->name, sizeof k->name, wr->name);
        } else {
            size_t nd;
            const zf_deadline_rule *dr = zf_deadline_default_rules(&nd);

            dr = zf_deadline_rule_find(dr, nd, k->rule_code);
            copy(k->name, sizeof k->name, dr ? dr->name : k->rule_code);
        }
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0) {
        free(v);
        return rc;
    }
    /* the state comes from the deadline engine */
    {
        size_t i;

        for (i = 0; i < n; i++) {
            zf_clock_row row;

            if ((rc = zf_clock_store_get(&row, db, v[i].id, err)) < 0) {
                free(v);
                return rc;
            }
            v[i].day = row.clock.rule.kind == ZF_RULE_CALENDAR_DAYS;
            v[i].state = zf_clock_state_at(&row.clock, cal, today, -1);
        }
    }
    *out = v;
    *out_n = n;
    return 0;
}

/* ---- creating and editing ------------------------------------------------------ */

static int valid_secrecy(const char *s)
{
    return s && (strcmp(s, "none") == 0 || strcmp(s, "state_secret") == 0 ||
                 strcmp(s, "commercial_secret") == 0 || strcmp(s, "personal_privacy") == 0);
}

static int secrecy_rank(const char *s)
{
    return strcmp(s, "none") == 0 ? 0 : strcmp(s, "state_secret") == 0 ? 2 : 1;
}

/* The matter's power type must fit the procedure's ("license" in the
 * workflow, "licensing" in the matter library). */
static int matter_fits(const char *matter_power, const char *proc_power)
{
    if (strcmp(proc_power, "license") == 0)
        return strcmp(matter_power, "licensing") == 0;
    return strcmp(matter_power, proc_power) == 0 || strcmp(matter_power, "other") == 0;
}

static int insert_event(int64_t *out_id, zf_db *db, int64_t case_id, const char *action,
                        const char *from, const char *to, const zf_case_actor *who,
                        const char *reason, const char *detail, int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO case_events (case_id, action, from_stage, to_stage, actor_id, "
                            "actor_name, reason, detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                            "RETURNING id",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, case_id);
    zf_stmt_bind_text(st, 2, action, -1);
    zf_stmt_bind_text_or_null(st, 3, from);
    zf_stmt_bind_text(st, 4, to, -1);
    if (who && who->user_id)
        zf_stmt_bind_int64(st, 5, who->user_id);
    else
        zf_stmt_bind_null(st, 5);
    zf_stmt_bind_text(st, 6, who && who->name ? who->name : "system", -1);
    zf_stmt_bind_text(st, 7, reason ? reason : "", -1);
    zf_stmt_bind_text(st, 8, detail ? detail : "{}", -1);
    zf_stmt_bind_int64(st, 9, now);
    rc = zf_stmt_step(st, err);
    if (rc == 1 && out_id)
        *out_id = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

int zf_case_create(int64_t *out_id, zf_db *db, const zf_calendar *cal, const zf_case_new *in,
                   const zf_case_actor *who, int64_t now, zf_err *err)
{
    const zf_wf_procedure *proc = zf_workflow_procedure(in->procedure ? in->procedure : "");
    zf_case_party *parties = NULL;
    zf_case *c = zf_malloc(sizeof *c);
    zf_stmt *st = NULL;
    size_t i;
    int own = 0, rc;

    if (out_id)
        *out_id = 0;
    if (!proc) {
        rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "procedure",
                        "未知的执法程序：%s", in->procedure ? in->procedure : "");
        goto out;
    }
    if ((rc = check_text(in->title, ZF_CASE_TITLE_MAX, 1, 0, "title", "案件名称", err)) < 0 ||
        (rc = check_text(in->summary, ZF_CASE_SUMMARY_MAX, 0, 1, "summary", "案情摘要", err)) < 0 ||
        (rc = check_text(in->source, 20, 0, 0, "source", "案件来源", err)) < 0)
        goto out;
    if (in->secrecy && !valid_secrecy(in->secrecy)) {
        rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "secrecy",
                        "密级标识只能是 none、state_secret、commercial_secret 或 personal_privacy");
        goto out;
    }
    if (in->n_parties > ZF_CASE_MAX_PARTIES) {
        rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "parties", "当事人最多 %d 个",
                        ZF_CASE_MAX_PARTIES);
        goto out;
    }
    parties = zf_calloc(in->n_parties + 1, sizeof *parties);
    for (i = 0; i < in->n_parties; i++) {
        parties[i] = in->parties[i];
        if ((rc = zf_case_party_check(&parties[i], err)) < 0) {
            char f[128];

            snprintf(f, sizeof f, "parties[%zu].%s", i, err ? err->field : "");
            if (err)
                copy(err->field, sizeof err->field, f);
            goto out;
        }
    }
    if ((rc = tx_begin(db, &own, err)) < 0)
        goto out;
    if (in->matter_id) {
        char mt[24], power[32] = "";
        const char *params[1] = {mt};
        int64_t dept = 0;

        snprintf(mt, sizeof mt, "%lld", (long long)in->matter_id);
        if ((rc = zf_db_prepare(&st, db, "SELECT department_id, power_type FROM matters WHERE id = $1",
                                err)) < 0)
            goto done;
        zf_stmt_bind_int64(st, 1, in->matter_id);
        if ((rc = zf_stmt_step(st, err)) == 1) {
            dept = zf_stmt_int64(st, 0);
            copy(power, sizeof power, zf_stmt_text(st, 1));
        }
        zf_stmt_free(st);
        st = NULL;
        (void)params;
        if (rc < 0)
            goto done;
        if (rc == 0 || dept != in->department_id) {
            rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "matter_id",
                            "执法事项不存在或不属于本部门");
            goto done;
        }
        if (!matter_fits(power, proc->power)) {
            rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "matter_id",
                            "执法事项的职权类型与所选程序“%s”不符", proc->name);
            goto done;
        }
    }
    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO cases (department_id, matter_id, procedure, power_type, stage, "
                            "title, summary, source, secrecy, stage_entered_at, created_by, created_at, "
                            "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10, $10) "
                            "RETURNING " CASE_COLUMNS,
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, in->department_id);
    if (in->matter_id)
        zf_stmt_bind_int64(st, 2, in->matter_id);
    else
        zf_stmt_bind_null(st, 2);
    zf_stmt_bind_text(st, 3, proc->code, -1);
    zf_stmt_bind_text(st, 4, proc->power, -1);
    zf_stmt_bind_text(st, 5, proc->stages[0].code, -1);
    zf_stmt_bind_text(st, 6, in->title, -1);
    zf_stmt_bind_text(st, 7, in->summary ? in->summary : "", -1);
    zf_stmt_bind_text(st, 8, in->source ? in->source : "", -1);
    zf_stmt_bind_text(st, 9, in->secrecy ? in->secrecy : "none", -1);
    zf_stmt_bind_int64(st, 10, now);
    zf_stmt_bind_int64(st, 11, who->user_id);
    rc = zf_stmt_step(st, err);
    if (rc == 1)
        case_from_row(c, st);
    zf_stmt_free(st);
    st = NULL;
    if (rc == ZF_ECONFLICT)
        rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "department_id", "所属部门不存在");
    if (rc < 0)
        goto done;
    if ((rc = count_move(db, c->department_id, c->procedure, c->power_type, NULL, c->stage, err)) < 0 ||
        (rc = fts_sync(db, c->id, err)) < 0)
        goto done;
    for (i = 0; i < in->n_parties; i++)
        if ((rc = insert_party(NULL, db, c->id, &parties[i], now, err)) < 0)
            goto done;
    if ((rc = write_officers(db, c, in->officers, in->n_officers, err)) < 0)
        goto done;
    for (i = 0; i < ZF_WF_MAX_CLOCKS && proc->starts[i]; i++)
        if ((rc = start_clock(db, cal, c, proc->starts[i], now, err)) < 0)
            goto done;
    if ((rc = insert_event(NULL, db, c->id, "create", NULL, c->stage, who, NULL, "{}", now, err)) < 0)
        goto done;
    {
        char detail[128];

        snprintf(detail, sizeof detail, "procedure=%s; stage=%s", proc->code, c->stage);
        if ((rc = audit_case(db, who, now, "case_create", c->id, detail, err)) < 0)
            goto done;
    }
    if (out_id)
        *out_id = c->id;
done:
    rc = tx_end(db, own, rc, err);
out:
    zf_stmt_free(st);
    free(parties);
    free(c);
    return rc;
}

int zf_case_update(zf_db *db, int64_t case_id, const zf_case_patch *p, const zf_case_actor *who,
                   int64_t now, zf_err *err)
{
    zf_case *c = zf_malloc(sizeof *c);
    zf_stmt *st = NULL;
    zf_buf d = ZF_BUF_INIT;
    unsigned flags;
    int own = 0, rc;

    if ((rc = check_text(p->title, ZF_CASE_TITLE_MAX, p->title != NULL, 0, "title", "案件名称",
                         err)) < 0 ||
        (rc = check_text(p->summary, ZF_CASE_SUMMARY_MAX, 0, 1, "summary", "案情摘要", err)) < 0 ||
        (rc = check_text(p->source, 20, 0, 0, "source", "案件来源", err)) < 0)
        goto out;
    if (p->secrecy && !valid_secrecy(p->secrecy)) {
        rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "secrecy",
                        "密级标识只能是 none、state_secret、commercial_secret 或 personal_privacy");
        goto out;
    }
    if (p->wait_until && *p->wait_until && parse_date(p->wait_until) == ZF_DATE_NONE) {
        rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "wait_until",
                        "法定等待期届满日不是有效日期，应为 YYYY-MM-DD 格式");
        goto out;
    }
    if ((rc = tx_begin(db, &own, err)) < 0)
        goto out;
    if ((rc = zf_case_writable(c, db, case_id, err)) < 0)
        goto done;
    if (p->secrecy && secrecy_rank(p->secrecy) < secrecy_rank(c->secrecy) &&
        !(who->role & ZF_WF_ROLE_HEAD)) {
        rc = zf_err_set(err, ZF_EPERM, "forbidden", "secrecy", "只有部门负责人可以降低密级标识");
        goto done;
    }
    flags = c->flags;
    if (p->major == 1)
        flags |= ZF_WF_MAJOR;
    else if (p->major == 0)
        flags &= ~(unsigned)ZF_WF_MAJOR;
    if ((rc = zf_db_prepare(&st, db,
                            "UPDATE cases SET title = COALESCE($2, title), summary = COALESCE($3, summary), "
                            "source = COALESCE($4, source), secrecy = COALESCE($5, secrecy), "
                            "wait_until = CASE WHEN $6 IS NULL THEN wait_until WHEN $6 = '' THEN NULL "
                            "ELSE $6 END, flags = $7, updated_at = $8 WHERE id = $1",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, case_id);
    zf_stmt_bind_text_or_null(st, 2, p->title);
    zf_stmt_bind_text_or_null(st, 3, p->summary);
    zf_stmt_bind_text_or_null(st, 4, p->source);
    zf_stmt_bind_text_or_null(st, 5, p->secrecy);
    zf_stmt_bind_text_or_null(st, 6, p->wait_until);
    zf_stmt_bind_int64(st, 7, flags);
    zf_stmt_bind_int64(st, 8, now);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    if ((p->title || p->summary) && (rc = fts_sync(db, case_id, err)) < 0)
        goto done;
    zf_buf_printf(&d, "fields=%s%s%s%s%s%s", p->title ? "title," : "", p->summary ? "summary," : "",
                  p->source ? "source," : "", p->secrecy ? "secrecy," : "",
                  p->wait_until ? "wait_until," : "", p->major >= 0 ? "major," : "");
    if (p->secrecy)
        zf_buf_printf(&d, "; secrecy=%s", p->secrecy);
    rc = audit_case(db, who, now, "case_update", case_id, zf_buf_str(&d), err);
done:
    rc = tx_end(db, own, rc, err);
out:
    zf_buf_free(&d);
    free(c);
    return rc;
}

int zf_case_set_flags(zf_db *db, int64_t case_id, unsigned set, unsigned clear, const char *reason,
                      const zf_case_actor *who, int64_t now, zf_err *err)
{
    zf_case *c = zf_malloc(sizeof *c);
    zf_stmt *st = NULL;
    char detail[700];
    int own = 0, rc;

    if ((rc = check_text(reason, ZF_CASE_REASON_MAX, 0, 1, "reason", "理由", err)) < 0)
        goto out;
    if ((rc = tx_begin(db, &own, err)) < 0)
        goto out;
    if ((rc = zf_case_writable(c, db, case_id, err)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, db, "UPDATE cases SET flags = $2, updated_at = $3 WHERE id = $1",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, case_id);
    zf_stmt_bind_int64(st, 2, (int64_t)(((c->flags | set) & ~clear) & ~(unsigned)ZF_WF_WAIT_OVER));
    zf_stmt_bind_int64(st, 3, now);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    if (rc < 0)
        goto done;
    snprintf(detail, sizeof detail, "set=%u; clear=%u; reason=%.600s", set, clear, reason ? reason : "");
    rc = audit_case(db, who, now, "case_flags", case_id, detail, err);
done:
    rc = tx_end(db, own, rc, err);
out:
    free(c);
    return rc;
}

/* ---- the workflow state ------------------------------------------------------------ */

/* Runs sql ($1 = case id, $2 = the text parameter or unused) and appends
 * the first column of each row to a list of codes. */
static int collect_codes(char (**codes)[48], const char ***ptrs, size_t *n, zf_db *db,
                         const char *sql, int64_t id, const char *p2, zf_err *err)
{
    zf_stmt *st = NULL;
    size_t cap = 0, i;
    int rc;

    *codes = NULL;
    *ptrs = NULL;
    *n = 0;
    if ((rc = zf_db_prepare(&st, db, sql, err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    if (p2)
        zf_stmt_bind_text(st, 2, p2, -1);
    while ((rc = zf_stmt_step(st, err)) == 1) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            *codes = zf_realloc(*codes, cap * sizeof **codes);
        }
        copy((*codes)[*n], 48, zf_stmt_text(st, 0));
        (*n)++;
    }
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    *ptrs = zf_calloc(*n + 1, sizeof **ptrs);
    for (i = 0; i < *n; i++)
        (*ptrs)[i] = (*codes)[i];
    return 0;
}

void zf_case_wf_state_free(zf_case_wf *w)
{
    if (!w)
        return;
    free(w->docs);
    free(w->doc_ptrs);
    free(w->clocks);
    free(w->clock_ptrs);
    free(w->mandatory);
    free(w->mandatory_ptrs);
    free(w->interrupted);
    free(w->interrupted_ptrs);
    free(w->evidence_ids);
    memset(w, 0, sizeof *w);
}

static unsigned evidence_kind_bit(const char *kind)
{
    if (strcmp(kind, "video") == 0)
        return ZF_WF_EV_VIDEO;
    if (strcmp(kind, "audio") == 0)
        return ZF_WF_EV_AUDIO;
    if (strcmp(kind, "photo") == 0)
        return ZF_WF_EV_PHOTO;
    return 0;
}

int zf_case_wf_state(zf_case_wf *w, zf_db *db, int64_t case_id, const zf_case_action *req,
                     const zf_case_actor *who, int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    zf_date today = zf_calendar_store_today(now);
    char td[ZF_DATE_STRLEN], mid[24];
    size_t n, i, cap = 0;
    int rc;

    memset(w, 0, sizeof *w);
    date_str(td, today);
    if ((rc = zf_case_get(&w->cs, db, case_id, err)) < 0)
        goto fail;
    w->st.procedure = w->cs.procedure;
    w->st.stage = w->cs.stage;
    w->st.flags = w->cs.flags & ~(unsigned)ZF_WF_WAIT_OVER;
    if (w->cs.wait_until[0] && parse_date(w->cs.wait_until) < today)
        w->st.flags |= ZF_WF_WAIT_OVER;
    w->st.roles = who ? who->role & (ZF_WF_ROLE_OFFICER | ZF_WF_ROLE_REVIEWER | ZF_WF_ROLE_HEAD) : 0;
    /* A 法制审核意见书 counts only as the signed opinion of the latest round,
     * and only when that round agreed (or its collective discussion decided
     * to proceed): an older round's opinion, or one of 不同意, does not let
     * 法制审核同意 (legal_review_pass) through. */
    if ((rc = collect_codes(&w->docs, &w->doc_ptrs, &n, db,
                            "SELECT DISTINCT d.template FROM case_documents d WHERE d.case_id = $1 "
                            "AND d.status = 'final' AND (d.template <> 'legal_review_opinion' OR "
                            "d.id IN (SELECT r.opinion_doc_id FROM review_rounds r WHERE r.case_id = "
                            "$1 AND (r.outcome_passes = 1 OR r.collective = 'proceed') AND r.no = "
                            "(SELECT MAX(x.no) FROM review_rounds x WHERE x.case_id = $1) AND "
                            "EXISTS (SELECT 1 FROM document_signatures g WHERE g.document_id = "
                            "r.opinion_doc_id AND g.signer_kind = 'reviewer'))) ORDER BY 1",
                            case_id, NULL, err)) < 0)
        goto fail;
    w->st.documents = w->doc_ptrs;
    w->st.n_documents = n;
    if ((rc = collect_codes(&w->clocks, &w->clock_ptrs, &n, db,
                            "SELECT DISTINCT rule_code FROM clocks WHERE object_type = 'case' AND "
                            "object_id = $1 AND done_date IS NULL ORDER BY 1",
                            case_id, NULL, err)) < 0)
        goto fail;
    w->st.open_clocks = w->clock_ptrs;
    w->st.n_open_clocks = n;
    snprintf(mid, sizeof mid, "%lld", (long long)w->cs.matter_id);
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT DISTINCT action FROM av_items WHERE department_id = $1 AND "
                            "mandatory = 1 AND (matter_id IS NULL OR matter_id = $2) AND "
                            "(procedure = '' OR procedure = $3) ORDER BY 1",
                            err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, w->cs.department_id);
    zf_stmt_bind_int64(st, 2, w->cs.matter_id);
    zf_stmt_bind_text(st, 3, w->cs.procedure, -1);
    n = 0;
    while ((rc = zf_stmt_step(st, err)) == 1) {
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            w->mandatory = zf_realloc(w->mandatory, cap * sizeof *w->mandatory);
        }
        copy(w->mandatory[n++], 48, zf_stmt_text(st, 0));
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto fail;
    w->mandatory_ptrs = zf_calloc(n + 1, sizeof *w->mandatory_ptrs);
    for (i = 0; i < n; i++)
        w->mandatory_ptrs[i] = w->mandatory[i];
    w->st.mandatory_recording = w->mandatory_ptrs;
    w->st.n_mandatory_recording = n;
    /* steps whose recording broke off, recorded with a reason, not yet used */
    if ((rc = collect_codes(&w->interrupted, &w->interrupted_ptrs, &n, db,
                            "SELECT DISTINCT action FROM recording_interruptions WHERE case_id = $1 "
                            "AND event_id IS NULL ORDER BY 1",
                            case_id, NULL, err)) < 0)
        goto fail;
    w->st.interrupted = w->interrupted_ptrs;
    w->st.n_interrupted = n;

    /* officers taking part: active, certificate valid today */
    if (req && req->officers) {
        int count = 0;

        for (i = 0; i < req->n_officers; i++) {
            int64_t ok = 0;
            char oid[24], dept[24];
            const char *params[3] = {oid, dept, td};

            snprintf(oid, sizeof oid, "%lld", (long long)req->officers[i]);
            snprintf(dept, sizeof dept, "%lld", (long long)w->cs.department_id);
            if ((rc = zf_db_query_int64(db, &ok,
                                        "SELECT COUNT(*) FROM officers WHERE id = CAST($1 AS BIGINT) "
                                        "AND department_id = CAST($2 AS BIGINT) AND status = 'active' "
                                        "AND certificate_valid_from <= $3 AND certificate_valid_to >= $3",
                                        err, 3, params)) < 0)
                goto fail;
            count += ok ? 1 : 0;
        }
        w->st.officers = count;
    } else {
        int64_t count = 0;
        char cid[24];
        const char *params[2] = {cid, td};

        snprintf(cid, sizeof cid, "%lld", (long long)case_id);
        if ((rc = zf_db_query_int64(db, &count,
                                    "SELECT COUNT(*) FROM case_officers co JOIN officers o ON "
                                    "o.id = co.officer_id WHERE co.case_id = CAST($1 AS BIGINT) AND "
                                    "o.status = 'active' AND o.certificate_valid_from <= $2 AND "
                                    "o.certificate_valid_to >= $2",
                                    err, 2, params)) < 0)
            goto fail;
        w->st.officers = (int)count;
    }

    /* the files of this step */
    cap = 0;
    if (req && req->evidence) {
        for (i = 0; i < req->n_evidence; i++) {
            char kind[16] = "";
            int64_t linked = 0;

            if ((rc = zf_db_prepare(&st, db,
                                    "SELECT kind, COALESCE(case_id, 0) FROM evidence_files WHERE id = $1 "
                                    "AND state = 'stored'",
                                    err)) < 0)
                goto fail;
            zf_stmt_bind_int64(st, 1, req->evidence[i]);
            if ((rc = zf_stmt_step(st, err)) == 1) {
                copy(kind, sizeof kind, zf_stmt_text(st, 0));
                linked = zf_stmt_int64(st, 1);
            }
            zf_stmt_free(st);
            st = NULL;
            if (rc < 0)
                goto fail;
            if (rc == 0 || linked != case_id) {
                rc = zf_err_set(err, ZF_EINVAL, "evidence_not_linked", "evidence",
                                "证据文件 %lld 不存在或未关联本案，请先关联本案",
                                (long long)req->evidence[i]);
                goto fail;
            }
            w->st.evidence |= evidence_kind_bit(kind);
            w->evidence_ids = zf_realloc(w->evidence_ids, (i + 1) * sizeof *w->evidence_ids);
            w->evidence_ids[i] = req->evidence[i];
            w->n_evidence_ids = i + 1;
        }
    } else {
        if ((rc = zf_db_prepare(&st, db,
                                "SELECT f.id, f.kind FROM evidence_files f WHERE f.case_id = $1 AND "
                                "f.state = 'stored' AND NOT EXISTS (SELECT 1 FROM case_event_evidence x "
                                "JOIN case_events e ON e.id = x.event_id WHERE x.evidence_id = f.id AND "
                                "e.case_id = $1) ORDER BY f.id",
                                err)) < 0)
            goto fail;
        zf_stmt_bind_int64(st, 1, case_id);
        while ((rc = zf_stmt_step(st, err)) == 1) {
            if (w->n_evidence_ids == cap) {
                cap = cap ? cap * 2 : 4;
                w->evidence_ids = zf_realloc(w->evidence_ids, cap * sizeof *w->evidence_ids);
            }
            w->evidence_ids[w->n_evidence_ids++] = zf_stmt_int64(st, 0);
            w->st.evidence |= evidence_kind_bit(zf_stmt_text(st, 1));
        }
        zf_stmt_free(st);
        st = NULL;
        if (rc < 0)
            goto fail;
    }

    /* 简易程序: the first party's kind and the fine */
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT kind FROM case_parties WHERE case_id = $1 ORDER BY id LIMIT 1",
                            err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, case_id);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        const char *k = zf_stmt_text(st, 0);

        w->st.party = strcmp(k, "person") == 0                ? ZF_WF_PARTY_PERSON
                      : strcmp(k, "individual_business") == 0 ? ZF_WF_PARTY_INDIVIDUAL
                                                              : ZF_WF_PARTY_ORG;
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto fail;
    w->st.fine_fen = req && req->has_fine ? req->fine_fen : w->cs.fine_fen;
    return 0;
fail:
    zf_stmt_free(st);
    zf_case_wf_state_free(w);
    return rc;
}

int zf_case_options(zf_wf_option *out, size_t cap, size_t *out_n, zf_db *db, int64_t case_id,
                    const zf_case_actor *who, int64_t now, zf_err *err)
{
    zf_case_wf *w = zf_malloc(sizeof *w);
    int rc;

    *out_n = 0;
    if ((rc = zf_case_wf_state(w, db, case_id, NULL, who, now, err)) == 0) {
        rc = zf_workflow_options(out, cap, out_n, &w->st, err);
        zf_case_wf_state_free(w);
    }
    free(w);
    return rc;
}

/* The static copy of a clock rule code (workflow rules, then the deadline
 * defaults); "" for a code neither knows. */
static const char *static_code(const char *code)
{
    const zf_wf_clock_rule *r = zf_workflow_clock_rule(code);
    const zf_deadline_rule *d;
    size_t n;

    if (r)
        return r->code;
    d = zf_deadline_rule_find(zf_deadline_default_rules(&n), n, code);
    return d ? d->code : "";
}

/* The kind of the 立案号 per power type (the 文号 counter's kind). */
static const char *case_no_kind(const char *power)
{
    if (strcmp(power, "license") == 0)
        return "许受";
    if (strcmp(power, "coercion") == 0)
        return "强制立";
    if (strcmp(power, "inspection") == 0)
        return "检查";
    if (strcmp(power, "expropriation") == 0)
        return "征收";
    return "立";
}

static void json_codes(json_t *o, const char *key, const char *const *codes, size_t n)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < n; i++)
        json_array_append_new(a, json_string(codes[i]));
    json_object_set_new(o, key, a);
}

int zf_case_act(zf_case_act_result *out, zf_db *db, const zf_calendar *cal, int64_t case_id,
                const zf_case_action *req, const zf_case_actor *who, int64_t now, zf_err *err)
{
    zf_case_wf *w = zf_malloc(sizeof *w);
    zf_case_act_result *res = zf_calloc(1, sizeof *res);
    zf_wf_request wr = {req->action, req->target, req->reason};
    const zf_wf_procedure *proc;
    const zf_wf_stage *to_stage;
    zf_stmt *st = NULL;
    json_t *detail = NULL;
    char *detail_txt = NULL, audit_detail[256];
    unsigned flags;
    size_t i;
    int own = 0, rc, have_w = 0, changed;

    if (out)
        memset(out, 0, sizeof *out);
    if (!req->action || !*req->action) {
        rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "action", "请指定要办理的操作");
        goto out;
    }
    if ((rc = check_text(req->reason, ZF_CASE_REASON_MAX, 0, 1, "reason", "理由", err)) < 0)
        goto out;
    if (req->has_fine && req->fine_fen < 0) {
        rc = zf_err_set(err, ZF_EINVAL, "invalid_fine", "fine_fen", "罚款金额不能为负数");
        goto out;
    }
    if ((rc = tx_begin(db, &own, err)) < 0)
        goto out;
    if ((rc = zf_case_wf_state(w, db, case_id, req, who, now, err)) < 0)
        goto done;
    have_w = 1;
    if ((rc = zf_workflow_check(&res->outcome, &w->st, &wr, err)) < 0)
        goto done;
    /* ---- legal review gate (issue 6) ----
     * Checked again here, inside the transaction that records the decision,
     * from the review rounds in the database (store/review_store.h): no
     * caller — API, CLI or future code — can record a major decision that
     * the latest round did not agree to, whatever the case's flags say. */
    if (res->outcome.action && res->outcome.action->review_gate &&
        (rc = zf_review_store_gate(db, case_id, res->outcome.action->code, now, err)) < 0)
        goto done;
    proc = zf_workflow_procedure(w->cs.procedure);
    to_stage = zf_workflow_stage(proc, res->outcome.stage);
    changed = strcmp(res->outcome.stage, w->cs.stage) != 0;
    copy(res->stage_before, sizeof res->stage_before, w->cs.stage);
    copy(res->stage_after, sizeof res->stage_after, res->outcome.stage);
    flags = ((w->cs.flags | res->outcome.set_flags) & ~res->outcome.clear_flags) &
            ~(unsigned)ZF_WF_WAIT_OVER;

    /* 立案号: when the case leaves its first stage for one that goes on */
    if (changed && !w->cs.case_no[0] && strcmp(w->cs.stage, proc->stages[0].code) == 0 &&
        to_stage && !(to_stage->traits & (ZF_WF_ST_CLOSED | ZF_WF_ST_ARCHIVED))) {
        if ((rc = zf_case_docno_issue(res->case_no, sizeof res->case_no, db, w->cs.department_id,
                                      case_no_kind(proc->power),
                                      zf_date_year(zf_calendar_store_today(now)), err)) < 0)
            goto done;
    }
    if ((rc = zf_db_prepare(&st, db,
                            "UPDATE cases SET stage = $2, flags = $3, outcome = COALESCE($4, outcome), "
                            "fine_fen = CASE WHEN $5 = 1 THEN $6 ELSE fine_fen END, "
                            "case_no = COALESCE($7, case_no), stage_entered_at = CASE WHEN $8 = 1 "
                            "THEN $9 ELSE stage_entered_at END, archived_at = CASE WHEN $10 = 1 "
                            "THEN $9 ELSE archived_at END, updated_at = $9 WHERE id = $1",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, case_id);
    zf_stmt_bind_text(st, 2, res->outcome.stage, -1);
    zf_stmt_bind_int64(st, 3, flags);
    zf_stmt_bind_text_or_null(st, 4, res->outcome.outcome);
    zf_stmt_bind_int64(st, 5, req->has_fine ? 1 : 0);
    zf_stmt_bind_int64(st, 6, req->fine_fen);
    zf_stmt_bind_text_or_null(st, 7, res->case_no[0] ? res->case_no : NULL);
    zf_stmt_bind_int64(st, 8, changed ? 1 : 0);
    zf_stmt_bind_int64(st, 9, now);
    zf_stmt_bind_int64(st, 10, to_stage && (to_stage->traits & ZF_WF_ST_ARCHIVED) ? 1 : 0);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    if (changed && ((rc = count_move(db, w->cs.department_id, w->cs.procedure, w->cs.power_type,
                                     w->cs.stage, res->outcome.stage, err)) < 0 ||
                    (rc = stage_time_add(db, case_id, w->cs.department_id, w->cs.procedure, w->cs.stage, now,
                                         err)) < 0))
        goto done;
    if (res->case_no[0] && (rc = fts_sync(db, case_id, err)) < 0)
        goto done;

    /* clocks, all dated today */
    for (i = 0; rc >= 0 && i < res->outcome.n_finish; i++)
        rc = clock_apply(db, cal, &w->cs, res->outcome.finish[i], CLK_FINISH, NULL, NULL, now, err);
    for (i = 0; rc >= 0 && i < res->outcome.n_pause; i++)
        rc = clock_apply(db, cal, &w->cs, res->outcome.pause[i], CLK_PAUSE, req->reason, NULL, now,
                         err);
    for (i = 0; rc >= 0 && i < res->outcome.n_resume; i++)
        rc = clock_apply(db, cal, &w->cs, res->outcome.resume[i], CLK_RESUME, NULL, NULL, now, err);
    for (i = 0; rc >= 0 && i < res->outcome.n_extend; i++)
        rc = clock_apply(db, cal, &w->cs, res->outcome.extend[i], CLK_EXTEND, NULL,
                         who && who->name ? who->name : "", now, err);
    for (i = 0; rc >= 0 && i < res->outcome.n_start; i++)
        rc = start_clock(db, cal, &w->cs, res->outcome.start[i], now, err);
    if (rc < 0)
        goto done;
    /* issue 7: a decision queues its publication, same transaction */
    if ((rc = zf_publication_on_decision(db, cal, case_id, res->outcome.outcome, req->reason, now, err)) < 0)
        goto done;

    detail = json_object();
    json_codes(detail, "clocks_started", res->outcome.start, res->outcome.n_start);
    json_codes(detail, "clocks_finished", res->outcome.finish, res->outcome.n_finish);
    json_codes(detail, "clocks_paused", res->outcome.pause, res->outcome.n_pause);
    json_codes(detail, "clocks_resumed", res->outcome.resume, res->outcome.n_resume);
    json_codes(detail, "clocks_extended", res->outcome.extend, res->outcome.n_extend);
    json_object_set_new(detail, "outcome",
                        res->outcome.outcome ? json_string(res->outcome.outcome) : json_null());
    json_object_set_new(detail, "recording_warning", json_boolean(res->outcome.recording_warning));
    if (res->outcome.recording_interrupted)
        json_object_set_new(detail, "recording_interrupted", json_true());
    json_object_set_new(detail, "officers", json_integer(w->st.officers));
    if (req->has_fine)
        json_object_set_new(detail, "fine_fen", json_integer(req->fine_fen));
    if (res->case_no[0])
        json_object_set_new(detail, "case_no", json_string(res->case_no));
    if (req->target)
        json_object_set_new(detail, "target", json_string(req->target));
    {
        json_t *ev = json_array();

        for (i = 0; i < w->n_evidence_ids; i++)
            json_array_append_new(ev, json_integer(w->evidence_ids[i]));
        json_object_set_new(detail, "evidence", ev);
    }
    detail_txt = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
    if ((rc = insert_event(&res->event_id, db, case_id, req->action, w->cs.stage,
                           res->outcome.stage, who, req->reason, detail_txt, now, err)) < 0)
        goto done;
    for (i = 0; i < w->n_evidence_ids; i++) {
        if ((rc = zf_db_prepare(&st, db,
                                "INSERT INTO case_event_evidence (event_id, evidence_id) VALUES ($1, $2)",
                                err)) < 0)
            goto done;
        zf_stmt_bind_int64(st, 1, res->event_id);
        zf_stmt_bind_int64(st, 2, w->evidence_ids[i]);
        rc = zf_stmt_step(st, err);
        zf_stmt_free(st);
        st = NULL;
        if (rc < 0)
            goto done;
    }
    /* the interruptions of this step's recording now belong to this step */
    if ((rc = zf_db_prepare(&st, db,
                            "UPDATE recording_interruptions SET event_id = $1 WHERE case_id = $2 AND "
                            "action = $3 AND event_id IS NULL",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, res->event_id);
    zf_stmt_bind_int64(st, 2, case_id);
    zf_stmt_bind_text(st, 3, req->action, -1);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    snprintf(audit_detail, sizeof audit_detail, "action=%s; from=%s; to=%s; event=%lld", req->action,
             w->cs.stage, res->outcome.stage, (long long)res->event_id);
    if ((rc = audit_case(db, who, now, "case_action", case_id, audit_detail, err)) < 0)
        goto done;
    /* 归档: the 案卷 record and its ledger event, same transaction
     * (store/archive_store.h) */
    if (to_stage && (to_stage->traits & ZF_WF_ST_ARCHIVED) &&
        (rc = zf_archive_record_write(NULL, db, case_id, who ? who->user_id : 0,
                                      who ? who->name : NULL, who ? who->ip : NULL,
                                      who ? who->request_id : NULL, now, err)) < 0)
        goto done;
    if (out) {
        /* the workflow reports pause/resume/transfer codes by pointing into
         * the state's list, which is freed below: repoint them at the
         * static rule tables so the result outlives this call */
        for (i = 0; i < res->outcome.n_finish; i++)
            res->outcome.finish[i] = static_code(res->outcome.finish[i]);
        for (i = 0; i < res->outcome.n_pause; i++)
            res->outcome.pause[i] = static_code(res->outcome.pause[i]);
        for (i = 0; i < res->outcome.n_resume; i++)
            res->outcome.resume[i] = static_code(res->outcome.resume[i]);
        for (i = 0; i < res->outcome.n_extend; i++)
            res->outcome.extend[i] = static_code(res->outcome.extend[i]);
        *out = *res;
    }
done:
    rc = tx_end(db, own, rc, err);
out:
    zf_stmt_free(st);
    if (have_w)
        zf_case_wf_state_free(w);
    json_decref(detail);
    free(detail_txt);
    free(res);
    free(w);
    return rc;
}

/* ---- evidence ------------------------------------------------------------------------ */

/* Links inside the current transaction; *out_changed says whether a row
 * changed (0 when it already was linked to this case). */
static int link_evidence(int *out_changed, zf_db *db, const zf_case *c, int64_t evidence_id,
                         zf_err *err)
{
    zf_stmt *st = NULL;
    int64_t dept = 0, linked = 0;
    int rc, has_case = 0;
    char state[16] = "";

    *out_changed = 0;
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT department_id, case_id, state FROM evidence_files WHERE id = $1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, evidence_id);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        dept = zf_stmt_int64(st, 0);
        has_case = !zf_stmt_is_null(st, 1);
        linked = zf_stmt_int64(st, 1);
        copy(state, sizeof state, zf_stmt_text(st, 2));
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        return rc;
    if (rc == 0)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "evidence_id", "证据文件不存在");
    if (dept != c->department_id)
        return zf_err_set(err, ZF_EPERM, "forbidden", "evidence_id",
                          "只能关联本案所属部门的证据文件");
    if (strcmp(state, "stored") != 0)
        return zf_err_set(err, ZF_ECONFLICT, "evidence_expired", "evidence_id",
                          "该文件已过保存期限，不能关联");
    if (has_case && linked == c->id)
        return 0;
    if (has_case)
        return zf_err_set(err, ZF_ECONFLICT, "case_already_linked", "evidence_id",
                          "该文件已关联案件 %lld，关联关系不能更改", (long long)linked);
    if ((rc = zf_db_prepare(&st, db,
                            "UPDATE evidence_files SET case_id = $2, expires_at = NULL WHERE id = $1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, evidence_id);
    zf_stmt_bind_int64(st, 2, c->id);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    *out_changed = 1;
    return 0;
}

static int evidence_sha(char out[65], zf_db *db, int64_t id, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    out[0] = '\0';
    if ((rc = zf_db_prepare(&st, db, "SELECT sha256 FROM evidence_files WHERE id = $1", err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    if ((rc = zf_stmt_step(st, err)) == 1)
        copy(out, 65, zf_stmt_text(st, 0));
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

int zf_case_link_evidence(zf_db *db, int64_t case_id, int64_t evidence_id,
                          const zf_case_actor *who, int64_t now, zf_err *err)
{
    zf_case *c = zf_malloc(sizeof *c);
    char detail[96], sha[65];
    int own = 0, rc, changed = 0;

    if ((rc = tx_begin(db, &own, err)) < 0)
        goto out;
    if ((rc = zf_case_writable(c, db, case_id, err)) < 0 ||
        (rc = link_evidence(&changed, db, c, evidence_id, err)) < 0 || !changed)
        goto done;
    if ((rc = touch(db, case_id, now, err)) < 0 || (rc = evidence_sha(sha, db, evidence_id, err)) < 0)
        goto done;
    snprintf(detail, sizeof detail, "case_id=%lld", (long long)case_id);
    /* the same action name as the evidence API's own link, so one query
     * finds every link whichever route made it */
    rc = audit(db, who, now, "evidence_link_case", "evidence", evidence_id, detail, sha, err);
    if (rc == 0) {
        snprintf(detail, sizeof detail, "evidence=%lld", (long long)evidence_id);
        rc = audit_case(db, who, now, "case_evidence_link", case_id, detail, err);
    }
done:
    rc = tx_end(db, own, rc, err);
out:
    free(c);
    return rc;
}

/* ---- documents ---------------------------------------------------------------------- */

/* Codes of doccodes.h without a template yet: attached as scans. */
static const char *const SCAN_CODES[] = {
    ZF_DOC_TRANSFER_LETTER,      ZF_DOC_CRIME_TRANSFER,
    ZF_DOC_COERCIVE_EXTENSION,   ZF_DOC_COERCIVE_RELEASE,      ZF_DOC_FREEZE_NOTICE,
    ZF_DOC_LICENSE_REVOKE,       ZF_DOC_LICENSE_CANCEL,        ZF_DOC_RECTIFY_ORDER,
    ZF_DOC_ENFORCE_REMINDER,     ZF_DOC_ENFORCE_DECISION,      ZF_DOC_DEMOLITION_NOTICE,
    ZF_DOC_EXPROPRIATION_NOTICE, ZF_DOC_COMPENSATION_PLAN,     ZF_DOC_EXPROPRIATION_DECISION,
    ZF_DOC_COMPENSATION_AGREEMENT, NULL};

static int is_scan_code(const char *code)
{
    size_t i;

    for (i = 0; SCAN_CODES[i]; i++)
        if (strcmp(SCAN_CODES[i], code) == 0)
            return 1;
    return 0;
}

bool zf_case_doc_code_known(const char *code)
{
    return code && (zf_doctpl_find(code) || is_scan_code(code));
}

/* A scan's fields: a flat object of at most 20 strings (title, note ...). */
static int check_scan_fields(const json_t *fields, zf_err *err)
{
    const char *key;
    json_t *v;

    if (json_object_size(fields) > 20)
        return zf_err_set(err, ZF_EINVAL, "too_many", "fields", "扫描件文书最多 20 个字段");
    json_object_foreach((json_t *)fields, key, v) {
        char f[64];

        snprintf(f, sizeof f, "fields.%s", key);
        if (!json_is_string(v))
            return zf_err_set(err, ZF_EINVAL, "wrong_type", f, "扫描件文书的字段只能是文本");
        if (utf8_len(json_string_value(v), 1) > 2000 || utf8_len(json_string_value(v), 1) < 0)
            return zf_err_set(err, ZF_EINVAL, "too_long", f, "字段过长或含有无效字符");
    }
    return 0;
}

/* draft: required fields may be empty (zf_doc_validate_draft). Otherwise
 * (finalizing) every empty required field is named in one refusal, the
 * first as err.field, before the full check. */
static int validate_fields(const char *code, const json_t *fields, int draft, zf_err *err)
{
    const zf_doctpl *tpl = zf_doctpl_find(code);
    json_t *missing = NULL;
    int rc;

    if (!json_is_object(fields))
        return zf_err_set(err, ZF_EINVAL, "wrong_type", "fields", "文书字段应为 JSON 对象");
    if (!tpl)
        return check_scan_fields(fields, err);
    rc = zf_doc_validate_draft(&missing, tpl, fields, err);
    if (rc == 0 && !draft && json_array_size(missing) > 0) {
        char list[600] = "", f[128];
        size_t i, used = 0;

        for (i = 0; i < json_array_size(missing); i++) {
            const char *label = json_string_value(json_object_get(json_array_get(missing, i), "label"));
            int n = snprintf(list + used, sizeof list - used, "%s“%s”", i ? "、" : "", label);

            if (n < 0 || (size_t)n >= sizeof list - used)
                break;
            used += (size_t)n;
        }
        snprintf(f, sizeof f, "fields.%s",
                 json_string_value(json_object_get(json_array_get(missing, 0), "key")));
        json_decref(missing);
        rc = zf_err_set(err, ZF_EINVAL, "required", f, "定稿前须填写全部必填项，尚未填写：%s", list);
        return rc;
    }
    json_decref(missing);
    if (rc == 0 && !draft)
        rc = zf_doc_validate(tpl, fields, err);
    if (rc < 0 && err) {
        /* name the path inside the request */
        char f[128];

        snprintf(f, sizeof f, "fields%s%s", err->field[0] ? "." : "", err->field);
        copy(err->field, sizeof err->field, f);
    }
    return rc;
}

void zf_case_doc_clear(zf_case_doc *d)
{
    if (d) {
        json_decref(d->fields);
        d->fields = NULL;
    }
}

int zf_case_doc_get(zf_case_doc *out, zf_db *db, int64_t case_id, int64_t doc_id, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT id, case_id, department_id, template, fields, "
                            "COALESCE(evidence_id, 0), COALESCE(doc_no, ''), status, content_sha256, "
                            "created_by, created_at, updated_at, COALESCE(finalized_by, 0), "
                            "COALESCE(finalized_at, 0) FROM case_documents WHERE id = $1 AND case_id = $2",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, doc_id);
    zf_stmt_bind_int64(st, 2, case_id);
    rc = zf_stmt_step(st, err);
    if (rc == 1) {
        json_error_t je;

        out->id = zf_stmt_int64(st, 0);
        out->case_id = zf_stmt_int64(st, 1);
        out->department_id = zf_stmt_int64(st, 2);
        copy(out->template_code, sizeof out->template_code, zf_stmt_text(st, 3));
        out->fields = json_loads(zf_stmt_text(st, 4), 0, &je);
        if (!out->fields)
            out->fields = json_object();
        out->evidence_id = zf_stmt_int64(st, 5);
        copy(out->doc_no, sizeof out->doc_no, zf_stmt_text(st, 6));
        copy(out->status, sizeof out->status, zf_stmt_text(st, 7));
        copy(out->content_sha256, sizeof out->content_sha256, zf_stmt_text(st, 8));
        out->created_by = zf_stmt_int64(st, 9);
        out->created_at = zf_stmt_int64(st, 10);
        out->updated_at = zf_stmt_int64(st, 11);
        out->finalized_by = zf_stmt_int64(st, 12);
        out->finalized_at = zf_stmt_int64(st, 13);
        rc = 0;
    } else if (rc == 0) {
        rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "找不到该文书");
    }
    zf_stmt_free(st);
    return rc;
}

int zf_case_doc_save(int64_t *out_id, zf_db *db, int64_t case_id, int64_t doc_id,
                     const char *template_code, const json_t *fields, int64_t evidence_id,
                     const zf_case_actor *who, int64_t now, zf_err *err)
{
    zf_case *c = zf_malloc(sizeof *c);
    zf_case_doc d = {0};
    zf_stmt *st = NULL;
    char *text = NULL, detail[128], sha[65];
    int own = 0, rc, changed;
    int64_t id = doc_id;

    if (out_id)
        *out_id = 0;
    if (!doc_id && !zf_case_doc_code_known(template_code)) {
        rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "template", "未知的文书种类：%s",
                        template_code ? template_code : "");
        goto out;
    }
    if (json_is_object(fields) && json_object_get(fields, "doc_no")) {
        rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "fields.doc_no",
                        "文号由系统在定稿时编号，不能填写");
        goto out;
    }
    if ((rc = tx_begin(db, &own, err)) < 0)
        goto out;
    if ((rc = zf_case_writable(c, db, case_id, err)) < 0)
        goto done;
    if (doc_id) {
        if ((rc = zf_case_doc_get(&d, db, case_id, doc_id, err)) < 0)
            goto done;
        if (strcmp(d.status, "final") == 0) {
            rc = zf_err_set(err, ZF_ECONFLICT, "document_final", NULL, "文书已定稿，不能修改");
            goto done;
        }
        if (template_code && strcmp(template_code, d.template_code) != 0) {
            rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "template", "不能改变文书种类");
            goto done;
        }
        template_code = d.template_code;
    }
    if ((rc = validate_fields(template_code, fields, 1, err)) < 0)
        goto done;
    if (evidence_id && (rc = link_evidence(&changed, db, c, evidence_id, err)) < 0)
        goto done;
    text = json_dumps(fields, JSON_COMPACT | JSON_SORT_KEYS);
    if (doc_id)
        rc = zf_db_prepare(&st, db,
                           "UPDATE case_documents SET fields = $2, evidence_id = $3, updated_at = $4 "
                           "WHERE id = $1 RETURNING id",
                           err);
    else
        rc = zf_db_prepare(&st, db,
                           "INSERT INTO case_documents (case_id, department_id, template, fields, "
                           "evidence_id, created_by, created_at, updated_at) VALUES ($5, $6, $7, $2, $3, "
                           "$8, $4, $4) RETURNING id",
                           err);
    if (rc < 0)
        goto done;
    if (doc_id)
        zf_stmt_bind_int64(st, 1, doc_id);
    zf_stmt_bind_text(st, 2, text, -1);
    if (evidence_id)
        zf_stmt_bind_int64(st, 3, evidence_id);
    else
        zf_stmt_bind_null(st, 3);
    zf_stmt_bind_int64(st, 4, now);
    if (!doc_id) {
        zf_stmt_bind_int64(st, 5, case_id);
        zf_stmt_bind_int64(st, 6, c->department_id);
        zf_stmt_bind_text(st, 7, template_code, -1);
        zf_stmt_bind_int64(st, 8, who->user_id);
    }
    rc = zf_stmt_step(st, err);
    if (rc == 1)
        id = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0 || (rc = touch(db, case_id, now, err)) < 0)
        goto done;
    sha256_hex(sha, text, strlen(text));
    snprintf(detail, sizeof detail, "case_id=%lld; template=%s; status=draft", (long long)case_id,
             template_code);
    rc = audit(db, who, now, "case_document_save", "case_document", id, detail, sha, err);
    if (rc == 0 && out_id)
        *out_id = id;
done:
    rc = tx_end(db, own, rc, err);
out:
    zf_case_doc_clear(&d);
    free(text);
    free(c);
    return rc;
}

int zf_case_doc_finalize(char *out_doc_no, size_t cap, zf_db *db, int64_t case_id, int64_t doc_id,
                         const zf_case_actor *who, int64_t now, zf_err *err)
{
    zf_case *c = zf_malloc(sizeof *c);
    zf_case_doc d = {0};
    const zf_doctpl *tpl;
    zf_stmt *st = NULL;
    zf_buf canon = ZF_BUF_INIT;
    json_t *hashed = NULL;
    char docno[160] = "", sha[65], ev_sha[65] = "", detail[256], *text = NULL;
    int own = 0, rc;

    if (out_doc_no && cap)
        out_doc_no[0] = '\0';
    if ((rc = tx_begin(db, &own, err)) < 0)
        goto out;
    if ((rc = zf_case_writable(c, db, case_id, err)) < 0 ||
        (rc = zf_case_doc_get(&d, db, case_id, doc_id, err)) < 0)
        goto done;
    if (strcmp(d.status, "final") == 0) {
        rc = zf_err_set(err, ZF_ECONFLICT, "document_final", NULL, "文书已定稿，不能再次定稿");
        goto done;
    }
    tpl = zf_doctpl_find(d.template_code);
    if (!tpl && !d.evidence_id) {
        rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "evidence_id",
                        "“%s”尚无文书模板，定稿前须上传并关联扫描件",
                        zf_workflow_doc_name(d.template_code));
        goto done;
    }
    if (tpl && tpl->docno_kind && zf_doctpl_field(tpl, "doc_no")) {
        if ((rc = zf_case_docno_issue(docno, sizeof docno, db, c->department_id, tpl->docno_kind,
                                      zf_date_year(zf_calendar_store_today(now)), err)) < 0)
            goto done;
        json_object_set_new(d.fields, "doc_no", json_string(docno));
    }
    if ((rc = validate_fields(d.template_code, d.fields, 0, err)) < 0)
        goto done;
    if (d.evidence_id && (rc = evidence_sha(ev_sha, db, d.evidence_id, err)) < 0)
        goto done;
    hashed = json_pack("{s:I, s:s, s:s, s:O, s:s}", "case_id", (json_int_t)case_id, "template",
                       d.template_code, "doc_no", docno, "fields", d.fields, "evidence_sha256", ev_sha);
    if ((rc = zf_jcs_encode(&canon, hashed, err)) < 0)
        goto done;
    sha256_hex(sha, zf_buf_str(&canon), canon.len);
    text = json_dumps(d.fields, JSON_COMPACT | JSON_SORT_KEYS);
    if ((rc = zf_db_prepare(&st, db,
                            "UPDATE case_documents SET fields = $2, doc_no = $3, status = 'final', "
                            "content_sha256 = $4, finalized_by = $5, finalized_at = $6, updated_at = $6 "
                            "WHERE id = $1 AND status = 'draft'",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, doc_id);
    zf_stmt_bind_text(st, 2, text, -1);
    zf_stmt_bind_text_or_null(st, 3, docno[0] ? docno : NULL);
    zf_stmt_bind_text(st, 4, sha, -1);
    zf_stmt_bind_int64(st, 5, who->user_id);
    zf_stmt_bind_int64(st, 6, now);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0 || (rc = touch(db, case_id, now, err)) < 0)
        goto done;
    snprintf(detail, sizeof detail, "case_id=%lld; template=%s; doc_no=%s", (long long)case_id,
             d.template_code, docno);
    if ((rc = audit(db, who, now, "case_document_finalize", "case_document", doc_id, detail, sha,
                    err)) < 0)
        goto done;
    if (out_doc_no && cap)
        copy(out_doc_no, cap, docno);
done:
    rc = tx_end(db, own, rc, err);
out:
    zf_case_doc_clear(&d);
    json_decref(hashed);
    zf_buf_free(&canon);
    free(text);
    free(c);
    return rc;
}

/* ---- recording interruptions ------------------------------------------------------------ */

static const char *const CAUSES[] = {"device_failure", "battery", "storage_full", "environment",
                                     "other", NULL};

static bool all_blank(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

int zf_case_interruption_add(int64_t *out_id, zf_db *db, const zf_case_interruption *in,
                             const zf_case_actor *who, int64_t now, zf_err *err)
{
    zf_case *c = zf_malloc(sizeof *c);
    const zf_wf_procedure *p;
    zf_stmt *st = NULL;
    int64_t found = 0, ev_case = 0;
    char audit_detail[160];
    size_t i;
    int rc, own = 0;

    if (out_id)
        *out_id = 0;
    if ((rc = tx_begin(db, &own, err)) < 0)
        goto out;
    if ((rc = zf_case_writable(c, db, in->case_id, err)) < 0)
        goto done;
    p = zf_workflow_procedure(c->procedure);
    if (!p || !zf_workflow_action(p, in->action)) {
        rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "action",
                        "本案的执法程序中没有该环节（action），请选择录像中断时正在办理的环节");
        goto done;
    }
    for (i = 0; CAUSES[i] && strcmp(CAUSES[i], in->cause) != 0; i++)
        ;
    if (!CAUSES[i]) {
        rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "cause",
                        "中断原因类别只能是 device_failure（设备故障）、battery（电量耗尽）、"
                        "storage_full（存储已满）、environment（现场环境）或 other（其他）");
        goto done;
    }
    if (all_blank(in->reason)) {
        rc = zf_err_set(err, ZF_EINVAL, "reason_required", "reason", "须填写录像中断的具体原因");
        goto done;
    }
    if ((rc = check_text(in->reason, ZF_CASE_REASON_MAX, 1, 1, "reason", "中断原因", err)) < 0)
        goto done;
    if (in->interrupted_at <= 0 || in->interrupted_at > now) {
        rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "interrupted_at",
                        "中断时间须填写，且不能晚于当前时间");
        goto done;
    }
    if (in->resumed_at && (in->resumed_at < in->interrupted_at || in->resumed_at > now)) {
        rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "resumed_at",
                        "恢复录像时间不能早于中断时间，也不能晚于当前时间");
        goto done;
    }
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT COUNT(*) FROM devices WHERE id = $1 AND department_id = $2", err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, in->device_id);
    zf_stmt_bind_int64(st, 2, c->department_id);
    if ((rc = zf_stmt_step(st, err)) == 1)
        found = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    if (!found) {
        rc = zf_err_set(err, ZF_EINVAL, "invalid_device", "device_id",
                        "记录设备不存在或不属于本案所属部门，请选择已登记的执法记录仪或执法终端");
        goto done;
    }
    if (in->evidence_id) {
        if ((rc = zf_db_prepare(&st, db,
                                "SELECT COALESCE(case_id, 0) FROM evidence_files WHERE id = $1 AND "
                                "state = 'stored'",
                                err)) < 0)
            goto done;
        zf_stmt_bind_int64(st, 1, in->evidence_id);
        if ((rc = zf_stmt_step(st, err)) == 1)
            ev_case = zf_stmt_int64(st, 0);
        zf_stmt_free(st);
        st = NULL;
        if (rc < 0)
            goto done;
        if (ev_case != in->case_id) {
            rc = zf_err_set(err, ZF_EINVAL, "evidence_not_linked", "evidence_id",
                            "证据文件 %lld 不存在或未关联本案，请先关联本案",
                            (long long)in->evidence_id);
            goto done;
        }
    }
    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO recording_interruptions (case_id, action, cause, reason, "
                            "device_id, interrupted_at, resumed_at, evidence_id, recorded_by, "
                            "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, in->case_id);
    zf_stmt_bind_text(st, 2, in->action, -1);
    zf_stmt_bind_text(st, 3, in->cause, -1);
    zf_stmt_bind_text(st, 4, in->reason, -1);
    zf_stmt_bind_int64(st, 5, in->device_id);
    zf_stmt_bind_int64(st, 6, in->interrupted_at);
    if (in->resumed_at)
        zf_stmt_bind_int64(st, 7, in->resumed_at);
    else
        zf_stmt_bind_null(st, 7);
    if (in->evidence_id)
        zf_stmt_bind_int64(st, 8, in->evidence_id);
    else
        zf_stmt_bind_null(st, 8);
    zf_stmt_bind_int64(st, 9, who ? who->user_id : 0);
    zf_stmt_bind_int64(st, 10, now);
    if ((rc = zf_stmt_step(st, err)) == 1 && out_id)
        *out_id = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    if ((rc = touch(db, in->case_id, now, err)) < 0)
        goto done;
    snprintf(audit_detail, sizeof audit_detail, "recording interrupted: action=%s; cause=%s; device=%lld",
             in->action, in->cause, (long long)in->device_id);
    rc = audit_case(db, who, now, "case_recording_interruption", in->case_id, audit_detail, err);
done:
    rc = tx_end(db, own, rc, err);
out:
    zf_stmt_free(st);
    free(c);
    return rc;
}

int zf_case_interruptions(zf_case_interruption **out, size_t *out_n, zf_db *db, int64_t case_id,
                          zf_err *err)
{
    zf_case_interruption *v = NULL;
    zf_stmt *st = NULL;
    size_t n = 0, cap = 0;
    int rc;

    *out = NULL;
    *out_n = 0;
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT r.id, r.action, r.cause, r.reason, r.device_id, "
                            "COALESCE(d.serial, ''), r.interrupted_at, COALESCE(r.resumed_at, 0), "
                            "COALESCE(r.evidence_id, 0), COALESCE(r.event_id, 0), r.recorded_by, "
                            "COALESCE(u.username, ''), r.created_at FROM recording_interruptions r "
                            "LEFT JOIN devices d ON d.id = r.device_id LEFT JOIN users u ON "
                            "u.id = r.recorded_by WHERE r.case_id = $1 ORDER BY r.interrupted_at, r.id",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, case_id);
    while ((rc = zf_stmt_step(st, err)) == 1) {
        zf_case_interruption *x;

        if (n == cap) {
            cap = cap ? cap * 2 : 4;
            v = zf_realloc(v, cap * sizeof *v);
        }
        x = &v[n++];
        memset(x, 0, sizeof *x);
        x->id = zf_stmt_int64(st, 0);
        x->case_id = case_id;
        copy(x->action, sizeof x->action, zf_stmt_text(st, 1));
        copy(x->cause, sizeof x->cause, zf_stmt_text(st, 2));
        copy(x->reason, sizeof x->reason, zf_stmt_text(st, 3));
        x->device_id = zf_stmt_int64(st, 4);
        copy(x->device_serial, sizeof x->device_serial, zf_stmt_text(st, 5));
        x->interrupted_at = zf_stmt_int64(st, 6);
        x->resumed_at = zf_stmt_int64(st, 7);
        x->evidence_id = zf_stmt_int64(st, 8);
        x->event_id = zf_stmt_int64(st, 9);
        x->recorded_by = zf_stmt_int64(st, 10);
        copy(x->recorded_by_name, sizeof x->recorded_by_name, zf_stmt_text(st, 11));
        x->created_at = zf_stmt_int64(st, 12);
    }
    zf_stmt_free(st);
    if (rc < 0) {
        free(v);
        return rc;
    }
    *out = v;
    *out_n = n;
    return 0;
}
