/* verify_bundle.c — offline check of a 案卷 bundle. Contract in
 * verify_bundle.h; the bundle's layout in src/api/bundle.c.
 *
 * The zip is read once, entry by entry, hashing as it streams (1 MiB at a
 * time, so evidence of any size is fine); only the small text files the
 * checks need (.json, .txt, .pem up to KEEP_MAX each) are kept in memory. */
#include "cmd/verify_bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/checkpoint.h"
#include "ledger/jcs.h"
#include "ledger/merkle.h"
#include "ledger/sign.h"
#include "ledger/sm3.h"
#include "util/buf.h"
#include "util/mem.h"

#define KEEP_MAX (64u << 20)
#define CHUNK (1u << 20)

typedef struct entry {
    char *name;
    char sha[65];
    uint64_t size;
    char *data; /* kept text files, NUL-terminated; NULL otherwise */
    int listed;
} entry;

typedef struct ev {
    uint64_t seq;
    char type[64], oid[64], sha[65], action[64];
    int ok; /* leaf and proof verified */
} ev;

typedef struct vb {
    entry *e;
    size_t n, cap;
    ev *evs;
    size_t n_evs;
    long failures;
} vb;

static void fail(vb *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(vb *v, const char *fmt, ...)
{
    va_list ap;

    fputs("不符：", stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    v->failures++;
}

static entry *find(vb *v, const char *name)
{
    size_t i;

    for (i = 0; name && i < v->n; i++)
        if (strcmp(v->e[i].name, name) == 0)
            return &v->e[i];
    return NULL;
}

static int keep(const char *name)
{
    size_t n = strlen(name);

    return (n > 5 && strcmp(name + n - 5, ".json") == 0) || (n > 4 && strcmp(name + n - 4, ".txt") == 0) ||
           (n > 4 && strcmp(name + n - 4, ".pem") == 0);
}

/* Reads every entry. Returns 0, or -1 when the zip itself cannot be read
 * (after saying why). */
static int read_zip(vb *v, const char *path)
{
    struct archive *a = archive_read_new();
    struct archive_entry *ae;
    char *buf = zf_malloc(CHUNK);
    int r, rc = 0;

    archive_read_support_format_zip_seekable(a);
    if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
        printf("无法读取案卷文件 %s：%s\n", path, archive_error_string(a));
        rc = -1;
        goto done;
    }
    while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
        const char *name = archive_entry_pathname(ae);
        zf_digest *d = NULL;
        zf_digest_result res;
        zf_buf kept = ZF_BUF_INIT;
        entry *e;
        la_ssize_t got;
        int keep_it, bad = 0;

        if (!name)
            name = "";
        if (archive_entry_filetype(ae) == AE_IFDIR)
            continue;
        if (find(v, name)) {
            fail(v, "压缩包中文件 %s 出现了不止一次", name);
            continue;
        }
        if (v->n == v->cap) {
            v->cap = v->cap ? v->cap * 2 : 64;
            v->e = zf_realloc(v->e, v->cap * sizeof *v->e);
        }
        e = &v->e[v->n++];
        memset(e, 0, sizeof *e);
        e->name = zf_strdup(name);
        keep_it = keep(name);
        zf_buf_init(&kept, KEEP_MAX);
        zf_digest_new(&d, ZF_DIGEST_SHA256, NULL);
        while ((got = archive_read_data(a, buf, CHUNK)) > 0) {
            zf_digest_update(d, buf, (size_t)got, NULL);
            e->size += (uint64_t)got;
            if (keep_it && !bad && zf_buf_append(&kept, buf, (size_t)got) < 0)
                bad = 1;
        }
        zf_digest_final(&res, d, NULL);
        zf_digest_free(d);
        memcpy(e->sha, res.sha256_hex, 65);
        if (got < 0) {
            fail(v, "压缩包中文件 %s 无法完整读出（%s），可能被改动或损坏", name, archive_error_string(a));
            snprintf(e->sha, sizeof e->sha, "unreadable");
        }
        if (keep_it && !bad)
            e->data = kept.ptr ? zf_buf_detach(&kept) : zf_strdup("");
        else if (bad)
            fail(v, "文件 %s 过大", name);
        zf_buf_free(&kept);
    }
    if (r != ARCHIVE_EOF) {
        printf("读取案卷文件 %s 出错：%s\n", path, archive_error_string(a));
        v->failures++;
    }
done:
    archive_read_free(a);
    free(buf);
    return rc;
}

