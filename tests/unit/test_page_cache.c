/* test_page_cache.c — zf_db_data_version (store/db.h) and the portal's page
 * cache (web/page_cache.h): a page is rendered again after any commit, by
 * this connection or another, and on a new day; an ETag named in
 * If-None-Match gets 304.
 *
 * Both backends (testdb.h). PostgreSQL (`make test-pg`) has no data version
 * (pg.c leaves it out), so there the cache must stay off: the tests of what
 * is kept in memory are SQLite's only, and test_without_a_data_version_*
 * checks what holds on PostgreSQL instead — every request renders, so no
 * page is stale, and ETag / If-None-Match still give 304. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "store/db.h"
#include "testdb.h" /* issue 9: PostgreSQL under make test-pg */
#include "web/page_cache.h"

static char dbfile[256];
static char dbpath[600]; /* dbfile, or the PostgreSQL database of the run */
static zf_db *a, *b;

static int setup(void **state)
{
    zf_err err = ZF_ERR_INIT;

    (void)state;
    snprintf(dbfile, sizeof dbfile, "/tmp/zf-test-page-cache-%d.db", (int)getpid());
    unlink(dbfile);
    snprintf(dbpath, sizeof dbpath, "%s", zf_test_db_location(dbfile));
    if (zf_db_open(&a, dbpath, &err) < 0 || zf_db_open(&b, dbpath, &err) < 0 ||
        zf_db_exec(a, "CREATE TABLE t (v INTEGER)", &err) < 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    char p[300];

    (void)state;
    zf_db_close(a);
    zf_db_close(b);
    unlink(dbfile);
    snprintf(p, sizeof p, "%s-wal", dbfile);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbfile);
    unlink(p);
    return 0;
}

static void write_row(zf_db *db)
{
    zf_err err = ZF_ERR_INIT;

    assert_int_equal(zf_db_begin(db, &err), 0);
    assert_int_equal(zf_db_exec(db, "INSERT INTO t (v) VALUES (1)", &err), 0);
    assert_int_equal(zf_db_commit(db, &err), 0);
}

static uint64_t version(zf_db *db)
{
    zf_err err = ZF_ERR_INIT;
    uint64_t v = 0;

    assert_int_equal(zf_db_data_version(db, &v, &err), 0);
    return v;
}

/* The tests of what the cache keeps need a data version: SQLite only. */
#define NEED_DATA_VERSION()                                                                        \
    do {                                                                                           \
        if (zf_test_db_is_postgres(a))                                                             \
            skip();                                                                                \
    } while (0)

static void test_data_version_moves_on_every_commit(void **state)
{
    uint64_t va, vb;

    (void)state;
    NEED_DATA_VERSION();
    va = version(a);
    assert_int_equal(version(a), va); /* nothing changed: stable */
    write_row(a);                     /* own commit */
    assert_true(version(a) != va);
    vb = version(b);
    write_row(a); /* another connection's commit */
    assert_true(version(b) != vb);

    /* inside a read transaction it names the snapshot: a commit elsewhere
     * shows only after the transaction */
    assert_int_equal(zf_db_read_begin(b), 0);
    vb = version(b);
    write_row(a);
    assert_int_equal(version(b), vb);
    zf_db_read_end(b);
    assert_true(version(b) != vb);
}

/* ---- the page cache ---- */

static int renders;
static const char *if_none_match;
static const char *page_q;

static const char *header(void *h, const char *name)
{
    (void)h;
    return strcmp(name, "If-None-Match") == 0 ? if_none_match : NULL;
}

static const char *query(void *h, const char *key)
{
    (void)h;
    return strcmp(key, "page") == 0 ? page_q : NULL;
}

static int render(zf_ctx *c)
{
    renders++;
    zf_buf_reset(&c->out);
    zf_buf_printf(&c->out, "<p>第 %d 次渲染 %s</p>", renders, page_q ? page_q : "");
    c->content_type = "text/html; charset=utf-8";
    zf_ctx_header(c, "Cache-Control", "no-cache");
    return 0;
}

/* The same body every time. */
static int render_same(zf_ctx *c)
{
    renders++;
    zf_buf_reset(&c->out);
    zf_buf_puts(&c->out, "<p>不变的页面</p>");
    c->content_type = "text/html; charset=utf-8";
    zf_ctx_header(c, "Cache-Control", "no-cache");
    return 0;
}

