/* page_cache.h — rendered public portal pages served again while nothing
 * they were made from has changed (issue 7: the portal home and decision
 * pages at thousands of requests per second).
 *
 * A page is stored with the database's data version (store/db.h
 * zf_db_data_version: moves on every commit of any connection or process)
 * and the China-time day it was rendered on, so a publication, a withdrawal
 * or a date-dependent line (validity, 公示截止期) shows on the very next
 * request: there is no time-to-live and never a stale answer. The data
 * version is per connection, so each worker thread keeps its own small cache
 * (no locks; the server gives a thread the same connection) and an entry
 * only matches the connection it was rendered on.
 *
 * Every cacheable page also gets an ETag (a hash of the body); a request
 * whose If-None-Match names it gets 304 and no body.
 *
 * Use for a public GET page: the route's handler returns
 * zf_page_cached(c, query_keys, render_the_page). The page must depend on
 * nothing but the path, the named query values, the database content and
 * the day (no session, no other header), and set a static content type.
 * The connection pointer is only compared, never followed. */
#ifndef ZF_WEB_PAGE_CACHE_H
#define ZF_WEB_PAGE_CACHE_H

#include <stdint.h>

#include "api/api.h"

#define ZF_PAGE_KEY_MAX 320

typedef struct zf_page_key {
    char s[ZF_PAGE_KEY_MAX]; /* path, then "\x1f" name "=" value per query key */
    const void *db;          /* the connection the version belongs to */
    uint64_t version;        /* zf_db_data_version before rendering */
    int64_t day;             /* China-time day number of c->now */
    int usable;              /* 0: too long a key or no version; never stored */
} zf_page_key;

/* Looks up the page for c's path and the values of query_keys (a
 * NULL-terminated list, or NULL for none). On a hit fills c (body or 304,
 * status, content type, Cache-Control and ETag) and returns 1; on a miss
 * fills *out for zf_page_cache_store and returns 0. Never fails: a database
 * error only makes the page uncacheable. */
int zf_page_cache_serve(zf_page_key *out, zf_ctx *c, const char *const *query_keys);

/* Keeps a copy of the 200 response now in c (HTML body of at most
 * ZF_PAGE_CACHE_BODY_MAX bytes) under key, adds its ETag header and turns
 * the response into 304 if the request's If-None-Match names it. */
void zf_page_cache_store(const zf_page_key *key, zf_ctx *c);

/* The two above around a handler: serves the page from the cache or runs
 * render and keeps its result. Returns render's result (0 on a hit). */
int zf_page_cached(zf_ctx *c, const char *const *query_keys, zf_handler render);

#define ZF_PAGE_CACHE_SLOTS 32
#define ZF_PAGE_CACHE_BODY_MAX ((size_t)512 * 1024)

/* Hits and misses since start, for tests and /metrics-style reporting. */
void zf_page_cache_stats(uint64_t *out_hits, uint64_t *out_misses);

#endif
