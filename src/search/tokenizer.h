/* tokenizer.h — the Chinese-aware tokenizer behind full-text search: one
 * tokenization used by SQLite FTS5 (registered on a connection), by the
 * query builder, and later by PostgreSQL (the same tokens stored in a
 * tsvector), so that every store agrees on what a term is.
 *
 * Tokens of a document:
 *   - every character of a run of CJK characters (Han, 〇, kana, hangul) is a
 *     unigram at its own position, and every adjacent pair and triple of the
 *     run is a bigram and a trigram COLOCATED with (at the same position as)
 *     its first character: "行政处罚" → 行@0 行政@0 行政处@0 政@1 政处@1
 *     政处罚@1 处@2 处罚@2 罚@3;
 *   - a run of other letters, digits and combining marks is one word;
 *   - everything else (punctuation, spaces, symbols, invalid bytes)
 *     separates tokens and takes no position.
 * Every code point is folded on its own with Unicode compatibility
 * decomposition (NFKD, which agrees with NFKC on CJK and full-width forms)
 * and case folding (utf8proc): full-width "ＡＢＣ１２３" indexes as
 * "abc123", "Ⅻ" as "xii". Folding per code point (not per string) keeps
 * every token's byte offsets exact in the original text, for highlighting,
 * and decomposing (not composing) makes "é" and "e"+U+0301 the same token.
 *
 * Tokens of a query (FTS5_TOKENIZE_QUERY, ZF_SEARCH_QUERY): a CJK run of one
 * character is its unigram; a longer run is its bigrams at consecutive
 * positions, followed by the unigram of its last character only when
 * another token follows in the same query string (so that the positions
 * line up with the document's). Hence a phrase of Han text matches exactly
 * the documents that contain it as a substring, after folding:
 * "人民法院" → "人民 民法 法院" (phrase). See ZF_SEARCH_HIGHLIGHT for snippets.
 *
 * Trigram query tokens (ZF_SEARCH_QUERY_TRIGRAM) match the same rows with
 * fewer and rarer terms: a run of three or more characters is its trigrams
 * at consecutive positions ("人民法院" → "人民法 民法院"), followed by the
 * bigram and unigram of its tail only when another token follows; runs of
 * one or two characters are as in ZF_SEARCH_QUERY. A phrase of common
 * bigrams ("政处 处理") makes FTS5 compare positions in every row holding
 * both; its trigram ("政处理") lists only the rows that hold the substring.
 *
 * Depth 4 (mode | ZF_SEARCH_4GRAMS; FTS5: tokenize = 'zf_cjk 4grams'): a
 * document position also has its 4-gram, colocated after the trigram
 * ("行政处罚" → 行@0 行政@0 行政处@0 行政处罚@0 政@1 ...), and in the
 * trigram query mode a run of four or more characters is its 4-grams
 * ("人民法院" → "人民法院", one term; "中华人民共和国" → "中华人民 华人民共
 * 人民共和 民共和国"), followed by the tail's trigram, bigram and unigram
 * only when another token follows; shorter runs as at depth 3. A phrase of
 * two trigrams of which one is very common ("当事人 事人用") makes FTS5 walk
 * the common one's doclist; the 4-gram lists only the rows that hold the
 * substring. The portal's index (search_fts, migration 0026) has depth 4;
 * the case list's (case_fts) depth 3. The other modes are the same at both
 * depths.
 *
 * Searches match with the longest n-grams; zhifa marks the hits in C
 * (zf_search_marker, search/tsv.h) with the bigram query tokens against
 * the ZF_SEARCH_HIGHLIGHT tokens, which FTS5's highlight() and snippet()
 * would also use (it marks a hit from the first token of its first
 * position to the first token of its last, and the highlight tokens' first
 * token is the bigram).
 *
 * Pure computation except zf_search_register, which touches only the given
 * connection. All functions are thread-safe. */
#ifndef ZF_SEARCH_TOKENIZER_H
#define ZF_SEARCH_TOKENIZER_H

#include <stddef.h>

