/* test_multipart.c — the streaming multipart/form-data parser, table-driven.
 *
 * Each case is a body and the event log it must produce (part headers, data,
 * part ends) or the error it must raise. Every case is run whole, split in
 * two at every byte position, and fed one byte at a time: the log and the
 * result must be the same each way, which proves that a delimiter split
 * anywhere across chunks is found and that held-back bytes come back intact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/multipart.h"
#include "util/buf.h"

/* ---- recording callbacks ------------------------------------------------ */

typedef struct rec {
    zf_buf log;
    size_t data_calls;
    int fail_on_begin; /* make on_part_begin fail for this part index + 1 */
} rec;

static int on_begin(void *ctx, const zf_multipart_part *p, zf_err *err)
{
    rec *r = ctx;

    if (r->fail_on_begin && (size_t)r->fail_on_begin == p->index + 1)
        return zf_err_set(err, ZF_ETOOBIG, "quota", NULL, "超出配额");
    zf_buf_printf(&r->log, "[%zu name=%s", p->index, p->name);
    if (p->filename)
        zf_buf_printf(&r->log, " file=%s", p->filename);
    if (p->content_type)
        zf_buf_printf(&r->log, " type=%s", p->content_type);
    zf_buf_puts(&r->log, "]");
    return 0;
}

static int on_data(void *ctx, const char *d, size_t n, zf_err *err)
{
    rec *r = ctx;

    (void)err;
    assert_true(n > 0); /* never called empty */
    r->data_calls++;
    zf_buf_append(&r->log, d, n);
    return 0;
}

static int on_end(void *ctx, zf_err *err)
{
    rec *r = ctx;

    (void)err;
    zf_buf_puts(&r->log, "{end}");
    return 0;
}

static const zf_multipart_callbacks cbs = {on_begin, on_data, on_end};

/* Feeds body in the chunks given by cuts (ascending positions, ncuts of
 * them) and returns the rc; the log goes to r, the error code to code. */
static int run(rec *r, char code[48], const char *boundary, const char *body, size_t len,
               const size_t *cuts, size_t ncuts, const zf_multipart_limits *lim)
{
    zf_multipart *mp = NULL;
    zf_err err = ZF_ERR_INIT;
    size_t pos = 0, i;
    int rc;

    zf_buf_reset(&r->log);
    r->data_calls = 0;
    code[0] = '\0';
    rc = zf_multipart_new(&mp, boundary, lim, &cbs, r, &err);
    assert_int_equal(rc, 0);
    for (i = 0; i <= ncuts && rc == 0; i++) {
        size_t end = i < ncuts ? cuts[i] : len;
        rc = zf_multipart_feed(mp, body + pos, end - pos, &err);
        pos = end;
    }
    if (rc == 0)
        rc = zf_multipart_finish(mp, &err);
    if (rc)
        snprintf(code, 48, "%s", err.code);
    zf_multipart_free(mp);
    return rc;
}

/* ---- the table ---------------------------------------------------------- */

struct mp_case {
    const char *what;
    const char *body;
    const char *log;  /* expected log when ok */
    const char *code; /* expected error code, NULL when ok */
};

#define B "XyZ"

