-- 0010_archive: the 案卷 record of archived cases and 案卷评查 (issue 5).
-- See src/store/archive_store.h (the record), src/api/bundle.c (the bundle
-- built from it) and src/api/evaluations.c (sampling and scoring).

-- When a case is archived (归档), the list of what its 案卷 holds — the case's
-- canonical content hash, every final document's content hash and every
-- evidence file's hash and size — is written here as RFC 8785 JSON in the
-- same transaction, and its SHA-256 goes into the ledger (audit action
-- case_archive), so a bundle downloaded years later can be checked against
-- what was archived.
CREATE TABLE case_archives (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    record TEXT NOT NULL,                    -- canonical JSON, the hashed bytes
    record_sha256 TEXT NOT NULL,
    archived_at BIGINT NOT NULL,
    archived_by BIGINT
);

-- 案卷评查 checklist: data, edited by the Justice Bureau. A draw copies the
-- active items (with their weights) when it is made, so changing the list
-- never changes a draw already scored.
CREATE TABLE eval_checklist (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    weight INTEGER NOT NULL CHECK (weight > 0 AND weight <= 100),
    description TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL
);
INSERT INTO eval_checklist (code, name, weight, description, position) VALUES
    ('subject', '主体合法', 10, '执法主体适格，执法人员具有执法资格', 1),
    ('facts', '事实清楚', 15, '违法事实认定清楚，时间、地点、情节明确', 2),
    ('evidence', '证据确凿', 15, '证据充分、合法，证明力足以认定事实', 3),
    ('procedure', '程序合法', 15, '立案、调查、告知、听证、审核、决定、送达等程序合法', 4),
    ('law', '适用法律正确', 15, '适用法律、法规、规章准确，引用条款完整', 5),
    ('discretion', '裁量适当', 10, '符合裁量基准，过罚相当', 6),
    ('documents', '文书规范', 10, '执法文书使用规范、要素齐全、文号正确', 7),
    ('archive', '归档完整', 10, '案卷材料齐全，装订、排列、目录符合要求', 8);

-- One random draw. seed: the text every ranking key is derived from
-- (SHA-256 of seed ":" case id, smallest first), so anyone can re-run it.
-- population: JSON [{department_id, population, sampled}] as it was drawn.
CREATE TABLE eval_draws (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    seed TEXT NOT NULL,
    ratio_pct INTEGER,                       -- per department, percent (rounded up); or
    count_per_dept INTEGER,                  -- a fixed number per department
    from_date TEXT,                          -- cases created on or after (YYYY-MM-DD)
    to_date TEXT,                            -- ... on or before
    departments TEXT NOT NULL,               -- JSON array of department ids drawn from
    checklist TEXT NOT NULL,                 -- JSON [{code, name, weight}] at the time of the draw
    population TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);

CREATE TABLE eval_samples (
    id INTEGER PRIMARY KEY,
    draw_id BIGINT NOT NULL REFERENCES eval_draws(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    rank_key TEXT NOT NULL,                  -- hex SHA-256(seed ":" case_id)
    score REAL,                              -- 0-100, NULL until scored
    comment TEXT NOT NULL DEFAULT '',
    scored_by BIGINT REFERENCES users(id),
    scored_at BIGINT,
    UNIQUE (draw_id, case_id)
);
CREATE INDEX eval_samples_draw ON eval_samples(draw_id, department_id);

CREATE TABLE eval_scores (
    sample_id BIGINT NOT NULL REFERENCES eval_samples(id),
    item_code TEXT NOT NULL,
    points INTEGER NOT NULL,                 -- 0..weight; below the weight = a deduction (扣分)
    comment TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (sample_id, item_code)
);
