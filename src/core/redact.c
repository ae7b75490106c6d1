/* redact.c — recognition and masking of personal data. See redact.h.
 *
 * The text is decoded once into an array of characters, each with its
 * NFKC-normalised form (for matching) and its original bytes (for output).
 * Detectors mark characters to mask; the output is then assembled in one
 * pass, so every character is either copied or replaced by exactly one mask
 * character, which is what keeps lengths and positions aligned. */
#include "core/redact.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "util/mem.h"

/* ---- validators --------------------------------------------------------- */

static int is_digit(int32_t c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(int32_t c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int num2(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

static int region_ok(const char *s)
{
    /* province-level codes of GB/T 2260, plus 71/81/82/83 used by permits */
    static const int codes[] = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37,
                                41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64,
                                65, 71, 81, 82, 83};
    int p = num2(s);
    size_t i;

    for (i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (codes[i] == p)
            return 1;
    return 0;
}

static int date_ok(int y, int m, int d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    if (y < 1900 || y > 2099 || m < 1 || m > 12 || d < 1)
        return 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

static int all_digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!is_digit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* 18 characters that look like an ID (digits, region, birth date), whether
 * or not the check character is right. */
static int id18_shaped(const char *s)
{
    return all_digits(s, 17) && (is_digit((unsigned char)s[17]) || s[17] == 'X' || s[17] == 'x') &&
           region_ok(s) &&
           date_ok(num2(s + 6) * 100 + num2(s + 8), num2(s + 10), num2(s + 12));
}

static int id18_check_ok(const char *s)
{
    /* ISO 7064 MOD 11-2: weight of position i (from the left) is 2^(17-i) mod 11 */
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char check[] = "10X98765432";
    int sum = 0, i;

    for (i = 0; i < 17; i++)
        sum += (s[i] - '0') * w[i];
    return check[sum % 11] == (s[17] == 'x' ? 'X' : s[17]);
}

static int id15_ok(const char *s)
{
    return all_digits(s, 15) && region_ok(s) &&
           date_ok(1900 + num2(s + 6), num2(s + 8), num2(s + 10));
}

int zf_redact_id_valid(const char *s, size_t len)
{
    if (len == 18)
        return id18_shaped(s) && id18_check_ok(s);
    if (len == 15)
        return id15_ok(s);
    return 0;
}

int zf_redact_credit_code_valid(const char *s, size_t len)
{
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    int sum = 0, w = 1, i;
    const char *p;

    if (len != 18)
        return 0;
    for (i = 0; i < 17; i++) {
        if (s[i] == '\0' || !(p = strchr(alphabet, s[i])))
            return 0;
        sum += (int)(p - alphabet) * w; /* weights 3^i mod 31 */
        w = w * 3 % 31;
    }
    if (s[17] == '\0' || !(p = strchr(alphabet, s[17])))
        return 0;
    return (31 - sum % 31) % 31 == (int)(p - alphabet);
}

int zf_redact_luhn_valid(const char *s, size_t len)
{
    int sum = 0;
    size_t i;

    if (len == 0 || !all_digits(s, len))
        return 0;
    for (i = 0; i < len; i++) {
        int d = s[len - 1 - i] - '0';
        if (i % 2 == 1) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    return sum % 10 == 0;
}

/* ---- rules ---------------------------------------------------------------- */

#define A ZF_REDACT_AUTO
static const zf_redact_rule default_rules[] = {
    /* fields whose whole value is personal data */
    {"姓名", ZF_REDACT_ANY_AUDIENCE, ZF_REDACT_NAME, 1, 1, A, 0, NULL},
    {"自然人姓名", ZF_REDACT_ANY_AUDIENCE, ZF_REDACT_NAME, 1, 1, A, 0, NULL},
    {"当事人姓名", ZF_REDACT_ANY_AUDIENCE, ZF_REDACT_NAME, 1, 1, A, 0, NULL},
    {"证件号码", ZF_REDACT_ANY_AUDIENCE, ZF_REDACT_ID_NUMBER, 1, 1, 1, 1, NULL},
    {"身份证号码", ZF_REDACT_ANY_AUDIENCE, ZF_REDACT_ID_NUMBER, 1, 1, 1, 1, NULL},
    {"住址", ZF_REDACT_ANY_AUDIENCE, ZF_REDACT_ADDRESS, 1, 1, A, 0, NULL},
    {"家庭住址", ZF_REDACT_ANY_AUDIENCE, ZF_REDACT_ADDRESS, 1, 1, A, 0, NULL},
    {"联系电话", ZF_REDACT_ANY_AUDIENCE, ZF_REDACT_MOBILE, 1, 1, 3, 4, NULL},
    {"手机号码", ZF_REDACT_ANY_AUDIENCE, ZF_REDACT_MOBILE, 1, 1, 3, 4, NULL},
    {"银行账号", ZF_REDACT_ANY_AUDIENCE, ZF_REDACT_BANK_CARD, 1, 1, 4, 4, NULL},
    {"银行卡号", ZF_REDACT_ANY_AUDIENCE, ZF_REDACT_BANK_CARD, 1, 1, 4, 4, NULL},
    /* the credit platform receives the identity of natural persons (双公示) */
    {"姓名", ZF_REDACT_CREDIT, ZF_REDACT_NAME, 0, 0, 0, 0, NULL},
    {"自然人姓名", ZF_REDACT_CREDIT, ZF_REDACT_NAME, 0, 0, 0, 0, NULL},
    {"当事人姓名", ZF_REDACT_CREDIT, ZF_REDACT_NAME, 0, 0, 0, 0, NULL},
    {"证件号码", ZF_REDACT_CREDIT, ZF_REDACT_ID_NUMBER, 0, 0, 0, 0, NULL},
    {"身份证号码", ZF_REDACT_CREDIT, ZF_REDACT_ID_NUMBER, 0, 0, 0, 0, NULL},
    /* everything else, free text included */
    {"*", ZF_REDACT_ANY_AUDIENCE, ZF_REDACT_ID_NUMBER, 0, 1, 1, 1, NULL},
    {"*", ZF_REDACT_ANY_AUDIENCE, ZF_REDACT_MOBILE, 0, 1, 3, 4, NULL},
    {"*", ZF_REDACT_ANY_AUDIENCE, ZF_REDACT_LANDLINE, 0, 1, A, 2, NULL},
    {"*", ZF_REDACT_ANY_AUDIENCE, ZF_REDACT_BANK_CARD, 0, 1, 4, 4, NULL},
    {"*", ZF_REDACT_ANY_AUDIENCE, ZF_REDACT_ADDRESS, 0, 1, A, 0, NULL},
    {"*", ZF_REDACT_ANY_AUDIENCE, ZF_REDACT_NAME, 0, 1, A, 0, NULL},
    {"*", ZF_REDACT_ANY_AUDIENCE, ZF_REDACT_CREDIT_CODE, 0, 0, 0, 0, NULL},
    /* staff see everything */
    {"*", ZF_REDACT_INTERNAL, ZF_REDACT_ANY_KIND, 0, 0, 0, 0, NULL},
};
#undef A

static const zf_redact_policy default_policy = {
    default_rules, sizeof default_rules / sizeof default_rules[0]};

const zf_redact_policy *zf_redact_default_policy(void)
{
    return &default_policy;
}

/* Used when no rule covers a finding: the public masks (index by kind). */
static const zf_redact_rule *fallback_rule(int kind)
{
    static const zf_redact_rule fb[ZF_REDACT_KIND_COUNT] = {
        {"*", 0, ZF_REDACT_ANY_KIND, 0, 1, 0, 0, NULL},
        {"*", 0, ZF_REDACT_ID_NUMBER, 0, 1, 1, 1, NULL},
        {"*", 0, ZF_REDACT_MOBILE, 0, 1, 3, 4, NULL},
        {"*", 0, ZF_REDACT_LANDLINE, 0, 1, ZF_REDACT_AUTO, 2, NULL},
        {"*", 0, ZF_REDACT_BANK_CARD, 0, 1, 4, 4, NULL},
        {"*", 0, ZF_REDACT_ADDRESS, 0, 1, ZF_REDACT_AUTO, 0, NULL},
        {"*", 0, ZF_REDACT_NAME, 0, 1, ZF_REDACT_AUTO, 0, NULL},
        {"*", 0, ZF_REDACT_CREDIT_CODE, 0, 0, 0, 0, NULL},
    };
    return &fb[kind > 0 && kind < ZF_REDACT_KIND_COUNT ? kind : 0];
}

static const zf_redact_rule *find_rule(const zf_redact_policy *p, const char *field,
                                       int audience, int kind)
{
    const zf_redact_rule *best = NULL;
    int best_score = -1;
    size_t i;

    for (i = 0; i < p->count; i++) {
        const zf_redact_rule *r = &p->rules[i];
        int score = 0;

        if (r->audience == audience)
            score += 4;
        else if (r->audience != ZF_REDACT_ANY_AUDIENCE)
            continue;
        if (strcmp(r->field, field) == 0)
            score += 2;
        else if (strcmp(r->field, "*") != 0)
            continue;
        if (r->kind == kind)
            score += 1;
        else if (r->kind != ZF_REDACT_ANY_KIND)
            continue;
        if (score > best_score) {
            best = r;
            best_score = score;
        }
    }
    return best ? best : fallback_rule(kind);
}

/* The kind a whole rule gives the field, or 0. */
static int whole_kind(const zf_redact_policy *p, const char *field)
{
    size_t i;

    for (i = 0; i < p->count; i++)
        if (p->rules[i].whole && strcmp(p->rules[i].field, field) == 0)
            return p->rules[i].kind;
    return 0;
}

static int one_char(const char *s)
{
    int32_t cp;
    size_t n = strlen(s);
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &cp);

    return k > 0 && (size_t)k == n;
}

int zf_redact_policy_check(const zf_redact_policy *policy, zf_err *err)
{
    size_t i;

    for (i = 0; i < policy->count; i++) {
        const zf_redact_rule *r = &policy->rules[i];

        if (!r->field || !r->field[0] || r->kind < 0 || r->kind >= ZF_REDACT_KIND_COUNT ||
            r->audience < ZF_REDACT_ANY_AUDIENCE || r->audience > ZF_REDACT_INTERNAL ||
            r->keep_prefix < ZF_REDACT_AUTO || r->keep_suffix < 0 ||
            (r->mask_char && !one_char(r->mask_char)) ||
            (r->whole && (strcmp(r->field, "*") == 0 || r->kind == ZF_REDACT_ANY_KIND)))
            return zf_err_set(err, ZF_EINVAL, "bad_rule", "rules", "脱敏规则第 %zu 条无效", i + 1);
    }
    return 0;
}

/* ---- the text ------------------------------------------------------------ */

typedef struct ch {
    int32_t cp;       /* normalised (NFKC when that is one character) */
    size_t off, len;  /* original bytes */
} ch;

typedef struct scan {
    const char *text;
    ch *c;
    size_t n;
    unsigned char *claimed;  /* part of a finding already */
    const char **mask;       /* replacement per character, NULL = keep */
    zf_redact_finding *f;
    size_t nf, capf;
    const zf_redact_policy *policy;
    const char *field;
    int audience;
} scan;

static int32_t normalise(int32_t cp)
{
    int32_t d[8];
    utf8proc_ssize_t k;

    if (cp >= 0xFF01 && cp <= 0xFF5E)
        return cp - 0xFEE0; /* full-width ASCII */
    if (cp == 0x3000)
        return ' ';
    if (cp < 0x80 || (cp >= 0x4E00 && cp <= 0x9FFF))
        return cp;
    k = utf8proc_decompose_char(cp, d, 8, UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT, NULL);
    return k == 1 ? d[0] : cp;
}

static int is_han(int32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x20000 && c <= 0x323AF) || c == 0x3007;
}

/* Does the literal (UTF-8, compared after normalisation) start at i? */
static size_t lit_at(const scan *s, size_t i, const char *lit)
{
    size_t off = 0, len = strlen(lit), k = i;

    while (off < len) {
        int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)lit + off,
                                              (utf8proc_ssize_t)(len - off), &cp);
        if (n <= 0 || k >= s->n || s->c[k].cp != cp)
            return 0;
        off += (size_t)n;
        k++;
    }
    return k - i; /* characters matched */
}

static int in_set(int32_t c, const char *set)
{
    size_t off = 0, len = strlen(set);

    while (off < len) {
        int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)set + off,
                                              (utf8proc_ssize_t)(len - off), &cp);
        if (n <= 0)
            return 0;
        if (cp == c)
            return 1;
        off += (size_t)n;
    }
    return 0;
}

