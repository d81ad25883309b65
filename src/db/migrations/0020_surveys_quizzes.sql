-- Listening and knowledge: the question engine's versioned forms, surveys (NPS, CSAT, choices, text) with their
-- answers kept apart from who answered, detractor follow-ups, CSAT scores other modules report, and quizzes
-- with their attempts. program_id leads every key, as in 0001.

-- ---------------------------------------------------------------- question engine (src/questions)
-- One row per published version of a form (a survey's or a quiz's questions). Never updated: editing a
-- published form writes the next version, and every answer keeps the version it answered.
CREATE TABLE question_form_versions (
  program_id  uuid NOT NULL REFERENCES programs (id),
  form_id     uuid NOT NULL,
  version     integer NOT NULL CHECK (version >= 1),
  questions   jsonb NOT NULL,
  created_at  timestamptz NOT NULL,
  PRIMARY KEY (program_id, form_id, version)
);

-- ---------------------------------------------------------------- surveys (src/surveys)
CREATE TABLE surveys (
  program_id     uuid NOT NULL REFERENCES programs (id),
  id             uuid NOT NULL,
  title          jsonb NOT NULL,
  intro          jsonb NOT NULL DEFAULT '{}',
  -- The questions being edited; the published ones are in question_form_versions (form_id = id).
  questions      jsonb NOT NULL,
  status         text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'closed')),
  version        integer CHECK (version >= 1),
  anonymous      boolean NOT NULL DEFAULT false,
  once_per       text NOT NULL DEFAULT 'member' CHECK (once_per IN ('member', 'account')),
  audience       jsonb NOT NULL DEFAULT '{}',
  opens_at       timestamptz,
  closes_at      timestamptz CHECK (closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at),
  points         integer NOT NULL DEFAULT 0 CHECK (points >= 0),
  -- The rule that pays `points` for the survey.completed event naming this survey (created on publishing).
  rule_id        uuid,
  follow_up      boolean NOT NULL DEFAULT true,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  published_at   timestamptz,
  PRIMARY KEY (program_id, id)
);

-- The answers. No column names the member or, for an anonymous survey, the account: member_id and account_id
-- are filled only when the survey is not anonymous, and then answered_at too. An anonymous answer keeps the
-- day it was given and the respondent's tier, role and segment (for the breakdowns), nothing finer.
CREATE TABLE survey_answers (
  program_id   uuid NOT NULL REFERENCES programs (id),
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  survey_id    uuid NOT NULL,
  version      integer NOT NULL,
  answered_on  date NOT NULL,
  answered_at  timestamptz,
  member_id    uuid,
  account_id   uuid,
  tier         text,
  role         text,
  segment      text,
  answers      jsonb NOT NULL,
  -- The first NPS and CSAT question's score, for the figures.
  nps          smallint CHECK (nps BETWEEN 0 AND 10),
  csat         smallint CHECK (csat BETWEEN 1 AND 5),
  PRIMARY KEY (program_id, id),
  FOREIGN KEY (program_id, survey_id) REFERENCES surveys (program_id, id),
  FOREIGN KEY (program_id, survey_id, version) REFERENCES question_form_versions (program_id, form_id, version)
);
CREATE INDEX survey_answers_by_survey ON survey_answers (program_id, survey_id, answered_on);

-- "Already answered": one row per member (or per account, as the survey says), kept apart from the answers
-- and sharing no key with them. For an anonymous survey answered_at is the day only.
CREATE TABLE survey_marks (
  program_id      uuid NOT NULL REFERENCES programs (id),
  survey_id       uuid NOT NULL,
  respondent_key  text NOT NULL,
  member_id       uuid NOT NULL,
  answered_at     timestamptz NOT NULL,
  PRIMARY KEY (program_id, survey_id, respondent_key),
  FOREIGN KEY (program_id, survey_id) REFERENCES surveys (program_id, id),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id)
);

