/* test_tokenizer.c — the CJK tokenizer, its FTS5 registration and the query
 * builder (search/tokenizer.h), including the recall guarantee against an
 * exhaustive substring scan over the reference laws (or a generated corpus
 * when $ZF_REFERENCE_DIR/laws is absent). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>

#include "core/lawdoc.h"
#include "search/tokenizer.h"
#include "util/buf.h"
#include "util/mem.h"

/* ---- plain tokenization ------------------------------------------------- */

/* Renders a token list as "tok@pos" words joined by spaces, colocated
 * tokens marked with "+", so a whole expectation fits in one string. */
static char *render(const char *text, int mode)
{
    zf_search_tokens t = ZF_SEARCH_TOKENS_INIT;
    zf_buf b = ZF_BUF_INIT;
    size_t i;

    assert_int_equal(zf_search_tokenize(&t, text, strlen(text), mode), 0);
    for (i = 0; i < t.count; i++) {
        const zf_search_token *k = &t.items[i];

        assert_true(k->start < k->end && k->end <= strlen(text));
        assert_int_equal(strlen(k->text), k->len);
        zf_buf_printf(&b, "%s%s%s@%d", i ? " " : "", (k->flags & ZF_SEARCH_COLOCATED) ? "+" : "",
                      k->text, k->pos);
    }
    zf_search_tokens_free(&t);
    return zf_buf_detach(&b);
}

static const struct {
    const char *text;
    int mode;
    const char *want;
} token_cases[] = {
    {"行政处罚", ZF_SEARCH_DOCUMENT, "行@0 +行政@0 +行政处@0 政@1 +政处@1 +政处罚@1 处@2 +处罚@2 罚@3"},
    {"法", ZF_SEARCH_DOCUMENT, "法@0"},
    {"Hello, World!", ZF_SEARCH_DOCUMENT, "hello@0 world@1"},
    /* full-width letters and digits fold to ASCII, case folds */
    {"ＡＢＣ１２３ｄｅｆ", ZF_SEARCH_DOCUMENT, "abc123def@0"},
    {"第12条", ZF_SEARCH_DOCUMENT, "第@0 12@1 条@2"},
    {"罚款5000元，GB32100", ZF_SEARCH_DOCUMENT, "罚@0 +罚款@0 款@1 5000@2 元@3 gb32100@4"},
    /* punctuation separates runs: no bigram across "，" */
    {"中国，人民", ZF_SEARCH_DOCUMENT, "中@0 +中国@0 国@1 人@2 +人民@2 民@3"},
    {"二〇二一年", ZF_SEARCH_DOCUMENT, "二@0 +二〇@0 +二〇二@0 〇@1 +〇二@1 +〇二一@1 二@2 +二一@2 +二一年@2 一@3 +一年@3 年@4"},
    {"Ⅻ号", ZF_SEARCH_DOCUMENT, "xii@0 号@1"},
    {"ÉCOLE école", ZF_SEARCH_DOCUMENT, "e\xcc\x81" "cole@0 e\xcc\x81" "cole@1"},
    {"  \t。、", ZF_SEARCH_DOCUMENT, ""},
    {"", ZF_SEARCH_DOCUMENT, ""},
    /* query mode: bigrams only, trailing unigram only when something follows */
    {"行政处罚", ZF_SEARCH_QUERY, "行政@0 政处@1 处罚@2"},
    {"法", ZF_SEARCH_QUERY, "法@0"},
    {"中国abc", ZF_SEARCH_QUERY, "中国@0 国@1 abc@2"},
    {"abc中国", ZF_SEARCH_QUERY, "abc@0 中国@1"},
    {"中国，人民", ZF_SEARCH_QUERY, "中国@0 国@1 人民@2"},
    {"a法b", ZF_SEARCH_QUERY, "a@0 法@1 b@2"},
    /* trigram query mode: trigrams, the tail's bigram + unigram only when
     * something follows; one and two characters as above */
    {"行政处罚", ZF_SEARCH_QUERY_TRIGRAM, "行政处@0 政处罚@1"},
    {"处罚法", ZF_SEARCH_QUERY_TRIGRAM, "处罚法@0"},
    {"处罚", ZF_SEARCH_QUERY_TRIGRAM, "处罚@0"},
    {"法", ZF_SEARCH_QUERY_TRIGRAM, "法@0"},
    {"行政处罚abc", ZF_SEARCH_QUERY_TRIGRAM, "行政处@0 政处罚@1 处罚@2 罚@3 abc@4"},
    {"中国abc", ZF_SEARCH_QUERY_TRIGRAM, "中国@0 国@1 abc@2"},
    {"abc食品安全法", ZF_SEARCH_QUERY_TRIGRAM, "abc@0 食品安@1 品安全@2 安全法@3"},
    /* highlight mode: same positions, bigram first at each position */
    {"行政处罚", ZF_SEARCH_HIGHLIGHT, "行政@0 +行@0 政处@1 +政@1 处罚@2 +处@2 罚@3"},
    {"x法", ZF_SEARCH_HIGHLIGHT, "x@0 法@1"},
    /* the trigram mark separates tokens in every mode */
    {"处\xee\x80\x80罚", ZF_SEARCH_DOCUMENT, "处@0 罚@1"},
    /* depth 4: documents add each position's 4-gram after its trigram */
    {"行政处罚", ZF_SEARCH_DOCUMENT | ZF_SEARCH_4GRAMS,
     "行@0 +行政@0 +行政处@0 +行政处罚@0 政@1 +政处@1 +政处罚@1 处@2 +处罚@2 罚@3"},
    {"处罚决定书", ZF_SEARCH_DOCUMENT | ZF_SEARCH_4GRAMS,
     "处@0 +处罚@0 +处罚决@0 +处罚决定@0 罚@1 +罚决@1 +罚决定@1 +罚决定书@1 决@2 +决定@2 +决定书@2 "
     "定@3 +定书@3 书@4"},
    {"中国，人民法", ZF_SEARCH_DOCUMENT | ZF_SEARCH_4GRAMS,
     "中@0 +中国@0 国@1 人@2 +人民@2 +人民法@2 民@3 +民法@3 法@4"},
    /* depth 4, trigram query mode: 4-grams from four characters on, the
     * tail's trigram, bigram and unigram only when something follows */
    {"人民法院", ZF_SEARCH_QUERY_TRIGRAM | ZF_SEARCH_4GRAMS, "人民法院@0"},
    {"中华人民共和国", ZF_SEARCH_QUERY_TRIGRAM | ZF_SEARCH_4GRAMS,
     "中华人民@0 华人民共@1 人民共和@2 民共和国@3"},
    {"行政处罚abc", ZF_SEARCH_QUERY_TRIGRAM | ZF_SEARCH_4GRAMS, "行政处罚@0 政处罚@1 处罚@2 罚@3 abc@4"},
    {"处罚法x", ZF_SEARCH_QUERY_TRIGRAM | ZF_SEARCH_4GRAMS, "处罚法@0 罚法@1 法@2 x@3"},
    {"处罚", ZF_SEARCH_QUERY_TRIGRAM | ZF_SEARCH_4GRAMS, "处罚@0"},
    {"法", ZF_SEARCH_QUERY_TRIGRAM | ZF_SEARCH_4GRAMS, "法@0"},
    /* ... and the other modes do not change with the depth */
    {"行政处罚", ZF_SEARCH_QUERY | ZF_SEARCH_4GRAMS, "行政@0 政处@1 处罚@2"},
    {"行政处罚", ZF_SEARCH_HIGHLIGHT | ZF_SEARCH_4GRAMS, "行政@0 +行@0 政处@1 +政@1 处罚@2 +处@2 罚@3"},
};

