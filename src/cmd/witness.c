/* witness.c — `zhifa witness URL --state DIR [--key FILE] [--name NAME]
 * [--once] [--interval N]`: an independent witness of a zhifa ledger, run by
 * another party (the Justice Bureau on its own machine, say).
 *
 * Each round it fetches the server's latest checkpoint, checks its signature
 * with the server's public key (pinned in the state directory at first
 * contact: a later key change is refused), checks that it extends the last
 * checkpoint this witness kept (fetching a consistency proof and verifying
 * it here, not trusting the server), countersigns the note body with its own
 * key and posts the cosignature back, then keeps the new checkpoint. Any
 * inconsistency or bad signature ends the program with exit 1 and a Chinese
 * message naming both sizes and roots: that is the alarm.
 *
 * State directory: log.pub (the pinned server key), witness.key (Ed25519,
 * created at the first run unless --key is given, 0600), checkpoint (the
 * last kept note). HTTP goes through libcurl (http:// and https://). */
#include "cmd/cmd.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger/checkpoint.h"
#include "ledger/merkle.h"
#include "ledger/sign.h"
#include "util/buf.h"
#include "util/mem.h"

static const char USAGE[] =
    "用法：zhifa witness URL --state DIR [--key FILE] [--name NAME] [--once] [--interval N]\n"
    "\n"
    "作为独立见证方监督 URL 处 zhifa 服务器的台账：取得最新检查点，用首次连接时记录的\n"
    "服务器公钥核验签名，核验它与本见证方上次保存的检查点一致（只追加、未删改），\n"
    "然后用自己的密钥会签并提交回服务器。发现任何不一致或签名无效时立即报警并以 1 退出。\n"
    "\n"
    "选项：\n"
    "  --state DIR   状态目录：服务器公钥、见证密钥和上次保存的检查点\n"
    "  --key FILE    见证方私钥（PEM，Ed25519 或 SM2）；默认在状态目录中自动创建 Ed25519 密钥\n"
    "  --name NAME   见证方名称（签名行中的名称，须与服务器登记的一致；默认 witness）\n"
    "  --once        只检查一轮\n"
    "  --interval N  两轮之间的秒数（默认 60）\n"
    "  -h, --help    显示本帮助\n";

#define MAX_BODY (1024 * 1024)

typedef struct witness {
    const char *url;
    const char *state;
    const char *name;
    zf_sign_key *log_key;
    zf_sign_key *my_key;
} witness;

/* ---- HTTP ---- */

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    zf_buf *b = ud;
    return zf_buf_append(b, p, size * n) < 0 ? 0 : size * n;
}

/* GET (body NULL) or POST a JSON body; fills out (bounded) and *status. */
static int http(zf_buf *out, long *status, const char *url, const char *body, zf_err *err)
{
    CURL *h = curl_easy_init();
    struct curl_slist *hdrs = NULL;
    CURLcode cc;

    zf_buf_init(out, MAX_BODY);
    *status = 0;
    if (!h)
        return zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "无法初始化 HTTP 客户端");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "zhifa-witness");
    if (body) {
        hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    }
    cc = curl_easy_perform(h);
    if (cc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    if (cc != CURLE_OK)
        return zf_err_set(err, ZF_EIO, "http_failed", NULL, "无法访问 %s：%s", url, curl_easy_strerror(cc));
    return 0;
}

static int get_ok(zf_buf *out, witness *w, const char *path, zf_err *err)
{
    char url[2048];
    long status;
    int rc;

    snprintf(url, sizeof url, "%s%s", w->url, path);
    if ((rc = http(out, &status, url, NULL, err)) < 0)
        return rc;
    if (status != 200)
        return zf_err_set(err, ZF_EIO, "http_status", NULL, "%s 返回 HTTP %ld：%.200s", url, status, zf_buf_str(out));
    return 0;
}

/* ---- files ---- */