static const struct mp_case cases[] = {
    {"simple form",
     "--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nhello\r\n"
     "--" B "\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nworld\r\n--" B "--\r\n",
     "[0 name=a]hello{end}[1 name=b]world{end}", NULL},
    {"file part with content type",
     "--" B "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n"
     "Content-Type: image/jpeg\r\n\r\n\xff\xd8\x01\r\x02\n\r\n\r\n--" B "--",
     "[0 name=file file=a.jpg type=image/jpeg]\xff\xd8\x01\r\x02\n\r\n{end}", NULL},
    {"empty part value",
     "--" B "\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\n\r\n--" B "--",
     "[0 name=e]{end}", NULL},
    {"preamble and epilogue ignored",
     "This is a preamble.\r\nIt has --XyZ- lookalikes\r\n--" B "\r\n"
     "Content-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--" B "--\r\nepilogue --" B "\r\n junk",
     "[0 name=a]v{end}", NULL},
    {"body starting with CRLF before the first delimiter",
     "\r\n--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--" B "--",
     "[0 name=a]v{end}", NULL},
    {"data that almost matches the delimiter",
     "--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n"
     "\r\r\n\r\n-\r\n--\r\n--X\r\n--Xy\r\n--XyX\r\r\n--Xy\r\n\r\n--" B "--",
     "[0 name=a]\r\r\n\r\n-\r\n--\r\n--X\r\n--Xy\r\n--XyX\r\r\n--Xy\r\n{end}", NULL},
    {"transport padding after delimiters",
     "--" B " \t\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--" B "  \r\n"
     "Content-Disposition: form-data; name=\"b\"\r\n\r\nw\r\n--" B "--  \r\n",
     "[0 name=a]v{end}[1 name=b]w{end}", NULL},
    {"case-insensitive header and parameter names, token values",
     "--" B "\r\ncontent-disposition: Form-Data; NAME=tok; FileName=\"x.txt\"\r\n"
     "CONTENT-TYPE:text/plain;charset=UTF-8  \r\nX-Other: ignored\r\n\r\nv\r\n--" B "--",
     "[0 name=tok file=x.txt type=text/plain;charset=UTF-8]v{end}", NULL},
    {"quoted name with escaped quote and backslash",
     "--" B "\r\nContent-Disposition: form-data; name=\"say \\\"hi\\\" \\\\ \"\r\n\r\nv\r\n--" B "--",
     "[0 name=say \"hi\" \\ ]v{end}", NULL},
    {"semicolon and equals inside quotes",
     "--" B "\r\nContent-Disposition: form-data; name=\"a;b=c\"; filename=\"x; y.txt\"\r\n\r\nv\r\n--" B "--",
     "[0 name=a;b=c file=x; y.txt]v{end}", NULL},
    {"UTF-8 name and filename sent raw, as browsers do",
     "--" B "\r\nContent-Disposition: form-data; name=\"证据\"; filename=\"现场照片.jpg\"\r\n\r\nv\r\n--" B "--",
     "[0 name=证据 file=现场照片.jpg]v{end}", NULL},
    {"filename* RFC 5987 UTF-8 wins over filename",
     "--" B "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"fallback.mp4\"; "
     "filename*=UTF-8''%E6%89%A7%E6%B3%95%20%E8%AE%B0%E5%BD%95.mp4\r\n\r\nv\r\n--" B "--",
     "[0 name=f file=执法 记录.mp4]v{end}", NULL},
    {"filename* before filename, ISO-8859-1",
     "--" B "\r\nContent-Disposition: form-data; name=\"f\"; filename*=iso-8859-1'en'caf%E9.txt; "
     "filename=\"cafe.txt\"\r\n\r\nv\r\n--" B "--",
     "[0 name=f file=caf\xc3\xa9.txt]v{end}", NULL},
    {"filename* in an unknown charset falls back to filename",
     "--" B "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"plain.txt\"; "
     "filename*=GBK''%D6%D0.txt\r\n\r\nv\r\n--" B "--",
     "[0 name=f file=plain.txt]v{end}", NULL},
    {"directory parts of a filename are dropped",
     "--" B "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"C:\\Users\\li\\a.jpg\"\r\n\r\n"
     "v\r\n--" B "\r\nContent-Disposition: form-data; name=\"g\"; filename=\"../../etc/passwd\"\r\n\r\n"
     "w\r\n--" B "--",
     "[0 name=f file=a.jpg]v{end}[1 name=g file=passwd]w{end}", NULL},
    {"empty filename (no file chosen)",
     "--" B "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\"\r\n"
     "Content-Type: application/octet-stream\r\n\r\n\r\n--" B "--",
     "[0 name=f file= type=application/octet-stream]{end}", NULL},
    {"folded header line",
     "--" B "\r\nContent-Disposition: form-data;\r\n name=\"folded\"\r\n\r\nv\r\n--" B "--",
     "[0 name=folded]v{end}", NULL},
    {"close delimiter right after the preamble: no parts", "--" B "--\r\n", "", NULL},

    /* malformed */
    {"no boundary in the body", "just some text\r\nwith lines\r\n", NULL,
     "multipart_boundary_not_found"},
    {"empty body", "", NULL, "multipart_boundary_not_found"},
    {"truncated inside data",
     "--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nhalf of it", NULL,
     "multipart_truncated"},
    {"truncated inside headers", "--" B "\r\nContent-Disposition: form-da", NULL,
     "multipart_truncated"},
    {"truncated after a delimiter, no close",
     "--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--" B "\r\n", NULL,
     "multipart_truncated"},
    {"truncated inside the close delimiter",
     "--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--" B "-", NULL,
     "multipart_truncated"},
    {"garbage after delimiter", "--" B "garbage\r\n", NULL, "multipart_malformed"},
    {"bare LF after delimiter", "--" B "\nContent-Disposition: form-data; name=\"a\"\n\nv\n--" B "--",
     NULL, "multipart_malformed"},
    {"missing Content-Disposition", "--" B "\r\nContent-Type: text/plain\r\n\r\nv\r\n--" B "--",
     NULL, "multipart_malformed"},
    {"no headers at all", "--" B "\r\n\r\nv\r\n--" B "--", NULL, "multipart_malformed"},
    {"disposition not form-data",
     "--" B "\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--" B "--", NULL,
     "multipart_malformed"},
    {"missing name", "--" B "\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nv\r\n--" B "--",
     NULL, "multipart_malformed"},
    {"duplicate name parameter",
     "--" B "\r\nContent-Disposition: form-data; name=\"a\"; name=\"b\"\r\n\r\nv\r\n--" B "--", NULL,
     "multipart_malformed"},
    {"duplicate Content-Disposition",
     "--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Disposition: form-data; "
     "name=\"b\"\r\n\r\nv\r\n--" B "--",
     NULL, "multipart_malformed"},
    {"unterminated quoted string",
     "--" B "\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--" B "--", NULL,
     "multipart_malformed"},
    {"header line without colon",
     "--" B "\r\nContent-Disposition form-data; name=\"a\"\r\n\r\nv\r\n--" B "--", NULL,
     "multipart_malformed"},
    {"bare LF inside headers",
     "--" B "\r\nContent-Disposition: form-data; name=\"a\"\nX: y\r\n\r\nv\r\n--" B "--", NULL,
     "multipart_malformed"},
    {"invalid UTF-8 in name", "--" B "\r\nContent-Disposition: form-data; name=\"\xc3\x28\"\r\n\r\nv\r\n--" B "--",
     NULL, "multipart_malformed"},
    {"control character in filename*",
     "--" B "\r\nContent-Disposition: form-data; name=\"f\"; filename*=UTF-8''a%0Ab\r\n\r\nv\r\n--" B "--",
     NULL, "multipart_malformed"},
    {"bad percent escape in filename*",
     "--" B "\r\nContent-Disposition: form-data; name=\"f\"; filename*=UTF-8''a%G1\r\n\r\nv\r\n--" B "--",
     NULL, "multipart_malformed"},
    {"filename* without quotes section",
     "--" B "\r\nContent-Disposition: form-data; name=\"f\"; filename*=a.txt\r\n\r\nv\r\n--" B "--",
     NULL, "multipart_malformed"},
    {"overlong UTF-8 from filename*",
     "--" B "\r\nContent-Disposition: form-data; name=\"f\"; filename*=UTF-8''%C0%AF\r\n\r\nv\r\n--" B "--",
     NULL, "multipart_malformed"},
    {"junk after parameter value",
     "--" B "\r\nContent-Disposition: form-data; name=\"a\" junk\r\n\r\nv\r\n--" B "--", NULL,
     "multipart_malformed"},
};

