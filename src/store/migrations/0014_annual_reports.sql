-- 0014_annual_reports.sql — the annual report (年报) of each department (issue 7).
-- One row per department and year: the counts as generated (JSON, see
-- src/core/annual.h), then reviewed by a second person and published on the
-- portal. The city's report is the sum of the departments' published ones
-- and is not stored. Every change is written with its audit row (and so its
-- ledger event) in one transaction.
CREATE TABLE annual_reports (
    id INTEGER PRIMARY KEY,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    year INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'reviewed', 'published')),
    data TEXT NOT NULL,                       -- JSON report
    as_of TEXT NOT NULL,                      -- 'YYYY-MM-DD': the day the counts were taken
    generated_by BIGINT REFERENCES users(id),
    generated_at BIGINT NOT NULL,
    reviewed_by BIGINT REFERENCES users(id),
    reviewed_at BIGINT,
    published_by BIGINT REFERENCES users(id),
    published_at BIGINT,
    published_on TEXT,                        -- 'YYYY-MM-DD' (China time)
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (department_id, year)
);
CREATE INDEX annual_reports_year ON annual_reports(year, state);

-- The report counts one year's case events among many years': by time.
CREATE INDEX case_events_at ON case_events(at);
