/* tsv.c — tsvector and tsquery literals from zhifa's tokens, and hit
 * marking (both backends). See tsv.h.
 *
 * The terms of a query are those of zf_search_query_build (which validates
 * and splits what the user typed); this file reads them back out of its
 * FTS5 expression ("term" AND "term"*), so both backends split alike. */
#include "search/tsv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search/tokenizer.h"
#include "util/buf.h"
#include "util/mem.h"

#define PG_POS_MAX 16383     /* tsvector positions are 1..16383 */
#define PG_LEXEME_POS_MAX 256 /* positions kept per lexeme */

/* Appends a lexeme as a quoted tsvector/tsquery literal element. */
static void put_lexeme(zf_buf *b, const char *s, size_t len)
{
    size_t i;

    zf_buf_putc(b, '\'');
    for (i = 0; i < len; i++) {
        if (s[i] == '\'' || s[i] == '\\')
            zf_buf_putc(b, s[i] == '\'' ? '\'' : '\\');
        zf_buf_putc(b, s[i]);
    }
    zf_buf_putc(b, '\'');
}

static int by_text(const void *a, const void *b)
{
    const zf_search_token *x = *(const zf_search_token *const *)a;
    const zf_search_token *y = *(const zf_search_token *const *)b;
    return strcmp(x->text, y->text);
}

/* Appends tokens at positions base + pos + 1; returns the last position
 * used, and sets *partial when a position passes PG_POS_MAX. */
static int put_tokens(zf_buf *b, const zf_search_tokens *t, int base, char weight, int *partial)
{
    char num[16];
    int last = base;
    size_t i;

    for (i = 0; i < t->count; i++) {
        int pos = base + t->items[i].pos + 1;
        if (pos > PG_POS_MAX) {
            *partial = 1;
            pos = PG_POS_MAX;
        }
        if (b->len > 0)
            zf_buf_putc(b, ' ');
        put_lexeme(b, t->items[i].text, t->items[i].len);
        snprintf(num, sizeof num, ":%d", pos);
        zf_buf_puts(b, num);
        if (weight)
            zf_buf_putc(b, weight);
        if (pos > last)
            last = pos;
    }
    return last;
}

/* Sets *partial when one lexeme has more positions than a tsvector keeps. */
static void check_lexeme_counts(const zf_search_tokens *a, const zf_search_tokens *b, int *partial)
{
    size_t n = a->count + b->count, i, k = 0, run = 1;
    const zf_search_token **all;

    if (n == 0)
        return;
    all = zf_calloc(n, sizeof *all);
    for (i = 0; i < a->count; i++)
        all[k++] = &a->items[i];
    for (i = 0; i < b->count; i++)
        all[k++] = &b->items[i];
    qsort(all, n, sizeof *all, by_text);
    for (i = 1; i < n; i++) {
        run = strcmp(all[i]->text, all[i - 1]->text) == 0 ? run + 1 : 1;
        if (run > PG_LEXEME_POS_MAX)
            *partial = 1;
    }
    free(all);
}

/* The tsvector of n fields: field i's tokens after the previous field's
 * last position and one empty one (so no phrase spans two fields), with
 * weight weights[i] (0: the default, D). */
static void build_fields(char **out, int *out_partial, const char *const *fields, const char *weights,
                         size_t n)
{
    zf_search_tokens *t = zf_calloc(n ? n : 1, sizeof *t), all = ZF_SEARCH_TOKENS_INIT;
    zf_buf b = ZF_BUF_INIT;
    int partial = 0, last = 0;
    size_t i, j, k = 0;

    for (i = 0; i < n; i++) {
        const char *f = fields[i] ? fields[i] : "";
        zf_search_tokenize(&t[i], f, strlen(f), ZF_SEARCH_DOCUMENT);
        last = put_tokens(&b, &t[i], i == 0 ? 0 : last + 1, weights ? weights[i] : 0, &partial);
        all.count += t[i].count;
    }
    /* positions per lexeme are counted over the whole document: a view of
     * every field's tokens (their text stays owned by t[i]) */
    all.items = zf_calloc(all.count ? all.count : 1, sizeof *all.items);
    for (i = 0; i < n; i++)
        for (j = 0; j < t[i].count; j++)
            all.items[k++] = t[i].items[j];
    check_lexeme_counts(&all, &(zf_search_tokens)ZF_SEARCH_TOKENS_INIT, &partial);
    free(all.items);
    for (i = 0; i < n; i++)
        zf_search_tokens_free(&t[i]);
    free(t);
    *out = b.len ? zf_buf_detach(&b) : zf_strdup("");
    zf_buf_free(&b);
    *out_partial = partial;
}

int zf_search_tsvector_build(char **out, int *out_partial, const char *title, const char *body)
{
    const char *fields[2] = {title, body};

    build_fields(out, out_partial, fields, "A", 2);
    return 0;
}

