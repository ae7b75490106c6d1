/* portal_set.h — a portal module's own template set, compiled once on first
 * use: the shared layout_head and layout_foot plus the module's pages, and
 * the stylesheet link with its cache-busting fingerprint.
 *
 * portal_ledger.c, portal_verify.c and others each carry a copy of this
 * logic; new modules use this instead (issue 8: portal_complaints.c).
 * Thread-safe: the first caller compiles under a mutex, later callers read. */
#ifndef ZF_WEB_PORTAL_SET_H
#define ZF_WEB_PORTAL_SET_H

#include <pthread.h>

#include "util/err.h"
#include "web/template.h"

typedef struct zf_portal_set {
    const char *const *names;  /* NULL-terminated; web/templates/NAME.html */
    pthread_mutex_t lock;
    int done;                  /* compiled, or failed with err */
    zf_tpl_set *set;
    char css_href[64];
    zf_err err;
} zf_portal_set;

#define ZF_PORTAL_SET_INIT(names) {(names), PTHREAD_MUTEX_INITIALIZER, 0, NULL, "", ZF_ERR_INIT}

/* The compiled set (borrowed, lives until exit) and the stylesheet href, or
 * a negative code with err set when a template is missing or broken (a
 * build defect, reported on every call). */
int zf_portal_set_get(const zf_tpl_set **out, const char **out_css, zf_portal_set *ps, zf_err *err);

#endif
