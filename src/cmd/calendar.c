/* calendar.c — `zhifa calendar import|days|add-workdays|years`: the working-day
 * calendar from the shell.
 *
 * days, add-workdays and years work without a data directory (the shipped
 * schedules, 2019–2026); with --data DIR or ZHIFA_DATA they use the effective
 * calendar of that installation (shipped years overlaid by imported ones).
 * import needs a data directory. Bad arguments and bad files exit 2 with a
 * one-line reason; database failures exit 1. */
#include "cmd/cmd.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/calendar.h"
#include "store/calendar_store.h"
#include "util/mem.h"

static const char USAGE[] =
    "用法：zhifa calendar 子命令 [参数] [--data DIR]\n"
    "\n"
    "工作日日历：周一至周五为工作日，减去法定节假日放假日，加上调休上班日（以国务院办公厅\n"
    "每年的节假日安排通知为准）。程序内置 2019—2026 年的安排；未导入安排的年份按周一至周五计算。\n"
    "\n"
    "子命令：\n"
    "  import FILE              导入一年的节假日安排（需要数据目录）。FILE 为 holiday-cn 格式的 JSON\n"
    "                           {\"year\":2027,\"papers\":[网址...],\"days\":[{\"name\":\"元旦\",\n"
    "                           \"date\":\"2027-01-01\",\"isOffDay\":true},...]}，或每行\n"
    "                           “日期<TAB>off|work<TAB>名称”的 TSV 文本。内容相同时不作更改；内容\n"
    "                           不同则生成新版本，并重新计算受影响的未完成期限\n"
    "  days FROM TO             逐日列出 FROM 至 TO（含）：日期<TAB>workday|restday<TAB>节日名称\n"
    "                           （跨度不超过 10 年）\n"
    "  add-workdays DATE N      DATE 之后第 N 个工作日（DATE 当日不计入，民法典第二百零一条；\n"
    "                           N 为 0 至 3650 的整数，N 为 0 时即 DATE）\n"
    "  years                    列出已加载的年份、版本和来源\n"
    "\n"
    "日期格式均为 YYYY-MM-DD（例如 2025-02-03）。\n"
    "\n"
    "选项：\n"
    "  --data DIR               数据目录（也可用环境变量 ZHIFA_DATA）；不指定时 days、add-workdays、\n"
    "                           years 使用内置日历\n"
    "  -h, --help               显示本帮助\n";

#define MAX_SPAN_YEARS 10

/* Parses a command-line date; prints the reason and returns 2 on failure. */
static int arg_date(zf_date *out, const char *sub, const char *what, const char *s)
{
    zf_err err = ZF_ERR_INIT;

    if (zf_date_parse(out, s, strlen(s), what, &err) < 0)
        return zf_cmd_usage_error(sub, "%s 无效：%s", what, err.message);
    if (*out < ZF_CAL_FIRST_DATE || *out > ZF_CAL_LAST_DATE)
        return zf_cmd_usage_error(sub, "%s 超出日历支持范围（2000-01-01 至 2100-12-31）", what);
    return 0;
}

/* The effective calendar: stored when a data directory is given, else the
 * shipped one. Returns an exit code (0 = ok). */
static int open_calendar(zf_calendar **out, const char *data_dir)
{
    zf_err err = ZF_ERR_INIT;
    zf_db *db = NULL;
    int rc;

    if (!data_dir)
        rc = zf_calendar_new_builtin(out, &err);
    else if ((rc = zf_cmd_open_db(&db, data_dir, &err)) == 0)
        rc = zf_calendar_store_load(out, db, &err);
    zf_db_close(db);
    return rc < 0 ? zf_cmd_fail(&err) : 0;
}

