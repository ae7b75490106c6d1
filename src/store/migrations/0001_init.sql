-- 0001_init: the three master libraries (三库), accounts, sessions, audit.
-- Portable SQL: ids are "INTEGER PRIMARY KEY" (the PostgreSQL backend maps
-- this to an identity column), times are BIGINT Unix seconds (UTC), dates are
-- TEXT 'YYYY-MM-DD', booleans are INTEGER 0/1, lists are JSON text.

CREATE TABLE departments (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    short_name TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT 'enforcement',
    address TEXT NOT NULL DEFAULT '',
    postcode TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    website TEXT NOT NULL DEFAULT '',
    duties TEXT NOT NULL DEFAULT '',
    area TEXT NOT NULL DEFAULT '',
    supervision_contact TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    name TEXT NOT NULL,
    duties TEXT NOT NULL DEFAULT '',
    area TEXT NOT NULL DEFAULT '',
    UNIQUE (department_id, name)
);

CREATE TABLE officers (
    id INTEGER PRIMARY KEY,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    unit_id BIGINT REFERENCES units(id),
    name TEXT NOT NULL,
    gender TEXT NOT NULL DEFAULT '',
    position TEXT NOT NULL DEFAULT '',
    certificate_no TEXT NOT NULL UNIQUE,
    certificate_valid_from TEXT NOT NULL,
    certificate_valid_to TEXT NOT NULL,
    categories TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'revoked')),
    legal_qualified INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX officers_department ON officers(department_id, name);

CREATE TABLE laws (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL DEFAULT '',
    issuer TEXT NOT NULL DEFAULT '',
    effective_date TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    content_sha256 TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE law_articles (
    id INTEGER PRIMARY KEY,
    law_id BIGINT NOT NULL REFERENCES laws(id) ON DELETE CASCADE,
    no INTEGER NOT NULL,
    label TEXT NOT NULL,
    chapter TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    UNIQUE (law_id, no)
);

CREATE TABLE matters (
    id INTEGER PRIMARY KEY,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    power_type TEXT NOT NULL CHECK (power_type IN
        ('licensing', 'penalty', 'coercion', 'inspection', 'expropriation', 'other')),
    legal_basis TEXT NOT NULL DEFAULT '',
    procedure TEXT NOT NULL DEFAULT '',
    time_limit_days INTEGER,
    accepting_body TEXT NOT NULL DEFAULT '',
    approving_body TEXT NOT NULL DEFAULT '',
    fee TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX matters_department ON matters(department_id, power_type);

CREATE TABLE matter_basis (
    matter_id BIGINT NOT NULL REFERENCES matters(id) ON DELETE CASCADE,
    law_id BIGINT NOT NULL REFERENCES laws(id),
    article_no INTEGER NOT NULL,
    PRIMARY KEY (matter_id, law_id, article_no)
);

CREATE TABLE benchmarks (
    id INTEGER PRIMARY KEY,
    matter_id BIGINT NOT NULL REFERENCES matters(id) ON DELETE CASCADE,
    violation TEXT NOT NULL,
    circumstance TEXT NOT NULL,
    penalty_range TEXT NOT NULL,
    min_fine DOUBLE PRECISION,
    max_fine DOUBLE PRECISION
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN
        ('officer', 'reviewer', 'head', 'publicity', 'supervisor', 'auditor', 'admin')),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    officer_id BIGINT REFERENCES officers(id),
    password_hash TEXT NOT NULL,
    password_changed_at BIGINT NOT NULL,
    totp_secret TEXT,
    totp_enabled INTEGER NOT NULL DEFAULT 0,
    totp_last_step BIGINT NOT NULL DEFAULT 0,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    last_login_at BIGINT
);

-- Failed logins per (account, client address): a stranger can lock out only
-- their own address, never the real user working from elsewhere.
CREATE TABLE login_failures (
    username TEXT NOT NULL,
    ip TEXT NOT NULL,
    failures INTEGER NOT NULL,
    first_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (username, ip)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL DEFAULT 'read',
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    object_type TEXT NOT NULL DEFAULT '',
    object_id TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT '',
    request_id TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
