-- The batch task list (GET /v1/admin/bulk-import/batches/{id}/tasks: Batches.TasksAsync) pages by id
-- under a filter. A filter on a state or an error code that few of the batch's tasks have (cancelled,
-- failed, one error code; none at all after a typo) walked the primary key through every task of the
-- batch: at 100,000 tasks 15-37 ms a page (bench/run.sh review, docs/benchmarks.md). The statement is
-- prepared (auto-prepare) and its generic plan, which cannot know the value, is that walk; PostgreSQL
-- keeps a generic plan when it costs less than the custom plans so far, and a state alone had no cheap
-- custom plan (stage_task_batch leads with the stage). These indexes give one for every value, in id
-- order: PENDING and RETRY_WAIT already have stage_task_claim, RUNNING stage_task_lease, SUCCEEDED is
-- most tasks (the primary key finds a page at once), and the rest are here.
-- Both are partial so that the engine's hot path (PENDING -> RUNNING -> SUCCEEDED) never writes to them:
-- with a full (batch_id, state, id) index the engine bench measured about 15 % fewer tasks/s (noisy: 5 runs each).
CREATE INDEX stage_task_list_state ON stage_task (batch_id, state, id) WHERE state IN ('FAILED', 'BLOCKED', 'CANCELLED', 'PAUSED');
-- Only tasks that failed at least once carry an error code.
CREATE INDEX stage_task_list_error ON stage_task (batch_id, error_code, id) WHERE error_code IS NOT NULL;
