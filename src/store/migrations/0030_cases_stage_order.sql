-- The case list across departments (the Justice Bureau's view) filtered by
-- stage and procedure, newest update first: with updated_at in the index the
-- page is the first 20 entries of one index range, read backwards, instead of
-- every matching case looked up and sorted (15 ms at 1M cases for ~12,000
-- matches; docs/benchmarks.md, "Cases"). The old (stage, procedure) index is
-- a prefix of the new one, so it goes.
DROP INDEX cases_stage;
CREATE INDEX cases_stage_procedure_upd ON cases(stage, procedure, updated_at);