static int fail_render(zf_ctx *c)
{
    renders++;
    return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "没有找到");
}

/* One request for path on db at now; returns the body (caller frees). */
static char *get(zf_db *db, const char *path, int64_t now, zf_handler h, int *status, char *etag)
{
    static const char *const keys[] = {"page", NULL};
    zf_ctx c;
    char *body;
    int i;

    memset(&c, 0, sizeof c);
    c.db = db;
    c.path = path;
    c.now = now;
    c.method = "GET";
    c.status = 200;
    c.header_fn = header;
    c.query_fn = query;
    assert_int_equal(zf_db_read_begin(db), 0); /* as the server does for a GET */
    if (zf_page_cached(&c, keys, h) < 0)
        c.status = 404;
    zf_db_read_end(db);
    *status = c.status;
    for (i = 0; i < c.nheaders; i++)
        if (etag && strcmp(c.headers[i].name, "ETag") == 0)
            snprintf(etag, 32, "%s", c.headers[i].value);
    body = strdup(c.out.ptr ? c.out.ptr : "");
    zf_ctx_release(&c);
    return body;
}

static void test_pages_are_served_until_anything_changes(void **state)
{
    const int64_t day1 = 1795000000; /* a fixed instant; day2 is a day later */
    const int64_t day2 = day1 + 86400;
    char *x, *y, etag[32] = "", etag2[32] = "";
    int st;
    uint64_t hits0, misses0, hits, misses;

    (void)state;
    NEED_DATA_VERSION();
    renders = 0;
    if_none_match = page_q = NULL;
    zf_page_cache_stats(&hits0, &misses0);
    x = get(a, "/p", day1, render, &st, etag);
    y = get(a, "/p", day1 + 60, render, &st, etag2);
    assert_int_equal(renders, 1); /* the second came from the cache */
    assert_string_equal(x, y);
    assert_int_equal(st, 200);
    assert_true(strlen(etag) == 18 && strcmp(etag, etag2) == 0);
    zf_page_cache_stats(&hits, &misses);
    assert_true(hits - hits0 == 1 && misses - misses0 == 1);
    free(x);
    free(y);

    /* a commit by another connection, then by the same one */
    write_row(b);
    free(get(a, "/p", day1, render, &st, NULL));
    assert_int_equal(renders, 2);
    write_row(a);
    free(get(a, "/p", day1, render, &st, NULL));
    assert_int_equal(renders, 3);
    free(get(a, "/p", day1, render, &st, NULL));
    assert_int_equal(renders, 3);

    /* a new day (validity and 公示截止期 lines depend on it) */
    free(get(a, "/p", day2, render, &st, NULL));
    assert_int_equal(renders, 4);

    /* another connection has its own versions: its own entry */
    free(get(b, "/p", day2, render, &st, NULL));
    assert_int_equal(renders, 5);

    /* the query value named by the page is part of the key */
    page_q = "2";
    x = get(a, "/p", day2, render, &st, NULL);
    assert_int_equal(renders, 6);
    assert_non_null(strstr(x, " 2</p>"));
    free(x);
    page_q = NULL;
    x = get(a, "/p", day2, render, &st, etag);
    assert_int_equal(renders, 6);
    assert_null(strstr(x, " 2</p>"));
    free(x);

    /* If-None-Match with the ETag: 304 and no body, from the cache or not */
    if_none_match = etag;
    x = get(a, "/p", day2, render, &st, NULL);
    assert_int_equal(st, 304);
    assert_string_equal(x, "");
    free(x);
    if_none_match = "\"0000000000000000\"";
    x = get(a, "/p", day2, render, &st, NULL);
    assert_int_equal(st, 200);
    assert_true(strlen(x) > 0);
    free(x);
    if_none_match = NULL;

    /* a failed render is never kept */
    free(get(a, "/missing", day2, fail_render, &st, NULL));
    free(get(a, "/missing", day2, fail_render, &st, NULL));
    assert_int_equal(renders, 8);
    assert_int_equal(st, 404);
}