/* Records a finding over characters [a, b) and marks what to mask: the
 * characters for which `significant` is true, minus `skip` of them at the
 * start, minus the rule's visible prefix and suffix. auto_prefix is what
 * ZF_REDACT_AUTO means for this finding. */
static void add_finding(scan *s, int kind, size_t a, size_t b, int digits_only, size_t skip,
                        size_t auto_prefix)
{
    const zf_redact_rule *r = find_rule(s->policy, s->field, s->audience, kind);
    zf_redact_finding *f;
    size_t i, sig = 0, seen = 0, kp, ks;

    if (s->nf == s->capf) {
        s->capf = s->capf ? s->capf * 2 : 8;
        s->f = zf_realloc(s->f, s->capf * sizeof *s->f);
    }
    f = &s->f[s->nf++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->masked = r->mask;
    f->char_offset = a;
    f->char_length = b - a;
    for (i = a; i < b; i++)
        s->claimed[i] = 1;
    if (!r->mask)
        return;
    for (i = a; i < b; i++)
        if (digits_only ? is_alnum(s->c[i].cp) : s->c[i].cp != ' ')
            sig++;
    sig = sig > skip ? sig - skip : 0;
    kp = r->keep_prefix == ZF_REDACT_AUTO ? auto_prefix : (size_t)r->keep_prefix;
    ks = (size_t)r->keep_suffix;
    if (kp + ks >= sig) /* would reveal it all: hide it all */
        kp = ks = 0;
    for (i = a; i < b; i++) {
        if (!(digits_only ? is_alnum(s->c[i].cp) : s->c[i].cp != ' '))
            continue;
        if (skip > 0) {
            skip--;
            continue;
        }
        if (seen >= kp && seen < sig - ks)
            s->mask[i] = r->mask_char ? r->mask_char : "*";
        seen++;
    }
}

/* ---- names and addresses ------------------------------------------------ */

static size_t surname_len(const scan *s, size_t a, size_t b)
{
    static const char *compound[] = {"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟",
                                     "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "轩辕",
                                     "令狐", "端木", "独孤", "南宫", "西门", "澹台", "万俟",
                                     "闻人", "赫连", "申屠", "公羊", "太史", "钟离"};
    size_t i;

    if (b - a >= 3)
        for (i = 0; i < sizeof compound / sizeof compound[0]; i++)
            if (lit_at(s, a, compound[i]) == 2)
                return 2;
    return 1;
}

static void add_name(scan *s, size_t a, size_t b)
{
    add_finding(s, ZF_REDACT_NAME, a, b, 0, 0, surname_len(s, a, b));
}

/* Where the administrative divisions of the address [a, b) end. */
static size_t address_keep(const scan *s, size_t a, size_t b)
{
    size_t i, lim = a + 20 < b ? a + 20 : b, keep = a;

    for (i = a + 1; i < lim; i++) {
        if (in_set(s->c[i].cp, "区县旗") && !in_set(s->c[i - 1].cp, "小社园")) {
            keep = i + 1;
            break;
        }
    }
    /* a township or sub-district right after the district (or on its own) */
    for (i = keep; i < b && i < keep + 8 && is_han(s->c[i].cp); i++) {
        if (i > keep && in_set(s->c[i].cp, "镇乡")) {
            keep = i + 1;
            break;
        }
        if (i > keep && lit_at(s, i, "街道") == 2) {
            keep = i + 2;
            break;
        }
    }
    if (keep == a) /* no district, no township: keep the city */
        for (i = a + 1; i < lim; i++)
            if (s->c[i].cp == 0x5E02 /* 市 */) {
                keep = i + 1;
                break;
            }
    return keep - a;
}

static void add_address(scan *s, size_t a, size_t b)
{
    add_finding(s, ZF_REDACT_ADDRESS, a, b, 0, 0, address_keep(s, a, b));
}

static const char *const address_labels[] = {"家庭住址", "现住址", "户籍地址", "户籍所在地",
                                             "户籍地", "居住地", "住址", "家住", "现住"};
static const char *const name_labels[] = {"违法行为人", "被处罚人", "被检查人", "当事人",
                                          "行为人", "经营者", "负责人", "申请人"};
#define CLAUSE_END ",.;:!?、。)(\n\r\t"

static int is_stop(int32_t c)
{
    return in_set(c, CLAUSE_END) || c == 0x3002 || c == 0xFF61;
}

static void scan_addresses(scan *s)
{
    size_t i, k;

    for (i = 0; i < s->n; i++) {
        size_t a, b, lab = 0;

        for (k = 0; k < sizeof address_labels / sizeof address_labels[0] && !lab; k++)
            lab = lit_at(s, i, address_labels[k]);
        if (!lab)
            continue;
        a = i + lab;
        while (a < s->n && (s->c[a].cp == ':' || s->c[a].cp == ' ' ||
                            in_set(s->c[a].cp, "为是在于")))
            a++;
        for (b = a; b < s->n && b < a + 80 && !is_stop(s->c[b].cp) && s->c[b].cp != '\n'; b++)
            ;
        while (b > a && s->c[b - 1].cp == ' ')
            b--;
        if (b >= a + 4 && is_han(s->c[a].cp)) {
            add_address(s, a, b);
            i = b;
        }
    }
}

/* A run of 2-4 Han characters that is a person's name, or 0. */
static int name_run(const scan *s, size_t a, size_t b)
{
    size_t i;

    if (b < a + 2 || b > a + 4)
        return 0;
    for (i = a; i < b; i++)
        if (!is_han(s->c[i].cp) || s->claimed[i])
            return 0;
    return 1;
}

static void scan_names(scan *s)
{
    static const char *stops[] = {"性别", "身份", "住址", "年龄", "出生", "民族", "电话",
                                  "联系", "男", "女"};
    size_t i, k;

    for (i = 0; i < s->n; i++) {
        size_t lab = lit_at(s, i, "姓名");

        if (lab) { /* 姓名：张三 */
            size_t a = i + lab, b;
            while (a < s->n && (s->c[a].cp == ':' || s->c[a].cp == ' ' || s->c[a].cp == 0x4E3A))
                a++;
            for (b = a; b < s->n && b < a + 5 && is_han(s->c[b].cp); b++) {
                int stop = 0;
                for (k = 0; k < sizeof stops / sizeof stops[0] && !stop; k++)
                    stop = b > a + 1 && lit_at(s, b, stops[k]) > 0;
                if (stop)
                    break;
            }
            if (name_run(s, a, b)) {
                add_name(s, a, b);
                i = b;
            }
            continue;
        }
        /* 张三，男 / 张三（女） */
        if ((s->c[i].cp == 0x7537 || s->c[i].cp == 0x5973) && i >= 3 &&
            in_set(s->c[i - 1].cp, ",、(") &&
            (i + 1 == s->n || is_stop(s->c[i + 1].cp) || s->c[i + 1].cp == 0x6027 /* 性 */)) {
            size_t b = i - 1, a = b;
            while (a > 0 && b - a < 8 && is_han(s->c[a - 1].cp))
                a--;
            for (k = 0; k < sizeof name_labels / sizeof name_labels[0]; k++) {
                size_t l = lit_at(s, a, name_labels[k]);
                if (l && a + l < b) {
                    a += l;
                    break;
                }
            }
            if (name_run(s, a, b))
                add_name(s, a, b);
        }
    }
}

/* ---- numbers -------------------------------------------------------------- */

static int mobile_ok(const char *d)
{
    return d[0] == '1' && d[1] >= '3' && d[1] <= '9' && all_digits(d, 11);
}

#define MAX_GROUPS 8

typedef struct group {
    size_t a, b; /* characters [a, b), all digits */
} group;

enum { NO_MATCH = 0, REJECT = -1 };

/* Classifies the digits of groups g[0..ng) (written to d, len L). Returns a
 * kind, NO_MATCH, or REJECT for an ID-shaped number with a wrong check
 * digit (which must not be masked as anything). *skip gets the digits of
 * a prefix that stays visible (86), *autop the AUTO prefix (area code). */
static int classify(const char *d, size_t L, const group *g, size_t ng, size_t *skip,
                    size_t *autop)
{
    size_t i;

    *skip = *autop = 0;
    if (L == 18 && id18_shaped(d))
        return id18_check_ok(d) ? ZF_REDACT_ID_NUMBER : REJECT;
    if (L == 15 && id15_ok(d))
        return ZF_REDACT_ID_NUMBER;
    if (L == 11 && mobile_ok(d))
        return ZF_REDACT_MOBILE;
    if (L == 13 && d[0] == '8' && d[1] == '6' && mobile_ok(d + 2)) {
        *skip = 2;
        return ZF_REDACT_MOBILE;
    }
    if (L == 15 && memcmp(d, "0086", 4) == 0 && mobile_ok(d + 4)) {
        *skip = 4;
        return ZF_REDACT_MOBILE;
    }
    if (d[0] == '0' && d[1] != '0' && L >= 10 && L <= 12) {
        size_t area = (d[1] == '1' || d[1] == '2') ? 3 : 4;
        if ((L - area == 7 || L - area == 8) && d[area] >= '2' && d[area] <= '9' &&
            (ng == 1 || g[0].b - g[0].a == area)) {
            *autop = area;
            return ZF_REDACT_LANDLINE;
        }
    }
    if (L >= 16 && L <= 19 && d[0] != '0' && zf_redact_luhn_valid(d, L)) {
        for (i = 0; i + 1 < ng; i++)
            if (g[i].b - g[i].a != 4)
                return NO_MATCH;
        return ZF_REDACT_BANK_CARD;
    }
    return NO_MATCH;
}

static int is_sep(int32_t c)
{
    return c == ' ' || c == '-' || c == ')' || c == 0x2014 || c == 0x2013 || c == 0x2212;
}

/* End of the run of ASCII letters and digits starting at i. */
static size_t alnum_end(const scan *s, size_t i)
{
    while (i < s->n && is_alnum(s->c[i].cp))
        i++;
    return i;
}

static int run_digits(const scan *s, size_t a, size_t b)
{
    size_t i;

    for (i = a; i < b; i++)
        if (!is_digit(s->c[i].cp) || s->claimed[i])
            return 0;
    return 1;
}

/* Numbers made of digit groups starting with the digit run [a, b). Returns
 * the character index to continue from. */
static size_t scan_groups(scan *s, size_t a, size_t b)
{
    group g[MAX_GROUPS];
    size_t ng = 0, st, e, k;

    g[ng].a = a;
    g[ng++].b = b;
    while (ng < MAX_GROUPS) {
        size_t j = g[ng - 1].b, seps = 0, end;
        while (j < s->n && seps < 2 && is_sep(s->c[j].cp) && !s->claimed[j]) {
            j++;
            seps++;
        }
        if (seps == 0 || j >= s->n || !is_digit(s->c[j].cp))
            break;
        end = alnum_end(s, j);
        if (!run_digits(s, j, end))
            break;
        g[ng].a = j;
        g[ng++].b = end;
    }
    for (st = 0; st < ng;) {
        int kind = NO_MATCH;

        for (e = ng; e > st; e--) {
            char d[64];
            size_t L = 0, skip, autop, i;

            for (k = st; k < e && L < 40; k++)
                for (i = g[k].a; i < g[k].b && L < 40; i++)
                    d[L++] = (char)s->c[i].cp;
            d[L] = '\0';
            if (L > 19)
                continue;
            kind = classify(d, L, g + st, e - st, &skip, &autop);
            if (kind == REJECT) {
                st = e;
                break;
            }
            if (kind != NO_MATCH) {
                add_finding(s, kind, g[st].a, g[e - 1].b, 1, skip, autop);
                st = e;
                break;
            }
        }
        if (kind == NO_MATCH)
            st++;
    }
    return g[ng - 1].b;
}

static void scan_numbers(scan *s)
{
    size_t i = 0;

    while (i < s->n) {
        size_t j;
        char buf[19];

        if (s->claimed[i] || !is_alnum(s->c[i].cp) || (i > 0 && is_alnum(s->c[i - 1].cp))) {
            i++;
            continue;
        }
        j = alnum_end(s, i);
        if (j - i == 18) {
            size_t k;
            int free_run = 1;
            for (k = 0; k < 18; k++) {
                buf[k] = (char)s->c[i + k].cp;
                free_run &= !s->claimed[i + k];
            }
            buf[18] = '\0';
            if (free_run && id18_shaped(buf)) {
                if (id18_check_ok(buf))
                    add_finding(s, ZF_REDACT_ID_NUMBER, i, j, 1, 0, 0);
                i = j;
                continue;
            }
            if (free_run && zf_redact_credit_code_valid(buf, 18)) {
                add_finding(s, ZF_REDACT_CREDIT_CODE, i, j, 1, 0, 0);
                i = j;
                continue;
            }
        }
        i = run_digits(s, i, j) ? scan_groups(s, i, j) : j;
    }
}

/* A field whose whole value is a number of `kind` that the scan did not
 * recognise (a local number, an unusual card): mask its letters and digits. */
static void whole_number(scan *s, int kind)
{
    size_t a = 0, b = s->n, i, autop = 0;

    while (a < b && s->c[a].cp == ' ')
        a++;
    while (b > a && s->c[b - 1].cp == ' ')
        b--;
    for (i = a; i < b && !is_alnum(s->c[i].cp); i++)
        ;
    if (i == b)
        return;
    if (kind == ZF_REDACT_LANDLINE && s->c[i].cp == '0' && i + 1 < b)
        autop = (s->c[i + 1].cp == '1' || s->c[i + 1].cp == '2') ? 3 : 4;
    add_finding(s, kind, a, b, 1, 0, autop);
}

static int cmp_finding(const void *x, const void *y)
{
    const zf_redact_finding *a = x, *b = y;

    return a->char_offset < b->char_offset ? -1 : a->char_offset > b->char_offset;
}

int zf_redact_text(zf_redact_result *out, const zf_redact_policy *policy, const char *field,
                   int audience, const char *text, size_t len, zf_err *err)
{
    scan s;
    size_t off = 0, i, cap, olen = 0, *outoff = NULL;
    int rc = 0, wk;

    memset(out, 0, sizeof *out);
    memset(&s, 0, sizeof s);
    if (!policy)
        policy = &default_policy;
    if (len > ZF_REDACT_MAX_BYTES)
        return zf_err_set(err, ZF_ETOOBIG, "payload_too_large", field, "文本过长，无法脱敏");
    if (audience < ZF_REDACT_PUBLIC || audience > ZF_REDACT_INTERNAL)
        return zf_err_set(err, ZF_EINVAL, "bad_audience", "audience", "未知的公开对象");
    if ((rc = zf_redact_policy_check(policy, err)) < 0)
        return rc;
    s.text = text;
    s.policy = policy;
    s.field = field ? field : "*";
    s.audience = audience;
    s.c = zf_malloc((len + 1) * sizeof *s.c);
    while (off < len) {
        int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)text + off,
                                              (utf8proc_ssize_t)(len - off), &cp);
        if (k <= 0 || cp == 0) {
            rc = zf_err_set(err, ZF_EINVAL, "invalid_utf8", field, "文本含有无效字符");
            goto done;
        }
        s.c[s.n].cp = normalise(cp);
        s.c[s.n].off = off;
        s.c[s.n++].len = (size_t)k;
        off += (size_t)k;
    }
    s.claimed = zf_calloc(s.n + 1, 1);
    s.mask = zf_calloc(s.n + 1, sizeof *s.mask);

    wk = whole_kind(policy, s.field);
    if (wk == ZF_REDACT_NAME || wk == ZF_REDACT_ADDRESS) {
        size_t a = 0, b = s.n;
        while (a < b && s.c[a].cp == ' ')
            a++;
        while (b > a && s.c[b - 1].cp == ' ')
            b--;
        if (b > a) {
            if (wk == ZF_REDACT_NAME)
                add_name(&s, a, b);
            else
                add_address(&s, a, b);
        }
    } else {
        /* labelled text first: a number inside an address is the address */
        scan_addresses(&s);
        scan_names(&s);
        scan_numbers(&s);
        if (wk != 0 && s.nf == 0)
            whole_number(&s, wk);
    }

    /* assemble: each character copied or replaced by one mask character */
    cap = len + 1;
    for (i = 0; i < s.n; i++)
        if (s.mask[i])
            cap += strlen(s.mask[i]);
    out->text = zf_malloc(cap);
    outoff = zf_malloc((s.n + 1) * sizeof *outoff);
    for (i = 0; i < s.n; i++) {
        outoff[i] = olen;
        if (s.mask[i]) {
            size_t m = strlen(s.mask[i]);
            memcpy(out->text + olen, s.mask[i], m);
            olen += m;
        } else {
            memcpy(out->text + olen, text + s.c[i].off, s.c[i].len);
            olen += s.c[i].len;
        }
    }
    outoff[s.n] = olen;
    out->text[olen] = '\0';
    out->len = olen;

    if (s.nf > 1)
        qsort(s.f, s.nf, sizeof *s.f, cmp_finding);
    for (i = 0; i < s.nf; i++) {
        zf_redact_finding *f = &s.f[i];
        size_t a = f->char_offset, b = a + f->char_length;

        f->offset = s.c[a].off;
        f->length = (b < s.n ? s.c[b].off : len) - f->offset;
        f->out_offset = outoff[a];
        f->out_length = outoff[b] - outoff[a];
    }
    out->findings = s.f;
    out->count = s.nf;
    s.f = NULL;
done:
    free(outoff);
    free(s.c);
    free(s.claimed);
    free(s.mask);
    free(s.f);
    return rc;
}

void zf_redact_result_free(zf_redact_result *r)
{
    if (!r)
        return;
    free(r->text);
    free(r->findings);
    memset(r, 0, sizeof *r);
}

const char *zf_redact_kind_label(int kind)
{
    switch (kind) {
    case ZF_REDACT_ID_NUMBER: return "身份证号码";
    case ZF_REDACT_MOBILE: return "手机号码";
    case ZF_REDACT_LANDLINE: return "固定电话";
    case ZF_REDACT_BANK_CARD: return "银行卡号";
    case ZF_REDACT_ADDRESS: return "住址";
    case ZF_REDACT_NAME: return "姓名";
    case ZF_REDACT_CREDIT_CODE: return "统一社会信用代码";
    default: return "其他";
    }
}
