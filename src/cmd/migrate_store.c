/* migrate_store.c — `zhifa migrate-store --from DIR --to postgres://…`
 * (issue 9): moves a SQLite deployment's database into an empty PostgreSQL
 * database, and proves the move before DIR starts using it.
 *
 * Steps: the target gets the schema by the same migrations (zf_db_migrate);
 * in ONE target transaction the rows those migrations seeded are removed,
 * every source table is copied with its ids in foreign-key order (the
 * source is read in one snapshot), the search index is rebuilt with the
 * same C tokenizer (search_queue → zf_search_index_sync), so is the case
 * list's keyword index (case_tsv, migration 0027, for SQLite's case_fts:
 * zf_case_tsv_fill) and every identity sequence is moved past its table's
 * largest id.
 * Then the proof: the ledger's tree size and root, and the newest
 * checkpoint, are the same on both sides, and `zhifa verify` passes on the
 * target (run on a shadow of DIR whose zhifa.conf names the target). Only
 * then is `database = URL` appended to DIR/zhifa.conf. zhifa.db is left
 * where it was (the operator's backup). The server must be stopped: writes
 * after the snapshot would not be copied.
 *
 * The source side uses SQLite's catalogue (sqlite_master, PRAGMA
 * foreign_key_list): this command exists to leave SQLite. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "ledger/merkle.h"
#include "store/case_tsv.h"
#include "store/ledger_store.h"
#include "store/search_store.h"
#include "util/buf.h"
#include "util/mem.h"

#define MAX_TABLES 256
#define MAX_COLS 128

static const char USAGE[] =
    "用法：zhifa migrate-store --from DIR --to postgres://用户@主机:端口/库名\n"
    "\n"
    "把数据目录 DIR 的 SQLite 数据库（DIR/zhifa.db）整体迁入一个空的 PostgreSQL 数据库：\n"
    "按外键顺序复制全部表（保留编号），重建全文检索索引，并把自增序列移到最大编号之后。\n"
    "迁移后核对台账的条数和根哈希、最新检查点与迁移前一致，并对目标库运行 zhifa verify；\n"
    "全部通过后才在 DIR/zhifa.conf 中写入 database = 地址。zhifa.db 保留原处作为备份。\n"
    "迁移前请先停止 zhifa serve：迁移开始后的写入不会被复制。\n"
    "\n"
    "选项：\n"
    "  --from DIR  源数据目录（使用 SQLite）\n"
    "  --to URL    目标 PostgreSQL 数据库（postgres:// 或 postgresql:// 开头，须为空库）\n"
    "  -h, --help  显示本帮助\n";

typedef struct table {
    char name[64];
    int ndeps;
    char deps[16][64];
    int done;
} table;

typedef struct plan {
    table t[MAX_TABLES];
    int n;
    int order[MAX_TABLES];
} plan;

/* Tables that are not copied: the schema version (the target's migrations
 * wrote it), and search_queue (the index is rebuilt on the target). */
static int skipped_table(const char *name)
{
    return strcmp(name, "schema_version") == 0 || strcmp(name, "search_queue") == 0;
}

/* The source's ordinary tables, without SQLite's own, the full-text virtual
 * tables and their shadow tables, with the tables each one references. */
