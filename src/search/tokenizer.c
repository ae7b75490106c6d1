/* tokenizer.c — CJK unigram + bigram + trigram tokenizer, its FTS5 registration and
 * the query builder. See tokenizer.h for the token model.
 *
 * Written by hand because no packaged tokenizer gives both the substring
 * recall guarantee (n-grams with positions that make phrases exact) and
 * per-code-point folding with exact offsets: FTS5's trigram
 * tokenizer cannot answer 1- and 2-character queries from the index, and
 * its unicode61 tokenizer treats a whole Han run as one token. */
#include "search/tokenizer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "util/buf.h"
#include "util/mem.h"

/* Longest NFKD + case-fold expansion of one code point (U+FDFA gives 18). */
#define FOLD_MAX 32

/* Folds one code point into dst (at most FOLD_MAX code points) and returns
 * how many. The fast paths cover ASCII, full-width ASCII and the main Han
 * block, which is nearly all the text we see; utf8proc does the rest. */
static int fold_cp(int32_t cp, int32_t *dst)
{
    utf8proc_ssize_t n;

    if (cp >= 0xFF01 && cp <= 0xFF5E)
        cp -= 0xFEE0; /* full-width ASCII → ASCII */
    if (cp < 0x80) {
        dst[0] = (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
        return 1;
    }
    /* Han has no case and no compatibility form; hangul syllables would
     * otherwise be split into jamo by the decomposition. */
    if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7A3)) {
        dst[0] = cp;
        return 1;
    }
    n = utf8proc_decompose_char(cp, dst, FOLD_MAX, UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD, NULL);
    if (n <= 0 || n > FOLD_MAX) {
        dst[0] = cp;
        return 1;
    }
    return (int)n;
}

/* Characters tokenized as unigrams + bigrams: scripts written without
 * spaces between words. */
static int is_cjk(int32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x20000 && c <= 0x323AF) || (c >= 0xF900 && c <= 0xFAFF) ||
           c == 0x3007 || (c >= 0x3041 && c <= 0x30FF) || (c >= 0x31F0 && c <= 0x31FF) ||
           (c >= 0xAC00 && c <= 0xD7A3);
}

static int is_word(int32_t c)
{
    if (c < 0x80)
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return 1;
    default:
        return 0;
    }
}

static size_t put_utf8(char *dst, int32_t cp)
{
    return (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)dst);
}

/* Longest n-gram any table indexes (ZF_SEARCH_4GRAMS). */
#define NGRAM_MAX 4

typedef struct pend_token {
    char text[4 * (NGRAM_MAX - 1)]; /* up to NGRAM_MAX - 1 characters of 4 bytes */
    size_t len, start, end;
} pend_token;

typedef struct tokenizer {
    int mode;
    int depth; /* longest n-gram of a document position: 3, or 4 with ZF_SEARCH_4GRAMS */
    zf_search_token_fn fn;
    void *ctx;
    /* the CJK run being read: its length, and the characters whose
     * positions still wait for tokens (win[0] the oldest): a document
     * position's tokens go out together, once the depth - 1 characters
     * after it are known or the run ends */
    int run_len, nwin;
    struct {
        int32_t cp;
        size_t start, end;
    } win[NGRAM_MAX];
    /* query modes: the tokens of a finished run's tail that keep the
     * positions aligned, emitted only if another token follows */
    int pending;
    pend_token pend[NGRAM_MAX - 1];
    /* the word being read */
    char word[ZF_SEARCH_TOKEN_MAX];
    size_t wlen, wstart, wend;
    int in_word;
} tokenizer;

static int emit(tokenizer *t, int flags, const char *tok, size_t len, size_t start, size_t end)
{
    int i, n = t->pending, rc;

    t->pending = 0;
    for (i = 0; i < n; i++)
        if ((rc = t->fn(t->ctx, 0, t->pend[i].text, t->pend[i].len, t->pend[i].start,
                        t->pend[i].end)) != 0)
            return rc;
    return t->fn(t->ctx, flags, tok, len, start, end);
}