static void check_case(const struct mp_case *c, size_t idx)
{
    rec r;
    char code[48];
    size_t len = strlen(c->body), cut, *cuts;
    int rc;

    memset(&r, 0, sizeof r);
    zf_buf_init(&r.log, 0);

    /* whole */
    rc = run(&r, code, B, c->body, len, NULL, 0, NULL);
    if (c->code) {
        if (rc == 0 || strcmp(code, c->code) != 0)
            fail_msg("case %zu (%s): rc %d code \"%s\", want \"%s\"", idx, c->what, rc, code, c->code);
    } else {
        if (rc != 0)
            fail_msg("case %zu (%s): rc %d code %s", idx, c->what, rc, code);
        if (strcmp(zf_buf_str(&r.log), c->log) != 0)
            fail_msg("case %zu (%s): log\n  got  %s\n  want %s", idx, c->what, zf_buf_str(&r.log), c->log);
    }

    /* split in two at every position */
    for (cut = 0; cut <= len; cut++) {
        char code2[48];
        int rc2 = run(&r, code2, B, c->body, len, &cut, 1, NULL);
        if (rc2 != rc || strcmp(code2, code) != 0)
            fail_msg("case %zu (%s) cut at %zu: rc %d %s, whole gave %d %s", idx, c->what, cut, rc2,
                     code2, rc, code);
        if (!c->code && strcmp(zf_buf_str(&r.log), c->log) != 0)
            fail_msg("case %zu (%s) cut at %zu: log\n  got  %s\n  want %s", idx, c->what, cut,
                     zf_buf_str(&r.log), c->log);
    }

    /* one byte at a time */
    cuts = malloc((len + 1) * sizeof *cuts);
    for (cut = 0; cut < len; cut++)
        cuts[cut] = cut + 1;
    {
        char code3[48];
        int rc3 = run(&r, code3, B, c->body, len, cuts, len ? len - 1 : 0, NULL);
        if (rc3 != rc || strcmp(code3, code) != 0)
            fail_msg("case %zu (%s) byte by byte: rc %d %s", idx, c->what, rc3, code3);
        if (!c->code && strcmp(zf_buf_str(&r.log), c->log) != 0)
            fail_msg("case %zu (%s) byte by byte: log %s", idx, c->what, zf_buf_str(&r.log));
    }
    free(cuts);
    zf_buf_free(&r.log);
}

