/* test_search_store.c — the search index (store/search_store.h): triggers
 * from the libraries, upsert/delete for other kinds, safe highlighting,
 * exact counts and bm25 order for small results, estimates and complete
 * windowed paging for broad ones, and parameter checks.
 *
 * Both backends (testdb.h): on SQLite the index is FTS5, on PostgreSQL
 * (`make test-pg`) the tsvector path (search/tsv.c, ts_rank); the same
 * assertions hold for both. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "search/tokenizer.h"
#include "store/db.h"
#include "store/search_store.h"
#include "testdb.h" /* issue 9: PostgreSQL under make test-pg */

static zf_db *db;
static char dbpath[64];

static void remove_files(void)
{
    char p[96];

    unlink(dbpath);
    snprintf(p, sizeof p, "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbpath);
    unlink(p);
}

static int setup(void **state)
{
    zf_err err = ZF_ERR_INIT;

    (void)state;
    snprintf(dbpath, sizeof dbpath, "/tmp/zf-test-search-%d.db", (int)getpid());
    remove_files();
    if (zf_db_open(&db, zf_test_db_location(dbpath), &err) < 0 || zf_db_migrate(db, &err) < 0) {
        fprintf(stderr, "setup: %s\n", err.message);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    zf_db_close(db);
    db = NULL;
    remove_files();
    return 0;
}

static int run(zf_search_result *out, const char *q, const char *kind, int64_t page, int64_t per_page)
{
    zf_search_params p = ZF_SEARCH_PARAMS_INIT;
    zf_err err = ZF_ERR_INIT;
    int rc;

    p.q = q;
    p.kind = kind;
    p.page = page;
    p.per_page = per_page;
    rc = zf_search_run(out, db, &p, &err);
    if (rc < 0)
        return rc;
    return 0;
}

static void upsert(const char *kind, int64_t ref, const char *title, const char *body)
{
    zf_search_doc d = {kind, ref, 0, "2025-01-02", title, body, "/x"};
    zf_err err = ZF_ERR_INIT;

    assert_int_equal(zf_search_index_upsert(db, &d, &err), 0);
}

/* Runs sql on a connection of the backend's own client library, not
 * through db.h: no zhifa code (tokenizer, tsvector) takes part. */
static void raw_exec(const char *sql)
{
    if (zf_test_db_is_postgres(db)) {
        PGconn *c = PQconnectdb(zf_db_location(db));
        PGresult *r = PQexec(c, sql);

        assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
        PQclear(r);
        PQfinish(c);
    } else {
        sqlite3 *raw = NULL;

        assert_int_equal(sqlite3_open(dbpath, &raw), SQLITE_OK);
        assert_int_equal(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(raw);
    }
}

static void test_library_rows_are_indexed_by_trigger(void **state)
{
    zf_search_result r;

    (void)state;
    assert_int_equal(zf_db_exec(db,
                                "INSERT INTO departments (code, name, created_at, updated_at)"
                                " VALUES ('D1', '市城市管理局', 0, 0);"
                                "INSERT INTO matters (department_id, code, name, power_type, legal_basis,"
                                " created_at, updated_at) VALUES (1, 'M1', '占道经营的行政处罚', 'penalty',"
                                " '城市市容条例', 0, 0);",
                                NULL),
                     0);
    assert_int_equal(run(&r, "占道", NULL, 1, 10), 0);
    assert_int_equal(r.total, 1);
    assert_true(r.exact);
    assert_string_equal(r.items[0].kind, "matter");
    assert_string_equal(r.items[0].department, "市城市管理局");
    assert_string_equal(r.items[0].title_html, "<mark>占道</mark>经营的行政处罚");
    assert_string_equal(r.items[0].link, "/departments/1#matters");
    zf_search_result_free(&r);

    /* a rename reaches the index; a delete removes the entry */
    assert_int_equal(zf_db_exec(db, "UPDATE matters SET name = '流动摊贩的行政处罚' WHERE code = 'M1'", NULL), 0);
    assert_int_equal(run(&r, "占道", NULL, 1, 10), 0);
    assert_int_equal(r.total, 0);
    zf_search_result_free(&r);
    assert_int_equal(run(&r, "摊贩", "matter", 1, 10), 0);
    assert_int_equal(r.total, 1);
    zf_search_result_free(&r);
    /* a connection without the tokenizer (the sqlite3 shell or psql, a
     * script) can still change a library: the change waits in search_queue
     * (SQLite triggers, or migration 0007's plpgsql ones) */
    {
        int64_t queued = 0;
        raw_exec("UPDATE matters SET name = '夜市摊贩的行政处罚' WHERE code = 'M1'");
        assert_int_equal(zf_db_query_int64(db, &queued, "SELECT count(*) FROM search_queue", NULL, 0, NULL), 1);
        assert_true(queued > 0);
        assert_int_equal(run(&r, "夜市", NULL, 1, 10), 0);
        assert_int_equal(r.total, 1);
        zf_search_result_free(&r);
        assert_int_equal(zf_db_query_int64(db, &queued, "SELECT count(*) FROM search_queue", NULL, 0, NULL), 1);
        assert_int_equal(queued, 0);
    }
    assert_int_equal(zf_db_exec(db, "DELETE FROM matters WHERE code = 'M1'", NULL), 0);
    assert_int_equal(run(&r, "摊贩", NULL, 1, 10), 0);
    assert_int_equal(r.total, 0);
    zf_search_result_free(&r);
}

static void test_upsert_replaces_and_delete_removes(void **state)
{
    zf_search_result r;
    zf_err err = ZF_ERR_INIT;
    zf_search_doc bad = {"Decision!", 1, 0, NULL, "t", NULL, NULL};

    (void)state;
    upsert("decision", 7, "关于某公司的处罚决定", "违法事实清楚");
    upsert("decision", 7, "关于某公司的处罚决定（更正）", "证据确凿");
    assert_int_equal(run(&r, "证据", NULL, 1, 10), 0);
    assert_int_equal(r.total, 1);
    assert_string_equal(r.items[0].title, "关于某公司的处罚决定（更正）");
    zf_search_result_free(&r);
    assert_int_equal(run(&r, "违法事实", NULL, 1, 10), 0);
    assert_int_equal(r.total, 0);
    zf_search_result_free(&r);
    assert_int_equal(zf_search_index_delete(db, "decision", 7, &err), 0);
    assert_int_equal(zf_search_index_delete(db, "decision", 7, &err), 0);
    assert_int_equal(run(&r, "证据", NULL, 1, 10), 0);
    assert_int_equal(r.total, 0);
    zf_search_result_free(&r);
    assert_int_equal(zf_search_index_upsert(db, &bad, &err), ZF_EINVAL);
}

static void test_highlight_escapes_everything_but_marks(void **state)
{
    zf_search_result r;

    (void)state;
    upsert("guide", 1, "<b>办事</b>指南 & \"引号\" 'x'", "请携带<script>alert(1)</script>身份证\x02原件\x03");
    assert_int_equal(run(&r, "指南", NULL, 1, 10), 0);
    assert_int_equal(r.total, 1);
    assert_string_equal(r.items[0].title_html,
                        "&lt;b&gt;办事&lt;/b&gt;<mark>指南</mark> &amp; &quot;引号&quot; &#39;x&#39;");
    zf_search_result_free(&r);
    assert_int_equal(run(&r, "身份证", NULL, 1, 10), 0);
    assert_int_equal(r.total, 1);
    assert_non_null(strstr(r.items[0].snippet_html, "&lt;script&gt;"));
    assert_non_null(strstr(r.items[0].snippet_html, "<mark>身份证</mark>"));
    assert_null(strstr(r.items[0].snippet_html, "<script"));
    zf_search_result_free(&r);
}

static void test_small_results_are_exact_and_ranked(void **state)
{
    zf_search_result r;
    size_t i;

    (void)state;
    upsert("law", 101, "第一条", "罚款罚款罚款罚款");
    upsert("law", 102, "罚款", "罚款");
    upsert("law", 103, "第三条", "一段很长的文字里只提到一次罚款，其余都是别的内容，别的内容，别的内容");
    assert_int_equal(run(&r, "罚款", "law", 1, 10), 0);
    assert_int_equal(r.total, 3);
    assert_true(r.exact);
    assert_false(r.has_more);
    assert_int_equal(r.items[0].ref_id, 102); /* in the title, weighted 4 */
    assert_int_equal(r.items[2].ref_id, 103); /* one hit in a long body */
    for (i = 1; i < r.count; i++)
        assert_true(r.items[i - 1].score <= r.items[i].score);
    zf_search_result_free(&r);
}

static void test_broad_results_are_estimated_and_fully_paged(void **state)
{
    enum { N = 2600 };
    zf_search_result r;
    zf_err err = ZF_ERR_INIT;
    static char seen[N + 1];
    int64_t page, count = 0;
    int i;

    (void)state;
    assert_int_equal(zf_db_begin(db, &err), 0);
    for (i = 1; i <= N; i++) {
        char title[64];
        snprintf(title, sizeof title, "第%d号处罚决定书", i);
        upsert("decision", i, title, i % 2 ? "责令改正并处罚款" : "给予警告");
    }
    assert_int_equal(zf_db_commit(db, &err), 0);
    assert_int_equal(run(&r, "决定", "decision", 1, 10), 0);
    assert_false(r.exact);
    assert_true(r.has_more);
    assert_int_equal(r.count, 10);
    /* evenly spread matches: the estimate is close (two significant digits) */
    assert_true(r.total >= 2400 && r.total <= 2800);
    zf_search_result_free(&r);
    /* every match once, across windows, with per_page not dividing 1000 */
    memset(seen, 0, sizeof seen);
    for (page = 1;; page++) {
        assert_int_equal(run(&r, "决定", "decision", page, 30), 0);
        for (i = 0; i < (int)r.count; i++) {
            int64_t id = r.items[i].ref_id;
            assert_true(id >= 1 && id <= N);
            assert_int_equal(seen[id], 0);
            seen[id] = 1;
            count++;
        }
        if (!r.has_more) {
            zf_search_result_free(&r);
            break;
        }
        assert_int_equal(r.count, 30);
        zf_search_result_free(&r);
        assert_true(page < 200);
    }
    assert_int_equal(count, N);
    /* a narrower phrase among them is exact */
    assert_int_equal(run(&r, "责令改正", "decision", 1, 10), 0);
    assert_false(r.exact); /* 1300 > 1000 */
    zf_search_result_free(&r);
    assert_int_equal(run(&r, "第1234号", NULL, 1, 10), 0);
    assert_true(r.exact);
    assert_int_equal(r.total, 1);
    zf_search_result_free(&r);
}

/* Pages of a ranked result, read one after another, give FTS5's own bm25
 * order (zf_bm25 differs only in a factor common to every row) with each
 * match once: the page's best are picked without sorting the whole window
 * (sort_best), so deep and shallow pages are checked alike. */
static void test_pages_follow_fts5_bm25_order(void **state)
{
    enum { N = 400 };
    static const char *const queries[] = {"罚款", "责令改正", "改正并处罚款"};
    zf_search_result r;
    zf_err err = ZF_ERR_INIT;
    sqlite3 *raw = NULL;
    sqlite3_stmt *st = NULL;
    int64_t got[N], want[N];
    size_t qi;
    int i, n, ng;

    (void)state;
    /* the reference order is FTS5's own bm25 over the SQLite table */
    if (zf_test_db_is_postgres(db))
        skip();
    assert_int_equal(zf_db_begin(db, &err), 0);
    for (i = 1; i <= N; i++) {
        char title[64], body[1024];
        int k, len = 0, reps = 1 + (i * 7) % 5, filler = (i * 13) % 37;

        snprintf(title, sizeof title, "%s第%d号决定", i % 3 == 0 ? "罚款" : "", i);
        for (k = 0; k < reps; k++)
            len += snprintf(body + len, sizeof body - (size_t)len, "%s", i % 4 ? "责令改正并处罚款，" : "罚款，");
        for (k = 0; k < filler; k++)
            len += snprintf(body + len, sizeof body - (size_t)len, "文");
        upsert("decision", i, title, body);
    }
    assert_int_equal(zf_db_commit(db, &err), 0);
    assert_int_equal(sqlite3_open(dbpath, &raw), SQLITE_OK);
    assert_int_equal(zf_search_register(raw, &err), 0);
    for (qi = 0; qi < sizeof queries / sizeof queries[0]; qi++) {
        char *match = NULL;
        int64_t page;

        assert_int_equal(zf_search_query_build(&match, queries[qi], strlen(queries[qi]),
                                               ZF_SEARCH_QUERY_TRIGRAM, &err),
                         0);
        assert_int_equal(sqlite3_prepare_v2(raw,
                                            "SELECT d.ref_id FROM search_fts f JOIN search_docs d ON d.id = f.rowid"
                                            " WHERE search_fts MATCH ?1 ORDER BY bm25(search_fts, 4.0, 1.0), f.rowid DESC",
                                            -1, &st, NULL),
                         SQLITE_OK);
        sqlite3_bind_text(st, 1, match, -1, SQLITE_TRANSIENT);
        for (n = 0; sqlite3_step(st) == SQLITE_ROW && n < N; n++)
            want[n] = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        free(match);
        assert_true(n > 50);
        /* 7 per page, and the most a page may hold for the last query */
        for (page = 1, ng = 0;; page++) {
            assert_int_equal(run(&r, queries[qi], NULL, page, qi == 2 ? ZF_SEARCH_PER_PAGE_MAX : 7), 0);
            assert_true(r.exact);
            assert_int_equal(r.total, n);
            for (i = 0; i < (int)r.count && ng < N; i++)
                got[ng++] = r.items[i].ref_id;
            if (!r.has_more) {
                zf_search_result_free(&r);
                break;
            }
            zf_search_result_free(&r);
            assert_true(page < N);
        }
        assert_int_equal(ng, n);
        for (i = 0; i < n; i++)
            if (got[i] != want[i])
                fail_msg("\"%s\": hit %d is %lld, FTS5's bm25 order has %lld", queries[qi], i,
                         (long long)got[i], (long long)want[i]);
    }
    sqlite3_close(raw);
}

/* The portal's index is the depth-4 one of migration 0026, and through it
 * zf_search_run finds exactly the rows a substring scan finds, for Han
 * queries of 1 to 8 characters (the 4-gram phrases included). */
static void test_portal_index_recall(void **state)
{
    static const char alpha[] = "行政处罚决定书当事人违法事实依据责令改正罚款没收人民政府";
    enum { N = 300, CPS = (int)(sizeof alpha - 1) / 3 };
    static char bodies[N + 1][400];
    zf_search_result r;
    zf_err err = ZF_ERR_INIT;
    zf_stmt *st = NULL;
    uint64_t x = 88172645463325252ull;
    int i, q, hits = 0;

    (void)state;
    /* SQLite: the FTS5 table is the depth-4 one; PostgreSQL runs the same
     * recall check through its tsvector path */
    if (!zf_test_db_is_postgres(db)) {
        assert_int_equal(zf_db_prepare(&st, db, "SELECT sql FROM sqlite_master WHERE name = 'search_fts'", &err),
                         0);
        assert_int_equal(zf_stmt_step(st, &err), 1);
        assert_non_null(strstr(zf_stmt_text(st, 0), "zf_cjk 4grams"));
        zf_stmt_free(st);
    }
    assert_int_equal(zf_db_begin(db, &err), 0);
    for (i = 1; i <= N; i++) {
        char body[400];
        int k, len = 0, n = 20 + i % 80;
        for (k = 0; k < n; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            memcpy(body + len, alpha + 3 * (x % CPS), 3);
            len += 3;
            if (x % 11 == 0)
                body[len++] = ' ';
        }
        body[len] = '\0';
        memcpy(bodies[i], body, (size_t)len + 1);
        upsert("decision", i, "决定", body);
    }
    assert_int_equal(zf_db_commit(db, &err), 0);
    for (q = 0; q < 200; q++) {
        char query[64];
        int k, len = 0, n = 1 + q % 8;
        int64_t want = 0;
        const char *params[1];
        char like[80];

        /* half of them cut from an indexed body (so long ones hit too),
         * half made up */
        do {
            const char *b;
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            b = bodies[1 + x % N];
            len = 0;
            for (k = 0; k < n; k++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                memcpy(query + len, q % 2 ? alpha + 3 * (x % CPS) : b + 3 * k, 3);
                len += 3;
            }
            query[len] = '\0';
        } while (strchr(query, ' ') || strlen(query) != (size_t)len);
        snprintf(like, sizeof like, "%%%s%%", query);
        params[0] = like;
        assert_int_equal(zf_db_query_int64(db, &want,
                                           "SELECT count(*) FROM search_docs WHERE kind = 'decision'"
                                           " AND (title LIKE $1 OR body LIKE $1)",
                                           &err, 1, params),
                         1);
        assert_int_equal(run(&r, query, "decision", 1, 10), 0);
        assert_true(r.exact);
        if (r.total != want)
            fail_msg("\"%s\": zf_search_run %lld, substring scan %lld", query, (long long)r.total,
                     (long long)want);
        hits += want > 0;
        zf_search_result_free(&r);
    }
    assert_true(hits > 100); /* most queries have hits, short and long */
}

/* A document past what a tsvector holds (positions up to 16383, 256 per
 * lexeme) is still found by a phrase near its end, on both backends; on
 * PostgreSQL it is the tsv_partial flag and the loose query that find it
 * (search/tsv.h), so the flag is checked there too. */
static void test_long_documents_are_found(void **state)
{
    static const char filler[] = "城市管理综合执法检查记录"; /* none of 违章搭建 */
    enum { CHARS = 17000 };
    zf_search_result r;
    char *body = malloc(CHARS * 3 + 64), *many = malloc(300 * 3 + 64);
    size_t i, flen = sizeof filler - 1;

    (void)state;
    assert_non_null(body);
    assert_non_null(many);
    for (i = 0; i < CHARS; i++)
        memcpy(body + i * 3, filler + (i * 3) % flen, 3);
    strcpy(body + CHARS * 3, "发现违章搭建");
    upsert("law", 1, "长文", body);
    /* one character 300 times: more positions than one lexeme keeps */
    for (i = 0; i < 300; i++)
        memcpy(many + i * 3, "罚", 3);
    strcpy(many + 300 * 3, "没收违法所得");
    upsert("law", 2, "重复", many);
    upsert("law", 3, "短文", "违章的搭建");
    free(body);
    free(many);

    assert_int_equal(run(&r, "违章搭建", NULL, 1, 10), 0);
    assert_int_equal(r.total, 1);
    assert_int_equal(r.items[0].ref_id, 1);
    assert_non_null(strstr(r.items[0].snippet_html, "<mark>违章搭建</mark>"));
    zf_search_result_free(&r);
    assert_int_equal(run(&r, "违法所得", NULL, 1, 10), 0);
    assert_int_equal(r.total, 1);
    assert_int_equal(r.items[0].ref_id, 2);
    zf_search_result_free(&r);
    if (zf_test_db_is_postgres(db)) {
        int64_t n = -1;

        assert_int_equal(zf_db_query_int64(db, &n, "SELECT COUNT(*) FROM search_docs WHERE tsv_partial",
                                           NULL, 0, NULL), 1);
        assert_int_equal(n, 2);
        assert_int_equal(zf_db_query_int64(db, &n, "SELECT COUNT(*) FROM search_docs WHERE tsv IS NULL",
                                           NULL, 0, NULL), 1);
        assert_int_equal(n, 0);
    }
}

static void test_bad_parameters(void **state)
{
    zf_search_result r;
    char longq[64 * 3 + 1];
    int i;

    (void)state;
    assert_int_equal(run(&r, NULL, NULL, 1, 10), ZF_EINVAL);
    assert_int_equal(run(&r, "  ", NULL, 1, 10), ZF_EINVAL);
    assert_int_equal(run(&r, "，。", NULL, 1, 10), ZF_EINVAL);
    assert_int_equal(run(&r, "\xff\xfe", NULL, 1, 10), ZF_EINVAL);
    assert_int_equal(run(&r, "处罚", "nope", 1, 10), ZF_EINVAL);
    assert_int_equal(run(&r, "处罚", NULL, 0, 10), ZF_EINVAL);
    assert_int_equal(run(&r, "处罚", NULL, 1, 0), ZF_EINVAL);
    assert_int_equal(run(&r, "处罚", NULL, 1, 51), ZF_EINVAL);
    assert_int_equal(run(&r, "处罚", NULL, 100000, 50), ZF_EINVAL);
    for (i = 0; i < 51; i++)
        memcpy(longq + i * 3, "法", 3);
    longq[51 * 3] = '\0';
    assert_int_equal(run(&r, longq, NULL, 1, 10), ZF_EINVAL);
    longq[50 * 3] = '\0';
    assert_int_equal(run(&r, longq, NULL, 1, 10), 0);
    zf_search_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_library_rows_are_indexed_by_trigger, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upsert_replaces_and_delete_removes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_highlight_escapes_everything_but_marks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_small_results_are_exact_and_ranked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_broad_results_are_estimated_and_fully_paged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pages_follow_fts5_bm25_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_portal_index_recall, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_documents_are_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_parameters, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