static int cmd_days(int argc, char **argv, const char *data_dir)
{
    zf_calendar *cal = NULL;
    zf_date from, to;
    char buf[ZF_DATE_STRLEN];
    int rc;

    if (argc != 3)
        return zf_cmd_usage_error("calendar days", "需要两个参数 FROM 和 TO");
    if ((rc = arg_date(&from, "calendar days", "FROM", argv[1])) != 0 ||
        (rc = arg_date(&to, "calendar days", "TO", argv[2])) != 0)
        return rc;
    if (from > to)
        return zf_cmd_usage_error("calendar days", "FROM（%s）晚于 TO（%s）", argv[1], argv[2]);
    {
        int fy, fm, fd;
        zf_date limit;
        zf_date_to_ymd(from, &fy, &fm, &fd);
        if (fm == 2 && fd == 29)
            fd = 28;
        limit = ZF_YMD(fy + MAX_SPAN_YEARS, fm, fd);
        if (to > limit)
            return zf_cmd_usage_error("calendar days", "跨度超过 %d 年", MAX_SPAN_YEARS);
    }
    if ((rc = open_calendar(&cal, data_dir)) != 0)
        return rc;
    for (zf_date d = from; d <= to; d++)
        printf("%s\t%s\t%s\n", zf_date_format(buf, d),
               zf_calendar_is_workday(cal, d) ? "workday" : "restday", zf_calendar_day_name(cal, d));
    zf_calendar_free(cal);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* Strict non-negative integer parse for N; 2 on failure. */
static int arg_workdays(long *out, const char *s)
{
    char *end;
    long v;

    if (!*s)
        return zf_cmd_usage_error("calendar add-workdays", "N 不能为空");
    if (s[0] == '-' && s[1])
        return zf_cmd_usage_error("calendar add-workdays", "N 不能为负数：%s", s);
    if (strspn(s, "0123456789") != strlen(s))
        return zf_cmd_usage_error("calendar add-workdays", "N 应为 0 至 %d 的整数，收到“%s”",
                                  ZF_CAL_MAX_WORKDAYS, s);
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || v > ZF_CAL_MAX_WORKDAYS)
        return zf_cmd_usage_error("calendar add-workdays", "N 过大：应为 0 至 %d 的整数",
                                  ZF_CAL_MAX_WORKDAYS);
    *out = v;
    return 0;
}

static int cmd_add_workdays(int argc, char **argv, const char *data_dir)
{
    zf_calendar *cal = NULL;
    zf_err err = ZF_ERR_INIT;
    zf_date d, r;
    long n = 0;
    char buf[ZF_DATE_STRLEN];
    int rc;

    if (argc != 3)
        return zf_cmd_usage_error("calendar add-workdays", "需要两个参数 DATE 和 N");
    if ((rc = arg_date(&d, "calendar add-workdays", "DATE", argv[1])) != 0 ||
        (rc = arg_workdays(&n, argv[2])) != 0)
        return rc;
    if ((rc = open_calendar(&cal, data_dir)) != 0)
        return rc;
    rc = zf_calendar_add_workdays(&r, cal, d, n, &err);
    zf_calendar_free(cal);
    if (rc < 0) /* only the end of the index can be reached here */
        return zf_cmd_usage_error("calendar add-workdays", "%s", err.message);
    printf("%s\n", zf_date_format(buf, r));
    return 0;
}

static void print_sources(const char *json)
{
    json_t *a = json_loads(json, 0, NULL), *v;
    size_t i;

    json_array_foreach(a, i, v)
    {
        const char *doc = json_string_value(json_object_get(v, "doc_no"));
        const char *url = json_string_value(json_object_get(v, "url"));
        printf("%s%s", i ? "；" : "", json_string_value(json_object_get(v, "title")));
        if (doc && *doc)
            printf("（%s）", doc);
        if (url && *url)
            printf(" %s", url);
    }
    json_decref(a);
}

