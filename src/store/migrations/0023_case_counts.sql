-- 0023_case_counts: what keeps the case list (GET /api/v1/cases, issue 5)
-- fast at a million cases without lying about its total.
--
-- case_counts holds the number of cases per (department, procedure, power
-- type, stage). case_store.c changes it in the same transaction as every
-- case insert and stage change, so the list's total for any combination of
-- those four filters is an exact sum of a few rows instead of a count over
-- 110,000 (a department) or 1,000,000 (the supervisor) index entries.
-- Portable SQL (PostgreSQL has the same upsert).
CREATE TABLE case_counts (
    department_id BIGINT NOT NULL,
    procedure TEXT NOT NULL,
    power_type TEXT NOT NULL,
    stage TEXT NOT NULL,
    n BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (department_id, procedure, power_type, stage)
);
INSERT INTO case_counts (department_id, procedure, power_type, stage, n)
    SELECT department_id, procedure, power_type, stage, COUNT(*) FROM cases
    GROUP BY department_id, procedure, power_type, stage;

-- The keyword filter (q): title, 立案号 and summary through the zf_cjk
-- tokenizer (src/search/tokenizer.h), instead of a LIKE scan of every case
-- of the department. rowid is the case id. Cases are not public, so this is
-- not the portal's search_docs. Written by case_store.c (never by a trigger:
-- a trigger would need the tokenizer on every connection, the sqlite3 shell
-- included). SQLite only; PostgreSQL will use a tsvector of the same tokens.
-- @sqlite
CREATE VIRTUAL TABLE case_fts USING fts5(title, case_no, summary, tokenize = 'zf_cjk');
INSERT INTO case_fts (rowid, title, case_no, summary)
    SELECT id, title, COALESCE(case_no, ''), summary FROM cases;
-- @end
-- PostgreSQL: a plain table with the same columns for now, so that
-- case_store.c's writes work (issue 9 stop-gap); the keyword filter's MATCH
-- is SQLite's and still needs the tsvector form of search_docs there.
-- @postgres
CREATE TABLE case_fts (rowid BIGINT PRIMARY KEY, title TEXT NOT NULL, case_no TEXT NOT NULL, summary TEXT NOT NULL);
INSERT INTO case_fts (rowid, title, case_no, summary)
    SELECT id, title, COALESCE(case_no, ''), summary FROM cases;
-- @end

-- The 立案 date range sorted by update time (the list's default order): the
-- page's ids are chosen from this index alone, then only 20 rows are read.
-- It replaces 0016's cases_dept_created, which it covers.
DROP INDEX cases_dept_created;
CREATE INDEX cases_dept_created_upd ON cases(department_id, created_at, updated_at);
-- Overdue cases (the list's overdue filter): the open clocks' index now
-- carries the object, so counting a department's overdue cases reads the
-- index alone, and the cases' (department, id, updated_at) lets the page sort
-- them by update time without reading 2,000 case rows. Measured in
-- docs/benchmarks.md: the overdue page went from 10-20 ms to 2-3 ms warm.
DROP INDEX clocks_open;
CREATE INDEX clocks_open ON clocks(done_date, department_id, due_date, object_type, object_id);
CREATE INDEX cases_dept_id_upd ON cases(department_id, id, updated_at);

-- Planner statistics for the new indexes: without them SQLite takes an
-- unanalyzed index for a very selective one and would sort a department's
-- 110,000 cases by 立案号 through it. (PostgreSQL has the same statement.)
ANALYZE cases;
ANALYZE clocks;
