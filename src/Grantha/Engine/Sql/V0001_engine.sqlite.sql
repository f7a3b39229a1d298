-- The orchestration model: batch -> job (one per stage) -> task, and the append-only event log.
-- Timestamps are Unix milliseconds (BIGINT) on both stores.
CREATE TABLE batch (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL,
  status      TEXT    NOT NULL,
  options     TEXT    NOT NULL DEFAULT '{}',
  created_by  TEXT    NOT NULL,
  created_at  BIGINT  NOT NULL,
  updated_at  BIGINT  NOT NULL,
  settled_at  BIGINT
);

CREATE TABLE job (
  id          INTEGER PRIMARY KEY,
  batch_id    BIGINT  NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
  stage       TEXT    NOT NULL,
  status      TEXT    NOT NULL,
  created_at  BIGINT  NOT NULL,
  started_at  BIGINT,
  finished_at BIGINT,
  UNIQUE (batch_id, stage)
);

CREATE TABLE stage_task (
  id                INTEGER PRIMARY KEY,
  batch_id          BIGINT  NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
  job_id            BIGINT  NOT NULL REFERENCES job(id) ON DELETE CASCADE,
  stage             TEXT    NOT NULL,
  state             TEXT    NOT NULL,
  priority          INTEGER NOT NULL DEFAULT 0,
  due_at            BIGINT  NOT NULL,
  attempt           INTEGER NOT NULL DEFAULT 0,
  max_attempts      INTEGER NOT NULL,
  idem_key          TEXT    NOT NULL UNIQUE,
  subject           TEXT    NOT NULL,
  host              TEXT,
  payload           TEXT,
  result            TEXT,
  lease_owner       TEXT,
  lease_expires_at  BIGINT,
  error_code        TEXT,
  error_kind        TEXT,
  error_message     TEXT,
  error_http_status INTEGER,
  error_attempt     INTEGER,
  error_at          BIGINT,
  created_at        BIGINT  NOT NULL,
  updated_at        BIGINT  NOT NULL,
  finished_at       BIGINT
);
CREATE INDEX stage_task_claim  ON stage_task (stage, priority DESC, due_at, id) WHERE state IN ('PENDING', 'RETRY_WAIT');
CREATE INDEX stage_task_lease  ON stage_task (lease_expires_at) WHERE state = 'RUNNING';
CREATE INDEX stage_task_batch  ON stage_task (batch_id, stage, state);
CREATE INDEX stage_task_job    ON stage_task (job_id, id);

CREATE TABLE event (
  id        INTEGER PRIMARY KEY,
  batch_id  BIGINT,
  job_id    BIGINT,
  task_id   BIGINT,
  kind      TEXT   NOT NULL,
  actor     TEXT   NOT NULL,
  at        BIGINT NOT NULL,
  data      TEXT
);
CREATE INDEX event_batch ON event (batch_id, id);
CREATE INDEX event_task  ON event (task_id) WHERE task_id IS NOT NULL;

-- The audit log of batch deletions. A deletion row is also the only permission to delete the
-- batch's events: the triggers below refuse any other update or delete of the log.
CREATE TABLE batch_deletion (
  batch_id    BIGINT PRIMARY KEY,
  name        TEXT   NOT NULL,
  actor       TEXT   NOT NULL,
  at          BIGINT NOT NULL,
  tasks       BIGINT NOT NULL,
  events      BIGINT NOT NULL
);

CREATE TRIGGER event_append_only_update BEFORE UPDATE ON event
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;

CREATE TRIGGER event_append_only_delete BEFORE DELETE ON event
WHEN NOT EXISTS (SELECT 1 FROM batch_deletion d WHERE d.batch_id = OLD.batch_id)
BEGIN SELECT RAISE(ABORT, 'the event log is append-only: events go only with a recorded batch deletion'); END;

CREATE TABLE api_key (
  id          INTEGER PRIMARY KEY,
  name        TEXT   NOT NULL UNIQUE,
  key_hash    TEXT   NOT NULL UNIQUE,
  role        TEXT   NOT NULL,
  created_at  BIGINT NOT NULL,
  revoked_at  BIGINT
);

-- Worker processes announce themselves, so the API can show who holds leases.
CREATE TABLE worker (
  id          TEXT   PRIMARY KEY,
  host_name   TEXT   NOT NULL,
  pid         INTEGER NOT NULL,
  stages      TEXT   NOT NULL,
  started_at  BIGINT NOT NULL,
  seen_at     BIGINT NOT NULL
);
