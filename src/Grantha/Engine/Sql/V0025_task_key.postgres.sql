-- The idempotency key leaves the task row (issue #8: engine throughput). No update of stage_task is HOT (state is in
-- its indexes' predicates), so each one writes an entry into every index of the table; the unique text index on
-- idem_key was the costliest of them (a text descent and a uniqueness check), written twice per task (claim and
-- completion) and more on retries and lease renewals, though the key never changes after the insert. The key now
-- lives in this narrow, insert-only table: the task insert takes its key here first (ON CONFLICT DO NOTHING: the
-- same skip, and the same wait on a concurrent insert of the key, as before) and only then writes the task.
-- Keys are per batch (TaskKey: "{batch}:{STAGE}:{subject}"), so the batch leads the key and its cascade needs no
-- index of its own. stage_task.idem_key stays, unindexed, for readers of the whole row.
CREATE TABLE stage_task_key (
  batch_id  BIGINT NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
  idem_key  TEXT   COLLATE "C" NOT NULL,  -- a machine key: bytes compare, no locale
  task_id   BIGINT NOT NULL,
  PRIMARY KEY (batch_id, idem_key)
);
INSERT INTO stage_task_key (batch_id, idem_key, task_id) SELECT batch_id, idem_key, id FROM stage_task;
ALTER TABLE stage_task DROP CONSTRAINT stage_task_idem_key_key;
