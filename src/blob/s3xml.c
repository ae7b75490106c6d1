/* s3xml.c — see s3xml.h. */
#include "blob/s3xml.h"

#include <string.h>

int zf_s3_xml_find(const char **inner, size_t *inner_len, const char *xml, size_t len, size_t *pos,
                   const char *tag)
{
    size_t tl = strlen(tag), i = pos ? *pos : 0, j;

    if (tl == 0 || tl > 64)
        return ZF_ENOTFOUND;
    for (; i + tl + 2 <= len; i++) {
        if (xml[i] != '<' || memcmp(xml + i + 1, tag, tl) != 0)
            continue;
        if (xml[i + 1 + tl] == '/' && i + tl + 3 <= len && xml[i + 2 + tl] == '>') {
            /* <tag/>: empty */
            *inner = xml + i + tl + 3;
            *inner_len = 0;
            if (pos)
                *pos = i + tl + 3;
            return 0;
        }
        if (xml[i + 1 + tl] != '>' && xml[i + 1 + tl] != ' ')
            continue;
        /* skip attributes */
        for (j = i + 1 + tl; j < len && xml[j] != '>'; j++)
            ;
        if (j >= len)
            return ZF_ENOTFOUND;
        j++;
        {
            size_t k;
            for (k = j; k + tl + 3 <= len; k++) {
                if (xml[k] == '<' && xml[k + 1] == '/' && memcmp(xml + k + 2, tag, tl) == 0 &&
                    xml[k + 2 + tl] == '>') {
                    *inner = xml + j;
                    *inner_len = k - j;
                    if (pos)
                        *pos = k + tl + 3;
                    return 0;
                }
            }
        }
        return ZF_ENOTFOUND;
    }
    return ZF_ENOTFOUND;
}

int zf_s3_xml_text(char *out, size_t cap, const char *xml, size_t len, const char *tag)
{
    static const struct {
        const char *ent;
        char c;
    } ENTS[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    const char *p;
    size_t n, i, o = 0, k;
    int rc;

    if (cap == 0)
        return ZF_ETOOBIG;
    if ((rc = zf_s3_xml_find(&p, &n, xml, len, NULL, tag)) < 0)
        return rc;
    for (i = 0; i < n;) {
        char c = p[i];
        if (c == '&') {
            for (k = 0; k < sizeof ENTS / sizeof ENTS[0]; k++) {
                size_t el = strlen(ENTS[k].ent);
                if (n - i >= el && memcmp(p + i, ENTS[k].ent, el) == 0) {
                    c = ENTS[k].c;
                    i += el;
                    break;
                }
            }
            if (k == sizeof ENTS / sizeof ENTS[0])
                return ZF_EINVAL;
        } else {
            i++;
        }
        if (o + 1 >= cap)
            return ZF_ETOOBIG;
        out[o++] = c;
    }
    out[o] = '\0';
    return 0;
}

