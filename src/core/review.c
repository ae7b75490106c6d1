/* review.c — see review.h. The condition language is parsed with jansson
 * into a small tree of typed nodes, so that evaluation never looks at JSON
 * and never fails; facts are parsed once into a fixed table indexed by field. */
#include "core/review.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

/* Cuts a trailing incomplete UTF-8 sequence, left when snprintf truncated a
 * Chinese message mid-character (an API error must stay valid UTF-8). */
static void utf8_trim(char *s)
{
    size_t n = strlen(s), i = n, need;
    unsigned char c;

    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80 && n - i < 3)
        i--;
    if (i == 0)
        return;
    c = (unsigned char)s[i - 1];
    if (c < 0x80)
        return;
    need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (n - (i - 1) < need)
        s[i - 1] = '\0';
}

/* zf_err_set with messages and fields that are cut on character boundaries. */
static int set_err(zf_err *err, int rc, const char *code, const char *field, const char *fmt,
                   ...) __attribute__((format(printf, 5, 6)));
static int set_err(zf_err *err, int rc, const char *code, const char *field, const char *fmt,
                   ...)
{
    char msg[sizeof err->message], fld[sizeof err->field];
    va_list ap;

    if (!err)
        return rc;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    utf8_trim(msg);
    snprintf(fld, sizeof fld, "%s", field ? field : "");
    utf8_trim(fld);
    return zf_err_set(err, rc, code, fld, "%s", msg);
}

/* A user-supplied string shortened for quoting in a message. Returns buf. */
static const char *clip(char *buf, size_t cap, const char *s)
{
    snprintf(buf, cap, "%s", s ? s : "");
    utf8_trim(buf);
    return buf;
}

/* ---- fields ------------------------------------------------------------ */

typedef enum ftype { T_BOOL, T_INT, T_NUM, T_ENUM, T_STR, T_LIST } ftype;

typedef struct enum_val {
    const char *code, *label;
} enum_val;

static const enum_val power_types[] = {
    {"penalty", "行政处罚"},       {"licensing", "行政许可"},    {"coercion", "行政强制"},
    {"expropriation", "行政征收征用"}, {"inspection", "行政检查"}, {"payment", "行政给付"},
    {"confirmation", "行政确认"},  {"ruling", "行政裁决"},     {"other", "其他"},
};
static const enum_val procedures[] = {
    {"simple", "简易程序"},
    {"ordinary", "一般程序"},
};
static const enum_val decision_kinds[] = {
    {"grant", "准予"},         {"deny", "不予"},
    {"deny_change", "不予变更"}, {"deny_renewal", "不予延续"},
    {"revoke", "撤销"},        {"cancel", "注销"},
    {"penalize", "处罚"},      {"no_penalty", "不予处罚"},
    {"seal", "查封"},          {"seize", "扣押"},
    {"freeze", "冻结"},        {"transfer", "划拨"},
    {"demolish", "强制拆除"},  {"court_enforcement", "申请法院强制执行"},
    {"restrict_liberty", "限制人身自由"}, {"expropriate", "征收"},
    {"requisition", "征用"},   {"other", "其他"},
};

#define NVALS(a) (sizeof(a) / sizeof((a)[0]))

typedef struct field_def {
    const char *name, *label;
    ftype type;
    const enum_val *vals;
    size_t n_vals;
    const char *values_text; /* for zf_review_field_info */
} field_def;

#define PT_TEXT                                                                      \
    "penalty=行政处罚、licensing=行政许可、coercion=行政强制、expropriation=行政征收征用、" \
    "inspection=行政检查、payment=行政给付、confirmation=行政确认、ruling=行政裁决、other=其他"
#define PR_TEXT "simple=简易程序、ordinary=一般程序"
#define DK_TEXT                                                                                 \
    "grant=准予、deny=不予、deny_change=不予变更、deny_renewal=不予延续、revoke=撤销、cancel=注销、" \
    "penalize=处罚、no_penalty=不予处罚、seal=查封、seize=扣押、freeze=冻结、transfer=划拨、"      \
    "demolish=强制拆除、court_enforcement=申请法院强制执行、restrict_liberty=限制人身自由、"         \
    "expropriate=征收、requisition=征用、other=其他"

static const field_def fields[] = {
    {"power_type", "执法职权类别", T_ENUM, power_types, NVALS(power_types), PT_TEXT},
    {"procedure", "程序类型", T_ENUM, procedures, NVALS(procedures), PR_TEXT},
    {"decision_kind", "决定类型", T_ENUM, decision_kinds, NVALS(decision_kinds), DK_TEXT},
    {"in_government_name", "以人民政府名义作出", T_BOOL, NULL, 0, ""},
    {"fine_amount_yuan", "罚款金额（元）", T_NUM, NULL, 0, ""},
    {"confiscation_amount_yuan", "没收违法所得、非法财物金额（元）", T_NUM, NULL, 0, ""},
    {"hearing_held", "经过听证程序", T_BOOL, NULL, 0, ""},
    {"parties_count", "当事人人数", T_INT, NULL, 0, ""},
    {"legal_relations_count", "涉及法律关系个数", T_INT, NULL, 0, ""},
    {"complex_case", "案件情况疑难复杂", T_BOOL, NULL, 0, ""},
    {"affects_public_safety", "直接涉及公共安全", T_BOOL, NULL, 0, ""},
    {"affects_ecology", "直接涉及生态环境保护", T_BOOL, NULL, 0, ""},
    {"affects_health", "直接关系人身健康", T_BOOL, NULL, 0, ""},
    {"affects_property", "直接关系生命财产安全", T_BOOL, NULL, 0, ""},
    {"limited_natural_resources", "有限自然资源开发利用", T_BOOL, NULL, 0, ""},
    {"public_resources", "公共资源配置", T_BOOL, NULL, 0, ""},
    {"market_entry", "直接关系公共利益的特定行业市场准入", T_BOOL, NULL, 0, ""},
    {"deviates_from_benchmark", "偏离行政裁量基准", T_BOOL, NULL, 0, ""},
    {"suspected_crime", "涉嫌犯罪", T_BOOL, NULL, 0, ""},
    {"collective_land", "涉及集体所有土地", T_BOOL, NULL, 0, ""},
    {"state_land_house", "涉及国有土地上的房屋", T_BOOL, NULL, 0, ""},
    {"people_involved", "涉及人数", T_INT, NULL, 0, ""},
    {"many_people_involved", "涉及人数较多", T_BOOL, NULL, 0, ""},
    {"compensation_disputed", "对补偿方案分歧较大", T_BOOL, NULL, 0, ""},
    {"major_social_impact", "可能造成重大社会影响或引发社会风险", T_BOOL, NULL, 0, ""},
    {"major_public_interest", "涉及重大公共利益", T_BOOL, NULL, 0, ""},
    {"major_rights_of_party", "直接关系当事人或者第三人重大权益", T_BOOL, NULL, 0, ""},
    {"matter_code", "执法事项编码", T_STR, NULL, 0, ""},
    {"matter_name", "执法事项名称", T_STR, NULL, 0, ""},
    {"tags", "标签", T_LIST, NULL, 0, ""},
};

#define NFIELDS NVALS(fields)

static const char *type_code(ftype t)
{
    static const char *const names[] = {"bool", "integer", "number", "enum", "string", "list"};
    return names[t];
}

static const char *type_label(ftype t)
{
    static const char *const names[] = {"是/否（true/false）", "整数", "数字", "取值代码", "文本",
                                        "文本列表"};
    return names[t];
}

/* The codes of an enum field, for error messages that must fit in zf_err. */
static const char *enum_codes(const field_def *fd)
{
    if (fd->vals == power_types)
        return "penalty、licensing、coercion、expropriation、inspection、payment、confirmation、"
               "ruling、other";
    if (fd->vals == procedures)
        return "simple、ordinary";
    return "grant、deny、deny_change、deny_renewal、revoke、cancel、penalize、no_penalty、seal、"
           "seize、freeze、transfer、demolish、court_enforcement、restrict_liberty、expropriate、"
           "requisition、other";
}

