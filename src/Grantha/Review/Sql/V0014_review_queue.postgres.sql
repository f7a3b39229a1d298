-- The review queue at 100,000 imports a batch (docs/benchmarks.md, bench/run.sh review): a state's
-- imports in quality order are one index range, and the counts per state and flag for any filter of
-- the queue read this index alone (every filtered column carried in it), not the wide rows with
-- their JSON. Across batches: a state's imports by id, with flags and quality (counts by state and flag).
CREATE INDEX staged_import_review_quality ON staged_import (batch_id, review_state, quality, id)
  INCLUDE (flags, composer_id, raga_set, title_key, composer_conf, raga_conf, tala_conf, deity_conf, kshetra_conf);
CREATE INDEX staged_import_state_flags ON staged_import (review_state, id) INCLUDE (flags, quality);
DROP INDEX staged_import_state;
