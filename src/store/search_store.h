/* search_store.h — the full-text index over everything public (issue 7):
 * keeping it current, and querying it for the API and the portal.
 *
 * The index is the table search_docs (migration 0007) in a generic layout,
 * one row per searchable record: (kind, ref_id) names the record, and
 * department_id, date, title, body and link are what is searched, filtered
 * on and shown. The three libraries and the laws are indexed by triggers in
 * the migration; other kinds (published decisions "decision", service guides
 * "guide") are indexed by their writers through zf_search_index_upsert and
 * zf_search_index_delete, called inside the writer's own transaction so that
 * the index never disagrees with what is published.
 *
 * Queries (zf_search_run) match with the zf_cjk tokenizer (every record
 * containing a Han query as a substring is found), rank with bm25 and count
 * exactly up to ZF_SEARCH_EXACT_MAX matches; beyond that the count is an
 * estimate and ranking is by windows, see zf_search_run.
 *
 * Not thread-safe per connection, like zf_db. */
#ifndef ZF_SEARCH_STORE_H
#define ZF_SEARCH_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"
#include "util/err.h"

/* One record as the index sees it. Strings are borrowed for the call. */
typedef struct zf_search_doc {
    const char *kind;       /* "decision", "guide", ...: [a-z_]{1,32} */
    int64_t ref_id;         /* id in the kind's own table, > 0 */
    int64_t department_id;  /* 0 when the record belongs to no department */
    const char *date;       /* "YYYY-MM-DD", or NULL/"" when none */
    const char *title;      /* required, shown as the result's heading */
    const char *body;       /* searched and snippeted; NULL means "" */
    const char *link;       /* public portal path ("/decisions/12"); NULL means "" */
} zf_search_doc;

/* Adds or replaces the entry (doc->kind, doc->ref_id). Call it inside the
 * transaction that publishes or changes the record. Errors: ZF_EINVAL for a
 * bad kind, id, date or missing title; ZF_EDB from the store. */
int zf_search_index_upsert(zf_db *db, const zf_search_doc *doc, zf_err *err);

/* Removes the entry (kind, ref_id) if there is one (withdrawn publication).
 * Removing an absent entry is not an error. */
int zf_search_index_delete(zf_db *db, const char *kind, int64_t ref_id, zf_err *err);

/* Applies the changes of search_docs queued since the last call (see
 * migration 0007: rows changed by the library triggers, or by any
 * connection, wait in search_queue) to the full-text index, inside the
 * caller's transaction when there is one, else in a transaction of its own.
 * upsert, delete and zf_search_run call it; others need not. */
int zf_search_index_sync(zf_db *db, zf_err *err);

/* Limits of a query, enforced by zf_search_run (the API answers 400). */
#define ZF_SEARCH_Q_MAX_CHARS 50      /* code points of q */
#define ZF_SEARCH_PER_PAGE_MAX 50
#define ZF_SEARCH_PER_PAGE_DEFAULT 10
#define ZF_SEARCH_OFFSET_MAX 100000   /* (page - 1) * per_page */
/* Up to this many matches the total is exact and the whole result list is
 * ranked by bm25; beyond it the total is an estimate ("约 N 条"). */
#define ZF_SEARCH_EXACT_MAX 1000

typedef struct zf_search_params {
    const char *q;            /* required: what the user typed */
    const char *kind;         /* NULL or a kind ("law", "matter", ...) */
    int64_t department_id;    /* 0 = any */
    const char *from, *to;    /* NULL or "YYYY-MM-DD", inclusive */
    int64_t page;             /* >= 1 */
    int64_t per_page;         /* 1..ZF_SEARCH_PER_PAGE_MAX */
} zf_search_params;

#define ZF_SEARCH_PARAMS_INIT {NULL, NULL, 0, NULL, NULL, 1, ZF_SEARCH_PER_PAGE_DEFAULT}

typedef struct zf_search_hit {
    char *kind;
    int64_t ref_id;
    int64_t department_id;    /* 0 when none */
    char *department;         /* the department's name, "" when none */
    char *date;               /* "" when none */
    char *title;              /* plain text */
    char *title_html;         /* HTML-escaped title with <mark>…</mark> around hits */
    char *snippet_html;       /* HTML-escaped excerpt with <mark>…</mark>, "…" at cuts */
    char *link;
    double score;             /* bm25 as SQLite reports it: lower is better */
} zf_search_hit;

typedef struct zf_search_result {
    zf_search_hit *items;
    size_t count;
    int64_t total;            /* exact when exact, else the estimate */
    int exact;                /* 1 when total is an exact count */
    int has_more;             /* 1 when a later page has hits */
    int64_t page, per_page;   /* as run */
} zf_search_result;

#define ZF_SEARCH_RESULT_INIT {NULL, 0, 0, 0, 0, 0, 0}

/* Checks the parameters and runs the query. On success *out holds one page
 * of hits (possibly none) that the caller frees with zf_search_result_free.
 *
 * Ordering. When the matches number at most ZF_SEARCH_EXACT_MAX, all of them
 * are ranked by bm25 (title weighted 4, body 1; computed by zf_bm25,
 * search/rank.h, with the IDF taken from total) and total is exact. When
 * there are more, finding the best bm25 scores would mean scoring every
 * match (a million for a common two-character word), so the matches are cut,
 * newest entry first, into windows of about ZF_SEARCH_EXACT_MAX, and each
 * window is ranked by bm25: page 1 shows the best of the newest thousand.
 * Every match still appears on exactly one page.
 *
 * Estimate. With n = ZF_SEARCH_EXACT_MAX matches found, newest first, down
 * to index row r, and the index's rows spanning [lo, hi], the estimate is
 * n * (hi - lo + 1) / (hi - r + 1): the density of matches in the newest
 * part of the index, extrapolated to all of it, rounded to two significant
 * digits and never below n + 1. It assumes matches spread evenly over the
 * order in which records were indexed.
 *
 * Errors (field "q" etc. set, ZF_EINVAL unless noted): empty_query,
 * query_too_long (ZF_ETOOBIG), invalid_utf8, too_many_terms, invalid_kind,
 * invalid_date, invalid_page, invalid_per_page, invalid_department_id;
 * ZF_EDB from the store. */
int zf_search_run(zf_search_result *out, zf_db *db, const zf_search_params *p, zf_err *err);
void zf_search_result_free(zf_search_result *r);

/* Chinese name of a kind ("law" → "法律法规"), or NULL for an unknown kind.
 * zf_search_kinds lists the known kinds, NULL-terminated. */
const char *zf_search_kind_name(const char *kind);
extern const char *const zf_search_kinds[];

#endif
