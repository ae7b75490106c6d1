/* complaint_store.c — see complaint_store.h. */
#include "store/complaint_store.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob/blob.h"
#include "core/deadline.h"
#include "ledger/sm3.h"
#include "store/audit.h"
#include "store/calendar_store.h"
#include "util/buf.h"

/* A clock turns yellow this many working days before it runs out. */
#define DUE_SOON_WORKDAYS 3
/* How often a fresh number is drawn when it is (astronomically unlikely)
 * already taken. */
#define NUMBER_TRIES 5

static pthread_mutex_t files_mu = PTHREAD_MUTEX_INITIALIZER;
static zf_blob_store *files;

zf_blob_store *zf_complaint_files(const char *data_dir, zf_err *err)
{
    char path[4096];

    pthread_mutex_lock(&files_mu);
    if (!files) {
        snprintf(path, sizeof path, "%s/complaint-files", data_dir);
        if (zf_blob_store_open(&files, path, NULL, err) < 0)
            files = NULL;
    }
    pthread_mutex_unlock(&files_mu);
    return files;
}

static void hash_hex(char out[65], const char *s)
{
    uint8_t d[ZF_DIGEST_LEN];

    zf_sha256(d, s, strlen(s));
    zf_hex_encode(out, d, sizeof d);
}

static int audit(zf_db *db, const zf_complaint_who *who, const char *action, int64_t id,
                 const char *detail, int64_t now, zf_err *err)
{
    zf_audit_event ev = {0};
    char oid[24];

    snprintf(oid, sizeof oid, "%lld", (long long)id);
    ev.at = now;
    ev.actor_id = who->user_id;
    ev.actor_name = who->username ? who->username : "";
    ev.action = action;
    ev.object_type = ZF_COMPLAINT_OBJECT;
    ev.object_id = oid;
    ev.ip = who->ip;
    ev.request_id = who->request_id;
    ev.detail = detail;
    return zf_audit_write(db, &ev, err);
}

