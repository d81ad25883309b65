-- Trainings and members-only content (src/training): courses of ordered modules, each member's progress
-- and completions, certificates with a verification code and an expiry, the certifications a tier level
-- requires, and articles and files a program shows only to some members, with their read receipts.
-- Texts are JSON objects by language ({"en": "...", "sv": "..."}); a missing language falls back to the
-- program's default when read. program_id leads every key, as in 0001.

-- ---------------------------------------------------------------- files (bytes in the evidence store)
CREATE TABLE training_files (
  program_id   uuid NOT NULL REFERENCES programs (id),
  id           uuid NOT NULL,
  sha256       char(64) NOT NULL,
  content_type text NOT NULL,
  size_bytes   bigint NOT NULL CHECK (size_bytes > 0),
  file_name    text,
  uploaded_by  text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id)
);

-- ---------------------------------------------------------------- courses
CREATE TABLE courses (
  program_id     uuid NOT NULL REFERENCES programs (id),
  id             uuid NOT NULL,
  code           text NOT NULL,
  title          jsonb NOT NULL,
  summary        jsonb NOT NULL DEFAULT '{}',
  status         text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
  -- A certificate is issued on completion when set; valid this many months (null: never expires).
  certificate    boolean NOT NULL DEFAULT false,
  valid_months   integer CHECK (valid_months BETWEEN 1 AND 120),
  published_at   timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id),
  UNIQUE (program_id, code)
);

CREATE TABLE course_modules (
  program_id   uuid NOT NULL,
  id           uuid NOT NULL,
  course_id    uuid NOT NULL,
  position     integer NOT NULL CHECK (position >= 0),
  kind         text NOT NULL CHECK (kind IN ('text', 'video', 'file', 'quiz')),
  title        jsonb NOT NULL,
  body         jsonb NOT NULL DEFAULT '{}',
  video_url    text,
  file_id      uuid,
  -- A quiz of the question engine (src/quizzes); passing it completes the module (see completeModule).
  quiz_id      uuid,
  PRIMARY KEY (program_id, id),
  UNIQUE (program_id, course_id, position),
  FOREIGN KEY (program_id, course_id) REFERENCES courses (program_id, id),
  FOREIGN KEY (program_id, file_id) REFERENCES training_files (program_id, id),
  CHECK ((kind = 'video') = (video_url IS NOT NULL)),
  CHECK ((kind = 'file') = (file_id IS NOT NULL)),
  CHECK ((kind = 'quiz') = (quiz_id IS NOT NULL))
);

CREATE TABLE module_completions (
  program_id   uuid NOT NULL,
  member_id    uuid NOT NULL,
  module_id    uuid NOT NULL,
  course_id    uuid NOT NULL,
  -- 'member' (the portal), 'quiz' (a passed quiz), 'staff' (recorded by the program team).
  source       text NOT NULL,
  completed_at timestamptz NOT NULL,
  PRIMARY KEY (program_id, member_id, module_id),
  FOREIGN KEY (program_id, module_id) REFERENCES course_modules (program_id, id),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id)
);
CREATE INDEX module_completions_by_course ON module_completions (program_id, course_id);

CREATE TABLE course_completions (
  program_id   uuid NOT NULL,
  course_id    uuid NOT NULL,
  member_id    uuid NOT NULL,
  completed_at timestamptz NOT NULL,
  -- The training.completed event that paid for it (its external id is training:<course>:<member>).
  event_id     uuid,
  points       bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (program_id, course_id, member_id),
  FOREIGN KEY (program_id, course_id) REFERENCES courses (program_id, id),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id)
);

CREATE TABLE certificates (
  program_id    uuid NOT NULL,
  id            uuid NOT NULL,
  course_id     uuid NOT NULL,
  member_id     uuid NOT NULL,
  -- What anyone can check at GET /v1/certificates/verify/{code}: random, not guessable.
  code          text NOT NULL,
  language      text NOT NULL,
  -- As printed at issue: a later rename of the member or the course does not change a certificate.
  member_name   text NOT NULL,
  course_title  text NOT NULL,
  issued_at     timestamptz NOT NULL,
  expires_at    timestamptz,
  revoked_at    timestamptz,
  -- Set once by the reminder job when the member was told the certificate expires soon.
  reminded_at   timestamptz,
  PRIMARY KEY (program_id, id),
  UNIQUE (program_id, course_id, member_id),
  UNIQUE (program_id, code),
  FOREIGN KEY (program_id, course_id) REFERENCES courses (program_id, id),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id)
);
CREATE INDEX certificates_by_code ON certificates (code);
CREATE INDEX certificates_expiring ON certificates (program_id, expires_at) WHERE reminded_at IS NULL AND expires_at IS NOT NULL;

-- A tier level a member (or account) may hold only with a valid certificate of each listed course.
CREATE TABLE tier_certification_requirements (
  program_id  uuid NOT NULL,
  level_code  text NOT NULL,
  course_id   uuid NOT NULL,
  PRIMARY KEY (program_id, level_code, course_id),
  FOREIGN KEY (program_id, course_id) REFERENCES courses (program_id, id)
);

-- ---------------------------------------------------------------- members-only content
CREATE TABLE content_items (
  program_id    uuid NOT NULL REFERENCES programs (id),
  id            uuid NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('article', 'file')),
  title         jsonb NOT NULL,
  summary       jsonb NOT NULL DEFAULT '{}',
  body          jsonb NOT NULL DEFAULT '{}',
  file_id       uuid,
  -- Who may read it: empty lists mean no condition; a member must pass every non-empty one.
  tiers         text[] NOT NULL DEFAULT '{}',
  roles         text[] NOT NULL DEFAULT '{}',
  segments      text[] NOT NULL DEFAULT '{}',
  tags          text[] NOT NULL DEFAULT '{}',
  -- {"platinum": 7, "gold": 3}: a member of that tier sees it this many days before available_at.
  early_access  jsonb NOT NULL DEFAULT '{}',
  available_at  timestamptz,
  status        text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
  published_at  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id),
  FOREIGN KEY (program_id, file_id) REFERENCES training_files (program_id, id),
  CHECK ((kind = 'file') = (file_id IS NOT NULL))
);

CREATE TABLE content_reads (
  program_id    uuid NOT NULL,
  content_id    uuid NOT NULL,
  member_id     uuid NOT NULL,
  account_id    uuid NOT NULL,
  first_read_at timestamptz NOT NULL,
  last_read_at  timestamptz NOT NULL,
  reads         integer NOT NULL DEFAULT 1 CHECK (reads >= 1),
  PRIMARY KEY (program_id, content_id, member_id),
  FOREIGN KEY (program_id, content_id) REFERENCES content_items (program_id, id),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id)
);
