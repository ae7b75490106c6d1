-- 0025_ledger_one_row: one physical row per ledger event (issue 4, Speed).
--
-- Until now every audited change wrote an audit_log row and a ledger_events
-- row (the canonical event text, its hex leaf hash, the fields again and the
-- audit row's id), each with its indexes: five b-trees per event, about
-- twice the CPU of the change itself. Now:
--
--   ledger_events  one row per event and nothing derived: the fields that
--                  are hashed (at, actor_id, action, object_type, object_id,
--                  content_sha256, request_id; seq = idx) and, beside them,
--                  the audit columns that are not (actor_name, ip, detail:
--                  personal data and content stay out of the event). The
--                  canonical event (RFC 8785) and its leaf hash are a pure
--                  function of a row (zf_ledger_row_event), computed when
--                  needed: by the node sync, the entries API, proofs and
--                  zhifa verify. idx is the rowid, so appending is one
--                  b-tree insert at the right edge.
--   audit_log      a VIEW over ledger_events (idx AS id) and the rows older
--                  than the ledger, audit_log_legacy.
--   ledger_objects (object_type, object_id, idx): the by-object lookup,
--                  derived data filled by the node sync with the nodes
--                  (readers add the unsynced tail; ledger_store.h).
--
-- Every hashed field is copied from the old event row as it was hashed, so
-- the canonical text of every existing event comes back byte for byte and
-- every checkpoint still verifies (test_ledger_store's
-- test_migration_0025_keeps_roots recomputes the root). One exception: the
-- object id of a user named by login name, which the event shows as
-- "sha256:<hex>", is the audit row's (the name as typed, for the audit
-- view), and zf_ledger_event_canonical hashes it again exactly as the old
-- append did; an id that already looks hashed keeps the event's form
-- (ledger_store.c, hashed_in_event). actor_id is NULL when unknown, as in
-- the audit log; the event shows 0.
--
-- content_from says where content_sha256 came from, which zhifa verify needs
-- to keep checking the detail of events that have no record row: 0 the
-- writer gave it (a file's hash), 1 SHA-256 of detail, 2 the record row's
-- hash (checked against the row itself). Old events: 0 when the audit row had
-- a content hash, else 2 for the record types (their hash is the row's or,
-- for a row deleted at the time, the detail's: verify accepts either as
-- before), else 1.
-- idx: SQLite's rowid; on PostgreSQL a plain key (no identity: the append
-- assigns it, and nothing else may).
CREATE TABLE ledger_events_0025 (
-- @sqlite
    idx INTEGER PRIMARY KEY,            -- leaf index = the event's seq
-- @end
-- @postgres
    idx BIGINT PRIMARY KEY,
-- @end
    at BIGINT NOT NULL,                 -- Unix seconds (the event: RFC 3339 UTC)
    actor_id BIGINT,                    -- NULL when unknown (the event: 0)
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,            -- as written (the event: zf_ledger_object_id of it)
    content_sha256 TEXT NOT NULL,       -- 64 lowercase hex, hashed
    request_id TEXT NOT NULL,
    actor_name TEXT NOT NULL,           -- not hashed
    ip TEXT NOT NULL,                   -- not hashed
    detail TEXT NOT NULL,               -- not hashed (covered when content_from = 1)
    content_from INTEGER NOT NULL       -- 0 writer, 1 SHA-256 of detail, 2 record row
);
-- @sqlite
INSERT INTO ledger_events_0025 (idx, at, actor_id, action, object_type, object_id, content_sha256, request_id,
                                actor_name, ip, detail, content_from)
    SELECT e.idx, CAST(strftime('%s', e.at) AS INTEGER), NULLIF(e.actor_id, 0), e.action, e.object_type,
           CASE WHEN a.id IS NOT NULL AND a.object_id NOT LIKE 'sha256:%' THEN a.object_id ELSE e.object_id END,
           e.content_sha256, e.request_id, COALESCE(a.actor_name, ''), COALESCE(a.ip, ''), COALESCE(a.detail, ''),
           CASE WHEN a.content_sha256 <> '' THEN 0
                WHEN e.object_type IN ('department', 'unit', 'officer', 'matter', 'user') THEN 2
                WHEN a.id IS NULL THEN 0 ELSE 1 END
    FROM ledger_events e LEFT JOIN audit_log a ON a.id = e.audit_id ORDER BY e.idx;
