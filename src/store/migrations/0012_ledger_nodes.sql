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
-- key) and holds raw 32-byte hashes instead of 64-character hex: half the
-- rows per page fewer, one b-tree instead of two. The old rows are dropped
-- rather than converted (SQLite 3.40 has no unhex()); they are derived data
-- and the first sync rebuilds them from ledger_events.
DROP TABLE ledger_nodes;
CREATE TABLE ledger_nodes (
    level INTEGER NOT NULL,
    idx BIGINT NOT NULL,
    hash BLOB NOT NULL,                 -- 32 bytes
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;
