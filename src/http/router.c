/* router.c — see router.h.
 *
 * The path is split once into segments; each pattern is then compared
 * segment by segment. Route tables are small (a few hundred entries), so a
 * linear scan keeps matching obvious and is fast enough. */
#include "http/router.h"

#include <string.h>

#define MAX_SEGMENTS 32

/* Compares the pattern to the path segments; fills params on success. */
static int match_pattern(const char *pattern, char *const *seg, int nseg,
                         const char *params[], int *np)
{
    const char *p = pattern;
    int i = 0;

    *np = 0;
    if (*p != '/')
        return 0;
    for (;;) {
        const char *end;
        size_t len;

        p++; /* skip '/' */
        end = strchr(p, '/');
        len = end ? (size_t)(end - p) : strlen(p);
        if (len == 1 && p[0] == '*' && !end)
            return 1; /* matches any remainder */
        if (i >= nseg)
            return 0;
        if (len >= 2 && p[0] == '{' && p[len - 1] == '}') {
            if (seg[i][0] == '\0' || *np >= ZF_MAX_PATH_PARAMS)
                return 0;
            params[(*np)++] = seg[i];
        } else if (strlen(seg[i]) != len || memcmp(seg[i], p, len) != 0) {
            return 0;
        }
        i++;
        if (!end)
            return i == nseg;
        p = end;
    }
}

int zf_router_match(const zf_route **out, const char *params[ZF_MAX_PATH_PARAMS],
                    int *out_nparams, char *work, const zf_route *const *tables,
                    const char *method, const char *path)
{
    char *seg[MAX_SEGMENTS];
    int nseg = 0, np, path_matched = 0;
    size_t len = strlen(path);
    const zf_route *const *t;
    const zf_route *r;
    char *s;

    *out = NULL;
    *out_nparams = 0;
    if (path[0] != '/' || len > ZF_ROUTER_MAX_PATH)
        return ZF_ROUTE_NONE;
    memcpy(work, path, len + 1);
    for (s = work; s; ) {
        char *next;
        if (nseg >= MAX_SEGMENTS)
            return ZF_ROUTE_NONE;
        *s++ = '\0';
        next = strchr(s, '/');
        seg[nseg++] = s;
        s = next;
    }
    for (t = tables; *t; t++) {
        for (r = *t; r->method; r++) {
            const char *tmp[ZF_MAX_PATH_PARAMS];
            if (!match_pattern(r->pattern, seg, nseg, tmp, &np))
                continue;
            if (strcmp(r->method, method) != 0 &&
                !(strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0)) {
                path_matched = 1;
                continue;
            }
            memcpy(params, tmp, (size_t)np * sizeof tmp[0]);
            *out_nparams = np;
            *out = r;
            return ZF_ROUTE_FOUND;
        }
    }
    return path_matched ? ZF_ROUTE_BAD_METHOD : ZF_ROUTE_NONE;
}
