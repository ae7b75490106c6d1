/* err.h — the one error convention: int status codes plus an error context.
 *
 * Fallible functions return 0 on success or a negative ZF_E* code, and fill a
 * caller-provided zf_err (which may be NULL) with a snake_case code for the
 * API, a message in Chinese for the user, and the offending field if any.
 * Library code never prints errors itself. */
#ifndef ZF_ERR_H
#define ZF_ERR_H

enum {
    ZF_OK = 0,
    ZF_EINVAL = -1,    /* bad input: 400 */
    ZF_ENOTFOUND = -2, /* 404 */
    ZF_ECONFLICT = -3, /* state does not allow it: 409 */
    ZF_EAUTH = -4,     /* not authenticated: 401 */
    ZF_EPERM = -5,     /* authenticated but not allowed: 403 */
    ZF_EDB = -6,       /* database failure: 500 */
    ZF_EIO = -7,       /* file or network failure: 500 */
    ZF_ENOMEM = -8,    /* 500 */
    ZF_ETOOBIG = -9,   /* 413 */
    ZF_ELOCKED = -10,  /* account locked, rate limited: 429 */
    ZF_EINTERNAL = -11 /* a bug: 500 */
};

typedef struct zf_err {
    int rc;             /* the ZF_E* code last set */
    char code[48];      /* snake_case, e.g. "validation_failed" */
    char field[64];     /* offending input field, or "" */
    char message[512];  /* Chinese, shown to users */
} zf_err;

#define ZF_ERR_INIT {0, "", "", ""}

/* Sets err (if not NULL) and returns rc, so callers can write
 * `return zf_err_set(err, ZF_EINVAL, "validation_failed", "name", "名称不能为空");`.
 * code may be NULL: a default for rc is used. field may be NULL. */
int zf_err_set(zf_err *err, int rc, const char *code, const char *field,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Default snake_case code and HTTP status for a ZF_E* code. */
const char *zf_err_default_code(int rc);
int zf_err_http_status(int rc);

void zf_err_clear(zf_err *err);

#endif
