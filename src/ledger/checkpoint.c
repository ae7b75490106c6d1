/* checkpoint.c — see checkpoint.h. */
#include "ledger/checkpoint.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ledger/sm3.h"
#include "util/mem.h"

#define SIG_PREFIX "\xe2\x80\x94 " /* U+2014 EM DASH, space */
#define SIG_PREFIX_LEN 4
#define SM2_TYPE_NAME "zhifa-sm2-sm3"
#define MAX_EXT_LEN 1024

/* ---- base64 ------------------------------------------------------------ */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int zf_base64_encode(zf_buf *out, const uint8_t *data, size_t len)
{
    size_t i;
    int rc = 0;

    for (i = 0; i + 2 < len && rc == 0; i += 3) {
        char q[4] = {B64[data[i] >> 2], B64[(data[i] & 3) << 4 | data[i + 1] >> 4],
                     B64[(data[i + 1] & 15) << 2 | data[i + 2] >> 6], B64[data[i + 2] & 63]};
        rc = zf_buf_append(out, q, 4);
    }
    if (rc == 0 && len - i == 1) {
        char q[4] = {B64[data[i] >> 2], B64[(data[i] & 3) << 4], '=', '='};
        rc = zf_buf_append(out, q, 4);
    } else if (rc == 0 && len - i == 2) {
        char q[4] = {B64[data[i] >> 2], B64[(data[i] & 3) << 4 | data[i + 1] >> 4],
                     B64[(data[i + 1] & 15) << 2], '='};
        rc = zf_buf_append(out, q, 4);
    }
    return rc;
}

static int b64val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int zf_base64_decode(uint8_t *out, size_t *out_len, const char *in, size_t len)
{
    size_t i, n = 0;

    *out_len = 0;
    if (len % 4 != 0)
        return ZF_EINVAL;
    for (i = 0; i < len; i += 4) {
        int v[4], k, pad = 0;
        bool last = i + 4 == len;
        for (k = 0; k < 4; k++) {
            if (last && in[i + k] == '=' && k >= 2) {
                v[k] = 0;
                pad++;
                continue;
            }
            if (pad || (v[k] = b64val(in[i + k])) < 0)
                return ZF_EINVAL; /* bad digit, or a digit after '=' */
        }
        /* Canonical form: the bits dropped by padding are zero. */
        if ((pad == 1 && (v[2] & 3)) || (pad == 2 && (v[1] & 15)))
            return ZF_EINVAL;
        out[n++] = (uint8_t)(v[0] << 2 | v[1] >> 4);
        if (pad < 2)
            out[n++] = (uint8_t)((v[1] & 15) << 4 | v[2] >> 2);
        if (pad < 1)
            out[n++] = (uint8_t)((v[2] & 3) << 6 | v[3]);
    }
    *out_len = n;
    return 0;
}

/* ---- validation helpers ------------------------------------------------ */

/* Valid UTF-8 with no C0 control character or DEL: those (CR above all)
 * could make two readers split or display the same note differently. */