static int read_file(zf_buf *out, const char *path)
{
    FILE *f = fopen(path, "rb");
    char chunk[4096];
    size_t n;

    zf_buf_init(out, ZF_CHECKPOINT_MAX + ZF_SIGN_MAX_PEM);
    if (!f)
        return -1;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (zf_buf_append(out, chunk, n) < 0) {
            fclose(f);
            return -1;
        }
    fclose(f);
    return 0;
}

/* tmp file, fsync, rename, fsync the directory: a crash leaves the old or
 * the new content, never a torn one. */
static int write_atomic(const char *dir, const char *name, const char *data, size_t len, mode_t mode)
{
    char path[4096], tmp[4200];
    int fd, dfd, ok;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)) < 0)
        return -1;
    ok = write(fd, data, len) == (ssize_t)len && fsync(fd) == 0;
    close(fd);
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

static int load_key_file(zf_sign_key **out, const char *path, zf_err *err)
{
    zf_buf b;
    int rc;

    if (read_file(&b, path) < 0) {
        zf_buf_free(&b);
        return zf_err_set(err, ZF_EIO, "key_unreadable", NULL, "无法读取密钥文件 %s", path);
    }
    rc = zf_sign_key_from_pem(out, zf_buf_str(&b), b.len, err);
    zf_buf_free(&b);
    return rc;
}

static int setup_keys(witness *w, const char *key_flag, zf_err *err)
{
    char path[4096];
    struct stat sb;
    int rc;

    if (mkdir(w->state, 0700) != 0 && errno != EEXIST)
        return zf_err_set(err, ZF_EIO, NULL, NULL, "无法创建状态目录 %s：%s", w->state, strerror(errno));
    if (key_flag) {
        rc = load_key_file(&w->my_key, key_flag, err);
    } else {
        snprintf(path, sizeof path, "%s/witness.key", w->state);
        if (stat(path, &sb) != 0) {
            zf_buf pem = ZF_BUF_INIT, pub = ZF_BUF_INIT;
            if ((rc = zf_sign_key_generate(&w->my_key, ZF_SIGN_ED25519, err)) < 0 ||
                (rc = zf_sign_key_private_pem(&pem, w->my_key, err)) < 0 ||
                (rc = zf_sign_key_public_pem(&pub, w->my_key, err)) < 0) {
                zf_buf_free(&pem);
                zf_buf_free(&pub);
                return rc;
            }
            rc = write_atomic(w->state, "witness.key", pem.ptr, pem.len, 0600) < 0 ||
                         write_atomic(w->state, "witness.pub", pub.ptr, pub.len, 0644) < 0
                     ? zf_err_set(err, ZF_EIO, NULL, NULL, "无法写入见证密钥 %s", path)
                     : 0;
            if (rc == 0)
                fprintf(stderr, "zhifa witness: 已创建见证密钥 %s；请服务器管理员登记名称 %s 和以下公钥：\n%s", path,
                        w->name, zf_buf_str(&pub));
            memset(pem.ptr, 0, pem.len);
            zf_buf_free(&pem);
            zf_buf_free(&pub);
        } else {
            rc = load_key_file(&w->my_key, path, err);
        }
    }
    if (rc == 0 && !zf_sign_key_has_private(w->my_key))
        rc = zf_err_set(err, ZF_EINVAL, NULL, NULL, "见证密钥必须是私钥");
    return rc;
}

/* The server's key: pinned at first contact, never replaced. */
static int pin_log_key(witness *w, zf_err *err)
{
    char path[4096];
    zf_buf b = ZF_BUF_INIT;
    int rc;

    snprintf(path, sizeof path, "%s/log.pub", w->state);
    if (access(path, F_OK) == 0)
        return load_key_file(&w->log_key, path, err);
    if ((rc = get_ok(&b, w, "/api/v1/ledger/public-key", err)) < 0 ||
        (rc = zf_sign_key_from_pem(&w->log_key, zf_buf_str(&b), b.len, err)) < 0)
        goto done;
    if (write_atomic(w->state, "log.pub", b.ptr, b.len, 0644) < 0)
        rc = zf_err_set(err, ZF_EIO, NULL, NULL, "无法保存服务器公钥 %s", path);
    else
        fprintf(stderr, "zhifa witness: 首次连接，已记录服务器公钥（密钥编号 %s）\n", zf_sign_key_id(w->log_key));
done:
    zf_buf_free(&b);
    return rc;
}