/* Writes the n characters win[i .. i + n - 1] into b (room for NGRAM_MAX
 * characters); returns the length in bytes. */
static size_t gram(char *b, const tokenizer *t, int i, int n)
{
    size_t k = 0;
    int j;

    for (j = 0; j < n; j++)
        k += put_utf8(b + k, t->win[i + j].cp);
    return k;
}

/* Emits the n-gram at win[i] with flags. */
static int emit_gram(tokenizer *t, int flags, int i, int n)
{
    char b[4 * NGRAM_MAX];

    return emit(t, flags, b, gram(b, t, i, n), t->win[i].start, t->win[i + n - 1].end);
}

static void add_pending(tokenizer *t, int i, int n)
{
    pend_token *p = &t->pend[t->pending++];

    p->len = gram(p->text, t, i, n);
    p->start = t->win[i].start;
    p->end = t->win[i + n - 1].end;
}

/* The tokens of the position of win[0], which has `have` characters from
 * it to the end of the window; then win[0] leaves the window. */
static int emit_position(tokenizer *t, int have)
{
    int rc = 0, n;

    switch (t->mode) {
    case ZF_SEARCH_DOCUMENT: /* unigram, then the colocated longer n-grams */
        for (n = 1; n <= have && n <= t->depth && rc == 0; n++)
            rc = emit_gram(t, n == 1 ? 0 : ZF_SEARCH_COLOCATED, 0, n);
        break;
    case ZF_SEARCH_HIGHLIGHT: /* the bigram first (see tokenizer.h), then the unigram */
        if (have >= 2 && (rc = emit_gram(t, 0, 0, 2)) == 0)
            rc = emit_gram(t, ZF_SEARCH_COLOCATED, 0, 1);
        else if (have < 2)
            rc = emit_gram(t, 0, 0, 1);
        break;
    default: /* query modes: one n-gram per position while the run goes on */
        rc = emit_gram(t, 0, 0, have);
    }
    t->nwin--;
    memmove(&t->win[0], &t->win[1], (size_t)t->nwin * sizeof t->win[0]);
    return rc;
}

/* How many characters a position needs after it before its tokens can go
 * out: the longest n-gram of the mode. */
static int window_of(const tokenizer *t)
{
    return t->mode == ZF_SEARCH_DOCUMENT || t->mode == ZF_SEARCH_QUERY_TRIGRAM
               ? t->depth
               : 2; /* ZF_SEARCH_QUERY, ZF_SEARCH_HIGHLIGHT: bigrams */
}

static int end_word(tokenizer *t)
{
    if (!t->in_word)
        return 0;
    t->in_word = 0;
    if (t->wlen == 0)
        return 0;
    return emit(t, ZF_SEARCH_WORD, t->word, t->wlen, t->wstart, t->wend);
}

/* The run ended: the positions still in the window get their tokens.
 * Documents give each its n-grams that fit before the end. A query run
 * shorter than the window is its one n-gram of the whole run; either way a
 * query's tail positions (the shorter n-grams after its last full one, down
 * to the last character's unigram) wait in pend, emitted only if another
 * token follows, so that the positions line up with the document's. */
static int end_run(tokenizer *t)
{
    int rc = 0, i, n = t->nwin;

    if (t->run_len == 0)
        return 0;
    if (t->mode == ZF_SEARCH_DOCUMENT || t->mode == ZF_SEARCH_HIGHLIGHT) {
        while (t->nwin > 0 && rc == 0)
            rc = emit_position(t, t->nwin);
    } else {
        i = 0;
        if (t->run_len == n) /* shorter than the window: one n-gram of it all */
            rc = emit_gram(t, 0, i++, n);
        for (; i < n; i++)
            add_pending(t, i, n - i);
        t->nwin = 0;
    }
    t->run_len = 0;
    return rc;
}

