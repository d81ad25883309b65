-- The co-op job corrects the accrual of purchases that were partly returned after it accrued. Returns touch a
-- small share of lines; this index lets the hourly run visit only those purchases instead of every accrued one.
CREATE INDEX event_lines_returned ON event_lines (program_id, event_id) WHERE returned_amount > 0;

-- An import runs inside the server process that took the upload. Its heartbeat shows it is still alive; a
-- job whose heartbeat stopped (the process died) is reported as interrupted instead of running for ever.
ALTER TABLE import_jobs ADD COLUMN heartbeat_at timestamptz NOT NULL DEFAULT now();
