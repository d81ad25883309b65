-- Lojal core schema: programs (tenants), accounts and members, catalog, events, rules, ledger.
-- Every tenant-owned table starts its primary key with program_id and every foreign key carries it,
-- so the schema can be distributed by program without rewrites. Keys are UUIDs (v7: time-ordered).

CREATE TABLE programs (
  id               uuid PRIMARY KEY,
  name             text NOT NULL,
  default_language text NOT NULL CHECK (default_language IN ('en', 'sv', 'nb', 'pl', 'de')),
  currency         char(3) NOT NULL,
  points_name      text NOT NULL,
  time_zone        text NOT NULL,
  -- Days between earning and the points becoming spendable (a return window); 0 = at once.
  pending_days     integer NOT NULL DEFAULT 0 CHECK (pending_days BETWEEN 0 AND 365),
  -- {"kind":"never"} | {"kind":"rolling","months":N} | {"kind":"end_of_year","yearsAfter":N}
  expiry_policy    jsonb NOT NULL DEFAULT '{"kind":"never"}',
  -- What one point costs the program, in millionths of the currency's minor unit (1000000: one öre or cent).
  point_value_micros bigint NOT NULL DEFAULT 1000000 CHECK (point_value_micros >= 0),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
  program_id   uuid NOT NULL REFERENCES programs (id),
  id           uuid NOT NULL,
  name         text NOT NULL,
  secret_hash  text NOT NULL,
  scopes       text[] NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz,
  PRIMARY KEY (program_id, id)
);

CREATE TABLE accounts (
  program_id          uuid NOT NULL REFERENCES programs (id),
  id                  uuid NOT NULL,
  external_id         text,
  name                text NOT NULL,
  legal_name          text,
  org_number          text,
  vat_number          text,
  country             char(2),
  segment             text,
  tags                text[] NOT NULL DEFAULT '{}',
  parent_id           uuid,
  status              text NOT NULL DEFAULT 'active' CHECK (status IN ('invited', 'active', 'suspended', 'closed')),
  key_account_manager text,
  tier                text,
  attributes          jsonb NOT NULL DEFAULT '{}',
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id),
  UNIQUE (program_id, external_id),
  FOREIGN KEY (program_id, parent_id) REFERENCES accounts (program_id, id)
);
CREATE INDEX accounts_by_name ON accounts (program_id, name, id);
CREATE INDEX accounts_by_parent ON accounts (program_id, parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE members (
  program_id  uuid NOT NULL REFERENCES programs (id),
  id          uuid NOT NULL,
  account_id  uuid NOT NULL,
  external_id text,
  email       text,
  name        text NOT NULL,
  phone       text,
  role        text,
  language    text CHECK (language IN ('en', 'sv', 'nb', 'pl', 'de')),
  tags        text[] NOT NULL DEFAULT '{}',
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('invited', 'active', 'suspended', 'closed')),
  tier        text,
  attributes  jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id),
  UNIQUE (program_id, external_id),
  FOREIGN KEY (program_id, account_id) REFERENCES accounts (program_id, id)
);
CREATE INDEX members_by_account ON members (program_id, account_id, id);
CREATE INDEX members_by_email ON members (program_id, lower(email)) WHERE email IS NOT NULL;

CREATE TABLE categories (
  program_id  uuid NOT NULL REFERENCES programs (id),
  code        text NOT NULL,
  name        text NOT NULL,
  parent_code text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, code)
);

CREATE TABLE products (
  program_id    uuid NOT NULL REFERENCES programs (id),
  sku           text NOT NULL,
  name          text NOT NULL,
  category_code text,
  brand         text,
  margin_class  text,
  unit_price    bigint,
  active        boolean NOT NULL DEFAULT true,
  attributes    jsonb NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, sku),
  FOREIGN KEY (program_id, category_code) REFERENCES categories (program_id, code)
);

-- Earning rules, one row per version. A version is in force from effective_from until the next version's.
CREATE TABLE rules (
  program_id     uuid NOT NULL REFERENCES programs (id),
  id             uuid NOT NULL,
  version        integer NOT NULL CHECK (version >= 1),
  name           text NOT NULL,
  description    text,
  priority       integer NOT NULL DEFAULT 100,
  active         boolean NOT NULL DEFAULT true,
  effective_from timestamptz NOT NULL,
  definition     jsonb NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id, version)
);

-- Counters behind rule caps (points and times paid per rule, scope and period).
CREATE TABLE rule_usage (
  program_id uuid NOT NULL REFERENCES programs (id),
  cap_key    text NOT NULL,
  points     bigint NOT NULL DEFAULT 0,
  times      integer NOT NULL DEFAULT 0,
  PRIMARY KEY (program_id, cap_key)
);

CREATE TABLE events (
  program_id        uuid NOT NULL REFERENCES programs (id),
  id                uuid NOT NULL,
  external_id       text NOT NULL,
  type              text NOT NULL,
  occurred_at       timestamptz NOT NULL,
  received_at       timestamptz NOT NULL DEFAULT now(),
  account_id        uuid NOT NULL,
  member_id         uuid,
  original_event_id uuid,
  amount            bigint NOT NULL DEFAULT 0,
  attributes        jsonb NOT NULL DEFAULT '{}',
  body_hash         text NOT NULL,
  -- json, not jsonb: written on every event and only ever read whole, so parsing it into jsonb is wasted work.
  result            json,
  PRIMARY KEY (program_id, id),
  UNIQUE (program_id, external_id),
  FOREIGN KEY (program_id, account_id) REFERENCES accounts (program_id, id),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id)
);
CREATE INDEX events_by_account ON events (program_id, account_id, occurred_at);