/* One CJK character c at [start, end): it joins the window, and the oldest
 * position's tokens go out once the window is full. */
static int cjk_char(tokenizer *t, int32_t c, size_t start, size_t end)
{
    int w = window_of(t);

    t->win[t->nwin].cp = c;
    t->win[t->nwin].start = start;
    t->win[t->nwin].end = end;
    t->nwin++;
    t->run_len++;
    return t->nwin == w ? emit_position(t, w) : 0;
}

int zf_search_tokenize_cb(const char *text, size_t len, int mode, zf_search_token_fn fn,
                          void *ctx)
{
    tokenizer t;
    size_t off = 0;
    int rc = 0;

    memset(&t, 0, sizeof t);
    t.depth = (mode & ZF_SEARCH_4GRAMS) ? 4 : 3;
    mode &= ~ZF_SEARCH_4GRAMS;
    t.mode = (mode == ZF_SEARCH_QUERY || mode == ZF_SEARCH_HIGHLIGHT || mode == ZF_SEARCH_QUERY_TRIGRAM)
                 ? mode
                 : ZF_SEARCH_DOCUMENT;
    t.fn = fn;
    t.ctx = ctx;
    while (off < len) {
        int32_t cp, folded[FOLD_MAX];
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)text + off,
                                              (utf8proc_ssize_t)(len - off), &cp);
        size_t start = off;
        int i, nf;

        if (k <= 0) { /* not UTF-8: one byte of separator */
            off++;
            if ((rc = end_word(&t)) != 0 || (rc = end_run(&t)) != 0)
                return rc;
            continue;
        }
        off += (size_t)k;
        nf = fold_cp(cp, folded);
        for (i = 0; i < nf; i++) {
            int32_t c = folded[i];

            if (is_cjk(c)) {
                if ((rc = end_word(&t)) != 0 || (rc = cjk_char(&t, c, start, off)) != 0)
                    return rc;
            } else if (is_word(c)) {
                char b[4];
                size_t n;

                if ((rc = end_run(&t)) != 0)
                    return rc;
                if (!t.in_word) {
                    t.in_word = 1;
                    t.wlen = 0;
                    t.wstart = start;
                }
                t.wend = off;
                n = put_utf8(b, c);
                /* Cut overlong words at a character boundary, the same
                 * way for documents and queries. */
                if (t.wlen + n <= sizeof t.word) {
                    memcpy(t.word + t.wlen, b, n);
                    t.wlen += n;
                }
            } else if ((rc = end_word(&t)) != 0 || (rc = end_run(&t)) != 0) {
                return rc;
            }
        }
    }
    if ((rc = end_word(&t)) != 0 || (rc = end_run(&t)) != 0)
        return rc;
    return 0; /* a pending unigram at the very end is not needed */
}

/* ---- the list form ------------------------------------------------------ */

/* Token texts go into one pool, NUL-separated, and items point into it
 * once tokenizing is done (the pool may move while it grows): a marked
 * search result tokenizes a whole document per hit, and a malloc per token
 * was most of that cost. */
typedef struct list_ctx {
    zf_search_tokens *out;
    size_t cap;
    int pos;
    zf_buf pool;
    size_t *offs; /* offset of each item's text in pool */
} list_ctx;

static int list_add(void *p, int flags, const char *tok, size_t len, size_t start, size_t end)
{
    list_ctx *l = p;
    zf_search_token *it;

    if (l->out->count == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->out->items = zf_realloc(l->out->items, l->cap * sizeof *l->out->items);
        l->offs = zf_realloc(l->offs, l->cap * sizeof *l->offs);
    }
    if (!(flags & ZF_SEARCH_COLOCATED))
        l->pos++;
    l->offs[l->out->count] = l->pool.len;
    zf_buf_append(&l->pool, tok, len);
    zf_buf_putc(&l->pool, '\0');
    it = &l->out->items[l->out->count++];
    it->text = NULL;
    it->len = len;
    it->pos = l->pos < 0 ? 0 : l->pos;
    it->flags = flags;
    it->start = start;
    it->end = end;
    return 0;
}

