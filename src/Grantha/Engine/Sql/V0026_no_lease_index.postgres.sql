-- The partial index of running tasks (stage_task_lease: lease_expires_at WHERE state = 'RUNNING') goes (issue #8:
-- engine throughput). Every claim wrote an entry into it, every completion left one dead that later readers stepped
-- over, and because lease_expires_at was indexed nowhere else it also kept lease renewals from being HOT updates.
-- Its readers (the rescuer each second, the watchdog, the rescue of a gone worker's tasks, FETCH's host gauges) now
-- read running tasks job by job through stage_task_batch (batch, stage, state), in the jobs that are not COMPLETED
-- (Dialect.RunningTasks); the task list's RUNNING filter reads stage_task_batch too.
DROP INDEX stage_task_lease;
