/* doc_store.c — verification codes, captured signatures and electronic seals
 * of final documents (see doc_store.h). */
#include "store/doc_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger/checkpoint.h"
#include "ledger/sign.h"
#include "ledger/sm3.h"
#include "store/audit.h"
#include "store/ledger_store.h"
#include "util/mem.h"

/* Crockford's base32: no I, L, O, U, so a code read aloud or typed from
 * paper is not misread. */
static const char B32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

#define OBJECT "case_document"

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

static void copy(char *out, size_t cap, const char *s)
{
    snprintf(out, cap, "%s", s ? s : "");
}

static void sha256_hex(char out[65], const void *data, size_t len)
{
    uint8_t d[ZF_DIGEST_LEN];

    zf_sha256(d, data, len);
    zf_hex_encode(out, d, sizeof d);
}

static int audit(zf_db *db, const zf_case_actor *who, int64_t now, const char *action,
                 int64_t doc_id, const char *detail, const char *sha, zf_err *err)
{
    char oid[24];
    zf_audit_event ev = {0};

    snprintf(oid, sizeof oid, "%lld", (long long)doc_id);
    ev.at = now;
    ev.actor_id = who ? who->user_id : 0;
    ev.actor_name = who && who->name ? who->name : "system";
    ev.action = action;
    ev.object_type = OBJECT;
    ev.object_id = oid;
    ev.ip = who ? who->ip : NULL;
    ev.request_id = who ? who->request_id : NULL;
    ev.detail = detail;
    ev.content_sha256 = sha;
    return zf_audit_write(db, &ev, err);
}

