-- CSV imports started from the console: each upload runs as a job whose progress and line errors the page polls.
CREATE TABLE import_jobs (
  program_id   uuid NOT NULL REFERENCES programs (id),
  id           uuid NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('accounts', 'members', 'events')),
  file_name    text,
  state        text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'finished', 'failed')),
  -- Data rows in the file (counted before the import starts) and rows handled so far.
  total_rows   integer NOT NULL DEFAULT 0,
  done_rows    integer NOT NULL DEFAULT 0,
  created      integer NOT NULL DEFAULT 0,
  updated      integer NOT NULL DEFAULT 0,
  -- Events sent before (same id): nothing new was booked for them.
  replayed     integer NOT NULL DEFAULT 0,
  failed       integer NOT NULL DEFAULT 0,
  -- The first problems by line of the file: [{line, code, message}].
  errors       jsonb NOT NULL DEFAULT '[]',
  error_count  integer NOT NULL DEFAULT 0,
  -- Why a whole job failed (a bad header, an unreadable file): an error code and its parameters.
  failure_code text,
  failure_params jsonb,
  started_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  PRIMARY KEY (program_id, id)
);
CREATE INDEX import_jobs_recent ON import_jobs (program_id, created_at DESC);
