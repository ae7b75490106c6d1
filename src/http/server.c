/* server.c — see server.h.
 *
 * libmicrohttpd runs a pool of worker threads (one per core) over epoll; each
 * request's body is gathered into a bounded buffer, then dispatched on the
 * worker: route match, authentication (session cookie or bearer token), CSRF
 * check, the route's authorization (zf_authz_check), the handler, and the
 * response. Each worker borrows a database connection from a pool for the
 * duration of one request. */
#include "http/server.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "auth/session.h"
#include "blob/blob.h"
#include "http/metrics.h"
#include "http/router.h"
#include "store/audit.h"
#include "store/calendar_store.h"
#include "store/settings.h"
#include "util/log.h"
#include "web/portal.h"
#include "util/mem.h"

typedef struct zf_server_state {
    const zf_server_config *cfg;
    zf_db_pool *pool;
    char console_dir[PATH_MAX - 64];
    zf_settings *settings;
    pthread_t ticker;
    pthread_mutex_t tick_mu;
    pthread_cond_t tick_cv;
    int stopping;
} zf_server_state;

/* The background thread: runs zf_ticks about once a second until stop. */
static void *ticker_main(void *arg)
{
    zf_server_state *s = arg;
    struct timespec until;
    const zf_tick_fn *t;

    pthread_mutex_lock(&s->tick_mu);
    while (!s->stopping) {
        pthread_mutex_unlock(&s->tick_mu);
        if (zf_ticks[0]) {
            zf_db *db = zf_db_pool_acquire(s->pool);
            for (t = zf_ticks; *t; t++)
                (*t)(db, (int64_t)time(NULL), s->settings, s->cfg->data_dir);
            zf_db_pool_release(s->pool, db);
        }
        pthread_mutex_lock(&s->tick_mu);
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        if (!s->stopping)
            pthread_cond_timedwait(&s->tick_cv, &s->tick_mu, &until);
    }
    pthread_mutex_unlock(&s->tick_mu);
    if (zf_ticks[0]) {
        zf_db *db = zf_db_pool_acquire(s->pool);
        zf_leader_resign(db);
        zf_db_pool_release(s->pool, db);
    }
    return NULL;
}

/* Everything one request needs across libmicrohttpd's calls: the first call
 * (headers only), zero or more calls with body bytes, and the final call. */
typedef struct request_state {
    struct timespec started;
    zf_ctx c;
    zf_principal who;
    char ip[64];
    char rid[40];
    char *work;                /* the path's copy that c.params point into */
    const zf_route *route;     /* NULL when no route matched */
    int match;                 /* ZF_ROUTE_* */
    const char *route_key;     /* for metrics and the access log; static */
    zf_buf body;               /* buffered routes */
    int too_big;
    void *upload_state;        /* streaming routes */
    int upload_begun;          /* begin succeeded: end or abort is still owed */
    int upload_failed;         /* c.err says why; the rest of the body is discarded */
    int quiet;
} request_state;

static atomic_ullong request_counter;

static double elapsed(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - since->tv_sec) + (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

static const char *query_lookup(void *h, const char *key)
{
    return MHD_lookup_connection_value(h, MHD_GET_ARGUMENT_KIND, key);
}

static void client_ip(char *out, size_t n, struct MHD_Connection *conn, int trust_proxy)
{
    const union MHD_ConnectionInfo *ci;
    const char *fwd;

    if (trust_proxy && (fwd = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Real-IP"))) {
        snprintf(out, n, "%s", fwd);
        return;
    }
    ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = '\0';
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)n);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)n);
    }
}