static long cp_len(const char *s)
{
    long n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

/* ---- verification codes ------------------------------------------------------ */

int zf_doc_code_valid(const char *s)
{
    size_t i;

    if (!s || strlen(s) != ZF_DOC_CODE_LEN)
        return 0;
    for (i = 0; i < ZF_DOC_CODE_LEN; i++) {
        if (i % 5 == 4) {
            if (s[i] != '-')
                return 0;
        } else if (!s[i] || !strchr(B32, s[i])) {
            return 0;
        }
    }
    return 1;
}

static void new_code(char out[ZF_DOC_CODE_LEN + 1])
{
    uint8_t r[10];
    size_t i, k = 0;
    unsigned bits = 0, acc = 0;

    randombytes_buf(r, sizeof r);
    for (i = 0; i < sizeof r; i++) {
        acc = (acc << 8) | r[i];
        bits += 8;
        while (bits >= 5) {
            if (k % 5 == 4)
                out[k++] = '-';
            out[k++] = B32[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    out[k] = '\0';
}

static const char *const DATE_KEYS[] = {"decision_date", "decision_time", "issue_date", NULL};

static void fill_issue_date(zf_doc_verify *v, const char *fields_text)
{
    json_t *f = json_loads(fields_text, 0, NULL);
    size_t i;

    v->issue_date[0] = '\0';
    for (i = 0; f && DATE_KEYS[i]; i++) {
        const char *s = json_string_value(json_object_get(f, DATE_KEYS[i]));

        if (s && strlen(s) >= 10) {
            snprintf(v->issue_date, sizeof v->issue_date, "%.10s", s);
            break;
        }
    }
    json_decref(f);
}

int zf_doc_verify_find(zf_doc_verify *out, zf_db *db, const char *code, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if (!zf_doc_code_valid(code))
        return zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "没有找到该核验码对应的文书");
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT v.code, v.document_id, v.content_sha256, COALESCE(v.leaf_index, -1), "
                            "d.case_id, d.department_id, d.template, COALESCE(d.doc_no, ''), "
                            "d.content_sha256, COALESCE(d.finalized_at, 0), d.fields, dep.name "
                            "FROM document_verifications v JOIN case_documents d ON d.id = v.document_id "
                            "JOIN departments dep ON dep.id = d.department_id WHERE v.code = $1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_text(st, 1, code, -1);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        copy(out->code, sizeof out->code, zf_stmt_text(st, 0));
        out->document_id = zf_stmt_int64(st, 1);
        copy(out->content_sha256, sizeof out->content_sha256, zf_stmt_text(st, 2));
        out->leaf_index = zf_stmt_int64(st, 3);
        out->case_id = zf_stmt_int64(st, 4);
        out->department_id = zf_stmt_int64(st, 5);
        copy(out->template_code, sizeof out->template_code, zf_stmt_text(st, 6));
        copy(out->doc_no, sizeof out->doc_no, zf_stmt_text(st, 7));
        copy(out->current_sha256, sizeof out->current_sha256, zf_stmt_text(st, 8));
        out->finalized_at = zf_stmt_int64(st, 9);
        fill_issue_date(out, zf_stmt_text(st, 10));
        copy(out->department_name, sizeof out->department_name, zf_stmt_text(st, 11));
        rc = 0;
    } else if (rc == 0) {
        rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "没有找到该核验码对应的文书");
    }
    zf_stmt_free(st);
    return rc;
}

/* The code of doc_id, or "" (returns 0 either way). */
static int code_of(char out[ZF_DOC_CODE_LEN + 1], zf_db *db, int64_t doc_id, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    out[0] = '\0';
    if ((rc = zf_db_prepare(&st, db, "SELECT code FROM document_verifications WHERE document_id = $1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, doc_id);
    if ((rc = zf_stmt_step(st, err)) == 1)
        copy(out, ZF_DOC_CODE_LEN + 1, zf_stmt_text(st, 0));
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

static int final_doc(zf_case_doc *d, zf_db *db, int64_t case_id, int64_t doc_id, zf_err *err)
{
    int rc;

    if ((rc = zf_case_doc_get(d, db, case_id, doc_id, err)) < 0)
        return rc;
    if (strcmp(d->status, "final") != 0) {
        zf_case_doc_clear(d);
        return zf_err_set(err, ZF_ECONFLICT, "document_not_final", NULL, "文书尚未定稿");
    }
    return 0;
}

int zf_doc_verify_ensure(zf_doc_verify *out, zf_db *db, int64_t case_id, int64_t doc_id,
                         int64_t now, zf_err *err)
{
    zf_case_doc d = {0};
    zf_stmt *st = NULL;
    char code[ZF_DOC_CODE_LEN + 1], oid[24];
    int64_t leaf = -1;
    int own = 0, rc, tries;

    if ((rc = final_doc(&d, db, case_id, doc_id, err)) < 0)
        return rc;
    /* the common case reads only */
    if ((rc = code_of(code, db, doc_id, err)) < 0)
        goto out;
    if (code[0])
        goto found;
    if ((rc = tx_begin(db, &own, err)) < 0)
        goto out;
    if ((rc = code_of(code, db, doc_id, err)) < 0 || code[0])
        goto done;
    snprintf(oid, sizeof oid, "%lld", (long long)doc_id);
    {
        zf_buf sql = ZF_BUF_INIT;
        zf_buf_puts(&sql, "SELECT idx FROM ledger_events WHERE idx IN (");
        zf_ledger_objects_sql(&sql, "object_type = $1 AND object_id = $2");
        zf_buf_puts(&sql, ") AND action = 'case_document_finalize' ORDER BY idx DESC LIMIT 1");
        rc = zf_db_prepare(&st, db, zf_buf_str(&sql), err);
        zf_buf_free(&sql);
        if (rc < 0)
            goto done;
    }
    zf_stmt_bind_text(st, 1, OBJECT, -1);
    zf_stmt_bind_text(st, 2, oid, -1);
    if ((rc = zf_stmt_step(st, err)) == 1)
        leaf = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    for (tries = 0; tries < 4; tries++) {
        int64_t taken = 0;
        const char *p[1];

        new_code(code);
        p[0] = code;
        if ((rc = zf_db_query_int64(db, &taken, "SELECT COUNT(*) FROM document_verifications WHERE code = $1",
                                    err, 1, p)) < 0)
            goto done;
        if (!taken)
            break;
    }
    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO document_verifications (code, document_id, content_sha256, "
                            "leaf_index, created_at) VALUES ($1, $2, $3, $4, $5)",
                            err)) < 0)
        goto done;
    zf_stmt_bind_text(st, 1, code, -1);
    zf_stmt_bind_int64(st, 2, doc_id);
    zf_stmt_bind_text(st, 3, d.content_sha256, -1);
    if (leaf >= 0)
        zf_stmt_bind_int64(st, 4, leaf);
    else
        zf_stmt_bind_null(st, 4);
    zf_stmt_bind_int64(st, 5, now);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    st = NULL;
done:
    rc = tx_end(db, own, rc < 0 ? rc : 0, err);
    if (rc < 0)
        goto out;
found:
    rc = out ? zf_doc_verify_find(out, db, code, err) : 0;
out:
    zf_case_doc_clear(&d);
    return rc;
}

/* ---- signatures -------------------------------------------------------------- */

static const char *default_role(const char *kind)
{
    if (strcmp(kind, "officer") == 0)
        return "执法人员";
    if (strcmp(kind, "party") == 0)
        return "当事人";
    if (strcmp(kind, "reviewer") == 0)
        return "审核人员";
    return "见证人";
}

/* The signature slots of a template (NULL when it has none). */
static const zf_doc_field *slots_of(const char *template_code)
{
    const zf_doctpl *tpl = zf_doctpl_find(template_code);
    size_t i;

    for (i = 0; tpl && i < tpl->field_count; i++)
        if (tpl->fields[i].type == ZF_FT_SIGNATURES && tpl->fields[i].options)
            return &tpl->fields[i];
    return NULL;
}

int zf_doc_sig_add(int64_t *out_id, zf_db *db, int64_t case_id, int64_t doc_id,
                   const zf_doc_sig_new *in, const zf_case_actor *who, int64_t now, zf_err *err)
{
    zf_case_doc d = {0};
    zf_stmt *st = NULL;
    const zf_doc_field *slots;
    const char *role, *name = in->name;
    char officer_name[400] = "", img_sha[65], detail[200];
    int64_t count = 0, id = 0;
    int own = 0, rc;
    size_t i;

    /* a reviewer's signature comes only through the review store, which has
     * checked that the signer is the round's reviewer (reviewer_name set) */
    if (in->signer_kind && strcmp(in->signer_kind, "reviewer") == 0 && in->reviewer_name)
        name = in->reviewer_name;
    else if (!in->signer_kind || (strcmp(in->signer_kind, "officer") != 0 &&
                                  strcmp(in->signer_kind, "party") != 0 &&
                                  strcmp(in->signer_kind, "witness") != 0))
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "signer_kind",
                          "签名人类别应为 officer（执法人员）、party（当事人）或 witness（见证人）");
    if (!in->png || !in->png_len || in->png_len > ZF_DOC_SIG_MAX_PNG || in->width <= 0 || in->height <= 0)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "image", "签名图像应为不超过 200 KB 的 PNG 图片");
    role = in->role && *in->role ? in->role : default_role(in->signer_kind);
    if (cp_len(role) > ZF_DOC_SIG_ROLE_MAX || has_control(role))
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "role", "签名栏名称应为不超过 %d 个字符的文本",
                          ZF_DOC_SIG_ROLE_MAX);
    if (strcmp(in->signer_kind, "officer") == 0) {
        if (in->officer_id <= 0)
            return zf_err_set(err, ZF_EINVAL, "validation_failed", "officer_id", "执法人员签名须指明执法人员（officer_id）");
    } else {
        if (in->officer_id)
            return zf_err_set(err, ZF_EINVAL, "validation_failed", "officer_id", "只有执法人员签名才能指明执法人员");
        if (!name || !*name || cp_len(name) > ZF_DOC_SIG_NAME_MAX || has_control(name))
            return zf_err_set(err, ZF_EINVAL, "validation_failed", "name", "请填写签名人姓名（不超过 %d 个字符）",
                              ZF_DOC_SIG_NAME_MAX);
    }
    if ((rc = tx_begin(db, &own, err)) < 0)
        return rc;
    if ((rc = zf_case_writable(NULL, db, case_id, err)) < 0 ||
        (rc = final_doc(&d, db, case_id, doc_id, err)) < 0)
        goto done;
    /* the 审核人员 slot of a 法制审核意见书 is the round's reviewer's alone
     * (zf_review_store_sign_opinion): nobody else's image may stand there */
    if (strcmp(d.template_code, ZF_DOC_LEGAL_REVIEW_OPINION) == 0 && strcmp(role, "审核人员") == 0 &&
        strcmp(in->signer_kind, "reviewer") != 0) {
        rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "role",
                        "“审核人员”签名栏只能由本轮审核人员在法制审核页面签名");
        goto done;
    }
    if ((slots = slots_of(d.template_code)) && in->role && *in->role) {
        for (i = 0; slots->options[i] && strcmp(slots->options[i], role) != 0; i++)
            ;
        if (!slots->options[i]) {
            rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "role", "“%s”没有“%s”签名栏",
                            zf_doctpl_find(d.template_code)->name, role);
            goto done;
        }
    }
    if (in->officer_id) {
        if ((rc = zf_db_prepare(&st, db, "SELECT name FROM officers WHERE id = $1 AND department_id = $2",
                                err)) < 0)
            goto done;
        zf_stmt_bind_int64(st, 1, in->officer_id);
        zf_stmt_bind_int64(st, 2, d.department_id);
        if ((rc = zf_stmt_step(st, err)) == 1)
            copy(officer_name, sizeof officer_name, zf_stmt_text(st, 0));
        zf_stmt_free(st);
        st = NULL;
        if (rc < 0)
            goto done;
        if (rc == 0) {
            rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "officer_id", "该执法人员不属于本案所属部门");
            goto done;
        }
        name = officer_name;
    }
    {
        char p0[24];
        const char *p[1] = {p0};

        snprintf(p0, sizeof p0, "%lld", (long long)doc_id);
        if ((rc = zf_db_query_int64(db, &count,
                                    "SELECT COUNT(*) FROM document_signatures WHERE document_id = CAST($1 AS BIGINT)",
                                    err, 1, p)) < 0)
            goto done;
    }
    if (count >= ZF_DOC_SIG_MAX_PER_DOC) {
        rc = zf_err_set(err, ZF_ECONFLICT, "too_many_signatures", NULL, "一份文书最多 %d 个签名",
                        ZF_DOC_SIG_MAX_PER_DOC);
        goto done;
    }
    sha256_hex(img_sha, in->png, in->png_len);
    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO document_signatures (document_id, case_id, department_id, signer_kind, "
                            "role, name, officer_id, image, image_sha256, width, height, document_sha256, "
                            "signed_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
                            "$13, $14) RETURNING id",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, doc_id);
    zf_stmt_bind_int64(st, 2, case_id);
    zf_stmt_bind_int64(st, 3, d.department_id);
    zf_stmt_bind_text(st, 4, in->signer_kind, -1);
    zf_stmt_bind_text(st, 5, role, -1);
    zf_stmt_bind_text(st, 6, name, -1);
    if (in->officer_id)
        zf_stmt_bind_int64(st, 7, in->officer_id);
    else
        zf_stmt_bind_null(st, 7);
    zf_stmt_bind_blob(st, 8, in->png, in->png_len);
    zf_stmt_bind_text(st, 9, img_sha, -1);
    zf_stmt_bind_int64(st, 10, in->width);
    zf_stmt_bind_int64(st, 11, in->height);
    zf_stmt_bind_text(st, 12, d.content_sha256, -1);
    zf_stmt_bind_int64(st, 13, now);
    zf_stmt_bind_int64(st, 14, who->user_id);
    if ((rc = zf_stmt_step(st, err)) == 1)
        id = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    snprintf(detail, sizeof detail, "case_id=%lld; signature=%lld; signer_kind=%s", (long long)case_id,
             (long long)id, in->signer_kind);
    if ((rc = audit(db, who, now, "document_signature", doc_id, detail, img_sha, err)) < 0)
        goto done;
    if (out_id)
        *out_id = id;