static void test_table(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(&cases[i], i);
}

/* A body with every kind of boundary lookalike, cut at every pair of
 * positions (three chunks), so that a delimiter can straddle two cuts. */
static void test_three_chunks(void **state)
{
    const char *body = "pre\r\n--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n"
                       "x\r\n--Xy\r\r\n--" B "\r\nContent-Disposition: form-data; name=\"b\"; "
                       "filename=\"f.bin\"\r\n\r\n\r\n\r\n--" B "--";
    const char *want = "[0 name=a]x\r\n--Xy\r{end}[1 name=b file=f.bin]\r\n{end}";
    size_t len = strlen(body), i, j;
    rec r;
    char code[48];

    (void)state;
    memset(&r, 0, sizeof r);
    zf_buf_init(&r.log, 0);
    for (i = 0; i <= len; i++)
        for (j = i; j <= len; j++) {
            size_t cuts[2] = {i, j};
            assert_int_equal(run(&r, code, B, body, len, cuts, 2, NULL), 0);
            if (strcmp(zf_buf_str(&r.log), want) != 0)
                fail_msg("cuts %zu,%zu: %s", i, j, zf_buf_str(&r.log));
        }
    zf_buf_free(&r.log);
}

/* Data without CR reaches the callback in one call per chunk: the fast path
 * neither copies nor splits it. */
static void test_data_runs(void **state)
{
    zf_buf body = ZF_BUF_INIT;
    rec r;
    char code[48];
    size_t i, n = 100000;

    (void)state;
    memset(&r, 0, sizeof r);
    zf_buf_init(&r.log, 0);
    zf_buf_puts(&body, "--" B "\r\nContent-Disposition: form-data; name=\"big\"\r\n\r\n");
    for (i = 0; i < n; i++)
        zf_buf_putc(&body, (char)('a' + i % 26));
    zf_buf_puts(&body, "\r\n--" B "--");
    assert_int_equal(run(&r, code, B, body.ptr, body.len, NULL, 0, NULL), 0);
    assert_int_equal(r.data_calls, 1);
    assert_int_equal(r.log.len, strlen("[0 name=big]") + n + strlen("{end}"));
    zf_buf_free(&body);
    zf_buf_free(&r.log);
}

