-- Issue #10 (hardening). The append-only tables refuse every way of rewriting a row; a batch
-- deletion is a permission only while its batch is being deleted; a revoked API key stays revoked;
-- a worker row carries the key of its liveness lock. ON CONFLICT DO UPDATE is an UPDATE here, so
-- the update triggers of event, krithi_revision and catalog_change refuse it already.

-- Events go only with their batch: the batch row must be gone and its deletion recorded. A
-- deletion row alone (forged for a live batch) permits nothing.
CREATE OR REPLACE FUNCTION event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM batch_deletion d WHERE d.batch_id = OLD.batch_id)
       AND NOT EXISTS (SELECT 1 FROM batch b WHERE b.id = OLD.batch_id) THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'the event log is append-only: events go only with their batch, once its deletion is recorded';
END $$;

-- A batch row goes only once its deletion is recorded, keeps its id, and is never truncated.
CREATE FUNCTION batch_deleted_with_its_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION 'a batch keeps its id';
  ELSIF TG_OP = 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM batch_deletion d WHERE d.batch_id = OLD.id) THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'a batch is deleted only with its deletion recorded (./grantha delete)';
END $$;
CREATE TRIGGER batch_deleted_with_its_record BEFORE DELETE ON batch
  FOR EACH ROW EXECUTE FUNCTION batch_deleted_with_its_record();
CREATE TRIGGER batch_keeps_its_id BEFORE UPDATE OF id ON batch
  FOR EACH ROW WHEN (NEW.id IS DISTINCT FROM OLD.id) EXECUTE FUNCTION batch_deleted_with_its_record();
CREATE TRIGGER batch_no_truncate BEFORE TRUNCATE ON batch
  FOR EACH STATEMENT EXECUTE FUNCTION batch_deleted_with_its_record();

-- The deletion log is append-only ...
CREATE FUNCTION batch_deletion_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'batch deletions are append-only'; END $$;
CREATE TRIGGER batch_deletion_append_only BEFORE UPDATE OR DELETE ON batch_deletion
  FOR EACH ROW EXECUTE FUNCTION batch_deletion_append_only();
CREATE TRIGGER batch_deletion_no_truncate BEFORE TRUNCATE ON batch_deletion
  FOR EACH STATEMENT EXECUTE FUNCTION batch_deletion_append_only();

-- ... a deletion is recorded only for a batch that exists and is not running ...
CREATE FUNCTION batch_deletion_of_a_stopped_batch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM batch WHERE id = NEW.batch_id AND status <> 'RUNNING') THEN
    RAISE EXCEPTION 'a batch deletion is recorded only for a batch that exists and is not running';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER batch_deletion_of_a_stopped_batch BEFORE INSERT ON batch_deletion
  FOR EACH ROW EXECUTE FUNCTION batch_deletion_of_a_stopped_batch();

-- ... and commits only in the transaction that deletes the batch row (checked at COMMIT).
CREATE FUNCTION batch_deletion_with_its_batch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM batch WHERE id = NEW.batch_id) THEN
    RAISE EXCEPTION 'a batch deletion is recorded only together with the deletion of its batch';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER batch_deletion_with_its_batch AFTER INSERT ON batch_deletion
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION batch_deletion_with_its_batch();

-- API keys are revoked, never deleted, and a revocation is final: the rows are the record of who
-- had access.
CREATE FUNCTION api_key_only_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL
       AND (NEW.id, NEW.name, NEW.key_hash, NEW.role, NEW.created_at) IS NOT DISTINCT FROM (OLD.id, OLD.name, OLD.key_hash, OLD.role, OLD.created_at) THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION 'API keys are revoked, never deleted; a key changes only by its revocation, once';
END $$;
CREATE TRIGGER api_key_only_revoked BEFORE UPDATE OR DELETE ON api_key
  FOR EACH ROW EXECUTE FUNCTION api_key_only_revoked();
CREATE TRIGGER api_key_no_truncate BEFORE TRUNCATE ON api_key
  FOR EACH STATEMENT EXECUTE FUNCTION api_key_only_revoked();

-- The worker's liveness lock (docs/architecture.md, Rescue): the second key of
-- pg_advisory_lock(int, int) its process holds on a connection of its own while it lives.
ALTER TABLE worker ADD COLUMN lock_key INTEGER;
