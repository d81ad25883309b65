-- The rewards shop: a catalogue members spend points in, orders that reserve points and stock together,
-- their fulfilment history, codes handed out for gift cards, and credit notes for cashback.

-- Redemptions take points with kind 'redeem'; a cancelled or rejected order gives them back with 'refund'.
ALTER TABLE journals DROP CONSTRAINT journals_kind_check;
ALTER TABLE journals ADD CONSTRAINT journals_kind_check
  CHECK (kind IN ('earn', 'reverse', 'release', 'expire', 'adjust', 'transfer', 'spend', 'redeem', 'refund'));

CREATE TABLE reward_settings (
  program_id                uuid PRIMARY KEY REFERENCES programs (id),
  -- An order costing at least this many points waits for staff approval; null: no approval needed.
  approval_threshold_points bigint CHECK (approval_threshold_points > 0),
  updated_at                timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE reward_categories (
  program_id uuid NOT NULL REFERENCES programs (id),
  code       text NOT NULL,
  -- {"en": …, "sv": …, …}
  names      jsonb NOT NULL,
  position   integer NOT NULL DEFAULT 0,
  PRIMARY KEY (program_id, code)
);

CREATE TABLE rewards (
  program_id        uuid NOT NULL REFERENCES programs (id),
  id                uuid NOT NULL,
  code              text NOT NULL,
  type              text NOT NULL CHECK (type IN ('physical', 'experience', 'code', 'charity', 'cashback', 'content')),
  category_code     text,
  -- {"en": {"name": …, "description": …}, "sv": …}
  texts             jsonb NOT NULL,
  images            text[] NOT NULL DEFAULT '{}',
  price_points      bigint NOT NULL CHECK (price_points > 0),
  -- null: unlimited. Counted stock is what is left to order; orders take from it, cancellations give back.
  stock             integer CHECK (stock >= 0),
  active            boolean NOT NULL DEFAULT true,
  valid_from        timestamptz,
  valid_until       timestamptz,
  -- Eligibility: each list empty = no restriction.
  min_tier          text,
  segments          text[] NOT NULL DEFAULT '{}',
  roles             text[] NOT NULL DEFAULT '{}',
  countries         text[] NOT NULL DEFAULT '{}',
  limit_per_member  integer CHECK (limit_per_member > 0),
  limit_per_account integer CHECK (limit_per_account > 0),
  limit_period      text NOT NULL DEFAULT 'lifetime' CHECK (limit_period IN ('day', 'week', 'month', 'quarter', 'year', 'lifetime')),
  -- Codes (gift cards, coupons): taken from an imported pool, or generated at issue.
  code_source       text CHECK (code_source IN ('pool', 'generated')),
  -- Cashback: the credit note per unit; charity: the donation per unit (minor units of the program currency).
  cash_value_minor  bigint CHECK (cash_value_minor > 0),
  event_at          timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id),
  UNIQUE (program_id, code),
  FOREIGN KEY (program_id, category_code) REFERENCES reward_categories (program_id, code),
  CHECK ((type = 'code') = (code_source IS NOT NULL)),
  CHECK (type <> 'cashback' OR cash_value_minor IS NOT NULL),
  CHECK (valid_until IS NULL OR valid_from IS NULL OR valid_until > valid_from)
);
CREATE INDEX rewards_by_category ON rewards (program_id, category_code, price_points);

CREATE TABLE reward_orders (
  program_id       uuid NOT NULL REFERENCES programs (id),
  id               uuid NOT NULL,
  idempotency_key  text NOT NULL,
  request_hash     text NOT NULL,
  reward_id        uuid NOT NULL,
  quantity         integer NOT NULL CHECK (quantity > 0),
  member_id        uuid NOT NULL,
  account_id       uuid NOT NULL,
  -- Paid from the member's own wallet or (a manager's order) the company's.
  wallet_id        uuid NOT NULL,
  points           bigint NOT NULL CHECK (points > 0),
  state            text NOT NULL CHECK (state IN ('pending_approval', 'placed', 'approved', 'shipped', 'delivered', 'issued', 'cancelled', 'rejected')),
  redeem_journal_id uuid NOT NULL,
  refund_journal_id uuid,
  shipping_address jsonb,
  tracking         jsonb,
  -- Codes handed out with the order (gift cards, coupons), and content or service details.
  codes            text[] NOT NULL DEFAULT '{}',
  note             text,
  -- The order's date on the program's calendar: limits per day/week/month/quarter/year count from it.
  local_date       date NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id),
  UNIQUE (program_id, idempotency_key),
  FOREIGN KEY (program_id, reward_id) REFERENCES rewards (program_id, id),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id),
  FOREIGN KEY (program_id, account_id) REFERENCES accounts (program_id, id),
  FOREIGN KEY (program_id, redeem_journal_id) REFERENCES journals (program_id, id)
);
CREATE INDEX reward_orders_by_state ON reward_orders (program_id, state, id);
CREATE INDEX reward_orders_by_member ON reward_orders (program_id, member_id, reward_id, local_date);
CREATE INDEX reward_orders_by_account ON reward_orders (program_id, account_id, reward_id, local_date);

CREATE TABLE reward_order_history (
  program_id uuid NOT NULL REFERENCES programs (id),
  order_id   uuid NOT NULL,
  seq        integer NOT NULL,
  from_state text,
  to_state   text NOT NULL,
  actor      text NOT NULL,
  reason     text,
  at         timestamptz NOT NULL,
  PRIMARY KEY (program_id, order_id, seq),
  FOREIGN KEY (program_id, order_id) REFERENCES reward_orders (program_id, id)
);

-- An imported pool of gift-card or coupon codes; a code is handed out once.
CREATE TABLE reward_codes (
  program_id  uuid NOT NULL REFERENCES programs (id),
  reward_id   uuid NOT NULL,
  code        text NOT NULL,
  order_id    uuid,
  imported_at timestamptz NOT NULL DEFAULT now(),
  issued_at   timestamptz,
  PRIMARY KEY (program_id, reward_id, code),
  FOREIGN KEY (program_id, reward_id) REFERENCES rewards (program_id, id),
  FOREIGN KEY (program_id, order_id) REFERENCES reward_orders (program_id, id)
);
CREATE INDEX reward_codes_free ON reward_codes (program_id, reward_id, imported_at) WHERE order_id IS NULL;

-- Cashback: money the account is owed, handed to the ERP by export.
CREATE TABLE credit_notes (
  program_id   uuid NOT NULL REFERENCES programs (id),
  id           uuid NOT NULL,
  order_id     uuid NOT NULL,
  account_id   uuid NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency     char(3) NOT NULL,
  exported_at  timestamptz,
  export_batch text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id),
  UNIQUE (program_id, order_id),
  FOREIGN KEY (program_id, order_id) REFERENCES reward_orders (program_id, id),
  FOREIGN KEY (program_id, account_id) REFERENCES accounts (program_id, id)
);
CREATE INDEX credit_notes_unexported ON credit_notes (program_id, created_at, id) WHERE exported_at IS NULL;
