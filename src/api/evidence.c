/* evidence.c — the evidence store's JSON API (音像记录 and attachments,
 * issue 4) apart from the uploads themselves (evidence_upload.c): metadata,
 * lists, ranged downloads, linking to a case, the per-party view, retention
 * categories and the retention tick.
 *
 * Who may do what (declared in the route table, decided by zf_authz_check):
 *  - upload (officer, head): the file belongs to the uploader's department;
 *  - read metadata and content (officer, reviewer, head of the file's own
 *    department; the supervisor of the Justice Bureau anywhere). The
 *    administrator and the auditor never get evidence at all: they run the
 *    system and read the audit trail, not case material;
 *  - restricted files: 商业秘密 and 个人隐私 as above, 国家秘密 only for the
 *    department head and the supervisor; every download of a restricted
 *    file needs a `reason` (1-200 characters);
 *  - every download (restricted or not) appends an audit row, and so a
 *    ledger event, with the actor and the reason, committed before the
 *    first byte is sent; if it cannot be written nothing is sent.
 *
 * Write-once: content is never replaced (no route does), and of the metadata
 * only two things change after upload: case_id may be set once (linking to a
 * case, which makes the file permanent: expires_at becomes NULL), and the
 * secrecy label may be raised by the uploader's department or changed either
 * way by its head. Everything else (kind, times, officers, party ...) is as
 * recorded: a correction is a derivative naming its parent.
 *
 * Retention: expires_at = created_at + the category's months (routine 6).
 * The tick moves an expired file not linked to a case to the blob store's
 * trash (state 'trashed', audit 'evidence_trash'), then after
 * evidence_purge_grace_days (default 7) deletes the content (state
 * 'purged', audit 'evidence_purge'). The rows and ledger events stay. */
#include "api/evidence.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/blob_config.h"
#include "http/range.h"
#include "store/audit.h"
#include "util/log.h"
#include "util/mem.h"

/* ---- code tables ---- */

typedef struct code_name {
    const char *code, *name;
} code_name;

static const code_name KINDS[] = {
    {"audio", "音频"}, {"video", "视频"}, {"photo", "照片"}, {"scan", "扫描件"}, {"other", "其他"},
    {NULL, NULL},
};
static const code_name SECRECY[] = {
    {"none", "无"},
    {"state_secret", "国家秘密"},
    {"commercial_secret", "商业秘密"},
    {"personal_privacy", "个人隐私"},
    {NULL, NULL},
};
static const code_name DERIVATIONS[] = {
    {"redacted", "脱敏处理"}, {"transcoded", "转码"}, {"excerpt", "节选"}, {"other", "其他"},
    {NULL, NULL},
};
static const code_name STATES[] = {
    {"stored", "已存储"}, {"trashed", "已到期待删除"}, {"purged", "已删除"}, {NULL, NULL},
};

static const char *name_of(const code_name *t, const char *code)
{
    for (; t->code; t++)
        if (strcmp(t->code, code) == 0)
            return t->name;
    return NULL;
}

static int invalid(zf_err *err, const char *field, const char *msg)
{
    return zf_err_set(err, ZF_EINVAL, "validation_failed", field, "%s", msg);
}

/* ---- the blob store ---- */

static pthread_mutex_t store_mu = PTHREAD_MUTEX_INITIALIZER;
static zf_blob_store *the_store;

zf_blob_store *ev_store(const char *data_dir, zf_err *err)
{
    char path[PATH_MAX];
    size_t removed = 0;
    zf_blob_store *s;

    pthread_mutex_lock(&store_mu);
    if (!the_store) {
        /* DATA/evidence, or the bucket zhifa.conf names (blob_config.h) */
        if (zf_blob_open_configured(&s, data_dir, err) == 0) {
            /* nothing of this process writes yet: every temp file is a
             * leftover of a crash or a kill. A bucket may be shared by
             * several servers, whose uploads in progress are not ours to
             * remove: there only what is a day old goes (as in the tick). */
            if (zf_blob_sweep(&removed, s,
                              zf_blob_store_is_local(s) ? ZF_BLOB_SWEEP_ALL : time(NULL) - 86400, NULL) == 0 &&
                removed)
                zf_log_event("info", "evidence temp files removed at start", NULL, NULL, "count",
                             (long long)removed, NULL, 0);
            snprintf(path, sizeof path, "%s/evidence-uploads", data_dir);
            if (mkdir(path, 0750) < 0 && errno != EEXIST)
                zf_log_event("error", "cannot create evidence-uploads", "path", path, NULL, 0, NULL,
                             0);
            the_store = s;
        }
    }
    s = the_store;
    pthread_mutex_unlock(&store_mu);
    return s;
}

void ev_part_path(char *out, size_t n, const char *data_dir, const char *token)
{
    snprintf(out, n, "%s/evidence-uploads/%s.part", data_dir, token);
}

/* ---- small helpers ---- */

int64_t ev_setting_int(zf_db *db, const char *key, int64_t def)
{
    zf_stmt *st = NULL;
    int64_t v = def;
    char *end;

    if (zf_db_prepare(&st, db, "SELECT value FROM settings WHERE key = $1", NULL) < 0)
        return def;
    zf_stmt_bind_text(st, 1, key, -1);
    if (zf_stmt_step(st, NULL) == 1) {
        const char *s = zf_stmt_text(st, 0);
        long long x = strtoll(s, &end, 10);
        if (*s && !*end)
            v = x;
    }
    zf_stmt_free(st);
    return v;
}

int64_t ev_add_months(int64_t t, int months)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    tm.tm_mon += months;
    return (int64_t)timegm(&tm);
}

