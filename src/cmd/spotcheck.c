/* spotcheck.c — `zhifa spotcheck redraw`: re-runs a 双随机 draw from the data
 * it was committed with and prints the same selection, so that anyone can
 * check it (docs/spotcheck.md).
 *
 *   zhifa spotcheck redraw PLAN_ID [--data DIR]   from the database
 *   zhifa spotcheck redraw --file RECORD.json      from the public record
 *                                                  (GET /api/v1/spotchecks/{id}/verification)
 *
 * Either way it recomputes the pool hashes and the seed commitment, runs the
 * draw of core/spotcheck.h, prints one line per selected entity ("credit
 * code TAB certificate numbers"), and compares everything with what was
 * recorded; from the database also the ledger: the seed's event must come
 * before the draw's and carry the commitment as its content hash. Exit 0
 * when all matches, 1 when anything differs. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/spotcheck.h"
#include "ledger/sm3.h"
#include "store/spot_store.h"
#include "util/mem.h"

static const char USAGE[] =
    "用法：zhifa spotcheck redraw 计划编号 [--data DIR]\n"
    "      zhifa spotcheck redraw --file 核验数据.json\n"
    "\n"
    "按公开的算法重新计算“双随机”抽取结果，逐行输出“统一社会信用代码<TAB>检查人员执法证号”，\n"
    "并与记录的结果、名录库摘要、种子承诺（以及台账中的种子记录）核对。核验数据可从门户的\n"
    "抽查计划页面或 /api/v1/spotchecks/{编号}/verification 下载。\n"
    "\n"
    "选项：\n"
    "  --data DIR   数据目录（也可用环境变量 ZHIFA_DATA）\n"
    "  --file FILE  从核验数据文件重新计算，不需要数据库\n"
    "  --quiet      只输出核对结论\n"
    "  -h, --help   显示本帮助\n"
    "\n"
    "全部一致时退出码为 0，有不一致时为 1，用法错误为 2。\n";

/* Runs the draw of in, prints it, and compares the lines with want (NULL:
 * nothing to compare) and the hash with want_hash. Returns the number of
 * differences, or -1 on an error (printed). */
static int redraw(const zf_spot_input *in, json_t *want, const char *want_hash, int quiet)
{
    zf_spot_draw d = ZF_SPOT_DRAW_INIT;
    zf_err err = ZF_ERR_INIT;
    char hash[65];
    size_t i;
    int k, diff = 0;

    if (zf_spot_draw_run(&d, in, &err) < 0 || zf_spot_selection_hash(hash, &d, in, &err) < 0) {
        zf_spot_draw_free(&d);
        zf_cmd_fail(&err);
        return -1;
    }
    for (i = 0; i < d.n; i++) {
        char line[1024];
        size_t len = (size_t)snprintf(line, sizeof line, "%s", in->entities[d.entity[i]]);
        json_t *w = want ? json_array_get(want, i) : NULL;

        for (k = 0; k < d.per_entity && len < sizeof line; k++)
            len += (size_t)snprintf(line + len, sizeof line - len, "%s%s", k ? "," : "\t",
                                    in->inspectors[d.inspector[i * (size_t)d.per_entity + (size_t)k]]);
        if (!quiet)
            printf("%s\n", line);
        if (want && (!w || strcmp(json_string_value(w) ? json_string_value(w) : "", line) != 0)) {
            fprintf(stderr, "zhifa: 第 %zu 户与记录不一致（记录为 %s）\n", i + 1,
                    json_string_value(w) ? json_string_value(w) : "无");
            diff++;
        }
    }
    if (want && json_array_size(want) != d.n) {
        fprintf(stderr, "zhifa: 抽中 %zu 户，记录为 %zu 户\n", d.n, json_array_size(want));
        diff++;
    }
    if (!quiet)
        printf("抽取结果摘要 %s\n", hash);
    if (want_hash && strcmp(want_hash, hash) != 0) {
        fprintf(stderr, "zhifa: 抽取结果摘要与记录不一致（记录为 %s）\n", want_hash);
        diff++;
    }
    zf_spot_draw_free(&d);
    return diff;
}

static int check_eq(const char *what, const char *got, const char *want)
{
    if (want && strcmp(got, want) == 0)
        return 0;
    fprintf(stderr, "zhifa: %s不一致：计算得 %s，记录为 %s\n", what, got, want ? want : "无");
    return 1;
}

