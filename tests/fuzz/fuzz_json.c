/* fuzz_json.c — request JSON decoding against a field spec (api/common.c). */
#include <stddef.h>
#include <stdint.h>

#include "api/api.h"

static const zf_json_field SPEC[] = {
    {"name", ZF_JT_STRING, 1, 16, "名称"},
    {"count", ZF_JT_INT, 0, 0, "数量"},
    {"ok", ZF_JT_BOOL, 0, 0, "是否"},
    {"ratio", ZF_JT_NUMBER, 0, 0, "比例"},
    {"day", ZF_JT_DATE, 0, 0, "日期"},
    {"tags", ZF_JT_ARRAY, 0, 4, "标签"},
    {NULL},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *v = NULL;
    zf_err err = ZF_ERR_INIT;

    if (zf_json_decode(&v, (const char *)data, size, SPEC, &err) == 0)
        json_decref(v);
    return 0;
}
