-- 0008_review: legal review of major enforcement decisions (重大执法决定法制审核,
-- issue 6). See src/store/review_store.h; the rules are in src/core/review.h.
-- Every change to these tables is written together with its audit row (and
-- so its ledger event) in one transaction.

-- A department's catalog of major decisions (目录清单), one row per version.
-- body is the catalog as zf_review_catalog_to_json writes it; the columns
-- beside it repeat what lists and the filing workflow query.
CREATE TABLE review_catalogs (
    id INTEGER PRIMARY KEY,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    version INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'filed', 'returned')),
    body TEXT NOT NULL,
    filed_on TEXT,                           -- 'YYYY-MM-DD' once filed (备案)
    filing_ref TEXT NOT NULL DEFAULT '',     -- 备案号
    return_reason TEXT NOT NULL DEFAULT '',
    submitted_by BIGINT REFERENCES users(id),
    submitted_at BIGINT,
    decided_by BIGINT REFERENCES users(id),  -- the Justice Bureau's supervisor who filed or returned it
    decided_at BIGINT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (department_id, version)
);

-- The proposed decision of a case and what the catalog said about it.
CREATE TABLE case_reviews (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    facts TEXT NOT NULL DEFAULT '{}',        -- the facts as classified (JSON object)
    facts_sha256 TEXT NOT NULL DEFAULT '',   -- of the canonical facts: the proposal reference
    catalog_version INTEGER NOT NULL DEFAULT 0, -- 0 = the built-in defaults
    matches TEXT NOT NULL DEFAULT '[]',      -- [{"code","title"}] in catalog order
    listed INTEGER NOT NULL DEFAULT 0,
    major INTEGER NOT NULL DEFAULT 0,
    override_kind TEXT NOT NULL DEFAULT 'none'
        CHECK (override_kind IN ('none', 'mark_major', 'mark_not_major')),
    override_by TEXT NOT NULL DEFAULT '',
    override_by_id BIGINT REFERENCES users(id),
    override_reason TEXT NOT NULL DEFAULT '',
    override_on TEXT,
    bureau_notice INTEGER NOT NULL DEFAULT 0, -- a listed decision marked not major: the Justice Bureau sees it
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX case_reviews_notice ON case_reviews(bureau_notice, department_id);

-- One row per round of review (送审 → 接收 → 审核意见 → 退回 …).
CREATE TABLE review_rounds (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    no INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('submitted', 'in_review', 'concluded', 'returned')),
    route TEXT NOT NULL CHECK (route IN ('department', 'justice_bureau')),
    facts TEXT NOT NULL DEFAULT '{}',        -- the proposal reviewed in this round
    proposal_ref TEXT NOT NULL DEFAULT '',
    materials TEXT NOT NULL DEFAULT '[]',    -- [{"material","label","text","document","document_id"}]
    submitted_by_id BIGINT REFERENCES users(id),
    submitted_by TEXT NOT NULL,
    submitted_on TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    assigned_user_id BIGINT REFERENCES users(id), -- a reviewer of the city-wide pool
    reviewer_user_id BIGINT REFERENCES users(id),
    reviewer TEXT NOT NULL DEFAULT '',
    reviewer_from_pool INTEGER NOT NULL DEFAULT 0,
    received_on TEXT,                        -- the clock starts (3 working days)
    due_on TEXT,                             -- as last computed (the clock is recomputed on read)
    extended_by TEXT NOT NULL DEFAULT '',    -- the approving leader (分管领导)
    extended_on TEXT,
    extended_by_id BIGINT REFERENCES users(id), -- who recorded the approval
    checks TEXT NOT NULL DEFAULT '[]',       -- [{"point","state","note"}]
    outcome TEXT NOT NULL DEFAULT '',
    outcome_label TEXT NOT NULL DEFAULT '',
    outcome_passes INTEGER NOT NULL DEFAULT 0,
    reasons TEXT NOT NULL DEFAULT '',
    concluded_on TEXT,
    concluded_by_id BIGINT REFERENCES users(id),
    returned_on TEXT,
    collective TEXT NOT NULL DEFAULT 'none' CHECK (collective IN ('none', 'proceed', 'uphold')),
    collective_on TEXT,
    collective_record TEXT NOT NULL DEFAULT '',
    collective_by_id BIGINT REFERENCES users(id),
    opinion_doc_id BIGINT REFERENCES case_documents(id), -- the 法制审核意见书
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (case_id, no)
);
CREATE INDEX review_rounds_queue ON review_rounds(state, department_id);
CREATE INDEX review_rounds_reviewer ON review_rounds(reviewer_user_id);

-- The city-wide pool of legal advisers and 公职律师 (seed item 11(2)): a
-- department short of reviewers can have a review assigned to one of them.
CREATE TABLE review_pool (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL UNIQUE REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind IN ('legal_adviser', 'public_lawyer')),
    legal_qualified INTEGER NOT NULL DEFAULT 1,
    note TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
