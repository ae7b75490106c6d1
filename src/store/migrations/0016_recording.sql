-- 0016_recording: issue 5's leftovers — recording interruptions (音像记录中断),
-- evidence files tagged by a registered device, and the calendar-day and
-- legal-review clocks moved into the shared clocks table.

-- An audio/video recording of a step that broke off (device failure, flat
-- battery ...). The officer records it with its cause, a reason, the times and
-- the device; a mandatory step without a video is accepted only when such a
-- row exists for that step (core/workflow.h, zf_wf_state.interrupted). The
-- step that relied on it sets event_id, so one interruption excuses one step.
CREATE TABLE recording_interruptions (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    action TEXT NOT NULL,                     -- zf_wf_action.code of the step
    cause TEXT NOT NULL CHECK (cause IN
        ('device_failure', 'battery', 'storage_full', 'environment', 'other')),
    reason TEXT NOT NULL,
    device_id BIGINT NOT NULL REFERENCES devices(id),
    interrupted_at BIGINT NOT NULL,
    resumed_at BIGINT,                        -- NULL: the recording did not resume
    evidence_id BIGINT REFERENCES evidence_files(id), -- the partial recording, if any
    event_id BIGINT REFERENCES case_events(id),       -- the step that relied on it
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX recording_interruptions_case ON recording_interruptions(case_id, action);

-- Evidence files name their recording device by id (a registered device of
-- the department) instead of free text. device keeps the serial as recorded;
-- rows from before the registry whose text names a registered serial of the
-- same department get its id, the rest keep their text and no id.
ALTER TABLE evidence_files ADD COLUMN device_id BIGINT REFERENCES devices(id);
UPDATE evidence_files SET device_id = (SELECT d.id FROM devices d WHERE d.serial = evidence_files.device
                                        AND d.department_id = evidence_files.department_id)
WHERE device <> '';
CREATE INDEX evidence_files_device ON evidence_files(device_id);

-- The calendar-day clocks (行政处罚法 第六十条 九十日, 行政强制法 第二十五条、
-- 第三十二条 三十日) move from case_day_clocks into the shared clocks table as
-- ZF_RULE_CALENDAR_DAYS clocks carrying their own rule, so 期限预警 lists
-- them. The rule text is the workflow's (src/core/workflow.c). Pauses: an open
-- one (paused_from) stays open; the days of earlier, closed pauses were kept
-- only as a total, so they become one closed pause of that many days from the
-- start, which moves the due date exactly as they did. date() is SQLite's;
-- a PostgreSQL migration writes (start_date::date + paused_days)::text.
INSERT INTO clocks (rule_code, rule, object_type, object_id, department_id, start_date, due_date,
                    calendar_version, extension_workdays, extension_approver, pauses, done_date,
                    state, created_at, updated_at)
SELECT d.rule_code,
       '{"code":"' || d.rule_code || '","name":"' ||
       CASE d.rule_code WHEN 'penalty_decision_90d' THEN '行政处罚决定期限'
                        WHEN 'coercion_seizure_30d' THEN '查封扣押期限'
                        ELSE '冻结期限' END ||
       '","kind":"calendar_days","workdays":0,"month":0,"day":0,"year_offset":0,"extension_workdays":' ||
       CASE d.rule_code WHEN 'penalty_decision_90d' THEN '0' ELSE '30' END ||
       ',"pausable":' || CASE d.rule_code WHEN 'coercion_freeze_30d' THEN 'false' ELSE 'true' END ||
       ',"basis":"' ||
       CASE d.rule_code
           WHEN 'penalty_decision_90d' THEN '《行政处罚法》第六十条：自立案之日起九十日内作出行政处罚决定；法律、法规、规章另有规定的，从其规定'
           WHEN 'coercion_seizure_30d' THEN '《行政强制法》第二十五条：查封、扣押的期限不得超过三十日，经负责人批准可延长不超过三十日；检测、检验、检疫或者技术鉴定的期间不计入'
           ELSE '《行政强制法》第三十二条：自冻结之日起三十日内作出处理决定或者解除冻结，经负责人批准可延长不超过三十日' END ||
       '","days":' || CASE d.rule_code WHEN 'penalty_decision_90d' THEN '90' ELSE '30' END || '}',
       'case', d.case_id, d.department_id, d.start_date,
       CASE WHEN d.paused_from IS NULL THEN d.due_date ELSE NULL END,
       '', d.extension_days, '',
       '[' ||
       CASE WHEN d.paused_days > 0
-- @sqlite
            THEN '{"from":"' || d.start_date || '","to":"' || date(d.start_date, '+' || d.paused_days || ' days') ||
-- @end
-- @postgres
            THEN '{"from":"' || d.start_date || '","to":"' || CAST(CAST(d.start_date AS DATE) + CAST(d.paused_days AS INTEGER) AS TEXT) ||
-- @end
                 '","reason":"迁移前的中止（合计' || d.paused_days || '日）"}'
            ELSE '' END ||
       CASE WHEN d.paused_days > 0 AND d.paused_from IS NOT NULL THEN ',' ELSE '' END ||
       CASE WHEN d.paused_from IS NOT NULL
            THEN '{"from":"' || d.paused_from || '","to":null,"reason":""}' ELSE '' END ||
       ']',
       d.done_date,
       CASE WHEN d.done_date IS NOT NULL THEN
                CASE WHEN d.done_date <= d.due_date THEN 'done_on_time' ELSE 'done_late' END
            WHEN d.paused_from IS NOT NULL THEN 'paused'
            ELSE 'on_time' END,
       d.created_at, d.updated_at
FROM case_day_clocks d
ORDER BY d.id;
DROP TABLE case_day_clocks;

-- The legal-review clocks (3 + 2 working days) join the same table: one row
-- per received round (object_type 'review_round'), kept in step by
-- store/review_store.c on every save of the round; here the rounds received
-- before this migration, with their last computed due date.
INSERT INTO clocks (rule_code, rule, object_type, object_id, department_id, start_date, due_date,
                    calendar_version, extension_workdays, extension_approver, pauses, done_date,
                    state, created_at, updated_at)
SELECT 'legal_review',
       '{"code":"legal_review","name":"重大执法决定法制审核","kind":"workdays","workdays":3,"month":0,"day":0,"year_offset":0,"extension_workdays":2,"pausable":true,"basis":"《南昌市全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度实施方案》：收到送审材料后3个工作日内审核完毕；案件复杂的，经分管领导批准可延长2个工作日"}',
       'review_round', r.id, r.department_id, r.received_on, r.due_on, '',
       CASE WHEN r.extended_on IS NOT NULL AND r.extended_by <> '' THEN 2 ELSE 0 END, r.extended_by, '[]',
       COALESCE(r.concluded_on, r.returned_on),
       CASE WHEN COALESCE(r.concluded_on, r.returned_on) IS NULL THEN 'on_time'
            WHEN COALESCE(r.concluded_on, r.returned_on) <= r.due_on THEN 'done_on_time'
            ELSE 'done_late' END,
       r.created_at, r.updated_at
FROM review_rounds r
WHERE r.received_on IS NOT NULL
ORDER BY r.id;

-- Indexes for the case list's filters and sorts (GET /api/v1/cases, measured
-- with a million cases in bench/cases_bench.sh): department with stage or
-- procedure, newest first; department by 立案 date or 立案号; all departments
-- newest first (the supervisor). case_events(case_id, id) already serves the
-- timeline.
CREATE INDEX cases_dept_stage ON cases(department_id, stage, updated_at);
CREATE INDEX cases_dept_procedure ON cases(department_id, procedure, updated_at);
CREATE INDEX cases_dept_created ON cases(department_id, created_at);
CREATE INDEX cases_dept_case_no ON cases(department_id, case_no);
CREATE INDEX cases_updated ON cases(updated_at);
