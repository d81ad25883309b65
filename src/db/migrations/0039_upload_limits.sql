-- A member's uploads per clock hour (issue 11): how many files and bytes a portal member may send, set per
-- program, and what each member sent in the current hour. The counter is raised by one conditional upsert, so
-- concurrent uploads cannot pass the limit together. Rows of past hours are pruned as the member uploads again.
ALTER TABLE programs ADD COLUMN member_upload_files_per_hour integer NOT NULL DEFAULT 60
  CHECK (member_upload_files_per_hour >= 0);
ALTER TABLE programs ADD COLUMN member_upload_bytes_per_hour bigint NOT NULL DEFAULT 262144000
  CHECK (member_upload_bytes_per_hour >= 0);

CREATE TABLE member_upload_usage (
  program_id uuid NOT NULL,
  member_id uuid NOT NULL,
  hour_start timestamptz NOT NULL,
  files integer NOT NULL,
  bytes bigint NOT NULL,
  PRIMARY KEY (program_id, member_id, hour_start)
);
