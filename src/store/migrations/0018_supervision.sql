-- 0018_supervision.sql — issue 8: the implementation tracker (任务分解表), filings
-- (备案) with the Justice Bureau, the cockpit's precomputed numbers, the
-- assessment weights (考评) and the early-warning rules and their findings.

-- The task table of the implementation plan. Each row is one 具体措施 of the
-- annex; due_date NULL means 长期执行 (ongoing, never late). check_kind says how
-- zhifa knows a department has done it: by an accepted filing of that kind,
-- by the department holding recording devices, or by a supervisor's mark.
CREATE TABLE tracker_tasks (
    id INTEGER PRIMARY KEY,
    system TEXT NOT NULL CHECK (system IN ('publicity', 'recording', 'review', 'other')),
    seq INTEGER NOT NULL DEFAULT 0,          -- 序号 within the system
    task TEXT NOT NULL,                      -- 工作任务
    measure TEXT NOT NULL,                   -- 具体措施
    requirement TEXT NOT NULL DEFAULT '',    -- 具体要求
    departments TEXT NOT NULL DEFAULT '',    -- 责任单位, as the plan words it
    due_date TEXT,                           -- 'YYYY-MM-DD'; NULL = 长期执行
    check_kind TEXT NOT NULL DEFAULT 'manual' CHECK (check_kind IN
        ('manual', 'filing_matters', 'filing_review_catalog', 'filing_av_items',
         'filing_device_rules', 'devices')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- A supervisor's record that a department completed a 'manual' task.
CREATE TABLE tracker_marks (
    task_id BIGINT NOT NULL REFERENCES tracker_tasks(id) ON DELETE CASCADE,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    done_on TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    marked_by BIGINT REFERENCES users(id),
    marked_at BIGINT NOT NULL,
    PRIMARY KEY (task_id, department_id)
);

-- Filings other than the review catalog (which lives in review_catalogs,
-- issue 6). body is the JSON snapshot filed: the department's matters or
-- 音像记录事项清单 as they stood when submitted, or the device rules' text.
CREATE TABLE filings (
    id INTEGER PRIMARY KEY,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    kind TEXT NOT NULL CHECK (kind IN ('matters', 'av_items', 'device_rules')),
    version INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('submitted', 'accepted', 'returned')),
    body TEXT NOT NULL,
    body_sha256 TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',           -- the department's covering note
    comments TEXT NOT NULL DEFAULT '',       -- the Justice Bureau's comments
    submitted_by BIGINT REFERENCES users(id),
    submitted_on TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    decided_by BIGINT REFERENCES users(id),
    decided_on TEXT,
    decided_at BIGINT,
    UNIQUE (department_id, kind, version)
);
CREATE INDEX filings_state ON filings(state, kind);

-- The cockpit's numbers per department, recomputed as a whole by a tick (or
-- on demand); the city view sums them. metric names are documented in
-- docs/openapi.yaml (CockpitView).
CREATE TABLE cockpit_stats (
    department_id BIGINT NOT NULL REFERENCES departments(id),
    metric TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (department_id, metric)
);

CREATE TABLE cockpit_meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    computed_at BIGINT NOT NULL,             -- when the numbers were computed
    as_of TEXT NOT NULL,                     -- the China date they are computed for
    duration_ms BIGINT NOT NULL,
    started_ms BIGINT NOT NULL DEFAULT 0,    -- wall-clock ms when its reads began: an older
                                             -- computation finishing late never replaces a newer one
    complaints_available INTEGER NOT NULL DEFAULT 0 -- 1 once the complaints table exists
);

-- 考评: the weight of each component of the assessment score.
CREATE TABLE assessment_weights (
    component TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    weight DOUBLE PRECISION NOT NULL CHECK (weight >= 0)
);
INSERT INTO assessment_weights (component, label, weight) VALUES
    ('publication_on_time', '执法决定按时公示率', 25),
    ('review_on_time', '法制审核按时办结率', 20),
    ('recording_complete', '必须音像记录的完整率', 20),
    ('reviewer_staffing', '法制审核人员配备（不少于执法人员 5%）', 10),
    ('certificates_valid', '执法证件有效率', 10),
    ('tracker_done', '任务分解表按期完成率', 15);

-- Early-warning rules as data: kind names the computation (one of a fixed
-- set, see docs/architecture.md), params its thresholds; a new rule is a
-- new row. level: yellow (提示) or red (警示).
CREATE TABLE warning_rules (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('yellow', 'red')),
    params TEXT NOT NULL DEFAULT '{}',
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- What the rules found at the last evaluation (replaced as a whole).
CREATE TABLE warnings (
    id INTEGER PRIMARY KEY,
    rule_id BIGINT NOT NULL REFERENCES warning_rules(id) ON DELETE CASCADE,
    department_id BIGINT REFERENCES departments(id),
    level TEXT NOT NULL,
    object_type TEXT NOT NULL,               -- department, case, publication, officer, review, clock
    object_id BIGINT NOT NULL,
    case_id BIGINT,
    explanation TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',           -- console drill-down (hash route)
    computed_at BIGINT NOT NULL
);
CREATE INDEX warnings_department ON warnings(department_id, level);
CREATE INDEX warnings_rule ON warnings(rule_id);

