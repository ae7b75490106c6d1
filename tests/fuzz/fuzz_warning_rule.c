/* fuzz_warning_rule.c — libFuzzer target for the early-warning rules' outside
 * input (issue 8): a rule's kind and its params object, as POST/PUT
 * /api/v1/warning-rules hand them to zf_cockpit_rule_params_check.
 *
 * Input: KIND '\0' PARAMS (PARAMS parsed as JSON; missing: "{}").
 *
 * Besides "no crash, no leak", it checks the promises: a refusal says why in
 * valid UTF-8 and names the field; an accepted params object names only
 * parameters the kind declares (zf_cockpit_rule_kinds), each an integer in
 * 0..100000; an unknown kind is always refused. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/lawdoc.h"
#include "store/cockpit_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const json_t *declared(const json_t *kinds, const char *kind)
{
    size_t i;

    for (i = 0; i < json_array_size(kinds); i++) {
        const json_t *k = json_array_get(kinds, i);

        if (strcmp(json_string_value(json_object_get(k, "kind")), kind) == 0)
            return json_object_get(k, "params");
    }
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *nul = memchr(data, 0, size);
    char *kind;
    size_t klen = nul ? (size_t)(nul - p) : size;
    json_t *params, *kinds = zf_cockpit_rule_kinds();
    const json_t *decl;
    zf_err err = ZF_ERR_INIT;
    int rc;

    kind = malloc(klen + 1);
    memcpy(kind, p, klen);
    kind[klen] = '\0';
    params = nul ? json_loadb(nul + 1, size - klen - 1, JSON_DECODE_ANY, NULL) : json_object();
    if (!params)
        goto done;
    rc = zf_cockpit_rule_params_check(kind, params, &err);
    decl = declared(kinds, kind);
    if (rc < 0) {
        if (err.message[0] == '\0' || err.field[0] == '\0' ||
            !zf_lawdoc_utf8_valid(err.message, strlen(err.message), NULL))
            abort();
    } else {
        const char *key;
        json_t *v;

        if (!decl || zf_cockpit_rule_kind_known(kind) != 1 || !json_is_object(params))
            abort();
        json_object_foreach(params, key, v) {
            if (!json_object_get(decl, key) || !json_is_integer(v) || json_integer_value(v) < 0 ||
                json_integer_value(v) > 100000)
                abort();
        }
    }
    if (!decl && zf_cockpit_rule_kind_known(kind))
        abort();
done:
    json_decref(params);
    json_decref(kinds);
    free(kind);
    return 0;
}
