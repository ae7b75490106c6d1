/* test_redact.c — masking of personal data before publication
 * (core/redact.h): table-driven cases, rules per field and audience,
 * finding offsets, and a run over every 违规事实 of the reference penalty
 * records ($ZF_REFERENCE_DIR/penalties/nfra_penalty_records_100.csv) when
 * present. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/redact.h"
#include "util/buf.h"
#include "util/mem.h"

#define PUB ZF_REDACT_PUBLIC
#define CRD ZF_REDACT_CREDIT
#define INT ZF_REDACT_INTERNAL
#define ID ZF_REDACT_ID_NUMBER
#define MOB ZF_REDACT_MOBILE
#define TEL ZF_REDACT_LANDLINE
#define BANK ZF_REDACT_BANK_CARD
#define ADDR ZF_REDACT_ADDRESS
#define NAME ZF_REDACT_NAME
#define USCC ZF_REDACT_CREDIT_CODE

static size_t utf8_chars(const char *s, size_t len)
{
    size_t i, n = 0;

    for (i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

static const struct {
    const char *field;
    int audience;
    const char *in;
    const char *want;
    int kinds[6]; /* the findings' kinds in order, 0-terminated */
} cases[] = {
    /* ID numbers: X check digit, lower-case x, the old 15-digit form */
    {"违法事实", PUB, "身份证号11010519491231002X。", "身份证号1****************X。", {ID}},
    {"违法事实", PUB, "身份证号11010519491231002x", "身份证号1****************x", {ID}},
    {"违法事实", PUB, "360102198506121237", "3****************7", {ID}},
    {"违法事实", PUB, "旧证110105491231002号", "旧证1*************2号", {ID}},
    {"违法事实", PUB, "１１０１０５１９４９１２３１００２Ｘ", "１****************Ｘ", {ID}},
    /* wrong check digit: not masked — even though it passes Luhn */
    {"违法事实", PUB, "号码110105194912310021", "号码110105194912310021", {0}},
    {"违法事实", PUB, "号码360102198506121232", "号码360102198506121232", {0}},
    /* mobiles, in any grouping, full-width, with country code */
    {"违法事实", PUB, "电话13812345678", "电话138****5678", {MOB}},
    {"违法事实", PUB, "tel: 138 1234 5678.", "tel: 138 **** 5678.", {MOB}},
    {"违法事实", PUB, "138-1234-5678", "138-****-5678", {MOB}},
    {"违法事实", PUB, "手机１３８１２３４５６７８", "手机１３８****５６７８", {MOB}},
    {"违法事实", PUB, "手机１３８　１２３４　５６７８", "手机１３８　****　５６７８", {MOB}},
    {"违法事实", PUB, "+86 138 1234 5678", "+86 138 **** 5678", {MOB}},
    {"违法事实", PUB, "8613812345678", "86138****5678", {MOB}},
    {"违法事实", PUB, "罚款5000 13912345678", "罚款5000 139****5678", {MOB}},
    {"违法事实", PUB, "13812345678、13987654321", "138****5678、139****4321", {MOB, MOB}},
    /* landlines */
    {"违法事实", PUB, "0791-86661234", "0791-******34", {TEL}},
    {"违法事实", PUB, "(0791)86661234", "(0791)******34", {TEL}},
    {"违法事实", PUB, "（０７９１）８６６６１２３４", "（０７９１）******３４", {TEL}},
    {"违法事实", PUB, "010-62345678转8", "010-******78转8", {TEL}},
    {"违法事实", PUB, "010-12345678", "010-12345678", {0}}, /* no local number starts with 1 */
    {"违法事实", PUB, "0791 8666 1234", "0791 **** **34", {TEL}},
    {"违法事实", PUB, "079186661234", "0791******34", {TEL}},
    /* bank cards: Luhn, groups of four */
    {"违法事实", PUB, "卡号6222021234567894", "卡号6222********7894", {BANK}},
    {"违法事实", PUB, "6222 0212 3456 7894", "6222 **** **** 7894", {BANK}},
    {"违法事实", PUB, "6217001234567890122", "6217***********0122", {BANK}},
    {"违法事实", PUB, "卡号6222021234567895", "卡号6222021234567895", {0}},
    /* not personal data: credit codes, parts of longer numbers, dates, money */
    {"违法事实", PUB, "统一社会信用代码91350100M000100Y43", "统一社会信用代码91350100M000100Y43",
     {USCC}},
    {"违法事实", PUB, "编号138123456789", "编号138123456789", {0}},
    {"违法事实", PUB, "A13812345678", "A13812345678", {0}},
    {"违法事实", PUB, "2021-07-30罚款5000元，第12条", "2021-07-30罚款5000元，第12条", {0}},
    /* names */
    {"姓名", PUB, "张三丰", "张**", {NAME}},
    {"姓名", PUB, "张三", "张*", {NAME}},
    {"姓名", PUB, "欧阳娜娜", "欧阳**", {NAME}},
    {"违法事实", PUB, "当事人：李四，男，1980年出生", "当事人：李*，男，1980年出生", {NAME}},
    {"违法事实", PUB, "当事人王小明（女）", "当事人王**（女）", {NAME}},
    {"违法事实", PUB, "姓名：赵六，电话13812345678", "姓名：赵*，电话138****5678", {NAME, MOB}},
    /* addresses: province, city, district (and 街道/镇) stay */
    {"住址", PUB, "江西省南昌市东湖区八一大道123号", "江西省南昌市东湖区********", {ADDR}},
    {"住址", PUB, "江西省南昌市东湖区公园街道八一大道1号", "江西省南昌市东湖区公园街道******",
     {ADDR}},
    {"住址", PUB, "南昌县莲塘镇向阳村5组", "南昌县莲塘镇*****", {ADDR}},
    {"住址", PUB, "南昌市红谷滩区凤凰小区3栋", "南昌市红谷滩区******", {ADDR}},
    {"违法事实", PUB, "家住江西省南昌市青山湖区北京东路88号，电话13812345678",
     "家住江西省南昌市青山湖区*******，电话138****5678", {ADDR, MOB}},
    /* audiences */
    {"违法事实", INT, "电话13812345678，身份证号11010519491231002X",
     "电话13812345678，身份证号11010519491231002X", {MOB, ID}},
    {"证件号码", CRD, "11010519491231002X", "11010519491231002X", {ID}},
    {"证件号码", PUB, "11010519491231002X", "1****************X", {ID}},
    {"违法事实", CRD, "身份证号11010519491231002X", "身份证号1****************X", {ID}},
    {"姓名", CRD, "张三丰", "张三丰", {NAME}},
    {"姓名", INT, "张三丰", "张三丰", {NAME}},
    /* a whole number field the scan does not recognise is still masked */
    {"银行账号", PUB, "36050101234567", "3605******4567", {BANK}},
    /* mixed free text */
    {"违法事实", PUB,
     "经查，当事人张某（身份证号：36010219850612123７，联系电话：139 8765 4321）于2023年5月"
     "在其经营场所销售过期食品，货款通过银行卡6222021234567894收取。涉事公司统一社会信用代码"
     "91350100M000100Y43，办公电话0791-86661234。",
     "经查，当事人张某（身份证号：3****************７，联系电话：139 **** 4321）于2023年5月"
     "在其经营场所销售过期食品，货款通过银行卡6222********7894收取。涉事公司统一社会信用代码"
     "91350100M000100Y43，办公电话0791-******34。",
     {ID, MOB, BANK, USCC, TEL}},
};

