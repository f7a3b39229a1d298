-- The krithi catalog: the canonical compositions a curator's approval writes (docs/catalog.md).
-- A krithi is never deleted (status retracted instead); every change bumps its version and appends
-- a revision holding the whole krithi after the change, so the row always equals its latest snapshot.
-- Reference ids (composer, ragas, tala, deity, kshetra) are checked against catalog_* by the store,
-- which never creates them; no foreign keys to batches: a deleted batch leaves its approved sources.
CREATE TABLE krithi (
  id             INTEGER PRIMARY KEY,
  version        BIGINT  NOT NULL,
  status         TEXT    NOT NULL CHECK (status IN ('active', 'retracted')),
  title          TEXT    NOT NULL,
  display_title  TEXT,
  title_key      TEXT    NOT NULL,
  work_key       TEXT,
  composer_id    TEXT,
  form           TEXT,
  tala_id        TEXT,
  deity_id       TEXT,
  kshetra_id     TEXT,
  gist           TEXT,
  meaning        TEXT,
  notes          TEXT,
  created_at     BIGINT  NOT NULL,
  created_by     TEXT    NOT NULL,
  updated_at     BIGINT  NOT NULL,
  updated_by     TEXT    NOT NULL
);
CREATE INDEX krithi_work ON krithi (work_key) WHERE work_key IS NOT NULL;
CREATE INDEX krithi_composer ON krithi (composer_id, id);
CREATE INDEX krithi_deity ON krithi (deity_id, id) WHERE deity_id IS NOT NULL;

CREATE TRIGGER krithi_no_delete BEFORE DELETE ON krithi
BEGIN SELECT RAISE(ABORT, 'krithis are never deleted: retract them'); END;

-- The ragas in order; section is the krithi_section position a ragamalika's raga starts at.
CREATE TABLE krithi_raga (
  krithi_id  BIGINT  NOT NULL REFERENCES krithi(id),
  position   INTEGER NOT NULL,
  raga_id    TEXT    NOT NULL,
  section    INTEGER,
  PRIMARY KEY (krithi_id, position)
);
CREATE INDEX krithi_raga_raga ON krithi_raga (raga_id, krithi_id);

-- The lyric per script, section by section (as the extraction aligns them: position n is the same
-- section in every script; text is empty where a script lacks that section).
CREATE TABLE krithi_section (
  krithi_id           BIGINT  NOT NULL REFERENCES krithi(id),
  script              TEXT    NOT NULL CHECK (script IN ('latin', 'devanagari', 'tamil', 'telugu', 'kannada', 'malayalam')),
  position            INTEGER NOT NULL,
  section_type        TEXT    NOT NULL,
  number              INTEGER,
  madhyama_kala_line  INTEGER,
  text                TEXT    NOT NULL,
  PRIMARY KEY (krithi_id, script, position)
);

-- The pages an approval took the krithi from, with the exact stored page (content_sha256).
CREATE TABLE krithi_source (
  id                INTEGER PRIMARY KEY,
  krithi_id         BIGINT  NOT NULL REFERENCES krithi(id),
  url               TEXT    NOT NULL,
  batch_id          BIGINT,
  staged_import_id  BIGINT,
  extraction_id     BIGINT,
  content_sha256    TEXT,
  approved_by       TEXT    NOT NULL,
  approved_at       BIGINT  NOT NULL,
  UNIQUE (krithi_id, url)
);
CREATE INDEX krithi_source_url ON krithi_source (url);
CREATE INDEX krithi_source_import ON krithi_source (staged_import_id) WHERE staged_import_id IS NOT NULL;

-- Append-only history: snapshot is the whole krithi after the change (JSON), changes what changed.
CREATE TABLE krithi_revision (
  krithi_id  BIGINT  NOT NULL REFERENCES krithi(id),
  version    BIGINT  NOT NULL,
  actor      TEXT    NOT NULL,
  reason     TEXT    NOT NULL,
  at         BIGINT  NOT NULL,
  snapshot   TEXT    NOT NULL,
  changes    TEXT    NOT NULL,
  PRIMARY KEY (krithi_id, version)
);

CREATE TRIGGER krithi_revision_append_only_update BEFORE UPDATE ON krithi_revision
BEGIN SELECT RAISE(ABORT, 'krithi revisions are append-only'); END;

CREATE TRIGGER krithi_revision_append_only_delete BEFORE DELETE ON krithi_revision
BEGIN SELECT RAISE(ABORT, 'krithi revisions are append-only'); END;
