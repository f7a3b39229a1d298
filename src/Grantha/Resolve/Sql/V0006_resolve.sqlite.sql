-- The RESOLVE stage: one staged import per page (URL) per batch, with its extracted record, the
-- decision for every name it carries, duplicate flags and an explainable quality score; the manifest
-- rows it came from (a URL listed twice gives one import with two rows); and every name decision,
-- so the batch summary can list what needs review and a curator's choice can find the tasks to redo.
CREATE TABLE staged_import (
  id               INTEGER PRIMARY KEY,
  batch_id         BIGINT  NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
  task_id          BIGINT,
  url              TEXT    NOT NULL,
  extraction_id    BIGINT  NOT NULL,
  status           TEXT    NOT NULL,
  title            TEXT,
  title_key        TEXT,
  composer_id      TEXT,
  raga_set         TEXT,
  tala_id          TEXT,
  deity_id         TEXT,
  kshetra_id       TEXT,
  work_key         TEXT,
  decisions        TEXT    NOT NULL,
  duplicate_of     BIGINT,
  duplicate_flags  TEXT    NOT NULL,
  quality          REAL    NOT NULL,
  quality_reasons  TEXT    NOT NULL,
  created_at       BIGINT  NOT NULL,
  updated_at       BIGINT  NOT NULL,
  UNIQUE (batch_id, url)
);
CREATE INDEX staged_import_work ON staged_import (work_key) WHERE work_key IS NOT NULL;
CREATE INDEX staged_import_batch ON staged_import (batch_id, status, id);

CREATE TABLE staged_import_row (
  staged_import_id  BIGINT NOT NULL REFERENCES staged_import(id) ON DELETE CASCADE,
  manifest_row_id   BIGINT NOT NULL,
  PRIMARY KEY (staged_import_id, manifest_row_id)
);

CREATE TABLE resolution_decision (
  id                INTEGER PRIMARY KEY,
  batch_id          BIGINT  NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
  task_id           BIGINT,
  staged_import_id  BIGINT  REFERENCES staged_import(id) ON DELETE CASCADE,
  kind              TEXT    NOT NULL,
  source            TEXT    NOT NULL,
  input             TEXT    NOT NULL,
  input_key         TEXT    NOT NULL,
  decision          TEXT    NOT NULL,
  entity_id         TEXT,
  score             REAL,
  candidates        TEXT    NOT NULL,
  rows              INTEGER NOT NULL,
  created_at        BIGINT  NOT NULL
);
CREATE INDEX resolution_decision_batch ON resolution_decision (batch_id, decision, kind, input_key);
CREATE INDEX resolution_decision_import ON resolution_decision (staged_import_id);