static int cmd_years(int argc, const char *data_dir)
{
    zf_cal_year_info *info = NULL;
    zf_calendar *cal = NULL;
    zf_err err = ZF_ERR_INIT;
    zf_db *db = NULL;
    size_t n = 0;
    char msg[512];
    int rc;

    if (argc != 1)
        return zf_cmd_usage_error("calendar years", "不需要参数");
    if (data_dir) {
        if ((rc = zf_cmd_open_db(&db, data_dir, &err)) < 0 ||
            (rc = zf_calendar_store_years(&info, &n, db, &err)) < 0 ||
            (rc = zf_calendar_store_load(&cal, db, &err)) < 0) {
            zf_db_close(db);
            free(info);
            return zf_cmd_fail(&err);
        }
        zf_db_close(db);
    } else {
        int years[ZF_CAL_MAX_YEAR - ZF_CAL_MIN_YEAR + 1];
        if ((rc = zf_calendar_new_builtin(&cal, &err)) < 0)
            return zf_cmd_fail(&err);
        n = zf_calendar_years(cal, years, sizeof years / sizeof years[0]);
        info = zf_calloc(n ? n : 1, sizeof *info);
        for (size_t i = 0; i < n; i++) {
            const zf_cal_schedule *s = zf_calendar_schedule(cal, years[i]);
            json_t *a = json_array();
            char *js;
            info[i].year = years[i];
            snprintf(info[i].version, sizeof info[i].version, "%s", s->version);
            info[i].n_days = s->n_days;
            for (size_t k = 0; k < s->n_sources; k++)
                json_array_append_new(a, json_pack("{s:s,s:s,s:s}", "title", s->sources[k].title,
                                                   "doc_no", s->sources[k].doc_no, "url",
                                                   s->sources[k].url));
            js = json_dumps(a, JSON_COMPACT);
            snprintf(info[i].sources_json, sizeof info[i].sources_json, "%s", js ? js : "[]");
            free(js);
            json_decref(a);
        }
    }
    printf("年份\t版本\t来源\t特殊日期数\t导入时间\t导入人\t通知\n");
    for (size_t i = 0; i < n; i++) {
        char when[32] = "";
        if (info[i].imported) {
            time_t t = (time_t)info[i].loaded_at + 8 * 3600;
            struct tm tm;
            if (gmtime_r(&t, &tm))
                strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
        }
        printf("%d\t%s\t%s\t%zu\t%s\t%s\t", info[i].year, info[i].version,
               info[i].imported ? "导入" : "内置", info[i].n_days, when, info[i].loaded_by);
        print_sources(info[i].sources_json);
        printf("\n");
    }
    if (zf_calendar_store_missing_year(cal, zf_calendar_store_today(zf_cmd_now()), msg, sizeof msg))
        fprintf(stderr, "警告：%s\n", msg);
    free(info);
    zf_calendar_free(cal);
    return 0;
}

/* Reads a whole file of at most ZF_CAL_IMPORT_MAX_BYTES. */
static int read_file(char **out, size_t *out_len, const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;

    *out = NULL;
    if (!f)
        return -1;
    buf = zf_malloc(ZF_CAL_IMPORT_MAX_BYTES + 2);
    n = fread(buf, 1, ZF_CAL_IMPORT_MAX_BYTES + 1, f);
    if (ferror(f)) {
        fclose(f);
        free(buf);
        return -1;
    }
    fclose(f);
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return 0;
}