#include <sqlite3.h>

#include "util/err.h"

/* Name under which zf_search_register installs the FTS5 tokenizer:
 * CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'zf_cjk'), or
 * tokenize = 'zf_cjk 4grams' for depth 4 (above). */
#define ZF_SEARCH_TOKENIZER "zf_cjk"

/* Longest token in bytes; a longer word is indexed by its first
 * ZF_SEARCH_TOKEN_MAX bytes (cut at a character boundary), on both sides. */
#define ZF_SEARCH_TOKEN_MAX 128

/* Longest user query accepted by zf_search_query_build, in bytes, and most
 * whitespace-separated terms. */
#define ZF_SEARCH_QUERY_MAX 512
#define ZF_SEARCH_QUERY_TERMS_MAX 16

enum {
    ZF_SEARCH_DOCUMENT = 0, /* text being indexed */
    ZF_SEARCH_QUERY = 1,    /* text of a query phrase */
    /* Document text re-read for highlight() and snippet() (FTS5's AUX mode)
     * and for zf_search_marker: the unigram and bigram of each position of
     * ZF_SEARCH_DOCUMENT (no longer n-grams), the bigram first (the unigram
     * colocated),
     * because FTS5 takes a hit's byte range from the first token at each
     * position: a query of n >= 2 characters then highlights exactly those
     * n characters (a one-character query highlights its character and the
     * next one of the same run). */
    ZF_SEARCH_HIGHLIGHT = 2,
    ZF_SEARCH_QUERY_TRIGRAM = 3, /* text of a query phrase, matched by trigrams (and 4-grams) */
    /* OR-ed into a mode: n-grams up to 4 characters instead of 3 */
    ZF_SEARCH_4GRAMS = 0x100
};

/* Opens an FTS5 phrase string that is to be tokenized in
 * ZF_SEARCH_QUERY_TRIGRAM mode (FTS5 tells a tokenizer only "query", not
 * which kind): U+E000, a private-use character, which separates tokens in
 * every mode and ends a term in zf_search_query_build, so neither documents
 * nor typed queries can carry it into a phrase. */
#define ZF_SEARCH_TRIGRAM_MARK "\xee\x80\x80"

/* Scoped tables. An FTS5 table declared with tokenize = 'zf_cjk scope'
 * (the case list's case_fts, migration 0028) reads a scope at the start of
 * each column's text: ZF_SEARCH_SCOPE_MARK (U+E001, private use), 1 to
 * ZF_SEARCH_SCOPE_MAX ASCII letters or digits, the mark again. The rest of
 * the text is indexed as usual and every token once more, colocated, as
 * ":<scope>:<token>" (no token of text holds ':', so neither a plain token
 * nor a typed prefix query reaches a scoped one). A query phrase that
 * begins with the same prefix (zf_search_query_build_scoped) is tokenized
 * to the scoped tokens only, so it matches the rows of that scope alone,
 * from doclists that hold nothing else: a word common in the whole table
 * costs one scope only its own matches. A phrase without the prefix
 * matches every scope, as in a plain table. The prefix takes no position
 * and no token; offsets stay those of the whole text. Text without it gets
 * the plain tokens only. The plain 'zf_cjk' tokenizer reads no prefix
 * (U+E001 separates tokens there), and the query builder ends a term at
 * U+E001, so no typed query can pick a scope. */
#define ZF_SEARCH_SCOPE_MARK "\xee\x80\x81"
#define ZF_SEARCH_SCOPE_MAX 20

/* Token flags passed to the callback. */
enum {
    ZF_SEARCH_COLOCATED = 1, /* same position as the previous token */
    ZF_SEARCH_WORD = 2       /* a Latin/digit word (not CJK) */
};

/* Called once per token, in order. token (len bytes, folded UTF-8, not
 * NUL-terminated) is only valid during the call; [start, end) are byte
 * offsets of the token's characters in the original text. A non-zero return
 * stops tokenizing and is returned by zf_search_tokenize_cb. */
