/* import.c — `zhifa import laws DIR`: fills the 法律法规库 from a folder of
 * Markdown files (see import.h and core/lawdoc.h).
 *
 * Each file is read (at most ZF_LAWDOC_MAX_BYTES), parsed and written in its
 * own transaction, so one bad file neither stops the run nor leaves half a
 * law behind. Files are visited in a stable order in which, for names like
 * "体育法(2016-11-07).md" and "体育法(2022-06-24).md", the newer version
 * comes first: the older one then meets a newer stored text and is skipped,
 * and a second run finds everything unchanged. */
#include "cmd/import.h"
#include "cmd/import_penalties.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cmd/cmd.h"
#include "core/lawdoc.h"
#include "util/buf.h"
#include "util/mem.h"

#define MAX_DEPTH 32

/* ---- one law ---------------------------------------------------------- */

static void sha256_hex(char out[65], const char *text, size_t len)
{
    unsigned char h[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(h, (const unsigned char *)text, len);
    sodium_bin2hex(out, 65, h, sizeof h);
}

/* laws.category from the first component of source, "" if none. */
static char *category_of(const char *source)
{
    const char *slash = source ? strchr(source, '/') : NULL;

    return slash ? zf_strndup(source, (size_t)(slash - source)) : zf_strdup("");
}

static int insert_articles(zf_db *db, int64_t law_id, const zf_lawdoc *doc, zf_err *err)
{
    zf_stmt *st = NULL;
    size_t i;
    int rc = 0;

    for (i = 0; i < doc->article_count && rc >= 0; i++) {
        const zf_lawdoc_article *a = &doc->articles[i];

        if ((rc = zf_db_prepare(&st, db,
                                "INSERT INTO law_articles (law_id, no, label, chapter, text) "
                                "VALUES ($1, $2, $3, $4, $5)",
                                err)) < 0)
            break;
        zf_stmt_bind_int64(st, 1, law_id);
        zf_stmt_bind_int64(st, 2, zf_lawdoc_storage_no(a->no, a->sub));
        zf_stmt_bind_text(st, 3, a->label, -1);
        zf_stmt_bind_text(st, 4, a->chapter, -1);
        zf_stmt_bind_text(st, 5, a->text, -1);
        rc = zf_stmt_step(st, err);
        zf_stmt_free(st);
        st = NULL;
    }
    return rc < 0 ? rc : 0;
}

int zf_import_law_text(zf_db *db, const char *text, size_t len, const char *source,
                       int64_t now, int *out_changed, zf_err *err)
{
    zf_lawdoc *doc = NULL;
    zf_stmt *st = NULL;
    char sha[65], *category = NULL, *old_sha = NULL, *old_date = NULL;
    int64_t law_id = 0;
    int rc, changed = ZF_IMPORT_UNCHANGED;

    if (out_changed)
        *out_changed = ZF_IMPORT_UNCHANGED;
    if ((rc = zf_lawdoc_parse(&doc, text, len, err)) < 0)
        return rc;
    if (sodium_init() < 0) {
        rc = zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "加密库初始化失败");
        goto done;
    }
    sha256_hex(sha, text, len);
    category = category_of(source);

    if ((rc = zf_db_prepare(&st, db,
                            "SELECT id, content_sha256, effective_date FROM laws WHERE title = $1",
                            err)) < 0)
        goto done;
    zf_stmt_bind_text(st, 1, doc->title, -1);
    if ((rc = zf_stmt_step(st, err)) < 0)
        goto done;
    if (rc == 1) {
        law_id = zf_stmt_int64(st, 0);
        old_sha = zf_strdup(zf_stmt_text(st, 1));
        old_date = zf_strdup(zf_stmt_text(st, 2));
    }
    zf_stmt_free(st);
    st = NULL;
    rc = 0;

    if (law_id && strcmp(old_sha, sha) == 0)
        goto done;
    /* Dates are 'YYYY-MM-DD', so text order is date order. */
    if (law_id && old_date[0] && doc->effective_date[0] &&
        strcmp(old_date, doc->effective_date) > 0) {
        changed = ZF_IMPORT_OLDER;
        goto done;
    }

    if (law_id) {
        if ((rc = zf_db_prepare(&st, db,
                                "UPDATE laws SET category = CASE WHEN $1 <> '' THEN $1 "
                                "ELSE category END, issuer = $2, effective_date = $3, "
                                "source = $4, content_sha256 = $5, updated_at = $6 "
                                "WHERE id = $7",
                                err)) < 0)
            goto done;
        zf_stmt_bind_text(st, 1, category, -1);
        zf_stmt_bind_text(st, 2, doc->issuer, -1);
        zf_stmt_bind_text(st, 3, doc->effective_date, -1);
        zf_stmt_bind_text(st, 4, source ? source : "", -1);
        zf_stmt_bind_text(st, 5, sha, -1);
        zf_stmt_bind_int64(st, 6, now);
        zf_stmt_bind_int64(st, 7, law_id);
        if ((rc = zf_stmt_step(st, err)) < 0)
            goto done;
        zf_stmt_free(st);
        st = NULL;
        if ((rc = zf_db_prepare(&st, db, "DELETE FROM law_articles WHERE law_id = $1", err)) < 0)
            goto done;
        zf_stmt_bind_int64(st, 1, law_id);
        if ((rc = zf_stmt_step(st, err)) < 0)
            goto done;
    } else {
        if ((rc = zf_db_prepare(&st, db,
                                "INSERT INTO laws (title, category, issuer, effective_date, "
                                "source, content_sha256, created_at, updated_at) "
                                "VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
                                err)) < 0)
            goto done;
        zf_stmt_bind_text(st, 1, doc->title, -1);
        zf_stmt_bind_text(st, 2, category, -1);
        zf_stmt_bind_text(st, 3, doc->issuer, -1);
        zf_stmt_bind_text(st, 4, doc->effective_date, -1);
        zf_stmt_bind_text(st, 5, source ? source : "", -1);
        zf_stmt_bind_text(st, 6, sha, -1);
        zf_stmt_bind_int64(st, 7, now);
        if ((rc = zf_stmt_step(st, err)) < 0)
            goto done;
        if (rc != 1) {
            rc = zf_err_set(err, ZF_EDB, NULL, NULL, "写入法规“%s”失败", doc->title);
            goto done;
        }
        law_id = zf_stmt_int64(st, 0);
    }
    zf_stmt_free(st);
    st = NULL;
    if ((rc = insert_articles(db, law_id, doc, err)) < 0)
        goto done;
    changed = ZF_IMPORT_CHANGED;
    rc = 0;
done:
    if (rc >= 0 && out_changed)
        *out_changed = changed;
    zf_stmt_free(st);
    free(category);
    free(old_sha);
    free(old_date);
    zf_lawdoc_free(doc);
    return rc < 0 ? rc : 0;
}