static int load_plan(plan *p, zf_db *src, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc, i;

    p->n = 0;
    if ((rc = zf_db_prepare(&st, src,
                            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                            "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' AND name NOT IN "
                            "(SELECT v.name || s.suffix FROM sqlite_master v, (SELECT '_data' AS suffix "
                            "UNION SELECT '_idx' UNION SELECT '_content' UNION SELECT '_docsize' "
                            "UNION SELECT '_config') s WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%') ORDER BY name",
                            err)) < 0)
        return rc;
    while ((rc = zf_stmt_step(st, err)) == 1) {
        const char *name = zf_stmt_text(st, 0);
        if (skipped_table(name))
            continue;
        if (p->n == MAX_TABLES || strlen(name) >= sizeof p->t[0].name) {
            zf_stmt_free(st);
            return zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "源数据库的表太多或表名太长：%s", name);
        }
        memset(&p->t[p->n], 0, sizeof p->t[p->n]);
        snprintf(p->t[p->n].name, sizeof p->t[p->n].name, "%s", name);
        p->n++;
    }
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    for (i = 0; i < p->n; i++) {
        char sql[128];
        table *t = &p->t[i];
        snprintf(sql, sizeof sql, "SELECT \"table\" FROM pragma_foreign_key_list('%s')", t->name);
        if ((rc = zf_db_prepare(&st, src, sql, err)) < 0)
            return rc;
        while ((rc = zf_stmt_step(st, err)) == 1) {
            const char *ref = zf_stmt_text(st, 0);
            int k, dup = 0;
            if (strcmp(ref, t->name) == 0) /* a self reference: rows come in id order */
                continue;
            for (k = 0; k < t->ndeps; k++)
                dup |= strcmp(t->deps[k], ref) == 0;
            if (dup)
                continue;
            if (t->ndeps == 16) {
                rc = zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "表 %s 的外键太多", t->name);
                break;
            }
            snprintf(t->deps[t->ndeps++], sizeof t->deps[0], "%s", ref);
        }
        zf_stmt_free(st);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Topological order: a table after every table it references. */
static int order_plan(plan *p, zf_err *err)
{
    int placed = 0, progress = 1, i, k, j;

    while (placed < p->n && progress) {
        progress = 0;
        for (i = 0; i < p->n; i++) {
            table *t = &p->t[i];
            int ready = 1;
            if (t->done)
                continue;
            for (k = 0; k < t->ndeps && ready; k++)
                for (j = 0; j < p->n; j++)
                    if (strcmp(p->t[j].name, t->deps[k]) == 0 && !p->t[j].done)
                        ready = 0;
            if (ready) {
                t->done = 1;
                p->order[placed++] = i;
                progress = 1;
            }
        }
    }
    if (placed < p->n)
        return zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "源数据库的外键成环，无法确定复制顺序");
    return 0;
}

/* The target's columns of table: names and types (information_schema).
 * Returns how many, 0 when the table does not exist there. */
