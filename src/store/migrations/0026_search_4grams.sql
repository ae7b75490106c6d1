-- 0026_search_4grams: the portal's index search_fts also holds each CJK
-- position's 4-gram (tokenize = 'zf_cjk 4grams', src/search/tokenizer.h),
-- so a query of four or more characters is a phrase of 4-grams: "当事人用"
-- is one term listing only the rows that hold it, where the phrase of two
-- trigrams "当事人 事人用" made FTS5 walk the doclist of 当事人, which
-- nearly every decision holds (docs/benchmarks.md, issue 7 search speed).
-- The table is made again with the new tokenizer argument and rebuilt from
-- search_docs, which already holds every queued change; the queue is
-- emptied so no change is applied twice. 'optimize' then merges what the
-- rebuild wrote into one segment, so that a query looks each term up once
-- (8 s for 200,000 decisions; a query of three characters was 10% slower
-- on the unmerged index). The case list's case_fts keeps
-- depth 3 (its queries and index are unchanged).
-- On PostgreSQL the tsvector is unchanged (phrases of bigrams match there,
-- src/search/tsv.h): nothing to do.
-- @sqlite
DROP TABLE search_fts;
CREATE VIRTUAL TABLE search_fts USING fts5(
    title, body, content = 'search_docs', content_rowid = 'id', tokenize = 'zf_cjk 4grams');
-- bm25 with a title hit worth four body hits (as 0007).
INSERT INTO search_fts(search_fts, rank) VALUES ('rank', 'bm25(4.0, 1.0)');
INSERT INTO search_fts(search_fts) VALUES ('rebuild');
INSERT INTO search_fts(search_fts) VALUES ('optimize');
DELETE FROM search_queue;
-- @end