int zf_search_tsvector_fields(char **out, int *out_partial, const char *const *fields, size_t n)
{
    build_fields(out, out_partial, fields, NULL, n);
    return 0;
}

/* The next term of an FTS5 expression from zf_search_query_build: its text
 * (unquoted, caller frees) and whether it ends in '*'. Returns NULL at the
 * end. */
static char *next_term(const char **p, int *prefix)
{
    const char *s = strchr(*p, '"');
    zf_buf t = ZF_BUF_INIT;
    char *out;

    if (!s)
        return NULL;
    for (s++; *s; s++) {
        if (*s == '"') {
            if (s[1] != '"')
                break;
            s++;
        }
        zf_buf_putc(&t, *s);
    }
    if (*s == '"')
        s++;
    *prefix = *s == '*';
    *p = s;
    out = t.len ? zf_buf_detach(&t) : zf_strdup("");
    zf_buf_free(&t);
    return out;
}

int zf_search_tsquery_build(char **out_phrase, char **out_loose, const char *query, size_t len,
                            zf_err *err)
{
    zf_buf phrase = ZF_BUF_INIT, loose = ZF_BUF_INIT;
    char *expr = NULL, *term, num[16];
    const char *p;
    int rc, prefix;

    *out_phrase = *out_loose = NULL;
    if ((rc = zf_search_query_build(&expr, query, len, ZF_SEARCH_QUERY, err)) < 0)
        return rc;
    for (p = expr; (term = next_term(&p, &prefix)) != NULL; free(term)) {
        zf_search_tokens t = ZF_SEARCH_TOKENS_INIT;
        size_t i;

        zf_search_tokenize(&t, term, strlen(term), ZF_SEARCH_QUERY);
        if (t.count == 0) {
            zf_search_tokens_free(&t);
            continue;
        }
        if (phrase.len > 0) {
            zf_buf_puts(&phrase, " & ");
            zf_buf_puts(&loose, " & ");
        }
        zf_buf_putc(&phrase, '(');
        for (i = 0; i < t.count; i++) {
            int last_word = prefix && i + 1 == t.count;
            if (i > 0) {
                snprintf(num, sizeof num, " <%d> ", t.items[i].pos - t.items[i - 1].pos);
                zf_buf_puts(&phrase, num);
                zf_buf_puts(&loose, " & ");
            }
            put_lexeme(&phrase, t.items[i].text, t.items[i].len);
            put_lexeme(&loose, t.items[i].text, t.items[i].len);
            if (last_word) {
                zf_buf_puts(&phrase, ":*");
                zf_buf_puts(&loose, ":*");
            }
        }
        zf_buf_putc(&phrase, ')');
        zf_search_tokens_free(&t);
    }
    free(expr);
    if (phrase.len == 0) {
        zf_buf_free(&phrase);
        zf_buf_free(&loose);
        return zf_err_set(err, ZF_EINVAL, "empty_query", "q", "请输入检索词");
    }
    *out_phrase = zf_buf_detach(&phrase);
    *out_loose = zf_buf_detach(&loose);
    return 0;
}

/* ---- marking ---- */

typedef struct range {
    size_t start, end;
} range;

static int by_start(const void *a, const void *b)
{
    const range *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start ? 1 : 0;
}

/* Index of the first document token at each position (tokens come in
 * position order). first[pos] .. first[pos + 1] - 1 are that position's. */
static size_t *position_index(const zf_search_tokens *d, int *out_npos)
{
    int npos = d->count ? d->items[d->count - 1].pos + 1 : 0, p = 0;
    size_t *first = zf_calloc((size_t)npos + 1, sizeof *first), i;

    for (i = 0; i < d->count; i++)
        while (p <= d->items[i].pos)
            first[p++] = i;
    first[npos] = d->count;
    *out_npos = npos;
    return first;
}

/* The token of position pos equal to q (a prefix of it when prefix), or
 * NULL. */
static const zf_search_token *token_at(const zf_search_tokens *d, const size_t *first, int npos,
                                       int pos, const zf_search_token *q, int prefix)
{
    size_t i;

    if (pos < 0 || pos >= npos)
        return NULL;
    for (i = first[pos]; i < first[pos + 1]; i++)
        if (prefix ? strncmp(d->items[i].text, q->text, q->len) == 0
                   : strcmp(d->items[i].text, q->text) == 0)
            return &d->items[i];
    return NULL;
}

/* Adds the byte ranges where term (its query tokens) matches. */
static void find_hits(range **r, size_t *n, size_t *cap, const zf_search_tokens *d,
                      const size_t *first, int npos, const zf_search_tokens *q, int prefix)
{
    int p;
    size_t k;

    for (p = 0; p < npos; p++) {
        size_t start = (size_t)-1, end = 0;
        for (k = 0; k < q->count; k++) {
            const zf_search_token *t =
                token_at(d, first, npos, p + q->items[k].pos - q->items[0].pos, &q->items[k],
                         prefix && k + 1 == q->count);
            if (!t)
                break;
            if (t->start < start)
                start = t->start;
            if (t->end > end)
                end = t->end;
        }
        if (k < q->count)
            continue;
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 8;
            *r = zf_realloc(*r, *cap * sizeof **r);
        }
        (*r)[*n].start = start;
        (*r)[(*n)++].end = end;
    }
}