INSERT INTO warning_rules (code, kind, name, level, params, created_at, updated_at) VALUES
    ('publication_overdue', 'publication_overdue', '执法决定逾期未公示', 'red', '{}', 0, 0),
    ('review_overdue', 'review_overdue', '法制审核超过期限未办结', 'red', '{}', 0, 0),
    ('clock_overdue', 'clock_overdue', '办案期限已届满仍未办结', 'yellow', '{}', 0, 0),
    ('expired_certificate', 'expired_certificate_acting', '执法证件过期后仍在执法', 'red', '{}', 0, 0),
    ('reviewer_shortage', 'reviewer_shortage', '法制审核人员少于执法人员的 5%', 'yellow', '{"percent":5}', 0, 0),
    ('penalties_unpublished', 'penalties_without_publication', '作出行政处罚却未公示任何决定', 'red',
     '{"days":90,"min_penalties":1}', 0, 0),
    ('decision_after_disagree', 'decision_after_disagree', '法制审核“不同意”后仍作出决定', 'red', '{}', 0, 0),
    ('fine_off_benchmark', 'fine_off_benchmark', '罚款金额明显偏离同一事项的裁量基准', 'yellow',
     '{"tolerance_percent":20}', 0, 0),
    ('officer_concentration', 'officer_case_share', '一名执法人员承办本部门案件比例异常', 'yellow',
     '{"days":180,"share_percent":50,"min_cases":10}', 0, 0),
    ('closed_without_recording', 'closed_without_recording', '案件办结但缺少必须的音像记录', 'red', '{}', 0, 0),
    ('repeated_withdrawals', 'repeated_withdrawals', '短期内多次撤回公示', 'yellow', '{"days":90,"min":3}', 0, 0);

-- The annex of the seed's implementation plan (南昌市全面推行“三项制度”工作
-- 任务分解表), typed in as the starting plan; another city edits it.
INSERT INTO tracker_tasks (system, seq, task, measure, requirement, departments, due_date, check_kind, created_at, updated_at) VALUES
    ('publicity', 1, '健全制度机制', '编制行政执法事项清单', '结合权力清单和责任清单等，编制本部门《行政执法事项清单》，报市司法局备案。', '市各行政执法部门', '2019-09-30', 'filing_matters', 0, 0),
    ('publicity', 1, '健全制度机制', '制定行政执法信息公示具体制度规范', '明确公示的范围、内容、程序、时限要求、监督方式等；建立健全对公开信息的审核、纠错机制。', '市各行政执法部门', '2019-12-31', 'manual', 0, 0),
    ('publicity', 2, '强化事前公开', '公开基本信息', '公开执法主体、人员、职责、权限、依据、程序、随机抽查事项清单、监督方式和救济渠道等信息。', '市各行政执法部门', NULL, 'manual', 0, 0),
    ('publicity', 2, '强化事前公开', '编制各类执法行为流程图', '明确行政执法行为的具体操作流程。', '市各行政执法部门', '2019-09-30', 'manual', 0, 0),
    ('publicity', 2, '强化事前公开', '编制行政执法服务指南', '明确事项名称、依据、受理机构、审批机构、受理条件、申请材料、办理流程、办理时限等内容。', '市各行政执法部门', '2019-09-30', 'manual', 0, 0),
    ('publicity', 3, '规范事中公示', '在执法活动中按规定出具执法文书', '告知行政相对人执法事由、执法依据、权利义务等内容。', '市各行政执法部门', NULL, 'manual', 0, 0),
    ('publicity', 3, '规范事中公示', '执法时主动出示执法证件，表明身份', '出示有效行政执法证件。', '市各行政执法部门', NULL, 'manual', 0, 0),
    ('publicity', 3, '规范事中公示', '固定办事场所公开有关信息', '设置岗位信息公示牌，明示申请材料示范文本、办理进度查询、咨询服务、投诉举报等信息。', '市各行政执法部门', NULL, 'manual', 0, 0),
    ('publicity', 4, '加强事后公开', '公布执法决定', '按时限要求向社会公开。', '市各行政执法部门', NULL, 'manual', 0, 0),
    ('publicity', 4, '加强事后公开', '公布检查结果', '向社会公布“双随机”抽查情况及查处结果。', '市各行政执法部门', NULL, 'manual', 0, 0),
    ('publicity', 4, '加强事后公开', '建立行政执法统计年报制度', '每年1月31日前公开本部门上年度行政执法总体情况有关数据。', '市各行政执法部门', NULL, 'manual', 0, 0),
    ('recording', 1, '规范文字记录', '使用统一的行政执法文书格式文本', '确保执法文书完整准确，把行政执法文书作为全过程记录的基本形式。', '市各行政执法部门', NULL, 'manual', 0, 0),
    ('recording', 2, '规范音像记录', '编制音像记录事项清单', '对应当进行音像记录的事项进行梳理，形成目录。', '市各行政执法部门', '2019-09-30', 'filing_av_items', 0, 0),
    ('recording', 2, '规范音像记录', '制定音像记录设备使用管理和监督规则', '明确执法音像记录使用规范、记录要素、存储应用、监督管理等要求。', '市各行政执法部门', '2019-11-30', 'filing_device_rules', 0, 0),
    ('recording', 2, '规范音像记录', '配备音像记录设备', '按要求配备执法记录仪或手持执法终端等。', '市各行政执法部门', '2019-12-31', 'devices', 0, 0),
    ('review', 1, '明确审核范围', '制定重大执法决定法制审核目录清单', '制定除行政处罚外的重大执法决定法制审核目录清单，可增加本部门审核事项的种类和范围。', '市各行政执法部门', '2019-08-31', 'filing_review_catalog', 0, 0);
