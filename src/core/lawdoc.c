/* lawdoc.c — see lawdoc.h.
 *
 * The parser walks the input once, line by line, over borrowed {ptr, len}
 * slices; only the strings that end up in the document are allocated. */
#include "core/lawdoc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"

#define MAX_LEVELS 6

/* ---- UTF-8 ------------------------------------------------------------ */

int zf_lawdoc_utf8_valid(const char *s, size_t len, size_t *bad_at)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < len) {
        unsigned c = p[i];
        size_t n, k;
        uint32_t cp;

        if (c == 0)
            goto bad;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
        } else {
            goto bad;
        }
        if (len - i <= n)
            goto bad;
        for (k = 1; k <= n; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                goto bad;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        /* Overlong forms, surrogates and values past U+10FFFF. */
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            goto bad;
        i += n + 1;
    }
    return 1;
bad:
    if (bad_at)
        *bad_at = i;
    return 0;
}

/* ---- numerals --------------------------------------------------------- */

static const char *const digit_utf8[10] = {"零", "一", "二", "三", "四",
                                           "五", "六", "七", "八", "九"};

int zf_lawdoc_numeral_format(char *out, size_t cap, int n)
{
    char tmp[64];
    size_t len = 0;
    int h = n / 100, t = n / 10 % 10, u = n % 10;

#define PUT(s) (len += (size_t)snprintf(tmp + len, sizeof tmp - len, "%s", (s)))
    if (n < 1 || n > 999)
        return ZF_EINVAL;
    if (h) {
        PUT(digit_utf8[h]);
        PUT("百");
        if (t) {
            PUT(digit_utf8[t]); /* 一百一十, not 一百十 */
            PUT("十");
        } else if (u) {
            PUT("零");
        }
    } else if (t) {
        if (t > 1)
            PUT(digit_utf8[t]); /* 十一, not 一十一 */
        PUT("十");
    }
    if (u)
        PUT(digit_utf8[u]);
#undef PUT
    if (len + 1 > cap)
        return ZF_EINVAL;
    memcpy(out, tmp, len + 1);
    return (int)len;
}

/* Reads one numeral character at s (3 bytes in UTF-8). Returns its digit
 * 0..9, 10 for 十, 100 for 百, 1000 for 千 (recognised only so that
 * "第一千条" is reported as out of range rather than read as text), or -1. */
static int numeral_char(const char *s, size_t len)
{
    static const char *const units[] = {"十", "百", "千"};
    int d;

    if (len < 3)
        return -1;
    for (d = 0; d < 10; d++)
        if (memcmp(s, digit_utf8[d], 3) == 0)
            return d;
    if (memcmp(s, "〇", 3) == 0)
        return 0;
    if (memcmp(s, units[0], 3) == 0)
        return 10;
    if (memcmp(s, units[1], 3) == 0)
        return 100;
    if (memcmp(s, units[2], 3) == 0)
        return 1000;
    return -1;
}

int zf_lawdoc_numeral_value(int *out, const char *s, size_t len)
{
    char canon[64], norm[64];
    size_t i;
    int total = 0, digit = -1;

    /* Every numeral character is 3 bytes; 九百九十九 is 5 of them. */
    if (len == 0 || len % 3 != 0 || len > 15)
        return ZF_EINVAL;
    for (i = 0; i < len; i += 3) {
        int c = numeral_char(s + i, len - i);

        if (c < 0)
            return ZF_EINVAL;
        if (c < 10) {
            digit = c;
            if (i + 3 >= len)
                total += c;
        } else {
            total += (digit < 0 ? 1 : digit) * c;
            digit = -1;
        }
    }
    /* Accept only the canonical spelling, so "十十" or "一十" cannot pass for
     * a number; 〇 is the one allowed variant of 零. */
    if (total < 1 || total > 999 || zf_lawdoc_numeral_format(canon, sizeof canon, total) < 0)
        return ZF_EINVAL;
    memcpy(norm, s, len);
    norm[len] = '\0';
    for (i = 0; i < len; i += 3)
        if (memcmp(norm + i, "〇", 3) == 0)
            memcpy(norm + i, "零", 3);
    if (strcmp(norm, canon) != 0)
        return ZF_EINVAL;
    *out = total;
    return 0;
}

