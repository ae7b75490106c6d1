-- 0007_search: one full-text index over everything the portal publishes
-- (issue 7, 搜索查询). See src/store/search_store.h.
--
-- search_docs holds one row per searchable record, whatever its kind, in a
-- generic layout (kind, ref_id, department_id, date, title, body, link), and
-- is the external content of the FTS5 index search_fts (tokenizer zf_cjk,
-- src/search/tokenizer.h, registered on every connection by zf_db_open).
-- search_fts follows search_docs through search_queue (below), so writers
-- only ever touch search_docs: through zf_search_index_upsert/_delete (published
-- decisions, service guides) or through the triggers below (the three
-- libraries and the laws), which catch every write path, the importer and
-- the demo included.
--
-- The index itself differs per backend (migrate.c sections): SQLite keeps
-- the FTS5 table search_fts; PostgreSQL keeps a tsvector column tsv in
-- search_docs (GIN-indexed), which zf_search_index_sync fills from the same
-- C tokenizer's tokens, and does with plpgsql triggers what the SQLite
-- triggers do.

CREATE TABLE search_docs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,                 -- law, matter, officer, department, decision, guide
    ref_id BIGINT NOT NULL,             -- id in the kind's own table
    department_id BIGINT,               -- NULL for laws
    date TEXT NOT NULL DEFAULT '',      -- YYYY-MM-DD the record speaks for ('' when none)
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    link TEXT NOT NULL DEFAULT '',      -- public portal path of the record
    UNIQUE (kind, ref_id)
);
CREATE INDEX search_docs_department ON search_docs(department_id);

-- @sqlite
CREATE VIRTUAL TABLE search_fts USING fts5(
    title, body, content = 'search_docs', content_rowid = 'id', tokenize = 'zf_cjk');
-- bm25 with a title hit worth four body hits.
INSERT INTO search_fts(search_fts, rank) VALUES ('rank', 'bm25(4.0, 1.0)');
-- @end
-- @postgres
-- tsv: the tokens of title (weight A) and body (weight D) with positions;
-- tsv_partial: the document overflowed what a tsvector can hold (positions
-- past 16383, more than 256 positions of one token), so phrase matching
-- alone could miss it; queries then also accept it by its tokens alone.
ALTER TABLE search_docs ADD COLUMN tsv tsvector;
ALTER TABLE search_docs ADD COLUMN tsv_partial BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX search_docs_tsv ON search_docs USING GIN (tsv);
-- @end

-- search_docs changes reach search_fts through search_queue, not directly:
-- a trigger that wrote search_fts would need the zf_cjk tokenizer on every
-- connection that changes a library, and the sqlite3 shell or a script
-- fixing a record would fail with "no such tokenizer". Each queued entry
-- carries the text it adds or removes, so replaying the queue in order
-- (zf_search_index_sync, run by every writer through search_store.c and by
-- every search before it reads) is exact whatever happened in between.
CREATE TABLE search_queue (
    id INTEGER PRIMARY KEY,
    op TEXT NOT NULL CHECK (op IN ('add', 'del')),
    doc_id BIGINT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL
);

-- What each library contributes: exactly what the portal already shows.
-- Officers: name, certificate number, position, department (no gender, no
-- personal data). Dates are China's calendar day (UTC+8).
CREATE VIEW search_src_law AS
SELECT 'law' AS kind, a.id AS ref_id, CAST(NULL AS BIGINT) AS department_id, l.effective_date AS date,
       l.title || ' ' || a.label AS title, a.text AS body,
       '/laws/' || l.id || '#a' || a.no AS link
FROM law_articles a JOIN laws l ON l.id = a.law_id;

CREATE VIEW search_src_matter AS
SELECT 'matter' AS kind, m.id AS ref_id, m.department_id AS department_id,
-- @sqlite
       date(m.updated_at + 28800, 'unixepoch') AS date, m.name AS title,