static int target_columns(char names[][64], char types[][32], zf_db *dst, const char *table_name, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc, n = 0;

    if ((rc = zf_db_prepare(&st, dst,
                            "SELECT column_name, data_type FROM information_schema.columns "
                            "WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                            err)) < 0)
        return rc;
    zf_stmt_bind_text(st, 1, table_name, -1);
    while ((rc = zf_stmt_step(st, err)) == 1) {
        if (n == MAX_COLS) {
            rc = zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "表 %s 的列太多", table_name);
            break;
        }
        snprintf(names[n], 64, "%s", zf_stmt_text(st, 0));
        snprintf(types[n], 32, "%s", zf_stmt_text(st, 1));
        n++;
    }
    zf_stmt_free(st);
    return rc < 0 ? rc : n;
}

/* 1 when the source table has a column of that name. */
static int source_has_column(zf_db *src, const char *table_name, const char *col, zf_err *err)
{
    zf_stmt *st = NULL;
    char sql[160];
    int rc;

    snprintf(sql, sizeof sql, "SELECT 1 FROM pragma_table_info('%s') WHERE name = $1", table_name);
    if ((rc = zf_db_prepare(&st, src, sql, err)) < 0)
        return rc;
    zf_stmt_bind_text(st, 1, col, -1);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    return rc;
}

/* Copies every row of one table, the columns both sides have. */
static int copy_table(int64_t *out_rows, zf_db *src, zf_db *dst, const char *table_name, zf_err *err)
{
    static char names[MAX_COLS][64], types[MAX_COLS][32];
    int use[MAX_COLS], ncols, nuse = 0, i, rc;
    zf_buf sel = ZF_BUF_INIT, ins = ZF_BUF_INIT, vals = ZF_BUF_INIT;
    zf_stmt *rd = NULL, *wr = NULL;

    *out_rows = 0;
    if ((rc = ncols = target_columns(names, types, dst, table_name, err)) < 0)
        return rc;
    if (ncols == 0)
        return zf_err_set(err, ZF_ECONFLICT, "schema_mismatch", NULL,
                          "目标数据库没有表 %s：两边的数据库结构不一致", table_name);
    for (i = 0; i < ncols; i++) {
        if ((rc = source_has_column(src, table_name, names[i], err)) < 0)
            goto done;
        if (rc == 1)
            use[nuse++] = i;
    }
    {
        /* a source column the target lacks would be lost: refuse */
        int64_t nsrc = 0;
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM pragma_table_info('%s')", table_name);
        if ((rc = zf_db_query_int64(src, &nsrc, sql, err, 0, NULL)) < 0)
            goto done;
        if (nsrc != nuse) {
            rc = zf_err_set(err, ZF_ECONFLICT, "schema_mismatch", NULL,
                            "表 %s 在源数据库有 %lld 列，目标数据库只有其中 %d 列：两边的数据库结构不一致", table_name,
                            (long long)nsrc, nuse);
            goto done;
        }
    }
    zf_buf_puts(&sel, "SELECT ");
    zf_buf_printf(&ins, "INSERT INTO \"%s\" (", table_name);
    for (i = 0; i < nuse; i++) {
        zf_buf_printf(&sel, "%s\"%s\"", i ? ", " : "", names[use[i]]);
        zf_buf_printf(&ins, "%s\"%s\"", i ? ", " : "", names[use[i]]);
        zf_buf_printf(&vals, "%s$%d", i ? ", " : "", i + 1);
    }
    zf_buf_printf(&sel, " FROM \"%s\" ORDER BY rowid", table_name);
    zf_buf_printf(&ins, ") VALUES (%s)", zf_buf_str(&vals));
    if ((rc = zf_db_prepare(&rd, src, zf_buf_str(&sel), err)) < 0) {
        /* WITHOUT ROWID tables have no rowid: their primary key orders them */
        zf_buf_reset(&sel);
        zf_buf_puts(&sel, "SELECT ");
        for (i = 0; i < nuse; i++)
            zf_buf_printf(&sel, "%s\"%s\"", i ? ", " : "", names[use[i]]);
        zf_buf_printf(&sel, " FROM \"%s\"", table_name);
        if ((rc = zf_db_prepare(&rd, src, zf_buf_str(&sel), err)) < 0)
            goto done;
    }
    while ((rc = zf_stmt_step(rd, err)) == 1) {
        if ((rc = zf_db_prepare(&wr, dst, zf_buf_str(&ins), err)) < 0)
            goto done;
        for (i = 0; i < nuse; i++) {
            const char *type = types[use[i]];
            if (zf_stmt_is_null(rd, i)) {
                zf_stmt_bind_null(wr, i + 1);
            } else if (strcmp(type, "bytea") == 0) {
                size_t len = 0;
                const void *b = zf_stmt_blob(rd, i, &len);
                zf_stmt_bind_blob(wr, i + 1, b, len);
            } else if (strcmp(type, "double precision") == 0 || strcmp(type, "real") == 0) {
                zf_stmt_bind_double(wr, i + 1, zf_stmt_double(rd, i)); /* exact, not 15 digits */
            } else {
                /* integers, text and booleans as text: exact, and the
                 * server converts it to the column's type */
                zf_stmt_bind_text(wr, i + 1, zf_stmt_text(rd, i), -1);
            }
        }
        rc = zf_stmt_step(wr, err);
        zf_stmt_free(wr);
        wr = NULL;
        if (rc < 0)
            goto done;
        (*out_rows)++;
    }
done:
    zf_stmt_free(rd);
    zf_buf_free(&sel);
    zf_buf_free(&ins);
    zf_buf_free(&vals);
    if (rc < 0 && !strstr(err->message, table_name)) {
        zf_err inner = *err;
        zf_err_set(err, rc, inner.code[0] ? inner.code : NULL, inner.field[0] ? inner.field : NULL,
                   "复制表 %s 失败：%s", table_name, inner.message);
    }
    return rc < 0 ? rc : 0;
}

static int exec_fmt(zf_db *db, zf_err *err, const char *fmt, const char *name)
{
    char sql[256];
    if (snprintf(sql, sizeof sql, fmt, name) >= (int)sizeof sql)
        return zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "表名太长：%s", name);
    return zf_db_exec(db, sql, err);
}

/* Tables of the target that have triggers of zhifa's own (the search index
 * triggers): they are switched off while rows are copied, since the copy
 * brings search_docs itself. */
static int user_trigger_tables(char names[][64], int max, zf_db *dst, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc, n = 0;

    if ((rc = zf_db_prepare(&st, dst,
                            "SELECT DISTINCT event_object_table FROM information_schema.triggers "
                            "WHERE trigger_schema = current_schema() ORDER BY 1",
                            err)) < 0)
        return rc;
    while (n < max && (rc = zf_stmt_step(st, err)) == 1)
        snprintf(names[n++], 64, "%s", zf_stmt_text(st, 0));
    zf_stmt_free(st);
    return rc < 0 ? rc : n;
}

/* The whole copy, one target transaction. */
static int copy_all(int64_t *out_rows, zf_db *src, zf_db *dst, const plan *p, zf_err *err)
{
    static char trig[64][64];
    int ntrig, i, rc;
    int64_t rows;

    *out_rows = 0;
    if ((rc = zf_db_begin(dst, err)) < 0)
        return rc;
    if ((rc = ntrig = user_trigger_tables(trig, 64, dst, err)) < 0)
        goto fail;
    for (i = 0; i < ntrig; i++)
        if ((rc = exec_fmt(dst, err, "ALTER TABLE \"%s\" DISABLE TRIGGER USER", trig[i])) < 0)
            goto fail;
    /* what the migrations seeded goes, children first */
    for (i = p->n - 1; i >= 0; i--)
        if ((rc = exec_fmt(dst, err, "DELETE FROM \"%s\"", p->t[p->order[i]].name)) < 0)
            goto fail;
    if ((rc = zf_db_exec(dst, "DELETE FROM search_queue", err)) < 0)
        goto fail;
    for (i = 0; i < p->n; i++) {
        const char *name = p->t[p->order[i]].name;
        if ((rc = copy_table(&rows, src, dst, name, err)) < 0)
            goto fail;
        printf("  %-32s %lld 行\n", name, (long long)rows);
        *out_rows += rows;
    }
    for (i = 0; i < ntrig; i++)
        if ((rc = exec_fmt(dst, err, "ALTER TABLE \"%s\" ENABLE TRIGGER USER", trig[i])) < 0)
            goto fail;
    /* the search index: every entry queued and indexed by the tokenizer,
     * exactly as the migration that created it does on PostgreSQL */
    if ((rc = zf_db_exec(dst,
                         "INSERT INTO search_queue (op, doc_id, title, body) "
                         "SELECT 'add', id, title, body FROM search_docs ORDER BY id",
                         err)) < 0 ||
        (rc = zf_search_index_sync(dst, err)) < 0)
        goto fail;
    /* the case list's keyword index (migration 0027; SQLite's case_fts is
     * not copied): every case pending, then computed by the same tokenizer */
    if ((rc = zf_db_exec(dst, "INSERT INTO case_tsv (case_id) SELECT id FROM cases ON CONFLICT DO NOTHING", err)) < 0)
        goto fail;
    do {
        if ((rc = zf_case_tsv_fill(&rows, dst, 1000, err)) < 0)
            goto fail;
    } while (rows == 1000);
    if ((rc = zf_db_identities_resync(dst, err)) < 0)
        goto fail;
    return zf_db_commit(dst, err);
fail:
    zf_db_rollback(dst);
    return rc;
}

typedef struct ledger_state {
    uint64_t size;
    char root[ZF_HASH_HEXLEN + 1];
    int64_t checkpoints;
    uint64_t cp_size;
    char cp_root[ZF_HASH_HEXLEN + 1];
} ledger_state;

static int ledger_state_of(ledger_state *out, zf_db *db, zf_err *err)
{
    zf_hash root;
    zf_ledger_checkpoint_row cp;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = zf_ledger_size(db, &out->size, err)) < 0 || (rc = zf_ledger_root(&root, db, out->size, err)) < 0 ||
        (rc = zf_db_query_int64(db, &out->checkpoints, "SELECT COUNT(*) FROM checkpoints", err, 0, NULL)) < 0 ||
        (rc = zf_ledger_checkpoint_latest(&cp, db, err)) < 0)
        return rc;
    zf_hash_to_hex(out->root, &root);
    if (rc == 1) {
        out->cp_size = cp.tree_size;
        snprintf(out->cp_root, sizeof out->cp_root, "%s", cp.root_hex);
    }
    return 0;
}