/* ---- finding the files ------------------------------------------------ */

typedef struct {
    char **v;
    size_t n, cap;
} path_list;

static void list_push(path_list *l, char *p)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = zf_realloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = p;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Collects *.md files under root/rel (rel "" for the top), as paths relative
 * to root. Hidden entries and README.md are skipped; symbolic links to
 * folders are not followed, so a link loop cannot trap the walk. */
static int walk(path_list *out, const char *root, const char *rel, int depth, zf_err *err)
{
    zf_buf full = ZF_BUF_INIT;
    DIR *d;
    struct dirent *e;
    int rc = 0;

    if (depth > MAX_DEPTH)
        return 0;
    zf_buf_printf(&full, "%s%s%s", root, rel[0] ? "/" : "", rel);
    d = opendir(zf_buf_str(&full));
    if (!d) {
        rc = zf_err_set(err, ZF_EIO, NULL, NULL, "无法打开目录 %s：%s", zf_buf_str(&full),
                        strerror(errno));
        goto done;
    }
    while ((e = readdir(d)) != NULL && rc >= 0) {
        zf_buf child = ZF_BUF_INIT, path = ZF_BUF_INIT;
        struct stat sb;

        if (e->d_name[0] == '.')
            continue;
        zf_buf_printf(&child, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
        zf_buf_printf(&path, "%s/%s", root, zf_buf_str(&child));
        if (lstat(zf_buf_str(&path), &sb) == 0) {
            if (S_ISDIR(sb.st_mode))
                rc = walk(out, root, zf_buf_str(&child), depth + 1, err);
            else if (ends_with(e->d_name, ".md") && strcmp(e->d_name, "README.md") != 0 &&
                     stat(zf_buf_str(&path), &sb) == 0 && S_ISREG(sb.st_mode))
                list_push(out, zf_buf_detach(&child));
        }
        zf_buf_free(&child);
        zf_buf_free(&path);
    }
    closedir(d);
done:
    zf_buf_free(&full);
    return rc;
}

/* Sort key: the path up to the last "(" of the file name, ascending, then
 * the rest descending, so "X(2022-06-24).md" precedes "X(2016-11-07).md". */
static int path_cmp(const void *pa, const void *pb)
{
    const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;
    const char *la = strrchr(a, '('), *lb = strrchr(b, '(');
    size_t na = la && !strchr(la, '/') ? (size_t)(la - a) : strlen(a);
    size_t nb = lb && !strchr(lb, '/') ? (size_t)(lb - b) : strlen(b);
    size_t n = na < nb ? na : nb;
    int c = memcmp(a, b, n);

    if (c)
        return c;
    if (na != nb)
        return na < nb ? -1 : 1;
    return strcmp(b + nb, a + na);
}

static int read_file(char **out, size_t *out_len, const char *path, zf_err *err)
{
    struct stat sb;
    char *buf = NULL;
    size_t got = 0;
    int fd, rc = 0;

    *out = NULL;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return zf_err_set(err, ZF_EIO, NULL, NULL, "无法打开文件：%s", strerror(errno));
    if (fstat(fd, &sb) < 0) {
        rc = zf_err_set(err, ZF_EIO, NULL, NULL, "无法读取文件：%s", strerror(errno));
        goto done;
    }
    if ((size_t)sb.st_size > ZF_LAWDOC_MAX_BYTES) {
        rc = zf_err_set(err, ZF_ETOOBIG, "payload_too_large", NULL,
                        "文件大小超过 8 MiB 上限，拒绝解析");
        goto done;
    }
    buf = zf_malloc((size_t)sb.st_size + 1);
    /* Read at most one byte past the size seen, to notice a file that grew. */
    for (;;) {
        ssize_t r = read(fd, buf + got, (size_t)sb.st_size + 1 - got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = zf_err_set(err, ZF_EIO, NULL, NULL, "读取文件失败：%s", strerror(errno));
            goto done;
        }
        if (r == 0)
            break;
        got += (size_t)r;
        if (got > (size_t)sb.st_size) {
            rc = zf_err_set(err, ZF_EIO, NULL, NULL, "文件在读取过程中发生变化，请重试");
            goto done;
        }
    }
    *out = buf;
    *out_len = got;
    buf = NULL;
done:
    free(buf);
    close(fd);
    return rc;
}

/* ---- the command ------------------------------------------------------ */

static const char usage_text[] =
    "用法：zhifa import laws DIR [--data DIR]\n"
    "      zhifa import penalties FILE.csv [--department 部门] [--data DIR]\n"
    "      （历史行政处罚公示记录，详见 zhifa import penalties --help）\n"
    "\n"
    "laws：从 DIR 目录（含子目录）中的 Markdown 文件导入法律法规库，每个文件一部法律法规：\n"
    "首行“# 名称”，可选的说明块以“<!-- INFO END -->”结束，章节标题“## 第一章 …”，\n"
    "条文为以“第X条”开头的段落。README.md 和以“.”开头的文件不导入。\n"
    "\n"
    "可重复运行：内容未变化的文件跳过；同名法规内容变化时替换其全部条文；\n"
    "库中已有同名法规的较新版本时，较旧版本不会覆盖它。\n"
    "\n"
    "选项：\n"
    "  --data DIR   数据目录（默认取环境变量 ZHIFA_DATA）\n"
    "  -h, --help   显示本帮助\n"
    "\n"
    "全部文件成功时退出码为 0，有文件导入失败时为 1，用法错误为 2。\n";

typedef struct {
    char *path;
    char *reason;
} failure;

/* "行政法/行政处罚法(2021-01-22).md" → "行政处罚法" for the progress line. */
static void display_name(char *out, size_t cap, const char *path)
{
    const char *base = strrchr(path, '/'), *end;
    size_t n;

    base = base ? base + 1 : path;
    end = strrchr(base, '(');
    if (!end)
        end = base + strlen(base) - 3; /* ".md" */
    n = (size_t)(end - base);
    if (n >= cap)
        n = cap - 1;
    /* Do not cut a UTF-8 sequence in half. */
    while (n > 0 && ((unsigned char)base[n] & 0xc0) == 0x80)
        n--;
    memcpy(out, base, n);
    out[n] = '\0';
}

static void progress(int tty, size_t done, size_t total, const char *path)
{
    enum { WIDTH = 30 };
    char name[96], bar[WIDTH + 1];
    size_t fill, i;

    if (tty) {
        fill = total ? done * WIDTH / total : WIDTH;
        for (i = 0; i < WIDTH; i++)
            bar[i] = i < fill ? '#' : ' ';
        bar[WIDTH] = '\0';
        display_name(name, sizeof name, path);
        fprintf(stderr, "\r[%s] %zu/%zu %s\033[K", bar, done, total, name);
        if (done == total)
            fputc('\n', stderr);
    } else if (done == total || (total >= 10 && done % (total / 10) == 0)) {
        /* Not a terminal: a plain count every tenth of the way. */
        fprintf(stderr, "已处理 %zu/%zu 个文件\n", done, total);
    }
    fflush(stderr);
}

static int import_laws(const char *dir, const char *data_flag)
{
    zf_err err = ZF_ERR_INIT;
    zf_db *db = NULL;
    path_list files = {0};
    failure *failed = NULL;
    size_t i, nfailed = 0, imported = 0, unchanged = 0, older = 0;
    const char *data_dir = zf_cmd_data_dir(data_flag);
    int tty = isatty(STDERR_FILENO), code = 1;
    struct stat sb;

    if (!data_dir) {
        code = zf_cmd_usage_error("import", "未指定数据目录（使用 --data DIR 或设置 ZHIFA_DATA）");
        goto done;
    }
    if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "zhifa: 目录 %s 不存在或不是目录\n", dir);
        goto done;
    }
    if (walk(&files, dir, "", 0, &err) < 0) {
        code = zf_cmd_fail(&err);
        goto done;
    }
    if (files.n == 0) {
        fprintf(stderr, "zhifa: 目录 %s 中没有可导入的 .md 文件\n", dir);
        goto done;
    }
    qsort(files.v, files.n, sizeof *files.v, path_cmp);
    if (zf_cmd_open_db(&db, data_dir, &err) < 0) {
        code = zf_cmd_fail(&err);
        goto done;
    }
    failed = zf_calloc(files.n, sizeof *failed);

    for (i = 0; i < files.n; i++) {
        zf_buf full = ZF_BUF_INIT;
        char *text = NULL;
        size_t len = 0;
        int changed = 0, rc;

        zf_err_clear(&err);
        zf_buf_printf(&full, "%s/%s", dir, files.v[i]);
        rc = read_file(&text, &len, zf_buf_str(&full), &err);
        if (rc >= 0 && (rc = zf_db_begin(db, &err)) >= 0) {
            rc = zf_import_law_text(db, text, len, files.v[i], (int64_t)zf_cmd_now(), &changed,
                                    &err);
            if (rc >= 0)
                rc = zf_db_commit(db, &err);
            if (rc < 0)
                zf_db_rollback(db);
        }
        if (rc < 0) {
            failed[nfailed].path = files.v[i];
            failed[nfailed].reason = zf_strdup(err.message[0] ? err.message : "未知错误");
            nfailed++;
        } else if (changed == ZF_IMPORT_CHANGED) {
            imported++;
        } else if (changed == ZF_IMPORT_OLDER) {
            older++;
        } else {
            unchanged++;
        }
        free(text);
        zf_buf_free(&full);
        progress(tty, i + 1, files.n, files.v[i]);
    }

    printf("法律法规导入完成：共 %zu 个文件，导入 %zu，未变化 %zu，", files.n, imported, unchanged);
    if (older)
        printf("已有较新版本而跳过 %zu，", older);
    printf("失败 %zu\n", nfailed);
    if (nfailed) {
        printf("导入失败的文件：\n");
        for (i = 0; i < nfailed; i++)
            printf("  %s：%s\n", failed[i].path, failed[i].reason);
    }
    code = nfailed ? 1 : 0;
