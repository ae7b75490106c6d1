-- 0020: the order of a sample's scores as a column (issue 9). Scores were
-- listed in insertion order (SQLite's rowid), which PostgreSQL does not
-- have; position is the item's index in the draw's checklist, the order in
-- which the scores have always been inserted.
ALTER TABLE eval_scores ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
-- @sqlite
-- rowid grows with insertion, so it orders the existing rows as before
UPDATE eval_scores SET position = rowid;
-- @end
