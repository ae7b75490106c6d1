/* settings.h — the locality's settings (the settings table) as an immutable
 * snapshot: demo mode, the password policy, the portal's title. The server
 * loads one at start and hands it to every request; commands load their own. */
#ifndef ZF_SETTINGS_H
#define ZF_SETTINGS_H

#include "auth/password.h"
#include "store/db.h"

typedef struct zf_settings zf_settings;

/* Reads every row of the settings table. Caller frees. */
int zf_settings_load(zf_settings **out, zf_db *db, zf_err *err);
void zf_settings_free(zf_settings *s);

/* The value for key, or def when absent (or s is NULL). Borrowed from s. */
const char *zf_settings_get(const zf_settings *s, const char *key, const char *def);

/* True when the data directory was made with `zhifa init --demo`. */
int zf_settings_demo_mode(const zf_settings *s);

/* The password policy: password_min_length (default 12),
 * password_require_classes (0), password_max_age_days (0 = no expiry). */
void zf_settings_password_policy(const zf_settings *s, zf_password_policy *out);

#endif