/* A shadow of DIR in a temporary directory: a symbolic link to each entry
 * except zhifa.conf, which is DIR's with `database = url` added. */
static int make_shadow(char *out, size_t outlen, const char *dir, const char *url, zf_err *err)
{
    char src[PATH_MAX], dst[PATH_MAX], abs_dir[PATH_MAX];
    DIR *d = NULL;
    struct dirent *e;
    FILE *in = NULL, *f = NULL;
    int rc = 0;

    if (!realpath(dir, abs_dir))
        return zf_err_set(err, ZF_EIO, "io_error", NULL, "无法解析数据目录 %s", dir);
    snprintf(out, outlen, "%s/.zhifa-migrate-XXXXXX", "/tmp");
    if (!mkdtemp(out))
        return zf_err_set(err, ZF_EIO, "io_error", NULL, "无法创建临时目录");
    if (!(d = opendir(abs_dir)))
        return zf_err_set(err, ZF_EIO, "io_error", NULL, "无法读取数据目录 %s", dir);
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || strcmp(e->d_name, "zhifa.conf") == 0)
            continue;
        if (snprintf(src, sizeof src, "%s/%s", abs_dir, e->d_name) >= (int)sizeof src ||
            snprintf(dst, sizeof dst, "%s/%s", out, e->d_name) >= (int)sizeof dst || symlink(src, dst) != 0) {
            rc = zf_err_set(err, ZF_EIO, "io_error", NULL, "无法创建链接 %s", dst);
            goto done;
        }
    }
    if (snprintf(src, sizeof src, "%s/zhifa.conf", abs_dir) >= (int)sizeof src ||
        snprintf(dst, sizeof dst, "%s/zhifa.conf", out) >= (int)sizeof dst || !(f = fopen(dst, "w"))) {
        rc = zf_err_set(err, ZF_EIO, "io_error", NULL, "无法写入 %s", dst);
        goto done;
    }
    if ((in = fopen(src, "r"))) {
        char line[4096];
        while (fgets(line, sizeof line, in))
            fputs(line, f);
        fclose(in);
    }
    fprintf(f, "\ndatabase = %s\n", url);
    if (fclose(f) != 0)
        rc = zf_err_set(err, ZF_EIO, "io_error", NULL, "无法写入 %s", dst);