done:
    rc = tx_end(db, own, rc < 0 ? rc : 0, err);
    zf_case_doc_clear(&d);
    return rc;
}

void zf_doc_sigs_free(zf_doc_sig *s, size_t n)
{
    size_t i;

    for (i = 0; s && i < n; i++)
        free(s[i].image);
    free(s);
}

int zf_doc_sigs(zf_doc_sig **out, size_t *out_n, zf_db *db, int64_t doc_id, zf_err *err)
{
    zf_stmt *st = NULL;
    zf_doc_sig *v = NULL;
    size_t n = 0, cap = 0;
    int rc;

    *out = NULL;
    *out_n = 0;
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT id, document_id, COALESCE(officer_id, 0), signer_kind, role, name, image, "
                            "image_sha256, document_sha256, width, height, signed_at, created_by "
                            "FROM document_signatures WHERE document_id = $1 ORDER BY id",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, doc_id);
    while ((rc = zf_stmt_step(st, err)) == 1) {
        zf_doc_sig *g;
        const void *img;
        size_t len = 0;

        if (n == cap) {
            cap = cap ? cap * 2 : 4;
            v = zf_realloc(v, cap * sizeof *v);
        }
        g = &v[n++];
        memset(g, 0, sizeof *g);
        g->id = zf_stmt_int64(st, 0);
        g->document_id = zf_stmt_int64(st, 1);
        g->officer_id = zf_stmt_int64(st, 2);
        copy(g->signer_kind, sizeof g->signer_kind, zf_stmt_text(st, 3));
        copy(g->role, sizeof g->role, zf_stmt_text(st, 4));
        copy(g->name, sizeof g->name, zf_stmt_text(st, 5));
        img = zf_stmt_blob(st, 6, &len);
        g->image = zf_malloc(len ? len : 1);
        if (len)
            memcpy(g->image, img, len);
        g->image_len = len;
        copy(g->image_sha256, sizeof g->image_sha256, zf_stmt_text(st, 7));
        copy(g->document_sha256, sizeof g->document_sha256, zf_stmt_text(st, 8));
        g->width = (int)zf_stmt_int64(st, 9);
        g->height = (int)zf_stmt_int64(st, 10);
        g->signed_at = zf_stmt_int64(st, 11);
        g->created_by = zf_stmt_int64(st, 12);
    }
    zf_stmt_free(st);
    if (rc < 0) {
        zf_doc_sigs_free(v, n);
        return rc;
    }
    *out = v;
    *out_n = n;
    return 0;
}