-- A detractor's answer (0–6) on a survey that is not anonymous, for the account's key-account manager.
CREATE TABLE survey_followups (
  program_id   uuid NOT NULL REFERENCES programs (id),
  id           uuid NOT NULL,
  survey_id    uuid NOT NULL,
  answer_id    uuid NOT NULL,
  account_id   uuid NOT NULL,
  member_id    uuid NOT NULL,
  score        smallint NOT NULL CHECK (score BETWEEN 0 AND 6),
  comment      text,
  assignee     text,
  status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  note         text,
  created_at   timestamptz NOT NULL,
  closed_at    timestamptz,
  closed_by    text,
  PRIMARY KEY (program_id, id),
  UNIQUE (program_id, answer_id),
  FOREIGN KEY (program_id, answer_id) REFERENCES survey_answers (program_id, id)
);
CREATE INDEX survey_followups_open ON survey_followups (program_id, status, created_at);

-- CSAT scores from elsewhere (a service desk on closing a request): counted in the same figures.
CREATE TABLE csat_scores (
  program_id   uuid NOT NULL REFERENCES programs (id),
  id           uuid NOT NULL,
  source       text NOT NULL,
  source_ref   text NOT NULL,
  account_id   uuid,
  score        smallint NOT NULL CHECK (score BETWEEN 1 AND 5),
  tier         text,
  segment      text,
  occurred_at  timestamptz NOT NULL,
  PRIMARY KEY (program_id, id),
  UNIQUE (program_id, source, source_ref)
);
CREATE INDEX csat_scores_by_time ON csat_scores (program_id, occurred_at);

-- ---------------------------------------------------------------- quizzes (src/quizzes)
CREATE TABLE quizzes (
  program_id        uuid NOT NULL REFERENCES programs (id),
  id                uuid NOT NULL,
  title             jsonb NOT NULL,
  intro             jsonb NOT NULL DEFAULT '{}',
  questions         jsonb NOT NULL,
  status            text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'closed')),
  version           integer CHECK (version >= 1),
  -- Questions drawn from the bank per attempt (null: all of them).
  draw              integer CHECK (draw >= 1),
  pass_percent      integer NOT NULL DEFAULT 80 CHECK (pass_percent BETWEEN 1 AND 100),
  shuffle           boolean NOT NULL DEFAULT true,
  max_attempts      integer CHECK (max_attempts >= 1),
  cooldown_minutes  integer NOT NULL DEFAULT 0 CHECK (cooldown_minutes >= 0),
  audience          jsonb NOT NULL DEFAULT '{}',
  opens_at          timestamptz,
  closes_at         timestamptz,
  points            integer NOT NULL DEFAULT 0 CHECK (points >= 0),
  rule_id           uuid,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  published_at      timestamptz,
  PRIMARY KEY (program_id, id)
);

CREATE TABLE quiz_attempts (
  program_id    uuid NOT NULL REFERENCES programs (id),
  id            uuid NOT NULL,
  quiz_id       uuid NOT NULL,
  member_id     uuid NOT NULL,
  account_id    uuid NOT NULL,
  version       integer NOT NULL,
  -- The questions drawn for this attempt, in the order shown, each with its options' order.
  drawn         jsonb NOT NULL,
  started_at    timestamptz NOT NULL,
  submitted_at  timestamptz,
  answers       jsonb,
  -- Per question: { id, correct }.
  results       jsonb,
  score         integer,
  total         integer,
  passed        boolean,
  -- The member's first passing attempt: the one whose quiz.passed event pays.
  first_pass    boolean NOT NULL DEFAULT false,
  PRIMARY KEY (program_id, id),
  FOREIGN KEY (program_id, quiz_id) REFERENCES quizzes (program_id, id),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id),
  FOREIGN KEY (program_id, quiz_id, version) REFERENCES question_form_versions (program_id, form_id, version)
);
CREATE INDEX quiz_attempts_by_member ON quiz_attempts (program_id, quiz_id, member_id, started_at);
-- At most one open (unsubmitted) attempt per member and quiz.
CREATE UNIQUE INDEX quiz_attempts_one_open ON quiz_attempts (program_id, quiz_id, member_id) WHERE submitted_at IS NULL;
-- The first pass is the one that pays.
CREATE UNIQUE INDEX quiz_attempts_one_pass ON quiz_attempts (program_id, quiz_id, member_id) WHERE first_pass;
