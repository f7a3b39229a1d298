-- The review queue's counts without reading the queue (docs/review.md, docs/benchmarks.md). A page of the
-- queue comes with counts per state and flag for the same filter; read from staged_import they cost one
-- index entry per import (10-20 ms at 100,000 imports, more across batches) on every page. Two narrow
-- tables, kept by statement-level triggers in the writer's own transaction, answer them instead:
--   review_count: per (batch, state, flags) the number of imports. Filters of batch, state and flags
--     alone (the tabs, the flag chips, across batches) sum a few rows. A change adds to the row of its
--     connection's stripe (backend pid mod 32), so concurrent approvals of one batch do not queue on one
--     counter row; readers sum the stripes.
--   review_queue_row: per import its batch, state, flags, quality and title key, with trigrams on the title
--     key: the title text and quality filters count the imports that match without reading the wide rows.
CREATE TABLE review_count (
  batch_id     BIGINT   NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
  review_state TEXT     NOT NULL,
  flags        INTEGER  NOT NULL,
  stripe       SMALLINT NOT NULL,
  n            BIGINT   NOT NULL,
  PRIMARY KEY (batch_id, review_state, flags, stripe)
);

CREATE TABLE review_queue_row (
  id           BIGINT PRIMARY KEY REFERENCES staged_import(id) ON DELETE CASCADE,
  batch_id     BIGINT NOT NULL,
  review_state TEXT   NOT NULL,
  flags        INTEGER NOT NULL,
  quality      DOUBLE PRECISION NOT NULL,
  title_key    TEXT
);
CREATE INDEX review_queue_row_title ON review_queue_row (batch_id, title_key) INCLUDE (review_state, flags, quality);
CREATE INDEX review_queue_row_quality ON review_queue_row (batch_id, quality) INCLUDE (review_state, flags);

-- A batch being deleted takes its counts with it (the foreign key); the cascade's deletes of its imports
-- then find no batch and add nothing.
CREATE FUNCTION review_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO review_count AS r (batch_id, review_state, flags, stripe, n)
  SELECT a.batch_id, a.review_state, a.flags, pg_backend_pid() % 32, COUNT(*) FROM added a
   GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (batch_id, review_state, flags, stripe) DO UPDATE SET n = r.n + excluded.n;
  INSERT INTO review_queue_row (id, batch_id, review_state, flags, quality, title_key)
  SELECT id, batch_id, review_state, flags, quality, title_key FROM added;
  RETURN NULL;
END $$;
CREATE TRIGGER review_count_added AFTER INSERT ON staged_import REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION review_count_added();

CREATE FUNCTION review_count_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Rows are locked in key order, so two writers on one stripe wait for each other, never deadlock.
  INSERT INTO review_count AS r (batch_id, review_state, flags, stripe, n)
  SELECT d.batch_id, d.review_state, d.flags, pg_backend_pid() % 32, SUM(d.n) FROM (
      SELECT batch_id, review_state, flags, 1 AS n FROM added
      UNION ALL SELECT batch_id, review_state, flags, -1 FROM removed) d
   WHERE EXISTS (SELECT 1 FROM batch b WHERE b.id = d.batch_id)
   GROUP BY 1, 2, 3 HAVING SUM(d.n) <> 0 ORDER BY 1, 2, 3
  ON CONFLICT (batch_id, review_state, flags, stripe) DO UPDATE SET n = r.n + excluded.n;
  UPDATE review_queue_row t SET batch_id = a.batch_id, review_state = a.review_state, flags = a.flags, quality = a.quality, title_key = a.title_key
    FROM added a JOIN removed o ON o.id = a.id
   WHERE t.id = a.id
     AND (a.batch_id, a.review_state, a.flags, a.quality, a.title_key) IS DISTINCT FROM (o.batch_id, o.review_state, o.flags, o.quality, o.title_key);
  RETURN NULL;
END $$;
CREATE TRIGGER review_count_changed AFTER UPDATE ON staged_import REFERENCING OLD TABLE AS removed NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION review_count_changed();

CREATE FUNCTION review_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO review_count AS r (batch_id, review_state, flags, stripe, n)
  SELECT o.batch_id, o.review_state, o.flags, pg_backend_pid() % 32, -COUNT(*) FROM removed o
   WHERE EXISTS (SELECT 1 FROM batch b WHERE b.id = o.batch_id)
   GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (batch_id, review_state, flags, stripe) DO UPDATE SET n = r.n + excluded.n;
  RETURN NULL;
END $$;
CREATE TRIGGER review_count_removed AFTER DELETE ON staged_import REFERENCING OLD TABLE AS removed
  FOR EACH STATEMENT EXECUTE FUNCTION review_count_removed();

INSERT INTO review_count (batch_id, review_state, flags, stripe, n)
SELECT batch_id, review_state, flags, 0, COUNT(*) FROM staged_import GROUP BY 1, 2, 3;
INSERT INTO review_queue_row (id, batch_id, review_state, flags, quality, title_key)
SELECT id, batch_id, review_state, flags, quality, title_key FROM staged_import;

-- Trigrams serve a title text that few imports have. pg_trgm is a trusted contrib extension (V0015 creates
-- it when it can); without it the text filter reads the batch's narrow rows through review_queue_row_title.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')
     AND EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
    BEGIN
      CREATE EXTENSION pg_trgm;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'pg_trgm not created (no privilege): the review text filter reads the batch''s narrow rows';
    END;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    EXECUTE 'CREATE INDEX review_queue_row_trgm ON review_queue_row USING gin (title_key gin_trgm_ops)';
  END IF;
END $$;