-- @end
-- @postgres
INSERT INTO ledger_events_0025 (idx, at, actor_id, action, object_type, object_id, content_sha256, request_id,
                                actor_name, ip, detail, content_from)
    SELECT e.idx, CAST(EXTRACT(EPOCH FROM CAST(e.at AS TIMESTAMPTZ)) AS BIGINT), NULLIF(e.actor_id, 0), e.action,
           e.object_type,
           CASE WHEN a.id IS NOT NULL AND a.object_id NOT LIKE 'sha256:%' THEN a.object_id ELSE e.object_id END,
           e.content_sha256, e.request_id, COALESCE(a.actor_name, ''), COALESCE(a.ip, ''), COALESCE(a.detail, ''),
           CASE WHEN a.content_sha256 <> '' THEN 0
                WHEN e.object_type IN ('department', 'unit', 'officer', 'matter', 'user') THEN 2
                WHEN a.id IS NULL THEN 0 ELSE 1 END
    FROM ledger_events e LEFT JOIN audit_log a ON a.id = e.audit_id ORDER BY e.idx;
-- @end

-- Audit rows older than the ledger (ids up to ledger_state.audit_floor: a
-- data directory that predates 0003) have no event. Their ids move below 0
-- so that they never meet an idx in the view.
CREATE TABLE audit_log_legacy (
-- @sqlite
    id INTEGER PRIMARY KEY,             -- the old id - audit_floor - 1
-- @end
-- @postgres
    id BIGINT PRIMARY KEY,              -- not an identity: its ids are below 0
-- @end
    at BIGINT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    ip TEXT NOT NULL,
    request_id TEXT NOT NULL,
    detail TEXT NOT NULL,
    content_sha256 TEXT NOT NULL
);
INSERT INTO audit_log_legacy (id, at, actor_id, actor_name, action, object_type, object_id, ip, request_id,
                              detail, content_sha256)
    SELECT a.id - s.audit_floor - 1, a.at, a.actor_id, a.actor_name, a.action, a.object_type, a.object_id, a.ip,
           a.request_id, a.detail, a.content_sha256
    FROM audit_log a, (SELECT COALESCE(MAX(audit_floor), 0) AS audit_floor FROM ledger_state) s
    WHERE a.id <= s.audit_floor;

DROP TABLE audit_log;
DROP TABLE ledger_events;
ALTER TABLE ledger_events_0025 RENAME TO ledger_events;

-- The 调阅监督 indexes of 0022, same predicate (keep it identical to
-- ACTION_LIST in src/api/access_review.c), now on the event rows; the names
-- stay those of the audit view they serve. audit_log_at does not come back:
-- idx order is time order.
CREATE INDEX audit_log_action_at ON ledger_events(action, at)
    WHERE action IN ('case_view_restricted', 'evidence_view_restricted', 'evidence_download', 'party_view',
                     'complaint_personal_view', 'complaint_attachment_view');
CREATE INDEX audit_log_actor_at ON ledger_events(actor_id, at)
    WHERE action IN ('case_view_restricted', 'evidence_view_restricted', 'evidence_download', 'party_view',
                     'complaint_personal_view', 'complaint_attachment_view');

-- Filled by zf_ledger_nodes_sync in the transactions that store the nodes;
-- here for every existing event (the sync's ON CONFLICT skips them).
CREATE TABLE ledger_objects (
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    idx BIGINT NOT NULL,
    PRIMARY KEY (object_type, object_id, idx)
) WITHOUT ROWID;
INSERT INTO ledger_objects (object_type, object_id, idx)
    SELECT object_type, object_id, idx FROM ledger_events;

-- Same columns as the table it replaces. content_sha256 is now always the
-- hashed one (before, '' where the writer gave none): a plain column keeps
-- the view flattenable, so that SQLite pages it by ORDER BY id LIMIT as a
-- merge of two rowid scans instead of a sort of every row. Nothing writes to
-- it: every writer goes through zf_audit_write.
CREATE VIEW audit_log AS
    SELECT idx AS id, at, actor_id, actor_name, action, object_type, object_id, ip, request_id, detail,
           content_sha256
    FROM ledger_events
    UNION ALL
    SELECT id, at, actor_id, actor_name, action, object_type, object_id, ip, request_id, detail, content_sha256
    FROM audit_log_legacy;
