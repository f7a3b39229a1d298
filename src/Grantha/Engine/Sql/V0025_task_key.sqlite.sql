-- See the PostgreSQL script. The same table, so that readers of keys (the manifest stage) are one query on both
-- stores. SQLite keeps the column's UNIQUE on stage_task (dropping it means rebuilding the table) and so decides
-- the skip there; this trigger copies each inserted task's key.
CREATE TABLE stage_task_key (
  batch_id  INTEGER NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
  idem_key  TEXT    NOT NULL,
  task_id   INTEGER NOT NULL,
  PRIMARY KEY (batch_id, idem_key)
);
CREATE TRIGGER stage_task_key_add AFTER INSERT ON stage_task
BEGIN
  INSERT INTO stage_task_key (batch_id, idem_key, task_id) VALUES (NEW.batch_id, NEW.idem_key, NEW.id);
END;
INSERT INTO stage_task_key (batch_id, idem_key, task_id) SELECT batch_id, idem_key, id FROM stage_task;
