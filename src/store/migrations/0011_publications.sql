-- 0011_publications.sql — 事后公开 (issue 7): one row per decision to be
-- published (双公示 data items), its masked public text, the publicity
-- officer's 保密审查 and publication, withdrawal and the end of the period.
CREATE TABLE publications (
    id INTEGER PRIMARY KEY,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    case_id BIGINT REFERENCES cases(id),          -- NULL for imported records
    kind TEXT NOT NULL CHECK (kind IN ('penalty', 'licensing', 'other')),
    origin TEXT NOT NULL DEFAULT 'case' CHECK (origin IN ('case', 'import')),
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN
        ('pending', 'published', 'withdraw_pending', 'withdrawn', 'expired', 'repaired')),
    title TEXT NOT NULL,
    content TEXT NOT NULL,                        -- JSON object: data items, unmasked
    masked TEXT NOT NULL,                         -- JSON object: as the public sees them
    findings TEXT NOT NULL DEFAULT '[]',          -- JSON array: what masking found
    decision_date TEXT NOT NULL,                  -- 'YYYY-MM-DD'
    due_date TEXT,                                -- publication due (working days)
    clock_id BIGINT REFERENCES clocks(id),
    published_at BIGINT,
    published_on TEXT,
    on_time INTEGER,                              -- 1 on time, 0 late, NULL not yet
    confirmed_by BIGINT REFERENCES users(id),
    withdraw_reason TEXT,
    withdraw_due TEXT,
    withdraw_clock_id BIGINT REFERENCES clocks(id),
    withdrawn_at BIGINT,
    min_end TEXT,                                 -- earliest end (信用修复 allowed after)
    max_end TEXT,                                 -- 公示截止期: the period ends by itself
    ended_at BIGINT,
    end_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX publications_state ON publications(state, department_id);
CREATE INDEX publications_case ON publications(case_id);
CREATE INDEX publications_published ON publications(published_at);