/* ---- one round ---- */

static void root_b64(zf_buf *out, const zf_hash *h)
{
    zf_base64_encode(out, h->b, ZF_HASH_LEN);
}

/* Prints the alarm and returns 1 (the exit code). */
static int alarm_inconsistent(const zf_checkpoint *old, const zf_checkpoint *cur, const char *why)
{
    char a[ZF_HASH_HEXLEN + 1], b[ZF_HASH_HEXLEN + 1];

    zf_hash_to_hex(a, &old->root);
    zf_hash_to_hex(b, &cur->root);
    fprintf(stderr,
            "zhifa witness: 警报！台账不一致（%s）：\n"
            "  上次保存的检查点：%llu 条，根哈希 %s\n"
            "  服务器现在的检查点：%llu 条，根哈希 %s\n"
            "  新检查点不是旧检查点的追加延续，台账可能被删改。已拒绝会签，请立即核查。\n",
            why, (unsigned long long)old->size, a, (unsigned long long)cur->size, b);
    return 1;
}

static int fetch_proof(zf_hash *out, size_t *out_len, witness *w, uint64_t first, uint64_t second, zf_err *err)
{
    char path[128];
    zf_buf b = ZF_BUF_INIT;
    json_t *v = NULL, *arr;
    size_t i;
    int rc;

    *out_len = 0;
    snprintf(path, sizeof path, "/api/v1/ledger/proof/consistency?first=%llu&second=%llu", (unsigned long long)first,
             (unsigned long long)second);
    if ((rc = get_ok(&b, w, path, err)) < 0)
        goto done;
    v = json_loadb(b.ptr, b.len, 0, NULL);
    arr = json_object_get(v, "proof");
    if (!json_is_array(arr) || json_array_size(arr) > ZF_MERKLE_MAX_PROOF) {
        rc = zf_err_set(err, ZF_EINVAL, NULL, NULL, "服务器返回的一致性证明格式错误");
        goto done;
    }
    for (i = 0; i < json_array_size(arr); i++) {
        const char *hex = json_string_value(json_array_get(arr, i));
        if (!hex || zf_hash_from_hex(&out[i], hex, strlen(hex)) < 0) {
            rc = zf_err_set(err, ZF_EINVAL, NULL, NULL, "服务器返回的一致性证明格式错误");
            goto done;
        }
    }
    *out_len = i;
done:
    json_decref(v);
    zf_buf_free(&b);
    return rc;
}

static int cosign(witness *w, const zf_checkpoint *cp, zf_err *err)
{
    zf_buf body = ZF_BUF_INIT, line = ZF_BUF_INIT, resp = ZF_BUF_INIT;
    uint8_t blob[4 + ZF_SIGN_MAX_SIG];
    size_t sig_len = 0;
    char url[2048], *post = NULL;
    json_t *req;
    long status = 0;
    int rc;

    if ((rc = zf_checkpoint_body(&body, cp, err)) < 0 || (rc = zf_note_key_hash(blob, w->name, w->my_key, err)) < 0 ||
        (rc = zf_sign(blob + 4, &sig_len, w->my_key, body.ptr, body.len, err)) < 0)
        goto done;
    zf_buf_printf(&line, "\xe2\x80\x94 %s ", w->name);
    zf_base64_encode(&line, blob, 4 + sig_len);
    req = json_pack("{s:I,s:s}", "tree_size", (json_int_t)cp->size, "signature", zf_buf_str(&line));
    post = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    snprintf(url, sizeof url, "%s/api/v1/ledger/cosignatures", w->url);
    if ((rc = http(&resp, &status, url, post, err)) < 0)
        goto done;
    if (status != 200 && status != 201) {
        zf_buf pub = ZF_BUF_INIT;
        zf_sign_key_public_pem(&pub, w->my_key, NULL);
        fprintf(stderr,
                "zhifa witness: 警告：服务器未接受会签（HTTP %ld：%.300s）。如尚未登记，请管理员以名称 %s "
                "登记以下公钥：\n%s",
                status, zf_buf_str(&resp), w->name, zf_buf_str(&pub));
        zf_buf_free(&pub);
    }
done:
    free(post);
    zf_buf_free(&body);
    zf_buf_free(&line);
    zf_buf_free(&resp);
    return rc;
}

