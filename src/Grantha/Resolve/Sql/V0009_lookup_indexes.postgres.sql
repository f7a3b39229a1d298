-- Lookups that run once per page in EXTRACT and RESOLVE. Without these they scanned every row of
-- the batch: a manifest row by its URL (the page's manifest ragas and rows), and the staged imports
-- with the same composer and ragas (the near-duplicate check).
CREATE INDEX manifest_row_url ON manifest_row (batch_id, normalized_url);
CREATE INDEX staged_import_composer_ragas ON staged_import (batch_id, composer_id, raga_set);