typedef int (*zf_search_token_fn)(void *ctx, int flags, const char *token, size_t len,
                                  size_t start, size_t end);

/* Tokenizes len bytes of text (need not be UTF-8 or NUL-terminated: bytes
 * that are not UTF-8 separate tokens) in one of the modes above, with
 * ZF_SEARCH_4GRAMS or-ed in for depth 4. Returns 0, or the first non-zero
 * value fn returned. */
int zf_search_tokenize_cb(const char *text, size_t len, int mode, zf_search_token_fn fn,
                          void *ctx);

typedef struct zf_search_token {
    char *text;       /* folded, NUL-terminated; owned by the list */
    size_t len;       /* bytes */
    int pos;          /* 0-based token position; colocated tokens share one */
    int flags;        /* ZF_SEARCH_COLOCATED | ZF_SEARCH_WORD */
    size_t start, end; /* byte range in the original text */
} zf_search_token;

typedef struct zf_search_tokens {
    zf_search_token *items;
    size_t count;
    char *pool; /* every token's text, NUL-separated: one allocation, not one per token */
} zf_search_tokens;

#define ZF_SEARCH_TOKENS_INIT {NULL, 0, NULL}

/* The same tokenization as a list (e.g. to build a PostgreSQL tsvector:
 * lexeme text at position pos + 1; hit marking, search/tsv.h). On success
 * *out holds the tokens, which the caller frees with zf_search_tokens_free. Cannot fail except by
 * aborting on out-of-memory; returns 0. */
int zf_search_tokenize(zf_search_tokens *out, const char *text, size_t len, int mode);
void zf_search_tokens_free(zf_search_tokens *t);

/* Installs the tokenizer ZF_SEARCH_TOKENIZER on db (through fts5_api, found
 * with "SELECT fts5(?1)"). Must be called on every connection before it
 * touches an FTS5 table declared with this tokenizer. Returns 0, or ZF_EDB
 * ("fts5_unavailable") when SQLite was built without FTS5. The tokenizer
 * takes the arguments "scope" (see ZF_SEARCH_SCOPE_MARK) and "4grams"
 * (depth 4, above), each at most once, in any order, or none. */
int zf_search_register(sqlite3 *db, zf_err *err);

/* Turns what a user typed into an FTS5 MATCH expression whose phrases are
 * tokenized in mode (ZF_SEARCH_QUERY: bigrams, for highlight() and
 * snippet(); ZF_SEARCH_QUERY_TRIGRAM: trigrams, for finding the rows; both
 * match the same rows). Terms are split at
 * white space (ASCII, U+3000 and other Unicode spaces); each term becomes a
 * double-quoted FTS5 string (quotes doubled, so no input can inject FTS5
 * syntax), terms are joined with AND, a term ending in a Latin/digit word
 * gets a trailing * (prefix search), and terms with no token at all (pure
 * punctuation) are dropped.
 *
 * Recall guarantee: for a query of CJK characters, every row whose text
 * contains the query as a substring matches the expression; rows that
 * match also contain it after folding (so filtering the matches with a
 * substring test leaves exactly the substring results).
 *
 * On success *out is a new NUL-terminated string the caller frees.
 * Errors: ZF_ETOOBIG "query_too_long" (over ZF_SEARCH_QUERY_MAX bytes),
 * ZF_EINVAL "invalid_utf8" (not UTF-8, or a NUL byte), "too_many_terms",
 * "empty_query" (nothing searchable). *out is NULL on error. */
int zf_search_query_build(char **out, const char *query, size_t len, int mode, zf_err *err);

/* The same expression with every phrase limited to scope (1 to
 * ZF_SEARCH_SCOPE_MAX ASCII letters or digits) of a scoped table (see
 * ZF_SEARCH_SCOPE_MARK); scope NULL is zf_search_query_build. An invalid
 * scope is ZF_EINVAL "invalid_scope" (a caller's error, not the user's). */
int zf_search_query_build_scoped(char **out, const char *query, size_t len, int mode, const char *scope,
                                 zf_err *err);

#endif
