/* fuzz_search_query.c — libFuzzer target for the search query builder.
 *
 * Build and run: make fuzz (tests/fuzz/run.sh); replayed over
 * tests/fuzz/corpus/search_query by make unit-test.
 *
 * For any input the builder either refuses it with a Chinese message, or
 * returns an FTS5 expression (in both query modes) that (1) SQLite parses without error, whatever
 * the user typed, and (2) matches a row whose text is the input itself:
 * a record containing what was typed is always found. The same holds in a
 * scoped table ('zf_cjk scope', the case list's case_fts) for the row's own
 * scope and for no scope, and a query of another scope finds nothing. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "search/tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sqlite3 *db;
static sqlite3_stmt *ins, *sel, *del, *sins, *sraw, *ssel, *sdel;

static void setup(void)
{
    if (sqlite3_open(":memory:", &db) != SQLITE_OK || zf_search_register(db, NULL) != 0 ||
        sqlite3_exec(db, "CREATE VIRTUAL TABLE docs USING fts5(body, tokenize = 'zf_cjk')",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO docs(rowid, body) VALUES (1, ?1)", -1, &ins,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT count(*) FROM docs WHERE docs MATCH ?1", -1, &sel,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "DELETE FROM docs", -1, &del, NULL) != SQLITE_OK ||
        sqlite3_exec(db, "CREATE VIRTUAL TABLE sdocs USING fts5(body, tokenize = 'zf_cjk scope')",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO sdocs(rowid, body) VALUES (1, ?1 || ?2)", -1, &sins,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO sdocs(rowid, body) VALUES (2, ?1)", -1, &sraw, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT highlight(sdocs, 0, '[', ']') FROM sdocs WHERE sdocs MATCH ?1 "
                               "AND rowid = 1",
                           -1, &ssel, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "DELETE FROM sdocs", -1, &sdel, NULL) != SQLITE_OK)
        abort();
}

/* The input in scope "7": found without a scope and in scope 7, not in 8,
 * and highlighted after its prefix. The input as it is (which may itself
 * start with a prefix) is indexed beside it and deleted again. */
static void scoped(const uint8_t *data, size_t size)
{
    static const char *const scopes[3] = {NULL, "7", "8"};
    char *expr = NULL;
    zf_err err = ZF_ERR_INIT;
    int i;

    sqlite3_bind_text(sins, 1, ZF_SEARCH_SCOPE_MARK "7" ZF_SEARCH_SCOPE_MARK, -1, SQLITE_STATIC);
    sqlite3_bind_text(sins, 2, (const char *)data, (int)size, SQLITE_STATIC);
    if (sqlite3_step(sins) != SQLITE_DONE)
        abort();
    sqlite3_reset(sins);
    sqlite3_bind_text(sraw, 1, (const char *)data, (int)size, SQLITE_STATIC);
    if (sqlite3_step(sraw) != SQLITE_DONE)
        abort();
    sqlite3_reset(sraw);
    for (i = 0; i < 3; i++) {
        if (zf_search_query_build_scoped(&expr, (const char *)data, size, ZF_SEARCH_QUERY_TRIGRAM, scopes[i],
                                         &err) < 0) {
            if (expr || err.message[0] == '\0')
                abort();
            break;
        }
        sqlite3_bind_text(ssel, 1, expr, -1, SQLITE_STATIC);
        if (sqlite3_step(ssel) != (i < 2 ? SQLITE_ROW : SQLITE_DONE))
            abort();
        if (i < 2 && (!sqlite3_column_text(ssel, 0) ||
                      strncmp((const char *)sqlite3_column_text(ssel, 0),
                              ZF_SEARCH_SCOPE_MARK "7" ZF_SEARCH_SCOPE_MARK,
                              sizeof ZF_SEARCH_SCOPE_MARK "7" ZF_SEARCH_SCOPE_MARK - 1) != 0 ||
                      sqlite3_step(ssel) != SQLITE_DONE))
            abort();
        sqlite3_reset(ssel);
        free(expr);
        expr = NULL;
    }
    if (sqlite3_step(sdel) != SQLITE_DONE)
        abort();
    sqlite3_reset(sdel);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *expr = NULL;
    zf_err err = ZF_ERR_INIT;
    int rc, mode;

    if (!db)
        setup();
    sqlite3_bind_text(ins, 1, (const char *)data, (int)size, SQLITE_STATIC);
    if (sqlite3_step(ins) != SQLITE_DONE)
        abort();
    sqlite3_reset(ins);
    for (mode = 0; mode < 2; mode++) {
        rc = zf_search_query_build(&expr, (const char *)data, size,
                                   mode ? ZF_SEARCH_QUERY_TRIGRAM : ZF_SEARCH_QUERY, &err);
        if (rc < 0) {
            if (expr || err.message[0] == '\0' || err.code[0] == '\0')
                abort();
            break;
        }
        if (!expr || !expr[0])
            abort();
        sqlite3_bind_text(sel, 1, expr, -1, SQLITE_STATIC);
        if (sqlite3_step(sel) != SQLITE_ROW || sqlite3_column_int(sel, 0) != 1)
            abort();
        sqlite3_reset(sel);
        free(expr);
        expr = NULL;
    }
    if (sqlite3_step(del) != SQLITE_DONE)
        abort();
    sqlite3_reset(del);
    scoped(data, size);
    return 0;
}
