-- 0019_search_trigrams: the zf_cjk tokenizer now also indexes each CJK
-- position's trigram (src/search/tokenizer.h), so searches of three or more
-- characters match on one rare term instead of a phrase of common bigrams.
-- The index is rebuilt from search_docs, which already holds every queued
-- change; the queue is emptied so no change is applied twice.
-- On PostgreSQL the tsvector holds no trigrams (phrases of bigrams match
-- there): nothing to do.
-- @sqlite
INSERT INTO search_fts(search_fts) VALUES ('rebuild');
DELETE FROM search_queue;
-- @end