static int from_db(const char *data_dir, int64_t plan, int quiet)
{
    zf_spot_inputs p;
    zf_err err = ZF_ERR_INIT;
    zf_db *db = NULL;
    zf_stmt *st = NULL;
    json_t *want = json_array();
    char seed_hex[65], commit[65], sel_hash[65] = "", ledger_hash[65] = "";
    int64_t seed_idx = -1, draw_idx = -1;
    int rc, diff = 0;

    memset(&p, 0, sizeof p);
    if ((rc = zf_cmd_open_db(&db, data_dir, &err)) < 0 ||
        (rc = zf_spot_inputs_load(&p, db, plan, &err)) < 0)
        goto fail;
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT COALESCE(selection_hash, ''), COALESCE(seed_ledger_idx, -1), "
                            "COALESCE(draw_ledger_idx, -1) FROM spot_plans WHERE id = $1",
                            &err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, plan);
    if ((rc = zf_stmt_step(st, &err)) == 1) {
        snprintf(sel_hash, sizeof sel_hash, "%s", zf_stmt_text(st, 0));
        seed_idx = zf_stmt_int64(st, 1);
        draw_idx = zf_stmt_int64(st, 2);
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto fail;
    /* the recorded selection, as lines (assembled here: no GROUP_CONCAT /
     * string_agg, which differ between SQLite and PostgreSQL) */
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT s.id, e.credit_code, o.certificate_no FROM spot_selections s "
                            "JOIN spot_entities e ON e.id = s.entity_id JOIN spot_selection_inspectors i "
                            "ON i.selection_id = s.id JOIN spot_inspectors o ON o.plan_id = s.plan_id "
                            "AND o.officer_id = i.officer_id WHERE s.plan_id = $1 "
                            "ORDER BY s.draw_order, i.seq",
                            &err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, plan);
    {
        int64_t last = -1;
        char line[1024] = "";
        size_t len = 0;

        while ((rc = zf_stmt_step(st, &err)) == 1) {
            if (zf_stmt_int64(st, 0) != last) {
                if (last >= 0)
                    json_array_append_new(want, json_string(line));
                last = zf_stmt_int64(st, 0);
                len = (size_t)snprintf(line, sizeof line, "%s\t%s", zf_stmt_text(st, 1),
                                       zf_stmt_text(st, 2));
            } else if (len < sizeof line) {
                len += (size_t)snprintf(line + len, sizeof line - len, ",%s", zf_stmt_text(st, 2));
            }
        }
        if (last >= 0)
            json_array_append_new(want, json_string(line));
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto fail;
    /* the seed commitment, recomputed, against the plan and the ledger */
    zf_hex_encode(seed_hex, p.seed, ZF_SPOT_SEED_LEN);
    if ((rc = zf_spot_commitment(commit, plan, seed_hex, p.in.n_entities, p.pool_hash,
                                 p.in.n_inspectors, p.inspector_hash, p.in.n_conflicts,
                                 p.conflict_hash, p.in.ratio_permille, p.in.per_entity, &err)) < 0)
        goto fail;
    diff += check_eq("种子承诺", commit, p.commitment);
    if ((rc = zf_db_prepare(&st, db,
                            "SELECT content_sha256 FROM ledger_events WHERE idx = $1 AND "
                            "action = 'spotcheck_seed'",
                            &err)) < 0)
        goto fail;
    zf_stmt_bind_int64(st, 1, seed_idx);
    if ((rc = zf_stmt_step(st, &err)) == 1)
        snprintf(ledger_hash, sizeof ledger_hash, "%s", zf_stmt_text(st, 0));
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto fail;
    diff += check_eq("台账种子记录的内容摘要", commit, ledger_hash[0] ? ledger_hash : NULL);
    if (draw_idx >= 0 && !(seed_idx >= 0 && seed_idx < draw_idx)) {
        fprintf(stderr, "zhifa: 台账中的种子记录（%lld）不在抽取记录（%lld）之前\n",
                (long long)seed_idx, (long long)draw_idx);
        diff++;
    }
    if (!quiet)
        printf("计划 %lld：名录库 %zu 户，检查人员 %zu 人，种子 %s，台账种子记录 %lld，抽取记录 %lld\n",
               (long long)plan, p.in.n_entities, p.in.n_inspectors, seed_hex, (long long)seed_idx,
               (long long)draw_idx);
    if ((rc = redraw(&p.in, draw_idx >= 0 ? want : NULL, sel_hash[0] ? sel_hash : NULL, quiet)) < 0)
        goto out;
    diff += rc;
    printf("%s\n", diff ? "不一致" : "一致");
    rc = diff ? 1 : 0;
    goto out;
fail:
    rc = zf_cmd_fail(&err);
out:
    zf_stmt_free(st);
    json_decref(want);
    zf_spot_inputs_free(&p);
    zf_db_close(db);
    return rc;
}