static void test_limits(void **state)
{
    zf_multipart_limits lim = ZF_MULTIPART_LIMITS_INIT;
    zf_buf body = ZF_BUF_INIT;
    rec r;
    char code[48];
    size_t i;

    (void)state;
    memset(&r, 0, sizeof r);
    zf_buf_init(&r.log, 0);

    /* part count */
    lim.max_parts = 3;
    for (i = 0; i < 4; i++)
        zf_buf_printf(&body, "--" B "\r\nContent-Disposition: form-data; name=\"p%zu\"\r\n\r\nv\r\n", i);
    zf_buf_puts(&body, "--" B "--");
    assert_int_equal(run(&r, code, B, body.ptr, body.len, NULL, 0, &lim), ZF_ETOOBIG);
    assert_string_equal(code, "multipart_too_many_parts");
    /* the three allowed parts were delivered before the error */
    assert_non_null(strstr(zf_buf_str(&r.log), "[2 name=p2]v{end}"));
    lim.max_parts = 4;
    assert_int_equal(run(&r, code, B, body.ptr, body.len, NULL, 0, &lim), 0);

    /* header size */
    zf_buf_reset(&body);
    zf_buf_puts(&body, "--" B "\r\nContent-Disposition: form-data; name=\"");
    for (i = 0; i < 10000; i++)
        zf_buf_putc(&body, 'n');
    zf_buf_puts(&body, "\"\r\n\r\nv\r\n--" B "--");
    assert_int_equal(run(&r, code, B, body.ptr, body.len, NULL, 0, NULL), ZF_ETOOBIG);
    assert_string_equal(code, "multipart_headers_too_large");
    lim.max_header_bytes = 16384;
    assert_int_equal(run(&r, code, B, body.ptr, body.len, NULL, 0, &lim), 0);

    /* endless headers without a blank line stop at the limit too */
    zf_buf_reset(&body);
    zf_buf_puts(&body, "--" B "\r\n");
    for (i = 0; i < 2000; i++)
        zf_buf_puts(&body, "X-A: b\r\n");
    assert_int_equal(run(&r, code, B, body.ptr, body.len, NULL, 0, NULL), ZF_ETOOBIG);
    assert_string_equal(code, "multipart_headers_too_large");

    zf_buf_free(&body);
    zf_buf_free(&r.log);
}

static void test_callback_error_is_sticky(void **state)
{
    const char *body = "--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n"
                       "--" B "\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nw\r\n--" B "--";
    zf_multipart *mp;
    zf_err err = ZF_ERR_INIT;
    rec r;

    (void)state;
    memset(&r, 0, sizeof r);
    zf_buf_init(&r.log, 0);
    r.fail_on_begin = 2;
    assert_int_equal(zf_multipart_new(&mp, B, NULL, &cbs, &r, &err), 0);
    assert_int_equal(zf_multipart_feed(mp, body, strlen(body), &err), ZF_ETOOBIG);
    assert_string_equal(err.code, "quota");
    assert_string_equal(zf_buf_str(&r.log), "[0 name=a]v{end}");
    /* later calls repeat the error and deliver nothing more */
    zf_err_clear(&err);
    assert_int_equal(zf_multipart_feed(mp, "x", 1, &err), ZF_ETOOBIG);
    assert_string_equal(err.code, "quota");
    assert_int_equal(zf_multipart_finish(mp, &err), ZF_ETOOBIG);
    assert_string_equal(zf_buf_str(&r.log), "[0 name=a]v{end}");
    zf_multipart_free(mp);
    zf_buf_free(&r.log);
}

