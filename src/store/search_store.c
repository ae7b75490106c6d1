/* search_store.c — the full-text index: upserts and queries. See
 * search_store.h for the contract, migration 0007 for the tables.
 *
 * Before it reads, a query applies what waits in search_queue (changes made
 * by the library triggers, see migration 0007). Then, each step bounded:
 *   1. probe: the newest ZF_SEARCH_EXACT_MAX + 1 matches with their bm25
 *      scores, one pass over the index in rowid order, which gives the
 *      exact count or the data for the estimate, and the ranking of the
 *      first window (a deeper page probes its own window the same way);
 *   2. sort the window by score in memory, cut the page;
 *   3. one short statement for the page's titles and bodies, marked in C
 *      (zf_search_marker, search/tsv.h) for the highlighted title and the
 *      snippet: snippets in the probe would cost one per match, not one per
 *      hit, and FTS5's highlight() and snippet() would run the query's
 *      bigram phrase over the index again for every hit (its common
 *      bigrams' doclists made that cost more than the probe).
 * Marks are the control characters 0x02 and 0x03, which html_mark turns
 * into <mark> after escaping everything else, so no byte of the indexed
 * text or of the query can reach the page as markup.
 *
 * On PostgreSQL (issue 9) the same steps run on search_docs.tsv, the
 * tokenizer's tokens as a tsvector (search/tsv.h) that sync_queue computes
 * in C: the probe matches a tsquery phrase (<N> between the tokens of each
 * term) and ranks with ts_rank (title weight A, body D); hits are marked as
 * on SQLite. */
#include "store/search_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "search/tokenizer.h"
#include "search/tsv.h"
#include "util/buf.h"
#include "util/mem.h"

const char *const zf_search_kinds[] = {"decision", "matter", "guide", "officer", "department",
                                       "law", NULL};

const char *zf_search_kind_name(const char *kind)
{
    static const struct {
        const char *kind, *name;
    } names[] = {
        {"decision", "执法决定"},   {"matter", "执法事项"},   {"guide", "服务指南"},
        {"officer", "执法人员"},    {"department", "执法部门"}, {"law", "法律法规"},
    };
    size_t i;

    for (i = 0; kind && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i].kind, kind) == 0)
            return names[i].name;
    return NULL;
}

/* ---- upsert / delete ---- */

static int valid_kind_text(const char *kind)
{
    size_t n = 0;

    if (!kind)
        return 0;
    for (; kind[n]; n++)
        if (!((kind[n] >= 'a' && kind[n] <= 'z') || kind[n] == '_'))
            return 0;
    return n >= 1 && n <= 32;
}

static int valid_date(const char *s)
{
    int i;

    if (!s || strlen(s) != 10)
        return 0;
    for (i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-')
                return 0;
        } else if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    return (s[5] - '0') * 10 + (s[6] - '0') >= 1 && (s[5] - '0') * 10 + (s[6] - '0') <= 12 &&
           (s[8] - '0') * 10 + (s[9] - '0') >= 1 && (s[8] - '0') * 10 + (s[9] - '0') <= 31;
}

static int is_pg(zf_db *db)
{
    return strcmp(zf_db_dialect(db), "postgres") == 0;
}

/* PostgreSQL: recomputes the tsvector of every entry queued up to last
 * (an entry deleted since has nothing left to index). */
