/* fuzz_router.c — path routing over the real route tables. Input: a method
 * line then the path ("GET\n/api/v1/officers/12"). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s, *nl, *work;
    const zf_route *r;
    const char *params[ZF_MAX_PATH_PARAMS];
    int np, i;

    if (size > ZF_ROUTER_MAX_PATH + 16)
        return 0;
    s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    nl = strchr(s, '\n');
    if (nl) {
        *nl = '\0';
        work = malloc(strlen(nl + 1) + 1);
        if (zf_router_match(&r, params, &np, work, zf_route_tables, s, nl + 1) == ZF_ROUTE_FOUND) {
            for (i = 0; i < np; i++)
                if (strlen(params[i]) == 0)
                    abort(); /* a parameter is never empty */
        }
        free(work);
    }
    free(s);
    return 0;
}
