/* fuzz_template.c — libFuzzer target for the template engine.
 *
 * The input is split at the first NUL byte: the part before is a template,
 * the part after (if any) a JSON context. The template is compiled into a set
 * that also holds a fixed partial and itself under the name "self" (so
 * self-inclusion exercises the depth limit), then rendered into a bounded
 * buffer. Compile errors are fine; crashes, leaks, hangs and an output beyond
 * the bound are not. Build: clang -fsanitize=fuzzer,address ... (see run.sh
 * of this folder once it exists). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "util/buf.h"
#include "util/err.h"
#include "web/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char partial[] = "<p>{{title}}{{#items}}[{{name}}]{{/items}}</p>";
    static const char fallback_ctx[] =
        "{\"title\":\"<t>\",\"items\":[{\"name\":\"a&b\"},{\"name\":1}],\"a\":{\"b\":true},"
        "\"self\":[1,2]}";
    const char *src = (const char *)data;
    const char *nul = memchr(data, '\0', size);
    size_t src_len = nul ? (size_t)(nul - src) : size;
    zf_tpl_set *set = zf_tpl_set_new();
    zf_err err = ZF_ERR_INIT;
    zf_buf out;
    json_t *ctx = NULL;

    zf_buf_init(&out, 1 << 20);
    if (nul)
        ctx = json_loadb(nul + 1, size - src_len - 1, JSON_DECODE_ANY, NULL);
    if (!ctx)
        ctx = json_loads(fallback_ctx, 0, NULL);
    zf_tpl_set_add(set, "part", partial, sizeof partial - 1, &err);
    if (zf_tpl_set_add(set, "self", src, src_len, &err) == 0) {
        zf_tpl_set_check(set, &err);
        if (zf_tpl_set_render(&out, set, "self", ctx, &err) == 0 && out.len > (1 << 20))
            __builtin_trap();
    }
    json_decref(ctx);
    zf_buf_free(&out);
    zf_tpl_set_free(set);
    return 0;
}
