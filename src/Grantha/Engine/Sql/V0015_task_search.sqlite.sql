-- The batch task list's host and text filters (Batches.Where): see the PostgreSQL script for why they
-- read this narrow, write-once copy of each task's host and subject instead of stage_task.
CREATE TABLE stage_task_search (
  task_id     INTEGER PRIMARY KEY,
  batch_id    INTEGER NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
  host        TEXT,
  subject_key TEXT    NOT NULL  -- lower(subject): the text filter ignores case on both stores
);
CREATE INDEX stage_task_search_host ON stage_task_search (batch_id, host, task_id);
CREATE INDEX stage_task_search_batch ON stage_task_search (batch_id, task_id, subject_key);

CREATE TRIGGER stage_task_search_add AFTER INSERT ON stage_task
BEGIN
  INSERT INTO stage_task_search (task_id, batch_id, host, subject_key) VALUES (NEW.id, NEW.batch_id, NEW.host, lower(NEW.subject));
END;

INSERT INTO stage_task_search (task_id, batch_id, host, subject_key) SELECT id, batch_id, host, lower(subject) FROM stage_task;
