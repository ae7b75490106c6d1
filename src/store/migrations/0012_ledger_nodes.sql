-- 0012_ledger_nodes: the Merkle nodes leave the writers' transactions.
--
-- Before, every append wrote the tree nodes it completed in the writer's
-- transaction. Now a writer stores only its event (leaf); the nodes are
-- derived data that zf_ledger_nodes_sync persists in batches (by the
-- checkpoint tick, at most a second later, and before every checkpoint).
-- The stored nodes always cover a prefix of the tree: every perfect subtree
-- of level >= 1 that ends within [0, P), P = 2 * (highest level-1 index + 1).
-- A node not (yet) stored is computed from its children when a proof needs
-- it, so proofs never depend on the sync.
--
-- The table is now keyed by (level, idx) only (no rowid b-tree beside the
-- key) and holds raw 32-byte hashes instead of 64-character hex: about
-- twice the rows per page, one b-tree instead of two. The old rows are dropped
-- rather than converted (SQLite 3.40 has no unhex()); they are derived data
-- and the first sync rebuilds them from ledger_events.
DROP TABLE ledger_nodes;
CREATE TABLE ledger_nodes (
    level INTEGER NOT NULL,
    idx BIGINT NOT NULL,
    hash BLOB NOT NULL,                 -- 32 bytes
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;

-- Fewer b-trees per event. With many connections every write transaction
-- starts from a cold page cache (another connection wrote since), so each
-- b-tree an event touches costs its path re-read and one more page written
-- to the WAL. Two secondary indexes go:
--   audit_log_at: the audit list filters by time but orders by id; it now
--     scans newest first (an auditor's query, not a hot path);
--   the UNIQUE index on ledger_events.audit_id: only zhifa verify joins on
--     it (SQLite builds an automatic index for that one query, and verify
--     reports two events naming one audit row). SQLite cannot drop a
--     column constraint, so the table is rebuilt with the same rows.
-- ledger_events_object stays: documents, case bundles and verify look
-- events up by object.
DROP INDEX audit_log_at;
CREATE TABLE ledger_events_0012 (
    idx INTEGER PRIMARY KEY,            -- leaf index = the event's seq
    event TEXT NOT NULL,                -- RFC 8785 canonical JSON, the hashed bytes
    leaf_hash TEXT NOT NULL,
    at TEXT NOT NULL,                   -- RFC 3339 UTC, as in the event
    actor_id BIGINT NOT NULL,           -- 0 when unknown or the system
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    request_id TEXT NOT NULL,
    audit_id BIGINT                     -- the audit_log row this event records (not hashed)
);
INSERT INTO ledger_events_0012 (idx, event, leaf_hash, at, actor_id, action, object_type, object_id,
                                content_sha256, request_id, audit_id)
    SELECT idx, event, leaf_hash, at, actor_id, action, object_type, object_id, content_sha256,
           request_id, audit_id FROM ledger_events;
DROP TABLE ledger_events;
ALTER TABLE ledger_events_0012 RENAME TO ledger_events;
CREATE INDEX ledger_events_object ON ledger_events(object_type, object_id, idx);
