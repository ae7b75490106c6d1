/* audit.h — the audit trail: logins, failures, lockouts, logouts, refused
 * permissions and administrative changes. One row per event, written in the
 * caller's transaction when there is one. */
#ifndef ZF_AUDIT_H
#define ZF_AUDIT_H

#include <stdint.h>

#include "store/db.h"

typedef struct zf_audit_event {
    int64_t at;              /* Unix seconds */
    int64_t actor_id;        /* 0 when unknown */
    const char *actor_name;  /* username, or what was typed at login */
    const char *action;      /* e.g. "login", "login_failed", "lockout", "logout", "forbidden", "user_create" */
    const char *object_type; /* may be NULL */
    const char *object_id;   /* may be NULL */
    const char *ip;          /* may be NULL */
    const char *request_id;  /* may be NULL */
    const char *detail;      /* short English or Chinese note, no secrets; may be NULL */
} zf_audit_event;

int zf_audit_write(zf_db *db, const zf_audit_event *ev, zf_err *err);

#endif