static void test_cases(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zf_redact_result r = ZF_REDACT_RESULT_INIT;
        zf_err err = ZF_ERR_INIT;
        size_t k;
        const char *in = cases[i].in;

        if (zf_redact_text(&r, NULL, cases[i].field, cases[i].audience, in, strlen(in), &err))
            fail_msg("case %zu: %s", i, err.message);
        if (strcmp(r.text, cases[i].want) != 0)
            fail_msg("case %zu \"%s\":\n got  \"%s\"\n want \"%s\"", i, in, r.text,
                     cases[i].want);
        assert_int_equal(r.len, strlen(r.text));
        assert_int_equal(utf8_chars(r.text, r.len), utf8_chars(in, strlen(in)));
        for (k = 0; k < r.count || cases[i].kinds[k]; k++) {
            if (k >= r.count || k >= 5 || r.findings[k].kind != cases[i].kinds[k])
                fail_msg("case %zu \"%s\": finding %zu is kind %d, want %d (%zu findings)", i,
                         in, k, k < r.count ? r.findings[k].kind : -1,
                         k < 5 ? cases[i].kinds[k] : -1, r.count);
        }
        zf_redact_result_free(&r);
    }
}

static void test_finding_offsets(void **state)
{
    const char *in = "电话１３８１２３４５６７８，代码91350100M000100Y43";
    zf_redact_result r = ZF_REDACT_RESULT_INIT;
    const zf_redact_finding *f;

    (void)state;
    assert_int_equal(zf_redact_text(&r, NULL, "违法事实", PUB, in, strlen(in), NULL), 0);
    assert_int_equal(r.count, 2);
    f = &r.findings[0];
    assert_int_equal(f->kind, MOB);
    assert_true(f->masked);
    assert_int_equal(f->offset, 6);
    assert_int_equal(f->length, 33);
    assert_int_equal(f->char_offset, 2);
    assert_int_equal(f->char_length, 11);
    assert_int_equal(f->out_offset, 6);
    assert_int_equal(f->out_length, 3 * 3 + 4 + 4 * 3);
    assert_memory_equal(r.text + f->out_offset, "１３８****５６７８", f->out_length);
    f = &r.findings[1];
    assert_int_equal(f->kind, USCC);
    assert_false(f->masked);
    assert_memory_equal(in + f->offset, "91350100M000100Y43", 18);
    assert_memory_equal(r.text + f->out_offset, "91350100M000100Y43", 18);
    assert_int_equal(f->char_offset, 16);
    assert_string_equal(zf_redact_kind_label(f->kind), "统一社会信用代码");
    zf_redact_result_free(&r);
}

