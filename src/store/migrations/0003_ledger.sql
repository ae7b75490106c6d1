-- 0003_ledger: the tamper-evident ledger (issue 4). See docs/ledger-format.md.
--
-- ledger_events holds one row per leaf of the RFC 9162 Merkle tree: the
-- canonical event exactly as hashed (event), its leaf hash, and the event's
-- fields again as columns for querying (zhifa verify checks that both agree).
-- ledger_nodes holds the hash of every perfect subtree of level >= 1 (level 0
-- is ledger_events.leaf_hash), written once when it completes, so that any
-- proof is O(log n) reads. Hashes are lowercase hex.
CREATE TABLE ledger_events (
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
    audit_id BIGINT UNIQUE              -- the audit_log row this event records (not hashed)
);
CREATE INDEX ledger_events_object ON ledger_events(object_type, object_id, idx);

CREATE TABLE ledger_nodes (
    level INTEGER NOT NULL,
    idx BIGINT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (level, idx)
);

-- Audit rows written before the ledger existed (an upgraded data directory)
-- have no event; zhifa verify checks only rows above this floor.
CREATE TABLE ledger_state (
    audit_floor BIGINT NOT NULL
);
INSERT INTO ledger_state (audit_floor) SELECT COALESCE(MAX(id), 0) FROM audit_log;

-- The SHA-256 of the object's content after the change, when the writer
-- knew it (empty: the event carries the hash of the detail instead).
ALTER TABLE audit_log ADD COLUMN content_sha256 TEXT NOT NULL DEFAULT '';

-- Signed tree heads. note is the whole signed note as zhifa signed it (body,
-- blank line, zhifa's signature line); signature is the raw signature, base64.
CREATE TABLE checkpoints (
    id INTEGER PRIMARY KEY,
    tree_size BIGINT NOT NULL UNIQUE,
    root_hash TEXT NOT NULL,
    timestamp TEXT NOT NULL,            -- RFC 3339 UTC, also the note's "time" line
    created_at BIGINT NOT NULL,
    note TEXT NOT NULL,
    signature TEXT NOT NULL,
    key_id TEXT NOT NULL,
    algorithm TEXT NOT NULL
);

-- Other parties' keys allowed to countersign (zhifa witness).
CREATE TABLE witnesses (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    public_key TEXT NOT NULL,           -- SubjectPublicKeyInfo PEM
    key_id TEXT NOT NULL UNIQUE,
    algorithm TEXT NOT NULL,
    added_at BIGINT NOT NULL
);

CREATE TABLE cosignatures (
    id INTEGER PRIMARY KEY,
    checkpoint_id BIGINT NOT NULL REFERENCES checkpoints(id),
    witness_id BIGINT NOT NULL REFERENCES witnesses(id),
    witness_name TEXT NOT NULL,
    key_id TEXT NOT NULL,
    signature_line TEXT NOT NULL,       -- "— name base64(keyhash || sig)", no newline
    received_at BIGINT NOT NULL,
    UNIQUE (checkpoint_id, witness_id)
);
