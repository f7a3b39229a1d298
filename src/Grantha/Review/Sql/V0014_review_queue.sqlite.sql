-- The review queue at 100,000 imports a batch (docs/benchmarks.md, bench/run.sh review): a state's
-- imports in quality order are one index range, and the counts per state and flag read this index
-- alone (flags carried in it), not the wide rows.
CREATE INDEX staged_import_review_quality ON staged_import (batch_id, review_state, quality, id, flags);
CREATE INDEX staged_import_state_flags ON staged_import (review_state, id, flags, quality);
DROP INDEX staged_import_state;