/* Returns 0 after a good round, 1 on an alarm, negative on an error that
 * may be temporary (network). */
static int round_once(witness *w, zf_err *err)
{
    zf_buf b = ZF_BUF_INIT, kept_text, out = ZF_BUF_INIT, r1 = ZF_BUF_INIT, r2 = ZF_BUF_INIT;
    zf_checkpoint *cp = NULL, *kept = NULL;
    json_t *v = NULL;
    const char *note;
    char path[4096];
    zf_hash proof[ZF_MERKLE_MAX_PROOF];
    size_t plen = 0;
    int rc;

    if ((rc = get_ok(&b, w, "/api/v1/ledger/checkpoint", err)) < 0)
        goto done;
    v = json_loadb(b.ptr, b.len, 0, NULL);
    note = json_string_value(json_object_get(v, "note"));
    if (!note || zf_checkpoint_parse(&cp, note, strlen(note), NULL) < 0) {
        fprintf(stderr, "zhifa witness: 警报！服务器返回的检查点格式错误\n");
        rc = 1;
        goto done;
    }
    if (zf_checkpoint_verify(cp, cp->origin, w->log_key, NULL) < 0) {
        char hex[ZF_HASH_HEXLEN + 1];
        zf_hash_to_hex(hex, &cp->root);
        fprintf(stderr,
                "zhifa witness: 警报！检查点（%llu 条，根哈希 %s）的签名无法用首次连接时记录的服务器公钥（密钥编号 "
                "%s）验证\n",
                (unsigned long long)cp->size, hex, zf_sign_key_id(w->log_key));
        rc = 1;
        goto done;
    }
    snprintf(path, sizeof path, "%s/checkpoint", w->state);
    if (read_file(&kept_text, path) == 0) {
        if (zf_checkpoint_parse(&kept, zf_buf_str(&kept_text), kept_text.len, err) < 0) {
            zf_buf_free(&kept_text);
            rc = zf_err_set(err, ZF_EINVAL, NULL, NULL, "状态目录中保存的检查点 %s 已损坏", path);
            goto done;
        }
        if (strcmp(kept->origin, cp->origin) != 0) {
            rc = alarm_inconsistent(kept, cp, "来源名称不同");
            zf_buf_free(&kept_text);
            goto done;
        }
        if (cp->size < kept->size) {
            rc = alarm_inconsistent(kept, cp, "树变小了");
            zf_buf_free(&kept_text);
            goto done;
        }
        if (cp->size > kept->size && kept->size > 0 &&
            (rc = fetch_proof(proof, &plen, w, kept->size, cp->size, err)) < 0) {
            /* a server that cannot prove the extension is as bad as a wrong proof */
            rc = alarm_inconsistent(kept, cp, err->message);
            zf_buf_free(&kept_text);
            goto done;
        }
        if (zf_checkpoint_check_consistent(kept, cp, proof, plen, NULL) < 0) {
            rc = alarm_inconsistent(kept, cp, cp->size == kept->size ? "同样大小而根哈希不同" : "一致性证明不成立");
            zf_buf_free(&kept_text);
            goto done;
        }
    } else {
        zf_buf_free(&kept_text);
    }
    zf_buf_free(&kept_text);
    if ((rc = cosign(w, cp, err)) < 0)
        goto done;
    /* keep the note as the server signed it (without others' cosignatures) */
    while (cp->n_sigs > 1)
        cp->n_sigs--; /* the log's own line comes first */
    if ((rc = zf_checkpoint_serialize(&out, cp, err)) < 0)
        goto done;
    if (write_atomic(w->state, "checkpoint", out.ptr, out.len, 0644) < 0) {
        rc = zf_err_set(err, ZF_EIO, NULL, NULL, "无法保存检查点到 %s", path);
        goto done;
    }
    root_b64(&r1, &cp->root);
    printf("zhifa witness: 检查点 %llu 条（根 %s）签名有效，与上次保存的%s一致，已会签\n",
           (unsigned long long)cp->size, zf_buf_str(&r1), kept ? "检查点" : "（首次）");
    fflush(stdout);
    rc = 0;
done:
    json_decref(v);
    zf_checkpoint_free(cp);
    zf_checkpoint_free(kept);
    zf_buf_free(&b);
    zf_buf_free(&out);
    zf_buf_free(&r1);
    zf_buf_free(&r2);
    return rc;
}