done:
    for (i = 0; i < nfailed; i++)
        free(failed[i].reason);
    free(failed);
    for (i = 0; i < files.n; i++)
        free(files.v[i]);
    free(files.v);
    zf_db_close(db);
    return code;
}

int zf_cmd_import(int argc, char **argv)
{
    const char *what = NULL, *dir = NULL, *data = NULL;
    int i;

    if (argc > 1 && strcmp(argv[1], "penalties") == 0) /* issue 7: cmd/import_penalties.c */
        return zf_cmd_import_penalties(argc - 1, argv + 1);
    if (zf_cmd_wants_help(argc, argv)) {
        fputs(usage_text, stdout);
        return 0;
    }
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--data") == 0) {
            if (i + 1 >= argc)
                return zf_cmd_usage_error("import", "--data 需要一个目录参数");
            data = argv[++i];
        } else if (strncmp(a, "--data=", 7) == 0) {
            data = a + 7;
        } else if (a[0] == '-' && a[1] != '\0') {
            return zf_cmd_usage_error("import", "未知选项 %s", a);
        } else if (!what) {
            what = a;
        } else if (!dir) {
            dir = a;
        } else {
            return zf_cmd_usage_error("import", "多余的参数 %s", a);
        }
    }
    if (!what)
        return zf_cmd_usage_error("import", "缺少导入类型（目前支持：laws）");
    if (strcmp(what, "laws") != 0)
        return zf_cmd_usage_error("import", "不支持的导入类型“%s”（目前支持：laws）", what);
    if (!dir)
        return zf_cmd_usage_error("import", "缺少目录参数：zhifa import laws DIR");
    return import_laws(dir, data);
}
