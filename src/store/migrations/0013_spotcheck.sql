-- 0013_spotcheck: 双随机、一公开 (issue 7) — random-check plans, the pool of
-- regulated entities of each plan (检查对象名录库), the inspector pool frozen
-- when the seed is committed (执法检查人员名录库: active officers with a valid
-- certificate), the draw and the inspection results. The results are
-- published through the publications queue (0011) with the publish_spot_check
-- clock. The algorithm and the seed commitment: docs/spotcheck.md.

CREATE TABLE spot_plans (
    id INTEGER PRIMARY KEY,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    title TEXT NOT NULL,
    check_item_id BIGINT REFERENCES publicity_items(id), -- the 随机抽查事项清单 entry
    check_item_name TEXT NOT NULL DEFAULT '',             -- its 抽查事项 when the plan was made
    ratio_permille INTEGER NOT NULL CHECK (ratio_permille BETWEEN 1 AND 1000),
    inspectors_per_entity INTEGER NOT NULL DEFAULT 2 CHECK (inspectors_per_entity BETWEEN 1 AND 5),
    period_from TEXT NOT NULL,                  -- 'YYYY-MM-DD': when the checks take place
    period_to TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'seeded', 'drawn')),
    seed TEXT,                                  -- 64 hex: 32 bytes from libsodium
    pool_size INTEGER,
    pool_hash TEXT,
    inspector_pool_size INTEGER,
    inspector_pool_hash TEXT,
    commitment TEXT,                            -- content_sha256 of the seed's ledger event
    seed_ledger_idx BIGINT,
    seeded_at BIGINT,
    selection_hash TEXT,                        -- content_sha256 of the draw's ledger event
    draw_ledger_idx BIGINT,
    drawn_at BIGINT,
    repeated_pairs INTEGER NOT NULL DEFAULT 0,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX spot_plans_department ON spot_plans(department_id, state);

CREATE TABLE spot_entities (
    id INTEGER PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES spot_plans(id),
    credit_code TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    UNIQUE (plan_id, credit_code)
);

-- The inspector pool as it was when the seed was committed: the draw is
-- re-run from this, whatever happens to the officers later.
CREATE TABLE spot_inspectors (
    plan_id BIGINT NOT NULL REFERENCES spot_plans(id),
    officer_id BIGINT NOT NULL REFERENCES officers(id),
    certificate_no TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (plan_id, officer_id)
);

-- Conflicts of interest (回避) declared before the seed: the officer is never
-- drawn to inspect the entity. Part of the seed commitment; reason internal.
CREATE TABLE spot_conflicts (
    plan_id BIGINT NOT NULL REFERENCES spot_plans(id),
    entity_id BIGINT NOT NULL REFERENCES spot_entities(id),
    officer_id BIGINT NOT NULL REFERENCES officers(id),
    reason TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (plan_id, entity_id, officer_id)
);

-- One drawn entity, its inspectors and the result of the inspection.
CREATE TABLE spot_selections (
    id INTEGER PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES spot_plans(id),
    draw_order INTEGER NOT NULL,                -- 1, 2 ... in the order drawn
    entity_id BIGINT NOT NULL REFERENCES spot_entities(id),
    result TEXT CHECK (result IN ('normal', 'problem')), -- NULL until entered
    inspected_on TEXT,                          -- the day the check ended
    findings TEXT NOT NULL DEFAULT '',          -- what was found (problem)
    handling TEXT NOT NULL DEFAULT '',          -- how it was dealt with (problem)
    handled_on TEXT,                            -- NULL while a problem is being dealt with
    result_by BIGINT REFERENCES users(id),
    result_at BIGINT,
    publication_id BIGINT REFERENCES publications(id),
    UNIQUE (plan_id, draw_order),
    UNIQUE (plan_id, entity_id)
);

CREATE TABLE spot_selection_inspectors (
    selection_id BIGINT NOT NULL REFERENCES spot_selections(id),
    seq INTEGER NOT NULL,                       -- 1..inspectors_per_entity, as drawn
    officer_id BIGINT NOT NULL REFERENCES officers(id),
    PRIMARY KEY (selection_id, seq)
);
CREATE INDEX spot_selection_inspectors_officer ON spot_selection_inspectors(officer_id);
