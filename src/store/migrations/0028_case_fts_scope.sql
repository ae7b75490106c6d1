-- 0028_case_fts_scope: the case list's keyword index, scoped by department
-- (issue 5 "Speed").
--
-- 0023's case_fts answered "how many cases hold this keyword" for the whole
-- city. A keyword common in the city (5,000+ candidates) but rare or absent
-- in the officer's department was then checked by the substring test over
-- the department's cases in the list's order: ~110,000 rows at a million
-- cases, ~100 ms, however few matched. Now every column's text starts with
-- the case's department id as a scope (U+E001, id, U+E001; src/search/
-- tokenizer.h), and the 'zf_cjk scope' tokenizer indexes each token twice:
-- as itself (the supervisor's city-wide keyword) and as "<department>:
-- <token>" (any list limited to one department). A scoped query reads
-- doclists holding that department's cases only, so counting and listing
-- the candidates cost the department's matches, not its size.
--
-- Rebuilt here from cases: FTS5 tokenizes on INSERT with the tokenizer
-- zhifa registers on every connection (at a million cases this takes a
-- minute or two, once). The text written must stay that of
-- ZF_CASE_FTS_INSERT (src/store/case_store.h). SQLite only: PostgreSQL has
-- no case_fts.
-- @sqlite
DROP TABLE case_fts;
CREATE VIRTUAL TABLE case_fts USING fts5(title, case_no, summary, tokenize = 'zf_cjk scope');
INSERT INTO case_fts (rowid, title, case_no, summary)
    SELECT id, char(57345) || department_id || char(57345) || title,
           char(57345) || department_id || char(57345) || COALESCE(case_no, ''),
           char(57345) || department_id || char(57345) || summary FROM cases;
-- @end
