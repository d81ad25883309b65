-- The service extranet (issue 15): request types per program, service levels, requests with their full
-- timeline (state changes, public and internal comments, attachments from the evidence store), the CSAT
-- answer given on close, quick replies, and the help centre's articles with their full-text search vector.
-- program_id leads every key, as in 0001.

CREATE TABLE service_settings (
  program_id    uuid PRIMARY KEY REFERENCES programs (id),
  -- Days after closing in which the member may reopen a request.
  reopen_days   integer NOT NULL DEFAULT 14 CHECK (reopen_days BETWEEN 0 AND 365),
  -- ISO weekdays (1 = Monday … 7 = Sunday) and the local opening hours, in the program's time zone.
  working_days  integer[] NOT NULL DEFAULT '{1,2,3,4,5}',
  day_start     text NOT NULL DEFAULT '08:00' CHECK (day_start ~ '^[0-2][0-9]:[0-5][0-9]$'),
  day_end       text NOT NULL DEFAULT '17:00' CHECK (day_end ~ '^[0-2][0-9]:[0-5][0-9]$'),
  -- Local dates (YYYY-MM-DD) on which nobody answers.
  holidays      text[] NOT NULL DEFAULT '{}',
  -- Share of a target (percent) left at which a request counts as near breach.
  near_breach_percent integer NOT NULL DEFAULT 25 CHECK (near_breach_percent BETWEEN 1 AND 99),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE service_types (
  program_id  uuid NOT NULL REFERENCES programs (id),
  id          uuid NOT NULL,
  code        text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('question', 'complaint', 'callback', 'special_order', 'custom')),
  -- {"en": "…", "sv": "…", …}
  names       jsonb NOT NULL,
  descriptions jsonb NOT NULL DEFAULT '{}',
  -- [{"key", "kind": text|textarea|number|date|phone|choice, "required", "labels": {lang: …}, "options"?: [...]}]
  fields      jsonb NOT NULL DEFAULT '[]',
  active      boolean NOT NULL DEFAULT true,
  position    integer NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id),
  UNIQUE (program_id, code)
);

-- A service level: first answer and resolution targets in working minutes, for a type and/or an account
-- tier (null = any). The most specific match wins (type and tier, then type, then tier, then the default).
CREATE TABLE service_levels (
  program_id         uuid NOT NULL REFERENCES programs (id),
  id                 uuid NOT NULL,
  type_code          text,
  tier               text,
  first_response_minutes integer NOT NULL CHECK (first_response_minutes > 0),
  resolution_minutes integer NOT NULL CHECK (resolution_minutes > 0),
  PRIMARY KEY (program_id, id)
);
CREATE UNIQUE INDEX service_levels_match ON service_levels (program_id, coalesce(type_code, ''), coalesce(tier, ''));

CREATE TABLE service_counters (
  program_id  uuid PRIMARY KEY REFERENCES programs (id),
  last_number bigint NOT NULL
);