static void test_token_table(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof token_cases / sizeof token_cases[0]; i++) {
        char *got = render(token_cases[i].text, token_cases[i].mode);

        if (strcmp(got, token_cases[i].want) != 0)
            fail_msg("case %zu \"%s\": got \"%s\", want \"%s\"", i, token_cases[i].text, got,
                     token_cases[i].want);
        free(got);
    }
}

static void test_offsets_point_at_original(void **state)
{
    const char *text = "Ａ公司 ab";
    zf_search_tokens t = ZF_SEARCH_TOKENS_INIT;

    (void)state;
    zf_search_tokenize(&t, text, strlen(text), ZF_SEARCH_DOCUMENT);
    /* a@0 公@1 +公司@1 司@2 ab@3 */
    assert_int_equal(t.count, 5);
    assert_string_equal(t.items[0].text, "a");
    assert_int_equal(t.items[0].start, 0);
    assert_int_equal(t.items[0].end, 3); /* Ａ is three bytes */
    assert_string_equal(t.items[2].text, "公司");
    assert_int_equal(t.items[2].start, 3);
    assert_int_equal(t.items[2].end, 9);
    assert_string_equal(t.items[4].text, "ab");
    assert_int_equal(t.items[4].start, 10);
    assert_int_equal(t.items[4].end, 12);
    zf_search_tokens_free(&t);
}