static void test_custom_rules(void **state)
{
    static const zf_redact_rule rules[] = {
        {"违法事实", PUB, MOB, 0, 1, 0, 0, "×"},
        {"*", ZF_REDACT_ANY_AUDIENCE, ZF_REDACT_ANY_KIND, 0, 1, 2, 2, "#"},
        {"备注", ZF_REDACT_ANY_AUDIENCE, ZF_REDACT_ANY_KIND, 0, 0, 0, 0, NULL},
    };
    static const zf_redact_rule bad1[] = {{"*", PUB, MOB, 0, 1, 0, 0, "**"}};
    static const zf_redact_rule bad2[] = {{"*", PUB, NAME, 1, 1, 0, 0, NULL}};
    static const zf_redact_rule bad3[] = {{"x", 9, MOB, 0, 1, 0, 0, NULL}};
    zf_redact_policy p = {rules, 3};
    zf_redact_result r = ZF_REDACT_RESULT_INIT;
    zf_err err = ZF_ERR_INIT;
    const char *in = "电话13812345678 0791-86661234";

    (void)state;
    assert_int_equal(zf_redact_policy_check(&p, &err), 0);
    assert_int_equal(zf_redact_text(&r, &p, "违法事实", PUB, in, strlen(in), &err), 0);
    assert_string_equal(r.text, "电话××××××××××× 07##-######34");
    zf_redact_result_free(&r);
    /* field-specific audience-any rule loses to nothing here: 备注 is public */
    assert_int_equal(zf_redact_text(&r, &p, "备注", PUB, in, strlen(in), &err), 0);
    assert_string_equal(r.text, in);
    assert_int_equal(r.count, 2);
    assert_false(r.findings[0].masked);
    zf_redact_result_free(&r);

    p.rules = bad1;
    p.count = 1;
    assert_int_equal(zf_redact_policy_check(&p, &err), ZF_EINVAL);
    assert_string_equal(err.code, "bad_rule");
    assert_int_equal(zf_redact_text(&r, &p, "x", PUB, "a", 1, &err), ZF_EINVAL);
    assert_null(r.text);
    p.rules = bad2;
    assert_int_equal(zf_redact_policy_check(&p, &err), ZF_EINVAL);
    p.rules = bad3;
    assert_int_equal(zf_redact_policy_check(&p, &err), ZF_EINVAL);
    assert_int_equal(zf_redact_policy_check(zf_redact_default_policy(), &err), 0);
}

static void test_errors(void **state)
{
    zf_redact_result r = ZF_REDACT_RESULT_INIT;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    assert_int_equal(zf_redact_text(&r, NULL, "违法事实", PUB, "ab\xff", 3, &err), ZF_EINVAL);
    assert_string_equal(err.code, "invalid_utf8");
    assert_null(r.text);
    assert_int_equal(zf_redact_text(&r, NULL, "违法事实", PUB, "a\0b", 3, &err), ZF_EINVAL);
    assert_int_equal(zf_redact_text(&r, NULL, "违法事实", 0, "a", 1, &err), ZF_EINVAL);
    assert_string_equal(err.code, "bad_audience");
    assert_int_equal(zf_redact_text(&r, NULL, "违法事实", PUB, "", 0, &err), 0);
    assert_string_equal(r.text, "");
    assert_int_equal(r.count, 0);
    zf_redact_result_free(&r);
    zf_redact_result_free(NULL);
}