static int add_event(zf_db *db, int64_t id, int64_t actor, const char *action, const char *note,
                     int is_public, int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO complaint_events (complaint_id, at, actor_id, action, note, public) "
                            "VALUES ($1, $2, $3, $4, $5, $6)",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    zf_stmt_bind_int64(st, 2, now);
    if (actor)
        zf_stmt_bind_int64(st, 3, actor);
    else
        zf_stmt_bind_null(st, 3);
    zf_stmt_bind_text(st, 4, action, -1);
    zf_stmt_bind_text(st, 5, note ? note : "", -1);
    zf_stmt_bind_int64(st, 6, is_public);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

/* The end of every change: its event, its audit row and ledger event, and
 * the commit of the caller's transaction. */
static int record_and_commit(zf_db *db, const zf_complaint_who *who, int64_t id, const char *event,
                             const char *note, int is_public, const char *audit_action,
                             const char *detail, int64_t now, zf_err *err)
{
    int rc;

    if ((rc = add_event(db, id, who->user_id, event, note, is_public, now, err)) < 0 ||
        (rc = audit(db, who, audit_action, id, detail, now, err)) < 0)
        return rc;
    return zf_db_commit(db, err);
}

/* One integer from a query with text/int parameters bound as text. */
static int query_id(int64_t *out, zf_db *db, const char *sql, const char *a, int64_t b, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    *out = 0;
    if ((rc = zf_db_prepare(&st, db, sql, err)) < 0)
        return rc;
    zf_stmt_bind_text(st, 1, a, -1);
    zf_stmt_bind_int64(st, 2, b);
    if ((rc = zf_stmt_step(st, err)) == 1)
        *out = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

/* One integer from a query with one integer parameter. */
static int query_int(int64_t *out, zf_db *db, const char *sql, int64_t a, int64_t b, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    *out = 0;
    if ((rc = zf_db_prepare(&st, db, sql, err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, a);
    zf_stmt_bind_int64(st, 2, b);
    if ((rc = zf_stmt_step(st, err)) == 1)
        *out = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

/* The rate limit: submissions from addr in the last hour, after dropping
 * rows older than a day (nothing reads them any more). */
static int rate_check(zf_db *db, const char *addr_hash, int limit, int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    int64_t n = 0;
    int rc;

    if ((rc = zf_db_prepare(&st, db, "DELETE FROM complaint_submissions WHERE at < $1", err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, now - 86400);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    if ((rc = query_id(&n, db,
                       "SELECT COUNT(*) FROM complaint_submissions WHERE addr_hash = $1 AND at > $2",
                       addr_hash, now - 3600, err)) < 0)
        return rc;
    if (limit > 0 && n >= limit)
        return zf_err_set(err, ZF_ELOCKED, "rate_limited", NULL,
                          "同一网络地址一小时内最多提交 %d 件投诉，请稍后再试", limit);
    if ((rc = zf_db_prepare(&st, db, "INSERT INTO complaint_submissions (addr_hash, at) VALUES ($1, $2)",
                            err)) < 0)
        return rc;
    zf_stmt_bind_text(st, 1, addr_hash, -1);
    zf_stmt_bind_int64(st, 2, now);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

int zf_complaint_store_submit(char out_no[ZF_COMPLAINT_NO_LEN + 1],
                              char out_code[ZF_COMPLAINT_CODE_LEN + 1], int64_t *out_id, zf_db *db,
                              const zf_calendar *cal, const zf_complaint_new *in,
                              const zf_complaint_who *who, int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    uint8_t rnd[ZF_COMPLAINT_RANDOM];
    char addr_hash[65], code_hash[65], salted[128], due[ZF_DATE_STRLEN];
    int64_t dept = 0, officer = 0, case_id = 0, id = 0, clock_id = 0;
    zf_date today = zf_calendar_store_today(now);
    zf_clock_row row;
    int rc, y, m, d, tries;

    *out_id = 0;
    zf_date_to_ymd(today, &y, &m, &d);
    snprintf(salted, sizeof salted, "complaint-addr:%s", in->addr ? in->addr : "");
    hash_hex(addr_hash, salted);
    if ((rc = zf_db_begin(db, err)) < 0)
        return rc;
    if ((rc = query_int(&dept, db, "SELECT id FROM departments WHERE id = $1 AND $2 = 0",
                        in->department_id, 0, err)) < 0)
        goto fail;
    if (!dept) {
        rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "department_id", "请选择被投诉的执法部门");
        goto fail;
    }
    if ((rc = rate_check(db, addr_hash, in->rate_limit, now, err)) < 0)
        goto fail;
    /* link what the complainant named, when it names something of that
     * department; the text is kept as written either way */
    if (*in->subject_text && strcmp(in->subject_kind, "officer") == 0 &&
        (rc = query_id(&officer, db,
                       "SELECT id FROM officers WHERE certificate_no = $1 AND department_id = $2",
                       in->subject_text, dept, err)) < 0)
        goto fail;
    if (*in->subject_text && strcmp(in->subject_kind, "case") == 0 &&
        (rc = query_id(&case_id, db, "SELECT id FROM cases WHERE case_no = $1 AND department_id = $2",
                       in->subject_text, dept, err)) < 0)
        goto fail;
    for (tries = 0; tries < NUMBER_TRIES; tries++) {
        int64_t taken = 0;

        randombytes_buf(rnd, sizeof rnd);
        zf_complaint_no_make(out_no, y, rnd);
        if ((rc = query_id(&taken, db, "SELECT COUNT(*) FROM complaints WHERE tracking_no = $1 AND $2 = 0",
                           out_no, 0, err)) < 0)
            goto fail;
        if (!taken)
            break;
    }
    if (tries == NUMBER_TRIES) {
        rc = zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "无法生成投诉编号，请稍后再试");
        goto fail;
    }
    randombytes_buf(rnd, sizeof rnd);
    zf_complaint_code_make(out_code, rnd);
    /* the code is hashed with the number, so equal codes hash apart */
    snprintf(salted, sizeof salted, "%s:%s", out_no, out_code);
    hash_hex(code_hash, salted);
    sodium_memzero(rnd, sizeof rnd);
    if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO complaints (tracking_no, query_hash, department_id, subject_kind, "
                            "subject_text, officer_id, case_id, content, name, phone, email, created_at, "
                            "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) "
                            "RETURNING id",
                            err)) < 0)
        goto fail;
    zf_stmt_bind_text(st, 1, out_no, -1);
    zf_stmt_bind_text(st, 2, code_hash, -1);
    zf_stmt_bind_int64(st, 3, dept);
    zf_stmt_bind_text(st, 4, in->subject_kind, -1);
    zf_stmt_bind_text(st, 5, in->subject_text, -1);
    if (officer)
        zf_stmt_bind_int64(st, 6, officer);
    else
        zf_stmt_bind_null(st, 6);
    if (case_id)
        zf_stmt_bind_int64(st, 7, case_id);
    else
        zf_stmt_bind_null(st, 7);
    zf_stmt_bind_text(st, 8, in->content, -1);
    zf_stmt_bind_text(st, 9, in->name, -1);
    zf_stmt_bind_text(st, 10, in->phone, -1);
    zf_stmt_bind_text(st, 11, in->email, -1);
    zf_stmt_bind_int64(st, 12, now);
    if ((rc = zf_stmt_step(st, err)) == 1)
        id = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto fail;
    for (size_t i = 0; i < in->n_files && i < ZF_COMPLAINT_MAX_FILES; i++) {
        if ((rc = zf_db_prepare(&st, db,
                                "INSERT INTO complaint_attachments (complaint_id, sha256, size, filename, "
                                "content_type) VALUES ($1, $2, $3, $4, $5)",
                                err)) < 0)
            goto fail;
        zf_stmt_bind_int64(st, 1, id);
        zf_stmt_bind_text(st, 2, in->files[i].sha256, -1);
        zf_stmt_bind_int64(st, 3, in->files[i].size);
        zf_stmt_bind_text(st, 4, in->files[i].filename, -1);
        zf_stmt_bind_text(st, 5, in->files[i].content_type, -1);
        rc = zf_stmt_step(st, err);
        zf_stmt_free(st);
        st = NULL;
        if (rc < 0)
            goto fail;
    }
    if ((rc = zf_clock_store_start(&clock_id, db, cal, ZF_COMPLAINT_RULE, ZF_COMPLAINT_OBJECT, id, dept,
                                   today, now, err)) < 0 ||
        (rc = zf_clock_store_get(&row, db, clock_id, err)) < 0)
        goto fail;
    if ((rc = zf_db_prepare(&st, db, "UPDATE complaints SET clock_id = $1, due_date = $2 WHERE id = $3",
                            err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, clock_id);
    zf_stmt_bind_text(st, 2, zf_date_format(due, row.clock.due), -1);
    zf_stmt_bind_int64(st, 3, id);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0 ||
        (rc = record_and_commit(db, who, id, "submit", "", 1, "complaint_submit", "portal", now, err)) < 0)
        goto fail;
    *out_id = id;
    return 0;
fail:
    zf_stmt_free(st);
    zf_db_rollback(db);
    return rc;
}

/* ---- reading ---- */

static const char *action_name(const char *code)
{
    const zf_complaint_action *a = zf_complaint_action_find(code);

    if (a)
        return a->name;
    if (strcmp(code, "submit") == 0)
        return "收到投诉";
    if (strcmp(code, "personal_view") == 0)
        return "查看投诉人信息";
    return code;
}

static json_t *date_of(int64_t at)
{
    char s[ZF_DATE_STRLEN];

    return json_string(zf_date_format(s, zf_calendar_store_today(at)));
}

/* The events of complaint id (public ones only when public_only). */
static int events_json(json_t **out, zf_db *db, int64_t id, int public_only, zf_err *err)
{
    zf_stmt *st = NULL;
    json_t *a = json_array();
    int rc;

    *out = NULL;
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT e.at, e.action, e.note, e.public, COALESCE(u.display_name, ''), "
                            "COALESCE(e.actor_id, 0) FROM complaint_events e LEFT JOIN users u ON u.id = "
                            "e.actor_id WHERE e.complaint_id = $1 AND ($2 = 0 OR e.public = 1) ORDER BY "
                            "e.at, e.id",
                            err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, id);
    zf_stmt_bind_int64(st, 2, public_only);
    while ((rc = zf_stmt_step(st, err)) == 1) {
        json_t *e = json_object();
        const char *act = zf_stmt_text(st, 1);

        json_object_set_new(e, "at", json_integer(zf_stmt_int64(st, 0)));
        json_object_set_new(e, "date", date_of(zf_stmt_int64(st, 0)));
        json_object_set_new(e, "action", json_string(act));
        json_object_set_new(e, "action_name", json_string(action_name(act)));
        json_object_set_new(e, "note", json_string(zf_stmt_text(st, 2)));
        if (!public_only) {
            json_object_set_new(e, "public", json_boolean(zf_stmt_int64(st, 3)));
            json_object_set_new(e, "actor", json_string(zf_stmt_text(st, 4)));
            json_object_set_new(e, "actor_id", json_integer(zf_stmt_int64(st, 5)));
        }
        json_array_append_new(a, e);
    }
done:
    zf_stmt_free(st);
    if (rc < 0) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return 0;
}

int zf_complaint_store_track(json_t **out, zf_db *db, const char *tracking_no, const char *code,
                             zf_err *err)
{
    zf_stmt *st = NULL;
    char salted[128], want[65];
    json_t *o = NULL, *ev = NULL;
    int64_t id = 0;
    int rc;

    *out = NULL;
    snprintf(salted, sizeof salted, "%s:%s", tracking_no, code);
    hash_hex(want, salted);
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT c.id, c.query_hash, c.tracking_no, d.name, c.status, c.created_at, "
                            "COALESCE(c.due_date, ''), c.reply, COALESCE(c.replied_at, 0), c.subject_kind "
                            "FROM complaints c JOIN departments d ON d.id = c.department_id WHERE "
                            "c.tracking_no = $1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_text(st, 1, tracking_no, -1);
    if ((rc = zf_stmt_step(st, err)) < 0)
        goto done;
    /* the hash is compared in constant time even when the number is unknown */
    if (sodium_memcmp(rc == 1 ? zf_stmt_text(st, 1) : "................................................................",
                      want, 64) != 0 ||
        rc == 0) {
        rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "投诉编号或查询码不正确，请核对后重试");
        goto done;
    }
    id = zf_stmt_int64(st, 0);
    o = json_object();
    json_object_set_new(o, "tracking_no", json_string(zf_stmt_text(st, 2)));
    json_object_set_new(o, "department", json_string(zf_stmt_text(st, 3)));
    json_object_set_new(o, "status", json_string(zf_stmt_text(st, 4)));
    json_object_set_new(o, "status_name", json_string(zf_complaint_status_name(zf_stmt_text(st, 4))));
    json_object_set_new(o, "received", date_of(zf_stmt_int64(st, 5)));
    json_object_set_new(o, "due_date", json_string(zf_stmt_text(st, 6)));
    json_object_set_new(o, "reply", json_string(zf_stmt_text(st, 7)));
    if (zf_stmt_int64(st, 8))
        json_object_set_new(o, "replied", date_of(zf_stmt_int64(st, 8)));
    json_object_set_new(o, "subject_kind", json_string(zf_stmt_text(st, 9)));
    zf_stmt_free(st);
    st = NULL;
    if ((rc = events_json(&ev, db, id, 1, err)) < 0)
        goto done;
    json_object_set_new(o, "events", ev);
    *out = o;
    o = NULL;
    rc = 0;
done:
    zf_stmt_free(st);
    json_decref(o);
    return rc;
}

int64_t zf_complaint_store_department(zf_db *db, int64_t id, zf_err *err)
{
    int64_t dept = 0;
    int rc = query_int(&dept, db, "SELECT department_id FROM complaints WHERE id = $1 AND $2 = 0", id, 0, err);

    return rc < 0 ? rc : dept;
}

int zf_complaint_store_is_handler(zf_db *db, int64_t id, int64_t user_id, int is_supervisor,
                                  int is_head, int64_t user_dept, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, db, "SELECT department_id, COALESCE(handler_id, 0) FROM complaints WHERE id = $1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    if ((rc = zf_stmt_step(st, err)) == 1)
        rc = is_supervisor || (is_head && zf_stmt_int64(st, 0) == user_dept) ||
             (user_id && zf_stmt_int64(st, 1) == user_id);
    else if (rc == 0)
        rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "找不到该投诉");
    zf_stmt_free(st);
    return rc;
}

/* ---- masking ---- */

/* A name: its first character, then one '*' per further character. */
static json_t *mask_name(const char *s)
{
    zf_buf b = ZF_BUF_INIT;
    size_t i = 0;
    json_t *v;

    if (!*s)
        return json_string("");
    do
        zf_buf_putc(&b, s[i++]);
    while (s[i] && ((unsigned char)s[i] & 0xc0) == 0x80);
    for (; s[i]; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            zf_buf_putc(&b, '*');
    v = json_string(zf_buf_str(&b));
    zf_buf_free(&b);
    return v;
}

/* A phone: the first 3 and last 4 digits when it is long enough, else all
 * stars. An e-mail: the first character and the domain. */
static json_t *mask_contact(const char *s, int email)
{
    size_t n = strlen(s), i;
    char out[256];
    const char *at;

    if (!n)
        return json_string("");
    if (n >= sizeof out)
        n = sizeof out - 1;
    if (email && (at = strchr(s, '@')) && at > s) {
        snprintf(out, sizeof out, "%c***%s", s[0], at);
        return json_string(out);
    }
    for (i = 0; i < n; i++)
        out[i] = (n >= 11 && (i < 3 || i >= n - 4)) ? s[i] : '*';
    out[n] = '\0';
    return json_string(out);
}

#define LIST_COLS                                                                                   \
    "c.id, c.tracking_no, c.department_id, d.name, c.subject_kind, c.subject_text, "               \
    "COALESCE(c.officer_id, 0), COALESCE(c.case_id, 0), c.content, c.name, c.phone, c.email, "     \
    "c.status, COALESCE(c.handler_id, 0), COALESCE(u.display_name, ''), c.reply, "                 \
    "COALESCE(c.clock_id, 0), COALESCE(c.due_date, ''), c.created_at, c.updated_at, "              \
    "COALESCE(c.closed_at, 0)"

static void deadline_json(json_t *o, zf_db *db, const zf_calendar *cal, int64_t clock_id, zf_date today)
{
    zf_clock_row row;
    int left;

    if (!cal || clock_id <= 0 || zf_clock_store_get(&row, db, clock_id, NULL) < 0)
        return;
    json_object_set_new(o, "deadline_state", json_string(zf_clock_state_code(
                                                 zf_clock_state_at(&row.clock, cal, today, DUE_SOON_WORKDAYS))));
    if (row.clock.done == ZF_DATE_NONE && zf_clock_workdays_left(&left, &row.clock, cal, today, NULL) == 0)
        json_object_set_new(o, "workdays_left", json_integer(left));
}

static json_t *row_json(zf_stmt *st, zf_db *db, const zf_calendar *cal, zf_date today)
{
    json_t *o = json_object(), *p = json_object();
    const char *status = zf_stmt_text(st, 12);

    json_object_set_new(o, "id", json_integer(zf_stmt_int64(st, 0)));
    json_object_set_new(o, "tracking_no", json_string(zf_stmt_text(st, 1)));
    json_object_set_new(o, "department_id", json_integer(zf_stmt_int64(st, 2)));
    json_object_set_new(o, "department", json_string(zf_stmt_text(st, 3)));
    json_object_set_new(o, "subject_kind", json_string(zf_stmt_text(st, 4)));
    json_object_set_new(o, "subject_text", json_string(zf_stmt_text(st, 5)));
    json_object_set_new(o, "officer_id", zf_stmt_int64(st, 6) ? json_integer(zf_stmt_int64(st, 6)) : json_null());
    json_object_set_new(o, "case_id", zf_stmt_int64(st, 7) ? json_integer(zf_stmt_int64(st, 7)) : json_null());
    json_object_set_new(o, "content", json_string(zf_stmt_text(st, 8)));
    json_object_set_new(p, "name", mask_name(zf_stmt_text(st, 9)));
    json_object_set_new(p, "phone", mask_contact(zf_stmt_text(st, 10), 0));
    json_object_set_new(p, "email", mask_contact(zf_stmt_text(st, 11), 1));
    json_object_set_new(p, "masked", json_true());
    json_object_set_new(o, "complainant", p);
    json_object_set_new(o, "status", json_string(status));
    json_object_set_new(o, "status_name", json_string(zf_complaint_status_name(status)));
    json_object_set_new(o, "handler_id", zf_stmt_int64(st, 13) ? json_integer(zf_stmt_int64(st, 13)) : json_null());
    json_object_set_new(o, "handler", json_string(zf_stmt_text(st, 14)));
    json_object_set_new(o, "reply", json_string(zf_stmt_text(st, 15)));
    json_object_set_new(o, "due_date", json_string(zf_stmt_text(st, 17)));
    json_object_set_new(o, "created_at", json_integer(zf_stmt_int64(st, 18)));
    json_object_set_new(o, "received", date_of(zf_stmt_int64(st, 18)));
    json_object_set_new(o, "updated_at", json_integer(zf_stmt_int64(st, 19)));
    deadline_json(o, db, cal, zf_stmt_int64(st, 16), today);
    return o;
}

int zf_complaint_store_list(json_t **out, zf_db *db, const zf_calendar *cal,
                            const zf_complaint_filter *f, zf_date today, zf_err *err)
{
    zf_stmt *st = NULL;
    json_t *items = json_array(), *o;
    char today_s[ZF_DATE_STRLEN];
    const char *status = f->status ? f->status : "";
    int64_t total = 0;
    int rc;
    /* overdue: an open complaint whose due date has passed (the due date is
     * the clock's; a paused clock has none and is never overdue) */
    static const char *const WHERE =
        " FROM complaints c JOIN departments d ON d.id = c.department_id LEFT JOIN users u ON "
        "u.id = c.handler_id WHERE ($1 = 0 OR c.department_id = $1) AND ($2 = '' OR ($2 = 'open' AND "
        "c.status NOT IN ('closed', 'rejected', 'replied')) OR c.status = $2) AND ($3 = 0 OR "
        "c.handler_id = $3) AND ($4 = 0 OR (c.status IN ('submitted', 'accepted', 'investigating') "
        "AND c.due_date < $5))";
    zf_buf sql = ZF_BUF_INIT;

    *out = NULL;
    zf_date_format(today_s, today);
    zf_buf_printf(&sql, "SELECT COUNT(*)%s", WHERE);
    if ((rc = zf_db_prepare(&st, db, zf_buf_str(&sql), err)) < 0)
        goto done;
#define BIND_FILTER()                                    \
    zf_stmt_bind_int64(st, 1, f->department_id);         \
    zf_stmt_bind_text(st, 2, status, -1);                \
    zf_stmt_bind_int64(st, 3, f->handler_id);            \
    zf_stmt_bind_int64(st, 4, f->overdue_only ? 1 : 0);  \
    zf_stmt_bind_text(st, 5, today_s, -1)
    BIND_FILTER();
    if ((rc = zf_stmt_step(st, err)) == 1)
        total = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    zf_buf_reset(&sql);
    zf_buf_printf(&sql,
                  "SELECT " LIST_COLS "%s ORDER BY CASE WHEN c.status IN ('closed', 'rejected') THEN 1 "
                  "ELSE 0 END, c.due_date, c.id DESC LIMIT $6 OFFSET $7",
                  WHERE);
    if ((rc = zf_db_prepare(&st, db, zf_buf_str(&sql), err)) < 0)
        goto done;
    BIND_FILTER();
#undef BIND_FILTER
    zf_stmt_bind_int64(st, 6, f->per_page);
    zf_stmt_bind_int64(st, 7, (f->page - 1) * f->per_page);
    while ((rc = zf_stmt_step(st, err)) == 1)
        json_array_append_new(items, row_json(st, db, cal, today));
    if (rc < 0)
        goto done;
    o = json_object();
    json_object_set_new(o, "items", items);
    items = NULL;
    json_object_set_new(o, "total", json_integer(total));
    json_object_set_new(o, "page", json_integer(f->page));
    json_object_set_new(o, "per_page", json_integer(f->per_page));
    *out = o;
    rc = 0;
done:
    zf_stmt_free(st);
    zf_buf_free(&sql);
    json_decref(items);
    return rc;
}

int zf_complaint_store_get(json_t **out, zf_db *db, const zf_calendar *cal, int64_t id,
                           zf_date today, zf_err *err)
{
    zf_stmt *st = NULL;
    json_t *o = NULL, *ev = NULL;
    int rc;

    *out = NULL;
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT " LIST_COLS " FROM complaints c JOIN departments d ON d.id = "
                            "c.department_id LEFT JOIN users u ON u.id = c.handler_id WHERE c.id = $1",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    if ((rc = zf_stmt_step(st, err)) == 1)
        o = row_json(st, db, cal, today);
    else if (rc == 0)
        rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "找不到该投诉");
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    if ((rc = events_json(&ev, db, id, 0, err)) < 0) {
        json_decref(o);
        return rc;
    }
    json_object_set_new(o, "events", ev);
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT id, filename, size, content_type FROM complaint_attachments WHERE "
                            "complaint_id = $1 ORDER BY id",
                            err)) < 0) {
        json_decref(o);
        return rc;
    }
    zf_stmt_bind_int64(st, 1, id);
    ev = json_array();
    while ((rc = zf_stmt_step(st, err)) == 1)
        json_array_append_new(ev, json_pack("{s:I,s:s,s:I,s:s}", "id", (json_int_t)zf_stmt_int64(st, 0),
                                            "filename", zf_stmt_text(st, 1), "size",
                                            (json_int_t)zf_stmt_int64(st, 2), "content_type",
                                            zf_stmt_text(st, 3)));
    zf_stmt_free(st);
    json_object_set_new(o, "attachments", ev);
    if (rc < 0) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}