static void test_invalid_utf8_and_long_words(void **state)
{
    char big[1000];
    zf_search_tokens t = ZF_SEARCH_TOKENS_INIT;
    const char bad[] = "ab\xff\xfe" "cd\xe4\xb8"; /* truncated 中 at the end */

    (void)state;
    zf_search_tokenize(&t, bad, sizeof bad - 1, ZF_SEARCH_DOCUMENT);
    assert_int_equal(t.count, 2);
    assert_string_equal(t.items[0].text, "ab");
    assert_string_equal(t.items[1].text, "cd");
    zf_search_tokens_free(&t);

    memset(big, 'x', sizeof big);
    zf_search_tokenize(&t, big, sizeof big, ZF_SEARCH_DOCUMENT);
    assert_int_equal(t.count, 1);
    assert_int_equal(t.items[0].len, ZF_SEARCH_TOKEN_MAX);
    assert_int_equal(t.items[0].end, sizeof big);
    zf_search_tokens_free(&t);
}

/* ---- query builder ------------------------------------------------------ */

static void expect_query(const char *q, const char *want)
{
    char *out = NULL;
    zf_err err = ZF_ERR_INIT;

    if (zf_search_query_build(&out, q, strlen(q), ZF_SEARCH_QUERY, &err) != 0)
        fail_msg("\"%s\": %s", q, err.message);
    if (strcmp(out, want) != 0)
        fail_msg("\"%s\": got %s, want %s", q, out, want);
    free(out);
}

static void expect_query_error(const char *q, size_t len, int rc, const char *code)
{
    char *out = (char *)1;
    zf_err err = ZF_ERR_INIT;

    assert_int_equal(zf_search_query_build(&out, q, len, ZF_SEARCH_QUERY_TRIGRAM, &err), rc);
    assert_null(out);
    assert_string_equal(err.code, code);
    assert_true(err.message[0] != '\0');
}

static void test_query_builder(void **state)
{
    char longq[ZF_SEARCH_QUERY_MAX + 2], *out;
    zf_err err = ZF_ERR_INIT;

    (void)state;
    expect_query("处罚", "\"处罚\"");
    expect_query("法", "\"法\"");
    expect_query("  行政 处罚　决定 ", "\"行政\" AND \"处罚\" AND \"决定\"");
    expect_query("GB32100", "\"GB32100\"*");
    expect_query("行政abc", "\"行政abc\"*");
    expect_query("a\"b", "\"a\"\"b\"*");
    expect_query("NOT 处罚", "\"NOT\"* AND \"处罚\"");
    expect_query("处罚 ，。 ***", "\"处罚\"");
    expect_query("col:x", "\"col:x\"*");
    /* the trigram mode marks each phrase; a typed mark only splits terms */
    out = NULL;
    assert_int_equal(zf_search_query_build(&out, "行政 处罚", strlen("行政 处罚"), ZF_SEARCH_QUERY_TRIGRAM, &err), 0);
    assert_string_equal(out, "\"" ZF_SEARCH_TRIGRAM_MARK "行政\" AND \"" ZF_SEARCH_TRIGRAM_MARK "处罚\"");
    free(out);
    expect_query("处\xee\x80\x80罚", "\"处\" AND \"罚\"");
    expect_query_error("", 0, ZF_EINVAL, "empty_query");
    expect_query_error("。，！ \"\" ()", strlen("。，！ \"\" ()"), ZF_EINVAL, "empty_query");
    expect_query_error("a\0b", 3, ZF_EINVAL, "invalid_utf8");
    expect_query_error("\xe4\xb8", 2, ZF_EINVAL, "invalid_utf8");
    expect_query_error("a b c d e f g h i j k l m n o p q", 33, ZF_EINVAL, "too_many_terms");
    memset(longq, 'a', sizeof longq);
    expect_query_error(longq, sizeof longq, ZF_ETOOBIG, "query_too_long");
}

/* ---- FTS5 ------------------------------------------------------------- */

/* tokenize: 'zf_cjk' or 'zf_cjk 4grams' */
static sqlite3 *open_db_with(const char *tokenize)
{
    sqlite3 *db = NULL;
    zf_err err = ZF_ERR_INIT;
    char sql[128];

    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    if (zf_search_register(db, &err) != 0)
        fail_msg("register: %s", err.message);
    snprintf(sql, sizeof sql, "CREATE VIRTUAL TABLE docs USING fts5(body, tokenize = '%s')", tokenize);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    return db;
}

static sqlite3 *open_db(void)
{
    return open_db_with("zf_cjk");
}