int zf_search_tokenize(zf_search_tokens *out, const char *text, size_t len, int mode)
{
    list_ctx l = {out, 0, -1, ZF_BUF_INIT, NULL};
    size_t i;

    out->items = NULL;
    out->count = 0;
    out->pool = NULL;
    zf_search_tokenize_cb(text, len, mode, list_add, &l);
    if (out->count > 0) {
        out->pool = zf_buf_detach(&l.pool);
        for (i = 0; i < out->count; i++)
            out->items[i].text = out->pool + l.offs[i];
    }
    zf_buf_free(&l.pool);
    free(l.offs);
    return 0;
}

void zf_search_tokens_free(zf_search_tokens *t)
{
    if (!t)
        return;
    free(t->items);
    free(t->pool);
    t->items = NULL;
    t->count = 0;
    t->pool = NULL;
}

/* ---- FTS5 ------------------------------------------------------------- */

/* The tokenizer has no state but its options, so every instance is one of
 * these four objects: tokenize = 'zf_cjk' with or without "scope" (the case
 * list's table) and "4grams" (the portal's, depth 4). */
typedef struct fts_instance {
    int scoped;
    int depth; /* 0, or ZF_SEARCH_4GRAMS */
} fts_instance;
static const fts_instance fts_instances[2][2] = {{{0, 0}, {0, ZF_SEARCH_4GRAMS}},
                                                 {{1, 0}, {1, ZF_SEARCH_4GRAMS}}};

static int fts_create(void *pctx, const char **argv, int argc, Fts5Tokenizer **out)
{
    int i, scoped = 0, depth4 = 0;

    (void)pctx;
    for (i = 0; i < argc; i++) {
        if (strcmp(argv[i], "scope") == 0 && !scoped)
            scoped = 1;
        else if (strcmp(argv[i], "4grams") == 0 && !depth4)
            depth4 = 1;
        else
            return SQLITE_ERROR;
    }
    /* FTS5 only hands the pointer back to fts_tokenize, which reads it */
    *out = (Fts5Tokenizer *)(void *)(uintptr_t)&fts_instances[scoped][depth4];
    return SQLITE_OK;
}

static void fts_delete(Fts5Tokenizer *tok)
{
    (void)tok;
}

typedef struct fts_ctx {
    void *pctx;
    int (*xtoken)(void *, int, const char *, int, int, int);
    size_t base;       /* bytes of the scope prefix before the text tokenized */
    const char *scope; /* the scope of a scoped table's text, or NULL */
    size_t scope_len;
    int plain;         /* with a scope: also the plain tokens (a document) */
} fts_ctx;

static int fts_token(void *p, int flags, const char *tok, size_t len, size_t start, size_t end)
{
    fts_ctx *f = p;
    char b[ZF_SEARCH_SCOPE_MAX + 2 + ZF_SEARCH_TOKEN_MAX];
    int fl = (flags & ZF_SEARCH_COLOCATED) ? FTS5_TOKEN_COLOCATED : 0, rc;

    start += f->base;
    end += f->base;
    if (!f->scope || f->plain) {
        rc = f->xtoken(f->pctx, fl, tok, (int)len, (int)start, (int)end);
        if (rc != SQLITE_OK || !f->scope)
            return rc;
        fl = FTS5_TOKEN_COLOCATED; /* the scoped twin shares the position */
    }
    if (len > ZF_SEARCH_TOKEN_MAX)
        len = ZF_SEARCH_TOKEN_MAX; /* cannot happen: words are cut at that length */
    /* ":<scope>:" — no token of text starts with ':', so a typed prefix
     * word ("12"*) can never reach into a scope's tokens (":12:…") */
    b[0] = ':';
    memcpy(b + 1, f->scope, f->scope_len);
    b[f->scope_len + 1] = ':';
    memcpy(b + f->scope_len + 2, tok, len);
    return f->xtoken(f->pctx, fl, b, (int)(f->scope_len + 2 + len), (int)start, (int)end);
}

