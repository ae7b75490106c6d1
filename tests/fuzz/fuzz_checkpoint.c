/* fuzz_checkpoint.c — the signed-note checkpoint parser (ledger/checkpoint.c),
 * which reads notes from witnesses and clients. Beyond not crashing, a note
 * that parses must serialize back to exactly the same bytes (the parser
 * accepts only the canonical form), and a checkpoint is consistent with
 * itself. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/checkpoint.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zf_checkpoint *c = NULL;
    zf_buf out = ZF_BUF_INIT;
    zf_err err = ZF_ERR_INIT;

    if (zf_checkpoint_parse(&c, (const char *)data, size, &err) != 0)
        return 0;
    if (zf_checkpoint_serialize(&out, c, &err) != 0 || out.len != size ||
        memcmp(out.ptr, data, size) != 0)
        abort();
    if (zf_checkpoint_check_consistent(c, c, NULL, 0, &err) != 0 && c->size != 0)
        abort();
    zf_buf_free(&out);
    zf_checkpoint_free(c);
    return 0;
}