static int sync_queue_pg(zf_db *db, int64_t last, zf_err *err)
{
    zf_stmt *st = NULL, *up = NULL;
    int rc;

    if ((rc = zf_db_prepare(&st, db,
                            "SELECT d.id, d.title, d.body FROM search_docs d"
                            " WHERE d.id IN (SELECT doc_id FROM search_queue WHERE id <= $1)",
                            err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, last);
    while ((rc = zf_stmt_step(st, err)) == 1) {
        char *tsv = NULL;
        int partial = 0;

        zf_search_tsvector_build(&tsv, &partial, zf_stmt_text(st, 1), zf_stmt_text(st, 2));
        if ((rc = zf_db_prepare(&up, db,
                                "UPDATE search_docs SET tsv = CAST($2 AS tsvector),"
                                " tsv_partial = ($3 = 1) WHERE id = $1",
                                err)) == 0) {
            zf_stmt_bind_int64(up, 1, zf_stmt_int64(st, 0));
            zf_stmt_bind_text(up, 2, tsv, -1);
            zf_stmt_bind_int64(up, 3, partial);
            rc = zf_stmt_step(up, err);
            zf_stmt_free(up);
            up = NULL;
        }
        free(tsv);
        if (rc < 0)
            break;
    }
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

/* Replays search_queue into search_fts, in order, then empties it. */
static int sync_queue(zf_db *db, zf_err *err)
{
    zf_stmt *st = NULL;
    int64_t last = 0;
    int rc;

    if ((rc = zf_db_query_int64(db, &last, "SELECT COALESCE(MAX(id), 0) FROM search_queue", err, 0,
                                NULL)) < 0 || last == 0)
        return rc < 0 ? rc : 0;
    if (is_pg(db))
        rc = sync_queue_pg(db, last, err);
    else if ((rc = zf_db_prepare(&st, db,
                            "INSERT INTO search_fts (search_fts, rowid, title, body)"
                            " SELECT CASE op WHEN 'del' THEN 'delete' END, doc_id, title, body"
                            " FROM search_queue WHERE id <= $1 ORDER BY id",
                            err)) < 0)
        return rc;
    else {
        zf_stmt_bind_int64(st, 1, last);
        rc = zf_stmt_step(st, err);
        zf_stmt_free(st);
        st = NULL;
    }
    if (rc < 0 ||
        (rc = zf_db_prepare(&st, db, "DELETE FROM search_queue WHERE id <= $1", err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, last);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    return rc < 0 ? rc : 0;
}

int zf_search_index_sync(zf_db *db, zf_err *err)
{
    int64_t pending = 0;
    int rc;

    if (zf_db_in_transaction(db))
        return sync_queue(db, err);
    /* The common case, nothing queued, costs one indexed read and no lock. */
    if ((rc = zf_db_query_int64(db, &pending, "SELECT EXISTS (SELECT 1 FROM search_queue)", err, 0,
                                NULL)) < 0 || !pending)
        return rc < 0 ? rc : 0;
    if ((rc = zf_db_begin(db, err)) < 0)
        return rc;
    if ((rc = sync_queue(db, err)) < 0) {
        zf_db_rollback(db);
        return rc;
    }
    return zf_db_commit(db, err);
}

int zf_search_index_upsert(zf_db *db, const zf_search_doc *doc, zf_err *err)
{
    static const char sql[] =
        "INSERT INTO search_docs (kind, ref_id, department_id, date, title, body, link)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT (kind, ref_id) DO UPDATE SET department_id = excluded.department_id,"
        " date = excluded.date, title = excluded.title, body = excluded.body,"
        " link = excluded.link";
    zf_stmt *st = NULL;
    int rc;

    if (!doc || !valid_kind_text(doc->kind) || doc->ref_id <= 0 || doc->department_id < 0)
        return zf_err_set(err, ZF_EINVAL, "invalid_search_doc", NULL, "检索条目的类型或编号无效");
    if (!doc->title || !*doc->title)
        return zf_err_set(err, ZF_EINVAL, "invalid_search_doc", "title", "检索条目缺少标题");
    if (doc->date && *doc->date && !valid_date(doc->date))
        return zf_err_set(err, ZF_EINVAL, "invalid_search_doc", "date", "检索条目的日期无效");
    if ((rc = zf_db_prepare(&st, db, sql, err)) < 0)
        return rc;
    zf_stmt_bind_text(st, 1, doc->kind, -1);
    zf_stmt_bind_int64(st, 2, doc->ref_id);
    if (doc->department_id > 0)
        zf_stmt_bind_int64(st, 3, doc->department_id);
    else
        zf_stmt_bind_null(st, 3);
    zf_stmt_bind_text(st, 4, doc->date ? doc->date : "", -1);
    zf_stmt_bind_text(st, 5, doc->title, -1);
    zf_stmt_bind_text(st, 6, doc->body ? doc->body : "", -1);
    zf_stmt_bind_text(st, 7, doc->link ? doc->link : "", -1);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    return rc < 0 ? rc : zf_search_index_sync(db, err);
}

int zf_search_index_delete(zf_db *db, const char *kind, int64_t ref_id, zf_err *err)
{
    zf_stmt *st = NULL;
    int rc;

    if (!valid_kind_text(kind) || ref_id <= 0)
        return zf_err_set(err, ZF_EINVAL, "invalid_search_doc", NULL, "检索条目的类型或编号无效");
    if ((rc = zf_db_prepare(&st, db, "DELETE FROM search_docs WHERE kind = $1 AND ref_id = $2",
                            err)) < 0)
        return rc;
    zf_stmt_bind_text(st, 1, kind, -1);
    zf_stmt_bind_int64(st, 2, ref_id);
    rc = zf_stmt_step(st, err);
    zf_stmt_free(st);
    return rc < 0 ? rc : zf_search_index_sync(db, err);
}

/* ---- query ---- */

/* The filters, written once: $1 MATCH, $2 kind, $3 department, $4 from,
 * $5 to. NULL or 0 disables a filter; keeping them in one statement text
 * keeps the statement cache small. */
#define FILTERS                                                                  \
    " AND ($2 IS NULL OR d.kind = $2) AND ($3 = 0 OR d.department_id = $3)"      \
    " AND ($4 IS NULL OR d.date >= $4) AND ($5 IS NULL OR d.date <= $5)"

/* The probe: matches newest first, each with its bm25 score (zf_bm25,
 * search/rank.h, title weighted 4, body 1). FTS5's own bm25() and "ORDER BY
 * rank" count each phrase's matches over the whole table for the IDF, tens
 * of milliseconds for a common word among a million rows; zf_bm25 with -1
 * uses one IDF for all phrases instead, a factor common to every row of the
 * query, so the order is bm25's and no second pass over the index is
 * needed: the scores of the probe are the ranking. */
#define BM25 "zf_bm25(search_fts, 4.0, 1.0, -1)"
static const char PROBE_PLAIN[] =
    "SELECT rowid, " BM25 " FROM search_fts WHERE search_fts MATCH $1"
    " ORDER BY rowid DESC LIMIT $6 OFFSET $7";
static const char PROBE_FILTERED[] =
    "SELECT search_fts.rowid, " BM25 " FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid"
    " WHERE search_fts MATCH $1" FILTERS " ORDER BY search_fts.rowid DESC LIMIT $6 OFFSET $7";

/* PostgreSQL: $1 the phrase tsquery, $8 the loose one (tsv.h). */
#define PG_MATCH                                                                 \
    " (d.tsv @@ CAST($1 AS tsquery) OR (d.tsv_partial AND d.tsv @@ CAST($8 AS tsquery)))"
/* MATERIALIZED: always the GIN index, then the newest first, as FTS5 walks
 * its doclist; left to itself the planner may scan the primary key
 * backwards and test every row when it thinks the terms common (160 ms
 * where the index takes 2, docs/benchmarks.md). */
static const char PROBE_PG[] =
    "WITH m AS MATERIALIZED (SELECT d.id, d.tsv FROM search_docs d WHERE" PG_MATCH ")"
    " SELECT id, -ts_rank(tsv, CAST($1 AS tsquery)) FROM m ORDER BY id DESC LIMIT $6 OFFSET $7";
static const char PROBE_PG_FILTERED[] =
    "WITH m AS MATERIALIZED (SELECT d.id, d.tsv FROM search_docs d WHERE" PG_MATCH FILTERS ")"
    " SELECT id, -ts_rank(tsv, CAST($1 AS tsquery)) FROM m ORDER BY id DESC LIMIT $6 OFFSET $7";
/* The fields of a page's hits, on both backends, in one statement: one
 * placeholder per hit a page can hold (ZF_SEARCH_PER_PAGE_MAX), the unused
 * ones NULL. One statement instead of one per hit saves a statement run per
 * hit on SQLite and a round trip per hit on PostgreSQL. */
#define P5(n) "$" #n "1, $" #n "2, $" #n "3, $" #n "4, $" #n "5, "
#define P10(n) P5(n) "$" #n "6, $" #n "7, $" #n "8, $" #n "9, $" #n "0, "
static const char HITS[] =
    "SELECT d.id, d.kind, d.ref_id, COALESCE(d.department_id, 0), COALESCE(dep.name, ''), d.date,"
    " d.title, d.link, d.body"
    " FROM search_docs d LEFT JOIN departments dep ON dep.id = d.department_id"
    " WHERE d.id IN ($1, $2, $3, $4, $5, $6, $7, $8, $9, " P10(1) P10(2) P10(3) P10(4)
    "$50)";
#define HITS_MAX 50
_Static_assert(HITS_MAX == ZF_SEARCH_PER_PAGE_MAX, "HITS has one placeholder per hit of a page");
/* Characters of a snippet. */
#define SNIPPET_CHARS 64

typedef struct query {
    const zf_search_params *p;
    const char *match;     /* phrases of trigrams or 4-grams: finds the rows (PostgreSQL: phrase tsquery) */
    const char *loose;     /* PostgreSQL: every lexeme, for partial documents */
    zf_search_marker *marker; /* marks the hits */
    int filtered;
    int pg;
} query;

static void bind_filters(zf_stmt *st, const query *q)
{
    zf_stmt_bind_text(st, 1, q->match, -1);
    if (q->pg)
        zf_stmt_bind_text(st, 8, q->loose, -1);
    if (!q->filtered)
        return;
    zf_stmt_bind_text_or_null(st, 2, q->p->kind);
    zf_stmt_bind_int64(st, 3, q->p->department_id);
    zf_stmt_bind_text_or_null(st, 4, q->p->from);
    zf_stmt_bind_text_or_null(st, 5, q->p->to);
}

typedef struct cand {
    int64_t rowid;
    double score;
} cand;

/* Up to limit matches with their scores, newest first, skipping offset.
 * *out is allocated (limit entries); *n is how many were found. */
static int probe(cand **out, size_t *n, zf_db *db, const query *q, int64_t limit, int64_t offset,
                 zf_err *err)
{
    zf_stmt *st = NULL;
    cand *c = zf_calloc((size_t)limit, sizeof *c);
    size_t k = 0;
    int rc;

    if ((rc = zf_db_prepare(&st, db,
                            q->pg ? (q->filtered ? PROBE_PG_FILTERED : PROBE_PG)
                                  : (q->filtered ? PROBE_FILTERED : PROBE_PLAIN),
                            err)) < 0)
        goto done;
    bind_filters(st, q);
    zf_stmt_bind_int64(st, 6, limit);
    zf_stmt_bind_int64(st, 7, offset);
    while ((rc = zf_stmt_step(st, err)) == 1 && k < (size_t)limit) {
        c[k].rowid = zf_stmt_int64(st, 0);
        c[k].score = zf_stmt_double(st, 1);
        k++;
    }
done:
    zf_stmt_free(st);
    if (rc < 0) {
        free(c);
        c = NULL;
        k = 0;
    }
    *out = c;
    *n = k;
    return rc < 0 ? rc : 0;
}

/* Best score first; among equals, the newer entry. */
static int by_score(const void *a, const void *b)
{
    const cand *x = a, *y = b;

    if (x->score != y->score)
        return x->score < y->score ? -1 : 1;
    return x->rowid < y->rowid ? 1 : x->rowid > y->rowid ? -1 : 0;
}

/* Puts the best `need` of c[0..n) first, in by_score order (the rest in
 * any order): the page needs its own hits and those before them in the
 * window, usually 10 of a thousand, and sorting only those costs a tenth
 * of sorting all. */
static void sort_best(cand *c, size_t n, size_t need)
{
    size_t i, lo, hi;

    if (need >= n / 8) {
        qsort(c, n, sizeof *c, by_score);
        return;
    }
    qsort(c, need, sizeof *c, by_score);
    for (i = need; i < n; i++) {
        cand x = c[i];

        if (by_score(&x, &c[need - 1]) >= 0)
            continue;
        /* x enters the sorted head where it belongs; the head's last one
         * takes x's old place, so c stays a permutation */
        for (lo = 0, hi = need - 1; lo < hi;) {
            size_t mid = (lo + hi) / 2;
            if (by_score(&x, &c[mid]) < 0)
                hi = mid;
            else
                lo = mid + 1;
        }
        c[i] = c[need - 1];
        memmove(&c[lo + 1], &c[lo], (need - 1 - lo) * sizeof *c);
        c[lo] = x;
    }
}

/* Appends text to b escaped for HTML, with 0x02/0x03 turned into a balanced
 * <mark>...</mark>; other control characters are dropped. */
static void html_mark(zf_buf *b, const char *s)
{
    int open = 0;

    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        switch (ch) {
        case 2:
            if (!open)
                zf_buf_puts(b, "<mark>");
            open = 1;
            break;
        case 3:
            if (open)
                zf_buf_puts(b, "</mark>");
            open = 0;
            break;
        case '&': zf_buf_puts(b, "&amp;"); break;
        case '<': zf_buf_puts(b, "&lt;"); break;
        case '>': zf_buf_puts(b, "&gt;"); break;
        case '"': zf_buf_puts(b, "&quot;"); break;
        case '\'': zf_buf_puts(b, "&#39;"); break;
        default:
            if (ch >= 0x20 || ch == '\t')
                zf_buf_putc(b, (char)ch);
            else if (ch == '\n' || ch == '\r')
                zf_buf_putc(b, ' ');
        }
    }
    if (open)
        zf_buf_puts(b, "</mark>");
}

static char *marked(const char *s)
{
    zf_buf b = ZF_BUF_INIT;

    html_mark(&b, s);
    return zf_buf_detach(&b);
}

/* Fills h[0..k) with the hits c[0..k) (k <= HITS_MAX), marked. */
static int load_hits(zf_search_hit *h, zf_db *db, const query *q, const cand *c, size_t k,
                     zf_err *err)
{
    zf_stmt *st = NULL;
    size_t i, found = 0;
    int rc;

    if ((rc = zf_db_prepare(&st, db, HITS, err)) < 0)
        return rc;
    for (i = 0; i < HITS_MAX; i++) {
        if (i < k)
            zf_stmt_bind_int64(st, (int)i + 1, c[i].rowid);
        else
            zf_stmt_bind_null(st, (int)i + 1);
    }
    while ((rc = zf_stmt_step(st, err)) == 1) {
        int64_t id = zf_stmt_int64(st, 0);
        zf_search_hit *x;
        char *title, *snippet;

        for (i = 0; i < k && c[i].rowid != id; i++)
            ;
        if (i == k || h[i].kind) /* not asked for, or twice: cannot happen */
            continue;
        x = &h[i];
        title = zf_search_marker_apply(q->marker, zf_stmt_text(st, 6), 0);
        snippet = zf_search_marker_apply(q->marker, zf_stmt_text(st, 8), SNIPPET_CHARS);
        x->kind = zf_strdup(zf_stmt_text(st, 1));
        x->ref_id = zf_stmt_int64(st, 2);
        x->department_id = zf_stmt_int64(st, 3);
        x->department = zf_strdup(zf_stmt_text(st, 4));
        x->date = zf_strdup(zf_stmt_text(st, 5));
        x->title = zf_strdup(zf_stmt_text(st, 6));
        x->link = zf_strdup(zf_stmt_text(st, 7));
        x->title_html = marked(title);
        x->snippet_html = marked(snippet);
        x->score = c[i].score;
        free(title);
        free(snippet);
        found++;
    }
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    if (found < k)
        return zf_err_set(err, ZF_EINTERNAL, "search_index_inconsistent", NULL,
                          "检索索引与数据不一致，请联系管理员重建索引");
    return 0;
}

/* Two significant digits, to the nearest: "约 67,000", not "约 67,021". */
static int64_t round2(double v)
{
    double scale = 1;

    while (v / scale >= 100)
        scale *= 10;
    return (int64_t)((int64_t)(v / scale + 0.5) * scale);
}

static int estimate(int64_t *out, zf_db *db, int64_t found, int64_t last_rowid, zf_err *err)
{
    int64_t lo = 0, hi = 0;
    double span, seen, est;
    int rc;

    if ((rc = zf_db_query_int64(db, &lo, "SELECT COALESCE(MIN(id), 0) FROM search_docs", err, 0,
                                NULL)) < 0 ||
        (rc = zf_db_query_int64(db, &hi, "SELECT COALESCE(MAX(id), 0) FROM search_docs", err, 0,
                                NULL)) < 0)
        return rc;
    span = (double)(hi - lo + 1);
    seen = (double)(hi - last_rowid + 1);
    est = seen > 0 ? (double)found * span / seen : (double)found;
    *out = round2(est);
    if (*out <= found)
        *out = found + 1;
    return 0;
}

/* Validates what the user sent. */
static int check_params(const zf_search_params *p, zf_err *err)
{
    const char *s = p->q;
    size_t len, off = 0, chars = 0;

    if (!s)
        return zf_err_set(err, ZF_EINVAL, "empty_query", "q", "请输入检索词");
    len = strlen(s);
    while (off < len) {
        int32_t cp;
        utf8proc_ssize_t k =
            utf8proc_iterate((const utf8proc_uint8_t *)s + off, (utf8proc_ssize_t)(len - off), &cp);
        if (k <= 0)
            return zf_err_set(err, ZF_EINVAL, "invalid_utf8", "q", "检索词含有无效字符");
        off += (size_t)k;
        chars++;
    }
    if (chars > ZF_SEARCH_Q_MAX_CHARS)
        return zf_err_set(err, ZF_EINVAL, "query_too_long", "q", "检索词过长（不超过 %d 个字）",
                          ZF_SEARCH_Q_MAX_CHARS);
    if (p->kind && !zf_search_kind_name(p->kind))
        return zf_err_set(err, ZF_EINVAL, "invalid_kind", "kind", "不支持的检索类型");
    if (p->department_id < 0)
        return zf_err_set(err, ZF_EINVAL, "invalid_department_id", "department_id", "部门编号无效");
    if (p->from && !valid_date(p->from))
        return zf_err_set(err, ZF_EINVAL, "invalid_date", "from", "起始日期格式应为 YYYY-MM-DD");
    if (p->to && !valid_date(p->to))
        return zf_err_set(err, ZF_EINVAL, "invalid_date", "to", "截止日期格式应为 YYYY-MM-DD");
    if (p->per_page < 1 || p->per_page > ZF_SEARCH_PER_PAGE_MAX)
        return zf_err_set(err, ZF_EINVAL, "invalid_per_page", "per_page",
                          "每页条数应为 1 到 %d", ZF_SEARCH_PER_PAGE_MAX);
    if (p->page < 1 || (p->page - 1) > ZF_SEARCH_OFFSET_MAX / p->per_page)
        return zf_err_set(err, ZF_EINVAL, "invalid_page", "page", "页码超出范围（最多查看前 %d 条）",
                          ZF_SEARCH_OFFSET_MAX);
    return 0;
}

int zf_search_run(zf_search_result *out, zf_db *db, const zf_search_params *p, zf_err *err)
{
    zf_search_result r = ZF_SEARCH_RESULT_INIT;
    query q = {p, NULL, NULL, NULL, 0, 0};
    char *match = NULL, *loose = NULL;
    cand *top = NULL, *win = NULL, *ranked;
    int64_t offset, window, w, in_window;
    size_t n = 0, nwin = 0, nranked, k;
    int rc, more = 0;

    memset(out, 0, sizeof *out);
    q.pg = is_pg(db);
    if ((rc = check_params(p, err)) < 0)
        goto done;
    if (q.pg)
        rc = zf_search_tsquery_build(&match, &loose, p->q, strlen(p->q), err);
    else
        rc = zf_search_query_build(&match, p->q, strlen(p->q), ZF_SEARCH_QUERY_TRIGRAM, err);
    if (rc < 0 || (rc = zf_search_index_sync(db, err)) < 0)
        goto done;
    q.loose = loose;
    q.match = match;
    q.filtered = p->kind || p->department_id > 0 || p->from || p->to;
    r.page = p->page;
    r.per_page = p->per_page;
    offset = (p->page - 1) * p->per_page;

    if ((rc = probe(&top, &n, db, &q, ZF_SEARCH_EXACT_MAX + 1, 0, err)) < 0)
        goto done;
    if (n <= ZF_SEARCH_EXACT_MAX) {
        r.total = (int64_t)n;
        r.exact = 1;
        ranked = top;
        nranked = n;
        in_window = offset;
        more = offset + p->per_page < (int64_t)n;
    } else {
        if ((rc = estimate(&r.total, db, (int64_t)n, top[n - 1].rowid, err)) < 0)
            goto done;
        /* A whole number of pages per window, so no page straddles two. */
        window = (ZF_SEARCH_EXACT_MAX / p->per_page) * p->per_page;
        w = offset / window;
        in_window = offset - w * window;
        if (w == 0) {
            ranked = top;
            nranked = (size_t)window;
            more = 1; /* n > window */
        } else {
            if ((rc = probe(&win, &nwin, db, &q, window + 1, w * window, err)) < 0)
                goto done;
            if (nwin > (size_t)window) {
                more = 1;
                nwin = (size_t)window;
            }
            ranked = win;
            nranked = nwin;
            if (in_window + p->per_page < (int64_t)nwin)
                more = 1;
        }
    }
    if (in_window >= (int64_t)nranked)
        goto ok;
    k = nranked - (size_t)in_window;
    if (k > (size_t)p->per_page)
        k = (size_t)p->per_page;
    sort_best(ranked, nranked, (size_t)in_window + k);
    r.items = zf_calloc(k, sizeof *r.items);
    r.count = k; /* zf_search_result_free frees what load_hits filled */
    q.marker = zf_search_marker_new(p->q);
    if ((rc = load_hits(r.items, db, &q, &ranked[(size_t)in_window], k, err)) < 0)
        goto done;
ok:
    r.has_more = more;
    rc = 0;
done:
    free(match);
    free(loose);
    zf_search_marker_free(q.marker);
    free(top);
    free(win);
    if (rc < 0)
        zf_search_result_free(&r);
    else
        *out = r;
    return rc;
}

void zf_search_result_free(zf_search_result *r)
{
    size_t i;

    if (!r)
        return;
    for (i = 0; i < r->count; i++) {
        zf_search_hit *h = &r->items[i];
        free(h->kind);
        free(h->department);
        free(h->date);
        free(h->title);
        free(h->title_html);
        free(h->snippet_html);
        free(h->link);
    }
    free(r->items);
    memset(r, 0, sizeof *r);
}
