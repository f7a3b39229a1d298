-- Issue #10 item 4. The origin (scheme://host:port, after host mapping) an answer came from: a stored
-- page's ETag / Last-Modified are sent back only to that origin. Rows from before have none and
-- never make a request conditional.
ALTER TABLE fetch_evidence ADD COLUMN origin TEXT;