static const char *mime_type(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
        {".json", "application/json"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
        {".jpg", "image/jpeg"}, {".ico", "image/x-icon"}, {".woff", "font/woff"},
        {".woff2", "font/woff2"}, {".ttf", "font/ttf"}, {".webmanifest", "application/manifest+json"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(path, '.');
    size_t i;

    for (i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

/* Serves the built console from disk: /console/ and /console/assets/... A
 * path with ".." or a hidden segment is refused; unknown paths fall back to
 * index.html (the SPA routes by hash, so this is only for bookmarks). */
static int serve_console(zf_ctx *c, const zf_server_state *s)
{
    const char *rel = c->path + strlen("/console");
    char full[PATH_MAX];
    struct stat sb;

    if (strstr(rel, "..") || strstr(rel, "/."))
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "页面不存在");
    if (*rel == '\0' || strcmp(rel, "/") == 0)
        rel = "/index.html";
    if ((size_t)snprintf(full, sizeof full, "%s%s", s->console_dir, rel) >= sizeof full)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "页面不存在");
    if (stat(full, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        if (strncmp(rel, "/assets/", 8) == 0)
            return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "文件不存在");
        if ((size_t)snprintf(full, sizeof full, "%s/index.html", s->console_dir) >= sizeof full ||
            stat(full, &sb) != 0)
            return zf_err_set(&c->err, ZF_ENOTFOUND, "console_not_built", NULL,
                              "管理控制台尚未构建：请运行 make console");
    }
    c->file_path = zf_strdup(full);
    c->content_type = mime_type(full);
    c->status = 200;
    if (strncmp(rel, "/assets/", 8) == 0)
        zf_ctx_header(c, "Cache-Control", "public, max-age=31536000, immutable");
    else
        zf_ctx_header(c, "Cache-Control", "no-cache");
    return 0;
}

static pthread_mutex_t health_mu = PTHREAD_MUTEX_INITIALIZER;
static int64_t health_checked_at;
static int health_missing;
static char health_message[256];

/* /healthz: the database answers, and whether next year's working-day
 * schedule is missing (a warning, not a failure: deadlines still count). */
static int handle_healthz(zf_ctx *c)
{
    int64_t one = 0;
    zf_err err = ZF_ERR_INIT;
    const zf_calendar *cal = NULL;
    char message[256] = "";
    int missing = 0;
    int ok = zf_db_query_int64(c->db, &one, "SELECT 1", &err, 0, NULL) == 1 && one == 1;
    json_t *v = json_pack("{s:s,s:s}", "status", ok ? "ok" : "error", "database",
                          ok ? "ok" : err.message);

    if (!ok)
        zf_metrics_db_error();
    /* the calendar answer changes at most daily; monitors poll often */
    pthread_mutex_lock(&health_mu);
    if (ok && c->now - health_checked_at >= 60 && zf_calendar_cache_acquire(&cal, c->db, NULL) == 0) {
        health_missing = zf_calendar_store_missing_year(cal, zf_calendar_store_today(c->now), health_message,
                                                        sizeof health_message);
        zf_calendar_cache_release(cal);
        health_checked_at = c->now;
    }
    missing = health_missing;
    snprintf(message, sizeof message, "%s", health_message);
    pthread_mutex_unlock(&health_mu);
    json_object_set_new(v, "calendar", missing > 0 ? json_pack("{s:i,s:s}", "missing_year", missing, "warning", message)
                                                   : json_pack("{s:n}", "missing_year"));
    return zf_ctx_json(c, ok ? 200 : 503, v);
}

/* Reads the session cookie or bearer token. Returns 0 (anonymous or
 * authenticated), or a negative code when a bearer token is invalid. */
static int authenticate(zf_ctx *c, struct MHD_Connection *conn, zf_principal *who,
                        const char **out_cookie)
{
    const char *authz = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    const char *cookie = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, "zf_session");
    zf_err err = ZF_ERR_INIT;

    *out_cookie = NULL;
    if (authz && strncmp(authz, "Bearer ", 7) == 0) {
        if (zf_api_token_lookup(who, c->db, authz + 7, c->now, &c->err) < 0)
            return c->err.rc;
        c->who = who;
        return 0;
    }
    if (cookie && zf_session_lookup(who, c->db, cookie, c->ip, c->now, &err) == 0) {
        c->who = who;
        c->session_token = cookie;
        *out_cookie = cookie;
    }
    return 0;
}

static int is_write(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 && strcmp(method, "OPTIONS") != 0;
}

static void log_forbidden(zf_ctx *c, const zf_route *route)
{
    zf_db_read_end(c->db); /* the audit row commits on its own, whatever follows */
    zf_audit_event ev = {c->now, c->who ? c->who->user_id : 0, c->who ? c->who->username : "",
                         "forbidden", "route", route->pattern, c->ip, c->request_id, c->method};
    zf_audit_write(c->db, &ev, NULL);
}

/* Answers requests that need no route: /healthz, /metrics, the console's
 * files, 404 and 405. Returns 1 if it answered. */
static int answer_unrouted(request_state *rs, zf_server_state *s)
{
    zf_ctx *c = &rs->c;

    if (strcmp(c->path, "/healthz") == 0) {
        rs->route_key = "/healthz";
        handle_healthz(c);
        return 1;
    }
    if (strcmp(c->path, "/metrics") == 0) {
        rs->route_key = "/metrics";
        zf_metrics_render(&c->out);
        c->content_type = "text/plain; version=0.0.4";
        return 1;
    }
    if (rs->match == ZF_ROUTE_BAD_METHOD) {
        rs->route_key = "method_not_allowed";
        zf_err_set(&c->err, ZF_EINVAL, "method_not_allowed", NULL, "不支持该请求方法");
        zf_ctx_error(c, &c->err);
        c->status = 405;
        return 1;
    }
    if (rs->match == ZF_ROUTE_NONE) {
        if (strncmp(c->path, "/console", 8) == 0 && (c->path[8] == '\0' || c->path[8] == '/')) {
            rs->route_key = "/console/*";
            if (serve_console(c, s) < 0)
                zf_ctx_error(c, &c->err);
            return 1;
        }
        zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "请求的地址不存在");
        if (strncmp(c->path, "/api/", 5) == 0)
            zf_ctx_error(c, &c->err);
        else
            zf_portal_error_page(c, &c->err);
        return 1;
    }
    return 0;
}

