-- Survey progress kept on the server, and certificate renewal.
--
-- survey_drafts: the answers a member has given so far to a survey not yet sent, so a dropped connection or
-- another device resumes where they stopped. A draft is the member's own unfinished work, never an answer:
-- it is deleted in the transaction that records the "already answered" mark, before the answer itself is
-- written (for an anonymous survey, in a transaction of its own after that one), so no draft outlives the
-- answer it became and nothing joins an anonymous answer to its member through it.
CREATE TABLE survey_drafts (
  program_id  uuid NOT NULL REFERENCES programs (id),
  survey_id   uuid NOT NULL,
  member_id   uuid NOT NULL,
  -- The form version answered; a draft of an older version is not resumed.
  version     integer NOT NULL,
  answers     jsonb NOT NULL,
  -- The question the member was on (0-based), so the portal opens there.
  step        integer NOT NULL DEFAULT 0 CHECK (step >= 0),
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (program_id, survey_id, member_id),
  FOREIGN KEY (program_id, survey_id) REFERENCES surveys (program_id, id),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id)
);

-- Renewal: a course says how an expiring or expired certificate is renewed — by taking the whole course
-- again ('course') or only its final quiz ('quiz'). A renewal issues a new certificate with a new code; the
-- old one points at it (replaced_by) and verifies as replaced. One current certificate per member and course.
ALTER TABLE courses ADD COLUMN renew_by text NOT NULL DEFAULT 'course' CHECK (renew_by IN ('course', 'quiz'));
ALTER TABLE certificates DROP CONSTRAINT certificates_program_id_course_id_member_id_key;
ALTER TABLE certificates ADD COLUMN replaced_by uuid;
ALTER TABLE certificates ADD COLUMN replaced_at timestamptz;
CREATE UNIQUE INDEX certificates_current ON certificates (program_id, course_id, member_id) WHERE replaced_by IS NULL;

-- A renewal under way: started by the member, it reopens the modules to take again; finishing them issues
-- the new certificate and sets completed_at. At most one open renewal per member and course.
CREATE TABLE course_renewals (
  program_id      uuid NOT NULL,
  id              uuid NOT NULL,
  course_id       uuid NOT NULL,
  member_id       uuid NOT NULL,
  certificate_id  uuid NOT NULL,
  started_at      timestamptz NOT NULL,
  completed_at    timestamptz,
  new_certificate_id uuid,
  PRIMARY KEY (program_id, id),
  FOREIGN KEY (program_id, course_id) REFERENCES courses (program_id, id),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id),
  FOREIGN KEY (program_id, certificate_id) REFERENCES certificates (program_id, id)
);
CREATE UNIQUE INDEX course_renewals_open ON course_renewals (program_id, course_id, member_id) WHERE completed_at IS NULL;