static void insert(sqlite3 *db, sqlite3_int64 id, const char *body)
{
    sqlite3_stmt *st = NULL;

    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO docs(rowid, body) VALUES (?1, ?2)", -1,
                                        &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, body, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

/* Runs a user query through the builder and MATCH; writes up to cap rowids
 * in rank order and returns how many matched, or -1 on a SQL error. */
static int search_mode(sqlite3 *db, const char *q, int mode, sqlite3_int64 *ids, int cap)
{
    sqlite3_stmt *st = NULL;
    char *expr = NULL;
    zf_err err = ZF_ERR_INIT;
    int n = 0, rc;

    if (zf_search_query_build(&expr, q, strlen(q), mode, &err) != 0)
        return 0;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT rowid FROM docs WHERE docs MATCH ?1 "
                                            "ORDER BY rank",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, expr, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n < cap)
            ids[n] = sqlite3_column_int64(st, 0);
        n++;
    }
    sqlite3_finalize(st);
    free(expr);
    return rc == SQLITE_DONE ? n : -1;
}

/* Both query modes must find the same rows (in the same rank order). */
static int search(sqlite3 *db, const char *q, sqlite3_int64 *ids, int cap)
{
    sqlite3_int64 tri[64];
    int n = search_mode(db, q, ZF_SEARCH_QUERY, ids, cap);
    int n3 = search_mode(db, q, ZF_SEARCH_QUERY_TRIGRAM, tri, 64);

    if (n != n3)
        fail_msg("\"%s\": %d rows with bigrams, %d with trigrams", q, n, n3);
    if (n <= cap && n <= 64 && memcmp(ids, tri, (size_t)n * sizeof *ids) != 0)
        fail_msg("\"%s\": bigram and trigram queries rank differently", q);
    return n;
}

static void fts5_basics(sqlite3 *db);

static void test_fts5_basics(void **state)
{
    (void)state;
    fts5_basics(open_db());
}