static bool text_ok(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;

    while (i < len) {
        unsigned char c = u[i];
        size_t need, k;
        uint32_t cp;
        if (c < 0x20 || c == 0x7f)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            need = 1, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            need = 2, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            need = 3, cp = c & 0x07;
        else
            return false;
        if (i + need >= len)
            return false;
        for (k = 1; k <= need; k++) {
            if ((u[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (u[i + k] & 0x3f);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += need + 1;
    }
    return true;
}

static bool key_name_ok(const char *s, size_t len)
{
    size_t i;

    if (len == 0 || len > ZF_CHECKPOINT_MAX_NAME || !text_ok(s, len))
        return false;
    for (i = 0; i < len; i++)
        if (s[i] == ' ' || s[i] == '+')
            return false;
    return true;
}

static int bad_note(zf_err *err, const char *why)
{
    return zf_err_set(err, ZF_EINVAL, "invalid_checkpoint", "note", "检查点格式无效：%s", why);
}

/* ---- building ------------------------------------------------------------ */

int zf_checkpoint_new(zf_checkpoint **out, const char *origin, uint64_t size,
                      const zf_hash *root, zf_err *err)
{
    zf_checkpoint *c;
    size_t n = origin ? strlen(origin) : 0;

    *out = NULL;
    if (n == 0 || n > ZF_CHECKPOINT_MAX_NAME || !text_ok(origin, n))
        return zf_err_set(err, ZF_EINVAL, "invalid_origin", "origin",
                          "检查点来源名称无效（1 到 255 字节，不含控制字符）");
    c = zf_calloc(1, sizeof *c);
    c->origin = zf_strndup(origin, n);
    c->size = size;
    c->root = *root;
    *out = c;
    return 0;
}

int zf_checkpoint_add_extension(zf_checkpoint *c, const char *line, zf_err *err)
{
    size_t n = line ? strlen(line) : 0;

    if (c->n_sigs)
        return zf_err_set(err, ZF_ECONFLICT, NULL, NULL, "检查点已签名，不能再修改");
    if (c->n_ext == ZF_CHECKPOINT_MAX_EXT)
        return zf_err_set(err, ZF_ETOOBIG, NULL, NULL, "检查点扩展行过多");
    if (n == 0 || n > MAX_EXT_LEN || !text_ok(line, n))
        return zf_err_set(err, ZF_EINVAL, "invalid_extension", NULL, "检查点扩展行无效");
    c->ext[c->n_ext++] = zf_strndup(line, n);
    return 0;
}

void zf_checkpoint_free(zf_checkpoint *c)
{
    size_t i;

    if (!c)
        return;
    free(c->origin);
    for (i = 0; i < c->n_ext; i++)
        free(c->ext[i]);
    free(c);
}

int zf_checkpoint_body(zf_buf *out, const zf_checkpoint *c, zf_err *err)
{
    size_t i;
    int rc;

    if ((rc = zf_buf_printf(out, "%s\n%llu\n", c->origin, (unsigned long long)c->size)) < 0 ||
        (rc = zf_base64_encode(out, c->root.b, ZF_HASH_LEN)) < 0 ||
        (rc = zf_buf_putc(out, '\n')) < 0)
        goto fail;
    for (i = 0; i < c->n_ext; i++)
        if ((rc = zf_buf_printf(out, "%s\n", c->ext[i])) < 0)
            goto fail;
    return 0;
fail:
    return zf_err_set(err, rc, NULL, NULL, "检查点过大");
}

int zf_checkpoint_serialize(zf_buf *out, const zf_checkpoint *c, zf_err *err)
{
    size_t i;
    int rc;

    if ((rc = zf_checkpoint_body(out, c, err)) < 0)
        return rc;
    if ((rc = zf_buf_putc(out, '\n')) < 0)
        goto fail;
    for (i = 0; i < c->n_sigs; i++) {
        uint8_t raw[4 + ZF_NOTE_SIG_MAX];
        const zf_note_sig *s = &c->sigs[i];
        memcpy(raw, s->key_hash, 4);
        memcpy(raw + 4, s->sig, s->sig_len);
        if ((rc = zf_buf_printf(out, SIG_PREFIX "%s ", s->name)) < 0 ||
            (rc = zf_base64_encode(out, raw, 4 + s->sig_len)) < 0 ||
            (rc = zf_buf_putc(out, '\n')) < 0)
            goto fail;
    }
    return 0;
fail:
    return zf_err_set(err, rc, NULL, NULL, "检查点过大");
}

int zf_note_key_hash(uint8_t out[4], const char *key_name, const zf_sign_key *key, zf_err *err)
{
    uint8_t pub[65], h[ZF_DIGEST_LEN];
    size_t publen = 0;
    zf_buf in = ZF_BUF_INIT;
    int rc;

    if ((rc = zf_sign_key_public_raw(pub, &publen, key, err)) < 0)
        return rc;
    zf_buf_puts(&in, key_name);
    zf_buf_putc(&in, '\n');
    if (zf_sign_key_alg(key) == ZF_SIGN_ED25519) {
        zf_buf_putc(&in, 0x01);
    } else {
        zf_buf_putc(&in, (char)0xff);
        zf_buf_puts(&in, SM2_TYPE_NAME);
    }
    zf_buf_append(&in, pub, publen);
    rc = zf_sha256(h, in.ptr, in.len);
    zf_buf_free(&in);
    if (rc < 0)
        return zf_err_set(err, rc, NULL, NULL, "计算密钥标识失败");
    memcpy(out, h, 4);
    return 0;
}

int zf_checkpoint_sign(zf_checkpoint *c, const char *key_name, const zf_sign_key *key,
                       zf_err *err)
{
    zf_buf body = ZF_BUF_INIT;
    zf_note_sig *s;
    int rc;

    if (!key_name || !key_name_ok(key_name, strlen(key_name)))
        return zf_err_set(err, ZF_EINVAL, "invalid_key_name", "key_name",
                          "签名密钥名称无效（不能含空格、加号或控制字符）");
    if (c->n_sigs == ZF_CHECKPOINT_MAX_SIGS)
        return zf_err_set(err, ZF_ETOOBIG, NULL, NULL, "检查点签名过多");
    s = &c->sigs[c->n_sigs];
    memset(s, 0, sizeof *s);
    if ((rc = zf_checkpoint_body(&body, c, err)) < 0 ||
        (rc = zf_note_key_hash(s->key_hash, key_name, key, err)) < 0 ||
        (rc = zf_sign(s->sig, &s->sig_len, key, body.ptr, body.len, err)) < 0)
        goto done;
    snprintf(s->name, sizeof s->name, "%s", key_name);
    c->n_sigs++;
done:
    zf_buf_free(&body);
    return rc;
}

/* ---- parsing ------------------------------------------------------------- */

/* Parses a canonical unsigned decimal: no sign, no leading zero, no overflow. */
static bool parse_u64(uint64_t *out, const char *s, size_t len)
{
    uint64_t v = 0;
    size_t i;

    if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
        return false;
    for (i = 0; i < len; i++) {
        unsigned d;
        if (s[i] < '0' || s[i] > '9')
            return false;
        d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

static int parse_sig_line(zf_note_sig *s, const char *line, size_t len, zf_err *err)
{
    const char *name, *sp, *b64;
    size_t name_len, b64_len, raw_len = 0;
    uint8_t raw[(ZF_CHECKPOINT_MAX / 4) * 3 + 3];

    if (len < SIG_PREFIX_LEN || memcmp(line, SIG_PREFIX, SIG_PREFIX_LEN) != 0)
        return bad_note(err, "签名行必须以“— ”开头");
    name = line + SIG_PREFIX_LEN;
    sp = memchr(name, ' ', len - SIG_PREFIX_LEN);
    if (!sp)
        return bad_note(err, "签名行缺少签名");
    name_len = (size_t)(sp - name);
    b64 = sp + 1;
    b64_len = len - SIG_PREFIX_LEN - name_len - 1;
    if (!key_name_ok(name, name_len))
        return bad_note(err, "签名密钥名称无效");
    if (b64_len / 4 * 3 > sizeof raw || zf_base64_decode(raw, &raw_len, b64, b64_len) < 0)
        return bad_note(err, "签名不是有效的 base64");
    if (raw_len < 5 || raw_len - 4 > ZF_NOTE_SIG_MAX)
        return bad_note(err, "签名长度无效");
    memset(s, 0, sizeof *s);
    memcpy(s->name, name, name_len);
    memcpy(s->key_hash, raw, 4);
    memcpy(s->sig, raw + 4, raw_len - 4);
    s->sig_len = raw_len - 4;
    return 0;
}

int zf_checkpoint_parse(zf_checkpoint **out, const char *note, size_t len, zf_err *err)
{
    zf_checkpoint *c = NULL;
    const char *p, *end, *sep = NULL, *nl;
    size_t i, root_len = 0;
    uint8_t root[48];
    int rc, line_no = 0;

    *out = NULL;
    if (len > ZF_CHECKPOINT_MAX)
        return zf_err_set(err, ZF_ETOOBIG, "invalid_checkpoint", "note", "检查点超过 16 KiB");
    if (len == 0 || note[len - 1] != '\n')
        return bad_note(err, "必须以换行结尾");
    /* UTF-8 and control characters, line by line (LF is the only one allowed). */
    for (p = note; p < note + len; p = nl + 1) {
        nl = memchr(p, '\n', (size_t)(note + len - p));
        if (!text_ok(p, (size_t)(nl - p)))
            return bad_note(err, "含有无效的 UTF-8、回车或控制字符");
    }
    /* The body ends at the last blank line (as Go's note.Open). */
    for (i = len - 1; i > 0; i--)
        if (note[i] == '\n' && note[i - 1] == '\n') {
            sep = note + i - 1;
            break;
        }
    if (!sep)
        return bad_note(err, "缺少正文与签名之间的空行");

    c = zf_calloc(1, sizeof *c);
    /* Body lines: [note, sep] inclusive of sep's newline. */
    end = sep + 1;
    for (p = note; p < end; p = nl + 1, line_no++) {
        size_t n;
        nl = memchr(p, '\n', (size_t)(end - p));
        n = (size_t)(nl - p);
        if (n == 0) {
            rc = bad_note(err, "正文中有空行");
            goto done;
        }
        if (line_no == 0) {
            if (n > ZF_CHECKPOINT_MAX_NAME) {
                rc = bad_note(err, "来源名称过长");
                goto done;
            }
            c->origin = zf_strndup(p, n);
        } else if (line_no == 1) {
            if (!parse_u64(&c->size, p, n)) {
                rc = bad_note(err, "树大小不是规范的十进制数");
                goto done;
            }
        } else if (line_no == 2) {
            if (n > 64 || zf_base64_decode(root, &root_len, p, n) < 0 ||
                root_len != ZF_HASH_LEN) {
                rc = bad_note(err, "根哈希不是 32 字节的 base64");
                goto done;
            }
            memcpy(c->root.b, root, ZF_HASH_LEN);
        } else {
            if (c->n_ext == ZF_CHECKPOINT_MAX_EXT || n > MAX_EXT_LEN) {
                rc = bad_note(err, "扩展行过多或过长");
                goto done;
            }
            c->ext[c->n_ext++] = zf_strndup(p, n);
        }
    }
    if (line_no < 3) {
        rc = bad_note(err, "正文至少需要来源、树大小、根哈希三行");
        goto done;
    }
    /* Signature lines: after the blank line to the end. */
    for (p = sep + 2; p < note + len; p = nl + 1) {
        nl = memchr(p, '\n', (size_t)(note + len - p));
        if (c->n_sigs == ZF_CHECKPOINT_MAX_SIGS) {
            rc = bad_note(err, "签名行过多");
            goto done;
        }
        if ((rc = parse_sig_line(&c->sigs[c->n_sigs], p, (size_t)(nl - p), err)) < 0)
            goto done;
        c->n_sigs++;
    }
    if (c->n_sigs == 0) {
        rc = bad_note(err, "没有签名");
        goto done;
    }
    *out = c;
    c = NULL;
    rc = 0;
done:
    zf_checkpoint_free(c);
    return rc;
}

int zf_checkpoint_verify(const zf_checkpoint *c, const char *key_name, const zf_sign_key *key,
                         zf_err *err)
{
    uint8_t kh[4];
    zf_buf body = ZF_BUF_INIT;
    size_t i;
    int rc;

    if ((rc = zf_note_key_hash(kh, key_name, key, err)) < 0)
        return rc;
    for (i = 0; i < c->n_sigs; i++) {
        const zf_note_sig *s = &c->sigs[i];
        if (strcmp(s->name, key_name) != 0 || memcmp(s->key_hash, kh, 4) != 0)
            continue;
        if ((rc = zf_checkpoint_body(&body, c, err)) < 0)
            goto done;
        if (zf_sign_verify(key, body.ptr, body.len, s->sig, s->sig_len, NULL) < 0)
            rc = zf_err_set(err, ZF_EINVAL, "signature_invalid", "note",
                            "检查点上 %s 的签名无效", key_name);
        goto done;
    }
    rc = zf_err_set(err, ZF_ENOTFOUND, "signature_missing", "note", "检查点上没有 %s 的签名",
                    key_name);
done:
    zf_buf_free(&body);
    return rc;
}

int zf_checkpoint_check_consistent(const zf_checkpoint *older, const zf_checkpoint *newer,
                                   const zf_hash *proof, size_t proof_len, zf_err *err)
{
    zf_bytes pb[ZF_MERKLE_MAX_PROOF];
    zf_bytes r1 = {older->root.b, ZF_HASH_LEN}, r2 = {newer->root.b, ZF_HASH_LEN};
    zf_hash empty;
    size_t i;

    if (strcmp(older->origin, newer->origin) != 0)
        return zf_err_set(err, ZF_ECONFLICT, "checkpoint_inconsistent", NULL,
                          "两个检查点来自不同的日志（%s / %s）", older->origin, newer->origin);
    if (newer->size < older->size)
        return zf_err_set(err, ZF_ECONFLICT, "checkpoint_inconsistent", NULL,
                          "新检查点的树（%llu）小于旧检查点（%llu）",
                          (unsigned long long)newer->size, (unsigned long long)older->size);
    if (older->size == 0) {
        /* Every tree extends the empty one; only its root can be wrong. */
        zf_merkle_empty_root(&empty);
        if (!zf_hash_equal(&empty, &older->root))
            return zf_err_set(err, ZF_ECONFLICT, "checkpoint_inconsistent", NULL,
                              "空树检查点的根哈希不是空树哈希");
        return 0;
    }
    if (proof_len > ZF_MERKLE_MAX_PROOF)
        return zf_err_set(err, ZF_EINVAL, "proof_invalid", NULL, "一致性证明过长");
    for (i = 0; i < proof_len; i++) {
        pb[i].ptr = proof[i].b;
        pb[i].len = ZF_HASH_LEN;
    }
    if (zf_merkle_verify_consistency(older->size, newer->size, pb, proof_len, r1, r2, NULL) < 0)
        return zf_err_set(err, ZF_ECONFLICT, "checkpoint_inconsistent", NULL,
                          "检查点 %llu 与 %llu 不一致", (unsigned long long)older->size,
                          (unsigned long long)newer->size);
    return 0;
}