int zf_complaint_store_attachment(zf_complaint_file *out, zf_db *db, int64_t id, int64_t attachment_id,
                                  const char *reason, const zf_complaint_who *who, int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    char detail[320];
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = zf_db_begin(db, err)) < 0)
        return rc;
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT sha256, size, filename, content_type FROM complaint_attachments WHERE "
                            "id = $1 AND complaint_id = $2",
                            err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, attachment_id);
    zf_stmt_bind_int64(st, 2, id);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        snprintf(out->sha256, sizeof out->sha256, "%s", zf_stmt_text(st, 0));
        out->size = zf_stmt_int64(st, 1);
        snprintf(out->filename, sizeof out->filename, "%s", zf_stmt_text(st, 2));
        /* one of the three static type names, never user text */
        out->content_type = strcmp(zf_stmt_text(st, 3), "application/pdf") == 0 ? "application/pdf"
                            : strcmp(zf_stmt_text(st, 3), "image/png") == 0 ? "image/png"
                                                                              : "image/jpeg";
    } else if (rc == 0) {
        rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "找不到该附件");
    }
    zf_stmt_free(st);
    if (rc < 0)
        goto fail;
    snprintf(detail, sizeof detail, "attachment=%lld; reason=%s", (long long)attachment_id, reason);
    {
        zf_audit_event ev = {0};
        char oid[24];

        snprintf(oid, sizeof oid, "%lld", (long long)id);
        ev.at = now;
        ev.actor_id = who->user_id;
        ev.actor_name = who->username ? who->username : "";
        ev.action = "complaint_attachment_view";
        ev.object_type = ZF_COMPLAINT_OBJECT;
        ev.object_id = oid;
        ev.ip = who->ip;
        ev.request_id = who->request_id;
        ev.detail = detail;
        ev.content_sha256 = out->sha256;
        if ((rc = zf_audit_write(db, &ev, err)) < 0 || (rc = zf_db_commit(db, err)) < 0)
            goto fail;
    }
    return 0;
