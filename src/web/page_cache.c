/* page_cache.c — per-thread cache of rendered portal pages; see page_cache.h.
 *
 * Each worker thread owns a table of ZF_PAGE_CACHE_SLOTS entries (found
 * through a pthread key, freed when the thread ends), evicting the least
 * recently used. Lookups compare the key string, the connection, its data
 * version and the day; nothing is shared between threads except two
 * relaxed counters. */
#include "web/page_cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "util/buf.h"
#include "util/mem.h"

typedef struct entry {
    char key[ZF_PAGE_KEY_MAX];
    const void *db;
    uint64_t version;
    int64_t day;
    uint64_t used; /* LRU clock; 0 = empty */
    char etag[20]; /* "\"" 16 hex "\"" */
    const char *content_type;
    char *body;
    size_t len;
} entry;

typedef struct table {
    entry e[ZF_PAGE_CACHE_SLOTS];
    uint64_t clock;
} table;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t tkey;
static int tkey_ok;
static atomic_uint_fast64_t hits, misses;

static void table_free(void *p)
{
    table *t = p;
    size_t i;

    if (!t)
        return;
    for (i = 0; i < ZF_PAGE_CACHE_SLOTS; i++)
        free(t->e[i].body);
    free(t);
}

static void make_key(void)
{
    tkey_ok = pthread_key_create(&tkey, table_free) == 0;
}

static table *my_table(void)
{
    table *t;

    pthread_once(&once, make_key);
    if (!tkey_ok)
        return NULL;
    if ((t = pthread_getspecific(tkey)) == NULL) {
        t = zf_calloc(1, sizeof *t);
        if (pthread_setspecific(tkey, t) != 0) {
            free(t);
            return NULL;
        }
    }
    return t;
}

/* FNV-1a 64: the ETag only needs to change when the body does. */
static uint64_t fnv1a64(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* Appends "\x1f" name "=" value; 0 when it fits. */
static int key_add(char *k, size_t *len, const char *name, const char *value)
{
    int n = snprintf(k + *len, ZF_PAGE_KEY_MAX - *len, "\x1f%s=%s", name, value);

    if (n < 0 || (size_t)n >= ZF_PAGE_KEY_MAX - *len)
        return -1;
    *len += (size_t)n;
    return 0;
}

/* 1 if the request's If-None-Match names etag (a list or W/ form too). */
static int not_modified(zf_ctx *c, const char *etag)
{
    const char *inm = zf_ctx_request_header(c, "If-None-Match");

    return inm && (strstr(inm, etag) != NULL || strcmp(inm, "*") == 0);
}

static void answer(zf_ctx *c, const char *etag, const char *type)
{
    c->content_type = type;
    zf_ctx_header(c, "Cache-Control", "no-cache");
    zf_ctx_header(c, "ETag", etag);
    if (not_modified(c, etag)) {
        c->status = 304;
        zf_buf_reset(&c->out);
    }
}

int zf_page_cache_serve(zf_page_key *out, zf_ctx *c, const char *const *query_keys)
{
    zf_err err = ZF_ERR_INIT;
    table *t;
    size_t len, i;
    int n;

    memset(out, 0, sizeof *out);
    n = snprintf(out->s, sizeof out->s, "%s", c->path);
    if (n < 0 || (size_t)n >= sizeof out->s)
        return 0;
    len = (size_t)n;
    for (i = 0; query_keys && query_keys[i]; i++) {
        const char *v = zf_ctx_query(c, query_keys[i]);

        if (v && key_add(out->s, &len, query_keys[i], v) < 0)
            return 0;
    }
    if (!c->db || zf_db_data_version(c->db, &out->version, &err) < 0)
        return 0;
    out->db = c->db;
    out->day = (c->now + 8 * 3600) / 86400;
    out->usable = 1;
    if ((t = my_table()) == NULL)
        return 0;
    for (i = 0; i < ZF_PAGE_CACHE_SLOTS; i++) {
        entry *e = &t->e[i];

        if (e->used && e->db == out->db && e->version == out->version && e->day == out->day &&
            strcmp(e->key, out->s) == 0) {
            e->used = ++t->clock;
            zf_buf_reset(&c->out);
            if (zf_buf_append(&c->out, e->body, e->len) < 0)
                return 0;
            c->status = 200;
            answer(c, e->etag, e->content_type);
            atomic_fetch_add_explicit(&hits, 1, memory_order_relaxed);
            return 1;
        }
    }
    atomic_fetch_add_explicit(&misses, 1, memory_order_relaxed);
    return 0;
}

void zf_page_cache_store(const zf_page_key *key, zf_ctx *c)
{
    char etag[20];
    table *t;
    entry *victim = NULL;
    size_t i;

    if (c->status != 200 || !c->content_type)
        return;
    snprintf(etag, sizeof etag, "\"%016llx\"",
             (unsigned long long)fnv1a64(c->out.ptr ? c->out.ptr : "", c->out.len));
    if (key->usable && c->out.len <= ZF_PAGE_CACHE_BODY_MAX && (t = my_table()) != NULL) {
        /* the same page of the same connection replaces its older
         * version; else the least recently used goes */
        for (i = 0; i < ZF_PAGE_CACHE_SLOTS; i++) {
            entry *e = &t->e[i];

            if (e->used && e->db == key->db && strcmp(e->key, key->s) == 0) {
                victim = e;
                break;
            }
            if (!victim || e->used < victim->used)
                victim = e;
        }
        free(victim->body);
        victim->body = zf_malloc(c->out.len ? c->out.len : 1);
        memcpy(victim->body, c->out.ptr ? c->out.ptr : "", c->out.len);
        victim->len = c->out.len;
        memcpy(victim->key, key->s, sizeof victim->key);
        victim->db = key->db;
        victim->version = key->version;
        victim->day = key->day;
        victim->content_type = c->content_type;
        memcpy(victim->etag, etag, sizeof etag);
        victim->used = ++t->clock;
    }
    /* the handler already set Cache-Control; only the validator is new */
    zf_ctx_header(c, "ETag", etag);
    if (not_modified(c, etag)) {
        c->status = 304;
        zf_buf_reset(&c->out);
    }
}

int zf_page_cached(zf_ctx *c, const char *const *query_keys, zf_handler render)
{
    zf_page_key pk;
    int rc;

    if (zf_page_cache_serve(&pk, c, query_keys) == 1)
        return 0;
    if ((rc = render(c)) == 0)
        zf_page_cache_store(&pk, c);
    return rc;
}

void zf_page_cache_stats(uint64_t *out_hits, uint64_t *out_misses)
{
    *out_hits = atomic_load_explicit(&hits, memory_order_relaxed);
    *out_misses = atomic_load_explicit(&misses, memory_order_relaxed);
}
