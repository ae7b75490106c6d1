/* embed.c — see embed.h. */
#include "util/embed.h"

#include <string.h>

const zf_embedded_file *zf_embed_find(const char *name)
{
    const zf_embedded_file *f;

    for (f = zf_embedded_files; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}
