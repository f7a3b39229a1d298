-- The extract stage: one row per (batch, manifest URL), kept with a stable id across re-extraction.
-- record is the ExtractedPage JSON (null when the page could not be read: error_code says why);
-- the small columns beside it feed the batch summary without parsing every record.
-- warning_codes is ',code,code,' so a filter on one kind is a LIKE '%,code,%'.
CREATE TABLE extraction (
  id                 INTEGER PRIMARY KEY,
  batch_id           BIGINT  NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
  url                TEXT    NOT NULL,
  evidence_id        BIGINT  NOT NULL,
  sha256             TEXT    NOT NULL,
  extractor_version  TEXT    NOT NULL,
  record             TEXT,
  error_code         TEXT,
  error_message      TEXT,
  warnings           TEXT    NOT NULL DEFAULT '[]',
  warning_codes      TEXT    NOT NULL DEFAULT ',',
  confidence         DOUBLE PRECISION NOT NULL DEFAULT 0,
  title              TEXT,
  raga               TEXT,
  tala               TEXT,
  composer           TEXT,
  form               TEXT,
  deity              TEXT,
  kshetra            TEXT,
  published          TEXT,
  scripts            TEXT    NOT NULL DEFAULT '',
  script_count       INTEGER NOT NULL DEFAULT 0,
  section_count      INTEGER NOT NULL DEFAULT 0,
  has_gist           INTEGER NOT NULL DEFAULT 0,
  has_meaning        INTEGER NOT NULL DEFAULT 0,
  created_at         BIGINT  NOT NULL,
  updated_at         BIGINT  NOT NULL,
  UNIQUE (batch_id, url)
);
CREATE INDEX extraction_version ON extraction (batch_id, extractor_version);
