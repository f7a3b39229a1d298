-- Issue #10 (SLOs): the stuck-batch watchdog (Engine/Watchdog.cs). A batch is stuck when it has due work
-- and no task outcome for Worker:StuckAfter. moved_at is when the completer last recorded an outcome of
-- one of its tasks (one UPDATE per flush and batch, not per task); controls move updated_at.
ALTER TABLE batch ADD COLUMN moved_at BIGINT;
-- The watchdog's markers (batch_stuck, batch_unstuck): found without reading a batch's other events.
CREATE INDEX event_batch_marker ON event (batch_id, id) WHERE kind IN ('batch_stuck', 'batch_unstuck');