/* The same at depth 4, and only the two known arguments are accepted. */
static void test_fts5_4grams(void **state)
{
    sqlite3 *db = open_db_with("zf_cjk 4grams");
    sqlite3_int64 ids[8];

    (void)state;
    insert(db, 9, "中华人民共和国行政处罚法");
    assert_int_equal(search(db, "人民共和国行政", ids, 8), 1);
    assert_int_equal(search(db, "华人民共", ids, 8), 1);
    assert_int_equal(search(db, "国行政", ids, 8), 1);
    assert_int_equal(search(db, "共和国 行政处罚法", ids, 8), 1);
    assert_int_equal(search(db, "人民共国", ids, 8), 0);
    sqlite3_exec(db, "DELETE FROM docs", NULL, NULL, NULL);
    fts5_basics(db);
    db = open_db();
    assert_int_not_equal(sqlite3_exec(db, "CREATE VIRTUAL TABLE x USING fts5(b, tokenize = 'zf_cjk 5grams')",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "CREATE VIRTUAL TABLE y USING fts5(b, tokenize = 'zf_cjk 4grams x')",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "CREATE VIRTUAL TABLE y USING fts5(b, tokenize = 'zf_cjk 4grams 4grams')",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
    /* both options together: a scoped table of depth 4 */
    assert_int_equal(sqlite3_exec(db, "CREATE VIRTUAL TABLE z USING fts5(b, tokenize = 'zf_cjk scope 4grams');"
                                      "INSERT INTO z(rowid, b) VALUES (1, '" ZF_SEARCH_SCOPE_MARK "d7"
                                      ZF_SEARCH_SCOPE_MARK "中华人民共和国');"
                                      "INSERT INTO z(rowid, b) VALUES (2, '" ZF_SEARCH_SCOPE_MARK "d8"
                                      ZF_SEARCH_SCOPE_MARK "中华人民共和国');",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    {
        sqlite3_stmt *st = NULL;
        char *expr = NULL;
        zf_err err = ZF_ERR_INIT;

        assert_int_equal(zf_search_query_build_scoped(&expr, "人民共和", strlen("人民共和"),
                                                      ZF_SEARCH_QUERY_TRIGRAM, "d8", &err),
                         0);
        assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(rowid) FROM z WHERE z MATCH ?1", -1,
                                            &st, NULL),
                         SQLITE_OK);
        sqlite3_bind_text(st, 1, expr, -1, SQLITE_TRANSIENT);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(st, 0), "2");
        sqlite3_finalize(st);
        free(expr);
    }
    sqlite3_close(db);
}

static void fts5_basics(sqlite3 *db)
{
    sqlite3_int64 ids[8];
    sqlite3_stmt *st = NULL;

    insert(db, 1, "当事人违反《中华人民共和国食品安全法》第三十四条，处罚款5000元。");
    insert(db, 2, "行政处罚决定书 ＧＢ／Ｔ　３２１００ 人民法院");
    insert(db, 3, "中国，人民");
    insert(db, 4, "处罚处罚处罚");

    assert_int_equal(search(db, "食品安全", ids, 8), 1);
    assert_int_equal(ids[0], 1);
    assert_int_equal(search(db, "食", ids, 8), 1);
    assert_int_equal(search(db, "人民", ids, 8), 3);  /* 1, 2, 3 */
    assert_int_equal(search(db, "华人", ids, 8), 1);
    assert_int_equal(ids[0], 1);
    assert_int_equal(search(db, "中国人民", ids, 8), 0); /* doc 3 has "，" between */
    assert_int_equal(search(db, "中国", ids, 8), 1);
    assert_int_equal(search(db, "gb", ids, 8), 1);    /* full-width, case */
    assert_int_equal(ids[0], 2);
    assert_int_equal(search(db, "３２１", ids, 8), 1); /* prefix of 32100 */
    assert_int_equal(search(db, "5000元", ids, 8), 1);
    assert_int_equal(search(db, "处罚 人民法院", ids, 8), 1);
    assert_int_equal(ids[0], 2);
    assert_int_equal(search(db, "罚处", ids, 8), 1);
    assert_int_equal(ids[0], 4);
    assert_int_equal(search(db, "不存在", ids, 8), 0);

    /* bm25: the short document full of the term ranks first */
    assert_int_equal(search(db, "处罚", ids, 8), 3);
    assert_int_equal(ids[0], 4);

    /* highlight() uses the byte offsets */
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT highlight(docs, 0, '[', ']') FROM docs "
                                            "WHERE docs MATCH '\"人民法院\"'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_non_null(strstr((const char *)sqlite3_column_text(st, 0), "[人民法院]"));
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* No user input can make the MATCH expression fail to parse. */
static void test_hostile_queries(void **state)
{
    static const char *qs[] = {
        "\"", "\"\"", "a\" OR \"b", "*", "^处罚", "NEAR(a b)", "a AND", "OR", "(", ")",
        "{body}:x", "body:处罚", "-x", "+", "a*b", "'; DROP TABLE docs; --", "\\\"",
        "处罚\"*", "\"处罚\" NOT \"决定\"", "ＡＮＤ", "a:b:c", "x^y", "\"a\"\"b\"",
    };
    sqlite3 *db = open_db();
    sqlite3_int64 ids[4];
    size_t i;

    (void)state;
    insert(db, 1, "处罚 决定 a b x");
    for (i = 0; i < sizeof qs / sizeof qs[0]; i++)
        if (search(db, qs[i], ids, 4) < 0)
            fail_msg("query %s broke the MATCH expression: %s", qs[i], sqlite3_errmsg(db));
    sqlite3_close(db);
}

/* ---- recall against an exhaustive substring scan ----------------------- */

typedef struct corpus {
    char **docs;
    size_t count, cap;
    size_t bytes;
    int generated;
} corpus;

static void corpus_add(corpus *c, const char *text)
{
    if (c->count == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->docs = zf_realloc(c->docs, c->cap * sizeof *c->docs);
    }
    c->docs[c->count++] = zf_strdup(text);
    c->bytes += strlen(text);
}

static void load_laws(corpus *c, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d))) {
        char path[4096];
        struct stat sb;

        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode)) {
            load_laws(c, path);
        } else if (strlen(e->d_name) > 3 && !strcmp(e->d_name + strlen(e->d_name) - 3, ".md") &&
                   strcmp(e->d_name, "README.md") != 0) {
            FILE *f = fopen(path, "rb");
            char *buf = zf_malloc((size_t)sb.st_size + 1);
            zf_lawdoc *doc = NULL;
            size_t n = f ? fread(buf, 1, (size_t)sb.st_size, f) : 0;

            if (f)
                fclose(f);
            buf[n] = '\0';
            if (zf_lawdoc_parse(&doc, buf, n, NULL) == 0) {
                size_t i;
                for (i = 0; i < doc->article_count; i++)
                    corpus_add(c, doc->articles[i].text);
                zf_lawdoc_free(doc);
            } else {
                corpus_add(c, buf); /* a notice without articles: one row */
            }
            free(buf);
        }
    }
    closedir(d);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static size_t put_cp(char *p, uint32_t cp)
{
    if (cp < 0x80) {
        p[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        p[0] = (char)(0xC0 | (cp >> 6));
        p[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    p[0] = (char)(0xE0 | (cp >> 12));
    p[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    p[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
}

/* A corpus in the shape of decisions: Han from a small alphabet (so that
 * substrings recur), punctuation, numbers and Latin. */
static void generate(corpus *c)
{
    static const char *alpha = "行政处罚决定书当事人违法事实依据法律条款罚款没收违法所得责令改正"
                               "市场监督管理局食品安全生产经营许可证人民政府公示期限年月日";
    uint32_t cps[128];
    size_t na = 0, i;
    const unsigned char *p = (const unsigned char *)alpha;

    while (*p) {
        cps[na++] = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        p += 3;
    }
    c->generated = 1;
    for (i = 0; i < 4000; i++) {
        char buf[2048];
        size_t len = 0, n = 20 + rnd() % 300, k;

        for (k = 0; k < n && len < sizeof buf - 16; k++) {
            uint64_t r = rnd() % 100;
            if (r < 85)
                len += put_cp(buf + len, cps[rnd() % na]);
            else if (r < 92)
                len += put_cp(buf + len, 0xFF0C); /* ， */
            else if (r < 96)
                len += (size_t)snprintf(buf + len, 8, "%u", (unsigned)(rnd() % 10000));
            else
                len += (size_t)snprintf(buf + len, 8, " ab%c ", (char)('a' + rnd() % 26));
        }
        buf[len] = '\0';
        corpus_add(c, buf);
    }
}

static int is_han(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF);
}

static uint32_t decode3(const unsigned char *p, size_t *n)
{
    if (p[0] < 0x80) {
        *n = 1;
        return p[0];
    }
    if ((p[0] & 0xE0) == 0xC0) {
        *n = 2;
        return ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
    }
    if ((p[0] & 0xF0) == 0xE0) {
        *n = 3;
        return ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    }
    *n = 4;
    return 0x10000;
}

/* Picks a run of exactly `chars` Han characters from a random document. */
static int pick_query(const corpus *c, int chars, char *out, size_t cap)
{
    int tries;

    for (tries = 0; tries < 200; tries++) {
        const char *d = c->docs[rnd() % c->count];
        size_t len = strlen(d), off, n, qlen = 0;
        int got = 0;

        if (len == 0)
            continue;
        off = rnd() % len;
        while (off > 0 && ((unsigned char)d[off] & 0xC0) == 0x80)
            off--;
        while (got < chars && off < len && qlen + 4 < cap) {
            uint32_t cp = decode3((const unsigned char *)d + off, &n);
            if (!is_han(cp))
                break;
            memcpy(out + qlen, d + off, n);
            qlen += n;
            off += n;
            got++;
        }
        if (got == chars) {
            out[qlen] = '\0';
            return 0;
        }
    }
    return -1;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- scoped tables (tokenize = 'zf_cjk scope') ------------------------ */

#define SM ZF_SEARCH_SCOPE_MARK

/* The rowids (ascending, up to cap) a query typed by a user matches in the
 * scoped table sdocs, limited to scope (NULL: every scope); -1 when the
 * builder refuses it. */
static int scoped_ids(sqlite3 *db, const char *q, const char *scope, sqlite3_int64 *ids, int cap)
{
    sqlite3_stmt *st = NULL;
    char *expr = NULL;
    zf_err err = ZF_ERR_INIT;
    int n = 0, rc;

    if (zf_search_query_build_scoped(&expr, q, strlen(q), ZF_SEARCH_QUERY_TRIGRAM, scope, &err) != 0)
        return -1;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT rowid FROM sdocs WHERE sdocs MATCH ?1 ORDER BY rowid", -1,
                                        &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, expr, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (n < cap)
            ids[n++] = sqlite3_column_int64(st, 0);
    assert_int_equal(rc, SQLITE_DONE);
    sqlite3_finalize(st);
    free(expr);
    return n;
}

static void test_scoped_table(void **state)
{
    static const char *rows[] = {
        SM "1" SM "行政处罚决定书 abc123", /* scope 1 */
        SM "2" SM "行政处罚决定书 abc9",   /* scope 2 */
        SM "12" SM "处罚 abc",             /* scope 12: "1" must not be its prefix */
        "处罚 没有范围",                   /* no scope: plain tokens only */
        SM SM "处罚 空范围",               /* not a scope prefix: plain text */
    };
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    sqlite3_int64 ids[8];
    zf_err err = ZF_ERR_INIT;
    char *expr = NULL;
    size_t i;

    (void)state;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(zf_search_register(db, &err), 0);
    assert_int_equal(sqlite3_exec(db, "CREATE VIRTUAL TABLE sdocs USING fts5(body, tokenize = 'zf_cjk scope')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO sdocs(rowid, body) VALUES (?1, ?2)", -1, &st, NULL),
                     SQLITE_OK);
    for (i = 0; i < sizeof rows / sizeof *rows; i++) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
        sqlite3_bind_text(st, 2, rows[i], -1, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(st), SQLITE_DONE);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);

    /* without a scope: every row holding the words */
    assert_int_equal(scoped_ids(db, "处罚", NULL, ids, 8), 5);
    assert_int_equal(scoped_ids(db, "行政处罚决定", NULL, ids, 8), 2);
    assert_int_equal(scoped_ids(db, "abc", NULL, ids, 8), 3);
    /* with one: that scope's rows only, for a trigram phrase, a bigram, a
     * unigram and a prefix word */
    assert_int_equal(scoped_ids(db, "行政处罚决定", "1", ids, 8), 1);
    assert_int_equal(ids[0], 1);
    assert_int_equal(scoped_ids(db, "处罚", "2", ids, 8), 1);
    assert_int_equal(ids[0], 2);
    assert_int_equal(scoped_ids(db, "罚", "12", ids, 8), 1);
    assert_int_equal(ids[0], 3);
    assert_int_equal(scoped_ids(db, "abc", "1", ids, 8), 1); /* not scope 12's "abc" */
    assert_int_equal(ids[0], 1);
    assert_int_equal(scoped_ids(db, "abc12", "1", ids, 8), 1);
    assert_int_equal(scoped_ids(db, "abc9", "1", ids, 8), 0);
    assert_int_equal(scoped_ids(db, "处罚 abc", "12", ids, 8), 1);
    assert_int_equal(ids[0], 3);
    assert_int_equal(scoped_ids(db, "处罚", "3", ids, 8), 0);
    /* the scope's own characters are no token of the text */
    assert_int_equal(scoped_ids(db, "12", NULL, ids, 8), 0);
    assert_int_equal(scoped_ids(db, "2", NULL, ids, 8), 0);

    /* highlight() still points at the words, after the prefix */
    assert_int_equal(zf_search_query_build_scoped(&expr, "处罚", strlen("处罚"), ZF_SEARCH_QUERY, "12", &err), 0);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT highlight(sdocs, 0, '[', ']') FROM sdocs WHERE sdocs MATCH ?1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, expr, -1, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), SM "12" SM "[处罚] abc");
    sqlite3_finalize(st);
    free(expr);

    /* a scope is 1 to ZF_SEARCH_SCOPE_MAX letters or digits */
    assert_int_equal(scoped_ids(db, "处罚", "", ids, 8), -1);
    assert_int_equal(scoped_ids(db, "处罚", "1:2", ids, 8), -1);
    assert_int_equal(scoped_ids(db, "处罚", "123456789012345678901", ids, 8), -1);
    assert_int_equal(scoped_ids(db, "处罚", "12345678901234567890", ids, 8), 0);
    /* a user cannot type a scope: the mark ends a term */
    assert_int_equal(zf_search_query_build(&expr, SM "2" SM "处罚", strlen(SM "2" SM "处罚"),
                                           ZF_SEARCH_QUERY_TRIGRAM, &err),
                     0);
    assert_null(strstr(expr, SM));
    free(expr);
    assert_int_equal(scoped_ids(db, SM "2" SM "处罚", NULL, ids, 8), 0); /* "2" AND 处罚: no word "2" */
    sqlite3_close(db);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void recall_against_substring_scan(const char *tokenize);

static void test_recall_against_substring_scan(void **state)
{
    (void)state;
    recall_against_substring_scan("zf_cjk");
}

static void test_recall_against_substring_scan_4grams(void **state)
{
    (void)state;
    recall_against_substring_scan("zf_cjk 4grams");
}

static void recall_against_substring_scan(const char *tokenize)
{
    const char *base = getenv("ZF_REFERENCE_DIR");
    char dir[4096];
    corpus c = {0};
    sqlite3 *db = NULL;
    zf_err err = ZF_ERR_INIT;
    sqlite3_stmt *ins = NULL, *sel = NULL;
    unsigned char *in_match;
    double t0, index_ms, *qtimes, *stimes;
    size_t i;
    int q, nq = 0, total_hits = 0, false_pos = 0, empty = 0;
    const int per_len = 60, absent = 60;
    char create[128];

    snprintf(dir, sizeof dir, "%s/laws", base && *base ? base : "/work/shared/reference");
    load_laws(&c, dir);
    if (c.count == 0) {
        printf("  [ info ] reference laws not found: using a generated corpus\n");
        generate(&c);
    }

    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(zf_search_register(db, &err), 0);
    snprintf(create, sizeof create, "CREATE VIRTUAL TABLE docs USING fts5(body, tokenize = '%s')",
             tokenize);
    assert_int_equal(sqlite3_exec(db, create, NULL, NULL, NULL), SQLITE_OK);
    t0 = now_ms();
    assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO docs(rowid, body) VALUES (?1, ?2)", -1,
                                        &ins, NULL),
                     SQLITE_OK);
    for (i = 0; i < c.count; i++) {
        sqlite3_bind_int64(ins, 1, (sqlite3_int64)i);
        sqlite3_bind_text(ins, 2, c.docs[i], -1, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    index_ms = now_ms() - t0;
    printf("  [ info ] %s: indexed %zu rows, %.2f MB, in %.0f ms%s\n", tokenize, c.count,
           (double)c.bytes / 1e6, index_ms, c.generated ? " (generated corpus)" : "");

    assert_int_equal(sqlite3_prepare_v2(db, "SELECT rowid FROM docs WHERE docs MATCH ?1", -1,
                                        &sel, NULL),
                     SQLITE_OK);
    in_match = zf_calloc(c.count, 1);
    qtimes = zf_calloc((size_t)(10 * per_len + absent), sizeof *qtimes);
    stimes = zf_calloc((size_t)(10 * per_len + absent), sizeof *stimes);
    for (q = 0; q < 10 * per_len + absent; q++) {
        char query[64], *expr = NULL;
        int rc, mode, sub_hits = 0;

        if (q < 10 * per_len) {
            if (pick_query(&c, 1 + q / per_len, query, sizeof query) < 0)
                continue;
        } else {
            /* absent strings (very likely): rare ideographs from Ext. A */
            size_t len = 0;
            int k, n = 2 + (int)(rnd() % 5);
            for (k = 0; k < n; k++)
                len += put_cp(query + len, 0x3400 + (uint32_t)(rnd() % 0x19B0));
            query[len] = '\0';
        }
        /* both query modes, each checked against the substring scan; the
         * trigram mode (the one searches use) is timed */
        for (mode = 0; mode < 2; mode++) {
            assert_int_equal(zf_search_query_build(&expr, query, strlen(query),
                                                   mode ? ZF_SEARCH_QUERY : ZF_SEARCH_QUERY_TRIGRAM, &err),
                             0);
            memset(in_match, 0, c.count);
            t0 = now_ms();
            sqlite3_bind_text(sel, 1, expr, -1, SQLITE_TRANSIENT);
            while ((rc = sqlite3_step(sel)) == SQLITE_ROW)
                in_match[sqlite3_column_int64(sel, 0)] = 1;
            assert_int_equal(rc, SQLITE_DONE);
            sqlite3_reset(sel);
            if (mode == 0)
                qtimes[nq] = now_ms() - t0;
            free(expr);

            t0 = now_ms();
            sub_hits = 0;
            for (i = 0; i < c.count; i++) {
                int sub = strstr(c.docs[i], query) != NULL;
                if (sub) {
                    sub_hits++;
                    /* MATCH ⊇ substring: no substring hit may be missed */
                    if (!in_match[i])
                        fail_msg("query \"%s\" (%s) missed row %zu (found by substring scan)", query,
                                 mode ? "bigrams" : "trigrams", i);
                } else if (in_match[i]) {
                    false_pos++; /* filtered away by the substring check */
                }
            }
            if (mode == 0)
                stimes[nq] = now_ms() - t0;
        }
        total_hits += sub_hits;
        if (sub_hits == 0)
            empty++;
        nq++;
    }
    sqlite3_finalize(sel);
    qsort(qtimes, (size_t)nq, sizeof *qtimes, cmp_double);
    qsort(stimes, (size_t)nq, sizeof *stimes, cmp_double);
    printf("  [ info ] %d queries (1-10 Han chars, %d with no hit), %d substring hits, "
           "%d extra MATCH rows\n",
           nq, empty, total_hits, false_pos);
    printf("  [ info ] MATCH p50 %.3f ms p99 %.3f ms; strstr scan p50 %.3f ms p99 %.3f ms\n",
           qtimes[nq / 2], qtimes[nq * 99 / 100], stimes[nq / 2], stimes[nq * 99 / 100]);
    assert_true(nq >= 10 * per_len); /* every length found its samples */
    assert_true(empty >= absent / 2);
    /* For pure Han queries the bigram phrase is exact: after the substring
     * filter the sets are equal, and here nothing even needed filtering. */
    assert_int_equal(false_pos, 0);

    free(in_match);
    free(qtimes);
    free(stimes);
    sqlite3_close(db);
    for (i = 0; i < c.count; i++)
        free(c.docs[i]);
    free(c.docs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_table),
        cmocka_unit_test(test_offsets_point_at_original),
        cmocka_unit_test(test_invalid_utf8_and_long_words),
        cmocka_unit_test(test_query_builder),
        cmocka_unit_test(test_fts5_basics),
        cmocka_unit_test(test_fts5_4grams),
        cmocka_unit_test(test_hostile_queries),
        cmocka_unit_test(test_scoped_table),
        cmocka_unit_test(test_recall_against_substring_scan),
        cmocka_unit_test(test_recall_against_substring_scan_4grams),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
