/* portal.h — the public portal at "/": server-rendered Chinese pages that
 * work without JavaScript and on a phone. Templates are compiled once at
 * start (zf_portal_init) and never parsed per request. */
#ifndef ZF_PORTAL_H
#define ZF_PORTAL_H

#include "api/api.h"

/* Compiles the embedded templates. Call once before serving; returns 0 or a
 * negative code with err set (a broken template is a build defect). */
int zf_portal_init(zf_err *err);
void zf_portal_shutdown(void);

/* Renders a Chinese HTML error page for err into c (status from err). Used
 * by the http module for failed HTML routes and for unknown non-API paths. */
void zf_portal_error_page(zf_ctx *c, const zf_err *err);

#endif
