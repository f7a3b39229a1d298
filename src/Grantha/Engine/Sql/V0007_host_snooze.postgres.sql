-- A throttled host's waiting tasks step aside together (TaskQueue.SnoozeAsync, wholeHost).
CREATE INDEX stage_task_host_pending ON stage_task (stage, host) WHERE state = 'PENDING';
