/* test_spotcheck.c — the random draw of 双随机 (core/spotcheck.h): a known
 * answer computed by the independent Python re-check
 * (scripts/spotcheck_recheck.py), same seed → same draw, another seed →
 * another draw, the ratio, rounding, empty pools, pairs, bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/spotcheck.h"
#include "core/spotpool.h"

#define MAXN 2000

static char ent_buf[MAXN][24], ins_buf[64][16];
static const char *ents[MAXN], *ins[64];

static void pools(size_t n, size_t m)
{
    size_t i;

    for (i = 0; i < n; i++) {
        snprintf(ent_buf[i], sizeof ent_buf[i], "91%016zu", i);
        ents[i] = ent_buf[i];
    }
    for (i = 0; i < m; i++) {
        snprintf(ins_buf[i], sizeof ins_buf[i], "C%03zu", i);
        ins[i] = ins_buf[i];
    }
}

static zf_spot_input input(const uint8_t *seed, size_t n, size_t m, int permille, int k)
{
    zf_spot_input in = {seed, ents, n, ins, m, permille, k, NULL, 0};

    pools(n, m);
    return in;
}

static void seed_of(uint8_t *seed, int base)
{
    int i;

    for (i = 0; i < ZF_SPOT_SEED_LEN; i++)
        seed[i] = (uint8_t)(base + i);
}

static void test_known_answer(void **state)
{
    /* python3: draw(bytes(range(32)), 20 entities, 6 inspectors, 250, 2) */
    static const size_t want_e[] = {6, 15, 4, 17, 13};
    static const size_t want_i[] = {4, 0, 3, 0, 0, 5, 0, 1, 1, 4};
    uint8_t seed[ZF_SPOT_SEED_LEN];
    zf_spot_draw d = ZF_SPOT_DRAW_INIT;
    zf_spot_input in;
    zf_err err = ZF_ERR_INIT;
    size_t i;

    (void)state;
    seed_of(seed, 0);
    in = input(seed, 20, 6, 250, 2);
    assert_int_equal(zf_spot_draw_run(&d, &in, &err), 0);
    assert_int_equal(d.n, 5);
    for (i = 0; i < 5; i++)
        assert_int_equal(d.entity[i], want_e[i]);
    for (i = 0; i < 10; i++)
        assert_int_equal(d.inspector[i], want_i[i]);
    assert_int_equal(d.repeated_pairs, 0);
    zf_spot_draw_free(&d);
}

static void test_same_and_different_seed(void **state)
{
    uint8_t s1[ZF_SPOT_SEED_LEN], s2[ZF_SPOT_SEED_LEN];
    zf_spot_draw a = ZF_SPOT_DRAW_INIT, b = ZF_SPOT_DRAW_INIT, c = ZF_SPOT_DRAW_INIT;
    zf_spot_input in;
    char ha[65], hb[65], hc[65];

    (void)state;
    seed_of(s1, 7);
    seed_of(s2, 7);
    s2[31] ^= 1; /* one bit apart */
    in = input(s1, 500, 12, 100, 2);
    assert_int_equal(zf_spot_draw_run(&a, &in, NULL), 0);
    assert_int_equal(zf_spot_draw_run(&b, &in, NULL), 0);
    assert_int_equal(zf_spot_selection_hash(ha, &a, &in, NULL), 0);
    assert_int_equal(zf_spot_selection_hash(hb, &b, &in, NULL), 0);
    assert_string_equal(ha, hb);
    assert_memory_equal(a.entity, b.entity, a.n * sizeof *a.entity);
    in.seed = s2;
    assert_int_equal(zf_spot_draw_run(&c, &in, NULL), 0);
    assert_int_equal(zf_spot_selection_hash(hc, &c, &in, NULL), 0);
    assert_string_not_equal(ha, hc);
    assert_int_equal(a.n, c.n);
    assert_true(memcmp(a.entity, c.entity, a.n * sizeof *a.entity) != 0);
    zf_spot_draw_free(&a);
    zf_spot_draw_free(&b);
    zf_spot_draw_free(&c);
}