int zf_cmd_witness(int argc, char **argv)
{
    witness w;
    const char *key_flag = NULL;
    zf_err err = ZF_ERR_INIT;
    int once = 0, interval = 60, i, rc;
    char *url = NULL;

    if (zf_cmd_wants_help(argc, argv)) {
        fputs(USAGE, stdout);
        return 0;
    }
    memset(&w, 0, sizeof w);
    w.name = "witness";
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--state") == 0 && i + 1 < argc)
            w.state = argv[++i];
        else if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
            key_flag = argv[++i];
        else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
            w.name = argv[++i];
        else if (strcmp(argv[i], "--interval") == 0 && i + 1 < argc)
            interval = atoi(argv[++i]);
        else if (strcmp(argv[i], "--once") == 0)
            once = 1;
        else if (argv[i][0] == '-')
            return zf_cmd_usage_error("witness", "未知选项 %s", argv[i]);
        else if (!w.url)
            w.url = argv[i];
        else
            return zf_cmd_usage_error("witness", "多余的参数 %s", argv[i]);
    }
    if (!w.url || (strncmp(w.url, "http://", 7) != 0 && strncmp(w.url, "https://", 8) != 0))
        return zf_cmd_usage_error("witness", "缺少服务器地址 URL（http:// 或 https://）");
    if (!w.state)
        return zf_cmd_usage_error("witness", "缺少 --state DIR");
    if (interval < 1)
        return zf_cmd_usage_error("witness", "--interval 应为正整数");
    if (!*w.name || strpbrk(w.name, " +\t\n\r"))
        return zf_cmd_usage_error("witness", "--name 不能为空，也不能含空格或加号");
    url = zf_strdup(w.url);
    while (*url && url[strlen(url) - 1] == '/')
        url[strlen(url) - 1] = '\0';
    w.url = url;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if ((rc = setup_keys(&w, key_flag, &err)) < 0 || (rc = pin_log_key(&w, &err)) < 0) {
        rc = zf_cmd_fail(&err);
        goto done;
    }
    for (;;) {
        zf_err_clear(&err);
        rc = round_once(&w, &err);
        if (rc == 1)
            break;
        if (rc < 0) {
            fprintf(stderr, "zhifa witness: %s\n", err.message);
            if (once) {
                rc = 1;
                break;
            }
        }
        if (once) {
            rc = 0;
            break;
        }
        sleep((unsigned)interval);
    }
done:
    zf_sign_key_free(w.log_key);
    zf_sign_key_free(w.my_key);
    free(url);
    curl_global_cleanup();
    return rc;
}