/* ---- seals ---------------------------------------------------------------------- */

void zf_doc_seal_clear(zf_doc_seal *s)
{
    if (s) {
        free(s->public_key);
        s->public_key = NULL;
    }
}

static int read_small(char **out, size_t *out_len, const char *path)
{
    FILE *f = fopen(path, "rb");
    char *p;
    size_t n;

    *out = NULL;
    if (!f)
        return -1;
    p = zf_malloc(ZF_SIGN_MAX_PEM + 1);
    n = fread(p, 1, ZF_SIGN_MAX_PEM + 1, f);
    fclose(f);
    if (n > ZF_SIGN_MAX_PEM) {
        free(p);
        errno = EFBIG;
        return -1;
    }
    p[n] = '\0';
    *out = p;
    *out_len = n;
    return 0;
}

static void fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* Loads the department's seal key, creating it on first use: written to a
 * temporary file (0600), fsynced, then linked to its name — link fails if
 * another thread or process got there first, and then theirs is used — so
 * a department never has two keys by accident. */
static int seal_key(zf_sign_key **out, const char *data_dir, int64_t dept, zf_err *err)
{
    char dir[4096], path[4200], tmp[4300], *pem = NULL;
    zf_sign_key *k = NULL;
    zf_buf priv = ZF_BUF_INIT;
    size_t n = 0;
    int rc = 0, fd = -1;

    *out = NULL;
    tmp[0] = '\0';
    if (!data_dir || !*data_dir)
        return zf_err_set(err, ZF_EINTERNAL, "seal_key_missing", NULL, "未配置数据目录，无法使用电子印章");
    snprintf(dir, sizeof dir, "%s/seals", data_dir);
    snprintf(path, sizeof path, "%s/%lld.key", dir, (long long)dept);
    if (read_small(&pem, &n, path) == 0)
        goto load;
    if (errno != ENOENT)
        return zf_err_set(err, ZF_EIO, "seal_key_unreadable", NULL, "无法读取电子印章密钥：%s", strerror(errno));
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return zf_err_set(err, ZF_EIO, "seal_key_unwritable", NULL, "无法创建印章密钥目录：%s", strerror(errno));
    if ((rc = zf_sign_key_generate(&k, ZF_SIGN_SM2, err)) < 0 ||
        (rc = zf_sign_key_private_pem(&priv, k, err)) < 0)
        goto done;
    snprintf(tmp, sizeof tmp, "%s/.%lld.key.%ld.%u", dir, (long long)dept, (long)getpid(),
             (unsigned)randombytes_random());
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0 ||
        write(fd, priv.ptr, priv.len) != (ssize_t)priv.len || fsync(fd) < 0) {
        rc = zf_err_set(err, ZF_EIO, "seal_key_unwritable", NULL, "无法写入电子印章密钥：%s", strerror(errno));
        goto done;
    }
    close(fd);
    fd = -1;
    if (link(tmp, path) < 0 && errno != EEXIST) {
        rc = zf_err_set(err, ZF_EIO, "seal_key_unwritable", NULL, "无法保存电子印章密钥：%s", strerror(errno));
        goto done;
    }
    unlink(tmp);
    tmp[0] = '\0';
    fsync_dir(dir);
    zf_sign_key_free(k);
    k = NULL;
    if (read_small(&pem, &n, path) < 0) {
        rc = zf_err_set(err, ZF_EIO, "seal_key_unreadable", NULL, "无法读取电子印章密钥：%s", strerror(errno));
        goto done;
    }