static json_t *load_json(vb *v, const char *name, const char *what)
{
    entry *e = find(v, name);
    json_error_t je;
    json_t *j;

    if (!e || !e->data) {
        fail(v, "缺少%s（%s）", what, name ? name : "?");
        return NULL;
    }
    if (!(j = json_loads(e->data, JSON_REJECT_DUPLICATES, &je)))
        fail(v, "%s（%s）不是有效的 JSON：%s", what, name, je.text);
    return j;
}

static const char *str(json_t *o, const char *k)
{
    json_t *x = json_object_get(o, k);

    return json_is_string(x) ? json_string_value(x) : NULL;
}

/* ---- the ledger part --------------------------------------------------------- */

static void check_events(vb *v, json_t *evj, const zf_checkpoint *cp)
{
    json_t *arr = json_object_get(evj, "events");
    char root_hex[ZF_HASH_HEXLEN + 1];
    size_t i, k;

    zf_hash_to_hex(root_hex, &cp->root);
    if (!json_is_array(arr)) {
        fail(v, "台账事件文件没有 events 数组");
        return;
    }
    if ((uint64_t)json_integer_value(json_object_get(evj, "tree_size")) != cp->size ||
        !str(evj, "root") || strcmp(str(evj, "root"), root_hex) != 0)
        fail(v, "台账事件文件所依据的树（大小、根哈希）与检查点不一致");
    v->evs = zf_calloc(json_array_size(arr) + 1, sizeof *v->evs);
    for (i = 0; i < json_array_size(arr); i++) {
        json_t *x = json_array_get(arr, i), *parsed = NULL, *proof = json_object_get(x, "proof");
        const char *text = str(x, "event"), *leaf_hex = str(x, "leaf_hash");
        uint64_t seq = (uint64_t)json_integer_value(json_object_get(x, "seq"));
        ev *e = &v->evs[v->n_evs++];
        zf_buf canon = ZF_BUF_INIT;
        zf_hash leaf, want, path[ZF_MERKLE_MAX_PROOF];
        zf_bytes pb[ZF_MERKLE_MAX_PROOF];
        zf_err err = ZF_ERR_INIT;
        json_error_t je;
        size_t np;
        uint8_t pre[1] = {0};

        e->seq = seq;
        if (!text || !leaf_hex || !json_is_array(proof)) {
            fail(v, "台账事件第 %zu 条格式不完整", i + 1);
            continue;
        }
        if (!(parsed = json_loads(text, JSON_REJECT_DUPLICATES, &je)) || zf_jcs_encode(&canon, parsed, &err) < 0 ||
            strcmp(zf_buf_str(&canon), text) != 0) {
            fail(v, "台账事件 seq %llu 的文本不是规范形式（RFC 8785），被改动", (unsigned long long)seq);
            goto next;
        }
        if ((uint64_t)json_integer_value(json_object_get(parsed, "seq")) != seq) {
            fail(v, "台账事件 seq %llu 的序号与其内容不符", (unsigned long long)seq);
            goto next;
        }
        {
            /* leaf = SHA-256(0x00 || event) */
            zf_buf lb = ZF_BUF_INIT;

            zf_buf_append(&lb, pre, 1);
            zf_buf_append(&lb, text, strlen(text));
            zf_sha256(leaf.b, zf_buf_str(&lb), lb.len);
            zf_buf_free(&lb);
        }
        if (zf_hash_from_hex(&want, leaf_hex, strlen(leaf_hex)) < 0 || !zf_hash_equal(&leaf, &want)) {
            fail(v, "台账事件 seq %llu 的叶子哈希与事件内容不符", (unsigned long long)seq);
            goto next;
        }
        np = json_array_size(proof);
        if (np > ZF_MERKLE_MAX_PROOF) {
            fail(v, "台账事件 seq %llu 的包含证明过长", (unsigned long long)seq);
            goto next;
        }
        for (k = 0; k < np; k++) {
            const char *h = json_string_value(json_array_get(proof, k));

            if (!h || zf_hash_from_hex(&path[k], h, strlen(h)) < 0)
                break;
            pb[k].ptr = path[k].b;
            pb[k].len = ZF_HASH_LEN;
        }
        if (k < np || zf_merkle_verify_inclusion((zf_bytes){leaf.b, ZF_HASH_LEN}, seq, cp->size, pb, np,
                                                 (zf_bytes){cp->root.b, ZF_HASH_LEN}, &err) < 0) {
            fail(v, "台账事件 seq %llu 的包含证明不能证明它在检查点（%llu 条）的树中：%s", (unsigned long long)seq,
                 (unsigned long long)cp->size, err.message[0] ? err.message : "证明格式错误");
            goto next;
        }
        {
            json_t *obj = json_object_get(parsed, "object");

            snprintf(e->type, sizeof e->type, "%s", str(obj, "type") ? str(obj, "type") : "");
            snprintf(e->oid, sizeof e->oid, "%s", str(obj, "id") ? str(obj, "id") : "");
            snprintf(e->sha, sizeof e->sha, "%s", str(parsed, "content_sha256") ? str(parsed, "content_sha256") : "");
            snprintf(e->action, sizeof e->action, "%s", str(parsed, "action") ? str(parsed, "action") : "");
            e->ok = 1;
        }
    next:
        zf_buf_free(&canon);
        json_decref(parsed);
    }
}

