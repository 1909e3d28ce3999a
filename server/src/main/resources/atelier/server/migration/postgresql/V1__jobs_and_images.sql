-- The job queue and the gallery index (PostgreSQL). Times are epoch milliseconds from the database clock.
CREATE TABLE jobs (
  seq              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- submission order
  id               TEXT    NOT NULL UNIQUE,            -- opaque random id (UUID)
  kind             TEXT    NOT NULL,
  spec             TEXT    NOT NULL,                   -- JSON object; its seed was fixed at submission
  state            TEXT    NOT NULL DEFAULT 'queued'
                   CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
  priority         INTEGER NOT NULL DEFAULT 0,
  attempts         INTEGER NOT NULL DEFAULT 0,         -- claims so far
  worker_id        TEXT,
  created_at       BIGINT NOT NULL,
  started_at       BIGINT,
  finished_at      BIGINT,
  lease_expires_at BIGINT,
  heartbeat_at     BIGINT,
  error_kind       TEXT,
  error_message    TEXT,
  progress_step    INTEGER NOT NULL DEFAULT 0,
  progress_total   INTEGER NOT NULL DEFAULT 0,
  cancel_requested INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX jobs_queue ON jobs (state, priority DESC, seq);
CREATE INDEX jobs_lease ON jobs (state, lease_expires_at);

CREATE TABLE images (
  seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id         TEXT    NOT NULL UNIQUE,                  -- opaque random id (UUID)
  job_id     TEXT    NOT NULL REFERENCES jobs (id),
  idx        INTEGER NOT NULL,                         -- place among the job's outputs
  path       TEXT    NOT NULL,                         -- relative to the output storage root
  prompt     TEXT,
  model      TEXT,
  recipe     TEXT,
  record     TEXT,                                     -- the full record, JSON
  created_at BIGINT NOT NULL,
  UNIQUE (job_id, idx)
);
CREATE INDEX images_model ON images (model);
CREATE INDEX images_recipe ON images (recipe);