static int is_scope_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The length of the scope prefix (mark, scope, mark) at the start of text,
 * 0 when there is none; *scope_len gets the scope's length. */
static size_t scope_prefix(const char *text, size_t len, size_t *scope_len)
{
    const size_t m = sizeof ZF_SEARCH_SCOPE_MARK - 1;
    size_t i = m;

    if (len < 2 * m + 1 || memcmp(text, ZF_SEARCH_SCOPE_MARK, m) != 0)
        return 0;
    while (i < len && i - m < ZF_SEARCH_SCOPE_MAX && is_scope_char(text[i]))
        i++;
    if (i == m || len - i < m || memcmp(text + i, ZF_SEARCH_SCOPE_MARK, m) != 0)
        return 0;
    *scope_len = i - m;
    return i + m;
}

static int fts_tokenize(Fts5Tokenizer *tok, void *pctx, int flags, const char *text, int len,
                        int (*xtoken)(void *, int, const char *, int, int, int))
{
    fts_ctx f = {pctx, xtoken, 0, NULL, 0, 0};
    const size_t mark = sizeof ZF_SEARCH_TRIGRAM_MARK - 1;
    int mode = ZF_SEARCH_DOCUMENT;
    const fts_instance *in = (const fts_instance *)(const void *)tok;

    if (len <= 0)
        return SQLITE_OK;
    if (in->scoped &&
        (f.base = scope_prefix(text, (size_t)len, &f.scope_len)) > 0) {
        f.scope = text + sizeof ZF_SEARCH_SCOPE_MARK - 1;
        f.plain = !(flags & FTS5_TOKENIZE_QUERY);
        /* highlight() needs only the positions' byte ranges, which the
         * plain tokens give */
        if (flags & FTS5_TOKENIZE_AUX)
            f.scope = NULL;
        text += f.base;
        len -= (int)f.base;
    }
    if (flags & FTS5_TOKENIZE_QUERY) {
        mode = ZF_SEARCH_QUERY;
        if ((size_t)len >= mark && memcmp(text, ZF_SEARCH_TRIGRAM_MARK, mark) == 0) {
            mode = ZF_SEARCH_QUERY_TRIGRAM;
            text += mark;
            len -= (int)mark;
        }
    } else if (flags & FTS5_TOKENIZE_AUX) {
        mode = ZF_SEARCH_HIGHLIGHT;
    }
    return zf_search_tokenize_cb(text, (size_t)len, mode | in->depth, fts_token, &f);
}

int zf_search_register(sqlite3 *db, zf_err *err)
{
    static fts5_tokenizer methods = {fts_create, fts_delete, fts_tokenize};
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    int rc;

    /* FTS5 hands out its API only through a pointer-typed bind parameter,
     * so a stray SQL string can never obtain it. */
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL);
        (void)sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (!api || api->iVersion < 2)
        return zf_err_set(err, ZF_EDB, "fts5_unavailable", NULL, "数据库未启用全文检索（FTS5）");
    rc = api->xCreateTokenizer(api, ZF_SEARCH_TOKENIZER, NULL, &methods, NULL);
    if (rc != SQLITE_OK)
        return zf_err_set(err, ZF_EDB, "fts5_unavailable", NULL, "注册全文检索分词器失败：%s",
                          sqlite3_errstr(rc));
    return 0;
}

/* ---- query builder ------------------------------------------------------ */

/* White space ends a term; so do the trigram and scope marks' code points,
 * which a user could otherwise type to pick a phrase's query mode or scope. */
static int is_space(int32_t c)
{
    if (c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xE000 || c == 0xE001)
        return 1;
    if (c < 0x80)
        return 0;
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_ZP:
        return 1;
    default:
        return 0;
    }
}