-- @end
-- @postgres
       to_char(to_timestamp(m.updated_at + 28800) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS date,
       m.name AS title,
-- @end
       m.code || ' ' || m.legal_basis || ' ' || m.procedure || ' ' || m.accepting_body AS body,
       '/departments/' || m.department_id || '#matters' AS link
FROM matters m;

CREATE VIEW search_src_officer AS
SELECT 'officer' AS kind, o.id AS ref_id, o.department_id AS department_id, '' AS date,
       o.name AS title,
       '执法证号 ' || o.certificate_no || ' ' || d.name || ' ' || o.position AS body,
       '/departments/' || o.department_id || '#officers' AS link
FROM officers o JOIN departments d ON d.id = o.department_id;

CREATE VIEW search_src_department AS
SELECT 'department' AS kind, d.id AS ref_id, d.id AS department_id, '' AS date, d.name AS title,
       d.short_name || ' ' || d.duties || ' ' || d.area || ' ' || d.address AS body,
       '/departments/' || d.id AS link
FROM departments d;

-- The index of the records that exist already.
INSERT INTO search_docs (kind, ref_id, department_id, date, title, body, link)
    SELECT * FROM search_src_department;
INSERT INTO search_docs (kind, ref_id, department_id, date, title, body, link)
    SELECT * FROM search_src_officer;
INSERT INTO search_docs (kind, ref_id, department_id, date, title, body, link)
    SELECT * FROM search_src_matter;
INSERT INTO search_docs (kind, ref_id, department_id, date, title, body, link)
    SELECT * FROM search_src_law;
-- @sqlite
INSERT INTO search_fts(search_fts) VALUES ('rebuild');

CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN
    INSERT INTO search_queue (op, doc_id, title, body) VALUES ('add', new.id, new.title, new.body);
END;
CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN
    INSERT INTO search_queue (op, doc_id, title, body) VALUES ('del', old.id, old.title, old.body);
END;
CREATE TRIGGER search_docs_au AFTER UPDATE OF title, body ON search_docs
WHEN old.title IS NOT new.title OR old.body IS NOT new.body BEGIN
    INSERT INTO search_queue (op, doc_id, title, body) VALUES ('del', old.id, old.title, old.body);
    INSERT INTO search_queue (op, doc_id, title, body) VALUES ('add', new.id, new.title, new.body);
END;

-- Keeping it current. Each upsert's SELECT has a WHERE clause, which SQLite
-- needs to tell the ON CONFLICT clause from a join constraint.
CREATE TRIGGER search_law_articles_ai AFTER INSERT ON law_articles BEGIN
    INSERT INTO search_docs (kind, ref_id, department_id, date, title, body, link)
        SELECT * FROM search_src_law WHERE ref_id = new.id
    ON CONFLICT (kind, ref_id) DO UPDATE SET department_id = excluded.department_id,
        date = excluded.date, title = excluded.title, body = excluded.body, link = excluded.link;
END;
CREATE TRIGGER search_law_articles_au AFTER UPDATE ON law_articles BEGIN
    INSERT INTO search_docs (kind, ref_id, department_id, date, title, body, link)
        SELECT * FROM search_src_law WHERE ref_id = new.id
    ON CONFLICT (kind, ref_id) DO UPDATE SET department_id = excluded.department_id,
        date = excluded.date, title = excluded.title, body = excluded.body, link = excluded.link;
END;
CREATE TRIGGER search_law_articles_ad AFTER DELETE ON law_articles BEGIN
    DELETE FROM search_docs WHERE kind = 'law' AND ref_id = old.id;
END;
CREATE TRIGGER search_laws_au AFTER UPDATE OF title, effective_date ON laws BEGIN
    INSERT INTO search_docs (kind, ref_id, department_id, date, title, body, link)
        SELECT * FROM search_src_law WHERE ref_id IN (SELECT id FROM law_articles WHERE law_id = new.id)
    ON CONFLICT (kind, ref_id) DO UPDATE SET department_id = excluded.department_id,
        date = excluded.date, title = excluded.title, body = excluded.body, link = excluded.link;
END;

CREATE TRIGGER search_matters_ai AFTER INSERT ON matters BEGIN
    INSERT INTO search_docs (kind, ref_id, department_id, date, title, body, link)
        SELECT * FROM search_src_matter WHERE ref_id = new.id
    ON CONFLICT (kind, ref_id) DO UPDATE SET department_id = excluded.department_id,
        date = excluded.date, title = excluded.title, body = excluded.body, link = excluded.link;
END;
CREATE TRIGGER search_matters_au AFTER UPDATE ON matters BEGIN
    INSERT INTO search_docs (kind, ref_id, department_id, date, title, body, link)
        SELECT * FROM search_src_matter WHERE ref_id = new.id
    ON CONFLICT (kind, ref_id) DO UPDATE SET department_id = excluded.department_id,
        date = excluded.date, title = excluded.title, body = excluded.body, link = excluded.link;
END;
CREATE TRIGGER search_matters_ad AFTER DELETE ON matters BEGIN
    DELETE FROM search_docs WHERE kind = 'matter' AND ref_id = old.id;
END;

CREATE TRIGGER search_officers_ai AFTER INSERT ON officers BEGIN
    INSERT INTO search_docs (kind, ref_id, department_id, date, title, body, link)
        SELECT * FROM search_src_officer WHERE ref_id = new.id
    ON CONFLICT (kind, ref_id) DO UPDATE SET department_id = excluded.department_id,
        date = excluded.date, title = excluded.title, body = excluded.body, link = excluded.link;
END;
CREATE TRIGGER search_officers_au AFTER UPDATE ON officers BEGIN
    INSERT INTO search_docs (kind, ref_id, department_id, date, title, body, link)
        SELECT * FROM search_src_officer WHERE ref_id = new.id
    ON CONFLICT (kind, ref_id) DO UPDATE SET department_id = excluded.department_id,
        date = excluded.date, title = excluded.title, body = excluded.body, link = excluded.link;
END;
CREATE TRIGGER search_officers_ad AFTER DELETE ON officers BEGIN
    DELETE FROM search_docs WHERE kind = 'officer' AND ref_id = old.id;
END;

CREATE TRIGGER search_departments_ai AFTER INSERT ON departments BEGIN
    INSERT INTO search_docs (kind, ref_id, department_id, date, title, body, link)
        SELECT * FROM search_src_department WHERE ref_id = new.id
    ON CONFLICT (kind, ref_id) DO UPDATE SET department_id = excluded.department_id,
        date = excluded.date, title = excluded.title, body = excluded.body, link = excluded.link;
END;
-- A department's name is part of its officers' entries.
CREATE TRIGGER search_departments_au AFTER UPDATE ON departments BEGIN
    INSERT INTO search_docs (kind, ref_id, department_id, date, title, body, link)
        SELECT * FROM search_src_department WHERE ref_id = new.id
    ON CONFLICT (kind, ref_id) DO UPDATE SET department_id = excluded.department_id,
        date = excluded.date, title = excluded.title, body = excluded.body, link = excluded.link;
    INSERT INTO search_docs (kind, ref_id, department_id, date, title, body, link)
        SELECT * FROM search_src_officer
        WHERE new.name IS NOT old.name
          AND ref_id IN (SELECT id FROM officers WHERE department_id = new.id)
    ON CONFLICT (kind, ref_id) DO UPDATE SET department_id = excluded.department_id,
        date = excluded.date, title = excluded.title, body = excluded.body, link = excluded.link;
END;
CREATE TRIGGER search_departments_ad AFTER DELETE ON departments BEGIN
    DELETE FROM search_docs WHERE kind = 'department' AND ref_id = old.id;
END;
-- @end
-- @postgres
-- The same triggers in plpgsql. The entries indexed above are queued too,
-- so the first zf_search_index_sync computes their tsv.
INSERT INTO search_queue (op, doc_id, title, body) SELECT 'add', id, title, body FROM search_docs;

CREATE FUNCTION search_docs_queue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.title IS NOT DISTINCT FROM NEW.title
       AND OLD.body IS NOT DISTINCT FROM NEW.body THEN
        RETURN NEW;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO search_queue (op, doc_id, title, body) VALUES ('del', OLD.id, OLD.title, OLD.body);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO search_queue (op, doc_id, title, body) VALUES ('add', NEW.id, NEW.title, NEW.body);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER search_docs_queue AFTER INSERT OR DELETE OR UPDATE OF title, body ON search_docs
    FOR EACH ROW EXECUTE FUNCTION search_docs_queue();

-- (kind, view) per library: TG_ARGV[0] is the kind, the view is search_src_<kind>.
CREATE FUNCTION search_library_index() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM search_docs WHERE kind = TG_ARGV[0] AND ref_id = OLD.id;
        RETURN NULL;
    END IF;
    EXECUTE format('INSERT INTO search_docs (kind, ref_id, department_id, date, title, body, link)'
        ' SELECT * FROM %I WHERE ref_id = $1'
        ' ON CONFLICT (kind, ref_id) DO UPDATE SET department_id = excluded.department_id,'
        ' date = excluded.date, title = excluded.title, body = excluded.body, link = excluded.link',
        'search_src_' || TG_ARGV[0]) USING NEW.id;
    -- A department's name is part of its officers' entries. (Nested IFs:
    -- plpgsql does not short-circuit, and NEW.name exists only here.)
    IF TG_TABLE_NAME = 'departments' AND TG_OP = 'UPDATE' THEN
        IF NEW.name IS DISTINCT FROM OLD.name THEN
            INSERT INTO search_docs (kind, ref_id, department_id, date, title, body, link)
                SELECT * FROM search_src_officer
                WHERE ref_id IN (SELECT id FROM officers WHERE department_id = NEW.id)
            ON CONFLICT (kind, ref_id) DO UPDATE SET department_id = excluded.department_id,
                date = excluded.date, title = excluded.title, body = excluded.body,
                link = excluded.link;
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER search_law_articles_index AFTER INSERT OR UPDATE OR DELETE ON law_articles
    FOR EACH ROW EXECUTE FUNCTION search_library_index('law');
CREATE TRIGGER search_matters_index AFTER INSERT OR UPDATE OR DELETE ON matters
    FOR EACH ROW EXECUTE FUNCTION search_library_index('matter');
CREATE TRIGGER search_officers_index AFTER INSERT OR UPDATE OR DELETE ON officers
    FOR EACH ROW EXECUTE FUNCTION search_library_index('officer');
CREATE TRIGGER search_departments_index AFTER INSERT OR UPDATE OR DELETE ON departments
    FOR EACH ROW EXECUTE FUNCTION search_library_index('department');

CREATE FUNCTION search_laws_reindex() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_docs (kind, ref_id, department_id, date, title, body, link)
        SELECT * FROM search_src_law
        WHERE ref_id IN (SELECT id FROM law_articles WHERE law_id = NEW.id)
    ON CONFLICT (kind, ref_id) DO UPDATE SET department_id = excluded.department_id,
        date = excluded.date, title = excluded.title, body = excluded.body, link = excluded.link;
    RETURN NULL;
END $$;
CREATE TRIGGER search_laws_reindex AFTER UPDATE OF title, effective_date ON laws
    FOR EACH ROW EXECUTE FUNCTION search_laws_reindex();
-- @end
