/* doctpl.c — document field validation and 文号 arithmetic over the static
 * template tables of doctpl_penalty.c, doctpl_license.c and doctpl_review.c.
 *
 * Validation walks the schema, not the input: each field's value is checked
 * by type, then every cross-field check runs on the values that are present.
 * The first problem found is reported; messages name fields by their Chinese
 * labels, err.field carries the JSON path. No allocation, no global state. */
#include "core/doctpl.h"
#include "core/redact.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/lawdoc.h"

#define MONEY_MAX_FEN ((int64_t)100000000000000) /* 10^12 yuan */
#define DOCNO_SEQ_MAX ((int64_t)999999999)

/* ---- registry ----------------------------------------------------------- */

size_t zf_doctpl_count(void)
{
    return zf_doctpl_penalty_count_ + zf_doctpl_license_count_ + zf_doctpl_review_count_;
}

const zf_doctpl *zf_doctpl_at(size_t i)
{
    if (i < zf_doctpl_penalty_count_)
        return &zf_doctpl_penalty_[i];
    i -= zf_doctpl_penalty_count_;
    if (i < zf_doctpl_license_count_)
        return &zf_doctpl_license_[i];
    i -= zf_doctpl_license_count_;
    return i < zf_doctpl_review_count_ ? &zf_doctpl_review_[i] : NULL;
}

const zf_doctpl *zf_doctpl_find(const char *code)
{
    size_t i, n = zf_doctpl_count();

    if (!code)
        return NULL;
    for (i = 0; i < n; i++)
        if (strcmp(zf_doctpl_at(i)->code, code) == 0)
            return zf_doctpl_at(i);
    return NULL;
}

static const zf_doc_field *field_in(const zf_doc_field *fs, size_t n, const char *key)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(fs[i].key, key) == 0)
            return &fs[i];
    return NULL;
}

const zf_doc_field *zf_doctpl_field(const zf_doctpl *tpl, const char *key)
{
    return tpl && key ? field_in(tpl->fields, tpl->field_count, key) : NULL;
}

/* ---- UTF-8 ---------------------------------------------------------------- */

/* Decodes one code point at s (n bytes left). Returns its length, or 0 when
 * the bytes are not shortest-form UTF-8 of a scalar value. */