CREATE TABLE event_lines (
  program_id        uuid NOT NULL,
  event_id          uuid NOT NULL,
  line_no           integer NOT NULL,
  account_id        uuid NOT NULL,
  occurred_at       timestamptz NOT NULL,
  is_purchase       boolean NOT NULL,
  sku               text NOT NULL,
  category_code     text,
  brand             text,
  margin_class      text,
  quantity          integer NOT NULL,
  amount            bigint NOT NULL,
  returned_quantity integer NOT NULL DEFAULT 0,
  returned_amount   bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (program_id, event_id, line_no),
  FOREIGN KEY (program_id, event_id) REFERENCES events (program_id, id),
  CHECK (returned_amount <= amount AND returned_quantity <= quantity)
);
-- Returns without a reference are matched to the account's latest purchases of the same SKU.
CREATE INDEX event_lines_open_by_sku ON event_lines (program_id, account_id, sku) WHERE returned_quantity < quantity;

-- The categories an account has bought, for the cross-sell rule ("first purchase in a category").
CREATE TABLE account_categories (
  program_id     uuid NOT NULL,
  account_id     uuid NOT NULL,
  category_code  text NOT NULL,
  first_event_id uuid NOT NULL,
  PRIMARY KEY (program_id, account_id, category_code),
  FOREIGN KEY (program_id, account_id) REFERENCES accounts (program_id, id)
);

-- ---------------------------------------------------------------- ledger
-- Wallets: one per account (company wallet), one per member, and the program's own system wallets
-- (issuance, redemption, expiry, adjustment), which are the other side of every posting.
-- Cached balances live only on owner wallets; system wallets would be a hot row on every posting,
-- and their balance is the sum of their entries anyway.
CREATE TABLE wallets (
  program_id      uuid NOT NULL REFERENCES programs (id),
  id              uuid NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('account', 'member', 'issuance', 'redemption', 'expiry', 'adjustment')),
  available       bigint NOT NULL DEFAULT 0,
  pending         bigint NOT NULL DEFAULT 0,
  lifetime_earned bigint NOT NULL DEFAULT 0,
  lifetime_spent  bigint NOT NULL DEFAULT 0,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id),
  CHECK (kind NOT IN ('account', 'member') OR (available >= 0 AND pending >= 0))
);

CREATE TABLE journals (
  program_id      uuid NOT NULL REFERENCES programs (id),
  id              uuid NOT NULL,
  idempotency_key text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('earn', 'reverse', 'release', 'expire', 'adjust', 'transfer', 'spend')),
  event_id        uuid,
  rule_id         uuid,
  rule_version    integer,
  -- For a reversal: the lot (one rule's posting) whose points it takes back.
  reverses_id     uuid,
  reason_code     text,
  explanation     jsonb NOT NULL,
  memo            text,
  actor           text,
  basis_lines     integer[],
  -- A fingerprint of the request that made this journal, so a replay with a different body is told apart.
  request_hash    text,
  occurred_at     timestamptz NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id),
  UNIQUE (program_id, idempotency_key)
);
CREATE INDEX journals_by_event ON journals (program_id, event_id) WHERE event_id IS NOT NULL;
CREATE INDEX journals_by_reversed ON journals (program_id, reverses_id) WHERE reverses_id IS NOT NULL;

-- Lots: each credit to an owner wallet, with when it becomes available and when it expires.
-- remaining is what is left to spend; spending takes the lots that expire first.
CREATE TABLE lots (
  program_id   uuid NOT NULL,
  id           uuid NOT NULL,
  wallet_id    uuid NOT NULL,
  journal_id   uuid NOT NULL,
  status       text NOT NULL CHECK (status IN ('pending', 'available')),
  earned_at    timestamptz NOT NULL,
  available_at timestamptz NOT NULL,
  expires_at   timestamptz,
  original     bigint NOT NULL CHECK (original > 0),
  remaining    bigint NOT NULL CHECK (remaining >= 0 AND remaining <= original),
  PRIMARY KEY (program_id, id),
  FOREIGN KEY (program_id, wallet_id) REFERENCES wallets (program_id, id),
  FOREIGN KEY (program_id, journal_id) REFERENCES journals (program_id, id)
);
CREATE INDEX lots_spendable ON lots (program_id, wallet_id, expires_at, earned_at) WHERE remaining > 0;
CREATE INDEX lots_pending_due ON lots (program_id, available_at) WHERE status = 'pending' AND remaining > 0;
CREATE INDEX lots_expiring ON lots (program_id, expires_at) WHERE status = 'available' AND remaining > 0;

-- Entries: append-only; the entries of a journal sum to zero; a wallet's bucket balance is the sum of its entries.
CREATE TABLE entries (
  program_id uuid NOT NULL,
  journal_id uuid NOT NULL,
  seq        integer NOT NULL,
  wallet_id  uuid NOT NULL,
  bucket     text NOT NULL CHECK (bucket IN ('available', 'pending')),
  amount     bigint NOT NULL CHECK (amount <> 0),
  lot_id     uuid,
  -- An event's earnings are one journal; each rule's posting is an entry that says which rule and why.
  rule_id      uuid,
  rule_version integer,
  explanation  json,
  basis_lines  integer[],
  PRIMARY KEY (program_id, journal_id, seq),
  FOREIGN KEY (program_id, journal_id) REFERENCES journals (program_id, id),
  FOREIGN KEY (program_id, wallet_id) REFERENCES wallets (program_id, id)
);
CREATE INDEX entries_by_wallet ON entries (program_id, wallet_id, journal_id);
