-- Manifest files as uploaded (the MANIFEST task parses them from here, so a rescued task can
-- start again), and every data row with its outcome: accepted (linked to its fetch task) or
-- an error with a reason. Nothing is skipped without a row here.
CREATE TABLE manifest_file (
  id          INTEGER PRIMARY KEY,
  batch_id    BIGINT NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
  name        TEXT   NOT NULL,
  sha256      TEXT   NOT NULL,
  size        BIGINT NOT NULL,
  content     BLOB  NOT NULL,
  created_at  BIGINT NOT NULL,
  UNIQUE (batch_id, sha256)
);

CREATE TABLE manifest_row (
  id               INTEGER PRIMARY KEY,
  batch_id         BIGINT NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
  manifest_file_id BIGINT NOT NULL REFERENCES manifest_file(id) ON DELETE CASCADE,
  row_number       INTEGER NOT NULL,
  status           TEXT   NOT NULL,
  krithi           TEXT,
  raga             TEXT,
  url              TEXT,
  normalized_url   TEXT,
  host             TEXT,
  error_code       TEXT,
  error_message    TEXT,
  task_id          BIGINT,
  UNIQUE (manifest_file_id, row_number)
);
CREATE INDEX manifest_row_batch ON manifest_row (batch_id, status, id);
CREATE INDEX manifest_row_task  ON manifest_row (task_id) WHERE task_id IS NOT NULL;
