/* audit.h — the audit trail: logins, failures, lockouts, logouts, refused
 * permissions, administrative changes, and every change or view of a record.
 *
 * Each audit row is one event of the ledger (store/ledger_store.h): one row
 * of ledger_events holding the event's fields and the audit columns beside
 * them (audit_log is a view over those rows, migration 0025), written in the
 * caller's transaction when there is one, else in a transaction of its own.
 * If the event cannot be written the audit write fails, and so must the
 * change it records (fail closed). This is the only writer of audit rows. */
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
    /* SHA-256 (64 lowercase hex) of the object's content after the change,
     * e.g. an evidence file's hash; may be NULL. When NULL the ledger event
     * carries the hash of the record row (for the record tables of
     * ledger_store.h) or else of the detail. */
    const char *content_sha256;
} zf_audit_event;

/* Writes the audit row, which is its ledger event. Returns 0 or a negative
 * code with err set; on failure nothing is left (the caller's
 * transaction must then be rolled back, which the callers do). */
int zf_audit_write(zf_db *db, const zf_audit_event *ev, zf_err *err);

#endif
