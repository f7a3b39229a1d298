-- Review of staged imports (docs/review.md, docs/state-machines.md): the review state beside RESOLVE's
-- status, a version for optimistic concurrency (bumped by every change, RESOLVE's rewrites too), the
-- flags and per-field confidences the review queue filters on (columns, so a filter is an index range
-- and not a JSON scan), and what the last review decision did (who, why, which krithi, what changed).
ALTER TABLE staged_import ADD COLUMN review_state   TEXT    NOT NULL DEFAULT 'ready';
ALTER TABLE staged_import ADD COLUMN version        BIGINT  NOT NULL DEFAULT 1;
-- The state before the latest change (a re-resolution returns it in the same statement that writes the new one).
ALTER TABLE staged_import ADD COLUMN previous_state TEXT;
ALTER TABLE staged_import ADD COLUMN flags          INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staged_import ADD COLUMN warning_count  INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staged_import ADD COLUMN composer_conf  DOUBLE PRECISION;
ALTER TABLE staged_import ADD COLUMN raga_conf      DOUBLE PRECISION;
ALTER TABLE staged_import ADD COLUMN tala_conf      DOUBLE PRECISION;
ALTER TABLE staged_import ADD COLUMN deity_conf     DOUBLE PRECISION;
ALTER TABLE staged_import ADD COLUMN kshetra_conf   DOUBLE PRECISION;
ALTER TABLE staged_import ADD COLUMN krithi_id      BIGINT;
ALTER TABLE staged_import ADD COLUMN reviewed_by    TEXT;
ALTER TABLE staged_import ADD COLUMN reviewed_at    BIGINT;
ALTER TABLE staged_import ADD COLUMN review_reason  TEXT;
ALTER TABLE staged_import ADD COLUMN review_task_id BIGINT;
ALTER TABLE staged_import ADD COLUMN review_outcome TEXT;

-- Imports staged before review existed: their state follows RESOLVE's status; flags from what is stored
-- (duplicates and unresolved names; low confidence and warnings are only known to a new RESOLVE run).
UPDATE staged_import SET review_state = CASE WHEN status = 'needs_review' THEN 'needs_review' ELSE 'ready' END,
  flags = (CASE WHEN duplicate_of IS NOT NULL THEN 1 ELSE 0 END)
        | (CASE WHEN duplicate_flags LIKE '%"near_duplicate"%' THEN 2 ELSE 0 END)
        | (CASE WHEN duplicate_flags LIKE '%"in_catalog"%' THEN 4 ELSE 0 END)
        | (CASE WHEN status = 'needs_review' THEN 32 ELSE 0 END);

-- The queue: a batch's imports by state (counts, oldest first) and by quality; all batches by state.
CREATE INDEX staged_import_review ON staged_import (batch_id, review_state, id);
CREATE INDEX staged_import_quality ON staged_import (batch_id, quality, id);
CREATE INDEX staged_import_state ON staged_import (review_state, id);
CREATE INDEX staged_import_krithi ON staged_import (krithi_id) WHERE krithi_id IS NOT NULL;