static int cmd_import(int argc, char **argv, const char *data_dir)
{
    zf_cal_schedule *s = NULL;
    zf_cal_import_result res;
    zf_cal_actor actor = {0, "cli", NULL, NULL};
    zf_err err = ZF_ERR_INIT;
    zf_db *db = NULL;
    char *text = NULL, buf[ZF_DATE_STRLEN], b2[ZF_DATE_STRLEN];
    size_t len = 0;
    int rc;

    if (argc != 2)
        return zf_cmd_usage_error("calendar import", "需要一个参数 FILE");
    if (!data_dir)
        return zf_cmd_usage_error("calendar import", "未指定数据目录：请使用 --data DIR 或设置 ZHIFA_DATA");
    if (read_file(&text, &len, argv[1]) < 0)
        return zf_cmd_usage_error("calendar import", "无法读取文件 %s：%s", argv[1], strerror(errno));
    if (len > ZF_CAL_IMPORT_MAX_BYTES) {
        free(text);
        return zf_cmd_usage_error("calendar import", "文件 %s 过大（上限 %d 字节）", argv[1],
                                  ZF_CAL_IMPORT_MAX_BYTES);
    }
    rc = zf_calendar_parse_import(&s, text, len, &err);
    free(text);
    if (rc < 0)
        return zf_cmd_usage_error("calendar import", "%s：%s", argv[1], err.message);
    /* Legal, but worth a look: holiday blocks list their weekend days too,
     * while a typo often shows up exactly like this. */
    for (size_t i = 0; i < s->n_days; i++)
        if (zf_cal_day_is_redundant(&s->days[i]))
            fprintf(stderr, "警告：%s（%s）%s\n", zf_date_format(buf, s->days[i].date),
                    s->days[i].name,
                    s->days[i].kind == ZF_DAY_OFF ? "是周末，标为放假不改变工作日"
                                                  : "是周一至周五，标为上班不改变工作日");
    if ((rc = zf_cmd_open_db(&db, data_dir, &err)) < 0 ||
        (rc = zf_calendar_store_import(&res, db, s, &actor, zf_cmd_now(), &err)) < 0) {
        zf_db_close(db);
        zf_cal_schedule_free(s);
        return err.rc == ZF_EINVAL ? zf_cmd_usage_error("calendar import", "%s", err.message)
                                   : zf_cmd_fail(&err);
    }
    zf_db_close(db);
    if (!res.changed) {
        printf("%d 年节假日安排与已加载的版本 %s 相同，未作任何更改\n", res.year, res.old_version);
    } else {
        printf("%d 年节假日安排：已导入版本 %s（原版本：%s）；共 %zu 个特殊日期，新增 %zu 天，删除 %zu 天，修改 %zu 天\n",
               res.year, res.new_version, res.old_version[0] ? res.old_version : "无", s->n_days,
               res.days_added, res.days_removed, res.days_modified);
        if (res.workdays_changed)
            printf("工作日发生变化的日期范围：%s 至 %s\n", zf_date_format(buf, res.first),
                   zf_date_format(b2, res.last));
        else
            printf("工作日没有变化\n");
        printf("受影响的未完成期限 %zu 个，重新计算后到期日改变 %zu 个\n", res.clocks_checked,
               res.clocks_moved);
    }
    zf_cal_schedule_free(s);
    return 0;
}

int zf_cmd_calendar(int argc, char **argv)
{
    const char *data_flag = NULL, *sub;
    char *args[16];
    int nargs = 0, i;

    if (argc < 2 || zf_cmd_wants_help(argc, argv)) {
        fputs(USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0) {
            if (i + 1 >= argc)
                return zf_cmd_usage_error("calendar", "--data 需要一个目录");
            data_flag = argv[++i];
        } else if (nargs < 15) {
            args[nargs++] = argv[i];
        } else {
            return zf_cmd_usage_error("calendar", "参数过多");
        }
    }
    args[nargs] = NULL;
    if (nargs == 0)
        return zf_cmd_usage_error("calendar", "缺少子命令");
    sub = args[0];
    if (strcmp(sub, "days") == 0)
        return cmd_days(nargs, args, zf_cmd_data_dir(data_flag));
    if (strcmp(sub, "add-workdays") == 0)
        return cmd_add_workdays(nargs, args, zf_cmd_data_dir(data_flag));
    if (strcmp(sub, "years") == 0)
        return cmd_years(nargs, zf_cmd_data_dir(data_flag));
    if (strcmp(sub, "import") == 0)
        return cmd_import(nargs, args, zf_cmd_data_dir(data_flag));
    return zf_cmd_usage_error("calendar", "未知子命令 %s", sub);
}