static void test_long_boundary(void **state)
{
    /* 70 characters, the RFC maximum, including spaces and specials */
    const char *bnd = "----WebKitFormBoundary 0123456789'()+_,-./:=?abcdefghijklmnopqrstuvwxy";
    zf_buf body = ZF_BUF_INIT, want = ZF_BUF_INIT;
    rec r;
    char code[48];
    zf_multipart *mp = NULL;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    assert_int_equal(strlen(bnd), 70);
    memset(&r, 0, sizeof r);
    zf_buf_init(&r.log, 0);
    zf_buf_printf(&body, "--%s\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n--%.69s\r\n--%s--",
                  bnd, bnd, bnd);
    assert_int_equal(run(&r, code, bnd, body.ptr, body.len, NULL, 0, NULL), 0);
    /* the data is the delimiter minus its last character: held back, then released */
    zf_buf_printf(&want, "[0 name=a]--%.69s{end}", bnd);
    assert_string_equal(zf_buf_str(&r.log), zf_buf_str(&want));
    assert_int_equal(zf_multipart_new(&mp, "", NULL, &cbs, &r, &err), ZF_EINVAL);
    assert_null(mp);
    zf_buf_free(&want);
    zf_buf_free(&body);
    zf_buf_free(&r.log);
}

struct ct_case {
    const char *value;
    const char *boundary; /* NULL: must fail */
};

static const struct ct_case ct_cases[] = {
    {"multipart/form-data; boundary=XyZ", "XyZ"},
    {"multipart/form-data;boundary=XyZ", "XyZ"},
    {"Multipart/Form-Data; BOUNDARY=XyZ", "XyZ"},
    {"multipart/form-data; charset=utf-8; boundary=\"a b:c\"", "a b:c"},
    {"multipart/form-data; boundary=\"----WebKitFormBoundary7MA4YWxkTrZu0gW\"",
     "----WebKitFormBoundary7MA4YWxkTrZu0gW"},
    {"  multipart/form-data ; boundary=abc ; x=\"y;boundary=no\"", "abc"},
    {"multipart/form-data; boundary=abc;", "abc"},
    {"multipart/form-data; boundary=\"q\\\"x\"", NULL}, /* '"' is not a bchar */
    {"multipart/form-data", NULL},
    {"multipart/form-data; boundary=", NULL},
    {"multipart/form-data; boundary=\"\"", NULL},
    {"multipart/form-data; boundary=\"abc \"", NULL}, /* ends in a space */
    {"multipart/form-data; boundary=abc; boundary=def", NULL},
    {"multipart/form-data; boundary=\"abc", NULL},
    {"multipart/mixed; boundary=abc", NULL},
    {"application/x-www-form-urlencoded", NULL},
    {"", NULL},
    {"multipart/form-data; boundary=a*b", NULL},
    {"multipart/form-data; boundary=0123456789012345678901234567890123456789012345678901234567890123456789",
     "0123456789012345678901234567890123456789012345678901234567890123456789"},
    {"multipart/form-data; boundary=01234567890123456789012345678901234567890123456789012345678901234567890",
     NULL},
    {"multipart/form-data; boundary abc", NULL},
};

static void test_boundary_from_content_type(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof ct_cases / sizeof ct_cases[0]; i++) {
        char out[ZF_MULTIPART_BOUNDARY_MAX + 1] = "";
        zf_err err = ZF_ERR_INIT;
        int rc = zf_multipart_boundary(out, ct_cases[i].value, strlen(ct_cases[i].value), &err);
        if (ct_cases[i].boundary) {
            if (rc != 0)
                fail_msg("case %zu \"%s\": %s", i, ct_cases[i].value, err.message);
            assert_string_equal(out, ct_cases[i].boundary);
        } else {
            if (rc != ZF_EINVAL)
                fail_msg("case %zu \"%s\": accepted as \"%s\"", i, ct_cases[i].value, out);
            assert_string_equal(err.code, "invalid_content_type");
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_three_chunks),
        cmocka_unit_test(test_data_runs),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_callback_error_is_sticky),
        cmocka_unit_test(test_long_boundary),
        cmocka_unit_test(test_boundary_from_content_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
