-- 0027_case_tsv: the case list's keyword index on PostgreSQL, and the
-- stage durations of GET /api/v1/cases/stats kept as sums (issues 5 and 9).
--
-- case_tsv is to PostgreSQL what case_fts (0023) is to SQLite: the tokens
-- of each case's title, 立案号 and summary by the same C tokenizer
-- (src/search/tokenizer.h), as a tsvector (src/search/tsv.h: positions, one
-- empty position between fields so no phrase spans two), GIN-indexed and
-- queried as a tsquery phrase. A migration cannot run C, so the rows start
-- with tsv NULL ("pending") and zf_case_tsv_fill (case_store.c; the server's
-- tick, zhifa migrate-store) computes them. The trigger marks a case pending
-- whenever its indexed text changes, however it changed (the store, a
-- script, psql), and case_store.c computes the tsv in the same transaction
-- when it made the change itself, so the store's own writes never leave a
-- pending row behind. While any row is pending the list filters by the
-- substring test alone (exact, bounded), so a keyword never misses a case.
-- partial: the text overflowed what a tsvector holds (more than 256
-- positions of one token); such a case is always a candidate and the
-- substring test decides.
-- @postgres
CREATE TABLE case_tsv (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
    tsv tsvector,
    partial BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX case_tsv_gin ON case_tsv USING GIN (tsv);
CREATE INDEX case_tsv_pending ON case_tsv (case_id) WHERE tsv IS NULL;
CREATE INDEX case_tsv_partial ON case_tsv (case_id) WHERE partial;
INSERT INTO case_tsv (case_id) SELECT id FROM cases;

CREATE FUNCTION case_tsv_pending() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.title IS NOT DISTINCT FROM NEW.title
       AND OLD.case_no IS NOT DISTINCT FROM NEW.case_no
       AND OLD.summary IS NOT DISTINCT FROM NEW.summary THEN
        RETURN NULL;
    END IF;
    INSERT INTO case_tsv (case_id) VALUES (NEW.id)
        ON CONFLICT (case_id) DO UPDATE SET tsv = NULL, partial = FALSE;
    RETURN NULL;
END $$;
CREATE TRIGGER case_tsv_pending AFTER INSERT OR UPDATE OF title, case_no, summary ON cases
    FOR EACH ROW EXECUTE FUNCTION case_tsv_pending();
-- @end

-- Time spent per stage (the statistics page's 各环节用时), per department,
-- procedure and stage left: how many times a case left it, the seconds
-- summed and the longest. A stay lasts from the event that entered the
-- stage (the case's 'create' or the last event that changed its stage) to
-- the event that left it. case_store.c adds each stay in the transaction of
-- the stage change, so the statistics read a few hundred rows instead of
-- every case_events row (ten million at the issue's scale). Filled here
-- from the events that exist, by the definition the statistics used before.
CREATE TABLE case_stage_times (
    department_id BIGINT NOT NULL,
    procedure TEXT NOT NULL,
    stage TEXT NOT NULL,
    n BIGINT NOT NULL DEFAULT 0,
    seconds BIGINT NOT NULL DEFAULT 0,
    max_seconds BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (department_id, procedure, stage)
);
INSERT INTO case_stage_times (department_id, procedure, stage, n, seconds, max_seconds)
    SELECT c.department_id, c.procedure, x.from_stage, COUNT(*), SUM(x.at - x.entered),
           MAX(x.at - x.entered)
    FROM (SELECT e.case_id, e.from_stage, e.at,
                 LAG(e.at) OVER (PARTITION BY e.case_id ORDER BY e.id) AS entered
          FROM case_events e WHERE e.from_stage IS NULL OR e.from_stage <> e.to_stage) x
    JOIN cases c ON c.id = x.case_id
    WHERE x.from_stage IS NOT NULL AND x.entered IS NOT NULL
    GROUP BY c.department_id, c.procedure, x.from_stage;
