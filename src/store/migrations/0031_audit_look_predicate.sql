-- 0031_audit_look_predicate: the 调阅监督 partial indexes with the look
-- actions as a chain of equalities instead of an IN list.
--
-- SQLite evaluates a partial index's WHERE for every row inserted, and an
-- IN list of more than two values is coded as a lookup in an ephemeral
-- table built afresh for each execution of the INSERT: for the two indexes
-- of 0025 that was about 2.5 µs of every ledger event's INSERT, inside the
-- serialized writer section (docs/benchmarks.md, "Ledger"). The same test
-- as comparisons costs a few string compares. The readers' queries repeat
-- this exact term (LOOK_ACTIONS in src/api/access_review.c), which is what
-- lets SQLite and PostgreSQL use the indexes.
DROP INDEX audit_log_action_at;
DROP INDEX audit_log_actor_at;
CREATE INDEX audit_log_action_at ON ledger_events(action, at)
    WHERE action = 'case_view_restricted' OR action = 'evidence_view_restricted' OR action = 'evidence_download'
       OR action = 'party_view' OR action = 'complaint_personal_view' OR action = 'complaint_attachment_view';
CREATE INDEX audit_log_actor_at ON ledger_events(actor_id, at)
    WHERE action = 'case_view_restricted' OR action = 'evidence_view_restricted' OR action = 'evidence_download'
       OR action = 'party_view' OR action = 'complaint_personal_view' OR action = 'complaint_attachment_view';