/* Authentication, CSRF and the route's authorization. Returns 0 when the
 * request may proceed; otherwise the error response is already in c. */
static int check_access(request_state *rs, struct MHD_Connection *conn)
{
    zf_ctx *c = &rs->c;
    const zf_route *route = rs->route;
    const char *cookie = NULL;
    int rc;

    /* public routes never look at who is asking, so they skip the session
     * lookup; login needs none either */
    if (!(route->roles & ZF_PUBLIC) && (rc = authenticate(c, conn, &rs->who, &cookie)) < 0) {
        zf_ctx_error(c, &c->err);
        return rc;
    }
    if (cookie && is_write(c->method) && !(route->flags & ZF_ROUTE_NO_CSRF)) {
        const char *sent = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-CSRF-Token");
        if (!sent || !zf_token_equal(sent, rs->who.csrf_token)) {
            zf_err_set(&c->err, ZF_EPERM, "csrf_failed", NULL, "页面已过期或请求来源不可信，请刷新页面后重试");
            log_forbidden(c, route);
            zf_ctx_error(c, &c->err);
            return ZF_EPERM;
        }
    }
    if ((rc = zf_authz_check(route, c)) < 0) {
        if (rc == ZF_EPERM)
            log_forbidden(c, route);
        zf_ctx_error(c, &c->err);
        return rc;
    }
    return 0;
}

/* Turns a handler's failure into the error response. */
static void handler_failed(request_state *rs, int rc)
{
    zf_ctx *c = &rs->c;

    if (c->err.rc == ZF_EDB || rc == ZF_EDB)
        zf_metrics_db_error();
    if (!c->err.rc)
        zf_err_set(&c->err, rc, NULL, NULL, "请求处理失败");
    if (c->db)
        zf_db_rollback(c->db);
    if (rs->route->flags & ZF_ROUTE_HTML)
        zf_portal_error_page(c, &c->err);
    else
        zf_ctx_error(c, &c->err);
}

/* A buffered request, at its final call. */
static void dispatch(request_state *rs, struct MHD_Connection *conn, zf_server_state *s)
{
    zf_ctx *c = &rs->c;
    int rc;

    if (answer_unrouted(rs, s) || check_access(rs, conn) < 0)
        return;
    c->status = 200;
    if ((rc = rs->route->handler(c)) < 0)
        handler_failed(rs, rc);
}

