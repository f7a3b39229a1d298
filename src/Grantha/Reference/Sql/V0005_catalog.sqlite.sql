-- The reference catalog: ragas (from ../shared/reference/ragas.csv), talas, composers, deities and
-- kshetras (written in code), seeded idempotently by `./grantha catalog seed` (and on first use).
-- Every entity has one match key (Reference/NameKey + Reference/MatchKeys), unique per kind.
-- The pipeline never inserts here except through the seed: unknown names go to review.
CREATE TABLE catalog_raga (
  id            TEXT    PRIMARY KEY,
  name          TEXT    NOT NULL,
  display_name  TEXT    NOT NULL,
  match_key     TEXT    NOT NULL UNIQUE,
  qualifier     TEXT,
  melakarta     INTEGER UNIQUE,
  parent_id     TEXT,
  parent_name   TEXT,
  arohanam      TEXT    NOT NULL,
  avarohanam    TEXT    NOT NULL,
  listing_group TEXT,
  file_order    INTEGER NOT NULL,
  updated_at    BIGINT  NOT NULL
);

CREATE TABLE catalog_tala (
  id          TEXT    PRIMARY KEY,
  name        TEXT    NOT NULL,
  match_key   TEXT    NOT NULL UNIQUE,
  family      TEXT    NOT NULL,
  jati        TEXT,
  aksharas    INTEGER NOT NULL,
  updated_at  BIGINT  NOT NULL
);

CREATE TABLE catalog_composer (
  id          TEXT    PRIMARY KEY,
  name        TEXT    NOT NULL,
  match_key   TEXT    NOT NULL UNIQUE,
  updated_at  BIGINT  NOT NULL
);

CREATE TABLE catalog_deity (
  id          TEXT    PRIMARY KEY,
  name        TEXT    NOT NULL,
  match_key   TEXT    NOT NULL UNIQUE,
  updated_at  BIGINT  NOT NULL
);

CREATE TABLE catalog_kshetra (
  id          TEXT    PRIMARY KEY,
  name        TEXT    NOT NULL,
  match_key   TEXT    NOT NULL UNIQUE,
  updated_at  BIGINT  NOT NULL
);

-- Every own name of an entity (composer aliases such as Thyagaraja, a raga's "/" names), with its key.
CREATE TABLE catalog_name (
  kind       TEXT NOT NULL,
  entity_id  TEXT NOT NULL,
  name       TEXT NOT NULL,
  name_key   TEXT NOT NULL,
  PRIMARY KEY (kind, entity_id, name)
);
CREATE INDEX catalog_name_key ON catalog_name (kind, name_key);

-- Musicological synonyms (Todi = Hanumatodi): the shipped table (source 'seed') plus what curators add.
CREATE TABLE catalog_synonym (
  id          INTEGER PRIMARY KEY,
  kind        TEXT    NOT NULL,
  name        TEXT    NOT NULL,
  name_key    TEXT    NOT NULL,
  entity_id   TEXT    NOT NULL,
  note        TEXT,
  source      TEXT    NOT NULL,
  created_by  TEXT    NOT NULL,
  created_at  BIGINT  NOT NULL,
  UNIQUE (kind, name_key, entity_id)
);

-- A curator's choice: this written name (any spelling with its key) means this entity.
CREATE TABLE catalog_alias (
  id          INTEGER PRIMARY KEY,
  kind        TEXT    NOT NULL,
  input       TEXT    NOT NULL,
  input_key   TEXT    NOT NULL,
  entity_id   TEXT    NOT NULL,
  batch_id    BIGINT,
  chosen_by   TEXT    NOT NULL,
  created_at  BIGINT  NOT NULL,
  UNIQUE (kind, input_key)
);

-- What the last seed wrote (a fingerprint of ragas.csv and the catalogs in code).
CREATE TABLE catalog_seed (
  id           INTEGER PRIMARY KEY,
  fingerprint  TEXT    NOT NULL,
  counts       TEXT    NOT NULL,
  seeded_at    BIGINT  NOT NULL
);
