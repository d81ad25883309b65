-- The program an import of a known data set created (the CLI's Online Retail import). Running the import again
-- finds the program by the import's stable id and replays into it, instead of creating a duplicate program.
CREATE TABLE import_programs (
  import_id  text PRIMARY KEY,
  program_id uuid NOT NULL REFERENCES programs (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