static const ev *event_at(vb *v, uint64_t seq)
{
    size_t i;

    for (i = 0; i < v->n_evs; i++)
        if (v->evs[i].seq == seq && v->evs[i].ok)
            return &v->evs[i];
    return NULL;
}

/* The file f (a manifest entry) is covered by the event it names, of object
 * (type, id). required: a missing covered_by is a failure. */
static void check_cover(vb *v, json_t *f, const char *type, int64_t id, int required)
{
    json_t *cb = json_object_get(f, "covered_by");
    const char *path = str(f, "path"), *sha = str(f, "sha256");
    char oid[24];
    const ev *e;

    if (!json_is_object(cb)) {
        if (required)
            fail(v, "文件 %s 没有台账事件覆盖（其哈希值未记入台账）", path);
        return;
    }
    snprintf(oid, sizeof oid, "%lld", (long long)id);
    e = event_at(v, (uint64_t)json_integer_value(json_object_get(cb, "seq")));
    if (!e) {
        fail(v, "覆盖文件 %s 的台账事件 seq %lld 不在案卷中或未通过校验", path,
             (long long)json_integer_value(json_object_get(cb, "seq")));
        return;
    }
    if (strcmp(e->type, type) != 0 || strcmp(e->oid, oid) != 0)
        fail(v, "文件 %s 所引台账事件 seq %llu 记录的是另一对象（%s %s）", path, (unsigned long long)e->seq, e->type,
             e->oid);
    else if (!sha || strcmp(e->sha, sha) != 0)
        fail(v, "文件 %s 的哈希值与台账事件 seq %llu 记录的内容哈希不符", path, (unsigned long long)e->seq);
}

/* ---- the whole check ------------------------------------------------------------- */