static const char *str(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));

    return v ? v : "";
}

typedef struct keyed {
    const char *key;
    const json_t *row;
} keyed;

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Two strings (credit code, certificate number) at a time. */
static int pair_cmp(const void *a, const void *b)
{
    const char *const *x = a, *const *y = b;
    int c = strcmp(x[0], y[0]);

    return c ? c : strcmp(x[1], y[1]);
}

static int keyed_cmp(const void *a, const void *b)
{
    return strcmp(((const keyed *)a)->key, ((const keyed *)b)->key);
}

/* Sorted keys and the pool hash of an array of objects over fields. */
static void sorted_pool(const char ***out_keys, char hash[65], const json_t *arr,
                        const char *const *fields, size_t nf)
{
    size_t n = json_array_size(arr), i, f;
    keyed *k = zf_calloc(n ? n : 1, sizeof *k);
    const char **flat = zf_calloc((n ? n : 1) * nf, sizeof *flat);

    *out_keys = zf_calloc(n ? n : 1, sizeof **out_keys);
    for (i = 0; i < n; i++) {
        k[i].row = json_array_get(arr, i);
        k[i].key = str(k[i].row, fields[0]);
    }
    qsort(k, n, sizeof *k, keyed_cmp);
    for (i = 0; i < n; i++) {
        (*out_keys)[i] = k[i].key;
        for (f = 0; f < nf; f++)
            flat[i * nf + f] = str(k[i].row, fields[f]);
    }
    if (zf_spot_pool_hash(hash, flat, n, nf, NULL) < 0)
        hash[0] = 0;
    free(flat);
    free(k);
}

