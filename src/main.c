/* main.c — `zhifa <command> [options]`: dispatch to src/cmd/. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

#ifndef ZF_VERSION
#define ZF_VERSION "0.1.0"
#endif

static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} COMMANDS[] = {
    {"init", zf_cmd_init, "创建数据目录（--demo 同时创建演示城市）"},
    {"serve", zf_cmd_serve, "提供公示门户、管理控制台和 API"},
    {"user", zf_cmd_user, "管理账户：add、passwd、disable、enable、list、reset-totp、unlock"},
    {"import", zf_cmd_import, "导入数据：laws DIR（法律法规库）、penalties FILE.csv（历史处罚公示）"},
    {"calendar", zf_cmd_calendar, "工作日日历：import、days、add-workdays、years"},
    {"deadlines", zf_cmd_deadlines, "列出未完成的法定期限（--dept、--state）"},
    {"verify", zf_cmd_verify, "离线校验台账、检查点、记录和证据文件是否被篡改"},
    {"witness", zf_cmd_witness, "作为独立见证方核验并会签台账检查点"},
    {"report", zf_cmd_report, "统计报告：annual --year YEAR（行政执法数据年报，可导出 Excel 和 PDF）"},
    {"spotcheck", zf_cmd_spotcheck, "双随机抽查：redraw（按公开数据重新抽取并核对）"},
    {"migrate-store", zf_cmd_migrate_store, "把 SQLite 数据库迁入 PostgreSQL 并核对台账（--from DIR --to URL）"},
    {"version", cmd_version, "显示版本"},
    {"help", cmd_help, "显示帮助：zhifa help [COMMAND]"},
    {NULL, NULL, NULL},
};

static int cmd_version(int argc, char **argv)
{
    if (zf_cmd_wants_help(argc, argv)) {
        printf("用法：zhifa version\n\n显示 zhifa 的版本号。\n");
        return 0;
    }
    if (argc > 1)
        return zf_cmd_usage_error("version", "多余的参数 %s", argv[1]);
    printf("zhifa %s\n", ZF_VERSION);
    return 0;
}

static void usage(FILE *f)
{
    const struct command *c;

    fprintf(f, "zhifa（执法）— 行政执法“三项制度”系统\n\n用法：zhifa <命令> [选项]\n\n命令：\n");
    for (c = COMMANDS; c->name; c++)
        fprintf(f, "  %-9s %s\n", c->name, c->summary);
    fprintf(f, "\n每个命令都支持 --help。\n");
}

static int cmd_help(int argc, char **argv)
{
    const struct command *c;
    char *help_argv[3];

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    for (c = COMMANDS; c->name; c++)
        if (strcmp(c->name, argv[1]) == 0 && c->run != cmd_help) {
            help_argv[0] = argv[1];
            help_argv[1] = "--help";
            help_argv[2] = NULL;
            return c->run(2, help_argv);
        }
    fprintf(stderr, "zhifa help: 没有命令 %s\n", argv[1]);
    return 2;
}

int main(int argc, char **argv)
{
    const struct command *c;

    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(1, argv + 1);
    for (c = COMMANDS; c->name; c++)
        if (strcmp(c->name, argv[1]) == 0)
            return c->run(argc - 1, argv + 1);
    fprintf(stderr, "zhifa: 未知命令 %s（运行 zhifa help 查看全部命令）\n", argv[1]);
    return 2;
}