static void test_least_recently_used_page_is_evicted(void **state)
{
    char path[32];
    int st, i;

    (void)state;
    NEED_DATA_VERSION();
    renders = 0;
    page_q = if_none_match = NULL;
    free(get(a, "/keep", 1795000000, render, &st, NULL));
    for (i = 0; i < ZF_PAGE_CACHE_SLOTS + 4; i++) {
        snprintf(path, sizeof path, "/n%d", i);
        free(get(a, path, 1795000000, render, &st, NULL));
        free(get(a, "/keep", 1795000000, render, &st, NULL)); /* stays recent */
    }
    assert_int_equal(renders, 1 + ZF_PAGE_CACHE_SLOTS + 4);
    free(get(a, "/n0", 1795000000, render, &st, NULL)); /* evicted long ago */
    assert_int_equal(renders, 2 + ZF_PAGE_CACHE_SLOTS + 4);
}

static void test_a_reopened_connection_never_matches_a_closed_one(void **state)
{
    zf_err err = ZF_ERR_INIT;
    zf_db *t = NULL;
    uint64_t v1, v2;
    int st;

    (void)state;
    NEED_DATA_VERSION();
    renders = 0;
    page_q = if_none_match = NULL;
    assert_int_equal(zf_db_open(&t, dbpath, &err), 0);
    v1 = version(t);
    free(get(t, "/z", 1795000000, render, &st, NULL));
    zf_db_close(t);
    write_row(a); /* the content changes while no connection of /z is open */
    /* a new connection, quite possibly at the same address, whose own
     * counter starts afresh: its values differ from the closed one's */
    assert_int_equal(zf_db_open(&t, dbpath, &err), 0);
    v2 = version(t);
    assert_true(v1 != v2);
    free(get(t, "/z", 1795000000, render, &st, NULL));
    assert_int_equal(renders, 2);
    zf_db_close(t);
}

/* PostgreSQL: zf_db_data_version refuses, so zf_page_cached renders every
 * request (what it would otherwise keep could not be told from stale). */
static void test_without_a_data_version_every_request_renders(void **state)
{
    zf_err err = ZF_ERR_INIT;
    uint64_t v = 0, hits0, misses0, hits, misses;
    char *x, *y, etag[32] = "", etag2[32] = "";
    int st;

    (void)state;
    if (!zf_test_db_is_postgres(a))
        skip(); /* SQLite has one: the tests above */
    assert_int_equal(zf_db_data_version(a, &v, &err), ZF_EDB);
    assert_string_equal(err.code, "unsupported");
    renders = 0;
    if_none_match = page_q = NULL;
    zf_page_cache_stats(&hits0, &misses0);
    x = get(a, "/p", 1795000000, render, &st, etag);
    y = get(a, "/p", 1795000000, render, &st, etag2);
    assert_int_equal(renders, 2); /* nothing kept */
    assert_int_equal(st, 200);
    assert_string_equal(x, "<p>第 1 次渲染 </p>");
    assert_string_equal(y, "<p>第 2 次渲染 </p>");
    assert_true(strlen(etag) == 18 && strcmp(etag, etag2) != 0);
    free(x);
    free(y);
    zf_page_cache_stats(&hits, &misses);
    assert_true(hits == hits0 && misses == misses0); /* never even looked up */
    /* a commit shows at once, by the other connection too */
    write_row(b);
    free(get(a, "/p", 1795000000, render, &st, NULL));
    assert_int_equal(renders, 3);
    /* the same body gives the same ETag, and If-None-Match with it 304 */
    x = get(a, "/s", 1795000000, render_same, &st, etag);
    free(get(a, "/s", 1795000000, render_same, &st, etag2));
    assert_string_equal(etag, etag2);
    assert_string_equal(x, "<p>不变的页面</p>");
    free(x);
    if_none_match = etag;
    x = get(a, "/s", 1795000000, render_same, &st, NULL);
    assert_int_equal(st, 304);
    assert_string_equal(x, "");
    free(x);
    assert_int_equal(renders, 6);
    if_none_match = "\"0000000000000000\"";
    free(get(a, "/s", 1795000000, render_same, &st, NULL));
    assert_int_equal(st, 200);
    if_none_match = NULL;
    /* a failed render is an error, as on SQLite */
    free(get(a, "/missing", 1795000000, fail_render, &st, NULL));
    assert_int_equal(st, 404);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_data_version_moves_on_every_commit),
        cmocka_unit_test(test_pages_are_served_until_anything_changes),
        cmocka_unit_test(test_least_recently_used_page_is_evicted),
        cmocka_unit_test(test_a_reopened_connection_never_matches_a_closed_one),
        cmocka_unit_test(test_without_a_data_version_every_request_renders),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
