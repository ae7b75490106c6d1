-- 0017_complaints.sql — 投诉举报 (issue 8): complaints about enforcement
-- conduct taken on the public portal, their handling in the console against
-- a working-day deadline, and the submission log that limits spam.
--
-- The complainant's name, phone and e-mail are personal data: they live only
-- in this table, are masked for everyone but the complaint's handlers, and
-- are never copied into audit_log or the ledger (events name the row only).
CREATE TABLE complaints (
    id INTEGER PRIMARY KEY,
    tracking_no TEXT NOT NULL UNIQUE,          -- TS-YYYY-XXXXXXXX-C (core/complaint.h)
    query_hash TEXT NOT NULL,                  -- SHA-256 hex of the query code shown once
    department_id BIGINT NOT NULL REFERENCES departments(id),
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('officer', 'case', 'department')),
    subject_text TEXT NOT NULL DEFAULT '',     -- officer name / certificate, case number
    officer_id BIGINT REFERENCES officers(id), -- resolved from a certificate number
    case_id BIGINT REFERENCES cases(id),       -- resolved from a case number
    content TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN
        ('submitted', 'accepted', 'investigating', 'replied', 'closed', 'rejected')),
    handler_id BIGINT REFERENCES users(id),
    reply TEXT NOT NULL DEFAULT '',            -- what the complainant sees
    replied_at BIGINT,
    clock_id BIGINT REFERENCES clocks(id),     -- the 办结 deadline (rule complaint_handle)
    due_date TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX complaints_department ON complaints(department_id, status, created_at);

-- Files the complainant attached (photos, PDF), kept in their own
-- content-addressed store DATA/complaint-files (blob.h), not with evidence.
CREATE TABLE complaint_attachments (
    id INTEGER PRIMARY KEY,
    complaint_id BIGINT NOT NULL REFERENCES complaints(id),
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    filename TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL
);
CREATE INDEX complaint_attachments_complaint ON complaint_attachments(complaint_id);

-- What happened to a complaint. public = 1 rows are shown to the
-- complainant on the tracking page (accepted, replied, closed ...); notes of
-- the investigation stay internal.
CREATE TABLE complaint_events (
    id INTEGER PRIMARY KEY,
    complaint_id BIGINT NOT NULL REFERENCES complaints(id),
    at BIGINT NOT NULL,
    actor_id BIGINT REFERENCES users(id),      -- NULL: the complainant
    action TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    public INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX complaint_events_complaint ON complaint_events(complaint_id, at);

-- Portal submissions per client address (SHA-256 of the address, never the
-- address itself), for the per-address rate limit. Old rows are useless
-- after the window and are removed by the next submission.
CREATE TABLE complaint_submissions (
    id INTEGER PRIMARY KEY,
    addr_hash TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX complaint_submissions_addr ON complaint_submissions(addr_hash, at);

-- The handling deadline: 15 working days from the day after receipt by
-- default (editable like every rule on the console's deadline page).
INSERT INTO deadline_rules (code, name, kind, workdays, month, day, year_offset,
                            extension_workdays, pausable, basis, updated_at, updated_by)
VALUES ('complaint_handle', '投诉举报办结', 'workdays', 15, 0, 0, 0, 15, 1,
        '默认十五个工作日办结（自收到投诉次日起算），可按本地投诉举报处理制度修改', 0, '')
ON CONFLICT (code) DO NOTHING;

-- 调阅监督 (issue 8) reads the audit trail by kind of look and time.
CREATE INDEX audit_log_action_at ON audit_log(action, at);
CREATE INDEX audit_log_actor_at ON audit_log(actor_id, at);