static size_t utf8_next(unsigned *cp, const unsigned char *s, size_t n)
{
    unsigned c = s[0], v;
    size_t len, i;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, v = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, v = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, v = c & 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
        (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

/* Counts the characters of s; -1 for bad UTF-8 or a control character
 * (line breaks and tabs allowed when multiline). */
static long text_chars(const char *s, size_t n, int multiline)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    long count = 0;

    while (i < n) {
        unsigned cp;
        size_t k = utf8_next(&cp, p + i, n - i);

        if (k == 0)
            return -1;
        if ((cp < 0x20 && !(multiline && (cp == '\n' || cp == '\r' || cp == '\t'))) ||
            cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
            return -1;
        i += k;
        count++;
    }
    return count;
}

/* ---- dates ------------------------------------------------------------------ */

static int is_digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int num(const char *s, size_t n)
{
    int v = 0;
    size_t i;

    for (i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), so that date differences are plain subtraction. */
static long days_from_civil(int y, int m, int d)
{
    long era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int month_days(int y, int m)
{
    static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return md[m - 1];
}

/* A moment read from a date or datetime field. */
typedef struct moment {
    long days;
    int minutes; /* -1 for a date without a time */
} moment;

static int parse_date(moment *out, const char *s, size_t n)
{
    int y, m, d;

    if (n != 10 || s[4] != '-' || s[7] != '-' || !is_digits(s, 4) || !is_digits(s + 5, 2) ||
        !is_digits(s + 8, 2))
        return -1;
    y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
    if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
        return -1;
    out->days = days_from_civil(y, m, d);
    out->minutes = -1;
    return 0;
}

static int parse_datetime(moment *out, const char *s, size_t n)
{
    int h, mi;

    if ((n != 16 && n != 19) || parse_date(out, s, 10) < 0 || (s[10] != ' ' && s[10] != 'T') ||
        s[13] != ':' || !is_digits(s + 11, 2) || !is_digits(s + 14, 2))
        return -1;
    if (n == 19 && (s[16] != ':' || !is_digits(s + 17, 2) || num(s + 17, 2) > 59))
        return -1;
    h = num(s + 11, 2), mi = num(s + 14, 2);
    if (h > 23 || mi > 59)
        return -1;
    out->minutes = h * 60 + mi;
    return 0;
}

/* ---- money -------------------------------------------------------------------- */

int zf_doc_money_fen(int64_t *out, const json_t *v)
{
    int64_t fen = 0;

    if (json_is_integer(v)) {
        json_int_t y = json_integer_value(v);

        if (y < 0 || y >= MONEY_MAX_FEN / 100)
            return ZF_EINVAL;
        fen = (int64_t)y * 100;
    } else if (json_is_real(v)) {
        double y = json_real_value(v), f = y * 100.0;
        int64_t r;

        if (!(y >= 0) || f >= (double)MONEY_MAX_FEN)
            return ZF_EINVAL;
        r = (int64_t)(f + 0.5);
        /* Anything beyond two decimals (1.005) is refused, not rounded. */
        if ((double)r - f > 1e-6 || f - (double)r > 1e-6)
            return ZF_EINVAL;
        fen = r;
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v), i = 0, ints = 0, decs = 0;

        while (i < n && s[i] >= '0' && s[i] <= '9' && ints < 13)
            fen = fen * 10 + (s[i++] - '0'), ints++;
        if (ints == 0 || ints > 12)
            return ZF_EINVAL;
        if (i < n && s[i] == '.') {
            i++;
            while (i < n && s[i] >= '0' && s[i] <= '9' && decs < 3)
                fen = fen * 10 + (s[i++] - '0'), decs++;
            if (decs == 0 || decs > 2)
                return ZF_EINVAL;
        }
        if (i != n)
            return ZF_EINVAL;
        for (; decs < 2; decs++)
            fen *= 10;
        if (fen >= MONEY_MAX_FEN)
            return ZF_EINVAL;
    } else {
        return ZF_EINVAL;
    }
    if (out)
        *out = fen;
    return 0;
}

int zf_doc_money_format(char *out, size_t cap, int64_t fen)
{
    char digits[32], tmp[48];
    int nd, i, j = 0;

    if (fen < 0)
        return ZF_EINVAL;
    nd = snprintf(digits, sizeof digits, "%lld", (long long)(fen / 100));
    for (i = 0; i < nd; i++) {
        if (i > 0 && (nd - i) % 3 == 0)
            tmp[j++] = ',';
        tmp[j++] = digits[i];
    }
    j += snprintf(tmp + j, sizeof tmp - (size_t)j, ".%02d", (int)(fen % 100));
    if ((size_t)j + 1 > cap)
        return ZF_EINVAL;
    memcpy(out, tmp, (size_t)j + 1);
    return j;
}

/* ---- identifiers -------------------------------------------------------------- */

/* ---- validation ------------------------------------------------------------------ */

static const char *const party_types[] = {"自然人", "法人", "非法人组织", "个体工商户", NULL};
static const char *const id_types[] = {"统一社会信用代码", "居民身份证", "护照",
                                       "港澳居民来往内地通行证", "台湾居民来往大陆通行证",
                                       "外国人永久居留身份证", "其他", NULL};

static const zf_doc_field party_fields[] = {
    {"type", "类型", ZF_FT_ENUM, ZF_FIELD_REQUIRED, 0, 0, 0, party_types, NULL, 0},
    {"name", "名称或姓名", ZF_FT_TEXT, ZF_FIELD_REQUIRED, 200, 0, 0, NULL, NULL, 0},
    {"id_type", "证件类型", ZF_FT_ENUM, 0, 0, 0, 0, id_types, NULL, 0},
    {"id_no", "证件号码", ZF_FT_TEXT, 0, 40, 0, 0, NULL, NULL, 0},
    {"address", "住所", ZF_FT_TEXT, 0, 200, 0, 0, NULL, NULL, 0},
    {"legal_rep", "法定代表人（负责人）", ZF_FT_TEXT, 0, 50, 0, 0, NULL, NULL, 0},
    {"phone", "联系电话", ZF_FT_TEXT, 0, 30, 0, 0, NULL, NULL, 0},
};
static const zf_doc_field officer_fields[] = {
    {"name", "姓名", ZF_FT_TEXT, ZF_FIELD_REQUIRED, 50, 0, 0, NULL, NULL, 0},
    {"cert_no", "执法证号", ZF_FT_TEXT, ZF_FIELD_REQUIRED, 30, 0, 0, NULL, NULL, 0},
};
static const zf_doc_field lawref_fields[] = {
    {"law", "法律名称", ZF_FT_TEXT, ZF_FIELD_REQUIRED, 100, 0, 0, NULL, NULL, 0},
    {"article", "条", ZF_FT_TEXT, ZF_FIELD_REQUIRED, 40, 0, 0, NULL, NULL, 0},
    {"clause", "款项", ZF_FT_TEXT, 0, 40, 0, 0, NULL, NULL, 0},
};
static const zf_doc_field signature_fields[] = {
    {"role", "签名人身份", ZF_FT_ENUM, ZF_FIELD_REQUIRED, 0, 0, 0, NULL, NULL, 0},
    {"name", "签名人", ZF_FT_TEXT, ZF_FIELD_REQUIRED, 50, 0, 0, NULL, NULL, 0},
    {"signed_at", "签名时间", ZF_FT_DATETIME, 0, 0, 0, 0, NULL, NULL, 0},
    {"image_sha256", "签名图像摘要", ZF_FT_TEXT, 0, 64, 0, 0, NULL, NULL, 0},
};

#define PATH_MAX_ 64
#define DESC_MAX 256

/* Where a value sits: JSON path for err.field, Chinese description for the
 * message ("“当事人”的“名称”", "“执法人员”第2项的“姓名”"). */
typedef struct where {
    char path[PATH_MAX_];
    char desc[DESC_MAX];
} where;

/* snprintf through a va_list: paths and descriptions are cut at their
 * buffer on purpose (err.field and the message are bounded anyway). */
static void putf(char *dst, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void putf(char *dst, size_t cap, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
}

static void where_root(where *w, const zf_doc_field *f)
{
    putf(w->path, sizeof w->path, "%s", f->key);
    putf(w->desc, sizeof w->desc, "“%s”", f->label);
}

static void where_member(where *out, const where *parent, long index, const zf_doc_field *f)
{
    if (index >= 0) {
        putf(out->path, sizeof out->path, "%s[%ld].%s", parent->path, index, f->key);
        putf(out->desc, sizeof out->desc, "%s第%ld项的“%s”", parent->desc, index + 1,
                 f->label);
    } else {
        putf(out->path, sizeof out->path, "%s.%s", parent->path, f->key);
        putf(out->desc, sizeof out->desc, "%s的“%s”", parent->desc, f->label);
    }
}

static int fail(zf_err *err, const where *w, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(zf_err *err, const where *w, const char *code, const char *fmt, ...)
{
    char tail[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(tail, sizeof tail, fmt, ap);
    va_end(ap);
    return zf_err_set(err, ZF_EINVAL, code, w->path, "%s%s", w->desc, tail);
}

/* Absent, null, "" and [] all mean "not filled". */
static int is_empty(const json_t *v)
{
    return !v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
           (json_is_array(v) && json_array_size(v) == 0);
}

static int check_value(const zf_doc_field *f, const json_t *v, const where *w, zf_err *err);

/* Checks an object against a set of member fields. */
static int check_object(const zf_doc_field *fs, size_t n, const json_t *obj, const where *w,
                        long index, zf_err *err)
{
    const char *key;
    json_t *val;
    size_t i;
    int rc;

    if (!json_is_object(obj))
        return fail(err, w, "wrong_type", "格式不正确");
    json_object_foreach((json_t *)obj, key, val) {
        if (!field_in(fs, n, key)) {
            where u;
            zf_doc_field fake = {key, key, ZF_FT_TEXT, 0, 0, 0, 0, NULL, NULL, 0};

            where_member(&u, w, index, &fake);
            return fail(err, &u, "unknown_field", "不是该项的字段");
        }
        (void)val;
    }
    for (i = 0; i < n; i++) {
        where u;

        where_member(&u, w, index, &fs[i]);
        if ((rc = check_value(&fs[i], json_object_get(obj, fs[i].key), &u, err)) < 0)
            return rc;
    }
    return 0;
}

static int check_text(const zf_doc_field *f, const json_t *v, const where *w, zf_err *err)
{
    long chars, max = f->max_len > 0 ? f->max_len : (f->type == ZF_FT_LONGTEXT ? 8000 : 200);

    if (!json_is_string(v))
        return fail(err, w, "wrong_type", "应为文本");
    chars = text_chars(json_string_value(v), json_string_length(v), f->type == ZF_FT_LONGTEXT);
    if (chars < 0)
        return fail(err, w, "bad_format", "含有无效字符");
    if (chars > max)
        return fail(err, w, "too_long", "不能超过%ld个字（现有%ld个字）", max, chars);
    return 0;
}

static int check_enum(const char *const *options, const json_t *v, const where *w,
                      zf_err *err)
{
    size_t i;

    if (!json_is_string(v))
        return fail(err, w, "wrong_type", "应为文本");
    for (i = 0; options && options[i]; i++)
        if (strcmp(options[i], json_string_value(v)) == 0 &&
            strlen(options[i]) == json_string_length(v))
            return 0;
    return fail(err, w, "bad_value", "不是可选的值");
}
const zf_doc_field *zf_doctpl_item_fields(zf_field_type type, size_t *out_n)
{
    switch (type) {
    case ZF_FT_PARTY:
        *out_n = sizeof party_fields / sizeof party_fields[0];
        return party_fields;
    case ZF_FT_OFFICERS:
        *out_n = sizeof officer_fields / sizeof officer_fields[0];
        return officer_fields;
    case ZF_FT_LAWREFS:
        *out_n = sizeof lawref_fields / sizeof lawref_fields[0];
        return lawref_fields;
    case ZF_FT_SIGNATURES:
        *out_n = sizeof signature_fields / sizeof signature_fields[0];
        return signature_fields;
    default:
        *out_n = 0;
        return NULL;
    }
}

int zf_doctpl_field_max(const zf_doc_field *f)
{
    switch (f->type) {
    case ZF_FT_TEXT:
        return f->max_len > 0 ? f->max_len : 200;
    case ZF_FT_LONGTEXT:
        return f->max_len > 0 ? f->max_len : 8000;
    case ZF_FT_OFFICERS:
    case ZF_FT_LAWREFS:
    case ZF_FT_SIGNATURES:
    case ZF_FT_ROWS:
        return f->max_len > 0 ? f->max_len : 100;
    default:
        return 0;
    }
}

static int check_party(const json_t *v, const where *w, zf_err *err)
{
    const char *type, *idt, *id;
    size_t idn;
    int rc;

    if ((rc = check_object(party_fields, sizeof party_fields / sizeof party_fields[0], v, w, -1,
                           err)) < 0)
        return rc;
    type = json_string_value(json_object_get(v, "type"));
    idt = json_string_value(json_object_get(v, "id_type"));
    id = json_string_value(json_object_get(v, "id_no"));
    idn = id ? strlen(id) : 0;
    if ((strcmp(type, "法人") == 0 || strcmp(type, "非法人组织") == 0) &&
        is_empty(json_object_get(v, "legal_rep"))) {
        where u;

        where_member(&u, w, -1, &party_fields[5]);
        return fail(err, &u, "required", "不能为空（当事人为%s）", type);
    }
    if (idn > 0 && idt) {
        where u;

        where_member(&u, w, -1, &party_fields[3]);
        if (strcmp(idt, "统一社会信用代码") == 0 && !zf_redact_credit_code_valid(id, idn))
            return fail(err, &u, "bad_format", "不是有效的统一社会信用代码（校验位不符）");
        if (strcmp(idt, "居民身份证") == 0 && !zf_redact_id_valid(id, idn))
            return fail(err, &u, "bad_format", "不是有效的居民身份证号码（校验位不符）");
    }
    return 0;
}

/* Checks "第X条" / "第X条之N" with X a canonical Chinese numeral or digits. */
static int article_ok(const char *s, size_t n)
{
    static const char di[] = "第", tiao[] = "条", zhi[] = "之";
    const char *end = s + n, *t;
    int no;

    if (n < 7 || memcmp(s, di, 3) != 0)
        return 0;
    s += 3;
    t = strstr(s, tiao);
    if (!t || t >= end || t == s)
        return 0;
    if (is_digits(s, (size_t)(t - s))) {
        if (t - s > 4 || num(s, (size_t)(t - s)) == 0)
            return 0;
    } else if (zf_lawdoc_numeral_value(&no, s, (size_t)(t - s)) < 0) {
        return 0;
    }
    s = t + 3;
    if (s == end)
        return 1;
    if ((size_t)(end - s) <= 3 || memcmp(s, zhi, 3) != 0)
        return 0;
    s += 3;
    return zf_lawdoc_numeral_value(&no, s, (size_t)(end - s)) == 0 ||
           (is_digits(s, (size_t)(end - s)) && end - s <= 2);
}

static int check_list(const zf_doc_field *f, const json_t *v, const where *w, zf_err *err)
{
    zf_doc_field sig[sizeof signature_fields / sizeof signature_fields[0]];
    const zf_doc_field *cols = NULL;
    size_t ncols = 0, i, j, n, max = f->max_len > 0 ? (size_t)f->max_len : 100;
    int rc;

    if (!json_is_array(v))
        return fail(err, w, "wrong_type", "应为列表");
    n = json_array_size(v);
    if (n > max)
        return fail(err, w, "too_many", "不能超过%zu项", max);
    if (f->min > 0 && n < (size_t)f->min)
        return fail(err, w, "too_few", f->type == ZF_FT_OFFICERS ? "至少需要%d人（现有%zu人）"
                                                                  : "至少需要%d项（现有%zu项）",
                    f->min, n);
    switch (f->type) {
    case ZF_FT_OFFICERS:
        cols = officer_fields, ncols = sizeof officer_fields / sizeof officer_fields[0];
        break;
    case ZF_FT_LAWREFS:
        cols = lawref_fields, ncols = sizeof lawref_fields / sizeof lawref_fields[0];
        break;
    case ZF_FT_SIGNATURES:
        /* The roles allowed are the template's signature slots. */
        memcpy(sig, signature_fields, sizeof sig);
        sig[0].options = f->options;
        cols = sig, ncols = sizeof sig / sizeof sig[0];
        break;
    default:
        cols = f->columns, ncols = f->column_count;
        break;
    }
    for (i = 0; i < n; i++) {
        const json_t *item = json_array_get(v, i);
        where u;

        putf(u.path, sizeof u.path, "%s[%zu]", w->path, i);
        putf(u.desc, sizeof u.desc, "%s第%zu项", w->desc, i + 1);
        if ((rc = check_object(cols, ncols, item, w, (long)i, err)) < 0) {
            if (!json_is_object(item))
                return fail(err, &u, "wrong_type", "格式不正确");
            return rc;
        }
        if (f->type == ZF_FT_LAWREFS) {
            const json_t *a = json_object_get(item, "article");
            where r;

            where_member(&r, w, (long)i, &lawref_fields[1]);
            if (!article_ok(json_string_value(a), json_string_length(a)))
                return fail(err, &r, "bad_format", "应写作“第X条”或“第X条之N”");
        }
        if (f->type == ZF_FT_SIGNATURES) {
            const char *h = json_string_value(json_object_get(item, "image_sha256"));
            size_t k, hl = h ? strlen(h) : 0;

            for (k = 0; k < hl; k++)
                if (!((h[k] >= '0' && h[k] <= '9') || (h[k] >= 'a' && h[k] <= 'f')))
                    break;
            if (hl > 0 && (hl != 64 || k != hl)) {
                where r;

                where_member(&r, w, (long)i, &signature_fields[3]);
                return fail(err, &r, "bad_format", "应为64位小写十六进制");
            }
        }
        if (f->type == ZF_FT_OFFICERS) {
            /* One officer listed twice would satisfy "two officers" on paper. */
            const char *c = json_string_value(json_object_get(item, "cert_no"));

            for (j = 0; j < i; j++) {
                const char *d = json_string_value(
                    json_object_get(json_array_get(v, j), "cert_no"));

                if (strcmp(c, d) == 0) {
                    where r;

                    where_member(&r, w, (long)i, &officer_fields[1]);
                    return fail(err, &r, "bad_value", "与第%zu项重复", j + 1);
                }
            }
        }
    }
    return 0;
}

static int check_value(const zf_doc_field *f, const json_t *v, const where *w, zf_err *err)
{
    moment m;
    json_int_t iv;

    if (is_empty(v)) {
        if ((f->flags & ZF_FIELD_REQUIRED) && !(f->flags & ZF_FIELD_DERIVED))
            return fail(err, w, "required", "不能为空");
        return 0;
    }
    switch (f->type) {
    case ZF_FT_TEXT:
    case ZF_FT_LONGTEXT:
        return check_text(f, v, w, err);
    case ZF_FT_DATE:
    case ZF_FT_DATETIME:
        if (!json_is_string(v))
            return fail(err, w, "wrong_type", "应为文本");
        if ((f->type == ZF_FT_DATE ? parse_date : parse_datetime)(&m, json_string_value(v),
                                                                  json_string_length(v)) < 0)
            return fail(err, w, "bad_format", f->type == ZF_FT_DATE
                                                  ? "应为有效日期，格式如2026-03-01"
                                                  : "应为有效时间，格式如2026-03-01 09:30");
        return 0;
    case ZF_FT_MONEY:
        if (zf_doc_money_fen(NULL, v) < 0)
            return fail(err, w, "bad_format", "应为不小于零的金额，以元为单位，最多两位小数");
        return 0;
    case ZF_FT_INT:
        if (!json_is_integer(v))
            return fail(err, w, "wrong_type", "应为整数");
        iv = json_integer_value(v);
        if ((f->min || f->max) && (iv < f->min || iv > f->max))
            return fail(err, w, "out_of_range", "应在%d至%d之间", f->min, f->max);
        return 0;
    case ZF_FT_ENUM:
        return check_enum(f->options, v, w, err);
    case ZF_FT_PARTY:
        return check_party(v, w, err);
    case ZF_FT_OFFICERS:
    case ZF_FT_LAWREFS:
    case ZF_FT_SIGNATURES:
    case ZF_FT_ROWS:
        return check_list(f, v, w, err);
    case ZF_FT_DOCNO: {
        zf_docno d;

        if (!json_is_string(v))
            return fail(err, w, "wrong_type", "应为文本");
        if (zf_docno_parse(&d, json_string_value(v), json_string_length(v), NULL) < 0)
            return fail(err, w, "bad_format", "格式应如“赣江市监处罚〔2026〕12号”");
        return 0;
    }
    }
    return zf_err_set(err, ZF_EINTERNAL, NULL, f->key, "未知的字段类型");
}

/* Reads a date or datetime field already known to be valid; 0 if present. */
static int get_moment(moment *out, const zf_doctpl *tpl, const json_t *fields, const char *key)
{
    const zf_doc_field *f = zf_doctpl_field(tpl, key);
    const json_t *v = json_object_get(fields, key);

    if (!f || is_empty(v) || !json_is_string(v))
        return -1;
    if (f->type == ZF_FT_DATE)
        return parse_date(out, json_string_value(v), json_string_length(v));
    return parse_datetime(out, json_string_value(v), json_string_length(v));
}

static int get_fen(int64_t *out, const json_t *fields, const char *key)
{
    const json_t *v = json_object_get(fields, key);

    return is_empty(v) ? -1 : zf_doc_money_fen(out, v);
}

/* Compares two moments: by minutes when both carry a time, else by day. */
static int moment_cmp(const moment *a, const moment *b)
{
    if (a->days != b->days || a->minutes < 0 || b->minutes < 0)
        return a->days < b->days ? -1 : a->days > b->days;
    return a->minutes < b->minutes ? -1 : a->minutes > b->minutes;
}

static int run_check(const zf_doctpl *tpl, const zf_doc_check *c, const json_t *fields,
                     zf_err *err)
{
    const zf_doc_field *fa = zf_doctpl_field(tpl, c->a), *fb = zf_doctpl_field(tpl, c->b);
    moment a, b;
    int64_t x, lo, hi;
    where w;
    char s1[48], s2[48];

    if (!fa || !fb)
        return zf_err_set(err, ZF_EINTERNAL, NULL, c->a, "文书模板的校验规则有误");
    where_root(&w, fb);
    switch (c->kind) {
    case ZF_CHK_ORDER:
    case ZF_CHK_BEFORE:
    case ZF_CHK_DAYS_BEFORE:
    case ZF_CHK_SPAN_DAYS:
        if (get_moment(&a, tpl, fields, c->a) < 0 || get_moment(&b, tpl, fields, c->b) < 0)
            return 0;
        if (c->kind == ZF_CHK_ORDER && moment_cmp(&a, &b) > 0)
            return fail(err, &w, "bad_order", "不能早于“%s”", fa->label);
        if (c->kind == ZF_CHK_BEFORE && moment_cmp(&a, &b) >= 0)
            return fail(err, &w, "bad_order", "应晚于“%s”", fa->label);
        if (c->kind == ZF_CHK_DAYS_BEFORE && b.days - a.days < c->n)
            return fail(err, &w, "bad_order", "应在“%s”%d日之后", fa->label, c->n);
        if (c->kind == ZF_CHK_SPAN_DAYS && b.days - a.days > c->n)
            return fail(err, &w, "out_of_range", "距“%s”不能超过%d日", fa->label, c->n);
        return 0;
    case ZF_CHK_MONEY_RANGE: {
        const zf_doc_field *fc = zf_doctpl_field(tpl, c->c);

        if (!fc || get_fen(&x, fields, c->a) < 0)
            return 0;
        where_root(&w, fa);
        /* The benchmark range applies when both bounds are given. */
        if (get_fen(&lo, fields, c->b) < 0 || get_fen(&hi, fields, c->c) < 0)
            return 0;
        if (lo > hi) {
            where_root(&w, fc);
            return fail(err, &w, "bad_order", "不能小于“%s”", fb->label);
        }
        if (x < lo || x > hi) {
            zf_doc_money_format(s1, sizeof s1, lo);
            zf_doc_money_format(s2, sizeof s2, hi);
            return fail(err, &w, "out_of_range", "超出裁量基准范围（%s元至%s元）", s1, s2);
        }
        return 0;
    }
    case ZF_CHK_ONSITE_LIMIT: {
        const char *type = json_string_value(json_object_get(json_object_get(fields, c->b),
                                                             "type"));
        int64_t limit;

        if (get_fen(&x, fields, c->a) < 0 || !type)
            return 0;
        /* 行政处罚法 第五十一条 */
        limit = strcmp(type, "自然人") == 0 ? 20000 : 300000;
        where_root(&w, fa);
        if (x > limit)
            return fail(err, &w, "out_of_range", "超过当场处罚的限额（%s不超过%lld元）",
                        strcmp(type, "自然人") == 0 ? "公民" : "法人或者其他组织",
                        (long long)(limit / 100));
        return 0;
    }
    }
    return 0;
}

/* The whole check; missing non-NULL is the draft mode: an empty top-level
 * required field is appended to it ({key, label}) instead of failing. */
static int validate(const zf_doctpl *tpl, const json_t *fields, json_t *missing, zf_err *err)
{
    const char *key;
    json_t *val;
    size_t i;
    int rc;

    if (!tpl)
        return zf_err_set(err, ZF_EINVAL, "unknown_template", NULL, "未知的文书种类");
    if (!json_is_object(fields))
        return zf_err_set(err, ZF_EINVAL, "wrong_type", NULL, "文书内容应为对象");
    json_object_foreach((json_t *)fields, key, val) {
        (void)val;
        if (!zf_doctpl_field(tpl, key)) {
            where w;

            putf(w.path, sizeof w.path, "%s", key);
            putf(w.desc, sizeof w.desc, "字段“%.100s”", key);
            return fail(err, &w, "unknown_field", "不属于%s", tpl->name);
        }
    }
    for (i = 0; i < tpl->field_count; i++) {
        where w;

        const zf_doc_field *f = &tpl->fields[i];
        const json_t *v = json_object_get(fields, f->key);

        if (missing && is_empty(v) && (f->flags & ZF_FIELD_REQUIRED) && !(f->flags & ZF_FIELD_DERIVED)) {
            json_array_append_new(missing, json_pack("{s:s, s:s}", "key", f->key, "label", f->label));
            continue;
        }
        where_root(&w, f);
        if ((rc = check_value(f, v, &w, err)) < 0)
            return rc;
    }
    for (i = 0; i < tpl->check_count; i++)
        if ((rc = run_check(tpl, &tpl->checks[i], fields, err)) < 0)
            return rc;
    return 0;
}

int zf_doc_validate(const zf_doctpl *tpl, const json_t *fields, zf_err *err)
{
    return validate(tpl, fields, NULL, err);
}

int zf_doc_validate_draft(json_t **out_missing, const zf_doctpl *tpl, const json_t *fields,
                          zf_err *err)
{
    json_t *missing = json_array();
    int rc = validate(tpl, fields, missing, err);

    if (rc < 0 || !out_missing)
        json_decref(missing);
    else
        *out_missing = missing;
    if (out_missing && rc < 0)
        *out_missing = NULL;
    return rc;
}

/* ---- 文号 ------------------------------------------------------------------------- */

static const char *const open_brackets[] = {"〔", "[", "【", "［", "(", "（", NULL};
static const char *const close_brackets[] = {"〕", "]", "】", "］", ")", "）", NULL};

static int contains(const char *p, size_t n, const char *needle)
{
    size_t k = strlen(needle), i;

    for (i = 0; i + k <= n; i++)
        if (memcmp(p + i, needle, k) == 0)
            return 1;
    return 0;
}

static int prefix_ok(const char *p, size_t n)
{
    size_t i;

    if (n == 0 || n >= sizeof(((zf_docno *)0)->prefix) || text_chars(p, n, 0) < 0)
        return 0;
    for (i = 0; open_brackets[i]; i++) {
        if (contains(p, n, open_brackets[i]) || contains(p, n, close_brackets[i]))
            return 0;
    }
    return memchr(p, ' ', n) == NULL;
}

int zf_docno_format(char *out, size_t cap, const char *prefix, int year, int64_t seq,
                    zf_err *err)
{
    char tmp[sizeof(((zf_docno *)0)->prefix) + 48];
    int n;

    if (!prefix || !prefix_ok(prefix, strlen(prefix)))
        return zf_err_set(err, ZF_EINVAL, "bad_format", "doc_no", "文号前缀无效");
    if (year < 2000 || year > 9999 || seq < 1 || seq > DOCNO_SEQ_MAX)
        return zf_err_set(err, ZF_EINVAL, "out_of_range", "doc_no", "文号的年份或序号超出范围");
    /* Into a scratch buffer first: out is untouched when it is too small. */
    n = snprintf(tmp, sizeof tmp, "%s〔%d〕%lld号", prefix, year, (long long)seq);
    if (n < 0 || (size_t)n >= cap)
        return zf_err_set(err, ZF_EINVAL, "too_long", "doc_no", "文号过长");
    memcpy(out, tmp, (size_t)n + 1);
    return n;
}

/* Reads ASCII or full-width digits; returns bytes consumed, sets *count. */
static size_t read_digits(int64_t *v, int *count, const char *s, size_t n)
{
    size_t i = 0;

    *v = 0, *count = 0;
    while (i < n && *count < 12) {
        if (s[i] >= '0' && s[i] <= '9') {
            *v = *v * 10 + (s[i] - '0');
            i++;
        } else if (n - i >= 3 && (unsigned char)s[i] == 0xEF && (unsigned char)s[i + 1] == 0xBC &&
                   (unsigned char)s[i + 2] >= 0x90 && (unsigned char)s[i + 2] <= 0x99) {
            *v = *v * 10 + ((unsigned char)s[i + 2] - 0x90);
            i += 3;
        } else {
            break;
        }
        (*count)++;
    }
    return i;
}

static size_t match_any(const char *const *set, const char *s, size_t n, int *which)
{
    int i;

    for (i = 0; set[i]; i++) {
        size_t k = strlen(set[i]);

        if (k <= n && memcmp(s, set[i], k) == 0) {
            *which = i;
            return k;
        }
    }
    return 0;
}

int zf_docno_parse(zf_docno *out, const char *s, size_t len, zf_err *err)
{
    static const char hao[] = "号";
    size_t i, k, plen = 0;
    int which = -1, which2 = -1, nd;
    int64_t year, seq;

    if (!s || len == 0 || len > 200)
        goto bad;
    /* The prefix ends at the first opening bracket. */
    for (i = 0; i < len; i++)
        if ((k = match_any(open_brackets, s + i, len - i, &which)) > 0)
            break;
    if (i == len || i == 0)
        goto bad;
    plen = i;
    i += k;
    i += read_digits(&year, &nd, s + i, len - i);
    if (nd != 4 || year < 2000)
        goto bad;
    if ((k = match_any(close_brackets, s + i, len - i, &which2)) == 0 || which2 != which)
        goto bad;
    i += k;
    i += read_digits(&seq, &nd, s + i, len - i);
    if (nd == 0 || nd > 9 || seq < 1)
        goto bad;
    if (len - i != 3 || memcmp(s + i, hao, 3) != 0)
        goto bad;
    if (!prefix_ok(s, plen))
        goto bad;
    memcpy(out->prefix, s, plen);
    out->prefix[plen] = '\0';
    out->year = (int)year;
    out->seq = seq;
    return 0;
bad:
    return zf_err_set(err, ZF_EINVAL, "bad_format", "doc_no",
                      "文号格式应如“赣江市监处罚〔2026〕12号”");
}

int zf_docno_next(zf_docno *out, const zf_docno *last, const char *prefix, int year,
                  zf_err *err)
{
    if (!prefix || !prefix_ok(prefix, strlen(prefix)))
        return zf_err_set(err, ZF_EINVAL, "bad_format", "doc_no", "文号前缀无效");
    if (year < 2000 || year > 9999)
        return zf_err_set(err, ZF_EINVAL, "out_of_range", "doc_no", "文号年份超出范围");
    if (last && strcmp(last->prefix, prefix) != 0)
        return zf_err_set(err, ZF_ECONFLICT, "docno_counter_mismatch", "doc_no",
                          "上一个文号“%s”不属于“%s”的编号序列", last->prefix, prefix);
    if (last && last->year > year)
        return zf_err_set(err, ZF_ECONFLICT, "docno_year_regress", "doc_no",
                          "已有%d年的文号，不能再编%d年的号", last->year, year);
    if (last && last->year == year && last->seq >= DOCNO_SEQ_MAX)
        return zf_err_set(err, ZF_EINVAL, "out_of_range", "doc_no", "文号序号已用尽");
    snprintf(out->prefix, sizeof out->prefix, "%s", prefix);
    out->year = year;
    out->seq = last && last->year == year ? last->seq + 1 : 1;
    return 0;
}