/* Moves back (dir < 0) or forward over n UTF-8 characters from off. */
static size_t walk(const char *s, size_t len, size_t off, long n)
{
    while (n < 0 && off > 0) {
        off--;
        while (off > 0 && ((unsigned char)s[off] & 0xC0) == 0x80)
            off--;
        n++;
    }
    while (n > 0 && off < len) {
        off++;
        while (off < len && ((unsigned char)s[off] & 0xC0) == 0x80)
            off++;
        n--;
    }
    return off;
}

struct zf_search_marker {
    struct marker_term {
        zf_search_tokens q; /* the term's tokens, ZF_SEARCH_QUERY mode */
        int prefix;         /* its last token matches as a prefix */
    } *terms;
    size_t nterms;
};

zf_search_marker *zf_search_marker_new(const char *query)
{
    zf_search_marker *m = zf_calloc(1, sizeof *m);
    char *expr = NULL, *term;
    const char *p;
    int prefix;

    if (zf_search_query_build(&expr, query, strlen(query), ZF_SEARCH_QUERY, NULL) == 0) {
        for (p = expr; (term = next_term(&p, &prefix)) != NULL; free(term)) {
            struct marker_term *t;

            m->terms = zf_realloc(m->terms, (m->nterms + 1) * sizeof *m->terms);
            t = &m->terms[m->nterms];
            zf_search_tokenize(&t->q, term, strlen(term), ZF_SEARCH_QUERY);
            t->prefix = prefix;
            if (t->q.count)
                m->nterms++;
            else
                zf_search_tokens_free(&t->q);
        }
    }
    free(expr);
    return m;
}

void zf_search_marker_free(zf_search_marker *m)
{
    size_t i;

    if (!m)
        return;
    for (i = 0; i < m->nterms; i++)
        zf_search_tokens_free(&m->terms[i].q);
    free(m->terms);
    free(m);
}

char *zf_search_marker_apply(const zf_search_marker *m, const char *text, size_t snippet_chars)
{
    zf_search_tokens d = ZF_SEARCH_TOKENS_INIT;
    zf_buf b = ZF_BUF_INIT;
    range *r = NULL;
    size_t n = 0, cap = 0, len = strlen(text), from = 0, to, i, at;
    size_t *first = NULL;
    char *out;
    int npos;

    if (m->nterms > 0) {
        /* The highlight tokens are the document's without the trigrams,
         * which no ZF_SEARCH_QUERY token is: the same positions, a third
         * fewer tokens to make and compare. */
        zf_search_tokenize(&d, text, len, ZF_SEARCH_HIGHLIGHT);
        first = position_index(&d, &npos);
        for (i = 0; i < m->nterms; i++)
            find_hits(&r, &n, &cap, &d, first, npos, &m->terms[i].q, m->terms[i].prefix);
    }
    free(first);
    zf_search_tokens_free(&d);
    if (n)
        qsort(r, n, sizeof *r, by_start);
    to = len;
    if (snippet_chars > 0 && walk(text, len, 0, (long)snippet_chars) < len) {
        from = n ? walk(text, len, r[0].start, -(long)(snippet_chars / 4)) : 0;
        to = walk(text, len, from, (long)snippet_chars);
        if (to == len) /* the end reached: show the full window */
            from = walk(text, len, len, -(long)snippet_chars);
    }
    if (from > 0)
        zf_buf_puts(&b, "…");
    at = from;
    for (i = 0; i < n; i++) {
        size_t s = r[i].start < at ? at : r[i].start, e = r[i].end > to ? to : r[i].end;
        /* merge the ranges that overlap or touch this one */
        while (i + 1 < n && r[i + 1].start <= e) {
            i++;
            if (r[i].end > e)
                e = r[i].end > to ? to : r[i].end;
        }
        if (s >= e || s >= to)
            continue;
        zf_buf_append(&b, text + at, s - at);
        zf_buf_putc(&b, '\x02');
        zf_buf_append(&b, text + s, e - s);
        zf_buf_putc(&b, '\x03');
        at = e;
    }
    if (at < to)
        zf_buf_append(&b, text + at, to - at);
    if (to < len)
        zf_buf_puts(&b, "…");
    free(r);
    out = b.len ? zf_buf_detach(&b) : zf_strdup("");
    zf_buf_free(&b);
    return out;
}

char *zf_search_mark(const char *text, const char *query, size_t snippet_chars)
{
    zf_search_marker *m = zf_search_marker_new(query);
    char *out = zf_search_marker_apply(m, text, snippet_chars);

    zf_search_marker_free(m);
    return out;
}
