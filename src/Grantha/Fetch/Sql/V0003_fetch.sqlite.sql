-- The fetch stage: content-addressed page bodies, one evidence row per fetch attempt that got an
-- HTTP answer, per-host politeness state shared by all worker processes, and cached robots.txt.
-- Evidence carries batch_id/task_id without foreign keys: pages outlive batches (a blob is shared
-- by every batch that fetched the same body) and ad-hoc fetches have no task.
CREATE TABLE page_blob (
  sha256        TEXT    PRIMARY KEY,
  body          BLOB    NOT NULL,
  size          BIGINT  NOT NULL,
  content_type  TEXT,
  stored_at     BIGINT  NOT NULL
);

CREATE TABLE fetch_evidence (
  id             INTEGER PRIMARY KEY,
  batch_id       BIGINT,
  task_id        BIGINT,
  url            TEXT    NOT NULL,
  final_url      TEXT    NOT NULL,
  status         INTEGER NOT NULL,
  headers        TEXT    NOT NULL,
  sha256         TEXT    REFERENCES page_blob(sha256),
  etag           TEXT,
  last_modified  TEXT,
  not_modified   INTEGER NOT NULL DEFAULT 0,
  error_code     TEXT,
  attempt        INTEGER NOT NULL,
  elapsed_ms     BIGINT  NOT NULL,
  fetched_at     BIGINT  NOT NULL
);
CREATE INDEX fetch_evidence_url   ON fetch_evidence (url, id);
CREATE INDEX fetch_evidence_task  ON fetch_evidence (task_id) WHERE task_id IS NOT NULL;
CREATE INDEX fetch_evidence_batch ON fetch_evidence (batch_id) WHERE batch_id IS NOT NULL;

-- One row per source host (the ORIGINAL host, also when a batch maps it onto the offline site).
CREATE TABLE host_state (
  host            TEXT    PRIMARY KEY,
  delay_ms        BIGINT  NOT NULL,
  crawl_delay_ms  BIGINT  NOT NULL DEFAULT 0,
  next_start_at   BIGINT  NOT NULL DEFAULT 0,
  blocked_until   BIGINT  NOT NULL DEFAULT 0,
  updated_at      BIGINT  NOT NULL
);

-- A request in flight holds a slot; a killed worker's slot ends with its lease.
CREATE TABLE host_slot (
  id           INTEGER PRIMARY KEY,
  host         TEXT    NOT NULL,
  holder       TEXT    NOT NULL,
  acquired_at  BIGINT  NOT NULL,
  expires_at   BIGINT  NOT NULL
);
CREATE INDEX host_slot_host ON host_slot (host, expires_at);

CREATE TABLE robots_cache (
  host        TEXT    PRIMARY KEY,
  url         TEXT    NOT NULL,
  status      INTEGER NOT NULL,
  body        TEXT,
  fetched_at  BIGINT  NOT NULL,
  expires_at  BIGINT  NOT NULL
);