typedef struct count_ctx {
    size_t count;
    int last_flags;
} count_ctx;

static int count_token(void *p, int flags, const char *tok, size_t len, size_t start, size_t end)
{
    count_ctx *c = p;

    (void)tok;
    (void)len;
    (void)start;
    (void)end;
    c->count++;
    c->last_flags = flags;
    return 0;
}

int zf_search_query_build(char **out, const char *query, size_t len, int mode, zf_err *err)
{
    return zf_search_query_build_scoped(out, query, len, mode, NULL, err);
}

int zf_search_query_build_scoped(char **out, const char *query, size_t len, int mode, const char *scope,
                                 zf_err *err)
{
    zf_buf b = ZF_BUF_INIT;
    size_t off = 0, term_start = 0, terms = 0, k;
    int in_term = 0, rc = 0;

    *out = NULL;
    for (k = 0; scope && scope[k]; k++)
        if (!is_scope_char(scope[k]) || k == ZF_SEARCH_SCOPE_MAX)
            break;
    if (scope && (k == 0 || scope[k]))
        return zf_err_set(err, ZF_EINVAL, "invalid_scope", "q", "检索范围无效");
    if (len > ZF_SEARCH_QUERY_MAX)
        return zf_err_set(err, ZF_ETOOBIG, "query_too_long", "q",
                          "检索词过长（不超过 %d 字节）", ZF_SEARCH_QUERY_MAX);
    /* One pass finds the terms; the loop runs once more at len to close the
     * last one. */
    while (off <= len) {
        int32_t cp = ' ';
        utf8proc_ssize_t k = 1;

        if (off < len) {
            k = utf8proc_iterate((const utf8proc_uint8_t *)query + off,
                                 (utf8proc_ssize_t)(len - off), &cp);
            if (k <= 0 || cp == 0) {
                rc = zf_err_set(err, ZF_EINVAL, "invalid_utf8", "q", "检索词含有无效字符");
                goto done;
            }
        }
        if (!is_space(cp) && !in_term) {
            in_term = 1;
            term_start = off;
        } else if (is_space(cp) && in_term) {
            count_ctx c = {0, 0};
            size_t i;

            in_term = 0;
            zf_search_tokenize_cb(query + term_start, off - term_start, ZF_SEARCH_QUERY,
                                  count_token, &c);
            if (c.count > 0) {
                if (++terms > ZF_SEARCH_QUERY_TERMS_MAX) {
                    rc = zf_err_set(err, ZF_EINVAL, "too_many_terms", "q",
                                    "检索词过多（不超过 %d 个）", ZF_SEARCH_QUERY_TERMS_MAX);
                    goto done;
                }
                if (b.len > 0)
                    zf_buf_puts(&b, " AND ");
                zf_buf_putc(&b, '"');
                if (scope) {
                    zf_buf_puts(&b, ZF_SEARCH_SCOPE_MARK);
                    zf_buf_puts(&b, scope);
                    zf_buf_puts(&b, ZF_SEARCH_SCOPE_MARK);
                }
                if (mode == ZF_SEARCH_QUERY_TRIGRAM)
                    zf_buf_puts(&b, ZF_SEARCH_TRIGRAM_MARK);
                for (i = term_start; i < off; i++) {
                    if (query[i] == '"')
                        zf_buf_putc(&b, '"');
                    zf_buf_putc(&b, query[i]);
                }
                zf_buf_putc(&b, '"');
                if (c.last_flags & ZF_SEARCH_WORD)
                    zf_buf_putc(&b, '*');
            }
        }
        off += (size_t)k;
    }
    if (b.len == 0) {
        rc = zf_err_set(err, ZF_EINVAL, "empty_query", "q", "请输入检索词");
        goto done;
    }
    *out = zf_buf_detach(&b);
done:
    zf_buf_free(&b);
    return rc;
}