int zf_lawdoc_article_label(char *out, size_t cap, int no, int sub)
{
    char a[64], b[64];
    int n;

    if (zf_lawdoc_numeral_format(a, sizeof a, no) < 0)
        return ZF_EINVAL;
    if (sub == 0) {
        n = snprintf(out, cap, "第%s条", a);
    } else {
        if (sub < 1 || sub > 99 || zf_lawdoc_numeral_format(b, sizeof b, sub) < 0)
            return ZF_EINVAL;
        n = snprintf(out, cap, "第%s条之%s", a, b);
    }
    if (n < 0 || (size_t)n >= cap)
        return ZF_EINVAL;
    return n;
}

int zf_lawdoc_storage_no(int no, int sub)
{
    return sub ? no * 1000 + sub : no;
}

/* ---- lines ------------------------------------------------------------ */

typedef struct {
    const char *p;
    size_t len;
} slice;

static int starts_with(slice s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len >= n && memcmp(s.p, lit, n) == 0;
}

/* Width of the whitespace character at s: ASCII blank or U+3000. */
static size_t space_at(const char *s, size_t len)
{
    if (len >= 1 && (s[0] == ' ' || s[0] == '\t'))
        return 1;
    if (len >= 3 && memcmp(s, "\xe3\x80\x80", 3) == 0)
        return 3;
    return 0;
}

