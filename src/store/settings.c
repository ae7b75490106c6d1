/* settings.c — see settings.h. */
#include "store/settings.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

struct zf_settings {
    char **keys;
    char **values;
    size_t n;
};

int zf_settings_load(zf_settings **out, zf_db *db, zf_err *err)
{
    zf_settings *s = zf_calloc(1, sizeof *s);
    zf_stmt *st = NULL;
    size_t cap = 0;
    int rc;

    *out = NULL;
    if ((rc = zf_db_prepare(&st, db, "SELECT key, value FROM settings ORDER BY key", err)) < 0)
        goto fail;
    while ((rc = zf_stmt_step(st, err)) == 1) {
        if (s->n == cap) {
            cap = cap ? cap * 2 : 16;
            s->keys = zf_realloc(s->keys, cap * sizeof *s->keys);
            s->values = zf_realloc(s->values, cap * sizeof *s->values);
        }
        s->keys[s->n] = zf_strdup(zf_stmt_text(st, 0));
        s->values[s->n] = zf_strdup(zf_stmt_text(st, 1));
        s->n++;
    }
    zf_stmt_free(st);
    if (rc < 0)
        goto fail;
    *out = s;
    return 0;
fail:
    zf_settings_free(s);
    return rc;
}

void zf_settings_free(zf_settings *s)
{
    size_t i;

    if (!s)
        return;
    for (i = 0; i < s->n; i++) {
        free(s->keys[i]);
        free(s->values[i]);
    }
    free(s->keys);
    free(s->values);
    free(s);
}

const char *zf_settings_get(const zf_settings *s, const char *key, const char *def)
{
    size_t i;

    for (i = 0; s && i < s->n; i++)
        if (strcmp(s->keys[i], key) == 0)
            return s->values[i];
    return def;
}

int zf_settings_demo_mode(const zf_settings *s)
{
    return strcmp(zf_settings_get(s, "demo_mode", "0"), "1") == 0;
}

static int int_setting(const zf_settings *s, const char *key, int def, int min, int max)
{
    const char *v = zf_settings_get(s, key, NULL);
    char *end;
    long n;

    if (!v)
        return def;
    n = strtol(v, &end, 10);
    if (!*v || *end || n < min || n > max)
        return def; /* a malformed setting never weakens the default */
    return (int)n;
}

void zf_settings_password_policy(const zf_settings *s, zf_password_policy *out)
{
    zf_password_policy def = ZF_PASSWORD_POLICY_INIT;

    *out = def;
    out->min_length = int_setting(s, "password_min_length", def.min_length, def.min_length, 128);
    out->require_classes = int_setting(s, "password_require_classes", 0, 0, 4);
    out->max_age_days = int_setting(s, "password_max_age_days", 0, 0, 3650);
}