int zf_cmd_verify_bundle(const char *path)
{
    vb v;
    json_t *man = NULL, *files, *evj = NULL, *arch = NULL, *cas;
    zf_sign_key *key = NULL;
    zf_checkpoint *cp = NULL;
    zf_err err = ZF_ERR_INIT;
    entry *me, *e;
    size_t i, j, n_docs = 0, n_ev = 0;
    int64_t case_id;

    memset(&v, 0, sizeof v);
    if (read_zip(&v, path) < 0)
        return 1;
    if (!(me = find(&v, "manifest.json")) || !(man = load_json(&v, "manifest.json", "清单"))) {
        if (!me)
            fail(&v, "压缩包中没有 manifest.json，不是 zhifa 案卷");
        goto summary;
    }
    me->listed = 1;
    if (!str(man, "format") || strncmp(str(man, "format"), "zhifa-case-bundle/", 18) != 0)
        fail(&v, "manifest.json 的格式标识不是 zhifa-case-bundle");
    cas = json_object_get(man, "case");
    case_id = json_integer_value(json_object_get(cas, "id"));
    files = json_object_get(man, "files");
    if (!json_is_array(files)) {
        fail(&v, "manifest.json 没有文件清单");
        goto summary;
    }
    /* 1. hashes */
    for (i = 0; i < json_array_size(files); i++) {
        json_t *f = json_array_get(files, i);
        const char *p = str(f, "path"), *sha = str(f, "sha256");

        if (!p || !sha) {
            fail(&v, "清单第 %zu 项缺少路径或哈希值", i + 1);
            continue;
        }
        for (j = 0; j < i; j++)
            if (str(json_array_get(files, j), "path") && strcmp(str(json_array_get(files, j), "path"), p) == 0)
                fail(&v, "清单重复列出文件 %s", p);
        if (!(e = find(&v, p))) {
            fail(&v, "清单列出的文件 %s 不在压缩包中（被删除）", p);
            continue;
        }
        e->listed = 1;
        if (strcmp(e->sha, sha) != 0)
            fail(&v, "文件 %s 的 SHA-256 与清单不符（被改动）", p);
        else if ((uint64_t)json_integer_value(json_object_get(f, "size")) != e->size)
            fail(&v, "文件 %s 的大小与清单不符", p);
    }
    for (i = 0; i < v.n; i++)
        if (!v.e[i].listed)
            fail(&v, "压缩包中的文件 %s 未列入清单（被插入）", v.e[i].name);
    /* 2. the checkpoint and its key */
    if ((e = find(&v, str(man, "public_key"))) && e->data) {
        if (zf_sign_key_from_pem(&key, e->data, strlen(e->data), &err) < 0)
            fail(&v, "公钥文件 %s 无法读取：%s", e->name, err.message);
    } else {
        fail(&v, "缺少服务器公钥文件");
    }
    if ((e = find(&v, str(man, "checkpoint"))) && e->data) {
        if (zf_checkpoint_parse(&cp, e->data, strlen(e->data), &err) < 0)
            fail(&v, "检查点 %s 格式错误：%s", e->name, err.message);
        else if (key && zf_checkpoint_verify(cp, cp->origin, key, &err) < 0)
            fail(&v, "检查点 %s 的签名无效（不是该公钥签发，或内容被改动）：%s", e->name, err.message);
    } else {
        fail(&v, "缺少签名检查点文件");
    }
    /* 3. the events */
    if (cp && (evj = load_json(&v, str(man, "events"), "台账事件文件")))
        check_events(&v, evj, cp);
    /* 4. coverage */
    for (i = 0; i < json_array_size(files); i++) {
        json_t *f = json_array_get(files, i);
        const char *role = str(f, "role");

        if (!role || !cp)
            continue;
        if (strcmp(role, "document") == 0) {
            json_t *dj = load_json(&v, str(f, "path"), "文书");

            n_docs++;
            check_cover(&v, f, "case_document", json_integer_value(json_object_get(f, "document_id")), 1);
            if (dj && json_integer_value(json_object_get(dj, "case_id")) != case_id)
                fail(&v, "文书 %s 属于另一案件", str(f, "path"));
            json_decref(dj);
        } else if (strcmp(role, "evidence") == 0) {
            n_ev++;
            check_cover(&v, f, "evidence", json_integer_value(json_object_get(f, "evidence_id")), 1);
        } else if (strcmp(role, "archive_record") == 0) {
            check_cover(&v, f, "case", case_id, 1);
            arch = load_json(&v, str(f, "path"), "归档记录");
        } else if (strcmp(role, "case") == 0) {
            check_cover(&v, f, "case", case_id, 0);
        }
    }
    if (json_object_get(cas, "archived_at") && !json_is_null(json_object_get(cas, "archived_at")) && !arch)
        fail(&v, "案件已归档，但案卷中没有归档记录（archive.json）");
    /* the 归档 record lists exactly what the bundle holds */
    if (arch) {
        json_t *docs = json_object_get(arch, "documents"), *evs = json_object_get(arch, "evidence");

        if (json_integer_value(json_object_get(arch, "case_id")) != case_id)
            fail(&v, "归档记录属于另一案件");
        for (i = 0; i < json_array_size(docs); i++) {
            json_t *d = json_array_get(docs, i);
            int found = 0;

            for (j = 0; j < json_array_size(files); j++) {
                json_t *f = json_array_get(files, j);

                if (str(f, "role") && strcmp(str(f, "role"), "document") == 0 &&
                    json_integer_value(json_object_get(f, "document_id")) == json_integer_value(json_object_get(d, "id")))
                    found = str(f, "sha256") && str(d, "content_sha256") &&
                            strcmp(str(f, "sha256"), str(d, "content_sha256")) == 0 ? 1 : -1;
            }
            if (found != 1)
                fail(&v, "归档记录中的文书 %lld（%s）%s", (long long)json_integer_value(json_object_get(d, "id")),
                     str(d, "template") ? str(d, "template") : "", found ? "与案卷中的文件不符" : "不在案卷中");
        }
        for (i = 0; i < json_array_size(evs); i++) {
            json_t *d = json_array_get(evs, i);
            int found = 0;

            for (j = 0; j < json_array_size(files); j++) {
                json_t *f = json_array_get(files, j);

                if (str(f, "role") && strcmp(str(f, "role"), "evidence") == 0 &&
                    json_integer_value(json_object_get(f, "evidence_id")) == json_integer_value(json_object_get(d, "id")))
                    found = str(f, "sha256") && str(d, "sha256") && strcmp(str(f, "sha256"), str(d, "sha256")) == 0
                                ? 1
                                : -1;
            }
            if (found != 1)
                fail(&v, "归档记录中的证据文件 %lld %s", (long long)json_integer_value(json_object_get(d, "id")),
                     found ? "与案卷中的文件不符" : "不在案卷中");
        }
    }
summary:
    printf("案卷：%s，案件 %lld（%s），%zu 个文件，文书 %zu 件，证据文件 %zu 个，台账事件 %zu 条",
           path, man ? (long long)json_integer_value(json_object_get(json_object_get(man, "case"), "id")) : 0LL,
           man && str(json_object_get(man, "case"), "case_no") && *str(json_object_get(man, "case"), "case_no")
               ? str(json_object_get(man, "case"), "case_no")
               : "无案号",
           v.n, n_docs, n_ev, v.n_evs);
    if (cp) {
        char hex[ZF_HASH_HEXLEN + 1];

        zf_hash_to_hex(hex, &cp->root);
        printf("，检查点 %llu 条、根哈希 %s", (unsigned long long)cp->size, hex);
    }
    if (key)
        printf("，签名密钥 %s（%s）", zf_sign_key_id(key), zf_sign_alg_name(zf_sign_key_alg(key)));
    printf("\n");
    for (i = 0; i < v.n; i++) {
        free(v.e[i].name);
        free(v.e[i].data);
    }
    free(v.e);
    free(v.evs);
    json_decref(man);
    json_decref(evj);
    json_decref(arch);
    zf_checkpoint_free(cp);
    zf_sign_key_free(key);
    if (v.failures) {
        printf("校验失败：发现 %ld 处不符，案卷可能被改动、删减或插入。\n", v.failures);
        return 1;
    }
    printf("校验通过：文件哈希、检查点签名、台账事件及其包含证明、文书与证据的台账覆盖均完好。\n");
    return 0;
}
