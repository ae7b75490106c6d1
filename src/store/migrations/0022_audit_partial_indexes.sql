-- 0022_audit_partial_indexes: the 调阅监督 indexes cover only the looks.
--
-- 0017 indexed every audit row by (action, at) and (actor_id, at) for the
-- access-supervision pages, so every audited change paid two more b-tree
-- inserts in its write transaction (with a cold page cache under many
-- connections: two more root-to-leaf paths re-read and two more pages in
-- the WAL per commit), although those pages only ever read the rows of
-- the look actions below. Partial indexes keep the readers' plans (each
-- of their queries repeats this exact IN list, which is what lets SQLite
-- and PostgreSQL use a partial index) while other events skip them.
-- Keep the list identical to ACTION_LIST in src/api/access_review.c.
DROP INDEX audit_log_action_at;
DROP INDEX audit_log_actor_at;
CREATE INDEX audit_log_action_at ON audit_log(action, at)
    WHERE action IN ('case_view_restricted', 'evidence_view_restricted', 'evidence_download', 'party_view',
                     'complaint_personal_view', 'complaint_attachment_view');
CREATE INDEX audit_log_actor_at ON audit_log(actor_id, at)
    WHERE action IN ('case_view_restricted', 'evidence_view_restricted', 'evidence_download', 'party_view',
                     'complaint_personal_view', 'complaint_attachment_view');