static void add_common_headers(struct MHD_Response *resp, const zf_ctx *c)
{
    int i;

    MHD_add_response_header(resp, "Content-Type",
                            c->content_type ? c->content_type : "application/json; charset=utf-8");
    MHD_add_response_header(resp, "X-Request-Id", c->request_id);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    if (c->content_type && strncmp(c->content_type, "text/html", 9) == 0)
        MHD_add_response_header(resp, "Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                                "script-src 'self'; frame-ancestors 'none'");
    for (i = 0; i < c->nheaders; i++)
        MHD_add_response_header(resp, c->headers[i].name, c->headers[i].value);
    if (strncmp(c->path, "/api/", 5) == 0)
        MHD_add_response_header(resp, "Cache-Control", "no-store");
}

/* A response body read from a blob reader (evidence on object storage). */
typedef struct blob_stream {
    zf_blob_reader *r;
    uint64_t offset, length;
} blob_stream;

static ssize_t blob_stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    blob_stream *b = cls;
    size_t n = 0;

    if (pos >= b->length)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (max > b->length - pos)
        max = (size_t)(b->length - pos);
    /* the status line is gone: a failure can only cut the body short */
    if (zf_blob_reader_read(&n, b->r, buf, max, b->offset + pos, NULL) < 0 || n == 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    return (ssize_t)n;
}

static void blob_stream_free(void *cls)
{
    blob_stream *b = cls;

    zf_blob_reader_free(b->r);
    free(b);
}

static enum MHD_Result send_ctx(struct MHD_Connection *conn, zf_ctx *c, size_t *out_bytes)
{
    struct MHD_Response *resp = NULL;
    enum MHD_Result ret;

    /* only a success sends the blob; an error page left behind is freed with the ctx */
    if (c->stream && (c->status == 200 || c->status == 206)) {
        blob_stream *b = zf_malloc(sizeof *b);
        b->r = c->stream;
        b->offset = c->stream_offset;
        b->length = c->stream_length;
        c->stream = NULL;
        resp = MHD_create_response_from_callback(b->length, 256 * 1024, blob_stream_read, b, blob_stream_free);
        if (resp)
            *out_bytes = (size_t)b->length;
        else
            blob_stream_free(b);
    }
    if (!resp && c->file_path) {
        int fd = open(c->file_path, O_RDONLY | O_CLOEXEC);
        struct stat sb;
        if (fd >= 0 && fstat(fd, &sb) == 0 && c->file_offset <= (uint64_t)sb.st_size) {
            uint64_t len = c->file_length ? c->file_length : (uint64_t)sb.st_size - c->file_offset;
            if (c->file_offset + len <= (uint64_t)sb.st_size)
                resp = MHD_create_response_from_fd_at_offset64(len, fd, c->file_offset);
            if (resp)
                *out_bytes = (size_t)len;
            else
                close(fd);
        } else if (fd >= 0) {
            close(fd);
        }
        if (!resp) {
            zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "文件不存在");
            zf_ctx_error(c, &c->err);
        }
    }
    if (!resp) {
        size_t len = c->out.len;
        char *body = zf_buf_detach(&c->out);
        *out_bytes = len;
        resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
        if (!resp) {
            free(body);
            return MHD_NO;
        }
    }
    add_common_headers(resp, c);
    ret = MHD_queue_response(conn, (unsigned)(c->status ? c->status : 200), resp);
    MHD_destroy_response(resp);
    return ret;
}

static void access_log(const zf_ctx *c, int quiet, const char *route_key, size_t bytes, double secs)
{
    char line[1024];
    json_t *o;
    char *s;

    if (quiet)
        return;
    o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:f,s:I,s:s}", "rid", c->request_id, "ip", c->ip,
                  "method", c->method, "path", c->path, "route", route_key, "status", c->status,
                  "ms", secs * 1000.0, "bytes", (json_int_t)bytes, "user",
                  c->who ? c->who->username : "");
    if (!o)
        return;
    s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (s) {
        snprintf(line, sizeof line, "%s", s);
        zf_log_line(line);
        free(s);
    }
}

static const char *header_lookup(void *h, const char *key)
{
    return MHD_lookup_connection_value(h, MHD_HEADER_KIND, key);
}

/* The first call: fills the context and matches the route. */
static request_state *request_new(struct MHD_Connection *conn, zf_server_state *s, const char *url,
                                  const char *method)
{
    request_state *rs = zf_calloc(1, sizeof *rs);
    zf_ctx *c = &rs->c;
    const char *proto;

    clock_gettime(CLOCK_MONOTONIC, &rs->started);
    zf_buf_init(&rs->body, s->cfg->body_limit);
    client_ip(rs->ip, sizeof rs->ip, conn, s->cfg->trust_proxy);
    snprintf(rs->rid, sizeof rs->rid, "%08x%08llx", (unsigned)getpid(),
             (unsigned long long)atomic_fetch_add(&request_counter, 1));
    c->method = method;
    c->path = url;
    c->ip = rs->ip;
    c->request_id = rs->rid;
    c->now = (int64_t)time(NULL);
    c->query_fn = query_lookup;
    c->query_h = conn;
    c->header_fn = header_lookup;
    c->header_h = conn;
    c->settings = s->settings;
    c->data_dir = s->cfg->data_dir;
    c->user_agent = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "User-Agent");
    proto = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-Proto");
    c->secure = s->cfg->trust_proxy && proto && strcmp(proto, "https") == 0;
    c->status = 0;
    zf_buf_init(&c->out, 0);
    rs->route_key = "not_found";
    rs->work = zf_malloc(strlen(url) + 1);
    rs->match = zf_router_match(&rs->route, c->params, &c->nparams, rs->work, zf_route_tables, method, url);
    if (rs->route)
        rs->route_key = rs->route->pattern;
    return rs;
}