static void test_ratio_and_rounding(void **state)
{
    static const struct {
        size_t pool;
        int permille;
        size_t want;
    } cases[] = {
        {0, 50, 0},      {1, 1, 1},       {19, 50, 1},   {20, 50, 1},  {21, 50, 2},
        {100, 50, 5},    {101, 50, 6},    {1000, 3, 3},  {7, 1000, 7}, {3, 999, 3},
        {1999, 500, 1000}, {2000, 500, 1000},
    };
    uint8_t seed[ZF_SPOT_SEED_LEN];
    size_t i, j;

    (void)state;
    seed_of(seed, 3);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zf_spot_draw d = ZF_SPOT_DRAW_INIT;
        zf_spot_input in = input(seed, cases[i].pool, 10, cases[i].permille, 2);
        char *seen = calloc(cases[i].pool + 1, 1);

        assert_int_equal(zf_spot_count(cases[i].pool, cases[i].permille), cases[i].want);
        assert_int_equal(zf_spot_draw_run(&d, &in, NULL), 0);
        assert_int_equal(d.n, cases[i].want);
        /* at least the ratio, and each entity at most once */
        assert_true(d.n * 1000 >= cases[i].pool * (size_t)cases[i].permille);
        for (j = 0; j < d.n; j++) {
            assert_true(d.entity[j] < cases[i].pool);
            assert_false(seen[d.entity[j]]);
            seen[d.entity[j]] = 1;
            assert_int_not_equal(d.inspector[2 * j], d.inspector[2 * j + 1]);
        }
        free(seen);
        zf_spot_draw_free(&d);
    }
}

static void test_every_entity_can_be_drawn(void **state)
{
    /* 200 seeds over a pool of 10 at 10 %: every member is drawn sometime,
     * none far more often than the others (uniformity, roughly) */
    int hits[10] = {0}, s, i;

    (void)state;
    for (s = 0; s < 200; s++) {
        uint8_t seed[ZF_SPOT_SEED_LEN];
        zf_spot_draw d = ZF_SPOT_DRAW_INIT;
        zf_spot_input in;

        seed_of(seed, s);
        in = input(seed, 10, 3, 100, 1);
        assert_int_equal(zf_spot_draw_run(&d, &in, NULL), 0);
        assert_int_equal(d.n, 1);
        hits[d.entity[0]]++;
        zf_spot_draw_free(&d);
    }
    for (i = 0; i < 10; i++)
        assert_true(hits[i] >= 5 && hits[i] <= 45);
}

static int pair_eq(const size_t *a, const size_t *b)
{
    return (a[0] == b[0] && a[1] == b[1]) || (a[0] == b[1] && a[1] == b[0]);
}

static void test_pairs(void **state)
{
    uint8_t seed[ZF_SPOT_SEED_LEN];
    zf_spot_draw d = ZF_SPOT_DRAW_INIT;
    zf_spot_input in;
    size_t i, j;

    (void)state;
    seed_of(seed, 11);
    /* 6 inspectors make 15 pairs: 15 entities get 15 different pairs */
    in = input(seed, 15, 6, 1000, 2);
    assert_int_equal(zf_spot_draw_run(&d, &in, NULL), 0);
    assert_int_equal(d.n, 15);
    assert_int_equal(d.repeated_pairs, 0);
    for (i = 0; i < d.n; i++)
        for (j = i + 1; j < d.n; j++)
            assert_false(pair_eq(d.inspector + 2 * i, d.inspector + 2 * j));
    zf_spot_draw_free(&d);
    /* 16 entities: one must repeat a pair, and says so */
    in = input(seed, 16, 6, 1000, 2);
    assert_int_equal(zf_spot_draw_run(&d, &in, NULL), 0);
    assert_int_equal(d.repeated_pairs, 1);
    zf_spot_draw_free(&d);
}