static void test_validators(void **state)
{
    (void)state;
    assert_true(zf_redact_id_valid("11010519491231002X", 18));
    assert_true(zf_redact_id_valid("11010519491231002x", 18));
    assert_false(zf_redact_id_valid("110105194912310021", 18));
    assert_false(zf_redact_id_valid("11010519491331002X", 18)); /* month 13 */
    assert_false(zf_redact_id_valid("990105194912310020", 18)); /* no region 99 */
    assert_true(zf_redact_id_valid("110105491231002", 15));
    assert_false(zf_redact_id_valid("110105490231002", 15));    /* 31 Feb */
    assert_true(zf_redact_credit_code_valid("91350100M000100Y43", 18));
    assert_false(zf_redact_credit_code_valid("91350100M000100Y44", 18));
    assert_false(zf_redact_credit_code_valid("91350100m000100Y43", 18));
    assert_false(zf_redact_credit_code_valid("91350100O000100Y43", 18)); /* O is not used */
    assert_true(zf_redact_luhn_valid("4111111111111111", 16));
    assert_true(zf_redact_luhn_valid("6222021234567894", 16));
    assert_false(zf_redact_luhn_valid("6222021234567895", 16));
    assert_false(zf_redact_luhn_valid("62220212345678a4", 16));
}

/* ---- the reference penalty records ------------------------------------ */

/* Independent check that nothing identifying survived: digit sequences
 * (ASCII or full-width, with single spaces or hyphens between groups)
 * that form an 18-character ID with a valid check digit or an 11-digit
 * mobile number. Checks both each contiguous run and the joined groups. */
static int digit_at(const char *s, size_t len, size_t i, size_t *n, int allow_x)
{
    if (i < len && s[i] >= '0' && s[i] <= '9') {
        *n = 1;
        return s[i];
    }
    if (i + 2 < len && (unsigned char)s[i] == 0xEF && (unsigned char)s[i + 1] == 0xBC &&
        (unsigned char)s[i + 2] >= 0x90 && (unsigned char)s[i + 2] <= 0x99) {
        *n = 3;
        return '0' + ((unsigned char)s[i + 2] - 0x90);
    }
    if (allow_x && i < len && (s[i] == 'X' || s[i] == 'x')) {
        *n = 1;
        return 'X';
    }
    return 0;
}

static int id_check(const char *d)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0, i;

    for (i = 0; i < 17; i++) {
        if (d[i] < '0' || d[i] > '9')
            return 0;
        sum += (d[i] - '0') * w[i];
    }
    return "10X98765432"[sum % 11] == d[17];
}

static int identifying(const char *d, size_t n)
{
    if (n == 18 && id_check(d))
        return 1;
    return n == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9' && !strchr(d, 'X');
}

static int survivor(const char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        char joined[128], run[128];
        size_t nj = 0, nr = 0, k, step;
        int c;

        if (!digit_at(s, len, i, &step, 0) || (i > 0 && digit_at(s, len, i - 1, &k, 0))) {
            i++;
            continue;
        }
        while (i < len && nj < 100) {
            if ((c = digit_at(s, len, i, &step, 1)) != 0) {
                joined[nj++] = (char)c;
                run[nr++] = (char)c;
                i += step;
                continue;
            }
            run[nr] = '\0';
            joined[nj] = '\0';
            if (identifying(run, nr))
                return 1;
            nr = 0;
            if ((s[i] == ' ' || s[i] == '-') && digit_at(s, len, i + 1, &step, 0)) {
                i++;
                continue;
            }
            break;
        }
        run[nr] = '\0';
        joined[nj] = '\0';
        if (identifying(run, nr) || identifying(joined, nj))
            return 1;
    }
    return 0;
}

static void test_survivor_checker(void **state)
{
    (void)state;
    /* the checker itself must be able to fail */
    assert_true(survivor("x13812345678", strlen("x13812345678")));
    assert_true(survivor("138 1234 5678", strlen("138 1234 5678")));
    assert_true(survivor("１３８１２３４５６７８", strlen("１３８１２３４５６７８")));
    assert_true(survivor("号11010519491231002X", strlen("号11010519491231002X")));
    assert_false(survivor("138****5678", strlen("138****5678")));
    assert_false(survivor("110105194912310021", 18));
}

