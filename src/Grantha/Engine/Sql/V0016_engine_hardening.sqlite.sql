-- Issue #10 (hardening). The append-only tables refuse every way of rewriting a row; a batch
-- deletion is a permission only while its batch is being deleted; a revoked API key stays revoked;
-- a worker row carries the key of its liveness lock (PostgreSQL; always NULL here).

-- REPLACE (INSERT OR REPLACE, REPLACE INTO) removes the conflicting row by conflict resolution,
-- where DELETE triggers do not fire (recursive_triggers is off): refuse an insert whose key is
-- taken instead. An UPSERT's DO UPDATE is an UPDATE, which the update triggers refuse already.
CREATE TRIGGER event_no_replace BEFORE INSERT ON event
WHEN EXISTS (SELECT 1 FROM event WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'the event log is append-only: an event is never replaced'); END;

CREATE TRIGGER krithi_revision_no_replace BEFORE INSERT ON krithi_revision
WHEN EXISTS (SELECT 1 FROM krithi_revision WHERE krithi_id = NEW.krithi_id AND version = NEW.version)
BEGIN SELECT RAISE(ABORT, 'krithi revisions are append-only'); END;

CREATE TRIGGER catalog_change_no_replace BEFORE INSERT ON catalog_change
WHEN EXISTS (SELECT 1 FROM catalog_change WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'catalog changes are append-only'); END;

CREATE TRIGGER krithi_no_replace BEFORE INSERT ON krithi
WHEN EXISTS (SELECT 1 FROM krithi WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'krithis are never deleted: retract them'); END;

-- Events go only with their batch: the batch row must be gone and its deletion recorded. A
-- deletion row alone (forged for a live batch) permits nothing.
DROP TRIGGER event_append_only_delete;
CREATE TRIGGER event_append_only_delete BEFORE DELETE ON event
WHEN NOT EXISTS (SELECT 1 FROM batch_deletion d WHERE d.batch_id = OLD.batch_id)
  OR EXISTS (SELECT 1 FROM batch b WHERE b.id = OLD.batch_id)
BEGIN SELECT RAISE(ABORT, 'the event log is append-only: events go only with their batch, once its deletion is recorded'); END;

-- A batch row goes only once its deletion is recorded, keeps its id, and is never replaced.
CREATE TRIGGER batch_deleted_with_its_record BEFORE DELETE ON batch
WHEN NOT EXISTS (SELECT 1 FROM batch_deletion d WHERE d.batch_id = OLD.id)
BEGIN SELECT RAISE(ABORT, 'a batch is deleted only with its deletion recorded (./grantha delete)'); END;

CREATE TRIGGER batch_keeps_its_id BEFORE UPDATE OF id ON batch
WHEN NEW.id IS NOT OLD.id
BEGIN SELECT RAISE(ABORT, 'a batch keeps its id'); END;

CREATE TRIGGER batch_no_replace BEFORE INSERT ON batch
WHEN EXISTS (SELECT 1 FROM batch WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'a batch is never replaced'); END;

-- The deletion log is append-only, and a deletion is recorded only for a batch that exists and
-- is not running ...
CREATE TRIGGER batch_deletion_no_update BEFORE UPDATE ON batch_deletion
BEGIN SELECT RAISE(ABORT, 'batch deletions are append-only'); END;

CREATE TRIGGER batch_deletion_no_delete BEFORE DELETE ON batch_deletion
BEGIN SELECT RAISE(ABORT, 'batch deletions are append-only'); END;

CREATE TRIGGER batch_deletion_no_replace BEFORE INSERT ON batch_deletion
WHEN EXISTS (SELECT 1 FROM batch_deletion WHERE batch_id = NEW.batch_id)
BEGIN SELECT RAISE(ABORT, 'batch deletions are append-only'); END;

CREATE TRIGGER batch_deletion_of_a_stopped_batch BEFORE INSERT ON batch_deletion
WHEN NOT EXISTS (SELECT 1 FROM batch WHERE id = NEW.batch_id AND status <> 'RUNNING')
BEGIN SELECT RAISE(ABORT, 'a batch deletion is recorded only for a batch that exists and is not running'); END;

-- ... and commits only in the transaction that deletes the batch row. SQLite has no commit-time
-- trigger; a deferred foreign key is one. Recording a deletion adds a row here whose `unmet`
-- (-1) names a row that cannot exist (batch_id > 0): an open violation that fails the COMMIT
-- until deleting the batch row removes it, which only that deletion may do.
CREATE TABLE batch_deletion_unfinished (
  batch_id  BIGINT NOT NULL PRIMARY KEY CHECK (batch_id > 0),
  unmet     BIGINT NOT NULL CHECK (unmet = -1) REFERENCES batch_deletion_unfinished (batch_id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TRIGGER batch_deletion_opens AFTER INSERT ON batch_deletion
BEGIN INSERT INTO batch_deletion_unfinished (batch_id, unmet) VALUES (NEW.batch_id, -1); END;

CREATE TRIGGER batch_deletion_finishes AFTER DELETE ON batch
BEGIN DELETE FROM batch_deletion_unfinished WHERE batch_id = OLD.id; END;

CREATE TRIGGER batch_deletion_unfinished_stays BEFORE DELETE ON batch_deletion_unfinished
WHEN EXISTS (SELECT 1 FROM batch WHERE id = OLD.batch_id)
BEGIN SELECT RAISE(ABORT, 'a batch deletion is recorded only together with the deletion of its batch'); END;

-- API keys are revoked, never deleted or replaced, and a revocation is final: the rows are the
-- record of who had access.
CREATE TRIGGER api_key_no_delete BEFORE DELETE ON api_key
BEGIN SELECT RAISE(ABORT, 'API keys are revoked, never deleted'); END;

CREATE TRIGGER api_key_no_replace BEFORE INSERT ON api_key
WHEN EXISTS (SELECT 1 FROM api_key WHERE id = NEW.id OR name = NEW.name OR key_hash = NEW.key_hash)
BEGIN SELECT RAISE(ABORT, 'API keys are revoked, never replaced'); END;

CREATE TRIGGER api_key_only_revoked BEFORE UPDATE ON api_key
WHEN OLD.revoked_at IS NOT NULL OR NEW.revoked_at IS NULL
  OR NEW.id IS NOT OLD.id OR NEW.name IS NOT OLD.name OR NEW.key_hash IS NOT OLD.key_hash
  OR NEW.role IS NOT OLD.role OR NEW.created_at IS NOT OLD.created_at
BEGIN SELECT RAISE(ABORT, 'an API key changes only by its revocation, once'); END;

-- The worker's liveness lock (docs/architecture.md, Rescue): PostgreSQL only.
ALTER TABLE worker ADD COLUMN lock_key INTEGER;
