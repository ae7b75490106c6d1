/* config.h — the data directory's config file (DIR/zhifa.conf): lines of
 * `key = value`, '#' comments. Settings come from flags, then the
 * environment, then this file, then built-in defaults. */
#ifndef ZF_CONFIG_H
#define ZF_CONFIG_H

#include "util/err.h"

typedef struct zf_config zf_config;

/* Reads DIR/zhifa.conf; a missing file gives an empty config. Unknown keys
 * and malformed lines are errors naming the line. Caller frees. */
int zf_config_load(zf_config **out, const char *data_dir, zf_err *err);
/* Returns the value or def. Borrowed from cfg. */
const char *zf_config_get(const zf_config *cfg, const char *key, const char *def);
void zf_config_free(zf_config *cfg);

/* Writes the default config file for a new data directory. */
int zf_config_write_default(const char *data_dir, zf_err *err);

#endif
