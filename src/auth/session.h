/* session.h — logins, sessions and API tokens, kept in the database.
 *
 * Login checks the password (Argon2id), the lockout of (username, address)
 * after 5 failures for 15 minutes, and the TOTP second factor (required for
 * admin, supervisor and auditor unless the data directory is in demo mode;
 * optional for others once enabled). Sessions are random tokens stored only
 * as SHA-256, with a 30-minute idle timeout and a 12-hour absolute lifetime.
 * Every login, failure, lockout and logout is written to the audit table. */
#ifndef ZF_SESSION_H
#define ZF_SESSION_H

#include <stdint.h>

#include "api/api.h"
#include "auth/token.h"
#include "store/db.h"

#define ZF_SESSION_IDLE_SECONDS (30 * 60)
#define ZF_SESSION_MAX_SECONDS (12 * 60 * 60)
#define ZF_LOCKOUT_FAILURES 5
#define ZF_LOCKOUT_SECONDS (15 * 60)

typedef struct zf_login_request {
    const char *username;
    const char *password;
    const char *totp;        /* NULL or "" when not given */
    const char *ip;
    const char *request_id;
    int64_t now;
    int demo_mode;           /* no second factor required */
} zf_login_request;

/* Authenticates and opens a session. On success fills who (with its CSRF
 * token) and the session token for the cookie. Errors: invalid_credentials,
 * account_disabled (ZF_EAUTH), totp_required / totp_invalid (ZF_EAUTH),
 * account_locked (ZF_ELOCKED). */
int zf_login(zf_principal *who, char out_token[ZF_TOKEN_SIZE], zf_db *db,
             const zf_login_request *req, zf_err *err);

/* Looks up a cookie session; refreshes its idle timer. ZF_EAUTH when unknown,
 * expired or the user is disabled. */
int zf_session_lookup(zf_principal *who, zf_db *db, const char *token, const char *ip,
                      int64_t now, zf_err *err);

/* Ends the session on the server. */
int zf_session_logout(zf_db *db, const char *token, const zf_principal *who, const char *ip,
                      int64_t now, zf_err *err);

/* Ends every session of a user (password change, disable, role change). */
int zf_session_revoke_user(zf_db *db, int64_t user_id, zf_err *err);

/* Looks up a bearer API token ("zf_..."). */
int zf_api_token_lookup(zf_principal *who, zf_db *db, const char *token, int64_t now,
                        zf_err *err);

/* Fills who from the users row (without session fields). ZF_ENOTFOUND. */
int zf_principal_load(zf_principal *who, zf_db *db, int64_t user_id, zf_err *err);

/* Roles for which a second factor is mandatory. */
#define ZF_ROLES_TOTP_REQUIRED (ZF_ROLE_ADMIN | ZF_ROLE_SUPERVISOR | ZF_ROLE_AUDITOR)

#endif
