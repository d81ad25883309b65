-- Tiers (status levels): a program's ladder of levels, its qualification settings, each owner's
-- current status and an append-only history of every change. program_id leads every key, as in 0001.

CREATE TABLE tier_settings (
  program_id           uuid PRIMARY KEY REFERENCES programs (id),
  -- What qualifies: points earned (earn minus reversals) or purchase amount (minus returns), minor units.
  basis                text NOT NULL CHECK (basis IN ('points', 'amount')),
  window_kind          text NOT NULL CHECK (window_kind IN ('rolling', 'calendar_year')),
  -- For 'rolling': the window's length in months (also the qualification period).
  window_months        integer NOT NULL DEFAULT 12 CHECK (window_months BETWEEN 1 AND 60),
  scope                text NOT NULL CHECK (scope IN ('account', 'member', 'both')),
  -- A downgrade at a period end drops at most this many levels.
  downgrade_max_levels integer NOT NULL DEFAULT 1 CHECK (downgrade_max_levels BETWEEN 1 AND 100),
  -- Days after a period end before a downgrade takes effect.
  grace_days           integer NOT NULL DEFAULT 0 CHECK (grace_days BETWEEN 0 AND 366),
  updated_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tier_levels (
  program_id           uuid NOT NULL REFERENCES programs (id),
  code                 text NOT NULL,
  rank                 integer NOT NULL CHECK (rank >= 1),
  -- {"en": …, "sv": …, "nb": …, "pl": …, "de": …}
  names                jsonb NOT NULL,
  -- Qualifying total (points, or minor units of amount) needed to reach the level.
  threshold            bigint NOT NULL CHECK (threshold >= 0),
  -- Earn multiplier in hundredths: 100 = ×1, 150 = ×1.5.
  multiplier_hundredths integer NOT NULL DEFAULT 100 CHECK (multiplier_hundredths >= 100),
  -- Discount the ERP may grant, in basis points (1250 = 12.5 %).
  discount_basis_points integer NOT NULL DEFAULT 0 CHECK (discount_basis_points BETWEEN 0 AND 10000),
  reward_tags          text[] NOT NULL DEFAULT '{}',
  -- {"en": ["…"], "sv": ["…"], …}: free-text benefits per language.
  benefits             jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (program_id, code),
  UNIQUE (program_id, rank)
);

CREATE TABLE tier_status (
  program_id    uuid NOT NULL REFERENCES programs (id),
  owner_kind    text NOT NULL CHECK (owner_kind IN ('account', 'member')),
  owner_id      uuid NOT NULL,
  -- null: below the lowest level.
  level_code    text,
  since         timestamptz NOT NULL,
  -- The end of the qualification period the current level holds through.
  period_end    timestamptz NOT NULL,
  frozen_until  timestamptz,
  frozen_reason text,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, owner_kind, owner_id)
);

CREATE TABLE tier_history (
  program_id uuid NOT NULL REFERENCES programs (id),
  id         uuid NOT NULL,
  owner_kind text NOT NULL CHECK (owner_kind IN ('account', 'member')),
  owner_id   uuid NOT NULL,
  from_level text,
  to_level   text,
  -- upgrade | downgrade | freeze | unfreeze | ladder_changed
  reason     text NOT NULL,
  detail     jsonb NOT NULL DEFAULT '{}',
  at         timestamptz NOT NULL,
  PRIMARY KEY (program_id, id)
);
CREATE INDEX tier_history_by_owner ON tier_history (program_id, owner_kind, owner_id, at DESC, id DESC);
