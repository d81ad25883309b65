-- Recognition (issue 16): surprises on the days that matter, referrals between companies, and a program that
-- cleans itself of inactive members and warns accounts about to lose their tier. program_id leads every key.

-- A member's birthday: day and month only; the year only when the member gave it (it is never required).
CREATE TABLE member_birthdays (
  program_id uuid NOT NULL REFERENCES programs (id),
  member_id  uuid NOT NULL,
  month      smallint NOT NULL CHECK (month BETWEEN 1 AND 12),
  day        smallint NOT NULL CHECK (day BETWEEN 1 AND 31),
  year       smallint CHECK (year BETWEEN 1900 AND 2100),
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (program_id, member_id),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id)
);
CREATE INDEX member_birthdays_by_day ON member_birthdays (program_id, month, day);

-- What the program gives on each occasion. `key` names the surprise (the kind itself, or a season such as
-- 'christmas'); seasonal greetings carry their month and day, milestones their threshold.
CREATE TABLE surprises (
  program_id   uuid NOT NULL REFERENCES programs (id),
  key          text NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('birthday', 'anniversary', 'orders', 'lifetime_points', 'tier', 'seasonal')),
  enabled      boolean NOT NULL,
  points       integer NOT NULL CHECK (points >= 0),
  reward_id    uuid,
  -- Seasonal: the day of the greeting. Orders and lifetime_points: the threshold. Tier: the level key.
  month        smallint CHECK (month BETWEEN 1 AND 12),
  day          smallint CHECK (day BETWEEN 1 AND 31),
  threshold    bigint CHECK (threshold > 0),
  tier_key     text,
  -- {"en": "…", "sv": "…"}: the program's own words for the message; missing languages use the built-in text.
  message      jsonb NOT NULL DEFAULT '{}',
  -- Occasions before this local date are not caught up (a surprise switched on today does not pay last week).
  active_from  date NOT NULL,
  updated_at   timestamptz NOT NULL,
  PRIMARY KEY (program_id, key),
  CHECK (kind <> 'seasonal' OR (month IS NOT NULL AND day IS NOT NULL)),
  CHECK (kind NOT IN ('orders', 'lifetime_points') OR threshold IS NOT NULL),
  CHECK (kind <> 'tier' OR tier_key IS NOT NULL)
);

-- One row per member, surprise and occasion: the claim that makes the job pay once however often it runs.
-- occasion is the local date for dated surprises ('2027-02-28') and 'once' for milestones.
CREATE TABLE surprise_payouts (
  program_id   uuid NOT NULL REFERENCES programs (id),
  member_id    uuid NOT NULL,
  surprise_key text NOT NULL,
  occasion     text NOT NULL,
  kind         text NOT NULL,
  points       integer NOT NULL,
  journal_id   uuid,
  reward_id    uuid,
  order_id     uuid,
  -- Why a reward could not be ordered (the member keeps its points).
  order_error  text,
  paid_at      timestamptz NOT NULL,
  PRIMARY KEY (program_id, member_id, surprise_key, occasion),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id)
);
CREATE INDEX surprise_payouts_by_time ON surprise_payouts (program_id, paid_at DESC);

CREATE TABLE referral_settings (
  program_id      uuid PRIMARY KEY REFERENCES programs (id),
  enabled         boolean NOT NULL,
  referrer_points integer NOT NULL CHECK (referrer_points >= 0),
  referee_points  integer NOT NULL CHECK (referee_points >= 0),
  cap_count       integer CHECK (cap_count > 0),
  cap_period      text NOT NULL CHECK (cap_period IN ('month', 'year', 'lifetime')),
  updated_at      timestamptz NOT NULL
);

CREATE TABLE referral_codes (
  program_id uuid NOT NULL REFERENCES programs (id),
  member_id  uuid NOT NULL,
  code       text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (program_id, member_id),
  UNIQUE (program_id, code),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id)
);

-- A company that came through a member's code. One referral per referred company: it can be referred once.
CREATE TABLE referrals (
  program_id          uuid NOT NULL REFERENCES programs (id),
  id                  uuid NOT NULL,
  code                text NOT NULL,
  referrer_member_id  uuid NOT NULL,
  referrer_account_id uuid NOT NULL,
  referee_account_id  uuid NOT NULL,
  referee_member_id   uuid,
  status              text NOT NULL CHECK (status IN ('pending', 'paid', 'capped')),
  qualifying_event_id uuid,
  -- The referrer's cap bucket (e.g. 'month:2026-11') the payout counted in.
  cap_period_key      text,
  referrer_points     integer NOT NULL DEFAULT 0,
  referee_points      integer NOT NULL DEFAULT 0,
  referrer_journal_id uuid,
  referee_journal_id  uuid,
  created_at          timestamptz NOT NULL,
  qualified_at        timestamptz,
  PRIMARY KEY (program_id, id),
  UNIQUE (program_id, referee_account_id),
  FOREIGN KEY (program_id, referrer_member_id) REFERENCES members (program_id, id),
  FOREIGN KEY (program_id, referrer_account_id) REFERENCES accounts (program_id, id),
  FOREIGN KEY (program_id, referee_account_id) REFERENCES accounts (program_id, id)
);
CREATE INDEX referrals_by_referrer ON referrals (program_id, referrer_member_id, created_at);
CREATE INDEX referrals_pending ON referrals (program_id, status) WHERE status = 'pending';

CREATE TABLE inactivity_settings (
  program_id        uuid PRIMARY KEY REFERENCES programs (id),
  enabled           boolean NOT NULL,
  remind_after_months     integer NOT NULL CHECK (remind_after_months BETWEEN 1 AND 120),
  deactivate_after_months integer NOT NULL CHECK (deactivate_after_months BETWEEN 1 AND 120),
  -- Accounts whose tier period ends within this many days and who lack what keeping it needs are told.
  tier_warning_days integer NOT NULL CHECK (tier_warning_days BETWEEN 0 AND 365),
  updated_at        timestamptz NOT NULL,
  CHECK (deactivate_after_months > remind_after_months)
);

-- Notices sent once per member (or tier owner) and occasion: an inactivity reminder per spell of inactivity
-- (occasion = the last activity's date), a tier warning per tier period (occasion = the period's end).
CREATE TABLE retention_notices (
  program_id uuid NOT NULL REFERENCES programs (id),
  member_id  uuid NOT NULL,
  kind       text NOT NULL CHECK (kind IN ('inactivity_reminder', 'inactivity_deactivated', 'tier_at_risk')),
  occasion   text NOT NULL,
  sent_at    timestamptz NOT NULL,
  PRIMARY KEY (program_id, member_id, kind, occasion),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id)
);
