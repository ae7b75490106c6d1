/* tsv.h — full-text search on PostgreSQL with zhifa's own tokenizer
 * (search/tokenizer.h): a document's tokens as a tsvector literal, a user's
 * query as a tsquery phrase literal, and hit marking done in C.
 *
 * PostgreSQL's own parsers are never involved: the values are cast with
 * ::tsvector and ::tsquery, which take lexemes as given, so both backends
 * agree on what a term is. Marking is done here rather than by ts_headline
 * for the same reason; SQLite's results are marked here too (FTS5's
 * highlight() and snippet() would run the bigram phrase over the index once
 * more per hit, which cost more than the search itself: docs/benchmarks.md).
 *
 * Recall guarantee (as for FTS5, tests/unit/test_pg.c checks it against a
 * substring scan): for a query of CJK characters, every document whose title
 * or body contains the query as a substring matches the phrase query, as
 * long as the document fits in a tsvector (positions up to 16383, at most 256
 * positions per lexeme); a document that does not is flagged partial by
 * zf_search_tsvector_build and is matched by the loose query (every lexeme,
 * no positions) instead, which still contains every true hit.
 *
 * Pure computation; thread-safe. */
#ifndef ZF_SEARCH_TSV_H
#define ZF_SEARCH_TSV_H

#include <stddef.h>

#include "util/err.h"

/* The tsvector literal of a document: title tokens at positions 1.. with
 * weight A, body tokens after a gap (so no phrase spans the two) with the
 * default weight D. *out_partial is set to 1 when some position or lexeme
 * overflowed PostgreSQL's limits (see above). Caller frees *out. */
int zf_search_tsvector_build(char **out, int *out_partial, const char *title, const char *body);

/* The same for n fields of equal weight (D), each after the previous one's
 * last position and a gap, so no phrase spans two fields (the case list's
 * title, 立案号 and summary). A NULL field is empty. Caller frees *out. */
int zf_search_tsvector_fields(char **out, int *out_partial, const char *const *fields, size_t n);

/* The tsquery literals of what a user typed: *out_phrase has one phrase per
 * whitespace-separated term (tokens of ZF_SEARCH_QUERY mode joined by <N>,
 * N the distance of their positions; a trailing Latin/digit word matches as
 * a prefix), terms joined by &; *out_loose has the same lexemes joined by &
 * without positions. Caller frees both. Errors as zf_search_query_build:
 * query_too_long (ZF_ETOOBIG), invalid_utf8, too_many_terms, empty_query. */
int zf_search_tsquery_build(char **out_phrase, char **out_loose, const char *query, size_t len,
                            zf_err *err);

/* text with each hit of query (as the phrase query matches it) between the
 * control characters 0x02 and 0x03, as FTS5's highlight() gives them. With
 * snippet_chars > 0, only an excerpt of about that many characters around
 * the first hit, with "…" where text was cut. Caller frees. Both backends
 * mark their results this way (store/search_store.c). */
char *zf_search_mark(const char *text, const char *query, size_t snippet_chars);

/* The same, with the query's terms tokenized once for many texts (a page
 * of results): zf_search_marker_new never fails (a query with no term
 * marks nothing); zf_search_marker_apply returns what zf_search_mark
 * returns, caller frees; zf_search_marker_free accepts NULL. A marker may
 * be shared by threads once made. */
typedef struct zf_search_marker zf_search_marker;
zf_search_marker *zf_search_marker_new(const char *query);
char *zf_search_marker_apply(const zf_search_marker *m, const char *text, size_t snippet_chars);
void zf_search_marker_free(zf_search_marker *m);

#endif
