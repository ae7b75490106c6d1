/* router.h — matches a method and path against the route tables.
 * Pure computation, no I/O; fuzzed by tests/fuzz/fuzz_router.c. */
#ifndef ZF_ROUTER_H
#define ZF_ROUTER_H

#include <stddef.h>

#include "api/api.h"

enum {
    ZF_ROUTE_FOUND = 0,
    ZF_ROUTE_NONE = 1,        /* no pattern matches the path: 404 */
    ZF_ROUTE_BAD_METHOD = 2,  /* the path matches, the method does not: 405 */
};

/* Longest path accepted, in bytes. */
#define ZF_ROUTER_MAX_PATH 2048

/* Finds the route for method and path among tables (NULL-terminated).
 * Pattern segments "{name}" match one non-empty segment and are returned in
 * params, pointing into work, which must hold strlen(path) + 1 bytes and
 * outlive the params. A final "*" segment matches any remainder (including
 * nothing). Returns one of ZF_ROUTE_*. */
int zf_router_match(const zf_route **out, const char *params[ZF_MAX_PATH_PARAMS],
                    int *out_nparams, char *work, const zf_route *const *tables,
                    const char *method, const char *path);

#endif
