-- 0005_cases: cases and their whole-process record (执法全过程记录, issue 5).
-- See src/store/case_store.h. The life cycle itself is data in
-- src/core/workflow.c; these tables hold where each case stands and how it got
-- there. Statutory clocks in working days live in the calendar's clocks table
-- (object_type 'case'); the calendar-day ones (90 日, 30 日) in case_day_clocks
-- until core/deadline.h grows a calendar-day rule kind.

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    matter_id BIGINT REFERENCES matters(id),
    procedure TEXT NOT NULL,                 -- zf_wf_procedure.code
    power_type TEXT NOT NULL,                -- penalty, license, coercion, inspection, expropriation
    stage TEXT NOT NULL,                     -- zf_wf_stage.code
    flags INTEGER NOT NULL DEFAULT 0,        -- ZF_WF_* flags
    case_no TEXT,                            -- 立案号, assigned when the case leaves its first stage
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',         -- 案件来源 (监督检查, 投诉, 举报 ...)
    secrecy TEXT NOT NULL DEFAULT 'none' CHECK (secrecy IN
        ('none', 'state_secret', 'commercial_secret', 'personal_privacy')),
    fine_fen BIGINT,                         -- the fine decided, in fen (分)
    outcome TEXT NOT NULL DEFAULT '',        -- zf_wf_action.outcome of the deciding action
    wait_until TEXT,                         -- 'YYYY-MM-DD': the statutory waiting period ends (ZF_WF_WAIT_OVER after it)
    stage_entered_at BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    archived_at BIGINT
);
CREATE UNIQUE INDEX cases_case_no ON cases(department_id, case_no) WHERE case_no IS NOT NULL;
CREATE INDEX cases_department ON cases(department_id, updated_at);
CREATE INDEX cases_stage ON cases(stage, procedure);
CREATE INDEX cases_created ON cases(created_at);

-- Identifier: 18-character 统一社会信用代码 (GB 32100) or 居民身份证号码 (GB 11643),
-- check character verified on the way in; '' when the party has none (a
-- foreigner's passport is kept in id_type/identifier as given).
CREATE TABLE case_parties (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL CHECK (kind IN ('person', 'legal_person', 'unincorporated', 'individual_business')),
    name TEXT NOT NULL,
    id_type TEXT NOT NULL DEFAULT '',
    identifier TEXT NOT NULL DEFAULT '',
    legal_rep TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX case_parties_case ON case_parties(case_id);
CREATE INDEX case_parties_identifier ON case_parties(identifier);

CREATE TABLE case_officers (
    case_id BIGINT NOT NULL REFERENCES cases(id),
    officer_id BIGINT NOT NULL REFERENCES officers(id),
    position INTEGER NOT NULL DEFAULT 0,     -- 0 = 主办, then 协办 in order
    PRIMARY KEY (case_id, officer_id)
);
CREATE INDEX case_officers_officer ON case_officers(officer_id);

-- The stage history: one row per action taken (and 'create' for 案源登记).
CREATE TABLE case_events (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    action TEXT NOT NULL,
    from_stage TEXT,                         -- NULL for 'create'
    to_stage TEXT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}',       -- JSON: clocks started/finished, officers, outcome
    at BIGINT NOT NULL
);
CREATE INDEX case_events_case ON case_events(case_id, id);

-- The evidence files an action relied on (the recording of a 查封 ...).
CREATE TABLE case_event_evidence (
    event_id BIGINT NOT NULL REFERENCES case_events(id),
    evidence_id BIGINT NOT NULL REFERENCES evidence_files(id),
    PRIMARY KEY (event_id, evidence_id)
);
CREATE INDEX case_event_evidence_file ON case_event_evidence(evidence_id);

CREATE TABLE case_documents (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    template TEXT NOT NULL,                  -- ZF_DOC_* code
    fields TEXT NOT NULL DEFAULT '{}',       -- JSON, validated with zf_doc_validate
    evidence_id BIGINT REFERENCES evidence_files(id), -- the scan, for codes without a template
    doc_no TEXT,                             -- 文号, assigned at finalization
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'final')),
    content_sha256 TEXT NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finalized_by BIGINT REFERENCES users(id),
    finalized_at BIGINT
);
CREATE INDEX case_documents_case ON case_documents(case_id, template);
CREATE UNIQUE INDEX case_documents_doc_no ON case_documents(department_id, doc_no) WHERE doc_no IS NOT NULL;

-- 文号 counters: one per department, kind (处罚, 罚告 ..., and 立 for the 立案号)
-- and year. Incremented in the transaction that uses the number.
CREATE TABLE docno_counters (
    department_id BIGINT NOT NULL REFERENCES departments(id),
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_seq BIGINT NOT NULL,
    PRIMARY KEY (department_id, kind, year)
);

-- The abbreviation a department's 文号 start with ("赣江市监"); without a row
-- the department's short name without its final 局 is used.
CREATE TABLE docno_prefixes (
    department_id BIGINT PRIMARY KEY REFERENCES departments(id),
    prefix TEXT NOT NULL
);

-- Calendar-day statutory clocks (行政处罚法 第六十条 90 日, 行政强制法 第二十五条
-- 30 日): due = start + days (+ extension) + days suspended.
CREATE TABLE case_day_clocks (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    rule_code TEXT NOT NULL,
    start_date TEXT NOT NULL,
    due_date TEXT NOT NULL,                  -- as of the last resumption
    paused_from TEXT,                        -- set while suspended
    paused_days INTEGER NOT NULL DEFAULT 0,
    extension_days INTEGER NOT NULL DEFAULT 0,
    done_date TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX case_day_clocks_case ON case_day_clocks(case_id);
CREATE INDEX case_day_clocks_open ON case_day_clocks(done_date, due_date);

-- Recording devices (执法记录仪, 手持执法终端).
CREATE TABLE devices (
    id INTEGER PRIMARY KEY,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    serial TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('body_camera', 'handheld', 'other')),
    model TEXT NOT NULL DEFAULT '',
    officer_id BIGINT REFERENCES officers(id),
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'repair', 'retired')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX devices_department ON devices(department_id, serial);

-- 音像记录事项清单: per department, which actions are recorded, how, whether
-- it is mandatory (beyond the workflow's defaults) and for how long it is kept.
CREATE TABLE av_items (
    id INTEGER PRIMARY KEY,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    matter_id BIGINT REFERENCES matters(id),  -- NULL: every matter of the department
    procedure TEXT NOT NULL DEFAULT '',       -- '' = any procedure
    action TEXT NOT NULL,                     -- zf_wf_action.code
    method TEXT NOT NULL CHECK (method IN ('video', 'audio', 'photo', 'text')),
    mandatory INTEGER NOT NULL DEFAULT 0,
    retention TEXT NOT NULL REFERENCES retention_categories(code),
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX av_items_department ON av_items(department_id);
