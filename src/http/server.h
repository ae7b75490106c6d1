/* server.h — the HTTP server: libmicrohttpd with a thread pool over epoll,
 * routing to the route tables of api.h, sessions and CSRF, body limits and
 * timeouts, JSON access log, /healthz, /metrics, static files, and graceful
 * shutdown. Nothing outside src/http includes microhttpd.h. */
#ifndef ZF_SERVER_H
#define ZF_SERVER_H

#include <stddef.h>

#include "util/err.h"

typedef struct zf_server_config {
    const char *data_dir;     /* holds zhifa.db */
    const char *host;         /* e.g. "127.0.0.1" */
    int port;
    int threads;              /* 0 = one per core */
    size_t body_limit;        /* bytes; larger requests get 413 */
    int timeout_seconds;      /* idle connection timeout */
    const char *console_dir;  /* built console (index.html), NULL = beside the binary */
    int trust_proxy;          /* honour X-Forwarded-For / X-Forwarded-Proto from nginx */
    int quiet;                /* no access log */
    const char *database;     /* postgres:// URL, or NULL for data_dir/zhifa.db */
} zf_server_config;

#define ZF_SERVER_CONFIG_INIT {NULL, "127.0.0.1", 8080, 0, 1024 * 1024, 30, NULL, 0, 0, NULL}

/* Serves until SIGTERM or SIGINT, then lets in-flight requests finish and
 * closes the database. Returns 0 after a clean shutdown. */
int zf_server_run(const zf_server_config *cfg, zf_err *err);

#endif