static enum MHD_Result finish(struct MHD_Connection *conn, request_state *rs)
{
    size_t bytes = 0;
    enum MHD_Result ret;
    double secs;

    if (!rs->c.status)
        rs->c.status = 200;
    ret = send_ctx(conn, &rs->c, &bytes);
    secs = elapsed(&rs->started);
    zf_metrics_request(rs->c.method, rs->route_key, rs->c.status, secs);
    access_log(&rs->c, rs->quiet, rs->route_key, bytes, secs);
    return ret;
}

/* Streaming uploads: access is checked and begin called at the first call,
 * before any body byte is read, so a refused upload of gigabytes is refused
 * at once; data goes straight to the route's sink without a database
 * connection; end runs at the final call with one. */
static enum MHD_Result on_upload(struct MHD_Connection *conn, zf_server_state *s, request_state *rs,
                                 int first, const char *data, size_t *size)
{
    const zf_upload_ops *ops = rs->route->upload;
    zf_ctx *c = &rs->c;
    int rc;

    if (first) {
        c->db = zf_db_pool_acquire(s->pool);
        rc = check_access(rs, conn);
        if (rc == 0 && (rc = ops->begin(c, &rs->upload_state)) < 0)
            handler_failed(rs, rc);
        zf_db_pool_release(s->pool, c->db);
        c->db = NULL;
        if (rc < 0)
            return finish(conn, rs); /* refuse before reading the body */
        rs->upload_begun = 1;
        return MHD_YES;
    }
    if (*size) {
        if (!rs->upload_failed && (rc = ops->data(c, rs->upload_state, data, *size)) < 0)
            rs->upload_failed = rc;
        *size = 0;
        return MHD_YES;
    }
    rs->upload_begun = 0;
    if (rs->upload_failed) {
        ops->abort(rs->upload_state);
        handler_failed(rs, rs->upload_failed);
        return finish(conn, rs);
    }
    c->db = zf_db_pool_acquire(s->pool);
    c->status = 200;
    if ((rc = ops->end(c, rs->upload_state)) < 0)
        handler_failed(rs, rc);
    zf_db_pool_release(s->pool, c->db);
    c->db = NULL;
    return finish(conn, rs);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    zf_server_state *s = cls;
    request_state *rs = *con_cls;
    int first = 0;

    (void)version;
    if (!rs) {
        rs = request_new(conn, s, url, method);
        rs->quiet = s->cfg->quiet;
        *con_cls = rs;
        first = 1;
    }
    if (rs->route && rs->route->upload)
        return on_upload(conn, s, rs, first, upload_data, upload_data_size);
    if (first) {
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > s->cfg->body_limit)
            rs->too_big = 1;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!rs->too_big && zf_buf_append(&rs->body, upload_data, *upload_data_size) < 0)
            rs->too_big = 1;
        *upload_data_size = 0;
        return MHD_YES;
    }
    rs->c.body = zf_buf_str(&rs->body);
    rs->c.body_len = rs->body.len;
    if (rs->too_big) {
        rs->route_key = "too_big";
        zf_err_set(&rs->c.err, ZF_ETOOBIG, "payload_too_large", NULL, "请求内容过大（上限 %zu 字节）",
                   s->cfg->body_limit);
        zf_ctx_error(&rs->c, &rs->c.err);
    } else {
        rs->c.db = zf_db_pool_acquire(s->pool);
        if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
            zf_db_read_begin(rs->c.db);
        dispatch(rs, conn, s);
        zf_db_read_end(rs->c.db);
        zf_db_pool_release(s->pool, rs->c.db);
        rs->c.db = NULL;
    }
    return finish(conn, rs);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    request_state *rs = *con_cls;

    (void)cls;
    (void)conn;
    (void)toe;
    if (!rs)
        return;
    if (rs->upload_begun)
        rs->route->upload->abort(rs->upload_state); /* the client went away mid-upload */
    zf_ctx_release(&rs->c);
    zf_buf_free(&rs->body);
    free(rs->work);
    free(rs);
    *con_cls = NULL;
}

