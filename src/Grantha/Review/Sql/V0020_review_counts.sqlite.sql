-- The review queue's counts without reading the queue: see the PostgreSQL script. One writer here, so
-- row triggers keep one row per (batch, state, flags) (stripe is always 0), and review_queue_row mirrors what
-- the text filter counts by.
CREATE TABLE review_count (
  batch_id     INTEGER NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
  review_state TEXT    NOT NULL,
  flags        INTEGER NOT NULL,
  stripe       INTEGER NOT NULL,
  n            INTEGER NOT NULL,
  PRIMARY KEY (batch_id, review_state, flags, stripe)
) WITHOUT ROWID;

CREATE TABLE review_queue_row (
  id           INTEGER PRIMARY KEY REFERENCES staged_import(id) ON DELETE CASCADE,
  batch_id     INTEGER NOT NULL,
  review_state TEXT    NOT NULL,
  flags        INTEGER NOT NULL,
  quality      REAL    NOT NULL,
  title_key    TEXT
);
CREATE INDEX review_queue_row_title ON review_queue_row (batch_id, title_key, review_state, flags, quality);
CREATE INDEX review_queue_row_quality ON review_queue_row (batch_id, quality, review_state, flags);

CREATE TRIGGER review_count_added AFTER INSERT ON staged_import BEGIN
  INSERT INTO review_count (batch_id, review_state, flags, stripe, n) VALUES (new.batch_id, new.review_state, new.flags, 0, 1)
    ON CONFLICT (batch_id, review_state, flags, stripe) DO UPDATE SET n = n + 1;
  INSERT INTO review_queue_row (id, batch_id, review_state, flags, quality, title_key)
    VALUES (new.id, new.batch_id, new.review_state, new.flags, new.quality, new.title_key);
END;

CREATE TRIGGER review_count_changed AFTER UPDATE OF batch_id, review_state, flags ON staged_import
  WHEN old.batch_id IS NOT new.batch_id OR old.review_state IS NOT new.review_state OR old.flags IS NOT new.flags BEGIN
  INSERT INTO review_count (batch_id, review_state, flags, stripe, n) VALUES (old.batch_id, old.review_state, old.flags, 0, -1)
    ON CONFLICT (batch_id, review_state, flags, stripe) DO UPDATE SET n = n - 1;
  INSERT INTO review_count (batch_id, review_state, flags, stripe, n) VALUES (new.batch_id, new.review_state, new.flags, 0, 1)
    ON CONFLICT (batch_id, review_state, flags, stripe) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER review_queue_row_changed AFTER UPDATE OF batch_id, review_state, flags, quality, title_key ON staged_import BEGIN
  UPDATE review_queue_row SET batch_id = new.batch_id, review_state = new.review_state, flags = new.flags, quality = new.quality, title_key = new.title_key
   WHERE id = new.id;
END;

-- A batch being deleted takes its counts with it; its imports' deletes then add nothing.
CREATE TRIGGER review_count_removed AFTER DELETE ON staged_import
  WHEN EXISTS (SELECT 1 FROM batch WHERE id = old.batch_id) BEGIN
  INSERT INTO review_count (batch_id, review_state, flags, stripe, n) VALUES (old.batch_id, old.review_state, old.flags, 0, -1)
    ON CONFLICT (batch_id, review_state, flags, stripe) DO UPDATE SET n = n - 1;
END;

INSERT INTO review_count (batch_id, review_state, flags, stripe, n)
SELECT batch_id, review_state, flags, 0, COUNT(*) FROM staged_import GROUP BY 1, 2, 3;
INSERT INTO review_queue_row (id, batch_id, review_state, flags, quality, title_key)
SELECT id, batch_id, review_state, flags, quality, title_key FROM staged_import;
