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
