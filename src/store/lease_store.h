/* lease_store.h — a lease row in the database (table leader_lease,
 * migration 0024): at most one holder per name at a time, across every
 * process that shares the database (issue 9: several servers on one
 * PostgreSQL; on SQLite the one server simply always holds it).
 *
 * A holder takes or renews the lease until now + ttl; nobody else can take
 * it until that moment has passed. Times are the callers' unix seconds, so
 * the servers' clocks must agree to well within ttl (NTP). Work guarded by
 * the lease must still be safe if it ever runs twice by mistake (a paused
 * leader): the lease keeps duplicate work out, it is not the only guard
 * (the ledger's checkpoints are also checked for consistency under the
 * write lock). */
#ifndef ZF_STORE_LEASE_STORE_H
#define ZF_STORE_LEASE_STORE_H

#include <stdint.h>

#include "store/db.h"
#include "util/err.h"

/* Takes the lease `name` for holder until now + ttl when it is free, has
 * expired (expires_at < now) or is already holder's. *out_held is 1 when
 * holder has it afterwards, else 0 (another holder's lease is running);
 * *out_expires is then the lease's end, whoever holds it. Runs its own
 * write transaction (must not be inside one). */
int zf_lease_take(int *out_held, int64_t *out_expires, zf_db *db, const char *name, const char *holder,
                  int64_t now, int64_t ttl, zf_err *err);

/* Gives the lease up at once (a clean shutdown), if holder has it. */
int zf_lease_release(zf_db *db, const char *name, const char *holder, zf_err *err);

/* The current holder of `name` into out (size outlen, "" when nobody) and
 * its end into *out_expires (0 when nobody). Returns 1 if a row exists. */
int zf_lease_get(char *out, size_t outlen, int64_t *out_expires, zf_db *db, const char *name, zf_err *err);

#endif