load:
    if ((rc = zf_sign_key_from_pem(&k, pem, n, err)) < 0)
        goto done;
    if (!zf_sign_key_has_private(k)) {
        rc = zf_err_set(err, ZF_EINVAL, "seal_key_invalid", NULL, "电子印章密钥文件不是私钥");
        goto done;
    }
    *out = k;
    k = NULL;
done:
    if (fd >= 0)
        close(fd);
    if (rc < 0 && tmp[0])
        unlink(tmp);
    if (priv.ptr)
        sodium_memzero(priv.ptr, priv.len);
    zf_buf_free(&priv);
    if (pem) {
        sodium_memzero(pem, n);
        free(pem);
    }
    zf_sign_key_free(k);
    return rc;
}

int zf_doc_seal_get(zf_doc_seal *out, zf_db *db, int64_t doc_id, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT s.id, s.document_id, s.department_id, s.key_id, k.algorithm, "
                            "s.content_sha256, s.signature, s.sealed_by, s.sealed_at, k.public_key "
                            "FROM document_seals s JOIN seal_keys k ON k.key_id = s.key_id "
                            "WHERE s.document_id = $1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, doc_id);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        out->id = zf_stmt_int64(st, 0);
        out->document_id = zf_stmt_int64(st, 1);
        out->department_id = zf_stmt_int64(st, 2);
        copy(out->key_id, sizeof out->key_id, zf_stmt_text(st, 3));
        copy(out->algorithm, sizeof out->algorithm, zf_stmt_text(st, 4));
        copy(out->content_sha256, sizeof out->content_sha256, zf_stmt_text(st, 5));
        copy(out->signature, sizeof out->signature, zf_stmt_text(st, 6));
        out->sealed_by = zf_stmt_int64(st, 7);
        out->sealed_at = zf_stmt_int64(st, 8);
        out->public_key = zf_strdup(zf_stmt_text(st, 9));
    }
    zf_stmt_free(st);
    return rc;
}

