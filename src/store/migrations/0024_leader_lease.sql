-- 0024_leader_lease: who may run the singleton background work (issue 9).
--
-- Several zhifa servers may share one PostgreSQL database. Signing ledger
-- checkpoints, the publication clocks, the cockpit computation and the
-- evidence retention purge must run in one of them at a time, so one row per
-- lease names its holder (a random id per process) and when the lease ends
-- (unix seconds). The holder renews it every few seconds; any server takes
-- it over once expires_at has passed, which is what happens when the leader
-- dies. Written only by store/lease_store.c. Portable SQL.
CREATE TABLE leader_lease (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    acquired_at BIGINT NOT NULL
);