CREATE TABLE service_requests (
  program_id        uuid NOT NULL REFERENCES programs (id),
  id                uuid NOT NULL,
  -- What people quote on the phone: 1, 2, 3 … per program.
  number            bigint NOT NULL,
  type_id           uuid NOT NULL,
  member_id         uuid NOT NULL,
  account_id        uuid NOT NULL,
  subject           text NOT NULL,
  body              text NOT NULL,
  fields            jsonb NOT NULL DEFAULT '{}',
  state             text NOT NULL CHECK (state IN ('new', 'in_progress', 'waiting_customer', 'resolved', 'closed')),
  assignee_id       uuid,
  language          text NOT NULL CHECK (language IN ('en', 'sv', 'nb', 'pl', 'de')),
  tier              text,
  first_response_minutes integer NOT NULL,
  resolution_minutes integer NOT NULL,
  first_response_at timestamptz,
  resolved_at       timestamptz,
  closed_at         timestamptz,
  created_by        text NOT NULL,
  idempotency_key   text,
  request_hash      text,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  PRIMARY KEY (program_id, id),
  UNIQUE (program_id, number),
  FOREIGN KEY (program_id, type_id) REFERENCES service_types (program_id, id),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id),
  FOREIGN KEY (program_id, account_id) REFERENCES accounts (program_id, id),
  FOREIGN KEY (program_id, assignee_id) REFERENCES staff_users (program_id, id)
);
CREATE UNIQUE INDEX service_requests_idempotency ON service_requests (program_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX service_requests_queue ON service_requests (program_id, state, created_at);
CREATE INDEX service_requests_by_member ON service_requests (program_id, member_id, created_at);
CREATE INDEX service_requests_by_account ON service_requests (program_id, account_id, created_at);

-- The timeline: everything that happened to a request, in order. Internal entries are for staff only.
CREATE TABLE service_entries (
  program_id  uuid NOT NULL REFERENCES programs (id),
  id          uuid NOT NULL,
  request_id  uuid NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('created', 'comment', 'state', 'assignment')),
  internal    boolean NOT NULL DEFAULT false,
  -- staff:<id>, member:<id>, key:<id>, system
  author      text NOT NULL,
  author_name text,
  -- Who wrote it, as the member sees it: the member's side or the program's.
  by_staff    boolean NOT NULL,
  body        text,
  from_state  text,
  to_state    text,
  assignee_id uuid,
  created_at  timestamptz NOT NULL,
  PRIMARY KEY (program_id, id),
  FOREIGN KEY (program_id, request_id) REFERENCES service_requests (program_id, id)
);
CREATE INDEX service_entries_by_request ON service_entries (program_id, request_id, created_at, id);

CREATE TABLE service_attachments (
  program_id  uuid NOT NULL REFERENCES programs (id),
  entry_id    uuid NOT NULL,
  evidence_id uuid NOT NULL,
  PRIMARY KEY (program_id, entry_id, evidence_id),
  FOREIGN KEY (program_id, entry_id) REFERENCES service_entries (program_id, id),
  FOREIGN KEY (program_id, evidence_id) REFERENCES evidence_files (program_id, id)
);

-- One satisfaction answer per request, given after it closed (read by src/service/csat.ts for reports and surveys).
CREATE TABLE service_csat (
  program_id  uuid NOT NULL REFERENCES programs (id),
  request_id  uuid NOT NULL,
  member_id   uuid NOT NULL,
  type_id     uuid NOT NULL,
  score       integer NOT NULL CHECK (score BETWEEN 1 AND 5),
  comment     text,
  created_at  timestamptz NOT NULL,
  PRIMARY KEY (program_id, request_id),
  FOREIGN KEY (program_id, request_id) REFERENCES service_requests (program_id, id)
);

CREATE TABLE service_quick_replies (
  program_id  uuid NOT NULL REFERENCES programs (id),
  id          uuid NOT NULL,
  language    text NOT NULL CHECK (language IN ('en', 'sv', 'nb', 'pl', 'de')),
  title       text NOT NULL,
  body        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id)
);

-- Help centre articles, one row per language; `search` is written with the language's text search
-- configuration (swedish, norwegian, german, english; Polish has none in PostgreSQL: simple).
CREATE TABLE help_articles (
  program_id   uuid NOT NULL REFERENCES programs (id),
  id           uuid NOT NULL,
  language     text NOT NULL CHECK (language IN ('en', 'sv', 'nb', 'pl', 'de')),
  category     text NOT NULL,
  title        text NOT NULL,
  body         text NOT NULL,
  published    boolean NOT NULL DEFAULT true,
  search       tsvector NOT NULL,
  helpful      integer NOT NULL DEFAULT 0,
  not_helpful  integer NOT NULL DEFAULT 0,
  views        integer NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id)
);
CREATE INDEX help_articles_search ON help_articles USING gin (search);
CREATE INDEX help_articles_by_language ON help_articles (program_id, language, category);