static void test_conflicts_of_interest(void **state)
{
    /* python3: draw(bytes(range(5, 37)), 12 entities, 5 inspectors, 500, 2,
     * conflicts) — the known answer with conflicts */
    uint8_t seed[ZF_SPOT_SEED_LEN];
    zf_spot_draw d = ZF_SPOT_DRAW_INIT, free_draw = ZF_SPOT_DRAW_INIT;
    zf_spot_input in;
    zf_err err = ZF_ERR_INIT;
    size_t conf[2 * 12 + 2], i, n = 0;
    int k;

    (void)state;
    seed_of(seed, 5);
    in = input(seed, 12, 5, 500, 2);
    /* inspector 0 must inspect no entity; inspector 1 not entity 3 */
    for (i = 0; i < 12; i++) {
        conf[2 * n] = i;
        conf[2 * n + 1] = 0;
        n++;
    }
    conf[2 * n] = 3;
    conf[2 * n + 1] = 1;
    n++;
    assert_int_equal(zf_spot_draw_run(&free_draw, &in, NULL), 0);
    in.conflicts = conf;
    in.n_conflicts = n;
    assert_int_equal(zf_spot_draw_run(&d, &in, &err), 0);
    assert_int_equal(d.n, 6);
    /* the entities drawn do not depend on the conflicts */
    assert_memory_equal(d.entity, free_draw.entity, d.n * sizeof *d.entity);
    for (i = 0; i < d.n; i++)
        for (k = 0; k < 2; k++) {
            size_t who = d.inspector[2 * i + (size_t)k];

            assert_int_not_equal(who, 0);
            assert_false(d.entity[i] == 3 && who == 1);
        }
    {
        static const size_t want_e[] = {4, 10, 1, 0, 6, 3};
        static const size_t want_i[] = {3, 4, 1, 2, 2, 3, 4, 2, 3, 1, 4, 3};

        for (i = 0; i < d.n; i++)
            assert_int_equal(d.entity[i], want_e[i]);
        for (i = 0; i < 2 * d.n; i++)
            assert_int_equal(d.inspector[i], want_i[i]);
    }
    zf_spot_draw_free(&d);
    zf_spot_draw_free(&free_draw);
    /* too many conflicts: fewer than k eligible for a drawn entity */
    in = input(seed, 12, 2, 1000, 2);
    conf[0] = 4;
    conf[1] = 1;
    in.conflicts = conf;
    in.n_conflicts = 1;
    assert_int_equal(zf_spot_draw_run(&d, &in, &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "not_enough_inspectors");
    zf_spot_draw_free(&d);
    /* a conflict naming no member */
    in = input(seed, 12, 5, 500, 2);
    conf[0] = 12;
    in.conflicts = conf;
    in.n_conflicts = 1;
    assert_int_equal(zf_spot_draw_run(&d, &in, &err), ZF_EINVAL);
    zf_spot_draw_free(&d);
}

static void test_bad_input(void **state)
{
    uint8_t seed[ZF_SPOT_SEED_LEN], parsed[ZF_SPOT_SEED_LEN];
    zf_spot_draw d = ZF_SPOT_DRAW_INIT;
    zf_spot_input in;
    zf_err err = ZF_ERR_INIT;
    const char *unsorted[] = {"B", "A"}, *dup[] = {"A", "A"};

    (void)state;
    seed_of(seed, 1);
    in = input(seed, 10, 5, 0, 2);
    assert_int_equal(zf_spot_draw_run(&d, &in, &err), ZF_EINVAL);
    assert_string_equal(err.field, "ratio_permille");
    in.ratio_permille = 1001;
    assert_int_equal(zf_spot_draw_run(&d, &in, &err), ZF_EINVAL);
    in.ratio_permille = 100;
    in.per_entity = 0;
    assert_int_equal(zf_spot_draw_run(&d, &in, &err), ZF_EINVAL);
    assert_string_equal(err.field, "inspectors_per_entity");
    in.per_entity = 6;
    assert_int_equal(zf_spot_draw_run(&d, &in, &err), ZF_EINVAL);
    in.per_entity = 2;
    in.entities = unsorted;
    in.n_entities = 2;
    assert_int_equal(zf_spot_draw_run(&d, &in, &err), ZF_EINVAL);
    assert_string_equal(err.field, "entities");
    in.entities = dup;
    assert_int_equal(zf_spot_draw_run(&d, &in, &err), ZF_EINVAL);
    /* too few inspectors: refused when entities are drawn ... */
    in = input(seed, 10, 1, 100, 2);
    assert_int_equal(zf_spot_draw_run(&d, &in, &err), ZF_ECONFLICT);
    assert_string_equal(err.code, "not_enough_inspectors");
    /* ... but an empty pool gives an empty draw */
    in = input(seed, 0, 0, 100, 2);
    assert_int_equal(zf_spot_draw_run(&d, &in, &err), 0);
    assert_int_equal(d.n, 0);
    zf_spot_draw_free(&d);
    /* seeds */
    assert_int_equal(zf_spot_seed_parse(parsed, "00", &err), ZF_EINVAL);
    assert_int_equal(zf_spot_seed_parse(parsed, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1F", &err), ZF_EINVAL);
    assert_int_equal(zf_spot_seed_parse(parsed, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", &err), 0);
    seed_of(seed, 0);
    assert_memory_equal(parsed, seed, ZF_SPOT_SEED_LEN);
}

static void test_hashes(void **state)
{
    const char *rows[] = {"91A", "甲公司", "地址", "餐饮", "91B", "乙公司", "", ""};
    char h[65], c1[65], c2[65];

    (void)state;
    /* python3: sha256(b"91A\t甲公司\t地址\t餐饮\n91B\t乙公司\t\t\n") */
    assert_int_equal(zf_spot_pool_hash(h, rows, 2, 4, NULL), 0);
    assert_string_equal(h, "791ee385118a8854d91ff8189068db599d2c084ef880784921b70910be145bc6");
    assert_int_equal(zf_spot_commitment(c1, 7, "00", 2, h, 3, h, 0, h, 50, 2, NULL), 0);
    assert_int_equal(zf_spot_commitment(c2, 7, "00", 2, h, 3, h, 0, h, 51, 2, NULL), 0);
    assert_string_not_equal(c1, c2);
    assert_int_equal(zf_spot_commitment(c2, 7, "00", 2, h, 3, h, 1, h, 50, 2, NULL), 0);
    assert_string_not_equal(c1, c2);
    assert_int_equal(strlen(c1), 64);
}

static void test_pool_csv(void **state)
{
    static const char csv[] =
        "\xEF\xBB\xBF名称,统一社会信用代码,地址,行业类别\r\n"
        "南昌甲餐饮有限公司,91360100ma35abcde2,\"东湖区\"\"八一\"\"大道\",餐饮\r\n"
        "坏代码,123,,\r\n"
        ",92360100MA35XY312N,,\r\n"
        "\"多\n行\",12360100MB1234567P,,\r\n"
        "\r\n"
        "重复,91360100MA35ABCDE2,,\r\n"
        "\"乙, 商店\",92360100MA35XY312N,西湖区,零售\r\n";
    zf_spot_pool_parse p = ZF_SPOT_POOL_PARSE_INIT;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    assert_int_equal(zf_spot_pool_parse_csv(&p, csv, sizeof csv - 1, &err), 0);
    assert_int_equal(p.n, 2);
    assert_string_equal(p.rows[0].credit_code, "91360100MA35ABCDE2"); /* upper-cased */
    assert_string_equal(p.rows[0].address, "东湖区\"八一\"大道");
    assert_string_equal(p.rows[1].name, "乙, 商店");
    assert_int_equal(p.rows[1].line, 9);
    assert_int_equal(p.n_rejected, 4);
    assert_int_equal(p.rejected[0].line, 3);
    assert_non_null(strstr(p.rejected[0].reason, "统一社会信用代码"));
    assert_int_equal(p.rejected[1].line, 4);
    assert_non_null(strstr(p.rejected[1].reason, "名称"));
    assert_int_equal(p.rejected[2].line, 5); /* the field with a line break */
    assert_int_equal(p.rejected[3].line, 8);
    assert_non_null(strstr(p.rejected[3].reason, "重复"));
    zf_spot_pool_parse_free(&p);
    /* file-level refusals */
    assert_int_equal(zf_spot_pool_parse_csv(&p, "a,b\n1,2\n", 8, &err), ZF_EINVAL);
    assert_non_null(strstr(err.message, "统一社会信用代码"));
    zf_spot_pool_parse_free(&p);
    assert_int_equal(zf_spot_pool_parse_csv(&p, "\xff\xfe,\n", 4, &err), ZF_EINVAL);
    assert_string_equal(err.code, "invalid_utf8");
    assert_int_equal(zf_spot_pool_parse_csv(&p, "名称,统一社会信用代码\n\"x,1\n", 30, &err), ZF_EINVAL);
    zf_spot_pool_parse_free(&p);
    assert_int_equal(zf_spot_pool_parse_csv(&p, "", 0, &err), ZF_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answer),
        cmocka_unit_test(test_same_and_different_seed),
        cmocka_unit_test(test_ratio_and_rounding),
        cmocka_unit_test(test_every_entity_can_be_drawn),
        cmocka_unit_test(test_pairs),
        cmocka_unit_test(test_conflicts_of_interest),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_hashes),
        cmocka_unit_test(test_pool_csv),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
