/* err.c — see err.h. */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *zf_err_default_code(int rc)
{
    switch (rc) {
    case ZF_OK: return "ok";
    case ZF_EINVAL: return "invalid_request";
    case ZF_ENOTFOUND: return "not_found";
    case ZF_ECONFLICT: return "conflict";
    case ZF_EAUTH: return "unauthenticated";
    case ZF_EPERM: return "forbidden";
    case ZF_EDB: return "database_error";
    case ZF_EIO: return "io_error";
    case ZF_ENOMEM: return "out_of_memory";
    case ZF_ETOOBIG: return "payload_too_large";
    case ZF_ELOCKED: return "locked";
    default: return "internal_error";
    }
}

int zf_err_http_status(int rc)
{
    switch (rc) {
    case ZF_OK: return 200;
    case ZF_EINVAL: return 400;
    case ZF_ENOTFOUND: return 404;
    case ZF_ECONFLICT: return 409;
    case ZF_EAUTH: return 401;
    case ZF_EPERM: return 403;
    case ZF_ETOOBIG: return 413;
    case ZF_ELOCKED: return 429;
    default: return 500;
    }
}

int zf_err_set(zf_err *err, int rc, const char *code, const char *field,
               const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return rc;
    err->rc = rc;
    snprintf(err->code, sizeof err->code, "%s", code ? code : zf_err_default_code(rc));
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return rc;
}

void zf_err_clear(zf_err *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}
