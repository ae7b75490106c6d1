/* leader.c — the leader lease of this server process (issue 9): several
 * zhifa servers may share one PostgreSQL database, and some background work
 * must run in one of them at a time (signing checkpoints, publication
 * clocks, the cockpit computation, the evidence retention purge). The
 * first tick of zf_ticks takes or renews the lease "ticks" (store/
 * lease_store.h); the singleton ticks ask zf_leader_held first.
 *
 * All state lives in the one ticker thread (http/server.c), which calls
 * every tick in order; atomics only because tests and logs may read it. */
#include "api/api.h"

#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "store/lease_store.h"
#include "util/log.h"

#define LEASE_NAME "ticks"

static char holder_id[64];
static _Atomic int64_t held_until; /* 0: not held */
static int64_t known_expiry;       /* the other holder's end, when not ours */
static int64_t last_complaint;

const char *zf_leader_id(void)
{
    if (!holder_id[0]) {
        unsigned char r[6];
        char host[32] = "";
        randombytes_buf(r, sizeof r);
        gethostname(host, sizeof host - 1);
        host[sizeof host - 1] = '\0';
        snprintf(holder_id, sizeof holder_id, "%s:%ld:%02x%02x%02x%02x%02x%02x", host, (long)getpid(), r[0],
                 r[1], r[2], r[3], r[4], r[5]);
    }
    return holder_id;
}

int zf_leader_held(int64_t now)
{
    /* stop one second early: another server may take over at held_until */
    return now < atomic_load(&held_until) - 1;
}

void zf_leader_tick(zf_db *db, int64_t now, const struct zf_settings *settings, const char *data_dir)
{
    zf_err err = ZF_ERR_INIT;
    int64_t until = atomic_load(&held_until), expires = 0;
    int held = 0;

    (void)settings;
    (void)data_dir;
    /* the holder renews when a third of the lease is used; the others try
     * only once the holder's lease has run out, so followers write nothing
     * while a leader lives */
    if (until ? until - now > ZF_LEADER_TTL - ZF_LEADER_RENEW : now <= known_expiry)
        return;
    if (zf_lease_take(&held, &expires, db, LEASE_NAME, zf_leader_id(), now, ZF_LEADER_TTL, &err) < 0) {
        /* cannot renew: stop acting as leader once what we had runs out */
        if (now - last_complaint >= 60) {
            last_complaint = now;
            zf_log_event("error", "leader lease renewal failed", "code", err.code, NULL, 0, NULL, 0);
        }
        if (until && now >= until - 1)
            atomic_store(&held_until, 0);
        return;
    }
    if (held && !until)
        zf_log_event("info", "leader lease taken", "holder", zf_leader_id(), "until", (long long)expires, NULL, 0);
    else if (!held && until)
        zf_log_event("warn", "leader lease lost", "holder", zf_leader_id(), NULL, 0, NULL, 0);
    atomic_store(&held_until, held ? expires : 0);
    known_expiry = held ? 0 : expires;
}

void zf_leader_resign(zf_db *db)
{
    zf_err err = ZF_ERR_INIT;

    if (!atomic_load(&held_until))
        return;
    atomic_store(&held_until, 0);
    /* a failure only means the others wait for the lease to run out */
    if (zf_lease_release(db, LEASE_NAME, zf_leader_id(), &err) < 0)
        zf_log_event("warn", "leader lease release failed", "code", err.code, NULL, 0, NULL, 0);
    else
        zf_log_event("info", "leader lease released", "holder", zf_leader_id(), NULL, 0, NULL, 0);
}
