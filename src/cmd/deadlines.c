/* deadlines.c — `zhifa deadlines [--dept CODE] [--state STATE]`: the open
 * statutory clocks (期限), soonest due first, with their state today. */
#include "cmd/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/calendar_store.h"

static const char USAGE[] =
    "用法：zhifa deadlines [--dept CODE] [--state STATE] [--data DIR]\n"
    "\n"
    "列出未完成的法定期限（按到期日排序）：编号、部门、期限规则、对象、起算日、到期日、\n"
    "剩余天数（按期限种类：工作日或自然日）和今日状态。\n"
    "\n"
    "选项：\n"
    "  --dept CODE     只列出该部门（部门代码，例如 SCJGJ）\n"
    "  --state STATE   只列出该状态：on-time 未到期、due-soon 即将到期（剩余不超过 1 个工作日）、\n"
    "                  overdue 已逾期、paused 已中止\n"
    "  --data DIR      数据目录（也可用环境变量 ZHIFA_DATA）\n"
    "  -h, --help      显示本帮助\n";

static int dept_lookup(zf_db *db, int64_t *out, const char *code, int by_id, char *code_out,
                       size_t cap, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, db,
                            by_id ? "SELECT id, code FROM departments WHERE id = $1"
                                  : "SELECT id, code FROM departments WHERE code = $1",
                            err)) < 0)
        return rc;
    if (by_id)
        zf_stmt_bind_int64(st, 1, *out);
    else
        zf_stmt_bind_text(st, 1, code, -1);
    rc = zf_stmt_step(st, err);
    if (rc == 1) {
        *out = zf_stmt_int64(st, 0);
        if (code_out)
            snprintf(code_out, cap, "%s", zf_stmt_text(st, 1));
    }
    zf_stmt_free(st);
    return rc;
}

int zf_cmd_deadlines(int argc, char **argv)
{
    const char *data_flag = NULL, *dept = NULL, *state = NULL;
    zf_clock_filter filter = ZF_CLOCK_FILTER_INIT;
    zf_clock_row *rows = NULL;
    zf_calendar *cal = NULL;
    zf_err err = ZF_ERR_INIT;
    zf_db *db = NULL;
    zf_date today;
    size_t n = 0;
    int i, rc;

    if (zf_cmd_wants_help(argc, argv)) {
        fputs(USAGE, stdout);
        return 0;
    }
    for (i = 1; i < argc; i++) {
        const char **slot = strcmp(argv[i], "--data") == 0    ? &data_flag
                            : strcmp(argv[i], "--dept") == 0  ? &dept
                            : strcmp(argv[i], "--state") == 0 ? &state
                                                              : NULL;
        if (!slot)
            return zf_cmd_usage_error("deadlines", "无法识别的参数 %s", argv[i]);
        if (i + 1 >= argc || !argv[i + 1][0])
            return zf_cmd_usage_error("deadlines", "%s 需要一个值", argv[i]);
        *slot = argv[++i];
    }
    if (state) {
        zf_clock_state s;
        if (zf_clock_state_parse(&s, state, &err) < 0 || s == ZF_CLOCK_DONE_ON_TIME ||
            s == ZF_CLOCK_DONE_LATE)
            return zf_cmd_usage_error("deadlines", "状态 %s 无效：应为 on-time、due-soon、overdue 或 paused",
                                      state);
        filter.state = (int)s;
    }
    if (!zf_cmd_data_dir(data_flag))
        return zf_cmd_usage_error("deadlines", "未指定数据目录：请使用 --data DIR 或设置 ZHIFA_DATA");
    if ((rc = zf_cmd_open_db(&db, zf_cmd_data_dir(data_flag), &err)) < 0)
        return zf_cmd_fail(&err);
    if (dept) {
        rc = dept_lookup(db, &filter.department_id, dept, 0, NULL, 0, &err);
        if (rc == 0) {
            zf_db_close(db);
            return zf_cmd_usage_error("deadlines", "部门代码 %s 不存在", dept);
        }
        if (rc < 0)
            goto fail;
    }
    today = zf_calendar_store_today(zf_cmd_now());
    if ((rc = zf_calendar_store_load(&cal, db, &err)) < 0 ||
        (rc = zf_clock_store_list_open(&rows, &n, db, cal, &filter, today, &err)) < 0)
        goto fail;
    printf("编号\t部门\t期限规则\t对象\t起算日\t到期日\t剩余天数\t状态\n");
    for (size_t k = 0; k < n; k++) {
        const zf_clock *c = &rows[k].clock;
        char code[64] = "?", sd[ZF_DATE_STRLEN], dd[ZF_DATE_STRLEN] = "—", left_s[48] = "—";
        int64_t did = rows[k].department_id;
        int left;

        if (dept_lookup(db, &did, NULL, 1, code, sizeof code, &err) < 0)
            goto fail;
        if (c->due != ZF_DATE_NONE) {
            zf_date_format(dd, c->due);
            /* in the clock's own unit: a calendar-day clock (行政处罚法
             * 第六十条's 90 日) counts 日, not 工作日; negative when overdue */
            if (c->rule.kind == ZF_RULE_CALENDAR_DAYS)
                snprintf(left_s, sizeof left_s, "%d（自然日）", (int)(c->due - today));
            else if (zf_clock_workdays_left(&left, c, cal, today, NULL) == 0)
                snprintf(left_s, sizeof left_s, "%d（工作日）", left);
        }
        printf("%lld\t%s\t%s\t%s/%lld\t%s\t%s\t%s\t%s\n", (long long)rows[k].id, code, c->rule.name,
               rows[k].object_type, (long long)rows[k].object_id, zf_date_format(sd, c->start), dd,
               left_s, zf_clock_state_label(zf_clock_state_at(c, cal, today, -1)));
    }
    free(rows);
    zf_calendar_free(cal);
    zf_db_close(db);
    return 0;
fail:
    free(rows);
    zf_calendar_free(cal);
    zf_db_close(db);
    return zf_cmd_fail(&err);
}
