-- Curation of the reference catalog (docs/reference-catalog.md). Curators add entities the shipped
-- catalog lacks and mark two rows as one; the seed never deletes or un-merges what they did.
--   origin       'seed' (ragas.csv, the catalogs in code) or 'curator' (added by a person)
--   merged_into  set on the duplicate of a merge: the id kept. The row stays, so ids stored
--                earlier (krithis, staged imports) still name a row that says where it went.
ALTER TABLE catalog_raga     ADD COLUMN origin TEXT NOT NULL DEFAULT 'seed';
ALTER TABLE catalog_raga     ADD COLUMN merged_into TEXT;
ALTER TABLE catalog_tala     ADD COLUMN origin TEXT NOT NULL DEFAULT 'seed';
ALTER TABLE catalog_tala     ADD COLUMN merged_into TEXT;
ALTER TABLE catalog_composer ADD COLUMN origin TEXT NOT NULL DEFAULT 'seed';
ALTER TABLE catalog_composer ADD COLUMN merged_into TEXT;
ALTER TABLE catalog_deity    ADD COLUMN origin TEXT NOT NULL DEFAULT 'seed';
ALTER TABLE catalog_deity    ADD COLUMN merged_into TEXT;
ALTER TABLE catalog_kshetra  ADD COLUMN origin TEXT NOT NULL DEFAULT 'seed';
ALTER TABLE catalog_kshetra  ADD COLUMN merged_into TEXT;

-- The audit trail of curation: who changed the catalog, when, why and what was written.
--   action  add (entity_id added), merge (entity_id merged into into_id), synonym (name added to entity_id),
--           shipped (the seed now ships entity_id itself: the curator's row became the shipped one)
-- Append-only: the triggers refuse UPDATE and DELETE.
CREATE TABLE catalog_change (
  id         INTEGER PRIMARY KEY,
  kind       TEXT    NOT NULL,
  action     TEXT    NOT NULL,
  entity_id  TEXT    NOT NULL,
  into_id    TEXT,
  name       TEXT,
  detail     TEXT    NOT NULL,
  reason     TEXT,
  actor      TEXT    NOT NULL,
  at         BIGINT  NOT NULL
);
CREATE INDEX catalog_change_entity ON catalog_change (kind, entity_id);

CREATE TRIGGER catalog_change_append_only_update BEFORE UPDATE ON catalog_change
BEGIN SELECT RAISE(ABORT, 'catalog changes are append-only'); END;

CREATE TRIGGER catalog_change_append_only_delete BEFORE DELETE ON catalog_change
BEGIN SELECT RAISE(ABORT, 'catalog changes are append-only'); END;