static slice trim(slice s)
{
    size_t w;

    while (s.len && (w = space_at(s.p, s.len)) > 0) {
        s.p += w;
        s.len -= w;
    }
    for (;;) {
        if (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t' || s.p[s.len - 1] == '\r'))
            s.len--;
        else if (s.len >= 3 && memcmp(s.p + s.len - 3, "\xe3\x80\x80", 3) == 0)
            s.len -= 3;
        else
            break;
    }
    return s;
}

/* Length of the run of numeral characters at s. */
static size_t numeral_run(const char *s, size_t len)
{
    size_t i = 0;

    while (i + 3 <= len && numeral_char(s + i, len - i) >= 0)
        i += 3;
    return i;
}

/* Recognises an article marker at the start of line: "第X条" or "第X条之N"
 * followed by whitespace or the end of the line. Returns 1 and fills
 * no/sub/label_len/rest if it is one, 0 if the line is ordinary text, or
 * ZF_EINVAL if it has the shape of a marker with an unreadable number. */
static int article_marker(slice line, int *no, int *sub, size_t *label_len, slice *rest)
{
    size_t i = 3, nlen, slen = 0;
    int n, s = 0;

    if (!starts_with(line, "第"))
        return 0;
    nlen = numeral_run(line.p + i, line.len - i);
    if (nlen == 0 || line.len - i - nlen < 3 || memcmp(line.p + i + nlen, "条", 3) != 0)
        return 0;
    i += nlen + 3;
    if (line.len - i >= 3 && memcmp(line.p + i, "之", 3) == 0) {
        slen = numeral_run(line.p + i + 3, line.len - i - 3);
        if (slen == 0)
            return 0;
        i += 3 + slen;
    }
    /* "第三十一条的决定" inside a sentence is not a marker. */
    if (i < line.len && space_at(line.p + i, line.len - i) == 0)
        return 0;
    if (zf_lawdoc_numeral_value(&n, line.p + 3, nlen) < 0)
        return ZF_EINVAL;
    if (slen && (zf_lawdoc_numeral_value(&s, line.p + i - slen, slen) < 0 || s > 99))
        return ZF_EINVAL;
    *no = n;
    *sub = s;
    *label_len = i;
    rest->p = line.p + i;
    rest->len = line.len - i;
    *rest = trim(*rest);
    return 1;
}

/* Parses "YYYY年M月D日" (ASCII or full-width digits) exactly at offset i of
 * s. On success writes "YYYY-MM-DD" into out[11] and returns the offset just
 * past 日; returns 0 otherwise. */
static size_t date_at(char out[11], slice s, size_t i)
{
    int part[3] = {0, 0, 0}, digits[3] = {0, 0, 0}, k = 0;
    size_t j = i;

    while (j < s.len && k < 3) {
        unsigned char c = (unsigned char)s.p[j];
        int d = -1;
        size_t w = 1;

        if (c >= '0' && c <= '9') {
            d = c - '0';
        } else if (s.len - j >= 3 && c == 0xef && (unsigned char)s.p[j + 1] == 0xbc &&
                   (unsigned char)s.p[j + 2] >= 0x90 && (unsigned char)s.p[j + 2] <= 0x99) {
            d = (unsigned char)s.p[j + 2] - 0x90;
            w = 3;
        }
        if (d >= 0) {
            if (++digits[k] > 4)
                return 0;
            part[k] = part[k] * 10 + d;
            j += w;
            continue;
        }
        if (digits[k] == 0 || s.len - j < 3 ||
            memcmp(s.p + j, k == 0 ? "年" : k == 1 ? "月" : "日", 3) != 0)
            return 0;
        j += 3;
        k++;
    }
    if (k == 3 && digits[0] == 4 && digits[1] <= 2 && digits[2] <= 2 && part[1] >= 1 &&
        part[1] <= 12 && part[2] >= 1 && part[2] <= 31) {
        snprintf(out, 11, "%04u-%02u-%02u", (unsigned)part[0] % 10000u, (unsigned)part[1] % 100u,
                 (unsigned)part[2] % 100u);
        return j;
    }
    return 0;
}

/* The first date at or after offset from, as date_at; 0 if none. */
static size_t find_date(char out[11], slice s, size_t from)
{
    size_t i, e;

    for (i = from; i < s.len; i++)
        if ((e = date_at(out, s, i)) > 0)
            return e;
    return 0;
}

static int contains(slice s, const char *lit, size_t *at)
{
    size_t n = strlen(lit), i;

    for (i = 0; n <= s.len && i <= s.len - n; i++)
        if (memcmp(s.p + i, lit, n) == 0) {
            if (at)
                *at = i;
            return 1;
        }
    return 0;
}

/* The enacting body a header line names, or NULL (see lawdoc.h). Writes at
 * most cap bytes into buf. */
static const char *header_issuer(char *buf, size_t cap, slice line)
{
    size_t at, start = 0, w;
    char date[11];
    slice pre;

    if (contains(line, "全国人民代表大会常务委员会", NULL))
        return "全国人民代表大会常务委员会";
    if (contains(line, "全国人民代表大会", NULL))
        return "全国人民代表大会";
    if (contains(line, "令第", &at)) {
        size_t d = find_date(date, line, 0);

        if (d && d <= at)
            start = d;
        pre.p = line.p + start;
        pre.len = at - start;
        pre = trim(pre);
        if (starts_with(pre, "中华人民共和国") && pre.len > strlen("中华人民共和国")) {
            pre.p += strlen("中华人民共和国");
            pre.len -= strlen("中华人民共和国");
        }
        /* "主席令" promulgates a law the congress adopted: not an issuer. */
        if (pre.len && pre.len < cap && !contains(pre, "《", NULL) &&
            !(pre.len == strlen("主席") && memcmp(pre.p, "主席", pre.len) == 0)) {
            memcpy(buf, pre.p, pre.len);
            buf[pre.len] = '\0';
            return buf;
        }
    }
    if (contains(line, "国务院", &at) && !contains(line, "《", NULL))
        return "国务院";
    /* "1949年12月23日 政务院发布" */
    w = find_date(date, line, 0);
    if (w && (contains(line, "发布", &at) || contains(line, "公布", &at)) && at > w) {
        pre.p = line.p + w;
        pre.len = at - w;
        pre = trim(pre);
        if (pre.len && pre.len < cap && !contains(pre, "《", NULL) && !contains(pre, "第", NULL)) {
            memcpy(buf, pre.p, pre.len);
            buf[pre.len] = '\0';
            return buf;
        }
    }
    return NULL;
}

/* ---- the document ----------------------------------------------------- */

typedef struct {
    zf_lawdoc *doc;
    size_t cap;
    zf_buf text;  /* text of the article being read */
    int open;     /* an article is being read */
    slice heading[MAX_LEVELS];
    int levels;   /* number of valid entries in heading */
    char seen[1000][100 / 8 + 1]; /* (no, sub) already present */
} parser;

static char *dup_slice(slice s)
{
    return zf_strndup(s.p, s.len);
}

static char *chapter_path(const parser *ps)
{
    zf_buf b = ZF_BUF_INIT;
    int i;

    for (i = 0; i < ps->levels; i++) {
        if (!ps->heading[i].len)
            continue;
        if (b.len)
            zf_buf_puts(&b, " / ");
        zf_buf_append(&b, ps->heading[i].p, ps->heading[i].len);
    }
    return zf_buf_detach(&b);
}

static void close_article(parser *ps)
{
    if (!ps->open)
        return;
    ps->doc->articles[ps->doc->article_count - 1].text = zf_buf_detach(&ps->text);
    ps->open = 0;
}

static int open_article(parser *ps, int no, int sub, slice label, slice rest, zf_err *err)
{
    zf_lawdoc_article *a;
    int bit = sub % 8, byte = sub / 8;

    close_article(ps);
    if (ps->seen[no][byte] & (1 << bit))
        return zf_err_set(err, ZF_EINVAL, "duplicate_article", NULL, "“%.*s”重复出现",
                          (int)label.len, label.p);
    ps->seen[no][byte] |= (unsigned char)(1 << bit);
    if (ps->doc->article_count >= ZF_LAWDOC_MAX_ARTICLES)
        return zf_err_set(err, ZF_EINVAL, "too_many_articles", NULL,
                          "条文超过 %d 条，无法导入", ZF_LAWDOC_MAX_ARTICLES);
    if (ps->doc->article_count == ps->cap) {
        ps->cap = ps->cap ? ps->cap * 2 : 64;
        ps->doc->articles = zf_realloc(ps->doc->articles, ps->cap * sizeof *ps->doc->articles);
    }
    a = &ps->doc->articles[ps->doc->article_count++];
    memset(a, 0, sizeof *a);
    a->no = no;
    a->sub = sub;
    a->label = dup_slice(label);
    a->chapter = chapter_path(ps);
    zf_buf_reset(&ps->text);
    zf_buf_append(&ps->text, rest.p, rest.len);
    ps->open = 1;
    return 0;
}

static int is_comment(slice line)
{
    return starts_with(line, "<!--") && line.len >= 7 &&
           memcmp(line.p + line.len - 3, "-->", 3) == 0;
}

int zf_lawdoc_parse(zf_lawdoc **out, const char *text, size_t len, zf_err *err)
{
    parser *ps = NULL;
    zf_lawdoc *doc = NULL;
    size_t pos = 0, bad = 0;
    int rc = 0, in_header = 0, have_title = 0;
    char latest[11] = "", date[11], issuer_buf[256];
    char *issuer = NULL;

    *out = NULL;
    if (len > ZF_LAWDOC_MAX_BYTES)
        return zf_err_set(err, ZF_ETOOBIG, "payload_too_large", NULL,
                          "文件大小超过 8 MiB 上限，拒绝解析");
    if (!zf_lawdoc_utf8_valid(text, len, &bad))
        return zf_err_set(err, ZF_EINVAL, "invalid_utf8", NULL,
                          "文件不是有效的 UTF-8 文本（第 %zu 字节处出错）", bad + 1);
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        pos = 3; /* byte-order mark */

    ps = zf_calloc(1, sizeof *ps);
    doc = zf_calloc(1, sizeof *doc);
    ps->doc = doc;
    zf_buf_init(&ps->text, 0);

    /* A header block exists only when the closing marker does. */
    {
        slice all = {text, len};
        in_header = contains(all, "<!-- INFO END -->", NULL);
    }

    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        slice line = trim((slice){text + pos, end - pos});
        int no, sub, m;
        size_t label_len;
        slice rest;

        pos = nl ? end + 1 : len;
        if (line.len == 0)
            continue;
        if (!have_title) {
            if (!starts_with(line, "# ")) {
                rc = zf_err_set(err, ZF_EINVAL, "no_title", NULL,
                                "缺少标题：第一行应为“# 法律法规名称”");
                goto done;
            }
            line.p += 2;
            line.len -= 2;
            line = trim(line);
            if (line.len == 0) {
                rc = zf_err_set(err, ZF_EINVAL, "no_title", NULL, "标题为空");
                goto done;
            }
            doc->title = dup_slice(line);
            have_title = 1;
            continue;
        }
        if (in_header) {
            const char *who;

            if (starts_with(line, "<!-- INFO END -->")) {
                in_header = 0;
                continue;
            }
            if (find_date(date, line, 0) && strcmp(date, latest) > 0)
                memcpy(latest, date, sizeof date);
            if ((who = header_issuer(issuer_buf, sizeof issuer_buf, line)) != NULL) {
                free(issuer);
                issuer = zf_strdup(who);
            }
            continue;
        }
        if (is_comment(line))
            continue;
        if (line.p[0] == '#') {
            size_t lv = 0;

            while (lv < line.len && line.p[lv] == '#')
                lv++;
            if (lv < line.len && space_at(line.p + lv, line.len - lv)) {
                slice h = trim((slice){line.p + lv, line.len - lv});
                int idx = (int)(lv > MAX_LEVELS ? MAX_LEVELS : lv) - 1;

                close_article(ps);
                /* A heading replaces its level and clears deeper ones. */
                while (ps->levels < idx)
                    ps->heading[ps->levels++] = (slice){"", 0};
                ps->heading[idx] = h;
                ps->levels = idx + 1;
                continue;
            }
        }
        m = article_marker(line, &no, &sub, &label_len, &rest);
        if (m < 0) {
            rc = zf_err_set(err, ZF_EINVAL, "bad_article_no", NULL, "无法识别的条号：“%.*s”",
                            (int)(line.len > 60 ? 60 : line.len), line.p);
            goto done;
        }
        if (m == 1) {
            if ((rc = open_article(ps, no, sub, (slice){line.p, label_len}, rest, err)) < 0)
                goto done;
            continue;
        }
        if (ps->open) {
            if (ps->text.len)
                zf_buf_putc(&ps->text, '\n');
            zf_buf_append(&ps->text, line.p, line.len);
        }
        /* Text before the first article (序言, a notice's salutation) is not
         * an article and is left out. */
    }
    close_article(ps);

    if (!have_title) {
        rc = zf_err_set(err, ZF_EINVAL, "no_title", NULL, "文件为空或缺少标题");
        goto done;
    }
    if (doc->article_count == 0) {
        rc = zf_err_set(err, ZF_EINVAL, "no_articles", NULL,
                        "未找到任何条文（应有以“第X条”开头的段落）");
        goto done;
    }
    /* "本法自2021年7月15日起施行" names the real entry into force, which the
     * header often leaves out. */
    for (size_t i = 0; i < doc->article_count; i++) {
        slice t = {doc->articles[i].text, strlen(doc->articles[i].text)};
        size_t from = 0, at, e;

        while (from < t.len) {
            slice rest = {t.p + from, t.len - from};

            if (!contains(rest, "自", &at))
                break;
            from += at + 3;
            e = date_at(date, t, from);
            if (e && t.len - e >= 9 && memcmp(t.p + e, "起施行", 9) == 0 &&
                strcmp(date, latest) > 0)
                memcpy(latest, date, sizeof date);
        }
    }
    doc->effective_date = zf_strdup(latest);
    doc->issuer = zf_strdup(issuer ? issuer : "");
    *out = doc;
    doc = NULL;
done:
    free(issuer);
    zf_buf_free(&ps->text);
    free(ps);
    zf_lawdoc_free(doc);
    return rc;
}

void zf_lawdoc_free(zf_lawdoc *doc)
{
    size_t i;

    if (!doc)
        return;
    for (i = 0; i < doc->article_count; i++) {
        free(doc->articles[i].label);
        free(doc->articles[i].chapter);
        free(doc->articles[i].text);
    }
    free(doc->articles);
    free(doc->title);
    free(doc->issuer);
    free(doc->effective_date);
    free(doc);
}
