/* tplset.h — a portal module's own template set, compiled on first use and
 * shared by every request after, and the page render every portal module
 * repeats (site name, title, stylesheet, HTML headers).
 *
 * Every portal module but portal.c itself renders through it. Thread-safe. */
#ifndef ZF_WEB_TPLSET_H
#define ZF_WEB_TPLSET_H

#include <pthread.h>

#include <jansson.h>

#include "api/api.h"
#include "web/template.h"

typedef struct zf_tplset_lazy {
    const char *const *names;  /* embedded web/templates/NAME.html, NULL-terminated */
    const char *extra_css;     /* a second stylesheet web/static/NAME, or NULL */
    pthread_mutex_t lock;
    zf_tpl_set *set;           /* NULL until compiled */
    char css_href[64];         /* "/static/portal.css?v=<hash>" */
    char extra_css_href[64];   /* the same for extra_css, "" without one */
    zf_err err;                /* why compiling failed, kept */
} zf_tplset_lazy;

#define ZF_TPLSET_LAZY(names) {(names), NULL, PTHREAD_MUTEX_INITIALIZER, NULL, "", "", ZF_ERR_INIT}
#define ZF_TPLSET_LAZY_CSS(names, extra_css) \
    {(names), (extra_css), PTHREAD_MUTEX_INITIALIZER, NULL, "", "", ZF_ERR_INIT}

/* Compiles l's templates once (later calls return at once). 0, or the
 * compile error (a build defect) copied into c->err. */
int zf_tplset_ready(zf_tplset_lazy *l, zf_ctx *c);

/* Renders template tpl of l into c->out as an HTML page: ctx (stolen)
 * gets site.name (setting portal_title), title, css and, with an extra
 * stylesheet, extra_css. */
int zf_tplset_page(zf_tplset_lazy *l, zf_ctx *c, const char *tpl, const char *title, json_t *ctx);

#endif