fail:
    zf_db_rollback(db);
    return rc;
}

int zf_complaint_store_reveal(json_t **out, zf_db *db, int64_t id, const char *reason,
                              const zf_complaint_who *who, int64_t now, zf_err *err)
{
    zf_stmt *st = NULL;
    zf_buf detail = ZF_BUF_INIT;
    json_t *o = NULL;
    int rc;

    *out = NULL;
    if ((rc = zf_db_begin(db, err)) < 0)
        return rc;
    if ((rc = zf_db_prepare(&st, db, "SELECT name, phone, email FROM complaints WHERE id = $1", err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, id);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        o = json_object();
        json_object_set_new(o, "name", json_string(zf_stmt_text(st, 0)));
        json_object_set_new(o, "phone", json_string(zf_stmt_text(st, 1)));
        json_object_set_new(o, "email", json_string(zf_stmt_text(st, 2)));
        json_object_set_new(o, "masked", json_false());
    } else if (rc == 0) {
        rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "找不到该投诉");
    }
    zf_stmt_free(st);
    if (rc < 0)
        goto fail;
    /* the look is on the record before the data leaves */
    zf_buf_printf(&detail, "complainant; reason=%s", reason);
    if ((rc = record_and_commit(db, who, id, "personal_view", reason, 0, "complaint_personal_view",
                                zf_buf_str(&detail), now, err)) < 0)
        goto fail;
    zf_buf_free(&detail);
    *out = o;
    return 0;
fail:
    zf_buf_free(&detail);
    json_decref(o);
    zf_db_rollback(db);
    return rc;
}

