-- The review queue at 100,000 imports a batch (docs/benchmarks.md, bench/run.sh review). A page is an
-- index range in the order asked for; the counts per state and flag that come with it read a narrow
-- index that answers the filter alone (index-only), never the wide rows with their JSON:
--   state (and quality, confidences) → staged_import_review_quality, which also orders a state's page;
--   batch / state / flags only       → staged_import_review_counts, the narrowest;
--   composer, raga                   → staged_import_composer_ragas (RESOLVE's near-duplicate lookup, widened);
--   title text                       → staged_import_title;
--   across batches, by state         → staged_import_state_flags.
CREATE INDEX staged_import_review_quality ON staged_import (batch_id, review_state, quality, id)
  INCLUDE (flags, composer_conf, raga_conf, tala_conf, deity_conf, kshetra_conf);
CREATE INDEX staged_import_review_counts ON staged_import (batch_id, review_state, flags);
DROP INDEX staged_import_composer_ragas;
CREATE INDEX staged_import_composer_ragas ON staged_import (batch_id, composer_id, raga_set) INCLUDE (review_state, flags, quality, title_key);
CREATE INDEX staged_import_title ON staged_import (batch_id, title_key) INCLUDE (review_state, flags, quality);
CREATE INDEX staged_import_state_flags ON staged_import (review_state, id) INCLUDE (flags, quality);
DROP INDEX staged_import_state;
