-- 0004_evidence: the evidence store (音像记录 and attachments, issue 4).
-- Content lives in the blob store (DATA/evidence, named by SHA-256); these
-- tables hold what is known about each file. See src/api/evidence.c.

-- Retention periods per category; months NULL = kept for ever. Editable by
-- the administrator (PUT /api/v1/retention-categories/{code}); a change
-- applies to files uploaded afterwards.
CREATE TABLE retention_categories (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    months INTEGER CHECK (months IS NULL OR months > 0),
    updated_at BIGINT NOT NULL DEFAULT 0
);
INSERT INTO retention_categories (code, name, months) VALUES
    ('routine', '日常执法音像记录', 6),
    ('important', '重要执法音像记录', 36),
    ('permanent', '永久保存', NULL);

CREATE TABLE evidence_files (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,                 -- lowercase hex: the blob's name
    sm3 TEXT NOT NULL DEFAULT '',         -- lowercase hex when computed (国密 mode)
    size BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('audio', 'video', 'photo', 'scan', 'other')),
    content_type TEXT NOT NULL DEFAULT 'application/octet-stream',
    filename TEXT NOT NULL DEFAULT '',
    device TEXT NOT NULL DEFAULT '',      -- recording device (执法记录仪编号 ...)
    officers TEXT NOT NULL DEFAULT '[]',  -- JSON array of officers.id
    started_at BIGINT,
    ended_at BIGINT,
    duration BIGINT,                      -- seconds
    location TEXT NOT NULL DEFAULT '',
    department_id BIGINT NOT NULL REFERENCES departments(id),
    case_id BIGINT,                       -- cases arrive in a later issue: no FK yet
    party_id TEXT NOT NULL DEFAULT '',    -- 统一社会信用代码 or 身份证号: personal data,
                                          -- never copied into audit_log or the ledger
    party_name TEXT NOT NULL DEFAULT '',
    secrecy TEXT NOT NULL DEFAULT 'none' CHECK (secrecy IN
        ('none', 'state_secret', 'commercial_secret', 'personal_privacy')),
    retention TEXT NOT NULL REFERENCES retention_categories(code),
    expires_at BIGINT,                    -- NULL: permanent (linked to a case, or category)
    parent_id BIGINT REFERENCES evidence_files(id),
    derivation TEXT NOT NULL DEFAULT '' CHECK (derivation IN
        ('', 'redacted', 'transcoded', 'excerpt', 'other')),
    state TEXT NOT NULL DEFAULT 'stored' CHECK (state IN ('stored', 'trashed', 'purged')),
    trashed_at BIGINT,
    purged_at BIGINT,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
-- The same content is recorded once while it is stored; an expired
-- (trashed/purged) record does not block uploading that content again.
CREATE UNIQUE INDEX evidence_files_sha256 ON evidence_files(sha256) WHERE state = 'stored';
CREATE INDEX evidence_files_department ON evidence_files(department_id, created_at);
CREATE INDEX evidence_files_case ON evidence_files(case_id);
CREATE INDEX evidence_files_party ON evidence_files(party_id);
CREATE INDEX evidence_files_parent ON evidence_files(parent_id);
CREATE INDEX evidence_files_expiry ON evidence_files(state, expires_at);

-- Resumable uploads (Content-Range). The bytes received so far are in
-- DATA/evidence-uploads/<id>.part; received counts only bytes that were
-- fsynced before this row was updated, so after a crash the file is cut
-- back to received and the client resumes from there.
CREATE TABLE evidence_uploads (
    id INTEGER PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,           -- random; the file name, never guessable
    created_by BIGINT NOT NULL REFERENCES users(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    parent_id BIGINT REFERENCES evidence_files(id),
    size BIGINT NOT NULL,
    received BIGINT NOT NULL DEFAULT 0,
    metadata TEXT NOT NULL,               -- validated JSON, applied when complete
    evidence_id BIGINT REFERENCES evidence_files(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX evidence_uploads_updated ON evidence_uploads(updated_at);

-- Idempotency-Key: the first response to a (user, key) is kept and replayed
-- for any retry, so a retried upload never creates a second record.
CREATE TABLE idempotency_keys (
    user_id BIGINT NOT NULL REFERENCES users(id),
    key TEXT NOT NULL,
    route TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);

-- Who looked up which party (GET /api/v1/parties/{identifier}/records). The
-- identifier is personal data, so it lives here and the audit row names only
-- this row's id.
CREATE TABLE party_lookups (
    id INTEGER PRIMARY KEY,
    at BIGINT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    identifier TEXT NOT NULL,
    reason TEXT NOT NULL
);