/* Strict UTF-8 without control characters (tab allowed); counts code points. */
static int utf8_ok(const char *s, size_t len, size_t *out_cp)
{
    size_t i = 0, n = 0;

    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t k, extra;
        uint32_t cp;
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t') || c == 0x7f)
                return 0;
            i++;
            n++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            extra = 1, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            extra = 2, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            extra = 3, cp = c & 0x07;
        else
            return 0;
        if (i + extra >= len)
            return 0;
        for (k = 1; k <= extra; k++) {
            unsigned char d = (unsigned char)s[i + k];
            if ((d & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (d & 0x3f);
        }
        if ((extra == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (extra == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return 0;
        i += extra + 1;
        n++;
    }
    if (out_cp)
        *out_cp = n;
    return 1;
}

int ev_reason(const char **out, zf_ctx *c, int required)
{
    const char *r = zf_ctx_query(c, "reason");
    size_t cp = 0;

    *out = NULL;
    if (r && !*r)
        r = NULL;
    if (!r)
        return required ? zf_err_set(&c->err, ZF_EINVAL, "reason_required", "reason",
                                     "查看该记录需要填写查阅事由（reason 参数）")
                        : 0;
    if (!utf8_ok(r, strlen(r), &cp) || cp > EV_REASON_MAX)
        return invalid(&c->err, "reason", "查阅事由应为不超过 200 个字符的文本");
    *out = r;
    return 0;
}

/* Parses a positive decimal int64. */
static int parse_i64(const char *s, size_t len, int64_t *out)
{
    int64_t v = 0;
    size_t i;

    if (len == 0 || len > 18)
        return -1;
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* RFC 3339 ("2026-03-01T09:30:00+08:00", "…Z", fraction ignored) or Unix
 * seconds. */
static int parse_time(const char *s, size_t len, int64_t *out)
{
    struct tm tm;
    int y, mo, d, h, mi, sec, n = 0, oh = 0, om = 0, sign = 1;
    char buf[64];
    const char *p;

    if (parse_i64(s, len, out) == 0)
        return 0;
    if (len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (sscanf(buf, "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 ||
        n != 19)
        return -1;
    p = buf + n;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p == '-' ? -1 : 1;
        if (strlen(p) != 6 || p[3] != ':' || sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
            return -1;
        p += 6;
    } else {
        return -1;
    }
    if (*p || y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        sec > 60 || oh > 23 || om > 59)
        return -1;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    *out = (int64_t)timegm(&tm) - sign * (oh * 3600 + om * 60);
    return 0;
}

/* ---- party identifiers ---- */

static int id_card_ok(const char *s)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char check[] = "10X98765432";
    int i, sum = 0;

    for (i = 0; i < 17; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        sum += (s[i] - '0') * w[i];
    }
    return s[17] == check[sum % 11];
}

static int uscc_ok(const char *s)
{
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static const int w[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    int i, sum = 0, v;
    const char *p;

    for (i = 0; i < 17; i++) {
        if (!(p = strchr(alphabet, s[i])) || !s[i])
            return 0;
        sum += (int)(p - alphabet) * w[i];
    }
    v = 31 - sum % 31;
    if (v == 31)
        v = 0;
    return s[17] == alphabet[v];
}

int ev_party_normalise(char out[EV_PARTY_MAX + 1], const char *in, zf_err *err)
{
    size_t i, len = strlen(in);

    if (len != 18)
        goto bad;
    for (i = 0; i < 18; i++) {
        char ch = in[i];
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z')))
            goto bad;
        out[i] = ch;
    }
    out[18] = '\0';
    if (id_card_ok(out) || uscc_ok(out))
        return 0;
bad:
    out[0] = '\0';
    return zf_err_set(err, ZF_EINVAL, "invalid_party_id", "party_id",
                      "当事人标识应为 18 位统一社会信用代码或身份证号码，且校验位正确");
}

/* First 4 and last 2 characters: enough to tell records apart on screen,
 * not enough to identify anyone. */
static void party_mask(char out[EV_PARTY_MAX + 1], const char *id)
{
    size_t len = strlen(id), i;

    if (len == 0) {
        out[0] = '\0';
        return;
    }
    for (i = 0; i < len && i < EV_PARTY_MAX; i++)
        out[i] = (i < 4 || i + 2 >= len) ? id[i] : '*';
    out[i] = '\0';
}

/* ---- metadata ---- */

typedef struct meta_field {
    const char *key;
    size_t off, cap; /* a char[] member; cap 0 = handled specially */
    size_t max_cp;
    const char *label;
} meta_field;

#define MF(k, cp, label) {#k, offsetof(ev_meta, k), sizeof(((ev_meta *)0)->k), cp, label}
static const meta_field META_TEXT[] = {
    MF(kind, 16, "类型"),
    MF(content_type, 100, "内容类型"),
    MF(filename, 200, "文件名"),
    MF(device, 100, "记录设备"),
    MF(location, 200, "地点"),
    MF(party_name, 100, "当事人名称"),
    MF(secrecy, 24, "密级标识"),
    MF(retention, 32, "保存期限类别"),
    MF(derivation, 16, "派生方式"),
    {NULL, 0, 0, 0, NULL},
};

int ev_meta_set(ev_meta *m, const char *key, const char *val, size_t len, int ignore_unknown,
                zf_err *err)
{
    const meta_field *f;
    size_t cp = 0;
    int64_t v;

    if (!utf8_ok(val, len, &cp))
        return zf_err_set(err, ZF_EINVAL, "validation_failed", key, "字段 %s 含有无效字符", key);
    for (f = META_TEXT; f->key; f++) {
        if (strcmp(f->key, key) != 0)
            continue;
        if (cp > f->max_cp || len >= f->cap)
            return zf_err_set(err, ZF_EINVAL, "validation_failed", key, "%s过长（最多 %zu 个字符）",
                              f->label, f->max_cp);
        memcpy((char *)m + f->off, val, len);
        ((char *)m + f->off)[len] = '\0';
        return 0;
    }
    if (strcmp(key, "officers") == 0) {
        if (len >= sizeof m->officers_in)
            return invalid(err, "officers", "执法人员列表过长");
        memcpy(m->officers_in, val, len);
        m->officers_in[len] = '\0';
        return 0;
    }
    if (strcmp(key, "party_id") == 0) {
        char tmp[40];
        if (len == 0) {
            m->party_id[0] = '\0';
            return 0;
        }
        if (len >= sizeof tmp)
            return ev_party_normalise(m->party_id, "", err);
        memcpy(tmp, val, len);
        tmp[len] = '\0';
        return ev_party_normalise(m->party_id, tmp, err);
    }
    if (strcmp(key, "started_at") == 0 || strcmp(key, "ended_at") == 0) {
        int start = key[0] == 's';
        if (len == 0)
            return 0;
        if (parse_time(val, len, &v) < 0)
            return zf_err_set(err, ZF_EINVAL, "validation_failed", key,
                              "%s应为 RFC 3339 时间（如 2026-03-01T09:30:00+08:00）或 Unix 秒数",
                              start ? "开始时间" : "结束时间");
        if (start)
            m->started_at = v, m->has_started = 1;
        else
            m->ended_at = v, m->has_ended = 1;
        return 0;
    }
    if (strcmp(key, "device_id") == 0) {
        if (len == 0) {
            m->device_id = 0;
            return 0;
        }
        if (parse_i64(val, len, &v) < 0 || v <= 0)
            return zf_err_set(err, ZF_EINVAL, "invalid_device", "device_id",
                              "记录设备编号（device_id）应为正整数");
        m->device_id = v;
        return 0;
    }
    if (strcmp(key, "duration") == 0 || strcmp(key, "case_id") == 0 || strcmp(key, "size") == 0) {
        if (len == 0)
            return 0;
        if (parse_i64(val, len, &v) < 0 || (key[0] == 'c' && v <= 0))
            return zf_err_set(err, ZF_EINVAL, "validation_failed", key, "字段 %s 应为%s整数", key,
                              key[0] == 'c' ? "正" : "非负");
        if (key[0] == 'd')
            m->duration = v, m->has_duration = 1;
        else if (key[0] == 'c')
            m->case_id = v;
        else
            m->size = (uint64_t)v, m->has_size = 1;
        return 0;
    }
    if (ignore_unknown)
        return 0;
    return zf_err_set(err, ZF_EINVAL, "unknown_field", key, "不认识的字段：%s", key);
}

int ev_meta_from_json(ev_meta *m, json_t *obj, zf_err *err)
{
    const char *key;
    json_t *v;
    char num[32];
    int rc;

    if (!json_is_object(obj))
        return invalid(err, "", "请求内容应为 JSON 对象");
    json_object_foreach(obj, key, v) {
        if (json_is_null(v))
            continue;
        if (strcmp(key, "officers") == 0 && json_is_array(v)) {
            char *s = json_dumps(v, JSON_COMPACT);
            rc = ev_meta_set(m, key, s ? s : "", s ? strlen(s) : 0, 0, err);
            free(s);
        } else if (json_is_string(v)) {
            rc = ev_meta_set(m, key, json_string_value(v), json_string_length(v), 0, err);
        } else if (json_is_integer(v)) {
            snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            rc = ev_meta_set(m, key, num, strlen(num), 0, err);
            if (rc == ZF_EINVAL && json_integer_value(v) < 0)
                rc = zf_err_set(err, ZF_EINVAL, "validation_failed", key, "字段 %s 不能为负数", key);
        } else {
            rc = zf_err_set(err, ZF_EINVAL, "validation_failed", key, "字段 %s 的类型不对", key);
        }
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* officers_in ("1,2", "[1, 2]") -> officers ("[1,2]"), each id an officer. */
static int check_officers(ev_meta *m, zf_db *db, zf_err *err)
{
    zf_buf out = ZF_BUF_INIT;
    const char *p = m->officers_in;
    int n = 0, rc = 0;

    zf_buf_putc(&out, '[');
    if (*p == '[')
        p++;
    for (;;) {
        int64_t id = 0;
        const char *start;
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p || *p == ']')
            break;
        start = p;
        while (*p >= '0' && *p <= '9')
            p++;
        if (parse_i64(start, (size_t)(p - start), &id) < 0 || id <= 0 || n >= 20) {
            rc = invalid(err, "officers", "执法人员应为执法人员编号列表（最多 20 人）");
            goto done;
        }
        {
            char idtxt[24];
            const char *params[1] = {idtxt};
            snprintf(idtxt, sizeof idtxt, "%lld", (long long)id);
            rc = zf_db_query_int64(db, NULL, "SELECT 1 FROM officers WHERE id = CAST($1 AS BIGINT)",
                                   err, 1, params);
            if (rc < 0)
                goto done;
            if (rc == 0) {
                rc = zf_err_set(err, ZF_EINVAL, "validation_failed", "officers",
                                "执法人员 %s 不存在", idtxt);
                goto done;
            }
            rc = 0;
        }
        zf_buf_printf(&out, "%s%lld", n ? "," : "", (long long)id);
        n++;
        if (*p && *p != ',' && *p != ' ' && *p != ']') {
            rc = invalid(err, "officers", "执法人员应为执法人员编号列表（最多 20 人）");
            goto done;
        }
    }
    zf_buf_putc(&out, ']');
    snprintf(m->officers, sizeof m->officers, "%s", zf_buf_str(&out));
done:
    zf_buf_free(&out);
    return rc;
}

/* The recording device: a registered, not retired device of the
 * uploader's department, named by id or (older clients) by serial. */
static int check_device(ev_meta *m, zf_db *db, int64_t department_id, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if (!m->device_id && !m->device[0])
        return 0;
    if ((rc = zf_db_prepare(&st, db,
                            m->device_id ? "SELECT id, serial FROM devices WHERE id = $1 AND "
                                           "department_id = $2 AND status <> 'retired'"
                                         : "SELECT id, serial FROM devices WHERE serial = $1 AND "
                                           "department_id = $2 AND status <> 'retired'",
                            err)) < 0)
        return rc;
    if (m->device_id)
        zf_stmt_bind_int64(st, 1, m->device_id);
    else
        zf_stmt_bind_text(st, 1, m->device, -1);
    zf_stmt_bind_int64(st, 2, department_id);
    if ((rc = zf_stmt_step(st, err)) == 1) {
        m->device_id = zf_stmt_int64(st, 0);
        snprintf(m->device, sizeof m->device, "%s", zf_stmt_text(st, 1));
    }
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return zf_err_set(err, ZF_EINVAL, "invalid_device", m->device_id ? "device_id" : "device",
                          "记录设备不存在、已停用或不属于本部门，请选择本部门已登记的执法记录仪或执法终端");
    return 0;
}

int ev_meta_check(ev_meta *m, zf_db *db, int64_t department_id, int derivative, zf_err *err)
{
    int rc;

    if (!derivative && !m->kind[0])
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "kind",
                          "请填写文件类型（kind：audio、video、photo、scan 或 other）");
    if (m->kind[0] && !name_of(KINDS, m->kind))
        return invalid(err, "kind", "文件类型只能是 audio、video、photo、scan 或 other");
    if (derivative && !name_of(DERIVATIONS, m->derivation))
        return invalid(err, "derivation",
                       "派生文件须说明派生方式（derivation：redacted、transcoded、excerpt 或 other）");
    if (!derivative && m->derivation[0])
        return invalid(err, "derivation", "只有派生文件才有派生方式");
    if (!m->secrecy[0])
        snprintf(m->secrecy, sizeof m->secrecy, "none");
    if (!name_of(SECRECY, m->secrecy))
        return invalid(err, "secrecy",
                       "密级标识只能是 none、state_secret、commercial_secret 或 personal_privacy");
    if (m->has_started && m->has_ended && m->ended_at < m->started_at)
        return invalid(err, "ended_at", "结束时间不能早于开始时间");
    if (!m->has_duration && m->has_started && m->has_ended) {
        m->duration = m->ended_at - m->started_at;
        m->has_duration = 1;
    }
    if (m->has_duration && m->duration > 100LL * 24 * 3600)
        return invalid(err, "duration", "时长不合理");
    if (m->party_name[0] && !m->party_id[0])
        return invalid(err, "party_id", "填写当事人名称时须同时填写当事人标识");
    if ((rc = check_officers(m, db, err)) < 0 || (rc = check_device(m, db, department_id, err)) < 0)
        return rc;
    if (!derivative) {
        const char *params[1] = {m->retention};
        if (!m->retention[0])
            snprintf(m->retention, sizeof m->retention, "routine");
        rc = zf_db_query_int64(db, NULL, "SELECT 1 FROM retention_categories WHERE code = $1", err, 1,
                               params);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return zf_err_set(err, ZF_EINVAL, "validation_failed", "retention",
                              "保存期限类别“%s”不存在", m->retention);
    }
    if (!m->content_type[0])
        snprintf(m->content_type, sizeof m->content_type, "application/octet-stream");
    if (strspn(m->content_type, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                                "!#$&^_.+-/;= \"") != strlen(m->content_type) ||
        !strchr(m->content_type, '/'))
        return invalid(err, "content_type", "内容类型应为 MIME 类型，如 video/mp4");
    return 0;
}

/* ---- rendering ---- */

#define EV_COLS                                                                               \
    "id, sha256, sm3, size, kind, content_type, filename, device, officers, started_at, "     \
    "ended_at, duration, location, department_id, case_id, party_id, party_name, secrecy, "   \
    "retention, expires_at, parent_id, derivation, state, created_by, created_at, trashed_at, " \
    "purged_at, device_id"

static json_t *int_or_null(zf_stmt *st, int col)
{
    return zf_json_int_or_null(st, col);
}

static json_t *row_json(zf_stmt *st)
{
    char masked[EV_PARTY_MAX + 1];
    json_t *officers = json_loads(zf_stmt_text(st, 8), 0, NULL);
    const char *deriv = zf_stmt_text(st, 21);
    json_t *o;

    if (!json_is_array(officers)) {
        json_decref(officers);
        officers = json_array();
    }
    party_mask(masked, zf_stmt_text(st, 15));
    o = json_pack("{s:I,s:s,s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:o}", "id", (json_int_t)zf_stmt_int64(st, 0),
                  "sha256", zf_stmt_text(st, 1), "sm3", zf_stmt_text(st, 2), "size",
                  (json_int_t)zf_stmt_int64(st, 3), "kind", zf_stmt_text(st, 4), "kind_name",
                  name_of(KINDS, zf_stmt_text(st, 4)) ? name_of(KINDS, zf_stmt_text(st, 4)) : "",
                  "content_type", zf_stmt_text(st, 5), "filename", zf_stmt_text(st, 6), "device",
                  zf_stmt_text(st, 7), "officers", officers);
    json_object_set_new(o, "started_at", int_or_null(st, 9));
    json_object_set_new(o, "ended_at", int_or_null(st, 10));
    json_object_set_new(o, "duration", int_or_null(st, 11));
    json_object_set_new(o, "location", json_string(zf_stmt_text(st, 12)));
    json_object_set_new(o, "department_id", json_integer(zf_stmt_int64(st, 13)));
    json_object_set_new(o, "case_id", int_or_null(st, 14));
    json_object_set_new(o, "party_id_masked", json_string(masked));
    json_object_set_new(o, "party_name", json_string(zf_stmt_text(st, 16)));
    json_object_set_new(o, "secrecy", json_string(zf_stmt_text(st, 17)));
    json_object_set_new(o, "secrecy_name", json_string(name_of(SECRECY, zf_stmt_text(st, 17))
                                                           ? name_of(SECRECY, zf_stmt_text(st, 17))
                                                           : ""));
    json_object_set_new(o, "retention", json_string(zf_stmt_text(st, 18)));
    json_object_set_new(o, "expires_at", int_or_null(st, 19));
    json_object_set_new(o, "parent_id", int_or_null(st, 20));
    json_object_set_new(o, "derivation", *deriv ? json_string(deriv) : json_null());
    json_object_set_new(o, "state", json_string(zf_stmt_text(st, 22)));
    json_object_set_new(o, "state_name", json_string(name_of(STATES, zf_stmt_text(st, 22))
                                                         ? name_of(STATES, zf_stmt_text(st, 22))
                                                         : ""));
    json_object_set_new(o, "created_by", json_integer(zf_stmt_int64(st, 23)));
    json_object_set_new(o, "created_at", json_integer(zf_stmt_int64(st, 24)));
    json_object_set_new(o, "trashed_at", int_or_null(st, 25));
    json_object_set_new(o, "purged_at", int_or_null(st, 26));
    json_object_set_new(o, "device_id", int_or_null(st, 27));
    return o;
}

int ev_render(json_t **out, zf_db *db, int64_t id, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    *out = NULL;
    if ((rc = zf_db_prepare(&st, db, "SELECT " EV_COLS " FROM evidence_files WHERE id = $1", err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    rc = zf_stmt_step(st, err);
    if (rc == 1) {
        *out = row_json(st);
        rc = 0;
    } else if (rc == 0) {
        rc = zf_err_set(err, ZF_ENOTFOUND, "not_found", NULL, "找不到该证据文件");
    }
    zf_stmt_free(st);
    return rc;
}

/* ---- audit ---- */

static int audit_sha(zf_ctx *c, const char *action, const char *type, int64_t id,
                     const char *detail, const char *sha)
{
    char oid[24];
    zf_audit_event ev = {0};

    snprintf(oid, sizeof oid, "%lld", (long long)id);
    ev.at = c->now;
    ev.actor_id = c->who ? c->who->user_id : 0;
    ev.actor_name = c->who ? c->who->username : "";
    ev.action = action;
    ev.object_type = type;
    ev.object_id = oid;
    ev.ip = c->ip;
    ev.request_id = c->request_id;
    ev.detail = detail;
    ev.content_sha256 = sha;
    return zf_audit_write(c->db, &ev, &c->err);
}

static int audit(zf_ctx *c, const char *action, const char *type, int64_t id, const char *detail)
{
    return audit_sha(c, action, type, id, detail, NULL);
}

/* A refusal decided here (not by zf_authz_check) is audited the same way,
 * in a transaction of its own. */
static int refuse(zf_ctx *c, const char *msg)
{
    zf_err e = ZF_ERR_INIT;
    zf_audit_event ev = {0};

    ev.at = c->now;
    ev.actor_id = c->who->user_id;
    ev.actor_name = c->who->username;
    ev.action = "forbidden";
    ev.object_type = "route";
    ev.object_id = "/api/v1/evidence/{id}/content";
    ev.ip = c->ip;
    ev.request_id = c->request_id;
    ev.detail = c->method;
    if (zf_db_begin(c->db, &e) == 0) {
        if (zf_audit_write(c->db, &ev, &e) == 0)
            zf_db_commit(c->db, &e);
        else
            zf_db_rollback(c->db);
    }
    return zf_err_set(&c->err, ZF_EPERM, "forbidden", NULL, "%s", msg);
}

/* ---- resolvers ---- */

static int64_t resolve_evidence(zf_ctx *c)
{
    int64_t id, dept = 0;
    char idtxt[24];
    const char *params[1] = {idtxt};
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    snprintf(idtxt, sizeof idtxt, "%lld", (long long)id);
    rc = zf_db_query_int64(c->db, &dept,
                           "SELECT department_id FROM evidence_files WHERE id = CAST($1 AS BIGINT)",
                           &c->err, 1, params);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该证据文件");
    return dept;
}

/* ---- GET /api/v1/evidence/{id} ---- */

static int h_get(zf_ctx *c)
{
    int64_t id;
    json_t *o = NULL;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = ev_render(&o, c->db, id, &c->err)) < 0)
        return rc;
    if (c->who->role != ZF_ROLE_SUPERVISOR &&
        json_integer_value(json_object_get(o, "department_id")) != c->who->department_id) {
        json_decref(o);
        return zf_err_set(&c->err, ZF_EPERM, "forbidden", NULL, "只能查看本部门的证据文件");
    }
    return zf_ctx_json(c, 200, o);
}

/* ---- GET /api/v1/evidence ---- */

/* "YYYY-MM-DD" in China Standard Time (UTC+8) -> Unix seconds of its start. */
static int parse_day(const char *s, int64_t *out)
{
    struct tm tm;
    int y, m, d, n = 0;

    if (!s || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 || s[10] || m < 1 ||
        m > 12 || d < 1 || d > 31 || y < 1970 || y > 2200)
        return -1;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    *out = (int64_t)timegm(&tm) - 8 * 3600;
    return 0;
}

static int query_pos_id(zf_ctx *c, const char *key, int64_t *out)
{
    const char *s = zf_ctx_query(c, key);

    *out = 0;
    if (!s || !*s)
        return 0;
    if (parse_i64(s, strlen(s), out) < 0 || *out <= 0)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", key, "参数 %s 应为正整数", key);
    return 0;
}

/* Records a look-up of a party (the identifier stays in party_lookups; the
 * audit row names only that row). In the caller's transaction. */
static int record_party_lookup(zf_ctx *c, const char *party, const char *reason, int64_t n)
{
    zf_stmt *st = NULL;
    int64_t lid = 0;
    char detail[400];
    int rc;

    if ((rc = zf_db_prepare(&st, c->db,
                            "INSERT INTO party_lookups (at, user_id, identifier, reason) "
                            "VALUES ($1, $2, $3, $4) RETURNING id",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, c->now);
    zf_stmt_bind_int64(st, 2, c->who->user_id);
    zf_stmt_bind_text(st, 3, party, -1);
    zf_stmt_bind_text(st, 4, reason, -1);
    rc = zf_stmt_step(st, &c->err);
    if (rc == 1)
        lid = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    snprintf(detail, sizeof detail, "records=%lld; reason=%s", (long long)n, reason);
    return audit(c, "party_view", "party_lookup", lid, detail);
}

#define LIST_WHERE                                                                        \
    " FROM evidence_files WHERE ($1 = 0 OR department_id = $1)"                           \
    " AND ($2 = 0 OR case_id = $2) AND ($3 = '' OR party_id = $3 OR case_id IN"           \
    " (SELECT case_id FROM case_parties WHERE identifier = $3))"                          \
    " AND ($4 = '' OR kind = $4) AND ($5 = 0 OR COALESCE(started_at, created_at) >= $5)"  \
    " AND ($6 = 0 OR COALESCE(started_at, created_at) < $6) AND ($7 = '' OR state = $7)"  \
    " AND ($8 = 0 OR parent_id = $8)"

typedef struct list_filter {
    int64_t dept, case_id, from, to, parent;
    const char *party, *kind, *state;
} list_filter;

static void bind_filter(zf_stmt *st, const list_filter *f)
{
    zf_stmt_bind_int64(st, 1, f->dept);
    zf_stmt_bind_int64(st, 2, f->case_id);
    zf_stmt_bind_text(st, 3, f->party, -1);
    zf_stmt_bind_text(st, 4, f->kind, -1);
    zf_stmt_bind_int64(st, 5, f->from);
    zf_stmt_bind_int64(st, 6, f->to);
    zf_stmt_bind_text(st, 7, f->state, -1);
    zf_stmt_bind_int64(st, 8, f->parent);
}

/* Lists with f; when party is set the look-up is recorded (reason given).
 * Writes {"items":[...],"total":N,"page":P,"per_page":Q} into c. */
static int list_with(zf_ctx *c, const list_filter *f, const zf_list_params *lp, const char *reason)
{
    zf_stmt *st = NULL;
    json_t *items = json_array();
    int64_t total = 0;
    char sql[1024];
    int rc;

    snprintf(sql, sizeof sql, "SELECT COUNT(*)" LIST_WHERE);
    if ((rc = zf_db_prepare(&st, c->db, sql, &c->err)) < 0)
        goto done;
    bind_filter(st, f);
    if ((rc = zf_stmt_step(st, &c->err)) == 1)
        total = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    snprintf(sql, sizeof sql, "SELECT " EV_COLS LIST_WHERE " ORDER BY %s %s, id DESC LIMIT $9 OFFSET $10",
             lp->sort_column, lp->sort_desc ? "DESC" : "ASC");
    if ((rc = zf_db_prepare(&st, c->db, sql, &c->err)) < 0)
        goto done;
    bind_filter(st, f);
    zf_stmt_bind_int64(st, 9, lp->per_page);
    zf_stmt_bind_int64(st, 10, lp->offset);
    while ((rc = zf_stmt_step(st, &c->err)) == 1)
        json_array_append_new(items, row_json(st));
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    if (f->party[0]) {
        if ((rc = zf_db_begin(c->db, &c->err)) < 0)
            goto done;
        if ((rc = record_party_lookup(c, f->party, reason, total)) < 0 ||
            (rc = zf_db_commit(c->db, &c->err)) < 0) {
            zf_db_rollback(c->db);
            goto done;
        }
    }
    rc = zf_ctx_json(c, 200, json_pack("{s:O,s:I,s:I,s:I}", "items", items, "total", (json_int_t)total,
                                       "page", (json_int_t)lp->page, "per_page",
                                       (json_int_t)lp->per_page));
done:
    zf_stmt_free(st);
    json_decref(items);
    return rc;
}

/* The default order is newest first, which zf_list_params_read (ascending
 * unless "-" is given) would not choose. */
static int read_list(zf_ctx *c, zf_list_params *lp)
{
    /* started_at may be NULL: SQLite sorts NULL first, PostgreSQL last, so
     * the key names the order (no start time first, as SQLite always did) */
    static const zf_sort_key keys[] = {
        {"created_at", "created_at"}, {"started_at", "COALESCE(started_at, -1)"}, {"size", "size"},
        {"id", "id"}, {NULL, NULL}};
    const char *sort = zf_ctx_query(c, "sort");
    int rc;

    if ((rc = zf_list_params_read(lp, c, keys)) < 0)
        return rc;
    if (!sort || !*sort)
        lp->sort_desc = 1;
    return 0;
}

static int h_list(zf_ctx *c)
{
    list_filter f = {0};
    zf_list_params lp;
    const char *reason = NULL, *s;
    char party[EV_PARTY_MAX + 1] = "";
    int rc;

    f.party = "";
    f.kind = "";
    f.state = "stored";
    if ((rc = read_list(c, &lp)) < 0 || (rc = query_pos_id(c, "department_id", &f.dept)) < 0 ||
        (rc = query_pos_id(c, "case_id", &f.case_id)) < 0 ||
        (rc = query_pos_id(c, "parent_id", &f.parent)) < 0)
        return rc;
    if ((s = zf_ctx_query(c, "kind")) && *s) {
        if (!name_of(KINDS, s))
            return invalid(&c->err, "kind", "文件类型只能是 audio、video、photo、scan 或 other");
        f.kind = s;
    }
    if ((s = zf_ctx_query(c, "state")) && *s) {
        if (strcmp(s, "all") == 0)
            f.state = "";
        else if (!name_of(STATES, s))
            return invalid(&c->err, "state", "状态只能是 stored、trashed、purged 或 all");
        else
            f.state = s;
    }
    if ((s = zf_ctx_query(c, "from")) && *s && parse_day(s, &f.from) < 0)
        return invalid(&c->err, "from", "日期应为 YYYY-MM-DD");
    if ((s = zf_ctx_query(c, "to")) && *s) {
        if (parse_day(s, &f.to) < 0)
            return invalid(&c->err, "to", "日期应为 YYYY-MM-DD");
        f.to += 86400; /* inclusive */
    }
    if ((s = zf_ctx_query(c, "party_id")) && *s) {
        if ((rc = ev_party_normalise(party, s, &c->err)) < 0 || (rc = ev_reason(&reason, c, 1)) < 0)
            return rc;
        f.party = party;
    }
    if (c->who->role != ZF_ROLE_SUPERVISOR) {
        if (f.dept && f.dept != c->who->department_id)
            return zf_err_set(&c->err, ZF_EPERM, "forbidden", NULL, "只能查看本部门的证据文件");
        f.dept = c->who->department_id;
    }
    return list_with(c, &f, &lp, reason);
}

/* ---- GET /api/v1/parties/{identifier}/records ---- */

static int h_party(zf_ctx *c)
{
    list_filter f = {0};
    zf_list_params lp;
    const char *reason = NULL;
    char party[EV_PARTY_MAX + 1];
    int rc;

    if ((rc = read_list(c, &lp)) < 0 || (rc = ev_party_normalise(party, c->params[0], &c->err)) < 0 ||
        (rc = ev_reason(&reason, c, 1)) < 0)
        return rc;
    f.party = party;
    f.kind = "";
    f.state = "";
    if (c->who->role != ZF_ROLE_SUPERVISOR)
        f.dept = c->who->department_id;
    return list_with(c, &f, &lp, reason);
}

/* ---- GET /api/v1/evidence/{id}/content ---- */

/* RFC 5987 ext-value of a file name for Content-Disposition. */
static void disposition(char *out, size_t n, const char *name)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t j = 0;
    const unsigned char *p = (const unsigned char *)(*name ? name : "evidence");

    j = (size_t)snprintf(out, n, "attachment; filename*=UTF-8''");
    for (; *p && j + 4 < n; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("!#$&+-.^_`|~", *p)) {
            out[j++] = (char)*p;
        } else {
            out[j++] = '%';
            out[j++] = hex[*p >> 4];
            out[j++] = hex[*p & 15];
        }
    }
    out[j] = '\0';
}

static int h_content(zf_ctx *c)
{
    zf_stmt *st = NULL;
    zf_blob_store *store;
    zf_blob_state bs;
    zf_byte_range r = {0, 0};
    zf_range_result rr;
    int64_t id, dept = 0;
    uint64_t size = 0;
    char sha[ZF_BLOB_HEX_LEN + 1] = "", secrecy[24] = "", state[16] = "", ctype[128] = "",
         fname[256] = "", detail[512], path[PATH_MAX], cr[ZF_RANGE_HEADER_MAX], etag[72],
         disp[900];
    const char *reason = NULL, *range;
    int rc, restricted;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT sha256, size, secrecy, state, content_type, filename, "
                            "department_id FROM evidence_files WHERE id = $1",
                            &c->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, id);
    if ((rc = zf_stmt_step(st, &c->err)) == 1) {
        snprintf(sha, sizeof sha, "%s", zf_stmt_text(st, 0));
        size = (uint64_t)zf_stmt_int64(st, 1);
        snprintf(secrecy, sizeof secrecy, "%s", zf_stmt_text(st, 2));
        snprintf(state, sizeof state, "%s", zf_stmt_text(st, 3));
        snprintf(ctype, sizeof ctype, "%s", zf_stmt_text(st, 4));
        snprintf(fname, sizeof fname, "%s", zf_stmt_text(st, 5));
        dept = zf_stmt_int64(st, 6);
    }
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该证据文件");
    if (c->who->role != ZF_ROLE_SUPERVISOR && dept != c->who->department_id)
        return zf_err_set(&c->err, ZF_EPERM, "forbidden", NULL, "只能查看本部门的证据文件");
    restricted = strcmp(secrecy, "none") != 0;
    if (restricted && strcmp(secrecy, "state_secret") == 0 &&
        !(c->who->role & (ZF_ROLE_HEAD | ZF_ROLE_SUPERVISOR)))
        return refuse(c, "标为国家秘密的文件只有部门负责人和监督人员可以查看");
    if ((rc = ev_reason(&reason, c, restricted)) < 0)
        return rc;
    if (strcmp(state, "stored") != 0)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "evidence_expired", NULL,
                          "该文件已超过保存期限，内容已删除或正在删除");
    if (!(store = ev_store(c->data_dir, &c->err)))
        return ZF_EIO;
    /* on object storage the reader's open is the existence check (one
     * request, not two); the ctx owns it from here, errors included */
    if (zf_blob_store_is_local(store)) {
        rc = zf_blob_state_of(&bs, store, sha, &c->err);
        if (rc == 0 && bs != ZF_BLOB_STORED)
            rc = ZF_ENOTFOUND;
    } else {
        rc = zf_blob_reader_open(&c->stream, store, sha, &c->err);
    }
    if (rc == ZF_ENOTFOUND)
        return zf_err_set(&c->err, ZF_EIO, "evidence_missing", NULL,
                          "证据文件内容缺失，请联系系统管理员运行 zhifa verify");
    if (rc < 0)
        return rc;

    snprintf(etag, sizeof etag, "\"%s\"", sha);
    range = zf_ctx_request_header(c, "Range");
    rr = zf_range_parse(&r, range, range ? strlen(range) : 0, size);
    if (rr == ZF_RANGE_UNSATISFIABLE) {
        zf_ctx_header(c, "Content-Range", zf_range_format(cr, NULL, size));
        zf_err_set(&c->err, ZF_EINVAL, "range_not_satisfiable", NULL, "请求的范围超出文件大小（%llu 字节）",
                   (unsigned long long)size);
        zf_ctx_error(c, &c->err);
        c->status = 416;
        return 0;
    }
    if (rr != ZF_RANGE_OK) {
        r.first = 0;
        r.last = size ? size - 1 : 0;
    }
    /* the look is on the record before the first byte leaves */
    snprintf(detail, sizeof detail, "sha256=%s; bytes=%llu-%llu; reason=%s", sha,
             (unsigned long long)r.first, (unsigned long long)r.last, reason ? reason : "");
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        return rc;
    if ((rc = audit_sha(c, restricted ? "evidence_view_restricted" : "evidence_download", "evidence",
                        id, detail, sha)) < 0 ||
        (rc = zf_db_commit(c->db, &c->err)) < 0) {
        zf_db_rollback(c->db);
        return rc;
    }
    if (zf_blob_store_is_local(store)) {
        zf_blob_location(path, sizeof path, store, sha);
        c->file_path = zf_strdup(path);
    }
    c->content_type = NULL;
    zf_ctx_header(c, "ETag", etag);
    zf_ctx_header(c, "Accept-Ranges", "bytes");
    disposition(disp, sizeof disp, fname);
    zf_ctx_header(c, "Content-Disposition", disp);
    zf_buf_reset(&c->out);
    if (rr == ZF_RANGE_OK) {
        c->status = 206;
        c->file_offset = c->stream_offset = r.first;
        c->file_length = c->stream_length = r.last - r.first + 1;
        zf_ctx_header(c, "Content-Range", zf_range_format(cr, &r, size));
    } else {
        c->status = 200;
        c->file_offset = c->stream_offset = 0;
        c->file_length = 0;
        c->stream_length = size;
    }
    /* c->out is unused when a file is sent and lives until the response
     * is gone: it holds the content type (validated as a plain token at
     * upload, so it cannot break the header) */
    zf_buf_puts(&c->out, ctype[0] ? ctype : "application/octet-stream");
    c->content_type = zf_buf_str(&c->out);
    return 0;
}

/* ---- PUT /api/v1/evidence/{id} ---- */

static const zf_json_field UPDATE_SPEC[] = {
    {"case_id", ZF_JT_INT, 0, 0, "所属案件"},
    {"secrecy", ZF_JT_STRING, 0, 24, "密级标识"},
    {NULL, 0, 0, 0, NULL},
};

static int secrecy_rank(const char *s)
{
    return strcmp(s, "none") == 0 ? 0 : strcmp(s, "state_secret") == 0 ? 2 : 1;
}

static int h_update(zf_ctx *c)
{
    json_t *in = NULL, *o = NULL, *v;
    zf_stmt *st = NULL;
    int64_t id, case_id = 0, new_case = 0;
    char secrecy[24] = "", state[16] = "", detail[256];
    const char *new_secrecy = NULL;
    int has_case = 0, rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 ||
        (rc = zf_json_decode(&in, c->body, c->body_len, UPDATE_SPEC, &c->err)) < 0)
        return rc;
    if ((v = json_object_get(in, "case_id")) && !json_is_null(v)) {
        new_case = json_integer_value(v);
        if (new_case <= 0) {
            rc = invalid(&c->err, "case_id", "所属案件编号应为正整数");
            goto done;
        }
    }
    if ((v = json_object_get(in, "secrecy")) && !json_is_null(v)) {
        new_secrecy = json_string_value(v);
        if (!name_of(SECRECY, new_secrecy)) {
            rc = invalid(&c->err, "secrecy",
                         "密级标识只能是 none、state_secret、commercial_secret 或 personal_privacy");
            goto done;
        }
    }
    if (!new_case && !new_secrecy) {
        rc = invalid(&c->err, "", "没有可修改的字段：只能关联案件（case_id）或调整密级标识（secrecy）");
        goto done;
    }
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, c->db, "SELECT case_id, secrecy, state FROM evidence_files WHERE id = $1",
                            &c->err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, id);
    if ((rc = zf_stmt_step(st, &c->err)) == 1) {
        has_case = !zf_stmt_is_null(st, 0);
        case_id = zf_stmt_int64(st, 0);
        snprintf(secrecy, sizeof secrecy, "%s", zf_stmt_text(st, 1));
        snprintf(state, sizeof state, "%s", zf_stmt_text(st, 2));
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto fail;
    if (rc == 0) {
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该证据文件");
        goto fail;
    }
    if (strcmp(state, "stored") != 0) {
        rc = zf_err_set(&c->err, ZF_ECONFLICT, "evidence_expired", NULL, "该文件已过保存期限，不能再修改");
        goto fail;
    }
    if (new_case && has_case && case_id != new_case) {
        rc = zf_err_set(&c->err, ZF_ECONFLICT, "case_already_linked", "case_id",
                        "该文件已关联案件 %lld，关联关系不能更改", (long long)case_id);
        goto fail;
    }
    /* issue 5 (归档): an archived case takes no new file, 409 like every change */
    if (new_case && !has_case) {
        if ((rc = zf_db_prepare(&st, c->db, "SELECT 1 FROM cases WHERE id = $1 AND archived_at IS NOT NULL",
                                &c->err)) < 0)
            goto fail;
        zf_stmt_bind_int64(st, 1, new_case);
        rc = zf_stmt_step(st, &c->err);
        zf_stmt_free(st);
        st = NULL;
        if (rc == 1)
            rc = zf_err_set(&c->err, ZF_ECONFLICT, "case_archived", "case_id", "案件已归档，不可修改");
        if (rc < 0)
            goto fail;
    }
    if (new_secrecy && secrecy_rank(new_secrecy) < secrecy_rank(secrecy) &&
        c->who->role != ZF_ROLE_HEAD) {
        rc = zf_err_set(&c->err, ZF_EPERM, "forbidden", "secrecy", "只有部门负责人可以降低密级标识");
        goto fail;
    }
    if ((rc = zf_db_prepare(&st, c->db,
                            "UPDATE evidence_files SET case_id = COALESCE($2, case_id), "
                            "expires_at = CASE WHEN $2 IS NULL THEN expires_at ELSE NULL END, "
                            "secrecy = COALESCE($3, secrecy) WHERE id = $1",
                            &c->err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, id);
    if (new_case)
        zf_stmt_bind_int64(st, 2, new_case);
    else
        zf_stmt_bind_null(st, 2);
    zf_stmt_bind_text_or_null(st, 3, new_secrecy);
    rc = zf_stmt_step(st, &c->err);
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto fail;
    snprintf(detail, sizeof detail, "case_id=%lld; secrecy=%s", (long long)(new_case ? new_case : case_id),
             new_secrecy ? new_secrecy : secrecy);
    if ((rc = audit(c, new_case && !has_case ? "evidence_link_case" : "evidence_update", "evidence", id,
                    detail)) < 0 ||
        (rc = ev_render(&o, c->db, id, &c->err)) < 0 || (rc = zf_db_commit(c->db, &c->err)) < 0)
        goto fail;
    rc = zf_ctx_json(c, 200, o);
    o = NULL;
    goto done;
fail:
    zf_db_rollback(c->db);
done:
    json_decref(o);
    json_decref(in);
    return rc;
}

/* ---- retention categories ---- */

static int h_retention_list(zf_ctx *c)
{
    zf_stmt *st = NULL;
    json_t *items = json_array();
    int rc;

    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT code, name, months FROM retention_categories ORDER BY "
                            "months IS NULL, months, code",
                            &c->err)) < 0)
        goto done;
    while ((rc = zf_stmt_step(st, &c->err)) == 1)
        json_array_append_new(items, json_pack("{s:s,s:s,s:o}", "code", zf_stmt_text(st, 0), "name",
                                               zf_stmt_text(st, 1), "months", int_or_null(st, 2)));
    if (rc == 0)
        rc = zf_ctx_json(c, 200, json_pack("{s:O}", "items", items));
done:
    zf_stmt_free(st);
    json_decref(items);
    return rc;
}

static const zf_json_field RETENTION_SPEC[] = {
    {"name", ZF_JT_STRING, 0, 50, "名称"},
    {"months", ZF_JT_INT, 0, 0, "保存月数"},
    {NULL, 0, 0, 0, NULL},
};

static int h_retention_update(zf_ctx *c)
{
    json_t *in = NULL, *months;
    zf_stmt *st = NULL;
    const char *code = c->params[0], *name;
    char detail[200];
    int rc;

    if ((rc = zf_json_decode(&in, c->body, c->body_len, RETENTION_SPEC, &c->err)) < 0)
        return rc;
    name = json_string_value(json_object_get(in, "name"));
    months = json_object_get(in, "months");
    if (name && !*name) {
        rc = invalid(&c->err, "name", "名称不能为空");
        goto done;
    }
    if (months && !json_is_null(months) &&
        (json_integer_value(months) < 1 || json_integer_value(months) > 1200)) {
        rc = invalid(&c->err, "months", "保存月数应在 1 到 1200 之间（永久保存填 null）");
        goto done;
    }
    if (!name && !months) {
        rc = invalid(&c->err, "", "请提供 name 或 months");
        goto done;
    }
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        goto done;
    if ((rc = zf_db_prepare(&st, c->db,
                            "UPDATE retention_categories SET name = COALESCE($2, name), "
                            "months = CASE WHEN $3 = 1 THEN $4 ELSE months END, updated_at = $5 "
                            "WHERE code = $1",
                            &c->err)) < 0)
        goto fail;
    zf_stmt_bind_text(st, 1, code, -1);
    zf_stmt_bind_text_or_null(st, 2, name);
    zf_stmt_bind_int64(st, 3, months ? 1 : 0);
    if (months && !json_is_null(months))
        zf_stmt_bind_int64(st, 4, json_integer_value(months));
    else
        zf_stmt_bind_null(st, 4);
    zf_stmt_bind_int64(st, 5, c->now);
    rc = zf_stmt_step(st, &c->err);
    zf_stmt_free(st);
    if (rc < 0)
        goto fail;
    if (zf_db_changes(c->db) == 0) {
        rc = zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "保存期限类别不存在");
        goto fail;
    }
    snprintf(detail, sizeof detail, "code=%.40s; months=%s", code,
             months ? (json_is_null(months) ? "permanent" : "set") : "unchanged");
    {
        zf_audit_event ev = {0};
        ev.at = c->now;
        ev.actor_id = c->who->user_id;
        ev.actor_name = c->who->username;
        ev.action = "retention_category_update";
        ev.object_type = "retention_category";
        ev.object_id = code;
        ev.ip = c->ip;
        ev.request_id = c->request_id;
        ev.detail = detail;
        if ((rc = zf_audit_write(c->db, &ev, &c->err)) < 0)
            goto fail;
    }
    if ((rc = zf_db_commit(c->db, &c->err)) < 0)
        goto fail;
    json_decref(in);
    in = NULL;
    return h_retention_list(c);
fail:
    zf_db_rollback(c->db);
done:
    json_decref(in);
    return rc;
}

/* ---- the retention tick ---- */

static void tick_audit(zf_db *db, int64_t now, const char *action, int64_t id, const char *sha,
                       zf_err *err, int *rc)
{
    char oid[24], detail[128];
    zf_audit_event ev = {0};

    snprintf(oid, sizeof oid, "%lld", (long long)id);
    snprintf(detail, sizeof detail, "sha256=%s", sha);
    ev.at = now;
    ev.actor_name = "system";
    ev.action = action;
    ev.object_type = "evidence";
    ev.object_id = oid;
    ev.detail = detail;
    ev.content_sha256 = sha;
    *rc = zf_audit_write(db, &ev, err);
}

/* Step 1 for one file: inside one write transaction (which also holds off
 * any upload of the same content from recording itself), mark the row
 * trashed, audit, and move the content to trash/; if the commit fails the
 * content is restored. An upload of the same content that commits after
 * this finds it in trash and restores it (evidence_upload.c). */
static int trash_one(zf_db *db, zf_blob_store *s, int64_t now, int64_t id, const char *sha)
{
    zf_err err = ZF_ERR_INIT;
    zf_stmt *st = NULL;
    int rc, moved = 0;

    if ((rc = zf_db_begin(db, &err)) < 0)
        return rc;
    if ((rc = zf_db_prepare(&st, db,
                            "UPDATE evidence_files SET state = 'trashed', trashed_at = $2 "
                            "WHERE id = $1 AND state = 'stored' AND case_id IS NULL",
                            &err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, id);
    zf_stmt_bind_int64(st, 2, now);
    rc = zf_stmt_step(st, &err);
    zf_stmt_free(st);
    if (rc < 0)
        goto fail;
    if (zf_db_changes(db) == 0) {
        zf_db_rollback(db);
        return 0;
    }
    tick_audit(db, now, "evidence_trash", id, sha, &err, &rc);
    if (rc < 0)
        goto fail;
    rc = zf_blob_trash(s, sha, &err);
    if (rc == ZF_ENOTFOUND)
        rc = 0; /* already there (a retry after a crash) */
    else if (rc == 0)
        moved = 1;
    if (rc < 0 || (rc = zf_db_commit(db, &err)) < 0)
        goto fail;
    zf_log_event("info", "evidence trashed", "sha256", sha, "id", (long long)id, NULL, 0);
    return 0;
fail:
    zf_db_rollback(db);
    if (moved)
        zf_blob_restore(s, sha, NULL);
    zf_log_event("error", "evidence trash failed", "error", err.message, "id", (long long)id, NULL, 0);
    return rc;
}

/* Step 2: the row says purged and the event is written before the bytes go;
 * a crash in between leaves a trashed copy that repair() removes. */
static int purge_one(zf_db *db, zf_blob_store *s, int64_t now, int64_t id, const char *sha)
{
    zf_err err = ZF_ERR_INIT;
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_begin(db, &err)) < 0)
        return rc;
    if ((rc = zf_db_prepare(&st, db,
                            "UPDATE evidence_files SET state = 'purged', purged_at = $2 "
                            "WHERE id = $1 AND state = 'trashed'",
                            &err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, id);
    zf_stmt_bind_int64(st, 2, now);
    rc = zf_stmt_step(st, &err);
    zf_stmt_free(st);
    if (rc < 0)
        goto fail;
    tick_audit(db, now, "evidence_purge", id, sha, &err, &rc);
    if (rc < 0 || (rc = zf_db_commit(db, &err)) < 0)
        goto fail;
    rc = zf_blob_purge(s, sha, &err);
    if (rc < 0 && rc != ZF_ENOTFOUND)
        zf_log_event("error", "evidence purge: content not removed yet", "error", err.message, "id",
                     (long long)id, NULL, 0);
    else
        zf_log_event("info", "evidence purged", "sha256", sha, "id", (long long)id, NULL, 0);
    return 0;
fail:
    zf_db_rollback(db);
    zf_log_event("error", "evidence purge failed", "error", err.message, "id", (long long)id, NULL, 0);
    return rc;
}

/* Finishes what a crash interrupted: content of trashed rows still under its
 * final name (no stored row needs it) goes to trash; content of purged rows
 * still in trash (no trashed row waits on it) is removed. */
static void repair(zf_db *db, zf_blob_store *s)
{
    zf_stmt *st = NULL;
    zf_err err = ZF_ERR_INIT;
    char (*shas)[ZF_BLOB_HEX_LEN + 1] = NULL;
    int *states = NULL;
    size_t n = 0, cap = 0, i;

    if (zf_db_prepare(&st, db,
                      "SELECT e.sha256, e.state = 'purged' FROM evidence_files e WHERE e.state IN "
                      "('trashed', 'purged') AND NOT EXISTS (SELECT 1 FROM evidence_files o WHERE "
                      "o.sha256 = e.sha256 AND o.state = 'stored') AND (e.state = 'trashed' OR NOT "
                      "EXISTS (SELECT 1 FROM evidence_files t WHERE t.sha256 = e.sha256 AND "
                      "t.state = 'trashed'))",
                      &err) < 0)
        return;
    while (zf_stmt_step(st, &err) == 1) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            shas = zf_realloc(shas, cap * sizeof *shas);
            states = zf_realloc(states, cap * sizeof *states);
        }
        snprintf(shas[n], sizeof shas[n], "%s", zf_stmt_text(st, 0));
        states[n++] = (int)zf_stmt_int64(st, 1);
    }
    zf_stmt_free(st);
    for (i = 0; i < n; i++) {
        zf_blob_state bs;
        if (zf_blob_state_of(&bs, s, shas[i], NULL) < 0)
            continue;
        if (bs == ZF_BLOB_STORED)
            zf_blob_trash(s, shas[i], NULL);
        if (states[i] && zf_blob_state_of(&bs, s, shas[i], NULL) == 0 && bs == ZF_BLOB_TRASHED)
            zf_blob_purge(s, shas[i], NULL);
    }
    free(shas);
    free(states);
}

/* Sessions idle for a day, their partial files, and idempotency records
 * older than a week go. */
static void cleanup(zf_db *db, int64_t now, const char *data_dir, zf_blob_store *s)
{
    zf_stmt *st = NULL;
    zf_err err = ZF_ERR_INIT;
    char path[PATH_MAX];
    size_t removed = 0;

    zf_blob_sweep(&removed, s, (time_t)(now - 86400), NULL);
    if (zf_db_prepare(&st, db, "SELECT token FROM evidence_uploads WHERE updated_at < $1", &err) == 0) {
        zf_stmt_bind_int64(st, 1, now - 86400);
        while (zf_stmt_step(st, &err) == 1) {
            ev_part_path(path, sizeof path, data_dir, zf_stmt_text(st, 0));
            unlink(path);
        }
        zf_stmt_free(st);
    }
    if (zf_db_prepare(&st, db, "DELETE FROM evidence_uploads WHERE updated_at < $1", &err) == 0) {
        zf_stmt_bind_int64(st, 1, now - 86400);
        zf_stmt_step(st, &err);
        zf_stmt_free(st);
    }
    if (zf_db_prepare(&st, db, "DELETE FROM idempotency_keys WHERE created_at < $1", &err) == 0) {
        zf_stmt_bind_int64(st, 1, now - 7 * 86400);
        zf_stmt_step(st, &err);
        zf_stmt_free(st);
    }
}

typedef struct due {
    int64_t id;
    char sha[ZF_BLOB_HEX_LEN + 1];
} due;

static int collect(due *out, int max, zf_db *db, const char *sql, int64_t t)
{
    zf_stmt *st = NULL;
    int n = 0;

    if (zf_db_prepare(&st, db, sql, NULL) < 0)
        return 0;
    zf_stmt_bind_int64(st, 1, t);
    zf_stmt_bind_int64(st, 2, max);
    while (n < max && zf_stmt_step(st, NULL) == 1) {
        out[n].id = zf_stmt_int64(st, 0);
        snprintf(out[n].sha, sizeof out[n].sha, "%s", zf_stmt_text(st, 1));
        n++;
    }
    zf_stmt_free(st);
    return n;
}

void zf_evidence_tick(zf_db *db, int64_t now, const struct zf_settings *settings,
                      const char *data_dir)
{
    static int64_t last_cleanup;
    zf_err err = ZF_ERR_INIT;
    zf_blob_store *s;
    due d[64];
    int64_t grace;
    int n, i;

    (void)settings;
    if (!(s = ev_store(data_dir, &err))) {
        zf_log_event("error", "evidence store unavailable", "error", err.message, NULL, 0, NULL, 0);
        return;
    }
    if (now - last_cleanup >= 3600) {
        /* issue 9: crash repair moves shared blobs: the leader's alone, never
         * beside another server's trash or purge in progress */
        if (zf_leader_held(now))
            repair(db, s);
        cleanup(db, now, data_dir, s);
        last_cleanup = now;
    }
    /* issue 9: the retention purge runs in one server (the leader) */
    if (!zf_leader_held(now))
        return;
    n = collect(d, 64, db,
                "SELECT id, sha256 FROM evidence_files WHERE state = 'stored' AND case_id IS NULL "
                "AND expires_at IS NOT NULL AND expires_at <= $1 ORDER BY expires_at LIMIT $2",
                now);
    for (i = 0; i < n; i++)
        trash_one(db, s, now, d[i].id, d[i].sha);
    grace = ev_setting_int(db, "evidence_purge_grace_days", 7);
    if (grace < 0)
        grace = 0;
    n = collect(d, 64, db,
                "SELECT id, sha256 FROM evidence_files WHERE state = 'trashed' AND trashed_at <= $1 "
                "ORDER BY trashed_at LIMIT $2",
                now - grace * 86400);
    for (i = 0; i < n; i++)
        purge_one(db, s, now, d[i].id, d[i].sha);
}

/* ---- routes ---- */

extern const zf_upload_ops ev_multipart_ops, ev_raw_ops, ev_chunk_ops, ev_derivative_ops;
int ev_session_create(zf_ctx *c);
int ev_session_get(zf_ctx *c);

const zf_route zf_evidence_routes[] = {
    {"POST", "/api/v1/evidence", NULL, EV_UPLOADERS, 0, NULL, 0, &ev_multipart_ops},
    {"PUT", "/api/v1/evidence/raw", NULL, EV_UPLOADERS, 0, NULL, 0, &ev_raw_ops},
    {"POST", "/api/v1/evidence/uploads", ev_session_create, EV_UPLOADERS, 0, NULL, 0, NULL},
    {"GET", "/api/v1/evidence/uploads/{id}", ev_session_get, EV_UPLOADERS, 0, NULL, 0, NULL},
    {"PUT", "/api/v1/evidence/uploads/{id}", NULL, EV_UPLOADERS, 0, NULL, 0, &ev_chunk_ops},
    {"GET", "/api/v1/evidence", h_list, EV_READERS, 0, NULL, 0, NULL},
    {"GET", "/api/v1/evidence/{id}", h_get, EV_READERS, EV_OWN_DEPT, resolve_evidence, 0, NULL},
    {"PUT", "/api/v1/evidence/{id}", h_update, EV_UPLOADERS, EV_UPLOADERS, resolve_evidence, 0, NULL},
    {"GET", "/api/v1/evidence/{id}/content", h_content, EV_READERS, EV_OWN_DEPT, resolve_evidence, 0,
     NULL},
    {"POST", "/api/v1/evidence/{id}/derivatives", NULL, EV_UPLOADERS, EV_UPLOADERS, resolve_evidence,
     0, &ev_derivative_ops},
    {"GET", "/api/v1/parties/{identifier}/records", h_party, EV_READERS, 0, NULL, 0, NULL},
    {"GET", "/api/v1/retention-categories", h_retention_list, ZF_ROLES_ALL, 0, NULL, 0, NULL},
    {"PUT", "/api/v1/retention-categories/{code}", h_retention_update, ZF_ROLE_ADMIN, 0, NULL, 0,
     NULL},
    {NULL, NULL, NULL, 0, 0, NULL, 0, NULL},
};