done:
    closedir(d);
    return rc;
}

static void remove_shadow(const char *shadow)
{
    DIR *d = opendir(shadow);
    struct dirent *e;
    char p[PATH_MAX];

    if (!d)
        return;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", shadow, e->d_name);
        unlink(p); /* links and the conf only: never what they point to */
    }
    closedir(d);
    rmdir(shadow);
}

static int append_database(const char *dir, const char *url, zf_err *err)
{
    char path[PATH_MAX];
    FILE *f;
    int bad;

    snprintf(path, sizeof path, "%s/zhifa.conf", dir);
    if (!(f = fopen(path, "a")))
        return zf_err_set(err, ZF_EIO, "config_unwritable", NULL, "无法写入配置文件 %s", path);
    bad = fprintf(f, "\n# The database (issue 9): moved from zhifa.db by zhifa migrate-store.\ndatabase = %s\n",
                  url) < 0;
    bad |= fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad)
        return zf_err_set(err, ZF_EIO, "config_unwritable", NULL, "无法写入配置文件 %s", path);
    return 0;
}

int zf_cmd_migrate_store(int argc, char **argv)
{
    const char *from = NULL, *to = NULL;
    char loc[PATH_MAX], shadow[PATH_MAX] = "";
    static plan p;
    zf_db *src = NULL, *dst = NULL;
    zf_err err = ZF_ERR_INIT;
    ledger_state before, after;
    int64_t tables = 0, rows = 0;
    int i, rc;

    if (zf_cmd_wants_help(argc, argv)) {
        fputs(USAGE, stdout);
        return 0;
    }
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--from") == 0 && i + 1 < argc)
            from = argv[++i];
        else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
            to = argv[++i];
        else
            return zf_cmd_usage_error("migrate-store", "未知参数 %s", argv[i]);
    }
    if (!from || !*from)
        return zf_cmd_usage_error("migrate-store", "缺少 --from DIR（源数据目录）");
    if (!to || !zf_db_location_is_postgres(to))
        return zf_cmd_usage_error("migrate-store", "--to 应为 postgres:// 或 postgresql:// 开头的地址");
    if ((rc = zf_cmd_db_location(loc, sizeof loc, from, &err)) < 0)
        return zf_cmd_fail(&err);
    if (zf_db_location_is_postgres(loc)) {
        fprintf(stderr, "zhifa: %s 已在使用 PostgreSQL（%s），无需迁移，未做任何修改\n", from, loc);
        return 1;
    }
    if ((rc = zf_cmd_open_db(&src, from, &err)) < 0)
        return zf_cmd_fail(&err);
    /* the target must be empty, as for init: never mix two deployments */
    if ((rc = zf_db_open(&dst, to, &err)) < 0)
        goto fail;
    {
        int64_t n = 0;
        if ((rc = zf_db_query_int64(dst, &n,
                                    "SELECT COUNT(*) FROM information_schema.tables"
                                    " WHERE table_schema = current_schema()",
                                    &err, 0, NULL)) < 0)
            goto fail;
        if (n > 0) {
            fprintf(stderr, "zhifa: 目标数据库不是空库（已有 %lld 张表），未做任何修改\n", (long long)n);
            zf_db_close(src);
            zf_db_close(dst);
            return 1;
        }
    }
    if ((rc = zf_db_migrate(dst, &err)) < 0)
        goto fail;
    /* one snapshot of the source for everything read from it */
    zf_db_read_begin(src);
    if ((rc = load_plan(&p, src, &err)) < 0 || (rc = order_plan(&p, &err)) < 0 ||
        (rc = ledger_state_of(&before, src, &err)) < 0)
        goto fail;
    printf("从 %s 复制 %d 张表到 PostgreSQL：\n", loc, p.n);
    tables = p.n;
    if ((rc = copy_all(&rows, src, dst, &p, &err)) < 0)
        goto fail;
    zf_db_read_end(src);
    if ((rc = ledger_state_of(&after, dst, &err)) < 0)
        goto fail;
    printf("台账：迁移前 %llu 条事件，根哈希 %s，%lld 个检查点（最新覆盖 %llu 条）\n",
           (unsigned long long)before.size, before.root, (long long)before.checkpoints,
           (unsigned long long)before.cp_size);
    printf("台账：迁移后 %llu 条事件，根哈希 %s，%lld 个检查点（最新覆盖 %llu 条）\n",
           (unsigned long long)after.size, after.root, (long long)after.checkpoints,
           (unsigned long long)after.cp_size);
    if (before.size != after.size || strcmp(before.root, after.root) != 0 ||
        before.checkpoints != after.checkpoints || before.cp_size != after.cp_size ||
        strcmp(before.cp_root, after.cp_root) != 0) {
        rc = zf_err_set(&err, ZF_ECONFLICT, "ledger_mismatch", NULL,
                        "迁移后的台账与迁移前不一致，未修改 zhifa.conf；目标库请清空后重试");
        goto fail;
    }
    zf_db_close(dst);
    dst = NULL;
    zf_db_close(src);
    src = NULL;
    /* zhifa verify on the target, through a shadow of DIR naming it */
    if ((rc = make_shadow(shadow, sizeof shadow, from, to, &err)) < 0)
        goto fail;
    {
        char *vargv[] = {"verify", "--data", shadow, NULL};
        printf("对目标数据库运行 zhifa verify：\n");
        fflush(stdout);
        if (zf_cmd_verify(3, vargv) != 0) {
            rc = zf_err_set(&err, ZF_ECONFLICT, "verify_failed", NULL,
                            "目标数据库未通过 zhifa verify，未修改 zhifa.conf");
            goto fail;
        }
    }
    remove_shadow(shadow);
    shadow[0] = '\0';
    if ((rc = append_database(from, to, &err)) < 0)
        goto fail;
    printf("迁移完成：%lld 张表、%lld 行；%s/zhifa.conf 已指向 PostgreSQL，原 zhifa.db 保留作备份。\n",
           (long long)tables, (long long)rows, from);
    return 0;
fail:
    if (shadow[0])
        remove_shadow(shadow);
    if (src) {
        zf_db_read_end(src);
        zf_db_close(src);
    }
    zf_db_close(dst);
    return zf_cmd_fail(&err);
}