int zf_complaint_store_act(zf_db *db, const zf_calendar *cal, int64_t id, const char *action,
                           unsigned by, const char *note, int64_t handler_id,
                           const zf_complaint_who *who, int64_t now, zf_err *err)
{
    const zf_complaint_action *a = zf_complaint_action_find(action);
    zf_stmt *st = NULL;
    char status[32] = "", detail[96], audit_action[48];
    const char *next;
    int64_t dept = 0, clock_id = 0, ok = 0;
    int rc;

    if (!a)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "action", "未知的处理操作");
    if (a->needs_note && (!note || !*note))
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "note",
                          strcmp(action, "reply") == 0 ? "请填写答复内容" : "请填写说明");
    if (strcmp(action, "assign") == 0 && handler_id <= 0)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "handler_id", "请选择承办人");
    if (!(a->actors & by))
        return zf_err_set(err, ZF_EPERM, "forbidden", NULL,
                          "只有部门负责人、司法局监督人员%s可以执行“%s”", a->actors & ZF_COMPLAINT_BY_HANDLER ?
                          "或承办人" : "", a->name);
    if ((rc = zf_db_begin(db, err)) < 0)
        return rc;
    if ((rc = zf_db_prepare(&st, db, "SELECT status, department_id, COALESCE(clock_id, 0) FROM complaints "
                                     "WHERE id = $1",
                            err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, id);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        snprintf(status, sizeof status, "%s", zf_stmt_text(st, 0));
        dept = zf_stmt_int64(st, 1);
        clock_id = zf_stmt_int64(st, 2);
    } else if (rc == 0) {
        rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "找不到该投诉");
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto fail;
    if (!(next = zf_complaint_next_status(status, action))) {
        rc = zf_err_set(err, ZF_ECONFLICT, "invalid_state", "action", "投诉当前状态为“%s”，不能%s",
                        zf_complaint_status_name(status), a->name);
        goto fail;
    }
    if (strcmp(action, "assign") == 0) {
        if ((rc = query_int(&ok, db,
                            "SELECT COUNT(*) FROM users WHERE id = $1 AND department_id = $2 "
                            "AND role IN ('officer', 'head') AND disabled = 0",
                            handler_id, dept, err)) < 0)
            goto fail;
        if (!ok) {
            rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "handler_id",
                            "承办人应为本部门在职的执法人员或负责人");
            goto fail;
        }
    }
    if ((rc = zf_db_prepare(&st, db,
                            "UPDATE complaints SET status = $1, updated_at = $2, handler_id = CASE WHEN $3 > 0 "
                            "THEN $3 ELSE handler_id END, reply = CASE WHEN $4 = 1 THEN $5 ELSE reply END, "
                            "replied_at = CASE WHEN $4 = 1 THEN $2 ELSE replied_at END, closed_at = CASE WHEN "
                            "$1 IN ('closed', 'rejected') THEN $2 ELSE closed_at END WHERE id = $6",
                            err)) < 0)
        goto fail;
    zf_stmt_bind_text(st, 1, next, -1);
    zf_stmt_bind_int64(st, 2, now);
    zf_stmt_bind_int64(st, 3, strcmp(action, "assign") == 0 ? handler_id : 0);
    zf_stmt_bind_int64(st, 4, strcmp(action, "reply") == 0 || strcmp(action, "reject") == 0);
    zf_stmt_bind_text(st, 5, note ? note : "", -1);
    zf_stmt_bind_int64(st, 6, id);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto fail;
    if (a->finishes_clock && clock_id > 0 &&
        (rc = zf_clock_store_finish(db, cal, clock_id, zf_calendar_store_today(now), now, err)) < 0)
        goto fail;
    snprintf(detail, sizeof detail, "%s -> %s", status, next);
    snprintf(audit_action, sizeof audit_action, "complaint_%s", action);
    if ((rc = record_and_commit(db, who, id, action, note, a->is_public, audit_action, detail, now, err)) < 0)
        goto fail;
    return 0;
fail:
    zf_stmt_free(st);
    zf_db_rollback(db);
    return rc;
}
