-- Companies and their people: hierarchy rollup, invitations and self-registration, deactivation policy,
-- the mail outbox, onboarding checklists and volume discounts. program_id leads every key, as in 0001.

-- How tiers and account caps count in a hierarchy: per account ('branch') or on the top parent ('chain').
-- What happens to a leaver's points: back to the company wallet ('return') or expired ('expire').
-- On programs, so the event path reads them with the program it loads anyway.
ALTER TABLE programs ADD COLUMN hierarchy_rollup text NOT NULL DEFAULT 'branch' CHECK (hierarchy_rollup IN ('branch', 'chain'));
ALTER TABLE programs ADD COLUMN leaver_points text NOT NULL DEFAULT 'return' CHECK (leaver_points IN ('return', 'expire'));
-- Set while the program has an onboarding checklist, so event ingestion of programs without one does no extra work.
ALTER TABLE programs ADD COLUMN has_onboarding boolean NOT NULL DEFAULT false;

-- A person who asked to join an account waits as 'pending' until a manager approves or rejects.
ALTER TABLE members DROP CONSTRAINT members_status_check;
ALTER TABLE members ADD CONSTRAINT members_status_check CHECK (status IN ('invited', 'pending', 'active', 'suspended', 'closed'));

-- A code an account hands its staff so they can ask to join it.
CREATE TABLE account_join_codes (
  program_id uuid NOT NULL REFERENCES programs (id),
  code       text NOT NULL,
  account_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, code),
  UNIQUE (program_id, account_id),
  FOREIGN KEY (program_id, account_id) REFERENCES accounts (program_id, id)
);

-- An invitation: only the token's hash is stored; the token names its program so no global look-up is needed.
CREATE TABLE invitations (
  program_id  uuid NOT NULL REFERENCES programs (id),
  id          uuid NOT NULL,
  member_id   uuid NOT NULL,
  token_hash  text NOT NULL,
  expires_at  timestamptz NOT NULL,
  invited_by  text NOT NULL,
  accepted_at timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id),
  UNIQUE (program_id, token_hash),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id)
);
CREATE INDEX invitations_by_member ON invitations (program_id, member_id);

-- Mails waiting for delivery, written in the transaction of the action that causes them.
CREATE TABLE mail_outbox (
  program_id      uuid NOT NULL REFERENCES programs (id),
  id              uuid NOT NULL,
  template        text NOT NULL,
  to_address      text NOT NULL,
  language        text NOT NULL CHECK (language IN ('en', 'sv', 'nb', 'pl', 'de')),
  subject         text NOT NULL,
  body            text NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  sent_at         timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id)
);
CREATE INDEX mail_outbox_due ON mail_outbox (program_id, next_attempt_at) WHERE status = 'pending';

-- Onboarding checklist: steps a member completes once, each paying its points once.
CREATE TABLE onboarding_steps (
  program_id uuid NOT NULL REFERENCES programs (id),
  code       text NOT NULL,
  position   integer NOT NULL,
  -- {"en": …, "sv": …, "nb": …, "pl": …, "de": …}
  names      jsonb NOT NULL,
  points     integer NOT NULL CHECK (points >= 0),
  -- {"kind":"event","eventType":"…","attribute"?:…,"equals"?:…} | {"kind":"profile","fields":[…]}
  completion jsonb NOT NULL,
  PRIMARY KEY (program_id, code)
);

CREATE TABLE onboarding_completions (
  program_id   uuid NOT NULL REFERENCES programs (id),
  member_id    uuid NOT NULL,
  step_code    text NOT NULL,
  completed_at timestamptz NOT NULL,
  event_id     uuid,
  journal_id   uuid,
  PRIMARY KEY (program_id, member_id, step_code),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id)
);

-- Volume discounts: levels by purchased amount (minor units) or quantity in a period.
CREATE TABLE volume_discount_settings (
  program_id    uuid PRIMARY KEY REFERENCES programs (id),
  basis         text NOT NULL CHECK (basis IN ('amount', 'quantity')),
  period_kind   text NOT NULL CHECK (period_kind IN ('calendar_year', 'quarter', 'rolling')),
  period_months integer NOT NULL DEFAULT 12 CHECK (period_months BETWEEN 1 AND 36),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE volume_discount_levels (
  program_id   uuid NOT NULL REFERENCES programs (id),
  threshold    bigint NOT NULL CHECK (threshold > 0),
  basis_points integer NOT NULL CHECK (basis_points BETWEEN 1 AND 10000),
  PRIMARY KEY (program_id, threshold)
);
