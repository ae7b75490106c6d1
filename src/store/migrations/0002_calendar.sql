-- 0002_calendar: the working-day calendar, the deadline rules and the clocks.
-- Portable SQL as in 0001: dates are TEXT 'YYYY-MM-DD', times BIGINT Unix
-- seconds, booleans INTEGER 0/1, lists JSON text.

-- Years imported by an administrator. The shipped years (core/holidays.c) are
-- not copied here: a row here replaces the shipped year of the same number.
CREATE TABLE calendar_years (
    year INTEGER PRIMARY KEY,
    version TEXT NOT NULL,
    sources TEXT NOT NULL DEFAULT '[]', -- [{"title","doc_no","url"}]
    loaded_at BIGINT NOT NULL,
    loaded_by TEXT NOT NULL DEFAULT ''
);

-- The special days of an imported year. A December date may belong to the
-- next year's notice, so the key is (year, date), not the date alone.
CREATE TABLE calendar_days (
    year INTEGER NOT NULL REFERENCES calendar_years(year) ON DELETE CASCADE,
    date TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('off', 'work')),
    name TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (year, date)
);

-- The deadline rules in force here. Rows are seeded from the defaults of
-- core/deadline.c by code (store/calendar_store.c) whenever a default is
-- missing, so the defaults have one source; a locality edits the rows.
CREATE TABLE deadline_rules (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('workdays', 'fixed_date')),
    workdays INTEGER NOT NULL DEFAULT 0,
    month INTEGER NOT NULL DEFAULT 0,
    day INTEGER NOT NULL DEFAULT 0,
    year_offset INTEGER NOT NULL DEFAULT 0,
    extension_workdays INTEGER NOT NULL DEFAULT 0,
    pausable INTEGER NOT NULL DEFAULT 0,
    basis TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);

-- One running statutory deadline. The rule is copied at start (rule JSON), so
-- a later edit of deadline_rules does not move a running clock. state is a
-- cache of the state on the day of the last write; readers recompute it.
CREATE TABLE clocks (
    id INTEGER PRIMARY KEY,
    rule_code TEXT NOT NULL,
    rule TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id BIGINT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    start_date TEXT NOT NULL,
    due_date TEXT,                       -- NULL while suspended
    calendar_version TEXT NOT NULL DEFAULT '',
    extension_workdays INTEGER NOT NULL DEFAULT 0,
    extension_approver TEXT NOT NULL DEFAULT '',
    pauses TEXT NOT NULL DEFAULT '[]',   -- [{"from","to"|null,"reason"}]
    done_date TEXT,                      -- NULL while open
    state TEXT NOT NULL DEFAULT 'on_time',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX clocks_open ON clocks(done_date, department_id, due_date);
CREATE INDEX clocks_object ON clocks(object_type, object_id);

-- A new version of a year's schedule, and the open clocks it moved.
CREATE TABLE calendar_changes (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL,
    old_version TEXT NOT NULL DEFAULT '',
    new_version TEXT NOT NULL,
    first_date TEXT,                     -- span whose working days changed, NULL if none
    last_date TEXT,
    days_added INTEGER NOT NULL DEFAULT 0,
    days_removed INTEGER NOT NULL DEFAULT 0,
    days_modified INTEGER NOT NULL DEFAULT 0,
    clocks_moved INTEGER NOT NULL DEFAULT 0,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL DEFAULT ''
);

CREATE TABLE calendar_change_clocks (
    change_id BIGINT NOT NULL REFERENCES calendar_changes(id) ON DELETE CASCADE,
    clock_id BIGINT NOT NULL REFERENCES clocks(id),
    old_due TEXT,
    new_due TEXT,
    old_calendar_version TEXT NOT NULL DEFAULT '',
    new_calendar_version TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (change_id, clock_id)
);