static int field_find(const char *name)
{
    for (size_t i = 0; i < NFIELDS; i++)
        if (strcmp(fields[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* Index of an enum value given as code or Chinese label, or -1. */
static int enum_find(const field_def *fd, const char *s)
{
    for (size_t i = 0; i < fd->n_vals; i++)
        if (strcmp(fd->vals[i].code, s) == 0 || strcmp(fd->vals[i].label, s) == 0)
            return (int)i;
    return -1;
}

size_t zf_review_field_count(void)
{
    return NFIELDS;
}

bool zf_review_field_info(size_t i, const char **out_name, const char **out_label,
                          const char **out_type, const char **out_values)
{
    if (i >= NFIELDS)
        return false;
    if (out_name)
        *out_name = fields[i].name;
    if (out_label)
        *out_label = fields[i].label;
    if (out_type)
        *out_type = type_code(fields[i].type);
    if (out_values)
        *out_values = fields[i].values_text;
    return true;
}

/* ---- facts ------------------------------------------------------------- */

typedef struct fval {
    bool present;
    bool b;
    double num;
    int ev;
    char *s;
    char **items;
    size_t n_items;
} fval;

struct zf_review_facts {
    fval v[NFIELDS];
};

void zf_review_facts_free(zf_review_facts *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < NFIELDS; i++) {
        free(f->v[i].s);
        for (size_t k = 0; k < f->v[i].n_items; k++)
            free(f->v[i].items[k]);
        free(f->v[i].items);
    }
    free(f);
}

static int facts_err(zf_err *err, const field_def *fd, const char *what)
{
    return set_err(err, ZF_EINVAL, "invalid_facts", fd->name, "案件信息“%s”（%s）%s",
                   fd->label, fd->name, what);
}

/* Loads JSON text with the module's bounds. */
static int load_json(json_t **out, const char *text, size_t len, const char *code, zf_err *err)
{
    json_error_t jerr;

    *out = NULL;
    if (!text)
        return set_err(err, ZF_EINVAL, code, NULL, "内容为空");
    if (len > ZF_REVIEW_MAX_JSON)
        return set_err(err, ZF_ETOOBIG, "payload_too_large", NULL, "内容超过 %zu 字节上限",
                       ZF_REVIEW_MAX_JSON);
    *out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!*out) {
        /* jansson quotes the input after " near '": possibly broken UTF-8 */
        char *near = strstr(jerr.text, " near '");

        if (near)
            *near = '\0';
        return set_err(err, ZF_EINVAL, code, NULL, "JSON 格式错误（第 %d 行第 %d 列）：%s",
                       jerr.line, jerr.column, jerr.text);
    }
    return 0;
}

static bool str_ok(const char *s)
{
    return strlen(s) < ZF_REVIEW_MAX_STR;
}

static int fact_set(fval *v, const field_def *fd, json_t *j, zf_err *err)
{
    switch (fd->type) {
    case T_BOOL:
        if (!json_is_boolean(j))
            return facts_err(err, fd, "应为 true 或 false");
        v->b = json_is_true(j);
        break;
    case T_INT:
        if (!json_is_integer(j) || json_integer_value(j) < 0 ||
            json_integer_value(j) > 1000000000000LL)
            return facts_err(err, fd, "应为非负整数");
        v->num = (double)json_integer_value(j);
        break;
    case T_NUM:
        if (!json_is_number(j) || !(json_number_value(j) >= 0) ||
            json_number_value(j) > 1e15)
            return facts_err(err, fd, "应为非负数字");
        v->num = json_number_value(j);
        break;
    case T_ENUM:
        if (!json_is_string(j) || (v->ev = enum_find(fd, json_string_value(j))) < 0)
            return set_err(err, ZF_EINVAL, "invalid_facts", fd->name,
                           "案件信息“%s”（%s）的取值无效，可选：%s", fd->label, fd->name,
                           enum_codes(fd));
        break;
    case T_STR:
        if (!json_is_string(j) || !str_ok(json_string_value(j)))
            return facts_err(err, fd, "应为不超过1024字节的文本");
        v->s = zf_strdup(json_string_value(j));
        break;
    case T_LIST: {
        size_t i;
        json_t *it;

        if (!json_is_array(j) || json_array_size(j) > ZF_REVIEW_MAX_LIST)
            return facts_err(err, fd, "应为不超过64项的文本列表");
        json_array_foreach(j, i, it) {
            if (!json_is_string(it) || !str_ok(json_string_value(it)))
                return facts_err(err, fd, "的每一项应为不超过1024字节的文本");
        }
        v->items = zf_calloc(json_array_size(j), sizeof *v->items);
        json_array_foreach(j, i, it) v->items[v->n_items++] = zf_strdup(json_string_value(it));
        break;
    }
    }
    v->present = true;
    return 0;
}

int zf_review_facts_parse(zf_review_facts **out, const char *json, size_t len, zf_err *err)
{
    json_t *root = NULL;
    zf_review_facts *f = NULL;
    int rc;

    *out = NULL;
    if ((rc = load_json(&root, json, len, "invalid_facts", err)) < 0)
        goto done;
    if (!json_is_object(root)) {
        rc = set_err(err, ZF_EINVAL, "invalid_facts", NULL, "案件信息应为 JSON 对象");
        goto done;
    }
    f = zf_calloc(1, sizeof *f);
    for (size_t i = 0; i < NFIELDS; i++) {
        json_t *j = json_object_get(root, fields[i].name);

        if (!j || json_is_null(j))
            continue;
        if ((rc = fact_set(&f->v[i], &fields[i], j, err)) < 0)
            goto done;
    }
    *out = f;
    f = NULL;
    rc = 0;
done:
    zf_review_facts_free(f);
    json_decref(root);
    return rc;
}

static bool fact_bool(const zf_review_facts *f, const char *name)
{
    int i = field_find(name);
    return f && i >= 0 && f->v[i].present && f->v[i].b;
}

bool zf_review_facts_in_government_name(const zf_review_facts *f)
{
    return fact_bool(f, "in_government_name");
}

bool zf_review_facts_hearing_held(const zf_review_facts *f)
{
    return fact_bool(f, "hearing_held");
}

const char *zf_review_facts_decision_kind(const zf_review_facts *f)
{
    int i = field_find("decision_kind");

    return f && i >= 0 && f->v[i].present ? decision_kinds[f->v[i].ev].code : NULL;
}

const char *zf_review_decision_kind_label(const char *code)
{
    for (size_t i = 0; code && i < NVALS(decision_kinds); i++)
        if (strcmp(decision_kinds[i].code, code) == 0)
            return decision_kinds[i].label;
    return NULL;
}

/* What each decision-recording action of the workflow (core/workflow.c,
 * review_gate) decides. The same action can decide different things in
 * different procedures: 不予许可 in a change procedure is 不予变更. A
 * procedure of NULL matches any. */
static const struct {
    const char *procedure, *action, *kind;
} action_kinds[] = {
    {"penalty_general", "decide_penalty", "penalize"},
    {"penalty_general", "decide_no_penalty", "no_penalty"},
    {"license", "grant", "grant"},
    {"license", "deny", "deny"},
    {"license_change", "grant", "grant"},
    {"license_change", "deny", "deny_change"},
    {"license_renewal", "grant", "grant"},
    {"license_renewal", "deny", "deny_renewal"},
    {"license_revocation", "revoke", "revoke"},
    {"license_cancellation", "cancel", "cancel"},
    /* after a seizure or a freeze the measure ends in a penalty decision
     * (没收, 划拨 under a 处罚决定书): the decision recorded is a penalty */
    {"coercion_seizure", "confiscate", "penalize"},
    {"coercion_freeze", "decide", "penalize"},
    {"coercion_demolition", "decide_enforcement", "demolish"},
    {"expropriation", "decide", "expropriate"},
};

const char *zf_review_decision_kind_of(const char *procedure, const char *action)
{
    for (size_t i = 0; procedure && action && i < NVALS(action_kinds); i++)
        if (strcmp(action_kinds[i].procedure, procedure) == 0 &&
            strcmp(action_kinds[i].action, action) == 0)
            return action_kinds[i].kind;
    return NULL;
}

/* ---- conditions -------------------------------------------------------- */

typedef enum ckind { C_ALL, C_ANY, C_NOT, C_LEAF } ckind;
typedef enum op { OP_EQ, OP_NE, OP_IN, OP_GT, OP_GTE, OP_LT, OP_LTE, OP_CONTAINS, OP_EXISTS } op;

static const char *const op_names[] = {"eq", "ne", "in", "gt", "gte", "lt", "lte", "contains",
                                       "exists"};
#define NOPS (sizeof op_names / sizeof op_names[0])

/* Operators each type admits, as bit masks over op. */
static unsigned ops_for(ftype t)
{
#define B(o) (1u << (o))
    switch (t) {
    case T_BOOL: return B(OP_EQ) | B(OP_NE) | B(OP_EXISTS);
    case T_INT:
    case T_NUM:
        return B(OP_EQ) | B(OP_NE) | B(OP_IN) | B(OP_GT) | B(OP_GTE) | B(OP_LT) | B(OP_LTE) |
               B(OP_EXISTS);
    case T_ENUM: return B(OP_EQ) | B(OP_NE) | B(OP_IN) | B(OP_EXISTS);
    case T_STR: return B(OP_EQ) | B(OP_NE) | B(OP_IN) | B(OP_CONTAINS) | B(OP_EXISTS);
    case T_LIST: return B(OP_CONTAINS) | B(OP_EXISTS);
    }
    return 0;
#undef B
}

struct zf_review_cond {
    ckind kind;
    zf_review_cond **kids; /* ALL, ANY: n_kids >= 1; NOT: exactly 1 */
    size_t n_kids;
    int field;             /* LEAF */
    op op;
    bool b;                /* BOOL eq/ne, EXISTS */
    double num;            /* INT/NUM comparisons */
    int ev;                /* ENUM eq/ne */
    char *s;               /* STR eq/ne/contains, LIST contains */
    double *nums;          /* IN over INT/NUM */
    int *evs;              /* IN over ENUM */
    char **strs;           /* IN over STR */
    size_t n_set;
};

void zf_review_cond_free(zf_review_cond *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_kids; i++)
        zf_review_cond_free(c->kids[i]);
    free(c->kids);
    free(c->s);
    free(c->nums);
    free(c->evs);
    if (c->strs)
        for (size_t i = 0; i < c->n_set; i++)
            free(c->strs[i]);
    free(c->strs);
    free(c);
}

typedef struct pctx {
    char path[160];
    size_t nodes;
    zf_err *err;
} pctx;

static int cerr(pctx *p, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int cerr(pctx *p, int rc, const char *fmt, ...)
{
    char msg[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    utf8_trim(msg);
    return set_err(p->err, rc, rc == ZF_ETOOBIG ? "condition_too_big" : "invalid_condition",
                   p->path, "条件 %s：%s", p->path, msg);
}

/* Appends a path segment; returns the old length to restore. */
static size_t path_push(pctx *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t path_push(pctx *p, const char *fmt, ...)
{
    size_t old = strlen(p->path);
    va_list ap;

    va_start(ap, fmt);
    if (old < sizeof p->path)
        vsnprintf(p->path + old, sizeof p->path - old, fmt, ap);
    va_end(ap);
    return old;
}

static void describe_json(char *out, size_t cap, const json_t *j)
{
    const char *t = json_is_object(j)    ? "对象"
                    : json_is_array(j)   ? "数组"
                    : json_is_string(j)  ? "文本"
                    : json_is_integer(j) ? "整数"
                    : json_is_real(j)    ? "小数"
                    : json_is_boolean(j) ? "true/false"
                                         : "null";
    snprintf(out, cap, "%s", t);
}

/* Checks one scalar value against the field's type and stores it in c. */
static int leaf_value(pctx *p, zf_review_cond *c, const field_def *fd, json_t *v)
{
    char got[32];

    describe_json(got, sizeof got, v);
    switch (fd->type) {
    case T_BOOL:
        if (!json_is_boolean(v))
            return cerr(p, ZF_EINVAL, "字段 %s 的比较值应为 true 或 false，实为%s", fd->name, got);
        c->b = json_is_true(v);
        return 0;
    case T_INT:
        if (!json_is_integer(v))
            return cerr(p, ZF_EINVAL, "字段 %s 的比较值应为整数，实为%s", fd->name, got);
        c->num = (double)json_integer_value(v);
        return 0;
    case T_NUM:
        if (!json_is_number(v))
            return cerr(p, ZF_EINVAL, "字段 %s 的比较值应为数字，实为%s", fd->name, got);
        c->num = json_number_value(v);
        return 0;
    case T_ENUM:
        if (!json_is_string(v))
            return cerr(p, ZF_EINVAL, "字段 %s 的比较值应为取值代码，实为%s", fd->name, got);
        if ((c->ev = enum_find(fd, json_string_value(v))) < 0)
        {
            char q[64];

            return cerr(p, ZF_EINVAL, "字段 %s 没有取值“%s”，可选：%s", fd->name,
                        clip(q, sizeof q, json_string_value(v)), enum_codes(fd));
        }
        return 0;
    case T_STR:
    case T_LIST:
        if (!json_is_string(v) || !str_ok(json_string_value(v)))
            return cerr(p, ZF_EINVAL, "字段 %s 的比较值应为不超过1024字节的文本，实为%s", fd->name,
                        got);
        c->s = zf_strdup(json_string_value(v));
        return 0;
    }
    return cerr(p, ZF_EINVAL, "内部错误");
}

static int leaf_set(pctx *p, zf_review_cond *c, const field_def *fd, json_t *arr)
{
    size_t i, n;
    json_t *it;
    int rc;

    if (!json_is_array(arr) || (n = json_array_size(arr)) == 0 || n > ZF_REVIEW_MAX_LIST)
        return cerr(p, ZF_EINVAL, "in 的值应为1至%d项的数组", ZF_REVIEW_MAX_LIST);
    if (fd->type == T_ENUM)
        c->evs = zf_calloc(n, sizeof *c->evs);
    else if (fd->type == T_STR)
        c->strs = zf_calloc(n, sizeof *c->strs);
    else
        c->nums = zf_calloc(n, sizeof *c->nums);
    json_array_foreach(arr, i, it) {
        zf_review_cond tmp;
        size_t old = path_push(p, ".in[%zu]", i);

        memset(&tmp, 0, sizeof tmp);
        rc = leaf_value(p, &tmp, fd, it);
        p->path[old] = '\0';
        if (rc < 0)
            return rc;
        if (fd->type == T_ENUM)
            c->evs[c->n_set++] = tmp.ev;
        else if (fd->type == T_STR)
            c->strs[c->n_set++] = tmp.s;
        else
            c->nums[c->n_set++] = tmp.num;
    }
    return 0;
}

static int parse_node(zf_review_cond **out, pctx *p, json_t *j, int depth);

static int parse_list(pctx *p, zf_review_cond *c, json_t *arr, const char *key, int depth)
{
    size_t i, n;
    json_t *it;
    int rc;

    if (!json_is_array(arr) || (n = json_array_size(arr)) == 0)
        return cerr(p, ZF_EINVAL, "%s 的值应为非空数组", key);
    if (n > ZF_REVIEW_MAX_NODES)
        return cerr(p, ZF_ETOOBIG, "条件节点超过%d个", ZF_REVIEW_MAX_NODES);
    c->kids = zf_calloc(n, sizeof *c->kids);
    json_array_foreach(arr, i, it) {
        size_t old = path_push(p, ".%s[%zu]", key, i);

        rc = parse_node(&c->kids[c->n_kids], p, it, depth + 1);
        p->path[old] = '\0';
        if (rc < 0)
            return rc;
        c->n_kids++;
    }
    return 0;
}

static int parse_leaf(pctx *p, zf_review_cond *c, json_t *j)
{
    json_t *fj = json_object_get(j, "field"), *v = NULL;
    const char *key;
    json_t *val;
    const field_def *fd;
    int found = -1;

    if (!fj)
        return cerr(p, ZF_EINVAL, "应含 all、any、not 之一，或 field 加一个运算符");
    if (!json_is_string(fj))
        return cerr(p, ZF_EINVAL, "field 应为字段名文本");
    if ((c->field = field_find(json_string_value(fj))) < 0) {
        char q[64];

        return cerr(p, ZF_EINVAL, "未知字段“%s”", clip(q, sizeof q, json_string_value(fj)));
    }
    fd = &fields[c->field];
    json_object_foreach(j, key, val) {
        int o = -1;

        if (strcmp(key, "field") == 0)
            continue;
        for (size_t k = 0; k < NOPS; k++)
            if (strcmp(key, op_names[k]) == 0)
                o = (int)k;
        if (o < 0) {
            char q[64];

            return cerr(p, ZF_EINVAL,
                        "未知运算符或键“%s”（可用：eq、ne、in、gt、gte、lt、lte、contains、exists）",
                        clip(q, sizeof q, key));
        }
        if (found >= 0)
            return cerr(p, ZF_EINVAL, "一个条件只能有一个运算符（同时出现了 %s 和 %s）",
                        op_names[found], key);
        found = o;
        v = val;
    }
    if (found < 0)
        return cerr(p, ZF_EINVAL, "字段 %s 缺少运算符", fd->name);
    c->op = (op)found;
    if (!(ops_for(fd->type) & (1u << found)))
        return cerr(p, ZF_EINVAL, "字段 %s（%s）不能使用运算符 %s", fd->name, type_label(fd->type),
                    op_names[found]);
    if (c->op == OP_EXISTS) {
        if (!json_is_boolean(v))
            return cerr(p, ZF_EINVAL, "exists 的值应为 true 或 false");
        c->b = json_is_true(v);
        return 0;
    }
    if (c->op == OP_IN)
        return leaf_set(p, c, fd, v);
    return leaf_value(p, c, fd, v);
}

static int parse_node(zf_review_cond **out, pctx *p, json_t *j, int depth)
{
    zf_review_cond *c = NULL;
    int rc;

    *out = NULL;
    if (depth > ZF_REVIEW_MAX_DEPTH)
        return cerr(p, ZF_ETOOBIG, "嵌套超过%d层", ZF_REVIEW_MAX_DEPTH);
    if (++p->nodes > ZF_REVIEW_MAX_NODES)
        return cerr(p, ZF_ETOOBIG, "条件节点超过%d个", ZF_REVIEW_MAX_NODES);
    if (!json_is_object(j))
        return cerr(p, ZF_EINVAL, "条件应为 JSON 对象");
    c = zf_calloc(1, sizeof *c);
    if (json_object_get(j, "all") || json_object_get(j, "any") || json_object_get(j, "not")) {
        const char *key = json_object_get(j, "all")   ? "all"
                          : json_object_get(j, "any") ? "any"
                                                      : "not";

        if (json_object_size(j) != 1) {
            rc = cerr(p, ZF_EINVAL, "%s 不能与其他键写在同一个对象里", key);
            goto done;
        }
        if (strcmp(key, "not") == 0) {
            size_t old = path_push(p, ".not");

            c->kind = C_NOT;
            c->kids = zf_calloc(1, sizeof *c->kids);
            rc = parse_node(&c->kids[0], p, json_object_get(j, "not"), depth + 1);
            p->path[old] = '\0';
            if (rc < 0)
                goto done;
            c->n_kids = 1;
        } else {
            c->kind = key[1] == 'l' ? C_ALL : C_ANY;
            if ((rc = parse_list(p, c, json_object_get(j, key), key, depth)) < 0)
                goto done;
        }
    } else {
        c->kind = C_LEAF;
        if ((rc = parse_leaf(p, c, j)) < 0)
            goto done;
    }
    *out = c;
    c = NULL;
    rc = 0;
done:
    zf_review_cond_free(c);
    return rc;
}

static int cond_from_json(zf_review_cond **out, json_t *j, const char *where, zf_err *err)
{
    pctx p;

    memset(&p, 0, sizeof p);
    p.err = err;
    snprintf(p.path, sizeof p.path, "%s", where && *where ? where : "when");
    return parse_node(out, &p, j, 1);
}

int zf_review_cond_parse(zf_review_cond **out, const char *json, size_t len, const char *where,
                         zf_err *err)
{
    json_t *root = NULL;
    int rc;

    *out = NULL;
    if ((rc = load_json(&root, json, len, "invalid_condition", err)) < 0)
        return rc;
    rc = cond_from_json(out, root, where, err);
    json_decref(root);
    return rc;
}

static bool num_cmp(op o, double a, double b)
{
    switch (o) {
    case OP_EQ: return a == b;
    case OP_NE: return a != b;
    case OP_GT: return a > b;
    case OP_GTE: return a >= b;
    case OP_LT: return a < b;
    case OP_LTE: return a <= b;
    default: return false;
    }
}

static bool eval_leaf(const zf_review_cond *c, const zf_review_facts *f)
{
    const field_def *fd = &fields[c->field];
    const fval *v = &f->v[c->field];

    if (c->op == OP_EXISTS)
        return v->present == c->b;
    if (fd->type == T_BOOL) {
        bool val = v->present && v->b; /* an unticked box is "no" */
        return c->op == OP_EQ ? val == c->b : val != c->b;
    }
    if (!v->present)
        return false;
    switch (fd->type) {
    case T_INT:
    case T_NUM:
        if (c->op == OP_IN) {
            for (size_t i = 0; i < c->n_set; i++)
                if (v->num == c->nums[i])
                    return true;
            return false;
        }
        return num_cmp(c->op, v->num, c->num);
    case T_ENUM:
        if (c->op == OP_IN) {
            for (size_t i = 0; i < c->n_set; i++)
                if (v->ev == c->evs[i])
                    return true;
            return false;
        }
        return c->op == OP_EQ ? v->ev == c->ev : v->ev != c->ev;
    case T_STR:
        switch (c->op) {
        case OP_EQ: return strcmp(v->s, c->s) == 0;
        case OP_NE: return strcmp(v->s, c->s) != 0;
        case OP_CONTAINS: return strstr(v->s, c->s) != NULL;
        case OP_IN:
            for (size_t i = 0; i < c->n_set; i++)
                if (strcmp(v->s, c->strs[i]) == 0)
                    return true;
            return false;
        default: return false;
        }
    case T_LIST:
        for (size_t i = 0; i < v->n_items; i++)
            if (strcmp(v->items[i], c->s) == 0)
                return true;
        return false;
    default:
        return false;
    }
}

bool zf_review_cond_eval(const zf_review_cond *c, const zf_review_facts *f)
{
    if (!c || !f)
        return false;
    switch (c->kind) {
    case C_ALL:
        for (size_t i = 0; i < c->n_kids; i++)
            if (!zf_review_cond_eval(c->kids[i], f))
                return false;
        return true;
    case C_ANY:
        for (size_t i = 0; i < c->n_kids; i++)
            if (zf_review_cond_eval(c->kids[i], f))
                return true;
        return false;
    case C_NOT:
        return !zf_review_cond_eval(c->kids[0], f);
    case C_LEAF:
        return eval_leaf(c, f);
    }
    return false;
}

static json_t *num_json(ftype t, double d)
{
    if (t == T_INT || (d == floor(d) && fabs(d) < 9e15))
        return json_integer((json_int_t)d);
    return json_real(d);
}

static json_t *scalar_json(const zf_review_cond *c, const field_def *fd)
{
    switch (fd->type) {
    case T_BOOL: return json_boolean(c->b);
    case T_INT:
    case T_NUM: return num_json(fd->type, c->num);
    case T_ENUM: return json_string(fd->vals[c->ev].code);
    default: return json_string(c->s);
    }
}

static json_t *cond_json(const zf_review_cond *c)
{
    json_t *o = json_object(), *arr;

    switch (c->kind) {
    case C_ALL:
    case C_ANY:
        arr = json_array();
        for (size_t i = 0; i < c->n_kids; i++)
            json_array_append_new(arr, cond_json(c->kids[i]));
        json_object_set_new(o, c->kind == C_ALL ? "all" : "any", arr);
        break;
    case C_NOT:
        json_object_set_new(o, "not", cond_json(c->kids[0]));
        break;
    case C_LEAF: {
        const field_def *fd = &fields[c->field];

        json_object_set_new(o, "field", json_string(fd->name));
        if (c->op == OP_EXISTS) {
            json_object_set_new(o, "exists", json_boolean(c->b));
        } else if (c->op == OP_IN) {
            arr = json_array();
            for (size_t i = 0; i < c->n_set; i++)
                json_array_append_new(arr, fd->type == T_ENUM  ? json_string(fd->vals[c->evs[i]].code)
                                           : fd->type == T_STR ? json_string(c->strs[i])
                                                               : num_json(fd->type, c->nums[i]));
            json_object_set_new(o, "in", arr);
        } else {
            json_object_set_new(o, op_names[c->op], scalar_json(c, fd));
        }
        break;
    }
    }
    return o;
}

int zf_review_cond_to_json(char **out, const zf_review_cond *c, zf_err *err)
{
    json_t *j;

    *out = NULL;
    if (!c)
        return set_err(err, ZF_EINVAL, "invalid_condition", NULL, "条件为空");
    j = cond_json(c);
    *out = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    if (!*out)
        return set_err(err, ZF_ENOMEM, NULL, NULL, "内存不足");
    return 0;
}

/* ---- the catalog ------------------------------------------------------- */

#define PLAN "《南昌市全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度实施方案》"

static const zf_review_default_rule default_rules[] = {
    {"general_public_interest", "涉及重大公共利益", PLAN "第12项：凡涉及重大公共利益……都要进行法制审核",
     "{\"field\":\"major_public_interest\",\"eq\":true}"},
    {"general_social_impact", "可能造成重大社会影响或引发社会风险",
     PLAN "第12项：可能造成重大社会影响或引发社会风险……都要进行法制审核",
     "{\"field\":\"major_social_impact\",\"eq\":true}"},
    {"general_major_rights", "直接关系行政相对人或者第三人重大权益",
     PLAN "第12项：直接关系行政相对人或者第三人重大权益……都要进行法制审核",
     "{\"field\":\"major_rights_of_party\",\"eq\":true}"},
    {"general_hearing", "经过听证程序作出的行政执法决定",
     PLAN "第12项：经过听证程序作出行政执法决定……都要进行法制审核",
     "{\"field\":\"hearing_held\",\"eq\":true}"},
    {"general_complex", "案件情况疑难复杂、涉及多个法律关系",
     PLAN "第12项：案件情况疑难复杂、涉及多个法律关系的，都要进行法制审核",
     "{\"any\":[{\"field\":\"complex_case\",\"eq\":true},"
     "{\"field\":\"legal_relations_count\",\"gte\":2}]}"},
    {"penalty_ordinary", "一般程序作出的行政处罚决定",
     PLAN "第12项（1）：一般程序作出的行政处罚决定",
     "{\"all\":[{\"field\":\"power_type\",\"eq\":\"penalty\"},"
     "{\"field\":\"procedure\",\"eq\":\"ordinary\"}]}"},
    {"licensing_government", "以人民政府名义作出的行政许可",
     PLAN "第12项（2）：人民政府名义作出的",
     "{\"all\":[{\"field\":\"power_type\",\"eq\":\"licensing\"},"
     "{\"field\":\"in_government_name\",\"eq\":true}]}"},
    {"licensing_safety", "准予从事涉及公共安全、生态环境、人身健康、生命财产安全的特定活动",
     PLAN "第12项（2）：准予从事直接涉及公共安全、生态环境保护以及直接关系人身健康、生命财产安全等特定活动的",
     "{\"all\":[{\"field\":\"power_type\",\"eq\":\"licensing\"},"
     "{\"field\":\"decision_kind\",\"eq\":\"grant\"},"
     "{\"any\":[{\"field\":\"affects_public_safety\",\"eq\":true},"
     "{\"field\":\"affects_ecology\",\"eq\":true},{\"field\":\"affects_health\",\"eq\":true},"
     "{\"field\":\"affects_property\",\"eq\":true}]}]}"},
    {"licensing_resources", "准予从事有限自然资源开发利用、公共资源配置或特定行业市场准入",
     PLAN "第12项（2）：准予从事有限自然资源开发利用、公共资源配置以及直接关系公共利益的特定行业市场准入的",
     "{\"all\":[{\"field\":\"power_type\",\"eq\":\"licensing\"},"
     "{\"field\":\"decision_kind\",\"eq\":\"grant\"},"
     "{\"any\":[{\"field\":\"limited_natural_resources\",\"eq\":true},"
     "{\"field\":\"public_resources\",\"eq\":true},{\"field\":\"market_entry\",\"eq\":true}]}]}"},
    {"licensing_adverse", "不予许可、不予变更、不予延续、撤销或者注销行政许可",
     PLAN "第12项（2）：作出不予行政许可、不予行政许可变更、不予行政许可延续、撤销或者注销行政许可的",
     "{\"all\":[{\"field\":\"power_type\",\"eq\":\"licensing\"},"
     "{\"field\":\"decision_kind\",\"in\":[\"deny\",\"deny_change\",\"deny_renewal\","
     "\"revoke\",\"cancel\"]}]}"},
    {"coercion_government", "以人民政府名义作出的行政强制",
     PLAN "第12项（3）：人民政府名义作出的",
     "{\"all\":[{\"field\":\"power_type\",\"eq\":\"coercion\"},"
     "{\"field\":\"in_government_name\",\"eq\":true}]}"},
    {"coercion_liberty", "限制公民人身自由", PLAN "第12项（3）：限制公民人身自由的",
     "{\"field\":\"decision_kind\",\"eq\":\"restrict_liberty\"}"},
    {"coercion_seal", "查封涉案场所、设施",
     PLAN "第12项（3）：查封公民、法人或者其他组织涉案场所、设施的",
     "{\"field\":\"decision_kind\",\"eq\":\"seal\"}"},
    {"coercion_seize", "扣押涉案财物", PLAN "第12项（3）：扣押公民、法人或者其他组织涉案财物的",
     "{\"field\":\"decision_kind\",\"eq\":\"seize\"}"},
    {"coercion_freeze", "冻结、划拨存款、汇款",
     PLAN "第12项（3）：冻结、划拨公民、法人或者其他组织的存款、汇款的",
     "{\"field\":\"decision_kind\",\"in\":[\"freeze\",\"transfer\"]}"},
    {"coercion_demolish", "强制拆除建筑物、构筑物、设施",
     PLAN "第12项（3）：强制拆除建筑物、构筑物、设施的",
     "{\"field\":\"decision_kind\",\"eq\":\"demolish\"}"},
    {"coercion_court", "申请人民法院强制执行", PLAN "第12项（3）：申请人民法院强制执行的",
     "{\"field\":\"decision_kind\",\"eq\":\"court_enforcement\"}"},
    {"expropriation_land", "对集体所有土地或者国有土地上的房屋进行征收征用",
     PLAN "第12项（4）：对集体所有土地或者国有土地上的房屋进行征收征用的",
     "{\"all\":[{\"field\":\"power_type\",\"eq\":\"expropriation\"},"
     "{\"any\":[{\"field\":\"collective_land\",\"eq\":true},"
     "{\"field\":\"state_land_house\",\"eq\":true}]}]}"},
    {"expropriation_people", "征收对象涉及人数较多或者对补偿方案分歧较大",
     PLAN "第12项（4）：行政征收对象涉及人数较多或者对征收补偿方案分歧较大的",
     "{\"all\":[{\"field\":\"power_type\",\"eq\":\"expropriation\"},"
     "{\"any\":[{\"field\":\"many_people_involved\",\"eq\":true},"
     "{\"field\":\"compensation_disputed\",\"eq\":true}]}]}"},
    {"expropriation_impact", "对本地经济社会发展有重大影响或者可能影响社会稳定的征收征用",
     PLAN "第12项（4）：其他对本地经济社会发展有重大影响或者可能影响社会稳定的",
     "{\"all\":[{\"field\":\"power_type\",\"eq\":\"expropriation\"},"
     "{\"field\":\"major_social_impact\",\"eq\":true}]}"},
};

const zf_review_default_rule *zf_review_default_rules(size_t *out_n)
{
    *out_n = NVALS(default_rules);
    return default_rules;
}

void zf_review_catalog_free(zf_review_catalog *cat)
{
    if (!cat)
        return;
    for (size_t i = 0; i < cat->n_rules; i++)
        zf_review_cond_free(cat->rules[i].when);
    free(cat->rules);
    free(cat);
}

static zf_review_catalog *catalog_new(const char *department)
{
    zf_review_catalog *cat = zf_calloc(1, sizeof *cat);

    snprintf(cat->department, sizeof cat->department, "%s", department ? department : "");
    cat->version = 1;
    cat->state = ZF_CATALOG_DRAFT;
    cat->filed_on = ZF_DATE_NONE;
    cat->rules = zf_calloc(ZF_REVIEW_MAX_RULES, sizeof *cat->rules);
    return cat;
}

static bool code_ok(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n >= ZF_REVIEW_CODE_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

const zf_review_rule *zf_review_catalog_find(const zf_review_catalog *cat, const char *code)
{
    if (!cat || !code)
        return NULL;
    for (size_t i = 0; i < cat->n_rules; i++)
        if (strcmp(cat->rules[i].code, code) == 0)
            return &cat->rules[i];
    return NULL;
}

/* Validates the rule's texts and appends it, taking ownership of when (freed
 * on failure too). */
static int rule_append(zf_review_catalog *cat, const char *code, const char *title,
                       const char *basis, zf_review_cond *when, zf_err *err)
{
    zf_review_rule *r;
    int rc = 0;

    if (!code || !code_ok(code))
        rc = set_err(err, ZF_EINVAL, "invalid_rule", "code",
                     "规则代码只能由小写字母、数字和下划线组成，长度1至%d",
                     ZF_REVIEW_CODE_MAX - 1);
    else if (zf_review_catalog_find(cat, code))
        rc = set_err(err, ZF_EINVAL, "duplicate_rule", "code", "规则代码“%s”重复", code);
    else if (!title || !*title || strlen(title) >= ZF_REVIEW_TITLE_MAX)
        rc = set_err(err, ZF_EINVAL, "invalid_rule", "title",
                     "规则“%s”的名称不能为空，且不超过%d字节", code, ZF_REVIEW_TITLE_MAX - 1);
    else if (!basis || !*basis || strlen(basis) >= ZF_REVIEW_BASIS_MAX)
        rc = set_err(err, ZF_EINVAL, "invalid_rule", "basis",
                     "规则“%s”须写明依据，且不超过%d字节", code, ZF_REVIEW_BASIS_MAX - 1);
    else if (cat->n_rules >= ZF_REVIEW_MAX_RULES)
        rc = set_err(err, ZF_ETOOBIG, "too_many_rules", "rules", "目录清单最多%d条规则",
                     ZF_REVIEW_MAX_RULES);
    if (rc < 0) {
        zf_review_cond_free(when);
        return rc;
    }
    r = &cat->rules[cat->n_rules++];
    snprintf(r->code, sizeof r->code, "%s", code);
    snprintf(r->title, sizeof r->title, "%s", title);
    snprintf(r->basis, sizeof r->basis, "%s", basis);
    r->when = when;
    return 0;
}

int zf_review_catalog_defaults(zf_review_catalog **out, const char *department, zf_err *err)
{
    zf_review_catalog *cat = catalog_new(department);
    int rc = 0;

    *out = NULL;
    for (size_t i = 0; i < NVALS(default_rules) && rc == 0; i++) {
        const zf_review_default_rule *d = &default_rules[i];
        zf_review_cond *c = NULL;

        if ((rc = zf_review_cond_parse(&c, d->when, strlen(d->when), d->code, err)) == 0)
            rc = rule_append(cat, d->code, d->title, d->basis, c, err);
    }
    if (rc < 0) {
        zf_review_catalog_free(cat);
        return rc;
    }
    *out = cat;
    return 0;
}

int zf_review_catalog_add_rule(zf_review_catalog *cat, const char *code, const char *title,
                               const char *basis, const char *when_json, size_t when_len,
                               zf_err *err)
{
    zf_review_cond *c = NULL;
    int rc;

    if (cat->state != ZF_CATALOG_DRAFT)
        return set_err(err, ZF_ECONFLICT, "catalog_not_draft", "state",
                       "目录清单已%s，不能修改；请新建版本",
                       zf_review_catalog_state_label(cat->state));
    if ((rc = zf_review_cond_parse(&c, when_json, when_len, "when", err)) < 0)
        return rc;
    return rule_append(cat, code, title, basis, c, err);
}

int zf_review_catalog_remove_rule(zf_review_catalog *cat, const char *code, zf_err *err)
{
    if (cat->state != ZF_CATALOG_DRAFT)
        return set_err(err, ZF_ECONFLICT, "catalog_not_draft", "state",
                       "目录清单已%s，不能修改；请新建版本",
                       zf_review_catalog_state_label(cat->state));
    for (size_t i = 0; i < cat->n_rules; i++) {
        if (strcmp(cat->rules[i].code, code) != 0)
            continue;
        zf_review_cond_free(cat->rules[i].when);
        memmove(&cat->rules[i], &cat->rules[i + 1], (cat->n_rules - i - 1) * sizeof *cat->rules);
        cat->n_rules--;
        return 0;
    }
    return set_err(err, ZF_ENOTFOUND, "rule_not_found", "code", "没有代码为“%s”的规则", code);
}

static const char *const cat_state_codes[] = {"draft", "submitted", "filed", "returned"};
static const char *const cat_state_labels[] = {"草稿", "已报送备案", "已备案", "已退回"};

const char *zf_review_catalog_state_code(zf_review_catalog_state s)
{
    return (unsigned)s < 4 ? cat_state_codes[s] : "unknown";
}

const char *zf_review_catalog_state_label(zf_review_catalog_state s)
{
    return (unsigned)s < 4 ? cat_state_labels[s] : "未知";
}

/* Copies a JSON string member into a fixed buffer; absent → "". */
static int get_str(char *out, size_t cap, json_t *obj, const char *key, bool required,
                   const char *label, zf_err *err)
{
    json_t *j = json_object_get(obj, key);

    out[0] = '\0';
    if (!j || json_is_null(j)) {
        if (required)
            return set_err(err, ZF_EINVAL, "invalid_catalog", key, "缺少%s（%s）", label, key);
        return 0;
    }
    if (!json_is_string(j) || strlen(json_string_value(j)) >= cap)
        return set_err(err, ZF_EINVAL, "invalid_catalog", key, "%s（%s）应为不超过%zu字节的文本",
                       label, key, cap - 1);
    snprintf(out, cap, "%s", json_string_value(j));
    return 0;
}

int zf_review_catalog_parse(zf_review_catalog **out, const char *json, size_t len, zf_err *err)
{
    json_t *root = NULL, *j, *rules, *it;
    zf_review_catalog *cat = NULL;
    char buf[ZF_REVIEW_REASON_MAX];
    size_t i;
    int rc;

    *out = NULL;
    if ((rc = load_json(&root, json, len, "invalid_catalog", err)) < 0)
        goto done;
    rc = ZF_EINVAL;
    if (!json_is_object(root)) {
        set_err(err, rc, "invalid_catalog", NULL, "目录清单应为 JSON 对象");
        goto done;
    }
    cat = catalog_new("");
    if ((rc = get_str(cat->department, sizeof cat->department, root, "department", false, "部门",
                      err)) < 0)
        goto done;
    rc = ZF_EINVAL;
    j = json_object_get(root, "version");
    if (j && (!json_is_integer(j) || json_integer_value(j) < 1 ||
              json_integer_value(j) > 1000000)) {
        set_err(err, rc, "invalid_catalog", "version", "版本号应为正整数");
        goto done;
    }
    cat->version = j ? (int)json_integer_value(j) : 1;
    if ((rc = get_str(buf, sizeof buf, root, "state", false, "状态", err)) < 0)
        goto done;
    rc = ZF_EINVAL;
    if (buf[0]) {
        int s = -1;

        for (int k = 0; k < 4; k++)
            if (strcmp(buf, cat_state_codes[k]) == 0)
                s = k;
        if (s < 0) {
            set_err(err, rc, "invalid_catalog", "state",
                    "状态应为 draft、submitted、filed 或 returned");
            goto done;
        }
        cat->state = (zf_review_catalog_state)s;
    }
    if ((rc = get_str(buf, 16, root, "filed_on", false, "备案日期", err)) < 0)
        goto done;
    if (buf[0] && (rc = zf_date_parse(&cat->filed_on, buf, strlen(buf), "filed_on", err)) < 0)
        goto done;
    if ((rc = get_str(cat->filing_ref, sizeof cat->filing_ref, root, "filing_ref", false, "备案号",
                      err)) < 0 ||
        (rc = get_str(cat->return_reason, sizeof cat->return_reason, root, "return_reason", false,
                      "退回理由", err)) < 0)
        goto done;
    rc = ZF_EINVAL;
    if (cat->state == ZF_CATALOG_FILED && cat->filed_on == ZF_DATE_NONE) {
        set_err(err, rc, "invalid_catalog", "filed_on", "已备案的目录清单须有备案日期");
        goto done;
    }
    if (cat->state == ZF_CATALOG_RETURNED && !cat->return_reason[0]) {
        set_err(err, rc, "invalid_catalog", "return_reason", "已退回的目录清单须有退回理由");
        goto done;
    }
    rules = json_object_get(root, "rules");
    if (!json_is_array(rules)) {
        set_err(err, rc, "invalid_catalog", "rules", "rules 应为规则数组");
        goto done;
    }
    if (json_array_size(rules) > ZF_REVIEW_MAX_RULES) {
        rc = set_err(err, ZF_ETOOBIG, "too_many_rules", "rules", "目录清单最多%d条规则",
                     ZF_REVIEW_MAX_RULES);
        goto done;
    }
    json_array_foreach(rules, i, it) {
        char code[ZF_REVIEW_CODE_MAX], title[ZF_REVIEW_TITLE_MAX], basis[ZF_REVIEW_BASIS_MAX];
        char where[48];
        zf_review_cond *c = NULL;

        if (!json_is_object(it)) {
            rc = set_err(err, ZF_EINVAL, "invalid_catalog", "rules", "第%zu条规则应为对象",
                         i + 1);
            goto done;
        }
        if ((rc = get_str(code, sizeof code, it, "code", true, "规则代码", err)) < 0 ||
            (rc = get_str(title, sizeof title, it, "title", true, "规则名称", err)) < 0 ||
            (rc = get_str(basis, sizeof basis, it, "basis", true, "规则依据", err)) < 0)
            goto done;
        if (!json_object_get(it, "when")) {
            rc = set_err(err, ZF_EINVAL, "invalid_catalog", "when", "规则“%s”缺少条件 when",
                         code);
            goto done;
        }
        snprintf(where, sizeof where, "rules[%zu].when", i);
        if ((rc = cond_from_json(&c, json_object_get(it, "when"), where, err)) < 0 ||
            (rc = rule_append(cat, code, title, basis, c, err)) < 0)
            goto done;
    }
    *out = cat;
    cat = NULL;
    rc = 0;
done:
    zf_review_catalog_free(cat);
    json_decref(root);
    return rc;
}

int zf_review_catalog_to_json(char **out, const zf_review_catalog *cat, zf_err *err)
{
    json_t *root = json_object(), *rules = json_array();
    char d[ZF_DATE_STRLEN];

    *out = NULL;
    json_object_set_new(root, "department", json_string(cat->department));
    json_object_set_new(root, "version", json_integer(cat->version));
    json_object_set_new(root, "state", json_string(zf_review_catalog_state_code(cat->state)));
    if (cat->filed_on != ZF_DATE_NONE)
        json_object_set_new(root, "filed_on", json_string(zf_date_format(d, cat->filed_on)));
    if (cat->filing_ref[0])
        json_object_set_new(root, "filing_ref", json_string(cat->filing_ref));
    if (cat->return_reason[0])
        json_object_set_new(root, "return_reason", json_string(cat->return_reason));
    for (size_t i = 0; i < cat->n_rules; i++) {
        const zf_review_rule *r = &cat->rules[i];
        json_t *o = json_object();

        json_object_set_new(o, "code", json_string(r->code));
        json_object_set_new(o, "title", json_string(r->title));
        json_object_set_new(o, "basis", json_string(r->basis));
        json_object_set_new(o, "when", cond_json(r->when));
        json_array_append_new(rules, o);
    }
    json_object_set_new(root, "rules", rules);
    *out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!*out)
        return set_err(err, ZF_ENOMEM, NULL, NULL, "内存不足");
    return 0;
}

static zf_review_cond *cond_copy(const zf_review_cond *c)
{
    zf_review_cond *n = zf_calloc(1, sizeof *n);

    *n = *c;
    n->kids = NULL;
    n->s = c->s ? zf_strdup(c->s) : NULL;
    n->nums = NULL;
    n->evs = NULL;
    n->strs = NULL;
    if (c->n_kids) {
        n->kids = zf_calloc(c->n_kids, sizeof *n->kids);
        for (size_t i = 0; i < c->n_kids; i++)
            n->kids[i] = cond_copy(c->kids[i]);
    }
    if (c->nums) {
        n->nums = zf_calloc(c->n_set, sizeof *n->nums);
        memcpy(n->nums, c->nums, c->n_set * sizeof *n->nums);
    }
    if (c->evs) {
        n->evs = zf_calloc(c->n_set, sizeof *n->evs);
        memcpy(n->evs, c->evs, c->n_set * sizeof *n->evs);
    }
    if (c->strs) {
        n->strs = zf_calloc(c->n_set, sizeof *n->strs);
        for (size_t i = 0; i < c->n_set; i++)
            n->strs[i] = zf_strdup(c->strs[i]);
    }
    return n;
}

int zf_review_catalog_new_version(zf_review_catalog **out, const zf_review_catalog *prev,
                                  zf_err *err)
{
    zf_review_catalog *cat;

    *out = NULL;
    if (!prev)
        return set_err(err, ZF_EINVAL, "invalid_catalog", NULL, "缺少上一版本目录清单");
    cat = catalog_new(prev->department);
    cat->version = prev->version + 1;
    for (size_t i = 0; i < prev->n_rules; i++) {
        cat->rules[i] = prev->rules[i];
        cat->rules[i].when = cond_copy(prev->rules[i].when);
    }
    cat->n_rules = prev->n_rules;
    *out = cat;
    return 0;
}

static int wrong_state(const zf_review_catalog *cat, const char *action, zf_err *err)
{
    return set_err(err, ZF_ECONFLICT, "invalid_catalog_state", "state",
                   "目录清单当前为“%s”，不能%s", zf_review_catalog_state_label(cat->state),
                   action);
}

/* Whether two conditions are the same after canonicalisation. */
static bool cond_same(const zf_review_cond *a, const zf_review_cond *b)
{
    char *x = NULL, *y = NULL;
    bool same;

    if (zf_review_cond_to_json(&x, a, NULL) < 0 || zf_review_cond_to_json(&y, b, NULL) < 0) {
        free(x);
        return false;
    }
    same = strcmp(x, y) == 0;
    free(x);
    free(y);
    return same;
}

int zf_review_catalog_submit(zf_review_catalog *cat, const zf_review_catalog *baseline,
                             zf_err *err)
{
    char list[400] = "";
    size_t used = 0;
    bool narrowed = false;

    if (cat->state != ZF_CATALOG_DRAFT)
        return wrong_state(cat, "报送备案", err);
    if (cat->n_rules == 0)
        return set_err(err, ZF_EINVAL, "invalid_catalog", "rules", "目录清单没有规则");
    for (size_t i = 0; baseline && i < baseline->n_rules; i++) {
        const zf_review_rule *b = &baseline->rules[i];
        const zf_review_rule *r = zf_review_catalog_find(cat, b->code);

        if (r && cond_same(r->when, b->when))
            continue;
        narrowed = true;
        if (used < sizeof list)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s（%s）",
                                     used ? "、" : "", b->code, r ? "条件被改动" : "被删除");
    }
    utf8_trim(list);
    if (narrowed)
        return set_err(err, ZF_ECONFLICT, "catalog_narrows_scope", "rules",
                       "部门只能在实施方案规定的审核范围基础上增加事项，不能缩小：%s", list);
    cat->state = ZF_CATALOG_SUBMITTED;
    return 0;
}

int zf_review_catalog_file(zf_review_catalog *cat, zf_date on, const char *filing_ref,
                           zf_err *err)
{
    if (cat->state != ZF_CATALOG_SUBMITTED)
        return wrong_state(cat, "备案", err);
    if (on == ZF_DATE_NONE)
        return set_err(err, ZF_EINVAL, "invalid_date", "filed_on", "缺少备案日期");
    if (filing_ref && strlen(filing_ref) >= sizeof cat->filing_ref)
        return set_err(err, ZF_EINVAL, "invalid_catalog", "filing_ref", "备案号过长");
    cat->state = ZF_CATALOG_FILED;
    cat->filed_on = on;
    snprintf(cat->filing_ref, sizeof cat->filing_ref, "%s", filing_ref ? filing_ref : "");
    return 0;
}

int zf_review_catalog_return(zf_review_catalog *cat, const char *reason, zf_err *err)
{
    if (cat->state != ZF_CATALOG_SUBMITTED)
        return wrong_state(cat, "退回", err);
    if (!reason || !*reason || strlen(reason) >= sizeof cat->return_reason)
        return set_err(err, ZF_EINVAL, "reason_required", "reason", "退回目录清单须说明理由");
    cat->state = ZF_CATALOG_RETURNED;
    snprintf(cat->return_reason, sizeof cat->return_reason, "%s", reason);
    return 0;
}

int zf_review_catalog_reopen(zf_review_catalog *cat, zf_err *err)
{
    if (cat->state != ZF_CATALOG_RETURNED)
        return wrong_state(cat, "重新修改", err);
    cat->state = ZF_CATALOG_DRAFT;
    return 0;
}

int zf_review_catalog_effective(const zf_review_catalog **out,
                                const zf_review_catalog *const *versions, size_t n,
                                zf_date today, const zf_review_catalog *fallback, zf_err *err)
{
    const zf_review_catalog *best = NULL;

    for (size_t i = 0; i < n; i++) {
        const zf_review_catalog *c = versions[i];

        if (!c || c->state != ZF_CATALOG_FILED || c->filed_on == ZF_DATE_NONE ||
            c->filed_on > today)
            continue;
        if (!best || c->version > best->version)
            best = c;
    }
    *out = best ? best : fallback;
    if (!*out)
        return set_err(err, ZF_ENOTFOUND, "no_filed_catalog", NULL,
                       "尚无已备案的重大执法决定法制审核目录清单");
    return 0;
}

/* ---- classification ---------------------------------------------------- */

void zf_review_classify(zf_review_class *out, const zf_review_catalog *cat,
                        const zf_review_facts *f)
{
    memset(out, 0, sizeof *out);
    if (!cat)
        return;
    snprintf(out->department, sizeof out->department, "%s", cat->department);
    out->catalog_version = cat->version;
    for (size_t i = 0; i < cat->n_rules && out->n_matches < ZF_REVIEW_MAX_RULES; i++) {
        zf_review_match *m;

        if (!zf_review_cond_eval(cat->rules[i].when, f))
            continue;
        m = &out->matches[out->n_matches++];
        snprintf(m->code, sizeof m->code, "%s", cat->rules[i].code);
        snprintf(m->title, sizeof m->title, "%s", cat->rules[i].title);
    }
    out->listed = out->n_matches > 0;
}

int zf_review_determine(zf_review_determination *out, const zf_review_class *cls,
                        const zf_review_override *ov, zf_err *err)
{
    memset(out, 0, sizeof *out);
    out->listed = cls->listed;
    out->major = cls->listed;
    if (!ov || ov->kind == ZF_REVIEW_OVERRIDE_NONE)
        return 0;
    if (!ov->by[0])
        return set_err(err, ZF_EINVAL, "invalid_override", "by", "须写明作出认定的负责人");
    if (ov->kind == ZF_REVIEW_MARK_MAJOR) {
        out->overridden = !cls->listed;
        out->major = true;
        return 0;
    }
    if (ov->kind != ZF_REVIEW_MARK_NOT_MAJOR)
        return set_err(err, ZF_EINVAL, "invalid_override", "kind", "认定类型无效");
    if (!cls->listed)
        return set_err(err, ZF_ECONFLICT, "invalid_override", "kind",
                       "该决定未列入目录清单，无需认定为非重大");
    if (!ov->reason[0])
        return set_err(err, ZF_EINVAL, "reason_required", "reason",
                       "将目录清单内的决定认定为非重大须记录理由，并报市司法局知悉");
    out->major = false;
    out->overridden = true;
    out->bureau_notice = true;
    return 0;
}

/* ---- submission -------------------------------------------------------- */

static const char *const mat_codes[] = {"situation", "legal_basis", "facts_evidence",
                                        "procedure", "proposal", "hearing_record"};
static const char *const mat_labels[] = {"情况说明", "法律依据", "事实依据及证据",
                                         "程序资料", "拟作出决定的建议", "听证笔录"};

const char *zf_review_material_code(zf_review_material m)
{
    return (unsigned)m < ZF_MAT_COUNT ? mat_codes[m] : "unknown";
}

const char *zf_review_material_label(zf_review_material m)
{
    return (unsigned)m < ZF_MAT_COUNT ? mat_labels[m] : "未知";
}

int zf_review_material_parse(zf_review_material *out, const char *s, zf_err *err)
{
    char q[64];

    for (int i = 0; s && i < ZF_MAT_COUNT; i++)
        if (strcmp(s, mat_codes[i]) == 0 || strcmp(s, mat_labels[i]) == 0) {
            *out = (zf_review_material)i;
            return 0;
        }
    return set_err(err, ZF_EINVAL, "invalid_material", "material", "未知的送审材料类型“%s”",
                   clip(q, sizeof q, s));
}

char *zf_review_materials_text(char *out, size_t cap, unsigned mask)
{
    size_t used = 0;

    if (cap == 0)
        return out;
    out[0] = '\0';
    for (int i = 0; i < ZF_MAT_COUNT; i++) {
        int n;

        if (!(mask & ZF_MAT_BIT(i)) || used >= cap)
            continue;
        n = snprintf(out + used, cap - used, "%s%s", used ? "、" : "", mat_labels[i]);
        used += n > 0 ? (size_t)n : 0;
    }
    utf8_trim(out);
    return out;
}

int zf_review_submission_check(unsigned *out_missing, unsigned provided, bool hearing_held,
                               zf_err *err)
{
    unsigned need = ZF_MAT_BIT(ZF_MAT_SITUATION) | ZF_MAT_BIT(ZF_MAT_LEGAL_BASIS) |
                    ZF_MAT_BIT(ZF_MAT_FACTS_EVIDENCE) | ZF_MAT_BIT(ZF_MAT_PROCEDURE) |
                    ZF_MAT_BIT(ZF_MAT_PROPOSAL);
    unsigned missing;
    char text[256];

    if (hearing_held)
        need |= ZF_MAT_BIT(ZF_MAT_HEARING_RECORD);
    missing = need & ~provided;
    if (out_missing)
        *out_missing = missing;
    if (!missing)
        return 0;
    return set_err(err, ZF_EINVAL, "submission_incomplete", "materials",
                   "送审材料不全，缺少：%s", zf_review_materials_text(text, sizeof text, missing));
}

zf_review_route zf_review_route_for(const zf_review_facts *f)
{
    return zf_review_facts_in_government_name(f) ? ZF_ROUTE_JUSTICE_BUREAU : ZF_ROUTE_DEPARTMENT;
}

const char *zf_review_route_code(zf_review_route r)
{
    return r == ZF_ROUTE_JUSTICE_BUREAU ? "justice_bureau" : "department";
}

const char *zf_review_route_label(zf_review_route r)
{
    return r == ZF_ROUTE_JUSTICE_BUREAU ? "市司法局" : "本部门法制审核机构";
}

/* ---- configuration ----------------------------------------------------- */

void zf_review_config_default(zf_review_config *out)
{
    static const zf_review_outcome outs[] = {
        {"agree", "同意", true, false},
        {"not_yet", "暂不同意", false, true},
        {"disagree", "不同意", false, true},
    };

    memset(out, 0, sizeof *out);
    out->review_workdays = 3;
    out->extension_workdays = 2;
    memcpy(out->outcomes, outs, sizeof outs);
    out->n_outcomes = NVALS(outs);
    out->collective_may_decide = false;
    out->reviewer_percent = 5;
}

int zf_review_config_validate(const zf_review_config *cfg, zf_err *err)
{
    bool passes = false;

    if (cfg->review_workdays < 1 || cfg->review_workdays > ZF_CAL_MAX_WORKDAYS)
        return set_err(err, ZF_EINVAL, "invalid_config", "review_workdays",
                       "审核时限应为1至%d个工作日", ZF_CAL_MAX_WORKDAYS);
    if (cfg->extension_workdays < 0 || cfg->extension_workdays > ZF_CAL_MAX_WORKDAYS)
        return set_err(err, ZF_EINVAL, "invalid_config", "extension_workdays",
                       "延长时限应为0至%d个工作日", ZF_CAL_MAX_WORKDAYS);
    if (cfg->reviewer_percent < 1 || cfg->reviewer_percent > 100)
        return set_err(err, ZF_EINVAL, "invalid_config", "reviewer_percent",
                       "法制审核人员比例应为1至100（百分比）");
    if (cfg->n_outcomes < 1 || cfg->n_outcomes > ZF_REVIEW_MAX_OUTCOMES)
        return set_err(err, ZF_EINVAL, "invalid_config", "outcomes", "审核结论应有1至%d种",
                       ZF_REVIEW_MAX_OUTCOMES);
    for (size_t i = 0; i < cfg->n_outcomes; i++) {
        const zf_review_outcome *o = &cfg->outcomes[i];

        if (!code_ok(o->code) || !o->label[0] || !memchr(o->label, '\0', sizeof o->label))
            return set_err(err, ZF_EINVAL, "invalid_config", "outcomes",
                           "第%zu种审核结论的代码或名称无效", i + 1);
        for (size_t k = 0; k < i; k++)
            if (strcmp(o->code, cfg->outcomes[k].code) == 0 ||
                strcmp(o->label, cfg->outcomes[k].label) == 0)
                return set_err(err, ZF_EINVAL, "invalid_config", "outcomes",
                               "审核结论“%s”重复", o->label);
        if (!o->passes && !o->reason_required)
            return set_err(err, ZF_EINVAL, "invalid_config", "outcomes",
                           "审核结论“%s”未通过审核，须要求说明理由", o->label);
        passes |= o->passes;
    }
    if (!passes)
        return set_err(err, ZF_EINVAL, "invalid_config", "outcomes",
                       "审核结论中至少应有一种表示通过（如“同意”）");
    return 0;
}

const zf_review_outcome *zf_review_config_outcome(const zf_review_config *cfg, const char *s)
{
    for (size_t i = 0; s && i < cfg->n_outcomes && i < ZF_REVIEW_MAX_OUTCOMES; i++)
        if (strcmp(cfg->outcomes[i].code, s) == 0 || strcmp(cfg->outcomes[i].label, s) == 0)
            return &cfg->outcomes[i];
    return NULL;
}

/* ---- reviewers --------------------------------------------------------- */

int zf_review_reviewer_check(const zf_review_reviewer *r, zf_err *err)
{
    if (!r || !r->name[0])
        return set_err(err, ZF_EINVAL, "reviewer_required", "reviewer", "须指定审核人员");
    if (r->reviews_done <= 0 && !r->legal_qualification)
        return set_err(err, ZF_EPERM, "reviewer_not_qualified", "reviewer",
                       "%s 初次从事法制审核，应当取得法律职业资格（行政处罚法第五十八条）",
                       r->name);
    return 0;
}

int zf_review_staffing_compute(zf_review_staffing *out, int officers, int reviewers,
                               const zf_review_config *cfg, zf_err *err)
{
    int pct = cfg ? cfg->reviewer_percent : 5;

    memset(out, 0, sizeof *out);
    if (officers < 0 || reviewers < 0 || officers > 10000000 || reviewers > 10000000)
        return set_err(err, ZF_EINVAL, "invalid_count", "officers", "人数应为非负整数");
    if (pct < 1 || pct > 100)
        return set_err(err, ZF_EINVAL, "invalid_config", "reviewer_percent",
                       "法制审核人员比例应为1至100（百分比）");
    out->officers = officers;
    out->reviewers = reviewers;
    /* 原则上不少于执法人员总数的5%: a fraction of a person rounds up. */
    out->required = (int)(((long long)officers * pct + 99) / 100);
    out->shortfall = out->required > reviewers ? out->required - reviewers : 0;
    out->meets = out->shortfall == 0;
    return 0;
}

/* ---- rounds ------------------------------------------------------------ */

static const char *const round_codes[] = {"", "submitted", "in_review", "concluded", "returned"};
static const char *const round_labels[] = {"", "已送审", "审核中", "已出具意见", "已退回承办机构"};

const char *zf_review_round_state_code(zf_review_round_state s)
{
    return s >= 1 && s <= 4 ? round_codes[s] : "unknown";
}

const char *zf_review_round_state_label(zf_review_round_state s)
{
    return s >= 1 && s <= 4 ? round_labels[s] : "未知";
}

static const char *const point_codes[] = {"subject",   "procedure", "facts",  "law",
                                          "authority", "documents", "rights", "crime"};
static const char *const point_labels[] = {
    "主体与执法资格", "程序",     "事实与证据", "法律适用与裁量基准", "是否超越职权",
    "文书是否完备规范", "知情权与申辩权是否保障", "是否涉嫌犯罪需移送"};

const char *zf_review_point_code(zf_review_point p)
{
    return (unsigned)p < ZF_POINT_COUNT ? point_codes[p] : "unknown";
}

const char *zf_review_point_label(zf_review_point p)
{
    return (unsigned)p < ZF_POINT_COUNT ? point_labels[p] : "未知";
}

void zf_review_history_free(zf_review_history *h)
{
    if (!h)
        return;
    free(h->rounds);
    h->rounds = NULL;
    h->n = h->cap = 0;
}

const zf_review_round *zf_review_history_latest(const zf_review_history *h)
{
    return h && h->n ? &h->rounds[h->n - 1] : NULL;
}

static zf_review_round *latest_mut(zf_review_history *h)
{
    return h->n ? &h->rounds[h->n - 1] : NULL;
}

/* The latest round if it is in state want, else a Chinese ZF_ECONFLICT. */
static int need_latest(zf_review_round **out, zf_review_history *h, zf_review_round_state want,
                       const char *action, zf_err *err)
{
    zf_review_round *r = latest_mut(h);

    *out = r;
    if (!r)
        return set_err(err, ZF_ECONFLICT, "no_review", NULL, "尚未送审，不能%s", action);
    if (r->state != want)
        return set_err(err, ZF_ECONFLICT, "invalid_review_state", "state",
                       "第%d轮审核当前为“%s”，不能%s", r->no,
                       zf_review_round_state_label(r->state), action);
    return 0;
}

static int name_ok(const char *s, const char *field, const char *label, zf_err *err)
{
    if (!s || !*s || strlen(s) >= ZF_REVIEW_NAME_MAX)
        return set_err(err, ZF_EINVAL, "invalid_name", field, "须写明%s（不超过%d字节）", label,
                       ZF_REVIEW_NAME_MAX - 1);
    return 0;
}

int zf_review_submit(zf_review_history *h, const zf_review_facts *f, unsigned materials,
                     const char *by, zf_date on, const char *proposal_ref, zf_err *err)
{
    zf_review_round *prev = latest_mut(h), *r;
    int rc;

    if (prev && !(prev->state == ZF_ROUND_RETURNED ||
                  (prev->state == ZF_ROUND_CONCLUDED && prev->outcome_passes)))
        return set_err(err, ZF_ECONFLICT, "invalid_review_state", "state",
                       "第%d轮审核为“%s”，%s", prev->no,
                       zf_review_round_state_label(prev->state),
                       prev->state == ZF_ROUND_CONCLUDED ? "须先退回承办机构再重新送审"
                                                            : "不能再次送审");
    if ((rc = name_ok(by, "submitted_by", "送审人", err)) < 0)
        return rc;
    if (on == ZF_DATE_NONE)
        return set_err(err, ZF_EINVAL, "invalid_date", "submitted_on", "缺少送审日期");
    if (prev && on < (prev->returned_on != ZF_DATE_NONE ? prev->returned_on : prev->concluded_on))
        return set_err(err, ZF_EINVAL, "invalid_date", "submitted_on",
                       "送审日期不能早于上一轮审核结束");
    if (proposal_ref && strlen(proposal_ref) >= sizeof r->proposal_ref)
        return set_err(err, ZF_EINVAL, "invalid_input", "proposal_ref", "拟作出决定的标识过长");
    if ((rc = zf_review_submission_check(NULL, materials, zf_review_facts_hearing_held(f), err)) <
        0)
        return rc;
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 4;
        h->rounds = zf_realloc(h->rounds, h->cap * sizeof *h->rounds);
    }
    r = &h->rounds[h->n];
    memset(r, 0, sizeof *r);
    r->no = (int)h->n + 1;
    r->state = ZF_ROUND_SUBMITTED;
    r->route = zf_review_route_for(f);
    snprintf(r->submitted_by, sizeof r->submitted_by, "%s", by);
    r->submitted_on = on;
    snprintf(r->proposal_ref, sizeof r->proposal_ref, "%s", proposal_ref ? proposal_ref : "");
    r->received_on = r->concluded_on = r->returned_on = r->collective_on = ZF_DATE_NONE;
    r->clock.start = r->clock.due = r->clock.done = ZF_DATE_NONE;
    h->n++;
    return 0;
}

int zf_review_receive(zf_review_history *h, const zf_calendar *cal, const zf_review_config *cfg,
                      const zf_review_reviewer *reviewer, zf_date on, zf_err *err)
{
    zf_review_round *r;
    zf_deadline_rule rule;
    size_t n;
    const zf_deadline_rule *def;
    int rc;

    if ((rc = need_latest(&r, h, ZF_ROUND_SUBMITTED, "接收", err)) < 0 ||
        (rc = zf_review_config_validate(cfg, err)) < 0 ||
        (rc = zf_review_reviewer_check(reviewer, err)) < 0)
        return rc;
    if (on == ZF_DATE_NONE || on < r->submitted_on)
        return set_err(err, ZF_EINVAL, "invalid_date", "received_on", "接收日期不能早于送审日期");
    /* The shipped legal_review rule, with the locality's numbers. */
    def = zf_deadline_rule_find(zf_deadline_default_rules(&n), n, "legal_review");
    if (def)
        rule = *def;
    else {
        memset(&rule, 0, sizeof rule);
        snprintf(rule.code, sizeof rule.code, "legal_review");
        snprintf(rule.name, sizeof rule.name, "重大执法决定法制审核");
        rule.kind = ZF_RULE_WORKDAYS;
    }
    rule.workdays = cfg->review_workdays;
    rule.extension_workdays = cfg->extension_workdays;
    if ((rc = zf_clock_start(&r->clock, &rule, cal, on, err)) < 0)
        return rc;
    r->state = ZF_ROUND_IN_REVIEW;
    r->received_on = on;
    snprintf(r->reviewer, sizeof r->reviewer, "%s", reviewer->name);
    r->reviewer_from_pool = reviewer->from_pool;
    return 0;
}

int zf_review_note_point(zf_review_history *h, zf_review_point point,
                         zf_review_check_state state, const char *note, zf_err *err)
{
    zf_review_round *r;
    int rc;

    if ((rc = need_latest(&r, h, ZF_ROUND_IN_REVIEW, "填写审核要点", err)) < 0)
        return rc;
    if ((unsigned)point >= ZF_POINT_COUNT)
        return set_err(err, ZF_EINVAL, "invalid_point", "point", "审核要点无效");
    if (state != ZF_CHECK_CONFORMS && state != ZF_CHECK_PROBLEM)
        return set_err(err, ZF_EINVAL, "invalid_check", "state",
                       "审核要点“%s”应记为符合或存在问题", point_labels[point]);
    if (note && strlen(note) >= ZF_REVIEW_NOTE_MAX)
        return set_err(err, ZF_ETOOBIG, "note_too_long", "note", "审核意见过长");
    if (state == ZF_CHECK_PROBLEM && (!note || !*note))
        return set_err(err, ZF_EINVAL, "note_required", "note",
                       "审核要点“%s”存在问题，须写明具体问题", point_labels[point]);
    r->checks[point].state = state;
    snprintf(r->checks[point].note, sizeof r->checks[point].note, "%s", note ? note : "");
    return 0;
}

int zf_review_extend(zf_review_history *h, const zf_calendar *cal, const char *approver,
                     zf_date today, zf_err *err)
{
    zf_review_round *r;
    int rc;

    if ((rc = need_latest(&r, h, ZF_ROUND_IN_REVIEW, "延长审核期限", err)) < 0 ||
        (rc = name_ok(approver, "approver", "批准延长的分管领导", err)) < 0)
        return rc;
    return zf_clock_extend(&r->clock, cal, approver, today, err);
}

int zf_review_conclude(zf_review_history *h, const zf_calendar *cal, const zf_review_config *cfg,
                       const char *outcome, const char *reasons, zf_date on, zf_err *err)
{
    zf_review_round *r;
    const zf_review_outcome *o;
    char missing[400] = "", q[64];
    size_t used = 0;
    bool problem = false;
    int rc;

    if ((rc = need_latest(&r, h, ZF_ROUND_IN_REVIEW, "出具审核意见", err)) < 0 ||
        (rc = zf_review_config_validate(cfg, err)) < 0)
        return rc;
    if (!(o = zf_review_config_outcome(cfg, outcome)))
        return set_err(err, ZF_EINVAL, "invalid_outcome", "outcome", "审核结论“%s”无效",
                       clip(q, sizeof q, outcome));
    for (int i = 0; i < ZF_POINT_COUNT; i++) {
        if (r->checks[i].state == ZF_CHECK_PROBLEM)
            problem = true;
        if (r->checks[i].state != ZF_CHECK_UNSET || used >= sizeof missing)
            continue;
        used += (size_t)snprintf(missing + used, sizeof missing - used, "%s%s", used ? "、" : "",
                                 point_labels[i]);
    }
    utf8_trim(missing);
    if (missing[0])
        return set_err(err, ZF_ECONFLICT, "checklist_incomplete", "checks",
                       "以下审核要点尚未填写：%s", missing);
    if (o->reason_required && (!reasons || !*reasons))
        return set_err(err, ZF_EINVAL, "reason_required", "reasons",
                       "出具“%s”的审核意见须说明理由", o->label);
    if (reasons && strlen(reasons) >= sizeof r->reasons)
        return set_err(err, ZF_ETOOBIG, "reason_too_long", "reasons", "理由过长");
    if (o->passes && problem)
        return set_err(err, ZF_ECONFLICT, "checklist_has_problem", "outcome",
                       "审核要点中存在问题，不能出具“%s”的审核意见", o->label);
    if (on == ZF_DATE_NONE || on < r->received_on)
        return set_err(err, ZF_EINVAL, "invalid_date", "concluded_on",
                       "出具意见日期不能早于接收日期");
    if ((rc = zf_clock_finish(&r->clock, cal, on, err)) < 0)
        return rc;
    r->state = ZF_ROUND_CONCLUDED;
    snprintf(r->outcome, sizeof r->outcome, "%s", o->code);
    snprintf(r->outcome_label, sizeof r->outcome_label, "%s", o->label);
    r->outcome_passes = o->passes;
    snprintf(r->reasons, sizeof r->reasons, "%s", reasons ? reasons : "");
    r->concluded_on = on;
    return 0;
}

int zf_review_return(zf_review_history *h, zf_date on, zf_err *err)
{
    zf_review_round *r;
    int rc;

    if ((rc = need_latest(&r, h, ZF_ROUND_CONCLUDED, "退回承办机构", err)) < 0)
        return rc;
    if (r->outcome_passes)
        return set_err(err, ZF_ECONFLICT, "invalid_review_state", "state",
                       "审核意见为“%s”，无需退回", r->outcome_label);
    if (on == ZF_DATE_NONE || on < r->concluded_on)
        return set_err(err, ZF_EINVAL, "invalid_date", "returned_on",
                       "退回日期不能早于出具意见日期");
    r->state = ZF_ROUND_RETURNED;
    r->returned_on = on;
    return 0;
}

int zf_review_collective(zf_review_history *h, zf_review_collective_decision decision,
                         const char *record, zf_date on, zf_err *err)
{
    zf_review_round *r = latest_mut(h);

    if (!r || !(r->state == ZF_ROUND_CONCLUDED || r->state == ZF_ROUND_RETURNED) ||
        r->outcome_passes)
        return set_err(err, ZF_ECONFLICT, "invalid_review_state", "state",
                       "只有审核意见为暂不同意或不同意、分歧未解决时才提交集体讨论");
    if (r->collective != ZF_COLLECTIVE_NONE)
        return set_err(err, ZF_ECONFLICT, "already_discussed", "collective",
                       "第%d轮审核意见已经集体讨论", r->no);
    if (decision != ZF_COLLECTIVE_PROCEED && decision != ZF_COLLECTIVE_UPHOLD)
        return set_err(err, ZF_EINVAL, "invalid_collective", "decision", "集体讨论结果无效");
    if (!record || !*record || strlen(record) >= sizeof r->collective_record)
        return set_err(err, ZF_EINVAL, "record_required", "record",
                       "须提供集体讨论记录（不超过%zu字节）", sizeof r->collective_record - 1);
    if (on == ZF_DATE_NONE || on < r->concluded_on)
        return set_err(err, ZF_EINVAL, "invalid_date", "collective_on",
                       "集体讨论日期不能早于出具意见日期");
    r->collective = decision;
    r->collective_on = on;
    snprintf(r->collective_record, sizeof r->collective_record, "%s", record);
    return 0;
}

/* ---- the gate ---------------------------------------------------------- */

static bool refuse(zf_review_gate *out, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool refuse(zf_review_gate *out, const char *code, const char *fmt, ...)
{
    va_list ap;

    out->allowed = false;
    snprintf(out->code, sizeof out->code, "%s", code);
    va_start(ap, fmt);
    vsnprintf(out->reason, sizeof out->reason, fmt, ap);
    va_end(ap);
    utf8_trim(out->reason);
    return false;
}

bool zf_review_gate_allows_decision(zf_review_gate *out, const zf_review_catalog *cat,
                                    const zf_review_facts *f, const zf_review_override *ov,
                                    const zf_review_history *h, const zf_review_config *cfg,
                                    const char *decision_ref)
{
    zf_review_class *cls;
    zf_review_determination det;
    const zf_review_round *r;
    zf_err err = ZF_ERR_INIT;
    int rc;

    memset(out, 0, sizeof *out);
    /* Fail closed: without the inputs to decide, nothing is recorded. */
    if (!cat || !f || !cfg)
        return refuse(out, "invalid_input", "缺少目录清单、案件信息或审核配置，不能作出决定");
    cls = zf_malloc(sizeof *cls); /* ~22 KB: kept off small thread stacks */
    zf_review_classify(cls, cat, f);
    rc = zf_review_determine(&det, cls, ov, &err);
    free(cls);
    if (rc < 0) {
        out->major = true;
        return refuse(out, "invalid_override", "重大执法决定认定无效：%s", err.message);
    }
    out->major = det.major;
    if (!det.major) {
        out->allowed = true;
        return true;
    }
    r = zf_review_history_latest(h);
    if (!r)
        return refuse(out, "review_required",
                      "属于重大执法决定，未经法制审核不得作出决定");
    if (r->state == ZF_ROUND_SUBMITTED || r->state == ZF_ROUND_IN_REVIEW)
        return refuse(out, "review_pending", "第%d轮法制审核尚未出具意见，不得作出决定", r->no);
    if (!r->outcome_passes &&
        !(cfg->collective_may_decide && r->collective == ZF_COLLECTIVE_PROCEED))
        return refuse(out, "review_not_agreed",
                      "最近一轮（第%d轮）法制审核意见为“%s”，审核未通过不得作出决定", r->no,
                      r->outcome_label);
    if (decision_ref && *decision_ref && strcmp(decision_ref, r->proposal_ref) != 0)
        return refuse(out, "proposal_mismatch",
                      "拟作出的决定与第%d轮审核的建议不一致，须重新送审", r->no);
    out->allowed = true;
    return true;
}