static int from_file(const char *path, int quiet)
{
    static const char *const EF[] = {"credit_code", "name", "address", "category"};
    static const char *const IF[] = {"certificate_no", "name"};
    json_error_t jerr;
    json_t *rec = json_load_file(path, 0, &jerr), *want = json_array(), *it;
    const char **ents = NULL, **ins = NULL, **cpairs = NULL;
    size_t *conf = NULL, nconf = 0;
    char ph[65], ih[65], ch[65], commit[65];
    uint8_t seed[ZF_SPOT_SEED_LEN];
    zf_spot_input in = {0};
    zf_err err = ZF_ERR_INIT;
    size_t i, k;
    int rc = 1, diff = 0;

    if (!rec || !json_is_object(rec)) {
        fprintf(stderr, "zhifa: 无法读取核验数据 %s：%s\n", path, rec ? "不是 JSON 对象" : jerr.text);
        goto out;
    }
    if (zf_spot_seed_parse(seed, str(rec, "seed"), &err) < 0) {
        rc = zf_cmd_fail(&err);
        goto out;
    }
    sorted_pool(&ents, ph, json_object_get(rec, "entities"), EF, 4);
    sorted_pool(&ins, ih, json_object_get(rec, "inspectors"), IF, 2);
    in.seed = seed;
    in.entities = ents;
    in.n_entities = json_array_size(json_object_get(rec, "entities"));
    in.inspectors = ins;
    in.n_inspectors = json_array_size(json_object_get(rec, "inspectors"));
    in.ratio_permille = (int)json_integer_value(json_object_get(rec, "ratio_permille"));
    in.per_entity = (int)json_integer_value(json_object_get(rec, "inspectors_per_entity"));
    /* conflicts of interest: pairs of pool members, hashed in byte order */
    nconf = json_array_size(json_object_get(rec, "conflicts"));
    cpairs = zf_calloc(2 * (nconf ? nconf : 1), sizeof *cpairs);
    conf = zf_calloc(2 * (nconf ? nconf : 1), sizeof *conf);
    json_array_foreach(json_object_get(rec, "conflicts"), i, it) {
        cpairs[2 * i] = str(it, "credit_code");
        cpairs[2 * i + 1] = str(it, "certificate_no");
    }
    if (nconf)
        qsort(cpairs, nconf, 2 * sizeof *cpairs, pair_cmp);
    for (i = 0; i < nconf; i++) {
        const char **e = bsearch(&cpairs[2 * i], ents, in.n_entities, sizeof *ents, str_cmp);
        const char **o = bsearch(&cpairs[2 * i + 1], ins, in.n_inspectors, sizeof *ins, str_cmp);

        if (!e || !o) {
            fprintf(stderr, "zhifa: 回避关系 %s / %s 不在名录库中\n", cpairs[2 * i], cpairs[2 * i + 1]);
            goto out;
        }
        conf[2 * i] = (size_t)(e - ents);
        conf[2 * i + 1] = (size_t)(o - ins);
    }
    in.conflicts = conf;
    in.n_conflicts = nconf;
    if (zf_spot_pool_hash(ch, cpairs, nconf, 2, &err) < 0) {
        rc = zf_cmd_fail(&err);
        goto out;
    }
    diff += check_eq("检查对象名录库摘要", ph, str(rec, "pool_hash"));
    diff += check_eq("检查人员名录库摘要", ih, str(rec, "inspector_pool_hash"));
    if (zf_spot_commitment(commit, (int64_t)json_integer_value(json_object_get(rec, "plan_id")),
                           str(rec, "seed"), in.n_entities, ph, in.n_inspectors, ih, nconf, ch,
                           in.ratio_permille, in.per_entity, &err) < 0) {
        rc = zf_cmd_fail(&err);
        goto out;
    }
    diff += check_eq("种子承诺", commit, str(rec, "commitment"));
    json_array_foreach(json_object_get(rec, "selection"), i, it) {
        char line[1024];
        size_t len = (size_t)snprintf(line, sizeof line, "%s", str(it, "credit_code"));

        for (k = 0; k < json_array_size(json_object_get(it, "inspectors")) && len < sizeof line; k++)
            len += (size_t)snprintf(line + len, sizeof line - len, "%s%s", k ? "," : "\t",
                                    json_string_value(json_array_get(json_object_get(it, "inspectors"), k))
                                        ? json_string_value(json_array_get(json_object_get(it, "inspectors"), k))
                                        : "");
        json_array_append_new(want, json_string(line));
    }
    if ((rc = redraw(&in, want, str(rec, "selection_hash")[0] ? str(rec, "selection_hash") : NULL,
                     quiet)) < 0) {
        rc = 1;
        goto out;
    }
    diff += rc;
    printf("%s\n", diff ? "不一致" : "一致");
    rc = diff ? 1 : 0;
out:
    free(ents);
    free(ins);
    free(cpairs);
    free(conf);
    json_decref(want);
    json_decref(rec);
    return rc;
}

int zf_cmd_spotcheck(int argc, char **argv)
{
    const char *data_flag = NULL, *file = NULL, *plan_s = NULL;
    int i, quiet = 0;
    char *end = NULL;
    long long plan;

    if (zf_cmd_wants_help(argc, argv) || argc < 2) {
        fputs(USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "redraw") != 0)
        return zf_cmd_usage_error("spotcheck", "未知的子命令 %s（应为 redraw）", argv[1]);
    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--quiet") == 0) {
            quiet = 1;
        } else if (strcmp(argv[i], "--data") == 0 || strcmp(argv[i], "--file") == 0) {
            if (i + 1 >= argc || !argv[i + 1][0])
                return zf_cmd_usage_error("spotcheck", "%s 需要一个值", argv[i]);
            *(argv[i][2] == 'd' ? &data_flag : &file) = argv[i + 1];
            i++;
        } else if (argv[i][0] != '-' && !plan_s) {
            plan_s = argv[i];
        } else {
            return zf_cmd_usage_error("spotcheck", "无法识别的参数 %s", argv[i]);
        }
    }
    if (file)
        return plan_s ? zf_cmd_usage_error("spotcheck", "--file 与计划编号不能同时使用")
                      : from_file(file, quiet);
    if (!plan_s || (plan = strtoll(plan_s, &end, 10)) <= 0 || *end)
        return zf_cmd_usage_error("spotcheck", "需要一个抽查计划编号（正整数）");
    if (!zf_cmd_data_dir(data_flag))
        return zf_cmd_usage_error("spotcheck", "未指定数据目录：请使用 --data DIR 或设置 ZHIFA_DATA");
    return from_db(zf_cmd_data_dir(data_flag), (int64_t)plan, quiet);
}
