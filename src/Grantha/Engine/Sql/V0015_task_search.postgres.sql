-- The batch task list's host and text filters (GET .../batches/{id}/tasks?host=&q=, Batches.Where) read
-- every task of the batch when they live on stage_task: a btree cannot serve LIKE '%x%', and an index on
-- (batch_id, host) or a trigram index on stage_task would be written by every task update (no update of
-- stage_task is HOT: state is in the predicates of its partial indexes), the engine's hot path.
-- A task's subject and host never change after it is created, so they are copied once, at insert, into
-- this narrow table, indexed for both filters; the engine's updates never touch it. The statement-level
-- trigger copies whatever inserts tasks (the engine's unnest insert, COPY), in the same transaction.
CREATE TABLE stage_task_search (
  task_id     BIGINT PRIMARY KEY,
  batch_id    BIGINT NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
  host        TEXT,
  subject_key TEXT   NOT NULL  -- lower(subject): the text filter ignores case on both stores
);
CREATE INDEX stage_task_search_host ON stage_task_search (batch_id, host, task_id);
CREATE INDEX stage_task_search_batch ON stage_task_search (batch_id, task_id) INCLUDE (subject_key);

CREATE FUNCTION stage_task_search_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO stage_task_search (task_id, batch_id, host, subject_key) SELECT id, batch_id, host, lower(subject) FROM added;
  RETURN NULL;
END $$;
CREATE TRIGGER stage_task_search_add AFTER INSERT ON stage_task REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION stage_task_search_add();

INSERT INTO stage_task_search (task_id, batch_id, host, subject_key) SELECT id, batch_id, host, lower(subject) FROM stage_task;

-- Trigrams serve a text that few tasks have (a title, a page number) without reading the batch. pg_trgm
-- ships with PostgreSQL (contrib) and is a trusted extension, but a server may lack it or the role may not
-- be allowed to create it: then the filter still works, through stage_task_search_batch (narrow rows).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')
     AND EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
    BEGIN
      CREATE EXTENSION pg_trgm;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'pg_trgm not created (no privilege): the task text filter reads the batch''s narrow search rows';
    END;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    EXECUTE 'CREATE INDEX stage_task_search_text ON stage_task_search USING gin (subject_key gin_trgm_ops)';
  END IF;
END $$;