int zf_doc_seal_valid(const zf_doc_seal *s, const char *content_sha256)
{
    zf_sign_key *k = NULL;
    uint8_t sig[ZF_SIGN_MAX_SIG + 8];
    size_t len = 0, slen = strlen(s->signature);
    int ok = 0;

    if (!content_sha256 || strlen(content_sha256) != 64 || !s->public_key ||
        slen / 4 * 3 > sizeof sig ||
        zf_base64_decode(sig, &len, s->signature, slen) < 0 ||
        zf_sign_key_from_pem(&k, s->public_key, strlen(s->public_key), NULL) < 0)
        goto done;
    /* the stored key must be the one the seal names */
    if (strcmp(zf_sign_key_id(k), s->key_id) != 0)
        goto done;
    ok = zf_sign_verify(k, content_sha256, 64, sig, len, NULL) == 0;
done:
    zf_sign_key_free(k);
    return ok;
}

int zf_doc_seal_add(zf_doc_seal *out, zf_db *db, const char *data_dir, int64_t case_id,
                    int64_t doc_id, const zf_case_actor *who, int64_t now, zf_err *err)
{
    zf_case_doc d = {0};
    zf_sign_key *k = NULL;
    zf_stmt *st = NULL;
    zf_buf pub = ZF_BUF_INIT, b64 = ZF_BUF_INIT;
    uint8_t sig[ZF_SIGN_MAX_SIG];
    size_t sig_len = 0;
    int64_t dept = 0, sealed = 0;
    char sig_sha[65], detail[200], p0[24];
    const char *p[1] = {p0};
    int own = 0, rc;

    if (out)
        memset(out, 0, sizeof *out);
    /* the department and the document's state are checked again inside the
     * transaction; this first look only avoids creating a key for nothing */
    if ((rc = final_doc(&d, db, case_id, doc_id, err)) < 0)
        return rc;
    dept = d.department_id;
    zf_case_doc_clear(&d);
    if ((rc = seal_key(&k, data_dir, dept, err)) < 0 || (rc = zf_sign_key_public_pem(&pub, k, err)) < 0)
        goto out;
    if ((rc = tx_begin(db, &own, err)) < 0)
        goto out;
    if ((rc = zf_case_writable(NULL, db, case_id, err)) < 0 ||
        (rc = final_doc(&d, db, case_id, doc_id, err)) < 0)
        goto done;
    snprintf(p0, sizeof p0, "%lld", (long long)doc_id);
    if ((rc = zf_db_query_int64(db, &sealed,
                                "SELECT COUNT(*) FROM document_seals WHERE document_id = CAST($1 AS BIGINT)",
                                err, 1, p)) < 0)
        goto done;
    if (sealed) {
        rc = zf_err_set(err, ZF_ECONFLICT, "already_sealed", NULL, "该文书已加盖电子印章");
        goto done;
    }
    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO seal_keys (key_id, department_id, algorithm, public_key, created_at) "
                            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key_id) DO NOTHING",
                            err)) < 0)
        goto done;
    zf_stmt_bind_text(st, 1, zf_sign_key_id(k), -1);
    zf_stmt_bind_int64(st, 2, d.department_id);
    zf_stmt_bind_text(st, 3, zf_sign_alg_name(zf_sign_key_alg(k)), -1);
    zf_stmt_bind_text(st, 4, zf_buf_str(&pub), -1);
    zf_stmt_bind_int64(st, 5, now);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0 || (rc = zf_sign(sig, &sig_len, k, d.content_sha256, 64, err)) < 0 ||
        (rc = zf_base64_encode(&b64, sig, sig_len)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO document_seals (document_id, department_id, key_id, content_sha256, "
                            "signature, sealed_by, sealed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, doc_id);
    zf_stmt_bind_int64(st, 2, d.department_id);
    zf_stmt_bind_text(st, 3, zf_sign_key_id(k), -1);
    zf_stmt_bind_text(st, 4, d.content_sha256, -1);
    zf_stmt_bind_text(st, 5, zf_buf_str(&b64), -1);
    zf_stmt_bind_int64(st, 6, who->user_id);
    zf_stmt_bind_int64(st, 7, now);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    sha256_hex(sig_sha, sig, sig_len);
    snprintf(detail, sizeof detail, "case_id=%lld; key_id=%s", (long long)case_id, zf_sign_key_id(k));
    rc = audit(db, who, now, "document_seal", doc_id, detail, sig_sha, err);
done:
    rc = tx_end(db, own, rc < 0 ? rc : 0, err);
    if (rc == 0 && out) {
        int got = zf_doc_seal_get(out, db, doc_id, err);

        rc = got < 0 ? got : 0;
    }
out:
    zf_case_doc_clear(&d);
    zf_buf_free(&pub);
    zf_buf_free(&b64);
    zf_sign_key_free(k);
    return rc;
}