/* Splits one CSV record (RFC 4180 quoting) starting at *p into fields;
 * returns the number of fields, advances *p past the record. */
static int csv_record(const char **p, const char *end, char **fields, int max)
{
    int n = 0;
    const char *s = *p;

    while (s < end && n < max) {
        zf_buf b = ZF_BUF_INIT;
        if (*s == '"') {
            s++;
            while (s < end) {
                if (*s == '"' && s + 1 < end && s[1] == '"') {
                    zf_buf_putc(&b, '"');
                    s += 2;
                } else if (*s == '"') {
                    s++;
                    break;
                } else {
                    zf_buf_putc(&b, *s++);
                }
            }
        }
        while (s < end && *s != ',' && *s != '\n' && *s != '\r')
            zf_buf_putc(&b, *s++);
        fields[n++] = zf_buf_detach(&b);
        if (s < end && *s == ',') {
            s++;
            continue;
        }
        while (s < end && (*s == '\r' || *s == '\n'))
            s++;
        break;
    }
    *p = s;
    return n;
}

static void test_reference_penalties(void **state)
{
    const char *base = getenv("ZF_REFERENCE_DIR");
    char path[4096], *data, *fields[32];
    FILE *f;
    long size;
    const char *p, *end;
    int n, col = -1, rows = 0, raw_findings = 0, i;

    (void)state;
    snprintf(path, sizeof path, "%s/penalties/nfra_penalty_records_100.csv",
             base && *base ? base : "/work/shared/reference");
    if (!(f = fopen(path, "rb"))) {
        printf("  [ skip ] %s not found (set ZF_REFERENCE_DIR)\n", path);
        skip();
    }
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = zf_malloc((size_t)size + 1);
    assert_int_equal(fread(data, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    p = data;
    end = data + size;
    if (size >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    n = csv_record(&p, end, fields, 32);
    for (i = 0; i < n; i++) {
        if (strcmp(fields[i], "违规事实") == 0)
            col = i;
        free(fields[i]);
    }
    assert_true(col >= 0);
    while (p < end) {
        zf_redact_result r = ZF_REDACT_RESULT_INIT;
        zf_buf inj = ZF_BUF_INIT;
        const char *fact;
        size_t row_findings;

        n = csv_record(&p, end, fields, 32);
        if (n <= col) {
            for (i = 0; i < n; i++)
                free(fields[i]);
            continue;
        }
        fact = fields[col];
        rows++;
        /* the fact as published */
        assert_int_equal(zf_redact_text(&r, NULL, "违法事实", PUB, fact, strlen(fact), NULL), 0);
        assert_int_equal(utf8_chars(r.text, r.len), utf8_chars(fact, strlen(fact)));
        assert_false(survivor(r.text, r.len));
        raw_findings += (int)r.count;
        row_findings = r.count;
        zf_redact_result_free(&r);
        /* the same fact with personal data written in every way */
        zf_buf_printf(&inj, "%s（当事人联系电话１３９ ８７６５ ４３２１，身份证号%s，备用手机%s）%s",
                      fact, rows % 2 ? "11010519491231002X" : "360102198506121237",
                      rows % 3 ? "138-1234-5678" : "+86 13812345678", fact);
        assert_int_equal(zf_redact_text(&r, NULL, "违法事实", PUB, inj.ptr, inj.len, NULL), 0);
        assert_int_equal(utf8_chars(r.text, r.len), utf8_chars(inj.ptr, inj.len));
        if (survivor(r.text, r.len))
            fail_msg("row %d: personal data survived: %s", rows, r.text);
        assert_true(r.count >= 3);
        /* what was not personal data is published unchanged */
        if (row_findings == 0)
            assert_true(strncmp(r.text, fact, strlen(fact)) == 0);
        zf_redact_result_free(&r);
        zf_buf_free(&inj);
        for (i = 0; i < n; i++)
            free(fields[i]);
    }
    printf("  [ info ] %d reference facts masked, %d findings in the raw facts\n", rows,
           raw_findings);
    assert_true(rows >= 100);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_finding_offsets),
        cmocka_unit_test(test_custom_rules),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_validators),
        cmocka_unit_test(test_survivor_checker),
        cmocka_unit_test(test_reference_penalties),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