static int load_settings(zf_server_state *s, zf_err *err)
{
    zf_db *db = zf_db_pool_acquire(s->pool);
    int rc = zf_settings_load(&s->settings, db, err);

    zf_db_pool_release(s->pool, db);
    return rc;
}

static void default_console_dir(char *out, size_t n)
{
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash;

    if (len <= 0) {
        snprintf(out, n, "console/dist");
        return;
    }
    exe[len] = '\0';
    if ((slash = strrchr(exe, '/')))
        *slash = '\0';
    if ((size_t)snprintf(out, n, "%s/../console/dist", exe) >= n)
        snprintf(out, n, "console/dist");
}

int zf_server_run(const zf_server_config *cfg, zf_err *err)
{
    zf_server_state s;
    struct MHD_Daemon *d = NULL;
    struct sockaddr_in addr;
    char dbpath[PATH_MAX];
    sigset_t stop_signals;
    int sig = 0;
    int threads = cfg->threads > 0 ? cfg->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    int rc;

    memset(&s, 0, sizeof s);
    s.cfg = cfg;
    if (threads < 1)
        threads = 1;
    if (cfg->console_dir)
        snprintf(s.console_dir, sizeof s.console_dir, "%s", cfg->console_dir);
    else
        default_console_dir(s.console_dir, sizeof s.console_dir);
    if (cfg->database)
        snprintf(dbpath, sizeof dbpath, "%s", cfg->database);
    else
        snprintf(dbpath, sizeof dbpath, "%s/zhifa.db", cfg->data_dir);
    /* a connection per worker, one for the background thread, one spare */
    if ((rc = zf_db_pool_open(&s.pool, dbpath, threads + 2, err)) < 0)
        return rc;
    if ((rc = load_settings(&s, err)) < 0 || (rc = zf_portal_init(err)) < 0)
        goto done;

    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)cfg->port);
    if (inet_pton(AF_INET, cfg->host, &addr.sin_addr) != 1) {
        rc = zf_err_set(err, ZF_EINVAL, "bad_listen", NULL, "监听地址无效：%s", cfg->host);
        goto done;
    }

    /* SIGTERM and SIGINT are blocked in every thread (the workers inherit
     * the mask) and taken synchronously by this one with sigwait, so the
     * shutdown below always runs here, whichever thread the kernel picks */
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG, (uint16_t)cfg->port,
                         NULL, NULL, on_request, &s,
                         MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                         MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->timeout_seconds,
                         MHD_OPTION_CONNECTION_LIMIT, 4096u,
                         MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
                         /* uploads: the body reaches the handler in pieces
                          * as large as the read buffer (about half the
                          * pool); 32 KiB by default made a 1 GiB upload 32k
                          * callbacks. Not larger than 64 KiB: libmicrohttpd
                          * clears a connection's pool between requests, and
                          * at 512 KiB that halved the rate of every small
                          * request (docs/benchmarks.md, "HTTP server") */
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
                         MHD_OPTION_CONNECTION_MEMORY_INCREMENT, (size_t)(4 * 1024),
                         MHD_OPTION_NOTIFY_COMPLETED, on_completed, &s,
                         MHD_OPTION_END);
    if (!d) {
        rc = zf_err_set(err, ZF_EIO, "listen_failed", NULL, "无法在 %s:%d 上监听（端口被占用或无权限）",
                        cfg->host, cfg->port);
        goto done;
    }
    pthread_mutex_init(&s.tick_mu, NULL);
    pthread_cond_init(&s.tick_cv, NULL);
    if (pthread_create(&s.ticker, NULL, ticker_main, &s) != 0) {
        rc = zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "无法启动后台任务线程");
        goto done;
    }
    zf_log_event("info", "serving", "listen", cfg->host, "port", cfg->port, "threads", threads);
    sigwait(&stop_signals, &sig);
    pthread_mutex_lock(&s.tick_mu);
    s.stopping = 1;
    pthread_cond_signal(&s.tick_cv);
    pthread_mutex_unlock(&s.tick_mu);
    pthread_join(s.ticker, NULL);
    zf_log_event("info", "shutting down", "signal", sig == SIGTERM ? "SIGTERM" : "SIGINT", NULL, 0, NULL, 0);
    /* stop accepting, let in-flight requests finish, then close */
    MHD_quiesce_daemon(d);
    MHD_stop_daemon(d);
    d = NULL;
    rc = 0;
done:
    if (d)
        MHD_stop_daemon(d);
    zf_db_pool_close(s.pool);
    zf_portal_shutdown();
    zf_settings_free(s.settings);
    return rc;
}
