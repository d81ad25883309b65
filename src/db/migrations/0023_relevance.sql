-- Relevance (issue 16): dynamic and static segments with their members and counts over time, and the nightly
-- scores of every account (RFM quintiles, loyalty type with its reasons, one row per account and month for the
-- month-to-month movement).

CREATE TABLE segments (
  program_id    uuid NOT NULL REFERENCES programs (id),
  id            uuid NOT NULL,
  -- What rules and rewards name in their "segments" conditions.
  key           text NOT NULL,
  name          text NOT NULL,
  description   text,
  kind          text NOT NULL CHECK (kind IN ('dynamic', 'static')),
  subject       text NOT NULL CHECK (subject IN ('account', 'member')),
  -- The validated filter (src/segments/filter.ts); NULL for a static list.
  definition    jsonb,
  -- Built in (the middle band): kept by the program, not editable.
  system        boolean NOT NULL DEFAULT false,
  member_count  integer NOT NULL DEFAULT 0,
  refreshed_at  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id),
  UNIQUE (program_id, key),
  CHECK ((kind = 'dynamic') = (definition IS NOT NULL))
);

-- subject_id is an account id or a member id, by the segment's subject.
CREATE TABLE segment_members (
  program_id  uuid NOT NULL,
  segment_id  uuid NOT NULL,
  subject_id  uuid NOT NULL,
  added_at    timestamptz NOT NULL,
  PRIMARY KEY (program_id, segment_id, subject_id),
  FOREIGN KEY (program_id, segment_id) REFERENCES segments (program_id, id) ON DELETE CASCADE
);
-- The earning path asks "which segments is this account in" for the accounts of a batch.
CREATE INDEX segment_members_by_subject ON segment_members (program_id, subject_id);

CREATE TABLE segment_counts (
  program_id  uuid NOT NULL,
  segment_id  uuid NOT NULL,
  at          timestamptz NOT NULL,
  count       integer NOT NULL,
  added       integer NOT NULL,
  removed     integer NOT NULL,
  trigger     text NOT NULL CHECK (trigger IN ('schedule', 'manual', 'upload', 'create')),
  PRIMARY KEY (program_id, segment_id, at),
  FOREIGN KEY (program_id, segment_id) REFERENCES segments (program_id, id) ON DELETE CASCADE
);

CREATE TABLE account_scores (
  program_id     uuid NOT NULL,
  account_id     uuid NOT NULL,
  -- The program-local date the scores were computed for.
  score_date     date NOT NULL,
  recency_days   integer,
  frequency      integer NOT NULL,
  monetary       bigint NOT NULL,
  -- Quintiles within the program, 1 (lowest) … 5 (best); 0 without a purchase in the window.
  r              smallint NOT NULL,
  f              smallint NOT NULL,
  m              smallint NOT NULL,
  -- Rank of r+f+m among the program's accounts, 0 (best) … 100 (worst).
  rank_percent   smallint NOT NULL,
  loyalty_type   text NOT NULL,
  -- The observations the type was decided from (src/segments/loyalty.ts) and the reasons it gives.
  features       jsonb NOT NULL,
  reasons        jsonb NOT NULL,
  PRIMARY KEY (program_id, account_id),
  FOREIGN KEY (program_id, account_id) REFERENCES accounts (program_id, id)
);

CREATE TABLE account_score_months (
  program_id    uuid NOT NULL,
  account_id    uuid NOT NULL,
  month         date NOT NULL,
  loyalty_type  text NOT NULL,
  rfm           smallint NOT NULL,
  PRIMARY KEY (program_id, month, account_id),
  FOREIGN KEY (program_id, account_id) REFERENCES accounts (program_id, id)
);

-- The nightly run, once per program and program-local date: the row is the claim, so two processes never both run it.
CREATE TABLE relevance_runs (
  program_id   uuid NOT NULL REFERENCES programs (id),
  run_date     date NOT NULL,
  started_at   timestamptz NOT NULL,
  finished_at  timestamptz,
  accounts     integer,
  segments     integer,
  PRIMARY KEY (program_id, run_date)
);

-- Campaigns: a named, time-bound bundle of earning effects for chosen segments, paid from a budget wallet.
-- A budget wallet keeps its balance like an owner wallet and can never go below zero.
ALTER TABLE wallets DROP CONSTRAINT wallets_kind_check;
ALTER TABLE wallets ADD CONSTRAINT wallets_kind_check
  CHECK (kind IN ('account', 'member', 'issuance', 'redemption', 'expiry', 'adjustment', 'budget'));
ALTER TABLE wallets ADD CONSTRAINT wallets_budget_not_overdrawn CHECK (kind <> 'budget' OR available >= 0);

CREATE TABLE campaigns (
  program_id       uuid NOT NULL REFERENCES programs (id),
  id               uuid NOT NULL,
  name             text NOT NULL,
  description      text,
  -- Segment keys whose accounts take part; empty: every account.
  segment_keys     text[] NOT NULL DEFAULT '{}',
  starts_at        timestamptz NOT NULL,
  ends_at          timestamptz NOT NULL,
  effects          jsonb NOT NULL,
  budget_points    bigint NOT NULL CHECK (budget_points >= 0),
  -- The share of the segment's accounts held out (by a stable hash of campaign and account) to measure uplift.
  control_percent  smallint NOT NULL CHECK (control_percent BETWEEN 0 AND 50),
  wallet_id        uuid NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id),
  FOREIGN KEY (program_id, wallet_id) REFERENCES wallets (program_id, id),
  CHECK (ends_at > starts_at)
);
CREATE INDEX campaigns_by_end ON campaigns (program_id, ends_at);
